//! The objects the mock org serves and their describes: recorded from real orgs (Account,
//! Contact, Lead, Opportunity, Case: see `assets/mock-org/describe/README.md`) or generated
//! from a spec ([`generated`]: the setup objects and Organization). Every describe is a
//! [`SObjectDescribe`] and is rendered by the one function [`render_describe`]; describe
//! global's entries are made from it by [`render_describe_global`]. The field metadata that
//! validation and SOQL use ([`FieldMeta`]) is read from the same describe.
//!
//! In the describes, `__VERSION__` stands for the request's API version number (`v__VERSION__`
//! in URLs) and `__INSTANCE__` for the instance origin; both are substituted per request.

pub(crate) mod describe;
pub(crate) mod generated;

use std::collections::HashMap;

use serde::Serialize;

use super::MockOrgError;
use super::soql::{FieldInfo, FieldKind};
pub(crate) use describe::{Access, FieldDescribe, GlobalEntry, SObjectDescribe};

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

/// One part of a compound field (an address): its key in the compound's JSON object and the
/// field it is stored in (`postalCode` ← `BillingPostalCode`).
#[derive(Debug, Clone)]
pub(crate) struct CompoundPart {
    pub key: String,
    pub field: String,
    /// The field's index in [`ObjectSchema::fields`] (its slot in the record store).
    pub index: usize,
}

/// One describable sObject.
#[derive(Debug)]
pub(crate) struct ObjectSchema {
    pub name: String,
    pub key_prefix: String,
    /// The describe, URLs with placeholders, flags as for a user with every right.
    pub describe: SObjectDescribe,
    pub fields: Vec<FieldMeta>,
    by_lower: HashMap<String, usize>,
    rel_by_lower: HashMap<String, usize>,
    /// The parts of each compound address field, by key: the fields whose describe names it
    /// as `compoundFieldName` (an org without state and country picklists has no
    /// `BillingStateCode`, so its addresses have no `stateCode`).
    compounds: HashMap<String, Vec<CompoundPart>>,
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

    /// The parts of the compound field `name` (exact name), `None` when it is not one.
    pub fn compound(&self, name: &str) -> Option<&[CompoundPart]> {
        self.compounds.get(name).map(Vec::as_slice)
    }
}

/// The parts of every compound address of `describe`, keyed as in the records' JSON: the
/// part's name after the address's prefix, first letter lowered, in key order.
fn compounds(describe: &SObjectDescribe) -> HashMap<String, Vec<CompoundPart>> {
    let mut out: HashMap<String, Vec<CompoundPart>> = HashMap::new();
    for compound in describe.fields.iter().filter(|f| f.ftype == "address") {
        let prefix = compound.name.trim_end_matches("Address");
        let mut parts: Vec<CompoundPart> = describe
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.compound_field_name.as_deref() == Some(compound.name.as_str()))
            .filter_map(|(index, f)| {
                let mut rest = f.name.strip_prefix(prefix)?.chars();
                let first = rest.next()?.to_ascii_lowercase();
                Some(CompoundPart {
                    key: std::iter::once(first).chain(rest).collect(),
                    field: f.name.clone(),
                    index,
                })
            })
            .collect();
        parts.sort_by(|a, b| a.key.cmp(&b.key));
        out.insert(compound.name.clone(), parts);
    }
    out
}

/// All describable objects.
#[derive(Debug)]
pub(crate) struct Schema {
    pub objects: Vec<ObjectSchema>,
    /// Objects the run-as user cannot see (canonical names).
    pub hidden: Vec<String>,
}

/// The recorded describes (URLs with placeholders).
const ASSETS: [(&str, &str); 5] = [
    (
        "Account",
        include_str!("../../../assets/mock-org/describe/Account.json"),
    ),
    (
        "Contact",
        include_str!("../../../assets/mock-org/describe/Contact.json"),
    ),
    (
        "Lead",
        include_str!("../../../assets/mock-org/describe/Lead.json"),
    ),
    (
        "Opportunity",
        include_str!("../../../assets/mock-org/describe/Opportunity.json"),
    ),
    (
        "Case",
        include_str!("../../../assets/mock-org/describe/Case.json"),
    ),
];

