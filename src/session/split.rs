//! A working day cut into calls as it is heard: the analysis finds where each call starts
//! and ends (`conversation::calls`, through [`Analysis::split_calls`]); this keeps the
//! frames a call may still need, analyses each call's frames alone (a fresh analysis from
//! the call's first frame, so its figures are those of that stretch cut out and analysed
//! by itself), records them with `--record`, and hands each call over the moment it ends.
//!
//! Memory stays bounded: outside a call only the frames an answer could still make part of
//! a call are kept (the start window), and inside one only those the call's end is not yet
//! known to include (the end silence); every other frame has already gone to the call's
//! analysis and recording, or belongs to no call.
//!
//! The call's own analysis runs on a thread of its own (one per session, started with the
//! first call), beside the session's: the frames go to it through a bounded channel, and at
//! the call's end the cutter waits for it to take the last of them, so everything a call's
//! end hands over is as it would be on one thread. In `analyze --split-calls` the
//! recording is read ahead on a third thread, so a split day's three parts (reading, the
//! session's analysis, the calls' own) share the two cores (figures in docs/performance.md).

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use crossbeam_channel::{Receiver, Sender, bounded};

use crate::analysis::{Analysis, CallResult};
use crate::config::Config;
use crate::conversation::LiveEvent;
use crate::conversation::calls::CallEvent;
use crate::error::Error;
use crate::session::recorder::Recorder;
use crate::timeline::{FRAME_LEN_SAMPLES, Samples, Span, samples_to_s};
use crate::warning::Warning;

const FRAME: Samples = FRAME_LEN_SAMPLES as Samples;

/// A call that has ended, ready to be saved.
#[derive(Debug)]
pub struct FinishedCall {
    /// Its number in the session, from 1.
    pub number: usize,
    /// Where it starts on the session's timeline (the first sample of its first frame).
    pub start: Samples,
    /// Everything measured on it, as if its stretch were the whole recording.
    pub result: CallResult,
    /// Its recording (both sides, exactly the frames analysed), with `--record`.
    pub recording: Option<PathBuf>,
    /// Why its recording could not be written, if it could not.
    pub recording_error: Option<Error>,
}

/// The figures of one call, for the dashboard between calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallFigures {
    /// How long it was.
    pub duration: Samples,
    /// Talk per side (rep, prospect).
    pub talk: [Samples; 2],
    /// Pauses held (broken by the prospect).
    pub held: usize,
    /// Pauses broken by the rep.
    pub broken: usize,
}

/// The calls of the day so far, for the dashboard between calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DaySoFar {
    /// Calls ended so far.
    pub calls: usize,
    /// Pauses held (broken by the prospect), all calls.
    pub held: usize,
    /// Pauses broken by the rep, all calls.
    pub broken: usize,
    /// Talk per side (rep, prospect), all calls.
    pub talk: [Samples; 2],
    /// The longest rep turn of any call.
    pub longest_monologue: Samples,
    /// The latest call's own figures.
    pub last: Option<CallFigures>,
}

impl DaySoFar {
    fn add(&mut self, result: &CallResult) {
        let m = &result.metrics;
        self.calls += 1;
        self.held += m.held();
        self.broken += m.broken();
        self.talk[0] += m.rep.talk;
        self.talk[1] += m.prospect.talk;
        let longest = m.rep.longest_turn.map_or(0, |t| t.len());
        self.longest_monologue = self.longest_monologue.max(longest);
        self.last = Some(CallFigures {
            duration: m.duration,
            talk: [m.rep.talk, m.prospect.talk],
            held: m.held(),
            broken: m.broken(),
        });
    }
}

/// One frame as the session analysed it, with the controls that applied to it.
#[derive(Clone, Copy)]
struct Frame {
    rep: [f32; FRAME_LEN_SAMPLES],
    prospect: [f32; FRAME_LEN_SAMPLES],
    valid: usize,
    /// Analysis was paused (`p`) for this frame.
    paused: bool,
    /// Marks made just before it.
    marks: u32,
}

