//! Validation: checks a parsed scenario against the model and turns it into the indexed
//! [`Scenario`] the engine and the analysis run on.
//!
//! Every problem is collected and reported together, each with its place in the file, so a
//! trainer fixes a file in one pass instead of one error per run.

use crate::load::{Location, Problem, location_of_offset, parse_ron};
use crate::model::Model;
use crate::scenario::{
    ChoiceSpec, Condition, NodeSpec, ObjectionAction, ObjectionState, PersonalitySpec,
    ScenarioFile, ThenSpec,
};
use crate::vocabulary::{Category, Locale, Mood, Outcome, Personality, Stage, Timing};
/// A hash map with a fast, fixed (unkeyed) hasher: its keys come from the scenario, not an attacker.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
use std::sync::Arc;

pub const MAX_NODES: usize = 100_000;
pub const MAX_FLAGS: usize = 64;
pub const MAX_OBJECTIONS: usize = 16;
pub const MAX_PROMISES: usize = 16;
pub const MAX_TEXT_CHARS: usize = 20_000;
pub const MAX_TRUST_EFFECT: i32 = 50;
pub const MAX_CHANCE_WEIGHT: u32 = 10_000;
pub const MAX_DAYS_BETWEEN_CONTACTS: u16 = 3_650;

/// A scenario ready to run: names resolved to indices, every reference checked.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub source: String,
    pub file: ScenarioFile,
    pub model: Arc<Model>,
    pub personalities: Vec<Personality>,
    pub drawn: bool,
    pub start_trust: i32,
    pub start_stage: Stage,
    /// What an account carries into this visit from earlier ones (nothing for a scenario played
    /// on its own): milestones, objections still open, promises owed. See `account::resume`.
    pub start_milestones: u64,
    pub start_objections: Vec<(usize, crate::engine::ObjectionStatus)>,
    pub start_promises_due: u16,
    pub start_node: usize,
    pub objections: Vec<Objection>,
    pub nodes: Vec<Node>,
    pub flags: Vec<String>,
    /// The promises the trainee can make or keep here, in the file's order (bit `i` of the
    /// state's promise masks).
    pub promises: Vec<crate::scenario::PromiseSpec>,
    pub has_diagnosis: bool,
    /// The highest stage of the trust path the scenario's milestones can unlock at all:
    /// relationship points are measured against it, not against stages it never offers.
    pub highest_stage: Stage,
    /// The best outcome among the scenario's endings: the outcome points are measured
    /// against it.
    pub best_outcome: Outcome,
}

#[derive(Debug, Clone)]
pub struct Objection {
    pub id: String,
    pub category: Category,
    /// Index into the model's `objection_types`.
    pub subtype: usize,
    /// Indices into the model's `price_motives` and `causes`.
    pub motives: Vec<usize>,
    pub causes: Vec<usize>,
    pub detail: String,
    /// The flag that, while set, makes this objection an excuse rather than a real concern.
    pub excuse_if: Option<u64>,
    pub summary: String,
    pub central: bool,
    pub right_timings: Vec<Timing>,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub id: String,
    pub mood: Mood,
    pub say: Arc<str>,
    pub variants: [Option<Arc<str>>; 4],
    pub raises: Vec<usize>,
    pub then: Then,
}

impl Node {
    /// The customer's line as a customer of personality `p` says it.
    pub fn line_for(&self, p: Personality) -> &Arc<str> {
        self.variants[p.index()].as_ref().unwrap_or(&self.say)
    }
}

#[derive(Debug, Clone)]
pub enum Then {
    Choices(Vec<Choice>),
    Chance(Vec<ChanceBranch>),
    Diagnose {
        prompt: Arc<str>,
        next: usize,
    },
    Branch {
        cases: Vec<(Cond, usize)>,
        otherwise: usize,
    },
    /// Time passes; the next contact begins at `next`.
    Later {
        days: u16,
        note: Arc<str>,
        next: usize,
    },
    End(Ending),
}

#[derive(Debug, Clone)]
pub struct Ending {
    pub outcome: Outcome,
    pub title: Arc<str>,
    pub debrief: Arc<str>,
}

#[derive(Debug, Clone)]
pub struct ChanceBranch {
    pub weight: u32,
    pub note: Arc<str>,
    /// Flags set when this branch is drawn.
    pub set: u64,
    pub next: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Preempt,
    Resolve,
    Answer,
    Defer,
    Dismiss,
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub say: Arc<str>,
    pub techniques: Vec<usize>,
    pub objections: Vec<(ActionKind, usize)>,
    pub trust_override: Option<i32>,
    pub trust_bonus: i32,
    pub set: u64,
    pub clear: u64,
    pub milestones: u64,
    pub breach: Option<Arc<str>>,
    /// The promise this line makes (a bit of `Scenario::promises`), or 0.
    pub promise: u16,
    /// The promises this line keeps.
    pub keeps: u16,
    pub feedback: Arc<str>,
    pub feedback_for: [Option<Arc<str>>; 4],
    pub when: Option<Cond>,
    pub mistake: bool,
    pub next: usize,
}

impl Choice {
    pub fn feedback_for(&self, p: Personality) -> &Arc<str> {
        self.feedback_for[p.index()]
            .as_ref()
            .unwrap_or(&self.feedback)
    }
}

/// A condition with names resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    TrustAtLeast(i32),
    TrustBelow(i32),
    StageAtLeast(Stage),
    Flag(u64),
    NotFlag(u64),
    Personality(Personality),
    Objection(usize, ObjectionState),
    Milestone(u64),
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
}

