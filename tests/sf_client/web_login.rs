//! The browser login (web server flow with PKCE): the challenge, the authorize URL, the
//! loopback listener (state, denial, timeout, port taken), the pasted redirect, and the code
//! exchange against the fake in oauth_fake.rs.
#![cfg(feature = "mock-org")]

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use sfterm::sf::oauth::web::{
    DEFAULT_PORT, LoopbackListener, Pkce, WebLogin, WebLoginOptions, code_challenge,
    parse_redirect, redirect_uri_for_port,
};
use sfterm::sf::{ApiError, BrowserLoginError, ConnectionConfig, GrantKind, RenewReason, SfClient};
use url::Url;

use super::oauth_fake::{self, CLIENT_ID, browser};

/// RFC 7636 Appendix B.
const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

fn config(url: &Url, secret: Option<&str>) -> ConnectionConfig {
    let mut c = ConnectionConfig::refresh_token(
        url.clone(),
        CLIENT_ID,
        secret.map(|s| SecretString::from(s.to_string())),
        None,
    );
    c.timeout = Duration::from_secs(5);
    c
}

fn login_url() -> Url {
    Url::parse("https://login.salesforce.com").expect("url")
}

fn broken(e: &ApiError) -> &BrowserLoginError {
    match e {
        ApiError::BrowserLogin(b) => b,
        other => panic!("not a browser login error: {other:?}"),
    }
}

#[test]
fn pkce_challenge_matches_rfc_7636() {
    assert_eq!(code_challenge(RFC_VERIFIER), RFC_CHALLENGE);
    let pkce = Pkce::from_verifier(SecretString::from(RFC_VERIFIER)).expect("valid verifier");
    assert_eq!(pkce.challenge(), RFC_CHALLENGE);
    assert!(!format!("{pkce:?}").contains(RFC_VERIFIER));
    let fresh = Pkce::generate().expect("pkce");
    let v = fresh.verifier().expose_secret();
    assert!((43..=128).contains(&v.len()), "{}", v.len());
    assert!(
        v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    );
}

#[test]
fn authorize_url_carries_every_parameter() {
    let c = ConnectionConfig::refresh_token(login_url(), "3MVG9key", None, None);
    let options = WebLoginOptions {
        prompt: Some("login".into()),
        login_hint: Some("ops@acme.com".into()),
        ..WebLoginOptions::default()
    };
    let pkce = Pkce::from_verifier(SecretString::from(RFC_VERIFIER)).expect("pkce");
    let login = WebLogin::with_secrets(&c, &options, "st4te".into(), pkce).expect("login");
    let url = login.authorize_url();
    assert_eq!(
        url.as_str().split('?').next(),
        Some("https://login.salesforce.com/services/oauth2/authorize")
    );
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "3MVG9key");
    assert_eq!(q["redirect_uri"], "http://localhost:1717/OauthRedirect");
    assert_eq!(q["scope"], "api refresh_token");
    assert_eq!(q["state"], "st4te");
    assert_eq!(q["code_challenge"], RFC_CHALLENGE);
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["prompt"], "login");
    assert_eq!(q["login_hint"], "ops@acme.com");
    assert_eq!(q.len(), 9);
    // Spaces as %20, the redirect URI percent-encoded.
    let raw = url.query().expect("query");
    assert!(raw.contains("scope=api%20refresh_token"), "{raw}");
    assert!(
        raw.contains("redirect_uri=http%3A%2F%2Flocalhost%3A1717%2FOauthRedirect"),
        "{raw}"
    );
    assert_eq!(login.redirect_port(), Some(DEFAULT_PORT));
    assert_eq!(login.redirect_uri(), redirect_uri_for_port(1717));
    // The verifier never appears in the URL or in Debug.
    assert!(!url.as_str().contains(RFC_VERIFIER));
    let dbg = format!("{login:?}");
    assert!(
        !dbg.contains(RFC_VERIFIER) && !dbg.contains("st4te"),
        "{dbg}"
    );
}

