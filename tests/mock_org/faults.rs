//! Every fault the mock org can inject, set the way users set them (the `/__mock/faults` admin
//! endpoint and the `sfterm mock-org` flags), and sfterm's client reaction to each: a clear
//! error and diagnosis, one token renewal, recovery once the fault is spent.
#![cfg(feature = "mock-org")]

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use serde_json::{Map, Value, json};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::sf::{ApiError, ConnectionConfig, RenewReason, RetryPolicy, SfClient};

const SOQL: &str = "SELECT Id, Name FROM Account ORDER BY Name LIMIT 5";

async fn org() -> MockOrg {
    let config = MockOrgConfig {
        records: 20,
        ..MockOrgConfig::default()
    };
    MockOrg::start(config).await.expect("mock org starts")
}

/// A client that tries each request once, so that every injected fault reaches the test as
/// it is (the retry policy that meets them in sfterm is tested in tests/reliability/retry.rs).
fn client_for(url: &url::Url, id: &str, secret: &str, timeout: Duration) -> SfClient {
    let mut c = ConnectionConfig::new(url.clone(), id, SecretString::from(secret.to_owned()));
    c.timeout = timeout;
    c.retry = RetryPolicy::never();
    SfClient::new(c).expect("client")
}

fn client(org: &MockOrg, timeout: Duration) -> SfClient {
    client_for(
        org.instance_url(),
        org.client_id(),
        org.client_secret(),
        timeout,
    )
}

/// Calls the admin endpoint the way a user's test would (plain HTTP, JSON body).
async fn admin(org: &MockOrg, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
    let url = org.instance_url().join(path).expect("admin URL");
    let mut req = reqwest::Client::new().request(method, url);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.expect("admin endpoint answers");
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    let text = resp.text().await.expect("admin body");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("admin JSON")
    }
}

async fn set_faults(org: &MockOrg, body: Value) -> Value {
    admin(org, reqwest::Method::POST, "/__mock/faults", Some(body)).await
}

fn api_error(err: &ApiError) -> (u16, String) {
    match err {
        ApiError::Api { status, errors } => (*status, errors[0].error_code.clone()),
        other => panic!("expected a Salesforce error array, got {other:?}"),
    }
}

#[tokio::test]
async fn latency_beyond_the_timeout_is_a_timeout_with_a_diagnosis() {
    let org = org().await;
    let client = client(&org, Duration::from_millis(1000));
    client
        .login(RenewReason::Initial)
        .await
        .expect("the token endpoint is not delayed");
    let faults = set_faults(&org, json!({"latency_ms": 3000})).await;
    assert_eq!(faults["latency_ms"], 3000);

    let started = Instant::now();
    let err = client.query(SOQL).await.expect_err("times out");
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "gave up after {:?}, not at the 1 s timeout",
        started.elapsed()
    );
    assert!(matches!(err, ApiError::Timeout { .. }), "{err:?}");
    let d = err.diagnosis();
    assert_eq!(d.title, "The server did not answer in time");
    assert!(d.meaning.contains("127.0.0.1"), "{}", d.meaning);
    assert!(d.meaning.contains("within 1 s"), "{}", d.meaning);
    assert!(d.fix.contains("timeout"), "{}", d.fix);

    // Latency below the timeout only slows calls down.
    set_faults(&org, json!({"latency_ms": 300})).await;
    let started = Instant::now();
    client.query(SOQL).await.expect("slow but in time");
    assert!(started.elapsed() >= Duration::from_millis(300));
    admin(&org, reqwest::Method::DELETE, "/__mock/faults", None).await;
    let faults = admin(&org, reqwest::Method::GET, "/__mock/faults", None).await;
    assert_eq!(faults["latency_ms"], 0);
}

#[tokio::test]
async fn fail_next_500_is_an_api_error_with_the_code_then_calls_succeed() {
    let org = org().await;
    let client = client(&org, Duration::from_secs(20));
    set_faults(&org, json!({"fail_next": 2, "status": 500})).await;
    for _ in 0..2 {
        let err = client.query(SOQL).await.expect_err("injected 500");
        assert_eq!(api_error(&err), (500, "UNKNOWN_EXCEPTION".to_owned()));
        assert!(
            err.diagnosis()
                .what_salesforce_said
                .contains("UNKNOWN_EXCEPTION")
        );
    }
    let page = client.query(SOQL).await.expect("fault spent");
    assert_eq!(page.records.len(), 5);

    // A status and error code of the user's choosing.
    set_faults(
        &org,
        json!({"fail_next": 1, "status": 503, "error_code": "SERVER_UNAVAILABLE",
               "message": "down for maintenance"}),
    )
    .await;
    let err = client.query(SOQL).await.expect_err("injected 503");
    assert_eq!(api_error(&err), (503, "SERVER_UNAVAILABLE".to_owned()));
    assert!(err.to_string().contains("down for maintenance"), "{err}");
    client.query(SOQL).await.expect("fault spent");
}

