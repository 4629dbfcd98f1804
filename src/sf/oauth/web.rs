//! The browser login: the web server (authorization code) flow with PKCE (S256).
//!
//! 1. [`WebLogin::new`] makes the `state`, the PKCE verifier and the authorize URL; the app
//!    opens [`WebLogin::authorize_url`] in the browser (or prints it).
//! 2. The browser comes back to the redirect URI: [`LoopbackListener::bind`] on its port
//!    *before* opening the browser, then [`WebLogin::wait_for_redirect`]; or, where no browser
//!    can reach this machine (SSH), the user pastes the address the browser ended on into
//!    [`WebLogin::accept_redirect`]. Both check `state` and take one login only.
//! 3. [`SfClient::exchange_code`](crate::sf::SfClient::exchange_code) trades the code (with
//!    the verifier and redirect URI) for the token and the refresh token.
//!
//! The verifier, the code and the tokens never reach `Debug` output or logs.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use url::Url;

use super::constant_time_eq;
use crate::sf::error::{ApiError, BrowserLoginError};
use crate::sf::types::{ConnectionConfig, Token};

pub use super::loopback::LoopbackListener;

/// The default loopback port (the one the Salesforce CLI uses too).
pub const DEFAULT_PORT: u16 = 1717;
/// The redirect URI's path.
pub const REDIRECT_PATH: &str = "/OauthRedirect";
/// How long [`WebLogin::wait_for_redirect`] waits by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(180);
/// The scopes asked for by default: the REST API and a refresh token.
pub const DEFAULT_SCOPES: [&str; 2] = ["api", "refresh_token"];

/// `http://localhost:{port}/OauthRedirect`, the callback URL to register on the app.
pub fn redirect_uri_for_port(port: u16) -> String {
    format!("http://localhost:{port}{REDIRECT_PATH}")
}

/// `n` bytes from the operating system's CSPRNG.
fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| ApiError::Config(format!("no randomness from the system: {e}")))?;
    Ok(bytes)
}

/// The S256 code challenge of a verifier: base64url (no padding) of its SHA-256.
pub fn code_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A PKCE verifier and its S256 challenge. `Debug` shows the challenge only.
#[derive(Clone)]
pub struct Pkce {
    verifier: SecretString,
    challenge: String,
}

impl Pkce {
    /// A fresh verifier: 32 random bytes, base64url (43 characters).
    pub fn generate() -> Result<Pkce, ApiError> {
        let verifier = URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
        Pkce::from_verifier(SecretString::from(verifier))
    }

    /// A given verifier: 43 to 128 characters of `A-Z a-z 0-9 - . _ ~` (RFC 7636 §4.1).
    pub fn from_verifier(verifier: SecretString) -> Result<Pkce, ApiError> {
        let v = verifier.expose_secret();
        let allowed = v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !(43..=128).contains(&v.len()) || !allowed {
            return Err(ApiError::InvalidInput(
                "a PKCE code verifier has 43 to 128 characters of A-Z a-z 0-9 - . _ ~".into(),
            ));
        }
        let challenge = code_challenge(v);
        Ok(Pkce {
            verifier,
            challenge,
        })
    }

    /// The verifier (sent with the code exchange only).
    pub fn verifier(&self) -> &SecretString {
        &self.verifier
    }

    /// The challenge (sent on the authorize URL).
    pub fn challenge(&self) -> &str {
        &self.challenge
    }
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

/// The one-time code the browser brings back. `Debug` never shows it.
#[derive(Clone)]
pub struct AuthorizationCode(SecretString);

impl AuthorizationCode {
    /// Wraps a code.
    pub fn new(code: SecretString) -> AuthorizationCode {
        AuthorizationCode(code)
    }

    /// The code.
    pub fn secret(&self) -> &SecretString {
        &self.0
    }
}

impl fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthorizationCode([REDACTED])")
    }
}

/// What the code exchange gives: the token (already installed in the client) and the refresh
/// token, if the app granted one (`refresh_token` scope). `Debug` never shows either.
#[derive(Debug, Clone)]
pub struct CodeExchange {
    /// The access token.
    pub token: Token,
    /// The refresh token: the caller stores it (keychain), never in a file or a log.
    pub refresh_token: Option<SecretString>,
}

/// What a redirect to the callback URL carries.
#[derive(Debug, Clone, Default)]
pub struct Redirect {
    /// `code` (success).
    pub code: Option<AuthorizationCode>,
    /// `state`, echoed from the authorize URL.
    pub state: Option<String>,
    /// `error`, e.g. `access_denied`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
}

