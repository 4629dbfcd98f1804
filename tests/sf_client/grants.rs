//! Every grant logs in and renews once (shared) after 401 INVALID_SESSION_ID: refresh token
//! (with rotation and revocation), JWT bearer (claims and RS256 signature checked with the
//! public key), and an outside token source. Against the fake in oauth_fake.rs.
#![cfg(feature = "mock-org")]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::Timestamp;
use secrecy::{ExposeSecret, SecretString};
use sfterm::sf::oauth::jwt::Claims;
use sfterm::sf::{
    ApiError, ClientAuthStyle, ConnectionConfig, GrantKind, JwtBearer, RenewReason, SfClient,
    Token, TokenSource,
};
use url::Url;

use super::oauth_fake::{self, CLIENT_ID, Fake, ORG, USER, key_pair};

fn refresh_config(url: &Url, refresh: Option<&str>) -> ConnectionConfig {
    let mut c = ConnectionConfig::refresh_token(
        url.clone(),
        CLIENT_ID,
        None,
        refresh.map(|r| SecretString::from(r.to_string())),
    );
    c.timeout = Duration::from_secs(5);
    c
}

fn jwt_config(url: &Url) -> ConnectionConfig {
    let jwt = JwtBearer::new("ops@acme.example", SecretString::from(key_pair().0.clone()));
    let mut c = ConnectionConfig::jwt_bearer(url.clone(), "jwt-consumer-key", jwt);
    c.timeout = Duration::from_secs(5);
    c
}

/// `n` concurrent calls after the access token expired: all are refused first, then share
/// one renewal. Returns the token published by it.
async fn renew_concurrently(fake: &Fake, client: &SfClient, n: u64) -> Token {
    fake.expire_access_tokens();
    fake.hold_until_refused
        .store(fake.refused.load(Ordering::SeqCst) + n, Ordering::SeqCst);
    let mut watch = client.token_watch();
    watch.borrow_and_update();
    let calls: Vec<_> = (0..n)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.versions().await })
        })
        .collect();
    for call in calls {
        call.await.expect("join").expect("call after renewal");
    }
    watch
        .borrow_and_update()
        .clone()
        .expect("renewed token published")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_token_grant_logs_in_and_renews_once() {
    let (fake, url) = oauth_fake::start().await;
    fake.refresh_tokens
        .lock()
        .expect("lock")
        .insert("5Aep861stored".into());
    let client = SfClient::new(refresh_config(&url, Some("5Aep861stored"))).expect("client");
    assert_eq!(client.grant_kind(), GrantKind::RefreshToken);
    client.login(RenewReason::Initial).await.expect("login");
    let sent = fake.requests("refresh_token");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].form["refresh_token"], "5Aep861stored");
    assert_eq!(sent[0].form["client_id"], CLIENT_ID);
    assert!(
        !sent[0].form.contains_key("client_secret"),
        "no secret configured"
    );
    assert!(sent[0].authorization.is_none());
    let token = renew_concurrently(&fake, &client, 6).await;
    assert_eq!(token.reason, RenewReason::InvalidSession);
    assert_eq!(
        fake.requests("refresh_token").len(),
        2,
        "one shared renewal"
    );
    assert_eq!(client.token_requests(), 2);
}

#[tokio::test]
async fn refresh_token_grant_sends_a_configured_secret_either_way() {
    let (fake, url) = oauth_fake::start().await;
    *fake.secret.lock().expect("lock") = Some("refresh-secret".into());
    fake.refresh_tokens
        .lock()
        .expect("lock")
        .insert("rt".into());
    let mut c = refresh_config(&url, Some("rt"));
    c.client_secret = SecretString::from("refresh-secret");
    SfClient::new(c.clone())
        .expect("client")
        .login(RenewReason::Initial)
        .await
        .expect("body style");
    assert_eq!(
        fake.requests("refresh_token")[0].form["client_secret"],
        "refresh-secret"
    );
    c.auth_style = ClientAuthStyle::Basic;
    SfClient::new(c)
        .expect("client")
        .login(RenewReason::Initial)
        .await
        .expect("basic style");
    let basic = &fake.requests("refresh_token")[1];
    assert!(
        basic
            .authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Basic "))
    );
    assert!(!basic.form.contains_key("client_secret"));
}

