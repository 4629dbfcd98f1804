//! Connection settings and API versions: how to reach one org, which version to speak, the
//! versions the org lists.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

use super::grant::{Grant, JwtBearer, TokenSource};
use crate::sf::client::{MAX_ATTEMPTS, RetryPolicy};
use crate::sf::error::ApiError;

/// How the client id and secret are sent to the OAuth endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuthStyle {
    /// `client_id` and `client_secret` in the form body (what restforce does).
    #[default]
    Body,
    /// HTTP Basic `Authorization` header (what simple-salesforce does).
    Basic,
}

/// Everything needed to connect to one org. `Debug` never shows the secret.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// The org's My Domain URL (token endpoint host), e.g. `https://acme.my.salesforce.com`.
    pub login_url: Url,
    /// Consumer key of the External Client App / Connected App.
    pub client_id: String,
    /// Consumer secret (client credentials; optional for the refresh token and browser
    /// login grants, where an empty secret is not sent).
    pub client_secret: SecretString,
    /// How the token is obtained and renewed; [`Grant::ClientCredentials`] by default.
    pub grant: Grant,
    /// Body or Basic client authentication.
    pub auth_style: ClientAuthStyle,
    /// Pinned API version; `None` = the highest the org offers.
    pub api_version: Option<ApiVersion>,
    /// Extra trusted CA (PEM), e.g. a TLS-inspecting proxy's or the mock org's.
    pub ca_file: Option<PathBuf>,
    /// Timeout of every request.
    pub timeout: Duration,
    /// How requests that meet a failure that passes are tried again ([`default_retry_policy`]).
    pub retry: RetryPolicy,
}

/// The environment variable that sets the request timeout in seconds (default 30).
pub const TIMEOUT_ENV: &str = "SFTERM_TIMEOUT";

/// The request timeout: `SFTERM_TIMEOUT` seconds when set to a positive number, else 30 s.
pub fn default_timeout() -> Duration {
    std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .map_or(Duration::from_secs(30), Duration::from_secs)
}

/// The environment variable that sets how many times a request is tried at most (the first
/// try included; 1 never retries).
pub const RETRIES_ENV: &str = "SFTERM_RETRIES";

/// The tries `retries` in config.toml asks for (0: not set), see [`set_configured_attempts`].
static CONFIGURED_ATTEMPTS: AtomicU32 = AtomicU32::new(0);

/// Makes `attempts` (config.toml's `retries`, read at start by the TUI and the commands) the
/// tries of every client built afterwards, unless `SFTERM_RETRIES` says otherwise.
pub fn set_configured_attempts(attempts: u32) {
    CONFIGURED_ATTEMPTS.store(attempts.clamp(1, MAX_ATTEMPTS), Ordering::Relaxed);
}

/// Reads a number of tries (`SFTERM_RETRIES`, `retries`): a whole number from 1 to
/// [`MAX_ATTEMPTS`].
pub fn parse_attempts(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_ATTEMPTS).contains(&n) => Ok(n),
        _ => Err(format!(
            "must be a whole number of tries from 1 (never retry) to {MAX_ATTEMPTS}, not {text:?}"
        )),
    }
}

/// The retry policy of a new client: [`RetryPolicy::default`] with `SFTERM_RETRIES` tries when
/// that is set to a valid number, else config.toml's `retries`, else
/// [`DEFAULT_ATTEMPTS`](crate::sf::client::DEFAULT_ATTEMPTS).
pub fn default_retry_policy() -> RetryPolicy {
    let from_env = std::env::var(RETRIES_ENV).ok().and_then(|v| {
        parse_attempts(&v)
            .map_err(|e| tracing::warn!("{RETRIES_ENV} {e}; ignored"))
            .ok()
    });
    let configured = Some(CONFIGURED_ATTEMPTS.load(Ordering::Relaxed)).filter(|n| *n > 0);
    let mut policy = RetryPolicy::default();
    if let Some(attempts) = from_env.or(configured) {
        policy.attempts = attempts;
    }
    policy
}

