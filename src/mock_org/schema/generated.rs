//! Describes of the objects the mock org has no recording of (the setup objects,
//! Organization): built from a short spec per object, with every key of
//! [`SObjectDescribe`] and [`FieldDescribe`] filled the way a real org fills it for a field of
//! that type. Labels come from the spec, or from the API name (`UserLicenseId` → "User
//! License ID", `Id` → "Profile ID"), as Salesforce labels its standard fields.

use indexmap::IndexMap;
use serde_json::Value;

use super::describe::{FieldDescribe, PicklistValue, SObjectDescribe, Scope};

/// One field of a generated object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldSpec {
    pub name: &'static str,
    /// Describe `type` (`id`, `string`, `reference`, `boolean`, `datetime`, `picklist`, ...).
    pub ftype: &'static str,
    /// The label, when the API name does not give it.
    pub label: Option<&'static str>,
    /// `(referenceTo, relationshipName)` of a reference.
    pub reference: Option<(&'static str, &'static str)>,
    /// `length` of a text field (default by type).
    pub length: Option<u64>,
    pub picklist: &'static [&'static str],
    /// Neither createable nor updateable (set by the system).
    pub read_only: bool,
}

impl FieldSpec {
    /// A field of type `ftype`, labelled from its name.
    pub const fn new(name: &'static str, ftype: &'static str) -> FieldSpec {
        FieldSpec {
            name,
            ftype,
            label: None,
            reference: None,
            length: None,
            picklist: &[],
            read_only: false,
        }
    }

    /// A reference to `target` through the relationship `relationship`.
    pub const fn reference(
        name: &'static str,
        target: &'static str,
        relationship: &'static str,
    ) -> FieldSpec {
        let mut spec = FieldSpec::new(name, "reference");
        spec.reference = Some((target, relationship));
        spec
    }

    pub const fn label(mut self, label: &'static str) -> FieldSpec {
        self.label = Some(label);
        self
    }

    pub const fn length(mut self, length: u64) -> FieldSpec {
        self.length = Some(length);
        self
    }

    pub const fn values(mut self, values: &'static [&'static str]) -> FieldSpec {
        self.picklist = values;
        self
    }

    pub const fn read_only(mut self) -> FieldSpec {
        self.read_only = true;
        self
    }
}

/// A generated object.
#[derive(Debug, Clone)]
pub(crate) struct ObjectSpec {
    pub name: &'static str,
    pub label: &'static str,
    pub plural: &'static str,
    pub key_prefix: &'static str,
    /// Has page layouts (and so the layout and UI URLs).
    pub layoutable: bool,
    pub fields: Vec<FieldSpec>,
}

/// Fields the system sets on every record.
const SYSTEM_FIELDS: [&str; 5] = [
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
];

/// The parts of a compound address (`Billing` + part), which carry `compoundFieldName`.
const ADDRESS_PARTS: [&str; 8] = [
    "Street",
    "City",
    "State",
    "PostalCode",
    "Country",
    "Latitude",
    "Longitude",
    "GeocodeAccuracy",
];

/// "UserLicenseId" → "User License ID", "Id" → "{object} ID".
fn label_of(object_label: &str, spec: &FieldSpec) -> String {
    if let Some(label) = spec.label {
        return label.to_owned();
    }
    if spec.name == "Id" {
        return format!("{object_label} ID");
    }
    let (stem, id) = match spec.name.strip_suffix("Id") {
        Some(stem) if spec.ftype == "reference" => (stem, true),
        _ => (spec.name, false),
    };
    let mut out = String::new();
    let chars: Vec<char> = stem.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        let prev_lower = i > 0 && chars[i - 1].is_ascii_lowercase();
        if i > 0 && c.is_ascii_uppercase() && (prev_lower || next_lower) {
            out.push(' ');
        }
        out.push(*c);
    }
    if id {
        out.push_str(" ID");
    }
    out
}

fn soap_type(ftype: &str) -> &'static str {
    match ftype {
        "id" | "reference" => "tns:ID",
        "boolean" => "xsd:boolean",
        "datetime" => "xsd:dateTime",
        "date" => "xsd:date",
        "int" => "xsd:int",
        "double" | "currency" | "percent" => "xsd:double",
        "address" => "urn:address",
        "location" => "urn:location",
        _ => "xsd:string",
    }
}

