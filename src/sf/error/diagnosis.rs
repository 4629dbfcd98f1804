//! The plain-words [`Diagnosis`] of every [`ApiError`]: what Salesforce (or the network)
//! said, what it means, and how to fix it, above all for login failures.

use super::flow_diagnosis;
use super::{ApiError, NOT_VALID_FOR_REST, SfError};

/// A failure explained in plain words, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// Short headline.
    pub title: String,
    /// The raw error as Salesforce (or the network) reported it.
    pub what_salesforce_said: String,
    /// What it means.
    pub meaning: String,
    /// How to fix it.
    pub fix: String,
}

impl ApiError {
    /// Explains the failure in plain words, with the fix.
    pub fn diagnosis(&self) -> Diagnosis {
        let said = self.to_string();
        let d = |title: &str, meaning: String, fix: String| Diagnosis {
            title: title.to_string(),
            what_salesforce_said: said.clone(),
            meaning,
            fix,
        };
        match self {
            ApiError::OAuth {
                error,
                description,
                grant,
                ..
            } => flow_diagnosis::oauth(*grant, error, description, &d)
                .unwrap_or_else(|| oauth_diagnosis(error, description, d)),
            ApiError::BrowserLogin(e) => flow_diagnosis::browser(e, &d),
            ApiError::SfCli(e) => flow_diagnosis::sf_cli(e, &d),
            ApiError::LoginRequired => flow_diagnosis::login_required(&d),
            ApiError::Api { status, errors } => api_diagnosis(*status, errors, d),
            ApiError::Http {
                status,
                content_type,
                ..
            } => d(
                "Unexpected non-Salesforce answer",
                format!(
                    "The server answered HTTP {status} with a {} body instead of Salesforce JSON. \
                     Usually a proxy, a captive portal, a load balancer error page, or a URL \
                     that does not point at a Salesforce org.",
                    content_type.as_deref().unwrap_or("untyped")
                ),
                "Check the login URL (it must be your org's My Domain URL), and any proxy \
                 between you and Salesforce. Try the URL in a browser."
                    .to_string(),
            ),
            ApiError::Network { host, message } if is_dropped_connection(message) => d(
                "Connection dropped",
                format!(
                    "{host} accepted the connection but closed it before answering \
                     ({message}). Usually a server restart, a proxy or load balancer cutting the \
                     connection, or a network drop."
                ),
                "Try again. A create, update or delete may or may not have been applied: check \
                 the record before repeating it. If it keeps happening, check proxies and VPN \
                 between you and the org."
                    .to_string(),
            ),
            ApiError::Network { host, message } => d(
                "Cannot reach the server",
                format!("The connection to {host} failed: {message}."),
                format!(
                    "Check that {host} is spelled right and reachable from this machine \
                     (DNS, VPN, firewall, proxy settings)."
                ),
            ),
            ApiError::Timeout { host, after } => d(
                "The server did not answer in time",
                format!(
                    "{host} sent no complete answer within {} s.",
                    after.as_secs_f32()
                ),
                format!(
                    "Check your network path to {host}, or raise the timeout (environment \
                     variable SFTERM_TIMEOUT, in seconds) if the request is legitimately slow \
                     (large queries)."
                ),
            ),
            ApiError::Tls { host, message } => {
                let lower = message.to_ascii_lowercase();
                let ca = lower.contains("unknown")
                    || lower.contains("issuer")
                    || lower.contains("certificate");
                d(
                    "Secure connection failed",
                    format!("The TLS handshake with {host} failed: {message}."),
                    if ca {
                        format!(
                            "The certificate of {host} is not signed by a trusted authority. If \
                             you are behind a TLS-inspecting proxy, or talk to a local mock org, \
                             set `ca_file` in the profile to the PEM file of that CA."
                        )
                    } else {
                        format!(
                            "Check that {host} serves HTTPS and that the URL is right; behind a \
                             TLS-inspecting proxy, set `ca_file` in the profile to its CA PEM."
                        )
                    },
                )
            }
            ApiError::InsecureUrl(url) => d(
                "Insecure URL refused",
                format!("{url} uses plain http://, which would send secrets unencrypted."),
                "Use the https:// My Domain URL (http:// is only allowed for 127.0.0.1/localhost)."
                    .to_string(),
            ),
            ApiError::PreconditionFailed { .. } => d(
                "Record changed meanwhile",
                "Someone changed this record after you loaded it, so the update was refused \
                 (HTTP 412) to avoid overwriting their change."
                    .to_string(),
                "Reload the record, re-apply your edit and save again.".to_string(),
            ),
            ApiError::Decode { what, message } => d(
                "Unreadable response",
                format!("The {what} response could not be understood: {message}."),
                "Check that the URL points at a Salesforce org; report a bug if it does."
                    .to_string(),
            ),
            ApiError::NotConnected => d(
                "Not connected",
                "No access token has been obtained yet.".to_string(),
                "Connect (log in) first.".to_string(),
            ),
            ApiError::Config(msg) => d(
                "Invalid connection settings",
                msg.clone(),
                "Fix the profile's settings.".to_string(),
            ),
            ApiError::InvalidInput(msg) => d(
                "Invalid input",
                msg.clone(),
                "Correct the value and try again.".to_string(),
            ),
            ApiError::GaveUp { attempts, error } => {
                let last = error.diagnosis();
                Diagnosis {
                    title: last.title,
                    what_salesforce_said: said,
                    meaning: format!(
                        "{} sfterm tried {attempts} times, waiting longer between tries, and it \
                         did not pass.",
                        last.meaning.trim_end()
                    ),
                    fix: last.fix,
                }
            }
            ApiError::MaybeApplied { request, error } => {
                let cause = error.diagnosis();
                d(
                    "May or may not have taken effect",
                    format!(
                        "{request} was sent, then: {} ({}). sfterm did not send it again: a \
                         record creation, a composite or collections write, or an Apex call \
                         that already took effect would take effect twice.",
                        cause.title,
                        cause.meaning.trim_end().trim_end_matches('.')
                    ),
                    how_to_check(request),
                )
            }
        }
    }
}

