//! The `tacet` binary: parse the command line, run it, map errors to documented exit codes.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = tacet::cli::args::Cli::parse();
    match tacet::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tacet: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
