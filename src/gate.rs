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

/// What every scenario the gate checks, a library scenario or an account's step, must meet:
/// every node and ending reachable, best play without mistakes, no surface cue that wins.
/// `Err` when the scenario is too large to analyse exactly, so nothing can be checked.
fn basic_problems(a: &Analysis, cues: &CueFigures) -> Result<Vec<String>, String> {
    if let Some(e) = &a.estimate {
        return Err(format!(
            "too large to analyse exactly, so nothing here can be checked: {}",
            e.why
        ));
    }
    let mut failures = Vec::new();
    if !a.unreached_nodes.is_empty() {
        failures.push(format!("nodes no play reaches: {:?}", a.unreached_nodes));
    }
    for e in a.endings.iter().filter(|e| !e.reachable) {
        failures.push(format!("ending `{}` is unreachable", e.node));
    }
    if !a.best_avoids_mistakes {
        failures.push("the best score needs a choice marked as a mistake".into());
    }
    for (policy, mean) in cues.winning_cues() {
        failures.push(format!(
            "always picking the {} line scores {mean:.1} on average, more than {} above the random median {}",
            policy.name(),
            crate::cues::LONGEST_OVER_RANDOM_MEDIAN,
            cues.random_median
        ));
    }
    Ok(failures)
}

/// Every way `scn` falls short of the gate, given its analysis and surface-cue figures.
pub fn problems(scn: &Scenario, a: &Analysis, cues: &CueFigures) -> Vec<String> {
    let mut failures = match basic_problems(a, cues) {
        Ok(f) => f,
        Err(why) => return vec![why],
    };
    let mut fail = |why: String| failures.push(why);
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
    failures
}

// ---------------------------------------------------------------------------------------
// Accounts

use crate::account::{Account, AccountRun};
use crate::vocabulary::Stage;
use std::collections::HashMap;
use std::sync::Arc;

/// The seeds an account is gated on: each decides which interludes come, so several cover them.
pub const ACCOUNT_GATE_SEEDS: [u64; 6] = [1, 2, 3, 4, 5, 6];
/// Neglect must end at least this many points below best play.
pub const NEGLECT_MARGIN: u32 = 5;
/// A visit's best line needs at least this many decisions (an interlude's one).
pub const MIN_DECISIONS_PER_VISIT: usize = 3;
/// Best play over a visit must stand this far above random play.
pub const MIN_VISIT_DISCRIMINATION: i64 = 15;

/// What exhaustive play of an account found for one seed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AccountFigures {
    pub seed: u64,
    /// Distinct ways through the account (after merging equal states).
    pub runs: usize,
    pub best: u32,
    /// Best play's choices, step by step, and the steps' ids.
    pub best_steps: Vec<Vec<usize>>,
    pub best_ids: Vec<String>,
    /// The best score of any run that let a gap cool the customer, or broke a promise.
    pub best_with_long_gap: Option<u32>,
    pub best_with_broken_promise: Option<u32>,
    /// The visit (counted from 1) where best play first reached trust in the organisation,
    /// and how many visits best play has.
    pub organisational_at_visit: Option<usize>,
    pub best_visits: usize,
    pub visits_reached: BTreeSet<String>,
    pub interludes_reached: BTreeSet<String>,
}

#[derive(Clone)]
struct Partial {
    run: AccountRun,
    sum: u32,
    long_gap: bool,
    broken: bool,
}

/// `explore_account` for each of the gate's seeds, the seeds in parallel.
pub fn explore_account_seeds(account: &Arc<Account>) -> Vec<AccountFigures> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = ACCOUNT_GATE_SEEDS
            .iter()
            .map(|&seed| scope.spawn(move || explore_account(account, seed)))
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    })
}

