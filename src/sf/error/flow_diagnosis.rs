//! The plain-words diagnoses of the login flows beyond client credentials: the browser login
//! (web server flow), refresh tokens, JWT bearer and the Salesforce CLI. `diagnosis.rs` asks
//! here first for OAuth errors and falls back to its client-credentials reading.

use super::diagnosis::{Diagnosis, Maker};
use super::{BrowserLoginError, SfCliError};
use crate::sf::types::GrantKind;

/// What the user does to log in through the browser again.
const LOG_IN_AGAIN: &str = "Log in again in the browser: connect the profile again, or run \
     `sfterm login -p PROFILE` from a shell.";

/// The diagnosis of an OAuth error for `grant`, or `None` to let the client-credentials
/// reading in `diagnosis.rs` answer (client credentials, other endpoints, generic codes).
pub(super) fn oauth(
    grant: Option<GrantKind>,
    error: &str,
    description: &str,
    d: Maker<'_>,
) -> Option<Diagnosis> {
    let desc = description.to_ascii_lowercase();
    if let Some(common) = any_grant(error, &desc, description, d) {
        return Some(common);
    }
    match grant? {
        GrantKind::AuthorizationCode => authorization_code(error, &desc, description, d),
        GrantKind::RefreshToken => refresh_token(error, &desc, description, d),
        GrantKind::JwtBearer => jwt_bearer(error, &desc, description, d),
        GrantKind::ClientCredentials | GrantKind::External => None,
    }
}

/// Errors that read the same whatever the grant.
fn any_grant(error: &str, desc: &str, description: &str, d: Maker<'_>) -> Option<Diagnosis> {
    Some(match error {
        "redirect_uri_mismatch" => d(
            "Callback URL not registered",
            format!(
                "The redirect URI sfterm sent is not one of the app's Callback URLs; Salesforce \
                 compares the exact text, port and path included ({description})."
            ),
            "Add the redirect URI (by default http://localhost:1717/OauthRedirect) to the \
             Callback URLs of the External Client App / Connected App, or set the profile's \
             port to one that is registered there. Changes can take a few minutes to apply."
                .to_string(),
        ),
        "access_denied" | "access-denied" => d(
            "Browser login cancelled",
            "The login was refused in the browser: Deny was clicked on the approval page, or \
             the org does not let this user use the app."
                .to_string(),
            "Log in again and click Allow. If you did not click Deny, ask your admin whether the \
             app is allowed for your user."
                .to_string(),
        ),
        "invalid_app_access" => not_pre_authorized(d),
        "OAUTH_EC_APP_NOT_FOUND" | "app_not_found" => app_not_installed(d),
        _ if desc.contains("not installed in this org") => app_not_installed(d),
        "OAUTH_APP_BLOCKED" | "OAUTH_APPROVAL_ERROR_GENERIC" => d(
            "App blocked in this org",
            format!("Salesforce does not let this app log in to the org ({error})."),
            "Ask your admin to unblock or reinstall the app (Setup › Connected Apps OAuth \
             Usage), or use another app's consumer key."
                .to_string(),
        ),
        "invalid_scope" => d(
            "Scope not allowed",
            format!("sfterm asked for OAuth scopes the app does not offer: {description}."),
            "Give the app the scopes \"Manage user data via APIs (api)\" and \"Perform requests \
             at any time (refresh_token, offline_access)\", save, and log in again."
                .to_string(),
        ),
        _ => return None,
    })
}

fn not_pre_authorized(d: Maker<'_>) -> Diagnosis {
    d(
        "User not pre-authorized for the app",
        "The app only admits users an admin approved (\"Admin approved users are \
         pre-authorized\"), and this user is not one of them."
            .to_string(),
        "Assign the app to the user's profile or to a permission set of theirs (the app's \
         policies › Profiles / Permission Sets), or let all users self-authorize."
            .to_string(),
    )
}

fn app_not_installed(d: Maker<'_>) -> Diagnosis {
    d(
        "App not installed in this org",
        "The External Client App is not installed in the org you logged in to: it was made in \
         another org, or the sandbox was refreshed since."
            .to_string(),
        "Install or deploy the app to this org (or use the consumer key of an app that lives \
         here), wait a few minutes, then log in again."
            .to_string(),
    )
}

