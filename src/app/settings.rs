//! User settings: language, text size, presentation mode and scenario folder, kept in the
//! user's config directory, written atomically; a corrupt file is set aside, never fatal.

use crate::vocabulary::Locale;
use bevy::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Resource, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub language: Locale,
    pub text_scale: f32,
    pub presentation: bool,
    /// A scenario folder chosen by the trainer, used from the next start.
    pub scenario_folder: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            language: Locale::En,
            text_scale: 1.0,
            presentation: false,
            scenario_folder: None,
        }
    }
}

pub const TEXT_SCALES: [f32; 4] = [0.9, 1.0, 1.2, 1.4];

/// Where settings live; `RAPPORT_CONFIG_DIR` overrides it (tests, classroom machines).
#[derive(Resource, Debug, Clone)]
pub struct SettingsStore {
    pub path: Option<PathBuf>,
    /// A problem met while reading the file, shown once in the interface.
    pub problem: Option<String>,
}

impl SettingsStore {
    pub fn locate() -> SettingsStore {
        let dir = std::env::var_os("RAPPORT_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| {
                directories::ProjectDirs::from("org", "Rapport", "Rapport")
                    .map(|d| d.config_dir().to_path_buf())
            });
        SettingsStore {
            path: dir.map(|d| d.join("settings.ron")),
            problem: None,
        }
    }

    /// Reads the settings; a missing file gives defaults, a corrupt one is renamed aside.
    pub fn load(&mut self) -> Settings {
        let Some(path) = self.path.clone() else {
            return Settings::default();
        };
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Settings::default();
        };
        match crate::load::parse_ron::<Settings>(&text, &path.display().to_string()) {
            Ok(s) => s,
            Err(problem) => {
                let aside = path.with_extension("ron.corrupt");
                let moved = std::fs::rename(&path, &aside).is_ok();
                self.problem = Some(format!(
                    "{problem}{}",
                    if moved {
                        format!(" (kept as {})", aside.display())
                    } else {
                        String::new()
                    }
                ));
                Settings::default()
            }
        }
    }

    pub fn save(&self, settings: &Settings) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        write_atomically(
            path,
            &ron::ser::to_string_pretty(settings, Default::default()).unwrap_or_default(),
        )
    }
}

/// Writes via a temporary file and a rename, so a crash never leaves half a file.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

pub struct SettingsPlugin;

impl Plugin for SettingsPlugin {
    fn build(&self, app: &mut App) {
        if !app.world().contains_resource::<SettingsStore>() {
            let mut store = SettingsStore::locate();
            let settings = store.load();
            app.insert_resource(store).insert_resource(settings);
        }
        app.add_systems(Last, save_changed_settings);
    }
}

fn save_changed_settings(settings: Res<Settings>, store: Res<SettingsStore>) {
    if settings.is_changed()
        && !settings.is_added()
        && let Err(e) = store.save(&settings)
    {
        warn!("could not save settings: {e}");
    }
}
