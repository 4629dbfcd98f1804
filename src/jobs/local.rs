//! Effects on this machine that the runtime runs at once (no network): writing
//! `profiles.toml` and opening a URL in the browser.

use std::io;

use crate::config::profiles::{Profile, ProfileStore};
use crate::effect::ProfileChange;

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
