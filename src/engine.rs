//! The dialogue engine: a pure function of scenario, seed and choices that returns events.
//!
//! It never draws and never reads files. The rules that move trust, the relationship stage
//! and objections live in [`step`] functions shared with the analysis, so what the analysis
//! predicts is exactly what a session does.

use crate::compile::{ActionKind, Choice, Cond, Ending, MAX_OBJECTIONS, Scenario, Then};
use crate::scenario::ObjectionState;
use crate::vocabulary::{Category, Mood, Outcome, Personality, Stage, Timing};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where an objection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    NotRaised,
    Open,
    Answered,
    Deferred,
    Resolved,
    Preempted,
    Dismissed,
}

impl ObjectionStatus {
    pub fn name(self, locale: crate::vocabulary::Locale) -> &'static str {
        use crate::text::{T, tr};
        use ObjectionStatus::*;
        let key = match self {
            NotRaised => T::StatusNotRaised,
            Open => T::StatusOpen,
            Answered => T::StatusAnswered,
            Deferred => T::StatusDeferred,
            Resolved => T::StatusResolved,
            Preempted => T::StatusPreempted,
            Dismissed => T::StatusDismissed,
        };
        tr(key, locale)
    }
}

/// One objection's state: everything about it that the score depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ObjectionTrack {
    pub status: ObjectionStatus,
    pub timing: Option<Timing>,
    /// Raised on arriving at the current decision: answering now is answering "at once".
    pub fresh: bool,
}

/// Mistakes beyond this many cost nothing more (the score has hit its floor by then).
pub const MISTAKES_COUNTED: u8 = 5;

/// Style balance starts here and moves +1 for each well-fitting move, -2 for each ill-fitting one.
pub const STYLE_START: i8 = 5;
pub const STYLE_MAX: i8 = 10;

/// The part of a session that decides its score. Two sessions at the same node with equal
/// `PlayState`s have the same futures, which is what lets the analysis memoise on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlayState {
    pub personality: Personality,
    pub trust: i32,
    pub stage: Stage,
    pub flags: u64,
    pub milestones: u64,
    pub style_balance: i8,
    /// One track per objection, in the scenario's order; unused slots stay "not raised".
    /// A fixed array keeps the state free of heap allocations, which the analysis clones
    /// millions of times.
    pub objections: [ObjectionTrack; MAX_OBJECTIONS],
    pub diagnosis: Option<bool>,
    /// Choices marked as mistakes, counted up to `MISTAKES_COUNTED`.
    pub mistakes: u8,
    /// Which contact (visit, meeting, call) this is, from 1.
    pub contact: u8,
    /// The stage when this contact began: the stage climbs at most the model's
    /// `stage_climb_per_contact` rungs above it.
    pub contact_start: Stage,
    /// Promises made at this contact (bits of `Scenario::promises`), due by the end of the next.
    pub promises_made: u16,
    /// Promises made at an earlier contact, still to keep: an account charges them as broken
    /// when the visit after the one they were made in ends unkept.
    pub promises_due: u16,
    pub promises_kept: u16,
    pub promises_broken: u16,
}

impl PlayState {
    pub fn new(scenario: &Scenario, personality: Personality) -> Self {
        let mut objections = [ObjectionTrack {
            status: ObjectionStatus::NotRaised,
            timing: None,
            fresh: false,
        }; MAX_OBJECTIONS];
        for &(o, status) in &scenario.start_objections {
            if let Some(track) = objections.get_mut(o) {
                track.status = status;
            }
        }
        PlayState {
            personality,
            trust: scenario.start_trust.clamp(0, 100),
            stage: scenario.start_stage,
            flags: 0,
            milestones: scenario.start_milestones,
            style_balance: STYLE_START,
            objections,
            diagnosis: None,
            mistakes: 0,
            contact: 1,
            contact_start: scenario.start_stage,
            promises_made: 0,
            promises_due: scenario.start_promises_due,
            promises_kept: 0,
            promises_broken: 0,
        }
    }

