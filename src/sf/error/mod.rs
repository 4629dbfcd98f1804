//! Typed errors of the Salesforce client and how they are read from error bodies and transport
//! failures. [`ApiError::diagnosis`] (in `diagnosis.rs`) explains each in plain words.

mod diagnosis;
mod flow_diagnosis;
mod login;

use std::time::Duration;

use serde::Deserialize;

use crate::sf::types::GrantKind;
pub use diagnosis::Diagnosis;
pub(crate) use diagnosis::is_dropped_connection;
pub use login::{BrowserLoginError, SfCliError};

/// One entry of Salesforce's REST error array (`[{"message", "errorCode", "fields"}]`).
/// Also parses the per-record errors of sObject Collections, whose key is `statusCode`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct SfError {
    /// Human-readable text, e.g. `Required fields are missing: [LastName]`.
    #[serde(default)]
    pub message: String,
    /// Machine code, e.g. `REQUIRED_FIELD_MISSING`.
    #[serde(rename = "errorCode", alias = "statusCode", default)]
    pub error_code: String,
    /// Fields the error is about (often absent for non-DML errors).
    #[serde(default)]
    pub fields: Vec<String>,
}

impl SfError {
    /// `REQUEST_LIMIT_EXCEEDED` for the org's daily total (`TotalRequests Limit exceeded.`),
    /// which lasts until the 24-hour window rolls over; the other limits (concurrent
    /// long-running requests) pass in seconds.
    pub fn is_daily_limit(&self) -> bool {
        self.error_code == "REQUEST_LIMIT_EXCEEDED" && self.message.contains("TotalRequests")
    }
}

/// Everything that can go wrong talking to Salesforce. Never carries a secret.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The OAuth endpoints answered with the flat `{error, error_description}` shape.
    #[error("OAuth error {error} (HTTP {status}): {description}")]
    OAuth {
        /// HTTP status (400 for almost every token-endpoint failure).
        status: u16,
        /// The `error` code, e.g. `invalid_client_id`.
        error: String,
        /// The `error_description` text.
        description: String,
        /// The grant of the token request that failed (`None` for other OAuth endpoints):
        /// `invalid_grant` means something else for each.
        grant: Option<GrantKind>,
    },
    /// A REST error array.
    #[error("Salesforce error (HTTP {status}): {}", summarize(errors))]
    Api {
        /// HTTP status.
        status: u16,
        /// The errors, at least one.
        errors: Vec<SfError>,
    },
    /// A response that is not a Salesforce JSON error (for example an HTML page from a proxy).
    #[error("HTTP {status} with an unexpected {} body: {snippet}",
        content_type.as_deref().unwrap_or("untyped"))]
    Http {
        /// HTTP status.
        status: u16,
        /// The response's `Content-Type`, if any.
        content_type: Option<String>,
        /// The first ~200 characters of the body.
        snippet: String,
    },
    /// The connection could not be made or broke (DNS, refused, reset).
    #[error("network error talking to {host}: {message}")]
    Network {
        /// Host that was being contacted.
        host: String,
        /// What failed.
        message: String,
    },
    /// No complete answer within the configured timeout.
    #[error("no answer from {host} within {}s", after.as_secs_f32())]
    Timeout {
        /// Host that was being contacted.
        host: String,
        /// The configured timeout.
        after: Duration,
    },
    /// The TLS handshake failed (unknown certificate authority, bad certificate, ...).
    #[error("TLS error talking to {host}: {message}")]
    Tls {
        /// Host that was being contacted.
        host: String,
        /// What the TLS library said.
        message: String,
    },
    /// A plain `http://` URL to a host that is not a loopback address.
    #[error("refusing insecure URL {0}: use https:// (http:// is only allowed for loopback)")]
    InsecureUrl(String),
    /// HTTP 412: the record changed since the given `If-Unmodified-Since` date.
    #[error("the record was changed by someone else (HTTP 412 Precondition Failed)")]
    PreconditionFailed {
        /// Error entries from the body, if Salesforce sent any.
        errors: Vec<SfError>,
    },
    /// A success response whose body could not be understood.
    #[error("could not decode the {what} response: {message}")]
    Decode {
        /// Which response (e.g. `token`, `query`).
        what: String,
        /// The parser's complaint.
        message: String,
    },
    /// An operation that needs a token, and none was obtained yet.
    #[error("not connected: log in first")]
    NotConnected,
    /// The connection settings are unusable (e.g. unreadable `ca_file`).
    #[error("invalid connection settings: {0}")]
    Config(String),
    /// An argument that cannot be sent (e.g. an sObject name with a `/`).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The browser login (web server flow) failed before or instead of the code exchange.
    #[error("browser login failed: {0}")]
    BrowserLogin(BrowserLoginError),
    /// The Salesforce CLI could not lend its login (boxed: it is the largest payload).
    #[error("Salesforce CLI: {0}")]
    SfCli(Box<SfCliError>),
    /// The refresh token grant has no refresh token (never logged in, or revoked): the user
    /// must log in again in the browser.
    #[error("no refresh token held: log in again in the browser")]
    LoginRequired,
    /// A failure that passes with time (a 503, a dropped connection, ...) lasted through every
    /// try the retry policy allows; `error` is the last one.
    #[error("{error} (sfterm tried {attempts} times)")]
    GaveUp {
        /// Tries made, the first included.
        attempts: u32,
        /// The last try's failure.
        error: Box<ApiError>,
    },
    /// A request that is not safe to repeat (a record creation, a composite or collections
    /// write, an Apex REST or SOAP call) failed after it was sent: it may or may not have taken
    /// effect, and sfterm did not send it again.
    #[error(
        "{request} was sent, then: {error}; it may or may not have taken effect (not sent again)"
    )]
    MaybeApplied {
        /// The method and path, e.g. `POST /services/data/v62.0/sobjects/Account`.
        request: String,
        /// What went wrong after sending.
        error: Box<ApiError>,
    },
}

