//! The trainees' history at classroom scale: a history of 10 000 sessions, the progress
//! screen's data read from it (mastery map, techniques, accounts), and one more save.
//! Figures go in docs/performance.md.

use criterion::{Criterion, criterion_group, criterion_main};
use rapport::history::{History, SessionRecord, progress};
use rapport::vocabulary::{Category, Personality};
use std::hint::black_box;

fn record(i: usize) -> SessionRecord {
    SessionRecord {
        scenario_id: format!("scenario-{}", i % 60),
        scenario_hash: "0123456789abcdef".into(),
        locale: "en".into(),
        personality: Personality::ALL[i % 4],
        category: Some(Category::ALL[i % 5]),
        seed: i as u64,
        choices: vec![1, 2, 3, 2, 1, 3, 2],
        mode: "practice".into(),
        // A report of the size a real one has (about 3 KB of JSON).
        score: (i * 37 % 101) as u32,
        report: format!("{{\"padding\":\"{}\"}}", "x".repeat(3000)),
        finished_at: 1_700_000_000 + i as i64,
        // Three techniques a session, as a real one has on average.
        duration_secs: Some(300 + (i % 600) as u32),
        techniques: ["give_data", "questioning", "idle_chatter"]
            .iter()
            .enumerate()
            .map(|(k, t)| rapport::history::TechniqueUse {
                technique: t.to_string(),
                personality: Personality::ALL[i % 4],
                uses: 1 + (i + k) as u32 % 3,
                trust: (i % 7) as i32 - 3,
                mistake: *t == "idle_chatter",
            })
            .collect(),
    }
}

fn history(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("rapport-bench-history-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("history.sqlite3");
    let (mut h, _) = History::open(&path).expect("opens");
    let trainee = h.profile_or_create("Ana").expect("profile");
    for i in 0..10_000 {
        h.save(&trainee, &record(i)).expect("saved");
    }
    let mut group = c.benchmark_group("history");
    group.sample_size(20);
    group.bench_function("progress_of_10000_sessions", |b| {
        b.iter(|| {
            let map = progress(&h.scores(black_box(&trainee)).expect("read"));
            let techniques = h.technique_uses(&trainee).expect("read");
            let accounts = h.accounts(&trainee).expect("read");
            (map.sessions, techniques.len(), accounts.len())
        })
    });
    let mut i = 10_000;
    group.bench_function("save_one_session", |b| {
        b.iter(|| {
            i += 1;
            h.save(&trainee, &record(i)).expect("saved")
        })
    });
    group.finish();
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, history);
criterion_main!(benches);
