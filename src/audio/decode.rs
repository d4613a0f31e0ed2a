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
    backend: Backend,
    info: AudioInfo,
    done: bool,
    repaired: bool,
}

/// Anything a WAV can be read from.
trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// Bytes read per block on the PCM fast path: twice the readers' 64 KiB buffers, so a
/// block's read goes from the file straight into the block instead of through them.
const PCM_BLOCK_BYTES: usize = 1 << 17;

/// How a recording is decoded: plain PCM and float WAV through hound (one pass, the common
/// case for dialer recordings), everything else (G.711, FLAC, MP3) through symphonia.
enum Backend {
    Pcm {
        /// Positioned in the data chunk (hound parsed the header).
        reader: Box<dyn ReadSeek>,
        /// Bytes of one sample in the file (1-4).
        bytes_per_sample: usize,
        /// IEEE float samples (else signed integers; unsigned for 8-bit).
        float: bool,
        /// Bytes of audio left in the data chunk.
        remaining_bytes: u64,
        raw: Vec<u8>,
        block: Vec<f32>,
    },
    Codec {
        format: Box<dyn FormatReader>,
        decoder: Box<dyn Decoder>,
        track_id: u32,
        buffer: Option<SampleBuffer<f32>>,
    },
}

/// Opens `source` with hound when it is a plain PCM or float WAV: hound reads the header,
/// and the samples are then converted in whole blocks.
fn try_pcm(mut source: Box<dyn ReadSeek>) -> Option<(Backend, AudioInfo)> {
    let block_align = fmt_block_align(&mut source)?;
    let reader = hound::WavReader::new(std::io::BufReader::with_capacity(1 << 16, source)).ok()?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels).max(1);
    let bytes_per_sample = usize::from(block_align) / channels;
    if usize::from(block_align) != bytes_per_sample * channels {
        return None;
    }
    let float = match (spec.sample_format, spec.bits_per_sample, bytes_per_sample) {
        (hound::SampleFormat::Float, 32, 4) => true,
        (hound::SampleFormat::Int, 8..=32, 1..=4) => false,
        _ => return None,
    };
    let info = AudioInfo {
        rate_hz: spec.sample_rate,
        channels: usize::from(spec.channels),
        frames: Some(u64::from(reader.duration())),
    };
    let remaining_bytes = u64::from(reader.len()) * bytes_per_sample as u64;
    let reader: Box<dyn ReadSeek> = Box::new(reader.into_inner());
    let frame_bytes = bytes_per_sample * info.channels.max(1);
    let samples = (PCM_BLOCK_BYTES / frame_bytes).max(1) * info.channels.max(1);
    Some((
        Backend::Pcm {
            reader,
            bytes_per_sample,
            float,
            remaining_bytes,
            raw: vec![0; samples * bytes_per_sample],
            block: Vec::with_capacity(samples),
        },
        info,
    ))
}

/// The `block_align` field of a WAV's fmt chunk (bytes per frame), read from the header
/// without moving the reader.
fn fmt_block_align(r: &mut Box<dyn ReadSeek>) -> Option<u16> {
    let mut head = [0u8; 12];
    let found = (|| {
        r.read_exact(&mut head).ok()?;
        if &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
            return None;
        }
        for _ in 0..16 {
            let mut chunk = [0u8; 8];
            r.read_exact(&mut chunk).ok()?;
            let len = u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]);
            if &chunk[0..4] == b"fmt " {
                let mut fmt = [0u8; 14];
                r.read_exact(&mut fmt).ok()?;
                return Some(u16::from_le_bytes([fmt[12], fmt[13]]));
            }
            r.seek(SeekFrom::Current(i64::from(len) + i64::from(len & 1)))
                .ok()?;
        }
        None
    })();
    r.seek(SeekFrom::Start(0)).ok()?;
    found
}

/// Converts little-endian PCM bytes to samples in [-1, 1] (integers scaled by their
/// container's full scale, as WAV left-justifies them; 8-bit is unsigned).
fn convert_pcm(raw: &[u8], bytes_per_sample: usize, float: bool, out: &mut Vec<f32>) {
    out.clear();
    match (bytes_per_sample, float) {
        (1, _) => out.extend(raw.iter().map(|&b| (f32::from(b) - 128.0) / 128.0)),
        (2, _) => out.extend(
            raw.chunks_exact(2)
                .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0),
        ),
        (3, _) => out.extend(raw.chunks_exact(3).map(|b| {
            // Sign-extend 24 bits through the top of an i32.
            (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0
        })),
        (4, true) => out.extend(raw.chunks_exact(4).map(|b| {
            let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            if v.is_finite() { v } else { 0.0 }
        })),
        (4, false) => out.extend(
            raw.chunks_exact(4)
                .map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / 2_147_483_648.0),
        ),
        _ => {}
    }
}

