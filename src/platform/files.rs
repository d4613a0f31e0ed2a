//! File modes. A recording holds both sides of a call, so it is created private: mode 0600
//! on Unix, set as the file is created (never readable by others, not even for a moment).
//!
//! Windows has no mode bits: a new file takes the inheritable entries of its folder's
//! access-control list. The default data folder is under `%APPDATA%`, inside the user's
//! profile, whose list grants the user, SYSTEM and the Administrators group only, which is
//! what a 0600 file in a home folder gives on Unix (the owner and root). tacet does not
//! write an explicit access-control list of its own: that takes the Win32 security API
//! through unsafe code that cannot be checked here (Wine does not enforce the lists), so a
//! recording under a `--data-dir` elsewhere has that folder's permissions, as any file
//! created there would (docs/live-capture.md says so).

use std::fs::{File, OpenOptions};
use std::path::Path;

/// Creates (or truncates) `path` for writing, readable and writable by its owner only
/// (0600 on Unix; on Windows the folder's inherited permissions, see the module doc).
///
/// # Errors
/// The I/O error of creating the file.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Gives files made by `builder` the mode a plainly created file gets (0666 less the
/// umask on Unix) instead of tempfile's private 0600; on Windows both are the same.
pub fn plain_file_mode(builder: &mut tempfile::Builder<'_, '_>) {
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    #[cfg(not(unix))]
    let _ = builder;
}

/// How often a replace refused while another one is under way is tried again (Windows).
const PERSIST_RETRIES: u32 = 50;
/// The wait between two tries, milliseconds.
const PERSIST_RETRY_MS: u64 = 20;

/// Moves the finished temporary file `tmp` onto `path`, replacing what is there. On
/// Windows a replace is refused (access denied) while another writer's replace of the same
/// file is under way, where Unix's rename simply lets the last one win; there it is tried
/// again, for up to a second, before the error is given.
///
/// # Errors
/// The I/O error of the last try (the temporary file is then removed).
pub fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> std::io::Result<()> {
    let mut tmp = tmp;
    let mut tries = 0;
    loop {
        match tmp.persist(path) {
            Ok(_) => return Ok(()),
            Err(e)
                if cfg!(windows)
                    && e.error.kind() == std::io::ErrorKind::PermissionDenied
                    && tries < PERSIST_RETRIES =>
            {
                tries += 1;
                tmp = e.file;
                std::thread::sleep(std::time::Duration::from_millis(PERSIST_RETRY_MS));
            }
            Err(e) => return Err(e.error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn private_file_is_created_and_truncated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("r.wav");
        create_private(&path)
            .and_then(|mut f| f.write_all(b"long content"))
            .expect("write");
        create_private(&path)
            .and_then(|mut f| f.write_all(b"x"))
            .expect("rewrite");
        assert_eq!(std::fs::read(&path).expect("read"), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn plain_mode_follows_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut builder = tempfile::Builder::new();
        plain_file_mode(&mut builder);
        let tmp = builder.tempfile_in(dir.path()).expect("tempfile");
        let mode = tmp.as_file().metadata().expect("meta").permissions().mode();
        // Whatever the umask, group or others may read it unless the umask forbids it;
        // tempfile alone would give exactly 0600.
        let plain = std::fs::File::create(dir.path().join("plain")).expect("create");
        let plain_mode = plain.metadata().expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, plain_mode & 0o777);
    }
}
