//! Where sfterm keeps its files.
//!
//! `SFTERM_CONFIG_DIR` / `SFTERM_DATA_DIR` override the platform directories (so tests and the
//! demo stay hermetic). The `*_from` variants take the environment value as a parameter so they
//! can be tested without mutating the process environment.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use directories::ProjectDirs;

use crate::private_fs::Own;

/// Environment variable overriding [`config_dir`].
pub const CONFIG_DIR_ENV: &str = "SFTERM_CONFIG_DIR";
/// Environment variable overriding [`data_dir`].
pub const DATA_DIR_ENV: &str = "SFTERM_DATA_DIR";
/// File name of the connection profiles inside [`config_dir`].
pub const PROFILES_FILE: &str = "profiles.toml";
/// File name of the general settings inside [`config_dir`].
pub const SETTINGS_FILE: &str = "config.toml";
/// File name of the log file inside [`data_dir`].
pub const LOG_FILE: &str = "sfterm.log";
/// The log is rotated at start when it is larger than this (to `sfterm.log.1`, ...).
pub const LOG_ROTATE_BYTES: u64 = 10 * 1024 * 1024;
/// How many rotated logs are kept (`sfterm.log.1` to `sfterm.log.3`).
pub const LOG_FILES_KEPT: usize = 3;
/// File name of the request history inside a data directory.
pub const HISTORY_FILE: &str = "history.jsonl";
/// File name of the staged record edits kept as drafts inside a data directory.
pub const DRAFTS_FILE: &str = "drafts.json";
/// Browser logins' refresh tokens where no keychain answers (0600).
pub const REFRESH_TOKENS_FILE: &str = "refresh_tokens.json";
/// Folder of the saved requests (and their variables) inside a data directory.
pub const REQUESTS_DIR: &str = "requests";
/// Folder of large response bodies inside a data directory.
pub const RESPONSES_DIR: &str = "responses";
/// Folder of the Records tab's CSV exports inside [`data_dir`].
pub const EXPORTS_DIR: &str = "exports";
/// The demo's own data directory inside [`data_dir`] (its requests, history and drafts).
pub const DEMO_DIR: &str = "demo";
/// The folders sfterm fills inside [`data_dir`].
pub const DATA_FOLDERS: [&str; 4] = [REQUESTS_DIR, RESPONSES_DIR, EXPORTS_DIR, DEMO_DIR];

fn project_dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("dev", "sfterm", "sfterm")
}

/// The directory holding `profiles.toml` and `config.toml`: `$SFTERM_CONFIG_DIR`, else the
/// platform config dir (e.g. `~/.config/sfterm`), else `./.sfterm`.
pub fn config_dir() -> PathBuf {
    config_dir_from(std::env::var_os(CONFIG_DIR_ENV))
}

/// [`config_dir`] with the value of `SFTERM_CONFIG_DIR` given explicitly (empty = unset).
pub fn config_dir_from(env: Option<OsString>) -> PathBuf {
    match env {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => project_dirs()
            .map(|d| d.config_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".sfterm")),
    }
}

/// The directory for the log file: `$SFTERM_DATA_DIR`, else the platform data dir (e.g.
/// `~/.local/share/sfterm`), else `./.sfterm`.
pub fn data_dir() -> PathBuf {
    data_dir_from(std::env::var_os(DATA_DIR_ENV))
}

/// [`data_dir`] with the value of `SFTERM_DATA_DIR` given explicitly (empty = unset).
pub fn data_dir_from(env: Option<OsString>) -> PathBuf {
    match env {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => project_dirs()
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".sfterm")),
    }
}

/// `<config dir>/profiles.toml`.
pub fn profiles_path() -> PathBuf {
    config_dir().join(PROFILES_FILE)
}

/// `<config dir>/config.toml`.
pub fn settings_path() -> PathBuf {
    config_dir().join(SETTINGS_FILE)
}

/// `<data dir>/sfterm.log`.
pub fn log_path() -> PathBuf {
    data_dir().join(LOG_FILE)
}

/// Everything sfterm writes in a config and a data directory, for the start-up tightening
/// ([`crate::private_fs::tighten`]): the directories themselves, `profiles.toml`, the history,
/// the drafts, the log and its rotated copies, and the data folders ([`DATA_FOLDERS`]) with all
/// they hold. Not `config.toml` (sfterm only reads it) and nothing else the user keeps there.
pub fn own_files(config_dir: &Path, data_dir: &Path) -> Vec<Own> {
    let mut own = vec![
        Own::Entry(config_dir.to_owned()),
        Own::Entry(config_dir.join(PROFILES_FILE)),
        Own::Entry(data_dir.to_owned()),
        Own::Entry(data_dir.join(HISTORY_FILE)),
        Own::Entry(data_dir.join(DRAFTS_FILE)),
        Own::Entry(data_dir.join(LOG_FILE)),
        Own::Entry(data_dir.join(REFRESH_TOKENS_FILE)),
    ];
    let log = data_dir.join(LOG_FILE);
    own.extend((1..=LOG_FILES_KEPT).map(|n| Own::Entry(crate::private_fs::rotated(&log, n))));
    own.extend(DATA_FOLDERS.iter().map(|f| Own::Tree(data_dir.join(f))));
    own
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_override_wins() {
        assert_eq!(
            config_dir_from(Some("/tmp/cfg".into())),
            PathBuf::from("/tmp/cfg")
        );
        assert_eq!(
            data_dir_from(Some("/tmp/data".into())),
            PathBuf::from("/tmp/data")
        );
    }

    #[test]
    fn empty_or_missing_env_falls_back() {
        let default = config_dir_from(None);
        assert_eq!(config_dir_from(Some(OsString::new())), default);
        assert!(
            default.ends_with("sfterm") || default == Path::new(".sfterm"),
            "{default:?}"
        );
        let data = data_dir_from(None);
        assert_eq!(data_dir_from(Some(OsString::new())), data);
    }
}
