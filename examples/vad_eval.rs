//! Scores the project's speech detector on the shared labeled data, beside the spectral
//! rule it replaced and (with `--features anchors`) earshot and WebRTC's VAD, all with the
//! same frame scoring: precision, recall, F1, false alarms, ROC-AUC and false alarms at
//! recall 0.95 (for detectors with a score), median signed onset and offset errors, the
//! share of labeled gaps of at least `merge_gap_s` (0.3 s) kept open, and speed in
//! multiples of real time on one core. Beside the labeled sets: pink noise, typing, and
//! synthesized call-progress tones (ringback, busy), where every frame called speech is a
//! false alarm.
//!
//! `cargo run --release [--features anchors] --example vad_eval -- ../shared/data
//! [--per-file] [--set key=value]...` where `key` is a `SpectralParams` or
//! `TrackerParams` field of the spectral rule (for experiments with it).
//!
//! These are test sets: nothing of the detector is fitted or chosen on them (the model and
//! its decision rule are chosen on the training data's validation split, see docs/vad.md).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use tacet::timeline::{ANALYSIS_RATE_HZ, FRAME_LEN_SAMPLES, Span};
use tacet::vad::{
    FrameClassifier, ModelClassifier, SpectralClassifier, SpectralParams, SpeechTracker,
    TrackerParams, default_tracker,
};
use tacet_eval::synth;
use tacet_eval::{self as eval, FrameCounts, LabeledClip};

struct Settings {
    spectral: SpectralParams,
    tracker: TrackerParams,
}

impl Settings {
    fn rule_tracker(&self) -> SpeechTracker {
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
            "max_gap_frames" => self.tracker.max_gap_frames = u()?,
            "min_speech_frames" => self.tracker.min_speech_frames = u()?,
            "start_preroll_frames" => self.tracker.start_preroll_frames = u()?,
            "min_run_frames" => self.tracker.min_run_frames = u()?,
            _ => bail!("unknown parameter {key}"),
        }
        Ok(())
    }
}

/// What a detector gave on one clip, and the time it took.
struct Output {
    segments: Vec<Span>,
    /// A score per 10 ms frame, for detectors that have one.
    scores: Option<Vec<f32>>,
    cpu: Duration,
}

/// A detector under test: the project's, the rule it replaced, or a reference one.
#[derive(Clone, Copy)]
enum Detector {
    Tacet,
    Rule,
    #[cfg(feature = "anchors")]
    Earshot,
    #[cfg(feature = "anchors")]
    WebRtc(u8),
}

impl Detector {
    fn name(self) -> String {
        match self {
            Detector::Tacet => "tacet (learned model)".into(),
            Detector::Rule => "spectral rule (before the model)".into(),
            #[cfg(feature = "anchors")]
            Detector::Earshot => "earshot".into(),
            #[cfg(feature = "anchors")]
            Detector::WebRtc(mode) => format!("webrtc mode {mode}"),
        }
    }

    /// Segments only, timed (the scores are computed apart, untimed).
    fn segments(self, settings: &Settings, audio: &[f32]) -> Vec<Span> {
        match self {
            Detector::Tacet => eval::segments_from_vad(default_tracker(), audio),
            Detector::Rule => eval::segments_from_vad(settings.rule_tracker(), audio),
            #[cfg(feature = "anchors")]
            Detector::Earshot => anchors::earshot(audio).0,
            #[cfg(feature = "anchors")]
            Detector::WebRtc(mode) => anchors::webrtc(audio, mode),
        }
    }

    fn scores(self, settings: &Settings, audio: &[f32]) -> Option<Vec<f32>> {
        let frames = audio.chunks_exact(FRAME_LEN_SAMPLES);
        match self {
            Detector::Tacet => {
                let mut c = ModelClassifier::new();
                Some(
                    frames
                        .map(|f| {
                            c.classify(f, None);
                            c.probability()
                        })
                        .collect(),
                )
            }
            Detector::Rule => {
                let mut c = SpectralClassifier::with_params(settings.spectral);
                Some(
                    frames
                        .map(|f| {
                            c.classify(f, None);
                            c.last_score_db()
                        })
                        .collect(),
                )
            }
            #[cfg(feature = "anchors")]
            Detector::Earshot => Some(anchors::earshot(audio).1),
            #[cfg(feature = "anchors")]
            Detector::WebRtc(_) => None,
        }
    }

