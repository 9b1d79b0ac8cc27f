//! The engine's and the scoring's rules, one behaviour per test, on the short-sale fixture.

use rapport::catalog::Catalog;
use rapport::engine::{Event, ObjectionStatus, Prompt, Session};
use rapport::scoring::report;
use rapport::vocabulary::{Outcome, Personality, Stage, Timing};
use std::path::Path;
use std::sync::Arc;

fn short_sale() -> Arc<rapport::Scenario> {
    Arc::new(
        Catalog::default()
            .load(Path::new("tests/fixtures/good/short-sale.ron"))
            .expect("fixture loads"),
    )
}

fn play(p: Personality, seed: u64, choices: &[usize]) -> Session {
    let mut s = Session::with_personality(short_sale(), seed, p);
    for &c in choices {
        s.choose(c - 1).expect("choice offered");
    }
    s
}

#[test]
fn same_seed_and_choices_give_identical_events() {
    let a = rapport::recording::replay(short_sale(), 42, None, &[1, 1, 1]).expect("replays");
    let b = rapport::recording::replay(short_sale(), 42, None, &[1, 1, 1]).expect("replays");
    assert_eq!(a.events(), b.events());
}

#[test]
fn a_drawn_personality_depends_only_on_the_seed() {
    let drawn: Vec<Personality> = (0..20)
        .map(|seed| Session::new(short_sale(), seed).personality())
        .collect();
    assert!(drawn.contains(&Personality::Analytical) && drawn.contains(&Personality::Dominant));
    let again: Vec<Personality> = (0..20)
        .map(|seed| Session::new(short_sale(), seed).personality())
        .collect();
    assert_eq!(drawn, again);
}

#[test]
fn the_same_choice_moves_trust_differently_per_personality() {
    let analytical = play(Personality::Analytical, 1, &[1]);
    let dominant = play(Personality::Dominant, 1, &[1]);
    // questioning + give_data: analytical +2+4 on top of base, dominant loses on questioning.
    assert!(analytical.state().trust > dominant.state().trust);
    let reasons = analytical.events().iter().find_map(|e| match e {
        Event::TrustChanged { reasons, .. } => Some(reasons.clone()),
        _ => None,
    });
    let reasons = reasons.expect("trust changed");
    assert!(
        reasons
            .iter()
            .any(|r| r.source == "give_data" && r.why.contains("analytical")),
        "{reasons:?}"
    );
}

#[test]
fn deferring_then_resolving_counts_as_answering_later() {
    let s = play(Personality::Analytical, 1, &[1, 1, 4]);
    let price = s.state().objections[0];
    assert_eq!(price.status, ObjectionStatus::Resolved);
    assert_eq!(price.timing, Some(Timing::Later));
    let later = s.state().objections[1];
    assert_eq!(later.status, ObjectionStatus::Dismissed);
    assert_eq!(later.timing, Some(Timing::Ignore));
}

#[test]
fn a_conditional_choice_appears_only_when_its_flag_is_set() {
    let with_flag = play(Personality::Analytical, 1, &[1]);
    let Prompt::Choices(list) = with_flag.prompt() else {
        panic!("expected choices")
    };
    assert_eq!(list.len(), 3);
    // The same decision reached without asking first: the flagged choice is hidden.
    let without_flag = play(Personality::Analytical, 1, &[4]);
    assert_eq!(
        without_flag.scenario().nodes[without_flag.node()].id,
        "calc",
        "the same decision"
    );
    let Prompt::Choices(list) = without_flag.prompt() else {
        panic!("expected choices")
    };
    assert_eq!(list.len(), 2);
    assert!(list.iter().all(|(_, text)| !text.contains("come back")));
}

#[test]
fn a_correct_diagnosis_earns_the_diagnosis_points() {
    let right = report(&play(Personality::Analytical, 1, &[1, 1, 4])).expect("ended");
    let wrong = report(&play(Personality::Analytical, 1, &[1, 1, 1])).expect("ended");
    let points = |r: &rapport::scoring::Report| {
        r.score
            .rules
            .iter()
            .find(|l| l.rule == "diagnosis")
            .map(|l| l.points)
    };
    assert_eq!(points(&right), Some(10));
    assert_eq!(points(&wrong), Some(0));
    assert_eq!(right.diagnosis, Some((Personality::Analytical, true)));
}

