//! Live capture with cpal: finding the devices (by cpal id or a unique part of the name),
//! listing them for `tacet devices`, and [`LiveSource`], the [`FrameSource`] over two
//! input streams (the rep's microphone and the far end) or two channels of one.
//!
//! Where the far end comes from, per platform:
//! - Linux: a PulseAudio/PipeWire *monitor* source (`pulseaudio:<sink>.monitor` with the
//!   native PulseAudio host, or an ALSA `type pulse` PCM whose device is the monitor).
//!   The default is the monitor of the default output.
//! - Windows: WASAPI loopback. cpal builds an input stream on an *output* device with
//!   `AUDCLNT_STREAMFLAGS_LOOPBACK`, so `--loopback` (or the default) opens the default
//!   output device as an input.
//! - macOS 14.6+: cpal creates a private Core Audio process tap and aggregate device when
//!   an input stream is built on an output-only device; the user must grant the
//!   system-audio-recording permission, or the far end stays silent (tacet then warns of no
//!   signal). A loopback device such as BlackHole can be named with `--far` instead.
//!
//! The audio callbacks only convert, downmix and push into preallocated rings
//! ([`rtrb`]); they never allocate, lock, log or block. A full ring drops samples and
//! counts them.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, SampleFormat, SizedSample};

use super::capture::{CaptureCore, GAP_RECORDS, Gap, SideRing};
use super::source::{FrameFill, FrameSource, SourceError};
use crate::error::Error;
use crate::timeline::Party;
use crate::warning::{Warning, WarningCode};

/// A side that delivered audio and then nothing for this long has stalled: the session
/// ends there (product.md: within 2 s of the stall). Callbacks come every 50 ms or so
/// (`BUFFER_S`); a host that keeps its own default delivers about every 0.7 s.
pub const STALL_AFTER: Duration = Duration::from_secs(1);
/// A side that has delivered nothing this long after its stream was opened has stalled
/// too (opening a stream on a busy machine can take a while).
pub const START_WITHIN: Duration = Duration::from_secs(5);
/// A side whose device has produced more than this many times real time (plus
/// [`PACE_SLACK`]) has no clock behind it: ALSA's `null` device or its `file` plugin hand
/// out samples as fast as they are asked for. None of that is sound heard on the call, and
/// taking it would run the sample clock far ahead of time.
const PACE_MAX: f64 = 1.5;
/// What a device may deliver ahead of real time: its first callback, and a PulseAudio null
/// sink with no low-latency client renders up to 2 s ahead, which its monitor passes on.
const PACE_SLACK: Duration = Duration::from_secs(3);
/// Capacity of each side's ring, seconds of device audio.
const RING_S: u32 = 2;
/// Callback size asked of the host, seconds (hosts whose default is huge get this).
const BUFFER_S: f64 = 0.05;
/// How long the capture side waits between two looks at empty rings.
const POLL: Duration = Duration::from_millis(50);
/// Two looks at the rings this far apart mean tacet itself did not run in between (the
/// process was stopped, the machine suspended or starved): that time is not counted
/// against the devices, whose audio waits in the sound server meanwhile.
const UNWATCHED: Duration = Duration::from_millis(500);

pub use crate::platform::stderr::QuietStderr;

/// Which way a device is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Captured as an input (microphone, monitor source, loopback device).
    Input,
    /// An output whose loopback is captured (WASAPI loopback, Core Audio tap).
    Output,
}

/// One device as listed.
#[derive(Debug, Clone)]
pub struct Listed {
    /// cpal id, e.g. `alsa:mic` or `pulseaudio:softphone.monitor`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Default input/output of its host.
    pub default: bool,
    /// A monitor or loopback source (carries what an output plays).
    pub monitor: bool,
    /// Channels and rate of its default configuration, when known.
    pub config: Option<(u16, u32)>,
}

/// The devices of one host.
#[derive(Debug, Clone)]
pub struct HostListing {
    /// Host name.
    pub host: String,
    /// The default host.
    pub default: bool,
    /// Inputs.
    pub inputs: Vec<Listed>,
    /// Outputs.
    pub outputs: Vec<Listed>,
}

fn device_id(d: &cpal::Device) -> String {
    d.id().map(|i| i.to_string()).unwrap_or_default()
}

fn device_name(d: &cpal::Device) -> String {
    d.description()
        .map(|x| x.name().to_string())
        .unwrap_or_else(|_| device_id(d))
}

fn looks_like_monitor(id: &str, name: &str) -> bool {
    crate::platform::far_end::is_loopback_input(id, name)
}

thread_local! {
    /// One host object per audio API for the whole process. Devices found through the same
    /// host object share its connection to the sound server: cpal's PulseAudio host opens
    /// one per host object, each with its own client thread, so the microphone and the far
    /// end found separately would cost two.
    static HOSTS: RefCell<Vec<Rc<cpal::Host>>> = const { RefCell::new(Vec::new()) };
    /// Which of them is cpal's default host, once known.
    static DEFAULT_HOST: RefCell<Option<Rc<cpal::Host>>> = const { RefCell::new(None) };
}

/// The process's host object for `hid`, created on first use.
fn host(hid: cpal::HostId) -> Option<Rc<cpal::Host>> {
    HOSTS.with(|hosts| {
        let mut hosts = hosts.borrow_mut();
        if let Some(h) = hosts.iter().find(|h| h.id() == hid) {
            return Some(Rc::clone(h));
        }
        let h = Rc::new(cpal::host_from_id(hid).ok()?);
        hosts.push(Rc::clone(&h));
        Some(h)
    })
}

