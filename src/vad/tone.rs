//! Call-progress tones are not speech: ringback, busy and dial tones are one or two steady
//! sine waves, which the learned model (never trained on them) calls speech for most of
//! their on-time. A frame is a tone when nearly all of its energy between 300 Hz and 4 kHz
//! lies in two narrow peaks, and its spectrum, averaged over the last 80 ms, is the same as
//! 80 ms before; voiced speech, however steady a vowel, changes its harmonics within that
//! time. A few such frames in a row and the frame is not speech. A tone found is
//! remembered for [`MEMORY_FRAMES`]: the next bursts of the same ringback or busy tone are
//! tones from their first frames (once the tone has been heard to switch off, a frame as
//! concentrated whose spectrum matches the remembered one; a hum that never stops is not
//! looked for again), not only once they have been steady for the test's 190 ms. And the
//! frames just after a sure tone's frame (one steady for [`CONFIRM_FRAMES`], or the
//! remembered tone), while no louder than it, are its end (the window
//! across a tone's switching off spreads it over the spectrum).
//!
//! The levels were chosen on the training data's validation mixtures and synthesized tones
//! (docs/vad.md, "Call-progress tones, gated"): with them the detector's F1 on the
//! validation mixtures is as without the gate, and no tone is left.

use super::spectral::MIC_BINS;

/// First bin looked at (300 Hz). Call-progress tones are 350 Hz and up; below 300 Hz are
/// mains hum's strong harmonics and room rumble, as steady as a tone, which under meeting
/// speech held most of a frame's energy and made a first version, looking from 100 Hz,
/// call speech over them a tone (docs/vad.md).
const FIRST_BIN: usize = 6;
/// Bins looked at.
const TONE_BINS: usize = MIC_BINS - FIRST_BIN;
/// Half-width of a peak, in bins: a Hann window's main lobe is two bins either side.
const PEAK_HALF_WIDTH_BINS: usize = 2;
/// Share of the frame's energy in its two peaks above which it may be a tone.
const CONCENTRATION: f32 = 0.95;
/// Frames averaged for the steadiness test (80 ms: beats of two tones 10 Hz or more apart
/// average out).
const SMOOTH_FRAMES: usize = 8;
/// How far back the averaged spectrum is compared (80 ms).
const LAG_FRAMES: usize = 8;
/// Correlation of the averaged magnitude spectra above which the frame is steady.
const STEADY_CORRELATION: f32 = 0.99;
/// Consecutive tone-like frames before the frame counts as a tone.
const HOLD_FRAMES: u32 = 3;
/// Consecutive tone-like frames before the tone is sure enough to be remembered and its
/// end gated too (200 ms: no voice on the validation mixtures holds this steady that long).
const CONFIRM_FRAMES: u32 = 20;
/// Spectra kept: the two averaging windows.
const HISTORY: usize = SMOOTH_FRAMES + LAG_FRAMES;
/// How long a tone found is remembered (30 s: a ringback's or busy tone's cadence is at
/// most 6 s).
const MEMORY_FRAMES: u32 = 3_000;
/// Correlation of a frame's magnitude spectrum with the remembered tone's above which a
/// concentrated frame is that tone.
const MATCH_CORRELATION: f32 = 0.95;
/// How far under the remembered tone's power a frame must fall for the tone to have
/// switched off (10 dB, as a power ratio): only a tone seen to switch off (a ringback's or
/// busy tone's cadence, not a steady hum) is looked for again in the frames after.
const SWITCHED_OFF: f32 = 0.1;
/// Frames after a tone's frame that are its end while no louder than it (120 ms: the
/// 20 ms window across the switching off, and the model's own memory of the tone, which
/// called a short busy tone's last 50-100 ms speech through the telephone channel).
const TAIL_FRAMES: u32 = 12;
/// How much louder than the tone a frame of its end may be (1 dB), as a power ratio.
const TAIL_LOUDER: f32 = 1.26;

/// Tells steady tones from speech, frame by frame; allocated once, nothing per frame.
#[derive(Debug, Clone)]
pub struct ToneGate {
    /// The last [`HISTORY`] frames' power spectra, a ring; `next` is the oldest.
    history: [[f32; TONE_BINS]; HISTORY],
    next: usize,
    /// Frames seen, up to [`HISTORY`].
    seen: usize,
    /// Consecutive tone-like frames.
    run: u32,
    /// The last tone found: its averaged magnitude spectrum, of unit norm.
    memory: [f32; TONE_BINS],
    /// Frames the memory is kept for yet.
    memory_left: u32,
    /// The remembered tone's power (300 Hz to 4 kHz).
    memory_power: f32,
    /// The remembered tone has switched off since: its next burst is looked for.
    armed: bool,
    /// The averaged magnitude spectrum of the last [`SMOOTH_FRAMES`] frames, of unit norm.
    recent: [f32; TONE_BINS],
    /// Frames after the last tone frame that may still be its end.
    tail_left: u32,
    /// The power (300 Hz to 4 kHz) of the last tone frame.
    tone_power: f32,
}

