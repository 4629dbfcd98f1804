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

/// `sfterm export` in parallel chunks (the default) writes the file `--concurrency 1` (page by
/// page) writes, byte for byte, also when the first chunk arrives last; in CSV and NDJSON.
#[tokio::test]
async fn parallel_export_is_the_page_by_page_file_byte_for_byte() {
    let org = MockOrg::start(MockOrgConfig {
        port: 0,
        records: 1000,
        bulk_polls_in_progress: 0,
        bulk_page_size: 37,
        ..Default::default()
    })
    .await
    .expect("mock org starts");
    let dir = dir_for(&org);
    let soql = "SELECT Id, Name, Industry, AnnualRevenue, CreatedDate FROM Account";
    let export = async |name: &str, format: &str, concurrency: Option<&str>| {
        let file = dir.path().join(name);
        let path = file.to_str().expect("utf-8 path");
        let mut args = vec!["export", soql, "--out", path, "--format", format];
        if let Some(n) = concurrency {
            args.extend(["--concurrency", n]);
        }
        let (result, _) = run(dir.path(), &args).await;
        result.expect("export");
        std::fs::read(&file).expect("read export")
    };
    let serial = export("serial.csv", "csv", Some("1")).await;
    assert_eq!(String::from_utf8_lossy(&serial).lines().count(), 1001);
    // 28 chunks of 37 rows, listed five at a time; the first one comes 200 ms late.
    org.slow_first_result_page(std::time::Duration::from_millis(200));
    let before = org.api_usage();
    let parallel = export("parallel.csv", "csv", Some("4")).await;
    assert_eq!(
        org.api_usage() - before,
        2 + 28 + 6,
        "chunks through resultPages"
    );
    assert!(parallel == serial, "the same file, byte for byte");
    let serial = export("serial.ndjson", "ndjson", Some("1")).await;
    let parallel = export("parallel.ndjson", "ndjson", None).await;
    assert_eq!(String::from_utf8_lossy(&serial).lines().count(), 1000);
    assert!(parallel == serial, "the same NDJSON, byte for byte");
}
