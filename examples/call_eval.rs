//! Call-level timing on two-channel test calls with known timing, built from the labeled
//! TEN test set in ../shared/data, through the real analysis (`tacet::cli::analyze::analyze_call`).
//!
//! `cargo run --release --example call_eval -- [../shared/data] [--calls N] [--keep DIR]
//! [--no-noise] [--no-bleed] [--no-typing] [--no-telephone] [--white-line] [--verbose]`
//!
//! Each call alternates labeled utterances between the rep and the prospect with scripted
//! gaps (turn gaps of 0.2-0.7 s and pauses of 1.3-3 s), utterance levels varying by +-4 dB.
//! The rep side is a headset mic: room noise, a fan, 50 Hz hum, keyboard typing while the
//! prospect talks, and the prospect's voice leaking in 25-35 dB down with a 5-15 ms delay.
//! The prospect side passes an 8 kHz G.711 mu-law telephone channel over line noise (pink;
//! white hiss with `--white-line`).
//! Truth: each utterance's labeled speech on the timeline, bridged as the product defines
//! (gaps under `merge_gap_s`); a truth pause is a silence of both sides of at least
//! `pause_min_s`. Reported: talk-time error per side, rep share of talk error, truth pauses
//! of at least 1.25 s found, reported pauses where the truth has no silence of 0.75 s or
//! more, and the median pause-start error.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tacet::audio::source::CallFiles;
use tacet::config::Config;
use tacet::timeline::ANALYSIS_RATE_HZ;
use tacet_eval::synth::{self, Rng};
use tacet_eval::{self as eval, LabelSpan, LabeledClip};

const SR: f64 = ANALYSIS_RATE_HZ as f64;

/// One scripted call: the two channels and each side's truth segments (seconds).
struct Call {
    rep: Vec<f32>,
    prospect: Vec<f32>,
    truth: [Vec<LabelSpan>; 2],
}

/// The speech part of a clip: audio from its first to its last labeled speech, and the
/// labels relative to that start.
fn utterance(clip: &LabeledClip) -> Option<(Vec<f32>, Vec<LabelSpan>)> {
    let first = clip.labels.first()?.start_s;
    let last = clip.labels.last()?.end_s;
    let a = ((first * SR) as usize).min(clip.audio.len());
    let b = ((last * SR) as usize).min(clip.audio.len());
    let labels = clip
        .labels
        .iter()
        .map(|l| LabelSpan {
            start_s: l.start_s - first,
            end_s: l.end_s.min(last) - first,
        })
        .collect();
    Some((clip.audio[a..b].to_vec(), labels))
}

/// Which impairments a call gets (all by default; flags switch them off to diagnose).
#[derive(Clone, Copy)]
struct Impairments {
    noise: bool,
    bleed: bool,
    typing: bool,
    telephone: bool,
    /// White line hiss instead of pink line noise on the prospect's side.
    white_line: bool,
}

