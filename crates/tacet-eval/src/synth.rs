//! Synthetic conditions for detector tests and call simulations: noises (pink, fan, mains
//! hum, keyboard clicks, breaths, comfort noise), call-progress tones, channels (G.711 mu-law telephone, headset
//! bleed through a short room response) and level helpers. All deterministic (seeded).

use super::{resample_rational, telephone_band};
use tacet::timeline::ANALYSIS_RATE_HZ;

/// A small xorshift generator: deterministic noise without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u32);

impl Rng {
    /// A generator from a seed (0 is replaced by a fixed non-zero value).
    pub fn new(seed: u32) -> Self {
        Rng(if seed == 0 { 0x9e37_79b9 } else { seed })
    }

    /// Next value, uniform in `[0, 1)`.
    pub fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 >> 8) as f32 / (1u32 << 24) as f32
    }

    /// Next value, uniform in `[-1, 1)`.
    pub fn bipolar(&mut self) -> f32 {
        2.0 * self.uniform() - 1.0
    }
}

const SR: f32 = ANALYSIS_RATE_HZ as f32;

/// RMS of a signal.
pub fn rms(x: &[f32]) -> f32 {
    (x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32).sqrt()
}

/// Linear gain of `db` decibels.
pub fn db_to_gain(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// Scales `x` in place so its RMS is `dbfs` (a silent signal is left alone).
pub fn set_rms_dbfs(x: &mut [f32], dbfs: f32) {
    let r = rms(x);
    if r > 0.0 {
        let g = db_to_gain(dbfs) / r;
        x.iter_mut().for_each(|v| *v *= g);
    }
}

/// Adds `b` into `a` (up to the shorter length).
pub fn add_into(a: &mut [f32], b: &[f32]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
}

/// Pink noise (Paul Kellet's economy filter over white noise), RMS `dbfs`.
pub fn pink(n: usize, seed: u32, dbfs: f32) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut b = [0f32; 3];
    let mut x: Vec<f32> = (0..n)
        .map(|_| {
            let w = rng.bipolar();
            b[0] = 0.99765 * b[0] + w * 0.099_046;
            b[1] = 0.963 * b[1] + w * 0.296_516_4;
            b[2] = 0.57 * b[2] + w * 1.052_691_3;
            b[0] + b[1] + b[2] + w * 0.1848
        })
        .collect();
    set_rms_dbfs(&mut x, dbfs);
    x
}

/// White noise, RMS `dbfs`.
pub fn white(n: usize, seed: u32, dbfs: f32) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut x: Vec<f32> = (0..n).map(|_| rng.bipolar()).collect();
    set_rms_dbfs(&mut x, dbfs);
    x
}

/// A call-progress tone: its name, its frequencies and its cadence.
#[derive(Debug, Clone, Copy)]
pub struct CallTone {
    /// What it is ("US ringback").
    pub name: &'static str,
    /// The sines, Hz.
    pub freqs_hz: &'static [f32],
    /// Seconds on and off, repeated.
    pub cadence_s: &'static [(f32, f32)],
}

/// Ringback and busy tones of several countries (frequencies and cadences of ITU-T E.180).
pub const CALL_TONES: [CallTone; 4] = [
    CallTone {
        name: "US ringback",
        freqs_hz: &[440.0, 480.0],
        cadence_s: &[(2.0, 4.0)],
    },
    CallTone {
        name: "UK ringback",
        freqs_hz: &[400.0, 450.0],
        cadence_s: &[(0.4, 0.2), (0.4, 2.0)],
    },
    CallTone {
        name: "EU ringback",
        freqs_hz: &[425.0],
        cadence_s: &[(1.0, 4.0)],
    },
    CallTone {
        name: "US busy",
        freqs_hz: &[480.0, 620.0],
        cadence_s: &[(0.5, 0.5)],
    },
];

/// A call-progress tone (ringback, busy): the sum of `freqs_hz` switched on and off by
/// `cadence_s` (pairs of on and off seconds, repeated), each tone at `dbfs` RMS while on.
pub fn call_tone(n: usize, freqs_hz: &[f32], cadence_s: &[(f32, f32)], dbfs: f32) -> Vec<f32> {
    let period_s: f32 = cadence_s.iter().map(|(on, off)| on + off).sum();
    let gain = db_to_gain(dbfs) * std::f32::consts::SQRT_2;
    (0..n)
        .map(|i| {
            let t = i as f32 / SR;
            let mut at = t % period_s.max(1e-3);
            let mut on = false;
            for &(on_s, off_s) in cadence_s {
                if at < on_s {
                    on = true;
                    break;
                }
                at -= on_s + off_s;
                if at < 0.0 {
                    break;
                }
            }
            if !on {
                return 0.0;
            }
            freqs_hz
                .iter()
                .map(|f| gain * (2.0 * std::f32::consts::PI * f * t).sin())
                .sum()
        })
        .collect()
}

