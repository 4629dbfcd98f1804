//! `GET /services/oauth2/authorize` (`auth-flows.md` §1.1–§1.3, §6): the checks that end on an
//! error page (unknown client, redirect URI not registered), the errors sent back to the
//! redirect URI, the approval page a test submits (Allow or Deny), the auto-approve switch, and
//! the authorization codes the code exchange ([`super::grants`]) redeems.
//!
//! The org's one user is always logged in: the page asks only for the approval.

use std::time::Duration;

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{random_text, scopes};
use crate::mock_org::oauth::form;
use crate::mock_org::state::Shared;

/// Where the approval page's form posts (the path of Salesforce's own approval page).
pub(crate) const APPROVAL_PATH: &str = "/setup/secur/RemoteAccessAuthorizationPage.apexp";

/// A PKCE challenge as sent on `/authorize`.
#[derive(Clone)]
pub(crate) struct Challenge {
    pub value: String,
    /// `code_challenge_method=plain` (only with `MockOrgConfig::pkce_plain`).
    pub plain: bool,
}

/// An authorization request (what the approval page waits on, then what its code carries).
#[derive(Clone)]
pub(crate) struct Grant {
    pub app: usize,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub challenge: Option<Challenge>,
    /// The scopes granted (requested ones, or the app's when none were requested).
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
}

/// A request shown on the approval page, waiting for Allow or Deny.
pub(crate) struct Pending {
    pub grant: Grant,
    pub expires_ms: i64,
}

/// An authorization code: single use, short-lived.
pub(crate) struct AuthCode {
    pub grant: Grant,
    pub expires_ms: i64,
    pub used: bool,
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Text safe inside HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML page.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body>\n<h1>{title}</h1>\n{body}</body></html>\n"
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=UTF-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The error page shown instead of a redirect (HTTP 400).
fn error_page(error: &str, description: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "OAuth Error",
        &format!(
            "<p>We can't authorize you because of an OAuth error.</p>\n\
             <p>OAUTH_ERROR: <code id=\"error\">{}</code></p>\n\
             <p id=\"error_description\">{}</p>\n",
            escape(error),
            escape(description)
        ),
    )
}

/// `302` to `uri` with `pairs` added to its query.
fn redirect(uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    let separator = if uri.contains('?') { '&' } else { '?' };
    let location = format!("{uri}{separator}{}", query.finish());
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The redirect carrying an error (`state` echoed when there was one; UNCONFIRMED on errors).
fn redirect_error(grant: &Grant, error: &str, description: &str) -> Response {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = &grant.state {
        pairs.push(("state", state));
    }
    redirect(&grant.redirect_uri, &pairs)
}

/// Whether `uri` equals a registered callback: the exact string, or, with
/// `loopback_any_port`, a loopback callback that differs only by its port (RFC 8252 §7.3;
/// whether Salesforce does that is UNCONFIRMED, so it is off by default).
pub(crate) fn callback_registered(shared: &Shared, app: usize, uri: &str) -> bool {
    if app != 0 {
        return false;
    }
    let config = &shared.config;
    config.callback_urls.iter().any(|registered| {
        registered == uri || (config.loopback_any_port && same_loopback_but_port(registered, uri))
    })
}

fn same_loopback_but_port(registered: &str, uri: &str) -> bool {
    let (Ok(a), Ok(b)) = (url::Url::parse(registered), url::Url::parse(uri)) else {
        return false;
    };
    let loopback = |u: &url::Url| {
        u.scheme() == "http" && matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
    };
    loopback(&a)
        && a.host_str() == b.host_str()
        && a.scheme() == b.scheme()
        && a.path() == b.path()
        && a.query() == b.query()
        && b.fragment().is_none()
}

fn description_of(error: &str) -> &'static str {
    match error {
        "access_denied" | "access-denied" => "end-user denied authorization",
        "OAUTH_EC_APP_NOT_FOUND" => "External client app is not installed in this org",
        "OAUTH_APP_BLOCKED" => "this app is blocked by admin",
        "immediate_unsuccessful" => "immediate unsuccessful",
        _ => "authorization failed",
    }
}

