//! Describes as the user sees them: the generated describes of the setup objects, and describe
//! global and per-object describe flags from the user's rights.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::super::schema::render;
use super::super::state::Shared;
use super::Scenario;
use super::permissions::EXTRA_OBJECTS;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_describes_parse() {
        for (name, text) in describes() {
            let v: Value = serde_json::from_str(&text).expect("json");
            assert_eq!(v["name"], json!(name));
            assert!(v["fields"].as_array().is_some_and(|f| !f.is_empty()));
        }
    }
}
