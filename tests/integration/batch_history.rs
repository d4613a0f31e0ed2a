//! Batch analysis of a folder with good and bad recordings, saved sessions, and
//! `tacet history` over saved sessions.

use std::path::Path;

use serde_json::Value;

use crate::common::*;

#[test]
fn batch_keeps_going_past_bad_files_and_writes_a_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let calls = dir.path().join("calls");
    std::fs::create_dir_all(&calls).expect("mkdir");
    let (chans, rate) = read_wav(&demo_wav());
    std::fs::copy(demo_wav(), calls.join("a-call.wav")).expect("copy");
    // The same call, 2 s shorter on both sides.
    let cut = (2 * rate) as usize;
    let short: Vec<Vec<f32>> = chans.iter().map(|c| c[..c.len() - cut].to_vec()).collect();
    write_wav(&calls.join("b-call.wav"), &short, rate, 16, false);
    std::fs::write(calls.join("bad.wav"), "this is not audio\n").expect("write");
    write_wav(&calls.join("mono.wav"), &chans[..1], rate, 16, false);
    let out_dir = dir.path().join("reports");
    let mut args = vec!["analyze".to_string()];
    for n in ["a-call.wav", "bad.wav", "b-call.wav", "mono.wav"] {
        args.push(calls.join(n).display().to_string());
    }
    args.extend(["--out-dir".into(), out_dir.display().to_string()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = tacet(&argv);
    let err = stderr(&out);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(3), "stderr: {err}\nstdout: {text}");
    // Both bad files are named, at the end too.
    assert!(err.contains("bad.wav") && err.contains("mono.wav"), "{err}");
    let tail = &err[err.find("no report for:").expect("final list")..];
    assert!(
        tail.contains("bad.wav") && tail.contains("mono.wav"),
        "{tail}"
    );
    // Not a terminal: plain progress lines, no carriage returns or escapes.
    assert!(!err.contains('\r') && !err.contains('\u{1b}'), "{err:?}");
    assert_eq!(
        err.lines().filter(|l| l.contains("/4 ")).count(),
        4,
        "{err}"
    );
    assert!(err.contains("2 of 4 recordings got no report"), "{err}");
    // A JSON report per good file, none for the bad ones.
    for n in ["a-call", "b-call"] {
        let r: Value = serde_json::from_str(
            &std::fs::read_to_string(out_dir.join(format!("{n}.json"))).expect("report"),
        )
        .expect("json");
        assert_eq!(r["schema_version"], 1);
    }
    assert!(!out_dir.join("bad.json").exists());
    assert!(!out_dir.join("mono.json").exists());
    // The summary: a row per input in input order, each source by its path and its report
    // by its name; failed ones in the printed table only.
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).expect("summary");
    let rows: Vec<Vec<&str>> = summary.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0][0], "call");
    assert_eq!(rows[0].last(), Some(&"report"));
    assert_eq!(rows.len(), 3, "{summary}");
    assert_eq!(rows[1][0], calls.join("a-call.wav").display().to_string());
    assert_eq!(rows[2][0], calls.join("b-call.wav").display().to_string());
    assert_eq!(rows[1].last(), Some(&"a-call.json"));
    assert_eq!(rows[2].last(), Some(&"b-call.json"));
    let d1: f64 = rows[1][1].parse().expect("duration");
    let d2: f64 = rows[2][1].parse().expect("duration");
    assert!((d1 - d2 - 2.0).abs() < 0.01, "{d1} {d2}");
    let direct = analyze_json(&[demo_wav().to_str().expect("path")]);
    let share: f64 = rows[1][2].parse().expect("share");
    assert!((share - direct["rep"]["share_of_talk"].as_f64().expect("share")).abs() < 0.001);
    for n in ["a-call.wav", "b-call.wav", "bad.wav", "mono.wav"] {
        assert!(text.contains(n), "{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.contains("bad.wav") && l.contains("failed"))
    );
}