#[test]
fn each_login_has_its_own_random_state_and_verifier() {
    let c = ConnectionConfig::refresh_token(login_url(), "k", None, None);
    let a = WebLogin::new(&c, &WebLoginOptions::default()).expect("a");
    let b = WebLogin::new(&c, &WebLoginOptions::default()).expect("b");
    assert_ne!(a.state(), b.state());
    assert!(a.state().len() >= 22, "128 bits: {}", a.state());
    let challenge = |l: &WebLogin| {
        l.authorize_url()
            .query_pairs()
            .find(|(k, _)| k == "code_challenge")
            .map(|(_, v)| v.into_owned())
    };
    assert_ne!(challenge(&a), challenge(&b));
    // No scope parameter when none is asked for (the app's scopes apply).
    let mut options = WebLoginOptions::for_port(1818);
    options.scopes.clear();
    let c2 = WebLogin::new(&c, &options).expect("c");
    assert!(!c2.authorize_url().query_pairs().any(|(k, _)| k == "scope"));
    assert_eq!(c2.redirect_port(), Some(1818));
}

#[test]
fn pasted_redirects_are_parsed() {
    let r =
        parse_redirect("  'http://localhost:1717/OauthRedirect?code=aPrx%3D%3D&state=Xq3-_'  \n")
            .expect("url");
    assert_eq!(
        r.code
            .as_ref()
            .map(|c| c.secret().expose_secret().to_string()),
        Some("aPrx==".to_string())
    );
    assert_eq!(r.state.as_deref(), Some("Xq3-_"));
    assert!(!format!("{r:?}").contains("aPrx"));
    let r = parse_redirect("?code=abc&state=s").expect("query only");
    assert!(r.code.is_some());
    let r = parse_redirect("code=abc&state=s").expect("bare query");
    assert_eq!(r.state.as_deref(), Some("s"));
    let r = parse_redirect(
        "http://localhost:1717/OauthRedirect?error=access_denied&error_description=end-user+denied+authorization&state=s",
    )
    .expect("error");
    assert_eq!(r.error.as_deref(), Some("access_denied"));
    assert_eq!(
        r.error_description.as_deref(),
        Some("end-user denied authorization")
    );
    for bad in [
        "",
        "   ",
        "hello",
        "http://localhost:1717/OauthRedirect",
        "?state=s",
    ] {
        let e = parse_redirect(bad).expect_err(bad);
        assert!(
            matches!(broken(&e), BrowserLoginError::NotARedirect(_)),
            "{bad:?}: {e:?}"
        );
        assert_eq!(e.diagnosis().title, "Not a login address");
    }
}

#[test]
fn a_pasted_redirect_checks_state_and_is_used_once() {
    let c = ConnectionConfig::refresh_token(login_url(), "k", None, None);
    let login = WebLogin::new(&c, &WebLoginOptions::default()).expect("login");
    let e = login
        .accept_redirect("http://localhost:1717/OauthRedirect?code=c1&state=forged")
        .expect_err("wrong state");
    assert_eq!(broken(&e), &BrowserLoginError::StateMismatch);
    let e = login
        .accept_redirect("http://localhost:1717/OauthRedirect?code=c1")
        .expect_err("no state");
    assert_eq!(broken(&e), &BrowserLoginError::StateMismatch);
    assert!(!login.is_finished(), "a mismatch does not use the login up");
    let good = format!(
        "http://localhost:1717/OauthRedirect?code=c1&state={}",
        login.state()
    );
    let code = login.accept_redirect(&good).expect("right state");
    assert_eq!(code.secret().expose_secret(), "c1");
    let e = login.accept_redirect(&good).expect_err("single use");
    assert_eq!(broken(&e), &BrowserLoginError::AlreadyUsed);
}

