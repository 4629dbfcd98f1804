//! The request store: one human-readable TOML file per saved request under
//! `<data dir>/requests/<folder>/<slug>.toml`, and the user's variables per profile in
//! `<data dir>/requests/.variables.toml` (a `[variables."<profile>"]` table each).
//!
//! Files are written with a stable key order and multi-line bodies so they diff well in git.
//! A malformed file is reported with `path:line:col` and does not stop the others loading.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::request::{Pair, RequestKind, SavedRequest, Variables};
use crate::config::ConfigError;

pub use crate::config::paths::REQUESTS_DIR;
/// Name of the per-profile variables file inside the requests directory.
pub const VARIABLES_FILE: &str = ".variables.toml";

/// The on-disk shape of one request file (field order = file order).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestFile {
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(default)]
    kind: RequestKind,
    method: String,
    path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    params: Vec<Pair>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    headers: Vec<Pair>,
}

/// A request loaded from the store, with the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    /// The file.
    pub path: PathBuf,
    /// Its content.
    pub request: SavedRequest,
}

/// The result of [`RequestStore::list`]: every request that loaded, and an error per file
/// that did not.
#[derive(Debug, Default)]
pub struct Listing {
    /// Loaded requests, sorted by folder then name.
    pub requests: Vec<StoredRequest>,
    /// Files that could not be read or parsed.
    pub errors: Vec<ConfigError>,
}

/// The saved requests of one data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestStore {
    root: PathBuf,
}

/// A file-name-safe form of `name`: lower case ASCII letters and digits, runs of anything
/// else as one `-` (never empty).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "request".to_string()
    } else {
        trimmed.to_string()
    }
}

/// A folder name as a directory name: path separators and control characters replaced,
/// no leading dot.
fn folder_dir(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "_".to_string()
    } else {
        cleaned
    }
}

/// Serialises a request as the TOML text of its file.
pub fn to_toml(request: &SavedRequest) -> Result<String, toml::ser::Error> {
    let file = RequestFile {
        name: request.name.clone(),
        description: request.description.clone(),
        kind: request.kind,
        method: request.method.clone(),
        path: request.path.clone(),
        body: request.body.clone(),
        params: request.params.clone(),
        headers: request.headers.clone(),
    };
    toml::to_string_pretty(&file)
}

/// Parses the TOML text of a request file (`path` for messages; `folder` is where it lives).
pub fn from_toml(
    path: &Path,
    text: &str,
    folder: Vec<String>,
) -> Result<SavedRequest, ConfigError> {
    let file: RequestFile = toml::from_str(text).map_err(|e| {
        ConfigError::invalid(path, text, e.span(), e.message().trim_end().to_owned())
    })?;
    Ok(SavedRequest {
        name: file.name,
        folder,
        method: file.method.to_ascii_uppercase(),
        path: file.path,
        params: file.params,
        headers: file.headers,
        body: file.body,
        kind: file.kind,
        description: file.description,
    })
}

/// Writes a request file atomically and privately (unique temp file, fsync, rename; 0600), as
/// profiles are.
fn write_atomic(path: &Path, text: &str) -> Result<(), ConfigError> {
    Ok(crate::private_fs::write_private(path, text.as_bytes())?)
}

impl RequestStore {
    /// The store of a data directory (`<data_dir>/requests`).
    pub fn new(data_dir: &Path) -> RequestStore {
        RequestStore {
            root: data_dir.join(REQUESTS_DIR),
        }
    }

    /// The directory holding the request files.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a request with this folder and name is stored.
    pub fn path_for(&self, folder: &[String], name: &str) -> PathBuf {
        let mut p = self.root.clone();
        for f in folder {
            p.push(folder_dir(f));
        }
        p.push(format!("{}.toml", slug(name)));
        p
    }

    /// Every request, sorted by folder then name; unreadable files are listed as errors.
    /// A missing store is empty.
    pub fn list(&self) -> Listing {
        let mut listing = Listing::default();
        self.walk(&self.root, &mut Vec::new(), &mut listing);
        listing.requests.sort_by(|a, b| {
            (&a.request.folder, &a.request.name).cmp(&(&b.request.folder, &b.request.name))
        });
        listing
    }

