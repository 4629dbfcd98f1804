//! What benchmarks against the mock org need: `query?q=...&columns=true` (column metadata, as
//! the Salesforce CLI's `sf data query` requests it to name its columns) and `--api-limit`.

use crate::common;

use serde_json::Value;

async fn columns(org: &common::org::OrgFixture, soql: &str) -> (u16, Value) {
    let url = org
        .org
        .instance_url()
        .join("services/data/v62.0/query")
        .expect("url");
    let response = org
        .client
        .get(url)
        .query(&[("q", soql), ("columns", "true")])
        .bearer_auth(&org.token)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

fn names(body: &Value) -> Vec<String> {
    body["columnMetadata"]
        .as_array()
        .expect("columnMetadata is an array")
        .iter()
        .map(|c| c["columnName"].as_str().expect("columnName").to_owned())
        .collect()
}

#[tokio::test]
async fn plain_fields_are_listed_in_select_order_without_records() {
    let org = common::org::start_with_token(30).await;
    let (status, body) = columns(&org, "SELECT id, Name, Industry FROM account").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&body), ["Id", "Name", "Industry"]);
    assert_eq!(body["entityName"], "Account");
    assert_eq!(body["keyPrefix"], "001");
    assert_eq!(body["idSelected"], true);
    assert_eq!(body["groupBy"], false);
    assert!(body.get("records").is_none(), "no records: {body}");
    let id = &body["columnMetadata"][0];
    assert_eq!(id["apexType"], "Id");
    assert_eq!(id["aggregate"], false);
    assert_eq!(id["joinColumns"], serde_json::json!([]));
    let name = &body["columnMetadata"][1];
    assert_eq!(name["apexType"], "String");
    assert_eq!(name["textType"], true);
    assert_eq!(name["updatable"], true);
}

#[tokio::test]
async fn parent_paths_nest_as_join_columns() {
    let org = common::org::start_with_token(5).await;
    let (status, body) = columns(&org, "SELECT LastName, Account.Name FROM Contact").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&body), ["LastName", "Account"]);
    assert_eq!(body["idSelected"], false);
    let account = &body["columnMetadata"][1];
    assert_eq!(account["joinColumns"][0]["columnName"], "Name");
    assert_eq!(account["joinColumns"][0]["displayName"], "Account.Name");
}

#[tokio::test]
async fn count_is_an_aggregate_column() {
    let org = common::org::start_with_token(5).await;
    let (status, body) = columns(&org, "SELECT COUNT() FROM Account").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["columnMetadata"][0]["aggregate"], true);
}

#[tokio::test]
async fn unknown_names_get_the_query_errors() {
    let org = common::org::start_with_token(5).await;
    let (status, body) = columns(&org, "SELECT Nope FROM Account").await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "INVALID_FIELD", "{body}");
    let (status, body) = columns(&org, "SELECT Id FROM Nothing").await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "INVALID_TYPE", "{body}");
    let (status, body) = columns(&org, "SELECT FROM").await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "MALFORMED_QUERY", "{body}");
}

#[test]
fn api_limit_flag_sets_the_daily_limit_for_load_tests() {
    use clap::Parser;
    use sfterm::cli::{Cli, Command};
    let parse = |args: &[&str]| match Cli::try_parse_from(args).expect("parses").command {
        Some(Command::MockOrg(args)) => args.config().api_daily_limit,
        other => panic!("not mock-org: {other:?}"),
    };
    assert_eq!(parse(&["sfterm", "mock-org"]), 15000);
    assert_eq!(
        parse(&["sfterm", "mock-org", "--api-limit", "100000000"]),
        100_000_000
    );
}