/// How to find out whether `request` (`POST /services/data/v62.0/sobjects/Account`) took
/// effect, before sending it again.
fn how_to_check(request: &str) -> String {
    let path = request.split_once(' ').map_or(request, |(_, path)| path);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    match (lower.as_slice(), segments.as_slice()) {
        (["services", "data", _, "sobjects", _], [.., object]) => format!(
            "Check whether the {object} was created before sending it again, e.g. \
             `sfterm query \"SELECT Id, Name, CreatedDate FROM {object} ORDER BY CreatedDate DESC \
             LIMIT 5\"` or the Records tab sorted by CreatedDate."
        ),
        (["services", "data", _, "composite", ..], _) => "Check which of its records were \
             written (query them by CreatedDate or LastModifiedDate) before sending it again."
            .to_string(),
        (["services", "apexrest", ..] | ["services", "soap", ..], _) => "Check in the org what \
             the Apex service changes (its records, or its debug log) before calling it again."
            .to_string(),
        _ => "Check in the org whether it took effect before sending it again.".to_string(),
    }
}

pub(super) type Maker<'a> = &'a dyn Fn(&str, String, String) -> Diagnosis;

fn oauth_diagnosis(
    error: &str,
    description: &str,
    d: impl Fn(&str, String, String) -> Diagnosis,
) -> Diagnosis {
    let d: Maker<'_> = &d;
    let desc = description.to_ascii_lowercase();
    match error {
        "invalid_grant" if desc.contains("request not supported on this domain") => d(
            "Wrong login host",
            "The client credentials flow is refused on the generic login.salesforce.com / \
             test.salesforce.com hosts; it only works on the org's own My Domain."
                .to_string(),
            "Use the My Domain URL as the login URL, e.g. https://yourcompany.my.salesforce.com \
             (sandbox: https://yourcompany--sandbox.sandbox.my.salesforce.com), not \
             login.salesforce.com or test.salesforce.com. Find it in Setup › My Domain."
                .to_string(),
        ),
        "invalid_grant" if desc.contains("no client credentials user enabled") => d(
            "No Run As user on the app",
            "The app has the client credentials flow enabled but no execution (Run As) user, so \
             Salesforce does not know on whose behalf to issue the token."
                .to_string(),
            "In the External Client App / Connected App policies, set the Client Credentials Flow \
             \"Run As\" user to your integration user, save, and try again."
                .to_string(),
        ),
        "invalid_grant" if desc.contains("not admin approved") => d(
            "Run As user not pre-authorized",
            "The app only allows admin-approved users, and the Run As user is not approved."
                .to_string(),
            "Assign the app to the integration user's profile or permission set (Manage Policies \
             › Profiles / Permission Sets)."
                .to_string(),
        ),
        "invalid_grant" => d(
            "Login refused",
            format!("Salesforce refused to grant a token: {description}."),
            "Check the app's client credentials settings (flow enabled, Run As user set and \
             active) and that the login URL is the org's My Domain."
                .to_string(),
        ),
        "invalid_client_id" => d(
            "Unknown consumer key",
            "Salesforce does not know this client id (consumer key): it is mistyped, belongs to \
             another org or app, or the app was created moments ago and is still provisioning \
             (this can take several minutes)."
                .to_string(),
            "Copy the Consumer Key again from the app's settings in this org; if the app is new, \
             wait a few minutes and retry."
                .to_string(),
        ),
        "invalid_client" | "invalid_client_credentials" => d(
            "Wrong consumer secret",
            "The client id is known but the client secret does not match.".to_string(),
            "Copy the Consumer Secret again from the app (or rotate it) and update the profile."
                .to_string(),
        ),
        "unsupported_grant_type" => d(
            "Client credentials flow not enabled",
            "The app does not allow the client credentials grant (or the request was not \
             recognized as one)."
                .to_string(),
            "In the app's OAuth settings tick \"Enable Client Credentials Flow\", set a Run As \
             user, save, and make sure the login URL uses https://."
                .to_string(),
        ),
        "invalid_request" => d(
            "Malformed token request",
            format!("Salesforce rejected the request parameters: {description}."),
            "Do not pass a scope; scopes are configured on the app. Check the login URL."
                .to_string(),
        ),
        "inactive_user" => d(
            "Run As user inactive",
            "The user the token would be issued for is deactivated.".to_string(),
            "Activate the integration user or pick another Run As user.".to_string(),
        ),
        "inactive_org" => d(
            "Org inactive",
            "The org is locked, expired or deleted.".to_string(),
            "Check the org's status with your Salesforce admin.".to_string(),
        ),
        "rate_limit_exceeded" => d(
            "Too many logins",
            "Salesforce throttles token requests for this user/app.".to_string(),
            "Wait a while before requesting new tokens.".to_string(),
        ),
        _ => d(
            "OAuth error",
            format!("Salesforce answered {error}: {description}."),
            "Check the app's OAuth settings and the login URL.".to_string(),
        ),
    }
}

