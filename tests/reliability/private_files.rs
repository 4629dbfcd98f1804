//! Private by default (issue #22): a scripted session under `umask 022` (the usual default,
//! which makes new files 0644 and directories 0755) — the mock org with its env, CA and JWT
//! files, `profiles add`, a Postman import, `run` (a history entry), `query --out`, `export
//! --out`, then `sfterm demo` in tmux: a staged edit kept as a draft, a CSV export, a composer
//! send (a history entry) and its body saved — then walks the config and data directories:
//! every directory must be 0700 and every file 0600; the first looser one is named. A `--out`
//! file the user already had keeps its mode.
#![cfg(all(feature = "mock-org", unix))]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .expect("stat")
        .permissions()
        .mode()
        & 0o777
}

/// `sfterm <args>` started by a shell that sets `umask 022` first.
fn sfterm_umask_022(args: &[&str]) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(BIN)
        .args(args);
    command
}

/// The first directory under `dir` (itself included) that is not 0700 or file that is not 0600,
/// with its mode; `files` collects every file seen.
fn first_loose(dir: &Path, files: &mut Vec<PathBuf>) -> Option<(PathBuf, u32)> {
    let meta = std::fs::symlink_metadata(dir).expect("stat");
    let want = if meta.is_dir() { 0o700 } else { 0o600 };
    if mode(dir) != want {
        return Some((dir.to_owned(), mode(dir)));
    }
    if !meta.is_dir() {
        files.push(dir.to_owned());
        return None;
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    entries.into_iter().find_map(|e| first_loose(&e, files))
}

fn wait_until(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The mock org in its own process (`--tls --env-file`), stopped with SIGTERM on drop so it
/// removes its CA file.
struct MockOrgProcess(Child);

impl Drop for MockOrgProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

const COLLECTION: &str = r#"{
  "info": {"name": "Private", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
  "item": [
    {"name": "Limits", "request": {"method": "GET",
      "url": {"raw": "{{_endpoint}}/services/data/v62.0/limits"}}}
  ]
}"#;

#[test]
fn a_session_under_umask_022_leaves_only_private_files_and_directories() {
    let root = tempfile::tempdir().expect("temp dir");
    let (config, data) = (root.path().join("config"), root.path().join("data"));
    let named = root.path().join("named");
    let scratch = root.path().join("scratch");
    for dir in [&named, &scratch] {
        std::fs::create_dir(dir).expect("dir");
    }
    let kept = named.join("kept.csv");
    std::fs::write(&kept, "old").expect("write");
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let collection = scratch.join("private.postman_collection.json");
    std::fs::write(&collection, COLLECTION).expect("collection");

    // The mock org writes its env file (with the client secret), its CA and the JWT key pair.
    let env_file = scratch.join("org.env");
    let org = MockOrgProcess(
        sfterm_umask_022(&["mock-org", "--port", "0", "--tls", "--env-file"])
            .arg(&env_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mock org starts"),
    );
    wait_until("the env file", || {
        std::fs::metadata(&env_file).is_ok_and(|m| m.len() > 0)
    });
    let env = std::fs::read_to_string(&env_file).expect("env file");
    let var = |name: &str| -> String {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} in {env}"))
            .to_owned()
    };
    let mock_files = [
        env_file.clone(),
        PathBuf::from(var("SF_CA_FILE")),
        PathBuf::from(var("SF_JWT_KEY_FILE")),
        PathBuf::from(var("SF_JWT_CERT_FILE")),
    ];
    for file in &mock_files {
        assert_eq!(mode(file), 0o600, "{} is not private", file.display());
    }

    let cli = |args: &[&str]| {
        let out = sfterm_umask_022(args)
            .env("SFTERM_CONFIG_DIR", &config)
            .env("SFTERM_DATA_DIR", &data)
            .env("SF_CLIENT_SECRET", var("SF_CLIENT_SECRET"))
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "sfterm {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (instance, client_id, ca) = (
        var("SF_INSTANCE_URL"),
        var("SF_CLIENT_ID"),
        var("SF_CA_FILE"),
    );
    cli(&[
        "profiles",
        "add",
        "--name",
        "Mock",
        "--endpoint",
        &instance,
        "--client-id",
        &client_id,
        "--secret-env",
        "SF_CLIENT_SECRET",
        "--ca-file",
        &ca,
    ]);
    cli(&[
        "requests",
        "import-postman",
        collection.to_str().expect("utf-8"),
    ]);
    cli(&["run", "Private/Limits"]);
    let (new_out, export_out) = (named.join("new.csv"), named.join("export.csv"));
    let soql = "SELECT Id, Name FROM Account LIMIT 5";
    for out in [&new_out, &kept] {
        let out = out.to_str().expect("utf-8");
        cli(&["query", soql, "--format", "csv", "--out", out]);
    }
    cli(&[
        "export",
        "SELECT Id, Name FROM Account",
        "--out",
        export_out.to_str().expect("utf-8"),
    ]);
    drop(org);

    // The demo in a real terminal: a draft, an export, a composer send, its body saved.
    let tmux = Tmux::joining_lines(format!("sfterm-private-{}", std::process::id()));
    tmux.start(
        200,
        50,
        &format!(
            "umask 022; SFTERM_CONFIG_DIR={} SFTERM_DATA_DIR={} {BIN} demo; echo __EXIT=$?; \
             sleep 30",
            config.display(),
            data.display()
        ),
    );
    let keys = |keys: &[&str], what: &str, text: &str| {
        let mut args = vec!["send-keys", "-t", "app"];
        args.extend_from_slice(keys);
        tmux.run(&args);
        tmux.wait_for(what, |s| s.contains(text));
    };
    tmux.wait_for("the demo org's Accounts", |s| {
        s.contains("● active") && s.contains("loaded")
    });
    keys(&["1", "Enter"], "the record", "API name");
    keys(&["e", " X", "Enter"], "a staged edit", "(staged)");
    keys(&["Escape"], "the leave question", "keep as draft");
    keys(&["k"], "the draft kept", "as a draft");
    keys(&["x"], "the export path", "Export to:");
    keys(&["Enter"], "the export", "Exported ");
    keys(&["2"], "the demo requests", "Get customer by id");
    keys(
        &["j", "j", "Enter"],
        "the request open",
        "Get customer by id · f5",
    );
    keys(&["F5"], "the response", "200 OK");
    keys(&["l", "s"], "the save prompt", "save body to:");
    tmux.run(&["send-keys", "-t", "app", "Enter"]);
    let body = data.join("demo/responses/body.txt");
    wait_until("the saved body", || {
        std::fs::metadata(&body).is_ok_and(|m| m.len() > 0)
    });
    tmux.run(&["send-keys", "-t", "app", "q"]);
    let screen = tmux.wait_for("the demo to exit", |s| s.contains("__EXIT="));
    assert!(screen.contains("__EXIT=0"), "{screen}");

    let mut files = Vec::new();
    for dir in [&config, &data] {
        if let Some((path, mode)) = first_loose(dir, &mut files) {
            panic!("{} is {mode:04o}: others can read it", path.display());
        }
    }
    // The walk saw what the session wrote (else it proves nothing).
    let relative: Vec<String> = files
        .iter()
        .map(|f| {
            f.strip_prefix(root.path())
                .expect("under root")
                .display()
                .to_string()
        })
        .collect();
    for expected in [
        "config/profiles.toml",
        "data/history.jsonl",
        "data/requests/Private/limits.toml",
        "data/sfterm.log",
        "data/demo/history.jsonl",
        "data/demo/drafts.json",
        "data/demo/responses/body.txt",
    ] {
        assert!(
            relative.iter().any(|f| f == expected),
            "{expected} in {relative:?}"
        );
    }
    assert!(
        relative
            .iter()
            .any(|f| f.starts_with("data/exports/Account-")),
        "the TUI's export in {relative:?}"
    );
    assert_eq!(mode(&new_out), 0o600, "a new --out file");
    assert_eq!(mode(&export_out), 0o600, "a new export file");
    assert_eq!(mode(&kept), 0o644, "a file the user had keeps its mode");
    assert!(
        std::fs::read_to_string(&kept).expect("read").contains("Id"),
        "and was written"
    );
}

/// A big log is rotated when logging starts; the copy of an older, readable log is among the
/// files the start makes private.
#[test]
fn a_big_log_is_rotated_at_start_and_its_readable_copy_made_private() {
    use sfterm::config::paths;
    let data = tempfile::tempdir().expect("data dir");
    std::fs::set_permissions(data.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let log = data.path().join(paths::LOG_FILE);
    let big = usize::try_from(paths::LOG_ROTATE_BYTES).expect("fits") + 1;
    std::fs::write(&log, vec![b'.'; big]).expect("big log");
    std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    let (path, guard) = sfterm::logging::init(data.path(), "info").expect("logging");
    drop(guard);
    assert_eq!(path, log);
    let first = data.path().join("sfterm.log.1");
    assert_eq!(
        std::fs::metadata(&first).expect("rotated").len() as usize,
        big
    );
    assert!(std::fs::metadata(&log).expect("new log").len() < 1000);
    assert_eq!(mode(&log), 0o600, "the new log");

    let config = data.path().join("no-config");
    let done = sfterm::private_fs::tighten(&paths::own_files(&config, data.path()));
    let changed: Vec<&PathBuf> = done.changed.iter().map(|(p, _)| p).collect();
    assert_eq!(changed, vec![&first], "{:?}", done.notice(9));
    assert_eq!(mode(&first), 0o600);
}
