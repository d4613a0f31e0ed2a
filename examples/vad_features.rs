//! Writes the learned speech model's per-frame features for WAV files, the input of its
//! training (`tools/train_vad.py`).
//!
//! `cargo run --release --example vad_features -- FILE.wav...` writes `FILE.wav.feat`: per
//! 10 ms frame, the `NUM_FEATURES` features of `tacet::vad::features` and the frame's RMS
//! level (dBFS), as little-endian f32. A two-channel file is a microphone (channel 0) with
//! its far-end reference (channel 1), as the rep's side of a call is analysed.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use tacet::timeline::FRAME_LEN_SAMPLES;
use tacet::vad::SpectralClassifier;
use tacet::vad::features::{FeatureExtractor, NUM_FEATURES};
use tacet_eval as eval;

fn main() -> Result<()> {
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        let channels = eval::read_wav_channels_16k(path)?;
        let Some(mic) = channels.first() else {
            continue;
        };
        let reference = channels.get(1);
        let mut front = SpectralClassifier::new();
        let mut extractor = FeatureExtractor::new();
        let mut features = [0f32; NUM_FEATURES];
        let mut out = Vec::new();
        for (i, frame) in mic.chunks_exact(FRAME_LEN_SAMPLES).enumerate() {
            let far = reference.map(|r| &r[i * FRAME_LEN_SAMPLES..(i + 1) * FRAME_LEN_SAMPLES]);
            front.analyze_with_reference(frame, far);
            extractor.compute(&front, &mut features);
            for v in features {
                out.extend_from_slice(&v.to_le_bytes());
            }
            let level_dbfs = 10.0 * front.frame_mean_square().max(1e-20).log10();
            out.extend_from_slice(&level_dbfs.to_le_bytes());
        }
        std::fs::File::create(format!("{arg}.feat"))?.write_all(&out)?;
    }
    Ok(())
}
