//! Mock org: a local emulator of the Salesforce APIs sfterm uses.
//!
//! [`MockOrg::start`] binds three listeners (on 127.0.0.1 unless [`MockOrgConfig::bind`] says
//! otherwise, which then needs an admin token): the org's My Domain (OAuth, identity, REST)
//! and a "login host" and a "test host" that play `login.salesforce.com` and
//! `test.salesforce.com`: they refuse client credentials, and accept the browser (authorization
//! code with PKCE), refresh token and JWT bearer flows. Wire formats follow
//! `shared/reference/salesforce-api.md` and `auth-flows.md`.
mod admin;
pub use admin::FaultKind;
mod apex;
mod bulk;
mod chaos;
pub mod cli;
mod clock;
mod collections;
mod columns;
mod composite;
mod customer;
mod data;
mod drop;
mod flows;
mod ingest;
pub use flows::RefreshTokenPolicy;
pub use flows::jwt::{JwtFiles, key_path as jwt_key_path};
mod listen;
mod oauth;
mod organization;
pub use organization::OrgType;
mod private_file;
mod query;
mod reject;
mod rest;
mod result_pages;
mod schema;
mod search;
mod seed;
mod setup_org;
mod soap;
pub mod soql;
mod state;
pub mod store;
mod xml;

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum_server::Handle;
// TCP_NODELAY: without it small HTTP/2 frames wait for the peer's delayed ACK (40 ms stalls).
use axum_server::accept::NoDelayAcceptor;

pub use setup_org::Scenario;
use state::{Listener, Shared};

