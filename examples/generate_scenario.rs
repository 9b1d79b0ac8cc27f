//! Writes a generated scenario to stdout, to time the CLI on it:
//! `cargo run --release --no-default-features --example generate_scenario -- 1000 > g.ron`
//! (N nodes), `-- flags 22 > f.ron` (the flag file of docs/performance.md) or
//! `-- wide 200 12 > w.ron` (200 decisions of 12 choices behind trust thresholds).

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next().unwrap_or_else(|| "1000".into());
    if first == "wide" {
        let decisions = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
        let choices = args.next().and_then(|a| a.parse().ok()).unwrap_or(12);
        print!("{}", rapport::generate::wide_scenario(decisions, choices));
        return;
    }
    if first == "flags" {
        let flags = args.next().and_then(|a| a.parse().ok()).unwrap_or(22);
        print!("{}", rapport::generate::flag_scenario(flags));
        return;
    }
    let nodes = first.parse().unwrap_or(1000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    print!("{}", rapport::generate::generated_scenario(nodes, seed));
}
