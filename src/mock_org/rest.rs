//! Request routing and the REST data API (`/services/data/...`).
//!
//! Routing is done by hand rather than with axum's router so that the tolerances of a real org
//! hold everywhere: trailing slashes, any letter case for resource and sObject names, and every
//! API version from v31.0 to the newest.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::oauth;
use super::schema::{FieldMeta, ObjectSchema, render};
use super::seed::{insert_record, system_fields};
use super::soql::Row;
use super::state::{
    Inner, Listener, Record, Shared, bearer, json_bytes_response, json_response, now_ms,
    push_json_str, push_json_str_contents, raw_json, sf_datetime,
};
use super::store::{RowCursor, Table};

/// A REST error: status plus one element of the error array.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// `fields`, left out of the body when `None`.
    pub fields: Option<Vec<String>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: None,
        }
    }

    pub fn with_fields(mut self, fields: Vec<String>) -> ApiError {
        self.fields = Some(fields);
        self
    }

    pub fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }

    /// The sObject-Collections form (`statusCode` instead of `errorCode`).
    pub fn collection_item(&self) -> Value {
        json!({"statusCode": self.code, "message": self.message,
               "fields": self.fields.clone().unwrap_or_default()})
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        super::state::rest_error(self.status, self.code, &self.message, self.fields)
    }
}

/// The router of one listener: everything goes through [`dispatch`].
pub(crate) fn router(listener: Listener) -> Router {
    Router::new().fallback(dispatch).with_state(listener)
}

pub(crate) fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One request as the handlers see it.
pub(crate) struct Request<'a> {
    pub method: &'a Method,
    pub headers: &'a HeaderMap,
    pub query: &'a str,
    pub body: &'a [u8],
    /// The API version number, e.g. `"62.0"` (empty for Apex REST).
    pub version: String,
    /// For `/services/apexrest/...`: the path after `apexrest`, as sent (`/orders/42`).
    pub apex_path: Option<String>,
}

impl Request<'_> {
    /// A query-string parameter (`+` and `%20` are spaces).
    pub fn param(&self, name: &str) -> Option<String> {
        oauth::form(self.query.as_bytes())
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn dispatch(
    State(listener): State<Listener>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !listener.shared.config.log_requests {
        return handle_request(listener, method, uri, headers, body).await;
    }
    let started = std::time::Instant::now();
    // The path only: query strings may carry tokens (`revoke?token=`).
    let line = format!("{method} {}", uri.path());
    let response = handle_request(listener, method, uri, headers, body).await;
    eprintln!(
        "{line} -> {} ({} ms)",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

async fn handle_request(
    listener: Listener,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let segments: Vec<String> = uri
        .path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let query = uri.query().unwrap_or_default();
    let shared = &listener.shared;
    match lower.as_slice() {
        ["services", "oauth2", "token"] => oauth::token(&listener, &method, &headers, &body),
        ["services", "oauth2", "introspect"] => oauth::introspect(shared, &headers, &body),
        ["services", "oauth2", "revoke"] => oauth::revoke(shared, query, &body),
        ["services", "oauth2", "userinfo"] => oauth::userinfo(shared, &headers),
        [".well-known", "openid-configuration"] => oauth::openid_configuration(shared),
        ["id", _, _] => oauth::identity(shared, &headers, &segments[1], &segments[2]),
        ["services", "data"] => versions(shared),
        ["__mock", ..] => super::admin::handle(shared, &method, &lower[1..], query, &body),
        ["services", "soap", "class", ..] if method == Method::POST => {
            super::soap::call(shared, &segments[3..], &body)
        }
        ["services", "wsdl", "class", ..] => super::soap::wsdl(shared, &segments[3..], &headers),
        ["services", "apexrest", ..] => {
            let path = uri.path();
            let start = path
                .to_ascii_lowercase()
                .find("/apexrest")
                .map_or(path.len(), |i| i + 9);
            let request = Request {
                method: &method,
                headers: &headers,
                query,
                body: &body,
                version: String::new(),
                apex_path: Some(path.get(start..).unwrap_or_default().to_owned()),
            };
            data_api(shared, &request, &[], &[]).await
        }
        ["services", "data", version, ..] => {
            let Some(version) = parse_version(shared, version) else {
                return ApiError::not_found().into_response();
            };
            let request = Request {
                method: &method,
                headers: &headers,
                query,
                body: &body,
                version,
                apex_path: None,
            };
            let (latency, fault) = {
                let mut inner = shared.lock();
                let fault = if inner.fault.remaining > 0 {
                    inner.fault.remaining -= 1;
                    Some(inner.fault.clone())
                } else {
                    None
                };
                (inner.latency_ms, fault)
            };
            if latency > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
            }
            let response = match fault {
                Some(fault) => injected_fault(shared, &fault),
                None => data_api(shared, &request, &segments[3..], &lower[3..]).await,
            };
            let pretty = headers.get("x-prettyprint").is_some_and(|v| {
                v.as_bytes() == b"1" || v.as_bytes().eq_ignore_ascii_case(b"true")
            });
            if pretty {
                prettify(response).await
            } else {
                response
            }
        }
        _ => ApiError::not_found().into_response(),
    }
}

/// An injected answer that is not a Salesforce error: an HTML page, cut or wrongly shaped
/// JSON, or a body whose connection is reset after the first bytes.
fn odd_answer(status: StatusCode, kind: super::admin::FaultKind) -> Response {
    use super::admin::FaultKind;
    let (content_type, body): (&str, &str) = match kind {
        FaultKind::Html | FaultKind::Error => (
            "text/html; charset=utf-8",
            "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>\
             <h1>Down for maintenance</h1><p>The server is temporarily unable to service your \
             request. Please try again later.</p></body></html>",
        ),
        FaultKind::TruncatedJson => (
            "application/json;charset=UTF-8",
            r#"{"totalSize":3,"done":true,"records":[{"attributes":{"type":"Account","url":"/ser"#,
        ),
        FaultKind::WrongShape => (
            "application/json;charset=UTF-8",
            r#"[{"totalSize":"three","done":"maybe","records":{"Id":1},"Id":[],"id":false}]"#,
        ),
        FaultKind::ResetMidBody => {
            let first = Bytes::from_static(
                br#"{"totalSize":3,"done":true,"records":[{"attributes":{"type":"Account"#,
            );
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(first),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "mock org: connection reset mid-body (fault)",
                )),
            ];
            let mut response =
                Response::new(axum::body::Body::from_stream(futures::stream::iter(chunks)));
            *response.status_mut() = status;
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            );
            return response;
        }
    };
    let mut response = Response::new(axum::body::Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The response of an injected fault (see `MockOrg::fail_next` and `/__mock/faults`).
fn injected_fault(shared: &Shared, fault: &super::state::Fault) -> Response {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if fault.kind != super::admin::FaultKind::Error {
        return odd_answer(status, fault.kind);
    }
    let (code, message) = match status {
        StatusCode::INTERNAL_SERVER_ERROR => (
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)".to_owned(),
        ),
        StatusCode::SERVICE_UNAVAILABLE => {
            ("SERVER_UNAVAILABLE", "Server unavailable; please try again later".to_owned())
        }
        StatusCode::UNAUTHORIZED => ("INVALID_SESSION_ID", "Session expired or invalid".to_owned()),
        // The limit that passes (clients back off); the daily one comes from `--api-limit`.
        StatusCode::FORBIDDEN => {
            ("REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.".to_owned())
        }
        _ => ("UNKNOWN_EXCEPTION", format!("Injected fault {}", fault.status)),
    };
    let mut response = super::state::rest_error(
        status,
        fault.error_code.as_deref().unwrap_or(code),
        fault.message.as_deref().unwrap_or(&message),
        None,
    );
    if let Ok(value) = HeaderValue::from_str(&shared.limit_info(shared.api_usage())) {
        response.headers_mut().insert("sforce-limit-info", value);
    }
    response
}

