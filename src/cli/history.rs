//! `tacet history`: the saved sessions (`<data_dir>/sessions/*/report.json`) as a table, and
//! the trend of the key figures over the last calls, in plain sentences, so a rep sees
//! whether they are holding more silences week over week.
//!
//! Reports are read as loose JSON rather than as [`crate::report::Report`], so files written
//! by older (or newer) versions still count as long as the figures used here are present; a
//! file that cannot be read at all is skipped with a note.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::Error;
use crate::report::html::clock;
use crate::report::pct;

/// The figures of one saved call.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The session folder's name.
    pub folder: String,
    /// When the call started (ISO 8601), when known.
    pub started_at: Option<String>,
    /// Call length, seconds.
    pub duration_s: f64,
    /// Rep share of talk (0..1).
    pub talk_share: Option<f64>,
    /// Held pauses.
    pub held: usize,
    /// Broken pauses.
    pub broken: usize,
    /// Hold rate (0..1).
    pub hold_rate: Option<f64>,
    /// Median patience, seconds.
    pub patience_median_s: Option<f64>,
    /// The rep's longest turn, seconds.
    pub longest_monologue_s: Option<f64>,
}

impl Entry {
    /// Reads the figures from a report's JSON.
    ///
    /// # Errors
    /// A sentence saying what is missing or malformed.
    pub fn from_json(folder: &str, v: &Value) -> Result<Entry, String> {
        let num = |path: &[&str]| -> Result<Option<f64>, String> {
            let mut cur = v;
            for k in path {
                match cur.get(k) {
                    Some(next) => cur = next,
                    None => return Err(format!("has no '{}'", path.join("."))),
                }
            }
            match cur {
                Value::Null => Ok(None),
                Value::Number(n) => Ok(n.as_f64()),
                _ => Err(format!("'{}' is not a number", path.join("."))),
            }
        };
        if !v.is_object() {
            return Err("is not a report (not a JSON object)".into());
        }
        let duration_s = num(&["duration_s"])?.ok_or("has a null 'duration_s'")?;
        let (mut held, mut broken) = (0, 0);
        if let Some(pauses) = v.get("pauses").and_then(Value::as_array) {
            for p in pauses {
                match p.get("broken_by").and_then(Value::as_str) {
                    Some("prospect") => held += 1,
                    Some("rep") => broken += 1,
                    _ => {}
                }
            }
        }
        Ok(Entry {
            folder: folder.to_string(),
            started_at: v
                .get("started_at")
                .and_then(Value::as_str)
                .map(str::to_string),
            duration_s,
            talk_share: num(&["rep", "share_of_talk"])?,
            held,
            broken,
            hold_rate: num(&["hold_rate"])?,
            patience_median_s: num(&["patience_s", "median"])?,
            longest_monologue_s: num(&["rep", "longest_turn_s"])?,
        })
    }

    /// Sort key: the start time (or the folder's stamp), digits and 'T' only.
    fn key(&self) -> String {
        let raw = match &self.started_at {
            Some(s) => s.as_str(),
            None => self.folder.split('-').next().unwrap_or_default(),
        };
        let k: String = raw
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == 'T')
            .collect();
        format!("{k}~{}", self.folder)
    }

    /// Date and time of the call, `YYYY-MM-DD HH:MM` (UTC), or the folder name.
    pub fn date(&self) -> String {
        match &self.started_at {
            Some(s) if s.len() >= 16 => format!("{} {}", &s[..10], &s[11..16]),
            Some(s) => s.clone(),
            None => "-".into(),
        }
    }
}

/// Reads every `<data_dir>/sessions/*/report.json`, oldest first, with a note for each file
/// that was skipped.
pub fn load(data_dir: &Path) -> (Vec<Entry>, Vec<String>) {
    let dir = data_dir.join("sessions");
    let mut notes = Vec::new();
    let mut folders: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect(),
        Err(_) => return (Vec::new(), notes),
    };
    folders.sort();
    let mut entries = Vec::new();
    for folder in folders {
        let name = folder
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let path = folder.join("report.json");
        if !path.exists() {
            notes.push(format!("skipped {}: no report.json", folder.display()));
            continue;
        }
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot be read ({e})"))
            .and_then(|t| {
                serde_json::from_str::<Value>(&t).map_err(|e| format!("is not valid JSON ({e})"))
            })
            .and_then(|v| Entry::from_json(&name, &v));
        match parsed {
            Ok(e) => entries.push(e),
            Err(why) => notes.push(format!("skipped {}: {why}", path.display())),
        }
    }
    entries.sort_by_cached_key(Entry::key);
    (entries, notes)
}

