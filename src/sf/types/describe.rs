//! Describes: describe global (the org's objects) and one object's fields and relationships.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `GET /sobjects/` (describe global).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeGlobal {
    /// E.g. `UTF-8`.
    #[serde(default)]
    pub encoding: Option<String>,
    /// Max records per batch.
    #[serde(default)]
    pub max_batch_size: Option<u32>,
    /// The objects.
    #[serde(default)]
    pub sobjects: Vec<SObjectSummary>,
}

/// One object of describe global.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SObjectSummary {
    /// API name.
    pub name: String,
    /// Label.
    #[serde(default)]
    pub label: String,
    /// Plural label.
    #[serde(default)]
    pub label_plural: String,
    /// 3-char id prefix.
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// Custom object.
    #[serde(default)]
    pub custom: bool,
    /// Can create.
    #[serde(default)]
    pub createable: bool,
    /// Can update.
    #[serde(default)]
    pub updateable: bool,
    /// Can delete.
    #[serde(default)]
    pub deletable: bool,
    /// Can query.
    #[serde(default)]
    pub queryable: bool,
    /// Can retrieve.
    #[serde(default)]
    pub retrieveable: bool,
    /// Searchable.
    #[serde(default)]
    pub searchable: bool,
    /// Resource URLs.
    #[serde(default)]
    pub urls: IndexMap<String, String>,
}

/// `GET /sobjects/{T}/describe` (the parts sfterm uses; unknown keys are ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SObjectDescribe {
    /// API name.
    pub name: String,
    /// Label.
    #[serde(default)]
    pub label: String,
    /// Plural label.
    #[serde(default)]
    pub label_plural: String,
    /// 3-char id prefix.
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// Custom object.
    #[serde(default)]
    pub custom: bool,
    /// Can create.
    #[serde(default)]
    pub createable: bool,
    /// Can update.
    #[serde(default)]
    pub updateable: bool,
    /// Can delete.
    #[serde(default)]
    pub deletable: bool,
    /// Can query.
    #[serde(default)]
    pub queryable: bool,
    /// Fields in describe order.
    #[serde(default)]
    pub fields: Vec<FieldDescribe>,
    /// Child relationships.
    #[serde(default)]
    pub child_relationships: Vec<ChildRelationship>,
    /// Record types, as returned.
    #[serde(default)]
    pub record_type_infos: Vec<Value>,
    /// Resource URLs.
    #[serde(default)]
    pub urls: IndexMap<String, String>,
}

impl SObjectDescribe {
    /// The field with this API name (case-insensitive).
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// One field of a describe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    /// API name.
    pub name: String,
    /// Label.
    #[serde(default)]
    pub label: String,
    /// `string`, `picklist`, `reference`, `datetime`, ...
    #[serde(rename = "type", default)]
    pub field_type: String,
    /// `xsd:string`, `tns:ID`, ...
    #[serde(default)]
    pub soap_type: String,
    /// Max length for text types.
    #[serde(default)]
    pub length: u32,
    /// Digits for numbers.
    #[serde(default)]
    pub precision: u32,
    /// Decimal places.
    #[serde(default)]
    pub scale: u32,
    /// Integer digits.
    #[serde(default)]
    pub digits: u32,
    /// Accepts null.
    #[serde(default)]
    pub nillable: bool,
    /// Settable on create.
    #[serde(default)]
    pub createable: bool,
    /// Settable on update.
    #[serde(default)]
    pub updateable: bool,
    /// Gets a default on create.
    #[serde(default)]
    pub defaulted_on_create: bool,
    /// Formula / roll-up.
    #[serde(default)]
    pub calculated: bool,
    /// Unique.
    #[serde(default)]
    pub unique: bool,
    /// External id.
    #[serde(default)]
    pub external_id: bool,
    /// Identifies a record on its own: upserts and relationship columns may match on it.
    #[serde(default)]
    pub id_lookup: bool,
    /// The object's name field.
    #[serde(default)]
    pub name_field: bool,
    /// Custom field.
    #[serde(default)]
    pub custom: bool,
    /// Usable in WHERE.
    #[serde(default)]
    pub filterable: bool,
    /// Usable in ORDER BY.
    #[serde(default)]
    pub sortable: bool,
    /// Restricted picklist.
    #[serde(default)]
    pub restricted_picklist: bool,
    /// Default value.
    #[serde(default)]
    pub default_value: Value,
    /// Help text.
    #[serde(default)]
    pub inline_help_text: Option<String>,
    /// Target objects of a reference.
    #[serde(default)]
    pub reference_to: Vec<String>,
    /// Relationship name of a reference, e.g. `Account`.
    #[serde(default)]
    pub relationship_name: Option<String>,
    /// Picklist values.
    #[serde(default)]
    pub picklist_values: Vec<PicklistValue>,
}

impl FieldDescribe {
    /// Required on create: not nillable, createable and not defaulted (the common heuristic).
    pub fn required_on_create(&self) -> bool {
        !self.nillable && self.createable && !self.defaulted_on_create
    }
}

/// A picklist entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    /// API value.
    pub value: String,
    /// Label.
    #[serde(default)]
    pub label: Option<String>,
    /// Active.
    #[serde(default)]
    pub active: bool,
    /// Default selection.
    #[serde(default)]
    pub default_value: bool,
}

/// A child relationship of a describe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildRelationship {
    /// Child object.
    pub child_s_object: String,
    /// Lookup field on the child.
    #[serde(default)]
    pub field: String,
    /// Name for subqueries, e.g. `Contacts`.
    #[serde(default)]
    pub relationship_name: Option<String>,
    /// Cascade delete.
    #[serde(default)]
    pub cascade_delete: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf::types::test_json as json;

    #[test]
    fn describe_fixtures() {
        let d: SObjectDescribe =
            serde_json::from_value(json("cumulusci/account_describe.json")).expect("describe");
        assert_eq!(d.name, "Account");
        assert_eq!(d.key_prefix.as_deref(), Some("001"));
        let name = d.field("name").expect("Name field");
        assert!(name.name_field && name.required_on_create());
        let industry = d.field("Industry").expect("Industry");
        assert_eq!(industry.field_type, "picklist");
        assert!(!industry.picklist_values.is_empty());
        assert!(
            d.child_relationships
                .iter()
                .any(|c| c.child_s_object == "Contact")
        );
        let g: DescribeGlobal =
            serde_json::from_value(json("cumulusci/global_describe.json")).expect("global");
        assert!(
            g.sobjects
                .iter()
                .any(|s| s.name == "Contact" && s.key_prefix.as_deref() == Some("003"))
        );
        let old: DescribeGlobal =
            serde_json::from_value(json("restforce/list_sobjects_success_response.json"))
                .expect("old global");
        assert_eq!(old.sobjects[0].name, "Account");
    }
}
