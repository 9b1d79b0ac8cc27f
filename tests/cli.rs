//! The `rapport` command line on good and broken fixtures: messages, places, exit codes.

use std::process::{Command, Output};

fn rapport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .output()
        .expect("rapport runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn validate_accepts_good_files_including_a_bom() {
    let o = rapport(&["validate", "tests/fixtures/good"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("3 files checked: 3 ok"), "{}", text(&o));
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let o = rapport(&["validate", "tests/fixtures/broken/syntax-error.ron"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("tests/fixtures/broken/syntax-error.ron:4:5: Expected comma"),
        "{}",
        text(&o)
    );
}

#[test]
fn an_unknown_field_is_named_with_the_expected_ones() {
    let o = rapport(&["validate", "tests/fixtures/broken/unknown-field.ron"]);
    let t = text(&o);
    assert!(
        t.contains("unknown-field.ron:3:5:") && t.contains("`titel`") && t.contains("`title`"),
        "{t}"
    );
}

#[test]
fn typed_objections_and_contacts_are_checked_where_they_are_written() {
    let o = rapport(&[
        "validate",
        "--json",
        "tests/fixtures/broken/typed-objections.ron",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let messages: Vec<String> = json["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            format!(
                "{}:{} {}",
                p["line"],
                p["column"],
                p["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    let expect = [
        "13:45 objection `p` is a price objection, but sub-type `need_real` is of category need",
        "14:70 objection `q` names unknown motive `wants_a_yacht`",
        "15:68 objection `r` lists motives, which only a price objection has",
        "16:67 objection `s` names unknown cause `full_moon`",
        "17:69 flag `never_set` is tested but no choice or chance sets it",
        "21:61 `second_contact` is achieved only by meeting again",
        "23:31 days is 0",
    ];
    assert_eq!(messages.len(), expect.len(), "{messages:#?}");
    for e in expect {
        assert!(
            messages.iter().any(|m| m.starts_with(e)),
            "missing `{e}` in {messages:#?}"
        );
    }
}

#[test]
fn validation_reports_every_problem_at_once() {
    let o = rapport(&[
        "validate",
        "--json",
        "tests/fixtures/broken/many-problems.ron",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let problems = json["problems"].as_array().expect("problems");
    let messages: Vec<String> = problems
        .iter()
        .map(|p| {
            format!(
                "{}:{} {}",
                p["line"],
                p["column"],
                p["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    let expect = [
        "5:5 translation path: `../../outside.ron` leaves the scenario folder",
        "8:5 difficulty is 9",
        "11:5 starting trust is 120",
        "22:44 unknown technique `mind_reading`",
        "22:61 trust is 80",
        "23:52 objection `never` is handled here but no node raises it",
        "23:63 choice 2 has no coach feedback",
        "23:83 `next` names node `nowhere`",
        "26:10 the conversation loops: b → c → b",
        "28:10 node `d` offers no choices",
        "28:10 node `d` can never be reached",
        "29:10 node `e` can never be reached",
    ];
    for e in expect {
        assert!(
            messages.iter().any(|m| m.starts_with(e)),
            "missing `{e}` in {messages:#?}"
        );
    }
}

#[test]
fn list_scenarios_json_uses_plain_lowercase_names() {
    let o = rapport(&["list", "scenarios", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let entries = json.as_array().expect("array");
    assert!(entries.len() >= 40);
    let zh = entries
        .iter()
        .find(|e| e["id"] == "analytical-price-zh")
        .expect("a Chinese scenario");
    assert_eq!(zh["locale"], "zh-CN");
    assert_eq!(zh["personalities"][0], "analytical");
    assert!(
        zh["categories"]
            .as_array()
            .expect("categories")
            .iter()
            .any(|c| c == "price")
    );
}

#[test]
fn play_with_choices_prints_the_debrief_and_records_a_replayable_run() {
    let dir = std::env::temp_dir().join(format!("rapport-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rec = dir.join("run.ron");
    let rec_s = rec.to_string_lossy().to_string();
    let o = rapport(&[
        "play",
        "tests/fixtures/good/short-sale.ron",
        "--seed",
        "3",
        "--choices",
        "1,1,4",
        "--record",
        &rec_s,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("Score:"), "{}", text(&o));
    let t = rapport(&["test", &rec_s]);
    assert!(text(&t).contains("1 passed, 0 failed"), "{}", text(&t));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_choice_that_is_not_offered_is_an_error() {
    let o = rapport(&[
        "play",
        "tests/fixtures/good/short-sale.ron",
        "--choices",
        "9",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("choice 9"), "{}", text(&o));
}

#[test]
fn usage_errors_exit_with_2() {
    assert_eq!(rapport(&["play"]).status.code(), Some(2));
    assert_eq!(rapport(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        rapport(&[
            "play",
            "tests/fixtures/good/short-sale.ron",
            "--personality",
            "grumpy"
        ])
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn analyze_and_simulate_report_the_distribution() {
    let a = rapport(&["analyze", "--json", "tests/fixtures/good/short-sale.ron"]);
    assert_eq!(a.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&a.stdout).expect("json");
    assert!(
        json["overall"]["best"].as_u64().expect("best")
            > json["overall"]["median"].as_u64().expect("median")
    );
    let s = rapport(&[
        "simulate",
        "tests/fixtures/good/short-sale.ron",
        "-n",
        "200",
        "--seed",
        "5",
        "--json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&s.stdout).expect("json");
    assert_eq!(json["runs"], 200);
    let again = rapport(&[
        "simulate",
        "tests/fixtures/good/short-sale.ron",
        "-n",
        "200",
        "--seed",
        "5",
        "--json",
    ]);
    assert_eq!(
        s.stdout, again.stdout,
        "simulation is reproducible from its seed"
    );
}

#[test]
fn a_played_session_goes_into_the_trainees_history_and_progress() {
    let data = std::env::temp_dir().join(format!("rapport-cli-history-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rapport"))
            .args(args)
            .env("RAPPORT_DATA_DIR", &data)
            .output()
            .expect("rapport runs")
    };
    let fixture = "tests/fixtures/good/short-sale.ron";
    for (profile, choices) in [("ana", "1,1,4"), ("ana", "2"), ("bo", "3")] {
        let o = run(&[
            "play",
            fixture,
            "--seed",
            "3",
            "--choices",
            choices,
            "--profile",
            profile,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let o = run(&["history", "--profile", "ana", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let sessions: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let sessions = sessions.as_array().expect("a list");
    assert_eq!(sessions.len(), 2, "only ana's sessions: {sessions:?}");
    assert!(sessions.iter().all(|s| s["profile"] == "ana"));
    assert_eq!(sessions[0]["choices"], serde_json::json!([1, 1, 4]));
    let o = run(&["progress", "--profile", "ana", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let progress: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(progress["progress"]["sessions"], 2);
    // The history as a spreadsheet: a byte-order mark for Excel, a header, a row per session.
    let o = run(&["export", "--profile", "ana"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = String::from_utf8(o.stdout.clone()).expect("UTF-8");
    assert!(csv.starts_with('\u{feff}'), "a byte-order mark first");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("trainee,finished_at_utc,mode,account,scenario"));
    assert!(lines[1].starts_with("ana,"), "{}", lines[1]);
    assert!(lines[1].contains(",short-sale,en,"), "{}", lines[1]);
    let o = run(&["export", "--format", "json"]);
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        all.as_array().map(|a| a.len()),
        Some(3),
        "every trainee's sessions"
    );
    assert!(
        all[0]["report"]["score"]["total"].is_number(),
        "the report as an object"
    );
    // xAPI statement files for an LMS: every statement keeps the specification's rules.
    let o = run(&[
        "export",
        "--format",
        "xapi",
        "--scenarios",
        "tests/fixtures/good",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let statements: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let statements = statements.as_array().expect("a list");
    assert_eq!(statements.len(), 3);
    for s in statements {
        assert!(rapport::xapi::problems(s).is_empty(), "{s:#}");
        assert_eq!(s["object"]["definition"]["name"]["en-US"], "Short sale");
    }
    let o = run(&["export", "--format", "xls"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["progress", "--profile", "nobody"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("no trainee profile named `nobody`"));
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn an_account_is_played_a_visit_at_a_time_resumed_and_shown_in_progress() {
    let data = std::env::temp_dir().join(format!("rapport-cli-account-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rapport"))
            .args(args)
            .env("RAPPORT_DATA_DIR", &data)
            .output()
            .expect("rapport runs")
    };
    let account = "tests/fixtures/accounts/clinic.account.ron";
    // The first visit today (a promise made)…
    let o = run(&[
        "play",
        account,
        "--seed",
        "2",
        "--steps",
        "1",
        "--profile",
        "ana",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("You promised: bring the ward's figures"),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("The account is still under way."),
        "{}",
        text(&o)
    );
    // …the next one another day: it resumes and the promise is kept.
    let o = run(&["play", account, "--steps", "1", "--profile", "ana"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("Resuming the account after 1 step(s)."),
        "{}",
        text(&o)
    );
    assert!(
        text(&o).contains("Promise kept: bring the ward's figures"),
        "{}",
        text(&o)
    );
    let o = run(&["progress", "--profile", "ana"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("account clinic: 2 step(s)"),
        "{}",
        text(&o)
    );
    // A usage error: accounts are scripted with --steps.
    let o = run(&["play", account, "--choices", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let o = run(&["play", account, "--steps", "1,x"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("step 1 has `x`"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&data);
}