/// The process's host object for cpal's default host (chosen once: choosing it opens a
/// connection to the sound server to see whether one runs).
fn default_host() -> Rc<cpal::Host> {
    if let Some(h) = DEFAULT_HOST.with(|d| d.borrow().clone()) {
        return h;
    }
    let fresh = cpal::default_host();
    let h = HOSTS.with(|hosts| {
        let mut hosts = hosts.borrow_mut();
        if let Some(h) = hosts.iter().find(|h| h.id() == fresh.id()) {
            return Rc::clone(h);
        }
        let h = Rc::new(fresh);
        hosts.push(Rc::clone(&h));
        h
    });
    DEFAULT_HOST.with(|d| *d.borrow_mut() = Some(Rc::clone(&h)));
    h
}

/// Lists every available host's devices (stderr silenced while enumerating).
pub fn list() -> Vec<HostListing> {
    let _quiet = QuietStderr::new();
    let default_host = default_host().id();
    let mut out = Vec::new();
    for hid in cpal::available_hosts() {
        let Some(host) = host(hid) else {
            continue;
        };
        let def_in = host.default_input_device().map(|d| device_id(&d));
        let def_out = host.default_output_device().map(|d| device_id(&d));
        let mut inputs = Vec::new();
        let mut outputs = Vec::new();
        if let Ok(devices) = host.devices() {
            for d in devices {
                let id = device_id(&d);
                let name = device_name(&d);
                if d.supports_input() {
                    let config = d
                        .default_input_config()
                        .ok()
                        .map(|c| (c.channels(), c.sample_rate()));
                    inputs.push(Listed {
                        default: def_in.as_deref() == Some(id.as_str()),
                        monitor: looks_like_monitor(&id, &name),
                        id: id.clone(),
                        name: name.clone(),
                        config,
                    });
                }
                if d.supports_output() {
                    let config = d
                        .default_output_config()
                        .ok()
                        .map(|c| (c.channels(), c.sample_rate()));
                    outputs.push(Listed {
                        default: def_out.as_deref() == Some(id.as_str()),
                        monitor: false,
                        id,
                        name,
                        config,
                    });
                }
            }
        }
        out.push(HostListing {
            host: hid.name().to_string(),
            default: hid == default_host,
            inputs,
            outputs,
        });
    }
    out
}

/// Whether an output device's loopback can be captured directly (Windows, macOS).
pub const OUTPUT_LOOPBACK: bool =
    crate::platform::far_end::captures_output_loopback(crate::platform::OS);

/// The text of `tacet devices`.
pub fn describe(hosts: &[HostListing]) -> String {
    let mut s = String::new();
    let mark = |d: bool| if d { "*" } else { " " };
    let cfg = |c: Option<(u16, u32)>| {
        c.map(|(ch, r)| format!("  ({ch} ch, {r} Hz)"))
            .unwrap_or_default()
    };
    s.push_str("audio hosts: ");
    s.push_str(
        &hosts
            .iter()
            .map(|h| format!("{}{}", h.host, if h.default { " (default)" } else { "" }))
            .collect::<Vec<_>>()
            .join(", "),
    );
    s.push('\n');
    for h in hosts {
        s.push_str(&format!("\n{}\n  inputs (microphones):\n", h.host));
        for d in h.inputs.iter().filter(|d| !d.monitor) {
            s.push_str(&format!(
                "   {} {:<40} {}{}\n",
                mark(d.default),
                d.id,
                d.name,
                cfg(d.config)
            ));
        }
        s.push_str("  outputs:\n");
        for d in &h.outputs {
            s.push_str(&format!(
                "   {} {:<40} {}{}\n",
                mark(d.default),
                d.id,
                d.name,
                cfg(d.config)
            ));
        }
        s.push_str("  far-end candidates (monitors / loopback):\n");
        for d in h.inputs.iter().filter(|d| d.monitor) {
            s.push_str(&format!(
                "   {} {:<40} {}{}\n",
                mark(d.default),
                d.id,
                d.name,
                cfg(d.config)
            ));
        }
        if OUTPUT_LOOPBACK {
            for d in &h.outputs {
                s.push_str(&format!(
                    "   {} {:<40} loopback of {}\n",
                    mark(d.default),
                    d.id,
                    d.name
                ));
            }
        }
    }
    s.push_str("\n* = default of its host\n");
    let default = hosts.iter().find(|h| h.default).or(hosts.first());
    if let Some(h) = default {
        use crate::platform::far_end::{Dev, candidates, live_line};
        fn dev(d: &Listed) -> Dev<'_> {
            Dev {
                id: &d.id,
                name: &d.name,
                default: d.default,
            }
        }
        let inputs: Vec<Dev<'_>> = h.inputs.iter().map(dev).collect();
        let outputs: Vec<Dev<'_>> = h.outputs.iter().map(dev).collect();
        let mic = h.inputs.iter().find(|d| d.default && !d.monitor);
        let far = candidates(crate::platform::OS, &inputs, &outputs);
        let mic_id = mic.map(|m| m.id.as_str());
        s.push_str(&format!(
            "\nsuggested:\n  {}\n",
            live_line(mic_id, far.first())
        ));
        if let Some(f) = far.first() {
            s.push_str(&format!("  (far end: {})\n", f.why()));
        }
        for f in far.iter().skip(1) {
            s.push_str(&format!(
                "or, for {}:\n  {}\n",
                f.why(),
                live_line(mic_id, Some(f))
            ));
        }
    }
    s
}

/// A device found for capture.
pub struct Found {
    /// The device.
    pub device: cpal::Device,
    /// Its cpal id (what errors name).
    pub id: String,
    /// Captured as an input, or as the loopback of an output.
    pub role: Role,
}

impl std::fmt::Debug for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Found")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

fn usable(d: &cpal::Device, role: Role) -> bool {
    match role {
        Role::Input => d.supports_input(),
        Role::Output => d.supports_output(),
    }
}

