//! [`SfClient`]: one org's client, its shared state and how it is built; the calls live in
//! the submodules (login and renewal, sending, queries, sObjects, what the org offers).

mod auth;
mod collections;
pub use collections::{COLLECTION_LIMIT, RowError, RowResults};
mod grants;
mod observe;
pub use observe::{ApiCall, BODY_LIMIT, CallObserver, MASK};
mod org;
pub use org::OrgFacts;
mod query;
mod retry;
mod sobject;
mod transport;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;

use serde::de::DeserializeOwned;
use tokio::sync::watch;
use url::Url;

use jsonwebtoken::EncodingKey;
use secrecy::SecretString;

use super::error::ApiError;
use super::types::{ApiVersion, ConnectionConfig, Grant, LimitInfo, SObjectDescribe, Token};

pub use query::QueryStream;
pub use retry::{DEFAULT_ATTEMPTS, MAX_ATTEMPTS, RetryNotice, RetryObserver, RetryPolicy};
pub use transport::Spill;
pub(super) use transport::{Req, Target, ok, target_of};

/// A Salesforce REST client for one org. Cheap to clone (shared state behind an `Arc`).
#[derive(Clone)]
pub struct SfClient {
    inner: Arc<Inner>,
    /// Told of every retry of the calls made through this handle (and its clones).
    retry_observer: Option<RetryObserver>,
}

impl std::fmt::Debug for SfClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SfClient")
            .field("login_url", &self.inner.config.login_url.as_str())
            .field("client_id", &self.inner.config.client_id)
            .field("auth_style", &self.inner.config.auth_style)
            .field("grant", &self.inner.config.grant.kind())
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
    /// The refresh token the [`Grant::RefreshToken`] renewals use.
    refresh_token: Option<SecretString>,
}

struct Inner {
    config: ConnectionConfig,
    http: reqwest::Client,
    state: Mutex<TokenState>,
    /// Held while a token request is in flight: concurrent renewals wait and share it.
    renew_lock: tokio::sync::Mutex<()>,
    token_tx: watch::Sender<Option<Token>>,
    refresh_tx: watch::Sender<Option<SecretString>>,
    /// The JWT bearer grant's key, read once when the client is built.
    jwt_key: Option<EncodingKey>,
    limit_tx: watch::Sender<Option<LimitInfo>>,
    version: Mutex<Option<(String, ApiVersion)>>,
    describes: Mutex<HashMap<(String, ApiVersion, String), Arc<SObjectDescribe>>>,
    token_requests: AtomicU64,
    clock: Arc<dyn Clock>,
    /// Told of every HTTP exchange, masked ([`SfClient::observe_calls`]).
    call_observer: Mutex<Option<CallObserver>>,
}

/// Where the client reads the time for its own rules, such as how long a failed renewal is
/// shared with the callers queued behind it, and how it waits between the tries of a request.
/// [`SystemClock`] unless a test brings its own ([`SfClient::with_clock`]) to move time on
/// without waiting.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Instant;

    /// Waits `duration` (the pause before a retry): a timer on the tokio runtime unless the
    /// clock says otherwise.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// The real monotonic clock ([`Instant::now`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
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

impl SfClient {
    /// Builds the HTTP client (rustls, `ca_file` added as a trusted root, the configured
    /// timeout). Refuses `http://` unless the host is a loopback address, and a JWT bearer
    /// grant whose private key is not an RSA PEM key.
    pub fn new(config: ConnectionConfig) -> Result<SfClient, ApiError> {
        SfClient::with_clock(config, Arc::new(SystemClock))
    }

    /// [`SfClient::new`] reading the time from `clock` (tests move it on instead of sleeping).
    pub fn with_clock(
        config: ConnectionConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<SfClient, ApiError> {
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
        let jwt_key = match &config.grant {
            Grant::JwtBearer(jwt) => Some(crate::sf::oauth::jwt::signing_key(&jwt.private_key)?),
            _ => None,
        };
        let refresh_token = match &config.grant {
            Grant::RefreshToken { refresh_token } => refresh_token.clone(),
            _ => None,
        };
        let (token_tx, _) = watch::channel(None);
        let (refresh_tx, _) = watch::channel(refresh_token.clone());
        let (limit_tx, _) = watch::channel(None);
        Ok(SfClient {
            inner: Arc::new(Inner {
                config,
                http,
                state: Mutex::new(TokenState {
                    generation: 0,
                    token: None,
                    failed: None,
                    refresh_token,
                }),
                renew_lock: tokio::sync::Mutex::new(()),
                token_tx,
                refresh_tx,
                jwt_key,
                limit_tx,
                version: Mutex::new(None),
                describes: Mutex::new(HashMap::new()),
                token_requests: AtomicU64::new(0),
                clock,
                call_observer: Mutex::new(None),
            }),
            retry_observer: None,
        })
    }

    /// The connection settings.
    pub fn config(&self) -> &ConnectionConfig {
        &self.inner.config
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

    /// This client (sharing its token, caches and connections) telling `observer` of every
    /// retry of the calls made through it, before it waits: the TUI shows "retrying (2/4) after
    /// 503…" for the job that made the call. Replaces an observer set before.
    pub fn reporting_retries(
        &self,
        observer: impl Fn(&RetryNotice) + Send + Sync + 'static,
    ) -> SfClient {
        SfClient {
            inner: self.inner.clone(),
            retry_observer: Some(Arc::new(observer)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf::types::QueryOptions;
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
    fn names_and_ids_are_checked() {
        assert!(check_name("sObject", "Account").is_ok());
        assert!(check_name("sObject", "My_Obj__c").is_ok());
        assert!(check_name("sObject", "Account/../x").is_err());
        assert!(check_name("sObject", "").is_err());
        assert!(check_id("001Dn00000AbCdEIAV").is_ok());
        assert!(check_id("001?x").is_err());
    }
}