#[tokio::test]
async fn invalid_session_401_renews_the_token_once_and_succeeds() {
    let org = org().await;
    let client = client(&org, Duration::from_secs(20));
    let first = client.login(RenewReason::Initial).await.expect("login");
    assert_eq!(client.token_requests(), 1);
    set_faults(
        &org,
        json!({"fail_next": 1, "status": 401, "error_code": "INVALID_SESSION_ID"}),
    )
    .await;
    let page = client.query(SOQL).await.expect("renewed and retried");
    assert_eq!(page.records.len(), 5);
    assert_eq!(client.token_requests(), 2, "exactly one renewal");
    let second = client.token().expect("token");
    assert_eq!(second.org_id, first.org_id);

    // Two 401s in a row: one renewal, then the second 401 is reported, not looped on.
    set_faults(&org, json!({"fail_next": 2, "status": 401})).await;
    let err = client
        .query(SOQL)
        .await
        .expect_err("still 401 after the renewal");
    assert_eq!(api_error(&err), (401, "INVALID_SESSION_ID".to_owned()));
    assert_eq!(client.token_requests(), 3, "one renewal per call, no loop");
    assert_eq!(err.diagnosis().title, "Session expired or revoked");
}

#[tokio::test]
async fn expired_tokens_renew_once_and_succeed() {
    let org = org().await;
    let client = client(&org, Duration::from_secs(20));
    client.query(SOQL).await.expect("first call logs in");
    assert_eq!(client.token_requests(), 1);
    let state = admin(&org, reqwest::Method::GET, "/__mock/state", None).await;
    assert_eq!(state["tokens"], 1);

    set_faults(&org, json!({"expire_tokens": true})).await;
    let state = admin(&org, reqwest::Method::GET, "/__mock/state", None).await;
    assert_eq!(state["tokens"], 0);
    client.query(SOQL).await.expect("renewed after expiry");
    assert_eq!(client.token_requests(), 2);
    client.query(SOQL).await.expect("new token keeps working");
    assert_eq!(client.token_requests(), 2);
}

#[tokio::test]
async fn exhausted_quota_is_request_limit_exceeded_with_a_diagnosis() {
    let org = org().await;
    let client = client(&org, Duration::from_secs(20));
    client.login(RenewReason::Initial).await.expect("login");
    let faults = set_faults(&org, json!({"api_remaining": 1})).await;
    assert_eq!(
        faults["api_usage"],
        faults["api_limit"].as_u64().expect("limit") - 1
    );
    client.query(SOQL).await.expect("the last call left");
    let err = client.query(SOQL).await.expect_err("quota used up");
    assert_eq!(api_error(&err), (403, "REQUEST_LIMIT_EXCEEDED".to_owned()));
    let d = err.diagnosis();
    assert_eq!(d.title, "API limit reached");
    assert!(d.fix.contains("24-hour"), "{}", d.fix);
    assert_eq!(client.token_requests(), 1, "a 403 is not a reason to renew");

    // Reset gives the quota back.
    admin(&org, reqwest::Method::POST, "/__mock/reset", None).await;
    client.query(SOQL).await.expect("quota restored by reset");
}

#[tokio::test]
async fn dropped_connection_is_a_network_error_without_a_hang() {
    let org = org().await;
    let client = client(&org, Duration::from_secs(20));
    client.query(SOQL).await.expect("warm connection");
    let faults = set_faults(&org, json!({"drop_connections": 1})).await;
    assert_eq!(faults["drop_connections"], 1);

    let started = Instant::now();
    let err = client.query(SOQL).await.expect_err("connection dropped");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}: the drop must fail fast, not wait for the timeout",
        started.elapsed()
    );
    assert!(matches!(err, ApiError::Network { .. }), "{err:?}");
    let d = err.diagnosis();
    assert_eq!(d.title, "Connection dropped");
    assert!(d.meaning.contains("127.0.0.1"), "{}", d.meaning);
    assert!(
        d.meaning.contains("closed it before answering"),
        "{}",
        d.meaning
    );
    assert!(
        d.fix.contains("may or may not have been applied"),
        "{}",
        d.fix
    );

    let faults = admin(&org, reqwest::Method::GET, "/__mock/faults", None).await;
    assert_eq!(faults["drop_connections"], 0, "the fault is spent");
    let page = client.query(SOQL).await.expect("next call succeeds");
    assert_eq!(page.records.len(), 5);
}