fn candidates(role: Role) -> Vec<(String, String, cpal::Device)> {
    let mut all = Vec::new();
    for hid in cpal::available_hosts() {
        let Some(host) = host(hid) else {
            continue;
        };
        if let Ok(devices) = host.devices() {
            for d in devices.filter(|d| usable(d, role)) {
                all.push((device_id(&d), device_name(&d), d));
            }
        }
    }
    all
}

fn list_ids(c: &[(String, String, cpal::Device)]) -> String {
    if c.is_empty() {
        return "none (run 'tacet devices')".into();
    }
    c.iter()
        .map(|(id, name, _)| format!("{id} ({name})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Finds a device by its cpal id (`alsa:mic`) or a unique part of its id or name.
///
/// # Errors
/// [`Error::Device`] (exit 4) when nothing matches; [`Error::Usage`] (exit 2) when several
/// devices match. Both list the candidates.
pub fn find(spec: &str, role: Role) -> Result<Found, Error> {
    let _quiet = QuietStderr::new();
    if let Ok(id) = spec.parse::<cpal::DeviceId>()
        && let Some(host) = host(id.host())
        && let Some(d) = host.device_by_id(&id)
        && usable(&d, role)
    {
        return Ok(Found {
            device: d,
            id: spec.to_string(),
            role,
        });
    }
    let all = candidates(role);
    let needle = spec.to_lowercase();
    let exact: Vec<usize> = (0..all.len())
        .filter(|&k| all[k].0.to_lowercase() == needle || all[k].1.to_lowercase() == needle)
        .collect();
    let partial: Vec<usize> = (0..all.len())
        .filter(|&k| {
            all[k].0.to_lowercase().contains(&needle) || all[k].1.to_lowercase().contains(&needle)
        })
        .collect();
    let hits = if exact.len() == 1 { exact } else { partial };
    let kind = match role {
        Role::Input => "input",
        Role::Output => "output",
    };
    match hits.as_slice() {
        [k] => {
            let (id, _, device) = all.into_iter().nth(*k).ok_or_else(|| Error::Device {
                device: spec.into(),
                what: "vanished while being opened".into(),
            })?;
            Ok(Found { device, id, role })
        }
        [] => Err(Error::Device {
            device: spec.into(),
            what: format!("no such {kind} device; available: {}", list_ids(&all)),
        }),
        many => {
            let picked: Vec<_> = many.iter().map(|&k| all[k].clone()).collect();
            Err(Error::Usage(format!(
                "'{spec}' matches several {kind} devices: {}; give its full id",
                list_ids(&picked)
            )))
        }
    }
}

/// The default microphone: the default host's default input.
///
/// # Errors
/// [`Error::Device`] when there is none.
pub fn default_mic() -> Result<Found, Error> {
    let _quiet = QuietStderr::new();
    let host = default_host();
    let d = host.default_input_device().ok_or_else(|| Error::Device {
        device: "default input".into(),
        what: "no default microphone; name one with --mic DEV (see 'tacet devices')".into(),
    })?;
    Ok(Found {
        id: device_id(&d),
        device: d,
        role: Role::Input,
    })
}

/// The far end captured from an output: on Linux the monitor source of that output
/// (`<sink>.monitor` on PulseAudio/PipeWire), on Windows and macOS the output itself
/// (WASAPI loopback, Core Audio tap). `None` = the default output.
///
/// # Errors
/// [`Error::Device`] when the output or its monitor cannot be found.
pub fn loopback_of(output: Option<&str>) -> Result<Found, Error> {
    let out = match output {
        Some(spec) => find(spec, Role::Output)?,
        None => {
            let _quiet = QuietStderr::new();
            let host = default_host();
            let d = host.default_output_device().ok_or_else(|| Error::Device {
                device: "default output".into(),
                what: "no default output; name the far end with --far DEV (see 'tacet devices')"
                    .into(),
            })?;
            Found {
                id: device_id(&d),
                device: d,
                role: Role::Output,
            }
        }
    };
    if OUTPUT_LOOPBACK {
        return Ok(out);
    }
    // Linux: the monitor source beside the sink.
    let _quiet = QuietStderr::new();
    let monitor_id = format!("{}.monitor", out.id);
    if let Ok(id) = monitor_id.parse::<cpal::DeviceId>()
        && let Some(host) = host(id.host())
        && let Some(d) = host.device_by_id(&id)
    {
        return Ok(Found {
            device: d,
            id: monitor_id,
            role: Role::Input,
        });
    }
    let monitors: Vec<_> = candidates(Role::Input)
        .into_iter()
        .filter(|(id, name, _)| looks_like_monitor(id, name))
        .collect();
    Err(Error::Device {
        device: out.id.clone(),
        what: format!(
            "no monitor source of this output found (is PulseAudio or PipeWire running?); \
             name the far end with --far DEV; monitors: {}",
            list_ids(&monitors)
        ),
    })
}

/// How a side is taken from a device's channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tap {
    /// The average of all channels (mono mic, stereo monitor).
    Average,
    /// One channel (0-based).
    Channel(usize),
}

/// State shared between a stream's callbacks and the capture side.
#[derive(Debug, Default)]
struct StreamStatus {
    /// 0 = fine, else the failure (see `failure_text`).
    failed: AtomicU8,
    /// Set once the session is shutting down: later errors are ignored.
    closing: AtomicBool,
}

fn failure_code(kind: cpal::ErrorKind) -> u8 {
    match kind {
        cpal::ErrorKind::DeviceNotAvailable => 1,
        cpal::ErrorKind::DeviceChanged => 2,
        cpal::ErrorKind::StreamInvalidated => 3,
        cpal::ErrorKind::PermissionDenied => 4,
        cpal::ErrorKind::DeviceBusy => 5,
        _ => 6,
    }
}

fn failure_text(code: u8) -> &'static str {
    match code {
        1 => "the device is no longer available (unplugged, or the sound server stopped)",
        2 => "the device changed under the stream",
        3 => "the stream was invalidated by the system",
        4 => "permission to capture was withdrawn",
        5 => "the device became busy",
        _ => "the stream failed",
    }
}

struct TapOut {
    tap: Tap,
    producer: rtrb::Producer<f32>,
    dropped: Arc<AtomicU64>,
    /// Where samples were lost (the capture side puts zeros there).
    gaps: rtrb::Producer<Gap>,
    /// Samples pushed into `producer` so far.
    pushed: u64,
    /// Lost samples not yet recorded in `gaps` (it was full).
    unrecorded: u64,
}

fn mix<T>(frame: &[T], tap: Tap) -> f32
where
    T: SizedSample,
    f32: FromSample<T>,
{
    match tap {
        Tap::Channel(c) => frame.get(c).map_or(0.0, |&v| f32::from_sample_(v)),
        Tap::Average => {
            let sum: f32 = frame.iter().map(|&v| f32::from_sample_(v)).sum();
            sum / frame.len().max(1) as f32
        }
    }
}

/// The data callback: downmix each tap into its ring; count what does not fit.
fn callback<T>(
    channels: usize,
    mut taps: Vec<TapOut>,
) -> impl FnMut(&[T], &cpal::InputCallbackInfo) + Send + 'static
where
    T: SizedSample,
    f32: FromSample<T>,
{
    move |data: &[T], _| deliver(data, channels, &mut taps)
}

/// Downmixes one callback's interleaved samples into each tap's ring; what does not fit
/// is counted, never waited for. No allocation, lock, I/O or logging.
fn deliver<T>(data: &[T], channels: usize, taps: &mut [TapOut])
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let channels = channels.max(1);
    let frames = data.len() / channels;
    for out in taps.iter_mut() {
        let TapOut {
            tap,
            producer,
            dropped,
            gaps,
            pushed,
            unrecorded,
        } = out;
        // A loss not recorded yet goes in before anything that follows it.
        if *unrecorded > 0
            && gaps
                .push(Gap {
                    at: *pushed,
                    len: *unrecorded,
                })
                .is_ok()
        {
            *unrecorded = 0;
        }
        let n = frames.min(producer.slots());
        if let Ok(chunk) = producer.write_chunk_uninit(n) {
            let tap = *tap;
            chunk.fill_from_iter(data.chunks_exact(channels).map(|f| mix(f, tap)));
            *pushed += n as u64;
        }
        if n < frames {
            let lost = (frames - n) as u64;
            dropped.fetch_add(lost, Ordering::Relaxed);
            // Recorded before anything later is pushed, so the capture side sees the gap
            // whenever it sees a sample after it.
            let len = *unrecorded + lost;
            *unrecorded = match gaps.push(Gap { at: *pushed, len }) {
                Ok(()) => 0,
                Err(_) => len,
            };
        }
    }
}