fn inactive_user(d: Maker<'_>) -> Diagnosis {
    d(
        "User inactive",
        "The user is deactivated or frozen, so Salesforce issues no token for them.".to_string(),
        "Ask your admin to reactivate or unfreeze the user, or log in as another user.".to_string(),
    )
}

fn wrong_secret(d: Maker<'_>, setting: &str) -> Diagnosis {
    d(
        "Wrong consumer secret",
        "The profile sends a consumer secret and Salesforce does not accept it (a secret that \
         is sent is checked even when the app does not require one)."
            .to_string(),
        format!(
            "Copy the Consumer Secret again from the app, or leave the secret empty when the \
             app does not tick \"{setting}\"."
        ),
    )
}

/// The code exchange's own errors; `None` for the generic ones (`invalid_client_id`, ...).
fn authorization_code(
    error: &str,
    desc: &str,
    description: &str,
    d: Maker<'_>,
) -> Option<Diagnosis> {
    let pkce = desc.contains("verifier") || desc.contains("challenge") || desc.contains("pkce");
    Some(match error {
        "invalid_grant" if desc.contains("expired authorization code") => d(
            "Login code expired or already used",
            "The one-time code the browser brought back was already exchanged, or is too old \
             (such codes live only minutes)."
                .to_string(),
            "Log in again in the browser and let sfterm finish without a long pause.".to_string(),
        ),
        "invalid_grant" if desc.contains("inactive user") => inactive_user(d),
        "invalid_request" | "invalid_grant" if pkce => d(
            "Login check (PKCE) failed",
            format!(
                "Salesforce refused the code because its proof key (PKCE code verifier) does not \
                 match the login it came from: the code belongs to another login ({description})."
            ),
            "Log in again and finish the login in the page sfterm opened (or the address it \
             printed), not in an older tab."
                .to_string(),
        ),
        "invalid_client" | "invalid_client_credentials" => {
            wrong_secret(d, "Require Secret for Web Server Flow")
        }
        "unsupported_grant_type" => d(
            "Browser login not enabled for the app",
            "The app does not allow the authorization code (web server) flow.".to_string(),
            "In the app's OAuth settings tick \"Enable Authorization Code and Credentials \
             Flow\" and \"Require Proof Key for Code Exchange (PKCE)\", register the callback \
             URL, save, and wait a few minutes."
                .to_string(),
        ),
        "invalid_grant" | "invalid_request" => browser_refused(error, description, d),
        _ => return None,
    })
}

fn browser_refused(error: &str, description: &str, d: Maker<'_>) -> Diagnosis {
    d(
        "Browser login refused",
        format!("Salesforce refused the login ({error}): {description}."),
        "Log in again. If it keeps failing, check that the user may use the app and that the \
         login URL is where this user logs in (production, sandbox or My Domain)."
            .to_string(),
    )
}

/// The refresh grant's own errors; `None` for the generic ones.
fn refresh_token(error: &str, desc: &str, description: &str, d: Maker<'_>) -> Option<Diagnosis> {
    Some(match error {
        "invalid_grant" if desc.contains("inactive user") => inactive_user(d),
        "invalid_grant" => d(
            "Browser login expired: log in again",
            format!(
                "Salesforce no longer accepts the stored refresh token ({description}): it was \
                 revoked, expired under the app's refresh token policy, replaced by a newer one \
                 (rotation), or pushed out because the user approved the app more than 5 times."
            ),
            LOG_IN_AGAIN.to_string(),
        ),
        "invalid_client" | "invalid_client_credentials" => {
            wrong_secret(d, "Require Secret for Refresh Token Flow")
        }
        "unsupported_grant_type" => d(
            "Refresh tokens not allowed for the app",
            "The app does not accept the refresh token grant.".to_string(),
            format!(
                "Give the app the scope \"Perform requests at any time (refresh_token, \
                 offline_access)\", save, then {}",
                lowercase_first(LOG_IN_AGAIN)
            ),
        ),
        "invalid_request" => d(
            "Token renewal refused",
            format!("Salesforce refused to renew the token ({error}): {description}."),
            LOG_IN_AGAIN.to_string(),
        ),
        _ => return None,
    })
}

