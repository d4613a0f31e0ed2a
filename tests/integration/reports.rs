//! The report formats on the demo call: CSV rows, RTTM and Audacity labels exact to the
//! millisecond and read back to the same segments, the JSON field list of the schema, the
//! HTML page's structure, and the page opened for real in headless Chromium.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tacet::report::{Format, Mark, Report};

use crate::common::*;

fn demo_json() -> Value {
    serde_json::from_str(&demo_outputs()["json"]).expect("json report")
}

fn demo_report() -> Report {
    serde_json::from_str(&demo_outputs()["json"]).expect("report deserialises")
}

fn ms(v: f64) -> i64 {
    (v * 1000.0).round() as i64
}

/// (party, start ms, end ms, backchannel) of every segment of a JSON report.
fn segments(json: &Value) -> Vec<(String, i64, i64, bool)> {
    json["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .map(|s| {
            (
                s["party"].as_str().expect("party").to_string(),
                ms(s["start_s"].as_f64().expect("start")),
                ms(s["end_s"].as_f64().expect("end")),
                s["backchannel"].as_bool().expect("backchannel"),
            )
        })
        .collect()
}

#[test]
fn csv_has_one_row_per_segment_with_exact_times() {
    let json = demo_json();
    let segs = segments(&json);
    let csv = &demo_outputs()["csv"];
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("party,start_s,end_s,duration_s,backchannel")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), segs.len());
    for (row, seg) in rows.iter().zip(&segs) {
        assert_eq!(row.len(), 5, "{row:?}");
        let num = |s: &str| -> f64 { s.parse().expect("number") };
        assert_eq!(row[0], seg.0);
        assert_eq!(ms(num(row[1])), seg.1, "{row:?}");
        assert_eq!(ms(num(row[2])), seg.2, "{row:?}");
        assert_eq!(ms(num(row[3])), seg.2 - seg.1, "{row:?}");
        assert_eq!(row[4], seg.3.to_string());
        // Exactly three decimals.
        assert!(
            row[1..4]
                .iter()
                .all(|v| v.split('.').nth(1).is_some_and(|d| d.len() == 3))
        );
    }
}

#[test]
fn rttm_round_trips_to_the_millisecond() {
    let json = demo_json();
    let segs = segments(&json);
    let rttm = &demo_outputs()["rttm"];
    for line in rttm.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        assert_eq!(f.len(), 10, "{line}");
        assert_eq!(
            (f[0], f[1], f[2], f[5], f[6], f[8], f[9]),
            ("SPEAKER", "demo-call", "1", "<NA>", "<NA>", "<NA>", "<NA>")
        );
        assert!(f[3].split('.').nth(1).is_some_and(|d| d.len() == 3));
        assert!(f[4].split('.').nth(1).is_some_and(|d| d.len() == 3));
    }
    let back: Vec<(String, i64, i64)> = tacet_eval::rttm_turns(rttm)
        .expect("valid RTTM")
        .into_iter()
        .map(|t| (t.speaker, ms(t.start_s), ms(t.end_s)))
        .collect();
    let want: Vec<(String, i64, i64)> = segs.iter().map(|s| (s.0.clone(), s.1, s.2)).collect();
    assert_eq!(back, want);
    // The evaluation reader (used for ../shared/data) agrees.
    let parsed = tacet_eval::parse_rttm(rttm).expect("valid RTTM");
    let n: usize = parsed.values().map(Vec::len).sum();
    assert_eq!(n, segs.len());
}

#[test]
fn audacity_labels_round_trip_to_the_millisecond() {
    let json = demo_json();
    let segs = segments(&json);
    let labels = &demo_outputs()["audacity"];
    let back = tacet_eval::audacity_labels(labels);
    // Segments first, then pauses, then marks.
    let pauses = json["pauses"].as_array().expect("pauses");
    assert_eq!(back.len(), segs.len() + pauses.len());
    for (b, s) in back.iter().zip(&segs) {
        let label = if s.3 {
            format!("{} (backchannel)", s.0)
        } else {
            s.0.clone()
        };
        assert_eq!((b.0.clone(), ms(b.1), ms(b.2)), (label, s.1, s.2));
    }
    for (b, p) in back[segs.len()..].iter().zip(pauses) {
        assert_eq!(ms(b.1), ms(p["start_s"].as_f64().expect("start")));
        assert_eq!(ms(b.2), ms(p["end_s"].as_f64().expect("end")));
        let want = match p["broken_by"].as_str().expect("broken_by") {
            "prospect" => "pause held",
            "rep" => "pause broken",
            _ => "pause",
        };
        assert_eq!(b.0, want);
    }
    for line in labels.lines() {
        assert_eq!(line.split('\t').count(), 3, "{line:?}");
    }
}

