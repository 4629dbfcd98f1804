//! The run-as user's permissions: object rights, system permissions and permission sets, and
//! the [`SetupOrg`] each scenario builds from them.

use super::Scenario;

/// Object permissions (`ObjectPermissions`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ObjectRights {
    pub read: bool,
    pub create: bool,
    pub edit: bool,
    pub delete: bool,
    pub view_all: bool,
    pub modify_all: bool,
}

impl ObjectRights {
    const CRUD: ObjectRights = ObjectRights {
        read: true,
        create: true,
        edit: true,
        delete: true,
        view_all: false,
        modify_all: false,
    };
    const ALL: ObjectRights = ObjectRights {
        read: true,
        create: true,
        edit: true,
        delete: true,
        view_all: true,
        modify_all: true,
    };

    fn union(self, o: ObjectRights) -> ObjectRights {
        ObjectRights {
            read: self.read || o.read,
            create: self.create || o.create,
            edit: self.edit || o.edit,
            delete: self.delete || o.delete,
            view_all: self.view_all || o.view_all,
            modify_all: self.modify_all || o.modify_all,
        }
    }
}

/// The system permissions the check looks at (`Permissions*` fields).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SystemPerms {
    pub api_enabled: bool,
    pub api_user_only: bool,
    pub view_setup: bool,
    pub modify_all_data: bool,
    pub view_all_data: bool,
    pub customize_application: bool,
    pub author_apex: bool,
    pub manage_users: bool,
}

impl SystemPerms {
    fn union(self, o: SystemPerms) -> SystemPerms {
        SystemPerms {
            api_enabled: self.api_enabled || o.api_enabled,
            api_user_only: self.api_user_only || o.api_user_only,
            view_setup: self.view_setup || o.view_setup,
            modify_all_data: self.modify_all_data || o.modify_all_data,
            view_all_data: self.view_all_data || o.view_all_data,
            customize_application: self.customize_application || o.customize_application,
            author_apex: self.author_apex || o.author_apex,
            manage_users: self.manage_users || o.manage_users,
        }
    }

