//! Recorded playthroughs: a scenario, a seed and choices, with the events they produced,
//! replayed later as regression tests ("same events, or a diff").

use crate::compile::Scenario;
use crate::engine::{Event, Session};
use crate::vocabulary::Personality;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// The scenario file, relative to the recording.
    pub scenario: String,
    pub seed: u64,
    /// Set when the personality was chosen rather than drawn.
    #[serde(default)]
    pub personality: Option<Personality>,
    /// 1-based, as the trainee saw the choices.
    pub choices: Vec<usize>,
    pub events: Vec<Event>,
}

/// Why a scripted run could not be completed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    #[error("step {step}: choice {chosen} is not offered; there are {available} choices")]
    NotOffered {
        step: usize,
        chosen: usize,
        available: usize,
    },
    #[error("step {step}: the conversation had already ended")]
    AlreadyEnded { step: usize },
}

/// Runs `choices` (1-based) from the start of a fresh session.
pub fn replay(
    scenario: Arc<Scenario>,
    seed: u64,
    personality: Option<Personality>,
    choices: &[usize],
) -> Result<Session, ReplayError> {
    let mut session = match personality {
        Some(p) => Session::with_personality(scenario, seed, p),
        None => Session::new(scenario, seed),
    };
    for (step, &number) in choices.iter().enumerate() {
        if session.is_ended() {
            return Err(ReplayError::AlreadyEnded { step: step + 1 });
        }
        if let Err(err) = session.choose(number.wrapping_sub(1)) {
            return Err(match err {
                crate::engine::ChoiceError::OutOfRange { available, .. } => {
                    ReplayError::NotOffered {
                        step: step + 1,
                        chosen: number,
                        available,
                    }
                }
                crate::engine::ChoiceError::Ended => ReplayError::AlreadyEnded { step: step + 1 },
            });
        }
    }
    Ok(session)
}

/// The first difference between expected and actual events, as readable lines, or `None`.
pub fn diff_events(expected: &[Event], actual: &[Event]) -> Option<String> {
    let line = |e: &Event| ron::to_string(e).unwrap_or_else(|_| format!("{e:?}"));
    for i in 0..expected.len().max(actual.len()) {
        match (expected.get(i), actual.get(i)) {
            (Some(a), Some(b)) if a == b => continue,
            (a, b) => {
                return Some(format!(
                    "event {}:\n  - expected: {}\n  + actual:   {}",
                    i + 1,
                    a.map(line).unwrap_or_else(|| "(nothing)".into()),
                    b.map(line).unwrap_or_else(|| "(nothing)".into()),
                ));
            }
        }
    }
    None
}

/// The recording of a finished or unfinished session.
pub fn record(
    session: &Session,
    scenario_path: &str,
    personality: Option<Personality>,
) -> Recording {
    Recording {
        scenario: scenario_path.to_string(),
        seed: session.seed(),
        personality,
        choices: session.choice_numbers(),
        events: session.events().to_vec(),
    }
}

pub fn to_ron(recording: &Recording) -> String {
    let config = ron::ser::PrettyConfig::new().depth_limit(3);
    ron::ser::to_string_pretty(recording, config).unwrap_or_default()
}

/// A recorded account: its file, the seed, every step's choices, and the events of every
/// step and of what happened between steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRecording {
    /// The account file, relative to the recording.
    pub account: String,
    pub seed: u64,
    /// 1-based choice numbers of each step, in order.
    pub steps: Vec<Vec<usize>>,
    pub events: Vec<Event>,
}

/// Plays an account's steps from the start, collecting every event in order.
pub fn replay_account(
    account: Arc<crate::account::Account>,
    seed: u64,
    steps: &[Vec<usize>],
) -> Result<(crate::account::AccountRun, Vec<Event>), String> {
    let mut run = crate::account::AccountRun::new(account, seed);
    let mut events = Vec::new();
    for (i, choices) in steps.iter().enumerate() {
        let session = run
            .start_step()
            .ok_or_else(|| format!("step {}: the account was already complete", i + 1))?;
        let session = replay(
            session.scenario().clone(),
            session.seed(),
            Some(session.personality()),
            choices,
        )
        .map_err(|e| format!("step {}: {e}", i + 1))?;
        events.extend_from_slice(session.events());
        let between = run
            .finish_step(&session)
            .map_err(|e| format!("step {}: {e}", i + 1))?;
        events.extend(between);
    }
    Ok((run, events))
}

pub fn account_to_ron(recording: &AccountRecording) -> String {
    let config = ron::ser::PrettyConfig::new().depth_limit(3);
    ron::ser::to_string_pretty(recording, config).unwrap_or_default()
}
