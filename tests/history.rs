//! The trainees' history database: trainees kept apart, nothing lost when the process is
//! killed mid-save, damaged files set aside, newer ones refused untouched, two copies at once.

use rapport::history::{History, SessionRecord, progress};
use rapport::vocabulary::{Category, Personality};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rapport-history-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir.join("history.sqlite3")
}

fn record(
    scenario: &str,
    personality: Personality,
    category: Category,
    score: u32,
) -> SessionRecord {
    SessionRecord {
        scenario_id: scenario.into(),
        scenario_hash: "0123456789abcdef".into(),
        locale: "en".into(),
        personality,
        category: Some(category),
        seed: 7,
        choices: vec![1, 2, 3],
        mode: "practice".into(),
        score,
        report: "{}".into(),
        finished_at: rapport::history::now(),
        duration_secs: Some(300),
        techniques: vec![rapport::history::TechniqueUse {
            technique: "give_data".into(),
            personality,
            uses: 2,
            trust: 6,
            mistake: false,
        }],
    }
}

#[test]
fn each_trainee_sees_only_their_own_sessions() {
    let path = temp("profiles");
    let (mut h, notice) = History::open(&path).expect("opens");
    assert!(notice.is_none());
    let ana = h.profile_or_create("Ana").expect("profile");
    let bo = h.profile_or_create("Bo").expect("profile");
    assert_eq!(h.profile_or_create(" Ana ").expect("same").id, ana.id);
    h.save(
        &ana,
        &record("a", Personality::Analytical, Category::Price, 80),
    )
    .expect("saved");
    h.save(&bo, &record("b", Personality::Dominant, Category::Need, 20))
        .expect("saved");
    h.save(
        &ana,
        &record("c", Personality::Analytical, Category::Price, 60),
    )
    .expect("saved");
    let ana_sessions = h.sessions(&ana).expect("read");
    assert_eq!(ana_sessions.len(), 2);
    assert!(ana_sessions.iter().all(|s| s.profile == "Ana"));
    assert_eq!(h.sessions(&bo).expect("read").len(), 1);
    assert_eq!(h.all_sessions().expect("read").len(), 3);
    // Reopened, everything is still there.
    drop(h);
    let (h, _) = History::open(&path).expect("reopens");
    assert_eq!(h.all_sessions().expect("read").len(), 3);
    let p = progress(&h.scores(&ana).expect("read"));
    let cell = p.map[Personality::Analytical.index()][Category::Price.index()];
    assert_eq!(cell.sessions, 2);
    assert_eq!(cell.mean, Some(70.0));
    assert_eq!(
        p.practise_next[0],
        (Personality::Analytical, Category::Price),
        "the only cell tried comes first"
    );
}

#[test]
fn a_damaged_file_is_set_aside_and_a_fresh_history_started() {
    let path = temp("damaged");
    std::fs::write(
        &path,
        b"this is not a database, it is a note someone saved here",
    )
    .expect("w");
    let (mut h, notice) = History::open(&path).expect("a fresh history");
    let notice = notice.expect("a message says what happened");
    assert!(notice.contains("not an SQLite database"), "{notice}");
    let kept: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("unusable"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept aside, not deleted");
    let p = h.profile_or_create("Ana").expect("profile");
    h.save(&p, &record("a", Personality::Amiable, Category::Timing, 50))
        .expect("the new history works");

    // A real database with a page overwritten fails its integrity check.
    let path = temp("corrupt-page");
    {
        let (mut h, _) = History::open(&path).expect("opens");
        let p = h.profile_or_create("Ana").expect("profile");
        for i in 0..300 {
            h.save(
                &p,
                &record(&format!("s{i}"), Personality::Amiable, Category::Timing, 50),
            )
            .expect("saved");
        }
    }
    let mut bytes = std::fs::read(&path).expect("read");
    if bytes.len() > 8192 {
        for b in &mut bytes[4096..8192] {
            *b = 0xA5;
        }
        std::fs::write(&path, &bytes).expect("write");
        let _ = std::fs::remove_file(format!("{}-wal", path.display()));
        let (h, notice) = History::open(&path).expect("a fresh history");
        assert!(notice.is_some(), "a corrupt database is reported");
        assert_eq!(h.integrity().expect("check"), "ok");
    }
}

#[test]
fn a_history_from_a_newer_rapport_is_refused_untouched() {
    let path = temp("newer");
    let (h, _) = History::open(&path).expect("opens");
    drop(h);
    set_user_version(&path, rapport::history::SCHEMA_VERSION + 1);
    let before = std::fs::read(&path).expect("read");
    let err = match History::open(&path) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a newer schema must be refused"),
    };
    assert!(err.contains("newer Rapport"), "{err}");
    assert_eq!(
        std::fs::read(&path).expect("read"),
        before,
        "left untouched"
    );
}

