//! Nothing measured is lost: SIGINT, SIGTERM and SIGHUP sent to a running session end it
//! with its report saved.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

fn stop_with(signal: i32, name: &str) {
    let data = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tacet"))
        .args(["--data-dir", data.path().to_str().expect("p"), "replay"])
        .arg(demo_wav())
        .args(["--no-ui", "--speed", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tacet");
    // Wait for the first events (the rep starts speaking at 0.5 s of audio).
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    assert!(
        first.contains("speech_start"),
        "{name}: first event {first}"
    );
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill() with a pid of our own child and a valid signal number.
    let rc = unsafe { libc::kill(pid, signal) };
    assert_eq!(rc, 0, "{name}: kill failed");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "{name}: tacet did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    for _ in lines {}
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    assert_eq!(status.code(), Some(0), "{name}: {err}");
    assert!(err.contains("saved: "), "{name}: {err}");
    let sessions: Vec<_> = std::fs::read_dir(data.path().join("sessions"))
        .expect("sessions folder")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(sessions.len(), 1, "{name}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sessions[0].path().join("report.json")).expect("report.json"),
    )
    .expect("report parses");
    let duration = report["duration_s"].as_f64().expect("duration");
    assert!(
        duration > 0.4 && duration < 100.0,
        "{name}: duration {duration}"
    );
    assert!(sessions[0].path().join("report.html").exists());
}

#[test]
fn sigterm_saves_the_report() {
    stop_with(libc::SIGTERM, "SIGTERM");
}

#[test]
fn sigint_saves_the_report() {
    stop_with(libc::SIGINT, "SIGINT");
}

#[test]
fn sighup_saves_the_report() {
    stop_with(libc::SIGHUP, "SIGHUP");
}

#[test]
fn report_names_never_escape_the_output_folder() {
    let inputs = [
        "../../x.wav",
        "/etc/passwd",
        "..",
        "a/../../b.wav",
        ".hidden.wav",
        "",
        "../.x/..y/passwd.wav",
    ];
    let paths: Vec<&std::path::Path> = inputs.iter().map(std::path::Path::new).collect();
    let names = tacet::cli::batch::report_names(&paths, tacet::report::Format::Json);
    assert_eq!(names.len(), inputs.len());
    let out = std::path::Path::new("/tmp/reports");
    for (input, name) in inputs.iter().zip(&names) {
        assert_eq!(out.join(name).parent(), Some(out), "{input} -> {name}");
        assert!(
            !name.starts_with('.') && !name.contains('/') && !name.contains('\\'),
            "{input} -> {name}"
        );
    }
    let unique: std::collections::HashSet<_> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "{names:?}");
}
