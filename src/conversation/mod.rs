//! The conversation layer: per-party speech segments -> bridged segments -> the turn and
//! pause engine (every figure of the report) and the live tracker (cues as they happen).

pub mod calls;
pub mod engine;
pub mod live;
pub mod moments;
pub mod segments;

pub use engine::{Metrics, Pause, Thresholds, Turn, analyze};
pub use live::{LiveEvent, LiveTracker};
pub use segments::Bridger;