/// One open stream and the rings it fills.
struct Opened {
    stream: cpal::Stream,
    /// Silence played on the output whose loopback is captured, where its loopback
    /// delivers nothing while nothing plays (WASAPI; see `platform::far_end`).
    keep_alive: Option<cpal::Stream>,
    rings: Vec<SideRing>,
    status: Arc<StreamStatus>,
    /// Just before the stream was built (it cannot have delivered anything before).
    opened_at: Instant,
}

fn build<T>(
    found: &Found,
    config: cpal::StreamConfig,
    taps: Vec<TapOut>,
    status: &Arc<StreamStatus>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let st = Arc::clone(status);
    let on_error = move |e: cpal::Error| {
        let kind = e.kind();
        if matches!(
            kind,
            cpal::ErrorKind::Xrun | cpal::ErrorKind::RealtimeDenied
        ) || st.closing.load(Ordering::Relaxed)
        {
            return;
        }
        let _ =
            st.failed
                .compare_exchange(0, failure_code(kind), Ordering::Relaxed, Ordering::Relaxed);
    };
    found.device.build_input_stream::<T, _, _>(
        config,
        callback::<T>(usize::from(config.channels), taps),
        on_error,
        Some(Duration::from_secs(5)),
    )
}

/// Opens one capture stream with one ring per tap. Channel taps come rep first, then the
/// prospect (a channel the device lacks is named by its flag).
fn open(found: &Found, taps: &[Tap]) -> Result<Opened, Error> {
    let _quiet = QuietStderr::new();
    let dev_err = |what: String| Error::Device {
        device: found.id.clone(),
        what,
    };
    let supported = match found.role {
        Role::Input => found.device.default_input_config(),
        Role::Output => found.device.default_output_config(),
    }
    .map_err(|e| dev_err(format!("cannot read its configuration: {e}")))?;
    let channels = supported.channels();
    let rate_hz = supported.sample_rate();
    for (tap, who) in taps.iter().zip(["rep", "prospect"]) {
        if let Tap::Channel(c) = *tap
            && c >= usize::from(channels)
        {
            return Err(Error::Usage(format!(
                "device '{}' has {channels} channel(s), so there is no channel {c} for the {who} (channels count from 0); choose one with --{who}-channel",
                found.id
            )));
        }
    }
    let want = ((f64::from(rate_hz) * BUFFER_S).round() as u32).max(64);
    let buffer_size = match supported.buffer_size() {
        cpal::SupportedBufferSize::Range { min, max } if (*min..=*max).contains(&want) => {
            cpal::BufferSize::Fixed(want)
        }
        _ => cpal::BufferSize::Default,
    };
    let config = cpal::StreamConfig {
        channels,
        sample_rate: rate_hz,
        buffer_size,
    };
    let mut outs = Vec::new();
    let mut rings = Vec::new();
    for &tap in taps {
        let (producer, consumer) = rtrb::RingBuffer::<f32>::new((rate_hz * RING_S) as usize);
        let (gap_producer, gap_consumer) = rtrb::RingBuffer::<Gap>::new(GAP_RECORDS);
        let dropped = Arc::new(AtomicU64::new(0));
        outs.push(TapOut {
            tap,
            producer,
            dropped: Arc::clone(&dropped),
            gaps: gap_producer,
            pushed: 0,
            unrecorded: 0,
        });
        rings.push(SideRing {
            consumer,
            rate_hz,
            dropped,
            gaps: gap_consumer,
        });
    }
    let keep_alive = match found.role {
        Role::Output => {
            crate::platform::far_end::keep_loopback_running(crate::platform::OS, &found.device)
        }
        Role::Input => None,
    };
    let status = Arc::new(StreamStatus::default());
    let opened_at = Instant::now();
    let stream = match supported.sample_format() {
        SampleFormat::F32 => build::<f32>(found, config, outs, &status),
        SampleFormat::I16 => build::<i16>(found, config, outs, &status),
        SampleFormat::I32 => build::<i32>(found, config, outs, &status),
        SampleFormat::U16 => build::<u16>(found, config, outs, &status),
        SampleFormat::I8 => build::<i8>(found, config, outs, &status),
        SampleFormat::U8 => build::<u8>(found, config, outs, &status),
        SampleFormat::F64 => build::<f64>(found, config, outs, &status),
        other => {
            return Err(dev_err(format!(
                "sample format {other} is not supported; pick another device"
            )));
        }
    }
    .map_err(|e| dev_err(format!("cannot open it for capture: {e}")))?;
    stream
        .play()
        .map_err(|e| dev_err(format!("cannot start capture: {e}")))?;
    Ok(Opened {
        stream,
        keep_alive,
        rings,
        status,
        opened_at,
    })
}

