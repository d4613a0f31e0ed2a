//! Upsampling by a whole factor (8 kHz telephone recordings to the analysis rate) with the
//! filter the speech model's training used for the same step, so that an 8 kHz recording
//! reaches the detector as its training mixtures did.
//!
//! The training tools (`tools/vad_mixtures.py`) bring every 8 kHz source and every simulated
//! telephone channel to 16 kHz with `scipy.signal.resample_poly`: a Kaiser-windowed sinc
//! (beta 5) of `20 x factor + 1` taps cut off at the input's Nyquist frequency, whose
//! transition straddles it (-0.7 dB at 3.6 kHz, -6 dB at 4 kHz, -12 dB at 4.2 kHz for 8 kHz).
//! The model learned that shape. rubato's FFT resampler, used before for this rate, is flat
//! to 4 kHz and empty above, and on that edge the model took flat noise (an 8 kHz file's
//! noise floor, dither) for speech in every frame (docs/vad.md). Hand-written because the
//! filter has to be that one (run by the decimator's FIR loop, one phase per output phase);
//! 21 multiply-adds per output sample, and cheaper than rubato was (`tacet vad` of an hour
//! of 8 kHz mono: 0.80-0.85 s of CPU against 1.05-1.09 s).
//!
//! Sample `n x factor` of the output is input sample `n` (the filter is centred: its delay
//! is compensated, not added). Every buffer is allocated at construction.

use super::decimate::{PhaseTaps, filter_block, kaiser_sinc};

/// Input samples either side of an output's centre that its filter reads (the training
/// filter's half length, `10 x factor` output taps, is 10 input samples for any factor).
const REACH: usize = 10;
/// Kaiser window parameter of the training filter.
const BETA: f64 = 5.0;
/// Input samples taken in per step of [`Interpolator::push`].
const STEP_SAMPLES: usize = 4_096;

/// A streaming interpolator by a whole factor.
#[derive(Debug)]
pub struct Interpolator {
    factor: usize,
    /// `taps[r]` weighs input samples `n - REACH ..= n + REACH` in output `n x factor + r`
    /// (one phase each: every input sample is read by every output phase).
    taps: Vec<PhaseTaps>,
    /// Input from sample `next - REACH` on (it starts with `REACH` zeros before the first).
    input: Vec<f32>,
    /// One phase's outputs of a step.
    phase_out: Vec<Vec<f32>>,
    /// The outputs of a step, interleaved.
    out_block: Vec<f32>,
}

impl Interpolator {
    /// An interpolator by `factor` (at least 2).
    pub fn new(factor: usize) -> Interpolator {
        let half = REACH * factor;
        // scipy's resample_poly: firwin(2 x half + 1, 1 / factor of Nyquist, kaiser 5), times
        // the factor (the zeros stuffed between samples take that share of the energy).
        let h = kaiser_sinc(2 * half + 1, 0.5 / factor as f64, BETA);
        let taps = (0..factor)
            .map(|r| {
                let mut t = [0f32; 2 * REACH + 1];
                for (i, tap) in t.iter_mut().enumerate() {
                    // Output n x factor + r reads input n + q at filter offset r - q x factor.
                    let offset = r as i64 - (i as i64 - REACH as i64) * factor as i64;
                    if offset.unsigned_abs() as usize <= half {
                        *tap = (h[(half as i64 + offset) as usize] * factor as f64) as f32;
                    }
                }
                PhaseTaps::new(&t, 1)
            })
            .collect();
        let mut input = Vec::with_capacity(STEP_SAMPLES + 2 * REACH);
        input.resize(REACH, 0.0);
        Interpolator {
            factor,
            taps,
            input,
            phase_out: (0..factor).map(|_| vec![0.0; STEP_SAMPLES]).collect(),
            out_block: vec![0.0; STEP_SAMPLES * factor],
        }
    }

    /// Interpolates `input`, handing the outputs it completes to `emit` (in blocks).
    pub fn push(&mut self, input: &[f32], emit: &mut impl FnMut(&[f32])) {
        for piece in input.chunks(STEP_SAMPLES) {
            self.input.extend_from_slice(piece);
            self.run(emit);
        }
    }

    /// Feeds zeros after the end (`samples` of them), emitting what they complete.
    pub fn pad_zeros(&mut self, samples: usize, emit: &mut impl FnMut(&[f32])) {
        const ZEROS: [f32; 256] = [0.0; 256];
        let mut left = samples;
        while left > 0 {
            let n = left.min(ZEROS.len());
            self.input.extend_from_slice(&ZEROS[..n]);
            left -= n;
            self.run(emit);
        }
    }

