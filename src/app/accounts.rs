//! Accounts in the app: the accounts of the scenario folder, the one being followed now, and
//! each finished step saved in the trainee's history — loading, resuming and saving all on
//! Bevy's IO pool, never on the UI thread.

use super::library::ScenarioFolder;
use super::trainees::HistoryPath;
use crate::account::{Account, AccountRun};
use crate::history::{History, SessionRecord, account_record};
use bevy::prelude::*;
use bevy::tasks::{IoTaskPool, Task, futures::check_ready};
use std::sync::Arc;

/// One account file of the scenario folder.
#[derive(Debug, Clone)]
pub struct AccountEntry {
    /// The file, relative to the scenario folder (e.g. `accounts/dr-ma.en.account.ron`).
    pub file: String,
    pub account: Option<Arc<Account>>,
    pub problems: Vec<String>,
}

/// The account being followed: its run so far and where it is saved.
#[derive(Debug, Clone)]
pub struct ActiveAccount {
    pub file: String,
    pub run: AccountRun,
    /// The history's row for this run, once saved; `None` before the first save.
    pub row: Option<i64>,
    /// Whose account it is (`None`: practising without a trainee, nothing is saved).
    pub trainee: Option<String>,
}

#[derive(Resource, Default)]
pub struct Accounts {
    pub entries: Vec<AccountEntry>,
    pub loaded: bool,
    pub active: Option<ActiveAccount>,
    /// An account being opened (resumed from the history): its file.
    pub opening: Option<String>,
    pub notice: Option<String>,
    /// Steps saved since the app started (for the tests).
    pub saved: usize,
    loading: Option<Task<Vec<AccountEntry>>>,
    tasks: Vec<Task<Outcome>>,
}

enum Outcome {
    /// The trainee's run of the account, if they have one under way.
    Resumed {
        file: String,
        trainee: String,
        saved: Option<(i64, u64, Vec<Vec<usize>>)>,
    },
    Saved {
        file: String,
        row: i64,
    },
    Failed(String),
}

impl Accounts {
    pub fn get(&self, file: &str) -> Option<&Arc<Account>> {
        self.entries
            .iter()
            .find(|e| e.file == file)
            .and_then(|e| e.account.as_ref())
    }

    pub fn is_busy(&self) -> bool {
        self.loading.is_some() || !self.tasks.is_empty()
    }

    /// Opens `file` for `trainee`: resumes their run from the history (on the IO pool), or
    /// starts one with `seed` when there is no trainee or no run under way.
    pub fn open(
        &mut self,
        file: &str,
        trainee: Option<String>,
        history: Option<&HistoryPath>,
        seed: u64,
    ) {
        let Some(account) = self.get(file).cloned() else {
            return;
        };
        if self
            .active
            .as_ref()
            .is_some_and(|a| a.file == file && a.trainee == trainee)
        {
            return;
        }
        match (trainee, history) {
            (Some(trainee), Some(path)) => {
                self.opening = Some(file.to_string());
                let path = path.0.clone();
                let file = file.to_string();
                let id = account.id().to_string();
                self.tasks.push(IoTaskPool::get().spawn(async move {
                    let run = || -> Result<Outcome, String> {
                        let (history, _) = History::open(&path).map_err(|e| e.to_string())?;
                        let profile = history
                            .profile_or_create(&trainee)
                            .map_err(|e| e.to_string())?;
                        let saved = history
                            .open_account(&profile, &id)
                            .map_err(|e| e.to_string())?
                            .map(|s| (s.id, s.record.seed, s.record.steps));
                        Ok(Outcome::Resumed {
                            file,
                            trainee,
                            saved,
                        })
                    };
                    run().unwrap_or_else(Outcome::Failed)
                }));
            }
            (trainee, _) => {
                self.active = Some(ActiveAccount {
                    file: file.to_string(),
                    run: AccountRun::new(account, seed),
                    row: None,
                    trainee,
                });
            }
        }
    }

    /// Starts the open account afresh (a new run; the old one stays in the history).
    pub fn restart(&mut self, seed: u64) {
        if let Some(active) = &mut self.active {
            active.run = AccountRun::new(active.run.account().clone(), seed);
            active.row = None;
        }
    }

