//! The runner of `demo`, `replay` and `live`: a session from start to saved report, with the
//! dashboard or JSON lines, whatever ends it. Split into calls (a working day), each call is
//! saved as its own session the moment it ends, on a thread of its own, with its one-line
//! summary.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use crossbeam_channel::Receiver;

use crate::audio::clips::Clip;
use crate::audio::source::{CallFiles, FileSource, FrameSource};
use crate::cli::split::call_line;
use crate::config::Config;
use crate::error::Error;
use crate::report::file::{format_from_path, write_atomic_with};
use crate::report::{Format, Report};
use crate::session::split::FinishedCall;
use crate::session::store::{iso8601_utc, save};
use crate::session::{self, Pacing, SessionMsg, SessionOptions};
use crate::timeline::{Samples, samples_to_s};

/// What a session run needs besides its source.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// "demo", "replay" or "live": names the saved folder.
    pub kind: &'static str,
    /// What the report names as its source.
    pub source_name: String,
    /// Reading speed.
    pub pacing: Pacing,
    /// Show the dashboard (else JSON lines on stdout).
    pub ui: bool,
    /// Where sessions are saved.
    pub data_dir: PathBuf,
    /// Record both sides to this WAV.
    pub record: Option<PathBuf>,
    /// Stop after this many seconds of audio.
    pub duration_s: Option<f64>,
    /// Also write the report here in this format (split into calls: the whole session's).
    pub output: Option<(PathBuf, Format)>,
    /// Embed the moments' audio in the HTML reports (`--clips`), cut from here.
    pub clips: Option<ClipsFrom>,
    /// Split what is heard into calls, each saved as its own session when it ends.
    pub split: bool,
}

/// Where a session's clips are cut from: the frames the analysis read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClipsFrom {
    /// The recording(s) played (replay).
    Files(CallFiles),
    /// The session's own recording (live with `--record`).
    Recording,
}

/// The clips of a report, from the session's source (where the call starts `offset` into
/// it: a call split out of a replayed day) or from its own recording (a call's recording
/// starts with the call).
fn session_clips(
    from: &ClipsFrom,
    recording: Option<&std::path::Path>,
    report: &Report,
    offset: Samples,
) -> Result<Vec<Clip>, Error> {
    match from {
        ClipsFrom::Files(files) => {
            let mut source = FileSource::open(files)?;
            Ok(
                crate::cli::clips::cut_for(&mut source, &[(report, offset)])?
                    .pop()
                    .unwrap_or_default(),
            )
        }
        ClipsFrom::Recording => {
            let files = CallFiles::Channels {
                path: recording
                    .ok_or_else(|| Error::Usage(crate::cli::clips::NEEDS_RECORDING.into()))?
                    .to_path_buf(),
                rep_channel: 0,
                prospect_channel: 1,
            };
            crate::cli::clips::for_files(&files, report)
        }
    }
}

/// The clips of a report, or none with a warning when they cannot be made (the report is
/// saved all the same, and the error returned for the command to fail after saving).
fn clips_or_warn(
    from: Option<&ClipsFrom>,
    recording: Option<&std::path::Path>,
    report: &Report,
    offset: Samples,
) -> (Vec<Clip>, Option<Error>) {
    match from.map(|from| session_clips(from, recording, report, offset)) {
        None => (Vec::new(), None),
        Some(Ok(clips)) => (clips, None),
        Some(Err(e)) => {
            eprintln!("tacet: warning: the report was saved without its audio clips: {e}");
            (Vec::new(), Some(e))
        }
    }
}

/// Where `-o PATH` writes the whole session's report and in which format: `--format`, else
/// the one the file name implies, else JSON.
pub fn output_target(path: Option<&PathBuf>, format: Option<Format>) -> Option<(PathBuf, Format)> {
    path.map(|path| {
        let format = format
            .or_else(|| format_from_path(path))
            .unwrap_or(Format::Json);
        (path.clone(), format)
    })
}

