//! The mock org's admin endpoints (not Salesforce's): `/__mock/faults`, `/__mock/clock`,
//! `/__mock/reset`, `/__mock/state`. Open on 127.0.0.1; with an admin token (required to
//! listen on any other address, see [`check_bind`]) every one of them needs
//! `Authorization: Bearer <token>` and answers 401 without it.
//!
//! * `GET /__mock/faults` — current latency and pending failures.
//! * `POST /__mock/faults` — JSON with any of: `latency_ms`, `fail_next` (count), `status`,
//!   `error_code`, `message`, `expire_tokens` (bool), `api_usage` (calls used today),
//!   `api_remaining` (calls left today), `drop_connections` (count: the next N requests, any
//!   path but `/__mock/...`, get their TCP connection closed without an answer),
//!   `drop_result_pages` (count: the next N Bulk result page requests with a locator, i.e. a
//!   download already under way, get their connection closed), `slow_first_result_page_ms`
//!   (the Bulk result page of a job's first rows sends its body that late), `kind` (with `fail_next`: what
//!   the failing answers look like, see [`FaultKind`]; `status` applies to all kinds, e.g.
//!   `{"fail_next":1,"status":200,"kind":"html"}`), `after` (with `fail_next`: calls that pass
//!   first), `retry_after` (seconds a 503 or 429 asks for, default 1, 0: none), `fail_rate`
//!   with `seed` (that share of data API calls fails with a mix of transient failures, see
//!   `chaos.rs`; 0 stops it), `reject_writes` (`{"<record id>": "<message>"}`: updates of
//!   those records fail with `FIELD_CUSTOM_VALIDATION_EXCEPTION`, deletes with `DELETE_FAILED`,
//!   see `reject.rs`).
//! * `DELETE /__mock/faults` — no latency, no pending or random failures, dropped
//!   connections or rejected records.
//! * `GET /__mock/clock` — the org's "now" and how far it is ahead of real time.
//! * `POST /__mock/clock` — `{"advance_secs": N}` moves the org's clock forward N seconds
//!   (fractions allowed): tokens time out, records are stamped and TODAY falls as if that much
//!   time had passed.
//! * `POST /__mock/reset` — records, cursors, jobs, API usage and the clock back to the seed
//!   state (tokens stay valid).
//! * `GET /__mock/state` — counts; `?records=true` also dumps every record.
//! * `GET|POST /__mock/oauth` — the browser and refresh token flows' knobs (see
//!   [`super::flows::admin`]).

use std::net::IpAddr;
use std::time::Duration;

use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::rest::{ApiError, method_not_allowed, parse_body};
use super::state::{Fault, Shared, json_response, sf_datetime};
use super::{MockOrgConfig, MockOrgError};

/// Whether `ip` reaches only this machine's own loopback listener the way the default does:
/// exactly 127.0.0.1 or ::1. Any other (even 127.0.0.2, which port forwards and containers
/// can expose) counts as reachable by others.
pub(crate) fn is_local_only(ip: IpAddr) -> bool {
    ip == IpAddr::from([127, 0, 0, 1]) || ip == IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])
}

/// Refuses a bind address the org cannot serve safely or usefully: an unspecified one (its
/// URLs would name no reachable host), or one other than 127.0.0.1 / ::1 without an admin
/// token (anyone who reaches it could reset, dump or break the org), or an empty token.
pub(crate) fn check_bind(config: &MockOrgConfig) -> Result<(), MockOrgError> {
    let refuse = |why| {
        Err(MockOrgError::BindRefused {
            addr: config.bind,
            why,
        })
    };
    if config.bind.is_unspecified() {
        return refuse(
            "bind the one address clients reach the org on (e.g. the machine's own, \
             `hostname -I`): the org names it in the URLs it gives out (instance_url, the env file)",
        );
    }
    match config.admin_token.as_deref() {
        Some("") => refuse("the admin token is empty"),
        None if !is_local_only(config.bind) => refuse(
            "an address other than 127.0.0.1 or ::1 needs --admin-token (or \
             SFTERM_MOCK_ORG_ADMIN_TOKEN): the /__mock admin endpoints can reset, dump and break \
             the org, so they then require it as a bearer token",
        ),
        _ => Ok(()),
    }
}

/// Whether a request may use the admin endpoints: always without an admin token, else only
/// with `Authorization: Bearer <token>` (compared in constant time).
fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(expected) = shared.config.admin_token.as_deref() else {
        return true;
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token.trim());
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