/// Reads the next block of a PCM data chunk into `raw`; returns how many bytes of whole
/// frames it holds, or `None` at the end. Sets `done` when the data ends with this block (a
/// short read is the end; a frame cut short by the end of the file ends the stream, as
/// players do).
fn read_pcm(
    reader: &mut Box<dyn ReadSeek>,
    raw: &mut [u8],
    remaining_bytes: &mut u64,
    frame_bytes: usize,
    path: &Path,
    done: &mut bool,
) -> Result<Option<usize>, InputError> {
    let want = (raw.len() as u64).min(*remaining_bytes) as usize;
    let mut got = 0;
    while got < want {
        match reader.read(&mut raw[got..want]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(InputError::Open {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
    }
    *remaining_bytes -= got as u64;
    let whole = got / frame_bytes * frame_bytes;
    if got < want || *remaining_bytes == 0 {
        *done = true;
    }
    if whole == 0 {
        *done = true;
        return Ok(None);
    }
    Ok(Some(whole))
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

/// Converts 16-bit stereo PCM bytes straight to the wanted channels (appended to `outs`),
/// each sample `i16 / 32768` as [`convert_pcm`] gives it. Wanted channels other than 0 and
/// 1 get nothing.
fn split_pcm16_stereo(raw: &[u8], wanted: &[usize], outs: &mut [Vec<f32>]) {
    let frames = raw.as_chunks::<4>().0;
    // Only the x86_64 build has a vector path that advances it.
    #[cfg_attr(not(target_arch = "x86_64"), allow(unused_mut))]
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above); the function has no other
        // requirement.
        done = unsafe { split_pcm16_stereo_avx2(raw, wanted, outs) };
    }
    for (&channel, out) in wanted.iter().zip(outs.iter_mut()) {
        if channel > 1 {
            continue;
        }
        out.extend(frames[done..].iter().map(|f| {
            let b = &f[2 * channel..2 * channel + 2];
            f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0
        }));
    }
}

/// [`split_pcm16_stereo`] for whole groups of 8 frames with 256-bit vectors; returns the
/// frames done (0 when a wanted channel is not 0 or 1, or `wanted` and `outs` differ in
/// length). It reserves the room it writes into itself, so any arguments are sound.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn split_pcm16_stereo_avx2(raw: &[u8], wanted: &[usize], outs: &mut [Vec<f32>]) -> usize {
    use std::arch::x86_64::{
        __m256i, _mm256_castsi256_si128, _mm256_cvtepi16_epi32, _mm256_cvtepi32_ps,
        _mm256_extracti128_si256, _mm256_loadu_si256, _mm256_mul_ps, _mm256_permute4x64_epi64,
        _mm256_set1_ps, _mm256_setr_epi8, _mm256_shuffle_epi8, _mm256_storeu_ps,
    };
    if wanted.len() != outs.len() || wanted.iter().any(|&c| c > 1) {
        return 0;
    }
    let groups = raw.len() / 32;
    let samples = groups * 8;
    // Within each 128-bit half: the four left samples, then the four right ones.
    let split = _mm256_setr_epi8(
        0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15, 0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7,
        10, 11, 14, 15,
    );
    let scale = _mm256_set1_ps(1.0 / 32_768.0);
    // Where each channel's new samples go: the first `samples` slots of its spare capacity.
    let mut dests = [std::ptr::null_mut::<f32>(); MAX_CHANNELS];
    if outs.len() > dests.len() {
        return 0;
    }
    for (dest, out) in dests.iter_mut().zip(outs.iter_mut()) {
        out.reserve(samples);
        let spare = out.spare_capacity_mut();
        if spare.len() < samples {
            return 0;
        }
        // `MaybeUninit<f32>` has the layout of `f32`.
        *dest = spare.as_mut_ptr().cast::<f32>();
    }
    for g in 0..groups {
        // SAFETY: 32 g + 32 <= raw.len().
        let v = unsafe { _mm256_loadu_si256(raw.as_ptr().add(32 * g).cast::<__m256i>()) };
        // Quads: left 0-3, right 0-3, left 4-7, right 4-7 -> left 0-7, right 0-7.
        let lr = _mm256_permute4x64_epi64::<0b11_01_10_00>(_mm256_shuffle_epi8(v, split));
        let halves = [
            _mm256_castsi256_si128(lr),
            _mm256_extracti128_si256::<1>(lr),
        ];
        for (&channel, &dest) in wanted.iter().zip(&dests) {
            let converted = _mm256_mul_ps(
                _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(halves[channel])),
                scale,
            );
            // SAFETY: 8 g + 8 <= samples, and `dest` has room for `samples` (checked above).
            unsafe { _mm256_storeu_ps(dest.add(8 * g), converted) };
        }
    }
    for out in outs.iter_mut() {
        // SAFETY: the `samples` slots past the length were written above (the Vec was not
        // touched since its spare capacity was taken).
        unsafe { out.set_len(out.len() + samples) };
    }
    samples
}

