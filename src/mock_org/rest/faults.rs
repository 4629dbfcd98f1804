//! Injected faults of the data API (`MockOrg::fail_next*`, `/__mock/faults`): Salesforce error
//! arrays, or answers that are not one (an HTML page, cut or wrongly shaped JSON, a reset).

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::super::state::Shared;

/// An injected answer that is not a Salesforce error: an HTML page, cut or wrongly shaped
/// JSON, or a body whose connection is reset after the first bytes.
fn odd_answer(status: StatusCode, kind: super::super::admin::FaultKind) -> Response {
    use super::super::admin::FaultKind;
    let (content_type, body): (&str, &str) = match kind {
        FaultKind::Html | FaultKind::Error | FaultKind::Drop | FaultKind::DropAfterProcessing => (
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

/// The response of an injected fault (see `MockOrg::fail_next` and `/__mock/faults`); a 503
/// or 429 asks the client to come back after `retry_after` seconds (1 by default).
pub(super) fn injected_fault(shared: &Shared, fault: &super::super::state::Fault) -> Response {
    let status = StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = answer(shared, status, fault);
    let retry_after = fault.retry_after.unwrap_or(1);
    if matches!(status.as_u16(), 429 | 503) && retry_after > 0 {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    }
    response
}

fn answer(shared: &Shared, status: StatusCode, fault: &super::super::state::Fault) -> Response {
    use super::super::admin::FaultKind;
    match fault.kind {
        FaultKind::Error => {}
        FaultKind::Drop | FaultKind::DropAfterProcessing => {
            let mut response = Response::new(axum::body::Body::empty());
            response
                .extensions_mut()
                .insert(super::super::drop::DropAnswer);
            return response;
        }
        other => return odd_answer(status, other),
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
    let mut response = super::super::state::rest_error(
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
