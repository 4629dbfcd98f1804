//! The login flows people use besides client credentials (`auth-flows.md` §1–§3, §6): the web
//! server flow with PKCE ([`authorize`]: the approval page and the codes; [`grants`]: the code
//! exchange, refresh tokens and their revocation) and the JWT bearer flow ([`jwt`]: the org's
//! certificate and the assertion check).
//!
//! Their state lives in [`FlowState`] behind the org's lock; the knobs a test may change while
//! the org runs are [`Knobs`] (`MockOrg::set_*`, `POST /__mock/oauth`).

pub(crate) mod authorize;
pub(crate) mod grants;
pub(crate) mod jwt;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::rest::{ApiError, method_not_allowed, parse_body};
use super::state::{Shared, json_response};
use super::{BoundMockOrg, MockOrg, MockOrgConfig, MockOrgError};
use jwt::JwtFiles;
use secrecy::SecretString;

/// How long a refresh token lives: the app's "Refresh Token Policy" (`auth-flows.md` §2.4; the
/// exact labels of the setting are UNCONFIRMED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RefreshTokenPolicy {
    /// "Refresh token is valid until revoked" (what most setup guides choose; the default).
    #[default]
    UntilRevoked,
    /// "Expire refresh token after N": counted from the user's approval.
    ExpireAfter(Duration),
    /// "Expire refresh token if not used for N": each use starts the count again.
    ExpireIfUnused(Duration),
}

impl RefreshTokenPolicy {
    /// Whether a refresh token approved at `approved_ms` and last used at `last_used_ms` is
    /// expired at `now_ms`.
    pub(crate) fn expired(self, approved_ms: i64, last_used_ms: i64, now_ms: i64) -> bool {
        let older_than = |since: i64, limit: Duration| {
            let limit = i64::try_from(limit.as_millis()).unwrap_or(i64::MAX);
            now_ms.saturating_sub(since) >= limit
        };
        match self {
            RefreshTokenPolicy::UntilRevoked => false,
            RefreshTokenPolicy::ExpireAfter(limit) => older_than(approved_ms, limit),
            RefreshTokenPolicy::ExpireIfUnused(limit) => older_than(last_used_ms, limit),
        }
    }
}

/// `until-revoked`, `expire-after:SECS`, `expire-if-unused:SECS` (underscores work too).
impl FromStr for RefreshTokenPolicy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim().to_ascii_lowercase().replace('_', "-");
        let (name, arg) = match text.split_once(':') {
            Some((name, arg)) => (name, Some(arg)),
            None => (text.as_str(), None),
        };
        let secs = || {
            arg.and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs)
                .ok_or_else(|| format!("{text:?}: expected {name}:SECS"))
        };
        match name {
            "until-revoked" if arg.is_none() => Ok(RefreshTokenPolicy::UntilRevoked),
            "expire-after" => Ok(RefreshTokenPolicy::ExpireAfter(secs()?)),
            "expire-if-unused" => Ok(RefreshTokenPolicy::ExpireIfUnused(secs()?)),
            _ => Err(format!(
                "{text:?}: expected until-revoked, expire-after:SECS or expire-if-unused:SECS"
            )),
        }
    }
}

impl fmt::Display for RefreshTokenPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefreshTokenPolicy::UntilRevoked => write!(f, "until-revoked"),
            RefreshTokenPolicy::ExpireAfter(d) => write!(f, "expire-after:{}", d.as_secs()),
            RefreshTokenPolicy::ExpireIfUnused(d) => {
                write!(f, "expire-if-unused:{}", d.as_secs())
            }
        }
    }
}

/// What a test may switch while the org runs.
#[derive(Debug, Clone)]
pub(crate) struct Knobs {
    /// `/authorize` redirects with a code at once, without the approval page.
    pub auto_approve: bool,
    /// `/authorize` redirects with this `error` (after the checks that show an error page):
    /// `access_denied`, `OAUTH_EC_APP_NOT_FOUND`, ...
    pub authorize_error: Option<String>,
    /// Added before `/authorize` answers.
    pub authorize_delay: Duration,
    pub refresh_policy: RefreshTokenPolicy,
    /// Each refresh returns a new refresh token; the old one dies (a replay revokes them all).
    pub rotation: bool,
}

impl Knobs {
    fn new(config: &MockOrgConfig) -> Knobs {
        Knobs {
            auto_approve: config.auto_approve,
            authorize_error: None,
            authorize_delay: Duration::ZERO,
            refresh_policy: config.refresh_token_policy,
            rotation: config.refresh_token_rotation,
        }
    }
}

/// State of the web server and JWT flows (behind the org's lock).
pub(crate) struct FlowState {
    pub knobs: Knobs,
    /// Authorization requests waiting on the approval page, by their form id.
    pub pending: HashMap<String, authorize::Pending>,
    /// Authorization codes, by code.
    pub codes: HashMap<String, authorize::AuthCode>,
    /// Refresh tokens, by token (the ones rotated out stay, marked, until their family dies).
    pub refresh: HashMap<String, grants::RefreshToken>,
    /// Live approvals (refresh token families) per app, oldest first.
    pub approvals: HashMap<usize, Vec<u64>>,
    /// The refresh token family that issued an access token (revoking it ends the token).
    pub issued_by: HashMap<String, u64>,
    pub family_seq: u64,
}