/// How a side stopped delivering audio as it happens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stall {
    /// It delivered, then nothing for `silent_for` (at least [`STALL_AFTER`]).
    Stopped {
        /// Since its last delivery.
        silent_for: Duration,
    },
    /// Nothing at all in the [`START_WITHIN`] after its stream was opened.
    NeverStarted,
    /// Far more samples than real time allows: a device with no clock behind it.
    Unpaced {
        /// Seconds of audio the device produced.
        produced_s: f64,
        /// In this much time since its stream was opened.
        elapsed: Duration,
    },
}

impl Stall {
    /// What happened, for the error and the report's warning.
    pub fn describe(self) -> String {
        match self {
            Stall::Stopped { silent_for } => format!(
                "stopped delivering audio: nothing for {:.1} s (unplugged, or the sound server stopped answering); the session ended there, and what was captured until then is saved",
                silent_for.as_secs_f64()
            ),
            Stall::NeverStarted => format!(
                "delivered no audio in the first {} s: check the device with 'tacet devices'",
                START_WITHIN.as_secs()
            ),
            Stall::Unpaced {
                produced_s,
                elapsed,
            } => format!(
                "delivered {produced_s:.0} s of audio in {:.3} s: no clock paces it (a null or file device, not a microphone or a monitor source), so it carries no sound from the call; the session ended there. Pick a device with 'tacet devices'",
                elapsed.as_secs_f64()
            ),
        }
    }
}

/// Watches each side's deliveries against the monotonic clock (used for nothing else:
/// every timestamp stays a sample count). Fed with instants, so a test drives it at any
/// speed.
#[derive(Debug, Clone)]
pub struct StallWatch {
    /// When each side's stream was opened, moved on by the time tacet did not run (for
    /// [`Stall::NeverStarted`]).
    opened_at: [Instant; 2],
    /// When each side's stream was opened, never moved: a device's pace is measured
    /// against real time, stopped or not.
    paced_from: [Instant; 2],
    /// Each side's device rate, Hz.
    rates_hz: [u32; 2],
    /// When each side was last seen delivering.
    last_audio: [Option<Instant>; 2],
    /// The last look at the rings.
    last_check: Option<Instant>,
}

impl StallWatch {
    /// A watch over two sides whose streams were opened at `opened_at`.
    pub fn new(opened_at: [Instant; 2], rates_hz: [u32; 2]) -> StallWatch {
        StallWatch {
            opened_at,
            paced_from: opened_at,
            rates_hz,
            last_audio: [None, None],
            last_check: None,
        }
    }

    /// Before the rings are read: `produced` is what each side's device has produced so far
    /// (read, waiting and dropped), in its own samples. A side that produced far more than
    /// real time allows is returned with its stall, before any of it is taken.
    pub fn check_pace(&self, now: Instant, produced: [u64; 2]) -> Option<(usize, Stall)> {
        let allowed = self.allowed(now);
        (0..2).find_map(|side| {
            let elapsed = now.saturating_duration_since(self.paced_from[side]);
            let rate = f64::from(self.rates_hz[side]);
            (produced[side] > allowed[side]).then(|| {
                (
                    side,
                    Stall::Unpaced {
                        produced_s: produced[side] as f64 / rate.max(1.0),
                        elapsed,
                    },
                )
            })
        })
    }

    /// The most samples each side's device can have produced by `now` if a clock paces it.
    pub fn allowed(&self, now: Instant) -> [u64; 2] {
        [0, 1].map(|side| {
            let elapsed = now.saturating_duration_since(self.paced_from[side]);
            let rate = f64::from(self.rates_hz[side]);
            (rate * (elapsed.as_secs_f64() * PACE_MAX + PACE_SLACK.as_secs_f64())) as u64
        })
    }

