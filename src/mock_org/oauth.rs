//! OAuth 2.0 endpoints: token (client credentials here; the other grants in [`super::flows`]),
//! introspect, revoke, userinfo, identity URL.

use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use rand::Rng;
use serde_json::{Value, json};
use sha2::Sha256;

use super::state::{App, Listener, Shared, TokenInfo, bearer, json_response, oauth_error};

/// Form fields of a body (or query string), `+` and `%20` both decoding to spaces.
pub(crate) fn form(bytes: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(bytes).into_owned().collect()
}

pub(crate) fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Client credentials from an `Authorization: Basic` header.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, data) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(B64.decode(data.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let id = url::form_urlencoded::parse(format!("a={id}").as_bytes())
        .next()?
        .1
        .into_owned();
    let secret = url::form_urlencoded::parse(format!("a={secret}").as_bytes())
        .next()?
        .1
        .into_owned();
    Some((id, secret))
}

/// The connected app whose credentials (body or Basic) the request carries, with its index;
/// `Err` with the OAuth error Salesforce gives for an unknown client id or a wrong secret.
fn authenticate_app<'a>(
    shared: &'a Shared,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<(usize, &'a App), Box<Response>> {
    let (id, secret) = client_credentials(headers, form)?;
    let Some((index, app)) = shared
        .apps
        .iter()
        .enumerate()
        .find(|(_, a)| Some(&a.client_id) == id.as_ref())
    else {
        return Err(Box::new(oauth_error(
            "invalid_client_id",
            "client identifier invalid",
        )));
    };
    if secret.as_deref() != Some(app.client_secret.as_str()) {
        return Err(Box::new(oauth_error(
            "invalid_client",
            "invalid client credentials",
        )));
    }
    Ok((index, app))
}

