//! Where the far end's bleed lies in time: the delay from the far-end reference to its leak
//! into the rep's microphone, estimated from binary spectra.
//!
//! The reference is what the softphone hands to the sound card; the earpiece plays it a
//! playback buffer later (tens to hundreds of milliseconds on a desktop sound server), so
//! the leak can reach the microphone well after the reference frame that caused it. Each
//! frame, each side's spectrum is reduced to one bit per band (the band is active: above
//! its floor by a margin), and for every candidate delay the share of the delayed far end's
//! active bands that are active in the microphone too is kept (smoothed), an idea taken
//! from the binary-spectrum delay estimator of WebRTC's echo canceller. The delay at which
//! the far end's bands light up the microphone's is the bleed's, once it stands clearly
//! above the others. Allocation-free: fixed arrays, a few dozen popcounts per frame.

/// The longest delay searched, in 10 ms frames (400 ms).
pub const MAX_DELAY_FRAMES: usize = 40;

/// Smoothing of the counts per update (a time constant of about 2 s of far-end activity).
const ALPHA: f32 = 0.005;
/// Updates (frames with far-end activity within the searched delays) before any estimate.
const MIN_UPDATES: u32 = 150;
/// Updates in a row a new delay must win before it is taken (1 s of far-end activity).
const CONFIRM_UPDATES: u32 = 50;
/// An estimate stands when, at that delay, at least this share of the far end's active
/// bands are active in the microphone too...
const MIN_HIT_RATE: f32 = 0.25;
/// ...this much more than the mean over all delays (the rep's own speech lights bands at
/// every delay alike)...
const MIN_HIT_MARGIN: f32 = 0.15;
/// ...and it replaces the current estimate when its share is this much higher.
const SWITCH_MARGIN: f32 = 0.05;

/// The delay estimator (see the module docs).
#[derive(Debug, Clone)]
pub struct DelayEstimator {
    /// The far end's band bits of the last frames, a ring indexed by `pos`.
    far_bits: [u32; MAX_DELAY_FRAMES + 1],
    pos: usize,
    /// Frames among the ring's with any active far-end band.
    far_active_frames: usize,
    /// Smoothed count per delay of bands active in both the microphone and the delayed far
    /// end...
    both: [f32; MAX_DELAY_FRAMES + 1],
    /// ...and of bands active in the delayed far end.
    far: [f32; MAX_DELAY_FRAMES + 1],
    updates: u32,
    delay_frames: usize,
    /// Frames pushed, up to the ring's length (delays beyond it have no far end yet).
    frames: usize,
    /// The delay that would replace the current one, and for how many updates in a row.
    candidate: (usize, u32),
}

impl Default for DelayEstimator {
    fn default() -> Self {
        Self::new()
    }
}

impl DelayEstimator {
    /// An estimator with no history: the delay reads 0 until one stands out.
    pub fn new() -> Self {
        DelayEstimator {
            far_bits: [0; MAX_DELAY_FRAMES + 1],
            pos: 0,
            far_active_frames: 0,
            both: [0.0; MAX_DELAY_FRAMES + 1],
            far: [0.0; MAX_DELAY_FRAMES + 1],
            updates: 0,
            delay_frames: 0,
            frames: 0,
            candidate: (0, 0),
        }
    }

