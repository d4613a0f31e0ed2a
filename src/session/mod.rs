//! A running session: a frame source analysed on its own thread ("analysis"), events and
//! snapshots sent to whoever shows them (dashboard or JSON lines) without ever blocking the
//! analysis, controls coming back (pause, mark, stop), an optional recorder thread, and the
//! report saved at the end whatever ended the session. A working day is also cut into
//! calls as it is heard (`split`), each handed over the moment it ends.

pub mod recorder;
pub mod split;
pub mod store;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TryRecvError, bounded, unbounded};

use crate::analysis::{Analysis, CallResult, Levels, Silent};
use crate::audio::read_ahead::read_ahead;
use crate::audio::source::FrameSource;
use crate::config::Config;
use crate::conversation::LiveEvent;
use crate::error::Error;
use crate::session::recorder::Recorder;
use crate::session::split::{Cutter, DaySoFar, FinishedCall};
use crate::timeline::{ANALYSIS_RATE_HZ, FRAME_LEN_SAMPLES, Party, Samples};

/// Frames between two snapshots (5 x 10 ms).
const SNAPSHOT_EVERY_FRAMES: u64 = 5;
/// Capacity of the analysis -> UI channel.
const EVENT_CAPACITY: usize = 8192;

/// How fast a source is read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pacing {
    /// As fast as frames come (live devices pace themselves; tests and batch).
    Free,
    /// A recording played at `speed` times real time.
    RealTime {
        /// 1.0 = real time.
        speed: f64,
    },
}

/// Commands to the analysis thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Mark the current moment.
    Mark,
    /// Pause analysis (privacy) or resume it.
    SetPaused(bool),
    /// End the session and save.
    Stop,
}

/// Where a session split into calls stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallsView {
    /// Where the call being heard started; `None` between calls.
    pub call_start: Option<Samples>,
    /// The calls ended so far.
    pub day: DaySoFar,
}

/// The state the dashboard draws, published every few frames.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    /// Audio time.
    pub now: Samples,
    /// Levels and no-signal state.
    pub levels: Levels,
    /// Floor holder.
    pub floor: Option<Party>,
    /// Since when each side speaks (rep, prospect).
    pub speaking_since: [Option<Samples>; 2],
    /// Start of the silence in progress.
    pub silence_start: Option<Samples>,
    /// The silence in progress touches a stretch with analysis paused: it is not a pause.
    pub silence_touches_paused: bool,
    /// Start of the floor holder's turn.
    pub turn_start: Option<Samples>,
    /// Talk so far per side, whole call (split into calls: the call being heard, nothing
    /// between calls).
    pub talk_total: [Samples; 2],
    /// Talk per side in the recent window (split into calls: within the call being heard).
    pub talk_recent: [Samples; 2],
    /// Audio lost per side.
    pub dropped: [u64; 2],
    /// Per side, why it looks silent so far (no signal, or no speech while the other side
    /// spoke), once `no_signal_s` of active audio has passed.
    pub silent: [Option<Silent>; 2],
    /// Analysis paused.
    pub paused: bool,
    /// Marks so far.
    pub marks: usize,
    /// When the session is split into calls: the call being heard and the day so far.
    pub calls: Option<CallsView>,
}

/// What the analysis thread sends.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionMsg {
    /// Something happened.
    Event(LiveEvent),
    /// The latest state (boxed: it is by far the largest message).
    Snapshot(Box<Snapshot>),
    /// The source ended or failed; the result follows through `join`.
    Ended,
}

/// How a session ended.
#[derive(Debug)]
pub struct Outcome {
    /// Everything measured (always present: a failing source still yields what it had).
    pub result: CallResult,
    /// The source's failure, if it failed.
    pub error: Option<Error>,
    /// The recording written, if any.
    pub recording: Option<PathBuf>,
}

/// A session running on its own threads.
pub struct SessionHandle {
    /// Events and snapshots from the analysis.
    pub messages: Receiver<SessionMsg>,
    /// Controls to the analysis.
    pub control: Sender<Control>,
    /// Each call of a session split into calls, the moment it ends (nothing otherwise);
    /// closed when the analysis ends.
    pub calls: Receiver<FinishedCall>,
    join: JoinHandle<Outcome>,
    closed: Receiver<()>,
}

