//! Downsampling by a whole factor (48 kHz, 32 kHz, 96 kHz to the analysis rate) with a
//! linear-phase Kaiser-windowed FIR, evaluated only at the kept samples (polyphase), in
//! blocks, with every buffer allocated at construction.
//!
//! The filter passes up to [`PASS_EDGE_HZ`] and stops from [`STOP_EDGE_HZ`]: what lies above
//! the stop edge is at least [`STOP_ATTENUATION_DB`] down, and what folds back from the
//! transition band lands above 7.5 kHz, the top of the detector's highest band. Sample `n`
//! of the output is the filter centred on input sample `n x factor`, so time is preserved
//! exactly (the filter's delay is compensated, not added).
//!
//! Hand-written on purpose: rubato's FFT resampler, which this replaces for these rates, cost
//! about half of the whole analysis (1.7 s per hour of 48 kHz stereo; docs/performance.md).
//! rubato remains for 44.1 kHz and other rates.

use crate::timeline::ANALYSIS_RATE_HZ;

/// Top of the pass band, Hz.
pub const PASS_EDGE_HZ: f64 = 6_500.0;
/// Bottom of the stop band, Hz (folds back to 16 kHz - 8.5 kHz = 7.5 kHz).
pub const STOP_EDGE_HZ: f64 = 8_500.0;
/// Stop-band attenuation the filter is designed for, dB.
pub const STOP_ATTENUATION_DB: f64 = 50.0;

/// Outputs per vector (256-bit vectors of `f32`).
const LANES: usize = 8;
/// Vectors of outputs computed together by the wide path (64 outputs per block).
// Read by the x86_64 vector paths only.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
const BLOCK_VECTORS: usize = 8;
/// Input samples taken in per step of [`Decimator::push`].
const STEP_SAMPLES: usize = 4_800;

/// The zeroth-order modified Bessel function of the first kind (series; enough terms for
/// the Kaiser betas used here).
pub(crate) fn bessel_i0(x: f64) -> f64 {
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
    kaiser_lowpass(
        f64::from(rate_hz),
        PASS_EDGE_HZ,
        STOP_EDGE_HZ,
        STOP_ATTENUATION_DB,
    )
}

/// A Kaiser-window FIR low-pass at `fs_hz`: flat to `pass_hz`, at least `stop_db` down from
/// `stop_hz` (odd length, symmetric, unity gain at DC).
pub(crate) fn kaiser_lowpass(fs_hz: f64, pass_hz: f64, stop_hz: f64, stop_db: f64) -> Vec<f32> {
    // Kaiser's formulas are approximate: 3 dB of margin keeps the whole stop band down.
    let a = stop_db + 3.0;
    let transition = 2.0 * std::f64::consts::PI * (stop_hz - pass_hz) / fs_hz;
    let order = ((a - 7.95) / (2.285 * transition)).ceil() as usize;
    let beta = 0.1102 * (a - 8.7);
    let cutoff = (pass_hz + stop_hz) / 2.0 / fs_hz;
    kaiser_sinc(order | 1, cutoff, beta)
        .into_iter()
        .map(|v| v as f32)
        .collect()
}

/// A Kaiser-windowed sinc of odd length `len`, cut off at `cutoff` (cycles per sample), with
/// window parameter `beta`, scaled to unity gain at DC (the design of `scipy.signal.firwin`
/// with a Kaiser window).
pub(crate) fn kaiser_sinc(len: usize, cutoff: f64, beta: f64) -> Vec<f64> {
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
    h
}

/// The whole factor from `rate_hz` to the analysis rate, when there is one (and it is not 1).
pub fn factor_for(rate_hz: u32) -> Option<usize> {
    (rate_hz > ANALYSIS_RATE_HZ && rate_hz.is_multiple_of(ANALYSIS_RATE_HZ))
        .then_some((rate_hz / ANALYSIS_RATE_HZ) as usize)
}

