//! The top-level error: every module's error, each with the exit code product.md documents
//! (2 usage or configuration, 3 unreadable or unsupported input, 4 audio device, 1 other).

use thiserror::Error;

use crate::audio::InputError;
use crate::audio::clips::ClipError;
use crate::audio::source::SourceError;
use crate::config::ConfigError;

/// Anything that ends a command unsuccessfully.
#[derive(Debug, Error)]
pub enum Error {
    /// Bad configuration (exit 2).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Bad command-line usage (exit 2).
    #[error("{0}")]
    Usage(String),
    /// An input recording tacet cannot use (exit 3). A channel choice the recording does
    /// not have ([`InputError::Channel`]) becomes [`Error::Usage`] instead.
    #[error(transparent)]
    Input(InputError),
    /// An audio device failed (exit 4).
    #[error("audio device '{device}': {what}")]
    Device {
        /// The device.
        device: String,
        /// What happened and what to do.
        what: String,
    },
    /// Writing an output failed (exit 1).
    #[error("cannot write '{path}': {what}")]
    Output {
        /// The file or folder.
        path: String,
        /// The reason.
        what: String,
    },
    /// Some inputs of a batch got no report; each was reported as it happened. The exit code
    /// is the one their errors share (3 when they were all unreadable), else 1.
    #[error("{failed} of {total} recordings got no report")]
    Batch {
        /// How many failed.
        failed: usize,
        /// How many there were.
        total: usize,
        /// The exit code.
        code: u8,
    },
    /// The audio source or the analysis panicked; the panic was caught and what was measured
    /// until then is kept (exit 1). What failed, and what the report holds.
    #[error("{0}")]
    Crashed(&'static str),
    /// Standard output could not be written (a closed pipe, a full disk; exit 1).
    #[error("cannot write to stdout: {0}")]
    Stdout(#[source] std::io::Error),
    /// Anything else (exit 1).
    #[error("{0}")]
    Other(String),
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Error {
        match e {
            InputError::Channel { .. } => Error::Usage(e.to_string()),
            e => Error::Input(e),
        }
    }
}

impl From<SourceError> for Error {
    fn from(e: SourceError) -> Error {
        match e {
            SourceError::Input(e) => Error::from(e),
            SourceError::Device { device, what } => Error::Device { device, what },
        }
    }
}

impl From<ClipError> for Error {
    fn from(e: ClipError) -> Error {
        match e {
            ClipError::Source(e) => Error::from(e),
            e @ ClipError::Encode(_) => Error::Other(e.to_string()),
        }
    }
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Config(_) | Error::Usage(_) => 2,
            Error::Input(_) => 3,
            Error::Batch { code, .. } => *code,
            Error::Device { .. } => 4,
            Error::Output { .. } | Error::Crashed(_) | Error::Stdout(_) | Error::Other(_) => 1,
        }
    }
}
