//! Detector behaviour under the conditions of a real call: headset bleed and double talk
//! (two channels), keyboard clicks, fan noise and mains hum, breaths, a level sweep, a
//! mu-law telephone far side with comfort noise or white line hiss, 8 kHz recordings
//! with a flat noise floor, and call-progress tones before an answer. Speech is the bundled demo call (exact
//! timing); keyboard recordings from ../shared/data are used when present.
//!
//! Every assertion is a tolerance band around the measured behaviour (docs/vad.md): a
//! failure means the detector got worse on that condition.

use tacet::timeline::{FRAME_LEN_SAMPLES, Span};
use tacet::vad::default_tracker;
use tacet_eval::synth::{self, Rng};
use tacet_eval::{FrameCounts, LabelSpan, detector_frames, reference_frames};

use crate::common::*;

/// Demo call: (rep channel, prospect channel, rep truth, prospect truth).
fn demo() -> (Vec<f32>, Vec<f32>, Vec<LabelSpan>, Vec<LabelSpan>) {
    let mut ch = tacet_eval::read_wav_channels_16k(&demo_wav()).expect("demo call readable");
    assert_eq!(ch.len(), 2);
    let prospect = ch.pop().expect("two channels");
    let rep = ch.pop().expect("two channels");
    let truth = demo_truth();
    let spans = |party: &str| -> Vec<LabelSpan> {
        truth[party]["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .map(|s| LabelSpan {
                start_s: s["start_s"].as_f64().expect("start"),
                end_s: s["end_s"].as_f64().expect("end"),
            })
            .collect()
    };
    (rep, prospect, spans("rep"), spans("prospect"))
}

fn frames(x: &[f32]) -> usize {
    x.len() / FRAME_LEN_SAMPLES
}

/// The default detector's decisions per 10 ms frame, with an optional far-end reference.
fn detect(audio: &[f32], reference: Option<&[f32]>) -> Vec<bool> {
    let spans: Vec<Span> = tacet_eval::segments_with_reference(default_tracker(), audio, reference);
    detector_frames(&spans, frames(audio))
}

/// Share of frames called speech.
fn speech_share(audio: &[f32]) -> f64 {
    speech_share_from(audio, 0)
}

fn score(truth: &[LabelSpan], detected: &[bool]) -> FrameCounts {
    let r = reference_frames(truth, detected.len());
    let mut c = FrameCounts::default();
    c.add(&r, detected, None);
    c
}

fn shifted(x: &[f32], by_samples: usize) -> Vec<f32> {
    let mut y = vec![0f32; x.len()];
    y[by_samples..].copy_from_slice(&x[..x.len() - by_samples]);
    y
}

fn shifted_spans(s: &[LabelSpan], by_s: f64) -> Vec<LabelSpan> {
    s.iter()
        .map(|l| LabelSpan {
            start_s: l.start_s + by_s,
            end_s: l.end_s + by_s,
        })
        .collect()
}

/// `mask` widened by `k` frames on each side.
fn dilate(mask: &[bool], k: usize) -> Vec<bool> {
    (0..mask.len())
        .map(|i| mask[i.saturating_sub(k)..(i + k + 1).min(mask.len())].contains(&true))
        .collect()
}

