//! `--clips`: the HTML report embeds an audio clip of each moment to review, as a FLAC
//! `data:` URI in an `<audio controls>` element. On the demo call: one clip per moment, each
//! covering the documented window and holding the call's own audio (rep left, prospect
//! right) at the report's times; the same clips from replay; clips of split calls cut from
//! where each call is in the day; never without the flag; a usage error without a
//! recording or an HTML report; a 30-minute call's page under 4 MB; and the page in headless
//! Chromium, where every clip is playable and as long as it should be. (Live sessions'
//! clips: `live_capture`.)

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;

use crate::common::*;
use crate::reports::{chromium, png_stats, screenshot};
use crate::split_calls::noise;

const RATE_HZ: f64 = 16_000.0;
const CLIP_RATE_HZ: u32 = 8_000;

/// The documented window rule (README, "Moments to review"): from 3 s before the moment to
/// 3 s after it, at most 12 s long, clamped to the call. Seconds.
fn expected_window(start_s: f64, end_s: f64, duration_s: f64) -> (f64, f64) {
    let a = (start_s.min(duration_s) - 3.0).max(0.0);
    let b = (end_s + 3.0).min(a + 12.0).min(duration_s);
    (a, b)
}

/// One `<audio>` element of a page: its window (data attributes, seconds on the report's
/// timeline) and its FLAC file.
#[derive(Debug, Clone)]
pub(crate) struct AudioEl {
    pub(crate) start_s: f64,
    pub(crate) end_s: f64,
    pub(crate) flac: Vec<u8>,
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let at = tag.find(&key)? + key.len();
    let len = tag[at..].find('"')?;
    Some(&tag[at..at + len])
}

/// Every `<audio>` element of `html`, in page order.
pub(crate) fn audio_elements(html: &str) -> Vec<AudioEl> {
    html.match_indices("<audio")
        .map(|(i, _)| {
            let tag = &html[i..i + html[i..].find('>').expect("tag ends")];
            assert!(
                tag.contains(" controls"),
                "a player with controls: {tag:.120}"
            );
            let src = attr(tag, "src").expect("src");
            let b64 = src
                .strip_prefix("data:audio/flac;base64,")
                .unwrap_or_else(|| panic!("a FLAC data: URI: {src:.60}"));
            let num = |k: &str| -> f64 {
                attr(tag, k)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{k} in {tag:.200}"))
            };
            AudioEl {
                start_s: num("data-start-s"),
                end_s: num("data-end-s"),
                flac: base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .expect("base64"),
            }
        })
        .collect()
}

/// STREAMINFO of a FLAC file: (rate Hz, channels, bits per sample, samples per channel).
fn streaminfo(flac: &[u8]) -> (u32, u32, u32, u64) {
    assert_eq!(&flac[..4], b"fLaC", "a FLAC file");
    assert_eq!(flac[4] & 0x7f, 0, "STREAMINFO first");
    let b = &flac[8..42];
    let bits = u64::from_be_bytes([b[10], b[11], b[12], b[13], b[14], b[15], b[16], b[17]]);
    let rate = (bits >> 44) as u32;
    let channels = ((bits >> 41) & 0x7) as u32 + 1;
    let bps = ((bits >> 36) & 0x1f) as u32 + 1;
    let total = bits & 0xf_ffff_ffff;
    (rate, channels, bps, total)
}

/// A clip decoded by tacet's own reader: both channels.
fn decode(flac: &[u8]) -> Vec<Vec<f32>> {
    let mut reader =
        tacet::audio::decode::AudioReader::open_vec(Path::new("clip.flac"), flac.to_vec())
            .expect("the clip decodes");
    assert_eq!(reader.info().rate_hz, CLIP_RATE_HZ);
    let mut out = vec![Vec::new(), Vec::new()];
    let mut block = vec![Vec::new(), Vec::new()];
    while reader.next_channels(&[0, 1], &mut block).expect("reads") {
        for (o, b) in out.iter_mut().zip(&block) {
            o.extend_from_slice(b);
        }
    }
    out
}

