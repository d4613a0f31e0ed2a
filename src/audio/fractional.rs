//! A resampler for ratios within a fraction of a percent of 1, at the analysis rate: the far
//! end's drift trim. Each output sample is a windowed-sinc fractional-delay filter of the
//! input; the filters for 256 fractional positions are computed once, so a sample costs
//! one dot product of [`TAPS`] values and the loop allocates nothing once warm.
//!
//! Hand-written on purpose: rubato's general sinc resampler at the device rate took about a
//! third of the live analysis thread; this trim after the decimator brought live capture to
//! about 1 % of one core (docs/live-capture.md, "Performance").

use std::collections::VecDeque;

use super::decimate::bessel_i0;

/// Filter length, input samples (a multiple of [`LANES`]).
const TAPS: usize = 24;
/// Lanes of the dot product.
const LANES: usize = 8;
/// Fraction bits of the fixed-point position.
const FRAC_BITS: u32 = 32;
const ONE: u64 = 1 << FRAC_BITS;
const HALF: u64 = 1 << (FRAC_BITS - 1);
const FRAC_MASK: u64 = ONE - 1;
/// Fractional positions tabulated per input sample (nearest is used: at 16 kHz the timing
/// error is under 0.13 µs).
const PHASES: usize = 256;
/// Cut-off, fraction of the Nyquist frequency: flat over the 6.5 kHz the decimator passes.
const CUTOFF: f64 = 0.92;
/// Kaiser window shape.
const KAISER_BETA: f64 = 7.0;
/// Input samples the filter looks back: the output is delayed by none of them because this
/// many zeros are put in front of the input.
const LOOKBACK: usize = TAPS / 2 - 1;

/// Resamples one channel at a ratio (output rate over input rate) close to 1 that may
/// change between calls.
pub struct FractionalResampler {
    table: Vec<[f32; TAPS]>,
    history: Vec<f32>,
    /// Position of the next output sample in `history`, in input samples as 32.32 fixed
    /// point (integer steps: no rounding drift, no float-to-int conversions per sample).
    pos: u64,
    /// Input samples per output sample (the inverse of the ratio), 32.32 fixed point.
    step: u64,
}

impl std::fmt::Debug for FractionalResampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FractionalResampler")
            .field("ratio", &(ONE as f64 / self.step as f64))
            .finish_non_exhaustive()
    }
}

impl Default for FractionalResampler {
    fn default() -> Self {
        FractionalResampler::new()
    }
}

impl FractionalResampler {
    /// A resampler at ratio 1 (a plain copy until [`Self::set_ratio`] is called).
    pub fn new() -> FractionalResampler {
        let table = (0..=PHASES)
            .map(|p| {
                let frac = p as f64 / PHASES as f64;
                let mut taps = [0.0f64; TAPS];
                for (k, t) in taps.iter_mut().enumerate() {
                    let x = k as f64 - LOOKBACK as f64 - frac;
                    *t = CUTOFF * sinc(CUTOFF * x) * kaiser(x / (TAPS as f64 / 2.0));
                }
                let sum: f64 = taps.iter().sum();
                taps.map(|t| (t / sum) as f32)
            })
            .collect();
        let mut history = Vec::with_capacity(16_000);
        history.resize(LOOKBACK, 0.0);
        FractionalResampler {
            table,
            history,
            pos: 0,
            step: ONE,
        }
    }

    /// Sets the ratio, output rate over input rate.
    pub fn set_ratio(&mut self, ratio: f64) {
        if ratio.is_finite() && ratio > 0.5 && ratio < 2.0 {
            self.step = (ONE as f64 / ratio).round() as u64;
        }
    }

    /// Resamples `input` and appends the output to `out`.
    pub fn push(&mut self, input: &[f32], out: &mut VecDeque<f32>) {
        self.history.extend_from_slice(input);
        loop {
            let i = (self.pos >> FRAC_BITS) as usize;
            // The nearest tabulated position (the table has PHASES + 1 rows: the last is
            // the next whole sample).
            let phase = (((self.pos & FRAC_MASK) * PHASES as u64 + HALF) >> FRAC_BITS) as usize;
            let Some(window) = self.history.get(i..i + TAPS) else {
                break;
            };
            out.push_back(dot(window, &self.table[phase]));
            self.pos += self.step;
        }
        let used = ((self.pos >> FRAC_BITS) as usize).min(self.history.len());
        self.history.drain(..used);
        self.pos -= (used as u64) << FRAC_BITS;
    }
}