#[test]
fn batch_writes_other_formats_and_all_good_exits_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("one.wav");
    let b = dir.path().join("two.wav");
    std::fs::copy(demo_wav(), &a).expect("copy");
    std::fs::copy(demo_wav(), &b).expect("copy");
    let out_dir = dir.path().join("out");
    let out = tacet(&[
        "analyze",
        a.to_str().expect("path"),
        b.to_str().expect("path"),
        "--out-dir",
        out_dir.to_str().expect("path"),
        "--format",
        "html",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    for n in ["one.html", "two.html", "summary.csv"] {
        assert!(out_dir.join(n).exists(), "{n}");
    }
}

#[test]
fn batch_of_inputs_with_the_same_file_name_writes_a_report_for_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (chans, rate) = read_wav(&demo_wav());
    let mon = dir.path().join("mon");
    let tue = dir.path().join("tue");
    std::fs::create_dir_all(&mon).expect("mkdir");
    std::fs::create_dir_all(&tue).expect("mkdir");
    std::fs::copy(demo_wav(), mon.join("call.wav")).expect("copy");
    // Tuesday's call is 3 s shorter, so the two reports differ.
    let cut = (3 * rate) as usize;
    let short: Vec<Vec<f32>> = chans.iter().map(|c| c[..c.len() - cut].to_vec()).collect();
    write_wav(&tue.join("call.wav"), &short, rate, 16, false);
    let out_dir = dir.path().join("out");
    let (a, b) = (mon.join("call.wav"), tue.join("call.wav"));
    let out = tacet(&[
        "analyze",
        a.to_str().expect("path"),
        b.to_str().expect("path"),
        "--out-dir",
        out_dir.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let duration = |name: &str| {
        let r: Value =
            serde_json::from_str(&std::fs::read_to_string(out_dir.join(name)).expect("report"))
                .expect("json");
        r["duration_s"].as_f64().expect("duration")
    };
    let (d_mon, d_tue) = (duration("mon_call.json"), duration("tue_call.json"));
    assert!((d_mon - d_tue - 3.0).abs() < 0.01, "{d_mon} {d_tue}");
    // Nothing else in the folder: no report under the shared name, no temporary file left.
    let mut files: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    assert_eq!(files, ["mon_call.json", "summary.csv", "tue_call.json"]);
    // The summary tells the two sources apart by their paths.
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).expect("summary");
    let rows: Vec<Vec<&str>> = summary
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{summary}");
    assert_eq!(rows[0][0], a.display().to_string());
    assert_eq!(rows[1][0], b.display().to_string());
    assert_eq!(rows[0].last(), Some(&"mon_call.json"));
    assert_eq!(rows[1].last(), Some(&"tue_call.json"));
}

#[test]
fn batch_report_that_cannot_be_written_exits_1_and_the_others_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("one.wav");
    let b = dir.path().join("two.wav");
    std::fs::copy(demo_wav(), &a).expect("copy");
    std::fs::copy(demo_wav(), &b).expect("copy");
    let out_dir = dir.path().join("out");
    // A folder where the first report should go: the report cannot be put there.
    std::fs::create_dir_all(out_dir.join("one.json")).expect("mkdir");
    let out = tacet(&[
        "analyze",
        a.to_str().expect("path"),
        b.to_str().expect("path"),
        "--out-dir",
        out_dir.to_str().expect("path"),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("one.json"), "{err}");
    assert!(err.contains("1 of 2 recordings got no report"), "{err}");
    assert!(out_dir.join("two.json").is_file());
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).expect("summary");
    assert_eq!(summary.lines().count(), 2, "{summary}");
    assert!(summary.contains("two.json"), "{summary}");
}

/// Runs the demo session at high speed with its data in `data`.
fn run_demo(data: &Path) {
    let out = tacet(&[
        "demo",
        "--no-ui",
        "--speed",
        "500",
        "--data-dir",
        data.to_str().expect("path"),
    ]);
    assert!(out.status.success(), "demo: {}", stderr(&out));
}

fn session_dirs(data: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(data.join("sessions"))
        .expect("sessions folder")
        .map(|e| e.expect("entry").path())
        .collect();
    v.sort();
    v
}