/// Sets the schema version of the closed database at `path`, as a newer Rapport would have:
/// SQLite keeps it in the file header, a 4-byte big-endian integer at offset 60.
fn set_user_version(path: &Path, version: i32) {
    let mut bytes = std::fs::read(path).expect("read");
    bytes[60..64].copy_from_slice(&version.to_be_bytes());
    std::fs::write(path, &bytes).expect("write");
}

/// The child of the kill test: saves sessions in a loop, printing each id once committed.
/// It does nothing unless the parent test starts it with `RAPPORT_HISTORY_CHILD`.
#[test]
#[ignore]
fn child_saving_in_a_loop() {
    let Some(path) = std::env::var_os("RAPPORT_HISTORY_CHILD") else {
        return;
    };
    let (mut h, _) = History::open(Path::new(&path)).expect("opens");
    let p = h.profile_or_create("Ana").expect("profile");
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let id = h
            .save(
                &p,
                &record(
                    &format!("s{i}"),
                    Personality::Expressive,
                    Category::Source,
                    i % 101,
                ),
            )
            .expect("saved");
        writeln!(out, "saved {id}").expect("stdout");
        out.flush().expect("stdout");
    }
}

#[test]
fn killing_a_saving_process_never_loses_a_committed_session() {
    let path = temp("kill");
    let exe = std::env::current_exe().expect("test binary");
    let mut acknowledged: Vec<i64> = Vec::new();
    for round in 0..25u64 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "child_saving_in_a_loop",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("RAPPORT_HISTORY_CHILD", &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("child starts");
        let seen: Arc<Mutex<Vec<i64>>> = Arc::new(Mutex::new(Vec::new()));
        let reader = {
            let seen = seen.clone();
            let stdout = child.stdout.take().expect("piped");
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if let Some(id) = line.strip_prefix("saved ").and_then(|n| n.parse().ok()) {
                        seen.lock().expect("lock").push(id);
                    }
                }
            })
        };
        // Killed at a different moment each round: mid-transaction, mid-checkpoint, idle.
        std::thread::sleep(Duration::from_millis(30 + (round * 37) % 170));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let _ = reader.join();
        acknowledged.extend(seen.lock().expect("lock").iter().copied());

        let (h, notice) = History::open(&path).expect("reopens after the kill");
        assert!(notice.is_none(), "round {round}: {notice:?}");
        assert_eq!(h.integrity().expect("check"), "ok", "round {round}");
        let ids: std::collections::BTreeSet<i64> = h
            .all_sessions()
            .expect("read")
            .iter()
            .map(|s| s.id)
            .collect();
        let lost: Vec<&i64> = acknowledged.iter().filter(|id| !ids.contains(id)).collect();
        assert!(
            lost.is_empty(),
            "round {round}: committed sessions lost: {lost:?}"
        );
    }
    assert!(
        acknowledged.len() > 25,
        "the child saved only {}",
        acknowledged.len()
    );
}

