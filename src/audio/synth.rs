//! A synthetic call for soak tests and benchmarks: two voice-like sources taking turns on a
//! fixed script (turns, short gaps, held pauses), over a faint noise floor, of any length,
//! generated frame by frame so memory never depends on the call's length.

use super::source::{FrameFill, FrameSource, SourceError};
use crate::timeline::{ANALYSIS_RATE_HZ, FRAME_LEN_SAMPLES, Samples};

/// One cycle of the script, in seconds: (rep speaks, gap, prospect speaks, pause).
const CYCLE_S: [f64; 4] = [4.0, 0.5, 3.0, 1.5];

/// A deterministic two-party call of `total` samples at the analysis rate.
#[derive(Debug, Clone)]
pub struct SynthCall {
    total: Samples,
    t: Samples,
    noise: u32,
}

impl SynthCall {
    /// A call of `seconds` seconds.
    pub fn new(seconds: f64) -> SynthCall {
        SynthCall {
            total: crate::timeline::s_to_samples(seconds),
            t: 0,
            noise: 0x1234_5678,
        }
    }

    /// Scripted talk time of each side (rep, prospect) over the whole call, in samples.
    pub fn scripted_talk(&self) -> [Samples; 2] {
        let rate = f64::from(ANALYSIS_RATE_HZ);
        let cycle: f64 = CYCLE_S.iter().sum();
        let cycle_samples = (cycle * rate) as Samples;
        let full = self.total / cycle_samples;
        let rest = self.total % cycle_samples;
        let rep_len = (CYCLE_S[0] * rate) as Samples;
        let pro_start = ((CYCLE_S[0] + CYCLE_S[1]) * rate) as Samples;
        let pro_len = (CYCLE_S[2] * rate) as Samples;
        [
            full * rep_len + rest.min(rep_len),
            full * pro_len + rest.saturating_sub(pro_start).min(pro_len),
        ]
    }

    fn who(&self, t: Samples) -> (bool, bool) {
        let rate = f64::from(ANALYSIS_RATE_HZ);
        let cycle: f64 = CYCLE_S.iter().sum();
        let phase_s = (t as f64 / rate) % cycle;
        let rep = phase_s < CYCLE_S[0];
        let pro_from = CYCLE_S[0] + CYCLE_S[1];
        let pro = (pro_from..pro_from + CYCLE_S[2]).contains(&phase_s);
        (rep, pro)
    }

    fn next_noise(&mut self) -> f32 {
        // xorshift32: faint white noise (about -70 dBFS) under everything.
        self.noise ^= self.noise << 13;
        self.noise ^= self.noise >> 17;
        self.noise ^= self.noise << 5;
        (self.noise as f32 / u32::MAX as f32 - 0.5) * 0.0006
    }
}

/// A voice-like signal: a few harmonics of `f0_hz` with a 4 Hz syllable envelope.
fn voice(t: Samples, f0_hz: f32) -> f32 {
    let ts = t as f32 / ANALYSIS_RATE_HZ as f32;
    let syllable = 0.55 + 0.45 * (std::f32::consts::TAU * 4.0 * ts).sin();
    let mut v = 0.0;
    for (k, amp) in [
        (1.0f32, 1.0f32),
        (2.0, 0.6),
        (3.0, 0.4),
        (5.0, 0.25),
        (8.0, 0.12),
    ] {
        v += amp * (std::f32::consts::TAU * f0_hz * k * ts).sin();
    }
    v * 0.08 * syllable
}

impl FrameSource for SynthCall {
    fn next_frame(
        &mut self,
        rep: &mut [f32],
        prospect: &mut [f32],
    ) -> Result<Option<FrameFill>, SourceError> {
        if self.t >= self.total {
            return Ok(None);
        }
        let valid = ((self.total - self.t) as usize).min(FRAME_LEN_SAMPLES);
        for i in 0..FRAME_LEN_SAMPLES {
            let t = self.t + i as Samples;
            let (r, p) = if i < valid {
                self.who(t)
            } else {
                (false, false)
            };
            rep[i] = self.next_noise() + if r { voice(t, 120.0) } else { 0.0 };
            prospect[i] = self.next_noise() + if p { voice(t, 210.0) } else { 0.0 };
        }
        self.t += valid as Samples;
        Ok(Some(FrameFill {
            valid_samples: valid,
        }))
    }
}