    fn walk(&self, dir: &Path, folder: &mut Vec<String>, listing: &mut Listing) {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(e) => {
                listing
                    .errors
                    .push(ConfigError::io(dir, "list the directory", e));
                return;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if file_name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                folder.push(file_name.to_string());
                self.walk(&path, folder, listing);
                folder.pop();
            } else if path.extension().is_some_and(|e| e == "toml") {
                match Self::load_file(&path, folder.clone()) {
                    Ok(request) => listing.requests.push(StoredRequest { path, request }),
                    Err(e) => listing.errors.push(e),
                }
            }
        }
    }

    fn load_file(path: &Path, folder: Vec<String>) -> Result<SavedRequest, ConfigError> {
        let text =
            fs::read_to_string(path).map_err(|e| ConfigError::io(path, "read the file", e))?;
        from_toml(path, &text, folder)
    }

    /// Loads one request file; its folder is taken from where it lies under the store.
    pub fn load(&self, path: &Path) -> Result<SavedRequest, ConfigError> {
        let folder = path
            .parent()
            .and_then(|p| p.strip_prefix(&self.root).ok())
            .map(|rel| {
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        Self::load_file(path, folder)
    }

    /// Finds a request by name, by `folder/name`, or by its file slug. An ambiguous name is
    /// an error listing the candidates.
    pub fn find(&self, name: &str) -> Result<StoredRequest, FindError> {
        let listing = self.list();
        let matches = |s: &StoredRequest| {
            let full = s
                .request
                .folder
                .iter()
                .map(String::as_str)
                .chain([s.request.name.as_str()])
                .collect::<Vec<_>>()
                .join("/");
            s.request.name == name
                || full == name
                || s.path.file_stem().is_some_and(|stem| stem == name)
        };
        let mut found: Vec<StoredRequest> = listing
            .requests
            .into_iter()
            .filter(|s| matches(s))
            .collect();
        match found.len() {
            0 => Err(FindError::NotFound {
                name: name.to_string(),
                broken: listing.errors.iter().map(ToString::to_string).collect(),
            }),
            1 => Ok(found.remove(0)),
            _ => Err(FindError::Ambiguous {
                name: name.to_string(),
                candidates: found
                    .iter()
                    .map(|s| {
                        let mut f = s.request.folder.clone();
                        f.push(s.request.name.clone());
                        f.join("/")
                    })
                    .collect(),
            }),
        }
    }

    /// Writes a request to [`RequestStore::path_for`] its folder and name (replacing a file
    /// there); returns the path.
    pub fn save(&self, request: &SavedRequest) -> Result<PathBuf, ConfigError> {
        let path = self.path_for(&request.folder, &request.name);
        let text = to_toml(request).map_err(|e| ConfigError::Invalid {
            path: path.clone(),
            location: None,
            message: format!("cannot write the request as TOML: {e}"),
        })?;
        write_atomic(&path, &text)?;
        Ok(path)
    }

    /// Saves a request under a new name (and so a new file) and removes the old file.
    /// Refuses when another request already has the new file.
    pub fn rename(
        &self,
        request: &SavedRequest,
        new_name: &str,
    ) -> Result<SavedRequest, ConfigError> {
        let old = self.path_for(&request.folder, &request.name);
        let new = self.path_for(&request.folder, new_name);
        if new != old && new.exists() {
            return Err(ConfigError::Invalid {
                path: new,
                location: None,
                message: format!("a request named \"{new_name}\" already exists there"),
            });
        }
        let mut renamed = request.clone();
        renamed.name = new_name.to_string();
        self.save(&renamed)?;
        if new != old {
            self.delete(request)?;
        }
        Ok(renamed)
    }

    /// Removes a request's file (and its folder when that becomes empty).
    pub fn delete(&self, request: &SavedRequest) -> Result<(), ConfigError> {
        let path = self.path_for(&request.folder, &request.name);
        fs::remove_file(&path).map_err(|e| ConfigError::io(&path, "delete the file", e))?;
        let mut dir = path.parent().map(Path::to_path_buf);
        while let Some(d) = dir {
            if d == self.root || fs::remove_dir(&d).is_err() {
                break;
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        Ok(())
    }

    /// `<root>/.variables.toml`.
    pub fn variables_path(&self) -> PathBuf {
        self.root.join(VARIABLES_FILE)
    }

    fn variables_doc(&self) -> Result<(PathBuf, toml_edit::DocumentMut), ConfigError> {
        let path = self.variables_path();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(ConfigError::io(&path, "read the file", e)),
        };
        let doc = text.parse::<toml_edit::DocumentMut>().map_err(|e| {
            ConfigError::invalid(&path, &text, e.span(), e.message().trim_end().to_owned())
        })?;
        Ok((path, doc))
    }

    /// The user-defined variables of a profile (empty when none are defined).
    pub fn variables(&self, profile: &str) -> Result<Variables, ConfigError> {
        let (path, doc) = self.variables_doc()?;
        let mut vars = Variables::new();
        let Some(table) = doc
            .get("variables")
            .and_then(|v| v.get(profile))
            .and_then(|t| t.as_table_like())
        else {
            return Ok(vars);
        };
        for (k, v) in table.iter() {
            match v.as_str() {
                Some(s) => vars.set(k, s),
                None => {
                    return Err(ConfigError::Invalid {
                        path,
                        location: None,
                        message: format!(
                            "variable \"{k}\" of profile \"{profile}\" must be a string"
                        ),
                    });
                }
            }
        }
        Ok(vars)
    }

    /// Sets one user-defined variable of a profile, keeping the rest of the file as it was.
    pub fn set_variable(&self, profile: &str, name: &str, value: &str) -> Result<(), ConfigError> {
        let (path, mut doc) = self.variables_doc()?;
        let root = doc.as_table_mut();
        let vars = root.entry("variables").or_insert_with(|| {
            let mut t = toml_edit::Table::new();
            t.set_implicit(true);
            toml_edit::Item::Table(t)
        });
        let Some(vars) = vars.as_table_mut() else {
            return Err(ConfigError::Invalid {
                path,
                location: None,
                message: "\"variables\" must be a table".into(),
            });
        };
        let table = vars
            .entry(profile)
            .or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
        let Some(table) = table.as_table_like_mut() else {
            return Err(ConfigError::Invalid {
                path,
                location: None,
                message: format!("variables of \"{profile}\" must be a table"),
            });
        };
        table.insert(name, toml_edit::value(value));
        write_atomic(&path, &doc.to_string())
    }
}

/// [`RequestStore::find`] failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FindError {
    /// No request has that name.
    #[error("there is no saved request named \"{name}\"{}", if broken.is_empty() { String::new() } else { format!(" (some files could not be read: {})", broken.join("; ")) })]
    NotFound {
        /// The name looked for.
        name: String,
        /// Messages of files that could not be read (one of them may be the one meant).
        broken: Vec<String>,
    },
    /// Several requests have that name.
    #[error("several saved requests are named \"{name}\": {}; give folder/name", candidates.join(", "))]
    Ambiguous {
        /// The name looked for.
        name: String,
        /// `folder/name` of each.
        candidates: Vec<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SavedRequest {
        let mut r = SavedRequest::new(
            "Create customer",
            "POST",
            "/services/apexrest/CustomerRESTWS/",
        );
        r.folder = vec!["Customers".into(), "Write".into()];
        r.description = "Creates an account and contacts".into();
        r.headers
            .push(Pair::new("Content-Type", "application/json"));
        r.params.push(Pair {
            enabled: false,
            ..Pair::new("dry", "1")
        });
        r.body = Some("{\n  \"name\": \"Acme\",\n  \"q\": \"'''\\\"\"\n}\n".into());
        r
    }

    #[test]
    fn round_trip_and_readable_file() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = RequestStore::new(dir.path());
        let r = sample();
        let path = store.save(&r).expect("save");
        assert_eq!(
            path,
            dir.path()
                .join("requests/Customers/Write/create-customer.toml")
        );
        let text = fs::read_to_string(&path).expect("read");
        // Stable key order, multi-line body.
        let name_at = text.find("name = ").expect("name");
        let method_at = text.find("method = ").expect("method");
        assert!(name_at < method_at, "{text}");
        assert!(
            text.contains("\"name\": \"Acme\",\n"),
            "body not multi-line:\n{text}"
        );
        assert_eq!(store.load(&path).expect("load"), r);
        let listing = store.list();
        assert!(listing.errors.is_empty());
        assert_eq!(listing.requests.len(), 1);
        assert_eq!(listing.requests[0].request, r);
    }

    #[test]
    fn malformed_file_reports_location_and_others_load() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = RequestStore::new(dir.path());
        store.save(&sample()).expect("save");
        let bad = store.root().join("bad.toml");
        fs::write(&bad, "name = \"x\"\nmethod = \"GET\"\npath = 12\n").expect("write");
        let listing = store.list();
        assert_eq!(listing.requests.len(), 1);
        assert_eq!(listing.errors.len(), 1);
        let msg = listing.errors[0].to_string();
        assert!(msg.starts_with(&format!("{}:3:8", bad.display())), "{msg}");
    }

    #[test]
    fn find_rename_delete() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = RequestStore::new(dir.path());
        let r = sample();
        store.save(&r).expect("save");
        let mut other = sample();
        other.folder = vec!["Other".into()];
        store.save(&other).expect("save");
        assert!(matches!(
            store.find("Create customer"),
            Err(FindError::Ambiguous { .. })
        ));
        let found = store
            .find("Customers/Write/Create customer")
            .expect("found");
        assert_eq!(found.request, r);
        let renamed = store.rename(&r, "New name").expect("rename");
        assert!(matches!(
            store.find("Customers/Write/Create customer"),
            Err(FindError::NotFound { .. })
        ));
        assert_eq!(store.find("new-name").expect("by slug").request, renamed);
        assert!(store.rename(&renamed, "Create customer").is_ok());
        store.delete(&other).expect("delete");
        assert!(!store.root().join("Other").exists());
        assert_eq!(store.list().requests.len(), 1);
    }

    #[test]
    fn variables_per_profile() {
        let dir = tempfile::tempdir().expect("tmp");
        let store = RequestStore::new(dir.path());
        assert_eq!(store.variables("Demo").expect("empty"), Variables::new());
        store
            .set_variable("Demo org", "account_id", "001A")
            .expect("set");
        store
            .set_variable("Prod", "account_id", "001B")
            .expect("set");
        assert_eq!(
            store.variables("Demo org").expect("vars").get("account_id"),
            Some("001A")
        );
        assert_eq!(
            store.variables("Prod").expect("vars").get("account_id"),
            Some("001B")
        );
        // The file does not make the listing fail.
        assert!(store.list().errors.is_empty());
    }
}