/// What the saver of calls needs to know of the session.
#[derive(Debug, Clone)]
struct SaverOptions {
    kind: &'static str,
    source_name: String,
    data_dir: PathBuf,
    /// When the session started (wall clock).
    started: SystemTime,
    /// Audio seconds per wall-clock second (the replay speed; 1 live).
    speed: f64,
    /// Print each call's lines at once (no dashboard), else only at the end.
    print_now: bool,
    /// Where each call's clips are cut from (`--clips`).
    clips: Option<ClipsFrom>,
}

/// What the saver did.
#[derive(Debug, Default)]
struct Saved {
    /// Calls saved.
    calls: usize,
    /// What it printed or has to print: one call's summary, folder and recording each.
    lines: Vec<String>,
    /// The first failure (a report or a recording that could not be written).
    error: Option<Error>,
}

/// Saves one call as a session of its own; returns its lines.
fn save_call(call: FinishedCall, opts: &SaverOptions) -> (Vec<String>, Option<Error>) {
    let offset_s = samples_to_s(call.start);
    let wall = Duration::from_secs_f64((offset_s / opts.speed).max(0.0));
    let started_at = iso8601_utc(opts.started + wall);
    let mut report = Report::new(&call.result, &opts.source_name, Some(started_at));
    report.offset_s = offset_s;
    let mut lines = vec![format!("call {}: {}", call.number, call_line(&report))];
    let mut error = call.recording_error;
    let (clips, clips_error) = clips_or_warn(
        opts.clips.as_ref(),
        call.recording.as_deref(),
        &report,
        call.start,
    );
    if let Some(e) = clips_error {
        error.get_or_insert(e);
    }
    match save(&opts.data_dir, &report, opts.kind, &clips) {
        Ok(folder) => lines.push(format!("saved: {}", folder.display())),
        Err(e) => {
            lines.push(format!("tacet: call {} not saved: {e}", call.number));
            error.get_or_insert(e);
        }
    }
    if let Some(rec) = &call.recording {
        lines.push(format!("recording: {}", rec.display()));
    }
    (lines, error)
}

/// The saver thread: each call saved the moment the analysis hands it over, until the
/// session ends.
fn spawn_saver(
    calls: Receiver<FinishedCall>,
    opts: SaverOptions,
) -> Result<JoinHandle<Saved>, Error> {
    std::thread::Builder::new()
        .name("save calls".into())
        .spawn(move || {
            let mut saved = Saved::default();
            for call in calls.iter() {
                let (lines, error) = save_call(call, &opts);
                if opts.print_now {
                    let mut err = std::io::stderr().lock();
                    for l in &lines {
                        let _ = writeln!(err, "{l}");
                    }
                }
                saved.calls += 1;
                saved.lines.extend(lines);
                if let Some(e) = error {
                    saved.error.get_or_insert(e);
                }
            }
            saved
        })
        .map_err(|e| Error::Other(format!("cannot start saving calls: {e}")))
}

/// Runs a session to its end and saves its report, whatever ended it (the source's end,
/// `q`, Ctrl-C, SIGTERM, SIGHUP, a lost device). Prints the summary and the saved folder.
/// Split into calls, each call is saved when it ends (a call still going when the session
/// ends is saved then), and the whole session only goes to `-o`.
///
/// # Errors
/// The source's error (for example [`Error::Device`], exit 4) after the report is saved;
/// [`Error::Output`] when the report cannot be written.
pub fn run(
    source: Box<dyn FrameSource + Send>,
    config: &Config,
    opts: RunOptions,
) -> Result<(), Error> {
    if opts.ui {
        crate::ui::check_terminal()?;
    }
    let started = SystemTime::now();
    let started_at = iso8601_utc(started);
    let stop = Arc::new(AtomicBool::new(false));
    crate::platform::signals::stop_on_signals(&stop);
    let handle = session::spawn(
        source,
        config,
        SessionOptions {
            pacing: opts.pacing,
            record: opts.record.clone(),
            max_duration: opts.duration_s.map(crate::timeline::s_to_samples),
            stop_flag: Arc::clone(&stop),
            snapshots: opts.ui,
            split: opts.split,
        },
    )?;
    let closed = handle.source_closed();
    let result = finish(handle, config, &opts, &stop, started, started_at);
    // Everything is saved: the devices are given a moment to close before the process ends
    // (a driver torn down mid-close can crash the process), never more; a device that
    // failed or stalled is not waited for (the session ends within 2 s of a stall).
    if !matches!(result, Err(Error::Device { .. })) && !closed.wait(SOURCE_CLOSE_WAIT) {
        eprintln!(
            "the audio source did not close within {} s; ending without waiting for it (everything is saved)",
            SOURCE_CLOSE_WAIT.as_secs()
        );
    }
    result
}

