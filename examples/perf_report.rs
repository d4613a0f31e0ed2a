//! Prints the performance table: detector speed, analysis of a 1-hour 48 kHz stereo call,
//! peak memory of `analyze` on a 10-minute and a 2-hour call, and turn-engine throughput.
//! Files are generated in a temporary folder and removed afterwards.
//!
//! Usage: `cargo build --release && cargo run --release --example perf_report`

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use tacet::audio::source::FrameSource;
use tacet::audio::synth::SynthCall;
use tacet::timeline::FRAME_LEN_SAMPLES;
use tacet::vad::default_tracker;

#[path = "../benches/support/scripted_turns.rs"]
mod scripted_turns;
use scripted_turns::run_scripted_turns;

fn cpu_s() -> f64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    ru.ru_utime.tv_sec as f64
        + ru.ru_utime.tv_usec as f64 / 1e6
        + ru.ru_stime.tv_sec as f64
        + ru.ru_stime.tv_usec as f64 / 1e6
}

/// Runs `cmd` and returns its exit success and its own peak RSS in MB (from `wait4`, so
/// only this child counts: not earlier children, nor the compiler that `cargo run` waited
/// for before it became this process).
fn run_measured(cmd: &mut std::process::Command) -> (bool, f64) {
    let Ok(child) = cmd.spawn() else {
        return (false, 0.0);
    };
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child and fills the structs we own; `child` is not waited
    // for again (dropping a `Child` does not wait).
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    let ok = rc == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (ok, ru.ru_maxrss as f64 / 1024.0)
}

/// Writes a synthetic stereo 48 kHz PCM16 call of `seconds` (16 kHz synth, held x3).
fn write_call(path: &Path, seconds: f64) -> std::io::Result<()> {
    let frames = (seconds * 48_000.0) as u64;
    let data_len = frames * 4;
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    w.write_all(b"RIFF")?;
    w.write_all(&((36 + data_len) as u32).to_le_bytes())?;
    w.write_all(b"WAVEfmt ")?;
    w.write_all(&16u32.to_le_bytes())?;
    w.write_all(&1u16.to_le_bytes())?;
    w.write_all(&2u16.to_le_bytes())?;
    w.write_all(&48_000u32.to_le_bytes())?;
    w.write_all(&(48_000u32 * 4).to_le_bytes())?;
    w.write_all(&4u16.to_le_bytes())?;
    w.write_all(&16u16.to_le_bytes())?;
    w.write_all(b"data")?;
    w.write_all(&(data_len as u32).to_le_bytes())?;
    let mut synth = SynthCall::new(seconds);
    let (mut rep, mut pro) = ([0.0f32; FRAME_LEN_SAMPLES], [0.0f32; FRAME_LEN_SAMPLES]);
    let mut buf = Vec::with_capacity(FRAME_LEN_SAMPLES * 12);
    while let Ok(Some(fill)) = synth.next_frame(&mut rep, &mut pro) {
        buf.clear();
        for i in 0..fill.valid_samples {
            let r = ((rep[i] * 32767.0) as i16).to_le_bytes();
            let p = ((pro[i] * 32767.0) as i16).to_le_bytes();
            for _ in 0..3 {
                buf.extend_from_slice(&r);
                buf.extend_from_slice(&p);
            }
        }
        w.write_all(&buf)?;
    }
    w.flush()
}

fn tacet_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    // target/release/examples/perf_report -> target/release/tacet
    exe.parent()
        .and_then(Path::parent)
        .map(|d| d.join("tacet"))
        .unwrap_or_else(|| PathBuf::from("tacet"))
}

/// Reads a file through a small buffer (puts it in the page cache, keeps this process small).
fn warm(path: &Path) -> f64 {
    let t = Instant::now();
    if let Ok(mut f) = std::fs::File::open(path) {
        let mut buf = vec![0u8; 1 << 20];
        while matches!(std::io::Read::read(&mut f, &mut buf), Ok(n) if n > 0) {}
    }
    t.elapsed().as_secs_f64()
}

