//! Where tacet keeps its files when not told: the platform's data and config folders, from
//! the `dirs` crate.
//!
//! | | data (`sessions/`, `recordings/`) | config file |
//! |---|---|---|
//! | Linux | `$XDG_DATA_HOME/tacet` (`~/.local/share/tacet`) | `$XDG_CONFIG_HOME/tacet/config.toml` (`~/.config/...`) |
//! | macOS | `~/Library/Application Support/tacet` | `~/Library/Application Support/tacet/config.toml` |
//! | Windows | `%APPDATA%\tacet` | `%APPDATA%\tacet\config.toml` |

use std::path::{Path, PathBuf};

/// tacet's data folder: `explicit` (`--data-dir`, `TACET_DATA_DIR`) when given, else
/// `tacet` in the platform's data folder, else `./tacet` when the system names none.
pub fn data_dir(explicit: Option<&Path>) -> PathBuf {
    explicit.map(Path::to_path_buf).unwrap_or_else(|| {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("tacet")
    })
}

/// The user's configuration file, `tacet/config.toml` in the platform's config folder,
/// whether or not it exists; None when the system names no config folder.
pub fn user_config_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("tacet").join("config.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_data_dir_wins() {
        assert_eq!(data_dir(Some(Path::new("x/y"))), PathBuf::from("x/y"));
    }

    #[test]
    fn default_folders_end_in_tacet() {
        assert!(data_dir(None).ends_with("tacet"));
        if let Some(p) = user_config_path() {
            assert!(p.ends_with("tacet/config.toml"));
        }
    }
}
