//! The `token.*` items: the token endpoint, TLS, the granted scopes and the token's lifetime.

use super::{fail, hidden, pass, warn};
use crate::check::CheckItem;
use crate::sf::{ApiError, SfClient, Token};

pub(super) fn host_of(url: &url::Url) -> String {
    url.host_str().unwrap_or_default().to_ascii_lowercase()
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_login_host(host: &str) -> bool {
    host == "login.salesforce.com" || host == "test.salesforce.com"
}

pub(super) const MY_DOMAIN_FIX: &str = "Use your org's My Domain URL as the login URL \
     (https://<MyDomain>.my.salesforce.com; sandboxes <MyDomain>--<sandbox>.sandbox.my.salesforce.com). \
     Find it in Setup > Company Settings > My Domain.";

pub(super) fn endpoint_item(client: &SfClient, token: Option<&Token>) -> CheckItem {
    let id = "token.endpoint";
    let login = &client.config().login_url;
    let host = host_of(login);
    if is_login_host(&host) {
        return fail(
            id,
            format!("The token endpoint is {host}: client credentials are refused there"),
            MY_DOMAIN_FIX,
        );
    }
    let Some(token) = token else {
        return hidden(
            id,
            format!("Token endpoint {host}: no token was obtained, so it is unproven"),
            "Fix the login first, then run the check again.",
        );
    };
    let instance = host_of(&token.instance_url);
    if instance == host {
        let kind = if host.ends_with(".my.salesforce.com") {
            "a My Domain host"
        } else if is_loopback(&host) {
            "a loopback host: a local mock org"
        } else {
            "a custom host"
        };
        pass(
            id,
            format!("Token issued by {host} ({kind}), the same host as the org's instance_url"),
        )
    } else {
        warn(
            id,
            format!("Token endpoint {host} differs from the org's instance_url host {instance}"),
            MY_DOMAIN_FIX,
        )
    }
}

pub(super) fn tls_item(client: &SfClient, error: Option<&ApiError>) -> CheckItem {
    let id = "token.tls";
    let config = client.config();
    if let Some(ApiError::Tls { host, message }) = error {
        return fail(
            id,
            format!("TLS with {host} failed: {message}"),
            "Check the login URL, any TLS-inspecting proxy, and the profile's ca_file.",
        );
    }
    if config.login_url.scheme() == "https" {
        if error.is_some() {
            return hidden(
                id,
                "No TLS error, but the login failed before the certificate could be confirmed",
                "Fix the login first, then run the check again.",
            );
        }
        let via = match &config.ca_file {
            Some(path) => format!(" against the extra CA file {}", path.display()),
            None => " against the system's trusted roots".to_owned(),
        };
        pass(
            id,
            format!(
                "https certificate of {} verified{via}",
                host_of(&config.login_url)
            ),
        )
    } else {
        hidden(
            id,
            format!(
                "Plain http:// to the loopback host {}: there is no certificate to verify",
                host_of(&config.login_url)
            ),
            "Connect over https:// (for the mock org: `sfterm mock-org --tls`).",
        )
    }
}

pub(super) fn scopes_item(token: &Token) -> CheckItem {
    let id = "token.scopes";
    let scopes = token.scopes.join(" ");
    let fix = "Setup > External Client App Manager > (your app) > Edit Settings > OAuth Settings: \
               keep only \"Manage user data via APIs (api)\" in Selected OAuth Scopes.";
    if !token.scopes.iter().any(|s| s == "api") {
        return fail(
            id,
            format!("Granted scopes: \"{scopes}\" (no `api`: REST calls are refused)"),
            fix,
        );
    }
    let broad: Vec<&str> = token
        .scopes
        .iter()
        .map(String::as_str)
        .filter(|s| matches!(*s, "full" | "refresh_token" | "web" | "offline_access"))
        .collect();
    if broad.is_empty() {
        pass(id, format!("Granted scopes: \"{scopes}\""))
    } else {
        warn(
            id,
            format!(
                "Granted scopes: \"{scopes}\"; broader than needed: {}",
                broad.join(", ")
            ),
            fix,
        )
    }
}

pub(super) async fn lifetime_item(client: &SfClient) -> CheckItem {
    let id = "token.lifetime";
    let fix = "Setup > External Client App Manager > (your app) > Edit Policies > Session \
               Policies: set Timeout Value to 2 hours (the org default) or what the integration \
               needs.";
    match client.introspect().await {
        Ok(info) if !info.active => warn(
            id,
            "Introspection says the token is not active (revoked, expired, or issued to another app)",
            "Make sure the profile uses the External Client App the token was issued to.",
        ),
        Ok(info) => match (info.exp, info.iat) {
            (Some(exp), Some(iat)) => {
                let secs = exp.as_second() - iat.as_second();
                let human = crate::human::duration(secs);
                if secs > 12 * 3600 {
                    warn(
                        id,
                        format!("exp - iat = {human}: a stolen token stays usable that long"),
                        fix,
                    )
                } else if secs < 15 * 60 {
                    warn(
                        id,
                        format!("exp - iat = {human}: the client must log in very often"),
                        fix,
                    )
                } else {
                    pass(id, format!("exp - iat = {human} (sliding idle timeout)"))
                }
            }
            _ => hidden(
                id,
                "Introspection answered without exp/iat",
                "Look at the app's session policy in Setup > External Client App Manager.",
            ),
        },
        Err(e) => hidden(
            id,
            format!("Introspection refused: {e}"),
            "Introspection needs the app's own consumer key and secret; check the app's session \
             policy in Setup > External Client App Manager > (your app) > Edit Policies.",
        ),
    }
}
