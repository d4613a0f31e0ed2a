//! tacet: times who speaks on a sales call and coaches the rep to hold the silence.
//!
//! The library is the whole pipeline; `src/main.rs` only parses arguments and maps errors
//! to exit codes. Data flows `audio` (decode, resample, capture) -> `vad` (per side) ->
//! `conversation` (segments, turns, pauses, live cues) -> `report` / `ui`.

pub mod eval;
pub mod timeline;
pub mod vad;