impl FlowState {
    pub(crate) fn new(config: &MockOrgConfig) -> FlowState {
        FlowState {
            knobs: Knobs::new(config),
            pending: HashMap::new(),
            codes: HashMap::new(),
            refresh: HashMap::new(),
            approvals: HashMap::new(),
            issued_by: HashMap::new(),
            family_seq: 0,
        }
    }

    /// Live refresh tokens (rotated-out ones not counted).
    pub(crate) fn live_refresh_tokens(&self) -> usize {
        self.refresh.values().filter(|r| r.current).count()
    }
}

/// Random text from an alphabet (the thread RNG is a CSPRNG).
pub(crate) fn random_text(len: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// The scopes of a space-separated list.
pub(crate) fn scopes(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// Whether the org's user is deactivated (the `inactive-user` scenario).
pub(crate) fn user_inactive(shared: &Shared) -> bool {
    shared.setup.scenario == super::Scenario::InactiveUser
}

fn knobs_body(shared: &Shared) -> Value {
    let inner = shared.lock();
    let flows = &inner.flows;
    let k = &flows.knobs;
    json!({
        "auto_approve": k.auto_approve,
        "authorize_error": k.authorize_error,
        "authorize_delay_ms": u64::try_from(k.authorize_delay.as_millis()).unwrap_or(u64::MAX),
        "refresh_token_policy": k.refresh_policy.to_string(),
        "refresh_token_rotation": k.rotation,
        "refresh_tokens": flows.live_refresh_tokens(),
        "pending_approvals": flows.pending.len(),
        "authorization_codes": flows.codes.values().filter(|c| !c.used).count(),
        "callback_urls": shared.config.callback_urls,
        "username": shared.username,
    })
}

fn set_knobs(shared: &Shared, body: &[u8]) -> Result<Response, ApiError> {
    let body = parse_body(body)?;
    let policy = match body.get("refresh_token_policy").and_then(Value::as_str) {
        Some(text) => Some(
            RefreshTokenPolicy::from_str(text).map_err(|e| ApiError::bad("INVALID_FIELD", e))?,
        ),
        None => None,
    };
    let revoke_all = body.get("revoke_refresh_tokens").and_then(Value::as_bool) == Some(true);
    {
        let mut inner = shared.lock();
        let knobs = &mut inner.flows.knobs;
        if let Some(on) = body.get("auto_approve").and_then(Value::as_bool) {
            knobs.auto_approve = on;
        }
        match body.get("authorize_error") {
            Some(Value::String(error)) if !error.is_empty() => {
                knobs.authorize_error = Some(error.clone());
            }
            Some(Value::Null | Value::String(_)) => knobs.authorize_error = None,
            _ => {}
        }
        if let Some(ms) = body.get("authorize_delay_ms").and_then(Value::as_u64) {
            knobs.authorize_delay = Duration::from_millis(ms);
        }
        if let Some(policy) = policy {
            knobs.refresh_policy = policy;
        }
        if let Some(on) = body.get("refresh_token_rotation").and_then(Value::as_bool) {
            knobs.rotation = on;
        }
    }
    if revoke_all {
        grants::revoke_all_refresh_tokens(shared);
    }
    Ok(json_response(StatusCode::OK, &knobs_body(shared)))
}

/// `/__mock/oauth`: `GET` the flow knobs and counts, `POST` JSON with any of `auto_approve`,
/// `authorize_error` (string or null), `authorize_delay_ms`, `refresh_token_policy`
/// (`until-revoked`, `expire-after:SECS`, `expire-if-unused:SECS`), `refresh_token_rotation`,
/// `revoke_refresh_tokens` (`true`: every refresh token and its access tokens die).
pub(crate) fn admin(shared: &Shared, method: &Method, body: &[u8]) -> Response {
    let result = match *method {
        Method::GET => Ok(json_response(StatusCode::OK, &knobs_body(shared))),
        Method::POST => set_knobs(shared, body),
        _ => Err(method_not_allowed(method, "GET,POST")),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

impl BoundMockOrg {
    /// The test host's base URL (plays `test.salesforce.com`), as [`MockOrg::test_host_url`].
    pub fn test_host_url(&self) -> &url::Url {
        &self.test_host_url
    }

    /// The org's user: who logs in through the browser, the JWT `sub` pre-authorised.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// Writes the JWT key and certificate (see [`MockOrg::write_jwt_files`]); the key pair is
    /// made now if it was not yet (a moment of CPU: call it off the async runtime).
    pub fn write_jwt_files(&self, base: &Path) -> Result<JwtFiles, MockOrgError> {
        jwt::write_files(&self.keys, base)
    }

    /// [`write_jwt_files`](Self::write_jwt_files) for later, e.g. on a blocking thread while
    /// the org starts.
    pub fn jwt_writer(
        &self,
    ) -> impl FnOnce(&Path) -> Result<JwtFiles, MockOrgError> + Send + 'static {
        let keys = self.keys.clone();
        move |base: &Path| jwt::write_files(&keys, base)
    }

    /// The JWT private key PEM (see [`MockOrg::jwt_private_key_pem`]).
    pub fn jwt_private_key_pem(&self) -> Result<Option<SecretString>, MockOrgError> {
        self.keys.private_key_pem()
    }
}

impl MockOrg {
    /// A third listener playing `test.salesforce.com` (sandboxes): like the login host, it
    /// refuses client credentials and accepts the browser, refresh token and JWT flows.
    pub fn test_host_url(&self) -> &url::Url {
        &self.test_host_url
    }

    /// The org's user: who logs in through the browser, the JWT `sub` pre-authorised.
    pub fn username(&self) -> &str {
        &self.shared.username
    }

    /// The callback URLs registered on the main app.
    pub fn callback_urls(&self) -> &[String] {
        &self.shared.config.callback_urls
    }

    /// Writes `{base}.jwt-key.pem` (the private key, PKCS#8, mode 0600) and
    /// `{base}.jwt-cert.pem` (its self-signed X.509 certificate, which the org checks JWT
    /// assertions against). With [`MockOrgConfig::jwt_cert`] nothing is written: the given
    /// file is named and there is no key. The key pair is made on first need (a moment of CPU).
    pub fn write_jwt_files(&self, base: &Path) -> Result<JwtFiles, MockOrgError> {
        jwt::write_files(&self.shared.keys, base)
    }

    /// The private key (PKCS#8 PEM) that signs JWT assertions this org accepts; `None` when
    /// the certificate was given ([`MockOrgConfig::jwt_cert`]).
    pub fn jwt_private_key_pem(&self) -> Result<Option<SecretString>, MockOrgError> {
        self.shared.keys.private_key_pem()
    }

    /// The certificate PEM JWT assertions are checked against.
    pub fn jwt_certificate_pem(&self) -> Result<String, MockOrgError> {
        self.shared.keys.certificate_pem()
    }

    /// Switches the approval page off (`true`: `/authorize` redirects with a code at once).
    pub fn set_auto_approve(&self, on: bool) {
        self.shared.lock().flows.knobs.auto_approve = on;
    }

    /// Makes `/authorize` redirect with this `error` (`access_denied`,
    /// `OAUTH_EC_APP_NOT_FOUND`, ...) after its page-level checks; `None` to stop.
    pub fn set_authorize_error(&self, error: Option<&str>) {
        self.shared.lock().flows.knobs.authorize_error = error.map(str::to_owned);
    }

    /// Delays every `/authorize` answer (for a client's login timeout).
    pub fn set_authorize_delay(&self, delay: Duration) {
        self.shared.lock().flows.knobs.authorize_delay = delay;
    }

    /// Changes the refresh token policy (applies to the tokens already issued too).
    pub fn set_refresh_token_policy(&self, policy: RefreshTokenPolicy) {
        self.shared.lock().flows.knobs.refresh_policy = policy;
    }

    /// Turns refresh token rotation on or off.
    pub fn set_refresh_token_rotation(&self, on: bool) {
        self.shared.lock().flows.knobs.rotation = on;
    }

    /// Revokes every refresh token and the access tokens they issued.
    pub fn revoke_refresh_tokens(&self) {
        grants::revoke_all_refresh_tokens(&self.shared);
    }

    /// Refresh tokens alive (rotated-out ones not counted).
    pub fn refresh_token_count(&self) -> usize {
        self.shared.lock().flows.live_refresh_tokens()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_token_policies_parse_print_and_expire() {
        for text in ["until-revoked", "expire-after:60", "expire-if-unused:3600"] {
            let policy: RefreshTokenPolicy = text.parse().expect(text);
            assert_eq!(policy.to_string(), text);
        }
        assert_eq!(
            "Expire_After:5".parse(),
            Ok(RefreshTokenPolicy::ExpireAfter(Duration::from_secs(5)))
        );
        for bad in [
            "",
            "forever",
            "expire-after",
            "expire-after:x",
            "until-revoked:3",
        ] {
            assert!(bad.parse::<RefreshTokenPolicy>().is_err(), "{bad}");
        }
        let after = RefreshTokenPolicy::ExpireAfter(Duration::from_secs(10));
        assert!(!after.expired(0, 9_000, 9_999));
        assert!(after.expired(0, 9_999, 10_000), "use does not extend it");
        let unused = RefreshTokenPolicy::ExpireIfUnused(Duration::from_secs(10));
        assert!(!unused.expired(0, 9_000, 18_999), "use extends it");
        assert!(unused.expired(0, 9_000, 19_000));
        assert!(!RefreshTokenPolicy::UntilRevoked.expired(0, 0, i64::MAX));
    }
}
