//! Frame sources: anything that yields the rep's and the prospect's audio as matching
//! 10 ms frames at the analysis rate. Recordings, live capture and test signals all
//! implement [`FrameSource`], so the analysis never knows where audio comes from.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use super::InputError;
use super::decode::AudioReader;
use super::resample::ToAnalysisRate;
use crate::timeline::FRAME_LEN_SAMPLES;

/// Name of the bundled demo call, as reports show it.
pub const DEMO_NAME: &str = "demo-call.wav (bundled)";
/// The bundled demo call: synthesized by `tools/make-demo-call.py`.
static DEMO_WAV: &[u8] = include_bytes!("../../assets/demo/demo-call.wav");

/// Why a source stopped delivering audio.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A recording could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// An audio device failed or disappeared.
    #[error("audio device '{device}': {what}")]
    Device {
        /// The device.
        device: String,
        /// What happened.
        what: String,
    },
}

/// One frame of both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameFill {
    /// Samples of real audio in this frame (the rest is zero padding at the end of a call).
    pub valid_samples: usize,
}

/// Yields both sides as matching frames of [`FRAME_LEN_SAMPLES`] samples at the analysis rate.
pub trait FrameSource {
    /// Fills `rep` and `prospect` with the next frame. `Ok(None)` at the end of the call.
    ///
    /// # Errors
    /// [`SourceError`] when the recording or device fails.
    fn next_frame(
        &mut self,
        rep: &mut [f32],
        prospect: &mut [f32],
    ) -> Result<Option<FrameFill>, SourceError>;

    /// Audio lost before it reached the source (overflowing capture rings), in samples at
    /// the analysis rate, per side.
    fn dropped_samples(&self) -> [u64; 2] {
        [0, 0]
    }
}

/// Which recording(s) hold the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallFiles {
    /// One file with both parties on separate channels.
    Channels {
        /// The recording.
        path: PathBuf,
        /// Channel of the rep.
        rep_channel: usize,
        /// Channel of the prospect.
        prospect_channel: usize,
    },
    /// One file per party (mono, or channel 0 of each).
    Pair {
        /// The rep's recording.
        rep: PathBuf,
        /// The prospect's recording.
        prospect: PathBuf,
    },
}

impl CallFiles {
    /// A short name for reports.
    pub fn describe(&self) -> String {
        match self {
            CallFiles::Channels { path, .. } => path.display().to_string(),
            CallFiles::Pair { rep, prospect } => {
                format!("{} + {}", rep.display(), prospect.display())
            }
        }
    }
}

/// One decoder feeding one or two sides.
struct Feed {
    reader: AudioReader,
    /// (channel in the file, side index 0 = rep, 1 = prospect)
    taps: Vec<(usize, usize)>,
    ended: bool,
    scratch: Vec<f32>,
}

/// A recording read as a call, block by block (memory does not grow with its length).
pub struct FileSource {
    feeds: Vec<Feed>,
    resamplers: [ToAnalysisRate; 2],
    fifos: [VecDeque<f32>; 2],
}

impl std::fmt::Debug for FileSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileSource").finish_non_exhaustive()
    }
}

fn resampler(path: &Path, rate_hz: u32) -> Result<ToAnalysisRate, InputError> {
    ToAnalysisRate::new(rate_hz).map_err(|what| InputError::Unsupported {
        path: path.to_path_buf(),
        what,
    })
}

fn check_channel(reader: &AudioReader, channel: usize, who: &str) -> Result<(), InputError> {
    let channels = reader.info().channels;
    if channel >= channels {
        return Err(InputError::Invalid {
            path: reader.path().to_path_buf(),
            what: format!(
                "has {channels} channel(s), so there is no channel {channel} for the {who} (channels count from 0)"
            ),
        });
    }
    Ok(())
}

