//! Where the far end of a call (what the softphone plays) is captured, per platform, and
//! which device `tacet devices` suggests for it:
//!
//! - Linux: the PulseAudio/PipeWire *monitor* source of the output, `<sink>.monitor`.
//! - Windows: WASAPI loopback. cpal 0.18 opens an input stream on an *output* (render)
//!   device with `AUDCLNT_STREAMFLAGS_LOOPBACK`. WASAPI hands a loopback stream nothing
//!   while nothing plays on that output, which tacet would take for a stalled device, so
//!   tacet plays silence on the output for as long as it captures its loopback
//!   ([`keep_loopback_running`]): the mix then always runs and delivers, silent or not.
//! - macOS 14.6+: cpal 0.18 creates a private Core Audio process tap of the output and an
//!   aggregate device around it when an input stream is built on an output-only device; the
//!   system asks once for the permission to record system audio (without it the far end is
//!   silent, and the report warns `no_signal`). A loopback driver (BlackHole and the like)
//!   is captured as the input it also is; it is the suggestion when it is the default output
//!   (the system's sound is routed through it).
//!
//! The choosing is pure functions over device ids and names, so every platform's rules
//! are tested on any of them.

use super::Os;

/// Whether an output device's loopback is captured directly, as an input stream on the
/// output (Windows' WASAPI loopback, macOS' process tap), rather than through a monitor
/// source beside it (Linux).
pub const fn captures_output_loopback(os: Os) -> bool {
    matches!(os, Os::Windows | Os::MacOs)
}

/// Whether capturing an output's loopback needs something playing on that output to
/// deliver at all (WASAPI loopback does; see the module doc).
pub const fn loopback_needs_playback(os: Os) -> bool {
    matches!(os, Os::Windows)
}

/// Parts of a device's id or name that mark a source carrying what an output plays:
/// PulseAudio monitors, loopback drivers (BlackHole, Soundflower, Rogue Amoeba's Loopback,
/// VB-Audio's cable), and Windows' "Stereo Mix"/"What U Hear" inputs.
const LOOPBACK_MARKS: &[&str] = &[
    ".monitor",
    "monitor of",
    "loopback",
    "blackhole",
    "soundflower",
    "cable output",
    "vb-audio",
    "stereo mix",
    "what u hear",
];

/// Whether an input with this id and name carries what an output plays (a monitor or a
/// loopback device) rather than a microphone.
pub fn is_loopback_input(id: &str, name: &str) -> bool {
    let l = format!("{id} {name}").to_lowercase();
    LOOPBACK_MARKS.iter().any(|m| l.contains(m))
}

/// One device as listed, for choosing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dev<'a> {
    /// cpal id (`wasapi:{0.0.0.00000000}.{...}`, `coreaudio:BlackHole2ch_UID`).
    pub id: &'a str,
    /// Human name.
    pub name: &'a str,
    /// The default input (output) of its host.
    pub default: bool,
}

/// A way to take the far end, as a `tacet live` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FarEnd {
    /// `--far ID`: an input that carries the far end (monitor, loopback device).
    Input {
        /// Its cpal id.
        id: String,
        /// Why it is a candidate, for the listing.
        why: &'static str,
    },
    /// `--loopback ID`: the loopback of this output (WASAPI loopback, Core Audio tap).
    Loopback {
        /// The output's cpal id.
        output: String,
        /// Why it is a candidate, for the listing.
        why: &'static str,
    },
}

impl FarEnd {
    /// The flag and its value, the value quoted when a shell would split or expand it
    /// (Windows ids carry braces; names may carry spaces).
    pub fn flag(&self) -> String {
        match self {
            FarEnd::Input { id, .. } => format!("--far {}", quote(id)),
            FarEnd::Loopback { output, .. } => format!("--loopback {}", quote(output)),
        }
    }

    /// Why it is a candidate.
    pub fn why(&self) -> &'static str {
        match self {
            FarEnd::Input { why, .. } | FarEnd::Loopback { why, .. } => why,
        }
    }
}

/// `s` as one shell word: as is when it holds only characters no shell treats specially
/// (sh, cmd or PowerShell), else in double quotes (which all three take).
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '_' | '-' | '/' | ','));
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\\\""))
    }
}