#[test]
fn a_pasted_denial_ends_the_login_with_access_denied() {
    let c = ConnectionConfig::refresh_token(login_url(), "k", None, None);
    let login = WebLogin::new(&c, &WebLoginOptions::default()).expect("login");
    let e = login
        .accept_redirect(&format!(
            "?error=access_denied&error_description=end-user%20denied%20authorization&state={}",
            login.state()
        ))
        .expect_err("denied");
    assert_eq!(e.error_code(), Some("access_denied"));
    assert_eq!(e.diagnosis().title, "Browser login cancelled");
    assert!(login.is_finished());
}

/// A listener on a free port and a login whose redirect URI points at it.
async fn listening_login(url: &Url) -> (Arc<WebLogin>, LoopbackListener) {
    let listener = LoopbackListener::bind(0).await.expect("bind");
    let options = WebLoginOptions {
        redirect_uri: format!("http://127.0.0.1:{}/OauthRedirect", listener.port()),
        ..WebLoginOptions::default()
    };
    let login = WebLogin::new(&config(url, None), &options).expect("login");
    (Arc::new(login), listener)
}

fn redirect_to(login: &WebLogin, query: &str) -> String {
    format!("{}?{query}", login.redirect_uri())
}

#[tokio::test]
async fn loopback_refuses_a_wrong_state_then_takes_the_right_one() {
    let url = Url::parse("https://login.salesforce.com").expect("url");
    let (login, listener) = listening_login(&url).await;
    let waiting = {
        let login = login.clone();
        tokio::spawn(async move {
            login
                .wait_for_redirect(listener, Duration::from_secs(10))
                .await
        })
    };
    let b = browser();
    let resp = b
        .get(redirect_to(&login, "code=stolen&state=forged"))
        .send()
        .await
        .expect("mismatch answered");
    assert_eq!(resp.status().as_u16(), 400);
    assert!(resp.text().await.expect("page").contains("another login"));
    let other = b
        .get(
            login
                .redirect_uri()
                .replace("/OauthRedirect", "/favicon.ico"),
        )
        .send()
        .await
        .expect("other path");
    assert_eq!(other.status().as_u16(), 404);
    let post = b
        .post(redirect_to(&login, "code=x"))
        .send()
        .await
        .expect("post");
    assert_eq!(post.status().as_u16(), 405);
    assert!(!waiting.is_finished(), "still waiting after refusals");
    let resp = b
        .get(redirect_to(
            &login,
            &format!("code=aPrx%3D%3D&state={}", login.state()),
        ))
        .send()
        .await
        .expect("success answered");
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/html; charset=utf-8")
    );
    let page = resp.text().await.expect("page");
    assert!(page.contains("return to the terminal"), "{page}");
    assert!(!page.contains("aPrx"), "the page does not echo the code");
    let code = waiting.await.expect("join").expect("code");
    assert_eq!(code.secret().expose_secret(), "aPrx==");
    // Single use: the listener is closed, and the login takes no second code.
    assert!(
        b.get(redirect_to(&login, "code=again"))
            .send()
            .await
            .is_err(),
        "listener closed"
    );
    let e = login
        .accept_redirect(&redirect_to(
            &login,
            &format!("code=again&state={}", login.state()),
        ))
        .expect_err("used");
    assert_eq!(broken(&e), &BrowserLoginError::AlreadyUsed);
}

#[tokio::test]
async fn loopback_serves_an_error_page_for_access_denied() {
    let url = Url::parse("https://login.salesforce.com").expect("url");
    let (login, listener) = listening_login(&url).await;
    let waiting = {
        let login = login.clone();
        tokio::spawn(async move {
            login
                .wait_for_redirect(listener, Duration::from_secs(10))
                .await
        })
    };
    let resp = browser()
        .get(redirect_to(
            &login,
            &format!(
                "error=access_denied&error_description=end-user+denied+authorization&state={}",
                login.state()
            ),
        ))
        .send()
        .await
        .expect("answered");
    let page = resp.text().await.expect("page");
    assert!(page.contains("cancelled"), "{page}");
    assert!(page.contains("Return to the terminal"), "{page}");
    let e = waiting.await.expect("join").expect_err("denied");
    assert_eq!(e.error_code(), Some("access_denied"));
    let d = e.diagnosis();
    assert_eq!(d.title, "Browser login cancelled");
    assert!(d.fix.contains("Allow"), "{d:?}");
}

