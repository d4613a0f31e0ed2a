//! A recorded working day split into calls (`analyze --split-calls`): a synthetic day with
//! two calls, a one-sided video, long silences and noise gives exactly two reports, each
//! equal to the analysis of its stretch cut out alone.

use std::path::Path;

use serde_json::Value;

use crate::common::*;

const RATE: usize = 16_000;

/// Low white noise (about -66 dBFS), the same for a seed.
pub(crate) fn noise(n: usize, seed: u64) -> Vec<f32> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.0017
        })
        .collect()
}

/// The day: 30 s of silence, the demo call, 80 s of silence, 60 s of a video on the
/// prospect's side only (the demo's prospect channel), 80 s of silence, the demo call again,
/// 50 s of silence; low noise on both sides throughout. Returns the channels and where the
/// two calls' audio starts (samples).
fn day() -> (Vec<Vec<f32>>, [usize; 2]) {
    let (demo, rate) = read_wav(&demo_wav());
    assert_eq!(rate as usize, RATE);
    let call = demo[0].len();
    let video = 60 * RATE;
    let first = 30 * RATE;
    let video_at = first + call + 80 * RATE;
    let second = video_at + video + 80 * RATE;
    let n = second + call + 50 * RATE;
    let mut chans = vec![noise(n, 1), noise(n, 2)];
    for (c, ch) in chans.iter_mut().enumerate() {
        for at in [first, second] {
            for (y, x) in ch[at..at + call].iter_mut().zip(&demo[c]) {
                *y += x;
            }
        }
    }
    for (y, x) in chans[1][video_at..video_at + video]
        .iter_mut()
        .zip(&demo[1])
    {
        *y += x;
    }
    (chans, [first, second])
}

/// A report with what legitimately differs between a split call and its cut (the source's
/// name and the offset) taken out.
fn comparable(mut v: Value) -> Value {
    let o = v.as_object_mut().expect("report object");
    o.remove("source");
    o.remove("offset_s");
    v
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("report")).expect("json")
}