#[test]
fn two_copies_of_the_app_save_into_one_history() {
    let path = temp("two");
    let (h, _) = History::open(&path).expect("opens");
    let p = h.profile_or_create("Ana").expect("profile");
    drop(h);
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            let p = p.clone();
            std::thread::spawn(move || {
                let (mut h, _) = History::open(&path).expect("each copy opens it");
                for i in 0..100 {
                    h.save(
                        &p,
                        &record(
                            &format!("w{w}-{i}"),
                            Personality::Amiable,
                            Category::Need,
                            40,
                        ),
                    )
                    .expect("saved while the other copy saves too");
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("writer");
    }
    let (h, _) = History::open(&path).expect("opens");
    assert_eq!(h.all_sessions().expect("read").len(), 200);
}

#[test]
fn a_first_version_history_migrates_and_keeps_every_session() {
    // tests/fixtures/history-v1.sqlite3 was written by Rapport with schema 1 (three sessions of
    // two trainees, one of them Chinese); it is copied, never opened in place.
    let path = temp("migrate");
    std::fs::copy("tests/fixtures/history-v1.sqlite3", &path).expect("copy the fixture");
    let (mut h, notice) = History::open(&path).expect("a version 1 history opens");
    assert!(notice.is_none(), "{notice:?}");
    let version: i32 = rusqlite::Connection::open(&path)
        .and_then(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
        .expect("version");
    assert_eq!(version, rapport::history::SCHEMA_VERSION);
    let all = h.all_sessions().expect("sessions");
    assert_eq!(all.len(), 3);
    let names: Vec<&str> = all.iter().map(|s| s.profile.as_str()).collect();
    assert_eq!(names, ["Ann", "Ann", "李明"]);
    assert_eq!(h.integrity().expect("check"), "ok");
    // The new tables work on the migrated file: techniques and accounts; trust at the end of
    // each old session is read back from its report for the trend.
    let ann = h.profile("Ann").expect("query").expect("Ann");
    let old = h.scores(&ann).expect("scores");
    assert_eq!(old.len(), 2);
    assert!(old.iter().all(|p| p.trust.is_some()), "{old:?}");
    h.save(
        &ann,
        &record(
            "analytical-price",
            Personality::Analytical,
            Category::Price,
            70,
        ),
    )
    .expect("save");
    let uses = h.technique_uses(&ann).expect("techniques");
    assert_eq!(uses.len(), 1);
    assert_eq!((uses[0].uses, uses[0].trust), (2, 6));
    assert!(h.accounts(&ann).expect("accounts").is_empty());
}

#[test]
fn an_account_is_saved_step_by_step_and_resumed_for_its_trainee_only() {
    use rapport::account::AccountRun;
    let path = temp("accounts");
    let (mut h, _) = History::open(&path).expect("opens");
    let ann = h.profile_or_create("Ann").expect("Ann");
    let bo = h.profile_or_create("Bo").expect("Bo");
    let account = Arc::new(
        rapport::catalog::Catalog::default()
            .load_account(Path::new("tests/fixtures/accounts/clinic.account.ron"))
            .expect("fixture loads"),
    );
    let mut run = AccountRun::new(account.clone(), 5);
    let mut row = None;
    for choice in [1usize, 1] {
        let mut session = run.start_step().expect("a step");
        session.choose(choice - 1).expect("choice");
        run.finish_step(&session).expect("finish");
        let saved = h
            .save_account_step(
                &ann,
                row,
                &rapport::history::account_record(&run),
                &rapport::history::record(&session, "account").expect("ended"),
            )
            .expect("save");
        assert!(row.is_none() || row == Some(saved), "the same account row");
        row = Some(saved);
    }
    let saved = h
        .open_account(&ann, "clinic")
        .expect("query")
        .expect("Ann has the account under way");
    assert_eq!(saved.record.steps, vec![vec![1], vec![1]]);
    let resumed =
        AccountRun::replay(account, saved.record.seed, &saved.record.steps).expect("replays");
    assert_eq!(resumed.report(), run.report());
    assert!(
        h.open_account(&bo, "clinic").expect("query").is_none(),
        "Bo sees nothing of Ann's"
    );
    assert_eq!(h.sessions(&ann).expect("sessions").len(), 2);
    // Another trainee's row cannot be overwritten through a wrong id.
    let mut other = rapport::history::account_record(&run);
    other.finished = true;
    let session = record("x", Personality::Analytical, Category::Need, 1);
    assert!(h.save_account_step(&bo, row, &other, &session).is_err());
}

#[test]
fn saves_of_one_account_issued_before_the_first_returns_its_row_land_in_one_row() {
    use rapport::account::AccountRun;
    let path = temp("account-race");
    let (mut h, _) = History::open(&path).expect("opens");
    let ana = h.profile_or_create("Ana").expect("Ana");
    let account = Arc::new(
        rapport::catalog::Catalog::default()
            .load_account(Path::new("tests/fixtures/accounts/clinic.account.ron"))
            .expect("fixture loads"),
    );
    let mut run = AccountRun::new(account, 9);
    let mut saves = Vec::new();
    for _ in 0..2 {
        let mut session = run.start_step().expect("a step");
        session.choose(0).expect("choice");
        run.finish_step(&session).expect("finish");
        saves.push((
            rapport::history::account_record(&run),
            rapport::history::record(&session, "account").expect("ended"),
        ));
    }
    // The app saved both steps without a row id, and the second save ran first.
    for (account, session) in saves.iter().rev() {
        h.save_account_step(&ana, None, account, session)
            .expect("saved");
    }
    let runs = h.accounts(&ana).expect("accounts");
    assert_eq!(runs.len(), 1, "one account, one row");
    assert_eq!(
        runs[0].record.steps,
        vec![vec![1], vec![1]],
        "the later state kept"
    );
    assert_eq!(
        h.sessions(&ana).expect("sessions").len(),
        2,
        "both visits saved"
    );
}
