//! Audio in: decoding recordings, resampling to the analysis rate, and the frame sources
//! (file and live capture) that feed the analysis with one 10 ms frame per side at a time,
//! a recording read ahead on a thread of its own (`read_ahead`);
//! and out, once: the moments' clips that `--clips` puts in the HTML report (`clips`).

pub mod capture;
pub mod clips;
pub mod decimate;
pub mod decode;
pub mod fractional;
pub mod interpolate;
pub mod live;
pub mod read_ahead;
pub mod resample;
pub mod source;
pub mod synth;

use std::path::PathBuf;

use thiserror::Error;

/// Problems with an input recording. Every one maps to exit code 3, except
/// [`InputError::Channel`], a channel choice the recording cannot satisfy (bad usage, 2).
#[derive(Debug, Error)]
pub enum InputError {
    /// The file could not be opened or read.
    #[error("cannot read '{path}': {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The format or codec is not one tacet reads.
    #[error("'{path}': unsupported audio: {what}")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// What is unsupported.
        what: String,
    },
    /// The file is damaged.
    #[error("'{path}': damaged audio: {what}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// A property is outside what tacet accepts.
    #[error("'{path}': {what}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        what: String,
    },
    /// The channels asked for are not in the file, or are one channel for both sides.
    #[error("'{path}': {what}")]
    Channel {
        /// The file.
        path: PathBuf,
        /// What is wrong and the flag that chooses it.
        what: String,
    },
}
