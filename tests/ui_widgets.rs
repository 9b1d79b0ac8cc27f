//! egui tests of the library, role-play and debrief screens: what they show and the intents
//! they return.
#![cfg(feature = "gui")]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rapport::app::library::{Library, LibraryEntry};
use rapport::app::screens::debrief::{DebriefView, debrief_ui};
use rapport::app::screens::library::{LibraryView, library_ui};
use rapport::app::screens::roleplay::{RolePlayView, roleplay_ui};
use rapport::app::session::{ActiveSession, Intent, LibraryFilter, Mode, Running};
use rapport::app::settings::Settings;
use rapport::catalog::Catalog;
use rapport::engine::Session;
use rapport::vocabulary::{Locale, Personality};
use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

fn running(choices: &[usize], mode: Mode) -> ActiveSession {
    let scenario = Arc::new(
        Catalog::default()
            .load(Path::new("tests/fixtures/good/short-sale.ron"))
            .expect("fixture"),
    );
    let mut session = Session::with_personality(scenario.clone(), 3, Personality::Analytical);
    for &c in choices {
        session.choose(c).expect("offered");
    }
    let debrief = rapport::debrief::debrief(&session);
    ActiveSession {
        current: Some(Running {
            path: "short-sale.ron".into(),
            scenario,
            session,
            mode,
            personality: Some(Personality::Analytical),
            history: Vec::new(),
            outdated: false,
            revealed: false,
            debrief,
            saved: false,
            account_step: false,
            started: std::time::Instant::now(),
        }),
        notice: None,
    }
}

#[test]
fn roleplay_shows_the_customer_line_and_a_clicked_choice_becomes_an_intent() {
    let active = running(&[], Mode::Practice);
    let view = RolePlayView::build(&active, &Settings::default()).expect("view");
    assert_eq!(view.choices.len(), 4);
    let intent = Rc::new(RefCell::new(None));
    let sink = intent.clone();
    let mut harness = Harness::new_ui(move |ui| {
        if let Some(i) = roleplay_ui(ui, &view, false) {
            *sink.borrow_mut() = Some(i);
        }
    });
    harness.run();
    harness.get_by_label_contains("Your kit costs more");
    harness
        .get_by_label_contains("2.  I can take 10% off")
        .click();
    harness.run();
    assert_eq!(*intent.borrow(), Some(Intent::Choose(1)));
}

#[test]
fn roleplay_hides_coach_feedback_in_assessment_mode() {
    let practice =
        RolePlayView::build(&running(&[0], Mode::Practice), &Settings::default()).expect("view");
    let assessment =
        RolePlayView::build(&running(&[0], Mode::Assessment), &Settings::default()).expect("view");
    let has_coach = |v: &RolePlayView| {
        v.transcript
            .iter()
            .any(|l| l.text.contains("Defer price until value is clear"))
    };
    assert!(has_coach(&practice));
    assert!(!has_coach(&assessment));
    assert!(!assessment.can_undo);
}

#[test]
fn presentation_mode_hides_scores_until_revealed() {
    let settings = Settings(rapport::settings::Settings {
        presentation: true,
        ..Default::default()
    });
    let mut active = running(&[0], Mode::Practice);
    let hidden = RolePlayView::build(&active, &settings).expect("view");
    assert!(!hidden.show_scores && !hidden.show_feedback);
    if let Some(run) = &mut active.current {
        run.revealed = true;
    }
    let shown = RolePlayView::build(&active, &settings).expect("view");
    assert!(shown.show_scores && shown.show_feedback);
}

#[test]
fn debrief_shows_score_rules_and_offers_replay() {
    let active = running(&[0, 0, 3], Mode::Practice);
    let run = active.current.as_ref().expect("run");
    let debrief = run.debrief.clone().expect("ended, so a debrief exists");
    let total = debrief.report.score.total;
    let intent = Rc::new(RefCell::new(None));
    let sink = intent.clone();
    let mut harness = Harness::new_ui(move |ui| {
        let view = DebriefView {
            debrief: &debrief,
            other_personalities: vec![Personality::Dominant],
            notice: None,
            hide_score: false,
            account_step: false,
            locale: Locale::En,
            class_splits: Vec::new(),
        };
        if let Some(i) = debrief_ui(ui, &view) {
            *sink.borrow_mut() = Some(i);
        }
    });
    harness.run();
    harness.get_by_label_contains(&format!("Score {total}/100"));
    harness.get_by_label_contains("Replay (same seed)").click();
    harness.run();
    assert_eq!(*intent.borrow(), Some(Intent::Replay));
}

