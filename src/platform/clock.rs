//! The local time zone's offset from UTC, for the local times the HTML report shows next to
//! the UTC `started_at`. From the C library's `localtime_r` where its `tm` carries
//! `tm_gmtoff` (Linux, Android, macOS): it honours `TZ` and the system's zone, summer time
//! included. Elsewhere (Windows among them) there is no such field, and times are shown in
//! UTC, saying so with `+00:00`.

/// The local offset from UTC at a moment (seconds since 1970 UTC), seconds east of UTC.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
// `time_t` and `tm_gmtoff` are 64 bits here but 32 on some targets: the conversions stay.
#[allow(clippy::useless_conversion)]
pub fn local_offset_s(unix_s: i64) -> Option<i64> {
    let t: libc::time_t = unix_s.try_into().ok()?;
    // SAFETY: an all-zero `tm` is valid (integers and a null zone pointer); localtime_r only
    // writes into it. tacet never changes its environment, so reading TZ cannot race.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let out = unsafe { libc::localtime_r(&t, &mut tm) };
    (!out.is_null()).then(|| i64::from(tm.tm_gmtoff))
}

/// Without `tm_gmtoff`, times are shown in UTC.
#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos")))]
pub fn local_offset_s(_unix_s: i64) -> Option<i64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_is_within_a_day() {
        if let Some(off) = local_offset_s(1_780_000_000) {
            assert!(off.abs() <= 14 * 3600, "{off}");
        }
    }
}
