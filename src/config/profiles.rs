//! Connection profiles stored in `profiles.toml`.
//!
//! The file is edited with `toml_edit`, so the user's comments, key order and unknown keys
//! survive every change made through [`ProfileStore`]. The format:
//!
//! ```toml
//! [[profile]]
//! name = "Acme prod"
//! endpoint = "https://acme.my.salesforce.com"
//! client_id = "3MVG9..."
//! secret = { source = "prompt" }   # or env / command / plain, see SecretSource
//! auth_style = "body"              # or "basic"
//! api_version = "62.0"             # optional, default auto
//! ca_file = "/path/ca.pem"         # optional
//! renew_margin_secs = 300          # optional
//! ```

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use toml_edit::{
    ArrayOfTables, Document, DocumentMut, InlineTable, Item, Table, TableLike, Value, value,
};

use super::ConfigError;
use super::endpoint::{self, EndpointError, NormalizedEndpoint};

/// How long a secret command may run before it is killed.
pub const SECRET_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// One connection profile: where to log in and with which client credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Unique display name.
    pub name: String,
    /// The login endpoint as typed (normalised on use, see [`Profile::normalized_endpoint`]).
    pub endpoint: String,
    /// The External Client App's consumer key.
    pub client_id: String,
    /// Where the consumer secret comes from.
    pub secret: SecretSource,
    /// How the client credentials are sent to the token endpoint.
    pub auth_style: AuthStyle,
    /// A pinned API version such as `"62.0"`; `None` (or `"auto"`) = the org's latest.
    pub api_version: Option<String>,
    /// A PEM file with extra CA certificates to trust (e.g. the mock org's).
    pub ca_file: Option<PathBuf>,
    /// Renew the token this many seconds before expiry (overrides the global setting).
    pub renew_margin_secs: Option<u64>,
}

/// A problem found by [`Profile::validate`], attached to one form field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// One of `"name"`, `"endpoint"`, `"client_id"`, `"secret"`, `"api_version"`, `"ca_file"`.
    pub field: &'static str,
    /// A plain sentence.
    pub message: String,
}

/// Where a profile's client secret comes from.
#[derive(Clone)]
pub enum SecretSource {
    /// Typed in at connect time and kept in memory only.
    Prompt,
    /// Read from an environment variable.
    Env {
        /// The variable's name.
        var: String,
    },
    /// The trimmed stdout of a shell command, e.g. `pass show sf/prod`.
    Command {
        /// The command line, run with `sh -c`.
        command: String,
    },
    /// Stored in plain text in `profiles.toml` (the UI shows a warning).
    Plain {
        /// The secret.
        value: SecretString,
    },
}

/// How the client id and secret are sent to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthStyle {
    /// As `client_id` / `client_secret` form fields in the request body.
    #[default]
    Body,
    /// As an HTTP Basic `Authorization` header.
    Basic,
}

impl AuthStyle {
    /// The value used in `profiles.toml`: `"body"` or `"basic"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthStyle::Body => "body",
            AuthStyle::Basic => "basic",
        }
    }
}

/// Why a client secret could not be obtained. Never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The profile asks for the secret at connect time and none was given.
    #[error("This profile needs the secret typed in.")]
    NeedsPrompt,
    /// The environment variable is not set.
    #[error("The environment variable {var} is not set; export it before starting sfterm.")]
    EnvMissing {
        /// The variable's name.
        var: String,
    },
    /// The environment variable is set but empty or not valid UTF-8.
    #[error("The environment variable {var} is empty or not valid UTF-8.")]
    EnvUnusable {
        /// The variable's name.
        var: String,
    },
    /// The command could not be started.
    #[error("Could not run the secret command: {0}.")]
    Spawn(String),
    /// The command exited with an error.
    #[error("The secret command failed ({status}): {stderr}")]
    CommandFailed {
        /// The exit status, e.g. "exit status: 1".
        status: String,
        /// The first non-empty line of its stderr (or a placeholder).
        stderr: String,
    },
    /// The command did not finish in time and was killed.
    #[error("The secret command did not finish within {0} seconds and was stopped.")]
    Timeout(u64),
    /// The command printed nothing (or only whitespace / invalid UTF-8).
    #[error("The secret command printed no usable secret on stdout.")]
    EmptyOutput,
    /// The profile stores an empty plain secret.
    #[error("The stored secret is empty.")]
    EmptyPlain,
}

