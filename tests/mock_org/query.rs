//! The mock org's query API over real HTTP: paging (2000 + 500), batchSize, queryAll,
//! parent paths and SOQL errors.

use crate::common;

use serde_json::{Value, json};
use sfterm::mock_org::{MockOrg, MockOrgConfig};

async fn start(records: usize) -> (MockOrg, reqwest::Client, String) {
    let common::org::OrgFixture { org, client, token } =
        common::org::start_with_token(records).await;
    (org, client, token)
}

async fn get(
    org: &MockOrg,
    client: &reqwest::Client,
    token: &str,
    path: &str,
    batch: Option<usize>,
) -> (u16, Value) {
    let mut request = client
        .get(org.instance_url().join(path).expect("url"))
        .bearer_auth(token);
    if let Some(n) = batch {
        request = request.header("Sforce-Query-Options", format!("batchSize={n}"));
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// Follows `nextRecordsUrl` to the end; returns the page sizes and all records.
async fn all_pages(
    org: &MockOrg,
    client: &reqwest::Client,
    token: &str,
    first: &str,
    batch: Option<usize>,
) -> (Vec<usize>, Vec<Value>) {
    let (status, mut page) = get(org, client, token, first, batch).await;
    assert_eq!(status, 200, "{page}");
    let total = page["totalSize"].as_u64().expect("totalSize");
    let mut sizes = Vec::new();
    let mut records = Vec::new();
    loop {
        let batch_records = page["records"].as_array().expect("records").clone();
        assert_eq!(page["totalSize"].as_u64(), Some(total));
        sizes.push(batch_records.len());
        records.extend(batch_records);
        if page["done"] == json!(true) {
            assert!(page.get("nextRecordsUrl").is_none());
            break;
        }
        let next = page["nextRecordsUrl"]
            .as_str()
            .expect("nextRecordsUrl")
            .to_owned();
        assert!(next.starts_with("/services/data/v62.0/query/01g"), "{next}");
        let (status, body) = get(org, client, token, &next, batch).await;
        assert_eq!(status, 200, "{body}");
        page = body;
    }
    assert_eq!(records.len() as u64, total);
    (sizes, records)
}

#[tokio::test]
async fn pages_2000_then_500_and_batch_size() {
    let (org, client, token) = start(2600).await;
    let q = "services/data/v62.0/query?q=SELECT+Id,+Name+FROM+Account+ORDER+BY+Name+LIMIT+2500";
    let (sizes, records) = all_pages(&org, &client, &token, q, None).await;
    assert_eq!(sizes, [2000, 500]);
    let mut ids: Vec<&str> = records.iter().filter_map(|r| r["Id"].as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 2500, "no record twice");

    let (sizes, _) = all_pages(&org, &client, &token, q, Some(500)).await;
    assert_eq!(sizes, [500; 5]);
    // batchSize is clamped to 200..=2000.
    let (sizes, _) = all_pages(&org, &client, &token, q, Some(50)).await;
    assert_eq!(sizes.first(), Some(&200));

    let (status, body) = get(
        &org,
        &client,
        &token,
        "services/data/v62.0/query/01gDn0000000001AAA-2000",
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "INVALID_QUERY_LOCATOR");
}

#[tokio::test]
async fn query_shapes_query_all_and_errors() {
    let (org, client, token) = start(40).await;
    let (status, body) = get(
        &org,
        &client,
        &token,
        "services/data/v62.0/query?q=SELECT+Id,+LastName,+Account.Name+FROM+Contact+LIMIT+3",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let record = &body["records"][0];
    assert_eq!(record["attributes"]["type"], "Contact");
    assert_eq!(record["Account"]["attributes"]["type"], "Account");
    assert!(record["Account"]["Name"].is_string());

    let (_, count) = get(
        &org,
        &client,
        &token,
        "services/data/v62.0/query?q=SELECT+COUNT()+FROM+Lead",
        None,
    )
    .await;
    assert_eq!(count["totalSize"], 20);
    assert_eq!(count["records"], json!([]));

    // Fields never set are null, in SELECT output and in filters.
    let (status, body) = get(
        &org,
        &client,
        &token,
        "services/data/v62.0/query?q=SELECT+Id,+Fax+FROM+Account+WHERE+Fax+=+null+ORDER+BY+Fax+NULLS+LAST",
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalSize"], 40);
    assert_eq!(body["records"][0]["Fax"], Value::Null);

    // Delete one lead: query no longer sees it, queryAll does.
    let (_, first) = get(
        &org,
        &client,
        &token,
        "services/data/v62.0/query?q=SELECT+Id+FROM+Lead+LIMIT+1",
        None,
    )
    .await;
    let id = first["records"][0]["Id"].as_str().expect("id");
    let deleted = client
        .delete(
            org.instance_url()
                .join(&format!("services/data/v62.0/sobjects/Lead/{id}"))
                .expect("url"),
        )
        .bearer_auth(&token)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    let (_, count) = get(
        &org,
        &client,
        &token,
        "services/data/v62.0/query?q=SELECT+COUNT()+FROM+Lead",
        None,
    )
    .await;
    assert_eq!(count["totalSize"], 19);
    let (_, count) = get(
        &org,
        &client,
        &token,
        "services/data/v62.0/queryAll?q=SELECT+COUNT()+FROM+Lead",
        None,
    )
    .await;
    assert_eq!(count["totalSize"], 20);

    for (q, code) in [
        ("SELECT+Id+FRM+Account", "MALFORMED_QUERY"),
        ("SELECT+Foo+FROM+Account", "INVALID_FIELD"),
        ("SELECT+Id+FROM+Foo", "INVALID_TYPE"),
    ] {
        let (status, body) = get(
            &org,
            &client,
            &token,
            &format!("services/data/v62.0/query?q={q}"),
            None,
        )
        .await;
        assert_eq!(status, 400, "{q}");
        assert_eq!(body[0]["errorCode"], code, "{body}");
        assert!(body[0]["message"].is_string());
    }
}

#[tokio::test]
async fn oldest_cursor_is_released_and_pretty_print() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = MockOrgConfig {
        records: 500,
        max_query_cursors: 1,
        ..Default::default()
    };
    let org = MockOrg::start(config).await.expect("start");
    let client = reqwest::Client::new();
    let token = &common::org::token_for(&org, &client).await;
    let q = "services/data/v62.0/query?q=SELECT+Id+FROM+Account";
    let (_, first) = get(&org, &client, token, q, Some(200)).await;
    let (_, second) = get(&org, &client, token, q, Some(200)).await;
    let old = first["nextRecordsUrl"].as_str().expect("next");
    let new = second["nextRecordsUrl"].as_str().expect("next");
    assert_eq!(get(&org, &client, token, old, None).await.0, 400);
    assert_eq!(get(&org, &client, token, new, None).await.0, 200);

    let text = client
        .get(
            org.instance_url()
                .join("services/data/v62.0/limits")
                .expect("url"),
        )
        .bearer_auth(token)
        .header("X-PrettyPrint", "1")
        .send()
        .await
        .expect("limits")
        .text()
        .await
        .expect("text");
    assert!(text.contains("\n  \""), "indented: {text}");
    assert!(serde_json::from_str::<Value>(&text).is_ok());
}
