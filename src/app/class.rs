//! The trainer's class view in the app: imports a folder of exported statement files or the
//! class's statements from the LRS on the IO pool, builds the view (`crate::classview`)
//! against the scenario folder, and saves it as CSV.

use crate::app::idle::WatchedFolder;
use crate::classview::{self, ClassView};
use crate::settings::LrsSettings;
use crate::vocabulary::Locale;
use bevy::prelude::*;
use bevy::tasks::{IoTaskPool, Task, futures::check_ready};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct ClassPlugin;

impl Plugin for ClassPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<ClassRoom>()
            .add_systems(Update, finish_class_tasks);
    }
}

/// A built class view, with where its next scenario's file is in the scenario folder.
#[derive(Debug, Clone)]
pub struct Imported {
    pub view: ClassView,
    /// Files and statements that could not be read, each with why.
    pub problems: Vec<String>,
    pub run_next_file: Option<String>,
}

enum Done {
    Imported(Result<Imported, String>),
    Saved(Result<PathBuf, String>),
}

#[derive(Resource, Default)]
pub struct ClassRoom {
    task: Option<Task<Done>>,
    pub imported: Option<Imported>,
    /// What the trainer should know: an import that failed, where the CSV went.
    pub notice: Option<String>,
}

impl ClassRoom {
    pub fn busy(&self) -> bool {
        self.task.is_some()
    }

    fn build(
        statements: Vec<serde_json::Value>,
        problems: Vec<String>,
        folder: Option<&Path>,
    ) -> Imported {
        let files = folder
            .map(|f| crate::catalog::expand(&[f.to_path_buf()], false).unwrap_or_default())
            .unwrap_or_default();
        let loaded = crate::catalog::load_all(&files);
        let paths: Vec<(String, PathBuf)> = loaded
            .scenarios
            .iter()
            .map(|(p, s)| (s.file.id.clone(), p.clone()))
            .collect();
        let library: Vec<Arc<crate::Scenario>> = loaded
            .scenarios
            .into_iter()
            .map(|(_, s)| Arc::new(s))
            .collect();
        let view = classview::build(&statements, &library);
        let run_next_file = view.run_next.as_ref().and_then(|(_, _, _, id)| {
            let (_, path) = paths.iter().find(|(i, _)| i == id)?;
            let relative = folder
                .and_then(|f| path.strip_prefix(f).ok())
                .unwrap_or(path);
            Some(relative.to_string_lossy().replace('\\', "/"))
        });
        Imported {
            view,
            problems,
            run_next_file,
        }
    }

    /// Imports every statement file in `from`.
    pub fn import_folder(&mut self, from: String, scenarios: Option<PathBuf>) {
        self.notice = None;
        self.task = Some(IoTaskPool::get().spawn(async move {
            let dir = PathBuf::from(from.trim());
            if !dir.is_dir() {
                return Done::Imported(Err(format!("{}: not a folder", dir.display())));
            }
            let (statements, problems) = classview::read_folder(&dir);
            Done::Imported(Ok(Self::build(statements, problems, scenarios.as_deref())))
        }));
    }

    /// Fetches the class's statements (the settings' class) from the learning record store.
    pub fn fetch(&mut self, lrs: LrsSettings, scenarios: Option<PathBuf>) {
        self.notice = None;
        self.task = Some(IoTaskPool::get().spawn(async move {
            let group = (!lrs.group.trim().is_empty()).then(|| lrs.group.trim().to_string());
            Done::Imported(
                crate::lrs::fetch_statements(&lrs, group.as_deref())
                    .map(|statements| Self::build(statements, Vec::new(), scenarios.as_deref())),
            )
        }));
    }

    /// Writes the view as CSV into `dir`.
    pub fn save_csv(&mut self, dir: PathBuf, locale: Locale) {
        let Some(imported) = &self.imported else {
            return;
        };
        let text = classview::to_csv(&imported.view, locale);
        self.task = Some(IoTaskPool::get().spawn(async move {
            let path = dir.join(format!("class-view-{}.csv", crate::history::now()));
            let written = std::fs::create_dir_all(&dir)
                .and_then(|_| std::fs::write(&path, text))
                .map(|_| path.clone())
                .map_err(|e| format!("{}: {e}", path.display()));
            Done::Saved(written)
        }));
    }
}

/// The scenario folder the app uses, for replaying the class's visits.
pub fn scenario_folder(folder: Option<&WatchedFolder>) -> Option<PathBuf> {
    folder.map(|f| f.0.clone())
}

fn finish_class_tasks(mut room: ResMut<ClassRoom>) {
    let Some(task) = &mut room.task else {
        return;
    };
    let Some(done) = check_ready(task) else {
        return;
    };
    room.task = None;
    match done {
        Done::Imported(Ok(imported)) => room.imported = Some(imported),
        Done::Imported(Err(e)) | Done::Saved(Err(e)) => room.notice = Some(e),
        Done::Saved(Ok(path)) => room.notice = Some(path.display().to_string()),
    }
}
