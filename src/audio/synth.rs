//! A synthetic call for soak tests and benchmarks: two voice-like sources taking turns on a
//! fixed script (turns, short gaps, held pauses), over a faint noise floor, of any length,
//! generated frame by frame so memory never depends on the call's length; and a working day
//! made of one recorded call played again and again, with quiet stretches and a one-sided
//! video between the calls.

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

/// A working day made of one recorded call played again and again: `calls` times
/// `quiet_s` of faint noise alone, the call (both sides), `quiet_s` again, and the first
/// `video_s` of the call's prospect side alone (a video nobody answers: not a call).
/// Generated frame by frame; it holds only the call's audio.
#[derive(Debug, Clone)]
pub struct SynthDay {
    sides: [Vec<f32>; 2],
    calls: u64,
    quiet: Samples,
    video: Samples,
    t: Samples,
    noise: u32,
}

impl SynthDay {
    /// A day of `calls` calls, each the two `sides` (rep, prospect; 16 kHz, cut to the
    /// shorter), with `quiet_s` and `video_s` around them.
    pub fn new(sides: [Vec<f32>; 2], calls: u64, quiet_s: f64, video_s: f64) -> SynthDay {
        let [mut rep, mut prospect] = sides;
        let len = rep.len().min(prospect.len());
        rep.truncate(len);
        prospect.truncate(len);
        rep.shrink_to_fit();
        prospect.shrink_to_fit();
        let video = crate::timeline::s_to_samples(video_s).min(len as Samples);
        SynthDay {
            sides: [rep, prospect],
            calls,
            quiet: crate::timeline::s_to_samples(quiet_s),
            video,
            t: 0,
            noise: 0x1234_5678,
        }
    }

    /// A day of about `hours` hours (at least one call), as [`SynthDay::new`] lays it out.
    pub fn for_hours(sides: [Vec<f32>; 2], hours: f64, quiet_s: f64, video_s: f64) -> SynthDay {
        let mut day = SynthDay::new(sides, 1, quiet_s, video_s);
        let day_len = crate::timeline::s_to_samples(hours * 3600.0);
        day.calls = (day_len as f64 / day.period() as f64).round().max(1.0) as u64;
        day
    }

    fn call_len(&self) -> Samples {
        self.sides[0].len() as Samples
    }

    /// One call and what comes around it.
    pub fn period(&self) -> Samples {
        2 * self.quiet + self.call_len() + self.video
    }

    /// The whole day's length.
    pub fn total(&self) -> Samples {
        self.calls * self.period()
    }

    /// Where each call's audio starts and ends on the day's timeline.
    pub fn calls(&self) -> Vec<(Samples, Samples)> {
        (0..self.calls)
            .map(|k| {
                let start = k * self.period() + self.quiet;
                (start, start + self.call_len())
            })
            .collect()
    }

    fn next_noise(&mut self) -> f32 {
        // xorshift32: faint white noise (about -70 dBFS) under everything.
        self.noise ^= self.noise << 13;
        self.noise ^= self.noise >> 17;
        self.noise ^= self.noise << 5;
        (self.noise as f32 / u32::MAX as f32 - 0.5) * 0.0006
    }

    /// The day's audio at `t` (rep, prospect), without the noise.
    fn at(&self, t: Samples) -> (f32, f32) {
        let at = t % self.period();
        let call_from = self.quiet;
        let video_from = 2 * self.quiet + self.call_len();
        if (call_from..call_from + self.call_len()).contains(&at) {
            let i = (at - call_from) as usize;
            (self.sides[0][i], self.sides[1][i])
        } else if at >= video_from {
            (0.0, self.sides[1][(at - video_from) as usize])
        } else {
            (0.0, 0.0)
        }
    }
}

impl FrameSource for SynthDay {
    fn next_frame(
        &mut self,
        rep: &mut [f32],
        prospect: &mut [f32],
    ) -> Result<Option<FrameFill>, SourceError> {
        let total = self.total();
        if self.t >= total {
            return Ok(None);
        }
        let valid = ((total - self.t) as usize).min(FRAME_LEN_SAMPLES);
        for i in 0..FRAME_LEN_SAMPLES {
            let (r, p) = if i < valid {
                self.at(self.t + i as Samples)
            } else {
                (0.0, 0.0)
            };
            rep[i] = self.next_noise() + r;
            prospect[i] = self.next_noise() + p;
        }
        self.t += valid as Samples;
        Ok(Some(FrameFill {
            valid_samples: valid,
        }))
    }
}