#[test]
fn mistakes_cost_points_and_best_play_deals() {
    let best = report(&play(Personality::Analytical, 1, &[1, 1, 4])).expect("ended");
    assert_eq!(best.outcome, Outcome::Deal);
    let discount = report(&play(Personality::Analytical, 1, &[2])).expect("ended");
    assert_eq!(discount.outcome, Outcome::Stalled);
    assert!(
        discount
            .score
            .rules
            .iter()
            .any(|l| l.rule == "mistakes" && l.points < 0)
    );
    assert!(best.score.total > discount.score.total + 30);
    let total: i32 = best.score.rules.iter().map(|l| l.points).sum();
    assert_eq!(
        total.clamp(0, 100) as u32,
        best.score.total,
        "the rules add up to the total"
    );
}

#[test]
fn promising_to_return_is_not_meeting_again() {
    // Data + third-party proof: trust is high enough for "familiar", but no milestone of it.
    let s = play(Personality::Analytical, 1, &[1, 1, 4]);
    assert!(s.state().trust >= 35, "trust {}", s.state().trust);
    assert_eq!(s.state().stage, Stage::Stranger);
    assert_eq!(s.state().contact, 1);
}

#[test]
fn a_later_contact_is_the_second_contact_and_lets_the_stage_climb() {
    // Asking first, then "shall I come back next week?" and the week passes.
    let s = play(Personality::Analytical, 1, &[1, 3, 4]);
    assert_eq!(s.state().contact, 2);
    assert!(s.events().iter().any(|e| matches!(
        e,
        Event::ContactBegan {
            contact: 2,
            days: 7,
            ..
        }
    )));
    assert!(s.events().iter().any(|e| matches!(
        e,
        Event::MilestoneReached { milestone } if milestone == "second_contact"
    )));
    assert_eq!(s.state().stage, Stage::Familiar);
}

#[test]
fn choosing_after_the_end_is_refused() {
    let mut s = play(Personality::Analytical, 1, &[3]);
    assert!(s.is_ended());
    assert!(s.choose(0).is_err());
    let mut fresh = Session::with_personality(short_sale(), 1, Personality::Analytical);
    assert!(fresh.choose(7).is_err(), "out of range");
}

#[test]
fn pressure_on_an_amiable_customer_is_a_breach() {
    let scn = Arc::new(
        Catalog::default()
            .load(Path::new("scenarios/_template.ron"))
            .expect("template loads"),
    );
    let mut s = Session::new(scn, 1);
    let start_stage = s.state().stage;
    s.choose(1).expect("offered");
    assert!(s.events().iter().any(|e| matches!(e, Event::Breach { .. })));
    assert!(s.state().stage < start_stage);
}

#[test]
fn generated_scenarios_validate_and_analyse() {
    for n in [10, 40] {
        let text = rapport::generate::generated_scenario(n, 7);
        let scn = rapport::compile::load_scenario(
            &text,
            "generated.ron",
            rapport::model::Model::builtin(),
        )
        .unwrap_or_else(|p| panic!("{n} nodes: {p:?}"));
        assert_eq!(scn.nodes.len(), n);
        let a = rapport::analysis::analyze(&scn);
        assert!(
            a.overall.best > a.overall.median,
            "{n} nodes: the generated scenario discriminates"
        );
    }
}