fn default_length(ftype: &str) -> u64 {
    match ftype {
        "id" | "reference" => 18,
        "string" | "picklist" | "url" | "textarea" => 255,
        "email" => 80,
        "phone" => 40,
        _ => 0,
    }
}

/// The describe of one field of `object`, every key filled as a real org fills it for the
/// field's type.
pub(crate) fn field_describe(object: &ObjectSpec, spec: &FieldSpec) -> FieldDescribe {
    let t = spec.ftype;
    let boolean = t == "boolean";
    let system = t == "id" || SYSTEM_FIELDS.contains(&spec.name);
    let compound = object.fields.iter().find_map(|f| {
        let prefix = f
            .name
            .strip_suffix("Address")
            .filter(|_| f.ftype == "address")?;
        let part = spec.name.strip_prefix(prefix)?;
        ADDRESS_PARTS.contains(&part).then(|| f.name.to_owned())
    });
    let length = spec.length.unwrap_or_else(|| default_length(t));
    let writable = !(system || spec.read_only || t == "address");
    let nillable = !(boolean || system || spec.name == "Name");
    FieldDescribe {
        aggregatable: !matches!(t, "boolean" | "address" | "location" | "textarea"),
        ai_prediction_field: false,
        auto_number: false,
        byte_length: if matches!(t, "id" | "reference") {
            18
        } else {
            length * 3
        },
        calculated: false,
        calculated_formula: None,
        cascade_delete: false,
        case_sensitive: false,
        compound_field_name: compound,
        controller_name: None,
        createable: writable,
        custom: spec.name.ends_with("__c"),
        default_value: if boolean {
            Value::Bool(false)
        } else {
            Value::Null
        },
        default_value_formula: None,
        defaulted_on_create: boolean || system,
        dependent_picklist: false,
        deprecated_and_hidden: false,
        digits: if t == "int" { 9 } else { 0 },
        display_location_in_decimal: false,
        encrypted: false,
        external_id: false,
        extra_type_info: (t == "textarea").then(|| "plaintextarea".to_owned()),
        filterable: !matches!(t, "address" | "location"),
        filtered_lookup_info: None,
        formula_treat_null_number_as_zero: false,
        groupable: !matches!(
            t,
            "datetime" | "double" | "currency" | "percent" | "address" | "location" | "textarea"
        ),
        high_scale_number: false,
        html_formatted: false,
        id_lookup: t == "id" || spec.name == "Username",
        inline_help_text: None,
        label: label_of(object.label, spec),
        length,
        mask: None,
        mask_type: None,
        name: spec.name.to_owned(),
        name_field: spec.name == "Name",
        name_pointing: false,
        nillable,
        permissionable: nillable && !system,
        picklist_values: spec
            .picklist
            .iter()
            .map(|v| PicklistValue {
                active: true,
                default_value: false,
                label: Some((*v).to_owned()),
                valid_for: None,
                value: (*v).to_owned(),
            })
            .collect(),
        polymorphic_foreign_key: false,
        precision: if matches!(t, "double" | "currency" | "percent") {
            18
        } else {
            0
        },
        query_by_distance: t == "location",
        reference_target_field: None,
        reference_to: spec
            .reference
            .map(|(target, _)| vec![target.to_owned()])
            .unwrap_or_default(),
        relationship_name: spec.reference.map(|(_, rel)| rel.to_owned()),
        relationship_order: None,
        restricted_delete: false,
        restricted_picklist: false,
        scale: 0,
        search_prefilterable: t == "reference",
        soap_type: soap_type(t).to_owned(),
        sortable: !matches!(t, "address" | "location" | "textarea"),
        ftype: t.to_owned(),
        unique: spec.name == "Username",
        updateable: writable,
        write_requires_master_read: false,
    }
}