/// Re-serialises a JSON body with indentation (`X-PrettyPrint: 1`).
async fn prettify(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let text = match serde_json::from_slice::<Value>(&bytes) {
        Ok(value) => serde_json::to_string_pretty(&value)
            .unwrap_or_default()
            .into_bytes(),
        Err(_) => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(text))
}

/// `v62.0` → `"62.0"` when the version is served.
fn parse_version(shared: &Shared, segment: &str) -> Option<String> {
    let number = segment.strip_prefix('v')?.strip_suffix(".0")?;
    let n: u32 = number.parse().ok()?;
    (31..=shared.config.latest_api_version)
        .contains(&n)
        .then(|| format!("{n}.0"))
}

/// Release label of an API version (`31` → `Summer '14`).
fn release_label(version: u32) -> String {
    let index = version.saturating_sub(31);
    let season = ["Summer", "Winter", "Spring"][(index % 3) as usize];
    format!("{season} '{:02}", 14 + index.div_ceil(3))
}

/// `GET /services/data`: every served version (no authentication needed).
fn versions(shared: &Shared) -> Response {
    let list: Vec<Value> = (31..=shared.config.latest_api_version)
        .map(|v| {
            json!({"label": release_label(v), "url": format!("/services/data/v{v}.0"),
                   "version": format!("{v}.0")})
        })
        .collect();
    json_response(StatusCode::OK, &Value::Array(list))
}

/// Authentication, limit accounting and the `Sforce-Limit-Info` header around every data call.
async fn data_api(
    shared: &Shared,
    request: &Request<'_>,
    segments: &[String],
    lower: &[&str],
) -> Response {
    let app = bearer(request.headers).and_then(|t| shared.check_token(&t));
    let mut response = match app {
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        )
        .into_response(),
        Some(index) if !shared.apps.get(index).is_some_and(|a| a.has_api_scope) => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "This session is not valid for use with the REST API",
        )
        .into_response(),
        Some(_) => {
            let over = {
                let mut inner = shared.lock();
                if inner.usage >= shared.config.api_daily_limit {
                    true
                } else {
                    inner.usage += 1;
                    false
                }
            };
            if over {
                ApiError::new(
                    StatusCode::FORBIDDEN,
                    "REQUEST_LIMIT_EXCEEDED",
                    "TotalRequests Limit exceeded.",
                )
                .into_response()
            } else {
                let routed = if let Some(path) = &request.apex_path {
                    super::apex::handle(shared, request, path)
                } else if lower == ["composite"] {
                    if *request.method == Method::POST {
                        super::composite::composite(shared, request).await
                    } else {
                        Err(method_not_allowed(request.method, "POST"))
                    }
                } else {
                    route(shared, request, segments, lower)
                };
                let response = routed.unwrap_or_else(IntoResponse::into_response);
                if response.status() == StatusCode::NOT_MODIFIED
                    && !shared.config.count_not_modified
                {
                    let mut inner = shared.lock();
                    inner.usage = inner.usage.saturating_sub(1);
                }
                response
            }
        }
    };
    let usage = shared.api_usage();
    if let Ok(value) = HeaderValue::from_str(&shared.limit_info(usage)) {
        response.headers_mut().insert("sforce-limit-info", value);
    }
    response
}

