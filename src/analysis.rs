//! The one analysis path: frames of both sides -> VAD per side -> bridging -> live tracker
//! (events as they happen) and, at the end, the turn and pause engine (every figure).
//! `analyze`, `replay` and `live` all run this code, so a replay reproduces a live session.

use crate::config::Config;
use crate::conversation::calls::{CallEvent, CallFeed, CallRule};
use crate::conversation::engine::{self, Metrics, Thresholds};
use crate::conversation::{Bridger, LiveEvent, LiveTracker};
use crate::timeline::{FRAME_LEN_SAMPLES, Party, Samples, Span, s_to_samples};
use crate::vad::{Edge, SpeechTracker, default_tracker};
use crate::warning::{Warning, WarningCode};

/// Release of the level meters, dB per 10 ms frame.
const METER_RELEASE_DB_PER_FRAME: f32 = 0.3;

/// Level below which a side counts as having no signal, dBFS.
pub const NO_SIGNAL_DBFS: f32 = -70.0;

/// Everything measured on a call, ready for a report.
#[derive(Debug, Clone)]
pub struct CallResult {
    /// Every figure of the definitions.
    pub metrics: Metrics,
    /// Moments marked by the rep.
    pub marks: Vec<Samples>,
    /// Stretches with analysis paused.
    pub paused: Vec<Span>,
    /// Audio lost to overload per side, in samples.
    pub dropped: [u64; 2],
    /// The configuration the figures were computed with.
    pub config: Config,
    /// What makes the figures doubtful.
    pub warnings: Vec<Warning>,
}

impl CallResult {
    /// A result with nothing measured (what is left when the analysis itself failed).
    pub fn empty(config: &Config) -> CallResult {
        CallResult {
            metrics: Metrics::default(),
            marks: Vec::new(),
            paused: Vec::new(),
            dropped: [0, 0],
            config: config.clone(),
            warnings: Vec::new(),
        }
    }
}

/// A snapshot of the signal, for meters and warnings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Levels {
    /// Level per side (rep, prospect), dBFS: frame RMS with a 30 dB/s release.
    pub dbfs: [f32; 2],
    /// Since when each side has been below [`NO_SIGNAL_DBFS`], if it is.
    pub quiet_since: [Option<Samples>; 2],
}

/// Why one side's figures are doubtful: its channel is silent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Silent {
    /// Below [`NO_SIGNAL_DBFS`] all along (wrong device or channel, muted loopback).
    NoSignal,
    /// A signal, but no speech while the other side spoke (wrong channel?).
    NoSpeech,
}

/// The analysis state of one call.
pub struct Analysis {
    config: Config,
    trackers: [SpeechTracker; 2],
    bridgers: [Bridger; 2],
    segments: [Vec<Span>; 2],
    live: LiveTracker,
    now: Samples,
    paused_since: Option<Samples>,
    paused: Vec<Span>,
    marks: Vec<Samples>,
    levels: Levels,
    /// Whether each side has reached [`NO_SIGNAL_DBFS`] in a frame analysed (not paused).
    heard: [bool; 2],
    dropped: [u64; 2],
    silence: [f32; FRAME_LEN_SAMPLES],
    /// The split into calls, when the session is a working day.
    calls: Option<CallFeed>,
    /// What the split found since the driver last asked.
    call_events: Vec<CallEvent>,
    /// The detectors have been flushed at the end of the audio.
    flushed: bool,
}

impl std::fmt::Debug for Analysis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analysis")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

const PARTIES: [Party; 2] = [Party::Rep, Party::Prospect];

/// RMS level of a frame in dBFS (floored at -120).
pub fn frame_dbfs(frame: &[f32]) -> f32 {
    if frame.is_empty() {
        return -120.0;
    }
    let energy = crate::vad::spectral::mean_square(frame);
    (10.0 * energy.max(1e-12).log10()).max(-120.0)
}

