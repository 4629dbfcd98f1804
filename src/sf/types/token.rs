//! Tokens and who they are for: the token endpoint's answer, introspection, the identity URL
//! and OpenID Connect userinfo.

use indexmap::IndexMap;
use jiff::Timestamp;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use crate::sf::error::ApiError;

/// Why a token was requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenewReason {
    /// First login of the session.
    Initial,
    /// The user asked for a new token.
    Manual,
    /// Renewed because the known expiry was near.
    BeforeExpiry,
    /// Renewed because Salesforce answered 401 `INVALID_SESSION_ID`.
    InvalidSession,
}

/// An access token and what came with it. `Debug` masks the token.
#[derive(Debug, Clone)]
pub struct Token {
    /// The bearer token (secret).
    pub access_token: SecretString,
    /// Base URL of every data call.
    pub instance_url: Url,
    /// Identity URL (`id` field).
    pub id_url: Url,
    /// 18-char org id (from the identity URL).
    pub org_id: String,
    /// 18-char run-as user id (from the identity URL).
    pub user_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Always `Bearer`.
    pub token_type: String,
    /// `issued_at` from Salesforce (epoch ms).
    pub issued_at: Timestamp,
    /// When this client received it.
    pub obtained_at: Timestamp,
    /// Why it was requested.
    pub reason: RenewReason,
    /// HMAC signature of `id` + `issued_at`.
    pub signature: Option<String>,
}

impl Token {
    /// Best guess of the expiry without introspection: `issued_at` + 2 h (the org default idle
    /// timeout). Introspect for the real, sliding value.
    pub fn assumed_expiry(&self) -> Timestamp {
        self.issued_at
            .checked_add(jiff::SignedDuration::from_hours(2))
            .unwrap_or(self.issued_at)
    }

    /// True when the token has the given scope (e.g. `api`).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Raw token endpoint success body.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    /// Web server and refresh token grants (the latter with rotation).
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    pub instance_url: String,
    pub id: String,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub issued_at: Option<String>,
}

impl TokenResponse {
    /// Converts to a [`Token`]; fails on unparsable URLs.
    pub(crate) fn into_token(self, reason: RenewReason) -> Result<Token, ApiError> {
        let decode = |m: String| ApiError::Decode {
            what: "token".into(),
            message: m,
        };
        let instance_url = Url::parse(&self.instance_url)
            .map_err(|e| decode(format!("instance_url {:?}: {e}", self.instance_url)))?;
        let id_url = Url::parse(&self.id).map_err(|e| decode(format!("id {:?}: {e}", self.id)))?;
        let segs: Vec<&str> = id_url
            .path_segments()
            .map(|s| s.collect())
            .unwrap_or_default();
        let (org_id, user_id) = match segs.as_slice() {
            [.., org, user] => (org.to_string(), user.to_string()),
            _ => (String::new(), String::new()),
        };
        let now = Timestamp::now();
        let issued_at = self
            .issued_at
            .as_deref()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .and_then(|ms| Timestamp::from_millisecond(ms).ok())
            .unwrap_or(now);
        Ok(Token {
            access_token: SecretString::from(self.access_token),
            instance_url,
            id_url,
            org_id,
            user_id,
            scopes: self
                .scope
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            token_type: self.token_type.unwrap_or_else(|| "Bearer".into()),
            issued_at,
            obtained_at: now,
            reason,
            signature: self.signature,
        })
    }
}

/// Result of `POST /services/oauth2/introspect`.
#[derive(Debug, Clone, PartialEq)]
pub struct Introspection {
    /// False for expired, revoked or unknown tokens.
    pub active: bool,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// Consumer key the token belongs to.
    pub client_id: Option<String>,
    /// Run-as username.
    pub username: Option<String>,
    /// Identity URL of the user.
    pub sub: Option<String>,
    /// E.g. `access_token`.
    pub token_type: Option<String>,
    /// Expiry (sliding).
    pub exp: Option<Timestamp>,
    /// Issued at.
    pub iat: Option<Timestamp>,
    /// Not before.
    pub nbf: Option<Timestamp>,
}

