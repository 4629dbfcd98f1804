//! End to end in process: the real runtime and client, a `TestBackend`, keys from a channel, and
//! the mock org over HTTP on 127.0.0.1.
use crate::common;

use std::time::Duration;

use common::live::{LiveApp, LiveOptions, Observed};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::state::Model;
use sfterm::state::token::Phase;

/// A mock org with the default seed on a free port.
async fn start_org() -> MockOrg {
    MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org")
}

/// What the observer reports after each frame.
#[derive(Clone, Default)]
struct Frame {
    screen: String,
    phase: Option<Phase>,
    renewed_by: Option<String>,
    usage: Option<u64>,
    /// No job in flight (the Records list loads on connect; a revoke must not race it).
    idle: bool,
}

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        Frame {
            screen,
            phase: Some(model.token.phase(model.now)),
            renewed_by: model
                .token
                .last_renewal()
                .map(|(_, reason)| format!("{reason:?}")),
            usage: model.token.usage.map(|u| u.used),
            idle: model.inflight.is_empty(),
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }
}

type App = LiveApp<Frame>;

/// The app connected-to-be against `org` with both profiles (instance and login host).
async fn start_app(org: &MockOrg, secret: &str) -> App {
    LiveApp::start(
        org,
        LiveOptions {
            secret: Some(secret),
            login_host_profile: true,
            ..LiveOptions::default()
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_shows_a_live_countdown_and_api_usage() {
    let org = start_org().await;
    let mut app = start_app(&org, org.client_secret()).await;
    app.press("enter");
    let frame = app
        .wait_for("an active token with a known expiry", |f| {
            f.phase == Some(Phase::Active) && f.screen.contains("(1h 59m") && f.usage.is_some()
        })
        .await;
    assert!(frame.screen.contains("integration@"), "{}", frame.screen);
    assert!(
        !frame.screen.contains(org.client_secret()),
        "the secret is never shown"
    );
    let first = frame.screen.clone();
    app.wait_for("the countdown to tick", |f| {
        f.screen != first && f.screen.contains("(1h 59m")
    })
    .await;
    let model = app.quit().await;
    assert!(model.token.session.is_some());
    org.shutdown().await;
}

/// `api_version = "auto"` is documented and valid: the TUI connects with it as the CLI does
/// (it used to build the client itself and said "The pinned API version is not valid").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_with_api_version_auto_connects() {
    let org = start_org().await;
    let mut profile = common::profile("Auto", org.instance_url().as_str().trim_end_matches('/'));
    profile.client_id = org.client_id().into();
    profile.secret = sfterm::config::SecretSource::Plain {
        value: org.client_secret().to_owned().into(),
    };
    profile.api_version = Some("auto".into());
    let mut app = App::start_with(vec![profile], LiveOptions::default());
    app.press("enter");
    let frame = app
        .wait_for("connected or failed", |f| {
            matches!(f.phase, Some(Phase::Active | Phase::Error))
        })
        .await;
    assert_eq!(frame.phase, Some(Phase::Active), "{}", frame.screen);
    app.quit().await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_host_profile_gets_the_wrong_domain_diagnosis() {
    let org = start_org().await;
    let mut app = start_app(&org, org.client_secret()).await;
    app.press("j enter");
    let frame = app
        .wait_for("the diagnosis", |f| f.phase == Some(Phase::Error))
        .await;
    assert!(frame.screen.contains("My Domain"), "{}", frame.screen);
    assert!(
        !frame.screen.contains("{\"error\""),
        "no raw JSON: {}",
        frame.screen
    );
    app.quit().await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renews_before_expiry_without_a_keypress() {
    // An 8 s idle timeout: renewal at three quarters of the lifetime, after about 6 s.
    let config = MockOrgConfig {
        port: 0,
        token_ttl: Duration::from_secs(8),
        ..MockOrgConfig::default()
    };
    let org = MockOrg::start(config).await.expect("mock org");
    let mut app = start_app(&org, org.client_secret()).await;
    app.press("enter");
    let frame = app
        .wait_for("an automatic renewal", |f| {
            f.renewed_by.as_deref() == Some("BeforeExpiry")
        })
        .await;
    assert!(frame.screen.contains("before expiry"), "{}", frame.screen);
    app.quit().await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_then_renew_by_key() {
    let org = start_org().await;
    let mut app = start_app(&org, org.client_secret()).await;
    app.press("enter");
    app.wait_for("active", |f| {
        f.phase == Some(Phase::Active) && f.screen.contains("(1h 59m") && f.idle
    })
    .await;
    app.press("tab R y");
    app.wait_for("revoked", |f| f.phase == Some(Phase::Revoked))
        .await;
    app.press("r");
    let frame = app
        .wait_for("a new token", |f| f.renewed_by.as_deref() == Some("Manual"))
        .await;
    assert!(frame.screen.contains("by you"), "{}", frame.screen);
    app.quit().await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_is_diagnosed() {
    let org = start_org().await;
    let mut app = start_app(&org, "wrong-secret").await;
    app.press("enter");
    let frame = app
        .wait_for("the diagnosis", |f| f.phase == Some(Phase::Error))
        .await;
    assert!(
        frame.screen.to_lowercase().contains("secret"),
        "{}",
        frame.screen
    );
    assert!(
        !frame.screen.contains("wrong-secret"),
        "a typed secret is never echoed"
    );
    app.quit().await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_revoke_the_next_api_call_renews_once_and_succeeds() {
    let org = start_org().await;
    let mut app = start_app(&org, org.client_secret()).await;
    app.press("enter");
    let first = app
        .wait_for("active with a known expiry and API usage", |f| {
            f.phase == Some(Phase::Active)
                && f.screen.contains("(1h 59m")
                && f.usage.is_some()
                && f.idle
        })
        .await;
    app.press("tab R y");
    app.wait_for("revoked", |f| f.phase == Some(Phase::Revoked))
        .await;
    app.press("u");
    let frame = app
        .wait_for("a renewal after INVALID_SESSION_ID", |f| {
            f.renewed_by.as_deref() == Some("InvalidSession") && f.screen.contains("API call OK")
        })
        .await;
    assert!(
        frame.screen.contains("after INVALID_SESSION_ID"),
        "{}",
        frame.screen
    );
    let frame = app
        .wait_for("the usage figure to rise", |f| f.usage > first.usage)
        .await;
    assert_eq!(frame.phase, Some(Phase::Active));
    app.quit().await;
    org.shutdown().await;
}