/// The client id/secret of a request: body or Basic; `Err` when both are given and disagree.
pub(crate) fn client_credentials(
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Result<(Option<String>, Option<String>), Box<Response>> {
    let body_id = field(form, "client_id").map(str::to_owned);
    let body_secret = field(form, "client_secret").map(str::to_owned);
    match basic(headers) {
        Some((id, secret)) => {
            if body_id.as_ref().is_some_and(|b| *b != id)
                || body_secret.as_ref().is_some_and(|b| *b != secret)
            {
                return Err(Box::new(oauth_error(
                    "invalid_request",
                    "client credentials in the Authorization header and the body differ",
                )));
            }
            Ok((Some(id), Some(secret)))
        }
        None => Ok((body_id, body_secret)),
    }
}

fn is_login_host(listener: &Listener, headers: &HeaderMap) -> bool {
    if listener.login_host {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or_default();
    host == "login.salesforce.com" || host == "test.salesforce.com"
}

pub(crate) fn random_token(org15: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    let mut rng = rand::rng();
    let tail: String = (0..96)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{org15}!AQ{tail}")
}

pub(crate) fn signature(secret: &str, id: &str, issued_at: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(id.as_bytes());
            mac.update(issued_at.as_bytes());
            B64.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// `POST /services/oauth2/token`.
pub(crate) fn token(
    listener: &Listener,
    method: &Method,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let shared = &listener.shared;
    if *method != Method::POST {
        return oauth_error("invalid_request", "must use HTTP POST");
    }
    let form = form(body);
    // The browser and JWT flows and refresh work on every host (auth-flows.md §0).
    match field(&form, "grant_type") {
        Some("authorization_code") => {
            return super::flows::grants::authorization_code(shared, headers, &form);
        }
        Some("refresh_token") => {
            return super::flows::grants::refresh_token(shared, headers, &form);
        }
        Some(super::flows::jwt::GRANT_TYPE) => return super::flows::jwt::jwt_bearer(shared, &form),
        _ => {}
    }
    if is_login_host(listener, headers) {
        return oauth_error("invalid_grant", "request not supported on this domain");
    }
    if field(&form, "grant_type") != Some("client_credentials") {
        return oauth_error("unsupported_grant_type", "grant type not supported");
    }
    if field(&form, "scope").is_some() {
        return oauth_error("invalid_request", "scope parameter not supported");
    }
    let (index, app) = match authenticate_app(shared, headers, &form) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    if !app.client_credentials_enabled {
        let (error, description) = &shared.config.disabled_flow_error;
        return oauth_error(error, description);
    }
    if !app.has_run_as_user {
        return oauth_error("invalid_grant", "no client credentials user enabled");
    }
    if shared.setup.scenario == super::Scenario::InactiveUser {
        return oauth_error("inactive_user", "user is inactive");
    }
    let access_token = new_access_token(shared, index, None);
    token_response(
        shared,
        index,
        Issued {
            access_token,
            refresh_token: None,
            scope: app.scope().to_string(),
            id_token: None,
            signed: true,
        },
    )
}

/// A new access token of `app`, tied to a refresh token family (revoking it ends the token).
pub(crate) fn new_access_token(shared: &Shared, app: usize, family: Option<u64>) -> String {
    let now = shared.clock.now_ms();
    let org15 = shared.org_id.get(..15).unwrap_or(&shared.org_id);
    let token = random_token(org15);
    let mut inner = shared.lock();
    inner.token_seq += 1;
    inner.tokens.insert(
        token.clone(),
        TokenInfo {
            app,
            issued_ms: now,
            last_used_ms: now,
        },
    );
    if let Some(family) = family {
        inner.flows.issued_by.insert(token.clone(), family);
    }
    token
}

/// What a successful grant answers.
pub(crate) struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scope: String,
    pub id_token: Option<String>,
    /// Whether `signature` and `issued_at` are sent.
    pub signed: bool,
}

/// The success body of every grant, in Salesforce's field order (auth-flows.md §1.4).
pub(crate) fn token_response(shared: &Shared, app: usize, issued: Issued) -> Response {
    let issued_at = shared.clock.now_ms().to_string();
    let id_url = shared.identity_url();
    let secret = shared
        .apps
        .get(app)
        .map(|a| a.client_secret.as_str())
        .unwrap_or_default();
    let mut body = serde_json::Map::new();
    body.insert("access_token".into(), json!(issued.access_token));
    if let Some(refresh) = issued.refresh_token {
        body.insert("refresh_token".into(), json!(refresh));
    }
    if issued.signed {
        body.insert(
            "signature".into(),
            json!(signature(secret, &id_url, &issued_at)),
        );
    }
    body.insert("scope".into(), json!(issued.scope));
    if let Some(id_token) = issued.id_token {
        body.insert("id_token".into(), json!(id_token));
    }
    body.insert("instance_url".into(), json!(shared.origin()));
    body.insert("id".into(), json!(id_url));
    body.insert("token_type".into(), json!("Bearer"));
    if issued.signed {
        body.insert("issued_at".into(), json!(issued_at));
    }
    if shared.config.api_instance_url {
        body.insert(
            "api_instance_url".into(),
            json!("https://api.salesforce.com"),
        );
    }
    json_response(StatusCode::OK, &Value::Object(body))
}

/// `POST /services/oauth2/introspect`.
pub(crate) fn introspect(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let form = form(body);
    let (index, app) = match authenticate_app(shared, headers, &form) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let Some(token) = field(&form, "token") else {
        return oauth_error("invalid_request", "token parameter is required");
    };
    let inactive = || json_response(StatusCode::OK, &json!({"active": false}));
    // Introspection does not count as use: it must not slide the timeout.
    let ttl = i64::try_from(shared.config.token_ttl.as_millis()).unwrap_or(i64::MAX);
    let now = shared.clock.now_ms();
    let (issued, last_used) = {
        let inner = shared.lock();
        match inner.tokens.get(token) {
            Some(info) if info.app == index && now - info.last_used_ms <= ttl => {
                (info.issued_ms, info.last_used_ms)
            }
            _ => return inactive(),
        }
    };
    let exp = (last_used + ttl) / 1000;
    json_response(
        StatusCode::OK,
        &json!({
            "active": true,
            "scope": app.scope(),
            "client_id": app.client_id,
            "username": shared.username,
            "sub": shared.identity_url(),
            "token_type": "access_token",
            "exp": exp,
            "iat": issued / 1000,
            "nbf": issued / 1000,
        }),
    )
}

/// `POST /services/oauth2/revoke` (form body) or `GET ...?token=`.
pub(crate) fn revoke(shared: &Shared, query: &str, body: &[u8]) -> Response {
    let mut form = form(body);
    form.extend(self::form(query.as_bytes()));
    let Some(token) = field(&form, "token") else {
        return oauth_error("unsupported_token_type", "this token type is not supported");
    };
    // An access token ends alone; a refresh token ends with the access tokens it issued.
    if shared.lock().tokens.remove(token).is_some()
        || super::flows::grants::revoke_refresh_token(shared, token)
    {
        StatusCode::OK.into_response()
    } else {
        oauth_error("invalid_token", "invalid token")
    }
}

/// 403 `Bad_OAuth_Token`, what identity and userinfo answer to a dead token.
fn bad_token() -> Response {
    let mut r = (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("text/plain"),
    );
    r
}

fn user_urls(shared: &Shared) -> Value {
    let o = shared.origin();
    let org15 = shared.org_id.get(..15).unwrap_or(&shared.org_id);
    let u = &shared.user_id;
    json!({
        "enterprise": format!("{o}/services/Soap/c/{{version}}/{org15}"),
        "metadata": format!("{o}/services/Soap/m/{{version}}/{org15}"),
        "partner": format!("{o}/services/Soap/u/{{version}}/{org15}"),
        "rest": format!("{o}/services/data/v{{version}}/"),
        "sobjects": format!("{o}/services/data/v{{version}}/sobjects/"),
        "search": format!("{o}/services/data/v{{version}}/search/"),
        "query": format!("{o}/services/data/v{{version}}/query/"),
        "recent": format!("{o}/services/data/v{{version}}/recent/"),
        "tooling_soap": format!("{o}/services/Soap/T/{{version}}/{org15}"),
        "tooling_rest": format!("{o}/services/data/v{{version}}/tooling/"),
        "profile": format!("{o}/{u}"),
        "feeds": format!("{o}/services/data/v{{version}}/chatter/feeds"),
        "groups": format!("{o}/services/data/v{{version}}/chatter/groups"),
        "users": format!("{o}/services/data/v{{version}}/chatter/users"),
        "feed_items": format!("{o}/services/data/v{{version}}/chatter/feed-items"),
        "feed_elements": format!("{o}/services/data/v{{version}}/chatter/feed-elements"),
        "custom_domain": o,
    })
}

fn photos(shared: &Shared) -> Value {
    let o = shared.origin();
    json!({
        "picture": format!("{o}/profilephoto/005/F"),
        "thumbnail": format!("{o}/profilephoto/005/T"),
    })
}

/// `GET /id/{org}/{user}` (identity URL).
pub(crate) fn identity(shared: &Shared, headers: &HeaderMap, org: &str, user: &str) -> Response {
    let Some(_app) = bearer(headers).and_then(|t| shared.check_token(&t)) else {
        return bad_token();
    };
    let same = |a: &str, b: &str| crate::sf::id::normalize(a).is_some_and(|n| n == b);
    if !same(org, &shared.org_id) || !same(user, &shared.user_id) {
        return super::rest::ApiError::not_found().into_response();
    }
    json_response(
        StatusCode::OK,
        &json!({
            "id": shared.identity_url(),
            "asserted_user": true,
            "user_id": shared.user_id,
            "organization_id": shared.org_id,
            "username": shared.username,
            "nick_name": "integration1.7670e12",
            "display_name": format!("{} {}", shared.setup.person().0, shared.setup.person().1),
            "email": "ops@sfterm-mock.example",
            "email_verified": true,
            "first_name": shared.setup.person().0,
            "last_name": shared.setup.person().1,
            "timezone": "America/Los_Angeles",
            "photos": photos(shared),
            "addr_street": "1 Market Street", "addr_city": "San Francisco", "addr_state": "CA",
            "addr_country": "US", "addr_zip": null,
            "mobile_phone": null, "mobile_phone_verified": false,
            "is_lightning_login_user": false,
            "status": {"created_date": null, "body": null},
            "urls": user_urls(shared),
            "active": true,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": -28_800_000,
            "last_modified_date": "2026-01-01T00:00:00Z",
            "is_app_installed": true,
        }),
    )
}

/// `GET /services/oauth2/userinfo`.
pub(crate) fn userinfo(shared: &Shared, headers: &HeaderMap) -> Response {
    let Some(_app) = bearer(headers).and_then(|t| shared.check_token(&t)) else {
        return bad_token();
    };
    json_response(
        StatusCode::OK,
        &json!({
            "sub": shared.identity_url(),
            "user_id": shared.user_id,
            "organization_id": shared.org_id,
            "preferred_username": shared.username,
            "nickname": "integration1.7670e12",
            "name": format!("{} {}", shared.setup.person().0, shared.setup.person().1),
            "email": "ops@sfterm-mock.example",
            "email_verified": true,
            "given_name": shared.setup.person().0,
            "family_name": shared.setup.person().1,
            "zoneinfo": "America/Los_Angeles",
            "photos": photos(shared),
            "profile": format!("{}/{}", shared.origin(), shared.user_id),
            "picture": format!("{}/profilephoto/005/F", shared.origin()),
            "address": {"country": "US"},
            "is_salesforce_integration_user": shared.setup.is_integration_user(),
            "urls": user_urls(shared),
            "active": true,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": -28_800_000,
            "updated_at": "2026-01-01T00:00:00Z",
            "is_app_installed": true,
        }),
    )
}

/// `GET /.well-known/openid-configuration`.
pub(crate) fn openid_configuration(shared: &Shared) -> Response {
    let o = shared.origin();
    json_response(
        StatusCode::OK,
        &json!({
            "issuer": o,
            "authorization_endpoint": format!("{o}/services/oauth2/authorize"),
            "token_endpoint": format!("{o}/services/oauth2/token"),
            "revocation_endpoint": format!("{o}/services/oauth2/revoke"),
            "userinfo_endpoint": format!("{o}/services/oauth2/userinfo"),
            "introspection_endpoint": format!("{o}/services/oauth2/introspect"),
            "jwks_uri": format!("{o}/id/keys"),
            "grant_types_supported": ["authorization_code", "refresh_token",
                                      "client_credentials", super::flows::jwt::GRANT_TYPE],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }),
    )
}
