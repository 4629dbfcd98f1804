//! Records in REST shape (`attributes`, then the fields, compound addresses built from their
//! parts), written straight from the packed store.

#[cfg(test)]
use serde_json::{Map, Value, json};

use super::super::schema::{FieldMeta, ObjectSchema};
#[cfg(test)]
use super::super::soql::Row;
use super::super::state::{push_json_str, push_json_str_contents};
use super::super::store::{RowCursor, Table};

/// The compound address of `prefix` (`Billing`, `Mailing`, or `` for Lead).
#[cfg(test)]
fn address(row: &Row, prefix: &str) -> Value {
    let get = |k: &str| {
        row.get(&format!("{prefix}{k}"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let parts = [
        ("city", get("City")),
        ("country", get("Country")),
        ("countryCode", get("CountryCode")),
        ("geocodeAccuracy", get("GeocodeAccuracy")),
        ("latitude", get("Latitude")),
        ("longitude", get("Longitude")),
        ("postalCode", get("PostalCode")),
        ("state", get("State")),
        ("stateCode", get("StateCode")),
        ("street", get("Street")),
    ];
    if parts.iter().all(|(_, v)| v.is_null()) {
        return Value::Null;
    }
    Value::Object(parts.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// The parts of a compound address, in the order of its JSON keys, with the suffix of the
/// field each comes from (`Billing` + `City`).
const ADDRESS_PARTS: [(&str, &str); 10] = [
    ("city", "City"),
    ("country", "Country"),
    ("countryCode", "CountryCode"),
    ("geocodeAccuracy", "GeocodeAccuracy"),
    ("latitude", "Latitude"),
    ("longitude", "Longitude"),
    ("postalCode", "PostalCode"),
    ("state", "State"),
    ("stateCode", "StateCode"),
    ("street", "Street"),
];

/// Appends the record at `pos` of `table` in REST shape, as [`render_record`] renders it
/// (`attributes`, then `fields` in order, compound addresses built from their parts), written
/// straight from the packed row.
pub(crate) fn write_record(
    table: &Table,
    pos: u32,
    object: &ObjectSchema,
    version: &str,
    fields: &[&FieldMeta],
    out: &mut Vec<u8>,
) {
    let mut cursor = RowCursor::new(table);
    cursor.seek(pos);
    let mut name = String::new();
    // A field the describe lacks (not in the table) is read by name, as a map lookup would.
    let write = |slot: Option<usize>, name: &str, out: &mut Vec<u8>| {
        let written = match slot {
            Some(slot) => cursor.write(slot, out),
            None if cursor.lacks_named_fields() => false,
            None => table
                .value(pos, name)
                .is_some_and(|v| serde_json::to_writer(&mut *out, &v).is_ok()),
        };
        if !written {
            out.extend_from_slice(b"null");
        }
    };
    let is_null = |slot: Option<usize>, name: &str| match slot {
        Some(slot) => cursor.is_null(slot),
        None if cursor.lacks_named_fields() => true,
        None => table.value(pos, name).is_none_or(|v| v.is_null()),
    };
    out.extend_from_slice(b"{\"attributes\":{\"type\":");
    push_json_str(out, &object.name);
    out.extend_from_slice(b",\"url\":\"");
    push_json_str_contents(
        out,
        &format!("/services/data/v{version}/sobjects/{}/", object.name),
    );
    // No Id (or not text): the url ends with `/`, as before.
    if let Some(slot) = table.slot("Id") {
        cursor.write_text(slot, out);
    }
    out.extend_from_slice(b"\"}");
    for (i, field) in fields.iter().enumerate() {
        out.push(b',');
        push_json_str(out, &field.name);
        out.push(b':');
        if field.ftype != "address" {
            // All fields in describe order (no `?fields=`): the slot is the index.
            write(table.slot_at(i, &field.name), &field.name, out);
            continue;
        }
        let prefix = field.name.trim_end_matches("Address");
        let part = |name: &mut String, suffix: &str| {
            name.clear();
            name.push_str(prefix);
            name.push_str(suffix);
        };
        let slots = ADDRESS_PARTS.map(|(_, suffix)| {
            part(&mut name, suffix);
            table.slot(&name)
        });
        if ADDRESS_PARTS.iter().zip(slots).all(|((_, suffix), slot)| {
            part(&mut name, suffix);
            is_null(slot, &name)
        }) {
            out.extend_from_slice(b"null");
            continue;
        }
        for (i, ((key, suffix), slot)) in ADDRESS_PARTS.iter().zip(slots).enumerate() {
            out.push(if i == 0 { b'{' } else { b',' });
            push_json_str(out, key);
            out.push(b':');
            part(&mut name, suffix);
            write(slot, &name, out);
        }
        out.push(b'}');
    }
    out.push(b'}');
}

/// A record in REST shape: `attributes` then the fields in describe order (or `fields` order),
/// built as a `Value` from a decoded row: the reference [`write_record`] is tested against.
#[cfg(test)]
pub(crate) fn render_record(
    object: &ObjectSchema,
    row: &Row,
    version: &str,
    fields: &[&FieldMeta],
) -> Value {
    let id = row.get("Id").and_then(Value::as_str).unwrap_or_default();
    let mut out = Map::new();
    out.insert(
        "attributes".to_owned(),
        json!({"type": object.name, "url": format!("/services/data/v{version}/sobjects/{}/{id}", object.name)}),
    );
    for field in fields {
        let value = match field.ftype.as_str() {
            "address" => address(row, field.name.trim_end_matches("Address")),
            _ => row.get(&field.name).cloned().unwrap_or(Value::Null),
        };
        out.insert(field.name.clone(), value);
    }
    Value::Object(out)
}
