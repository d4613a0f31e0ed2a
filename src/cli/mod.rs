//! The commands: one file per subcommand, the argument types in `args`, and the dispatcher
//! that resolves the configuration and runs one. Everything here returns the typed
//! [`Error`] that `main` maps to an exit code; nothing below `cli` imports from it.

pub mod analyze;
pub mod args;
pub mod batch;
pub mod clips;
pub mod config;
pub mod history;
pub mod inputs;
pub mod live;
pub mod replay;
pub mod session;
pub mod split;
pub mod vad;

use crate::cli::args::{Cli, Command};
use crate::config::Config;
use crate::error::Error;

/// Runs a parsed command line.
///
/// # Errors
/// The command's [`Error`], whose `exit_code` is the documented exit code.
pub fn run(cli: Cli) -> Result<(), Error> {
    let (mut config, config_path) = Config::resolve(cli.config.as_deref())?;
    let data = crate::platform::folders::data_dir(cli.data_dir.as_deref());
    match cli.command {
        Command::Analyze(args) => match args.out_dir.clone() {
            Some(dir) => {
                let inputs = analyze::inputs(&mut config, &args)?;
                let format = args.format.unwrap_or(crate::report::Format::Json);
                clips::check_format(args.clips, format)?;
                if args.split_calls {
                    split::run(&inputs, &config, &dir, format, args.clips)
                } else {
                    batch::run(&inputs, &config, &dir, format, args.clips)
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