/// The dot product of a window and a filter, in eight independent lanes so the compiler
/// can use vector multiply-adds (a plain sum is one long chain of dependent adds).
#[inline]
fn dot(window: &[f32], taps: &[f32; TAPS]) -> f32 {
    let mut acc = [0.0f32; LANES];
    for (x, h) in window.chunks_exact(LANES).zip(taps.chunks_exact(LANES)) {
        for j in 0..LANES {
            acc[j] += x[j] * h[j];
        }
    }
    acc.iter().sum()
}

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 {
        1.0
    } else {
        let px = std::f64::consts::PI * x;
        px.sin() / px
    }
}

/// Kaiser window at `x` in [-1, 1] (zero outside).
fn kaiser(x: f64) -> f64 {
    if x.abs() > 1.0 {
        return 0.0;
    }
    bessel_i0(KAISER_BETA * (1.0 - x * x).sqrt()) / bessel_i0(KAISER_BETA)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq_hz: f64, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (2.0 * std::f64::consts::PI * freq_hz * i as f64 / 16_000.0).sin() as f32)
            .collect()
    }

    fn run(input: &[f32], ratio: f64, block: usize) -> Vec<f32> {
        let mut r = FractionalResampler::new();
        r.set_ratio(ratio);
        let mut out = VecDeque::new();
        for chunk in input.chunks(block) {
            r.push(chunk, &mut out);
        }
        out.into()
    }

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64).sqrt()
    }

    #[test]
    fn at_ratio_one_the_output_is_the_input_without_delay() {
        let input = sine(440.0, 4000);
        let out = run(&input, 1.0, 160);
        // The last few samples wait for the filter's look-ahead.
        assert_eq!(out.len(), input.len() - (TAPS - 1 - LOOKBACK));
        // Past the start (zeros before it), a tone in the passband comes out unchanged and
        // in place.
        for (a, b) in out.iter().zip(&input).skip(TAPS) {
            assert!((a - b).abs() < 2e-3, "{a} vs {b}");
        }
    }

    #[test]
    fn output_length_follows_the_ratio() {
        let input = sine(440.0, 160_000);
        for ratio in [1.0 + 300e-6, 1.0 - 300e-6] {
            let out = run(&input, ratio, 173);
            let want = input.len() as f64 * ratio;
            assert!(
                (out.len() as f64 - want).abs() < TAPS as f64,
                "ratio {ratio}: {} vs {want}",
                out.len()
            );
        }
    }

    #[test]
    fn the_passband_is_flat_at_every_fractional_position() {
        // A ratio 0.1% off walks the position through every fraction in 1000 samples.
        for freq_hz in [300.0, 2000.0, 4000.0, 6000.0] {
            let input = sine(freq_hz, 32_000);
            let out = run(&input, 1.001, 160);
            let gain_db = 20.0 * (rms(&out[1000..30_000]) / rms(&input[1000..30_000])).log10();
            assert!(gain_db.abs() < 0.2, "{freq_hz} Hz: {gain_db:.3} dB");
            // Worst short-term level over the fractions (100-sample windows).
            for w in out[1000..30_000].chunks(400) {
                let g = 20.0 * (rms(w) / std::f64::consts::FRAC_1_SQRT_2).log10();
                assert!(g.abs() < 0.5, "{freq_hz} Hz: window at {g:.3} dB");
            }
        }
    }

    #[test]
    fn a_shifted_sine_keeps_its_shape() {
        // Ratio 1 + 1e-4 over 1 s: the output is the input time-scaled; compare with the
        // ideal time-scaled sine.
        let input = sine(1000.0, 16_000);
        let ratio = 1.0 + 1e-4;
        let out = run(&input, ratio, 160);
        let mut worst: f64 = 0.0;
        for (n, &y) in out.iter().enumerate().skip(20).take(15_000) {
            let t_in = n as f64 / ratio;
            let ideal = (2.0 * std::f64::consts::PI * 1000.0 * t_in / 16_000.0).sin();
            worst = worst.max((f64::from(y) - ideal).abs());
        }
        assert!(worst < 2e-3, "worst error {worst}");
    }
}