/// What each line of play through the two-contacts fixture leaves: contacts met, the stage,
/// and the relationship points (out of 15).
#[test]
fn the_stage_climbs_at_most_one_rung_per_contact() {
    let scn = Arc::new(
        Catalog::default()
            .load(Path::new("tests/fixtures/good/two-contacts.ron"))
            .expect("fixture loads"),
    );
    let relationship = |s: &Session| {
        report(s)
            .expect("ended")
            .score
            .rules
            .iter()
            .find(|r| r.rule == "relationship_progress")
            .map(|r| r.points)
            .expect("the relationship rule is printed")
    };
    // (choices, stage after the first choice, contacts, final stage, relationship points)
    let cases: &[(&[usize], Stage, u8, Stage, i32)] = &[
        // Trust 30 + 25 + techniques, common ground and a solved problem: two rungs' worth,
        // but the first contact allows one; the second contact allows the next.
        (&[1, 1], Stage::Familiar, 2, Stage::PersonalTrust, 15),
        // The second contact lifts it to trust in the person, then pressure on an amiable
        // customer is a breach and drops it back: one of two possible rungs.
        (&[1, 2], Stage::Familiar, 2, Stage::Familiar, 8),
        // Withdrawing at once: one contact, no climb.
        (&[2], Stage::Stranger, 1, Stage::Stranger, 0),
    ];
    for (choices, after_first, contacts, stage, points) in cases {
        let mut s = Session::new(scn.clone(), 1);
        s.choose(choices[0] - 1).expect("offered");
        let first_contact_stage = s
            .events()
            .iter()
            .filter_map(|e| match e {
                Event::StageChanged { to, .. } => Some(*to),
                _ => None,
            })
            .next()
            .unwrap_or(Stage::Stranger);
        assert_eq!(first_contact_stage, *after_first, "{choices:?}");
        for &c in &choices[1..] {
            s.choose(c - 1).expect("offered");
        }
        assert_eq!(s.state().contact, *contacts, "{choices:?}");
        assert_eq!(s.state().stage, *stage, "{choices:?}");
        assert_eq!(relationship(&s), *points, "{choices:?}");
    }
}

#[test]
fn a_scenario_beyond_the_budget_is_estimated_and_labelled_as_such() {
    let text = rapport::generate::flag_scenario(12);
    let scn = rapport::compile::load_scenario(&text, "flags.ron", rapport::model::Model::builtin())
        .expect("the flag scenario is valid");
    let exact = rapport::analysis::analyze_within(&scn, usize::MAX);
    assert!(exact.is_exact());
    let estimate = rapport::analysis::analyze_within(&scn, 1_000);
    let e = estimate
        .estimate
        .as_ref()
        .expect("over budget: an estimate");
    assert!(e.samples >= rapport::analysis::ESTIMATE_MIN_SAMPLES);
    assert!(e.why.contains("flags"), "{}", e.why);
    // Bounds: the best line found is no better than the true best, the worst no worse.
    assert!(estimate.overall.best <= exact.overall.best);
    assert!(estimate.overall.worst >= exact.overall.worst);
    assert!((estimate.overall.mean - exact.overall.mean).abs() <= 4.0 * e.mean_margin + 0.5);
    assert!(
        estimate.decisions.is_empty(),
        "nothing per decision is claimed"
    );
}

#[test]
fn a_model_value_out_of_range_is_reported_at_its_place() {
    let text = rapport::model::BUILTIN_MODEL_RON.replacen(
        "id: \"give_data\", kind: style, base: 1,",
        "id: \"give_data\", kind: style, base: 1000,",
        1,
    );
    assert_ne!(text, rapport::model::BUILTIN_MODEL_RON, "the edit applies");
    let problems = rapport::model::Model::parse(&text, "_model.ron").expect_err("out of range");
    let p = problems
        .iter()
        .find(|p| p.message.contains("give_data"))
        .expect("the technique is named");
    assert!(p.message.contains("1000"), "{}", p.message);
    let line = text
        .lines()
        .position(|l| l.contains("id: \"give_data\""))
        .expect("written")
        + 1;
    assert_eq!(p.location.line, line);
}

#[test]
fn the_benchmark_generators_write_valid_scenarios() {
    for text in [
        rapport::generate::flag_scenario(64),
        rapport::generate::wide_scenario(20, 12),
        rapport::generate::generated_scenario(300, 3),
    ] {
        rapport::compile::load_scenario(&text, "generated.ron", rapport::model::Model::builtin())
            .unwrap_or_else(|p| panic!("{p:?}"));
    }
}