#[test]
fn a_session_saves_json_and_html_in_the_data_folder() {
    let data = tempfile::tempdir().expect("tempdir");
    run_demo(data.path());
    let dirs = session_dirs(data.path());
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let name = dirs[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .to_string();
    assert!(name.ends_with("-demo"), "{name}");
    let files: Vec<String> = std::fs::read_dir(&dirs[0])
        .expect("read")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    // Only the finished files: no temporary left behind.
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(sorted, vec!["report.html", "report.json"], "{files:?}");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dirs[0].join("report.json")).expect("json"))
            .expect("parses");
    assert_eq!(json["schema_version"], 1);
    assert!(
        json["started_at"]
            .as_str()
            .is_some_and(|s| s.ends_with('Z'))
    );
    let html = std::fs::read_to_string(dirs[0].join("report.html")).expect("html");
    assert_eq!(
        html.matches(r#"data-kind="segment""#).count(),
        json["segments"].as_array().expect("segments").len()
    );
}

/// Rewrites a saved report's figures (hold rate and the pauses behind it, talk share,
/// start time).
fn edit_report(dir: &Path, day: u32, held: usize, broken: usize, share: f64) {
    let path = dir.join("report.json");
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    let template = v["pauses"][0].clone();
    let mut pauses = Vec::new();
    for k in 0..held + broken {
        let mut p = template.clone();
        p["start_s"] = Value::from(10.0 * k as f64);
        p["end_s"] = Value::from(10.0 * k as f64 + 1.5);
        p["broken_by"] = Value::from(if k < held { "prospect" } else { "rep" });
        pauses.push(p);
    }
    v["pauses"] = Value::from(pauses);
    v["hold_rate"] = Value::from(held as f64 / (held + broken) as f64);
    v["rep"]["share_of_talk"] = Value::from(share);
    v["started_at"] = Value::from(format!("2026-03-{day:02}T09:30:00Z"));
    std::fs::write(&path, serde_json::to_string_pretty(&v).expect("json")).expect("write");
}

#[test]
fn history_shows_saved_calls_and_the_trend() {
    let data = tempfile::tempdir().expect("tempdir");
    run_demo(data.path());
    let first = session_dirs(data.path()).remove(0);
    let sessions = data.path().join("sessions");
    // Eight calls on eight days, hold rate rising from 40% to 75% and more.
    let plan = [
        (2, 2, 3, 0.62),
        (3, 2, 3, 0.60),
        (4, 2, 3, 0.60),
        (5, 2, 3, 0.58),
        (6, 3, 1, 0.50),
        (7, 3, 1, 0.48),
        (8, 3, 1, 0.48),
        (9, 3, 1, 0.46),
    ];
    // Folders named out of date order: history sorts by start time.
    for (i, &(day, held, broken, share)) in plan.iter().enumerate() {
        let dir = sessions.join(format!("call-{:02}", 20 - i));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::copy(first.join("report.json"), dir.join("report.json")).expect("copy");
        edit_report(&dir, day, held, broken, share);
    }
    std::fs::remove_dir_all(&first).expect("remove");
    // An unreadable report, an old one without the figures, and a folder without a report.
    let broken_dir = sessions.join("zz-broken");
    std::fs::create_dir_all(&broken_dir).expect("mkdir");
    std::fs::write(broken_dir.join("report.json"), "{ not json").expect("write");
    let old = sessions.join("zz-old");
    std::fs::create_dir_all(&old).expect("mkdir");
    std::fs::write(old.join("report.json"), r#"{"version": 0, "talk": 12}"#).expect("write");
    std::fs::create_dir_all(sessions.join("zz-empty")).expect("mkdir");

    let out = history(data.path(), 8, "UTC");
    let text = stdout(&out);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    for n in ["zz-broken", "zz-old", "zz-empty"] {
        assert!(
            err.lines()
                .any(|l| l.starts_with("note: skipped") && l.contains(n)),
            "{n}: {err}"
        );
    }
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("time"), "{text}");
    // Oldest first: a line per day, then a row per call.
    let days: Vec<&&str> = lines.iter().filter(|l| l.contains(" 2026-03-")).collect();
    assert_eq!(days.len(), 8, "{text}");
    assert!(
        days[0].starts_with("Monday 2026-03-02: 1 call, 2:32 on calls, held 2 of 5 pauses (40%)"),
        "{text}"
    );
    let rows: Vec<&&str> = lines.iter().filter(|l| l.starts_with("  09:30 ")).collect();
    assert_eq!(rows.len(), 8, "{text}");
    assert!(
        rows[0].contains("call-20") && rows[0].contains("40% 2/5"),
        "{text}"
    );
    assert!(
        rows[7].contains("call-13") && rows[7].contains("75% 3/4"),
        "{text}"
    );
    assert!(text.contains("Today:\n  No calls today yet."), "{text}");
    assert!(
        text.contains("You are holding more silences: hold rate 40% -> 75% over the last 8 calls"),
        "{text}"
    );
    assert!(
        text.contains("You are talking less: talk share 60% -> 48% over the last 8 calls"),
        "{text}"
    );
    assert!(text.contains("Your longest monologue is steady"), "{text}");

    // --last limits both the table and the trend.
    let text = stdout(&history(data.path(), 4, "UTC"));
    assert_eq!(
        text.lines().filter(|l| l.starts_with("  09:30 ")).count(),
        4
    );
    assert!(
        text.contains("Your hold rate is steady at about 75% over the last 4 calls"),
        "{text}"
    );

    // TACET_DATA_DIR is honoured too.
    let out = std::process::Command::new(tacet_bin())
        .args(["history", "--last", "2"])
        .env("TACET_DATA_DIR", data.path())
        .env("TZ", "UTC")
        .output()
        .expect("run");
    assert!(out.status.success());
    assert_eq!(
        stdout(&out)
            .lines()
            .filter(|l| l.starts_with("  09:30 "))
            .count(),
        2
    );
}

