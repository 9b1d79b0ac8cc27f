//! The quality gate a shipped scenario must pass: one definition for the tests, for
//! `rapport gate` and for the library table.

use crate::analysis::{Analysis, PathStep};
use crate::compile::{Scenario, Then};
use crate::cues::CueFigures;
use crate::vocabulary::Outcome;
use std::collections::BTreeSet;

/// Below this, best play does not stand far enough above random play to teach anything.
pub const MIN_DISCRIMINATION: i64 = 30;
/// Best play must take at least this many decisions.
pub const MIN_DECISIONS_ON_BEST_PATH: usize = 6;

/// Every way `scn` falls short of the gate, given its analysis and surface-cue figures.
pub fn problems(scn: &Scenario, a: &Analysis, cues: &CueFigures) -> Vec<String> {
    let mut failures = Vec::new();
    let mut fail = |why: String| failures.push(why);
    if let Some(e) = &a.estimate {
        fail(format!(
            "too large to analyse exactly, so nothing here can be checked: {}",
            e.why
        ));
        return failures;
    }
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
        if p.summary.discrimination < MIN_DISCRIMINATION {
            fail(format!(
                "[{}] best {} is only {} above the random median (at least {MIN_DISCRIMINATION})",
                p.personality, p.summary.best, p.summary.discrimination
            ));
        }
        let decisions = p
            .best_path
            .iter()
            .filter(|s| matches!(s, PathStep::Chose { .. }))
            .count();
        if decisions < MIN_DECISIONS_ON_BEST_PATH {
            fail(format!(
                "[{}] only {decisions} decisions on the best path (at least {MIN_DECISIONS_ON_BEST_PATH})",
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
            "endings of only {} outcome classes (at least 3)",
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
    for (policy, mean) in cues.winning_cues() {
        fail(format!(
            "always picking the {} line scores {mean:.1} on average, more than {} above the random median {}",
            policy.name(),
            crate::cues::LONGEST_OVER_RANDOM_MEDIAN,
            cues.random_median
        ));
    }
    failures
}
