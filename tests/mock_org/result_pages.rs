//! The parallel results listing of Bulk API 2.0 query jobs (`GET jobs/query/{id}/resultPages`,
//! bulk-ingest.md §8 and §10) on the mock org over real HTTP: at most five `resultUrl`s an
//! answer, `nextRecordsUrl` + `done`, each chunk an ordinary results call with its header row,
//! `Sforce-NumberOfRecords` and `Sforce-Locator`; 409 for another version, 412 before the job
//! is complete, 404 below v58.0.

use crate::common;

use serde_json::{Value, json};
use sfterm::mock_org::{MockOrg, MockOrgConfig};

const SOQL: &str = "SELECT Id, Name FROM Account ORDER BY Name";

struct Org {
    org: MockOrg,
    http: reqwest::Client,
    token: String,
}

impl Org {
    /// 30 Accounts, results in chunks of 4 rows (8 chunks).
    async fn start() -> Org {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let org = MockOrg::start(MockOrgConfig {
            records: 30,
            bulk_page_size: 4,
            ..Default::default()
        })
        .await
        .expect("mock org starts");
        let http = reqwest::Client::new();
        let token = common::org::token_for(&org, &http).await;
        Org { org, http, token }
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        let url = self
            .org
            .instance_url()
            .join(path.trim_start_matches('/'))
            .expect("url");
        self.http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("answer")
    }

    /// A query job created with `version` (e.g. `v60.0`); its id.
    async fn create(&self, version: &str) -> String {
        let url = self
            .org
            .instance_url()
            .join(&format!("services/data/{version}/jobs/query"))
            .expect("url");
        let job: Value = self
            .http
            .post(url)
            .bearer_auth(&self.token)
            .json(&json!({"operation": "query", "query": SOQL}))
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("json");
        job["id"].as_str().expect("id").to_owned()
    }

    /// Polls the job until it is complete.
    async fn complete(&self, version: &str, id: &str) {
        for _ in 0..5 {
            let job: Value = self
                .get(&format!("/services/data/{version}/jobs/query/{id}"))
                .await
                .json()
                .await
                .expect("json");
            if job["state"] == "JobComplete" {
                return;
            }
        }
        panic!("the job did not complete");
    }
}

/// The header row and the data lines of a CSV.
fn split(text: &str) -> (String, Vec<String>) {
    let mut lines = text.lines().map(str::to_owned);
    let header = lines.next().expect("a header row");
    (header, lines.collect())
}