/// `out[i] = sum over phases r, then taps m, of taps[r][m] x phases[r][i + m]`: the filter
/// with output `i` centred on input sample `i x factor`, where `phases[r][j]` holds input
/// sample `j x factor + r`. Each output is summed in that fixed order, so a block boundary
/// never changes a result.
pub(super) fn filter_block(taps: &PhaseTaps, phases: &[Vec<f32>], out: &mut [f32]) {
    let mut i = 0;
    // Outputs side by side in lanes (the compiler vectorises across them)...
    while i + LANES <= out.len() {
        let mut acc = [0.0f32; LANES];
        for (r, phase) in phases.iter().enumerate() {
            for (m, &h) in taps.phase(r).iter().enumerate() {
                let x: &[f32; LANES] = phase[i + m..i + m + LANES]
                    .try_into()
                    .unwrap_or_else(|_| unreachable!());
                for l in 0..LANES {
                    acc[l] += h * x[l];
                }
            }
        }
        out[i..i + LANES].copy_from_slice(&acc);
        i += LANES;
    }
    // ...then one at a time.
    while i < out.len() {
        let mut acc = 0.0f32;
        for (r, phase) in phases.iter().enumerate() {
            for (m, &h) in taps.phase(r).iter().enumerate() {
                acc += h * phase[i + m];
            }
        }
        out[i] = acc;
        i += 1;
    }
}

/// [`filter_block`] with 256-bit vectors and fused multiply-adds, in the same order (the
/// samples differ from the portable path only by the rounding a fused multiply-add saves).
/// Blocks of 64 outputs, then of 8, then single outputs (fused too, so a sample is the same
/// whichever way it was reached).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn filter_block_avx2(taps: &PhaseTaps, phases: &[Vec<f32>], out: &mut [f32]) {
    filter_from_avx2(taps, phases, 0, out);
}

/// [`filter_block_avx2`] from output `first` on.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn filter_from_avx2(taps: &PhaseTaps, phases: &[Vec<f32>], first: usize, out: &mut [f32]) {
    let mut i = first;
    while i + BLOCK_VECTORS * LANES <= out.len() {
        filter_vectors_avx2::<BLOCK_VECTORS>(taps, phases, i, &mut out[i..]);
        i += BLOCK_VECTORS * LANES;
    }
    while i + LANES <= out.len() {
        filter_vectors_avx2::<1>(taps, phases, i, &mut out[i..]);
        i += LANES;
    }
    while i < out.len() {
        let mut acc = 0.0f32;
        for (r, phase) in phases.iter().enumerate() {
            for (m, &h) in taps.phase(r).iter().enumerate() {
                acc = h.mul_add(phase[i + m], acc);
            }
        }
        out[i] = acc;
        i += 1;
    }
}

/// [`filter_block_avx2`] with 512-bit vectors for the blocks of 64 outputs (the same
/// operations per output, so the same samples).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn filter_block_avx512(taps: &PhaseTaps, phases: &[Vec<f32>], out: &mut [f32]) {
    use std::arch::x86_64::{
        __m512, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_set1_ps, _mm512_setzero_ps,
        _mm512_storeu_ps,
    };
    const WIDE_LANES: usize = 16;
    const WIDE_VECTORS: usize = BLOCK_VECTORS * LANES / WIDE_LANES;
    let m_len = taps.per_phase;
    let mut i = 0;
    while i + WIDE_VECTORS * WIDE_LANES <= out.len() {
        let mut acc: [__m512; WIDE_VECTORS] = [_mm512_setzero_ps(); WIDE_VECTORS];
        for (r, phase) in phases.iter().enumerate() {
            let window = &phase[i..i + m_len - 1 + WIDE_VECTORS * WIDE_LANES];
            for (m, &h) in taps.phase(r).iter().enumerate() {
                let h = _mm512_set1_ps(h);
                for (v, a) in acc.iter_mut().enumerate() {
                    // SAFETY: m + 16 v + 16 <= m_len - 1 + 64 = window.len().
                    let x = unsafe { _mm512_loadu_ps(window.as_ptr().add(m + v * WIDE_LANES)) };
                    *a = _mm512_fmadd_ps(h, x, *a);
                }
            }
        }
        for (v, a) in acc.iter().enumerate() {
            // SAFETY: i + 64 <= out.len() (the loop's condition).
            unsafe { _mm512_storeu_ps(out.as_mut_ptr().add(i + v * WIDE_LANES), *a) };
        }
        i += WIDE_VECTORS * WIDE_LANES;
    }
    filter_from_avx2(taps, phases, i, out);
}