impl Scenario {
    /// The category of the scenario's central objection: the column of the mastery map its
    /// sessions count in.
    pub fn central_category(&self) -> Option<crate::vocabulary::Category> {
        self.objections
            .iter()
            .find(|o| o.central)
            .map(|o| o.category)
    }

    pub fn id(&self) -> &str {
        &self.file.id
    }

    pub fn locale(&self) -> Locale {
        self.file.locale
    }

    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    pub fn objection_index(&self, id: &str) -> Option<usize> {
        self.objections.iter().position(|o| o.id == id)
    }

    pub fn promise_index(&self, id: &str) -> Option<usize> {
        self.promises.iter().position(|p| p.id == id)
    }
}

/// Parses and validates `text` from `source` with `model`. Either a scenario or every problem.
pub fn load_scenario(
    text: &str,
    source: &str,
    model: Arc<Model>,
) -> Result<Scenario, Vec<Problem>> {
    let file: ScenarioFile = parse_ron(text, source).map_err(|e| vec![e])?;
    compile(file, text, source, model)
}

/// Finds where things are in the source text, since serde keeps no positions. Problems are
/// placed at the node (or the offending name inside it) they concern.
struct Locator<'a> {
    text: &'a str,
    source: &'a str,
    nodes: &'a [NodeSpec],
    /// Where each node starts, found on the first problem: a good file never pays for it.
    node_starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Locator<'a> {
    fn new(text: &'a str, source: &'a str, nodes: &'a [NodeSpec]) -> Self {
        Locator {
            text: crate::load::strip_bom(text),
            source,
            nodes,
            node_starts: std::cell::OnceCell::new(),
        }
    }

    fn node_starts(&self) -> &[usize] {
        self.node_starts.get_or_init(|| {
            let mut from = find_field(self.text, "nodes", 0).unwrap_or(0);
            self.nodes
                .iter()
                .map(|node| {
                    from = find_id_declaration(self.text, &node.id, from).unwrap_or(from);
                    from
                })
                .collect()
        })
    }

    fn node_range(&self, node: usize) -> (usize, usize) {
        let starts = self.node_starts();
        let start = starts.get(node).copied().unwrap_or(0);
        let end = starts
            .get(node + 1)
            .copied()
            .filter(|e| *e > start)
            .unwrap_or(self.text.len());
        (start, end)
    }

    fn at(&self, offset: usize, message: String) -> Problem {
        Problem {
            source: self.source.to_string(),
            location: location_of_offset(self.text, offset),
            message,
        }
    }

    fn at_field(&self, field: &str, message: String) -> Problem {
        let offset = find_field(self.text, field, 0).unwrap_or(0);
        self.at(offset, message)
    }

    fn at_node(&self, node: usize, message: String) -> Problem {
        self.at(self.node_range(node).0, message)
    }

    /// At the quoted `name` inside node `node`, or at the node itself.
    fn in_node(&self, node: usize, name: &str, message: String) -> Problem {
        let (start, end) = self.node_range(node);
        let quoted = format!("\"{name}\"");
        let offset = self.text[start..end]
            .find(&quoted)
            .map(|i| start + i)
            .unwrap_or(start);
        self.at(offset, message)
    }

    /// At the `nth` occurrence of `needle` inside node `node`, or at the node itself.
    fn nth_in_node(&self, node: usize, needle: &str, nth: usize, message: String) -> Problem {
        let (start, end) = self.node_range(node);
        let offset = self.text[start..end]
            .match_indices(needle)
            .nth(nth)
            .map(|(i, _)| start + i)
            .unwrap_or(start);
        self.at(offset, message)
    }
}

fn find_field(text: &str, field: &str, from: usize) -> Option<usize> {
    let mut search = from;
    while let Some(i) = text.get(search..)?.find(field) {
        let at = search + i;
        let before_ok = at == 0
            || !text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let after = text[at + field.len()..].trim_start();
        if before_ok && after.starts_with(':') {
            return Some(at);
        }
        search = at + field.len();
    }
    None
}

fn find_id_declaration(text: &str, id: &str, from: usize) -> Option<usize> {
    let quoted = format!("\"{id}\"");
    let mut search = from;
    while let Some(i) = text.get(search..)?.find(&quoted) {
        let at = search + i;
        let before = text[..at].trim_end();
        if before.ends_with(':') && before[..before.len() - 1].trim_end().ends_with("id") {
            let prefix = before[..before.len() - 1].trim_end();
            let id_at = prefix.len() - 2;
            return Some(id_at);
        }
        search = at + quoted.len();
    }
    None
}

struct Compiler<'a> {
    file: &'a ScenarioFile,
    model: &'a Model,
    loc: Locator<'a>,
    problems: Vec<Problem>,
    node_ids: FastMap<&'a str, usize>,
    objection_ids: FastMap<&'a str, usize>,
    promise_ids: FastMap<&'a str, usize>,
    flags: Vec<String>,
    flags_set: Vec<bool>,
    flags_tested: Vec<(usize, String)>,
}

fn check_text(
    problems: &mut Vec<Problem>,
    loc: &Locator,
    node: Option<usize>,
    what: &str,
    text: &str,
) {
    if text.chars().count() > MAX_TEXT_CHARS {
        let message = format!("{what} is longer than {MAX_TEXT_CHARS} characters");
        problems.push(match node {
            Some(n) => loc.at_node(n, message),
            None => loc.at(0, message),
        });
    }
}

impl<'a> Compiler<'a> {
    /// The flag's slot, given a new one the first time the name is seen.
    fn flag_slot(&mut self, name: &str) -> usize {
        match self.flags.iter().position(|f| f == name) {
            Some(i) => i,
            None => {
                self.flags.push(name.to_string());
                self.flags_set.push(false);
                self.flags.len() - 1
            }
        }
    }