/// Reads `code`, `state`, `error` and `error_description` from the address the browser was
/// sent back to, as pasted by the user: a whole URL, or just its query (`?code=...`). Quotes,
/// angle brackets and whitespace around it are ignored.
pub fn parse_redirect(text: &str) -> Result<Redirect, ApiError> {
    let bad = |why: &str| ApiError::BrowserLogin(BrowserLoginError::NotARedirect(why.into()));
    let t = text
        .trim()
        .trim_matches(|c: char| c == '"' || c == '\'' || c == '<' || c == '>')
        .trim();
    if t.is_empty() {
        return Err(bad("nothing was pasted"));
    }
    let query = match Url::parse(t) {
        Ok(url) => url.query().unwrap_or_default().to_string(),
        Err(_) if t.contains('?') || t.contains('=') => {
            t.split_once('?').map_or(t, |(_, q)| q).to_string()
        }
        Err(_) => return Err(bad("it is neither an address nor the query of one")),
    };
    let mut r = Redirect::default();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let value = value.into_owned();
        match key.as_ref() {
            "code" if !value.is_empty() => {
                r.code = Some(AuthorizationCode(SecretString::from(value)));
            }
            "state" => r.state = Some(value),
            "error" if !value.is_empty() => r.error = Some(value),
            "error_description" => r.error_description = Some(value),
            _ => {}
        }
    }
    if r.code.is_none() && r.error.is_none() {
        return Err(bad("it holds no code and no error"));
    }
    Ok(r)
}

/// What the authorize URL asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebLoginOptions {
    /// Must equal one of the app's Callback URLs exactly (port included).
    pub redirect_uri: String,
    /// Scopes; empty = the scopes configured on the app.
    pub scopes: Vec<String>,
    /// `prompt`, e.g. `login` to always show the login page.
    pub prompt: Option<String>,
    /// `login_hint`: pre-fills the username.
    pub login_hint: Option<String>,
}

impl WebLoginOptions {
    /// The options for a loopback redirect on `port`, with the [`DEFAULT_SCOPES`].
    pub fn for_port(port: u16) -> WebLoginOptions {
        WebLoginOptions {
            redirect_uri: redirect_uri_for_port(port),
            scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
            prompt: None,
            login_hint: None,
        }
    }
}

impl Default for WebLoginOptions {
    fn default() -> Self {
        WebLoginOptions::for_port(DEFAULT_PORT)
    }
}

/// One pending browser login: its authorize URL, `state` and PKCE verifier. It accepts one
/// answer (a code or an error); a wrong `state` is refused and does not count. `Debug` shows
/// neither the state nor the verifier.
pub struct WebLogin {
    authorize_url: Url,
    redirect_uri: String,
    redirect: Url,
    state: String,
    pkce: Pkce,
    finished: AtomicBool,
    mismatches: AtomicU32,
}

