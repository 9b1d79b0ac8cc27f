//! Accounts: one customer followed over several visits, with what carries over between them.
//!
//! An account file names its visits (each an ordinary scenario of that customer) and the rules
//! for which visit comes next. Between visits trust cools (the model's `cooling`), the seeded
//! generator may bring an upkeep interlude, and what was promised falls due. A visit is played
//! by the engine as a scenario whose start is the account's state so far
//! ([`AccountRun::next_scenario`]), so the engine, the scoring and the analysis need nothing
//! account-specific. Like the engine, this module never reads files: `catalog` loads accounts.

use crate::compile::{Scenario, check_relative_path};
use crate::engine::{Event, ObjectionStatus, PlayState, Session};
use crate::load::{Location, Problem, location_of_offset, parse_ron, strip_bom};
use crate::model::Model;
use crate::scoring::{RuleLine, ScoreCard};
use crate::text::{T, fill, tr};
use crate::vocabulary::{Locale, Outcome, Personality, Stage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The longest gap between two visits an account may give.
pub const MAX_DAYS_BETWEEN_VISITS: u16 = 365;
pub const MAX_STEPS: usize = 32;

/// An account file as a trainer writes it (`*.account.ron`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountFile {
    pub id: String,
    pub title: String,
    pub locale: Locale,
    /// The same account in the other language, relative to this file.
    #[serde(default)]
    pub translation: Option<String>,
    #[serde(default)]
    pub author: String,
    pub summary: String,
    #[serde(default)]
    pub learning_goals: Vec<String>,
    /// The customer's name as the account list shows it.
    pub customer: String,
    /// Every visit and interlude is a scenario of a customer of this personality.
    pub personality: Personality,
    /// The first visit comes first; the others follow by their `next` rules.
    pub visits: Vec<VisitSpec>,
    #[serde(default)]
    pub interludes: Vec<InterludeSpec>,
    /// The chance, in percent, that an interlude comes between two visits (when one may).
    #[serde(default)]
    pub interlude_chance: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisitSpec {
    pub id: String,
    /// A short name for the visit, e.g. "The first call".
    pub title: String,
    /// The visit's scenario file, relative to the account file.
    pub scenario: String,
    /// Which visit comes next: the first rule whose condition holds at the end of this one.
    /// No rule that holds (or none at all) ends the account.
    #[serde(default)]
    pub next: Vec<NextSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextSpec {
    #[serde(default)]
    pub when: Option<AccountCondition>,
    pub visit: String,
    /// Days from the end of this visit to the next one.
    pub days: u16,
    /// Shown before the next visit, e.g. "Three weeks later, she calls you back."
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterludeSpec {
    pub id: String,
    pub kind: UpkeepKind,
    pub title: String,
    /// The interlude's scenario file (one or two decisions), relative to the account file.
    pub scenario: String,
    /// The visits after which it may come.
    pub after: Vec<String>,
}

/// What an upkeep interlude is about, as the material lists the occasions of 客情维护.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpkeepKind {
    Festival,
    Birthday,
    GoodNews,
    /// The material's 非良性意外: a death in the customer's family, an illness — a short call
    /// at once, no business.
    Misfortune,
    /// A delivery gone wrong, a stock-out (供货事故): owned at once.
    DeliveryProblem,
    CompetitorVisit,
}

impl UpkeepKind {
    pub fn name(self, locale: Locale) -> &'static str {
        tr(
            match self {
                UpkeepKind::Festival => T::UpkeepFestival,
                UpkeepKind::Birthday => T::UpkeepBirthday,
                UpkeepKind::GoodNews => T::UpkeepGoodNews,
                UpkeepKind::Misfortune => T::UpkeepMisfortune,
                UpkeepKind::DeliveryProblem => T::UpkeepDeliveryProblem,
                UpkeepKind::CompetitorVisit => T::UpkeepCompetitorVisit,
            },
            locale,
        )
    }
}

/// What a next-visit rule tests, at the end of the visit it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountCondition {
    Outcome(Outcome),
    StageAtLeast(Stage),
    TrustAtLeast(i32),
    TrustBelow(i32),
    /// A flag of the visit's scenario.
    Flag(String),
    NotFlag(String),
    Milestone(String),
    All(Vec<AccountCondition>),
    Any(Vec<AccountCondition>),
    Not(Box<AccountCondition>),
}

/// An account ready to play: every visit and interlude loaded and checked.
#[derive(Debug, Clone)]
pub struct Account {
    pub source: String,
    pub file: AccountFile,
    pub model: Arc<Model>,
    pub visits: Vec<Visit>,
    pub interludes: Vec<Interlude>,
    /// The highest stage any visit can unlock: the account's relationship points are
    /// measured against it.
    pub highest_stage: Stage,
}

#[derive(Debug, Clone)]
pub struct Visit {
    pub id: String,
    pub title: String,
    pub scenario: Arc<Scenario>,
    pub next: Vec<NextRule>,
}

#[derive(Debug, Clone)]
pub struct NextRule {
    pub when: Option<AccountCondition>,
    pub visit: usize,
    pub days: u16,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct Interlude {
    pub id: String,
    pub kind: UpkeepKind,
    pub title: String,
    pub scenario: Arc<Scenario>,
    pub after: Vec<usize>,
}

impl Account {
    pub fn id(&self) -> &str {
        &self.file.id
    }
    pub fn locale(&self) -> Locale {
        self.file.locale
    }
    /// The scenario files the account uses, as written (relative to the account file).
    pub fn scenario_paths(file: &AccountFile) -> Vec<String> {
        file.visits
            .iter()
            .map(|v| v.scenario.clone())
            .chain(file.interludes.iter().map(|i| i.scenario.clone()))
            .collect()
    }
}

/// Parses an account file's text (scenarios are resolved by [`compile`]).
pub fn parse(text: &str, source: &str) -> Result<AccountFile, Problem> {
    parse_ron(text, source)
}

/// Places problems in the account file: at the first place `needle` is written, or its start.
struct Placer<'a> {
    text: &'a str,
    source: &'a str,
    problems: Vec<Problem>,
}

