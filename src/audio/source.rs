//! Frame sources: anything that yields the rep's and the prospect's audio as matching
//! 10 ms frames at the analysis rate. Recordings, live capture and test signals all
//! implement [`FrameSource`], so the analysis never knows where audio comes from.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use super::InputError;
use super::decode::AudioReader;
use super::resample::ToAnalysisRate;
use crate::timeline::{ANALYSIS_RATE_HZ, FRAME_LEN_SAMPLES, Samples, samples_to_s};
use crate::warning::{Warning, WarningCode};

/// Two files of one call (`--rep`, `--prospect`) further apart in length than this get a
/// `lengths_differ` warning, in samples at the analysis rate (1 s).
pub const LENGTHS_DIFFER_SAMPLES: Samples = ANALYSIS_RATE_HZ as Samples;

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

    /// What the source saw that makes the figures doubtful (a live device that stalled).
    fn warnings(&self) -> Vec<Warning> {
        Vec::new()
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
    /// The last block's samples of each tap's channel.
    scratch: [Vec<f32>; 2],
}

/// A recording read as a call, block by block (memory does not grow with its length).
pub struct FileSource {
    feeds: Vec<Feed>,
    resamplers: [ToAnalysisRate; 2],
    fifos: [VecDeque<f32>; 2],
    /// Samples of real audio delivered per side (padding excluded).
    delivered: [Samples; 2],
    /// The two files of a call given one per side (rep, prospect).
    pair: Option<[PathBuf; 2]>,
}

impl std::fmt::Debug for FileSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileSource").finish_non_exhaustive()
    }
}

fn resampler(path: &Path, rate_hz: u32) -> Result<ToAnalysisRate, InputError> {
    ToAnalysisRate::new(rate_hz).map_err(|e| InputError::Unsupported {
        path: path.to_path_buf(),
        what: e.to_string(),
    })
}

fn check_channel(reader: &AudioReader, channel: usize, who: &str) -> Result<(), InputError> {
    let channels = reader.info().channels;
    if channel >= channels {
        return Err(InputError::Channel {
            path: reader.path().to_path_buf(),
            what: format!(
                "has {channels} channel(s), so there is no channel {channel} for the {who} (channels count from 0); choose one with --{who}-channel"
            ),
        });
    }
    Ok(())
}

/// What a mono recording lacks (the command adds what to give instead).
pub const MONO: &str =
    "is mono (one mixed channel): tacet needs the rep and the prospect on separate channels";

