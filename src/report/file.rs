//! Report files: written atomically (a temporary file beside the target, then a rename, so a
//! reader never sees half a report), and the format an output file's name implies. The
//! temporary file, its unique name and the rename come from the `tempfile` crate.

use std::io::Write;
use std::path::Path;

use crate::error::Error;
use crate::report::Format;

/// Writes `content` to `path` atomically: a temporary file of its own beside it (a unique
/// name, so writers on other threads or processes never share one), then a rename, so a
/// reader never sees a half-written report.
///
/// # Errors
/// [`Error::Output`] naming the path.
pub fn write_atomic(path: &Path, content: &[u8]) -> Result<(), Error> {
    write_atomic_with(path, |w| w.write_all(content))
}

/// [`write_atomic`] with the content produced by `fill` through a buffered writer.
///
/// # Errors
/// [`Error::Output`] naming the file when it cannot be written.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let err = |e: std::io::Error| Error::Output {
        path: path.display().to_string(),
        what: e.to_string(),
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "report".into());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // The mode a plainly created file gets (0666 less the umask), not tempfile's 0600.
    crate::platform::files::plain_file_mode(&mut builder);
    // The temporary file is removed when `tmp` is dropped unless it was persisted.
    let mut tmp = builder.tempfile_in(dir).map_err(err)?;
    let written = (|| {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    written.map_err(err)?;
    crate::platform::files::persist(tmp, path).map_err(err)
}

/// The format implied by an output file name.
pub fn format_from_path(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    [
        ("labels.txt", Format::Audacity),
        (".json", Format::Json),
        (".csv", Format::Csv),
        (".html", Format::Html),
        (".htm", Format::Html),
        (".rttm", Format::Rttm),
        (".txt", Format::Text),
    ]
    .into_iter()
    .find(|(ext, _)| name.ends_with(ext))
    .map(|(_, f)| f)
}

#[cfg(test)]
mod tests {
    use super::write_atomic;

    /// Threads writing the same report at once each use a temporary file of their own:
    /// every write succeeds, the file ends whole (one writer's content), and no temporary
    /// file is left behind.
    #[test]
    fn concurrent_atomic_writes_do_not_share_a_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("call.json");
        let failures = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for k in 0..8u8 {
                let (path, failures) = (&path, &failures);
                scope.spawn(move || {
                    let content = vec![b'a' + k; 256 * 1024];
                    for _ in 0..20 {
                        if write_atomic(path, &content).is_err() {
                            failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(failures.into_inner(), 0, "some writes failed");
        let written = std::fs::read(&path).expect("read");
        assert_eq!(written.len(), 256 * 1024);
        assert!(written.iter().all(|&b| b == written[0]), "mixed content");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["call.json"], "{names:?}");
    }
}