    pub fn holds(&self, cond: &Cond) -> bool {
        match cond {
            Cond::TrustAtLeast(t) => self.trust >= *t,
            Cond::TrustBelow(t) => self.trust < *t,
            Cond::StageAtLeast(s) => self.stage >= *s,
            Cond::Flag(mask) => self.flags & mask != 0,
            Cond::NotFlag(mask) => self.flags & mask == 0,
            Cond::Personality(p) => self.personality == *p,
            Cond::Milestone(mask) => self.milestones & mask != 0,
            Cond::Objection(o, wanted) => {
                let status = self
                    .objections
                    .get(*o)
                    .map(|t| t.status)
                    .unwrap_or(ObjectionStatus::NotRaised);
                match wanted {
                    ObjectionState::NotRaised => status == ObjectionStatus::NotRaised,
                    ObjectionState::Open => status == ObjectionStatus::Open,
                    ObjectionState::Answered => status == ObjectionStatus::Answered,
                    ObjectionState::Deferred => status == ObjectionStatus::Deferred,
                    ObjectionState::Resolved => status == ObjectionStatus::Resolved,
                    ObjectionState::Dismissed => status == ObjectionStatus::Dismissed,
                    ObjectionState::Settled => matches!(
                        status,
                        ObjectionStatus::Resolved | ObjectionStatus::Preempted
                    ),
                }
            }
            Cond::All(list) => list.iter().all(|c| self.holds(c)),
            Cond::Any(list) => list.iter().any(|c| self.holds(c)),
            Cond::Not(inner) => !self.holds(inner),
        }
    }

    /// Where a routing node sends this state: the first case that holds, or `otherwise`.
    pub fn route(&self, cases: &[(Cond, usize)], otherwise: usize) -> usize {
        cases
            .iter()
            .find(|(c, _)| self.holds(c))
            .map_or(otherwise, |(_, next)| *next)
    }

    pub fn can_choose(&self, choice: &Choice) -> bool {
        choice.when.as_ref().is_none_or(|c| self.holds(c))
    }
}

/// A reason trust moved, shown to the trainee and in the debrief.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustReason {
    /// A technique id, or `scenario` or `breach`.
    pub source: String,
    pub delta: i32,
    pub why: String,
}

/// Everything that happens in a session, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    PersonalityDrawn {
        personality: Personality,
    },
    CustomerSays {
        node: String,
        text: Arc<str>,
        mood: Mood,
    },
    ChanceHappened {
        note: Arc<str>,
    },
    /// Time passed and a new contact began.
    ContactBegan {
        contact: u8,
        days: u16,
        note: Arc<str>,
    },
    ObjectionRaised {
        objection: String,
        category: Category,
        again: bool,
        already_preempted: bool,
    },
    TraineeSays {
        node: String,
        choice: usize,
        text: Arc<str>,
        techniques: Vec<String>,
    },
    ObjectionHandled {
        objection: String,
        action: ActionKind,
        timing: Timing,
        timing_right: bool,
        method: Option<String>,
    },
    TrustChanged {
        from: i32,
        to: i32,
        reasons: Vec<TrustReason>,
    },
    Breach {
        why: String,
    },
    PromiseMade {
        promise: String,
        what: String,
    },
    PromiseKept {
        promise: String,
        what: String,
    },
    /// A promise was not kept by the end of the visit after the one it was made in (emitted by
    /// an account between visits).
    PromiseBroken {
        promise: String,
        what: String,
    },
    MilestoneReached {
        milestone: String,
    },
    StageChanged {
        from: Stage,
        to: Stage,
    },
    Feedback {
        text: Arc<str>,
        mistake: bool,
    },
    Diagnosed {
        guess: Personality,
        actual: Personality,
        correct: bool,
    },
    Ended {
        node: String,
        outcome: Outcome,
        title: Arc<str>,
    },
}

/// Where the rules stopped after arriving somewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stop {
    Decision(usize),
    Chance(usize),
    End(usize),
}