impl ConnectionConfig {
    /// A client credentials config with body auth, no pinned version, no CA file, the
    /// [`default_timeout`] and the [`default_retry_policy`].
    pub fn new(login_url: Url, client_id: impl Into<String>, client_secret: SecretString) -> Self {
        ConnectionConfig {
            login_url,
            client_id: client_id.into(),
            client_secret,
            grant: Grant::ClientCredentials,
            auth_style: ClientAuthStyle::Body,
            api_version: None,
            ca_file: None,
            timeout: default_timeout(),
            retry: default_retry_policy(),
        }
    }

    /// A browser-login (web server flow) config renewed with its refresh token: `None` until
    /// the first login. `client_secret` only if the app requires one (PKCE apps do not).
    pub fn refresh_token(
        login_url: Url,
        client_id: impl Into<String>,
        client_secret: Option<SecretString>,
        refresh_token: Option<SecretString>,
    ) -> Self {
        ConnectionConfig {
            grant: Grant::RefreshToken { refresh_token },
            ..ConnectionConfig::new(
                login_url,
                client_id,
                client_secret.unwrap_or_else(|| SecretString::from("")),
            )
        }
    }

    /// A JWT bearer config: `client_id` is the consumer key (`iss`); see [`JwtBearer`].
    pub fn jwt_bearer(login_url: Url, client_id: impl Into<String>, jwt: JwtBearer) -> Self {
        ConnectionConfig {
            grant: Grant::JwtBearer(jwt),
            ..ConnectionConfig::new(login_url, client_id, SecretString::from(""))
        }
    }

    /// A config whose tokens come from `source` (the Salesforce CLI). `login_url` is only
    /// used for the OAuth endpoints (revoke); the instance comes with each token.
    pub fn external(login_url: Url, source: std::sync::Arc<dyn TokenSource>) -> Self {
        ConnectionConfig {
            grant: Grant::External(source),
            ..ConnectionConfig::new(login_url, "", SecretString::from(""))
        }
    }
}

/// A REST API version such as `62.0` (always a whole number on Salesforce).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion(pub u16);

impl ApiVersion {
    /// The URL path segment, e.g. `v62.0`.
    pub fn path_segment(self) -> String {
        format!("v{}.0", self.0)
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.0", self.0)
    }
}

impl FromStr for ApiVersion {
    type Err = ApiError;

    /// Accepts `62.0`, `v62.0`, `V62.0` and `62`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ApiError::InvalidInput(format!("not an API version: {s:?}"));
        let t = s.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        let major = match t.split_once('.') {
            Some((major, "0")) => major,
            Some(_) => return Err(bad()),
            None => t,
        };
        if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        major.parse::<u16>().map(ApiVersion).map_err(|_| bad())
    }
}

impl Serialize for ApiVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ApiVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One entry of `GET /services/data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiVersionInfo {
    /// Release name, e.g. `Summer '26`.
    #[serde(default)]
    pub label: String,
    /// E.g. `/services/data/v67.0`.
    #[serde(default)]
    pub url: String,
    /// E.g. `67.0`.
    pub version: String,
}

impl ApiVersionInfo {
    /// The parsed version, if well-formed.
    pub fn api_version(&self) -> Option<ApiVersion> {
        self.version.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf::types::test_json as json;

    #[test]
    fn api_version_parses_and_prints() {
        for s in ["62.0", "v62.0", "V62.0", "62", " 62.0 "] {
            let v: ApiVersion = s.parse().expect("valid");
            assert_eq!(v, ApiVersion(62));
            assert_eq!(v.to_string(), "62.0");
            assert_eq!(v.path_segment(), "v62.0");
        }
        for s in ["", "v", "62.5", "abc", "6 2", "-1", "99999999"] {
            assert!(s.parse::<ApiVersion>().is_err(), "{s:?}");
        }
        assert!(ApiVersion(61) < ApiVersion(62));
    }

    #[test]
    fn versions_fixture() {
        let v: Vec<ApiVersionInfo> =
            serde_json::from_value(json("restforce/services_data_success_response.json"))
                .expect("versions");
        let max = v.iter().filter_map(ApiVersionInfo::api_version).max();
        assert_eq!(max, Some(ApiVersion(100)));
    }
}