#[test]
fn a_recorded_day_gives_one_report_per_call_equal_to_its_stretch_alone() {
    let _alone = memory_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let (chans, starts) = day();
    let wav = dir.path().join("day.wav");
    write_wav(&wav, &chans, RATE as u32, 16, false);
    let out_dir = dir.path().join("calls");
    let out = tacet(&[
        "analyze",
        wav.to_str().expect("utf-8 path"),
        "--split-calls",
        "--out-dir",
        out_dir.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("out dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["day-call01.json", "day-call02.json", "summary.csv"],
        "{}",
        stdout(&out)
    );
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).expect("summary");
    assert_eq!(summary.lines().count(), 3, "{summary}");

    let truth = demo_truth();
    let first_speech_s = ["rep", "prospect"]
        .iter()
        .filter_map(|p| truth[p]["segments"][0]["start_s"].as_f64())
        .fold(f64::INFINITY, f64::min);
    let last_speech_s = ["rep", "prospect"]
        .iter()
        .filter_map(|p| truth[p]["segments"].as_array()?.last()?["end_s"].as_f64())
        .fold(0.0, f64::max);
    for (k, start) in starts.iter().enumerate() {
        let report = json(&out_dir.join(format!("day-call{:02}.json", k + 1)));
        let offset_s = report["offset_s"].as_f64().expect("offset_s");
        // The call starts at its first speech (within 0.3 s), not in the noise before it
        // nor in the video.
        let expected_s = *start as f64 / RATE as f64 + first_speech_s;
        assert!(
            (offset_s - expected_s).abs() < 0.3,
            "call {k}: starts at {offset_s:.2} s, first speech at {expected_s:.2} s"
        );
        // It ends a pause (pause_min_s, 1 s) after its last speech.
        let duration_s = report["duration_s"].as_f64().expect("duration");
        let expected_end_s = *start as f64 / RATE as f64 + last_speech_s + 1.0;
        assert!(
            (offset_s + duration_s - expected_end_s).abs() < 0.3,
            "call {k}: ends at {:.2} s, last speech + 1 s at {expected_end_s:.2} s",
            offset_s + duration_s
        );
        // The same stretch cut out and analysed alone gives the same report.
        let a = (offset_s * RATE as f64).round() as usize;
        let b = a + (duration_s * RATE as f64).round() as usize;
        let cut: Vec<Vec<f32>> = chans.iter().map(|c| c[a..b].to_vec()).collect();
        let cut_wav = dir.path().join(format!("cut{k}.wav"));
        write_wav(&cut_wav, &cut, RATE as u32, 16, false);
        let alone = analyze_json(&[cut_wav.to_str().expect("utf-8 path")]);
        assert_eq!(comparable(report), comparable(alone), "call {k}");
    }
}

#[test]
fn a_day_without_a_call_writes_no_report_and_says_so() {
    let _alone = memory_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let (demo, rate) = read_wav(&demo_wav());
    // Only the prospect side speaks (a video): no call.
    let n = demo[1].len();
    let chans = vec![noise(n, 1), demo[1].clone()];
    let wav = dir.path().join("video.wav");
    write_wav(&wav, &chans, rate, 16, false);
    let out_dir = dir.path().join("calls");
    let out = tacet(&[
        "analyze",
        wav.to_str().expect("utf-8 path"),
        "--split-calls",
        "--out-dir",
        out_dir.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("no call"), "{}", stdout(&out));
    assert!(!out_dir.join("summary.csv").exists());
}

#[test]
fn splitting_needs_an_out_dir_and_one_recording() {
    let demo = demo_wav();
    let out = tacet(&[
        "analyze",
        demo.to_str().expect("utf-8 path"),
        "--split-calls",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let dir = tempfile::tempdir().expect("tempdir");
    let d = demo.to_str().expect("utf-8 path");
    let out = tacet(&[
        "analyze",
        d,
        d,
        "--split-calls",
        "--out-dir",
        dir.path().to_str().expect("utf-8 path"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--split-calls"), "{}", stderr(&out));
}

/// `replay DAY --split-calls` saves each call as its own session, as `live` does: exactly
/// the two calls of the day, each the report `analyze --split-calls` writes for it (the
/// same stretch analysed alone, the same `offset_s`); `-o` still gets the whole day.
#[test]
fn a_replayed_day_saves_each_call_as_analyze_splits_it() {
    let _alone = memory_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let (chans, starts) = day();
    let wav = dir.path().join("day.wav");
    write_wav(&wav, &chans, RATE as u32, 16, false);
    let w = wav.to_str().expect("utf-8 path");
    let out_dir = dir.path().join("calls");
    let analyzed = tacet(&[
        "analyze",
        w,
        "--split-calls",
        "--out-dir",
        out_dir.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(analyzed.status.code(), Some(0), "{}", stderr(&analyzed));
    let data = dir.path().join("data");
    let whole = dir.path().join("whole.json");
    let out = tacet(&[
        "--data-dir",
        data.to_str().expect("utf-8 path"),
        "replay",
        w,
        "--split-calls",
        "--no-ui",
        "--speed",
        "10000",
        "-o",
        whole.to_str().expect("utf-8 path"),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let saved = saved_calls(&data);
    assert_eq!(saved.len(), 2, "{err}");
    assert!(
        err.contains("call 1: from ") && err.contains("call 2: from "),
        "{err}"
    );
    assert!(err.contains("2 calls saved"), "{err}");
    // The JSON lines say where each call starts and ends.
    let events: Vec<Value> = stdout(&out)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let ends: Vec<&Value> = events.iter().filter(|e| e["event"] == "call_end").collect();
    assert_eq!(ends.len(), 2, "{}", stdout(&out));
    let without_run = |mut v: Value| {
        let o = v.as_object_mut().expect("report object");
        o.remove("started_at");
        comparable(v)
    };
    for (k, report) in saved.into_iter().enumerate() {
        let offset_s = report["offset_s"].as_f64().expect("offset_s");
        let end_s = offset_s + report["duration_s"].as_f64().expect("duration_s");
        // Where the call is: from its first speech, not in the noise or the video before.
        let start_s = starts[k] as f64 / RATE as f64;
        assert!(
            (start_s..start_s + 2.0).contains(&offset_s),
            "call {k} at {offset_s:.2} s, the call's audio from {start_s:.2} s"
        );
        assert_eq!(ends[k]["start_s"].as_f64(), Some(offset_s));
        assert!((ends[k]["end_s"].as_f64().expect("end_s") - end_s).abs() < 1e-6);
        let alone = json(&out_dir.join(format!("day-call{:02}.json", k + 1)));
        assert_eq!(alone["offset_s"].as_f64(), Some(offset_s), "call {k}");
        assert_eq!(without_run(report), without_run(alone), "call {k}");
    }
    let whole = json(&whole);
    let day_s = chans[0].len() as f64 / RATE as f64;
    assert!(
        (whole["duration_s"].as_f64().expect("duration_s") - day_s).abs() < 0.011,
        "{}",
        whole["duration_s"]
    );
}