/// RMS per 50 ms block of `x` at `rate_hz`.
fn envelope(x: &[f32], rate_hz: f64) -> Vec<f64> {
    let block = (0.05 * rate_hz) as usize;
    x.chunks(block)
        .filter(|c| c.len() == block)
        .map(|c| (c.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / block as f64).sqrt())
        .collect()
}

/// Pearson correlation of two series (over their common length).
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mean = |x: &[f64]| x.iter().sum::<f64>() / n as f64;
    let (ma, mb) = (mean(a), mean(b));
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt().max(1e-12)
}

/// Checks that `clip` holds `sides` (16 kHz rep, prospect) from `from_s` on: each side's
/// loudness follows the source's, on its own channel (rep left, prospect right).
fn assert_holds(clip: &AudioEl, sides: &[Vec<f32>], from_s: f64, what: &str) {
    let decoded = decode(&clip.flac);
    let a = (from_s * RATE_HZ).round() as usize;
    let n = ((clip.end_s - clip.start_s) * RATE_HZ).round() as usize;
    let src: Vec<Vec<f64>> = sides
        .iter()
        .map(|s| envelope(&s[a..(a + n).min(s.len())], RATE_HZ))
        .collect();
    let got: Vec<Vec<f64>> = decoded
        .iter()
        .map(|s| envelope(s, f64::from(CLIP_RATE_HZ)))
        .collect();
    for c in 0..2 {
        let loud = src[c].iter().filter(|v| **v > 0.01).count();
        if loud < 4 {
            // A side that says (next to) nothing here says no more in the clip.
            let loud_got = got[c].iter().filter(|v| **v > 0.02).count();
            assert!(
                loud_got <= loud + 1,
                "{what}: channel {c} should be quiet ({loud_got} loud blocks)"
            );
            continue;
        }
        let same = correlation(&src[c], &got[c]);
        assert!(
            same > 0.95,
            "{what}: channel {c} follows its side's loudness (r = {same:.3})"
        );
        let other = correlation(&src[1 - c], &got[c]);
        assert!(
            other < same - 0.2,
            "{what}: channel {c} is its own side (r = {same:.3}), not the other's ({other:.3})"
        );
    }
}

fn run_ok(args: &[&str]) -> std::process::Output {
    let out = tacet(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "tacet {args:?}: {}",
        stderr(&out)
    );
    out
}

/// The demo call's JSON report and its HTML page with clips (made once).
fn demo_with_clips() -> &'static (Value, String) {
    static PAGE: OnceLock<(Value, String)> = OnceLock::new();
    PAGE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let page = dir.path().join("demo.html");
        let demo = demo_wav();
        let demo = demo.to_str().expect("path");
        run_ok(&[
            "analyze",
            demo,
            "--clips",
            "-o",
            page.to_str().expect("path"),
        ]);
        let json = analyze_json(&[demo]);
        (json, std::fs::read_to_string(&page).expect("page"))
    })
}

fn moments(report: &Value) -> Vec<(f64, f64)> {
    report["moments"]
        .as_array()
        .expect("moments")
        .iter()
        .map(|m| {
            (
                m["start_s"].as_f64().expect("start"),
                m["end_s"].as_f64().expect("end"),
            )
        })
        .collect()
}