    fn run(self, settings: &Settings, audio: &[f32]) -> Output {
        let t0 = Instant::now();
        let segments = self.segments(settings, audio);
        let cpu = t0.elapsed();
        Output {
            segments,
            scores: self.scores(settings, audio),
            cpu,
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

    /// earshot's default network, 16 ms frames, score >= 0.5; the score of each 10 ms
    /// frame is that of the 16 ms frame holding its centre.
    pub fn earshot(audio: &[f32]) -> (Vec<Span>, Vec<f32>) {
        let mut det = earshot::Detector::default();
        let mut frame = [0f32; 256];
        let scores: Vec<f32> = audio
            .chunks(256)
            .map(|c| {
                frame.fill(0.0);
                for (d, s) in frame.iter_mut().zip(c) {
                    *d = s.clamp(-1.0, 1.0);
                }
                det.predict_f32(&frame)
            })
            .collect();
        let decisions: Vec<bool> = scores.iter().map(|&s| s >= 0.5).collect();
        let per_frame = (0..audio.len() / FRAME_LEN_SAMPLES)
            .map(|f| {
                let centre = f * FRAME_LEN_SAMPLES + FRAME_LEN_SAMPLES / 2;
                scores.get(centre / 256).copied().unwrap_or(0.0)
            })
            .collect();
        (runs(&decisions, 256), per_frame)
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

/// Pooled figures of one detector over a set of clips.
#[derive(Default)]
struct Pooled {
    counts: FrameCounts,
    scores: Vec<f32>,
    labels: Vec<bool>,
    has_scores: bool,
    onsets: Vec<i64>,
    offsets: Vec<i64>,
    gaps: usize,
    gaps_kept: usize,
    cpu: Duration,
}

/// Labeled gaps of at least this many frames are counted (`merge_gap_s`, 0.3 s).
const MIN_GAP_FRAMES: usize = 30;

fn run_detector(
    det: Detector,
    settings: &Settings,
    clips: &[&LabeledClip],
    per_file: bool,
    tag: &str,
) -> Pooled {
    let mut p = Pooled {
        has_scores: true,
        ..Pooled::default()
    };
    for clip in clips {
        let out = det.run(settings, &clip.audio);
        p.cpu += out.cpu;
        let c = clip.score(&out.segments);
        let n = clip.n_frames();
        let reference = clip.reference();
        let detected = eval::detector_frames(&out.segments, n);
        let mask = clip.scored_mask();
        match &out.scores {
            Some(scores) => {
                for f in 0..n.min(scores.len()) {
                    if mask[f] {
                        p.scores.push(scores[f]);
                        p.labels.push(reference[f]);
                    }
                }
            }
            None => p.has_scores = false,
        }
        let (on, off) = eval::edge_errors(&reference, &detected);
        p.onsets.extend(on);
        p.offsets.extend(off);
        let (gaps, kept) = eval::gaps_kept(&reference, &detected, MIN_GAP_FRAMES);
        p.gaps += gaps;
        p.gaps_kept += kept;
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
        p.counts.merge(&c);
    }
    p
}

fn opt(v: Option<f64>, width: usize, digits: usize) -> String {
    match v {
        Some(v) => format!("{v:>width$.digits$}"),
        None => format!("{:>width$}", "-"),
    }
}

fn header() {
    println!(
        "{:<30} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>6} {:>6} {:>7}",
        "data set", "P", "R", "F1", "FA", "AUC", "FA@R95", "on ms", "off ms", "gaps", "frames"
    );
}

fn row(name: &str, r: &Pooled) {
    let (auc, far) = if r.has_scores {
        (
            eval::roc_auc(&r.scores, &r.labels),
            eval::false_alarms_at_recall(&r.scores, &r.labels, 0.95),
        )
    } else {
        (None, None)
    };
    let ms = |v: Option<f64>| v.map(|f| f * 10.0);
    let gaps = (r.gaps > 0).then(|| r.gaps_kept as f64 / r.gaps as f64);
    println!(
        "{name:<30} {:>6.3} {:>6.3} {:>6.3} {:>6.3} {} {} {} {} {} {:>7}",
        r.counts.precision(),
        r.counts.recall(),
        r.counts.f1(),
        r.counts.false_alarm_rate(),
        opt(auc, 6, 3),
        opt(far, 7, 3),
        opt(ms(eval::median(&r.onsets)), 6, 0),
        opt(ms(eval::median(&r.offsets)), 6, 0),
        opt(gaps, 6, 3),
        r.counts.total()
    );
}

/// Unlabeled clips of non-speech (every frame is a false alarm when called speech).
fn non_speech(paths: &[PathBuf]) -> Result<Vec<LabeledClip>> {
    paths
        .iter()
        .map(|p| {
            Ok(LabeledClip {
                name: p
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                audio: eval::read_wav_16k(p)?,
                labels: Vec::new(),
                scored: None,
            })
        })
        .collect()
}

/// Call-progress tones with no speech ([`synth::CALL_TONES`]: US, UK and EU ringback, US
/// busy), 30 s each at -20 dBFS over a -60 dBFS hiss, through the G.711 telephone channel.
fn call_tones() -> Vec<LabeledClip> {
    let n = 30 * ANALYSIS_RATE_HZ as usize;
    synth::CALL_TONES
        .iter()
        .zip(1u32..)
        .map(|(tone, seed)| {
            let mut line = synth::call_tone(n, tone.freqs_hz, tone.cadence_s, -20.0);
            synth::add_into(&mut line, &synth::white(n, seed, -60.0));
            LabeledClip {
                name: tone.name.into(),
                audio: synth::mulaw_telephone(&line),
                labels: Vec::new(),
                scored: None,
            }
        })
        .collect()
}

fn refs(v: &[LabeledClip]) -> Vec<&LabeledClip> {
    v.iter().collect()
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut per_file = false;
    let mut settings = Settings {
        spectral: SpectralParams::default(),
        tracker: TrackerParams::default(),
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--per-file" => per_file = true,
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
    let noise = non_speech(&[dir.join("alsa-sounds/Noise.wav")])?;
    let keys = |keys: &str| -> Vec<PathBuf> {
        keys.chars()
            .map(|k| dir.join(format!("train/keystrokes-zoom/Zoom/{k}.wav")))
            .collect()
    };
    // Keys m-r were never trained on; a-l were (their figure is for comparison only).
    let typing_test = non_speech(&keys(eval::TYPING_TEST_KEYS))?;
    let typing_train = non_speech(&keys(eval::TYPING_TRAIN_KEYS))?;
    let tones = call_tones();

    let all = refs(&ten);
    let audio_s: f64 =
        all.iter().map(|c| c.audio.len() as f64).sum::<f64>() / f64::from(ANALYSIS_RATE_HZ);
    #[allow(unused_mut)]
    let mut detectors = vec![Detector::Tacet, Detector::Rule];
    #[cfg(feature = "anchors")]
    detectors.extend([Detector::Earshot, Detector::WebRtc(0), Detector::WebRtc(3)]);
    for det in detectors {
        println!("== {}", det.name());
        header();
        let r = |clips: &[&LabeledClip], per_file: bool, tag: &str| {
            run_detector(det, &settings, clips, per_file, tag)
        };
        row("ten-vad-testset 01-20", &r(&all, per_file, "ten"));
        row(
            "ten-vad-testset 8 kHz tel.",
            &r(&refs(&ten_tel), per_file, "tel"),
        );
        row(
            "ten-vad-testset -45 dBFS rms",
            &r(&refs(&ten_quiet), false, ""),
        );
        row(
            "ten-vad-testset 0 dBFS peak",
            &r(&refs(&ten_loud), false, ""),
        );
        row("pyannote-ami-debug (UEM)", &r(&refs(&ami), per_file, "ami"));
        row("alsa-sounds/Noise.wav", &r(&refs(&noise), false, ""));
        row(
            "typing, keys m-r (untrained)",
            &r(&refs(&typing_test), per_file, "typ"),
        );
        row(
            "typing, keys a-l (trained)",
            &r(&refs(&typing_train), false, ""),
        );
        row("call tones (ringback, busy)", &r(&refs(&tones), false, ""));

        // Speed: the best of five passes over the whole test set, on this thread.
        let best = (0..5)
            .map(|_| {
                let t0 = Instant::now();
                for c in &all {
                    std::hint::black_box(det.segments(&settings, &c.audio));
                }
                t0.elapsed()
            })
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
