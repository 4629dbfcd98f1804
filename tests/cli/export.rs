//! `sfterm export` end to end against the mock org: CSV and NDJSON files, failures.
#![cfg(feature = "mock-org")]

use serde_json::Value;
use sfterm::commands::{EXIT_FAILURE, EXIT_USAGE};
use sfterm::mock_org::{MockOrg, MockOrgConfig};

use crate::common;

use common::cli::{dir_for, run};

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
