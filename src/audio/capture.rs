//! The capture side of a live session, independent of any audio API: two single-producer
//! single-consumer rings (one per side, filled by the device callbacks) drained into 10 ms
//! frames at the analysis rate, with the far end's clock kept on the rep's.
//!
//! How the two clocks are reconciled (see docs/live-capture.md):
//! - the rep's stream is the master timeline: its samples are resampled at the nominal
//!   ratio and every timestamp is a count of them;
//! - the far end is resampled at the nominal ratio like the rep, then by a fractional-delay
//!   resampler whose ratio (within 0.5% of 1) is trimmed by a slow PI loop. The
//!   loop's error is the *slide*: how far the far end's content, counted in input samples
//!   times the ratio used, has run ahead of the rep's content, both read at the same moment
//!   (one drain of both rings). Sample counts are the only
//!   input; no clock is read, so a test can drive the loop at any speed.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::fractional::FractionalResampler;
use super::resample::{RateError, ToAnalysisRate};
use crate::timeline::{ANALYSIS_RATE_HZ, FRAME_LEN_SAMPLES};

/// Largest correction the loop may apply (relative). Real clocks differ by far less.
const MAX_CORRECTION: f64 = 0.005;
/// Time constant of the low-pass on the measured slide, seconds of rep audio. It averages
/// out the jitter of callback sizes (one callback of 10-20 ms) before the loop sees it.
const SLIDE_SMOOTHING_S: f64 = 2.0;
/// Proportional gain of the loop, per second: a slide of 1 ms changes the ratio by 50 ppm.
const GAIN_P: f64 = 0.05;
/// Integral gain, per second squared (critically damped with `GAIN_P`).
const GAIN_I: f64 = GAIN_P * GAIN_P / 4.0;
/// The ratio is updated at most this often, seconds of rep audio.
const UPDATE_EVERY_S: f64 = 0.1;
/// A slide beyond this is no clock drift (held at a few milliseconds once the loop has
/// settled, and never more than 0.5 % of a drain's time) but one side's audio arriving
/// late: after tacet or its client thread was held up, what waited in the sound server
/// comes in faster for one stream than for the other. The loop holds its ratio and its
/// integral until the slide is back within this, instead of stretching the far end by
/// tens of milliseconds to follow a delivery backlog.
const HOLD_ABOVE_S: f64 = 0.15;
/// A slide beyond [`HOLD_ABOVE_S`] for this long (rep time) is a lasting offset, not a
/// backlog: the loop takes it as its new zero and goes on correcting the drift around it.
const REANCHOR_AFTER_S: f64 = 20.0;

/// Keeps the far end's content on the rep's timeline: a PI loop on the smoothed slide.
/// Pure arithmetic on sample counts, so it is tested at any speed.
#[derive(Debug, Clone)]
pub struct DriftLoop {
    smoothed_s: f64,
    /// The slide taken as zero (moved by a lasting offset).
    offset_s: f64,
    /// Since when (rep time) the loop holds because the slide is beyond [`HOLD_ABOVE_S`].
    held_since_s: Option<f64>,
    integral: f64,
    last_t_s: Option<f64>,
    last_update_s: f64,
    correction: f64,
}

impl Default for DriftLoop {
    fn default() -> Self {
        DriftLoop::new()
    }
}

impl DriftLoop {
    /// A loop with no correction yet.
    pub fn new() -> DriftLoop {
        DriftLoop {
            smoothed_s: 0.0,
            offset_s: 0.0,
            held_since_s: None,
            integral: 0.0,
            last_t_s: None,
            last_update_s: 0.0,
            correction: 0.0,
        }
    }

