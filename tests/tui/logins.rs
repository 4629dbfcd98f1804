//! Every login flow end to end in process: the real runtime and client against the mock org on
//! 127.0.0.1, the browser played by an HTTP client that follows the login page's redirects.
use crate::common;

use std::path::Path;
use std::sync::Arc;

use common::live::{LiveApp, LiveOptions, Observed, Prepared};
use secrecy::ExposeSecret;
use sfterm::config::profiles::{Flow, Profile, SecretSource};
use sfterm::login::TokenStore;
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::sf::oauth::web::redirect_uri_for_port;
use sfterm::state::Model;
use sfterm::state::token::Phase;

#[derive(Clone, Default)]
struct Frame {
    screen: String,
    phase: Option<Phase>,
    waiting_for_browser: bool,
    login_url: Option<String>,
    note: Option<String>,
    idle: bool,
}

impl Observed for Frame {
    fn observe(model: &Model, screen: String) -> Self {
        Frame {
            screen,
            phase: Some(model.token.phase(model.now)),
            waiting_for_browser: model.token.browser.is_some(),
            login_url: model.token.browser.as_ref().map(|b| b.url.clone()),
            note: model.token.note.clone(),
            idle: model.inflight.is_empty(),
        }
    }

    fn screen(&self) -> &str {
        &self.screen
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A mock org whose app has the callback on `port`; approving at once unless `approval_page`.
async fn web_org(port: u16, approval_page: bool) -> MockOrg {
    MockOrg::start(MockOrgConfig {
        callback_urls: vec![redirect_uri_for_port(port)],
        auto_approve: !approval_page,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org")
}

fn web_profile(org: &MockOrg, port: u16) -> Profile {
    let mut p = common::profile(
        "Browser",
        org.login_host_url().as_str().trim_end_matches('/'),
    );
    p.client_id = org.client_id().into();
    p.secret = SecretSource::None;
    p.flow = Flow::Web {
        callback_port: Some(port),
    };
    p
}

/// A browser that follows the login page's redirects back to the loopback listener.
fn following_browser(opened: Arc<std::sync::Mutex<Vec<String>>>) -> sfterm::opener::Opener {
    Box::new(move |url: &str| {
        opened.lock().expect("lock").push(url.to_owned());
        let url = url.to_owned();
        tokio::spawn(async move {
            let _ = reqwest::get(url).await;
        });
        Ok(())
    })
}

fn store(dir: &Path) -> TokenStore {
    TokenStore::file(dir, "test")
}

/// Polls the store in `dir` until "Browser" has no refresh token (the app writes it in the
/// background); fails naming `what` after 10 s.
async fn wait_until_forgotten(dir: &Path, what: &str) {
    let gone = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while store(dir).get("Browser").expect("store").is_some() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(gone.is_ok(), "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_login_connects_keeps_the_refresh_token_and_a_revoke_asks_to_log_in_again() {
    let port = free_port();
    let org = web_org(port, false).await;
    let dir = tempfile::tempdir().expect("dir");
    let opened = Arc::default();
    let mut prepared = Prepared::<Frame>::with_profiles(
        vec![web_profile(&org, port)],
        LiveOptions {
            config_dir: Some(dir.path()),
            ..LiveOptions::default()
        },
    );
    prepared
        .runtime
        .set_opener(following_browser(Arc::clone(&opened)));
    let mut app: LiveApp<Frame> = prepared.run();
    app.press("enter");
    let frame = app
        .wait_for("a session from the browser login", |f| {
            f.phase == Some(Phase::Active) && f.screen.contains("held in") && f.idle
        })
        .await;
    assert!(frame.screen.contains("browser login"), "{}", frame.screen);
    assert!(
        frame.screen.contains("by refresh token"),
        "{}",
        frame.screen
    );
    let urls = opened.lock().expect("lock").clone();
    assert_eq!(urls.len(), 1, "the login page opened once: {urls:?}");
    assert!(
        urls[0].contains("code_challenge_method=S256"),
        "{}",
        urls[0]
    );
    let kept = store(dir.path())
        .get("Browser")
        .expect("store")
        .expect("the refresh token is kept");
    assert!(
        !frame.screen.contains(kept.expose_secret()),
        "the refresh token is never shown"
    );
    assert_eq!(org.refresh_token_count(), 1);

    // R revokes the refresh token too: the next API call cannot renew and asks for a login.
    app.press("tab R y");
    app.wait_for("revoked", |f| f.phase == Some(Phase::Revoked) && f.idle)
        .await;
    assert_eq!(org.refresh_token_count(), 0, "revoked on the org");
    app.press("u");
    let frame = app
        .wait_for("the API call to ask for a new login", |f| {
            f.note
                .as_deref()
                .is_some_and(|n| n.contains("log in in the browser again"))
        })
        .await;
    assert!(frame.screen.contains("Log in again"), "{}", frame.screen);
    wait_until_forgotten(
        dir.path(),
        "the stored refresh token is deleted after the revoke",
    )
    .await;

    // Enter on the profile logs in in the browser again.
    app.press("shift-tab enter");
    app.wait_for("a new session", |f| {
        f.phase == Some(Phase::Active) && f.screen.contains("held in") && f.idle
    })
    .await;
    assert_eq!(opened.lock().expect("lock").len(), 2);
    assert!(store(dir.path()).get("Browser").expect("store").is_some());

    // Deleting the profile deletes its stored refresh token.
    app.press("d y");
    wait_until_forgotten(dir.path(), "the deleted profile's refresh token is deleted").await;
    app.quit().await;
    org.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_browser_the_login_page_is_shown_and_the_pasted_redirect_completes_it() {
    let port = free_port();
    let org = web_org(port, false).await;
    let mut prepared =
        Prepared::<Frame>::with_profiles(vec![web_profile(&org, port)], LiveOptions::default());
    prepared.runtime.set_opener(Box::new(|_| {
        Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no opener (xdg-open/open)",
        ))
    }));
    let mut app: LiveApp<Frame> = prepared.run();
    app.press("enter");
    let frame = app
        .wait_for("the login page's address", |f| f.waiting_for_browser)
        .await;
    assert!(
        frame.screen.contains("No browser opened"),
        "{}",
        frame.screen
    );
    // The user opens the address elsewhere; the browser there cannot reach this machine's
    // listener, so they paste the address it ended on.
    let url = frame.login_url.expect("the address");
    assert!(
        frame.screen.contains(&url[..40]),
        "the address is shown: {}",
        frame.screen
    );
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let answer = client.get(&url).send().await.expect("login page");
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a redirect to the callback")
        .to_owned();
    app.paste("http://localhost:1/OauthRedirect?code=forged&state=wrong");
    app.wait_for("the forged address refused", |f| {
        f.screen.contains("Pasted address refused")
    })
    .await;
    app.paste(&location);
    app.wait_for("a session from the pasted redirect", |f| {
        f.phase == Some(Phase::Active) && f.screen.contains("held in")
    })
    .await;
    app.quit().await;
    org.shutdown().await;
}
