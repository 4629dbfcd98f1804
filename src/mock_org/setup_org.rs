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

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::rest::ApiError;
use super::schema::{Schema, render};
use super::soql::Row;
use super::state::{Inner, Record, Shared, sf_datetime};

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
    fn fields(self) -> [(&'static str, bool); 8] {
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

/// Other objects that appear in describe global for an over-privileged user.
const EXTRA_OBJECTS: [(&str, &str, &str); 2] = [
    ("Opportunity", "Opportunities", "006"),
    ("Case", "Cases", "500"),
];

/// The Apex classes of the org: (name, id sequence).
const CLASSES: [&str; 4] = [
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

fn id(prefix: &str, seq: u64) -> String {
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
            for (name, _, _) in EXTRA_OBJECTS {
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

// ------------------------------------------------------------------ DML and Apex enforcement

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

// ------------------------------------------------------------------ describes

/// `(name, type, reference target and relationship name)` of a generated field.
type FieldSpec = (
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
);

const PERM_FIELDS: [&str; 8] = [
    "PermissionsApiEnabled",
    "PermissionsApiUserOnly",
    "PermissionsViewSetup",
    "PermissionsModifyAllData",
    "PermissionsViewAllData",
    "PermissionsCustomizeApplication",
    "PermissionsAuthorApex",
    "PermissionsManageUsers",
];

/// The setup objects: (name, plural label, key prefix, fields).
fn object_specs() -> Vec<(&'static str, &'static str, &'static str, Vec<FieldSpec>)> {
    let audit: [FieldSpec; 2] = [
        ("CreatedDate", "datetime", None),
        ("SystemModstamp", "datetime", None),
    ];
    let with_audit = |mut fields: Vec<FieldSpec>| {
        fields.extend(audit);
        fields
    };
    let perms = |mut fields: Vec<FieldSpec>| {
        fields.extend(PERM_FIELDS.iter().map(|f| (*f, "boolean", None)));
        fields
    };
    vec![
        (
            "User",
            "Users",
            "005",
            with_audit(vec![
                ("Id", "id", None),
                ("Username", "string", None),
                ("FirstName", "string", None),
                ("LastName", "string", None),
                ("Name", "string", None),
                ("Alias", "string", None),
                ("Email", "email", None),
                ("IsActive", "boolean", None),
                ("UserType", "picklist", None),
                ("ProfileId", "reference", Some(("Profile", "Profile"))),
                ("TimeZoneSidKey", "picklist", None),
                ("LastLoginDate", "datetime", None),
            ]),
        ),
        (
            "Profile",
            "Profiles",
            "00e",
            with_audit(perms(vec![
                ("Id", "id", None),
                ("Name", "string", None),
                ("UserType", "picklist", None),
                (
                    "UserLicenseId",
                    "reference",
                    Some(("UserLicense", "UserLicense")),
                ),
                ("Description", "string", None),
            ])),
        ),
        (
            "UserLicense",
            "User Licenses",
            "100",
            with_audit(vec![
                ("Id", "id", None),
                ("Name", "string", None),
                ("MasterLabel", "string", None),
                ("Status", "picklist", None),
                ("TotalLicenses", "int", None),
                ("UsedLicenses", "int", None),
            ]),
        ),
        (
            "PermissionSet",
            "Permission Sets",
            "0PS",
            with_audit(perms(vec![
                ("Id", "id", None),
                ("Name", "string", None),
                ("Label", "string", None),
                ("IsOwnedByProfile", "boolean", None),
                ("ProfileId", "reference", Some(("Profile", "Profile"))),
            ])),
        ),
        (
            "PermissionSetAssignment",
            "Permission Set Assignments",
            "0Pa",
            with_audit(vec![
                ("Id", "id", None),
                ("AssigneeId", "reference", Some(("User", "Assignee"))),
                (
                    "PermissionSetId",
                    "reference",
                    Some(("PermissionSet", "PermissionSet")),
                ),
            ]),
        ),
        (
            "ObjectPermissions",
            "Object Permissions",
            "110",
            with_audit(vec![
                ("Id", "id", None),
                ("ParentId", "reference", Some(("PermissionSet", "Parent"))),
                ("SobjectType", "picklist", None),
                ("PermissionsRead", "boolean", None),
                ("PermissionsCreate", "boolean", None),
                ("PermissionsEdit", "boolean", None),
                ("PermissionsDelete", "boolean", None),
                ("PermissionsViewAllRecords", "boolean", None),
                ("PermissionsModifyAllRecords", "boolean", None),
            ]),
        ),
        (
            "SetupEntityAccess",
            "Setup Entity Access",
            "0J0",
            with_audit(vec![
                ("Id", "id", None),
                ("ParentId", "reference", Some(("PermissionSet", "Parent"))),
                ("SetupEntityId", "reference", None),
                ("SetupEntityType", "picklist", None),
            ]),
        ),
        (
            "ApexClass",
            "Apex Classes",
            "01p",
            with_audit(vec![
                ("Id", "id", None),
                ("Name", "string", None),
                ("NamespacePrefix", "string", None),
                ("Status", "picklist", None),
                ("ApiVersion", "double", None),
                ("IsValid", "boolean", None),
            ]),
        ),
        (
            "LoginIpRange",
            "Login IP Ranges",
            "0LI",
            with_audit(vec![
                ("Id", "id", None),
                ("ProfileId", "reference", Some(("Profile", "Profile"))),
                ("StartAddress", "string", None),
                ("EndAddress", "string", None),
                ("Description", "string", None),
            ]),
        ),
        (
            "LoginHistory",
            "Login History",
            "0Ya",
            vec![
                ("Id", "id", None),
                ("UserId", "reference", None),
                ("LoginTime", "datetime", None),
                ("LoginType", "picklist", None),
                ("SourceIp", "string", None),
                ("Status", "string", None),
                ("Application", "string", None),
                ("Browser", "string", None),
                ("Platform", "string", None),
                ("LoginUrl", "string", None),
            ],
        ),
    ]
}

fn soap_type(ftype: &str) -> &'static str {
    match ftype {
        "id" | "reference" => "tns:ID",
        "boolean" => "xsd:boolean",
        "datetime" => "xsd:dateTime",
        "int" => "xsd:int",
        "double" => "xsd:double",
        _ => "xsd:string",
    }
}

fn label_of(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.trim_end_matches("Id").chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c);
    }
    if name == "Id" {
        "Record ID".to_owned()
    } else {
        out
    }
}

fn field_json(object: &str, (name, ftype, reference): FieldSpec) -> Value {
    let boolean = ftype == "boolean";
    let system = matches!(name, "Id" | "CreatedDate" | "SystemModstamp");
    let length = match ftype {
        "id" | "reference" => 18,
        "string" | "email" | "picklist" => 255,
        _ => 0,
    };
    let user_writable = object == "User" && !system && name != "Name";
    let mut f = Map::new();
    f.insert("aggregatable".into(), json!(!boolean));
    f.insert("autoNumber".into(), json!(false));
    f.insert("byteLength".into(), json!(length * 3));
    f.insert("calculated".into(), json!(false));
    f.insert("calculatedFormula".into(), Value::Null);
    f.insert("cascadeDelete".into(), json!(false));
    f.insert("caseSensitive".into(), json!(false));
    f.insert("controllerName".into(), Value::Null);
    f.insert("createable".into(), json!(user_writable));
    f.insert("custom".into(), json!(false));
    f.insert(
        "defaultValue".into(),
        if boolean { json!(false) } else { Value::Null },
    );
    f.insert("defaultValueFormula".into(), Value::Null);
    f.insert("defaultedOnCreate".into(), json!(boolean || system));
    f.insert("dependentPicklist".into(), json!(false));
    f.insert("deprecatedAndHidden".into(), json!(false));
    f.insert("digits".into(), json!(0));
    f.insert("externalId".into(), json!(false));
    f.insert("filterable".into(), json!(true));
    f.insert(
        "groupable".into(),
        json!(!matches!(ftype, "datetime" | "double")),
    );
    f.insert("htmlFormatted".into(), json!(false));
    f.insert("idLookup".into(), json!(name == "Id" || name == "Username"));
    f.insert("inlineHelpText".into(), Value::Null);
    f.insert("label".into(), json!(label_of(name)));
    f.insert("length".into(), json!(length));
    f.insert("name".into(), json!(name));
    f.insert("nameField".into(), json!(name == "Name"));
    f.insert("namePointing".into(), json!(false));
    f.insert(
        "nillable".into(),
        json!(!(boolean || system || name == "Name")),
    );
    f.insert("picklistValues".into(), json!([]));
    f.insert("precision".into(), json!(0));
    f.insert(
        "referenceTo".into(),
        json!(reference.map(|(t, _)| vec![t]).unwrap_or_default()),
    );
    f.insert("relationshipName".into(), json!(reference.map(|(_, r)| r)));
    f.insert("relationshipOrder".into(), Value::Null);
    f.insert("restrictedPicklist".into(), json!(false));
    f.insert("scale".into(), json!(0));
    f.insert("soapType".into(), json!(soap_type(ftype)));
    f.insert("sortable".into(), json!(true));
    f.insert("type".into(), json!(ftype));
    f.insert("unique".into(), json!(false));
    f.insert("updateable".into(), json!(user_writable));
    f.insert("writeRequiresMasterRead".into(), json!(false));
    Value::Object(f)
}

fn urls(name: &str) -> Value {
    json!({
        "sobject": format!("/services/data/v__VERSION__/sobjects/{name}"),
        "describe": format!("/services/data/v__VERSION__/sobjects/{name}/describe"),
        "rowTemplate": format!("/services/data/v__VERSION__/sobjects/{name}/{{ID}}"),
    })
}

/// The describe-global entry of an object (flags all true: patched per user on the way out).
fn global_entry(name: &str, plural: &str, prefix: &str) -> Value {
    json!({
        "activateable": false, "createable": true, "custom": false, "customSetting": false,
        "deletable": true, "deprecatedAndHidden": false, "feedEnabled": false,
        "keyPrefix": prefix, "label": label_of(name), "labelPlural": plural,
        "layoutable": true, "mergeable": false, "mruEnabled": false, "name": name,
        "queryable": true, "replicateable": true, "retrieveable": true, "searchable": false,
        "triggerable": false, "undeletable": false, "updateable": true, "urls": urls(name),
    })
}

/// The describes of the setup objects: `(name, describe JSON text with placeholders)`.
pub(crate) fn describes() -> Vec<(String, String)> {
    object_specs()
        .into_iter()
        .map(|(name, plural, prefix, fields)| {
            let mut entry = global_entry(name, plural, prefix);
            if let Value::Object(map) = &mut entry {
                map.insert(
                    "fields".into(),
                    Value::Array(fields.into_iter().map(|f| field_json(name, f)).collect()),
                );
                map.insert("childRelationships".into(), json!([]));
                map.insert("recordTypeInfos".into(), json!([]));
            }
            (name.to_owned(), entry.to_string())
        })
        .collect()
}

fn set_flags(entry: &mut Value, (q, c, u, d): (bool, bool, bool, bool)) {
    if let Value::Object(map) = entry {
        for (key, value) in [
            ("queryable", q),
            ("retrieveable", q),
            ("createable", c),
            ("updateable", u),
            ("deletable", d),
            ("undeletable", d),
            (
                "mergeable",
                d && map.get("mergeable") == Some(&Value::Bool(true)),
            ),
        ] {
            if map.contains_key(key) {
                map.insert(key.into(), json!(value));
            }
        }
    }
}

/// `GET /sobjects/`: the built-in list plus the setup objects (and, for an over-privileged
/// user, more sensitive objects), with the user's flags; objects the user cannot see are left
/// out.
pub(crate) fn describe_global(shared: &Shared, version: &str) -> String {
    let origin = shared.origin();
    let mut global: Value =
        serde_json::from_str(&render(&shared.schema.global, version, &origin)).unwrap_or_default();
    let mut entries: Vec<Value> = global
        .get("sobjects")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let known: HashSet<String> = entries
        .iter()
        .filter_map(|e| e.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect();
    for (name, plural, prefix, _) in object_specs() {
        if !known.contains(name) {
            let text = render(
                &global_entry(name, plural, prefix).to_string(),
                version,
                &origin,
            );
            entries.push(serde_json::from_str(&text).unwrap_or_default());
        }
    }
    if shared.setup.scenario == Scenario::OverPrivileged {
        for (name, plural, prefix) in EXTRA_OBJECTS {
            let text = render(
                &global_entry(name, plural, prefix).to_string(),
                version,
                &origin,
            );
            entries.push(serde_json::from_str(&text).unwrap_or_default());
        }
    }
    let entries: Vec<Value> = entries
        .into_iter()
        .filter_map(|mut entry| {
            let name = entry.get("name").and_then(Value::as_str)?.to_owned();
            let flags = shared.setup.flags(&name)?;
            set_flags(&mut entry, flags);
            Some(entry)
        })
        .collect();
    if let Value::Object(map) = &mut global {
        map.insert("sobjects".into(), Value::Array(entries));
    }
    global.to_string()
}

/// A per-object describe with the user's flags (the object is visible: the schema hides the
/// others).
pub(crate) fn describe(shared: &Shared, name: &str, text: String) -> String {
    let Some(flags) = shared.setup.flags(name) else {
        return text;
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(mut value) => {
            set_flags(&mut value, flags);
            value.to_string()
        }
        Err(_) => text,
    }
}

// ------------------------------------------------------------------ records

/// Base time of the setup records: 2025-06-01T09:00:00Z.
const SETUP_MS: i64 = 1_748_768_400_000;

/// Stores one setup record (hidden objects included: the store holds them, the user just
/// cannot see them).
fn put(schema: &Schema, inner: &mut Inner, object: &str, mut row: Row, ms: i64) {
    let Some(id) = row.get("Id").and_then(Value::as_str).map(str::to_owned) else {
        return;
    };
    let Some(object) = schema.objects.iter().find(|o| o.name == object) else {
        return;
    };
    row.entry("CreatedDate")
        .or_insert_with(|| json!(sf_datetime(SETUP_MS)));
    row.entry("SystemModstamp")
        .or_insert_with(|| json!(sf_datetime(ms)));
    inner.store.table_mut(object).put(
        &id,
        &Record {
            row,
            modified_ms: ms,
        },
    );
}

fn row(value: Value) -> Row {
    match value {
        Value::Object(map) => map,
        _ => Row::new(),
    }
}

fn perm_row(base: Value, perms: SystemPerms) -> Row {
    let mut r = row(base);
    for (k, v) in perms.fields() {
        r.insert(k.into(), json!(v));
    }
    r
}

/// Stores the setup records of `scenario` (users, profiles, permission sets and their
/// assignments, object permissions, class access, IP ranges, login history, licences).
pub(crate) fn seed(scenario: Scenario, schema: &Schema, user_id: &str, inner: &mut Inner) {
    let setup = SetupOrg::new(scenario);
    let at = |hours: i64| SETUP_MS + hours * 3_600_000;
    // Licences.
    for (seq, name, total, used) in [
        (1, "Salesforce Integration", 5, 1),
        (2, "Salesforce", 10, 3),
    ] {
        put(
            schema,
            inner,
            "UserLicense",
            row(
                json!({"Id": id("100", seq), "Name": name, "MasterLabel": name,
                       "Status": "Active", "TotalLicenses": total, "UsedLicenses": used}),
            ),
            SETUP_MS,
        );
    }
    // Profiles: the integration profile and System Administrator, with their own permission sets.
    let admin_perms = SetupOrg::new(Scenario::OverPrivileged).perm_sets[0].perms;
    let integ_perms = SetupOrg::new(Scenario::Good).perm_sets[0].perms;
    for (seq, name, licence, perms) in [
        (1, "Salesforce API Only System Integrations", 1, integ_perms),
        (2, "System Administrator", 2, admin_perms),
    ] {
        put(
            schema,
            inner,
            "Profile",
            perm_row(
                json!({"Id": id("00e", seq), "Name": name, "UserType": "Standard",
                       "UserLicenseId": id("100", licence), "Description": null}),
                perms,
            ),
            SETUP_MS,
        );
        if seq
            != if setup.profile_id == id("00e", 1) {
                1
            } else {
                2
            }
        {
            put(
                schema,
                inner,
                "PermissionSet",
                perm_row(
                    json!({"Id": id("0PS", seq), "Name": format!("X00e00000000000{seq}AAA"),
                           "Label": name, "IsOwnedByProfile": true,
                           "ProfileId": id("00e", seq)}),
                    perms,
                ),
                SETUP_MS,
            );
        }
    }
    // Users: the run-as user and an administrator.
    let admin_id = id("005", 1_700_002);
    put(
        schema,
        inner,
        "User",
        row(json!({"Id": user_id, "Username": setup.username,
                   "FirstName": if scenario == Scenario::OverPrivileged { "Jane" } else { "Integration" },
                   "LastName": if scenario == Scenario::OverPrivileged { "Admin" } else { "User" },
                   "Name": if scenario == Scenario::OverPrivileged { "Jane Admin" } else { "Integration User" },
                   "Alias": if scenario == Scenario::OverPrivileged { "jadmin" } else { "intuser" },
                   "Email": "ops@sfterm-mock.example",
                   "IsActive": scenario != Scenario::InactiveUser, "UserType": "Standard",
                   "ProfileId": setup.profile_id, "TimeZoneSidKey": "America/Los_Angeles",
                   "LastLoginDate": sf_datetime(at(24 * 200))})),
        SETUP_MS,
    );
    if scenario != Scenario::OverPrivileged {
        put(
            schema,
            inner,
            "User",
            row(
                json!({"Id": admin_id, "Username": "jane.admin@sfterm-mock.example",
                       "FirstName": "Jane", "LastName": "Admin", "Name": "Jane Admin",
                       "Alias": "jadmin", "Email": "jane.admin@sfterm-mock.example",
                       "IsActive": true, "UserType": "Standard", "ProfileId": id("00e", 2),
                       "TimeZoneSidKey": "Europe/Paris",
                       "LastLoginDate": sf_datetime(at(24 * 190))}),
            ),
            SETUP_MS,
        );
    }
    // Apex classes.
    for (seq, name) in CLASSES.iter().enumerate() {
        put(
            schema,
            inner,
            "ApexClass",
            row(
                json!({"Id": id("01p", seq as u64 + 1), "Name": name, "NamespacePrefix": null,
                       "Status": "Active", "ApiVersion": 62.0, "IsValid": true}),
            ),
            SETUP_MS,
        );
    }
    let class_id = |name: &str| {
        CLASSES
            .iter()
            .position(|c| *c == name)
            .map(|i| id("01p", i as u64 + 1))
    };
    // The user's permission sets, assignments, object permissions and class access.
    let (mut op_seq, mut sea_seq, mut psa_seq) = (0u64, 0u64, 0u64);
    for set in &setup.perm_sets {
        put(
            schema,
            inner,
            "PermissionSet",
            perm_row(
                json!({"Id": set.id, "Name": set.name, "Label": set.label,
                       "IsOwnedByProfile": set.owned_by_profile,
                       "ProfileId": if set.owned_by_profile { json!(setup.profile_id) } else { Value::Null }}),
                set.perms,
            ),
            SETUP_MS,
        );
        psa_seq += 1;
        put(
            schema,
            inner,
            "PermissionSetAssignment",
            row(json!({"Id": id("0Pa", psa_seq), "AssigneeId": user_id,
                       "PermissionSetId": set.id})),
            SETUP_MS,
        );
        for (object, r) in &set.objects {
            op_seq += 1;
            put(
                schema,
                inner,
                "ObjectPermissions",
                row(
                    json!({"Id": id("110", op_seq), "ParentId": set.id, "SobjectType": object,
                           "PermissionsRead": r.read, "PermissionsCreate": r.create,
                           "PermissionsEdit": r.edit, "PermissionsDelete": r.delete,
                           "PermissionsViewAllRecords": r.view_all,
                           "PermissionsModifyAllRecords": r.modify_all}),
                ),
                SETUP_MS,
            );
        }
        for class in &set.classes {
            sea_seq += 1;
            put(
                schema,
                inner,
                "SetupEntityAccess",
                row(json!({"Id": id("0J0", sea_seq), "ParentId": set.id,
                           "SetupEntityId": class_id(class), "SetupEntityType": "ApexClass"})),
                SETUP_MS,
            );
        }
    }
    // Login IP ranges of the user's profile.
    for (seq, (start, end, description)) in setup.ip_ranges.iter().enumerate() {
        put(
            schema,
            inner,
            "LoginIpRange",
            row(
                json!({"Id": id("0LI", seq as u64 + 1), "ProfileId": setup.profile_id,
                       "StartAddress": start, "EndAddress": end, "Description": description}),
            ),
            SETUP_MS,
        );
    }
    // Login history of the run-as user: API logins from the middleware, and for the
    // administrator account also browser logins and a failure.
    let mut history: Vec<(i64, &str, &str, &str, &str, &str)> = vec![
        (
            24 * 180,
            "Remote Access Client",
            "203.0.113.10",
            "Success",
            "sfterm",
            "Unknown",
        ),
        (
            24 * 190,
            "Remote Access Client",
            "203.0.113.10",
            "Success",
            "sfterm",
            "Unknown",
        ),
        (
            24 * 200,
            "Remote Access Client",
            "203.0.113.11",
            "Success",
            "sfterm",
            "Unknown",
        ),
    ];
    if scenario == Scenario::OverPrivileged {
        history.push((
            24 * 195,
            "Application",
            "198.51.100.77",
            "Success",
            "Browser",
            "Chrome 131",
        ));
        history.push((
            24 * 196,
            "Application",
            "192.0.2.200",
            "Invalid Password",
            "Browser",
            "Firefox 133",
        ));
    }
    for (seq, (hours, kind, ip, status, app, browser)) in history.into_iter().enumerate() {
        put(
            schema,
            inner,
            "LoginHistory",
            row(json!({"Id": id("0Ya", seq as u64 + 1), "UserId": user_id,
                       "LoginTime": sf_datetime(at(hours)), "LoginType": kind, "SourceIp": ip,
                       "Status": status, "Application": app, "Browser": browser,
                       "Platform": "Unknown", "LoginUrl": "mydomain.my.salesforce.com"})),
            at(hours),
        );
    }
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn generated_describes_parse() {
        for (name, text) in describes() {
            let v: Value = serde_json::from_str(&text).expect("json");
            assert_eq!(v["name"], json!(name));
            assert!(v["fields"].as_array().is_some_and(|f| !f.is_empty()));
        }
    }
}
