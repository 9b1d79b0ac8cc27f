//! Trainee profiles in the app: the trainees on this PC, the one practising now, and each
//! finished session saved in their history — all database work on Bevy's IO pool, never on
//! the UI thread.

use crate::history::{History, Progress, SavedAccount, ScorePoint, SessionRecord, TechniqueUse};
use bevy::prelude::*;
use bevy::tasks::{IoTaskPool, Task, futures::check_ready};
use std::path::PathBuf;

/// Where the history database is; without it the app keeps no history.
#[derive(Resource, Debug, Clone)]
pub struct HistoryPath(pub PathBuf);

/// The trainees known on this PC and the one practising now.
#[derive(Resource, Default)]
pub struct Trainees {
    pub profiles: Vec<String>,
    pub current: Option<String>,
    /// What the user should know: a history set aside, a save that failed.
    pub notice: Option<String>,
    /// Sessions saved since the app started (for the status line and the tests).
    pub saved: usize,
    /// The app keeps a history (it knows where the database is).
    pub enabled: bool,
    /// The current trainee's scores, oldest first, and their progress map.
    pub progress: Option<(Vec<ScorePoint>, Progress)>,
    /// How each technique landed with each personality, over the trainee's history.
    pub techniques: Vec<TechniqueUse>,
    /// The trainee's accounts, oldest first.
    pub accounts: Vec<SavedAccount>,
    /// The last history export written.
    pub exported: Option<PathBuf>,
    tasks: Vec<Task<Outcome>>,
}

/// What a database task reports back to the UI thread.
enum Outcome {
    Listed {
        profiles: Vec<String>,
        notice: Option<String>,
    },
    /// The trainee's scores and progress map, after a load or, when `saved`, after a save.
    Progress {
        trainee: String,
        scores: Vec<ScorePoint>,
        progress: Progress,
        techniques: Vec<TechniqueUse>,
        accounts: Vec<SavedAccount>,
        saved: bool,
    },
    /// A history export was written here.
    Exported(PathBuf),
    Failed(String),
}

impl Trainees {
    /// Writes the current trainee's history as CSV (`csv`) or JSON into `dir`, on the IO pool.
    pub fn export(&mut self, path: &HistoryPath, csv: bool, dir: PathBuf) {
        let Some(name) = self.current.clone() else {
            return;
        };
        let path = path.0.clone();
        self.tasks.push(IoTaskPool::get().spawn(async move {
            let run = || -> Result<Outcome, String> {
                let (history, _) = History::open(&path).map_err(|e| e.to_string())?;
                let profile = history
                    .profile_or_create(&name)
                    .map_err(|e| e.to_string())?;
                let sessions = history.sessions(&profile).map_err(|e| e.to_string())?;
                let text = if csv {
                    let mistakes = history
                        .mistakes_by_session(Some(&profile))
                        .map_err(|e| e.to_string())?;
                    crate::export::to_csv(&sessions, &|id| {
                        mistakes.get(&id).cloned().unwrap_or_default()
                    })
                } else {
                    crate::export::to_json(&sessions)
                };
                // A name safe on every file system, whatever the trainee typed.
                let safe: String = name
                    .chars()
                    .map(|c| if c.is_alphanumeric() { c } else { '_' })
                    .collect();
                let file = dir.join(format!(
                    "rapport-history-{safe}.{}",
                    if csv { "csv" } else { "json" }
                ));
                super::settings::write_atomically(&file, &text).map_err(|e| e.to_string())?;
                Ok(Outcome::Exported(file))
            };
            run().unwrap_or_else(Outcome::Failed)
        }));
    }

    pub fn is_busy(&self) -> bool {
        !self.tasks.is_empty()
    }

    /// Lists the profiles, creating `create` first when given.
    pub fn refresh(&mut self, path: &HistoryPath, create: Option<String>) {
        let path = path.0.clone();
        self.tasks.push(IoTaskPool::get().spawn(async move {
            let run = || -> Result<Outcome, String> {
                let (history, notice) = History::open(&path).map_err(|e| e.to_string())?;
                if let Some(name) = &create {
                    history.profile_or_create(name).map_err(|e| e.to_string())?;
                }
                let profiles = history
                    .profiles()
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .map(|p| p.name)
                    .collect();
                Ok(Outcome::Listed { profiles, notice })
            };
            run().unwrap_or_else(Outcome::Failed)
        }));
    }

    /// Reads the current trainee's scores and progress map.
    pub fn load_progress(&mut self, path: &HistoryPath) {
        self.progress_task(path, None);
    }

    /// Saves a finished session in the current trainee's history.
    pub fn save(&mut self, path: &HistoryPath, record: SessionRecord) {
        self.progress_task(path, Some(record));
    }

    /// Saves `record` first, if given, then reads the trainee's scores and progress map.
    fn progress_task(&mut self, path: &HistoryPath, record: Option<SessionRecord>) {
        let Some(name) = self.current.clone() else {
            return;
        };
        let path = path.0.clone();
        self.tasks.push(IoTaskPool::get().spawn(async move {
            let run = || -> Result<Outcome, String> {
                let (mut history, _) = History::open(&path).map_err(|e| e.to_string())?;
                let profile = history
                    .profile_or_create(&name)
                    .map_err(|e| e.to_string())?;
                if let Some(record) = &record {
                    history.save(&profile, record).map_err(|e| e.to_string())?;
                }
                let scores = history.scores(&profile).map_err(|e| e.to_string())?;
                let progress = crate::history::progress(&scores);
                let techniques = history
                    .technique_uses(&profile)
                    .map_err(|e| e.to_string())?;
                let accounts = history.accounts(&profile).map_err(|e| e.to_string())?;
                Ok(Outcome::Progress {
                    trainee: name,
                    scores,
                    progress,
                    techniques,
                    accounts,
                    saved: record.is_some(),
                })
            };
            run().unwrap_or_else(Outcome::Failed)
        }));
    }
}

pub struct TraineesPlugin;

impl Plugin for TraineesPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Trainees>()
            .add_systems(Startup, list_trainees)
            .add_systems(Update, finish_tasks);
    }
}

fn list_trainees(path: Option<Res<HistoryPath>>, mut trainees: ResMut<Trainees>) {
    if let Some(path) = path {
        trainees.enabled = true;
        trainees.refresh(&path, None);
    }
}

fn finish_tasks(mut trainees: ResMut<Trainees>) {
    if trainees.tasks.is_empty() {
        return;
    }
    let mut finished = Vec::new();
    trainees.tasks.retain_mut(|task| match check_ready(task) {
        Some(outcome) => {
            finished.push(outcome);
            false
        }
        None => true,
    });
    for outcome in finished {
        match outcome {
            Outcome::Listed { profiles, notice } => {
                trainees.profiles = profiles;
                if notice.is_some() {
                    trainees.notice = notice;
                }
            }
            Outcome::Progress {
                trainee,
                scores,
                progress,
                techniques,
                accounts,
                saved,
            } => {
                trainees.saved += saved as usize;
                if trainees.current.as_deref() == Some(trainee.as_str()) {
                    trainees.progress = Some((scores, progress));
                    trainees.techniques = techniques;
                    trainees.accounts = accounts;
                }
            }
            Outcome::Exported(file) => {
                trainees.notice = Some(file.display().to_string());
                trainees.exported = Some(file);
            }
            Outcome::Failed(why) => trainees.notice = Some(why),
        }
    }
}
