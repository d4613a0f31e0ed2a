//! Scores the default speech detector on the shared labeled data: frame precision, recall,
//! F1 and false-alarm rate per data set, and speed in multiples of real time on one core.
//!
//! `cargo run --release --example vad_eval -- ../shared/data [--per-file] [--set key=value]...`
//! where `key` is a `SpectralParams` or `TrackerParams` field (for tuning experiments).
//!
//! With `--features anchors`, the same table is printed for reference detectors run on the
//! same audio with the same scoring: earshot (score >= 0.5 per 16 ms frame) and WebRTC's
//! VAD (libfvad, 10 ms frames, modes 0 and 3), their raw frame decisions taken as segments.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tacet::eval::{self, FrameCounts, LabeledClip};
use tacet::timeline::{ANALYSIS_RATE_HZ, Span};
use tacet::vad::{
    FrameClassifier, SpectralClassifier, SpectralParams, SpeechTracker, TrackerParams,
};

struct Settings {
    spectral: SpectralParams,
    tracker: TrackerParams,
}

impl Settings {
    fn tracker(&self) -> SpeechTracker {
        SpeechTracker::with_params(
            Box::new(SpectralClassifier::with_params(self.spectral)),
            self.tracker,
        )
    }

    fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let f = || -> Result<f32> {
            value
                .parse()
                .with_context(|| format!("bad value for {key}"))
        };
        let u = || -> Result<u32> {
            value
                .parse()
                .with_context(|| format!("bad value for {key}"))
        };
        let s = &mut self.spectral;
        match key {
            "floor_subwindow_ms" => s.floor_subwindow_ms = u()?,
            "floor_subwindows" => s.floor_subwindows = u()? as usize,
            "floor_bias_db" => s.floor_bias_db = f()?,
            "noise_tau_ms" => s.noise_tau_ms = f()?,
            "noise_gate_db" => s.noise_gate_db = f()?,
            "noise_max_above_min_db" => s.noise_max_above_min_db = f()?,
            "noise_sigmas" => s.noise_sigmas = f()?,
            "floor_smoothing_ms" => s.floor_smoothing_ms = f()?,
            "score_smoothing_ms" => s.score_smoothing_ms = f()?,
            "snr_cap_db" => s.snr_cap_db = f()?,
            "score_top_bands" => s.score_top_bands = u()? as usize,
            "high_band_weight" => s.high_band_weight = f()?,
            "score_max_hz" => s.score_max_hz = f()?,
            "on_db" => s.on_db = f()?,
            "off_db" => s.off_db = f()?,
            "learned_gain_db" => s.learned_gain_db = f()?,
            "rule_weight" => s.rule_weight = f()?,
            "max_gap_frames" => self.tracker.max_gap_frames = u()?,
            "min_speech_frames" => self.tracker.min_speech_frames = u()?,
            "start_preroll_frames" => self.tracker.start_preroll_frames = u()?,
            "min_run_frames" => self.tracker.min_run_frames = u()?,
            _ => bail!("unknown parameter {key}"),
        }
        Ok(())
    }
}

/// Pooled counts over clips and the processing time.
struct Run {
    counts: FrameCounts,
    cpu: Duration,
}

/// A detector under test: the project's, or a reference one.
#[derive(Clone, Copy)]
enum Detector {
    Tacet,
    #[cfg(feature = "anchors")]
    Earshot,
    #[cfg(feature = "anchors")]
    WebRtc(u8),
}

impl Detector {
    fn name(self) -> String {
        match self {
            Detector::Tacet => "tacet".into(),
            #[cfg(feature = "anchors")]
            Detector::Earshot => "earshot".into(),
            #[cfg(feature = "anchors")]
            Detector::WebRtc(mode) => format!("webrtc mode {mode}"),
        }
    }

    fn segments(self, settings: &Settings, audio: &[f32]) -> Vec<Span> {
        match self {
            Detector::Tacet => eval::segments_from_vad(&mut settings.tracker(), audio),
            #[cfg(feature = "anchors")]
            Detector::Earshot => anchors::earshot(audio),
            #[cfg(feature = "anchors")]
            Detector::WebRtc(mode) => anchors::webrtc(audio, mode),
        }
    }
}

#[cfg(feature = "anchors")]
mod anchors {
    use tacet::timeline::{FRAME_LEN_SAMPLES, Samples, Span};