pub(crate) fn method_not_allowed(method: &Method, allowed: &str) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!("HTTP Method '{method}' not allowed. Allowed are {allowed}"),
    )
}

pub(crate) fn route(
    shared: &Shared,
    request: &Request<'_>,
    segments: &[String],
    lower: &[&str],
) -> Result<Response, ApiError> {
    let get_only = |r: Result<Response, ApiError>| {
        if *request.method == Method::GET || *request.method == Method::HEAD {
            r
        } else {
            Err(method_not_allowed(request.method, "GET,HEAD"))
        }
    };
    match lower {
        [] => get_only(Ok(resources(shared, &request.version))),
        ["sobjects"] => get_only(describe_global(shared, request)),
        ["sobjects", _] => sobject_root(shared, request, &segments[1]),
        ["sobjects", _, "describe"] => get_only(describe(shared, request, &segments[1])),
        ["sobjects", _, _] => record(shared, request, &segments[1], &segments[2]),
        ["sobjects", _, field, _] => {
            let _ = field;
            Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!(
                    "Provided external ID field does not exist or is not accessible: {}",
                    segments[2]
                ),
            ))
        }
        ["query"] => get_only(super::query::query(shared, request, false)),
        ["queryall"] => get_only(super::query::query(shared, request, true)),
        ["query" | "queryall", locator] => {
            let _ = locator;
            get_only(super::query::next_page(shared, request, &segments[1]))
        }
        ["jobs", "query", ..] => super::bulk::route(shared, request, &segments[2..]),
        ["limits"] => get_only(Ok(limits(shared))),
        ["composite", "sobjects"] => match *request.method {
            Method::POST => composite_create(shared, request),
            Method::PATCH => super::collections::update(shared, request),
            Method::DELETE => super::collections::delete(shared, request),
            _ => Err(method_not_allowed(request.method, "DELETE,PATCH,POST")),
        },
        ["composite", "sobjects", _] => match *request.method {
            Method::GET | Method::POST => {
                super::collections::retrieve(shared, request, &segments[2])
            }
            _ => Err(method_not_allowed(request.method, "GET,POST")),
        },
        _ => Err(ApiError::not_found()),
    }
}

fn resources(shared: &Shared, version: &str) -> Response {
    let mut map = Map::new();
    for name in [
        "tooling",
        "metadata",
        "eclair",
        "folders",
        "chatter",
        "tabs",
        "appMenu",
        "quickActions",
        "queryAll",
        "query",
        "search",
        "sobjects",
        "limits",
        "composite",
        "jobs",
        "recent",
        "parameterizedSearch",
    ] {
        map.insert(
            name.to_owned(),
            json!(format!("/services/data/v{version}/{name}")),
        );
    }
    map.insert("identity".to_owned(), json!(shared.identity_url()));
    json_response(StatusCode::OK, &Value::Object(map))
}

/// When the schema last changed (seed base time): describes answer 304 after it.
const SCHEMA_MODIFIED_SECS: i64 = 1_767_225_600;

fn parse_http_date(value: &str) -> Result<i64, ApiError> {
    let time = httpdate::parse_http_date(value.trim()).map_err(|_| {
        ApiError::bad(
            "INVALID_HEADER_TYPE",
            format!("Invalid date format: {value}"),
        )
    })?;
    let secs = time
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Ok(secs)
}

pub(crate) fn http_date(ms: i64) -> String {
    let secs = u64::try_from(ms.max(0) / 1000).unwrap_or(0);
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

/// 304 if `If-Modified-Since` is at or after `modified_secs`; 412 if `If-Unmodified-Since` is
/// before it.
fn check_modified(request: &Request<'_>, modified_secs: i64) -> Result<Option<Response>, ApiError> {
    if let Some(value) = request.header("if-unmodified-since")
        && modified_secs > parse_http_date(value)?
    {
        return Err(precondition_failed());
    }
    if let Some(value) = request.header("if-modified-since")
        && let Ok(since) = parse_http_date(value)
        && modified_secs <= since
        && matches!(*request.method, Method::GET | Method::HEAD)
    {
        return Ok(Some(StatusCode::NOT_MODIFIED.into_response()));
    }
    Ok(None)
}

fn precondition_failed() -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "PRECONDITION_FAILED",
        "The requested resource has been modified since the conditions of the request were set",
    )
}

fn describe_global(shared: &Shared, request: &Request<'_>) -> Result<Response, ApiError> {
    if let Some(response) = check_modified(request, SCHEMA_MODIFIED_SECS)? {
        return Ok(response);
    }
    Ok(raw_json(
        StatusCode::OK,
        super::setup_org::describe_global(shared, &request.version),
    ))
}

pub(crate) fn object<'a>(shared: &'a Shared, name: &str) -> Result<&'a ObjectSchema, ApiError> {
    shared.schema.object(name).ok_or_else(ApiError::not_found)
}

fn describe(shared: &Shared, request: &Request<'_>, name: &str) -> Result<Response, ApiError> {
    let object = object(shared, name)?;
    if let Some(response) = check_modified(request, SCHEMA_MODIFIED_SECS)? {
        return Ok(response);
    }
    let text = render(&object.describe, &request.version, &shared.origin());
    Ok(raw_json(
        StatusCode::OK,
        super::setup_org::describe(shared, &object.name, text),
    ))
}

