//! Writes a generated scenario to stdout, to time the CLI on it:
//! `cargo run --release --no-default-features --example generate_scenario -- 1000 > g.ron`
//! (N nodes), or `-- flags 22 > f.ron` (the flag file of docs/performance.md).

fn main() {
    let mut args = std::env::args().skip(1);
    let first = args.next().unwrap_or_else(|| "1000".into());
    if first == "flags" {
        let flags = args.next().and_then(|a| a.parse().ok()).unwrap_or(22);
        print!("{}", rapport::generate::flag_scenario(flags));
        return;
    }
    let nodes = first.parse().unwrap_or(1000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    print!("{}", rapport::generate::generated_scenario(nodes, seed));
}
