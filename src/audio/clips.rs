//! Audio clips of a call's moments to review (`--clips`): which stretch each clip covers,
//! cutting it from the very frames the analysis read, and encoding it as a small FLAC file.
//!
//! **The window rule.** A clip runs from [`LEAD_S`] before the moment's start to [`TAIL_S`]
//! after its end, and is never longer than [`MAX_CLIP_S`]: a long moment (a monologue, a
//! customer story) is heard from just before it starts, for [`MAX_CLIP_S`]. The window is
//! clamped to the call (it never starts before 0 nor ends after the call's end), so a moment
//! near either end gets a shorter clip. Every moment gets its own clip, even when two overlap.
//!
//! **The audio.** Both sides in one stereo clip, the rep on the left channel and the
//! prospect on the right, taken from a [`FrameSource`] that yields the frames the analysis
//! read (the recording decoded and resampled as the analysis does, or a live session's
//! recording), so clip times are report times. Stretches where analysis was paused (`p`,
//! privacy) are silent in the clips. The analysis rate (16 kHz) is low-passed (a linear-phase
//! Kaiser FIR, its delay compensated) and halved to [`CLIP_RATE_HZ`] (telephone band), then
//! rounded to [`CLIP_BITS`] bits and encoded losslessly as FLAC by the pure-Rust `flacenc`
//! crate: about 7 to 8 KB per second of call, so 20 clips of [`MAX_CLIP_S`] stay under 2 MB.

use std::panic::{AssertUnwindSafe, catch_unwind};

use flacenc::component::BitRepr;
use flacenc::error::Verify;

use super::decimate::kaiser_lowpass;
use super::source::{FrameSource, SourceError};
use crate::timeline::{ANALYSIS_RATE_HZ, FRAME_LEN_SAMPLES, Samples, Span, s_to_samples};

/// A clip starts this long before its moment, seconds.
pub const LEAD_S: f64 = 3.0;
/// A clip ends this long after its moment, seconds (unless that makes it too long).
pub const TAIL_S: f64 = 3.0;
/// The longest clip, seconds.
pub const MAX_CLIP_S: f64 = 12.0;
/// Sample rate of the clips, Hz (half the analysis rate).
pub const CLIP_RATE_HZ: u32 = ANALYSIS_RATE_HZ / DECIMATION as u32;
/// Bits per sample of the clips.
pub const CLIP_BITS: u32 = 12;
/// Analysis samples per clip sample.
const DECIMATION: usize = 2;
/// Top of the low-pass filter's pass band, Hz.
const PASS_EDGE_HZ: f64 = 3_400.0;
/// Bottom of its stop band, Hz: the clip rate's Nyquist frequency, so nothing folds back.
const STOP_EDGE_HZ: f64 = CLIP_RATE_HZ as f64 / 2.0;
/// Stop-band attenuation the filter is designed for, dB.
const STOP_ATTENUATION_DB: f64 = 50.0;
/// Samples per FLAC frame (0.5 s at the clip rate).
const FLAC_BLOCK_SAMPLES: usize = 4096;

/// The stretch of a call (analysis samples) that the clip of `moment` covers, by the window
/// rule of this module, in a call `call_len` samples long.
pub fn window(moment: Span, call_len: Samples) -> Span {
    let start = moment
        .start
        .min(call_len)
        .saturating_sub(s_to_samples(LEAD_S));
    let end = moment
        .end
        .max(moment.start)
        .saturating_add(s_to_samples(TAIL_S))
        .min(start.saturating_add(s_to_samples(MAX_CLIP_S)))
        .min(call_len);
    Span::new(start, end)
}

/// One clip to cut: where, on the source's timeline, and what in it to silence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClipRequest {
    /// The stretch to cut (analysis samples from the source's start).
    pub window: Span,
    /// Stretches to silence (analysis paused), on the same timeline.
    pub muted: Vec<Span>,
}

/// An encoded clip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clip {
    /// The stretch it covers (analysis samples on the source's timeline).
    pub window: Span,
    /// Samples per channel at [`CLIP_RATE_HZ`] (0: nothing to play).
    pub frames: usize,
    /// The FLAC file: stereo, rep left, prospect right (empty when `frames` is 0).
    pub flac: Vec<u8>,
}

impl Clip {
    /// Length, seconds.
    pub fn duration_s(&self) -> f64 {
        self.frames as f64 / f64::from(CLIP_RATE_HZ)
    }
}

