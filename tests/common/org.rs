//! A running mock org with a plain HTTP client and an access token from the client credentials
//! flow, for tests of the mock org's wire format (no sfterm client in between).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use secrecy::SecretString;
use serde_json::Value;
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::sf::{Clock, ConnectionConfig, RenewReason, SfClient};

pub struct OrgFixture {
    pub org: MockOrg,
    pub client: reqwest::Client,
    pub token: String,
}

/// Starts a mock org with `records` accounts and gets a token (client credentials, HTTP Basic).
pub async fn start_with_token(records: usize) -> OrgFixture {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig {
        records,
        ..Default::default()
    })
    .await
    .expect("start");
    let client = reqwest::Client::new();
    let token = token_for(&org, &client).await;
    OrgFixture { org, client, token }
}

/// An access token for `org` by the client credentials flow (HTTP Basic), fetched with `client`.
pub async fn token_for(org: &MockOrg, client: &reqwest::Client) -> String {
    let body: Value = client
        .post(
            org.instance_url()
                .join("services/oauth2/token")
                .expect("url"),
        )
        .basic_auth(org.client_id(), Some(org.client_secret()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    body["access_token"].as_str().expect("token").to_owned()
}

/// The connection settings of `org`'s main app for `SfClient` (its CA trusted when it serves
/// https; a generous timeout for a loaded CI machine).
pub fn connection(org: &MockOrg) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(
        org.instance_url().clone(),
        org.client_id(),
        SecretString::from(org.client_secret().to_owned()),
    );
    c.ca_file = org.ca_file().map(|p| p.to_path_buf());
    c.timeout = Duration::from_secs(30);
    c
}

/// An `SfClient` for `org`'s main app, logged in.
pub async fn logged_in_client(org: &MockOrg) -> SfClient {
    let client = SfClient::new(connection(org)).expect("client");
    client.login(RenewReason::Initial).await.expect("login");
    client
}

/// The client's clock in tests: time moves only by the client's own waits (the retry policy's
/// backoff and `Retry-After`), which pass at once and are recorded, so a test proves how long
/// the client waited without waiting.
pub struct WaitRecorder {
    start: Instant,
    waits: Mutex<Vec<Duration>>,
}

impl Default for WaitRecorder {
    fn default() -> Self {
        WaitRecorder {
            start: Instant::now(),
            waits: Mutex::new(Vec::new()),
        }
    }
}

impl WaitRecorder {
    /// Every wait so far, in order.
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().expect("lock").clone()
    }
}

impl Clock for WaitRecorder {
    fn now(&self) -> Instant {
        self.start + self.waits().iter().sum::<Duration>()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.waits.lock().expect("lock").push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// An `SfClient` with `config` whose waits between tries are recorded, not waited; logged in.
pub async fn recorded_client(config: ConnectionConfig) -> (SfClient, Arc<WaitRecorder>) {
    let clock = Arc::new(WaitRecorder::default());
    let client = SfClient::with_clock(config, clock.clone()).expect("client");
    client.login(RenewReason::Initial).await.expect("login");
    (client, clock)
}
