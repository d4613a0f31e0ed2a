//! Live capture with real audio through a sound server: a known call played into the
//! fake devices of `.ci/audio-up.sh` gives the report `tacet analyze` gives for the same
//! audio, the recording reproduces the live report (and `--clips` embeds the clips that
//! analyze of the recording embeds), killing the sound server ends the session with exit
//! code 4 after saving, an overloaded machine loses no audio uncounted and keeps the
//! timeline (these with `--no-split`: one report for the session), and a working day
//! played through it is saved call by call, the last one at Ctrl-C. Skipped (with a
//! printed reason) where no sound server answers; a failure when CI=true.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;

/// Held by the tests whose checks have time windows while they run `tacet live`: the
/// overload test's busy loops must not run beside them.
static LIVE_AUDIO: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn live_audio_lock() -> std::sync::MutexGuard<'static, ()> {
    LIVE_AUDIO
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether the sound server of `.ci/audio-up.sh` answers; prints why not and panics in CI.
fn sound_server(test: &str) -> bool {
    let ok = std::env::var_os("PULSE_SERVER").is_some()
        && Command::new("pactl")
            .arg("info")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        let why = "no sound server: PULSE_SERVER unset or 'pactl info' fails (start one with '. .ci/audio-up.sh')";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{test}: {why}");
        }
        eprintln!("SKIPPED {test}: {why}");
    }
    ok
}

/// Starts `tacet ARGS` and waits until it says it is capturing. Returns the child, the
/// stderr lines so far and the receiver of the rest.
fn start_live(args: &[&str], env: &[(&str, &str)]) -> (Child, Vec<String>, mpsc::Receiver<String>) {
    let (child, seen, rx, _) = start_live_with(args, env, false);
    (child, seen, rx)
}

/// Each line of `from`, sent on a channel as it comes.
fn lines_of(from: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// [`start_live`], and with `events` the receiver of its stdout's lines (the JSON events
/// of `--no-ui`) too.
fn start_live_with(
    args: &[&str],
    env: &[(&str, &str)],
    events: bool,
) -> (
    Child,
    Vec<String>,
    mpsc::Receiver<String>,
    Option<mpsc::Receiver<String>>,
) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tacet"));
    cmd.args(args)
        .stdout(if events {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(Stdio::piped())
        .env_remove("TACET_DATA_DIR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start tacet live");
    let rx = lines_of(child.stderr.take().expect("stderr"));
    let out = child.stdout.take().map(lines_of);
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.starts_with("capturing:") => {
                seen.push(line);
                break;
            }
            Ok(line) => seen.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("tacet live did not start capturing: {seen:?}");
            }
        }
    }
    (child, seen, rx, out)
}

/// Waits for the child to end (at most `limit`) and returns its exit code and the rest of
/// its stderr, read to the end (the reader's channel closes when the pipe does).
fn finish(mut child: Child, rx: &mpsc::Receiver<String>, limit: Duration) -> (i32, String) {
    let deadline = Instant::now() + limit;
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code().unwrap_or(-1);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let said: Vec<String> = rx.try_iter().collect();
            panic!("tacet live did not end within {limit:?}; it said: {said:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut text = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => text.push(line),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("tacet's stderr still open 10 s after it ended: {text:?}")
            }
        }
    }
    (code, text.join("\n"))
}

/// Seconds of audio in the recording being written under `data/recordings` (0 before it
/// exists). The recorder writes frames as they are analysed, so this is how far the
/// session's sample clock has got (to within its write buffer of a few frames).
fn recorded_s(data: &Path) -> f64 {
    /// More than any WAV header hound writes.
    const HEADER_MAX_BYTES: u64 = 100;
    /// 16 kHz, two channels of 32-bit float.
    const BYTES_PER_S: f64 = 16_000.0 * 2.0 * 4.0;
    let Ok(dir) = std::fs::read_dir(data.join("recordings")) else {
        return 0.0;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len().saturating_sub(HEADER_MAX_BYTES) as f64 / BYTES_PER_S)
        .fold(0.0, f64::max)
}

