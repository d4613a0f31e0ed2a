//! A replay gives the same report as `analyze` (README): `tacet replay --no-ui` of a
//! recording saves a report whose figures, pauses, segments and warnings equal those of
//! `tacet analyze --format json` of the same file; only the start time differs.

use std::path::Path;

use serde_json::Value;

use crate::common::*;

/// The report without what names the run rather than the call (start time, source path).
fn figures(mut report: Value) -> Value {
    if let Some(fields) = report.as_object_mut() {
        for key in ["started_at", "source"] {
            fields.remove(key);
        }
    }
    report
}

/// The one report a replay of `call` saved in its isolated data folder.
fn replayed(call: &Path) -> Value {
    let home = tempfile::tempdir().expect("tempdir");
    let out = tacet_in(
        &[
            "replay",
            call.to_str().expect("path"),
            "--no-ui",
            "--speed",
            "10000",
        ],
        Some(home.path()),
    );
    assert!(out.status.success(), "replay: {}", stderr(&out));
    let sessions = home.path().join(".local/share/tacet/sessions");
    let saved: Vec<_> = std::fs::read_dir(&sessions)
        .unwrap_or_else(|e| panic!("{}: {e}", sessions.display()))
        .filter_map(Result::ok)
        .map(|e| e.path().join("report.json"))
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    let text = std::fs::read_to_string(&saved[0]).expect("report.json");
    let report: Value = serde_json::from_str(&text).expect("report parses");
    assert!(report["started_at"].is_string(), "{report}");
    report
}

/// Linear-interpolation upsampling by an integer factor.
fn upsample(x: &[f32], k: usize) -> Vec<f32> {
    let mut y = Vec::with_capacity(x.len() * k);
    for (i, &a) in x.iter().enumerate() {
        let b = x.get(i + 1).copied().unwrap_or(a);
        y.extend((0..k).map(|j| a + (b - a) * j as f32 / k as f32));
    }
    y
}

/// The demo call, the first 20 s of it as FLAC, and its first 30 s at 48 kHz ending
/// within a frame (resampled, its last frame partial).
#[test]
fn replay_saves_the_same_report_as_analyze() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (chans, rate) = read_wav(&demo_wav());
    let cut = 30 * rate as usize + 77;
    let at_48k: Vec<Vec<f32>> = chans.iter().map(|c| upsample(&c[..cut], 3)).collect();
    let odd = dir.path().join("demo-30s-48k.wav");
    write_wav(&odd, &at_48k, 3 * rate, 16, false);
    for call in [
        demo_wav(),
        root().join("tests/fixtures/demo-first-20s.flac"),
        odd,
    ] {
        let analyzed = analyze_json(&[call.to_str().expect("path")]);
        assert!(!analyzed["pauses"].as_array().expect("pauses").is_empty());
        let replayed = replayed(&call);
        assert_eq!(replayed["source"], analyzed["source"]);
        assert_eq!(
            figures(replayed),
            figures(analyzed),
            "{}: replay and analyze differ",
            call.display()
        );
    }
}
