//! Exhaustive analysis of a scenario: best and worst play, the exact score distribution of
//! random play, reachable endings and the points of no return.
//!
//! It explores positions (a node plus the [`PlayState`] that decides the score) rather than
//! paths, memoising each one, so its cost grows with the number of distinct positions, not
//! with the exponential number of paths. Loops are forbidden by validation, so positions form
//! a DAG and each is evaluated once, bottom-up, with an explicit stack (no recursion depth).

use crate::compile::{Scenario, Then};
use crate::engine::{PlayState, Sink, Stop, apply_choice, arrive, visible_choices};
use crate::scoring::total;
use crate::vocabulary::{Outcome, Personality};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

type Key = (Stop, PlayState);
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// A score distribution: (score, probability) pairs sorted by score.
pub type Distribution = Vec<(u32, f64)>;

#[derive(Debug, Clone)]
struct Entry {
    stop: Stop,
    /// Children with their edge: the choice index, or the chance branch, and its probability.
    children: Vec<(usize, usize, f64)>,
    best: u32,
    worst: u32,
    /// Final trust on the best and worst lines: among equal scores, the line that leaves
    /// the customer trusting more is the one shown as best.
    best_trust: i32,
    worst_trust: i32,
    best_child: usize,
    worst_child: usize,
    valued: bool,
}

/// The memoised position graph of one scenario.
pub struct Analyzer<'a> {
    scn: &'a Scenario,
    index: FastMap<Key, usize>,
    entries: Vec<Entry>,
    states: Vec<PlayState>,
    /// Positions in the order they were valued: children before parents.
    order: Vec<usize>,
}

impl<'a> Analyzer<'a> {
    pub fn new(scn: &'a Scenario) -> Self {
        Analyzer {
            scn,
            index: FastMap::default(),
            entries: Vec::new(),
            states: Vec::new(),
            order: Vec::new(),
        }
    }

    /// Number of distinct positions explored so far.
    pub fn positions(&self) -> usize {
        self.entries.len()
    }

    fn intern(&mut self, stop: Stop, state: PlayState) -> (usize, bool) {
        let key = (stop, state);
        if let Some(&id) = self.index.get(&key) {
            return (id, false);
        }
        let id = self.entries.len();
        self.entries.push(Entry {
            stop,
            children: Vec::new(),
            best: 0,
            worst: 0,
            best_trust: 0,
            worst_trust: 0,
            best_child: usize::MAX,
            worst_child: usize::MAX,
            valued: false,
        });
        self.states.push(key.1);
        self.index.insert(key, id);
        (id, true)
    }

    /// The position reached by arriving at `node` with `state`.
    pub fn position_after_arriving(&mut self, node: usize, mut state: PlayState) -> usize {
        let stop = arrive(self.scn, &mut state, node, &mut None);
        let (id, _) = self.intern(stop, state);
        self.evaluate(id);
        id
    }

    /// The position of a decision `node` already arrived at with `state` (as a session holds it).
    pub fn position_at(&mut self, node: usize, state: PlayState) -> usize {
        let stop = match self.scn.nodes[node].then {
            Then::End(_) => Stop::End(node),
            Then::Chance(_) => Stop::Chance(node),
            _ => Stop::Decision(node),
        };
        let (id, _) = self.intern(stop, state);
        self.evaluate(id);
        id
    }

    fn expand(&mut self, id: usize) -> Vec<(usize, usize, f64)> {
        let scn = self.scn;
        let stop = self.entries[id].stop;
        let state = self.states[id];
        let mut children = Vec::new();
        match stop {
            Stop::End(_) => {}
            Stop::Decision(node) => {
                let visible = visible_choices(scn, &state, node);
                let p = 1.0 / visible.len().max(1) as f64;
                for i in visible {
                    let mut s = state;
                    let mut sink: Sink = None;
                    let next = apply_choice(scn, &mut s, node, i, &mut sink);
                    let stop = arrive(scn, &mut s, next, &mut None);
                    let (child, _) = self.intern(stop, s);
                    children.push((child, i, p));
                }
            }
            Stop::Chance(node) => {
                if let Then::Chance(branches) = &scn.nodes[node].then {
                    let total_weight: u64 = branches.iter().map(|b| b.weight as u64).sum();
                    for (i, b) in branches.iter().enumerate() {
                        if b.weight == 0 {
                            continue;
                        }
                        let mut s = state;
                        let stop = arrive(scn, &mut s, b.next, &mut None);
                        let (child, _) = self.intern(stop, s);
                        children.push((child, i, b.weight as f64 / total_weight as f64));
                    }
                }
            }
        }
        children
    }

