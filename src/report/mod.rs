//! The call report: one versioned structure (JSON schema in docs/report-schema.md) built
//! from the analysis, and its renderings: text, JSON, CSV, RTTM, Audacity labels, HTML.

pub mod file;
pub mod formats;
pub mod html;

use serde::{Deserialize, Serialize};

use crate::analysis::CallResult;
use crate::conversation::engine::{self, BrokenBy, Thresholds, mean, median};
use crate::conversation::moments::{MomentKind, moments};
use crate::timeline::{Party, Samples, Span, s_to_samples, samples_to_s};

/// Version of the report's JSON layout; bumped whenever a field is renamed or removed.
pub const SCHEMA_VERSION: u32 = 1;

pub use crate::warning::{Warning, WarningCode};

/// Seconds rounded to the millisecond.
pub(crate) fn secs(samples: Samples) -> f64 {
    crate::timeline::samples_to_ms_rounded_s(samples)
}

/// A share as a whole percentage (`58%`).
pub fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

fn secs_f(samples: f64) -> f64 {
    (samples / f64::from(crate::timeline::ANALYSIS_RATE_HZ) * 1000.0).round() / 1000.0
}

fn ratio(num: Samples, den: Samples) -> Option<f64> {
    (den > 0).then(|| (num as f64 / den as f64 * 10_000.0).round() / 10_000.0)
}

/// A start and an end, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Start, seconds.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
}

impl From<Span> for Interval {
    fn from(s: Span) -> Interval {
        Interval {
            start_s: secs(s.start),
            end_s: secs(s.end),
        }
    }
}

/// A median and a mean, in seconds (null when there is nothing to average).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Stat {
    /// Median, seconds.
    pub median: Option<f64>,
    /// Mean, seconds.
    pub mean: Option<f64>,
}

impl Stat {
    fn of(values: &[Samples]) -> Stat {
        Stat {
            median: median(values).map(secs_f),
            mean: mean(values).map(secs_f),
        }
    }
}

/// One party's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyReport {
    /// Talk time, seconds (backchannels included).
    pub talk_s: f64,
    /// Share of all talk (rep / (rep + prospect) for the rep).
    pub share_of_talk: Option<f64>,
    /// Share of the active call time.
    pub share_of_call: Option<f64>,
    /// Floor acquisitions.
    pub turns: u32,
    /// Longest turn, seconds.
    pub longest_turn_s: Option<f64>,
    /// Longest turn.
    pub longest_turn: Option<Interval>,
    /// Interruptions made.
    pub interruptions: u32,
    /// Backchannels made.
    pub backchannels: u32,
    /// Audio lost to overload, seconds.
    pub dropped_s: f64,
}

/// A pause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PauseReport {
    /// Start (true end of the last speech), seconds.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// Floor holder when it opened: "rep", "prospect" or null.
    pub after: Option<Party>,
    /// Who ended it: "rep", "prospect", "both" or "none".
    pub broken_by: String,
    /// Silence yield of a held pause, seconds.
    pub yield_s: Option<f64>,
}

/// A speech segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentReport {
    /// Who spoke.
    pub party: Party,
    /// Start, seconds.
    pub start_s: f64,
    /// End, seconds.
    pub end_s: f64,
    /// A backchannel.
    pub backchannel: bool,
}

/// A marked moment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// When, seconds.
    pub t_s: f64,
}

/// A moment to review (product.md, "Moments to review").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MomentReport {
    /// `broken_pause`, `interruption`, `longest_monologue`, `longest_story` or `mark`.
    pub kind: String,
    /// Start, seconds.
    pub start_s: f64,
    /// End, seconds (a mark's equals its start).
    pub end_s: f64,
    /// What happened, in a plain sentence.
    pub text: String,
}

/// The plain sentence of a moment `len_s` long.
fn moment_text(kind: MomentKind, len_s: f64) -> String {
    let d = html::span_words(len_s);
    match kind {
        MomentKind::BrokenPause {
            after: Some(Party::Prospect),
        } => format!("You spoke {d} into their silence."),
        MomentKind::BrokenPause {
            after: Some(Party::Rep),
        } => format!("You spoke again {d} after your own words, before they answered."),
        MomentKind::BrokenPause { after: None } => format!("You broke a silence of {d}."),
        MomentKind::Interruption => format!("You talked over them for {d}."),
        MomentKind::LongestMonologue => format!("Your longest monologue: {d}."),
        MomentKind::LongestStory => format!("Their longest story: {d}. What got them talking?"),
        MomentKind::Mark => "You marked this moment.".into(),
    }
}

