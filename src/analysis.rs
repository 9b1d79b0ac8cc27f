//! Exhaustive analysis of a scenario: best and worst play, the exact score distribution of
//! random play, reachable endings and the points of no return.
//!
//! It explores positions (a node plus the [`PlayState`] that decides the score) rather than
//! paths, memoising each one, so its cost grows with the number of distinct positions, not
//! with the exponential number of paths. Loops are forbidden by validation, so positions form
//! a DAG: they are reached in topological order of their nodes and valued once each, children
//! first, without recursion.

use crate::compile::{Cond, FastMap, Scenario, Then};
use crate::engine::{PlayState, Stop, apply_choice, arrive, draw, trust_delta, visible_choices};
use crate::scoring::total;
use crate::vocabulary::{Outcome, Personality};
use serde::{Deserialize, Serialize};

/// The most positions an exact analysis explores, and the most classes (positions that
/// differ only in trust, each expanded once). Beyond either the analysis stops — its time
/// and memory are bounded by these, not by the scenario — and an estimate is given instead;
/// docs/performance.md has what they cost on the reference machine.
pub const POSITION_BUDGET: usize = 4_000_000;
pub const CLASS_BUDGET: usize = 150_000;
/// Moves between classes, and their targets per trust band: the analysis's largest tables.
pub const EDGE_BUDGET: usize = 1_500_000;
pub const TARGET_BUDGET: usize = 12_000_000;

/// Trust runs from 0 to 100; a position is numbered `class * TRUST_LEVELS + trust`.
const TRUST_LEVELS: usize = 101;
const UNKNOWN: u32 = u32::MAX;
const NO_SCORE: u8 = u8::MAX;

/// A class's identity packed into six words: looking it up is the analysis's inner loop,
/// and the whole `PlayState` is three times larger.
type Key = [u64; 6];

fn key(stop: Stop, s: &PlayState) -> Key {
    let (kind, node) = match stop {
        Stop::Decision(n) => (0, n),
        Stop::Chance(n) => (1, n),
        Stop::End(n) => (2, n),
    };
    let diagnosis = match s.diagnosis {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    };
    let head = kind
        | (node as u64) << 2
        | (s.personality as u64) << 34
        | (s.stage as u64) << 36
        | (s.style_balance as u8 as u64) << 38
        | diagnosis << 46
        | (s.mistakes as u64) << 48
        | (s.contact_start as u64) << 51
        | (s.contact as u64) << 53;
    let mut tracks = [0u64; 2];
    for (i, t) in s.objections.iter().enumerate() {
        let code =
            t.status as u64 | t.timing.map_or(0, |x| x as u64 + 1) << 3 | (t.fresh as u64) << 6;
        tracks[i / 9] |= code << (7 * (i % 9));
    }
    let promises = s.promises_made as u64
        | (s.promises_due as u64) << 16
        | (s.promises_kept as u64) << 32
        | (s.promises_broken as u64) << 48;
    [head, s.flags, s.milestones, tracks[0], tracks[1], promises]
}

/// A score distribution: (score, probability) pairs sorted by score.
pub type Distribution = Vec<(u32, f64)>;

/// The trust levels that conditions and stage rules tell apart: two trust values in the same
/// band pass and fail exactly the same tests.
struct Bands {
    of: [u8; TRUST_LEVELS],
    /// The lowest trust in each band, to evaluate a band's conditions with.
    lowest: Vec<i32>,
}

impl Bands {
    fn new(scn: &Scenario) -> Bands {
        fn cuts_in(cond: &Cond, cuts: &mut Vec<i32>) {
            match cond {
                Cond::TrustAtLeast(t) | Cond::TrustBelow(t) => cuts.push(*t),
                Cond::All(list) | Cond::Any(list) => list.iter().for_each(|c| cuts_in(c, cuts)),
                Cond::Not(inner) => cuts_in(inner, cuts),
                _ => {}
            }
        }
        let mut cuts: Vec<i32> = scn.model.stage_rules.iter().map(|r| r.0).collect();
        for node in &scn.nodes {
            match &node.then {
                Then::Choices(list) => list
                    .iter()
                    .filter_map(|c| c.when.as_ref())
                    .for_each(|c| cuts_in(c, &mut cuts)),
                Then::Branch { cases, .. } => cases.iter().for_each(|(c, _)| cuts_in(c, &mut cuts)),
                _ => {}
            }
        }
        cuts.retain(|&c| (1..TRUST_LEVELS as i32).contains(&c));
        cuts.sort_unstable();
        cuts.dedup();
        let mut of = [0u8; TRUST_LEVELS];
        let mut lowest = vec![0];
        for (t, band) in of.iter_mut().enumerate() {
            let b = cuts.iter().take_while(|&&c| c <= t as i32).count();
            if b == lowest.len() {
                lowest.push(t as i32);
            }
            *band = b as u8;
        }
        Bands { of, lowest }
    }

    fn count(&self) -> usize {
        self.lowest.len()
    }
}

/// Every state at one stop that differs only in trust. Trust is kept apart because a
/// choice moves it by the same amount whatever it was, and its other effects depend on it
/// only through the bands: so a class expands once for all the trust values it is reached
/// with, and each of those values costs a few array steps, not a hashed state of its own.
struct Class {
    stop: Stop,
    /// The state with trust set to 0.
    state: PlayState,
    /// The trust levels it is reached with from the roots, as a bit set.
    reached: [u64; 2],
    /// Its moves, once expanded: `edge_count` edges from `first_edge` in the analyzer's
    /// list, one per choice, chance branch or personality named.
    first_edge: u32,
    edge_count: u32,
    /// Where its table of open edges (per band of the trust here, which edges a condition
    /// leaves open) starts in the analyzer's list.
    first_open: u32,
    expanded: bool,
    /// Where its cells start, and the trust of the first cell.
    first_cell: usize,
    low: usize,
}

