//! The fault matrix (docs/reliability.md): each case injects one failure through the mock org's
//! fault injection (`/__mock/faults`, `MockOrg::fail_next*`) or the network, and checks what the
//! user gets from the client (the error variant and its plain-words diagnosis, no panic) and,
//! where a write is involved, that nothing is lost. CLI rows check the exit code and message of
//! the real binary. TUI rows (staged edits kept) come with the records pane.
#![cfg(feature = "mock-org")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use sfterm::mock_org::{FaultKind, MockOrg, MockOrgConfig};
use sfterm::sf::{
    ApiError, ConnectionConfig, Diagnosis, QueryOptions, RenewReason, RetryPolicy, SfClient,
};

use crate::common::org::{WaitRecorder, recorded_client};

async fn org_with(config: MockOrgConfig) -> MockOrg {
    let _ = rustls::crypto::ring::default_provider().install_default();
    MockOrg::start(config).await.expect("mock org starts")
}

async fn org() -> MockOrg {
    org_with(MockOrgConfig::default()).await
}

fn config(org: &MockOrg, timeout: Duration) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(
        org.instance_url().clone(),
        org.client_id(),
        SecretString::from(org.client_secret().to_owned()),
    );
    c.ca_file = org.ca_file().map(|p| p.to_path_buf());
    c.timeout = timeout;
    c
}

/// A logged-in client with the default retry policy whose waits pass at once (recorded).
async fn client(org: &MockOrg) -> SfClient {
    recorded(org).await.0
}

/// [`client`] and the record of its waits.
async fn recorded(org: &MockOrg) -> (SfClient, Arc<WaitRecorder>) {
    recorded_client(config(org, Duration::from_secs(20))).await
}

/// Tries of the default retry policy: a fault injected this often lasts through all of them.
const TRIES: usize = 4;

/// The user-visible part of an error: a diagnosis with a title, a meaning and a fix.
fn explained(e: &ApiError) -> Diagnosis {
    let d = e.diagnosis();
    assert!(
        !d.title.is_empty() && !d.meaning.is_empty() && !d.fix.is_empty(),
        "{d:?}"
    );
    d
}

const SOQL: &str = "SELECT Id, Name FROM Account ORDER BY Name LIMIT 5";

async fn first_account(client: &SfClient) -> (String, String) {
    let page = client.query(SOQL).await.expect("query");
    let r = &page.records[0];
    (
        r["Id"].as_str().expect("id").to_owned(),
        r["Name"].as_str().expect("name").to_owned(),
    )
}

async fn name_of(client: &SfClient, id: &str) -> String {
    let r = client
        .get_record("Account", id, Some(&["Name"]))
        .await
        .expect("read back");
    r.fields["Name"].as_str().expect("name").to_owned()
}

fn rename(name: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("Name".into(), json!(name));
    m
}

#[tokio::test]
async fn latency_10s_times_out_with_the_configured_timeout() {
    let org = org().await;
    let mut c = config(&org, Duration::from_secs(1));
    c.retry = RetryPolicy::never();
    let client = SfClient::new(c).expect("client");
    client.login(RenewReason::Initial).await.expect("login");
    org.set_latency(Duration::from_secs(10));
    let started = Instant::now();
    let e = client.query(SOQL).await.expect_err("times out");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(e, ApiError::Timeout { .. }), "{e:?}");
    let d = explained(&e);
    assert!(d.meaning.contains("within 1 s"), "{d:?}");
}

#[tokio::test]
async fn latency_10s_request_is_cancellable_and_the_client_recovers() {
    let org = org().await;
    let client = client(&org).await;
    org.set_latency(Duration::from_secs(10));
    let started = Instant::now();
    // Dropping the future cancels the request (what the TUI's cancel does with its task).
    let cancelled = tokio::time::timeout(Duration::from_millis(300), client.query(SOQL)).await;
    assert!(cancelled.is_err(), "still waiting when cancelled");
    assert!(started.elapsed() < Duration::from_secs(2));
    org.set_latency(Duration::ZERO);
    assert_eq!(
        client.query(SOQL).await.expect("works again").records.len(),
        5
    );
}

#[tokio::test]
async fn http_500_that_lasts_is_a_salesforce_error_with_its_code() {
    let org = org().await;
    let client = client(&org).await;
    org.fail_next(TRIES, 500);
    let e = client.query(SOQL).await.expect_err("500");
    assert!(matches!(e, ApiError::GaveUp { attempts: 4, .. }), "{e:?}");
    assert_eq!(e.status(), Some(500));
    assert_eq!(e.error_code(), Some("UNKNOWN_EXCEPTION"));
    let d = explained(&e);
    assert!(d.meaning.contains("tried 4 times"), "{d:?}");
    assert!(client.query(SOQL).await.is_ok(), "the next call works");
}