/// Receives events when a session wants them; the analysis passes `None` and pays nothing.
pub type Sink<'a> = Option<&'a mut Vec<Event>>;

fn emit(sink: &mut Sink, make: impl FnOnce() -> Event) {
    if let Some(events) = sink {
        events.push(make());
    }
}

/// Arrives at `node`: the customer speaks, raises objections, and routing nodes are followed
/// until the trainee must act, chance must be drawn, or the conversation ends.
pub fn arrive(scn: &Scenario, state: &mut PlayState, mut node: usize, sink: &mut Sink) -> Stop {
    // Validation forbids loops, so this visits each node at most once; the bound is a guard.
    for _ in 0..=scn.nodes.len() {
        let n = &scn.nodes[node];
        let line = n.line_for(state.personality);
        if !line.is_empty() {
            emit(sink, || Event::CustomerSays {
                node: n.id.clone(),
                text: line.clone(),
                mood: n.mood,
            });
        }
        for &o in &n.raises {
            raise(scn, state, o, sink);
        }
        match &n.then {
            Then::Choices(_) | Then::Diagnose { .. } => return Stop::Decision(node),
            Then::Chance(_) => return Stop::Chance(node),
            Then::End(_) => return Stop::End(node),
            Then::Branch { cases, otherwise } => {
                node = state.route(cases, *otherwise);
            }
            Then::Later { days, note, next } => {
                begin_contact(scn, state, sink);
                let contact = state.contact;
                emit(sink, || Event::ContactBegan {
                    contact,
                    days: *days,
                    note: note.clone(),
                });
                node = *next;
            }
        }
    }
    Stop::End(node)
}

/// A new contact: meeting again is itself a milestone, and the stage may climb afresh.
fn begin_contact(scn: &Scenario, state: &mut PlayState, sink: &mut Sink) {
    let model = &scn.model;
    state.contact = state.contact.saturating_add(1);
    state.contact_start = state.stage;
    // What was promised is due from now on; an account charges a promise still unkept when
    // the visit after the one it was made in ends (`account::carry`), never mid-visit, so trust
    // changes only on the trainee's choices (which the analysis relies on).
    state.promises_due = (state.promises_due | state.promises_made) & !state.promises_kept;
    state.promises_made = 0;
    let new = model.contact_milestone & !state.milestones;
    state.milestones |= model.contact_milestone;
    emit_milestones(scn, new, sink);
    let before = state.stage;
    climb(scn, state);
    emit_stage_change(before, state, sink);
}

/// Climbs the trust path while trust and a milestone allow it, at most the model's
/// `stage_climb_per_contact` rungs above where this contact began.
fn climb(scn: &Scenario, state: &mut PlayState) {
    let model = &scn.model;
    let ceiling = state.contact_start.index() + model.file.stage_climb_per_contact as usize;
    while let Some(next) = state.stage.next() {
        let (threshold, needs) = model.stage_rules[next.index()];
        // `highest_stage` bounds what the milestones allow; an account's interlude sets it to
        // the stage it starts at, since upkeep keeps a relationship but does not climb it.
        if next.index() <= ceiling
            && next <= scn.highest_stage
            && state.trust >= threshold
            && state.milestones & needs != 0
        {
            state.stage = next;
        } else {
            break;
        }
    }
}

fn emit_milestones(scn: &Scenario, new: u64, sink: &mut Sink) {
    if sink.is_some() && new != 0 {
        for (i, m) in scn.model.file.milestones.iter().enumerate() {
            if new & (1 << i) != 0 {
                emit(sink, || Event::MilestoneReached {
                    milestone: m.id.clone(),
                });
            }
        }
    }
}

fn emit_stage_change(before: Stage, state: &PlayState, sink: &mut Sink) {
    if state.stage != before {
        let to = state.stage;
        emit(sink, || Event::StageChanged { from: before, to });
    }
}