    fn evaluate(&mut self, root: usize) {
        let mut stack = vec![(root, false)];
        while let Some((id, expanded)) = stack.pop() {
            if self.entries[id].valued {
                continue;
            }
            if !expanded {
                let children = self.expand(id);
                stack.push((id, true));
                for &(child, _, _) in &children {
                    if !self.entries[child].valued {
                        stack.push((child, false));
                    }
                }
                self.entries[id].children = children;
                continue;
            }
            self.value(id);
        }
    }

    fn value(&mut self, id: usize) {
        let scn = self.scn;
        let entry = &self.entries[id];
        let trust = self.states[id].trust;
        let (best, worst, best_child, worst_child) = match entry.stop {
            Stop::End(node) => {
                let outcome = match &scn.nodes[node].then {
                    Then::End(e) => e.outcome,
                    _ => Outcome::Stalled,
                };
                let s = total(scn, &self.states[id], outcome);
                ((s, trust), (s, trust), usize::MAX, usize::MAX)
            }
            _ if entry.children.is_empty() => {
                // A decision with every choice hidden by its condition: the trainee is stuck,
                // which the scenario's validation should have prevented; score it as stalled.
                let s = total(scn, &self.states[id], Outcome::Stalled);
                ((s, trust), (s, trust), usize::MAX, usize::MAX)
            }
            _ => {
                let mut best = ((0, i32::MIN), usize::MAX);
                let mut worst = ((u32::MAX, i32::MAX), usize::MAX);
                for (k, &(child, _, _)) in entry.children.iter().enumerate() {
                    let c = &self.entries[child];
                    if (c.best, c.best_trust) > best.0 {
                        best = ((c.best, c.best_trust), k);
                    }
                    if (c.worst, c.worst_trust) < worst.0 {
                        worst = ((c.worst, c.worst_trust), k);
                    }
                }
                (best.0, worst.0, best.1, worst.1)
            }
        };
        let e = &mut self.entries[id];
        (e.best, e.best_trust) = best;
        (e.worst, e.worst_trust) = worst;
        e.best_child = best_child;
        e.worst_child = worst_child;
        e.valued = true;
        self.order.push(id);
    }

    pub fn best(&self, id: usize) -> u32 {
        self.entries[id].best
    }
    pub fn worst(&self, id: usize) -> u32 {
        self.entries[id].worst
    }
    /// The exact score distribution of random play from `root`: reach probabilities pushed
    /// forward through the positions in topological order, collected at the endings. One
    /// number per position, instead of a distribution per position.
    pub fn distribution(&self, root: usize) -> Distribution {
        let mut reach = vec![0.0f64; self.entries.len()];
        reach[root] = 1.0;
        let mut acc = [0.0f64; 101];
        for &id in self.order.iter().rev() {
            let p = reach[id];
            if p == 0.0 {
                continue;
            }
            let e = &self.entries[id];
            if e.children.is_empty() {
                acc[e.best.min(100) as usize] += p;
            }
            for &(child, _, q) in &e.children {
                reach[child] += p * q;
            }
        }
        acc.iter()
            .enumerate()
            .filter(|(_, q)| **q > 0.0)
            .map(|(s, q)| (s as u32, *q))
            .collect()
    }