/// The far-end candidates on `os`, best first, from the host's inputs and outputs.
///
/// - Linux: the monitor of the default output, then the other monitors and loopback
///   inputs (the default input first).
/// - Windows: the loopback of the default output (or of the first output when none is
///   default), then loopback inputs such as Stereo Mix or a virtual cable.
/// - macOS: a loopback device (BlackHole...) that is the default output, taken as the
///   input it also is; then the tap of the default output; then other loopback inputs
///   (they carry the far end once the softphone plays into them).
pub fn candidates(os: Os, inputs: &[Dev<'_>], outputs: &[Dev<'_>]) -> Vec<FarEnd> {
    let default_out = outputs.iter().find(|d| d.default).or(outputs.first());
    let mut loopback_inputs: Vec<&Dev<'_>> = inputs
        .iter()
        .filter(|d| is_loopback_input(d.id, d.name))
        .collect();
    loopback_inputs.sort_by_key(|d| !d.default);
    let mut out = Vec::new();
    // The first reason given for a device is kept; it is not listed again for another.
    let push = |c: FarEnd, out: &mut Vec<FarEnd>| {
        if !out.iter().any(|o| o.flag() == c.flag()) {
            out.push(c);
        }
    };
    match os {
        Os::Linux | Os::Other => {
            let monitor_of_default = outputs
                .iter()
                .find(|d| d.default)
                .and_then(|o| inputs.iter().find(|i| i.id == format!("{}.monitor", o.id)));
            if let Some(m) = monitor_of_default {
                push(
                    FarEnd::Input {
                        id: m.id.to_string(),
                        why: "the monitor of the default output",
                    },
                    &mut out,
                );
            }
            for d in loopback_inputs {
                push(
                    FarEnd::Input {
                        id: d.id.to_string(),
                        why: "a monitor source",
                    },
                    &mut out,
                );
            }
        }
        Os::Windows => {
            if let Some(o) = default_out {
                push(
                    FarEnd::Loopback {
                        output: o.id.to_string(),
                        why: "WASAPI loopback of the default output",
                    },
                    &mut out,
                );
            }
            for d in loopback_inputs {
                push(
                    FarEnd::Input {
                        id: d.id.to_string(),
                        why: "a loopback input (carries what its output plays)",
                    },
                    &mut out,
                );
            }
        }
        Os::MacOs => {
            if let Some(o) = default_out.filter(|o| is_loopback_input(o.id, o.name))
                && let Some(i) = inputs.iter().find(|i| i.id == o.id || i.name == o.name)
            {
                push(
                    FarEnd::Input {
                        id: i.id.to_string(),
                        why: "the loopback device the system's sound is routed to",
                    },
                    &mut out,
                );
            }
            if let Some(o) = default_out {
                push(
                    FarEnd::Loopback {
                        output: o.id.to_string(),
                        why: "a Core Audio tap of the default output (macOS 14.6+, asks for the system-audio permission)",
                    },
                    &mut out,
                );
            }
            for d in loopback_inputs {
                push(
                    FarEnd::Input {
                        id: d.id.to_string(),
                        why: "a loopback device (route the softphone's output to it)",
                    },
                    &mut out,
                );
            }
        }
    }
    out
}

/// The `tacet live` line for a microphone and a far end; the flags left out fall back to
/// the defaults (`tacet live` alone takes the default microphone and the default
/// output's loopback or monitor).
pub fn live_line(mic: Option<&str>, far: Option<&FarEnd>) -> String {
    let mut cmd = "tacet live".to_string();
    if let Some(m) = mic {
        cmd.push_str(" --mic ");
        cmd.push_str(&quote(m));
    }
    if let Some(f) = far {
        cmd.push(' ');
        cmd.push_str(&f.flag());
    }
    cmd
}

