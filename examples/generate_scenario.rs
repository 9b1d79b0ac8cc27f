//! Writes a generated scenario of N nodes to stdout, to time the CLI on it:
//! `cargo run --release --no-default-features --example generate_scenario -- 1000 > g.ron`.

fn main() {
    let mut args = std::env::args().skip(1);
    let nodes = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(7);
    print!("{}", rapport::generate::generated_scenario(nodes, seed));
}
