//! The demo call against the truth it was scripted with, and the same call in other
//! containers and encodings (two mono files, 48 kHz float, 24/8-bit PCM, mu-law, A-law).

use serde_json::Value;

use crate::common::*;

fn f(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

fn pauses(report: &Value) -> Vec<(f64, f64, String, String)> {
    report["pauses"]
        .as_array()
        .expect("pauses")
        .iter()
        .map(|p| {
            (
                f(&p["start_s"]),
                f(&p["end_s"]),
                p["after"].as_str().unwrap_or("null").to_string(),
                p["broken_by"].as_str().expect("broken_by").to_string(),
            )
        })
        .collect()
}

fn assert_same_pauses(a: &Value, b: &Value, tol_s: f64, what: &str) {
    let (pa, pb) = (pauses(a), pauses(b));
    assert_eq!(pa.len(), pb.len(), "{what}: pause count {pa:?} vs {pb:?}");
    for (x, y) in pa.iter().zip(&pb) {
        assert!(
            (x.0 - y.0).abs() <= tol_s,
            "{what}: pause start {x:?} vs {y:?}"
        );
        assert!(
            (x.1 - y.1).abs() <= tol_s,
            "{what}: pause end {x:?} vs {y:?}"
        );
        assert_eq!((&x.2, &x.3), (&y.2, &y.3), "{what}: pause {x:?} vs {y:?}");
    }
}

#[test]
fn demo_call_matches_its_script() {
    let truth = demo_truth();
    let demo = demo_wav();
    let report = analyze_json(&[demo.to_str().expect("path")]);
    assert_eq!(report["schema_version"], 1);
    // Talk time within 5% per side of the scripted (bridged) truth.
    for (side, key) in [("rep", "rep_talk_s"), ("prospect", "prospect_talk_s")] {
        let got = f(&report[side]["talk_s"]);
        let want = f(&truth["bridged"][key]);
        assert!(
            (got - want).abs() <= 0.05 * want,
            "{side} talk {got} s vs truth {want} s"
        );
    }
    // Exactly the scripted pauses (all >= 1.25 s), each start within 50 ms, outcome as scripted.
    let got = pauses(&report);
    let want: Vec<_> = truth["pauses"]
        .as_array()
        .expect("truth pauses")
        .iter()
        .map(|p| {
            (
                f(&p["start_s"]),
                p["after"].as_str().expect("after").to_string(),
                p["broken_by"].as_str().expect("broken_by").to_string(),
            )
        })
        .collect();
    assert_eq!(got.len(), want.len(), "pauses {got:?} vs truth {want:?}");
    for (g, w) in got.iter().zip(&want) {
        assert!(
            (g.0 - w.0).abs() <= 0.050,
            "pause at {} vs truth {}",
            g.0,
            w.0
        );
        assert_eq!((&g.2, &g.3), (&w.1, &w.2), "pause at {}", w.0);
    }
    // Scripted events: the interruption by the rep, the backchannels, the monologue.
    assert_eq!(report["rep"]["interruptions"], 1, "rep interruptions");
    assert_eq!(report["prospect"]["interruptions"], 0);
    let backchannels = truth["backchannels"].as_array().expect("bc").len() as u64;
    assert_eq!(
        report["prospect"]["backchannels"].as_u64(),
        Some(backchannels)
    );
    let mono = &truth["monologue"];
    let longest = &report["rep"]["longest_turn"];
    assert!(
        (f(&longest["start_s"]) - f(&mono["start_s"])).abs() < 0.1,
        "monologue {longest} vs {mono}"
    );
    // The end within 120 ms: the synthesized voice's last phoneme fades out (measured 101
    // ms early with the learned detector, docs/vad.md).
    assert!(
        (f(&longest["end_s"]) - f(&mono["end_s"])).abs() < 0.12,
        "monologue {longest} vs {mono}"
    );
    // Rep share of talk near the script's.
    let share = f(&report["rep"]["share_of_talk"]);
    assert!((share - f(&truth["bridged"]["rep_share_of_talk"])).abs() < 0.01);
}

#[test]
fn two_mono_files_give_the_same_report_as_the_stereo_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (chans, rate) = read_wav(&demo_wav());
    let rep = dir.path().join("rep.wav");
    let pro = dir.path().join("prospect.wav");
    write_wav(&rep, &chans[0..1], rate, 16, false);
    write_wav(&pro, &chans[1..2], rate, 16, false);
    let mut stereo = analyze_json(&[demo_wav().to_str().expect("path")]);
    let mut pair = analyze_json(&[
        "--rep",
        rep.to_str().expect("path"),
        "--prospect",
        pro.to_str().expect("path"),
    ]);
    stereo["source"] = Value::Null;
    pair["source"] = Value::Null;
    assert_eq!(stereo, pair);
}

