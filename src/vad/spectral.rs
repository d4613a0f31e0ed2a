//! Spectral frame classifier: per-band SNR against a minimum-statistics noise floor, scored
//! and thresholded with hysteresis. Level-independent (only ratios to the floor matter) and
//! allocation-free per frame.
//!
//! Per 10 ms frame:
//! 1. Hann-windowed FFT of the last 20 ms; band level `L_b = 10 log10(mean_k |X_k|^2 / sum w^2)`
//!    over 18 Bark-like bands from 150 Hz to 7.5 kHz.
//! 2. Noise floor `N_b`: the minimum of the lightly smoothed `L_b` over the last 2 s
//!    (ten 200 ms sub-window minima), plus a bias for the gap between a fluctuating noise's
//!    minimum and its mean. Stationary noise (pink, hum, fans) therefore sits at SNR ~0.
//! 3. Score `S = mean_b clamp(L_b - N_b, 0, cap)` over the bands up to 4 kHz (so an 8 kHz
//!    telephone channel scores like wideband audio).
//! 4. Hysteresis: speech starts when `S >= on_db` and stops when `S < off_db`.
//!
//! An optional noise mean/variance tracker (`noise_tau_ms > 0`) refines `N_b` between the
//! minimum and the mean; it is off by default (it did not help on the labeled sets).
//!
//! Headset bleed: when the far-end frame is given (`reference`, the rep's microphone side),
//! the far end's band levels `F_b` are computed the same way and an envelope
//! `E_b = max(F_b over the last 0-20 ms of delays)` is kept. The coupling
//! `G_b ~ L_b - E_b` from far end to microphone is learned per band as a low quantile
//! (fast down, slow up) over frames where the far end is active in that band, and the
//! predicted leak `E_b + G_b + margin` joins the noise floor: `N'_b = max(N_b, leak_b)`.
//! When the bleed lies further behind the reference (a playback buffer between the two, as
//! in live capture), its delay is found from the audio (`delay.rs`) and the envelope is
//! taken over the frames around that delay instead.
//! Bleed therefore scores about 0, while the rep's own speech (tens of dB above the leak)
//! still scores in the bands it dominates, including over the far end (double talk).

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

use super::FrameClassifier;
use super::delay::{DelayEstimator, MAX_DELAY_FRAMES};
use crate::timeline::{ANALYSIS_RATE_HZ, FRAME_LEN_SAMPLES};

/// Analysis window length: 20 ms of history (current frame and the one before it).
pub const WINDOW_LEN_SAMPLES: usize = 320;
/// FFT length (the window itself), giving 50 Hz bins at 16 kHz.
pub const FFT_LEN_SAMPLES: usize = 320;

/// Band edges in Hz, roughly Bark-spaced. Bands up to `SpectralParams::score_max_hz` are
/// scored.
const BAND_EDGES_HZ: [f32; 19] = [
    150.0, 250.0, 350.0, 450.0, 570.0, 700.0, 840.0, 1000.0, 1170.0, 1370.0, 1600.0, 1850.0,
    2150.0, 2500.0, 2900.0, 3400.0, 4000.0, 5500.0, 7500.0,
];
/// Number of bands.
pub const NUM_BANDS: usize = BAND_EDGES_HZ.len() - 1;

/// Number of power-spectrum bins, `0..=N/2`.
pub const BINS: usize = FFT_LEN_SAMPLES / 2 + 1;

/// Bins of the microphone's spectrum kept for the learned model's features: up to 4 kHz
/// (what a telephone channel carries).
pub const MIC_BINS: usize = 81;

/// `[first_bin, end_bin)` of each band: its edges rounded to the nearest bin (50 Hz), at
/// least one bin wide. Known at compile time, so each band's sum is compiled for its width.
const BAND_BINS: [(usize, usize); NUM_BANDS] = band_bins();

/// Bins the bands use, `0..USED_BINS` (the power spectrum is computed only that far).
const USED_BINS: usize = BAND_BINS[NUM_BANDS - 1].1;

const fn band_bins() -> [(usize, usize); NUM_BANDS] {
    let bin_hz = ANALYSIS_RATE_HZ as f32 / FFT_LEN_SAMPLES as f32;
    let mut out = [(0, 0); NUM_BANDS];
    let mut b = 0;
    while b < NUM_BANDS {
        // Rounding by adding a half and truncating (the edges are positive).
        let lo = (BAND_EDGES_HZ[b] / bin_hz + 0.5) as usize;
        let mut hi = (BAND_EDGES_HZ[b + 1] / bin_hz + 0.5) as usize;
        if hi < lo + 1 {
            hi = lo + 1;
        }
        if hi > BINS {
            hi = BINS;
        }
        out[b] = (lo, hi);
        b += 1;
    }
    out
}

/// The band sums of `power` into `out`, `out[b] = sum(power[BAND_BINS[b]]) x norm[b] +
/// ENERGY_FLOOR_LINEAR`, written out band by band so every slice has constant bounds.
macro_rules! band_sums {
    ($power:expr, $norm:expr, $out:expr; $($b:literal)*) => {
        $({
            const LO: usize = BAND_BINS[$b].0;
            const HI: usize = BAND_BINS[$b].1;
            $out[$b] = sum_lanes(&$power[LO..HI]) * $norm[$b] + ENERGY_FLOOR_LINEAR;
        })*
    };
}

/// Energy added to every band before the logarithm, relative to full scale: about
/// -110 dBFS, so digital silence has a finite level and tiny dither does not look like
/// a loud signal against an all-zero floor.
const ENERGY_FLOOR_LINEAR: f32 = 1e-11;

/// Starting noise variance: a 2 dB standard deviation.
const INITIAL_NOISE_VAR_DB2: f32 = 4.0;