fn unauthorized() -> Response {
    let mut response = json_response(
        StatusCode::UNAUTHORIZED,
        &json!({"error": "unauthorized",
                "message": "the mock org's admin endpoints need Authorization: Bearer <admin token>"}),
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer realm=\"sfterm mock org admin\""),
    );
    response
}

/// The shape of an injected failure's answer (`kind` in `POST /__mock/faults`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// A Salesforce error array (`[{"errorCode":..,"message":..}]`) with the status.
    #[default]
    Error,
    /// An HTML error page (as a proxy or a maintenance page sends), `text/html`.
    Html,
    /// The first part of a JSON query result, cut mid-document.
    TruncatedJson,
    /// Valid JSON of the wrong shape (an array where an object is expected, wrong types).
    WrongShape,
    /// Headers and the start of the body, then the connection is reset mid-body.
    ResetMidBody,
    /// The connection is closed without an answer; the request is not run.
    Drop,
    /// The request is run (a record is created or saved), then the connection is closed
    /// without the answer: what a client sees when a proxy cuts a call that took effect.
    DropAfterProcessing,
}

impl FaultKind {
    /// The `kind` names accepted by `/__mock/faults`.
    pub const NAMES: &'static str =
        "error, html, truncated_json, wrong_shape, reset_mid_body, drop, drop_after_processing";

    fn parse(name: &str) -> Option<FaultKind> {
        serde_json::from_value(Value::String(name.to_owned())).ok()
    }
}

fn faults_body(shared: &Shared) -> Value {
    let inner = shared.lock();
    let chaos = inner.chaos.as_ref();
    json!({"latency_ms": inner.latency_ms, "fail_next": inner.fault,
           "fail_rate": chaos.map_or(0.0, |c| c.rate), "seed": chaos.map(|c| c.seed),
           "failed_at_random": chaos.map_or(0, |c| c.failed),
           "drop_connections": inner.drop_next, "drop_result_pages": inner.drop_result_pages,
           "slow_first_result_page_ms": inner.slow_first_result_page_ms,
           "api_usage": inner.usage, "api_limit": shared.config.api_daily_limit})
}

fn set_faults(shared: &Shared, body: &[u8]) -> Result<Response, ApiError> {
    let body = parse_body(body)?;
    let number = |k: &str| body.get(k).and_then(Value::as_u64);
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    {
        let mut inner = shared.lock();
        if let Some(ms) = number("latency_ms") {
            inner.latency_ms = ms;
        }
        if let Some(count) = number("fail_next") {
            let status = number("status")
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(500);
            if StatusCode::from_u16(status).is_err() {
                return Err(ApiError::bad(
                    "INVALID_FIELD",
                    format!("bad status {status}"),
                ));
            }
            let kind = match text("kind") {
                None => FaultKind::Error,
                Some(name) => FaultKind::parse(&name).ok_or_else(|| {
                    ApiError::bad(
                        "INVALID_FIELD",
                        format!("unknown fault kind {name:?} (one of: {})", FaultKind::NAMES),
                    )
                })?,
            };
            inner.fault = Fault {
                remaining: usize::try_from(count).unwrap_or(usize::MAX),
                status,
                after: number("after").map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX)),
                retry_after: number("retry_after"),
                error_code: text("error_code"),
                message: text("message"),
                kind,
            };
        }
        if let Some(rate) = body.get("fail_rate") {
            let rate = rate
                .as_f64()
                .filter(|r| (0.0..=1.0).contains(r))
                .ok_or_else(|| {
                    ApiError::bad("INVALID_FIELD", "fail_rate must be a number from 0 to 1")
                })?;
            let seed = number("seed").unwrap_or(shared.config.seed);
            inner.chaos = (rate > 0.0).then(|| super::chaos::Chaos::new(rate, seed));
        }
        if let Some(count) = number("drop_connections") {
            inner.drop_next = usize::try_from(count).unwrap_or(usize::MAX);
        }
        if let Some(count) = number("drop_result_pages") {
            inner.drop_result_pages = usize::try_from(count).unwrap_or(usize::MAX);
        }
        if let Some(ms) = number("slow_first_result_page_ms") {
            inner.slow_first_result_page_ms = ms;
        }
        if let Some(used) = number("api_usage") {
            inner.usage = used;
        }
        if let Some(remaining) = number("api_remaining") {
            inner.usage = shared.config.api_daily_limit.saturating_sub(remaining);
        }
        if let Some(rejects) = body.get("reject_writes").and_then(Value::as_object) {
            for (id, message) in rejects {
                let message = message.as_str().unwrap_or("Rejected by a validation rule");
                if !inner.reject(id, message) {
                    return Err(ApiError::bad(
                        "INVALID_FIELD",
                        format!("reject_writes: {id:?} is not a record id"),
                    ));
                }
            }
        }
        if body.get("expire_tokens").and_then(Value::as_bool) == Some(true) {
            inner.tokens.clear();
        }
    }
    Ok(json_response(StatusCode::OK, &faults_body(shared)))
}