impl fmt::Debug for WebLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebLogin")
            .field("authorize_host", &self.authorize_url.host_str())
            .field("redirect_uri", &self.redirect_uri)
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (spaces become `%20`).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl WebLogin {
    /// A new login for the config's login URL and client id: random `state` (128 bits) and
    /// PKCE verifier.
    pub fn new(config: &ConnectionConfig, options: &WebLoginOptions) -> Result<WebLogin, ApiError> {
        let state = URL_SAFE_NO_PAD.encode(random_bytes::<16>()?);
        WebLogin::with_secrets(config, options, state, Pkce::generate()?)
    }

    /// [`WebLogin::new`] with a given `state` and verifier (tests).
    pub fn with_secrets(
        config: &ConnectionConfig,
        options: &WebLoginOptions,
        state: String,
        pkce: Pkce,
    ) -> Result<WebLogin, ApiError> {
        let redirect = Url::parse(&options.redirect_uri).map_err(|e| {
            ApiError::Config(format!("redirect URI {:?}: {e}", options.redirect_uri))
        })?;
        let mut authorize_url = config
            .login_url
            .join("/services/oauth2/authorize")
            .map_err(|e| ApiError::Config(format!("login_url: {e}")))?;
        let mut pairs = vec![
            ("response_type", "code".to_string()),
            ("client_id", config.client_id.clone()),
            ("redirect_uri", options.redirect_uri.clone()),
        ];
        if !options.scopes.is_empty() {
            pairs.push(("scope", options.scopes.join(" ")));
        }
        pairs.push(("state", state.clone()));
        pairs.push(("code_challenge", pkce.challenge().to_string()));
        pairs.push(("code_challenge_method", "S256".to_string()));
        if let Some(prompt) = &options.prompt {
            pairs.push(("prompt", prompt.clone()));
        }
        if let Some(hint) = &options.login_hint {
            pairs.push(("login_hint", hint.clone()));
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        authorize_url.set_query(Some(&query.join("&")));
        Ok(WebLogin {
            authorize_url,
            redirect_uri: options.redirect_uri.clone(),
            redirect,
            state,
            pkce,
            finished: AtomicBool::new(false),
            mismatches: AtomicU32::new(0),
        })
    }

    /// The address to open in the browser.
    pub fn authorize_url(&self) -> &Url {
        &self.authorize_url
    }

    /// The redirect URI, exactly as sent (the code exchange repeats it).
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The port to listen on: the redirect URI's, when it is a loopback `http://` address.
    pub fn redirect_port(&self) -> Option<u16> {
        let loopback = match self.redirect.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        (self.redirect.scheme() == "http" && loopback)
            .then(|| self.redirect.port_or_known_default())
            .flatten()
    }

    /// The path the listener answers on (`/OauthRedirect` by default).
    pub(super) fn redirect_path(&self) -> &str {
        self.redirect.path()
    }

    /// This login's `state`, as sent on the authorize URL.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The PKCE verifier, for the code exchange.
    pub(crate) fn code_verifier(&self) -> &SecretString {
        self.pkce.verifier()
    }

    /// True once a code or an error was accepted.
    pub fn is_finished(&self) -> bool {
        self.finished.load(Ordering::SeqCst)
    }

    /// How many answers with a wrong `state` were refused.
    pub(super) fn mismatches(&self) -> u32 {
        self.mismatches.load(Ordering::SeqCst)
    }

    /// Takes the address the user pasted: the code, if its `state` is this login's. An
    /// error redirect (`access_denied`, ...) ends the login with that error.
    pub fn accept_redirect(&self, pasted: &str) -> Result<AuthorizationCode, ApiError> {
        let redirect = parse_redirect(pasted)?;
        self.judge(redirect).map_err(ApiError::BrowserLogin)
    }

    /// Checks one answer. `StateMismatch` (counted) and `AlreadyUsed` leave the login as it
    /// was; a code or an error ends it. An error without `state` is taken as this login's
    /// (whether Salesforce echoes `state` on errors is unconfirmed).
    pub(super) fn judge(&self, r: Redirect) -> Result<AuthorizationCode, BrowserLoginError> {
        let state_ok = r
            .state
            .as_deref()
            .is_some_and(|s| constant_time_eq(s, &self.state));
        let mismatch = || {
            self.mismatches.fetch_add(1, Ordering::SeqCst);
            BrowserLoginError::StateMismatch
        };
        if !state_ok && (r.error.is_none() || r.state.is_some()) {
            return Err(mismatch());
        }
        if self.finished.swap(true, Ordering::SeqCst) {
            return Err(BrowserLoginError::AlreadyUsed);
        }
        match (r.error, r.code) {
            (Some(error), _) => Err(BrowserLoginError::Refused {
                error,
                description: r.error_description.unwrap_or_default(),
            }),
            (None, Some(code)) => Ok(code),
            (None, None) => Err(BrowserLoginError::NotARedirect(
                "it holds no code and no error".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_have_the_documented_shape() {
        let a = Pkce::generate().expect("pkce");
        let b = Pkce::generate().expect("pkce");
        assert_eq!(a.verifier().expose_secret().len(), 43);
        assert_ne!(a.verifier().expose_secret(), b.verifier().expose_secret());
        assert_eq!(a.challenge(), code_challenge(a.verifier().expose_secret()));
        assert!(!format!("{a:?}").contains(a.verifier().expose_secret()));
        for bad in ["short", &"x".repeat(129), &format!("{}!", "a".repeat(43))] {
            assert!(Pkce::from_verifier(SecretString::from(bad.to_string())).is_err());
        }
    }

    #[test]
    fn encode_keeps_unreserved_only() {
        assert_eq!(encode("api refresh_token"), "api%20refresh_token");
        assert_eq!(encode("http://x:1/a"), "http%3A%2F%2Fx%3A1%2Fa");
        assert_eq!(encode("a-b.c_d~"), "a-b.c_d~");
    }
}