/// Takes chance branch `branch` at `node`: sets its flags and returns where it leads.
pub fn draw(scn: &Scenario, state: &mut PlayState, node: usize, branch: usize) -> usize {
    match &scn.nodes[node].then {
        Then::Chance(branches) => {
            let b = &branches[branch];
            state.flags |= b.set;
            b.next
        }
        _ => node,
    }
}

fn raise(scn: &Scenario, state: &mut PlayState, o: usize, sink: &mut Sink) {
    let track = &mut state.objections[o];
    let before = track.status;
    match before {
        ObjectionStatus::Preempted => {}
        ObjectionStatus::NotRaised | ObjectionStatus::Open => {
            track.status = ObjectionStatus::Open;
            track.fresh = true;
        }
        ObjectionStatus::Deferred => {
            // The customer brings back what was put off: answering it now is still "later".
            track.status = ObjectionStatus::Open;
            track.fresh = false;
        }
        ObjectionStatus::Answered | ObjectionStatus::Resolved | ObjectionStatus::Dismissed => {
            track.status = ObjectionStatus::Open;
            track.timing = None;
            track.fresh = true;
        }
    }
    emit(sink, || Event::ObjectionRaised {
        objection: scn.objections[o].id.clone(),
        category: scn.objections[o].category,
        again: !matches!(
            before,
            ObjectionStatus::NotRaised | ObjectionStatus::Preempted
        ),
        already_preempted: before == ObjectionStatus::Preempted,
    });
}

/// The branch a chance node takes for a random number in `0..total_weight`.
pub fn chance_pick(branches: &[crate::compile::ChanceBranch], roll: u64) -> usize {
    let mut acc = 0u64;
    for (i, b) in branches.iter().enumerate() {
        acc += b.weight as u64;
        if roll < acc {
            return i;
        }
    }
    branches.len().saturating_sub(1)
}

/// The choices at a decision node the trainee may take now, as indices into the node's list.
pub fn visible_choices(scn: &Scenario, state: &PlayState, node: usize) -> Vec<usize> {
    match &scn.nodes[node].then {
        Then::Choices(list) => (0..list.len())
            .filter(|&i| state.can_choose(&list[i]))
            .collect(),
        Then::Diagnose { .. } => (0..Personality::ALL.len()).collect(),
        _ => Vec::new(),
    }
}

