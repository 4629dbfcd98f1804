//! Which OAuth grant gets (and renews) the client's access token: client credentials, a
//! refresh token from a browser login, a JWT bearer assertion, or an outside source such as
//! the Salesforce CLI.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use secrecy::SecretString;
use url::Url;

use super::{RenewReason, Token};
use crate::sf::error::ApiError;

/// How the client obtains a token, first and on every renewal (also the one after a 401
/// `INVALID_SESSION_ID`). `Debug` never shows a secret.
#[derive(Clone, Default)]
pub enum Grant {
    /// `grant_type=client_credentials` with the config's client id and secret (the default).
    #[default]
    ClientCredentials,
    /// `grant_type=refresh_token`, the refresh token of a browser (web server) login. `None`
    /// until the first login: [`SfClient::exchange_code`](crate::sf::SfClient::exchange_code)
    /// fills it in, and a renewal without one fails with [`ApiError::LoginRequired`]. The
    /// config's client secret is sent only when it is not empty (a PKCE app needs none).
    RefreshToken {
        /// The refresh token, kept in memory only (the caller persists it in the keychain).
        refresh_token: Option<SecretString>,
    },
    /// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, a new RS256 assertion signed
    /// for every request; the config's client id is the assertion's `iss`.
    JwtBearer(JwtBearer),
    /// A token from outside OAuth, such as the Salesforce CLI
    /// ([`SfCliSource`](crate::sf::sfcli::SfCliSource)); a renewal asks the source again.
    External(Arc<dyn TokenSource>),
}

impl Grant {
    /// The kind of grant, for diagnoses and display.
    pub fn kind(&self) -> GrantKind {
        match self {
            Grant::ClientCredentials => GrantKind::ClientCredentials,
            Grant::RefreshToken { .. } => GrantKind::RefreshToken,
            Grant::JwtBearer(_) => GrantKind::JwtBearer,
            Grant::External(_) => GrantKind::External,
        }
    }
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grant::ClientCredentials => f.write_str("ClientCredentials"),
            Grant::RefreshToken { refresh_token } => f
                .debug_struct("RefreshToken")
                .field("has_refresh_token", &refresh_token.is_some())
                .finish(),
            Grant::JwtBearer(jwt) => f.debug_tuple("JwtBearer").field(jwt).finish(),
            Grant::External(source) => f.debug_tuple("External").field(&source.describe()).finish(),
        }
    }
}

/// The OAuth grant a token request used: what a diagnosis needs to read Salesforce's error
/// in the right light (`invalid_grant` means something else for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantKind {
    /// `client_credentials`.
    ClientCredentials,
    /// `authorization_code`: the code exchange at the end of a browser login.
    AuthorizationCode,
    /// `refresh_token`.
    RefreshToken,
    /// `urn:ietf:params:oauth:grant-type:jwt-bearer`.
    JwtBearer,
    /// A token from an outside source (the Salesforce CLI).
    External,
}

impl GrantKind {
    /// A short name for people, e.g. `browser login`.
    pub fn label(self) -> &'static str {
        match self {
            GrantKind::ClientCredentials => "client credentials",
            GrantKind::AuthorizationCode => "browser login",
            GrantKind::RefreshToken => "refresh token",
            GrantKind::JwtBearer => "JWT bearer",
            GrantKind::External => "Salesforce CLI",
        }
    }
}

impl fmt::Display for GrantKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What the JWT bearer grant signs with. `Debug` never shows the key.
#[derive(Debug, Clone)]
pub struct JwtBearer {
    /// The Salesforce username the token is for (`sub`; the sandbox form for sandboxes).
    pub username: String,
    /// The RSA private key (PEM, PKCS#1 or PKCS#8) matching the certificate on the app.
    pub private_key: SecretString,
    /// `aud`; `None` derives it from the login URL ([`jwt_audience`]).
    pub audience: Option<String>,
    /// How far ahead `exp` lies (Salesforce documents "within 3 minutes").
    pub lifetime: Duration,
}

/// The default lifetime of a JWT assertion: 3 minutes, as Salesforce documents.
pub const JWT_LIFETIME: Duration = Duration::from_secs(180);

impl JwtBearer {
    /// Signs for `username` with `private_key`, audience from the login URL, 3-minute `exp`.
    pub fn new(username: impl Into<String>, private_key: SecretString) -> JwtBearer {
        JwtBearer {
            username: username.into(),
            private_key,
            audience: None,
            lifetime: JWT_LIFETIME,
        }
    }

    /// The `aud` claim for a login URL: the given audience, else [`jwt_audience`].
    pub fn audience_for(&self, login_url: &Url) -> String {
        self.audience
            .clone()
            .unwrap_or_else(|| jwt_audience(login_url))
    }
}

