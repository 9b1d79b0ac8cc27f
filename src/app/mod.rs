//! The desktop shell: a thin Bevy + egui layer over the core. Screens are Bevy states, each
//! in its own plugin; UI functions take a view and return an `Intent`; `session::apply_intents`
//! is the one system that changes anything.

pub mod idle;
pub mod library;
pub mod portrait;
pub mod screens;
pub mod session;
pub mod settings;
pub mod strings;
pub mod theme;

use bevy::asset::io::AssetSourceBuilder;
use bevy::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    #[default]
    Library,
    Briefing,
    RolePlay,
    Debrief,
    Settings,
}

/// The app's state and logic without any window or drawing: what the headless tests run.
pub struct RapportLogicPlugins;

impl Plugin for RapportLogicPlugins {
    fn build(&self, app: &mut App) {
        app.init_state::<Screen>()
            .add_plugins((settings::SettingsPlugin, library::LibraryPlugin, session::SessionPlugin));
    }
}

/// Finds `name` (a folder) in the working directory or next to the executable.
pub fn find_folder(name: &str) -> Option<PathBuf> {
    let mut candidates = vec![PathBuf::from(name)];
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        candidates.push(dir.join(name));
        // `target/release/rapport` inside a checkout.
        if let Some(up) = dir.parent().and_then(Path::parent) {
            candidates.push(up.join(name));
        }
    }
    // Bevy resolves relative asset paths against the executable, not the working directory.
    candidates
        .into_iter()
        .find(|p| p.is_dir())
        .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
}

/// Registers the scenario folder as an asset source; must come before the asset plugin.
pub fn register_scenario_source(app: &mut App, folder: &Path) {
    let folder = folder.to_string_lossy().to_string();
    app.register_asset_source(library::SCENARIO_SOURCE, AssetSourceBuilder::platform_default(&folder, None));
}

pub fn run() -> ExitCode {
    let mut store = settings::SettingsStore::locate();
    let user_settings = store.load();
    let scenario_folder = user_settings
        .scenario_folder
        .as_ref()
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .map(|p| std::fs::canonicalize(&p).unwrap_or(p))
        .or_else(|| find_folder("scenarios"))
        .unwrap_or_else(|| PathBuf::from("scenarios"));
    let assets_folder = find_folder("assets").unwrap_or_else(|| PathBuf::from("assets"));

    let mut app = App::new();
    register_scenario_source(&mut app, &scenario_folder);
    app.insert_resource(store)
        .insert_resource(user_settings)
        .insert_resource(ClearColor(theme::BACKGROUND))
        .add_plugins(
            DefaultPlugins
                .set(WindowPlugin {
                    primary_window: Some(Window {
                        title: "Rapport".into(),
                        resolution: (1280, 800).into(),
                        ..default()
                    }),
                    ..default()
                })
                .set(AssetPlugin {
                    file_path: assets_folder.to_string_lossy().to_string(),
                    watch_for_changes_override: Some(true),
                    ..default()
                }),
        )
        .add_plugins(bevy_egui::EguiPlugin::default())
        .add_plugins(RapportLogicPlugins)
        .add_plugins((theme::ThemePlugin, idle::IdlePlugin, screens::ScreensPlugin))
        .add_systems(Startup, |mut commands: Commands| {
            commands.spawn(Camera2d);
        });
    match app.run() {
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(_) => ExitCode::FAILURE,
    }
}