/// `V x 8` outputs from output `first` on, into `out[..V x 8]`: for each tap, one broadcast
/// and `V` fused multiply-adds, each on 8 neighbouring outputs.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
fn filter_vectors_avx2<const V: usize>(
    taps: &PhaseTaps,
    phases: &[Vec<f32>],
    first: usize,
    out: &mut [f32],
) {
    use std::arch::x86_64::{
        __m256, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_set1_ps, _mm256_setzero_ps,
        _mm256_storeu_ps,
    };
    let m_len = taps.per_phase;
    assert!(out.len() >= V * LANES);
    let mut acc: [__m256; V] = [_mm256_setzero_ps(); V];
    for (r, phase) in phases.iter().enumerate() {
        let window = &phase[first..first + m_len - 1 + V * LANES];
        for (m, &h) in taps.phase(r).iter().enumerate() {
            let h = _mm256_set1_ps(h);
            for (v, a) in acc.iter_mut().enumerate() {
                // SAFETY: m + v x 8 + 8 <= m_len - 1 + V x 8 = window.len().
                let x = unsafe { _mm256_loadu_ps(window.as_ptr().add(m + v * LANES)) };
                *a = _mm256_fmadd_ps(h, x, *a);
            }
        }
    }
    for (v, a) in acc.iter().enumerate() {
        // SAFETY: out holds at least V x 8 samples (asserted above).
        unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(v * LANES), *a) };
    }
}

/// The filter's taps split by input phase: `phase(r)[m] = h[m x factor + r]`, zero past the
/// filter's end, so every phase has the same number of taps.
#[derive(Debug)]
pub(super) struct PhaseTaps {
    per_phase: usize,
    taps: Vec<f32>,
}

impl PhaseTaps {
    pub(super) fn new(h: &[f32], factor: usize) -> PhaseTaps {
        let per_phase = h.len().div_ceil(factor);
        let mut taps = vec![0.0; per_phase * factor];
        for (k, &v) in h.iter().enumerate() {
            taps[(k % factor) * per_phase + k / factor] = v;
        }
        PhaseTaps { per_phase, taps }
    }

    fn phase(&self, r: usize) -> &[f32] {
        &self.taps[r * self.per_phase..(r + 1) * self.per_phase]
    }
}

/// Appends the whole rounds of `F` samples in `input` to the `F` phases, in one pass over
/// `input` (the factor known at compile time).
fn split_rounds<const F: usize>(phases: &mut [Vec<f32>], input: &[f32]) {
    let rounds = input.as_chunks::<F>().0;
    let start = phases[0].len();
    for phase in phases.iter_mut() {
        phase.resize(start + rounds.len(), 0.0);
    }
    let mut dst: [&mut [f32]; F] = std::array::from_fn(|_| &mut [][..]);
    for (d, phase) in dst.iter_mut().zip(phases.iter_mut()) {
        *d = &mut phase[start..];
    }
    for (j, round) in rounds.iter().enumerate() {
        for r in 0..F {
            dst[r][j] = round[r];
        }
    }
}

