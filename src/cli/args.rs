//! The command line (product.md, "Command line"): one clap parser, every subcommand with
//! `--help` and an example.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::report::Format;

/// tacet: times who speaks on a call and coaches you to hold the silence.
#[derive(Debug, Parser)]
#[command(name = "tacet", version, about, long_about = None)]
pub struct Cli {
    /// Configuration file (TOML); default: the user's config file if it exists.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where sessions and reports are saved (default: the platform's data folder).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "TACET_DATA_DIR",
        hide_env_values = true
    )]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse call recordings and print or write their timing report.
    ///
    /// Example: tacet analyze call.wav --format json -o report.json
    #[command(
        after_help = "Examples:\n  tacet analyze call.wav\n  tacet analyze --rep rep.wav --prospect prospect.wav --format html -o call.html\n  tacet analyze calls/*.wav --out-dir reports/\n  tacet analyze call.wav --clips -o call.html"
    )]
    Analyze(AnalyzeArgs),
    /// The dashboard over the bundled demo call, in real time (no microphone needed).
    #[command(
        after_help = "Examples:\n  tacet demo\n  tacet demo --speed 4\n  tacet demo --no-ui --speed 100 --format json -o demo.json"
    )]
    Demo(DemoArgs),
    /// The dashboard over a recording, as if the call were live.
    #[command(
        after_help = "Examples:\n  tacet replay call.wav\n  tacet replay call.wav --speed 4\n  tacet replay call.wav --no-ui --speed 50 --format json -o call.json\n  tacet replay call.wav --clips\n  tacet replay day.wav --split-calls --no-ui --speed 100"
    )]
    Replay(ReplayArgs),
    /// Print the speech segments the detector finds in one channel.
    ///
    /// One "start_s end_s" line per segment (seconds, 3 decimals), then "# cpu_s X".
    #[command(after_help = "Example:\n  tacet vad call.wav --channel 1")]
    Vad(VadArgs),
    /// Time your calls live: the rep's microphone and the far end (what the softphone plays).
    ///
    /// Runs across calls until you quit, and saves each call as its own session the moment
    /// it ends (--no-split: one report for the whole session). Devices are named by their
    /// cpal id (see 'tacet devices') or a unique part of their name. Default: the default
    /// microphone, and the monitor of the default output.
    #[command(
        after_help = "Examples:\n  tacet live\n  tacet live --mic alsa:mic --far alsa:farend\n  tacet live --mic 'USB Headset' --loopback\n  tacet live --stereo 'Scarlett' --rep-channel 0 --prospect-channel 1\n  tacet live --no-split --no-ui --duration 60 --format json -o call.json\n  tacet live --record --clips"
    )]
    Live(LiveArgs),
    /// List audio hosts, microphones, outputs and far-end (monitor/loopback) candidates,
    /// and print the 'tacet live' command line to use.
    #[command(after_help = "Example:\n  tacet devices")]
    Devices(DevicesArgs),
    /// Print the effective (or default) configuration as TOML, and the paths in use.
    #[command(after_help = "Example:\n  tacet config --default > ~/.config/tacet/config.toml")]
    Config(ConfigArgs),
    /// Saved calls as a table, and the trend of your figures over the last calls.
    #[command(
        after_help = "Examples:\n  tacet history\n  tacet history --last 20\n  tacet --data-dir ~/calls history --last 5"
    )]
    History(HistoryArgs),
}

/// `tacet analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Recordings with the rep and the prospect on separate channels.
    #[arg(value_name = "CALL")]
    pub calls: Vec<PathBuf>,
    /// The rep's recording (with --prospect, instead of CALL).
    #[arg(
        long,
        value_name = "REP",
        requires = "prospect",
        conflicts_with = "calls"
    )]
    pub rep: Option<PathBuf>,
    /// The prospect's recording (with --rep).
    #[arg(long, value_name = "PRO", requires = "rep")]
    pub prospect: Option<PathBuf>,
    /// Channel of the rep in CALL (0-based; default from config, 0).
    #[arg(long, value_name = "N")]
    pub rep_channel: Option<usize>,
    /// Channel of the prospect in CALL (0-based; default from config, 1).
    #[arg(long, value_name = "M")]
    pub prospect_channel: Option<usize>,
    /// Report format (default: text, or from the -o file's extension).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to this file (one input only).
    #[arg(
        short = 'o',
        long = "output",
        value_name = "PATH",
        conflicts_with = "out_dir"
    )]
    pub output: Option<PathBuf>,
    /// Write one report per input into this folder, and summary.csv: each report is named
    /// after its input's file (mon/call.wav: call.json), with the parent folders in front
    /// when names collide (mon/call.wav, tue/call.wav: mon_call.json, tue_call.json).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// The recording is a working day: split it into calls (a side's speech that the other
    /// side answers starts one; nobody speaking for call_end_silence_s ends it) and write a
    /// report per call into --out-dir (CALL-call01.json, ...), with summary.csv.
    #[arg(long, requires = "out_dir")]
    pub split_calls: bool,
    /// Embed an audio clip of each moment to review in the HTML report (both sides, from a
    /// few seconds before it to a few after): the page then holds the call's audio. Needs an
    /// HTML report (--format html, or -o FILE.html).
    #[arg(long)]
    pub clips: bool,
}