/// Why clips could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ClipError {
    /// The recording could not be read again.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The encoder refused the audio.
    #[error("cannot encode an audio clip: {0}")]
    Encode(String),
}

/// The low-pass filter before halving the rate (odd length, symmetric, unity gain at DC).
fn lowpass() -> Vec<f32> {
    kaiser_lowpass(
        f64::from(ANALYSIS_RATE_HZ),
        PASS_EDGE_HZ,
        STOP_EDGE_HZ,
        STOP_ATTENUATION_DB,
    )
}

/// The samples of one clip as they arrive: both sides from `from` (the window's start less
/// half the filter) to `to` (its end plus half the filter).
struct Gather {
    window: Span,
    from: Samples,
    to: Samples,
    sides: [Vec<f32>; 2],
}

impl Gather {
    fn new(window: Span, half: Samples) -> Gather {
        Gather {
            window,
            from: window.start.saturating_sub(half),
            to: window.end.saturating_add(half),
            sides: [Vec::new(), Vec::new()],
        }
    }

    /// Takes what it needs of a frame of `frame[0].len()` samples starting at `pos`.
    fn take(&mut self, pos: Samples, frame: [&[f32]; 2]) {
        if self.window.is_empty() {
            return;
        }
        let end = pos + frame[0].len() as Samples;
        let (a, b) = (self.from.max(pos), self.to.min(end));
        if a >= b {
            return;
        }
        let (i, j) = ((a - pos) as usize, (b - pos) as usize);
        for (side, samples) in self.sides.iter_mut().zip(frame) {
            side.extend_from_slice(&samples[i..j]);
        }
    }

    /// Silences `muted`, filters, halves the rate, rounds to [`CLIP_BITS`] and encodes.
    fn finish(mut self, taps: &[f32], muted: &[Span]) -> Result<Clip, ClipError> {
        let frames = (self.window.len() as usize).div_ceil(DECIMATION);
        if frames == 0 {
            return Ok(Clip {
                window: self.window,
                frames: 0,
                flac: Vec::new(),
            });
        }
        let got = self.sides[0].len() as Samples;
        for m in muted {
            let (a, b) = (m.start.max(self.from), m.end.min(self.from + got));
            if a < b {
                for side in &mut self.sides {
                    side[(a - self.from) as usize..(b - self.from) as usize].fill(0.0);
                }
            }
        }
        let half = taps.len() / 2;
        // The input around the window, zeros where the call has no audio (before its start,
        // after its end): padded[i] is sample window.start - half + i.
        let lead_zeros = (half as Samples).saturating_sub(self.window.start - self.from) as usize;
        let padded_len = (frames - 1) * DECIMATION + taps.len();
        let full_scale = (1i32 << (CLIP_BITS - 1)) as f32;
        let mut interleaved = vec![0i32; 2 * frames];
        for (c, side) in self.sides.iter().enumerate() {
            let mut padded = vec![0.0f32; padded_len];
            let n = side.len().min(padded_len.saturating_sub(lead_zeros));
            padded[lead_zeros..lead_zeros + n].copy_from_slice(&side[..n]);
            for k in 0..frames {
                let x = &padded[k * DECIMATION..k * DECIMATION + taps.len()];
                let y: f32 = taps.iter().zip(x).map(|(h, v)| h * v).sum();
                let q = (y * full_scale).round();
                interleaved[2 * k + c] = if q.is_finite() {
                    q.clamp(-full_scale, full_scale - 1.0) as i32
                } else {
                    0
                };
            }
        }
        Ok(Clip {
            window: self.window,
            frames,
            flac: encode_flac(&interleaved)?,
        })
    }
}

