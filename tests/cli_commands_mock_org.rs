//! The script commands against the real mock org (`sfterm::mock_org::MockOrg`): each command,
//! its failure exits, and a paged 2,500-row query.
#![cfg(feature = "mock-org")]

use std::io::Write;
use std::sync::{Arc, Mutex};

use clap::{CommandFactory, Parser};
use serde_json::{Value, json};
use sfterm::commands::{
    self, CommandError, Context, EXIT_CONFLICT, EXIT_FAILURE, EXIT_NOT_FOUND, EXIT_USAGE,
    ScriptCommand,
};
use sfterm::mock_org::{MockOrg, MockOrgConfig};

/// A stand-in for the top-level `sfterm` command line.
#[derive(Debug, Parser)]
#[command(name = "sfterm")]
struct TestCli {
    #[arg(long, short = 'p', global = true)]
    profile: Option<String>,
    #[command(subcommand)]
    command: ScriptCommand,
}

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn start(records: usize) -> MockOrg {
    MockOrg::start(MockOrgConfig {
        port: 0,
        records,
        ..Default::default()
    })
    .await
    .expect("mock org starts")
}

fn profile_toml(name: &str, org: &MockOrg, id: &str, secret: &str) -> String {
    format!(
        "[[profile]]\nname = \"{name}\"\nendpoint = \"{}\"\nclient_id = \"{id}\"\n\
         secret = {{ source = \"plain\", value = \"{secret}\" }}\n",
        org.instance_url()
    )
}

fn config_dir(profiles: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("profiles.toml"), profiles).expect("write profiles");
    dir
}

fn dir_for(org: &MockOrg) -> tempfile::TempDir {
    config_dir(&profile_toml(
        "mock",
        org,
        org.client_id(),
        org.client_secret(),
    ))
}

async fn run(dir: &std::path::Path, args: &[&str]) -> (Result<(), CommandError>, String) {
    let cli = TestCli::try_parse_from(std::iter::once("sfterm").chain(args.iter().copied()))
        .expect("arguments parse");
    let out = Buffer::default();
    let ctx = Context {
        config_dir: dir.to_path_buf(),
        profile: cli.profile,
        stdout: Box::new(out.clone()),
        stderr_is_terminal: false,
    };
    let result = commands::run(cli.command, ctx, TestCli::command()).await;
    let text = String::from_utf8(out.0.lock().expect("lock").clone()).expect("utf-8");
    (result, text)
}

/// The ids of the first `n` Accounts.
async fn account_ids(dir: &std::path::Path, n: usize) -> Vec<String> {
    let soql = format!("SELECT Id FROM Account ORDER BY Id LIMIT {n}");
    let (result, out) = run(dir, &["query", &soql, "--format", "ndjson"]).await;
    result.expect("query ids");
    out.lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("json line");
            v["Id"].as_str().expect("Id").to_string()
        })
        .collect()
}

#[tokio::test]
async fn token_against_the_mock_org() {
    let org = start(10).await;
    let dir = dir_for(&org);
    let (result, out) = run(dir.path(), &["token", "--json"]).await;
    result.expect("token");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["active"], json!(true));
    assert!(
        v["org_id"].as_str().is_some_and(|s| s.starts_with("00D")),
        "{v}"
    );
    assert!(
        v["user_id"].as_str().is_some_and(|s| s.starts_with("005")),
        "{v}"
    );
    assert!(
        v["api_usage"]["daily_max"].as_i64().is_some_and(|m| m > 0),
        "{v}"
    );
    assert!(v.get("access_token").is_none());
    let (result, out) = run(dir.path(), &["token"]).await;
    result.expect("token text");
    assert!(out.contains("Status      active"), "{out}");
}

