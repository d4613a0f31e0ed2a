//! Detector evaluation against labeled recordings: locating the shared data folder, reading
//! WAV files at the analysis rate, parsing TEN `.scv` and RTTM/UEM labels, and scoring
//! detector segments on the 10 ms frame grid (precision, recall, F1, false alarms).

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use tacet::analysis::SegmentDetector;
use tacet::audio::decode::AudioReader;
use tacet::audio::resample::ToAnalysisRate;
use tacet::timeline::{ANALYSIS_RATE_HZ, FRAME_LEN_SAMPLES, Samples, Span};
use tacet::vad::SpeechTracker;

/// The shared labeled data folder: `TACET_SHARED_DATA` if set, else
/// `../shared/data` beside the project when it exists.
pub fn shared_data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TACET_SHARED_DATA") {
        return Some(PathBuf::from(dir));
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.is_dir().then_some(dir)
}

/// A labeled stretch of speech in seconds, `[start_s, end_s)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelSpan {
    /// Start, seconds.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
}

/// Parses a TEN `.scv` line `name,start,end,label,start,end,label,...` (label 1 = speech)
/// into its speech segments.
pub fn parse_scv(text: &str) -> Result<Vec<LabelSpan>> {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .context("empty .scv file")?;
    let fields: Vec<&str> = line.trim().split(',').collect();
    let rest = &fields[1..];
    if !rest.len().is_multiple_of(3) {
        bail!("malformed .scv line: {} fields after the name", rest.len());
    }
    let mut out = Vec::new();
    for chunk in rest.chunks(3) {
        let start_s: f64 = chunk[0].trim().parse().context("bad .scv start")?;
        let end_s: f64 = chunk[1].trim().parse().context("bad .scv end")?;
        if chunk[2].trim() == "1" {
            out.push(LabelSpan { start_s, end_s });
        }
    }
    Ok(out)
}

/// One `SPEAKER` line of an RTTM file.
#[derive(Debug, Clone, PartialEq)]
pub struct RttmTurn {
    /// The recording it belongs to.
    pub uri: String,
    /// Who speaks (the 8th field; empty when the line has none).
    pub speaker: String,
    /// Start, seconds.
    pub start_s: f64,
    /// End (start + duration), seconds.
    pub end_s: f64,
}

/// Parses RTTM `SPEAKER <uri> 1 <start> <dur> <NA> <NA> <speaker> ...` lines, in file order
/// (tacet's own RTTM reports and reference labels alike).
pub fn rttm_turns(text: &str) -> Result<Vec<RttmTurn>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.first() != Some(&"SPEAKER") {
            continue;
        }
        if f.len() < 5 {
            bail!("short RTTM line: {line}");
        }
        let start_s: f64 = f[3].parse().context("bad RTTM start")?;
        let dur_s: f64 = f[4].parse().context("bad RTTM duration")?;
        out.push(RttmTurn {
            uri: f[1].to_string(),
            speaker: f.get(7).map_or(String::new(), |s| (*s).to_string()),
            start_s,
            end_s: start_s + dur_s,
        });
    }
    Ok(out)
}

/// Parses RTTM `SPEAKER` lines into speaker turns per URI.
pub fn parse_rttm(text: &str) -> Result<HashMap<String, Vec<LabelSpan>>> {
    let mut out: HashMap<String, Vec<LabelSpan>> = HashMap::new();
    for t in rttm_turns(text)? {
        out.entry(t.uri).or_default().push(LabelSpan {
            start_s: t.start_s,
            end_s: t.end_s,
        });
    }
    Ok(out)
}

/// Reads Audacity labels back: (label, start_s, end_s) per line, times to the millisecond.
pub fn audacity_labels(text: &str) -> Vec<(String, f64, f64)> {
    let ms = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .map(|v| (v * 1000.0).round() / 1000.0)
    };
    text.lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let start = ms(f.next()?)?;
            let end = ms(f.next()?)?;
            Some((f.next().unwrap_or("").trim_end().to_string(), start, end))
        })
        .collect()
}

