//! The scenario file format, exactly as a trainer writes it in RON.
//!
//! These types mirror `docs/scenario-format.md`; `compile` turns them into the indexed
//! [`crate::compile::Scenario`] the engine runs. Unknown fields are errors so that a typo
//! never silently drops a line of dialogue.

use crate::vocabulary::{Category, Locale, Mood, Outcome, Personality, Stage, Timing};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub id: String,
    pub title: String,
    pub locale: Locale,
    /// The file holding the same scenario in the other locale, relative to this one.
    #[serde(default)]
    pub translation: Option<String>,
    #[serde(default)]
    pub author: String,
    pub summary: String,
    #[serde(default)]
    pub learning_goals: Vec<String>,
    /// The objection categories this scenario trains.
    pub categories: Vec<Category>,
    /// 1 (gentle) to 5 (hard).
    pub difficulty: u8,
    pub minutes: u16,
    pub customer: CustomerSpec,
    pub start: StartSpec,
    #[serde(default)]
    pub objections: Vec<ObjectionSpec>,
    /// Promises the trainee can make or keep here. A promise made in one contact is due by
    /// the end of the next: kept, it is the model's `promise_kept` milestone; not kept, a breach.
    #[serde(default)]
    pub promises: Vec<PromiseSpec>,
    pub nodes: Vec<NodeSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromiseSpec {
    pub id: String,
    /// What was promised, as the debrief and the account report say it
    /// (e.g. "send the ward's dispensing figures").
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerSpec {
    pub name: String,
    pub role: String,
    pub company: String,
    /// What the trainee reads before the conversation starts.
    pub brief: String,
    pub personality: PersonalitySpec,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalitySpec {
    Fixed(Personality),
    /// One of these is drawn by the session's seeded random generator.
    Drawn(Vec<Personality>),
}

impl PersonalitySpec {
    pub fn candidates(&self) -> Vec<Personality> {
        match self {
            PersonalitySpec::Fixed(p) => vec![*p],
            PersonalitySpec::Drawn(list) => list.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartSpec {
    pub trust: i32,
    #[serde(default = "default_stage")]
    pub stage: Stage,
    pub node: String,
}

fn default_stage() -> Stage {
    Stage::Stranger
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionSpec {
    pub id: String,
    pub category: Category,
    /// The sub-type: an id from the model's `objection_types`, of the same category.
    pub subtype: String,
    /// Why the customer raises it: ids from the model's `price_motives` (price objections).
    #[serde(default)]
    pub motives: Vec<String>,
    /// Where it comes from: ids from the model's `causes`.
    #[serde(default)]
    pub causes: Vec<String>,
    /// The author's own description of this objection, for trainers.
    #[serde(default)]
    pub detail: String,
    /// While this flag is set (typically by a hidden chance draw) the objection is an excuse
    /// rather than the customer's real concern.
    #[serde(default)]
    pub excuse_if: Option<String>,
    pub summary: String,
    /// The scenario's main objection counts double in the score.
    #[serde(default)]
    pub central: bool,
    /// The handling timings that are right for this objection.
    #[serde(default = "default_timings")]
    pub timing: Vec<Timing>,
}

fn default_timings() -> Vec<Timing> {
    vec![Timing::Preempt, Timing::AtOnce]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    pub id: String,
    #[serde(default)]
    pub mood: Mood,
    /// What the customer says on arriving here; may be empty for pure routing nodes.
    #[serde(default)]
    pub say: String,
    /// The same line as a customer of another personality would say it.
    #[serde(default)]
    pub variants: BTreeMap<Personality, String>,
    /// Objections the customer raises (or raises again) here.
    #[serde(default)]
    pub raises: Vec<String>,
    pub then: ThenSpec,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThenSpec {
    Choices(Vec<ChoiceSpec>),
    Chance(Vec<ChanceSpec>),
    /// The trainee names the customer's personality, then the conversation goes on.
    Diagnose(DiagnoseSpec),
    Branch(BranchSpec),
    Goto(String),
    /// Time passes and a new contact (a visit, a meeting, a call) begins.
    Later(LaterSpec),
    End(EndSpec),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaterSpec {
    /// Days until the next contact, shown to the trainee.
    pub days: u16,
    /// What the next contact is, shown to the trainee (e.g. "Two weeks later, at her counter.").
    #[serde(default)]
    pub note: String,
    pub next: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceSpec {
    /// The trainee's line.
    pub say: String,
    #[serde(default)]
    pub techniques: Vec<String>,
    #[serde(default)]
    pub objections: Vec<ObjectionAction>,
    /// Replaces the model's trust change for this choice.
    #[serde(default)]
    pub trust: Option<i32>,
    /// Added to the model's trust change.
    #[serde(default)]
    pub trust_bonus: i32,
    #[serde(default)]
    pub set: Vec<String>,
    #[serde(default)]
    pub clear: Vec<String>,
    #[serde(default)]
    pub milestones: Vec<String>,
    /// A broken promise or similar: trust falls and the relationship drops a stage.
    #[serde(default)]
    pub breach: Option<String>,
    /// A promise this line makes (an id from `promises`), due by the end of the next contact.
    #[serde(default)]
    pub promise: Option<String>,
    /// Promises this line keeps (ids from `promises`), made here or at an earlier contact.
    #[serde(default)]
    pub keeps: Vec<String>,
    pub feedback: String,
    #[serde(default)]
    pub feedback_for: BTreeMap<Personality, String>,
    #[serde(default)]
    pub when: Option<Condition>,
    /// A mistake a real salesperson makes; the best ending must not depend on one.
    #[serde(default)]
    pub mistake: bool,
    pub next: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionAction {
    /// Dealt with before the customer raises it.
    Preempt(String),
    /// Answered, and the customer accepts the answer.
    Resolve(String),
    /// Answered, but the customer is not yet convinced.
    Answer(String),
    /// Acknowledged and deliberately put off until later.
    Defer(String),
    /// Passed over without an answer.
    Dismiss(String),
}

impl ObjectionAction {
    pub fn objection(&self) -> &str {
        match self {
            ObjectionAction::Preempt(id)
            | ObjectionAction::Resolve(id)
            | ObjectionAction::Answer(id)
            | ObjectionAction::Defer(id)
            | ObjectionAction::Dismiss(id) => id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChanceSpec {
    pub weight: u32,
    /// What happened, shown to the trainee (e.g. "The phone rings"); an empty note is a
    /// hidden draw the trainee is not told about.
    #[serde(default)]
    pub note: String,
    /// Flags set when this branch is drawn (e.g. whether an objection is an excuse).
    #[serde(default)]
    pub set: Vec<String>,
    pub next: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiagnoseSpec {
    /// The question the trainee is asked; a default is used when empty.
    #[serde(default)]
    pub prompt: String,
    pub next: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchSpec {
    pub cases: Vec<CaseSpec>,
    pub otherwise: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSpec {
    pub when: Condition,
    pub next: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndSpec {
    pub outcome: Outcome,
    pub title: String,
    pub debrief: String,
}

/// Objection states a condition can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionState {
    NotRaised,
    Open,
    Answered,
    Deferred,
    Resolved,
    Dismissed,
    /// Any of resolved or pre-empted.
    Settled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    TrustAtLeast(i32),
    TrustBelow(i32),
    StageAtLeast(Stage),
    Flag(String),
    NotFlag(String),
    Personality(Personality),
    Objection(String, ObjectionState),
    Milestone(String),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}
