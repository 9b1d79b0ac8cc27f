//! What several integration tests share: a sample trainee history, and a real learning
//! record store (Ralph) started and stopped by the test.
#![allow(dead_code)]

pub mod ralph;

use rapport::catalog::Catalog;
use rapport::history::History;
use std::path::Path;
use std::sync::Arc;

pub fn temp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rapport-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir.join("history.sqlite3")
}

/// A history with two visits of shipped scenarios and a finished account.
pub fn sample_history(name: &str) -> History {
    let (mut h, _) = History::open(&temp(name)).expect("opens");
    let ana = h.profile_or_create("Ana").expect("Ana");
    let mut catalog = Catalog::default();
    for (file, choices) in [
        ("scenarios/analytical-price.en.ron", [1usize; 12]),
        ("scenarios/analytical-price.zh-CN.ron", [2; 12]),
    ] {
        let scn = Arc::new(catalog.load(Path::new(file)).expect("shipped"));
        let mut session = rapport::Session::new(scn, 7);
        for c in choices {
            if session.is_ended() {
                break;
            }
            let _ = session.choose(c - 1);
        }
        assert!(session.is_ended(), "{file} ends");
        let mut record = rapport::history::record(&session, "practice").expect("ended");
        record.duration_secs = Some(412);
        h.save(&ana, &record).expect("saved");
    }
    let account = Arc::new(
        catalog
            .load_account(Path::new("tests/fixtures/accounts/clinic.account.ron"))
            .expect("fixture"),
    );
    let mut run = rapport::account::AccountRun::new(account, 3);
    let mut row = None;
    while let Some(mut session) = run.start_step() {
        while !session.is_ended() {
            session.choose(0).expect("offered");
        }
        run.finish_step(&session).expect("finished");
        let record = rapport::history::record(&session, "account").expect("ended");
        row = Some(
            h.save_account_step(&ana, row, &rapport::history::account_record(&run), &record)
                .expect("saved"),
        );
    }
    h
}