/// The JWT bearer grant's own errors; `None` for the generic ones.
fn jwt_bearer(error: &str, desc: &str, description: &str, d: Maker<'_>) -> Option<Diagnosis> {
    Some(match error {
        "invalid_grant" if desc.contains("approved this consumer") => d(
            "User not pre-authorized for the app",
            "Salesforce has no approval for this user to use the app without a browser: the \
             app does not pre-authorize admin-approved users, or the user's profile or \
             permission set is not assigned to it."
                .to_string(),
            "In the app's policies choose \"Admin approved users are pre-authorized\" and assign \
             the app to the user's profile or a permission set of theirs. Check the username \
             too: a sandbox username ends in .sandboxname."
                .to_string(),
        ),
        _ if desc.contains("not admin approved") => not_pre_authorized(d),
        "invalid_grant" if desc.contains("audience") => d(
            "Wrong audience for this org",
            "The assertion's audience (aud) does not fit the org: production and Developer \
             Edition orgs expect https://login.salesforce.com, sandboxes \
             https://test.salesforce.com."
                .to_string(),
            "For a sandbox use https://test.salesforce.com (or the sandbox's \
             .sandbox.my.salesforce.com My Domain) as the login URL; for production \
             https://login.salesforce.com or its My Domain."
                .to_string(),
        ),
        "invalid_grant" if desc.contains("expired") => d(
            "JWT assertion expired: check the clock",
            "Salesforce read the assertion's expiry time (exp) as already past. sfterm signs \
             each assertion 3 minutes ahead of this computer's clock, so that clock is behind."
                .to_string(),
            "Set this computer's clock right (turn on automatic time / NTP) and try again."
                .to_string(),
        ),
        "invalid_grant" if desc.contains("assertion") || desc.contains("signature") => d(
            "Signature not accepted",
            "Salesforce could not verify the assertion with the certificate uploaded to the \
             app: the private key does not belong to that certificate."
                .to_string(),
            "Upload the certificate made from this private key to the app (\"Use digital \
             signatures\"), e.g. `openssl req -new -x509 -key server.key -out server.crt -days \
             365`, or point the profile at the key of the uploaded certificate."
                .to_string(),
        ),
        "invalid_grant" if desc.contains("inactive user") => inactive_user(d),
        "unsupported_grant_type" => d(
            "JWT bearer flow not enabled for the app",
            "The app does not accept JWT bearer assertions.".to_string(),
            "In the app's OAuth settings enable the JWT bearer flow (External Client App: \
             \"Enable JWT Bearer Flow\"; Connected App: \"Use digital signatures\"), upload the \
             certificate, save, and wait a few minutes."
                .to_string(),
        ),
        "invalid_grant" | "invalid_request" => d(
            "JWT login refused",
            format!("Salesforce refused the assertion ({error}): {description}."),
            "Check the username (a sandbox username ends in .sandboxname), that the app holds \
             the certificate and pre-authorizes the user, and that the login URL fits the org \
             type (login.salesforce.com or test.salesforce.com)."
                .to_string(),
        ),
        _ => return None,
    })
}

