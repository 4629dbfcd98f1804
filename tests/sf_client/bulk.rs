//! Bulk API 2.0 query jobs through `SfClient` against the mock org over real HTTP.
#![cfg(feature = "mock-org")]

use crate::common;

use std::collections::HashSet;
use std::time::Duration;

use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::sf::bulk::{BulkError, BulkJob, DownloadOptions, PollOptions};
use sfterm::sf::{ApiVersion, SfClient};

const SOQL: &str = "SELECT Id, Name FROM Account ORDER BY Name";

async fn org(records: usize, polls: u32) -> MockOrg {
    MockOrg::start(MockOrgConfig {
        records,
        bulk_polls_in_progress: polls,
        ..Default::default()
    })
    .await
    .expect("mock org starts")
}

fn client(org: &MockOrg) -> SfClient {
    let mut c = common::org::connection(org);
    c.api_version = Some(ApiVersion(60));
    c.timeout = Duration::from_secs(10);
    SfClient::new(c).expect("client")
}

fn fast() -> PollOptions {
    PollOptions {
        initial: Duration::from_millis(5),
        max: Duration::from_millis(20),
        factor: 2.0,
        timeout: Duration::from_secs(10),
    }
}

/// A query job for `SOQL`, created and polled until it is complete.
async fn completed_job(client: &SfClient) -> BulkJob {
    let job = client.create_query_job(SOQL, false).await.expect("create");
    client
        .wait_for_query_job(&job.id, fast(), |_| {})
        .await
        .expect("complete")
}

/// Page by page by locator, `max` rows a page.
fn paged(max: u32) -> DownloadOptions {
    DownloadOptions {
        max_records: Some(max),
        concurrency: 1,
        max_pages: None,
    }
}

