//! Batch analysis: many recordings, one report each, on all cores, with a progress line;
//! a bad file is reported and skipped, and a summary table of all calls is written.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::app::{analyze_call, report_path_in, write_atomic};
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
                            write_atomic(&path, format.render(&report).as_bytes())?;
                            Ok(report)
                        });
                        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                        let mut err = std::io::stderr().lock();
                        match &outcome {
                            Ok(_) => {
                                let _ = write!(err, "\ranalysed {n}/{total}");
                            }
                            Err(e) => {
                                let _ = writeln!(err, "\rtacet: error: {e}");
                                let _ = write!(err, "\ranalysed {n}/{total}");
                            }
                        }
                        if let Ok(mut r) = results.lock() {
                            r[i] = Some(outcome.map_err(|e| e.to_string()));
                        }
                    }
                });
        }
    });
    let _ = writeln!(std::io::stderr());
    let results = results.into_inner().unwrap_or_default();
    let mut summary = String::from(
        "call,duration_s,rep_share_of_talk,pauses,hold_rate,patience_median_s,longest_monologue_s,rep_interruptions\n",
    );
    let mut table = format!(
        "{:<32} {:>9} {:>7} {:>7} {:>6} {:>9} {:>10}\n",
        "call", "duration", "share", "pauses", "held", "patience", "monologue"
    );
    let mut failed = 0;
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
            _ => {
                failed += 1;
                table.push_str(&format!("{name:<32} failed\n"));
            }
        }
    }
    write_atomic(&dir.join("summary.csv"), summary.as_bytes())?;
    print!("{table}");
    println!("reports in {}", dir.display());
    if failed > 0 {
        return Err(Error::Batch { failed, total });
    }
    Ok(())
}