impl FieldMeta {
    /// What validation and SOQL need of a field describe.
    fn of(f: &FieldDescribe) -> FieldMeta {
        let active = || f.picklist_values.iter().filter(|p| p.active);
        FieldMeta {
            name: f.name.clone(),
            label: f.label.clone(),
            ftype: f.ftype.clone(),
            length: usize::try_from(f.length).unwrap_or(usize::MAX),
            nillable: f.nillable,
            createable: f.createable,
            updateable: f.updateable,
            defaulted_on_create: f.defaulted_on_create,
            restricted_picklist: f.restricted_picklist,
            picklist: active().map(|p| p.value.clone()).collect(),
            picklist_default: active().find(|p| p.default_value).map(|p| p.value.clone()),
            reference_to: f.reference_to.clone(),
            relationship_name: f.relationship_name.clone(),
            filterable: f.filterable,
            sortable: f.sortable,
        }
    }
}

impl ObjectSchema {
    /// The schema of one describe.
    fn new(describe: SObjectDescribe) -> ObjectSchema {
        let fields: Vec<FieldMeta> = describe.fields.iter().map(FieldMeta::of).collect();
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
        ObjectSchema {
            name: describe.name.clone(),
            key_prefix: describe.key_prefix.clone().unwrap_or_default(),
            compounds: compounds(&describe),
            describe,
            fields,
            by_lower,
            rel_by_lower,
        }
    }
}

impl Schema {
    /// Reads the recorded describes and generates the others (the setup objects and
    /// Organization).
    pub fn load() -> Result<Schema, MockOrgError> {
        let mut objects = Vec::new();
        for (name, text) in ASSETS {
            let describe: SObjectDescribe = serde_json::from_str(text)
                .map_err(|e| MockOrgError::Asset(format!("{name} describe: {e}")))?;
            objects.push(ObjectSchema::new(describe));
        }
        let specs = super::setup_org::object_specs()
            .into_iter()
            .chain([super::organization::object_spec()]);
        for spec in specs {
            objects.push(ObjectSchema::new(generated::object_describe(&spec)));
        }
        Ok(Schema {
            objects,
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

    /// The objects the run-as user can see, by name.
    pub fn visible(&self) -> impl Iterator<Item = &ObjectSchema> {
        self.objects
            .iter()
            .filter(|o| !self.hidden.contains(&o.name))
    }
}

/// Fills the placeholders of a describe for one request.
fn render(template: &str, version: &str, origin: &str) -> String {
    template
        .replace("__VERSION__", version)
        .replace("__INSTANCE__", origin)
}

/// JSON text of a describe value, placeholders filled.
fn render_json(value: &impl Serialize, version: &str, origin: &str) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned());
    render(&text, version, origin)
}

/// `GET /sobjects/{T}/describe`: the object as a user with `access` sees it.
pub(crate) fn render_describe(
    object: &ObjectSchema,
    access: Access,
    version: &str,
    origin: &str,
) -> String {
    render_json(&object.describe.with_access(access), version, origin)
}

/// The describe-global entry of `object` (`GET /sobjects/{T}` answers it as `objectDescribe`).
fn global_entry(object: &ObjectSchema, access: Access) -> GlobalEntry {
    GlobalEntry::of(&object.describe, access)
}

/// `GET /sobjects/`: one entry per object the user can see (`access` says what they may do,
/// `None` for an object they cannot see), by name.
pub(crate) fn render_describe_global(
    schema: &Schema,
    access: impl Fn(&str) -> Option<Access>,
    version: &str,
    origin: &str,
) -> String {
    let mut sobjects: Vec<GlobalEntry> = schema
        .visible()
        .filter_map(|o| Some(global_entry(o, access(&o.name)?)))
        .collect();
    sobjects.sort_by(|a, b| a.name.cmp(&b.name));
    let body = describe::DescribeGlobal {
        encoding: "UTF-8",
        max_batch_size: 200,
        sobjects,
    };
    render_json(&body, version, origin)
}

/// `GET /sobjects/{T}` (basic info): the object's describe-global entry as `objectDescribe`.
pub(crate) fn render_basic_info(
    object: &ObjectSchema,
    access: Access,
    version: &str,
    origin: &str,
) -> String {
    let body = describe::BasicInfo {
        object_describe: global_entry(object, access),
        recent_items: Vec::new(),
    };
    render_json(&body, version, origin)
}
