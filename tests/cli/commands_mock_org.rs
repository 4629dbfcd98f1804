//! The script commands against the real mock org (`sfterm::mock_org::MockOrg`): each command,
//! its failure exits, and a paged 2,500-row query.
#![cfg(feature = "mock-org")]

use serde_json::{Value, json};
use sfterm::commands::{EXIT_CONFLICT, EXIT_FAILURE, EXIT_NOT_FOUND, EXIT_USAGE};
use sfterm::mock_org::{MockOrg, MockOrgConfig};

use crate::common;

use common::cli::{config_dir, dir_for, profile_toml, run};

async fn start(records: usize) -> MockOrg {
    MockOrg::start(MockOrgConfig {
        port: 0,
        records,
        ..Default::default()
    })
    .await
    .expect("mock org starts")
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

/// #21: nested parents become dotted columns in CSV and table output, without `attributes`;
/// JSON keeps Salesforce's nesting (without `attributes`, as documented for `--format`).
#[tokio::test]
async fn query_flattens_parents_two_levels_deep_in_csv_and_table() {
    let org = start(10).await;
    let dir = dir_for(&org);
    let soql = "SELECT Name, Account.Name, Account.Owner.Name FROM Contact \
                WHERE AccountId != null ORDER BY Account.Name LIMIT 3";
    let (result, out) = run(dir.path(), &["query", soql, "--format", "csv"]).await;
    result.expect("csv");
    let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "Name,Account.Name,Account.Owner.Name");
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.split(',').all(|cell| !cell.is_empty())),
        "{out}"
    );
    assert!(!out.contains("attributes"), "{out}");

    let (result, out) = run(dir.path(), &["query", soql, "--format", "table"]).await;
    result.expect("table");
    let header = out.lines().next().unwrap_or_default();
    assert!(
        header.contains("Account.Name") && header.contains("Account.Owner.Name"),
        "{out}"
    );
    assert!(!out.contains("attributes") && !out.contains('{'), "{out}");

    let (result, out) = run(dir.path(), &["query", soql, "--format", "json"]).await;
    result.expect("json");
    let v: Value = serde_json::from_str(&out).expect("json");
    let first = &v[0];
    assert!(first["Account"]["Owner"]["Name"].is_string(), "{first}");
    assert!(
        first.get("Account.Name").is_none(),
        "not flattened: {first}"
    );
}
