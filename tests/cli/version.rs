//! `sfterm --version`: the package version and the commit of the checkout it was built from
//! (build.rs, included here to test its fallbacks).

use std::path::Path;
use std::process::{Command, Output, Stdio};

#[allow(dead_code)] // the build script's `main` and what only it uses
#[path = "../../build.rs"]
mod build_script;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_sfterm");

/// What `sfterm --version` prints for this checkout: the package version and, when git knows
/// this checkout, its HEAD commit (what build.rs computes).
pub fn expected_version() -> String {
    let dir = Path::new(ROOT);
    let commit = build_script::git_commit(dir).or_else(|| build_script::packaged_commit(dir));
    format!(
        "sfterm {}",
        build_script::version(env!("CARGO_PKG_VERSION"), commit.as_ref())
    )
}

pub fn run(command: &mut Command) -> Output {
    command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{command:?} starts: {e}"))
}

pub fn show(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn version_names_the_commit_of_the_checkout() {
    let output = run(Command::new(BIN).arg("--version"));
    assert!(output.status.success(), "{}", show(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim_end(),
        expected_version()
    );
}

/// A fresh git repository with one commit in a temporary directory.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for args in [
        &["init", "-q"][..],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "first",
        ],
    ] {
        let output = run(Command::new("git").arg("-C").arg(dir.path()).args(args));
        assert!(output.status.success(), "git {args:?}: {}", show(&output));
    }
    dir
}

#[test]
fn the_version_falls_back_cleanly_without_a_checkout() {
    use build_script::{Commit, git_commit, packaged_commit, version};

    let repo = repository();
    let head = run(Command::new("git")
        .arg("-C")
        .arg(repo.path())
        .args(["rev-parse", "HEAD"]));
    let head = String::from_utf8_lossy(&head.stdout).trim().to_owned();
    let commit = git_commit(repo.path()).expect("a checkout has a commit");
    assert_eq!(commit.hash, head[..12]);
    assert!(
        commit.date.as_deref().is_some_and(|d| d.len() == 10),
        "{commit:?}"
    );

    // A directory inside a checkout is not one: no commit (a crate copied into another
    // repository, a home directory kept in git).
    let inner = repo.path().join("vendor/sfterm");
    std::fs::create_dir_all(&inner).expect("a subdirectory");
    assert_eq!(git_commit(&inner), None);

    // No checkout at all, or git missing: the plain version.
    let plain = tempfile::tempdir().expect("temp dir");
    assert_eq!(git_commit(plain.path()), None);
    assert_eq!(packaged_commit(plain.path()), None);
    assert_eq!(version("0.1.0", None), "0.1.0");

    // A packaged crate: the commit cargo recorded.
    std::fs::write(
        plain.path().join(".cargo_vcs_info.json"),
        "{\n  \"git\": {\n    \"sha1\": \"0123456789abcdef0123456789abcdef01234567\"\n  },\n  \"path_in_vcs\": \"\"\n}",
    )
    .expect("vcs info");
    let packaged = packaged_commit(plain.path()).expect("the recorded commit");
    assert_eq!(
        version("0.1.0", Some(&packaged)),
        "0.1.0 (commit 0123456789ab)"
    );
    assert_eq!(
        version(
            "0.1.0",
            Some(&Commit {
                hash: "0123456789ab".into(),
                date: Some("2026-12-06".into()),
            })
        ),
        "0.1.0 (commit 0123456789ab 2026-12-06)"
    );
}
