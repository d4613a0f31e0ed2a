//! Criterion benchmarks of the default speech detector: one 10 ms frame, and a synthesized
//! 10 s clip of noisy harmonic bursts through the whole tracker (also with a far-end
//! reference, as the rep's side runs). With `--features anchors`, the same clip through
//! earshot and WebRTC's VAD for comparison.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tacet::timeline::{ANALYSIS_RATE_HZ, FRAME_LEN_SAMPLES};
use tacet::vad::{FrameClassifier, SpectralClassifier, default_tracker};

/// 10 s at 16 kHz: a 150 Hz harmonic tone switched on and off every 0.5 s over
/// low-level pseudo-random noise (xorshift, fixed seed).
fn synth_clip() -> Vec<f32> {
    let n = 10 * ANALYSIS_RATE_HZ as usize;
    let mut state = 0x2545_f491_u32;
    (0..n)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let noise = (state as f32 / u32::MAX as f32 - 0.5) * 0.01;
            let t = i as f32 / ANALYSIS_RATE_HZ as f32;
            let on = ((t * 2.0) as u32).is_multiple_of(2);
            let voice: f32 = (1..8)
                .map(|h| (2.0 * std::f32::consts::PI * 150.0 * h as f32 * t).sin() / h as f32)
                .sum();
            noise + if on { 0.1 * voice } else { 0.0 }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let clip = synth_clip();

    let mut classifier = SpectralClassifier::new();
    let frame = &clip[..FRAME_LEN_SAMPLES];
    c.bench_function("spectral_classify_frame", |b| {
        b.iter(|| black_box(classifier.classify(black_box(frame), None)))
    });

    let mut group = c.benchmark_group("tracker_clip");
    group.throughput(Throughput::Elements(clip.len() as u64));
    group.bench_function("10s_clip", |b| {
        b.iter(|| {
            let mut tracker = default_tracker();
            let mut edges = 0u32;
            for f in clip.chunks_exact(FRAME_LEN_SAMPLES) {
                tracker.push(f, None, &mut |_| edges += 1);
            }
            tracker.finish(&mut |_| edges += 1);
            black_box(edges)
        })
    });
    let far: Vec<f32> = clip.iter().rev().map(|v| 0.5 * v).collect();
    group.bench_function("10s_clip_with_far_end", |b| {
        b.iter(|| {
            let mut tracker = default_tracker();
            let mut edges = 0u32;
            for (f, r) in clip
                .chunks_exact(FRAME_LEN_SAMPLES)
                .zip(far.chunks_exact(FRAME_LEN_SAMPLES))
            {
                tracker.push(f, Some(r), &mut |_| edges += 1);
            }
            tracker.finish(&mut |_| edges += 1);
            black_box(edges)
        })
    });
    #[cfg(feature = "anchors")]
    {
        group.bench_function("10s_clip_earshot", |b| {
            b.iter(|| {
                let mut det = earshot::Detector::default();
                let mut speech = 0u32;
                for f in clip.chunks_exact(256) {
                    speech += u32::from(det.predict_f32(f) >= 0.5);
                }
                black_box(speech)
            })
        });
        let pcm: Vec<i16> = clip.iter().map(|v| (v * 32767.0) as i16).collect();
        group.bench_function("10s_clip_webrtc_mode0", |b| {
            b.iter(|| {
                let mut vad = webrtc_vad::Vad::new_with_rate_and_mode(
                    webrtc_vad::SampleRate::Rate16kHz,
                    webrtc_vad::VadMode::Quality,
                );
                let mut speech = 0u32;
                for f in pcm.chunks_exact(FRAME_LEN_SAMPLES) {
                    speech += u32::from(vad.is_voice_segment(f).unwrap_or(false));
                }
                black_box(speech)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