    /// For each visible choice at a decision position: (choice index, best score after it).
    pub fn choice_values(&self, id: usize) -> Vec<(usize, u32)> {
        let e = &self.entries[id];
        match e.stop {
            Stop::Decision(_) => e
                .children
                .iter()
                .map(|&(c, i, _)| (i, self.entries[c].best))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The position a choice (index into the node's list) leads to from a decision position.
    pub fn child_for_choice(&self, id: usize, choice: usize) -> Option<usize> {
        self.entries[id]
            .children
            .iter()
            .find(|&&(_, i, _)| i == choice)
            .map(|&(c, _, _)| c)
    }

    /// The line of play from a position that reaches its best (or worst) score.
    pub fn line(&self, mut id: usize, best: bool) -> Vec<PathStep> {
        let scn = self.scn;
        let mut steps = Vec::new();
        loop {
            let e = &self.entries[id];
            let pick = if best { e.best_child } else { e.worst_child };
            match e.stop {
                Stop::End(node) => {
                    steps.push(PathStep::Ended {
                        node: scn.nodes[node].id.clone(),
                    });
                    return steps;
                }
                _ if pick == usize::MAX => return steps,
                Stop::Decision(node) => {
                    let (child, choice, _) = e.children[pick];
                    let state = &self.states[id];
                    let shown = visible_choices(scn, state, node)
                        .iter()
                        .position(|&c| c == choice)
                        .unwrap_or(0);
                    let text = match &scn.nodes[node].then {
                        Then::Choices(list) => list[choice].say.to_string(),
                        _ => Personality::ALL[choice.min(3)].code().to_string(),
                    };
                    steps.push(PathStep::Chose {
                        node: scn.nodes[node].id.clone(),
                        number: shown + 1,
                        text,
                    });
                    id = child;
                }
                Stop::Chance(node) => {
                    let (child, branch, _) = e.children[pick];
                    let note = match &scn.nodes[node].then {
                        Then::Chance(b) => b[branch].note.to_string(),
                        _ => String::new(),
                    };
                    steps.push(PathStep::Chance {
                        node: scn.nodes[node].id.clone(),
                        branch: branch + 1,
                        note,
                    });
                    id = child;
                }
            }
        }
    }

    /// The ending a line of best play from `id` reaches.
    pub fn best_ending(&self, id: usize) -> Option<usize> {
        let mut id = id;
        loop {
            let e = &self.entries[id];
            match e.stop {
                Stop::End(node) => return Some(node),
                _ if e.best_child == usize::MAX => return None,
                _ => id = e.children[e.best_child].0,
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathStep {
    Chose {
        node: String,
        number: usize,
        text: String,
    },
    Chance {
        node: String,
        branch: usize,
        note: String,
    },
    Ended {
        node: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub best: u32,
    pub worst: u32,
    pub mean: f64,
    pub median: u32,
    /// How far best play lies above the median of random play.
    pub discrimination: i64,
    pub distribution: Distribution,
}

impl Summary {
    fn of(best: u32, worst: u32, distribution: Distribution) -> Summary {
        let mean = distribution.iter().map(|(s, p)| *s as f64 * p).sum();
        let median = median(&distribution);
        Summary {
            best,
            worst,
            mean,
            median,
            discrimination: best as i64 - median as i64,
            distribution,
        }
    }
}

/// The lowest score at which at least half the probability lies at or below.
pub fn median(dist: &Distribution) -> u32 {
    let mut acc = 0.0;
    for &(s, p) in dist {
        acc += p;
        if acc >= 0.5 - 1e-9 {
            return s;
        }
    }
    dist.last().map(|(s, _)| *s).unwrap_or(0)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonalityAnalysis {
    pub personality: Personality,
    pub summary: Summary,
    pub best_path: Vec<PathStep>,
    pub worst_path: Vec<PathStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndingInfo {
    pub node: String,
    pub outcome: Outcome,
    pub reachable: bool,
    /// Best and worst scores with which it is reached.
    pub best: Option<u32>,
    pub worst: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoiceInfo {
    pub choice: usize,
    pub text: String,
    pub mistake: bool,
    /// The best score still reachable after taking it, over every way of arriving here.
    pub best_after: Option<u32>,
    /// True when taking it gives up points no later play can win back.
    pub no_return: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionInfo {
    pub node: String,
    pub best_here: Option<u32>,
    pub choices: Vec<ChoiceInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub scenario: String,
    pub positions: usize,
    pub overall: Summary,
    pub personalities: Vec<PersonalityAnalysis>,
    pub endings: Vec<EndingInfo>,
    pub decisions: Vec<DecisionInfo>,
    /// Node ids the analysis never reached (conditions can hide what the graph allows).
    pub unreached_nodes: Vec<String>,
    /// Whether best play reaches its best score without any choice marked a mistake.
    pub best_avoids_mistakes: bool,
    /// The best score of any line that takes at least one choice marked as a mistake.
    pub best_with_mistake: Option<u32>,
}

/// Analyses every personality the scenario can draw; random play draws it uniformly.
pub fn analyze(scn: &Scenario) -> Analysis {
    let mut analyzer = Analyzer::new(scn);
    let mut roots = Vec::new();
    for &p in &scn.personalities {
        let root = analyzer.position_after_arriving(scn.start_node, PlayState::new(scn, p));
        roots.push((p, root));
    }
    let n = roots.len().max(1) as f64;
    let dists: Vec<Distribution> = roots
        .iter()
        .map(|&(_, r)| analyzer.distribution(r))
        .collect();
    let mut acc = [0.0f64; 101];
    for dist in &dists {
        for &(s, q) in dist {
            acc[s.min(100) as usize] += q / n;
        }
    }
    let overall_dist: Distribution = acc
        .iter()
        .enumerate()
        .filter(|(_, q)| **q > 0.0)
        .map(|(s, q)| (s as u32, *q))
        .collect();
    let best = roots
        .iter()
        .map(|&(_, r)| analyzer.best(r))
        .max()
        .unwrap_or(0);
    let worst = roots
        .iter()
        .map(|&(_, r)| analyzer.worst(r))
        .min()
        .unwrap_or(0);
    let personalities = roots
        .iter()
        .zip(dists)
        .map(|(&(p, r), dist)| PersonalityAnalysis {
            personality: p,
            summary: Summary::of(analyzer.best(r), analyzer.worst(r), dist),
            best_path: analyzer.line(r, true),
            worst_path: analyzer.line(r, false),
        })
        .collect();

    // Aggregate positions by node.
    let mut node_reached = vec![false; scn.nodes.len()];
    let mut end_range: Vec<Option<(u32, u32)>> = vec![None; scn.nodes.len()];
    let mut node_best: Vec<Option<u32>> = vec![None; scn.nodes.len()];
    let mut choice_best: HashMap<(usize, usize), u32> = HashMap::new();
    for e in &analyzer.entries {
        match e.stop {
            Stop::End(node) => {
                node_reached[node] = true;
                let r = end_range[node].get_or_insert((e.best, e.best));
                r.0 = r.0.max(e.best);
                r.1 = r.1.min(e.best);
            }
            Stop::Decision(node) | Stop::Chance(node) => {
                node_reached[node] = true;
                let b = node_best[node].get_or_insert(e.best);
                *b = (*b).max(e.best);
                if matches!(e.stop, Stop::Decision(_)) {
                    for &(c, i, _) in &e.children {
                        let v = choice_best.entry((node, i)).or_insert(0);
                        *v = (*v).max(analyzer.entries[c].best);
                    }
                }
            }
        }
    }
    // Routing nodes are passed through without a position of their own; mark them too.
    mark_routing_nodes(scn, &analyzer, &mut node_reached);

    let endings = scn
        .nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| match &n.then {
            Then::End(e) => Some(EndingInfo {
                node: n.id.clone(),
                outcome: e.outcome,
                reachable: end_range[i].is_some(),
                best: end_range[i].map(|r| r.0),
                worst: end_range[i].map(|r| r.1),
            }),
            _ => None,
        })
        .collect();
    let decisions = scn
        .nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| match &n.then {
            Then::Choices(list) => Some(DecisionInfo {
                node: n.id.clone(),
                best_here: node_best[i],
                choices: list
                    .iter()
                    .enumerate()
                    .map(|(k, c)| {
                        let after = choice_best.get(&(i, k)).copied();
                        ChoiceInfo {
                            choice: k + 1,
                            text: c.say.to_string(),
                            mistake: c.mistake,
                            best_after: after,
                            no_return: match (after, node_best[i]) {
                                (Some(a), Some(b)) => a < b,
                                _ => false,
                            },
                        }
                    })
                    .collect(),
            }),
            _ => None,
        })
        .collect();
    let unreached_nodes = scn
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, _)| !node_reached[*i])
        .map(|(_, n)| n.id.clone())
        .collect();
    let (without, with) = mistake_bounds(scn, &analyzer);
    let best_avoids_mistakes = roots.iter().all(|&(_, r)| without[r] == analyzer.best(r));
    let best_with_mistake = roots.iter().filter_map(|&(_, r)| with[r]).max();

    Analysis {
        scenario: scn.file.id.clone(),
        positions: analyzer.positions(),
        overall: Summary::of(best, worst, overall_dist),
        personalities,
        endings,
        decisions,
        unreached_nodes,
        best_avoids_mistakes,
        best_with_mistake,
    }
}

fn mark_routing_nodes(scn: &Scenario, analyzer: &Analyzer, reached: &mut [bool]) {
    // Every routing node on the way from a reached position's chosen edge to the next stop.
    let visit = |node: usize, state: &PlayState, reached: &mut [bool]| {
        let mut n = node;
        for _ in 0..=scn.nodes.len() {
            reached[n] = true;
            match &scn.nodes[n].then {
                Then::Branch { cases, otherwise } => {
                    n = cases
                        .iter()
                        .find(|(c, _)| state.holds(c))
                        .map(|(_, x)| *x)
                        .unwrap_or(*otherwise);
                }
                _ => break,
            }
        }
    };
    for (id, e) in analyzer.entries.iter().enumerate() {
        let state = &analyzer.states[id];
        match e.stop {
            Stop::Decision(node) => {
                for &(_, i, _) in &e.children {
                    let mut s = *state;
                    let next = apply_choice(scn, &mut s, node, i, &mut None);
                    visit(next, &s, reached);
                }
            }
            Stop::Chance(node) => {
                if let Then::Chance(branches) = &scn.nodes[node].then {
                    for b in branches {
                        visit(b.next, state, reached);
                    }
                }
            }
            Stop::End(_) => {}
        }
    }
    for &p in &scn.personalities {
        visit(scn.start_node, &PlayState::new(scn, p), reached);
    }
}

fn stop_node(stop: Stop) -> usize {
    match stop {
        Stop::Decision(n) | Stop::Chance(n) | Stop::End(n) => n,
    }
}

/// Scores of many seeded random playthroughs.
pub struct Simulation {
    pub scores: Vec<u32>,
    pub outcomes: Vec<(Outcome, u32)>,
}

impl Simulation {
    pub fn mean(&self) -> f64 {
        self.scores.iter().map(|&s| s as f64).sum::<f64>() / self.scores.len().max(1) as f64
    }

    pub fn median(&self) -> u32 {
        let mut sorted = self.scores.clone();
        sorted.sort_unstable();
        sorted
            .get(sorted.len().saturating_sub(1) / 2)
            .copied()
            .unwrap_or(0)
    }

    /// (score, count) for each score that occurred.
    pub fn histogram(&self) -> Vec<(u32, u32)> {
        let mut counts = [0u32; 101];
        for &s in &self.scores {
            counts[s.min(100) as usize] += 1;
        }
        counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| (s as u32, *n))
            .collect()
    }
}

/// Plays `runs` sessions, choosing uniformly at random; run `k` uses session seed `seed + k`.
pub fn simulate(scn: &std::sync::Arc<Scenario>, runs: u32, seed: u64) -> Simulation {
    use rand::{Rng, SeedableRng};
    let mut policy = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5241_5050_4f52_5421);
    let mut scores = Vec::with_capacity(runs as usize);
    let mut outcomes: Vec<(Outcome, u32)> = Outcome::ALL.iter().map(|&o| (o, 0)).collect();
    for k in 0..runs {
        let mut session = crate::engine::Session::new(scn.clone(), seed.wrapping_add(k as u64));
        for _ in 0..=scn.nodes.len() {
            let options = match session.prompt() {
                crate::engine::Prompt::Choices(list) => list.len(),
                crate::engine::Prompt::Diagnose { .. } => Personality::ALL.len(),
                crate::engine::Prompt::Ended => break,
            };
            if options == 0 || session.choose(policy.random_range(0..options)).is_err() {
                break;
            }
        }
        if let Some(report) = crate::scoring::report(&session) {
            scores.push(report.score.total);
            if let Some(slot) = outcomes.iter_mut().find(|(o, _)| *o == report.outcome) {
                slot.1 += 1;
            }
        }
    }
    Simulation { scores, outcomes }
}

/// One line of the library table in `docs/library.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryRow {
    pub id: String,
    pub file: String,
    pub title: String,
    pub locale: String,
    pub personalities: Vec<Personality>,
    pub central: Option<crate::vocabulary::Category>,
    pub categories: Vec<crate::vocabulary::Category>,
    pub techniques: Vec<String>,
    pub best: u32,
    pub median: u32,
    pub worst: u32,
    pub discrimination: i64,
    pub decisions_on_best_path: usize,
    pub endings: usize,
}

pub fn library_rows(scenarios: &[(std::path::PathBuf, Scenario)]) -> Vec<LibraryRow> {
    scenarios
        .iter()
        .map(|(path, scn)| library_row(path, scn, &analyze(scn)))
        .collect()
}

pub fn library_row(path: &std::path::Path, scn: &Scenario, a: &Analysis) -> LibraryRow {
    {
        {
            let mut techniques: Vec<String> = scn
                .nodes
                .iter()
                .flat_map(|n| match &n.then {
                    Then::Choices(list) => list.iter().flat_map(|c| c.techniques.clone()).collect(),
                    _ => Vec::new(),
                })
                .map(|t| scn.model.technique_def(t).id.clone())
                .collect();
            techniques.sort();
            techniques.dedup();
            let decisions_on_best_path = a
                .personalities
                .iter()
                .map(|p| {
                    p.best_path
                        .iter()
                        .filter(|s| matches!(s, PathStep::Chose { .. }))
                        .count()
                })
                .min()
                .unwrap_or(0);
            LibraryRow {
                id: scn.file.id.clone(),
                file: path
                    .file_name()
                    .map(|f| f.to_string_lossy().to_string())
                    .unwrap_or_default(),
                title: scn.file.title.clone(),
                locale: scn.locale().code().to_string(),
                personalities: scn.personalities.clone(),
                central: scn
                    .objections
                    .iter()
                    .find(|o| o.central)
                    .map(|o| o.category),
                categories: scn.file.categories.clone(),
                techniques,
                best: a.overall.best,
                median: a.overall.median,
                worst: a.overall.worst,
                discrimination: a.overall.discrimination,
                decisions_on_best_path,
                endings: a.endings.len(),
            }
        }
    }
}

pub fn library_markdown(rows: &[LibraryRow]) -> String {
    use std::fmt::Write;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "| scenario | locale | personality | central objection | best | median | worst | decisions | techniques |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let _ = writeln!(
            md,
            "| {} (`{}`) | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.title,
            r.file,
            r.locale,
            r.personalities
                .iter()
                .map(|p| p.code())
                .collect::<Vec<_>>()
                .join(" / "),
            r.central.map(|c| c.code()).unwrap_or("-"),
            r.best,
            r.median,
            r.worst,
            r.decisions_on_best_path,
            r.techniques.join(", ")
        );
    }
    md
}

fn is_mistake(scn: &Scenario, stop: Stop, choice: usize) -> bool {
    match (stop, &scn.nodes[stop_node(stop)].then) {
        (Stop::Decision(_), Then::Choices(list)) => list[choice].mistake,
        _ => false,
    }
}

/// For every position: the best score reachable without taking a choice marked as a mistake,
/// and the best score of lines that take at least one. One pass in valuation order, where
/// children come before their parents.
fn mistake_bounds(scn: &Scenario, analyzer: &Analyzer) -> (Vec<u32>, Vec<Option<u32>>) {
    let n = analyzer.entries.len();
    let mut without = vec![0u32; n];
    let mut with: Vec<Option<u32>> = vec![None; n];
    for &id in &analyzer.order {
        let e = &analyzer.entries[id];
        if e.children.is_empty() {
            without[id] = e.best;
            continue;
        }
        let mut best_without = None;
        let mut best_with = None;
        for &(c, i, _) in &e.children {
            if is_mistake(scn, e.stop, i) {
                best_with = best_with.max(Some(analyzer.entries[c].best));
            } else {
                best_without = best_without.max(Some(without[c]));
                best_with = best_with.max(with[c]);
            }
        }
        without[id] = best_without.unwrap_or(0);
        with[id] = best_with;
    }
    (without, with)
}