/// [`split_rounds`] for a factor of 3 with 256-bit shuffles: each 24 samples are three
/// loads, two blends and a lane permutation per phase, and three stores.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn split_thirds_avx2(phases: &mut [Vec<f32>], input: &[f32]) {
    use std::arch::x86_64::{
        _mm256_blend_ps, _mm256_loadu_ps, _mm256_permutevar8x32_ps, _mm256_setr_epi32,
        _mm256_storeu_ps,
    };
    let [p0, p1, p2] = phases else {
        unreachable!("a factor of 3 has three phases")
    };
    let rounds = input.as_chunks::<3>().0;
    let vectors = rounds.len() / 8;
    for p in [&mut *p0, &mut *p1, &mut *p2] {
        p.reserve(rounds.len());
    }
    let start = p0.len();
    debug_assert!(p1.len() == start && p2.len() == start);
    let idx0 = _mm256_setr_epi32(0, 3, 6, 1, 4, 7, 2, 5);
    let idx1 = _mm256_setr_epi32(1, 4, 7, 2, 5, 0, 3, 6);
    let idx2 = _mm256_setr_epi32(2, 5, 0, 3, 6, 1, 4, 7);
    for v in 0..vectors {
        // SAFETY: 24 x v + 24 <= 3 x rounds <= input.len(); each phase has room for
        // `rounds` more samples past `start` (reserved above), and 8 x v + 8 <= rounds.
        unsafe {
            let src = input.as_ptr().add(24 * v);
            let (a, b, c) = (
                _mm256_loadu_ps(src),
                _mm256_loadu_ps(src.add(8)),
                _mm256_loadu_ps(src.add(16)),
            );
            // Phase 0 is a[0, 3, 6], b[1, 4, 7], c[2, 5]; phases 1 and 2 likewise shifted.
            let t0 = _mm256_blend_ps::<0b0010_0100>(_mm256_blend_ps::<0b1001_0010>(a, b), c);
            let t1 = _mm256_blend_ps::<0b0100_1001>(_mm256_blend_ps::<0b0010_0100>(a, b), c);
            let t2 = _mm256_blend_ps::<0b1001_0010>(_mm256_blend_ps::<0b0100_1001>(a, b), c);
            let at = start + 8 * v;
            _mm256_storeu_ps(p0.as_mut_ptr().add(at), _mm256_permutevar8x32_ps(t0, idx0));
            _mm256_storeu_ps(p1.as_mut_ptr().add(at), _mm256_permutevar8x32_ps(t1, idx1));
            _mm256_storeu_ps(p2.as_mut_ptr().add(at), _mm256_permutevar8x32_ps(t2, idx2));
        }
    }
    // SAFETY: the first 8 x vectors new samples of each phase were written above.
    unsafe {
        p0.set_len(start + 8 * vectors);
        p1.set_len(start + 8 * vectors);
        p2.set_len(start + 8 * vectors);
    }
    for round in &rounds[8 * vectors..] {
        p0.push(round[0]);
        p1.push(round[1]);
        p2.push(round[2]);
    }
}

/// A streaming decimator by a whole factor.
#[derive(Debug)]
pub struct Decimator {
    factor: usize,
    taps: PhaseTaps,
    /// Input not yet consumed, split by phase: `phases[r][j]` is input sample
    /// `j x factor + r`, counted from the first sample kept. The input starts with half the
    /// filter's length of zeros, which centres output sample n on input sample n x factor.
    phases: Vec<Vec<f32>>,
    /// The phase the next input sample goes to.
    next_phase: usize,
    out_block: Vec<f32>,
    wide: Wide,
}

/// The widest vectors the CPU offers the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Read by the x86_64 vector paths only.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
enum Wide {
    /// Portable code (whatever the compiler's baseline target has).
    Plain,
    /// 256-bit vectors and fused multiply-adds.
    Avx2,
    /// 512-bit vectors for the filter's big blocks, as [`Wide::Avx2`] otherwise.
    Avx512,
}

impl Wide {
    /// `self`, or `other` when that is narrower (so a test asks only for what the CPU has).
    #[cfg(test)]
    fn min_with(self, other: Wide) -> Wide {
        let rank = |w: Wide| match w {
            Wide::Plain => 0,
            Wide::Avx2 => 1,
            Wide::Avx512 => 2,
        };
        if rank(other) < rank(self) {
            other
        } else {
            self
        }
    }

    fn detect() -> Wide {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma");
            if avx2 && std::arch::is_x86_feature_detected!("avx512f") {
                return Wide::Avx512;
            }
            if avx2 {
                return Wide::Avx2;
            }
        }
        Wide::Plain
    }
}

