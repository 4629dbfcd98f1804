//! SfClient against a tiny local fake org (axum on 127.0.0.1): renewal (single-flight),
//! paging, headers, transport errors and TLS with `ca_file`. The full end-to-end suite against
//! the real mock org lives in tests/sf_client/mock_org.rs.
#![cfg(feature = "mock-org")]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use futures::StreamExt;
use jiff::Timestamp;
use secrecy::SecretString;
use serde_json::{Value, json};
use sfterm::sf::{
    ApiError, ApiVersion, ClientAuthStyle, Clock, ConnectionConfig, QueryOptions, RenewReason,
    RetryPolicy, SfClient,
};
use url::Url;

const CLIENT_ID: &str = "fake-client-id";
const CLIENT_SECRET: &str = "fake-client-secret";
const ORG: &str = "00DDn00000Org01MAB";
const USER: &str = "005Dn00000IntUsIAJ";
const ACCOUNT: &str = "001Dn00000AbCdEIAV";
/// `Last-Modified` of the fake Account.
const LAST_MODIFIED: &str = "Thu, 01 Jan 2026 08:00:00 GMT";

#[derive(Default)]
struct Fake {
    base: Mutex<String>,
    valid: Mutex<Option<String>>,
    token_requests: AtomicU64,
    api_calls: AtomicU64,
    no_api_scope: AtomicBool,
    reject_logins: AtomicBool,
    /// API calls refused with 401 so far.
    refused: AtomicU64,
    /// The token endpoint answers only once `refused` has reached this: concurrent callers
    /// are all refused first, so they all queue behind the one renewal.
    hold_logins_until_refused: AtomicU64,
    basic_seen: AtomicBool,
    body_creds_seen: AtomicBool,
    last_if_unmodified_since: Mutex<Option<String>>,
    batch_sizes: Mutex<Vec<String>>,
}

type S = State<Arc<Fake>>;

fn err(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!([{"message": message, "errorCode": code}])),
    )
        .into_response()
}

fn oauth_err(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// Checks the bearer token and counts the call; `Some(error response)` when refused.
fn check(fake: &Fake, headers: &HeaderMap) -> Option<Response> {
    fake.api_calls.fetch_add(1, Ordering::SeqCst);
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let valid = fake.valid.lock().expect("lock").clone();
    if given.is_none() || given != valid {
        fake.refused.fetch_add(1, Ordering::SeqCst);
        return Some(err(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        ));
    }
    if fake.no_api_scope.load(Ordering::SeqCst) {
        return Some(err(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "This session is not valid for use with the REST API",
        ));
    }
    None
}

async fn token(
    State(fake): S,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    fake.token_requests.fetch_add(1, Ordering::SeqCst);
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_err("unsupported_grant_type", "grant type not supported");
    }
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        });
    let (id, secret) = match (basic, form.get("client_id"), form.get("client_secret")) {
        (Some(pair), None, None) => {
            fake.basic_seen.store(true, Ordering::SeqCst);
            pair
        }
        (None, Some(id), Some(secret)) => {
            fake.body_creds_seen.store(true, Ordering::SeqCst);
            (id.clone(), secret.clone())
        }
        _ => {
            return oauth_err(
                "invalid_request",
                "client credentials missing or duplicated",
            );
        }
    };
    while fake.refused.load(Ordering::SeqCst)
        < fake.hold_logins_until_refused.load(Ordering::SeqCst)
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    if fake.reject_logins.load(Ordering::SeqCst) {
        return oauth_err("invalid_grant", "no client credentials user enabled");
    }
    if id != CLIENT_ID {
        return oauth_err("invalid_client_id", "client identifier invalid");
    }
    if secret != CLIENT_SECRET {
        return oauth_err("invalid_client", "invalid client credentials");
    }
    let n = fake.token_requests.load(Ordering::SeqCst);
    let access = format!("00DDn00000Org01!fake{n}");
    *fake.valid.lock().expect("lock") = Some(access.clone());
    let base = fake.base.lock().expect("lock").clone();
    axum::Json(json!({
        "access_token": access,
        "signature": "sig=",
        "scope": "api",
        "instance_url": base.trim_end_matches('/'),
        "id": format!("{base}id/{ORG}/{USER}"),
        "token_type": "Bearer",
        "issued_at": "1767225600000",
    }))
    .into_response()
}