/// How to run a mock org. Every behaviour the reference marks UNCONFIRMED is a knob here.
#[derive(Clone)]
pub struct MockOrgConfig {
    /// TCP port of the instance (My Domain) listener; 0 picks a free port.
    pub port: u16,
    /// The address the listeners bind and the org's URLs name (default 127.0.0.1). Any other
    /// than 127.0.0.1 or ::1 needs `admin_token`; an unspecified one (0.0.0.0) is refused.
    pub bind: IpAddr,
    /// A bearer token the `/__mock/*` admin endpoints then require (`None`: open, loopback only).
    pub admin_token: Option<String>,
    /// Number of seeded Account records (contacts and leads scale with it).
    pub records: usize,
    /// Sliding idle timeout of access tokens.
    pub token_ttl: Duration,
    /// Serve https with a self-signed certificate generated at start.
    pub tls: bool,
    /// Consumer key of the main app; `None` = a deterministic demo value.
    pub client_id: Option<String>,
    /// Consumer secret of the main app; `None` = a deterministic demo value.
    pub client_secret: Option<String>,
    /// `DailyApiRequests` maximum; calls beyond it get 403 `REQUEST_LIMIT_EXCEEDED`.
    pub api_daily_limit: u64,
    /// Newest API version served (`68` = v68.0, Winter '27); the oldest is v31.0.
    pub latest_api_version: u32,
    /// Seed of the deterministic data generator.
    pub seed: u64,
    /// `(error, error_description)` for an app whose client-credentials flow is disabled
    /// (UNCONFIRMED on real orgs).
    pub disabled_flow_error: (String, String),
    /// Whether the token response carries `api_instance_url` (optional on real orgs).
    pub api_instance_url: bool,
    /// Whether 304 responses count as API calls (UNCONFIRMED on real orgs).
    pub count_not_modified: bool,
    /// Open query cursors kept per org; opening one more releases the oldest (Salesforce
    /// documents 10 per user).
    pub max_query_cursors: usize,
    /// Delay added before every data API response (for loading states in UI tests).
    pub latency: Duration,
    /// A JSON file of the user's own records, loaded after the seed data:
    /// `{"Account": [{"Id": "001...", "Name": "..."}], "Contact": [...], "Lead": [...]}`.
    /// `Id` (optional) lets records reference each other; fields are validated as on create.
    pub data: Option<PathBuf>,
    /// Print one line per request (method, path, status, duration) to stderr.
    pub log_requests: bool,
    /// Polls of a Bulk API 2.0 query job that answer `InProgress` before `JobComplete`.
    pub bulk_polls_in_progress: u32,
    /// The org state played: the run-as user's permissions and setup (`--scenario`).
    pub scenario: Scenario,
    /// The kind of org played (`--org-type`): the `Organization` record's `OrganizationType`,
    /// `IsSandbox` and `TrialExpirationDate`.
    pub org_type: OrgType,
    /// Records per Bulk API 2.0 result page when the request gives no `maxRecords`.
    pub bulk_page_size: usize,
    /// Callback URLs registered on the main app; `redirect_uri` must equal one exactly (port
    /// included), as on Salesforce. Default: `http://localhost:1717/OauthRedirect` (the sf CLI's).
    pub callback_urls: Vec<String>,
    /// Also accept a loopback callback (`http://localhost`, `127.0.0.1`, `[::1]`) that differs
    /// from a registered one only by its port (RFC 8252 §7.3; UNCONFIRMED on Salesforce: off).
    pub loopback_any_port: bool,
    /// `/services/oauth2/authorize` approves at once and redirects, without the approval page.
    pub auto_approve: bool,
    /// Scopes the main app grants in the browser and JWT flows (space separated); an authorize
    /// request without `scope` gets them all, one asking for another gets `invalid_scope`.
    pub oauth_scopes: String,
    /// "Require Secret for Web Server Flow": the code exchange needs the client secret.
    pub require_secret_web: bool,
    /// "Require Secret for Refresh Token Flow".
    pub require_secret_refresh: bool,
    /// How long an authorization code (and the approval page) stays valid (15 minutes is often
    /// quoted; UNCONFIRMED).
    pub auth_code_ttl: Duration,
    /// The app's refresh token policy.
    pub refresh_token_policy: RefreshTokenPolicy,
    /// Refresh token rotation: every refresh answers a new refresh token and the old one dies;
    /// presenting a rotated-out one revokes them all.
    pub refresh_token_rotation: bool,
    /// Approvals (refresh tokens) kept per user and app; one more revokes the oldest (5).
    pub max_approvals: usize,
    /// Accept `code_challenge_method=plain` (UNCONFIRMED on Salesforce: off).
    pub pkce_plain: bool,
    /// A certificate (or RSA public key) PEM that JWT assertions are checked against, instead
    /// of the certificate of a key pair the org makes.
    pub jwt_cert: Option<PathBuf>,
    /// Accept the org's My Domain as JWT `aud` besides the login and test origins (UNCONFIRMED).
    pub jwt_my_domain_audience: bool,
    /// Strict mode: refuse an assertion whose `exp` is further ahead than this (the documented
    /// 3 minutes). `None` (default): no upper bound, as Salesforce evidently does.
    pub jwt_max_exp: Option<Duration>,
    /// Usernames pre-authorised for the main app (JWT `sub`); `None` = the org's user only.
    pub preauthorized_users: Option<Vec<String>>,
    /// Whether the JWT bearer answer carries `signature` and `issued_at` (absent in the
    /// captured samples; UNCONFIRMED: off).
    pub jwt_signature_and_issued_at: bool,
    /// The most CSV bytes one Bulk API 2.0 ingest job takes (an upload, or the data of a
    /// multipart create); more answers 413 `EXCEEDED_MAX_SIZE_REQUEST`. Salesforce's cap is
    /// 150 MB once it has base64-encoded the data, so about 100 MB of CSV (the default).
    pub ingest_max_upload_bytes: usize,
}

