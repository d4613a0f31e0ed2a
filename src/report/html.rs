//! Self-contained HTML report: the headline figures in plain words, the talk-share gauge
//! against the target band, an SVG timeline of both sides (speech, backchannels, overlaps,
//! pauses held or broken, interruptions, paused analysis, marks, the longest monologue and
//! the longest customer story), and histograms of patience and pause length.
//!
//! One file, no scripts, fonts, images or links to load: inline CSS and inline SVG only, so
//! it opens offline, prints, and can be mailed to a manager as is. Long calls wrap into rows
//! of five minutes. With `--clips` each moment to review has an `<audio controls>` player
//! whose FLAC clip is inlined as a `data:` URI (it plays without script or network), and the
//! page says at the top that it holds the call's audio.

use std::fmt::Write as _;

use base64::Engine as _;

use super::{Interval, Report, pct, secs};
use crate::audio::clips::Clip;
use crate::conversation::engine;
use crate::timeline::{Party, Span, s_to_samples};

/// Escapes text for HTML (element content and quoted attribute values).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// A time on the call as `m:ss` (or `h:mm:ss` from an hour).
pub fn clock(s: f64) -> String {
    let t = s.max(0.0).round() as u64;
    if t >= 3600 {
        format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
    } else {
        format!("{}:{:02}", t / 60, t % 60)
    }
}

/// A duration in words-friendly form: `0.3 s`, `14 s`, `1 min 06 s`.
pub fn span_words(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.1} s")
    } else if s < 60.0 {
        format!("{s:.0} s")
    } else {
        let t = s.round() as u64;
        if t >= 3600 {
            format!("{} h {:02} min", t / 3600, t / 60 % 60)
        } else {
            format!("{} min {:02} s", t / 60, t % 60)
        }
    }
}

/// Seconds since 1970-01-01 UTC of an ISO 8601 UTC time as tacet writes it
/// (`2026-11-27T12:34:56Z`); None for anything else.
fn parse_utc(iso: &str) -> Option<i64> {
    let b = iso.as_bytes();
    let shape = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !shape {
        return None;
    }
    let n = |a: usize, z: usize| -> Option<i64> {
        iso.get(a..z)
            .filter(|d| d.bytes().all(|c| c.is_ascii_digit()))?
            .parse()
            .ok()
    };
    let (y, m, d) = (n(0, 4)?, n(5, 7)?, n(8, 10)?);
    let (hh, mm, ss) = (n(11, 13)?, n(14, 16)?, n(17, 19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    let date = time::Date::from_calendar_date(
        i32::try_from(y).ok()?,
        time::Month::try_from(u8::try_from(m).ok()?).ok()?,
        u8::try_from(d).ok()?,
    )
    .ok()?;
    Some(date.midnight().assume_utc().unix_timestamp() + hh * 3600 + mm * 60 + ss)
}

/// A report's `started_at` (UTC) as local time with its offset, `2026-12-01 09:14 +01:00`,
/// the offset at that moment given by `offset_s`; None when it is not tacet's ISO 8601 form.
pub fn local_time_with(iso: &str, offset_s: impl Fn(i64) -> Option<i64>) -> Option<String> {
    let utc = parse_utc(iso)?;
    let off = offset_s(utc).unwrap_or(0);
    let local = utc + off;
    let date = time::OffsetDateTime::from_unix_timestamp(local)
        .ok()?
        .date();
    let (y, m, d) = (date.year(), u8::from(date.month()), date.day());
    let secs = local.rem_euclid(86_400);
    let sign = if off < 0 { '-' } else { '+' };
    let off_min = off.abs() / 60;
    Some(format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} {sign}{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        off_min / 60,
        off_min % 60
    ))
}

/// A report's `started_at` in this machine's local time, as [`local_time_with`].
pub fn local_time(iso: &str) -> Option<String> {
    local_time_with(iso, crate::platform::clock::local_offset_s)
}

/// Gaps (seconds) the rep waited before taking the floor from the prospect: the engine's
/// rule ([`engine::floor_gaps`]) over the report's segments.
pub fn patience_gaps(r: &Report) -> Vec<f64> {
    engine::floor_gaps(&r.engine_segments())
        .0
        .into_iter()
        .map(secs)
        .collect()
}

/// An interruption, in the report's seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interruption {
    /// Who interrupted.
    pub party: Party,
    /// When the interrupting speech started, seconds.
    pub start_s: f64,
    /// Until when it overlapped the speech it cut into, seconds.
    pub overlap_end_s: f64,
}

/// The interruptions of the report's segments, by the engine's rule
/// ([`engine::interruptions`]).
pub fn interruptions(r: &Report) -> Vec<Interruption> {
    engine::interruptions(&r.engine_segments(), &r.thresholds())
        .into_iter()
        .map(|c| Interruption {
            party: c.party,
            start_s: secs(c.start),
            overlap_end_s: secs(c.overlap_end),
        })
        .collect()
}

/// Stretches where both parties speak ([`engine::overlaps`] of the report's segments).
pub fn overlaps(r: &Report) -> Vec<Interval> {
    let side = |p: Party| -> Vec<Span> {
        r.segments
            .iter()
            .filter(|s| s.party == p)
            .map(|s| Span::new(s_to_samples(s.start_s), s_to_samples(s.end_s)))
            .collect()
    };
    engine::overlaps(&side(Party::Rep), &side(Party::Prospect))
        .into_iter()
        .map(Interval::from)
        .collect()
}

// Geometry of the timeline (SVG user units).
const W: f64 = 1000.0;
const GUTTER: f64 = 74.0;
const PLOT: f64 = W - GUTTER - 8.0;
const REP_Y: f64 = 20.0;
const LANE_H: f64 = 20.0;
const MID_Y: f64 = 44.0;
const MID_H: f64 = 12.0;
const PRO_Y: f64 = 60.0;
const AXIS_Y: f64 = 98.0;
const ROW_H: f64 = 118.0;

/// Seconds per timeline row and between axis ticks for a call of `duration` seconds. A call
/// of one row fills it exactly, so the axis ends where the call does.
fn row_layout(duration: f64) -> (f64, f64) {
    if duration > 300.0 {
        return (300.0, 30.0);
    }
    let tick = [5.0, 10.0, 15.0, 30.0]
        .into_iter()
        .find(|t| duration / t <= 12.0)
        .unwrap_or(30.0);
    let len = if duration > 0.0 { duration } else { tick };
    (len, tick)
}

struct Row {
    t0: f64,
    len: f64,
}