/// The data lines of a CSV without its header (the seed data has no embedded newlines).
fn rows(csv: &[u8]) -> Vec<String> {
    String::from_utf8(csv.to_vec())
        .expect("utf-8")
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn job_goes_through_upload_complete_in_progress_job_complete() {
    let org = org(30, 2).await;
    let client = client(&org);
    let job = client.create_query_job(SOQL, false).await.expect("create");
    assert_eq!(job.state, "UploadComplete");
    assert_eq!(job.operation, "query");
    assert_eq!(job.object, "Account");
    assert_eq!(job.version(), Some(ApiVersion(60)));
    let mut seen = Vec::new();
    let done = client
        .wait_for_query_job(&job.id, fast(), |j| seen.push(j.state.clone()))
        .await
        .expect("completes");
    assert_eq!(done.state, "JobComplete");
    assert_eq!(seen, ["InProgress", "InProgress", "JobComplete"]);
    let listed = client.list_query_jobs().await.expect("list");
    assert!(listed.iter().any(|j| j.id == job.id));
    client.delete_query_job(&job.id).await.expect("delete");
    assert!(client.query_job(&job.id).await.is_err());
}

#[tokio::test]
async fn aborted_job_is_reported() {
    let org = org(10, 5).await;
    let client = client(&org);
    let job = client.create_query_job(SOQL, true).await.expect("create");
    assert_eq!(job.operation, "queryAll");
    let aborted = client.abort_query_job(&job.id).await.expect("abort");
    assert_eq!(aborted.state, "Aborted");
    let err = client
        .wait_for_query_job(&job.id, fast(), |_| {})
        .await
        .expect_err("aborted");
    assert!(matches!(err, BulkError::JobAborted { .. }), "{err:?}");
    assert!(err.to_string().contains("was aborted"), "{err}");
}

#[tokio::test]
async fn poll_budget_runs_out_with_the_last_state() {
    let org = org(10, 1000).await;
    let client = client(&org);
    let job = client.create_query_job(SOQL, false).await.expect("create");
    let poll = PollOptions {
        timeout: Duration::from_millis(50),
        ..fast()
    };
    let err = client
        .wait_for_query_job(&job.id, poll, |_| {})
        .await
        .expect_err("times out");
    match err {
        BulkError::PollTimeout { state, .. } => assert_eq!(state, "InProgress"),
        other => panic!("expected a poll timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn multi_page_download_has_one_header_and_every_row() {
    let org = org(25, 0).await;
    let client = client(&org);
    let job = completed_job(&client).await;
    let mut out = Vec::new();
    let summary = client
        .download_query_job_csv(&job, paged(10), &mut out)
        .await
        .expect("download");
    assert_eq!(summary.pages, 3);
    assert_eq!(summary.records, 25);
    let text = String::from_utf8(out.clone()).expect("utf-8");
    assert!(text.starts_with("\"Id\",\"Name\"\n"), "{text}");
    assert_eq!(text.matches("\"Id\",\"Name\"").count(), 1);
    let rows = rows(&out);
    assert_eq!(rows.len(), 25);
    assert_eq!(rows.iter().collect::<HashSet<_>>().len(), 25);
}

// A dropped or failing result page is retried by the client's one retry policy, and a download
// cut for good resumes from its locator: tests/reliability/retry.rs
// (`bulk_result_pages_are_retried_by_the_same_policy_and_a_cut_download_resumes`). Parallel
// downloads through `resultPages`: downloads.rs.

#[tokio::test]
async fn another_api_version_is_a_clear_409() {
    let org = org(5, 0).await;
    let client = client(&org);
    let job = client.create_query_job(SOQL, false).await.expect("create");
    let mut job = client
        .wait_for_query_job(&job.id, fast(), |_| {})
        .await
        .expect("complete");
    job.api_version = Some(59.0);
    let err = client
        .query_job_page(&job, None, None)
        .await
        .expect_err("409");
    assert!(matches!(err, BulkError::VersionMismatch { .. }), "{err:?}");
    assert!(err.to_string().contains("HTTP 409"), "{err}");
}

#[tokio::test]
async fn results_before_completion_are_an_error_not_data() {
    let org = org(5, 3).await;
    let client = client(&org);
    let job = client.create_query_job(SOQL, false).await.expect("create");
    let err = client
        .query_job_page(&job, None, None)
        .await
        .expect_err("412");
    assert!(
        err.to_string().contains("412") || err.to_string().contains("JOB_NOT_COMPLETE"),
        "{err}"
    );
}

/// Fetches the first result page with a plain HTTP client that does not decode gzip.
async fn raw_page(org: &MockOrg, job_id: &str, accept_gzip: bool) -> reqwest::Response {
    let http = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("http client");
    let token = common::org::token_for(org, &http).await;
    let url = org
        .instance_url()
        .join(&format!("services/data/v60.0/jobs/query/{job_id}/results"))
        .expect("url");
    let mut req = http.get(url).bearer_auth(token);
    if accept_gzip {
        req = req.header("accept-encoding", "gzip");
    }
    req.send().await.expect("results")
}

#[tokio::test]
async fn result_pages_are_gzipped_only_when_asked_and_the_client_decodes_them() {
    let org = org(40, 0).await;
    let client = client(&org);
    let job = completed_job(&client).await;

    let plain = raw_page(&org, &job.id, false).await;
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.expect("body");
    assert!(plain.starts_with(b"\"Id\",\"Name\"\n"));

    let zipped = raw_page(&org, &job.id, true).await;
    assert_eq!(
        zipped
            .headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    assert_eq!(
        zipped
            .headers()
            .get("sforce-numberofrecords")
            .and_then(|v| v.to_str().ok()),
        Some("40")
    );
    let zipped = zipped.bytes().await.expect("body");
    assert!(zipped.starts_with(&[0x1f, 0x8b]), "gzip magic");
    assert!(zipped.len() < plain.len());

    // SfClient asks for gzip and decodes it transparently: the same CSV comes out.
    let page = client.query_job_page(&job, None, None).await.expect("page");
    assert_eq!(page.csv, plain);
    assert_eq!(page.records, 40);
    assert_eq!(page.next_locator, None);
}

#[tokio::test]
async fn failed_job_reports_its_error_message() {
    let org = org(10, 5).await;
    let client = client(&org);
    let job = client.create_query_job(SOQL, false).await.expect("create");
    assert!(org.fail_query_job(
        &job.id,
        "InvalidBatch : Failed to process query: too complex"
    ));
    let err = client
        .wait_for_query_job(&job.id, fast(), |_| {})
        .await
        .expect_err("failed");
    match &err {
        BulkError::JobFailed { id, message } => {
            assert_eq!(id, &job.id);
            assert_eq!(
                message,
                "InvalidBatch : Failed to process query: too complex"
            );
        }
        other => panic!("expected JobFailed, got {other:?}"),
    }
    assert!(err.to_string().contains("failed: InvalidBatch"), "{err}");
}
