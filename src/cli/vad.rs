//! `tacet vad`: the speech segments the detector finds in one channel of a recording.

use std::io::Write;

use crate::analysis::SegmentDetector;
use crate::audio::decode::AudioReader;
use crate::audio::resample::ToAnalysisRate;
use crate::cli::args::VadArgs;
use crate::cli::thread_cpu_s;
use crate::config::Config;
use crate::error::Error;
use crate::timeline::samples_to_s;

/// Prints one "start_s end_s" line per segment, then "# cpu_s X".
///
/// # Errors
/// Input errors naming the file; [`Error::Other`] when stdout cannot be written.
pub fn run(_config: &Config, args: VadArgs) -> Result<(), Error> {
    let mut reader = AudioReader::open(&args.file)?;
    let info = reader.info();
    if args.channel >= info.channels {
        return Err(Error::from(crate::audio::InputError::Channel {
            path: args.file.clone(),
            what: format!(
                "has {} channel(s), so there is no channel {} (channels count from 0); choose one with --channel",
                info.channels, args.channel
            ),
        }));
    }
    let mut resampler = ToAnalysisRate::new(info.rate_hz).map_err(|what| {
        Error::Input(crate::audio::InputError::Unsupported {
            path: args.file.clone(),
            what,
        })
    })?;
    let mut detector = SegmentDetector::new();
    let mut mono = [Vec::new()];
    let mut resampled = std::collections::VecDeque::new();
    let mut cpu_s = 0.0;
    while reader.next_channels(&[args.channel], &mut mono)? {
        let [mono] = &mono;
        let t0 = thread_cpu_s();
        resampler.push(mono, &mut resampled);
        let (a, b) = resampled.as_slices();
        detector.push(a);
        detector.push(b);
        resampled.clear();
        cpu_s += thread_cpu_s() - t0;
    }
    let t0 = thread_cpu_s();
    resampler.finish(&mut resampled);
    let (a, b) = resampled.as_slices();
    detector.push(a);
    detector.push(b);
    let spans = detector.finish();
    cpu_s += thread_cpu_s() - t0;
    let mut out = String::new();
    for s in &spans {
        out.push_str(&format!(
            "{:.3} {:.3}\n",
            samples_to_s(s.start),
            samples_to_s(s.end)
        ));
    }
    out.push_str(&format!("# cpu_s {cpu_s:.4}\n"));
    std::io::stdout()
        .lock()
        .write_all(out.as_bytes())
        .map_err(|e| Error::Other(format!("cannot write to stdout: {e}")))
}