    /// After the rings are read: `got` is what each side delivered since the last look.
    /// Returns the first side that has stalled.
    pub fn check_delivery(&mut self, now: Instant, got: [usize; 2]) -> Option<(usize, Stall)> {
        if let Some(prev) = self.last_check {
            let away = now.saturating_duration_since(prev);
            if away > UNWATCHED {
                // Tacet was not running: move the marks on by that time.
                for side in 0..2 {
                    self.opened_at[side] += away;
                    if let Some(t) = self.last_audio[side].as_mut() {
                        *t += away;
                    }
                }
            }
        }
        self.last_check = Some(now);
        for (side, &n) in got.iter().enumerate() {
            if n > 0 {
                self.last_audio[side] = Some(now);
            }
        }
        (0..2).find_map(|side| match self.last_audio[side] {
            Some(last) => {
                let silent_for = now.saturating_duration_since(last);
                (silent_for > STALL_AFTER).then_some((side, Stall::Stopped { silent_for }))
            }
            None => (now.saturating_duration_since(self.opened_at[side]) > START_WITHIN)
                .then_some((side, Stall::NeverStarted)),
        })
    }
}

/// What to capture.
#[derive(Debug)]
pub enum Plan {
    /// The rep's microphone and the far end, two devices (two clocks).
    TwoDevices {
        /// The rep.
        mic: Box<Found>,
        /// The prospect.
        far: Box<Found>,
    },
    /// Two channels of one device (one clock).
    Stereo {
        /// The device.
        device: Box<Found>,
        /// The rep's channel.
        rep_channel: usize,
        /// The prospect's channel.
        prospect_channel: usize,
    },
}

/// A live call from audio devices, as a [`FrameSource`].
pub struct LiveSource {
    core: CaptureCore,
    streams: Vec<(cpal::Stream, Arc<StreamStatus>, String)>,
    /// The device of each side (what errors name).
    names: [String; 2],
    /// Index into `streams` of each side's stream.
    stream_of: [usize; 2],
    /// Silent output streams that keep a captured loopback delivering (Windows).
    _keep_alive: Vec<cpal::Stream>,
    watch: StallWatch,
    /// The side that stalled and how, once one has (the session ends there).
    stalled: Option<(usize, Stall)>,
}

impl std::fmt::Debug for LiveSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSource")
            .field("names", &self.names)
            .finish_non_exhaustive()
    }
}

impl LiveSource {
    /// Opens the streams and starts capturing.
    ///
    /// # Errors
    /// [`Error::Device`] naming the device that cannot be opened; [`Error::Usage`] for a
    /// channel the device does not have.
    pub fn start(plan: Plan) -> Result<LiveSource, Error> {
        let mut keep_alive = Vec::new();
        let (streams, rings, names, stream_of, same_clock, opened_at) = match plan {
            Plan::TwoDevices { mic, far } => {
                let a = open(&mic, &[Tap::Average])?;
                let b = open(&far, &[Tap::Average])?;
                keep_alive.extend(b.keep_alive);
                let opened_at = [a.opened_at, b.opened_at];
                let mut rings = a.rings.into_iter().chain(b.rings);
                let (Some(r0), Some(r1)) = (rings.next(), rings.next()) else {
                    return Err(Error::Other("capture rings missing".into()));
                };
                (
                    vec![
                        (a.stream, a.status, mic.id.clone()),
                        (b.stream, b.status, far.id.clone()),
                    ],
                    [r0, r1],
                    [mic.id, far.id],
                    [0, 1],
                    false,
                    opened_at,
                )
            }
            Plan::Stereo {
                device,
                rep_channel,
                prospect_channel,
            } => {
                if rep_channel == prospect_channel {
                    return Err(Error::Usage(format!(
                        "--rep-channel and --prospect-channel are both {rep_channel}; give different channels"
                    )));
                }
                let a = open(
                    &device,
                    &[Tap::Channel(rep_channel), Tap::Channel(prospect_channel)],
                )?;
                keep_alive.extend(a.keep_alive);
                let mut rings = a.rings.into_iter();
                let (Some(r0), Some(r1)) = (rings.next(), rings.next()) else {
                    return Err(Error::Other("capture rings missing".into()));
                };
                (
                    vec![(a.stream, a.status, device.id.clone())],
                    [r0, r1],
                    [device.id.clone(), device.id],
                    [0, 0],
                    true,
                    [a.opened_at, a.opened_at],
                )
            }
        };
        let core = CaptureCore::new(rings, same_clock).map_err(|e| Error::Device {
            device: names[0].clone(),
            what: e.to_string(),
        })?;
        let watch = StallWatch::new(opened_at, core.rates_hz());
        Ok(LiveSource {
            core,
            streams,
            names,
            stream_of,
            _keep_alive: keep_alive,
            watch,
            stalled: None,
        })
    }

    /// Whether both sides come from one stream (one device).
    fn one_device(&self) -> bool {
        self.stream_of[0] == self.stream_of[1]
    }

    /// Who the device of `side` carries, as a warning names it.
    fn role(&self, side: usize) -> &'static str {
        match (self.one_device(), side) {
            (true, _) => "the device",
            (false, 0) => "the rep's microphone",
            (false, _) => "the far end (the prospect)",
        }
    }

    /// Notes the stall (for the report's warning) and returns the error that ends the
    /// session.
    fn stall(&mut self, side: usize, stall: Stall) -> SourceError {
        self.stalled = Some((side, stall));
        SourceError::Device {
            device: self.names[side].clone(),
            what: format!("{} {}", self.role(side), stall.describe()),
        }
    }

    fn failure(&self) -> Option<SourceError> {
        for side in 0..2 {
            let (_, status, name) = &self.streams[self.stream_of[side]];
            let code = status.failed.load(Ordering::Relaxed);
            if code != 0 {
                return Some(SourceError::Device {
                    device: name.clone(),
                    what: format!("{}; the session ended there", failure_text(code)),
                });
            }
        }
        None
    }
}

impl Drop for LiveSource {
    fn drop(&mut self) {
        for (stream, status, _) in &self.streams {
            status.closing.store(true, Ordering::Relaxed);
            let _ = stream.pause();
        }
    }
}

