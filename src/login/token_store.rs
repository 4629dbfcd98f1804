//! Where the refresh tokens of browser logins are kept: the OS keychain through `keyring`
//! (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows), or, only where
//! no keychain answers, a 0600 file in the data directory. Never in `profiles.toml`, logs,
//! history or screens.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// The keychain service name of sfterm's entries (the entry's user is the profile name).
pub const KEYCHAIN_SERVICE: &str = "sfterm";
/// Chooses the store: `keychain`, `file`, or unset/`auto` (the keychain when it answers).
pub const STORE_ENV: &str = "SFTERM_TOKEN_STORE";
/// The fallback file's name in the data directory.
pub const FILE_NAME: &str = crate::config::paths::REFRESH_TOKENS_FILE;
/// How long the keychain may take to answer the probe at start.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// A place for refresh tokens, keyed by profile name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenStore {
    /// The OS keychain.
    Keychain,
    /// A JSON file readable only by the user (no keychain available, or chosen).
    File {
        path: PathBuf,
        /// Why the file is used, for the token pane (e.g. "no keychain answered").
        reason: String,
    },
}

/// Why the store could not be read or written. Never holds a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(String);

impl StoreError {
    pub fn new(message: impl Into<String>) -> StoreError {
        StoreError(message.into())
    }
}

impl TokenStore {
    /// The file store in `data_dir`, for the given reason.
    pub fn file(data_dir: &Path, reason: impl Into<String>) -> TokenStore {
        TokenStore::File {
            path: data_dir.join(FILE_NAME),
            reason: reason.into(),
        }
    }

    /// The store to use (blocking: it may ask the keychain once): [`STORE_ENV`] decides when
    /// set, otherwise the keychain when it answers within a few seconds, else the file.
    pub fn detect(data_dir: &Path) -> TokenStore {
        match std::env::var(STORE_ENV).ok().as_deref().map(str::trim) {
            Some("file") => TokenStore::file(data_dir, format!("{STORE_ENV}=file")),
            Some("keychain") => TokenStore::Keychain,
            _ => match probe_keychain() {
                Ok(()) => TokenStore::Keychain,
                Err(why) => {
                    tracing::info!(%why, "no keychain available; refresh tokens go to a 0600 file");
                    TokenStore::file(data_dir, "no keychain answered")
                }
            },
        }
    }

    /// Where tokens are kept, in a few words for the token pane: "the system keychain" or "a
    /// 0600 file (why)".
    pub fn label(&self) -> String {
        match self {
            TokenStore::Keychain => "the system keychain".to_owned(),
            TokenStore::File { reason, .. } => format!("a 0600 file ({reason})"),
        }
    }

    /// Where tokens are kept, for people: "the system keychain" or the file and why.
    pub fn describe(&self) -> String {
        match self {
            TokenStore::Keychain => "the system keychain".to_owned(),
            TokenStore::File { path, reason } => {
                format!("the file {} (0600; {reason})", path.display())
            }
        }
    }

    /// The refresh token stored for `profile`.
    pub fn get(&self, profile: &str) -> Result<Option<SecretString>, StoreError> {
        match self {
            TokenStore::Keychain => match entry(profile)?.get_password() {
                Ok(token) => Ok(Some(SecretString::from(token))),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(keychain_error("read", &e)),
            },
            TokenStore::File { path, .. } => {
                Ok(read_file(path)?.remove(profile).map(SecretString::from))
            }
        }
    }

    /// Stores `token` for `profile`, replacing the one held.
    pub fn set(&self, profile: &str, token: &SecretString) -> Result<(), StoreError> {
        match self {
            TokenStore::Keychain => entry(profile)?
                .set_password(token.expose_secret())
                .map_err(|e| keychain_error("write", &e)),
            TokenStore::File { path, .. } => {
                let mut tokens = read_file(path)?;
                tokens.insert(profile.to_owned(), token.expose_secret().to_owned());
                write_file(path, &tokens)
            }
        }
    }

    /// Deletes `profile`'s token; `Ok(false)` when none was stored.
    pub fn delete(&self, profile: &str) -> Result<bool, StoreError> {
        match self {
            TokenStore::Keychain => match entry(profile)?.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring::Error::NoEntry) => Ok(false),
                Err(e) => Err(keychain_error("delete", &e)),
            },
            TokenStore::File { path, .. } => {
                let mut tokens = read_file(path)?;
                if tokens.remove(profile).is_none() {
                    return Ok(false);
                }
                write_file(path, &tokens).map(|()| true)
            }
        }
    }

    /// Moves `from`'s token to `to` (a renamed profile).
    pub fn rename(&self, from: &str, to: &str) -> Result<(), StoreError> {
        if from == to {
            return Ok(());
        }
        if let Some(token) = self.get(from)? {
            self.set(to, &token)?;
            self.delete(from)?;
        }
        Ok(())
    }
}

fn entry(profile: &str) -> Result<keyring::Entry, StoreError> {
    keyring::Entry::new(KEYCHAIN_SERVICE, profile).map_err(|e| keychain_error("open", &e))
}

fn keychain_error(what: &str, e: &keyring::Error) -> StoreError {
    StoreError(format!("Could not {what} the keychain entry: {e}"))
}

/// Asks the keychain for an entry that does not exist, on a thread with a timeout (a
/// Secret Service that never answers must not hang the start).
fn probe_keychain() -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let result = keyring::Entry::new(KEYCHAIN_SERVICE, "sfterm keychain probe")
            .and_then(|e| e.get_password().map(drop));
        let _ = tx.send(match result {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.to_string()),
        });
    });
    rx.recv_timeout(PROBE_TIMEOUT)
        .unwrap_or_else(|_| Err("the keychain did not answer".to_owned()))
}

fn read_file(path: &Path) -> Result<BTreeMap<String, String>, StoreError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            StoreError(format!(
                "{}:{}:{}: not a refresh token file: {e}",
                path.display(),
                e.line(),
                e.column()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(StoreError(format!("Cannot read {}: {e}", path.display()))),
    }
}

fn write_file(path: &Path, tokens: &BTreeMap<String, String>) -> Result<(), StoreError> {
    let text = serde_json::to_string_pretty(tokens).unwrap_or_default();
    crate::private_fs::write_private(path, text.as_bytes()).map_err(|e| StoreError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_store_keeps_tokens_per_profile_in_a_private_file() {
        let dir = tempfile::tempdir().expect("dir");
        let store = TokenStore::file(dir.path(), "test");
        assert!(store.get("a").expect("get").is_none());
        store.set("a", &SecretString::from("rt-a")).expect("set a");
        store.set("b", &SecretString::from("rt-b")).expect("set b");
        let got = store.get("a").expect("get").expect("a");
        assert_eq!(got.expose_secret(), "rt-a");
        store.rename("a", "c").expect("rename");
        assert!(store.get("a").expect("get").is_none());
        assert_eq!(
            store.get("c").expect("get").expect("c").expose_secret(),
            "rt-a"
        );
        assert!(store.delete("b").expect("delete"));
        assert!(!store.delete("b").expect("delete again"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE_NAME))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(store.describe().contains(FILE_NAME), "{}", store.describe());
        assert!(!store.describe().contains("rt-a"));
    }

    #[test]
    fn a_damaged_file_is_reported_with_its_location() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join(FILE_NAME), "{\n  \"a\": 3\n}").expect("write");
        let err = TokenStore::file(dir.path(), "test")
            .get("a")
            .expect_err("damaged");
        assert!(err.to_string().contains(":2:"), "{err}");
    }
}
