//! The Setup check engine (`sfterm::check::run`) against the mock org in every scenario: each
//! check item gets the status the scenario calls for, with evidence, a fix or what reveals it.
#![cfg(feature = "mock-org")]

use std::collections::HashMap;
use std::time::Duration;

use secrecy::SecretString;
use sfterm::check::{CheckReport, ITEM_IDS, Status};
use sfterm::mock_org::{MockOrg, MockOrgConfig, Scenario};
use sfterm::sf::{ConnectionConfig, SfClient};

async fn org(scenario: Scenario) -> MockOrg {
    MockOrg::start(MockOrgConfig {
        records: 5,
        scenario,
        ..Default::default()
    })
    .await
    .expect("mock org starts")
}

fn client_for(url: &url::Url, id: &str, secret: &str) -> SfClient {
    let mut c = ConnectionConfig::new(url.clone(), id, SecretString::from(secret.to_owned()));
    c.timeout = Duration::from_secs(20);
    SfClient::new(c).expect("client")
}

async fn check(scenario: Scenario) -> CheckReport {
    let org = org(scenario).await;
    let client = client_for(org.instance_url(), org.client_id(), org.client_secret());
    crate_check(&client).await
}

async fn crate_check(client: &SfClient) -> CheckReport {
    sfterm::check::run(client).await
}

/// `id → status` of a report.
fn statuses(report: &CheckReport) -> HashMap<&str, Status> {
    report
        .items
        .iter()
        .map(|i| (i.id.as_str(), i.status))
        .collect()
}

fn assert_status(report: &CheckReport, id: &str, status: Status) {
    let item = report.item(id).unwrap_or_else(|| panic!("no item {id}"));
    assert_eq!(item.status, status, "{id}: {item:#?}");
    assert!(!item.evidence.is_empty(), "{id} has evidence");
    match status {
        Status::Pass => {}
        Status::Warn | Status::Fail => assert!(
            item.fix.as_deref().is_some_and(|f| f.len() > 20),
            "{id} has a fix: {item:#?}"
        ),
        Status::NotVisible => assert!(item.reveal.is_some(), "{id} says what reveals it"),
    }
}

#[tokio::test]
async fn good_org_is_all_pass_or_honestly_not_visible() {
    let report = check(Scenario::Good).await;
    let ids: Vec<&str> = report.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ITEM_IDS.to_vec(), "every item, in order");
    let not_visible = ["token.tls", "login.hours"];
    for item in &report.items {
        let expected = if not_visible.contains(&item.id.as_str()) {
            Status::NotVisible
        } else {
            Status::Pass
        };
        assert_status(&report, &item.id, expected);
    }
    assert!(!report.has_failures());
    assert_eq!(
        report.username.as_deref(),
        Some("integration@sfterm-mock.example")
    );
    let evidence = |id: &str| report.item(id).expect(id).evidence.clone();
    assert!(evidence("token.scopes").contains("\"api\""));
    assert!(
        evidence("token.lifetime").contains("2h"),
        "{}",
        evidence("token.lifetime")
    );
    assert!(evidence("user.api_only").contains("Salesforce API Only System Integrations"));
    assert!(evidence("apex.class_access").contains("CustomerWS via permission set"));
    assert!(evidence("login.ip_ranges").contains("203.0.113.0"));
    assert!(evidence("apex.customer_rest_ws").contains("HTTP 500"));
    assert!(evidence("apex.customer_ws").contains("QueryException"));
}

#[tokio::test]
async fn over_privileged_user_fails_dangerous_permissions_and_warns_least_privilege() {
    let report = check(Scenario::OverPrivileged).await;
    assert_status(&report, "permissions.dangerous", Status::Fail);
    let dangerous = &report.item("permissions.dangerous").expect("item").evidence;
    for perm in [
        "Modify All Data",
        "View All Data",
        "Customize Application",
        "Author Apex",
    ] {
        assert!(dangerous.contains(perm), "{dangerous}");
    }
    assert!(dangerous.contains("profile \"System Administrator\""));
    assert_status(&report, "objects.least_privilege", Status::Warn);
    let extra = &report
        .item("objects.least_privilege")
        .expect("item")
        .evidence;
    assert!(
        extra.contains("Opportunity") && extra.contains("Case"),
        "{extra}"
    );
    assert_status(&report, "token.scopes", Status::Warn);
    assert!(
        report
            .item("token.scopes")
            .expect("item")
            .evidence
            .contains("full")
    );
    assert_status(&report, "user.api_only", Status::Warn);
    assert_status(&report, "user.license", Status::Warn);
    assert_status(&report, "user.username", Status::Warn);
    assert_status(&report, "login.ip_ranges", Status::Warn);
    assert_status(&report, "login.history", Status::Warn);
    // What is right stays right.
    assert_status(&report, "objects.lead", Status::Pass);
    assert_status(&report, "apex.customer_ws", Status::Pass);
    assert!(report.has_failures());
}

