//! The desktop shell: a thin Bevy + egui layer over the core. Screens are Bevy states, each
//! in its own plugin; UI functions take a view and return an `Intent`; `session::apply_intents`
//! is the one system that changes anything.

pub mod accounts;
pub mod class;
pub mod classvote;
pub mod fullscreen;
pub mod idle;
pub mod library;
pub mod portrait;
pub mod review;
pub mod screens;
pub mod session;
pub mod settings;
pub mod sync;
pub mod theme;
pub mod trainees;

use bevy::asset::io::AssetSourceBuilder;
use bevy::prelude::*;
use bevy::window::WindowMode;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    #[default]
    Library,
    Briefing,
    RolePlay,
    Debrief,
    Progress,
    /// One account: its visits so far, the report, and the next visit to start.
    Account,
    Settings,
    /// The trainer's class view.
    Class,
}

/// The app's state and logic without any window or drawing: what the headless tests run.
pub struct RapportLogicPlugins;

impl Plugin for RapportLogicPlugins {
    fn build(&self, app: &mut App) {
        app.init_state::<Screen>().add_plugins((
            settings::SettingsPlugin,
            library::LibraryPlugin,
            session::SessionPlugin,
            review::ReviewPlugin,
            trainees::TraineesPlugin,
            accounts::AccountsPlugin,
            classvote::ClassVotePlugin,
            class::ClassPlugin,
            sync::SyncPlugin,
        ));
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
    app.insert_resource(library::ScenarioFolder(folder.to_path_buf()));
    let folder = folder.to_string_lossy().to_string();
    app.register_asset_source(
        library::SCENARIO_SOURCE,
        AssetSourceBuilder::platform_default(&folder, None),
    );
}

/// Where to open the app: a scenario, seed and choices, and the screen to show.
#[derive(Resource, Debug, Clone)]
pub struct OpenRequest {
    pub scenario: Option<String>,
    pub seed: u64,
    pub choices: Vec<usize>,
    pub screen: Screen,
    pub language: Option<crate::vocabulary::Locale>,
    pub presentation: bool,
    pub fullscreen: bool,
    /// Practise as this trainee (created if new).
    pub trainee: Option<String>,
    /// An account file inside the scenario folder, and the choices of the steps to play first.
    pub account: Option<String>,
    pub steps: Vec<Vec<usize>>,
    /// Start a class vote once the role-play screen is open.
    pub class_vote: bool,
}

/// Once the scenario has loaded, replays the request as the intents a user would have sent.
fn follow_open_request(
    request: Option<Res<OpenRequest>>,
    library: Res<library::Library>,
    accounts: Res<accounts::Accounts>,
    mut done: Local<bool>,
    mut account_asked: Local<bool>,
    mut intents: MessageWriter<session::Intent>,
) {
    use session::Intent;
    let Some(request) = request else { return };
    if *done {
        return;
    }
    if let Some(file) = &request.account {
        // First the trainee and the account (resumed on the IO pool), then its steps.
        if !accounts.loaded {
            return;
        }
        if !*account_asked {
            *account_asked = true;
            if let Some(trainee) = &request.trainee {
                intents.write(Intent::ChooseTrainee(trainee.clone()));
            }
            intents.write(Intent::OpenAccount(file.clone()));
            return;
        }
        if accounts.opening.is_some() {
            return;
        }
        *done = true;
        for step in &request.steps {
            intents.write(Intent::StartAccountStep);
            for &c in step {
                intents.write(Intent::Choose(c.saturating_sub(1)));
            }
            intents.write(Intent::ShowDebrief);
        }
        if request.screen != Screen::Debrief {
            intents.write(Intent::Navigate(request.screen));
        }
        return;
    }
    if let Some(trainee) = &request.trainee {
        intents.write(Intent::ChooseTrainee(trainee.clone()));
    }
    let Some(name) = &request.scenario else {
        *done = true;
        if matches!(
            request.screen,
            Screen::Settings | Screen::Progress | Screen::Class
        ) {
            intents.write(Intent::Navigate(request.screen));
        }
        return;
    };
    if library
        .get(name)
        .and_then(|e| e.scenario.as_ref())
        .is_none()
    {
        return;
    }
    *done = true;
    intents.write(Intent::OpenScenario(name.clone()));
    intents.write(Intent::SetSeed(request.seed));
    if request.screen == Screen::Briefing {
        return;
    }
    intents.write(Intent::Start);
    for &c in &request.choices {
        intents.write(Intent::Choose(c.saturating_sub(1)));
    }
    if request.class_vote {
        intents.write(Intent::StartClassVote);
    }
    match request.screen {
        Screen::Debrief => {
            intents.write(Intent::Reveal(true));
            intents.write(Intent::ShowDebrief);
        }
        Screen::Library | Screen::Settings | Screen::Progress => {
            intents.write(Intent::Navigate(request.screen));
        }
        _ => {}
    }
}

pub fn run(open: Option<OpenRequest>) -> ExitCode {
    let mut store = settings::SettingsStore::locate();
    let mut user_settings = store.load();
    if let Some(request) = &open {
        if let Some(language) = request.language {
            user_settings.language = language;
        }
        user_settings.presentation |= request.presentation;
    }
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
                        mode: if open.as_ref().is_some_and(|r| r.fullscreen) {
                            fullscreen::full_screen()
                        } else {
                            WindowMode::Windowed
                        },
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
        .add_plugins((
            theme::ThemePlugin,
            idle::IdlePlugin,
            fullscreen::FullscreenPlugin,
            screens::ScreensPlugin,
        ))
        .add_systems(Startup, |mut commands: Commands| {
            commands.spawn(Camera2d);
        })
        .add_systems(Update, follow_open_request.before(session::apply_intents));
    if let Some(request) = open {
        app.insert_resource(request);
    }
    app.insert_resource(idle::WatchedFolder(scenario_folder));
    if let Some(path) = crate::history::History::default_path() {
        app.insert_resource(trainees::HistoryPath(path));
    }
    match app.run() {
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(_) => ExitCode::FAILURE,
    }
}