/// The thresholds the figures were computed with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsedConfig {
    /// Bridged gap, seconds.
    pub merge_gap_s: f64,
    /// Minimum pause, seconds.
    pub pause_min_s: f64,
    /// Hold cue delay, seconds.
    pub nudge_after_s: f64,
    /// Longest backchannel, seconds.
    pub backchannel_max_s: f64,
    /// Minimum interruption overlap, seconds.
    pub interruption_min_overlap_s: f64,
    /// Monologue cue, seconds.
    pub monologue_warn_s: f64,
    /// Target rep share of talk.
    pub talk_share_target: f64,
    /// Warning rep share of talk.
    pub talk_share_warn: f64,
}

/// The whole report. Absent values are null, never omitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Layout version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// What was analysed (file names, or the live devices).
    pub source: String,
    /// When the call started (ISO 8601), when known.
    pub started_at: Option<String>,
    /// Call length, seconds.
    pub duration_s: f64,
    /// Call length minus paused analysis, seconds.
    pub active_s: f64,
    /// Thresholds used.
    pub config: UsedConfig,
    /// The rep's figures.
    pub rep: PartyReport,
    /// The prospect's figures.
    pub prospect: PartyReport,
    /// Time when neither speaks, seconds.
    pub silence_s: f64,
    /// Time when both speak, seconds.
    pub overlap_s: f64,
    /// Changes of floor per minute of active time.
    pub interactivity_per_min: Option<f64>,
    /// Gap before the rep takes the floor from the prospect.
    pub patience_s: Stat,
    /// Gap before the prospect takes the floor from the rep.
    pub response_gap_s: Stat,
    /// Every pause.
    pub pauses: Vec<PauseReport>,
    /// held / (held + broken).
    pub hold_rate: Option<f64>,
    /// How long the prospect talked after a held pause.
    pub silence_yield_s: Stat,
    /// Every segment.
    pub segments: Vec<SegmentReport>,
    /// Marked moments.
    pub marks: Vec<Mark>,
    /// Stretches with analysis paused.
    pub paused: Vec<Interval>,
    /// Moments to review, in time order (reports saved before this field hold none).
    #[serde(default)]
    pub moments: Vec<MomentReport>,
    /// Where the call starts in its source, seconds: 0 unless it was split out of a longer
    /// recording (reports saved before this field read 0).
    #[serde(default)]
    pub offset_s: f64,
    /// What makes the figures doubtful (reports saved before this field hold none).
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

impl Report {
    /// The report's segments as the engine classified them, in its order (start, the rep
    /// first on a tie), for the rules the renderings draw ([`engine`]).
    pub fn engine_segments(&self) -> Vec<engine::Segment> {
        let mut segments: Vec<engine::Segment> = self
            .segments
            .iter()
            .map(|s| engine::Segment {
                party: s.party,
                span: Span::new(s_to_samples(s.start_s), s_to_samples(s.end_s)),
                backchannel: s.backchannel,
                interruption: false,
            })
            .collect();
        segments.sort_by_key(|s| (s.span.start, s.party.index()));
        segments
    }

