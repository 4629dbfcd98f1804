//! The individual checks of the Setup check.

use bytes::Bytes;
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::{Map, Value};

use super::{CheckItem, CheckReport, ITEM_IDS};
use crate::sf::{ApiError, SfClient, Token};

/// The permission that reveals the setup objects.
const VIEW_SETUP: &str = "Assign \"View Setup and Configuration\" to the user (Setup > Users > \
     Permission Sets > IntegrationUserProfile > System Permissions), or look it up yourself in \
     Setup.";

/// Where the integration user's permission set is edited.
const PERMSET_PATH: &str = "Setup > Users > Permission Sets > IntegrationUserProfile";

/// The objects the integration needs full CRUD on: (item id, sObject).
const TARGETS: [(&str, &str); 3] = [
    ("objects.account", "Account"),
    ("objects.contact", "Contact"),
    ("objects.lead", "Lead"),
];

/// Objects whose mere read access an integration limited to Account/Contact/Lead should not
/// have.
const SENSITIVE: [&str; 14] = [
    "Opportunity",
    "Case",
    "Contract",
    "Order",
    "Quote",
    "Campaign",
    "Document",
    "Attachment",
    "ContentVersion",
    "ContentDocument",
    "Task",
    "Event",
    "EmailMessage",
    "Note",
];

/// A record id that is well formed but cannot exist (the probes' argument).
const IMPOSSIBLE_ID: &str = "001000000000000AAA";

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

