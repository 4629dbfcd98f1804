//! Failures of the logins that happen outside a token request: the browser login's loopback
//! listener and pasted redirect, and the Salesforce CLI. None carries a secret.

use std::time::Duration;

/// The browser login (web server flow with PKCE) failed on this side.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrowserLoginError {
    /// Another program listens on the loopback port of the redirect URI.
    #[error("port {port} on 127.0.0.1 is already in use")]
    PortInUse {
        /// The port of the redirect URI.
        port: u16,
    },
    /// The loopback listener could not be opened for another reason.
    #[error("cannot listen on 127.0.0.1:{port}: {message}")]
    Listen {
        /// The port.
        port: u16,
        /// What the system said.
        message: String,
    },
    /// No redirect came back in time.
    #[error("no login came back from the browser within {} s", after.as_secs())]
    TimedOut {
        /// How long the listener waited.
        after: Duration,
    },
    /// The redirect's `state` is not this login's: it belongs to another (older) login or was
    /// forged. Refused.
    #[error("the login that came back is not the one started here (state mismatch)")]
    StateMismatch,
    /// A second redirect for a login that was already completed.
    #[error("this login was already completed; start a new one")]
    AlreadyUsed,
    /// The login page redirected back with an error, e.g. `access_denied` (the user clicked
    /// Deny) or `redirect_uri_mismatch`.
    #[error("the login page answered {error}: {description}")]
    Refused {
        /// The `error` parameter.
        error: String,
        /// The `error_description` parameter (may be empty).
        description: String,
    },
    /// Text pasted as the redirected address that is not one (no code, no error).
    #[error("not the address the browser was sent back to: {0}")]
    NotARedirect(String),
}

/// The Salesforce CLI (`sf`) could not lend its login.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SfCliError {
    /// The `sf` program does not exist (not installed, not on `PATH`).
    #[error("the Salesforce CLI ({program}) is not installed or not on PATH")]
    NotInstalled {
        /// The program that was run.
        program: String,
    },
    /// The CLI knows no org by that alias or username (`NamedOrgNotFoundError`).
    #[error("the Salesforce CLI knows no org {org:?}")]
    OrgNotFound {
        /// The alias or username asked for.
        org: String,
    },
    /// No org was named and the CLI has no default org.
    #[error("the Salesforce CLI has no default org")]
    NoDefaultOrg,
    /// The CLI's login to the org expired or was revoked; `sf org login web` renews it.
    #[error("the Salesforce CLI's login to {org} expired: {message}")]
    LoginExpired {
        /// The alias or username.
        org: String,
        /// The org's instance, when known (for the `--instance-url` of the fix).
        instance_url: Option<String>,
        /// What the CLI said.
        message: String,
    },
    /// The CLI failed otherwise.
    #[error("`{command}` failed{}: {name}: {message}",
        exit_code.map(|c| format!(" (exit {c})")).unwrap_or_default())]
    Failed {
        /// The command, e.g. `sf org display`.
        command: String,
        /// The error name, e.g. `GenericError`.
        name: String,
        /// The error message.
        message: String,
        /// The exit code (`None` when killed by a signal).
        exit_code: Option<i32>,
    },
    /// The CLI's output could not be understood (no JSON, or not the documented shape).
    #[error("`{command}` answered something unreadable: {message}")]
    Unreadable {
        /// The command.
        command: String,
        /// The parser's complaint (never the output itself, which may hold a token).
        message: String,
    },
    /// The CLI did not finish in time.
    #[error("`{command}` did not finish within {} s", after.as_secs())]
    TimedOut {
        /// The command.
        command: String,
        /// How long it was given.
        after: Duration,
    },
    /// The CLI hides tokens (since 2.136.8) but lacks `sf org auth show-access-token`.
    #[error("this Salesforce CLI hides access tokens and has no `org auth show-access-token`")]
    TooOld,
}

impl SfCliError {
    /// The command that logs the org in again, e.g. `sf org login web --alias acme
    /// --instance-url https://acme.my.salesforce.com`.
    pub fn login_command(org: &str, instance_url: Option<&str>) -> String {
        let mut command = String::from("sf org login web");
        if org.is_empty() {
            command.push_str(" --set-default");
        } else if !org.contains('@') {
            command.push_str(&format!(" --alias {}", shell_word(org)));
        }
        if let Some(url) = instance_url.filter(|u| !u.contains("login.salesforce.com")) {
            command.push_str(&format!(" --instance-url {}", shell_word(url)));
        }
        command
    }
}

/// `word` quoted for a POSIX shell when it holds anything but plain characters.
fn shell_word(word: &str) -> String {
    let plain = word
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.:/@+%".contains(&b));
    if plain && !word.is_empty() {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_command_names_the_alias_and_instance() {
        assert_eq!(
            SfCliError::login_command("acme", Some("https://acme.my.salesforce.com")),
            "sf org login web --alias acme --instance-url https://acme.my.salesforce.com"
        );
        assert_eq!(
            SfCliError::login_command("acme", Some("https://login.salesforce.com")),
            "sf org login web --alias acme"
        );
        assert_eq!(
            SfCliError::login_command("ops@acme.com", None),
            "sf org login web"
        );
        assert_eq!(
            SfCliError::login_command("", None),
            "sf org login web --set-default"
        );
        assert_eq!(
            SfCliError::login_command("my org's", None),
            r"sf org login web --alias 'my org'\''s'"
        );
    }
}
