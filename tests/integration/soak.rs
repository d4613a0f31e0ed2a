//! Long sessions stay flat: a long call (the demo call played over and over) pushed through
//! the session pipeline at full speed keeps memory flat, drops nothing, its timeline equals
//! the sample count, and every pass of the demo call gets the same talk time; a working day
//! of many calls split as `tacet live` splits it keeps memory flat too and hands over every
//! call, each where it was. (The 8-hour versions: `cargo run --release --example soak --
//! --hours 8`, and with `--day`.)

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tacet::audio::source::{FrameFill, FrameSource, SourceError};
use tacet::audio::synth::SynthDay;
use tacet::config::Config;
use tacet::session::{Pacing, SessionMsg, SessionOptions, spawn};
use tacet::timeline::{FRAME_LEN_SAMPLES, Party, Samples};

use crate::common::{demo_wav, memory_lock};

/// The demo call's two sides, looped to a given length.
struct Looped {
    sides: [Vec<f32>; 2],
    total: Samples,
    t: Samples,
}

impl FrameSource for Looped {
    fn next_frame(
        &mut self,
        rep: &mut [f32],
        prospect: &mut [f32],
    ) -> Result<Option<FrameFill>, SourceError> {
        if self.t >= self.total {
            return Ok(None);
        }
        let len = self.sides[0].len() as Samples;
        for i in 0..FRAME_LEN_SAMPLES {
            let at = ((self.t + i as Samples) % len) as usize;
            rep[i] = self.sides[0][at];
            prospect[i] = self.sides[1][at];
        }
        self.t += FRAME_LEN_SAMPLES as Samples;
        Ok(Some(FrameFill {
            valid_samples: FRAME_LEN_SAMPLES,
        }))
    }
}

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
    let _alone = memory_lock();
    let mut ch = tacet_eval::read_wav_channels_16k(&demo_wav()).expect("demo call readable");
    let prospect = ch.pop().expect("two channels");
    let rep = ch.pop().expect("two channels");
    // Whole frames, so that every pass starts on a frame edge.
    let pass = (rep.len() / FRAME_LEN_SAMPLES * FRAME_LEN_SAMPLES) as Samples;
    let passes = 8;
    let call = Looped {
        sides: [
            rep[..pass as usize].to_vec(),
            prospect[..pass as usize].to_vec(),
        ],
        total: pass * passes,
        t: 0,
    };
    let minutes = (pass * passes) as f64 / 16_000.0 / 60.0;
    assert!(minutes > 20.0, "{minutes} min");
    let handle = spawn(
        Box::new(call),
        &Config::default(),
        SessionOptions {
            pacing: Pacing::Free,
            record: None,
            max_duration: None,
            stop_flag: Arc::new(AtomicBool::new(false)),
            snapshots: true,
            split: false,
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
    assert_eq!(m.duration, pass * passes, "timeline = sample count");
    assert_eq!(outcome.result.dropped, [0, 0]);
    // Talk per pass and side (a segment counts in the pass where it starts): the later
    // passes equal the second one within 1% (the first starts from silence).
    let mut talk = vec![[0 as Samples; 2]; passes as usize];
    for seg in &m.segments {
        let k = ((seg.span.start / pass) as usize).min(passes as usize - 1);
        let side = usize::from(seg.party == Party::Prospect);
        talk[k][side] += seg.span.end - seg.span.start;
    }
    for (k, t) in talk.iter().enumerate().skip(2) {
        for side in 0..2 {
            let want = talk[1][side] as f64;
            assert!(want > 0.2 * pass as f64, "pass 1 side {side}: {want}");
            assert!(
                (t[side] as f64 - want).abs() <= 0.01 * want,
                "pass {k} side {side}: {} vs {want}",
                t[side]
            );
        }
    }
    // The demo call's pauses, the same number in every pass after the first.
    let mut pauses = vec![0usize; passes as usize];
    for p in &m.pauses {
        pauses[((p.span.start / pass) as usize).min(passes as usize - 1)] += 1;
    }
    assert!(pauses[1] >= 5, "pauses per pass {pauses:?}");
    assert!(
        pauses[2..].iter().all(|&n| n == pauses[1]),
        "pauses per pass {pauses:?}"
    );
    // Memory: after the first minutes, growth stays within 4 MB (segments are a few bytes each).
    assert!(rss_at.len() >= 15, "{rss_at:?}");
    let early = rss_at[4];
    let late = *rss_at.last().expect("samples");
    assert!(
        late <= early + 4096,
        "RSS grew from {early} kB to {late} kB: {rss_at:?}"
    );
}

/// A working day through the session pipeline, split into calls: 16 times 12 s of quiet, a
/// call (the demo call's first 60 s), 12 s of quiet and 15 s of the call's prospect side
/// alone, a video nobody answers (with `call_end_silence_s = 10` and
/// `call_start_window_s = 8`, so the day is short): every call is handed over, each from
/// its first speech to a pause after its last, the video is in none, and memory stays flat
/// while calls come and go.
#[test]
fn a_working_day_of_many_calls_stays_flat_and_hands_over_every_call() {
    let _alone = memory_lock();
    let mut ch = tacet_eval::read_wav_channels_16k(&demo_wav()).expect("demo call readable");
    let mut prospect = ch.pop().expect("two channels");
    let mut rep = ch.pop().expect("two channels");
    rep.truncate(60 * 16_000);
    prospect.truncate(60 * 16_000);
    let day = SynthDay::new([rep, prospect], 16, 12.0, 15.0);
    let scripted = day.calls();
    let total = day.total();
    let config = Config {
        call_end_silence_s: 10.0,
        call_start_window_s: 8.0,
        ..Config::default()
    };
    let handle = spawn(
        Box::new(day),
        &config,
        SessionOptions {
            pacing: Pacing::Free,
            record: None,
            max_duration: None,
            stop_flag: Arc::new(AtomicBool::new(false)),
            snapshots: true,
            split: true,
        },
    )
    .expect("spawn");
    let calls = handle.calls.clone();
    let mut rss_at = Vec::new();
    let mut last_now = 0;
    let mut between_seen = false;
    for msg in handle.messages.iter() {
        match msg {
            SessionMsg::Snapshot(s) => {
                if s.now / (60 * 16_000) > last_now / (60 * 16_000) {
                    rss_at.push(rss_kb());
                }
                let view = s.calls.expect("a split session says where it stands");
                between_seen |= view.call_start.is_none() && view.day.calls > 0;
                last_now = s.now;
            }
            SessionMsg::Ended => break,
            SessionMsg::Event(_) => {}
        }
    }
    let outcome = handle.join().expect("join");
    assert!(outcome.error.is_none());
    assert_eq!(
        outcome.result.metrics.duration, total,
        "timeline = sample count"
    );
    assert!(between_seen, "the dashboard saw the time between calls");
    let got: Vec<_> = calls.iter().collect();
    assert_eq!(got.len(), scripted.len(), "every call handed over");
    // At its first speech (0.5 s into the call's audio, within 0.2 s), a pause after its
    // last (the cut at the end of the call's audio, within 0.5 s).
    for (k, (call, &(start, end_of_audio))) in got.iter().zip(&scripted).enumerate() {
        assert_eq!(call.number, k + 1);
        let end = call.start + call.result.metrics.duration;
        assert!(
            call.start.abs_diff(start + 8_000) <= 3_200
                && end.abs_diff(end_of_audio + 16_000) <= 8_000,
            "call {k}: {}..{end}, its audio {start}..{end_of_audio}",
            call.start
        );
        assert!(call.result.metrics.rep.talk > 0 && call.result.metrics.prospect.talk > 0);
    }
    // Memory: after the first minutes, growth stays within 4 MB.
    assert!(rss_at.len() >= 15, "{rss_at:?}");
    let early = rss_at[4];
    let late = *rss_at.last().expect("samples");
    assert!(
        late <= early + 4096,
        "RSS grew from {early} kB to {late} kB: {rss_at:?}"
    );
}
