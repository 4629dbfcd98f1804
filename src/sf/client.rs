//! [`SfClient`]: client-credentials login, single-flight token renewal, and the REST calls.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use bytes::Bytes;
use futures::Stream;
use jiff::Timestamp;
use reqwest::Method;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use tokio::sync::watch;
use url::Url;

use super::error::{ApiError, error_from_response, from_reqwest};
use super::types::{
    ApiVersion, ApiVersionInfo, ClientAuthStyle, ConnectionConfig, DescribeGlobal, Identity,
    Introspection, IntrospectionBody, LimitInfo, Limits, QueryOptions, QueryPage, RawQueryPage,
    RawResponse, Record, RenewReason, SObjectDescribe, SaveResult, Token, TokenResponse, UserInfo,
    parse_limits,
};

/// A Salesforce REST client for one org. Cheap to clone (shared state behind an `Arc`).
#[derive(Clone)]
pub struct SfClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SfClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SfClient")
            .field("login_url", &self.inner.config.login_url.as_str())
            .field("client_id", &self.inner.config.client_id)
            .field("auth_style", &self.inner.config.auth_style)
            .field("connected", &self.token().is_some())
            .finish_non_exhaustive()
    }
}

struct TokenState {
    generation: u64,
    token: Option<Token>,
    /// The last failed renewal: its generation, when, and why. Callers that were waiting for
    /// that very renewal get the same error instead of each asking again.
    failed: Option<(u64, Instant, ApiError)>,
}

/// How long a failed renewal is shared with callers that queued up behind it.
const SHARE_FAILURE_FOR: std::time::Duration = std::time::Duration::from_secs(2);

struct Inner {
    config: ConnectionConfig,
    http: reqwest::Client,
    state: Mutex<TokenState>,
    /// Held while a token request is in flight: concurrent renewals wait and share it.
    renew_lock: tokio::sync::Mutex<()>,
    token_tx: watch::Sender<Option<Token>>,
    limit_tx: watch::Sender<Option<LimitInfo>>,
    version: Mutex<Option<(String, ApiVersion)>>,
    describes: Mutex<HashMap<(String, ApiVersion, String), Arc<SObjectDescribe>>>,
    token_requests: AtomicU64,
    limit_backoff: Mutex<LimitBackoff>,
}

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
pub(super) enum Target {
    /// A path (+ query pairs) on the token's instance URL.
    Instance(String, Vec<(String, String)>),
    /// An absolute URL that must share the instance's origin.
    Absolute(Url),
    /// The token's identity URL.
    IdUrl,
}

/// An authenticated request, rebuilt for the retry after a renewal.
pub(super) struct Req {
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
    /// Set to the body's full size when it was written to `path` (0 when it was not).
    pub written: Arc<AtomicU64>,
}

impl Req {
    pub(super) fn new(method: Method, target: Target) -> Req {
        Req {
            method,
            target,
            headers: Vec::new(),
            body: None,
            spill: None,
        }
    }

    pub(super) fn json(mut self, value: &impl serde::Serialize) -> Result<Req, ApiError> {
        let bytes = serde_json::to_vec(value).map_err(|e| ApiError::InvalidInput(e.to_string()))?;
        self.body = Some((Some("application/json"), Bytes::from(bytes)));
        Ok(self)
    }

    pub(super) fn header(mut self, name: HeaderName, value: HeaderValue) -> Req {
        self.headers.push((name, value));
        self
    }
}

/// True for `http://` URLs whose host is not a loopback address.
fn insecure(url: &Url) -> bool {
    match url.scheme() {
        "https" => false,
        "http" => !is_loopback(url),
        _ => true,
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost")
                || d.parse::<IpAddr>()
                    .map(|ip| ip.is_loopback())
                    .unwrap_or(false)
        }
        None => false,
    }
}

fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => url.to_string(),
    }
}

/// Checks an sObject API name (letters, digits, underscores) before it goes into a path.
fn check_name(kind: &str, name: &str) -> Result<(), ApiError> {
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(())
    } else {
        Err(ApiError::InvalidInput(format!(
            "{kind} {name:?} is not a valid API name"
        )))
    }
}