async fn introspect(State(fake): S, Form(form): Form<HashMap<String, String>>) -> Response {
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return oauth_err("invalid_client", "invalid client credentials");
    }
    let valid = fake.valid.lock().expect("lock").clone();
    if form.get("token") == valid.as_ref() {
        axum::Json(
            json!({"active": true, "scope": "api", "client_id": CLIENT_ID,
            "username": "integration@acme.example", "token_type": "access_token",
            "exp": 1767232800, "iat": 1767225600, "nbf": 1767225600}),
        )
        .into_response()
    } else {
        axum::Json(json!({"active": false})).into_response()
    }
}

async fn revoke(State(fake): S, Form(form): Form<HashMap<String, String>>) -> Response {
    let mut valid = fake.valid.lock().expect("lock");
    if form.get("token") == valid.as_ref() {
        *valid = None;
        StatusCode::OK.into_response()
    } else {
        oauth_err("invalid_token", "invalid token")
    }
}

async fn versions(State(fake): S, headers: HeaderMap) -> Response {
    if let Some(r) = check(&fake, &headers) {
        return r;
    }
    axum::Json(json!([
        {"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"},
        {"label": "Summer '26", "url": "/services/data/v67.0", "version": "67.0"},
        {"label": "Spring '26", "url": "/services/data/v66.0", "version": "66.0"},
    ]))
    .into_response()
}

fn page(version: &str, from: usize, total: usize, size: usize) -> Value {
    let to = (from + size).min(total);
    let records: Vec<Value> = (from..to)
        .map(|i| json!({"attributes": {"type": "Account"}, "Name": format!("Account {i}")}))
        .collect();
    let mut body = json!({"totalSize": total, "done": to == total, "records": records});
    if to < total {
        body["nextRecordsUrl"] = json!(format!(
            "/services/data/{version}/query/01gDn00000AbcdE-{to}"
        ));
    }
    body
}

fn batch(fake: &Fake, headers: &HeaderMap) -> usize {
    let opt = headers
        .get("sforce-query-options")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    fake.batch_sizes.lock().expect("lock").push(opt.to_string());
    opt.strip_prefix("batchSize=")
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000)
}

async fn query(
    State(fake): S,
    Path(version): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = check(&fake, &headers) {
        return r;
    }
    let soql = q.get("q").cloned().unwrap_or_default();
    if soql.contains("FRM") {
        return err(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "unexpected token: FRM",
        );
    }
    let total = if soql.contains("LIMIT 5") { 5 } else { 450 };
    axum::Json(page(&version, 0, total, batch(&fake, &headers))).into_response()
}

