//! Downloading a query job's results through `SfClient` against the mock org over real HTTP:
//! parallel chunks listed by `resultPages` (API 58.0+) against page by page by locator — the
//! same CSV byte for byte, in order when chunks finish out of order, retried chunks, a cut
//! download resumed from its cursor, the TUI's steps, and the fallbacks (below v58.0, a 404).
#![cfg(feature = "mock-org")]

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sfterm::mock_org::{FaultKind, MockOrg, MockOrgConfig};
use sfterm::sf::bulk::{
    BulkError, BulkJob, DownloadOptions, DownloadSummary, PollOptions, ResultCursor, write_csv_page,
};
use sfterm::sf::{ApiVersion, RetryPolicy, SfClient};

const SOQL: &str = "SELECT Id, Name, Industry FROM Account ORDER BY Name";

/// 100 Accounts, results in pages (and chunks) of 7 rows: 15 chunks, listed in 3 answers.
async fn org() -> MockOrg {
    MockOrg::start(MockOrgConfig {
        records: 100,
        bulk_polls_in_progress: 0,
        bulk_page_size: 7,
        ..Default::default()
    })
    .await
    .expect("mock org starts")
}

fn client(org: &MockOrg, version: u16, attempts: u32) -> SfClient {
    let mut c = common::org::connection(org);
    c.api_version = Some(ApiVersion(version));
    c.timeout = Duration::from_secs(10);
    c.retry = RetryPolicy {
        attempts,
        first_delay: Duration::from_millis(5),
        ..RetryPolicy::default()
    };
    SfClient::new(c).expect("client")
}

async fn completed_job(client: &SfClient) -> BulkJob {
    let job = client.create_query_job(SOQL, false).await.expect("create");
    let fast = PollOptions {
        initial: Duration::from_millis(5),
        max: Duration::from_millis(20),
        factor: 2.0,
        timeout: Duration::from_secs(10),
    };
    client
        .wait_for_query_job(&job.id, fast, |_| {})
        .await
        .expect("complete")
}

fn options(concurrency: usize) -> DownloadOptions {
    DownloadOptions {
        max_records: None,
        concurrency,
        max_pages: None,
    }
}

async fn csv(
    client: &SfClient,
    job: &BulkJob,
    options: DownloadOptions,
) -> (Vec<u8>, DownloadSummary) {
    let mut out = Vec::new();
    let summary = client
        .download_query_job_csv(job, options, &mut out)
        .await
        .expect("download");
    (out, summary)
}

#[tokio::test]
async fn parallel_chunks_give_the_serial_csv_byte_for_byte() {
    let org = org().await;
    let client = client(&org, 60, 4);
    let job = completed_job(&client).await;

    let before = org.api_usage();
    let (serial, summary) = csv(&client, &job, options(1)).await;
    assert_eq!((summary.pages, summary.records), (15, 100));
    assert_eq!(
        org.api_usage() - before,
        15,
        "page by page: one call a page"
    );

    let before = org.api_usage();
    let (parallel, summary) = csv(&client, &job, options(4)).await;
    assert_eq!((summary.pages, summary.records), (15, 100));
    assert_eq!(summary.next, ResultCursor::Done);
    assert_eq!(
        org.api_usage() - before,
        15 + 3,
        "15 chunks and 3 answers of resultPages"
    );
    assert_eq!(
        String::from_utf8_lossy(&parallel),
        String::from_utf8_lossy(&serial)
    );
    let text = String::from_utf8(parallel).expect("utf-8");
    assert_eq!(text.matches("\"Id\",\"Name\",\"Industry\"").count(), 1);
    assert_eq!(text.lines().count(), 101);
}

#[tokio::test]
async fn chunks_finishing_out_of_order_are_handed_over_in_order() {
    let org = org().await;
    let client = client(&org, 62, 4);
    let job = completed_job(&client).await;
    let (serial, _) = csv(&client, &job, options(1)).await;
    // The first chunk's body comes 300 ms late: the three after it arrive first.
    org.slow_first_result_page(Duration::from_millis(300));
    let (parallel, _) = csv(&client, &job, options(4)).await;
    assert_eq!(
        String::from_utf8_lossy(&parallel),
        String::from_utf8_lossy(&serial)
    );
}

