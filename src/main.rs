//! The `rapport` binary: the desktop app with no arguments, the command line with a subcommand.

fn main() -> std::process::ExitCode {
    rapport::cli::main()
}
