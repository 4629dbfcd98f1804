//! The one way from a [`Profile`] to the client's [`ConnectionConfig`], used by the TUI and
//! every command (the credentials are obtained separately: the secret from the prompt,
//! environment, command or file, the refresh token from the keychain, the key from its file).

use std::sync::Arc;

use secrecy::SecretString;

use super::profiles::{AuthStyle, Flow, Profile};
use crate::sf::sfcli::SfCliSource;
use crate::sf::{ApiVersion, ClientAuthStyle, ConnectionConfig, JwtBearer};

/// The secrets a profile's flow needs, obtained by the caller. `Debug` shows none of them.
#[derive(Default)]
pub struct Credentials {
    /// The client secret (client credentials; a browser login to an app that requires one).
    pub client_secret: Option<SecretString>,
    /// A browser login's stored refresh token (`None`: log in in the browser first).
    pub refresh_token: Option<SecretString>,
    /// A JWT profile's private key (PEM), read from its key file.
    pub private_key: Option<SecretString>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_secret", &self.client_secret.is_some())
            .field("refresh_token", &self.refresh_token.is_some())
            .field("private_key", &self.private_key.is_some())
            .finish()
    }
}

/// The login URL of the Salesforce CLI's profiles that name none: only used to revoke.
const SF_CLI_DEFAULT_ENDPOINT: &str = "https://login.salesforce.com";

/// Why a profile cannot be turned into a client configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionError {
    /// The endpoint is not a usable login URL.
    #[error("Profile \"{profile}\" has an unusable endpoint: {reason}")]
    Endpoint { profile: String, reason: String },
    /// `api_version` is neither `auto` nor a version like `62.0`.
    #[error("Profile \"{profile}\" pins an invalid API version '{value}': {reason}")]
    ApiVersion {
        profile: String,
        value: String,
        reason: String,
    },
    /// A secret the flow needs was not given.
    #[error("Profile \"{profile}\" has no {what}")]
    Missing { profile: String, what: &'static str },
}

impl ConnectionError {
    /// What the user does about it, in the words of the TUI (the CLI says `sfterm profiles`).
    pub fn fix(&self) -> &'static str {
        match self {
            ConnectionError::Endpoint { .. } => "Edit the profile (e) and set your My Domain URL.",
            ConnectionError::ApiVersion { .. } => {
                "Edit the profile and write a version like 62.0, or auto."
            }
            ConnectionError::Missing { .. } => "Edit the profile (e) and complete its login flow.",
        }
    }
}