    /// Records a finished step of the open account and saves it for its trainee.
    pub fn finish_step(
        &mut self,
        session: &crate::engine::Session,
        history: Option<&HistoryPath>,
        took_secs: u32,
    ) -> Result<(), String> {
        let Some(active) = &mut self.active else {
            return Err("no account is open".into());
        };
        active.run.finish_step(session).map_err(|e| e.to_string())?;
        let (Some(trainee), Some(path), Some(mut record)) = (
            active.trainee.clone(),
            history,
            crate::history::record(session, "account"),
        ) else {
            return Ok(());
        };
        record.duration_secs = Some(took_secs);
        self.save(path.0.clone(), trainee, record);
        Ok(())
    }

    fn save(&mut self, path: std::path::PathBuf, trainee: String, session: SessionRecord) {
        let Some(active) = &self.active else { return };
        let account = account_record(&active.run);
        let row = active.row;
        let file = active.file.clone();
        self.tasks.push(IoTaskPool::get().spawn(async move {
            let run = || -> Result<Outcome, String> {
                let (mut history, _) = History::open(&path).map_err(|e| e.to_string())?;
                let profile = history
                    .profile_or_create(&trainee)
                    .map_err(|e| e.to_string())?;
                let row = history
                    .save_account_step(&profile, row, &account, &session)
                    .map_err(|e| e.to_string())?;
                Ok(Outcome::Saved { file, row })
            };
            run().unwrap_or_else(Outcome::Failed)
        }));
    }
}

pub struct AccountsPlugin;

impl Plugin for AccountsPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<Accounts>()
            .add_systems(Startup, load_accounts)
            .add_systems(Update, finish_tasks);
    }
}

/// Reads the folder's accounts (and their visits) through the same catalog as the CLI.
fn load_accounts(folder: Option<Res<ScenarioFolder>>, mut accounts: ResMut<Accounts>) {
    let Some(folder) = folder else {
        accounts.loaded = true;
        return;
    };
    let root = folder.0.clone();
    accounts.loading = Some(IoTaskPool::get().spawn(async move {
        let mut catalog = crate::catalog::Catalog::default();
        crate::catalog::accounts_in(&root)
            .into_iter()
            .map(|path| {
                let file = path
                    .strip_prefix(&root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                match catalog.load_account(&path) {
                    Ok(account) => AccountEntry {
                        file,
                        account: Some(Arc::new(account)),
                        problems: Vec::new(),
                    },
                    Err(problems) => AccountEntry {
                        file,
                        account: None,
                        problems: problems.iter().map(|p| p.to_string()).collect(),
                    },
                }
            })
            .collect()
    }));
}

fn finish_tasks(
    mut accounts: ResMut<Accounts>,
    mut trainees: ResMut<super::trainees::Trainees>,
    history: Option<Res<HistoryPath>>,
) {
    if let Some(task) = &mut accounts.loading
        && let Some(entries) = check_ready(task)
    {
        accounts.entries = entries;
        accounts.loaded = true;
        accounts.loading = None;
    }
    if accounts.tasks.is_empty() {
        return;
    }
    let mut finished = Vec::new();
    accounts.tasks.retain_mut(|task| match check_ready(task) {
        Some(outcome) => {
            finished.push(outcome);
            false
        }
        None => true,
    });
    for outcome in finished {
        match outcome {
            Outcome::Resumed {
                file,
                trainee,
                saved,
            } => {
                if accounts.opening.as_deref() != Some(file.as_str()) {
                    continue;
                }
                accounts.opening = None;
                let Some(account) = accounts.get(&file).cloned() else {
                    continue;
                };
                let (run, row) = match saved {
                    Some((row, seed, steps)) => {
                        match AccountRun::replay(account.clone(), seed, &steps) {
                            Ok(run) => (run, Some(row)),
                            Err(e) => {
                                // The files changed since: say so and start afresh; the old run
                                // stays in the history.
                                accounts.notice = Some(format!("{file}: {e}"));
                                (AccountRun::new(account, super::session::fresh_seed()), None)
                            }
                        }
                    }
                    None => (AccountRun::new(account, super::session::fresh_seed()), None),
                };
                accounts.active = Some(ActiveAccount {
                    file,
                    run,
                    row,
                    trainee: Some(trainee),
                });
            }
            Outcome::Saved { file, row } => {
                accounts.saved += 1;
                if let Some(active) = &mut accounts.active
                    && active.file == file
                {
                    active.row = Some(row);
                }
                if let Some(path) = &history {
                    trainees.load_progress(path);
                }
            }
            Outcome::Failed(why) => accounts.notice = Some(why),
        }
    }
}