impl FileSource {
    /// Opens the recording(s) of a call.
    ///
    /// # Errors
    /// [`InputError`] naming the file: unreadable, unsupported, a mono mix given alone,
    /// a channel that does not exist.
    pub fn open(files: &CallFiles) -> Result<FileSource, InputError> {
        match files {
            CallFiles::Channels {
                path,
                rep_channel,
                prospect_channel,
            } => FileSource::from_reader(AudioReader::open(path)?, *rep_channel, *prospect_channel),
            CallFiles::Pair { rep, prospect } => {
                let r = AudioReader::open(rep)?;
                let p = AudioReader::open(prospect)?;
                let resamplers = [
                    resampler(rep, r.info().rate_hz)?,
                    resampler(prospect, p.info().rate_hz)?,
                ];
                Ok(FileSource {
                    feeds: vec![
                        Feed {
                            reader: r,
                            taps: vec![(0, 0)],
                            ended: false,
                            scratch: Vec::new(),
                        },
                        Feed {
                            reader: p,
                            taps: vec![(0, 1)],
                            ended: false,
                            scratch: Vec::new(),
                        },
                    ],
                    resamplers,
                    fifos: [VecDeque::new(), VecDeque::new()],
                })
            }
        }
    }

    /// The bundled demo call (rep on channel 0, prospect on channel 1), from memory.
    ///
    /// # Errors
    /// [`InputError`] if the bundled audio cannot be decoded.
    pub fn demo() -> Result<FileSource, InputError> {
        let reader = AudioReader::open_bytes(Path::new(DEMO_NAME), DEMO_WAV)?;
        FileSource::from_reader(reader, 0, 1)
    }

    /// A call from one opened recording with both parties on separate channels.
    ///
    /// # Errors
    /// [`InputError`]: a mono mix, a channel that does not exist, the same channel twice.
    pub fn from_reader(
        reader: AudioReader,
        rep_channel: usize,
        prospect_channel: usize,
    ) -> Result<FileSource, InputError> {
        let path = reader.path().to_path_buf();
        let info = reader.info();
        if info.channels < 2 {
            return Err(InputError::Invalid {
                path,
                what: "is mono (one mixed channel): tacet needs the rep and the prospect on separate channels; give a stereo recording, or two files with --rep REP --prospect PRO".into(),
            });
        }
        check_channel(&reader, rep_channel, "rep")?;
        check_channel(&reader, prospect_channel, "prospect")?;
        if rep_channel == prospect_channel {
            return Err(InputError::Invalid {
                path,
                what: format!(
                    "rep and prospect are both channel {rep_channel}; give different channels"
                ),
            });
        }
        let resamplers = [
            resampler(&path, info.rate_hz)?,
            resampler(&path, info.rate_hz)?,
        ];
        Ok(FileSource {
            feeds: vec![Feed {
                reader,
                taps: vec![(rep_channel, 0), (prospect_channel, 1)],
                ended: false,
                scratch: Vec::new(),
            }],
            resamplers,
            fifos: [VecDeque::new(), VecDeque::new()],
        })
    }

    /// Files whose header sizes did not match their length (read as far as the audio goes).
    pub fn repaired_files(&self) -> Vec<PathBuf> {
        self.feeds
            .iter()
            .filter(|f| f.reader.header_repaired())
            .map(|f| f.reader.path().to_path_buf())
            .collect()
    }

    /// Decodes one more block of `feed`. Returns false when it has ended.
    fn pump(&mut self, k: usize) -> Result<bool, InputError> {
        let feed = &mut self.feeds[k];
        if feed.ended {
            return Ok(false);
        }
        let channels = feed.reader.info().channels;
        match feed.reader.next_block()? {
            Some(block) => {
                for &(channel, side) in &feed.taps {
                    feed.scratch.clear();
                    match channels {
                        1 => feed.scratch.extend_from_slice(block),
                        2 => take_stereo_channel(block, channel, &mut feed.scratch),
                        _ => feed
                            .scratch
                            .extend(block.chunks_exact(channels).map(|f| f[channel])),
                    }
                    self.resamplers[side].push(&feed.scratch, &mut self.fifos[side]);
                }
                Ok(true)
            }
            None => {
                feed.ended = true;
                for &(_, side) in &feed.taps {
                    self.resamplers[side].finish(&mut self.fifos[side]);
                }
                Ok(false)
            }
        }
    }
}

