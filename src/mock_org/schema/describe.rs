//! The describe shapes, one Rust type each, with every key a real org sends (the recorded
//! describes in `tests/fixtures/sf/cumulusci/` are the reference): an sObject describe
//! ([`SObjectDescribe`]), a field describe ([`FieldDescribe`]) and a describe-global entry
//! ([`GlobalEntry`], made from the describe by [`GlobalEntry::of`]). Serialising a value of
//! these types writes every key, in Salesforce's (alphabetical) order, so no object — recorded,
//! generated or added later — can miss one. Reading a recorded describe refuses a key these
//! types do not know (`deny_unknown_fields`), so nothing recorded is dropped on the way.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `GET /sobjects/{T}/describe`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SObjectDescribe {
    pub action_overrides: Vec<Value>,
    pub activateable: bool,
    /// Absent in the v48.0 recording, `null` in v59.0 ones.
    #[serde(default)]
    pub associate_entity_type: Option<String>,
    #[serde(default)]
    pub associate_parent_entity: Option<String>,
    pub child_relationships: Vec<ChildRelationship>,
    pub compact_layoutable: bool,
    pub createable: bool,
    pub custom: bool,
    pub custom_setting: bool,
    pub deep_cloneable: bool,
    pub default_implementation: Option<String>,
    pub deletable: bool,
    pub deprecated_and_hidden: bool,
    pub extended_by: Option<String>,
    pub extends_interfaces: Option<String>,
    pub feed_enabled: bool,
    pub fields: Vec<FieldDescribe>,
    pub has_subtypes: bool,
    pub implemented_by: Option<String>,
    pub implements_interfaces: Option<String>,
    pub is_interface: bool,
    pub is_subtype: bool,
    pub key_prefix: Option<String>,
    pub label: String,
    pub label_plural: String,
    pub layoutable: bool,
    pub listviewable: Option<bool>,
    pub lookup_layoutable: Option<bool>,
    pub mergeable: bool,
    pub mru_enabled: bool,
    pub name: String,
    pub named_layout_infos: Vec<Value>,
    pub network_scope_field_name: Option<String>,
    pub queryable: bool,
    pub record_type_infos: Vec<RecordTypeInfo>,
    pub replicateable: bool,
    pub retrieveable: bool,
    pub search_layoutable: bool,
    pub searchable: bool,
    /// Absent in the v48.0 recording, `"FULL"` in v59.0 ones.
    #[serde(default = "full")]
    pub sobject_describe_option: String,
    pub supported_scopes: Vec<Scope>,
    pub triggerable: bool,
    pub undeletable: bool,
    pub updateable: bool,
    /// `sobject`, `describe`, `rowTemplate` and the layout and UI templates.
    pub urls: IndexMap<String, String>,
}

fn full() -> String {
    "FULL".to_owned()
}

/// One entry of `fields` in a describe.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct FieldDescribe {
    pub aggregatable: bool,
    pub ai_prediction_field: bool,
    pub auto_number: bool,
    pub byte_length: u64,
    pub calculated: bool,
    pub calculated_formula: Option<String>,
    pub cascade_delete: bool,
    pub case_sensitive: bool,
    pub compound_field_name: Option<String>,
    pub controller_name: Option<String>,
    pub createable: bool,
    pub custom: bool,
    /// `null`, a boolean (checkboxes) or text.
    pub default_value: Value,
    pub default_value_formula: Option<String>,
    pub defaulted_on_create: bool,
    pub dependent_picklist: bool,
    pub deprecated_and_hidden: bool,
    pub digits: u64,
    pub display_location_in_decimal: bool,
    pub encrypted: bool,
    pub external_id: bool,
    pub extra_type_info: Option<String>,
    pub filterable: bool,
    pub filtered_lookup_info: Option<Value>,
    pub formula_treat_null_number_as_zero: bool,
    pub groupable: bool,
    pub high_scale_number: bool,
    pub html_formatted: bool,
    pub id_lookup: bool,
    pub inline_help_text: Option<String>,
    pub label: String,
    pub length: u64,
    pub mask: Option<String>,
    pub mask_type: Option<String>,
    pub name: String,
    pub name_field: bool,
    pub name_pointing: bool,
    pub nillable: bool,
    pub permissionable: bool,
    pub picklist_values: Vec<PicklistValue>,
    pub polymorphic_foreign_key: bool,
    pub precision: u64,
    pub query_by_distance: bool,
    pub reference_target_field: Option<String>,
    pub reference_to: Vec<String>,
    pub relationship_name: Option<String>,
    pub relationship_order: Option<u64>,
    pub restricted_delete: bool,
    pub restricted_picklist: bool,
    pub scale: u64,
    pub search_prefilterable: bool,
    pub soap_type: String,
    pub sortable: bool,
    #[serde(rename = "type")]
    pub ftype: String,
    pub unique: bool,
    pub updateable: bool,
    pub write_requires_master_read: bool,
}

/// One value of a picklist field.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PicklistValue {
    pub active: bool,
    pub default_value: bool,
    pub label: Option<String>,
    pub valid_for: Option<String>,
    pub value: String,
}

