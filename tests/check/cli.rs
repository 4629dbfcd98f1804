//! `sfterm check` against the mock org: the table, the JSON shape, and the exit codes (0 when
//! nothing fails, 1 on any Fail, 2 for usage errors).
#![cfg(feature = "mock-org")]

use serde_json::Value;
use sfterm::commands::{EXIT_FAILURE, EXIT_USAGE};
use sfterm::mock_org::{MockOrg, MockOrgConfig, Scenario};

use crate::common;

use common::cli::{dir_with_secret, run};

async fn start(scenario: Scenario) -> MockOrg {
    MockOrg::start(MockOrgConfig {
        records: 5,
        scenario,
        ..Default::default()
    })
    .await
    .expect("mock org starts")
}

#[tokio::test]
async fn good_org_prints_the_table_and_exits_0() {
    let org = start(Scenario::Good).await;
    let dir = dir_with_secret(&org, org.client_secret());
    let (result, out) = run(dir.path(), &["check"]).await;
    result.expect("no failures: exit 0");
    assert!(out.starts_with("Setup check of profile \"mock\""), "{out}");
    assert!(
        out.contains("PASS         Lead: read, create, edit, delete"),
        "{out}"
    );
    assert!(
        out.contains("NOT VISIBLE  Login hours on the profile"),
        "{out}"
    );
    assert!(
        out.contains("To see it: Look at Setup > Users > Profiles"),
        "{out}"
    );
    assert!(
        out.contains("19 pass, 0 warn, 0 fail, 2 not visible"),
        "{out}"
    );
    assert!(!out.contains(org.client_secret()));
}

#[tokio::test]
async fn json_has_the_stable_shape_and_warnings_exit_0() {
    let org = start(Scenario::LongSession).await;
    let dir = dir_with_secret(&org, org.client_secret());
    let (result, out) = run(dir.path(), &["check", "--json"]).await;
    result.expect("a Warn is not a failure");
    let v: Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(v["profile"], "mock");
    assert_eq!(v["ok"], true);
    assert_eq!(v["username"], "integration@sfterm-mock.example");
    assert_eq!(v["counts"]["warn"], 1);
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), sfterm::check::ITEM_IDS.len());
    for item in items {
        for key in ["id", "title", "status", "evidence", "fix", "reveal"] {
            assert!(item.get(key).is_some(), "{key} in {item}");
        }
    }
    let lifetime = items
        .iter()
        .find(|i| i["id"] == "token.lifetime")
        .expect("lifetime");
    assert_eq!(lifetime["status"], "warn");
    let hours = items
        .iter()
        .find(|i| i["id"] == "login.hours")
        .expect("hours");
    assert_eq!(hours["status"], "not_visible");
    assert!(!out.contains(org.client_secret()));
}

#[tokio::test]
async fn any_fail_exits_1_with_json_still_printed() {
    for scenario in [
        Scenario::MissingLeadDelete,
        Scenario::OverPrivileged,
        Scenario::NoCustomerws,
    ] {
        let org = start(scenario).await;
        let dir = dir_with_secret(&org, org.client_secret());
        let (result, out) = run(dir.path(), &["check", "--json"]).await;
        let e = result.expect_err("a Fail exits 1");
        assert_eq!(e.code, EXIT_FAILURE, "{scenario}");
        assert!(
            e.message.starts_with("The Setup check failed"),
            "{}",
            e.message
        );
        let v: Value = serde_json::from_str(&out).expect("JSON printed before the exit");
        assert_eq!(v["ok"], false, "{scenario}");
        assert!(v["counts"]["fail"].as_u64().expect("fails") >= 1);
    }
}

#[tokio::test]
async fn failed_login_is_a_failed_check_and_unknown_profile_is_usage() {
    let org = start(Scenario::Good).await;
    let dir = dir_with_secret(&org, "not-the-secret");
    let (result, out) = run(dir.path(), &["check"]).await;
    assert_eq!(result.expect_err("fails").code, EXIT_FAILURE);
    assert!(out.contains("FAIL         Access token obtained"), "{out}");
    let (result, _) = run(dir.path(), &["check", "--profile", "nope"]).await;
    assert_eq!(result.expect_err("usage").code, EXIT_USAGE);
}