impl FrameSource for LiveSource {
    fn next_frame(
        &mut self,
        rep: &mut [f32],
        prospect: &mut [f32],
    ) -> Result<Option<FrameFill>, SourceError> {
        loop {
            if self.core.pop_frame(rep, prospect) {
                return Ok(Some(FrameFill {
                    valid_samples: crate::timeline::FRAME_LEN_SAMPLES,
                }));
            }
            if let Some(e) = self.failure() {
                return Err(e);
            }
            if let Some((side, stall)) = self.watch.check_pace(Instant::now(), self.core.produced())
            {
                return Err(self.stall(side, stall));
            }
            let got = self.core.pump_within(self.watch.allowed(Instant::now()));
            // Again after the drain: a device with no clock can have filled its ring and
            // lost seconds more (put on the timeline as zeros) since the look before it.
            if let Some((side, stall)) = self.watch.check_pace(Instant::now(), self.core.produced())
            {
                return Err(self.stall(side, stall));
            }
            if let Some((side, stall)) = self.watch.check_delivery(Instant::now(), got) {
                return Err(self.stall(side, stall));
            }
            if got == [0, 0] {
                std::thread::sleep(POLL);
            }
        }
    }

    fn dropped_samples(&self) -> [u64; 2] {
        let mut dropped = self.core.dropped_samples();
        // What a device with no clock could not hand over was never sound: not audio lost.
        if let Some((side, Stall::Unpaced { .. })) = self.stalled {
            for (s, d) in dropped.iter_mut().enumerate() {
                if self.stream_of[s] == self.stream_of[side] {
                    *d = 0;
                }
            }
        }
        dropped
    }

