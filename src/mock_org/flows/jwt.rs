//! The JWT bearer flow (`auth-flows.md` §3, §6): the org's RSA key pair and self-signed X.509
//! certificate (made on first need, or a certificate given in `MockOrgConfig::jwt_cert`), the
//! assertion check, and the `id_token` of the web flow (signed with the same generated pair).
//!
//! Checks, in order: a parsable RS256 JWT (`invalid assertion`), a known `iss`
//! (`invalid_client_id`), the signature against the app's certificate (`invalid assertion`),
//! `aud` (`audience is invalid`), `exp` on the org's clock (`expired authorization code`), `sub`
//! pre-authorised (`user hasn't approved this consumer`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::response::Response;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use super::user_inactive;
use crate::mock_org::MockOrgError;
use crate::mock_org::oauth::field;
use crate::mock_org::oauth::{Issued, new_access_token, token_response};
use crate::mock_org::private_file::write_private;
use crate::mock_org::state::{Shared, oauth_error};

/// `grant_type` of the JWT bearer flow.
pub(crate) const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The real login and test origins, accepted as `aud` (§3.1).
const LOGIN_AUDIENCES: [&str; 2] = [
    "https://login.salesforce.com",
    "https://test.salesforce.com",
];

/// A key pair the org made: the private key (PKCS#8 PEM) and its self-signed certificate.
pub(crate) struct KeyPair {
    pub private_pem: SecretString,
    pub cert_pem: String,
    decoding: DecodingKey,
    encoding: EncodingKey,
}

/// The org's keys: the certificate JWT assertions are checked against (a given one, or the one
/// of the pair made on first need) and the pair that signs `id_token`s.
pub(crate) struct OrgKeys {
    /// `(file, PEM, key)` of a certificate or public key given by the user.
    given: Option<(PathBuf, String, DecodingKey)>,
    pair: OnceLock<Result<KeyPair, String>>,
}

/// The operating system's RNG for `rsa` (whose `rand_core` is newer than the crate's `rand`):
/// the thread RNG, a CSPRNG seeded from the OS.
struct ThreadRng;

impl rsa::rand_core::TryRng for ThreadRng {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(rand::random())
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(rand::random())
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        rand::fill(dst);
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for ThreadRng {}

fn generate() -> Result<KeyPair, String> {
    let key = rsa::PrivateKey::new(&mut ThreadRng, 2048).map_err(|e| e.to_string())?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| e.to_string())?;
    let signer = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256)
        .map_err(|e| e.to_string())?;
    let mut params =
        rcgen::CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "sfterm mock org JWT bearer");
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2045, 1, 1);
    let cert_pem = params
        .self_signed(&signer)
        .map_err(|e| e.to_string())?
        .pem();
    // Assertions are checked against the certificate itself, as Salesforce holds only that.
    let decoding = DecodingKey::from_rsa_pem(cert_pem.as_bytes()).map_err(|e| e.to_string())?;
    let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| e.to_string())?;
    Ok(KeyPair {
        private_pem: SecretString::from(pem.as_str().to_owned()),
        cert_pem,
        decoding,
        encoding,
    })
}

impl OrgKeys {
    /// Reads the given certificate (or public key) PEM, if any; nothing is generated yet.
    pub(crate) fn new(cert: Option<&Path>) -> Result<OrgKeys, MockOrgError> {
        let given = match cert {
            Some(path) => {
                let pem = std::fs::read_to_string(path).map_err(|e| {
                    MockOrgError::Jwt(format!("cannot read {}: {e}", path.display()))
                })?;
                let key = DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(|e| {
                    MockOrgError::Jwt(format!(
                        "{} is not an RSA certificate or public key PEM: {e}",
                        path.display()
                    ))
                })?;
                Some((path.to_owned(), pem, key))
            }
            None => None,
        };
        Ok(OrgKeys {
            given,
            pair: OnceLock::new(),
        })
    }

    /// The org's own pair, made on first call (a 2048-bit RSA key takes a moment).
    pub(crate) fn pair(&self) -> Result<&KeyPair, MockOrgError> {
        self.pair
            .get_or_init(generate)
            .as_ref()
            .map_err(|e| MockOrgError::Jwt(format!("cannot make the JWT key pair: {e}")))
    }

    /// The key assertions are verified with.
    fn verifying_key(&self) -> Result<&DecodingKey, MockOrgError> {
        match &self.given {
            Some((_, _, key)) => Ok(key),
            None => Ok(&self.pair()?.decoding),
        }
    }

    /// The certificate PEM assertions are checked against.
    pub(crate) fn certificate_pem(&self) -> Result<String, MockOrgError> {
        match &self.given {
            Some((_, pem, _)) => Ok(pem.clone()),
            None => Ok(self.pair()?.cert_pem.clone()),
        }
    }