fn clock_body(shared: &Shared) -> Value {
    json!({"now": sf_datetime(shared.clock.now_ms()), "offset_ms": shared.clock.offset_ms()})
}

fn advance_clock(shared: &Shared, body: &[u8]) -> Result<Response, ApiError> {
    let body = parse_body(body)?;
    let seconds = body
        .get("advance_secs")
        .and_then(Value::as_f64)
        .filter(|s| s.is_finite() && *s >= 0.0)
        .ok_or_else(|| {
            ApiError::bad(
                "INVALID_FIELD",
                "advance_secs must be a number of seconds, 0 or more",
            )
        })?;
    shared
        .clock
        .advance(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX));
    Ok(json_response(StatusCode::OK, &clock_body(shared)))
}

fn state(shared: &Shared, query: &str) -> Response {
    let dump = super::oauth::form(query.as_bytes())
        .iter()
        .any(|(k, v)| k == "records" && (v == "true" || v == "1"));
    let inner = shared.lock();
    let mut counts = Map::new();
    let mut data = Map::new();
    for object in &shared.schema.objects {
        let store = inner.store.get(&object.name);
        let total = store.map_or(0, |s| s.len());
        let deleted = store.map_or(0, |s| s.iter().filter(|r| r.is_deleted()).count());
        counts.insert(
            object.name.clone(),
            json!({"total": total, "deleted": deleted}),
        );
        if dump {
            let rows: Vec<Value> = store
                .map(|s| s.iter().map(|r| Value::Object(r.row())).collect())
                .unwrap_or_default();
            data.insert(object.name.clone(), Value::Array(rows));
        }
    }
    let mut body = json!({
        "organization_id": shared.org_id,
        "user_id": shared.user_id,
        "api_usage": inner.usage,
        "api_limit": shared.config.api_daily_limit,
        "tokens": inner.tokens.len(),
        "query_cursors": inner.cursors.len(),
        "bulk_jobs": inner.jobs.len(),
        "records": counts,
    });
    if dump {
        body["data"] = Value::Object(data);
    }
    json_response(StatusCode::OK, &body)
}

fn reset(shared: &Shared) -> Response {
    shared.clock.reset();
    let mut inner = shared.lock();
    inner.store.clear();
    inner.seq.clear();
    inner.cursors.clear();
    inner.jobs.clear();
    inner.ingest = Default::default();
    inner.usage = 0;
    super::seed::seed(
        &shared.config,
        &shared.schema,
        (&shared.org_id, &shared.user_id),
        shared.clock.now_ms(),
        &mut inner,
    );
    if let Some(data) = &shared.data {
        // Loaded fine at start, so it loads again.
        let _ = super::data::load(
            &shared.schema,
            &shared.user_id,
            &mut inner,
            data,
            shared.clock.now_ms(),
        );
    }
    drop(inner);
    StatusCode::NO_CONTENT.into_response()
}