/// How long the end of a session waits for its source to close.
const SOURCE_CLOSE_WAIT: Duration = Duration::from_secs(3);

/// From a running session to its saved reports.
fn finish(
    handle: session::SessionHandle,
    config: &Config,
    opts: &RunOptions,
    stop: &Arc<AtomicBool>,
    started: SystemTime,
    started_at: String,
) -> Result<(), Error> {
    let saver = spawn_saver(
        handle.calls.clone(),
        SaverOptions {
            kind: opts.kind,
            source_name: opts.source_name.clone(),
            data_dir: opts.data_dir.clone(),
            started,
            speed: match opts.pacing {
                Pacing::Free => 1.0,
                Pacing::RealTime { speed } => speed,
            },
            print_now: !opts.ui,
            clips: opts.clips.clone(),
        },
    );
    let ui_error = if opts.ui {
        let title = format!("{}: {}", opts.kind, opts.source_name);
        crate::ui::run(&handle, config, &title, stop).err()
    } else {
        let mut out = std::io::stdout().lock();
        for msg in handle.messages.iter() {
            match msg {
                SessionMsg::Event(e) => {
                    if let Ok(line) = serde_json::to_string(&e) {
                        let _ = writeln!(out, "{line}");
                    }
                }
                SessionMsg::Snapshot(_) => {}
                SessionMsg::Ended => break,
            }
        }
        let _ = out.flush();
        None
    };
    let _ = handle.control.try_send(session::Control::Stop);
    let outcome = handle.join()?;
    let saved = match saver {
        Ok(join) => join
            .join()
            .map_err(|_| Error::Other("saving the calls failed".into()))?,
        Err(e) => return Err(e),
    };
    let report = Report::new(&outcome.result, &opts.source_name, Some(started_at));
    if opts.split {
        if let Some((path, format)) = &opts.output {
            write_atomic_with(path, |w| format.write_to(&report, w))?;
        }
        let mut err = std::io::stderr().lock();
        if opts.ui {
            for l in &saved.lines {
                let _ = writeln!(err, "{l}");
            }
        }
        let _ = match saved.calls {
            0 => writeln!(
                err,
                "no call heard: nothing saved (a call starts when one side's speech is answered by the other)"
            ),
            1 => writeln!(err, "1 call saved"),
            n => writeln!(err, "{n} calls saved"),
        };
        return match (outcome.error, ui_error, saved.error) {
            (Some(e), _, _) | (None, Some(e), _) | (None, None, Some(e)) => Err(e),
            _ => Ok(()),
        };
    }
    // Clips that cannot be made leave the report without them: it is saved all the same,
    // and the command fails after saving (unless the session failed first).
    let (clips, clips_error) = clips_or_warn(
        opts.clips.as_ref(),
        outcome.recording.as_deref(),
        &report,
        0,
    );
    let folder = save(&opts.data_dir, &report, opts.kind, &clips)?;
    if let Some((path, format)) = &opts.output {
        write_atomic_with(path, |w| format.write_with_clips(&report, &clips, w))?;
    }
    let mut err = std::io::stderr().lock();
    if opts.ui {
        let _ = write!(err, "{}", Format::Text.render(&report));
    }
    if let Some(rec) = &outcome.recording {
        let _ = writeln!(err, "recording: {}", rec.display());
    }
    let _ = writeln!(err, "saved: {}", folder.display());
    match (outcome.error, ui_error, clips_error) {
        (Some(e), _, _) | (None, Some(e), _) | (None, None, Some(e)) => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::source::{FrameFill, SourceError};
    use crate::timeline::FRAME_LEN_SAMPLES;

    /// A tone on the rep's side for `left` frames, then the end of the audio, or a panic
    /// (`crash`).
    struct Tone {
        left: u32,
        crash: bool,
    }

    impl FrameSource for Tone {
        fn next_frame(
            &mut self,
            rep: &mut [f32],
            prospect: &mut [f32],
        ) -> Result<Option<FrameFill>, SourceError> {
            if self.left == 0 {
                assert!(!self.crash, "fault injected by the test");
                return Ok(None);
            }
            self.left -= 1;
            for (i, (r, p)) in rep.iter_mut().zip(prospect.iter_mut()).enumerate() {
                *r = (i as f32 * 0.2).sin() * 0.3;
                *p = 0.0;
            }
            Ok(Some(FrameFill {
                valid_samples: FRAME_LEN_SAMPLES,
            }))
        }
    }

    /// A replay's options, saving into `data`, with nothing else asked for.
    fn options(data: &std::path::Path) -> RunOptions {
        RunOptions {
            kind: "replay",
            source_name: "test".into(),
            pacing: Pacing::Free,
            ui: false,
            data_dir: data.to_path_buf(),
            record: None,
            duration_s: None,
            output: None,
            clips: None,
            split: false,
        }
    }

    #[test]
    fn a_crash_mid_call_still_saves_the_report_and_a_playable_recording() {
        let data = tempfile::tempdir().expect("tempdir");
        let wav = data.path().join("rec.wav");
        let result = run(
            Box::new(Tone {
                left: 500,
                crash: true,
            }),
            &Config::default(),
            RunOptions {
                record: Some(wav.clone()),
                ..options(data.path())
            },
        );
        assert!(result.is_err(), "the crash is reported");
        let sessions: Vec<_> = std::fs::read_dir(data.path().join("sessions"))
            .expect("sessions")
            .filter_map(Result::ok)
            .collect();
        assert_eq!(sessions.len(), 1);
        let json = std::fs::read_to_string(sessions[0].path().join("report.json")).expect("json");
        let report: serde_json::Value = serde_json::from_str(&json).expect("parses");
        assert_eq!(report["duration_s"].as_f64(), Some(5.0));
        let reader = hound::WavReader::open(&wav).expect("the recording is finalised");
        assert_eq!(reader.duration(), 500 * FRAME_LEN_SAMPLES as u32);
    }

    /// A tone on the rep's side for `left` frames, then the end.
    #[test]
    fn clips_that_cannot_be_cut_leave_the_report_saved_and_the_command_failed() {
        let data = tempfile::tempdir().expect("tempdir");
        let gone = data.path().join("gone.wav");
        let result = run(
            Box::new(Tone {
                left: 300,
                crash: false,
            }),
            &Config::default(),
            RunOptions {
                clips: Some(ClipsFrom::Files(CallFiles::Channels {
                    path: gone,
                    rep_channel: 0,
                    prospect_channel: 1,
                })),
                ..options(data.path())
            },
        );
        let e = result.expect_err("no clips is a failure");
        assert_eq!(e.exit_code(), 3, "{e}");
        assert!(e.to_string().contains("gone.wav"), "{e}");
        let sessions: Vec<_> = std::fs::read_dir(data.path().join("sessions"))
            .expect("sessions")
            .filter_map(Result::ok)
            .collect();
        assert_eq!(sessions.len(), 1);
        for name in ["report.json", "report.html"] {
            assert!(sessions[0].path().join(name).is_file(), "{name} saved");
        }
        let html = std::fs::read_to_string(sessions[0].path().join("report.html")).expect("html");
        assert!(!html.contains("<audio"));
    }
}
