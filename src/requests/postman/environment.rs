//! A Postman environment imported as a connection profile; its secret never reaches
//! `profiles.toml`.

use secrecy::SecretString;
use serde_json::Value;

use super::{PostmanError, str_of};
use crate::config::profiles::{Profile, SecretSource};
use crate::requests::request::Variables;

/// A Postman environment, imported as a connection profile.
#[derive(Debug, Clone)]
pub struct EnvironmentImport {
    /// The new profile (not saved yet); its secret source is the one the caller chose.
    pub profile: Profile,
    /// The client secret found in the environment, for the caller to put where the chosen
    /// source reads it (never written to `profiles.toml`).
    pub secret: Option<SecretString>,
    /// The other non-empty, non-secret values, as user variables for the profile.
    pub variables: Variables,
    /// What was not imported, and why.
    pub report: Vec<String>,
}

const ENDPOINT_KEYS: &[&str] = &[
    "endpoint",
    "instance_url",
    "instanceUrl",
    "_endpoint",
    "url",
    "loginUrl",
];
const CLIENT_ID_KEYS: &[&str] = &["clientId", "client_id", "consumerKey", "consumer_key"];
const SECRET_KEYS: &[&str] = &[
    "clientSecret",
    "client_secret",
    "consumerSecret",
    "consumer_secret",
];
const VERSION_KEYS: &[&str] = &["version", "apiVersion", "api_version", "_version"];
/// Credentials of other flows: never imported.
const SKIPPED_SECRETS: &[&str] = &[
    "username",
    "password",
    "secret_token",
    "access_token",
    "init_access_token",
    "refresh_token",
    "securityToken",
];

/// Imports an environment as a profile named `profile_name` whose secret comes from
/// `secret_source` (a [`SecretSource::Plain`] source is refused).
pub fn import_environment(
    json: &str,
    profile_name: &str,
    secret_source: SecretSource,
) -> Result<EnvironmentImport, PostmanError> {
    if matches!(secret_source, SecretSource::Plain { .. }) {
        return Err(PostmanError::PlainSecret);
    }
    let doc: Value =
        serde_json::from_str(json).map_err(|e| PostmanError::NotJson(e.to_string()))?;
    let Some(Value::Array(values)) = doc.get("values") else {
        return Err(PostmanError::WrongShape("environment (no \"values\" list)"));
    };
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut report = Vec::new();
    for v in values {
        let Some(key) = v.get("key").and_then(str_of) else {
            continue;
        };
        let value = v
            .get("value")
            .and_then(str_of)
            .unwrap_or("")
            .trim()
            .to_string();
        if v.get("enabled").and_then(Value::as_bool) == Some(false) {
            report.push(format!("{key}: disabled in Postman, not imported"));
            continue;
        }
        entries.push((key.to_string(), value));
    }
    let pick = |keys: &[&str]| {
        keys.iter().find_map(|k| {
            entries
                .iter()
                .find(|(key, v)| key == k && !v.is_empty())
                .map(|(key, v)| (key.clone(), v.clone()))
        })
    };
    let endpoint = pick(ENDPOINT_KEYS);
    let client_id = pick(CLIENT_ID_KEYS);
    let secret = pick(SECRET_KEYS);
    let version = pick(VERSION_KEYS);
    let mut profile = Profile::new(
        profile_name,
        endpoint.as_ref().map_or("", |(_, v)| v.as_str()),
        client_id.as_ref().map_or("", |(_, v)| v.as_str()),
    );
    profile.secret = secret_source;
    if endpoint.is_none() {
        report.push("no url / endpoint value: set the profile's endpoint by hand".into());
    }
    if let Err(crate::config::EndpointError::InsecureScheme { .. }) = profile.normalized_endpoint()
    {
        report.push(format!(
            "{} is not https: sfterm only connects over https (http only to 127.0.0.1 / \
             localhost); fix the profile's endpoint before connecting",
            profile.endpoint
        ));
    }
    if client_id.is_none() {
        report.push("no clientId value: set the profile's client id by hand".into());
    }
    if secret.is_none() {
        report.push("no clientSecret value: provide the secret through the chosen source".into());
    }
    if let Some((key, v)) = &version {
        let v = v.trim_start_matches('v');
        if v.parse::<crate::sf::ApiVersion>().is_ok() {
            profile.api_version = Some(if v.contains('.') {
                v.to_string()
            } else {
                format!("{v}.0")
            });
        } else {
            report.push(format!("{key} = {v:?} is not an API version; not pinned"));
        }
    }
    let used: Vec<&str> = [&endpoint, &client_id, &secret, &version]
        .iter()
        .filter_map(|o| o.as_ref().map(|(k, _)| k.as_str()))
        .collect();
    let mut variables = Variables::new();
    for (key, value) in &entries {
        if used.contains(&key.as_str()) {
            continue;
        }
        if SKIPPED_SECRETS.contains(&key.as_str()) || SECRET_KEYS.contains(&key.as_str()) {
            if !value.is_empty() {
                report.push(format!(
                    "{key}: a credential of another login flow, not imported"
                ));
            }
            continue;
        }
        if value.is_empty() {
            continue;
        }
        variables.set(key.clone(), value.clone());
        report.push(format!("{key}: kept as the profile variable {{{{{key}}}}}"));
    }
    Ok(EnvironmentImport {
        profile,
        secret: secret.map(|(_, v)| SecretString::from(v)),
        variables,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use serde_json::json;

    #[test]
    fn environment_to_profile() {
        let env = json!({"name": "E", "values": [
            {"key": "url", "value": "https://acme.my.salesforce.com", "enabled": true},
            {"key": "version", "value": "61.0", "enabled": true},
            {"key": "clientId", "value": "3MVGkey", "enabled": true},
            {"key": "clientSecret", "value": "s3cret", "enabled": true},
            {"key": "password", "value": "pw", "enabled": true},
            {"key": "account_id", "value": "001A", "enabled": true},
            {"key": "off", "value": "x", "enabled": false}
        ]})
        .to_string();
        let source = SecretSource::Env {
            var: "ACME_SECRET".into(),
        };
        let imp = import_environment(&env, "Acme", source).expect("import");
        assert_eq!(imp.profile.endpoint, "https://acme.my.salesforce.com");
        assert_eq!(imp.profile.client_id, "3MVGkey");
        assert_eq!(imp.profile.api_version.as_deref(), Some("61.0"));
        assert!(matches!(imp.profile.secret, SecretSource::Env { .. }));
        assert_eq!(
            imp.secret.as_ref().map(|s| s.expose_secret().to_string()),
            Some("s3cret".into())
        );
        assert!(!format!("{:?}", imp.profile).contains("s3cret"));
        assert_eq!(imp.variables.get("account_id"), Some("001A"));
        assert_eq!(imp.variables.get("password"), None);
        let report = imp.report.join("\n");
        assert!(report.contains("password: a credential"), "{report}");
        assert!(report.contains("off: disabled"), "{report}");
        let plain = SecretSource::Plain {
            value: SecretString::from("x".to_string()),
        };
        assert!(matches!(
            import_environment(&env, "A", plain),
            Err(PostmanError::PlainSecret)
        ));
    }
}