/// Tuning of the spectral detector. Every field has units in its name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpectralParams {
    /// Length of one minimum-statistics sub-window.
    pub floor_subwindow_ms: u32,
    /// Number of sub-windows the floor minimum spans (window = count x sub-window).
    pub floor_subwindows: usize,
    /// Added to the tracked minimum: the minimum of a fluctuating noise level sits below
    /// its mean by a few dB.
    pub floor_bias_db: f32,
    /// Time constant of the band-energy smoothing the floor tracker sees.
    pub floor_smoothing_ms: f32,
    /// Time constant of the band-energy smoothing the score sees (0 = none).
    pub score_smoothing_ms: f32,
    /// Time constant of the noise mean/variance tracker (0 = use the minimum alone).
    pub noise_tau_ms: f32,
    /// A band updates the noise tracker only when within this much of the noise mean
    /// (and the detector is not in speech).
    pub noise_gate_db: f32,
    /// The noise mean is kept at most this far above the minimum-statistics floor.
    pub noise_max_above_min_db: f32,
    /// Band SNR is reduced by this many noise standard deviations (a fluctuating
    /// background needs more margin than a steady one).
    pub noise_sigmas: f32,
    /// Per-band SNR is clamped to `[0, snr_cap_db]` before averaging.
    pub snr_cap_db: f32,
    /// Highest band edge scored (bands above are ignored: telephone audio has none).
    pub score_max_hz: f32,
    /// Weight of the mean SNR of the bands above `score_max_hz` when it competes with the
    /// main score (0 = ignore those bands).
    pub high_band_weight: f32,
    /// Number of best bands averaged into the score (0 = all scored bands).
    pub score_top_bands: usize,
    /// Score (mean clamped band SNR) above which speech starts.
    pub on_db: f32,
    /// Score below which speech stops (hysteresis: `off_db <= on_db`).
    pub off_db: f32,
    /// Far-end frames (10 ms each) searched for the bleed delay, beyond the current one.
    pub leak_delay_frames: usize,
    /// Starting far-end-to-microphone coupling per band (dB), before any learning.
    pub leak_prior_db: f32,
    /// The predicted leak is placed this far above the learned coupling (the coupling
    /// is a low quantile; the leak fluctuates above it).
    pub leak_margin_db: f32,
    /// Learning steps of the coupling quantile: down by at most this per frame when the
    /// observed ratio is below it...
    pub leak_down_db: f32,
    /// ...and up by this per frame otherwise.
    pub leak_up_db: f32,
    /// A far-end band counts as active this far above its own floor.
    pub far_active_db: f32,
}

impl Default for SpectralParams {
    fn default() -> Self {
        SpectralParams {
            floor_subwindow_ms: 200,
            floor_subwindows: 10,
            floor_bias_db: 3.0,
            noise_tau_ms: 0.0,
            noise_gate_db: 6.0,
            noise_max_above_min_db: 12.0,
            noise_sigmas: 0.0,
            floor_smoothing_ms: 20.0,
            score_smoothing_ms: 0.0,
            snr_cap_db: 30.0,
            score_top_bands: 0,
            high_band_weight: 0.0,
            score_max_hz: 4000.0,
            on_db: 5.0,
            off_db: 4.0,
            leak_delay_frames: 2,
            leak_prior_db: -20.0,
            leak_margin_db: 10.0,
            leak_down_db: 0.5,
            leak_up_db: 0.01,
            far_active_db: 10.0,
        }
    }
}

/// Band-SNR speech detector over an FFT of the recent 20 ms.
#[derive(Clone)]
pub struct SpectralClassifier {
    params: SpectralParams,
    /// A complex FFT of half the length: the real window is transformed as
    /// `z[n] = x[2n] + i x[2n+1]` and the power spectrum separated from it
    /// ([`power_spectrum`]).
    half_fft: Arc<dyn Fft<f32>>,
    /// The last two frames: the analysis window's input.
    history: History,
    /// Hann window, `w[n] = 0.5 - 0.5 cos(2 pi (n + 0.5) / N)`.
    window: Vec<f32>,
    packed: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// `exp(-2 pi i k / N)` for `k` in `0..N/2`.
    twiddles: Vec<Complex<f32>>,
    /// Power per bin, `0..=N/2`.
    power: [f32; BINS],
    /// Per-band normalisation: `1 / (bins x sum(w^2))`, so a band level is a mean power
    /// spectral density comparable across bands and window choices.
    band_norm: [f32; NUM_BANDS],
    /// Number of leading bands scored.
    scored_bands: usize,
    /// Smoothed band level (dB) fed to the floor tracker.
    floor_input_db: [f32; NUM_BANDS],
    /// Smoothed band level (dB) fed to the score.
    score_input_db: [f32; NUM_BANDS],
    /// Minimum of `floor_input_db` over the current sub-window.
    current_min_db: [f32; NUM_BANDS],
    /// Minima of past sub-windows, ring of `floor_subwindows` per band.
    past_min_db: Vec<f32>,
    /// Tracked noise mean per band (dB).
    noise_mean_db: [f32; NUM_BANDS],
    /// Tracked noise variance per band (dB^2).
    noise_var_db2: [f32; NUM_BANDS],
    noise_beta: f32,
    /// Minimum over the ring per band (cached when the ring changes).
    past_floor_db: [f32; NUM_BANDS],
    /// Next ring slot to overwrite.
    ring_pos: usize,
    /// Frames seen in the current sub-window.
    subwindow_frames: u32,
    subwindow_len_frames: u32,
    /// Smoothing coefficients, `a = exp(-frame / tau)`.
    floor_alpha: f32,
    score_alpha: f32,
    /// Clamped band SNR of the last frame (dB).
    band_snr_db: [f32; NUM_BANDS],
    /// The same against the noise floor alone, without the far end's predicted leak.
    band_snr_noise_db: [f32; NUM_BANDS],
    /// Band levels of the last frame, dB (shared with the other side's detector).
    last_level_db: [f32; NUM_BANDS],
    frames_seen: u64,
    speaking: bool,
    last_score_db: f32,
    /// Mean square of the last frame's samples.
    frame_mean_square: f32,
    /// Far-end state (used only when a reference is given).
    far: FarEnd,
    /// Whether the CPU has AVX2 and FMA (the per-frame work then uses 256-bit vectors).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    wide: bool,
    /// The microphone's power spectrum of the last frame, bins `0..MIC_BINS` (kept apart
    /// from `power`, which the far end's levels may overwrite).
    mic_power: [f32; MIC_BINS],
}

