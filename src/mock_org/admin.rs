//! The mock org's admin endpoints (not Salesforce's): `/__mock/faults`, `/__mock/clock`,
//! `/__mock/reset`, `/__mock/state`. No authentication: the server only listens on loopback.
//!
//! * `GET /__mock/faults` — current latency and pending failures.
//! * `POST /__mock/faults` — JSON with any of: `latency_ms`, `fail_next` (count), `status`,
//!   `error_code`, `message`, `expire_tokens` (bool), `api_usage` (calls used today),
//!   `api_remaining` (calls left today), `drop_connections` (count: the next N requests, any
//!   path but `/__mock/...`, get their TCP connection closed without an answer),
//!   `drop_result_pages` (count: the next N Bulk result page requests with a locator, i.e. a
//!   download already under way, get their connection closed), `kind` (with `fail_next`: what
//!   the failing answers look like, see [`FaultKind`]; `status` applies to all kinds, e.g.
//!   `{"fail_next":1,"status":200,"kind":"html"}`), `after` (with `fail_next`: calls that pass
//!   first), `retry_after` (seconds a 503 or 429 asks for, default 1, 0: none), `fail_rate`
//!   with `seed` (that share of data API calls fails with a mix of transient failures, see
//!   `chaos.rs`; 0 stops it).
//! * `DELETE /__mock/faults` — no latency, no pending or random failures or dropped
//!   connections.
//! * `GET /__mock/clock` — the org's "now" and how far it is ahead of real time.
//! * `POST /__mock/clock` — `{"advance_secs": N}` moves the org's clock forward N seconds
//!   (fractions allowed): tokens time out, records are stamped and TODAY falls as if that much
//!   time had passed.
//! * `POST /__mock/reset` — records, cursors, jobs and API usage back to the seed state (tokens
//!   stay valid).
//! * `GET /__mock/state` — counts; `?records=true` also dumps every record.
//! * `GET|POST /__mock/oauth` — the browser and refresh token flows' knobs (see
//!   [`super::flows::admin`]).

use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::rest::{ApiError, method_not_allowed, parse_body};
use super::state::{Fault, Shared, json_response, sf_datetime};

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
        if let Some(used) = number("api_usage") {
            inner.usage = used;
        }
        if let Some(remaining) = number("api_remaining") {
            inner.usage = shared.config.api_daily_limit.saturating_sub(remaining);
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
    let mut inner = shared.lock();
    inner.store.clear();
    inner.seq.clear();
    inner.cursors.clear();
    inner.jobs.clear();
    inner.usage = 0;
    super::seed::seed(&shared.config, &shared.schema, &shared.user_id, &mut inner);
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
    rest: &[&str],
    query: &str,
    body: &[u8],
) -> Response {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::MockOrgConfig;
    use super::super::state::TokenInfo;
    use super::*;

    fn org() -> Shared {
        let config = MockOrgConfig {
            records: 3,
            token_ttl: Duration::from_secs(600),
            ..MockOrgConfig::default()
        };
        Shared::new(config, url::Url::parse("http://127.0.0.1:1/").expect("url")).expect("org")
    }

    fn call(shared: &Shared, method: Method, body: &str) -> (StatusCode, Value) {
        let response = handle(shared, &method, &["clock"], "", body.as_bytes());
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
