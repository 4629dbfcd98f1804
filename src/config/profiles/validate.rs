//! What is wrong with a profile, field by field, and what deserves a warning.

use secrecy::ExposeSecret;

use super::{Flow, Problem, Profile, SecretSource};

fn is_env_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `s` looks like a Salesforce username: `name@domain.tld`, no spaces.
fn looks_like_username(s: &str) -> bool {
    let s = s.trim();
    match s.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// Whether `v` is a pinned API version like `"62.0"`.
fn is_api_version(v: &str) -> bool {
    match v.split_once('.') {
        Some((major, "0")) => {
            !major.is_empty()
                && major.len() <= 3
                && major.chars().all(|c| c.is_ascii_digit())
                && !major.starts_with('0')
        }
        _ => false,
    }
}

impl Profile {
    /// Everything wrong with the profile, one [`Problem`] per field issue (empty = valid).
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut push = |field: &'static str, message: String| {
            problems.push(Problem { field, message });
        };
        if self.name.trim().is_empty() {
            push("name", "The profile needs a name.".to_owned());
        }
        // The Salesforce CLI's orgs bring their own instance; an endpoint is optional there.
        let endpoint_optional = !self.flow.uses_client_id() && self.endpoint.trim().is_empty();
        if !endpoint_optional && let Err(e) = self.normalized_endpoint() {
            push("endpoint", e.to_string());
        }
        if self.flow.uses_client_id() && self.client_id.trim().is_empty() {
            push(
                "client_id",
                "The client id (the app's Consumer Key) is empty.".to_owned(),
            );
        }
        match &self.flow {
            Flow::ClientCredentials if self.secret == SecretSource::None => push(
                "secret",
                "Client credentials need the app's Consumer Secret: choose where it comes from."
                    .to_owned(),
            ),
            Flow::Web { callback_port } => {
                let port = callback_port.unwrap_or(super::DEFAULT_CALLBACK_PORT);
                if port == 0 {
                    push(
                        "callback_port",
                        "The callback port must be 1 to 65535.".to_owned(),
                    );
                } else if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
                    push(
                        "callback_port",
                        format!(
                            "Port {port} is in use by another program: the browser login could \
                             not receive its redirect. Choose another port (and add its callback \
                             URL, like {}, to the app).",
                            super::callback_url(port)
                        ),
                    );
                }
            }
            Flow::Jwt {
                username, key_file, ..
            } => {
                if !looks_like_username(username) {
                    push(
                        "username",
                        format!(
                            "\"{username}\" does not look like a Salesforce username (they look \
                             like e-mail addresses: ops@acme.com)."
                        ),
                    );
                }
                if let Err(e) = std::fs::read_to_string(key_file) {
                    push(
                        "key_file",
                        format!("Cannot read the key file {}: {e}.", key_file.display()),
                    );
                }
            }
            Flow::SfCli { org } if org.trim().is_empty() => push(
                "sf_org",
                "Name the Salesforce CLI org: its alias or username (sf org list).".to_owned(),
            ),
            _ => {}
        }
        match &self.secret {
            SecretSource::Env { var } if !is_env_var_name(var) => push(
                "secret",
                format!(
                    "\"{var}\" is not a valid environment variable name (letters, digits and _, \
                     not starting with a digit)."
                ),
            ),
            SecretSource::Command { command } if command.trim().is_empty() => {
                push("secret", "The secret command is empty.".to_owned());
            }
            SecretSource::Plain { value } if value.expose_secret().is_empty() => {
                push("secret", "The stored secret is empty.".to_owned());
            }
            _ => {}
        }
        if let Some(v) = self.api_version.as_deref().map(str::trim)
            && !(v.is_empty() || v == "auto" || is_api_version(v))
        {
            push(
                "api_version",
                format!("API version \"{v}\" should look like \"62.0\", or be \"auto\"."),
            );
        }
        if let Some(ca) = &self.ca_file
            && !ca.is_file()
        {
            push(
                "ca_file",
                format!("The CA file {} does not exist.", ca.display()),
            );
        }
        problems
    }

    /// Warnings to show next to an otherwise valid profile.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if matches!(self.secret, SecretSource::Plain { .. }) {
            w.push("the client secret is stored in plain text in profiles.toml".to_owned());
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use secrecy::SecretString;

    use super::*;
    use crate::config::profiles::AuthStyle;

    #[test]
    fn api_versions() {
        for ok in ["62.0", "8.0", "100.0"] {
            assert!(is_api_version(ok), "{ok}");
        }
        for bad in [
            "62", "v62.0", "62.1", "062.0", ".0", "abc", "62.0.0", "1000.0",
        ] {
            assert!(!is_api_version(bad), "{bad}");
        }
    }

    #[test]
    fn usernames() {
        for ok in ["ops@acme.com", "a@b.co", "ops@acme.com.uat"] {
            assert!(looks_like_username(ok), "{ok}");
        }
        for bad in [
            "",
            "ops",
            "ops@",
            "@acme.com",
            "ops@acme",
            "o ps@acme.com",
            "ops@.com",
        ] {
            assert!(!looks_like_username(bad), "{bad}");
        }
    }

    #[test]
    fn each_flow_checks_its_own_fields() {
        let base = Profile::new("p", "https://login.salesforce.com", "3MVG9");
        let fields = |p: &Profile| p.validate().iter().map(|pr| pr.field).collect::<Vec<_>>();
        let jwt = Profile {
            flow: Flow::Jwt {
                username: "not a user".into(),
                key_file: PathBuf::from("/definitely/not/here/key.pem"),
                audience: None,
            },
            ..base.clone()
        };
        assert_eq!(fields(&jwt), ["username", "key_file"]);
        let sf = Profile {
            endpoint: String::new(),
            client_id: String::new(),
            flow: Flow::SfCli { org: " ".into() },
            ..base.clone()
        };
        assert_eq!(fields(&sf), ["sf_org"]);
        let sf_ok = Profile {
            flow: Flow::SfCli { org: "acme".into() },
            ..sf
        };
        assert!(fields(&sf_ok).is_empty());
        let cc_without_secret = Profile {
            secret: SecretSource::None,
            ..base.clone()
        };
        assert_eq!(fields(&cc_without_secret), ["secret"]);
        let free = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let free_port = free.local_addr().expect("addr").port();
        drop(free);
        let web = Profile {
            secret: SecretSource::None,
            flow: Flow::Web {
                callback_port: Some(free_port),
            },
            ..base
        };
        assert!(fields(&web).is_empty());
        let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
        let port = taken.local_addr().expect("addr").port();
        let busy = Profile {
            flow: Flow::Web {
                callback_port: Some(port),
            },
            ..web
        };
        let problems = busy.validate();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, "callback_port");
        assert!(problems[0].message.contains(&port.to_string()));
    }

    #[test]
    fn env_var_names() {
        assert!(is_env_var_name("SF_SECRET"));
        assert!(is_env_var_name("_x1"));
        assert!(!is_env_var_name(""));
        assert!(!is_env_var_name("1X"));
        assert!(!is_env_var_name("SF-SECRET"));
        assert!(!is_env_var_name("$SF"));
    }

    #[test]
    fn validate_reports_each_field() {
        let p = Profile {
            name: " ".into(),
            endpoint: "http://acme.my.salesforce.com".into(),
            client_id: "".into(),
            secret: SecretSource::Env {
                var: "NOT VALID".into(),
            },
            auth_style: AuthStyle::Body,
            api_version: Some("v62".into()),
            ca_file: Some(PathBuf::from("/definitely/not/here/ca.pem")),
            renew_margin_secs: None,
            flow: Flow::ClientCredentials,
        };
        let fields: Vec<&str> = p.validate().iter().map(|pr| pr.field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "endpoint",
                "client_id",
                "secret",
                "api_version",
                "ca_file"
            ]
        );
        let mut q = Profile::new("ok", "acme.my.salesforce.com", "3MVG9");
        assert!(q.validate().is_empty(), "{:?}", q.validate());
        q.api_version = Some("auto".into());
        assert!(q.validate().is_empty());
        assert_eq!(q.pinned_api_version(), None);
        q.api_version = Some("62.0".into());
        assert_eq!(q.pinned_api_version(), Some("62.0"));
        q.secret = SecretSource::Command {
            command: "  ".into(),
        };
        assert_eq!(q.validate()[0].field, "secret");
        assert!(q.warnings().is_empty());
        q.secret = SecretSource::Plain {
            value: SecretString::from("s"),
        };
        assert_eq!(
            q.warnings(),
            ["the client secret is stored in plain text in profiles.toml"]
        );
    }
}
