//! Helpers shared by the integration tests: running the binary, the demo call and its
//! truth, writing WAV variants, and finding ../shared/data (never skipped in CI).

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled demo call.
pub fn demo_wav() -> PathBuf {
    root().join("assets/demo/demo-call.wav")
}

/// The demo call's scripted truth.
pub fn demo_truth() -> Value {
    let text = std::fs::read_to_string(root().join("assets/demo/demo-call.truth.json"))
        .expect("demo truth is committed");
    serde_json::from_str(&text).expect("demo truth is JSON")
}

/// The `tacet` binary under test: `TACET_BIN` when set (to test an installed or release
/// build), else the one cargo built for these tests.
pub fn tacet_bin() -> PathBuf {
    std::env::var_os("TACET_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_tacet")))
}

/// Runs `tacet` with `args` (no user config: an empty config dir) and returns its output.
pub fn tacet(args: &[&str]) -> Output {
    tacet_in(args, None)
}

/// Runs `tacet` with an isolated HOME/XDG so no user config or data leaks in.
pub fn tacet_in(args: &[&str], home: Option<&Path>) -> Output {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = home
        .map(Path::to_path_buf)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    Command::new(tacet_bin())
        .args(args)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env_remove("TACET_DATA_DIR")
        .output()
        .expect("run tacet")
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Runs `tacet analyze ARGS --format json` and parses the report.
pub fn analyze_json(args: &[&str]) -> Value {
    let mut all = vec!["analyze"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = tacet(&all);
    assert!(
        out.status.success(),
        "tacet {all:?} failed: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("report is JSON")
}

/// Reads a 16-bit WAV into per-channel f32 samples and its rate.
pub fn read_wav(path: &Path) -> (Vec<Vec<f32>>, u32) {
    let mut r = hound::WavReader::open(path).expect("open wav");
    let spec = r.spec();
    let ch = spec.channels as usize;
    let mut chans = vec![Vec::new(); ch];
    for (i, s) in r.samples::<i16>().enumerate() {
        chans[i % ch].push(f32::from(s.expect("sample")) / 32768.0);
    }
    (chans, spec.sample_rate)
}

/// Writes channels as a WAV with hound (PCM `bits` or 32-bit float).
pub fn write_wav(path: &Path, chans: &[Vec<f32>], rate: u32, bits: u16, float: bool) {
    let spec = hound::WavSpec {
        channels: chans.len() as u16,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create wav");
    let n = chans.iter().map(Vec::len).max().unwrap_or(0);
    let full = ((1i64 << (bits - 1)) - 1) as f32;
    for i in 0..n {
        for c in chans {
            let v = c.get(i).copied().unwrap_or(0.0).clamp(-1.0, 1.0);
            if float {
                w.write_sample(v).expect("write");
            } else if bits == 8 {
                w.write_sample((v * 127.0).round() as i8).expect("write");
            } else {
                w.write_sample((v * full).round() as i32).expect("write");
            }
        }
    }
    w.finalize().expect("finalize");
}

/// G.711 mu-law encoding of one sample.
pub fn mulaw(v: f32) -> u8 {
    const BIAS: i32 = 0x84;
    let mut x = (v.clamp(-1.0, 1.0) * 32767.0) as i32;
    let sign = if x < 0 {
        x = -x;
        0x80
    } else {
        0
    };
    x = (x + BIAS).min(0x7FFF);
    let mut exp = 7;
    let mut mask = 0x4000;
    while exp > 0 && x & mask == 0 {
        exp -= 1;
        mask >>= 1;
    }
    let mant = (x >> (exp + 3)) & 0x0F;
    !(sign | (exp << 4) | mant) as u8
}

/// Writes a raw WAV with any format tag and pre-encoded sample bytes.
pub fn write_raw_wav(
    path: &Path,
    format_tag: u16,
    channels: u16,
    rate: u32,
    bits: u16,
    data: &[u8],
) {
    let block = channels * bits.div_ceil(8);
    let mut b = Vec::new();
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data.len() as u32 + 2).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&18u32.to_le_bytes());
    b.extend_from_slice(&format_tag.to_le_bytes());
    b.extend_from_slice(&channels.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    b.extend_from_slice(&block.to_le_bytes());
    b.extend_from_slice(&bits.to_le_bytes());
    b.extend_from_slice(&0u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&(data.len() as u32).to_le_bytes());
    b.extend_from_slice(data);
    std::fs::write(path, b).expect("write raw wav");
}

/// ../shared/data, or None with a printed reason on a laptop; in CI (CI=true) its absence
/// fails the test, so a green CI means the data was really used.
pub fn shared_data(test: &str) -> Option<PathBuf> {
    match tacet_eval::shared_data_dir() {
        Some(dir) => Some(dir),
        None => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "{test}: ../shared/data is missing, and CI must not skip this test"
            );
            eprintln!("SKIPPED {test}: ../shared/data not found (set TACET_SHARED_DATA)");
            None
        }
    }
}

/// Every report format with the file name it is written to.
pub const FORMATS: [(&str, &str); 6] = [
    ("text", "r.txt"),
    ("json", "r.json"),
    ("csv", "r.csv"),
    ("html", "r.html"),
    ("rttm", "r.rttm"),
    ("audacity", "r.labels.txt"),
];

/// Every format of the demo call, written by `tacet analyze --format F -o PATH` (once).
pub fn demo_outputs() -> &'static HashMap<&'static str, String> {
    static OUT: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let demo = demo_wav();
        let mut map = HashMap::new();
        for (format, name) in FORMATS {
            let path = dir.path().join(name);
            let out = tacet(&[
                "analyze",
                demo.to_str().expect("path"),
                "--format",
                format,
                "-o",
                path.to_str().expect("path"),
            ]);
            assert!(out.status.success(), "{format}: {}", stderr(&out));
            map.insert(format, std::fs::read_to_string(&path).expect("written"));
        }
        map
    })
}

/// Held by the test that measures this process's memory (soak) and by the tests that hold
/// large recordings in memory, so that one does not grow the other's figure.
pub fn memory_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The reports saved under `data/sessions` so far, oldest call first (by `offset_s`); a
/// session whose report is not (yet) readable is left out.
pub fn saved_calls(data: &Path) -> Vec<Value> {
    let Ok(dir) = std::fs::read_dir(data.join("sessions")) else {
        return Vec::new();
    };
    let mut reports: Vec<Value> = dir
        .filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path().join("report.json")).ok())
        .filter_map(|t| serde_json::from_str(&t).ok())
        .collect();
    reports.sort_by(|a: &Value, b: &Value| {
        a["offset_s"]
            .as_f64()
            .partial_cmp(&b["offset_s"].as_f64())
            .expect("numbers")
    });
    reports
}
