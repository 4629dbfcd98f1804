//! Records in REST shape (`attributes`, then the fields, compound addresses built from their
//! parts), written straight from the packed store. The one record renderer: `GET
//! /sobjects/{T}/{id}` writes with [`write_record`], query pages write their compound fields
//! with [`write_compound`] and read them with [`compound_value`].

#[cfg(test)]
use serde_json::json;
use serde_json::{Map, Value};

use super::super::schema::{CompoundPart, FieldMeta, ObjectSchema};
#[cfg(test)]
use super::super::soql::Row;
use super::super::state::{push_json_str, push_json_str_contents};
use super::super::store::{RowCursor, Table};

/// Appends the compound field made of `parts` for the row `cursor` is on: `null` when every
/// part is null, else an object of the parts in key order (`cursor` must have located the
/// parts' fields).
pub(crate) fn write_compound(
    table: &Table,
    cursor: &RowCursor<'_>,
    parts: &[CompoundPart],
    out: &mut Vec<u8>,
) {
    let slot = |p: &CompoundPart| table.slot_at(p.index, &p.field);
    if parts
        .iter()
        .all(|p| slot(p).is_none_or(|s| cursor.is_null(s)))
    {
        out.extend_from_slice(b"null");
        return;
    }
    for (i, part) in parts.iter().enumerate() {
        out.push(if i == 0 { b'{' } else { b',' });
        push_json_str(out, &part.key);
        out.push(b':');
        if !slot(part).is_some_and(|s| cursor.write(s, out)) {
            out.extend_from_slice(b"null");
        }
    }
    out.push(b'}');
}

/// The compound field made of `parts` of the row at `pos`, as [`write_compound`] writes it.
pub(crate) fn compound_value(table: &Table, pos: u32, parts: &[CompoundPart]) -> Value {
    let values: Vec<(String, Value)> = parts
        .iter()
        .map(|p| {
            let v = table.value(pos, &p.field).unwrap_or(Value::Null);
            (p.key.clone(), v)
        })
        .collect();
    if values.iter().all(|(_, v)| v.is_null()) {
        return Value::Null;
    }
    Value::Object(values.into_iter().collect::<Map<String, Value>>())
}

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
        match object.compound(&field.name) {
            Some(parts) => write_compound(table, &cursor, parts, out),
            // All fields in describe order (no `?fields=`): the slot is the index.
            None => write(table.slot_at(i, &field.name), &field.name, out),
        }
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
        let value = match object.compound(&field.name) {
            Some(parts) => {
                let values: Map<String, Value> = parts
                    .iter()
                    .map(|p| {
                        let v = row.get(&p.field).cloned().unwrap_or(Value::Null);
                        (p.key.clone(), v)
                    })
                    .collect();
                if values.values().all(Value::is_null) {
                    Value::Null
                } else {
                    Value::Object(values)
                }
            }
            None => row.get(&field.name).cloned().unwrap_or(Value::Null),
        };
        out.insert(field.name.clone(), value);
    }
    Value::Object(out)
}
