//! Telling an observer of every HTTP exchange the client makes (the TUI's API log): data
//! calls, describes, token requests, each try of a retried request on its own. Secrets are
//! masked here, before the record leaves the client: the `Authorization` header, session and
//! cookie headers, the token endpoint's secret fields (client secret, assertion, code,
//! code verifier, password, refresh and access tokens), and any occurrence of the client's
//! own access token, refresh token or client secret.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use secrecy::ExposeSecret;

use super::SfClient;

/// What stands for a masked secret.
pub const MASK: &str = "REDACTED";

/// How much of a body an [`ApiCall`] keeps.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Secrets are shorter than this: the text around the cut is masked before it is cut, so no
/// part of a secret that begins before the cut is kept.
const SECRET_MARGIN: usize = 4 * 1024;

/// Form fields and query parameters (the OAuth endpoints') whose values are secrets.
const FORM_SECRETS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "client_assertion",
    "assertion",
    "code",
    "code_verifier",
    "password",
    "token",
];

/// JSON fields whose values are secrets (the token endpoint's answer, a login body).
const JSON_SECRETS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "sessionId",
    "session_id",
];

/// Headers whose whole value is a secret (`Authorization` keeps its scheme).
const HEADER_SECRETS: &[&str] = &[
    "x-sfdc-session",
    "cookie",
    "set-cookie",
    "proxy-authorization",
];

/// One HTTP exchange of the client, secrets masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCall {
    /// When the request went out.
    pub at: jiff::Timestamp,
    /// `GET`, `POST`, ...
    pub method: String,
    /// The full URL, query string included.
    pub url: String,
    /// The headers the client set (reqwest adds its own, like `User-Agent`, on the way).
    pub request_headers: Vec<(String, String)>,
    /// The body sent (its first [`BODY_LIMIT`] bytes, as text); empty when none.
    pub request_body: String,
    /// The whole size of the body sent, in bytes.
    pub request_size: u64,
    /// The answer's status; `None` when no answer came (see `error`).
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    /// The body received (its first [`BODY_LIMIT`] bytes, as text).
    pub response_body: String,
    /// The whole size of the body received, in bytes.
    pub response_size: u64,
    /// From sending to the last byte of the answer (or the failure).
    pub duration: Duration,
    /// Which try of the request this is (1 is the first; a retry is its own entry).
    pub attempt: u32,
    /// Why no answer came, or why it was cut short.
    pub error: Option<String>,
}

/// Told of every HTTP exchange of a client and its clones ([`SfClient::observe_calls`]).
pub type CallObserver = Arc<dyn Fn(ApiCall) + Send + Sync>;

/// A request on its way, kept until its answer (or failure) is known. Unmasked: it never
/// leaves this module but as a masked [`ApiCall`].
pub(super) struct Watch {
    observer: CallObserver,
    at: jiff::Timestamp,
    method: String,
    url: String,
    headers: HeaderMap,
    /// The first [`BODY_LIMIT`] (and a margin) bytes of the body: a large upload is not copied.
    body: Option<Bytes>,
    body_size: u64,
    attempt: u32,
}

/// How the exchange ended, for [`SfClient::tell`].
pub(super) enum Ended<'a> {
    /// An answer: status, headers, the body kept and its whole size.
    Answered {
        status: u16,
        headers: &'a HeaderMap,
        body: &'a [u8],
        size: u64,
    },
    /// The answer began but its body failed.
    CutShort {
        status: u16,
        headers: &'a HeaderMap,
        error: String,
    },
    /// No answer.
    Failed(String),
}