#[tokio::test]
async fn rotated_refresh_tokens_are_kept_and_published() {
    let (fake, url) = oauth_fake::start().await;
    fake.rotate.store(true, Ordering::SeqCst);
    fake.refresh_tokens
        .lock()
        .expect("lock")
        .insert("rt-0".into());
    let client = SfClient::new(refresh_config(&url, Some("rt-0"))).expect("client");
    let mut watch = client.refresh_token_watch();
    assert_eq!(
        watch
            .borrow_and_update()
            .as_ref()
            .map(|r| r.expose_secret().to_string()),
        Some("rt-0".to_string())
    );
    client.login(RenewReason::Initial).await.expect("login");
    let rotated = client.refresh_token().expect("held");
    assert!(rotated.expose_secret().starts_with("5Aep861rotated"));
    assert!(watch.has_changed().expect("open"));
    assert_eq!(
        watch
            .borrow_and_update()
            .as_ref()
            .map(|r| r.expose_secret().to_string()),
        Some(rotated.expose_secret().to_string())
    );
    // The next renewal presents the rotated one (the old one is dead).
    fake.expire_access_tokens();
    client
        .versions()
        .await
        .expect("renewed with the rotated token");
    let sent = fake.requests("refresh_token");
    assert_eq!(sent[1].form["refresh_token"], rotated.expose_secret());
}

#[tokio::test]
async fn revoking_the_refresh_token_then_renewing_asks_to_log_in_again() {
    let (fake, url) = oauth_fake::start().await;
    fake.refresh_tokens
        .lock()
        .expect("lock")
        .insert("rt-r".into());
    let client = SfClient::new(refresh_config(&url, Some("rt-r"))).expect("client");
    client.login(RenewReason::Initial).await.expect("login");
    let mut watch = client.refresh_token_watch();
    watch.borrow_and_update();
    assert!(client.revoke_refresh_token().await.expect("revoked"));
    assert_eq!(fake.revoked.lock().expect("lock").as_slice(), ["rt-r"]);
    assert!(client.refresh_token().is_none());
    assert!(watch.has_changed().expect("open") && watch.borrow().is_none());
    assert!(!client.revoke_refresh_token().await.expect("none held"));
    let before = fake.token_requests.lock().expect("lock").len();
    let e = client.versions().await.expect_err("must log in again");
    assert!(matches!(e, ApiError::LoginRequired), "{e:?}");
    assert_eq!(
        fake.token_requests.lock().expect("lock").len(),
        before,
        "no token request without a refresh token"
    );
    let d = e.diagnosis();
    assert_eq!(d.title, "Log in again");
    assert!(d.fix.contains("sfterm login"), "{d:?}");
}

#[tokio::test]
async fn an_expired_refresh_token_is_diagnosed_as_log_in_again() {
    let (_fake, url) = oauth_fake::start().await;
    let client = SfClient::new(refresh_config(&url, Some("rt-unknown"))).expect("client");
    let e = client
        .login(RenewReason::Initial)
        .await
        .expect_err("refused");
    assert!(
        matches!(&e, ApiError::OAuth { grant: Some(GrantKind::RefreshToken), error, .. } if error == "invalid_grant"),
        "{e:?}"
    );
    let d = e.diagnosis();
    assert_eq!(d.title, "Browser login expired: log in again");
    assert!(!format!("{e} {e:?} {d:?}").contains("rt-unknown"));
    // Without any refresh token, no request is made at all.
    let fresh = SfClient::new(refresh_config(&url, None)).expect("client");
    let e = fresh.login(RenewReason::Initial).await.expect_err("none");
    assert!(matches!(e, ApiError::LoginRequired), "{e:?}");
    assert_eq!(fresh.token_requests(), 0);
}