impl Analysis {
    /// A fresh analysis with the project's default detector on both sides.
    pub fn new(config: &Config) -> Analysis {
        Analysis::with_trackers(config, [default_tracker(), default_tracker()])
    }

    /// A fresh analysis with the given detectors (rep, prospect).
    pub fn with_trackers(config: &Config, trackers: [SpeechTracker; 2]) -> Analysis {
        let merge_gap = s_to_samples(config.merge_gap_s);
        Analysis {
            config: config.clone(),
            trackers,
            bridgers: [Bridger::new(merge_gap), Bridger::new(merge_gap)],
            segments: [Vec::new(), Vec::new()],
            live: LiveTracker::new(config),
            now: 0,
            paused_since: None,
            paused: Vec::new(),
            marks: Vec::new(),
            levels: Levels {
                dbfs: [-120.0; 2],
                quiet_since: [Some(0), Some(0)],
            },
            heard: [false, false],
            dropped: [0, 0],
            silence: [0.0; FRAME_LEN_SAMPLES],
            calls: None,
            call_events: Vec::new(),
            flushed: false,
        }
    }

    /// Also splits what it hears into calls by `rule` (a working day): see
    /// [`take_call_events`](Analysis::take_call_events). At each call's end the live
    /// tracker starts afresh, so no cue of one call carries into the next.
    pub fn split_calls(&mut self, rule: CallRule) {
        self.calls = Some(CallFeed::new(rule));
    }

    /// The analysis of one call from its first frame, which finds where the call ends by
    /// `rule` ([`CallFeed::in_call`]): its speech goes on until `speech_until` at least.
    pub fn split_as_call(&mut self, rule: CallRule, speech_until: Samples) {
        self.calls = Some(CallFeed::in_call(rule, speech_until));
    }

    /// The live tracker starts afresh: a call has ended (no cue of it carries into the
    /// next). The figures are not touched.
    pub fn new_call(&mut self) {
        self.live.new_call();
    }

    /// A copy in the same state, which goes on from here as this one would (nothing it
    /// reported is reported again), when its detectors can be copied (the project's own
    /// can).
    pub fn try_clone(&self) -> Option<Analysis> {
        let [rep, prospect] = &self.trackers;
        Some(Analysis {
            config: self.config.clone(),
            trackers: [rep.try_clone()?, prospect.try_clone()?],
            bridgers: self.bridgers.clone(),
            segments: self.segments.clone(),
            live: self.live.clone(),
            now: self.now,
            paused_since: self.paused_since,
            paused: self.paused.clone(),
            marks: self.marks.clone(),
            levels: self.levels,
            heard: self.heard,
            dropped: self.dropped,
            silence: self.silence,
            calls: self.calls.clone(),
            call_events: self.call_events.clone(),
            flushed: self.flushed,
        })
    }

    /// The end of the latest speech heard so far on either side, as it stands (speech
    /// that is still on: where it ends if no more of it comes), or `None` before any.
    pub fn last_speech_end(&self) -> Option<Samples> {
        (0..2)
            .flat_map(|side| {
                [
                    self.segments[side].last().map(|s| s.end),
                    self.bridgers[side].pending_end(),
                    self.trackers[side].speech_end_so_far(),
                ]
            })
            .flatten()
            .max()
    }

    /// The split into calls, if the analysis splits.
    pub fn calls(&self) -> Option<&CallFeed> {
        self.calls.as_ref()
    }

    /// The calls' starts and ends found since the last call of this, in time order.
    pub fn take_call_events(&mut self) -> Vec<CallEvent> {
        std::mem::take(&mut self.call_events)
    }