#[derive(Deserialize)]
pub(crate) struct IntrospectionBody {
    #[serde(default)]
    active: bool,
    scope: Option<String>,
    client_id: Option<String>,
    username: Option<String>,
    sub: Option<String>,
    token_type: Option<String>,
    exp: Option<f64>,
    iat: Option<f64>,
    nbf: Option<f64>,
}

impl From<IntrospectionBody> for Introspection {
    fn from(b: IntrospectionBody) -> Self {
        #[allow(clippy::cast_possible_truncation)]
        let ts = |s: Option<f64>| s.and_then(|s| Timestamp::from_second(s as i64).ok());
        Introspection {
            active: b.active,
            scope: b.scope,
            client_id: b.client_id,
            username: b.username,
            sub: b.sub,
            token_type: b.token_type,
            exp: ts(b.exp),
            iat: ts(b.iat),
            nbf: ts(b.nbf),
        }
    }
}

/// The identity URL response (known keys typed, the rest in `extra`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The identity URL itself.
    #[serde(default)]
    pub id: String,
    /// 18-char user id.
    #[serde(default)]
    pub user_id: String,
    /// 18-char org id.
    #[serde(default)]
    pub organization_id: String,
    /// Username.
    #[serde(default)]
    pub username: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Active user.
    #[serde(default)]
    pub active: Option<bool>,
    /// E.g. `STANDARD`.
    #[serde(default)]
    pub user_type: Option<String>,
    /// Time zone.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Locale.
    #[serde(default)]
    pub locale: Option<String>,
    /// Endpoint URLs (with literal `{version}` placeholders).
    #[serde(default)]
    pub urls: IndexMap<String, String>,
    /// All other keys.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The OpenID Connect userinfo response (known keys typed, the rest in `extra`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    /// Identity URL.
    #[serde(default)]
    pub sub: String,
    /// 18-char user id.
    #[serde(default)]
    pub user_id: String,
    /// 18-char org id.
    #[serde(default)]
    pub organization_id: String,
    /// Username.
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Time zone.
    #[serde(default)]
    pub zoneinfo: Option<String>,
    /// All other keys.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf::types::test_fixture;

    #[test]
    fn token_fixture_parses_and_debug_hides_secret() {
        let body: TokenResponse =
            serde_json::from_slice(&test_fixture("restforce/auth_success_response.json"))
                .expect("token body");
        let t = body.into_token(RenewReason::Initial).expect("token");
        assert_eq!(t.org_id, "00Dx0000000BV7z");
        assert_eq!(t.user_id, "005x00000012Q9P");
        assert_eq!(t.instance_url.as_str(), "https://na1.salesforce.com/");
        assert_eq!(t.issued_at.as_millisecond(), 1_278_448_832_702);
        assert_eq!(t.token_type, "Bearer");
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("AR8AQAxo9UfVkh8"), "{dbg}");
    }

    #[test]
    fn token_with_scopes() {
        let body: TokenResponse = serde_json::from_str(
            r#"{"access_token":"00D!x","scope":"api sfap_api","instance_url":"https://a.my.salesforce.com","id":"https://login.salesforce.com/id/00DDn00000Org01MAB/005Dn00000IntUsIAJ","token_type":"Bearer","issued_at":"1767225600000"}"#,
        )
        .expect("parses");
        let t = body.into_token(RenewReason::Manual).expect("token");
        assert_eq!(t.scopes, vec!["api", "sfap_api"]);
        assert_eq!(t.org_id, "00DDn00000Org01MAB");
        assert_eq!(
            t.issued_at,
            Timestamp::from_second(1_767_225_600).expect("ts")
        );
    }

    #[test]
    fn introspection_body() {
        let b: IntrospectionBody = serde_json::from_str(
            r#"{"active":true,"scope":"api","client_id":"3MVG9","username":"u@x","sub":"https://x/id/a/b","token_type":"access_token","exp":1767232800,"iat":1767225600,"nbf":1767225600}"#,
        )
        .expect("body");
        let i = Introspection::from(b);
        assert!(i.active);
        assert_eq!(
            i.exp,
            Some(Timestamp::from_second(1_767_232_800).expect("ts"))
        );
        let inactive = Introspection::from(
            serde_json::from_str::<IntrospectionBody>(r#"{"active":false}"#).expect("body"),
        );
        assert!(!inactive.active && inactive.exp.is_none());
    }
}
