//! `tacet analyze`: one recording (or a rep and a prospect file) to one report, printed or
//! written; several recordings go to `batch`.

use std::io::Write;

use crate::analysis::CallResult;
use crate::audio::source::{CallFiles, FileSource, Stretch};
use crate::cli::args::AnalyzeArgs;
use crate::cli::inputs::{choose_channels, with_mono_hint};
use crate::config::Config;
use crate::error::Error;
use crate::report::file::{format_from_path, write_atomic_with};
use crate::report::{Format, Report};
use crate::session::run_to_end;
use crate::timeline::Span;

/// Analyses one call and builds its report.
///
/// # Errors
/// [`Error::Input`] when the recording cannot be used.
pub fn analyze_call(files: &CallFiles, config: &Config) -> Result<Report, Error> {
    let result = analyze_stretch(files, config, None)?;
    Ok(Report::new(&result, &files.describe(), None))
}

/// Analyses a recording, or with `stretch` only that stretch of it (samples at the analysis
/// rate) as if it were the whole call.
///
/// # Errors
/// [`Error::Input`] when the recording cannot be used or holds no audio.
pub fn analyze_stretch(
    files: &CallFiles,
    config: &Config,
    stretch: Option<Span>,
) -> Result<CallResult, Error> {
    let source = FileSource::open(files)
        .map_err(|e| with_mono_hint(e, crate::cli::inputs::ANALYZE_MONO_HINT))?;
    let result = match stretch {
        None => {
            for path in source.repaired_files() {
                eprintln!(
                    "tacet: warning: '{}': the header's sizes do not match the file; reading the audio that is there",
                    path.display()
                );
            }
            let mut source = source;
            run_to_end(&mut source, config, &mut |_| {})?
        }
        Some(span) => {
            let mut source = Stretch::new(source, span.start, span.end);
            run_to_end(&mut source, config, &mut |_| {})?
        }
    };
    if result.metrics.duration == 0 {
        let path = match files {
            CallFiles::Channels { path, .. } => path,
            CallFiles::Pair { rep, .. } => rep,
        };
        return Err(Error::Input(crate::audio::InputError::Invalid {
            path: path.clone(),
            what: "holds no audio (0 frames)".into(),
        }));
    }
    Ok(result)
}

/// The calls `analyze` is given, with the channels chosen (the flags, else the
/// configuration, which is updated with them).
///
/// # Errors
/// [`Error::Usage`] when none is given, or several without `--out-dir`.
pub fn inputs(config: &mut Config, args: &AnalyzeArgs) -> Result<Vec<CallFiles>, Error> {
    if args.rep.is_none() {
        let (n, m) = choose_channels(config, args.rep_channel, args.prospect_channel)?;
        config.input.rep_channel = n;
        config.input.prospect_channel = m;
    }
    let inputs: Vec<CallFiles> = match (&args.rep, &args.prospect) {
        (Some(rep), Some(prospect)) => vec![CallFiles::Pair {
            rep: rep.clone(),
            prospect: prospect.clone(),
        }],
        _ => args
            .calls
            .iter()
            .map(|path| CallFiles::Channels {
                path: path.clone(),
                rep_channel: config.input.rep_channel,
                prospect_channel: config.input.prospect_channel,
            })
            .collect(),
    };
    if inputs.is_empty() {
        return Err(Error::Usage(
            "analyze needs a recording (CALL) or --rep REP --prospect PRO; see 'tacet analyze --help'"
                .into(),
        ));
    }
    if inputs.len() > 1 && args.output.is_some() {
        return Err(Error::Usage(
            "-o writes one report; with several recordings use --out-dir DIR".into(),
        ));
    }
    if inputs.len() > 1 && args.out_dir.is_none() {
        return Err(Error::Usage(
            "several recordings need --out-dir DIR (one report per recording)".into(),
        ));
    }
    Ok(inputs)
}

/// Analyses one call and prints its report, or writes it with `-o`.
///
/// # Errors
/// Usage, input and output errors.
pub fn run(config: &mut Config, args: AnalyzeArgs) -> Result<(), Error> {
    let inputs = inputs(config, &args)?;
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(format_from_path))
        .unwrap_or(Format::Text);
    crate::cli::clips::check_format(args.clips, format)?;
    let report = analyze_call(&inputs[0], config)?;
    let clips = if args.clips {
        crate::cli::clips::for_files(&inputs[0], &report)?
    } else {
        Vec::new()
    };
    match &args.output {
        Some(path) => write_atomic_with(path, |w| format.write_with_clips(&report, &clips, w)),
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            format
                .write_with_clips(&report, &clips, &mut out)
                .and_then(|()| out.flush())
                .map_err(Error::Stdout)
        }
    }
}
