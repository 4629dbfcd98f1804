//! Files that can hold a secret: profiles.toml is written 0600 (atomically, via a temp file); a
//! group/world-readable one is made private by the CLI at start, which says so on stderr, and
//! one it may not change (a link) holding a plain-text secret gets a warning instead;
//! a failed save (read-only config dir) shows a clear message and keeps the form and the
//! profiles in memory. (The TUI's start-up warning is in tests/reliability/tmux.rs.) Also: the
//! client secret never shows in `Debug` output of the app state (what a log line or a panic
//! message would print): not in the profile form, not at the secret prompt.
#![cfg(unix)]

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use futures::channel::mpsc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::Event;
use tokio::sync::watch;

use common::{demo_profiles, model_with, press, profile, type_text};
use sfterm::app::Runtime;
use sfterm::config::profiles::{ProfileStore, SecretSource};
use sfterm::ui::Theme;

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

fn store_with(dir: &Path, secret: SecretSource) -> ProfileStore {
    let path = dir.join("profiles.toml");
    let mut store = ProfileStore::load(&path).expect("empty store");
    let mut p = profile("Acme", "https://acme.my.salesforce.com");
    p.secret = secret;
    store.upsert(None, p).expect("add");
    store.save().expect("save");
    store
}

fn plain() -> SecretSource {
    SecretSource::Plain {
        value: "plain-secret-value".to_owned().into(),
    }
}

#[test]
fn profiles_toml_is_created_0600_and_stays_0600_when_rewritten() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = store_with(dir.path(), plain());
    let path = dir.path().join("profiles.toml");
    assert_eq!(mode(&path), 0o600);
    chmod(&path, 0o644);
    store.duplicate("Acme").expect("duplicate");
    store.save().expect("save");
    assert_eq!(
        mode(&path),
        0o600,
        "a rewrite replaces the file with a 0600 one"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "profiles.toml")
        .collect();
    assert!(leftovers.is_empty(), "no temp files left: {leftovers:?}");
}

#[test]
fn readable_plain_secret_file_is_warned_about() {
    let dir = tempfile::tempdir().expect("dir");
    let store = store_with(dir.path(), plain());
    assert_eq!(store.permission_warning(), None, "0600: no warning");
    let path = dir.path().join("profiles.toml");
    chmod(&path, 0o644);
    let store = ProfileStore::load(&path).expect("load");
    let warning = store.permission_warning().expect("a warning for 0644");
    assert!(warning.contains("chmod 600"), "{warning}");
    assert!(warning.contains("644"), "{warning}");
    assert!(!warning.contains("plain-secret-value"), "{warning}");

    // A file without a plain-text secret holds nothing to protect.
    let other = tempfile::tempdir().expect("dir");
    store_with(other.path(), SecretSource::Env { var: "X".into() });
    chmod(&other.path().join("profiles.toml"), 0o644);
    let store = ProfileStore::load(&other.path().join("profiles.toml")).expect("load");
    assert_eq!(store.permission_warning(), None);
}

