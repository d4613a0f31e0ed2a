//! Bad input gets the documented exit code and a one-line message naming the file or key.

use std::path::Path;

use crate::common::*;

fn expect_failure(args: &[&str], code: i32, needles: &[&str]) {
    let out = tacet(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(code), "{args:?}: stderr {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: stderr lacks '{n}': {err}");
    }
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    assert_eq!(
        err.trim().lines().count(),
        1,
        "{args:?}: not one line: {err}"
    );
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn unreadable_inputs_exit_3_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing.wav");
    expect_failure(&["analyze", p(&missing)], 3, &["missing.wav"]);
    expect_failure(&["analyze", p(dir.path())], 3, &["directory"]);

    let text = dir.path().join("notes.wav");
    std::fs::write(&text, "this is not audio at all, just some text\n").expect("write");
    expect_failure(&["analyze", p(&text)], 3, &["notes.wav"]);

    let truncated = dir.path().join("truncated.wav");
    std::fs::write(&truncated, b"RIFF\x24\x00\x00\x00WAVEfmt ").expect("write");
    expect_failure(&["analyze", p(&truncated)], 3, &["truncated.wav"]);

    let mono = dir.path().join("mono.wav");
    write_wav(&mono, &[vec![0.1; 16000]], 16000, 16, false);
    expect_failure(&["analyze", p(&mono)], 3, &["mono.wav", "mono"]);

    let stereo = dir.path().join("stereo.wav");
    write_wav(
        &stereo,
        &[vec![0.0; 1600], vec![0.0; 1600]],
        16000,
        16,
        false,
    );

    let low_rate = dir.path().join("slow.wav");
    write_wav(
        &low_rate,
        &[vec![0.0; 100], vec![0.0; 100]],
        1000,
        16,
        false,
    );
    expect_failure(&["analyze", p(&low_rate)], 3, &["slow.wav", "1000 Hz"]);

    let empty = dir.path().join("empty.wav");
    write_wav(&empty, &[vec![], vec![]], 16000, 16, false);
    expect_failure(&["analyze", p(&empty)], 3, &["empty.wav", "no audio"]);

    let adpcm = dir.path().join("adpcm.wav");
    write_raw_wav(&adpcm, 2, 2, 16000, 4, &[0u8; 2048]);
    expect_failure(&["analyze", p(&adpcm)], 3, &["adpcm.wav"]);
}

#[test]
fn bad_channel_choices_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stereo = dir.path().join("stereo.wav");
    write_wav(
        &stereo,
        &[vec![0.0; 1600], vec![0.0; 1600]],
        16000,
        16,
        false,
    );
    let s = p(&stereo);
    // A channel the file does not have.
    expect_failure(
        &["analyze", s, "--prospect-channel", "5"],
        2,
        &["stereo.wav", "channel 5", "--prospect-channel"],
    );
    expect_failure(
        &["replay", s, "--no-ui", "--rep-channel", "2"],
        2,
        &["stereo.wav", "channel 2", "--rep-channel"],
    );
    expect_failure(
        &["vad", s, "--channel", "3"],
        2,
        &["stereo.wav", "channel 3", "--channel"],
    );
    // One channel for both sides, from the flags or from a flag and the configuration.
    for cmd in [&["analyze", s][..], &["replay", s, "--no-ui"]] {
        let mut args = cmd.to_vec();
        args.extend(["--rep-channel", "1", "--prospect-channel", "1"]);
        expect_failure(
            &args,
            2,
            &["--rep-channel", "--prospect-channel", "both channel 1"],
        );
        let mut args = cmd.to_vec();
        args.extend(["--rep-channel", "1"]);
        expect_failure(
            &args,
            2,
            &["--rep-channel", "input.prospect_channel", "both channel 1"],
        );
    }
    // Live: refused before any device is looked for.
    expect_failure(
        &[
            "live",
            "--stereo",
            "no-such-device",
            "--rep-channel",
            "1",
            "--prospect-channel",
            "1",
            "--no-ui",
            "--duration",
            "1",
        ],
        2,
        &["--rep-channel", "--prospect-channel", "both 1"],
    );
    // A batch where every input fails so: usage, exit 2.
    let out = dir.path().join("out");
    let out = tacet(&[
        "analyze",
        s,
        s,
        "--prospect-channel",
        "4",
        "--out-dir",
        p(&out),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn replay_of_a_mono_recording_suggests_only_what_replay_takes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mono = dir.path().join("mono.wav");
    write_wav(&mono, &[vec![0.1; 16000]], 16000, 16, false);
    expect_failure(&["replay", p(&mono), "--no-ui"], 3, &["mono.wav", "mono"]);
    let err = stderr(&tacet(&["replay", p(&mono), "--no-ui"]));
    assert!(
        !err.contains("--rep") && !err.contains("--prospect"),
        "{err}"
    );
    // analyze takes two files, and says so.
    expect_failure(&["analyze", p(&mono)], 3, &["--rep REP --prospect PRO"]);
}

#[test]
fn bad_configuration_exits_2_naming_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let demo = demo_wav();
    let unknown = dir.path().join("unknown.toml");
    std::fs::write(&unknown, "pause_min = 1.0\n").expect("write");
    expect_failure(
        &["--config", p(&unknown), "analyze", p(&demo)],
        2,
        &["pause_min", "unknown.toml"],
    );
    let range = dir.path().join("range.toml");
    std::fs::write(&range, "talk_share_target = 1.5\n").expect("write");
    expect_failure(
        &["--config", p(&range), "analyze", p(&demo)],
        2,
        &["talk_share_target"],
    );
    let wrong = dir.path().join("wrong.toml");
    std::fs::write(&wrong, "[cues]\nhold = \"yes\"\n").expect("write");
    expect_failure(
        &["--config", p(&wrong), "analyze", p(&demo)],
        2,
        &["wrong.toml"],
    );
    // An empty file is valid: all defaults.
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "").expect("write");
    let out = tacet(&["--config", p(&empty), "config"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_2() {
    let demo = demo_wav();
    let out = tacet(&["analyze"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = tacet(&["analyze", p(&demo), p(&demo), "-o", "x.json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = tacet(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}
