//! The commands: one file per subcommand, the argument types in `args`, and the dispatcher
//! that resolves the configuration and runs one. Everything here returns the typed
//! [`Error`] that `main` maps to an exit code; nothing below `cli` imports from it.

pub mod analyze;
pub mod args;
pub mod batch;
pub mod config;
pub mod history;
pub mod inputs;
pub mod live;
pub mod replay;
pub mod session;
pub mod split;
pub mod vad;

use std::path::{Path, PathBuf};

use crate::cli::args::{Cli, Command};
use crate::config::Config;
use crate::error::Error;

/// Runs a parsed command line.
///
/// # Errors
/// The command's [`Error`], whose `exit_code` is the documented exit code.
pub fn run(cli: Cli) -> Result<(), Error> {
    let (mut config, config_path) = Config::resolve(cli.config.as_deref())?;
    let data = data_dir(cli.data_dir.as_deref());
    match cli.command {
        Command::Analyze(args) => match args.out_dir.clone() {
            Some(dir) => {
                let inputs = analyze::inputs(&mut config, &args)?;
                let format = args.format.unwrap_or(crate::report::Format::Json);
                if args.split_calls {
                    split::run(&inputs, &config, &dir, format)
                } else {
                    batch::run(&inputs, &config, &dir, format)
                }
            }
            None => analyze::run(&mut config, args),
        },
        Command::Vad(args) => vad::run(&config, args),
        Command::Demo(args) => replay::demo(&config, &args, &data),
        Command::Replay(args) => replay::run(&config, &args, &data),
        Command::Live(args) => live::run(&config, args, &data),
        Command::Devices(_) => live::devices(),
        Command::Config(args) => config::run(&config, config_path.as_deref(), &data, args),
        Command::History(args) => history::run(&data, args.last as usize),
    }
}

/// The platform's data folder for tacet, or the one given.
pub fn data_dir(explicit: Option<&Path>) -> PathBuf {
    explicit.map(Path::to_path_buf).unwrap_or_else(|| {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("tacet")
    })
}

/// CPU time of the calling thread, seconds.
pub fn thread_cpu_s() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc == 0 {
        ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
    } else {
        0.0
    }
}