/// Parses UEM `<uri> <channel> <start> <end>` lines: the scored region per URI.
pub fn parse_uem(text: &str) -> Result<HashMap<String, LabelSpan>> {
    let mut out = HashMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.is_empty() {
            continue;
        }
        if f.len() < 4 {
            bail!("short UEM line: {line}");
        }
        let start_s: f64 = f[2].parse().context("bad UEM start")?;
        let end_s: f64 = f[3].parse().context("bad UEM end")?;
        out.insert(f[0].to_string(), LabelSpan { start_s, end_s });
    }
    Ok(out)
}

/// Centre of frame `f` in seconds: `(f + 0.5) x 10 ms`.
fn frame_centre_s(f: usize) -> f64 {
    (f as f64 + 0.5) * FRAME_LEN_SAMPLES as f64 / f64::from(ANALYSIS_RATE_HZ)
}

/// Reference decisions on the 10 ms grid: frame `f` is speech when its centre lies in a
/// labeled segment (any of them: overlapping turns are a union).
pub fn reference_frames(labels: &[LabelSpan], n_frames: usize) -> Vec<bool> {
    (0..n_frames)
        .map(|f| {
            let t = frame_centre_s(f);
            labels.iter().any(|l| l.start_s <= t && t < l.end_s)
        })
        .collect()
}

/// Detector decisions on the 10 ms grid: frame `f` takes the decision of the detector
/// frame containing its centre, i.e. whether sample `f x 160 + 80` lies in a segment.
pub fn detector_frames(segments: &[Span], n_frames: usize) -> Vec<bool> {
    let mut out = vec![false; n_frames];
    let half = FRAME_LEN_SAMPLES as Samples / 2;
    let len = FRAME_LEN_SAMPLES as Samples;
    for s in segments {
        // Centre c_f = 160 f + 80 lies in [start, end) for f in [ceil((start - 80) / 160),
        // ceil((end - 80) / 160)).
        let first = s.start.saturating_sub(half).div_ceil(len) as usize;
        let end = if s.end <= half {
            0
        } else {
            (s.end - half).div_ceil(len) as usize
        };
        for d in out.iter_mut().take(end).skip(first) {
            *d = true;
        }
    }
    out
}

/// Pooled frame counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FrameCounts {
    /// Speech in both.
    pub true_pos: u64,
    /// Detector speech, reference non-speech.
    pub false_pos: u64,
    /// Reference speech the detector missed.
    pub false_neg: u64,
    /// Non-speech in both.
    pub true_neg: u64,
}

impl FrameCounts {
    /// Adds the frames where `mask` (if given) is true.
    pub fn add(&mut self, reference: &[bool], detected: &[bool], mask: Option<&[bool]>) {
        for (i, (&r, &d)) in reference.iter().zip(detected).enumerate() {
            if mask.is_some_and(|m| !m.get(i).copied().unwrap_or(false)) {
                continue;
            }
            match (r, d) {
                (true, true) => self.true_pos += 1,
                (false, true) => self.false_pos += 1,
                (true, false) => self.false_neg += 1,
                (false, false) => self.true_neg += 1,
            }
        }
    }

    /// Adds another set of counts.
    pub fn merge(&mut self, other: &FrameCounts) {
        self.true_pos += other.true_pos;
        self.false_pos += other.false_pos;
        self.false_neg += other.false_neg;
        self.true_neg += other.true_neg;
    }

    /// All frames counted.
    pub fn total(&self) -> u64 {
        self.true_pos + self.false_pos + self.false_neg + self.true_neg
    }

    /// TP / (TP + FP); 1 when nothing was detected.
    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos, 1.0)
    }

    /// TP / (TP + FN); 1 when the reference has no speech.
    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg, 1.0)
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// FP / (FP + TN): share of reference non-speech frames called speech.
    pub fn false_alarm_rate(&self) -> f64 {
        ratio(self.false_pos, self.false_pos + self.true_neg, 0.0)
    }
}

