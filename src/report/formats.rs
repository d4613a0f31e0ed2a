//! Plain renderings of a report: terminal text, JSON, CSV segments, RTTM and Audacity labels
//! (both exact to the millisecond; the evaluation crate reads them back).

use std::fmt::Write as _;

use super::{Report, WarningCode};
use crate::timeline::Party;

fn pct(v: Option<f64>) -> String {
    v.map_or("-".into(), super::pct)
}

fn sec(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.1} s"))
}

fn clock(s: f64) -> String {
    let total = s.max(0.0);
    let m = (total / 60.0).floor();
    format!("{:.0}:{:04.1}", m, total - m * 60.0)
}

/// The rep shares of talk counted as "near target": from 13 points below the target to
/// 7 points above it (clamped to 0..1).
pub fn near_target_band(target: f64) -> (f64, f64) {
    ((target - 0.13).max(0.0), (target + 0.07).min(1.0))
}

/// Which sides (rep, prospect) are silent by the report's warnings (`no_signal`,
/// `no_speech`): their channel carried nothing, so shares and pauses say little.
pub fn silent_sides(r: &Report) -> [bool; 2] {
    let silent = |party: Party| {
        r.warnings.iter().any(|w| {
            matches!(w.code, WarningCode::NoSignal | WarningCode::NoSpeech)
                && w.party.is_none_or(|p| p == party)
        })
    };
    [silent(Party::Rep), silent(Party::Prospect)]
}

/// The rep's share of talk against the target band, in words. When a side is silent (wrong
/// device or channel) the share is doubtful, and the words say so instead of coaching.
pub fn share_verdict(r: &Report) -> &'static str {
    match silent_sides(r) {
        [true, true] => return "figures doubtful: both sides are silent - check the channels",
        [true, false] => return "figures doubtful: your side is silent - check the channel",
        [false, true] => {
            return "figures doubtful: the prospect's side is silent - check the channel";
        }
        [false, false] => {}
    }
    let (lo, hi) = near_target_band(r.config.talk_share_target);
    match r.rep.share_of_talk {
        Some(s) if s > r.config.talk_share_warn => "well above target: let them talk",
        Some(s) if s > hi => "above target",
        Some(s) if s < lo => "below target",
        Some(_) => "near target",
        None => "no speech",
    }
}

/// `n` and the noun, singular for 1 ("1 turn", "3 turns").
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// The rep's share of talk against the target, in words (a sentence).
pub fn share_sentence(r: &Report) -> String {
    match r.rep.share_of_talk {
        Some(s) => format!(
            "You did {} of the talking; target {} ({}).",
            pct(Some(s)),
            pct(Some(r.config.talk_share_target)),
            share_verdict(r)
        ),
        None => "Nobody spoke on this call.".into(),
    }
}

