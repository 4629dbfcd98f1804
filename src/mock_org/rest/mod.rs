//! Request routing and the REST data API (`/services/data/...`).
//!
//! Routing is done by hand rather than with axum's router so that the tolerances of a real org
//! hold everywhere: trailing slashes, any letter case for resource and sObject names, and every
//! API version from v31.0 to the newest.
//!
//! The resources live one family per file: [`resources`] (versions, resource list, limits),
//! [`sobjects`] (describes, `/sobjects/{T}`), [`records`] (one record), with [`validate`]
//! (bodies to rows), [`render`] (rows to JSON), [`conditional`] (dates and ETags) and
//! [`faults`] (injected failures) beside them.

mod conditional;
mod faults;
mod records;
mod render;
mod resources;
mod sobjects;
mod validate;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::oauth;
use super::state::{Listener, Shared, bearer};

use faults::injected_fault;
pub(crate) use records::create;
use records::record;
#[cfg(test)]
pub(crate) use render::render_record;
pub(crate) use render::{compound_value, write_compound, write_record};
use resources::{limits, parse_version, resources, versions};
pub(crate) use sobjects::object;
use sobjects::{describe, describe_global, sobject_root};
pub(crate) use validate::{compute_name, new_row, parse_body, parse_datetime, validate};

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

    /// The error array of the body (also inside composite subresponses).
    pub fn array(&self) -> Value {
        super::state::error_array(self.code, &self.message, self.fields.as_deref())
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

/// The router of one listener: everything goes through [`dispatch`]. Bodies up to twice an
/// ingest job's upload cap reach the handlers (which refuse what is over the cap in
/// Salesforce's words); larger ones are cut off with a bare 413.
pub(crate) fn router(listener: Listener) -> Router {
    let max_body = listener
        .shared
        .config
        .ingest_max_upload_bytes
        .saturating_mul(2)
        .max(2 << 20);
    Router::new()
        .fallback(dispatch)
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .with_state(listener)
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
    let shared = listener.shared.clone();
    let response = handle_request(listener, method, uri, headers, body).await;
    shared.log_request(
        started,
        format_args!(
            "{line} -> {} ({} ms)",
            response.status().as_u16(),
            started.elapsed().as_millis()
        ),
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
        ["services", "oauth2", "authorize"] => {
            super::flows::authorize::authorize(shared, &method, query, &body).await
        }
        ["setup", "secur", "remoteaccessauthorizationpage.apexp"] => {
            super::flows::authorize::decide(shared, &method, &body)
        }
        ["services", "oauth2", "introspect"] => oauth::introspect(shared, &headers, &body),
        ["services", "oauth2", "revoke"] => oauth::revoke(shared, query, &body),
        ["services", "oauth2", "userinfo"] => oauth::userinfo(shared, &headers),
        [".well-known", "openid-configuration"] => oauth::openid_configuration(shared),
        ["id", _, _] => oauth::identity(shared, &headers, &segments[1], &segments[2]),
        ["services", "data"] => versions(shared),
        ["__mock", ..] => {
            super::admin::handle(shared, &method, &headers, &lower[1..], query, &body)
        }
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
                let fault = inner.take_fault();
                (inner.latency_ms, fault)
            };
            if latency > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
            }
            let response = match fault {
                Some(fault) if fault.kind == super::admin::FaultKind::DropAfterProcessing => {
                    let mut response =
                        data_api(shared, &request, &segments[3..], &lower[3..]).await;
                    response.extensions_mut().insert(super::drop::DropAnswer);
                    response
                }
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
        ["search"] => get_only(super::search::search(shared, request)),
        ["queryall"] => get_only(super::query::query(shared, request, true)),
        ["query" | "queryall", locator] => {
            let _ = locator;
            get_only(super::query::next_page(shared, request, &segments[1]))
        }
        ["jobs", "query", ..] => super::bulk::route(shared, request, &segments[2..]),
        ["jobs", "ingest", ..] => super::ingest::route(shared, request, &segments[2..]),
        ["limits"] => get_only(Ok(limits(shared))),
        ["composite", "sobjects"] => match *request.method {
            Method::POST => super::collections::create(shared, request),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_decode_and_broken_ones_stay() {
        assert_eq!(percent_decode("a%20b%2Fc%zz"), "a b/c%zz");
        assert_eq!(percent_decode("%"), "%");
    }
}
