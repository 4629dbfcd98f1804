//! The retry policy (docs/reliability.md, "Transient failures"): what is retried, how long the
//! client waits (recorded by the client's clock, never waited for), what is never repeated,
//! and long reads that resume — against the mock org over HTTP on 127.0.0.1.
#![cfg(feature = "mock-org")]

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Map, Value, json};
use sfterm::mock_org::{FaultKind, MockOrg, MockOrgConfig};
use sfterm::sf::bulk::{BulkError, DownloadOptions, PollOptions, ResultCursor};
use sfterm::sf::{ApiError, ApiVersion, QueryOptions, RetryNotice, RetryPolicy, SfClient};

use crate::common::org::{WaitRecorder, connection, recorded_client};

async fn org(records: usize) -> MockOrg {
    let _ = rustls::crypto::ring::default_provider().install_default();
    MockOrg::start(MockOrgConfig {
        records,
        bulk_polls_in_progress: 0,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org starts")
}

/// A logged-in client (default policy: 4 tries) whose waits are recorded, not waited for.
async fn client(org: &MockOrg) -> (SfClient, Arc<WaitRecorder>) {
    recorded_client(connection(org)).await
}

/// Every record Id of `soql`, page by page (`batch` rows a page).
async fn all_ids(client: &SfClient, soql: &str, batch: u32) -> (Vec<String>, u64) {
    let opts = QueryOptions {
        batch_size: Some(batch),
        ..QueryOptions::default()
    };
    let mut pages = client.query_stream(soql, opts);
    let mut ids = Vec::new();
    let mut count = 0;
    while let Some(page) = pages.next().await {
        count += 1;
        for record in page
            .expect("every page arrives")
            .parse()
            .expect("page")
            .records
        {
            ids.push(record["Id"].as_str().expect("id").to_owned());
        }
    }
    (ids, count)
}

fn once_each(ids: &[String]) -> usize {
    ids.iter().collect::<HashSet<_>>().len()
}

fn named(name: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("Name".into(), json!(name));
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5000_row_query_meeting_two_503s_gets_every_row_once_after_their_retry_after() {
    let org = org(5000).await;
    let (client, clock) = client(&org).await;
    client.api_version().await.expect("version");
    org.fail_next(2, 503);
    let (ids, _) = all_ids(&client, "SELECT Id, Name FROM Account", 2000).await;
    assert_eq!(ids.len(), 5000);
    assert_eq!(once_each(&ids), 5000, "every row exactly once");
    assert_eq!(
        clock.waits(),
        [Duration::from_secs(1), Duration::from_secs(1)],
        "waited what the 503s' Retry-After asked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_reset_in_the_middle_of_a_page_is_retried_by_its_next_records_url() {
    let org = org(5000).await;
    let (client, clock) = client(&org).await;
    client.api_version().await.expect("version");
    // The first page passes; the second is cut by a reset after its first bytes.
    org.fail_after(1, 1, 200, FaultKind::ResetMidBody);
    let (ids, pages) = all_ids(&client, "SELECT Id FROM Account", 2000).await;
    assert_eq!((ids.len(), once_each(&ids), pages), (5000, 5000, 3));
    assert_eq!(clock.waits().len(), 1, "one retry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_query_meeting_one_503_on_page_20_of_25_loses_nothing() {
    // 25 pages of 200 rows (the 50,000-row case with small pages, to stay fast).
    let org = org(5000).await;
    let (client, clock) = client(&org).await;
    client.api_version().await.expect("version");
    let notices = Arc::new(Mutex::new(Vec::<RetryNotice>::new()));
    let seen = notices.clone();
    let client = client.reporting_retries(move |n| seen.lock().expect("lock").push(n.clone()));
    org.fail_after(19, 1, 503, FaultKind::Error);
    let (ids, pages) = all_ids(&client, "SELECT Id FROM Account", 200).await;
    assert_eq!((ids.len(), once_each(&ids), pages), (5000, 5000, 25));
    assert_eq!(clock.waits(), [Duration::from_secs(1)]);
    let notices = notices.lock().expect("lock").clone();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].to_string(), "retrying (2/4) after 503…");
    assert!(
        notices[0].request.starts_with("GET /services/data/v")
            && notices[0].request.contains("/query/"),
        "the page's nextRecordsUrl, no query string: {}",
        notices[0].request
    );
}

#[tokio::test]
async fn each_kind_of_transient_failure_is_retried_for_a_read_with_a_growing_wait() {
    let org = org(20).await;
    let (client, clock) = client(&org).await;
    client.api_version().await.expect("version");
    let cases: [(u16, FaultKind, Option<&str>); 7] = [
        (502, FaultKind::Html, None),
        (504, FaultKind::Html, None),
        (500, FaultKind::Error, Some("UNKNOWN_EXCEPTION")),
        (500, FaultKind::Error, Some("UNABLE_TO_LOCK_ROW")),
        (403, FaultKind::Error, None),
        (200, FaultKind::ResetMidBody, None),
        (200, FaultKind::Drop, None),
    ];
    for (status, kind, code) in cases {
        match code {
            Some(code) => org.fail_next_with(3, status, Some(code), None),
            None => org.fail_next_kind(3, status, kind),
        }
        let before = clock.waits().len();
        let limits = client.limits().await;
        assert!(limits.is_ok(), "{status} {kind:?} {code:?}: {limits:?}");
        let waits = clock.waits()[before..].to_vec();
        assert_eq!(waits.len(), 3, "{status} {kind:?}: {waits:?}");
        for (wait, cap) in waits.iter().zip([500, 1000, 2000]) {
            assert!(
                *wait <= Duration::from_millis(cap),
                "{status} {kind:?}: full jitter below {cap} ms: {waits:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_failure_that_lasts_gives_up_after_the_tries_and_leaves_the_rest() {
    let org = org(5).await;
    let (client, clock) = client(&org).await;
    client.api_version().await.expect("version");
    org.fail_next_kind(10, 502, FaultKind::Html);
    let e = client.limits().await.expect_err("lasts");
    assert!(matches!(e, ApiError::GaveUp { attempts: 4, .. }), "{e:?}");
    assert_eq!(clock.waits().len(), 3);
    let faults: Value = reqwest::get(org.instance_url().join("__mock/faults").expect("url"))
        .await
        .expect("admin")
        .json()
        .await
        .expect("json");
    assert_eq!(faults["fail_next"]["remaining"], json!(6), "asked 4 times");
}

#[tokio::test]
async fn retry_after_is_waited_exactly_and_one_beyond_the_budget_is_not() {
    let org = org(5).await;
    let (client, clock) = client(&org).await;
    client.api_version().await.expect("version");
    let admin = org.instance_url().join("__mock/faults").expect("url");
    let http = reqwest::Client::new();
    let set = |body: Value| http.post(admin.clone()).json(&body).send();
    set(json!({"fail_next": 1, "status": 503, "retry_after": 7}))
        .await
        .expect("admin");
    client.limits().await.expect("after 7 s");
    assert_eq!(clock.waits(), [Duration::from_secs(7)]);
    // Asked to come back in two minutes: more than the one-minute budget, so no retry.
    set(json!({"fail_next": 1, "status": 503, "retry_after": 120}))
        .await
        .expect("admin");
    let e = client.limits().await.expect_err("not waited for");
    assert_eq!(e.status(), Some(503));
    assert_eq!(clock.waits().len(), 1, "no second wait");
    // 429 is a refusal too, with its own Retry-After.
    set(json!({"fail_next": 1, "status": 429, "retry_after": 3}))
        .await
        .expect("admin");
    client.limits().await.expect("after 3 s");
    assert_eq!(clock.waits()[1], Duration::from_secs(3));
}

#[tokio::test]
async fn a_timeout_on_a_read_is_retried() {
    let org = org(5).await;
    let mut config = connection(&org);
    config.timeout = Duration::from_millis(300);
    config.retry = RetryPolicy {
        attempts: 2,
        ..RetryPolicy::default()
    };
    let (client, clock) = recorded_client(config).await;
    client.api_version().await.expect("version");
    org.set_latency(Duration::from_secs(2));
    let e = client.limits().await.expect_err("times out twice");
    assert!(
        matches!(&e, ApiError::GaveUp { attempts: 2, error } if matches!(**error, ApiError::Timeout { .. })),
        "{e:?}"
    );
    assert_eq!(clock.waits().len(), 1);
    org.set_latency(Duration::ZERO);
}

#[tokio::test]
async fn a_create_is_never_repeated_once_sent_and_says_it_may_have_taken_effect() {
    let org = org(5).await;
    let (client, clock) = client(&org).await;
    client.api_version().await.expect("version");
    let before = org.record_count("Account");

    // Run, then the answer lost: created once, not twice.
    org.fail_next_kind(1, 200, FaultKind::DropAfterProcessing);
    let e = client
        .create_record("Account", &named("Lost answer Co"))
        .await
        .expect_err("no answer");
    assert_eq!(
        org.record_count("Account"),
        before + 1,
        "created exactly once"
    );
    let d = e.diagnosis();
    assert_eq!(d.title, "May or may not have taken effect", "{d:?}");
    assert!(
        d.meaning.contains("POST /services/data/v") && d.meaning.contains("/sobjects/Account"),
        "{d:?}"
    );
    assert!(
        d.fix.contains("SELECT Id, Name, CreatedDate FROM Account"),
        "{d:?}"
    );

    // A 503 to a create: not repeated either (the next try would have succeeded).
    org.fail_next(1, 503);
    let e = client
        .create_record("Account", &named("Unlucky Co"))
        .await
        .expect_err("503");
    assert!(matches!(e, ApiError::MaybeApplied { .. }), "{e:?}");
    assert_eq!(e.status(), Some(503));
    assert_eq!(org.record_count("Account"), before + 1, "not sent again");

    // Composite writes and raw POSTs (the composer's, Apex's) likewise.
    org.fail_next(1, 503);
    let records = vec![{
        let mut r = named("Batch Co");
        r.insert("attributes".into(), json!({"type": "Account"}));
        r
    }];
    let e = client.create_records(records, true).await.expect_err("503");
    assert!(matches!(e, ApiError::MaybeApplied { .. }), "{e:?}");
    assert!(e.diagnosis().fix.contains("which of its records"), "{e:?}");
    org.fail_next(1, 502);
    let version = client.api_version().await.expect("version");
    let resp = client
        .send_raw(
            reqwest::Method::POST,
            &format!("/services/data/{}/sobjects/Account", version.path_segment()),
            Vec::new(),
            Some(r#"{"Name":"Raw Co"}"#.into()),
        )
        .await
        .expect("an answer");
    assert_eq!(resp.status.as_u16(), 502);
    assert!(resp.delivery.not_repeated && resp.delivery.attempts == 1);
    assert_eq!(org.record_count("Account"), before + 1);
    assert!(
        clock.waits().is_empty(),
        "nothing was waited for: nothing repeated"
    );

    // A refusal (the request was not run) is safe to send again, even a create.
    org.fail_next(1, 403);
    client
        .create_record("Account", &named("Refused once Co"))
        .await
        .expect("sent again after REQUEST_LIMIT_EXCEEDED");
    assert_eq!(org.record_count("Account"), before + 2);
}

#[tokio::test]
async fn a_save_or_delete_whose_answer_was_lost_is_repeated_with_the_same_effect() {
    let org = org(5).await;
    let (client, _) = client(&org).await;
    let page = client
        .query("SELECT Id, LastModifiedDate FROM Account ORDER BY Name LIMIT 2")
        .await
        .expect("query");
    let id = page.records[0]["Id"].as_str().expect("id").to_owned();
    let loaded = client
        .get_record("Account", &id, None)
        .await
        .expect("record")
        .last_modified
        .expect("Last-Modified");
    // Saved, the answer lost; the retry meets 412 (the record changed: by that very save),
    // which the client recognises by reading the record back. (The org's clock moves on, so
    // the save's stamp is seconds after the loaded one: HTTP dates count whole seconds.)
    org.advance_clock(Duration::from_secs(2));
    org.fail_next_kind(1, 200, FaultKind::DropAfterProcessing);
    client
        .update_record("Account", &id, &named("Saved once"), Some(loaded))
        .await
        .expect("the lost save is no conflict");
    let read = client
        .get_record("Account", &id, Some(&["Name"]))
        .await
        .expect("read");
    assert_eq!(read.fields["Name"], json!("Saved once"));
    // A real conflict stays one.
    let e = client
        .update_record("Account", &id, &named("Stale"), Some(loaded))
        .await
        .expect_err("412");
    assert!(matches!(e, ApiError::PreconditionFailed { .. }), "{e:?}");

    // Deleted, the answer lost: the retry finds it in the recycle bin, which is success.
    let other = page.records[1]["Id"].as_str().expect("id").to_owned();
    org.fail_next_kind(1, 200, FaultKind::DropAfterProcessing);
    client
        .delete_record("Account", &other)
        .await
        .expect("the lost delete is done");
    let e = client
        .delete_record("Account", &other)
        .await
        .expect_err("deleting again without a lost answer is an error");
    assert_eq!(e.error_code(), Some("ENTITY_IS_DELETED"));
}

#[tokio::test]
async fn the_daily_limit_is_final_and_says_so() {
    let org = org(5).await;
    let (client, clock) = client(&org).await;
    client.api_version().await.expect("version");
    org.set_api_remaining(0);
    let e = client.limits().await.expect_err("daily limit");
    assert!(matches!(e, ApiError::Api { status: 403, .. }), "{e:?}");
    assert!(clock.waits().is_empty(), "not retried");
    let d = e.diagnosis();
    assert!(d.meaning.contains("daily API requests"), "{d:?}");
    assert!(d.fix.contains("24-hour"), "{d:?}");
}

#[tokio::test]
async fn sfterm_retries_1_never_retries() {
    let org = org(5).await;
    let mut config = connection(&org);
    config.retry = RetryPolicy::never();
    let (client, clock) = recorded_client(config).await;
    client.api_version().await.expect("version");
    org.fail_next(1, 503);
    let e = client.limits().await.expect_err("one try");
    assert!(matches!(e, ApiError::Api { status: 503, .. }), "{e:?}");
    assert!(clock.waits().is_empty());
}

#[tokio::test]
async fn bulk_result_pages_are_retried_by_the_same_policy_and_a_cut_download_resumes() {
    let org = org(25).await;
    let mut config = connection(&org);
    config.api_version = Some(ApiVersion(60));
    let (client, clock) = recorded_client(config).await;
    let fast = PollOptions {
        initial: Duration::from_millis(5),
        max: Duration::from_millis(20),
        factor: 2.0,
        timeout: Duration::from_secs(10),
    };
    let job = client
        .create_query_job("SELECT Id, Name FROM Account", false)
        .await
        .expect("create");
    let job = client
        .wait_for_query_job(&job.id, fast, |_| {})
        .await
        .expect("complete");
    // Page by page (the parallel download's retries are in tests/sf_client/downloads.rs).
    let paged = DownloadOptions {
        max_records: Some(10),
        concurrency: 1,
        max_pages: None,
    };
    let rows = |csv: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(csv)
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect()
    };
    // A dropped page and a 503 are retried inside the download.
    let mut all = Vec::new();
    let mut pages = 0;
    client
        .download_query_job(&job, ResultCursor::Start, paged, |page, _| {
            pages += 1;
            if pages == 1 {
                org.drop_next_result_pages(1);
            }
            if pages == 2 {
                org.fail_next(1, 503);
            }
            all.extend(rows(&page.csv));
            Ok(())
        })
        .await
        .expect("the download survives a drop and a 503");
    assert_eq!((all.len(), once_each(&all)), (25, 25));
    assert_eq!(clock.waits().len(), 2);
    // A page that keeps failing ends the download where it can resume.
    let mut again = Vec::new();
    let err = client
        .download_query_job(&job, ResultCursor::Start, paged, |page, _| {
            org.drop_next_result_pages(4);
            again.extend(rows(&page.csv));
            Ok(())
        })
        .await
        .expect_err("four drops beat four tries");
    let BulkError::PageFailed {
        resume, written, ..
    } = err
    else {
        panic!("expected PageFailed, got {err:?}");
    };
    assert_eq!(written, 10);
    client
        .download_query_job(&job, *resume, paged, |page, _| {
            again.extend(rows(&page.csv));
            Ok(())
        })
        .await
        .expect("resume");
    assert_eq!((again.len(), once_each(&again)), (25, 25));
}
