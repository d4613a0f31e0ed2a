//! Batch analysis: many recordings, one report each, on all cores, with a progress line;
//! a bad file is reported and skipped, and a summary table of all calls is written.

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Component, Path};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::audio::source::CallFiles;
use crate::cli::analyze::analyze_call;
use crate::config::Config;
use crate::error::Error;
use crate::report::file::{write_atomic, write_atomic_with};
use crate::report::{Format, Report};

/// An input's report, or its error's message and exit code.
type Outcome = Result<Report, (String, u8)>;

/// One field of a CSV line, quoted when it holds a comma, a quote or a line break (RFC 4180
/// quoting: the summary is one header and one row per report, written once, so a CSV crate
/// would be a new dependency for these few lines).
fn csv_field(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// The header of `summary.csv`.
pub const SUMMARY_HEADER: &str = "call,duration_s,rep_share_of_talk,pauses,hold_rate,patience_median_s,longest_monologue_s,rep_interruptions,report\n";

/// One line of the batch summary: the source by its path, the figures, the report's file.
pub fn summary_row(source: &str, report: &str, r: &Report) -> String {
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
    format!(
        "{},{:.3},{},{},{},{},{},{},{}\n",
        csv_field(source),
        r.duration_s,
        opt(r.rep.share_of_talk),
        r.pauses.len(),
        opt(r.hold_rate),
        opt(r.patience_s.median),
        opt(r.rep.longest_turn_s),
        r.rep.interruptions,
        csv_field(report)
    )
}

/// A piece of a path made safe as part of a file name: separators and control characters
/// become `_`, leading dots go (no hidden files, no `..`).
fn name_part(part: &str) -> String {
    let clean: String = part
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    clean.trim_start_matches('.').to_string()
}

/// The report file name of each input of a batch, all different (letter case aside, for
/// file systems that ignore it), in input order. The name is the input's file stem; where
/// stems collide, the parent folders are put in front, nearest last and joined with `_`, as
/// few as tell the input apart from the others (`mon/call.wav` and `tue/call.wav` give
/// `mon_call` and `tue_call`). Inputs that no folder tells apart (the same folder and
/// stem, such as `call.wav` and `call.flac`) get `-2`, `-3`... in input order. A CSV report
/// never takes the name `summary.csv`, which holds the batch's summary.
pub fn report_names(inputs: &[&Path], format: Format) -> Vec<String> {
    let stems: Vec<String> = inputs
        .iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .map_or(String::new(), |s| name_part(&s.to_string_lossy()));
            if stem.is_empty() { "call".into() } else { stem }
        })
        .collect();
    // Each input's parent folders, nearest first.
    let parents: Vec<Vec<String>> = inputs
        .iter()
        .map(|p| {
            let mut folders: Vec<String> = p
                .parent()
                .map(|d| {
                    d.components()
                        .filter_map(|c| match c {
                            Component::Normal(n) => Some(name_part(&n.to_string_lossy())),
                            _ => None,
                        })
                        .filter(|n| !n.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            folders.reverse();
            folders
        })
        .collect();
    // The name with `depth` folders in front (as many as there are, at most).
    let name_at = |i: usize, depth: usize| {
        let depth = depth.min(parents[i].len());
        let mut parts: Vec<&str> = parents[i][..depth]
            .iter()
            .rev()
            .map(String::as_str)
            .collect();
        parts.push(&stems[i]);
        parts.join("_")
    };
    // Inputs with the same folders and stem: no depth tells them apart.
    let whole: Vec<String> = (0..inputs.len())
        .map(|i| name_at(i, parents[i].len()).to_lowercase())
        .collect();
    let deepest = parents.iter().map(Vec::len).max().unwrap_or(0);
    let mut depth: Vec<Option<usize>> = vec![None; inputs.len()];
    for k in 0..=deepest {
        if depth.iter().all(Option::is_some) {
            break;
        }
        // Each name at this depth, and whether inputs that differ share it.
        let mut owners: HashMap<String, (usize, bool)> = HashMap::new();
        for i in 0..inputs.len() {
            owners
                .entry(name_at(i, k).to_lowercase())
                .and_modify(|(first, shared)| *shared |= whole[*first] != whole[i])
                .or_insert((i, false));
        }
        for (i, d) in depth.iter_mut().enumerate() {
            if d.is_none()
                && owners
                    .get(&name_at(i, k).to_lowercase())
                    .is_some_and(|&(_, shared)| !shared)
            {
                *d = Some(k);
            }
        }
    }
    let extension = format.extension();
    let mut taken: HashSet<String> = HashSet::new();
    if format == Format::Csv {
        taken.insert("summary.csv".into());
    }
    (0..inputs.len())
        .map(|i| {
            let base = name_at(i, depth[i].unwrap_or(deepest));
            let mut name = format!("{base}.{extension}");
            let mut k = 1;
            while !taken.insert(name.to_lowercase()) {
                k += 1;
                name = format!("{base}-{k}.{extension}");
            }
            name
        })
        .collect()
}

pub fn input_path(files: &CallFiles) -> &Path {
    match files {
        CallFiles::Channels { path, .. } => path,
        CallFiles::Pair { rep, .. } => rep,
    }
}

/// A progress bar `[=====>    ] 3/10` of `width` cells.
pub fn bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width)
        .checked_div(total)
        .unwrap_or(width)
        .min(width);
    let mut s = String::with_capacity(width + 16);
    s.push('[');
    for i in 0..width {
        s.push(if i < filled {
            '='
        } else if i == filled && done < total {
            '>'
        } else {
            ' '
        });
    }
    s.push_str(&format!("] {done}/{total}"));
    s
}