    /// Gives the split the time both sides are decided to (or the end of the stream), and
    /// starts the live tracker afresh after each call that ends.
    fn advance_calls(&mut self, decided: Samples, end_of_stream: bool) {
        let Self {
            calls,
            call_events,
            live,
            ..
        } = self;
        let Some(feed) = calls else {
            return;
        };
        let mut ended = false;
        let mut out = |e: CallEvent| {
            ended |= matches!(e, CallEvent::Ended(_));
            call_events.push(e);
        };
        if end_of_stream {
            feed.finish(decided, &mut out);
        } else {
            feed.advance(decided, &mut out);
        }
        if ended {
            live.new_call();
        }
    }

    /// Audio time so far (samples of the master timeline).
    pub fn now(&self) -> Samples {
        self.now
    }

    /// The live tracker (floor, silence in progress...).
    pub fn live(&self) -> &LiveTracker {
        &self.live
    }

    /// Closed (bridged) segments of one side so far (0 = rep, 1 = prospect).
    pub fn segments(&self, side: usize) -> &[Span] {
        &self.segments[side.min(1)]
    }

    /// Start of `party`'s speech in progress (bridged), if any.
    pub fn speaking_since(&self, party: Party) -> Option<Samples> {
        let side = party.index();
        match (
            self.bridgers[side].open_start(),
            self.bridgers[side].pending_end(),
        ) {
            (Some(start), None) => Some(start),
            _ => None,
        }
    }

    /// Current levels.
    pub fn levels(&self) -> Levels {
        self.levels
    }

    /// True while analysis is paused.
    pub fn is_paused(&self) -> bool {
        self.paused_since.is_some()
    }

    /// Pauses or resumes analysis (privacy): while paused the audio is not analysed.
    pub fn set_paused(&mut self, paused: bool) {
        match (paused, self.paused_since) {
            (true, None) => self.paused_since = Some(self.now),
            (false, Some(since)) => {
                self.paused.push(Span::new(since, self.now));
                self.paused_since = None;
            }
            _ => {}
        }
        self.live.set_paused(paused, self.now);
    }

    /// Marks the current moment.
    pub fn mark(&mut self) {
        self.marks.push(self.now);
    }

    /// Records audio lost before analysis (per side, samples at the analysis rate).
    pub fn set_dropped(&mut self, dropped: [u64; 2]) {
        self.dropped = dropped;
    }

    /// Audio time so far minus the time analysis was paused.
    pub fn active(&self) -> Samples {
        let closed: Samples = self.paused.iter().map(Span::len).sum();
        let open = self.paused_since.map_or(0, |t| self.now.saturating_sub(t));
        self.now.saturating_sub(closed + open)
    }

    /// Whether `side` has spoken so far (closed segments or speech in progress).
    fn spoke(&self, side: usize) -> bool {
        !self.segments[side].is_empty() || self.bridgers[side].open_start().is_some()
    }

    /// Which side is silent (rep, prospect): no signal at all once `no_signal_s` of active
    /// audio has passed; else no speech while the other side spoke, once
    /// `no_speech_after` of active audio has passed.
    pub fn silent_sides(&self, no_speech_after: Samples) -> [Option<Silent>; 2] {
        let active = self.active();
        let no_signal_after = s_to_samples(self.config.no_signal_s).max(1);
        std::array::from_fn(|side| {
            if !self.heard[side] && active >= no_signal_after {
                Some(Silent::NoSignal)
            } else if active >= no_speech_after.max(1) && !self.spoke(side) && self.spoke(1 - side)
            {
                Some(Silent::NoSpeech)
            } else {
                None
            }
        })
    }