async fn query_more(
    State(fake): S,
    Path((version, locator)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = check(&fake, &headers) {
        return r;
    }
    let from = locator
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    axum::Json(page(&version, from, 450, batch(&fake, &headers))).into_response()
}

async fn account_get(
    State(fake): S,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = check(&fake, &headers) {
        return r;
    }
    if id != ACCOUNT {
        return err(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        );
    }
    let mut resp = axum::Json(json!({
        "attributes": {"type": "Account", "url": format!("/services/data/{version}/sobjects/Account/{id}")},
        "Id": id, "Name": "Acme Corp"
    }))
    .into_response();
    let h = resp.headers_mut();
    h.insert(
        header::LAST_MODIFIED,
        HeaderValue::from_static(LAST_MODIFIED),
    );
    h.insert(header::ETAG, HeaderValue::from_static("\"abc=--gzip\""));
    resp
}

async fn account_patch(State(fake): S, headers: HeaderMap) -> Response {
    if let Some(r) = check(&fake, &headers) {
        return r;
    }
    let ius = headers
        .get(header::IF_UNMODIFIED_SINCE)
        .and_then(|v| v.to_str().ok());
    *fake.last_if_unmodified_since.lock().expect("lock") = ius.map(str::to_string);
    let modified = httpdate::parse_http_date(LAST_MODIFIED).expect("date");
    match ius.map(httpdate::parse_http_date) {
        Some(Ok(since)) if since < modified => StatusCode::PRECONDITION_FAILED.into_response(),
        Some(Err(_)) => err(StatusCode::BAD_REQUEST, "INVALID_HEADER", "bad date"),
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn identity(State(fake): S, headers: HeaderMap) -> Response {
    if let Some(r) = check(&fake, &headers) {
        return r;
    }
    axum::Json(json!({"id": "x", "user_id": USER, "organization_id": ORG,
        "username": "integration@acme.example", "asserted_user": true,
        "urls": {"rest": "https://acme.my.salesforce.com/services/data/v{version}/"}}))
    .into_response()
}

async fn html() -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><body>Bad gateway from proxy</body></html>",
    )
        .into_response()
}

/// Echoes what arrived: Accept and Content-Type headers (all values) and the body.
async fn echo(State(fake): S, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if let Some(r) = check(&fake, &headers) {
        return r;
    }
    let all = |name: header::HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    };
    axum::Json(json!({
        "accept": all(header::ACCEPT),
        "content_type": all(header::CONTENT_TYPE),
        "soapaction": all(header::HeaderName::from_static("soapaction")),
        "body": String::from_utf8_lossy(&body),
    }))
    .into_response()
}

async fn slow() -> Response {
    tokio::time::sleep(Duration::from_secs(10)).await;
    StatusCode::OK.into_response()
}

async fn limit_header(State(fake): S, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let used = fake.api_calls.load(Ordering::SeqCst);
    if let Ok(v) = HeaderValue::from_str(&format!("api-usage={used}/15000")) {
        resp.headers_mut().insert("sforce-limit-info", v);
    }
    resp
}

fn router(fake: Arc<Fake>) -> Router {
    Router::new()
        .route("/services/oauth2/token", post(token))
        .route("/services/oauth2/introspect", post(introspect))
        .route("/services/oauth2/revoke", post(revoke))
        .route("/services/data/", get(versions))
        .route("/services/data/{version}/query", get(query))
        .route("/services/data/{version}/query/{locator}", get(query_more))
        .route(
            "/services/data/{version}/sobjects/Account/{id}",
            get(account_get).patch(account_patch),
        )
        .route("/id/{org}/{user}", get(identity))
        .route("/html", get(html))
        .route("/slow", get(slow))
        .route("/echo", axum::routing::post(echo))
        .layer(middleware::from_fn_with_state(fake.clone(), limit_header))
        .with_state(fake)
}