fn build_call(clips: &[LabeledClip], seed: u32, imp: Impairments) -> Call {
    let mut rng = Rng::new(seed);
    let utterances: Vec<(Vec<f32>, Vec<LabelSpan>)> = clips.iter().filter_map(utterance).collect();
    // Order: a rotation of the clips by the seed, alternating sides.
    let n_utt = utterances.len();
    let gaps_s = [0.3, 1.6, 0.5, 0.2, 2.4, 0.7, 1.3, 0.4, 3.0, 0.6];
    let mut t = 0.5f64;
    let mut placed: Vec<(usize, f64, usize)> = Vec::new(); // (side, start_s, utterance)
    for k in 0..n_utt {
        let u = (k + seed as usize * 7) % n_utt;
        let side = k % 2;
        placed.push((side, t, u));
        let len_s = utterances[u].0.len() as f64 / SR;
        t += len_s + gaps_s[(k + seed as usize) % gaps_s.len()];
    }
    let total = ((t + 0.5) * SR) as usize;
    let mut clean = [vec![0f32; total], vec![0f32; total]];
    let mut truth: [Vec<LabelSpan>; 2] = [Vec::new(), Vec::new()];
    for &(side, start_s, u) in &placed {
        let (audio, labels) = &utterances[u];
        let mut a = audio.clone();
        let level = -26.0 + 8.0 * (rng.uniform() - 0.5);
        // Level of the speech part, not of the pauses inside it.
        synth::set_rms_dbfs(&mut a, level);
        let at = (start_s * SR) as usize;
        synth::add_into(&mut clean[side][at..], &a);
        truth[side].extend(labels.iter().map(|l| LabelSpan {
            start_s: l.start_s + start_s,
            end_s: l.end_s + start_s,
        }));
    }
    // Prospect: line noise, then the telephone channel.
    let mut sent = clean[1].clone();
    if imp.noise {
        let line = if imp.white_line {
            synth::white(total, seed + 1, -62.0)
        } else {
            synth::pink(total, seed + 1, -62.0)
        };
        synth::add_into(&mut sent, &line);
    }
    let prospect = if imp.telephone {
        synth::mulaw_telephone(&sent)
    } else {
        sent
    };
    // Rep: headset mic.
    let mut rep = clean[0].clone();
    if imp.noise {
        synth::add_into(&mut rep, &synth::pink(total, seed + 2, -62.0));
        synth::add_into(&mut rep, &synth::fan(total, seed + 3, -60.0));
        synth::add_into(&mut rep, &synth::hum(total, 50.0, -62.0));
    }
    let atten = 25.0 + 10.0 * rng.uniform();
    let delay = 5.0 + 10.0 * rng.uniform();
    if imp.bleed {
        synth::add_into(&mut rep, &synth::bleed(&prospect, delay, atten, seed + 4));
    }
    // Typing while the prospect talks (every other prospect utterance).
    let typing = synth::clicks(total, seed + 5, 3.0, -40.0);
    for (i, &(side, start_s, u)) in placed.iter().enumerate() {
        if imp.typing && side == 1 && i % 4 == 1 {
            let a = (start_s * SR) as usize;
            let b = (a + utterances[u].0.len()).min(total);
            synth::add_into(&mut rep[a..b], &typing[a..b]);
        }
    }
    Call {
        rep,
        prospect,
        truth,
    }
}

/// Spans bridged across gaps shorter than `gap_s`, sorted and merged.
fn bridged(spans: &[LabelSpan], gap_s: f64) -> Vec<LabelSpan> {
    let mut v = spans.to_vec();
    v.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    let mut out: Vec<LabelSpan> = Vec::new();
    for s in v {
        match out.last_mut() {
            Some(last) if s.start_s - last.end_s < gap_s => last.end_s = last.end_s.max(s.end_s),
            _ => out.push(s),
        }
    }
    out
}

/// Silences of both sides (after the first speech, up to `end_s`, so trailing silence
/// counts) of at least `min_s`.
fn silences(a: &[LabelSpan], b: &[LabelSpan], end_s: f64, min_s: f64) -> Vec<LabelSpan> {
    let mut all = bridged(&[a, b].concat(), 0.0);
    all.push(LabelSpan {
        start_s: end_s,
        end_s,
    });
    all.windows(2)
        .filter(|w| w[1].start_s - w[0].end_s >= min_s)
        .map(|w| LabelSpan {
            start_s: w[0].end_s,
            end_s: w[1].start_s,
        })
        .collect()
}