    /// Feeds one measurement: at rep time `t_s`, the far end is `slide_s` ahead of where it
    /// should be. Returns the new relative ratio for the far end's resampler when it changed.
    pub fn observe(&mut self, t_s: f64, raw_slide_s: f64) -> Option<f64> {
        let slide_s = raw_slide_s - self.offset_s;
        if self.last_t_s.is_some() && slide_s.abs() > HOLD_ABOVE_S {
            // One side's audio is late: hold everything until it has come in.
            let since = *self.held_since_s.get_or_insert(t_s);
            self.last_t_s = Some(t_s);
            if t_s - since >= REANCHOR_AFTER_S {
                self.offset_s = raw_slide_s;
                self.smoothed_s = 0.0;
                self.held_since_s = None;
            }
            return None;
        }
        // Resume from where the loop was before the late stretch: its low-pass never saw it.
        self.held_since_s = None;
        let Some(last) = self.last_t_s else {
            self.last_t_s = Some(t_s);
            self.last_update_s = t_s;
            self.smoothed_s = slide_s;
            return None;
        };
        let dt = (t_s - last).max(0.0);
        self.last_t_s = Some(t_s);
        // One-pole low-pass, exact for any step.
        let a = 1.0 - (-dt / SLIDE_SMOOTHING_S).exp();
        self.smoothed_s += a * (slide_s - self.smoothed_s);
        self.integral =
            (self.integral + GAIN_I * self.smoothed_s * dt).clamp(-MAX_CORRECTION, MAX_CORRECTION);
        if t_s - self.last_update_s < UPDATE_EVERY_S {
            return None;
        }
        self.last_update_s = t_s;
        // The far end runs ahead by `smoothed_s`: produce fewer samples per input sample.
        self.correction =
            (self.integral + GAIN_P * self.smoothed_s).clamp(-MAX_CORRECTION, MAX_CORRECTION);
        Some(1.0 - self.correction)
    }

    /// The current relative ratio.
    pub fn ratio_relative(&self) -> f64 {
        1.0 - self.correction
    }

    /// The estimated rate error of the far end against the rep (the integral term), relative.
    pub fn estimated_skew(&self) -> f64 {
        self.integral
    }
}

/// The far end's resampler: any rate to the analysis rate, with an adjustable ratio. The
/// nominal conversion is the same band-limiting resampler the rep's side uses; the drift
/// trim (a ratio within [`MAX_CORRECTION`] of 1) is then a fractional delay at the analysis
/// rate.
struct FarResampler {
    nominal: ToAnalysisRate,
    at_rate: VecDeque<f32>,
    trim: FractionalResampler,
}

impl FarResampler {
    fn new(rate_hz: u32) -> Result<FarResampler, RateError> {
        Ok(FarResampler {
            nominal: ToAnalysisRate::new(rate_hz)?,
            at_rate: VecDeque::with_capacity(ANALYSIS_RATE_HZ as usize),
            trim: FractionalResampler::new(),
        })
    }

    fn set_ratio_relative(&mut self, rel: f64) {
        self.trim.set_ratio(rel);
    }

    fn push(&mut self, input: &[f32], out: &mut VecDeque<f32>) {
        self.nominal.push(input, &mut self.at_rate);
        let (a, b) = self.at_rate.as_slices();
        self.trim.push(a, out);
        self.trim.push(b, out);
        self.at_rate.clear();
    }
}

/// Samples a device callback could not push (its ring was full), and where they belong:
/// after the first `at` samples it did push. The capture side puts as many zeros there,
/// so the timeline stays a count of the device's samples (docs/live-capture.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    /// Samples pushed into the ring before the lost ones.
    pub at: u64,
    /// Samples lost.
    pub len: u64,
}

/// Capacity of a side's ring of [`Gap`]s. A callback records at most one gap; if the
/// capture side has not read this many, the callback adds the next loss to the following
/// record (the silence then lands a little later, the count stays exact).
pub const GAP_RECORDS: usize = 4096;

/// One side's ring as the capture side sees it.
pub struct SideRing {
    /// Samples from the device callback (mono, the device's rate).
    pub consumer: rtrb::Consumer<f32>,
    /// The device's sample rate.
    pub rate_hz: u32,
    /// Samples the callback could not push (ring full), at the device's rate.
    pub dropped: Arc<AtomicU64>,
    /// Where those samples were lost, in the order they were.
    pub gaps: rtrb::Consumer<Gap>,
}

