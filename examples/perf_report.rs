//! Prints the performance table: detector speed, analysis of a 1-hour 48 kHz stereo call,
//! peak memory of `analyze` on a 10-minute and a 2-hour call, turn-engine throughput, and
//! live mode's CPU and memory when a sound server with the test devices is running.
//! Files are generated in a temporary folder and removed afterwards.
//!
//! Usage: `cargo build --release && cargo run --release --example perf_report`
//! (`-- --live-seconds N` sets the live measurement's length, 60 by default; 0 skips it).
//! For the live row, start the sound server first: `. .ci/audio-up.sh`. With
//! `--features anchors`, WebRTC's VAD runs over the same frames for a same-run reference.

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

/// Passes of the detector over the 10-minute clip (the median is reported).
const VAD_PASSES: usize = 5;
/// Runs of `analyze` over the 1-hour call (the median is reported).
const ANALYZE_RUNS: usize = 3;

fn cpu_s() -> f64 {
    tacet::platform::cpu::process_cpu_s().unwrap_or(0.0)
}

/// What a child's memory peaked at, MB: resident in all (`VmHWM`, which counts the
/// program's own code pages) and its anonymous part (heap and stacks, `RssAnon`).
#[derive(Clone, Copy, Default)]
struct Peak {
    rss_mb: f64,
    anon_mb: f64,
}

/// Runs `cmd` and returns its exit success and its memory peak, read from
/// `/proc/<pid>/status` every millisecond while it runs (getrusage of a child also counts
/// the image it replaced, which for a spawned child is this process's).
fn run_measured(cmd: &mut std::process::Command) -> (bool, Peak) {
    let Ok(mut child) = cmd.spawn() else {
        return (false, Peak::default());
    };
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = Peak::default();
    let field = |status: &str, key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
    };
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            if let Some(v) = field(&status, "VmHWM:") {
                peak.rss_mb = peak.rss_mb.max(v);
            }
            if let Some(v) = field(&status, "RssAnon:") {
                peak.anon_mb = peak.anon_mb.max(v);
            }
        }
        match child.try_wait() {
            Ok(Some(st)) => return (st.success(), peak),
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(1)),
            Err(_) => return (false, peak),
        }
    }
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

/// WebRTC's VAD (mode 0) over the same frames (with `--features anchors`): one pass,
/// returning its CPU seconds.
#[cfg(feature = "anchors")]
struct Anchor {
    pcm: Vec<[i16; FRAME_LEN_SAMPLES]>,
}

#[cfg(feature = "anchors")]
impl Anchor {
    fn new(frames: &[[f32; FRAME_LEN_SAMPLES]]) -> Option<Anchor> {
        let pcm = frames
            .iter()
            .map(|f| f.map(|v| (v * 32767.0) as i16))
            .collect();
        Some(Anchor { pcm })
    }

    fn pass_cpu_s(&self) -> f64 {
        let mut vad = webrtc_vad::Vad::new_with_rate_and_mode(
            webrtc_vad::SampleRate::Rate16kHz,
            webrtc_vad::VadMode::Quality,
        );
        let mut speech = 0u64;
        let t0 = cpu_s();
        for f in &self.pcm {
            speech += u64::from(vad.is_voice_segment(f).unwrap_or(false));
        }
        let cpu = cpu_s() - t0;
        std::hint::black_box(speech);
        cpu
    }
}

#[cfg(not(feature = "anchors"))]
struct Anchor;

#[cfg(not(feature = "anchors"))]
impl Anchor {
    fn new(_frames: &[[f32; FRAME_LEN_SAMPLES]]) -> Option<Anchor> {
        None
    }

    fn pass_cpu_s(&self) -> f64 {
        0.0
    }
}