/// Tells when a session's source has been closed (its devices released), which happens on a
/// thread of its own after the analysis ends.
#[derive(Debug, Clone)]
pub struct SourceClosed(Receiver<()>);

impl SourceClosed {
    /// Waits up to `timeout` for the source to be closed; whether it was.
    #[must_use]
    pub fn wait(&self, timeout: std::time::Duration) -> bool {
        matches!(
            self.0.recv_timeout(timeout),
            Err(crossbeam_channel::RecvTimeoutError::Disconnected)
        )
    }
}

impl std::fmt::Debug for SessionHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionHandle").finish_non_exhaustive()
    }
}

impl SessionHandle {
    /// What tells when the source has been closed: the process should not end while a
    /// device is being closed (a driver torn down mid-close can take the process with it),
    /// yet a device that never closes must not keep it running.
    #[must_use]
    pub fn source_closed(&self) -> SourceClosed {
        SourceClosed(self.closed.clone())
    }

    /// Waits for the analysis to end and returns what it measured.
    ///
    /// # Errors
    /// [`Error::Other`] if the analysis thread could not be joined.
    pub fn join(self) -> Result<Outcome, Error> {
        self.join
            .join()
            .map_err(|_| Error::Other("the analysis thread failed".into()))
    }
}

/// Options of a session.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// Reading speed.
    pub pacing: Pacing,
    /// Write both sides, as analysed, to this stereo WAV (rep on channel 0); split into
    /// calls, each call to its own WAV beside it (`-call01`, `-call02`... added to its name).
    pub record: Option<PathBuf>,
    /// Stop after this much audio.
    pub max_duration: Option<Samples>,
    /// Set by signal handlers: stop and save.
    pub stop_flag: Arc<AtomicBool>,
    /// Send a [`Snapshot`] every 50 ms of audio (for the dashboard; without one nobody
    /// reads them).
    pub snapshots: bool,
    /// Split what is heard into calls (a working day), each handed over on
    /// [`SessionHandle::calls`] the moment it ends.
    pub split: bool,
}

/// Talk per side since `since` and in the recent window after it, up to now.
fn talk_since(
    analysis: &Analysis,
    window: Samples,
    since: Samples,
) -> ([Samples; 2], [Samples; 2]) {
    let now = analysis.now();
    let from = now.saturating_sub(window).max(since);
    let mut total = [0; 2];
    let mut recent = [0; 2];
    let within =
        |s: &crate::timeline::Span, from: Samples| s.end.min(now).saturating_sub(s.start.max(from));
    for (side, party) in [Party::Rep, Party::Prospect].into_iter().enumerate() {
        let segs = analysis.segments(side);
        let talk_from = |from: Samples| -> Samples {
            segs.iter()
                .rev()
                .take_while(|s| s.end > from)
                .map(|s| within(s, from))
                .sum()
        };
        total[side] = talk_from(since);
        recent[side] = talk_from(from);
        if let Some(start) = analysis.speaking_since(party) {
            total[side] += now.saturating_sub(start.max(since));
            recent[side] += now.saturating_sub(start.max(from));
        }
    }
    (total, recent)
}

fn snapshot(
    analysis: &Analysis,
    window: Samples,
    no_signal: Samples,
    dropped: [u64; 2],
    marks: usize,
    calls: Option<CallsView>,
) -> Snapshot {
    let live = analysis.live();
    // Split into calls, the talk shares are the call's own; between calls there is none.
    let since = match calls {
        None => 0,
        Some(view) => view.call_start.unwrap_or_else(|| analysis.now()),
    };
    let (talk_total, talk_recent) = talk_since(analysis, window, since);
    Snapshot {
        now: analysis.now(),
        levels: analysis.levels(),
        floor: live.floor(),
        speaking_since: [
            analysis.speaking_since(Party::Rep),
            analysis.speaking_since(Party::Prospect),
        ],
        silence_start: live.silence_start(),
        silence_touches_paused: live.silence_touches_paused(),
        turn_start: live.turn_start(),
        talk_total,
        talk_recent,
        dropped,
        silent: analysis.silent_sides(no_signal),
        paused: analysis.is_paused(),
        marks,
        calls,
    }
}