impl std::fmt::Debug for MockOrgConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockOrgConfig")
            .field("port", &self.port)
            .field("bind", &self.bind)
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .field("records", &self.records)
            .field("token_ttl", &self.token_ttl)
            .field("tls", &self.tls)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("api_daily_limit", &self.api_daily_limit)
            .field("latest_api_version", &self.latest_api_version)
            .field("scenario", &self.scenario)
            .field("org_type", &self.org_type)
            .field("callback_urls", &self.callback_urls)
            .field("auto_approve", &self.auto_approve)
            .field("refresh_token_policy", &self.refresh_token_policy)
            .field("jwt_cert", &self.jwt_cert)
            .finish_non_exhaustive()
    }
}

impl Default for MockOrgConfig {
    fn default() -> Self {
        MockOrgConfig {
            port: 0,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            admin_token: None,
            records: 300,
            token_ttl: Duration::from_secs(7200),
            tls: false,
            client_id: None,
            client_secret: None,
            api_daily_limit: 15000,
            latest_api_version: 68,
            seed: 0x5f7e_4d01,
            disabled_flow_error: (
                "unsupported_grant_type".to_owned(),
                "grant type not supported".to_owned(),
            ),
            api_instance_url: false,
            count_not_modified: false,
            max_query_cursors: 10,
            latency: Duration::ZERO,
            bulk_polls_in_progress: 1,
            bulk_page_size: 50_000,
            log_requests: false,
            data: None,
            scenario: Scenario::Good,
            org_type: OrgType::Developer,
            callback_urls: vec![DEFAULT_CALLBACK_URL.to_owned()],
            loopback_any_port: false,
            auto_approve: false,
            oauth_scopes: "api refresh_token offline_access web openid id profile email".to_owned(),
            require_secret_web: false,
            require_secret_refresh: false,
            auth_code_ttl: flows::authorize::DEFAULT_CODE_TTL,
            refresh_token_policy: RefreshTokenPolicy::UntilRevoked,
            refresh_token_rotation: false,
            max_approvals: 5,
            pkce_plain: false,
            jwt_cert: None,
            jwt_my_domain_audience: false,
            jwt_max_exp: None,
            preauthorized_users: None,
            jwt_signature_and_issued_at: false,
            ingest_max_upload_bytes: 100_000_000,
        }
    }
}

/// The callback URL the main app has registered by default (the sf CLI's).
pub const DEFAULT_CALLBACK_URL: &str = "http://localhost:1717/OauthRedirect";

/// Why the mock org could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum MockOrgError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The bind address is refused as configured (see [`MockOrgConfig::bind`]).
    #[error("--bind {addr}: {why}")]
    BindRefused { addr: IpAddr, why: &'static str },
    #[error("cannot create the TLS certificate: {0}")]
    Tls(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("bad built-in asset: {0}")]
    Asset(String),
    #[error("bad data file: {0}")]
    Data(String),
    #[error("seeding failed: {0}")]
    Seed(String),
    #[error("JWT bearer certificate: {0}")]
    Jwt(String),
}

/// A running mock org. Dropping it stops its listeners.
pub struct MockOrg {
    shared: Arc<Shared>,
    instance_url: url::Url,
    login_host_url: url::Url,
    test_host_url: url::Url,
    ca_file: Option<PathBuf>,
    handles: Vec<Handle<SocketAddr>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for MockOrg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockOrg")
            .field("instance_url", &self.instance_url.as_str())
            .field("login_host_url", &self.login_host_url.as_str())
            .finish_non_exhaustive()
    }
}

/// A mock org whose listeners are bound but which serves nothing yet: its URLs and apps are
/// known, its data is not seeded. Connections made meanwhile wait in the listeners' backlog
/// until [`BoundMockOrg::start`] serves them. `sfterm demo` writes its profiles from it and
/// draws its first frame while the data is seeded.
pub struct BoundMockOrg {
    config: MockOrgConfig,
    instance: TcpListener,
    login: TcpListener,
    test: TcpListener,
    instance_url: url::Url,
    login_host_url: url::Url,
    test_host_url: url::Url,
    apps: Vec<state::App>,
    username: String,
    keys: Arc<flows::jwt::OrgKeys>,
}