/// Linear-interpolation upsampling by an integer factor (the analysis resampler removes
/// the images this leaves above the original band).
fn upsample(x: &[f32], k: usize) -> Vec<f32> {
    let mut y = Vec::with_capacity(x.len() * k);
    for i in 0..x.len() {
        let a = x[i];
        let b = x.get(i + 1).copied().unwrap_or(a);
        for j in 0..k {
            y.push(a + (b - a) * j as f32 / k as f32);
        }
    }
    y
}

fn alaw(v: f32) -> u8 {
    let mut x = (v.clamp(-1.0, 1.0) * 32767.0) as i32 >> 3;
    let sign = if x >= 0 {
        0x80
    } else {
        x = -x - 1;
        0
    };
    let mut seg = 0;
    let mut t = x >> 5;
    while t > 0 && seg < 7 {
        seg += 1;
        t >>= 1;
    }
    let mant = if seg == 0 { x >> 1 } else { x >> seg } & 0x0F;
    ((sign | (seg << 4) | mant) ^ 0x55) as u8
}

#[test]
fn other_encodings_give_the_same_pauses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (chans, rate) = read_wav(&demo_wav());
    let original = analyze_json(&[demo_wav().to_str().expect("path")]);

    let f48 = dir.path().join("float48k.wav");
    let up: Vec<Vec<f32>> = chans.iter().map(|c| upsample(c, 3)).collect();
    write_wav(&f48, &up, rate * 3, 32, true);

    let pcm24 = dir.path().join("pcm24.wav");
    write_wav(&pcm24, &chans, rate, 24, false);

    let pcm8 = dir.path().join("pcm8.wav");
    write_wav(&pcm8, &chans, rate, 8, false);

    let interleave = |enc: fn(f32) -> u8| -> Vec<u8> {
        (0..chans[0].len())
            .flat_map(|i| [enc(chans[0][i]), enc(chans[1][i])])
            .collect()
    };
    let ulaw = dir.path().join("mulaw.wav");
    write_raw_wav(&ulaw, 7, 2, rate, 8, &interleave(mulaw));
    let alaw_path = dir.path().join("alaw.wav");
    write_raw_wav(&alaw_path, 6, 2, rate, 8, &interleave(alaw));

    for path in [&f48, &pcm24, &pcm8, &ulaw, &alaw_path] {
        let report = analyze_json(&[path.to_str().expect("path")]);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        // Within 30 ms (three frames): 8-bit PCM's quantisation noise moves an edge by up to
        // two frames.
        assert_same_pauses(&original, &report, 0.030, &name);
        let (a, b) = (f(&original["rep"]["talk_s"]), f(&report["rep"]["talk_s"]));
        assert!((a - b).abs() <= 0.03 * a, "{name}: rep talk {a} vs {b}");
    }
}

#[test]
fn every_format_renders_the_demo_call() {
    let outputs = demo_outputs();
    for (format, _) in FORMATS {
        assert!(!outputs[format].is_empty(), "{format} is empty");
    }
    let rttm = &outputs["rttm"];
    let json: Value = serde_json::from_str(&outputs["json"]).expect("json parses");
    let segs = json["segments"].as_array().expect("segments");
    let back = tacet_eval::rttm_turns(rttm).expect("valid RTTM");
    assert_eq!(back.len(), segs.len());
    for (b, s) in back.iter().zip(segs) {
        assert_eq!(b.speaker, s["party"].as_str().expect("party"));
        assert!(
            (b.start_s - f(&s["start_s"])).abs() < 1e-9 && (b.end_s - f(&s["end_s"])).abs() < 1e-9
        );
    }
}
