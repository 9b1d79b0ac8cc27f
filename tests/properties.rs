//! Property tests: random play never panics and keeps trust in range, the loader never
//! panics on arbitrary or mutated text, and the memoised analysis agrees with brute force.

use proptest::prelude::*;
use rapport::analysis::{Analyzer, analyze};
use rapport::compile::{Scenario, Then, load_scenario};
use rapport::engine::{
    PlayState, Prompt, Session, Stop, apply_choice, arrive, draw, visible_choices,
};
use rapport::model::Model;
use rapport::scoring::total;
use rapport::vocabulary::Outcome;
use std::collections::BTreeMap;
use std::sync::Arc;

const TEMPLATE: &str = include_str!("../scenarios/_template.ron");
const SHORT_SALE: &str = include_str!("fixtures/good/short-sale.ron");

fn load(text: &str) -> Arc<Scenario> {
    Arc::new(load_scenario(text, "test.ron", Model::builtin()).expect("valid"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_play_never_panics_and_keeps_trust_in_range(seed in any::<u64>(), picks in prop::collection::vec(0usize..9, 0..40)) {
        for text in [TEMPLATE, SHORT_SALE] {
            let mut s = Session::new(load(text), seed);
            for &p in &picks {
                let n = match s.prompt() {
                    Prompt::Choices(list) => list.len(),
                    Prompt::Diagnose { .. } => 4,
                    Prompt::Ended => break,
                };
                s.choose(p % n).expect("an offered choice is accepted");
                prop_assert!((0..=100).contains(&s.state().trust));
            }
        }
    }

    #[test]
    fn the_loader_never_panics_on_arbitrary_text(text in ".{0,400}") {
        let _ = load_scenario(&text, "fuzz.ron", Model::builtin());
    }

    /// Mutations that keep the text well-formed RON, so that validation (not the parser) meets
    /// them: dangling and looping `next`s, out-of-range numbers, unknown names, flags never
    /// set, duplicate ids, a sub-type of the wrong category, a later step of 0 days.
    #[test]
    fn validation_reports_every_structured_mutation_without_panicking(spec in small_scenario(), which in 0usize..9, nth in 0usize..6, seed in any::<u64>()) {
        const MUTATIONS: [(&str, &str); 9] = [
            ("next: \"d1\"", "next: \"missing\""),
            ("next: \"close\"", "next: \"d0\""),
            ("trust_at_least(33)", "trust_at_least(-500)"),
            ("\"questioning\"", "\"mind_reading\""),
            ("weight: 2", "weight: 99999"),
            ("set: [\"f\"], ", ""),
            ("(id: \"d1\"", "(id: \"d0\""),
            ("subtype: \"price_value\"", "subtype: \"need_real\""),
            ("days: 7", "days: 0"),
        ];
        let (from, to) = MUTATIONS[which];
        let Some((at, _)) = spec.match_indices(from).nth(nth % spec.matches(from).count().max(1)) else {
            return Ok(());
        };
        let mut text = spec.clone();
        text.replace_range(at..at + from.len(), to);
        let parsed = rapport::load::parse_ron::<rapport::scenario::ScenarioFile>(&text, "mutated.ron");
        prop_assert!(parsed.is_ok(), "the mutation must stay well-formed: {:?}", parsed.err());
        match load_scenario(&text, "mutated.ron", Model::builtin()) {
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                for p in problems {
                    prop_assert!(p.location.line >= 1 && p.location.column >= 1);
                }
            }
            Ok(scn) => {
                // Some mutations leave a valid scenario (e.g. a weight change): it must play.
                let scn = Arc::new(scn);
                let mut s = Session::new(scn.clone(), seed);
                while let Prompt::Choices(list) = s.prompt() {
                    s.choose((seed as usize) % list.len()).expect("offered");
                }
                let _ = analyze(&scn);
            }
        }
    }

    #[test]
    fn the_loader_never_panics_on_mutated_scenarios(cut in 0usize..4000, len in 0usize..40, insert in "[(){}\\[\\],:\"a-z0-9 ]{0,6}") {
        let mut text = TEMPLATE.to_string();
        let start = cut.min(text.len());
        let start = (0..=start).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let end = (start + len).min(text.len());
        let end = (end..=text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
        text.replace_range(start..end, &insert);
        if let Err(problems) = load_scenario(&text, "mutated.ron", Model::builtin()) {
            prop_assert!(!problems.is_empty());
            for p in problems {
                prop_assert!(p.location.line >= 1 && p.location.column >= 1);
            }
        }
    }

    #[test]
    fn analysis_agrees_with_brute_force(spec in small_scenario()) {
        let scn = load(&spec);
        let a = analyze(&scn);
        let mut best = 0;
        let mut worst = u32::MAX;
        let mut dist: BTreeMap<u32, f64> = BTreeMap::new();
        for &p in &scn.personalities {
            let mut state = PlayState::new(&scn, p);
            let stop = arrive(&scn, &mut state, scn.start_node, &mut None);
            let (b, w, d) = brute(&scn, stop, state);
            best = best.max(b);
            worst = worst.min(w);
            for (s, q) in d {
                *dist.entry(s).or_default() += q / scn.personalities.len() as f64;
            }
        }
        prop_assert_eq!(a.overall.best, best);
        prop_assert_eq!(a.overall.worst, worst);
        let analysed: BTreeMap<u32, f64> = a.overall.distribution.iter().copied().collect();
        prop_assert_eq!(analysed.keys().collect::<Vec<_>>(), dist.keys().collect::<Vec<_>>());
        for (s, q) in &dist {
            prop_assert!((analysed[s] - q).abs() < 1e-9, "score {} has {} against {}", s, analysed[s], q);
        }
        // What the debrief shows after each choice: the best score brute force finds there.
        let mut analyzer = Analyzer::new(&scn);
        for &p in &scn.personalities {
            let mut state = PlayState::new(&scn, p);
            let Stop::Decision(node) = arrive(&scn, &mut state, scn.start_node, &mut None) else {
                continue;
            };
            let id = analyzer.position_at(node, state).expect("a small scenario fits the budget");
            for (choice, after) in analyzer.choice_values(id) {
                let mut s = state;
                let next = apply_choice(&scn, &mut s, node, choice, &mut None);
                let stop = arrive(&scn, &mut s, next, &mut None);
                prop_assert_eq!(after, brute(&scn, stop, s).0);
            }
        }
    }
}

/// Every path, no memo: best, worst and the random-play distribution.
fn brute(scn: &Scenario, stop: Stop, state: PlayState) -> (u32, u32, BTreeMap<u32, f64>) {
    let mut children: Vec<(f64, Stop, PlayState)> = Vec::new();
    match stop {
        Stop::End(node) => {
            let outcome = match &scn.nodes[node].then {
                Then::End(e) => e.outcome,
                _ => Outcome::Stalled,
            };
            let s = total(scn, &state, outcome);
            return (s, s, BTreeMap::from([(s, 1.0)]));
        }
        Stop::Decision(node) => {
            let visible = visible_choices(scn, &state, node);
            for &i in &visible {
                let mut s = state;
                let next = apply_choice(scn, &mut s, node, i, &mut None);
                let stop = arrive(scn, &mut s, next, &mut None);
                children.push((1.0 / visible.len() as f64, stop, s));
            }
        }
        Stop::Chance(node) => {
            if let Then::Chance(branches) = &scn.nodes[node].then {
                let total_weight: u32 = branches.iter().map(|b| b.weight).sum();
                for (i, b) in branches.iter().enumerate().filter(|(_, b)| b.weight > 0) {
                    let mut s = state;
                    let next = draw(scn, &mut s, node, i);
                    let stop = arrive(scn, &mut s, next, &mut None);
                    children.push((b.weight as f64 / total_weight as f64, stop, s));
                }
            }
        }
    }
    let mut best = 0;
    let mut worst = u32::MAX;
    let mut dist = BTreeMap::new();
    for (p, stop, s) in children {
        let (b, w, d) = brute(scn, stop, s);
        best = best.max(b);
        worst = worst.min(w);
        for (score, q) in d {
            *dist.entry(score).or_default() += p * q;
        }
    }
    (best, worst, dist)
}

const TECHNIQUES: [&str; 8] = [
    "questioning",
    "give_data",
    "pressure",
    "expert_solution",
    "show_warmth",
    "be_brief",
    "third_party_proof",
    "exaggerate",
];

/// A small random scenario: a forward-only graph of 3–6 decisions, a chance node that sets
/// a flag, a later contact, an objection, flags and conditions, and three endings.
fn small_scenario() -> impl Strategy<Value = String> {
    (3usize..7, prop::collection::vec((0usize..8, 0usize..8, 0usize..3, any::<bool>()), 18), 1u32..5).prop_map(|(n, picks, weight)| {
        let mut nodes = String::new();
        for i in 0..n {
            let raises = if i == 0 { "raises: [\"o\"], " } else { "" };
            let mut choices = String::new();
            for k in 0..3 {
                let (t1, t2, jump, flag) = picks[(i * 3 + k) % picks.len()];
                // Choice 1 always moves to the next node, so every node is reachable.
                let next = match (i, k) {
                    (1, 0) => "luck".to_string(),
                    (_, 1) if i + 1 < n => format!("d{}", i + 1),
                    (_, 1) => "close".to_string(),
                    _ if i + 1 + jump < n => format!("d{}", i + 1 + jump),
                    _ => ["deal", "stall", "lost"][jump].to_string(),
                };
                let handle = match (i, k) {
                    (_, 0) => "objections: [resolve(\"o\")], ",
                    (_, 1) => "objections: [defer(\"o\")], ",
                    _ => "",
                };
                // The first node's second choice always sets the flag the conditions test;
                // others set or clear a second flag read further on.
                let set = match (flag, jump) {
                    _ if i == 0 && k == 1 => "set: [\"f\"], ",
                    (true, 0) => "set: [\"f\", \"g\"], ",
                    (true, _) => "set: [\"f\"], clear: [\"g\"], ",
                    (false, 1) => "set: [\"g\"], ",
                    _ => "",
                };
                let when = match (k, i % 3) {
                    (2, _) if i == 0 => "",
                    (2, 0) => "when: flag(\"f\"), ",
                    (2, 1) => "when: any([trust_at_least(33), not_flag(\"g\")]), ",
                    (2, _) => "when: trust_below(45), ",
                    _ => "",
                };
                let mistake = if TECHNIQUES[t1] == "pressure" { "mistake: true, " } else { "" };
                choices.push_str(&format!(
                    "(say: \"c{i}{k}\", techniques: [\"{}\", \"{}\"], {handle}{set}{when}{mistake}milestones: [\"common_ground\"], feedback: \"f\", next: \"{next}\"),",
                    TECHNIQUES[t1], TECHNIQUES[t2]
                ));
            }
            nodes.push_str(&format!("(id: \"d{i}\", say: \"line {i}\", {raises}then: choices([{choices}])),\n"));
        }
        nodes.push_str(&format!(
            "(id: \"luck\", then: chance([(weight: {weight}, set: [\"g\"], next: \"visit\"), (weight: 2, next: \"stall\")])),\n(id: \"visit\", then: later(days: 7, next: \"close\")),\n"
        ));
        nodes.push_str("(id: \"close\", then: branch(cases: [(when: trust_at_least(40), next: \"deal\")], otherwise: \"lost\")),\n");
        for (id, outcome) in [("deal", "deal"), ("stall", "stalled"), ("lost", "lost_relationship")] {
            nodes.push_str(&format!("(id: \"{id}\", then: end(outcome: {outcome}, title: \"{id}\", debrief: \"d\")),\n"));
        }
        format!(
            "(id: \"gen\", title: \"g\", locale: \"en\", summary: \"s\", categories: [price], difficulty: 1, minutes: 1,
              customer: (name: \"n\", role: \"r\", company: \"c\", brief: \"b\", personality: drawn([analytical, amiable])),
              start: (trust: 30, node: \"d0\"),
              objections: [(id: \"o\", category: price, subtype: \"price_value\", summary: \"s\", central: true, timing: [later])],
              nodes: [{nodes}])"
        )
    })
}

/// `rapport simulate`'s random play and the exact distribution `analyze` computes agree within
/// sampling error: each score's observed share is within four standard errors of its
/// probability.
#[test]
fn simulated_random_play_matches_the_exact_distribution() {
    let scn = load(SHORT_SALE);
    let exact = analyze(&scn).overall.distribution;
    let runs = 20_000u32;
    let sim = rapport::analysis::simulate(&scn, runs, 1, rapport::cues::Policy::Random);
    let observed: BTreeMap<u32, u32> = sim.histogram().into_iter().collect();
    for (score, p) in &exact {
        let seen = observed.get(score).copied().unwrap_or(0) as f64 / runs as f64;
        let se = (p * (1.0 - p) / runs as f64).sqrt();
        assert!(
            (seen - p).abs() <= 4.0 * se + 1e-9,
            "score {score}: simulated {seen:.4}, exact {p:.4}"
        );
    }
    for score in observed.keys() {
        assert!(
            exact.iter().any(|(s, _)| s == score),
            "simulation scored {score}, which the analysis says is impossible"
        );
    }
}
