//! What ends a session the way `q` does (stop, save the report, restore the terminal):
//! SIGINT (Ctrl-C), SIGTERM and SIGHUP (the terminal closed) on Unix, through signal-hook;
//! on Windows Ctrl-C and Ctrl-Break, through the console's control handler (the `ctrlc`
//! crate). Closing a Windows console window sends `CTRL_CLOSE_EVENT`, after which Windows
//! ends the process within seconds whatever it does, so that one is not caught and the
//! session is not saved.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// The names of what [`stop_on_signals`] listens to, for messages and docs.
#[cfg(unix)]
pub const STOP_SIGNALS: &[&str] = &["SIGINT", "SIGTERM", "SIGHUP"];

/// The names of what [`stop_on_signals`] listens to, for messages and docs.
#[cfg(windows)]
pub const STOP_SIGNALS: &[&str] = &["Ctrl-C", "Ctrl-Break"];

/// Sets `flag` when one of [`STOP_SIGNALS`] arrives (the session then stops and saves).
/// One that cannot be registered is skipped: the session still ends by its keys.
#[cfg(unix)]
pub fn stop_on_signals(flag: &Arc<AtomicBool>) {
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        let _ = signal_hook::flag::register(sig, Arc::clone(flag));
    }
}

/// Sets `flag` when one of [`STOP_SIGNALS`] arrives (the session then stops and saves).
/// The console takes one handler per process: it is installed on the first call and sets
/// every flag given to this function that is still alive.
#[cfg(windows)]
pub fn stop_on_signals(flag: &Arc<AtomicBool>) {
    use std::sync::atomic::Ordering;
    use std::sync::{Mutex, Once, Weak};
    static FLAGS: Mutex<Vec<Weak<AtomicBool>>> = Mutex::new(Vec::new());
    static INSTALL: Once = Once::new();
    if let Ok(mut flags) = FLAGS.lock() {
        flags.retain(|f| f.strong_count() > 0);
        flags.push(Arc::downgrade(flag));
    }
    INSTALL.call_once(|| {
        // ctrlc runs this on a thread of its own, not in the handler, so locking is fine.
        let _ = ctrlc::set_handler(|| {
            if let Ok(flags) = FLAGS.lock() {
                for f in flags.iter().filter_map(Weak::upgrade) {
                    f.store(true, Ordering::SeqCst);
                }
            }
        });
    });
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    #[test]
    fn a_stop_signal_sets_the_flag() {
        let flag = Arc::new(AtomicBool::new(false));
        stop_on_signals(&flag);
        // Once registered, the handler only sets the flag (the default action, ending the
        // process, is replaced), so raising SIGHUP in this process is harmless.
        signal_hook::low_level::raise(signal_hook::consts::SIGHUP).expect("raise");
        assert!(flag.load(Ordering::SeqCst));
    }
}
