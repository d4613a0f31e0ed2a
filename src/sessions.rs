//! Saved sessions: every live session, replay and demo saves a folder in the data folder
//! with report.json and report.html (written atomically), and the runner that drives a
//! session from start to saved report, with or without the dashboard.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;

use crate::app::{write_atomic, write_atomic_with};
use crate::audio::source::FrameSource;
use crate::config::Config;
use crate::error::Error;
use crate::report::{Format, Report};
use crate::session::{self, Pacing, SessionMsg, SessionOptions};

/// ISO 8601 UTC timestamp (`2026-11-27T12:34:56Z`) of a system time.
pub fn iso8601_utc(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// A folder name for a session started at `started_at` (ISO 8601) of a given kind.
fn folder_name(started_at: &str, kind: &str) -> String {
    let stamp: String = started_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == 'T')
        .collect();
    format!("{stamp}-{kind}")
}

/// Saves a session's report.json and report.html in a new folder under `data_dir/sessions`.
///
/// # Errors
/// [`Error::Output`] naming the folder.
pub fn save(data_dir: &Path, report: &Report, kind: &str) -> Result<PathBuf, Error> {
    let base = data_dir.join("sessions");
    let name = folder_name(report.started_at.as_deref().unwrap_or("unknown"), kind);
    let mut dir = base.join(&name);
    let mut k = 1;
    while dir.exists() {
        k += 1;
        dir = base.join(format!("{name}-{k}"));
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::Output {
        path: dir.display().to_string(),
        what: e.to_string(),
    })?;
    write_atomic_with(&dir.join("report.json"), |w| {
        Format::Json.write_to(report, w)
    })?;
    write_atomic(
        &dir.join("report.html"),
        Format::Html.render(report).as_bytes(),
    )?;
    Ok(dir)
}

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
    let folder = save(&opts.data_dir, &report, opts.kind)?;
    if let Some((path, format)) = &opts.output {
        write_atomic_with(path, |w| format.write_to(&report, w))?;
    }
    let mut err = std::io::stderr().lock();
    if opts.ui {
        let _ = write!(err, "{}", Format::Text.render(&report));
    }
    if let Some(rec) = &outcome.recording {
        let _ = writeln!(err, "recording: {}", rec.display());
    }
    let _ = writeln!(err, "saved: {}", folder.display());
    match (outcome.error, ui_error) {
        (Some(e), _) | (None, Some(e)) => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::source::{FrameFill, SourceError};
    use crate::timeline::FRAME_LEN_SAMPLES;
    use std::time::Duration;

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

    #[test]
    fn iso_dates() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_781_696);
        assert_eq!(iso8601_utc(t), "2026-11-27T12:14:56Z");
        assert_eq!(iso8601_utc(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(iso8601_utc(leap), "2000-02-29T00:00:00Z");
    }
}
