//! Any bytes as an account file, checked against the clinic fixture's visits; when it is
//! valid, played with choices from the input: validation never panics, every problem is
//! located, and a played account keeps trust within 0–100 and its score at most 100.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::account::{AccountRun, compile, parse};
use rapport::catalog::Catalog;
use std::path::Path;
use std::sync::{Arc, OnceLock};

fn visits() -> &'static Vec<(String, Arc<rapport::Scenario>)> {
    static VISITS: OnceLock<Vec<(String, Arc<rapport::Scenario>)>> = OnceLock::new();
    VISITS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/accounts/clinic");
        let mut catalog = Catalog::default();
        ["first", "second", "third", "festival"]
            .iter()
            .map(|name| {
                let scn = catalog
                    .load(&dir.join(format!("{name}.ron")))
                    .expect("the fixture loads");
                (format!("clinic/{name}.ron"), Arc::new(scn))
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    // The first bytes are the choices; the rest is the account file.
    let split = data.len().min(16);
    let (choices, file) = data.split_at(split);
    let Ok(text) = rapport::load::decode_text(file.to_vec(), "fuzz.account.ron") else {
        return;
    };
    let Ok(parsed) = parse(&text, "fuzz.account.ron") else {
        return;
    };
    let mut resolve = |path: &str| -> Result<Arc<rapport::Scenario>, String> {
        visits()
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, s)| s.clone())
            .ok_or_else(|| "no such file".to_string())
    };
    let account = match compile(parsed, &text, "fuzz.account.ron", rapport::Model::builtin(), &mut resolve) {
        Ok(a) => Arc::new(a),
        Err(problems) => {
            assert!(problems.iter().all(|p| p.location.line >= 1 && p.location.column >= 1));
            return;
        }
    };
    let mut run = AccountRun::new(account, choices.first().copied().unwrap_or(1) as u64);
    let mut picks = choices.iter().copied().cycle();
    for _ in 0..rapport::account::MAX_STEPS {
        let Some(mut session) = run.start_step() else { break };
        for _ in 0..64 {
            if session.is_ended() {
                break;
            }
            let n = match session.prompt() {
                rapport::Prompt::Choices(list) => list.len(),
                rapport::Prompt::Diagnose { .. } => 4,
                rapport::Prompt::Ended => break,
            };
            let pick = picks.next().unwrap_or(0) as usize % n.max(1);
            session.choose(pick).expect("an offered choice is accepted");
        }
        if !session.is_ended() {
            break;
        }
        run.finish_step(&session).expect("a finished step of the account is accepted");
        assert!((0..=100).contains(&run.carried().trust));
    }
    assert!(run.score() <= 100);
});
