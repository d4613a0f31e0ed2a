//! Wiring of the commands: resolve the configuration, open inputs, run the analysis, write
//! reports. Everything here returns the typed [`Error`] that `main` maps to an exit code.

use std::io::Write;
use std::path::Path;

use crate::analysis::{SegmentDetector, run_source};
use crate::audio::decode::AudioReader;
use crate::audio::resample::ToAnalysisRate;
use crate::audio::source::{CallFiles, DEMO_NAME, FileSource};
use crate::cli::{AnalyzeArgs, Cli, Command, ConfigArgs, SessionArgs, VadArgs};
use crate::config::Config;
use crate::error::Error;
use crate::report::{Format, Report};
use crate::session::Pacing;
use crate::sessions::RunOptions;
use crate::timeline::samples_to_s;

/// The rep's and the prospect's channels of a recording: the flags, else the configuration.
///
/// # Errors
/// [`Error::Usage`] when both are one channel, naming the flags or keys they came from.
fn choose_channels(
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

/// The error of opening a call, with what to give instead when the recording is mono.
fn with_mono_hint(e: crate::audio::InputError, hint: &str) -> Error {
    match e {
        crate::audio::InputError::Invalid { path, what } if what == crate::audio::source::MONO => {
            Error::Input(crate::audio::InputError::Invalid {
                path,
                what: format!("{what}; {hint}"),
            })
        }
        e => Error::from(e),
    }
}

/// Runs a parsed command line.
///
/// # Errors
/// The command's [`Error`], whose `exit_code` is the documented exit code.
pub fn run(cli: Cli) -> Result<(), Error> {
    let (mut config, config_path) = Config::resolve(cli.config.as_deref())?;
    let data = crate::platform::folders::data_dir(cli.data_dir.as_deref());
    match cli.command {
        Command::Analyze(args) => analyze(&mut config, args),
        Command::Vad(args) => vad(args),
        Command::Demo(args) => {
            let source = FileSource::demo()?;
            let opts = session_options("demo", DEMO_NAME.into(), &args.session, &data)?;
            crate::sessions::run(Box::new(source), &config, opts)
        }
        Command::Replay(args) => {
            let (rep_channel, prospect_channel) =
                choose_channels(&config, args.rep_channel, args.prospect_channel)?;
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
            let opts = session_options("replay", files.describe(), &args.session, &data)?;
            crate::sessions::run(Box::new(source), &config, opts)
        }
        Command::Live(args) => crate::live::run(&config, args, &data),
        Command::Devices(_) => crate::live::devices(),
        Command::Config(args) => show_config(&config, config_path.as_deref(), &data, args),
        Command::History(args) => crate::history::run(&data, args.last as usize),
    }
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
    let output = args.output.as_ref().map(|path| {
        let format = args
            .format
            .or_else(|| format_from_path(path))
            .unwrap_or(Format::Json);
        (path.clone(), format)
    });
    Ok(RunOptions {
        kind,
        source_name,
        pacing: Pacing::RealTime { speed: args.speed },
        ui: !args.no_ui,
        data_dir: data.to_path_buf(),
        record: None,
        duration_s: None,
        output,
    })
}

fn show_config(
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
    out.write_all(text.as_bytes())
        .map_err(|e| Error::Other(format!("cannot write to stdout: {e}")))
}

/// Writes `content` to `path` atomically: a temporary file of its own beside it (a unique
/// name, so writers on other threads or processes never share one), then a rename, so a
/// reader never sees a half-written report.
///
/// # Errors
/// [`Error::Output`] naming the path.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<(), Error> {
    write_atomic_with(path, |w| w.write_all(content))
}

