//! Downsampling by a whole factor (48 kHz, 32 kHz, 96 kHz to the analysis rate) with a
//! linear-phase Kaiser-windowed FIR, evaluated only at the kept samples (polyphase), in
//! blocks, with every buffer allocated at construction.
//!
//! The filter passes up to [`PASS_EDGE_HZ`] and stops from [`STOP_EDGE_HZ`]: what lies above
//! the stop edge is at least [`STOP_ATTENUATION_DB`] down, and what folds back from the
//! transition band lands above 7.5 kHz, the top of the detector's highest band. Sample `n`
//! of the output is the filter centred on input sample `n x factor`, so time is preserved
//! exactly (the filter's delay is compensated, not added).

use crate::timeline::ANALYSIS_RATE_HZ;

/// Top of the pass band, Hz.
pub const PASS_EDGE_HZ: f64 = 6_500.0;
/// Bottom of the stop band, Hz (folds back to 16 kHz - 8.5 kHz = 7.5 kHz).
pub const STOP_EDGE_HZ: f64 = 8_500.0;
/// Stop-band attenuation the filter is designed for, dB.
pub const STOP_ATTENUATION_DB: f64 = 50.0;

/// Taps are padded with zeros to a multiple of this, so the dot product is whole vectors.
const LANES: usize = 16;
/// Input samples taken in per step of [`Decimator::push`].
const STEP_SAMPLES: usize = 4_800;

/// The zeroth-order modified Bessel function of the first kind (series; enough terms for
/// the Kaiser betas used here).
fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    let half = x / 2.0;
    for k in 1..60 {
        term *= (half / k as f64) * (half / k as f64);
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    sum
}

/// The low-pass filter for `rate_hz` (odd length, symmetric, unity gain at DC).
fn design(rate_hz: u32) -> Vec<f32> {
    let fs = f64::from(rate_hz);
    // Kaiser's formulas are approximate: 3 dB of margin keeps the whole stop band down.
    let a = STOP_ATTENUATION_DB + 3.0;
    let transition = 2.0 * std::f64::consts::PI * (STOP_EDGE_HZ - PASS_EDGE_HZ) / fs;
    let order = ((a - 7.95) / (2.285 * transition)).ceil() as usize;
    let len = order | 1;
    let beta = 0.1102 * (a - 8.7);
    let cutoff = (PASS_EDGE_HZ + STOP_EDGE_HZ) / 2.0 / fs;
    let centre = (len / 2) as f64;
    let norm = bessel_i0(beta);
    let mut h: Vec<f64> = (0..len)
        .map(|k| {
            let t = k as f64 - centre;
            let sinc = if t == 0.0 {
                2.0 * cutoff
            } else {
                (2.0 * std::f64::consts::PI * cutoff * t).sin() / (std::f64::consts::PI * t)
            };
            let r = t / centre;
            sinc * bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / norm
        })
        .collect();
    let dc: f64 = h.iter().sum();
    h.iter_mut().for_each(|v| *v /= dc);
    h.into_iter().map(|v| v as f32).collect()
}

/// The whole factor from `rate_hz` to the analysis rate, when there is one (and it is not 1).
pub fn factor_for(rate_hz: u32) -> Option<usize> {
    (rate_hz > ANALYSIS_RATE_HZ && rate_hz.is_multiple_of(ANALYSIS_RATE_HZ))
        .then_some((rate_hz / ANALYSIS_RATE_HZ) as usize)
}

/// `out[i]` = the padded filter `taps` over `buf[i x factor ..]`. Written so the compiler
/// turns the inner loop into whole-vector multiplies and adds, in a fixed order (the same
/// result with or without wider vectors).
#[inline(always)]
fn filter_block(taps: &[f32], buf: &[f32], factor: usize, out: &mut [f32]) {
    for (i, o) in out.iter_mut().enumerate() {
        let window = &buf[i * factor..i * factor + taps.len()];
        let mut acc = [0.0f32; LANES];
        for (t, x) in taps
            .as_chunks::<LANES>()
            .0
            .iter()
            .zip(window.as_chunks::<LANES>().0)
        {
            for j in 0..LANES {
                acc[j] += t[j] * x[j];
            }
        }
        let mut width = LANES / 2;
        while width > 0 {
            for j in 0..width {
                acc[j] += acc[j + width];
            }
            width /= 2;
        }
        *o = acc[0];
    }
}