/// Waits until the session has recorded (so captured and analysed) at least `seconds` of
/// audio; fails after `limit` with what tacet said.
fn wait_recorded(
    data: &Path,
    seconds: f64,
    limit: Duration,
    child: &mut Child,
    seen: &[String],
) -> f64 {
    let deadline = Instant::now() + limit;
    loop {
        let got = recorded_s(data);
        if got >= seconds {
            return got;
        }
        if Instant::now() > deadline || child.try_wait().is_ok_and(|s| s.is_some()) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the session recorded {got:.2} s, not {seconds:.2} s, within {limit:?}: {seen:?}"
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends `signal` to the child.
fn send_signal(child: &Child, signal: i32) {
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: kill() on our own child with a valid signal number.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
}

fn first_speech(report: &Value) -> f64 {
    report["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .map(|s| s["start_s"].as_f64().expect("start"))
        .fold(f64::INFINITY, f64::min)
}

fn pause_starts(report: &Value) -> Vec<f64> {
    let t0 = first_speech(report);
    report["pauses"]
        .as_array()
        .expect("pauses")
        .iter()
        .map(|p| p["start_s"].as_f64().expect("start") - t0)
        .collect()
}

fn talk(report: &Value, party: &str) -> f64 {
    report[party]["talk_s"].as_f64().expect("talk_s")
}

/// Pauses that end before `until_s` (after the first speech): the live session also holds
/// trailing silence after playback ends, which makes one more (trailing) pause.
fn pauses_before(report: &Value, until_s: f64) -> Vec<f64> {
    let t0 = first_speech(report);
    report["pauses"]
        .as_array()
        .expect("pauses")
        .iter()
        .filter(|p| p["end_s"].as_f64().is_some_and(|e| e - t0 < until_s))
        .map(|p| p["start_s"].as_f64().expect("start") - t0)
        .collect()
}

fn write_sides(dir: &Path, seconds: f64) -> (PathBuf, PathBuf) {
    let (chans, rate) = read_wav(&demo_wav());
    let n = (seconds * f64::from(rate)) as usize;
    let rep = dir.join("rep.wav");
    let prospect = dir.join("prospect.wav");
    write_wav(&rep, &[chans[0][..n].to_vec()], rate, 16, false);
    write_wav(&prospect, &[chans[1][..n].to_vec()], rate, 16, false);
    (rep, prospect)
}

#[test]
fn live_capture_of_a_played_call_matches_analyze_and_its_recording() {
    if !sound_server("live_capture_of_a_played_call_matches_analyze_and_its_recording") {
        return;
    }
    let _live = live_audio_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let (rep, prospect) = write_sides(dir.path(), 25.0);
    let data = dir.path().join("data");
    let live_json = dir.path().join("live.json");
    // The session runs until the test stops it (60 s is only a bound): a fixed length
    // would cut the call short whenever playback started late.
    let (mut child, seen, rx) = start_live(
        &[
            "--data-dir",
            data.to_str().expect("path"),
            "live",
            "--mic",
            "alsa:mic",
            "--far",
            "alsa:farend",
            "--no-split",
            "--no-ui",
            "--duration",
            "60",
            "--record",
            "--clips",
            "--format",
            "json",
            "-o",
            live_json.to_str().expect("path"),
        ],
        &[],
    );
    // Both streams deliver once frames are being recorded.
    wait_recorded(&data, 0.2, Duration::from_secs(15), &mut child, &seen);
    let play = |dev: &str, file: &Path| {
        Command::new("paplay")
            .args(["-d", dev])
            .arg(file)
            .spawn()
            .expect("paplay")
    };
    let mut a = play("mic_feed", &rep);
    let mut b = play("softphone", &prospect);
    assert!(a.wait().expect("paplay").success());
    assert!(b.wait().expect("paplay").success());
    // paplay returns once the sinks have played everything; two more seconds on the
    // session's own clock and the monitors have delivered it all.
    let played = recorded_s(&data);
    wait_recorded(
        &data,
        played + 2.0,
        Duration::from_secs(20),
        &mut child,
        &seen,
    );
    send_signal(&child, libc::SIGTERM);
    let (code, err) = finish(child, &rx, Duration::from_secs(40));
    let err = format!("{}\n{err}", seen.join("\n"));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Recording both sides: make sure everyone on the call has agreed."),
        "{err}"
    );

    let live: Value =
        serde_json::from_str(&std::fs::read_to_string(&live_json).expect("live report"))
            .expect("json");
    let offline = analyze_json(&[
        "--rep",
        rep.to_str().expect("path"),
        "--prospect",
        prospect.to_str().expect("path"),
    ]);
    for party in ["rep", "prospect"] {
        let (l, o) = (talk(&live, party), talk(&offline, party));
        assert!(
            (l - o).abs() <= 0.03 * o,
            "{party} talk: live {l:.2} s, analyze {o:.2} s"
        );
    }
    // Compare the pauses inside the played call (the live one also has the silence after).
    let span = 24.0 - first_speech(&offline);
    let (lp, op) = (pauses_before(&live, span), pauses_before(&offline, span));
    assert_eq!(
        lp.len(),
        op.len(),
        "pauses: live {lp:?} vs analyze {op:?} (all live: {:?})",
        pause_starts(&live)
    );
    // Within 150 ms: the captured audio went through the sound server at 48 kHz and the
    // far end's drift trim, and in some runs the detector ends the speech before the pause
    // at 16.2 s eleven frames earlier on it (16.09 s) than on the file.
    for (l, o) in lp.iter().zip(&op) {
        assert!(
            (l - o).abs() < 0.15,
            "pause start: live {l:.3} s, analyze {o:.3} s"
        );
    }

    // The recording holds the samples exactly as analysed: analysing it gives the same report.
    let recording = err
        .lines()
        .find_map(|l| l.strip_prefix("recording: "))
        .map(PathBuf::from)
        .expect("recording path printed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&recording)
            .expect("recording")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = analyze_json(&[recording.to_str().expect("path")]);
    assert_eq!(live["duration_s"], again["duration_s"]);
    // The same frames give the same report: every figure, segment and pause, to the
    // sample. Only where the audio came from (and what the devices dropped before it
    // became frames) differs.
    let comparable = |report: &Value| {
        let mut r = report.clone();
        if let Some(o) = r.as_object_mut() {
            o.remove("source");
            o.remove("started_at");
        }
        for party in ["rep", "prospect"] {
            if let Some(o) = r[party].as_object_mut() {
                o.remove("dropped_s");
            }
        }
        r
    };
    assert_eq!(comparable(&live), comparable(&again));

    // --clips: the saved page has a clip of each moment, cut from the recording, the very
    // clips that analyze of the recording embeds.
    let sessions: Vec<PathBuf> = std::fs::read_dir(data.join("sessions"))
        .expect("sessions")
        .filter_map(Result::ok)
        .map(|e| e.path().join("report.html"))
        .collect();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let page = std::fs::read_to_string(&sessions[0]).expect("report.html");
    let clips = crate::clips::audio_elements(&page);
    let moments = live["moments"].as_array().expect("moments").len();
    assert!(moments > 0);
    assert_eq!(clips.len(), moments, "a clip of each moment");
    assert!(page.contains("This page holds the call's audio"));
    let offline_page = dir.path().join("recording.html");
    let out = tacet(&[
        "analyze",
        recording.to_str().expect("path"),
        "--clips",
        "-o",
        offline_page.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let offline_clips =
        crate::clips::audio_elements(&std::fs::read_to_string(&offline_page).expect("page"));
    assert_eq!(clips.len(), offline_clips.len());
    for (a, b) in clips.iter().zip(&offline_clips) {
        assert!(a.flac == b.flac, "the live clip at {} s differs", a.start_s);
    }
}

/// A private PulseAudio with two null sinks, killed by the test.
struct PrivateServer {
    child: Child,
    keep: Vec<Child>,
    server: String,
    _dir: tempfile::TempDir,
}

impl PrivateServer {
    fn start() -> PrivateServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let sock = dir.path().join("pulse.sock");
        let pa = dir.path().join("t.pa");
        std::fs::write(
            &pa,
            format!(
                "load-module module-native-protocol-unix auth-anonymous=1 socket={}\n\
                 load-module module-null-sink sink_name=lossmic rate=48000 channels=1\n\
                 load-module module-null-sink sink_name=lossfar rate=48000 channels=2\n\
                 set-default-sink lossfar\n",
                sock.display()
            ),
        )
        .expect("write pa");
        let child = Command::new("pulseaudio")
            .args([
                "--daemonize=no",
                "--use-pid-file=no",
                "-n",
                "--exit-idle-time=-1",
            ])
            .arg("-F")
            .arg(&pa)
            .arg(format!(
                "--log-target=file:{}",
                dir.path().join("pulse.log").display()
            ))
            .env("HOME", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pulseaudio");
        let server = format!("unix:{}", sock.display());
        let deadline = Instant::now() + Duration::from_secs(30);
        while !Command::new("pactl")
            .arg("info")
            .env("PULSE_SERVER", &server)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            assert!(
                Instant::now() < deadline,
                "private pulseaudio did not answer within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let keep = [("lossmic", "1"), ("lossfar", "2")]
            .iter()
            .map(|(sink, ch)| {
                Command::new("pacat")
                    .args([
                        "--playback",
                        "--raw",
                        "--format=s16le",
                        "--rate=48000",
                        &format!("--channels={ch}"),
                        "--latency-msec=10",
                        "-d",
                        sink,
                        "/dev/zero",
                    ])
                    .env("PULSE_SERVER", &server)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("pacat")
            })
            .collect();
        PrivateServer {
            child,
            keep,
            server,
            _dir: dir,
        }
    }
}

impl PrivateServer {
    /// Waits until both sinks run at a low latency: a fresh null sink first plays out a
    /// 2 s block, and rewinds eat the start of what is played meanwhile.
    fn wait_low_latency(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let out = Command::new("pactl")
                .args(["list", "sinks"])
                .env("PULSE_SERVER", &self.server)
                .output()
                .expect("pactl");
            let text = String::from_utf8_lossy(&out.stdout);
            let latencies: Vec<f64> = text
                .lines()
                .filter_map(|l| l.trim().strip_prefix("Latency:"))
                .filter_map(|l| l.split_whitespace().next()?.parse().ok())
                .collect();
            if latencies.len() >= 2 && latencies.iter().all(|&us| us < 50_000.0) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the private server's sinks stay at latencies {latencies:?} us"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        for k in &mut self.keep {
            let _ = k.kill();
            let _ = k.wait();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn killing_the_sound_server_ends_the_session_with_exit_4_after_saving() {
    if !sound_server("killing_the_sound_server_ends_the_session_with_exit_4_after_saving") {
        return;
    }
    let mut server = PrivateServer::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let (mut child, seen, rx) = start_live(
        &[
            "--data-dir",
            data.to_str().expect("path"),
            "live",
            "--mic",
            "pulseaudio:lossmic.monitor",
            "--far",
            "pulseaudio:lossfar.monitor",
            "--no-split",
            "--no-ui",
            "--record",
            "--duration",
            "60",
        ],
        &[("PULSE_SERVER", &server.server)],
    );
    wait_recorded(&data, 1.0, Duration::from_secs(15), &mut child, &seen);
    let _ = server.child.kill();
    let _ = server.child.wait();
    let (code, err) = finish(child, &rx, Duration::from_secs(20));
    let err = format!("{}\n{err}", seen.join("\n"));
    assert_eq!(code, 4, "{err}");
    assert!(
        err.contains("pulseaudio:lossmic.monitor") || err.contains("pulseaudio:lossfar.monitor"),
        "the message names the device: {err}"
    );
    assert!(err.contains("saved: "), "{err}");
    let sessions: Vec<_> = std::fs::read_dir(data.join("sessions"))
        .expect("sessions folder")
        .filter_map(Result::ok)
        .collect();
    assert_eq!(sessions.len(), 1);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(sessions[0].path().join("report.json")).expect("report"),
    )
    .expect("json");
    assert!(report["duration_s"].as_f64().expect("duration") > 0.5);
}

/// The one report saved under `data/sessions`.
fn saved_report(data: &Path, err: &str) -> Value {
    let sessions: Vec<PathBuf> = std::fs::read_dir(data.join("sessions"))
        .expect("sessions folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert_eq!(sessions.len(), 1, "{err}");
    serde_json::from_str(
        &std::fs::read_to_string(sessions[0].join("report.json")).expect("report.json"),
    )
    .expect("report parses")
}

/// Checks the report's one warning: `device_stalled`, for `party`, naming `device`.
fn assert_stalled(report: &Value, party: &Value, device: &str) {
    let warnings = report["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["code"], "device_stalled", "{warnings:?}");
    assert_eq!(&warnings[0]["party"], party, "{warnings:?}");
    let message = warnings[0]["message"].as_str().expect("message");
    assert!(message.contains(device), "{message}");
}

/// ALSA's `null` device hands out zeros as fast as they are asked for: no clock paces it,
/// and none of it is sound. Before, a session on it ran for as long as it was let, its
/// sample clock hours ahead of the time that had passed and its drop counter further still.
#[test]
fn a_device_with_no_clock_ends_the_session_at_once_with_exit_4_and_a_warning() {
    if !sound_server("a_device_with_no_clock_ends_the_session_at_once_with_exit_4_and_a_warning") {
        return;
    }
    let server = PrivateServer::start();
    let cases: [(&[&str], Value); 2] = [
        (
            &[
                "--stereo",
                "alsa:null",
                "--rep-channel",
                "0",
                "--prospect-channel",
                "1",
            ],
            Value::Null,
        ),
        (
            &["--mic", "alsa:null", "--far", "pulseaudio:lossfar.monitor"],
            Value::from("rep"),
        ),
    ];
    for (devices, party) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let mut args = vec!["--data-dir", data.to_str().expect("path"), "live"];
        args.extend_from_slice(devices);
        args.extend_from_slice(&["--no-split", "--no-ui", "--duration", "20"]);
        let (child, seen, rx) = start_live(&args, &[("PULSE_SERVER", &server.server)]);
        let capturing = Instant::now();
        let (code, err) = finish(child, &rx, Duration::from_secs(20));
        let took = capturing.elapsed();
        let err = format!("{}\n{err}", seen.join("\n"));
        assert_eq!(code, 4, "{devices:?}: {err}");
        assert!(
            took < Duration::from_secs(2),
            "{devices:?}: {took:?}: {err}"
        );
        assert!(
            err.contains("audio device 'alsa:null'"),
            "the message names the device: {err}"
        );
        assert!(err.contains("saved: "), "{err}");
        let report = saved_report(&data, &err);
        assert_stalled(&report, &party, "alsa:null");
        // Nothing beyond what real time allows entered the timeline, and what the device
        // could not hand over is not counted as lost audio.
        let duration = report["duration_s"].as_f64().expect("duration");
        assert!(duration < 3.5, "{devices:?}: duration {duration} s");
        for side in ["rep", "prospect"] {
            assert_eq!(report[side]["dropped_s"], 0.0, "{devices:?}: {report}");
        }
    }
}

/// A sound server that stops answering (SIGSTOP) stalls the microphone's stream: no error,
/// no more audio. The far end, on another server, goes on. The session ends within 2 s with
/// exit 4, the report saved with a `device_stalled` warning, and its sample clock stopped
/// with the microphone's last samples.
#[test]
fn a_stalled_device_ends_the_session_within_2_s_with_exit_4_and_a_warning() {
    if !sound_server("a_stalled_device_ends_the_session_within_2_s_with_exit_4_and_a_warning") {
        return;
    }
    let _live = live_audio_lock();
    let stalling = PrivateServer::start();
    let steady = PrivateServer::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let asound = dir.path().join("asound.conf");
    std::fs::write(
        &asound,
        format!(
            "</usr/share/alsa/alsa.conf>\n\
             pcm.stallmic {{ type pulse; server \"{}\"; device \"lossmic.monitor\" }}\n\
             pcm.steadyfar {{ type pulse; server \"{}\"; device \"lossfar.monitor\" }}\n",
            stalling.server, steady.server
        ),
    )
    .expect("write asound.conf");
    let (mut child, seen, rx) = start_live(
        &[
            "--data-dir",
            data.to_str().expect("path"),
            "live",
            "--mic",
            "alsa:stallmic",
            "--far",
            "alsa:steadyfar",
            "--no-split",
            "--no-ui",
            "--record",
            "--duration",
            "60",
        ],
        &[("ALSA_CONFIG_PATH", asound.to_str().expect("path"))],
    );
    wait_recorded(&data, 1.0, Duration::from_secs(15), &mut child, &seen);
    let pid = i32::try_from(stalling.child.id()).expect("pid");
    let before_s = recorded_s(&data);
    // SAFETY: kill() on a child of this test with a valid signal number.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGSTOP) }, 0);
    let stopped = Instant::now();
    let (code, err) = finish(child, &rx, Duration::from_secs(20));
    let took = stopped.elapsed();
    // SAFETY: as above; the server is killed when dropped.
    unsafe { libc::kill(pid, libc::SIGCONT) };
    let err = format!("{}\n{err}", seen.join("\n"));
    assert_eq!(code, 4, "{err}");
    assert!(
        took < Duration::from_secs(2),
        "ended {took:?} after the stall: {err}"
    );
    assert!(
        err.contains("audio device 'alsa:stallmic'"),
        "the message names the device: {err}"
    );
    assert!(err.contains("saved: "), "{err}");
    let report = saved_report(&data, &err);
    assert_stalled(&report, &Value::from("rep"), "alsa:stallmic");
    // The far end delivered for another second, but the call's clock went no further than
    // the microphone's samples.
    let duration = report["duration_s"].as_f64().expect("duration");
    assert!(
        duration >= 1.0 && duration < before_s + 0.5,
        "duration {duration} s; {before_s:.2} s recorded when the server stopped"
    );
    let recordings: Vec<PathBuf> = std::fs::read_dir(data.join("recordings"))
        .expect("recordings")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert_eq!(recordings.len(), 1);
    let wav = hound::WavReader::open(&recordings[0]).expect("finalised WAV opens");
    let seconds = f64::from(wav.duration()) / f64::from(wav.spec().sample_rate);
    assert!(
        (seconds - duration).abs() < 0.05,
        "WAV {seconds} s vs report {duration} s"
    );
    drop(steady);
}

/// SIGINT, SIGTERM and SIGHUP during a recorded live session: it ends, the report is saved
/// and the recording's WAV header is finalised (the file opens and holds the audio).
#[test]
fn signals_during_live_save_the_report_and_finalise_the_recording() {
    if !sound_server("signals_during_live_save_the_report_and_finalise_the_recording") {
        return;
    }
    let _live = live_audio_lock();
    for (signal, name) in [
        (libc::SIGINT, "SIGINT"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGHUP, "SIGHUP"),
    ] {
        let data = tempfile::tempdir().expect("tempdir");
        let (mut child, seen, rx) = start_live(
            &[
                "--data-dir",
                data.path().to_str().expect("p"),
                "live",
                "--mic",
                "alsa:mic",
                "--far",
                "alsa:farend",
                "--no-split",
                "--no-ui",
                "--record",
                "--duration",
                "60",
            ],
            &[],
        );
        wait_recorded(data.path(), 1.0, Duration::from_secs(15), &mut child, &seen);
        send_signal(&child, signal);
        let (code, err) = finish(child, &rx, Duration::from_secs(20));
        assert_eq!(code, 0, "{name}: {err}");
        let sessions: Vec<PathBuf> = std::fs::read_dir(data.path().join("sessions"))
            .expect("sessions")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        assert_eq!(sessions.len(), 1, "{name}: {err}");
        let report: Value = serde_json::from_str(
            &std::fs::read_to_string(sessions[0].join("report.json")).expect("report.json"),
        )
        .expect("report parses");
        let duration = report["duration_s"].as_f64().expect("duration");
        assert!(
            (0.5..30.0).contains(&duration),
            "{name}: duration {duration}"
        );
        let recordings: Vec<PathBuf> = std::fs::read_dir(data.path().join("recordings"))
            .expect("recordings")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        assert_eq!(recordings.len(), 1, "{name}");
        let wav = hound::WavReader::open(&recordings[0]).expect("finalised WAV opens");
        let seconds = f64::from(wav.duration()) / f64::from(wav.spec().sample_rate);
        assert!(
            (seconds - duration).abs() < 0.05,
            "{name}: WAV {seconds} s vs report {duration} s"
        );
    }
}

/// A channel the stereo device does not have is bad usage (exit 2), named by its flag.
#[test]
fn a_channel_the_device_lacks_exits_2_naming_the_flag() {
    if !sound_server("a_channel_the_device_lacks_exits_2_naming_the_flag") {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = tacet(&[
        "--data-dir",
        dir.path().to_str().expect("path"),
        "live",
        "--stereo",
        "alsa:farend",
        "--rep-channel",
        "0",
        "--prospect-channel",
        "5",
        "--no-ui",
        "--duration",
        "1",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("channel 5") && err.contains("--prospect-channel"),
        "{err}"
    );
}

/// A played side: a quiet tone throughout (so lost audio, which the session puts on its
/// timeline as zeros, shows as exact silence) and a loud burst of `burst_hz` every 2 s,
/// the first at `first_s`.
fn bursts_wav(path: &Path, seconds: f64, first_s: f64, burst_hz: f64) {
    let rate = 48_000.0;
    let n = (seconds * rate) as usize;
    let samples = (0..n)
        .map(|i| {
            let t = i as f64 / rate;
            let bed = 0.05 * (2.0 * std::f64::consts::PI * 220.0 * t).sin();
            let k = (t - first_s) / 2.0;
            let burst = if k >= 0.0 && k.fract() * 2.0 < 0.4 {
                0.5 * (2.0 * std::f64::consts::PI * burst_hz * t).sin()
            } else {
                0.0
            };
            (bed + burst) as f32
        })
        .collect();
    write_wav(path, &[samples], 48_000, 16, false);
}

/// What a recorded side shows of a [`bursts_wav`] file: where the played audio starts and
/// ends, the runs of exact silence inside it (at least 10 ms), and the burst onsets, all
/// in seconds of the recording.
#[derive(Debug)]
struct Played {
    start_s: f64,
    end_s: f64,
    silences: Vec<(f64, f64)>,
    onsets: Vec<f64>,
}

fn played(side: &[f32]) -> Played {
    let rate = 16_000.0;
    let sound = |v: &f32| v.abs() > 1e-4;
    let first = side.iter().position(sound).expect("played audio recorded");
    let last = side.iter().rposition(sound).unwrap_or(first);
    let mut silences = Vec::new();
    let mut run_from = None;
    for (i, v) in side.iter().enumerate().take(last + 1).skip(first) {
        match (v.abs() < 1e-6, run_from) {
            (true, None) => run_from = Some(i),
            (false, Some(from)) => {
                if i - from >= 160 {
                    silences.push((from as f64 / rate, i as f64 / rate));
                }
                run_from = None;
            }
            _ => {}
        }
    }
    let mut onsets = Vec::new();
    let mut quiet = usize::MAX;
    for (i, v) in side.iter().enumerate().take(last + 1).skip(first) {
        if v.abs() > 0.25 {
            if quiet > 4_800 {
                onsets.push(i as f64 / rate);
            }
            quiet = 0;
        } else {
            quiet = quiet.saturating_add(1);
        }
    }
    Played {
        start_s: first as f64 / rate,
        end_s: last as f64 / rate,
        silences,
        onsets,
    }
}

/// Busy loops on every core until `stop` is set.
fn overload(
    stop: &std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Vec<std::thread::JoinHandle<()>> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (0..cores)
        .map(|_| {
            let stop = std::sync::Arc::clone(stop);
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    for _ in 0..10_000 {
                        x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005) + 1);
                    }
                }
            })
        })
        .collect()
}

/// The machine overloaded during a live session on the native PulseAudio route (the one
/// whose client thread reads the server every 50 ms, on a sound server of its own): busy
/// loops on every core for 12 s, and within them tacet itself stopped for 3 s (SIGSTOP),
/// so its client falls seconds behind the sound server. Whatever is lost must be counted in `dropped_s` and stand on
/// the timeline as silence: the session's duration keeps up with the wall clock, the
/// played 20 s are 20 s of the recording, every burst is where it was played, and the
/// silence inside the played audio is what `dropped_s` says. (Before cpal's record buffer
/// was left to the server, the stop lost about 2.7 s of 3 s in the sound server, unseen.)
#[test]
fn live_audio_under_overload_loses_nothing_uncounted_and_keeps_the_timeline() {
    let name = "live_audio_under_overload_loses_nothing_uncounted_and_keeps_the_timeline";
    if !sound_server(name) {
        return;
    }
    let _live = live_audio_lock();
    // A sound server of its own: nothing else plays into its sinks.
    let server = PrivateServer::start();
    server.wait_low_latency();
    let dir = tempfile::tempdir().expect("tempdir");
    let (rep, far) = (dir.path().join("rep.wav"), dir.path().join("far.wav"));
    bursts_wav(&rep, 20.0, 1.0, 1_000.0);
    bursts_wav(&far, 20.0, 2.0, 700.0);
    let data = dir.path().join("data");
    let json = dir.path().join("live.json");
    let (mut child, seen, rx) = start_live(
        &[
            "--data-dir",
            data.to_str().expect("path"),
            "live",
            "--mic",
            "pulseaudio:lossmic.monitor",
            "--far",
            "pulseaudio:lossfar.monitor",
            "--no-split",
            "--no-ui",
            "--duration",
            "120",
            "--record",
            "--format",
            "json",
            "-o",
            json.to_str().expect("path"),
        ],
        &[("PULSE_SERVER", &server.server)],
    );
    wait_recorded(&data, 0.2, Duration::from_secs(15), &mut child, &seen);
    // When the session's clock started, on the wall clock (to within the recorder's write
    // buffer): a stream can take a while to start delivering after "capturing:".
    let capturing = Instant::now() - Duration::from_secs_f64(recorded_s(&data));
    let play = |dev: &str, file: &Path| {
        Command::new("paplay")
            .args(["-d", dev])
            .arg(file)
            .env("PULSE_SERVER", &server.server)
            .spawn()
            .expect("paplay")
    };
    let mut a = play("lossmic", &rep);
    let mut b = play("lossfar", &far);
    std::thread::sleep(Duration::from_secs(2));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let loops = overload(&stop);
    std::thread::sleep(Duration::from_secs(3));
    send_signal(&child, libc::SIGSTOP);
    std::thread::sleep(Duration::from_secs(3));
    send_signal(&child, libc::SIGCONT);
    std::thread::sleep(Duration::from_secs(6));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for l in loops {
        let _ = l.join();
    }
    assert!(a.wait().expect("paplay").success());
    assert!(b.wait().expect("paplay").success());
    // paplay returns once the sinks have played everything; the monitors deliver the
    // rest within 1.5 s of the session's own clock.
    let played_s = recorded_s(&data);
    wait_recorded(
        &data,
        played_s + 1.5,
        Duration::from_secs(30),
        &mut child,
        &seen,
    );
    // The session's clock (samples captured plus samples lost) catches up with the wall
    // clock once the client has read what waited in the server: nothing vanished unseen.
    let behind_s = 0.5;
    let caught_up = capturing.elapsed().as_secs_f64() - behind_s;
    wait_recorded(&data, caught_up, Duration::from_secs(30), &mut child, &seen);
    let wall_s = capturing.elapsed().as_secs_f64();
    send_signal(&child, libc::SIGTERM);
    let (code, err) = finish(child, &rx, Duration::from_secs(40));
    let err = format!("{}\n{err}", seen.join("\n"));
    assert_eq!(code, 0, "{err}");

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("report")).expect("json");
    let duration_s = report["duration_s"].as_f64().expect("duration_s");
    assert!(
        (duration_s - wall_s).abs() < 0.5,
        "duration {duration_s:.3} s, captured for {wall_s:.3} s: {err}"
    );
    let recording = err
        .lines()
        .find_map(|l| l.strip_prefix("recording: "))
        .map(PathBuf::from)
        .expect("recording path printed");
    let mut reader = hound::WavReader::open(&recording).expect("recording");
    let mut sides = [Vec::new(), Vec::new()];
    for (i, s) in reader.samples::<f32>().enumerate() {
        sides[i % 2].push(s.expect("sample"));
    }
    assert!(
        (sides[0].len() as f64 / 16_000.0 - duration_s).abs() < 0.011,
        "recording {} samples, duration {duration_s} s",
        sides[0].len()
    );
    for (side, party, first_s) in [(0, "rep", 1.0), (1, "prospect", 2.0)] {
        let p = played(&sides[side]);
        let dropped_s = report[party]["dropped_s"].as_f64().expect("dropped_s");
        let what = format!("{party}: {p:?}, dropped {dropped_s} s");
        // The played 20 s are 20 s of the timeline, lost audio included.
        assert!(((p.end_s - p.start_s) - 20.0).abs() < 0.05, "{what}");
        // Silence inside the played audio is audio lost, and all of it is counted.
        let silent_s: f64 = p.silences.iter().map(|(a, b)| b - a).sum();
        assert!((silent_s - dropped_s).abs() < 0.03, "{what}");
        // Every burst that was not lost is where it was played: 2 s apart from the first.
        let t0 = p.start_s + first_s;
        let lost = |t: f64| {
            p.silences
                .iter()
                .any(|&(a, b)| t > a - 0.05 && t < b + 0.05)
        };
        let expected: Vec<f64> = (0..10)
            .map(|k| t0 + 2.0 * f64::from(k))
            .filter(|&t| t < p.end_s - 0.5 && !lost(t))
            .collect();
        assert!(expected.len() >= 5, "{what}");
        for t in &expected {
            assert!(
                p.onsets.iter().any(|o| (o - t).abs() < 0.04),
                "burst at {t:.3} s not found; {what}"
            );
        }
        eprintln!(
            "{name}: {party}: dropped {dropped_s:.3} s, silent {silent_s:.3} s, played {:.3} s, duration {duration_s:.3} s of {wall_s:.3} s",
            p.end_s - p.start_s
        );
    }
}

/// A short working day for `tacet live`, at 16 kHz, for a configuration with
/// `call_start_window_s = 4` and `call_end_silence_s = 5`: low noise throughout; at 4.5 s a
/// call (the demo call from 14.8 s to 21.1 s: the rep from 0.2 s, the prospect answering
/// at 3.5 s until the end); at 16.8 s a video on the prospect's side only (3 s of the demo's
/// prospect, speech from 0.3 s), which nobody answers; at 22.4 s the same call again. The
/// lead-in keeps whatever the start of playback sounds like through the sound server (a
/// stream's first moment can click like a word) out of the window of the call's first
/// words. Returns the channels.
fn short_day() -> Vec<Vec<f32>> {
    let (demo, rate) = read_wav(&demo_wav());
    assert_eq!(rate, 16_000);
    let s = |t: f64| (t * 16_000.0) as usize;
    let call = s(14.8)..s(21.1);
    let n = s(22.4) + call.len();
    let mut chans = vec![
        crate::split_calls::noise(n, 3),
        crate::split_calls::noise(n, 4),
    ];
    for (c, ch) in chans.iter_mut().enumerate() {
        for at in [s(4.5), s(22.4)] {
            for (y, x) in ch[at..at + call.len()]
                .iter_mut()
                .zip(&demo[c][call.clone()])
            {
                *y += x;
            }
        }
    }
    for (y, x) in chans[1][s(16.8)..s(19.8)]
        .iter_mut()
        .zip(&demo[1][s(18.0)..])
    {
        *y += x;
    }
    chans
}

/// A working day through the sound server into `tacet live --no-ui`: the call, the video
/// nobody answers and the second call give exactly two saved sessions. The first is saved
/// the moment it ends (nobody spoke for `call_end_silence_s`), while the session goes on;
/// the second is still going when Ctrl-C (SIGINT) comes, and is saved then. Each call
/// starts at its first speech and ends a pause after its last (windows, not exact times),
/// its recording holds exactly its frames (analysing it gives its report), and `-o` gets
/// the whole session as one report.
#[test]
fn a_live_day_saves_each_call_when_it_ends_and_the_last_at_ctrl_c() {
    let name = "a_live_day_saves_each_call_when_it_ends_and_the_last_at_ctrl_c";
    if !sound_server(name) {
        return;
    }
    let _live = live_audio_lock();
    let dir = tempfile::tempdir().expect("tempdir");
    let chans = short_day();
    let (rep, prospect) = (dir.path().join("rep.wav"), dir.path().join("prospect.wav"));
    write_wav(&rep, &chans[..1], 16_000, 16, false);
    write_wav(&prospect, &chans[1..], 16_000, 16, false);
    let config = dir.path().join("day.toml");
    std::fs::write(
        &config,
        "call_start_window_s = 4.0\ncall_end_silence_s = 5.0\n",
    )
    .expect("config");
    let data = dir.path().join("data");
    let whole = dir.path().join("whole.json");
    let (mut child, seen, rx, events) = start_live_with(
        &[
            "--config",
            config.to_str().expect("path"),
            "--data-dir",
            data.to_str().expect("path"),
            "live",
            "--mic",
            "alsa:mic",
            "--far",
            "alsa:farend",
            "--no-ui",
            "--record",
            "--duration",
            "120",
            "--format",
            "json",
            "-o",
            whole.to_str().expect("path"),
        ],
        &[],
        true,
    );
    let events = events.expect("events");
    // Let both streams start delivering; where the audio lands on the session's clock is
    // read back from the whole session's report.
    std::thread::sleep(Duration::from_millis(1500));
    let play = |dev: &str, file: &Path| {
        Command::new("paplay")
            .args(["-d", dev])
            .arg(file)
            .spawn()
            .expect("paplay")
    };
    let played = Instant::now();
    let mut a = play("mic_feed", &rep);
    let mut b = play("softphone", &prospect);
    // The first call ends 5 s after its last speech (at 10.8 s of the day): saved while
    // the day goes on, before the second call starts.
    let mut said = seen.clone();
    let first_saved = loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                let done = line.starts_with("call 1: ");
                said.push(line);
                if done {
                    break played.elapsed().as_secs_f64();
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("tacet ended: {said:?}"),
        }
        if played.elapsed() > Duration::from_secs(40) {
            let _ = child.kill();
            panic!("the first call was not saved within 40 s: {said:?}");
        }
    };
    assert!(
        (13.0..24.0).contains(&first_saved),
        "call 1 saved {first_saved:.1} s into the day: {said:?}"
    );
    // Ctrl-C once the session has heard the second call's last speech end (the prospect's,
    // 6.1 s after the call's first speech), on its own clock (the JSON events), and a pause
    // more: well within the end silence, whatever the machine's load does to playback.
    let mut second_start_s = None;
    let heard_end_s = loop {
        let line = match events.recv_timeout(Duration::from_secs(40)) {
            Ok(line) => line,
            Err(e) => {
                let _ = child.kill();
                panic!("no end of the second call's speech ({e}): {said:?}");
            }
        };
        let Ok(e) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if e["event"] == "call_start" && e["call"] == 2 {
            second_start_s = e["start_s"].as_f64();
        }
        if let Some(from) = second_start_s
            && e["event"] == "speech_end"
            && e["party"] == "prospect"
            && e["end_s"].as_f64().is_some_and(|t| t > from + 5.0)
        {
            break e["end_s"].as_f64().expect("end_s");
        }
    };
    let heard_at = Instant::now();
    std::thread::sleep(Duration::from_millis(1200));
    said.extend(rx.try_iter());
    assert_eq!(saved_calls(&data).len(), 1, "{said:?}");
    send_signal(&child, libc::SIGINT);
    let stopped_after = heard_at.elapsed().as_secs_f64();
    assert!(a.wait().expect("paplay").success());
    assert!(b.wait().expect("paplay").success());
    let (code, err) = finish(child, &rx, Duration::from_secs(30));
    let err = format!("{}\n{err}", said.join("\n"));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("call 2: from ") && err.contains("2 calls saved"),
        "{err}"
    );

    let whole: Value =
        serde_json::from_str(&std::fs::read_to_string(&whole).expect("whole report"))
            .expect("json");
    let calls = saved_calls(&data);
    assert_eq!(calls.len(), 2, "{err}");
    // What a call heard, for the messages: its speech (seconds of the call) and losses.
    let heard = |r: &Value| {
        let segments: Vec<String> = r["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .map(|s| format!("{} {}-{}", s["party"], s["start_s"], s["end_s"]))
            .collect();
        format!(
            "segments {segments:?}, dropped {} / {}",
            r["rep"]["dropped_s"], r["prospect"]["dropped_s"]
        )
    };
    // Where the day's first call starts on the session's clock: the rep's first words
    // (the whole session's first speech that lasts, 1.7 s; a click as playback starts
    // may come before it).
    let rep_first_s = whole["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .filter(|s| s["party"] == "rep")
        .filter_map(|s| Some((s["start_s"].as_f64()?, s["end_s"].as_f64()?)))
        .find(|(a, b)| b - a > 1.0)
        .map(|(a, _)| a)
        .expect("the rep's first words");
    for (k, (call, at)) in calls.iter().zip([0.0, 17.9]).enumerate() {
        let offset_s = call["offset_s"].as_f64().expect("offset_s");
        let duration_s = call["duration_s"].as_f64().expect("duration_s");
        let err = format!("{}; {err}", heard(call));
        let segments = call["segments"].as_array().expect("segments");
        let first = &segments[0];
        let last_end_s = segments
            .iter()
            .filter_map(|s| s["end_s"].as_f64())
            .fold(0.0, f64::max);
        // The call starts at the rep's first speech: where the day put it (the second
        // 17.9 s after the first, within 1 s: the sound server may skip or delay some of
        // what it plays when the machine is busy), and its report's first segment at its
        // start...
        assert!(
            (offset_s - (rep_first_s + at)).abs() < 1.0,
            "call {k}: starts at {offset_s:.2} s, the rep's first words at {:.2} s; {err}",
            rep_first_s + at
        );
        assert_eq!(first["party"], "rep", "call {k}: {err}");
        assert!(
            first["start_s"].as_f64().is_some_and(|t| t < 0.1),
            "call {k}: {err}"
        );
        // ...and ends a pause (1 s) after its last speech, which is the prospect's (until
        // about 6.1 s after the rep's first words).
        assert!(
            (duration_s - (last_end_s + 1.0)).abs() < 0.1,
            "call {k}: lasts {duration_s:.2} s, its last speech ends at {last_end_s:.2} s; {err}"
        );
        assert!(
            (5.0..7.0).contains(&last_end_s),
            "call {k}: its last speech ends at {last_end_s:.2} s; {err}"
        );
        if k == 1 {
            // Ctrl-C came after that pause: the call ends a pause after its last speech,
            // not at Ctrl-C.
            let end_s = offset_s + duration_s;
            assert!(
                end_s > heard_end_s + 0.98 && end_s < heard_end_s + 1.5,
                "call 2 ends at {end_s:.2} s; its last speech ended at {heard_end_s:.2} s, Ctrl-C {stopped_after:.1} s after that was reported"
            );
        }
        assert_eq!(
            call["prospect"]["turns"].as_u64().map(|t| t > 0),
            Some(true)
        );
        assert_eq!(call["rep"]["turns"].as_u64().map(|t| t > 0), Some(true));
    }
    // The video is in no call: the whole session heard the prospect more than both calls.
    let talk = |r: &Value| r["prospect"]["talk_s"].as_f64().expect("talk_s");
    assert!(
        talk(&whole) > talk(&calls[0]) + talk(&calls[1]) + 1.5,
        "{whole}"
    );
    // Each call's recording holds its frames exactly: analysing it gives its report.
    let recordings: Vec<PathBuf> = err
        .lines()
        .filter_map(|l| l.strip_prefix("recording: "))
        .map(PathBuf::from)
        .collect();
    assert_eq!(recordings.len(), 2, "{err}");
    for (call, recording) in calls.iter().zip(&recordings) {
        let again = analyze_json(&[recording.to_str().expect("path")]);
        let comparable = |report: &Value| {
            let mut r = report.clone();
            if let Some(o) = r.as_object_mut() {
                for key in ["source", "started_at", "offset_s"] {
                    o.remove(key);
                }
            }
            for party in ["rep", "prospect"] {
                if let Some(o) = r[party].as_object_mut() {
                    o.remove("dropped_s");
                }
            }
            r
        };
        assert_eq!(
            comparable(call),
            comparable(&again),
            "{}",
            recording.display()
        );
    }
}
