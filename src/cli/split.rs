//! `tacet analyze DAY --split-calls --out-dir DIR`: a recording of a working day split into
//! calls by the rule of `conversation::calls`, one report per call (each the analysis of its
//! stretch alone, with `offset_s` saying where it starts) and `summary.csv`.

use std::path::Path;

use crate::audio::source::{CallFiles, FileSource};
use crate::cli::batch::{SUMMARY_HEADER, input_path, report_names, summary_row};
use crate::config::Config;
use crate::error::Error;
use crate::report::file::{write_atomic, write_atomic_with};
use crate::report::html::clock;
use crate::report::{Format, Report};
use crate::session::run_to_end_split;
use crate::timeline::{Samples, samples_to_s};

/// The report file names of `count` calls split out of `input`: its report name with
/// `-call01`, `-call02`... before the extension.
fn call_names(input: &Path, format: Format, count: usize) -> Vec<String> {
    let base = report_names(&[input], format).remove(0);
    let stem = base
        .strip_suffix(&format!(".{}", format.extension()))
        .unwrap_or(&base)
        .to_string();
    (1..=count)
        .map(|k| format!("{stem}-call{k:02}.{}", format.extension()))
        .collect()
}

/// A split call's one-line summary: where it starts in its source, how long it is, the
/// rep's share of talk and its pauses (`from 0:30 for 4:05, rep share 41%, 6 pauses, 4
/// held`). The same line for `analyze --split-calls`, `replay --split-calls` and `live`.
pub fn call_line(report: &Report) -> String {
    format!(
        "from {} for {}, rep share {}, {} pauses, {} held",
        clock(report.offset_s),
        clock(report.duration_s),
        report
            .rep
            .share_of_talk
            .map_or("-".into(), |v| format!("{:.0}%", v * 100.0)),
        report.pauses.len(),
        report.held()
    )
}

/// Splits the one recording of `inputs` into calls and writes a report per call into `dir`
/// in `format`, and `summary.csv` with a row per call. A recording with no call in it gets
/// no report and no summary (it says so; not an error). With `clips`, each call's HTML
/// report has its moments' audio, cut from where the call is in the recording (one more
/// pass over the recording for all calls).
///
/// # Errors
/// [`Error::Usage`] for more than one recording; input and output errors.
pub fn run(
    inputs: &[CallFiles],
    config: &Config,
    dir: &Path,
    format: Format,
    clips: bool,
) -> Result<(), Error> {
    let [files] = inputs else {
        return Err(Error::Usage(
            "--split-calls takes one recording (a working day); give several days one at a time"
                .into(),
        ));
    };
    // One pass over the day, as a live session or `replay --split-calls` splits it: each
    // call analysed alone from its first frame, so its figures are those of its stretch.
    let mut day = FileSource::open(files).map_err(|e| {
        crate::cli::inputs::with_mono_hint(e, crate::cli::inputs::ANALYZE_MONO_HINT)
    })?;
    let calls = run_to_end_split(&mut day, config)?;
    let source = files.describe();
    if calls.is_empty() {
        println!(
            "no call in {source}: no stretch where one side's speech is answered by the other; no report written"
        );
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::Output {
        path: dir.display().to_string(),
        what: e.to_string(),
    })?;
    let names = call_names(input_path(files), format, calls.len());
    let reports: Vec<(Report, Samples)> = calls
        .iter()
        .map(|call| {
            let mut report = Report::new(&call.result, &source, None);
            report.offset_s = samples_to_s(call.start);
            (report, call.start)
        })
        .collect();
    // The stretch a call's report was made from is the recording's frames from the call's
    // start on, so its clips are cut from the whole recording at the call's offset.
    let audio = if clips {
        let mut whole = FileSource::open(files)?;
        let of: Vec<(&Report, Samples)> = reports.iter().map(|(r, at)| (r, *at)).collect();
        crate::cli::clips::cut_for(&mut whole, &of)?
    } else {
        vec![Vec::new(); reports.len()]
    };
    let mut summary = String::from(SUMMARY_HEADER);
    for (((report, _), name), audio) in reports.iter().zip(&names).zip(&audio) {
        write_atomic_with(&dir.join(name), |w| {
            format.write_with_clips(report, audio, w)
        })?;
        let label = format!("{source} @ {:.1} s", report.offset_s);
        summary.push_str(&summary_row(&label, name, report));
        println!("{name}: {}", call_line(report));
    }
    write_atomic(&dir.join("summary.csv"), summary.as_bytes())?;
    println!("{} calls; reports in {}", calls.len(), dir.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_report_is_named_after_the_recording_and_its_number() {
        assert_eq!(
            call_names(Path::new("mon/day.wav"), Format::Json, 2),
            ["day-call01.json", "day-call02.json"]
        );
        assert_eq!(
            call_names(Path::new("day.flac"), Format::Audacity, 1),
            ["day-call01.labels.txt"]
        );
    }
}
