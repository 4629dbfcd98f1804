//! Bulk API 2.0 query jobs on the mock org over real HTTP.

use crate::common;

use serde_json::{Value, json};

#[tokio::test]
async fn query_job_lifecycle_and_csv_pages() {
    let common::org::OrgFixture { org, client, token } = common::org::start_with_token(30).await;
    let token = token.as_str();
    let url = |p: &str| org.instance_url().join(p).expect("url");

    let created: Value = client
        .post(url("services/data/v60.0/jobs/query"))
        .bearer_auth(token)
        .json(&json!({"operation": "query",
            "query": "SELECT Id, LastName, Account.Name, CreatedDate FROM Contact ORDER BY LastName"}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    assert_eq!(created["state"], "UploadComplete");
    assert_eq!(created["object"], "Contact");
    assert_eq!(created["apiVersion"], json!(60.0));
    let id = created["id"].as_str().expect("job id");
    assert!(id.starts_with("750"));
    let job_url = format!("services/data/v60.0/jobs/query/{id}");

    // Results before completion are refused.
    let early = client
        .get(url(&format!("{job_url}/results")))
        .bearer_auth(token)
        .send()
        .await
        .expect("results");
    assert_eq!(early.status(), 412);

    let mut states = Vec::new();
    for _ in 0..3 {
        let info: Value = client
            .get(url(&job_url))
            .bearer_auth(token)
            .send()
            .await
            .expect("poll")
            .json()
            .await
            .expect("json");
        states.push(info["state"].as_str().expect("state").to_owned());
    }
    assert_eq!(states, ["InProgress", "JobComplete", "JobComplete"]);

    let mut rows = Vec::new();
    let mut locator: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut request = client
            .get(url(&format!("{job_url}/results")))
            .query(&[("maxRecords", "12")])
            .bearer_auth(token);
        if let Some(l) = &locator {
            request = request.query(&[("locator", l.as_str())]);
        }
        let response = request.send().await.expect("results");
        assert_eq!(response.status(), 200);
        let count: usize = response.headers()["sforce-numberofrecords"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("number");
        let next = response.headers()["sforce-locator"]
            .to_str()
            .expect("ascii")
            .to_owned();
        let text = response.text().await.expect("csv");
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("\"Id\",\"LastName\",\"Account.Name\",\"CreatedDate\"")
        );
        let page: Vec<String> = lines.map(str::to_owned).collect();
        assert_eq!(page.len(), count);
        rows.extend(page);
        pages += 1;
        if next == "null" {
            break;
        }
        locator = Some(next);
    }
    assert_eq!(rows.len(), 30, "30 accounts have 0+1+2 contacts in turn");
    assert_eq!(pages, 3);
    assert!(rows[0].starts_with("\"003"));
    assert!(
        rows[0].ends_with("Z\"") && !rows[0].contains("+0000"),
        "{}",
        rows[0]
    );

    let other_version = client
        .get(url(&format!("services/data/v61.0/jobs/query/{id}/results")))
        .bearer_auth(token)
        .send()
        .await
        .expect("results");
    assert_eq!(other_version.status(), 409);
    let deleted = client
        .delete(url(&job_url))
        .bearer_auth(token)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 204);
    let gone = client
        .get(url(&job_url))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    assert_eq!(gone.status(), 404);
}

/// #21: a REST query answers a parent-to-child subquery with nested results; a Bulk API 2.0
/// query job refuses it, as Salesforce does.
#[tokio::test]
async fn subqueries_nest_over_rest_and_are_refused_by_bulk() {
    let common::org::OrgFixture { org, client, token } = common::org::start_with_token(10).await;
    let token = token.as_str();
    let url = |p: &str| org.instance_url().join(p).expect("url");
    let soql = "SELECT Name, (SELECT LastName, Account.Name FROM Contacts ORDER BY LastName) \
                FROM Account ORDER BY Name";

    let page: Value = client
        .get(url("services/data/v60.0/query"))
        .query(&[("q", soql)])
        .bearer_auth(token)
        .send()
        .await
        .expect("query")
        .json()
        .await
        .expect("json");
    let records = page["records"].as_array().expect("records");
    let mut counted = 0;
    for account in records {
        match &account["Contacts"] {
            Value::Null => {}
            sub => {
                let children = sub["records"].as_array().expect("child records");
                assert_eq!(sub["totalSize"], json!(children.len()), "{sub}");
                assert_eq!(sub["done"], json!(true));
                assert_eq!(children[0]["attributes"]["type"], "Contact");
                assert_eq!(children[0]["Account"]["Name"], account["Name"], "{sub}");
                counted += children.len();
            }
        }
    }
    assert!(
        counted > 0,
        "the seeded contacts are found under their accounts"
    );

    let refused = client
        .post(url("services/data/v60.0/jobs/query"))
        .bearer_auth(token)
        .json(&json!({"operation": "query", "query": soql}))
        .send()
        .await
        .expect("create");
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(
        body[0]["message"],
        json!("Aggregate Relationships not supported in Bulk Query with CSV content type")
    );
}
