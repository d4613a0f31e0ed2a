//! The dashboard's widgets, one per file.

pub mod big_digits;
pub mod cue;
pub mod footer;
pub mod help;
pub mod meters;
pub mod speaking;
pub mod status;
pub mod talk_share;
