//! Voice activity detection, one detector per side: a frame classifier scores each 10 ms
//! frame, and [`SpeechTracker`] turns those raw decisions into speech edges whose end is the
//! true end of speech (hangover only delays the decision, it never stretches the segment).

use crate::timeline::{FRAME_LEN_SAMPLES, Samples};

/// Classifies one analysis frame as speech or not. Implementations allocate everything
/// at construction: `classify` must not allocate.
pub trait FrameClassifier: Send {
    /// Classifies one frame of [`FRAME_LEN_SAMPLES`] samples at the analysis rate.
    /// `reference` is the other side's frame at the same instant, when the caller has it
    /// (the far end, for the rep's microphone: lets a detector reject headset bleed).
    fn classify(&mut self, frame: &[f32], reference: Option<&[f32]>) -> bool;

    /// The band levels (dB, the bands of [`spectral`]) this classifier computed for its
    /// last frame, when it computes them.
    fn last_band_db(&self) -> Option<&[f32; NUM_BANDS]> {
        None
    }

    /// [`classify`](Self::classify), also given `reference_band_db`: the band levels of
    /// `reference` as the other side's classifier computed them from the same frames, so
    /// that they need not be computed twice.
    fn classify_with_levels(
        &mut self,
        frame: &[f32],
        reference: Option<&[f32]>,
        reference_band_db: Option<&[f32; NUM_BANDS]>,
    ) -> bool {
        let _ = reference_band_db;
        self.classify(frame, reference)
    }

    /// A copy in the same state, which goes on from here as this one would, when the
    /// classifier can be copied (the project's own can: a working day's split takes a
    /// copy of a call's analysis where the call may end).
    fn try_clone(&self) -> Option<Box<dyn FrameClassifier>> {
        None
    }
}

/// A change of speech state on one side, at an exact sample position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// Speech starts at this sample.
    Start(Samples),
    /// Speech ends at this sample (exclusive): the true end, back-dated past any hangover.
    End(Samples),
}

pub mod classifier;
pub mod delay;
pub mod features;
pub mod model;
#[allow(clippy::excessive_precision, clippy::unreadable_literal)]
mod model_weights;
pub mod spectral;
pub mod tone;

pub use classifier::ModelClassifier;

pub use spectral::{NUM_BANDS, SpectralClassifier, SpectralParams};

/// How [`SpeechTracker`] turns raw frame decisions into segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackerParams {
    /// Gaps of at most this many non-speech frames between raw-speech frames are filled.
    /// The end of speech is decided `max_gap_frames + 1` frames after the true end.
    pub max_gap_frames: u32,
    /// Bursts (first to last raw-speech frame, gaps included) shorter than this are dropped.
    pub min_speech_frames: u32,
    /// Starts are moved this many frames earlier (never before the previous end): the
    /// classifier needs a frame or two of speech before its score crosses the threshold.
    pub start_preroll_frames: u32,
    /// A burst counts only once it holds a run of this many consecutive raw-speech frames
    /// (a syllable does; a key click or a tap does not, however often it repeats). Until
    /// then, a gap of more than [`UNCONFIRMED_GAP_FRAMES`] restarts the burst.
    pub min_run_frames: u32,
    /// Ends are moved this many frames earlier (never to or before the burst's first
    /// frame): a classifier that looks back in time keeps calling speech for a frame or
    /// two after it ends.
    pub end_trim_frames: u32,
}

/// While a burst is unconfirmed (no run of `min_run_frames` yet), a gap longer than this
/// restarts it at the next raw-speech frame, so a stretch of clicks before speech does not
/// pull the speech's start earlier.
pub const UNCONFIRMED_GAP_FRAMES: u64 = 3;

/// Largest allowed gap fill: the end decision comes at most 150 ms after the true end.
pub const MAX_DECISION_DELAY_FRAMES: u32 = 15;

impl Default for TrackerParams {
    fn default() -> Self {
        TrackerParams {
            max_gap_frames: 14,
            min_speech_frames: 5,
            start_preroll_frames: 2,
            min_run_frames: 4,
            end_trim_frames: 0,
        }
    }
}

