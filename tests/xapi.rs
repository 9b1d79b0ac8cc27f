//! xAPI statements for the organisation: every statement Rapport writes for finished visits and
//! accounts keeps the xAPI 1.0.3 rules, names the scenario in both languages, is the same each
//! time (so a store keeps one), and carries what it takes to replay the run.

use rapport::catalog::{Catalog, names_by_id};
use rapport::history::History;
use rapport::xapi::{account_statement, problems, session_statement};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;

const HOME: &str = "https://training.example.com/rapport";

mod support;

fn history(name: &str) -> History {
    support::sample_history(&format!("xapi-{name}"))
}

#[test]
fn every_statement_keeps_the_xapi_rules_and_names_the_scenario_in_both_languages() {
    let h = history("rules");
    let ana = h.profile("Ana").expect("read").expect("Ana");
    let names = names_by_id(Path::new("scenarios"));
    let lookup = |id: &str| names.get(id).cloned().unwrap_or_default();
    let sessions = h.sessions(&ana).expect("sessions");
    assert!(sessions.len() >= 4, "two visits and the account's steps");
    let mut statements: Vec<_> = sessions
        .iter()
        .map(|s| session_statement(s, HOME, &lookup))
        .collect();
    for a in h.accounts(&ana).expect("accounts") {
        assert!(a.record.finished);
        statements.push(account_statement("Ana", &a, HOME, &lookup));
    }
    for s in &statements {
        assert_eq!(problems(s), Vec::<String>::new(), "{s:#}");
    }
    // The shipped scenario is named in both languages; the actor is Ana's account here.
    let first = &statements[0];
    let name = &first["object"]["definition"]["name"];
    assert!(
        name["en-US"].is_string() && name["zh-CN"].is_string(),
        "{name}"
    );
    assert_eq!(first["actor"]["account"]["name"], "Ana");
    assert_eq!(first["result"]["duration"], "PT6M52S");
    // A step of an account is grouped under it.
    assert!(
        statements
            .iter()
            .any(|s| s["context"]["contextActivities"]["grouping"][0]["id"]
                .as_str()
                .is_some_and(|id| id.ends_with("/accounts/clinic"))),
        "the account's steps are grouped under the account"
    );
    // The same history gives the same statement ids: a store that gets one twice keeps one.
    let again: Vec<_> = sessions
        .iter()
        .map(|s| session_statement(s, HOME, &lookup)["id"].clone())
        .collect();
    let ids: Vec<_> = statements
        .iter()
        .take(again.len())
        .map(|s| s["id"].clone())
        .collect();
    assert_eq!(ids, again);
    let unique: std::collections::BTreeSet<_> =
        statements.iter().map(|s| s["id"].to_string()).collect();
    assert_eq!(unique.len(), statements.len());
}

#[test]
fn a_statement_carries_what_it_takes_to_replay_the_run() {
    let h = history("replay");
    let ana = h.profile("Ana").expect("read").expect("Ana");
    let saved = &h.sessions(&ana).expect("sessions")[0];
    let statement = session_statement(saved, HOME, &|_| Default::default());
    let ext = &statement["context"]["extensions"];
    let key = |name: &str| format!("{}/extensions/{name}", rapport::xapi::IRI_BASE);
    let seed = ext[key("seed")].as_u64().expect("seed");
    let choices: Vec<usize> = serde_json::from_value(ext[key("choices")].clone()).expect("choices");
    let scn = Catalog::default()
        .load(Path::new("scenarios/analytical-price.en.ron"))
        .expect("shipped");
    let replayed =
        rapport::recording::replay(Arc::new(scn), seed, None, &choices).expect("replays");
    let report = rapport::scoring::report(&replayed).expect("ended");
    assert_eq!(
        statement["result"]["score"]["raw"],
        json!(report.score.total),
        "the replay scores what the statement says"
    );
    assert_eq!(ext[key("personality")], json!(report.personality.code()));
}

#[test]
fn the_rules_catch_a_statement_that_breaks_them() {
    let good = json!({
        "id": rapport::xapi::statement_id("t", "1"),
        "actor": {"objectType": "Agent", "account": {"homePage": HOME, "name": "Ana"}},
        "verb": {"id": rapport::xapi::VERB_COMPLETED, "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": "https://rapport.training/xapi/scenarios/x"},
        "result": {"score": {"scaled": 0.5, "raw": 50, "min": 0, "max": 100}, "duration": "PT5M"},
        "timestamp": "2026-11-30T12:00:00Z",
    });
    assert!(problems(&good).is_empty(), "{:?}", problems(&good));
    let broken = [
        (
            "actor",
            json!({"mbox": "mailto:a@b.c", "account": {"homePage": HOME, "name": "A"}}),
            "exactly one identifier",
        ),
        (
            "actor",
            json!({"account": {"homePage": "not a url", "name": "A"}}),
            "homePage",
        ),
        (
            "verb",
            json!({"id": "completed", "display": {"en-US": "completed"}}),
            "verb.id",
        ),
        ("object", json!({"id": "x y"}), "object.id"),
        ("result", json!({"score": {"scaled": 1.5}}), "scaled"),
        (
            "result",
            json!({"score": {"raw": 120, "min": 0, "max": 100}}),
            "raw",
        ),
        ("result", json!({"duration": "5 minutes"}), "duration"),
        ("timestamp", json!("yesterday"), "timestamp"),
        ("id", json!("1234"), "UUID"),
        ("stored", json!("2026-11-30T12:00:00Z"), "set by the store"),
    ];
    for (field, value, expected) in broken {
        let mut s = good.clone();
        s[field] = value;
        let found = problems(&s);
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "{field}: expected a problem about {expected}, got {found:?}"
        );
    }
}
