//! The mock org's admin endpoints (not Salesforce's): `/__mock/faults`, `/__mock/reset`,
//! `/__mock/state`. No authentication: the server only listens on loopback.
//!
//! * `GET /__mock/faults` — current latency and pending failures.
//! * `POST /__mock/faults` — JSON with any of: `latency_ms`, `fail_next` (count), `status`,
//!   `error_code`, `message`, `expire_tokens` (bool), `api_usage` (calls used today),
//!   `api_remaining` (calls left today), `drop_connections` (count: the next N requests, any
//!   path but `/__mock/...`, get their TCP connection closed without an answer),
//!   `drop_result_pages` (count: the next N Bulk result page requests with a locator, i.e. a
//!   download already under way, get their connection closed), `kind` (with `fail_next`: what
//!   the failing answers look like, see [`FaultKind`]; `status` applies to all kinds, e.g.
//!   `{"fail_next":1,"status":200,"kind":"html"}`).
//! * `DELETE /__mock/faults` — no latency, no pending failures or dropped connections.
//! * `POST /__mock/reset` — records, cursors, jobs and API usage back to the seed state (tokens
//!   stay valid).
//! * `GET /__mock/state` — counts; `?records=true` also dumps every record.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::rest::{ApiError, method_not_allowed, parse_body};
use super::state::{Fault, Shared, json_response};

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
}

impl FaultKind {
    /// The `kind` names accepted by `/__mock/faults`.
    pub const NAMES: &'static str = "error, html, truncated_json, wrong_shape, reset_mid_body";

    fn parse(name: &str) -> Option<FaultKind> {
        serde_json::from_value(Value::String(name.to_owned())).ok()
    }
}

fn faults_body(shared: &Shared) -> Value {
    let inner = shared.lock();
    json!({"latency_ms": inner.latency_ms, "fail_next": inner.fault,
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
                error_code: text("error_code"),
                message: text("message"),
                kind,
            };
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
        let _ = super::data::load(&shared.schema, &shared.user_id, &mut inner, data);
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
            inner.drop_next = 0;
            inner.drop_result_pages = 0;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        (["faults"], _) => Err(method_not_allowed(method, "DELETE,GET,POST")),
        (["reset"], &Method::POST) => Ok(reset(shared)),
        (["reset"], _) => Err(method_not_allowed(method, "POST")),
        (["state"], &Method::GET) => Ok(state(shared, query)),
        (["state"], _) => Err(method_not_allowed(method, "GET")),
        _ => Err(ApiError::not_found()),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}
