//! Quiet stderr while audio devices are enumerated and opened: ALSA and JACK print
//! chatter on fd 2 then, so on Unix fd 2 points at /dev/null for that time. Windows' audio
//! stack prints nothing, and there it does nothing.

/// Sends fd 2 to /dev/null while alive: ALSA and JACK print chatter on stderr while
/// devices are enumerated and opened. Restored on drop.
#[derive(Debug)]
pub struct QuietStderr {
    /// The descriptor stderr had, restored on drop.
    #[cfg(unix)]
    saved: i32,
}

impl QuietStderr {
    /// Silences stderr (no-op where it cannot be done).
    pub fn new() -> Option<QuietStderr> {
        #[cfg(unix)]
        {
            let _ = std::io::Write::flush(&mut std::io::stderr());
            // SAFETY: plain fd calls on descriptors this function owns; errors are checked.
            unsafe {
                let saved = libc::dup(2);
                if saved < 0 {
                    return None;
                }
                let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
                if null < 0 {
                    libc::close(saved);
                    return None;
                }
                libc::dup2(null, 2);
                libc::close(null);
                Some(QuietStderr { saved })
            }
        }
        #[cfg(not(unix))]
        {
            None
        }
    }
}

impl Drop for QuietStderr {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: restores the descriptor saved in `new`.
        unsafe {
            libc::dup2(self.saved, 2);
            libc::close(self.saved);
        }
    }
}