/// Most far-end delay frames searched around the bleed's delay.
const MAX_LEAK_DELAY_FRAMES: usize = 7;
/// A band's onset, for the bleed's delay: its level rose this much since the frame before...
const ONSET_RISE_DB: f32 = 6.0;
/// ...to this far above its floor.
const ONSET_ABOVE_FLOOR_DB: f32 = 6.0;
/// Far-end band levels kept: the bleed's delay plus the frames searched around it.
const FAR_RING_FRAMES: usize = MAX_DELAY_FRAMES + MAX_LEAK_DELAY_FRAMES + 1;

/// Far-end tracking for bleed rejection. Fixed-size, allocated with the classifier.
#[derive(Clone)]
struct FarEnd {
    /// The last two far-end frames.
    history: History,
    /// Band levels (dB) of the last frames, ring of [`FAR_RING_FRAMES`].
    ring_db: [[f32; NUM_BANDS]; FAR_RING_FRAMES],
    ring_pos: usize,
    /// Where the bleed lies behind the reference.
    delay: DelayEstimator,
    /// The microphone's band levels (dB) of the frame before.
    mic_prev_db: [f32; NUM_BANDS],
    /// The first far-end frame (frames back) of the envelope: 0 while the bleed's delay
    /// lies within the envelope's own `leak_delay_frames`, else one before that delay.
    lag_frames: usize,
    /// Far-end floor per band: follows drops at once, rises 2 dB/s.
    floor_db: [f32; NUM_BANDS],
    /// Learned coupling per band (dB).
    coupling_db: [f32; NUM_BANDS],
    /// Predicted leak per band for the current frame (dB).
    leak_db: [f32; NUM_BANDS],
    /// Whether a far-end frame has been seen.
    seen: bool,
}

impl FarEnd {
    fn new(prior_db: f32) -> Self {
        let silent = 10.0 * ENERGY_FLOOR_LINEAR.log10();
        FarEnd {
            history: History::default(),
            ring_db: [[silent; NUM_BANDS]; FAR_RING_FRAMES],
            ring_pos: 0,
            delay: DelayEstimator::new(),
            mic_prev_db: [silent; NUM_BANDS],
            lag_frames: 0,
            floor_db: [silent; NUM_BANDS],
            coupling_db: [prior_db; NUM_BANDS],
            leak_db: [f32::NEG_INFINITY; NUM_BANDS],
            seen: false,
        }
    }
}

impl SpectralClassifier {
    /// Builds a detector with the default tuning.
    pub fn new() -> Self {
        Self::with_params(SpectralParams::default())
    }

    /// Builds a detector; every buffer is allocated here.
    pub fn with_params(params: SpectralParams) -> Self {
        let half = FFT_LEN_SAMPLES / 2;
        let half_fft = FftPlanner::<f32>::new().plan_fft_forward(half);
        let scratch = vec![Complex::default(); half_fft.get_inplace_scratch_len()];
        let twiddles = twiddles(FFT_LEN_SAMPLES);

        let window: Vec<f32> = (0..WINDOW_LEN_SAMPLES)
            .map(|n| {
                let phase =
                    2.0 * std::f32::consts::PI * (n as f32 + 0.5) / WINDOW_LEN_SAMPLES as f32;
                0.5 - 0.5 * phase.cos()
            })
            .collect();
        let window_energy: f32 = window.iter().map(|w| w * w).sum();

        let mut band_norm = [0f32; NUM_BANDS];
        let mut scored_bands = 0;
        for b in 0..NUM_BANDS {
            let (lo, hi) = BAND_BINS[b];
            band_norm[b] = 1.0 / ((hi - lo) as f32 * window_energy);
            if BAND_EDGES_HZ[b + 1] <= params.score_max_hz + 1.0 {
                scored_bands = b + 1;
            }
        }

        let frame_ms = 1000.0 * FRAME_LEN_SAMPLES as f32 / ANALYSIS_RATE_HZ as f32;
        let alpha = |tau_ms: f32| {
            if tau_ms <= 0.0 {
                0.0
            } else {
                (-frame_ms / tau_ms).exp()
            }
        };
        let subwindows = params.floor_subwindows.max(1);
        SpectralClassifier {
            params,
            half_fft,
            history: History::default(),
            window,
            packed: vec![Complex::default(); half],
            scratch,
            twiddles,
            power: [0.0; BINS],
            band_norm,
            scored_bands: scored_bands.max(1),
            floor_input_db: [0.0; NUM_BANDS],
            score_input_db: [0.0; NUM_BANDS],
            current_min_db: [f32::INFINITY; NUM_BANDS],
            past_min_db: vec![f32::INFINITY; NUM_BANDS * subwindows],
            noise_mean_db: [0.0; NUM_BANDS],
            noise_var_db2: [INITIAL_NOISE_VAR_DB2; NUM_BANDS],
            noise_beta: if params.noise_tau_ms <= 0.0 {
                0.0
            } else {
                1.0 - alpha(params.noise_tau_ms)
            },
            past_floor_db: [f32::INFINITY; NUM_BANDS],
            ring_pos: 0,
            subwindow_frames: 0,
            subwindow_len_frames: (params.floor_subwindow_ms as f32 / frame_ms)
                .round()
                .max(1.0) as u32,
            floor_alpha: alpha(params.floor_smoothing_ms),
            score_alpha: alpha(params.score_smoothing_ms),
            band_snr_db: [0.0; NUM_BANDS],
            band_snr_noise_db: [0.0; NUM_BANDS],
            last_level_db: [0.0; NUM_BANDS],
            frames_seen: 0,
            speaking: false,
            last_score_db: 0.0,
            frame_mean_square: 0.0,
            far: FarEnd::new(params.leak_prior_db),
            #[cfg(target_arch = "x86_64")]
            wide: std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma"),
            #[cfg(not(target_arch = "x86_64"))]
            wide: false,
            mic_power: [0.0; MIC_BINS],
        }
    }

