//! The README's "Install" section run as written.
//!
//! Its ```sh blocks run in one bash in this checkout, with a scratch `HOME` and a scratch
//! `CARGO_HOME` (so `cargo install` puts `sfterm` in the scratch `$CARGO_HOME/bin`, first on
//! `PATH`): `cargo install --locked --path .`, `sfterm --version`, the completion lines of the
//! three shells and the man page lines. Two things differ from a user's machine, neither in the
//! lines themselves: the scratch `CARGO_HOME` shares this machine's registry (offline: no
//! network), and the release profile is made cheap through cargo's `CARGO_PROFILE_RELEASE_*`
//! settings (no optimisation, no LTO, no debug info, incremental) with its own target directory,
//! `target/install-check`, kept between runs. What is tested is the install itself (the
//! locked resolution, where the binary lands, that it runs), not the optimiser; a first run
//! builds the dependencies once (minutes), later runs rebuild sfterm only.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::version::{expected_version, show};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The bodies of the ```sh blocks of the README's "## Install" section, in order.
fn install_blocks() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README.md");
    let start = readme.find("\n## Install\n").expect("an Install section");
    let section = &readme[start + 1..];
    let section = match section[3..].find("\n## ") {
        Some(end) => &section[..end + 3],
        None => section,
    };
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        match current.as_mut() {
            None if line == "```sh" => current = Some(String::new()),
            None => {}
            Some(_) if line == "```" => blocks.extend(current.take()),
            Some(body) => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    blocks
}

/// The cargo home this test runs under (for its registry).
fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME")
}

/// A scratch cargo home that shares `real`'s registry and configuration (mirrors).
fn scratch_cargo_home(real: &Path, scratch: &Path) {
    std::fs::create_dir_all(scratch).expect("scratch CARGO_HOME");
    std::os::unix::fs::symlink(real.join("registry"), scratch.join("registry"))
        .expect("share the registry");
    for config in ["config.toml", "config"] {
        if real.join(config).exists() {
            std::fs::copy(real.join(config), scratch.join(config)).expect("copy cargo config");
        }
    }
}

/// Runs `script` with bash in `dir` with `env`, killed after `limit`.
fn bash(dir: &Path, env: &[(&str, String)], script: &str, limit: Duration) -> Output {
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env_remove("MANPATH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command.spawn().expect("bash starts");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(output) => output.expect("bash output"),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("still running after {limit:?}:\n{script}");
        }
    }
}

#[test]
fn the_readme_install_lines_install_a_working_sfterm() {
    let blocks = install_blocks();
    assert_eq!(
        blocks.len(),
        3,
        "install, completions, man page: {blocks:?}"
    );
    assert!(
        blocks[0].starts_with("cargo install --locked --path .\n"),
        "{}",
        blocks[0]
    );
    let scratch = tempfile::tempdir().expect("temp dir");
    let home = scratch.path().join("home");
    std::fs::create_dir_all(&home).expect("scratch HOME");
    let cargo_home = scratch.path().join("cargo-home");
    scratch_cargo_home(&self::cargo_home(), &cargo_home);
    // The toolchain this test was built with (not a rustup proxy, which would look for its
    // toolchains under the scratch HOME).
    let cargo = std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from);
    let toolchain_bin = cargo.parent().map(Path::to_path_buf).unwrap_or_default();
    let path = format!(
        "{}:{}:{}",
        cargo_home.join("bin").display(),
        toolchain_bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let env = [
        ("HOME", home.display().to_string()),
        ("CARGO_HOME", cargo_home.display().to_string()),
        ("PATH", path),
        ("CARGO_NET_OFFLINE", "true".to_owned()),
        (
            "CARGO_TARGET_DIR",
            Path::new(ROOT)
                .join("target/install-check")
                .display()
                .to_string(),
        ),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0".to_owned()),
        ("CARGO_PROFILE_RELEASE_DEBUG", "false".to_owned()),
        ("CARGO_PROFILE_RELEASE_INCREMENTAL", "true".to_owned()),
        ("CARGO_PROFILE_RELEASE_LTO", "off".to_owned()),
        ("MANPAGER", "cat".to_owned()),
        ("PAGER", "cat".to_owned()),
        ("MANWIDTH", "100".to_owned()),
    ];
    let mut script = String::new();
    for (i, block) in blocks.iter().enumerate() {
        script.push_str(block);
        script.push_str(&format!("echo '__install block {i} done__'\n"));
    }
    // What the lines promise: sfterm from the scratch CARGO_HOME, bash completing it, the
    // zsh and fish scripts where their shells look, the man page beside the binary.
    script.push_str(
        "test \"$(command -v sfterm)\" = \"$CARGO_HOME/bin/sfterm\"\n\
         complete -p sfterm\n\
         head -1 ~/.zfunc/_sfterm\n\
         grep -c 'complete -c sfterm' ~/.config/fish/completions/sfterm.fish\n\
         man -w sfterm\n",
    );
    let output = bash(Path::new(ROOT), &env, &script, Duration::from_secs(3600));
    assert!(output.status.success(), "{}", show(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for i in 0..blocks.len() {
        assert!(
            stdout.contains(&format!("__install block {i} done__")),
            "{}",
            show(&output)
        );
    }
    assert!(
        stdout.lines().any(|l| l == expected_version()),
        "`sfterm --version` says {:?}:\n{}",
        expected_version(),
        show(&output)
    );
    assert!(
        stdout.contains("-F _sfterm sfterm") && stdout.contains("#compdef sfterm"),
        "{}",
        show(&output)
    );
    let man_page = cargo_home.join("share/man/man1/sfterm.1");
    assert!(
        stdout.contains(&format!(
            "{}/bin/../share/man/man1/sfterm.1",
            cargo_home.display()
        )) || stdout.contains(&man_page.display().to_string()),
        "`man -w sfterm` finds the page beside the binary:\n{}",
        show(&output)
    );
    // `man sfterm` printed the page: its subcommands are there.
    assert!(stdout.contains("sfterm profiles add"), "{}", show(&output));
}