    /// The mask of a flag named outside any node (an objection's `excuse_if`).
    fn flag_index(&mut self, name: &str) -> u64 {
        let index = self.flag_slot(name);
        if index >= MAX_FLAGS {
            self.problems.push(self.loc.at_field(
                "excuse_if",
                format!("a scenario may use at most {MAX_FLAGS} flags; `{name}` is one too many"),
            ));
            return 0;
        }
        1u64 << index
    }

    fn flag(&mut self, name: &str, node: usize, setting: bool) -> u64 {
        let index = self.flag_slot(name);
        if setting {
            self.flags_set[index] = true;
        } else {
            self.flags_tested.push((node, name.to_string()));
        }
        if index >= MAX_FLAGS {
            self.problems.push(self.loc.in_node(
                node,
                name,
                format!("a scenario may use at most {MAX_FLAGS} flags; `{name}` is one too many"),
            ));
            return 0;
        }
        1u64 << index
    }

    fn milestone(&mut self, name: &str, node: usize) -> u64 {
        match self.model.milestone(name) {
            Some(i) => 1u64 << i,
            None => {
                let known: Vec<&str> = self
                    .model
                    .file
                    .milestones
                    .iter()
                    .map(|m| m.id.as_str())
                    .collect();
                self.problems.push(self.loc.in_node(
                    node,
                    name,
                    format!(
                        "unknown milestone `{name}`; expected one of: {}",
                        known.join(", ")
                    ),
                ));
                0
            }
        }
    }

    fn objection(&mut self, name: &str, node: usize) -> Option<usize> {
        match self.objection_ids.get(name) {
            Some(&i) => Some(i),
            None => {
                self.problems.push(self.loc.in_node(
                    node,
                    name,
                    format!("unknown objection `{name}`; declare it under `objections`"),
                ));
                None
            }
        }
    }

    fn promise(&mut self, name: &str, node: usize) -> u16 {
        match self.promise_ids.get(name) {
            Some(&i) => 1 << i,
            None => {
                self.problems.push(self.loc.in_node(
                    node,
                    name,
                    format!("unknown promise `{name}`; declare it under `promises`"),
                ));
                0
            }
        }
    }

    fn target(&mut self, name: &str, node: usize) -> usize {
        match self.node_ids.get(name) {
            Some(&i) => i,
            None => {
                self.problems.push(self.loc.in_node(
                    node,
                    name,
                    format!("`next` names node `{name}`, which does not exist"),
                ));
                usize::MAX
            }
        }
    }

    fn condition(&mut self, c: &Condition, node: usize) -> Cond {
        match c {
            Condition::TrustAtLeast(t) => Cond::TrustAtLeast(*t),
            Condition::TrustBelow(t) => Cond::TrustBelow(*t),
            Condition::StageAtLeast(s) => Cond::StageAtLeast(*s),
            Condition::Flag(f) => Cond::Flag(self.flag(f, node, false)),
            Condition::NotFlag(f) => Cond::NotFlag(self.flag(f, node, false)),
            Condition::Personality(p) => Cond::Personality(*p),
            Condition::Objection(o, state) => {
                Cond::Objection(self.objection(o, node).unwrap_or(usize::MAX), *state)
            }
            Condition::Milestone(m) => Cond::Milestone(self.milestone(m, node)),
            Condition::All(list) => {
                Cond::All(list.iter().map(|c| self.condition(c, node)).collect())
            }
            Condition::Any(list) => {
                Cond::Any(list.iter().map(|c| self.condition(c, node)).collect())
            }
            Condition::Not(inner) => Cond::Not(Box::new(self.condition(inner, node))),
        }
    }

    fn variants(
        &mut self,
        map: &std::collections::BTreeMap<Personality, String>,
        node: usize,
        candidates: &[Personality],
        what: &str,
    ) -> [Option<Arc<str>>; 4] {
        let mut out: [Option<Arc<str>>; 4] = Default::default();
        for (p, text) in map {
            if !candidates.contains(p) {
                self.problems.push(self.loc.nth_in_node(
                    node,
                    p.code(),
                    0,
                    format!(
                        "{what} for `{p}` can never show: the customer is {}",
                        candidates.iter().map(|c| c.code()).collect::<Vec<_>>().join(" or ")
                    ),
                ));
            }
            check_text(&mut self.problems, &self.loc, Some(node), what, text);
            out[p.index()] = Some(Arc::from(text.as_str()));
        }
        out
    }

