//! Compressed inputs: FLAC (a committed fixture cut from the demo call) and MP3 (from
//! ../shared/data) decode and analyse like their PCM originals.

use serde_json::Value;

use crate::common::*;

#[test]
fn flac_gives_the_same_report_as_the_pcm_original() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (chans, rate) = read_wav(&demo_wav());
    let n = 20 * rate as usize;
    let cut: Vec<Vec<f32>> = chans.iter().map(|c| c[..n].to_vec()).collect();
    let wav = dir.path().join("first20.wav");
    write_wav(&wav, &cut, rate, 16, false);
    let flac = root().join("tests/fixtures/demo-first-20s.flac");
    let mut a = analyze_json(&[wav.to_str().expect("p")]);
    let mut b = analyze_json(&[flac.to_str().expect("p")]);
    a["source"] = Value::Null;
    b["source"] = Value::Null;
    assert_eq!(a, b, "FLAC is lossless: the reports must be identical");
    assert!(a["pauses"].as_array().is_some_and(|p| !p.is_empty()));
}

#[test]
fn mp3_recordings_are_read() {
    let Some(data) = shared_data("mp3_recordings_are_read") else {
        return;
    };
    let dir = data.join("train/rtvc-samples");
    let rep = dir.join("1320_00000.mp3");
    let pro = dir.join("6829_00000.mp3");
    let report = analyze_json(&[
        "--rep",
        rep.to_str().expect("p"),
        "--prospect",
        pro.to_str().expect("p"),
    ]);
    let rep_talk = report["rep"]["talk_s"].as_f64().expect("talk");
    let pro_talk = report["prospect"]["talk_s"].as_f64().expect("talk");
    let duration = report["duration_s"].as_f64().expect("duration");
    // Each clip is about 5 s of read speech.
    assert!((3.0..8.0).contains(&duration), "duration {duration}");
    assert!(
        rep_talk > 2.0 && pro_talk > 2.0,
        "talk {rep_talk} / {pro_talk}"
    );
}