#[tokio::test]
async fn http_503_that_lasts_with_a_salesforce_body() {
    let org = org().await;
    let client = client(&org).await;
    org.fail_next(TRIES, 503);
    let e = client.query(SOQL).await.expect_err("503");
    assert_eq!(e.status(), Some(503));
    assert_eq!(e.error_code(), Some("SERVER_UNAVAILABLE"));
    let d = explained(&e);
    assert!(
        d.what_salesforce_said.contains("SERVER_UNAVAILABLE")
            && d.what_salesforce_said.contains("sfterm tried 4 times"),
        "{d:?}"
    );
}

#[tokio::test]
async fn connection_reset_mid_body_that_lasts_is_a_dropped_connection() {
    let org = org().await;
    let client = client(&org).await;
    org.fail_next_kind(TRIES, 200, FaultKind::ResetMidBody);
    let e = client.query(SOQL).await.expect_err("reset");
    assert!(matches!(e.root(), ApiError::Network { .. }), "{e:?}");
    let d = explained(&e);
    assert_eq!(d.title, "Connection dropped", "{d:?}");
    assert!(client.query(SOQL).await.is_ok());
}

#[tokio::test]
async fn connection_dropped_before_the_answer_on_a_save_is_retried_and_saved() {
    let org = org().await;
    let client = client(&org).await;
    let (id, _) = first_account(&client).await;
    org.drop_next_connections(1);
    client
        .update_record("Account", &id, &rename("Dropped, then saved"), None)
        .await
        .expect("a save is safe to repeat");
    assert_eq!(name_of(&client, &id).await, "Dropped, then saved");
}

#[tokio::test]
async fn connection_dropped_before_the_answer_on_a_create_says_check_the_record() {
    let org = org().await;
    let client = client(&org).await;
    client.api_version().await.expect("version");
    let before = org.record_count("Account");
    org.drop_next_connections(1);
    let e = client
        .create_record("Account", &rename("Dropped create"))
        .await
        .expect_err("not repeated");
    assert!(matches!(e, ApiError::MaybeApplied { .. }), "{e:?}");
    let d = explained(&e);
    assert_eq!(d.title, "May or may not have taken effect", "{d:?}");
    assert!(d.meaning.contains("Connection dropped"), "{d:?}");
    assert!(
        d.fix.contains("Check whether the Account was created"),
        "{d:?}"
    );
    assert_eq!(org.record_count("Account"), before, "sent once, not run");
}

#[tokio::test]
async fn html_page_with_200_is_not_taken_for_data() {
    let org = org().await;
    let client = client(&org).await;
    org.fail_next_kind(1, 200, FaultKind::Html);
    let e = client.query(SOQL).await.expect_err("html");
    assert!(
        matches!(&e, ApiError::Http { status: 200, content_type: Some(ct), snippet }
            if ct.starts_with("text/html") && snippet.contains("Down for maintenance")),
        "{e:?}"
    );
    assert_eq!(explained(&e).title, "Unexpected non-Salesforce answer");
}

#[tokio::test]
async fn html_page_with_502_that_lasts() {
    let org = org().await;
    let client = client(&org).await;
    org.fail_next_kind(TRIES, 502, FaultKind::Html);
    let e = client.query(SOQL).await.expect_err("502");
    assert!(
        matches!(e.root(), ApiError::Http { status: 502, .. }),
        "{e:?}"
    );
    let d = explained(&e);
    assert!(d.meaning.contains("HTTP 502"), "{d:?}");
    assert!(!d.meaning.contains("<html"), "no raw HTML in the meaning");
}

#[tokio::test]
async fn truncated_json() {
    let org = org().await;
    let client = client(&org).await;
    org.fail_next_kind(1, 200, FaultKind::TruncatedJson);
    let e = client.query(SOQL).await.expect_err("truncated");
    assert!(
        matches!(&e, ApiError::Decode { what, .. } if what == "query"),
        "{e:?}"
    );
    assert_eq!(explained(&e).title, "Unreadable response");
}

#[tokio::test]
async fn json_of_the_wrong_shape() {
    let org = org().await;
    let client = client(&org).await;
    org.fail_next_kind(1, 200, FaultKind::WrongShape);
    let e = client.query(SOQL).await.expect_err("wrong shape");
    assert!(matches!(e, ApiError::Decode { .. }), "{e:?}");
    org.fail_next_kind(1, 200, FaultKind::WrongShape);
    let e = client.describe("Account").await.expect_err("wrong shape");
    assert!(matches!(e, ApiError::Decode { .. }), "{e:?}");
    explained(&e);
}

