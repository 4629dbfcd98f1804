//! A small fake of Salesforce's OAuth side for the login-flow tests (axum on 127.0.0.1): the
//! authorize redirect, the token endpoint for every grant (PKCE, single-use codes, refresh
//! tokens with optional rotation, JWT verified with a public key), revoke, userinfo, and one
//! bearer-checked REST call. It records what arrived so tests can check request bodies. The
//! mock org's own emulation of these flows is tested in tests/mock_org.
#![cfg(feature = "mock-org")]
#![allow(dead_code)] // each test file uses a part

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde_json::json;
use sfterm::sf::oauth::jwt::Claims;
use sfterm::sf::oauth::web::code_challenge;
use url::Url;

pub const CLIENT_ID: &str = "fake-web-client";
pub const ORG: &str = "00DDn00000Org01MAB";
pub const USER: &str = "005Dn00000IntUsIAJ";

/// One RSA key pair per test binary (generating one takes a moment): PKCS#8 private PEM and
/// SPKI public PEM.
pub fn key_pair() -> &'static (String, String) {
    static KEYS: OnceLock<(String, String)> = OnceLock::new();
    KEYS.get_or_init(|| {
        use rsa::Generate;
        use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
        let private = rsa::PrivateKey::generate();
        let private_pem = private
            .to_pkcs8_pem(LineEnding::LF)
            .expect("private pem")
            .to_string();
        let public_pem = private
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("public pem");
        (private_pem, public_pem)
    })
}

/// A token endpoint request as it arrived.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub form: HashMap<String, String>,
    pub authorization: Option<String>,
}

#[derive(Default)]
pub struct Fake {
    pub base: Mutex<String>,
    /// Access tokens the REST call and userinfo accept.
    pub valid: Mutex<HashSet<String>>,
    /// Refresh tokens the refresh grant accepts.
    pub refresh_tokens: Mutex<HashSet<String>>,
    /// A new refresh token with every refresh (the old one dies).
    pub rotate: AtomicBool,
    /// Whether the code exchange needs `client_secret` (else a sent one is still checked).
    pub secret: Mutex<Option<String>>,
    /// Codes not yet exchanged: code → (challenge, redirect_uri).
    pub codes: Mutex<HashMap<String, (String, String)>>,
    /// The `aud` the JWT grant accepts.
    pub audience: Mutex<String>,
    pub token_requests: Mutex<Vec<TokenRequest>>,
    pub jwt_claims: Mutex<Vec<Claims>>,
    pub revoked: Mutex<Vec<String>>,
    pub userinfo_calls: AtomicU64,
    /// REST calls refused with 401 so far.
    pub refused: AtomicU64,
    /// Token requests and userinfo answer only once `refused` reached this, so concurrent
    /// callers all queue behind the one renewal.
    pub hold_until_refused: AtomicU64,
    issued: AtomicU64,
}

type S = State<Arc<Fake>>;