/// `/__mock/...`; `rest` is the lower-cased path after `__mock`.
pub(crate) fn handle(
    shared: &Shared,
    method: &Method,
    headers: &HeaderMap,
    rest: &[&str],
    query: &str,
    body: &[u8],
) -> Response {
    if !authorized(shared, headers) {
        return unauthorized();
    }
    let result = match (rest, method) {
        (["faults"], &Method::GET) => Ok(json_response(StatusCode::OK, &faults_body(shared))),
        (["faults"], &Method::POST) => set_faults(shared, body),
        (["faults"], &Method::DELETE) => {
            let mut inner = shared.lock();
            inner.latency_ms = 0;
            inner.fault = Fault::default();
            inner.chaos = None;
            inner.drop_next = 0;
            inner.drop_result_pages = 0;
            inner.rejected.clear();
            inner.slow_first_result_page_ms = 0;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        (["faults"], _) => Err(method_not_allowed(method, "DELETE,GET,POST")),
        (["clock"], &Method::GET) => Ok(json_response(StatusCode::OK, &clock_body(shared))),
        (["clock"], &Method::POST) => advance_clock(shared, body),
        (["clock"], _) => Err(method_not_allowed(method, "GET,POST")),
        (["reset"], &Method::POST) => Ok(reset(shared)),
        (["reset"], _) => Err(method_not_allowed(method, "POST")),
        (["state"], &Method::GET) => Ok(state(shared, query)),
        (["state"], _) => Err(method_not_allowed(method, "GET")),
        (["oauth"], _) => Ok(super::flows::admin(shared, method, body)),
        _ => Err(ApiError::not_found()),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// The same faults and clock, for tests that hold the [`super::MockOrg`] itself.
impl super::MockOrg {
    /// Invalidates every access token issued so far.
    pub fn expire_all_tokens(&self) {
        self.shared.expire_all_tokens();
    }

    /// API calls counted today (what `Sforce-Limit-Info` reports as used).
    pub fn api_usage(&self) -> u64 {
        self.shared.api_usage()
    }

    /// Makes the next `count` data API calls (`/services/data/vNN.0/...`) fail with `status`:
    /// 500 `UNKNOWN_EXCEPTION`, 503 `SERVER_UNAVAILABLE`, 401 `INVALID_SESSION_ID`, or the
    /// status with a generic error for anything else. Fault injection for tests.
    pub fn fail_next(&self, count: usize, status: u16) {
        self.fail_after(0, count, status, FaultKind::Error);
    }

    /// Like [`fail_next`](Self::fail_next), with the `errorCode` (and optionally the
    /// `message`) of the error body chosen by the caller.
    pub fn fail_next_with(
        &self,
        count: usize,
        status: u16,
        error_code: Option<&str>,
        message: Option<&str>,
    ) {
        self.shared.lock().fault = Fault {
            remaining: count,
            status,
            error_code: error_code.map(str::to_owned),
            message: message.map(str::to_owned),
            ..Fault::default()
        };
    }

    /// Makes the next `count` data API calls answer `status` with a body of the given
    /// [`FaultKind`] (HTML page, truncated or wrongly shaped JSON, reset mid-body, ...).
    pub fn fail_next_kind(&self, count: usize, status: u16, kind: FaultKind) {
        self.fail_after(0, count, status, kind);
    }

    /// Makes a Bulk API query job end as `Failed` with `message` as its `errorMessage`
    /// (its next poll reports it). False when there is no such job.
    pub fn fail_query_job(&self, id: &str, message: &str) -> bool {
        let mut inner = self.shared.lock();
        match inner.jobs.get_mut(id) {
            Some(job) => {
                job.state = "Failed".to_owned();
                job.error_message = Some(message.to_owned());
                true
            }
            None => false,
        }
    }

    /// Closes the TCP connection of the next `count` requests (any path except `/__mock/...`)
    /// without sending an answer.
    pub fn drop_next_connections(&self, count: usize) {
        self.shared.lock().drop_next = count;
    }

    /// Drops the connection of the next `count` Bulk API 2.0 result page requests that carry a
    /// locator (pages after the first), like [`MockOrg::drop_next_connections`]: a download
    /// interrupted mid-way.
    pub fn drop_next_result_pages(&self, count: usize) {
        self.shared.lock().drop_result_pages = count;
    }

    /// Makes the Bulk result page of a job's first rows send its body `delay` late (zero:
    /// not): chunks of a parallel download then finish out of order. Also `POST
    /// /__mock/faults {"slow_first_result_page_ms": 300}`.
    pub fn slow_first_result_page(&self, delay: Duration) {
        self.shared.lock().slow_first_result_page_ms =
            u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
    }

    /// Sets how many API calls are left today; at 0 every data API call answers 403
    /// `REQUEST_LIMIT_EXCEEDED`.
    pub fn set_api_remaining(&self, remaining: u64) {
        self.shared.lock().usage = self.shared.config.api_daily_limit.saturating_sub(remaining);
    }

    /// Moves the org's clock forward by `by`: token idle timeouts, record stamps, Bulk job
    /// dates and relative dates in SOQL (`TODAY`) all behave as if that much time had passed.
    /// Only a reset sets it back. Also `POST /__mock/clock {"advance_secs": N}`.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Changes the delay added before every data API response.
    pub fn set_latency(&self, latency: Duration) {
        self.shared.lock().latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::MockOrgConfig;
    use super::super::state::TokenInfo;
    use super::*;

    fn org() -> Shared {
        org_with(None)
    }

    fn org_with(admin_token: Option<&str>) -> Shared {
        let config = MockOrgConfig {
            records: 3,
            token_ttl: Duration::from_secs(600),
            admin_token: admin_token.map(str::to_owned),
            ..MockOrgConfig::default()
        };
        Shared::new(config, url::Url::parse("http://127.0.0.1:1/").expect("url")).expect("org")
    }

    fn bind_config(bind: &str, admin_token: Option<&str>) -> MockOrgConfig {
        MockOrgConfig {
            bind: bind.parse().expect("an IP address"),
            admin_token: admin_token.map(str::to_owned),
            ..MockOrgConfig::default()
        }
    }

    #[test]
    fn only_127_0_0_1_and_ipv6_loopback_go_without_an_admin_token() {
        for local in ["127.0.0.1", "::1"] {
            assert!(check_bind(&bind_config(local, None)).is_ok(), "{local}");
        }
        for open in ["127.0.0.2", "192.0.2.2", "fd00::2"] {
            let refused = check_bind(&bind_config(open, None)).expect_err(open);
            assert!(
                refused.to_string().starts_with(&format!(
                    "--bind {open}: an address other than 127.0.0.1 or ::1 needs --admin-token"
                )),
                "{refused}"
            );
            assert!(check_bind(&bind_config(open, Some("t0ken"))).is_ok());
        }
        for any in ["0.0.0.0", "::"] {
            let refused = check_bind(&bind_config(any, Some("t0ken"))).expect_err(any);
            assert!(
                refused
                    .to_string()
                    .contains("bind the one address clients reach"),
                "{refused}"
            );
        }
        let empty = check_bind(&bind_config("127.0.0.1", Some(""))).expect_err("empty");
        assert!(
            empty.to_string().contains("the admin token is empty"),
            "{empty}"
        );
    }

    #[test]
    fn with_an_admin_token_every_admin_endpoint_needs_it_as_a_bearer_token() {
        let shared = org_with(Some("s3cret-admin"));
        let status = |authorization: Option<&str>, method: Method, path: &str| {
            let mut headers = HeaderMap::new();
            if let Some(value) = authorization {
                headers.insert(
                    header::AUTHORIZATION,
                    value.parse().expect("a header value"),
                );
            }
            handle(&shared, &method, &headers, &[path], "", b"").status()
        };
        for (method, path) in [
            (Method::GET, "faults"),
            (Method::DELETE, "faults"),
            (Method::GET, "clock"),
            (Method::POST, "reset"),
            (Method::GET, "state"),
            (Method::GET, "oauth"),
            (Method::GET, "nothing-here"),
        ] {
            for wrong in [
                None,
                Some("Bearer s3cret-admiN"),
                Some("Bearer s3cret-admin-and-more"),
                Some("Basic s3cret-admin"),
                Some("s3cret-admin"),
            ] {
                assert_eq!(
                    status(wrong, method.clone(), path),
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} with {wrong:?}"
                );
            }
            let right = status(Some("Bearer s3cret-admin"), method.clone(), path);
            assert_ne!(right, StatusCode::UNAUTHORIZED, "{method} {path}");
        }
        assert_eq!(
            status(Some("bearer s3cret-admin"), Method::GET, "state"),
            StatusCode::OK
        );
        let open = org();
        let response = handle(&open, &Method::GET, &HeaderMap::new(), &["state"], "", b"");
        assert_eq!(response.status(), StatusCode::OK, "no token, no check");
    }

    #[test]
    fn reject_writes_names_records_whose_writes_fail_until_the_faults_are_cleared() {
        let shared = org();
        let post = |body: &str| {
            handle(
                &shared,
                &Method::POST,
                &HeaderMap::new(),
                &["faults"],
                "",
                body.as_bytes(),
            )
            .status()
        };
        let id = crate::sf::id::normalize("001Dn0000000001").expect("an id");
        let id = id.as_str();
        assert_eq!(
            post(r#"{"reject_writes": {"001Dn0000000001": "Industry is locked"}}"#),
            StatusCode::OK
        );
        let rejected = shared.lock().rejection(id, false).expect("rejected");
        assert_eq!(
            (rejected.code, rejected.message.as_str()),
            ("FIELD_CUSTOM_VALIDATION_EXCEPTION", "Industry is locked")
        );
        let delete = shared.lock().rejection(id, true).expect("rejected");
        assert_eq!(delete.code, "DELETE_FAILED");
        assert!(
            shared
                .lock()
                .rejection("001Dn0000000002AAA", false)
                .is_none()
        );
        assert_eq!(
            post(r#"{"reject_writes": {"not an id": "x"}}"#),
            StatusCode::BAD_REQUEST
        );
        let cleared = handle(
            &shared,
            &Method::DELETE,
            &HeaderMap::new(),
            &["faults"],
            "",
            b"",
        );
        assert_eq!(cleared.status(), StatusCode::NO_CONTENT);
        assert!(shared.lock().rejection(id, false).is_none());
    }

    fn call(shared: &Shared, method: Method, body: &str) -> (StatusCode, Value) {
        let response = handle(
            shared,
            &method,
            &HeaderMap::new(),
            &["clock"],
            "",
            body.as_bytes(),
        );
        let status = response.status();
        let bytes =
            futures::executor::block_on(axum::body::to_bytes(response.into_body(), 1 << 20))
                .expect("body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    #[test]
    fn the_clock_endpoint_moves_the_org_clock_for_tokens_and_stamps() {
        let shared = org();
        let now = shared.clock.now_ms();
        shared.lock().tokens.insert(
            "tok".into(),
            TokenInfo {
                app: 0,
                issued_ms: now,
                last_used_ms: now,
            },
        );
        let (status, body) = call(&shared, Method::GET, "");
        assert_eq!((status, &body["offset_ms"]), (StatusCode::OK, &json!(0)));

        // Used within the idle timeout: alive, and the timeout slides.
        let (status, body) = call(&shared, Method::POST, r#"{"advance_secs": 599.5}"#);
        assert_eq!(
            (status, &body["offset_ms"]),
            (StatusCode::OK, &json!(599_500))
        );
        assert_eq!(shared.check_token("tok"), Some(0));
        call(&shared, Method::POST, r#"{"advance_secs": 500}"#);
        assert_eq!(shared.check_token("tok"), Some(0));
        // Idle longer than the timeout: gone.
        call(&shared, Method::POST, r#"{"advance_secs": 601}"#);
        assert_eq!(shared.check_token("tok"), None);

        // Records are stamped with the org's time.
        let account = shared.schema.object("Account").expect("Account");
        let fields = json!({"Name": "Later Co"});
        let id = super::super::rest::create(&shared, account, fields.as_object().expect("map"))
            .expect("created");
        let stamped = shared.lock().store.get("Account").expect("table").get(&id);
        let stamped = stamped.expect("stored").modified_ms;
        assert!(stamped >= now + 1_700_500, "{stamped} vs {now}");
        let (_, body) = call(&shared, Method::GET, "");
        assert_eq!(body["offset_ms"], json!(1_700_500));
        assert!(
            body["now"].as_str().is_some_and(|t| t.ends_with("+0000")),
            "{body}"
        );

        // Relative dates follow the org's clock: three days on, the record is older than
        // LAST_N_DAYS:2.
        call(&shared, Method::POST, r#"{"advance_secs": 259200}"#);
        let count = |soql: &str| {
            let inner = shared.lock();
            let selection = super::super::query::select(&shared, &inner, soql, false, "62.0");
            selection.expect(soql).total_size()
        };
        assert_eq!(
            count("SELECT COUNT() FROM Account WHERE CreatedDate = LAST_N_DAYS:2"),
            0
        );
        assert_eq!(
            count("SELECT COUNT() FROM Account WHERE CreatedDate = LAST_N_DAYS:4"),
            1
        );
        let offset = 1_700_500 + 259_200_000;

        for bad in [
            "{}",
            r#"{"advance_secs": -1}"#,
            r#"{"advance_secs": "1"}"#,
            "nope",
        ] {
            let (status, _) = call(&shared, Method::POST, bad);
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        }
        let (status, _) = call(&shared, Method::DELETE, "");
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            shared.clock.offset_ms(),
            offset,
            "refused requests move nothing"
        );
    }
}
