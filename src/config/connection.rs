//! The one way from a [`Profile`] to the client's [`ConnectionConfig`], used by the TUI and
//! every command (the secret is obtained separately: prompt, environment, command or file).

use secrecy::SecretString;

use super::profiles::{AuthStyle, Profile};
use crate::sf::{ApiVersion, ClientAuthStyle, ConnectionConfig};

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
}

impl ConnectionError {
    /// What the user does about it, in the words of the TUI (the CLI says `sfterm profiles`).
    pub fn fix(&self) -> &'static str {
        match self {
            ConnectionError::Endpoint { .. } => "Edit the profile (e) and set your My Domain URL.",
            ConnectionError::ApiVersion { .. } => {
                "Edit the profile and write a version like 62.0, or auto."
            }
        }
    }
}

/// The client settings of `profile`, with its secret: endpoint normalised, auth style, the
/// pinned API version (`auto` or none = the highest the org offers), extra CA, the timeout.
pub fn connection_config(
    profile: &Profile,
    secret: SecretString,
) -> Result<ConnectionConfig, ConnectionError> {
    let endpoint = profile
        .normalized_endpoint()
        .map_err(|e| ConnectionError::Endpoint {
            profile: profile.name.clone(),
            reason: e.to_string(),
        })?;
    let mut config = ConnectionConfig::new(endpoint.url, profile.client_id.clone(), secret);
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

    fn config(api_version: Option<&str>) -> Result<ConnectionConfig, ConnectionError> {
        connection_config(&profile(api_version), SecretString::from("s"))
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
        let e = connection_config(&bad, SecretString::from("s")).expect_err("bad endpoint");
        assert!(matches!(e, ConnectionError::Endpoint { .. }), "{e:?}");
    }
}
