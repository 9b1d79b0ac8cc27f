//! Sending results to a real learning record store (Ralph, started by the test): every
//! statement arrives exactly once, whether the store is down, comes back, refuses the
//! password, or the app was killed after sending but before noting it; nothing is lost.

mod support;

use rapport::catalog::names_by_id;
use rapport::history::{History, OutboxItem};
use rapport::lrs::{FIRST_WAIT_SECS, sync};
use rapport::settings::LrsSettings;
use std::collections::BTreeSet;
use std::path::Path;
use support::ralph::{self, Ralph};

fn ids(statements: &[serde_json::Value]) -> BTreeSet<String> {
    statements
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn settings(endpoint: &str, password: &str) -> LrsSettings {
    LrsSettings {
        endpoint: endpoint.into(),
        username: ralph::USER.into(),
        password: password.into(),
        home_page: "https://training.example.com/rapport".into(),
        group: "Spring class".into(),
    }
}

fn play_one_more_visit(h: &mut History) {
    let ana = h.profile_or_create("Ana").expect("Ana");
    let mut catalog = rapport::catalog::Catalog::default();
    let scn = std::sync::Arc::new(
        catalog
            .load(Path::new("scenarios/dominant-price.en.ron"))
            .expect("shipped"),
    );
    let mut session = rapport::Session::new(scn, 11);
    while !session.is_ended() {
        session.choose(0).expect("offered");
    }
    let record = rapport::history::record(&session, "practice").expect("ended");
    h.save(&ana, &record).expect("saved");
}

#[test]
fn statements_reach_the_store_exactly_once_through_outages_refusals_and_a_kill() {
    let Some(binary) = ralph::binary_or_skip("lrs") else {
        return;
    };
    let db = support::temp("lrs");
    let dir = db.parent().expect("folder").to_path_buf();
    let mut h = support::sample_history("lrs-history");
    let names = names_by_id(Path::new("scenarios"));
    let lookup = |id: &str| names.get(id).cloned().unwrap_or_default();
    let mut store = Ralph::start(&binary, &dir.join("ralph"));
    let good = settings(&store.endpoint(), ralph::PASSWORD);
    let mut now = 1_000_000;

    // The store is down: everything is queued, nothing is lost, the next try is put off.
    store.stop();
    let report = sync(&mut h, &good, &lookup, now).expect("a pass");
    let queued = report.queued;
    assert!(
        queued >= 4,
        "two visits, the account's steps, the account: {report:?}"
    );
    assert_eq!(report.sent, 0);
    assert!(report.error.is_some());
    assert_eq!(report.status.waiting as usize, queued);
    assert_eq!(report.status.next_try_at, Some(now + FIRST_WAIT_SECS));
    // Before the wait is over, nothing is tried.
    let early = sync(&mut h, &good, &lookup, now + 1).expect("a pass");
    assert_eq!((early.sent, early.error.is_none()), (0, true));

    // It comes back: all of them arrive, once.
    store.restart();
    now += FIRST_WAIT_SECS;
    let report = sync(&mut h, &good, &lookup, now).expect("a pass");
    assert_eq!((report.sent, report.error.clone()), (queued, None));
    assert_eq!(report.status.waiting, 0);
    let stored = store.statements();
    assert_eq!(stored.len(), queued, "one statement per visit and account");
    for s in &stored {
        assert_eq!(rapport::xapi::team_name(s), Some("Spring class"));
        assert_eq!(
            s["actor"]["account"]["homePage"],
            "https://training.example.com/rapport"
        );
    }

    // The app was killed after the store took them but before they were marked: they go
    // again, and the store still holds each once (their ids are the same).
    let conn = rusqlite::Connection::open(h.path()).expect("db");
    conn.execute("UPDATE xapi_outbox SET sent_at = NULL", [])
        .expect("unmark");
    let report = sync(&mut h, &good, &lookup, now).expect("a pass");
    assert_eq!(report.sent, queued);
    assert_eq!(ids(&store.statements()), ids(&stored));

    // A wrong password: a clear error without the password in it, nothing marked sent.
    play_one_more_visit(&mut h);
    let wrong = settings(&store.endpoint(), "not-the-password-93");
    let report = sync(&mut h, &wrong, &lookup, now).expect("a pass");
    let error = report.error.clone().expect("refused");
    assert!(error.contains("user name or password"), "{error}");
    assert!(!error.contains("not-the-password-93"));
    assert_eq!((report.sent, report.status.waiting), (0, 1));

    // A statement the store refuses for what it says is set aside; the others still go.
    h.queue_statements(
        &[OutboxItem {
            statement_id: "0badc0de-0000-8000-8000-000000000000".into(),
            source: "test:broken".into(),
            statement: r#"{"id":"0badc0de-0000-8000-8000-000000000000","verb":{}}"#.into(),
        }],
        now,
    )
    .expect("queued");
    now += rapport::lrs::MAX_WAIT_SECS;
    let report = sync(&mut h, &good, &lookup, now).expect("a pass");
    assert_eq!((report.sent, report.rejected), (1, 1), "{report:?}");
    assert_eq!(report.status.rejected, 1);
    assert_eq!(store.statements().len(), queued + 1);

    // Down again while a visit waits; back again: it arrives, once.
    play_one_more_visit(&mut h);
    store.stop();
    let report = sync(&mut h, &good, &lookup, now).expect("a pass");
    assert_eq!((report.sent, report.status.waiting), (0, 1));
    store.restart();
    now += rapport::lrs::MAX_WAIT_SECS;
    let report = sync(&mut h, &good, &lookup, now).expect("a pass");
    assert_eq!((report.sent, report.status.waiting), (1, 0));
    let all = store.statements();
    assert_eq!(all.len(), queued + 2);
    assert_eq!(ids(&all).len(), all.len(), "no statement twice");

    // The class view's fetch takes one class's statements.
    let class = rapport::lrs::fetch_statements(&good, Some("Spring class")).expect("read");
    assert_eq!(class.len(), queued + 2);
    let other = rapport::lrs::fetch_statements(&good, Some("Autumn class")).expect("read");
    assert!(other.is_empty());
}

#[test]
fn an_lrs_that_is_not_set_up_is_refused_before_anything_is_sent() {
    let db = support::temp("lrs-unset");
    let (mut h, _) = History::open(&db).expect("opens");
    let lookup = |_: &str| Default::default();
    let err = sync(&mut h, &settings("lrs.example.org", "x"), &lookup, 0).expect_err("refused");
    assert!(err.to_string().contains("https://"), "{err}");
}
