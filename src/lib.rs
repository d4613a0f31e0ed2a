//! tacet: times who speaks on a sales call and coaches the rep to hold the silence.
//!
//! The library is the whole pipeline; `src/main.rs` only parses arguments and maps errors
//! to exit codes. Data flows `audio` (decode, resample, capture) -> `vad` (per side) ->
//! `analysis` -> `conversation` (segments, turns, pauses, live cues) -> `report` / `ui`.

pub mod analysis;
pub mod audio;
pub mod cli;
pub mod config;
pub mod conversation;
pub mod error;
pub mod platform;
pub mod report;
pub mod session;
pub mod timeline;
pub mod ui;
pub mod vad;
pub mod warning;

pub use error::Error;