    /// The engine's thresholds of the configuration the report was made with.
    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            pause_min: s_to_samples(self.config.pause_min_s),
            backchannel_max: s_to_samples(self.config.backchannel_max_s),
            interruption_min_overlap: s_to_samples(self.config.interruption_min_overlap_s),
        }
    }

    /// Builds the report of an analysed call.
    pub fn new(result: &CallResult, source: &str, started_at: Option<String>) -> Report {
        let m = &result.metrics;
        let c = &result.config;
        let talk_total = m.rep.talk + m.prospect.talk;
        let party = |p: Party| {
            let pm = m.party(p);
            let dropped = result.dropped[p.index()];
            PartyReport {
                talk_s: secs(pm.talk),
                share_of_talk: ratio(pm.talk, talk_total),
                share_of_call: ratio(pm.talk, m.active),
                turns: pm.turns,
                longest_turn_s: pm.longest_turn.map(|t| secs(t.len())),
                longest_turn: pm.longest_turn.map(Interval::from),
                interruptions: pm.interruptions,
                backchannels: pm.backchannels,
                dropped_s: secs(dropped),
            }
        };
        let held = m.held();
        let broken = m.broken();
        let yields: Vec<Samples> = m.pauses.iter().filter_map(|p| p.yield_samples).collect();
        let active_min = samples_to_s(m.active) / 60.0;
        Report {
            schema_version: SCHEMA_VERSION,
            source: source.to_string(),
            started_at,
            duration_s: secs(m.duration),
            active_s: secs(m.active),
            config: UsedConfig {
                merge_gap_s: c.merge_gap_s,
                pause_min_s: c.pause_min_s,
                nudge_after_s: c.nudge_after_s,
                backchannel_max_s: c.backchannel_max_s,
                interruption_min_overlap_s: c.interruption_min_overlap_s,
                monologue_warn_s: c.monologue_warn_s,
                talk_share_target: c.talk_share_target,
                talk_share_warn: c.talk_share_warn,
            },
            rep: party(Party::Rep),
            prospect: party(Party::Prospect),
            silence_s: secs(m.silence),
            overlap_s: secs(m.overlap),
            interactivity_per_min: (active_min > 0.0)
                .then(|| (f64::from(m.floor_changes) / active_min * 100.0).round() / 100.0),
            patience_s: Stat::of(&m.patience),
            response_gap_s: Stat::of(&m.response_gaps),
            pauses: m
                .pauses
                .iter()
                .map(|p| PauseReport {
                    start_s: secs(p.span.start),
                    end_s: secs(p.span.end),
                    after: p.after,
                    broken_by: p.broken_by.name().to_string(),
                    yield_s: p.yield_samples.map(secs),
                })
                .collect(),
            hold_rate: (held + broken > 0)
                .then(|| ((held as f64 / (held + broken) as f64) * 10_000.0).round() / 10_000.0),
            silence_yield_s: Stat::of(&yields),
            segments: m
                .segments
                .iter()
                .map(|s| SegmentReport {
                    party: s.party,
                    start_s: secs(s.span.start),
                    end_s: secs(s.span.end),
                    backchannel: s.backchannel,
                })
                .collect(),
            marks: result
                .marks
                .iter()
                .map(|&t| Mark { t_s: secs(t) })
                .collect(),
            paused: result.paused.iter().map(|&s| Interval::from(s)).collect(),
            moments: moments(m, &result.marks)
                .into_iter()
                .map(|x| {
                    let (start_s, end_s) = (secs(x.span.start), secs(x.span.end));
                    MomentReport {
                        kind: x.kind.name().into(),
                        start_s,
                        end_s,
                        text: moment_text(x.kind, end_s - start_s),
                    }
                })
                .collect(),
            offset_s: 0.0,
            warnings: result.warnings.clone(),
        }
    }

    /// Held pauses (broken by the prospect).
    pub fn held(&self) -> usize {
        self.pauses
            .iter()
            .filter(|p| p.broken_by == BrokenBy::Prospect.name())
            .count()
    }

    /// Broken pauses (broken by the rep).
    pub fn broken(&self) -> usize {
        self.pauses
            .iter()
            .filter(|p| p.broken_by == BrokenBy::Rep.name())
            .count()
    }
}

/// Output formats of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A summary for the terminal.
    Text,
    /// The full report (versioned JSON).
    Json,
    /// One row per speech segment.
    Csv,
    /// Self-contained HTML page with a timeline.
    Html,
    /// RTTM speaker turns, for speech tools.
    Rttm,
    /// Audacity label track.
    Audacity,
}

impl Format {
    /// File extension for this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Rttm => "rttm",
            Format::Audacity => "labels.txt",
        }
    }

    /// Writes a report in this format to `w`. JSON is streamed (a long call's report is
    /// never held whole in memory); the other formats are rendered, then written.
    ///
    /// # Errors
    /// Any error of `w`.
    pub fn write_to(self, report: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *w, report)?;
                w.write_all(b"\n")
            }
            _ => w.write_all(self.render(report).as_bytes()),
        }
    }

    /// [`Format::write_to`] with the moments' audio clips (`clips[i]` the clip of
    /// `report.moments[i]`, on the report's timeline) in an HTML report; the other formats
    /// hold no audio and are written as by [`Format::write_to`].
    ///
    /// # Errors
    /// Any error of `w`.
    pub fn write_with_clips(
        self,
        report: &Report,
        clips: &[crate::audio::clips::Clip],
        w: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        match self {
            Format::Html => w.write_all(html::render_with_clips(report, clips).as_bytes()),
            _ => self.write_to(report, w),
        }
    }

    /// Renders a report in this format.
    pub fn render(self, report: &Report) -> String {
        match self {
            Format::Text => formats::text(report),
            Format::Json => formats::json(report),
            Format::Csv => formats::csv(report),
            Format::Html => html::render(report),
            Format::Rttm => formats::rttm(report),
            Format::Audacity => formats::audacity(report),
        }
    }
}
