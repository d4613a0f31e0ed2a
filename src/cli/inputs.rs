//! Which channels of a recording are the rep and the prospect, and what to give instead of
//! a mono recording: shared by `analyze` and `replay`.

use crate::audio::InputError;
use crate::config::Config;
use crate::error::Error;

/// The rep's and the prospect's channels of a recording: the flags, else the configuration.
///
/// # Errors
/// [`Error::Usage`] when both are one channel, naming the flags or keys they came from.
pub fn choose_channels(
    config: &Config,
    rep_flag: Option<usize>,
    prospect_flag: Option<usize>,
) -> Result<(usize, usize), Error> {
    let rep = rep_flag.unwrap_or(config.input.rep_channel);
    let prospect = prospect_flag.unwrap_or(config.input.prospect_channel);
    if rep == prospect {
        let from = |flag: Option<usize>, name: &str, key: &str| match flag {
            Some(_) => format!("--{name}"),
            None => format!("{key} in the configuration"),
        };
        return Err(Error::Usage(format!(
            "the rep and the prospect are both channel {rep} ({} and {}); give different channels with --rep-channel and --prospect-channel",
            from(rep_flag, "rep-channel", "input.rep_channel"),
            from(prospect_flag, "prospect-channel", "input.prospect_channel"),
        )));
    }
    Ok((rep, prospect))
}

/// What `analyze` takes instead of a mono recording.
pub const ANALYZE_MONO_HINT: &str =
    "give a stereo recording, or two files with --rep REP --prospect PRO";

/// The error of opening a call, with what to give instead when the recording is mono.
pub fn with_mono_hint(e: InputError, hint: &str) -> Error {
    match e {
        InputError::Invalid { path, what } if what == crate::audio::source::MONO => {
            Error::Input(InputError::Invalid {
                path,
                what: format!("{what}; {hint}"),
            })
        }
        e => Error::from(e),
    }
}
