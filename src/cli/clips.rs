//! `--clips` of `analyze`, `replay` and `live`: the moments' audio for the HTML report, cut
//! from the recording the report was made from (the window rule and the encoding are
//! `audio::clips`'), with the usage rules of the flag.

use crate::audio::clips::{Clip, ClipRequest, cut, window};
use crate::audio::source::{CallFiles, FileSource, FrameSource};
use crate::error::Error;
use crate::report::{Format, Report};
use crate::timeline::{Samples, Span, s_to_samples};

/// What `--clips` without `--record` lacks, and what to add (`tacet live`).
pub const NEEDS_RECORDING: &str = "--clips cuts the moments' audio from the call's recording, and a live session has one only with --record: add --record (it records both sides; everyone on the call must agree)";

/// `--clips` puts audio in the HTML report only: with another report format it is bad usage.
///
/// # Errors
/// [`Error::Usage`] naming the flag to add.
pub fn check_format(clips: bool, format: Format) -> Result<(), Error> {
    if clips && format != Format::Html {
        return Err(Error::Usage(format!(
            "--clips embeds the moments' audio in the HTML report, but the report asked for is {}: add --format html (or write to -o FILE.html)",
            format.extension()
        )));
    }
    Ok(())
}

fn shift(span: Span, offset: Samples) -> Span {
    Span::new(span.start + offset, span.end + offset)
}

/// The clips to cut for `report`, whose call starts `offset` samples into the source: one
/// per moment, in the report's order, with the report's paused stretches silenced.
fn requests(report: &Report, offset: Samples) -> Vec<ClipRequest> {
    let call_len = s_to_samples(report.duration_s);
    let muted: Vec<Span> = report
        .paused
        .iter()
        .map(|p| {
            shift(
                Span::new(s_to_samples(p.start_s), s_to_samples(p.end_s)),
                offset,
            )
        })
        .collect();
    report
        .moments
        .iter()
        .map(|m| {
            let moment = Span::new(s_to_samples(m.start_s), s_to_samples(m.end_s));
            ClipRequest {
                window: shift(window(moment, call_len), offset),
                muted: muted.clone(),
            }
        })
        .collect()
}

/// The clips of several reports of one source, each with where its call starts in the
/// source (0 unless split out of a recorded day), cut in one pass over `source` (the frames
/// the analysis read). Each report's clips come back on its own timeline.
///
/// # Errors
/// The source's error, or the encoder's.
pub fn cut_for(
    source: &mut dyn FrameSource,
    reports: &[(&Report, Samples)],
) -> Result<Vec<Vec<Clip>>, Error> {
    let all: Vec<ClipRequest> = reports
        .iter()
        .flat_map(|&(report, offset)| requests(report, offset))
        .collect();
    let mut clips = cut(source, &all)?.into_iter();
    Ok(reports
        .iter()
        .map(|&(report, offset)| {
            clips
                .by_ref()
                .take(report.moments.len())
                .map(|mut c| {
                    c.window = Span::new(c.window.start - offset, c.window.end - offset);
                    c
                })
                .collect()
        })
        .collect())
}

/// The clips of `report`, made from `files` (read again as the analysis read them).
///
/// # Errors
/// The recording's error, or the encoder's.
pub fn for_files(files: &CallFiles, report: &Report) -> Result<Vec<Clip>, Error> {
    let mut source = FileSource::open(files)?;
    Ok(cut_for(&mut source, &[(report, 0)])?
        .pop()
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::MomentReport;

    #[test]
    fn clips_are_asked_for_each_moment_where_its_call_is_in_the_source() {
        let mut report = Report::new(
            &crate::analysis::CallResult::empty(&crate::config::Config::default()),
            "test",
            None,
        );
        report.duration_s = 100.0;
        report.moments = vec![
            MomentReport {
                kind: "mark".into(),
                start_s: 1.0,
                end_s: 1.0,
                text: String::new(),
            },
            MomentReport {
                kind: "longest_monologue".into(),
                start_s: 50.0,
                end_s: 90.0,
                text: String::new(),
            },
        ];
        report.paused = vec![crate::report::Interval {
            start_s: 10.0,
            end_s: 20.0,
        }];
        let offset = s_to_samples(1000.0);
        let got = requests(&report, offset);
        let at = |a: f64, b: f64| Span::new(s_to_samples(a), s_to_samples(b));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].window, at(1000.0, 1004.0));
        assert_eq!(got[1].window, at(1047.0, 1059.0));
        assert_eq!(got[1].muted, vec![at(1010.0, 1020.0)]);
    }

    #[test]
    fn clips_need_an_html_report() {
        assert!(check_format(true, Format::Html).is_ok());
        assert!(check_format(false, Format::Json).is_ok());
        let e = check_format(true, Format::Json).expect_err("usage");
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("--format html"), "{e}");
    }
}