fn main() {
    let dir = std::env::temp_dir().join(format!("tacet-perf-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let hour = dir.join("call-1h.wav");
    let ten = dir.join("call-10min.wav");
    let two = dir.join("call-2h.wav");
    let ok = write_call(&ten, 600.0).is_ok()
        && write_call(&two, 7200.0).is_ok()
        && write_call(&hour, 3600.0).is_ok();
    if !ok {
        eprintln!("perf_report: cannot write test calls in {}", dir.display());
        std::process::exit(1);
    }

    // 1. Peak memory of the `tacet analyze` process: 10 minutes, then 2 hours (measured
    // first, while this process is still small).
    let bin = tacet_bin();
    let run = |p: &Path| {
        warm(p);
        run_measured(
            std::process::Command::new(&bin)
                .args(["analyze", &p.display().to_string(), "--format", "json"])
                .stdout(std::process::Stdio::null()),
        )
    };
    let (ran10, rss10) = run(&ten);
    let (ran2h, rss2h) = run(&two);

    // 2. Detector: one channel, 16 kHz, one core.
    let seconds = 600.0;
    let mut synth = SynthCall::new(seconds);
    let (mut rep, mut pro) = ([0.0f32; FRAME_LEN_SAMPLES], [0.0f32; FRAME_LEN_SAMPLES]);
    let mut frames = Vec::new();
    while let Ok(Some(_)) = synth.next_frame(&mut rep, &mut pro) {
        frames.push(rep);
    }
    let mut tracker = default_tracker();
    let mut edges = 0u64;
    let t0 = cpu_s();
    for f in &frames {
        tracker.push(f, None, &mut |_| edges += 1);
    }
    let vad_cpu = cpu_s() - t0;
    let vad_x = seconds / vad_cpu;
    let vad_frames = frames.len();
    drop(frames);

    // 3. Turn engine: bridging + live tracker per frame, then the engine over the segments.
    let n_frames: u64 = 2_000_000;
    let t0 = cpu_s();
    let events = run_scripted_turns(n_frames, &tacet::config::Config::default());
    let engine_cpu = cpu_s() - t0;
    let engine_fps = n_frames as f64 / engine_cpu;

    // 4. analyze of a 1-hour 48 kHz stereo PCM16 call, in process (file in page cache).
    let read_wall = warm(&hour);
    warm(&hour);
    let files = tacet::audio::source::CallFiles::Channels {
        path: hour.clone(),
        rep_channel: 0,
        prospect_channel: 1,
    };
    let config = tacet::config::Config::default();
    let t0 = cpu_s();
    let wall0 = Instant::now();
    let report = tacet::app::analyze_call(&files, &config);
    let analyze_wall = wall0.elapsed().as_secs_f64();
    let analyze_cpu = cpu_s() - t0;
    let _ = std::fs::remove_dir_all(&dir);

    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("tacet performance ({cpus} cores; figures from this process's CPU time and peak RSS)");
    println!();
    println!("| what | target | measured |");
    println!("|---|---|---|");
    println!(
        "| voice activity detection, one channel, 16 kHz, one core | >= 10,000x real time | {vad_x:.0}x ({:.3} us/frame) |",
        vad_cpu / vad_frames as f64 * 1e6
    );
    match report {
        Ok(_) => println!(
            "| `analyze` of a 1-hour stereo 48 kHz PCM16 call, one core, file in page cache | <= 2 s wall | {analyze_wall:.2} s wall, {analyze_cpu:.2} s CPU (reading the file alone: {read_wall:.2} s) |"
        ),
        Err(e) => println!("| analyze 1 hour | <= 2 s | failed: {e} |"),
    }
    if ran10 && ran2h {
        let diff = (rss2h - rss10) / rss10 * 100.0;
        println!(
            "| peak memory of `analyze`, 10-minute vs 2-hour file | within 10%, under 30 MB | {rss10:.1} MB vs {rss2h:.1} MB ({diff:+.1}%) |"
        );
    } else {
        println!(
            "| peak memory of `analyze` | | not measured: {} did not run (build it with `cargo build --release`) |",
            bin.display()
        );
    }
    println!(
        "| turn engine (bridging + live tracker + engine) | >= 1,000,000 VAD frames/s | {:.1} M frames/s ({events} events and pauses) |",
        engine_fps / 1e6
    );
    let _ = edges;
}