#[tokio::test]
async fn below_v58_and_without_result_pages_the_download_goes_page_by_page() {
    // Page by page honours maxRecords (10 rows: 10 pages); chunks do not (15 of 7 rows).
    let ten = DownloadOptions {
        max_records: Some(10),
        ..options(4)
    };
    let org = org().await;
    let old = client(&org, 57, 4);
    let job = completed_job(&old).await;
    let (by_locator, summary) = csv(&old, &job, ten).await;
    assert_eq!((summary.pages, summary.records), (10, 100));

    let new = client(&org, 60, 4);
    let job = completed_job(&new).await;
    let (chunks, summary) = csv(&new, &job, ten).await;
    assert_eq!(summary.pages, 15, "v60: chunks of the org's size");
    assert_eq!(chunks, by_locator);

    // An org (or a proxy) answering 404 for resultPages: page by page, nothing lost.
    org.fail_next(1, 404);
    let (fallback, summary) = csv(&new, &job, ten).await;
    assert_eq!((summary.pages, summary.records), (10, 100));
    assert_eq!(fallback, by_locator);
}

#[tokio::test]
async fn a_chunk_failing_for_a_while_is_retried() {
    let org = org().await;
    let retries = Arc::new(AtomicUsize::new(0));
    let seen = retries.clone();
    let client = client(&org, 60, 4).reporting_retries(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let job = completed_job(&client).await;
    let (serial, _) = csv(&client, &job, options(1)).await;
    // A 503 on the fourth call (the listing and two chunks pass), then a dropped chunk.
    org.fail_after(3, 1, 503, FaultKind::Error);
    let (parallel, _) = csv(&client, &job, options(4)).await;
    assert_eq!(retries.load(Ordering::SeqCst), 1);
    assert_eq!(parallel, serial);
    org.drop_next_result_pages(1);
    let (parallel, _) = csv(&client, &job, options(4)).await;
    assert_eq!(retries.load(Ordering::SeqCst), 2);
    assert_eq!(parallel, serial);
}

#[tokio::test]
async fn a_cut_parallel_download_resumes_from_its_cursor_every_row_once() {
    let org = org().await;
    // No retries: the first dropped chunk cuts the download.
    let client = client(&org, 60, 1);
    let job = completed_job(&client).await;
    let (serial, _) = csv(&client, &job, options(1)).await;

    let mut out = Vec::new();
    let mut pages = 0;
    let err = client
        .download_query_job(&job, ResultCursor::Start, options(4), |page, _| {
            write_csv_page(&mut out, &page.csv, pages == 0)?;
            pages += 1;
            if pages == 2 {
                org.drop_next_result_pages(1);
            }
            Ok(())
        })
        .await
        .expect_err("a dropped chunk without retries cuts the download");
    let BulkError::PageFailed {
        resume, written, ..
    } = err
    else {
        panic!("expected PageFailed, got {err:?}");
    };
    assert_eq!(written, pages * 7, "the rows of the pages handed over");
    let ResultCursor::Parallel { pending, .. } = resume.as_ref() else {
        panic!("a parallel cursor: {resume:?}");
    };
    assert!(!pending.is_empty());
    let summary = client
        .download_query_job(&job, *resume, options(4), |page, _| {
            write_csv_page(&mut out, &page.csv, false)?;
            Ok(())
        })
        .await
        .expect("resume");
    assert_eq!(summary.records + written, 100);
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&serial)
    );
}

#[tokio::test]
async fn a_download_in_steps_goes_on_from_each_cursor() {
    let org = org().await;
    let client = client(&org, 60, 4);
    let job = completed_job(&client).await;
    let (serial, _) = csv(&client, &job, options(1)).await;
    let step = DownloadOptions {
        max_pages: Some(4),
        ..options(3)
    };
    let mut out = Vec::new();
    let mut cursor = ResultCursor::Start;
    let mut steps = 0;
    while !cursor.is_done() {
        let summary = client
            .download_query_job(&job, cursor, step, |page, _| {
                let first = out.is_empty();
                write_csv_page(&mut out, &page.csv, first)?;
                Ok(())
            })
            .await
            .expect("a step");
        assert!(summary.pages <= 4);
        cursor = summary.next;
        steps += 1;
    }
    assert_eq!(steps, 4, "15 chunks in steps of at most 4");
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&serial)
    );
}