impl Row {
    fn x(&self, t: f64) -> f64 {
        GUTTER + (t - self.t0) / self.len * PLOT
    }
    /// The part of `[a, b)` inside this row, as x and width.
    fn clip(&self, a: f64, b: f64) -> Option<(f64, f64)> {
        let (lo, hi) = (a.max(self.t0), b.min(self.t0 + self.len));
        (hi > lo || (a == b && a >= self.t0 && a < self.t0 + self.len)).then(|| {
            let x = self.x(lo);
            (x, (self.x(hi) - x).max(0.8))
        })
    }
}

fn seg_class(party: Party, backchannel: bool) -> &'static str {
    match (party, backchannel) {
        (Party::Rep, false) => "rep",
        (Party::Rep, true) => "rep bc",
        (Party::Prospect, false) => "pro",
        (Party::Prospect, true) => "pro bc",
    }
}

fn pause_class(broken_by: &str) -> (&'static str, &'static str) {
    match broken_by {
        "prospect" => ("held", "held: they spoke"),
        "rep" => ("broken", "broken by you"),
        "both" => ("tie", "both spoke at once"),
        _ => ("open", "the call ended"),
    }
}

fn timeline(r: &Report) -> String {
    let duration = r.duration_s.max(0.0);
    let (len, tick) = row_layout(duration);
    let rows = ((duration / len).ceil() as usize).max(1);
    let ov = overlaps(r);
    let cuts = interruptions(r);
    let mut o = String::new();
    for k in 0..rows {
        let row = Row {
            t0: k as f64 * len,
            len,
        };
        let _ = write!(
            o,
            r#"<svg class="row" viewBox="0 0 {W} {ROW_H}" role="img" aria-label="timeline {} to {}">"#,
            clock(row.t0),
            clock((row.t0 + len).min(duration))
        );
        // Lane labels and the call's end.
        let _ = write!(
            o,
            r#"<text class="lane" x="0" y="{:.0}">You</text><text class="lane" x="0" y="{:.0}">Prospect</text><text class="lane small" x="0" y="{:.0}">pauses</text>"#,
            REP_Y + 14.0,
            PRO_Y + 14.0,
            MID_Y + 10.0
        );
        let end = row.t0 + len;
        // Where this row's time stops: its end, or the call's in the last row.
        let stop = end.min(duration).max(row.t0);
        let stop_x = row.x(stop);
        let _ = write!(
            o,
            r#"<rect class="track" x="{GUTTER}" y="{REP_Y}" width="{w:.1}" height="{LANE_H}"/><rect class="track" x="{GUTTER}" y="{PRO_Y}" width="{w:.1}" height="{LANE_H}"/>"#,
            w = stop_x - GUTTER
        );
        // Axis, to the end of the call and no further.
        let _ = write!(
            o,
            r#"<line class="axis" x1="{GUTTER}" x2="{stop_x:.1}" y1="{AXIS_Y}" y2="{AXIS_Y}"/>"#
        );
        let tick_at = |o: &mut String, t: f64, anchor: &str| {
            let x = row.x(t);
            let _ = write!(
                o,
                r#"<line class="tick" x1="{x:.1}" x2="{x:.1}" y1="{:.0}" y2="{:.0}"/><text class="tl{anchor}" x="{x:.1}" y="{:.0}">{}</text>"#,
                AXIS_Y,
                AXIS_Y + 4.0,
                AXIS_Y + 15.0,
                clock(t)
            );
        };
        let ticks = (len / tick).round() as usize;
        for i in 0..=ticks {
            let t = row.t0 + i as f64 * tick;
            // None so close to the end that its label would run into the end's.
            if i > 0 && t > stop - 0.4 * tick {
                break;
            }
            tick_at(&mut o, t, "");
        }
        if stop > row.t0 {
            tick_at(&mut o, stop, " end");
        }
        // Highlights: the longest monologue above the rep lane, the longest story below.
        for (turn, class, label, y, ty) in [
            (
                r.rep.longest_turn,
                "hl-rep",
                "longest monologue",
                REP_Y - 4.0,
                REP_Y - 7.0,
            ),
            (
                r.prospect.longest_turn,
                "hl-pro",
                "longest customer story",
                PRO_Y + LANE_H + 4.0,
                PRO_Y + LANE_H + 14.0,
            ),
        ] {
            let Some(t) = turn else { continue };
            if let Some((x, w)) = row.clip(t.start_s, t.end_s) {
                let _ = write!(
                    o,
                    r#"<g data-kind="highlight" class="{class}"><rect class="hlband" x="{x:.2}" y="{:.0}" width="{w:.2}" height="{:.0}"/><line x1="{x:.2}" x2="{:.2}" y1="{y:.0}" y2="{y:.0}"/><text x="{x:.2}" y="{ty:.0}">{label} {}</text><title>{label}: {} to {} ({})</title></g>"#,
                    REP_Y.min(PRO_Y) - 2.0,
                    PRO_Y + LANE_H - REP_Y + 4.0,
                    x + w,
                    span_words(t.end_s - t.start_s),
                    clock(t.start_s),
                    clock(t.end_s),
                    span_words(t.end_s - t.start_s)
                );
            }
        }
        // Speech segments (backchannels thinner and lighter).
        for s in &r.segments {
            let Some((x, w)) = row.clip(s.start_s, s.end_s) else {
                continue;
            };
            let first = s.start_s >= row.t0;
            let base = if s.party == Party::Rep { REP_Y } else { PRO_Y };
            let (y, h) = if s.backchannel {
                (base + LANE_H / 4.0, LANE_H / 2.0)
            } else {
                (base, LANE_H)
            };
            let who = if s.party == Party::Rep {
                "you"
            } else {
                "prospect"
            };
            let _ = write!(
                o,
                r#"<rect data-kind="{}" class="seg {}" x="{x:.2}" y="{y:.1}" width="{w:.2}" height="{h:.1}"><title>{who}{} {}-{} ({:.1} s)</title></rect>"#,
                if first { "segment" } else { "segment-cont" },
                seg_class(s.party, s.backchannel),
                if s.backchannel { " (backchannel)" } else { "" },
                clock(s.start_s),
                clock(s.end_s),
                s.end_s - s.start_s
            );
        }
        // Middle lane: overlaps and pauses.
        for v in &ov {
            if let Some((x, w)) = row.clip(v.start_s, v.end_s) {
                let _ = write!(
                    o,
                    r#"<rect data-kind="overlap" class="overlap" x="{x:.2}" y="{MID_Y}" width="{w:.2}" height="{MID_H}"><title>both speaking {} ({:.1} s)</title></rect>"#,
                    clock(v.start_s),
                    v.end_s - v.start_s
                );
            }
        }
        for p in &r.pauses {
            let Some((x, w)) = row.clip(p.start_s, p.end_s) else {
                continue;
            };
            let (class, words) = pause_class(&p.broken_by);
            let _ = write!(
                o,
                r#"<rect data-kind="pause" class="pause {class}" x="{x:.2}" y="{MID_Y}" width="{w:.2}" height="{MID_H}" rx="2"><title>pause at {}, {:.1} s, {words}</title></rect>"#,
                clock(p.start_s),
                p.end_s - p.start_s
            );
        }
        for m in &r.marks {
            if m.t_s >= row.t0 && m.t_s < end {
                let x = row.x(m.t_s);
                let _ = write!(
                    o,
                    r#"<g data-kind="mark" class="mark"><line x1="{x:.2}" x2="{x:.2}" y1="{:.0}" y2="{:.0}"/><path d="M{:.2} {:.0}l4 -6h-8z"/><title>mark at {}</title></g>"#,
                    REP_Y - 2.0,
                    PRO_Y + LANE_H + 2.0,
                    x,
                    REP_Y - 2.0,
                    clock(m.t_s)
                );
            }
        }
        // Interruptions: a line from the interrupter's lane into the lane of the one talked
        // over, with an arrowhead there.
        for i in &cuts {
            if i.start_s < row.t0 || i.start_s >= end {
                continue;
            }
            let x = row.x(i.start_s);
            let (class, who, whom, tip, dir) = match i.party {
                Party::Rep => ("int rep", "you", "them", PRO_Y + LANE_H, -1.0),
                Party::Prospect => ("int pro", "they", "you", REP_Y, 1.0),
            };
            let _ = write!(
                o,
                r#"<g data-kind="interruption" class="{class}"><line x1="{x:.2}" x2="{x:.2}" y1="{:.0}" y2="{:.0}"/><path d="M{x:.2} {tip:.0}l-4 {:.0}h8z"/><title>{who} interrupted {whom} at {}, talking over {whom} for {:.1} s</title></g>"#,
                REP_Y,
                PRO_Y + LANE_H,
                6.0 * dir,
                clock(i.start_s),
                i.overlap_end_s - i.start_s
            );
        }
        // Paused analysis (privacy): nothing was measured there.
        for pz in &r.paused {
            if let Some((x, w)) = row.clip(pz.start_s, pz.end_s) {
                let _ = write!(
                    o,
                    r#"<g data-kind="paused" class="paused"><rect x="{x:.2}" y="{:.0}" width="{w:.2}" height="{:.0}"/>"#,
                    REP_Y - 2.0,
                    PRO_Y + LANE_H - REP_Y + 4.0,
                );
                if w >= 44.0 {
                    let _ = write!(
                        o,
                        r#"<text x="{:.2}" y="{:.0}">paused</text>"#,
                        x + w / 2.0,
                        MID_Y + 10.0
                    );
                }
                let _ = write!(
                    o,
                    "<title>analysis paused {}-{}: nothing measured</title></g>",
                    clock(pz.start_s),
                    clock(pz.end_s)
                );
            }
        }
        o.push_str("</svg>\n");
    }
    o
}

