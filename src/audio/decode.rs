//! Streaming decoder for recordings: WAV (PCM 8-32 bit, float, G.711 mu-law/A-law), FLAC
//! and MP3 through symphonia, one packet at a time, so memory does not grow with length.

use std::fs::File;
use std::path::{Path, PathBuf};

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_NULL, Decoder, DecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use super::InputError;

/// Lowest sample rate accepted, Hz.
pub const MIN_RATE_HZ: u32 = 8_000;
/// Highest sample rate accepted, Hz.
pub const MAX_RATE_HZ: u32 = 192_000;
/// Most channels accepted.
pub const MAX_CHANNELS: usize = 8;

/// What a recording holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioInfo {
    /// Sample rate, Hz.
    pub rate_hz: u32,
    /// Channel count.
    pub channels: usize,
    /// Frames per channel, when the container says.
    pub frames: Option<u64>,
}

/// A recording being decoded block by block into interleaved f32 samples.
pub struct AudioReader {
    path: PathBuf,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn Decoder>,
    track_id: u32,
    info: AudioInfo,
    buffer: Option<SampleBuffer<f32>>,
    done: bool,
}

impl std::fmt::Debug for AudioReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioReader")
            .field("path", &self.path)
            .field("info", &self.info)
            .finish()
    }
}

fn sym_error(path: &Path, e: SymError) -> InputError {
    match e {
        SymError::IoError(source) => {
            if source.kind() == std::io::ErrorKind::UnexpectedEof {
                InputError::Corrupt {
                    path: path.to_path_buf(),
                    what: "the file ends before its header does (truncated or not audio)".into(),
                }
            } else {
                InputError::Open {
                    path: path.to_path_buf(),
                    source,
                }
            }
        }
        SymError::Unsupported(what) => InputError::Unsupported {
            path: path.to_path_buf(),
            what: format!(
                "{what} (tacet reads WAV PCM/float/mu-law/A-law, FLAC and MP3; convert with e.g. 'sox in.wav -e signed-integer out.wav')"
            ),
        },
        SymError::DecodeError(what) | SymError::LimitError(what) => InputError::Corrupt {
            path: path.to_path_buf(),
            what: what.to_string(),
        },
        other => InputError::Corrupt {
            path: path.to_path_buf(),
            what: other.to_string(),
        },
    }
}