fn profiles_list(dir: &Path) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .env("SFTERM_CONFIG_DIR", dir)
        .env("SFTERM_DATA_DIR", dir)
        .args(["profiles", "list"])
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_makes_a_readable_secret_file_private_and_says_so_on_stderr() {
    let dir = tempfile::tempdir().expect("dir");
    chmod(dir.path(), 0o700);
    store_with(dir.path(), plain());
    let (code, stdout, stderr) = profiles_list(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("Acme"), "{stdout}");
    assert!(!stderr.contains("warning"), "0600 is quiet: {stderr}");

    let path = dir.path().join("profiles.toml");
    chmod(&path, 0o644);
    let (code, stdout, stderr) = profiles_list(dir.path());
    assert_eq!(code, Some(0), "a warning, not a failure: {stderr}");
    assert!(stdout.contains("Acme"), "{stdout}");
    assert!(
        stderr.contains("warning: made private")
            && stderr.contains(&format!("{} (was 0644)", path.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("plain-secret-value"), "{stderr}");
    assert!(!stdout.contains("warning"), "the warning stays off stdout");
    assert_eq!(mode(&path), 0o600, "tightened");
    let (_, _, stderr) = profiles_list(dir.path());
    assert!(!stderr.contains("warning"), "nothing left to do: {stderr}");
}

/// profiles.toml as a link (to a dotfiles repository, say) is not sfterm's to chmod: the start
/// leaves the target alone, and the warning with the command to run is shown instead.
#[test]
fn cli_warns_on_stderr_about_a_readable_secret_file_it_may_not_tighten() {
    let dir = tempfile::tempdir().expect("dir");
    chmod(dir.path(), 0o700);
    let elsewhere = tempfile::tempdir().expect("dir");
    store_with(elsewhere.path(), plain());
    let target = elsewhere.path().join("profiles.toml");
    chmod(&target, 0o644);
    std::os::unix::fs::symlink(&target, dir.path().join("profiles.toml")).expect("link");
    let (code, stdout, stderr) = profiles_list(dir.path());
    assert_eq!(code, Some(0), "a warning, not a failure: {stderr}");
    assert!(stdout.contains("Acme"), "{stdout}");
    assert!(
        stderr.contains("warning:") && stderr.contains("chmod 600"),
        "{stderr}"
    );
    assert!(!stderr.contains("made private"), "{stderr}");
    assert_eq!(mode(&target), 0o644, "a link's target is left alone");
}

/// Makes saving into `dir` fail: read-only permissions, or (when running as root, which ignores
/// them) the directory replaced by a plain file.
fn break_saving(dir: &Path) {
    chmod(dir, 0o500);
    let probe = dir.join(".probe");
    if std::fs::write(&probe, "x").is_ok() {
        let _ = std::fs::remove_file(&probe);
        chmod(dir, 0o700);
        std::fs::remove_dir_all(dir).expect("remove");
        std::fs::write(dir, "not a directory").expect("file in its place");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_save_shows_the_error_and_keeps_the_form_and_profiles() {
    let root = tempfile::tempdir().expect("dir");
    let dir = root.path().join("config");
    std::fs::create_dir(&dir).expect("config dir");
    let store = store_with(&dir, plain());
    let model = common::model_with(store.profiles().to_vec());
    let terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut runtime = Runtime::new(
        model,
        Theme::default(),
        terminal,
        Some(store),
        Box::new(|_| Ok(())),
    );
    let (tx, mut frames) = watch::channel(String::new());
    runtime.observe(Box::new(move |_, terminal| {
        let _ = tx.send(terminal.backend().to_string());
    }));
    let (keys, input) = mpsc::unbounded();
    let done = tokio::spawn(runtime.run(input));
    let press = |k: &str| {
        for key in common::key_events(k) {
            keys.unbounded_send(Ok(Event::Key(key))).expect("running");
        }
    };

    break_saving(&dir);
    press("e");
    press("space r e n a m e d");
    press("ctrl-s");
    let screen = tokio::time::timeout(
        Duration::from_secs(20),
        frames.wait_for(|s| s.contains("Not saved")),
    )
    .await
    .map(|s| s.map(|s| s.clone()));
    let screen = match screen {
        Ok(Ok(s)) => s,
        _ => panic!("no error shown; last screen:\n{}", frames.borrow().clone()),
    };
    assert!(
        screen.contains("Acme renamed"),
        "the form is still open with the edit:\n{screen}"
    );

    press("ctrl-c");
    let model = done.await.expect("joined").expect("ran");
    assert!(
        matches!(model.profiles.mode, sfterm::state::profiles::Mode::Form(_)),
        "the form was kept"
    );
    let message = model.profiles.message.clone().unwrap_or_default();
    assert!(
        message.contains("profiles.toml: could not"),
        "the message names the file and what failed: {message}"
    );
    assert_eq!(model.profiles.profiles.len(), 1);
    assert_eq!(
        model.profiles.profiles[0].name, "Acme",
        "memory matches disk"
    );
    chmod(&dir, 0o700);
}

// ---- Debug output of the app state masks secrets ----

#[test]
fn profile_form_debug_masks_a_plain_secret() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "e");
    let dump = format!("{model:?}");
    assert!(dump.contains("ProfileForm"), "{dump}");
    assert!(!dump.contains("s3cr3t-value"), "{dump}");
}

#[test]
fn secret_typed_in_the_new_profile_form_is_masked() {
    let mut model = model_with(demo_profiles());
    press(&mut model, "n");
    // Name, login flow, environment, URL, client id, secret source (cycle to plain), secret value.
    type_text(&mut model, "New");
    press(&mut model, "tab tab");
    press(&mut model, "tab");
    type_text(&mut model, "https://acme.my.salesforce.com");
    press(&mut model, "tab");
    type_text(&mut model, "3MVG");
    press(&mut model, "tab right right right tab");
    type_text(&mut model, "typed-plain-secret");
    let dump = format!("{model:?}");
    assert!(!dump.contains("typed-plain-secret"), "{dump}");
}

#[test]
fn secret_prompt_debug_masks_the_typed_secret() {
    let mut p = profile("Prompted", "https://acme.my.salesforce.com");
    p.secret = SecretSource::Prompt;
    let mut model = model_with(vec![p]);
    press(&mut model, "enter");
    type_text(&mut model, "typed-at-prompt");
    let dump = format!("{model:?}");
    assert!(dump.contains("SecretPrompt"), "{dump}");
    assert!(!dump.contains("typed-at-prompt"), "{dump}");
}
