//! User configuration: where files live ([`paths`]), login endpoint normalisation
//! ([`endpoint`]), connection profiles in `profiles.toml` ([`profiles`]) and general settings in
//! `config.toml` ([`settings`]).

pub mod connection;
pub mod endpoint;
pub mod paths;
pub mod profiles;
pub mod settings;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

pub use connection::{ConnectionError, Credentials, connection_config};
pub use endpoint::{EndpointError, EndpointKind, Environment, NormalizedEndpoint, normalize};
pub use profiles::{
    AuthStyle, DEFAULT_CALLBACK_PORT, Flow, Problem, Profile, ProfileStore, SecretError,
    SecretSource,
};
pub use settings::{KeyOverrides, Settings};

/// A 1-based line and column in a config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub col: usize,
}

impl Location {
    /// The location of byte offset `offset` in `text` (clamped to the text's length).
    pub fn from_offset(text: &str, offset: usize) -> Location {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Location { line, col }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Why a config file could not be read, understood or written.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Reading, writing or renaming a file failed.
    #[error("{}: could not {action}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// What was being done, e.g. "read the file".
        action: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The file is not valid TOML, or a value has the wrong type or an unknown key.
    /// Displayed as `path:line:col: message`.
    #[error("{}{}: {message}", path.display(), location.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file concerned.
        path: PathBuf,
        /// Where in the file, when known.
        location: Option<Location>,
        /// A plain sentence saying what is wrong.
        message: String,
    },
    /// The file changed on disk after it was loaded; it was not overwritten.
    #[error(
        "{}: the file was changed by another program since it was loaded; it was not \
         overwritten (reload it, then redo the change)",
        path.display()
    )]
    ChangedOnDisk {
        /// The file concerned.
        path: PathBuf,
    },
    /// Adding or renaming a profile would create a second profile with this name.
    #[error("a profile named \"{0}\" already exists")]
    NameTaken(String),
    /// No profile has this name.
    #[error("there is no profile named \"{0}\"")]
    NoSuchProfile(String),
    /// The profile being saved is not valid.
    #[error("the profile is not valid: {0}")]
    InvalidProfile(String),
}

impl From<crate::private_fs::FileError> for ConfigError {
    fn from(e: crate::private_fs::FileError) -> ConfigError {
        ConfigError::Io {
            path: e.path,
            action: e.action,
            source: e.source,
        }
    }
}

impl ConfigError {
    /// An [`ConfigError::Io`] for `path`.
    pub fn io(path: &Path, action: &'static str, source: io::Error) -> ConfigError {
        ConfigError::Io {
            path: path.to_owned(),
            action,
            source,
        }
    }

    /// An [`ConfigError::Invalid`] located at the start of byte range `span` of `text`.
    pub fn invalid(
        path: &Path,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::Invalid {
            path: path.to_owned(),
            location: span.map(|s| Location::from_offset(text, s.start)),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_from_offset() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(Location::from_offset(text, 0), Location { line: 1, col: 1 });
        assert_eq!(Location::from_offset(text, 6), Location { line: 2, col: 1 });
        // "bé" is 3 bytes; offset 9 is the space after it.
        assert_eq!(Location::from_offset(text, 9), Location { line: 2, col: 3 });
        assert_eq!(
            Location::from_offset(text, 999),
            Location { line: 3, col: 1 }
        );
    }

    #[test]
    fn invalid_display_has_path_line_col() {
        let e = ConfigError::invalid(Path::new("/x/p.toml"), "a\nbc", Some(3..4), "bad value");
        assert_eq!(e.to_string(), "/x/p.toml:2:2: bad value");
    }
}