    /// The warnings the analysis itself can tell (product.md, "Report"): `no_signal`,
    /// `no_speech` and `audio_dropped`, per side.
    fn warnings(&self) -> Vec<Warning> {
        let mut warnings = Vec::new();
        for (side, silent) in self.silent_sides(0).into_iter().enumerate() {
            let party = PARTIES[side];
            let (code, message) = match silent {
                Some(Silent::NoSignal) => (
                    WarningCode::NoSignal,
                    format!(
                        "The {}'s side had no signal for the whole call (below {NO_SIGNAL_DBFS:.0} dBFS): a wrong device or channel, or a muted loopback? The figures that compare both sides are doubtful.",
                        party.name()
                    ),
                ),
                Some(Silent::NoSpeech) => (
                    WarningCode::NoSpeech,
                    format!(
                        "The {}'s side never spoke while the {} did: a wrong channel? The figures that compare both sides are doubtful.",
                        party.name(),
                        party.other().name()
                    ),
                ),
                None => continue,
            };
            warnings.push(Warning {
                code,
                party: Some(party),
                message,
            });
        }
        for (side, &dropped) in self.dropped.iter().enumerate() {
            let dropped_s = crate::timeline::samples_to_ms_rounded_s(dropped);
            if dropped_s > 0.0 {
                warnings.push(Warning {
                    code: WarningCode::AudioDropped,
                    party: Some(PARTIES[side]),
                    message: format!(
                        "{dropped_s:.3} s of the {}'s audio was lost to overload: the figures miss it.",
                        PARTIES[side].name()
                    ),
                });
            }
        }
        warnings
    }

    fn apply_edges(&mut self, side: usize, edges: &[Edge], out: &mut impl FnMut(LiveEvent)) {
        for &edge in edges {
            let was_open = self.bridgers[side].open_start().is_some();
            if let Some(span) = self.bridgers[side].edge(edge) {
                self.segments[side].push(span);
                self.live.speech_end(PARTIES[side], span, out);
                if let Some(feed) = &mut self.calls {
                    feed.speech_end(PARTIES[side], span);
                }
            }
            if let Edge::Start(t) = edge
                && (!was_open || self.bridgers[side].open_start() == Some(t))
            {
                self.live.speech_start(PARTIES[side], t, out);
                if let Some(feed) = &mut self.calls {
                    feed.speech_start(PARTIES[side], t);
                }
            }
        }
    }

    /// Analyses one frame of both sides; `valid` is how many samples of it are real audio
    /// (less than a frame only at the end of a recording).
    pub fn push_frame(
        &mut self,
        rep: &[f32],
        prospect: &[f32],
        valid: usize,
        out: &mut impl FnMut(LiveEvent),
    ) {
        let paused = self.paused_since.is_some();
        let (rep, prospect) = if paused {
            (&self.silence[..], &self.silence[..])
        } else {
            (rep, prospect)
        };
        // Two small stacks of edges: a detector emits at most a few per frame.
        let mut edges: [Vec<Edge>; 2] = [Vec::new(), Vec::new()];
        {
            let [e0, e1] = &mut edges;
            let [rep_tracker, prospect_tracker] = &mut self.trackers;
            // The prospect first: the rep's detector reuses the far end's band levels
            // (the same frames, so the same levels) to model headset bleed.
            prospect_tracker.push(prospect, None, &mut |e| e1.push(e));
            rep_tracker.push_with_levels(
                rep,
                Some(prospect),
                prospect_tracker.last_band_db(),
                &mut |e| e0.push(e),
            );
        }
        for side in 0..2 {
            let frame = if side == 0 { rep } else { prospect };
            let db = frame_dbfs(frame);
            // Meters: instant attack, 30 dB/s release, so words read as a steady level.
            let released = self.levels.dbfs[side] - METER_RELEASE_DB_PER_FRAME;
            self.levels.dbfs[side] = db.max(released).max(-120.0);
            if db >= NO_SIGNAL_DBFS {
                self.levels.quiet_since[side] = None;
                self.heard[side] |= !paused;
            } else if self.levels.quiet_since[side].is_none() {
                self.levels.quiet_since[side] = Some(self.now);
            }
        }
        self.now += valid.min(FRAME_LEN_SAMPLES) as Samples;
        self.apply_edges(0, &edges[0], out);
        self.apply_edges(1, &edges[1], out);
        let decided = self.trackers[0]
            .decided_until()
            .min(self.trackers[1].decided_until())
            .min(self.now);
        for (side, party) in PARTIES.into_iter().enumerate() {
            if let Some(span) = self.bridgers[side].advance(decided) {
                self.segments[side].push(span);
                self.live.speech_end(party, span, out);
                if let Some(feed) = &mut self.calls {
                    feed.speech_end(party, span);
                }
            }
        }
        self.live.advance(decided, out);
        self.advance_calls(decided, false);
    }