fn decoded(assertion: &str) -> Claims {
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(key_pair().1.as_bytes()).expect("public");
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.validate_aud = false;
    jsonwebtoken::decode::<Claims>(assertion, &key, &v)
        .expect("signature verifies with the public key")
        .claims
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_bearer_signs_claims_the_public_key_verifies_and_renews_once() {
    let (fake, url) = oauth_fake::start().await;
    let client = SfClient::new(jwt_config(&url)).expect("client");
    let before = Timestamp::now().as_second();
    client.login(RenewReason::Initial).await.expect("login");
    let after = Timestamp::now().as_second();
    let sent = fake.requests("urn:ietf:params:oauth:grant-type:jwt-bearer");
    assert_eq!(sent.len(), 1);
    let mut keys: Vec<&str> = sent[0].form.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["assertion", "grant_type"],
        "no client secret, no client id"
    );
    let assertion = &sent[0].form["assertion"];
    let header = jsonwebtoken::decode_header(assertion).expect("header");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let claims = decoded(assertion);
    assert_eq!(claims.iss, "jwt-consumer-key");
    assert_eq!(claims.sub, "ops@acme.example");
    assert_eq!(claims.aud, url.as_str().trim_end_matches('/'));
    assert!(
        (before + 180..=after + 180).contains(&claims.exp),
        "exp in seconds, 3 minutes ahead: {} vs {before}",
        claims.exp
    );
    // A tampered assertion does not verify: the check above can fail.
    let mut parts: Vec<String> = assertion.split('.').map(str::to_string).collect();
    parts[1] = parts[1].replacen('e', "f", 1);
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(key_pair().1.as_bytes()).expect("public");
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.validate_aud = false;
    assert!(jsonwebtoken::decode::<Claims>(parts.join("."), &key, &v).is_err());

    let token = renew_concurrently(&fake, &client, 6).await;
    assert_eq!(token.reason, RenewReason::InvalidSession);
    let sent = fake.requests("urn:ietf:params:oauth:grant-type:jwt-bearer");
    assert_eq!(sent.len(), 2, "one shared renewal, with its own assertion");
    assert_eq!(decoded(&sent[1].form["assertion"]).sub, "ops@acme.example");
    assert_eq!(fake.jwt_claims.lock().expect("lock").len(), 2);
}

#[tokio::test]
async fn jwt_bearer_audience_and_key_failures() {
    let (fake, url) = oauth_fake::start().await;
    let mut c = jwt_config(&url);
    if let sfterm::sf::Grant::JwtBearer(jwt) = &mut c.grant {
        jwt.audience = Some("https://login.salesforce.com".into());
    }
    let e = SfClient::new(c)
        .expect("client")
        .login(RenewReason::Initial)
        .await
        .expect_err("wrong audience");
    assert!(
        matches!(
            &e,
            ApiError::OAuth {
                grant: Some(GrantKind::JwtBearer),
                ..
            }
        ),
        "{e:?}"
    );
    let d = e.diagnosis();
    assert_eq!(d.title, "Wrong audience for this org");
    assert!(d.fix.contains("test.salesforce.com"), "{d:?}");
    assert!(fake.jwt_claims.lock().expect("lock").is_empty());
    // A key that is not an RSA PEM key is refused when the client is built, unquoted.
    let jwt = JwtBearer::new(
        "ops@acme.example",
        SecretString::from(
            "-----BEGIN PRIVATE KEY-----\nNOT-A-KEY-SECRET\n-----END PRIVATE KEY-----\n",
        ),
    );
    let e =
        SfClient::new(ConnectionConfig::jwt_bearer(url.clone(), "k", jwt)).expect_err("bad key");
    assert!(matches!(e, ApiError::Config(_)), "{e:?}");
    assert!(!e.to_string().contains("NOT-A-KEY-SECRET"), "{e}");
    // Debug of the config and client never shows the key.
    let c = jwt_config(&url);
    let client = SfClient::new(c.clone()).expect("client");
    let dbg = format!("{c:?} {client:?}");
    assert!(
        !dbg.contains("PRIVATE KEY") && !dbg.contains(&key_pair().0[40..80]),
        "{dbg}"
    );
}