/// The direction of one metric over the last calls.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// Which figure.
    pub metric: &'static str,
    /// Calls with a value.
    pub calls: usize,
    /// Average of the older half.
    pub first: f64,
    /// Average of the newer half.
    pub second: f64,
    /// Least-squares slope, per call.
    pub slope: f64,
    /// The sentence for the rep.
    pub sentence: String,
}

/// Least-squares slope of `ys` against 0, 1, 2...
pub fn slope(ys: &[f64]) -> f64 {
    let n = ys.len() as f64;
    if ys.len() < 2 {
        return 0.0;
    }
    let mx = (n - 1.0) / 2.0;
    let my = ys.iter().sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mx;
        num += dx * (y - my);
        den += dx * dx;
    }
    if den > 0.0 { num / den } else { 0.0 }
}

/// Averages of the older and the newer half (the middle call of an odd count left out).
fn halves(ys: &[f64]) -> (f64, f64) {
    let h = ys.len() / 2;
    let avg = |s: &[f64]| s.iter().sum::<f64>() / s.len().max(1) as f64;
    (avg(&ys[..h]), avg(&ys[ys.len() - h..]))
}

struct Metric {
    name: &'static str,
    get: fn(&Entry) -> Option<f64>,
    /// Formats a value.
    show: fn(f64) -> String,
    /// Formats a per-call slope.
    per_call: fn(f64) -> String,
    /// Changes smaller than this between the halves are "steady".
    steady: f64,
    /// Sentences for up, down, steady (the figure's name and values follow).
    up: &'static str,
    down: &'static str,
    flat: &'static str,
}

fn secs(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.1} s")
    } else {
        format!("{v:.0} s")
    }
}

const METRICS: [Metric; 4] = [
    Metric {
        name: "hold rate",
        get: |e| e.hold_rate,
        show: pct,
        per_call: |s| format!("{:+.1} points per call", s * 100.0),
        steady: 0.05,
        up: "You are holding more silences",
        down: "You are holding fewer silences",
        flat: "Your hold rate is steady",
    },
    Metric {
        name: "talk share",
        get: |e| e.talk_share,
        show: pct,
        per_call: |s| format!("{:+.1} points per call", s * 100.0),
        steady: 0.03,
        up: "You are talking more",
        down: "You are talking less",
        flat: "Your talk share is steady",
    },
    Metric {
        name: "patience (median wait)",
        get: |e| e.patience_median_s,
        show: secs,
        per_call: |s| format!("{s:+.2} s per call"),
        steady: 0.1,
        up: "You are waiting longer before you speak",
        down: "You are jumping in sooner",
        flat: "Your wait before speaking is steady",
    },
    Metric {
        name: "longest monologue",
        get: |e| e.longest_monologue_s,
        show: secs,
        per_call: |s| format!("{s:+.1} s per call"),
        steady: 5.0,
        up: "Your longest monologues are getting longer",
        down: "Your longest monologues are getting shorter",
        flat: "Your longest monologue is steady",
    },
];

/// The trend of each figure over `entries` (oldest first); figures with fewer than two
/// values are left out.
pub fn trends(entries: &[Entry]) -> Vec<Trend> {
    let mut out = Vec::new();
    for m in &METRICS {
        let ys: Vec<f64> = entries.iter().filter_map(m.get).collect();
        if ys.len() < 2 {
            continue;
        }
        let (first, second) = halves(&ys);
        let s = slope(&ys);
        let diff = second - first;
        let lead = if diff.abs() < m.steady {
            m.flat
        } else if diff > 0.0 {
            m.up
        } else {
            m.down
        };
        let sentence = if diff.abs() < m.steady {
            format!(
                "{lead} at about {} over the last {} calls.",
                (m.show)((first + second) / 2.0),
                ys.len()
            )
        } else {
            format!(
                "{lead}: {} {} -> {} over the last {} calls ({}).",
                m.name,
                (m.show)(first),
                (m.show)(second),
                ys.len(),
                (m.per_call)(s)
            )
        };
        out.push(Trend {
            metric: m.name,
            calls: ys.len(),
            first,
            second,
            slope: s,
            sentence,
        });
    }
    out
}