/// Applies choice `index` (into the node's list) and returns the node it leads to.
pub fn apply_choice(
    scn: &Scenario,
    state: &mut PlayState,
    node: usize,
    index: usize,
    sink: &mut Sink,
) -> usize {
    let n = &scn.nodes[node];
    let choice = match &n.then {
        Then::Choices(list) => &list[index],
        Then::Diagnose { next, .. } => {
            let guess = Personality::ALL[index.min(3)];
            let correct = guess == state.personality;
            state.diagnosis = Some(correct);
            let actual = state.personality;
            emit(sink, || Event::Diagnosed {
                guess,
                actual,
                correct,
            });
            return *next;
        }
        _ => return node,
    };
    let model = &scn.model;
    let p = state.personality;
    emit(sink, || Event::TraineeSays {
        node: n.id.clone(),
        choice: index,
        text: choice.say.clone(),
        techniques: choice
            .techniques
            .iter()
            .map(|&t| model.technique_def(t).id.clone())
            .collect(),
    });

    let method = choice
        .techniques
        .iter()
        .copied()
        .find(|&t| model.technique_def(t).kind == crate::model::TechniqueKind::Method);
    for &(action, o) in &choice.objections {
        let track = &mut state.objections[o];
        let timing = match action {
            ActionKind::Dismiss => Timing::Ignore,
            ActionKind::Defer => Timing::Later,
            _ if track.status == ObjectionStatus::NotRaised => Timing::Preempt,
            _ if track.fresh => Timing::AtOnce,
            _ => Timing::Later,
        };
        track.status = match (action, track.status) {
            (_, ObjectionStatus::Preempted) if action != ActionKind::Dismiss => {
                ObjectionStatus::Preempted
            }
            (ActionKind::Preempt, ObjectionStatus::NotRaised) => ObjectionStatus::Preempted,
            (ActionKind::Preempt | ActionKind::Resolve, _) => ObjectionStatus::Resolved,
            (ActionKind::Answer, _) => ObjectionStatus::Answered,
            (ActionKind::Defer, _) => ObjectionStatus::Deferred,
            (ActionKind::Dismiss, _) => ObjectionStatus::Dismissed,
        };
        // The first answer since it was raised decides the timing; a dismissal followed by
        // a real answer counts as answering later.
        if matches!(track.timing, None | Some(Timing::Ignore)) {
            track.timing = Some(timing);
        }
        let recorded = track.timing.unwrap_or(timing);
        emit(sink, || Event::ObjectionHandled {
            objection: scn.objections[o].id.clone(),
            action,
            timing: recorded,
            timing_right: scn.objections[o].right_timings.contains(&recorded),
            method: method.map(|t| model.technique_def(t).id.clone()),
        });
    }
    for track in &mut state.objections {
        track.fresh = false;
    }

    let from = state.trust;
    let mut reasons = Vec::new();
    let (delta, breach) = trust_change(scn, p, choice, sink.is_some().then_some(&mut reasons));
    state.style_balance = choice
        .techniques
        .iter()
        .fold(state.style_balance, |balance, &t| {
            match model.technique_effect(t, p).0.signum() {
                1 => (balance + 1).min(STYLE_MAX),
                -1 => (balance - 2).max(0),
                _ => balance,
            }
        });
    state.trust = (from + delta).clamp(0, 100);
    if state.trust != from || (sink.is_some() && !reasons.is_empty()) {
        let to = state.trust;
        emit(sink, || Event::TrustChanged { from, to, reasons });
    }
    if let Some(why) = &breach {
        emit(sink, || Event::Breach { why: why.clone() });
    }

    state.flags = (state.flags | choice.set) & !choice.clear;
    let mut gained = choice
        .techniques
        .iter()
        .fold(choice.milestones, |m, &t| m | model.technique_grants[t]);
    // Keeping a promise made at an earlier contact is the milestone; keeping one made a minute
    // ago at the same contact is only doing what was said.
    let kept = choice.keeps & (state.promises_due | state.promises_made) & !state.promises_kept;
    if kept & state.promises_due != 0 {
        gained |= model.promise_kept_milestone;
    }
    state.promises_kept |= kept;
    for (i, promise) in scn.promises.iter().enumerate() {
        if kept & (1 << i) != 0 {
            emit(sink, || Event::PromiseKept {
                promise: promise.id.clone(),
                what: promise.what.clone(),
            });
        }
    }
    if choice.promise & !state.promises_kept != 0 {
        state.promises_made |= choice.promise;
        if let Some(promise) = scn.promises.get(choice.promise.trailing_zeros() as usize) {
            emit(sink, || Event::PromiseMade {
                promise: promise.id.clone(),
                what: promise.what.clone(),
            });
        }
    }
    let new = gained & !state.milestones;
    state.milestones |= gained;
    emit_milestones(scn, new, sink);

    let stage_before = state.stage;
    if breach.is_some() {
        state.stage = state.stage.previous().unwrap_or(Stage::Stranger);
    } else {
        climb(scn, state);
    }
    emit_stage_change(stage_before, state, sink);
    if choice.mistake {
        state.mistakes = (state.mistakes + 1).min(MISTAKES_COUNTED);
    }
    emit(sink, || Event::Feedback {
        text: choice.feedback_for(p).clone(),
        mistake: choice.mistake,
    });
    choice.next
}

/// How far a choice moves trust before it is clamped to 0–100. It does not depend on the
/// trust it starts from, which lets the analysis treat trust as one dense dimension.
pub fn trust_delta(scn: &Scenario, p: Personality, choice: &Choice) -> i32 {
    trust_change(scn, p, choice, None).0
}

