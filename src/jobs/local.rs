//! Effects on this machine that the runtime runs at once (no network, no terminal): writing
//! `profiles.toml`, the drafts file and the choices file, copying, opening a URL in the browser;
//! and the helpers for paths typed in a prompt (`~`, listing a directory for completion).

use std::path::{Path, PathBuf};

use super::Context;
use crate::config::profiles::{Profile, ProfileStore};
use crate::effect::ProfileChange;
use crate::msg::{Msg, Outcome};
use crate::state::path_input::Entry;
use crate::state::record_detail::job::{RecordEffect, RecordOutcome};
use crate::state::remembered::Choices;

/// `~/x.csv` → `<home>/x.csv` (the path is typed in a prompt, not by a shell).
pub fn expand_home(path: PathBuf) -> PathBuf {
    match path.strip_prefix("~") {
        Ok(rest) => {
            directories::BaseDirs::new().map_or(path.clone(), |dirs| dirs.home_dir().join(rest))
        }
        Err(_) => path,
    }
}

/// The entries of `dir` as typed in a path prompt (`~` expanded; a relative path is in `base`,
/// empty: the working directory), for [`crate::state::path_input::PathInput::listed`].
/// Any pane's path completion lists through here (the import wizard, the composer's prompts).
pub fn list_dir(dir: &str, base: &Path) -> Result<Vec<Entry>, String> {
    let path = base.join(expand_home(PathBuf::from(dir)));
    let path = if path.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        path
    };
    let read = std::fs::read_dir(&path).map_err(|e| format!("{dir}: {e}"))?;
    Ok(read
        .flatten()
        .map(|entry| Entry {
            name: entry.file_name().to_string_lossy().into_owned(),
            is_dir: entry.path().is_dir(),
        })
        .collect())
}

/// The choices file in the data directory: the tab, the object and the chosen columns.
pub const CHOICES_FILE: &str = "ui-state.json";

/// Reads the choices of an earlier run; a missing file is no choices.
pub fn read_choices(dir: &std::path::Path) -> Result<Choices, String> {
    let path = dir.join(CHOICES_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Choices::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Writes the choices file (privately, atomically) when `ctx` has a data directory; the
/// message for the model when that failed.
pub fn write_choices(choices: &Choices, ctx: &Context) -> Option<Msg> {
    let dir = ctx.data_dir.as_ref()?;
    let body = serde_json::to_vec_pretty(choices).ok()?;
    crate::private_fs::write_private(&dir.join(CHOICES_FILE), &body)
        .err()
        .map(|e| {
            tracing::warn!(error = %e, "choices not written");
            Msg::Error(format!(
                "Your choices (tab, columns) could not be saved: {e}"
            ))
        })
}

/// Applies `change` to the store and writes `profiles.toml`; returns the profiles as now
/// stored. On failure the store is left as it was, in memory and on disk. `None`: the file
/// could not be read at start, so it is never written.
pub fn save_profiles(
    store: Option<&mut ProfileStore>,
    change: ProfileChange,
    ctx: &Context,
) -> Result<Vec<Profile>, String> {
    let Some(store) = store else {
        return Err("profiles.toml could not be read, so it is not written either".into());
    };
    let before = store.clone();
    let stored_login = stored_login_change(&change);
    let result = match change {
        ProfileChange::Upsert {
            original_name,
            profile,
        } => store.upsert(original_name.as_deref(), *profile),
        ProfileChange::Remove { name } => store.remove(&name),
        ProfileChange::Duplicate { name } => store.duplicate(&name).map(|_| ()),
    }
    .and_then(|()| store.save());
    match result {
        Ok(()) => {
            if let Some(change) = stored_login {
                follow_stored_login(ctx, change);
            }
            Ok(store.profiles().to_vec())
        }
        Err(e) => {
            *store = before; // keep memory and disk in step
            Err(e.to_string())
        }
    }
}

/// What a profile change does to its stored login: `(old name, new name)`, `None` = deleted.
fn stored_login_change(change: &ProfileChange) -> Option<(String, Option<String>)> {
    match change {
        ProfileChange::Remove { name } => Some((name.clone(), None)),
        ProfileChange::Upsert {
            original_name: Some(old),
            profile,
        } if *old != profile.name => Some((old.clone(), Some(profile.name.clone()))),
        _ => None,
    }
}

/// A deleted profile's refresh token is deleted, a renamed one's moves with it (in the
/// background: the keychain may take a moment).
fn follow_stored_login(ctx: &Context, (old, new): (String, Option<String>)) {
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let store = ctx.token_store().await;
        let result = tokio::task::spawn_blocking(move || match new {
            None => store.delete(&old).map(drop),
            Some(new) => store.rename(&old, &new),
        })
        .await;
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let _ = ctx
                    .tx
                    .send(Msg::Error(format!("The stored login was not updated: {e}")));
            }
            Err(e) => tracing::warn!(error = %e, "stored login not updated"),
        }
    });
}

/// Runs a record detail effect: the drafts file (written only when `ctx` has a data
/// directory) and the browser. Returns the message for the model, if any.
pub fn record_effect(effect: RecordEffect, ctx: &Context) -> Option<Msg> {
    let (req, outcome) =
        match effect {
            RecordEffect::WriteDrafts(drafts) => {
                let dir = ctx.data_dir.as_ref()?;
                return super::record_detail::write_drafts(dir, &drafts)
                    .err()
                    .map(|e| {
                        tracing::warn!(error = %e, "drafts not written");
                        Msg::Error(format!("Drafts could not be written: {e}"))
                    });
            }
            RecordEffect::OpenUrl { req, url } => (
                req,
                RecordOutcome::Opened((ctx.opener)(&url).map_err(|e| {
                    format!("No browser could be opened ({e}); the record is at {url}")
                })),
            ),
        };
    Some(Msg::Done {
        req,
        outcome: Outcome::Record(outcome),
    })
}