/// `GET /sobjects/{T}` (basic info) and `POST /sobjects/{T}` (create).
fn sobject_root(shared: &Shared, request: &Request<'_>, name: &str) -> Result<Response, ApiError> {
    let object = object(shared, name)?;
    match *request.method {
        Method::GET | Method::HEAD => {
            // The user's view of describe global (flags from their permissions).
            let global: Value =
                serde_json::from_str(&super::setup_org::describe_global(shared, &request.version))
                    .unwrap_or(Value::Null);
            let entry = global
                .get("sobjects")
                .and_then(Value::as_array)
                .and_then(|a| {
                    a.iter()
                        .find(|o| o.get("name").and_then(Value::as_str) == Some(&object.name))
                })
                .cloned()
                .unwrap_or(Value::Null);
            Ok(json_response(
                StatusCode::OK,
                &json!({"objectDescribe": entry, "recentItems": []}),
            ))
        }
        Method::POST => {
            let body = parse_body(request.body)?;
            let id = create(shared, object, &body)?;
            let mut response = json_response(
                StatusCode::CREATED,
                &json!({"id": id, "success": true, "errors": []}),
            );
            if let Ok(v) = HeaderValue::from_str(&format!(
                "/services/data/v{}/sobjects/{}/{id}",
                request.version, object.name
            )) {
                response.headers_mut().insert(header::LOCATION, v);
            }
            Ok(response)
        }
        _ => Err(method_not_allowed(request.method, "GET,HEAD,POST")),
    }
}

/// Parses a JSON object body, with Salesforce's `JSON_PARSER_ERROR` texts.
pub(crate) fn parse_body(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad(
            "JSON_PARSER_ERROR",
            "The HTTP entity body is required, but this request has no entity body.",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad(
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of the sObject from a non-object value at [line:1, column:1]",
        )),
        Err(e) => {
            let ch = std::str::from_utf8(body)
                .ok()
                .and_then(|t| t.lines().nth(e.line().saturating_sub(1)))
                .and_then(|l| l.chars().nth(e.column().saturating_sub(1)))
                .unwrap_or(' ');
            Err(ApiError::bad(
                "JSON_PARSER_ERROR",
                format!(
                    "Unexpected character ('{ch}' (code {})): was expecting a valid JSON value at [line:{}, column:{}]",
                    ch as u32,
                    e.line(),
                    e.column()
                ),
            ))
        }
    }
}

fn type_error(field: &FieldMeta, value: &Value) -> ApiError {
    let token = match value {
        Value::String(_) => "VALUE_STRING",
        Value::Number(_) => "VALUE_NUMBER",
        Value::Bool(true) => "VALUE_TRUE",
        Value::Bool(false) => "VALUE_FALSE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
        Value::Null => "VALUE_NULL",
    };
    ApiError::bad(
        "JSON_PARSER_ERROR",
        format!(
            "Cannot deserialize instance of {} from {token} value {value} or request may be missing a required field at [line:1, column:1]",
            field.ftype
        ),
    )
}

/// Checks one value against its field's type and metadata; returns the value to store.
fn check_value(object: &ObjectSchema, field: &FieldMeta, value: &Value) -> Result<Value, ApiError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let fields = || vec![field.name.clone()];
    match field.ftype.as_str() {
        "boolean" => value.as_bool().map(Value::Bool).ok_or_else(|| type_error(field, value)),
        "int" => match value.as_i64() {
            Some(n) => Ok(json!(n)),
            None => Err(type_error(field, value)),
        },
        "double" | "currency" | "percent" => match value.as_f64() {
            Some(n) => Ok(json!(n)),
            None => Err(type_error(field, value)),
        },
        "date" => {
            let text = value.as_str().ok_or_else(|| type_error(field, value))?;
            text.parse::<jiff::civil::Date>()
                .map(|d| json!(d.to_string()))
                .map_err(|_| type_error(field, value))
        }
        "datetime" => {
            let text = value.as_str().ok_or_else(|| type_error(field, value))?;
            parse_datetime(text).map(|ms| json!(sf_datetime(ms))).ok_or_else(|| type_error(field, value))
        }
        "reference" | "id" => {
            let text = value.as_str().ok_or_else(|| type_error(field, value))?;
            let wrong = || {
                ApiError::bad(
                    "MALFORMED_ID",
                    format!("{}: id value of incorrect type: {text}", field.label),
                )
                .with_fields(fields())
            };
            let id = crate::sf::id::normalize(text).ok_or_else(wrong)?;
            let prefix_ok = crate::sf::id::key_prefix(&id).is_some_and(|p| {
                field.reference_to.iter().any(|target| match target.as_str() {
                    "User" => p == "005",
                    "Group" => p == "00G",
                    other => {
                        object.name == other && p == object.key_prefix
                            || matches!((other, p), ("Account", "001") | ("Contact", "003") | ("Lead", "00Q"))
                    }
                }) || field.reference_to.is_empty()
            });
            if prefix_ok { Ok(json!(id)) } else { Err(wrong()) }
        }
        _ if field.is_text() => {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err(type_error(field, value)),
            };
            if field.length > 0 && text.chars().count() > field.length {
                return Err(ApiError::bad(
                    "STRING_TOO_LONG",
                    format!("{}: data value too large: {text} (max length={})", field.label, field.length),
                )
                .with_fields(fields()));
            }
            if field.restricted_picklist && !text.is_empty() {
                let bad = text
                    .split(';')
                    .find(|part| !field.picklist.iter().any(|v| v == part));
                if let Some(bad) = bad {
                    return Err(ApiError::bad(
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        format!("{}: bad value for restricted picklist field: {bad}", field.label),
                    )
                    .with_fields(fields()));
                }
            }
            if field.ftype == "email" && !text.is_empty() {
                let ok = text.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.'));
                if !ok {
                    return Err(ApiError::bad(
                        "INVALID_EMAIL_ADDRESS",
                        format!("{}: invalid email address: {text}", field.label),
                    )
                    .with_fields(fields()));
                }
            }
            Ok(json!(text))
        }
        _ => Err(ApiError::bad(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!("Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.", field.name),
        )
        .with_fields(fields())),
    }
}

