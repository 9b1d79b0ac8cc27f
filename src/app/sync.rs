//! Sending results to the organisation's learning record store from the app: a sync pass
//! (`crate::lrs::sync`) runs on the IO pool once a minute, when the settings change and when
//! the trainer asks; the outcome is the sync status the settings and progress screens show.

use crate::app::idle::WatchedFolder;
use crate::app::settings::Settings;
use crate::app::trainees::HistoryPath;
use crate::history::{History, OutboxStatus};
use crate::lrs::SyncReport;
use bevy::prelude::*;
use bevy::tasks::{IoTaskPool, Task, futures::check_ready};
use std::time::{Duration, Instant};

/// How often the outbox is looked at while the app runs.
const EVERY: Duration = Duration::from_secs(60);

pub struct SyncPlugin;

impl Plugin for SyncPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Sync>()
            .add_systems(Update, run_sync.after(crate::app::session::apply_intents));
    }
}

/// The sync status: what the last pass found, and whether one runs now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncView {
    pub sending: bool,
    pub outbox: OutboxStatus,
    /// Why the last pass did not send everything.
    pub error: Option<String>,
    /// Whether any pass has finished yet.
    pub known: bool,
}

#[derive(Resource, Default)]
pub struct Sync {
    task: Option<Task<Result<SyncReport, String>>>,
    requested: bool,
    last_start: Option<Instant>,
    pub view: SyncView,
}

impl Sync {
    /// Asks for a pass as soon as the running one (if any) is over.
    pub fn request(&mut self) {
        self.requested = true;
    }
}

fn run_sync(
    mut sync: ResMut<Sync>,
    settings: Res<Settings>,
    history: Option<Res<HistoryPath>>,
    folder: Option<Res<WatchedFolder>>,
) {
    if let Some(task) = &mut sync.task {
        if let Some(outcome) = check_ready(task) {
            sync.task = None;
            sync.view.sending = false;
            sync.view.known = true;
            match outcome {
                Ok(report) => {
                    sync.view.outbox = report.status;
                    sync.view.error = report.error;
                }
                Err(e) => sync.view.error = Some(e),
            }
        }
        return;
    }
    let (Some(lrs), Some(history)) = (settings.lrs.clone(), history) else {
        sync.requested = false;
        return;
    };
    let due = sync.last_start.is_none_or(|t| t.elapsed() >= EVERY);
    if !(sync.requested || due) {
        return;
    }
    sync.requested = false;
    sync.last_start = Some(Instant::now());
    sync.view.sending = true;
    let path = history.0.clone();
    let folder = folder.map(|f| f.0.clone());
    sync.task = Some(IoTaskPool::get().spawn(async move {
        let names = folder
            .map(|f| crate::catalog::names_by_id(&f))
            .unwrap_or_default();
        let lookup = |id: &str| names.get(id).cloned().unwrap_or_default();
        let (mut history, _) = History::open(&path).map_err(|e| e.to_string())?;
        crate::lrs::sync(&mut history, &lrs, &lookup, crate::history::now())
            .map_err(|e| e.to_string())
    }));
}