impl std::fmt::Debug for SideRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SideRing")
            .field("rate_hz", &self.rate_hz)
            .finish_non_exhaustive()
    }
}

/// Drains both rings into matching frames at the analysis rate.
pub struct CaptureCore {
    rings: [SideRing; 2],
    rep_rs: ToAnalysisRate,
    far: FarOrLocked,
    fifos: [VecDeque<f32>; 2],
    scratch: [Vec<f32>; 2],
    /// Input samples per side on the timeline: read, and zeros put where samples were lost.
    in_total: [u64; 2],
    /// Samples read from each side's ring (the device's own, without the zeros).
    read_total: [u64; 2],
    /// The far end's input so far, in seconds of the rep's timeline (ratio applied).
    far_pos_s: f64,
    aligned: bool,
    drift: DriftLoop,
}

impl std::fmt::Debug for CaptureCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureCore")
            .field("rings", &self.rings)
            .finish_non_exhaustive()
    }
}

enum FarOrLocked {
    /// Two devices, two clocks: the far end follows the rep.
    Corrected(Box<FarResampler>),
    /// One device (both sides are channels of it): one clock, a fixed ratio.
    Locked(Box<ToAnalysisRate>),
}

/// What one drain of the rings read, per side, in device samples.
pub type Drained = [usize; 2];

impl CaptureCore {
    /// A core over the rep's and the prospect's rings. `same_clock` when both come from one
    /// device (no drift to correct).
    ///
    /// # Errors
    /// [`RateError`] when a device's rate cannot be resampled.
    pub fn new(rings: [SideRing; 2], same_clock: bool) -> Result<CaptureCore, RateError> {
        let rep_rs = ToAnalysisRate::new(rings[0].rate_hz)?;
        let far = if same_clock {
            FarOrLocked::Locked(Box::new(ToAnalysisRate::new(rings[1].rate_hz)?))
        } else {
            FarOrLocked::Corrected(Box::new(FarResampler::new(rings[1].rate_hz)?))
        };
        let scratch = [
            Vec::with_capacity(rings[0].consumer.buffer().capacity()),
            Vec::with_capacity(rings[1].consumer.buffer().capacity()),
        ];
        Ok(CaptureCore {
            rings,
            rep_rs,
            far,
            fifos: [
                VecDeque::with_capacity(ANALYSIS_RATE_HZ as usize * 8),
                VecDeque::with_capacity(ANALYSIS_RATE_HZ as usize * 8),
            ],
            scratch,
            in_total: [0, 0],
            read_total: [0, 0],
            far_pos_s: 0.0,
            aligned: same_clock,
            drift: DriftLoop::new(),
        })
    }

    /// Copies what the ring holds into `out`, with zeros where the callback recorded lost
    /// samples, as many as make `out` at most `max_out` long (the rest of a gap is never
    /// put on the timeline; what the ring holds always is). `read` counts the ring's
    /// samples read so far (the callback's `at`). Returns the samples read from the ring
    /// (without the zeros).
    fn read_ring(ring: &mut SideRing, read: &mut u64, out: &mut Vec<f32>, max_out: u64) -> usize {
        out.clear();
        let n = ring.consumer.slots();
        let mut zeros_left = max_out.saturating_sub(n as u64);
        let start = *read;
        let end = start + n as u64;
        let Ok(chunk) = ring.consumer.read_chunk(n) else {
            return 0;
        };
        let (a, b) = chunk.as_slices();
        // Samples [from, to) of this read, across the ring's two slices.
        let copy = |out: &mut Vec<f32>, from: usize, to: usize| {
            if from < a.len() {
                out.extend_from_slice(&a[from..to.min(a.len())]);
            }
            if to > a.len() {
                out.extend_from_slice(&b[from.saturating_sub(a.len())..to - a.len()]);
            }
        };
        // The gaps are read after the samples: the callback records a gap before it
        // pushes anything that follows it, so every gap up to `end` is visible here.
        let mut taken = 0;
        while let Ok(gap) = ring.gaps.peek() {
            if gap.at > end {
                break;
            }
            let gap = *gap;
            let _ = ring.gaps.pop();
            let upto = usize::try_from(gap.at.saturating_sub(start))
                .unwrap_or(n)
                .max(taken);
            copy(out, taken, upto);
            taken = upto;
            let zeros = gap.len.min(zeros_left);
            zeros_left -= zeros;
            out.resize(out.len() + usize::try_from(zeros).unwrap_or(0), 0.0);
        }
        copy(out, taken, n);
        chunk.commit_all();
        *read = end;
        n
    }