fn summarize(errors: &[SfError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.error_code, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The message of a 401 given to tokens without the `api` scope; renewing cannot help.
pub(crate) const NOT_VALID_FOR_REST: &str = "not valid for use with the REST API";

impl ApiError {
    /// The failure itself, without what the retry policy wrapped around it
    /// ([`ApiError::GaveUp`], [`ApiError::MaybeApplied`]).
    pub fn root(&self) -> &ApiError {
        match self {
            ApiError::GaveUp { error, .. } | ApiError::MaybeApplied { error, .. } => error.root(),
            other => other,
        }
    }

    /// The Salesforce error code: the OAuth `error` (also one the login page redirected
    /// with), or the first REST `errorCode`.
    pub fn error_code(&self) -> Option<&str> {
        match self.root() {
            ApiError::OAuth { error, .. }
            | ApiError::BrowserLogin(BrowserLoginError::Refused { error, .. }) => Some(error),
            ApiError::Api { errors, .. } => errors.first().map(|e| e.error_code.as_str()),
            ApiError::PreconditionFailed { errors } => {
                errors.first().map(|e| e.error_code.as_str())
            }
            _ => None,
        }
    }

    /// HTTP status of the failure, when there was a response.
    pub fn status(&self) -> Option<u16> {
        match self.root() {
            ApiError::OAuth { status, .. }
            | ApiError::Api { status, .. }
            | ApiError::Http { status, .. } => Some(*status),
            ApiError::PreconditionFailed { .. } => Some(412),
            _ => None,
        }
    }

    /// The Salesforce CLI's failure, if this is one.
    pub fn sf_cli_error(&self) -> Option<&SfCliError> {
        match self {
            ApiError::SfCli(e) => Some(e),
            _ => None,
        }
    }

    /// The same error, an OAuth one marked as the answer to a `grant` token request.
    pub(crate) fn with_grant(self, kind: GrantKind) -> ApiError {
        match self {
            ApiError::OAuth {
                status,
                error,
                description,
                ..
            } => ApiError::OAuth {
                status,
                error,
                description,
                grant: Some(kind),
            },
            other => other,
        }
    }

    /// True when only a new browser login helps: no refresh token is held, or Salesforce no
    /// longer accepts it (`invalid_grant` on the refresh token grant).
    pub fn needs_new_login(&self) -> bool {
        match self {
            ApiError::LoginRequired => true,
            ApiError::OAuth { error, grant, .. } => {
                error == "invalid_grant" && *grant == Some(GrantKind::RefreshToken)
            }
            _ => false,
        }
    }

    /// True for 401 `INVALID_SESSION_ID` that a fresh token can fix (not the "no api scope"
    /// variant, which would loop forever).
    pub fn is_renewable_session_error(&self) -> bool {
        match self {
            ApiError::Api {
                status: 401,
                errors,
            } => errors.iter().any(|e| {
                e.error_code == "INVALID_SESSION_ID"
                    && !e.message.contains(NOT_VALID_FOR_REST)
                    && !e.message.contains("not attached to Agent")
            }),
            _ => false,
        }
    }
}

/// Flat OAuth error body.
#[derive(Deserialize)]
struct OAuthBody {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// Turns a non-success response into the matching [`ApiError`].
pub(crate) fn error_from_response(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> ApiError {
    let errors = serde_json::from_slice::<Vec<SfError>>(body).ok();
    if status == 412 {
        return ApiError::PreconditionFailed {
            errors: errors.unwrap_or_default(),
        };
    }
    if let Some(errors) = errors.filter(|e| e.iter().any(|e| !e.error_code.is_empty())) {
        return ApiError::Api { status, errors };
    }
    if let Ok(oauth) = serde_json::from_slice::<OAuthBody>(body) {
        return ApiError::OAuth {
            status,
            error: oauth.error,
            description: oauth.error_description,
            grant: None,
        };
    }
    ApiError::Http {
        status,
        content_type: content_type.map(str::to_string),
        snippet: snippet(body),
    }
}

/// The first ~200 characters of a body, whitespace collapsed; an HTML page is reduced to its
/// text (tags dropped), so an error page reads as its message, not as markup.
pub(crate) fn snippet(body: &[u8]) -> String {
    let raw = String::from_utf8_lossy(body);
    let text = if raw.trim_start().starts_with('<') {
        without_tags(&raw)
    } else {
        raw.into_owned()
    };
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = collapsed.chars().take(200).collect();
    if collapsed.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// The text of an HTML/XML document: everything between `<` and `>` becomes a space.
fn without_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Maps a transport error to Network / Timeout / Tls.
pub(crate) fn from_reqwest(err: &reqwest::Error, host: &str, timeout: Duration) -> ApiError {
    if err.is_timeout() {
        return ApiError::Timeout {
            host: host.to_string(),
            after: timeout,
        };
    }
    let mut chain = Vec::new();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut tls = false;
    while let Some(e) = source {
        if e.downcast_ref::<rustls::Error>().is_some() {
            tls = true;
        }
        let text = e.to_string();
        if !chain.contains(&text) {
            chain.push(text);
        }
        source = e.source();
    }
    let message = chain.join(": ");
    let lower = message.to_ascii_lowercase();
    if tls || lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        ApiError::Tls {
            host: host.to_string(),
            message,
        }
    } else if lower.contains("timed out") {
        ApiError::Timeout {
            host: host.to_string(),
            after: timeout,
        }
    } else {
        ApiError::Network {
            host: host.to_string(),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> Vec<u8> {
        crate::sf::types::test_fixture(path)
    }

    #[test]
    fn parses_oauth_error_fixture() {
        let e = error_from_response(
            400,
            Some("application/json"),
            &fixture("restforce/auth_error_response.json"),
        );
        assert!(
            matches!(&e, ApiError::OAuth { status: 400, error, .. } if error == "invalid_grant")
        );
        assert_eq!(e.error_code(), Some("invalid_grant"));
    }

    #[test]
    fn parses_rest_error_fixtures() {
        let e = error_from_response(
            401,
            None,
            &fixture("restforce/expired_session_response.json"),
        );
        assert_eq!(e.error_code(), Some("INVALID_SESSION_ID"));
        assert!(e.is_renewable_session_error());
        for (file, code) in [
            ("restforce/query_error_response.json", "INVALID_FIELD"),
            ("restforce/write_error_response.json", "INVALID_FIELD"),
            ("restforce/delete_error_response.json", "NOT_FOUND"),
            (
                "restforce/sobject_describe_error_response.json",
                "NOT_FOUND",
            ),
            ("restforce/search_error_response.json", "MALFORMED_SEARCH"),
        ] {
            let e = error_from_response(400, None, &fixture(file));
            assert_eq!(e.error_code(), Some(code), "{file}");
            assert!(!e.is_renewable_session_error());
        }
    }

    #[test]
    fn collections_errors_use_status_code_key() {
        let body = br#"[{"statusCode":"DUPLICATES_DETECTED","message":"Use one of these records?","fields":[]}]"#;
        let errs: Vec<SfError> = serde_json::from_slice(body).expect("parses");
        assert_eq!(errs[0].error_code, "DUPLICATES_DETECTED");
    }

    #[test]
    fn composite_error_bodies_parse() {
        let v: serde_json::Value =
            serde_json::from_slice(&fixture("cumulusci/composite_errors.json")).expect("json");
        let body = v["compositeResponse"][0]["body"].to_string();
        let e = error_from_response(404, None, body.as_bytes());
        assert_eq!(e.error_code(), Some("NOT_FOUND"));
        assert_eq!(e.status(), Some(404));
    }

    #[test]
    fn html_body_becomes_http_error_with_snippet() {
        let html = format!(
            "<html><body><h1>502 Bad Gateway</h1>{}</body></html>",
            "x".repeat(500)
        );
        let e = error_from_response(502, Some("text/html"), html.as_bytes());
        match &e {
            ApiError::Http {
                status,
                content_type,
                snippet,
            } => {
                assert_eq!(*status, 502);
                assert_eq!(content_type.as_deref(), Some("text/html"));
                assert!(snippet.starts_with("502 Bad Gateway"), "{snippet}");
                assert!(snippet.chars().count() <= 201);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(e.diagnosis().meaning.contains("proxy"));
    }

    #[test]
    fn login_errors_do_not_grow_the_error() {
        // Every Result<_, ApiError> carries it: the new login failures must not make it larger
        // than the HTTP / OAuth ones (clippy's large-error lint watches the callers).
        assert!(
            std::mem::size_of::<ApiError>() <= 64,
            "{}",
            std::mem::size_of::<ApiError>()
        );
    }

    #[test]
    fn status_412_is_precondition_failed() {
        let e = error_from_response(412, None, b"");
        assert!(matches!(e, ApiError::PreconditionFailed { .. }));
        assert!(e.diagnosis().fix.contains("Reload"));
    }

    #[test]
    fn no_api_scope_is_not_renewable_and_explained() {
        let e = error_from_response(
            401,
            None,
            br#"[{"message":"This session is not valid for use with the REST API","errorCode":"INVALID_SESSION_ID"}]"#,
        );
        assert!(!e.is_renewable_session_error());
        let d = e.diagnosis();
        assert!(d.fix.contains("api"), "{d:?}");
        assert_eq!(d.title, "Token lacks the api scope");
    }
}