impl SfClient {
    /// Tells `observer` of every HTTP exchange of this client and all its clones from now on
    /// (replacing an observer set before), each as a masked [`ApiCall`].
    pub fn observe_calls(&self, observer: impl Fn(ApiCall) + Send + Sync + 'static) {
        *self
            .inner
            .call_observer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(observer));
    }

    /// Notes `request` before it is sent, when someone observes the calls.
    pub(super) fn watch(&self, request: &reqwest::Request, attempt: u32) -> Option<Watch> {
        let observer = self
            .inner
            .call_observer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()?;
        let body = request.body().and_then(|b| b.as_bytes());
        Some(Watch {
            observer,
            at: jiff::Timestamp::now(),
            method: request.method().to_string(),
            url: request.url().to_string(),
            headers: request.headers().clone(),
            body: body
                .map(|b| Bytes::copy_from_slice(&b[..b.len().min(BODY_LIMIT + SECRET_MARGIN)])),
            body_size: body.map_or(0, |b| b.len() as u64),
            attempt,
        })
    }

    /// The secrets this client knows, longest first (so one that contains another is masked
    /// whole).
    fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.inner.config.client_secret.expose_secret().to_string()];
        {
            let state = self.lock_state();
            if let Some(token) = &state.token {
                secrets.push(token.access_token.expose_secret().to_string());
            }
            if let Some(refresh) = &state.refresh_token {
                secrets.push(refresh.expose_secret().to_string());
            }
        }
        secrets.retain(|s| s.len() >= 4);
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets
    }

    /// Tells the observer of a watched exchange, masked.
    pub(super) fn tell(&self, watch: Option<Watch>, duration: Duration, ended: Ended<'_>) {
        let Some(watch) = watch else {
            return;
        };
        let secrets = self.secrets();
        let request_form = is_form(&watch.headers);
        let (request_body, request_size) = match &watch.body {
            Some(body) => (mask_body(body, request_form, &secrets), watch.body_size),
            None => (String::new(), 0),
        };
        let (status, response_headers, response_body, response_size, error) = match ended {
            Ended::Answered {
                status,
                headers,
                body,
                size,
            } => (
                Some(status),
                mask_headers(headers, &secrets),
                mask_body(body, false, &secrets),
                size,
                None,
            ),
            Ended::CutShort {
                status,
                headers,
                error,
            } => (
                Some(status),
                mask_headers(headers, &secrets),
                String::new(),
                0,
                Some(mask_text(&error, &secrets)),
            ),
            Ended::Failed(error) => (
                None,
                Vec::new(),
                String::new(),
                0,
                Some(mask_text(&error, &secrets)),
            ),
        };
        let call = ApiCall {
            at: watch.at,
            method: watch.method,
            url: mask_url(&watch.url, &secrets),
            request_headers: mask_headers(&watch.headers, &secrets),
            request_body,
            request_size,
            status,
            response_headers,
            response_body,
            response_size,
            duration,
            attempt: watch.attempt,
            error,
        };
        (watch.observer)(call);
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"))
}

/// The headers as text, secrets masked: `Authorization` keeps its scheme (`Bearer REDACTED`).
pub fn mask_headers(headers: &HeaderMap, secrets: &[String]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
            let shown = if *name == reqwest::header::AUTHORIZATION {
                match text.split_once(' ') {
                    Some((scheme, _)) => format!("{scheme} {MASK}"),
                    None => MASK.to_string(),
                }
            } else if HEADER_SECRETS.contains(&name.as_str()) {
                MASK.to_string()
            } else {
                mask_text(&text, secrets)
            };
            (name.as_str().to_string(), shown)
        })
        .collect()
}

/// The first [`BODY_LIMIT`] bytes of `body` as text, secrets masked (a form's secret fields
/// when `form`).
pub fn mask_body(body: &[u8], form: bool, secrets: &[String]) -> String {
    let window = &body[..body.len().min(BODY_LIMIT + SECRET_MARGIN)];
    let text = String::from_utf8_lossy(window);
    let mut masked = if form {
        mask_text(&mask_form(&text), secrets)
    } else {
        mask_text(&text, secrets)
    };
    if body.len() > BODY_LIMIT {
        let mut cut = BODY_LIMIT.min(masked.len());
        while !masked.is_char_boundary(cut) {
            cut -= 1;
        }
        masked.truncate(cut);
    }
    masked
}

/// A URL with the secret query parameters and known secrets masked.
pub fn mask_url(url: &str, secrets: &[String]) -> String {
    let masked = match url.split_once('?') {
        Some((base, query)) => format!("{base}?{}", mask_form(query)),
        None => url.to_string(),
    };
    mask_text(&masked, secrets)
}

/// A form (`a=1&b=2`) with the values of [`FORM_SECRETS`] masked; other pairs as they were.
fn mask_form(form: &str) -> String {
    form.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if FORM_SECRETS.contains(&name) => format!("{name}={MASK}"),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Text with every known secret, the values of the JSON fields in [`JSON_SECRETS`] and SOAP
/// `sessionId` elements masked.
pub fn mask_text(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), MASK);
        }
    }
    for field in JSON_SECRETS {
        out = mask_json_field(&out, field);
    }
    mask_element(&out, "sessionId")
}