/// The client settings of `profile` with its credentials: the flow's grant, endpoint
/// normalised, auth style, the pinned API version (`auto` or none = the highest the org
/// offers), extra CA, the timeout.
pub fn connection_config(
    profile: &Profile,
    credentials: Credentials,
) -> Result<ConnectionConfig, ConnectionError> {
    let endpoint_text = match &profile.flow {
        Flow::SfCli { .. } if profile.endpoint.trim().is_empty() => SF_CLI_DEFAULT_ENDPOINT,
        _ => profile.endpoint.as_str(),
    };
    let endpoint =
        super::endpoint::normalize(endpoint_text).map_err(|e| ConnectionError::Endpoint {
            profile: profile.name.clone(),
            reason: e.to_string(),
        })?;
    let missing = |what| ConnectionError::Missing {
        profile: profile.name.clone(),
        what,
    };
    let client_id = profile.client_id.clone();
    let mut config = match &profile.flow {
        Flow::ClientCredentials => ConnectionConfig::new(
            endpoint.url,
            client_id,
            credentials
                .client_secret
                .ok_or_else(|| missing("client secret"))?,
        ),
        Flow::Web { .. } => ConnectionConfig::refresh_token(
            endpoint.url,
            client_id,
            credentials.client_secret,
            credentials.refresh_token,
        ),
        Flow::Jwt {
            username, audience, ..
        } => {
            let key = credentials
                .private_key
                .ok_or_else(|| missing("private key"))?;
            let mut jwt = JwtBearer::new(username.clone(), key);
            jwt.audience.clone_from(audience);
            ConnectionConfig::jwt_bearer(endpoint.url, client_id, jwt)
        }
        Flow::SfCli { org } => {
            ConnectionConfig::external(endpoint.url, Arc::new(SfCliSource::new(org.clone())))
        }
    };
    config.auth_style = match profile.auth_style {
        AuthStyle::Body => ClientAuthStyle::Body,
        AuthStyle::Basic => ClientAuthStyle::Basic,
    };
    config.api_version = match profile.pinned_api_version() {
        Some(value) => {
            Some(
                value
                    .parse::<ApiVersion>()
                    .map_err(|e| ConnectionError::ApiVersion {
                        profile: profile.name.clone(),
                        value: value.to_string(),
                        reason: e.to_string(),
                    })?,
            )
        }
        None => None,
    };
    config.ca_file.clone_from(&profile.ca_file);
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(api_version: Option<&str>) -> Profile {
        Profile {
            api_version: api_version.map(str::to_string),
            ..Profile::new("Acme", "https://acme.my.salesforce.com", "3MVG9")
        }
    }

    fn secret() -> Credentials {
        Credentials {
            client_secret: Some(SecretString::from("s")),
            ..Credentials::default()
        }
    }

    fn config(api_version: Option<&str>) -> Result<ConnectionConfig, ConnectionError> {
        connection_config(&profile(api_version), secret())
    }

    #[test]
    fn auto_and_none_mean_the_highest_version_and_a_pin_is_kept() {
        assert_eq!(config(None).expect("none").api_version, None);
        assert_eq!(config(Some("auto")).expect("auto").api_version, None);
        assert_eq!(
            config(Some("62.0")).expect("pinned").api_version,
            Some(ApiVersion(62))
        );
    }

    #[test]
    fn a_bad_version_or_endpoint_names_the_profile() {
        let e = config(Some("sixty")).expect_err("bad version");
        assert!(matches!(e, ConnectionError::ApiVersion { .. }), "{e:?}");
        assert!(e.to_string().contains("\"Acme\""), "{e}");
        let mut bad = profile(None);
        bad.endpoint = "not a url at all".into();
        let e = connection_config(&bad, secret()).expect_err("bad endpoint");
        assert!(matches!(e, ConnectionError::Endpoint { .. }), "{e:?}");
    }

    #[test]
    fn each_flow_gets_its_grant() {
        use crate::sf::GrantKind;
        let kind = |flow: Flow, credentials: Credentials| {
            let p = Profile {
                flow,
                ..profile(None)
            };
            connection_config(&p, credentials).map(|c| c.grant.kind())
        };
        assert_eq!(
            kind(Flow::ClientCredentials, secret()),
            Ok(GrantKind::ClientCredentials)
        );
        assert!(matches!(
            kind(Flow::ClientCredentials, Credentials::default()),
            Err(ConnectionError::Missing { .. })
        ));
        let web = Flow::Web {
            callback_port: None,
        };
        assert_eq!(
            kind(web, Credentials::default()),
            Ok(GrantKind::RefreshToken)
        );
        let jwt = Flow::Jwt {
            username: "ci@acme.com".into(),
            key_file: "/k.pem".into(),
            audience: None,
        };
        assert!(matches!(
            kind(jwt.clone(), Credentials::default()),
            Err(ConnectionError::Missing { .. })
        ));
        let key = Credentials {
            private_key: Some(SecretString::from("PEM")),
            ..Credentials::default()
        };
        assert_eq!(kind(jwt, key), Ok(GrantKind::JwtBearer));
        let sf = Profile {
            endpoint: String::new(),
            flow: Flow::SfCli { org: "acme".into() },
            ..profile(None)
        };
        let config = connection_config(&sf, Credentials::default()).expect("sf");
        assert_eq!(config.grant.kind(), GrantKind::External);
        assert_eq!(config.login_url.as_str(), "https://login.salesforce.com/");
    }
}