fn write_stereo(path: &Path, rep: &[f32], prospect: &[f32]) -> Result<()> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: ANALYSIS_RATE_HZ,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec)?;
    for (r, p) in rep.iter().zip(prospect) {
        for v in [r, p] {
            w.write_sample((v.clamp(-1.0, 1.0) * 32767.0) as i16)?;
        }
    }
    w.finalize()?;
    Ok(())
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut calls = 3u32;
    let mut keep: Option<PathBuf> = None;
    let mut verbose = false;
    let mut imp = Impairments {
        noise: true,
        bleed: true,
        typing: true,
        telephone: true,
        white_line: false,
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--verbose" => verbose = true,
            "--no-noise" => imp.noise = false,
            "--no-bleed" => imp.bleed = false,
            "--no-typing" => imp.typing = false,
            "--no-telephone" => imp.telephone = false,
            "--white-line" => imp.white_line = true,
            "--calls" => calls = args.next().context("--calls N")?.parse()?,
            "--keep" => keep = Some(PathBuf::from(args.next().context("--keep DIR")?)),
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let dir = dir
        .or_else(eval::shared_data_dir)
        .context("no data folder: pass it, or set TACET_SHARED_DATA")?;
    let clips = eval::load_ten_testset(&dir.join("ten-vad-testset"))?;
    let config = Config::default();
    let tmp = tempfile::tempdir()?;
    let out_dir = keep.unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&out_dir)?;

    println!(
        "{:<6} {:>8} {:>8} {:>8} {:>8} {:>9} {:>7} {:>7} {:>8}",
        "call", "rep err", "pro err", "share", "share err", "pauses", "missed", "false", "start ms"
    );
    let mut all_start_err = Vec::new();
    let (mut worst_talk, mut worst_share, mut missed_all, mut false_all) = (0f64, 0f64, 0, 0);
    for c in 0..calls {
        let call = build_call(&clips, c + 1, imp);
        let path = out_dir.join(format!("call-{:02}.wav", c + 1));
        write_stereo(&path, &call.rep, &call.prospect)?;
        let report = tacet::cli::analyze::analyze_call(
            &CallFiles::Channels {
                path: path.clone(),
                rep_channel: 0,
                prospect_channel: 1,
            },
            &config,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;

        let truth: Vec<Vec<LabelSpan>> = call
            .truth
            .iter()
            .map(|t| bridged(t, config.merge_gap_s))
            .collect();
        let talk = |s: &[LabelSpan]| s.iter().map(|l| l.end_s - l.start_s).sum::<f64>();
        let (rep_t, pro_t) = (talk(&truth[0]), talk(&truth[1]));
        let rep_err = (report.rep.talk_s - rep_t) / rep_t;
        let pro_err = (report.prospect.talk_s - pro_t) / pro_t;
        let share_t = rep_t / (rep_t + pro_t);
        let share = report.rep.share_of_talk.unwrap_or(f64::NAN);
        let share_err = share - share_t;

        let end_s = call.rep.len() as f64 / SR;
        let required = silences(&truth[0], &truth[1], end_s, 1.25);
        let any_silence = silences(&truth[0], &truth[1], end_s, 0.75);
        let mut missed = 0;
        for p in &required {
            let found = report
                .pauses
                .iter()
                .filter(|r| r.start_s < p.end_s && p.start_s < r.end_s)
                .min_by(|a, b| {
                    (a.start_s - p.start_s)
                        .abs()
                        .total_cmp(&(b.start_s - p.start_s).abs())
                });
            match found {
                Some(r) => all_start_err.push((r.start_s - p.start_s).abs() * 1000.0),
                None => missed += 1,
            }
        }
        let false_list: Vec<_> = report
            .pauses
            .iter()
            .filter(|r| {
                !any_silence
                    .iter()
                    .any(|p| r.start_s < p.end_s && p.start_s < r.end_s)
            })
            .collect();
        let false_pauses = false_list.len();
        if verbose {
            for r in &false_list {
                let gap = silences(&truth[0], &truth[1], end_s, 0.0)
                    .into_iter()
                    .filter(|p| r.start_s < p.end_s + 0.3 && p.start_s < r.end_s + 0.3)
                    .map(|p| format!("{:.2}-{:.2}", p.start_s, p.end_s))
                    .collect::<Vec<_>>();
                println!(
                    "  false pause {:.2}-{:.2} s; truth silences near it: {gap:?}",
                    r.start_s, r.end_s
                );
            }
        }
        worst_talk = worst_talk.max(rep_err.abs()).max(pro_err.abs());
        worst_share = worst_share.max(share_err.abs());
        missed_all += missed;
        false_all += false_pauses;
        println!(
            "{:<6} {:>+7.1}% {:>+7.1}% {:>8.3} {:>+9.3} {:>9} {:>7} {:>7} {:>8}",
            c + 1,
            100.0 * rep_err,
            100.0 * pro_err,
            share,
            share_err,
            required.len(),
            missed,
            false_pauses,
            format!("{:.0}", median(&mut all_start_err.clone()))
        );
    }
    println!(
        "worst talk-time error {:.1}% (target 5%), worst share error {:.3} (target 0.01), \
         pauses >= 1.25 s missed {missed_all}, false pauses {false_all}, \
         median pause-start error {:.0} ms (target 30)",
        100.0 * worst_talk,
        worst_share,
        median(&mut all_start_err)
    );
    Ok(())
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