    /// The end of the audio: flushes the detectors and closes open speech at the end (and a
    /// call still open, when splitting). Done once; [`finish`](Analysis::finish) does it
    /// if it was not done.
    pub fn flush(&mut self, out: &mut impl FnMut(LiveEvent)) {
        if self.flushed {
            return;
        }
        self.flushed = true;
        self.set_paused(false);
        let end = self.now;
        for (side, party) in PARTIES.into_iter().enumerate() {
            let mut edges = Vec::new();
            self.trackers[side].finish(&mut |e| edges.push(e));
            // Edges past the real end (padding of the last frame) are clipped to it.
            let edges: Vec<Edge> = edges
                .into_iter()
                .map(|e| match e {
                    Edge::Start(t) => Edge::Start(t.min(end)),
                    Edge::End(t) => Edge::End(t.min(end)),
                })
                .collect();
            self.apply_edges(side, &edges, out);
            if let Some(span) = self.bridgers[side].finish(end)
                && !span.is_empty()
            {
                self.segments[side].push(span);
                self.live.speech_end(party, span, out);
                if let Some(feed) = &mut self.calls {
                    feed.speech_end(party, span);
                }
            }
        }
        self.live.advance(end, out);
        self.advance_calls(end, true);
    }

    /// Ends the call: flushes the detectors (unless [`flush`](Analysis::flush) did),
    /// closes open speech at the end of the audio, and computes every figure.
    pub fn finish(mut self, out: &mut impl FnMut(LiveEvent)) -> CallResult {
        self.flush(out);
        let end = self.now;
        let th = Thresholds::from_config(&self.config);
        let metrics = engine::analyze(&self.segments[0], &self.segments[1], end, &self.paused, &th);
        let warnings = self.warnings();
        CallResult {
            metrics,
            marks: self.marks,
            paused: self.paused,
            dropped: self.dropped,
            config: self.config,
            warnings,
        }
    }
}

/// Speech segments of one channel as the detector finds them, before bridging (what
/// `tacet vad` prints), from the frames a [`FrameSource`](crate::audio::source::FrameSource)
/// delivers. With the far end, the channel is detected as the rep's side is in a call: the
/// far end's frames are its reference (headset bleed).
pub struct SegmentDetector {
    tracker: SpeechTracker,
    far: Option<SpeechTracker>,
    total: Samples,
    open: Option<Samples>,
    spans: Vec<Span>,
}

impl SegmentDetector {
    /// A detector with the project's default VAD, with a far-end reference or without.
    pub fn new(with_far_end: bool) -> SegmentDetector {
        SegmentDetector::with_trackers(default_tracker(), with_far_end.then(default_tracker))
    }

    /// A detector running `tracker` on the channel, and `far` on the far end when there is
    /// a far-end reference (the channel's detector reuses its band levels).
    pub fn with_trackers(tracker: SpeechTracker, far: Option<SpeechTracker>) -> SegmentDetector {
        SegmentDetector {
            tracker,
            far,
            total: 0,
            open: None,
            spans: Vec::new(),
        }
    }

    fn on_edge(open: &mut Option<Samples>, spans: &mut Vec<Span>, e: Edge) {
        match e {
            Edge::Start(t) => *open = Some(t),
            Edge::End(t) => {
                if let Some(s) = open.take() {
                    spans.push(Span::new(s, t));
                }
            }
        }
    }

