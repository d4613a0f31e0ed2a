//! Streaming decoder for recordings: WAV (PCM 8-32 bit, float, G.711 mu-law/A-law), FLAC
//! and MP3 through symphonia, one packet at a time, so memory does not grow with length.

use std::fs::File;
use std::path::{Path, PathBuf};

use std::io::{Read, Seek, SeekFrom};
use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{CODEC_TYPE_NULL, Decoder, DecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::{FormatOptions, FormatReader};

use symphonia::core::io::{MediaSource, MediaSourceStream, ReadOnlySource};
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
    repaired: bool,
}

/// Byte patches that make a WAV header's sizes agree with the file: the RIFF size becomes
/// the file's, and a data chunk that claims more than the file holds is cut to what is
/// there (dialers that crash, or stream, leave such headers). Only headers are read.
fn wav_size_repairs<R: Read + Seek>(r: &mut R, file_len: u64) -> Vec<(u64, [u8; 4])> {
    let mut patches = Vec::new();
    let mut head = [0u8; 12];
    if r.read_exact(&mut head).is_err() || &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        let _ = r.seek(SeekFrom::Start(0));
        return patches;
    }
    let riff_len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    if let Ok(actual) = u32::try_from(file_len.saturating_sub(8))
        && riff_len != actual
    {
        patches.push((4, actual.to_le_bytes()));
    }
    let mut pos: u64 = 12;
    for _ in 0..64 {
        if pos + 8 > file_len || r.seek(SeekFrom::Start(pos)).is_err() {
            break;
        }
        let mut chunk = [0u8; 8];
        if r.read_exact(&mut chunk).is_err() {
            break;
        }
        let len = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        let remaining = file_len - pos - 8;
        if &chunk[0..4] == b"data" {
            if len > remaining {
                let fixed = u32::try_from(remaining).unwrap_or(u32::MAX);
                patches.push((pos + 4, fixed.to_le_bytes()));
            }
            break;
        }
        pos += 8 + len + (len & 1);
    }
    let _ = r.seek(SeekFrom::Start(0));
    patches
}

/// A file read through a few byte patches (see [`wav_size_repairs`]).
struct Patched<R> {
    inner: R,
    len: u64,
    pos: u64,
    patches: Vec<(u64, [u8; 4])>,
}

impl<R: Read> Read for Patched<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (offset, bytes) in &self.patches {
            for (k, b) in bytes.iter().enumerate() {
                let at = offset + k as u64;
                if at >= self.pos && at < self.pos + n as u64 {
                    buf[(at - self.pos) as usize] = *b;
                }
            }
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Seek> Seek for Patched<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.pos = self.inner.seek(to)?;
        Ok(self.pos)
    }
}

impl<R: Read + Seek + Send + Sync> MediaSource for Patched<R> {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
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
        let mut file = std::io::BufReader::new(file);
        let patches = wav_size_repairs(&mut file, meta.len());
        let repaired = !patches.is_empty();
        let media: Box<dyn MediaSource> = if patches.is_empty() {
            Box::new(ReadOnlySource::new(file))
        } else {
            Box::new(Patched {
                inner: file,
                len: meta.len(),
                pos: 0,
                patches,
            })
        };
        let mut reader = AudioReader::from_media(path, media)?;
        reader.repaired = repaired;
        Ok(reader)
    }

    /// True when the header's sizes did not match the file and were corrected on reading.
    pub fn header_repaired(&self) -> bool {
        self.repaired
    }

    /// Opens a recording held in memory (the bundled demo call); `name` is used in messages
    /// and for the format hint.
    ///
    /// # Errors
    /// As [`AudioReader::open`].
    pub fn open_bytes(name: &Path, bytes: &'static [u8]) -> Result<AudioReader, InputError> {
        AudioReader::from_media(name, Box::new(std::io::Cursor::new(bytes)))
    }

    /// Opens a recording from bytes in memory (for example a received buffer); `name` is used
    /// in messages.
    ///
    /// # Errors
    /// As [`AudioReader::open`].
    pub fn open_vec(name: &Path, bytes: Vec<u8>) -> Result<AudioReader, InputError> {
        AudioReader::from_media(name, Box::new(std::io::Cursor::new(bytes)))
    }

    fn from_media(path: &Path, media: Box<dyn MediaSource>) -> Result<AudioReader, InputError> {
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
            repaired: false,
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