/// [`filter_block`] with 256-bit vectors and fused multiply-adds, in the same order (the
/// samples differ from the portable path only by the rounding a fused multiply-add saves).
/// Four outputs at a time, then one at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn filter_block_avx2(taps: &[f32], buf: &[f32], factor: usize, out: &mut [f32]) {
    let len = taps.len();
    let mut i = 0;
    while i + 4 <= out.len() {
        let base = &buf[i * factor..(i + 3) * factor + len];
        let group: &mut [f32; 4] = (&mut out[i..i + 4])
            .try_into()
            .unwrap_or_else(|_| unreachable!());
        filter_group_avx2::<4>(taps, base, factor, group);
        i += 4;
    }
    while i < out.len() {
        let base = &buf[i * factor..i * factor + len];
        let mut one = [0.0f32];
        filter_group_avx2::<1>(taps, base, factor, &mut one);
        out[i] = one[0];
        i += 1;
    }
}

/// `G` outputs whose windows start `factor` apart in `base`: each has its own two
/// accumulators, filled in the same order as [`filter_block`] fills its lanes, so the
/// adds of one output do not wait for another's.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
fn filter_group_avx2<const G: usize>(
    taps: &[f32],
    base: &[f32],
    factor: usize,
    out: &mut [f32; G],
) {
    use std::arch::x86_64::{
        __m256, _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehl_ps, _mm_shuffle_ps,
        _mm256_add_ps, _mm256_castps256_ps128, _mm256_extractf128_ps, _mm256_fmadd_ps,
        _mm256_loadu_ps, _mm256_setzero_ps,
    };
    const { assert!(LANES == 16) };
    let len = taps.len();
    assert!(base.len() >= (G - 1) * factor + len);
    let mut lo: [__m256; G] = [_mm256_setzero_ps(); G];
    let mut hi: [__m256; G] = [_mm256_setzero_ps(); G];
    let mut k = 0;
    while k + LANES <= len {
        // SAFETY: k + 16 <= len = taps.len(), and output g's window
        // base[g * factor .. g * factor + len] lies within `base` (asserted above).
        unsafe {
            let t0 = _mm256_loadu_ps(taps.as_ptr().add(k));
            let t1 = _mm256_loadu_ps(taps.as_ptr().add(k + 8));
            for g in 0..G {
                let x = base.as_ptr().add(g * factor + k);
                lo[g] = _mm256_fmadd_ps(t0, _mm256_loadu_ps(x), lo[g]);
                hi[g] = _mm256_fmadd_ps(t1, _mm256_loadu_ps(x.add(8)), hi[g]);
            }
        }
        k += LANES;
    }
    for g in 0..G {
        // The reduction of `filter_block`: halves added pairwise, 8, 4, 2, then 1 wide.
        let s8 = _mm256_add_ps(lo[g], hi[g]);
        let s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps::<1>(s8));
        let s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
        let s1 = _mm_add_ss(s2, _mm_shuffle_ps::<0b01>(s2, s2));
        out[g] = _mm_cvtss_f32(s1);
    }
}

/// A streaming decimator by a whole factor.
#[derive(Debug)]
pub struct Decimator {
    factor: usize,
    /// The filter, zero-padded to a multiple of [`LANES`].
    taps: Vec<f32>,
    /// Input not yet consumed; starts with half the filter's length of zeros, which
    /// centres output sample n on input sample n x factor.
    buf: Vec<f32>,
    /// Where the next output's window starts in `buf`.
    pos: usize,
    out_block: Vec<f32>,
    wide: bool,
}

impl Decimator {
    /// A decimator from `rate_hz`, which must be a whole multiple of the analysis rate.
    pub fn new(rate_hz: u32, factor: usize) -> Decimator {
        let mut taps = design(rate_hz);
        let half = taps.len() / 2;
        let padded = taps.len().div_ceil(LANES) * LANES;
        taps.resize(padded, 0.0);
        let capacity = padded + STEP_SAMPLES + factor;
        let mut buf = Vec::with_capacity(capacity);
        buf.resize(half, 0.0);
        #[cfg(target_arch = "x86_64")]
        let wide = std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("fma");
        #[cfg(not(target_arch = "x86_64"))]
        let wide = false;
        Decimator {
            factor,
            taps,
            buf,
            pos: 0,
            out_block: vec![0.0; STEP_SAMPLES / factor + 2],
            wide,
        }
    }