    /// Drains both rings (one moment for both), resamples, and trims the far end's ratio.
    /// Returns the samples each side's device delivered (lost samples, put on the timeline
    /// as zeros, are not counted here).
    pub fn pump(&mut self) -> Drained {
        self.pump_within([u64::MAX; 2])
    }

    /// [`CaptureCore::pump`] for a timeline that may hold at most `allowed` samples of each
    /// side (at its device rate, lost ones included): what a device lost beyond that is
    /// not put on the timeline as zeros. A device with no clock behind it "loses" tens of
    /// thousands of seconds a second at a full ring; the cap keeps one drain from turning
    /// that into gigabytes of silence before the pace check ends the session.
    pub fn pump_within(&mut self, allowed: [u64; 2]) -> Drained {
        let mut got = [0usize; 2];
        // Read both rings before processing either, so their counts describe one moment.
        let [s0, s1] = &mut self.scratch;
        let [r0, r1] = &mut self.read_total;
        let room = |side: usize| allowed[side].saturating_sub(self.in_total[side]);
        let (room0, room1) = (room(0), room(1));
        got[0] = Self::read_ring(&mut self.rings[0], r0, s0, room0);
        got[1] = Self::read_ring(&mut self.rings[1], r1, s1, room1);
        // Samples on the timeline, zeros for lost ones included.
        let (n_rep, n_far) = (s0.len(), s1.len());
        if n_rep > 0 {
            self.rep_rs.push(&s0[..n_rep], &mut self.fifos[0]);
        }
        self.in_total[0] += n_rep as u64;
        let rep_pos_s = self.in_total[0] as f64 / f64::from(self.rings[0].rate_hz);
        let far_rate = f64::from(self.rings[1].rate_hz);
        match &mut self.far {
            FarOrLocked::Locked(rs) => {
                if n_far > 0 {
                    rs.push(&s1[..n_far], &mut self.fifos[1]);
                }
            }
            FarOrLocked::Corrected(rs) => {
                if !self.aligned && self.in_total[0] > 0 && n_far > 0 {
                    // Both streams have started: pad the one that started later with
                    // silence so both begin at the same moment of the rep's timeline.
                    self.aligned = true;
                    let lag_s = rep_pos_s - n_far as f64 / far_rate;
                    let pad = (lag_s.abs() * f64::from(ANALYSIS_RATE_HZ)).round() as usize;
                    if lag_s > 0.0 {
                        self.fifos[1].extend(std::iter::repeat_n(0.0, pad));
                        self.far_pos_s += lag_s;
                    } else {
                        self.fifos[0].extend(std::iter::repeat_n(0.0, pad));
                        self.far_pos_s += lag_s;
                    }
                }
                if n_far > 0 {
                    rs.push(&s1[..n_far], &mut self.fifos[1]);
                    self.far_pos_s += n_far as f64 / far_rate * self.drift.ratio_relative();
                }
                if self.aligned {
                    let slide_s = self.far_pos_s - rep_pos_s;
                    if let Some(rel) = self.drift.observe(rep_pos_s, slide_s) {
                        rs.set_ratio_relative(rel);
                    }
                }
            }
        }
        self.in_total[1] += n_far as u64;
        got
    }

    /// Pops one frame of each side if both have one.
    pub fn pop_frame(&mut self, rep: &mut [f32], prospect: &mut [f32]) -> bool {
        if self.fifos[0].len() < FRAME_LEN_SAMPLES || self.fifos[1].len() < FRAME_LEN_SAMPLES {
            return false;
        }
        for (side, out) in [rep, prospect].into_iter().enumerate() {
            for (o, v) in out
                .iter_mut()
                .zip(self.fifos[side].drain(..FRAME_LEN_SAMPLES))
            {
                *o = v;
            }
        }
        true
    }

