//! `sfterm export` end to end against the mock org: CSV and NDJSON files, failures.
#![cfg(feature = "mock-org")]

use std::io::Write;
use std::sync::{Arc, Mutex};

use clap::{CommandFactory, Parser};
use serde_json::Value;
use sfterm::commands::{self, CommandError, Context, EXIT_FAILURE, EXIT_USAGE, ScriptCommand};
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
        bulk_polls_in_progress: 0,
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

#[tokio::test]
async fn export_csv_writes_salesforce_csv_with_one_header() {
    let org = start(120).await;
    let dir = dir_for(&org);
    let file = dir.path().join("accounts.csv");
    let path = file.to_str().expect("utf-8 path");
    let (result, out) = run(
        dir.path(),
        &[
            "export",
            "SELECT Id, Name FROM Account ORDER BY Name",
            "--out",
            path,
        ],
    )
    .await;
    result.expect("export");
    assert_eq!(out, "", "nothing on stdout");
    let text = std::fs::read_to_string(&file).expect("read export");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "\"Id\",\"Name\"");
    assert_eq!(lines.len(), 121);
    assert!(lines[1].starts_with("\"001"), "{}", lines[1]);
}

#[tokio::test]
async fn export_ndjson_converts_rows_to_objects() {
    let org = start(40).await;
    let dir = dir_for(&org);
    let file = dir.path().join("contacts.ndjson");
    let path = file.to_str().expect("utf-8 path");
    let (result, _) = run(
        dir.path(),
        &[
            "export",
            "SELECT Id, LastName, Account.Name FROM Contact",
            "--out",
            path,
            "--format",
            "ndjson",
            "--all",
        ],
    )
    .await;
    result.expect("export");
    let text = std::fs::read_to_string(&file).expect("read export");
    let objects: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert!(!objects.is_empty());
    for o in &objects {
        assert!(
            o["Id"].as_str().is_some_and(|s| s.starts_with("003")),
            "{o}"
        );
        assert!(o.get("Account.Name").is_some(), "{o}");
    }
}

#[tokio::test]
async fn export_failures_exit_nonzero() {
    let org = start(5).await;
    let dir = dir_for(&org);
    let file = dir.path().join("x.csv");
    let path = file.to_str().expect("utf-8 path");
    let (result, _) = run(dir.path(), &["export", " ", "--out", path]).await;
    assert_eq!(result.expect_err("empty SOQL").code, EXIT_USAGE);
    let (result, _) = run(
        dir.path(),
        &["export", "SELECT COUNT() FROM Account", "--out", path],
    )
    .await;
    let e = result.expect_err("aggregates are refused");
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(!file.exists(), "no file for a job that never ran");
}

/// `sfterm export` whose download loses its connection mid-way: the page is fetched again with
/// the locator it stopped at, and the file has every row once.
#[tokio::test]
async fn an_interrupted_export_resumes_from_the_last_locator() {
    let org = MockOrg::start(MockOrgConfig {
        port: 0,
        records: 250,
        bulk_polls_in_progress: 0,
        bulk_page_size: 100,
        ..Default::default()
    })
    .await
    .expect("mock org starts");
    org.drop_next_result_pages(1);
    let dir = dir_for(&org);
    let file = dir.path().join("accounts.csv");
    let path = file.to_str().expect("utf-8 path");
    let (result, _) = run(
        dir.path(),
        &[
            "export",
            "SELECT Id, Name, Industry FROM Account",
            "--out",
            path,
        ],
    )
    .await;
    result.expect("export survives one dropped page");
    let text = std::fs::read_to_string(&file).expect("read export");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "\"Id\",\"Name\",\"Industry\"");
    assert_eq!(lines.len(), 251, "header + 250 rows");
    let ids: std::collections::HashSet<&str> = lines[1..]
        .iter()
        .filter_map(|l| l.split(',').next())
        .collect();
    assert_eq!(ids.len(), 250, "no row twice, none missing");
    let faults: Value = reqwest::get(format!("{}__mock/faults", org.instance_url()))
        .await
        .expect("faults")
        .json()
        .await
        .expect("json");
    assert_eq!(
        faults["drop_result_pages"], 0,
        "the drop was used: {faults}"
    );
}
