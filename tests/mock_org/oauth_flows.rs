//! The login flows besides client credentials, over real HTTP on 127.0.0.1 with reqwest standing
//! in for the browser (`auth-flows.md` §1–§3, §6): the approval page (Allow, Deny), the code
//! exchange with PKCE, single-use and expiring codes, refresh tokens and their policies,
//! revocation, the JWT bearer flow, and the login/test hosts.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use sfterm::mock_org::cli::{FlowArgs, MockOrgArgs, run_with};
use sfterm::mock_org::{MockOrg, MockOrgConfig, RefreshTokenPolicy};
use sha2::{Digest, Sha256};

const CALLBACK: &str = "http://localhost:1717/OauthRedirect";
const LOGIN: &str = "https://login.salesforce.com";

/// A client that does not follow redirects: the test reads `Location` as the browser would.
fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn org(config: MockOrgConfig) -> MockOrg {
    MockOrg::start(MockOrgConfig {
        records: 5,
        ..config
    })
    .await
    .expect("mock org starts")
}

/// A PKCE verifier and its S256 challenge (RFC 7636 §4.1–4.2).
struct Pkce {
    verifier: String,
    challenge: String,
}

fn pkce() -> Pkce {
    let bytes: [u8; 32] = rand::random();
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

/// `{base}services/oauth2/authorize?...` with `params`.
fn authorize_url(base: &url::Url, params: &[(&str, &str)]) -> url::Url {
    let mut url = base.join("services/oauth2/authorize").expect("url");
    url.query_pairs_mut().extend_pairs(params);
    url
}

/// The usual parameters: code, the org's app, the default callback, `state`, S256 `challenge`.
fn params<'a>(org: &'a MockOrg, state: &'a str, challenge: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", org.client_id()),
        ("redirect_uri", CALLBACK),
        ("state", state),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
        ("scope", "api refresh_token"),
        ("prompt", "login"),
    ]
}

/// The `Location` of a 302 and its query parameters.
fn redirected(response: &reqwest::Response) -> (String, HashMap<String, String>) {
    assert_eq!(response.status(), 302, "a redirect");
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let parsed = url::Url::parse(&location).expect("absolute location");
    let query = parsed.query_pairs().into_owned().collect();
    (location, query)
}

/// The approval page's form: its action and the hidden `pending` value.
fn form_of(html: &str) -> (String, String) {
    let attr = |after: &str, name: &str| {
        let start = html.find(after).expect(after) + after.len();
        let rest = &html[start..];
        let at = rest.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
        rest[at..].split('"').next().expect("value").to_owned()
    };
    (attr("<form", "action"), attr("name=\"pending\"", "value"))
}

/// Opens the approval page at `url`, submits `decision`, and returns the redirect.
async fn decide(client: &reqwest::Client, url: url::Url, decision: &str) -> reqwest::Response {
    let page = client.get(url.clone()).send().await.expect("authorize");
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/html")
    );
    let html = page.text().await.expect("html");
    assert!(html.contains("Allow Access?"), "{html}");
    let (action, pending) = form_of(&html);
    client
        .post(url.join(&action).expect("action"))
        .form(&[("pending", pending.as_str()), ("decision", decision)])
        .send()
        .await
        .expect("decision")
}

/// Logs in through the approval page on `base` and returns the code.
async fn code_for(org: &MockOrg, base: &url::Url, pkce: &Pkce, scope: &str) -> String {
    let mut p = params(org, "st", &pkce.challenge);
    p.retain(|(k, _)| *k != "scope");
    p.push(("scope", scope));
    let response = decide(&client(), authorize_url(base, &p), "approve").await;
    let (_, query) = redirected(&response);
    query["code"].clone()
}

async fn post_token(base: &url::Url, form: &[(&str, &str)]) -> (u16, Value) {
    let response = client()
        .post(base.join("services/oauth2/token").expect("url"))
        .form(form)
        .send()
        .await
        .expect("token request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json body"))
}

async fn exchange(org: &MockOrg, base: &url::Url, code: &str, verifier: &str) -> (u16, Value) {
    post_token(
        base,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", org.client_id()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ],
    )
    .await
}

async fn refresh(org: &MockOrg, refresh_token: &str) -> (u16, Value) {
    post_token(
        org.instance_url(),
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", org.client_id()),
        ],
    )
    .await
}

/// The status of a data API call with `token`.
async fn api_status(org: &MockOrg, token: &Value) -> u16 {
    client()
        .get(
            org.instance_url()
                .join("services/data/v62.0/limits")
                .expect("url"),
        )
        .bearer_auth(token.as_str().expect("token"))
        .send()
        .await
        .expect("limits")
        .status()
        .as_u16()
}