#[tokio::test]
async fn expired_token_in_the_middle_of_a_paged_query() {
    let org = org_with(MockOrgConfig {
        records: 4500,
        ..MockOrgConfig::default()
    })
    .await;
    let client = client(&org).await;
    let before = client.token_requests();
    let mut pages = client.query_stream("SELECT Id FROM Account", QueryOptions::default());
    let first = pages.next().await.expect("a page").expect("first page");
    assert!(!first.done, "more than one page");
    org.expire_all_tokens();
    let mut total = first.records.len();
    while let Some(page) = pages.next().await {
        total += page.expect("later pages after a renewal").records.len();
    }
    assert_eq!(total as u64, first.total_size, "no record lost or repeated");
    assert_eq!(client.token_requests(), before + 1, "renewed exactly once");
}

#[tokio::test]
async fn revoked_token_during_a_save_renews_once_and_the_save_succeeds() {
    let org = org().await;
    let client = client(&org).await;
    let (id, _) = first_account(&client).await;
    client.revoke().await.expect("revoke");
    let before = client.token_requests();
    client
        .update_record("Account", &id, &rename("Saved after revoke"), None)
        .await
        .expect("PATCH renews once and succeeds");
    assert_eq!(client.token_requests(), before + 1);
    assert_eq!(name_of(&client, &id).await, "Saved after revoke");
}

#[tokio::test]
async fn request_limit_exceeded_backs_off_and_then_succeeds() {
    let org = org().await;
    let (client, clock) = recorded(&org).await;
    org.fail_next(2, 403); // REQUEST_LIMIT_EXCEEDED twice, then fine
    let page = client.query(SOQL).await.expect("succeeds on the third try");
    assert_eq!(page.records.len(), 5);
    let waits = clock.waits();
    assert_eq!(waits.len(), 2, "backed off twice: {waits:?}");
    assert!(
        waits[0] <= Duration::from_millis(500) && waits[1] <= Duration::from_secs(1),
        "within the doubling backoff: {waits:?}"
    );
}

#[tokio::test]
async fn request_limit_exceeded_gives_up_and_says_it_backed_off() {
    let org = org().await;
    let client = client(&org).await;
    let (id, name) = first_account(&client).await;
    org.fail_next(10, 403);
    let e = client
        .update_record("Account", &id, &rename("Never saved"), None)
        .await
        .expect_err("still refused");
    assert_eq!(e.error_code(), Some("REQUEST_LIMIT_EXCEEDED"));
    let d = explained(&e);
    assert_eq!(d.title, "API limit reached");
    assert!(
        d.what_salesforce_said.contains("sfterm tried 4 times"),
        "{d:?}"
    );
    org.fail_next(0, 403);
    assert_eq!(name_of(&client, &id).await, name, "nothing half-written");
}

#[tokio::test]
async fn daily_request_limit_is_reported_at_once_without_backing_off() {
    let org = org().await;
    let (client, clock) = recorded(&org).await;
    org.set_api_remaining(0);
    let e = client.query(SOQL).await.expect_err("limit");
    assert!(clock.waits().is_empty(), "no backoff, no second try");
    assert!(matches!(e, ApiError::Api { status: 403, .. }), "{e:?}");
    assert_eq!(e.error_code(), Some("REQUEST_LIMIT_EXCEEDED"));
    let d = explained(&e);
    assert!(d.meaning.contains("daily API requests"), "{d:?}");
    assert!(!d.what_salesforce_said.contains("backed off"), "{d:?}");
    assert!(d.fix.contains("24-hour"), "{d:?}");
}

#[tokio::test]
async fn precondition_failed_on_save_keeps_the_other_change() {
    let org = org().await;
    let client = client(&org).await;
    let (id, _) = first_account(&client).await;
    client
        .update_record("Account", &id, &rename("Their change"), None)
        .await
        .expect("their save");
    let loaded_long_ago = jiff::Timestamp::from_second(1_000_000_000).expect("ts");
    let e = client
        .update_record(
            "Account",
            &id,
            &rename("My stale edit"),
            Some(loaded_long_ago),
        )
        .await
        .expect_err("412");
    assert!(matches!(e, ApiError::PreconditionFailed { .. }), "{e:?}");
    assert_eq!(explained(&e).title, "Record changed meanwhile");
    assert_eq!(
        name_of(&client, &id).await,
        "Their change",
        "not overwritten"
    );
}