#[test]
fn analyze_with_clips_embeds_one_flac_clip_of_each_moment_with_both_sides() {
    let (report, html) = demo_with_clips();
    let moments = moments(report);
    assert!(moments.len() >= 4, "{moments:?}");
    let clips = audio_elements(html);
    assert_eq!(clips.len(), moments.len(), "one clip per moment");
    // The page says at the top that it holds the call's audio, before any figure.
    let note = html
        .find("This page holds the call's audio")
        .expect("the audio notice");
    assert!(
        note < html.find("<h2>").expect("sections"),
        "the notice is at the top"
    );
    // Self-contained: the only sources are the clips themselves.
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<script"));
    assert_eq!(
        html.matches("src=").count(),
        html.matches("src=\"data:audio/flac;base64,").count()
    );
    let duration_s = report["duration_s"].as_f64().expect("duration");
    let (demo, _) = read_wav(&demo_wav());
    for (k, (clip, &(start_s, end_s))) in clips.iter().zip(&moments).enumerate() {
        let (a, b) = expected_window(start_s, end_s, duration_s);
        assert!(
            (clip.start_s - a).abs() < 0.002 && (clip.end_s - b).abs() < 0.002,
            "clip {k}: {:.3}-{:.3} s, the rule gives {a:.3}-{b:.3} s",
            clip.start_s,
            clip.end_s
        );
        let (rate, channels, bits, frames) = streaminfo(&clip.flac);
        assert_eq!((rate, channels, bits), (CLIP_RATE_HZ, 2, 12), "clip {k}");
        let expected_frames = (((b - a) * RATE_HZ).round() as u64).div_ceil(2);
        assert_eq!(frames, expected_frames, "clip {k}: samples per channel");
        assert_holds(clip, &demo, clip.start_s, &format!("clip {k}"));
    }
    // Never by default.
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("plain.html");
    run_ok(&[
        "analyze",
        demo_wav().to_str().expect("path"),
        "-o",
        plain.to_str().expect("path"),
    ]);
    let plain = std::fs::read_to_string(&plain).expect("page");
    assert!(!plain.contains("<audio") && !plain.contains("holds the call's audio"));
}