impl Placer<'_> {
    fn at(&mut self, needle: &str, message: String) {
        let text = strip_bom(self.text);
        let location = text
            .find(needle)
            .map(|offset| location_of_offset(self.text, offset))
            .unwrap_or(Location { line: 1, column: 1 });
        self.problems.push(Problem {
            source: self.source.to_string(),
            location,
            message,
        });
    }
    /// At `inner` written after `outer` (e.g. a rule inside a given visit).
    fn within(&mut self, outer: &str, inner: &str, message: String) {
        let text = strip_bom(self.text);
        let start = text.find(outer).unwrap_or(0);
        let location = text[start..]
            .find(inner)
            .map(|o| location_of_offset(self.text, start + o))
            .unwrap_or_else(|| location_of_offset(self.text, start));
        self.problems.push(Problem {
            source: self.source.to_string(),
            location,
            message,
        });
    }
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

/// Checks an account against its scenarios and builds it; every problem at once.
/// `resolve` gives the scenario at a path as written in the file, or why it cannot be loaded.
pub fn compile(
    file: AccountFile,
    text: &str,
    source: &str,
    model: Arc<Model>,
    resolve: &mut dyn FnMut(&str) -> Result<Arc<Scenario>, String>,
) -> Result<Account, Vec<Problem>> {
    let mut p = Placer {
        text,
        source,
        problems: Vec::new(),
    };
    if file.id.trim().is_empty() {
        p.at("id", "the account has an empty id".into());
    }
    if file.visits.is_empty() {
        p.at("visits", "an account needs at least one visit".into());
    }
    if file.visits.len() + file.interludes.len() > MAX_STEPS {
        p.at(
            "visits",
            format!("at most {MAX_STEPS} visits and interludes are supported"),
        );
    }
    if file.interlude_chance > 100 {
        p.at(
            "interlude_chance",
            format!(
                "interlude_chance is {}; it is a percentage, 0 to 100",
                file.interlude_chance
            ),
        );
    }
    if !file.interludes.is_empty() && file.interlude_chance == 0 {
        p.at(
            "interlude_chance",
            "the account has interludes but interlude_chance is 0, so none can ever come".into(),
        );
    }
    let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, v) in file.visits.iter().enumerate() {
        if ids.insert(v.id.as_str(), i).is_some() {
            p.at(&quoted(&v.id), format!("visit id `{}` is used twice", v.id));
        }
    }
    let mut seen_interludes = BTreeSet::new();
    for it in &file.interludes {
        if ids.contains_key(it.id.as_str()) || !seen_interludes.insert(it.id.as_str()) {
            p.at(
                &quoted(&it.id),
                format!(
                    "interlude id `{}` is used twice (visits and interludes share ids)",
                    it.id
                ),
            );
        }
    }

    // Load every scenario and check it is this customer, in this language.
    let mut load = |p: &mut Placer,
                    what: &str,
                    path: &str,
                    may_diagnose: bool|
     -> Option<Arc<Scenario>> {
        if let Err(why) = check_relative_path(path) {
            p.at(&quoted(path), format!("{what}: {why}"));
            return None;
        }
        match resolve(path) {
            Ok(scn) => {
                if scn.locale() != file.locale {
                    p.at(
                        &quoted(path),
                        format!(
                            "{what}: `{path}` is in {}, the account in {}",
                            scn.locale().code(),
                            file.locale.code()
                        ),
                    );
                }
                if scn.personalities != [file.personality] {
                    p.at(
                        &quoted(path),
                        format!(
                            "{what}: `{path}` is a customer of personality {:?}; the account's customer is `{}` — every visit must be the same customer",
                            scn.personalities, file.personality
                        ),
                    );
                }
                if scn.has_diagnosis && !may_diagnose {
                    p.at(
                        &quoted(path),
                        format!("{what}: `{path}` asks for a diagnosis; an account's customer is known after the first visit, so only the first visit may ask"),
                    );
                }
                Some(scn)
            }
            Err(why) => {
                p.at(
                    &quoted(path),
                    format!("{what}: `{path}` cannot be loaded: {why}"),
                );
                None
            }
        }
    };
    let visit_scenarios: Vec<Option<Arc<Scenario>>> = file
        .visits
        .iter()
        .enumerate()
        .map(|(i, v)| load(&mut p, &format!("visit `{}`", v.id), &v.scenario, i == 0))
        .collect();
    let interlude_scenarios: Vec<Option<Arc<Scenario>>> = file
        .interludes
        .iter()
        .map(|i| load(&mut p, &format!("interlude `{}`", i.id), &i.scenario, false))
        .collect();

    // Next-visit rules: targets, days, conditions.
    let mut rules: Vec<Vec<NextRule>> = Vec::new();
    for (vi, v) in file.visits.iter().enumerate() {
        let mut list = Vec::new();
        for rule in &v.next {
            if rule.days == 0 || rule.days > MAX_DAYS_BETWEEN_VISITS {
                p.within(
                    &quoted(&v.id),
                    &format!("days: {}", rule.days),
                    format!(
                        "visit `{}`: {} days to `{}`; give 1 to {MAX_DAYS_BETWEEN_VISITS}",
                        v.id, rule.days, rule.visit
                    ),
                );
            }
            let Some(&target) = ids.get(rule.visit.as_str()) else {
                p.within(
                    &quoted(&v.id),
                    &quoted(&rule.visit),
                    format!(
                        "visit `{}`: next names visit `{}`, which the account does not have",
                        v.id, rule.visit
                    ),
                );
                continue;
            };
            if let (Some(cond), Some(scn)) = (&rule.when, &visit_scenarios[vi]) {
                check_condition(&mut p, &model, scn, &v.id, cond);
            }
            list.push(NextRule {
                when: rule.when.clone(),
                visit: target,
                days: rule.days,
                note: rule.note.clone(),
            });
        }
        if let Some(i) = v.next.iter().position(|r| r.when.is_none())
            && i + 1 < v.next.len()
        {
            p.within(
                &quoted(&v.id),
                "next",
                format!(
                    "visit `{}`: rule {} has no condition, so the rules after it can never apply",
                    v.id,
                    i + 1
                ),
            );
        }
        rules.push(list);
    }

    // The visits form a path forward in time: no loops, every visit reachable from the first.
    if let Some(cycle) = find_cycle(&rules) {
        let names: Vec<&str> = cycle.iter().map(|&i| file.visits[i].id.as_str()).collect();
        p.at(
            &quoted(&file.visits[cycle[0]].id),
            format!(
                "the visits loop: {} — an account must move forward in time",
                names.join(" → ")
            ),
        );
    }
    let reachable = reachable_from_first(&rules, file.visits.len());
    for (i, v) in file.visits.iter().enumerate() {
        if !reachable[i] {
            p.at(
                &quoted(&v.id),
                format!(
                    "visit `{}` can never be reached: no next rule leads to it",
                    v.id
                ),
            );
        }
    }
    let mut interludes = Vec::new();
    for (ii, it) in file.interludes.iter().enumerate() {
        let mut after = Vec::new();
        for a in &it.after {
            match ids.get(a.as_str()) {
                Some(&i) if rules[i].is_empty() => p.within(
                    &quoted(&it.id),
                    &quoted(a),
                    format!(
                        "interlude `{}`: visit `{a}` is a last visit, so nothing comes after it",
                        it.id
                    ),
                ),
                Some(&i) => after.push(i),
                None => p.within(
                    &quoted(&it.id),
                    &quoted(a),
                    format!(
                        "interlude `{}`: `after` names visit `{a}`, which the account does not have",
                        it.id
                    ),
                ),
            }
        }
        if it.after.is_empty() {
            p.at(
                &quoted(&it.id),
                format!("interlude `{}` names no visit in `after`", it.id),
            );
        }
        if let Some(scn) = &interlude_scenarios[ii] {
            interludes.push(Interlude {
                id: it.id.clone(),
                kind: it.kind,
                title: it.title.clone(),
                scenario: scn.clone(),
                after,
            });
        }
    }

    // Promises: one that a step can make must be keepable at the visit that checks it.
    check_promises(
        &mut p,
        &file,
        &rules,
        &visit_scenarios,
        &interlude_scenarios,
    );

    if !p.problems.is_empty() {
        let mut problems = p.problems;
        problems.sort_by_key(|p| p.location);
        problems.dedup();
        return Err(problems);
    }
    let visits: Vec<Visit> = file
        .visits
        .iter()
        .zip(visit_scenarios)
        .zip(rules)
        .filter_map(|((v, scn), next)| {
            Some(Visit {
                id: v.id.clone(),
                title: v.title.clone(),
                scenario: scn?,
                next,
            })
        })
        .collect();
    // Every visit that failed to load was reported above; this keeps that promise checked.
    if visits.is_empty() || visits.len() != file.visits.len() {
        return Err(vec![Problem {
            source: source.to_string(),
            location: Location { line: 1, column: 1 },
            message: "the account's visits could not all be loaded".into(),
        }]);
    }
    let highest_stage = visits
        .iter()
        .map(|v| v.scenario.highest_stage)
        .max()
        .unwrap_or(Stage::Stranger);
    Ok(Account {
        source: source.to_string(),
        file,
        model,
        visits,
        interludes,
        highest_stage,
    })
}

