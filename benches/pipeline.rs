//! Criterion benchmarks of the pipeline around the detector: the resampler (48 kHz to the
//! analysis rate), the turn engine (bridging, live tracker and the final figures, per VAD
//! frame), and the whole analysis of a generated two-channel call (made at bench time).

use std::collections::VecDeque;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tacet::audio::resample::ToAnalysisRate;
use tacet::audio::synth::SynthCall;
use tacet::config::Config;
use tacet::conversation::engine::{Thresholds, analyze};
use tacet::conversation::{Bridger, LiveTracker};
use tacet::timeline::{Party, Span};
use tacet::vad::Edge;

/// Frames of scripted speech edges: each side talks 3 s of every 7, offset by 3.5 s.
fn run_engine(frames: u64, config: &Config) -> usize {
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

fn bench(c: &mut Criterion) {
    let config = Config::default();

    let input: Vec<f32> = (0..48_000)
        .map(|i| (i as f32 * 0.031).sin() * 0.3)
        .collect();
    let mut group = c.benchmark_group("resample");
    group.throughput(Throughput::Elements(input.len() as u64));
    group.bench_function("48k_to_16k_1s", |b| {
        let mut r = ToAnalysisRate::new(48_000).expect("resampler");
        let mut out = VecDeque::with_capacity(32_000);
        b.iter(|| {
            r.push(black_box(&input), &mut out);
            out.clear();
        })
    });
    group.finish();

    let mut group = c.benchmark_group("turn_engine");
    let frames = 100_000u64;
    group.throughput(Throughput::Elements(frames));
    group.bench_function("100k_frames", |b| {
        b.iter(|| black_box(run_engine(black_box(frames), &config)))
    });
    group.finish();

    let mut group = c.benchmark_group("analysis");
    group.sample_size(10);
    group.throughput(Throughput::Elements(60 * 16_000));
    group.bench_function("synthetic_call_60s", |b| {
        b.iter(|| {
            let mut call = SynthCall::new(60.0);
            let result = tacet::analysis::run_source(&mut call, &config, &mut |_| {});
            black_box(result.map(|r| r.metrics.pauses.len()).unwrap_or(0))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
