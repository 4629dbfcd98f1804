//! The orgs of `sf org list --json`: each once, whatever groups the CLI puts it in.

use serde_json::Value;

use super::cli_error;
use crate::sf::error::{ApiError, SfCliError};

/// One org of `sf org list`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SfOrgEntry {
    /// The username.
    pub username: String,
    /// The alias, if any.
    pub alias: Option<String>,
    /// The org id.
    pub org_id: Option<String>,
    /// The instance URL.
    pub instance_url: Option<String>,
    /// The login URL it was logged in with.
    pub login_url: Option<String>,
    /// A sandbox.
    pub is_sandbox: bool,
    /// A scratch org.
    pub is_scratch: bool,
    /// A Dev Hub.
    pub is_dev_hub: bool,
    /// The CLI's default org.
    pub is_default: bool,
    /// `Connected`, or why not; absent when listed without checking.
    pub connected_status: Option<String>,
}

impl SfOrgEntry {
    /// How the CLI is told which org: the alias, else the username.
    pub fn alias_or_username(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.username)
    }

    /// Whether the CLI said this org's login no longer works (an expired or revoked refresh
    /// token, an inactive user). `false` when the status was not checked.
    pub fn login_expired(&self) -> bool {
        self.connected_status
            .as_deref()
            .is_some_and(super::is_auth_failure)
    }
}

/// The entries of `sf org list`'s `result`.
pub(super) fn parse_org_list(result: &Value) -> Result<Vec<SfOrgEntry>, ApiError> {
    let Some(groups) = result.as_object() else {
        return Err(cli_error(SfCliError::Unreadable {
            command: "sf org list".into(),
            message: "its result is not an object".into(),
        }));
    };
    let mut out: Vec<SfOrgEntry> = Vec::new();
    for group in [
        "other",
        "sandboxes",
        "devHubs",
        "scratchOrgs",
        "nonScratchOrgs",
    ] {
        for item in groups
            .get(group)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let s = |key: &str| {
                item.get(key)
                    .and_then(Value::as_str)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
            };
            let b = |key: &str| item.get(key).and_then(Value::as_bool).unwrap_or(false);
            let Some(username) = s("username") else {
                continue;
            };
            if out.iter().any(|e| e.username == username) {
                continue;
            }
            out.push(SfOrgEntry {
                username,
                alias: s("alias"),
                org_id: s("orgId"),
                instance_url: s("instanceUrl"),
                login_url: s("loginUrl"),
                is_sandbox: group == "sandboxes" || b("isSandbox"),
                is_scratch: group == "scratchOrgs" || b("isScratch"),
                is_dev_hub: group == "devHubs" || b("isDevHub"),
                is_default: b("isDefaultUsername"),
                connected_status: s("connectedStatus"),
            });
        }
    }
    Ok(out)
}