fn ratio(num: u64, den: u64, empty: f64) -> f64 {
    if den == 0 {
        empty
    } else {
        num as f64 / den as f64
    }
}

/// Runs a tracker over a whole clip (a trailing partial frame is zero-padded) and returns
/// its speech segments in samples.
pub fn segments_from_vad(tracker: SpeechTracker, audio: &[f32]) -> Vec<Span> {
    segments_with_reference(tracker, audio, None)
}

/// [`segments_from_vad`] with the far-end signal at the same instants (the rep side's
/// reference, zero-padded or cut to the clip's length), through the product's own
/// [`SegmentDetector`] (the far end's levels from the default tracker, as in `analyze`).
pub fn segments_with_reference(
    tracker: SpeechTracker,
    audio: &[f32],
    reference: Option<&[f32]>,
) -> Vec<Span> {
    let mut detector =
        SegmentDetector::with_trackers(tracker, reference.map(|_| tacet::vad::default_tracker()));
    let mut frame = [0f32; FRAME_LEN_SAMPLES];
    let mut far = [0f32; FRAME_LEN_SAMPLES];
    for (i, chunk) in audio.chunks(FRAME_LEN_SAMPLES).enumerate() {
        frame.fill(0.0);
        frame[..chunk.len()].copy_from_slice(chunk);
        far.fill(0.0);
        if let Some(r) = reference {
            let start = (i * FRAME_LEN_SAMPLES).min(r.len());
            let end = (start + FRAME_LEN_SAMPLES).min(r.len());
            far[..end - start].copy_from_slice(&r[start..end]);
        }
        detector.push_frame(&frame, &far, chunk.len());
    }
    detector.finish()
}

/// Reads a WAV file as mono f32 at the analysis rate (channels averaged).
pub fn read_wav_16k(path: &Path) -> Result<Vec<f32>> {
    let channels = read_wav_channels_16k(path)?;
    let n = channels.first().map_or(0, Vec::len);
    let k = channels.len().max(1) as f32;
    Ok((0..n)
        .map(|i| channels.iter().map(|c| c[i]).sum::<f32>() / k)
        .collect())
}

/// Reads every channel of a WAV file as f32 at the analysis rate, with the product's own
/// decoder and resampler (what `tacet analyze` hears).
pub fn read_wav_channels_16k(path: &Path) -> Result<Vec<Vec<f32>>> {
    let mut reader =
        AudioReader::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let info = reader.info();
    let wanted: Vec<usize> = (0..info.channels).collect();
    let mut resamplers = wanted
        .iter()
        .map(|_| ToAnalysisRate::new(info.rate_hz))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|what| anyhow::anyhow!("{}: {what}", path.display()))?;
    let mut blocks = vec![Vec::new(); wanted.len()];
    let mut out = vec![VecDeque::new(); wanted.len()];
    while reader
        .next_channels(&wanted, &mut blocks)
        .with_context(|| format!("cannot read {}", path.display()))?
    {
        for ((r, block), o) in resamplers.iter_mut().zip(&blocks).zip(&mut out) {
            r.push(block, o);
        }
    }
    for (r, o) in resamplers.iter_mut().zip(&mut out) {
        r.finish(o);
    }
    Ok(out.into_iter().map(Vec::from).collect())
}

