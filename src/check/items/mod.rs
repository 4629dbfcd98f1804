//! The individual checks of the Setup check, one file per group of item ids (`token.*`,
//! `user.*`, `objects.*`, `apex.*`, org security); here the shared helpers and the two reports.

mod apex;
mod objects;
mod org;
mod token;
mod user;

use serde_json::{Map, Value};

use self::apex::{class_access_item, rest_probe, soap_probe};
use self::objects::object_items;
use self::org::{login_items, usage_item};
use self::token::{MY_DOMAIN_FIX, endpoint_item, host_of, lifetime_item, scopes_item, tls_item};
use self::user::{dangerous_item, license_name, perm_sets, user_facts, user_items};
use super::{CheckItem, CheckReport, ITEM_IDS};
use crate::sf::{ApiError, SfClient, Token};

/// The permission that reveals the setup objects.
const VIEW_SETUP: &str = "Assign \"View Setup and Configuration\" to the user (Setup > Users > \
     Permission Sets > IntegrationUserProfile > System Permissions), or look it up yourself in \
     Setup.";

/// Where the integration user's permission set is edited.
const PERMSET_PATH: &str = "Setup > Users > Permission Sets > IntegrationUserProfile";

fn title(id: &str) -> &'static str {
    match id {
        "token.endpoint" => "Token endpoint is the org's My Domain",
        "token.tls" => "TLS certificate valid",
        "token.obtained" => "Access token obtained (client credentials)",
        "token.scopes" => "OAuth scopes are `api` only",
        "token.lifetime" => "Token lifetime (introspection)",
        "user.active" => "Run-as user is active",
        "user.license" => "User type and licence",
        "user.username" => "Dedicated integration username",
        "user.api_only" => "API Only user (no UI login)",
        "objects.account" => "Account: read, create, edit, delete",
        "objects.contact" => "Contact: read, create, edit, delete",
        "objects.lead" => "Lead: read, create, edit, delete",
        "objects.least_privilege" => "No access to other sensitive objects",
        "permissions.dangerous" => "No dangerous system permissions",
        "apex.customer_rest_ws" => "Apex REST CustomerRESTWS reachable",
        "apex.customer_ws" => "Apex SOAP CustomerWS reachable",
        "apex.class_access" => "Apex class access granted (SetupEntityAccess)",
        "login.ip_ranges" => "Login IP ranges on the profile",
        "login.hours" => "Login hours on the profile",
        "login.history" => "Recent login history",
        "api.usage" => "API usage today",
        _ => "",
    }
}

fn pass(id: &str, evidence: impl Into<String>) -> CheckItem {
    CheckItem::pass(id, title(id), evidence)
}
fn warn(id: &str, evidence: impl Into<String>, fix: &str) -> CheckItem {
    CheckItem::warn(id, title(id), evidence, fix)
}
fn fail(id: &str, evidence: impl Into<String>, fix: &str) -> CheckItem {
    CheckItem::fail(id, title(id), evidence, fix)
}
fn hidden(id: &str, evidence: impl Into<String>, reveal: &str) -> CheckItem {
    CheckItem::hidden(id, title(id), evidence, reveal)
}

/// A query error that means "not visible to this user" (rather than a broken query).
fn is_access_error(e: &ApiError) -> bool {
    matches!(
        e.error_code(),
        Some(
            "INVALID_TYPE"
                | "INSUFFICIENT_ACCESS"
                | "INSUFFICIENT_ACCESS_OR_READONLY"
                | "NOT_FOUND"
                | "FORBIDDEN"
        )
    ) || e.status() == Some(403)
}

/// The NotVisible item for a failed setup query.
fn not_readable(id: &str, object: &str, e: &ApiError) -> CheckItem {
    if is_access_error(e) {
        hidden(
            id,
            format!(
                "{object} cannot be queried by this user ({})",
                e.error_code().unwrap_or("refused")
            ),
            VIEW_SETUP,
        )
    } else {
        hidden(
            id,
            format!("Reading {object} failed: {e}"),
            "Run the check again; if it keeps failing, look it up in Setup.",
        )
    }
}

fn text<'a>(record: &'a Map<String, Value>, key: &str) -> &'a str {
    record.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn flag(record: &Map<String, Value>, key: &str) -> bool {
    record.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// The report when no token could be obtained.
pub(super) fn login_failed(client: &SfClient, e: &ApiError) -> CheckReport {
    let d = e.diagnosis();
    let mut items = vec![endpoint_item(client, None), tls_item(client, Some(e))];
    if e.error_code() == Some("invalid_grant")
        && e.to_string()
            .contains("request not supported on this domain")
    {
        items[0] = fail(
            "token.endpoint",
            format!(
                "{} refused client credentials: request not supported on this domain",
                host_of(&client.config().login_url)
            ),
            MY_DOMAIN_FIX,
        );
    }
    items.push(fail(
        "token.obtained",
        format!("{}: {}", d.title, d.what_salesforce_said),
        &d.fix,
    ));
    for id in ITEM_IDS.iter().skip(3) {
        items.push(
            if *id == "user.active" && e.error_code() == Some("inactive_user") {
                fail(
                    id,
                    format!("The token endpoint says the run-as user is inactive: {e}"),
                    "Setup > Users > Users > (the integration user) > Edit: tick Active, or choose \
                 an active Client Credentials User in Setup > External Client App Manager > \
                 (your app) > Edit Policies.",
                )
            } else {
                hidden(
                    id,
                    "Not checked: no access token",
                    "Fix the login first, then run the check again.",
                )
            },
        );
    }
    CheckReport {
        instance_url: None,
        username: None,
        items,
    }
}

/// Every item with a token.
pub(super) async fn run_all(client: &SfClient, token: &Token) -> CheckReport {
    // Independent calls run together; the report keeps the fixed item order.
    let (lifetime, (facts, sets), objects, rest, soap) = tokio::join!(
        lifetime_item(client),
        async { tokio::join!(user_facts(client, token), perm_sets(client, &token.user_id)) },
        object_items(client),
        rest_probe(client),
        soap_probe(client, token),
    );
    let (license, class_access, login) = tokio::join!(
        license_name(client, &facts),
        class_access_item(client, &sets),
        login_items(client, token, &facts),
    );
    let mut items = vec![
        endpoint_item(client, Some(token)),
        tls_item(client, None),
        pass(
            "token.obtained",
            format!(
                "Client credentials token for user {} in org {}, issued {}",
                token.user_id, token.org_id, token.issued_at
            ),
        ),
        scopes_item(token),
        lifetime,
    ];
    items.extend(user_items(&facts, &sets, license.as_deref()));
    items.extend(objects);
    items.push(dangerous_item(&sets));
    items.push(rest);
    items.push(soap);
    items.push(class_access);
    items.extend(login);
    // Last, so that the figure includes the check's own calls.
    items.push(usage_item(client).await);
    CheckReport {
        instance_url: Some(token.instance_url.as_str().trim_end_matches('/').to_owned()),
        username: facts.username.clone(),
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;

    #[test]
    fn every_item_has_a_title() {
        for id in ITEM_IDS {
            assert!(!title(id).is_empty(), "{id}");
        }
        assert_eq!(Status::NotVisible.label(), "NOT VISIBLE");
    }
}