/// The call being heard.
struct OpenCall {
    number: usize,
    /// Its first frame (frame numbers count from the session's start).
    first_frame: u64,
    /// The next frame its analysis takes.
    next_frame: u64,
    /// Audio the devices had lost when it started.
    dropped_at_start: [u64; 2],
    /// Its analysis and recording, here or on the call thread.
    work: Place,
}

/// Where an open call's analysis runs.
enum Place {
    /// On the session's thread (the call thread could not be started).
    Here(Box<CallWork>),
    /// On the call thread.
    Away,
}

/// What is done with a call's frames: its own analysis, and its recording.
struct CallWork {
    analysis: Analysis,
    recorder: Option<Recorder>,
    recording: Option<PathBuf>,
    recording_error: Option<Error>,
}

impl CallWork {
    fn take(&mut self, frame: &Frame) {
        self.analysis.set_paused(frame.paused);
        for _ in 0..frame.marks {
            self.analysis.mark();
        }
        if let Some(r) = &self.recorder {
            r.push(&frame.rep, &frame.prospect, frame.valid);
        }
        self.analysis
            .push_frame(&frame.rep, &frame.prospect, frame.valid, &mut |_| {});
    }
}

/// Frames sent to the call thread together (0.64 s of audio): one wake-up of the thread per
/// batch, not per frame.
const BATCH_FRAMES: usize = 64;
/// Batches in flight or being filled (330 kB of frames in all): enough that neither thread
/// waits for the other on a busy machine, and what the cutter waits for at a call's end (a
/// few milliseconds of analysis).
const BATCHES: usize = 4;

/// A message to the call thread.
enum ToCall {
    /// A new call: its analysis and recording.
    Start(Box<CallWork>),
    /// The call's next frames.
    Take(Vec<Frame>),
    /// The call ended: hand its work back.
    Finish,
}

/// The thread that runs each call's analysis in turn.
struct CallThread {
    to: Option<Sender<ToCall>>,
    /// Emptied batches back from the thread, to fill again.
    spare: Receiver<Vec<Frame>>,
    /// The batch being filled.
    batch: Vec<Frame>,
    /// The call's work back at its end (`None`: its analysis failed).
    back: Receiver<Option<Box<CallWork>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CallThread {
    fn start() -> Option<CallThread> {
        let (to, from_cutter) = bounded::<ToCall>(BATCHES);
        let (to_cutter, back) = bounded(1);
        let (return_spare, spare) = bounded::<Vec<Frame>>(BATCHES);
        for _ in 1..BATCHES {
            let _ = return_spare.send(Vec::with_capacity(BATCH_FRAMES));
        }
        let thread = std::thread::Builder::new()
            .name("tacet-call".into())
            .spawn(move || {
                let mut work: Option<Box<CallWork>> = None;
                for message in from_cutter {
                    match message {
                        ToCall::Start(w) => work = Some(w),
                        ToCall::Take(mut frames) => {
                            if let Some(w) = work.as_mut() {
                                let taken =
                                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                        frames.iter().for_each(|f| w.take(f));
                                    }));
                                if taken.is_err() {
                                    work = None;
                                }
                            }
                            frames.clear();
                            let _ = return_spare.send(frames);
                        }
                        ToCall::Finish => {
                            if to_cutter.send(work.take()).is_err() {
                                break;
                            }
                        }
                    }
                }
            })
            .ok()?;
        Some(CallThread {
            to: Some(to),
            spare,
            batch: Vec::with_capacity(BATCH_FRAMES),
            back,
            thread: Some(thread),
        })
    }

    /// Sends `message`; false when the thread is gone.
    fn send(&self, message: ToCall) -> bool {
        self.to.as_ref().is_some_and(|t| t.send(message).is_ok())
    }

    /// Adds `frame` to the open call's frames; false when the thread is gone.
    fn take(&mut self, frame: &Frame) -> bool {
        self.batch.push(*frame);
        self.batch.len() < BATCH_FRAMES || self.flush()
    }

    /// Sends the frames batched so far; false when the thread is gone.
    fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let Ok(empty) = self.spare.recv() else {
            return false;
        };
        let full = std::mem::replace(&mut self.batch, empty);
        self.send(ToCall::Take(full))
    }

    /// The call's work once the thread has taken every frame given before.
    fn finish(&mut self) -> Option<Box<CallWork>> {
        if !self.flush() || !self.send(ToCall::Finish) {
            return None;
        }
        self.back.recv().ok().flatten()
    }
}