    /// The learned far-end-to-microphone coupling per band (dB).
    pub fn leak_coupling_db(&self) -> &[f32; NUM_BANDS] {
        &self.far.coupling_db
    }

    /// The score of the last classified frame (mean clamped band SNR, dB).
    pub fn last_score_db(&self) -> f32 {
        self.last_score_db
    }

    /// Computes band levels in dB of the microphone history (`far == false`) or the far
    /// end's: `L_b = 10 log10(sum_{k in b} |X_k|^2 * norm_b + eps)`.
    #[inline(always)]
    fn band_levels(&mut self, far: bool, out_db: &mut [f32; NUM_BANDS]) {
        let history = if far {
            &self.far.history
        } else {
            &self.history
        };
        // The older frame meets the window's first half, the newer frame its second.
        let (w_old, w_new) = self.window.split_at(FRAME_LEN_SAMPLES);
        let (p_old, p_new) = self.packed.split_at_mut(FRAME_LEN_SAMPLES / 2);
        for (half, w, packed) in [
            (history.older(), w_old, p_old),
            (history.newer(), w_new, p_new),
        ] {
            let pairs = half.as_chunks::<2>().0.iter().zip(w.as_chunks::<2>().0);
            for (dst, (x, w)) in packed.iter_mut().zip(pairs) {
                *dst = Complex::new(x[0] * w[0], x[1] * w[1]);
            }
        }
        self.half_fft
            .process_with_scratch(&mut self.packed, &mut self.scratch);
        power_spectrum(&self.packed, &self.twiddles, &mut self.power[..USED_BINS]);
        const { assert!(NUM_BANDS == 18) };
        band_sums!(self.power, self.band_norm, out_db;
            0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17);
        // A separate pass so the conversion vectorises across bands.
        for v in out_db.iter_mut() {
            *v = power_to_db(*v);
        }
    }

    /// Updates the minimum-statistics floor with this frame's smoothed level and returns
    /// nothing; the floor is `min(current sub-window, past sub-windows) + bias`.
    #[inline(always)]
    fn update_floor(&mut self) {
        let subwindows = self.params.floor_subwindows.max(1);
        for b in 0..NUM_BANDS {
            self.current_min_db[b] = min_db(self.current_min_db[b], self.floor_input_db[b]);
        }
        self.subwindow_frames += 1;
        if self.subwindow_frames >= self.subwindow_len_frames {
            for b in 0..NUM_BANDS {
                self.past_min_db[b * subwindows + self.ring_pos] = self.current_min_db[b];
                self.current_min_db[b] = f32::INFINITY;
            }
            self.ring_pos = (self.ring_pos + 1) % subwindows;
            // The past minimum only changes when a sub-window completes: cache it.
            for (b, past) in self.past_floor_db.iter_mut().enumerate() {
                let ring = &self.past_min_db[b * subwindows..(b + 1) * subwindows];
                *past = ring.iter().fold(f32::INFINITY, |acc, &v| acc.min(v));
            }
            self.subwindow_frames = 0;
        }
    }

    /// Minimum-statistics floor of one band: `min(current, past sub-windows) + bias`.
    #[inline(always)]
    fn floor_db(&self, band: usize) -> f32 {
        min_db(self.current_min_db[band], self.past_floor_db[band]) + self.params.floor_bias_db
    }
}

/// The smaller of two levels (never NaN: they come from logarithms of positive energies),
/// as one vector minimum instead of `f32::min`'s NaN handling.
#[inline(always)]
fn min_db(a: f32, b: f32) -> f32 {
    if b < a { b } else { a }
}

/// The last two frames, which make up the analysis window, kept without moving samples: a
/// new frame overwrites the older one, and the two swap roles.
#[derive(Clone)]
struct History {
    frames: [[f32; FRAME_LEN_SAMPLES]; 2],
    /// Which of `frames` is the newer.
    newer: usize,
}

const _: () = assert!(WINDOW_LEN_SAMPLES == 2 * FRAME_LEN_SAMPLES);

impl Default for History {
    fn default() -> Self {
        History {
            frames: [[0.0; FRAME_LEN_SAMPLES]; 2],
            newer: 0,
        }
    }
}

impl History {
    /// Takes in one frame (a short frame is zero-padded, a long one cut) and returns the
    /// mean square of what it took, summed as [`mean_square`] sums (the copy and the sum
    /// are one vectorised pass).
    #[inline(always)]
    fn push(&mut self, frame: &[f32]) -> f32 {
        self.newer ^= 1;
        let dst = &mut self.frames[self.newer];
        let n = frame.len().min(FRAME_LEN_SAMPLES);
        let (dst_chunks, dst_rest) = dst[..n].as_chunks_mut::<LANES>();
        let (src_chunks, src_rest) = frame[..n].as_chunks::<LANES>();
        let mut lanes = [0f32; LANES];
        for (d, c) in dst_chunks.iter_mut().zip(src_chunks) {
            for ((dv, &v), acc) in d.iter_mut().zip(c).zip(lanes.iter_mut()) {
                *dv = v;
                *acc += v * v;
            }
        }
        let mut rest = 0.0f32;
        for (d, &v) in dst_rest.iter_mut().zip(src_rest) {
            *d = v;
            rest += v * v;
        }
        dst[n..].fill(0.0);
        (lanes.iter().sum::<f32>() + rest) / n.max(1) as f32
    }