impl std::fmt::Debug for BoundMockOrg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundMockOrg")
            .field("instance_url", &self.instance_url.as_str())
            .field("login_host_url", &self.login_host_url.as_str())
            .finish_non_exhaustive()
    }
}

impl BoundMockOrg {
    /// Binds the listeners on the configured address (fast: no data is seeded) and reads the
    /// JWT certificate if one is given.
    pub fn bind(config: MockOrgConfig) -> Result<BoundMockOrg, MockOrgError> {
        admin::check_bind(&config)?;
        let keys = Arc::new(flows::jwt::OrgKeys::new(config.jwt_cert.as_deref())?);
        let instance = listen::bind(config.bind, config.port)?;
        let login = listen::bind(config.bind, 0)?;
        let test = listen::bind(config.bind, 0)?;
        let scheme = if config.tls { "https" } else { "http" };
        let instance_url = listen::base_url(scheme, &instance)?;
        let login_host_url = listen::base_url(scheme, &login)?;
        let test_host_url = listen::base_url(scheme, &test)?;
        let setup = setup_org::SetupOrg::new(config.scenario);
        let apps = state::apps(&config, setup.scope);
        Ok(BoundMockOrg {
            config,
            instance,
            login,
            test,
            instance_url,
            login_host_url,
            test_host_url,
            apps,
            username: setup.username,
            keys,
        })
    }

    /// The org's My Domain base URL, as [`MockOrg::instance_url`] will be.
    pub fn instance_url(&self) -> &url::Url {
        &self.instance_url
    }

    /// The login host's base URL, as [`MockOrg::login_host_url`] will be.
    pub fn login_host_url(&self) -> &url::Url {
        &self.login_host_url
    }

    /// Consumer key of the main app.
    pub fn client_id(&self) -> &str {
        self.app_pair(0).0
    }

    /// Consumer secret of the main app.
    pub fn client_secret(&self) -> &str {
        self.app_pair(0).1
    }

    /// `(client id, secret)` of an app with no run-as user (`invalid_grant`).
    pub fn app_without_run_as_user(&self) -> (&str, &str) {
        self.app_pair(1)
    }

    fn app_pair(&self, index: usize) -> (&str, &str) {
        match self.apps.get(index) {
            Some(app) => (&app.client_id, &app.client_secret),
            None => ("", ""),
        }
    }

    /// Seeds the data (on a thread of its own: it takes seconds for 100,000 Accounts and must
    /// not hold up the async runtime; a process that exits meanwhile does not wait for it) and
    /// starts serving on the bound listeners.
    pub async fn start(self) -> Result<MockOrg, MockOrgError> {
        let BoundMockOrg {
            config,
            instance,
            login,
            test,
            instance_url,
            login_host_url,
            test_host_url,
            apps: _,
            username: _,
            keys,
        } = self;
        let login_origins: Vec<String> = [&login_host_url, &test_host_url]
            .iter()
            .map(|u| u.as_str().trim_end_matches('/').to_owned())
            .collect();
        let tls = config.tls;
        let bind_ip = config.bind;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let url = instance_url.clone();
        std::thread::Builder::new()
            .name("mock-org-seed".into())
            .spawn(move || {
                let _ = tx.send(Shared::new(config, url).map(|mut shared| {
                    shared.keys = keys;
                    shared.login_origins = login_origins;
                    shared
                }));
            })?;
        let shared = match rx.await {
            Ok(shared) => Arc::new(shared?),
            Err(_) => return Err(MockOrgError::Seed("the seeding thread stopped".into())),
        };
        let (ca_file, rustls_config) = if tls {
            let (path, config) = listen::tls(bind_ip, &instance).await?;
            (Some(path), Some(config))
        } else {
            (None, None)
        };

        let mut handles = Vec::new();
        let mut tasks = Vec::new();
        for (listener, login_host) in [(instance, false), (login, true), (test, true)] {
            let app: Router = rest::router(Listener {
                shared: shared.clone(),
                login_host,
            });
            let handle = Handle::new();
            let service = drop::MakeDropFaults::new(app, shared.clone());
            let task = match &rustls_config {
                Some(cfg) => {
                    let server = axum_server::from_tcp_rustls(listener, cfg.clone())?
                        .map(|tls| tls.acceptor(NoDelayAcceptor::new()))
                        .handle(handle.clone());
                    tokio::spawn(async move {
                        if let Err(e) = server.serve(service).await {
                            tracing::error!("mock org listener stopped: {e}");
                        }
                    })
                }
                None => {
                    let server = axum_server::from_tcp(listener)?
                        .acceptor(NoDelayAcceptor::new())
                        .handle(handle.clone());
                    tokio::spawn(async move {
                        if let Err(e) = server.serve(service).await {
                            tracing::error!("mock org listener stopped: {e}");
                        }
                    })
                }
            };
            handles.push(handle);
            tasks.push(task);
        }
        for handle in &handles {
            handle.listening().await;
        }
        Ok(MockOrg {
            shared,
            instance_url,
            login_host_url,
            test_host_url,
            ca_file,
            handles,
            tasks,
        })
    }
}