/// `"field": "value"` with the value masked, wherever it occurs (the text may be cut short).
fn mask_json_field(text: &str, field: &str) -> String {
    let key = format!("\"{field}\"");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&key) {
        let after_key = at + key.len();
        out.push_str(&rest[..after_key]);
        rest = &rest[after_key..];
        let trimmed = rest.trim_start();
        let Some(value) = trimmed.strip_prefix(':') else {
            continue;
        };
        let value_trimmed = value.trim_start();
        let Some(inner) = value_trimmed.strip_prefix('"') else {
            continue;
        };
        out.push_str(&rest[..rest.len() - inner.len()]);
        let end = string_end(inner);
        out.push_str(MASK);
        rest = &inner[end..];
    }
    out.push_str(rest);
    out
}

/// Where a JSON string's content ends (its closing quote, or the end of a cut text).
fn string_end(inner: &str) -> usize {
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return i,
            _ => {}
        }
    }
    inner.len()
}

/// `<name>value</name>` (any namespace prefix) with the value masked.
fn mask_element(text: &str, name: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find_open_tag(rest, name) {
        out.push_str(&rest[..at]);
        out.push_str(MASK);
        rest = match rest[at..].find('<') {
            Some(close) => &rest[at + close..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// The index just past an opening tag `<name>` or `<prefix:name>` in `text`.
fn find_open_tag(text: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(lt) = text[from..].find('<') {
        let start = from + lt + 1;
        let gt = start + text[start..].find('>')?;
        let tag = &text[start..gt];
        let local = tag.rsplit(':').next().unwrap_or(tag);
        if !tag.starts_with('/') && local == name {
            return Some(gt + 1);
        }
        from = gt + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn secrets() -> Vec<String> {
        vec!["00Dxx!SECRETTOKEN".to_string(), "s3cr3t".to_string()]
    }

    #[test]
    fn headers_keep_the_scheme_only() {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            HeaderValue::from_static("Bearer 00Dxx!SECRETTOKEN"),
        );
        headers.insert("x-sfdc-session", HeaderValue::from_static("abc"));
        headers.insert("x-echo", HeaderValue::from_static("t=00Dxx!SECRETTOKEN"));
        headers.insert("accept", HeaderValue::from_static("application/json"));
        let shown = mask_headers(&headers, &secrets());
        assert!(shown.contains(&("authorization".into(), "Bearer REDACTED".into())));
        assert!(shown.contains(&("x-sfdc-session".into(), "REDACTED".into())));
        assert!(shown.contains(&("x-echo".into(), "t=REDACTED".into())));
        assert!(shown.contains(&("accept".into(), "application/json".into())));
    }

    #[test]
    fn form_secrets_and_known_secrets_are_masked() {
        let body = b"grant_type=refresh_token&refresh_token=5Aep861&client_id=abc&client_secret=s3cr3t&code_verifier=xyz";
        let shown = mask_body(body, true, &secrets());
        assert_eq!(
            shown,
            "grant_type=refresh_token&refresh_token=REDACTED&client_id=abc&client_secret=REDACTED&code_verifier=REDACTED"
        );
        assert_eq!(
            mask_url("https://x/a?code=123&state=ok", &secrets()),
            "https://x/a?code=REDACTED&state=ok"
        );
    }

    #[test]
    fn json_fields_and_soap_sessions_are_masked() {
        let body = br#"{"access_token" : "00Dxx!NEW\"TOKEN","instance_url":"https://i","refresh_token":"5Aep"}"#;
        assert_eq!(
            mask_body(body, false, &[]),
            r#"{"access_token" : "REDACTED","instance_url":"https://i","refresh_token":"REDACTED"}"#
        );
        // Cut short inside the value: the rest is masked.
        assert_eq!(
            mask_text(r#"{"access_token":"00Dxx!NE"#, &[]),
            r#"{"access_token":"REDACTED"#
        );
        let soap = "<s:Header><urn:SessionHeader><urn:sessionId>00Dxx!X</urn:sessionId></urn:SessionHeader>";
        assert_eq!(
            mask_text(soap, &[]),
            "<s:Header><urn:SessionHeader><urn:sessionId>REDACTED</urn:sessionId></urn:SessionHeader>"
        );
        assert_eq!(
            mask_text("token 00Dxx!SECRETTOKEN.", &secrets()),
            "token REDACTED."
        );
    }

    #[test]
    fn long_bodies_are_cut_without_leaking_a_secret_across_the_cut() {
        let mut body = vec![b'a'; BODY_LIMIT - 5];
        body.extend_from_slice(b"00Dxx!SECRETTOKEN and more");
        let shown = mask_body(&body, false, &secrets());
        assert_eq!(shown.len(), BODY_LIMIT);
        assert!(shown.ends_with("aREDAC"), "{}", &shown[shown.len() - 20..]);
        assert!(!shown.contains("SECRET"));
    }
}
