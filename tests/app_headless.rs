//! The desktop app's logic without a window: `MinimalPlugins` + our plugins, driven through
//! intents — load the library, play to the debrief, and hot-reload good and broken files.
#![cfg(feature = "gui")]

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use rapport::app::library::Library;
use rapport::app::session::{ActiveSession, Intent};
use rapport::app::settings::{Settings, SettingsStore};
use rapport::app::{RapportLogicPlugins, Screen, register_scenario_source};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn temp_folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rapport-app-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    std::fs::copy(
        "tests/fixtures/good/short-sale.ron",
        dir.join("short-sale.ron"),
    )
    .expect("copy fixture");
    std::fs::copy("scenarios/_template.ron", dir.join("template.ron")).expect("copy template");
    std::fs::copy("scenarios/_model.ron", dir.join("_model.ron")).expect("copy model");
    dir
}

fn app(folder: &Path) -> App {
    let mut app = App::new();
    register_scenario_source(&mut app, folder);
    app.insert_resource(SettingsStore {
        path: None,
        problem: None,
    })
    .insert_resource(Settings::default())
    .add_plugins((
        MinimalPlugins,
        AssetPlugin {
            watch_for_changes_override: Some(true),
            ..default()
        },
        StatesPlugin,
        RapportLogicPlugins,
    ));
    app
}

/// Runs frames until `done` holds, or fails after a few seconds.
fn run_until(app: &mut App, what: &str, done: impl Fn(&World) -> bool) {
    let start = Instant::now();
    while !done(app.world()) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        app.update();
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn send(app: &mut App, intent: Intent) {
    app.world_mut().write_message(intent);
    app.update();
    app.update();
}

fn screen(app: &App) -> Screen {
    *app.world().resource::<State<Screen>>().get()
}

#[test]
fn a_trainee_goes_from_the_library_to_the_debrief() {
    let folder = temp_folder("play");
    let mut app = app(&folder);
    run_until(&mut app, "the library", |w| {
        w.resource::<Library>().scenarios().count() == 2
    });
    assert_eq!(screen(&app), Screen::Library);

    send(&mut app, Intent::OpenScenario("short-sale.ron".into()));
    assert_eq!(screen(&app), Screen::Briefing);
    send(&mut app, Intent::SetSeed(3));
    send(
        &mut app,
        Intent::SetPersonality(Some(rapport::vocabulary::Personality::Analytical)),
    );
    send(&mut app, Intent::Start);
    assert_eq!(screen(&app), Screen::RolePlay);
    for shown in [0, 0, 3] {
        send(&mut app, Intent::Choose(shown));
    }
    let active = app.world().resource::<ActiveSession>();
    let run = active.current.as_ref().expect("a session runs");
    assert!(run.session.is_ended(), "three choices end the short sale");
    send(&mut app, Intent::ShowDebrief);
    assert_eq!(screen(&app), Screen::Debrief);
    run_until(&mut app, "the review of each decision", |w| {
        w.resource::<ActiveSession>()
            .current
            .as_ref()
            .and_then(|r| r.debrief.as_ref())
            .is_some_and(|d| d.reviewed)
    });
    let active = app.world().resource::<ActiveSession>();
    let debrief = active
        .current
        .as_ref()
        .and_then(|r| r.debrief.as_ref())
        .expect("debrief built");
    assert_eq!(debrief.report.outcome, rapport::vocabulary::Outcome::Deal);
    // Questioning, data with proof, the right diagnosis: best play at every decision.
    assert_eq!(debrief.decisions.len(), 3, "{:?}", debrief.decisions);
    assert!(
        debrief
            .decisions
            .iter()
            .all(|d| d.was_best && d.chosen_best == d.best_score && d.chosen == d.best_choice),
        "{:?}",
        debrief.decisions
    );
}

#[test]
fn undo_is_allowed_in_practice_and_refused_in_assessment() {
    let folder = temp_folder("undo");
    let mut app = app(&folder);
    run_until(&mut app, "the library", |w| {
        w.resource::<Library>().scenarios().count() == 2
    });
    send(&mut app, Intent::OpenScenario("short-sale.ron".into()));
    send(&mut app, Intent::Start);
    send(&mut app, Intent::Choose(0));
    send(&mut app, Intent::Undo);
    let decisions = |app: &App| {
        app.world()
            .resource::<ActiveSession>()
            .current
            .as_ref()
            .map(|r| r.session.decisions().len())
    };
    assert_eq!(decisions(&app), Some(0));
    send(
        &mut app,
        Intent::SetMode(rapport::app::session::Mode::Assessment),
    );
    send(&mut app, Intent::Start);
    send(&mut app, Intent::Choose(0));
    send(&mut app, Intent::Undo);
    assert_eq!(decisions(&app), Some(1));
}

#[test]
fn saving_a_scenario_reloads_it_and_a_broken_save_keeps_the_last_good_version() {
    let folder = temp_folder("reload");
    let mut app = app(&folder);
    run_until(&mut app, "the library", |w| {
        w.resource::<Library>().scenarios().count() == 2
    });
    send(&mut app, Intent::OpenScenario("short-sale.ron".into()));
    send(&mut app, Intent::Start);

    let path = folder.join("short-sale.ron");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replace("title: \"Short sale\"", "title: \"Short sale, revised\""),
    )
    .expect("write");
    run_until(&mut app, "the good edit", |w| {
        w.resource::<Library>()
            .get("short-sale.ron")
            .and_then(|e| e.scenario.as_ref())
            .is_some_and(|s| s.file.title == "Short sale, revised")
    });
    app.update();
    let outdated = app
        .world()
        .resource::<ActiveSession>()
        .current
        .as_ref()
        .map(|r| r.outdated);
    assert_eq!(outdated, Some(true), "the running session offers a restart");

    std::fs::write(
        &path,
        text.replace("difficulty: 1,", "difficulty: 1,\n    colour: blue,"),
    )
    .expect("write");
    run_until(&mut app, "the broken edit", |w| {
        w.resource::<Library>()
            .get("short-sale.ron")
            .is_some_and(|e| !e.problems.is_empty())
    });
    let library = app.world().resource::<Library>();
    let entry = library.get("short-sale.ron").expect("entry");
    assert!(
        entry.problems[0].contains("short-sale.ron:") && entry.problems[0].contains("colour"),
        "{:?}",
        entry.problems
    );
    assert_eq!(
        entry.scenario.as_ref().map(|s| s.file.title.as_str()),
        Some("Short sale, revised")
    );
    assert_eq!(
        library.scenarios().count(),
        2,
        "the other scenario is untouched"
    );
}

