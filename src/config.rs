//! Configuration: TOML with every key documented in `config/default.toml`, defaults held in
//! one place, unknown keys rejected, and `validate` errors that name the key and its limits.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The default configuration file, as shipped (also what `tacet config --default` prints).
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Errors reading or validating a configuration.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file '{path}': {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema (wrong type, unknown key).
    #[error("config file '{path}': {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said, naming the key.
        message: String,
    },
    /// A key has a value outside its range.
    #[error("config key '{key}' = {value}: {rule}")]
    Range {
        /// The key, dotted for tables (`input.rep_channel`).
        key: &'static str,
        /// The value found.
        value: String,
        /// The rule it breaks.
        rule: String,
    },
}

/// Which live cues are shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cues {
    /// "Hold the silence" during pauses.
    pub hold: bool,
    /// Monologue cue.
    pub monologue: bool,
    /// Interruption cue.
    pub interruption: bool,
    /// Talk-share warning.
    pub talk_share: bool,
}

impl Default for Cues {
    fn default() -> Self {
        Cues {
            hold: true,
            monologue: true,
            interruption: true,
            talk_share: true,
        }
    }
}

/// Which channels of a recording carry whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Input {
    /// Rep channel (0-based).
    pub rep_channel: usize,
    /// Prospect channel (0-based).
    pub prospect_channel: usize,
}

impl Default for Input {
    fn default() -> Self {
        Input {
            rep_channel: 0,
            prospect_channel: 1,
        }
    }
}

/// Live capture devices.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Live {
    /// Microphone device ("" = default input).
    pub mic: String,
    /// Far-end device ("" = monitor of the default output).
    pub far: String,
}

/// The line (from 1) of byte `at` in a TOML text, and the dotted key assigned on it (with
/// the table header above it in front), when the line is a `key = value` line.
fn key_at(text: &str, at: usize) -> (usize, Option<String>) {
    let before = &text[..at.min(text.len())];
    let line_no = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('#') && !k.starts_with('['));
    let table = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    let key = key.map(|k| match table {
        Some(t) if !t.is_empty() => format!("{t}.{k}"),
        _ => k,
    });
    (line_no, key)
}

/// The whole configuration. Field docs live in `config/default.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Gap bridged inside one party's speech, seconds.
    pub merge_gap_s: f64,
    /// Minimum pause, seconds.
    pub pause_min_s: f64,
    /// Hold cue delay, seconds.
    pub nudge_after_s: f64,
    /// Longest backchannel, seconds.
    pub backchannel_max_s: f64,
    /// Minimum overlap of an interruption, seconds.
    pub interruption_min_overlap_s: f64,
    /// Monologue cue threshold, seconds.
    pub monologue_warn_s: f64,
    /// Monologue cue cooldown, seconds.
    pub monologue_cooldown_s: f64,
    /// Target rep share of talk.
    pub talk_share_target: f64,
    /// Warning rep share of talk.
    pub talk_share_warn: f64,
    /// Window of the recent talk share, seconds.
    pub recent_window_s: f64,
    /// No-signal warning delay, seconds.
    pub no_signal_s: f64,
    /// A call starts when the other side answers within this, seconds.
    pub call_start_window_s: f64,
    /// A call ends after this long with nobody speaking, seconds.
    pub call_end_silence_s: f64,
    /// Questions offered by the monologue cue.
    pub monologue_questions: Vec<String>,
    /// Cue switches.
    pub cues: Cues,
    /// Recording channels.
    pub input: Input,
    /// Live devices.
    pub live: Live,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            merge_gap_s: 0.3,
            pause_min_s: 1.0,
            nudge_after_s: 1.0,
            backchannel_max_s: 1.0,
            interruption_min_overlap_s: 0.2,
            monologue_warn_s: 60.0,
            monologue_cooldown_s: 120.0,
            talk_share_target: 0.43,
            talk_share_warn: 0.65,
            recent_window_s: 180.0,
            no_signal_s: 20.0,
            call_start_window_s: 20.0,
            call_end_silence_s: 45.0,
            monologue_questions: vec![
                "What would you need to see to move forward on your own terms?".into(),
                "What do you want to do next?".into(),
                "This may not be a fit - what do you think?".into(),
                "How are you thinking about this?".into(),
            ],
            cues: Cues::default(),
            input: Input::default(),
            live: Live::default(),
        }
    }
}

fn check(key: &'static str, value: f64, lo: f64, hi: f64) -> Result<(), ConfigError> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::Range {
            key,
            value: value.to_string(),
            rule: format!("must be between {lo} and {hi}"),
        })
    }
}