impl FileSource {
    /// Opens the recording(s) of a call.
    ///
    /// # Errors
    /// [`InputError`] naming the file: unreadable, unsupported, a mono mix given alone
    /// ([`InputError::Invalid`] whose text is [`MONO`]), a channel that does not exist
    /// ([`InputError::Channel`]).
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
                            scratch: [Vec::new(), Vec::new()],
                        },
                        Feed {
                            reader: p,
                            taps: vec![(0, 1)],
                            ended: false,
                            scratch: [Vec::new(), Vec::new()],
                        },
                    ],
                    resamplers,
                    fifos: [VecDeque::new(), VecDeque::new()],
                    delivered: [0, 0],
                    pair: Some([rep.clone(), prospect.clone()]),
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
    /// [`InputError`]: a mono mix ([`InputError::Invalid`] whose text is [`MONO`]); a
    /// channel that does not exist, or the same channel twice ([`InputError::Channel`]).
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
                what: MONO.into(),
            });
        }
        if rep_channel == prospect_channel {
            return Err(InputError::Channel {
                path,
                what: format!(
                    "the rep and the prospect are both channel {rep_channel}; give different channels with --rep-channel and --prospect-channel"
                ),
            });
        }
        check_channel(&reader, rep_channel, "rep")?;
        check_channel(&reader, prospect_channel, "prospect")?;
        let resamplers = [
            resampler(&path, info.rate_hz)?,
            resampler(&path, info.rate_hz)?,
        ];
        Ok(FileSource {
            feeds: vec![Feed {
                reader,
                taps: vec![(rep_channel, 0), (prospect_channel, 1)],
                ended: false,
                scratch: [Vec::new(), Vec::new()],
            }],
            resamplers,
            fifos: [VecDeque::new(), VecDeque::new()],
            delivered: [0, 0],
            pair: None,
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

    /// One channel of a recording on the rep's side, and another as the far end if given
    /// (what `tacet vad` reads), decoded and resampled as a call is. The caller has checked
    /// that the channels exist.
    ///
    /// # Errors
    /// [`InputError::Unsupported`] for a sample rate that cannot be resampled.
    pub fn one_side(
        reader: AudioReader,
        channel: usize,
        far: Option<usize>,
    ) -> Result<FileSource, InputError> {
        let path = reader.path().to_path_buf();
        let rate_hz = reader.info().rate_hz;
        let mut taps = vec![(channel, 0)];
        taps.extend(far.map(|c| (c, 1)));
        Ok(FileSource {
            feeds: vec![Feed {
                reader,
                taps,
                ended: false,
                scratch: [Vec::new(), Vec::new()],
            }],
            resamplers: [resampler(&path, rate_hz)?, resampler(&path, rate_hz)?],
            fifos: [VecDeque::new(), VecDeque::new()],
            delivered: [0, 0],
            pair: None,
        })
    }

    /// Decodes one more block of `feed`. Returns false when it has ended.
    fn pump(&mut self, k: usize) -> Result<bool, InputError> {
        let feed = &mut self.feeds[k];
        if feed.ended {
            return Ok(false);
        }
        let mut wanted = [0usize; 2];
        for (w, &(channel, _)) in wanted.iter_mut().zip(&feed.taps) {
            *w = channel;
        }
        let taps = feed.taps.len();
        match feed
            .reader
            .next_channels(&wanted[..taps], &mut feed.scratch[..taps])?
        {
            true => {
                for (&(_, side), samples) in feed.taps.iter().zip(&feed.scratch) {
                    self.resamplers[side].push(samples, &mut self.fifos[side]);
                }
                Ok(true)
            }
            false => {
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
            self.delivered[side] += n as Samples;
        }
        Ok(Some(FrameFill {
            valid_samples: valid,
        }))
    }

    /// `lengths_differ` when the call's two files, read to their end, are more than
    /// [`LENGTHS_DIFFER_SAMPLES`] apart in length (the shorter one was padded).
    fn warnings(&self) -> Vec<Warning> {
        let Some([rep, prospect]) = &self.pair else {
            return Vec::new();
        };
        let [rep_len, prospect_len] = self.delivered;
        let ended = self.feeds.iter().all(|f| f.ended) && self.fifos.iter().all(VecDeque::is_empty);
        if !ended || rep_len.abs_diff(prospect_len) <= LENGTHS_DIFFER_SAMPLES {
            return Vec::new();
        }
        let shorter = if rep_len < prospect_len {
            "rep's"
        } else {
            "prospect's"
        };
        vec![Warning {
            code: WarningCode::LengthsDiffer,
            party: None,
            message: format!(
                "The rep's file '{}' ({:.1} s) and the prospect's file '{}' ({:.1} s) differ in length by {:.1} s: the {shorter} side was padded with silence at the end. Check that both files are of the same call and start at the same moment.",
                rep.display(),
                samples_to_s(rep_len),
                prospect.display(),
                samples_to_s(prospect_len),
                samples_to_s(rep_len.abs_diff(prospect_len))
            ),
        }]
    }
}

/// A stretch of another source, as if it were the whole call: the frames from `start` to
/// `end` (samples at the analysis rate, taken to whole frames: the start down, the end up).
/// A call split out of a day's recording is analysed through it.
pub struct Stretch<S> {
    inner: S,
    /// First and one-past-last frame of the stretch.
    frames: (u64, u64),
    /// Frames read from `inner` so far.
    pos: u64,
}

impl<S: FrameSource> Stretch<S> {
    /// The frames of `inner` that cover `start..end`.
    pub fn new(inner: S, start: Samples, end: Samples) -> Stretch<S> {
        let frame = FRAME_LEN_SAMPLES as u64;
        Stretch {
            inner,
            frames: (start / frame, end.div_ceil(frame)),
            pos: 0,
        }
    }
}

impl<S: FrameSource> FrameSource for Stretch<S> {
    fn next_frame(
        &mut self,
        rep: &mut [f32],
        prospect: &mut [f32],
    ) -> Result<Option<FrameFill>, SourceError> {
        while self.pos < self.frames.0 {
            if self.inner.next_frame(rep, prospect)?.is_none() {
                return Ok(None);
            }
            self.pos += 1;
        }
        if self.pos >= self.frames.1 {
            return Ok(None);
        }
        self.pos += 1;
        self.inner.next_frame(rep, prospect)
    }

    fn dropped_samples(&self) -> [u64; 2] {
        self.inner.dropped_samples()
    }

    fn warnings(&self) -> Vec<Warning> {
        self.inner.warnings()
    }
}
