//! The client's one retry policy: which failures pass if the request is sent again, which
//! requests are safe to send again, how long to wait between tries, and how a retry is told
//! (the log, and an observer such as the TUI's status bar). `transport.rs` runs it around every
//! authenticated request; docs/reliability.md has the table.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::Method;
use reqwest::header;

use crate::sf::error::{ApiError, error_from_response, is_dropped_connection};
#[cfg(test)]
use crate::sf::types::Delivery;
use crate::sf::types::RawResponse;

/// How the client retries a request that met a failure that passes (see
/// docs/reliability.md): at most `attempts` tries in all, waiting between them a random time
/// up to `first_delay`, then up to twice as long each time ("full jitter", never more than
/// `max_delay`), or exactly what the server's `Retry-After` asks; no retry starts once `budget`
/// has gone by since the first try began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included: 1 never retries.
    pub attempts: u32,
    /// The longest first wait.
    pub first_delay: Duration,
    /// The longest wait the backoff gives (a `Retry-After` may ask for more, within `budget`).
    pub max_delay: Duration,
    /// The time from the first try after which no retry starts.
    pub budget: Duration,
}

/// The default number of tries of a request, the first included.
pub const DEFAULT_ATTEMPTS: u32 = 4;
/// The most tries `retries` (config.toml) and `SFTERM_RETRIES` may ask for.
pub const MAX_ATTEMPTS: u32 = 20;

impl Default for RetryPolicy {
    /// [`DEFAULT_ATTEMPTS`] tries, waits of up to 0.5 s, 1 s, 2 s (at most 10 s), within a
    /// minute.
    fn default() -> Self {
        RetryPolicy {
            attempts: DEFAULT_ATTEMPTS,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            budget: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// One try, no retry.
    pub fn never() -> RetryPolicy {
        RetryPolicy {
            attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The longest wait before try `attempt` (2 is the first retry): `first_delay` doubled
    /// for each retry before it, at most `max_delay`.
    pub fn backoff_cap(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(2).min(30);
        self.first_delay
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }

    /// The wait before try `attempt`: `retry_after` when the server asked, else a random time
    /// between zero and [`backoff_cap`](Self::backoff_cap) (full jitter: clients that failed
    /// together do not come back together).
    fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(after) => after,
            None => {
                let cap = self.backoff_cap(attempt);
                cap.mul_f64(rand::random::<f64>())
            }
        }
    }
}

/// One retry as it is told: the log, the TUI's status bar ("retrying (2/4) after 503…").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryNotice {
    /// The try about to be made (2 is the first retry).
    pub attempt: u32,
    /// Tries at most.
    pub attempts: u32,
    /// What failed, in a few words: `503`, `500 UNABLE_TO_LOCK_ROW`, `a connection reset`.
    pub reason: String,
    /// How long the client waits before the try.
    pub delay: Duration,
    /// The method and path of the request (no query string).
    pub request: String,
}

impl std::fmt::Display for RetryNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "retrying ({}/{}) after {}…",
            self.attempt, self.attempts, self.reason
        )
    }
}

/// Told of every retry of the calls made through a client (see
/// [`SfClient::reporting_retries`](super::SfClient::reporting_retries)).
pub type RetryObserver = Arc<dyn Fn(&RetryNotice) + Send + Sync>;

/// How one try failed without an answer.
pub(super) enum Failure {
    /// The connection failed before a byte of the request was sent: safe to send again.
    NotSent(ApiError),
    /// The request went out; no answer came.
    Unanswered(ApiError),
    /// The answer began (its status and headers came) but its body was cut short.
    CutShort(ApiError),
    /// Anything else (an unusable URL, a failed renewal, a file that cannot be written).
    Other(ApiError),
}

impl Failure {
    pub(super) fn into_error(self) -> ApiError {
        match self {
            Failure::NotSent(e)
            | Failure::Unanswered(e)
            | Failure::CutShort(e)
            | Failure::Other(e) => e,
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        Failure::Other(e)
    }
}

/// A failure a retry may cure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Transient {
    /// In a few words, for the notice and the log.
    pub reason: String,
    /// The server's `Retry-After`.
    pub retry_after: Option<Duration>,
    /// Salesforce refused the request without running it (429, a `REQUEST_LIMIT_EXCEEDED`
    /// that passes), or it was never sent: sending it again is safe whatever it is.
    pub not_run: bool,
}

