//! JWT bearer assertions: RS256, claims `iss`/`sub`/`aud`/`exp`, a new one for every token
//! request (Salesforce help `remoteaccess_oauth_jwt_flow`).

use jiff::Timestamp;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::sf::error::ApiError;
use crate::sf::types::JwtBearer;

/// The `grant_type` of the JWT bearer flow.
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The claims of an assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The consumer key of the app that holds the certificate.
    pub iss: String,
    /// The Salesforce username.
    pub sub: String,
    /// `https://login.salesforce.com`, `https://test.salesforce.com` or a site / mock origin.
    pub aud: String,
    /// Expiry, NumericDate in seconds.
    pub exp: i64,
}

impl Claims {
    /// The claims for `client_id` and `jwt` at `now`: `exp` = now + the lifetime, `aud` from
    /// the login URL unless given.
    pub fn new(client_id: &str, jwt: &JwtBearer, login_url: &Url, now: Timestamp) -> Claims {
        let lifetime = i64::try_from(jwt.lifetime.as_secs()).unwrap_or(i64::MAX);
        Claims {
            iss: client_id.to_string(),
            sub: jwt.username.clone(),
            aud: jwt.audience_for(login_url),
            exp: now.as_second().saturating_add(lifetime),
        }
    }
}

/// Reads the RSA private key (PEM, PKCS#1 or PKCS#8) of a JWT bearer config. The error never
/// quotes the key.
pub fn signing_key(private_key: &SecretString) -> Result<EncodingKey, ApiError> {
    EncodingKey::from_rsa_pem(private_key.expose_secret().as_bytes()).map_err(|e| {
        ApiError::Config(format!(
            "the JWT private key is not an RSA private key in PEM form ({e})"
        ))
    })
}

/// Signs `claims` with RS256. The assertion is a credential for its lifetime: a secret.
pub fn sign(claims: &Claims, key: &EncodingKey) -> Result<SecretString, ApiError> {
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), claims, key)
        .map(SecretString::from)
        .map_err(|e| ApiError::Config(format!("cannot sign the JWT assertion: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn claims_are_seconds_ahead_and_audience_from_the_host() {
        let jwt = JwtBearer::new("ops@acme.com.uat", SecretString::from("k"));
        let now = Timestamp::from_second(1_767_225_600).expect("ts");
        let url = Url::parse("https://acme--uat.sandbox.my.salesforce.com").expect("url");
        let c = Claims::new("3MVG9", &jwt, &url, now);
        assert_eq!(c.iss, "3MVG9");
        assert_eq!(c.sub, "ops@acme.com.uat");
        assert_eq!(c.aud, "https://test.salesforce.com");
        assert_eq!(c.exp, 1_767_225_600 + 180);
        let short = JwtBearer {
            lifetime: Duration::from_secs(30),
            ..jwt
        };
        assert_eq!(Claims::new("x", &short, &url, now).exp, 1_767_225_630);
    }

    #[test]
    fn a_bad_key_is_a_config_error_without_the_key() {
        let e = signing_key(&SecretString::from("not a pem SECRET-BITS")).expect_err("bad");
        assert!(matches!(e, ApiError::Config(_)), "{e:?}");
        assert!(!e.to_string().contains("SECRET-BITS"), "{e}");
    }
}