/// Turns per-frame classifier decisions into [`Edge`]s with a fixed decision delay.
///
/// A frame is speech when its raw decision is speech, or when it lies in a gap of at most
/// `max_gap_frames` frames between raw-speech frames. A burst shorter than
/// `min_speech_frames` is dropped. Starts are at the first raw-speech frame of a burst
/// (less `start_preroll_frames`) and ends at the last raw-speech frame + 1: the hangover
/// delays the decision, never the end.
pub struct SpeechTracker {
    classifier: Box<dyn FrameClassifier>,
    params: TrackerParams,
    /// Frames pushed so far.
    frames: u64,
    /// The burst in progress: first and last raw-speech frame.
    burst: Option<(u64, u64)>,
    /// True once the burst in progress has been long enough and its start emitted.
    started: bool,
    /// Consecutive raw-speech frames ending at the last frame.
    run: u32,
    /// True once the burst in progress has held a run of `min_run_frames`.
    confirmed: bool,
    /// Frame of the last emitted end (a pre-rolled start never goes before it).
    last_end: u64,
}

impl SpeechTracker {
    /// Wraps a classifier with the default [`TrackerParams`].
    pub fn new(classifier: Box<dyn FrameClassifier>) -> Self {
        Self::with_params(classifier, TrackerParams::default())
    }

    /// Wraps a classifier; `max_gap_frames` is capped so that the end decision comes at
    /// most [`MAX_DECISION_DELAY_FRAMES`] frames after the true end.
    pub fn with_params(classifier: Box<dyn FrameClassifier>, params: TrackerParams) -> Self {
        let params = TrackerParams {
            max_gap_frames: params.max_gap_frames.min(MAX_DECISION_DELAY_FRAMES - 1),
            min_speech_frames: params.min_speech_frames.max(1),
            start_preroll_frames: params.start_preroll_frames,
            min_run_frames: params.min_run_frames.max(1),
            end_trim_frames: params.end_trim_frames,
        };
        SpeechTracker {
            classifier,
            params,
            frames: 0,
            burst: None,
            started: false,
            run: 0,
            confirmed: false,
            last_end: 0,
        }
    }

    /// The parameters in use.
    pub fn params(&self) -> TrackerParams {
        self.params
    }

    /// A copy in the same state, which goes on from here as this one would, when its
    /// classifier can be copied ([`FrameClassifier::try_clone`]).
    pub fn try_clone(&self) -> Option<SpeechTracker> {
        Some(SpeechTracker {
            classifier: self.classifier.try_clone()?,
            params: self.params,
            frames: self.frames,
            burst: self.burst,
            started: self.started,
            run: self.run,
            confirmed: self.confirmed,
            last_end: self.last_end,
        })
    }

    /// While speech is on (its start emitted), where it ends if no more of it comes: the
    /// sample its `End` edge will give unless the speech goes on.
    pub fn speech_end_so_far(&self) -> Option<Samples> {
        match self.burst {
            Some((first, last)) if self.started => Some(to_samples(self.trimmed_end(first, last))),
            _ => None,
        }
    }

    /// Classifies one frame of [`FRAME_LEN_SAMPLES`] samples and emits any edge it decides.
    /// Does not allocate.
    pub fn push(&mut self, frame: &[f32], reference: Option<&[f32]>, out: &mut impl FnMut(Edge)) {
        let speech = self.classifier.classify(frame, reference);
        self.take_decision(speech, out);
    }

    /// [`push`](Self::push) with the reference's band levels from the other side's tracker
    /// ([`SpeechTracker::last_band_db`]) when that tracker saw the same frames.
    pub fn push_with_levels(
        &mut self,
        frame: &[f32],
        reference: Option<&[f32]>,
        reference_band_db: Option<&[f32; NUM_BANDS]>,
        out: &mut impl FnMut(Edge),
    ) {
        let speech = self
            .classifier
            .classify_with_levels(frame, reference, reference_band_db);
        self.take_decision(speech, out);
    }