/// Whether a request may be sent twice with the same effect as once: every GET and HEAD, and
/// a PATCH or DELETE of one record (`/services/data/vNN.0/sobjects/{type}/{id}`). Record
/// creation, composite and collections writes, Apex REST and SOAP calls are not.
pub(super) fn repeatable(method: &Method, path: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD) {
        return true;
    }
    if !matches!(*method, Method::PATCH | Method::DELETE) {
        return false;
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match segments.as_slice() {
        ["services", "data", version, sobjects, object, id] => {
            version.starts_with(['v', 'V'])
                && sobjects.eq_ignore_ascii_case("sobjects")
                && !object.is_empty()
                && object
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                && matches!(id.len(), 15 | 18)
                && id.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        _ => false,
    }
}

/// The server's `Retry-After`: seconds, or an HTTP date (how long until then).
fn retry_after(resp: &RawResponse) -> Option<Duration> {
    let value = resp.headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Whether an answer is a failure a retry may cure: 502, 503, 504; 500 with
/// `UNKNOWN_EXCEPTION` or `UNABLE_TO_LOCK_ROW`; 429 and `REQUEST_LIMIT_EXCEEDED` for a limit
/// that passes (never the daily total: waiting seconds cannot help).
pub(super) fn transient_response(resp: &RawResponse) -> Option<Transient> {
    let status = resp.status.as_u16();
    if status < 400 {
        return None;
    }
    let failed = |reason: String, not_run: bool| {
        Some(Transient {
            reason,
            retry_after: retry_after(resp),
            not_run,
        })
    };
    match status {
        429 => return failed("429".into(), true),
        502..=504 => return failed(status.to_string(), false),
        _ => {}
    }
    let error = error_from_response(status, resp.content_type(), &resp.body);
    let ApiError::Api { errors, .. } = &error else {
        return None;
    };
    let first = errors.first()?;
    match first.error_code.as_str() {
        "REQUEST_LIMIT_EXCEEDED" if !first.is_daily_limit() => {
            failed("REQUEST_LIMIT_EXCEEDED".into(), true)
        }
        code @ ("UNKNOWN_EXCEPTION" | "UNABLE_TO_LOCK_ROW") if status == 500 => {
            failed(format!("500 {code}"), false)
        }
        _ => None,
    }
}

/// Whether a failure without an answer is one a retry may cure: a timeout, a connection
/// reset or closed under the request, an answer cut short. A connection refused, a name that
/// does not resolve or a certificate that is not trusted are not.
pub(super) fn transient_failure(failure: &Failure) -> Option<Transient> {
    let (error, not_run, cut) = match failure {
        Failure::NotSent(e) => (e, true, false),
        Failure::Unanswered(e) => (e, false, false),
        Failure::CutShort(e) => (e, false, true),
        Failure::Other(_) => return None,
    };
    let reason = match error {
        ApiError::Timeout { .. } => "a timeout",
        ApiError::Network { message, .. } if cut || is_dropped_connection(message) => {
            if message.to_ascii_lowercase().contains("reset") {
                "a connection reset"
            } else if cut {
                "an answer cut short"
            } else {
                "a dropped connection"
            }
        }
        _ => return None,
    };
    Some(Transient {
        reason: reason.into(),
        retry_after: None,
        not_run,
    })
}

/// What the retry loop does after a try that ended in `transient`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Next {
    /// Wait this long, then try again.
    Retry(Duration),
    /// The request is not safe to repeat: give its answer as it is, marked "may or may not
    /// have taken effect".
    NotRepeated,
    /// The tries or the time budget ran out.
    GiveUp,
}

/// The decision after try number `attempt` of a request (`repeatable` or not) ended in
/// `transient`, `elapsed` after the first try began.
pub(super) fn next(
    policy: &RetryPolicy,
    repeatable: bool,
    transient: &Transient,
    attempt: u32,
    elapsed: Duration,
) -> Next {
    if !repeatable && !transient.not_run {
        return Next::NotRepeated;
    }
    if attempt >= policy.attempts {
        return Next::GiveUp;
    }
    let delay = policy.delay(attempt + 1, transient.retry_after);
    if elapsed.saturating_add(delay) > policy.budget {
        return Next::GiveUp;
    }
    Next::Retry(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> RawResponse {
        let mut map = reqwest::header::HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                value.parse().expect("value"),
            );
        }
        RawResponse {
            status: reqwest::StatusCode::from_u16(status).expect("status"),
            headers: map,
            body: bytes::Bytes::from(body.to_owned()),
            elapsed: Duration::ZERO,
            delivery: Delivery::default(),
        }
    }

    fn sf_error(status: u16, code: &str, message: &str) -> RawResponse {
        let body = format!(r#"[{{"errorCode":"{code}","message":"{message}"}}]"#);
        response(status, &[("content-type", "application/json")], &body)
    }

    #[test]
    fn which_answers_pass() {
        let reason = |r: &RawResponse| transient_response(r).map(|t| (t.reason, t.not_run));
        assert_eq!(
            reason(&sf_error(503, "SERVER_UNAVAILABLE", "down")),
            Some(("503".into(), false))
        );
        assert_eq!(
            reason(&response(502, &[], "<html>bad gateway</html>")),
            Some(("502".into(), false))
        );
        assert_eq!(reason(&response(504, &[], "")), Some(("504".into(), false)));
        assert_eq!(
            reason(&sf_error(500, "UNABLE_TO_LOCK_ROW", "locked")),
            Some(("500 UNABLE_TO_LOCK_ROW".into(), false))
        );
        assert_eq!(
            reason(&sf_error(500, "UNKNOWN_EXCEPTION", "oops")),
            Some(("500 UNKNOWN_EXCEPTION".into(), false))
        );
        assert_eq!(reason(&response(429, &[], "")), Some(("429".into(), true)));
        assert_eq!(
            reason(&sf_error(
                403,
                "REQUEST_LIMIT_EXCEEDED",
                "ConcurrentPerOrgLongTxn Limit exceeded."
            )),
            Some(("REQUEST_LIMIT_EXCEEDED".into(), true))
        );
        for final_answer in [
            sf_error(
                403,
                "REQUEST_LIMIT_EXCEEDED",
                "TotalRequests Limit exceeded.",
            ),
            sf_error(500, "APEX_ERROR", "System.NullPointerException"),
            sf_error(400, "INVALID_FIELD", "No such column"),
            sf_error(404, "NOT_FOUND", "gone"),
            response(500, &[("content-type", "text/html")], "<html>oops</html>"),
            response(200, &[], "{}"),
        ] {
            assert_eq!(reason(&final_answer), None, "{:?}", final_answer.status);
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let secs = response(503, &[("retry-after", "7")], "");
        assert_eq!(
            transient_response(&secs).and_then(|t| t.retry_after),
            Some(Duration::from_secs(7))
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let date = response(503, &[("retry-after", &later)], "");
        let after = transient_response(&date)
            .and_then(|t| t.retry_after)
            .expect("a wait");
        assert!(
            after > Duration::from_secs(100) && after <= Duration::from_secs(120),
            "{after:?}"
        );
        let past = response(503, &[("retry-after", "Tue, 01 Jan 2002 00:00:00 GMT")], "");
        assert_eq!(
            transient_response(&past).and_then(|t| t.retry_after),
            Some(Duration::ZERO)
        );
        let junk = response(503, &[("retry-after", "soon")], "");
        assert_eq!(transient_response(&junk).and_then(|t| t.retry_after), None);
    }

    #[test]
    fn which_requests_are_safe_to_repeat() {
        let record = "/services/data/v62.0/sobjects/Account/001Dn00000AbCdEIAV";
        assert!(repeatable(&Method::GET, "/services/apexrest/anything"));
        assert!(repeatable(&Method::HEAD, "/services/data/v62.0/"));
        assert!(repeatable(&Method::PATCH, record));
        assert!(repeatable(&Method::DELETE, record));
        assert!(repeatable(
            &Method::PATCH,
            "/services/data/v62.0/sobjects/My_Obj__c/a01Dn00000AbCdE"
        ));
        for (method, path) in [
            (Method::POST, "/services/data/v62.0/sobjects/Account"),
            (Method::POST, record),
            (Method::POST, "/services/data/v62.0/composite/sobjects"),
            (Method::PATCH, "/services/data/v62.0/composite/sobjects"),
            (Method::DELETE, "/services/data/v62.0/composite/sobjects"),
            (Method::POST, "/services/apexrest/Customer"),
            (
                Method::PATCH,
                "/services/apexrest/Customer/001Dn00000AbCdEIAV",
            ),
            (Method::POST, "/services/Soap/class/CustomerWS"),
            (Method::PUT, record),
            (
                Method::PATCH,
                "/services/data/v62.0/sobjects/Account/Ext_Id__c/42",
            ),
        ] {
            assert!(!repeatable(&method, path), "{method} {path}");
        }
    }

    #[test]
    fn transport_failures_that_pass() {
        let dropped = ApiError::Network {
            host: "h".into(),
            message: "client error (SendRequest): connection closed before message completed"
                .into(),
        };
        let reset = ApiError::Network {
            host: "h".into(),
            message: "error decoding response body: Connection reset by peer".into(),
        };
        let refused = ApiError::Network {
            host: "h".into(),
            message: "tcp connect error: Connection refused (os error 111)".into(),
        };
        let timeout = ApiError::Timeout {
            host: "h".into(),
            after: Duration::from_secs(1),
        };
        let tls = ApiError::Tls {
            host: "h".into(),
            message: "invalid peer certificate: UnknownIssuer".into(),
        };
        let t = |f: Failure| transient_failure(&f).map(|t| (t.reason, t.not_run));
        assert_eq!(
            t(Failure::Unanswered(dropped.clone())),
            Some(("a dropped connection".into(), false))
        );
        assert_eq!(
            t(Failure::NotSent(dropped.clone())),
            Some(("a dropped connection".into(), true))
        );
        assert_eq!(
            t(Failure::CutShort(reset)),
            Some(("a connection reset".into(), false))
        );
        let eof = ApiError::Network {
            host: "h".into(),
            message: "error decoding response body: end of file before message length reached"
                .into(),
        };
        assert_eq!(
            t(Failure::CutShort(eof)),
            Some(("an answer cut short".into(), false))
        );
        assert_eq!(
            t(Failure::Unanswered(timeout.clone())),
            Some(("a timeout".into(), false))
        );
        assert_eq!(
            t(Failure::NotSent(timeout.clone())),
            Some(("a timeout".into(), true))
        );
        assert_eq!(t(Failure::NotSent(refused)), None);
        assert_eq!(t(Failure::NotSent(tls)), None);
        assert_eq!(t(Failure::Other(timeout)), None);
    }

    #[test]
    fn the_decision_after_a_failed_try() {
        let policy = RetryPolicy::default();
        let failed = Transient {
            reason: "503".into(),
            retry_after: None,
            not_run: false,
        };
        let refused = Transient {
            not_run: true,
            ..failed.clone()
        };
        // Safe requests are retried with a wait below the backoff cap.
        match next(&policy, true, &failed, 1, Duration::ZERO) {
            Next::Retry(d) => assert!(d <= Duration::from_millis(500), "{d:?}"),
            other => panic!("{other:?}"),
        }
        match next(&policy, true, &failed, 3, Duration::ZERO) {
            Next::Retry(d) => assert!(d <= Duration::from_secs(2), "{d:?}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            next(&policy, true, &failed, 4, Duration::ZERO),
            Next::GiveUp
        );
        // A request not safe to repeat is not repeated after it may have run...
        assert_eq!(
            next(&policy, false, &failed, 1, Duration::ZERO),
            Next::NotRepeated
        );
        // ...but is when it was refused unrun or never sent.
        assert!(matches!(
            next(&policy, false, &refused, 1, Duration::ZERO),
            Next::Retry(_)
        ));
        // Retry-After is waited exactly, within the budget.
        let asked = Transient {
            retry_after: Some(Duration::from_secs(7)),
            ..failed.clone()
        };
        assert_eq!(
            next(&policy, true, &asked, 1, Duration::ZERO),
            Next::Retry(Duration::from_secs(7))
        );
        assert_eq!(
            next(&policy, true, &asked, 1, Duration::from_secs(55)),
            Next::GiveUp
        );
        assert_eq!(
            next(&RetryPolicy::never(), true, &failed, 1, Duration::ZERO),
            Next::GiveUp
        );
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let policy = RetryPolicy::default();
        let caps: Vec<u64> = (2..=7)
            .map(|a| policy.backoff_cap(a).as_millis() as u64)
            .collect();
        assert_eq!(caps, [500, 1000, 2000, 4000, 8000, 10_000]);
        assert_eq!(policy.backoff_cap(u32::MAX), Duration::from_secs(10));
        let notice = RetryNotice {
            attempt: 2,
            attempts: 4,
            reason: "503".into(),
            delay: Duration::from_secs(1),
            request: "GET /services/data/v62.0/query".into(),
        };
        assert_eq!(notice.to_string(), "retrying (2/4) after 503…");
    }
}