pub(super) fn check_id(id: &str) -> Result<(), ApiError> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(ApiError::InvalidInput(format!("{id:?} is not a record id")))
    }
}

pub(super) fn decode<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::Decode {
        what: what.to_string(),
        message: e.to_string(),
    })
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
pub(super) fn ok(resp: RawResponse) -> Result<RawResponse, ApiError> {
    let html = resp.content_type().is_some_and(|ct| {
        ct.trim_start()
            .to_ascii_lowercase()
            .starts_with("text/html")
    });
    if resp.status.is_success() && html {
        return Err(ApiError::Http {
            status: resp.status.as_u16(),
            content_type: resp.content_type().map(str::to_owned),
            snippet: super::error::snippet(&resp.body),
        });
    }
    if resp.status.is_success() {
        Ok(resp)
    } else {
        Err(fail(&resp))
    }
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

    /// Builds the HTTP client (rustls, `ca_file` added as a trusted root, the configured
    /// timeout). Refuses `http://` unless the host is a loopback address.
    pub fn new(config: ConnectionConfig) -> Result<SfClient, ApiError> {
        if insecure(&config.login_url) {
            return Err(ApiError::InsecureUrl(config.login_url.to_string()));
        }
        // reqwest is built without a default crypto provider; ring is ours. An error only means
        // another provider was installed first, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .user_agent(concat!("sfterm/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none());
        if let Some(path) = &config.ca_file {
            let pem = std::fs::read(path).map_err(|e| {
                ApiError::Config(format!("cannot read ca_file {}: {e}", path.display()))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                ApiError::Config(format!("ca_file {} is not PEM: {e}", path.display()))
            })?;
            if certs.is_empty() {
                return Err(ApiError::Config(format!(
                    "ca_file {} holds no certificate",
                    path.display()
                )));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| ApiError::Config(e.to_string()))?;
        let (token_tx, _) = watch::channel(None);
        let (limit_tx, _) = watch::channel(None);
        Ok(SfClient {
            inner: Arc::new(Inner {
                config,
                http,
                state: Mutex::new(TokenState {
                    generation: 0,
                    token: None,
                    failed: None,
                }),
                renew_lock: tokio::sync::Mutex::new(()),
                token_tx,
                limit_tx,
                version: Mutex::new(None),
                describes: Mutex::new(HashMap::new()),
                token_requests: AtomicU64::new(0),
                limit_backoff: Mutex::new(LimitBackoff::default()),
            }),
        })
    }

    /// The connection settings.
    pub fn config(&self) -> &ConnectionConfig {
        &self.inner.config
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

    /// The current token, if logged in.
    pub fn token(&self) -> Option<Token> {
        self.lock_state().token.clone()
    }

    /// Every new token (initial, manual or automatic renewal) is published here.
    pub fn token_watch(&self) -> watch::Receiver<Option<Token>> {
        self.inner.token_tx.subscribe()
    }

    /// The latest `Sforce-Limit-Info` api-usage seen on any response.
    pub fn limit_watch(&self) -> watch::Receiver<Option<LimitInfo>> {
        self.inner.limit_tx.subscribe()
    }

    /// How many token requests this client has sent (for tests and the status pane).
    pub fn token_requests(&self) -> u64 {
        self.inner.token_requests.load(Ordering::SeqCst)
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, TokenState> {
        // A poisoned lock only means a panic elsewhere while holding it; the data is still valid.
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn current(&self) -> (u64, Option<Token>) {
        let s = self.lock_state();
        (s.generation, s.token.clone())
    }

    /// Client-credentials login: requests a token, stores it and publishes it on
    /// [`token_watch`](Self::token_watch). Waits for (and then supersedes) a renewal in flight.
    pub async fn login(&self, reason: RenewReason) -> Result<Token, ApiError> {
        let _guard = self.inner.renew_lock.lock().await;
        self.request_token(reason).await
    }

    /// Renews the token unless someone else already did since generation `seen`
    /// (single-flight: concurrent callers share one renewal).
    async fn renew(&self, seen: u64, reason: RenewReason) -> Result<(u64, Token), ApiError> {
        let _guard = self.inner.renew_lock.lock().await;
        {
            let state = self.lock_state();
            if let Some(token) = &state.token
                && state.generation != seen
            {
                return Ok((state.generation, token.clone()));
            }
            if let Some((generation, at, error)) = &state.failed
                && *generation == seen
                && at.elapsed() < SHARE_FAILURE_FOR
            {
                return Err(error.clone());
            }
        }
        match self.request_token(reason).await {
            Ok(token) => Ok((self.lock_state().generation, token)),
            Err(error) => {
                self.lock_state().failed = Some((seen, Instant::now(), error.clone()));
                Err(error)
            }
        }
    }

    /// The current token, logging in first if there is none.
    async fn ensure_token(&self) -> Result<(u64, Token), ApiError> {
        match self.current() {
            (generation, Some(token)) => Ok((generation, token)),
            (generation, None) => self.renew(generation, RenewReason::Initial).await,
        }
    }

    fn oauth_url(&self, endpoint: &str) -> Result<Url, ApiError> {
        self.inner
            .config
            .login_url
            .join(&format!("/services/oauth2/{endpoint}"))
            .map_err(|e| ApiError::Config(format!("login_url: {e}")))
    }

    /// Adds the client credentials per the configured style.
    fn client_auth(
        &self,
        req: reqwest::RequestBuilder,
        form: &mut Vec<(&'static str, String)>,
    ) -> reqwest::RequestBuilder {
        let c = &self.inner.config;
        match c.auth_style {
            ClientAuthStyle::Body => {
                form.push(("client_id", c.client_id.clone()));
                form.push(("client_secret", c.client_secret.expose_secret().to_string()));
                req
            }
            ClientAuthStyle::Basic => {
                let raw = format!("{}:{}", c.client_id, c.client_secret.expose_secret());
                let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
                match HeaderValue::from_str(&format!("Basic {b64}")) {
                    Ok(mut v) => {
                        v.set_sensitive(true);
                        req.header(header::AUTHORIZATION, v)
                    }
                    Err(_) => req,
                }
            }
        }
    }

    /// Sends a form to an OAuth endpoint; returns the body of a 2xx response.
    async fn oauth_post(
        &self,
        endpoint: &str,
        mut form: Vec<(&'static str, String)>,
        with_client_auth: bool,
    ) -> Result<RawResponse, ApiError> {
        let url = self.oauth_url(endpoint)?;
        let mut req = self
            .inner
            .http
            .post(url.clone())
            .header(header::ACCEPT, "application/json");
        if with_client_auth {
            req = self.client_auth(req, &mut form);
        }
        let resp = self.execute(req.form(&form), &url).await?;
        ok(resp)
    }

    async fn request_token(&self, reason: RenewReason) -> Result<Token, ApiError> {
        self.inner.token_requests.fetch_add(1, Ordering::SeqCst);
        let form = vec![("grant_type", "client_credentials".to_string())];
        let resp = self.oauth_post("token", form, true).await?;
        let body: TokenResponse = decode("token", &resp.body)?;
        let token = body.into_token(reason)?;
        if insecure(&token.instance_url) {
            return Err(ApiError::InsecureUrl(token.instance_url.to_string()));
        }
        tracing::info!(?reason, instance = %token.instance_url, "obtained access token");
        {
            let mut s = self.lock_state();
            s.generation += 1;
            s.token = Some(token.clone());
        }
        self.inner.token_tx.send_replace(Some(token.clone()));
        Ok(token)
    }

    /// Sends a built request, reads the whole body, records `Sforce-Limit-Info`.
    async fn execute(
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

    async fn send_once(&self, req: &Req, token: &Token) -> Result<RawResponse, ApiError> {
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
                if let Some(dir) = spill.path.parent() {
                    tokio::fs::create_dir_all(dir).await.map_err(io)?;
                }
                let mut f = tokio::fs::File::create(&spill.path).await.map_err(io)?;
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
    pub(super) async fn send_authed(&self, req: &Req) -> Result<RawResponse, ApiError> {
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

    async fn get_json<T: DeserializeOwned>(
        &self,
        what: &str,
        target: Target,
    ) -> Result<T, ApiError> {
        let resp = ok(self.send_authed(&Req::new(Method::GET, target)).await?)?;
        decode(what, &resp.body)
    }

    /// Introspects the current token (`active`, `exp`, ...). Does not log in.
    pub async fn introspect(&self) -> Result<Introspection, ApiError> {
        let token = self.token().ok_or(ApiError::NotConnected)?;
        let form = vec![
            ("token", token.access_token.expose_secret().to_string()),
            ("token_type_hint", "access_token".to_string()),
        ];
        let resp = self.oauth_post("introspect", form, true).await?;
        let body: IntrospectionBody = decode("introspect", &resp.body)?;
        Ok(body.into())
    }

    /// OpenID Connect userinfo of the run-as user.
    pub async fn userinfo(&self) -> Result<UserInfo, ApiError> {
        self.get_json(
            "userinfo",
            Target::Instance("/services/oauth2/userinfo".into(), vec![]),
        )
        .await
    }

    /// `GET` the token's identity URL.
    pub async fn identity(&self) -> Result<Identity, ApiError> {
        self.get_json("identity", Target::IdUrl).await
    }

    /// Revokes the current token. The token is kept: the next call gets `INVALID_SESSION_ID`
    /// and renews once.
    pub async fn revoke(&self) -> Result<(), ApiError> {
        let token = self.token().ok_or(ApiError::NotConnected)?;
        let form = vec![("token", token.access_token.expose_secret().to_string())];
        self.oauth_post("revoke", form, false).await.map(|_| ())
    }

    /// `GET /services/data`: the versions the org offers.
    pub async fn versions(&self) -> Result<Vec<ApiVersionInfo>, ApiError> {
        self.get_json(
            "versions",
            Target::Instance("/services/data/".into(), vec![]),
        )
        .await
    }

    /// The pinned version, or the highest the org offers (asked once per org, then cached).
    pub async fn api_version(&self) -> Result<ApiVersion, ApiError> {
        if let Some(v) = self.inner.config.api_version {
            return Ok(v);
        }
        let (_, token) = self.ensure_token().await?;
        let org = token.org_id.clone();
        if let Some((cached_org, v)) = self.lock_version().as_ref()
            && *cached_org == org
        {
            return Ok(*v);
        }
        let highest = self
            .versions()
            .await?
            .iter()
            .filter_map(ApiVersionInfo::api_version)
            .max()
            .ok_or_else(|| ApiError::Decode {
                what: "versions".into(),
                message: "the org lists no API version".into(),
            })?;
        *self.lock_version() = Some((org, highest));
        Ok(highest)
    }

    fn lock_version(&self) -> std::sync::MutexGuard<'_, Option<(String, ApiVersion)>> {
        self.inner
            .version
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) async fn data_path(&self, rest: &str) -> Result<String, ApiError> {
        Ok(format!(
            "/services/data/{}/{rest}",
            self.api_version().await?.path_segment()
        ))
    }

    /// The first page of `soql` from `resource` (`query` or `queryAll`), undecoded.
    async fn first_page(
        &self,
        resource: &str,
        soql: &str,
        batch_size: Option<u32>,
    ) -> Result<RawResponse, ApiError> {
        let path = self.data_path(resource).await?;
        let req = Req::new(
            Method::GET,
            Target::Instance(path, vec![("q".into(), soql.to_string())]),
        );
        ok(self.send_authed(&with_batch_size(req, batch_size)).await?)
    }

    /// The page at a `nextRecordsUrl` (relative, or absolute on the instance), undecoded.
    async fn next_page(
        &self,
        next_records_url: &str,
        batch_size: Option<u32>,
    ) -> Result<RawResponse, ApiError> {
        let req = Req::new(Method::GET, target_of(next_records_url)?);
        ok(self.send_authed(&with_batch_size(req, batch_size)).await?)
    }

    /// `GET /query?q=` — the first page.
    pub async fn query(&self, soql: &str) -> Result<QueryPage, ApiError> {
        decode("query", &self.first_page("query", soql, None).await?.body)
    }

    /// `GET /queryAll?q=` — the first page, deleted and archived rows included.
    pub async fn query_all(&self, soql: &str) -> Result<QueryPage, ApiError> {
        decode(
            "query",
            &self.first_page("queryAll", soql, None).await?.body,
        )
    }

    /// Follows a `nextRecordsUrl` (relative, or absolute on the instance).
    pub async fn query_more(&self, next_records_url: &str) -> Result<QueryPage, ApiError> {
        decode("query", &self.next_page(next_records_url, None).await?.body)
    }

    /// `GET /query?q=` — the first page, its records left as JSON text (for readers that do
    /// not build a map per record, such as the Records list).
    pub async fn query_raw(&self, soql: &str) -> Result<RawQueryPage, ApiError> {
        RawQueryPage::decode(&self.first_page("query", soql, None).await?.body)
    }

    /// Follows a `nextRecordsUrl` like [`SfClient::query_more`], the records left as JSON text.
    pub async fn query_more_raw(&self, next_records_url: &str) -> Result<RawQueryPage, ApiError> {
        RawQueryPage::decode(&self.next_page(next_records_url, None).await?.body)
    }

    /// All pages of a query, following `nextRecordsUrl` (renewing the token between pages if it
    /// expired), with the records left as JSON text. Ends after the last page or the first
    /// error.
    ///
    /// The next page is requested as soon as a page arrives, while the caller handles that
    /// page: the round trip and the server's work overlap with the caller's. At most one page
    /// is fetched ahead; dropping the stream cancels it.
    pub fn query_stream(
        &self,
        soql: &str,
        opts: QueryOptions,
    ) -> impl Stream<Item = Result<RawQueryPage, ApiError>> + Send + Unpin + 'static {
        type Fetch = futures::future::BoxFuture<'static, Result<RawQueryPage, ApiError>>;
        let decode_raw = |resp: Result<RawResponse, ApiError>| RawQueryPage::decode(&resp?.body);
        let first: Fetch = {
            let client = self.clone();
            let soql = soql.to_string();
            let resource = if opts.include_deleted {
                "queryAll"
            } else {
                "query"
            };
            Box::pin(async move {
                decode_raw(client.first_page(resource, &soql, opts.batch_size).await)
            })
        };
        let client = self.clone();
        let stream = futures::stream::unfold(Some(first), move |fetch| {
            let client = client.clone();
            async move {
                let result = fetch?.await;
                let ahead: Option<Fetch> = match &result {
                    Ok(RawQueryPage {
                        done: false,
                        next_records_url: Some(url),
                        ..
                    }) => {
                        let url = url.clone();
                        let fetch = async move {
                            decode_raw(client.next_page(&url, opts.batch_size).await)
                        };
                        // Spawned, so it runs while the caller works; the handle cancels it
                        // when dropped.
                        let (fetch, handle) = futures::FutureExt::remote_handle(fetch);
                        tokio::spawn(fetch);
                        Some(Box::pin(handle))
                    }
                    _ => None,
                };
                Some((result, ahead))
            }
        });
        // Boxed so callers can use `StreamExt::next` without pinning.
        Box::pin(stream)
    }

    /// Describe global (`GET /sobjects/`).
    pub async fn describe_global(&self) -> Result<DescribeGlobal, ApiError> {
        let path = self.data_path("sobjects/").await?;
        self.get_json("describe global", Target::Instance(path, vec![]))
            .await
    }

    /// Describe of one object, cached per (org, version, lower-cased name).
    pub async fn describe(&self, sobject: &str) -> Result<Arc<SObjectDescribe>, ApiError> {
        check_name("sObject", sobject)?;
        let version = self.api_version().await?;
        let (_, token) = self.ensure_token().await?;
        let key = (token.org_id.clone(), version, sobject.to_ascii_lowercase());
        if let Some(d) = self.lock_describes().get(&key) {
            return Ok(d.clone());
        }
        let path = format!(
            "/services/data/{}/sobjects/{sobject}/describe",
            version.path_segment()
        );
        let describe: Arc<SObjectDescribe> = Arc::new(
            self.get_json("describe", Target::Instance(path, vec![]))
                .await?,
        );
        self.lock_describes().insert(key, describe.clone());
        Ok(describe)
    }

    /// Forgets cached describes (after metadata changes).
    pub fn clear_describe_cache(&self) {
        self.lock_describes().clear();
    }

    fn lock_describes(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, ApiVersion, String), Arc<SObjectDescribe>>>
    {
        self.inner
            .describes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `GET /sobjects/{T}/{id}` (optionally only `fields`), with `Last-Modified` and `ETag`.
    pub async fn get_record(
        &self,
        sobject: &str,
        id: &str,
        fields: Option<&[&str]>,
    ) -> Result<Record, ApiError> {
        check_name("sObject", sobject)?;
        check_id(id)?;
        let path = self.data_path(&format!("sobjects/{sobject}/{id}")).await?;
        let query = match fields {
            Some(f) if !f.is_empty() => {
                for name in f {
                    check_name("field", name)?;
                }
                vec![("fields".to_string(), f.join(","))]
            }
            _ => vec![],
        };
        let resp = ok(self
            .send_authed(&Req::new(Method::GET, Target::Instance(path, query)))
            .await?)?;
        let fields: Map<String, Value> = decode("record", &resp.body)?;
        let last_modified = resp
            .headers
            .get(header::LAST_MODIFIED)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| httpdate::parse_http_date(s).ok())
            .and_then(|t| Timestamp::try_from(t).ok());
        let etag = resp
            .headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Ok(Record {
            fields,
            last_modified,
            etag,
        })
    }

    /// `POST /sobjects/{T}`; returns the new id.
    pub async fn create_record(
        &self,
        sobject: &str,
        fields: &Map<String, Value>,
    ) -> Result<String, ApiError> {
        check_name("sObject", sobject)?;
        let path = self.data_path(&format!("sobjects/{sobject}")).await?;
        let req = Req::new(Method::POST, Target::Instance(path, vec![])).json(fields)?;
        let resp = ok(self.send_authed(&req).await?)?;
        let result: SaveResult = decode("create", &resp.body)?;
        match result {
            SaveResult {
                success: true,
                id: Some(id),
                ..
            } => Ok(id),
            SaveResult { errors, .. } => Err(ApiError::Api {
                status: resp.status.as_u16(),
                errors,
            }),
        }
    }

    /// `PATCH /sobjects/{T}/{id}`; with `if_unmodified_since` a concurrent change gives
    /// [`ApiError::PreconditionFailed`].
    pub async fn update_record(
        &self,
        sobject: &str,
        id: &str,
        fields: &Map<String, Value>,
        if_unmodified_since: Option<Timestamp>,
    ) -> Result<(), ApiError> {
        check_name("sObject", sobject)?;
        check_id(id)?;
        let path = self.data_path(&format!("sobjects/{sobject}/{id}")).await?;
        let mut req = Req::new(Method::PATCH, Target::Instance(path, vec![])).json(fields)?;
        if let Some(ts) = if_unmodified_since {
            let when = SystemTime::try_from(ts)
                .map_err(|e| ApiError::InvalidInput(format!("If-Unmodified-Since {ts}: {e}")))?;
            let value = HeaderValue::from_str(&httpdate::fmt_http_date(when))
                .map_err(|e| ApiError::InvalidInput(e.to_string()))?;
            req = req.header(header::IF_UNMODIFIED_SINCE, value);
        }
        ok(self.send_authed(&req).await?).map(|_| ())
    }

    /// `DELETE /sobjects/{T}/{id}`.
    pub async fn delete_record(&self, sobject: &str, id: &str) -> Result<(), ApiError> {
        check_name("sObject", sobject)?;
        check_id(id)?;
        let path = self.data_path(&format!("sobjects/{sobject}/{id}")).await?;
        ok(self
            .send_authed(&Req::new(Method::DELETE, Target::Instance(path, vec![])))
            .await?)
        .map(|_| ())
    }

    /// `POST /composite/sobjects`: creates up to 200 records; each map must carry
    /// `"attributes": {"type": "<sObject>"}`. Results are in request order.
    pub async fn create_records(
        &self,
        records: Vec<Map<String, Value>>,
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, ApiError> {
        let path = self.data_path("composite/sobjects").await?;
        let body = serde_json::json!({ "allOrNone": all_or_none, "records": records });
        let req = Req::new(Method::POST, Target::Instance(path, vec![])).json(&body)?;
        let resp = ok(self.send_authed(&req).await?)?;
        decode("composite/sobjects", &resp.body)
    }

    /// `GET /limits`.
    pub async fn limits(&self) -> Result<Limits, ApiError> {
        let path = self.data_path("limits").await?;
        let value: Value = self
            .get_json("limits", Target::Instance(path, vec![]))
            .await?;
        parse_limits(&value).ok_or_else(|| ApiError::Decode {
            what: "limits".into(),
            message: "not a JSON object".into(),
        })
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

fn with_batch_size(req: Req, batch_size: Option<u32>) -> Req {
    match batch_size.and_then(|n| HeaderValue::from_str(&format!("batchSize={n}")).ok()) {
        Some(v) => req.header(HeaderName::from_static("sforce-query-options"), v),
        None => req,
    }
}

/// A relative path (must start with `/`) or an absolute URL (checked against the instance).
fn target_of(path_or_url: &str) -> Result<Target, ApiError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn config(url: &str) -> ConnectionConfig {
        ConnectionConfig::new(
            Url::parse(url).expect("url"),
            "client-id",
            SecretString::from("super-secret-value"),
        )
    }

    #[test]
    fn http_refused_unless_loopback() {
        for ok_url in [
            "https://acme.my.salesforce.com",
            "http://127.0.0.1:8484",
            "http://localhost:1",
            "http://[::1]:9",
            "http://127.5.0.1",
        ] {
            assert!(SfClient::new(config(ok_url)).is_ok(), "{ok_url}");
        }
        for bad in [
            "http://acme.my.salesforce.com",
            "http://10.0.0.1",
            "ftp://127.0.0.1",
        ] {
            assert!(
                matches!(SfClient::new(config(bad)), Err(ApiError::InsecureUrl(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn client_is_send_sync_and_stream_is_send() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<SfClient>();
        fn assert_send<T: Send>(_: &T) {}
        let client = SfClient::new(config("https://acme.my.salesforce.com")).expect("client");
        assert_send(&client.query_stream("SELECT Id FROM Account", QueryOptions::default()));
    }

    #[test]
    fn debug_hides_secret() {
        let client = SfClient::new(config("https://acme.my.salesforce.com")).expect("client");
        let dbg = format!("{client:?} {:?}", client.config());
        assert!(!dbg.contains("super-secret-value"), "{dbg}");
    }

    #[test]
    fn unreadable_or_empty_ca_file_is_a_config_error() {
        let mut c = config("https://acme.my.salesforce.com");
        c.ca_file = Some("/nonexistent/ca.pem".into());
        assert!(matches!(SfClient::new(c), Err(ApiError::Config(_))));
        let file = tempfile::NamedTempFile::new().expect("temp");
        let mut c = config("https://acme.my.salesforce.com");
        c.ca_file = Some(file.path().to_path_buf());
        assert!(matches!(SfClient::new(c), Err(ApiError::Config(_))));
    }

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

    #[test]
    fn names_and_ids_are_checked() {
        assert!(check_name("sObject", "Account").is_ok());
        assert!(check_name("sObject", "My_Obj__c").is_ok());
        assert!(check_name("sObject", "Account/../x").is_err());
        assert!(check_name("sObject", "").is_err());
        assert!(check_id("001Dn00000AbCdEIAV").is_ok());
        assert!(check_id("001?x").is_err());
    }
}