impl PartialEq for SecretSource {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (SecretSource::Prompt, SecretSource::Prompt) => true,
            (SecretSource::Env { var: a }, SecretSource::Env { var: b }) => a == b,
            (SecretSource::Command { command: a }, SecretSource::Command { command: b }) => a == b,
            (SecretSource::Plain { value: a }, SecretSource::Plain { value: b }) => {
                a.expose_secret() == b.expose_secret()
            }
            _ => false,
        }
    }
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Prompt => f.write_str("Prompt"),
            SecretSource::Env { var } => f.debug_struct("Env").field("var", var).finish(),
            SecretSource::Command { command } => {
                f.debug_struct("Command").field("command", command).finish()
            }
            SecretSource::Plain { .. } => f
                .debug_struct("Plain")
                .field("value", &"[redacted]")
                .finish(),
        }
    }
}

impl SecretSource {
    /// The `source` value used in `profiles.toml`.
    pub fn kind(&self) -> &'static str {
        match self {
            SecretSource::Prompt => "prompt",
            SecretSource::Env { .. } => "env",
            SecretSource::Command { .. } => "command",
            SecretSource::Plain { .. } => "plain",
        }
    }

    /// Obtains the secret (blocking): the `prompted` value for [`SecretSource::Prompt`], the
    /// environment variable, the command's trimmed stdout (10 s timeout) or the stored value.
    pub fn resolve(&self, prompted: Option<SecretString>) -> Result<SecretString, SecretError> {
        self.resolve_with_timeout(prompted, SECRET_COMMAND_TIMEOUT)
    }

    /// [`SecretSource::resolve`] with a custom command timeout.
    pub fn resolve_with_timeout(
        &self,
        prompted: Option<SecretString>,
        timeout: Duration,
    ) -> Result<SecretString, SecretError> {
        match self {
            SecretSource::Prompt => prompted.ok_or(SecretError::NeedsPrompt),
            SecretSource::Env { var } => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(SecretString::from(v)),
                Ok(_) | Err(std::env::VarError::NotUnicode(_)) => {
                    Err(SecretError::EnvUnusable { var: var.clone() })
                }
                Err(std::env::VarError::NotPresent) => {
                    Err(SecretError::EnvMissing { var: var.clone() })
                }
            },
            SecretSource::Command { command } => run_secret_command(command, timeout),
            SecretSource::Plain { value } => {
                if value.expose_secret().is_empty() {
                    Err(SecretError::EmptyPlain)
                } else {
                    Ok(value.clone())
                }
            }
        }
    }
}

fn read_all(mut r: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        // A read error just ends the capture; what was read so far is still useful.
        let _ = r.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

fn run_secret_command(command: &str, timeout: Duration) -> Result<SecretString, SecretError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| SecretError::Spawn(e.to_string()))?;
    let stdout = child.stdout.take().map(read_all);
    let stderr = child.stderr.take().map(read_all);
    let deadline = std::time::Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                let secs = u64::try_from(timeout.as_millis().div_ceil(1000)).unwrap_or(u64::MAX);
                return Err(SecretError::Timeout(secs));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(SecretError::Spawn(e.to_string())),
        }
    };
    // The pipes close when the process exits (unless a background child keeps them open, so
    // wait at most a second for the rest of the output).
    let collect = |rx: Option<mpsc::Receiver<Vec<u8>>>| {
        rx.and_then(|rx| rx.recv_timeout(Duration::from_secs(1)).ok())
            .unwrap_or_default()
    };
    let out = collect(stdout);
    let err = collect(stderr);
    if !status.success() {
        let err = String::from_utf8_lossy(&err);
        let first = err
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("(no error output)")
            .to_owned();
        return Err(SecretError::CommandFailed {
            status: status.to_string(),
            stderr: first,
        });
    }
    let text = String::from_utf8(out).map_err(|_| SecretError::EmptyOutput)?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(SecretError::EmptyOutput);
    }
    Ok(SecretString::from(trimmed.to_owned()))
}