    /// Filters what `buf` holds and calls `emit` with the new output samples.
    fn run(&mut self, emit: &mut impl FnMut(&[f32])) {
        let len = self.taps.len();
        if self.buf.len() < self.pos + len {
            return;
        }
        let n = (self.buf.len() - self.pos - len) / self.factor + 1;
        let out = &mut self.out_block[..n];
        let buf = &self.buf[self.pos..];
        #[cfg(target_arch = "x86_64")]
        if self.wide {
            // SAFETY: the CPU was checked for AVX2 and FMA at construction.
            unsafe { filter_block_avx2(&self.taps, buf, self.factor, out) };
        } else {
            filter_block(&self.taps, buf, self.factor, out);
        }
        #[cfg(not(target_arch = "x86_64"))]
        filter_block(&self.taps, buf, self.factor, out);
        emit(out);
        self.pos += n * self.factor;
        // Keep only what later outputs need.
        self.buf.drain(..self.pos);
        self.pos = 0;
    }

    /// Takes `input` in and calls `emit` with each block of output.
    pub fn push(&mut self, input: &[f32], emit: &mut impl FnMut(&[f32])) {
        for piece in input.chunks(STEP_SAMPLES) {
            self.buf.extend_from_slice(piece);
            self.run(emit);
        }
    }

    /// Feeds zeros after the end (`samples` of them, in steps), emitting what they complete.
    pub fn pad_zeros(&mut self, samples: usize, emit: &mut impl FnMut(&[f32])) {
        let mut left = samples;
        while left > 0 {
            let n = left.min(STEP_SAMPLES);
            let from = self.buf.len();
            self.buf.resize(from + n, 0.0);
            self.run(emit);
            left -= n;
        }
    }

    /// Input samples still needed after the end to complete every output owed.
    pub fn tail_samples(&self) -> usize {
        self.taps.len() + self.factor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gain_db(h: &[f32], rate_hz: u32, hz: f64) -> f64 {
        let w = 2.0 * std::f64::consts::PI * hz / f64::from(rate_hz);
        let (mut re, mut im) = (0.0, 0.0);
        for (k, &v) in h.iter().enumerate() {
            re += f64::from(v) * (w * k as f64).cos();
            im -= f64::from(v) * (w * k as f64).sin();
        }
        20.0 * (re * re + im * im).sqrt().log10()
    }

    #[test]
    fn the_filter_meets_its_bands_at_each_rate() {
        for rate in [32_000u32, 48_000, 96_000] {
            let h = design(rate);
            assert!(h.len() % 2 == 1);
            for hz in [0.0, 300.0, 1_000.0, 3_000.0, 5_000.0, PASS_EDGE_HZ] {
                let g = gain_db(&h, rate, hz);
                assert!(g.abs() < 0.1, "{rate} Hz at {hz} Hz: {g:.3} dB");
            }
            let mut hz = STOP_EDGE_HZ;
            while hz < f64::from(rate) / 2.0 {
                let g = gain_db(&h, rate, hz);
                assert!(
                    g < -STOP_ATTENUATION_DB + 1.0,
                    "{rate} Hz at {hz} Hz: {g:.1} dB"
                );
                hz += 37.0;
            }
        }
    }

    #[test]
    fn wide_and_plain_paths_agree() {
        let mut d = Decimator::new(48_000, 3);
        let x: Vec<f32> = (0..10_000)
            .map(|i| ((i as f32 * 0.37).sin() + (i as f32 * 0.011).cos()) * 0.4)
            .collect();
        let mut a = Vec::new();
        d.push(&x, &mut |o| a.extend_from_slice(o));
        let mut plain = Decimator::new(48_000, 3);
        plain.wide = false;
        let mut b = Vec::new();
        plain.push(&x, &mut |o| b.extend_from_slice(o));
        assert_eq!(a.len(), b.len());
        assert!(a.len() > 3_000);
        for (i, (u, v)) in a.iter().zip(&b).enumerate() {
            assert!((u - v).abs() <= 1e-5, "sample {i}: {u} vs {v}");
        }
    }
}