impl Drop for CallThread {
    fn drop(&mut self) {
        self.to = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Cuts the calls out of a session's frames (see the module's documentation).
pub struct Cutter {
    config: Config,
    /// With `--record`: each call is recorded beside this path, `-callNN` added to its name.
    record: Option<PathBuf>,
    /// Frames kept, oldest first.
    frames: VecDeque<Frame>,
    /// Frame number of `frames[0]`.
    first_frame: u64,
    open: Option<OpenCall>,
    /// Where the calls are analysed, from the first call on (`None` before it, or when it
    /// could not be started: then they are analysed here).
    call_thread: Option<CallThread>,
    /// A call's analysis failed: the session should end (as when its own fails).
    failed: bool,
    calls: usize,
    day: DaySoFar,
    done: Sender<FinishedCall>,
    /// Marks made since the last frame.
    marks: u32,
}

impl std::fmt::Debug for Cutter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cutter")
            .field("frames", &self.frames.len())
            .field("calls", &self.calls)
            .finish_non_exhaustive()
    }
}

/// The recording of call `number` of a session recorded to `base`: `base` with `-callNN`
/// before the extension.
pub fn call_recording_path(base: &Path, number: usize) -> PathBuf {
    let stem = base
        .file_stem()
        .map_or_else(|| "recording".into(), |s| s.to_string_lossy().into_owned());
    let ext = base
        .extension()
        .map_or_else(|| "wav".into(), |e| e.to_string_lossy().into_owned());
    base.with_file_name(format!("{stem}-call{number:02}.{ext}"))
}

impl Cutter {
    /// A cutter that hands each finished call to `done`, recording each call beside
    /// `record` if given.
    pub fn new(config: &Config, record: Option<PathBuf>, done: Sender<FinishedCall>) -> Cutter {
        Cutter {
            config: config.clone(),
            record,
            frames: VecDeque::new(),
            first_frame: 0,
            open: None,
            call_thread: None,
            failed: false,
            calls: 0,
            day: DaySoFar::default(),
            done,
            marks: 0,
        }
    }

    /// The calls ended so far.
    pub fn day(&self) -> DaySoFar {
        self.day
    }

    /// Where the open call starts, if one is open.
    pub fn call_start(&self) -> Option<Samples> {
        self.open.as_ref().map(|c| c.first_frame * FRAME)
    }

    /// Whether a call's analysis failed (its call could not be handed over).
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Frames kept now (for tests of the memory bound).
    pub fn frames_kept(&self) -> usize {
        self.frames.len()
    }

    /// The rep marked the moment before the next frame.
    pub fn mark(&mut self) {
        self.marks = self.marks.saturating_add(1);
    }

    /// Keeps the next frame of the session, exactly as the session's analysis takes it.
    pub fn push(&mut self, rep: &[f32], prospect: &[f32], valid: usize, paused: bool) {
        let mut frame = Frame {
            rep: [0.0; FRAME_LEN_SAMPLES],
            prospect: [0.0; FRAME_LEN_SAMPLES],
            valid: valid.min(FRAME_LEN_SAMPLES),
            paused,
            marks: std::mem::take(&mut self.marks),
        };
        let n = rep.len().min(FRAME_LEN_SAMPLES);
        frame.rep[..n].copy_from_slice(&rep[..n]);
        let n = prospect.len().min(FRAME_LEN_SAMPLES);
        frame.prospect[..n].copy_from_slice(&prospect[..n]);
        self.frames.push_back(frame);
    }