/// `tacet history --last N` in the time zone `tz`.
fn history(data: &Path, last: usize, tz: &str) -> std::process::Output {
    std::process::Command::new(tacet_bin())
        .args([
            "--data-dir",
            data.to_str().expect("path"),
            "history",
            "--last",
        ])
        .arg(last.to_string())
        .env_remove("TACET_DATA_DIR")
        .env("TZ", tz)
        .output()
        .expect("run tacet history")
}

/// Calls are grouped by the rep's own day, and today is set against the days before.
#[test]
fn history_groups_calls_by_the_reps_day_and_sets_today_against_before() {
    let data = tempfile::tempdir().expect("tempdir");
    run_demo(data.path());
    let first = session_dirs(data.path()).remove(0);
    let sessions = data.path().join("sessions");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    // Two calls an hour apart either side of midnight UTC, three days ago, and two calls
    // today (one and two minutes ago) holding more silences than the earlier ones.
    let midnight = (now / 86_400 - 2) * 86_400;
    let plan = [
        (midnight - 1800, 1, 3),
        (midnight + 1800, 1, 3),
        (now - 120, 3, 1),
        (now - 60, 3, 1),
    ];
    for (i, &(at_s, held, broken)) in plan.iter().enumerate() {
        let dir = sessions.join(format!("call-{i}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::copy(first.join("report.json"), dir.join("report.json")).expect("copy");
        edit_report(&dir, 1, held, broken, 0.5);
        let path = dir.join("report.json");
        let mut v: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        v["started_at"] = Value::from(tacet::session::store::iso8601_utc(
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(at_s),
        ));
        std::fs::write(&path, v.to_string()).expect("write");
    }
    std::fs::remove_dir_all(&first).expect("remove");
    let day_lines = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.contains(" call") && l.contains(" on calls"))
            .map(str::to_string)
            .collect()
    };
    // In UTC the two old calls fall on two days; five hours west of it, on one.
    let utc = stdout(&history(data.path(), 10, "UTC"));
    let days = day_lines(&utc);
    assert_eq!(days.len(), 3, "{utc}");
    assert!(
        days[0].contains(": 1 call,") && days[1].contains(": 1 call,"),
        "{utc}"
    );
    assert!(days[2].contains(", today: 2 calls,"), "{utc}");
    let west = stdout(&history(data.path(), 10, "EST5"));
    let days = day_lines(&west);
    assert!(days[0].contains(": 2 calls,"), "{west}");
    assert!(
        utc.contains(
            "You are holding more silences today: hold rate 75% against 25% over your 2 earlier calls."
        ),
        "{utc}"
    );
}

#[test]
fn history_without_sessions_and_bad_usage() {
    let data = tempfile::tempdir().expect("tempdir");
    let out = tacet(&["--data-dir", data.path().to_str().expect("path"), "history"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("No saved calls"), "{}", stdout(&out));
    let out = tacet(&["history", "--last", "0"]);
    assert_eq!(out.status.code(), Some(2));
    let out = tacet(&["history", "--help"]);
    assert!(stdout(&out).contains("tacet history --last 20"));
}
