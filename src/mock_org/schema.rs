//! The describes the mock org serves (recorded from real orgs, see assets/mock-org/describe) and
//! the field metadata that validation and SOQL use.
//!
//! In the assets, `__VERSION__` stands for the request's API version number (`v__VERSION__` in
//! URLs) and `__INSTANCE__` for the instance origin; both are substituted per request.

use std::collections::HashMap;

use serde_json::Value;

use super::MockOrgError;
use super::soql::{FieldInfo, FieldKind};

/// What the mock org knows about one field.
#[derive(Debug, Clone)]
pub(crate) struct FieldMeta {
    pub name: String,
    pub label: String,
    /// Describe `type` (`string`, `picklist`, `reference`, ...).
    pub ftype: String,
    pub length: usize,
    pub nillable: bool,
    pub createable: bool,
    pub updateable: bool,
    pub defaulted_on_create: bool,
    pub restricted_picklist: bool,
    /// Active picklist values.
    pub picklist: Vec<String>,
    /// The picklist value marked `defaultValue: true`, if any.
    pub picklist_default: Option<String>,
    pub reference_to: Vec<String>,
    pub relationship_name: Option<String>,
    pub filterable: bool,
    pub sortable: bool,
}

impl FieldMeta {
    /// Required on create: not nillable, createable and not defaulted.
    pub fn required(&self) -> bool {
        !self.nillable && self.createable && !self.defaulted_on_create
    }

    /// Whether the type stores text with a maximum `length`.
    pub fn is_text(&self) -> bool {
        matches!(
            self.ftype.as_str(),
            "string"
                | "textarea"
                | "phone"
                | "url"
                | "email"
                | "picklist"
                | "multipicklist"
                | "combobox"
                | "encryptedstring"
        )
    }

    /// The SOQL engine's view of this field.
    pub fn soql_info(&self) -> FieldInfo {
        let kind = match self.ftype.as_str() {
            "boolean" => FieldKind::Boolean,
            "int" | "double" | "currency" | "percent" | "long" => FieldKind::Number,
            "date" => FieldKind::Date,
            "datetime" => FieldKind::DateTime,
            "address" | "location" | "base64" | "anyType" | "time" => FieldKind::Other,
            _ => FieldKind::Text,
        };
        let relationship = match (&self.relationship_name, self.reference_to.first()) {
            (Some(rel), Some(target)) => Some((rel.clone(), target.clone())),
            _ => None,
        };
        FieldInfo {
            name: self.name.clone(),
            kind,
            filterable: self.filterable,
            sortable: self.sortable,
            relationship,
        }
    }
}

/// One describable sObject.
#[derive(Debug)]
pub(crate) struct ObjectSchema {
    pub name: String,
    pub key_prefix: String,
    /// The describe JSON with placeholders.
    pub describe: String,
    pub fields: Vec<FieldMeta>,
    by_lower: HashMap<String, usize>,
    rel_by_lower: HashMap<String, usize>,
}

impl ObjectSchema {
    /// A field by name in any letter case.
    pub fn field(&self, name: &str) -> Option<&FieldMeta> {
        self.by_lower
            .get(&name.to_ascii_lowercase())
            .and_then(|&i| self.fields.get(i))
    }

    /// A reference field by its relationship name in any letter case.
    pub fn relationship(&self, name: &str) -> Option<&FieldMeta> {
        self.rel_by_lower
            .get(&name.to_ascii_lowercase())
            .and_then(|&i| self.fields.get(i))
    }
}

/// All describable objects plus the describe-global body.
#[derive(Debug)]
pub(crate) struct Schema {
    pub objects: Vec<ObjectSchema>,
    pub global: String,
    /// Objects the run-as user cannot see (canonical names).
    pub hidden: Vec<String>,
}

const ASSETS: [(&str, &str); 3] = [
    (
        "Account",
        include_str!("../../assets/mock-org/describe/Account.json"),
    ),
    (
        "Contact",
        include_str!("../../assets/mock-org/describe/Contact.json"),
    ),
    (
        "Lead",
        include_str!("../../assets/mock-org/describe/Lead.json"),
    ),
];

fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn parse_field(f: &Value) -> FieldMeta {
    let values: Vec<&Value> = f
        .get("picklistValues")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|p| flag(p, "active")).collect())
        .unwrap_or_default();
    FieldMeta {
        name: text(f, "name"),
        label: text(f, "label"),
        ftype: text(f, "type"),
        length: f.get("length").and_then(Value::as_u64).unwrap_or(0) as usize,
        nillable: flag(f, "nillable"),
        createable: flag(f, "createable"),
        updateable: flag(f, "updateable"),
        defaulted_on_create: flag(f, "defaultedOnCreate"),
        restricted_picklist: flag(f, "restrictedPicklist"),
        picklist: values.iter().map(|p| text(p, "value")).collect(),
        picklist_default: values
            .iter()
            .find(|p| flag(p, "defaultValue"))
            .map(|p| text(p, "value")),
        reference_to: f
            .get("referenceTo")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        relationship_name: f
            .get("relationshipName")
            .and_then(Value::as_str)
            .map(str::to_owned),
        filterable: flag(f, "filterable"),
        sortable: flag(f, "sortable"),
    }
}

impl ObjectSchema {
    /// Parses one describe (JSON text with placeholders).
    fn parse(name: &str, describe: String) -> Result<ObjectSchema, MockOrgError> {
        let value: Value = serde_json::from_str(&describe)
            .map_err(|e| MockOrgError::Asset(format!("{name} describe: {e}")))?;
        let fields: Vec<FieldMeta> = value
            .get("fields")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(parse_field).collect())
            .unwrap_or_default();
        let by_lower = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.to_ascii_lowercase(), i))
            .collect();
        let rel_by_lower = fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                f.relationship_name
                    .as_ref()
                    .map(|r| (r.to_ascii_lowercase(), i))
            })
            .collect();
        Ok(ObjectSchema {
            name: name.to_owned(),
            key_prefix: text(&value, "keyPrefix"),
            describe,
            fields,
            by_lower,
            rel_by_lower,
        })
    }
}

impl Schema {
    /// Parses the built-in describes and the setup objects' ones.
    pub fn load() -> Result<Schema, MockOrgError> {
        let mut objects = Vec::new();
        for (name, describe) in ASSETS {
            objects.push(ObjectSchema::parse(name, describe.to_owned())?);
        }
        for (name, describe) in super::setup_org::describes() {
            objects.push(ObjectSchema::parse(&name, describe)?);
        }
        Ok(Schema {
            objects,
            global: include_str!("../../assets/mock-org/describe/global.json").to_owned(),
            hidden: Vec::new(),
        })
    }

    /// Makes `names` invisible: the run-as user may not see them (no read access, or no
    /// "View Setup and Configuration"), so [`Schema::object`] does not find them.
    pub fn hide(&mut self, names: Vec<String>) {
        self.hidden = names;
    }

    /// A describable object by name in any letter case, unless hidden from the user.
    pub fn object(&self, name: &str) -> Option<&ObjectSchema> {
        self.objects
            .iter()
            .find(|o| o.name.eq_ignore_ascii_case(name))
            .filter(|o| !self.hidden.contains(&o.name))
    }
}

/// Fills the placeholders of an asset for one request.
pub(crate) fn render(template: &str, version: &str, origin: &str) -> String {
    template
        .replace("__VERSION__", version)
        .replace("__INSTANCE__", origin)
}
