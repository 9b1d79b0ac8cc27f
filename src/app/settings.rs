//! User settings: language, text size, presentation mode and scenario folder, kept in the
//! user's config directory, written atomically; a corrupt file is set aside, never fatal.

use bevy::prelude::*;
use std::path::{Path, PathBuf};

/// The settings as the app's resource; the data and its checks are `crate::settings`.
#[derive(Resource, Debug, Clone, PartialEq, Default, Deref, DerefMut)]
pub struct Settings(pub crate::settings::Settings);

pub use crate::settings::TEXT_SCALES;

/// Where settings live; `RAPPORT_CONFIG_DIR` overrides it (tests, classroom machines).
#[derive(Resource, Debug, Clone)]
pub struct SettingsStore {
    pub path: Option<PathBuf>,
    /// A problem met while reading the file, shown once in the interface.
    pub problem: Option<String>,
}

impl SettingsStore {
    pub fn locate() -> SettingsStore {
        SettingsStore {
            path: crate::settings::default_path(),
            problem: None,
        }
    }

    /// Reads the settings; a missing file gives defaults, a corrupt one is renamed aside.
    pub fn load(&mut self) -> Settings {
        let Some(path) = self.path.clone() else {
            return Settings::default();
        };
        if !path.exists() {
            return Settings::default();
        }
        let parsed = crate::catalog::read_text(&path)
            .and_then(|text| crate::settings::parse(&text, &path.display().to_string()));
        match parsed {
            Ok((settings, changes)) => {
                if !changes.is_empty() {
                    self.problem = Some(format!("{}: {}", path.display(), changes.join("; ")));
                }
                Settings(settings)
            }
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
            &ron::ser::to_string_pretty(&settings.0, Default::default()).unwrap_or_default(),
        )
    }
}

/// Writes via a temporary file and a rename, so a crash never leaves half a file. The
/// temporary file's name is unique to this process and write, so two running copies of the
/// app never write into each other's.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static WRITES: AtomicU64 = AtomicU64::new(0);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!(
        "tmp.{}.{}",
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_settings_file_with_a_huge_text_scale_loads_corrected() {
        let dir = std::env::temp_dir().join(format!("rapport-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("settings.ron");
        std::fs::write(&path, "(text_scale: 1000.0)").expect("written");
        let mut store = SettingsStore {
            path: Some(path),
            problem: None,
        };
        let s = store.load();
        assert_eq!(s.text_scale, 1.4);
        assert!(store.problem.as_deref().is_some_and(|p| p.contains("1000")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
