//! The runner of `demo`, `replay` and `live`: a session from start to saved report, with the
//! dashboard or JSON lines, whatever ends it.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

use crate::audio::clips::Clip;
use crate::audio::source::{CallFiles, FrameSource};
use crate::config::Config;
use crate::error::Error;
use crate::report::file::{format_from_path, write_atomic_with};
use crate::report::{Format, Report};
use crate::session::store::{iso8601_utc, save};
use crate::session::{self, Pacing, SessionMsg, SessionOptions};

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
    /// Also write the report here in this format.
    pub output: Option<(PathBuf, Format)>,
    /// Embed the moments' audio in the HTML reports (`--clips`), cut from here.
    pub clips: Option<ClipsFrom>,
}

/// Where a session's clips are cut from: the frames the analysis read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClipsFrom {
    /// The recording(s) played (replay).
    Files(CallFiles),
    /// The session's own recording (live with `--record`).
    Recording,
}

/// The clips of a session's report, from its source or its recording.
fn session_clips(
    from: &ClipsFrom,
    recording: Option<&std::path::Path>,
    report: &Report,
) -> Result<Vec<Clip>, Error> {
    let files = match from {
        ClipsFrom::Files(files) => files.clone(),
        ClipsFrom::Recording => CallFiles::Channels {
            path: recording
                .ok_or_else(|| Error::Usage(crate::cli::clips::NEEDS_RECORDING.into()))?
                .to_path_buf(),
            rep_channel: 0,
            prospect_channel: 1,
        },
    };
    crate::cli::clips::for_files(&files, report)
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

/// Runs a session to its end and saves its report, whatever ended it (the source's end,
/// `q`, Ctrl-C, SIGTERM, SIGHUP, a lost device). Prints the summary and the saved folder.
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
    let started_at = iso8601_utc(SystemTime::now());
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
        },
    )?;
    let ui_error = if opts.ui {
        let title = format!("{}: {}", opts.kind, opts.source_name);
        crate::ui::run(&handle, config, &title, &stop).err()
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
    let report = Report::new(&outcome.result, &opts.source_name, Some(started_at));
    // Clips that cannot be made leave the report without them: it is saved all the same,
    // and the command fails after saving (unless the session failed first).
    let (clips, clips_error) = match &opts.clips {
        None => (Vec::new(), None),
        Some(from) => match session_clips(from, outcome.recording.as_deref(), &report) {
            Ok(clips) => (clips, None),
            Err(e) => {
                eprintln!("tacet: warning: the report was saved without its audio clips: {e}");
                (Vec::new(), Some(e))
            }
        },
    };
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

    /// A tone on the rep's side that panics after `frames` frames.
    struct Failing {
        left: u32,
    }

    impl FrameSource for Failing {
        fn next_frame(
            &mut self,
            rep: &mut [f32],
            prospect: &mut [f32],
        ) -> Result<Option<FrameFill>, SourceError> {
            assert!(self.left > 0, "fault injected by the test");
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

    #[test]
    fn a_crash_mid_call_still_saves_the_report_and_a_playable_recording() {
        let data = tempfile::tempdir().expect("tempdir");
        let wav = data.path().join("rec.wav");
        let result = run(
            Box::new(Failing { left: 500 }),
            &Config::default(),
            RunOptions {
                kind: "replay",
                source_name: "test".into(),
                pacing: Pacing::Free,
                ui: false,
                data_dir: data.path().to_path_buf(),
                record: Some(wav.clone()),
                duration_s: None,
                output: None,
                clips: None,
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
    struct Tone {
        left: u32,
    }

    impl FrameSource for Tone {
        fn next_frame(
            &mut self,
            rep: &mut [f32],
            prospect: &mut [f32],
        ) -> Result<Option<FrameFill>, SourceError> {
            if self.left == 0 {
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

    #[test]
    fn clips_that_cannot_be_cut_leave_the_report_saved_and_the_command_failed() {
        let data = tempfile::tempdir().expect("tempdir");
        let gone = data.path().join("gone.wav");
        let result = run(
            Box::new(Tone { left: 300 }),
            &Config::default(),
            RunOptions {
                kind: "replay",
                source_name: "test".into(),
                pacing: Pacing::Free,
                ui: false,
                data_dir: data.path().to_path_buf(),
                record: None,
                duration_s: None,
                output: None,
                clips: Some(ClipsFrom::Files(CallFiles::Channels {
                    path: gone,
                    rep_channel: 0,
                    prospect_channel: 1,
                })),
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
