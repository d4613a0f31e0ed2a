//! Resampling one channel to the analysis rate: down by a whole factor (48, 32, 96 kHz) with
//! the polyphase FIR of [`super::decimate`], up by a whole factor (8 kHz) with the training
//! filter of [`super::interpolate`], otherwise with rubato's FFT resampler in fixed input
//! chunks. Either way sample n of the output is time n / rate (delays are compensated).

use std::collections::VecDeque;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

/// Largest sample magnitude taken as audio (full scale is 1; floats a little beyond it are
/// kept, NaN, infinities and absurd values are not).
const SAMPLE_LIMIT: f32 = 1.0e3;

use super::decimate::{Decimator, factor_for};
use super::interpolate::Interpolator;
use crate::timeline::ANALYSIS_RATE_HZ;

/// FFT sub-chunks per resampler call.
const SUB_CHUNKS: usize = 2;
/// Aim for FFTs of about this many input frames.
const FFT_TARGET_FRAMES: usize = 512;

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Input frames per call: FFT lengths that are a power of two times the rates' smallest
/// whole-sample unit, so they factor into small radices (a length with a large prime factor,
/// such as 258 = 2 x 3 x 43, makes the FFT several times slower).
fn chunk_frames(rate_hz: u32) -> usize {
    let rate_in = rate_hz as usize;
    let unit_in = rate_in / gcd(rate_in, ANALYSIS_RATE_HZ as usize);
    let blocks = (FFT_TARGET_FRAMES / unit_in).max(1).next_power_of_two();
    blocks * unit_in * SUB_CHUNKS
}

/// Streams one channel from its own rate to [`ANALYSIS_RATE_HZ`]. All buffers are
/// allocated at construction.
pub struct ToAnalysisRate {
    rate_hz: u32,
    inner: Option<Fft<f32>>,
    whole: Option<Whole>,
    chunk_in: Vec<f32>,
    filled: usize,
    chunk_out: Vec<f32>,
    delay_left: usize,
    in_total: u64,
    out_total: u64,
}

impl std::fmt::Debug for ToAnalysisRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToAnalysisRate")
            .field("rate_hz", &self.rate_hz)
            .finish()
    }
}

/// A sample rate tacet cannot resample to the analysis rate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot resample {rate_hz} Hz: {why}")]
pub struct RateError {
    /// The rate asked for.
    pub rate_hz: u32,
    /// Why (the resampler's own words).
    pub why: String,
}

/// A resampler by a whole factor, down or up.
#[derive(Debug)]
enum Whole {
    Down(Decimator),
    Up(Interpolator),
}

impl Whole {
    /// The one for `rate_hz`, when it is a whole factor above or below the analysis rate.
    fn for_rate(rate_hz: u32) -> Option<Whole> {
        if let Some(factor) = factor_for(rate_hz) {
            return Some(Whole::Down(Decimator::new(rate_hz, factor)));
        }
        (rate_hz < ANALYSIS_RATE_HZ && ANALYSIS_RATE_HZ.is_multiple_of(rate_hz))
            .then(|| Whole::Up(Interpolator::new((ANALYSIS_RATE_HZ / rate_hz) as usize)))
    }

    fn push(&mut self, input: &[f32], emit: &mut impl FnMut(&[f32])) {
        match self {
            Whole::Down(d) => d.push(input, emit),
            Whole::Up(u) => u.push(input, emit),
        }
    }

    fn finish(&mut self, emit: &mut impl FnMut(&[f32])) {
        match self {
            Whole::Down(d) => d.pad_zeros(d.tail_samples(), emit),
            Whole::Up(u) => u.pad_zeros(u.tail_samples(), emit),
        }
    }
}

impl ToAnalysisRate {
    /// A resampler from `rate_hz` (a pass-through when it is already the analysis rate).
    ///
    /// # Errors
    /// [`RateError`] when rubato cannot build a resampler for this ratio.
    pub fn new(rate_hz: u32) -> Result<ToAnalysisRate, RateError> {
        let whole = Whole::for_rate(rate_hz);
        let inner = if rate_hz == ANALYSIS_RATE_HZ || whole.is_some() {
            None
        } else {
            Some(
                Fft::<f32>::new_custom(
                    rate_hz as usize,
                    ANALYSIS_RATE_HZ as usize,
                    chunk_frames(rate_hz),
                    SUB_CHUNKS,
                    1,
                    rubato::WindowFunction::BlackmanHarris2,
                    FixedSync::Input,
                )
                .map_err(|e| RateError {
                    rate_hz,
                    why: e.to_string(),
                })?,
            )
        };
        let (in_len, out_max, delay) = inner.as_ref().map_or((0, 0, 0), |r| {
            (
                r.input_frames_next(),
                r.output_frames_max(),
                r.output_delay(),
            )
        });
        Ok(ToAnalysisRate {
            rate_hz,
            inner,
            whole,
            chunk_in: vec![0.0; in_len],
            filled: 0,
            chunk_out: vec![0.0; out_max],
            delay_left: delay,
            in_total: 0,
            out_total: 0,
        })
    }

    /// Output samples owed for the input so far.
    fn expected_out(&self) -> u64 {
        (self.in_total * u64::from(ANALYSIS_RATE_HZ) + u64::from(self.rate_hz) / 2)
            / u64::from(self.rate_hz)
    }

