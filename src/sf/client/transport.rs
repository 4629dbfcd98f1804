//! Sending one authenticated request: building it, the bearer header, renewal on a stale
//! session, the retry policy (`retry.rs`) around it, large bodies spilled to a file, limit info
//! and the error of a failed response.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use url::Url;

use super::observe::{Ended, Watch};
use super::retry::{self, Failure, Next, RetryNotice};
use super::{SfClient, decode, host_of, insecure};
use crate::sf::error::{ApiError, error_from_response, from_reqwest};
use crate::sf::types::{Delivery, LimitInfo, RawResponse, RenewReason, Token};

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
    /// Sending it twice has the same effect as once: the retry policy may repeat it after a
    /// failure that left its fate unknown. GET and HEAD are; others when marked.
    repeatable: bool,
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
            repeatable: matches!(method, Method::GET | Method::HEAD),
            method,
            target,
            headers: Vec::new(),
            body: None,
            spill: None,
        }
    }

    /// Marks a request whose repetition has the same effect as one send (the PATCH or DELETE
    /// of one record).
    pub(in crate::sf) fn repeatable(mut self) -> Req {
        self.repeatable = true;
        self
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

    /// Its method and path, without the query string (which may carry data): for the log and
    /// the messages.
    fn describe(&self) -> String {
        let path = match &self.target {
            Target::Instance(path, _) => path.split(['?', '#']).next().unwrap_or_default(),
            Target::Absolute(url) => url.path(),
            Target::IdUrl => "the identity URL",
        };
        format!("{} {path}", self.method)
    }
}

