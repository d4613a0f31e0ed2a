//! What differs between Linux, macOS and Windows, one module per concern, so the rest of
//! tacet calls one function and never carries a `cfg` of its own for these:
//!
//! - [`cpu`]: CPU time of the thread and the process, peak resident memory;
//! - [`signals`]: the signals that stop a session and save it (Ctrl-C everywhere);
//! - [`files`]: the recording's private file mode, and the mode of plainly created files;
//! - [`folders`]: the data and config folders (`~/.local/share`, `~/Library/Application
//!   Support`, `%APPDATA%`);
//! - [`clock`]: the local time zone's offset, for the times the HTML report shows;
//! - [`stderr`]: silencing the audio libraries' chatter on stderr while devices open;
//! - [`far_end`]: where the far end of a call is captured on each platform, and which
//!   device `tacet devices` suggests (pure functions over device names, tested for every
//!   platform on any of them).

pub mod clock;
pub mod cpu;
pub mod far_end;
pub mod files;
pub mod folders;
pub mod signals;
pub mod stderr;

/// An operating system whose capture paths tacet knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Linux (PulseAudio or PipeWire monitors, ALSA).
    Linux,
    /// macOS (Core Audio).
    MacOs,
    /// Windows (WASAPI).
    Windows,
    /// Anything else cpal builds for (BSDs): treated as Linux is.
    Other,
}

/// The system this build runs on.
pub const OS: Os = if cfg!(target_os = "windows") {
    Os::Windows
} else if cfg!(target_os = "macos") {
    Os::MacOs
} else if cfg!(target_os = "linux") {
    Os::Linux
} else {
    Os::Other
};