/// Encodes interleaved stereo samples of [`CLIP_BITS`] bits at [`CLIP_RATE_HZ`] as FLAC.
fn encode_flac(interleaved: &[i32]) -> Result<Vec<u8>, ClipError> {
    let encode = || -> Result<Vec<u8>, String> {
        let mut config = flacenc::config::Encoder::default();
        config.block_size = FLAC_BLOCK_SAMPLES;
        let config = config.into_verified().map_err(|(_, e)| e.to_string())?;
        let source = flacenc::source::MemSource::from_samples(
            interleaved,
            2,
            CLIP_BITS as usize,
            CLIP_RATE_HZ as usize,
        );
        let mut stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
            .map_err(|e| e.to_string())?;
        // A stream of fixed-size blocks: its smallest block size leaves out the last block
        // (FLAC's STREAMINFO rule), which the encoder counts in; with the two different, some
        // decoders take it for a variable-size stream and fail.
        stream
            .stream_info_mut()
            .set_block_sizes(FLAC_BLOCK_SAMPLES, FLAC_BLOCK_SAMPLES)
            .map_err(|e| e.to_string())?;
        let mut sink = flacenc::bitsink::ByteSink::new();
        stream.write(&mut sink).map_err(|e| e.to_string())?;
        Ok(sink.into_inner())
    };
    match catch_unwind(AssertUnwindSafe(encode)) {
        Ok(r) => r.map_err(ClipError::Encode),
        Err(_) => Err(ClipError::Encode("the encoder failed".into())),
    }
}