fn swatch(class: &str) -> String {
    // Backchannels are drawn half as tall as speech on the timeline, and so here.
    let (y, h) = if class.ends_with(" bc") {
        (2.5, 5.0)
    } else {
        (0.0, 10.0)
    };
    format!(
        r#"<svg class="sw" viewBox="0 0 14 10" aria-hidden="true"><rect class="{class}" x="0" y="{y}" width="14" height="{h}"/></svg>"#
    )
}

fn legend() -> String {
    let items = [
        ("seg rep", "you speaking"),
        ("seg pro", "prospect speaking"),
        ("seg rep bc", "your backchannel (\u{201c}mm-hmm\u{201d})"),
        ("seg pro bc", "their backchannel"),
        ("overlap", "both speaking"),
        ("pause held", "pause held (they spoke)"),
        ("pause broken", "pause broken (you spoke)"),
        ("pause open", "pause at the end / tie"),
    ];
    let mut o = String::from(r#"<ul class="legend">"#);
    for (class, words) in items {
        let _ = write!(o, "<li>{}{}</li>", swatch(class), escape(words));
    }
    for (class, tip, dir, words) in [
        ("int rep", 10.0, -1.0, "you interrupted them"),
        ("int pro", 0.0, 1.0, "they interrupted you"),
    ] {
        let _ = write!(
            o,
            r#"<li><svg class="sw" viewBox="0 0 14 10" aria-hidden="true"><g class="{class}"><line x1="7" x2="7" y1="0" y2="10"/><path d="M7 {tip}l-3.5 {:.0}h7z"/></g></svg>{words}</li>"#,
            5.0 * dir
        );
    }
    o.push_str(r#"<li><svg class="sw" viewBox="0 0 14 10" aria-hidden="true"><g class="paused"><rect x="0.5" y="0.5" width="13" height="9"/></g></svg>analysis paused (privacy): nothing measured</li>"#);
    o.push_str(r#"<li><svg class="sw" viewBox="0 0 14 10" aria-hidden="true"><line class="markline" x1="7" x2="7" y1="0" y2="10"/></svg>mark</li></ul>"#);
    o
}

/// The talk-share gauge: 0-100% with the target band, the warning zone and the rep's share.
fn gauge(r: &Report) -> String {
    let target = r.config.talk_share_target;
    let warn = r.config.talk_share_warn;
    let (lo, hi) = super::formats::near_target_band(target);
    let x0 = 20.0;
    let w = 960.0;
    let x = |v: f64| x0 + v.clamp(0.0, 1.0) * w;
    let mut o = format!(
        r#"<svg class="gauge" viewBox="0 0 1000 74" role="img" aria-label="talk share gauge"><rect class="g-track" x="{x0}" y="22" width="{w}" height="18" rx="3"/>"#
    );
    let _ = write!(
        o,
        r#"<rect class="g-band" x="{:.1}" y="22" width="{:.1}" height="18"><title>target band {}-{}</title></rect><rect class="g-warn" x="{:.1}" y="22" width="{:.1}" height="18"><title>above {}: reps who talk this much lose more deals</title></rect>"#,
        x(lo),
        x(hi) - x(lo),
        pct(lo),
        pct(hi),
        x(warn),
        x(1.0) - x(warn),
        pct(warn)
    );
    let _ = write!(
        o,
        r#"<line class="g-target" x1="{t:.1}" x2="{t:.1}" y1="16" y2="46"/><text class="g-lbl" x="{t:.1}" y="60">target {}</text><text class="g-lbl warn" x="{:.1}" y="60">warn {}</text>"#,
        pct(target),
        x(warn),
        pct(warn),
        t = x(target)
    );
    for v in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            o,
            r#"<text class="g-tick" x="{:.1}" y="72">{}</text>"#,
            x(v),
            pct(v)
        );
    }
    if let Some(s) = r.rep.share_of_talk {
        let class = if s > warn {
            "over"
        } else if s > hi || s < lo {
            "off"
        } else {
            "ok"
        };
        let _ = write!(
            o,
            r#"<rect class="g-you {class}" x="{x0}" y="26" width="{:.1}" height="10" rx="2"/><path class="g-pin {class}" d="M{p:.1} 20l-6 -9h12z"/><text class="g-you-lbl" x="{p:.1}" y="9">you {}</text>"#,
            x(s) - x0,
            pct(s),
            p = x(s)
        );
    }
    o.push_str("</svg>");
    o
}

/// A small bar chart of counts per bin; `stacks` are (class, counts per bin).
fn histogram(
    title: &str,
    bins: &[&str],
    stacks: &[(&str, &str, Vec<usize>)],
    refs: &[(f64, &str)],
) -> String {
    let (w, h, left, bottom, top) = (480.0, 210.0, 34.0, 30.0, 34.0);
    let n = bins.len().max(1);
    let totals: Vec<usize> = (0..n)
        .map(|i| {
            stacks
                .iter()
                .map(|s| s.2.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    let plot_h = h - bottom - top;
    let bw = (w - left - 6.0) / n as f64;
    let mut o = format!(
        r#"<svg class="hist" viewBox="0 0 {w} {h}" role="img" aria-label="{}">"#,
        escape(title)
    );
    // Gridlines at whole counts (at most 5).
    let step = max.div_ceil(4).max(1);
    let mut c = 0;
    while c <= max {
        let y = top + plot_h - c as f64 / max as f64 * plot_h;
        let _ = write!(
            o,
            r#"<line class="grid" x1="{left}" x2="{:.0}" y1="{y:.1}" y2="{y:.1}"/><text class="hy" x="{:.0}" y="{:.1}">{c}</text>"#,
            w - 6.0,
            left - 6.0,
            y + 4.0
        );
        c += step;
    }
    for (i, label) in bins.iter().enumerate() {
        let x = left + i as f64 * bw;
        let mut y = top + plot_h;
        for (class, what, counts) in stacks {
            let v = counts.get(i).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let bh = v as f64 / max as f64 * plot_h;
            y -= bh;
            let _ = write!(
                o,
                r#"<rect class="{class}" x="{:.1}" y="{y:.1}" width="{:.1}" height="{bh:.1}"><title>{label}: {v} {what}</title></rect>"#,
                x + 4.0,
                bw - 8.0
            );
        }
        if totals[i] > 0 {
            let _ = write!(
                o,
                r#"<text class="hv" x="{:.1}" y="{:.1}">{}</text>"#,
                x + bw / 2.0,
                y - 3.0,
                totals[i]
            );
        }
        let _ = write!(
            o,
            r#"<text class="hx" x="{:.1}" y="{:.0}">{label}</text>"#,
            x + bw / 2.0,
            h - bottom + 16.0
        );
    }
    for (bin_pos, label) in refs {
        let x = left + bin_pos * bw;
        let _ = write!(
            o,
            r#"<line class="ref" x1="{x:.1}" x2="{x:.1}" y1="{:.0}" y2="{:.0}"/><text class="rl" x="{:.1}" y="{:.0}">{}</text>"#,
            top - 24.0,
            top + plot_h,
            x + 3.0,
            top - 16.0,
            escape(label)
        );
    }
    let _ = write!(
        o,
        r#"<line class="axis" x1="{left}" x2="{:.0}" y1="{:.1}" y2="{:.1}"/></svg>"#,
        w - 6.0,
        top + plot_h,
        top + plot_h
    );
    o
}

fn bin_of(v: f64, edges: &[f64]) -> usize {
    edges
        .iter()
        .take_while(|&&e| v >= e)
        .count()
        .saturating_sub(1)
}

fn patience_chart(r: &Report) -> String {
    let edges = [0.0, 0.2, 0.5, 1.0, 1.5, 3.0];
    let bins = ["<0.2 s", "0.2-0.5", "0.5-1", "1-1.5", "1.5-3", "3 s+"];
    let mut counts = vec![0; bins.len()];
    for g in patience_gaps(r) {
        counts[bin_of(g, &edges)] += 1;
    }
    // Reference lines: the average rep (0.3 s) and top reps (1.5 s), placed inside their bins.
    histogram(
        "patience histogram",
        &bins,
        &[("bar wait", "hand-overs", counts)],
        &[
            (1.0 + 0.1 / 0.3, "average rep 0.3 s"),
            (4.0, "top reps 1.5 s"),
        ],
    )
}

fn pause_chart(r: &Report) -> String {
    let edges = [0.0, 1.5, 2.0, 3.0, 5.0, 10.0];
    let first = format!("{}-1.5 s", r.config.pause_min_s.min(1.5));
    let bins = [first.as_str(), "1.5-2", "2-3", "3-5", "5-10", "10 s+"];
    let mut held = vec![0; bins.len()];
    let mut broken = vec![0; bins.len()];
    let mut other = vec![0; bins.len()];
    for p in &r.pauses {
        let b = bin_of(p.end_s - p.start_s, &edges);
        match p.broken_by.as_str() {
            "prospect" => held[b] += 1,
            "rep" => broken[b] += 1,
            _ => other[b] += 1,
        }
    }
    histogram(
        "pause length histogram",
        &bins,
        &[
            ("bar held", "held", held),
            ("bar broken", "broken", broken),
            ("bar open", "ended otherwise", other),
        ],
        &[],
    )
}

/// The headline sentences, in plain words (HTML-escaped).
pub fn headlines(r: &Report) -> Vec<String> {
    let mut v = vec![super::formats::share_sentence(r)];
    let (held, broken) = (r.held(), r.broken());
    v.push(if held + broken == 0 {
        "There was no pause to hold.".into()
    } else {
        format!(
            "You held {held} of {} pause{}.",
            held + broken,
            if held + broken == 1 { "" } else { "s" }
        )
    });
    v.push(match r.patience_s.median {
        Some(m) => format!(
            "You waited {m:.1} s on median before speaking after they finished{}.",
            if m < 0.5 {
                " (top reps wait about 1.5 s)"
            } else if m >= 1.5 {
                ", like top reps"
            } else {
                ""
            }
        ),
        None => "You never took the word back from them, so there is no wait to time.".into(),
    });
    if let (Some(len), Some(t)) = (r.rep.longest_turn_s, r.rep.longest_turn) {
        v.push(format!(
            "Your longest monologue ran {} ({} to {}).",
            span_words(len),
            clock(t.start_s),
            clock(t.end_s)
        ));
    }
    if let (Some(len), Some(t)) = (r.prospect.longest_turn_s, r.prospect.longest_turn) {
        v.push(format!(
            "Their longest story ran {} ({} to {}).",
            span_words(len),
            clock(t.start_s),
            clock(t.end_s)
        ));
    }
    v.into_iter().map(|s| escape(&s)).collect()
}

fn figures(r: &Report) -> String {
    let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1} s"));
    let share = |v: Option<f64>| v.map_or("-".to_string(), pct);
    let rows: Vec<(&str, String, String)> = vec![
        (
            "talk time",
            format!("{:.0} s", r.rep.talk_s),
            format!("{:.0} s", r.prospect.talk_s),
        ),
        (
            "share of talk",
            share(r.rep.share_of_talk),
            share(r.prospect.share_of_talk),
        ),
        (
            "turns",
            r.rep.turns.to_string(),
            r.prospect.turns.to_string(),
        ),
        (
            "longest turn",
            opt(r.rep.longest_turn_s),
            opt(r.prospect.longest_turn_s),
        ),
        (
            "interruptions",
            r.rep.interruptions.to_string(),
            r.prospect.interruptions.to_string(),
        ),
        (
            "backchannels",
            r.rep.backchannels.to_string(),
            r.prospect.backchannels.to_string(),
        ),
        (
            "wait before speaking (median)",
            opt(r.patience_s.median),
            opt(r.response_gap_s.median),
        ),
    ];
    let mut o = String::from(
        r#"<table class="figs"><thead><tr><th></th><th>You</th><th>Prospect</th></tr></thead><tbody>"#,
    );
    for (name, a, b) in rows {
        let _ = write!(
            o,
            "<tr><th>{name}</th><td>{}</td><td>{}</td></tr>",
            escape(&a),
            escape(&b)
        );
    }
    o.push_str("</tbody></table>");
    let _ = write!(
        o,
        r#"<p class="more">Silence {:.0} s, both speaking {:.0} s, {}{} in all.{}</p>"#,
        r.silence_s,
        r.overlap_s,
        r.interactivity_per_min.map_or(String::new(), |v| format!(
            "the speaker changed {v:.1} times a minute, "
        )),
        super::formats::count(r.pauses.len() as u64, "pause"),
        r.silence_yield_s.median.map_or(String::new(), |m| format!(
            " After a held pause they talked {} on median.",
            span_words(m)
        ))
    );
    o
}

const CSS: &str = r#"
:root{--ink:#1f2328;--mute:#5f6670;--line:#d7dbe0;--rep:#3a6ea5;--rep-l:#86a8cf;--pro:#c7812f;--pro-l:#e2ad6b;--held:#3f9162;--broken:#c8553d;--open:#a7adb4;--ov:#8559a5}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff;margin:0;line-height:1.45}
main{max-width:1060px;margin:0 auto;padding:28px 28px 40px}
h1{font-size:1.55rem;margin:0 0 2px;font-weight:650}
h2{font-size:1.05rem;margin:30px 0 8px;font-weight:650}
.meta{color:var(--mute);margin:0 0 18px;font-size:.92rem;overflow-wrap:anywhere}
.head{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:1fr 1fr;gap:8px 26px}
.head li{font-size:1.08rem;padding:8px 0 8px 12px;border-left:4px solid var(--line)}
.head li:first-child{border-color:var(--rep)}
.head li:nth-child(2){border-color:var(--held)}
.moments li{padding:3px 0}
.moments .t{display:inline-block;min-width:4.5em;color:var(--mute);font-variant-numeric:tabular-nums}
.moments .clip{margin:4px 0 8px 4.5em}
.moments .clip audio{display:block;width:360px;max-width:100%;height:34px}
.moments .clip span{font-size:.8rem;color:var(--mute)}
.audio-note{margin:0 0 18px;padding:8px 12px;border-left:4px solid var(--pro);background:#fbf3e8;font-size:.92rem}
svg{display:block;width:100%;height:auto}
svg text{font-family:inherit;fill:var(--ink)}
.gauge{max-width:1000px;margin-top:4px}
.g-track{fill:#eef0f2}.g-band{fill:#cfe6d7}.g-warn{fill:#f3d3cb}
.g-target{stroke:var(--held);stroke-width:2}
.g-lbl{font-size:12px;text-anchor:middle;fill:var(--held)}.g-lbl.warn{fill:var(--broken)}
.g-tick{font-size:10px;text-anchor:middle;fill:var(--mute)}
.g-you{fill:var(--rep)}.g-pin{fill:var(--rep)}
.g-you.over,.g-pin.over{fill:var(--broken)}
.g-you-lbl{font-size:13px;font-weight:650;text-anchor:middle}
.timeline{margin-top:4px}
.row{margin:0 0 2px;break-inside:avoid;page-break-inside:avoid}
.lane{font-size:13px;fill:var(--mute)}.lane.small{font-size:10px}
.track{fill:#f5f6f7}
.axis{stroke:#9aa1a8;stroke-width:1}.tick{stroke:#9aa1a8}
.tl{font-size:10px;text-anchor:middle;fill:var(--mute)}.tl.end{text-anchor:end}
.seg.rep{fill:var(--rep)}.seg.pro{fill:var(--pro)}
.seg.rep.bc{fill:var(--rep-l)}.seg.pro.bc{fill:var(--pro-l)}
.overlap{fill:var(--ov)}
.pause.held{fill:var(--held)}.pause.broken{fill:var(--broken)}.pause.open,.pause.tie{fill:var(--open)}
.mark line,.markline{stroke:var(--ink);stroke-width:1.2;stroke-dasharray:3 2}.mark path{fill:var(--ink)}
.paused rect{fill:#5f6670;fill-opacity:.22;stroke:#5f6670;stroke-width:1;stroke-dasharray:3 2}
.paused text{font-size:10px;text-anchor:middle;fill:var(--ink);font-weight:600}
.int line{stroke-width:2}.int.rep line{stroke:var(--broken)}.int.rep path{fill:var(--broken)}
.int.pro line{stroke:#9a5f1c}.int.pro path{fill:#9a5f1c}
.hlband{fill:#fbf1cf;opacity:.6}
.hl-rep line,.hl-pro line{stroke-width:2.5}
.hl-rep line{stroke:var(--rep)}.hl-pro line{stroke:var(--pro)}
.hl-rep text,.hl-pro text{font-size:10.5px;font-weight:600}
.hl-rep text{fill:var(--rep)}.hl-pro text{fill:#9a5f1c}
.legend{list-style:none;padding:0;margin:8px 0 0;display:flex;flex-wrap:wrap;gap:4px 18px;font-size:.85rem;color:var(--mute)}
.legend li{display:flex;align-items:center;gap:6px}
.sw{width:14px;height:10px;display:inline-block}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:24px}
.charts figure{margin:0}.charts figcaption{font-size:.9rem;color:var(--mute);margin-top:4px}
.hist .grid{stroke:#eceef0}.hy{font-size:10px;text-anchor:end;fill:var(--mute)}
.hx{font-size:11px;text-anchor:middle;fill:var(--mute)}.hv{font-size:11px;text-anchor:middle;font-weight:600}
.bar.wait{fill:var(--rep)}.bar.held{fill:var(--held)}.bar.broken{fill:var(--broken)}.bar.open{fill:var(--open)}
.ref{stroke:var(--ink);stroke-dasharray:4 3;opacity:.55}.rl{font-size:10px;fill:var(--mute)}
.figs{border-collapse:collapse;font-size:.92rem;min-width:420px}
.figs th,.figs td{padding:4px 14px 4px 0;text-align:right;border-bottom:1px solid #eceef0;font-variant-numeric:tabular-nums}
.figs th:first-child{text-align:left;font-weight:500;color:var(--mute)}
.more{color:var(--mute);font-size:.9rem}
footer{margin-top:28px;color:var(--mute);font-size:.8rem}
@media (max-width:720px){.head,.charts{grid-template-columns:1fr}}
@media print{main{padding:0;max-width:none}h2{break-after:avoid}.charts{break-inside:avoid}.moments .clip{display:none}}
"#;

/// Renders the report as one self-contained HTML page.
pub fn render(r: &Report) -> String {
    render_with_clips(r, &[])
}

/// The player of a moment's clip: its FLAC inlined as a `data:` URI, and what it covers
/// (`clip.window` on the report's timeline; a clip that stops before its moment ends, as
/// a long monologue's does, is said to be how the moment began).
fn player(clip: &Clip, moment_end_s: f64) -> String {
    let from_s = crate::timeline::samples_to_s(clip.window.start);
    let to_s = crate::timeline::samples_to_s(clip.window.end);
    let span = format!("{} to {}", clock(from_s), clock(to_s));
    let opening = if to_s + 0.001 < moment_end_s {
        " (how it began)"
    } else {
        ""
    };
    format!(
        "<div class=\"clip\"><audio controls preload=\"metadata\" aria-label=\"Both sides from {span}\" data-start-s=\"{from_s:.3}\" data-end-s=\"{to_s:.3}\" src=\"data:audio/flac;base64,{}\"></audio><span>{span}{opening} \u{b7} both sides: you on the left, them on the right</span></div>",
        base64::engine::general_purpose::STANDARD.encode(&clip.flac)
    )
}

/// [`render`] with the moments' audio: `clips[i]` is the clip of `r.moments[i]`, its
/// window on the report's timeline. With any clip to play, the page says at the top that it
/// holds the call's audio.
pub fn render_with_clips(r: &Report, clips: &[Clip]) -> String {
    let playable = clips.iter().filter(|c| c.frames > 0).count();
    let mut o = String::new();
    let title = format!("Call report: {}", r.source);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{CSS}</style></head>\n<body><main>\n",
        escape(&title)
    );
    let when = r.started_at.as_deref().map_or(String::new(), |s| {
        // Local time with its offset; what is not tacet's own form is shown as it is.
        let shown = local_time(s).unwrap_or_else(|| s.to_string());
        format!(
            "<time datetime=\"{}\">{}</time> \u{b7} ",
            escape(s),
            escape(&shown)
        )
    });
    let _ = writeln!(
        o,
        "<h1>Call report</h1><p class=\"meta\">{} \u{b7} {when}{} long</p>",
        escape(&r.source),
        clock(r.duration_s)
    );
    if playable > 0 {
        let _ = writeln!(
            o,
            "<p class=\"audio-note\"><strong>This page holds the call's audio:</strong> {} of the moments to review, both sides (you on the left, them on the right). Anyone who has this file can listen to them: share it only as you would the recording, with the agreement of everyone on the call.</p>",
            if playable == 1 {
                "a clip".to_string()
            } else {
                format!("{playable} clips")
            }
        );
    }
    for w in &r.warnings {
        let _ = writeln!(
            o,
            "<p class=\"meta\"><strong>Warning:</strong> {}</p>",
            escape(&w.message)
        );
    }
    o.push_str("<ul class=\"head\">");
    for h in headlines(r) {
        let _ = write!(o, "<li>{h}</li>");
    }
    o.push_str("</ul>\n");
    let _ = writeln!(o, "<h2>Your share of the talking</h2>{}", gauge(r));
    let (len, _) = row_layout(r.duration_s.max(0.0));
    let _ = write!(
        o,
        "<h2>Timeline{}</h2><div class=\"timeline\">\n{}</div>{}\n",
        if r.duration_s > len {
            format!(" ({} per row)", span_words(len))
        } else {
            String::new()
        },
        timeline(r),
        legend()
    );
    let _ = writeln!(
        o,
        "<h2>Silences</h2><div class=\"charts\"><figure>{}<figcaption>How long you waited before speaking after they finished (each time you took the word back).</figcaption></figure><figure>{}<figcaption>Pauses of {:.1} s or more, by length: held (they spoke first) or broken (you did).</figcaption></figure></div>",
        patience_chart(r),
        pause_chart(r),
        r.config.pause_min_s
    );
    if !r.moments.is_empty() {
        o.push_str("<h2>Moments to review</h2><ol class=\"moments\">");
        for (i, m) in r.moments.iter().enumerate() {
            let audio = clips
                .get(i)
                .filter(|c| c.frames > 0)
                .map_or(String::new(), |c| player(c, m.end_s));
            let _ = write!(
                o,
                "<li><span class=\"t\">{}</span> {}{audio}</li>",
                clock(m.start_s),
                escape(&m.text)
            );
        }
        o.push_str("</ol>\n");
    }
    let _ = writeln!(o, "<h2>Figures</h2>{}", figures(r));
    let _ = write!(
        o,
        "<footer>tacet report, schema version {}. Everything here was measured on this machine.</footer>\n</main></body></html>\n",
        r.schema_version
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    /// A report of `duration_s` with these segments (party, start, end, backchannel) and
    /// paused stretches, every other figure empty.
    fn report(
        duration_s: f64,
        segments: &[(&str, f64, f64, bool)],
        paused: &[(f64, f64)],
    ) -> Report {
        let mut r = silent();
        r.duration_s = duration_s;
        r.active_s = duration_s;
        r.segments = segments
            .iter()
            .map(
                |&(party, start_s, end_s, backchannel)| super::super::SegmentReport {
                    party: if party == "rep" {
                        Party::Rep
                    } else {
                        Party::Prospect
                    },
                    start_s,
                    end_s,
                    backchannel,
                },
            )
            .collect();
        r.paused = paused
            .iter()
            .map(|&(start_s, end_s)| Interval { start_s, end_s })
            .collect();
        r
    }

    fn silent() -> Report {
        let stat = serde_json::json!({"median": null, "mean": null});
        let party = serde_json::json!({"talk_s": 0.0, "share_of_talk": null, "share_of_call": null,
            "turns": 0, "longest_turn_s": null, "longest_turn": null, "interruptions": 0,
            "backchannels": 0, "dropped_s": 0.0});
        let v = serde_json::json!({"schema_version": 1, "source": "quiet.wav", "started_at": null,
            "duration_s": 0.0, "active_s": 0.0, "config": {"merge_gap_s": 0.3, "pause_min_s": 1.0,
            "nudge_after_s": 1.0, "backchannel_max_s": 1.0, "interruption_min_overlap_s": 0.2,
            "monologue_warn_s": 60.0, "talk_share_target": 0.43, "talk_share_warn": 0.65},
            "rep": party, "prospect": party, "silence_s": 0.0, "overlap_s": 0.0,
            "interactivity_per_min": null, "patience_s": stat, "response_gap_s": stat,
            "pauses": [], "hold_rate": null, "silence_yield_s": stat, "segments": [],
            "marks": [], "paused": []});
        serde_json::from_value(v).expect("report")
    }

    #[test]
    fn a_silent_call_still_renders() {
        let r = silent();
        let html = render(&r);
        assert!(html.contains("Nobody spoke on this call."));
        assert!(html.contains("There was no pause to hold."));
        // No figure shown as "-" inside a sentence, no jargon.
        assert!(html.contains("0 pauses in all."), "{html}");
        for old in ["- times", "talked - ", "floor changes", "of the time"] {
            assert!(!html.contains(old), "'{old}' in the HTML");
        }
        assert_eq!(html.matches(r#"<svg class="row""#).count(), 1);
    }

    #[test]
    fn clips_are_players_of_their_moments_and_the_page_says_it_holds_audio() {
        use crate::report::MomentReport;
        let mut r = silent();
        r.duration_s = 200.0;
        let moment = |start_s: f64, end_s: f64| MomentReport {
            kind: "longest_monologue".into(),
            start_s,
            end_s,
            text: "Your longest monologue.".into(),
        };
        r.moments = vec![moment(10.0, 100.0), moment(150.0, 151.0)];
        let at = |a: f64, b: f64| Span::new(s_to_samples(a), s_to_samples(b));
        let clips = [
            Clip {
                window: at(7.0, 19.0),
                frames: 96_000,
                flac: b"fLaC-one".to_vec(),
            },
            // Nothing to play: no player.
            Clip {
                window: at(150.0, 150.0),
                frames: 0,
                flac: Vec::new(),
            },
        ];
        let html = render_with_clips(&r, &clips);
        assert_eq!(html.matches("<audio controls").count(), 1);
        assert!(html.contains("<strong>This page holds the call's audio:</strong> a clip of"));
        assert!(html.contains(&format!(
            "src=\"data:audio/flac;base64,{}\"",
            base64::engine::general_purpose::STANDARD.encode(b"fLaC-one")
        )));
        assert!(html.contains(r#"data-start-s="7.000" data-end-s="19.000""#));
        assert!(html.contains("0:07 to 0:19 (how it began)"), "{html}");
        // Without clips: no audio, no notice.
        let plain = render(&r);
        assert!(!plain.contains("<audio") && !plain.contains("holds the call's audio"));
    }

    /// The legend's entries as (swatch class, words).
    fn legend_items(html: &str) -> Vec<(String, String)> {
        let start = html.find(r#"<ul class="legend">"#).expect("legend");
        let end = start + html[start..].find("</ul>").expect("legend end");
        html[start..end]
            .split("<li>")
            .skip(1)
            .map(|li| {
                let class = li
                    .split(r#"class=""#)
                    .nth(2)
                    .and_then(|c| c.split('"').next())
                    .unwrap_or_default();
                let words = li.rsplit("</svg>").next().unwrap_or_default();
                (
                    class.to_string(),
                    words.trim_end_matches("</li>").to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn each_party_s_backchannels_have_their_own_swatch_in_their_colour() {
        let items = legend_items(&legend());
        let find = |words: &str| {
            items
                .iter()
                .find(|(_, w)| w.starts_with(words))
                .map(|(c, _)| c.as_str())
        };
        assert_eq!(find("your backchannel"), Some("seg rep bc"), "{items:?}");
        assert_eq!(find("their backchannel"), Some("seg pro bc"), "{items:?}");
        // The colours are those of the timeline's backchannels.
        assert!(CSS.contains(".seg.rep.bc{fill:var(--rep-l)}"));
        assert!(CSS.contains(".seg.pro.bc{fill:var(--pro-l)}"));
    }

    #[test]
    fn interruptions_of_either_party_are_marked_on_the_timeline_and_in_the_legend() {
        let r = report(
            60.0,
            &[
                ("rep", 1.0, 10.0, false),
                // The prospect cuts in for 2 s: an interruption.
                ("prospect", 8.0, 15.0, false),
                // The rep's "mm-hmm" over them is no interruption.
                ("rep", 11.0, 11.4, true),
                // The rep cuts in for 1.5 s: an interruption.
                ("rep", 13.5, 20.0, false),
                // Overlaps of 0.1 s are too short.
                ("prospect", 19.9, 30.0, false),
            ],
            &[],
        );
        let cuts = interruptions(&r);
        assert_eq!(
            cuts,
            [
                Interruption {
                    party: Party::Prospect,
                    start_s: 8.0,
                    overlap_end_s: 10.0
                },
                Interruption {
                    party: Party::Rep,
                    start_s: 13.5,
                    overlap_end_s: 15.0
                },
            ]
        );
        let html = render(&r);
        assert_eq!(html.matches(r#"data-kind="interruption""#).count(), 2);
        assert!(html.contains(r#"data-kind="interruption" class="int pro""#));
        assert!(html.contains("they interrupted you at 0:08, talking over you for 2.0 s"));
        assert!(html.contains(r#"data-kind="interruption" class="int rep""#));
        assert!(html.contains("you interrupted them at 0:14, talking over them for 1.5 s"));
        let items = legend_items(&html);
        let has = |class: &str, words: &str| items.iter().any(|(c, w)| c == class && w == words);
        assert!(has("int rep", "you interrupted them"), "{items:?}");
        assert!(has("int pro", "they interrupted you"), "{items:?}");
    }

    #[test]
    fn a_paused_stretch_is_marked_on_the_timeline_and_in_the_legend() {
        let r = report(60.0, &[("rep", 1.0, 10.0, false)], &[(20.0, 35.0)]);
        let html = render(&r);
        assert_eq!(html.matches(r#"data-kind="paused""#).count(), 1);
        assert!(html.contains(">paused</text>"), "{html}");
        assert!(html.contains("analysis paused 0:20-0:35: nothing measured"));
        let items = legend_items(&html);
        assert!(
            items
                .iter()
                .any(|(c, w)| c == "paused" && w == "analysis paused (privacy): nothing measured"),
            "{items:?}"
        );
    }

    /// Per timeline row: where the axis line ends (x) and the axis labels with their x.
    fn axes(html: &str) -> Vec<(f64, Vec<(f64, String)>)> {
        let num = |s: &str, key: &str| -> f64 {
            s.split(key)
                .nth(1)
                .and_then(|v| v.split('"').next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        };
        html.split(r#"<svg class="row""#)
            .skip(1)
            .map(|row| {
                let axis = row.split(r#"class="axis""#).nth(1).unwrap_or_default();
                let labels = row
                    .split(r#"<text class="tl"#)
                    .skip(1)
                    .map(|t| {
                        let text = t.split('>').nth(1).unwrap_or_default();
                        let text = text.split('<').next().unwrap_or_default();
                        (num(t, r#" x=""#), text.to_string())
                    })
                    .collect();
                (num(axis, r#"x2=""#), labels)
            })
            .collect()
    }

    #[test]
    fn the_time_axis_ends_at_the_end_of_the_call() {
        // One row: the axis spans the call exactly, its last label is the call's end.
        let r = report(152.4, &[("rep", 1.0, 150.0, false)], &[]);
        let rows = axes(&render(&r));
        assert_eq!(rows.len(), 1);
        let (axis_end, labels) = &rows[0];
        assert!((axis_end - (GUTTER + PLOT)).abs() < 0.1, "{axis_end}");
        let texts: Vec<&str> = labels.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts.first(), Some(&"0:00"));
        assert_eq!(texts.last(), Some(&"2:32"), "{texts:?}");
        // 2:30 would sit on top of 2:32; nothing past the end.
        assert!(
            !texts.contains(&"2:30") && !texts.contains(&"2:45"),
            "{texts:?}"
        );
        assert!(labels.iter().all(|(x, _)| *x <= axis_end + 0.1));

        // Rows of five minutes: the last one stops at the call's end.
        let r = report(400.0, &[("rep", 1.0, 399.0, false)], &[]);
        let rows = axes(&render(&r));
        assert_eq!(rows.len(), 2);
        assert!((rows[0].0 - (GUTTER + PLOT)).abs() < 0.1);
        assert_eq!(rows[0].1.last().map(|(_, t)| t.as_str()), Some("5:00"));
        let (axis_end, labels) = &rows[1];
        let want = GUTTER + 100.0 / 300.0 * PLOT;
        assert!((axis_end - want).abs() < 0.1, "{axis_end} vs {want}");
        let texts: Vec<&str> = labels.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["5:00", "5:30", "6:00", "6:40"]);
        assert!(labels.iter().all(|(x, _)| *x <= axis_end + 0.1));
    }

    #[test]
    fn the_session_date_is_local_time_with_its_offset() {
        let at = |off: i64| move |_: i64| Some(off);
        let iso = "2026-12-01T08:14:03Z";
        assert_eq!(
            local_time_with(iso, at(3600)).as_deref(),
            Some("2026-12-01 09:14 +01:00")
        );
        assert_eq!(
            local_time_with(iso, at(0)).as_deref(),
            Some("2026-12-01 08:14 +00:00")
        );
        // Back across midnight, the month and the year; half-hour zones.
        assert_eq!(
            local_time_with("2027-01-01T03:30:00Z", at(-5 * 3600)).as_deref(),
            Some("2026-12-31 22:30 -05:00")
        );
        assert_eq!(
            local_time_with("2024-02-28T20:00:00Z", at(19_800)).as_deref(),
            Some("2024-02-29 01:30 +05:30")
        );
        // The offset asked for is the one at that very moment.
        assert_eq!(
            local_time_with(iso, |t| Some(if t == 1_796_112_843 { 3600 } else { 0 })).as_deref(),
            Some("2026-12-01 09:14 +01:00")
        );
        // No offset known: UTC, said so.
        assert_eq!(
            local_time_with(iso, |_| None).as_deref(),
            Some("2026-12-01 08:14 +00:00")
        );
        for bad in [
            "",
            "2026-12-01",
            "2026-13-01T08:14:03Z",
            "2026-12-01T08:14:03Z<b>",
            "2026-12-0+T08:14:03Z",
        ] {
            assert_eq!(local_time_with(bad, at(0)), None, "{bad}");
        }
        // The page shows it, with the UTC time kept in the markup.
        let mut r = silent();
        r.started_at = Some(iso.into());
        let html = render(&r);
        let shown = local_time(iso).expect("local time");
        assert!(
            html.contains(&format!(r#"<time datetime="{iso}">{shown}</time>"#)),
            "{html}"
        );
        assert!(!html.contains(">2026-12-01T08:14:03Z<"), "{html}");
    }

    #[test]
    fn clock_and_rows() {
        assert_eq!(clock(65.4), "1:05");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(row_layout(152.4), (152.4, 15.0));
        assert_eq!(row_layout(0.0), (5.0, 5.0));
        assert_eq!(row_layout(7200.0), (300.0, 30.0));
        assert_eq!(bin_of(0.1, &[0.0, 0.2, 0.5]), 0);
        assert_eq!(bin_of(0.2, &[0.0, 0.2, 0.5]), 1);
        assert_eq!(bin_of(9.0, &[0.0, 0.2, 0.5]), 2);
    }
}
