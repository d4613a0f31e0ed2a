//! The learned speech model: a dense layer, a GRU and a logistic output over the frame
//! features of [`super::features`], one step per 10 ms frame. Its weights
//! (`model_weights.rs`) are trained by `tools/train_vad.py` on the permissively licensed
//! training data only (sources and licences: `src/vad/MODEL.md`).
//!
//! Hand-written rather than taken from an inference crate: the network is about 7,500
//! multiply-adds per frame, and the whole step (state kept in place, nothing allocated,
//! 256-bit vectors where the CPU has them) costs less than the FFT in front of it; a
//! general runtime would add its dispatch to every 10 ms step of both sides of a call.

use super::features::NUM_FEATURES;
use super::model_weights::{self as weights, HIDDEN, HIDDEN_IN};

const GATES: usize = 3 * HIDDEN;

// The weights were written for these features.
const _: () = assert!(weights::W1.len() == NUM_FEATURES);

/// The model's state for one stream of frames. Aligned to a cache line, so that its
/// vectors never straddle one, wherever the detector is allocated.
#[derive(Debug, Clone)]
#[repr(align(64))]
pub struct SpeechModel {
    hidden: [f32; HIDDEN],
    input: [f32; HIDDEN_IN],
    gates_in: [f32; GATES],
    gates_state: [f32; GATES],
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    wide: bool,
}

impl Default for SpeechModel {
    fn default() -> Self {
        Self::new()
    }
}

impl SpeechModel {
    /// A model with a zero state.
    pub fn new() -> Self {
        SpeechModel {
            hidden: [0.0; HIDDEN],
            input: [0.0; HIDDEN_IN],
            gates_in: [0.0; GATES],
            gates_state: [0.0; GATES],
            #[cfg(target_arch = "x86_64")]
            wide: std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(not(target_arch = "x86_64"))]
            wide: false,
        }
    }

    /// Takes one frame's features and returns the probability that the frame is speech.
    pub fn step(&mut self, features: &[f32; NUM_FEATURES]) -> f32 {
        #[cfg(target_arch = "x86_64")]
        if self.wide {
            // SAFETY: the CPU was checked for AVX2 at construction.
            return unsafe { self.step_wide(features) };
        }
        self.step_plain(features)
    }

    /// [`step_plain`](Self::step_plain) compiled for 256-bit vectors: the same operations
    /// in the same order (no fused multiply-add), so the same results.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn step_wide(&mut self, features: &[f32; NUM_FEATURES]) -> f32 {
        self.step_plain(features)
    }

    #[inline(always)]
    fn step_plain(&mut self, features: &[f32; NUM_FEATURES]) -> f32 {
        // Dense layer with ReLU.
        self.input = weights::B1;
        for (x, row) in features.iter().zip(&weights::W1) {
            axpy(&mut self.input, *x, row);
        }
        for v in &mut self.input {
            *v = v.max(0.0);
        }
        // GRU gates from the input and from the state.
        self.gates_in = weights::BI;
        for (x, row) in self.input.iter().zip(&weights::WI) {
            axpy(&mut self.gates_in, *x, row);
        }
        self.gates_state = weights::BH;
        for (h, row) in self.hidden.iter().zip(&weights::WH) {
            axpy(&mut self.gates_state, *h, row);
        }
        let (i_r, rest) = self.gates_in.split_at(HIDDEN);
        let (i_z, i_n) = rest.split_at(HIDDEN);
        let (s_r, rest) = self.gates_state.split_at(HIDDEN);
        let (s_z, s_n) = rest.split_at(HIDDEN);
        let mut out = weights::BO;
        let mut acc = [0f32; HIDDEN];
        for j in 0..HIDDEN {
            let r = sigmoid(i_r[j] + s_r[j]);
            let z = sigmoid(i_z[j] + s_z[j]);
            let n = tanh(i_n[j] + r * s_n[j]);
            let h = (1.0 - z) * n + z * self.hidden[j];
            self.hidden[j] = h;
            acc[j] = h * weights::WO[j];
        }
        out += acc.iter().sum::<f32>();
        sigmoid(out)
    }
}

/// `acc += x row`, vectorised across the outputs.
#[inline(always)]
fn axpy<const N: usize>(acc: &mut [f32; N], x: f32, row: &[f32; N]) {
    for (a, w) in acc.iter_mut().zip(row) {
        *a += x * w;
    }
}

/// `e^x` for `x` in about `[-87, 88]` (clamped), from `2^(x log2 e)`: the nearest integer
/// goes into the exponent bits and `2^f`, `f` in `[-0.5, 0.5]`, comes from its Taylor
/// polynomial of degree 6 (relative error below 2e-7). Vectorises, unlike `f32::exp`.
#[inline(always)]
fn fast_exp(x: f32) -> f32 {
    const C: [f32; 6] = [
        std::f32::consts::LN_2,
        0.240_226_5,
        0.055_504_11,
        0.009_618_129,
        0.001_333_356,
        0.000_154_035_3,
    ];
    let t = x.clamp(-87.0, 88.0) * std::f32::consts::LOG2_E;
    let k = t.round();
    let f = t - k;
    let p = 1.0 + f * (C[0] + f * (C[1] + f * (C[2] + f * (C[3] + f * (C[4] + f * C[5])))));
    let bits = ((k as i32 + 127) as u32) << 23;
    p * f32::from_bits(bits)
}

#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + fast_exp(-x))
}

#[inline(always)]
fn tanh(x: f32) -> f32 {
    2.0 / (1.0 + fast_exp(-2.0 * x)) - 1.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_exp_is_close_to_exp() {
        let mut x = -80.0f32;
        while x < 80.0 {
            let want = x.exp();
            let got = fast_exp(x);
            assert!(((got - want) / want).abs() < 1e-5, "{x}: {got} vs {want}");
            x += 0.173;
        }
        assert!((tanh(0.5) - 0.5f32.tanh()).abs() < 1e-6);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-7);
    }

    #[test]
    fn wide_and_plain_steps_agree_bit_for_bit() {
        let mut wide = SpeechModel::new();
        let mut plain = SpeechModel::new();
        plain.wide = false;
        let mut seed = 99u32;
        for _ in 0..200 {
            let mut x = [0f32; NUM_FEATURES];
            for v in &mut x {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                *v = (seed >> 8) as f32 / (1u32 << 24) as f32;
            }
            let (a, b) = (wide.step(&x), plain.step(&x));
            assert_eq!(a.to_bits(), b.to_bits());
            assert!((0.0..=1.0).contains(&a));
        }
    }
}