/// Options of a session over a recording (demo, replay).
#[derive(Debug, Clone, Args)]
pub struct SessionArgs {
    /// Playback speed (1 = real time).
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub speed: f64,
    /// No dashboard: events as JSON lines on stdout; the report is saved as usual.
    #[arg(long)]
    pub no_ui: bool,
    /// Also write the final report in this format (with -o).
    #[arg(long, value_enum, requires = "output")]
    pub format: Option<Format>,
    /// Also write the final report to this file.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// `tacet demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Session options.
    #[command(flatten)]
    pub session: SessionArgs,
}

/// `tacet replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recording (rep and prospect on separate channels).
    #[arg(value_name = "CALL")]
    pub call: PathBuf,
    /// Channel of the rep (0-based; default from config, 0).
    #[arg(long, value_name = "N")]
    pub rep_channel: Option<usize>,
    /// Channel of the prospect (0-based; default from config, 1).
    #[arg(long, value_name = "M")]
    pub prospect_channel: Option<usize>,
    /// Embed an audio clip of each moment to review in the saved report.html (and in an
    /// HTML -o report): both sides, from a few seconds before it to a few after.
    #[arg(long)]
    pub clips: bool,
    /// The recording is a working day: split it into calls as live does (a side's speech
    /// that the other side answers starts one; nobody speaking for call_end_silence_s ends
    /// it) and save each call as its own session; -o still writes the whole recording's
    /// report.
    #[arg(long)]
    pub split_calls: bool,
    /// Session options.
    #[command(flatten)]
    pub session: SessionArgs,
}

/// `tacet vad`.
#[derive(Debug, Args)]
pub struct VadArgs {
    /// The recording.
    pub file: PathBuf,
    /// Channel to analyse (0-based).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub channel: usize,
}

/// `tacet config`.
#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the built-in defaults instead of the effective configuration.
    #[arg(long)]
    pub default: bool,
}

/// `tacet history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// How many of the latest calls to show and take the trend over.
    #[arg(long, default_value_t = 10, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub last: u32,
}

/// `tacet live`.
#[derive(Debug, Clone, Args)]
pub struct LiveArgs {
    /// The rep's microphone (cpal id or unique part of the name; default: config live.mic,
    /// else the default input).
    #[arg(long, value_name = "DEV", conflicts_with = "stereo")]
    pub mic: Option<String>,
    /// The far end: a monitor or loopback input (default: config live.far, else the
    /// monitor of the default output).
    #[arg(long, value_name = "DEV", conflicts_with_all = ["loopback", "stereo"])]
    pub far: Option<String>,
    /// Capture the far end from an output device: its monitor (Linux), WASAPI loopback
    /// (Windows) or a Core Audio tap (macOS 14.6+). Without a value: the default output.
    #[arg(long, value_name = "OUT_DEV", num_args = 0..=1, default_missing_value = "", conflicts_with = "stereo")]
    pub loopback: Option<String>,
    /// One input carrying both sides on separate channels.
    #[arg(long, value_name = "DEV", requires_all = ["rep_channel", "prospect_channel"])]
    pub stereo: Option<String>,
    /// The rep's channel of the --stereo device (0-based).
    #[arg(long, value_name = "N", requires = "stereo")]
    pub rep_channel: Option<usize>,
    /// The prospect's channel of the --stereo device (0-based).
    #[arg(long, value_name = "M", requires = "stereo")]
    pub prospect_channel: Option<usize>,
    /// Also record both sides, as analysed, to a stereo WAV (everyone on the call must agree).
    #[arg(long)]
    pub record: bool,
    /// With --record: embed an audio clip of each moment to review, cut from the recording,
    /// in the saved report.html (and in an HTML -o report).
    #[arg(long)]
    pub clips: bool,
    /// One report for the whole session, as for a single call: do not split what is heard
    /// into calls (by default each call is saved as its own session the moment it ends).
    #[arg(long)]
    pub no_split: bool,
    /// No dashboard: events as JSON lines on stdout; each call's report is saved as usual.
    #[arg(long)]
    pub no_ui: bool,
    /// Stop after this many seconds.
    #[arg(long, value_name = "S")]
    pub duration: Option<f64>,
    /// Also write the whole session's report in this format (with -o).
    #[arg(long, value_enum, requires = "output")]
    pub format: Option<Format>,
    /// Also write the whole session's report to this file (one report, calls or not).
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// At the end, print CPU seconds, wall seconds and peak resident memory on stderr.
    #[arg(long)]
    pub stats: bool,
}

/// `tacet devices`.
#[derive(Debug, Clone, Args)]
pub struct DevicesArgs {}
