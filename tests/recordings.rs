//! Data-driven engine tests: each file in tests/recordings is a scenario, a seed and choices
//! with the exact events they must produce (make one with `rapport play … --record`).

use rapport::catalog::{Catalog, expand, read_text};
use rapport::load::parse_ron;
use rapport::recording::{AccountRecording, Recording, diff_events, replay, replay_account};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[test]
fn every_recorded_playthrough_replays_to_the_same_events() {
    let files =
        expand(&[PathBuf::from("tests/recordings")], true).expect("tests/recordings exists");
    assert!(
        files.len() >= 5,
        "expected the recorded playthroughs, found {}",
        files.len()
    );
    let mut catalog = Catalog::default();
    let mut failures = Vec::new();
    for path in &files {
        let text = read_text(path).expect("recording readable");
        if let Ok(rec) = parse_ron::<AccountRecording>(&text, &path.display().to_string()) {
            let account_path = path.parent().unwrap_or(Path::new(".")).join(&rec.account);
            let account = catalog
                .load_account(&account_path)
                .unwrap_or_else(|p| panic!("{}: {p:?}", account_path.display()));
            match replay_account(Arc::new(account), rec.seed, &rec.steps) {
                Ok((_, events)) => {
                    if let Some(diff) = diff_events(&rec.events, &events) {
                        failures.push(format!("{}: {diff}", path.display()));
                    }
                }
                Err(e) => failures.push(format!("{}: {e}", path.display())),
            }
            continue;
        }
        let rec: Recording =
            parse_ron(&text, &path.display().to_string()).expect("recording parses");
        let scenario_path = path.parent().unwrap_or(Path::new(".")).join(&rec.scenario);
        let scenario = catalog
            .load(&scenario_path)
            .unwrap_or_else(|p| panic!("{}: {p:?}", scenario_path.display()));
        match replay(Arc::new(scenario), rec.seed, rec.personality, &rec.choices) {
            Ok(session) => {
                if let Some(diff) = diff_events(&rec.events, session.events()) {
                    failures.push(format!("{}: {diff}", path.display()));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_changed_choice_shows_up_as_a_diff() {
    let path = Path::new("tests/recordings/short-sale-best-analytical.ron");
    let rec: Recording = parse_ron(&read_text(path).expect("readable"), "rec").expect("parses");
    let scenario = Catalog::default()
        .load(Path::new("tests/fixtures/good/short-sale.ron"))
        .expect("loads");
    let mut other = rec.choices.clone();
    other[1] = 2;
    let session = replay(Arc::new(scenario), rec.seed, rec.personality, &other).expect("replays");
    let diff = diff_events(&rec.events, session.events()).expect("events differ");
    assert!(
        diff.contains("expected") && diff.contains("actual"),
        "{diff}"
    );
}
