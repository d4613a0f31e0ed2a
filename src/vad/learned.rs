//! Learned frame stage: a logistic regression on causal features of the spectral
//! classifier's clamped band SNRs (the SNRs themselves, a short and a long running mean, and
//! the running mean of their frame-to-frame change). Its weights are trained by
//! `tools/train_vad.py` on the permissively licensed training data and kept as constants in
//! `learned_weights.rs`. About 150 multiply-adds per frame, no allocation.

use super::spectral::NUM_BANDS;

use super::learned_weights::{self as weights, MODEL_BANDS};

/// Running state of the learned stage's features.
#[derive(Debug, Clone)]
pub struct LearnedStage {
    short: [f32; MODEL_BANDS],
    long: [f32; MODEL_BANDS],
    flux: [f32; MODEL_BANDS],
    prev: [f32; MODEL_BANDS],
    logit: f32,
}

impl Default for LearnedStage {
    fn default() -> Self {
        LearnedStage {
            short: [0.0; MODEL_BANDS],
            long: [0.0; MODEL_BANDS],
            flux: [0.0; MODEL_BANDS],
            prev: [0.0; MODEL_BANDS],
            logit: 0.0,
        }
    }
}

impl LearnedStage {
    /// Updates the features with one frame's clamped band SNRs (dB) and returns the speech
    /// logit (log odds; above 0 is more likely speech).
    pub fn update(&mut self, band_snr_db: &[f32; NUM_BANDS]) -> f32 {
        use weights::*;
        let mut z = BIAS;
        for b in 0..MODEL_BANDS {
            let s = band_snr_db[b] * SNR_SCALE;
            self.short[b] = SHORT_ALPHA * self.short[b] + (1.0 - SHORT_ALPHA) * s;
            self.long[b] = LONG_ALPHA * self.long[b] + (1.0 - LONG_ALPHA) * s;
            self.flux[b] =
                FLUX_ALPHA * self.flux[b] + (1.0 - FLUX_ALPHA) * (s - self.prev[b]).abs();
            self.prev[b] = s;
            z += W_SNR[b] * s
                + W_SHORT[b] * self.short[b]
                + W_LONG[b] * self.long[b]
                + W_FLUX[b] * self.flux[b];
        }
        self.logit = z;
        z
    }

    /// The logit of the last frame.
    pub fn logit(&self) -> f32 {
        self.logit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_broadband_snr_scores_above_silence() {
        let (mut quiet, mut loud) = (LearnedStage::default(), LearnedStage::default());
        let (mut zq, mut zl) = (0.0, 0.0);
        for _ in 0..100 {
            zq = quiet.update(&[0.0; NUM_BANDS]);
            zl = loud.update(&[20.0; NUM_BANDS]);
        }
        assert!(zq.is_finite() && zl.is_finite());
        assert!(zl > zq, "logit {zl} over 20 dB SNR, {zq} over none");
        assert_eq!(quiet.logit(), zq);
    }
}