    /// Takes one frame's active bands (bit `b` for band `b`) of the microphone and of the
    /// far end, and returns the bleed's delay in frames.
    pub fn push(&mut self, mic_bits: u32, far_bits: u32) -> usize {
        let ring = self.far_bits.len();
        self.pos = (self.pos + 1) % ring;
        let leaving = self.far_bits[self.pos];
        self.far_active_frames -= usize::from(leaving != 0);
        self.far_bits[self.pos] = far_bits;
        self.far_active_frames += usize::from(far_bits != 0);
        self.frames = (self.frames + 1).min(ring);
        if self.far_active_frames == 0 || self.frames < ring {
            // Nothing the far end said can be in the microphone: no evidence either way.
            return self.delay_frames;
        }
        for d in 0..ring {
            let far = self.far_bits[(self.pos + ring - d) % ring];
            self.both[d] += ALPHA * ((mic_bits & far).count_ones() as f32 - self.both[d]);
            self.far[d] += ALPHA * (far.count_ones() as f32 - self.far[d]);
        }
        self.updates = self.updates.saturating_add(1);
        if self.updates < MIN_UPDATES {
            return self.delay_frames;
        }
        let rate = |d: usize| self.both[d] / self.far[d].max(1e-3);
        let (best, best_rate) = (0..ring)
            .map(|d| (d, rate(d)))
            .fold((0, f32::NEG_INFINITY), |a, b| if b.1 > a.1 { b } else { a });
        let mean = (0..ring).map(rate).sum::<f32>() / ring as f32;
        let wins = best != self.delay_frames
            && best_rate >= MIN_HIT_RATE
            && best_rate >= mean + MIN_HIT_MARGIN
            && best_rate >= rate(self.delay_frames) + SWITCH_MARGIN;
        self.candidate = match (wins, self.candidate) {
            (false, _) => (best, 0),
            (true, (d, n)) if d == best => (best, n + 1),
            (true, _) => (best, 1),
        };
        if self.candidate.1 >= CONFIRM_UPDATES {
            self.delay_frames = best;
            self.candidate = (best, 0);
        }
        self.delay_frames
    }

    /// The current estimate, in frames.
    pub fn delay_frames(&self) -> usize {
        self.delay_frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Lcg(u32);

    impl Lcg {
        fn next(&mut self) -> u32 {
            self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            self.0 >> 8
        }
    }

    /// Onset bits of a talker: in one frame of ten, a few bands start at once.
    fn onsets(n: usize, seed: u32) -> Vec<u32> {
        let mut rng = Lcg(seed);
        (0..n)
            .map(|_| {
                if rng.next().is_multiple_of(10) {
                    (rng.next() & rng.next() & 0x3ffff) | 1 << (rng.next() % 18)
                } else {
                    0
                }
            })
            .collect()
    }

    /// The microphone: the far end `delay` frames late with a third of its bands lost
    /// under the microphone's floor, and the rep's own onsets.
    fn mic(far: &[u32], rep: &[u32], delay: usize, seed: u32) -> Vec<u32> {
        let mut rng = Lcg(seed);
        (0..far.len())
            .map(|t| {
                let leak = if t >= delay { far[t - delay] } else { 0 };
                let audible = rng.next() | rng.next();
                (leak & audible) | rep[t]
            })
            .collect()
    }

    #[test]
    fn finds_the_delay_of_a_leak_and_follows_a_change() {
        let far = onsets(6000, 7);
        let rep = onsets(6000, 8);
        let first = mic(&far[..3000], &rep[..3000], 12, 1);
        let mut est = DelayEstimator::new();
        let mut found_at = None;
        for t in 0..3000 {
            if est.push(first[t], far[t]) == 12 && found_at.is_none() {
                found_at = Some(t);
            }
        }
        assert_eq!(est.delay_frames(), 12);
        assert!(found_at.is_some_and(|t| t < 600), "{found_at:?}");
        // The playback buffer grows to 300 ms.
        let second = mic(&far, &rep, 30, 2);
        for t in 3000..6000 {
            est.push(second[t], far[t]);
        }
        assert_eq!(est.delay_frames(), 30);
    }

    #[test]
    fn no_leak_gives_no_delay() {
        // The rep's own speech, unrelated to the far end, and a microphone with nothing.
        for seed in 0..20 {
            let far = onsets(6000, seed);
            let rep = onsets(6000, seed + 100);
            let mut est = DelayEstimator::new();
            let mut quiet = DelayEstimator::new();
            for t in 0..6000 {
                assert_eq!(est.push(rep[t], far[t]), 0, "seed {seed}, frame {t}");
                assert_eq!(quiet.push(0, far[t]), 0, "seed {seed}, frame {t}");
            }
        }
    }
}