/// A token source that counts its calls and hands out tokens the fake accepts.
struct CountingSource {
    fake: Arc<Fake>,
    base: Url,
    calls: AtomicU64,
    reasons: Mutex<Vec<RenewReason>>,
}

impl TokenSource for CountingSource {
    fn token(&self, reason: RenewReason) -> BoxFuture<'_, Result<Token, ApiError>> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            self.reasons.lock().expect("lock").push(reason);
            let access = format!("00DDn00000Org01!ext{n}");
            self.fake.valid.lock().expect("lock").insert(access.clone());
            let now = Timestamp::now();
            Ok(Token {
                access_token: SecretString::from(access),
                instance_url: self.base.clone(),
                id_url: self.base.clone(),
                org_id: String::new(),
                user_id: String::new(),
                scopes: vec![],
                token_type: "Bearer".into(),
                issued_at: now,
                obtained_at: now,
                reason,
                signature: None,
            })
        })
    }

    fn refused(&self) -> ApiError {
        ApiError::Config("stale".into())
    }

    fn describe(&self) -> String {
        "counting source".into()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outside_source_is_asked_again_once_after_a_401() {
    let (fake, url) = oauth_fake::start().await;
    let source = Arc::new(CountingSource {
        fake: fake.clone(),
        base: url.clone(),
        calls: AtomicU64::new(0),
        reasons: Mutex::new(vec![]),
    });
    let client =
        SfClient::new(ConnectionConfig::external(url.clone(), source.clone())).expect("client");
    assert_eq!(client.grant_kind(), GrantKind::External);
    assert!(format!("{client:?}").contains("External"));
    let token = client.login(RenewReason::Initial).await.expect("login");
    // The user id came from userinfo.
    assert_eq!(token.user_id, USER);
    assert_eq!(token.org_id, ORG);
    assert!(
        token
            .id_url
            .as_str()
            .ends_with(&format!("/id/{ORG}/{USER}"))
    );
    // userinfo is held back until every caller was refused: they all queue behind it.
    let renewed = renew_concurrently(&fake, &client, 6).await;
    assert_eq!(renewed.reason, RenewReason::InvalidSession);
    assert_eq!(source.calls.load(Ordering::SeqCst), 2, "one shared renewal");
    assert_eq!(
        source.reasons.lock().expect("lock").as_slice(),
        [RenewReason::Initial, RenewReason::InvalidSession]
    );
    assert!(
        fake.token_requests.lock().expect("lock").is_empty(),
        "no OAuth request"
    );
}

#[tokio::test]
async fn a_token_the_org_refuses_is_the_sources_stale_login() {
    let (fake, url) = oauth_fake::start().await;
    let source = Arc::new(CountingSource {
        fake: fake.clone(),
        base: url.clone(),
        calls: AtomicU64::new(0),
        reasons: Mutex::new(vec![]),
    });
    // The fake forgets each token as soon as it is handed out.
    struct Forgetting(Arc<CountingSource>);
    impl TokenSource for Forgetting {
        fn token(&self, reason: RenewReason) -> BoxFuture<'_, Result<Token, ApiError>> {
            Box::pin(async move {
                let t = self.0.token(reason).await?;
                self.0.fake.expire_access_tokens();
                Ok(t)
            })
        }
        fn refused(&self) -> ApiError {
            self.0.refused()
        }
        fn describe(&self) -> String {
            self.0.describe()
        }
    }
    let client = SfClient::new(ConnectionConfig::external(
        url.clone(),
        Arc::new(Forgetting(source)),
    ))
    .expect("client");
    let e = client.login(RenewReason::Initial).await.expect_err("stale");
    assert!(matches!(&e, ApiError::Config(m) if m == "stale"), "{e:?}");
    assert!(client.token().is_none());
}
