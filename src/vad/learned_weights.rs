//! Weights of the learned frame stage (src/vad/learned.rs), written by
//! `python3 tools/train_vad.py`; do not edit by hand.

/// Short mean of the band SNRs (the recurrences the weights were trained with).
pub const SHORT_ALPHA: f32 = 0.7;
/// Long mean of the band SNRs.
pub const LONG_ALPHA: f32 = 0.95;
/// Mean absolute change of the band SNRs.
pub const FLUX_ALPHA: f32 = 0.8;
/// Band SNRs (dB) are scaled by this.
pub const SNR_SCALE: f32 = 1.0 / 30.0;
/// Bands used (the lowest ones, up to 4 kHz).
pub const MODEL_BANDS: usize = 16;
/// Weights of the snr features per band.
pub const W_SNR: [f32; MODEL_BANDS] = [
    -0.0434591, 0.269638, 0.218949, 0.242058, 0.216947, 0.0849664, 0.0311765, -0.0627887, -0.12725,
    -0.125054, -0.0456898, 0.00882149, 0.0812234, 0.123421, 0.0967732, 0.18134,
];
/// Weights of the short features per band.
pub const W_SHORT: [f32; MODEL_BANDS] = [
    -0.0284611,
    0.285855,
    0.231728,
    0.248488,
    0.22112,
    0.0812245,
    0.0218218,
    -0.0744862,
    -0.143054,
    -0.145502,
    -0.0619629,
    -0.00870145,
    0.0607934,
    0.105821,
    0.0749353,
    0.152503,
];
/// Weights of the long features per band.
pub const W_LONG: [f32; MODEL_BANDS] = [
    0.122243, 0.41389, 0.345276, 0.354239, 0.327849, 0.183107, 0.123236, 0.0271664, -0.0525293,
    -0.0680319, 0.0178958, 0.070943, 0.137774, 0.180151, 0.131651, 0.170028,
];
/// Weights of the flux features per band.
pub const W_FLUX: [f32; MODEL_BANDS] = [
    -0.0437501,
    -0.0453447,
    -0.0211672,
    0.00803317,
    0.00712893,
    -0.00164565,
    -1.90081e-05,
    0.00506335,
    -0.00734957,
    -0.00901148,
    -0.000939859,
    -0.00502518,
    -0.0158056,
    -0.0127787,
    -0.0177132,
    -0.023889,
];
/// Bias of the logit.
pub const BIAS: f32 = -2.13725;