struct Edge {
    /// The choice's index in the node's list, the chance branch, or the personality named.
    label: usize,
    /// A chance branch's probability; 0 for a trainee's move, which random play picks
    /// uniformly among the open ones.
    chance: f64,
    delta: i32,
    mistake: bool,
    /// Where its targets start in the analyzer's list: the class it leads to per band of
    /// the trust it leads to, found when first needed.
    first_target: u32,
}

/// What is known about one position once its future is valued.
#[derive(Debug, Clone, Copy)]
struct Cell {
    best: u8,
    worst: u8,
    /// Final trust on the best and worst lines: among equal scores, the line that leaves
    /// the customer trusting more is the one shown as best.
    best_trust: u8,
    worst_trust: u8,
    best_edge: u32,
    worst_edge: u32,
    /// The best score of a line that takes no choice marked as a mistake, and of one that
    /// takes at least one (`NO_SCORE` when there is none).
    best_clean: u8,
    best_flawed: u8,
}

const EMPTY_CELL: Cell = Cell {
    best: 0,
    worst: 0,
    best_trust: 0,
    worst_trust: 0,
    best_edge: UNKNOWN,
    worst_edge: UNKNOWN,
    best_clean: 0,
    best_flawed: NO_SCORE,
};

fn trust_levels(bits: [u64; 2]) -> impl Iterator<Item = usize> {
    let mut word = 0;
    let mut rest = bits[0];
    std::iter::from_fn(move || {
        while rest == 0 {
            word += 1;
            if word == bits.len() {
                return None;
            }
            rest = bits[word];
        }
        let bit = rest.trailing_zeros() as usize;
        rest &= rest - 1;
        Some(word * 64 + bit)
    })
}

fn stop_node(stop: Stop) -> usize {
    match stop {
        Stop::Decision(n) | Stop::Chance(n) | Stop::End(n) => n,
    }
}

/// The memoised position graph of one scenario, explored from the roots it is given.
pub struct Analyzer<'a> {
    scn: &'a Scenario,
    bands: Bands,
    /// Each node's place in a topological order of the scenario's graph.
    rank: Vec<usize>,
    /// Per stop node, the flags some later condition may still read: the others can no
    /// longer change anything, so states differing only in them are one class.
    live_flags: Vec<u64>,
    index: FastMap<Key, u32>,
    classes: Vec<Class>,
    edges: Vec<Edge>,
    targets: Vec<u32>,
    open: Vec<bool>,
    roots: Vec<(u32, usize)>,
    /// Classes reached from the roots, parents before children.
    order: Vec<u32>,
    cells: Vec<Cell>,
    /// Nodes passed through on the way between positions, routing nodes included.
    visited: Vec<bool>,
    /// At most this many positions are explored; past it the analyzer gives up.
    budget: usize,
    reached_positions: usize,
    over_budget: bool,
    /// Set by another thread to stop the work (the app's debrief screen was left).
    cancel: Option<&'a std::sync::atomic::AtomicBool>,
}

impl<'a> Analyzer<'a> {
    pub fn new(scn: &'a Scenario) -> Self {
        Analyzer::with_budget(scn, POSITION_BUDGET)
    }

    /// An analyzer that explores at most `budget` positions.
    pub fn with_budget(scn: &'a Scenario, budget: usize) -> Self {
        let rank = topological_rank(scn);
        Analyzer {
            scn,
            bands: Bands::new(scn),
            live_flags: live_flags(scn, &rank),
            rank,
            index: FastMap::default(),
            classes: Vec::new(),
            edges: Vec::new(),
            targets: Vec::new(),
            open: Vec::new(),
            roots: Vec::new(),
            order: Vec::new(),
            cells: Vec::new(),
            visited: vec![false; scn.nodes.len()],
            budget,
            reached_positions: 0,
            over_budget: false,
            cancel: None,
        }
    }

    /// Stops exploring (as if over budget) once `cancel` is set.
    pub fn cancelled_by(mut self, cancel: &'a std::sync::atomic::AtomicBool) -> Self {
        self.cancel = Some(cancel);
        self
    }