/// The diagnosis of a failed browser login.
pub(super) fn browser(e: &BrowserLoginError, d: Maker<'_>) -> Diagnosis {
    match e {
        BrowserLoginError::PortInUse { port } => d(
            "Login port in use",
            format!(
                "Another program already listens on 127.0.0.1:{port}, where the browser comes \
                 back after the login (often another sfterm, or `sf org login web`, which uses \
                 1717)."
            ),
            "Close that program and try again, or pick another port in the profile and add \
             http://localhost:PORT/OauthRedirect for it to the app's Callback URLs."
                .to_string(),
        ),
        BrowserLoginError::Listen { port, message } => d(
            "Cannot wait for the browser login",
            format!("sfterm cannot listen on 127.0.0.1:{port}: {message}."),
            "Pick a port above 1024 in the profile (and register its callback URL on the app)."
                .to_string(),
        ),
        BrowserLoginError::TimedOut { after } => d(
            "Browser login timed out",
            format!(
                "No login came back from the browser within {} s.",
                after.as_secs()
            ),
            "Start the login again and finish it in the browser. Where no browser opens (SSH), \
             open the printed address in a browser elsewhere, log in, and paste back the \
             address the browser ends on (it starts with http://localhost:)."
                .to_string(),
        ),
        BrowserLoginError::StateMismatch => d(
            "Login from another attempt",
            "The browser came back with a login sfterm did not start (its state differs): an \
             older login tab, or a forged request. It was refused."
                .to_string(),
            "Start the login again and finish it in the page it opens; close older login tabs."
                .to_string(),
        ),
        BrowserLoginError::AlreadyUsed => d(
            "Login already completed",
            "This login already brought back its code; a login is used once.".to_string(),
            "Start a new login if you need one.".to_string(),
        ),
        BrowserLoginError::Refused { error, description } => {
            oauth(Some(GrantKind::AuthorizationCode), error, description, d)
                .unwrap_or_else(|| browser_refused(error, description, d))
        }
        BrowserLoginError::NotARedirect(reason) => d(
            "Not a login address",
            format!("The pasted text is not the address the browser was sent back to: {reason}."),
            "After logging in, copy the whole address from the browser's address bar (it starts \
             with http://localhost: and holds code= and state=) and paste it."
                .to_string(),
        ),
    }
}

/// The diagnosis of a Salesforce CLI failure.
pub(super) fn sf_cli(e: &SfCliError, d: Maker<'_>) -> Diagnosis {
    match e {
        SfCliError::NotInstalled { program } => d(
            "Salesforce CLI not found",
            format!(
                "sfterm runs `{program}` to borrow the Salesforce CLI's login, and there is no \
                 such program."
            ),
            "Install the Salesforce CLI (npm install --global @salesforce/cli), or set \
             SFTERM_SF_BIN to the path of `sf`."
                .to_string(),
        ),
        SfCliError::OrgNotFound { org } => d(
            "Org unknown to the Salesforce CLI",
            format!("The Salesforce CLI has no login for \"{org}\" (no such alias or username)."),
            format!(
                "Run `sf org list` to see the orgs it knows, or log this one in: `{}`.",
                SfCliError::login_command(org, None)
            ),
        ),
        SfCliError::NoDefaultOrg => d(
            "No default org in the Salesforce CLI",
            "No org was named and the Salesforce CLI has no default org.".to_string(),
            "Name the org (alias or username) in the profile, or set a default: `sf config set \
             target-org ALIAS`."
                .to_string(),
        ),
        SfCliError::LoginExpired {
            org,
            instance_url,
            message,
        } => d(
            "Salesforce CLI login expired",
            format!("The Salesforce CLI's login to {org} no longer works: {message}."),
            format!(
                "Log in again with the CLI: `{}`, then connect again.",
                SfCliError::login_command(org, instance_url.as_deref())
            ),
        ),
        SfCliError::Failed { command, .. } => d(
            "Salesforce CLI failed",
            format!("The Salesforce CLI could not answer: {e}."),
            format!(
                "Run `{command} --json` in a terminal to see more; update the CLI with `sf \
                 update` if it is old."
            ),
        ),
        SfCliError::Unreadable { .. } => d(
            "Unexpected answer from the Salesforce CLI",
            format!("{e}."),
            "Update the Salesforce CLI (`sf update`) and try again.".to_string(),
        ),
        SfCliError::TimedOut { command, after } => d(
            "Salesforce CLI too slow",
            format!("`{command}` did not finish within {} s.", after.as_secs()),
            format!(
                "Run `{command}` in a terminal to see whether it hangs (network, a question it \
                 asks), then try again."
            ),
        ),
        SfCliError::TooOld => d(
            "Salesforce CLI too old",
            "This Salesforce CLI hides the access token in `sf org display` but has no `sf org \
             auth show-access-token` command yet."
                .to_string(),
            "Update it: `sf update` (or npm install --global @salesforce/cli@latest).".to_string(),
        ),
    }
}

/// The diagnosis of [`super::ApiError::LoginRequired`].
pub(super) fn login_required(d: Maker<'_>) -> Diagnosis {
    d(
        "Log in again",
        "This profile logs in through the browser and holds no refresh token: it never logged \
         in here, or its login was revoked."
            .to_string(),
        LOG_IN_AGAIN.to_string(),
    )
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}