    /// Analyses one frame of the channel and the far end's frame at the same instants
    /// (ignored without a far end); `valid` samples of it are real audio.
    pub fn push_frame(
        &mut self,
        frame: &[f32; FRAME_LEN_SAMPLES],
        far: &[f32; FRAME_LEN_SAMPLES],
        valid: usize,
    ) {
        let Self {
            tracker,
            far: far_tracker,
            total,
            open,
            spans,
        } = self;
        let mut on_edge = |e| Self::on_edge(open, spans, e);
        match far_tracker {
            // The far end first, as in the analysis: the channel's detector reuses its levels.
            Some(far_tracker) => {
                far_tracker.push(far, None, &mut |_| {});
                tracker.push_with_levels(
                    frame,
                    Some(far),
                    far_tracker.last_band_db(),
                    &mut on_edge,
                );
            }
            None => tracker.push(frame, None, &mut on_edge),
        }
        *total += valid.min(FRAME_LEN_SAMPLES) as Samples;
    }

    /// Ends the stream and returns every segment, clipped to the audio's length.
    pub fn finish(mut self) -> Vec<Span> {
        let Self {
            tracker,
            total,
            open,
            spans,
            ..
        } = &mut self;
        tracker.finish(&mut |e| Self::on_edge(open, spans, e));
        if let Some(s) = open.take() {
            spans.push(Span::new(s, *total));
        }
        let total = *total;
        let mut spans = std::mem::take(spans);
        for s in &mut spans {
            s.end = s.end.min(total);
            s.start = s.start.min(s.end);
        }
        spans.retain(|s| !s.is_empty());
        spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::source::{FileSource, FrameFill, FrameSource, SourceError};

    /// The first seconds of the demo call (the rep speaks from 0.5 s to 4.1 s, the prospect
    /// from 6.1 s), with the prospect's side replaced by silence or kept, and some audio
    /// reported lost.
    struct Muted {
        call: FileSource,
        frames_left: u64,
        mute_prospect: bool,
        dropped: [u64; 2],
    }

    impl Muted {
        fn new(seconds: u64, mute_prospect: bool, dropped: [u64; 2]) -> Muted {
            match FileSource::demo() {
                Ok(call) => Muted {
                    call,
                    frames_left: seconds * 100,
                    mute_prospect,
                    dropped,
                },
                Err(e) => panic!("the demo call: {e}"),
            }
        }
    }

    impl FrameSource for Muted {
        fn next_frame(
            &mut self,
            rep: &mut [f32],
            prospect: &mut [f32],
        ) -> Result<Option<FrameFill>, SourceError> {
            if self.frames_left == 0 {
                return Ok(None);
            }
            self.frames_left -= 1;
            let fill = self.call.next_frame(rep, prospect)?;
            if self.mute_prospect {
                prospect.fill(0.0);
            }
            Ok(fill)
        }

        fn dropped_samples(&self) -> [u64; 2] {
            self.dropped
        }
    }

    fn warnings(seconds: u64, mute_prospect: bool, dropped: [u64; 2]) -> Vec<Warning> {
        let mut source = Muted::new(seconds, mute_prospect, dropped);
        match crate::session::run_to_end(&mut source, &Config::default(), &mut |_| {}) {
            Ok(result) => result.warnings,
            Err(e) => panic!("synthetic call: {e}"),
        }
    }

    fn codes(warnings: &[Warning]) -> Vec<(WarningCode, Option<Party>)> {
        warnings.iter().map(|w| (w.code, w.party)).collect()
    }

    #[test]
    fn a_call_with_both_sides_speaking_has_no_warning() {
        assert_eq!(warnings(30, false, [0, 0]), []);
    }

    /// No signal for the whole call, once the call is `no_signal_s` (20 s) long; a shorter
    /// call with a silent side gets `no_speech` instead (it never spoke while the rep did).
    #[test]
    fn a_silent_side_gets_no_signal_or_no_speech() {
        let long = warnings(30, true, [0, 0]);
        assert_eq!(
            codes(&long),
            [(WarningCode::NoSignal, Some(Party::Prospect))]
        );
        assert!(
            long[0].message.contains("prospect's side had no signal"),
            "{long:?}"
        );
        let short = warnings(10, true, [0, 0]);
        assert_eq!(
            codes(&short),
            [(WarningCode::NoSpeech, Some(Party::Prospect))]
        );
        assert!(
            short[0].message.contains("never spoke while the rep did"),
            "{short:?}"
        );
    }

    /// `audio_dropped` exactly when the report's `dropped_s` (rounded to the millisecond)
    /// is above 0, for the side that lost audio.
    #[test]
    fn lost_audio_gets_audio_dropped_for_its_side() {
        let w = warnings(12, false, [0, 1600]);
        assert_eq!(
            codes(&w),
            [(WarningCode::AudioDropped, Some(Party::Prospect))]
        );
        assert!(
            w[0].message.contains("0.100 s of the prospect's audio"),
            "{w:?}"
        );
        // 4 samples (0.25 ms) round to a dropped_s of 0: no warning either.
        assert_eq!(warnings(12, false, [4, 0]), []);
    }

    /// Time with analysis paused does not count towards `no_signal_s`: a 30 s call paused
    /// after 5 s is too short for `no_signal`, so its silent side gets `no_speech`.
    #[test]
    fn paused_time_does_not_count_towards_no_signal() {
        let config = Config::default();
        let mut analysis = Analysis::new(&config);
        let mut call = Muted::new(30, true, [0, 0]);
        let (mut rep, mut prospect) = ([0.0; FRAME_LEN_SAMPLES], [0.0; FRAME_LEN_SAMPLES]);
        let mut frames = 0;
        while let Ok(Some(fill)) = call.next_frame(&mut rep, &mut prospect) {
            // Paused from 5 s to the end: 5 s of active audio.
            analysis.set_paused(frames >= 500);
            analysis.push_frame(&rep, &prospect, fill.valid_samples, &mut |_| {});
            frames += 1;
        }
        assert_eq!(analysis.active(), 5 * 16_000);
        let result = analysis.finish(&mut |_| {});
        assert_eq!(
            codes(&result.warnings),
            [(WarningCode::NoSpeech, Some(Party::Prospect))]
        );
    }

    /// Live and in the report alike: pausing analysis inside the demo's first pause (held,
    /// 4.12 s to 6.11 s) takes it out of both, and the pauses the live tracker closes are
    /// the report's.
    #[test]
    fn the_live_pauses_are_the_reports_with_analysis_paused() {
        let config = Config::default();
        let mut analysis = Analysis::new(&config);
        let mut call = Muted::new(40, false, [0, 0]);
        let (mut rep, mut prospect) = ([0.0; FRAME_LEN_SAMPLES], [0.0; FRAME_LEN_SAMPLES]);
        let mut live = Vec::new();
        let mut frames = 0;
        let mut out = |e: LiveEvent| {
            if let LiveEvent::PauseClose { start_s, end_s, .. } = e {
                live.push((s_to_samples(start_s), s_to_samples(end_s)));
            }
        };
        while let Ok(Some(fill)) = call.next_frame(&mut rep, &mut prospect) {
            analysis.set_paused((500..550).contains(&frames));
            analysis.push_frame(&rep, &prospect, fill.valid_samples, &mut out);
            frames += 1;
        }
        let result = analysis.finish(&mut out);
        let report: Vec<(Samples, Samples)> = result
            .metrics
            .pauses
            .iter()
            .filter(|p| p.broken_by != engine::BrokenBy::None)
            .map(|p| (p.span.start, p.span.end))
            .collect();
        assert_eq!(result.paused, [Span::new(80_000, 88_000)]);
        assert!(!report.is_empty());
        assert!(
            report.iter().all(|&(start, _)| start > 88_000),
            "{report:?}"
        );
        assert_eq!(live, report);
    }
}
