//! The quality gate for every shipped scenario: it validates, every node and ending is
//! reachable, the best score needs no mistake, it discriminates, translations match, and
//! the library as a whole covers the personality × objection matrix and the material.

use rapport::analysis::{Analysis, PathStep, analyze, library_markdown, library_row};
use rapport::catalog::{expand, load_all};
use rapport::compile::{Scenario, Then};
use rapport::model::{Model, TechniqueKind};
use rapport::vocabulary::{Locale, MATRIX_CATEGORIES, Outcome, Personality, Timing};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn shipped() -> Vec<(PathBuf, Scenario)> {
    let files = expand(&[PathBuf::from("scenarios")], false).expect("the scenarios folder exists");
    let loaded = load_all(&files);
    let problems: Vec<String> = loaded
        .problems
        .values()
        .flatten()
        .map(|p| p.to_string())
        .collect();
    assert!(
        problems.is_empty(),
        "shipped scenarios have problems:\n{}",
        problems.join("\n")
    );
    loaded.scenarios
}

/// Every shipped scenario with its analysis, computed once for all the tests here.
fn analysed() -> &'static [(PathBuf, Scenario, Analysis)] {
    static ALL: std::sync::OnceLock<Vec<(PathBuf, Scenario, Analysis)>> =
        std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        shipped()
            .into_iter()
            .map(|(p, s)| {
                let a = analyze(&s);
                (p, s, a)
            })
            .collect()
    })
}

#[test]
fn the_template_and_the_model_validate() {
    let files = vec![PathBuf::from("scenarios/_template.ron")];
    let loaded = load_all(&files);
    assert!(
        loaded.problems.values().all(|p| p.is_empty()),
        "{:?}",
        loaded.problems
    );
    assert!(Model::parse(rapport::model::BUILTIN_MODEL_RON, "_model.ron").is_ok());
}

#[test]
fn every_shipped_scenario_passes_the_quality_gate() {
    let mut failures = Vec::new();
    for (path, scn, a) in analysed() {
        let name = path.display().to_string();
        let mut fail = |why: String| failures.push(format!("{name}: {why}"));
        if !a.unreached_nodes.is_empty() {
            fail(format!("nodes no play reaches: {:?}", a.unreached_nodes));
        }
        for e in a.endings.iter().filter(|e| !e.reachable) {
            fail(format!("ending `{}` is unreachable", e.node));
        }
        if !a.best_avoids_mistakes {
            fail("the best score needs a choice marked as a mistake".into());
        }
        if let Some(m) = a.best_with_mistake
            && m >= a.overall.best
        {
            fail(format!(
                "a line through a mistake reaches the best score {m}"
            ));
        }
        for p in &a.personalities {
            if p.summary.discrimination < 30 {
                fail(format!(
                    "[{}] best {} is only {} above the random median",
                    p.personality, p.summary.best, p.summary.discrimination
                ));
            }
            let decisions = p
                .best_path
                .iter()
                .filter(|s| matches!(s, PathStep::Chose { .. }))
                .count();
            if decisions < 6 {
                fail(format!(
                    "[{}] only {decisions} decisions on the best path",
                    p.personality
                ));
            }
        }
        let outcomes: BTreeSet<Outcome> = scn
            .nodes
            .iter()
            .filter_map(|n| match &n.then {
                Then::End(e) => Some(e.outcome),
                _ => None,
            })
            .collect();
        if outcomes.len() < 3 {
            fail(format!(
                "endings of only {} outcome classes",
                outcomes.len()
            ));
        }
        let centrals = scn.objections.iter().filter(|o| o.central).count();
        if scn.objections.len() < 2 || centrals != 1 {
            fail(format!(
                "{} objections with {centrals} central; need at least 2 with exactly one central",
                scn.objections.len()
            ));
        }
        if !scn.nodes.iter().any(|n| matches!(n.then, Then::Chance(_))) {
            fail("no chance branch".into());
        }
        let choice_counts: Vec<usize> = scn
            .nodes
            .iter()
            .filter_map(|n| match &n.then {
                Then::Choices(list) => Some(list.len()),
                _ => None,
            })
            .collect();
        let with_three = choice_counts.iter().filter(|&&c| c >= 3).count();
        if with_three * 2 < choice_counts.len() {
            fail(format!(
                "only {with_three} of {} decisions offer three or more choices",
                choice_counts.len()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "quality gate failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_matrix_and_the_casebook_exist_in_both_languages() {
    let scenarios = shipped();
    let mut missing = Vec::new();
    for p in Personality::ALL {
        for c in MATRIX_CATEGORIES {
            for locale in Locale::ALL {
                let found = scenarios.iter().any(|(_, s)| {
                    !s.drawn
                        && s.personalities == vec![*p]
                        && s.locale() == locale
                        && s.objections.iter().any(|o| o.central && o.category == c)
                });
                if !found {
                    missing.push(format!("{p} × {c} in {}", locale.code()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "matrix cells without a scenario: {missing:?}"
    );
    let cases = scenarios
        .iter()
        .filter(|(p, _)| file_name(p).starts_with("case-"))
        .count();
    assert!(
        cases >= 8,
        "the casebook has {cases} files; at least four cases in two languages"
    );
    assert!(
        scenarios.iter().any(|(_, s)| s.drawn && s.has_diagnosis),
        "no scenario draws its personality and asks for a diagnosis"
    );
    for (path, s) in &scenarios {
        assert!(
            s.file.translation.is_some(),
            "{} has no translation",
            path.display()
        );
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default()
}

#[test]
fn the_library_exercises_every_method_trust_builder_and_timing() {
    let scenarios = shipped();
    let model = Model::builtin();
    let mut used = BTreeSet::new();
    let mut timings = BTreeSet::new();
    for (_, s) in &scenarios {
        for o in &s.objections {
            timings.extend(o.right_timings.iter().copied());
        }
        for n in &s.nodes {
            if let Then::Choices(list) = &n.then {
                for c in list.iter().filter(|c| c.trust_override.is_none()) {
                    used.extend(
                        c.techniques
                            .iter()
                            .map(|&t| model.technique_def(t).id.clone()),
                    );
                }
            }
        }
    }
    let required: Vec<&str> = model
        .file
        .techniques
        .iter()
        .filter(|t| matches!(t.kind, TechniqueKind::Method | TechniqueKind::TrustBuilder))
        .map(|t| t.id.as_str())
        .collect();
    let missing: Vec<&&str> = required.iter().filter(|t| !used.contains(**t)).collect();
    assert!(
        missing.is_empty(),
        "never used in a scored choice: {missing:?}"
    );
    for t in [
        Timing::Preempt,
        Timing::AtOnce,
        Timing::Later,
        Timing::Ignore,
    ] {
        assert!(
            timings.contains(&t),
            "no objection is best handled with timing {t}"
        );
    }
}

#[test]
fn docs_library_table_is_generated_from_the_current_scenarios() {
    let rows: Vec<_> = analysed()
        .iter()
        .map(|(p, s, a)| library_row(p, s, a))
        .collect();
    let table = library_markdown(&rows);
    let doc = std::fs::read_to_string("docs/library.md").expect("docs/library.md exists");
    assert!(
        doc.contains(&table),
        "docs/library.md is out of date: regenerate it with `cargo run --release -- library scenarios` (see the file's header)"
    );
}
