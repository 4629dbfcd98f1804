//! `sfterm profiles import-sf`: the Salesforce CLI's orgs become "sf" profiles. The CLI is the
//! stand-in script `sf-stand-in/sf` (the JSON shapes of auth-flows.md §4), reached through
//! SFTERM_SF_BIN or PATH by the real binary, and directly for the numbered prompt.
#![cfg(all(feature = "mock-org", unix))]

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::cli::Buffer;
use serde_json::Value;
use sfterm::commands::profiles::{ImportSfArgs, import_sf};
use sfterm::commands::{Context, EXIT_FAILURE, EXIT_USAGE};
use sfterm::config::{Flow, ProfileStore};
use sfterm::sf::sfcli::SfCli;

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");

fn stand_in_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/sf-stand-in")
}

/// How the binary finds `sf`.
enum Sf<'a> {
    /// SFTERM_SF_BIN names this program.
    Bin(&'a Path),
    /// `sf` is looked up on this PATH (SFTERM_SF_BIN unset).
    Path(String),
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `sfterm profiles import-sf ARGS` (or any `profiles` command) with the config in `dir`;
/// `state` is the stand-in's SF_STAND_IN, its calls are logged to `dir/sf-calls`.
fn sfterm(dir: &Path, sf: Sf<'_>, state: &str, args: &[&str]) -> Run {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("SFTERM_CONFIG_DIR", dir)
        .env("SFTERM_DATA_DIR", dir.join("data"))
        .env("SF_STAND_IN", state)
        .env("SF_STAND_IN_LOG", dir.join("sf-calls"))
        .env_remove("SFTERM_SF_BIN");
    match sf {
        Sf::Bin(program) => command.env("SFTERM_SF_BIN", program),
        Sf::Path(path) => command.env("PATH", path),
    };
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("run sfterm");
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn stand_in() -> PathBuf {
    stand_in_dir().join("sf")
}

fn calls(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("sf-calls"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn profiles(dir: &Path) -> ProfileStore {
    ProfileStore::load(&dir.join("profiles.toml")).expect("profiles.toml")
}

#[test]
fn all_adds_every_org_once_with_its_instance_and_skips_them_the_second_time() {
    let dir = tempfile::tempdir().expect("temp");
    let sf = stand_in();
    let run = sfterm(
        dir.path(),
        Sf::Bin(&sf),
        "orgs",
        &["profiles", "import-sf", "--all"],
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(calls(dir.path()), ["org list --json"], "statuses asked for");
    let out = &run.stdout;
    for line in [
        "Added profile \"acme\" (Salesforce CLI org acme, https://acme.my.salesforce.com)",
        "Added profile \"uat\" (Salesforce CLI org uat, https://acme--uat.sandbox.my.salesforce.com)",
        "  Its CLI login has expired: run `sf org login web --alias uat --instance-url \
         https://acme--uat.sandbox.my.salesforce.com` before connecting.",
        "Added profile \"hub\"",
        "Added profile \"test-abc@example.com\"",
        "4 profiles added to",
    ] {
        assert!(out.contains(line), "{line:?} in:\n{out}");
    }
    assert_eq!(out.matches("has expired").count(), 1, "{out}");
    assert!(!out.contains("REDACTED") && !run.stderr.contains("REDACTED"));

    let store = profiles(dir.path());
    let names: Vec<&str> = store.profiles().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["acme", "uat", "hub", "test-abc@example.com"]);
    let toml = std::fs::read_to_string(dir.path().join("profiles.toml")).expect("toml");
    assert!(
        !toml.contains("auth_style") && !toml.contains("secret"),
        "{toml}"
    );
    let uat = store.get("uat").expect("uat");
    assert_eq!(uat.flow, Flow::SfCli { org: "uat".into() });
    assert_eq!(uat.endpoint, "https://acme--uat.sandbox.my.salesforce.com");
    assert!(uat.validate().is_empty(), "{:?}", uat.validate());
    assert_eq!(
        store.get("test-abc@example.com").expect("scratch").flow,
        Flow::SfCli {
            org: "test-abc@example.com".into()
        }
    );

    // The environment badge knows each org before connecting (a scratch org's My Domain is
    // not a sandbox one: treated as production, like any other My Domain).
    let list = sfterm(
        dir.path(),
        Sf::Bin(&sf),
        "orgs",
        &["profiles", "list", "--json"],
    );
    let v: Value = serde_json::from_str(&list.stdout).expect("JSON");
    let kinds: Vec<&str> = (0..4)
        .map(|i| v[i]["kind"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(kinds, ["my-domain", "sandbox", "my-domain", "my-domain"]);

    let again = sfterm(
        dir.path(),
        Sf::Bin(&sf),
        "orgs",
        &["profiles", "import-sf", "--all"],
    );
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert!(
        again
            .stdout
            .contains("Skipped acme: it is already the profile \"acme\".")
            && again.stdout.contains("Nothing added."),
        "{}",
        again.stdout
    );
    assert_eq!(profiles(dir.path()).profiles().len(), 4);
}

#[test]
fn named_orgs_from_sf_on_path_and_a_taken_name() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(
        dir.path().join("profiles.toml"),
        "[[profile]]\nname = \"uat\"\nendpoint = \"https://acme--uat.sandbox.my.salesforce.com\"\n\
         client_id = \"3MVG9\"\n",
    )
    .expect("profiles");
    let path = format!(
        "{}:{}",
        stand_in_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = sfterm(
        dir.path(),
        Sf::Path(path.clone()),
        "orgs",
        &[
            "profiles",
            "import-sf",
            "uat",
            "HUB@acme.com",
            "uat",
            "--skip-connection-status",
        ],
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(
        calls(dir.path()),
        ["org list --skip-connection-status --json"]
    );
    assert!(
        run.stdout.contains("Added profile \"uat (sf)\""),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("expired"),
        "status not checked: {}",
        run.stdout
    );
    let store = profiles(dir.path());
    let names: Vec<&str> = store.profiles().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["uat", "uat (sf)", "hub"]);
    assert_eq!(store.get("uat").expect("cc").flow, Flow::ClientCredentials);
    assert_eq!(
        store.get("hub").expect("hub").flow,
        Flow::SfCli { org: "hub".into() }
    );

    // An unknown name: exit 2, the known ones listed, nothing added.
    let before = std::fs::read_to_string(dir.path().join("profiles.toml")).expect("read");
    let run = sfterm(
        dir.path(),
        Sf::Path(path),
        "orgs",
        &["profiles", "import-sf", "acme", "prod"],
    );
    assert_eq!(run.code, Some(i32::from(EXIT_USAGE)), "{}", run.stderr);
    assert!(
        run.stderr.contains("The Salesforce CLI has no org \"prod\" (it lists acme, uat, hub, test-abc@example.com)."),
        "{}",
        run.stderr
    );
    let after = std::fs::read_to_string(dir.path().join("profiles.toml")).expect("read");
    assert_eq!(before, after);
}

#[test]
fn a_missing_sf_says_how_to_install_it() {
    let dir = tempfile::tempdir().expect("temp");
    let empty = tempfile::tempdir().expect("empty PATH dir");
    let missing = dir.path().join("no-such-sf");
    for sf in [
        Sf::Bin(&missing),
        Sf::Path(empty.path().display().to_string()),
    ] {
        let run = sfterm(dir.path(), sf, "orgs", &["profiles", "import-sf", "--all"]);
        assert_eq!(run.code, Some(i32::from(EXIT_FAILURE)), "{}", run.stderr);
        for needle in [
            "Salesforce CLI not found",
            "npm install --global @salesforce/cli",
            "SFTERM_SF_BIN",
        ] {
            assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
        }
    }
    assert!(!dir.path().join("profiles.toml").exists());
}

#[test]
fn no_orgs_and_a_failing_cli_are_explained() {
    let dir = tempfile::tempdir().expect("temp");
    let sf = stand_in();
    let run = sfterm(
        dir.path(),
        Sf::Bin(&sf),
        "none",
        &["profiles", "import-sf", "--all"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("The Salesforce CLI is not logged in to any org. Log one in first: `sf org login web --alias NAME`"),
        "{}",
        run.stdout
    );
    let run = sfterm(
        dir.path(),
        Sf::Bin(&sf),
        "none",
        &["profiles", "import-sf", "acme"],
    );
    assert_eq!(run.code, Some(i32::from(EXIT_USAGE)), "{}", run.stderr);
    assert!(
        run.stderr.contains("not logged in to any org"),
        "{}",
        run.stderr
    );

    let run = sfterm(
        dir.path(),
        Sf::Bin(&sf),
        "failing",
        &["profiles", "import-sf", "--all"],
    );
    assert_eq!(run.code, Some(i32::from(EXIT_FAILURE)), "{}", run.stderr);
    assert!(
        run.stderr.contains("Salesforce CLI failed")
            && run.stderr.contains("Error reading the auth files"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("profiles.toml").exists());
}

fn context(dir: &Path, out: &Buffer) -> Context {
    Context {
        config_dir: dir.to_path_buf(),
        profile: None,
        stdout: Box::new(out.clone()),
        stderr_is_terminal: false,
        token_store: None,
        data_dir: Some(dir.to_path_buf()),
    }
}

#[tokio::test]
async fn on_a_terminal_the_orgs_are_chosen_from_a_numbered_list() {
    let dir = tempfile::tempdir().expect("temp");
    let cli = SfCli::with_program(stand_in());
    let out = Buffer::default();
    let answers = Cursor::new("7\n2, acme 2\n");
    import_sf(
        &ImportSfArgs::default(),
        &mut context(dir.path(), &out),
        &cli,
        Some(Box::new(answers)),
    )
    .await
    .expect("import");
    let text = out.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "The Salesforce CLI is logged in to:");
    let cells = |i: usize| lines[i].split_whitespace().collect::<Vec<_>>();
    assert_eq!(
        cells(1),
        [
            "#", "ALIAS", "USERNAME", "INSTANCE", "TYPE", "STATUS", "PROFILE"
        ]
    );
    assert_eq!(
        cells(2),
        [
            "1",
            "acme",
            "ops@acme.com",
            "https://acme.my.salesforce.com",
            "org",
            "(default)",
            "connected",
            "-"
        ]
    );
    assert_eq!(cells(3)[4..], ["sandbox", "expired", "-"]);
    assert_eq!(cells(4)[4..], ["dev", "hub", "connected", "-"]);
    assert_eq!(cells(5)[1..3], ["-", "test-abc@example.com"]);
    assert!(
        text.contains("\"7\" is not in the list: give numbers from 1 to 4, aliases or usernames."),
        "asked again: {text}"
    );
    assert_eq!(
        text.matches("Add which? Numbers (1-4)").count(),
        2,
        "{text}"
    );
    let store = profiles(dir.path());
    let names: Vec<&str> = store.profiles().iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["uat", "acme"], "in the order chosen, each once");

    // Listed again, the PROFILE column names them; the end of input adds nothing.
    let out = Buffer::default();
    import_sf(
        &ImportSfArgs::default(),
        &mut context(dir.path(), &out),
        &cli,
        Some(Box::new(Cursor::new(""))),
    )
    .await
    .expect("import");
    let text = out.text();
    assert!(
        text.lines().nth(2).is_some_and(|l| l.ends_with("acme")),
        "{text}"
    );
    assert!(text.contains("Nothing added."), "{text}");
}

#[tokio::test]
async fn without_a_terminal_the_orgs_must_be_named() {
    let dir = tempfile::tempdir().expect("temp");
    let out = Buffer::default();
    let e = import_sf(
        &ImportSfArgs::default(),
        &mut context(dir.path(), &out),
        &SfCli::with_program(stand_in()),
        None,
    )
    .await
    .expect_err("usage");
    assert_eq!(e.code, EXIT_USAGE);
    assert_eq!(
        e.message,
        "Name the orgs to add (alias or username), or pass --all."
    );
    assert!(
        out.text().contains("ops@acme.com.uat"),
        "the list is shown: {}",
        out.text()
    );
    assert!(!dir.path().join("profiles.toml").exists());
}