    fn is_cancelled(&self) -> bool {
        self.cancel
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// True once the positions to explore exceeded the budget: no value may be read then.
    pub fn over_budget(&self) -> bool {
        self.over_budget
    }

    /// What multiplies the positions: at the node with the most classes, the flags and
    /// objections whose states differ among them.
    pub fn what_multiplies(&self) -> String {
        // Endings gather every state; the decision where they pile up says more.
        let mut per_node: FastMap<usize, Vec<&PlayState>> = FastMap::default();
        for c in self
            .classes
            .iter()
            .filter(|c| !matches!(c.stop, Stop::End(_)))
        {
            per_node
                .entry(stop_node(c.stop))
                .or_default()
                .push(&c.state);
        }
        let Some((&node, states)) = per_node
            .iter()
            .max_by_key(|(n, v)| (v.len(), std::cmp::Reverse(**n)))
        else {
            return String::new();
        };
        let first = states[0];
        let mut flags = 0u64;
        let mut objections = vec![false; self.scn.objections.len()];
        let mut other = false;
        for s in states {
            flags |= s.flags ^ first.flags;
            for (i, seen) in objections.iter_mut().enumerate() {
                *seen |= s.objections[i] != first.objections[i];
            }
            other |= s.stage != first.stage
                || s.milestones != first.milestones
                || s.style_balance != first.style_balance
                || s.mistakes != first.mistakes
                || s.personality != first.personality;
        }
        let flag_names: Vec<&str> = (0..64)
            .filter(|i| flags & (1 << i) != 0)
            .filter_map(|i| self.scn.flags.get(i).map(String::as_str))
            .collect();
        let objection_names: Vec<&str> = objections
            .iter()
            .enumerate()
            .filter(|(_, d)| **d)
            .map(|(i, _)| self.scn.objections[i].id.as_str())
            .collect();
        let mut parts = Vec::new();
        if !flag_names.is_empty() {
            parts.push(format!("flags {}", flag_names.join(", ")));
        }
        if !objection_names.is_empty() {
            parts.push(format!("objections {}", objection_names.join(", ")));
        }
        if other {
            parts.push("stage, milestones, style or mistakes".to_string());
        }
        format!(
            "{} different states reach node `{}` before the budget ({} positions, {} classes of positions) ran out; they differ in {}",
            states.len(),
            self.scn.nodes[node].id,
            self.budget,
            CLASS_BUDGET,
            if parts.is_empty() {
                "trust only".to_string()
            } else {
                parts.join("; ")
            }
        )
    }

    /// Number of distinct positions (a stop plus the whole state) reached from the roots.
    pub fn positions(&self) -> usize {
        self.order
            .iter()
            .map(|&c| {
                let r = self.classes[c as usize].reached;
                (r[0].count_ones() + r[1].count_ones()) as usize
            })
            .sum()
    }

    fn intern(&mut self, stop: Stop, mut state: PlayState) -> (u32, bool) {
        state.trust = 0;
        state.flags &= self.live_flags[stop_node(stop)];
        let key = key(stop, &state);
        if let Some(&id) = self.index.get(&key) {
            return (id, false);
        }
        let id = self.classes.len() as u32;
        self.classes.push(Class {
            stop,
            state,
            reached: [0; 2],
            first_edge: 0,
            edge_count: 0,
            first_open: 0,
            expanded: false,
            first_cell: 0,
            low: 0,
        });
        self.index.insert(key, id);
        (id, true)
    }

    fn is_reached(&self, class: u32, trust: usize) -> bool {
        self.classes[class as usize].reached[trust / 64] & (1 << (trust % 64)) != 0
    }

    /// The positions reached by arriving at each `(node, state)`, explored together; `None`
    /// when they do not fit the budget.
    pub fn positions_after_arriving(
        &mut self,
        starts: &[(usize, PlayState)],
    ) -> Option<Vec<usize>> {
        let mut ids = Vec::new();
        for &(node, mut state) in starts {
            self.mark_route(node, &state);
            let stop = arrive(self.scn, &mut state, node, &mut None);
            let trust = state.trust.clamp(0, 100) as usize;
            let (class, _) = self.intern(stop, state);
            self.roots.push((class, trust));
            ids.push(class as usize * TRUST_LEVELS + trust);
        }
        self.explore();
        (!self.over_budget).then_some(ids)
    }

    /// The position of a decision `node` already arrived at with `state` (as a session holds
    /// it). Positions already explored are answered at once; others are explored first;
    /// `None` when they do not fit the budget.
    pub fn position_at(&mut self, node: usize, state: PlayState) -> Option<usize> {
        if self.over_budget {
            return None;
        }
        let stop = match self.scn.nodes[node].then {
            Then::End(_) => Stop::End(node),
            Then::Chance(_) => Stop::Chance(node),
            _ => Stop::Decision(node),
        };
        let trust = state.trust.clamp(0, 100) as usize;
        let (class, _) = self.intern(stop, state);
        if !self.is_reached(class, trust) {
            self.visited[node] = true;
            self.roots.push((class, trust));
            self.explore();
        }
        (!self.over_budget).then_some(class as usize * TRUST_LEVELS + trust)
    }

    /// Marks the routing nodes passed from `node` to the next stop.
    fn mark_route(&mut self, node: usize, state: &PlayState) {
        let scn = self.scn;
        let mut n = node;
        for _ in 0..=scn.nodes.len() {
            self.visited[n] = true;
            match &scn.nodes[n].then {
                Then::Branch { cases, otherwise } => n = state.route(cases, *otherwise),
                Then::Later { next, .. } => n = *next,
                _ => break,
            }
        }
    }

    /// Finds every position reachable from the roots, then values them children first.
    /// Classes and their edges are kept between calls, so ids stay valid as roots are added.
    fn explore(&mut self) {
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); self.scn.nodes.len()];
        for (id, class) in self.classes.iter_mut().enumerate() {
            class.reached = [0; 2];
            buckets[self.rank[stop_node(class.stop)]].push(id as u32);
        }
        for &(class, trust) in &self.roots {
            self.classes[class as usize].reached[trust / 64] |= 1 << (trust % 64);
        }
        self.order.clear();
        // A move always leads to a node later in the topological order, so a class is
        // complete (every trust it is reached with is known) when its bucket comes up.
        self.reached_positions = 0;
        for rank in 0..buckets.len() {
            let mut i = 0;
            while i < buckets[rank].len() {
                let class = buckets[rank][i];
                i += 1;
                let reached = self.classes[class as usize].reached;
                if reached != [0; 2] {
                    self.reached_positions +=
                        (reached[0].count_ones() + reached[1].count_ones()) as usize;
                    if self.reached_positions > self.budget
                        || self.classes.len() > CLASS_BUDGET
                        || self.edges.len() > EDGE_BUDGET
                        || self.targets.len() > TARGET_BUDGET
                        || self.is_cancelled()
                    {
                        self.over_budget = true;
                        return;
                    }
                    self.order.push(class);
                    self.spread(class, &mut buckets);
                }
            }
        }
        self.value_all();
    }

    fn expand(&mut self, class: u32) {
        let scn = self.scn;
        let c = &self.classes[class as usize];
        let (stop, state) = (c.stop, c.state);
        let bands = self.bands.count();
        let first_edge = self.edges.len();
        let first_open = self.open.len();
        let mut add = |label, chance, delta, mistake| {
            self.edges.push(Edge {
                label,
                chance,
                delta,
                mistake,
                first_target: self.targets.len() as u32,
            });
            self.targets.extend(std::iter::repeat_n(UNKNOWN, bands));
        };
        match (stop, &scn.nodes[stop_node(stop)].then) {
            (Stop::Decision(_), Then::Choices(list)) => {
                for (i, choice) in list.iter().enumerate() {
                    add(
                        i,
                        0.0,
                        trust_delta(scn, state.personality, choice),
                        choice.mistake,
                    );
                }
                for &lowest in &self.bands.lowest {
                    let at = PlayState {
                        trust: lowest,
                        ..state
                    };
                    self.open
                        .extend(list.iter().map(|choice| at.can_choose(choice)));
                }
            }
            (Stop::Decision(_), Then::Diagnose { .. }) => {
                for i in 0..Personality::ALL.len() {
                    add(i, 0.0, 0, false);
                }
            }
            (Stop::Chance(_), Then::Chance(branches)) => {
                let total_weight: u64 = branches.iter().map(|b| b.weight as u64).sum();
                for (i, b) in branches.iter().enumerate() {
                    if b.weight > 0 {
                        add(i, b.weight as f64 / total_weight as f64, 0, false);
                    }
                }
            }
            _ => {}
        }
        let edge_count = self.edges.len() - first_edge;
        if self.open.len() == first_open {
            self.open
                .extend(std::iter::repeat_n(true, bands * edge_count));
        }
        let c = &mut self.classes[class as usize];
        c.first_edge = first_edge as u32;
        c.edge_count = edge_count as u32;
        c.first_open = first_open as u32;
        c.expanded = true;
    }

    fn is_open(&self, class: &Class, trust: usize, edge: usize) -> bool {
        self.open[class.first_open as usize
            + self.bands.of[trust] as usize * class.edge_count as usize
            + edge]
    }

    fn edge(&self, class: &Class, k: usize) -> &Edge {
        &self.edges[class.first_edge as usize + k]
    }

    /// Passes the trust levels a class is reached with on to the classes its moves lead to.
    fn spread(&mut self, class: u32, buckets: &mut [Vec<u32>]) {
        if !self.classes[class as usize].expanded {
            self.expand(class);
        }
        let c = &self.classes[class as usize];
        let (reached, first_edge, edges) =
            (c.reached, c.first_edge as usize, c.edge_count as usize);
        for trust in trust_levels(reached) {
            for k in 0..edges {
                if !self.is_open(&self.classes[class as usize], trust, k) {
                    continue;
                }
                let e = &self.edges[first_edge + k];
                let after = (trust as i32 + e.delta).clamp(0, 100) as usize;
                let slot = e.first_target as usize + self.bands.of[after] as usize;
                let mut child = self.targets[slot];
                if child == UNKNOWN {
                    let (found, new) = self.follow(class, k, trust);
                    if new {
                        let stop = self.classes[found as usize].stop;
                        buckets[self.rank[stop_node(stop)]].push(found);
                    }
                    self.targets[slot] = found;
                    child = found;
                }
                self.classes[child as usize].reached[after / 64] |= 1 << (after % 64);
            }
        }
    }

    /// Takes edge `k` from the class at `trust` through the engine's own rules.
    fn follow(&mut self, class: u32, k: usize, trust: usize) -> (u32, bool) {
        let scn = self.scn;
        let c = &self.classes[class as usize];
        let label = self.edge(c, k).label;
        let mut state = PlayState {
            trust: trust as i32,
            ..c.state
        };
        let next = match (c.stop, &scn.nodes[stop_node(c.stop)].then) {
            (Stop::Chance(node), Then::Chance(_)) => draw(scn, &mut state, node, label),
            (Stop::Decision(node), _) => apply_choice(scn, &mut state, node, label, &mut None),
            (stop, _) => stop_node(stop),
        };
        self.mark_route(next, &state);
        let stop = arrive(scn, &mut state, next, &mut None);
        self.intern(stop, state)
    }

    fn cell_index(&self, id: usize) -> usize {
        let c = &self.classes[id / TRUST_LEVELS];
        c.first_cell + id % TRUST_LEVELS - c.low
    }

    fn cell(&self, id: usize) -> &Cell {
        &self.cells[self.cell_index(id)]
    }

    /// The position edge `k` leads to from position `id`.
    fn child(&self, id: usize, k: usize) -> usize {
        let e = self.edge(&self.classes[id / TRUST_LEVELS], k);
        let after = ((id % TRUST_LEVELS) as i32 + e.delta).clamp(0, 100) as usize;
        let slot = e.first_target as usize + self.bands.of[after] as usize;
        self.targets[slot] as usize * TRUST_LEVELS + after
    }

    /// The edges open at position `id`.
    fn open_edges(&self, id: usize) -> impl Iterator<Item = usize> + '_ {
        let c = &self.classes[id / TRUST_LEVELS];
        let trust = id % TRUST_LEVELS;
        (0..c.edge_count as usize).filter(move |&k| self.is_open(c, trust, k))
    }

    fn value_all(&mut self) {
        self.cells.clear();
        for &class in &self.order {
            let c = &mut self.classes[class as usize];
            let mut levels = trust_levels(c.reached);
            let low = levels.next().unwrap_or(0);
            let high = levels.last().unwrap_or(low);
            c.low = low;
            c.first_cell = self.cells.len();
            self.cells
                .extend(std::iter::repeat_n(EMPTY_CELL, high - low + 1));
        }
        for i in (0..self.order.len()).rev() {
            let class = self.order[i] as usize;
            for trust in trust_levels(self.classes[class].reached) {
                let id = class * TRUST_LEVELS + trust;
                let cell = self.value(id);
                let at = self.cell_index(id);
                self.cells[at] = cell;
            }
        }
    }

    fn value(&self, id: usize) -> Cell {
        let scn = self.scn;
        let c = &self.classes[id / TRUST_LEVELS];
        let trust = id % TRUST_LEVELS;
        let final_score = |outcome| {
            let state = PlayState {
                trust: trust as i32,
                ..c.state
            };
            let s = total(scn, &state, outcome) as u8;
            Cell {
                best: s,
                worst: s,
                best_trust: trust as u8,
                worst_trust: trust as u8,
                best_clean: s,
                ..EMPTY_CELL
            }
        };
        if let Stop::End(node) = c.stop {
            let outcome = match &scn.nodes[node].then {
                Then::End(e) => e.outcome,
                _ => Outcome::Stalled,
            };
            return final_score(outcome);
        }
        let mut cell = Cell {
            best: 0,
            worst: u8::MAX,
            best_trust: 0,
            worst_trust: u8::MAX,
            best_clean: NO_SCORE,
            ..EMPTY_CELL
        };
        let mut any = false;
        for k in self.open_edges(id) {
            any = true;
            let child = self.cell(self.child(id, k));
            if (child.best, child.best_trust) > (cell.best, cell.best_trust)
                || cell.best_edge == UNKNOWN
            {
                (cell.best, cell.best_trust, cell.best_edge) =
                    (child.best, child.best_trust, k as u32);
            }
            if (child.worst, child.worst_trust) < (cell.worst, cell.worst_trust)
                || cell.worst_edge == UNKNOWN
            {
                (cell.worst, cell.worst_trust, cell.worst_edge) =
                    (child.worst, child.worst_trust, k as u32);
            }
            let flawed = if self.edge(c, k).mistake {
                child.best
            } else {
                if cell.best_clean == NO_SCORE || child.best_clean > cell.best_clean {
                    cell.best_clean = child.best_clean;
                }
                child.best_flawed
            };
            if flawed != NO_SCORE && (cell.best_flawed == NO_SCORE || flawed > cell.best_flawed) {
                cell.best_flawed = flawed;
            }
        }
        if !any {
            // A decision with every choice hidden by its condition: the trainee is stuck,
            // which the scenario's validation should have prevented; score it as stalled.
            return final_score(Outcome::Stalled);
        }
        if cell.best_clean == NO_SCORE {
            cell.best_clean = 0;
        }
        cell
    }

    pub fn best(&self, id: usize) -> u32 {
        self.cell(id).best as u32
    }
    pub fn worst(&self, id: usize) -> u32 {
        self.cell(id).worst as u32
    }
    /// The best score from `id` of a line that takes no choice marked as a mistake.
    fn best_clean(&self, id: usize) -> u32 {
        self.cell(id).best_clean as u32
    }
    /// The best score from `id` of a line that takes at least one mistake, if there is one.
    fn best_flawed(&self, id: usize) -> Option<u32> {
        let b = self.cell(id).best_flawed;
        (b != NO_SCORE).then_some(b as u32)
    }

    /// The exact score distribution of random play from `root`: reach probabilities pushed
    /// forward through the positions in topological order, collected at the endings. One
    /// number per position, instead of a distribution per position.
    pub fn distribution(&self, root: usize) -> Distribution {
        let mut reach = vec![0.0f64; self.cells.len()];
        reach[self.cell_index(root)] = 1.0;
        let mut acc = [0.0f64; 101];
        for &class in &self.order {
            let c = &self.classes[class as usize];
            for trust in trust_levels(c.reached) {
                let id = class as usize * TRUST_LEVELS + trust;
                let p = reach[self.cell_index(id)];
                if p == 0.0 {
                    continue;
                }
                let open = self.open_edges(id).count();
                if open == 0 {
                    acc[(self.cell(id).best as usize).min(100)] += p;
                    continue;
                }
                for k in self.open_edges(id) {
                    let q = match c.stop {
                        Stop::Chance(_) => self.edge(c, k).chance,
                        _ => 1.0 / open as f64,
                    };
                    reach[self.cell_index(self.child(id, k))] += p * q;
                }
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
        let c = &self.classes[id / TRUST_LEVELS];
        match c.stop {
            Stop::Decision(_) => self
                .open_edges(id)
                .map(|k| (self.edge(c, k).label, self.best(self.child(id, k))))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The position a choice (index into the node's list) leads to from a decision position.
    pub fn child_for_choice(&self, id: usize, choice: usize) -> Option<usize> {
        let c = &self.classes[id / TRUST_LEVELS];
        self.open_edges(id)
            .find(|&k| self.edge(c, k).label == choice)
            .map(|k| self.child(id, k))
    }

    /// The line of play from a position that reaches its best (or worst) score.
    pub fn line(&self, mut id: usize, best: bool) -> Vec<PathStep> {
        let scn = self.scn;
        let mut steps = Vec::new();
        loop {
            let c = &self.classes[id / TRUST_LEVELS];
            let cell = self.cell(id);
            let pick = if best {
                cell.best_edge
            } else {
                cell.worst_edge
            };
            match c.stop {
                Stop::End(node) => {
                    steps.push(PathStep::Ended {
                        node: scn.nodes[node].id.clone(),
                    });
                    return steps;
                }
                _ if pick == UNKNOWN => return steps,
                Stop::Decision(node) => {
                    let choice = self.edge(c, pick as usize).label;
                    let state = PlayState {
                        trust: (id % TRUST_LEVELS) as i32,
                        ..c.state
                    };
                    let shown = visible_choices(scn, &state, node)
                        .iter()
                        .position(|&v| v == choice)
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
                }
                Stop::Chance(node) => {
                    let branch = self.edge(c, pick as usize).label;
                    let note = match &scn.nodes[node].then {
                        Then::Chance(b) => b[branch].note.to_string(),
                        _ => String::new(),
                    };
                    steps.push(PathStep::Chance {
                        node: scn.nodes[node].id.clone(),
                        branch: branch + 1,
                        note,
                    });
                }
            }
            id = self.child(id, pick as usize);
        }
    }

    /// The ending a line of best play from `id` reaches.
    pub fn best_ending(&self, mut id: usize) -> Option<usize> {
        loop {
            let c = &self.classes[id / TRUST_LEVELS];
            let pick = self.cell(id).best_edge;
            match c.stop {
                Stop::End(node) => return Some(node),
                _ if pick == UNKNOWN => return None,
                _ => id = self.child(id, pick as usize),
            }
        }
    }
}

/// Per node, the flags read by a condition on some path from it before a choice overwrites
/// them: backward liveness over the scenario's graph, in reverse topological order.
fn live_flags(scn: &Scenario, rank: &[usize]) -> Vec<u64> {
    fn reads(cond: &Cond) -> u64 {
        match cond {
            Cond::Flag(mask) | Cond::NotFlag(mask) => *mask,
            Cond::All(list) | Cond::Any(list) => list.iter().map(reads).fold(0, |a, b| a | b),
            Cond::Not(inner) => reads(inner),
            _ => 0,
        }
    }
    let mut by_rank: Vec<usize> = (0..scn.nodes.len()).collect();
    by_rank.sort_by_key(|&n| std::cmp::Reverse(rank[n]));
    let mut live = vec![0u64; scn.nodes.len()];
    for n in by_rank {
        live[n] = match &scn.nodes[n].then {
            Then::Choices(list) => list.iter().fold(0, |acc, c| {
                acc | c.when.as_ref().map_or(0, reads) | (live[c.next] & !(c.set | c.clear))
            }),
            Then::Branch { cases, otherwise } => {
                cases.iter().fold(live[*otherwise], |acc, (c, next)| {
                    acc | reads(c) | live[*next]
                })
            }
            Then::Chance(branches) => branches.iter().fold(0, |acc, b| acc | live[b.next]),
            Then::Diagnose { next, .. } | Then::Later { next, .. } => live[*next],
            Then::End(_) => 0,
        };
    }
    live
}

/// Each node's place in a topological order of the scenario's graph (validation forbids
/// loops; a node left over by one would be ranked last).
fn topological_rank(scn: &Scenario) -> Vec<usize> {
    let n = scn.nodes.len();
    let successors = |i: usize| crate::compile::successors(&scn.nodes[i].then);
    let mut incoming = vec![0usize; n];
    for i in 0..n {
        for s in successors(i) {
            incoming[s] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| incoming[i] == 0).collect();
    let mut rank = vec![n.saturating_sub(1); n];
    let mut next_rank = 0;
    while let Some(i) = ready.pop() {
        rank[i] = next_rank;
        next_rank += 1;
        for s in successors(i) {
            incoming[s] -= 1;
            if incoming[s] == 0 {
                ready.push(s);
            }
        }
    }
    rank
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
    /// `None` for an exact analysis; for a scenario too large for one, how the figures were
    /// estimated. Then best and worst are bounds (the best and worst lines found), the
    /// distribution is sampled, and nothing is known per decision.
    pub estimate: Option<Estimate>,
}

/// How an analysis too large to be exact was estimated instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Seeded random playthroughs behind the distribution (seeds 1, 2, …).
    pub samples: u32,
    /// Half the width of the 95 % confidence interval of the mean score.
    pub mean_margin: f64,
    /// Why the exact analysis did not fit: what multiplies the positions.
    pub why: String,
}

impl Analysis {
    pub fn is_exact(&self) -> bool {
        self.estimate.is_none()
    }
}

/// Random playthroughs for an estimate use at most about this many decisions in all (and
/// at least `ESTIMATE_MIN_SAMPLES` playthroughs while they fit in it).
pub const ESTIMATE_DECISIONS: u64 = 300_000;
pub const ESTIMATE_MIN_SAMPLES: u32 = 100;
pub const ESTIMATE_MAX_SAMPLES: u32 = 5_000;
/// However long the conversations, at least this many playthroughs are sampled.
pub const ESTIMATE_FLOOR_SAMPLES: u32 = 10;

/// Analyses every personality the scenario can draw; random play draws it uniformly. Exact
/// within `POSITION_BUDGET` positions; beyond it, a labelled estimate.
pub fn analyze(scn: &Scenario) -> Analysis {
    analyze_within(scn, POSITION_BUDGET)
}

/// Where play starts: the start node with each personality the customer can have.
fn starting_positions(scn: &Scenario) -> Vec<(usize, PlayState)> {
    scn.personalities
        .iter()
        .map(|&p| (scn.start_node, PlayState::new(scn, p)))
        .collect()
}

/// Whether `scn` can be analysed exactly within the budget: the number of positions, or why
/// not (what multiplies them). Costs at most one budget's worth of exploration.
pub fn fits_budget(scn: &Scenario) -> Result<usize, String> {
    let mut analyzer = Analyzer::new(scn);
    let starts = starting_positions(scn);
    match analyzer.positions_after_arriving(&starts) {
        Some(_) => Ok(analyzer.positions()),
        None => Err(analyzer.what_multiplies()),
    }
}

/// As `analyze`, with the exact analysis limited to `budget` positions.
pub fn analyze_within(scn: &Scenario, budget: usize) -> Analysis {
    let mut analyzer = Analyzer::with_budget(scn, budget);
    let starts = starting_positions(scn);
    let Some(ids) = analyzer.positions_after_arriving(&starts) else {
        let why = analyzer.what_multiplies();
        drop(analyzer);
        return estimate(scn, why);
    };
    let roots: Vec<(Personality, usize)> = scn.personalities.iter().copied().zip(ids).collect();
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
    let mut node_reached = analyzer.visited.clone();
    let mut end_range: Vec<Option<(u32, u32)>> = vec![None; scn.nodes.len()];
    let mut node_best: Vec<Option<u32>> = vec![None; scn.nodes.len()];
    let mut choice_best: FastMap<(usize, usize), u32> = FastMap::default();
    for &class in &analyzer.order {
        let c = &analyzer.classes[class as usize];
        let node = stop_node(c.stop);
        node_reached[node] = true;
        for trust in trust_levels(c.reached) {
            let id = class as usize * TRUST_LEVELS + trust;
            let best = analyzer.best(id);
            match c.stop {
                Stop::End(_) => {
                    let r = end_range[node].get_or_insert((best, best));
                    r.0 = r.0.max(best);
                    r.1 = r.1.min(best);
                }
                Stop::Decision(_) | Stop::Chance(_) => {
                    let b = node_best[node].get_or_insert(best);
                    *b = (*b).max(best);
                    if matches!(c.stop, Stop::Decision(_)) {
                        for k in analyzer.open_edges(id) {
                            let after = analyzer.best(analyzer.child(id, k));
                            let v = choice_best.entry((node, analyzer.edge(c, k).label));
                            let v = v.or_insert(0);
                            *v = (*v).max(after);
                        }
                    }
                }
            }
        }
    }

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
    let best_avoids_mistakes = roots
        .iter()
        .all(|&(_, r)| analyzer.best_clean(r) == analyzer.best(r));
    let best_with_mistake = roots
        .iter()
        .filter_map(|&(_, r)| analyzer.best_flawed(r))
        .max();

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
        estimate: None,
    }
}

/// The figures of a scenario too large to analyse exactly, from seeded random playthroughs
/// and one greedy line per personality: best and worst are the best and worst found.
fn estimate(scn: &Scenario, why: String) -> Analysis {
    use crate::engine::{Prompt, Session};
    use rand::{Rng, SeedableRng};
    let shared = std::sync::Arc::new(scn.clone());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x4553_5449_4d41_5445);
    // (score, personality, the line played)
    let mut runs: Vec<(u32, Personality, Vec<PathStep>)> = Vec::new();
    let mut decisions_played = 0u64;
    let mut seed = 0u64;
    let line_of = |session: &Session| -> Vec<PathStep> {
        let mut steps: Vec<PathStep> = session
            .decisions()
            .iter()
            .map(|d| PathStep::Chose {
                node: scn.nodes[d.node].id.clone(),
                number: d.shown_as + 1,
                text: match &scn.nodes[d.node].then {
                    Then::Choices(list) => list[d.choice].say.to_string(),
                    _ => Personality::ALL[d.choice.min(3)].code().to_string(),
                },
            })
            .collect();
        steps.push(PathStep::Ended {
            node: scn.nodes[session.node()].id.clone(),
        });
        steps
    };
    let finish =
        |session: &Session| -> u32 { crate::scoring::report(session).map_or(0, |r| r.score.total) };
    // A greedy line per personality: the open choice that gains most trust, no mistakes.
    for &p in &scn.personalities {
        let mut session = Session::with_personality(shared.clone(), 0, p);
        loop {
            let pick = match session.prompt() {
                Prompt::Choices(list) => match &scn.nodes[session.node()].then {
                    Then::Choices(all) => list_best(scn, p, all, &list),
                    _ => 0,
                },
                Prompt::Diagnose { .. } => p.index(),
                Prompt::Ended => break,
            };
            if session.choose(pick).is_err() {
                break;
            }
        }
        let score = finish(&session);
        runs.push((score, p, line_of(&session)));
    }
    let greedy = runs.len();
    loop {
        let sampled = (runs.len() - greedy) as u32;
        let within = decisions_played < ESTIMATE_DECISIONS;
        let more = sampled < ESTIMATE_FLOOR_SAMPLES
            || (within && sampled < ESTIMATE_MAX_SAMPLES)
            || (sampled < ESTIMATE_MIN_SAMPLES && decisions_played < 2 * ESTIMATE_DECISIONS);
        if !more {
            break;
        }
        seed += 1;
        let mut session = Session::new(shared.clone(), seed);
        loop {
            let options = match session.prompt() {
                Prompt::Choices(list) => list.len(),
                Prompt::Diagnose { .. } => Personality::ALL.len(),
                Prompt::Ended => break,
            };
            if options == 0 || session.choose(rng.random_range(0..options)).is_err() {
                break;
            }
        }
        decisions_played += session.decisions().len() as u64 + 1;
        let score = finish(&session);
        runs.push((score, session.personality(), line_of(&session)));
    }
    let sampled = &runs[greedy..];
    let samples = sampled.len() as u32;
    let distribution_of = |scores: &mut dyn Iterator<Item = u32>| -> Distribution {
        let mut counts = [0u32; 101];
        let mut n = 0u32;
        for s in scores {
            counts[s.min(100) as usize] += 1;
            n += 1;
        }
        counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(s, c)| (s as u32, *c as f64 / n.max(1) as f64))
            .collect()
    };
    let best_of = |p: Option<Personality>, best: bool| {
        runs.iter()
            .filter(|r| p.is_none_or(|p| r.1 == p))
            .max_by_key(|r| if best { r.0 as i64 } else { -(r.0 as i64) })
    };
    let summary = |p: Option<Personality>| {
        let best = best_of(p, true).map_or(0, |r| r.0);
        let worst = best_of(p, false).map_or(0, |r| r.0);
        Summary::of(
            best,
            worst,
            distribution_of(
                &mut sampled
                    .iter()
                    .filter(|r| p.is_none_or(|p| r.1 == p))
                    .map(|r| r.0),
            ),
        )
    };
    let personalities = scn
        .personalities
        .iter()
        .map(|&p| PersonalityAnalysis {
            personality: p,
            summary: summary(Some(p)),
            best_path: best_of(Some(p), true)
                .map(|r| r.2.clone())
                .unwrap_or_default(),
            worst_path: best_of(Some(p), false)
                .map(|r| r.2.clone())
                .unwrap_or_default(),
        })
        .collect();
    let overall = summary(None);
    let mean = overall.mean;
    let variance = sampled
        .iter()
        .map(|r| (r.0 as f64 - mean).powi(2))
        .sum::<f64>()
        / (samples.max(2) - 1) as f64;
    let mean_margin = 1.96 * (variance / samples.max(1) as f64).sqrt();
    let seen: std::collections::BTreeSet<&str> = runs
        .iter()
        .filter_map(|r| match r.2.last() {
            Some(PathStep::Ended { node }) => Some(node.as_str()),
            _ => None,
        })
        .collect();
    let endings = scn
        .nodes
        .iter()
        .filter_map(|n| match &n.then {
            Then::End(e) => Some(EndingInfo {
                node: n.id.clone(),
                outcome: e.outcome,
                reachable: seen.contains(n.id.as_str()),
                best: None,
                worst: None,
            }),
            _ => None,
        })
        .collect();
    Analysis {
        scenario: scn.file.id.clone(),
        positions: 0,
        overall,
        personalities,
        endings,
        decisions: Vec::new(),
        unreached_nodes: Vec::new(),
        best_avoids_mistakes: true,
        best_with_mistake: None,
        estimate: Some(Estimate {
            samples,
            mean_margin,
            why,
        }),
    }
}

/// The choice (a 0-based position among those shown) a greedy player takes: the most trust
/// gained, never a mistake while another choice is open.
fn list_best(
    scn: &Scenario,
    p: Personality,
    all: &[crate::compile::Choice],
    shown: &[(usize, std::sync::Arc<str>)],
) -> usize {
    shown
        .iter()
        .enumerate()
        .max_by_key(|(pos, (i, _))| {
            let c = &all[*i];
            (!c.mistake, trust_delta(scn, p, c), std::cmp::Reverse(*pos))
        })
        .map_or(0, |(pos, _)| pos)
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

/// Plays `runs` sessions, choosing by `policy` (random choices from a seeded generator);
/// run `k` uses session seed `seed + k`.
pub fn simulate(
    scn: &std::sync::Arc<Scenario>,
    runs: u32,
    seed: u64,
    policy: crate::cues::Policy,
) -> Simulation {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ 0x5241_5050_4f52_5421);
    let mut scores = Vec::with_capacity(runs as usize);
    let mut outcomes: Vec<(Outcome, u32)> = Outcome::ALL.iter().map(|&o| (o, 0)).collect();
    for k in 0..runs {
        let mut session = crate::engine::Session::new(scn.clone(), seed.wrapping_add(k as u64));
        for _ in 0..=scn.nodes.len() {
            let pick = match session.prompt() {
                crate::engine::Prompt::Choices(list) => policy.pick(&list, &mut rng),
                crate::engine::Prompt::Diagnose { .. } => {
                    crate::cues::Policy::Random.pick_index(Personality::ALL.len(), &mut rng)
                }
                crate::engine::Prompt::Ended => break,
            };
            if session.choose(pick).is_err() {
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
    /// Decisions where the best choice is the longest line, of those with a best choice.
    pub best_is_longest: (usize, usize),
    /// Mean score of always picking the longest line.
    pub longest_mean: f64,
}

pub fn library_rows(scenarios: &[(std::path::PathBuf, Scenario)]) -> Vec<LibraryRow> {
    scenarios
        .iter()
        .map(|(path, scn)| {
            let scn = std::sync::Arc::new(scn.clone());
            let a = analyze(&scn);
            let cues = crate::cues::figures(&scn, &a);
            library_row(path, &scn, &a, &cues)
        })
        .collect()
}

pub fn library_row(
    path: &std::path::Path,
    scn: &Scenario,
    a: &Analysis,
    cues: &crate::cues::CueFigures,
) -> LibraryRow {
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
                best_is_longest: (cues.best_is_longest, cues.decisions),
                longest_mean: cues.longest_mean,
            }
        }
    }
}

pub fn library_markdown(rows: &[LibraryRow]) -> String {
    use std::fmt::Write;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "| scenario | locale | personality | central objection | best | median | worst | decisions | best is longest | longest-line mean | techniques |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let _ = writeln!(
            md,
            "| {} (`{}`) | {} | {} | {} | {} | {} | {} | {} | {}/{} | {:.1} | {} |",
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
            r.best_is_longest.0,
            r.best_is_longest.1,
            r.longest_mean,
            r.techniques.join(", ")
        );
    }
    md
}
