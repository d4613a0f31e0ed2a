//! Warnings in the report of a recording (product.md, "Report"): a side with no signal, a
//! side with a signal but no speech, and two files of different lengths, each in the JSON,
//! the text summary and the HTML; with a silent side, the share verdict says the figures
//! are doubtful instead of coaching the rep.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::*;

/// (code, party) of every warning of a JSON report.
fn codes(report: &Value) -> Vec<(String, Value)> {
    report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .map(|w| {
            (
                w["code"].as_str().expect("code").to_string(),
                w["party"].clone(),
            )
        })
        .collect()
}

/// Writes the demo's rep side with `prospect` as the other channel.
fn with_prospect(dir: &Path, name: &str, prospect: impl Fn(usize) -> Vec<f32>) -> PathBuf {
    let (chans, rate) = read_wav(&demo_wav());
    let path = dir.join(name);
    let n = chans[0].len();
    write_wav(&path, &[chans[0].clone(), prospect(n)], rate, 16, false);
    path
}

/// The text summary and the HTML page of `path` hold the warning's message and the
/// doubtful verdict, and never coach "let them talk".
fn assert_shown(path: &Path, message: &str) {
    let p = path.to_str().expect("path");
    for format in ["text", "html"] {
        let out = tacet(&["analyze", p, "--format", format]);
        assert!(out.status.success(), "{}", stderr(&out));
        let page = stdout(&out).replace("&#39;", "'");
        assert!(page.contains(message), "{format}: {page}");
        assert!(
            page.contains("figures doubtful: the prospect's side is silent - check the channel"),
            "{format}: {page}"
        );
        assert!(!page.contains("let them talk"), "{format}: {page}");
    }
}

#[test]
fn a_prospect_channel_with_no_signal_gets_no_signal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = with_prospect(dir.path(), "silent.wav", |n| vec![0.0; n]);
    let report = analyze_json(&[path.to_str().expect("path")]);
    assert_eq!(
        codes(&report),
        [("no_signal".into(), Value::from("prospect"))]
    );
    let message = report["warnings"][0]["message"].as_str().expect("message");
    assert!(
        message.contains("no signal for the whole call"),
        "{message}"
    );
    assert_shown(&path, message);
}

#[test]
fn a_prospect_channel_with_noise_and_no_speech_gets_no_speech() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A hiss at -50 dBFS: a signal, and nothing like speech.
    let path = with_prospect(dir.path(), "hiss.wav", |n| {
        tacet_eval::synth::white(n, 7, -50.0)
    });
    let report = analyze_json(&[path.to_str().expect("path")]);
    assert_eq!(
        codes(&report),
        [("no_speech".into(), Value::from("prospect"))]
    );
    let message = report["warnings"][0]["message"].as_str().expect("message");
    assert!(
        message.contains("never spoke while the rep did"),
        "{message}"
    );
    assert_shown(&path, message);
}

/// `--rep`/`--prospect` files more than 1 s apart in length get `lengths_differ` (party
/// null: it concerns both); 0.5 s apart, nothing.
#[test]
fn rep_and_prospect_files_of_different_lengths_get_lengths_differ() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (chans, rate) = read_wav(&demo_wav());
    let rep = dir.path().join("rep.wav");
    write_wav(&rep, &chans[..1], rate, 16, false);
    let cut = |name: &str, seconds: f64| {
        let path = dir.path().join(name);
        let keep = chans[1].len() - (seconds * f64::from(rate)) as usize;
        write_wav(&path, &[chans[1][..keep].to_vec()], rate, 16, false);
        path
    };
    let close = cut("close.wav", 0.5);
    let short = cut("short.wav", 2.5);
    let args = |prospect: &Path| {
        vec![
            "--rep".to_string(),
            rep.to_str().expect("path").to_string(),
            "--prospect".to_string(),
            prospect.to_str().expect("path").to_string(),
        ]
    };
    let close_args = args(&close);
    let close_args: Vec<&str> = close_args.iter().map(String::as_str).collect();
    assert_eq!(codes(&analyze_json(&close_args)), []);
    let short_args = args(&short);
    let short_args: Vec<&str> = short_args.iter().map(String::as_str).collect();
    let report = analyze_json(&short_args);
    assert_eq!(codes(&report), [("lengths_differ".into(), Value::Null)]);
    let message = report["warnings"][0]["message"].as_str().expect("message");
    for part in [
        "rep.wav",
        "short.wav",
        "152.4 s",
        "149.9 s",
        "2.5 s",
        "padded",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
    let mut all = vec!["analyze"];
    all.extend_from_slice(&short_args);
    let text = stdout(&tacet(&all));
    assert!(text.contains(&format!("warning: {message}")), "{text}");
    all.extend_from_slice(&["--format", "html"]);
    let html = stdout(&tacet(&all)).replace("&#39;", "'");
    assert!(html.contains(message), "{html}");
}