/// Accepts `2026-01-01T08:00:00Z`, `...000+0000`, `...+01:00`, with or without millis.
pub(crate) fn parse_datetime(text: &str) -> Option<i64> {
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts.as_millisecond());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(zoned) = jiff::fmt::strtime::parse(format, text).and_then(|p| p.to_timestamp()) {
            return Some(zoned.as_millisecond());
        }
    }
    None
}

/// Validates a create/update body against the describe; returns canonical field → value.
pub(crate) fn validate(
    object: &ObjectSchema,
    body: &Map<String, Value>,
    create: bool,
) -> Result<Row, ApiError> {
    let mut row = Row::new();
    let mut read_only = Vec::new();
    for (key, value) in body {
        if key == "attributes" {
            continue;
        }
        let Some(field) = object.field(key) else {
            return Err(ApiError::bad(
                "INVALID_FIELD",
                format!("No such column '{key}' on sobject of type {}", object.name),
            ));
        };
        let writable = if create {
            field.createable
        } else {
            field.updateable
        };
        if !writable {
            read_only.push(field.name.clone());
            continue;
        }
        row.insert(field.name.clone(), check_value(object, field, value)?);
    }
    if !read_only.is_empty() {
        return Err(ApiError::bad(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!(
                "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                read_only.join(", ")
            ),
        )
        .with_fields(read_only));
    }
    let missing: Vec<String> = object
        .fields
        .iter()
        .filter(|f| f.required())
        .filter(|f| {
            let value = row.get(&f.name);
            let blank = |v: &Value| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty());
            if create {
                value.is_none_or(blank)
            } else {
                value.is_some_and(blank)
            }
        })
        .map(|f| f.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::bad(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
        )
        .with_fields(missing));
    }
    Ok(row)
}

/// Recomputes `Name` of Contact and Lead from its parts.
pub(crate) fn compute_name(object: &ObjectSchema, row: &mut Row) {
    if object.name == "Account" || object.field("FirstName").is_none() {
        return;
    }
    let part = |k: &str| {
        row.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let name = [part("FirstName"), part("LastName")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    row.insert("Name".to_owned(), json!(name));
}

/// A fresh modification stamp strictly after `previous`.
pub(crate) fn next_stamp(previous: i64) -> i64 {
    now_ms().max(previous + 1)
}

/// 404 `ENTITY_IS_DELETED`, for a record in the recycle bin.
fn deleted() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "ENTITY_IS_DELETED",
        "entity is deleted",
    )
    .with_fields(vec![])
}

/// A stored record that is not deleted, for a change (written back with
/// [`super::store::Table::put`]): `NOT_FOUND` when there is none, `ENTITY_IS_DELETED` when it is
/// in the recycle bin.
fn live_record(inner: &Inner, object: &str, id: &str) -> Result<Record, ApiError> {
    let record = inner
        .store
        .get(object)
        .and_then(|s| s.get(id))
        .ok_or_else(ApiError::not_found)?;
    if record.row.get("IsDeleted") == Some(&Value::Bool(true)) {
        return Err(deleted());
    }
    Ok(record)
}

/// A new record's fields from a create body: validated as a create, nulls dropped, picklist
/// defaults filled in, `Name` computed. System fields are the caller's ([`system_fields`]).
pub(crate) fn new_row(object: &ObjectSchema, body: &Map<String, Value>) -> Result<Row, ApiError> {
    let mut row = validate(object, body, true)?;
    row.retain(|_, v| !v.is_null());
    for field in &object.fields {
        if let Some(default) = &field.picklist_default
            && field.createable
            && !row.contains_key(&field.name)
        {
            row.insert(field.name.clone(), json!(default));
        }
    }
    compute_name(object, &mut row);
    Ok(row)
}

/// Validates and inserts one record; returns its id.
pub(crate) fn create(
    shared: &Shared,
    object: &ObjectSchema,
    body: &Map<String, Value>,
) -> Result<String, ApiError> {
    super::setup_org::require(shared, &object.name, super::setup_org::Access::Create)?;
    let mut row = new_row(object, body)?;
    let now = now_ms();
    system_fields(&mut row, object, &shared.user_id, now, now);
    let mut inner = shared.lock();
    Ok(insert_record(&mut inner, object, row, now))
}