fn host_of(url: &url::Url) -> String {
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

const MY_DOMAIN_FIX: &str = "Use your org's My Domain URL as the login URL \
     (https://<MyDomain>.my.salesforce.com; sandboxes <MyDomain>--<sandbox>.sandbox.my.salesforce.com). \
     Find it in Setup > Company Settings > My Domain.";

fn endpoint_item(client: &SfClient, token: Option<&Token>) -> CheckItem {
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

fn tls_item(client: &SfClient, error: Option<&ApiError>) -> CheckItem {
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

/// What the identity calls and the User record told about the run-as user.
#[derive(Default)]
struct UserFacts {
    username: Option<String>,
    active: Option<bool>,
    user_type: Option<String>,
    integration_user: Option<bool>,
    profile_id: Option<String>,
}

async fn user_facts(client: &SfClient, token: &Token) -> UserFacts {
    let mut facts = UserFacts::default();
    if let Ok(info) = client.userinfo().await {
        facts.username = info.preferred_username.clone();
        facts.integration_user = info
            .extra
            .get("is_salesforce_integration_user")
            .and_then(Value::as_bool);
        facts.active = info.extra.get("active").and_then(Value::as_bool);
        facts.user_type = info
            .extra
            .get("user_type")
            .and_then(Value::as_str)
            .map(str::to_owned);
    } else if let Ok(identity) = client.identity().await {
        facts.username = Some(identity.username.clone());
        facts.active = identity.active;
        facts.user_type = identity.user_type.clone();
    }
    let soql = format!(
        "SELECT Id, Username, IsActive, UserType, ProfileId FROM User WHERE Id = '{}'",
        token.user_id
    );
    // Userinfo (or the identity URL) already told what it could when the record is unreadable.
    if let Ok(page) = client.query(&soql).await
        && let Some(user) = page.records.first()
    {
        facts.username = Some(text(user, "Username").to_owned());
        facts.active = user
            .get("IsActive")
            .and_then(Value::as_bool)
            .or(facts.active);
        facts.user_type = Some(text(user, "UserType").to_owned());
        facts.profile_id = Some(text(user, "ProfileId").to_owned()).filter(|s| !s.is_empty());
    }
    facts
}

/// One assigned permission set (the profile's own one included).
struct PermSet {
    id: String,
    label: String,
    owned_by_profile: bool,
    record: Map<String, Value>,
}

impl PermSet {
    fn origin(&self) -> String {
        if self.owned_by_profile {
            format!("profile \"{}\"", self.label)
        } else {
            format!("permission set \"{}\"", self.label)
        }
    }
}

/// The user's permission sets, or the error that hid them.
async fn perm_sets(client: &SfClient, user_id: &str) -> Result<Vec<PermSet>, ApiError> {
    let assignments = client
        .query(&format!(
            "SELECT PermissionSetId FROM PermissionSetAssignment WHERE AssigneeId = '{user_id}'"
        ))
        .await?;
    let ids: Vec<String> = assignments
        .records
        .iter()
        .map(|r| format!("'{}'", text(r, "PermissionSetId")))
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let page = client
        .query(&format!(
            "SELECT Id, Name, Label, IsOwnedByProfile, PermissionsApiEnabled, \
             PermissionsApiUserOnly, PermissionsModifyAllData, PermissionsViewAllData, \
             PermissionsCustomizeApplication, PermissionsAuthorApex, PermissionsViewSetup \
             FROM PermissionSet WHERE Id IN ({})",
            ids.join(", ")
        ))
        .await?;
    Ok(page
        .records
        .into_iter()
        .map(|r| PermSet {
            id: text(&r, "Id").to_owned(),
            label: text(&r, "Label").to_owned(),
            owned_by_profile: flag(&r, "IsOwnedByProfile"),
            record: r,
        })
        .collect())
}

fn scopes_item(token: &Token) -> CheckItem {
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

async fn lifetime_item(client: &SfClient) -> CheckItem {
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

fn user_items(
    facts: &UserFacts,
    sets: &Result<Vec<PermSet>, ApiError>,
    license: Option<&str>,
) -> Vec<CheckItem> {
    let mut items = Vec::new();
    // Active.
    items.push(match facts.active {
        Some(true) => pass(
            "user.active",
            format!(
                "{} is active",
                facts.username.as_deref().unwrap_or("the run-as user")
            ),
        ),
        Some(false) => fail(
            "user.active",
            "The run-as user is inactive",
            "Setup > Users > Users > (the user) > Edit: tick Active, or choose an active \
             Client Credentials User in the app's policies.",
        ),
        None => hidden(
            "user.active",
            "Neither userinfo nor the User record told whether the user is active",
            "Look at Setup > Users > Users.",
        ),
    });
    // Licence.
    let user_type = facts.user_type.as_deref().unwrap_or("unknown");
    let license_fix = "Setup > Users > Users > New User: create a dedicated user with the \
                       Salesforce Integration licence and the \"Salesforce API Only System \
                       Integrations\" profile, then make it the app's Client Credentials User.";
    items.push(match (facts.integration_user, license) {
        (Some(true), _) | (_, Some("Salesforce Integration")) => pass(
            "user.license",
            format!(
                "User type {user_type}, licence {}",
                license
                    .unwrap_or("Salesforce Integration (userinfo is_salesforce_integration_user)")
            ),
        ),
        (_, Some(other)) => warn(
            "user.license",
            format!("User type {user_type}, licence {other} (not Salesforce Integration)"),
            license_fix,
        ),
        (Some(false), None) => warn(
            "user.license",
            format!("User type {user_type}; userinfo says is_salesforce_integration_user = false"),
            license_fix,
        ),
        (None, None) => hidden(
            "user.license",
            format!("User type {user_type}; the licence could not be read"),
            VIEW_SETUP,
        ),
    });
    // Username.
    let username = facts.username.clone().unwrap_or_default();
    let local = username
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let dedicated = looks_dedicated(&local);
    items.push(if username.is_empty() {
        hidden(
            "user.username",
            "The username could not be read",
            "Look at Setup > Users > Users.",
        )
    } else if dedicated {
        pass(
            "user.username",
            format!("{username} looks like a dedicated integration account"),
        )
    } else {
        warn(
            "user.username",
            format!("{username} looks like a person's account"),
            "Use a dedicated integration user (e.g. SYSTEM_NAME.api@yourcompany.com), not a \
             person's login: Setup > Users > Users > New User.",
        )
    });
    // API only.
    items.push(match sets {
        Ok(sets) => {
            let only: Vec<String> = sets
                .iter()
                .filter(|s| flag(&s.record, "PermissionsApiUserOnly"))
                .map(PermSet::origin)
                .collect();
            if only.is_empty() {
                warn(
                    "user.api_only",
                    "No assigned profile or permission set has API Only User: the user can log in to the UI",
                    "Setup > Users > Permission Sets > IntegrationUserProfile > System \
                     Permissions > Edit: tick \"API Only User\" (or use the \"Salesforce API Only \
                     System Integrations\" profile).",
                )
            } else {
                pass("user.api_only", format!("API Only User from {}", only.join(", ")))
            }
        }
        Err(e) => not_readable("user.api_only", "PermissionSetAssignment", e),
    });
    items
}

/// Whether the local part of a username names a system rather than a person
/// (`orders.api`, `svc-sync`, `integration`, `sap_int`).
fn looks_dedicated(local: &str) -> bool {
    const WORDS: [&str; 8] = [
        "api",
        "int",
        "svc",
        "service",
        "system",
        "middleware",
        "sync",
        "bot",
    ];
    local.contains("integration")
        || local
            .split(['.', '_', '-', '+'])
            .any(|part| WORDS.contains(&part))
}

fn dangerous_item(sets: &Result<Vec<PermSet>, ApiError>) -> CheckItem {
    let id = "permissions.dangerous";
    let sets = match sets {
        Ok(sets) => sets,
        Err(e) => return not_readable(id, "PermissionSet", e),
    };
    let mut found = Vec::new();
    for set in sets {
        for (field, name) in [
            ("PermissionsModifyAllData", "Modify All Data"),
            ("PermissionsViewAllData", "View All Data"),
            ("PermissionsCustomizeApplication", "Customize Application"),
            ("PermissionsAuthorApex", "Author Apex"),
        ] {
            if flag(&set.record, field) {
                found.push(format!("{name} ({})", set.origin()));
            }
        }
    }
    if found.is_empty() {
        pass(
            id,
            format!(
                "None of Modify All Data, View All Data, Customize Application, Author Apex in \
                 {} assigned profile/permission sets",
                sets.len()
            ),
        )
    } else {
        fail(
            id,
            found.join("; "),
            "Give the run-as user a least-privilege profile (Salesforce API Only System \
             Integrations) and a permission set with only what it needs; remove these \
             permissions: Setup > Users > Profiles / Permission Sets > System Permissions.",
        )
    }
}

async fn object_items(client: &SfClient) -> Vec<CheckItem> {
    let global = match client.describe_global().await {
        Ok(global) => global,
        Err(e) => {
            let mut items: Vec<CheckItem> = TARGETS
                .iter()
                .map(|(id, _)| {
                    hidden(
                        id,
                        format!("Describe global failed: {e}"),
                        "Run the check again.",
                    )
                })
                .collect();
            items.push(hidden(
                "objects.least_privilege",
                format!("Describe global failed: {e}"),
                "Run the check again.",
            ));
            return items;
        }
    };
    let mut items = Vec::new();
    for (id, name) in TARGETS {
        let fix_for = |missing: &[&str]| {
            let words: Vec<&str> = missing
                .iter()
                .map(|m| match *m {
                    "queryable" => "Read",
                    "createable" => "Create",
                    "updateable" => "Edit",
                    _ => "Delete",
                })
                .collect();
            format!(
                "{PERMSET_PATH} > Object Settings > {name} > Edit: tick {}.",
                words.join(", ")
            )
        };
        let fix = fix_for(&["queryable", "createable", "updateable", "deletable"]);
        if !global.sobjects.iter().any(|s| s.name == name) {
            items.push(fail(
                id,
                format!("{name} is not in describe global: the user cannot read it"),
                &fix,
            ));
            continue;
        }
        match client.describe(name).await {
            Ok(d) => {
                let rights = [
                    ("queryable", d.queryable),
                    ("createable", d.createable),
                    ("updateable", d.updateable),
                    ("deletable", d.deletable),
                ];
                let missing: Vec<&str> =
                    rights.iter().filter(|(_, v)| !v).map(|(k, _)| *k).collect();
                if missing.is_empty() {
                    items.push(pass(
                        id,
                        format!("{name} describe: queryable, createable, updateable, deletable"),
                    ));
                } else {
                    let have: Vec<&str> =
                        rights.iter().filter(|(_, v)| *v).map(|(k, _)| *k).collect();
                    items.push(fail(
                        id,
                        format!(
                            "{name} describe: not {} (has {})",
                            missing.join(", not "),
                            if have.is_empty() {
                                "nothing".to_owned()
                            } else {
                                have.join(", ")
                            }
                        ),
                        &fix_for(&missing),
                    ));
                }
            }
            Err(e) => items.push(fail(id, format!("Describe {name} failed: {e}"), &fix)),
        }
    }
    // Least privilege: write access to anything else, or read access to sensitive objects.
    let mut extra = Vec::new();
    for s in &global.sobjects {
        if TARGETS.iter().any(|(_, n)| *n == s.name) {
            continue;
        }
        let mut rights = Vec::new();
        if s.queryable && SENSITIVE.contains(&s.name.as_str()) {
            rights.push("read");
        }
        if s.createable {
            rights.push("create");
        }
        if s.updateable {
            rights.push("edit");
        }
        if s.deletable {
            rights.push("delete");
        }
        if !rights.is_empty() {
            extra.push(format!("{} ({})", s.name, rights.join("/")));
        }
    }
    items.push(if extra.is_empty() {
        pass(
            "objects.least_privilege",
            format!(
                "{} objects in describe global; none besides Account, Contact, Lead is writable \
                 or sensitive",
                global.sobjects.len()
            ),
        )
    } else {
        warn(
            "objects.least_privilege",
            format!("Also accessible: {}", extra.join(", ")),
            "Remove the object permissions the integration does not need: Setup > Users > \
             Profiles / Permission Sets > Object Settings (and avoid View All / Modify All Data).",
        )
    });
    items
}

/// `GET /services/apexrest/CustomerRESTWS/<impossible id>`.
async fn rest_probe(client: &SfClient) -> CheckItem {
    let id = "apex.customer_rest_ws";
    let path = format!("/services/apexrest/CustomerRESTWS/{IMPOSSIBLE_ID}");
    let resp = match client.send_raw(Method::GET, &path, Vec::new(), None).await {
        Ok(resp) => resp,
        Err(e) => {
            return fail(
                id,
                format!("GET {path} failed: {e}"),
                "Check the connection and run the check again.",
            );
        }
    };
    rest_verdict(
        &path,
        resp.status.as_u16(),
        &String::from_utf8_lossy(&resp.body),
    )
}

/// What the `CustomerRESTWS` probe's answer means.
fn rest_verdict(path: &str, status: u16, body: &str) -> CheckItem {
    let id = "apex.customer_rest_ws";
    let access_fix = format!(
        "{PERMSET_PATH} > Apex Class Access > Edit: add CustomerRESTWS to Enabled Apex Classes."
    );
    let snippet: String = body.chars().take(160).collect();
    let said = format!("GET {path} → HTTP {status} {snippet}");
    if status == 403 || body.contains("FORBIDDEN") || body.contains("INSUFFICIENT_ACCESS") {
        fail(id, format!("No access to the class: {said}"), &access_fix)
    } else if status == 404 && body.contains("Could not find a match for URL") {
        fail(
            id,
            format!("No class maps this URL: {said}"),
            "Deploy CustomerRESTWS with @RestResource(urlMapping='/CustomerRESTWS/*') (Setup > \
             Custom Code > Apex Classes).",
        )
    } else if status == 401 {
        fail(
            id,
            format!("Session refused: {said}"),
            "Check the app's scopes (api) and the login.",
        )
    } else if (200..300).contains(&status)
        || status == 404
        || (status == 500 && body.contains("APEX_ERROR"))
    {
        pass(
            id,
            format!(
                "The class ran for an id that cannot exist (authorised, record not found): {said}"
            ),
        )
    } else {
        warn(
            id,
            format!("Unexpected answer: {said}"),
            "Call the service yourself (sfterm apex rest get CustomerRESTWS/...) and look at the answer.",
        )
    }
}

/// `getCustomer` with an impossible id on `/services/Soap/class/CustomerWS`.
async fn soap_probe(client: &SfClient, token: &Token) -> CheckItem {
    let id = "apex.customer_ws";
    let ns = "http://soap.sforce.com/schemas/class/CustomerWS";
    let envelope = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope \
         xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:c=\"{ns}\">\
         <soapenv:Header><c:SessionHeader><c:sessionId>{}</c:sessionId></c:SessionHeader>\
         </soapenv:Header><soapenv:Body><c:getCustomer><c:accountId>{IMPOSSIBLE_ID}</c:accountId>\
         </c:getCustomer></soapenv:Body></soapenv:Envelope>",
        token.access_token.expose_secret()
    );
    let headers = vec![
        (
            "Content-Type".to_owned(),
            "text/xml; charset=UTF-8".to_owned(),
        ),
        ("SOAPAction".to_owned(), "\"\"".to_owned()),
    ];
    let path = "/services/Soap/class/CustomerWS";
    let resp = match client
        .send_raw(Method::POST, path, headers, Some(Bytes::from(envelope)))
        .await
    {
        Ok(resp) => resp,
        Err(e) => {
            return fail(
                id,
                format!("POST {path} failed: {e}"),
                "Check the connection and run the check again.",
            );
        }
    };
    soap_verdict(resp.status.as_u16(), &String::from_utf8_lossy(&resp.body))
}

/// What the `CustomerWS` probe's answer means.
fn soap_verdict(status: u16, body: &str) -> CheckItem {
    let id = "apex.customer_ws";
    let access_fix = format!(
        "{PERMSET_PATH} > Apex Class Access > Edit: add CustomerWS to Enabled Apex Classes."
    );
    let fault = element(body, "faultstring");
    let said = match &fault {
        Some(f) => format!(
            "getCustomer → HTTP {status} fault: {}",
            f.lines().next().unwrap_or_default()
        ),
        None => format!("getCustomer → HTTP {status}"),
    };
    let fault_text = fault.unwrap_or_default();
    let code = element(body, "faultcode").unwrap_or_default();
    if code.contains("INSUFFICIENT_ACCESS") || fault_text.contains("do not have access") {
        fail(id, format!("No access to the class: {said}"), &access_fix)
    } else if code.contains("INVALID_SESSION_ID") {
        fail(
            id,
            format!("Session refused: {said}"),
            "Check the app's scopes (api) and the login.",
        )
    } else if status == 404 || fault_text.contains("No service available for class") {
        fail(
            id,
            format!("The class is not exposed: {said}"),
            "Deploy CustomerWS with its webservice methods (Setup > Custom Code > Apex Classes).",
        )
    } else if fault_text.contains("No operation available") {
        warn(
            id,
            format!("The class answered but has no getCustomer operation: {said}"),
            "Check the class's webservice methods (Setup > Custom Code > Apex Classes > \
             CustomerWS > Generate WSDL); access was not proven.",
        )
    } else if status == 200
        || fault_text.contains("QueryException")
        || fault_text.contains("no rows")
        || fault_text.contains("Invalid id")
    {
        pass(
            id,
            format!(
                "The class ran for an id that cannot exist (authorised, record not found): {said}"
            ),
        )
    } else {
        warn(
            id,
            format!("Unexpected answer: {said}"),
            "Call the service yourself (sfterm apex soap CustomerWS getCustomer ...) and look at the answer.",
        )
    }
}

/// Text of the first element whose local name is `name` (a tolerant look-up for faults).
fn element(xml: &str, name: &str) -> Option<String> {
    let start = xml.match_indices('<').find_map(|(at, _)| {
        let rest = &xml[at + 1..];
        let end = rest.find(['>', ' ', '/'])?;
        let tag = &rest[..end];
        if tag.rsplit(':').next() == Some(name) {
            Some(at + 1 + rest.find('>')? + 1)
        } else {
            None
        }
    })?;
    let end = xml[start..].find("</")? + start;
    Some(
        xml[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

async fn class_access_item(client: &SfClient, sets: &Result<Vec<PermSet>, ApiError>) -> CheckItem {
    let id = "apex.class_access";
    let sets = match sets {
        Ok(sets) => sets,
        Err(e) => return not_readable(id, "PermissionSet", e),
    };
    let classes = match client
        .query("SELECT Id, Name FROM ApexClass WHERE Name IN ('CustomerWS', 'CustomerRESTWS')")
        .await
    {
        Ok(page) => page.records,
        Err(e) => return not_readable(id, "ApexClass", &e),
    };
    if sets.is_empty() {
        return hidden(id, "No permission set assignments were visible", VIEW_SETUP);
    }
    let parent_ids: Vec<String> = sets.iter().map(|s| format!("'{}'", s.id)).collect();
    let access = match client
        .query(&format!(
            "SELECT ParentId, SetupEntityId FROM SetupEntityAccess WHERE ParentId IN ({}) AND \
             SetupEntityType = 'ApexClass'",
            parent_ids.join(", ")
        ))
        .await
    {
        Ok(page) => page.records,
        Err(e) => return not_readable(id, "SetupEntityAccess", &e),
    };
    let mut granted = Vec::new();
    let mut missing = Vec::new();
    for name in ["CustomerWS", "CustomerRESTWS"] {
        let Some(class) = classes.iter().find(|c| text(c, "Name") == name) else {
            missing.push(format!("{name} (no such class in the org)"));
            continue;
        };
        let class_id = text(class, "Id");
        let from: Vec<String> = access
            .iter()
            .filter(|a| text(a, "SetupEntityId") == class_id)
            .filter_map(|a| sets.iter().find(|s| s.id == text(a, "ParentId")))
            .map(PermSet::origin)
            .collect();
        if from.is_empty() {
            missing.push(name.to_owned());
        } else {
            granted.push(format!("{name} via {}", from.join(", ")));
        }
    }
    if missing.is_empty() {
        pass(id, granted.join("; "))
    } else {
        fail(
            id,
            format!(
                "No class access for {}{}",
                missing.join(", "),
                if granted.is_empty() {
                    String::new()
                } else {
                    format!("; granted: {}", granted.join("; "))
                }
            ),
            &format!(
                "{PERMSET_PATH} > Apex Class Access > Edit: add CustomerWS and CustomerRESTWS."
            ),
        )
    }
}

async fn login_items(client: &SfClient, token: &Token, facts: &UserFacts) -> Vec<CheckItem> {
    let mut items = Vec::new();
    // IP ranges.
    let profile_id = facts.profile_id.clone().unwrap_or_default();
    items.push(if profile_id.is_empty() {
        hidden(
            "login.ip_ranges",
            "The user's profile could not be read",
            "Look at Setup > Users > Profiles > (profile) > Login IP Ranges.",
        )
    } else {
        match client
            .query(&format!(
                "SELECT StartAddress, EndAddress, Description FROM LoginIpRange WHERE ProfileId = '{profile_id}'"
            ))
            .await
        {
            Ok(page) if page.records.is_empty() => warn(
                "login.ip_ranges",
                "The profile has no Login IP Ranges: the user can log in from anywhere",
                "Setup > Users > Profiles > (the integration profile) > Login IP Ranges > New: \
                 add your middleware's egress addresses.",
            ),
            Ok(page) => pass(
                "login.ip_ranges",
                page.records
                    .iter()
                    .map(|r| format!("{}–{}", text(r, "StartAddress"), text(r, "EndAddress")))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Err(e) => not_readable("login.ip_ranges", "LoginIpRange", &e),
        }
    });
    items.push(hidden(
        "login.hours",
        "Login hours are not readable through the REST API",
        "Look at Setup > Users > Profiles > (the integration profile) > Login Hours.",
    ));
    // Login history.
    items.push(
        match client
            .query(&format!(
                "SELECT LoginTime, SourceIp, Status, Application, LoginType FROM LoginHistory \
                 WHERE UserId = '{}' ORDER BY LoginTime DESC LIMIT 20",
                token.user_id
            ))
            .await
        {
            Ok(page) if page.records.is_empty() => {
                pass("login.history", "No logins recorded for the user")
            }
            Ok(page) => {
                let describe = |r: &Map<String, Value>| {
                    format!(
                        "{} from {} ({}, {}, {})",
                        text(r, "LoginTime"),
                        text(r, "SourceIp"),
                        text(r, "Status"),
                        text(r, "Application"),
                        text(r, "LoginType")
                    )
                };
                let last = page.records.first().map(describe).unwrap_or_default();
                let odd: Vec<String> = page
                    .records
                    .iter()
                    .filter(|r| {
                        text(r, "Status") != "Success" || text(r, "LoginType") == "Application"
                    })
                    .map(describe)
                    .collect();
                if odd.is_empty() {
                    pass(
                        "login.history",
                        format!(
                            "{} recent logins, all API and successful; last: {last}",
                            page.records.len()
                        ),
                    )
                } else {
                    warn(
                        "login.history",
                        format!("UI logins or failures: {}", odd.join("; ")),
                        "Setup > Users > Users > (the user) > Login History: find who used the \
                         account interactively; make the user API Only and reset its password.",
                    )
                }
            }
            Err(e) => not_readable("login.history", "LoginHistory", &e),
        },
    );
    items
}

async fn usage_item(client: &SfClient) -> CheckItem {
    let id = "api.usage";
    match client.limits().await {
        Ok(limits) => match limits.get("DailyApiRequests") {
            Some(daily) if daily.max > 0 => {
                let used = daily.max - daily.remaining;
                let percent = used * 100 / daily.max;
                let evidence = format!(
                    "{} of {} daily API requests used ({percent}%)",
                    crate::human::group_thousands(u64::try_from(used).unwrap_or(0)),
                    crate::human::group_thousands(u64::try_from(daily.max).unwrap_or(0))
                );
                let fix = "Setup > Company Settings > System Overview shows API usage; reduce \
                           polling or buy more API calls.";
                if daily.remaining <= 0 {
                    fail(id, evidence, fix)
                } else if percent >= 80 {
                    warn(id, evidence, fix)
                } else {
                    pass(id, evidence)
                }
            }
            _ => hidden(
                id,
                "/limits has no DailyApiRequests",
                "Look at Setup > Company Settings > System Overview.",
            ),
        },
        Err(e) => hidden(
            id,
            format!("/limits refused: {e}"),
            "Look at Setup > Company Settings > System Overview.",
        ),
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

/// The licence name from the user's profile, when Profile and UserLicense are readable.
async fn license_name(client: &SfClient, facts: &UserFacts) -> Option<String> {
    let profile_id = facts.profile_id.as_deref()?;
    let profile = client
        .query(&format!(
            "SELECT UserLicenseId FROM Profile WHERE Id = '{profile_id}'"
        ))
        .await
        .ok()?;
    let license_id = text(profile.records.first()?, "UserLicenseId").to_owned();
    let license = client
        .query(&format!(
            "SELECT Name FROM UserLicense WHERE Id = '{license_id}'"
        ))
        .await
        .ok()?;
    Some(text(license.records.first()?, "Name").to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;

    #[test]
    fn fault_elements_are_found_by_local_name() {
        let xml = "<soapenv:Fault><faultcode>sf:INSUFFICIENT_ACCESS</faultcode><faultstring>a &amp; b</faultstring></soapenv:Fault>";
        assert_eq!(
            element(xml, "faultcode").as_deref(),
            Some("sf:INSUFFICIENT_ACCESS")
        );
        assert_eq!(element(xml, "faultstring").as_deref(), Some("a & b"));
        assert_eq!(element(xml, "detail"), None);
    }

    #[test]
    fn probe_answers_of_real_classes_are_read_right() {
        let p = "/services/apexrest/CustomerRESTWS/x";
        let forbidden = r#"[{"errorCode":"FORBIDDEN","message":"You do not have access to the Apex class named: CustomerRESTWS"}]"#;
        assert_eq!(rest_verdict(p, 403, forbidden).status, Status::Fail);
        let unmapped = r#"[{"errorCode":"NOT_FOUND","message":"Could not find a match for URL /CustomerRESTWS/x"}]"#;
        assert_eq!(rest_verdict(p, 404, unmapped).status, Status::Fail);
        assert_eq!(
            rest_verdict(p, 404, r#"{"error":"not found"}"#).status,
            Status::Pass
        );
        assert_eq!(rest_verdict(p, 200, "null").status, Status::Pass);
        let apex =
            r#"[{"errorCode":"APEX_ERROR","message":"System.QueryException: List has no rows"}]"#;
        assert_eq!(rest_verdict(p, 500, apex).status, Status::Pass);
        assert_eq!(
            rest_verdict(p, 503, "<html>busy</html>").status,
            Status::Warn
        );

        let fault = |code: &str, text: &str| {
            format!(
                "<soapenv:Envelope><soapenv:Body><soapenv:Fault><faultcode>{code}</faultcode><faultstring>{text}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
            )
        };
        let no_access = fault("sf:INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS: no");
        assert_eq!(soap_verdict(500, &no_access).status, Status::Fail);
        let no_rows = fault("soapenv:Client", "System.QueryException: List has no rows");
        assert_eq!(soap_verdict(500, &no_rows).status, Status::Pass);
        let no_op = fault(
            "soapenv:Client",
            "No operation available for request {x}getCustomer",
        );
        assert_eq!(soap_verdict(500, &no_op).status, Status::Warn);
        assert_eq!(soap_verdict(200, "<Envelope/>").status, Status::Pass);
        let session = fault(
            "sf:INVALID_SESSION_ID",
            "INVALID_SESSION_ID: Invalid Session ID",
        );
        assert_eq!(soap_verdict(500, &session).status, Status::Fail);
    }

    #[test]
    fn integration_usernames_are_told_from_people() {
        for yes in [
            "integration",
            "orders.api",
            "svc-sync",
            "sap_int",
            "crm.integration2",
        ] {
            assert!(looks_dedicated(yes), "{yes}");
        }
        for no in ["jane.admin", "john.doe", "apiary.keeper", "internal.jane"] {
            assert!(!looks_dedicated(no), "{no}");
        }
    }

    #[test]
    fn every_item_has_a_title() {
        for id in ITEM_IDS {
            assert!(!title(id).is_empty(), "{id}");
        }
        assert_eq!(Status::NotVisible.label(), "NOT VISIBLE");
    }
}
