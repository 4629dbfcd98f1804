//! Sending one authenticated request: building it, the bearer header, renewal on a stale
//! session, backing off on short-term limits, large bodies spilled to a file, limit info and
//! the error of a failed response.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use url::Url;

use super::{SfClient, decode, host_of, insecure};
use crate::sf::error::{ApiError, error_from_response, from_reqwest};
use crate::sf::types::{LimitInfo, RawResponse, RenewReason, Token};

/// How the client backs off when Salesforce answers `REQUEST_LIMIT_EXCEEDED` for a limit that
/// frees up soon, such as concurrent long-running requests (`ConcurrentPerOrgLongTxn Limit
/// exceeded.`); never for the daily total (`TotalRequests Limit exceeded.`), where waiting
/// seconds cannot help. The request was refused, not processed, so it is safe to resend: up
/// to `retries` more tries, waiting
/// `first_delay`, then twice as long each time (or the server's `Retry-After`), never more
/// than `max_delay`. When the tries run out, the error's message says how often it backed off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitBackoff {
    /// Extra tries after the first refusal.
    pub retries: u32,
    /// The first wait.
    pub first_delay: Duration,
    /// The longest wait.
    pub max_delay: Duration,
}

impl Default for LimitBackoff {
    /// Two more tries, after 1 s and 2 s.
    fn default() -> Self {
        LimitBackoff {
            retries: 2,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
        }
    }
}

/// Response header the client adds to a `REQUEST_LIMIT_EXCEEDED` answer it gave up on: how many
/// times it backed off and retried.
pub const BACKED_OFF_HEADER: &str = "x-sfterm-backed-off";

/// A `REQUEST_LIMIT_EXCEEDED` refusal worth waiting for: any limit but the daily total.
fn is_passing_limit(resp: &RawResponse) -> bool {
    if resp.status.is_success() {
        return false;
    }
    match fail_raw(resp) {
        ApiError::Api { errors, .. } => errors
            .first()
            .is_some_and(|e| e.error_code == "REQUEST_LIMIT_EXCEEDED" && !e.is_daily_limit()),
        _ => false,
    }
}