fn is_env_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `v` is a pinned API version like `"62.0"`.
fn is_api_version(v: &str) -> bool {
    match v.split_once('.') {
        Some((major, "0")) => {
            !major.is_empty()
                && major.len() <= 3
                && major.chars().all(|c| c.is_ascii_digit())
                && !major.starts_with('0')
        }
        _ => false,
    }
}

impl Profile {
    /// A new profile with the given name, endpoint and client id; secret typed in at connect.
    pub fn new(name: &str, endpoint: &str, client_id: &str) -> Profile {
        Profile {
            name: name.to_owned(),
            endpoint: endpoint.to_owned(),
            client_id: client_id.to_owned(),
            secret: SecretSource::Prompt,
            auth_style: AuthStyle::Body,
            api_version: None,
            ca_file: None,
            renew_margin_secs: None,
        }
    }

    /// The endpoint validated and reduced to its origin.
    pub fn normalized_endpoint(&self) -> Result<NormalizedEndpoint, EndpointError> {
        endpoint::normalize(&self.endpoint)
    }

    /// The pinned API version, or `None` for auto (`"auto"` counts as auto).
    pub fn pinned_api_version(&self) -> Option<&str> {
        self.api_version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty() && *v != "auto")
    }

    /// Everything wrong with the profile, one [`Problem`] per field issue (empty = valid).
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut push = |field: &'static str, message: String| {
            problems.push(Problem { field, message });
        };
        if self.name.trim().is_empty() {
            push("name", "The profile needs a name.".to_owned());
        }
        if let Err(e) = self.normalized_endpoint() {
            push("endpoint", e.to_string());
        }
        if self.client_id.trim().is_empty() {
            push(
                "client_id",
                "The client id (the app's Consumer Key) is empty.".to_owned(),
            );
        }
        match &self.secret {
            SecretSource::Env { var } if !is_env_var_name(var) => push(
                "secret",
                format!(
                    "\"{var}\" is not a valid environment variable name (letters, digits and _, \
                     not starting with a digit)."
                ),
            ),
            SecretSource::Command { command } if command.trim().is_empty() => {
                push("secret", "The secret command is empty.".to_owned());
            }
            SecretSource::Plain { value } if value.expose_secret().is_empty() => {
                push("secret", "The stored secret is empty.".to_owned());
            }
            _ => {}
        }
        if let Some(v) = self.api_version.as_deref().map(str::trim)
            && !(v.is_empty() || v == "auto" || is_api_version(v))
        {
            push(
                "api_version",
                format!("API version \"{v}\" should look like \"62.0\", or be \"auto\"."),
            );
        }
        if let Some(ca) = &self.ca_file
            && !ca.is_file()
        {
            push(
                "ca_file",
                format!("The CA file {} does not exist.", ca.display()),
            );
        }
        problems
    }

    /// Warnings to show next to an otherwise valid profile.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if matches!(self.secret, SecretSource::Plain { .. }) {
            w.push("the client secret is stored in plain text in profiles.toml".to_owned());
        }
        w
    }
}

/// Length and SHA-256 of a file's content, to notice changes made by other programs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
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

/// `profiles.toml` loaded for editing: the parsed profiles plus the `toml_edit` document they
/// came from, so saving keeps comments, order and unknown keys. `Debug` shows the path and
/// profiles only (the document may hold plain-text secrets).
#[derive(Clone)]
pub struct ProfileStore {
    path: PathBuf,
    doc: DocumentMut,
    profiles: Vec<Profile>,
    /// What the file looked like when loaded or last saved; `None` = it did not exist.
    on_disk: Option<Stamp>,
}

const PROFILE_KEY: &str = "profile";