#[tokio::test]
async fn loopback_escapes_what_the_redirect_says() {
    let url = Url::parse("https://login.salesforce.com").expect("url");
    let (login, listener) = listening_login(&url).await;
    let waiting = {
        let login = login.clone();
        tokio::spawn(async move {
            login
                .wait_for_redirect(listener, Duration::from_secs(10))
                .await
        })
    };
    let page = browser()
        .get(redirect_to(
            &login,
            &format!(
                "error=redirect_uri_mismatch&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state={}",
                login.state()
            ),
        ))
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("page");
    assert!(!page.contains("<script>"), "{page}");
    assert!(page.contains("&lt;script&gt;"), "{page}");
    let e = waiting.await.expect("join").expect_err("refused");
    assert_eq!(e.diagnosis().title, "Callback URL not registered");
}

#[tokio::test]
async fn loopback_times_out() {
    let url = Url::parse("https://login.salesforce.com").expect("url");
    let (login, listener) = listening_login(&url).await;
    let e = login
        .wait_for_redirect(listener, Duration::from_millis(150))
        .await
        .expect_err("nobody came");
    assert_eq!(
        broken(&e),
        &BrowserLoginError::TimedOut {
            after: Duration::from_millis(150)
        }
    );
    assert_eq!(e.diagnosis().title, "Browser login timed out");
    assert!(e.diagnosis().fix.contains("paste"));
    // After only a forged answer, the timeout says so.
    let (login, listener) = listening_login(&url).await;
    let port = listener.port();
    let waiting = {
        let login = login.clone();
        tokio::spawn(async move {
            login
                .wait_for_redirect(listener, Duration::from_millis(1500))
                .await
        })
    };
    let resp = browser()
        .get(format!(
            "http://127.0.0.1:{port}/OauthRedirect?code=x&state=forged"
        ))
        .send()
        .await
        .expect("answered");
    assert_eq!(resp.status().as_u16(), 400);
    let e = waiting.await.expect("join").expect_err("timed out");
    assert_eq!(broken(&e), &BrowserLoginError::StateMismatch);
    assert_eq!(e.diagnosis().title, "Login from another attempt");
}

#[tokio::test]
async fn a_taken_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let e = LoopbackListener::bind(port).await.expect_err("taken");
    assert_eq!(broken(&e), &BrowserLoginError::PortInUse { port });
    let d = e.diagnosis();
    assert_eq!(d.title, "Login port in use");
    assert!(d.meaning.contains(&format!("127.0.0.1:{port}")), "{d:?}");
    assert!(d.fix.contains("Callback URL"), "{d:?}");
}