#[tokio::test]
async fn dns_failure_names_the_host() {
    let url = "https://no-such-org.invalid".parse().expect("url");
    let mut c = ConnectionConfig::new(url, "id", SecretString::from("s".to_owned()));
    c.timeout = Duration::from_secs(10);
    let e = SfClient::new(c)
        .expect("client")
        .login(RenewReason::Initial)
        .await
        .expect_err("no DNS");
    assert!(
        matches!(e, ApiError::Network { .. } | ApiError::Timeout { .. }),
        "{e:?}"
    );
    assert!(explained(&e).meaning.contains("no-such-org.invalid"));
}

#[tokio::test]
async fn connect_failure_names_the_host() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let url = format!("http://127.0.0.1:{port}").parse().expect("url");
    let e = SfClient::new(ConnectionConfig::new(
        url,
        "id",
        SecretString::from("s".to_owned()),
    ))
    .expect("client")
    .login(RenewReason::Initial)
    .await
    .expect_err("refused");
    assert!(matches!(e, ApiError::Network { .. }), "{e:?}");
    let d = explained(&e);
    assert_eq!(d.title, "Cannot reach the server");
    assert!(d.meaning.contains(&format!("127.0.0.1:{port}")), "{d:?}");
}

#[tokio::test]
async fn tls_self_signed_without_ca_file_fails_with_the_fix() {
    let org = org_with(MockOrgConfig {
        tls: true,
        ..MockOrgConfig::default()
    })
    .await;
    let mut c = config(&org, Duration::from_secs(10));
    c.ca_file = None;
    let e = SfClient::new(c)
        .expect("client")
        .login(RenewReason::Initial)
        .await
        .expect_err("untrusted certificate");
    assert!(matches!(e, ApiError::Tls { .. }), "{e:?}");
    assert!(explained(&e).fix.contains("ca_file"));
    // With the CA file the same org works: checks are on, not off.
    let ok = SfClient::new(config(&org, Duration::from_secs(10))).expect("client");
    ok.login(RenewReason::Initial)
        .await
        .expect("trusted via ca_file");
}

#[tokio::test]
async fn plain_http_is_refused_for_anything_but_loopback() {
    for url in ["http://acme.my.salesforce.com", "http://10.0.0.1:8080"] {
        let c = ConnectionConfig::new(
            url.parse().expect("url"),
            "id",
            SecretString::from("s".to_owned()),
        );
        let e = SfClient::new(c).expect_err("refused");
        assert!(matches!(e, ApiError::InsecureUrl(_)), "{e:?}");
        assert_eq!(explained(&e).title, "Insecure URL refused");
    }
    for url in [
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:2",
    ] {
        let c = ConnectionConfig::new(
            url.parse().expect("url"),
            "id",
            SecretString::from("s".to_owned()),
        );
        assert!(SfClient::new(c).is_ok(), "{url} is loopback");
    }
}

// ---- CLI rows: the real binary against the faulty mock org (exit code and message). ----

/// A config dir whose only profile points at `endpoint` (the mock org's credentials).
fn cli_config(endpoint: &str, org: &MockOrg) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("profiles.toml");
    std::fs::write(
        &path,
        format!(
            "[[profile]]\nname = \"Mock\"\nendpoint = \"{}\"\nclient_id = \"{}\"\n\
             secret = {{ source = \"plain\", value = \"{}\" }}\n",
            endpoint.trim_end_matches('/'),
            org.client_id(),
            org.client_secret()
        ),
    )
    .expect("profiles");
    dir
}

/// Runs `sfterm <args>`; returns the exit code, stdout and stderr.
async fn sfterm(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    sfterm_env(dir, &[], args).await
}