    /// The band levels the classifier computed for the last frame, if it computes them.
    pub fn last_band_db(&self) -> Option<&[f32; NUM_BANDS]> {
        self.classifier.last_band_db()
    }

    fn take_decision(&mut self, speech: bool, out: &mut impl FnMut(Edge)) {
        let f = self.frames;
        self.frames += 1;
        if speech {
            self.run += 1;
            let first = match self.burst {
                // An unconfirmed burst restarts after a gap of clicks or taps.
                Some((_, last)) if !self.confirmed && f - last > UNCONFIRMED_GAP_FRAMES => f,
                Some((first, _)) => first,
                None => f,
            };
            self.burst = Some((first, f));
            if self.run >= self.params.min_run_frames {
                self.confirmed = true;
            }
            if !self.started
                && self.confirmed
                && f + 1 - first >= u64::from(self.params.min_speech_frames)
            {
                self.started = true;
                out(Edge::Start(to_samples(self.preroll(first))));
            }
        } else if let Some((_, last)) = self.burst {
            self.run = 0;
            // The gap after `last` is now `f - last` frames; past `max_gap_frames` the
            // burst is over.
            if f - last > u64::from(self.params.max_gap_frames) {
                self.close(out);
            }
        }
    }

    /// Flushes the stream: a burst still open ends at its last speech frame (the stream
    /// end when speech runs to the end); a burst too short to count is dropped.
    pub fn finish(&mut self, out: &mut impl FnMut(Edge)) {
        self.close(out);
    }

    fn close(&mut self, out: &mut impl FnMut(Edge)) {
        if let Some((first, last)) = self.burst.take()
            && self.started
        {
            let end = self.trimmed_end(first, last);
            out(Edge::End(to_samples(end)));
            self.last_end = end;
        }
        self.started = false;
        self.confirmed = false;
        self.run = 0;
    }

    /// Where a burst from raw-speech frame `first` to `last` ends (exclusive).
    fn trimmed_end(&self, first: u64, last: u64) -> u64 {
        (last + 1)
            .saturating_sub(u64::from(self.params.end_trim_frames))
            .max(first + 1)
    }

    /// Where a burst whose first raw-speech frame is `first` starts.
    fn preroll(&self, first: u64) -> u64 {
        first
            .saturating_sub(u64::from(self.params.start_preroll_frames))
            .max(self.last_end)
    }

    /// Every edge before this sample has been emitted.
    pub fn decided_until(&self) -> Samples {
        match self.burst {
            // A burst starting at the next frame would be pre-rolled.
            None => to_samples(self.preroll(self.frames)),
            // The burst may still be dropped: its start is undecided.
            Some((first, _)) if !self.started => to_samples(self.preroll(first)),
            // Speech is on: the end, when it comes, is at the trimmed end or later.
            Some((first, last)) => to_samples(self.trimmed_end(first, last)),
        }
    }

    /// Number of frames pushed.
    pub fn frames_pushed(&self) -> u64 {
        self.frames
    }
}

fn to_samples(frame: u64) -> Samples {
    frame * FRAME_LEN_SAMPLES as Samples
}

/// The project's default detector: the learned model over the spectral front end, behind
/// a [`SpeechTracker`] with the settings chosen with the model.
pub fn default_tracker() -> SpeechTracker {
    SpeechTracker::with_params(
        Box::new(ModelClassifier::new()),
        ModelClassifier::tracker_params(),
    )
}

