//! A working day cut into calls as it is heard, each call analysed once. One analysis
//! leads: between calls it looks for the next call's start (`conversation::calls`, through
//! [`Analysis::split_calls`]); where it finds one, a fresh analysis starts at the call's
//! first frame and takes the frames from there (kept for it: at most the start window),
//! and that analysis, the call's own, leads in turn: it finds where the call ends by
//! itself ([`Analysis::split_as_call`]), and then goes on looking for the next call. So a
//! call's figures are those of its stretch cut out and analysed alone, and each frame is
//! analysed once, bar the start window's few seconds at each call's start.
//!
//! A call's analysis has to go past its end to know it (nobody spoke for the end
//! silence): wherever the call would end if nobody spoke again (its latest speech's end,
//! plus the trailing silence), a copy of the analysis is taken when it gets there, and
//! the call that ends there is that copy, finished. Speech that is still on gives its end
//! if no more of it comes (the detector's own tentative end), so the place is always
//! known before the analysis reaches it.
//!
//! Memory stays bounded: outside a call only the frames an answer could still make part of
//! a call are kept (the start window); inside one, with `--record`, those the call's end
//! is not yet known to include (the end silence), and otherwise only the decision time's.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use crossbeam_channel::Sender;

use crate::analysis::{Analysis, CallResult};
use crate::config::Config;
use crate::conversation::LiveEvent;
use crate::conversation::calls::{CallEvent, CallRule};
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

/// Gives `analysis` one frame, with the controls that applied to it.
fn take(analysis: &mut Analysis, frame: &Frame) {
    analysis.set_paused(frame.paused);
    for _ in 0..frame.marks {
        analysis.mark();
    }
    analysis.push_frame(&frame.rep, &frame.prospect, frame.valid, &mut |_| {});
}

/// The call being heard.
struct OpenCall {
    number: usize,
    /// Its first frame (frame numbers count from the session's start).
    first_frame: u64,
    /// Audio the devices had lost when it started.
    dropped_at_start: [u64; 2],
    /// Its speech goes on until here at least (on the call's own timeline): where the
    /// answer that made it a call was heard.
    speech_until: Samples,
    /// Where the call ends if nobody speaks again (the call's timeline), and, once the
    /// call's analysis has reached that point, a copy of it taken there.
    end_if_quiet: Option<(Samples, Option<Analysis>)>,
    /// Earlier such ends, reached (with the copy taken there) before speech after them was
    /// heard, and still possible: the split decides a little later than the detectors
    /// hear, so speech that starts just after the end silence has passed does not keep
    /// the call open (it looks for the next call). Each goes once the split has been given
    /// speech after it.
    earlier_ends: Vec<(Samples, Analysis)>,
    recorder: Option<Recorder>,
    recording: Option<PathBuf>,
    recording_error: Option<Error>,
    /// The next frame to record (the frames before it are in the recording).
    next_recorded: u64,
}

impl OpenCall {
    /// The recording takes the call's frames before frame `until`, from `frames` (which
    /// start at frame `first_frame`).
    fn record(&mut self, frames: &VecDeque<Frame>, first_frame: u64, until: u64) {
        let Some(recorder) = &self.recorder else {
            self.next_recorded = self.next_recorded.max(until);
            return;
        };
        while self.next_recorded < until {
            let Some(frame) = self
                .next_recorded
                .checked_sub(first_frame)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| frames.get(i))
            else {
                break;
            };
            recorder.push(&frame.rep, &frame.prospect, frame.valid);
            self.next_recorded += 1;
        }
    }
}