/// Mains hum: `mains_hz` and its harmonics up to 1 kHz with falling amplitudes (odd
/// harmonics stronger, as from a transformer), RMS `dbfs`.
pub fn hum(n: usize, mains_hz: f32, dbfs: f32) -> Vec<f32> {
    let harmonics = (1000.0 / mains_hz) as usize;
    let mut x: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f32 / SR;
            (1..=harmonics)
                .map(|h| {
                    let a = if h % 2 == 1 { 1.0 } else { 0.4 } / h as f32;
                    a * (2.0 * std::f32::consts::PI * mains_hz * h as f32 * t + h as f32).sin()
                })
                .sum::<f32>()
        })
        .collect();
    set_rms_dbfs(&mut x, dbfs);
    x
}

/// Fan noise: low-passed noise (a one-pole at about 400 Hz over pink noise) with a slow
/// blade-rate amplitude wobble and a 100 Hz motor tone, RMS `dbfs`.
pub fn fan(n: usize, seed: u32, dbfs: f32) -> Vec<f32> {
    let p = pink(n, seed, -20.0);
    let a = (-2.0 * std::f32::consts::PI * 400.0 / SR).exp();
    let mut y = 0.0f32;
    let mut x: Vec<f32> = p
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            y = a * y + (1.0 - a) * v;
            let t = i as f32 / SR;
            let wobble = 1.0 + 0.2 * (2.0 * std::f32::consts::PI * 7.0 * t).sin();
            y * wobble * 4.0 + 0.01 * (2.0 * std::f32::consts::PI * 100.0 * t).sin()
        })
        .collect();
    set_rms_dbfs(&mut x, dbfs);
    x
}

/// Keyboard typing: `keys_per_s` key presses on average (random intervals), each a press
/// click and a release click 60-120 ms later. A click is a 3-8 ms burst of noise through
/// two damped resonances (1.5-5 kHz), peak about `peak_dbfs`.
pub fn clicks(n: usize, seed: u32, keys_per_s: f32, peak_dbfs: f32) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut x = vec![0f32; n];
    let mean_gap = SR / keys_per_s.max(0.1);
    let mut pos = (rng.uniform() * mean_gap) as usize;
    let peak = db_to_gain(peak_dbfs);
    while pos < n {
        let release = pos + (SR * (0.06 + 0.06 * rng.uniform())) as usize;
        for (start, gain) in [(pos, 1.0), (release, 0.6)] {
            let f1 = 1500.0 + 3500.0 * rng.uniform();
            let f2 = 300.0 + 700.0 * rng.uniform();
            let len = (SR * (0.003 + 0.005 * rng.uniform())) as usize;
            let g = gain * peak * (0.5 + 0.5 * rng.uniform());
            let tail = (SR * 0.03) as usize;
            for k in 0..tail {
                let Some(dst) = x.get_mut(start + k) else {
                    break;
                };
                let t = k as f32 / SR;
                let burst = if k < len { rng.bipolar() } else { 0.0 };
                let ring = (-t / 0.004).exp()
                    * (0.7 * (2.0 * std::f32::consts::PI * f1 * t).sin()
                        + 0.3 * (2.0 * std::f32::consts::PI * f2 * t).sin());
                *dst += g * (0.6 * burst + ring);
            }
        }
        pos += (mean_gap * (0.3 + 1.4 * rng.uniform())) as usize;
    }
    x
}

/// Breath-like noise: bursts of 250-600 ms of band-passed noise (about 500-3000 Hz) with a
/// rise-and-fall envelope, one every `period_s` on average, RMS within a burst `dbfs`.
pub fn breaths(n: usize, seed: u32, period_s: f32, dbfs: f32) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let mut x = vec![0f32; n];
    let mut pos = (SR * period_s * rng.uniform()) as usize;
    let gain = db_to_gain(dbfs) * 2.5;
    let (a_lo, a_hi) = (
        (-2.0 * std::f32::consts::PI * 500.0 / SR).exp(),
        (-2.0 * std::f32::consts::PI * 3000.0 / SR).exp(),
    );
    while pos < n {
        let len = (SR * (0.25 + 0.35 * rng.uniform())) as usize;
        let (mut lo, mut hi) = (0f32, 0f32);
        for k in 0..len {
            let Some(dst) = x.get_mut(pos + k) else {
                break;
            };
            let w = rng.bipolar();
            hi = a_hi * hi + (1.0 - a_hi) * w;
            lo = a_lo * lo + (1.0 - a_lo) * w;
            let env = (std::f32::consts::PI * k as f32 / len as f32).sin().powi(2);
            *dst += gain * env * (hi - lo) * 3.0;
        }
        pos += len + (SR * period_s * (0.5 + rng.uniform())) as usize;
    }
    x
}