impl AudioReader {
    /// Opens a recording and checks that tacet can analyse it.
    ///
    /// # Errors
    /// [`InputError`] naming the file: unreadable, not audio, unsupported codec, damaged,
    /// 0 or more than [`MAX_CHANNELS`] channels, a rate outside 8-192 kHz.
    pub fn open(path: &Path) -> Result<AudioReader, InputError> {
        let meta = std::fs::metadata(path).map_err(|source| InputError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        if meta.is_dir() {
            return Err(InputError::Invalid {
                path: path.to_path_buf(),
                what: "is a directory, not a recording (give a .wav, .flac or .mp3 file)".into(),
            });
        }
        let file = File::open(path).map_err(|source| InputError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        AudioReader::from_media(path, Box::new(file))
    }

    /// Opens a recording held in memory (the bundled demo call); `name` is used in messages
    /// and for the format hint.
    ///
    /// # Errors
    /// As [`AudioReader::open`].
    pub fn open_bytes(name: &Path, bytes: &'static [u8]) -> Result<AudioReader, InputError> {
        AudioReader::from_media(name, Box::new(std::io::Cursor::new(bytes)))
    }

    fn from_media(
        path: &Path,
        media: Box<dyn symphonia::core::io::MediaSource>,
    ) -> Result<AudioReader, InputError> {
        let mss = MediaSourceStream::new(media, Default::default());
        let mut hint = Hint::new();
        if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
            hint.with_extension(ext);
        }
        let probed = symphonia::default::get_probe()
            .format(
                &hint,
                mss,
                &FormatOptions::default(),
                &MetadataOptions::default(),
            )
            .map_err(|e| match e {
                SymError::Unsupported(_) => InputError::Unsupported {
                    path: path.to_path_buf(),
                    what: "not a recognised audio file (tacet reads WAV, FLAC and MP3)".into(),
                },
                other => sym_error(path, other),
            })?;
        let format = probed.format;
        let track = format
            .tracks()
            .iter()
            .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
            .ok_or_else(|| InputError::Invalid {
                path: path.to_path_buf(),
                what: "holds no audio track".into(),
            })?;
        let params = track.codec_params.clone();
        let track_id = track.id;
        let rate_hz = params.sample_rate.ok_or_else(|| InputError::Invalid {
            path: path.to_path_buf(),
            what: "does not state its sample rate".into(),
        })?;
        if !(MIN_RATE_HZ..=MAX_RATE_HZ).contains(&rate_hz) {
            return Err(InputError::Invalid {
                path: path.to_path_buf(),
                what: format!(
                    "sample rate {rate_hz} Hz is outside {MIN_RATE_HZ}-{MAX_RATE_HZ} Hz; resample it first"
                ),
            });
        }
        let channels = params.channels.map(|c| c.count()).unwrap_or(0);
        if channels == 0 || channels > MAX_CHANNELS {
            return Err(InputError::Invalid {
                path: path.to_path_buf(),
                what: format!("has {channels} channels; tacet reads 1 to {MAX_CHANNELS}"),
            });
        }
        let decoder = symphonia::default::get_codecs()
            .make(&params, &DecoderOptions::default())
            .map_err(|e| sym_error(path, e))?;
        Ok(AudioReader {
            path: path.to_path_buf(),
            format,
            decoder,
            track_id,
            info: AudioInfo {
                rate_hz,
                channels,
                frames: params.n_frames,
            },
            buffer: None,
            done: false,
        })
    }

    /// What the recording holds.
    pub fn info(&self) -> AudioInfo {
        self.info
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Decodes the next block. Returns interleaved samples (`channels` per frame), or `None`
    /// at the end. Non-finite samples come back as 0.
    ///
    /// # Errors
    /// [`InputError::Corrupt`] when the stream is damaged beyond recovery.
    pub fn next_block(&mut self) -> Result<Option<&[f32]>, InputError> {
        loop {
            if self.done {
                return Ok(None);
            }
            let packet = match self.format.next_packet() {
                Ok(p) => p,
                // A truncated data chunk or a declared size past the end of the file: the
                // stream simply ends where the data does.
                Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    self.done = true;
                    return Ok(None);
                }
                Err(SymError::ResetRequired) => {
                    self.done = true;
                    return Ok(None);
                }
                Err(e) => return Err(sym_error(&self.path, e)),
            };
            if packet.track_id() != self.track_id {
                continue;
            }
            let decoded = match self.decoder.decode(&packet) {
                Ok(d) => d,
                // A damaged packet in a compressed stream: skip it, as players do.
                Err(SymError::DecodeError(_)) => continue,
                Err(e) => return Err(sym_error(&self.path, e)),
            };
            let spec = *decoded.spec();
            if spec.channels.count() != self.info.channels {
                return Err(InputError::Corrupt {
                    path: self.path.clone(),
                    what: "the channel count changes inside the stream".into(),
                });
            }
            let frames = decoded.capacity() as u64;
            let needs_new = self
                .buffer
                .as_ref()
                .is_none_or(|b| (b.capacity() as u64) < frames * self.info.channels as u64);
            if needs_new {
                self.buffer = Some(SampleBuffer::new(frames, spec));
            }
            let Some(buf) = self.buffer.as_mut() else {
                continue;
            };
            buf.copy_interleaved_ref(decoded);
            if buf.samples().is_empty() {
                continue;
            }
            for s in buf.samples_mut() {
                if !s.is_finite() {
                    *s = 0.0;
                }
            }
            break;
        }
        Ok(self.buffer.as_ref().map(SampleBuffer::samples))
    }
}