/// The terminal summary.
pub fn text(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "tacet report: {}", r.source);
    let _ = writeln!(
        o,
        "call {} (active {}), {}, the speaker changed {:.1} times a minute",
        clock(r.duration_s),
        clock(r.active_s),
        count(r.rep.turns + r.prospect.turns, "turn"),
        r.interactivity_per_min.unwrap_or(0.0)
    );
    for w in &r.warnings {
        let _ = writeln!(o, "warning: {}", w.message);
    }
    let _ = writeln!(o, "{}", share_sentence(r));
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<10} {:>8} {:>13} {:>6} {:>13} {:>13} {:>12}",
        "", "talk", "share of talk", "turns", "longest turn", "interruptions", "backchannels"
    );
    for (name, p) in [("rep", &r.rep), ("prospect", &r.prospect)] {
        let _ = writeln!(
            o,
            "{:<10} {:>8} {:>13} {:>6} {:>13} {:>13} {:>12}",
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
    if !r.moments.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "moments to review:");
        for m in &r.moments {
            let _ = writeln!(o, "  {} {}", clock(m.start_s), m.text);
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
            "{},{},{},{},{}",
            s.party.name(),
            ms_text(s.start_s),
            ms_text(s.end_s),
            ms_text((to_ms(s.end_s) - to_ms(s.start_s)) as f64 / 1000.0),
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

/// Whole milliseconds of a time in seconds.
fn to_ms(s: f64) -> i64 {
    (s * 1000.0).round() as i64
}

/// Seconds with exactly three decimals, printed from whole milliseconds so that reading the
/// text back gives the same millisecond (no binary rounding at the half millisecond).
pub fn ms_text(s: f64) -> String {
    let ms = to_ms(s);
    let sign = if ms < 0 { "-" } else { "" };
    let a = ms.unsigned_abs();
    format!("{sign}{}.{:03}", a / 1000, a % 1000)
}

/// RTTM: `SPEAKER <uri> 1 <start> <duration> <NA> <NA> <party> <NA> <NA>`.
pub fn rttm(r: &Report) -> String {
    let uri = uri(r);
    let mut o = String::new();
    for s in &r.segments {
        let (start_ms, end_ms) = (to_ms(s.start_s), to_ms(s.end_s));
        let _ = writeln!(
            o,
            "SPEAKER {uri} 1 {} {} <NA> <NA> {} <NA> <NA>",
            ms_text(start_ms as f64 / 1000.0),
            ms_text((end_ms - start_ms) as f64 / 1000.0),
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
        let _ = writeln!(o, "{}\t{}\t{label}", ms_text(s.start_s), ms_text(s.end_s));
    }
    for p in &r.pauses {
        let what = match p.broken_by.as_str() {
            "prospect" => "pause held",
            "rep" => "pause broken",
            _ => "pause",
        };
        let _ = writeln!(o, "{}\t{}\t{what}", ms_text(p.start_s), ms_text(p.end_s));
    }
    for m in &r.marks {
        let t = ms_text(m.t_s);
        let _ = writeln!(o, "{t}\t{t}\tmark");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report of one rep turn over `duration_s`: the rep talks `rep_s`, the prospect
    /// `prospect_s`; nobody at all when both are 0.
    fn one_turn_report(duration_s: f64, rep_s: f64, prospect_s: f64) -> Report {
        let stat = serde_json::json!({"median": null, "mean": null});
        let total = rep_s + prospect_s;
        let share = |v: f64| (total > 0.0).then(|| v / total);
        let party = |talk_s: f64, turns: u32| {
            serde_json::json!({"talk_s": talk_s, "share_of_talk": share(talk_s),
            "share_of_call": talk_s / duration_s, "turns": turns, "longest_turn_s": null,
            "longest_turn": null, "interruptions": 0, "backchannels": 0, "dropped_s": 0.0})
        };
        let turns = u32::from(total > 0.0);
        let v = serde_json::json!({"schema_version": 1, "source": "call.wav", "started_at": null,
            "duration_s": duration_s, "active_s": duration_s, "config": {"merge_gap_s": 0.3,
            "pause_min_s": 1.0, "nudge_after_s": 1.0, "backchannel_max_s": 1.0,
            "interruption_min_overlap_s": 0.2, "monologue_warn_s": 60.0,
            "talk_share_target": 0.43, "talk_share_warn": 0.65},
            "rep": party(rep_s, turns), "prospect": party(prospect_s, 0),
            "silence_s": duration_s - total, "overlap_s": 0.0,
            "interactivity_per_min": (total > 0.0).then_some(0.0), "patience_s": stat,
            "response_gap_s": stat, "pauses": [], "hold_rate": null, "silence_yield_s": stat,
            "segments": [], "marks": [], "paused": []});
        serde_json::from_value(v).expect("report")
    }

    /// The summary says what the share is (of the talking, not of the call), in words a
    /// rep reads without a legend: no abbreviations, "1 turn".
    #[test]
    fn text_summary_is_in_plain_words() {
        // 58% of the talking, 54% of the call.
        let r = one_turn_report(100.0, 54.0, 39.1);
        let text = text(&r);
        assert!(
            text.contains("You did 58% of the talking; target 43% (above target)."),
            "{text}"
        );
        assert!(text.contains(", 1 turn, "), "{text}");
        for old in [
            "of the time",
            "1 turns",
            "inter.",
            "backch.",
            "/min",
            "floor",
        ] {
            assert!(!text.contains(old), "'{old}' in {text}");
        }
        assert!(
            text.contains("interruptions") && text.contains("backchannels"),
            "{text}"
        );
        // Nobody spoke: said so, not "-".
        let text = super::text(&one_turn_report(10.0, 0.0, 0.0));
        assert!(text.contains("Nobody spoke on this call."), "{text}");
        assert!(!text.contains("talked -"), "{text}");
    }

    /// A side whose channel is silent makes the share doubtful: the sentence says so and
    /// names the side, instead of coaching the rep to let them talk.
    #[test]
    fn a_silent_side_makes_the_share_doubtful_not_a_coaching_line() {
        let mut r = one_turn_report(100.0, 90.0, 0.0);
        assert!(
            share_sentence(&r).contains("let them talk"),
            "{}",
            share_sentence(&r)
        );
        for (code, party, words) in [
            (
                WarningCode::NoSignal,
                Some(Party::Prospect),
                "figures doubtful: the prospect's side is silent - check the channel",
            ),
            (
                WarningCode::NoSpeech,
                Some(Party::Prospect),
                "figures doubtful: the prospect's side is silent - check the channel",
            ),
            (
                WarningCode::NoSpeech,
                Some(Party::Rep),
                "figures doubtful: your side is silent - check the channel",
            ),
        ] {
            r.warnings = vec![super::super::Warning {
                code,
                party,
                message: "silent".into(),
            }];
            let sentence = share_sentence(&r);
            assert!(sentence.contains(words), "{sentence}");
            assert!(!sentence.contains("let them talk"), "{sentence}");
            assert!(text(&r).contains(words));
        }
        // Other warnings leave the verdict alone.
        r.warnings[0].code = WarningCode::AudioDropped;
        assert!(share_sentence(&r).contains("let them talk"));
    }

    #[test]
    fn counts_are_singular_for_one() {
        assert_eq!(count(0u32, "turn"), "0 turns");
        assert_eq!(count(1u32, "turn"), "1 turn");
        assert_eq!(count(12u64, "pause"), "12 pauses");
    }

    #[test]
    fn millisecond_text_is_exact() {
        assert_eq!(ms_text(0.285), "0.285");
        assert_eq!(ms_text(1.0005), "1.001");
        assert_eq!(ms_text(7199.999), "7199.999");
        assert_eq!(ms_text(0.0), "0.000");
        assert_eq!(ms_text(-0.25), "-0.250");
        for ms in [0_i64, 1, 285, 999, 1000, 4_140, 123_457, 7_199_999] {
            let s = ms as f64 / 1000.0;
            let back: f64 = ms_text(s).parse().expect("number");
            assert_eq!(back, s, "{ms} ms");
        }
    }
}