impl Config {
    /// Parses TOML text (an empty text means all defaults) and validates it.
    ///
    /// # Errors
    /// [`ConfigError::Parse`] for malformed TOML, wrong types or unknown keys (naming the key),
    /// [`ConfigError::Range`] for out-of-range values.
    pub fn from_toml(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let what = e.message().replace('\n', " ").trim().to_string();
            let message = match e.span().map(|s| key_at(text, s.start)) {
                Some((line, Some(key))) => format!("key '{key}' (line {line}): {what}"),
                Some((line, None)) => format!("line {line}: {what}"),
                None => what,
            };
            ConfigError::Parse {
                path: path.to_path_buf(),
                message,
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Reads and validates a configuration file.
    ///
    /// # Errors
    /// [`ConfigError::Read`] when the file cannot be read, else as [`Config::from_toml`].
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml(&text, path)
    }

    /// The user's configuration file in the platform's config folder, whether or not it exists.
    pub fn user_path() -> Option<PathBuf> {
        crate::platform::folders::user_config_path()
    }

    /// Loads `explicit` if given, else the user file if it exists, else the defaults.
    /// Returns the configuration and the file it came from.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn resolve(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
        if let Some(path) = explicit {
            return Ok((Config::load(path)?, Some(path.to_path_buf())));
        }
        match Config::user_path() {
            Some(path) if path.is_file() => Ok((Config::load(&path)?, Some(path))),
            _ => Ok((Config::default(), None)),
        }
    }

    /// Checks every range rule; the error names the first key that breaks one.
    ///
    /// # Errors
    /// [`ConfigError::Range`].
    pub fn validate(&self) -> Result<(), ConfigError> {
        check("merge_gap_s", self.merge_gap_s, 0.0, 2.0)?;
        check("pause_min_s", self.pause_min_s, 0.1, 10.0)?;
        check("nudge_after_s", self.nudge_after_s, 0.1, 30.0)?;
        check("backchannel_max_s", self.backchannel_max_s, 0.0, 5.0)?;
        check(
            "interruption_min_overlap_s",
            self.interruption_min_overlap_s,
            0.0,
            5.0,
        )?;
        check("monologue_warn_s", self.monologue_warn_s, 5.0, 3600.0)?;
        check(
            "monologue_cooldown_s",
            self.monologue_cooldown_s,
            0.0,
            3600.0,
        )?;
        check("talk_share_target", self.talk_share_target, 0.0, 1.0)?;
        check("talk_share_warn", self.talk_share_warn, 0.0, 1.0)?;
        if self.talk_share_warn < self.talk_share_target {
            return Err(ConfigError::Range {
                key: "talk_share_warn",
                value: self.talk_share_warn.to_string(),
                rule: format!(
                    "must not be below talk_share_target ({})",
                    self.talk_share_target
                ),
            });
        }
        check("recent_window_s", self.recent_window_s, 10.0, 3600.0)?;
        check("no_signal_s", self.no_signal_s, 1.0, 600.0)?;
        check("call_start_window_s", self.call_start_window_s, 1.0, 600.0)?;
        check("call_end_silence_s", self.call_end_silence_s, 5.0, 3600.0)?;
        if self.monologue_questions.is_empty() {
            return Err(ConfigError::Range {
                key: "monologue_questions",
                value: "[]".into(),
                rule: "needs at least one question".into(),
            });
        }
        check("input.rep_channel", self.input.rep_channel as f64, 0.0, 7.0)?;
        check(
            "input.prospect_channel",
            self.input.prospect_channel as f64,
            0.0,
            7.0,
        )?;
        Ok(())
    }

    /// The configuration as TOML (what `tacet config` prints).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot serialise: {e}\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_default_file_equals_built_in_defaults() {
        let parsed = Config::from_toml(DEFAULT_TOML, Path::new("default.toml"));
        assert_eq!(parsed.ok(), Some(Config::default()));
    }

    #[test]
    fn empty_file_means_defaults() {
        assert_eq!(
            Config::from_toml("", Path::new("x")).ok(),
            Some(Config::default())
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::from_toml("pause_mn_s = 2\n", Path::new("c.toml"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("pause_mn_s") && err.contains("c.toml"),
            "{err}"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_key_and_line() {
        let named = |text: &str| {
            Config::from_toml(text, Path::new("c.toml"))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let err = named("merge_gap_s = 0.3\nnudge_after_s = \"soon\"\n");
        assert!(
            err.contains("key 'nudge_after_s' (line 2)") && err.contains("c.toml"),
            "{err}"
        );
        let err = named("merge_gap_s = 0.3\n\n[live]\nmic = 3\n");
        assert!(err.contains("key 'live.mic' (line 4)"), "{err}");
    }

    #[test]
    fn wrong_type_is_named() {
        let err = Config::from_toml("pause_min_s = \"long\"\n", Path::new("c.toml"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("pause_min_s") || err.contains("invalid type"),
            "{err}"
        );
    }

    #[test]
    fn out_of_range_is_named() {
        let err = Config::from_toml(
            "[cues]\nhold = true\n[input]\nrep_channel = 9\n",
            Path::new("c"),
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("input.rep_channel"), "{err}");
        let err = Config::from_toml("pause_min_s = -1\n", Path::new("c"))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("pause_min_s"), "{err}");
    }

    #[test]
    fn round_trips_through_toml() {
        let c = Config::default();
        assert_eq!(
            Config::from_toml(&c.to_toml(), Path::new("x")).ok(),
            Some(c)
        );
    }
}