/// Checks what tacet can analyse: 8-192 kHz, 1-8 channels.
fn check_info(path: &Path, rate_hz: u32, channels: usize) -> Result<(), InputError> {
    if !(MIN_RATE_HZ..=MAX_RATE_HZ).contains(&rate_hz) {
        return Err(InputError::Invalid {
            path: path.to_path_buf(),
            what: format!(
                "sample rate {rate_hz} Hz is outside {MIN_RATE_HZ}-{MAX_RATE_HZ} Hz; resample it first"
            ),
        });
    }
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(InputError::Invalid {
            path: path.to_path_buf(),
            what: format!("has {channels} channels; tacet reads 1 to {MAX_CHANNELS}"),
        });
    }
    Ok(())
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
        let mut file = std::io::BufReader::with_capacity(1 << 16, file);
        let patches = wav_size_repairs(&mut file, meta.len());
        let repaired = !patches.is_empty();
        let pcm_source: Box<dyn ReadSeek> = Box::new(Patched {
            inner: file,
            len: meta.len(),
            pos: 0,
            patches: patches.clone(),
        });
        let mut reader = match try_pcm(pcm_source) {
            Some((backend, info)) => AudioReader::from_backend(path, backend, info)?,
            None => {
                let file = File::open(path).map_err(|source| InputError::Open {
                    path: path.to_path_buf(),
                    source,
                })?;
                let media: Box<dyn MediaSource> = if patches.is_empty() {
                    Box::new(ReadOnlySource::new(std::io::BufReader::new(file)))
                } else {
                    Box::new(Patched {
                        inner: std::io::BufReader::new(file),
                        len: meta.len(),
                        pos: 0,
                        patches,
                    })
                };
                AudioReader::from_media(path, media)?
            }
        };
        reader.repaired = repaired;
        Ok(reader)
    }

    fn from_backend(
        path: &Path,
        backend: Backend,
        info: AudioInfo,
    ) -> Result<AudioReader, InputError> {
        check_info(path, info.rate_hz, info.channels)?;
        Ok(AudioReader {
            path: path.to_path_buf(),
            backend,
            info,
            done: false,
            repaired: false,
        })
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
        match try_pcm(Box::new(std::io::Cursor::new(bytes))) {
            Some((backend, info)) => AudioReader::from_backend(name, backend, info),
            None => AudioReader::from_media(name, Box::new(std::io::Cursor::new(bytes))),
        }
    }

    /// Opens a recording from bytes in memory (for example a received buffer); `name` is used
    /// in messages.
    ///
    /// # Errors
    /// As [`AudioReader::open`].
    pub fn open_vec(name: &Path, bytes: Vec<u8>) -> Result<AudioReader, InputError> {
        match try_pcm(Box::new(std::io::Cursor::new(bytes.clone()))) {
            Some((backend, info)) => AudioReader::from_backend(name, backend, info),
            None => AudioReader::from_media(name, Box::new(std::io::Cursor::new(bytes))),
        }
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
        let channels = params.channels.map(|c| c.count()).unwrap_or(0);
        check_info(path, rate_hz, channels)?;
        let decoder = symphonia::default::get_codecs()
            .make(&params, &DecoderOptions::default())
            .map_err(|e| sym_error(path, e))?;
        Ok(AudioReader {
            path: path.to_path_buf(),
            backend: Backend::Codec {
                format,
                decoder,
                track_id,
                buffer: None,
            },
            info: AudioInfo {
                rate_hz,
                channels,
                frames: params.n_frames,
            },
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

    /// Decodes the next block into one buffer per wanted channel: `outs[i]` is replaced by
    /// the block's samples of channel `wanted[i]`. Returns false at the end. 16-bit stereo
    /// PCM goes from the file's bytes to the channels in one pass.
    ///
    /// # Errors
    /// As [`next_block`](Self::next_block).
    ///
    /// # Panics
    /// If `wanted` and `outs` differ in length or a wanted channel does not exist.
    pub fn next_channels(
        &mut self,
        wanted: &[usize],
        outs: &mut [Vec<f32>],
    ) -> Result<bool, InputError> {
        assert_eq!(wanted.len(), outs.len());
        let channels = self.info.channels;
        assert!(wanted.iter().all(|&c| c < channels));
        if self.done {
            return Ok(false);
        }
        if let Backend::Pcm {
            reader,
            bytes_per_sample: 2,
            float: false,
            remaining_bytes,
            raw,
            ..
        } = &mut self.backend
            && channels == 2
        {
            let Some(whole) =
                read_pcm(reader, raw, remaining_bytes, 4, &self.path, &mut self.done)?
            else {
                return Ok(false);
            };
            for out in outs.iter_mut() {
                out.clear();
            }
            split_pcm16_stereo(&raw[..whole], wanted, outs);
            return Ok(true);
        }
        let Some(block) = self.next_block()? else {
            return Ok(false);
        };
        for (&channel, out) in wanted.iter().zip(outs.iter_mut()) {
            out.clear();
            match channels {
                1 => out.extend_from_slice(block),
                2 => take_stereo_channel(block, channel, out),
                _ => out.extend(block.chunks_exact(channels).map(|f| f[channel])),
            }
        }
        Ok(true)
    }

    /// Decodes the next block. Returns interleaved samples (`channels` per frame), or `None`
    /// at the end. Non-finite samples come back as 0.
    ///
    /// # Errors
    /// [`InputError::Corrupt`] when the stream is damaged beyond recovery.
    pub fn next_block(&mut self) -> Result<Option<&[f32]>, InputError> {
        if self.done {
            return Ok(None);
        }
        let channels = self.info.channels;
        match &mut self.backend {
            Backend::Pcm {
                reader,
                bytes_per_sample,
                float,
                remaining_bytes,
                raw,
                block,
            } => {
                let Some(whole) = read_pcm(
                    reader,
                    raw,
                    remaining_bytes,
                    *bytes_per_sample * channels,
                    &self.path,
                    &mut self.done,
                )?
                else {
                    return Ok(None);
                };
                convert_pcm(&raw[..whole], *bytes_per_sample, *float, block);
                Ok(Some(&block[..]))
            }
            Backend::Codec {
                format,
                decoder,
                track_id,
                buffer,
            } => {
                loop {
                    let packet = match format.next_packet() {
                        Ok(p) => p,
                        // A truncated data chunk or a declared size past the end of the file:
                        // the stream simply ends where the data does.
                        Err(SymError::IoError(e))
                            if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                        {
                            self.done = true;
                            return Ok(None);
                        }
                        Err(SymError::ResetRequired) => {
                            self.done = true;
                            return Ok(None);
                        }
                        Err(e) => return Err(sym_error(&self.path, e)),
                    };
                    if packet.track_id() != *track_id {
                        continue;
                    }
                    let decoded = match decoder.decode(&packet) {
                        Ok(d) => d,
                        // A damaged packet in a compressed stream: skip it, as players do.
                        Err(SymError::DecodeError(_)) => continue,
                        Err(e) => return Err(sym_error(&self.path, e)),
                    };
                    let spec = *decoded.spec();
                    if spec.channels.count() != channels {
                        return Err(InputError::Corrupt {
                            path: self.path.clone(),
                            what: "the channel count changes inside the stream".into(),
                        });
                    }
                    let frames = decoded.capacity() as u64;
                    let needs_new = buffer
                        .as_ref()
                        .is_none_or(|b| (b.capacity() as u64) < frames * channels as u64);
                    if needs_new {
                        *buffer = Some(SampleBuffer::new(frames, spec));
                    }
                    let Some(buf) = buffer.as_mut() else {
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
                Ok(buffer.as_ref().map(SampleBuffer::samples))
            }
        }
    }
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

    /// A 16-bit stereo WAV of `frames` frames in memory (left a ramp, right its negation
    /// plus an offset, so every sample and its channel are told apart).
    fn stereo_wav(frames: usize) -> &'static [u8] {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut bytes = std::io::Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut bytes, spec).expect("wav header");
        for i in 0..frames {
            let left = ((i * 7919) % 65_536) as i32 - 32_768;
            w.write_sample(left as i16).expect("sample");
            w.write_sample((-(left + 1) / 3) as i16).expect("sample");
        }
        w.finalize().expect("wav end");
        Vec::leak(bytes.into_inner())
    }

    /// The samples of `channel` of 16-bit stereo bytes, one at a time.
    #[cfg(target_arch = "x86_64")]
    fn pcm16_channel(raw: &[u8], channel: usize) -> Vec<f32> {
        raw.chunks_exact(4)
            .map(|f| f32::from(i16::from_le_bytes([f[2 * channel], f[2 * channel + 1]])) / 32_768.0)
            .collect()
    }

    /// The vector path is sound whatever its arguments: it makes the room it writes into
    /// (outputs with no spare capacity, or with samples already in them, are appended to),
    /// and a channel other than 0 or 1 is refused, not read out of bounds.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn pcm16_stereo_vector_path_needs_no_room_made_by_its_caller() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let raw: Vec<u8> = (0..4 * 1000 + 12)
            .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let (left, right) = (pcm16_channel(&raw, 0), pcm16_channel(&raw, 1));
        // Fresh outputs, without capacity.
        let mut outs = vec![Vec::new(), Vec::new()];
        // SAFETY: the CPU has AVX2 (checked above).
        let done = unsafe { split_pcm16_stereo_avx2(&raw, &[1, 0], &mut outs) };
        assert_eq!(done, 1000);
        assert_eq!(outs[0], right[..1000]);
        assert_eq!(outs[1], left[..1000]);
        // Outputs that hold samples and are full: appended to.
        let mut outs = vec![vec![0.5f32; 3]];
        outs[0].shrink_to_fit();
        // SAFETY: as above.
        let done = unsafe { split_pcm16_stereo_avx2(&raw, &[0], &mut outs) };
        assert_eq!(done, 1000);
        assert_eq!(outs[0][..3], [0.5; 3]);
        assert_eq!(outs[0][3..], left[..1000]);
        // A channel a stereo frame does not have, or outputs that do not match: nothing done.
        for (wanted, n) in [(&[0usize, 2][..], 2), (&[0, 1][..], 1)] {
            let mut outs = vec![Vec::new(); n];
            // SAFETY: as above.
            let done = unsafe { split_pcm16_stereo_avx2(&raw, wanted, &mut outs) };
            assert_eq!(done, 0);
            assert!(outs.iter().all(Vec::is_empty));
        }
        // And the whole conversion gives every frame, the last ones one at a time.
        let mut outs = vec![Vec::new(), Vec::new()];
        split_pcm16_stereo(&raw, &[0, 1], &mut outs);
        assert_eq!(outs[0], left);
        assert_eq!(outs[1], right);
    }

    /// The one-pass 16-bit stereo path gives each channel exactly as decoding to
    /// interleaved samples and taking the channel does, block after block.
    #[test]
    fn pcm16_stereo_channels_match_the_interleaved_block() {
        let bytes = stereo_wav(100_003);
        let name = Path::new("test.wav");
        for wanted in [vec![0usize, 1], vec![1], vec![1, 0]] {
            let mut fast = AudioReader::open_bytes(name, bytes).expect("open");
            let mut plain = AudioReader::open_bytes(name, bytes).expect("open");
            let mut outs = vec![Vec::new(); wanted.len()];
            let mut total = 0;
            while fast.next_channels(&wanted, &mut outs).expect("read") {
                let block = plain.next_block().expect("read").expect("a block");
                for (&channel, out) in wanted.iter().zip(&outs) {
                    let want: Vec<f32> = block.chunks_exact(2).map(|f| f[channel]).collect();
                    assert_eq!(out, &want, "channel {channel}");
                }
                total += outs[0].len();
            }
            assert!(plain.next_block().expect("read").is_none());
            assert_eq!(total, 100_003, "channels {wanted:?}");
        }
    }
}
