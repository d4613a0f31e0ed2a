//! The recorder: one stereo WAV (rep on channel 0, prospect on channel 1, 32-bit float at
//! the analysis rate) of the frames exactly as analysed, written on a thread of its own so
//! the analysis never waits on the disk beyond a bounded queue.

use std::path::Path;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, bounded};

use crate::error::Error;
use crate::timeline::{ANALYSIS_RATE_HZ, FRAME_LEN_SAMPLES};

/// The recorder thread: one stereo WAV of the frames exactly as analysed.
pub struct Recorder {
    frames: Sender<Option<(Box<[f32; 2 * FRAME_LEN_SAMPLES]>, usize)>>,
    pool: Receiver<Box<[f32; 2 * FRAME_LEN_SAMPLES]>>,
    join: JoinHandle<Result<(), Error>>,
    /// The file, as errors name it.
    name: String,
}

impl Recorder {
    /// Creates the WAV (private: mode 0600) and starts writing it.
    ///
    /// # Errors
    /// [`Error::Output`] naming the file or folder.
    pub fn start(path: &Path) -> Result<Recorder, Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::Output {
                path: dir.display().to_string(),
                what: e.to_string(),
            })?;
        }
        let file = crate::platform::files::create_private(path).map_err(|e| Error::Output {
            path: path.display().to_string(),
            what: e.to_string(),
        })?;
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: ANALYSIS_RATE_HZ,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut writer =
            hound::WavWriter::new(std::io::BufWriter::new(file), spec).map_err(|e| {
                Error::Output {
                    path: path.display().to_string(),
                    what: e.to_string(),
                }
            })?;
        let (tx, rx) = bounded::<Option<(Box<[f32; 2 * FRAME_LEN_SAMPLES]>, usize)>>(256);
        let (pool_tx, pool_rx) = bounded(256);
        for _ in 0..64 {
            let _ = pool_tx.try_send(Box::new([0.0; 2 * FRAME_LEN_SAMPLES]));
        }
        let name = path.display().to_string();
        let thread_name = name.clone();
        let join = std::thread::Builder::new()
            .name("recorder".into())
            .spawn(move || {
                let mut failed = None;
                while let Ok(Some((frame, valid))) = rx.recv() {
                    if failed.is_none() {
                        for &v in &frame[..2 * valid] {
                            if let Err(e) = writer.write_sample(v) {
                                failed = Some(e.to_string());
                                break;
                            }
                        }
                    }
                    let _ = pool_tx.try_send(frame);
                }
                let fin = writer.finalize().map_err(|e| e.to_string());
                match (failed, fin) {
                    (Some(what), _) | (None, Err(what)) => Err(Error::Output {
                        path: thread_name,
                        what,
                    }),
                    _ => Ok(()),
                }
            })
            .map_err(|e| Error::Other(format!("cannot start the recorder: {e}")))?;
        Ok(Recorder {
            frames: tx,
            pool: pool_rx,
            join,
            name,
        })
    }

    /// Queues one frame of both sides, of which `valid` samples are audio.
    pub fn push(&self, rep: &[f32], prospect: &[f32], valid: usize) {
        let mut frame = self
            .pool
            .try_recv()
            .unwrap_or_else(|_| Box::new([0.0; 2 * FRAME_LEN_SAMPLES]));
        for i in 0..valid {
            frame[2 * i] = rep[i];
            frame[2 * i + 1] = prospect[i];
        }
        // The recorder writes only the valid part (a partial frame ends a recording).
        let _ = self.frames.send(Some((frame, valid)));
    }

    /// Writes what is queued and finalises the WAV.
    ///
    /// # Errors
    /// [`Error::Output`] naming the file and what went wrong writing it.
    pub fn finish(self) -> Result<(), Error> {
        let _ = self.frames.send(None);
        self.join.join().map_err(|_| Error::Output {
            path: self.name,
            what: "the recorder thread failed".into(),
        })?
    }
}