/// Headset bleed from the earpiece's own path (4-20 ms) and, as live capture hears it, a
/// playback buffer after the far end's reference (40-250 ms: beyond the leak model's own
/// 0-20 ms, so the bleed's delay is found from the audio).
#[test]
fn headset_bleed_is_not_rep_speech_and_double_talk_is_kept() {
    let (rep, prospect, rep_truth, prospect_truth) = demo();
    // The rep's speech moved 2.3 s later so that it runs over the prospect in places.
    let shift_s = 2.3;
    let rep_mic = shifted(&rep, (shift_s * 16_000.0) as usize);
    let rep_truth = shifted_spans(&rep_truth, shift_s);
    let n = frames(&rep_mic);
    let rep_on = reference_frames(&rep_truth, n);
    let far_on = reference_frames(&prospect_truth, n);
    let near_rep = dilate(&rep_on, 30);
    let cases = [
        (25.0, 4.0f32, 1),
        (30.0, 12.0, 2),
        (35.0, 20.0, 3),
        (25.0, 40.0, 5),
        (20.0, 90.0, 6),
        (25.0, 250.0, 7),
    ];
    for (atten_db, delay_ms, seed) in cases {
        // The bleed lies `delay_ms` behind the far end it comes from.
        let late = reference_frames(
            &shifted_spans(&prospect_truth, f64::from(delay_ms) / 1000.0),
            n,
        );
        let bleed_only: Vec<bool> = (0..n)
            .map(|i| (far_on[i] || late[i]) && !near_rep[i])
            .collect();
        let double: Vec<bool> = (0..n).map(|i| late[i] && rep_on[i]).collect();
        let n_bleed = bleed_only.iter().filter(|&&x| x).count();
        let n_double = double.iter().filter(|&&x| x).count();
        assert!(n_bleed > 2000 && n_double > 300, "{n_bleed} {n_double}");
        let mut mic = rep_mic.clone();
        synth::add_into(&mut mic, &synth::bleed(&prospect, delay_ms, atten_db, seed));
        let room = synth::pink(mic.len(), seed + 10, -65.0);
        synth::add_into(&mut mic, &room);
        let with_ref = detect(&mic, Some(&prospect));
        let without_ref = detect(&mic, None);
        let rate = |d: &[bool], m: &[bool]| {
            let hits = (0..n).filter(|&i| m[i] && d[i]).count();
            hits as f64 / m.iter().filter(|&&x| x).count() as f64
        };
        let bleed_rate = rate(&with_ref, &bleed_only);
        let double_recall = rate(&with_ref, &double);
        let rep_recall = rate(&with_ref, &rep_on);
        eprintln!(
            "bleed {atten_db} dB, {delay_ms} ms: bleed-only called rep {bleed_rate:.3} \
             (without the far end {:.3}), double-talk recall {double_recall:.3} \
             (without the far end {:.3}), rep recall {rep_recall:.3}",
            rate(&without_ref, &bleed_only),
            rate(&without_ref, &double),
        );
        assert!(
            bleed_rate < 0.05,
            "{delay_ms} ms: bleed-only frames called rep speech: {bleed_rate:.3}"
        );
        assert!(
            double_recall >= 0.9,
            "{delay_ms} ms: double-talk recall {double_recall:.3}"
        );
        assert!(
            rep_recall >= 0.9,
            "{delay_ms} ms: rep recall {rep_recall:.3}"
        );
    }
}

/// Recorded keystrokes (each rings for 100-300 ms through the conference codec), of the
/// keys the model was not trained on: the target of docs/vad.md.
const RECORDED_TYPING_MAX_SHARE: f64 = 0.02;
/// The same keys typed while the far end leaks into the microphone: 0.028 measured
/// (docs/vad.md), against the 0.02 target for typing alone.
const TYPING_UNDER_BLEED_MAX_SHARE: f64 = 0.03;
/// Breath-like noise bursts (measured in docs/vad.md, plus a margin).
const BREATHS_MAX_SHARE: f64 = 0.30;

#[test]
fn synthetic_keyboard_clicks_are_mostly_not_speech() {
    let n = 30 * 16_000;
    let mut shares = Vec::new();
    for (keys_per_s, peak_dbfs, seed, max_share) in [(2.0, -20.0, 1, 0.02), (5.0, -30.0, 2, 0.02)] {
        let mut x = synth::clicks(n, seed, keys_per_s, peak_dbfs);
        synth::add_into(&mut x, &synth::pink(n, seed + 5, -65.0));
        let share = speech_share(&x);
        eprintln!("clicks {keys_per_s}/s at {peak_dbfs} dBFS: speech share {share:.3}");
        shares.push((share, max_share));
    }
    // Clicks are not speech: the target for typing (docs/vad.md).
    for (share, max_share) in shares {
        assert!(
            share <= max_share,
            "clicks: {share:.3} of frames called speech"
        );
    }
}