/// Resamples by `up / down` (only for the simulated 8 kHz telephone channel: the product
/// resamples to the analysis rate, never down from it): zero-stuff by `up`, low-pass with a Blackman-windowed sinc at
/// `0.45 / max(up, down)` of the stuffed rate, keep every `down`-th sample.
/// `y[n] = up x sum_k h[k] x_up[n down - k + delay]`.
pub fn resample_rational(x: &[f32], up: usize, down: usize) -> Vec<f32> {
    if up == down {
        return x.to_vec();
    }
    let factor = up.max(down);
    let cutoff = 0.45 / factor as f64; // cycles per stuffed sample
    let half_taps = 16 * factor;
    let taps: Vec<f64> = (0..=2 * half_taps)
        .map(|i| {
            let m = i as f64 - half_taps as f64;
            let sinc = if m == 0.0 {
                2.0 * cutoff
            } else {
                (2.0 * std::f64::consts::PI * cutoff * m).sin() / (std::f64::consts::PI * m)
            };
            let phase = 2.0 * std::f64::consts::PI * i as f64 / (2 * half_taps) as f64;
            let blackman = 0.42 - 0.5 * phase.cos() + 0.08 * (2.0 * phase).cos();
            sinc * blackman * up as f64
        })
        .collect();
    let n_out = x.len() * up / down;
    let mut y = Vec::with_capacity(n_out);
    for n in 0..n_out {
        // Position in the stuffed signal, centred on the filter.
        let centre = (n * down) as i64;
        let mut acc = 0.0f64;
        for (i, h) in taps.iter().enumerate() {
            let pos = centre + half_taps as i64 - i as i64;
            if pos < 0 || pos % up as i64 != 0 {
                continue;
            }
            let src = (pos / up as i64) as usize;
            if let Some(v) = x.get(src) {
                acc += h * f64::from(*v);
            }
        }
        y.push(acc as f32);
    }
    y
}

/// Passes audio through an 8 kHz telephone channel: down to 8 kHz and back up to 16 kHz.
pub fn telephone_band(audio_16k: &[f32]) -> Vec<f32> {
    let narrow = resample_rational(audio_16k, 1, 2);
    let mut wide = resample_rational(&narrow, 2, 1);
    wide.resize(audio_16k.len(), 0.0);
    wide
}

/// Keys of `train/keystrokes-zoom` the learned model is trained on.
pub const TYPING_TRAIN_KEYS: &str = "abcdefghijkl";
/// Keys of `train/keystrokes-zoom` kept out of training, to test typing on.
pub const TYPING_TEST_KEYS: &str = "mnopqr";

/// One labeled clip at the analysis rate.
pub struct LabeledClip {
    /// File stem.
    pub name: String,
    /// Mono audio at 16 kHz.
    pub audio: Vec<f32>,
    /// Reference speech segments.
    pub labels: Vec<LabelSpan>,
    /// Scored region (whole clip when `None`).
    pub scored: Option<LabelSpan>,
}

impl LabeledClip {
    /// Number of whole 10 ms frames in the clip.
    pub fn n_frames(&self) -> usize {
        self.audio.len() / FRAME_LEN_SAMPLES
    }

    /// Scores a detector's segments on this clip.
    pub fn score(&self, segments: &[Span]) -> FrameCounts {
        let n = self.n_frames();
        let reference = reference_frames(&self.labels, n);
        let detected = detector_frames(segments, n);
        let mask: Option<Vec<bool>> = self.scored.map(|u| {
            (0..n)
                .map(|f| {
                    let t = frame_centre_s(f);
                    u.start_s <= t && t < u.end_s
                })
                .collect()
        });
        let mut c = FrameCounts::default();
        c.add(&reference, &detected, mask.as_deref());
        c
    }
}

/// Loads the TEN test set (`testset-audio-NN.wav` + `.scv`), sorted by name.
pub fn load_ten_testset(dir: &Path) -> Result<Vec<LabeledClip>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "scv"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for scv in names {
        let text = std::fs::read_to_string(&scv)
            .with_context(|| format!("cannot read {}", scv.display()))?;
        let labels = parse_scv(&text).with_context(|| format!("in {}", scv.display()))?;
        let audio = read_wav_16k(&scv.with_extension("wav"))?;
        let name = scv
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(LabeledClip {
            name,
            audio,
            labels,
            scored: None,
        });
    }
    Ok(out)
}