#[tokio::test]
async fn result_pages_list_five_chunks_at_a_time_and_the_chunks_are_the_serial_rows() {
    let org = Org::start().await;
    let id = org.create("v60.0").await;
    let listing = format!("/services/data/v60.0/jobs/query/{id}/resultPages");

    let early = org.get(&listing).await;
    assert_eq!(early.status(), 412, "not before JobComplete");
    let early: Value = early.json().await.expect("json");
    assert_eq!(early[0]["errorCode"], "JOB_NOT_COMPLETE");
    org.complete("v60.0", &id).await;

    // The listing: 5 chunks, then the 3 left.
    let mut urls = Vec::new();
    let mut answers = Vec::new();
    let mut next = Some(listing.clone());
    while let Some(link) = next {
        let answer = org.get(&link).await;
        assert_eq!(answer.status(), 200);
        let answer: Value = answer.json().await.expect("json");
        let pages = answer["resultPages"].as_array().expect("resultPages");
        answers.push((pages.len(), answer["done"].clone()));
        for page in pages {
            let url = page["resultUrl"].as_str().expect("resultUrl");
            assert!(
                url.starts_with(&format!(
                    "/services/data/v60.0/jobs/query/{id}/results?locator="
                )),
                "{url}"
            );
            urls.push(url.to_owned());
        }
        next = answer["nextRecordsUrl"].as_str().map(str::to_owned);
        if let Some(link) = &next {
            assert!(link.starts_with(&listing), "{link}");
            assert_eq!(answer["done"], false);
        }
    }
    assert_eq!(
        answers,
        [(5, json!(false)), (3, json!(true))],
        "at most five resultUrls an answer"
    );

    // Each chunk is an ordinary results call: a header row, its count, its locator.
    let mut parallel = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        let chunk = org.get(url).await;
        assert_eq!(chunk.status(), 200);
        let count: usize = chunk.headers()["sforce-numberofrecords"]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("number");
        let locator = chunk.headers()["sforce-locator"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert_eq!(
            locator == "null",
            i == urls.len() - 1,
            "null on the last chunk only"
        );
        let (header, rows) = split(&chunk.text().await.expect("csv"));
        assert_eq!(header, "\"Id\",\"Name\"");
        assert_eq!(rows.len(), count);
        assert_eq!(count, if i < 7 { 4 } else { 2 });
        parallel.extend(rows);
    }

    // The same rows, in the same order, as paging by locator.
    let mut serial = Vec::new();
    let mut locator: Option<String> = None;
    loop {
        let mut path = format!("/services/data/v60.0/jobs/query/{id}/results");
        if let Some(l) = &locator {
            path.push_str(&format!("?locator={}", l.replace('=', "%3D")));
        }
        let page = org.get(&path).await;
        let next = page.headers()["sforce-locator"]
            .to_str()
            .expect("ascii")
            .to_owned();
        serial.extend(split(&page.text().await.expect("csv")).1);
        if next == "null" {
            break;
        }
        locator = Some(next);
    }
    assert_eq!(parallel.len(), 30);
    assert_eq!(parallel, serial);

    // Another API version than the job's: 409; below v58.0 the resource does not exist.
    let other = org
        .get(&format!("/services/data/v61.0/jobs/query/{id}/resultPages"))
        .await;
    assert_eq!(other.status(), 409);
    let bad = org.get(&format!("{listing}?locator=bm9wZQ%3D%3D")).await;
    assert_eq!(bad.status(), 400, "a locator that is not one");
    let unknown = org
        .get("/services/data/v60.0/jobs/query/750000000000000AAA/resultPages")
        .await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn result_pages_are_not_there_below_v58() {
    let org = Org::start().await;
    let id = org.create("v57.0").await;
    org.complete("v57.0", &id).await;
    let old = org
        .get(&format!("/services/data/v57.0/jobs/query/{id}/resultPages"))
        .await;
    assert_eq!(old.status(), 404);
    let pages = org
        .get(&format!("/services/data/v57.0/jobs/query/{id}/results"))
        .await;
    assert_eq!(pages.status(), 200, "paging by locator stays");
    let new = org
        .get(&format!("/services/data/v58.0/jobs/query/{id}/resultPages"))
        .await;
    assert_eq!(new.status(), 409, "v58.0 has it, but not for a v57.0 job");
}

#[tokio::test]
async fn an_empty_result_is_one_chunk_with_the_header_row() {
    let org = Org::start().await;
    let url = org
        .org
        .instance_url()
        .join("services/data/v62.0/jobs/query")
        .expect("url");
    let job: Value = org
        .http
        .post(url)
        .bearer_auth(&org.token)
        .json(&json!({"operation": "query",
            "query": "SELECT Id, Name FROM Account WHERE Name = 'nobody'"}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = job["id"].as_str().expect("id");
    org.complete("v62.0", id).await;
    let answer: Value = org
        .get(&format!("/services/data/v62.0/jobs/query/{id}/resultPages"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(answer["done"], true);
    assert_eq!(answer["nextRecordsUrl"], Value::Null);
    let url = answer["resultPages"][0]["resultUrl"]
        .as_str()
        .expect("one chunk");
    let chunk = org.get(url).await;
    assert_eq!(chunk.headers()["sforce-numberofrecords"], "0");
    assert_eq!(chunk.headers()["sforce-locator"], "null");
    assert_eq!(chunk.text().await.expect("csv"), "\"Id\",\"Name\"\n");
}