/// Runs `sfterm <args>` with extra environment variables.
async fn sfterm_env(
    dir: &std::path::Path,
    env: &[(&str, &str)],
    args: &[&str],
) -> (i32, String, String) {
    let dir = dir.to_owned();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_sfterm"))
            .env("SFTERM_CONFIG_DIR", &dir)
            .env("SFTERM_DATA_DIR", &dir)
            .envs(env)
            .args(&args)
            .output()
    })
    .await
    .expect("joined")
    .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_query_faults_exit_1_with_a_plain_message() {
    let org = org().await;
    let dir = cli_config(org.instance_url().as_str(), &org);
    let cases: [(u16, FaultKind, &str); 5] = [
        (500, FaultKind::Error, "Salesforce server error"),
        (503, FaultKind::Error, "SERVER_UNAVAILABLE"),
        (502, FaultKind::Html, "Down for maintenance"),
        (200, FaultKind::TruncatedJson, "Unreadable response"),
        (200, FaultKind::ResetMidBody, "Connection dropped"),
    ];
    for (status, kind, says) in cases {
        org.fail_next_kind(1, status, kind);
        // One try: what the user reads when a failure lasts.
        let (code, stdout, stderr) =
            sfterm_env(dir.path(), &[("SFTERM_RETRIES", "1")], &["query", SOQL]).await;
        assert_eq!(code, 1, "{status} {kind:?}: {stderr}");
        assert!(stderr.contains(says), "{status} {kind:?}: {stderr}");
        assert!(
            !stderr.contains("<html") && !stderr.contains("<h1>"),
            "no markup: {stderr}"
        );
        assert!(
            stdout.trim().is_empty() || !stdout.contains("Name"),
            "{stdout}"
        );
    }
    let (code, stdout, _) = sfterm(dir.path(), &["query", SOQL]).await;
    assert_eq!(code, 0);
    assert!(stdout.contains("Name"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_request_limit_exceeded_backs_off_then_says_so() {
    let org = org().await;
    let dir = cli_config(org.instance_url().as_str(), &org);
    org.fail_next(10, 403);
    let (code, _, stderr) =
        sfterm_env(dir.path(), &[("SFTERM_RETRIES", "2")], &["query", SOQL]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("API limit reached"), "{stderr}");
    assert!(stderr.contains("sfterm tried 2 times"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_412_on_save_exits_4_and_keeps_the_other_change() {
    let org = org().await;
    let client = client(&org).await;
    let (id, name) = first_account(&client).await;
    let dir = cli_config(org.instance_url().as_str(), &org);
    let (code, _, stderr) = sfterm(
        dir.path(),
        &[
            "record",
            "update",
            "Account",
            &id,
            "Name=Stale edit",
            "--if-unmodified-since",
            "2001-09-09T01:46:40Z",
        ],
    )
    .await;
    assert_eq!(code, 4, "{stderr}");
    assert!(stderr.contains("changed"), "{stderr}");
    assert_eq!(name_of(&client, &id).await, name, "not overwritten");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_connect_failure_exits_1_and_names_the_host() {
    let org = org().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let dir = cli_config(&format!("http://127.0.0.1:{port}"), &org);
    let (code, _, stderr) = sfterm(dir.path(), &["token"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("Cannot reach the server"), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_tls_failure_without_ca_file_exits_1_with_the_fix() {
    let org = org_with(MockOrgConfig {
        tls: true,
        ..MockOrgConfig::default()
    })
    .await;
    let dir = cli_config(org.instance_url().as_str(), &org);
    let (code, _, stderr) = sfterm(dir.path(), &["token"]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("Secure connection failed"), "{stderr}");
    assert!(stderr.contains("ca_file"), "{stderr}");
}

#[tokio::test]
async fn admin_endpoint_sets_fault_kinds_and_refuses_unknown_ones() {
    let org = org().await;
    let client = client(&org).await;
    let http = reqwest::Client::new();
    let faults = org.instance_url().join("__mock/faults").expect("url");
    let set = |body: Value| http.post(faults.clone()).json(&body).send();
    let resp = set(json!({"fail_next": 1, "status": 200, "kind": "html"}))
        .await
        .expect("admin");
    assert_eq!(resp.status(), 200);
    let e = client.query(SOQL).await.expect_err("html");
    assert!(matches!(e, ApiError::Http { status: 200, .. }), "{e:?}");
    let resp = set(json!({"fail_next": 1, "kind": "gremlins"}))
        .await
        .expect("admin");
    assert_eq!(resp.status(), 400);
    let text = resp.text().await.expect("body");
    assert!(text.contains("reset_mid_body"), "lists the kinds: {text}");
    assert!(
        client.query(SOQL).await.is_ok(),
        "an unknown kind injects nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_latency_times_out_after_sfterm_timeout() {
    let org = org().await;
    let dir = cli_config(org.instance_url().as_str(), &org);
    // Log in first (the token endpoint has no latency), then every data call takes 10 s.
    org.set_latency(Duration::from_secs(10));
    let started = Instant::now();
    let (code, _, stderr) = sfterm_env(
        dir.path(),
        &[("SFTERM_TIMEOUT", "1"), ("SFTERM_RETRIES", "1")],
        &["query", SOQL],
    )
    .await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("did not answer in time"), "{stderr}");
    assert!(
        stderr.contains("SFTERM_TIMEOUT"),
        "the fix names the setting: {stderr}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}
