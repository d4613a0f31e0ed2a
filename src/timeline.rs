//! The master timeline: every timestamp is a count of samples at the analysis rate,
//! derived from the rep's stream, so a replay reproduces a live session exactly.

use serde::{Deserialize, Serialize};

/// Sample rate every side is resampled to before analysis.
pub const ANALYSIS_RATE_HZ: u32 = 16_000;
/// One analysis frame: 10 ms at [`ANALYSIS_RATE_HZ`].
pub const FRAME_LEN_SAMPLES: usize = 160;
/// Duration of one analysis frame in milliseconds.
pub const FRAME_MS: u64 = 10;

/// A position on the master timeline, in samples at [`ANALYSIS_RATE_HZ`].
pub type Samples = u64;

/// Converts a sample count on the master timeline to seconds.
pub fn samples_to_s(samples: Samples) -> f64 {
    samples as f64 / f64::from(ANALYSIS_RATE_HZ)
}

/// Samples to seconds, rounded to the millisecond (as reports give them).
pub fn samples_to_ms_rounded_s(samples: Samples) -> f64 {
    (samples_to_s(samples) * 1000.0).round() / 1000.0
}

/// Converts seconds to the nearest sample count on the master timeline (negative -> 0).
pub fn s_to_samples(seconds: f64) -> Samples {
    if seconds <= 0.0 {
        0
    } else {
        (seconds * f64::from(ANALYSIS_RATE_HZ)).round() as Samples
    }
}

/// Who is speaking: identity comes from the channel, never from guessing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    /// The sales rep: the microphone, or channel 0 of a recording.
    Rep,
    /// The prospect: the far end, or channel 1 of a recording.
    Prospect,
}

impl Party {
    /// The other party.
    pub fn other(self) -> Party {
        match self {
            Party::Rep => Party::Prospect,
            Party::Prospect => Party::Rep,
        }
    }

    /// Index in two-element arrays: the rep 0, the prospect 1.
    pub fn index(self) -> usize {
        match self {
            Party::Rep => 0,
            Party::Prospect => 1,
        }
    }

    /// Lower-case name as used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Party::Rep => "rep",
            Party::Prospect => "prospect",
        }
    }
}

/// A stretch of one party's speech, `[start, end)` in samples on the master timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// First sample of speech.
    pub start: Samples,
    /// One past the last sample of speech (the true end, never stretched by hangover).
    pub end: Samples,
}

impl Span {
    /// Builds a span; `end` is clamped to be at least `start`.
    pub fn new(start: Samples, end: Samples) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }

    /// Length in samples.
    pub fn len(&self) -> Samples {
        self.end - self.start
    }

    /// True when the span has no length.
    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}