/// [`write_atomic`] with the content produced by `fill` through a buffered writer.
///
/// # Errors
/// [`Error::Output`] naming the file when it cannot be written.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let err = |e: std::io::Error| Error::Output {
        path: path.display().to_string(),
        what: e.to_string(),
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "report".into());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // The mode a plainly created file gets (0666 less the umask), not tempfile's 0600.
    crate::platform::files::plain_file_mode(&mut builder);
    // The temporary file is removed when `tmp` is dropped unless it was persisted.
    let mut tmp = builder.tempfile_in(dir).map_err(err)?;
    let written = (|| {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    written.map_err(err)?;
    crate::platform::files::persist(tmp, path).map_err(err)
}

/// The format implied by an output file name.
pub(crate) fn format_from_path(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    [
        ("labels.txt", Format::Audacity),
        (".json", Format::Json),
        (".csv", Format::Csv),
        (".html", Format::Html),
        (".htm", Format::Html),
        (".rttm", Format::Rttm),
        (".txt", Format::Text),
    ]
    .into_iter()
    .find(|(ext, _)| name.ends_with(ext))
    .map(|(_, f)| f)
}

/// Analyses one call and builds its report.
///
/// # Errors
/// [`Error::Input`] when the recording cannot be used.
pub fn analyze_call(files: &CallFiles, config: &Config) -> Result<Report, Error> {
    let mut source = FileSource::open(files).map_err(|e| {
        with_mono_hint(
            e,
            "give a stereo recording, or two files with --rep REP --prospect PRO",
        )
    })?;
    for path in source.repaired_files() {
        eprintln!(
            "tacet: warning: '{}': the header's sizes do not match the file; reading the audio that is there",
            path.display()
        );
    }
    let result = run_source(&mut source, config, &mut |_| {})?;
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
    Ok(Report::new(&result, &files.describe(), None))
}

fn analyze(config: &mut Config, args: AnalyzeArgs) -> Result<(), Error> {
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
    if let Some(dir) = &args.out_dir {
        let format = args.format.unwrap_or(Format::Json);
        return crate::batch::run(&inputs, config, dir, format);
    }
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(format_from_path))
        .unwrap_or(Format::Text);
    let report = analyze_call(&inputs[0], config)?;
    match &args.output {
        Some(path) => write_atomic_with(path, |w| format.write_to(&report, w)),
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            format
                .write_to(&report, &mut out)
                .and_then(|()| out.flush())
                .map_err(|e| Error::Other(format!("cannot write to stdout: {e}")))
        }
    }
}

fn vad(args: VadArgs) -> Result<(), Error> {
    let mut reader = AudioReader::open(&args.file)?;
    let info = reader.info();
    if args.channel >= info.channels {
        return Err(Error::from(crate::audio::InputError::Channel {
            path: args.file.clone(),
            what: format!(
                "has {} channel(s), so there is no channel {} (channels count from 0); choose one with --channel",
                info.channels, args.channel
            ),
        }));
    }
    let mut resampler = ToAnalysisRate::new(info.rate_hz).map_err(|what| {
        Error::Input(crate::audio::InputError::Unsupported {
            path: args.file.clone(),
            what,
        })
    })?;
    let mut detector = SegmentDetector::new();
    let mut mono = [Vec::new()];
    let mut resampled = std::collections::VecDeque::new();
    let mut cpu_s = 0.0;
    while reader.next_channels(&[args.channel], &mut mono)? {
        let [mono] = &mono;
        let t0 = crate::platform::cpu::thread_cpu_s();
        resampler.push(mono, &mut resampled);
        let (a, b) = resampled.as_slices();
        detector.push(a);
        detector.push(b);
        resampled.clear();
        cpu_s += crate::platform::cpu::thread_cpu_s() - t0;
    }
    let t0 = crate::platform::cpu::thread_cpu_s();
    resampler.finish(&mut resampled);
    let (a, b) = resampled.as_slices();
    detector.push(a);
    detector.push(b);
    let spans = detector.finish();
    cpu_s += crate::platform::cpu::thread_cpu_s() - t0;
    let mut out = String::new();
    for s in &spans {
        out.push_str(&format!(
            "{:.3} {:.3}\n",
            samples_to_s(s.start),
            samples_to_s(s.end)
        ));
    }
    out.push_str(&format!("# cpu_s {cpu_s:.4}\n"));
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(|e| Error::Other(format!("cannot write to stdout: {e}")))
}

#[cfg(test)]
mod tests {
    use super::write_atomic;

    /// Threads writing the same report at once each use a temporary file of their own:
    /// every write succeeds, the file ends whole (one writer's content), and no temporary
    /// file is left behind.
    #[test]
    fn concurrent_atomic_writes_do_not_share_a_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("call.json");
        let failures = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for k in 0..8u8 {
                let (path, failures) = (&path, &failures);
                scope.spawn(move || {
                    let content = vec![b'a' + k; 256 * 1024];
                    for _ in 0..20 {
                        if write_atomic(path, &content).is_err() {
                            failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(failures.into_inner(), 0, "some writes failed");
        let written = std::fs::read(&path).expect("read");
        assert_eq!(written.len(), 256 * 1024);
        assert!(written.iter().all(|&b| b == written[0]), "mixed content");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["call.json"], "{names:?}");
    }
}