    /// Takes what the analysis found after the latest frame: starts a call's own analysis
    /// (and recording) where a call starts, and finishes it where the call ends, handing
    /// it over. `dropped` is the audio the devices have lost so far; `warnings` what the
    /// source says makes the figures doubtful (given at the end of the session, for the
    /// call still open then). `send` receives `CallStart` and `CallEnd` events.
    pub fn on_calls(
        &mut self,
        events: Vec<CallEvent>,
        dropped: [u64; 2],
        warnings: &[Warning],
        send: &mut impl FnMut(LiveEvent),
    ) {
        for event in events {
            match event {
                CallEvent::Started(t) => self.start_call(t, dropped, send),
                CallEvent::Ended(span) => self.end_call(span, dropped, warnings, send),
            }
        }
    }

    fn start_call(&mut self, t: Samples, dropped: [u64; 2], send: &mut impl FnMut(LiveEvent)) {
        self.calls += 1;
        let number = self.calls;
        let first_frame = (t / FRAME).max(self.first_frame);
        let (recorder, recording, recording_error) = match &self.record {
            Some(base) => {
                let path = call_recording_path(base, number);
                match Recorder::start(&path) {
                    Ok(r) => (Some(r), Some(path), None),
                    Err(e) => (None, None, Some(e)),
                }
            }
            None => (None, None, None),
        };
        let work = Box::new(CallWork {
            analysis: Analysis::new(&self.config),
            recorder,
            recording,
            recording_error,
        });
        if self.call_thread.is_none() {
            self.call_thread = CallThread::start();
        }
        let work = match &self.call_thread {
            Some(t) => {
                if !t.send(ToCall::Start(work)) {
                    // The thread is gone, and the call's work with the message.
                    self.failed = true;
                    return;
                }
                Place::Away
            }
            None => Place::Here(work),
        };
        self.open = Some(OpenCall {
            number,
            first_frame,
            next_frame: first_frame,
            dropped_at_start: dropped,
            work,
        });
        send(LiveEvent::CallStart {
            call: number,
            start_s: samples_to_s(first_frame * FRAME),
        });
    }

    fn end_call(
        &mut self,
        span: Span,
        dropped: [u64; 2],
        warnings: &[Warning],
        send: &mut impl FnMut(LiveEvent),
    ) {
        // The call's frames up to the one that holds its end.
        self.feed_until(span.end.div_ceil(FRAME));
        let Some(call) = self.open.take() else {
            return;
        };
        let work = match call.work {
            Place::Here(w) => Some(w),
            Place::Away => self.call_thread.as_mut().and_then(CallThread::finish),
        };
        let Some(mut work) = work else {
            self.failed = true;
            return;
        };
        work.analysis.set_dropped([
            dropped[0].saturating_sub(call.dropped_at_start[0]),
            dropped[1].saturating_sub(call.dropped_at_start[1]),
        ]);
        let mut result = work.analysis.finish(&mut |_| {});
        result.warnings.extend(warnings.iter().cloned());
        let start = call.first_frame * FRAME;
        let mut recording_error = work.recording_error;
        if let Some(r) = work.recorder
            && let Err(e) = r.finish()
        {
            recording_error.get_or_insert(e);
        }
        self.day.add(&result);
        send(LiveEvent::CallEnd {
            call: call.number,
            start_s: samples_to_s(start),
            end_s: samples_to_s(start + result.metrics.duration),
        });
        // Nobody may be listening any more (the session is ending): nothing to do then.
        let _ = self.done.send(FinishedCall {
            number: call.number,
            start,
            result,
            recording: work.recording,
            recording_error,
        });
    }

