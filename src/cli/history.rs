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
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

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
    /// Talk of the rep and of the prospect, seconds (for a day's share of talk).
    pub talk_s: [Option<f64>; 2],
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
            talk_s: [
                num(&["rep", "talk_s"]).unwrap_or(None),
                num(&["prospect", "talk_s"]).unwrap_or(None),
            ],
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

    /// When the call started, from `started_at` or else the session folder's stamp
    /// (`YYYYMMDDTHHMMSSZ-...`).
    pub fn started(&self) -> Option<OffsetDateTime> {
        if let Some(t) = self
            .started_at
            .as_deref()
            .and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok())
        {
            return Some(t);
        }
        // The stamp is ISO 8601 without its separators: put them back.
        let stamp = self.folder.split('-').next()?;
        if stamp.len() != 16 || !stamp.is_ascii() {
            return None;
        }
        let iso = format!(
            "{}-{}-{}T{}:{}:{}Z",
            &stamp[..4],
            &stamp[4..6],
            &stamp[6..8],
            &stamp[9..11],
            &stamp[11..13],
            &stamp[13..15]
        );
        OffsetDateTime::parse(&iso, &Rfc3339).ok()
    }
}

/// A day's calls (in the rep's time zone).
#[derive(Debug, Clone, PartialEq)]
pub struct Day<'a> {
    /// The date, when the calls' start times are known.
    pub date: Option<Date>,
    /// Its calls, oldest first.
    pub calls: Vec<&'a Entry>,
}

/// `entries` (oldest first) grouped by the day they started on at `offset` from UTC; calls
/// whose start is unknown form a group of their own, where they fall.
pub fn days(entries: &[Entry], offset: UtcOffset) -> Vec<Day<'_>> {
    let mut out: Vec<Day<'_>> = Vec::new();
    for e in entries {
        let date = e.started().map(|t| t.to_offset(offset).date());
        match out.last_mut() {
            Some(day) if day.date == date => day.calls.push(e),
            _ => out.push(Day {
                date,
                calls: vec![e],
            }),
        }
    }
    out
}

