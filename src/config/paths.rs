//! Where sfterm keeps its files.
//!
//! `SFTERM_CONFIG_DIR` / `SFTERM_DATA_DIR` override the platform directories (so tests and the
//! demo stay hermetic). The `*_from` variants take the environment value as a parameter so they
//! can be tested without mutating the process environment.

use std::ffi::OsString;
use std::path::PathBuf;

use directories::ProjectDirs;

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

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
