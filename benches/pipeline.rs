//! Criterion benchmarks of the pipeline around the detector: the resampler (48 kHz to the
//! analysis rate), the turn engine (bridging, live tracker and the final figures, per VAD
//! frame), and the whole analysis of a generated two-channel call (made at bench time).

use std::collections::VecDeque;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tacet::audio::resample::ToAnalysisRate;
use tacet::audio::synth::SynthCall;
use tacet::config::Config;

#[path = "support/scripted_turns.rs"]
mod scripted_turns;
use scripted_turns::run_scripted_turns;

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
        b.iter(|| black_box(run_scripted_turns(black_box(frames), &config)))
    });
    group.finish();

    let mut group = c.benchmark_group("analysis");
    group.sample_size(10);
    group.throughput(Throughput::Elements(60 * 16_000));
    group.bench_function("synthetic_call_60s", |b| {
        b.iter(|| {
            let mut call = SynthCall::new(60.0);
            let result = tacet::session::run_to_end(&mut call, &config, &mut |_| {});
            black_box(result.map(|r| r.metrics.pauses.len()).unwrap_or(0))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