fn keys(body: &Value) -> Vec<&str> {
    body.as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn error(body: &Value) -> (&str, &str) {
    (
        body["error"].as_str().unwrap_or_default(),
        body["error_description"].as_str().unwrap_or_default(),
    )
}

/// A full login to tokens on the instance.
async fn login(org: &MockOrg) -> Value {
    let pkce = pkce();
    let code = code_for(org, org.instance_url(), &pkce, "api refresh_token").await;
    let (status, body) = exchange(org, org.instance_url(), &code, &pkce.verifier).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn approve_redirects_with_code_and_state_and_the_code_buys_tokens() {
    let org = org(MockOrgConfig::default()).await;
    let pkce = pkce();
    // `state` comes back byte for byte, whatever it holds.
    let state = "Xq3+/=?&é \"quoted\"";
    let url = authorize_url(org.login_host_url(), &params(&org, state, &pkce.challenge));
    let response = decide(&client(), url, "approve").await;
    let (location, query) = redirected(&response);
    assert!(
        location.starts_with(&format!("{CALLBACK}?code=")),
        "{location}"
    );
    assert_eq!(query["state"], state);
    let code = &query["code"];
    assert!(code.ends_with("=="), "Salesforce-like code: {code}");
    assert!(
        location.contains("%3D%3D"),
        "the code is URL-encoded: {location}"
    );

    // Exchanged on the login host; the answer points at the org (§0).
    let (status, body) = exchange(&org, org.login_host_url(), code, &pkce.verifier).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        keys(&body),
        [
            "access_token",
            "refresh_token",
            "signature",
            "scope",
            "instance_url",
            "id",
            "token_type",
            "issued_at"
        ]
    );
    assert_eq!(body["scope"], "api refresh_token");
    assert_eq!(
        body["instance_url"],
        org.instance_url().as_str().trim_end_matches('/')
    );
    assert_eq!(body["token_type"], "Bearer");
    let access = body["access_token"].as_str().expect("token");
    assert_eq!(access.find('!'), Some(15), "{access}");
    assert_eq!(body["issued_at"].as_str().map(str::len), Some(13));
    assert_eq!(api_status(&org, &body["access_token"]).await, 200);
    assert_eq!(org.refresh_token_count(), 1);
}

#[tokio::test]
async fn deny_redirects_with_access_denied_and_state() {
    let org = org(MockOrgConfig::default()).await;
    let pkce = pkce();
    let url = authorize_url(org.instance_url(), &params(&org, "s-123", &pkce.challenge));
    let response = decide(&client(), url, "deny").await;
    let (location, query) = redirected(&response);
    assert!(location.starts_with(CALLBACK), "{location}");
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query["state"], "s-123");
    assert!(!query.contains_key("code"));

    // The page's form id is single use.
    let again = client()
        .post(
            org.instance_url()
                .join("setup/secur/RemoteAccessAuthorizationPage.apexp")
                .expect("url"),
        )
        .form(&[("pending", "nope"), ("decision", "approve")])
        .send()
        .await
        .expect("post");
    assert_eq!(again.status(), 400);
}

