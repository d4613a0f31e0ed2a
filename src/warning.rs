//! Warnings: what makes a call's figures doubtful (product.md, "Report"), raised by the
//! audio sources and the analysis and carried into every report format.

use serde::{Deserialize, Serialize};

use crate::timeline::Party;

/// What a warning is about (product.md, "Report").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// A side below -70 dBFS for the whole call (at least `no_signal_s` of it): wrong
    /// device, wrong channel or a muted loopback.
    NoSignal,
    /// A side that never speaks while the other does: wrong channel?
    NoSpeech,
    /// The `--rep` and `--prospect` files are more than 1 s apart in length; the shorter
    /// one was padded with silence.
    LengthsDiffer,
    /// Audio of a side was lost to overload (`dropped_s` above 0).
    AudioDropped,
    /// A live device stopped delivering samples; the session ended there.
    DeviceStalled,
}

/// Something that makes the figures doubtful.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// What kind.
    pub code: WarningCode,
    /// The side it concerns, null when it concerns both.
    pub party: Option<Party>,
    /// What happened, for the reader.
    pub message: String,
}