    fn older(&self) -> &[f32; FRAME_LEN_SAMPLES] {
        &self.frames[self.newer ^ 1]
    }

    fn newer(&self) -> &[f32; FRAME_LEN_SAMPLES] {
        &self.frames[self.newer]
    }
}

/// `exp(-2 pi i k / n)` for `k` in `0..n/2`: the twiddles [`power_spectrum`] needs.
fn twiddles(n: usize) -> Vec<Complex<f32>> {
    (0..n / 2)
        .map(|k| {
            let theta = -2.0 * std::f64::consts::PI * k as f64 / n as f64;
            Complex::new(theta.cos() as f32, theta.sin() as f32)
        })
        .collect()
}

/// The power spectrum `|X[k]|^2`, `k` in `0..power.len()` (at most `0..=N/2`), of a real
/// signal of `N` samples from the complex FFT `z` of its samples paired as
/// `x[2n] + i x[2n+1]` (length `N/2`):
/// `X[k] = E[k] + W^k O[k]` with `E[k] = (Z[k] + conj Z[N/2-k]) / 2` (even samples),
/// `O[k] = (Z[k] - conj Z[N/2-k]) / 2i` (odd samples) and `W = exp(-2 pi i / N)`.
#[inline(always)]
fn power_spectrum(z: &[Complex<f32>], twiddles: &[Complex<f32>], power: &mut [f32]) {
    let m = z.len();
    let (z0, zm) = (z[0].re + z[0].im, z[0].re - z[0].im);
    power[0] = z0 * z0;
    if let Some(p) = power.get_mut(m) {
        *p = zm * zm;
    }
    for k in 1..m.min(power.len()) {
        let a = z[k];
        let b = z[m - k].conj();
        let e = (a + b) * 0.5;
        let d = (a - b) * 0.5;
        // W^k O[k] = W^k d / i = -i (W^k d).
        let t = twiddles[k] * d;
        let x = Complex::new(e.re + t.im, e.im - t.re);
        power[k] = x.norm_sqr();
    }
}

/// `10 log10(x)` for positive `x`, fast: with `x = m 2^e`, `m` in `[1, 2)`,
/// `log2 x = e + log2 m`, and `log2 m` from a degree-5 polynomial in `t = m - 1`
/// (max error about 1e-4 in `log2`, i.e. below 0.001 dB).
#[inline(always)]
fn power_to_db(x: f32) -> f32 {
    const DB_PER_OCTAVE: f32 = 3.010_3; // 10 log10(2)
    let bits = x.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let mantissa = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let t = mantissa - 1.0;
    // Least-squares fit of log2(1 + t) on [0, 1].
    let log2_m = t
        * (1.442_395_4
            + t * (-0.720_429_2 + t * (0.467_267_8 + t * (-0.276_903_8 + t * 0.087_709_2))));
    DB_PER_OCTAVE * (exponent as f32 + log2_m)
}

impl Default for SpectralClassifier {
    fn default() -> Self {
        Self::new()
    }
}

/// Frames quieter than this (RMS, dBFS) are never speech, whatever their SNR: it keeps a
/// step from digital silence to a faint floor (dither, a far end starting to play, a mic
/// unmuted) from reading as speech while the noise floor catches up (about 2 s).
pub const SILENCE_FLOOR_DBFS: f32 = -85.0;

/// The mean of the squared samples (0 for none), summed in [`LANES`] partial sums.
pub fn mean_square(samples: &[f32]) -> f32 {
    let (chunks, rest) = samples.as_chunks::<LANES>();
    let mut lanes = [0f32; LANES];
    for chunk in chunks {
        for (acc, v) in lanes.iter_mut().zip(chunk) {
            *acc += v * v;
        }
    }
    let energy = lanes.iter().sum::<f32>() + rest.iter().map(|v| v * v).sum::<f32>();
    energy / samples.len().max(1) as f32
}

/// Independent partial sums per call of [`sum_lanes`] and [`mean_square`]: one sum
/// chained through every element waits a float add's latency per element.
const LANES: usize = 8;

/// The sum of `values`, in [`LANES`] partial sums (vectorisable).
#[inline(always)]
fn sum_lanes(values: &[f32]) -> f32 {
    let (chunks, rest) = values.as_chunks::<LANES>();
    let mut lanes = [0f32; LANES];
    for chunk in chunks {
        for (acc, v) in lanes.iter_mut().zip(chunk) {
            *acc += v;
        }
    }
    lanes.iter().sum::<f32>() + rest.iter().sum::<f32>()
}

impl FrameClassifier for SpectralClassifier {
    fn classify(&mut self, frame: &[f32], reference: Option<&[f32]>) -> bool {
        self.classify_with_levels(frame, reference, None)
    }

    fn try_clone(&self) -> Option<Box<dyn FrameClassifier>> {
        Some(Box::new(self.clone()))
    }

    fn last_band_db(&self) -> Option<&[f32; NUM_BANDS]> {
        (self.frames_seen > 0).then_some(&self.last_level_db)
    }