/// One entry of `childRelationships`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ChildRelationship {
    pub cascade_delete: bool,
    #[serde(rename = "childSObject")]
    pub child_sobject: String,
    pub deprecated_and_hidden: bool,
    pub field: String,
    pub junction_id_list_names: Vec<String>,
    pub junction_reference_to: Vec<String>,
    pub relationship_name: Option<String>,
    pub restricted_delete: bool,
}

/// One entry of `recordTypeInfos`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RecordTypeInfo {
    pub active: bool,
    pub available: bool,
    pub default_record_type_mapping: bool,
    pub developer_name: String,
    pub master: bool,
    pub name: String,
    pub record_type_id: String,
    pub urls: IndexMap<String, String>,
}

/// One entry of `supportedScopes` (`everything`, `mine`, ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Scope {
    pub label: String,
    pub name: String,
}

/// One entry of describe global's `sobjects` (and `objectDescribe` of `GET /sobjects/{T}`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GlobalEntry {
    pub activateable: bool,
    pub associate_entity_type: Option<String>,
    pub associate_parent_entity: Option<String>,
    pub createable: bool,
    pub custom: bool,
    pub custom_setting: bool,
    pub deep_cloneable: bool,
    pub deletable: bool,
    pub deprecated_and_hidden: bool,
    pub feed_enabled: bool,
    pub has_subtypes: bool,
    pub is_interface: bool,
    pub is_subtype: bool,
    pub key_prefix: Option<String>,
    pub label: String,
    pub label_plural: String,
    pub layoutable: bool,
    pub mergeable: bool,
    pub mru_enabled: bool,
    pub name: String,
    pub queryable: bool,
    pub replicateable: bool,
    pub retrieveable: bool,
    pub searchable: bool,
    pub triggerable: bool,
    pub undeletable: bool,
    pub updateable: bool,
    /// `rowTemplate`, `describe`, `sobject`.
    pub urls: IndexMap<String, String>,
}

impl GlobalEntry {
    /// The describe-global entry of an object as a user with `access` sees it: the describe's
    /// own values, so the two answers never disagree.
    pub fn of(d: &SObjectDescribe, access: Access) -> GlobalEntry {
        let flags = UserFlags::new(d, access);
        let urls = ["rowTemplate", "describe", "sobject"]
            .into_iter()
            .filter_map(|k| Some((k.to_owned(), d.urls.get(k)?.clone())))
            .collect();
        GlobalEntry {
            activateable: d.activateable,
            associate_entity_type: d.associate_entity_type.clone(),
            associate_parent_entity: d.associate_parent_entity.clone(),
            createable: flags.createable,
            custom: d.custom,
            custom_setting: d.custom_setting,
            deep_cloneable: d.deep_cloneable,
            deletable: flags.deletable,
            deprecated_and_hidden: d.deprecated_and_hidden,
            feed_enabled: d.feed_enabled,
            has_subtypes: d.has_subtypes,
            is_interface: d.is_interface,
            is_subtype: d.is_subtype,
            key_prefix: d.key_prefix.clone(),
            label: d.label.clone(),
            label_plural: d.label_plural.clone(),
            layoutable: d.layoutable,
            mergeable: flags.mergeable,
            mru_enabled: d.mru_enabled,
            name: d.name.clone(),
            queryable: flags.queryable,
            replicateable: d.replicateable,
            retrieveable: flags.retrieveable,
            searchable: d.searchable,
            triggerable: d.triggerable,
            undeletable: flags.undeletable,
            updateable: flags.updateable,
            urls,
        }
    }
}

/// What the run-as user may do with an object: `(queryable, createable, updateable,
/// deletable)`, from their permissions.
pub(crate) type Access = (bool, bool, bool, bool);

/// The object-level flags a user sees, decided once for the describe and its global entry.
struct UserFlags {
    queryable: bool,
    retrieveable: bool,
    createable: bool,
    updateable: bool,
    deletable: bool,
    undeletable: bool,
    mergeable: bool,
}

impl UserFlags {
    /// The flags follow the user's permissions; `mergeable` stays false where the object does
    /// not merge at all.
    fn new(d: &SObjectDescribe, (q, c, u, del): Access) -> UserFlags {
        UserFlags {
            queryable: q,
            retrieveable: q,
            createable: c,
            updateable: u,
            deletable: del,
            undeletable: del,
            mergeable: del && d.mergeable,
        }
    }
}

impl SObjectDescribe {
    /// The describe as a user with `access` sees it.
    pub fn with_access(&self, access: Access) -> SObjectDescribe {
        let flags = UserFlags::new(self, access);
        let mut out = self.clone();
        out.queryable = flags.queryable;
        out.retrieveable = flags.retrieveable;
        out.createable = flags.createable;
        out.updateable = flags.updateable;
        out.deletable = flags.deletable;
        out.undeletable = flags.undeletable;
        out.mergeable = flags.mergeable;
        out
    }
}

/// `GET /sobjects/` (describe global).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DescribeGlobal {
    pub encoding: &'static str,
    pub max_batch_size: u32,
    pub sobjects: Vec<GlobalEntry>,
}

/// `GET /sobjects/{T}` (basic info; the recent items are not emulated).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BasicInfo {
    pub object_describe: GlobalEntry,
    pub recent_items: Vec<Value>,
}