/// Cuts and encodes one clip per request from `source`, read from its start and only as far
/// as the last clip needs; clips in request order. Where the source ends early, a clip is
/// silent past the end.
///
/// # Errors
/// [`ClipError::Source`] when the source fails, [`ClipError::Encode`] when a clip cannot be
/// encoded.
pub fn cut(source: &mut dyn FrameSource, requests: &[ClipRequest]) -> Result<Vec<Clip>, ClipError> {
    let taps = lowpass();
    let half = (taps.len() / 2) as Samples;
    let mut gathers: Vec<Gather> = requests
        .iter()
        .map(|r| Gather::new(r.window, half))
        .collect();
    let needed = gathers
        .iter()
        .filter(|g| !g.window.is_empty())
        .map(|g| g.to)
        .max()
        .unwrap_or(0);
    let mut rep = [0.0f32; FRAME_LEN_SAMPLES];
    let mut prospect = [0.0f32; FRAME_LEN_SAMPLES];
    let mut pos: Samples = 0;
    while pos < needed {
        let Some(fill) = source.next_frame(&mut rep, &mut prospect)? else {
            break;
        };
        let n = fill.valid_samples.min(FRAME_LEN_SAMPLES);
        for g in &mut gathers {
            g.take(pos, [&rep[..n], &prospect[..n]]);
        }
        pos += n as Samples;
    }
    gathers
        .into_iter()
        .zip(requests)
        .map(|(g, r)| g.finish(&taps, &r.muted))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::audio::decode::AudioReader;
    use crate::audio::source::FrameFill;

    const RATE: f64 = ANALYSIS_RATE_HZ as f64;

    fn s(a_s: f64, b_s: f64) -> Span {
        Span::new(s_to_samples(a_s), s_to_samples(b_s))
    }

    #[test]
    fn a_clip_runs_from_before_the_moment_to_after_it() {
        assert_eq!(window(s(60.0, 61.5), s_to_samples(600.0)), s(57.0, 64.5));
        // A mark (an empty moment) gets the lead and the tail.
        assert_eq!(window(s(60.0, 60.0), s_to_samples(600.0)), s(57.0, 63.0));
    }

    #[test]
    fn a_clip_is_clamped_to_the_call() {
        // Near the start: from 0.
        assert_eq!(window(s(1.0, 2.0), s_to_samples(600.0)), s(0.0, 5.0));
        // Near the end: up to the end.
        assert_eq!(
            window(s(598.0, 599.5), s_to_samples(600.0)),
            s(595.0, 600.0)
        );
        // A moment past the end (bad input) still gives a stretch of the call.
        assert_eq!(
            window(s(700.0, 710.0), s_to_samples(600.0)),
            s(597.0, 600.0)
        );
        // A call shorter than the lead.
        assert_eq!(window(s(1.0, 1.5), s_to_samples(2.0)), s(0.0, 2.0));
        // A call of nothing has nothing to hear.
        assert!(window(s(0.0, 0.0), 0).is_empty());
    }

    #[test]
    fn a_long_moment_is_heard_from_its_start_for_at_most_the_longest_clip() {
        // A two-minute monologue at 5:00: its opening.
        let w = window(s(300.0, 420.0), s_to_samples(1800.0));
        assert_eq!(w, s(297.0, 297.0 + MAX_CLIP_S));
        // A moment just short of the cap keeps its tail up to the cap.
        let w = window(s(100.0, 107.0), s_to_samples(1800.0));
        assert_eq!(w, s(97.0, 109.0));
        // Clamped at the start: the cap counts from the clamped start.
        let w = window(s(1.0, 60.0), s_to_samples(1800.0));
        assert_eq!(w, s(0.0, MAX_CLIP_S));
    }

    /// A call from two functions of time (seconds), `len_s` long.
    struct Synth<F: Fn(f64) -> [f32; 2]> {
        f: F,
        pos: Samples,
        len: Samples,
    }

    impl<F: Fn(f64) -> [f32; 2]> FrameSource for Synth<F> {
        fn next_frame(
            &mut self,
            rep: &mut [f32],
            prospect: &mut [f32],
        ) -> Result<Option<FrameFill>, SourceError> {
            if self.pos >= self.len {
                return Ok(None);
            }
            let n = ((self.len - self.pos) as usize).min(FRAME_LEN_SAMPLES);
            for i in 0..FRAME_LEN_SAMPLES {
                let v = if i < n {
                    (self.f)((self.pos + i as Samples) as f64 / RATE)
                } else {
                    [0.0; 2]
                };
                rep[i] = v[0];
                prospect[i] = v[1];
            }
            self.pos += n as Samples;
            Ok(Some(FrameFill { valid_samples: n }))
        }
    }

    fn tone(t: f64, hz: f64) -> f32 {
        (0.5 * (2.0 * std::f64::consts::PI * hz * t).sin()) as f32
    }

    /// A clip decoded: rate, channels, samples per channel.
    fn decode(clip: &Clip) -> (u32, Vec<Vec<f32>>) {
        let mut reader =
            AudioReader::open_vec(Path::new("clip.flac"), clip.flac.clone()).expect("decodes");
        let info = reader.info();
        assert_eq!(info.channels, 2);
        let mut out = vec![Vec::new(), Vec::new()];
        let mut block = vec![Vec::new(), Vec::new()];
        while reader.next_channels(&[0, 1], &mut block).expect("reads") {
            for (o, b) in out.iter_mut().zip(&block) {
                o.extend_from_slice(b);
            }
        }
        (info.rate_hz, out)
    }

    /// RMS of `x` from `a_s` to `b_s` (seconds at the clip rate).
    fn rms(x: &[f32], a_s: f64, b_s: f64) -> f64 {
        let r = f64::from(CLIP_RATE_HZ);
        let part = &x[(a_s * r) as usize..((b_s * r) as usize).min(x.len())];
        (part.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / part.len().max(1) as f64).sqrt()
    }

    #[test]
    fn clips_hold_both_sides_at_the_report_s_times() {
        // The rep speaks (a 500 Hz tone) from 10 to 11 s, the prospect (a 1 kHz tone) from
        // 12 to 14 s, in a 30 s call.
        let mut source = Synth {
            f: |t| {
                [
                    if (10.0..11.0).contains(&t) {
                        tone(t, 500.0)
                    } else {
                        0.0
                    },
                    if (12.0..14.0).contains(&t) {
                        tone(t, 1000.0)
                    } else {
                        0.0
                    },
                ]
            },
            pos: 0,
            len: s_to_samples(30.0),
        };
        let requests = [
            ClipRequest {
                window: window(s(11.0, 12.0), s_to_samples(30.0)),
                muted: vec![],
            },
            ClipRequest {
                window: window(s(28.0, 28.0), s_to_samples(30.0)),
                muted: vec![],
            },
        ];
        let clips = cut(&mut source, &requests).expect("cut");
        assert_eq!(clips.len(), 2);
        // 8 s to 15 s, and 25 s to the end.
        assert_eq!(clips[0].window, s(8.0, 15.0));
        assert_eq!(clips[0].frames, 7 * CLIP_RATE_HZ as usize);
        assert!((clips[0].duration_s() - 7.0).abs() < 1e-9);
        assert_eq!(clips[1].window, s(25.0, 30.0));
        assert_eq!(clips[1].frames, 5 * CLIP_RATE_HZ as usize);
        let (rate, sides) = decode(&clips[0]);
        assert_eq!(rate, CLIP_RATE_HZ);
        assert_eq!(sides[0].len(), clips[0].frames);
        let (rep, prospect) = (&sides[0], &sides[1]);
        // The rep on the left at 2-3 s into the clip, the prospect on the right at 4-6 s.
        let full = 0.5 / 2f64.sqrt();
        assert!(
            (rms(rep, 2.05, 2.95) - full).abs() < 0.01,
            "{}",
            rms(rep, 2.05, 2.95)
        );
        assert!(rms(rep, 0.0, 1.95) < 1e-3 && rms(rep, 3.05, 7.0) < 1e-3);
        assert!((rms(prospect, 4.05, 5.95) - full).abs() < 0.01);
        assert!(rms(prospect, 0.0, 3.95) < 1e-3 && rms(prospect, 6.05, 7.0) < 1e-3);
        // The tone starts where it should, to the millisecond or two (the filter is
        // centred: no delay).
        let r = f64::from(CLIP_RATE_HZ);
        let onset = rep
            .iter()
            .position(|v| v.abs() > 0.1)
            .expect("the rep speaks") as f64
            / r;
        assert!((onset - 2.0).abs() < 0.002, "onset {onset}");
    }

    #[test]
    fn paused_stretches_are_silent_in_the_clips() {
        let mut source = Synth {
            f: |t| [tone(t, 300.0), tone(t, 700.0)],
            pos: 0,
            len: s_to_samples(20.0),
        };
        let requests = [ClipRequest {
            window: s(5.0, 15.0),
            muted: vec![s(8.0, 10.0)],
        }];
        let clips = cut(&mut source, &requests).expect("cut");
        let (_, sides) = decode(&clips[0]);
        for side in &sides {
            assert!(
                rms(side, 3.05, 4.95) < 1e-3,
                "muted: {}",
                rms(side, 3.05, 4.95)
            );
            assert!(rms(side, 0.0, 2.9) > 0.3);
            assert!(rms(side, 5.1, 10.0) > 0.3);
        }
    }

    #[test]
    fn a_source_shorter_than_the_windows_gives_silence_past_its_end_and_no_error() {
        let mut source = Synth {
            f: |t| [tone(t, 300.0), 0.0],
            pos: 0,
            len: s_to_samples(4.0),
        };
        let requests = [
            ClipRequest {
                window: s(2.0, 8.0),
                muted: vec![],
            },
            ClipRequest {
                window: Span::new(0, 0),
                muted: vec![],
            },
        ];
        let clips = cut(&mut source, &requests).expect("cut");
        assert_eq!(clips[0].frames, 6 * CLIP_RATE_HZ as usize);
        let (_, sides) = decode(&clips[0]);
        assert!(rms(&sides[0], 0.0, 1.95) > 0.3);
        assert!(rms(&sides[0], 2.05, 6.0) < 1e-3);
        assert_eq!(clips[1].frames, 0);
        assert!(clips[1].flac.is_empty());
    }

    #[test]
    fn loud_and_broken_samples_are_clamped_not_a_panic() {
        let mut source = Synth {
            f: |t| {
                if t < 1.0 {
                    [f32::NAN, f32::INFINITY]
                } else {
                    [40.0, -40.0]
                }
            },
            pos: 0,
            len: s_to_samples(3.0),
        };
        let clips = cut(
            &mut source,
            &[ClipRequest {
                window: s(0.0, 3.0),
                muted: vec![],
            }],
        )
        .expect("cut");
        let (_, sides) = decode(&clips[0]);
        assert!(sides[0][CLIP_RATE_HZ as usize * 2] > 0.99);
        assert!(sides[1][CLIP_RATE_HZ as usize * 2] < -0.99);
    }

    #[test]
    fn the_filter_passes_the_telephone_band_and_stops_what_would_fold_back() {
        let h = lowpass();
        let gain_db = |hz: f64| {
            let w = 2.0 * std::f64::consts::PI * hz / RATE;
            let (re, im) = h.iter().enumerate().fold((0.0, 0.0), |(re, im), (k, &v)| {
                let p = w * k as f64;
                (re + f64::from(v) * p.cos(), im - f64::from(v) * p.sin())
            });
            20.0 * (re * re + im * im).sqrt().log10()
        };
        for hz in [100.0, 1000.0, 3000.0, PASS_EDGE_HZ] {
            assert!(gain_db(hz).abs() < 0.1, "{hz} Hz: {} dB", gain_db(hz));
        }
        for hz in [STOP_EDGE_HZ, 5000.0, 7000.0, 7999.0] {
            assert!(
                gain_db(hz) < -STOP_ATTENUATION_DB,
                "{hz} Hz: {} dB",
                gain_db(hz)
            );
        }
    }
}
