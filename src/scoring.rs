//! The score out of 100 and the report after an ending.
//!
//! Each point comes from a named rule whose arithmetic is printed beside it, so a trainee
//! (or a sceptical trainer) can check every point. The rules are documented in
//! `docs/scenario-format.md`, "Scoring".

use crate::compile::{Scenario, Then};
use crate::engine::{Event, ObjectionStatus, PlayState, STYLE_MAX, Session};
use crate::vocabulary::{Category, Outcome, Personality, Stage, Timing};
use serde::{Deserialize, Serialize};

/// One scoring rule's contribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleLine {
    pub rule: String,
    /// Negative for a deduction.
    pub points: i32,
    pub max: i32,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreCard {
    pub total: u32,
    pub rules: Vec<RuleLine>,
}

/// The points each rule is worth. A diagnosis step takes its 10 points from trust and style.
pub struct Weights {
    pub outcome: u32,
    pub trust: u32,
    pub relationship: u32,
    pub objections: u32,
    pub style: u32,
    pub diagnosis: u32,
}

pub fn weights(has_diagnosis: bool) -> Weights {
    if has_diagnosis {
        Weights {
            outcome: 30,
            trust: 20,
            relationship: 15,
            objections: 20,
            style: 5,
            diagnosis: 10,
        }
    } else {
        Weights {
            outcome: 30,
            trust: 25,
            relationship: 15,
            objections: 20,
            style: 10,
            diagnosis: 0,
        }
    }
}

/// Points each choice marked as a mistake costs, whatever else it earned.
pub const MISTAKE_POINTS: i32 = 4;

/// Trust gained to earn every trust point.
pub const TRUST_GAIN_FOR_FULL_POINTS: i32 = 40;

pub fn outcome_fraction(outcome: Outcome) -> (u32, u32) {
    match outcome {
        Outcome::Deal => (30, 30),
        Outcome::NextStep => (22, 30),
        Outcome::Stalled => (8, 30),
        Outcome::LostRelationship => (0, 30),
    }
}

fn scaled(max: u32, num: f64, den: f64) -> u32 {
    if den <= 0.0 {
        return 0;
    }
    ((max as f64) * (num / den).clamp(0.0, 1.0)).round() as u32
}

/// The share of an objection's points its result and timing earn, out of 10.
fn objection_tenths(
    status: ObjectionStatus,
    timing: Option<Timing>,
    right: &[Timing],
) -> (u32, u32) {
    let ignore_is_right = right.contains(&Timing::Ignore);
    let result = match status {
        ObjectionStatus::Resolved | ObjectionStatus::Preempted => 7,
        ObjectionStatus::Answered => 4,
        ObjectionStatus::Deferred => 2,
        ObjectionStatus::Dismissed if ignore_is_right => 7,
        _ => 0,
    };
    let handled = matches!(
        status,
        ObjectionStatus::Resolved | ObjectionStatus::Preempted | ObjectionStatus::Answered
    ) || (status == ObjectionStatus::Dismissed && ignore_is_right);
    let timing_ok = handled && timing.is_some_and(|t| right.contains(&t));
    (result, if timing_ok { 3 } else { 0 })
}

/// Scores a finished state. Only `state` and `outcome` matter, which the analysis relies on.
pub fn score(scn: &Scenario, state: &PlayState, outcome: Outcome) -> ScoreCard {
    let points = points(scn, state, outcome);
    ScoreCard {
        total: points.total(),
        rules: explain(scn, state, outcome, &points),
    }
}

/// The total alone, without building the explanation: the analysis scores every ending
/// position this way.
pub fn total(scn: &Scenario, state: &PlayState, outcome: Outcome) -> u32 {
    points(scn, state, outcome).total()
}

