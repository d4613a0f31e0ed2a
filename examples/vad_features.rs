//! Writes the spectral classifier's per-frame band SNRs for WAV files, the input of the
//! learned frame stage's training (`tools/train_vad.py`).
//!
//! `cargo run --release --example vad_features -- FILE.wav...` writes `FILE.wav.snr`: per
//! 10 ms frame, the clamped SNR of each of the `NUM_BANDS` bands (dB) and the frame's RMS
//! level (dBFS), as little-endian f32.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use tacet::eval;
use tacet::timeline::FRAME_LEN_SAMPLES;
use tacet::vad::SpectralClassifier;

fn main() -> Result<()> {
    for arg in std::env::args().skip(1) {
        let path = Path::new(&arg);
        let audio = eval::read_wav_16k(path)?;
        let mut classifier = SpectralClassifier::new();
        let mut out = Vec::new();
        for frame in audio.chunks_exact(FRAME_LEN_SAMPLES) {
            classifier.analyze(frame);
            for v in classifier.band_snr_db() {
                out.extend_from_slice(&v.to_le_bytes());
            }
            let energy = frame.iter().map(|v| v * v).sum::<f32>() / frame.len() as f32;
            let level_dbfs = 10.0 * energy.max(1e-20).log10();
            out.extend_from_slice(&level_dbfs.to_le_bytes());
        }
        std::fs::File::create(format!("{arg}.snr"))?.write_all(&out)?;
    }
    Ok(())
}