/// The server's `Retry-After` in seconds, if any.
fn retry_after(resp: &RawResponse) -> Option<Duration> {
    let v = resp.headers.get(header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Where a request goes.
pub(in crate::sf) enum Target {
    /// A path (+ query pairs) on the token's instance URL.
    Instance(String, Vec<(String, String)>),
    /// An absolute URL that must share the instance's origin.
    Absolute(Url),
    /// The token's identity URL.
    IdUrl,
}

/// An authenticated request, rebuilt for the retry after a renewal.
pub(in crate::sf) struct Req {
    method: Method,
    target: Target,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<(Option<&'static str>, Bytes)>,
    /// Write a large body to a file while it downloads (see [`Spill`]).
    spill: Option<Spill>,
}

/// Where a large response body goes while it downloads ([`SfClient::send_raw_spilling`]):
/// once more than `threshold` bytes have arrived, everything is written to `path` and only
/// the first `keep` bytes stay in [`RawResponse::body`]. `written` gets the whole size.
#[derive(Debug, Clone)]
pub struct Spill {
    pub threshold: usize,
    pub keep: usize,
    pub path: std::path::PathBuf,
    /// Creates the file at `path` (and its directory): the caller decides how (the app makes it
    /// private, readable by the user only); the client knows nothing of the app's files.
    pub create: fn(&std::path::Path) -> std::io::Result<std::fs::File>,
    /// Set to the body's full size when it was written to `path` (0 when it was not).
    pub written: Arc<AtomicU64>,
}

impl Req {
    pub(in crate::sf) fn new(method: Method, target: Target) -> Req {
        Req {
            method,
            target,
            headers: Vec::new(),
            body: None,
            spill: None,
        }
    }

    pub(in crate::sf) fn json(mut self, value: &impl serde::Serialize) -> Result<Req, ApiError> {
        let bytes = serde_json::to_vec(value).map_err(|e| ApiError::InvalidInput(e.to_string()))?;
        self.body = Some((Some("application/json"), Bytes::from(bytes)));
        Ok(self)
    }

    pub(in crate::sf) fn header(mut self, name: HeaderName, value: HeaderValue) -> Req {
        self.headers.push((name, value));
        self
    }
}

fn fail_raw(resp: &RawResponse) -> ApiError {
    error_from_response(resp.status.as_u16(), resp.content_type(), &resp.body)
}

/// The response's error; says so when the client backed off before giving up.
fn fail(resp: &RawResponse) -> ApiError {
    let mut error = fail_raw(resp);
    let backed_off = resp
        .headers
        .get(BACKED_OFF_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u32>().ok());
    if let (Some(n), ApiError::Api { errors, .. }) = (backed_off, &mut error)
        && let Some(first) = errors.first_mut()
    {
        let times = if n == 1 { "once" } else { "times" };
        let count = if n == 1 {
            String::new()
        } else {
            format!("{n} ")
        };
        first.message = format!(
            "{} (sfterm backed off and retried {count}{times}; still refused)",
            first.message.trim_end()
        );
    }
    error
}

/// Succeeds for 2xx responses, else turns the body into an [`ApiError`]. A 2xx HTML page (a
/// proxy's or captive portal's, never a Salesforce API answer) is an [`ApiError::Http`] too.
pub(in crate::sf) fn ok(resp: RawResponse) -> Result<RawResponse, ApiError> {
    let html = resp.content_type().is_some_and(|ct| {
        ct.trim_start()
            .to_ascii_lowercase()
            .starts_with("text/html")
    });
    if resp.status.is_success() && html {
        return Err(ApiError::Http {
            status: resp.status.as_u16(),
            content_type: resp.content_type().map(str::to_owned),
            snippet: crate::sf::error::snippet(&resp.body),
        });
    }
    if resp.status.is_success() {
        Ok(resp)
    } else {
        Err(fail(&resp))
    }
}

/// A relative path (must start with `/`) or an absolute URL (checked against the instance).
pub(super) fn target_of(path_or_url: &str) -> Result<Target, ApiError> {
    if path_or_url.starts_with("https://") || path_or_url.starts_with("http://") {
        let url = Url::parse(path_or_url)
            .map_err(|e| ApiError::InvalidInput(format!("{path_or_url:?}: {e}")))?;
        return Ok(Target::Absolute(url));
    }
    if !path_or_url.starts_with('/') || path_or_url.starts_with("//") {
        return Err(ApiError::InvalidInput(format!(
            "{path_or_url:?} must be a path starting with / or a URL on the instance"
        )));
    }
    // Keep the query string as given: `Url::join` parses it.
    Ok(Target::Instance(path_or_url.to_string(), vec![]))
}

impl SfClient {
    /// Publishes the `Sforce-Limit-Info` of a response (API usage) to the watchers.
    fn publish_limit_info(&self, headers: &HeaderMap) {
        if let Some(info) = headers
            .get_all("sforce-limit-info")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(LimitInfo::parse)
        {
            self.inner.limit_tx.send_replace(Some(info));
        }
    }

    /// How `REQUEST_LIMIT_EXCEEDED` answers are retried (shared by the client's clones).
    pub fn limit_backoff(&self) -> LimitBackoff {
        self.inner
            .limit_backoff
            .lock()
            .map(|b| *b)
            .unwrap_or_default()
    }

    /// Changes the `REQUEST_LIMIT_EXCEEDED` backoff (e.g. none in tests, longer for batch jobs).
    pub fn set_limit_backoff(&self, backoff: LimitBackoff) {
        if let Ok(mut b) = self.inner.limit_backoff.lock() {
            *b = backoff;
        }
    }

    /// Sends a built request, reads the whole body, records `Sforce-Limit-Info`.
    pub(super) async fn execute(
        &self,
        req: reqwest::RequestBuilder,
        url: &Url,
    ) -> Result<RawResponse, ApiError> {
        let started = Instant::now();
        let host = host_of(url);
        let timeout = self.inner.config.timeout;
        let resp = req
            .send()
            .await
            .map_err(|e| from_reqwest(&e, &host, timeout))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp
            .bytes()
            .await
            .map_err(|e| from_reqwest(&e, &host, timeout))?;
        let elapsed = started.elapsed();
        tracing::debug!(%status, host = %host, path = url.path(), ?elapsed, "salesforce call");
        self.publish_limit_info(&headers);
        Ok(RawResponse {
            status,
            headers,
            body,
            elapsed,
        })
    }

    fn resolve(&self, target: &Target, token: &Token) -> Result<Url, ApiError> {
        match target {
            Target::Instance(path, query) => {
                let mut url = token
                    .instance_url
                    .join(path)
                    .map_err(|e| ApiError::InvalidInput(format!("path {path:?}: {e}")))?;
                if !query.is_empty() {
                    url.query_pairs_mut().extend_pairs(query);
                }
                Ok(url)
            }
            Target::Absolute(url) => {
                if url.origin() != token.instance_url.origin() {
                    return Err(ApiError::InvalidInput(format!(
                        "{url} is not on the org's instance {}",
                        token.instance_url
                    )));
                }
                Ok(url.clone())
            }
            Target::IdUrl => {
                if insecure(&token.id_url) {
                    return Err(ApiError::InsecureUrl(token.id_url.to_string()));
                }
                Ok(token.id_url.clone())
            }
        }
    }

    pub(super) async fn send_once(
        &self,
        req: &Req,
        token: &Token,
    ) -> Result<RawResponse, ApiError> {
        let url = self.resolve(&req.target, token)?;
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", token.access_token.expose_secret()))
                .map_err(|_| ApiError::Decode {
                    what: "token".into(),
                    message: "access token is not a valid header value".into(),
                })?;
        auth.set_sensitive(true);
        let mut builder = self
            .inner
            .http
            .request(req.method.clone(), url.clone())
            .header(header::AUTHORIZATION, auth);
        if !req.headers.iter().any(|(name, _)| name == header::ACCEPT) {
            builder = builder.header(header::ACCEPT, "application/json");
        }
        for (name, value) in &req.headers {
            builder = builder.header(name, value);
        }
        if let Some((content_type, body)) = &req.body {
            if let Some(ct) = content_type {
                builder = builder.header(header::CONTENT_TYPE, *ct);
            }
            builder = builder.body(body.clone());
        }
        match &req.spill {
            Some(spill) => self.execute_spilling(builder, &url, spill).await,
            None => self.execute(builder, &url).await,
        }
    }

    /// [`SfClient::execute`] for a body that may be large: read in chunks, written to the
    /// spill file once past its threshold, never held in memory whole.
    async fn execute_spilling(
        &self,
        req: reqwest::RequestBuilder,
        url: &Url,
        spill: &Spill,
    ) -> Result<RawResponse, ApiError> {
        use tokio::io::AsyncWriteExt;
        let started = Instant::now();
        let host = host_of(url);
        let timeout = self.inner.config.timeout;
        let mut resp = req
            .send()
            .await
            .map_err(|e| from_reqwest(&e, &host, timeout))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let io = |e: std::io::Error| {
            ApiError::InvalidInput(format!("cannot write {}: {e}", spill.path.display()))
        };
        let mut head: Vec<u8> = Vec::new();
        let mut file: Option<tokio::fs::File> = None;
        let mut total: u64 = 0;
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| from_reqwest(&e, &host, timeout))?
        {
            total += chunk.len() as u64;
            if let Some(f) = file.as_mut() {
                f.write_all(&chunk).await.map_err(io)?;
                continue;
            }
            head.extend_from_slice(&chunk);
            if head.len() > spill.threshold {
                let mut f = tokio::fs::File::from_std((spill.create)(&spill.path).map_err(io)?);
                f.write_all(&head).await.map_err(io)?;
                head.truncate(spill.keep);
                file = Some(f);
            }
        }
        if let Some(mut f) = file {
            f.flush().await.map_err(io)?;
            spill.written.store(total, Ordering::SeqCst);
        }
        let elapsed = started.elapsed();
        tracing::debug!(%status, host = %host, path = url.path(), ?elapsed, total, "salesforce call");
        self.publish_limit_info(&headers);
        Ok(RawResponse {
            status,
            headers,
            body: Bytes::from(head),
            elapsed,
        })
    }

    /// Sends with the current token; on a renewable 401 renews once (shared) and retries once;
    /// on `REQUEST_LIMIT_EXCEEDED` backs off and retries as [`LimitBackoff`] says.
    pub(in crate::sf) async fn send_authed(&self, req: &Req) -> Result<RawResponse, ApiError> {
        let policy = self.limit_backoff();
        let mut attempt = 0u32;
        loop {
            let mut resp = self.send_renewing(req).await?;
            if !is_passing_limit(&resp) {
                return Ok(resp);
            }
            if attempt >= policy.retries {
                if attempt > 0
                    && let Ok(v) = HeaderValue::from_str(&attempt.to_string())
                {
                    resp.headers.insert(BACKED_OFF_HEADER, v);
                }
                return Ok(resp);
            }
            let doubled = policy
                .first_delay
                .saturating_mul(2u32.saturating_pow(attempt));
            let delay = retry_after(&resp).unwrap_or(doubled).min(policy.max_delay);
            attempt += 1;
            tracing::warn!(
                attempt,
                ?delay,
                "REQUEST_LIMIT_EXCEEDED: backing off, then retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// One send; on a renewable 401 renews once (shared) and retries once.
    async fn send_renewing(&self, req: &Req) -> Result<RawResponse, ApiError> {
        let (generation, token) = self.ensure_token().await?;
        let resp = self.send_once(req, &token).await?;
        if resp.status == reqwest::StatusCode::UNAUTHORIZED
            && fail(&resp).is_renewable_session_error()
        {
            tracing::info!("session invalid; renewing the token once");
            let (_, token) = self.renew(generation, RenewReason::InvalidSession).await?;
            return self.send_once(req, &token).await;
        }
        Ok(resp)
    }

    pub(super) async fn get_json<T: DeserializeOwned>(
        &self,
        what: &str,
        target: Target,
    ) -> Result<T, ApiError> {
        let resp = ok(self.send_authed(&Req::new(Method::GET, target)).await?)?;
        decode(what, &resp.body)
    }

    /// An authenticated request to a path on the instance (or an absolute URL on it). Any HTTP
    /// status is returned as a [`RawResponse`]; only transport failures and a failed renewal
    /// are errors. For the Apex REST / SOAP composer.
    pub async fn send_raw(
        &self,
        method: Method,
        path_or_url: &str,
        headers: Vec<(String, String)>,
        body: Option<Bytes>,
    ) -> Result<RawResponse, ApiError> {
        self.send_raw_spilling(method, path_or_url, headers, body, None)
            .await
    }

    /// [`SfClient::send_raw`] that writes a body larger than `spill.threshold` to a file while
    /// it downloads; then `body` is only its first `spill.keep` bytes and `spill.written` its
    /// full size.
    pub async fn send_raw_spilling(
        &self,
        method: Method,
        path_or_url: &str,
        headers: Vec<(String, String)>,
        body: Option<Bytes>,
        spill: Option<Spill>,
    ) -> Result<RawResponse, ApiError> {
        let mut req = Req::new(method, target_of(path_or_url)?);
        req.spill = spill;
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| ApiError::InvalidInput(format!("header {name:?}: {e}")))?;
            if name == header::AUTHORIZATION {
                continue;
            }
            let value = HeaderValue::from_str(&value)
                .map_err(|e| ApiError::InvalidInput(format!("header {name}: {e}")))?;
            map.append(name, value);
        }
        let has_content_type = map.contains_key(header::CONTENT_TYPE);
        req.headers = map.into_iter().filter_map(|(n, v)| Some((n?, v))).collect();
        if let Some(body) = body {
            req.body = Some((
                if has_content_type {
                    None
                } else {
                    Some("application/json")
                },
                body,
            ));
        }
        self.send_authed(&req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert!(matches!(
            target_of("/services/data/v60.0/query/01g-2000"),
            Ok(Target::Instance(..))
        ));
        assert!(matches!(
            target_of("https://x.my.salesforce.com/a"),
            Ok(Target::Absolute(_))
        ));
        assert!(target_of("services/data").is_err());
        assert!(target_of("//evil.example/x").is_err());
    }
}