#[test]
fn recorded_keyboard_typing_is_mostly_not_speech() {
    let Some(data) = shared_data("recorded_keyboard_typing_is_mostly_not_speech") else {
        return;
    };
    // Only the keys kept out of the model's training.
    let files: Vec<_> = tacet_eval::TYPING_TEST_KEYS
        .chars()
        .map(|k| data.join(format!("train/keystrokes-zoom/Zoom/{k}.wav")))
        .collect();
    let (mut called, mut total) = (0usize, 0usize);
    for f in &files {
        let x = tacet_eval::read_wav_16k(f).expect("wav");
        let d = detect(&x, None);
        called += d.iter().filter(|&&v| v).count();
        total += d.len();
    }
    let share = called as f64 / total as f64;
    eprintln!("keystrokes-zoom, keys never trained on: speech share {share:.3}");
    assert!(
        share <= RECORDED_TYPING_MAX_SHARE,
        "typing: {share:.3} of frames called speech"
    );
}

#[test]
fn recorded_typing_under_far_end_bleed_is_not_rep_speech() {
    let Some(data) = shared_data("recorded_typing_under_far_end_bleed_is_not_rep_speech") else {
        return;
    };
    // The rep types (keys never trained on) while the prospect talks and leaks into the
    // headset microphone 25 dB down; the rep says nothing.
    let (_, prospect, _, _) = demo();
    let mut typing = Vec::new();
    for k in tacet_eval::TYPING_TEST_KEYS.chars() {
        let f = data.join(format!("train/keystrokes-zoom/Zoom/{k}.wav"));
        typing.extend(tacet_eval::read_wav_16k(&f).expect("wav"));
    }
    let n = typing.len().min(prospect.len());
    let mut mic = typing[..n].to_vec();
    synth::add_into(&mut mic, &synth::bleed(&prospect[..n], 8.0, 25.0, 4));
    synth::add_into(&mut mic, &synth::pink(n, 12, -65.0));
    let d = detect(&mic, Some(&prospect[..n]));
    let share = d.iter().filter(|&&v| v).count() as f64 / d.len().max(1) as f64;
    eprintln!("typing under far-end bleed: rep speech share {share:.3}");
    assert!(
        share <= TYPING_UNDER_BLEED_MAX_SHARE,
        "typing under bleed: {share:.3} of frames called rep speech"
    );
}

#[test]
fn fan_noise_and_mains_hum_are_not_speech_and_speech_over_them_is_found() {
    let (rep, _, rep_truth, _) = demo();
    for (mains_hz, seed) in [(50.0, 1), (60.0, 2)] {
        let n = rep.len();
        let mut noise = synth::hum(n, mains_hz, -40.0);
        synth::add_into(&mut noise, &synth::fan(n, seed, -45.0));
        let share = speech_share(&noise[..20 * 16_000]);
        let mut x = rep.clone();
        synth::add_into(&mut x, &noise);
        let c = score(&rep_truth, &detect(&x, None));
        eprintln!(
            "hum {mains_hz} Hz + fan: noise alone {share:.3}; speech over it P {:.3} R {:.3}",
            c.precision(),
            c.recall()
        );
        assert!(
            share <= 0.01,
            "hum + fan: {share:.3} of frames called speech"
        );
        assert!(c.recall() >= 0.9 && c.precision() >= 0.85);
    }
}

#[test]
fn breath_noise_bursts_are_mostly_not_speech() {
    let n = 30 * 16_000;
    let mut x = synth::breaths(n, 7, 1.5, -45.0);
    synth::add_into(&mut x, &synth::pink(n, 8, -65.0));
    let share = speech_share(&x);
    eprintln!("breaths: speech share {share:.3}");
    assert!(
        share <= BREATHS_MAX_SHARE,
        "breaths: {share:.3} of frames called speech"
    );
}