/// The response's error; says so when the retry policy gave up on it, or did not repeat it
/// because it may have taken effect.
fn fail(resp: &RawResponse) -> ApiError {
    let error = error_from_response(resp.status.as_u16(), resp.content_type(), &resp.body);
    if resp.delivery.not_repeated {
        ApiError::MaybeApplied {
            request: resp.delivery.request.clone(),
            error: Box::new(error),
        }
    } else if resp.delivery.attempts > 1 && retry::transient_response(resp).is_some() {
        ApiError::GaveUp {
            attempts: resp.delivery.attempts,
            error: Box::new(error),
        }
    } else {
        error
    }
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

/// A failure to send: before a byte went out when the connection could not be made, else
/// without an answer.
fn send_failure(e: &reqwest::Error, host: &str, timeout: std::time::Duration) -> Failure {
    let error = from_reqwest(e, host, timeout);
    if e.is_connect() {
        Failure::NotSent(error)
    } else {
        Failure::Unanswered(error)
    }
}

/// The result of the last try, with how it was delivered: on the response, or in the error
/// (tried often and given up on, or not repeated because it may have taken effect).
fn finish(
    result: Result<RawResponse, Failure>,
    delivery: Delivery,
) -> Result<RawResponse, ApiError> {
    match result {
        Ok(mut resp) => {
            resp.delivery = delivery;
            Ok(resp)
        }
        Err(failure) => {
            let transient = retry::transient_failure(&failure).is_some();
            let error = failure.into_error();
            Err(if transient && delivery.not_repeated {
                ApiError::MaybeApplied {
                    request: delivery.request,
                    error: Box::new(error),
                }
            } else if transient && delivery.attempts > 1 {
                ApiError::GaveUp {
                    attempts: delivery.attempts,
                    error: Box::new(error),
                }
            } else {
                error
            })
        }
    }
}

/// A relative path (must start with `/`) or an absolute URL (checked against the instance).
pub(in crate::sf) fn target_of(path_or_url: &str) -> Result<Target, ApiError> {
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

    /// Sends a built request, reads the whole body, records `Sforce-Limit-Info`.
    pub(super) async fn execute(
        &self,
        req: reqwest::RequestBuilder,
        url: &Url,
    ) -> Result<RawResponse, ApiError> {
        self.execute_try(req, url, 1)
            .await
            .map_err(Failure::into_error)
    }

    /// Builds the request and sends it, noting it for the call observer (try `attempt`).
    async fn start(
        &self,
        req: reqwest::RequestBuilder,
        host: &str,
        attempt: u32,
    ) -> Result<(reqwest::Response, Option<Watch>), Failure> {
        let timeout = self.inner.config.timeout;
        let (http, request) = req.build_split();
        let request = request.map_err(|e| send_failure(&e, host, timeout))?;
        let watch = self.watch(&request, attempt);
        let started = Instant::now();
        match http.execute(request).await {
            Ok(resp) => Ok((resp, watch)),
            Err(e) => {
                let failure = send_failure(&e, host, timeout);
                let message = match &failure {
                    Failure::NotSent(e) | Failure::Unanswered(e) => e.to_string(),
                    Failure::CutShort(e) | Failure::Other(e) => e.to_string(),
                };
                self.tell(watch, started.elapsed(), Ended::Failed(message));
                Err(failure)
            }
        }
    }

    /// A whole answer came (`body`, or its first part when it was `size` bytes spilled to a
    /// file): logged, its `Sforce-Limit-Info` published, the observer told. How long it took.
    fn answered(
        &self,
        (watch, started, url): (Option<Watch>, Instant, &Url),
        status: reqwest::StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        size: u64,
    ) -> std::time::Duration {
        let elapsed = started.elapsed();
        let host = host_of(url);
        tracing::debug!(%status, host = %host, path = url.path(), ?elapsed, size, "salesforce call");
        self.publish_limit_info(headers);
        self.tell(
            watch,
            elapsed,
            Ended::Answered {
                status: status.as_u16(),
                headers,
                body,
                size,
            },
        );
        elapsed
    }

    /// The answer broke off after its headers: the observer hears of it and the try fails as
    /// cut short (the retry policy decides whether it is read again).
    fn cut_short(
        &self,
        watch: Option<Watch>,
        started: Instant,
        status: reqwest::StatusCode,
        headers: &HeaderMap,
        error: ApiError,
    ) -> Failure {
        self.tell(
            watch,
            started.elapsed(),
            Ended::CutShort {
                status: status.as_u16(),
                headers,
                error: error.to_string(),
            },
        );
        Failure::CutShort(error)
    }

    /// [`SfClient::execute`], telling how it failed: before a byte was sent, without an
    /// answer, or with the answer cut short.
    async fn execute_try(
        &self,
        req: reqwest::RequestBuilder,
        url: &Url,
        attempt: u32,
    ) -> Result<RawResponse, Failure> {
        let started = Instant::now();
        let host = host_of(url);
        let timeout = self.inner.config.timeout;
        let (resp, watch) = self.start(req, &host, attempt).await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = match resp.bytes().await {
            Ok(body) => body,
            Err(e) => {
                let error = from_reqwest(&e, &host, timeout);
                return Err(self.cut_short(watch, started, status, &headers, error));
            }
        };
        let size = body.len() as u64;
        let elapsed = self.answered((watch, started, url), status, &headers, &body, size);
        Ok(RawResponse {
            status,
            headers,
            body,
            elapsed,
            delivery: Delivery::default(),
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
        self.send_try(req, token, 1)
            .await
            .map_err(Failure::into_error)
    }

    /// One send of `req` with `token` (try `attempt`), telling how it failed.
    async fn send_try(
        &self,
        req: &Req,
        token: &Token,
        attempt: u32,
    ) -> Result<RawResponse, Failure> {
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
            Some(spill) => self.execute_spilling(builder, &url, spill, attempt).await,
            None => self.execute_try(builder, &url, attempt).await,
        }
    }

    /// [`SfClient::execute`] for a body that may be large: read in chunks, written to the
    /// spill file once past its threshold, never held in memory whole.
    async fn execute_spilling(
        &self,
        req: reqwest::RequestBuilder,
        url: &Url,
        spill: &Spill,
        attempt: u32,
    ) -> Result<RawResponse, Failure> {
        use tokio::io::AsyncWriteExt;
        let started = Instant::now();
        let host = host_of(url);
        let timeout = self.inner.config.timeout;
        let (mut resp, watch) = self.start(req, &host, attempt).await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let io = |e: std::io::Error| {
            ApiError::InvalidInput(format!("cannot write {}: {e}", spill.path.display()))
        };
        let mut head: Vec<u8> = Vec::new();
        let mut file: Option<tokio::fs::File> = None;
        let mut total: u64 = 0;
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => {
                    let error = from_reqwest(&e, &host, timeout);
                    return Err(self.cut_short(watch, started, status, &headers, error));
                }
            };
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
        let elapsed = self.answered((watch, started, url), status, &headers, &head, total);
        Ok(RawResponse {
            status,
            headers,
            body: Bytes::from(head),
            elapsed,
            delivery: Delivery::default(),
        })
    }

    /// Sends with the current token (renewing it once on a stale session), under the retry
    /// policy: a failure that passes is met by trying again, after a wait, as often as the
    /// policy allows when the request is safe to repeat (or was refused unrun, or never sent);
    /// a request that is not safe to repeat is never sent again once it may have run, and its
    /// answer says so ([`Delivery::not_repeated`], [`ApiError::MaybeApplied`]). Each retry is
    /// logged with its reason and told to the observer.
    pub(in crate::sf) async fn send_authed(&self, req: &Req) -> Result<RawResponse, ApiError> {
        let policy = self.inner.config.retry;
        let started = self.inner.clock.now();
        let mut delivery = Delivery {
            request: req.describe(),
            ..Delivery::default()
        };
        loop {
            delivery.attempts += 1;
            let result = self.send_renewing(req, delivery.attempts).await;
            let transient = match &result {
                Ok(resp) => retry::transient_response(resp),
                Err(failure) => retry::transient_failure(failure),
            };
            let Some(transient) = transient else {
                return finish(result, delivery);
            };
            let elapsed = self.inner.clock.now().saturating_duration_since(started);
            match retry::next(
                &policy,
                req.repeatable,
                &transient,
                delivery.attempts,
                elapsed,
            ) {
                Next::Retry(delay) => {
                    let notice = RetryNotice {
                        attempt: delivery.attempts + 1,
                        attempts: policy.attempts,
                        reason: transient.reason,
                        delay,
                        request: delivery.request.clone(),
                    };
                    tracing::warn!(
                        request = %notice.request,
                        reason = %notice.reason,
                        attempt = notice.attempt,
                        of = notice.attempts,
                        ?delay,
                        "transient failure; retrying"
                    );
                    if let Some(observer) = &self.retry_observer {
                        observer(&notice);
                    }
                    if matches!(result, Err(Failure::Unanswered(_) | Failure::CutShort(_))) {
                        delivery.earlier_unanswered = true;
                    }
                    self.inner.clock.sleep(delay).await;
                }
                Next::NotRepeated => {
                    tracing::warn!(
                        request = %delivery.request,
                        reason = %transient.reason,
                        "not safe to repeat: not retried, it may or may not have taken effect"
                    );
                    delivery.not_repeated = true;
                    return finish(result, delivery);
                }
                Next::GiveUp => {
                    tracing::warn!(
                        request = %delivery.request,
                        reason = %transient.reason,
                        attempts = delivery.attempts,
                        "transient failure lasted; giving up"
                    );
                    return finish(result, delivery);
                }
            }
        }
    }

    /// One send; on a renewable 401 renews once (shared) and retries once.
    async fn send_renewing(&self, req: &Req, attempt: u32) -> Result<RawResponse, Failure> {
        let (generation, token) = self.ensure_token().await?;
        let resp = self.send_try(req, &token, attempt).await?;
        if resp.status == reqwest::StatusCode::UNAUTHORIZED
            && fail(&resp).is_renewable_session_error()
        {
            tracing::info!("session invalid; renewing the token once");
            let (_, token) = self.renew(generation, RenewReason::InvalidSession).await?;
            return self.send_try(req, &token, attempt).await;
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
    /// are errors. For the Apex REST / SOAP composer. Retried as the retry policy says: a GET,
    /// or the PATCH or DELETE of one record, is safe to repeat; anything else is not sent again
    /// once it may have run ([`RawResponse::delivery`] says so).
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
        req.repeatable = match &req.target {
            Target::Instance(path, _) => retry::repeatable(
                &req.method,
                path.split(['?', '#']).next().unwrap_or_default(),
            ),
            Target::Absolute(url) => retry::repeatable(&req.method, url.path()),
            Target::IdUrl => req.repeatable,
        };
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