/// Plays every line of every step of `account` with `seed` (merging runs in the same state,
/// keeping the better), and measures best play and neglect.
pub fn explore_account(account: &Arc<Account>, seed: u64) -> AccountFigures {
    let mut frontier = vec![Partial {
        run: AccountRun::new(account.clone(), seed),
        sum: 0,
        long_gap: false,
        broken: false,
    }];
    let mut finished: Vec<Partial> = Vec::new();
    let mut visits_reached = BTreeSet::new();
    let mut interludes_reached = BTreeSet::new();
    let mut runs = 0;
    for _ in 0..=crate::account::MAX_STEPS {
        if frontier.is_empty() {
            break;
        }
        type StateKey = (
            crate::account::Carried,
            crate::account::Upcoming,
            usize,
            bool,
            bool,
        );
        let mut next: HashMap<StateKey, Partial> = HashMap::new();
        // Runs that reach a step in the same state play it the same way: its endings are
        // worked out once per distinct start.
        let mut endings: HashMap<String, Arc<Vec<crate::engine::Session>>> = HashMap::new();
        for p in frontier {
            let Some(start) = p.run.start_step() else {
                finished.push(p);
                continue;
            };
            let scn = start.scenario();
            let start_key = format!(
                "{}|{}|{}|{:?}|{}|{:?}|{}|{}",
                scn.id(),
                start.seed(),
                scn.start_trust,
                scn.start_stage,
                scn.start_milestones,
                scn.start_objections,
                scn.start_promises_due,
                scn.highest_stage as u8
            );
            let ends = endings
                .entry(start_key)
                .or_insert_with(|| Arc::new(every_ending(start)))
                .clone();
            for session in ends.iter() {
                let mut run = p.run.clone();
                if run.finish_step(session).is_err() {
                    continue;
                }
                let Some(step) = run.steps().last() else {
                    continue;
                };
                if step.interlude {
                    interludes_reached.insert(step.id.clone());
                } else {
                    visits_reached.insert(step.id.clone());
                }
                let child = Partial {
                    sum: p.sum + step.score,
                    long_gap: p.long_gap || step.cooled > 0,
                    broken: p.broken || !step.promises_broken.is_empty(),
                    run,
                };
                // Runs in the same state with as many steps have the same futures; the one
                // with more points so far stays ahead of the other to the end.
                let key = (
                    child.run.carried().clone(),
                    child.run.upcoming().clone(),
                    child.run.steps().len(),
                    child.long_gap,
                    child.broken,
                );
                match next.get(&key) {
                    Some(old) if old.sum >= child.sum => {}
                    _ => {
                        next.insert(key, child);
                    }
                }
            }
        }
        frontier = next.into_values().collect();
        runs += frontier.len();
    }
    let score = |p: &Partial| p.run.score();
    let best = finished
        .iter()
        .max_by_key(|p| (score(p), std::cmp::Reverse(p.run.steps().len())));
    let best_of = |f: &dyn Fn(&Partial) -> bool| finished.iter().filter(|p| f(p)).map(score).max();
    let (best_score, best_steps, best_ids, organisational_at_visit, best_visits) = match best {
        Some(p) => {
            let steps = p.run.steps();
            let mut visit = 0;
            let mut at = None;
            for s in steps {
                if !s.interlude {
                    visit += 1;
                }
                if at.is_none() && s.stage_end == Stage::OrganisationalTrust {
                    at = Some(visit);
                }
            }
            (
                score(p),
                p.run.choices(),
                steps.iter().map(|s| s.id.clone()).collect(),
                at,
                visit,
            )
        }
        None => (0, Vec::new(), Vec::new(), None, 0),
    };
    AccountFigures {
        seed,
        runs: runs + finished.len(),
        best: best_score,
        best_steps,
        best_ids,
        best_with_long_gap: best_of(&|p| p.long_gap),
        best_with_broken_promise: best_of(&|p| p.broken),
        organisational_at_visit,
        best_visits,
        visits_reached,
        interludes_reached,
    }
}

/// The finished sessions reachable from `start` by the trainee's choices (chance is fixed by
/// the session's seed), one for each distinct ending node and state: the rest of the account
/// depends on nothing else, so sessions that end alike are kept once.
fn every_ending(start: crate::engine::Session) -> Vec<crate::engine::Session> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![start];
    while let Some(session) = todo.pop() {
        if session.is_ended() {
            if seen.insert((session.node(), *session.state())) {
                out.push(session);
            }
            continue;
        }
        let count = match session.prompt() {
            crate::engine::Prompt::Choices(list) => list.len(),
            crate::engine::Prompt::Diagnose { .. } => crate::vocabulary::Personality::ALL.len(),
            crate::engine::Prompt::Ended => 0,
        };
        for i in 0..count {
            let mut next = session.clone();
            if next.choose(i).is_ok() {
                todo.push(next);
            }
        }
    }
    out
}

