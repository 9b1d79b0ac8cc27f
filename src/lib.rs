//! Rapport: a training simulator for sales objection handling.
//!
//! The core — vocabulary, model, scenario format, loading, validation, engine, scoring,
//! analysis, debrief — never imports Bevy or egui and never touches the file system except
//! in `catalog` (scenario folders) and `history` (the trainees' database). The desktop shell
//! lives in `app`, behind the `gui` feature.

pub mod account;
pub mod analysis;
pub mod catalog;
pub mod classview;
pub mod classvote;
pub mod compile;
pub mod cues;
pub mod debrief;
pub mod engine;
pub mod export;
pub mod gate;
pub mod generate;
pub mod history;
pub mod load;
pub mod lrs;
pub mod model;
pub mod recording;
pub mod scenario;
pub mod scoring;
pub mod settings;
pub mod text;
pub mod vocabulary;
pub mod xapi;

#[cfg(feature = "gui")]
pub mod app;

pub use compile::{Scenario, load_scenario};
pub use engine::{Event, Prompt, Session};
pub use load::{Location, Problem};
pub use model::Model;
