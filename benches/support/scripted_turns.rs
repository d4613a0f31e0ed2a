//! A scripted turn-taking workload shared by `benches/pipeline.rs` and
//! `examples/perf_report.rs`: both sides' speech edges (each talks 3 s of every 7, offset by
//! 3.5 s) through bridging and the live tracker, frame by frame, then the final figures.

use tacet::config::Config;
use tacet::conversation::engine::{Thresholds, analyze};
use tacet::conversation::{Bridger, LiveTracker};
use tacet::timeline::{Party, Span};
use tacet::vad::Edge;

/// Runs `frames` VAD frames of the script; returns events emitted plus pauses found.
pub fn run_scripted_turns(frames: u64, config: &Config) -> usize {
    let mut bridgers = [Bridger::new(4_800), Bridger::new(4_800)];
    let mut live = LiveTracker::new(config);
    let mut segs: [Vec<Span>; 2] = [Vec::new(), Vec::new()];
    let mut events = 0usize;
    for f in 0..frames {
        let t = f * 160;
        for (side, party) in [Party::Rep, Party::Prospect].into_iter().enumerate() {
            let edge = match (f + side as u64 * 350) % 700 {
                0 => Some(Edge::Start(t)),
                300 => Some(Edge::End(t)),
                _ => None,
            };
            if let Some(e) = edge {
                if let Some(span) = bridgers[side].edge(e) {
                    segs[side].push(span);
                    live.speech_end(party, span, &mut |_| events += 1);
                }
                if matches!(e, Edge::Start(_)) {
                    live.speech_start(party, t, &mut |_| events += 1);
                }
            }
            if let Some(span) = bridgers[side].advance(t) {
                segs[side].push(span);
                live.speech_end(party, span, &mut |_| events += 1);
            }
        }
        live.advance(t, &mut |_| events += 1);
    }
    let m = analyze(
        &segs[0],
        &segs[1],
        frames * 160,
        &[],
        &Thresholds::from_config(config),
    );
    events + m.pauses.len()
}