    /// `(field name, value)` pairs in describe order.
    pub(super) fn fields(self) -> [(&'static str, bool); 8] {
        [
            ("PermissionsApiEnabled", self.api_enabled),
            ("PermissionsApiUserOnly", self.api_user_only),
            ("PermissionsViewSetup", self.view_setup),
            ("PermissionsModifyAllData", self.modify_all_data),
            ("PermissionsViewAllData", self.view_all_data),
            (
                "PermissionsCustomizeApplication",
                self.customize_application,
            ),
            ("PermissionsAuthorApex", self.author_apex),
            ("PermissionsManageUsers", self.manage_users),
        ]
    }
}

/// A permission set (a profile's own one has `profile` set).
#[derive(Debug, Clone)]
pub(crate) struct PermSet {
    pub id: String,
    pub name: String,
    pub label: String,
    /// `IsOwnedByProfile`: the permission set that holds the profile's permissions.
    pub owned_by_profile: bool,
    pub perms: SystemPerms,
    pub objects: Vec<(&'static str, ObjectRights)>,
    /// Apex classes this permission set gives access to.
    pub classes: Vec<&'static str>,
}

/// The objects with records the integration is meant to touch.
pub(crate) const TARGET_OBJECTS: [&str; 3] = ["Account", "Contact", "Lead"];

/// Setup objects that need "View Setup and Configuration" (User is always visible).
const SETUP_OBJECTS: [&str; 9] = [
    "Profile",
    "PermissionSet",
    "PermissionSetAssignment",
    "ObjectPermissions",
    "SetupEntityAccess",
    "ApexClass",
    "LoginIpRange",
    "LoginHistory",
    "UserLicense",
];

/// Other objects only an over-privileged user sees (recorded describes, no records).
pub(super) const EXTRA_OBJECTS: [&str; 2] = ["Opportunity", "Case"];

/// The Apex classes of the org: (name, id sequence).
pub(super) const CLASSES: [&str; 4] = [
    "CustomerWS",
    "CustomerRESTWS",
    "OrderService",
    "OrderResource",
];

/// The run-as user's setup for one scenario.
#[derive(Debug, Clone)]
pub(crate) struct SetupOrg {
    pub scenario: Scenario,
    pub username: String,
    pub profile_id: String,
    pub license_name: String,
    /// The user's permission sets, the profile's own first.
    pub perm_sets: Vec<PermSet>,
    /// `(start, end, description)` login IP ranges of the profile.
    pub ip_ranges: Vec<(&'static str, &'static str, &'static str)>,
    /// Granted OAuth scopes of the main app's tokens, space separated.
    pub scope: &'static str,
}

pub(super) fn id(prefix: &str, seq: u64) -> String {
    crate::sf::id::mint(prefix, seq)
}

impl SetupOrg {
    /// The setup of `scenario` for the run-as user `user_id`.
    pub fn new(scenario: Scenario) -> SetupOrg {
        let admin = scenario == Scenario::OverPrivileged;
        let (profile_name, license_name) = if admin {
            ("System Administrator", "Salesforce")
        } else {
            (
                "Salesforce API Only System Integrations",
                "Salesforce Integration",
            )
        };
        let profile_id = id("00e", if admin { 2 } else { 1 });
        let profile_perms = if admin {
            SystemPerms {
                api_enabled: true,
                api_user_only: false,
                view_setup: true,
                modify_all_data: true,
                view_all_data: true,
                customize_application: true,
                author_apex: true,
                manage_users: true,
            }
        } else {
            SystemPerms {
                api_enabled: true,
                api_user_only: true,
                ..SystemPerms::default()
            }
        };
        let mut profile_objects: Vec<(&'static str, ObjectRights)> = Vec::new();
        if admin {
            for name in TARGET_OBJECTS {
                profile_objects.push((name, ObjectRights::ALL));
            }
            for name in EXTRA_OBJECTS {
                profile_objects.push((name, ObjectRights::ALL));
            }
        }
        let mut perm_sets = vec![PermSet {
            id: id("0PS", if admin { 2 } else { 1 }),
            name: if admin {
                "X00e000000000002AAA".to_owned()
            } else {
                "X00e000000000001AAA".to_owned()
            },
            label: profile_name.to_owned(),
            owned_by_profile: true,
            perms: profile_perms,
            objects: profile_objects,
            classes: if admin {
                vec!["CustomerWS", "CustomerRESTWS"]
            } else {
                Vec::new()
            },
        }];
        if !admin {
            let lead = ObjectRights {
                delete: scenario != Scenario::MissingLeadDelete,
                ..ObjectRights::CRUD
            };
            perm_sets.push(PermSet {
                id: id("0PS", 10),
                name: "IntegrationUserProfile".to_owned(),
                label: "Integration User Profile".to_owned(),
                owned_by_profile: false,
                perms: SystemPerms {
                    api_enabled: true,
                    view_setup: scenario != Scenario::SetupHidden,
                    ..SystemPerms::default()
                },
                objects: vec![
                    ("Account", ObjectRights::CRUD),
                    ("Contact", ObjectRights::CRUD),
                    ("Lead", lead),
                ],
                classes: if scenario == Scenario::NoCustomerws {
                    Vec::new()
                } else {
                    vec!["CustomerWS", "CustomerRESTWS"]
                },
            });
        }
        SetupOrg {
            scenario,
            username: if admin {
                "jane.admin@sfterm-mock.example".to_owned()
            } else {
                "integration@sfterm-mock.example".to_owned()
            },
            profile_id,
            license_name: license_name.to_owned(),
            perm_sets,
            ip_ranges: if admin {
                Vec::new()
            } else {
                vec![(
                    "203.0.113.0",
                    "203.0.113.255",
                    "Integration middleware (NAT egress)",
                )]
            },
            scope: match scenario {
                Scenario::OverPrivileged => "api web full refresh_token",
                Scenario::BroadScopes => "api refresh_token web",
                _ => "api",
            },
        }
    }

    /// The union of the system permissions of every permission set.
    pub fn perms(&self) -> SystemPerms {
        self.perm_sets
            .iter()
            .fold(SystemPerms::default(), |acc, p| acc.union(p.perms))
    }

    /// The user's rights on `object` (canonical name).
    pub fn rights(&self, object: &str) -> ObjectRights {
        let perms = self.perms();
        if perms.modify_all_data {
            return ObjectRights::ALL;
        }
        let mut rights = self
            .perm_sets
            .iter()
            .flat_map(|p| p.objects.iter())
            .filter(|(name, _)| *name == object)
            .fold(ObjectRights::default(), |acc, (_, r)| acc.union(*r));
        if perms.view_all_data {
            rights.read = true;
            rights.view_all = true;
        }
        rights
    }

    /// Whether the user sees the setup objects ("View Setup and Configuration").
    pub fn sees_setup(&self) -> bool {
        let perms = self.perms();
        perms.view_setup || perms.modify_all_data
    }

    /// The describe flags `(queryable, createable, updateable, deletable)` of `object`, or
    /// `None` when the user cannot see it at all.
    pub fn flags(&self, object: &str) -> Option<(bool, bool, bool, bool)> {
        if object == "User" {
            let manage = self.perms().manage_users;
            return Some((true, manage, manage, false));
        }
        if object == "Organization" {
            return Some((true, false, false, false));
        }
        if SETUP_OBJECTS.contains(&object) {
            return self.sees_setup().then_some((true, false, false, false));
        }
        let r = self.rights(object);
        r.read.then_some((true, r.create, r.edit, r.delete))
    }

    /// The objects of the schema this user cannot see.
    pub fn hidden(&self) -> Vec<String> {
        TARGET_OBJECTS
            .iter()
            .chain(SETUP_OBJECTS.iter())
            .chain(EXTRA_OBJECTS.iter())
            .filter(|o| self.flags(o).is_none())
            .map(|o| (*o).to_owned())
            .collect()
    }

    /// Whether the user may call the Apex class `class`. Classes outside the setup model (the
    /// mock's other demo classes) are open to everyone.
    pub fn class_allowed(&self, class: &str) -> bool {
        if !["CustomerWS", "CustomerRESTWS"].contains(&class) {
            return true;
        }
        self.perm_sets.iter().any(|p| p.classes.contains(&class))
    }

    /// The run-as user's `(first name, last name)`.
    pub fn person(&self) -> (&'static str, &'static str) {
        if self.scenario == Scenario::OverPrivileged {
            ("Jane", "Admin")
        } else {
            ("Integration", "User")
        }
    }

    /// Whether the run-as user has the Salesforce Integration licence.
    pub fn is_integration_user(&self) -> bool {
        self.license_name == "Salesforce Integration"
    }
}
