//! Build script: `sfterm --version` names the git commit it was built from.
//!
//! From a git checkout (also what `cargo install --git` builds) the version reads
//! `0.1.0 (commit 1a2b3c4d5e6f 2026-12-06)`; from a packaged crate it takes the commit cargo
//! recorded in `.cargo_vcs_info.json`; without either (no git, not a checkout) it is the plain
//! package version. Nothing here touches the network, and a failing `git` is never an error.
//! The result is the `SFTERM_VERSION` environment variable of the crate's compilation.
//! (`tests/cli/install.rs` includes this file to test the fallbacks.)

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let package = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let commit = git_commit(&dir).or_else(|| packaged_commit(&dir));
    println!(
        "cargo:rustc-env=SFTERM_VERSION={}",
        version(&package, commit.as_ref())
    );
    // Run again when HEAD moves (a commit, a checkout), not on every source change.
    for path in watched(&dir) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    println!("cargo:rerun-if-changed=build.rs");
}

/// The commit a build comes from: its hash (12 hex digits) and its date (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub hash: String,
    pub date: Option<String>,
}

/// `0.1.0 (commit 1a2b3c4d5e6f 2026-12-06)`, or the package version alone.
pub fn version(package: &str, commit: Option<&Commit>) -> String {
    match commit {
        None => package.to_owned(),
        Some(Commit { hash, date: None }) => format!("{package} (commit {hash})"),
        Some(Commit {
            hash,
            date: Some(date),
        }) => format!("{package} (commit {hash} {date})"),
    }
}

/// `git <args>` in `dir`: its trimmed output when it succeeds with some.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_owned())
}

/// HEAD of the checkout `dir` is the root of, if it is one and git runs. A crate inside
/// another repository (a home directory kept in git, a copy in a monorepo) has no commit of
/// its own.
pub fn git_commit(dir: &Path) -> Option<Commit> {
    let top = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let line = git(dir, &["log", "-1", "--format=%H %cs"])?;
    let (hash, date) = line.split_once(' ').unwrap_or((&line, ""));
    if hash.len() < 12 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(Commit {
        hash: hash[..12].to_owned(),
        date: (!date.is_empty()).then(|| date.to_owned()),
    })
}

/// The commit `cargo package` recorded in `.cargo_vcs_info.json` (`"sha1": "..."`).
pub fn packaged_commit(dir: &Path) -> Option<Commit> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let rest = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let hash: String = rest
        .trim_start_matches([' ', ':', '"', '\n', '\t'])
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (hash.len() >= 12).then(|| Commit {
        hash: hash[..12].to_owned(),
        date: None,
    })
}

/// The files whose change means HEAD may have moved: HEAD itself, the branch it points at
/// and `packed-refs` (paths from git, so that worktrees work too).
fn watched(dir: &Path) -> Vec<PathBuf> {
    let mut names = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        names.push(branch);
    }
    names
        .iter()
        .filter_map(|name| git(dir, &["rev-parse", "--git-path", name]))
        .map(|path| dir.join(path))
        .filter(|path| path.exists())
        .collect()
}