/// The one rule for a choice's trust change: the model's view of each technique unless the
/// scenario overrides it, the scenario's bonus, and a breach. Also says why, when asked,
/// and what the breach was.
fn trust_change(
    scn: &Scenario,
    p: Personality,
    choice: &Choice,
    mut reasons: Option<&mut Vec<TrustReason>>,
) -> (i32, Option<String>) {
    let model = &scn.model;
    let locale = scn.locale();
    let mut delta = 0;
    let mut breach = choice.breach.as_ref().map(|b| b.to_string());
    for &t in &choice.techniques {
        let (effect, fit) = model.technique_effect(t, p);
        let def = model.technique_def(t);
        if def.breach_with.contains(&p) && breach.is_none() {
            breach = Some(crate::text::fill(
                crate::text::tr(crate::text::T::BreachByTechnique, locale),
                &[&def.name.get(locale)],
            ));
        }
        if choice.trust_override.is_none() {
            delta += effect;
            if let Some(reasons) = reasons.as_deref_mut()
                && effect != 0
            {
                reasons.push(TrustReason {
                    source: def.id.clone(),
                    delta: effect,
                    why: fit
                        .map(|f| f.why.get(locale).to_string())
                        .unwrap_or_else(|| def.name.get(locale).to_string()),
                });
            }
        }
    }
    let mut add = |source: &str, amount: i32, why: String| {
        if let Some(reasons) = reasons.as_deref_mut() {
            reasons.push(TrustReason {
                source: source.into(),
                delta: amount,
                why,
            });
        }
    };
    if let Some(fixed) = choice.trust_override {
        delta = fixed;
        add("scenario", fixed, choice.feedback_for(p).to_string());
    }
    if choice.trust_bonus != 0 {
        delta += choice.trust_bonus;
        add(
            "scenario",
            choice.trust_bonus,
            choice.feedback_for(p).to_string(),
        );
    }
    if let Some(why) = &breach {
        delta += model.file.breach_trust;
        add("breach", model.file.breach_trust, why.clone());
    }
    (delta, breach)
}

/// What the trainee is asked to do now.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    /// The visible choices, each with its index into the node's full list.
    Choices(Vec<(usize, Arc<str>)>),
    Diagnose {
        prompt: Arc<str>,
    },
    Ended,
}

/// Why a choice could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceError {
    #[error("choice {chosen} is not available; there are {available} choices")]
    OutOfRange { chosen: usize, available: usize },
    #[error("the conversation has ended")]
    Ended,
}

/// A decision the trainee took, with the state before it, for the debrief and analysis.
#[derive(Debug, Clone)]
pub struct Decision {
    pub node: usize,
    pub state: PlayState,
    /// Index into the node's full choice list (or the personality for a diagnosis).
    pub choice: usize,
    /// 0-based position among the choices the trainee saw.
    pub shown_as: usize,
}

/// One run through a scenario.
#[derive(Debug, Clone)]
pub struct Session {
    scenario: Arc<Scenario>,
    seed: u64,
    rng: ChaCha8Rng,
    node: usize,
    state: PlayState,
    events: Vec<Event>,
    decisions: Vec<Decision>,
    ended: bool,
    trust_timeline: Vec<i32>,
}

impl Session {
    /// Starts a session; a drawn personality is drawn from `seed`.
    pub fn new(scenario: Arc<Scenario>, seed: u64) -> Session {
        Session::start(scenario, seed, None)
    }

    /// Starts a session with the personality fixed (e.g. "try another personality").
    pub fn with_personality(
        scenario: Arc<Scenario>,
        seed: u64,
        personality: Personality,
    ) -> Session {
        Session::start(scenario, seed, Some(personality))
    }

    fn start(scenario: Arc<Scenario>, seed: u64, forced: Option<Personality>) -> Session {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut events = Vec::new();
        let personality = match forced {
            Some(p) => p,
            None if scenario.personalities.len() > 1 => {
                let p = scenario.personalities[rng.random_range(0..scenario.personalities.len())];
                events.push(Event::PersonalityDrawn { personality: p });
                p
            }
            None => scenario
                .personalities
                .first()
                .copied()
                .unwrap_or(Personality::Analytical),
        };
        let state = PlayState::new(&scenario, personality);
        let mut session = Session {
            node: scenario.start_node,
            trust_timeline: vec![state.trust],
            state,
            scenario,
            seed,
            rng,
            events,
            decisions: Vec::new(),
            ended: false,
        };
        let start = session.node;
        session.advance(start);
        session
    }