#[test]
fn a_deleted_scenario_file_leaves_the_library() {
    let folder = temp_folder("delete");
    let mut app = app(&folder);
    run_until(&mut app, "the library", |w| {
        w.resource::<Library>().scenarios().count() == 2
    });
    std::fs::remove_file(folder.join("template.ron")).expect("delete");
    run_until(&mut app, "the deletion", |w| {
        w.resource::<Library>().get("template.ron").is_none()
    });
    assert_eq!(app.world().resource::<Library>().scenarios().count(), 1);
}

/// The app's asset loader and the command line load every fixture, good and broken, through
/// one path: the same files load, with the same problems at the same places.
#[test]
fn the_app_and_the_command_line_report_the_same_problems_for_every_fixture() {
    let dir = std::env::temp_dir().join(format!("rapport-app-fixtures-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    let mut names = Vec::new();
    for sub in ["tests/fixtures/good", "tests/fixtures/broken"] {
        for entry in std::fs::read_dir(sub).expect("fixtures").flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            std::fs::copy(entry.path(), dir.join(&name)).expect("copy fixture");
            names.push(name);
        }
    }
    names.sort();
    let mut app = app(&dir);
    run_until(&mut app, "every fixture", |w| {
        w.resource::<Library>().entries.len() == names.len()
    });
    // A moment more for the translation pairs once both halves are in.
    app.update();
    let files: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    let cli = rapport::catalog::load_all(&files);
    // Places and messages, with file names but not the folders each side puts them in.
    let strip = |line: &str| -> String {
        line.split(' ')
            .map(|word| match word.rsplit_once('/') {
                Some((_, file)) if word.contains(".ron") => file,
                _ => word,
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let library = app.world().resource::<Library>();
    for name in &names {
        let entry = library.get(name).expect("the app lists every fixture");
        let mut app_side: Vec<String> = entry
            .problems
            .iter()
            .chain(&entry.pair_problems)
            .map(|p| strip(p))
            .collect();
        let mut cli_side: Vec<String> = cli.problems[&dir.join(name)]
            .iter()
            .map(|p| strip(&p.to_string()))
            .collect();
        app_side.sort();
        cli_side.sort();
        assert_eq!(app_side, cli_side, "{name}");
        let cli_loaded = cli.scenarios.iter().any(|(p, _)| p == &dir.join(name));
        assert_eq!(entry.scenario.is_some(), cli_loaded, "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_oversized_file_is_refused_before_it_is_read() {
    let folder = temp_folder("oversized");
    std::fs::write(
        folder.join("huge.ron"),
        vec![b' '; rapport::load::MAX_FILE_BYTES + 1],
    )
    .expect("write");
    let mut app = app(&folder);
    // The other files still load beside it.
    run_until(
        &mut app,
        "the oversized file's problem and the other files",
        |w| {
            let library = w.resource::<Library>();
            library
                .get("huge.ron")
                .is_some_and(|e| e.problems.iter().any(|p| p.contains("at most")))
                && library.scenarios().count() == 2
        },
    );
    let huge = app
        .world()
        .resource::<Library>()
        .get("huge.ron")
        .map(|e| e.scenario.is_none());
    assert_eq!(huge, Some(true), "the oversized file is not a scenario");
}

#[test]
fn a_finished_session_is_saved_in_the_chosen_trainees_history() {
    let folder = temp_folder("trainee");
    // Outside the scenario folder, which the asset server watches.
    let db = std::env::temp_dir()
        .join(format!("rapport-app-trainee-data-{}", std::process::id()))
        .join("history.sqlite3");
    let _ = std::fs::remove_dir_all(db.parent().expect("a folder"));
    let mut app = app(&folder);
    app.insert_resource(rapport::app::trainees::HistoryPath(db.clone()));
    run_until(&mut app, "the library", |w| {
        w.resource::<Library>().scenarios().count() == 2
    });
    send(&mut app, Intent::ChooseTrainee("Ana".into()));
    send(&mut app, Intent::OpenScenario("short-sale.ron".into()));
    send(
        &mut app,
        Intent::SetPersonality(Some(rapport::vocabulary::Personality::Analytical)),
    );
    send(&mut app, Intent::Start);
    for shown in [0, 0, 3] {
        send(&mut app, Intent::Choose(shown));
    }
    send(&mut app, Intent::ShowDebrief);
    run_until(&mut app, "the save", |w| {
        w.resource::<rapport::app::trainees::Trainees>().saved == 1
    });
    // Shown again, the debrief is not saved twice.
    send(&mut app, Intent::ShowDebrief);
    app.update();
    let (history, _) = rapport::history::History::open(&db).expect("the history opens");
    let ana = history
        .profile("Ana")
        .expect("read")
        .expect("Ana's profile");
    let sessions = history.sessions(&ana).expect("read");
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].record.scenario_id, "short-sale");
    assert_eq!(sessions[0].record.choices, vec![1, 1, 4]);
    assert!(
        app.world()
            .resource::<rapport::app::trainees::Trainees>()
            .profiles
            .contains(&"Ana".to_string())
    );
}

/// Copies the clinic account fixture into `folder/accounts/`.
fn add_clinic_account(folder: &Path) {
    let accounts = folder.join("accounts");
    std::fs::create_dir_all(accounts.join("clinic")).expect("accounts folder");
    std::fs::copy(
        "tests/fixtures/accounts/clinic.account.ron",
        accounts.join("clinic.account.ron"),
    )
    .expect("copy account");
    for f in ["first", "second", "third", "festival"] {
        std::fs::copy(
            format!("tests/fixtures/accounts/clinic/{f}.ron"),
            accounts.join(format!("clinic/{f}.ron")),
        )
        .expect("copy visit");
    }
}

#[test]
fn a_trainee_follows_an_account_visit_by_visit_and_finds_it_on_the_progress_screen() {
    use rapport::app::accounts::Accounts;
    use rapport::app::trainees::Trainees;
    let folder = temp_folder("account");
    add_clinic_account(&folder);
    let db = std::env::temp_dir()
        .join(format!("rapport-app-account-data-{}", std::process::id()))
        .join("history.sqlite3");
    let _ = std::fs::remove_dir_all(db.parent().expect("a folder"));
    let mut app = app(&folder);
    app.insert_resource(rapport::app::trainees::HistoryPath(db.clone()));
    run_until(&mut app, "the library and the accounts", |w| {
        w.resource::<Library>().scenarios().count() == 2 && w.resource::<Accounts>().loaded
    });
    // The visits are not listed as scenarios of their own.
    assert!(
        app.world()
            .resource::<Library>()
            .entries
            .keys()
            .all(|k| !k.starts_with("accounts")),
        "{:?}",
        app.world()
            .resource::<Library>()
            .entries
            .keys()
            .collect::<Vec<_>>()
    );
    assert_eq!(app.world().resource::<Accounts>().entries.len(), 1);

    send(&mut app, Intent::ChooseTrainee("Ana".into()));
    send(
        &mut app,
        Intent::OpenAccount("accounts/clinic.account.ron".into()),
    );
    assert_eq!(screen(&app), Screen::Account);
    run_until(&mut app, "the account to open", |w| {
        w.resource::<Accounts>().active.is_some()
    });

    // The first visit: make the promise, see the debrief, back to the account.
    send(&mut app, Intent::StartAccountStep);
    assert_eq!(screen(&app), Screen::RolePlay);
    send(&mut app, Intent::Choose(0));
    send(&mut app, Intent::ShowDebrief);
    assert_eq!(screen(&app), Screen::Debrief);
    run_until(&mut app, "the first step saved", |w| {
        w.resource::<Accounts>().saved == 1
    });
    send(&mut app, Intent::Navigate(Screen::Account));
    let report = app
        .world()
        .resource::<Accounts>()
        .active
        .as_ref()
        .expect("open")
        .run
        .report();
    assert_eq!(report.steps.len(), 1);
    assert_eq!(report.promises_made, 1);

    // The app is closed and opened again: the account resumes where Ana left it.
    drop(app);
    let mut app = self::app(&folder);
    app.insert_resource(rapport::app::trainees::HistoryPath(db.clone()));
    run_until(&mut app, "the accounts again", |w| {
        w.resource::<Accounts>().loaded
    });
    send(&mut app, Intent::ChooseTrainee("Ana".into()));
    send(
        &mut app,
        Intent::OpenAccount("accounts/clinic.account.ron".into()),
    );
    run_until(&mut app, "the account to resume", |w| {
        w.resource::<Accounts>().active.is_some()
    });
    assert_eq!(
        app.world()
            .resource::<Accounts>()
            .active
            .as_ref()
            .expect("open")
            .run
            .steps()
            .len(),
        1,
        "resumed after the first visit"
    );
    // The second visit keeps the promise.
    send(&mut app, Intent::StartAccountStep);
    send(&mut app, Intent::Choose(0));
    send(&mut app, Intent::ShowDebrief);
    run_until(&mut app, "the second step saved", |w| {
        w.resource::<Accounts>().saved == 1
    });
    let active = app
        .world()
        .resource::<Accounts>()
        .active
        .as_ref()
        .expect("open");
    assert_eq!(active.run.report().promises_kept, 1);
    assert!(active.row.is_some());

    // Another trainee does not see Ana's account.
    send(&mut app, Intent::ChooseTrainee("Bo".into()));
    assert!(app.world().resource::<Accounts>().active.is_none());
    send(&mut app, Intent::ChooseTrainee("Ana".into()));

    // The progress screen lists the account with its stage, and the techniques used.
    send(&mut app, Intent::Navigate(Screen::Progress));
    run_until(&mut app, "Ana's progress", |w| {
        let t = w.resource::<Trainees>();
        !t.accounts.is_empty() && !t.techniques.is_empty() && !t.is_busy()
    });
    let trainees = app.world().resource::<Trainees>();
    assert_eq!(trainees.accounts.len(), 1);
    assert_eq!(trainees.accounts[0].record.steps, vec![vec![1], vec![1]]);
    assert!(
        trainees
            .techniques
            .iter()
            .any(|t| t.technique == "give_data")
    );
}