/// The whole flow against the fake: authorize redirect, loopback, code exchange; then the
/// refresh token renews after a 401.
#[tokio::test]
async fn code_exchange_sends_verifier_and_redirect_and_keeps_the_refresh_token() {
    let (fake, url) = oauth_fake::start().await;
    let client = SfClient::new(config(&url, None)).expect("client");
    let mut refresh_watch = client.refresh_token_watch();
    let (login, listener) = listening_login(&url).await;
    let waiting = {
        let login = login.clone();
        tokio::spawn(async move {
            login
                .wait_for_redirect(listener, Duration::from_secs(10))
                .await
        })
    };
    // The "browser": the authorize page redirects to the loopback listener.
    let b = browser();
    let resp = b
        .get(login.authorize_url().clone())
        .send()
        .await
        .expect("authorize");
    assert_eq!(resp.status().as_u16(), 303);
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string();
    assert!(location.starts_with(login.redirect_uri()), "{location}");
    b.get(&location).send().await.expect("redirect followed");
    let code = waiting.await.expect("join").expect("code");

    let exchange = client.exchange_code(&login, &code).await.expect("exchange");
    let requests = fake.requests("authorization_code");
    assert_eq!(requests.len(), 1);
    let form = &requests[0].form;
    let mut keys: Vec<&str> = form.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "client_id",
            "code",
            "code_verifier",
            "grant_type",
            "redirect_uri"
        ],
        "no client_secret for a PKCE app"
    );
    assert_eq!(form["client_id"], CLIENT_ID);
    assert_eq!(form["redirect_uri"], login.redirect_uri());
    assert_eq!(form["code"], code.secret().expose_secret());
    let challenge = login
        .authorize_url()
        .query_pairs()
        .find(|(k, _)| k == "code_challenge")
        .map(|(_, v)| v.into_owned())
        .expect("challenge");
    assert_eq!(code_challenge(&form["code_verifier"]), challenge);

    // The token is installed; the refresh token held, published, and hidden from Debug.
    let refresh = exchange.refresh_token.clone().expect("refresh token");
    assert!(refresh.expose_secret().starts_with("5Aep861refresh"));
    let dbg = format!("{exchange:?} {client:?} {:?}", client.config());
    assert!(!dbg.contains(refresh.expose_secret()), "{dbg}");
    assert!(!dbg.contains("00DDn00000Org01!fake"), "{dbg}");
    assert_eq!(
        client
            .refresh_token()
            .map(|r| r.expose_secret().to_string()),
        Some(refresh.expose_secret().to_string())
    );
    assert!(refresh_watch.has_changed().expect("open"));
    assert!(refresh_watch.borrow_and_update().is_some());
    assert_eq!(client.token().expect("token").reason, RenewReason::Initial);
    client.versions().await.expect("token works");

    // Later the access token expires: one renewal with the refresh token.
    fake.expire_access_tokens();
    client.versions().await.expect("renewed");
    let renewals = fake.requests("refresh_token");
    assert_eq!(renewals.len(), 1);
    assert_eq!(
        renewals[0].form["refresh_token"],
        refresh.expose_secret(),
        "renewed with the code exchange's refresh token"
    );
    assert!(!renewals[0].form.contains_key("client_secret"));

    // The code was used: a second exchange is refused and diagnosed.
    let e = client
        .exchange_code(&login, &code)
        .await
        .expect_err("reused code");
    assert!(
        matches!(
            &e,
            ApiError::OAuth {
                grant: Some(GrantKind::AuthorizationCode),
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.diagnosis().title, "Login code expired or already used");
    let said = format!("{e} {e:?} {:?}", e.diagnosis());
    assert!(!said.contains(code.secret().expose_secret()), "{said}");
    assert!(!said.contains(&form["code_verifier"]), "{said}");
}

#[tokio::test]
async fn code_exchange_with_a_secret_and_a_wrong_verifier() {
    let (fake, url) = oauth_fake::start().await;
    *fake.secret.lock().expect("lock") = Some("web-secret".into());
    let client = SfClient::new(config(&url, Some("web-secret"))).expect("client");
    let c = config(&url, Some("web-secret"));
    let options = WebLoginOptions::for_port(1717);
    let login = WebLogin::new(&c, &options).expect("login");
    // The fake hands out a code for this login's challenge.
    let resp = browser()
        .get(login.authorize_url().clone())
        .send()
        .await
        .expect("authorize");
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string();
    let code = login.accept_redirect(&location).expect("pasted");
    // Another login's verifier does not match the challenge.
    let other = WebLogin::new(&c, &options).expect("other login");
    let e = client
        .exchange_code(&other, &code)
        .await
        .expect_err("verifier mismatch");
    assert_eq!(e.error_code(), Some("invalid_request"));
    assert_eq!(e.diagnosis().title, "Login check (PKCE) failed");
    let sent = fake.requests("authorization_code");
    assert_eq!(sent[0].form["client_secret"], "web-secret");
}