/// Cuts the calls out of a session's frames (see the module's documentation).
pub struct Cutter {
    config: Config,
    rule: CallRule,
    /// With `--record`: each call is recorded beside this path, `-callNN` added to its name.
    record: Option<PathBuf>,
    /// Frames kept, oldest first.
    frames: VecDeque<Frame>,
    /// Frame number of `frames[0]`.
    first_frame: u64,
    /// The analysis that finds the calls: during a call, the call's own analysis, fresh
    /// from its first frame; between calls, the last call's analysis going on (or the
    /// session's first analysis), looking for the next call's start.
    lead: Analysis,
    /// How a fresh analysis is made (the project's detectors; tests give others).
    fresh: fn(&Config) -> Analysis,
    /// The frame `lead` started at.
    lead_origin: u64,
    /// The next frame `lead` takes.
    lead_next: u64,
    open: Option<OpenCall>,
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
        Cutter::with_analysis(config, record, done, Analysis::new)
    }

    /// [`Cutter::new`] with the analyses made by `fresh`.
    fn with_analysis(
        config: &Config,
        record: Option<PathBuf>,
        done: Sender<FinishedCall>,
        fresh: fn(&Config) -> Analysis,
    ) -> Cutter {
        let rule = CallRule::from_config(config);
        let mut lead = fresh(config);
        lead.split_calls(rule);
        Cutter {
            config: config.clone(),
            rule,
            record,
            frames: VecDeque::new(),
            first_frame: 0,
            lead,
            fresh,
            lead_origin: 0,
            lead_next: 0,
            open: None,
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

    /// Frames kept now (for tests of the memory bound).
    pub fn frames_kept(&self) -> usize {
        self.frames.len()
    }

    /// The rep marked the moment before the next frame.
    pub fn mark(&mut self) {
        self.marks = self.marks.saturating_add(1);
    }

    /// Takes the next frame of the session, exactly as the session's analysis takes it:
    /// the calls are found in it, each started call analysed and recorded, each ended call
    /// handed over. `dropped` is the audio the devices have lost so far. `send` receives
    /// `CallStart` and `CallEnd` events. Returns whether a call ended.
    pub fn push(
        &mut self,
        rep: &[f32],
        prospect: &[f32],
        valid: usize,
        paused: bool,
        dropped: [u64; 2],
        send: &mut impl FnMut(LiveEvent),
    ) -> bool {
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
        let ended = self.run_lead(dropped, send);
        self.let_go();
        ended
    }

    /// The end of the session: the call still open ends there, with `warnings` (what the
    /// source says makes the figures doubtful). Speech not yet decided on may still make
    /// a call of the last frames.
    pub fn finish(
        &mut self,
        dropped: [u64; 2],
        warnings: &[Warning],
        send: &mut impl FnMut(LiveEvent),
    ) {
        loop {
            self.lead.flush(&mut |_| {});
            let (started, _) = self.take_events(dropped, warnings, send);
            if !started {
                return;
            }
            // A call found in the last frames: its own analysis takes them, then ends.
            self.run_lead(dropped, send);
        }
    }

    /// The lead analysis takes the frames it has not taken yet; a call it finds starting
    /// starts a fresh analysis at the call's first frame, which takes the frames from
    /// there. Returns whether a call ended.
    fn run_lead(&mut self, dropped: [u64; 2], send: &mut impl FnMut(LiveEvent)) -> bool {
        let mut ended = false;
        while let Some(frame) = self
            .lead_next
            .checked_sub(self.first_frame)
            .and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.frames.get(i))
        {
            take(&mut self.lead, frame);
            self.lead_next += 1;
            self.watch_end();
            let (started, call_ended) = self.take_events(dropped, &[], send);
            ended |= call_ended;
            if started {
                continue;
            }
            self.forget_ended_ends();
            self.record_known();
        }
        ended
    }

    /// What the lead found since it was last asked: the open call ends (with `warnings`),
    /// a call starts (its own analysis then takes the frames from its start, and what the
    /// lead found after that no longer counts). Returns whether a call started and
    /// whether one ended.
    fn take_events(
        &mut self,
        dropped: [u64; 2],
        warnings: &[Warning],
        send: &mut impl FnMut(LiveEvent),
    ) -> (bool, bool) {
        let mut ended = false;
        for event in self.lead.take_call_events() {
            match event {
                CallEvent::Started(t) if self.open.is_none() => {
                    self.start_call(t, dropped, send);
                    return (true, ended);
                }
                CallEvent::Started(_) => {}
                CallEvent::Ended(span) => {
                    self.end_call(span, dropped, warnings, send);
                    ended = true;
                }
            }
        }
        (false, ended)
    }

    /// Lets go of the earlier ends the open call can no longer have: the split has been
    /// given speech after them.
    fn forget_ended_ends(&mut self) {
        let Some(call) = &mut self.open else {
            return;
        };
        if call.earlier_ends.is_empty() {
            return;
        }
        let heard = self.lead.calls().and_then(|f| f.heard_until());
        let trailing = self.rule.trailing();
        call.earlier_ends
            .retain(|(end, _)| heard.is_none_or(|h| end.saturating_sub(trailing) >= h));
    }

    /// After the open call's analysis took a frame: where the call ends if nobody speaks
    /// again, and a copy of the analysis there once it reaches it (the call's figures,
    /// should it end there: those of its stretch up to there, analysed alone).
    fn watch_end(&mut self) {
        let Some(call) = &mut self.open else {
            return;
        };
        let last = self.lead.last_speech_end().unwrap_or(0);
        let end = last.max(call.speech_until) + self.rule.trailing();
        if call.end_if_quiet.as_ref().is_none_or(|(e, _)| *e != end) {
            // One not reached yet cannot be the end any more: speech came before it.
            if let Some((earlier, Some(copy))) = call.end_if_quiet.replace((end, None)) {
                call.earlier_ends.push((earlier, copy));
            }
        }
        if let Some((end, copy @ None)) = &mut call.end_if_quiet
            && self.lead.now() >= *end
        {
            *copy = self.lead.try_clone();
        }
    }

    /// The open call's recording takes the frames now certainly part of the call.
    fn record_known(&mut self) {
        let Some(until) = self.lead.calls().and_then(|f| f.in_call_until()) else {
            return;
        };
        if let Some(call) = &mut self.open {
            call.record(
                &self.frames,
                self.first_frame,
                self.lead_origin + until / FRAME,
            );
        }
    }

    /// Lets go of the frames nobody can need any more: those before where a call could
    /// still start, and before what the open call's recording has not taken yet.
    fn let_go(&mut self) {
        let could_start = self.lead.calls().map_or(0, |f| f.keep_from());
        let mut keep = (self.lead_origin + could_start / FRAME).min(self.lead_next);
        if let Some(call) = &self.open
            && call.recorder.is_some()
        {
            keep = keep.min(call.next_recorded);
        }
        while self.first_frame < keep && self.frames.pop_front().is_some() {
            self.first_frame += 1;
        }
    }

    /// A call starts at `t` (the lead's timeline): its own analysis starts at its first
    /// frame, and takes the frames from there (they are kept).
    fn start_call(&mut self, t: Samples, dropped: [u64; 2], send: &mut impl FnMut(LiveEvent)) {
        self.calls += 1;
        let number = self.calls;
        let origin = self.lead_origin * FRAME;
        let first_frame = ((origin + t) / FRAME).max(self.first_frame);
        let answered = origin + self.lead.calls().map_or(t, |f| f.decided());
        let speech_until = answered.saturating_sub(first_frame * FRAME);
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
        let mut lead = (self.fresh)(&self.config);
        lead.split_as_call(self.rule, speech_until);
        self.lead = lead;
        self.lead_origin = first_frame;
        self.lead_next = first_frame;
        self.open = Some(OpenCall {
            number,
            first_frame,
            dropped_at_start: dropped,
            speech_until,
            end_if_quiet: None,
            earlier_ends: Vec::new(),
            recorder,
            recording,
            recording_error,
            next_recorded: first_frame,
        });
        send(LiveEvent::CallStart {
            call: number,
            start_s: samples_to_s(first_frame * FRAME),
        });
    }

    /// The open call ended: `span` on its own timeline. Its figures are those of its
    /// analysis where it ends (the copy taken there; at the end of the session, the
    /// analysis itself), its recording gets its last frames, and it is handed over.
    fn end_call(
        &mut self,
        span: Span,
        dropped: [u64; 2],
        warnings: &[Warning],
        send: &mut impl FnMut(LiveEvent),
    ) {
        let Some(mut call) = self.open.take() else {
            return;
        };
        call.record(
            &self.frames,
            self.first_frame,
            call_frame_end(span.end, self.lead_origin),
        );
        let copy = call
            .earlier_ends
            .drain(..)
            .chain(
                call.end_if_quiet
                    .take()
                    .and_then(|(end, copy)| Some((end, copy?))),
            )
            .find(|(end, _)| *end == span.end)
            .map(|(_, copy)| copy);
        // Without a copy there, the session ended before the call's analysis reached where
        // it would end if quiet, or during its speech: the analysis itself (flushed) is the
        // call's stretch. (Mid-session that cannot happen: a copy is taken wherever the
        // call can end.)
        let mut analysis = match copy.or_else(|| self.lead.try_clone()) {
            Some(a) => a,
            // Detectors that cannot be copied (never the project's own): the analysis
            // itself, and a fresh one looks for the next call from here.
            None => {
                let mut fresh = (self.fresh)(&self.config);
                fresh.split_calls(self.rule);
                self.lead_origin = self.lead_next;
                std::mem::replace(&mut self.lead, fresh)
            }
        };
        analysis.set_dropped([
            dropped[0].saturating_sub(call.dropped_at_start[0]),
            dropped[1].saturating_sub(call.dropped_at_start[1]),
        ]);
        let mut result = analysis.finish(&mut |_| {});
        result.warnings.extend(warnings.iter().cloned());
        let start = call.first_frame * FRAME;
        let mut recording_error = call.recording_error;
        if let Some(r) = call.recorder
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
            recording: call.recording,
            recording_error,
        });
    }
}