/// VoIP comfort noise: noise shaped like a typical background (pink) and limited to the
/// telephone band (RFC 3389 comfort noise carries the background's spectral shape), RMS
/// `dbfs`, switched on only where `gate` is true (per sample; where the sender is quiet).
pub fn comfort_noise(gate: &[bool], seed: u32, dbfs: f32) -> Vec<f32> {
    let w = pink(gate.len(), seed, dbfs);
    let mut tel = telephone_band(&w);
    set_rms_dbfs(&mut tel, dbfs);
    tel.iter_mut()
        .zip(gate)
        .for_each(|(v, &on)| *v = if on { *v } else { 0.0 });
    tel
}

/// G.711 mu-law encoding of one sample (`x` in `[-1, 1]`) to its 8-bit code.
pub fn mulaw_encode(x: f32) -> u8 {
    const BIAS: i32 = 0x84;
    const CLIP: i32 = 32635;
    let s = (x.clamp(-1.0, 1.0) * 32767.0) as i32;
    let sign = if s < 0 { 0x80 } else { 0 };
    let mag = (s.abs().min(CLIP) + BIAS) as u32;
    let exponent = (31 - mag.leading_zeros()).saturating_sub(7).min(7);
    let mantissa = (mag >> (exponent + 3)) & 0x0f;
    !((sign | (exponent << 4) | mantissa) as u8)
}

/// G.711 mu-law decoding of an 8-bit code to a sample in `[-1, 1]`.
pub fn mulaw_decode(code: u8) -> f32 {
    let c = !code;
    let sign = c & 0x80;
    let exponent = u32::from((c >> 4) & 0x07);
    let mantissa = i32::from(c & 0x0f);
    let mag = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    let v = if sign != 0 { -mag } else { mag };
    v as f32 / 32768.0
}

/// A telephone channel: down to 8 kHz, G.711 mu-law coded and decoded, back up to 16 kHz.
pub fn mulaw_telephone(audio_16k: &[f32]) -> Vec<f32> {
    let narrow: Vec<f32> = resample_rational(audio_16k, 1, 2)
        .into_iter()
        .map(|v| mulaw_decode(mulaw_encode(v)))
        .collect();
    let mut wide = resample_rational(&narrow, 2, 1);
    wide.resize(audio_16k.len(), 0.0);
    wide
}

/// Headset bleed of the far end into the microphone: `far` delayed by `delay_ms`,
/// through a short room-like response (a direct path, a few decaying reflections over
/// 15 ms and a gentle low-pass), attenuated by `atten_db`.
pub fn bleed(far: &[f32], delay_ms: f32, atten_db: f32, seed: u32) -> Vec<f32> {
    let mut rng = Rng::new(seed);
    let delay = (delay_ms * SR / 1000.0) as usize;
    let mut taps: Vec<(usize, f32)> = vec![(0, 1.0)];
    for k in 1..=6 {
        let at = (SR * 0.0025 * k as f32 * (0.7 + 0.6 * rng.uniform())) as usize;
        taps.push((at, 0.5 * (-(k as f32) / 2.5).exp() * rng.bipolar()));
    }
    let norm = taps.iter().map(|(_, g)| g * g).sum::<f32>().sqrt();
    let gain = db_to_gain(-atten_db) / norm;
    let a = (-2.0 * std::f32::consts::PI * 3000.0 / SR).exp();
    let mut y = 0.0f32;
    (0..far.len())
        .map(|i| {
            let mut acc = 0.0;
            for &(at, g) in &taps {
                if let Some(j) = i.checked_sub(delay + at) {
                    acc += g * far[j];
                }
            }
            y = a * y + (1.0 - a) * acc;
            gain * (0.5 * y + 0.5 * acc)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mulaw_round_trip_is_close() {
        for i in -100..=100 {
            let x = i as f32 / 100.0 * 0.9;
            let y = mulaw_decode(mulaw_encode(x));
            assert!((x - y).abs() <= 0.03 * x.abs() + 0.001, "{x} -> {y}");
        }
    }

    #[test]
    fn levels_are_as_asked() {
        assert!((20.0 * rms(&pink(16_000, 1, -30.0)).log10() + 30.0).abs() < 0.01);
        assert!((20.0 * rms(&hum(16_000, 50.0, -40.0)).log10() + 40.0).abs() < 0.01);
        let far = white(16_000, 2, -20.0);
        let b = bleed(&far, 10.0, 30.0, 3);
        let level = 20.0 * rms(&b[1000..]).log10();
        assert!((-58.0..-46.0).contains(&level), "{level}");
    }
}
