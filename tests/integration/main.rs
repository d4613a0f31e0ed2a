//! Integration tests: the real `tacet` binary on the bundled demo call, converted copies of
//! it, hostile inputs, and (when present) the labeled speech in ../shared/data.

mod common;

mod analyze_demo;
mod bad_input;
mod cli;
mod hostile;
mod shared_data;
mod vad_quality;
