//! Batch analysis: many recordings, one report each, on all cores, with a progress line;
//! a bad file is reported and skipped, and a summary table of all calls is written.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::app::{analyze_call, report_path_in, write_atomic, write_atomic_with};
use crate::audio::source::CallFiles;
use crate::config::Config;
use crate::error::Error;
use crate::report::{Format, Report};

/// One line of the batch summary.
fn summary_row(name: &str, r: &Report) -> String {
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
    format!(
        "{},{:.3},{},{},{},{},{},{}\n",
        name.replace(',', "_"),
        r.duration_s,
        opt(r.rep.share_of_talk),
        r.pauses.len(),
        opt(r.hold_rate),
        opt(r.patience_s.median),
        opt(r.rep.longest_turn_s),
        r.rep.interruptions
    )
}

fn input_path(files: &CallFiles) -> &Path {
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

/// Analyses every input into `dir` in `format`, using all cores.
///
/// # Errors
/// [`Error::Output`] when the folder cannot be written; [`Error::Batch`] when some inputs
/// failed (each is named on stderr, the others' reports are written).
pub fn run(inputs: &[CallFiles], config: &Config, dir: &Path, format: Format) -> Result<(), Error> {
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
    let results: Mutex<Vec<Option<Result<Report, String>>>> =
        Mutex::new((0..inputs.len()).map(|_| None).collect());
    let total = inputs.len();
    let tty = std::io::stderr().is_terminal();
    if tty {
        progress(tty, 0, total, "", None);
    }
    std::thread::scope(|scope| {
        for k in 0..workers {
            let (next, done, results) = (&next, &done, &results);
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
                            let path = report_path_in(dir, input_path(files), format);
                            write_atomic_with(&path, |w| format.write_to(&report, w))?;
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
                            r[i] = Some(outcome.map_err(|e| e.to_string()));
                        }
                    }
                });
        }
    });
    if tty {
        let _ = writeln!(std::io::stderr());
    }
    let results = results.into_inner().unwrap_or_default();
    let mut summary = String::from(
        "call,duration_s,rep_share_of_talk,pauses,hold_rate,patience_median_s,longest_monologue_s,rep_interruptions\n",
    );
    let mut table = format!(
        "{:<32} {:>9} {:>7} {:>7} {:>6} {:>9} {:>10}\n",
        "call", "duration", "share", "pauses", "held", "patience", "monologue"
    );
    let mut failed = 0;
    let mut failures = Vec::new();
    for (files, result) in inputs.iter().zip(results) {
        let name = input_path(files)
            .file_name()
            .map_or("?".into(), |n| n.to_string_lossy().to_string());
        match result {
            Some(Ok(r)) => {
                summary.push_str(&summary_row(&name, &r));
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
            Some(Err(e)) => {
                failed += 1;
                table.push_str(&format!("{name:<32} failed\n"));
                failures.push(e);
            }
            None => {
                failed += 1;
                table.push_str(&format!("{name:<32} failed\n"));
                failures.push(format!("{name}: not analysed"));
            }
        }
    }
    write_atomic(&dir.join("summary.csv"), summary.as_bytes())?;
    print!("{table}");
    println!("reports in {}", dir.display());
    if failed > 0 {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "not analysed:");
        for f in &failures {
            let _ = writeln!(err, "  {f}");
        }
        return Err(Error::Batch { failed, total });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn progress_bar() {
        assert_eq!(bar(0, 4, 8), "[>       ] 0/4");
        assert_eq!(bar(2, 4, 8), "[====>   ] 2/4");
        assert_eq!(bar(4, 4, 8), "[========] 4/4");
    }
}
