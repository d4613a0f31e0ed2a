//! A synthetic call for soak tests and benchmarks: two voice-like sources taking turns on a
//! fixed script (turns, short gaps, held pauses), over a faint noise floor, of any length,
//! generated frame by frame so memory never depends on the call's length; and a synthetic
//! working day of such calls, with quiet stretches and a one-sided video between them.

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
        script(t)
    }
}

/// Who speaks at `t` of the call's script (rep, prospect).
fn script(t: Samples) -> (bool, bool) {
    let rate = f64::from(ANALYSIS_RATE_HZ);
    let cycle: f64 = CYCLE_S.iter().sum();
    let phase_s = (t as f64 / rate) % cycle;
    let rep = phase_s < CYCLE_S[0];
    let pro_from = CYCLE_S[0] + CYCLE_S[1];
    let pro = (pro_from..pro_from + CYCLE_S[2]).contains(&phase_s);
    (rep, pro)
}

impl SynthCall {
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

/// A working day: `calls` times `quiet_s` of noise alone, a call of the script `call_s` long
/// (ending on a cycle of the script, so its last speech is the prospect's), `quiet_s` again,
/// and `video_s` of a voice on the prospect's side only (a video nobody answers: not a call).
#[derive(Debug, Clone)]
pub struct SynthDay {
    calls: u64,
    call: Samples,
    quiet: Samples,
    video: Samples,
    inner: SynthCall,
}

impl SynthDay {
    /// A day of `calls` calls (`call_s` rounded down to whole cycles of the script, at
    /// least one), with `quiet_s` and `video_s` between them.
    pub fn new(calls: u64, call_s: f64, quiet_s: f64, video_s: f64) -> SynthDay {
        let cycle: f64 = CYCLE_S.iter().sum();
        let call_s = (call_s / cycle).floor().max(1.0) * cycle;
        let mut day = SynthDay {
            calls,
            call: crate::timeline::s_to_samples(call_s),
            quiet: crate::timeline::s_to_samples(quiet_s),
            video: crate::timeline::s_to_samples(video_s),
            inner: SynthCall::new(0.0),
        };
        day.inner.total = calls * day.period();
        day
    }

    /// One call and what comes around it.
    pub fn period(&self) -> Samples {
        self.call + 2 * self.quiet + self.video
    }

    /// The calls, in samples: where each starts and where its last speech ends.
    pub fn calls(&self) -> Vec<(Samples, Samples)> {
        let last_pause = crate::timeline::s_to_samples(CYCLE_S[3]);
        (0..self.calls)
            .map(|k| {
                let start = k * self.period() + self.quiet;
                (start, start + self.call - last_pause)
            })
            .collect()
    }

    /// Who speaks at `t` of the day (rep, prospect).
    fn who(&self, t: Samples) -> (bool, bool) {
        let at = t % self.period();
        if (self.quiet..self.quiet + self.call).contains(&at) {
            script(at - self.quiet)
        } else {
            let video_from = self.call + 2 * self.quiet;
            (false, at >= video_from)
        }
    }
}

impl FrameSource for SynthDay {
    fn next_frame(
        &mut self,
        rep: &mut [f32],
        prospect: &mut [f32],
    ) -> Result<Option<FrameFill>, SourceError> {
        let inner = &mut self.inner;
        if inner.t >= inner.total {
            return Ok(None);
        }
        let valid = ((inner.total - inner.t) as usize).min(FRAME_LEN_SAMPLES);
        for i in 0..FRAME_LEN_SAMPLES {
            let t = self.inner.t + i as Samples;
            let (r, p) = if i < valid {
                self.who(t)
            } else {
                (false, false)
            };
            rep[i] = self.inner.next_noise() + if r { voice(t, 120.0) } else { 0.0 };
            prospect[i] = self.inner.next_noise() + if p { voice(t, 210.0) } else { 0.0 };
        }
        self.inner.t += valid as Samples;
        Ok(Some(FrameFill {
            valid_samples: valid,
        }))
    }
}
