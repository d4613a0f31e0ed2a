//! Self-contained HTML report: headline figures in plain words and an SVG timeline of both
//! sides (speech, pauses held or broken, marks). No scripts, fonts or links to load.

use std::fmt::Write as _;

use super::Report;
use crate::timeline::Party;

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders the report as one HTML page.
pub fn render(r: &Report) -> String {
    let width = 1000.0;
    let scale = if r.duration_s > 0.0 {
        width / r.duration_s
    } else {
        1.0
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="timeline" viewBox="0 0 {w} 90" width="100%" role="img" aria-label="timeline">"#,
        w = width
    );
    let _ = write!(
        svg,
        r#"<text x="0" y="12" class="lbl">rep</text><text x="0" y="52" class="lbl">prospect</text>"#
    );
    for s in &r.segments {
        let y = if s.party == Party::Rep { 16 } else { 56 };
        let class = match (s.party, s.backchannel) {
            (_, true) => "seg bc",
            (Party::Rep, _) => "seg rep",
            (Party::Prospect, _) => "seg pro",
        };
        let _ = write!(
            svg,
            r#"<rect class="{class}" x="{:.2}" y="{y}" width="{:.2}" height="18"><title>{} {:.1}-{:.1} s</title></rect>"#,
            s.start_s * scale,
            ((s.end_s - s.start_s) * scale).max(0.5),
            s.party.name(),
            s.start_s,
            s.end_s
        );
    }
    for p in &r.pauses {
        let class = match p.broken_by.as_str() {
            "prospect" => "pause held",
            "rep" => "pause broken",
            _ => "pause",
        };
        let _ = write!(
            svg,
            r#"<rect class="{class}" x="{:.2}" y="36" width="{:.2}" height="18"><title>pause {:.1} s, broken by {}</title></rect>"#,
            p.start_s * scale,
            ((p.end_s - p.start_s) * scale).max(0.5),
            p.end_s - p.start_s,
            p.broken_by
        );
    }
    for m in &r.marks {
        let _ = write!(
            svg,
            r#"<line class="mark" x1="{x:.2}" x2="{x:.2}" y1="0" y2="90"/>"#,
            x = m.t_s * scale
        );
    }
    svg.push_str("</svg>");
    let share = r
        .rep
        .share_of_talk
        .map_or("-".into(), |s| format!("{:.0}%", s * 100.0));
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>tacet report</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}.seg.rep{{fill:#3b6ea5}}.seg.pro{{fill:#c9783b}}.seg.bc{{fill:#999}}.pause.held{{fill:#4caf50}}.pause.broken{{fill:#e53935}}.pause{{fill:#bbb}}.mark{{stroke:#000;stroke-dasharray:2}}.lbl{{font-size:10px}}</style></head>
<body><h1>tacet report</h1><p>{}</p><p>You talked {share} of the time; target {:.0}%. Pauses: {} held, {} broken.</p>{svg}</body></html>
"#,
        escape(&r.source),
        r.config.talk_share_target * 100.0,
        r.held(),
        r.broken()
    );
    o
}