/// The frame after the one that holds `end` (a time on the timeline of an analysis that
/// started at frame `origin`).
fn call_frame_end(end: Samples, origin: u64) -> u64 {
    origin + end.div_ceil(FRAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::source::{FrameSource, Stretch};
    use crate::audio::synth::SynthDay;

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
    fn cut(source: impl FrameSource, config: &Config) -> (Vec<FinishedCall>, usize) {
        cut_recorded(source, config, None)
    }

    /// [`cut`], each call recorded beside `record`.
    fn cut_recorded(
        mut source: impl FrameSource,
        config: &Config,
        record: Option<PathBuf>,
    ) -> (Vec<FinishedCall>, usize) {
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut cutter = Cutter::new(config, record, tx);
        let (mut rep, mut prospect) = ([0.0; FRAME_LEN_SAMPLES], [0.0; FRAME_LEN_SAMPLES]);
        let mut most = 0;
        while let Ok(Some(fill)) = source.next_frame(&mut rep, &mut prospect) {
            cutter.push(
                &rep,
                &prospect,
                fill.valid_samples,
                false,
                [0, 0],
                &mut |_| {},
            );
            most = most.max(cutter.frames_kept());
        }
        cutter.finish([0, 0], &[], &mut |_| {});
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

    /// A detector that calls a frame speech when it is loud (tests with exact timing).
    #[derive(Clone)]
    struct Loud;

    impl crate::vad::FrameClassifier for Loud {
        fn classify(&mut self, frame: &[f32], _reference: Option<&[f32]>) -> bool {
            frame.iter().map(|s| s * s).sum::<f32>() > 1.0
        }

        fn try_clone(&self) -> Option<Box<dyn crate::vad::FrameClassifier>> {
            Some(Box::new(self.clone()))
        }
    }

    fn loud_analysis(config: &Config) -> Analysis {
        let tracker = || crate::vad::SpeechTracker::new(Box::new(Loud));
        Analysis::with_trackers(config, [tracker(), tracker()])
    }

    /// Speech that starts just after the end silence, while the other side's detector is
    /// still deciding on a blip (so the split decides the end a little after the speech
    /// was heard), does not keep the call open: the call ends at its last speech plus the
    /// trailing silence, its figures those of that stretch alone.
    #[test]
    fn speech_heard_just_after_the_end_silence_leaves_the_call_ending_where_it_did() {
        let config = config();
        // Frames: the rep speaks 100-199, the prospect 300-399 (the call ends at 400 +
        // 100, with a 10 s end silence: nobody may speak from 400 to 1400); the prospect
        // blips at 1401 (never speech, but its detector takes 15 frames to say so); the
        // rep speaks again from 1403.
        let loud = |side: usize, f: u64| match side {
            0 => (100..200).contains(&f) || (1403..1503).contains(&f),
            _ => (300..400).contains(&f) || f == 1401,
        };
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut cutter = Cutter::with_analysis(&config, None, tx, loud_analysis);
        let mut stretch = loud_analysis(&config);
        let level = |on: bool| [if on { 0.5f32 } else { 0.0 }; FRAME_LEN_SAMPLES];
        for f in 0..2_000u64 {
            let (rep, prospect) = (level(loud(0, f)), level(loud(1, f)));
            cutter.push(
                &rep,
                &prospect,
                FRAME_LEN_SAMPLES,
                false,
                [0, 0],
                &mut |_| {},
            );
            if (98..500).contains(&f) {
                stretch.push_frame(&rep, &prospect, FRAME_LEN_SAMPLES, &mut |_| {});
            }
        }
        cutter.finish([0, 0], &[], &mut |_| {});
        drop(cutter);
        let calls: Vec<FinishedCall> = rx.iter().collect();
        assert_eq!(calls.len(), 1);
        // From the rep's first speech (pre-rolled 2 frames) to 1 s after the prospect's.
        assert_eq!(calls[0].start, 98 * FRAME);
        assert_eq!(calls[0].result.metrics.duration, (500 - 98) * FRAME);
        assert_eq!(calls[0].result.metrics, stretch.finish(&mut |_| {}).metrics);
    }

    /// However short the trailing silence (shorter than the detectors take to decide an
    /// end), each call ends at its last speech plus that silence, and is its stretch
    /// analysed alone.
    #[test]
    fn a_call_ends_where_it_should_even_with_the_shortest_trailing_silence() {
        let config = Config {
            pause_min_s: 0.1,
            ..config()
        };
        let (calls, _) = cut(day(), &config);
        let scripted = day().calls();
        assert_eq!(calls.len(), scripted.len());
        for (k, call) in calls.iter().enumerate() {
            let end = call.start + call.result.metrics.duration;
            let mut alone = Stretch::new(day(), call.start, end);
            let result =
                crate::session::run_to_end(&mut alone, &config, &mut |_| {}).expect("the stretch");
            assert_eq!(call.result.metrics, result.metrics, "call {k}");
            let last_speech = result
                .metrics
                .segments
                .iter()
                .map(|s| s.span.end)
                .max()
                .expect("speech");
            assert_eq!(
                call.result.metrics.duration,
                last_speech + 1_600,
                "call {k} ends 0.1 s after its last speech"
            );
        }
    }

    /// With `--record`, each call's recording holds exactly the frames its analysis took,
    /// and the frames kept stay within the end silence (and the decision time).
    #[test]
    fn each_call_is_recorded_as_analysed_within_the_end_silence() {
        let config = config();
        let dir = tempfile::tempdir().expect("temp dir");
        let base = dir.path().join("day.wav");
        let (calls, most) = cut_recorded(day(), &config, Some(base));
        assert!(most <= 1_100, "{most} frames kept");
        assert_eq!(calls.len(), 3);
        let (mut rep, mut prospect) = ([0.0; FRAME_LEN_SAMPLES], [0.0; FRAME_LEN_SAMPLES]);
        for call in &calls {
            let path = call.recording.as_ref().expect("a recording");
            let reader = hound::WavReader::open(path).expect("the call's recording");
            assert_eq!(reader.spec().channels, 2);
            assert_eq!(
                u64::from(reader.duration()),
                call.result.metrics.duration,
                "{}",
                path.display()
            );
            // Its first frame is the call's first frame of the day.
            let mut day_source = day();
            let mut skip = call.start / FRAME;
            while skip > 0 && day_source.next_frame(&mut rep, &mut prospect).is_ok() {
                skip -= 1;
            }
            day_source
                .next_frame(&mut rep, &mut prospect)
                .expect("frame");
            let recorded: Vec<f32> = hound::WavReader::open(path)
                .expect("the call's recording")
                .into_samples::<f32>()
                .take(2 * FRAME_LEN_SAMPLES)
                .map(|s| s.expect("a sample"))
                .collect();
            let wanted: Vec<f32> = rep
                .iter()
                .zip(&prospect)
                .flat_map(|(&r, &p)| [r, p])
                .collect();
            assert!(
                recorded
                    .iter()
                    .zip(&wanted)
                    .all(|(a, b)| (a - b).abs() < 1e-3),
                "{}",
                path.display()
            );
        }
    }

    /// Without a recording, the frames kept never exceed the start window plus the
    /// detectors' decision time, whatever the day's length: inside a call, none are.
    #[test]
    fn the_frames_kept_stay_within_the_start_window() {
        let config = config();
        let (_, most) = cut(day(), &config);
        // 8 s start window + up to 1 s of decisions and bridging; the prospect's side
        // alone (15 s) holds its speech that long.
        assert!(most <= 900, "{most} frames kept");
        assert!(most >= 700, "{most} frames kept");
    }

    /// A mark and a pause of analysis inside a call reach the call's own analysis at the
    /// same moment of the call.
    #[test]
    fn marks_and_pauses_reach_the_call_at_its_own_times() {
        let config = config();
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut cutter = Cutter::new(&config, None, tx);
        let mut source = day();
        let (mut rep, mut prospect) = ([0.0; FRAME_LEN_SAMPLES], [0.0; FRAME_LEN_SAMPLES]);
        let mut frame = 0u64;
        while let Ok(Some(fill)) = source.next_frame(&mut rep, &mut prospect) {
            // 30 s into the day: a mark; 31 s to 32 s: analysis paused (the first call
            // runs from 12.5 s to 53 s).
            if frame == 3_000 {
                cutter.mark();
            }
            let paused = (3_100..3_200).contains(&frame);
            cutter.push(
                &rep,
                &prospect,
                fill.valid_samples,
                paused,
                [0, 0],
                &mut |_| {},
            );
            frame += 1;
        }
        cutter.finish([0, 0], &[], &mut |_| {});
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