/// The spectral rule alone (mean band SNR with hysteresis) behind a [`SpeechTracker`] with
/// its own settings: the detector before the learned model, kept for comparison.
pub fn spectral_rule_tracker() -> SpeechTracker {
    SpeechTracker::new(Box::new(SpectralClassifier::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replays a fixed list of raw decisions.
    struct Scripted {
        decisions: Vec<bool>,
        pos: usize,
    }

    impl FrameClassifier for Scripted {
        fn classify(&mut self, _frame: &[f32], _reference: Option<&[f32]>) -> bool {
            let d = self.decisions.get(self.pos).copied().unwrap_or(false);
            self.pos += 1;
            d
        }
    }

    /// Runs a script ("1" speech, "0" not) and returns (frame index of each edge push,
    /// edge), edges in frames.
    fn run(script: &str, params: TrackerParams) -> (Vec<(u64, Edge)>, SpeechTracker) {
        let decisions: Vec<bool> = script
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c == '1')
            .collect();
        let n = decisions.len();
        let mut t = SpeechTracker::with_params(Box::new(Scripted { decisions, pos: 0 }), params);
        let frame = [0f32; FRAME_LEN_SAMPLES];
        let mut edges = Vec::new();
        for i in 0..n {
            let before = t.decided_until();
            let already = edges.len();
            t.push(&frame, None, &mut |e| edges.push((i as u64, e)));
            for (_, e) in &edges[already..] {
                let (Edge::Start(s) | Edge::End(s)) = *e;
                assert!(s >= before, "edge at {s} before decided_until {before}");
            }
        }
        t.finish(&mut |e| edges.push((n as u64, e)));
        let frames = edges
            .into_iter()
            .map(|(i, e)| {
                let e = match e {
                    Edge::Start(s) => Edge::Start(s / FRAME_LEN_SAMPLES as u64),
                    Edge::End(s) => Edge::End(s / FRAME_LEN_SAMPLES as u64),
                };
                (i, e)
            })
            .collect();
        (frames, t)
    }

    fn edges_only(v: &[(u64, Edge)]) -> Vec<Edge> {
        v.iter().map(|(_, e)| *e).collect()
    }

    const P: TrackerParams = TrackerParams {
        max_gap_frames: 3,
        min_speech_frames: 2,
        start_preroll_frames: 0,
        min_run_frames: 1,
        end_trim_frames: 0,
    };

    #[test]
    fn fills_short_gaps_and_keeps_true_end() {
        let (e, _) = run("00111001100000000", P);
        assert_eq!(edges_only(&e), vec![Edge::Start(2), Edge::End(9)]);
    }

    #[test]
    fn splits_on_long_gaps() {
        let (e, _) = run("0110000110000", P);
        assert_eq!(
            edges_only(&e),
            vec![Edge::Start(1), Edge::End(3), Edge::Start(7), Edge::End(9)]
        );
    }

    #[test]
    fn end_decided_within_delay() {
        let (e, _) = run("0111100000000000", P);
        // True end at frame 5; decided on pushing frame 5 + max_gap_frames.
        let (at, end) = e[1];
        assert_eq!(end, Edge::End(5));
        assert_eq!(at, 5 + u64::from(P.max_gap_frames));
        assert!(at - 5 < u64::from(MAX_DECISION_DELAY_FRAMES));
    }

    #[test]
    fn drops_short_bursts() {
        let params = TrackerParams {
            max_gap_frames: 2,
            min_speech_frames: 4,
            start_preroll_frames: 0,
            min_run_frames: 1,
            end_trim_frames: 0,
        };
        let (e, _) = run("0100000110000001111000", params);
        assert_eq!(edges_only(&e), vec![Edge::Start(15), Edge::End(19)]);
    }

    #[test]
    fn finish_closes_open_segment_at_stream_end() {
        let (e, t) = run("000111", P);
        assert_eq!(edges_only(&e), vec![Edge::Start(3), Edge::End(6)]);
        assert_eq!(t.frames_pushed(), 6);
        // A short burst at the end is dropped.
        let (e, _) = run("0001", P);
        assert!(e.is_empty());
    }

    #[test]
    fn decided_until_tracks_pending_state() {
        let mut t = SpeechTracker::with_params(
            Box::new(Scripted {
                decisions: "00110000".chars().map(|c| c == '1').collect(),
                pos: 0,
            }),
            P,
        );
        let frame = [0f32; FRAME_LEN_SAMPLES];
        let mut sink = |_e: Edge| {};
        let mut seen = Vec::new();
        for _ in 0..8 {
            t.push(&frame, None, &mut sink);
            seen.push(t.decided_until() / FRAME_LEN_SAMPLES as u64);
        }
        assert_eq!(seen, vec![1, 2, 2, 4, 4, 4, 4, 8]);
    }

    #[test]
    fn bursts_without_a_long_enough_run_are_dropped() {
        let params = TrackerParams {
            max_gap_frames: 3,
            min_speech_frames: 2,
            start_preroll_frames: 0,
            min_run_frames: 3,
            end_trim_frames: 0,
        };
        // Clicks: runs of 2 with short gaps never start speech; the speech after them
        // starts at its own first frame, not at the first click.
        let (e, _) = run("0110110011001100011110000000", params);
        assert_eq!(edges_only(&e), vec![Edge::Start(17), Edge::End(21)]);
        // A short run followed closely by a long one is kept whole.
        let (e, _) = run("0110111100000", params);
        assert_eq!(edges_only(&e), vec![Edge::Start(1), Edge::End(8)]);
    }

    #[test]
    fn delay_is_capped() {
        let t = SpeechTracker::with_params(
            Box::new(Scripted {
                decisions: Vec::new(),
                pos: 0,
            }),
            TrackerParams {
                max_gap_frames: 100,
                min_speech_frames: 1,
                start_preroll_frames: 0,
                min_run_frames: 1,
                end_trim_frames: 0,
            },
        );
        assert_eq!(t.params().max_gap_frames, MAX_DECISION_DELAY_FRAMES - 1);
    }

    #[test]
    fn preroll_moves_starts_but_not_before_previous_end() {
        let params = TrackerParams {
            start_preroll_frames: 2,
            ..P
        };
        let (e, _) = run("000011000001100000", params);
        assert_eq!(
            edges_only(&e),
            vec![Edge::Start(2), Edge::End(6), Edge::Start(9), Edge::End(13)]
        );
        let (e, _) = run("0110000110000", params);
        assert_eq!(
            edges_only(&e),
            vec![Edge::Start(0), Edge::End(3), Edge::Start(5), Edge::End(9)]
        );
    }

    #[test]
    fn end_trim_moves_ends_earlier_but_not_to_the_start() {
        let params = TrackerParams {
            end_trim_frames: 2,
            ..P
        };
        // A 5-frame burst ends 2 frames early; a 2-frame burst keeps its first frame.
        let (e, _) = run("0011111000000110000000", params);
        assert_eq!(
            edges_only(&e),
            vec![Edge::Start(2), Edge::End(5), Edge::Start(13), Edge::End(14)]
        );
    }

    #[test]
    fn default_tracker_ignores_pink_noise() {
        // 10 s of pink noise (Paul Kellet's filter over xorshift white noise) at two levels.
        for gain in [0.3f32, 0.003] {
            let mut state = 0x9e37_79b9_u32;
            let mut b = [0f32; 3];
            let noise: Vec<f32> = (0..160_000)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    let white = state as f32 / u32::MAX as f32 - 0.5;
                    b[0] = 0.99765 * b[0] + white * 0.099_046;
                    b[1] = 0.963 * b[1] + white * 0.296_516_4;
                    b[2] = 0.57 * b[2] + white * 1.052_691_3;
                    gain * (b[0] + b[1] + b[2] + white * 0.1848)
                })
                .collect();
            let mut tracker = default_tracker();
            let mut open: Option<Samples> = None;
            let mut speech: Samples = 0;
            let mut on_edge = |e: Edge| match e {
                Edge::Start(s) => open = Some(s),
                Edge::End(s) => speech += s - open.take().unwrap_or(s),
            };
            for frame in noise.chunks_exact(FRAME_LEN_SAMPLES) {
                tracker.push(frame, None, &mut on_edge);
            }
            tracker.finish(&mut on_edge);
            assert!(
                speech * 100 <= noise.len() as Samples,
                "{speech} samples of speech"
            );
        }
    }
}