/// Loads the AMI debug excerpts: speech = union of RTTM turns, scored within the UEM.
pub fn load_ami(dir: &Path) -> Result<Vec<LabeledClip>> {
    let mut turns: HashMap<String, Vec<LabelSpan>> = HashMap::new();
    let mut regions: HashMap<String, LabelSpan> = HashMap::new();
    for part in ["train", "development", "test"] {
        let rttm = dir.join(format!("debug.{part}.rttm"));
        let uem = dir.join(format!("debug.{part}.uem"));
        let rttm_text = std::fs::read_to_string(&rttm)
            .with_context(|| format!("cannot read {}", rttm.display()))?;
        for (uri, t) in parse_rttm(&rttm_text)? {
            turns.entry(uri).or_default().extend(t);
        }
        let uem_text = std::fs::read_to_string(&uem)
            .with_context(|| format!("cannot read {}", uem.display()))?;
        regions.extend(parse_uem(&uem_text)?);
    }
    let mut uris: Vec<&String> = regions.keys().collect();
    uris.sort();
    let mut out = Vec::new();
    for uri in uris {
        let audio = read_wav_16k(&dir.join(format!("{uri}.wav")))?;
        out.push(LabeledClip {
            name: uri.clone(),
            audio,
            labels: turns.get(uri).cloned().unwrap_or_default(),
            scored: regions.get(uri).copied(),
        });
    }
    Ok(out)
}

impl LabeledClip {
    /// The reference decision of every whole frame.
    pub fn reference(&self) -> Vec<bool> {
        reference_frames(&self.labels, self.n_frames())
    }

    /// Which frames are scored (all, or those whose centre lies in the scored region).
    pub fn scored_mask(&self) -> Vec<bool> {
        (0..self.n_frames())
            .map(|f| {
                self.scored.is_none_or(|u| {
                    let t = frame_centre_s(f);
                    u.start_s <= t && t < u.end_s
                })
            })
            .collect()
    }
}

/// Area under the ROC curve of `scores` against `labels` (ties count a half), or `None`
/// when one class is absent.
pub fn roc_auc(scores: &[f32], labels: &[bool]) -> Option<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum = 0.0f64;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        // Ranks i+1..=j+1 share their mean.
        let mean_rank = (i + j + 2) as f64 / 2.0;
        for &k in &order[i..=j] {
            if labels[k] {
                rank_sum += mean_rank;
            }
        }
        i = j + 1;
    }
    let pos = labels.iter().filter(|&&l| l).count() as f64;
    let neg = labels.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

/// Share of non-speech frames whose score reaches the threshold at which `recall` of the
/// speech frames is detected, or `None` when one class is absent.
pub fn false_alarms_at_recall(scores: &[f32], labels: &[bool], recall: f64) -> Option<f64> {
    let mut speech: Vec<f32> = scores
        .iter()
        .zip(labels)
        .filter(|(_, l)| **l)
        .map(|(s, _)| *s)
        .collect();
    let non: Vec<f32> = scores
        .iter()
        .zip(labels)
        .filter(|(_, l)| !**l)
        .map(|(s, _)| *s)
        .collect();
    if speech.is_empty() || non.is_empty() {
        return None;
    }
    speech.sort_by(f32::total_cmp);
    let k = (((1.0 - recall) * speech.len() as f64).floor() as usize).min(speech.len() - 1);
    let threshold = speech[k];
    Some(non.iter().filter(|&&s| s >= threshold).count() as f64 / non.len() as f64)
}

