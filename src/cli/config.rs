//! `tacet config`: the effective (or default) configuration as TOML, and the paths in use.

use std::io::Write;
use std::path::Path;

use crate::cli::args::ConfigArgs;
use crate::config::Config;
use crate::error::Error;

/// Prints the configuration.
///
/// # Errors
/// [`Error::Other`] when stdout cannot be written.
pub fn run(
    config: &Config,
    path: Option<&Path>,
    data: &Path,
    args: ConfigArgs,
) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    let text = if args.default {
        crate::config::DEFAULT_TOML.to_string()
    } else {
        let from = path.map_or("built-in defaults".to_string(), |p| p.display().to_string());
        let user = Config::user_path().map_or("-".to_string(), |p| p.display().to_string());
        format!(
            "# effective configuration, from: {from}\n# user config file: {user}\n# data folder: {}\n{}",
            data.display(),
            config.to_toml()
        )
    };
    out.write_all(text.as_bytes()).map_err(Error::Stdout)
}