#[test]
fn clips_without_a_recording_or_an_html_report_are_usage_errors() {
    let out = tacet(&["live", "--clips", "--no-ui", "--duration", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("add --record"),
        "names what is missing: {}",
        stderr(&out)
    );
    let demo = demo_wav();
    let demo = demo.to_str().expect("path");
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("r.json");
    for args in [
        vec!["analyze", demo, "--clips"],
        vec!["analyze", demo, "--clips", "--format", "json"],
        vec![
            "analyze",
            demo,
            "--clips",
            "-o",
            json.to_str().expect("path"),
        ],
        vec![
            "analyze",
            demo,
            "--clips",
            "--out-dir",
            dir.path().to_str().expect("path"),
        ],
    ] {
        let out = tacet(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("--format html"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(!json.exists());
}

#[test]
fn replay_with_clips_saves_the_same_clips_in_the_session_report() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = tacet_in(
        &[
            "replay",
            demo_wav().to_str().expect("path"),
            "--no-ui",
            "--speed",
            "10000",
            "--clips",
        ],
        Some(home.path()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sessions = home.path().join(".local/share/tacet/sessions");
    let folders: Vec<PathBuf> = std::fs::read_dir(&sessions)
        .expect("sessions")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert_eq!(folders.len(), 1);
    let html = std::fs::read_to_string(folders[0].join("report.html")).expect("report.html");
    let json = std::fs::read_to_string(folders[0].join("report.json")).expect("report.json");
    assert!(!json.contains("base64"), "the JSON report holds no audio");
    let replayed = audio_elements(&html);
    let analysed = audio_elements(&demo_with_clips().1);
    assert_eq!(replayed.len(), analysed.len());
    // The same frames as analyze read: the very same clips, byte for byte.
    for (r, a) in replayed.iter().zip(&analysed) {
        assert_eq!((r.start_s, r.end_s), (a.start_s, a.end_s));
        assert!(r.flac == a.flac, "clip at {} s differs", r.start_s);
    }
}

#[test]
fn clips_of_split_calls_are_cut_from_where_each_call_is_in_the_day() {
    // A short day: 20 s of quiet, the demo's first 70 s, 60 s of quiet, the demo's last
    // 70 s, 10 s of quiet, with low noise throughout.
    let (demo, rate) = read_wav(&demo_wav());
    let r = rate as usize;
    let piece = 70 * r;
    let tail_from = demo[0].len() - piece;
    let n = (20 + 70 + 60 + 70 + 10) * r;
    let mut day = vec![noise(n, 3), noise(n, 4)];
    for (c, side) in day.iter_mut().enumerate() {
        for (at, from) in [(20 * r, 0), (150 * r, tail_from)] {
            for (y, x) in side[at..at + piece].iter_mut().zip(&demo[c][from..]) {
                *y += x;
            }
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("day.wav");
    write_wav(&wav, &day, rate, 16, false);
    let wav = wav.to_str().expect("path");
    let (json_dir, html_dir) = (dir.path().join("json"), dir.path().join("html"));
    run_ok(&[
        "analyze",
        wav,
        "--split-calls",
        "--out-dir",
        json_dir.to_str().expect("path"),
    ]);
    run_ok(&[
        "analyze",
        wav,
        "--split-calls",
        "--clips",
        "--format",
        "html",
        "--out-dir",
        html_dir.to_str().expect("path"),
    ]);
    for k in 1..=2 {
        let report: Value = serde_json::from_str(
            &std::fs::read_to_string(json_dir.join(format!("day-call{k:02}.json")))
                .expect("report"),
        )
        .expect("json");
        let html =
            std::fs::read_to_string(html_dir.join(format!("day-call{k:02}.html"))).expect("page");
        let offset_s = report["offset_s"].as_f64().expect("offset");
        assert!(offset_s > 15.0, "call {k} starts at {offset_s} s");
        let moments = moments(&report);
        let clips = audio_elements(&html);
        assert!(!moments.is_empty());
        assert_eq!(clips.len(), moments.len(), "call {k}");
        let duration_s = report["duration_s"].as_f64().expect("duration");
        for (i, (clip, &(a, b))) in clips.iter().zip(&moments).enumerate() {
            // On the call's own timeline, as the report's times are...
            let (wa, wb) = expected_window(a, b, duration_s);
            assert!((clip.start_s - wa).abs() < 0.002 && (clip.end_s - wb).abs() < 0.002);
            // ...and cut from the day at the call's offset.
            assert_holds(
                clip,
                &day,
                offset_s + clip.start_s,
                &format!("call {k} clip {i}"),
            );
        }
    }
    // `replay --split-calls --clips` saves each call with the same clips, cut from the day.
    let data = dir.path().join("data");
    run_ok(&[
        "--data-dir",
        data.to_str().expect("path"),
        "replay",
        wav,
        "--split-calls",
        "--clips",
        "--no-ui",
        "--speed",
        "10000",
    ]);
    let mut pages: Vec<(f64, String)> = std::fs::read_dir(data.join("sessions"))
        .expect("sessions")
        .map(|e| {
            let dir = e.expect("entry").path();
            let report: Value = serde_json::from_str(
                &std::fs::read_to_string(dir.join("report.json")).expect("report"),
            )
            .expect("json");
            let page = std::fs::read_to_string(dir.join("report.html")).expect("page");
            (report["offset_s"].as_f64().expect("offset"), page)
        })
        .collect();
    pages.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(pages.len(), 2);
    for (k, (_, page)) in pages.iter().enumerate() {
        let analyzed = std::fs::read_to_string(html_dir.join(format!("day-call{:02}.html", k + 1)))
            .expect("page");
        let srcs = |html: &str| -> Vec<Vec<u8>> {
            audio_elements(html).into_iter().map(|a| a.flac).collect()
        };
        assert_eq!(srcs(page), srcs(&analyzed), "call {}", k + 1);
    }
}

/// Twelve demo calls back to back (30.5 minutes, 16 kHz, 16-bit), for the FLAC encoder.
struct Tiled {
    demo: Vec<i32>,
    copies: usize,
    pos: usize,
    block: Vec<i32>,
}

impl flacenc::source::Source for Tiled {
    fn channels(&self) -> usize {
        2
    }

    fn bits_per_sample(&self) -> usize {
        16
    }

    fn sample_rate(&self) -> usize {
        16_000
    }

    fn read_samples<F: flacenc::source::Fill>(
        &mut self,
        block_size: usize,
        dest: &mut F,
    ) -> Result<usize, flacenc::error::SourceError> {
        let len = self.demo.len() / 2;
        let n = block_size.min(self.copies * len - self.pos);
        self.block.clear();
        for i in self.pos..self.pos + n {
            let at = 2 * (i % len);
            self.block.extend_from_slice(&self.demo[at..at + 2]);
        }
        dest.fill_interleaved(&self.block)?;
        self.pos += n;
        Ok(n)
    }

    fn len_hint(&self) -> Option<usize> {
        Some(self.copies * self.demo.len() / 2)
    }
}

#[test]
fn clips_of_a_30_minute_call_keep_the_page_under_4_mb() {
    use flacenc::component::BitRepr as _;
    use flacenc::error::Verify as _;
    let _alone = memory_lock();
    // Twelve demo calls back to back, 30.5 minutes, with 26 moments (each copy's broken
    // pause and interruption, the longest monologue and story), as a FLAC recording (32 MB
    // where a WAV would take 117 MB of the test's disk).
    let mut reader = hound::WavReader::open(demo_wav()).expect("demo");
    let demo: Vec<i32> = reader
        .samples::<i16>()
        .map(|s| i32::from(s.expect("sample")))
        .collect();
    let config = flacenc::config::Encoder::default()
        .into_verified()
        .expect("config");
    let source = Tiled {
        demo,
        copies: 12,
        pos: 0,
        block: Vec::new(),
    };
    let mut stream =
        flacenc::encode_with_fixed_block_size(&config, source, config.block_size).expect("encode");
    // Fixed-size blocks: the smallest block size leaves the last block out (STREAMINFO).
    stream
        .stream_info_mut()
        .set_block_sizes(config.block_size, config.block_size)
        .expect("block sizes");
    let mut sink = flacenc::bitsink::ByteSink::new();
    stream.write(&mut sink).expect("write");
    drop(stream);
    let dir = tempfile::tempdir().expect("tempdir");
    let call = dir.path().join("long.flac");
    std::fs::write(&call, sink.as_slice()).expect("write the call");
    drop(sink);
    let page = dir.path().join("long.html");
    let start = Instant::now();
    run_ok(&[
        "analyze",
        call.to_str().expect("path"),
        "--clips",
        "-o",
        page.to_str().expect("path"),
    ]);
    let took = start.elapsed();
    let html = std::fs::read_to_string(&page).expect("page");
    let clips = audio_elements(&html);
    let audio_s: f64 = clips.iter().map(|c| c.end_s - c.start_s).sum();
    let size = html.len();
    // As base64 in the page, per second of clip.
    let bytes_per_s = clips
        .iter()
        .map(|c| c.flac.len() as f64 * 4.0 / 3.0)
        .sum::<f64>()
        / audio_s;
    eprintln!(
        "30.5-minute call, {} clips, {audio_s:.0} s of audio ({bytes_per_s:.0} B/s in the page): page {size} bytes ({:.2} MB), analysed in {took:.1?}",
        clips.len(),
        size as f64 / 1e6
    );
    assert!(clips.len() >= 20, "{} moments", clips.len());
    assert!(size < 4_000_000, "{size} bytes");
    // Even 20 clips as long as a clip can be (12 s) would fit, at this rate.
    let worst = 20.0 * 12.0 * bytes_per_s + (size as f64 - bytes_per_s * audio_s);
    assert!(
        worst < 4_000_000.0,
        "{bytes_per_s:.0} B/s of clip: {worst:.0} B"
    );
}

/// Where a test's screenshots go: `$CI_ARTIFACTS` when set, else `dir`.
fn artifacts(dir: &Path) -> PathBuf {
    std::env::var_os("CI_ARTIFACTS")
        .map(PathBuf::from)
        .filter(|d| std::fs::create_dir_all(d).is_ok())
        .unwrap_or_else(|| dir.to_path_buf())
}

/// Runs after the page has loaded: once every `<audio>` can play through (or failed), writes
/// what the browser says of each into the page as JSON.
const CHECK_SCRIPT: &str = r#"<script>
window.addEventListener('load', function () {
  var audios = Array.prototype.slice.call(document.querySelectorAll('audio'));
  var results = [], left = audios.length, written = false;
  function done() {
    if (written) return;
    written = true;
    var pre = document.createElement('pre');
    pre.id = 'clip-check';
    pre.textContent = JSON.stringify(results);
    document.body.appendChild(pre);
  }
  audios.forEach(function (a, i) {
    function finish(ev) {
      if (results[i]) return;
      results[i] = {event: ev, duration: a.duration, readyState: a.readyState,
        error: a.error ? a.error.code : null, canPlay: a.canPlayType('audio/flac')};
      if (--left === 0) done();
    }
    if (a.error) {
      finish('error');
    } else if (a.readyState >= 4) {
      finish('canplaythrough');
    } else {
      a.addEventListener('canplaythrough', function () { finish('canplaythrough'); });
      a.addEventListener('error', function () { finish('error'); });
      a.preload = 'auto';
    }
  });
  if (left === 0) done();
});
</script>"#;

/// Chromium's DOM of `page` after its scripts ran (`--dump-dom`, with virtual time so the
/// media loads before the dump).
fn dump_dom(bin: &str, page: &Path) -> (String, String) {
    let args = [
        "--autoplay-policy=no-user-gesture-required",
        "--virtual-time-budget=30000",
        "--dump-dom",
    ];
    crate::reports::run_chromium(bin, &args, page, Duration::from_secs(90))
}

#[test]
fn every_clip_plays_in_headless_chromium_for_as_long_as_its_window() {
    let test = "every_clip_plays_in_headless_chromium_for_as_long_as_its_window";
    let Some(bin) = chromium(test) else { return };
    let (_, html) = demo_with_clips();
    let clips = audio_elements(html);
    let dir = tempfile::tempdir().expect("tempdir");
    // The page as tacet wrote it, for the screenshot; a copy with the check added.
    let page = dir.path().join("clips.html");
    std::fs::write(&page, html).expect("write page");
    let checked = dir.path().join("clips-check.html");
    let mut f = std::fs::File::create(&checked).expect("create");
    f.write_all(
        html.replace("</body>", &format!("{CHECK_SCRIPT}</body>"))
            .as_bytes(),
    )
    .expect("write");
    drop(f);
    let (dom, log) = dump_dom(&bin, &checked);
    let at = dom
        .find("<pre id=\"clip-check\">")
        .unwrap_or_else(|| panic!("{test}: the check did not finish; chromium said: {log}"));
    let rest = &dom[at + "<pre id=\"clip-check\">".len()..];
    let text = &rest[..rest.find("</pre>").expect("end of the check")];
    let text = text.replace("&quot;", "\"").replace("&amp;", "&");
    let results: Vec<Value> = serde_json::from_str(&text).expect("the check's JSON");
    assert_eq!(results.len(), clips.len());
    for (k, (r, clip)) in results.iter().zip(&clips).enumerate() {
        assert_eq!(r["event"], "canplaythrough", "{test}: clip {k}: {r}");
        assert_eq!(r["error"], Value::Null, "{test}: clip {k}: {r}");
        assert_eq!(r["readyState"], 4, "{test}: clip {k}: {r}");
        assert!(
            r["canPlay"].as_str().is_some_and(|s| !s.is_empty()),
            "{test}: clip {k}: {r}"
        );
        let got = r["duration"].as_f64().expect("duration");
        let expected = clip.end_s - clip.start_s;
        assert!(
            (got - expected).abs() < 0.05,
            "{test}: clip {k} lasts {got} s in the browser, its window {expected:.3} s"
        );
    }
    // And a picture of the page as a person sees it.
    let shot = artifacts(dir.path()).join("clips.png");
    let log = screenshot(&bin, &page, &shot);
    for bad in ["Uncaught", "Failed to load resource", "ERR_"] {
        let hits: Vec<&str> = log.lines().filter(|l| l.contains(bad)).collect();
        assert!(hits.is_empty(), "{test}: browser reported {bad}: {hits:?}");
    }
    let (colours, ink, w, h) = png_stats(&shot);
    assert_eq!((w, h), (1280, 2000), "{test}: screenshot size");
    assert!(
        colours >= 8 && ink > 0.03,
        "{test}: the screenshot is nearly blank"
    );
    eprintln!("{test}: screenshot {}", shot.display());
}