/// The objections the score counts, with the tenths of result and timing each earns: raised
/// ones, and a central one even if it never surfaced.
fn counted_objections<'a>(
    scn: &'a Scenario,
    state: &'a PlayState,
) -> impl Iterator<Item = (&'a crate::compile::Objection, (u32, u32))> + 'a {
    state
        .objections
        .iter()
        .zip(&scn.objections)
        .filter(|(track, spec)| track.status != ObjectionStatus::NotRaised || spec.central)
        .map(|(track, spec)| {
            let tenths = objection_tenths(track.status, track.timing, &spec.right_timings);
            (spec, tenths)
        })
}

/// Rungs of the trust path climbed, and how many this session's contacts allowed: at most
/// the model's `stage_climb_per_contact` per contact, and no higher than the highest stage
/// the scenario's milestones can unlock.
pub fn rungs(scn: &Scenario, state: &PlayState) -> (i32, i32) {
    let start = scn.start_stage.index() as i32;
    let top = scn.highest_stage.index() as i32;
    let per_contact = scn.model.file.stage_climb_per_contact as i32;
    let possible = (top - start).min(per_contact * state.contact as i32);
    (state.stage.index() as i32 - start, possible)
}

/// What each rule awards a finished state; [`explain`] turns it into the printed rules.
struct Points {
    outcome: u32,
    trust: u32,
    relationship: u32,
    objections: u32,
    style: u32,
    diagnosis: Option<u32>,
    mistakes: i32,
}

impl Points {
    fn total(&self) -> u32 {
        let earned = self.outcome
            + self.trust
            + self.relationship
            + self.objections
            + self.style
            + self.diagnosis.unwrap_or(0);
        (earned as i32 - self.mistakes).clamp(0, 100) as u32
    }
}

fn points(scn: &Scenario, state: &PlayState, outcome: Outcome) -> Points {
    let w = weights(scn.has_diagnosis);
    // Measured against the best outcome the scenario offers: where the need is real there
    // is no sale to make, and a graceful next step is full marks.
    let (o_points, _) = outcome_fraction(outcome);
    let (o_max, _) = outcome_fraction(scn.best_outcome);
    let gain = state.trust - scn.start_trust;
    let (climbed, possible) = rungs(scn, state);
    let relationship = if possible == 0 {
        if climbed >= 0 { w.relationship } else { 0 }
    } else {
        scaled(w.relationship, climbed as f64, possible as f64)
    };
    let mut weight_total = 0u32;
    let mut earned_tenths = 0u32;
    for (spec, (result, timing)) in counted_objections(scn, state) {
        let weight = if spec.central { 2 } else { 1 };
        weight_total += weight;
        earned_tenths += weight * (result + timing);
    }
    let objections = if weight_total == 0 {
        w.objections
    } else {
        scaled(
            w.objections,
            earned_tenths as f64,
            (weight_total * 10) as f64,
        )
    };
    Points {
        outcome: scaled(w.outcome, o_points as f64, o_max as f64),
        trust: scaled(w.trust, gain as f64, TRUST_GAIN_FOR_FULL_POINTS as f64),
        relationship,
        objections,
        style: scaled(w.style, state.style_balance as f64, STYLE_MAX as f64),
        diagnosis: scn.has_diagnosis.then(|| {
            if state.diagnosis == Some(true) {
                w.diagnosis
            } else {
                0
            }
        }),
        mistakes: MISTAKE_POINTS * state.mistakes as i32,
    }
}

/// The rules behind `points`, each with the arithmetic a trainee can check.
fn explain(scn: &Scenario, state: &PlayState, outcome: Outcome, points: &Points) -> Vec<RuleLine> {
    use crate::text::{T, fill, tr};
    let l = scn.locale();
    let w = weights(scn.has_diagnosis);
    let mut rules = Vec::with_capacity(7);
    let mut add = |rule: &str, points: i32, max: u32, detail: String| {
        rules.push(RuleLine {
            rule: rule.to_string(),
            points,
            max: max as i32,
            detail,
        });
    };
    add(
        "outcome",
        points.outcome as i32,
        w.outcome,
        fill(
            tr(T::RuleOutcome, l),
            &[
                &outcome.name(l),
                &points.outcome,
                &w.outcome,
                &scn.best_outcome.name(l),
            ],
        ),
    );
    let gain = format!("{:+}", state.trust - scn.start_trust);
    add(
        "trust_built",
        points.trust as i32,
        w.trust,
        fill(
            tr(T::RuleTrust, l),
            &[
                &scn.start_trust,
                &state.trust,
                &gain,
                &TRUST_GAIN_FOR_FULL_POINTS,
                &w.trust,
            ],
        ),
    );
    let (climbed, possible) = rungs(scn, state);
    add(
        "relationship_progress",
        points.relationship as i32,
        w.relationship,
        fill(
            tr(T::RuleRelationship, l),
            &[
                &scn.start_stage.name(l),
                &state.stage.name(l),
                &climbed.max(0),
                &possible,
                &state.contact,
            ],
        ),
    );
    let parts: Vec<String> = counted_objections(scn, state)
        .map(|(spec, (result, timing))| {
            format!(
                "{} {}+{}/10{}",
                spec.id,
                result,
                timing,
                if spec.central { "×2" } else { "" }
            )
        })
        .collect();
    add(
        "objections",
        points.objections as i32,
        w.objections,
        if parts.is_empty() {
            tr(T::RuleNoObjection, l).to_string()
        } else {
            fill(tr(T::RuleObjections, l), &[&parts.join(", ")])
        },
    );
    add(
        "style_fit",
        points.style as i32,
        w.style,
        fill(
            tr(T::RuleStyle, l),
            &[
                &state.style_balance,
                &STYLE_MAX,
                &state.personality.name(l).to_lowercase(),
            ],
        ),
    );
    if let Some(diagnosis_points) = points.diagnosis {
        let key = match state.diagnosis {
            Some(true) => T::RuleDiagnosisRight,
            Some(false) => T::RuleDiagnosisWrong,
            None => T::RuleDiagnosisNone,
        };
        add(
            "diagnosis",
            diagnosis_points as i32,
            w.diagnosis,
            tr(key, l).to_string(),
        );
    }
    if state.mistakes > 0 {
        add(
            "mistakes",
            -points.mistakes,
            0,
            fill(tr(T::RuleMistakes, l), &[&state.mistakes, &MISTAKE_POINTS]),
        );
    }
    rules
}

/// One objection's story in a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectionReport {
    pub id: String,
    pub category: Category,
    /// The sub-type's name in the scenario's language (e.g. "value objection").
    pub subtype: String,
    /// Whether it was an excuse this time, for objections that may be drawn as one.
    pub excuse: Option<bool>,
    pub central: bool,
    pub status: ObjectionStatus,
    pub timing: Option<Timing>,
    pub timing_right: bool,
    pub right_timings: Vec<Timing>,
    /// Handling methods used on it, in order (technique ids).
    pub methods: Vec<String>,
    /// The same methods named in the scenario's language.
    pub method_names: Vec<String>,
}