/// `GET` (or `POST`) `/services/oauth2/authorize`.
pub(crate) async fn authorize(
    shared: &Shared,
    method: &Method,
    query: &str,
    body: &[u8],
) -> Response {
    let delay = shared.lock().flows.knobs.authorize_delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut params = form(query.as_bytes());
    if *method == Method::POST {
        params.extend(form(body));
    }
    let client_id = param(&params, "client_id").unwrap_or_default();
    let Some(app) = shared.apps.iter().position(|a| a.client_id == client_id) else {
        return error_page("invalid_client_id", "client identifier invalid");
    };
    let redirect_uri = param(&params, "redirect_uri").unwrap_or_default();
    if !callback_registered(shared, app, redirect_uri) {
        return error_page(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
    }
    let mut grant = Grant {
        app,
        redirect_uri: redirect_uri.to_owned(),
        state: param(&params, "state").map(str::to_owned),
        challenge: None,
        scopes: Vec::new(),
        nonce: param(&params, "nonce").map(str::to_owned),
    };
    if param(&params, "response_type") != Some("code") {
        return redirect_error(
            &grant,
            "unsupported_response_type",
            "response type not supported",
        );
    }
    // A challenge without a method is taken as S256, as jsforce and the sf CLI send it.
    let method = param(&params, "code_challenge_method").unwrap_or("S256");
    match param(&params, "code_challenge").filter(|c| !c.is_empty()) {
        Some(value) if method == "S256" || (method == "plain" && shared.config.pkce_plain) => {
            grant.challenge = Some(Challenge {
                value: value.to_owned(),
                plain: method == "plain",
            });
        }
        Some(_) => {
            return redirect_error(&grant, "invalid_request", "invalid code challenge method");
        }
        None => {}
    }
    let allowed = scopes(&shared.config.oauth_scopes);
    grant.scopes = match param(&params, "scope").map(scopes) {
        Some(requested) if !requested.is_empty() => requested,
        _ => allowed.clone(),
    };
    if grant.scopes.iter().any(|s| !allowed.contains(s)) {
        return redirect_error(
            &grant,
            "invalid_scope",
            "the requested scope is not allowed",
        );
    }
    let (auto_approve, forced_error) = {
        let inner = shared.lock();
        let knobs = &inner.flows.knobs;
        (knobs.auto_approve, knobs.authorize_error.clone())
    };
    if let Some(error) = forced_error {
        return redirect_error(&grant, &error, description_of(&error));
    }
    if auto_approve {
        return approve(shared, grant);
    }
    let immediate = param(&params, "immediate") == Some("true")
        || param(&params, "prompt").is_some_and(|p| p.split_whitespace().any(|p| p == "none"));
    if immediate {
        return redirect_error(
            &grant,
            "immediate_unsuccessful",
            description_of("immediate_unsuccessful"),
        );
    }
    approval_page(shared, grant)
}

fn code_ttl_ms(shared: &Shared) -> i64 {
    i64::try_from(shared.config.auth_code_ttl.as_millis()).unwrap_or(i64::MAX)
}

/// Shows the approval page for `grant`, remembered under a fresh form id.
fn approval_page(shared: &Shared, grant: Grant) -> Response {
    let now = shared.clock.now_ms();
    let id = random_text(32);
    let app = shared
        .apps
        .get(grant.app)
        .map(|a| a.label.clone())
        .unwrap_or_default();
    let scope_items: String = grant
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>\n", escape(s)))
        .collect();
    {
        let mut inner = shared.lock();
        let pending = &mut inner.flows.pending;
        pending.retain(|_, p| p.expires_ms > now);
        pending.insert(
            id.clone(),
            Pending {
                grant,
                expires_ms: now.saturating_add(code_ttl_ms(shared)),
            },
        );
    }
    page(
        StatusCode::OK,
        "Allow Access?",
        &format!(
            "<p><b>{}</b> is asking to:</p>\n<ul>\n{scope_items}</ul>\n\
             <p>Logged in as <span id=\"username\">{}</span>.</p>\n\
             <form method=\"POST\" action=\"{APPROVAL_PATH}\">\n\
             <input type=\"hidden\" name=\"pending\" value=\"{id}\">\n\
             <button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button>\n\
             <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n\
             </form>\n",
            escape(&app),
            escape(&shared.username),
        ),
    )
}

/// Issues a code for `grant` and redirects to its `redirect_uri` with it.
fn approve(shared: &Shared, grant: Grant) -> Response {
    let now = shared.clock.now_ms();
    // Base64-like, with the `==` that clients must URL-encode, as Salesforce's codes have.
    let code = format!("aPrx{}==", random_text(80));
    let response = {
        let mut pairs = vec![("code", code.as_str())];
        if let Some(state) = &grant.state {
            pairs.push(("state", state));
        }
        redirect(&grant.redirect_uri, &pairs)
    };
    let mut inner = shared.lock();
    let codes = &mut inner.flows.codes;
    codes.retain(|_, c| c.expires_ms > now);
    codes.insert(
        code,
        AuthCode {
            grant,
            expires_ms: now.saturating_add(code_ttl_ms(shared)),
            used: false,
        },
    );
    response
}

/// `POST` of the approval page's form: `pending` (the form id) and `decision`
/// (`approve` or `deny`).
pub(crate) fn decide(shared: &Shared, method: &Method, body: &[u8]) -> Response {
    if *method != Method::POST {
        return error_page("invalid_request", "must use HTTP POST");
    }
    let params = form(body);
    let now = shared.clock.now_ms();
    let pending = {
        let mut inner = shared.lock();
        param(&params, "pending").and_then(|id| inner.flows.pending.remove(id))
    };
    let Some(pending) = pending.filter(|p| p.expires_ms > now) else {
        return error_page(
            "invalid_request",
            "this approval request is no longer valid: start the login again",
        );
    };
    match param(&params, "decision") {
        Some("approve") => approve(shared, pending.grant),
        Some("deny") => redirect_error(
            &pending.grant,
            "access_denied",
            description_of("access_denied"),
        ),
        _ => error_page("invalid_request", "decision must be approve or deny"),
    }
}

/// How long codes and approval pages stay valid by default (15 minutes is often quoted;
/// UNCONFIRMED).
pub(crate) const DEFAULT_CODE_TTL: Duration = Duration::from_secs(15 * 60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_callbacks_may_differ_only_by_port() {
        let reg = "http://localhost:1717/OauthRedirect";
        assert!(same_loopback_but_port(
            reg,
            "http://localhost:5555/OauthRedirect"
        ));
        assert!(same_loopback_but_port(
            reg,
            "http://localhost/OauthRedirect"
        ));
        for other in [
            "http://127.0.0.1:1717/OauthRedirect",
            "https://localhost:1717/OauthRedirect",
            "http://localhost:1717/OauthRedirect/x",
            "http://localhost:1717/OauthRedirect?a=1",
            "http://evil.example:1717/OauthRedirect",
        ] {
            assert!(!same_loopback_but_port(reg, other), "{other}");
        }
        assert!(!same_loopback_but_port(
            "https://app.example.com:443/cb",
            "https://app.example.com:8443/cb"
        ));
    }

    #[test]
    fn html_is_escaped_and_redirects_keep_existing_queries() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let response = redirect("http://localhost:1717/cb?x=1", &[("state", "a b&c")]);
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(
            response.headers()[header::LOCATION],
            "http://localhost:1717/cb?x=1&state=a+b%26c"
        );
    }
}