impl FrameSource for FileSource {
    fn next_frame(
        &mut self,
        rep: &mut [f32],
        prospect: &mut [f32],
    ) -> Result<Option<FrameFill>, SourceError> {
        // Fill each side's queue to a whole frame, or until its file ends.
        for k in 0..self.feeds.len() {
            loop {
                let short = self.feeds[k]
                    .taps
                    .iter()
                    .any(|&(_, side)| self.fifos[side].len() < FRAME_LEN_SAMPLES);
                if !short || !self.pump(k)? {
                    break;
                }
            }
        }
        let valid = self.fifos[0]
            .len()
            .max(self.fifos[1].len())
            .min(FRAME_LEN_SAMPLES);
        if valid == 0 {
            return Ok(None);
        }
        for (side, out) in [rep, prospect].into_iter().enumerate() {
            let fifo = &mut self.fifos[side];
            let n = fifo.len().min(FRAME_LEN_SAMPLES);
            let (front, back) = fifo.as_slices();
            let from_front = front.len().min(n);
            out[..from_front].copy_from_slice(&front[..from_front]);
            out[from_front..n].copy_from_slice(&back[..n - from_front]);
            fifo.drain(..n);
            out[n..].fill(0.0);
        }
        Ok(Some(FrameFill {
            valid_samples: valid,
        }))
    }
}

/// Appends channel `channel` (0 or 1) of the interleaved stereo `block` to `out`.
fn take_stereo_channel(block: &[f32], channel: usize, out: &mut Vec<f32>) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        unsafe { take_stereo_channel_avx2(block, channel, out) };
        return;
    }
    out.extend(block.as_chunks::<2>().0.iter().map(|f| f[channel]));
}

/// [`take_stereo_channel`] with 256-bit shuffles: 16 samples in, 8 of one channel out.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn take_stereo_channel_avx2(block: &[f32], channel: usize, out: &mut Vec<f32>) {
    use std::arch::x86_64::{
        _mm256_castpd_ps, _mm256_castps_pd, _mm256_loadu_ps, _mm256_permute4x64_pd,
        _mm256_shuffle_ps, _mm256_storeu_ps,
    };
    let frames = block.as_chunks::<2>().0;
    let vectors = frames.len() / 8;
    out.reserve(frames.len());
    let start = out.len();
    for v in 0..vectors {
        // SAFETY: 16 v + 16 <= 2 x frames.len() <= block.len(), and `out` has room for
        // frames.len() >= 8 v + 8 more samples past `start` (reserved above).
        unsafe {
            let a = _mm256_loadu_ps(block.as_ptr().add(16 * v));
            let b = _mm256_loadu_ps(block.as_ptr().add(16 * v + 8));
            // Within each 128-bit half: a[c], a[c + 2], b[c], b[c + 2]; then the halves'
            // 64-bit pairs reordered to a's four, then b's four.
            let picked = if channel == 0 {
                _mm256_shuffle_ps::<0b10_00_10_00>(a, b)
            } else {
                _mm256_shuffle_ps::<0b11_01_11_01>(a, b)
            };
            let ordered = _mm256_permute4x64_pd::<0b11_01_10_00>(_mm256_castps_pd(picked));
            _mm256_storeu_ps(
                out.as_mut_ptr().add(start + 8 * v),
                _mm256_castpd_ps(ordered),
            );
        }
    }
    // SAFETY: the first 8 x vectors new samples were written above.
    unsafe { out.set_len(start + 8 * vectors) };
    out.extend(frames[8 * vectors..].iter().map(|f| f[channel]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stereo_channel_is_taken_whole_and_in_order() {
        let block: Vec<f32> = (0..2 * 37).map(|i| i as f32).collect();
        for channel in [0, 1] {
            let mut out = vec![-1.0];
            take_stereo_channel(&block, channel, &mut out);
            let want: Vec<f32> = std::iter::once(-1.0)
                .chain((0..37).map(|f| (2 * f + channel) as f32))
                .collect();
            assert_eq!(out, want, "channel {channel}");
        }
    }
}
