//! Saved sessions: every live session, replay and demo saves a folder in the data folder
//! with report.json and report.html (written atomically).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::audio::clips::Clip;
use crate::error::Error;
use crate::report::file::write_atomic_with;
use crate::report::{Format, Report};

/// ISO 8601 UTC timestamp (`2026-11-27T12:34:56Z`) of a system time, to the second.
pub fn iso8601_utc(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let t =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A folder name for a session started at `started_at` (ISO 8601) of a given kind.
fn folder_name(started_at: &str, kind: &str) -> String {
    let stamp: String = started_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == 'T')
        .collect();
    format!("{stamp}-{kind}")
}

/// Saves a session's report.json and report.html in a new folder under `data_dir/sessions`;
/// the HTML with the moments' audio `clips` (`--clips`; none: no audio).
///
/// # Errors
/// [`Error::Output`] naming the folder.
pub fn save(
    data_dir: &Path,
    report: &Report,
    kind: &str,
    clips: &[Clip],
) -> Result<PathBuf, Error> {
    let base = data_dir.join("sessions");
    let name = folder_name(report.started_at.as_deref().unwrap_or("unknown"), kind);
    let mut dir = base.join(&name);
    let mut k = 1;
    while dir.exists() {
        k += 1;
        dir = base.join(format!("{name}-{k}"));
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::Output {
        path: dir.display().to_string(),
        what: e.to_string(),
    })?;
    write_atomic_with(&dir.join("report.json"), |w| {
        Format::Json.write_to(report, w)
    })?;
    write_atomic_with(&dir.join("report.html"), |w| {
        Format::Html.write_with_clips(report, clips, w)
    })?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn iso_dates() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_781_696);
        assert_eq!(iso8601_utc(t), "2026-11-27T12:14:56Z");
        assert_eq!(iso8601_utc(SystemTime::UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap = SystemTime::UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(iso8601_utc(leap), "2000-02-29T00:00:00Z");
    }
}