impl MockOrg {
    /// Binds the listeners, seeds the data and starts serving.
    pub async fn start(config: MockOrgConfig) -> Result<MockOrg, MockOrgError> {
        BoundMockOrg::bind(config)?.start().await
    }

    /// The org's My Domain base URL (`http://127.0.0.1:PORT/`); the token endpoint works here.
    pub fn instance_url(&self) -> &url::Url {
        &self.instance_url
    }

    /// A second listener playing `login.salesforce.com`: client credentials are refused there.
    pub fn login_host_url(&self) -> &url::Url {
        &self.login_host_url
    }

    /// Consumer key of the main (fully working) app.
    pub fn client_id(&self) -> &str {
        &self.shared.apps[0].client_id
    }

    /// Consumer secret of the main app.
    pub fn client_secret(&self) -> &str {
        &self.shared.apps[0].client_secret
    }

    /// PEM file of the self-signed certificate (only with `tls`).
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// `(client id, secret)` of an app with no run-as user (`invalid_grant`).
    pub fn app_without_run_as_user(&self) -> (&str, &str) {
        self.shared.app_pair(1)
    }

    /// `(client id, secret)` of an app whose tokens lack the `api` scope: data APIs answer 401.
    pub fn app_without_api_scope(&self) -> (&str, &str) {
        self.shared.app_pair(2)
    }

    /// `(client id, secret)` of an app with the client-credentials flow disabled.
    pub fn app_without_client_credentials(&self) -> (&str, &str) {
        self.shared.app_pair(3)
    }

    /// The Id of the first live record of an sObject (`Account`, ...), if it has any: the seed
    /// is deterministic, so the demo offers requests on a real record.
    pub fn first_record_id(&self, object: &str) -> Option<String> {
        let inner = self.shared.lock();
        let table = inner.store.get(object)?;
        table.iter().find(|r| !r.is_deleted()).map(|r| r.id())
    }

    /// The Id of the Account of the first live Contact: a customer that has contacts, so the
    /// demo's "get customer" requests show some.
    pub fn first_account_with_contacts(&self) -> Option<String> {
        let inner = self.shared.lock();
        let contacts = inner.store.get("Contact")?;
        contacts
            .iter()
            .filter(|r| !r.is_deleted())
            .find_map(|r| r.get("AccountId")?.as_str().map(str::to_owned))
    }

    /// Stops the listeners and waits for them to finish.
    pub async fn shutdown(mut self) {
        for handle in &self.handles {
            handle.graceful_shutdown(Some(Duration::from_secs(1)));
        }
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for MockOrg {
    fn drop(&mut self) {
        for handle in &self.handles {
            handle.shutdown();
        }
        if let Some(path) = &self.ca_file {
            let _ = std::fs::remove_file(path);
        }
    }
}