#[tokio::test]
async fn missing_lead_delete_fails_only_the_lead_item() {
    let report = check(Scenario::MissingLeadDelete).await;
    assert_status(&report, "objects.lead", Status::Fail);
    let lead = report.item("objects.lead").expect("lead");
    assert!(lead.evidence.contains("not deletable"), "{}", lead.evidence);
    assert!(
        lead.fix
            .as_deref()
            .expect("fix")
            .contains("Object Settings > Lead")
    );
    let failed: Vec<&str> = report
        .items
        .iter()
        .filter(|i| i.status == Status::Fail)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(failed, ["objects.lead"]);
    assert_status(&report, "objects.account", Status::Pass);
}

#[tokio::test]
async fn no_customerws_fails_both_probes_and_the_class_access() {
    let report = check(Scenario::NoCustomerws).await;
    assert_status(&report, "apex.customer_rest_ws", Status::Fail);
    assert_status(&report, "apex.customer_ws", Status::Fail);
    assert_status(&report, "apex.class_access", Status::Fail);
    let rest = report.item("apex.customer_rest_ws").expect("rest");
    assert!(rest.evidence.contains("403"), "{}", rest.evidence);
    assert!(
        rest.fix
            .as_deref()
            .expect("fix")
            .contains("Apex Class Access")
    );
    let soap = report.item("apex.customer_ws").expect("soap");
    assert!(soap.evidence.contains("No access"), "{}", soap.evidence);
    assert_status(&report, "objects.lead", Status::Pass);
}

#[tokio::test]
async fn setup_hidden_reports_not_visible_never_pass() {
    let report = check(Scenario::SetupHidden).await;
    for id in [
        "user.api_only",
        "permissions.dangerous",
        "apex.class_access",
        "login.ip_ranges",
        "login.history",
    ] {
        assert_status(&report, id, Status::NotVisible);
        let reveal = report.item(id).expect(id).reveal.clone().expect("reveal");
        assert!(
            reveal.contains("View Setup and Configuration"),
            "{id}: {reveal}"
        );
    }
    // Seen from outside the setup objects: still checked.
    assert_status(&report, "user.license", Status::Pass);
    assert_status(&report, "apex.customer_ws", Status::Pass);
    assert_status(&report, "objects.least_privilege", Status::Pass);
    assert!(!report.has_failures());
}

#[tokio::test]
async fn long_session_warns_about_the_lifetime() {
    let report = check(Scenario::LongSession).await;
    assert_status(&report, "token.lifetime", Status::Warn);
    let item = report.item("token.lifetime").expect("lifetime");
    assert!(item.evidence.contains("24h"), "{}", item.evidence);
    assert!(
        item.fix
            .as_deref()
            .expect("fix")
            .contains("Session Policies")
    );
    let s = statuses(&report);
    assert_eq!(s["token.scopes"], Status::Pass);
}

#[tokio::test]
async fn login_host_fails_the_endpoint_and_skips_the_rest() {
    let org = org(Scenario::Good).await;
    let client = client_for(org.login_host_url(), org.client_id(), org.client_secret());
    let report = crate_check(&client).await;
    assert_status(&report, "token.endpoint", Status::Fail);
    assert!(
        report
            .item("token.endpoint")
            .expect("endpoint")
            .fix
            .as_deref()
            .expect("fix")
            .contains("My Domain")
    );
    assert_status(&report, "token.obtained", Status::Fail);
    for id in ITEM_IDS.iter().skip(3) {
        assert_status(&report, id, Status::NotVisible);
    }
    assert_eq!(report.items.len(), ITEM_IDS.len());
}

#[tokio::test]
async fn wrong_secret_fails_the_token_with_the_diagnosis() {
    let org = org(Scenario::Good).await;
    let client = client_for(org.instance_url(), org.client_id(), "not-the-secret");
    let report = crate_check(&client).await;
    assert_status(&report, "token.obtained", Status::Fail);
    let item = report.item("token.obtained").expect("token");
    assert!(
        item.evidence.contains("invalid_client"),
        "{}",
        item.evidence
    );
    assert!(report.has_failures());
}

#[tokio::test]
async fn api_usage_near_the_limit_warns_and_at_zero_fails_the_check() {
    let org = org(Scenario::Good).await;
    org.set_api_remaining(2_000);
    let client = client_for(org.instance_url(), org.client_id(), org.client_secret());
    let report = crate_check(&client).await;
    assert_status(&report, "api.usage", Status::Warn);
    assert!(
        report
            .item("api.usage")
            .expect("usage")
            .evidence
            .contains("of 15,000")
    );
}