fn check_condition(
    p: &mut Placer,
    model: &Model,
    scn: &Scenario,
    visit: &str,
    cond: &AccountCondition,
) {
    match cond {
        AccountCondition::Flag(f) | AccountCondition::NotFlag(f)
            if !scn.flags.iter().any(|x| x == f) =>
        {
            p.within(
                &quoted(visit),
                &quoted(f),
                format!(
                    "visit `{visit}`: flag `{f}` is not a flag of its scenario `{}` ({})",
                    scn.id(),
                    if scn.flags.is_empty() {
                        "it has none".to_string()
                    } else {
                        format!("it has: {}", scn.flags.join(", "))
                    }
                ),
            );
        }
        AccountCondition::Milestone(m) if model.milestone(m).is_none() => {
            p.within(
                &quoted(visit),
                &quoted(m),
                format!("visit `{visit}`: unknown milestone `{m}`"),
            );
        }
        AccountCondition::TrustAtLeast(t) | AccountCondition::TrustBelow(t)
            if !(0..=100).contains(t) =>
        {
            p.within(
                &quoted(visit),
                &t.to_string(),
                format!("visit `{visit}`: trust {t} in a rule; trust runs from 0 to 100"),
            );
        }
        AccountCondition::All(list) | AccountCondition::Any(list) => {
            for c in list {
                check_condition(p, model, scn, visit, c);
            }
        }
        AccountCondition::Not(inner) => check_condition(p, model, scn, visit, inner),
        _ => {}
    }
}

