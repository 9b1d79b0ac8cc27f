//! The `rapport` binary: the desktop app with no arguments, the command line with a
//! subcommand. The command line (and clap) live here, not in the library.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
