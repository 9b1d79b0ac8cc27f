//! The quality gate for every shipped scenario: it validates, every node and ending is
//! reachable, the best score needs no mistake, it discriminates, the longest line does not
//! win, translations match, and the library as a whole covers the personality × objection
//! matrix and what the material teaches: sub-types, motives, causes, methods, contacts.

use rapport::analysis::{Analysis, PathStep, analyze, library_markdown, library_row};
use rapport::catalog::{expand, load_all};
use rapport::compile::{Scenario, Then};
use rapport::cues::{CueFigures, figures, library_problems, phrase_uses};
use rapport::model::{Model, TechniqueKind};
use rapport::vocabulary::{Locale, MATRIX_CATEGORIES, Personality, Timing};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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

type Analysed = (PathBuf, Arc<Scenario>, Analysis, CueFigures);

/// Every shipped scenario with its analysis and surface-cue figures, computed once for all
/// the tests here.
fn analysed() -> &'static [Analysed] {
    static ALL: std::sync::OnceLock<Vec<Analysed>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        shipped()
            .into_iter()
            .map(|(p, s)| {
                let s = Arc::new(s);
                let a = analyze(&s);
                let c = figures(&s, &a);
                (p, s, a, c)
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
    let failures: Vec<String> = analysed()
        .iter()
        .flat_map(|(path, scn, a, cues)| {
            rapport::gate::problems(scn, a, cues)
                .into_iter()
                .map(move |why| format!("{}: {why}", path.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "quality gate failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn a_trainee_cannot_win_by_the_length_or_the_phrasing_of_a_line() {
    let figures: Vec<CueFigures> = analysed().iter().map(|x| x.3.clone()).collect();
    let uses: Vec<_> = analysed().iter().map(|x| phrase_uses(&x.1)).collect();
    let problems = library_problems(&figures, &uses);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The scenarios in `locale`.
fn in_locale(locale: Locale) -> impl Iterator<Item = &'static Analysed> {
    analysed().iter().filter(move |x| x.1.locale() == locale)
}

#[test]
fn every_sub_type_motive_and_cause_is_trained_in_both_languages() {
    let model = Model::builtin();
    let mut missing = Vec::new();
    for locale in Locale::ALL {
        let mut subtypes = BTreeSet::new();
        let mut motives = BTreeSet::new();
        let mut causes = BTreeSet::new();
        for (_, scn, _, _) in in_locale(locale) {
            for o in &scn.objections {
                subtypes.insert(o.subtype);
                motives.extend(o.motives.iter().copied());
                causes.extend(o.causes.iter().copied());
            }
        }
        let f = &model.file;
        for (i, t) in f.objection_types.iter().enumerate() {
            if !subtypes.contains(&i) {
                missing.push(format!("sub-type `{}` in {}", t.id, locale.code()));
            }
        }
        for (i, m) in f.price_motives.iter().enumerate() {
            if !motives.contains(&i) {
                missing.push(format!("motive `{}` in {}", m.id, locale.code()));
            }
        }
        for (i, c) in f.causes.iter().enumerate() {
            if !causes.contains(&i) {
                missing.push(format!("cause `{}` in {}", c.id, locale.code()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "never the objection of a scenario: {missing:?}"
    );
}

/// The techniques of the choices best play takes, by the analysis's per-decision values.
fn best_choice_techniques(scn: &Scenario, a: &Analysis) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for d in &a.decisions {
        let Some(best) = d.choices.iter().filter_map(|c| c.best_after).max() else {
            continue;
        };
        let Some(node) = scn.node_index(&d.node) else {
            continue;
        };
        if let Then::Choices(list) = &scn.nodes[node].then {
            for c in d.choices.iter().filter(|c| c.best_after == Some(best)) {
                out.extend(list[c.choice - 1].techniques.iter().copied());
            }
        }
    }
    out
}

#[test]
fn every_technique_but_the_mistakes_is_part_of_a_best_choice() {
    let model = Model::builtin();
    let mut used = BTreeSet::new();
    for (_, scn, a, _) in analysed() {
        used.extend(best_choice_techniques(scn, a));
    }
    let missing: Vec<&str> = model
        .file
        .techniques
        .iter()
        .enumerate()
        .filter(|(i, t)| t.kind != TechniqueKind::Mistake && !used.contains(i))
        .map(|(_, t)| t.id.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "never part of a best choice: {missing:?}"
    );
}

#[test]
fn a_courteous_direct_denial_is_the_best_move_in_at_least_four_scenarios() {
    let model = Model::builtin();
    let denial = model
        .technique("direct_denial")
        .expect("the model has direct denial");
    for locale in Locale::ALL {
        let with: Vec<&str> = in_locale(locale)
            .filter(|(_, scn, a, _)| best_choice_techniques(scn, a).contains(&denial))
            .map(|(_, scn, _, _)| scn.id())
            .collect();
        assert!(
            with.len() >= 4,
            "{}: direct denial is best only in {with:?}",
            locale.code()
        );
    }
}

/// The best line of each personality (and each draw) takes a choice using `technique`
/// before it handles `objection` in any other way.
fn best_play_probes_first(scn: &Scenario, a: &Analysis, probe: usize) -> bool {
    a.personalities.iter().all(|p| {
        p.best_path.iter().any(|step| match step {
            PathStep::Chose { node, text, .. } => scn.node_index(node).is_some_and(|n| {
                matches!(&scn.nodes[n].then, Then::Choices(list)
                    if list.iter().any(|c| &*c.say == text && c.techniques.contains(&probe)))
            }),
            _ => false,
        })
    })
}

#[test]
fn whether_an_objection_is_real_is_drawn_and_best_play_probes_in_four_scenarios() {
    let model = Model::builtin();
    let questioning = model
        .technique("questioning")
        .expect("the model has questioning");
    for locale in Locale::ALL {
        let drawn: Vec<&str> = in_locale(locale)
            .filter(|(_, scn, a, _)| {
                let hidden_draw_sets = |flag: u64| {
                    scn.nodes.iter().any(|n| {
                        matches!(&n.then, Then::Chance(branches)
                            if branches.iter().any(|b| b.set & flag != 0 && b.note.is_empty()))
                    })
                };
                scn.objections
                    .iter()
                    .any(|o| o.excuse_if.is_some_and(hidden_draw_sets))
                    && best_play_probes_first(scn, a, questioning)
            })
            .map(|(_, scn, _, _)| scn.id())
            .collect();
        assert!(
            drawn.len() >= 4,
            "{}: real-or-excuse drawn with probing best play only in {drawn:?}",
            locale.code()
        );
    }
}

#[test]
fn the_library_has_the_situations_the_material_teaches() {
    let model = Model::builtin();
    let subtype = |id: &str| model.objection_type(id).expect("known sub-type");
    let cause = |id: &str| model.cause(id).expect("known cause");
    for locale in Locale::ALL {
        let scenarios: Vec<&Analysed> = in_locale(locale).collect();
        let central_of = |t: usize| {
            scenarios
                .iter()
                .any(|(_, s, _, _)| s.objections.iter().any(|o| o.central && o.subtype == t))
        };
        let with_cause = |c: usize| {
            scenarios
                .iter()
                .any(|(_, s, _, _)| s.objections.iter().any(|o| o.causes.contains(&c)))
        };
        for t in [
            "need_real",
            "price_kickback",
            "price_payment_terms",
            "price_ability_to_pay",
        ] {
            assert!(
                central_of(subtype(t)),
                "{}: no scenario centres on `{t}`",
                locale.code()
            );
        }
        for c in ["limited_authority", "bad_mood", "prejudice"] {
            assert!(
                with_cause(cause(c)),
                "{}: no objection caused by `{c}`",
                locale.code()
            );
        }
        let multi_contact = scenarios
            .iter()
            .any(|(_, s, _, _)| s.nodes.iter().any(|n| matches!(n.then, Then::Later { .. })));
        assert!(
            multi_contact,
            "{}: no scenario spans several contacts",
            locale.code()
        );
        for id in ["pharmacy-clerk", "order-clerk"] {
            assert!(
                scenarios
                    .iter()
                    .any(|(_, s, _, _)| s.id().trim_end_matches("-zh") == id),
                "{}: no `{id}` scenario",
                locale.code()
            );
        }
    }
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
        .map(|(p, s, a, c)| library_row(p, s, a, c))
        .collect();
    let table = library_markdown(&rows);
    let doc = std::fs::read_to_string("docs/library.md").expect("docs/library.md exists");
    assert!(
        doc.contains(&table),
        "docs/library.md is out of date: regenerate it with `cargo run --release -- library scenarios` (see the file's header)"
    );
}