    fn classify_with_levels(
        &mut self,
        frame: &[f32],
        reference: Option<&[f32]>,
        reference_band_db: Option<&[f32; NUM_BANDS]>,
    ) -> bool {
        let mut score = self.analyze_shared(frame, reference, reference_band_db);
        // The frame's RMS level, dBFS.
        let level_dbfs = 10.0 * self.frame_mean_square.max(1e-20).log10();
        if level_dbfs < SILENCE_FLOOR_DBFS {
            score = 0.0;
        }
        // Hysteresis: start above `on_db`, stop below `off_db`.
        self.speaking = if self.speaking {
            score >= self.params.off_db
        } else {
            score >= self.params.on_db
        };
        self.speaking
    }
}

impl SpectralClassifier {
    /// Analyses one frame: updates the noise floor and the per-band SNRs, and returns the
    /// score (mean clamped band SNR, dB) without deciding.
    pub fn analyze(&mut self, frame: &[f32]) -> f32 {
        self.analyze_with_reference(frame, None)
    }

    /// Updates the far-end envelope, learns the coupling from this frame's microphone
    /// levels and predicts the leak per band (see the module docs).
    #[inline(always)]
    fn update_leak(
        &mut self,
        reference: &[f32],
        reference_band_db: Option<&[f32; NUM_BANDS]>,
        mic_db: &[f32; NUM_BANDS],
    ) {
        self.far.history.push(reference);
        let mut far_db = [0f32; NUM_BANDS];
        match reference_band_db {
            Some(db) => far_db = *db,
            None => self.band_levels(true, &mut far_db),
        }
        let p = self.params;
        // The bands active in the microphone (against its floor) and in the far end
        // (against its own), for the bleed's delay.
        let far = &mut self.far;
        if !far.seen {
            far.floor_db = far_db;
            far.mic_prev_db = *mic_db;
            far.seen = true;
        }
        let prev_far = &far.ring_db[far.ring_pos];
        let (mut mic_bits, mut far_bits) = (0u32, 0u32);
        for b in 0..NUM_BANDS {
            if mic_db[b] > self.noise_mean_db[b] + ONSET_ABOVE_FLOOR_DB
                && mic_db[b] > far.mic_prev_db[b] + ONSET_RISE_DB
            {
                mic_bits |= 1 << b;
            }
            if far_db[b] > far.floor_db[b] + p.far_active_db
                && far_db[b] > prev_far[b] + ONSET_RISE_DB
            {
                far_bits |= 1 << b;
            }
        }
        far.mic_prev_db = *mic_db;
        far.ring_pos = (far.ring_pos + 1) % far.ring_db.len();
        far.ring_db[far.ring_pos] = far_db;
        let delays = p.leak_delay_frames.min(MAX_LEAK_DELAY_FRAMES) + 1;
        let bleed_delay = far.delay.push(mic_bits, far_bits);
        let lag = if bleed_delay < delays {
            0
        } else {
            bleed_delay - 1
        };
        if lag != far.lag_frames {
            // The coupling was learned against other far-end frames: learn it again.
            far.lag_frames = lag;
            far.coupling_db = [p.leak_prior_db; NUM_BANDS];
        }
        let ring_len = far.ring_db.len();
        // Floor rise per frame: 2 dB/s.
        let rise = 2.0 * FRAME_LEN_SAMPLES as f32 / ANALYSIS_RATE_HZ as f32;
        for b in 0..NUM_BANDS {
            let mut env = f32::NEG_INFINITY;
            for d in lag..lag + delays {
                env = env.max(far.ring_db[(far.ring_pos + ring_len - d) % ring_len][b]);
            }
            let floor = &mut far.floor_db[b];
            *floor = if far_db[b] < *floor {
                far_db[b]
            } else {
                *floor + rise
            };
            if env > *floor + p.far_active_db {
                let ratio = mic_db[b] - env;
                let g = &mut far.coupling_db[b];
                *g = if ratio < *g {
                    (*g - p.leak_down_db).max(ratio)
                } else {
                    *g + p.leak_up_db
                };
            }
            far.leak_db[b] = env + far.coupling_db[b] + p.leak_margin_db;
        }
    }

    /// [`analyze`](Self::analyze) with the far-end frame at the same instant, when known:
    /// the far end's predicted leak is treated as noise.
    pub fn analyze_with_reference(&mut self, frame: &[f32], reference: Option<&[f32]>) -> f32 {
        self.analyze_shared(frame, reference, None)
    }

    /// [`analyze_with_reference`](Self::analyze_with_reference), with the reference's band
    /// levels when another detector has computed them from the same frames (they are used
    /// as they are: the far end's history here is kept only for calls without them).
    pub fn analyze_shared(
        &mut self,
        frame: &[f32],
        reference: Option<&[f32]>,
        reference_band_db: Option<&[f32; NUM_BANDS]>,
    ) -> f32 {
        #[cfg(target_arch = "x86_64")]
        if self.wide {
            // SAFETY: the CPU was checked for AVX2 and FMA at construction.
            return unsafe { self.analyze_wide(frame, reference, reference_band_db) };
        }
        self.analyze_frame(frame, reference, reference_band_db)
    }