#[tokio::test]
async fn dropped_token_request_is_a_network_error_then_login_works() {
    let org = org().await;
    let client = client(&org, Duration::from_secs(20));
    org.drop_next_connections(1);
    let err = client
        .login(RenewReason::Initial)
        .await
        .expect_err("token request dropped");
    assert!(matches!(err, ApiError::Network { .. }), "{err:?}");
    client
        .login(RenewReason::Initial)
        .await
        .expect("second try");
    client.query(SOQL).await.expect("query");
}

#[tokio::test]
async fn delete_faults_clears_every_pending_fault() {
    let org = org().await;
    let client = client(&org, Duration::from_secs(20));
    set_faults(
        &org,
        json!({"latency_ms": 5000, "fail_next": 3, "drop_connections": 3}),
    )
    .await;
    admin(&org, reqwest::Method::DELETE, "/__mock/faults", None).await;
    let faults = admin(&org, reqwest::Method::GET, "/__mock/faults", None).await;
    assert_eq!(faults["latency_ms"], 0);
    assert_eq!(faults["drop_connections"], 0);
    assert_eq!(faults["fail_next"]["remaining"], 0);
    let started = Instant::now();
    client.query(SOQL).await.expect("no fault left");
    assert!(started.elapsed() < Duration::from_secs(4));
}

fn counts(state: &Value, object: &str) -> (u64, u64) {
    let c = &state["records"][object];
    (
        c["total"].as_u64().expect("total"),
        c["deleted"].as_u64().expect("deleted"),
    )
}

#[tokio::test]
async fn reset_restores_the_seed_data_and_state_dumps_it() {
    let org = org().await;
    let client = client(&org, Duration::from_secs(20));
    let seed = admin(&org, reqwest::Method::GET, "/__mock/state", None).await;
    let (accounts, _) = counts(&seed, "Account");
    assert_eq!(accounts, 20);
    assert!(seed.get("data").is_none(), "records only on request");

    let mut fields = Map::new();
    fields.insert("Name".into(), json!("Fault Test Co"));
    let id = client
        .create_record("Account", &fields)
        .await
        .expect("create");
    let page = client.query(SOQL).await.expect("query");
    let victim = page.records[0]["Id"].as_str().expect("id").to_owned();
    client
        .delete_record("Account", &victim)
        .await
        .expect("delete");

    let dirty = admin(
        &org,
        reqwest::Method::GET,
        "/__mock/state?records=true",
        None,
    )
    .await;
    assert_eq!(counts(&dirty, "Account"), (21, 1));
    let rows = dirty["data"]["Account"].as_array().expect("dumped rows");
    assert_eq!(rows.len(), 21);
    assert!(rows.iter().any(|r| r["Id"] == json!(id)));
    assert!(
        rows.iter()
            .any(|r| r["Id"] == json!(victim) && r["IsDeleted"] == json!(true))
    );
    assert!(dirty["api_usage"].as_u64().expect("usage") >= 3);

    admin(&org, reqwest::Method::POST, "/__mock/reset", None).await;
    let clean = admin(
        &org,
        reqwest::Method::GET,
        "/__mock/state?records=true",
        None,
    )
    .await;
    assert_eq!(counts(&clean, "Account"), (20, 0));
    assert_eq!(clean["api_usage"], 0);
    let rows = clean["data"]["Account"].as_array().expect("dumped rows");
    assert!(!rows.iter().any(|r| r["Id"] == json!(id)));
    assert_eq!(
        seed["records"], clean["records"],
        "every object back to the seed counts"
    );
    // Tokens survive a reset; the restored record is readable again.
    client
        .get_record("Account", &victim, None)
        .await
        .expect("seed record is back");
    let err = client
        .get_record("Account", &id, None)
        .await
        .expect_err("created record is gone");
    assert_eq!(api_error(&err).0, 404);
    assert_eq!(client.token_requests(), 1);
}

/// A `sfterm mock-org` process, killed on drop.
struct Server {
    child: Child,
    env: Vec<(String, String)>,
}