/// Starts a session on its own threads.
///
/// # Errors
/// [`Error::Output`] when the recording cannot be created.
pub fn spawn(
    mut source: Box<dyn FrameSource + Send>,
    config: &Config,
    options: SessionOptions,
) -> Result<SessionHandle, Error> {
    let (msg_tx, msg_rx) = bounded::<SessionMsg>(EVENT_CAPACITY);
    let (ctl_tx, ctl_rx) = bounded::<Control>(64);
    let (calls_tx, calls_rx) = unbounded::<FinishedCall>();
    // Nothing is sent: disconnected once the source is dropped.
    let (closed_tx, closed_rx) = bounded::<()>(0);
    let recorder = if options.split {
        // Each call is recorded when it starts: the folder must be there (and writable)
        // from the start, as a session's own recording must.
        if let Some(dir) = options
            .record
            .as_deref()
            .and_then(std::path::Path::parent)
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| Error::Output {
                path: dir.display().to_string(),
                what: e.to_string(),
            })?;
        }
        None
    } else {
        options.record.as_deref().map(Recorder::start).transpose()?
    };
    let cutter = options
        .split
        .then(|| Cutter::new(config, options.record.clone(), calls_tx));
    let config = config.clone();
    let join = std::thread::Builder::new()
        .name("analysis".into())
        .spawn(move || {
            // Never block the analysis: a slow consumer catches up from the next snapshot.
            let mut send = |m: SessionMsg| {
                let _ = msg_tx.try_send(m);
            };
            let outcome = drive(
                &mut *source,
                &config,
                options,
                Outputs {
                    recorder,
                    cutter,
                    whole_run: true,
                },
                &mut send,
                &ctl_rx,
            );
            // Closing a device can wait on its driver or sound server, which may be the very
            // thing that stalled: it is closed on a thread of its own, which the report does
            // not wait for, and the end of the process waits for only so long
            // (`SessionHandle::source_closed`).
            let _ = std::thread::Builder::new()
                .name("close source".into())
                .spawn(move || {
                    drop(source);
                    drop(closed_tx);
                });
            outcome
        })
        .map_err(|e| Error::Other(format!("cannot start the analysis thread: {e}")))?;
    Ok(SessionHandle {
        messages: msg_rx,
        control: ctl_tx,
        calls: calls_rx,
        join,
        closed: closed_rx,
    })
}

/// Runs a whole source through the analysis, as fast as it can be read, and returns what was
/// measured: the driver of `analyze`, the same loop as a session's without the controls,
/// the snapshots and the recorder. The source is read ahead on a thread of its own
/// ([`read_ahead`]), so a recording's decoding and resampling run beside the analysis.
/// `out` receives the live events.
///
/// # Errors
/// The source's error ([`Error::Input`], [`Error::Device`]), or [`Error::Other`] when the
/// source or the analysis panicked.
pub fn run_to_end(
    source: &mut (dyn FrameSource + Send),
    config: &Config,
    out: &mut impl FnMut(LiveEvent),
) -> Result<CallResult, Error> {
    let mut send = |m: SessionMsg| {
        if let SessionMsg::Event(e) = m {
            out(e);
        }
    };
    let outcome = run_free(source, config, None, &mut send);
    match outcome.error {
        Some(e) => Err(e),
        None => Ok(outcome.result),
    }
}

/// [`run_to_end`] of a working day: the whole source in one pass, split into calls as a
/// live session splits them, each call analysed alone from its first frame (and no
/// analysis of the whole day beside them: nobody asks for its report). Returns the calls
/// in order (none when nobody answered anybody).
///
/// # Errors
/// As [`run_to_end`].
pub fn run_to_end_split(
    source: &mut (dyn FrameSource + Send),
    config: &Config,
) -> Result<Vec<FinishedCall>, Error> {
    let (calls_tx, calls_rx) = unbounded::<FinishedCall>();
    let cutter = Cutter::new(config, None, calls_tx);
    let outcome = run_free(source, config, Some(cutter), &mut |_| {});
    match outcome.error {
        Some(e) => Err(e),
        None => Ok(calls_rx.try_iter().collect()),
    }
}

/// The driver loop over a whole source as fast as it can be read (read ahead on a thread
/// of its own), split into calls by `cutter` if given: [`run_to_end`] and
/// [`run_to_end_split`].
fn run_free(
    source: &mut (dyn FrameSource + Send),
    config: &Config,
    cutter: Option<Cutter>,
    send: &mut impl FnMut(SessionMsg),
) -> Outcome {
    let whole_run = cutter.is_none();
    let options = SessionOptions {
        pacing: Pacing::Free,
        record: None,
        max_duration: None,
        stop_flag: Arc::new(AtomicBool::new(false)),
        snapshots: false,
        split: cutter.is_some(),
    };
    read_ahead(source, |source| {
        drive(
            source,
            config,
            options,
            Outputs {
                recorder: None,
                cutter,
                whole_run,
            },
            send,
            &crossbeam_channel::never(),
        )
    })
}

