//! The default profile of the commands, through the real binary against the mock org:
//! `-p` > `SFTERM_PROFILE` > `default = true` > the only profile, `profiles set-default`,
//! `profiles add --default` and the mark in `profiles list`.
#![cfg(feature = "mock-org")]

use std::path::Path;
use std::process::{Command, Output};

use sfterm::mock_org::{MockOrg, MockOrgConfig};

use crate::common::cli::{config_dir, profile_toml};

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");
const QUERY: &str = "SELECT Id FROM Account LIMIT 1";

/// Runs the binary with `SFTERM_PROFILE` set to `env_profile` (or unset).
async fn sfterm(config: &Path, env_profile: Option<&str>, args: &[&str]) -> Output {
    let config = config.to_path_buf();
    let env_profile = env_profile.map(str::to_owned);
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(BIN);
        command
            .args(&args)
            .env("SFTERM_CONFIG_DIR", &config)
            .env("SFTERM_DATA_DIR", config.join("data"))
            .env("SFTERM_TOKEN_STORE", "file")
            .env_remove("SFTERM_PROFILE");
        if let Some(name) = env_profile {
            command.env("SFTERM_PROFILE", name);
        }
        command.output().expect("sfterm runs")
    })
    .await
    .expect("joined")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The query succeeded (the profile that logs in was used).
fn used_good(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    assert!(stdout(out).contains("001"), "{}", stdout(out));
}

/// The login failed with profile "bad" (the profile with the wrong secret was used).
fn used_bad(out: &Output) {
    assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
    assert!(
        stderr(out).contains("Login with profile \"bad\" failed"),
        "{}",
        stderr(out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_use_the_flag_then_the_env_then_the_default_profile() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig {
        records: 3,
        ..Default::default()
    })
    .await
    .expect("org");
    let profiles = format!(
        "# two orgs, no default yet\n{}\n{}",
        profile_toml("good", &org, org.client_id(), org.client_secret()),
        profile_toml("bad", &org, org.client_id(), "wrong-secret"),
    );
    let dir = config_dir(&profiles);
    let query = ["query", QUERY, "--format", "ndjson"];

    let out = sfterm(dir.path(), None, &query).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("Several profiles exist and none is the default")
            && stderr(&out).contains("sfterm profiles set-default NAME"),
        "{}",
        stderr(&out)
    );
    used_good(&sfterm(dir.path(), Some("good"), &query).await);
    let with_flag = ["-p", "bad", "query", QUERY];
    used_bad(&sfterm(dir.path(), Some("good"), &with_flag).await);
    let out = sfterm(dir.path(), Some("nope"), &query).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no profile named \"nope\" (from --profile or SFTERM_PROFILE)"),
        "{}",
        stderr(&out)
    );

    let out = sfterm(dir.path(), None, &["profiles", "set-default", "bad"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"bad\" is now the default profile"));
    let text = std::fs::read_to_string(dir.path().join("profiles.toml")).expect("read");
    assert!(text.starts_with("# two orgs, no default yet"), "{text}");
    used_bad(&sfterm(dir.path(), None, &query).await);
    used_good(&sfterm(dir.path(), Some("good"), &query).await);
    used_good(&sfterm(dir.path(), None, &["-p", "good", "query", QUERY]).await);

    let list = stdout(&sfterm(dir.path(), None, &["profiles", "list"]).await);
    let marked: Vec<&str> = list.lines().filter(|l| l.ends_with('*')).collect();
    assert_eq!(marked.len(), 1, "{list}");
    assert!(marked[0].starts_with("bad "), "{list}");
    let json = stdout(&sfterm(dir.path(), None, &["profiles", "list", "--json"]).await);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v[0]["default"], serde_json::json!(false));
    assert_eq!(v[1]["default"], serde_json::json!(true));
    let show = stdout(&sfterm(dir.path(), None, &["profiles", "show", "bad"]).await);
    assert!(show.contains("Default     yes"), "{show}");
    let show = stdout(&sfterm(dir.path(), None, &["profiles", "show", "good", "--json"]).await);
    let v: serde_json::Value = serde_json::from_str(&show).expect("JSON");
    assert_eq!(v["default"], serde_json::json!(false));

    let out = sfterm(dir.path(), None, &["profiles", "set-default", "nope"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("no profile named \"nope\""));

    // `add --default` moves the mark to the new profile.
    let add = [
        "profiles",
        "add",
        "--name",
        "again",
        "--endpoint",
        org.instance_url().as_str(),
        "--client-id",
        org.client_id(),
        "--secret-env",
        "NO_SUCH_SECRET_VAR",
        "--default",
    ];
    let out = sfterm(dir.path(), None, &add).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("It is the default profile."));
    let out = sfterm(dir.path(), None, &query).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("\"again\""), "{}", stderr(&out));

    let out = sfterm(dir.path(), None, &["profiles", "set-default", "--none"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = sfterm(dir.path(), None, &query).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    org.shutdown().await;
}
