//! `profiles.toml` on disk: loading, saving only over an unchanged file, atomic writes and the
//! permission warning for plain-text secrets.

use std::fs;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml_edit::{Document, DocumentMut};

use super::parse::parse_profiles;
use super::{Profile, ProfileStore, SecretSource};
use crate::config::ConfigError;

/// Length and SHA-256 of a file's content, to notice changes made by other programs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stamp {
    len: usize,
    hash: [u8; 32],
}

impl Stamp {
    fn of(bytes: &[u8]) -> Stamp {
        Stamp {
            len: bytes.len(),
            hash: Sha256::digest(bytes).into(),
        }
    }
}

impl ProfileStore {
    /// Loads `path`. A missing file gives an empty store (the file is created by
    /// [`ProfileStore::save`]); a malformed file gives [`ConfigError::Invalid`] with its line and
    /// column.
    pub fn load(path: &Path) -> Result<ProfileStore, ConfigError> {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(ProfileStore {
                    path: path.to_owned(),
                    doc: DocumentMut::new(),
                    profiles: Vec::new(),
                    default: None,
                    on_disk: None,
                });
            }
            Err(e) => return Err(ConfigError::io(path, "read the file", e)),
        };
        let stamp = Stamp::of(&bytes);
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            ConfigError::invalid(path, &text, Some(at..at), "the file is not valid UTF-8")
        })?;
        let parsed = Document::parse(text.as_str()).map_err(|e| {
            ConfigError::invalid(path, &text, e.span(), e.message().trim_end().to_owned())
        })?;
        let (profiles, default) = parse_profiles(path, &text, parsed.as_table())?;
        Ok(ProfileStore {
            path: path.to_owned(),
            doc: parsed.into_mut(),
            profiles,
            default,
            on_disk: Some(stamp),
        })
    }

    /// A warning when the file holds a plain-text client secret and other users can read it
    /// (group or world permission bits set; unix only). Shown at start by the TUI and the CLI.
    pub fn permission_warning(&self) -> Option<String> {
        let plain = self
            .profiles
            .iter()
            .any(|p| matches!(p.secret, SecretSource::Plain { .. }));
        let mode = others_can_read(&self.path)?;
        plain.then(|| {
            format!(
                "{} holds a plain-text client secret and other users can read it (mode {:03o}); \
                 run `chmod 600 {}` (or move the secret to an env var or command).",
                self.path.display(),
                mode & 0o777,
                self.path.display()
            )
        })
    }

    /// The profiles in file order.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// The profile called `name`.
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// The profile marked `default = true`: the one a command uses when none is named.
    pub fn default_profile(&self) -> Option<&Profile> {
        self.default.as_deref().and_then(|name| self.get(name))
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The document as it would be saved (may contain plain-text secrets: never log it).
    pub fn to_toml_string(&self) -> String {
        self.doc.to_string()
    }

    /// Writes the file atomically and privately ([`crate::private_fs::write_private`]: temp file
    /// in the same directory, fsync, rename; 0600, a new directory 0700). If the file changed on disk since it was loaded
    /// (or last saved), nothing is written and [`ConfigError::ChangedOnDisk`] is returned.
    pub fn save(&mut self) -> Result<(), ConfigError> {
        let current = match fs::read(&self.path) {
            Ok(b) => Some(Stamp::of(&b)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(ConfigError::io(&self.path, "read the file", e)),
        };
        if current != self.on_disk {
            return Err(ConfigError::ChangedOnDisk {
                path: self.path.clone(),
            });
        }
        let text = self.doc.to_string();
        crate::private_fs::write_private(&self.path, text.as_bytes())?;
        self.on_disk = Some(Stamp::of(text.as_bytes()));
        Ok(())
    }
}

/// The file's mode when group or others have any permission on it (unix); `None` otherwise, for
/// a missing file and on other platforms.
pub fn others_can_read(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path).ok()?.permissions().mode();
        (mode & 0o077 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}