fn oauth_err(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

impl Fake {
    fn issue(&self, refresh: Option<String>) -> Response {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let access = format!("00DDn00000Org01!fake{n}");
        {
            let mut valid = self.valid.lock().expect("lock");
            valid.clear();
            valid.insert(access.clone());
        }
        let base = self.base.lock().expect("lock").clone();
        let mut body = json!({
            "access_token": access,
            "scope": "api refresh_token",
            "instance_url": base.trim_end_matches('/'),
            "id": format!("{base}id/{ORG}/{USER}"),
            "token_type": "Bearer",
            "issued_at": "1767225600000",
        });
        if let Some(refresh) = refresh {
            self.refresh_tokens
                .lock()
                .expect("lock")
                .insert(refresh.clone());
            body["refresh_token"] = json!(refresh);
        }
        axum::Json(body).into_response()
    }

    async fn hold(&self) {
        while self.refused.load(Ordering::SeqCst) < self.hold_until_refused.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn bearer_ok(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|t| self.valid.lock().expect("lock").contains(t))
    }

    /// The token requests whose grant_type is `grant`.
    pub fn requests(&self, grant: &str) -> Vec<TokenRequest> {
        self.token_requests
            .lock()
            .expect("lock")
            .iter()
            .filter(|r| r.form.get("grant_type").map(String::as_str) == Some(grant))
            .cloned()
            .collect()
    }

    /// Every access token stops working (it expired).
    pub fn expire_access_tokens(&self) {
        self.valid.lock().expect("lock").clear();
    }
}

async fn authorize(State(fake): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let (Some(redirect), Some(challenge)) = (q.get("redirect_uri"), q.get("code_challenge")) else {
        return (StatusCode::BAD_REQUEST, "missing parameters").into_response();
    };
    let code = format!("aPrx{}==", fake.codes.lock().expect("lock").len() + 1);
    fake.codes
        .lock()
        .expect("lock")
        .insert(code.clone(), (challenge.clone(), redirect.clone()));
    let mut url = Url::parse(redirect).expect("redirect uri");
    url.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", q.get("state").map_or("", String::as_str));
    Redirect::to(url.as_str()).into_response()
}

async fn token(
    State(fake): S,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    fake.token_requests
        .lock()
        .expect("lock")
        .push(TokenRequest {
            form: form.clone(),
            authorization: headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        });
    fake.hold().await;
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let secret = fake.secret.lock().expect("lock").clone();
    let sent_secret = form.get("client_secret").cloned();
    let secret_ok = match (&secret, &sent_secret) {
        (Some(want), Some(sent)) => want == sent,
        (Some(_), None) => headers.contains_key(header::AUTHORIZATION),
        (None, Some(_)) => false,
        (None, None) => true,
    };
    match get("grant_type") {
        "authorization_code" => {
            if get("client_id") != CLIENT_ID {
                return oauth_err("invalid_client_id", "client identifier invalid");
            }
            if !secret_ok {
                return oauth_err("invalid_client", "invalid client credentials");
            }
            let Some((challenge, redirect)) = fake.codes.lock().expect("lock").remove(get("code"))
            else {
                return oauth_err("invalid_grant", "expired authorization code");
            };
            if redirect != get("redirect_uri") {
                return oauth_err("invalid_grant", "redirect_uri mismatch");
            }
            if code_challenge(get("code_verifier")) != challenge {
                return oauth_err("invalid_request", "invalid code verifier");
            }
            let n = fake.issued.load(Ordering::SeqCst) + 1;
            fake.issue(Some(format!("5Aep861refresh{n}")))
        }
        "refresh_token" => {
            if get("client_id") != CLIENT_ID && !headers.contains_key(header::AUTHORIZATION) {
                return oauth_err("invalid_client_id", "client identifier invalid");
            }
            if !secret_ok {
                return oauth_err("invalid_client", "invalid client credentials");
            }
            let presented = get("refresh_token").to_string();
            if !fake
                .refresh_tokens
                .lock()
                .expect("lock")
                .contains(&presented)
            {
                return oauth_err("invalid_grant", "expired access/refresh token");
            }
            if fake.rotate.load(Ordering::SeqCst) {
                fake.refresh_tokens.lock().expect("lock").remove(&presented);
                let n = fake.issued.load(Ordering::SeqCst) + 1;
                fake.issue(Some(format!("5Aep861rotated{n}")))
            } else {
                fake.issue(None)
            }
        }
        "urn:ietf:params:oauth:grant-type:jwt-bearer" => {
            let key = jsonwebtoken::DecodingKey::from_rsa_pem(key_pair().1.as_bytes())
                .expect("public key");
            let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
            validation.set_audience(&[fake.audience.lock().expect("lock").clone()]);
            validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
            match jsonwebtoken::decode::<Claims>(get("assertion"), &key, &validation) {
                Ok(data) => {
                    fake.jwt_claims.lock().expect("lock").push(data.claims);
                    fake.issue(None)
                }
                Err(e) => match e.kind() {
                    jsonwebtoken::errors::ErrorKind::InvalidAudience => {
                        oauth_err("invalid_grant", "audience is invalid")
                    }
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                        oauth_err("invalid_grant", "expired authorization code")
                    }
                    _ => oauth_err("invalid_grant", "invalid assertion"),
                },
            }
        }
        "client_credentials" => fake.issue(None),
        _ => oauth_err("unsupported_grant_type", "grant type not supported"),
    }
}

async fn revoke(State(fake): S, Form(form): Form<HashMap<String, String>>) -> Response {
    let token = form.get("token").cloned().unwrap_or_default();
    fake.revoked.lock().expect("lock").push(token.clone());
    if fake.refresh_tokens.lock().expect("lock").remove(&token) {
        // Revoking a refresh token ends its access tokens.
        fake.expire_access_tokens();
        StatusCode::OK.into_response()
    } else {
        oauth_err("unsupported_token_type", "this token type is not supported")
    }
}

async fn userinfo(State(fake): S, headers: HeaderMap) -> Response {
    fake.userinfo_calls.fetch_add(1, Ordering::SeqCst);
    fake.hold().await;
    if !fake.bearer_ok(&headers) {
        return (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response();
    }
    let base = fake.base.lock().expect("lock").clone();
    axum::Json(json!({
        "sub": format!("{base}id/{ORG}/{USER}"),
        "user_id": USER,
        "organization_id": ORG,
        "preferred_username": "ops@acme.example",
    }))
    .into_response()
}

async fn versions(State(fake): S, headers: HeaderMap) -> Response {
    if !fake.bearer_ok(&headers) {
        fake.refused.fetch_add(1, Ordering::SeqCst);
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])),
        )
            .into_response();
    }
    axum::Json(json!([{"label": "Summer '26", "url": "/services/data/v67.0", "version": "67.0"}]))
        .into_response()
}

/// Starts the fake on 127.0.0.1; the JWT audience defaults to its own origin.
pub async fn start() -> (Arc<Fake>, Url) {
    let fake = Arc::new(Fake::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    *fake.base.lock().expect("lock") = base.clone();
    *fake.audience.lock().expect("lock") = base.trim_end_matches('/').to_string();
    let app = Router::new()
        .route("/services/oauth2/authorize", get(authorize))
        .route("/services/oauth2/token", post(token))
        .route("/services/oauth2/revoke", post(revoke))
        .route("/services/oauth2/userinfo", get(userinfo))
        .route("/services/data/", get(versions))
        .with_state(fake.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (fake, Url::parse(&base).expect("url"))
}

/// A browser stand-in: follows nothing, talks to 127.0.0.1 only.
pub fn browser() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("browser")
}