    fn advance(&mut self, mut node: usize) {
        let scn = self.scenario.clone();
        loop {
            let mut sink: Sink = Some(&mut self.events);
            match arrive(&scn, &mut self.state, node, &mut sink) {
                Stop::Decision(n) => {
                    self.node = n;
                    return;
                }
                Stop::End(n) => {
                    self.node = n;
                    self.ended = true;
                    if let Then::End(e) = &scn.nodes[n].then {
                        self.events.push(Event::Ended {
                            node: scn.nodes[n].id.clone(),
                            outcome: e.outcome,
                            title: e.title.clone(),
                        });
                    }
                    return;
                }
                Stop::Chance(n) => {
                    let Then::Chance(branches) = &scn.nodes[n].then else {
                        return;
                    };
                    let total: u64 = branches.iter().map(|b| b.weight as u64).sum();
                    let roll = self.rng.random_range(0..total.max(1));
                    let picked = chance_pick(branches, roll);
                    let note = branches[picked].note.clone();
                    if !note.is_empty() {
                        self.events.push(Event::ChanceHappened { note });
                    }
                    node = draw(&scn, &mut self.state, n, picked);
                }
            }
        }
    }

    /// Takes the `shown`-th (0-based) of the choices the trainee sees now; returns the new events.
    pub fn choose(&mut self, shown: usize) -> Result<&[Event], ChoiceError> {
        if self.ended {
            return Err(ChoiceError::Ended);
        }
        let visible = visible_choices(&self.scenario, &self.state, self.node);
        let Some(&index) = visible.get(shown) else {
            return Err(ChoiceError::OutOfRange {
                chosen: shown,
                available: visible.len(),
            });
        };
        let first_new = self.events.len();
        self.decisions.push(Decision {
            node: self.node,
            state: self.state,
            choice: index,
            shown_as: shown,
        });
        let scn = self.scenario.clone();
        let mut sink: Sink = Some(&mut self.events);
        let next = apply_choice(&scn, &mut self.state, self.node, index, &mut sink);
        self.advance(next);
        self.trust_timeline.push(self.state.trust);
        Ok(&self.events[first_new..])
    }

    pub fn prompt(&self) -> Prompt {
        if self.ended {
            return Prompt::Ended;
        }
        match &self.scenario.nodes[self.node].then {
            Then::Choices(list) => Prompt::Choices(
                visible_choices(&self.scenario, &self.state, self.node)
                    .into_iter()
                    .map(|i| (i, list[i].say.clone()))
                    .collect(),
            ),
            Then::Diagnose { prompt, .. } => Prompt::Diagnose {
                prompt: prompt.clone(),
            },
            _ => Prompt::Ended,
        }
    }

    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn events(&self) -> &[Event] {
        &self.events
    }
    pub fn state(&self) -> &PlayState {
        &self.state
    }
    pub fn node(&self) -> usize {
        self.node
    }
    pub fn personality(&self) -> Personality {
        self.state.personality
    }
    pub fn is_ended(&self) -> bool {
        self.ended
    }
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }
    /// Trust at the start and after each decision.
    pub fn trust_timeline(&self) -> &[i32] {
        &self.trust_timeline
    }
    pub fn ending(&self) -> Option<&Ending> {
        match (&self.ended, &self.scenario.nodes[self.node].then) {
            (true, Then::End(e)) => Some(e),
            _ => None,
        }
    }
    /// The 1-based choice numbers as the trainee saw them, for recordings and `--choices`.
    pub fn choice_numbers(&self) -> Vec<usize> {
        self.decisions.iter().map(|d| d.shown_as + 1).collect()
    }
}