    /// [`analyze_frame`](Self::analyze_frame) compiled for 256-bit vectors (the same
    /// arithmetic in the same order, so the same results: no operation is fused).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn analyze_wide(
        &mut self,
        frame: &[f32],
        reference: Option<&[f32]>,
        reference_band_db: Option<&[f32; NUM_BANDS]>,
    ) -> f32 {
        self.analyze_frame(frame, reference, reference_band_db)
    }

    /// The body of [`analyze_shared`](Self::analyze_shared), inlined into each of its
    /// instruction-set variants.
    #[inline(always)]
    fn analyze_frame(
        &mut self,
        frame: &[f32],
        reference: Option<&[f32]>,
        reference_band_db: Option<&[f32; NUM_BANDS]>,
    ) -> f32 {
        self.frame_mean_square = self.history.push(frame);
        let mut level_db = [0f32; NUM_BANDS];
        self.band_levels(false, &mut level_db);
        self.last_level_db = level_db;
        self.mic_power.copy_from_slice(&self.power[..MIC_BINS]);
        if let Some(reference) = reference {
            self.update_leak(reference, reference_band_db, &level_db);
        }

        // One-pole smoothing in the log domain: s[n] = a s[n-1] + (1 - a) x[n].
        if self.frames_seen == 0 {
            self.floor_input_db = level_db;
            self.score_input_db = level_db;
        } else {
            let (fa, sa) = (self.floor_alpha, self.score_alpha);
            let smoothed = self.floor_input_db.iter_mut().zip(&mut self.score_input_db);
            for ((floor_in, score_in), &level) in smoothed.zip(&level_db) {
                *floor_in = fa * *floor_in + (1.0 - fa) * level;
                *score_in = sa * *score_in + (1.0 - sa) * level;
            }
        }
        self.frames_seen += 1;
        self.update_floor();

        // Noise tracker: where the band is near the noise (d = L - N < gate) and the
        // detector is not in speech, N += beta d and V += beta (d^2 - V). N is held in
        // [min floor, min floor + max_above], so it follows rising noise via the minimum.
        let p = self.params;
        for b in 0..NUM_BANDS {
            let min_db = self.floor_db(b);
            if self.frames_seen == 1 {
                self.noise_mean_db[b] = min_db;
            }
            if self.noise_beta <= 0.0 {
                self.noise_mean_db[b] = min_db;
                continue;
            }
            let d = self.floor_input_db[b] - self.noise_mean_db[b];
            if !self.speaking && d < p.noise_gate_db {
                self.noise_mean_db[b] += self.noise_beta * d;
                self.noise_var_db2[b] += self.noise_beta * (d * d - self.noise_var_db2[b]);
            }
            self.noise_mean_db[b] =
                self.noise_mean_db[b].clamp(min_db, min_db + p.noise_max_above_min_db);
        }

        // Score = mean over the K best scored bands of clamp(L_b - N_b - k sigma_b, 0, cap).
        let cap = p.snr_cap_db;
        let with_leak = reference.is_some();
        for b in 0..NUM_BANDS {
            let sigma = p.noise_sigmas * self.noise_var_db2[b].sqrt();
            let above_noise = self.score_input_db[b] - self.noise_mean_db[b] - sigma;
            self.band_snr_noise_db[b] = above_noise.clamp(0.0, cap);
            let noise = if with_leak {
                self.noise_mean_db[b].max(self.far.leak_db[b])
            } else {
                self.noise_mean_db[b]
            };
            let raw = self.score_input_db[b] - noise - sigma;
            let snr = raw.clamp(0.0, cap);
            self.band_snr_db[b] = snr;
        }
        let scored_len = self.scored_bands;
        let top = if p.score_top_bands == 0 {
            scored_len
        } else {
            p.score_top_bands.min(scored_len)
        };
        let mut score = if top < scored_len {
            // Partial selection on a copy: the `top` largest values end up first.
            let mut snr_db = self.band_snr_db;
            let scored = &mut snr_db[..scored_len];
            scored.select_nth_unstable_by(top - 1, |a, b| b.total_cmp(a));
            scored[..top].iter().sum::<f32>() / top as f32
        } else {
            self.band_snr_db[..top].iter().sum::<f32>() / top as f32
        };
        // Fricatives: the bands above `score_max_hz`, averaged and weighted, can carry the
        // score on their own: S = max(S, w_high mean_{b above} snr_b).
        let high = &self.band_snr_db[self.scored_bands..];
        if p.high_band_weight > 0.0 && !high.is_empty() {
            let high_score = high.iter().sum::<f32>() / high.len() as f32;
            score = score.max(p.high_band_weight * high_score);
        }
        self.last_score_db = score;
        score
    }

    /// Clamped SNR per band (dB) of the last analysed frame.
    pub fn band_snr_db(&self) -> &[f32; NUM_BANDS] {
        &self.band_snr_db
    }

    /// Clamped SNR per band (dB) of the last analysed frame against the noise floor
    /// alone (the far end's predicted leak left out; equal to [`band_snr_db`] without a
    /// reference).
    ///
    /// [`band_snr_db`]: Self::band_snr_db
    pub fn band_snr_noise_db(&self) -> &[f32; NUM_BANDS] {
        &self.band_snr_noise_db
    }

    /// How far the far end is above its own floor per band (dB, 0 when there is no
    /// reference): the far end's current activity.
    pub fn far_activity_db(&self) -> [f32; NUM_BANDS] {
        let mut out = [0f32; NUM_BANDS];
        if self.far.seen {
            let ring_len = self.far.ring_db.len();
            let at = (self.far.ring_pos + ring_len - self.far.lag_frames) % ring_len;
            let ring = &self.far.ring_db[at];
            for b in 0..NUM_BANDS {
                out[b] = (ring[b] - self.far.floor_db[b]).clamp(0.0, self.params.snr_cap_db);
            }
        }
        out
    }

    /// Band levels (dB) of the last analysed frame.
    pub fn band_level_db(&self) -> &[f32; NUM_BANDS] {
        &self.last_level_db
    }

    /// Power per bin (50 Hz bins, `0..MIC_BINS`, up to 4 kHz) of the last analysed frame's
    /// 20 ms Hann window.
    pub fn mic_power(&self) -> &[f32; MIC_BINS] {
        &self.mic_power
    }

    /// Mean square of the last analysed frame's samples.
    pub fn frame_mean_square(&self) -> f32 {
        self.frame_mean_square
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_spectrum_from_the_half_length_fft_matches_a_direct_dft() {
        let n = FFT_LEN_SAMPLES;
        let x: Vec<f32> = (0..n)
            .map(|i| {
                let t = i as f32 / 16_000.0;
                (2.0 * std::f32::consts::PI * 440.0 * t).sin()
                    + 0.3 * (2.0 * std::f32::consts::PI * 3130.0 * t).cos()
                    + 0.05 * ((i * 7919 % 101) as f32 / 101.0 - 0.5)
            })
            .collect();
        let fft = FftPlanner::<f32>::new().plan_fft_forward(n / 2);
        let mut z: Vec<Complex<f32>> = x
            .chunks_exact(2)
            .map(|p| Complex::new(p[0], p[1]))
            .collect();
        fft.process(&mut z);
        let mut power = vec![0.0; n / 2 + 1];
        power_spectrum(&z, &twiddles(n), &mut power);
        let peak = power.iter().cloned().fold(0.0f32, f32::max);
        for (k, &p) in power.iter().enumerate() {
            let (mut re, mut im) = (0.0f64, 0.0f64);
            for (i, &v) in x.iter().enumerate() {
                let th = -2.0 * std::f64::consts::PI * (k * i) as f64 / n as f64;
                re += f64::from(v) * th.cos();
                im += f64::from(v) * th.sin();
            }
            let want = (re * re + im * im) as f32;
            assert!((p - want).abs() <= 1e-4 * peak, "bin {k}: {p} vs {want}");
        }
    }

    #[test]
    fn band_bins_are_the_band_edges_rounded_to_bins() {
        let bin_hz = ANALYSIS_RATE_HZ as f32 / FFT_LEN_SAMPLES as f32;
        for (b, &(lo, hi)) in BAND_BINS.iter().enumerate() {
            let want_lo = (BAND_EDGES_HZ[b] / bin_hz).round() as usize;
            let want_hi = ((BAND_EDGES_HZ[b + 1] / bin_hz).round() as usize)
                .max(want_lo + 1)
                .min(BINS);
            assert_eq!((lo, hi), (want_lo, want_hi), "band {b}");
        }
    }

    #[test]
    fn wide_and_plain_paths_give_the_same_scores() {
        let mut wide = SpectralClassifier::new();
        let mut plain = SpectralClassifier::new();
        plain.wide = false;
        let mut seed = 12_345u32;
        let mut noise = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        for i in 0..400 {
            let gain = if (i / 50) % 2 == 0 { 0.01 } else { 0.3 };
            let frame: Vec<f32> = (0..FRAME_LEN_SAMPLES)
                .map(|n| {
                    let t = (i * FRAME_LEN_SAMPLES + n) as f32 / 16_000.0;
                    gain * (2.0 * std::f32::consts::PI * 310.0 * t).sin() + 0.01 * noise()
                })
                .collect();
            let far: Vec<f32> = (0..FRAME_LEN_SAMPLES).map(|_| 0.2 * noise()).collect();
            let a = wide.analyze_with_reference(&frame, Some(&far));
            let b = plain.analyze_with_reference(&frame, Some(&far));
            assert_eq!(a.to_bits(), b.to_bits(), "frame {i}: {a} vs {b}");
            assert_eq!(wide.band_snr_db(), plain.band_snr_db(), "frame {i}");
        }
    }

    #[test]
    fn a_step_from_digital_silence_to_dither_is_not_speech() {
        // 1 s of exact zeros, then 3 s of +-1 LSB (16-bit) noise: about -95 dBFS.
        let mut c = SpectralClassifier::new();
        let mut state = 0x1234_5678u32;
        let mut speech = 0;
        for f in 0..400 {
            let mut frame = [0.0f32; 160];
            if f >= 100 {
                for v in frame.iter_mut() {
                    state ^= state << 13;
                    state ^= state >> 17;
                    state ^= state << 5;
                    *v = ((state % 3) as f32 - 1.0) / 32_768.0;
                }
            }
            if c.classify(&frame, None) {
                speech += 1;
            }
        }
        assert_eq!(speech, 0);
    }

    #[test]
    fn fast_db_matches_log10() {
        let mut x = 1e-12f32;
        while x < 1e3 {
            let exact = 10.0 * x.log10();
            assert!(
                (power_to_db(x) - exact).abs() < 0.005,
                "x {x}: {} vs {exact}",
                power_to_db(x)
            );
            x *= 1.37;
        }
    }

    #[test]
    fn level_independent_on_a_tone_burst() {
        // The same burst of a harmonic tone over faint noise, at two levels 30 dB apart
        // (about -24 and -54 dBFS), gets nearly the same decisions.
        let decide = |gain: f32| -> Vec<bool> {
            let mut c = SpectralClassifier::new();
            let mut state = 1u32;
            (0..300)
                .map(|f| {
                    let frame: Vec<f32> = (0..FRAME_LEN_SAMPLES)
                        .map(|i| {
                            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                            let noise = (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                            let t = (f * FRAME_LEN_SAMPLES + i) as f32 / ANALYSIS_RATE_HZ as f32;
                            let voice = if (100..200).contains(&f) {
                                (1..6)
                                    .map(|h| {
                                        (2.0 * std::f32::consts::PI * 180.0 * h as f32 * t).sin()
                                    })
                                    .sum::<f32>()
                            } else {
                                0.0
                            };
                            gain * (0.003 * noise + 0.05 * voice)
                        })
                        .collect();
                    c.classify(&frame, None)
                })
                .collect()
        };
        let loud = decide(1.0);
        let quiet = decide(0.03);
        let differing = loud.iter().zip(&quiet).filter(|(a, b)| a != b).count();
        assert!(differing <= 3, "{differing} frames differ");
        assert!(loud[110..190].iter().all(|&d| d));
        assert!(loud[..100].iter().filter(|&&d| d).count() <= 3);
        assert!(loud[230..].iter().all(|&d| !d));
    }
}