/// The median of a few values (the middle one; the upper middle for an even count).
fn median_of(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
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

/// Live mode: `tacet live --no-ui --duration S --stats` with default devices while the demo
/// call plays into the test sound server's devices (`.ci/audio-up.sh`: the rep into the
/// `mic_feed` sink, whose monitor is the default microphone, the prospect into the
/// `softphone` sink, whose monitor is the default far end). The figures are the ones
/// `tacet live --stats` prints from its own getrusage: CPU over the whole run, peak RSS.
fn live_row(bin: &Path, dir: &Path, seconds: u32) -> String {
    let sinks = std::process::Command::new("pactl")
        .args(["list", "short", "sinks"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if !(sinks.contains("mic_feed") && sinks.contains("softphone")) {
        return "not measured: no sound server with the test devices (start one with `. .ci/audio-up.sh`)".into();
    }
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo/demo-call.wav");
    let sides = [dir.join("live-rep.wav"), dir.join("live-far.wav")];
    if let Err(e) = split_channels(&demo, &sides) {
        return format!("not measured: cannot read {}: {e}", demo.display());
    }
    let play = |sink: &str, file: &Path| {
        std::process::Command::new("pacat")
            .args(["--playback", "--file-format=wav", "-d", sink])
            .arg(file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
    };
    let players = [play("mic_feed", &sides[0]), play("softphone", &sides[1])];
    let out = std::process::Command::new(bin)
        .args([
            "live",
            "--no-ui",
            "--stats",
            "--duration",
            &seconds.to_string(),
        ])
        .arg("--data-dir")
        .arg(dir.join("live-data"))
        .stdout(std::process::Stdio::null())
        .output();
    for p in players.into_iter().flatten() {
        let mut p = p;
        let _ = p.kill();
        let _ = p.wait();
    }
    let Ok(out) = out else {
        return format!("not measured: {} did not run", bin.display());
    };
    let err = String::from_utf8_lossy(&out.stderr);
    let stat = |key: &str| {
        err.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    match (stat("# cpu_percent"), stat("# peak_rss_mb")) {
        (Some(cpu), Some(rss)) if out.status.success() => {
            format!("{cpu:.2}% of one core, {rss:.1} MB resident ({seconds} s, default devices)")
        }
        _ => format!(
            "not measured: `tacet live` failed: {}",
            err.lines().last().unwrap_or("")
        ),
    }
}

/// Writes each channel of a stereo WAV to its own mono WAV.
fn split_channels(stereo: &Path, mono: &[PathBuf; 2]) -> Result<(), hound::Error> {
    let mut r = hound::WavReader::open(stereo)?;
    let spec = hound::WavSpec {
        channels: 1,
        ..r.spec()
    };
    let mut w = [
        hound::WavWriter::create(&mono[0], spec)?,
        hound::WavWriter::create(&mono[1], spec)?,
    ];
    for (i, s) in r.samples::<i16>().enumerate() {
        w[i % 2].write_sample(s?)?;
    }
    let [a, b] = w;
    a.finalize()?;
    b.finalize()
}

fn main() {
    let live_seconds: u32 = std::env::args()
        .skip_while(|a| a != "--live-seconds")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
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
    // Peak RSS includes the program's own code pages, and how many of those a run maps
    // depends on what the page cache holds: one run first to warm it, then the median of
    // three runs per file.
    let _ = run(&ten);
    let median = |p: &Path| {
        let mut runs: Vec<(bool, Peak)> = (0..3).map(|_| run(p)).collect();
        let ok = runs.iter().all(|r| r.0);
        runs.sort_by(|a, b| a.1.rss_mb.total_cmp(&b.1.rss_mb));
        let rss = runs[1].1.rss_mb;
        runs.sort_by(|a, b| a.1.anon_mb.total_cmp(&b.1.anon_mb));
        (
            ok,
            Peak {
                rss_mb: rss,
                anon_mb: runs[1].1.anon_mb,
            },
        )
    };
    let (ran10, rss10) = median(&ten);
    let (ran2h, rss2h) = median(&two);

    // 2. Detector: one channel, 16 kHz, one core.
    let seconds = 600.0;
    let mut synth = SynthCall::new(seconds);
    let (mut rep, mut pro) = ([0.0f32; FRAME_LEN_SAMPLES], [0.0f32; FRAME_LEN_SAMPLES]);
    let mut frames = Vec::new();
    while let Ok(Some(_)) = synth.next_frame(&mut rep, &mut pro) {
        frames.push(rep);
    }
    // Five passes, each with a fresh detector, alternating with WebRTC's VAD when it is
    // built in, so both see the same moments of a shared machine; medians are reported.
    let anchor = Anchor::new(&frames);
    let mut edges = 0u64;
    let (mut vad_passes, mut anchor_passes) = (Vec::new(), Vec::new());
    for _ in 0..VAD_PASSES {
        let mut tracker = default_tracker();
        let t0 = cpu_s();
        for f in &frames {
            tracker.push(f, None, &mut |_| edges += 1);
        }
        vad_passes.push(cpu_s() - t0);
        if let Some(a) = &anchor {
            anchor_passes.push(a.pass_cpu_s());
        }
    }
    let vad_cpu = median_of(&vad_passes);
    let vad_x = seconds / vad_cpu;
    let vad_range = (
        seconds / vad_passes.iter().cloned().fold(0.0, f64::max),
        seconds / vad_passes.iter().cloned().fold(f64::INFINITY, f64::min),
    );
    let vad_frames = frames.len();
    let anchor = (!anchor_passes.is_empty()).then(|| seconds / median_of(&anchor_passes));
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
    let (mut walls, mut cpus_s) = (Vec::new(), Vec::new());
    let mut report = Ok(());
    for _ in 0..ANALYZE_RUNS {
        let t0 = cpu_s();
        let wall0 = Instant::now();
        report = tacet::cli::analyze::analyze_call(&files, &config).map(|_| ());
        walls.push(wall0.elapsed().as_secs_f64());
        cpus_s.push(cpu_s() - t0);
        if report.is_err() {
            break;
        }
    }
    let analyze_wall = median_of(&walls);
    let analyze_cpu = median_of(&cpus_s);

    // 5. Live mode, when a sound server with the test devices runs.
    let live = if live_seconds > 0 {
        live_row(&bin, &dir, live_seconds)
    } else {
        "not measured (--live-seconds 0)".into()
    };
    let _ = std::fs::remove_dir_all(&dir);

    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("tacet performance ({cpus} cores; figures from this process's CPU time and peak RSS)");
    println!();
    println!("| what | target | measured |");
    println!("|---|---|---|");
    let anchor_note = match anchor {
        // The table measured WebRTC's VAD at 5,400x on this machine kind: the same
        // ratio, measured in this run, tells a slow moment of a shared machine from a slow
        // detector.
        Some(webrtc_x) => format!(
            "; WebRTC's VAD in this run: {webrtc_x:.0}x, so {:.1}x its speed ({:.0}x at its 5,400x reference)",
            vad_x / webrtc_x,
            vad_x / webrtc_x * 5400.0
        ),
        None => String::new(),
    };
    println!(
        "| voice activity detection, one channel, 16 kHz, one core | >= 5,000x real time | {vad_x:.0}x, median of {VAD_PASSES} passes ({:.0}x-{:.0}x; {:.3} us/frame{anchor_note}) |",
        vad_range.0,
        vad_range.1,
        vad_cpu / vad_frames as f64 * 1e6
    );
    match report {
        Ok(_) => println!(
            "| `analyze` of a 1-hour stereo 48 kHz PCM16 call (the recording read ahead on a thread of its own), file in page cache | <= 2 s wall | {analyze_wall:.2} s wall, {analyze_cpu:.2} s CPU, median of {} runs ({}; reading the file alone: {read_wall:.2} s) |",
            walls.len(),
            walls
                .iter()
                .map(|w| format!("{w:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Err(e) => println!("| analyze 1 hour | <= 2 s | failed: {e} |"),
    }
    if ran10 && ran2h {
        let diff = (rss2h.rss_mb - rss10.rss_mb) / rss10.rss_mb * 100.0;
        let anon_diff = (rss2h.anon_mb - rss10.anon_mb) / rss10.anon_mb * 100.0;
        println!(
            "| peak memory of `analyze`, 10-minute vs 2-hour file | within 10%, under 30 MB | {:.1} MB vs {:.1} MB ({diff:+.1}%); of which heap and stacks {:.2} MB vs {:.2} MB ({anon_diff:+.1}%); median of 3 runs each |",
            rss10.rss_mb, rss2h.rss_mb, rss10.anon_mb, rss2h.anon_mb
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
    println!(
        "| live mode, both sides at 48 kHz | under 1% of one core, under 30 MB resident | {live} |"
    );
    let _ = edges;
}