    fn choice(
        &mut self,
        spec: &ChoiceSpec,
        node: usize,
        nth: usize,
        candidates: &[Personality],
    ) -> Choice {
        let mut techniques = Vec::new();
        for t in &spec.techniques {
            match self.model.technique(t) {
                Some(i) => techniques.push(i),
                None => self.problems.push(self.loc.in_node(
                    node,
                    t,
                    format!(
                        "unknown technique `{t}`; the model (scenarios/_model.ron) defines: {}",
                        self.model
                            .file
                            .techniques
                            .iter()
                            .map(|t| t.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
        let mut objections = Vec::new();
        for action in &spec.objections {
            let kind = match action {
                ObjectionAction::Preempt(_) => ActionKind::Preempt,
                ObjectionAction::Resolve(_) => ActionKind::Resolve,
                ObjectionAction::Answer(_) => ActionKind::Answer,
                ObjectionAction::Defer(_) => ActionKind::Defer,
                ObjectionAction::Dismiss(_) => ActionKind::Dismiss,
            };
            if let Some(i) = self.objection(action.objection(), node) {
                objections.push((kind, i));
            }
        }
        for (what, value) in [
            ("trust", spec.trust.unwrap_or(0)),
            ("trust_bonus", spec.trust_bonus),
        ] {
            if value.abs() > MAX_TRUST_EFFECT {
                self.problems.push(self.loc.nth_in_node(
                    node,
                    what,
                    0,
                    format!("{what} is {value}; a choice's effect must lie between -{MAX_TRUST_EFFECT} and {MAX_TRUST_EFFECT}"),
                ));
            }
        }
        let set = spec.set.iter().fold(0, |m, f| m | self.flag(f, node, true));
        let clear = spec
            .clear
            .iter()
            .fold(0, |m, f| m | self.flag(f, node, true));
        let milestones = spec
            .milestones
            .iter()
            .fold(0, |m, f| m | self.milestone(f, node));
        let promise = spec.promise.as_deref().map_or(0, |p| self.promise(p, node));
        let keeps = spec.keeps.iter().fold(0, |m, p| m | self.promise(p, node));
        if milestones & self.model.contact_milestone != 0 {
            let name = &self.model.file.contact_milestone;
            self.problems.push(self.loc.in_node(
                node,
                name,
                format!("`{name}` is achieved only by meeting again: use a `later` step, not a choice's milestones"),
            ));
        }
        if spec.feedback.trim().is_empty() {
            self.problems.push(self.loc.nth_in_node(
                node,
                "feedback",
                nth,
                format!(
                    "choice {} has no coach feedback; say why it works or fails",
                    nth + 1
                ),
            ));
        }
        if spec.say.trim().is_empty() {
            self.problems.push(self.loc.at_node(
                node,
                format!("choice {} has no line for the trainee to say", nth + 1),
            ));
        }
        check_text(
            &mut self.problems,
            &self.loc,
            Some(node),
            "a choice's line",
            &spec.say,
        );
        check_text(
            &mut self.problems,
            &self.loc,
            Some(node),
            "coach feedback",
            &spec.feedback,
        );
        let when = spec.when.as_ref().map(|c| self.condition(c, node));
        let feedback_for = self.variants(&spec.feedback_for, node, candidates, "feedback");
        Choice {
            say: Arc::from(spec.say.as_str()),
            techniques,
            objections,
            trust_override: spec.trust,
            trust_bonus: spec.trust_bonus,
            set,
            clear,
            milestones,
            breach: spec.breach.as_deref().map(Arc::from),
            promise,
            keeps,
            feedback: Arc::from(spec.feedback.as_str()),
            feedback_for,
            when,
            mistake: spec.mistake,
            next: self.target(&spec.next, node),
        }
    }
}

/// A relative path inside the scenario folder, or a description of why it is not one.
pub fn check_relative_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    if path.starts_with('/') || path.starts_with('\\') || path.contains(':') {
        return Err(format!(
            "`{path}` is absolute; give a path relative to this file"
        ));
    }
    let mut depth: i32 = 0;
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return Err(format!("`{path}` leaves the scenario folder"));
        }
    }
    Ok(())
}

pub fn compile(
    file: ScenarioFile,
    text: &str,
    source: &str,
    model: Arc<Model>,
) -> Result<Scenario, Vec<Problem>> {
    let loc = Locator::new(text, source, &file.nodes);
    let mut c = Compiler {
        file: &file,
        model: &model,
        loc,
        problems: Vec::new(),
        node_ids: FastMap::default(),
        objection_ids: FastMap::default(),
        promise_ids: FastMap::default(),
        flags: Vec::new(),
        flags_set: Vec::new(),
        flags_tested: Vec::new(),
    };
    check_metadata(&mut c);

    if file.nodes.len() > MAX_NODES {
        c.problems.push(c.loc.at_field(
            "nodes",
            format!(
                "{} nodes; at most {MAX_NODES} are supported",
                file.nodes.len()
            ),
        ));
    }
    for (i, node) in file.nodes.iter().enumerate() {
        if node.id.trim().is_empty() {
            c.problems
                .push(c.loc.at_node(i, "a node has an empty id".into()));
        }
        if let Some(first) = c.node_ids.insert(node.id.as_str(), i) {
            c.problems.push(c.loc.at_node(
                i,
                format!(
                    "node id `{}` is used twice (first at {})",
                    node.id,
                    location_of(&c.loc, first)
                ),
            ));
            c.node_ids.insert(node.id.as_str(), first);
        }
    }
    if file.objections.len() > MAX_OBJECTIONS {
        c.problems.push(c.loc.at_field(
            "objections",
            format!("at most {MAX_OBJECTIONS} objections are supported"),
        ));
    }
    for (i, o) in file.objections.iter().enumerate() {
        if c.objection_ids.insert(o.id.as_str(), i).is_some() {
            c.problems.push(c.loc.at_field(
                "objections",
                format!("objection id `{}` is declared twice", o.id),
            ));
        }
        if !file.categories.contains(&o.category) {
            c.problems.push(c.loc.at_field(
                "categories",
                format!(
                    "objection `{}` is a {} objection, but `categories` does not list `{}`",
                    o.id, o.category, o.category
                ),
            ));
        }
        if o.timing.is_empty() {
            c.problems.push(c.loc.at_field(
                "objections",
                format!("objection `{}` lists no right `timing`", o.id),
            ));
        }
    }
    if file.promises.len() > MAX_PROMISES {
        c.problems.push(c.loc.at_field(
            "promises",
            format!("at most {MAX_PROMISES} promises are supported"),
        ));
    }
    for (i, promise) in file.promises.iter().enumerate().take(MAX_PROMISES) {
        if c.promise_ids.insert(promise.id.as_str(), i).is_some() {
            c.problems.push(c.loc.at_field(
                "promises",
                format!("promise id `{}` is declared twice", promise.id),
            ));
        }
        if promise.what.trim().is_empty() {
            c.problems.push(c.loc.at_field(
                "promises",
                format!(
                    "promise `{}` does not say what was promised (`what`)",
                    promise.id
                ),
            ));
        }
    }
    let typed: Vec<(usize, Vec<usize>, Vec<usize>)> = file
        .objections
        .iter()
        .map(|o| objection_typing(&mut c, o))
        .collect();
    let excuse_flags: Vec<Option<u64>> = file
        .objections
        .iter()
        .map(|o| {
            o.excuse_if.as_ref().map(|f| {
                c.flags_tested.push((usize::MAX, f.clone()));
                c.flag_index(f)
            })
        })
        .collect();

    let personalities = file.customer.personality.candidates();
    let drawn = matches!(file.customer.personality, PersonalitySpec::Drawn(_));
    if personalities.is_empty() {
        c.problems.push(c.loc.at_field(
            "personality",
            "`drawn` needs at least one personality".into(),
        ));
    }
    for (i, p) in personalities.iter().enumerate() {
        if personalities[..i].contains(p) {
            c.problems.push(
                c.loc
                    .at_field("personality", format!("personality `{p}` is listed twice")),
            );
        }
    }

    let start_node = match c.node_ids.get(file.start.node.as_str()) {
        Some(&i) => i,
        None => {
            c.problems.push(c.loc.at_field(
                "start",
                format!(
                    "`start.node` names `{}`, which does not exist",
                    file.start.node
                ),
            ));
            usize::MAX
        }
    };
    if !(0..=100).contains(&file.start.trust) {
        c.problems.push(c.loc.at_field(
            "start",
            format!(
                "starting trust is {}; it must be 0 to 100",
                file.start.trust
            ),
        ));
    }

    let mut nodes = Vec::with_capacity(file.nodes.len());
    let mut raised_somewhere = vec![false; file.objections.len()];
    let mut handled_at: Vec<(usize, usize)> = Vec::new();
    let mut has_diagnosis = false;
    for (i, spec) in file.nodes.iter().enumerate() {
        check_text(
            &mut c.problems,
            &c.loc,
            Some(i),
            "the customer's line",
            &spec.say,
        );
        let variants = c.variants(&spec.variants, i, &personalities, "a line variant");
        let mut raises = Vec::new();
        for r in &spec.raises {
            if let Some(o) = c.objection(r, i) {
                raised_somewhere[o] = true;
                raises.push(o);
            }
        }
        let then = match &spec.then {
            ThenSpec::Choices(list) => {
                if list.is_empty() {
                    c.problems.push(
                        c.loc
                            .at_node(i, format!("node `{}` offers no choices", spec.id)),
                    );
                } else if list.iter().all(|ch| ch.when.is_some()) {
                    c.problems.push(c.loc.at_node(
                        i,
                        format!("every choice at node `{}` has a `when`; give one choice no condition so the trainee is never stuck", spec.id),
                    ));
                }
                let choices: Vec<Choice> = list
                    .iter()
                    .enumerate()
                    .map(|(n, ch)| c.choice(ch, i, n, &personalities))
                    .collect();
                for ch in &choices {
                    for (kind, o) in &ch.objections {
                        if *kind != ActionKind::Preempt {
                            handled_at.push((*o, i));
                        }
                    }
                }
                Then::Choices(choices)
            }
            ThenSpec::Chance(list) => {
                let total: u64 = list.iter().map(|b| b.weight as u64).sum();
                if list.is_empty() || total == 0 {
                    c.problems.push(c.loc.at_node(
                        i,
                        format!(
                            "chance at node `{}` needs at least one branch with a weight above 0",
                            spec.id
                        ),
                    ));
                }
                let mut branches = Vec::new();
                for b in list {
                    if b.weight > MAX_CHANCE_WEIGHT {
                        c.problems.push(c.loc.in_node(
                            i,
                            &b.next,
                            format!(
                                "weight {} is above the maximum of {MAX_CHANCE_WEIGHT}",
                                b.weight
                            ),
                        ));
                    }
                    let set = b.set.iter().fold(0, |m, f| m | c.flag(f, i, true));
                    branches.push(ChanceBranch {
                        weight: b.weight,
                        note: Arc::from(b.note.as_str()),
                        set,
                        next: c.target(&b.next, i),
                    });
                }
                Then::Chance(branches)
            }
            ThenSpec::Diagnose(d) => {
                has_diagnosis = true;
                Then::Diagnose {
                    prompt: Arc::from(d.prompt.as_str()),
                    next: c.target(&d.next, i),
                }
            }
            ThenSpec::Branch(b) => {
                let cases = b
                    .cases
                    .iter()
                    .map(|case| (c.condition(&case.when, i), c.target(&case.next, i)))
                    .collect();
                Then::Branch {
                    cases,
                    otherwise: c.target(&b.otherwise, i),
                }
            }
            ThenSpec::Goto(next) => Then::Branch {
                cases: Vec::new(),
                otherwise: c.target(next, i),
            },
            ThenSpec::Later(l) => {
                check_text(
                    &mut c.problems,
                    &c.loc,
                    Some(i),
                    "a later step's note",
                    &l.note,
                );
                if !(1..=MAX_DAYS_BETWEEN_CONTACTS).contains(&l.days) {
                    c.problems.push(c.loc.nth_in_node(
                        i,
                        "days",
                        0,
                        format!(
                            "days is {}; a later contact comes 1 to {MAX_DAYS_BETWEEN_CONTACTS} days after this one",
                            l.days
                        ),
                    ));
                }
                Then::Later {
                    days: l.days,
                    note: Arc::from(l.note.as_str()),
                    next: c.target(&l.next, i),
                }
            }
            ThenSpec::End(e) => {
                check_text(&mut c.problems, &c.loc, Some(i), "the debrief", &e.debrief);
                Then::End(Ending {
                    outcome: e.outcome,
                    title: Arc::from(e.title.as_str()),
                    debrief: Arc::from(e.debrief.as_str()),
                })
            }
        };
        nodes.push(Node {
            id: spec.id.clone(),
            mood: spec.mood,
            say: Arc::from(spec.say.as_str()),
            variants,
            raises,
            then,
        });
    }

    for (o, node) in &handled_at {
        if !raised_somewhere[*o] {
            let id = &file.objections[*o].id;
            c.problems.push(c.loc.in_node(
                *node,
                id,
                format!("objection `{id}` is handled here but no node raises it"),
            ));
        }
    }
    let tested = std::mem::take(&mut c.flags_tested);
    for (node, name) in tested {
        let set = c
            .flags
            .iter()
            .position(|f| *f == name)
            .map(|i| c.flags_set[i])
            .unwrap_or(false);
        if !set {
            let message = format!("flag `{name}` is tested but no choice or chance sets it");
            c.problems.push(if node == usize::MAX {
                let offset = c.loc.text.find(&format!("\"{name}\"")).unwrap_or(0);
                c.loc.at(offset, message)
            } else {
                c.loc.in_node(node, &name, message)
            });
        }
    }

    if start_node != usize::MAX {
        check_graph(&mut c, &nodes, start_node);
    }

    if c.problems.is_empty() {
        let mut flags = c.flags;
        flags.truncate(MAX_FLAGS);
        let objections = file
            .objections
            .iter()
            .zip(typed)
            .zip(excuse_flags)
            .map(|((o, (subtype, motives, causes)), excuse_if)| Objection {
                id: o.id.clone(),
                category: o.category,
                subtype,
                motives,
                causes,
                detail: o.detail.clone(),
                excuse_if,
                summary: o.summary.clone(),
                central: o.central,
                right_timings: o.timing.clone(),
            })
            .collect();
        let highest_stage = highest_stage(&model, file.start.stage, 0, &nodes);
        let best_outcome = nodes
            .iter()
            .filter_map(|n| match &n.then {
                Then::End(e) => Some(e.outcome),
                _ => None,
            })
            .max_by_key(|o| crate::scoring::outcome_fraction(*o).0)
            .unwrap_or(Outcome::Deal);
        Ok(Scenario {
            highest_stage,
            best_outcome,
            source: source.to_string(),
            start_trust: file.start.trust,
            start_stage: file.start.stage,
            start_milestones: 0,
            start_objections: Vec::new(),
            start_promises_due: 0,
            start_node,
            personalities,
            drawn,
            objections,
            nodes,
            flags,
            promises: file.promises.clone(),
            has_diagnosis,
            model,
            file,
        })
    } else {
        let mut problems = c.problems;
        problems.sort_by_key(|p| p.location);
        problems.dedup();
        Err(problems)
    }
}

/// Resolves an objection's sub-type, motives and causes against the model.
fn objection_typing(
    c: &mut Compiler,
    o: &crate::scenario::ObjectionSpec,
) -> (usize, Vec<usize>, Vec<usize>) {
    let model = c.model;
    let list = |ids: Vec<&str>| ids.join(", ");
    // At this objection's own `subtype`, or its `motives`, as written.
    let subtype_at = c.loc.text.find(&format!("\"{}\"", o.subtype)).unwrap_or(0);
    let motives_at = o
        .motives
        .first()
        .and_then(|m| c.loc.text.find(&format!("\"{m}\"")))
        .unwrap_or(0);
    let subtype = match model.objection_type(&o.subtype) {
        Some(i) => {
            let t = &model.file.objection_types[i];
            if t.category != o.category {
                c.problems.push(c.loc.at(
                    subtype_at,
                    format!(
                        "objection `{}` is a {} objection, but sub-type `{}` is of category {}",
                        o.id, o.category, o.subtype, t.category
                    ),
                ));
            }
            i
        }
        None => {
            let same: Vec<&str> = model
                .file
                .objection_types
                .iter()
                .filter(|t| t.category == o.category)
                .map(|t| t.id.as_str())
                .collect();
            c.problems.push(c.loc.at(
                subtype_at,
                format!(
                    "objection `{}` names unknown sub-type `{}`; a {} objection is one of: {}",
                    o.id,
                    o.subtype,
                    o.category,
                    list(same)
                ),
            ));
            0
        }
    };
    if !o.motives.is_empty() && o.category != Category::Price {
        c.problems.push(c.loc.at(
            motives_at,
            format!(
                "objection `{}` lists motives, which only a price objection has",
                o.id
            ),
        ));
    }
    let motives = resolve_names(c, &o.id, "motive", &o.motives, &model.file.price_motives);
    let causes = resolve_names(c, &o.id, "cause", &o.causes, &model.file.causes);
    (subtype, motives, causes)
}

/// The highest stage reachable from `start` given the milestones held at the start (`held`,
/// carried in by an account) and every milestone some choice, technique, kept promise or later
/// contact of the scenario can grant (each stage needs one of its milestones).
pub fn highest_stage(model: &Model, start: Stage, held: u64, nodes: &[Node]) -> Stage {
    let mut grantable = held;
    for node in nodes {
        match &node.then {
            Then::Choices(list) => {
                for c in list {
                    grantable |= c.milestones;
                    if c.keeps != 0 {
                        grantable |= model.promise_kept_milestone;
                    }
                    for &t in &c.techniques {
                        grantable |= model.technique_grants[t];
                    }
                }
            }
            Then::Later { .. } => grantable |= model.contact_milestone,
            _ => {}
        }
    }
    let mut highest = start;
    while let Some(next) = highest.next() {
        let (threshold, needs) = model.stage_rules[next.index()];
        if threshold > 100 || needs & grantable == 0 {
            break;
        }
        highest = next;
    }
    highest
}

/// The indices of `names` in the model's `table` (motives, causes); each unknown name is a
/// problem placed where it is written.
fn resolve_names(
    c: &mut Compiler,
    objection: &str,
    what: &str,
    names: &[String],
    table: &[crate::model::NamedId],
) -> Vec<usize> {
    let mut found = Vec::new();
    for name in names {
        match table.iter().position(|t| &t.id == name) {
            Some(i) => found.push(i),
            None => {
                let known: Vec<&str> = table.iter().map(|t| t.id.as_str()).collect();
                let offset = c.loc.text.find(&format!("\"{name}\"")).unwrap_or(0);
                c.problems.push(c.loc.at(
                    offset,
                    format!(
                        "objection `{objection}` names unknown {what} `{name}`; expected one of: {}",
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    found
}

fn location_of(loc: &Locator, node: usize) -> Location {
    location_of_offset(loc.text, loc.node_range(node).0)
}

fn check_metadata(c: &mut Compiler) {
    let f = c.file;
    if f.id.trim().is_empty() {
        c.problems
            .push(c.loc.at_field("id", "`id` is empty".into()));
    } else if !f
        .id
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
    {
        c.problems.push(c.loc.at_field(
            "id",
            format!(
                "`id` `{}` may use only ASCII letters, digits, `-` and `_`",
                f.id
            ),
        ));
    }
    if f.title.trim().is_empty() {
        c.problems
            .push(c.loc.at_field("title", "`title` is empty".into()));
    }
    if !(1..=5).contains(&f.difficulty) {
        c.problems.push(c.loc.at_field(
            "difficulty",
            format!("difficulty is {}; it must be 1 to 5", f.difficulty),
        ));
    }
    if !(1..=240).contains(&f.minutes) {
        c.problems.push(c.loc.at_field(
            "minutes",
            format!("minutes is {}; it must be 1 to 240", f.minutes),
        ));
    }
    if f.categories.is_empty() {
        c.problems.push(c.loc.at_field(
            "categories",
            "`categories` lists no objection category".into(),
        ));
    }
    if let Some(path) = &f.translation
        && let Err(why) = check_relative_path(path)
    {
        c.problems.push(
            c.loc
                .at_field("translation", format!("translation path: {why}")),
        );
    }
    for (what, text) in [
        ("the summary", &f.summary),
        ("the brief", &f.customer.brief),
    ] {
        check_text(&mut c.problems, &c.loc, None, what, text);
    }
}

/// Where a node can lead; names that did not resolve (already reported) are left out.
pub(crate) fn successors(then: &Then) -> Vec<usize> {
    let mut out: Vec<usize> = match then {
        Then::Choices(list) => list.iter().map(|c| c.next).collect(),
        Then::Chance(list) => list.iter().map(|b| b.next).collect(),
        Then::Diagnose { next, .. } | Then::Later { next, .. } => vec![*next],
        Then::Branch { cases, otherwise } => cases
            .iter()
            .map(|(_, n)| *n)
            .chain(std::iter::once(*otherwise))
            .collect(),
        Then::End(_) => Vec::new(),
    };
    out.retain(|&n| n != usize::MAX);
    out
}

/// Reachability, a way to an ending from everywhere, and no cycles: the conversation always
/// moves forward, which keeps both the engine and the analysis finite.
fn check_graph(c: &mut Compiler, nodes: &[Node], start: usize) {
    let n = nodes.len();
    let mut reached = vec![false; n];
    let mut stack = vec![start];
    reached[start] = true;
    while let Some(v) = stack.pop() {
        for s in successors(&nodes[v].then) {
            if !reached[s] {
                reached[s] = true;
                stack.push(s);
            }
        }
    }
    let mut predecessors = vec![Vec::new(); n];
    for (v, node) in nodes.iter().enumerate() {
        for s in successors(&node.then) {
            predecessors[s].push(v);
        }
    }
    let mut ends = vec![false; n];
    let mut stack: Vec<usize> = (0..n)
        .filter(|&v| matches!(nodes[v].then, Then::End(_)))
        .collect();
    for &v in &stack {
        ends[v] = true;
    }
    while let Some(v) = stack.pop() {
        for &p in &predecessors[v] {
            if !ends[p] {
                ends[p] = true;
                stack.push(p);
            }
        }
    }
    for v in 0..n {
        if !reached[v] {
            c.problems.push(c.loc.at_node(
                v,
                format!("node `{}` can never be reached from the start", nodes[v].id),
            ));
        } else if !ends[v] {
            c.problems.push(
                c.loc
                    .at_node(v, format!("node `{}` has no way to an ending", nodes[v].id)),
            );
        }
    }
    if let Some(cycle) = find_cycle(nodes, start) {
        let names: Vec<&str> = cycle.iter().map(|&v| nodes[v].id.as_str()).collect();
        c.problems.push(c.loc.at_node(
            cycle[0],
            format!(
                "the conversation loops: {} → {}; every path must move forward to an ending",
                names.join(" → "),
                names[0]
            ),
        ));
    }
}

fn find_cycle(nodes: &[Node], start: usize) -> Option<Vec<usize>> {
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; nodes.len()];
    let mut path: Vec<(usize, Vec<usize>, usize)> =
        vec![(start, successors(&nodes[start].then), 0)];
    state[start] = 1;
    while let Some((v, succ, i)) = path.last_mut() {
        if *i < succ.len() {
            let s = succ[*i];
            *i += 1;
            match state[s] {
                0 => {
                    state[s] = 1;
                    let next = successors(&nodes[s].then);
                    path.push((s, next, 0));
                }
                1 => {
                    let from = path.iter().position(|(p, _, _)| *p == s).unwrap_or(0);
                    return Some(path[from..].iter().map(|(p, _, _)| *p).collect());
                }
                _ => {}
            }
        } else {
            state[*v] = 2;
            path.pop();
        }
    }
    None
}

/// Differences in structure between a scenario and its translation, reported against `b`.
pub fn compare_translations(a: &Scenario, b: &Scenario) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut say = |message: String| {
        problems.push(Problem {
            source: b.source.clone(),
            location: Location { line: 1, column: 1 },
            message: format!("differs from its translation {}: {message}", a.source),
        })
    };
    if a.file.id == b.file.id {
        say(format!(
            "both files have id `{}`; a translation needs its own id",
            a.file.id
        ));
    }
    if a.locale() == b.locale() {
        say(format!("both files are in locale `{}`", a.locale().code()));
    }
    if a.personalities != b.personalities {
        say("the customer's personalities differ".into());
    }
    if a.start_trust != b.start_trust || a.start_stage != b.start_stage {
        say("the starting trust or stage differs".into());
    }
    let objections = |s: &Scenario| -> Vec<String> {
        s.objections
            .iter()
            .map(|o| {
                format!(
                    "{} {:?} central={} subtype={} motives={:?} causes={:?} excuse_if={:?} timing={:?}",
                    o.id, o.category, o.central, o.subtype, o.motives, o.causes, o.excuse_if, o.right_timings
                )
            })
            .collect()
    };
    for (oa, ob) in objections(a).iter().zip(objections(b).iter()) {
        if oa != ob {
            say(format!("objection `{ob}` against `{oa}`"));
        }
    }
    if a.objections.len() != b.objections.len() {
        say(format!(
            "{} objections against {}",
            b.objections.len(),
            a.objections.len()
        ));
    }
    let promises = |s: &Scenario| s.promises.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
    if promises(a) != promises(b) {
        say(format!(
            "promises {:?} against {:?}",
            promises(b),
            promises(a)
        ));
    }
    if a.nodes.len() != b.nodes.len() {
        say(format!("{} nodes against {}", b.nodes.len(), a.nodes.len()));
    }
    for (na, nb) in a.nodes.iter().zip(&b.nodes) {
        if na.id != nb.id {
            say(format!(
                "node `{}` stands where the translation has `{}`",
                nb.id, na.id
            ));
            continue;
        }
        if na.raises != nb.raises {
            say(format!("node `{}` raises different objections", nb.id));
        }
        let (sa, sb) = (scoring_shape(&na.then), scoring_shape(&nb.then));
        if sa.len() != sb.len() {
            say(format!("node `{}` continues differently", nb.id));
            continue;
        }
        for ((what, va), (_, vb)) in sa.iter().zip(&sb) {
            if va != vb {
                say(format!(
                    "node `{}`: {what} differs ({vb} against {va})",
                    nb.id
                ));
            }
        }
    }
    problems
}

/// Everything about how a node continues that decides a score, as labelled values: a
/// translation must match its original in each of them. Text is left out.
fn scoring_shape(then: &Then) -> Vec<(String, String)> {
    let mut out = Vec::new();
    match then {
        Then::Choices(list) => {
            out.push(("the kind of step".into(), "choices".into()));
            out.push(("the number of choices".into(), list.len().to_string()));
            for (i, c) in list.iter().enumerate() {
                let n = i + 1;
                let mut field = |what: &str, value: String| {
                    out.push((format!("choice {n}'s {what}"), value));
                };
                field("techniques", format!("{:?}", c.techniques));
                field("objection handling", format!("{:?}", c.objections));
                field("trust", format!("{:?}", c.trust_override));
                field("trust_bonus", c.trust_bonus.to_string());
                field("flags set", format!("{:#x}", c.set));
                field("flags cleared", format!("{:#x}", c.clear));
                field("milestones", format!("{:#x}", c.milestones));
                field("breach", c.breach.is_some().to_string());
                field("promise made", format!("{:#x}", c.promise));
                field("promises kept", format!("{:#x}", c.keeps));
                field("condition", format!("{:?}", c.when));
                field("mistake mark", c.mistake.to_string());
                field("next", c.next.to_string());
            }
        }
        Then::Chance(list) => {
            out.push(("the kind of step".into(), "chance".into()));
            out.push(("the number of branches".into(), list.len().to_string()));
            for (i, b) in list.iter().enumerate() {
                out.push((
                    format!("chance branch {}", i + 1),
                    format!(
                        "weight {} set {:#x} next {} hidden {}",
                        b.weight,
                        b.set,
                        b.next,
                        b.note.is_empty()
                    ),
                ));
            }
        }
        Then::Diagnose { next, .. } => out.push(("the diagnosis".into(), format!("next {next}"))),
        Then::Branch { cases, otherwise } => {
            out.push(("the kind of step".into(), "branch".into()));
            out.push((
                "the branch".into(),
                format!("{cases:?} otherwise {otherwise}"),
            ));
        }
        Then::Later { days, next, .. } => {
            out.push(("the kind of step".into(), "later".into()));
            out.push(("the later step".into(), format!("{days} days, next {next}")));
        }
        Then::End(e) => {
            out.push(("the kind of step".into(), "end".into()));
            out.push(("the outcome".into(), format!("{:?}", e.outcome)));
        }
    }
    out
}
