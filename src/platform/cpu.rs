//! CPU time and peak memory, for `tacet vad`'s `# cpu_s` line and `tacet live --stats`.
//! CPU time comes from the `cpu-time` crate (`clock_gettime` on Unix, `GetThreadTimes` and
//! `GetProcessTimes` on Windows); peak resident memory from `/proc` on Linux and
//! `getrusage` on macOS. Windows has no peak-memory reading here (it would need
//! `GetProcessMemoryInfo` through unsafe code), so `--stats` omits that line there.

/// CPU time (user + system) the calling thread has used, seconds; 0 when the system
/// cannot tell.
pub fn thread_cpu_s() -> f64 {
    cpu_time::ThreadTime::try_now().map_or(0.0, |t| t.as_duration().as_secs_f64())
}

/// CPU time (user + system) the whole process has used, seconds.
pub fn process_cpu_s() -> Option<f64> {
    cpu_time::ProcessTime::try_now()
        .ok()
        .map(|t| t.as_duration().as_secs_f64())
}

/// Peak resident memory of this process, megabytes (MiB), where the system tells it.
pub fn peak_rss_mb() -> Option<f64> {
    #[cfg(target_os = "linux")]
    {
        // getrusage's ru_maxrss also keeps the peak of the process image before exec (the
        // parent's, when started with vfork), so the peak of this image is read from /proc.
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
    }
    #[cfg(all(unix, not(target_os = "linux")))]
    {
        // SAFETY: an all-zero rusage is valid; getrusage only writes into the struct we own.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: as above; RUSAGE_SELF is a constant.
        let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
        // ru_maxrss is in bytes on macOS (kilobytes on the BSDs).
        let per_mib = if cfg!(target_os = "macos") {
            1_048_576.0
        } else {
            1024.0
        };
        #[allow(clippy::unnecessary_cast)]
        (rc == 0).then(|| ru.ru_maxrss as f64 / per_mib)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Busy work makes the thread's CPU time grow by 20 ms (read in ticks as coarse as
    /// Windows' 15.6 ms) well within 10 s of wall time, however loaded the machine.
    #[test]
    fn thread_time_grows_with_work() {
        let t0 = thread_cpu_s();
        let mut x = 1u64;
        let start = std::time::Instant::now();
        let mut used_s = 0.0;
        while start.elapsed() < std::time::Duration::from_secs(10) {
            for _ in 0..10_000 {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
            used_s = thread_cpu_s() - t0;
            if used_s >= 0.02 {
                break;
            }
        }
        assert!(used_s >= 0.02, "busy work counted as {used_s} s of CPU");
        assert!(process_cpu_s().is_some_and(|p| p >= used_s));
    }

    #[cfg(unix)]
    #[test]
    fn peak_memory_is_read() {
        let mb = peak_rss_mb().expect("peak memory on unix");
        assert!(mb > 1.0 && mb < 100_000.0, "{mb} MiB");
    }
}