impl Server {
    fn start(dir: &Path, extra: &[&str]) -> Server {
        let env_file = dir.join("mock.env");
        let mut child = Command::new(env!("CARGO_BIN_EXE_sfterm"))
            .args(["mock-org", "--port", "0", "--records", "20", "--env-file"])
            .arg(&env_file)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("mock-org.log")).expect("log file"))
            .spawn()
            .expect("sfterm mock-org starts");
        // Drain stdout so the server never blocks on a full pipe.
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || for _ in std::io::BufReader::new(out).lines() {});
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let text = loop {
            if let Ok(text) = std::fs::read_to_string(&env_file) {
                break text;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("sfterm mock-org exited early: {status}");
            }
            assert!(Instant::now() < deadline, "env file never appeared");
            std::thread::sleep(Duration::from_millis(50));
        };
        let env = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Server { child, env }
    }

    fn var(&self, name: &str) -> &str {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{name} missing from the env file"))
    }

    fn client(&self, timeout: Duration) -> SfClient {
        let url = self.var("SF_INSTANCE_URL").parse().expect("instance URL");
        client_for(
            &url,
            self.var("SF_CLIENT_ID"),
            self.var("SF_CLIENT_SECRET"),
            timeout,
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn faults_from_cli_flags_drop_then_fail_then_recover() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(
        dir.path(),
        &[
            "--drop-connections",
            "1",
            "--fail-next",
            "1:500:MY_INJECTED_ERROR",
        ],
    );
    let client = server.client(Duration::from_secs(20));
    let err = client
        .login(RenewReason::Initial)
        .await
        .expect_err("first request dropped");
    assert!(matches!(err, ApiError::Network { .. }), "{err:?}");
    client.login(RenewReason::Initial).await.expect("login");
    let err = client.query(SOQL).await.expect_err("injected failure");
    assert_eq!(api_error(&err), (500, "MY_INJECTED_ERROR".to_owned()));
    client.query(SOQL).await.expect("faults spent");
}

#[tokio::test]
async fn log_requests_shows_dropped_connections() {
    // reqwest's own client, built before any SfClient could install the provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &["--log-requests", "--drop-connections", "1"]);
    let url = format!("{}/services/data", server.var("SF_INSTANCE_URL"));
    reqwest::get(&url).await.expect_err("dropped");
    let ok = reqwest::get(&url).await.expect("answered");
    assert_eq!(ok.status(), 200);
    let log = std::fs::read_to_string(dir.path().join("mock-org.log")).expect("log");
    assert!(
        log.contains("GET /services/data -> connection dropped (fault)"),
        "{log}"
    );
    assert!(log.contains("GET /services/data -> 200"), "{log}");
    // Each request line starts with when it came, in seconds since the org started, in order.
    let came: Vec<f64> = log
        .lines()
        .filter(|l| l.contains("GET /services/data ->"))
        .map(|l| {
            let first = l.split_whitespace().next().unwrap_or_default();
            first.parse().unwrap_or_else(|_| panic!("no time in {l:?}"))
        })
        .collect();
    assert_eq!(came.len(), 2, "{log}");
    assert!(came[0] <= came[1], "{log}");
}

#[tokio::test]
async fn quota_and_latency_from_cli_flags() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(
        dir.path(),
        &["--api-quota", "0", "--fault-latency-ms", "1500"],
    );
    let client = server.client(Duration::from_secs(20));
    let started = Instant::now();
    let err = client.query(SOQL).await.expect_err("no quota");
    assert!(started.elapsed() >= Duration::from_millis(1500));
    assert_eq!(api_error(&err), (403, "REQUEST_LIMIT_EXCEEDED".to_owned()));

    let impatient = server.client(Duration::from_millis(500));
    let err = impatient.query(SOQL).await.expect_err("too slow");
    assert!(matches!(err, ApiError::Timeout { .. }), "{err:?}");
}

#[test]
fn bad_fail_next_flag_is_refused_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_sfterm"))
        .args(["mock-org", "--port", "0", "--fail-next", "2:200"])
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--fail-next"), "{stderr}");
    assert!(stderr.contains("400-599"), "{stderr}");
}

#[tokio::test]
async fn dropped_connection_over_tls_is_a_dropped_connection_too() {
    let config = MockOrgConfig {
        records: 5,
        tls: true,
        ..MockOrgConfig::default()
    };
    let org = MockOrg::start(config).await.expect("mock org starts");
    let mut c = ConnectionConfig::new(
        org.instance_url().clone(),
        org.client_id(),
        SecretString::from(org.client_secret().to_owned()),
    );
    c.ca_file = org.ca_file().map(Path::to_path_buf);
    c.timeout = Duration::from_secs(20);
    c.retry = RetryPolicy::never();
    let client = SfClient::new(c).expect("client");
    client.query(SOQL).await.expect("warm connection");
    org.drop_next_connections(1);
    let started = Instant::now();
    let err = client.query(SOQL).await.expect_err("dropped");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(matches!(err, ApiError::Network { .. }), "{err:?}");
    assert_eq!(err.diagnosis().title, "Connection dropped", "{err}");
    client.query(SOQL).await.expect("next call succeeds");
}