/// Plays silence on `device` (an output) while the returned stream lives, where
/// [`loopback_needs_playback`] says its loopback delivers nothing otherwise; None where it
/// is not needed or cannot be done (the capture then goes on without it: a softphone in a
/// call keeps the output playing anyway).
pub fn keep_loopback_running(os: Os, device: &cpal::Device) -> Option<cpal::Stream> {
    use cpal::SampleFormat as F;
    use cpal::traits::{DeviceTrait, StreamTrait};
    if !loopback_needs_playback(os) {
        return None;
    }
    let supported = device.default_output_config().ok()?;
    let config = supported.config();
    let stream = match supported.sample_format() {
        F::F32 => silence::<f32>(device, config),
        F::I16 => silence::<i16>(device, config),
        F::I32 => silence::<i32>(device, config),
        F::U16 => silence::<u16>(device, config),
        F::U8 => silence::<u8>(device, config),
        F::I8 => silence::<i8>(device, config),
        F::F64 => silence::<f64>(device, config),
        _ => None,
    }?;
    stream.play().ok()?;
    Some(stream)
}

/// An output stream that writes the format's silence (its equilibrium) and nothing else.
fn silence<T>(device: &cpal::Device, config: cpal::StreamConfig) -> Option<cpal::Stream>
where
    T: cpal::SizedSample + Send + 'static,
{
    use cpal::traits::DeviceTrait;
    device
        .build_output_stream::<T, _, _>(
            config,
            |data: &mut [T], _| data.fill(<T as cpal::Sample>::EQUILIBRIUM),
            |_| {},
            Some(std::time::Duration::from_secs(5)),
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev<'a>(id: &'a str, name: &'a str, default: bool) -> Dev<'a> {
        Dev { id, name, default }
    }

    const WIN_SPEAKERS: &str = "wasapi:{0.0.0.00000000}.{8f1b3c2e-aaaa-4bbb-8ccc-0123456789ab}";
    const WIN_HEADSET: &str = "wasapi:{0.0.0.00000000}.{11111111-2222-3333-4444-555555555555}";
    const WIN_MIC: &str = "wasapi:{0.0.1.00000000}.{99999999-2222-3333-4444-555555555555}";
    const WIN_MIX: &str = "wasapi:{0.0.1.00000000}.{77777777-2222-3333-4444-555555555555}";

    #[test]
    fn loopback_inputs_are_told_from_microphones() {
        assert!(is_loopback_input(
            "pulseaudio:softphone.monitor",
            "Monitor of Softphone"
        ));
        assert!(is_loopback_input(
            "coreaudio:BlackHole2ch_UID",
            "BlackHole 2ch"
        ));
        assert!(is_loopback_input(WIN_MIX, "Stereo Mix (Realtek(R) Audio)"));
        assert!(is_loopback_input(
            WIN_MIX,
            "CABLE Output (VB-Audio Virtual Cable)"
        ));
        assert!(!is_loopback_input(
            WIN_MIC,
            "Headset Microphone (Jabra Evolve2 65)"
        ));
        assert!(!is_loopback_input(
            "coreaudio:BuiltInMicrophoneDevice",
            "MacBook Pro Microphone"
        ));
        assert!(!is_loopback_input("alsa:mic", "mic"));
    }

    #[test]
    fn windows_takes_the_default_outputs_loopback() {
        let inputs = [
            dev(WIN_MIC, "Headset Microphone (Jabra)", true),
            dev(WIN_MIX, "Stereo Mix (Realtek(R) Audio)", false),
        ];
        let outputs = [
            dev(WIN_SPEAKERS, "Speakers (Realtek(R) Audio)", false),
            dev(WIN_HEADSET, "Headset Earphone (Jabra)", true),
        ];
        let c = candidates(Os::Windows, &inputs, &outputs);
        assert_eq!(
            c[0],
            FarEnd::Loopback {
                output: WIN_HEADSET.into(),
                why: "WASAPI loopback of the default output"
            }
        );
        assert!(matches!(&c[1], FarEnd::Input { id, .. } if id == WIN_MIX));
        assert_eq!(c.len(), 2);
        assert_eq!(
            live_line(Some(WIN_MIC), c.first()),
            format!("tacet live --mic \"{WIN_MIC}\" --loopback \"{WIN_HEADSET}\"")
        );
    }

    #[test]
    fn windows_without_a_default_output_takes_the_first() {
        let outputs = [dev(WIN_SPEAKERS, "Speakers", false)];
        let c = candidates(Os::Windows, &[], &outputs);
        assert!(matches!(&c[..], [FarEnd::Loopback { output, .. }] if output == WIN_SPEAKERS));
        assert!(candidates(Os::Windows, &[], &[]).is_empty());
    }

    #[test]
    fn macos_prefers_a_loopback_device_that_is_the_default_output() {
        let bh = "coreaudio:BlackHole2ch_UID";
        let inputs = [
            dev(
                "coreaudio:BuiltInMicrophoneDevice",
                "MacBook Pro Microphone",
                true,
            ),
            dev(bh, "BlackHole 2ch", false),
        ];
        let outputs = [
            dev(
                "coreaudio:BuiltInSpeakerDevice",
                "MacBook Pro Speakers",
                false,
            ),
            dev(bh, "BlackHole 2ch", true),
        ];
        let c = candidates(Os::MacOs, &inputs, &outputs);
        assert!(matches!(&c[0], FarEnd::Input { id, .. } if id == bh));
        // The tap of the same device comes next; the loopback input is not listed twice.
        assert!(matches!(&c[1], FarEnd::Loopback { output, .. } if output == bh));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn macos_taps_the_default_output_and_offers_blackhole_after() {
        let bh = "coreaudio:BlackHole2ch_UID";
        let spk = "coreaudio:BuiltInSpeakerDevice";
        let inputs = [
            dev(
                "coreaudio:BuiltInMicrophoneDevice",
                "MacBook Pro Microphone",
                true,
            ),
            dev(bh, "BlackHole 2ch", false),
        ];
        let outputs = [
            dev(spk, "MacBook Pro Speakers", true),
            dev(bh, "BlackHole 2ch", false),
        ];
        let c = candidates(Os::MacOs, &inputs, &outputs);
        assert!(matches!(&c[0], FarEnd::Loopback { output, .. } if output == spk));
        assert!(matches!(&c[1], FarEnd::Input { id, .. } if id == bh));
        assert_eq!(c.len(), 2);
        assert_eq!(
            live_line(Some("coreaudio:BuiltInMicrophoneDevice"), c.first()),
            "tacet live --mic coreaudio:BuiltInMicrophoneDevice --loopback coreaudio:BuiltInSpeakerDevice"
        );
    }

    #[test]
    fn linux_takes_the_monitor_of_the_default_output() {
        let inputs = [
            dev("pulseaudio:virtual_mic", "Virtual mic", true),
            dev("pulseaudio:speakers.monitor", "Monitor of Speakers", false),
            dev(
                "pulseaudio:softphone.monitor",
                "Monitor of Softphone",
                false,
            ),
        ];
        let outputs = [
            dev("pulseaudio:speakers", "Speakers", false),
            dev("pulseaudio:softphone", "Softphone", true),
        ];
        let c = candidates(Os::Linux, &inputs, &outputs);
        assert!(matches!(&c[0], FarEnd::Input { id, .. } if id == "pulseaudio:softphone.monitor"));
        assert_eq!(c.len(), 2);
        // No output is ever taken as a loopback on Linux.
        assert!(c.iter().all(|f| matches!(f, FarEnd::Input { .. })));
        assert_eq!(
            live_line(Some("pulseaudio:virtual_mic"), c.first()),
            "tacet live --mic pulseaudio:virtual_mic --far pulseaudio:softphone.monitor"
        );
    }

    #[test]
    fn linux_without_monitors_suggests_no_far_end() {
        let inputs = [dev("alsa:mic", "mic", true)];
        let outputs = [dev("alsa:default", "default", true)];
        assert!(candidates(Os::Linux, &inputs, &outputs).is_empty());
        assert_eq!(
            live_line(Some("alsa:mic"), None),
            "tacet live --mic alsa:mic"
        );
    }

    #[test]
    fn quoting_keeps_plain_ids_and_quotes_the_rest() {
        assert_eq!(quote("alsa:hw:0,0"), "alsa:hw:0,0");
        assert_eq!(quote("BlackHole 2ch"), "\"BlackHole 2ch\"");
        assert_eq!(quote("wasapi:{x}"), "\"wasapi:{x}\"");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
    }

    #[test]
    fn platform_rules() {
        assert!(captures_output_loopback(Os::Windows));
        assert!(captures_output_loopback(Os::MacOs));
        assert!(!captures_output_loopback(Os::Linux));
        assert!(loopback_needs_playback(Os::Windows));
        assert!(!loopback_needs_playback(Os::MacOs));
        assert!(!loopback_needs_playback(Os::Linux));
    }
}
