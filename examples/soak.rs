//! Soak test: pushes a long synthetic session (default 8 hours) through the session pipeline
//! at full speed and prints memory, dropped audio and the timeline check. With `--day`, the
//! session is a working day of many calls (a quiet minute, the bundled demo call, a quiet
//! minute and 30 s of its prospect side alone, a video nobody answers, over and over),
//! split into calls as `tacet live` splits them, every call saved as its own session into a
//! temporary data folder; it prints the calls found and saved beside the memory.
//!
//! Usage: `cargo run --release --example soak -- [--hours H] [--day]`

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use tacet::audio::source::{FileSource, FrameSource};
use tacet::audio::synth::{SynthCall, SynthDay};
use tacet::config::Config;
use tacet::report::Report;
use tacet::session::store::save;
use tacet::session::{Pacing, SessionMsg, SessionOptions, spawn};
use tacet::timeline::{ANALYSIS_RATE_HZ, Samples, samples_to_s};

fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn fail(what: impl std::fmt::Display) -> ! {
    eprintln!("soak: {what}");
    std::process::exit(1);
}

/// The working day's layout: a quiet minute, the call, a quiet minute, a 30 s video.
const QUIET_S: f64 = 60.0;
const VIDEO_S: f64 = 30.0;

/// The bundled demo call's two sides at the analysis rate.
fn demo_sides() -> [Vec<f32>; 2] {
    let mut source = FileSource::demo().unwrap_or_else(|e| fail(e));
    let mut rep = [0.0f32; tacet::timeline::FRAME_LEN_SAMPLES];
    let mut prospect = [0.0f32; tacet::timeline::FRAME_LEN_SAMPLES];
    let mut sides = [Vec::new(), Vec::new()];
    while let Ok(Some(fill)) = source.next_frame(&mut rep, &mut prospect) {
        sides[0].extend_from_slice(&rep[..fill.valid_samples]);
        sides[1].extend_from_slice(&prospect[..fill.valid_samples]);
    }
    sides
}

/// What is soaked: the source, its length, the talk it scripts (one long call) and where
/// its calls are (a working day).
type Soak = (
    Box<dyn FrameSource + Send>,
    Samples,
    Option<[Samples; 2]>,
    Vec<(Samples, Samples)>,
);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let hours: f64 = args
        .iter()
        .position(|a| a == "--hours")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(8.0);
    let day_mode = args.iter().any(|a| a == "--day");
    let rate = f64::from(ANALYSIS_RATE_HZ);
    let (source, expected, scripted, day_calls): Soak = if day_mode {
        let day = SynthDay::for_hours(demo_sides(), hours, QUIET_S, VIDEO_S);
        let expected = day.total();
        let spans = day.calls();
        (Box::new(day), expected, None, spans)
    } else {
        let call = SynthCall::new(hours * 3600.0);
        let scripted = call.scripted_talk();
        let expected = (hours * 3600.0 * rate).round() as Samples;
        (Box::new(call), expected, Some(scripted), Vec::new())
    };
    let data = tempfile::tempdir().unwrap_or_else(|e| fail(e));
    // What the source itself holds (the day's call, decoded) before the session starts.
    println!(
        "rss before the session {:.1} MB",
        status_kb("VmRSS:") as f64 / 1024.0
    );
    let config = Config::default();
    let started = Instant::now();
    let handle = spawn(
        source,
        &config,
        SessionOptions {
            pacing: Pacing::Free,
            record: None,
            max_duration: None,
            stop_flag: Arc::new(AtomicBool::new(false)),
            snapshots: true,
            split: day_mode,
        },
    )
    .unwrap_or_else(|e| fail(e));
    // Every call saved as its own session the moment it ends, as `tacet live` saves them.
    let calls = handle.calls.clone();
    let folder = data.path().to_path_buf();
    let saver = std::thread::spawn(move || {
        let mut saved = Vec::new();
        for call in calls.iter() {
            let mut report = Report::new(&call.result, "soak", None);
            report.offset_s = samples_to_s(call.start);
            match save(&folder, &report, "soak", &[]) {
                Ok(_) => saved.push((call.start, call.result.metrics.duration)),
                Err(e) => fail(e),
            }
        }
        saved
    });
    let hour = 3600 * u64::from(ANALYSIS_RATE_HZ);
    let mut last = 0;
    println!("audio_h  rss_mb  wall_s  calls");
    for msg in handle.messages.iter() {
        match msg {
            SessionMsg::Snapshot(s) => {
                if s.now / hour > last / hour {
                    println!(
                        "{:>7} {:>7.1} {:>7.1} {:>6}",
                        s.now / hour,
                        status_kb("VmRSS:") as f64 / 1024.0,
                        started.elapsed().as_secs_f64(),
                        s.calls.map_or(0, |c| c.day.calls)
                    );
                }
                last = s.now;
            }
            SessionMsg::Ended => break,
            SessionMsg::Event(_) => {}
        }
    }
    let outcome = handle.join().unwrap_or_else(|e| fail(e));
    let saved = saver.join().unwrap_or_else(|_| fail("saving failed"));
    let m = &outcome.result.metrics;
    let wall = started.elapsed().as_secs_f64();
    let mut ok = m.duration == expected && outcome.result.dropped == [0, 0];
    ok &= outcome.error.is_none();
    println!(
        "duration samples {} (expected {expected}): {}",
        m.duration,
        if m.duration == expected {
            "exact"
        } else {
            "MISMATCH"
        }
    );
    println!("dropped samples  {:?}", outcome.result.dropped);
    if let Some(scripted) = scripted {
        println!(
            "talk rep {:.1} s (scripted {:.1} s), prospect {:.1} s (scripted {:.1} s)",
            m.rep.talk as f64 / rate,
            scripted[0] as f64 / rate,
            m.prospect.talk as f64 / rate,
            scripted[1] as f64 / rate
        );
    }
    println!("pauses {}, segments {}", m.pauses.len(), m.segments.len());
    if day_mode {
        let folders = std::fs::read_dir(data.path().join("sessions"))
            .map(|d| d.count())
            .unwrap_or(0);
        // Each call where its audio is: from its first speech (0.5 s in) to a pause after
        // its last (0.3 s before the audio's end), each within 0.3 s.
        let within = |a: Samples, b: Samples| a.abs_diff(b) <= (0.3 * rate) as Samples;
        let placed = saved.len() == day_calls.len()
            && saved
                .iter()
                .zip(&day_calls)
                .all(|(&(start, duration), &(from, to))| {
                    within(start, from + (0.5 * rate) as Samples)
                        && within(start + duration, to - (0.3 * rate) as Samples)
                });
        println!(
            "calls in the day {}, found and saved {} (session folders {folders}), each where its audio is: {}",
            day_calls.len(),
            saved.len(),
            if placed { "yes" } else { "NO" }
        );
        ok &= placed && folders == day_calls.len();
    }
    println!(
        "peak RSS {:.1} MB, wall {wall:.1} s ({:.0}x real time)",
        status_kb("VmHWM:") as f64 / 1024.0,
        expected as f64 / rate / wall
    );
    if !ok {
        std::process::exit(1);
    }
}