impl Decimator {
    /// A decimator from `rate_hz`, which must be a whole multiple of the analysis rate.
    pub fn new(rate_hz: u32, factor: usize) -> Decimator {
        let h = design(rate_hz);
        let half = h.len() / 2;
        let taps = PhaseTaps::new(&h, factor);
        let capacity = taps.per_phase + STEP_SAMPLES / factor + LANES + 2;
        let wide = Wide::detect();
        let mut d = Decimator {
            factor,
            taps,
            phases: (0..factor).map(|_| Vec::with_capacity(capacity)).collect(),
            next_phase: 0,
            out_block: vec![0.0; STEP_SAMPLES / factor + 2],
            wide,
        };
        d.split(&vec![0.0; half]);
        d
    }

    /// Appends input samples to their phases.
    fn split(&mut self, input: &[f32]) {
        let factor = self.factor;
        // Up to the next sample of phase 0, then whole rounds, then the rest.
        let lead = ((factor - self.next_phase) % factor).min(input.len());
        for &v in &input[..lead] {
            self.phases[self.next_phase].push(v);
            self.next_phase = (self.next_phase + 1) % factor;
        }
        let rest = &input[lead..];
        let rounds = rest.len() / factor;
        // With a whole round to add, the next sample is phase 0's, and every phase holds
        // the same number of samples.
        let avx2 = self.wide != Wide::Plain;
        match (factor, avx2) {
            _ if rounds == 0 => {}
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU was checked for AVX2 at construction.
            (3, true) => unsafe { split_thirds_avx2(&mut self.phases, rest) },
            (2, _) => split_rounds::<2>(&mut self.phases, rest),
            (3, _) => split_rounds::<3>(&mut self.phases, rest),
            (6, _) => split_rounds::<6>(&mut self.phases, rest),
            _ => {
                for (r, phase) in self.phases.iter_mut().enumerate() {
                    let start = phase.len();
                    phase.resize(start + rounds, 0.0);
                    for (dst, round) in phase[start..].iter_mut().zip(rest.chunks_exact(factor)) {
                        *dst = round[r];
                    }
                }
            }
        }
        for &v in &rest[rounds * factor..] {
            self.phases[self.next_phase].push(v);
            self.next_phase = (self.next_phase + 1) % factor;
        }
    }