/// The URLs of an object's describe, with the placeholders [`super::render`] fills.
fn urls(spec: &ObjectSpec) -> IndexMap<String, String> {
    let name = spec.name;
    let data = format!("/services/data/v__VERSION__/sobjects/{name}");
    let mut urls = IndexMap::new();
    let mut add = |k: &str, v: String| {
        urls.insert(k.to_owned(), v);
    };
    if spec.layoutable {
        add("compactLayouts", format!("{data}/describe/compactLayouts"));
    }
    add("rowTemplate", format!("{data}/{{ID}}"));
    if spec.layoutable {
        add(
            "approvalLayouts",
            format!("{data}/describe/approvalLayouts"),
        );
        add("uiDetailTemplate", "__INSTANCE__/{ID}".to_owned());
        add("uiEditTemplate", "__INSTANCE__/{ID}/e".to_owned());
        add("listviews", format!("{data}/listviews"));
    }
    add("describe", format!("{data}/describe"));
    if spec.layoutable {
        add("uiNewRecord", format!("__INSTANCE__/{}/e", spec.key_prefix));
        add("quickActions", format!("{data}/quickActions"));
        add("layouts", format!("{data}/describe/layouts"));
    }
    add("sobject", data);
    urls
}

/// The describe of a generated object (its flags as for a user with every right: the user's
/// own view is made by [`SObjectDescribe::with_access`]).
pub(crate) fn object_describe(spec: &ObjectSpec) -> SObjectDescribe {
    SObjectDescribe {
        action_overrides: Vec::new(),
        activateable: false,
        associate_entity_type: None,
        associate_parent_entity: None,
        child_relationships: Vec::new(),
        compact_layoutable: spec.layoutable,
        createable: true,
        custom: spec.name.ends_with("__c"),
        custom_setting: false,
        deep_cloneable: false,
        default_implementation: None,
        deletable: true,
        deprecated_and_hidden: false,
        extended_by: None,
        extends_interfaces: None,
        feed_enabled: false,
        fields: spec
            .fields
            .iter()
            .map(|f| field_describe(spec, f))
            .collect(),
        has_subtypes: false,
        implemented_by: None,
        implements_interfaces: None,
        is_interface: false,
        is_subtype: false,
        key_prefix: Some(spec.key_prefix.to_owned()),
        label: spec.label.to_owned(),
        label_plural: spec.plural.to_owned(),
        layoutable: spec.layoutable,
        listviewable: None,
        lookup_layoutable: None,
        mergeable: false,
        mru_enabled: false,
        name: spec.name.to_owned(),
        named_layout_infos: Vec::new(),
        network_scope_field_name: None,
        queryable: true,
        record_type_infos: Vec::new(),
        replicateable: true,
        retrieveable: true,
        search_layoutable: false,
        searchable: false,
        sobject_describe_option: "FULL".to_owned(),
        supported_scopes: vec![Scope {
            label: format!("All {}", spec.plural.to_lowercase()),
            name: "everything".to_owned(),
        }],
        triggerable: false,
        undeletable: false,
        updateable: true,
        urls: urls(spec),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(fields: Vec<FieldSpec>) -> ObjectSpec {
        ObjectSpec {
            name: "Profile",
            label: "Profile",
            plural: "Profiles",
            key_prefix: "00e",
            layoutable: false,
            fields,
        }
    }

    #[test]
    fn labels_follow_salesforce_naming() {
        let object = spec(Vec::new());
        let label = |f: FieldSpec| label_of(object.label, &f);
        assert_eq!(label(FieldSpec::new("Id", "id")), "Profile ID");
        assert_eq!(
            label(FieldSpec::reference(
                "UserLicenseId",
                "UserLicense",
                "UserLicense"
            )),
            "User License ID"
        );
        assert_eq!(label(FieldSpec::new("SourceIp", "string")), "Source Ip");
        assert_eq!(
            label(FieldSpec::new("NamespacePrefix", "string")),
            "Namespace Prefix"
        );
        assert_eq!(label(FieldSpec::new("LoginUrl", "string")), "Login Url");
        assert_eq!(
            label(FieldSpec::new("Name", "string").label("Name!")),
            "Name!"
        );
    }

    #[test]
    fn address_parts_name_their_compound_field() {
        let object = spec(vec![
            FieldSpec::new("Street", "textarea"),
            FieldSpec::new("Country", "string"),
            FieldSpec::new("Address", "address"),
            FieldSpec::new("Phone", "phone"),
        ]);
        let d = object_describe(&object);
        let compound: Vec<Option<&str>> = d
            .fields
            .iter()
            .map(|f| f.compound_field_name.as_deref())
            .collect();
        assert_eq!(compound, [Some("Address"), Some("Address"), None, None]);
        assert_eq!(d.fields[2].soap_type, "urn:address");
        assert!(!d.fields[2].createable && !d.fields[2].filterable);
    }
}