    /// Input samples still needed after the end to complete every output owed.
    pub fn tail_samples(&self) -> usize {
        REACH
    }

    /// Computes every output whose filter has all its input, then keeps what the next needs.
    fn run(&mut self, emit: &mut impl FnMut(&[f32])) {
        let window = 2 * REACH + 1;
        let Some(centres) = (self.input.len() + 1).checked_sub(window) else {
            return;
        };
        if centres == 0 {
            return;
        }
        for (taps, out) in self.taps.iter().zip(&mut self.phase_out) {
            filter_block(taps, std::slice::from_ref(&self.input), &mut out[..centres]);
        }
        for n in 0..centres {
            for (r, out) in self.phase_out.iter().enumerate() {
                self.out_block[n * self.factor + r] = out[n];
            }
        }
        emit(&self.out_block[..centres * self.factor]);
        self.input.drain(..centres);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_whole(x: &[f32], factor: usize, pieces: usize) -> Vec<f32> {
        let mut d = Interpolator::new(factor);
        let mut out = Vec::new();
        for chunk in x.chunks(pieces) {
            d.push(chunk, &mut |o| out.extend_from_slice(o));
        }
        d.pad_zeros(d.tail_samples(), &mut |o| out.extend_from_slice(o));
        out
    }

    /// The training filter's taps for 8 kHz to 16 kHz, as `scipy.signal.resample_poly(x, 2,
    /// 1)` uses them (`firwin(41, 0.5, window=('kaiser', 5.0)) * 2`, taps 0-20 of 41).
    const SCIPY_TAPS: [f64; 21] = [
        -0.0,
        -0.002102918,
        0.0,
        0.005017934,
        -0.0,
        -0.009789669,
        0.0,
        0.017113118,
        -0.0,
        -0.027979946,
        0.0,
        0.044046241,
        -0.0,
        -0.06868036,
        0.0,
        0.110576568,
        -0.0,
        -0.201860395,
        0.0,
        0.633400691,
        1.000517471,
    ];

    #[test]
    fn the_filter_is_the_one_the_model_was_trained_through() {
        let h = kaiser_sinc(41, 0.25, BETA);
        for (k, &want) in SCIPY_TAPS.iter().enumerate() {
            assert!(
                (2.0 * h[k] - want).abs() < 1e-8,
                "tap {k}: {} vs {want}",
                2.0 * h[k]
            );
            assert!((h[40 - k] - h[k]).abs() < 1e-15, "symmetric at {k}");
        }
    }

    #[test]
    fn an_impulse_comes_out_as_the_filter_centred_on_it() {
        let mut x = vec![0f32; 40];
        x[20] = 1.0;
        let y = run_whole(&x, 2, 40);
        assert_eq!(y.len(), 80);
        let h = kaiser_sinc(41, 0.25, BETA);
        for (j, &v) in y.iter().enumerate() {
            // Output j is time j / 2 input samples: the filter's centre at output 40.
            let k = j as i64 - 40 + 20;
            let want = if (0..41).contains(&k) {
                2.0 * h[k as usize]
            } else {
                0.0
            };
            assert!(
                (f64::from(v) - want).abs() < 1e-6,
                "output {j}: {v} vs {want}"
            );
        }
    }

    #[test]
    fn any_split_of_the_input_gives_the_same_samples() {
        let x: Vec<f32> = (0..10_000)
            .map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5)
            .collect();
        let whole = run_whole(&x, 2, x.len());
        assert_eq!(whole.len(), 2 * x.len());
        for pieces in [1, 7, 100, 4_096, 4_097] {
            assert_eq!(run_whole(&x, 2, pieces), whole, "pieces of {pieces}");
        }
    }

    #[test]
    fn the_pass_band_keeps_level_and_time() {
        // A 1 kHz tone at 8 kHz comes out at 16 kHz with the same amplitude and phase.
        let rate = 8_000.0f64;
        let x: Vec<f32> = (0..8_000)
            .map(|i| (2.0 * std::f64::consts::PI * 1_000.0 * f64::from(i) / rate).sin() as f32)
            .collect();
        let y = run_whole(&x, 2, 333);
        for (j, &v) in y.iter().enumerate().skip(100).take(15_800) {
            let want = (2.0 * std::f64::consts::PI * 1_000.0 * j as f64 / (2.0 * rate)).sin();
            assert!(
                (f64::from(v) - want).abs() < 2e-3,
                "sample {j}: {v} vs {want}"
            );
        }
    }
}
