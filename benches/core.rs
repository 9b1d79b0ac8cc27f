//! Benchmarks of the core on generated scenarios of 10 to 10 000 nodes: parse + validate,
//! exhaustive analysis, and engine throughput. Figures go in docs/performance.md.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rapport::analysis::analyze;
use rapport::compile::load_scenario;
use rapport::engine::{Prompt, Session};
use rapport::generate::generated_scenario;
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

fn analysis(c: &mut Criterion) {
    let model = Model::builtin();
    let mut group = c.benchmark_group("analyze");
    group.sample_size(10);
    // 10 000 nodes take minutes per run (see docs/performance.md), so the series stops at 1 000.
    for n in [10, 100, 1_000] {
        let Ok(scenario) = load_scenario(&generated_scenario(n, 7), "generated.ron", model.clone())
        else {
            panic!("generated scenario of {n} nodes must validate");
        };
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &scenario, |b, s| {
            b.iter(|| analyze(black_box(s)).positions)
        });
    }
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

criterion_group!(benches, parse_and_validate, analysis, engine);
criterion_main!(benches);
