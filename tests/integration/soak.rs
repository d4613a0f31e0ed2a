//! Long calls stay flat: a long synthetic call pushed through the session pipeline at full
//! speed keeps memory flat, drops nothing, and its timeline equals the sample count.
//! (The 8-hour version: `cargo run --release --example soak -- --hours 8`.)

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tacet::audio::synth::SynthCall;
use tacet::config::Config;
use tacet::session::{Pacing, SessionMsg, SessionOptions, spawn};

/// Resident memory of this process, kB (Linux /proc).
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

#[test]
fn a_long_call_stays_flat_and_exact() {
    let minutes = 20.0;
    let call = SynthCall::new(minutes * 60.0);
    let scripted = call.scripted_talk();
    let handle = spawn(
        Box::new(call),
        &Config::default(),
        SessionOptions {
            pacing: Pacing::Free,
            record: None,
            max_duration: None,
            stop_flag: Arc::new(AtomicBool::new(false)),
            snapshots: true,
        },
    )
    .expect("spawn");
    let mut rss_at = Vec::new();
    let mut last_now = 0;
    for msg in handle.messages.iter() {
        match msg {
            SessionMsg::Snapshot(s) => {
                // Sample memory every simulated minute.
                if s.now / (60 * 16_000) > last_now / (60 * 16_000) {
                    rss_at.push(rss_kb());
                }
                last_now = s.now;
            }
            SessionMsg::Ended => break,
            SessionMsg::Event(_) => {}
        }
    }
    let outcome = handle.join().expect("join");
    assert!(outcome.error.is_none());
    let m = &outcome.result.metrics;
    assert_eq!(
        m.duration,
        (minutes * 60.0 * 16_000.0) as u64,
        "timeline = sample count"
    );
    assert_eq!(outcome.result.dropped, [0, 0]);
    for (side, talk) in [m.rep.talk, m.prospect.talk].into_iter().enumerate() {
        let want = scripted[side] as f64;
        assert!(
            (talk as f64 - want).abs() < 0.05 * want,
            "side {side}: {talk} vs {want}"
        );
    }
    // Held pauses every cycle: 20 min / 9 s.
    assert!(m.pauses.len() >= 130, "pauses {}", m.pauses.len());
    // Memory: after the first minutes, growth stays within 4 MB (segments are a few bytes each).
    assert!(rss_at.len() >= 15, "{rss_at:?}");
    let early = rss_at[4];
    let late = *rss_at.last().expect("samples");
    assert!(
        late <= early + 4096,
        "RSS grew from {early} kB to {late} kB: {rss_at:?}"
    );
}
