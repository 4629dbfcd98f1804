//! Effects on this machine that the runtime runs at once (no network, no terminal): writing
//! `profiles.toml` and the drafts file, copying, opening a URL in the browser.

use std::io;

use super::Context;
use crate::config::profiles::{Profile, ProfileStore};
use crate::effect::ProfileChange;
use crate::msg::{Msg, Outcome};
use crate::state::record_detail::job::{RecordEffect, RecordOutcome};

/// Opens a URL in the browser (`xdg-open` / `open`; a capture in tests).
pub type Opener = Box<dyn Fn(&str) -> io::Result<()> + Send + Sync>;

/// Opens a URL with the platform's opener, without waiting for it. `NotFound` when none exists.
pub fn system_opener(url: &str) -> io::Result<()> {
    let candidates: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else {
        &["xdg-open", "open"]
    };
    for program in candidates {
        match std::process::Command::new(program)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
        {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        "no opener (xdg-open/open)",
    ))
}

/// Applies `change` to the store and writes `profiles.toml`; returns the profiles as now
/// stored. On failure the store is left as it was, in memory and on disk. `None`: the file
/// could not be read at start, so it is never written.
pub fn save_profiles(
    store: Option<&mut ProfileStore>,
    change: ProfileChange,
) -> Result<Vec<Profile>, String> {
    let Some(store) = store else {
        return Err("profiles.toml could not be read, so it is not written either".into());
    };
    let before = store.clone();
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
        Ok(()) => Ok(store.profiles().to_vec()),
        Err(e) => {
            *store = before; // keep memory and disk in step
            Err(e.to_string())
        }
    }
}

/// Runs a record detail effect that needs no terminal (all but `EditExternally`, which the
/// runtime runs): the drafts file (written only when `ctx` has a data directory), the
/// clipboard, the browser. Returns the message for the model, if any.
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
            RecordEffect::Copy { req, text } => (
                req,
                RecordOutcome::Copied(ctx.copy(&text).map_err(|e| e.to_string())),
            ),
            RecordEffect::OpenUrl { req, url } => (
                req,
                RecordOutcome::Opened((ctx.opener)(&url).map_err(|e| {
                    format!("No browser could be opened ({e}); the record is at {url}")
                })),
            ),
            RecordEffect::EditExternally { .. } => return None,
        };
    Some(Msg::Done {
        req,
        outcome: Outcome::Record(outcome),
    })
}