#[tokio::test]
async fn mock_org_refuses_lead_delete_and_hides_setup_objects_as_salesforce_does() {
    let org = org(Scenario::MissingLeadDelete).await;
    let client = client_for(org.instance_url(), org.client_id(), org.client_secret());
    let page = client
        .query("SELECT Id FROM Lead LIMIT 1")
        .await
        .expect("lead query");
    let id = page.records[0]["Id"].as_str().expect("id").to_owned();
    let e = client
        .delete_record("Lead", &id)
        .await
        .expect_err("refused");
    assert_eq!(e.error_code(), Some("INSUFFICIENT_ACCESS_OR_READONLY"));
    assert_eq!(e.status(), Some(400));
    let describe = client.describe("Lead").await.expect("describe");
    assert!(describe.queryable && describe.createable && !describe.deletable);
    let basic = client
        .send_raw(
            reqwest::Method::GET,
            "/services/data/v62.0/sobjects/Lead",
            Vec::new(),
            None,
        )
        .await
        .expect("basic info");
    let basic: serde_json::Value = serde_json::from_slice(&basic.body).expect("json");
    assert_eq!(basic["objectDescribe"]["deletable"], false, "{basic}");
    assert_eq!(basic["objectDescribe"]["updateable"], true, "{basic}");

    let hidden = self::org(Scenario::SetupHidden).await;
    let client = client_for(
        hidden.instance_url(),
        hidden.client_id(),
        hidden.client_secret(),
    );
    let e = client
        .query("SELECT Id FROM PermissionSet")
        .await
        .expect_err("hidden");
    assert_eq!(e.error_code(), Some("INVALID_TYPE"));
    let global = client.describe_global().await.expect("global");
    assert!(!global.sobjects.iter().any(|s| s.name == "LoginHistory"));
    assert!(global.sobjects.iter().any(|s| s.name == "User"));
    let users = client
        .query("SELECT Id, Username FROM User")
        .await
        .expect("users stay visible");
    assert!(users.total_size >= 1);
}

#[tokio::test]
async fn token_without_api_scope_fails_the_scopes_and_never_passes_what_it_could_not_read() {
    let org = org(Scenario::Good).await;
    let (id, secret) = org.app_without_api_scope();
    let client = client_for(org.instance_url(), id, secret);
    let report = crate_check(&client).await;
    assert_status(&report, "token.scopes", Status::Fail);
    for id in [
        "user.api_only",
        "permissions.dangerous",
        "objects.least_privilege",
        "login.history",
        "api.usage",
    ] {
        assert_ne!(report.item(id).expect(id).status, Status::Pass, "{id}");
    }
    assert!(report.has_failures());
}

#[tokio::test]
async fn broad_scopes_warn_and_nothing_else_changes() {
    let report = check(Scenario::BroadScopes).await;
    assert_status(&report, "token.scopes", Status::Warn);
    let scopes = &report.item("token.scopes").expect("scopes").evidence;
    assert!(scopes.contains("refresh_token, web"), "{scopes}");
    let warned: Vec<&str> = report
        .items
        .iter()
        .filter(|i| i.status != Status::Pass && i.status != Status::NotVisible)
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(warned, ["token.scopes"]);
}

/// Every check item in every scenario: P pass, W warn, F fail, N not visible, in
/// `ITEM_IDS` order.
#[tokio::test]
async fn every_item_in_every_scenario() {
    let matrix = [
        (Scenario::Good, "P N P P P P P P P P P P P P P P P P N P P"),
        (
            Scenario::OverPrivileged,
            "P N P W P P W W W P P P W F P P P W N W P",
        ),
        (
            Scenario::MissingLeadDelete,
            "P N P P P P P P P P P F P P P P P P N P P",
        ),
        (
            Scenario::NoCustomerws,
            "P N P P P P P P P P P P P P F F F P N P P",
        ),
        (
            Scenario::SetupHidden,
            "P N P P P P P P N P P P P N P P N N N N P",
        ),
        (
            Scenario::LongSession,
            "P N P P W P P P P P P P P P P P P P N P P",
        ),
        (
            Scenario::BroadScopes,
            "P N P W P P P P P P P P P P P P P P N P P",
        ),
        (
            Scenario::InactiveUser,
            "N N F N N F N N N N N N N N N N N N N N N",
        ),
    ];
    assert_eq!(matrix.len(), Scenario::ALL.len(), "every scenario");
    for (scenario, expected) in matrix {
        let report = check(scenario).await;
        let letters: Vec<&str> = expected.split(' ').collect();
        assert_eq!(letters.len(), ITEM_IDS.len());
        for (id, letter) in ITEM_IDS.iter().zip(letters) {
            let status = match letter {
                "P" => Status::Pass,
                "W" => Status::Warn,
                "F" => Status::Fail,
                _ => Status::NotVisible,
            };
            let item = report.item(id).expect(id);
            assert_eq!(item.status, status, "{scenario} {id}: {item:#?}");
            assert_status(&report, id, status);
        }
    }
}

#[tokio::test]
async fn server_errors_never_become_a_pass() {
    let org = org(Scenario::Good).await;
    let client = client_for(org.instance_url(), org.client_id(), org.client_secret());
    client
        .login(sfterm::sf::RenewReason::Initial)
        .await
        .expect("login");
    org.fail_next(1000, 500);
    let report = crate_check(&client).await;
    for id in [
        "user.api_only",
        "objects.account",
        "objects.least_privilege",
        "permissions.dangerous",
        "apex.class_access",
        "login.ip_ranges",
        "login.history",
        "api.usage",
    ] {
        let item = report.item(id).expect(id);
        assert_ne!(item.status, Status::Pass, "{id}: {item:#?}");
        assert!(!item.evidence.is_empty());
    }
    let usage = report.item("api.usage").expect("usage");
    assert!(usage.evidence.contains("500"), "{}", usage.evidence);
}