/// What the per-visit part of the account gate finds wrong with one visit or interlude (as
/// its file plays alone): reachability, mistakes in best play, discrimination, surface cues.
pub fn step_problems(
    scn: &Scenario,
    a: &Analysis,
    cues: &CueFigures,
    interlude: bool,
) -> Vec<String> {
    let mut failures = match basic_problems(a, cues) {
        Ok(f) => f,
        Err(why) => return vec![why],
    };
    let min_decisions = if interlude {
        1
    } else {
        MIN_DECISIONS_PER_VISIT
    };
    for p in &a.personalities {
        let decisions = p
            .best_path
            .iter()
            .filter(|s| matches!(s, PathStep::Chose { .. }))
            .count();
        if decisions < min_decisions {
            failures.push(format!(
                "only {decisions} decisions on the best line (at least {min_decisions})"
            ));
        }
        if !interlude && p.summary.discrimination < MIN_VISIT_DISCRIMINATION {
            failures.push(format!(
                "best {} is only {} above the random median (at least {MIN_VISIT_DISCRIMINATION})",
                p.summary.best, p.summary.discrimination
            ));
        }
    }
    if !interlude
        && !scn
            .nodes
            .iter()
            .any(|n| matches!(&n.then, Then::Choices(l) if l.iter().any(|c| c.mistake)))
    {
        failures.push("no choice is marked as a mistake".into());
    }
    failures
}

/// Every way an account falls short of the gate, given its exploration over the gate's seeds.
pub fn account_problems(account: &Account, figures: &[AccountFigures]) -> Vec<String> {
    let mut failures = Vec::new();
    let visits = account.visits.len();
    if !(3..=5).contains(&visits) {
        failures.push(format!("{visits} visits; an account has 3 to 5"));
    }
    if account.interludes.is_empty() {
        failures.push("no interludes: an account needs upkeep between visits".into());
    }
    let reached: BTreeSet<&String> = figures.iter().flat_map(|f| &f.visits_reached).collect();
    for v in &account.visits {
        if !reached.contains(&v.id) {
            failures.push(format!("visit `{}` is reached by no play", v.id));
        }
    }
    let played: BTreeSet<&String> = figures.iter().flat_map(|f| &f.interludes_reached).collect();
    for i in &account.interludes {
        if !played.contains(&i.id) {
            failures.push(format!(
                "interlude `{}` comes in no play over seeds {:?}",
                i.id, ACCOUNT_GATE_SEEDS
            ));
        }
    }
    if account.highest_stage != Stage::OrganisationalTrust {
        failures.push(format!(
            "no visit can unlock trust in the organisation (the highest stage is {})",
            account.highest_stage
        ));
    }
    for f in figures {
        let s = f.seed;
        match f.organisational_at_visit {
            None => failures.push(format!(
                "seed {s}: best play ({}) never reaches trust in the organisation",
                f.best
            )),
            Some(at) if at + 1 < f.best_visits => failures.push(format!(
                "seed {s}: best play reaches trust in the organisation at visit {at} of {}; only the last two visits may",
                f.best_visits
            )),
            _ => {}
        }
        match f.best_with_long_gap {
            None => failures.push(format!(
                "seed {s}: no play lets a gap cool the customer; offer a line that leads to a long gap"
            )),
            Some(n) if n + NEGLECT_MARGIN > f.best => failures.push(format!(
                "seed {s}: play with a long gap scores {n}, not {NEGLECT_MARGIN} below best play's {}",
                f.best
            )),
            _ => {}
        }
        match f.best_with_broken_promise {
            None => failures.push(format!(
                "seed {s}: no play breaks a promise; offer one that can be made and not kept"
            )),
            Some(n) if n + NEGLECT_MARGIN > f.best => failures.push(format!(
                "seed {s}: play that breaks a promise scores {n}, not {NEGLECT_MARGIN} below best play's {}",
                f.best
            )),
            _ => {}
        }
    }
    failures
}