/// What a session writes besides its events: the recording, and the calls cut out of it.
struct Outputs {
    recorder: Option<Recorder>,
    cutter: Option<Cutter>,
    /// Analyse the whole run as one call too (its events, snapshots and report); split
    /// into calls without it, only the calls are analysed.
    whole_run: bool,
}

/// The one driver loop of `analyze`, `replay`, `demo` and `live`: frames from the source,
/// controls applied between frames, events and snapshots to `send`, paced if asked; split
/// into calls, each call's frames to its own analysis, handed over when it ends.
fn drive(
    source: &mut dyn FrameSource,
    config: &Config,
    options: SessionOptions,
    outputs: Outputs,
    send: &mut impl FnMut(SessionMsg),
    controls: &Receiver<Control>,
) -> Outcome {
    let Outputs {
        recorder,
        mut cutter,
        whole_run,
    } = outputs;
    let whole_run = whole_run || cutter.is_none();
    let mut analysis = Analysis::new(config);
    let window = crate::timeline::s_to_samples(config.recent_window_s);
    let no_signal = crate::timeline::s_to_samples(config.no_signal_s);
    let mut rep = [0.0f32; FRAME_LEN_SAMPLES];
    let mut prospect = [0.0f32; FRAME_LEN_SAMPLES];
    let mut frames: u64 = 0;
    // Audio time so far (the whole run's analysis says the same, when there is one).
    let mut now: Samples = 0;
    let mut marks = 0;
    let started = Instant::now();
    let mut error = None;
    'frames: loop {
        if options.stop_flag.load(Ordering::Relaxed) {
            break;
        }
        loop {
            match controls.try_recv() {
                Ok(Control::Stop) | Err(TryRecvError::Disconnected) => break 'frames,
                Ok(Control::Mark) => {
                    analysis.mark();
                    if let Some(c) = &mut cutter {
                        c.mark();
                    }
                    marks += 1;
                }
                Ok(Control::SetPaused(p)) => analysis.set_paused(p),
                Err(TryRecvError::Empty) => break,
            }
        }
        if options.max_duration.is_some_and(|max| now >= max) {
            break;
        }
        let next = catch_unwind(AssertUnwindSafe(|| {
            source.next_frame(&mut rep, &mut prospect)
        }));
        let Ok(next) = next else {
            error = Some(Error::Crashed(
                "the audio source failed; the report holds what was measured until then",
            ));
            break;
        };
        let fill = match next {
            Ok(Some(fill)) => fill,
            Ok(None) => break,
            Err(e) => {
                error = Some(Error::from(e));
                break;
            }
        };
        if let Some(r) = &recorder {
            r.push(&rep, &prospect, fill.valid_samples);
        }
        let pushed = catch_unwind(AssertUnwindSafe(|| {
            let paused = analysis.is_paused();
            if whole_run {
                analysis.push_frame(&rep, &prospect, fill.valid_samples, &mut |e| {
                    send(SessionMsg::Event(e))
                });
            }
            if let Some(c) = &mut cutter {
                let dropped = source.dropped_samples();
                let mut events = |e| send(SessionMsg::Event(e));
                if c.push(
                    &rep,
                    &prospect,
                    fill.valid_samples,
                    paused,
                    dropped,
                    &mut events,
                ) {
                    // No cue of the call that ended carries into the next.
                    analysis.new_call();
                }
            }
        }));
        if pushed.is_err() {
            error = Some(Error::Crashed(
                "the analysis failed; the calls before it are saved, and the report holds what was measured until then",
            ));
            break;
        }
        frames += 1;
        now += fill.valid_samples.min(FRAME_LEN_SAMPLES) as Samples;
        if options.snapshots && frames.is_multiple_of(SNAPSHOT_EVERY_FRAMES) {
            let dropped = source.dropped_samples();
            let calls = cutter.as_ref().map(|c| CallsView {
                call_start: c.call_start(),
                day: c.day(),
            });
            send(SessionMsg::Snapshot(Box::new(snapshot(
                &analysis, window, no_signal, dropped, marks, calls,
            ))));
        }
        if let Pacing::RealTime { speed } = options.pacing {
            let due =
                Duration::from_secs_f64(now as f64 / f64::from(ANALYSIS_RATE_HZ) / speed.max(0.01));
            let elapsed = started.elapsed();
            if due > elapsed {
                std::thread::sleep(due - elapsed);
            }
        }
    }
    let dropped = source.dropped_samples();
    analysis.set_dropped(dropped);
    let source_warnings = source.warnings();
    let mut result = match catch_unwind(AssertUnwindSafe(|| {
        // The end of the audio ends the call still open, which is saved with what the
        // source says of the end (a stalled device).
        analysis.flush(&mut |e| send(SessionMsg::Event(e)));
        if let Some(c) = &mut cutter {
            c.finish(dropped, &source_warnings, &mut |e| {
                send(SessionMsg::Event(e))
            });
        }
        if whole_run {
            analysis.finish(&mut |e| send(SessionMsg::Event(e)))
        } else {
            CallResult::empty(config)
        }
    })) {
        Ok(r) => r,
        Err(_) => {
            error.get_or_insert(Error::Crashed("the analysis failed while finishing"));
            CallResult::empty(config)
        }
    };
    // Every call has been handed over: the receiver sees the end.
    drop(cutter);
    result.warnings.extend(source_warnings);
    let recording = if options.split {
        None
    } else {
        options.record.clone()
    };
    if let Some(r) = recorder
        && let Err(e) = r.finish()
    {
        error.get_or_insert(e);
    }
    send(SessionMsg::Ended);
    Outcome {
        result,
        error,
        recording,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::source::{FrameFill, SourceError};

    /// A call of alternating speech bursts that panics after `panic_after` frames.
    struct Bursts {
        frames: u64,
        panic_after: Option<u64>,
        total: u64,
    }

    impl FrameSource for Bursts {
        fn next_frame(
            &mut self,
            rep: &mut [f32],
            prospect: &mut [f32],
        ) -> Result<Option<FrameFill>, SourceError> {
            if self.panic_after.is_some_and(|n| self.frames >= n) {
                panic!("source failure injected by the test");
            }
            if self.frames >= self.total {
                return Ok(None);
            }
            // 3 s rep, 2 s silence, 3 s prospect, 2 s silence (a held pause each cycle).
            let t_s = self.frames / 100 % 10;
            for (i, (r, p)) in rep.iter_mut().zip(prospect.iter_mut()).enumerate() {
                let voice = voice_at(self.frames * 160 + i as u64);
                *r = if t_s < 3 { voice } else { 0.0 };
                *p = if (5..8).contains(&t_s) { voice } else { 0.0 };
            }
            self.frames += 1;
            Ok(Some(FrameFill {
                valid_samples: FRAME_LEN_SAMPLES,
            }))
        }
    }

    /// A voice-like sound at sample `n`: ten harmonics of a pitch swaying 95-145 Hz three
    /// times a second, in syllables four times a second (two steady sines would be a
    /// call-progress tone to the detector).
    fn voice_at(n: u64) -> f32 {
        let t = n as f32 / 16_000.0;
        let tau = std::f32::consts::TAU;
        let phase = tau * 120.0 * t - 25.0 / 3.0 * (tau * 3.0 * t).cos();
        let syllable = 0.5 - 0.5 * (tau * 4.0 * t).cos();
        let harmonics: f32 = (1..=10).map(|h| (phase * h as f32).sin() / h as f32).sum();
        0.15 * syllable * harmonics
    }

    fn options() -> SessionOptions {
        SessionOptions {
            pacing: Pacing::Free,
            record: None,
            max_duration: None,
            stop_flag: Arc::new(AtomicBool::new(false)),
            snapshots: true,
            split: false,
        }
    }

    #[test]
    fn a_panicking_source_still_yields_what_was_measured() {
        let source = Bursts {
            frames: 0,
            panic_after: Some(3_000),
            total: u64::MAX,
        };
        let handle = spawn(Box::new(source), &Config::default(), options()).expect("spawn");
        let outcome = handle.join().expect("join");
        assert!(outcome.error.is_some());
        assert_eq!(outcome.result.metrics.duration, 3_000 * 160);
        assert!(outcome.result.metrics.rep.talk > 0);
    }

    #[test]
    fn a_recording_whose_reading_panics_ends_in_a_crash_error_not_a_panic() {
        // `run_to_end` reads the source ahead on a thread of its own: its panic comes back.
        let mut source = Bursts {
            frames: 0,
            panic_after: Some(3_000),
            total: u64::MAX,
        };
        let got = run_to_end(&mut source, &Config::default(), &mut |_| {});
        assert!(matches!(got, Err(Error::Crashed(_))), "{got:?}");
        let mut source = Bursts {
            frames: 0,
            panic_after: None,
            total: 3_000,
        };
        let result = run_to_end(&mut source, &Config::default(), &mut |_| {}).expect("the call");
        assert_eq!(result.metrics.duration, 3_000 * 160);
    }

    /// A source that fails after a few frames and whose closing never returns (a device
    /// whose sound server stopped answering).
    struct Hangs {
        frames: u64,
        /// Never sent to: dropping the source waits forever.
        never: crossbeam_channel::Receiver<()>,
    }

    impl FrameSource for Hangs {
        fn next_frame(
            &mut self,
            rep: &mut [f32],
            prospect: &mut [f32],
        ) -> Result<Option<FrameFill>, SourceError> {
            if self.frames >= 100 {
                return Err(SourceError::Device {
                    device: "test".into(),
                    what: "stalled".into(),
                });
            }
            self.frames += 1;
            rep.fill(0.0);
            prospect.fill(0.0);
            Ok(Some(FrameFill {
                valid_samples: FRAME_LEN_SAMPLES,
            }))
        }
    }

    impl Drop for Hangs {
        fn drop(&mut self) {
            let _ = self.never.recv();
        }
    }

    #[test]
    fn the_outcome_does_not_wait_for_the_source_to_close() {
        let (keep, never) = bounded(1);
        let handle = spawn(
            Box::new(Hangs { frames: 0, never }),
            &Config::default(),
            options(),
        )
        .expect("spawn");
        let closed = handle.source_closed();
        let (done_tx, done) = bounded(1);
        std::thread::spawn(move || {
            let _ = done_tx.send(handle.join());
        });
        let outcome = done
            .recv_timeout(Duration::from_secs(30))
            .expect("the session ended without waiting for the source to close")
            .expect("join");
        assert!(matches!(outcome.error, Some(Error::Device { .. })));
        assert_eq!(outcome.result.metrics.duration, 100 * 160);
        // The wait for the close is bounded and says the source did not close.
        assert!(!closed.wait(Duration::from_millis(50)));
        // The closing thread stays blocked until the test ends.
        std::mem::forget(keep);
    }

    #[test]
    fn the_source_closed_is_told_once_it_has_been_dropped() {
        let (dropped_tx, dropped) = bounded::<()>(0);
        struct Ends(Option<crossbeam_channel::Sender<()>>);
        impl FrameSource for Ends {
            fn next_frame(
                &mut self,
                _rep: &mut [f32],
                _prospect: &mut [f32],
            ) -> Result<Option<FrameFill>, SourceError> {
                Ok(None)
            }
        }
        impl Drop for Ends {
            fn drop(&mut self) {
                // Slow to close: the wait must cover this.
                std::thread::sleep(Duration::from_millis(200));
                drop(self.0.take());
            }
        }
        let handle = spawn(
            Box::new(Ends(Some(dropped_tx))),
            &Config::default(),
            options(),
        )
        .expect("spawn");
        let closed = handle.source_closed();
        handle.join().expect("join");
        assert!(closed.wait(Duration::from_secs(30)));
        // Dropped before the wait returned.
        assert!(matches!(
            dropped.try_recv(),
            Err(crossbeam_channel::TryRecvError::Disconnected)
        ));
    }

    #[test]
    fn stop_control_ends_the_session_and_keeps_marks() {
        let source = Bursts {
            frames: 0,
            panic_after: None,
            total: u64::MAX,
        };
        let mut opts = options();
        opts.max_duration = Some(60 * 16_000);
        let handle = spawn(Box::new(source), &Config::default(), opts).expect("spawn");
        handle.control.send(Control::Mark).expect("mark");
        let outcome = handle.join().expect("join");
        assert!(outcome.error.is_none());
        assert_eq!(outcome.result.metrics.duration, 60 * 16_000);
        assert_eq!(outcome.result.marks.len(), 1);
    }
}