    /// Gives the open call's analysis its kept frames before frame `until`.
    fn feed_until(&mut self, until: u64) {
        let Some(call) = &mut self.open else {
            return;
        };
        while call.next_frame < until {
            let Some(index) = call.next_frame.checked_sub(self.first_frame) else {
                // Never kept (it cannot happen: frames are kept from the earliest start).
                call.next_frame = self.first_frame;
                continue;
            };
            let Some(frame) = usize::try_from(index).ok().and_then(|i| self.frames.get(i)) else {
                break;
            };
            match &mut call.work {
                Place::Here(w) => w.take(frame),
                Place::Away => {
                    if !self.call_thread.as_mut().is_some_and(|t| t.take(frame)) {
                        self.failed = true;
                        break;
                    }
                }
            }
            call.next_frame += 1;
        }
    }

    /// After the latest frame: the open call's analysis takes every frame now known to be
    /// part of it (`in_call_until`, from the split), and the frames no call can need any
    /// more are let go (those before `keep_from`, outside a call).
    pub fn advance(&mut self, in_call_until: Option<Samples>, keep_from: Samples) {
        if let Some(until) = in_call_until {
            self.feed_until(until / FRAME);
        }
        let keep = match &self.open {
            Some(call) => call.next_frame,
            None => keep_from / FRAME,
        };
        while self.first_frame < keep && self.frames.pop_front().is_some() {
            self.first_frame += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::source::{FrameSource, Stretch};
    use crate::audio::synth::SynthDay;
    use crate::conversation::calls::CallRule;

    /// A short day's configuration: calls end after 10 s of silence, start within 8 s.
    fn config() -> Config {
        Config {
            call_end_silence_s: 10.0,
            call_start_window_s: 8.0,
            ..Config::default()
        }
    }

    /// The demo call's first 40 s (the rep from 0.5 s, the prospect answering at 6.1 s,
    /// speech until the cut), as its two sides.
    fn demo_40s() -> [Vec<f32>; 2] {
        let mut source = crate::audio::source::FileSource::demo().expect("the demo call");
        let (mut rep, mut prospect) = ([0.0; FRAME_LEN_SAMPLES], [0.0; FRAME_LEN_SAMPLES]);
        let mut sides = [Vec::new(), Vec::new()];
        while sides[0].len() < 40 * 16_000
            && let Ok(Some(_)) = source.next_frame(&mut rep, &mut prospect)
        {
            sides[0].extend_from_slice(&rep);
            sides[1].extend_from_slice(&prospect);
        }
        sides
    }

    /// Three times: 12 s quiet, the call, 12 s quiet, 15 s of the prospect's side alone.
    fn day() -> SynthDay {
        SynthDay::new(demo_40s(), 3, 12.0, 15.0)
    }

    /// The session's loop, as `session::drive` runs it, over a whole source; returns the
    /// calls and the most frames kept at once.
    fn cut(mut source: impl FrameSource, config: &Config) -> (Vec<FinishedCall>, usize) {
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut cutter = Cutter::new(config, None, tx);
        let mut analysis = Analysis::new(config);
        analysis.split_calls(CallRule::from_config(config));
        let (mut rep, mut prospect) = ([0.0; FRAME_LEN_SAMPLES], [0.0; FRAME_LEN_SAMPLES]);
        let mut most = 0;
        let step = |cutter: &mut Cutter, analysis: &mut Analysis| {
            let events = analysis.take_call_events();
            cutter.on_calls(events, [0, 0], &[], &mut |_| {});
            if let Some(feed) = analysis.calls() {
                cutter.advance(feed.in_call_until(), feed.keep_from());
            }
        };
        while let Ok(Some(fill)) = source.next_frame(&mut rep, &mut prospect) {
            cutter.push(&rep, &prospect, fill.valid_samples, false);
            analysis.push_frame(&rep, &prospect, fill.valid_samples, &mut |_| {});
            step(&mut cutter, &mut analysis);
            most = most.max(cutter.frames_kept());
        }
        analysis.flush(&mut |_| {});
        step(&mut cutter, &mut analysis);
        drop(cutter);
        (rx.iter().collect(), most)
    }

    /// Each call's figures are those of its stretch of the source analysed alone (the
    /// definition `analyze --split-calls` checks against a cut recording).
    #[test]
    fn each_call_is_its_stretch_analysed_alone() {
        let config = config();
        let (calls, _) = cut(day(), &config);
        let scripted = day().calls();
        assert_eq!(calls.len(), scripted.len());
        for (k, call) in calls.iter().enumerate() {
            assert_eq!(call.number, k + 1);
            let end = call.start + call.result.metrics.duration;
            let mut alone = Stretch::new(day(), call.start, end);
            let result =
                crate::session::run_to_end(&mut alone, &config, &mut |_| {}).expect("the stretch");
            assert_eq!(call.result.metrics, result.metrics, "call {k}");
            assert_eq!(call.result.warnings, result.warnings, "call {k}");
            // At its first speech (0.5 s into the call's audio), and a pause after its
            // last (cut at the end of the call's audio).
            let first_speech = scripted[k].0 + 8_000;
            assert!(
                call.start.abs_diff(first_speech) < 3_200,
                "call {k} at {}",
                call.start
            );
            assert!(
                end.abs_diff(scripted[k].1 + 16_000) < 8_000,
                "call {k} to {end}"
            );
        }
    }

    /// The frames kept never exceed the longer of the end silence and the start window,
    /// plus the detectors' decision time, whatever the day's length.
    #[test]
    fn the_frames_kept_stay_within_the_end_silence() {
        let config = config();
        let (_, most) = cut(day(), &config);
        // 10 s end silence + up to 1 s of decisions and bridging.
        assert!(most <= 1_100, "{most} frames kept");
        assert!(most >= 900, "{most} frames kept");
    }

    /// A mark and a pause of analysis inside a call reach the call's own analysis at the
    /// same moment of the call.
    #[test]
    fn marks_and_pauses_reach_the_call_at_its_own_times() {
        let config = config();
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut cutter = Cutter::new(&config, None, tx);
        let mut analysis = Analysis::new(&config);
        analysis.split_calls(CallRule::from_config(&config));
        let mut source = day();
        let (mut rep, mut prospect) = ([0.0; FRAME_LEN_SAMPLES], [0.0; FRAME_LEN_SAMPLES]);
        let mut frame = 0u64;
        let step = |cutter: &mut Cutter, analysis: &mut Analysis| {
            let events = analysis.take_call_events();
            cutter.on_calls(events, [0, 0], &[], &mut |_| {});
            if let Some(feed) = analysis.calls() {
                cutter.advance(feed.in_call_until(), feed.keep_from());
            }
        };
        while let Ok(Some(fill)) = source.next_frame(&mut rep, &mut prospect) {
            // 30 s into the day: a mark; 31 s to 32 s: analysis paused (the first call
            // runs from 12.5 s to 53 s).
            if frame == 3_000 {
                analysis.mark();
                cutter.mark();
            }
            analysis.set_paused((3_100..3_200).contains(&frame));
            cutter.push(&rep, &prospect, fill.valid_samples, analysis.is_paused());
            analysis.push_frame(&rep, &prospect, fill.valid_samples, &mut |_| {});
            step(&mut cutter, &mut analysis);
            frame += 1;
        }
        analysis.flush(&mut |_| {});
        step(&mut cutter, &mut analysis);
        drop(cutter);
        let calls: Vec<FinishedCall> = rx.iter().collect();
        let first = &calls[0];
        let at = |s: Samples| s - first.start;
        assert_eq!(first.result.marks, [at(3_000 * FRAME)]);
        assert_eq!(
            first.result.paused,
            [Span::new(at(3_100 * FRAME), at(3_200 * FRAME))]
        );
        assert!(calls[1].result.marks.is_empty());
    }

    #[test]
    fn each_call_is_recorded_beside_the_sessions_recording() {
        assert_eq!(
            call_recording_path(Path::new("/d/recordings/20260101T090000Z-live.wav"), 3),
            Path::new("/d/recordings/20260101T090000Z-live-call03.wav")
        );
    }
}