    fn run_chunk(&mut self, partial: Option<usize>, out: &mut VecDeque<f32>) {
        let Some(inner) = self.inner.as_mut() else {
            return;
        };
        let in_len = self.chunk_in.len();
        let Ok(input) = InterleavedSlice::new(&self.chunk_in[..], 1, in_len) else {
            return;
        };
        let out_len = self.chunk_out.len();
        let Ok(mut output) = InterleavedSlice::new_mut(&mut self.chunk_out[..], 1, out_len) else {
            return;
        };
        let indexing = partial.map(|n| rubato::Indexing {
            input_offset: 0,
            output_offset: 0,
            partial_len: Some(n),
            active_channels_mask: None,
        });
        let Ok((_, written)) = inner.process_into_buffer(&input, &mut output, indexing.as_ref())
        else {
            return;
        };
        let skip = self.delay_left.min(written);
        self.delay_left -= skip;
        let owed = self.expected_out().saturating_sub(self.out_total) as usize;
        let take = (written - skip).min(owed);
        out.extend(&self.chunk_out[skip..skip + take]);
        self.out_total += take as u64;
    }

    /// Resamples `input` and appends the output to `out`. Samples that are not finite
    /// (NaN or infinite floats in a damaged file) or beyond `SAMPLE_LIMIT` are taken as 0:
    /// one of them would otherwise make every later sample NaN (and the FFT resampler
    /// refuses such a spectrum).
    pub fn push(&mut self, input: &[f32], out: &mut VecDeque<f32>) {
        if !input.iter().all(|v| v.abs() <= SAMPLE_LIMIT) {
            // A rare path: copy once, cleaned.
            let clean: Vec<f32> = input
                .iter()
                .map(|&v| if v.abs() <= SAMPLE_LIMIT { v } else { 0.0 })
                .collect();
            return self.push_clean(&clean, out);
        }
        self.push_clean(input, out);
    }

    fn push_clean(&mut self, input: &[f32], out: &mut VecDeque<f32>) {
        if self.whole.is_some() {
            self.in_total += input.len() as u64;
            let owed = self.expected_out().saturating_sub(self.out_total);
            let Some(d) = self.whole.as_mut() else { return };
            let mut taken = 0u64;
            d.push(input, &mut |o| {
                let n = (o.len() as u64).min(owed - taken) as usize;
                out.extend(&o[..n]);
                taken += n as u64;
            });
            self.out_total += taken;
            return;
        }
        if self.inner.is_none() {
            out.extend(input);
            self.in_total += input.len() as u64;
            self.out_total += input.len() as u64;
            return;
        }
        let mut rest = input;
        while !rest.is_empty() {
            let chunk = self.chunk_in.len();
            let n = (chunk - self.filled).min(rest.len());
            self.chunk_in[self.filled..self.filled + n].copy_from_slice(&rest[..n]);
            self.filled += n;
            self.in_total += n as u64;
            rest = &rest[n..];
            if self.filled == chunk {
                self.filled = 0;
                self.run_chunk(None, out);
            }
        }
    }

    /// Flushes what is buffered: after this, the output holds exactly
    /// `round(input_len * analysis_rate / rate)` samples.
    pub fn finish(&mut self, out: &mut VecDeque<f32>) {
        if self.whole.is_some() {
            let owed = self.expected_out().saturating_sub(self.out_total);
            let Some(d) = self.whole.as_mut() else { return };
            let mut taken = 0u64;
            d.finish(&mut |o| {
                let n = (o.len() as u64).min(owed - taken) as usize;
                out.extend(&o[..n]);
                taken += n as u64;
            });
            self.out_total += taken;
            return;
        }
        if self.inner.is_none() {
            return;
        }
        let mut guard = 0;
        while self.out_total < self.expected_out() && guard < 64 {
            let n = self.filled;
            self.chunk_in[n..].fill(0.0);
            self.filled = 0;
            self.run_chunk(Some(n), out);
            guard += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, hz: f32, n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (i as f32 * hz * std::f32::consts::TAU / rate as f32).sin() * 0.5)
            .collect()
    }

    #[test]
    fn output_length_and_alignment_follow_the_ratio() {
        for rate in [
            8_000u32, 11_025, 22_050, 32_000, 44_100, 48_000, 96_000, 192_000, 16_000,
        ] {
            let mut r = ToAnalysisRate::new(rate).expect("resampler");
            let n = rate as usize * 2 + 123;
            // Silence then a burst starting at exactly 1 s.
            let mut x = vec![0.0f32; rate as usize];
            x.extend(tone(rate, 440.0, n - rate as usize));
            let mut out = VecDeque::new();
            for block in x.chunks(777) {
                r.push(block, &mut out);
            }
            r.finish(&mut out);
            let expected = (n as u64 * 16_000 + rate as u64 / 2) / rate as u64;
            assert_eq!(out.len() as u64, expected, "rate {rate}");
            let first = out.iter().position(|v| v.abs() > 0.05).expect("burst");
            assert!(
                (first as i64 - 16_000).abs() <= 16,
                "rate {rate}: onset at {first}"
            );
        }
    }

    #[test]
    fn nan_and_infinite_samples_are_taken_as_silence() {
        for rate in [44_100u32, 48_000, 16_000, 22_050] {
            let mut r = ToAnalysisRate::new(rate).expect("resampler");
            let mut x = tone(rate, 300.0, rate as usize);
            x[100] = f32::NAN;
            x[2_000] = f32::INFINITY;
            x[3_000] = -3.0e38;
            let mut out = VecDeque::new();
            for block in x.chunks(4_096) {
                r.push(block, &mut out);
            }
            r.finish(&mut out);
            assert!(out.iter().all(|v| v.is_finite()), "rate {rate}");
            assert!(out.iter().skip(8_000).any(|v| v.abs() > 0.3), "rate {rate}");
        }
    }
}