#[tokio::test]
async fn authorize_errors_are_pages_or_redirects_as_salesforce_does() {
    let org = org(MockOrgConfig::default()).await;
    let client = client();
    let pkce = pkce();
    let base = org.instance_url();
    let with = |changes: &[(&'static str, &'static str)]| {
        let mut p: Vec<(&str, &str)> = params(&org, "st", &pkce.challenge);
        for (k, v) in changes {
            p.retain(|(key, _)| key != k);
            if !v.is_empty() {
                p.push((k, v));
            }
        }
        authorize_url(base, &p)
    };
    // Unknown client, unregistered callbacks: an error page, no redirect.
    for (changes, expected) in [
        (vec![("client_id", "3MVG9Unknown")], "invalid_client_id"),
        (
            vec![("redirect_uri", "http://localhost:9999/OauthRedirect")],
            "redirect_uri_mismatch",
        ),
        (
            vec![("redirect_uri", "http://127.0.0.1:1717/OauthRedirect")],
            "redirect_uri_mismatch",
        ),
        (vec![("redirect_uri", "")], "redirect_uri_mismatch"),
    ] {
        let response = client.get(with(&changes)).send().await.expect("get");
        assert_eq!(response.status(), 400, "{changes:?}");
        assert!(response.headers().get("location").is_none());
        let html = response.text().await.expect("html");
        assert!(html.contains(expected), "{changes:?}: {html}");
    }
    // Errors after the callback is known go back to it, with the state.
    for (changes, expected) in [
        (
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (vec![("code_challenge_method", "plain")], "invalid_request"),
        (vec![("scope", "api chatter_api")], "invalid_scope"),
        (vec![("immediate", "true")], "immediate_unsuccessful"),
    ] {
        let response = client.get(with(&changes)).send().await.expect("get");
        let (_, query) = redirected(&response);
        assert_eq!(query["error"], expected, "{changes:?}");
        assert_eq!(query["state"], "st");
    }
    // Forced errors (an app not installed in the org), then back to normal.
    org.set_authorize_error(Some("OAUTH_EC_APP_NOT_FOUND"));
    let response = client.get(with(&[])).send().await.expect("get");
    let (_, query) = redirected(&response);
    assert_eq!(query["error"], "OAUTH_EC_APP_NOT_FOUND");
    assert_eq!(
        query["error_description"],
        "External client app is not installed in this org"
    );
    org.set_authorize_error(None);
    assert_eq!(
        client.get(with(&[])).send().await.expect("get").status(),
        200
    );
}

#[tokio::test]
async fn auto_approve_redirects_at_once_and_loopback_ports_are_a_switch() {
    let org = org(MockOrgConfig {
        auto_approve: true,
        loopback_any_port: true,
        callback_urls: vec!["http://127.0.0.1:1717/callback".to_owned()],
        ..Default::default()
    })
    .await;
    let pkce = pkce();
    let redirect = "http://127.0.0.1:50123/callback";
    let url = authorize_url(
        org.test_host_url(),
        &[
            ("response_type", "code"),
            ("client_id", org.client_id()),
            ("redirect_uri", redirect),
            ("state", "s"),
            // No method: taken as S256, as jsforce and the sf CLI send it.
            ("code_challenge", &pkce.challenge),
        ],
    );
    let response = client().get(url).send().await.expect("authorize");
    let (location, query) = redirected(&response);
    assert!(location.starts_with(redirect), "{location}");
    let (status, body) = post_token(
        org.test_host_url(),
        &[
            ("grant_type", "authorization_code"),
            ("code", &query["code"]),
            ("client_id", org.client_id()),
            ("redirect_uri", redirect),
            ("code_verifier", &pkce.verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // No scope asked: the app's scopes, refresh and OpenID included.
    assert!(body["refresh_token"].is_string(), "{body}");
    assert!(body["id_token"].is_string(), "{body}");

    // Another path or host is still a mismatch.
    let other = authorize_url(
        org.instance_url(),
        &[
            ("response_type", "code"),
            ("client_id", org.client_id()),
            ("redirect_uri", "http://localhost:50123/callback"),
        ],
    );
    assert_eq!(client().get(other).send().await.expect("get").status(), 400);
}

#[tokio::test]
async fn a_code_is_bound_to_its_redirect_uri_and_challenge_and_used_once() {
    let org = org(MockOrgConfig::default()).await;
    let base = org.instance_url();
    let pkce = pkce();

    // Wrong verifier: invalid_request; the code is then used up.
    let code = code_for(&org, base, &pkce, "api").await;
    let (status, body) = exchange(&org, base, &code, &self::pkce().verifier).await;
    assert_eq!(
        (status, error(&body)),
        (400, ("invalid_request", "invalid code verifier"))
    );
    let (status, body) = exchange(&org, base, &code, &pkce.verifier).await;
    assert_eq!(
        (status, error(&body)),
        (400, ("invalid_grant", "expired authorization code"))
    );

    // No verifier for a code that had a challenge: invalid_grant.
    let code = code_for(&org, base, &pkce, "api").await;
    let (status, body) = exchange(&org, base, &code, "").await;
    assert_eq!((status, error(&body).0), (400, "invalid_grant"), "{body}");

    // Another redirect_uri than on /authorize.
    let code = code_for(&org, base, &pkce, "api").await;
    let (status, body) = post_token(
        base,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", org.client_id()),
            ("redirect_uri", "http://localhost:1717/Other"),
            ("code_verifier", &pkce.verifier),
        ],
    )
    .await;
    assert_eq!((status, error(&body).0), (400, "invalid_grant"), "{body}");

    // Right verifier: tokens, once; the same code again is refused.
    let code = code_for(&org, base, &pkce, "api").await;
    let (status, body) = exchange(&org, base, &code, &pkce.verifier).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("refresh_token").is_none(),
        "no refresh scope: {body}"
    );
    let (status, body) = exchange(&org, base, &code, &pkce.verifier).await;
    assert_eq!(
        (status, error(&body)),
        (400, ("invalid_grant", "expired authorization code"))
    );
    let (status, body) = exchange(&org, base, "aPrxNotACode==", &pkce.verifier).await;
    assert_eq!((status, error(&body).0), (400, "invalid_grant"));

    // A verifier for a code that had no challenge (sfdx-core #166).
    let mut p = params(&org, "st", "");
    p.retain(|(k, _)| !k.starts_with("code_challenge"));
    let response = decide(&client(), authorize_url(base, &p), "approve").await;
    let code = redirected(&response).1["code"].clone();
    let (status, body) = exchange(&org, base, &code, &pkce.verifier).await;
    assert_eq!((status, error(&body).0), (400, "invalid_grant"), "{body}");
}

#[tokio::test]
async fn codes_expire_on_the_org_clock() {
    let org = org(MockOrgConfig::default()).await;
    let base = org.instance_url();
    let pkce = pkce();
    let code = code_for(&org, base, &pkce, "api").await;
    org.advance_clock(Duration::from_secs(14 * 60));
    let fresh = code_for(&org, base, &pkce, "api").await;
    org.advance_clock(Duration::from_secs(60));
    let (status, body) = exchange(&org, base, &code, &pkce.verifier).await;
    assert_eq!(
        (status, error(&body)),
        (400, ("invalid_grant", "expired authorization code"))
    );
    let (status, body) = exchange(&org, base, &fresh, &pkce.verifier).await;
    assert_eq!(status, 200, "{body}");

    // The approval page goes stale the same way.
    let url = authorize_url(base, &params(&org, "st", &pkce.challenge));
    let html = client()
        .get(url.clone())
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let (action, pending) = form_of(&html);
    org.advance_clock(Duration::from_secs(15 * 60));
    let response = client()
        .post(url.join(&action).expect("action"))
        .form(&[("pending", pending.as_str()), ("decision", "approve")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn client_secret_is_optional_but_checked_when_sent_or_required() {
    let org = org(MockOrgConfig::default()).await;
    let base = org.instance_url();
    let pkce = pkce();
    let code = code_for(&org, base, &pkce, "api").await;
    for (id, secret, expected) in [
        (
            org.client_id(),
            "wrong",
            ("invalid_client", "invalid client credentials"),
        ),
        (
            "3MVG9Nobody",
            "",
            ("invalid_client_id", "client identifier invalid"),
        ),
    ] {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("client_id", id),
            ("client_secret", secret),
            ("redirect_uri", CALLBACK),
            ("code_verifier", pkce.verifier.as_str()),
        ];
        let (status, body) = post_token(base, &form).await;
        assert_eq!((status, error(&body)), (400, expected));
    }
    // Those attempts did not use the code up; without a secret it buys tokens.
    let (status, body) = exchange(&org, base, &code, &pkce.verifier).await;
    assert_eq!(status, 200, "{body}");

    let strict = self::org(MockOrgConfig {
        require_secret_web: true,
        ..Default::default()
    })
    .await;
    let code = code_for(&strict, strict.instance_url(), &pkce, "api").await;
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("client_id", strict.client_id()),
        ("redirect_uri", CALLBACK),
        ("code_verifier", pkce.verifier.as_str()),
    ];
    let (status, body) = post_token(strict.instance_url(), &form).await;
    assert_eq!((status, error(&body).0), (400, "invalid_client"), "{body}");
    form.push(("client_secret", strict.client_secret()));
    let code = code_for(&strict, strict.instance_url(), &pkce, "api").await;
    form[1] = ("code", code.as_str());
    let (status, body) = post_token(strict.instance_url(), &form).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn openid_scope_brings_a_signed_id_token_with_the_nonce() {
    let org = org(MockOrgConfig::default()).await;
    let pkce = pkce();
    let mut p = params(&org, "st", &pkce.challenge);
    p.retain(|(k, _)| *k != "scope");
    p.extend([("scope", "openid api"), ("nonce", "n-42")]);
    let response = decide(&client(), authorize_url(org.instance_url(), &p), "approve").await;
    let code = redirected(&response).1["code"].clone();
    let (status, body) = exchange(&org, org.instance_url(), &code, &pkce.verifier).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none());
    let id_token = body["id_token"].as_str().expect("id_token");
    let cert = org.jwt_certificate_pem().expect("cert");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[org.client_id()]);
    let claims = jsonwebtoken::decode::<Value>(
        id_token,
        &DecodingKey::from_rsa_pem(cert.as_bytes()).expect("key"),
        &validation,
    )
    .expect("verifies")
    .claims;
    assert_eq!(claims["nonce"], "n-42");
    assert_eq!(claims["preferred_username"], org.username());
}

#[tokio::test]
async fn refresh_after_the_access_token_expired() {
    let ttl = Duration::from_secs(3600);
    let org = org(MockOrgConfig {
        token_ttl: ttl,
        ..Default::default()
    })
    .await;
    let tokens = login(&org).await;
    org.advance_clock(ttl + Duration::from_secs(1));
    assert_eq!(api_status(&org, &tokens["access_token"]).await, 401);

    let (status, body) = refresh(&org, tokens["refresh_token"].as_str().expect("rt")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        keys(&body),
        [
            "access_token",
            "signature",
            "scope",
            "instance_url",
            "id",
            "token_type",
            "issued_at"
        ]
    );
    assert_ne!(body["access_token"], tokens["access_token"]);
    assert_eq!(api_status(&org, &body["access_token"]).await, 200);

    // Wrong client, wrong secret, unknown token.
    let rt = tokens["refresh_token"].as_str().expect("rt");
    let (app, app_secret) = org.app_without_run_as_user();
    for (form, expected) in [
        (
            vec![("client_id", "3MVG9Nobody")],
            ("invalid_client_id", "client identifier invalid"),
        ),
        (
            vec![("client_id", org.client_id()), ("client_secret", "nope")],
            ("invalid_client", "invalid client credentials"),
        ),
        (
            vec![("client_id", app), ("client_secret", app_secret)],
            ("invalid_grant", "expired access/refresh token"),
        ),
    ] {
        let mut form = form;
        form.extend([("grant_type", "refresh_token"), ("refresh_token", rt)]);
        let (status, body) = post_token(org.instance_url(), &form).await;
        assert_eq!((status, error(&body)), (400, expected));
    }
    let (status, body) = refresh(&org, "5Aep861Unknown").await;
    assert_eq!(
        (status, error(&body)),
        (400, ("invalid_grant", "expired access/refresh token"))
    );
    // The refresh token still works after those attempts.
    assert_eq!(refresh(&org, rt).await.0, 200);
}

#[tokio::test]
async fn refresh_token_policies_expire_tokens_on_the_org_clock() {
    let hour = Duration::from_secs(3600);
    let org = org(MockOrgConfig {
        refresh_token_policy: RefreshTokenPolicy::ExpireAfter(hour),
        ..Default::default()
    })
    .await;
    let tokens = login(&org).await;
    let rt = tokens["refresh_token"].as_str().expect("rt");
    org.advance_clock(hour / 2);
    assert_eq!(refresh(&org, rt).await.0, 200);
    // Use does not extend "expire after".
    org.advance_clock(hour / 2);
    let (status, body) = refresh(&org, rt).await;
    assert_eq!(
        (status, error(&body)),
        (400, ("invalid_grant", "expired access/refresh token"))
    );
    assert_eq!(org.refresh_token_count(), 0);

    // "Expire if unused": each use starts the count again.
    org.set_refresh_token_policy(RefreshTokenPolicy::ExpireIfUnused(hour));
    let tokens = login(&org).await;
    let rt = tokens["refresh_token"].as_str().expect("rt");
    for _ in 0..3 {
        org.advance_clock(hour * 3 / 4);
        assert_eq!(refresh(&org, rt).await.0, 200);
    }
    org.advance_clock(hour);
    let (status, body) = refresh(&org, rt).await;
    assert_eq!(
        (status, error(&body).1),
        (400, "expired access/refresh token")
    );

    // Until revoked: a year later it still works.
    org.set_refresh_token_policy(RefreshTokenPolicy::UntilRevoked);
    let tokens = login(&org).await;
    org.advance_clock(hour * 24 * 365);
    let rt = tokens["refresh_token"].as_str().expect("rt");
    assert_eq!(refresh(&org, rt).await.0, 200);
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_it_and_its_access_tokens() {
    let org = org(MockOrgConfig::default()).await;
    let tokens = login(&org).await;
    let rt = tokens["refresh_token"].as_str().expect("rt").to_owned();
    let (_, renewed) = refresh(&org, &rt).await;
    let other = login(&org).await;
    let revoke = |token: String| {
        let org = org.instance_url().clone();
        async move {
            client()
                .post(org.join("services/oauth2/revoke").expect("url"))
                .form(&[("token", token)])
                .send()
                .await
                .expect("revoke")
                .status()
                .as_u16()
        }
    };
    // Revoking an access token ends only that token.
    let access = renewed["access_token"].as_str().expect("at").to_owned();
    assert_eq!(revoke(access).await, 200);
    assert_eq!(api_status(&org, &renewed["access_token"]).await, 401);
    assert_eq!(api_status(&org, &tokens["access_token"]).await, 200);

    assert_eq!(revoke(rt.clone()).await, 200);
    assert_eq!(api_status(&org, &tokens["access_token"]).await, 401);
    let (status, body) = refresh(&org, &rt).await;
    assert_eq!(
        (status, error(&body)),
        (400, ("invalid_grant", "expired access/refresh token"))
    );
    assert_eq!(revoke(rt).await, 400, "already revoked");
    // Another login is not touched.
    assert_eq!(api_status(&org, &other["access_token"]).await, 200);
    assert_eq!(org.refresh_token_count(), 1);
    org.revoke_refresh_tokens();
    assert_eq!(api_status(&org, &other["access_token"]).await, 401);
    assert_eq!(org.refresh_token_count(), 0);
}

#[tokio::test]
async fn rotation_and_the_five_approvals_limit() {
    let org = org(MockOrgConfig {
        refresh_token_rotation: true,
        ..Default::default()
    })
    .await;
    let tokens = login(&org).await;
    let first = tokens["refresh_token"].as_str().expect("rt").to_owned();
    let (status, body) = refresh(&org, &first).await;
    assert_eq!(status, 200, "{body}");
    let second = body["refresh_token"].as_str().expect("rotated").to_owned();
    assert_ne!(first, second);
    // Replaying the rotated-out token kills the family, the current token included.
    assert_eq!(refresh(&org, &first).await.0, 400);
    assert_eq!(refresh(&org, &second).await.0, 400);
    assert_eq!(api_status(&org, &body["access_token"]).await, 401);

    // Six approvals: the oldest refresh token is revoked.
    org.set_refresh_token_rotation(false);
    let mut refresh_tokens = Vec::new();
    for _ in 0..6 {
        let body = login(&org).await;
        refresh_tokens.push(body["refresh_token"].as_str().expect("rt").to_owned());
    }
    assert_eq!(org.refresh_token_count(), 5);
    assert_eq!(refresh(&org, &refresh_tokens[0]).await.0, 400);
    assert_eq!(refresh(&org, &refresh_tokens[1]).await.0, 200);
}

/// An assertion signed with `pem`.
fn assertion(pem: &str, claims: &Value) -> String {
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("key");
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, &key).expect("signs")
}

fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

async fn jwt_grant(base: &url::Url, assertion: &str) -> (u16, Value) {
    post_token(
        base,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", assertion),
        ],
    )
    .await
}

fn org_key(org: &MockOrg) -> String {
    org.jwt_private_key_pem()
        .expect("key pair")
        .expect("the org's own key")
        .expose_secret()
        .to_owned()
}

#[tokio::test]
async fn jwt_bearer_good_assertions_on_every_host() {
    let org = org(MockOrgConfig::default()).await;
    let key = org_key(&org);
    let login_origin = org
        .login_host_url()
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    for (base, aud, exp) in [
        (org.login_host_url(), json!(LOGIN), json!(now_secs() + 180)),
        (
            org.test_host_url(),
            json!("https://test.salesforce.com"),
            json!(now_secs() + 180),
        ),
        (
            org.instance_url(),
            json!(login_origin),
            json!(now_secs() + 180),
        ),
        // sfdx-core signs `exp` in milliseconds (far future): accepted.
        (
            org.instance_url(),
            json!(LOGIN),
            json!(now_secs() * 1000 + 300),
        ),
        // A quoted `exp`, as Salesforce's own doc sample has it.
        (
            org.login_host_url(),
            json!([LOGIN]),
            json!((now_secs() + 60).to_string()),
        ),
    ] {
        let claims = json!({"iss": org.client_id(), "sub": org.username(), "aud": aud, "exp": exp});
        let (status, body) = jwt_grant(base, &assertion(&key, &claims)).await;
        assert_eq!(status, 200, "{claims}: {body}");
        assert_eq!(
            keys(&body),
            ["access_token", "scope", "instance_url", "id", "token_type"]
        );
        assert_eq!(
            body["instance_url"],
            org.instance_url().as_str().trim_end_matches('/')
        );
        assert_eq!(api_status(&org, &body["access_token"]).await, 200);
    }
}

#[tokio::test]
async fn jwt_bearer_refusals() {
    let org = org(MockOrgConfig::default()).await;
    let key = org_key(&org);
    let other_key = {
        use rsa::Generate;
        use rsa::pkcs8::EncodePrivateKey;
        rsa::PrivateKey::generate()
            .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
            .expect("pem")
            .to_string()
    };
    let good = json!({"iss": org.client_id(), "sub": org.username(), "aud": LOGIN,
                      "exp": now_secs() + 180});
    let with = |field: &str, value: Value| {
        let mut claims = good.clone();
        if value.is_null() {
            claims.as_object_mut().expect("object").remove(field);
        } else {
            claims[field] = value;
        }
        claims
    };
    let hs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &good,
        &EncodingKey::from_secret(b"secret").expect("secret"),
    )
    .expect("hs256");
    let my_domain = org.instance_url().as_str().trim_end_matches('/').to_owned();
    let cases: Vec<(String, (&str, &str))> = vec![
        (
            assertion(&other_key, &good),
            ("invalid_grant", "invalid assertion"),
        ),
        (hs256, ("invalid_grant", "invalid assertion")),
        (
            "not.a.jwt".to_owned(),
            ("invalid_grant", "invalid assertion"),
        ),
        (String::new(), ("invalid_grant", "invalid assertion")),
        (
            assertion(&key, &with("aud", json!("https://acme.my.salesforce.com"))),
            ("invalid_grant", "audience is invalid"),
        ),
        (
            assertion(&key, &with("aud", json!(my_domain))),
            ("invalid_grant", "audience is invalid"),
        ),
        (
            assertion(&key, &with("aud", Value::Null)),
            ("invalid_grant", "audience is invalid"),
        ),
        (
            assertion(&key, &with("exp", json!(now_secs() - 1))),
            ("invalid_grant", "expired authorization code"),
        ),
        (
            assertion(&key, &with("sub", json!("someone@else.example"))),
            ("invalid_grant", "user hasn't approved this consumer"),
        ),
        (
            assertion(&key, &with("iss", json!("3MVG9Nobody"))),
            ("invalid_client_id", "client identifier invalid"),
        ),
    ];
    for (jwt, expected) in cases {
        let (status, body) = jwt_grant(org.login_host_url(), &jwt).await;
        assert_eq!((status, error(&body)), (400, expected), "{body}");
    }

    // Valid now, expired once the org's clock passes `exp`.
    let jwt = assertion(&key, &good);
    assert_eq!(jwt_grant(org.instance_url(), &jwt).await.0, 200);
    org.advance_clock(Duration::from_secs(181));
    let (status, body) = jwt_grant(org.instance_url(), &jwt).await;
    assert_eq!(
        (status, error(&body)),
        (400, ("invalid_grant", "expired authorization code"))
    );
}

