//! `tacet vad`: the speech segments the detector finds in one channel of a recording.

use std::io::Write;

use crate::analysis::SegmentDetector;
use crate::audio::decode::AudioReader;
use crate::audio::source::{FileSource, FrameSource};
use crate::cli::args::VadArgs;
use crate::config::Config;
use crate::error::Error;
use crate::platform::cpu::thread_cpu_s;
use crate::timeline::{FRAME_LEN_SAMPLES, samples_to_s};

/// Prints one "start_s end_s" line per segment, then "# cpu_s X" (CPU seconds of
/// decoding, resampling and detection). The recording goes through the same front end as
/// `analyze`, with the far end as the reference of a rep's channel.
///
/// # Errors
/// Input errors naming the file; [`Error::Other`] when stdout cannot be written.
pub fn run(config: &Config, args: VadArgs) -> Result<(), Error> {
    let reader = AudioReader::open(&args.file)?;
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
    // The far end, as `analyze` gives it to the rep's detector: the prospect's channel,
    // unless that is the channel asked for (the prospect's side has no reference).
    let far =
        Some(config.input.prospect_channel).filter(|&c| c != args.channel && c < info.channels);
    let mut source = FileSource::one_side(reader, args.channel, far)?;
    let mut detector = SegmentDetector::new(far.is_some());
    let mut frame = [0.0f32; FRAME_LEN_SAMPLES];
    let mut far_frame = [0.0f32; FRAME_LEN_SAMPLES];
    let t0 = thread_cpu_s();
    while let Some(fill) = source.next_frame(&mut frame, &mut far_frame)? {
        detector.push_frame(&frame, &far_frame, fill.valid_samples);
    }
    let spans = detector.finish();
    let cpu_s = thread_cpu_s() - t0;
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
        .map_err(Error::Stdout)
}