/// How the trainee's moves would have landed with each personality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StyleFit {
    pub personality: Personality,
    /// Sum of the model's trust effects of every technique used.
    pub trust_effect: i32,
    pub suited: u32,
    pub unsuited: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub scenario: String,
    pub title: String,
    pub seed: u64,
    pub personality: Personality,
    pub drawn: bool,
    pub outcome: Outcome,
    pub ending: String,
    pub ending_title: String,
    pub debrief: String,
    pub trust_start: i32,
    pub trust_end: i32,
    pub trust_peak: i32,
    pub trust_timeline: Vec<i32>,
    pub stage_start: Stage,
    pub stage_end: Stage,
    pub objections: Vec<ObjectionReport>,
    pub style_fit: Vec<StyleFit>,
    pub diagnosis: Option<(Personality, bool)>,
    pub mistakes: u32,
    pub score: ScoreCard,
    pub choices: Vec<usize>,
}

/// The report for a finished session, or `None` while it is still running.
pub fn report(session: &Session) -> Option<Report> {
    let ending = session.ending()?;
    let scn = session.scenario();
    let state = session.state();
    let model = &scn.model;

    let mut objections: Vec<ObjectionReport> = scn
        .objections
        .iter()
        .zip(&state.objections)
        .map(|(spec, track)| ObjectionReport {
            id: spec.id.clone(),
            category: spec.category,
            subtype: model.file.objection_types[spec.subtype]
                .name
                .get(scn.locale())
                .to_string(),
            excuse: spec.excuse_if.map(|flag| state.flags & flag != 0),
            central: spec.central,
            status: track.status,
            timing: track.timing,
            timing_right: track
                .timing
                .is_some_and(|t| spec.right_timings.contains(&t)),
            right_timings: spec.right_timings.clone(),
            methods: Vec::new(),
            method_names: Vec::new(),
        })
        .collect();
    let mut used_techniques = Vec::new();
    let mut diagnosis = None;
    let mut mistakes = 0;
    for event in session.events() {
        match event {
            Event::ObjectionHandled {
                objection,
                method: Some(m),
                ..
            } => {
                if let Some(o) = objections.iter_mut().find(|o| &o.id == objection)
                    && !o.methods.contains(m)
                {
                    o.methods.push(m.clone());
                    let name = model
                        .technique(m)
                        .map(|t| model.technique_def(t).name.get(scn.locale()).to_string());
                    o.method_names.push(name.unwrap_or_else(|| m.clone()));
                }
            }
            Event::TraineeSays { techniques, .. } => {
                used_techniques.extend(techniques.iter().cloned())
            }
            Event::Diagnosed { guess, correct, .. } => diagnosis = Some((*guess, *correct)),
            Event::Feedback { mistake: true, .. } => mistakes += 1,
            _ => {}
        }
    }
    let style_fit = Personality::ALL
        .iter()
        .map(|&p| {
            let mut fit = StyleFit {
                personality: p,
                trust_effect: 0,
                suited: 0,
                unsuited: 0,
            };
            for t in used_techniques.iter().filter_map(|t| model.technique(t)) {
                let (effect, _) = model.technique_effect(t, p);
                fit.trust_effect += effect;
                match effect.signum() {
                    1 => fit.suited += 1,
                    -1 => fit.unsuited += 1,
                    _ => {}
                }
            }
            fit
        })
        .collect();
    let timeline = session.trust_timeline().to_vec();
    let end_node = &scn.nodes[session.node()];
    debug_assert!(matches!(end_node.then, Then::End(_)));
    Some(Report {
        scenario: scn.file.id.clone(),
        title: scn.file.title.clone(),
        seed: session.seed(),
        personality: state.personality,
        drawn: scn.drawn,
        outcome: ending.outcome,
        ending: end_node.id.clone(),
        ending_title: ending.title.to_string(),
        debrief: ending.debrief.to_string(),
        trust_start: scn.start_trust,
        trust_end: state.trust,
        trust_peak: timeline.iter().copied().max().unwrap_or(state.trust),
        trust_timeline: timeline,
        stage_start: scn.start_stage,
        stage_end: state.stage,
        objections,
        style_fit,
        diagnosis,
        mistakes,
        score: score(scn, state, ending.outcome),
        choices: session.choice_numbers(),
    })
}