    fn warnings(&self) -> Vec<Warning> {
        let Some((side, stall)) = self.stalled else {
            return Vec::new();
        };
        let party = if self.one_device() {
            None
        } else if side == 0 {
            Some(Party::Rep)
        } else {
            Some(Party::Prospect)
        };
        let role = self.role(side);
        let mut role_upper = role.to_string();
        if let Some(first) = role_upper.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        vec![Warning {
            code: WarningCode::DeviceStalled,
            party,
            message: format!("{role_upper} '{}' {}", self.names[side], stall.describe()),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tap(tap: Tap, capacity: usize) -> (TapOut, rtrb::Consumer<f32>) {
        let (out, consumer, _) = tap_with_gaps(tap, capacity, GAP_RECORDS);
        (out, consumer)
    }

    fn tap_with_gaps(
        tap: Tap,
        capacity: usize,
        gap_records: usize,
    ) -> (TapOut, rtrb::Consumer<f32>, rtrb::Consumer<Gap>) {
        let (producer, consumer) = rtrb::RingBuffer::new(capacity);
        let (gaps, gap_consumer) = rtrb::RingBuffer::new(gap_records);
        (
            TapOut {
                tap,
                producer,
                dropped: Arc::new(AtomicU64::new(0)),
                gaps,
                pushed: 0,
                unrecorded: 0,
            },
            consumer,
            gap_consumer,
        )
    }

    #[test]
    fn each_loss_is_recorded_where_it_happened() {
        let data = vec![0.5f32; 100];
        let (out, mut rx, mut gaps) = tap_with_gaps(Tap::Average, 64, 2);
        let mut taps = vec![out];
        // 64 fit, 36 are lost after them.
        deliver(&data, 1, &mut taps);
        assert_eq!(gaps.pop().ok(), Some(Gap { at: 64, len: 36 }));
        for _ in 0..40 {
            let _ = rx.pop();
        }
        // 40 fit (104 pushed), 60 lost; then nothing fits: two more losses, one of which
        // finds the gap ring full and goes with the next record.
        deliver(&data, 1, &mut taps);
        deliver(&data, 1, &mut taps);
        deliver(&data, 1, &mut taps);
        assert_eq!(gaps.pop().ok(), Some(Gap { at: 104, len: 60 }));
        assert_eq!(gaps.pop().ok(), Some(Gap { at: 104, len: 100 }));
        assert!(gaps.pop().is_err());
        // The next callback records the one left over before pushing anything.
        for _ in 0..10 {
            let _ = rx.pop();
        }
        deliver(&data[..5], 1, &mut taps);
        assert_eq!(gaps.pop().ok(), Some(Gap { at: 104, len: 100 }));
        assert!(gaps.pop().is_err());
        assert_eq!(taps[0].dropped.load(Ordering::Relaxed), 36 + 60 + 100 + 100);
        assert_eq!(taps[0].pushed, 109);
    }

    #[test]
    fn overflow_is_counted_not_waited_for() {
        // A stereo callback of 100 frames into rings of 64: 36 frames dropped on each tap.
        let data: Vec<f32> = (0..200)
            .map(|i| if i % 2 == 0 { 0.5 } else { -0.25 })
            .collect();
        let (left, mut left_rx) = tap(Tap::Channel(0), 64);
        let (avg, mut avg_rx) = tap(Tap::Average, 64);
        let mut taps = vec![left, avg];
        deliver(&data, 2, &mut taps);
        assert_eq!(taps[0].dropped.load(Ordering::Relaxed), 36);
        assert_eq!(taps[1].dropped.load(Ordering::Relaxed), 36);
        assert_eq!(left_rx.slots(), 64);
        assert_eq!(left_rx.pop().ok(), Some(0.5));
        assert_eq!(avg_rx.pop().ok(), Some(0.125));
        // Once drained, the next callback fits and nothing more is counted.
        while left_rx.pop().is_ok() {}
        while avg_rx.pop().is_ok() {}
        deliver(&data[..64], 2, &mut taps);
        assert_eq!(taps[0].dropped.load(Ordering::Relaxed), 36);
    }

    #[test]
    fn integer_samples_are_converted() {
        let data: Vec<i16> = vec![16_384, -16_384, 0, 0];
        let (mono, mut rx) = tap(Tap::Average, 8);
        let mut taps = vec![mono];
        deliver(&data, 1, &mut taps);
        assert_eq!(rx.pop().ok(), Some(0.5));
        assert_eq!(rx.pop().ok(), Some(-0.5));
    }

    const RATE_HZ: u32 = 48_000;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_paced_device_with_late_callbacks_is_never_stalled() {
        // A minute of 50 ms callbacks on both sides, the first of them late, a server's
        // first 2 s delivered at once, and one callback 0.9 s late.
        let t0 = Instant::now();
        let mut watch = StallWatch::new([t0, t0], [RATE_HZ, RATE_HZ]);
        let mut produced = [2 * u64::from(RATE_HZ), 0];
        let mut step_ms = 400;
        while step_ms <= 60_000 {
            let now = t0 + ms(step_ms);
            produced[0] += u64::from(RATE_HZ) / 20;
            produced[1] += u64::from(RATE_HZ) / 20;
            assert_eq!(watch.check_pace(now, produced), None, "at {step_ms} ms");
            assert_eq!(
                watch.check_delivery(now, [2400, 2400]),
                None,
                "at {step_ms} ms"
            );
            step_ms += if step_ms == 30_000 { 900 } else { 50 };
        }
    }

    #[test]
    fn a_side_that_stops_has_stalled_one_second_after_its_last_delivery() {
        let t0 = Instant::now();
        let mut watch = StallWatch::new([t0, t0], [RATE_HZ, RATE_HZ]);
        for step in 1..=200 {
            assert_eq!(watch.check_delivery(t0 + ms(step * 50), [2400, 2400]), None);
        }
        // The far end stops at 10 s; the microphone goes on.
        let last = t0 + ms(10_000);
        for step in 1..=20 {
            assert_eq!(
                watch.check_delivery(last + ms(step * 50), [2400, 0]),
                None,
                "{} ms after the last delivery",
                step * 50
            );
        }
        let found = watch.check_delivery(last + ms(1_050), [2400, 0]);
        assert_eq!(
            found,
            Some((
                1,
                Stall::Stopped {
                    silent_for: ms(1_050)
                }
            ))
        );
    }

    #[test]
    fn time_tacet_did_not_run_is_not_held_against_the_devices() {
        // Looks every 50 ms for 10 s, then none for 4 s (the process was stopped): the
        // first look after it finds the rings still empty (the client thread has not read
        // the sound server's backlog yet), which is no stall.
        let t0 = Instant::now();
        let mut watch = StallWatch::new([t0, t0], [RATE_HZ, RATE_HZ]);
        for step in 1..=200 {
            assert_eq!(watch.check_delivery(t0 + ms(step * 50), [2400, 2400]), None);
        }
        let back = t0 + ms(14_000);
        assert_eq!(watch.check_delivery(back, [0, 0]), None);
        assert_eq!(watch.check_delivery(back + ms(50), [96_000, 0]), None);
        // A side that stays silent once tacet runs again has stalled 1 s after it was
        // last seen, counting only the time tacet ran.
        for step in 2..=20 {
            assert_eq!(
                watch.check_delivery(back + ms(step * 50), [2400, 0]),
                None,
                "{step}"
            );
        }
        assert!(matches!(
            watch.check_delivery(back + ms(1_100), [2400, 0]),
            Some((1, Stall::Stopped { .. }))
        ));
    }

    #[test]
    fn a_device_paced_by_real_time_is_not_unpaced_after_tacet_was_stopped() {
        // Tacet stopped for 10 s (SIGSTOP) at 5 s: the device went on at real time and
        // lost what its ring could not hold. Its pace is real time's, not tacet's.
        let t0 = Instant::now();
        let mut watch = StallWatch::new([t0, t0], [RATE_HZ, RATE_HZ]);
        let rate = u64::from(RATE_HZ);
        let mut step_ms: u64 = 50;
        while step_ms <= 30_000 {
            if (5_000..15_000).contains(&step_ms) {
                step_ms += 50;
                continue;
            }
            let now = t0 + ms(step_ms);
            let produced = [rate * step_ms / 1000; 2];
            assert_eq!(watch.check_pace(now, produced), None, "at {step_ms} ms");
            assert_eq!(
                watch.check_delivery(now, [2400, 2400]),
                None,
                "at {step_ms} ms"
            );
            step_ms += 50;
        }
    }

    #[test]
    fn a_side_that_never_starts_has_stalled_after_five_seconds() {
        let t0 = Instant::now();
        let mut watch = StallWatch::new([t0, t0 + ms(300)], [RATE_HZ, RATE_HZ]);
        assert_eq!(watch.check_delivery(t0 + ms(5_200), [2400, 0]), None);
        assert_eq!(
            watch.check_delivery(t0 + ms(5_350), [2400, 0]),
            Some((1, Stall::NeverStarted))
        );
    }

    #[test]
    fn a_device_faster_than_real_time_is_caught_before_its_audio_is_taken() {
        // ALSA's null device: a full ring and millions of dropped samples within a few
        // milliseconds of opening.
        let t0 = Instant::now();
        let watch = StallWatch::new([t0, t0], [RATE_HZ, 16_000]);
        let now = t0 + ms(4);
        assert_eq!(watch.check_pace(now, [0, 16_000 * 3]), None);
        let found = watch.check_pace(now, [0, 16_000 * 600]);
        assert_eq!(
            found,
            Some((
                1,
                Stall::Unpaced {
                    produced_s: 600.0,
                    elapsed: ms(4)
                }
            ))
        );
        // Still within the slack: 1.5 times 10 s plus 3 s.
        assert_eq!(
            watch.check_pace(t0 + ms(10_000), [u64::from(RATE_HZ) * 18, 0]),
            None
        );
        assert!(
            watch
                .check_pace(t0 + ms(10_000), [u64::from(RATE_HZ) * 18 + 1, 0])
                .is_some()
        );
    }
}