/// `ETag` of an Account row from its packed bytes ([`Table::packed`]): it changes whenever the
/// row does and is stable otherwise.
fn etag(packed: &[u8]) -> String {
    let digest = Sha256::digest(packed);
    format!(
        "\"{}--gzip\"",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The `ETag` of the stored row with this Id (empty when there is none).
fn row_etag(inner: &Inner, object: &str, id: &str) -> String {
    inner
        .store
        .get(object)
        .and_then(|t| Some(etag(t.packed(t.position(id)?))))
        .unwrap_or_default()
}

fn etag_matches(header: &str, current: &str) -> bool {
    let strip = |s: &str| {
        let s = s.trim().trim_start_matches("W/").trim_matches('"');
        s.trim_end_matches("--gzip")
            .trim_end_matches("-gzip")
            .to_owned()
    };
    let current = strip(current);
    header
        .split(',')
        .any(|candidate| candidate.trim() == "*" || strip(candidate) == current)
}

/// The compound address of `prefix` (`Billing`, `Mailing`, or `` for Lead).
#[cfg(test)]
fn address(row: &Row, prefix: &str) -> Value {
    let get = |k: &str| {
        row.get(&format!("{prefix}{k}"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let parts = [
        ("city", get("City")),
        ("country", get("Country")),
        ("countryCode", get("CountryCode")),
        ("geocodeAccuracy", get("GeocodeAccuracy")),
        ("latitude", get("Latitude")),
        ("longitude", get("Longitude")),
        ("postalCode", get("PostalCode")),
        ("state", get("State")),
        ("stateCode", get("StateCode")),
        ("street", get("Street")),
    ];
    if parts.iter().all(|(_, v)| v.is_null()) {
        return Value::Null;
    }
    Value::Object(parts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// The parts of a compound address, in the order of its JSON keys, with the suffix of the
/// field each comes from (`Billing` + `City`).
const ADDRESS_PARTS: [(&str, &str); 10] = [
    ("city", "City"),
    ("country", "Country"),
    ("countryCode", "CountryCode"),
    ("geocodeAccuracy", "GeocodeAccuracy"),
    ("latitude", "Latitude"),
    ("longitude", "Longitude"),
    ("postalCode", "PostalCode"),
    ("state", "State"),
    ("stateCode", "StateCode"),
    ("street", "Street"),
];

/// Appends the record at `pos` of `table` in REST shape, as [`render_record`] renders it
/// (`attributes`, then `fields` in order, compound addresses built from their parts), written
/// straight from the packed row.
pub(crate) fn write_record(
    table: &Table,
    pos: u32,
    object: &ObjectSchema,
    version: &str,
    fields: &[&FieldMeta],
    out: &mut Vec<u8>,
) {
    let mut cursor = RowCursor::new(table);
    cursor.seek(pos);
    let mut name = String::new();
    // A field the describe lacks (not in the table) is read by name, as a map lookup would.
    let write = |slot: Option<usize>, name: &str, out: &mut Vec<u8>| {
        let written = match slot {
            Some(slot) => cursor.write(slot, out),
            None if cursor.lacks_named_fields() => false,
            None => table
                .value(pos, name)
                .is_some_and(|v| serde_json::to_writer(&mut *out, &v).is_ok()),
        };
        if !written {
            out.extend_from_slice(b"null");
        }
    };
    let is_null = |slot: Option<usize>, name: &str| match slot {
        Some(slot) => cursor.is_null(slot),
        None if cursor.lacks_named_fields() => true,
        None => table.value(pos, name).is_none_or(|v| v.is_null()),
    };
    out.extend_from_slice(b"{\"attributes\":{\"type\":");
    push_json_str(out, &object.name);
    out.extend_from_slice(b",\"url\":\"");
    push_json_str_contents(
        out,
        &format!("/services/data/v{version}/sobjects/{}/", object.name),
    );
    // No Id (or not text): the url ends with `/`, as before.
    if let Some(slot) = table.slot("Id") {
        cursor.write_text(slot, out);
    }
    out.extend_from_slice(b"\"}");
    for (i, field) in fields.iter().enumerate() {
        out.push(b',');
        push_json_str(out, &field.name);
        out.push(b':');
        if field.ftype != "address" {
            // All fields in describe order (no `?fields=`): the slot is the index.
            write(table.slot_at(i, &field.name), &field.name, out);
            continue;
        }
        let prefix = field.name.trim_end_matches("Address");
        let part = |name: &mut String, suffix: &str| {
            name.clear();
            name.push_str(prefix);
            name.push_str(suffix);
        };
        let slots = ADDRESS_PARTS.map(|(_, suffix)| {
            part(&mut name, suffix);
            table.slot(&name)
        });
        if ADDRESS_PARTS.iter().zip(slots).all(|((_, suffix), slot)| {
            part(&mut name, suffix);
            is_null(slot, &name)
        }) {
            out.extend_from_slice(b"null");
            continue;
        }
        for (i, ((key, suffix), slot)) in ADDRESS_PARTS.iter().zip(slots).enumerate() {
            out.push(if i == 0 { b'{' } else { b',' });
            push_json_str(out, key);
            out.push(b':');
            part(&mut name, suffix);
            write(slot, &name, out);
        }
        out.push(b'}');
    }
    out.push(b'}');
}

/// A record in REST shape: `attributes` then the fields in describe order (or `fields` order),
/// built as a `Value` from a decoded row: the reference [`write_record`] is tested against.
#[cfg(test)]
pub(crate) fn render_record(
    object: &ObjectSchema,
    row: &Row,
    version: &str,
    fields: &[&FieldMeta],
) -> Value {
    let id = row.get("Id").and_then(Value::as_str).unwrap_or_default();
    let mut out = Map::new();
    out.insert(
        "attributes".to_owned(),
        json!({"type": object.name, "url": format!("/services/data/v{version}/sobjects/{}/{id}", object.name)}),
    );
    for field in fields {
        let value = match field.ftype.as_str() {
            "address" => address(row, field.name.trim_end_matches("Address")),
            _ => row.get(&field.name).cloned().unwrap_or(Value::Null),
        };
        out.insert(field.name.clone(), value);
    }
    Value::Object(out)
}

/// The fixed rows of the run-as user and the organization.
fn special_record(shared: &Shared, name: &str, id: &str, version: &str) -> Option<Value> {
    let id = crate::sf::id::normalize(id)?;
    if name.eq_ignore_ascii_case("User") && id == shared.user_id {
        return Some(json!({
            "attributes": {"type": "User", "url": format!("/services/data/v{version}/sobjects/User/{id}")},
            "Id": id, "Username": shared.username, "LastName": shared.setup.person().1,
            "FirstName": shared.setup.person().0,
            "Name": format!("{} {}", shared.setup.person().0, shared.setup.person().1),
            "Alias": "integ", "Email": "ops@sfterm-mock.example",
            "IsActive": true, "UserType": "Standard", "TimeZoneSidKey": "America/Los_Angeles",
            "LocaleSidKey": "en_US", "LanguageLocaleKey": "en_US", "EmailEncodingKey": "UTF-8",
            "CompanyName": "sfterm Mock Org", "CreatedDate": "2025-01-01T00:00:00.000+0000",
            "LastModifiedDate": "2026-01-01T00:00:00.000+0000",
            "SystemModstamp": "2026-01-01T00:00:00.000+0000",
        }));
    }
    if name.eq_ignore_ascii_case("Organization") && id == shared.org_id {
        return Some(json!({
            "attributes": {"type": "Organization", "url": format!("/services/data/v{version}/sobjects/Organization/{id}")},
            "Id": id, "Name": "sfterm Mock Org", "OrganizationType": "Developer Edition",
            "IsSandbox": false, "InstanceName": "MOCK1", "NamespacePrefix": null,
            "DefaultLocaleSidKey": "en_US", "LanguageLocaleKey": "en_US",
            "TimeZoneSidKey": "America/Los_Angeles",
        }));
    }
    None
}

/// `GET/HEAD/PATCH/DELETE /sobjects/{T}/{id}`.
fn record(
    shared: &Shared,
    request: &Request<'_>,
    name: &str,
    id_text: &str,
) -> Result<Response, ApiError> {
    if matches!(*request.method, Method::GET | Method::HEAD)
        && let Some(row) = special_record(shared, name, id_text, &request.version)
    {
        return Ok(json_response(StatusCode::OK, &row));
    }
    let object = object(shared, name)?;
    let external = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {id_text}"),
        )
    };
    let id = crate::sf::id::normalize(id_text).ok_or_else(external)?;
    if crate::sf::id::key_prefix(&id) != Some(object.key_prefix.as_str()) {
        return Err(ApiError::not_found());
    }
    let is_account = object.name == "Account";
    match *request.method {
        Method::GET | Method::HEAD => {
            let fields: Result<Vec<&FieldMeta>, ApiError> = match request.param("fields") {
                Some(list) => list
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|f| {
                        object.field(f).ok_or_else(|| {
                            ApiError::bad(
                                "INVALID_FIELD",
                                format!("No such column '{f}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", object.name),
                            )
                        })
                    })
                    .collect(),
                None => Ok(object.fields.iter().collect()),
            };
            // One walk over the packed row under the lock: the ETag is its hash, the body is
            // written from it (only when it is sent).
            let inner = shared.lock();
            let table = inner
                .store
                .get(&object.name)
                .ok_or_else(ApiError::not_found)?;
            let pos = table.position(&id).ok_or_else(ApiError::not_found)?;
            if table.is_deleted(pos) {
                return Err(deleted());
            }
            let fields = fields?;
            let modified = table.modified_ms(pos);
            let tag = if is_account {
                etag(table.packed(pos))
            } else {
                String::new()
            };
            if is_account {
                if let Some(value) = request.header("if-none-match")
                    && etag_matches(value, &tag)
                {
                    return Ok(with_record_headers(
                        StatusCode::NOT_MODIFIED.into_response(),
                        modified,
                        is_account.then_some(&tag),
                    ));
                }
                if let Some(value) = request.header("if-match")
                    && !etag_matches(value, &tag)
                {
                    return Err(precondition_failed());
                }
            }
            if let Some(response) = check_modified(request, modified / 1000)? {
                return Ok(with_record_headers(
                    response,
                    modified,
                    is_account.then_some(&tag),
                ));
            }
            let mut body = Vec::with_capacity(2048);
            write_record(table, pos, object, &request.version, &fields, &mut body);
            drop(inner);
            Ok(with_record_headers(
                json_bytes_response(StatusCode::OK, body),
                modified,
                is_account.then_some(&tag),
            ))
        }
        Method::PATCH => {
            let body = parse_body(request.body)?;
            super::setup_org::require(shared, &object.name, super::setup_org::Access::Edit)?;
            let mut inner = shared.lock();
            let mut record = live_record(&inner, &object.name, &id)?;
            if is_account {
                let tag = row_etag(&inner, &object.name, &id);
                if let Some(value) = request.header("if-match")
                    && !etag_matches(value, &tag)
                {
                    return Err(precondition_failed());
                }
                if let Some(value) = request.header("if-none-match")
                    && etag_matches(value, &tag)
                {
                    return Err(precondition_failed());
                }
            }
            if let Some(value) = request.header("if-unmodified-since")
                && record.modified_ms / 1000 > parse_http_date(value)?
            {
                return Err(precondition_failed());
            }
            let changes = validate(object, &body, false)?;
            record.apply_update(object, changes, &shared.user_id);
            inner.store.table_mut(object).put(&id, &record);
            let tag = row_etag(&inner, &object.name, &id);
            Ok(with_record_headers(
                StatusCode::NO_CONTENT.into_response(),
                record.modified_ms,
                is_account.then_some(&tag),
            ))
        }
        Method::DELETE => {
            super::setup_org::require(shared, &object.name, super::setup_org::Access::Delete)?;
            let mut inner = shared.lock();
            let mut record = live_record(&inner, &object.name, &id)?;
            record.mark_deleted();
            inner.store.table_mut(object).put(&id, &record);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(method_not_allowed(request.method, "GET,HEAD,PATCH,DELETE")),
    }
}

fn with_record_headers(
    mut response: Response,
    modified_ms: i64,
    etag: Option<&String>,
) -> Response {
    if let Ok(v) = HeaderValue::from_str(&http_date(modified_ms)) {
        response.headers_mut().insert(header::LAST_MODIFIED, v);
    }
    if let Some(tag) = etag
        && let Ok(v) = HeaderValue::from_str(tag)
    {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

fn limits(shared: &Shared) -> Response {
    let max = shared.config.api_daily_limit;
    let used = shared.api_usage();
    let mut daily = Map::new();
    daily.insert("Max".into(), json!(max));
    daily.insert("Remaining".into(), json!(max.saturating_sub(used)));
    for app in &shared.apps {
        daily.insert(app.label.clone(), json!({"Max": 0, "Remaining": 0}));
    }
    let pair = |m: u64| json!({"Max": m, "Remaining": m});
    json_response(
        StatusCode::OK,
        &json!({
            "ConcurrentAsyncGetReportInstances": pair(200),
            "ConcurrentSyncReportRuns": pair(20),
            "DailyApiRequests": Value::Object(daily),
            "DailyAsyncApexExecutions": pair(250_000),
            "DailyBulkApiBatches": pair(15_000),
            "DailyBulkV2QueryFileStorageMB": pair(976_562),
            "DailyBulkV2QueryJobs": pair(10_000),
            "DailyStreamingApiEvents": pair(10_000),
            "DataStorageMB": pair(5),
            "FileStorageMB": pair(20),
            "HourlyTimeBasedWorkflow": pair(50),
            "SingleEmail": pair(15),
        }),
    )
}

/// `POST /composite/sobjects`: create up to 200 records, optionally all-or-none.
fn composite_create(shared: &Shared, request: &Request<'_>) -> Result<Response, ApiError> {
    let (all_or_none, records) = super::collections::records_body(request)?;
    let mut checked = Vec::with_capacity(records.len());
    for record in &records {
        let result = (|| {
            let map = record
                .as_object()
                .ok_or_else(|| ApiError::bad("JSON_PARSER_ERROR", "Expected an object"))?;
            let kind = map
                .get("attributes")
                .and_then(|a| a.get("type"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ApiError::bad("INVALID_TYPE", "Must send a concrete entity type.")
                })?;
            let object = shared.schema.object(kind).ok_or_else(|| {
                ApiError::bad(
                    "INVALID_TYPE",
                    format!("sObject type '{kind}' is not supported."),
                )
            })?;
            validate(object, map, true)?;
            Ok::<_, ApiError>((object, map))
        })();
        checked.push(result);
    }
    let failed = checked.iter().any(Result::is_err);
    let mut results = Vec::with_capacity(checked.len());
    for result in checked {
        match result {
            Err(e) => results.push(json!({"success": false, "errors": [e.collection_item()]})),
            Ok(_) if all_or_none && failed => results.push(json!({"success": false, "errors": [{
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
                "fields": []}]})),
            Ok((object, map)) => match create(shared, object, map) {
                Ok(id) => results.push(json!({"id": id, "success": true, "errors": []})),
                Err(e) => results.push(json!({"success": false, "errors": [e.collection_item()]})),
            },
        }
    }
    Ok(json_response(StatusCode::OK, &Value::Array(results)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_labels_follow_the_three_releases_a_year() {
        assert_eq!(release_label(31), "Summer '14");
        assert_eq!(release_label(32), "Winter '15");
        assert_eq!(release_label(33), "Spring '15");
        assert_eq!(release_label(60), "Spring '24");
        assert_eq!(release_label(67), "Summer '26");
        assert_eq!(release_label(68), "Winter '27");
    }

    #[test]
    fn etags_match_with_or_without_quotes_weak_prefix_and_gzip_suffix() {
        let tag = "\"abc=--gzip\"";
        assert!(etag_matches("\"abc=--gzip\"", tag));
        assert!(etag_matches("abc=", tag));
        assert!(etag_matches("W/\"abc=-gzip\"", tag));
        assert!(etag_matches("\"x\", \"abc=\"", tag));
        assert!(etag_matches("*", tag));
        assert!(!etag_matches("\"abd=\"", tag));
    }

    #[test]
    fn datetimes_in_every_accepted_form() {
        let expected = Some(1_767_254_400_000);
        assert_eq!(parse_datetime("2026-01-01T08:00:00Z"), expected);
        assert_eq!(parse_datetime("2026-01-01T08:00:00.000+0000"), expected);
        assert_eq!(parse_datetime("2026-01-01T09:00:00.000+01:00"), expected);
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(percent_decode("a%20b%2Fc%zz"), "a b/c%zz");
        assert_eq!(percent_decode("%"), "%");
    }
}