#[test]
fn a_level_sweep_from_minus_45_to_0_dbfs_peak_keeps_f1() {
    let (rep, _, rep_truth, _) = demo();
    let peak = rep.iter().fold(0f32, |m, v| m.max(v.abs()));
    let self_noise = synth::pink(rep.len(), 3, -80.0);
    let mut f1s = Vec::new();
    for peak_dbfs in [-45.0, -35.0, -25.0, -15.0, -5.0, 0.0] {
        let g = synth::db_to_gain(peak_dbfs) / peak;
        let mut x: Vec<f32> = rep.iter().map(|v| v * g).collect();
        synth::add_into(&mut x, &self_noise);
        let f1 = score(&rep_truth, &detect(&x, None)).f1();
        eprintln!("peak {peak_dbfs} dBFS: F1 {f1:.3}");
        assert!(f1 >= 0.9, "peak {peak_dbfs} dBFS: F1 {f1:.3}");
        f1s.push(f1);
    }
    let spread = f1s.iter().fold(0f64, |m, v| m.max(*v)) - f1s.iter().fold(1f64, |m, v| m.min(*v));
    assert!(spread <= 0.05, "F1 varies by {spread:.3} over the sweep");
}

#[test]
fn mulaw_far_side_with_comfort_noise() {
    let (_, prospect, _, prospect_truth) = demo();
    let n = frames(&prospect);
    // The far talker's background (-60 dBFS) is sent while they talk and for 200 ms after
    // (the sender's hangover); in the longer gaps the sender goes quiet and the receiver
    // plays comfort noise 2 dB louder than the background it replaces.
    let sending = dilate(&reference_frames(&prospect_truth, n), 20);
    let per_sample =
        |i: usize| -> bool { sending.get(i / FRAME_LEN_SAMPLES).copied().unwrap_or(false) };
    let background = synth::pink(prospect.len(), 4, -60.0);
    let sent: Vec<f32> = (0..prospect.len())
        .map(|i| prospect[i] + if per_sample(i) { background[i] } else { 0.0 })
        .collect();
    let mut x = synth::mulaw_telephone(&sent);
    let gate: Vec<bool> = (0..prospect.len()).map(|i| !per_sample(i)).collect();
    synth::add_into(&mut x, &synth::comfort_noise(&gate, 5, -58.0));
    let mut rng = Rng::new(9);
    x.iter_mut().for_each(|v| *v += 1e-5 * rng.bipolar());
    let c = score(&prospect_truth, &detect(&x, None));
    eprintln!(
        "mu-law + comfort noise: P {:.3} R {:.3} F1 {:.3} FA {:.3}",
        c.precision(),
        c.recall(),
        c.f1(),
        c.false_alarm_rate()
    );
    assert!(c.f1() >= 0.9, "F1 {:.3}", c.f1());
    assert!(
        c.false_alarm_rate() <= 0.08,
        "FA {:.3}",
        c.false_alarm_rate()
    );
}

/// `audio` (16 kHz) as an 8 kHz 16-bit recording read back the way every command reads it
/// (the product's decoder and resampler to the analysis rate), with `floor_dbfs` of white
/// noise added at 8 kHz (an 8 kHz file's noise floor is flat to 4 kHz).
fn through_an_8_khz_file(audio: &[f32], floor_dbfs: f32, seed: u32) -> Vec<f32> {
    let mut narrow = tacet_eval::resample_rational(audio, 1, 2);
    let floor = synth::white(narrow.len(), seed, floor_dbfs);
    synth::add_into(&mut narrow, &floor);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("call-8k.wav");
    write_wav(&path, &[narrow], 8_000, 16, false);
    let mut ch = tacet_eval::read_wav_channels_16k(&path).expect("8 kHz file readable");
    ch.pop().expect("one channel")
}

#[test]
fn a_flat_noise_floor_in_an_8_khz_recording_is_not_speech() {
    let (rep, _, rep_truth, _) = demo();
    for (floor_dbfs, seed) in [(-70.0, 11), (-55.0, 12), (-40.0, 13)] {
        let noise = through_an_8_khz_file(&vec![0.0; 20 * 16_000], floor_dbfs, seed);
        let share = speech_share(&noise);
        let x = through_an_8_khz_file(&rep, floor_dbfs.max(-60.0), seed);
        let c = score(&rep_truth, &detect(&x, None));
        eprintln!(
            "8 kHz file, white floor {floor_dbfs} dBFS: noise alone {share:.3}; demo rep over \
             it P {:.3} R {:.3}",
            c.precision(),
            c.recall()
        );
        assert!(
            share <= 0.01,
            "{floor_dbfs} dBFS: {share:.3} of frames called speech"
        );
        assert!(
            c.recall() >= 0.9 && c.precision() >= 0.85,
            "{floor_dbfs} dBFS: P {:.3} R {:.3}",
            c.precision(),
            c.recall()
        );
    }
}