#[test]
fn the_library_lays_out_only_the_cards_in_view() {
    // Laying out a card rasterises its glyphs into egui's font atlas, which never shrinks;
    // the library keeps cards out of sight unlaid, so a Chinese summary far down the list
    // costs nothing until the trainee scrolls to it.
    let mut library = Library::default();
    let mut paths: Vec<_> = std::fs::read_dir("scenarios")
        .expect("scenario folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| rapport::catalog::is_listed_scenario(p))
        .collect();
    paths.sort();
    for path in paths {
        let scenario = Catalog::default().load(&path).expect("shipped scenario");
        let name = path
            .file_name()
            .expect("file")
            .to_string_lossy()
            .to_string();
        library.entries.insert(
            name.clone(),
            LibraryEntry {
                path: name,
                scenario: Some(Arc::new(scenario)),
                problems: Vec::new(),
                pair_problems: Vec::new(),
                revision: 1,
            },
        );
    }
    let view = LibraryView::build(&library, &LibraryFilter::default(), Locale::En);
    let rows = view.visible();
    assert!(rows.len() > 20, "the shipped library fills many screens");
    let first = rows[0].title.clone();
    let last = rows[rows.len() - 1].title.clone();
    let mut harness = Harness::builder()
        .with_size(bevy_egui::egui::vec2(1280.0, 800.0))
        .build_ui(move |ui| {
            library_ui(ui, &view);
        });
    harness.run();
    harness.get_by_label_contains(&first);
    assert!(
        harness.query_by_label_contains(&last).is_none(),
        "the last card ({last}) was laid out although it is far below the window"
    );
}

#[test]
fn the_mastery_map_shows_each_cell_with_its_sessions_and_opens_what_to_practise() {
    use rapport::app::screens::progress::{ProgressView, Suggestion, progress_ui};
    use rapport::history::{ScorePoint, progress};
    use rapport::vocabulary::Category;
    let point = |personality, category, score| ScorePoint {
        trust: Some(40),
        personality,
        category: Some(category),
        score,
        finished_at: 0,
    };
    let scores = vec![
        point(Personality::Analytical, Category::Price, 60),
        point(Personality::Analytical, Category::Price, 80),
        point(Personality::Dominant, Category::Need, 15),
    ];
    let view = ProgressView {
        trainee: Some("Ana".into()),
        progress: Some(progress(&scores)),
        scores: scores.iter().map(|s| s.score).collect(),
        trust: scores.iter().map(|s| s.trust).collect(),
        suggestions: vec![Suggestion {
            personality: Personality::Dominant,
            category: Category::Need,
            scenario: Some((
                "dominant-need.en.ron".into(),
                "The purchasing director who needs nothing".into(),
            )),
        }],
        techniques: Vec::new(),
        mistakes: Vec::new(),
        accounts: Vec::new(),
        exported: None,
        locale: Locale::En,
    };
    let intent = Rc::new(RefCell::new(None));
    let sink = intent.clone();
    let mut harness = Harness::new_ui(move |ui| {
        if let Some(i) = progress_ui(ui, &view) {
            *sink.borrow_mut() = Some(i);
        }
    });
    harness.run();
    harness.get_by_label("70 (2)");
    harness.get_by_label("15 (1)");
    harness.get_by_label("Dominant × Need");
    harness.get_by_label("Open").click();
    harness.run();
    assert_eq!(
        *intent.borrow(),
        Some(Intent::OpenScenario("dominant-need.en.ron".into()))
    );
}

#[test]
fn the_account_screen_shows_the_visits_and_promises_and_starts_the_next_visit() {
    use rapport::app::accounts::{Accounts, ActiveAccount};
    use rapport::app::screens::account::{AccountView, account_ui};
    let account = Arc::new(
        Catalog::default()
            .load_account(Path::new("tests/fixtures/accounts/clinic.account.ron"))
            .expect("fixture"),
    );
    let (run, _) =
        rapport::recording::replay_account(account, 2, &[vec![1], vec![2]]).expect("plays");
    let mut accounts = Accounts::default();
    accounts.active = Some(ActiveAccount {
        file: "accounts/clinic.account.ron".into(),
        run,
        row: None,
        trainee: Some("Ana".into()),
    });
    let view = AccountView::build(&accounts, Locale::En).expect("an account is open");
    let total = view.report.score.total;
    let intent = Rc::new(RefCell::new(None));
    let sink = intent.clone();
    let mut harness = Harness::new_ui(move |ui| {
        if let Some(i) = account_ui(ui, &view) {
            *sink.borrow_mut() = Some(i);
        }
    });
    harness.run();
    harness.get_by_label_contains("First call");
    harness.get_by_label_contains("You promised: bring the ward's figures");
    harness.get_by_label_contains("a promise not kept: bring the ward's figures");
    harness.get_by_label_contains(&format!("Account score {total}/100"));
    // The next step is named above its situation and on the bar with the button.
    assert_eq!(harness.query_all_by_label_contains("Next: ").count(), 2);
    harness.get_by_label("Start the visit").click();
    harness.run();
    assert_eq!(*intent.borrow(), Some(Intent::StartAccountStep));
}
