//! The setup objects the run-as user may query (User, Profile, UserLicense, PermissionSet,
//! PermissionSetAssignment, ObjectPermissions, SetupEntityAccess, ApexClass, LoginIpRange,
//! LoginHistory): their specs, from which [`crate::mock_org::schema::generated`] makes the
//! describes.

use super::super::schema::generated::{FieldSpec, ObjectSpec};

/// The system permissions the Setup check reads, on Profile and PermissionSet.
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

/// The audit fields every setup object has.
const AUDIT: [FieldSpec; 2] = [
    FieldSpec::new("CreatedDate", "datetime").label("Created Date"),
    FieldSpec::new("SystemModstamp", "datetime").label("System Modstamp"),
];

fn with_audit(mut fields: Vec<FieldSpec>) -> Vec<FieldSpec> {
    fields.extend(AUDIT);
    fields
}

fn with_perms(mut fields: Vec<FieldSpec>) -> Vec<FieldSpec> {
    fields.extend(PERM_FIELDS.iter().map(|f| FieldSpec::new(f, "boolean")));
    fields
}

fn object(
    name: &'static str,
    label: &'static str,
    plural: &'static str,
    key_prefix: &'static str,
    fields: Vec<FieldSpec>,
) -> ObjectSpec {
    ObjectSpec {
        name,
        label,
        plural,
        key_prefix,
        layoutable: matches!(name, "User" | "Profile" | "PermissionSet"),
        fields,
    }
}

