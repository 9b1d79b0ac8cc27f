//! Any valid scenario played with any choices: a scenario is generated from the first bytes
//! (size, seed), the rest are the trainee's picks. Trust stays in 0–100, the session always
//! ends or waits for a choice, and the score is at most 100; the analysis of the scenario
//! stays within its budget.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::engine::{Prompt, Session};
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let nodes = 8 + (data[0] as usize % 60);
    let seed = data[1] as u64;
    let text = if data[2] % 4 == 0 {
        rapport::generate::flag_scenario(1 + data[0] as usize % 12)
    } else {
        rapport::generate::generated_scenario(nodes, seed)
    };
    let scn = Arc::new(
        rapport::compile::load_scenario(&text, "generated.ron", rapport::model::Model::builtin())
            .expect("generated scenarios are valid"),
    );
    let mut session = Session::new(scn.clone(), seed);
    for &pick in &data[3..] {
        let options = match session.prompt() {
            Prompt::Choices(list) => list.len(),
            Prompt::Diagnose { .. } => 4,
            Prompt::Ended => break,
        };
        session.choose(pick as usize % options).expect("an offered choice is taken");
        assert!((0..=100).contains(&session.state().trust));
    }
    if let Some(report) = rapport::scoring::report(&session) {
        assert!(report.score.total <= 100);
    }
    if data[0] % 16 == 0 {
        let a = rapport::analysis::analyze(&scn);
        assert!(a.overall.best >= a.overall.worst);
    }
});