    /// Runs of `true` decisions over blocks of `block` samples, as segments.
    fn runs(decisions: &[bool], block: usize) -> Vec<Span> {
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        for (i, &d) in decisions.iter().chain(std::iter::once(&false)).enumerate() {
            match (d, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push(Span::new((s * block) as Samples, (i * block) as Samples));
                    start = None;
                }
                _ => {}
            }
        }
        out
    }

    /// earshot's default network, 16 ms frames, score >= 0.5.
    pub fn earshot(audio: &[f32]) -> Vec<Span> {
        let mut det = earshot::Detector::default();
        let mut frame = [0f32; 256];
        let decisions: Vec<bool> = audio
            .chunks(256)
            .map(|c| {
                frame.fill(0.0);
                for (d, s) in frame.iter_mut().zip(c) {
                    *d = s.clamp(-1.0, 1.0);
                }
                det.predict_f32(&frame) >= 0.5
            })
            .collect();
        runs(&decisions, 256)
    }

    /// WebRTC's VAD (libfvad) at 16 kHz, 10 ms frames, in the given mode (0-3).
    pub fn webrtc(audio: &[f32], mode: u8) -> Vec<Span> {
        use webrtc_vad::{SampleRate, Vad, VadMode};
        let mode = match mode {
            0 => VadMode::Quality,
            1 => VadMode::LowBitrate,
            2 => VadMode::Aggressive,
            _ => VadMode::VeryAggressive,
        };
        let mut vad = Vad::new_with_rate_and_mode(SampleRate::Rate16kHz, mode);
        let mut frame = [0i16; FRAME_LEN_SAMPLES];
        let decisions: Vec<bool> = audio
            .chunks(FRAME_LEN_SAMPLES)
            .map(|c| {
                frame.fill(0);
                for (d, s) in frame.iter_mut().zip(c) {
                    *d = (s.clamp(-1.0, 1.0) * 32767.0) as i16;
                }
                vad.is_voice_segment(&frame).unwrap_or(false)
            })
            .collect();
        runs(&decisions, FRAME_LEN_SAMPLES)
    }
}

fn run_detector(
    det: Detector,
    settings: &Settings,
    clips: &[&LabeledClip],
    per_file: bool,
    tag: &str,
) -> Run {
    let mut counts = FrameCounts::default();
    let mut cpu = Duration::ZERO;
    for clip in clips {
        let t0 = Instant::now();
        let segments = det.segments(settings, &clip.audio);
        cpu += t0.elapsed();
        let c = clip.score(&segments);
        if per_file {
            println!(
                "  {tag} {:<20} P {:.3} R {:.3} F1 {:.3} FA {:.3}",
                clip.name,
                c.precision(),
                c.recall(),
                c.f1(),
                c.false_alarm_rate()
            );
        }
        counts.merge(&c);
    }
    Run { counts, cpu }
}