/// Reports one finished input on stderr: on a terminal, an error line (if any) above a bar
/// redrawn in place; otherwise one plain line per input.
fn progress(tty: bool, done: usize, total: usize, name: &str, error: Option<&str>) {
    let mut err = std::io::stderr().lock();
    if tty {
        // Clear the bar's line, print the error above it, redraw the bar.
        let _ = write!(err, "\r\x1b[2K");
        if let Some(e) = error {
            let _ = writeln!(err, "{e}");
        }
        let what = if done == total { "done" } else { "analysing" };
        let _ = write!(err, "{} {what}", bar(done, total, 30));
        let _ = err.flush();
    } else {
        if let Some(e) = error {
            let _ = writeln!(err, "{e}");
        }
        let verdict = if error.is_some() { "failed" } else { "done" };
        let _ = writeln!(err, "{done}/{total} {verdict}: {name}");
    }
}

/// Analyses every input into `dir` in `format`, using all cores: one report per input, named
/// by [`report_names`] (an HTML one with the moments' audio when `clips`), and
/// `summary.csv`, a row per report with the source's path.
///
/// # Errors
/// [`Error::Output`] when the folder or the summary cannot be written; [`Error::Batch`]
/// when some inputs got no report (each is named on stderr, the others' reports are
/// written), with the exit code their errors share, or 1 when they differ.
pub fn run(
    inputs: &[CallFiles],
    config: &Config,
    dir: &Path,
    format: Format,
    clips: bool,
) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::Output {
        path: dir.display().to_string(),
        what: e.to_string(),
    })?;
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let paths: Vec<&Path> = inputs.iter().map(input_path).collect();
    let names = report_names(&paths, format);
    let results: Mutex<Vec<Option<Outcome>>> =
        Mutex::new((0..inputs.len()).map(|_| None).collect());
    let total = inputs.len();
    let tty = std::io::stderr().is_terminal();
    if tty {
        progress(tty, 0, total, "", None);
    }
    std::thread::scope(|scope| {
        for k in 0..workers {
            let (next, done, results, names) = (&next, &done, &results, &names);
            let _ = std::thread::Builder::new()
                .name(format!("batch-{k}"))
                .spawn_scoped(scope, move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= total {
                            break;
                        }
                        let files = &inputs[i];
                        let outcome = analyze_call(files, config).and_then(|report| {
                            let audio = if clips {
                                crate::cli::clips::for_files(files, &report)?
                            } else {
                                Vec::new()
                            };
                            let path = dir.join(&names[i]);
                            write_atomic_with(&path, |w| {
                                format.write_with_clips(&report, &audio, w)
                            })?;
                            Ok(report)
                        });
                        // Count and print under one lock so the lines come out in order.
                        let _order = std::io::stderr().lock();
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        let name = input_path(files).display().to_string();
                        let line = match &outcome {
                            Ok(_) => None,
                            Err(e) => Some(format!("tacet: error: {e}")),
                        };
                        progress(tty, n, total, &name, line.as_deref());
                        if let Ok(mut r) = results.lock() {
                            r[i] = Some(outcome.map_err(|e| (e.to_string(), e.exit_code())));
                        }
                    }
                });
        }
    });
    if tty {
        let _ = writeln!(std::io::stderr());
    }
    let results = results.into_inner().unwrap_or_default();
    let mut summary = String::from(SUMMARY_HEADER);
    let mut table = format!(
        "{:<32} {:>9} {:>7} {:>7} {:>6} {:>9} {:>10}\n",
        "call", "duration", "share", "pauses", "held", "patience", "monologue"
    );
    let mut failures = Vec::new();
    let mut codes = HashSet::new();
    for ((files, result), report) in inputs.iter().zip(results).zip(&names) {
        let name = files.describe();
        match result {
            Some(Ok(r)) => {
                summary.push_str(&summary_row(&name, report, &r));
                let pct = |v: Option<f64>| v.map_or("-".into(), |v| format!("{:.0}%", v * 100.0));
                let sec = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.1}s"));
                table.push_str(&format!(
                    "{:<32} {:>8.0}s {:>7} {:>7} {:>6} {:>9} {:>10}\n",
                    name,
                    r.duration_s,
                    pct(r.rep.share_of_talk),
                    r.pauses.len(),
                    pct(r.hold_rate),
                    sec(r.patience_s.median),
                    sec(r.rep.longest_turn_s)
                ));
            }
            Some(Err((e, code))) => {
                table.push_str(&format!("{name:<32} failed\n"));
                failures.push(e);
                codes.insert(code);
            }
            None => {
                table.push_str(&format!("{name:<32} failed\n"));
                failures.push(format!("{name}: not analysed"));
                codes.insert(1);
            }
        }
    }
    write_atomic(&dir.join("summary.csv"), summary.as_bytes())?;
    print!("{table}");
    println!("reports in {}", dir.display());
    if !failures.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "no report for:");
        for f in &failures {
            let _ = writeln!(err, "  {f}");
        }
        let code = match codes.iter().collect::<Vec<_>>()[..] {
            [&code] => code,
            _ => 1,
        };
        return Err(Error::Batch {
            failed: failures.len(),
            total,
            code,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{bar, csv_field, report_names};
    use crate::report::Format;

    fn names(inputs: &[&str], format: Format) -> Vec<String> {
        let paths: Vec<&Path> = inputs.iter().map(Path::new).collect();
        report_names(&paths, format)
    }

    #[test]
    fn report_names_are_the_stems_when_they_differ() {
        assert_eq!(
            names(&["calls/a.wav", "calls/b.flac", "c"], Format::Json),
            ["a.json", "b.json", "c.json"]
        );
    }

    #[test]
    fn colliding_stems_take_the_folders_that_tell_them_apart() {
        assert_eq!(
            names(&["mon/call.wav", "tue/call.wav", "x.wav"], Format::Json),
            ["mon_call.json", "tue_call.json", "x.json"]
        );
        // Only the colliding ones grow, and only as far as needed.
        assert_eq!(
            names(
                &["call.wav", "week1/mon/call.wav", "week2/mon/call.wav"],
                Format::Html
            ),
            ["call.html", "week1_mon_call.html", "week2_mon_call.html"]
        );
        // Letter case does not tell files apart on every file system.
        assert_eq!(
            names(&["a/Call.wav", "b/call.wav"], Format::Json),
            ["a_Call.json", "b_call.json"]
        );
    }

    #[test]
    fn names_still_alike_are_numbered_in_input_order() {
        assert_eq!(
            names(&["d/call.wav", "d/call.flac", "d/call.wav"], Format::Json),
            ["call.json", "call-2.json", "call-3.json"]
        );
        assert_eq!(
            names(&["a/call.wav", "b/call.wav", "b/call.flac"], Format::Json),
            ["a_call.json", "b_call.json", "b_call-2.json"]
        );
        assert_eq!(
            names(&["call.wav", "call-2.wav", "call.wav"], Format::Json),
            ["call.json", "call-2.json", "call-3.json"]
        );
    }

    #[test]
    fn a_csv_report_never_takes_the_summary_name() {
        assert_eq!(names(&["x/summary.wav"], Format::Csv), ["summary-2.csv"]);
        assert_eq!(names(&["x/summary.wav"], Format::Json), ["summary.json"]);
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("mon/call.wav"), "mon/call.wav");
        assert_eq!(csv_field("a,b.wav"), "\"a,b.wav\"");
        assert_eq!(csv_field("say \"hi\".wav"), "\"say \"\"hi\"\".wav\"");
    }

    #[test]
    fn progress_bar() {
        assert_eq!(bar(0, 4, 8), "[>       ] 0/4");
        assert_eq!(bar(2, 4, 8), "[====>   ] 2/4");
        assert_eq!(bar(4, 4, 8), "[========] 4/4");
    }
}