/// Runs of `true` in `frames`, as `[start, end)` frame indices.
pub fn runs(frames: &[bool]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &v) in frames.iter().chain(std::iter::once(&false)).enumerate() {
        match (v, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Signed onset and offset errors in frames (detected minus labeled) of each labeled
/// segment, against the detected segment that overlaps it most (segments no detection
/// overlaps have none).
pub fn edge_errors(reference: &[bool], detected: &[bool]) -> (Vec<i64>, Vec<i64>) {
    let det = runs(detected);
    let (mut onsets, mut offsets) = (Vec::new(), Vec::new());
    for (a, b) in runs(reference) {
        let best = det
            .iter()
            .map(|&(c, d)| (b.min(d).saturating_sub(a.max(c)), c, d))
            .filter(|&(overlap, _, _)| overlap > 0)
            .max_by_key(|&(overlap, _, _)| overlap);
        if let Some((_, c, d)) = best {
            onsets.push(c as i64 - a as i64);
            offsets.push(d as i64 - b as i64);
        }
    }
    (onsets, offsets)
}

/// Labeled gaps between speech of at least `min_gap_frames`, and how many of them the
/// detector keeps open (at least one frame inside the gap is not speech to it).
pub fn gaps_kept(reference: &[bool], detected: &[bool], min_gap_frames: usize) -> (usize, usize) {
    let speech = runs(reference);
    let (mut gaps, mut kept) = (0, 0);
    for pair in speech.windows(2) {
        let (gap_start, gap_end) = (pair[0].1, pair[1].0);
        if gap_end - gap_start >= min_gap_frames {
            gaps += 1;
            if detected[gap_start..gap_end].iter().any(|&d| !d) {
                kept += 1;
            }
        }
    }
    (gaps, kept)
}

/// The median of `values` (the mean of the middle two for an even count), or `None`: the
/// report's own.
pub use tacet::conversation::engine::median;

pub mod synth;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_scv() {
        let l = parse_scv("x,0.000,0.403,0,0.403,1.204,1,1.204,1.440,0\n").expect("valid");
        assert_eq!(
            l,
            vec![LabelSpan {
                start_s: 0.403,
                end_s: 1.204
            }]
        );
    }

    #[test]
    fn parses_rttm_and_uem() {
        let r = parse_rttm("SPEAKER a 1 1.0 0.5 <NA> <NA> S1 <NA> <NA>\n").expect("valid");
        assert_eq!(r["a"][0].end_s, 1.5);
        let u = parse_uem("a NA 0.000 30.000\n").expect("valid");
        assert_eq!(u["a"].end_s, 30.0);
    }

    #[test]
    fn frame_scoring_uses_centres() {
        // Speech 0.012..0.025 s covers the centre of frame 1 (15 ms) only.
        let refs = reference_frames(
            &[LabelSpan {
                start_s: 0.012,
                end_s: 0.025,
            }],
            3,
        );
        assert_eq!(refs, vec![false, true, false]);
        let det = detector_frames(&[Span::new(160, 480)], 3);
        assert_eq!(det, vec![false, true, true]);
        let mut c = FrameCounts::default();
        c.add(&refs, &det, None);
        assert_eq!((c.true_pos, c.false_pos, c.true_neg), (1, 1, 1));
        assert!((c.precision() - 0.5).abs() < 1e-12);
        assert!((c.recall() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn resampling_keeps_a_tone() {
        let x: Vec<f32> = (0..4800)
            .map(|n| (2.0 * std::f32::consts::PI * 1000.0 * n as f32 / 48_000.0).sin())
            .collect();
        let y = resample_rational(&x, 1, 3);
        assert_eq!(y.len(), 1600);
        let rms = (y[400..1200].iter().map(|v| v * v).sum::<f32>() / 800.0).sqrt();
        assert!(
            (rms - std::f32::consts::FRAC_1_SQRT_2).abs() < 0.02,
            "rms {rms}"
        );
    }

    #[test]
    fn default_detector_on_ten_testset() {
        let Some(dir) = shared_data_dir() else {
            eprintln!("skipped: no shared data folder (set TACET_SHARED_DATA)");
            return;
        };
        let clips = load_ten_testset(&dir.join("ten-vad-testset")).expect("readable test set");
        let mut counts = FrameCounts::default();
        for clip in &clips {
            let tracker = tacet::vad::default_tracker();
            counts.merge(&clip.score(&segments_from_vad(tracker, &clip.audio)));
        }
        assert!(counts.f1() >= 0.85, "pooled frame F1 {:.3}", counts.f1());
    }
}