/// One line on a day: its calls, time on calls, pauses held, the rep's share of all the
/// talk, the longest monologue.
fn day_line(day: &Day<'_>, today: Date) -> String {
    let name = match day.date {
        Some(d) if d == today => format!("{} {d}, today", d.weekday()),
        Some(d) if d.next_day() == Some(today) => format!("{} {d}, yesterday", d.weekday()),
        Some(d) => format!("{} {d}", d.weekday()),
        None => "Start time unknown".to_string(),
    };
    let n = day.calls.len();
    let on_calls_s: f64 = day.calls.iter().map(|e| e.duration_s).sum();
    let held: usize = day.calls.iter().map(|e| e.held).sum();
    let pauses: usize = day.calls.iter().map(|e| e.held + e.broken).sum();
    let mut line = format!(
        "{name}: {n} call{}, {} on calls",
        if n == 1 { "" } else { "s" },
        clock(on_calls_s)
    );
    if pauses > 0 {
        let _ = write!(
            line,
            ", held {held} of {pauses} pauses ({})",
            pct(held as f64 / pauses as f64)
        );
    }
    let (rep_s, all_s) = day
        .calls
        .iter()
        .fold((0.0, 0.0), |(r, a), e| match e.talk_s {
            [Some(rep), Some(prospect)] => (r + rep, a + rep + prospect),
            _ => (r, a),
        });
    if all_s > 0.0 {
        let _ = write!(line, ", you {} of the talking", pct(rep_s / all_s));
    }
    if let Some(m) = day
        .calls
        .iter()
        .filter_map(|e| e.longest_monologue_s)
        .max_by(f64::total_cmp)
    {
        let _ = write!(line, ", longest monologue {}", secs(m));
    }
    line
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

impl Metric {
    /// The sentence's lead for a change of `diff` (steady, up or down).
    fn lead(&self, diff: f64) -> &'static str {
        if diff.abs() < self.steady {
            self.flat
        } else if diff > 0.0 {
            self.up
        } else {
            self.down
        }
    }
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
        let lead = m.lead(diff);
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

/// Today against the calls of the days before: one sentence per figure.
pub fn today_against_before(entries: &[Entry], offset: UtcOffset, today: Date) -> Vec<String> {
    let on_day = |e: &Entry| e.started().map(|t| t.to_offset(offset).date());
    let (now, before): (Vec<&Entry>, Vec<&Entry>) = entries
        .iter()
        .filter(|e| on_day(e).is_some_and(|d| d <= today))
        .partition(|e| on_day(e) == Some(today));
    if now.is_empty() {
        return vec!["No calls today yet.".to_string()];
    }
    if before.is_empty() {
        return vec![
            "Today is the first day with saved calls: nothing to compare it with yet.".to_string(),
        ];
    }
    let avg = |calls: &[&Entry], get: fn(&Entry) -> Option<f64>| {
        let ys: Vec<f64> = calls.iter().filter_map(|e| get(e)).collect();
        (!ys.is_empty()).then(|| ys.iter().sum::<f64>() / ys.len() as f64)
    };
    let mut out = Vec::new();
    for m in &METRICS {
        let (Some(t), Some(b)) = (avg(&now, m.get), avg(&before, m.get)) else {
            continue;
        };
        let lead = m.lead(t - b);
        out.push(format!(
            "{lead} today: {} {} against {} over your {} earlier call{}.",
            m.name,
            (m.show)(t),
            (m.show)(b),
            before.len(),
            if before.len() == 1 { "" } else { "s" }
        ));
    }
    out
}

/// The table of the last `last` calls, grouped by day (at `offset` from UTC, `today` being
/// the rep's date now), today against the days before, and the trend over those calls.
pub fn render(entries: &[Entry], last: usize, offset: UtcOffset, today: Date) -> String {
    let shown = &entries[entries.len().saturating_sub(last)..];
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{:<7} {:<28} {:>8} {:>6} {:>11} {:>9} {:>10}",
        "time", "session", "duration", "talk", "held", "patience", "monologue"
    );
    let dash = || "-".to_string();
    for day in days(shown, offset) {
        let _ = writeln!(o, "{}", day_line(&day, today));
        for e in day.calls {
            let _ = writeln!(o, "{}", row(e, offset, dash));
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Today:");
    for line in today_against_before(entries, offset, today) {
        let _ = writeln!(o, "  {line}");
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

/// One call's row: its local start time, the session and its figures.
fn row(e: &Entry, offset: UtcOffset, dash: impl Fn() -> String) -> String {
    let time_of_day = e.started().map_or_else(&dash, |t| {
        let t = t.to_offset(offset);
        format!("  {:02}:{:02}", t.hour(), t.minute())
    });
    let held = match e.hold_rate {
        Some(h) => format!("{} {}/{}", pct(h), e.held, e.held + e.broken),
        None => dash(),
    };
    let mut folder = e.folder.clone();
    if folder.chars().count() > 28 {
        folder = folder.chars().take(27).collect::<String>() + "~";
    }
    format!(
        "{:<7} {:<28} {:>8} {:>6} {:>11} {:>9} {:>10}",
        time_of_day,
        folder,
        clock(e.duration_s),
        e.talk_share.map_or_else(&dash, pct),
        held,
        e.patience_median_s.map_or_else(&dash, secs),
        e.longest_monologue_s.map_or_else(&dash, secs)
    )
}

/// The rep's offset from UTC now (the `TZ` variable or the system's zone), UTC when the
/// system cannot say.
fn local_offset() -> UtcOffset {
    UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC)
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
        let offset = local_offset();
        let today = OffsetDateTime::now_utc().to_offset(offset).date();
        render(&entries, last.max(1), offset, today)
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
            talk_s: [Some(40.0), Some(40.0)],
        }
    }

    #[test]
    fn calls_group_by_the_day_they_started_on_in_the_reps_zone() {
        let mut late = entry(1, Some(0.5));
        late.started_at = Some("2026-01-01T23:30:00Z".into());
        let mut early = entry(2, Some(0.5));
        early.started_at = Some("2026-01-02T00:30:00Z".into());
        let mut unknown = entry(3, None);
        unknown.started_at = None;
        unknown.folder = "renamed".into();
        let from_folder = Entry {
            started_at: None,
            folder: "20260102T090000Z-live".into(),
            ..entry(4, None)
        };
        let all = [late, early, unknown, from_folder];
        let utc = days(&all, UtcOffset::UTC);
        let sizes: Vec<usize> = utc.iter().map(|d| d.calls.len()).collect();
        assert_eq!(sizes, [1, 1, 1, 1]);
        assert_eq!(
            utc[3].date,
            Date::from_calendar_date(2026, time::Month::January, 2).ok()
        );
        assert_eq!(utc[2].date, None);
        let west = days(&all[..2], UtcOffset::from_hms(-5, 0, 0).expect("offset"));
        assert_eq!(west.len(), 1);
        assert_eq!(west[0].calls.len(), 2);
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