/// A telephone far end whose line carries flat (white) hiss: the hiss goes through the same
/// G.711 channel as the voice, so it is flat up to the channel's band edge. The first 5 s of
/// the hiss alone are not asserted: before the noise floor is known the detector may call
/// up to the first few seconds speech (docs/vad.md, "What limits it").
#[test]
fn white_line_hiss_through_the_telephone_channel_is_not_speech() {
    let (_, prospect, _, prospect_truth) = demo();
    for (hiss_dbfs, seed) in [(-70.0, 21), (-55.0, 22)] {
        let hiss = synth::white(30 * 16_000, seed, hiss_dbfs);
        let alone = synth::mulaw_telephone(&hiss);
        let share = speech_share_from(&alone, 5 * 16_000);
        let mut sent = prospect.clone();
        let line = synth::white(sent.len(), seed + 10, hiss_dbfs);
        synth::add_into(&mut sent, &line);
        let x = synth::mulaw_telephone(&sent);
        let c = score(&prospect_truth, &detect(&x, None));
        eprintln!(
            "white line hiss {hiss_dbfs} dBFS: alone (after 5 s) {share:.3}; prospect over it \
             P {:.3} R {:.3} F1 {:.3}",
            c.precision(),
            c.recall(),
            c.f1()
        );
        assert!(
            share <= 0.01,
            "{hiss_dbfs} dBFS: {share:.3} of frames called speech"
        );
        assert!(c.f1() >= 0.95, "{hiss_dbfs} dBFS: F1 {:.3}", c.f1());
    }
}

/// Share of frames called speech from sample `from` on (the detector run from the start).
fn speech_share_from(audio: &[f32], from: usize) -> f64 {
    let d = detect(audio, None);
    let rest = &d[(from / FRAME_LEN_SAMPLES).min(d.len())..];
    rest.iter().filter(|&&x| x).count() as f64 / rest.len().max(1) as f64
}

#[test]
fn ringback_and_busy_tones_are_not_speech_and_the_answer_after_them_is_found() {
    let (_, prospect, _, prospect_truth) = demo();
    let before_s = 20.0;
    let before = (before_s * 16_000.0) as usize;
    // Ringback and busy tones of several countries, at -20 dBFS over a -60 dBFS line hiss,
    // through the telephone channel.
    for (k, tone) in synth::CALL_TONES.iter().enumerate() {
        let name = tone.name;
        let mut line = synth::call_tone(before, tone.freqs_hz, tone.cadence_s, -20.0);
        line.extend_from_slice(&prospect);
        let hiss = synth::white(line.len(), 40 + k as u32, -60.0);
        synth::add_into(&mut line, &hiss);
        let x = synth::mulaw_telephone(&line);
        let detected = detect(&x, None);
        let in_tone = &detected[..before / FRAME_LEN_SAMPLES];
        let on: Vec<usize> = (0..in_tone.len())
            .filter(|&i| in_tone[i] && (i == 0 || !in_tone[i - 1]))
            .collect();
        eprintln!("DEBUG {name} starts {on:?}");
        let tone_share = in_tone.iter().filter(|&&d| d).count() as f64 / in_tone.len() as f64;
        let answer = score(&shifted_spans(&prospect_truth, before_s), &detected);
        eprintln!(
            "{name}: {tone_share:.3} of the tone's frames called speech; the answer after it \
             P {:.3} R {:.3} F1 {:.3}",
            answer.precision(),
            answer.recall(),
            answer.f1()
        );
        assert!(
            tone_share <= 0.01,
            "{name}: {tone_share:.3} of frames called speech"
        );
        assert!(
            answer.f1() >= 0.95,
            "{name}: the answer's F1 {:.3}",
            answer.f1()
        );
    }
}
