//! `tacet demo` and `tacet replay`: a recording played through the session (dashboard or
//! JSON lines) as if the call were live, saved like a live session; with `--split-calls` a
//! recorded working day, each call saved as its own session as `live` saves them.

use std::path::Path;

use crate::audio::source::{CallFiles, DEMO_NAME, FileSource};
use crate::cli::args::{DemoArgs, ReplayArgs, SessionArgs};
use crate::cli::inputs::{choose_channels, with_mono_hint};
use crate::cli::session::{ClipsFrom, RunOptions};
use crate::config::Config;
use crate::error::Error;
use crate::session::Pacing;

/// `tacet demo`: the bundled demo call.
///
/// # Errors
/// Usage errors of the options, output errors.
pub fn demo(config: &Config, args: &DemoArgs, data: &Path) -> Result<(), Error> {
    let source = FileSource::demo()?;
    let opts = session_options("demo", DEMO_NAME.into(), &args.session, data)?;
    crate::cli::session::run(Box::new(source), config, opts)
}

/// `tacet replay`: a stereo recording.
///
/// # Errors
/// Usage, input and output errors.
pub fn run(config: &Config, args: &ReplayArgs, data: &Path) -> Result<(), Error> {
    let (rep_channel, prospect_channel) =
        choose_channels(config, args.rep_channel, args.prospect_channel)?;
    let files = CallFiles::Channels {
        path: args.call.clone(),
        rep_channel,
        prospect_channel,
    };
    let source = FileSource::open(&files).map_err(|e| {
        with_mono_hint(
            e,
            "give a stereo recording (replay takes one file with both sides)",
        )
    })?;
    let mut opts = session_options("replay", files.describe(), &args.session, data)?;
    opts.clips = args.clips.then(|| ClipsFrom::Files(files.clone()));
    opts.split = args.split_calls;
    crate::cli::session::run(Box::new(source), config, opts)
}

fn session_options(
    kind: &'static str,
    source_name: String,
    args: &SessionArgs,
    data: &Path,
) -> Result<RunOptions, Error> {
    if !(args.speed.is_finite() && args.speed > 0.0 && args.speed <= 10_000.0) {
        return Err(Error::Usage(format!(
            "--speed {} must be above 0 and at most 10000",
            args.speed
        )));
    }
    let output = crate::cli::session::output_target(args.output.as_ref(), args.format);
    Ok(RunOptions {
        kind,
        source_name,
        pacing: Pacing::RealTime { speed: args.speed },
        ui: !args.no_ui,
        data_dir: data.to_path_buf(),
        record: None,
        duration_s: None,
        output,
        clips: None,
        split: false,
    })
}