    /// The given certificate's file, if one was given.
    pub(crate) fn given_file(&self) -> Option<&Path> {
        self.given.as_ref().map(|(path, _, _)| path.as_path())
    }

    /// The private key matching the certificate (PKCS#8 PEM), unless the certificate was
    /// given (its key is the user's).
    pub(crate) fn private_key_pem(&self) -> Result<Option<SecretString>, MockOrgError> {
        if self.given.is_some() {
            return Ok(None);
        }
        Ok(Some(self.pair()?.private_pem.clone()))
    }
}

/// Where `MockOrg::write_jwt_files` put the key and certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtFiles {
    /// The private key (PKCS#8 PEM, mode 0600); `None` when the certificate was given.
    pub key: Option<PathBuf>,
    /// The certificate the org checks assertions against.
    pub cert: PathBuf,
}

fn with_suffix(base: &Path, suffix: &str) -> PathBuf {
    let mut name = base.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Where [`write_files`] puts the private key for `base`: `{base}.jwt-key.pem`.
pub fn key_path(base: &Path) -> PathBuf {
    with_suffix(base, ".jwt-key.pem")
}

/// Writes `{base}.jwt-key.pem` and `{base}.jwt-cert.pem` (both 0600); with a given certificate,
/// nothing is written and its own file is named.
pub(crate) fn write_files(keys: &OrgKeys, base: &Path) -> Result<JwtFiles, MockOrgError> {
    if let Some(path) = keys.given_file() {
        return Ok(JwtFiles {
            key: None,
            cert: path.to_owned(),
        });
    }
    let pair = keys.pair()?;
    let (key, cert) = (key_path(base), with_suffix(base, ".jwt-cert.pem"));
    write_private(&key, pair.private_pem.expose_secret().as_bytes())?;
    write_private(&cert, pair.cert_pem.as_bytes())?;
    Ok(JwtFiles {
        key: Some(key),
        cert,
    })
}

/// The `aud` values accepted: the real login and test origins, the mock's login and test
/// hosts, and the org's My Domain only with `jwt_my_domain_audience` (UNCONFIRMED on
/// Salesforce). The mock's own origins also with a trailing slash.
fn audiences(shared: &Shared) -> Vec<String> {
    let mut out: Vec<String> = LOGIN_AUDIENCES.iter().map(|a| (*a).to_owned()).collect();
    let mut origins = shared.login_origins.clone();
    if shared.config.jwt_my_domain_audience {
        origins.push(shared.origin());
    }
    for origin in origins {
        out.push(format!("{origin}/"));
        out.push(origin);
    }
    out
}

/// `exp` in seconds: a number, or a string of digits (Salesforce's own doc sample quotes it;
/// acceptance UNCONFIRMED).
fn exp_seconds(claims: &Value) -> Option<i64> {
    match claims.get("exp")? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn invalid_assertion() -> Response {
    oauth_error("invalid_grant", "invalid assertion")
}

/// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`.
pub(crate) fn jwt_bearer(shared: &Shared, form: &[(String, String)]) -> Response {
    let assertion = field(form, "assertion").unwrap_or_default();
    match jsonwebtoken::decode_header(assertion) {
        Ok(header) if header.alg == Algorithm::RS256 => {}
        _ => return invalid_assertion(),
    }
    let Ok(claims) = jsonwebtoken::dangerous::insecure_decode_claims::<Value>(assertion) else {
        return invalid_assertion();
    };
    let iss = claims
        .get("iss")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(app) = shared.apps.iter().position(|a| a.client_id == iss) else {
        return oauth_error("invalid_client_id", "client identifier invalid");
    };
    // Only the main app has a certificate uploaded ("Use digital signatures").
    if app != 0 {
        return invalid_assertion();
    }
    let key = match shared.keys.verifying_key() {
        Ok(key) => key,
        Err(e) => {
            tracing::error!("mock org: {e}");
            return invalid_assertion();
        }
    };
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = 0;
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["aud"]);
    validation.set_audience(&audiences(shared));
    if let Err(e) = jsonwebtoken::decode::<Value>(assertion, key, &validation) {
        return match e.kind() {
            ErrorKind::InvalidAudience => oauth_error("invalid_grant", "audience is invalid"),
            ErrorKind::MissingRequiredClaim(c) | ErrorKind::InvalidClaimFormat(c) if c == "aud" => {
                oauth_error("invalid_grant", "audience is invalid")
            }
            _ => invalid_assertion(),
        };
    }
    // A missing or unreadable `exp` is taken as a malformed assertion (UNCONFIRMED).
    let Some(exp) = exp_seconds(&claims) else {
        return invalid_assertion();
    };
    let now = shared.clock.now_ms();
    if exp.saturating_mul(1000) <= now {
        return oauth_error("invalid_grant", "expired authorization code");
    }
    if let Some(max) = shared.config.jwt_max_exp {
        let max = i64::try_from(max.as_millis()).unwrap_or(i64::MAX);
        if exp.saturating_mul(1000) > now.saturating_add(max) {
            return invalid_assertion();
        }
    }
    let sub = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let preauthorized = match &shared.config.preauthorized_users {
        Some(users) => users.iter().any(|u| u == sub),
        None => sub == shared.username,
    };
    if !preauthorized {
        return oauth_error("invalid_grant", "user hasn't approved this consumer");
    }
    if user_inactive(shared) {
        return oauth_error("invalid_grant", "inactive user");
    }
    let access_token = new_access_token(shared, app, None);
    token_response(
        shared,
        app,
        Issued {
            access_token,
            refresh_token: None,
            scope: shared.config.oauth_scopes.clone(),
            id_token: None,
            signed: shared.config.jwt_signature_and_issued_at,
        },
    )
}

/// The OpenID Connect `id_token` of a web-flow login with the `openid` scope, signed RS256
/// with the org's pair; `None` if the pair cannot be made.
pub(crate) fn id_token(shared: &Shared, app: usize, nonce: Option<&str>) -> Option<String> {
    let pair = match shared.keys.pair() {
        Ok(pair) => pair,
        Err(e) => {
            tracing::error!("mock org: {e}");
            return None;
        }
    };
    let now = shared.clock.now_ms() / 1000;
    let mut claims = json!({
        "at_hash": super::random_text(22),
        "sub": shared.identity_url(),
        "aud": shared.apps.get(app).map(|a| a.client_id.clone()),
        "iss": shared.origin(),
        "exp": now + 300,
        "iat": now,
        "preferred_username": shared.username,
    });
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("SFTERM".to_owned());
    jsonwebtoken::encode(&header, &claims, &pair.encoding).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_read_from_numbers_and_numeric_strings() {
        assert_eq!(
            exp_seconds(&json!({"exp": 1_767_225_600})),
            Some(1_767_225_600)
        );
        assert_eq!(
            exp_seconds(&json!({"exp": "1767225600"})),
            Some(1_767_225_600)
        );
        assert_eq!(exp_seconds(&json!({"exp": 1.5e9})), Some(1_500_000_000));
        assert_eq!(exp_seconds(&json!({"exp": "soon"})), None);
        assert_eq!(exp_seconds(&json!({})), None);
    }

    /// The generated pair signs, its certificate PEM verifies (jsonwebtoken reads the public
    /// key out of a CERTIFICATE PEM), and a certificate file can be given instead.
    #[test]
    fn generated_pair_signs_and_its_certificate_verifies() {
        let started = std::time::Instant::now();
        let keys = OrgKeys::new(None).expect("keys");
        let pair = keys.pair().expect("pair");
        eprintln!("key pair made in {:?}", started.elapsed());
        assert!(pair.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let private = keys.private_key_pem().expect("pem").expect("own key");
        assert!(
            private
                .expose_secret()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        let claims = json!({"iss": "x", "aud": "https://login.salesforce.com", "exp": 1});
        let signing = EncodingKey::from_rsa_pem(private.expose_secret().as_bytes()).expect("key");
        let jwt =
            jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &signing).expect("signs");
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.set_audience(&["https://login.salesforce.com"]);
        let cert_key = DecodingKey::from_rsa_pem(keys.certificate_pem().expect("cert").as_bytes())
            .expect("a CERTIFICATE PEM is a decoding key");
        jsonwebtoken::decode::<Value>(&jwt, &cert_key, &validation).expect("verifies");

        let dir = tempfile::tempdir().expect("dir");
        let files = write_files(&keys, &dir.path().join("org")).expect("written");
        let key_file = files.key.expect("key file");
        assert!(key_file.ends_with("org.jwt-key.pem"), "{key_file:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key_file)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let given = OrgKeys::new(Some(&files.cert)).expect("given certificate");
        assert!(given.private_key_pem().expect("no key").is_none());
        jsonwebtoken::decode::<Value>(&jwt, given.verifying_key().expect("key"), &validation)
            .expect("verifies against the given file");
        let written = write_files(&given, &dir.path().join("other")).expect("named");
        assert_eq!(written.cert, files.cert);
        assert!(written.key.is_none());
        assert!(OrgKeys::new(Some(&key_file.with_extension("missing"))).is_err());
    }
}
