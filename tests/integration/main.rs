//! Integration tests: the real `tacet` binary on the bundled demo call, converted copies of
//! it, every report format, batch and history, hostile inputs, signals, a long call, the
//! dashboard in a real terminal (tmux), live capture from a real sound server, the report's
//! warnings, a replay against analyze, the moments' audio clips (`--clips`), and (when
//! present) the labeled speech in ../shared/data.

mod common;

mod analyze_demo;
mod bad_input;
mod batch_history;
mod cli;
mod clips;
mod formats_in;
mod hostile;
// Both send Unix signals to the binary (the Windows build's Ctrl-C is checked under Wine by
// .ci/windows-smoke.sh).
#[cfg(unix)]
mod live_capture;
mod replay;
mod reports;
mod shared_data;
#[cfg(unix)]
mod signals;
mod soak;
mod split_calls;
mod ui_e2e;
mod vad_quality;
mod warnings;
