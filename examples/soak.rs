//! Soak test: pushes a long synthetic call (default 8 hours) through the session pipeline
//! at full speed and prints memory, dropped audio and the timeline check.
//!
//! Usage: `cargo run --release --example soak -- [--hours H]`

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use tacet::audio::synth::SynthCall;
use tacet::config::Config;
use tacet::session::{Pacing, SessionMsg, SessionOptions, spawn};
use tacet::timeline::ANALYSIS_RATE_HZ;

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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let hours: f64 = args
        .iter()
        .position(|a| a == "--hours")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(8.0);
    let call = SynthCall::new(hours * 3600.0);
    let scripted = call.scripted_talk();
    let started = Instant::now();
    let handle = match spawn(
        Box::new(call),
        &Config::default(),
        SessionOptions {
            pacing: Pacing::Free,
            record: None,
            max_duration: None,
            stop_flag: Arc::new(AtomicBool::new(false)),
            snapshots: true,
        },
    ) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("soak: {e}");
            std::process::exit(1);
        }
    };
    let hour = 3600 * u64::from(ANALYSIS_RATE_HZ);
    let mut last = 0;
    println!("audio_h  rss_mb  wall_s");
    for msg in handle.messages.iter() {
        match msg {
            SessionMsg::Snapshot(s) => {
                if s.now / hour > last / hour {
                    println!(
                        "{:>7} {:>7.1} {:>7.1}",
                        s.now / hour,
                        status_kb("VmRSS:") as f64 / 1024.0,
                        started.elapsed().as_secs_f64()
                    );
                }
                last = s.now;
            }
            SessionMsg::Ended => break,
            SessionMsg::Event(_) => {}
        }
    }
    let outcome = match handle.join() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("soak: {e}");
            std::process::exit(1);
        }
    };
    let m = &outcome.result.metrics;
    let expected = (hours * 3600.0 * f64::from(ANALYSIS_RATE_HZ)).round() as u64;
    let wall = started.elapsed().as_secs_f64();
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
    println!(
        "talk rep {:.1} s (scripted {:.1} s), prospect {:.1} s (scripted {:.1} s)",
        m.rep.talk as f64 / 16_000.0,
        scripted[0] as f64 / 16_000.0,
        m.prospect.talk as f64 / 16_000.0,
        scripted[1] as f64 / 16_000.0
    );
    println!("pauses {}, segments {}", m.pauses.len(), m.segments.len());
    println!(
        "peak RSS {:.1} MB, wall {wall:.1} s ({:.0}x real time)",
        status_kb("VmHWM:") as f64 / 1024.0,
        hours * 3600.0 / wall
    );
    if m.duration != expected || outcome.result.dropped != [0, 0] || outcome.error.is_some() {
        std::process::exit(1);
    }
}