#[tokio::test]
async fn login_failures_exit_1_with_the_diagnosis() {
    let org = start(10).await;
    let dir = config_dir(&profile_toml("mock", &org, org.client_id(), "wrong-secret"));
    let (result, _) = run(dir.path(), &["token"]).await;
    let e = result.expect_err("wrong secret");
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(
        e.message.contains("Login with profile \"mock\" failed"),
        "{}",
        e.message
    );
    assert!(e.message.contains("Fix: "), "{}", e.message);

    let (id, secret) = org.app_without_run_as_user();
    let dir = config_dir(&profile_toml("mock", &org, id, secret));
    let (result, _) = run(dir.path(), &["token"]).await;
    let e = result.expect_err("no run-as user");
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(e.message.contains("Run As"), "{}", e.message);

    let (id, secret) = org.app_without_api_scope();
    let dir = config_dir(&profile_toml("mock", &org, id, secret));
    let (result, _) = run(dir.path(), &["query", "SELECT Id FROM Account"]).await;
    let e = result.expect_err("no api scope");
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(e.message.contains("api scope"), "{}", e.message);
}

#[tokio::test]
async fn unknown_profile_exits_2() {
    let org = start(10).await;
    let dir = dir_for(&org);
    let (result, _) = run(dir.path(), &["-p", "other", "token"]).await;
    let e = result.expect_err("unknown profile");
    assert_eq!(e.code, EXIT_USAGE);
    assert!(e.message.contains("mock"), "lists the names: {}", e.message);
}

#[tokio::test]
async fn query_2500_rows_in_csv_and_ndjson() {
    let org = start(2500).await;
    let dir = dir_for(&org);
    let soql = "SELECT Id, Name FROM Account";
    let (result, out) = run(dir.path(), &["query", soql, "--all", "--format", "csv"]).await;
    result.expect("csv");
    let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 2501, "header + 2,500 rows");
    assert_eq!(lines[0], "Id,Name");

    let (result, out) = run(dir.path(), &["query", soql, "--format", "ndjson"]).await;
    result.expect("ndjson");
    assert_eq!(out.lines().count(), 2500);

    let file = dir.path().join("a.json");
    let (result, out) = run(
        dir.path(),
        &[
            "query",
            soql,
            "--format",
            "json",
            "--out",
            file.to_str().expect("utf-8"),
        ],
    )
    .await;
    result.expect("json --out");
    assert!(out.is_empty());
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    assert_eq!(v.as_array().map(Vec::len), Some(2500));

    let (result, out) = run(
        dir.path(),
        &[
            "query",
            "SELECT Name, Account.Name FROM Contact LIMIT 3",
            "--format",
            "csv",
        ],
    )
    .await;
    result.expect("parent path");
    assert!(out.starts_with("Name,Account.Name\r\n"), "{out}");
}

#[tokio::test]
async fn records_crud_and_exits_3_and_4() {
    let org = start(20).await;
    let dir = dir_for(&org);
    let ids = account_ids(dir.path(), 2).await;
    let (result, out) = run(dir.path(), &["record", "get", "Account", &ids[0], "--json"]).await;
    result.expect("get");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["Id"], json!(ids[0]));

    let (result, out) = run(
        dir.path(),
        &["record", "create", "Account", "Name=CLI Test Co"],
    )
    .await;
    result.expect("create");
    let new_id = out.trim().to_string();
    let (result, out) = run(
        dir.path(),
        &["record", "get", "Account", &new_id, "--fields", "Name"],
    )
    .await;
    result.expect("get created");
    assert!(out.contains("CLI Test Co"), "{out}");

    let (result, _) = run(
        dir.path(),
        &[
            "record",
            "update",
            "Account",
            &ids[1],
            "Name=Renamed",
            "--if-unmodified-since",
            "2000-01-01T00:00:00Z",
        ],
    )
    .await;
    assert_eq!(result.expect_err("412").code, EXIT_CONFLICT);
    let (result, _) = run(
        dir.path(),
        &["record", "update", "Account", &ids[1], "Name=Renamed"],
    )
    .await;
    result.expect("unconditional update");

    let (result, _) = run(dir.path(), &["record", "delete", "Account", &new_id]).await;
    result.expect("delete");
    let (result, _) = run(dir.path(), &["record", "get", "Account", &new_id]).await;
    assert_eq!(result.expect_err("deleted").code, EXIT_NOT_FOUND);
    let missing = sfterm::sf::id::mint("001", 999_999);
    let (result, _) = run(dir.path(), &["record", "get", "Account", &missing]).await;
    assert_eq!(result.expect_err("never existed").code, EXIT_NOT_FOUND);
}