async fn start() -> (Arc<Fake>, Url) {
    let fake = Arc::new(Fake::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    *fake.base.lock().expect("lock") = base.clone();
    let app = router(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (fake, Url::parse(&base).expect("url"))
}

fn config(url: &Url) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(url.clone(), CLIENT_ID, SecretString::from(CLIENT_SECRET));
    c.timeout = Duration::from_secs(5);
    c
}

async fn client() -> (Arc<Fake>, SfClient) {
    let (fake, url) = start().await;
    (fake, SfClient::new(config(&url)).expect("client"))
}

#[tokio::test]
async fn login_body_style_publishes_token() {
    let (fake, client) = client().await;
    let mut watch = client.token_watch();
    let token = client.login(RenewReason::Initial).await.expect("login");
    assert!(fake.body_creds_seen.load(Ordering::SeqCst));
    assert_eq!(token.org_id, ORG);
    assert_eq!(token.user_id, USER);
    assert_eq!(token.scopes, vec!["api"]);
    assert_eq!(token.reason, RenewReason::Initial);
    assert!(watch.has_changed().expect("open"));
    let seen = watch.borrow_and_update().clone().expect("published");
    assert_eq!(seen.reason, RenewReason::Initial);
    assert!(!format!("{token:?}").contains("fake1"));
}

#[tokio::test]
async fn login_basic_style() {
    let (fake, url) = start().await;
    let mut c = config(&url);
    c.auth_style = ClientAuthStyle::Basic;
    let client = SfClient::new(c).expect("client");
    client.login(RenewReason::Manual).await.expect("login");
    assert!(fake.basic_seen.load(Ordering::SeqCst));
    assert!(!fake.body_creds_seen.load(Ordering::SeqCst));
}

#[tokio::test]
async fn oauth_errors_are_typed_and_diagnosed() {
    let (_fake, url) = start().await;
    let mut c = config(&url);
    c.client_secret = SecretString::from("wrong");
    let e = SfClient::new(c)
        .expect("client")
        .login(RenewReason::Initial)
        .await
        .expect_err("fails");
    assert_eq!(e.error_code(), Some("invalid_client"));
    assert!(e.diagnosis().fix.contains("Consumer Secret"));
    let mut c = config(&url);
    c.client_id = "nope".into();
    let e = SfClient::new(c)
        .expect("client")
        .login(RenewReason::Initial)
        .await
        .expect_err("fails");
    assert_eq!(e.error_code(), Some("invalid_client_id"));
}

#[tokio::test]
async fn versions_and_highest_version() {
    let (_fake, client) = client().await;
    let versions = client.versions().await.expect("versions");
    assert_eq!(versions.len(), 3);
    assert_eq!(client.api_version().await.expect("version"), ApiVersion(67));
}

#[tokio::test]
async fn pinned_version_is_used() {
    let (fake, url) = start().await;
    let mut c = config(&url);
    c.api_version = Some(ApiVersion(62));
    let client = SfClient::new(c).expect("client");
    assert_eq!(client.api_version().await.expect("version"), ApiVersion(62));
    let page = client
        .query("SELECT Name FROM Account LIMIT 5")
        .await
        .expect("query");
    assert_eq!(page.total_size, 5);
    assert!(page.done);
    assert!(page.records[0]["attributes"].is_object());
    // No call to /services/data was needed.
    assert_eq!(fake.api_calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn query_stream_follows_next_records_url_with_batch_size() {
    let (fake, client) = client().await;
    let opts = QueryOptions {
        include_deleted: false,
        batch_size: Some(200),
    };
    let pages: Vec<_> = client
        .query_stream("SELECT Name FROM Account", opts)
        .collect()
        .await;
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| p.as_ref().expect("page").records.len())
        .collect();
    assert_eq!(sizes, vec![200, 200, 50]);
    assert!(pages.last().expect("last").as_ref().expect("page").done);
    let seen = fake.batch_sizes.lock().expect("lock").clone();
    assert_eq!(seen, vec!["batchSize=200"; 3]);
    // query_more with the locator directly.
    let more = client
        .query_more("/services/data/v67.0/query/01gDn00000AbcdE-400")
        .await
        .expect("more");
    assert_eq!(more.records.len(), 50);
}

#[tokio::test]
async fn query_stream_ends_after_an_error() {
    let (_fake, client) = client().await;
    let pages: Vec<_> = client
        .query_stream("SELECT Id FRM Account", QueryOptions::default())
        .collect()
        .await;
    assert_eq!(pages.len(), 1);
    let e = pages.into_iter().next().expect("one").expect_err("error");
    assert_eq!(e.error_code(), Some("MALFORMED_QUERY"));
    assert_eq!(e.status(), Some(400));
}

#[tokio::test]
async fn limit_watch_follows_the_header() {
    let (_fake, client) = client().await;
    let watch = client.limit_watch();
    assert!(watch.borrow().is_none());
    client.versions().await.expect("versions");
    let info = (*watch.borrow()).expect("limit info");
    assert_eq!(info.max, 15000);
    assert!(info.used >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_renews_once_single_flight() {
    let (fake, client) = client().await;
    client.login(RenewReason::Initial).await.expect("login");
    client.api_version().await.expect("version");
    assert_eq!(fake.token_requests.load(Ordering::SeqCst), 1);
    // The org forgets the token (expiry); 8 concurrent calls must share one renewal.
    *fake.valid.lock().expect("lock") = None;
    fake.hold_logins_until_refused
        .store(fake.refused.load(Ordering::SeqCst) + 8, Ordering::SeqCst);
    let mut watch = client.token_watch();
    watch.borrow_and_update();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.query("SELECT Name FROM Account LIMIT 5").await })
        })
        .collect();
    for call in calls {
        let page = call.await.expect("join").expect("query after renewal");
        assert_eq!(page.total_size, 5);
    }
    assert_eq!(
        fake.token_requests.load(Ordering::SeqCst),
        2,
        "one shared renewal"
    );
    assert_eq!(client.token_requests(), 2);
    let token = watch
        .borrow_and_update()
        .clone()
        .expect("renewed token published");
    assert_eq!(token.reason, RenewReason::InvalidSession);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_renewal_is_shared_by_concurrent_callers() {
    /// A clock that moves only when the test says so.
    struct TestClock(std::time::Instant, Mutex<Duration>);
    impl Clock for TestClock {
        fn now(&self) -> std::time::Instant {
            self.0 + *self.1.lock().expect("lock")
        }
    }
    let clock = Arc::new(TestClock(
        std::time::Instant::now(),
        Mutex::new(Duration::ZERO),
    ));
    let (fake, url) = start().await;
    let client = SfClient::with_clock(config(&url), clock.clone()).expect("client");
    client.login(RenewReason::Initial).await.expect("login");
    client.api_version().await.expect("version");
    *fake.valid.lock().expect("lock") = None;
    fake.reject_logins.store(true, Ordering::SeqCst);
    fake.hold_logins_until_refused
        .store(fake.refused.load(Ordering::SeqCst) + 6, Ordering::SeqCst);
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.query("SELECT Name FROM Account LIMIT 5").await })
        })
        .collect();
    for call in calls {
        let e = call.await.expect("join").expect_err("renewal fails");
        assert_eq!(e.error_code(), Some("invalid_grant"));
        assert!(e.diagnosis().fix.contains("Run As"));
    }
    assert_eq!(
        fake.token_requests.load(Ordering::SeqCst),
        2,
        "one shared failed renewal"
    );
    // Later, once the app is fixed, a call renews again: not while the failure is still
    // shared (2 s on the client's clock), then as soon as it is no longer.
    fake.reject_logins.store(false, Ordering::SeqCst);
    let e = client
        .query("SELECT Name FROM Account LIMIT 5")
        .await
        .expect_err("failure still shared");
    assert_eq!(e.error_code(), Some("invalid_grant"));
    assert_eq!(fake.token_requests.load(Ordering::SeqCst), 2);
    *clock.1.lock().expect("lock") = Duration::from_millis(2100);
    client
        .query("SELECT Name FROM Account LIMIT 5")
        .await
        .expect("recovers");
    assert_eq!(fake.token_requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn revoke_keeps_token_then_next_call_renews() {
    let (fake, client) = client().await;
    client.login(RenewReason::Initial).await.expect("login");
    assert!(client.introspect().await.expect("introspect").active);
    client.revoke().await.expect("revoke");
    assert!(client.token().is_some(), "token kept after revoke");
    assert!(!client.introspect().await.expect("introspect").active);
    client.versions().await.expect("renews and retries");
    assert_eq!(fake.token_requests.load(Ordering::SeqCst), 2);
    assert_eq!(
        client.token().expect("token").reason,
        RenewReason::InvalidSession
    );
}

#[tokio::test]
async fn no_api_scope_is_not_retried() {
    let (fake, client) = client().await;
    client.login(RenewReason::Initial).await.expect("login");
    fake.no_api_scope.store(true, Ordering::SeqCst);
    let e = client.versions().await.expect_err("401");
    assert_eq!(e.error_code(), Some("INVALID_SESSION_ID"));
    assert!(e.diagnosis().fix.contains("api"));
    assert_eq!(
        fake.token_requests.load(Ordering::SeqCst),
        1,
        "no renewal loop"
    );
}

#[tokio::test]
async fn record_get_and_conditional_update() {
    let (fake, client) = client().await;
    let rec = client
        .get_record("Account", ACCOUNT, Some(&["Name"]))
        .await
        .expect("get");
    assert_eq!(rec.fields["Name"], "Acme Corp");
    let lm = rec.last_modified.expect("Last-Modified");
    assert_eq!(lm, "2026-01-01T08:00:00Z".parse::<Timestamp>().expect("ts"));
    assert_eq!(rec.etag.as_deref(), Some("\"abc=--gzip\""));
    let mut fields = serde_json::Map::new();
    fields.insert("Name".into(), json!("Acme 2"));
    client
        .update_record("Account", ACCOUNT, &fields, Some(lm))
        .await
        .expect("unchanged → 204");
    assert_eq!(
        fake.last_if_unmodified_since
            .lock()
            .expect("lock")
            .as_deref(),
        Some(LAST_MODIFIED)
    );
    let older = "2025-12-31T00:00:00Z".parse::<Timestamp>().expect("ts");
    let e = client
        .update_record("Account", ACCOUNT, &fields, Some(older))
        .await
        .expect_err("412");
    assert!(matches!(e, ApiError::PreconditionFailed { .. }), "{e:?}");
    let e = client
        .get_record("Account", "001000000000000AAA", None)
        .await
        .expect_err("404");
    assert_eq!(e.error_code(), Some("NOT_FOUND"));
    let e = client
        .get_record("Account/../x", ACCOUNT, None)
        .await
        .expect_err("bad name");
    assert!(matches!(e, ApiError::InvalidInput(_)));
}

#[tokio::test]
async fn identity_from_the_token_id_url() {
    let (_fake, client) = client().await;
    client.login(RenewReason::Initial).await.expect("login");
    let id = client.identity().await.expect("identity");
    assert_eq!(id.user_id, USER);
    assert!(id.urls["rest"].contains("{version}"));
}

#[tokio::test]
async fn html_error_page_is_reported_with_snippet() {
    // One try: the shape of the error, not the retries (tests/reliability/retry.rs).
    let (_fake, url) = start().await;
    let mut c = config(&url);
    c.retry = RetryPolicy::never();
    let client = SfClient::new(c).expect("client");
    let raw = client
        .send_raw(reqwest::Method::GET, "/html", vec![], None)
        .await
        .expect("raw");
    assert_eq!(raw.status.as_u16(), 502);
    assert_eq!(raw.content_type(), Some("text/html"));
    let e = sfterm::sf::ApiError::Http {
        status: 502,
        content_type: Some("text/html".into()),
        snippet: String::from_utf8_lossy(&raw.body).into_owned(),
    };
    assert!(e.diagnosis().meaning.contains("proxy"));
    // Typed calls turn the same page into ApiError::Http.
    let e = client.query_more("/html").await.expect_err("html");
    match e {
        ApiError::Http {
            status, snippet, ..
        } => {
            assert_eq!(status, 502);
            assert!(snippet.contains("Bad gateway from proxy"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn send_raw_passes_headers_and_body_through() {
    let (_fake, client) = client().await;
    let raw = client
        .send_raw(
            reqwest::Method::POST,
            "/echo",
            vec![
                ("Content-Type".into(), "text/xml; charset=UTF-8".into()),
                ("Accept".into(), "text/xml".into()),
                ("SOAPAction".into(), "\"\"".into()),
                ("Authorization".into(), "Bearer attacker-chosen".into()),
            ],
            Some(bytes::Bytes::from_static(b"<Envelope/>")),
        )
        .await
        .expect("raw");
    assert_eq!(
        raw.status.as_u16(),
        200,
        "own bearer token used, caller's ignored"
    );
    let v: Value = serde_json::from_slice(&raw.body).expect("json");
    assert_eq!(v["accept"], json!(["text/xml"]));
    assert_eq!(v["content_type"], json!(["text/xml; charset=UTF-8"]));
    assert_eq!(v["soapaction"], json!(["\"\""]));
    assert_eq!(v["body"], "<Envelope/>");
    assert!(raw.elapsed > Duration::ZERO);
    // Without a Content-Type, a body is sent as JSON.
    let raw = client
        .send_raw(
            reqwest::Method::POST,
            "/echo",
            vec![],
            Some(bytes::Bytes::from_static(b"{}")),
        )
        .await
        .expect("raw");
    let v: Value = serde_json::from_slice(&raw.body).expect("json");
    assert_eq!(v["content_type"], json!(["application/json"]));
    assert_eq!(v["accept"], json!(["application/json"]));
}

#[tokio::test]
async fn send_raw_refuses_other_hosts() {
    let (_fake, client) = client().await;
    let e = client
        .send_raw(reqwest::Method::GET, "https://evil.example/x", vec![], None)
        .await
        .expect_err("other origin");
    assert!(matches!(e, ApiError::InvalidInput(_)));
}

#[tokio::test]
async fn timeout_is_reported_with_host() {
    let (_fake, url) = start().await;
    let mut c = config(&url);
    c.timeout = Duration::from_millis(500);
    c.retry = RetryPolicy::never();
    let client = SfClient::new(c).expect("client");
    let e = client
        .send_raw(reqwest::Method::GET, "/slow", vec![], None)
        .await
        .expect_err("timeout");
    match &e {
        ApiError::Timeout { host, .. } => assert!(host.starts_with("127.0.0.1")),
        other => panic!("unexpected {other:?}"),
    }
    assert!(e.diagnosis().meaning.contains("127.0.0.1"));
}

#[tokio::test]
async fn connection_refused_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let url = Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url");
    let e = SfClient::new(config(&url))
        .expect("client")
        .login(RenewReason::Initial)
        .await
        .expect_err("refused");
    assert!(matches!(e, ApiError::Network { .. }), "{e:?}");
}

/// Starts the fake over https with a fresh self-signed certificate; returns the PEM too.
async fn start_tls() -> (Arc<Fake>, Url, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string(), "localhost".to_string()])
            .expect("cert");
    let cert_pem = cert.cert.pem();
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem(
        cert_pem.clone().into_bytes(),
        cert.signing_key.serialize_pem().into_bytes(),
    )
    .await
    .expect("tls config");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let base = format!("https://{}/", listener.local_addr().expect("addr"));
    let fake = Arc::new(Fake::default());
    *fake.base.lock().expect("lock") = base.clone();
    let app = router(fake.clone());
    let server = axum_server::tls_rustls::from_tcp_rustls(listener, tls).expect("server");
    tokio::spawn(async move { server.serve(app.into_make_service()).await.expect("serve") });
    (fake, Url::parse(&base).expect("url"), cert_pem)
}

#[tokio::test]
async fn tls_unknown_ca_then_ca_file() {
    let (_fake, url, pem) = start_tls().await;
    let e = SfClient::new(config(&url))
        .expect("client")
        .login(RenewReason::Initial)
        .await
        .expect_err("untrusted");
    assert!(matches!(e, ApiError::Tls { .. }), "{e:?}");
    assert!(e.diagnosis().fix.contains("ca_file"));
    let dir = tempfile::tempdir().expect("dir");
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, pem).expect("write");
    let mut c = config(&url);
    c.ca_file = Some(ca);
    let client = SfClient::new(c).expect("client");
    client
        .login(RenewReason::Initial)
        .await
        .expect("trusted via ca_file");
    assert_eq!(client.api_version().await.expect("version"), ApiVersion(67));
}
