//! Benchmarks of the core on generated scenarios of 10 to 10 000 nodes: parse + validate,
//! exhaustive analysis, and engine throughput. Figures go in docs/performance.md.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rapport::analysis::analyze;
use rapport::compile::load_scenario;
use rapport::engine::{Prompt, Session};
use rapport::generate::{flag_scenario, generated_scenario, wide_scenario};
use rapport::model::Model;
use std::hint::black_box;
use std::sync::Arc;

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

fn parse_and_validate(c: &mut Criterion) {
    let model = Model::builtin();
    let mut group = c.benchmark_group("parse_validate");
    for n in SIZES {
        let text = generated_scenario(n, 7);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| {
                load_scenario(black_box(text), "generated.ron", model.clone())
                    .map(|s| s.nodes.len())
            })
        });
    }
    group.finish();
}

/// Analysis within its budget: exact for small files, a labelled estimate beyond
/// `POSITION_BUDGET` positions (the 1 000- and 10 000-node files and the 22-flag file).
fn analysis(c: &mut Criterion) {
    let model = Model::builtin();
    let mut group = c.benchmark_group("analyze");
    group.sample_size(10);
    let mut files: Vec<(String, String)> = [10, 100, 1_000, 10_000]
        .into_iter()
        .map(|n| (format!("generated-{n}"), generated_scenario(n, 7)))
        .collect();
    files.push(("flags-22".into(), flag_scenario(22)));
    files.push(("flags-64".into(), flag_scenario(64)));
    files.push(("wide-200x12".into(), wide_scenario(200, 12)));
    for (name, text) in files {
        let Ok(scenario) = load_scenario(&text, "generated.ron", model.clone()) else {
            panic!("{name} must validate");
        };
        group.bench_with_input(BenchmarkId::from_parameter(&name), &scenario, |b, s| {
            b.iter(|| analyze(black_box(s)).positions)
        });
    }
    group.finish();
}

/// The largest shipped scenario, analysed exactly, and the debrief's analysis of a session.
fn shipped(c: &mut Criterion) {
    let files = rapport::catalog::expand(&[std::path::PathBuf::from("scenarios")], false)
        .expect("the scenarios folder");
    let loaded = rapport::catalog::load_all(&files);
    let Some((path, largest)) = loaded
        .scenarios
        .into_iter()
        .map(|(p, s)| (p.clone(), s))
        .max_by_key(|(_, s)| rapport::analysis::analyze(s).positions)
    else {
        return;
    };
    let name = path
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let largest = Arc::new(largest);
    let mut group = c.benchmark_group("shipped");
    group.sample_size(10);
    group.bench_function(BenchmarkId::new("analyze", &name), |b| {
        b.iter(|| analyze(black_box(&largest)).positions)
    });
    // A finished session played by random choices, as the debrief receives it.
    let mut policy = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let mut session = Session::new(largest.clone(), 3);
    loop {
        let options = match session.prompt() {
            Prompt::Choices(list) => list.len(),
            Prompt::Diagnose { .. } => 4,
            Prompt::Ended => break,
        };
        if session.choose(policy.random_range(0..options)).is_err() {
            break;
        }
    }
    group.bench_function(BenchmarkId::new("debrief", &name), |b| {
        b.iter(|| rapport::debrief::debrief(black_box(&session)).map(|d| d.decisions.len()))
    });
    group.finish();
}

/// Random play from start to end; the throughput is choice steps a second.
fn engine(c: &mut Criterion) {
    let model = Model::builtin();
    let mut group = c.benchmark_group("engine_steps");
    for n in SIZES {
        let Ok(scenario) = load_scenario(&generated_scenario(n, 7), "generated.ron", model.clone())
        else {
            panic!("generated scenario of {n} nodes must validate");
        };
        let scenario = Arc::new(scenario);
        // Count the steps of one playthrough with the benchmark's policy to set the throughput.
        let play = |seed: u64| {
            let mut policy = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let mut session = Session::new(scenario.clone(), seed);
            let mut steps = 0u64;
            while let Prompt::Choices(list) = session.prompt() {
                let pick = policy.random_range(0..list.len());
                if session.choose(pick).is_err() {
                    break;
                }
                steps += 1;
            }
            steps
        };
        group.throughput(Throughput::Elements(play(1)));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| play(black_box(1)))
        });
    }
    group.finish();
}

/// An account: resuming one from its saved choices (what the app does when a trainee opens
/// it), and the account gate's exhaustive play of every line for one seed.
fn account(c: &mut Criterion) {
    let account = std::sync::Arc::new(
        rapport::catalog::Catalog::default()
            .load_account(std::path::Path::new(
                "scenarios/accounts/dr-ma.en.account.ron",
            ))
            .expect("the shipped account loads"),
    );
    let best = rapport::gate::explore_account(&account, 1);
    let mut group = c.benchmark_group("account");
    group.sample_size(10);
    group.bench_function("resume_dr_ma_after_every_step", |b| {
        b.iter(|| {
            rapport::account::AccountRun::replay(account.clone(), 1, &best.best_steps)
                .expect("replays")
                .score()
        })
    });
    group.bench_function("gate_dr_ma_one_seed", |b| {
        b.iter(|| rapport::gate::explore_account(&account, 1).best)
    });
    group.finish();
}

criterion_group!(
    benches,
    parse_and_validate,
    analysis,
    shipped,
    engine,
    account
);
criterion_main!(benches);
