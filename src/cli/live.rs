//! `tacet live` and `tacet devices`: choose the devices (flags, then `[live]` in the
//! config, then the platform defaults), start the capture and run the session through the
//! same analysis as every other source.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use crate::audio::live::{self, LiveSource, Plan, Role};
use crate::cli::args::LiveArgs;
use crate::cli::session::{ClipsFrom, RunOptions};
use crate::config::Config;
use crate::error::Error;
use crate::session::Pacing;

/// The reminder printed before recording.
pub const CONSENT: &str = "Recording both sides: make sure everyone on the call has agreed.";

/// Prints hosts, devices and the suggested command line.
///
/// # Errors
/// [`Error::Other`] when stdout cannot be written.
pub fn devices() -> Result<(), Error> {
    let text = live::describe(&live::list());
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(Error::Stdout)
}

fn non_empty(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// Resolves the devices a `tacet live` command line asks for.
///
/// # Errors
/// [`Error::Device`] for a missing device, [`Error::Usage`] for an ambiguous one or for
/// one channel given to both sides.
pub fn plan(config: &Config, args: &LiveArgs) -> Result<Plan, Error> {
    if let Some(dev) = &args.stereo {
        let (Some(rep_channel), Some(prospect_channel)) = (args.rep_channel, args.prospect_channel)
        else {
            return Err(Error::Usage(
                "--stereo needs --rep-channel N and --prospect-channel M".into(),
            ));
        };
        if rep_channel == prospect_channel {
            return Err(Error::Usage(format!(
                "--rep-channel and --prospect-channel are both {rep_channel}; give different channels"
            )));
        }
        return Ok(Plan::Stereo {
            device: Box::new(live::find(dev, Role::Input)?),
            rep_channel,
            prospect_channel,
        });
    }
    let mic = match args.mic.as_deref().or(non_empty(&config.live.mic)) {
        Some(spec) => live::find(spec, Role::Input)?,
        None => live::default_mic()?,
    };
    let far = match (&args.far, &args.loopback) {
        (Some(spec), _) => find_far(spec)?,
        (None, Some(out)) => live::loopback_of(non_empty(out))?,
        (None, None) => match non_empty(&config.live.far) {
            Some(spec) => find_far(spec)?,
            None => live::loopback_of(None)?,
        },
    };
    if mic.id == far.id {
        return Err(Error::Usage(format!(
            "the microphone and the far end are the same device '{}'; for one device carrying both sides use --stereo",
            mic.id
        )));
    }
    Ok(Plan::TwoDevices {
        mic: Box::new(mic),
        far: Box::new(far),
    })
}

/// The far end given by name: an input (monitor, loopback device), or on Windows and macOS
/// also an output (captured through its loopback).
fn find_far(spec: &str) -> Result<live::Found, Error> {
    match live::find(spec, Role::Input) {
        Err(Error::Device { .. }) if live::OUTPUT_LOOPBACK => live::find(spec, Role::Output),
        other => other,
    }
}

/// Runs `tacet live`.
///
/// # Errors
/// Usage, device (exit 4, after the report is saved) and output errors.
pub fn run(config: &Config, args: LiveArgs, data: &std::path::Path) -> Result<(), Error> {
    if let Some(d) = args.duration
        && !(d.is_finite() && d > 0.0)
    {
        return Err(Error::Usage(format!("--duration {d} must be above 0")));
    }
    if args.clips && !args.record {
        return Err(Error::Usage(crate::cli::clips::NEEDS_RECORDING.into()));
    }
    let wall = Instant::now();
    let plan = plan(config, &args)?;
    let source_name = match &plan {
        Plan::TwoDevices { mic, far } => format!("live: mic {} + far end {}", mic.id, far.id),
        Plan::Stereo {
            device,
            rep_channel,
            prospect_channel,
        } => format!(
            "live: {} (rep channel {rep_channel}, prospect channel {prospect_channel})",
            device.id
        ),
    };
    let record = args.record.then(|| recording_path(data));
    if record.is_some() {
        eprintln!("{CONSENT}");
    }
    let source = LiveSource::start(plan)?;
    eprintln!("capturing: {source_name}");
    let output = crate::cli::session::output_target(args.output.as_ref(), args.format);
    let result = crate::cli::session::run(
        Box::new(source),
        config,
        RunOptions {
            kind: "live",
            source_name,
            pacing: Pacing::Free,
            ui: !args.no_ui,
            data_dir: data.to_path_buf(),
            record,
            duration_s: args.duration,
            output,
            clips: args.clips.then_some(ClipsFrom::Recording),
            split: !args.no_split,
        },
    );
    if args.stats {
        print_stats(wall);
    }
    result
}

/// `<data>/recordings/<stamp>-live.wav`.
fn recording_path(data: &std::path::Path) -> PathBuf {
    let stamp: String = crate::session::store::iso8601_utc(SystemTime::now())
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == 'T')
        .collect();
    let dir = data.join("recordings");
    let mut path = dir.join(format!("{stamp}-live.wav"));
    let mut k = 1;
    while path.exists() {
        k += 1;
        path = dir.join(format!("{stamp}-live-{k}.wav"));
    }
    path
}

fn print_stats(wall: Instant) {
    let wall_s = wall.elapsed().as_secs_f64();
    if let Some(cpu_s) = crate::platform::cpu::process_cpu_s() {
        eprintln!(
            "# cpu_s {cpu_s:.3}\n# wall_s {wall_s:.3}\n# cpu_percent {:.2}",
            100.0 * cpu_s / wall_s.max(1e-9)
        );
    }
    if let Some(rss_mb) = crate::platform::cpu::peak_rss_mb() {
        eprintln!("# peak_rss_mb {rss_mb:.1}");
    }
}