    /// Samples each side's device has produced so far, at its own rate: read, waiting in
    /// the ring, and dropped because the ring was full.
    pub fn produced(&self) -> [u64; 2] {
        let of = |side: usize| {
            let r = &self.rings[side];
            self.read_total[side] + r.consumer.slots() as u64 + r.dropped.load(Ordering::Relaxed)
        };
        [of(0), of(1)]
    }

    /// The device rate of each side, Hz.
    pub fn rates_hz(&self) -> [u32; 2] {
        [self.rings[0].rate_hz, self.rings[1].rate_hz]
    }

    /// Samples lost to full rings, per side, at the analysis rate.
    pub fn dropped_samples(&self) -> [u64; 2] {
        let conv = |r: &SideRing| {
            r.dropped.load(Ordering::Relaxed) * u64::from(ANALYSIS_RATE_HZ) / u64::from(r.rate_hz)
        };
        [conv(&self.rings[0]), conv(&self.rings[1])]
    }

    /// The drift loop (for tests and statistics).
    pub fn drift(&self) -> &DriftLoop {
        &self.drift
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 20 ms 1 kHz burst every 60 s (starting at 30 s), as a function of wall time.
    fn burst(t_s: f64) -> f32 {
        let phase = (t_s + 30.0) % 60.0;
        if phase < 0.02 {
            (0.5 * (phase * 1000.0 * std::f64::consts::TAU).sin()) as f32
        } else {
            0.0
        }
    }

    fn rings(capacity: usize, rate_hz: u32) -> ([SideRing; 2], [rtrb::Producer<f32>; 2]) {
        let (rings, producers, _) = rings_with_gaps(capacity, rate_hz);
        (rings, producers)
    }

    type GapFeed = [(rtrb::Producer<Gap>, Arc<AtomicU64>); 2];

    fn rings_with_gaps(
        capacity: usize,
        rate_hz: u32,
    ) -> ([SideRing; 2], [rtrb::Producer<f32>; 2], GapFeed) {
        let (p0, c0) = rtrb::RingBuffer::new(capacity);
        let (p1, c1) = rtrb::RingBuffer::new(capacity);
        let (g0, h0) = rtrb::RingBuffer::new(GAP_RECORDS);
        let (g1, h1) = rtrb::RingBuffer::new(GAP_RECORDS);
        let (d0, d1) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let side = |consumer, gaps, dropped: &Arc<AtomicU64>| SideRing {
            consumer,
            rate_hz,
            dropped: Arc::clone(dropped),
            gaps,
        };
        (
            [side(c0, h0, &d0), side(c1, h1, &d1)],
            [p0, p1],
            [(g0, d0), (g1, d1)],
        )
    }

    /// Onsets of bursts in one side's output (sample index of the first loud sample after
    /// at least half a second of quiet).
    #[derive(Default)]
    struct Onsets {
        quiet: usize,
        found: Vec<u64>,
    }

    impl Onsets {
        fn scan(&mut self, frame: &[f32], start: u64) {
            for (i, &v) in frame.iter().enumerate() {
                if v.abs() > 0.1 {
                    if self.quiet > ANALYSIS_RATE_HZ as usize / 2 {
                        self.found.push(start + i as u64);
                    }
                    self.quiet = 0;
                } else {
                    self.quiet += 1;
                }
            }
        }
    }

    /// Runs `duration_s` of two simulated devices, the far end's clock off by `skew`
    /// (relative), pushed as fast as the machine goes: the wall clock is simulated.
    /// Returns the slide of each burst (far minus rep, relative to the first), samples.
    fn run(rate_hz: u32, duration_s: f64, skew: f64, correct: bool) -> (Vec<i64>, f64) {
        let (rings, mut producers) = rings(rate_hz as usize, rate_hz);
        let mut core = CaptureCore::new(rings, !correct).expect("core");
        let rates = [f64::from(rate_hz), f64::from(rate_hz) * (1.0 + skew)];
        let mut pushed = [0u64; 2];
        let mut onsets = [Onsets::default(), Onsets::default()];
        let mut rep = [0.0f32; FRAME_LEN_SAMPLES];
        let mut far = [0.0f32; FRAME_LEN_SAMPLES];
        let mut out_pos = 0u64;
        let steps = (duration_s * 100.0) as u64;
        for step in 1..=steps {
            let t = step as f64 / 100.0;
            for side in 0..2 {
                // The far end's callbacks come every 20 ms, the rep's every 10 ms.
                if side == 1 && step % 2 == 1 {
                    continue;
                }
                let due = (rates[side] * t) as u64;
                let n = (due - pushed[side]) as usize;
                let Ok(chunk) = producers[side].write_chunk_uninit(n) else {
                    panic!("ring full");
                };
                let base = pushed[side];
                let r = rates[side];
                // Most chunks hold no burst: skip the per-sample work there.
                let (t0, t1) = (base as f64 / r, due as f64 / r);
                let near = (t0 + 30.0) % 60.0 < 0.03 || (t1 + 30.0) % 60.0 < 0.03;
                if near {
                    chunk.fill_from_iter((0..n as u64).map(|j| burst((base + j) as f64 / r)));
                } else {
                    chunk.fill_from_iter(std::iter::repeat_n(0.0, n));
                }
                pushed[side] = due;
            }
            core.pump();
            while core.pop_frame(&mut rep, &mut far) {
                onsets[0].scan(&rep, out_pos);
                onsets[1].scan(&far, out_pos);
                out_pos += FRAME_LEN_SAMPLES as u64;
            }
        }
        let [a, b] = &onsets;
        assert_eq!(a.found.len(), b.found.len(), "bursts found per side");
        let first = b.found[0] as i64 - a.found[0] as i64;
        let slides = a
            .found
            .iter()
            .zip(&b.found)
            .map(|(&r, &f)| f as i64 - r as i64 - first)
            .collect();
        (slides, core.drift().estimated_skew())
    }

    #[test]
    fn an_hour_at_100_ppm_slides_less_than_20_ms() {
        // Devices at 16 kHz keep this hour fast in debug builds; the 48 kHz path (the
        // decimator at 1/3 before the trim) is covered by the shorter tests below.
        let (slides, skew) = run(16_000, 3600.0, 100e-6, true);
        assert_eq!(slides.len(), 60);
        let worst = slides.iter().map(|s| s.abs()).max().unwrap_or(0);
        let worst_ms = worst as f64 / 16.0;
        eprintln!(
            "drift: 100 ppm over 1 h, worst slide {worst_ms:.2} ms, last {:.2} ms, skew estimate {:.1} ppm",
            slides[slides.len() - 1] as f64 / 16.0,
            skew * 1e6
        );
        assert!(worst_ms < 20.0, "slides (samples): {slides:?}");
        assert!((skew - 100e-6).abs() < 10e-6, "skew estimate {skew}");
    }

    #[test]
    fn without_correction_the_same_skew_slides_by_its_full_amount() {
        // Five minutes at 100 ppm: the last burst (240 s after the first) is 24 ms late
        // if nothing corrects it.
        let (slides, _) = run(48_000, 300.0, 100e-6, false);
        let last_ms = slides[slides.len() - 1] as f64 / 16.0;
        assert!((last_ms - 24.0).abs() < 2.0, "last slide {last_ms} ms");
    }

    #[test]
    fn slow_far_end_is_pulled_back_too() {
        let (slides, skew) = run(48_000, 300.0, -150e-6, true);
        let worst = slides.iter().map(|s| s.abs()).max().unwrap_or(0);
        assert!(worst < 320, "slides (samples): {slides:?}");
        assert!((skew + 150e-6).abs() < 30e-6, "skew estimate {skew}");
    }

    #[test]
    fn the_sample_clock_stops_with_the_side_that_stops() {
        // Both sides deliver 1 s; then only the rep, for 2 s more.
        let (rings, mut producers) = rings(48_000, 48_000);
        let mut core = CaptureCore::new(rings, false).expect("core");
        let mut rep = [0.0f32; FRAME_LEN_SAMPLES];
        let mut far = [0.0f32; FRAME_LEN_SAMPLES];
        let mut frames = 0u64;
        for step in 0..300 {
            for (side, producer) in producers.iter_mut().enumerate() {
                if side == 1 && step >= 100 {
                    continue;
                }
                let Ok(chunk) = producer.write_chunk_uninit(480) else {
                    panic!("ring full");
                };
                chunk.fill_from_iter(std::iter::repeat_n(0.1, 480));
            }
            core.pump();
            while core.pop_frame(&mut rep, &mut far) {
                frames += 1;
            }
        }
        // 1 s of both is 100 frames (less what the resamplers still hold).
        assert!((95..=100).contains(&frames), "{frames} frames");
        assert_eq!(core.produced(), [300 * 480, 100 * 480]);
    }

    #[test]
    fn lost_samples_become_zeros_where_they_were_lost() {
        // 16 kHz devices (no resampling): the rep loses 800 samples after its first 1600,
        // read in two drains; the far end loses 320 at the very start of a drain.
        let (rings, mut producers, mut feed) = rings_with_gaps(4800, 16_000);
        let mut core = CaptureCore::new(rings, true).expect("core");
        let mut push = |side: usize, n: usize| {
            let Ok(chunk) = producers[side].write_chunk_uninit(n) else {
                panic!("ring full");
            };
            chunk.fill_from_iter(std::iter::repeat_n(0.25, n));
        };
        let mut lose = |side: usize, at: u64, len: u64| {
            let (gaps, dropped) = &mut feed[side];
            assert!(gaps.push(Gap { at, len }).is_ok());
            dropped.fetch_add(len, Ordering::Relaxed);
        };
        push(0, 1000);
        push(1, 1600);
        assert_eq!(core.pump(), [1000, 1600]);
        push(0, 600);
        lose(0, 1600, 800);
        push(0, 1600);
        lose(1, 1600, 320);
        push(1, 1280 + 1600);
        assert_eq!(core.pump(), [2200, 2880]);
        let (mut rep, mut far) = ([0.0f32; FRAME_LEN_SAMPLES], [0.0f32; FRAME_LEN_SAMPLES]);
        let mut sides = [Vec::new(), Vec::new()];
        while core.pop_frame(&mut rep, &mut far) {
            sides[0].extend_from_slice(&rep);
            sides[1].extend_from_slice(&far);
        }
        // The timeline holds what was delivered plus what was lost, to the sample.
        assert_eq!(sides[0].len(), 4000);
        assert_eq!(core.produced(), [3200 + 800, 4480 + 320]);
        assert_eq!(core.dropped_samples(), [800, 320]);
        let zeros = |v: &[f32]| -> Vec<(usize, usize)> {
            let mut runs = Vec::new();
            for (i, &x) in v.iter().enumerate() {
                if x == 0.0 {
                    match runs.last_mut() {
                        Some((_, end)) if *end == i => *end = i + 1,
                        _ => runs.push((i, i + 1)),
                    }
                }
            }
            runs
        };
        assert_eq!(zeros(&sides[0]), vec![(1600, 2400)]);
        assert_eq!(zeros(&sides[1]), vec![(1600, 1920)]);
    }

    #[test]
    fn a_drain_puts_no_more_lost_samples_on_the_timeline_than_allowed() {
        // A device with no clock: 1600 samples read, then an hour "lost" at a full ring.
        let (rings, mut producers, mut feed) = rings_with_gaps(4800, 16_000);
        let mut core = CaptureCore::new(rings, true).expect("core");
        for producer in &mut producers {
            let Ok(chunk) = producer.write_chunk_uninit(1600) else {
                panic!("ring full");
            };
            chunk.fill_from_iter(std::iter::repeat_n(0.25, 1600));
        }
        let hour = 3600 * 16_000;
        let (gaps, dropped) = &mut feed[0];
        assert!(
            gaps.push(Gap {
                at: 1600,
                len: hour
            })
            .is_ok()
        );
        dropped.fetch_add(hour, Ordering::Relaxed);
        assert_eq!(core.pump_within([4800, 4800]), [1600, 1600]);
        let (mut rep, mut far) = ([0.0f32; FRAME_LEN_SAMPLES], [0.0f32; FRAME_LEN_SAMPLES]);
        let mut frames = 0;
        while core.pop_frame(&mut rep, &mut far) {
            frames += 1;
        }
        // The far end's 1600 samples pair with the rep's first 1600; of the rep's silence
        // only 3200 samples were put on the timeline, not an hour.
        assert_eq!(frames, 10);
        assert_eq!(core.fifos[0].len(), 3200);
        // What the device produced is still counted in full, for the pace check.
        assert_eq!(core.produced()[0], 1600 + hour);
    }

    #[test]
    fn the_loop_settles_on_a_constant_skew() {
        // The loop alone: the far end gains `skew` seconds per second unless corrected.
        let mut l = DriftLoop::new();
        let skew = 200e-6;
        let mut slide = 0.0;
        let mut t = 0.0;
        let dt = 0.01;
        let mut worst: f64 = 0.0;
        while t < 1800.0 {
            slide += (skew - (1.0 - l.ratio_relative())) * dt;
            l.observe(t, slide);
            worst = worst.max(slide.abs());
            t += dt;
        }
        assert!(worst < 0.01, "worst slide {worst} s");
        assert!(slide.abs() < 0.0005, "final slide {slide} s");
        assert!((l.estimated_skew() - skew).abs() < 2e-6);
    }

    #[test]
    fn a_delivery_backlog_does_not_move_the_ratio() {
        // Settled at 100 ppm; then the far end's audio comes in late (tacet was stopped
        // for 3 s and the far end's backlog drains more slowly than the rep's): the slide
        // falls to -1.2 s, and comes back over 6 s.
        let mut l = DriftLoop::new();
        let skew = 100e-6;
        let (mut slide, mut t, dt) = (0.0, 0.0, 0.05);
        while t < 600.0 {
            slide += (skew - (1.0 - l.ratio_relative())) * dt;
            l.observe(t, slide);
            t += dt;
        }
        let settled = l.ratio_relative();
        let mut far_shift: f64 = 0.0;
        let mut late = 1.2;
        while late > 0.0 {
            slide += (skew - (1.0 - l.ratio_relative())) * dt;
            far_shift += (l.ratio_relative() - settled) * dt;
            l.observe(t, slide - late);
            late -= 0.2 * dt;
            t += dt;
        }
        for _ in 0..200 {
            slide += (skew - (1.0 - l.ratio_relative())) * dt;
            far_shift += (l.ratio_relative() - settled) * dt;
            l.observe(t, slide);
            t += dt;
        }
        // The far end moved by less than 5 ms against where it would have been.
        assert!(far_shift.abs() < 0.005, "far end moved {far_shift} s");
        // The integral took in a little of the backlog's tail (below the hold) and gives
        // it back over the next minutes.
        let off = l.estimated_skew() - skew;
        assert!(off.abs() < 100e-6, "skew estimate off by {off}");
    }

    #[test]
    fn a_lasting_offset_becomes_the_new_zero() {
        let mut l = DriftLoop::new();
        let mut t = 0.0;
        while t < 10.0 {
            l.observe(t, 0.0);
            t += 0.05;
        }
        // The slide steps by 0.5 s and stays there: held for 20 s, then the new zero.
        while t < 29.9 {
            assert_eq!(l.observe(t, 0.5), None);
            t += 0.05;
        }
        while t < 60.0 {
            l.observe(t, 0.5);
            t += 0.05;
        }
        assert!(
            (l.ratio_relative() - 1.0).abs() < 1e-6,
            "{}",
            l.ratio_relative()
        );
    }
}
