//! The org's setup as the run-as user sees it: the setup sObjects (User, Profile, PermissionSet,
//! PermissionSetAssignment, ObjectPermissions, SetupEntityAccess, ApexClass, LoginIpRange,
//! LoginHistory, UserLicense), the user's effective permissions, and the [`Scenario`]s that play
//! a well-configured integration user or one with a classic mistake.
//!
//! Permissions drive what the org answers, as on Salesforce:
//! * describe global and per-object describe: `queryable`/`createable`/`updateable`/`deletable`
//!   from the user's object permissions; objects the user cannot read are absent (describe
//!   404 `NOT_FOUND`, SOQL 400 `INVALID_TYPE`). Without "View Setup and Configuration" the setup
//!   objects other than User are absent the same way.
//! * DML without the object right: 400 `INSUFFICIENT_ACCESS_OR_READONLY`
//!   "insufficient access rights on object id".
//! * Apex classes without class access: Apex REST 403 `FORBIDDEN` "You do not have access to the
//!   Apex class named: X"; Apex SOAP an `sf:INSUFFICIENT_ACCESS` fault (HTTP 500). Both texts
//!   are UNCONFIRMED against a real org (commonly reported wording).
//!
//! The scenarios and the enforcement of DML and Apex rights are here; `permissions` (rights,
//! permission sets, [`SetupOrg`]), `objects` (the setup objects' specs) and `records` (their
//! rows) beside it.

mod objects;
mod permissions;
mod records;

use std::time::Duration;

use super::rest::ApiError;
use super::state::Shared;

pub(crate) use objects::object_specs;
pub(crate) use permissions::SetupOrg;
pub(crate) use records::seed;

/// An org state the mock can play (`--scenario`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scenario {
    /// A least-privilege integration user as the setup guide describes it (the default).
    #[default]
    Good,
    /// The run-as user is an administrator: Modify All Data, View All Data, access to every
    /// object, no IP restriction, `full`/`web`/`refresh_token` scopes.
    OverPrivileged,
    /// Like `good`, without Delete on Lead.
    MissingLeadDelete,
    /// Like `good`, without access to the Apex classes `CustomerWS` and `CustomerRESTWS`.
    NoCustomerws,
    /// Like `good`, without "View Setup and Configuration": setup objects are not visible.
    SetupHidden,
    /// Like `good`, with a 24-hour session timeout on the app.
    LongSession,
    /// Like `good`, with the `refresh_token` and `web` scopes selected on the app as well.
    BroadScopes,
    /// Like `good`, but the run-as user is deactivated: the token request fails with
    /// `inactive_user` (error code from Salesforce's OAuth error table; description UNCONFIRMED).
    InactiveUser,
}

impl Scenario {
    /// Every scenario, in `--help` order.
    pub const ALL: [Scenario; 8] = [
        Scenario::Good,
        Scenario::OverPrivileged,
        Scenario::MissingLeadDelete,
        Scenario::NoCustomerws,
        Scenario::SetupHidden,
        Scenario::LongSession,
        Scenario::BroadScopes,
        Scenario::InactiveUser,
    ];

    /// The name used on the command line (`over-privileged`).
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Good => "good",
            Scenario::OverPrivileged => "over-privileged",
            Scenario::MissingLeadDelete => "missing-lead-delete",
            Scenario::NoCustomerws => "no-customerws",
            Scenario::SetupHidden => "setup-hidden",
            Scenario::LongSession => "long-session",
            Scenario::BroadScopes => "broad-scopes",
            Scenario::InactiveUser => "inactive-user",
        }
    }

    /// The session timeout this scenario imposes, if any.
    pub fn token_ttl(self) -> Option<Duration> {
        (self == Scenario::LongSession).then(|| Duration::from_secs(24 * 3600))
    }
}

impl std::fmt::Display for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Which right a DML operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Create,
    Edit,
    Delete,
}

/// `Err(INSUFFICIENT_ACCESS_OR_READONLY)` when the run-as user lacks `access` on `object`.
pub(crate) fn require(shared: &Shared, object: &str, access: Access) -> Result<(), ApiError> {
    let (q, c, u, d) = shared.setup.flags(object).unwrap_or_default();
    let allowed = q
        && match access {
            Access::Create => c,
            Access::Edit => u,
            Access::Delete => d,
        };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::bad(
            "INSUFFICIENT_ACCESS_OR_READONLY",
            "insufficient access rights on object id",
        )
        .with_fields(Vec::new()))
    }
}

/// Apex REST: `Err(403 FORBIDDEN)` when the user has no access to `class`.
pub(crate) fn require_class(shared: &Shared, class: &str) -> Result<(), ApiError> {
    if shared.setup.class_allowed(class) {
        Ok(())
    } else {
        Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "FORBIDDEN",
            format!("You do not have access to the Apex class named: {class}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn scenarios_have_distinct_names_and_the_expected_rights() {
        let names: HashSet<&str> = Scenario::ALL.iter().map(|s| s.name()).collect();
        assert_eq!(names.len(), Scenario::ALL.len());
        let good = SetupOrg::new(Scenario::Good);
        assert_eq!(good.flags("Lead"), Some((true, true, true, true)));
        assert!(good.sees_setup());
        assert!(good.class_allowed("CustomerWS"));
        assert!(!good.perms().modify_all_data);
        let no_delete = SetupOrg::new(Scenario::MissingLeadDelete);
        assert_eq!(no_delete.flags("Lead"), Some((true, true, true, false)));
        assert_eq!(no_delete.flags("Opportunity"), None);
        let hidden = SetupOrg::new(Scenario::SetupHidden);
        assert_eq!(hidden.flags("PermissionSet"), None);
        assert!(hidden.flags("User").is_some());
        assert!(hidden.hidden().contains(&"LoginHistory".to_owned()));
        let admin = SetupOrg::new(Scenario::OverPrivileged);
        assert_eq!(admin.flags("Opportunity"), Some((true, true, true, true)));
        assert!(admin.perms().modify_all_data);
        let no_class = SetupOrg::new(Scenario::NoCustomerws);
        assert!(!no_class.class_allowed("CustomerRESTWS"));
        assert!(no_class.class_allowed("OrderResource"));
    }
}