impl Default for ToneGate {
    fn default() -> Self {
        Self::new()
    }
}

impl ToneGate {
    /// A gate that has seen nothing.
    pub fn new() -> Self {
        ToneGate {
            history: [[0.0; TONE_BINS]; HISTORY],
            next: 0,
            seen: 0,
            run: 0,
            memory: [0.0; TONE_BINS],
            memory_left: 0,
            memory_power: 0.0,
            armed: false,
            recent: [0.0; TONE_BINS],
            tail_left: 0,
            tone_power: 0.0,
        }
    }

    /// Takes the next frame's power spectrum (bins `0..MIC_BINS`, 50 Hz apart) and says
    /// whether the frame is a steady tone, or the tone found last.
    pub fn push(&mut self, power: &[f32; MIC_BINS]) -> bool {
        let newest = self.next;
        self.history[newest].copy_from_slice(&power[FIRST_BIN..]);
        self.next = (self.next + 1) % HISTORY;
        self.seen = (self.seen + 1).min(HISTORY);
        let (share, power) = concentration(&self.history[newest]);
        let concentrated = share > CONCENTRATION;
        let like = concentrated && self.seen == HISTORY && self.steadiness() > STEADY_CORRELATION;
        self.run = if like { self.run.saturating_add(1) } else { 0 };
        let sure = if self.run >= CONFIRM_FRAMES {
            self.memory = self.recent;
            self.memory_left = MEMORY_FRAMES;
            self.memory_power = power;
            self.armed = false;
            true
        } else if self.memory_left > 0 {
            self.memory_left -= 1;
            self.armed |= power < self.memory_power * SWITCHED_OFF;
            self.armed && concentrated && self.matches_memory(newest)
        } else {
            false
        };
        if sure {
            self.tail_left = TAIL_FRAMES;
            self.tone_power = power;
            return true;
        }
        if self.run >= HOLD_FRAMES {
            return true;
        }
        // The end of a tone: a few frames no louder than it.
        if self.tail_left > 0 {
            self.tail_left -= 1;
            return power <= self.tone_power * TAIL_LOUDER;
        }
        false
    }

    /// Whether frame `k` of the ring has the remembered tone's spectrum.
    fn matches_memory(&self, k: usize) -> bool {
        let (mut dot, mut norm) = (0.0f32, 0.0f32);
        for (p, m) in self.history[k].iter().zip(&self.memory) {
            let a = p.sqrt();
            dot += a * m;
            norm += a * a;
        }
        norm > 1e-20 && dot / norm.sqrt() > MATCH_CORRELATION
    }

    /// Correlation of the magnitude spectra averaged over the last [`SMOOTH_FRAMES`]
    /// frames and over the [`SMOOTH_FRAMES`] before those; keeps the recent one, of unit
    /// norm, in `recent`.
    fn steadiness(&mut self) -> f32 {
        let mut before = [0.0f32; TONE_BINS];
        self.recent = [0.0; TONE_BINS];
        for k in 0..SMOOTH_FRAMES {
            // Oldest first: `next` is the oldest frame of the ring.
            let old = &self.history[(self.next + k) % HISTORY];
            let new = &self.history[(self.next + LAG_FRAMES + k) % HISTORY];
            for b in 0..TONE_BINS {
                before[b] += old[b];
                self.recent[b] += new[b];
            }
        }
        let (mut dot, mut rr, mut bb) = (0.0f32, 0.0f32, 0.0f32);
        for (r, b) in self.recent.iter_mut().zip(&before) {
            *r = r.sqrt();
            let b = b.sqrt();
            dot += *r * b;
            rr += *r * *r;
            bb += b * b;
        }
        if rr <= 1e-20 || bb <= 1e-20 {
            return 0.0;
        }
        let norm = rr.sqrt();
        for r in &mut self.recent {
            *r /= norm;
        }
        dot / (norm * bb.sqrt())
    }
}