    /// Filters what the phases hold and calls `emit` with the new output samples.
    /// Outputs are taken in whole vectors (the rest wait for more input) unless `flush`.
    fn run(&mut self, emit: &mut impl FnMut(&[f32]), flush: bool) {
        let m_len = self.taps.per_phase;
        // The last phase is the shortest.
        let shortest = self.phases[self.factor - 1].len();
        if shortest < m_len {
            return;
        }
        let mut n = (shortest - m_len + 1).min(self.out_block.len());
        if !flush {
            n -= n % LANES;
            if n == 0 {
                return;
            }
        }
        let out = &mut self.out_block[..n];
        match self.wide {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU was checked for AVX-512F, AVX2 and FMA at construction.
            Wide::Avx512 => unsafe { filter_block_avx512(&self.taps, &self.phases, out) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the CPU was checked for AVX2 and FMA at construction.
            Wide::Avx2 => unsafe { filter_block_avx2(&self.taps, &self.phases, out) },
            _ => filter_block(&self.taps, &self.phases, out),
        }
        emit(out);
        // Keep only what later outputs need.
        for phase in &mut self.phases {
            phase.drain(..n);
        }
    }

    /// Takes `input` in and calls `emit` with each block of output.
    pub fn push(&mut self, input: &[f32], emit: &mut impl FnMut(&[f32])) {
        for piece in input.chunks(STEP_SAMPLES) {
            self.split(piece);
            self.run(emit, false);
        }
    }

    /// Feeds zeros after the end (`samples` of them, in steps), emitting what they complete.
    pub fn pad_zeros(&mut self, samples: usize, emit: &mut impl FnMut(&[f32])) {
        const ZEROS: [f32; 256] = [0.0; 256];
        let mut left = samples;
        while left > 0 {
            let n = left.min(ZEROS.len());
            self.split(&ZEROS[..n]);
            left -= n;
            self.run(emit, left == 0);
        }
    }

    /// Input samples still needed after the end to complete every output owed.
    pub fn tail_samples(&self) -> usize {
        (self.taps.per_phase + 1) * self.factor
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

    /// Output `n` is the filter centred on input sample `3 n`, as a direct convolution
    /// computes it.
    #[test]
    fn outputs_match_a_direct_convolution_centred_on_their_input_sample() {
        let h = design(48_000);
        let half = h.len() / 2;
        let x: Vec<f32> = (0..3_000)
            .map(|i| ((i as f32 * 0.05).sin() + (i as f32 * 0.91).cos()) * 0.4)
            .collect();
        let mut d = Decimator::new(48_000, 3);
        let mut got = Vec::new();
        d.push(&x, &mut |o| got.extend_from_slice(o));
        assert!(got.len() > 900);
        for (n, &y) in got.iter().enumerate() {
            let mut want = 0.0f64;
            for (k, &t) in h.iter().enumerate() {
                let j = (3 * n + k) as i64 - half as i64;
                if (0..x.len() as i64).contains(&j) {
                    want += f64::from(t) * f64::from(x[j as usize]);
                }
            }
            assert!(
                (f64::from(y) - want).abs() < 1e-5,
                "output {n}: {y} vs {want}"
            );
        }
    }

    /// However the input is cut into pieces, every output is the same to the bit.
    #[test]
    fn pieces_of_any_size_give_the_same_samples() {
        let x: Vec<f32> = (0..20_000)
            .map(|i| (i as f32 * 0.013).sin() * 0.7 + (i as f32 * 1.7).sin() * 0.1)
            .collect();
        let mut whole = Vec::new();
        Decimator::new(48_000, 3).push(&x, &mut |o| whole.extend_from_slice(o));
        for piece in [1usize, 7, 64, 191, 4_801] {
            let mut d = Decimator::new(48_000, 3);
            let mut cut = Vec::new();
            for p in x.chunks(piece) {
                d.push(p, &mut |o| cut.extend_from_slice(o));
            }
            assert_eq!(cut.len(), whole.len(), "pieces of {piece}");
            for (i, (a, b)) in cut.iter().zip(&whole).enumerate() {
                assert_eq!(a.to_bits(), b.to_bits(), "pieces of {piece}, sample {i}");
            }
        }
    }

    /// The 512-bit and 256-bit paths compute each output with the same fused operations in
    /// the same order.
    #[test]
    fn the_two_vector_widths_give_the_same_samples() {
        let x: Vec<f32> = (0..30_000)
            .map(|i| (i as f32 * 0.021).sin() * 0.5 + (i as f32 * 2.3).cos() * 0.2)
            .collect();
        let run = |wide: Wide| {
            let mut d = Decimator::new(48_000, 3);
            d.wide = wide;
            let mut out = Vec::new();
            d.push(&x, &mut |o| out.extend_from_slice(o));
            out
        };
        let detected = Wide::detect();
        if detected != Wide::Avx512 {
            eprintln!("this CPU has no AVX-512: only the 256-bit path is compared with itself");
        }
        let (a, b) = (run(detected), run(Wide::Avx2.min_with(detected)));
        assert_eq!(a.len(), b.len());
        for (i, (u, v)) in a.iter().zip(&b).enumerate() {
            assert_eq!(u.to_bits(), v.to_bits(), "sample {i}: {u} vs {v}");
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
        plain.wide = Wide::Plain;
        let mut b = Vec::new();
        plain.push(&x, &mut |o| b.extend_from_slice(o));
        assert_eq!(a.len(), b.len());
        assert!(a.len() > 3_000);
        for (i, (u, v)) in a.iter().zip(&b).enumerate() {
            assert!((u - v).abs() <= 1e-5, "sample {i}: {u} vs {v}");
        }
    }
}