/// The setup objects, in the order they are listed.
pub(crate) fn object_specs() -> Vec<ObjectSpec> {
    let id = FieldSpec::new("Id", "id");
    let name = FieldSpec::new("Name", "string");
    vec![
        object(
            "User",
            "User",
            "Users",
            "005",
            with_audit(vec![
                id,
                FieldSpec::new("Username", "string").length(80),
                FieldSpec::new("FirstName", "string").length(40),
                FieldSpec::new("LastName", "string").length(80),
                FieldSpec::new("Name", "string").length(121).read_only(),
                FieldSpec::new("Alias", "string").length(8),
                FieldSpec::new("Email", "email").length(128),
                FieldSpec::new("CompanyName", "string").length(80),
                FieldSpec::new("IsActive", "boolean").label("Active"),
                FieldSpec::new("UserType", "picklist")
                    .values(&["Standard", "PowerPartner", "CsnOnly"])
                    .read_only(),
                FieldSpec::reference("ProfileId", "Profile", "Profile"),
                FieldSpec::new("TimeZoneSidKey", "picklist")
                    .label("Time Zone")
                    .length(40)
                    .values(&["America/Los_Angeles", "Europe/Paris", "GMT"]),
                FieldSpec::new("LocaleSidKey", "picklist")
                    .label("Locale")
                    .length(40)
                    .values(&["en_US", "fr_FR", "de_DE"]),
                FieldSpec::new("LanguageLocaleKey", "picklist")
                    .label("Language")
                    .length(40)
                    .values(&["en_US", "fr", "de"]),
                FieldSpec::new("EmailEncodingKey", "picklist")
                    .label("Email Encoding")
                    .length(40)
                    .values(&["UTF-8", "ISO-8859-1"]),
                FieldSpec::new("LastLoginDate", "datetime")
                    .label("Last Login")
                    .read_only(),
                FieldSpec::new("LastModifiedDate", "datetime").label("Last Modified Date"),
            ]),
        ),
        object(
            "Profile",
            "Profile",
            "Profiles",
            "00e",
            with_audit(with_perms(vec![
                id,
                name,
                FieldSpec::new("UserType", "picklist")
                    .values(&["Standard", "PowerPartner", "CsnOnly"])
                    .read_only(),
                FieldSpec::reference("UserLicenseId", "UserLicense", "UserLicense"),
                FieldSpec::new("Description", "string"),
            ])),
        ),
        object(
            "UserLicense",
            "User License",
            "User Licenses",
            "100",
            with_audit(vec![
                id,
                name.read_only(),
                FieldSpec::new("MasterLabel", "string").read_only(),
                FieldSpec::new("Status", "picklist")
                    .values(&["Active", "Disabled"])
                    .read_only(),
                FieldSpec::new("TotalLicenses", "int").read_only(),
                FieldSpec::new("UsedLicenses", "int").read_only(),
            ]),
        ),
        object(
            "PermissionSet",
            "Permission Set",
            "Permission Sets",
            "0PS",
            with_audit(with_perms(vec![
                id,
                name.length(80),
                FieldSpec::new("Label", "string").length(80),
                FieldSpec::new("IsOwnedByProfile", "boolean")
                    .label("Is Owned By Profile")
                    .read_only(),
                FieldSpec::reference("ProfileId", "Profile", "Profile").read_only(),
            ])),
        ),
        object(
            "PermissionSetAssignment",
            "Permission Set Assignment",
            "Permission Set Assignments",
            "0Pa",
            with_audit(vec![
                id,
                FieldSpec::reference("AssigneeId", "User", "Assignee"),
                FieldSpec::reference("PermissionSetId", "PermissionSet", "PermissionSet"),
            ]),
        ),
        object(
            "ObjectPermissions",
            "Object Permissions",
            "Object Permissions",
            "110",
            with_audit(vec![
                id,
                FieldSpec::reference("ParentId", "PermissionSet", "Parent"),
                FieldSpec::new("SobjectType", "picklist")
                    .label("Sobject Type Name")
                    .length(40),
                FieldSpec::new("PermissionsRead", "boolean").label("Read"),
                FieldSpec::new("PermissionsCreate", "boolean").label("Create"),
                FieldSpec::new("PermissionsEdit", "boolean").label("Edit"),
                FieldSpec::new("PermissionsDelete", "boolean").label("Delete"),
                FieldSpec::new("PermissionsViewAllRecords", "boolean").label("View All"),
                FieldSpec::new("PermissionsModifyAllRecords", "boolean").label("Modify All"),
            ]),
        ),
        object(
            "SetupEntityAccess",
            "Setup Entity Access",
            "Setup Entity Access",
            "0J0",
            with_audit(vec![
                id,
                FieldSpec::reference("ParentId", "PermissionSet", "Parent"),
                FieldSpec::new("SetupEntityId", "reference"),
                FieldSpec::new("SetupEntityType", "picklist")
                    .length(40)
                    .values(&["ApexClass", "ApexPage", "ConnectedApplication"])
                    .read_only(),
            ]),
        ),
        object(
            "ApexClass",
            "Apex Class",
            "Apex Classes",
            "01p",
            with_audit(vec![
                id,
                name.length(255),
                FieldSpec::new("NamespacePrefix", "string")
                    .length(15)
                    .read_only(),
                FieldSpec::new("Status", "picklist").values(&["Inactive", "Active", "Deleted"]),
                FieldSpec::new("ApiVersion", "double"),
                FieldSpec::new("IsValid", "boolean"),
            ]),
        ),
        object(
            "LoginIpRange",
            "Login IP Range",
            "Login IP Ranges",
            "0LI",
            with_audit(vec![
                id,
                FieldSpec::reference("ProfileId", "Profile", "Profile"),
                FieldSpec::new("StartAddress", "string")
                    .label("IP Start Address")
                    .length(39),
                FieldSpec::new("EndAddress", "string")
                    .label("IP End Address")
                    .length(39),
                FieldSpec::new("Description", "string"),
            ]),
        ),
        object(
            "LoginHistory",
            "Login History",
            "Login History",
            "0Ya",
            vec![
                id,
                FieldSpec::new("UserId", "reference").read_only(),
                FieldSpec::new("LoginTime", "datetime").read_only(),
                FieldSpec::new("LoginType", "picklist")
                    .values(&["Application", "Remote Access Client", "Remote Access 2.0"])
                    .read_only(),
                FieldSpec::new("SourceIp", "string")
                    .label("Source IP")
                    .length(39)
                    .read_only(),
                FieldSpec::new("Status", "string").length(128).read_only(),
                FieldSpec::new("Application", "string").read_only(),
                FieldSpec::new("Browser", "string").length(64).read_only(),
                FieldSpec::new("Platform", "string").length(64).read_only(),
                FieldSpec::new("LoginUrl", "string")
                    .label("Login URL")
                    .read_only(),
            ],
        ),
    ]
}