/// Production and Developer Edition login origin.
pub const LOGIN_ORIGIN: &str = "https://login.salesforce.com";
/// Sandbox login origin.
pub const TEST_ORIGIN: &str = "https://test.salesforce.com";

/// The JWT `aud` for a login URL. `login.salesforce.com` and `test.salesforce.com` are their
/// own audience; a My Domain is not an audience Salesforce is known to accept, so a sandbox or
/// scratch My Domain (`*.sandbox.my.salesforce.com`, `*.scratch.my.salesforce.com`, the older
/// `acme--uat.my.salesforce.com`) maps to `test.salesforce.com` and any other Salesforce host
/// to `login.salesforce.com`. Every other host (a loopback mock org, an Experience Cloud site)
/// is its own audience: the login URL's origin.
pub fn jwt_audience(login_url: &Url) -> String {
    let host = login_url
        .host_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let salesforce = host.ends_with(".salesforce.com") || host.ends_with(".force.com");
    let sandbox = host.ends_with(".sandbox.my.salesforce.com")
        || host.ends_with(".scratch.my.salesforce.com")
        || (host.contains("--") && host.ends_with(".my.salesforce.com"));
    match host.as_str() {
        "login.salesforce.com" => LOGIN_ORIGIN.to_string(),
        "test.salesforce.com" => TEST_ORIGIN.to_string(),
        _ if sandbox => TEST_ORIGIN.to_string(),
        _ if salesforce => LOGIN_ORIGIN.to_string(),
        _ => login_url.origin().ascii_serialization(),
    }
}

/// A source of access tokens outside the OAuth grants (the Salesforce CLI). The client asks
/// it for every login and renewal, one request at a time.
pub trait TokenSource: Send + Sync {
    /// A fresh token. A source that does not know the user id leaves `user_id` empty: the
    /// client then asks `/services/oauth2/userinfo` with the token and fills it in.
    fn token(&self, reason: RenewReason) -> BoxFuture<'_, Result<Token, ApiError>>;

    /// The error when Salesforce refuses a token this source just gave (a stale login).
    fn refused(&self) -> ApiError;

    /// Who the source is, for `Debug` and logs (never a secret), e.g. `sf CLI org "acme"`.
    fn describe(&self) -> String;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aud(url: &str) -> String {
        jwt_audience(&Url::parse(url).expect("url"))
    }

    #[test]
    fn audience_follows_the_login_host() {
        assert_eq!(aud("https://login.salesforce.com"), LOGIN_ORIGIN);
        assert_eq!(aud("https://LOGIN.salesforce.com/"), LOGIN_ORIGIN);
        assert_eq!(aud("https://test.salesforce.com"), TEST_ORIGIN);
        assert_eq!(aud("https://acme.my.salesforce.com"), LOGIN_ORIGIN);
        assert_eq!(aud("https://acme.develop.my.salesforce.com"), LOGIN_ORIGIN);
        assert_eq!(
            aud("https://acme--uat.sandbox.my.salesforce.com"),
            TEST_ORIGIN
        );
        assert_eq!(aud("https://acme--uat.my.salesforce.com"), TEST_ORIGIN);
        assert_eq!(
            aud("https://ability-dream-1234.scratch.my.salesforce.com"),
            TEST_ORIGIN
        );
        assert_eq!(aud("https://127.0.0.1:8443/"), "https://127.0.0.1:8443");
        assert_eq!(aud("http://localhost:9000"), "http://localhost:9000");
        assert_eq!(aud("https://acme.my.site.com"), "https://acme.my.site.com");
    }

    #[test]
    fn an_explicit_audience_wins_and_debug_hides_the_key() {
        let mut jwt = JwtBearer::new("ops@acme.com", SecretString::from("PEM-SECRET"));
        let url = Url::parse("https://acme.my.salesforce.com").expect("url");
        assert_eq!(jwt.audience_for(&url), LOGIN_ORIGIN);
        jwt.audience = Some("https://acme.my.site.com".into());
        assert_eq!(jwt.audience_for(&url), "https://acme.my.site.com");
        let grant = Grant::JwtBearer(jwt);
        let refresh = Grant::RefreshToken {
            refresh_token: Some(SecretString::from("REFRESH-SECRET")),
        };
        let dbg = format!("{grant:?} {refresh:?}");
        assert!(
            !dbg.contains("PEM-SECRET") && !dbg.contains("REFRESH-SECRET"),
            "{dbg}"
        );
        assert_eq!(grant.kind(), GrantKind::JwtBearer);
        assert_eq!(Grant::default().kind(), GrantKind::ClientCredentials);
    }
}