#[test]
fn text_summary_says_the_headline_figures() {
    let text = &demo_outputs()["text"];
    let json = demo_json();
    let share = json["rep"]["share_of_talk"].as_f64().expect("share");
    assert!(
        text.contains(&format!(
            "You did {:.0}% of the talking; target 43%",
            share * 100.0
        )),
        "{text}"
    );
    assert!(text.contains("hold rate"), "{text}");
    assert!(text.contains("patience"), "{text}");
}

/// Every field path of a JSON value: nested keys joined with '.', array elements as '[]'.
fn field_paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                field_paths(x, &p, out);
            }
        }
        Value::Array(a) => {
            for x in a {
                field_paths(x, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn json_fields_match_the_committed_schema_list() {
    let json = demo_json();
    let version = json["schema_version"].as_u64().expect("schema_version");
    assert_eq!(version, u64::from(tacet::report::SCHEMA_VERSION));
    // The demo call has no marks, no paused analysis and no warning: add one of each,
    // through the report's own type, so their element fields are checked too.
    let mut report = demo_report();
    report.marks.push(Mark { t_s: 1.0 });
    report.paused.push(tacet::report::Interval {
        start_s: 2.0,
        end_s: 3.0,
    });
    report.warnings.push(tacet::report::Warning {
        code: tacet::report::WarningCode::DeviceStalled,
        party: None,
        message: "stalled".into(),
    });
    let full: Value = serde_json::to_value(&report).expect("serialises");
    let mut got = BTreeSet::new();
    field_paths(&json, "", &mut got);
    field_paths(&full, "", &mut got);
    let fixture = root().join(format!("tests/fixtures/report-fields-v{version}.txt"));
    let listed: BTreeSet<String> = std::fs::read_to_string(&fixture)
        .unwrap_or_else(|e| {
            panic!(
                "{} is missing ({e}): each schema_version needs its field list",
                fixture.display()
            )
        })
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let missing: Vec<&String> = listed.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "fields of schema_version {version} renamed or removed: {missing:?}; bump SCHEMA_VERSION \
         and add a new field list (docs/report-schema.md, 'Versioning')"
    );
    let extra: Vec<&String> = got.difference(&listed).collect();
    assert!(
        extra.is_empty(),
        "new fields not listed in {}: {extra:?}; document them in docs/report-schema.md and \
         list them",
        fixture.display()
    );
    // Nothing is omitted: every listed top-level field is present even when null.
    for key in listed
        .iter()
        .filter(|k| !k.contains('.') && !k.contains('['))
    {
        assert!(json.get(key).is_some(), "{key} omitted");
    }
    // And the documentation names every field.
    let doc = std::fs::read_to_string(root().join("docs/report-schema.md")).expect("schema doc");
    for key in &listed {
        assert!(
            doc.contains(&format!("`{key}`")),
            "docs/report-schema.md does not document `{key}`"
        );
    }
}

#[test]
fn warnings_are_in_the_json_the_text_summary_and_the_html() {
    assert_eq!(demo_json()["warnings"], serde_json::json!([]));
    let mut report = demo_report();
    report.warnings.push(tacet::report::Warning {
        code: tacet::report::WarningCode::DeviceStalled,
        party: Some(tacet::timeline::Party::Rep),
        message: "The rep's microphone 'alsa:mic' stopped <delivering> audio".into(),
    });
    let json: Value = serde_json::from_str(&Format::Json.render(&report)).expect("json");
    assert_eq!(
        json["warnings"],
        serde_json::json!([{"code": "device_stalled", "party": "rep",
            "message": "The rep's microphone 'alsa:mic' stopped <delivering> audio"}])
    );
    let text = Format::Text.render(&report);
    assert!(
        text.contains("warning: The rep's microphone 'alsa:mic' stopped <delivering> audio"),
        "{text}"
    );
    let html = Format::Html.render(&report);
    assert!(
        html.contains("alsa:mic&#39; stopped &lt;delivering&gt; audio"),
        "{html}"
    );
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// Checks that a page loads nothing from outside: no URLs, no src, links only to anchors.
fn assert_self_contained(html: &str) {
    for bad in [
        "http://",
        "https://",
        "src=",
        "<script src",
        "@import",
        "url(",
        "<link",
    ] {
        assert!(!html.contains(bad), "page refers outside: {bad}");
    }
    for (i, _) in html.match_indices("href=") {
        let rest = &html[i + 5..];
        assert!(
            rest.starts_with("\"#") || rest.starts_with("'#"),
            "href to something else than an anchor: {}",
            &rest[..rest.len().min(60)]
        );
    }
}

#[test]
fn html_page_structure() {
    let html = &demo_outputs()["html"];
    let json = demo_json();
    let n_segs = json["segments"].as_array().expect("segments").len();
    let n_pauses = json["pauses"].as_array().expect("pauses").len();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    assert_self_contained(html);
    // One timeline element per segment and per pause; both highlights.
    assert_eq!(count(html, r#"data-kind="segment""#), n_segs);
    assert_eq!(count(html, r#"data-kind="pause""#), n_pauses);
    assert_eq!(count(html, r#"data-kind="highlight""#), 2);
    assert!(count(html, r#"data-kind="overlap""#) >= 1);
    assert!(html.contains("longest monologue"));
    assert!(html.contains("longest customer story"));
    // Backchannels are drawn apart from speech.
    let bcs = json["segments"]
        .as_array()
        .expect("segments")
        .iter()
        .filter(|s| s["backchannel"] == true)
        .count();
    assert!(bcs > 0);
    assert_eq!(
        count(html, r#"data-kind="segment" class="seg pro bc""#),
        bcs
    );
    // The headline figures in plain words.
    let share = json["rep"]["share_of_talk"].as_f64().expect("share");
    let report = demo_report();
    assert!(html.contains(&format!(
        "You did {:.0}% of the talking; target 43%",
        share * 100.0
    )));
    assert!(html.contains(&format!(
        "You held {} of {} pauses.",
        report.held(),
        report.held() + report.broken()
    )));
    assert!(html.contains("You waited 0.3 s on median before speaking after they finished"));
    // The talk-share gauge, the two histograms, an axis.
    assert!(html.contains(r#"class="gauge""#));
    assert_eq!(count(html, r#"class="hist""#), 2);
    assert!(html.contains(">0:00<") && html.contains(">2:00<"));
}

#[test]
fn html_patience_rebuilt_from_segments_matches_the_report() {
    let report = demo_report();
    let gaps = tacet::report::html::patience_gaps(&report);
    let mut sorted = gaps.clone();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    assert!(n > 0);
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    let want = report.patience_s.median.expect("median");
    assert!((median - want).abs() < 0.0015, "{median} vs {want}");
}

#[test]
fn html_interruptions_rebuilt_from_segments_match_the_report() {
    use tacet::timeline::Party;
    let report = demo_report();
    let cuts = tacet::report::html::interruptions(&report);
    let of = |p: Party| cuts.iter().filter(|i| i.party == p).count() as u32;
    assert!(report.rep.interruptions > 0);
    assert_eq!(of(Party::Rep), report.rep.interruptions);
    assert_eq!(of(Party::Prospect), report.prospect.interruptions);
    let html = &demo_outputs()["html"];
    assert_eq!(count(html, r#"data-kind="interruption""#), cuts.len());
    // A long call wrapped in rows marks each one once.
    let long = tile(&report, 48);
    let html = Format::Html.render(&long);
    assert_eq!(count(&html, r#"data-kind="interruption""#), 48 * cuts.len());
}

#[test]
fn html_escapes_text_and_wraps_long_calls() {
    let mut report = demo_report();
    report.source = r#"<script>alert("x")</script> & 'quotes'.wav"#.into();
    report.started_at = Some("2026-01-01T10:00:00Z<b>".into());
    let long = tile(&report, 48);
    let html = Format::Html.render(&long);
    assert!(!html.contains("<script"));
    assert!(!html.contains("<b>"));
    assert!(
        html.contains(
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;.wav"
        )
    );
    assert_self_contained(&html);
    // Two hours in rows of five minutes.
    assert!(long.duration_s > 7000.0);
    let rows = count(&html, r#"<svg class="row""#);
    assert_eq!(rows, (long.duration_s / 300.0).ceil() as usize);
    assert_eq!(count(&html, r#"data-kind="segment""#), long.segments.len());
}

#[test]
fn html_shows_the_session_date_in_local_time_with_its_offset() {
    let home = tempfile::tempdir().expect("tempdir");
    let data = home.path().join("data");
    // A zone 5 h 30 min east of UTC, given as a POSIX rule (no zone files needed).
    let out = Command::new(tacet_bin())
        .args(["demo", "--no-ui", "--speed", "500", "--data-dir"])
        .arg(&data)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .env_remove("TACET_DATA_DIR")
        .env("TZ", "IST-5:30")
        .output()
        .expect("run tacet");
    assert!(out.status.success(), "demo: {}", stderr(&out));
    let dir = std::fs::read_dir(data.join("sessions"))
        .expect("sessions")
        .next()
        .expect("a session")
        .expect("entry")
        .path();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).expect("json"))
            .expect("parses");
    let started = json["started_at"].as_str().expect("started_at");
    assert!(started.ends_with('Z'), "{started}");
    let local = tacet::report::html::local_time_with(started, |_| Some(19_800)).expect("local");
    assert!(local.ends_with(" +05:30"), "{local}");
    let html = std::fs::read_to_string(dir.join("report.html")).expect("html");
    assert!(
        html.contains(&format!(r#"<time datetime="{started}">{local}</time>"#)),
        "{local}: {}",
        html[html.find("class=\"meta\"").unwrap_or(0)..]
            .chars()
            .take(200)
            .collect::<String>()
    );
}

/// The report repeated `times` times back to back (a long call made of the demo call).
fn tile(r: &Report, times: usize) -> Report {
    let mut out = r.clone();
    out.segments.clear();
    out.pauses.clear();
    let d = r.duration_s;
    let shift = |v: f64, k: usize| ((v + d * k as f64) * 1000.0).round() / 1000.0;
    for k in 0..times {
        for s in &r.segments {
            let mut s = s.clone();
            s.start_s = shift(s.start_s, k);
            s.end_s = shift(s.end_s, k);
            out.segments.push(s);
        }
        for p in &r.pauses {
            let mut p = p.clone();
            p.start_s = shift(p.start_s, k);
            p.end_s = shift(p.end_s, k);
            out.pauses.push(p);
        }
        out.marks.push(Mark {
            t_s: shift(30.0, k),
        });
    }
    out.duration_s = shift(d, times - 1);
    out.active_s = out.duration_s;
    out
}

/// Where Chromium is, or None with a printed reason (a failure when CI=true).
pub(crate) fn chromium(test: &str) -> Option<String> {
    let found = ["chromium", "chromium-browser"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if found.is_none() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !ci,
            "{test}: chromium is not installed, and CI must not skip this test"
        );
        eprintln!("SKIPPED {test}: chromium not found (apt-get install chromium)");
    }
    found.map(str::to_string)
}

/// Opens `page` in headless Chromium, saves a screenshot, returns Chromium's stderr.
pub(crate) fn screenshot(bin: &str, page: &Path, png: &Path) -> String {
    let shot = format!("--screenshot={}", png.display());
    let args = [
        "--enable-logging=stderr",
        "--v=0",
        "--window-size=1280,2000",
        shot.as_str(),
    ];
    run_chromium(bin, &args, page, Duration::from_secs(60)).1
}

/// Runs headless Chromium (a fresh profile, no network services) on `page` with `args`
/// besides, killing it after `limit`; its stdout and stderr.
pub(crate) fn run_chromium(
    bin: &str,
    args: &[&str],
    page: &Path,
    limit: Duration,
) -> (String, String) {
    let profile = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ])
        .args(args)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = pipe.read_to_string(&mut s);
            s
        })
    };
    let out = read(Box::new(child.stdout.take().expect("stdout")));
    let err = read(Box::new(child.stderr.take().expect("stderr")));
    let start = Instant::now();
    loop {
        match child.try_wait().expect("wait") {
            Some(_) => break,
            None if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within {} s", limit.as_secs());
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    )
}

/// Distinct colours and the share of non-white pixels of a PNG.
pub(crate) fn png_stats(path: &Path) -> (usize, f64, u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("screenshot written"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let bytes = &buf[..info.buffer_size()];
    let step = info.color_type.samples();
    let mut colours = std::collections::HashSet::new();
    let mut ink = 0usize;
    let mut total = 0usize;
    for px in bytes.chunks_exact(step) {
        let rgb = (px[0], px[1], px.get(2).copied().unwrap_or(px[0]));
        colours.insert(rgb);
        total += 1;
        if rgb.0 < 240 || rgb.1 < 240 || rgb.2 < 240 {
            ink += 1;
        }
    }
    (
        colours.len(),
        ink as f64 / total.max(1) as f64,
        info.width,
        info.height,
    )
}

fn check_in_browser(test: &str, html: &str, name: &str) {
    let Some(bin) = chromium(test) else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join(format!("{name}.html"));
    let shot = dir.path().join(format!("{name}.png"));
    std::fs::write(&page, html).expect("write page");
    let log = screenshot(&bin, &page, &shot);
    for bad in ["CONSOLE", "Uncaught", "Failed to load resource", "ERR_"] {
        let hits: Vec<&str> = log.lines().filter(|l| l.contains(bad)).collect();
        assert!(hits.is_empty(), "{test}: browser reported {bad}: {hits:?}");
    }
    let (colours, ink, w, h) = png_stats(&shot);
    assert_eq!((w, h), (1280, 2000), "{test}: screenshot size");
    assert!(colours >= 8, "{test}: screenshot has {colours} colours");
    assert!(
        ink > 0.03,
        "{test}: screenshot is nearly blank ({:.1}% ink)",
        ink * 100.0
    );
    if let Ok(keep) = std::env::var("TACET_KEEP_SCREENSHOTS") {
        let _ = std::fs::copy(&shot, Path::new(&keep).join(format!("{name}.png")));
    }
}

#[test]
fn html_renders_in_headless_chromium() {
    check_in_browser(
        "html_renders_in_headless_chromium",
        &demo_outputs()["html"],
        "demo",
    );
}

#[test]
fn html_of_a_two_hour_call_renders_in_headless_chromium() {
    let long = tile(&demo_report(), 48);
    check_in_browser(
        "html_of_a_two_hour_call_renders_in_headless_chromium",
        &Format::Html.render(&long),
        "two-hours",
    );
}

#[test]
fn every_report_lists_the_moments_to_review_in_time_order() {
    let json = demo_json();
    let moments = json["moments"].as_array().expect("moments");
    let kinds: Vec<&str> = moments.iter().filter_map(|m| m["kind"].as_str()).collect();
    // The demo call has one broken pause (the rep spoke again after their own question),
    // the rep's longest monologue, the prospect's longest story and an interruption.
    for kind in [
        "broken_pause",
        "longest_monologue",
        "longest_story",
        "interruption",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing: {kinds:?}");
    }
    let starts: Vec<f64> = moments
        .iter()
        .filter_map(|m| m["start_s"].as_f64())
        .collect();
    assert_eq!(starts.len(), moments.len());
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
    // Each moment is a stretch of the call, with a sentence.
    let duration_s = json["duration_s"].as_f64().expect("duration");
    for m in moments {
        let (a, b) = (
            m["start_s"].as_f64().expect("start"),
            m["end_s"].as_f64().expect("end"),
        );
        assert!(0.0 <= a && a <= b && b <= duration_s, "{m}");
        assert!(
            m["text"]
                .as_str()
                .is_some_and(|t| t.ends_with('.') || t.ends_with('?')),
            "{m}"
        );
    }
    // The broken pause is the report's broken pause, and its sentence gives its length.
    let pause = json["pauses"]
        .as_array()
        .expect("pauses")
        .iter()
        .find(|p| p["broken_by"] == "rep")
        .expect("a broken pause");
    let moment = moments
        .iter()
        .find(|m| m["kind"] == "broken_pause")
        .expect("moment");
    assert_eq!(moment["start_s"], pause["start_s"]);
    assert_eq!(moment["end_s"], pause["end_s"]);
    let len_s = pause["end_s"].as_f64().expect("end") - pause["start_s"].as_f64().expect("start");
    assert!(
        moment["text"]
            .as_str()
            .expect("text")
            .contains(&format!("{len_s:.1} s")),
        "{moment}"
    );
    // Text and HTML show them.
    let text = &demo_outputs()["text"];
    assert!(text.contains("moments to review:"), "{text}");
    for m in moments {
        assert!(text.contains(m["text"].as_str().expect("text")), "{m}");
    }
    let html = &demo_outputs()["html"];
    assert!(html.contains("<h2>Moments to review</h2>"));
    assert_eq!(
        html.matches("<li><span class=\"t\">").count(),
        moments.len()
    );
}