fn api_diagnosis(
    status: u16,
    errors: &[SfError],
    d: impl Fn(&str, String, String) -> Diagnosis,
) -> Diagnosis {
    let d: Maker<'_> = &d;
    let first = errors.first();
    let code = first.map(|e| e.error_code.as_str()).unwrap_or_default();
    let message = first.map(|e| e.message.as_str()).unwrap_or_default();
    match code {
        "INVALID_SESSION_ID" if message.contains(NOT_VALID_FOR_REST) => d(
            "Token lacks the api scope",
            "The token was issued, but the app does not grant the `api` scope, so Salesforce \
             refuses REST calls with it."
                .to_string(),
            "Add the scope \"Manage user data via APIs (api)\" to the app's OAuth scopes, save, \
             wait a minute, and connect again."
                .to_string(),
        ),
        "INVALID_SESSION_ID" => d(
            "Session expired or revoked",
            "The access token is no longer valid (idle timeout, revoked, or logged out)."
                .to_string(),
            "Connect again to get a new token (sfterm renews automatically once per request)."
                .to_string(),
        ),
        "REQUEST_LIMIT_EXCEEDED" if first.is_some_and(SfError::is_daily_limit) => d(
            "API limit reached",
            format!("The org has used up its daily API requests: {message}"),
            "Wait for the 24-hour window to roll over, or ask the admin about the org's limits."
                .to_string(),
        ),
        "REQUEST_LIMIT_EXCEEDED" => d(
            "API limit reached",
            format!("Salesforce refused the request under a short-term limit: {message}"),
            "Too many requests are running at once in the org (often long-running ones): \
             try again in a few seconds, or run fewer requests in parallel."
                .to_string(),
        ),
        "API_DISABLED_FOR_ORG" | "API_CURRENTLY_DISABLED" => d(
            "API access disabled",
            format!("Salesforce refuses API access: {message}"),
            "Give the integration user the \"API Enabled\" permission (and check the org edition)."
                .to_string(),
        ),
        "NOT_FOUND" => d(
            "Not found",
            format!("The record or resource does not exist or is not accessible: {message}"),
            "Check the id / object name and the integration user's access.".to_string(),
        ),
        "ENTITY_IS_DELETED" => d(
            "Record deleted",
            "The record is in the recycle bin.".to_string(),
            "Undelete it in Salesforce or pick another record.".to_string(),
        ),
        "MALFORMED_QUERY" | "INVALID_FIELD" | "INVALID_TYPE" => d(
            "Query or field problem",
            message.to_string(),
            "Fix the SOQL or field names (check the object's describe for exact API names)."
                .to_string(),
        ),
        "INSUFFICIENT_ACCESS_OR_READONLY" | "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY" => d(
            "Insufficient access",
            message.to_string(),
            "Grant the integration user the needed object/record permissions.".to_string(),
        ),
        _ if status >= 500 => d(
            "Salesforce server error",
            format!("Salesforce failed internally ({code}): {message}"),
            "Retry later; if it persists, contact Salesforce support with the error id."
                .to_string(),
        ),
        _ => d(
            "Salesforce rejected the request",
            errors
                .iter()
                .map(|e| {
                    if e.fields.is_empty() {
                        format!("{}: {}", e.error_code, e.message)
                    } else {
                        format!(
                            "{}: {} (fields: {})",
                            e.error_code,
                            e.message,
                            e.fields.join(", ")
                        )
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            "Correct the values listed and try again.".to_string(),
        ),
    }
}

/// Whether a network error says the server closed or reset the connection after it was made
/// (as opposed to not reaching the server at all).
pub(crate) fn is_dropped_connection(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    [
        "connection closed before message completed",
        "connection reset",
        "broken pipe",
        "unexpected eof",
        "incomplete message",
        // HTTP/2: the server reset the request's stream or closed the connection.
        "stream error received",
        "connection error received",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn oauth(error: &str, description: &str) -> ApiError {
        ApiError::OAuth {
            status: 400,
            error: error.into(),
            description: description.into(),
            grant: None,
        }
    }

    #[test]
    fn diagnosis_wrong_domain() {
        let d = oauth("invalid_grant", "request not supported on this domain").diagnosis();
        assert!(d.fix.contains("My Domain"));
        assert!(d.fix.contains("login.salesforce.com"));
        assert!(
            d.what_salesforce_said
                .contains("request not supported on this domain")
        );
    }

    #[test]
    fn diagnosis_no_run_as_user() {
        let d = oauth("invalid_grant", "no client credentials user enabled").diagnosis();
        assert!(d.fix.contains("Run As"));
    }

    #[test]
    fn diagnosis_invalid_client_id() {
        let d = oauth("invalid_client_id", "client identifier invalid").diagnosis();
        assert!(d.meaning.contains("provisioning"));
        assert!(d.fix.contains("Consumer Key"));
    }

    #[test]
    fn diagnosis_invalid_client() {
        let d = oauth("invalid_client", "invalid client credentials").diagnosis();
        assert!(d.fix.contains("Consumer Secret"));
    }

    #[test]
    fn diagnosis_unsupported_grant_type() {
        let d = oauth("unsupported_grant_type", "grant type not supported").diagnosis();
        assert!(d.fix.contains("Enable Client Credentials Flow"));
    }

    #[test]
    fn diagnosis_transport_errors_name_the_host() {
        let net = ApiError::Network {
            host: "acme.my.salesforce.com".into(),
            message: "refused".into(),
        };
        assert!(net.diagnosis().meaning.contains("acme.my.salesforce.com"));
        assert_eq!(net.diagnosis().title, "Cannot reach the server");
        let dropped = ApiError::Network {
            host: "acme.my.salesforce.com".into(),
            message: "client error (SendRequest): connection closed before message completed"
                .into(),
        };
        let d = dropped.diagnosis();
        assert_eq!(d.title, "Connection dropped");
        assert!(
            d.meaning.contains("acme.my.salesforce.com"),
            "{}",
            d.meaning
        );
        let reset = ApiError::Network {
            host: "h".into(),
            message: "Connection reset by peer (os error 104)".into(),
        };
        assert_eq!(reset.diagnosis().title, "Connection dropped");
        let h2 = ApiError::Network {
            host: "h".into(),
            message: "http2 error: stream error received: unexpected internal error encountered"
                .into(),
        };
        assert_eq!(h2.diagnosis().title, "Connection dropped");
        let short = ApiError::Timeout {
            host: "h".into(),
            after: Duration::from_millis(500),
        };
        assert!(short.diagnosis().meaning.contains("within 0.5 s"));
        let tls = ApiError::Tls {
            host: "127.0.0.1".into(),
            message: "invalid peer certificate: UnknownIssuer".into(),
        };
        let d = tls.diagnosis();
        assert!(d.fix.contains("ca_file") && d.fix.contains("127.0.0.1"));
        let timeout = ApiError::Timeout {
            host: "h.example".into(),
            after: Duration::from_secs(30),
        };
        let d = timeout.diagnosis();
        assert!(d.meaning.contains("h.example") && d.meaning.contains("30"));
        let insecure = ApiError::InsecureUrl("http://acme.example".into());
        assert!(insecure.diagnosis().fix.contains("https://"));
    }

    #[test]
    fn diagnosis_generic_api_error_lists_fields() {
        let e = ApiError::Api {
            status: 400,
            errors: vec![SfError {
                message: "Required fields are missing: [LastName]".into(),
                error_code: "REQUIRED_FIELD_MISSING".into(),
                fields: vec!["LastName".into()],
            }],
        };
        assert!(e.diagnosis().meaning.contains("LastName"));
        assert_eq!(e.error_code(), Some("REQUIRED_FIELD_MISSING"));
    }
}
