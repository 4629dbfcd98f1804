//! Conditional requests: HTTP dates, `If-Modified-Since` / `If-Unmodified-Since`, and the ETags of
//! Account records (`If-Match` / `If-None-Match`).

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};

use super::super::state::Inner;
use super::{ApiError, Request};

pub(super) fn parse_http_date(value: &str) -> Result<i64, ApiError> {
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
pub(super) fn check_modified(
    request: &Request<'_>,
    modified_secs: i64,
) -> Result<Option<Response>, ApiError> {
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

pub(super) fn precondition_failed() -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "PRECONDITION_FAILED",
        "The requested resource has been modified since the conditions of the request were set",
    )
}

/// `ETag` of an Account row from its packed bytes ([`Table::packed`]): it changes whenever the
/// row does and is stable otherwise.
pub(super) fn etag(packed: &[u8]) -> String {
    let digest = Sha256::digest(packed);
    format!(
        "\"{}--gzip\"",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The `ETag` of the stored row with this Id (empty when there is none).
pub(super) fn row_etag(inner: &Inner, object: &str, id: &str) -> String {
    inner
        .store
        .get(object)
        .and_then(|t| Some(etag(t.packed(t.position(id)?))))
        .unwrap_or_default()
}

pub(super) fn etag_matches(header: &str, current: &str) -> bool {
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

pub(super) fn with_record_headers(
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