/// A loop among the visits' next rules, as the visits along it.
fn find_cycle(rules: &[Vec<NextRule>]) -> Option<Vec<usize>> {
    // 0 unseen, 1 on the current path, 2 done.
    fn walk(
        v: usize,
        rules: &[Vec<NextRule>],
        mark: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        mark[v] = 1;
        path.push(v);
        for r in &rules[v] {
            match mark[r.visit] {
                1 => {
                    let from = path.iter().position(|&x| x == r.visit).unwrap_or(0);
                    let mut cycle = path[from..].to_vec();
                    cycle.push(r.visit);
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = walk(r.visit, rules, mark, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        mark[v] = 2;
        None
    }
    let mut mark = vec![0u8; rules.len()];
    (0..rules.len()).find_map(|v| {
        if mark[v] == 0 {
            walk(v, rules, &mut mark, &mut Vec::new())
        } else {
            None
        }
    })
}

fn reachable_from_first(rules: &[Vec<NextRule>], n: usize) -> Vec<bool> {
    let mut seen = vec![false; n];
    let mut todo = vec![0usize];
    while let Some(v) = todo.pop() {
        if v >= n || seen[v] {
            continue;
        }
        seen[v] = true;
        todo.extend(rules[v].iter().map(|r| r.visit));
    }
    seen
}

/// The promises a scenario's choices can make.
fn promises_made_in(scn: &Scenario) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for node in &scn.nodes {
        if let crate::compile::Then::Choices(list) = &node.then {
            for c in list {
                for (i, promise) in scn.promises.iter().enumerate() {
                    if c.promise & (1 << i) != 0 {
                        out.insert(promise.id.clone());
                    }
                }
            }
        }
    }
    out
}

fn check_promises(
    p: &mut Placer,
    file: &AccountFile,
    rules: &[Vec<NextRule>],
    visits: &[Option<Arc<Scenario>>],
    interludes: &[Option<Arc<Scenario>>],
) {
    let declares = |scn: &Option<Arc<Scenario>>, id: &str| {
        scn.as_ref().is_some_and(|s| s.promise_index(id).is_some())
    };
    for (vi, v) in file.visits.iter().enumerate() {
        let Some(scn) = &visits[vi] else { continue };
        let mut made = promises_made_in(scn);
        // An interlude after this visit can make promises that the next visit checks too.
        for (ii, it) in file.interludes.iter().enumerate() {
            if it.after.contains(&v.id)
                && let Some(s) = &interludes[ii]
            {
                made.extend(promises_made_in(s));
            }
        }
        for id in &made {
            for r in &rules[vi] {
                // A visit that did not load is reported already.
                if visits[r.visit].is_some() && !declares(&visits[r.visit], id) {
                    p.within(
                        &quoted(&v.id),
                        &quoted(&file.visits[r.visit].id),
                        format!(
                            "promise `{id}` can be made at or after visit `{}`, but visit `{}`, which may follow, does not declare it: the trainee could never keep it",
                            v.id, file.visits[r.visit].id
                        ),
                    );
                }
            }
        }
    }
}

/// Differences between an account and its translation in anything that decides a score.
pub fn compare_translations(a: &Account, b: &Account) -> Vec<String> {
    let mut out = Vec::new();
    if a.file.personality != b.file.personality {
        out.push("the customer's personality differs".to_string());
    }
    if a.file.interlude_chance != b.file.interlude_chance {
        out.push(format!(
            "interlude_chance {} against {}",
            b.file.interlude_chance, a.file.interlude_chance
        ));
    }
    let shape = |acc: &Account| -> Vec<String> {
        acc.visits
            .iter()
            .map(|v| {
                let rules: Vec<String> = v
                    .next
                    .iter()
                    .map(|r| format!("{:?}→{}+{}", r.when, acc.visits[r.visit].id, r.days))
                    .collect();
                format!("visit {} [{}]", v.id, rules.join(", "))
            })
            .chain(acc.interludes.iter().map(|i| {
                let after: Vec<&str> = i.after.iter().map(|&v| acc.visits[v].id.as_str()).collect();
                format!("interlude {} {:?} after {:?}", i.id, i.kind, after)
            }))
            .collect()
    };
    let (sa, sb) = (shape(a), shape(b));
    if sa.len() != sb.len() {
        out.push(format!(
            "{} visits and interludes against {}",
            sb.len(),
            sa.len()
        ));
    }
    for (x, y) in sa.iter().zip(&sb) {
        if x != y {
            out.push(format!("{y} against {x}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Playing an account

/// What the account carries from one step to the next.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Carried {
    pub trust: i32,
    pub stage: Stage,
    /// Milestones reached so far, as the model's mask (every step of an account shares the
    /// account's model); `Carried::has` asks by id.
    pub milestones: u64,
    /// Objections not settled yet, by id, with their status.
    pub objections: BTreeMap<String, ObjectionStatus>,
    /// Promises owed: made, not yet kept, checked at the end of the visit after the one they
    /// were made at.
    pub owed: Vec<OwedPromise>,
}

impl Carried {
    /// Whether the milestone `id` of `model` has been reached.
    pub fn has(&self, model: &Model, id: &str) -> bool {
        model
            .milestone(id)
            .is_some_and(|i| self.milestones & (1u64 << i) != 0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OwedPromise {
    pub id: String,
    pub what: String,
    /// The visit (counted from 1) by whose end it must be kept: the one after the visit it
    /// was made at, or after the interlude it was made in.
    pub due_by_visit: usize,
}

/// One finished step of an account: a visit or an interlude.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    pub interlude: bool,
    /// The visit's or interlude's id in the account.
    pub id: String,
    pub title: String,
    pub kind: Option<UpkeepKind>,
    /// The day (from the first visit) it took place.
    pub day: u32,
    /// Days since the step before.
    pub gap_days: u32,
    /// Trust lost to cooling over the gap, and whether the stage fell with it.
    pub cooled: i32,
    pub cooled_stage: bool,
    pub seed: u64,
    pub choices: Vec<usize>,
    pub score: u32,
    pub outcome: Outcome,
    pub trust_start: i32,
    pub trust_end: i32,
    pub stage_start: Stage,
    pub stage_end: Stage,
    pub trust_timeline: Vec<i32>,
    pub promises_made: Vec<String>,
    pub promises_kept: Vec<String>,
    pub promises_broken: Vec<String>,
    /// Objections left open at its end, as "summary (status)".
    pub objections_open: Vec<String>,
    /// Trust lost to promises broken at its end (a breach each).
    pub breach_trust: i32,
}

/// What comes next in a running account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Upcoming {
    Visit {
        visit: usize,
        gap_days: u32,
        note: String,
    },
    Interlude {
        interlude: usize,
        gap_days: u32,
        /// The visit after it, and the days from the interlude to that visit.
        then: usize,
        then_days: u32,
        then_note: String,
    },
    /// No rule led further: the account is complete.
    Finished,
}

/// The next step of an account, as it is announced.
#[derive(Debug, Clone, PartialEq)]
pub struct NextStep {
    /// The step's number, from 1.
    pub number: usize,
    /// The visit's title, or the interlude's kind and title.
    pub title: String,
    pub interlude: bool,
    /// The day it takes place, from the first visit.
    pub day: u32,
    /// The rule's note on the gap (visits only).
    pub note: String,
    /// The customer's brief for it.
    pub brief: String,
    /// Trust lost to cooling since the last contact, and whether the stage falls with it.
    pub cooled: i32,
    pub stage_falls: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("the account is complete; there is no next visit")]
    Finished,
    #[error("the session has not ended yet")]
    NotEnded,
    #[error("the session is not the account's next step")]
    WrongStep,
    #[error("step {step}: {why}")]
    Replay { step: usize, why: String },
}

/// An account in play: the state carried so far, the steps done, what comes next.
#[derive(Debug, Clone)]
pub struct AccountRun {
    account: Arc<Account>,
    seed: u64,
    rng: ChaCha8Rng,
    day: u32,
    visits_done: usize,
    carried: Carried,
    /// Shared, so that cloning a run (the account gate clones millions) copies no records.
    steps: Vec<Arc<StepRecord>>,
    upcoming: Upcoming,
    played_interludes: BTreeSet<usize>,
}

impl AccountRun {
    pub fn new(account: Arc<Account>, seed: u64) -> AccountRun {
        let first = &account.visits[0].scenario;
        let carried = Carried {
            trust: first.start_trust,
            stage: first.start_stage,
            milestones: 0,
            objections: BTreeMap::new(),
            owed: Vec::new(),
        };
        AccountRun {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0xacc0_u64),
            account,
            seed,
            day: 0,
            visits_done: 0,
            carried,
            steps: Vec::new(),
            upcoming: Upcoming::Visit {
                visit: 0,
                gap_days: 0,
                note: String::new(),
            },
            played_interludes: BTreeSet::new(),
        }
    }

    /// Plays `steps` (1-based choice numbers per step) from the start: how an account is
    /// resumed from the history and replayed from a recording.
    pub fn replay(
        account: Arc<Account>,
        seed: u64,
        steps: &[Vec<usize>],
    ) -> Result<AccountRun, AccountError> {
        let mut run = AccountRun::new(account, seed);
        for (i, choices) in steps.iter().enumerate() {
            let step = i + 1;
            let mut session = run.start_step().ok_or(AccountError::Finished)?;
            for &c in choices {
                session
                    .choose(c.saturating_sub(1))
                    .map_err(|e| AccountError::Replay {
                        step,
                        why: e.to_string(),
                    })?;
            }
            run.finish_step(&session)?;
        }
        Ok(run)
    }

    pub fn account(&self) -> &Arc<Account> {
        &self.account
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn steps(&self) -> &[Arc<StepRecord>] {
        &self.steps
    }
    pub fn carried(&self) -> &Carried {
        &self.carried
    }
    pub fn upcoming(&self) -> &Upcoming {
        &self.upcoming
    }
    pub fn is_finished(&self) -> bool {
        self.upcoming == Upcoming::Finished
    }
    /// The day the next step takes place.
    pub fn next_day(&self) -> u32 {
        match &self.upcoming {
            Upcoming::Visit { gap_days, .. } | Upcoming::Interlude { gap_days, .. } => {
                self.day + gap_days
            }
            Upcoming::Finished => self.day,
        }
    }
    /// The choices of every finished step: with the seed, all that is needed to resume.
    pub fn choices(&self) -> Vec<Vec<usize>> {
        self.steps.iter().map(|s| s.choices.clone()).collect()
    }

    fn next_parts(&self) -> Option<(Arc<Scenario>, u32, String, String)> {
        match &self.upcoming {
            Upcoming::Visit {
                visit,
                gap_days,
                note,
            } => {
                let v = &self.account.visits[*visit];
                Some((v.scenario.clone(), *gap_days, v.id.clone(), note.clone()))
            }
            Upcoming::Interlude {
                interlude,
                gap_days,
                ..
            } => {
                let i = &self.account.interludes[*interlude];
                Some((i.scenario.clone(), *gap_days, i.id.clone(), String::new()))
            }
            Upcoming::Finished => None,
        }
    }

    /// What comes next, as the app and the command line announce it; `None` when complete.
    pub fn next_step(&self, locale: Locale) -> Option<NextStep> {
        let (scenario, _, _, note) = self.next_parts()?;
        let (title, interlude) = match &self.upcoming {
            Upcoming::Interlude { interlude, .. } => {
                let i = &self.account.interludes[*interlude];
                (format!("{} — {}", i.kind.name(locale), i.title), true)
            }
            Upcoming::Visit { visit, .. } => (self.account.visits[*visit].title.clone(), false),
            Upcoming::Finished => return None,
        };
        let (cooled, stage_falls) = self.cooling_ahead();
        Some(NextStep {
            number: self.steps.len() + 1,
            title,
            interlude,
            day: self.next_day(),
            note,
            brief: scenario.file.customer.brief.clone(),
            cooled,
            stage_falls,
        })
    }

    /// The trust lost to cooling before the next step, and whether the stage falls with it.
    pub fn cooling_ahead(&self) -> (i32, bool) {
        let Some((_, gap, _, _)) = self.next_parts() else {
            return (0, false);
        };
        cool(
            &self.account.model,
            self.account.file.personality,
            &self.carried,
            gap,
        )
    }

    /// The next step's scenario as the engine plays it: its start is the account's state after
    /// cooling, with the milestones, open objections and owed promises carried in.
    pub fn next_scenario(&self) -> Option<Arc<Scenario>> {
        let (base, gap, _, _) = self.next_parts()?;
        let model = &self.account.model;
        let (loss, stage_falls) = cool(model, self.account.file.personality, &self.carried, gap);
        let mut stage = self.carried.stage;
        if stage_falls {
            stage = stage.previous().unwrap_or(Stage::Stranger);
        }
        let mut milestones = self.carried.milestones;
        if !self.steps.is_empty() {
            // Meeting again is itself a milestone.
            milestones |= model.contact_milestone;
        }
        let mut scn = (*base).clone();
        scn.start_trust = (self.carried.trust - loss).clamp(0, 100);
        scn.start_stage = stage;
        scn.start_milestones = milestones;
        scn.start_objections = self
            .carried
            .objections
            .iter()
            .filter_map(|(id, status)| scn.objection_index(id).map(|i| (i, *status)))
            .collect();
        scn.start_promises_due = self
            .carried
            .owed
            .iter()
            .filter_map(|p| scn.promise_index(&p.id))
            .fold(0u16, |acc, i| acc | 1 << i);
        scn.highest_stage = if matches!(self.upcoming, Upcoming::Interlude { .. }) {
            stage
        } else {
            crate::compile::highest_stage(model, stage, milestones, &scn.nodes)
        };
        Some(Arc::new(scn))
    }

    /// The seed of the next step's session: fixed by the account's seed and the step number.
    pub fn next_seed(&self) -> u64 {
        self.seed
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .wrapping_add(self.steps.len() as u64 + 1)
    }

    /// A session for the next step, or `None` when the account is complete.
    pub fn start_step(&self) -> Option<Session> {
        let scn = self.next_scenario()?;
        Some(Session::with_personality(
            scn,
            self.next_seed(),
            self.account.file.personality,
        ))
    }

    /// Records a finished step (a session from [`start_step`]) and decides what comes next.
    /// Returns the events of what happened between (broken promises).
    pub fn finish_step(&mut self, session: &Session) -> Result<Vec<Event>, AccountError> {
        let Some((base, gap, id, _)) = self.next_parts() else {
            return Err(AccountError::Finished);
        };
        if session.scenario().id() != base.id() || session.seed() != self.next_seed() {
            return Err(AccountError::WrongStep);
        }
        // The score and outcome alone, not the full report: the account gate finishes
        // millions of steps.
        let outcome = session.ending().ok_or(AccountError::NotEnded)?.outcome;
        let scored = crate::scoring::total(session.scenario(), session.state(), outcome);
        let scn = session.scenario().clone();
        let end = *session.state();
        let model = self.account.model.clone();
        let (cooled, cooled_stage) =
            cool(&model, self.account.file.personality, &self.carried, gap);
        let interlude = matches!(self.upcoming, Upcoming::Interlude { .. });
        if !interlude {
            self.visits_done += 1;
        }
        self.day += gap;

        let bit_names = |mask: u16| -> Vec<(String, String)> {
            scn.promises
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, p)| (p.id.clone(), p.what.clone()))
                .collect()
        };
        let made_now = bit_names((end.promises_made | end.promises_due) & !end.promises_kept);
        let kept = bit_names(end.promises_kept);
        let made_here: Vec<String> = session
            .events()
            .iter()
            .filter_map(|e| match e {
                Event::PromiseMade { what, .. } => Some(what.clone()),
                _ => None,
            })
            .collect();

        // Carry the state out of the session.
        let mut carried = Carried {
            trust: end.trust,
            stage: end.stage,
            milestones: end.milestones,
            objections: self.carried.objections.clone(),
            owed: Vec::new(),
        };
        for (o, track) in scn.objections.iter().zip(&end.objections) {
            match track.status {
                ObjectionStatus::NotRaised => {}
                ObjectionStatus::Resolved | ObjectionStatus::Preempted => {
                    carried.objections.remove(&o.id);
                }
                ObjectionStatus::Dismissed => {
                    carried
                        .objections
                        .insert(o.id.clone(), ObjectionStatus::Open);
                }
                status => {
                    carried.objections.insert(o.id.clone(), status);
                }
            }
        }
        // Promises: those owed from before and kept are done; those still owed fall due at the
        // end of the visit after the one they were made at.
        let kept_ids: BTreeSet<&str> = kept.iter().map(|(id, _)| id.as_str()).collect();
        let mut owed: Vec<OwedPromise> = self
            .carried
            .owed
            .iter()
            .filter(|p| !kept_ids.contains(p.id.as_str()))
            .cloned()
            .collect();
        for (id, what) in &made_now {
            if !owed.iter().any(|p| &p.id == id) {
                owed.push(OwedPromise {
                    id: id.clone(),
                    what: what.clone(),
                    due_by_visit: self.visits_done + 1,
                });
            }
        }
        let mut events = Vec::new();
        let mut broken = Vec::new();
        let mut breach_trust = 0;
        if !interlude {
            let (due, still): (Vec<OwedPromise>, Vec<OwedPromise>) = owed
                .into_iter()
                .partition(|p| p.due_by_visit <= self.visits_done);
            owed = still;
            for p in due {
                let from = carried.trust;
                carried.trust = (from + model.file.breach_trust).clamp(0, 100);
                breach_trust += carried.trust - from;
                let why = fill(tr(T::PromiseNotKept, self.account.locale()), &[&p.what]);
                events.push(Event::PromiseBroken {
                    promise: p.id.clone(),
                    what: p.what.clone(),
                });
                events.push(Event::TrustChanged {
                    from,
                    to: carried.trust,
                    reasons: vec![crate::engine::TrustReason {
                        source: "breach".into(),
                        delta: model.file.breach_trust,
                        why: why.clone(),
                    }],
                });
                events.push(Event::Breach { why });
                let before = carried.stage;
                carried.stage = carried.stage.previous().unwrap_or(Stage::Stranger);
                if before != carried.stage {
                    events.push(Event::StageChanged {
                        from: before,
                        to: carried.stage,
                    });
                }
                broken.push(p.what);
            }
        }
        carried.owed = owed;
        let objections_open = scn
            .objections
            .iter()
            .filter(|o| carried.objections.contains_key(&o.id))
            .map(|o| {
                let status = carried.objections[&o.id];
                format!("{} ({})", o.summary, status.name(scn.locale()))
            })
            .collect();

        let (title, kind) = match &self.upcoming {
            Upcoming::Interlude { interlude, .. } => {
                let i = &self.account.interludes[*interlude];
                (i.title.clone(), Some(i.kind))
            }
            Upcoming::Visit { visit, .. } => (self.account.visits[*visit].title.clone(), None),
            Upcoming::Finished => (String::new(), None),
        };
        self.steps.push(Arc::new(StepRecord {
            interlude,
            id,
            title,
            kind,
            day: self.day,
            gap_days: gap,
            cooled,
            cooled_stage,
            seed: session.seed(),
            choices: session.choice_numbers(),
            score: scored,
            outcome,
            trust_start: session.scenario().start_trust,
            trust_end: end.trust,
            stage_start: session.scenario().start_stage,
            stage_end: end.stage,
            trust_timeline: session.trust_timeline().to_vec(),
            promises_made: made_here,
            promises_kept: kept.into_iter().map(|(_, w)| w).collect(),
            promises_broken: broken,
            objections_open,
            breach_trust,
        }));
        self.carried = carried;
        self.upcoming = self.decide_next(&scn, &end, outcome);
        Ok(events)
    }

    fn decide_next(&mut self, scn: &Scenario, end: &PlayState, outcome: Outcome) -> Upcoming {
        if let Upcoming::Interlude {
            then,
            then_days,
            then_note,
            ..
        } = &self.upcoming
        {
            return Upcoming::Visit {
                visit: *then,
                gap_days: *then_days,
                note: then_note.clone(),
            };
        }
        let Upcoming::Visit { visit, .. } = self.upcoming else {
            return Upcoming::Finished;
        };
        let model = &self.account.model;
        let rule = self.account.visits[visit]
            .next
            .iter()
            .find(|r| {
                r.when
                    .as_ref()
                    .is_none_or(|c| holds(c, scn, model, end, outcome))
            })
            .cloned();
        let Some(rule) = rule else {
            return Upcoming::Finished;
        };
        let candidates: Vec<usize> = self
            .account
            .interludes
            .iter()
            .enumerate()
            .filter(|(i, it)| it.after.contains(&visit) && !self.played_interludes.contains(i))
            .map(|(i, _)| i)
            .collect();
        // Always two draws, so the rolls never depend on how many interludes are left.
        let roll = self.rng.random_range(0..100u32);
        let pick = self.rng.random_range(0..u32::MAX);
        if !candidates.is_empty() && roll < self.account.file.interlude_chance as u32 {
            let interlude = candidates[pick as usize % candidates.len()];
            self.played_interludes.insert(interlude);
            let days = rule.days as u32;
            let first = (days / 2).max(1).min(days);
            return Upcoming::Interlude {
                interlude,
                gap_days: first,
                then: rule.visit,
                then_days: days - first,
                then_note: rule.note,
            };
        }
        Upcoming::Visit {
            visit: rule.visit,
            gap_days: rule.days as u32,
            note: rule.note,
        }
    }

    /// The account's report so far (complete once the account is finished).
    pub fn report(&self) -> AccountReport {
        account_report(self)
    }
}

/// Trust lost over `gap` days without contact, and whether it falls below what the current
/// stage needs (then the stage falls one rung: a cooled relationship).
fn cool(model: &Model, p: Personality, carried: &Carried, gap: u32) -> (i32, bool) {
    let loss = model.file.cooling.loss(p, gap).min(carried.trust);
    let after = carried.trust - loss;
    let (threshold, _) = model.stage_rules[carried.stage.index()];
    (loss, loss > 0 && after < threshold)
}

fn holds(
    c: &AccountCondition,
    scn: &Scenario,
    model: &Model,
    end: &PlayState,
    outcome: Outcome,
) -> bool {
    match c {
        AccountCondition::Outcome(o) => outcome == *o,
        AccountCondition::StageAtLeast(s) => end.stage >= *s,
        AccountCondition::TrustAtLeast(t) => end.trust >= *t,
        AccountCondition::TrustBelow(t) => end.trust < *t,
        AccountCondition::Flag(f) => scn
            .flags
            .iter()
            .position(|x| x == f)
            .is_some_and(|i| end.flags & (1 << i) != 0),
        AccountCondition::NotFlag(f) => scn
            .flags
            .iter()
            .position(|x| x == f)
            .is_none_or(|i| end.flags & (1 << i) == 0),
        AccountCondition::Milestone(m) => model
            .milestone(m)
            .is_some_and(|i| end.milestones & (1 << i) != 0),
        AccountCondition::All(list) => list.iter().all(|c| holds(c, scn, model, end, outcome)),
        AccountCondition::Any(list) => list.iter().any(|c| holds(c, scn, model, end, outcome)),
        AccountCondition::Not(inner) => !holds(inner, scn, model, end, outcome),
    }
}

// ---------------------------------------------------------------------------------------
// The account's report and score

/// The points each account rule is worth.
pub const VISITS_POINTS: u32 = 40;
pub const RELATIONSHIP_POINTS: u32 = 30;
pub const PROMISES_POINTS: u32 = 15;
pub const TRUST_POINTS: u32 = 15;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountReport {
    pub account: String,
    pub title: String,
    pub customer: String,
    pub personality: Personality,
    pub seed: u64,
    pub finished: bool,
    pub steps: Vec<StepRecord>,
    /// Trust and stage over time: (day, trust, stage) at the start and end of every step.
    pub timeline: Vec<(u32, i32, Stage)>,
    pub promises_made: usize,
    pub promises_kept: usize,
    pub promises_broken: usize,
    /// Promises made and still owed.
    pub promises_open: Vec<String>,
    /// Objections still open after the last step.
    pub objections_open: Vec<String>,
    pub stage: Stage,
    pub trust: i32,
    pub highest_stage: Stage,
    pub score: ScoreCard,
}

/// What each account rule awards a run: one computation for the report and for the gate,
/// which scores millions of runs and needs no text.
struct AccountPoints {
    mean: f64,
    visits: i32,
    climbed: i32,
    possible: i32,
    relationship: i32,
    made: usize,
    kept: usize,
    broken: usize,
    promises: i32,
    trust: i32,
}

impl AccountPoints {
    fn of(run: &AccountRun) -> AccountPoints {
        let acc = &run.account;
        let steps = &run.steps;
        let made: usize = steps.iter().map(|s| s.promises_made.len()).sum();
        let kept: usize = steps.iter().map(|s| s.promises_kept.len()).sum();
        let broken: usize = steps.iter().map(|s| s.promises_broken.len()).sum();
        let mean = if steps.is_empty() {
            0.0
        } else {
            steps.iter().map(|s| s.score as f64).sum::<f64>() / steps.len() as f64
        };
        let visits = (VISITS_POINTS as f64 * mean / 100.0).round() as i32;
        let start_stage = acc.visits[0].scenario.start_stage.index() as i32;
        let possible = acc.highest_stage.index() as i32 - start_stage;
        let climbed = run.carried.stage.index() as i32 - start_stage;
        let relationship = if possible <= 0 {
            RELATIONSHIP_POINTS as i32
        } else {
            (RELATIONSHIP_POINTS as f64 * climbed.max(0) as f64 / possible as f64).round() as i32
        };
        let promises = if kept + broken == 0 {
            PROMISES_POINTS as i32
        } else {
            (PROMISES_POINTS as f64 * kept as f64 / (kept + broken) as f64).round() as i32
        };
        let trust = (TRUST_POINTS as f64 * run.carried.trust as f64 / 100.0).round() as i32;
        AccountPoints {
            mean,
            visits,
            climbed,
            possible,
            relationship,
            made,
            kept,
            broken,
            promises,
            trust,
        }
    }

    fn total(&self) -> u32 {
        (self.visits + self.relationship + self.promises + self.trust).clamp(0, 100) as u32
    }
}

impl AccountRun {
    /// The account score alone, as the report's rules add it up.
    pub fn score(&self) -> u32 {
        AccountPoints::of(self).total()
    }
}

fn account_report(run: &AccountRun) -> AccountReport {
    let acc = &run.account;
    let l = acc.locale();
    let steps: Vec<StepRecord> = run.steps.iter().map(|s| (**s).clone()).collect();
    // Each step is one day: trust and stage at its start and end; a breach after it (a
    // promise broken) on the same day. Between steps trust cools, drawn as the line between.
    let mut timeline = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        timeline.push((s.day, s.trust_start, s.stage_start));
        timeline.push((s.day, s.trust_end, s.stage_end));
        if s.breach_trust != 0 {
            let stage_after = steps.get(i + 1).map_or(run.carried.stage, |next| {
                if next.cooled_stage {
                    next.stage_start.next().unwrap_or(next.stage_start)
                } else {
                    next.stage_start
                }
            });
            timeline.push((s.day, s.trust_end + s.breach_trust, stage_after));
        }
    }
    let carried = &run.carried;
    let objections_open = steps
        .last()
        .map(|s| s.objections_open.clone())
        .unwrap_or_default();
    let AccountPoints {
        mean,
        visits,
        climbed,
        possible,
        relationship,
        made,
        kept,
        broken,
        promises,
        trust,
    } = AccountPoints::of(run);
    let rules = vec![
        RuleLine {
            rule: tr(T::AccountRuleVisits, l).to_string(),
            points: visits,
            max: VISITS_POINTS as i32,
            detail: fill(
                tr(T::AccountRuleVisitsDetail, l),
                &[&steps.len(), &format!("{mean:.0}"), &VISITS_POINTS],
            ),
        },
        RuleLine {
            rule: tr(T::AccountRuleRelationship, l).to_string(),
            points: relationship,
            max: RELATIONSHIP_POINTS as i32,
            detail: fill(
                tr(T::AccountRuleRelationshipDetail, l),
                &[
                    &acc.visits[0].scenario.start_stage.name(l),
                    &carried.stage.name(l),
                    &climbed,
                    &possible.max(0),
                    &acc.highest_stage.name(l),
                ],
            ),
        },
        RuleLine {
            rule: tr(T::AccountRulePromises, l).to_string(),
            points: promises,
            max: PROMISES_POINTS as i32,
            detail: fill(
                tr(T::AccountRulePromisesDetail, l),
                &[&made, &kept, &broken],
            ),
        },
        RuleLine {
            rule: tr(T::AccountRuleTrust, l).to_string(),
            points: trust,
            max: TRUST_POINTS as i32,
            detail: fill(
                tr(T::AccountRuleTrustDetail, l),
                &[
                    &carried.trust,
                    &steps.iter().map(|s| s.cooled).sum::<i32>(),
                    &TRUST_POINTS,
                ],
            ),
        },
    ];
    let total = rules.iter().map(|r| r.points).sum::<i32>().clamp(0, 100) as u32;
    AccountReport {
        account: acc.id().to_string(),
        title: acc.file.title.clone(),
        customer: acc.file.customer.clone(),
        personality: acc.file.personality,
        seed: run.seed,
        finished: run.is_finished(),
        steps,
        timeline,
        promises_made: made,
        promises_kept: kept,
        promises_broken: broken,
        promises_open: carried.owed.iter().map(|p| p.what.clone()).collect(),
        objections_open,
        stage: carried.stage,
        trust: carried.trust,
        highest_stage: acc.highest_stage,
        score: ScoreCard { total, rules },
    }
}

impl AccountReport {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
