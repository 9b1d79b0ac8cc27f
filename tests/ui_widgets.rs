//! egui tests of the role-play and debrief screens: what they show and the intents they return.
#![cfg(feature = "gui")]

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rapport::app::screens::debrief::{DebriefView, debrief_ui};
use rapport::app::screens::roleplay::{RolePlayView, roleplay_ui};
use rapport::app::session::{ActiveSession, Intent, Mode, Running};
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
        }),
        notice: None,
    }
}

#[test]
fn roleplay_shows_the_customer_line_and_a_clicked_choice_becomes_an_intent() {
    let active = running(&[], Mode::Practice);
    let view = RolePlayView::build(&active, &Settings::default()).expect("view");
    assert_eq!(view.choices.len(), 3);
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
    let settings = Settings {
        presentation: true,
        ..Settings::default()
    };
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
            locale: Locale::En,
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