impl fmt::Debug for ProfileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileStore")
            .field("path", &self.path)
            .field("profiles", &self.profiles)
            .field("exists_on_disk", &self.on_disk.is_some())
            .finish_non_exhaustive()
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
        let profiles = parse_profiles(path, &text, parsed.as_table())?;
        Ok(ProfileStore {
            path: path.to_owned(),
            doc: parsed.into_mut(),
            profiles,
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

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The document as it would be saved (may contain plain-text secrets: never log it).
    pub fn to_toml_string(&self) -> String {
        self.doc.to_string()
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        self.profiles.iter().position(|p| p.name == name)
    }

    fn tables_mut(&mut self) -> Result<&mut ArrayOfTables, ConfigError> {
        let root = self.doc.as_table_mut();
        if !root.contains_key(PROFILE_KEY) {
            root.insert(PROFILE_KEY, Item::ArrayOfTables(ArrayOfTables::new()));
        }
        root.get_mut(PROFILE_KEY)
            .and_then(Item::as_array_of_tables_mut)
            .ok_or_else(|| ConfigError::Invalid {
                path: self.path.clone(),
                location: None,
                message: "\"profile\" must be a list of [[profile]] tables".to_owned(),
            })
    }

    /// Adds a profile (`original_name` = `None`) or replaces the profile called
    /// `original_name`, keeping its table's position, comments and unknown keys. Only changes
    /// memory; call [`ProfileStore::save`] to write the file.
    pub fn upsert(
        &mut self,
        original_name: Option<&str>,
        profile: Profile,
    ) -> Result<(), ConfigError> {
        if profile.name.trim().is_empty() {
            return Err(ConfigError::InvalidProfile(
                "the profile needs a name".to_owned(),
            ));
        }
        match original_name {
            None => {
                if self.index_of(&profile.name).is_some() {
                    return Err(ConfigError::NameTaken(profile.name));
                }
                let mut table = Table::new();
                write_profile(&mut table, &profile, true);
                self.tables_mut()?.push(table);
                self.profiles.push(profile);
            }
            Some(orig) => {
                let idx = self
                    .index_of(orig)
                    .ok_or_else(|| ConfigError::NoSuchProfile(orig.to_owned()))?;
                if profile.name != orig && self.index_of(&profile.name).is_some() {
                    return Err(ConfigError::NameTaken(profile.name));
                }
                let table = self
                    .tables_mut()?
                    .get_mut(idx)
                    .ok_or_else(|| ConfigError::NoSuchProfile(orig.to_owned()))?;
                write_profile(table, &profile, false);
                self.profiles[idx] = profile;
            }
        }
        Ok(())
    }

    /// Removes the profile called `name` (with the comments attached to its table).
    pub fn remove(&mut self, name: &str) -> Result<(), ConfigError> {
        let idx = self
            .index_of(name)
            .ok_or_else(|| ConfigError::NoSuchProfile(name.to_owned()))?;
        let tables = self.tables_mut()?;
        if idx < tables.len() {
            tables.remove(idx);
        }
        self.profiles.remove(idx);
        Ok(())
    }

    /// Copies the profile called `name` (unknown keys included) under a new name, `"X (copy)"`,
    /// then `"X (copy 2)"`, ...; returns the new name.
    pub fn duplicate(&mut self, name: &str) -> Result<String, ConfigError> {
        let idx = self
            .index_of(name)
            .ok_or_else(|| ConfigError::NoSuchProfile(name.to_owned()))?;
        let mut new_name = format!("{name} (copy)");
        let mut n = 2;
        while self.index_of(&new_name).is_some() {
            new_name = format!("{name} (copy {n})");
            n += 1;
        }
        let mut profile = self.profiles[idx].clone();
        profile.name.clone_from(&new_name);
        let tables = self.tables_mut()?;
        let mut table = tables.get(idx).cloned().unwrap_or_default();
        // Comments above the original table (or its first key) describe the original.
        table.decor_mut().clear();
        for (mut key, _) in table.iter_mut() {
            key.leaf_decor_mut().clear();
        }
        table.set_position(None);
        write_profile(&mut table, &profile, false);
        tables.push(table);
        self.profiles.push(profile);
        Ok(new_name)
    }

    /// Writes the file atomically (temp file in the same directory, fsync, rename; mode 0600 on
    /// unix), creating the directory if needed. If the file changed on disk since it was loaded
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
        write_atomic(&self.path, text.as_bytes())?;
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

/// Writes `bytes` to `path` via a temp file in the same directory, fsync and rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ConfigError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).map_err(|e| ConfigError::io(&dir, "create the directory", e))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{file_name}.{}.{}.tmp",
        std::process::id(),
        rand::random::<u32>()
    ));
    let result = (|| {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts
            .open(&tmp)
            .map_err(|e| ConfigError::io(&tmp, "create a temp file", e))?;
        f.write_all(bytes)
            .map_err(|e| ConfigError::io(&tmp, "write the temp file", e))?;
        f.sync_all()
            .map_err(|e| ConfigError::io(&tmp, "flush the temp file", e))?;
        drop(f);
        fs::rename(&tmp, path).map_err(|e| ConfigError::io(path, "replace the file", e))?;
        // Make the rename itself durable; not all platforms allow syncing a directory.
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Sets `table[key] = new`, keeping the old value's surrounding whitespace and comments; does
/// nothing when the value is unchanged.
fn set_value(table: &mut Table, key: &str, new: Value) {
    if let Some(old) = table.get_mut(key).and_then(Item::as_value_mut) {
        if same_value(old, &new) {
            return;
        }
        let decor = old.decor().clone();
        let mut new = new;
        *new.decor_mut() = decor;
        *old = new;
    } else {
        table.insert(key, value(new));
    }
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.value() == y.value(),
        (Value::Integer(x), Value::Integer(y)) => x.value() == y.value(),
        (Value::InlineTable(x), Value::InlineTable(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => false,
    }
}

fn secret_item(secret: &SecretSource) -> InlineTable {
    let mut t = InlineTable::new();
    t.insert("source", secret.kind().into());
    match secret {
        SecretSource::Prompt => {}
        SecretSource::Env { var } => {
            t.insert("var", var.as_str().into());
        }
        SecretSource::Command { command } => {
            t.insert("command", command.as_str().into());
        }
        SecretSource::Plain { value } => {
            t.insert("value", value.expose_secret().into());
        }
    }
    t
}

/// Writes the profile's fields into `table`, keeping everything else.
fn write_profile(table: &mut Table, p: &Profile, fresh: bool) {
    set_value(table, "name", p.name.as_str().into());
    set_value(table, "endpoint", p.endpoint.as_str().into());
    set_value(table, "client_id", p.client_id.as_str().into());
    let secret_unchanged = table
        .get("secret")
        .and_then(Item::as_table_like)
        .and_then(|t| parse_secret_table(t).ok())
        .is_some_and(|s| s == p.secret);
    if !secret_unchanged {
        let new = secret_item(&p.secret);
        match table.get_mut("secret") {
            // A `[profile.secret]` sub-table stays one: rewrite its keys in place.
            Some(Item::Table(sub)) => {
                let stale: Vec<String> = sub
                    .iter()
                    .map(|(k, _)| k.to_owned())
                    .filter(|k| !new.contains_key(k))
                    .collect();
                for k in stale {
                    sub.remove(&k);
                }
                for (k, v) in new.iter() {
                    set_value(sub, k, v.clone());
                }
            }
            Some(Item::Value(_)) => set_value(table, "secret", Value::InlineTable(new)),
            _ => {
                table.remove("secret");
                table.insert("secret", value(new));
            }
        }
    }
    // "body" is the default: do not add the key to an existing table that relies on it.
    if fresh || table.contains_key("auth_style") || p.auth_style != AuthStyle::Body {
        set_value(table, "auth_style", p.auth_style.as_str().into());
    }
    match &p.api_version {
        Some(v) => set_value(table, "api_version", v.as_str().into()),
        None => {
            table.remove("api_version");
        }
    }
    match &p.ca_file {
        Some(v) => set_value(table, "ca_file", v.to_string_lossy().as_ref().into()),
        None => {
            table.remove("ca_file");
        }
    }
    match p.renew_margin_secs {
        Some(v) => set_value(
            table,
            "renew_margin_secs",
            i64::try_from(v).unwrap_or(i64::MAX).into(),
        ),
        None => {
            table.remove("renew_margin_secs");
        }
    }
}

/// A field-level parse error before it is given a file location.
struct FieldError {
    span: Option<Range<usize>>,
    message: String,
}

fn parse_secret_table(t: &dyn TableLike) -> Result<SecretSource, FieldError> {
    let get = |k: &str| -> Result<Option<String>, FieldError> {
        match t.get(k) {
            None => Ok(None),
            Some(item) => item.as_str().map(|s| Some(s.to_owned())).ok_or(FieldError {
                span: item.span(),
                message: format!("secret.{k} must be a string"),
            }),
        }
    };
    let need = |k: &str, what: &str| -> Result<String, FieldError> {
        get(k)?.ok_or_else(|| FieldError {
            span: None,
            message: format!("secret with source = \"{what}\" needs a \"{k}\" key"),
        })
    };
    let source = get("source")?.unwrap_or_else(|| "prompt".to_owned());
    match source.as_str() {
        "prompt" => Ok(SecretSource::Prompt),
        "env" => Ok(SecretSource::Env {
            var: need("var", "env")?,
        }),
        "command" => Ok(SecretSource::Command {
            command: need("command", "command")?,
        }),
        "plain" => Ok(SecretSource::Plain {
            value: SecretString::from(need("value", "plain")?),
        }),
        other => Err(FieldError {
            span: t.get("source").and_then(Item::span),
            message: format!(
                "unknown secret source \"{other}\" (expected \"prompt\", \"env\", \"command\" or \
                 \"plain\")"
            ),
        }),
    }
}

fn parse_profile(t: &Table) -> Result<Profile, FieldError> {
    let table_span = t.span();
    let str_field = |k: &str| -> Result<Option<String>, FieldError> {
        match t.get(k) {
            None => Ok(None),
            Some(item) => item.as_str().map(|s| Some(s.to_owned())).ok_or(FieldError {
                span: item.span().or_else(|| t.key(k).and_then(|key| key.span())),
                message: format!("\"{k}\" must be a string"),
            }),
        }
    };
    let required = |k: &str| -> Result<String, FieldError> {
        str_field(k)?.ok_or_else(|| FieldError {
            span: table_span.clone(),
            message: format!("this [[profile]] has no \"{k}\""),
        })
    };
    let name = required("name")?;
    let endpoint = required("endpoint")?;
    let client_id = required("client_id")?;
    let secret = match t.get("secret") {
        None => SecretSource::Prompt,
        Some(item) => match item.as_table_like() {
            Some(st) => parse_secret_table(st).map_err(|mut e| {
                e.span = e.span.or_else(|| item.span());
                e
            })?,
            None => {
                return Err(FieldError {
                    span: item.span(),
                    message: "\"secret\" must be a table like { source = \"prompt\" }".to_owned(),
                });
            }
        },
    };
    let auth_style = match str_field("auth_style")?.as_deref() {
        None | Some("body") => AuthStyle::Body,
        Some("basic") => AuthStyle::Basic,
        Some(other) => {
            return Err(FieldError {
                span: t.get("auth_style").and_then(Item::span),
                message: format!("unknown auth_style \"{other}\" (expected \"body\" or \"basic\")"),
            });
        }
    };
    let api_version = str_field("api_version")?;
    let ca_file = str_field("ca_file")?.map(PathBuf::from);
    let renew_margin_secs = match t.get("renew_margin_secs") {
        None => None,
        Some(item) => Some(
            item.as_integer()
                .and_then(|i| u64::try_from(i).ok())
                .ok_or(FieldError {
                    span: item.span(),
                    message: "\"renew_margin_secs\" must be a whole number of seconds (0 or more)"
                        .to_owned(),
                })?,
        ),
    };
    Ok(Profile {
        name,
        endpoint,
        client_id,
        secret,
        auth_style,
        api_version,
        ca_file,
        renew_margin_secs,
    })
}

fn parse_profiles(path: &Path, text: &str, root: &Table) -> Result<Vec<Profile>, ConfigError> {
    let Some(item) = root.get(PROFILE_KEY) else {
        return Ok(Vec::new());
    };
    let Some(tables) = item.as_array_of_tables() else {
        let span = item
            .span()
            .or_else(|| root.key(PROFILE_KEY).and_then(|k| k.span()));
        return Err(ConfigError::invalid(
            path,
            text,
            span,
            "\"profile\" must be a list of [[profile]] tables",
        ));
    };
    let mut profiles: Vec<Profile> = Vec::new();
    for t in tables.iter() {
        let p = parse_profile(t).map_err(|e| {
            ConfigError::invalid(path, text, e.span.or_else(|| t.span()), e.message)
        })?;
        if profiles.iter().any(|q| q.name == p.name) {
            let span = t.get("name").and_then(Item::span).or_else(|| t.span());
            return Err(ConfigError::invalid(
                path,
                text,
                span,
                format!(
                    "a second profile is named \"{}\"; names must be unique",
                    p.name
                ),
            ));
        }
        profiles.push(p);
    }
    Ok(profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_plain_secret() {
        let s = SecretSource::Plain {
            value: SecretString::from("hunter2-very-secret"),
        };
        let mut p = Profile::new("x", "https://a.my.salesforce.com", "id");
        p.secret = s.clone();
        for text in [format!("{s:?}"), format!("{p:?}"), format!("{p:#?}")] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains("redacted"), "{text}");
        }
    }

    #[test]
    fn secret_source_eq_compares_plain_values() {
        let a = SecretSource::Plain {
            value: SecretString::from("a"),
        };
        let a2 = SecretSource::Plain {
            value: SecretString::from("a"),
        };
        let b = SecretSource::Plain {
            value: SecretString::from("b"),
        };
        assert_eq!(a, a2);
        assert_ne!(a, b);
        assert_ne!(a, SecretSource::Prompt);
        assert_eq!(
            SecretSource::Env { var: "X".into() },
            SecretSource::Env { var: "X".into() }
        );
    }

    #[test]
    fn api_versions() {
        for ok in ["62.0", "8.0", "100.0"] {
            assert!(is_api_version(ok), "{ok}");
        }
        for bad in [
            "62", "v62.0", "62.1", "062.0", ".0", "abc", "62.0.0", "1000.0",
        ] {
            assert!(!is_api_version(bad), "{bad}");
        }
    }

    #[test]
    fn env_var_names() {
        assert!(is_env_var_name("SF_SECRET"));
        assert!(is_env_var_name("_x1"));
        assert!(!is_env_var_name(""));
        assert!(!is_env_var_name("1X"));
        assert!(!is_env_var_name("SF-SECRET"));
        assert!(!is_env_var_name("$SF"));
    }

    #[test]
    fn validate_reports_each_field() {
        let p = Profile {
            name: " ".into(),
            endpoint: "http://acme.my.salesforce.com".into(),
            client_id: "".into(),
            secret: SecretSource::Env {
                var: "NOT VALID".into(),
            },
            auth_style: AuthStyle::Body,
            api_version: Some("v62".into()),
            ca_file: Some(PathBuf::from("/definitely/not/here/ca.pem")),
            renew_margin_secs: None,
        };
        let fields: Vec<&str> = p.validate().iter().map(|pr| pr.field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "endpoint",
                "client_id",
                "secret",
                "api_version",
                "ca_file"
            ]
        );
        let mut q = Profile::new("ok", "acme.my.salesforce.com", "3MVG9");
        assert!(q.validate().is_empty(), "{:?}", q.validate());
        q.api_version = Some("auto".into());
        assert!(q.validate().is_empty());
        assert_eq!(q.pinned_api_version(), None);
        q.api_version = Some("62.0".into());
        assert_eq!(q.pinned_api_version(), Some("62.0"));
        q.secret = SecretSource::Command {
            command: "  ".into(),
        };
        assert_eq!(q.validate()[0].field, "secret");
        assert!(q.warnings().is_empty());
        q.secret = SecretSource::Plain {
            value: SecretString::from("s"),
        };
        assert_eq!(
            q.warnings(),
            ["the client secret is stored in plain text in profiles.toml"]
        );
    }
}
