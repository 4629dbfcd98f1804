//! The run-as user's items (`user.*`, `permissions.dangerous`) and the facts about the user and
//! its permission sets that other groups reuse.

use serde_json::{Map, Value};

use super::{VIEW_SETUP, fail, flag, hidden, not_readable, pass, text, warn};
use crate::check::CheckItem;
use crate::sf::{ApiError, SfClient, Token};

/// What the identity calls and the User record told about the run-as user.
#[derive(Default)]
pub(super) struct UserFacts {
    pub(super) username: Option<String>,
    pub(super) active: Option<bool>,
    pub(super) user_type: Option<String>,
    pub(super) integration_user: Option<bool>,
    pub(super) profile_id: Option<String>,
}

pub(super) async fn user_facts(client: &SfClient, token: &Token) -> UserFacts {
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
pub(super) struct PermSet {
    pub(super) id: String,
    pub(super) label: String,
    pub(super) owned_by_profile: bool,
    pub(super) record: Map<String, Value>,
}

impl PermSet {
    pub(super) fn origin(&self) -> String {
        if self.owned_by_profile {
            format!("profile \"{}\"", self.label)
        } else {
            format!("permission set \"{}\"", self.label)
        }
    }
}

/// The user's permission sets, or the error that hid them.
pub(super) async fn perm_sets(client: &SfClient, user_id: &str) -> Result<Vec<PermSet>, ApiError> {
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

pub(super) fn user_items(
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

pub(super) fn dangerous_item(sets: &Result<Vec<PermSet>, ApiError>) -> CheckItem {
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

/// The licence name from the user's profile, when Profile and UserLicense are readable.
pub(super) async fn license_name(client: &SfClient, facts: &UserFacts) -> Option<String> {
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
}