/// Share of `power`'s energy within [`PEAK_HALF_WIDTH_BINS`] of its two highest peaks,
/// and its energy.
fn concentration(power: &[f32; TONE_BINS]) -> (f32, f32) {
    let total: f32 = power.iter().sum();
    if total <= 1e-20 {
        return (0.0, total);
    }
    let mut taken = [false; TONE_BINS];
    let mut peaks = 0.0f32;
    for _ in 0..2 {
        let mut best: Option<usize> = None;
        for (k, &p) in power.iter().enumerate() {
            if !taken[k] && best.is_none_or(|b| p > power[b]) {
                best = Some(k);
            }
        }
        let Some(k) = best else { break };
        let lo = k.saturating_sub(PEAK_HALF_WIDTH_BINS);
        let hi = (k + PEAK_HALF_WIDTH_BINS + 1).min(TONE_BINS);
        for j in lo..hi {
            if !taken[j] {
                taken[j] = true;
                peaks += power[j];
            }
        }
    }
    (peaks / total, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::ANALYSIS_RATE_HZ;

    /// The power spectrum of a 320-sample Hann window of `signal` ending at `end`, as the
    /// front end computes it (bins `0..MIC_BINS`, a direct DFT).
    fn power_at(signal: &[f32], end: usize) -> [f32; MIC_BINS] {
        let n = 320;
        let mut out = [0.0f32; MIC_BINS];
        for (k, o) in out.iter_mut().enumerate() {
            let (mut re, mut im) = (0.0f64, 0.0f64);
            for i in 0..n {
                let w = 0.5
                    - 0.5
                        * (2.0 * std::f64::consts::PI * (i as f64 + 1.0) / (n as f64 + 1.0)).cos();
                let x = f64::from(signal[end - n + i]) * w;
                let a = 2.0 * std::f64::consts::PI * (k * i) as f64 / n as f64;
                re += x * a.cos();
                im -= x * a.sin();
            }
            *o = (re * re + im * im) as f32;
        }
        out
    }

    /// Frames called tones in `signal` (10 ms frames).
    fn tone_frames(signal: &[f32]) -> usize {
        let mut gate = ToneGate::new();
        (2..signal.len() / 160)
            .filter(|&f| gate.push(&power_at(signal, f * 160)))
            .count()
    }

    fn tones(freqs_hz: &[f32], seconds: f32) -> Vec<f32> {
        let n = (seconds * ANALYSIS_RATE_HZ as f32) as usize;
        (0..n)
            .map(|i| {
                let t = i as f32 / ANALYSIS_RATE_HZ as f32;
                freqs_hz
                    .iter()
                    .map(|f| 0.1 * (2.0 * std::f32::consts::PI * f * t).sin())
                    .sum()
            })
            .collect()
    }

    #[test]
    fn ringback_busy_and_dial_tones_are_tones_after_their_first_frames() {
        // US ringback, busy, dial tone; EU ringback; UK ringback.
        for freqs in [
            [440.0, 480.0],
            [480.0, 620.0],
            [350.0, 440.0],
            [425.0, 425.0],
            [400.0, 450.0],
        ] {
            let frames = tone_frames(&tones(&freqs, 1.0));
            // 98 frames analysed; the first HISTORY + HOLD_FRAMES cannot be told yet.
            assert!(
                frames >= 98 - HISTORY - HOLD_FRAMES as usize,
                "{freqs:?}: {frames}"
            );
        }
    }

    #[test]
    fn the_next_burst_of_a_tone_found_is_a_tone_from_its_first_frames() {
        // US ringback's cadence: 2 s on, 4 s off (shortened to 1 s here), twice.
        let mut signal = tones(&[440.0, 480.0], 1.0);
        signal.extend(vec![0.0; 16_000]);
        let second = signal.len();
        signal.extend(tones(&[440.0, 480.0], 1.0));
        let mut gate = ToneGate::new();
        let called: Vec<bool> = (2..signal.len() / 160)
            .map(|f| gate.push(&power_at(&signal, f * 160)))
            .collect();
        // `called[i]` is the frame whose window ends at sample (i + 2) x 160: from the first
        // whose window lies wholly in the second burst, every frame is the tone.
        let first_inside = second / 160;
        assert!(
            called[first_inside..].iter().all(|&t| t),
            "{:?}",
            &called[first_inside..first_inside + 20]
        );
    }

    #[test]
    fn a_voice_with_a_moving_pitch_and_noise_are_not_tones() {
        // A vowel-like voice: harmonics of a pitch gliding 110 -> 140 Hz, formant-weighted.
        let n = ANALYSIS_RATE_HZ as usize;
        let mut phase = 0.0f32;
        let voice: Vec<f32> = (0..n)
            .map(|i| {
                let f0 = 110.0 + 30.0 * i as f32 / n as f32;
                phase += 2.0 * std::f32::consts::PI * f0 / ANALYSIS_RATE_HZ as f32;
                (1..=20)
                    .map(|h| {
                        let f = f0 * h as f32;
                        let formant = (-((f - 500.0) / 300.0).powi(2)).exp()
                            + 0.5 * (-((f - 1500.0) / 400.0).powi(2)).exp();
                        0.1 * formant * (phase * h as f32).sin()
                    })
                    .sum()
            })
            .collect();
        assert_eq!(tone_frames(&voice), 0);
        let mut seed = 7u32;
        let noise: Vec<f32> = (0..n)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            })
            .collect();
        assert_eq!(tone_frames(&noise), 0);
    }
}
