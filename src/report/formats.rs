//! Plain renderings of a report: terminal text, JSON, CSV segments, RTTM and Audacity labels
//! (both exact to the millisecond, and readable back with [`parse_rttm`] / [`parse_audacity`]).

use std::fmt::Write as _;

use super::Report;
use crate::timeline::Party;

fn pct(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{:.0}%", v * 100.0))
}

fn sec(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1} s"))
}

fn clock(s: f64) -> String {
    let total = s.max(0.0);
    let m = (total / 60.0).floor();
    format!("{:.0}:{:04.1}", m, total - m * 60.0)
}

/// The terminal summary.
pub fn text(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "tacet report: {}", r.source);
    let _ = writeln!(
        o,
        "call {} (active {}), {} turns, {:.1} floor changes/min",
        clock(r.duration_s),
        clock(r.active_s),
        r.rep.turns + r.prospect.turns,
        r.interactivity_per_min.unwrap_or(0.0)
    );
    let target = r.config.talk_share_target;
    let verdict = match r.rep.share_of_talk {
        Some(s) if s > r.config.talk_share_warn => "well above target: let them talk",
        Some(s) if s > target + 0.07 => "above target",
        Some(s) if s < target - 0.13 => "below target",
        Some(_) => "near target",
        None => "no speech",
    };
    let _ = writeln!(
        o,
        "You talked {} of the time; target {:.0}% ({verdict}).",
        pct(r.rep.share_of_talk),
        target * 100.0
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<10} {:>8} {:>7} {:>6} {:>13} {:>6} {:>6}",
        "", "talk", "share", "turns", "longest turn", "inter.", "backch."
    );
    for (name, p) in [("rep", &r.rep), ("prospect", &r.prospect)] {
        let _ = writeln!(
            o,
            "{:<10} {:>8} {:>7} {:>6} {:>13} {:>6} {:>6}",
            name,
            format!("{:.1} s", p.talk_s),
            pct(p.share_of_talk),
            p.turns,
            sec(p.longest_turn_s),
            p.interruptions,
            p.backchannels
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "silence {:.1} s, overlap {:.1} s",
        r.silence_s, r.overlap_s
    );
    let _ = writeln!(
        o,
        "pauses {}: held {}, broken {}, hold rate {}",
        r.pauses.len(),
        r.held(),
        r.broken(),
        pct(r.hold_rate)
    );
    let _ = writeln!(
        o,
        "patience (your wait before speaking) median {}, mean {}",
        sec(r.patience_s.median),
        sec(r.patience_s.mean)
    );
    let _ = writeln!(
        o,
        "response gap (their wait) median {}, mean {}",
        sec(r.response_gap_s.median),
        sec(r.response_gap_s.mean)
    );
    let _ = writeln!(
        o,
        "silence yield (they talked after a held pause) median {}, mean {}",
        sec(r.silence_yield_s.median),
        sec(r.silence_yield_s.mean)
    );
    if !r.pauses.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "pauses:");
        for p in &r.pauses {
            let outcome = match p.broken_by.as_str() {
                "prospect" => "held - they spoke",
                "rep" => "broken by you",
                "both" => "both spoke at once",
                _ => "call ended",
            };
            let _ = writeln!(
                o,
                "  {} {:>5.1} s after {:<8} {}",
                clock(p.start_s),
                p.end_s - p.start_s,
                p.after.map_or("-", Party::name),
                outcome
            );
        }
    }
    if !r.marks.is_empty() {
        let marks: Vec<String> = r.marks.iter().map(|m| clock(m.t_s)).collect();
        let _ = writeln!(o, "marks: {}", marks.join(", "));
    }
    if r.rep.dropped_s > 0.0 || r.prospect.dropped_s > 0.0 {
        let _ = writeln!(
            o,
            "audio lost to overload: rep {:.2} s, prospect {:.2} s",
            r.rep.dropped_s, r.prospect.dropped_s
        );
    }
    o
}

/// The full report as pretty JSON.
pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n"
}

/// One row per segment: party,start_s,end_s,duration_s,backchannel.
pub fn csv(r: &Report) -> String {
    let mut o = String::from("party,start_s,end_s,duration_s,backchannel\n");
    for s in &r.segments {
        let _ = writeln!(
            o,
            "{},{:.3},{:.3},{:.3},{}",
            s.party.name(),
            s.start_s,
            s.end_s,
            s.end_s - s.start_s,
            s.backchannel
        );
    }
    o
}

fn uri(r: &Report) -> String {
    let base = std::path::Path::new(r.source.split(" + ").next().unwrap_or("call"))
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("call")
        .to_string();
    base.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

/// RTTM: `SPEAKER <uri> 1 <start> <duration> <NA> <NA> <party> <NA> <NA>`.
pub fn rttm(r: &Report) -> String {
    let uri = uri(r);
    let mut o = String::new();
    for s in &r.segments {
        let start_ms = (s.start_s * 1000.0).round() as i64;
        let end_ms = (s.end_s * 1000.0).round() as i64;
        let _ = writeln!(
            o,
            "SPEAKER {uri} 1 {}.{:03} {}.{:03} <NA> <NA> {} <NA> <NA>",
            start_ms / 1000,
            start_ms % 1000,
            (end_ms - start_ms) / 1000,
            (end_ms - start_ms) % 1000,
            s.party.name()
        );
    }
    o
}

/// Audacity labels: `start<TAB>end<TAB>label`, segments then pauses then marks.
pub fn audacity(r: &Report) -> String {
    let mut o = String::new();
    for s in &r.segments {
        let label = if s.backchannel {
            format!("{} (backchannel)", s.party.name())
        } else {
            s.party.name().to_string()
        };
        let _ = writeln!(o, "{:.3}\t{:.3}\t{label}", s.start_s, s.end_s);
    }
    for p in &r.pauses {
        let what = match p.broken_by.as_str() {
            "prospect" => "pause held",
            "rep" => "pause broken",
            _ => "pause",
        };
        let _ = writeln!(o, "{:.3}\t{:.3}\t{what}", p.start_s, p.end_s);
    }
    for m in &r.marks {
        let _ = writeln!(o, "{:.3}\t{:.3}\tmark", m.t_s, m.t_s);
    }
    o
}

/// Reads RTTM back: (party name, start_s, end_s) per line.
pub fn parse_rttm(text: &str) -> Vec<(String, f64, f64)> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() < 8 || f[0] != "SPEAKER" {
                return None;
            }
            let start: f64 = f[3].parse().ok()?;
            let dur: f64 = f[4].parse().ok()?;
            Some((
                f[7].to_string(),
                start,
                ((start + dur) * 1000.0).round() / 1000.0,
            ))
        })
        .collect()
}

/// Reads Audacity labels back: (label, start_s, end_s) per line.
pub fn parse_audacity(text: &str) -> Vec<(String, f64, f64)> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let start: f64 = f.next()?.parse().ok()?;
            let end: f64 = f.next()?.parse().ok()?;
            Some((f.next().unwrap_or("").to_string(), start, end))
        })
        .collect()
}