fn row(name: &str, r: &Run) {
    println!(
        "{name:<28} {:>6.3} {:>6.3} {:>6.3} {:>7.4} {:>8}",
        r.counts.precision(),
        r.counts.recall(),
        r.counts.f1(),
        r.counts.false_alarm_rate(),
        r.counts.total()
    );
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut per_file = false;
    let mut dump: Option<String> = None;
    let mut settings = Settings {
        spectral: SpectralParams::default(),
        tracker: TrackerParams::default(),
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--per-file" => per_file = true,
            "--dump" => dump = Some(args.next().context("--dump needs a clip name")?),
            "--set" => {
                let kv = args.next().context("--set needs key=value")?;
                let (k, v) = kv.split_once('=').context("--set needs key=value")?;
                settings.set(k, v)?;
            }
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = match dir.or_else(eval::shared_data_dir) {
        Some(d) => d,
        None => bail!("no data folder: pass it, or set TACET_SHARED_DATA"),
    };

    let ten = eval::load_ten_testset(&dir.join("ten-vad-testset"))?;
    let ten_tel: Vec<LabeledClip> = ten
        .iter()
        .map(|c| LabeledClip {
            name: c.name.clone(),
            audio: eval::telephone_band(&c.audio),
            labels: c.labels.clone(),
            scored: c.scored,
        })
        .collect();
    // The test set at two levels: speech RMS at -45 dBFS, and peaks at 0 dBFS.
    let scaled = |target: fn(&[f32]) -> f32| -> Vec<LabeledClip> {
        ten.iter()
            .map(|c| {
                let gain = target(&c.audio);
                LabeledClip {
                    name: c.name.clone(),
                    audio: c.audio.iter().map(|v| v * gain).collect(),
                    labels: c.labels.clone(),
                    scored: c.scored,
                }
            })
            .collect()
    };
    let ten_quiet = scaled(|a| {
        let rms = (a.iter().map(|v| v * v).sum::<f32>() / a.len().max(1) as f32).sqrt();
        10f32.powf(-45.0 / 20.0) / rms.max(1e-9)
    });
    let ten_loud = scaled(|a| 1.0 / a.iter().fold(1e-9f32, |m, v| m.max(v.abs())));
    let ami = eval::load_ami(&dir.join("pyannote-ami-debug"))?;
    let noise = LabeledClip {
        name: "Noise".into(),
        audio: eval::read_wav_16k(&dir.join("alsa-sounds/Noise.wav"))?,
        labels: Vec::new(),
        scored: None,
    };

    let held_out = |c: &&LabeledClip| {
        c.name
            .rsplit('-')
            .next()
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| n >= 16)
    };
    if let Some(name) = dump {
        let clip = ten
            .iter()
            .chain(&ami)
            .find(|c| c.name == name)
            .context("no clip by that name")?;
        dump_scores(&settings, clip);
        return Ok(());
    }
    let all: Vec<&LabeledClip> = ten.iter().collect();
    let tune: Vec<&LabeledClip> = ten.iter().filter(|c| !held_out(c)).collect();
    let hold: Vec<&LabeledClip> = ten.iter().filter(held_out).collect();
    let tel: Vec<&LabeledClip> = ten_tel.iter().collect();
    let ami_refs: Vec<&LabeledClip> = ami.iter().collect();

    let quiet: Vec<&LabeledClip> = ten_quiet.iter().collect();
    let loud: Vec<&LabeledClip> = ten_loud.iter().collect();
    let audio_s: f64 =
        all.iter().map(|c| c.audio.len() as f64).sum::<f64>() / f64::from(ANALYSIS_RATE_HZ);
    #[allow(unused_mut)]
    let mut detectors = vec![Detector::Tacet];
    #[cfg(feature = "anchors")]
    detectors.extend([Detector::Earshot, Detector::WebRtc(0), Detector::WebRtc(3)]);
    for det in detectors {
        println!(
            "== {}\n{:<28} {:>6} {:>6} {:>6} {:>7} {:>8}",
            det.name(),
            "data set",
            "P",
            "R",
            "F1",
            "FA",
            "frames"
        );
        let r = |clips: &[&LabeledClip], per_file: bool, tag: &str| {
            run_detector(det, &settings, clips, per_file, tag)
        };
        row("ten-vad-testset 01-20", &r(&all, per_file, "ten"));
        row("ten-vad-testset 01-15", &r(&tune, false, ""));
        row("ten-vad-testset 16-20 (held)", &r(&hold, false, ""));
        row("ten-vad-testset 8 kHz tel.", &r(&tel, per_file, "tel"));
        row("ten-vad-testset -45 dBFS rms", &r(&quiet, false, ""));
        row("ten-vad-testset 0 dBFS peak", &r(&loud, false, ""));
        row("pyannote-ami-debug (UEM)", &r(&ami_refs, per_file, "ami"));
        row("alsa-sounds/Noise.wav", &r(&[&noise], false, ""));

        // Speed: the best of five passes over the whole test set, on this thread.
        let best = (0..5)
            .map(|_| r(&all, false, "").cpu)
            .min()
            .unwrap_or_default();
        println!(
            "speed: {:.0} x real time ({audio_s:.0} s of audio in {:.1} ms, one thread)",
            audio_s / best.as_secs_f64().max(1e-9),
            best.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

/// Prints `frame reference raw score` per frame of one clip (for inspecting a detector).
fn dump_scores(settings: &Settings, clip: &LabeledClip) {
    let mut classifier = SpectralClassifier::with_params(settings.spectral);
    let reference = eval::reference_frames(&clip.labels, clip.n_frames());
    let segments = eval::segments_from_vad(&mut settings.tracker(), &clip.audio);
    let detected = eval::detector_frames(&segments, clip.n_frames());
    for (f, frame) in clip.audio.chunks_exact(160).enumerate() {
        let raw = classifier.classify(frame, None);
        println!(
            "{f} {} {} {:.2} {}",
            u8::from(reference[f]),
            u8::from(raw),
            classifier.last_score_db(),
            u8::from(detected[f])
        );
    }
}