/// The table of the last `last` calls and their trend.
pub fn render(entries: &[Entry], last: usize) -> String {
    let shown = &entries[entries.len().saturating_sub(last)..];
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:<17} {:<28} {:>8} {:>6} {:>11} {:>9} {:>10}",
        "date", "session", "duration", "talk", "held", "patience", "monologue"
    );
    let dash = || "-".to_string();
    for e in shown {
        let held = match e.hold_rate {
            Some(h) => format!("{} {}/{}", pct(h), e.held, e.held + e.broken),
            None => dash(),
        };
        let mut folder = e.folder.clone();
        if folder.chars().count() > 28 {
            folder = folder.chars().take(27).collect::<String>() + "~";
        }
        let _ = writeln!(
            o,
            "{:<17} {:<28} {:>8} {:>6} {:>11} {:>9} {:>10}",
            e.date(),
            folder,
            clock(e.duration_s),
            e.talk_share.map_or_else(dash, pct),
            held,
            e.patience_median_s.map_or_else(dash, secs),
            e.longest_monologue_s.map_or_else(dash, secs)
        );
    }
    let _ = writeln!(o);
    let t = trends(shown);
    if t.is_empty() {
        let _ = writeln!(
            o,
            "Not enough calls for a trend yet: it needs at least two saved calls."
        );
    } else {
        let _ = writeln!(o, "Trend over the last {} calls:", shown.len());
        for tr in &t {
            let _ = writeln!(o, "  {}", tr.sentence);
        }
    }
    o
}

/// Runs `tacet history`.
///
/// # Errors
/// [`Error::Other`] when stdout cannot be written.
pub fn run(data_dir: &Path, last: usize) -> Result<(), Error> {
    let (entries, notes) = load(data_dir);
    {
        let mut err = std::io::stderr().lock();
        for n in &notes {
            let _ = writeln!(err, "note: {n}");
        }
    }
    let text = if entries.is_empty() {
        format!(
            "No saved calls in {} yet. A session saves one when it ends: try 'tacet demo'.\n",
            data_dir.join("sessions").display()
        )
    } else {
        render(&entries, last.max(1))
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(Error::Stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize, hold: Option<f64>) -> Entry {
        Entry {
            folder: format!("2026010{i}T100000Z-demo"),
            started_at: Some(format!("2026-01-0{i}T10:00:00Z")),
            duration_s: 120.0,
            talk_share: Some(0.5),
            held: 1,
            broken: 1,
            hold_rate: hold,
            patience_median_s: Some(0.3),
            longest_monologue_s: Some(30.0),
        }
    }

    #[test]
    fn slope_and_halves() {
        assert!((slope(&[1.0, 2.0, 3.0]) - 1.0).abs() < 1e-12);
        assert_eq!(slope(&[5.0]), 0.0);
        assert_eq!(halves(&[1.0, 9.0, 3.0]), (1.0, 3.0));
    }

    #[test]
    fn rising_hold_rate_reads_as_holding_more() {
        let e: Vec<Entry> = [0.4, 0.4, 0.8, 0.7]
            .iter()
            .enumerate()
            .map(|(i, &h)| entry(i + 1, Some(h)))
            .collect();
        let t = trends(&e);
        let hold = t.iter().find(|t| t.metric == "hold rate").expect("hold");
        assert_eq!(
            hold.sentence,
            "You are holding more silences: hold rate 40% -> 75% over the last 4 calls (+13.0 points per call)."
        );
        let share = t.iter().find(|t| t.metric == "talk share").expect("share");
        assert!(share.sentence.starts_with("Your talk share is steady"));
    }

    #[test]
    fn loose_json_and_missing_fields() {
        let v: Value = serde_json::json!({"duration_s": 10.0, "rep": {"share_of_talk": null, "longest_turn_s": 3.0},
            "hold_rate": null, "patience_s": {"median": null}, "pauses": []});
        let e = Entry::from_json("x", &v).expect("entry");
        assert_eq!(e.hold_rate, None);
        let bad: Value = serde_json::json!({"rep": {}});
        assert!(Entry::from_json("x", &bad).is_err());
    }
}