#[tokio::test]
async fn jwt_bearer_switches_my_domain_audience_strict_exp_and_users() {
    let org = org(MockOrgConfig {
        jwt_my_domain_audience: true,
        jwt_max_exp: Some(Duration::from_secs(180)),
        preauthorized_users: Some(vec!["ci@acme.example.uat".to_owned()]),
        ..Default::default()
    })
    .await;
    let key = org_key(&org);
    let my_domain = org.instance_url().as_str().to_owned();
    let claims = |sub: &str, exp: i64| json!({"iss": org.client_id(), "sub": sub, "aud": my_domain, "exp": exp});
    let (status, body) = jwt_grant(
        org.instance_url(),
        &assertion(&key, &claims("ci@acme.example.uat", now_secs() + 170)),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = jwt_grant(
        org.instance_url(),
        &assertion(&key, &claims("ci@acme.example.uat", now_secs() + 600)),
    )
    .await;
    assert_eq!((status, error(&body).1), (400, "invalid assertion"));
    let (status, body) = jwt_grant(
        org.instance_url(),
        &assertion(&key, &claims(org.username(), now_secs() + 60)),
    )
    .await;
    assert_eq!(
        (status, error(&body).1),
        (400, "user hasn't approved this consumer")
    );
}

#[tokio::test]
async fn jwt_bearer_against_a_given_certificate() {
    let maker = org(MockOrgConfig::default()).await;
    let dir = tempfile::tempdir().expect("dir");
    let files = maker
        .write_jwt_files(&dir.path().join("mine"))
        .expect("files");
    let key = std::fs::read_to_string(files.key.as_ref().expect("key")).expect("key");
    let org = org(MockOrgConfig {
        jwt_cert: Some(files.cert.clone()),
        ..Default::default()
    })
    .await;
    assert!(org.jwt_private_key_pem().expect("keys").is_none());
    let claims = json!({"iss": org.client_id(), "sub": org.username(), "aud": LOGIN,
                        "exp": now_secs() + 60});
    let (status, body) = jwt_grant(org.login_host_url(), &assertion(&key, &claims)).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = jwt_grant(maker.login_host_url(), &assertion(&key, &claims)).await;
    assert_eq!(status, 200);
    let stranger = self::org(MockOrgConfig::default()).await;
    let (status, body) = jwt_grant(stranger.login_host_url(), &assertion(&key, &claims)).await;
    assert_eq!((status, error(&body).1), (400, "invalid assertion"));

    let missing = MockOrg::start(MockOrgConfig {
        jwt_cert: Some(dir.path().join("absent.pem")),
        ..Default::default()
    })
    .await;
    assert!(missing.is_err());
}

#[tokio::test]
async fn login_and_test_hosts_refuse_client_credentials_only() {
    let org = org(MockOrgConfig::default()).await;
    for base in [org.login_host_url(), org.test_host_url()] {
        let (status, body) = post_token(
            base,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", org.client_id()),
                ("client_secret", org.client_secret()),
            ],
        )
        .await;
        assert_eq!(
            (status, error(&body)),
            (
                400,
                ("invalid_grant", "request not supported on this domain")
            )
        );
        let pkce = pkce();
        let code = code_for(&org, base, &pkce, "api refresh_token").await;
        let (status, body) = exchange(&org, base, &code, &pkce.verifier).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = post_token(
            base,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", body["refresh_token"].as_str().expect("rt")),
                ("client_id", org.client_id()),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn admin_endpoint_switches_the_flows() {
    let org = org(MockOrgConfig::default()).await;
    let admin = org.instance_url().join("__mock/oauth").expect("url");
    let set = |body: Value| {
        let admin = admin.clone();
        async move {
            let response = client().post(admin).json(&body).send().await.expect("post");
            (
                response.status().as_u16(),
                response.json::<Value>().await.expect("json"),
            )
        }
    };
    let tokens = login(&org).await;
    let (status, state) = set(json!({"auto_approve": true,
                                     "refresh_token_policy": "expire-after:60"}))
    .await;
    assert_eq!(status, 200, "{state}");
    assert_eq!(state["refresh_token_policy"], "expire-after:60");
    assert_eq!(state["refresh_tokens"], 1);
    assert_eq!(state["username"], org.username());
    let pkce = pkce();
    let url = authorize_url(org.instance_url(), &params(&org, "st", &pkce.challenge));
    let response = client().get(url.clone()).send().await.expect("authorize");
    assert_eq!(redirected(&response).1["state"], "st");
    // A slow login page, for a client's timeout.
    let (_, state) = set(json!({"authorize_delay_ms": 300})).await;
    assert_eq!(state["authorize_delay_ms"], 300);
    let started = Instant::now();
    let response = client().get(url).send().await.expect("authorize");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(response.status(), 302);
    org.set_authorize_delay(Duration::ZERO);

    org.advance_clock(Duration::from_secs(61));
    let rt = tokens["refresh_token"].as_str().expect("rt");
    assert_eq!(refresh(&org, rt).await.0, 400);
    let (status, _) = set(json!({"refresh_token_policy": "sometimes"})).await;
    assert_eq!(status, 400);

    let (_, state) =
        set(json!({"refresh_token_policy": "until-revoked", "auto_approve": false})).await;
    assert_eq!(state["refresh_tokens"], 0);
    let tokens = login(&org).await;
    let (_, state) = set(json!({"revoke_refresh_tokens": true})).await;
    assert_eq!(state["refresh_tokens"], 0);
    assert_eq!(api_status(&org, &tokens["access_token"]).await, 401);
}

#[test]
fn cli_flags_set_the_flows() {
    use clap::Parser;
    use sfterm::cli::{Cli, Command};
    let parsed = Cli::try_parse_from([
        "sfterm",
        "mock-org",
        "--auto-approve",
        "--callback-url",
        "http://localhost:5000/cb",
        "--callback-url",
        "http://localhost:5001/cb",
        "--refresh-token-policy",
        "expire-if-unused:600",
        "--jwt-cert",
        "cert.pem",
    ])
    .expect("parses");
    let Some(Command::MockOrg(command)) = parsed.command else {
        panic!("not mock-org");
    };
    let config = command.config();
    assert!(config.auto_approve);
    assert_eq!(
        config.callback_urls,
        ["http://localhost:5000/cb", "http://localhost:5001/cb"]
    );
    assert_eq!(
        config.refresh_token_policy,
        RefreshTokenPolicy::ExpireIfUnused(Duration::from_secs(600))
    );
    assert_eq!(config.jwt_cert.as_deref(), Some(Path::new("cert.pem")));
    let defaults = Cli::try_parse_from(["sfterm", "mock-org"]).expect("parses");
    let Some(Command::MockOrg(command)) = defaults.command else {
        panic!("not mock-org");
    };
    let config = command.config();
    assert!(!config.auto_approve);
    assert_eq!(
        config.callback_urls,
        ["http://localhost:1717/OauthRedirect"]
    );
    assert_eq!(
        config.refresh_token_policy,
        RefreshTokenPolicy::UntilRevoked
    );
    assert!(Cli::try_parse_from(["sfterm", "mock-org", "--refresh-token-policy", "x"]).is_err());
}

#[tokio::test]
async fn cli_writes_the_jwt_key_beside_the_env_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let env_file = dir.path().join("mock-org.env");
    let args = MockOrgArgs {
        port: 0,
        records: 5,
        token_ttl: 60,
        env_file: Some(env_file.clone()),
        tls: false,
        client_id: None,
        client_secret: None,
        log_requests: false,
        data: None,
        fault_latency_ms: 0,
        fail_next: None,
        fail_rate: None,
        fail_seed: 7,
        drop_connections: 0,
        drop_result_pages: 0,
        api_quota: None,
        scenario: Default::default(),
        org_type: Default::default(),
        api_limit: 15000,
        bulk_page_size: 50_000,
    };
    let flows = FlowArgs {
        auto_approve: true,
        ..FlowArgs::default()
    };
    let task = tokio::spawn(run_with(args, flows));
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        if let Ok(text) = std::fs::read_to_string(&env_file) {
            break text;
        }
        assert!(Instant::now() < deadline, "env file never appeared");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let var = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{name} missing in {text}"))
    };
    let key_file = var("SF_JWT_KEY_FILE");
    assert_eq!(
        key_file,
        dir.path()
            .join("mock-org.jwt-key.pem")
            .display()
            .to_string()
    );
    assert!(Path::new(&var("SF_JWT_CERT_FILE")).exists());
    assert_eq!(var("SF_CALLBACK_URL"), CALLBACK);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file)
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let key = std::fs::read_to_string(&key_file).expect("key");
    let claims = json!({"iss": var("SF_CLIENT_ID"), "sub": var("SF_USERNAME"), "aud": LOGIN,
                        "exp": now_secs() + 180});
    let login = url::Url::parse(&format!("{}/", var("SF_LOGIN_URL"))).expect("login url");
    let (status, body) = jwt_grant(&login, &assertion(&key, &claims)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instance_url"], var("SF_INSTANCE_URL"));
    assert!(
        !text.contains("PRIVATE KEY"),
        "the env file names the key file, never its contents"
    );
    task.abort();
}
