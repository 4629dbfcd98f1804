//! Parallel results of a Bulk API 2.0 query job (API 58.0+, bulk-ingest.md §8):
//! `GET /services/data/vNN.0/jobs/query/{id}/resultPages` lists the job's result chunks, at
//! most five `resultUrl`s an answer, then `nextRecordsUrl` and `done`. Each `resultUrl` is an
//! ordinary `results` call with a locator (its header row, `Sforce-NumberOfRecords`,
//! `Sforce-Locator`), a chunk of `MockOrgConfig::bulk_page_size` rows, so the chunks fetched in
//! any order and put back in the listed order are the serial download.
//!
//! Like `results`: 404 for an unknown job, 409 for another API version than the job's, 412
//! `JOB_NOT_COMPLETE` before `JobComplete`; below v58.0 the resource does not exist (404).

use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use super::bulk::{completed_job, version_number};
use super::rest::{ApiError, Request};
use super::state::{Shared, json_response};

/// The first API version with `resultPages`.
pub(super) const FIRST_VERSION: u32 = 58;

/// `resultUrl`s in one answer at most (Salesforce documents five).
const URLS_PER_ANSWER: usize = 5;

/// A locator as Salesforce's look: the base64 of a number (opaque to clients).
fn locator(n: usize) -> String {
    B64.encode(n.to_string())
}

/// A base64 text made safe inside a query string (`+`, `/` and `=` percent-encoded).
fn query_safe(text: &str) -> String {
    text.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

fn read_locator(text: &str) -> Option<usize> {
    let bytes = B64.decode(text.as_bytes()).ok()?;
    String::from_utf8(bytes).ok()?.parse().ok()
}

/// `GET jobs/query/{id}/resultPages[?locator=…]`.
pub(super) fn list(
    shared: &Shared,
    request: &Request<'_>,
    raw_id: &str,
) -> Result<Response, ApiError> {
    if version_number(request) < FIRST_VERSION {
        return Err(ApiError::not_found());
    }
    let inner = shared.lock();
    let job = completed_job(&inner, request, raw_id)?;
    let size = shared.config.bulk_page_size.max(1);
    let rows = job.selection.len();
    // An empty result is one chunk: the header row alone.
    let chunks = rows.div_ceil(size).max(1);
    let first = match request
        .param("locator")
        .filter(|l| !l.is_empty() && l != "null")
    {
        None => 0,
        Some(text) => read_locator(&text)
            .filter(|n| *n < chunks)
            .ok_or_else(|| ApiError::bad("INVALID_LOCATOR", format!("Invalid locator: {text}")))?,
    };
    let end = (first + URLS_PER_ANSWER).min(chunks);
    let base = format!("/services/data/v{}/jobs/query/{}", request.version, job.id);
    let urls: Vec<Value> = (first..end)
        .map(|chunk| {
            let url = format!(
                "{base}/results?locator={}",
                query_safe(&locator(chunk * size))
            );
            json!({ "resultUrl": url })
        })
        .collect();
    let done = end >= chunks;
    let next = (!done).then(|| format!("{base}/resultPages?locator={}", query_safe(&locator(end))));
    Ok(json_response(
        StatusCode::OK,
        &json!({ "resultPages": urls, "nextRecordsUrl": next, "done": done }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locators_survive_a_query_string() {
        for n in [0, 7, 50_000, 999_999, usize::MAX] {
            let text = locator(n);
            let url = format!("http://x/r?locator={}", query_safe(&text));
            let parsed = url::Url::parse(&url).expect("url");
            let (_, back) = parsed.query_pairs().next().expect("pair");
            assert_eq!(read_locator(&back), Some(n), "{text}");
        }
    }
}
