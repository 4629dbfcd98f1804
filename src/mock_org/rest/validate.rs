//! Request bodies to checked rows: JSON object bodies, field values against their describe
//! (types, lengths, picklists, ids), required fields, and a new record's defaults.

use serde_json::{Map, Value, json};

use super::super::schema::{FieldMeta, ObjectSchema};
use super::super::soql::Row;
use super::super::state::sf_datetime;
use super::ApiError;

/// Parses a JSON object body, with Salesforce's `JSON_PARSER_ERROR` texts.
pub(crate) fn parse_body(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad(
            "JSON_PARSER_ERROR",
            "The HTTP entity body is required, but this request has no entity body.",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad(
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of the sObject from a non-object value at [line:1, column:1]",
        )),
        Err(e) => {
            let ch = std::str::from_utf8(body)
                .ok()
                .and_then(|t| t.lines().nth(e.line().saturating_sub(1)))
                .and_then(|l| l.chars().nth(e.column().saturating_sub(1)))
                .unwrap_or(' ');
            Err(ApiError::bad(
                "JSON_PARSER_ERROR",
                format!(
                    "Unexpected character ('{ch}' (code {})): was expecting a valid JSON value at [line:{}, column:{}]",
                    ch as u32,
                    e.line(),
                    e.column()
                ),
            ))
        }
    }
}

fn type_error(field: &FieldMeta, value: &Value) -> ApiError {
    let token = match value {
        Value::String(_) => "VALUE_STRING",
        Value::Number(_) => "VALUE_NUMBER",
        Value::Bool(true) => "VALUE_TRUE",
        Value::Bool(false) => "VALUE_FALSE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
        Value::Null => "VALUE_NULL",
    };
    ApiError::bad(
        "JSON_PARSER_ERROR",
        format!(
            "Cannot deserialize instance of {} from {token} value {value} or request may be missing a required field at [line:1, column:1]",
            field.ftype
        ),
    )
}

/// Checks one value against its field's type and metadata; returns the value to store.
fn check_value(object: &ObjectSchema, field: &FieldMeta, value: &Value) -> Result<Value, ApiError> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let fields = || vec![field.name.clone()];
    match field.ftype.as_str() {
        "boolean" => value.as_bool().map(Value::Bool).ok_or_else(|| type_error(field, value)),
        "int" => match value.as_i64() {
            Some(n) => Ok(json!(n)),
            None => Err(type_error(field, value)),
        },
        "double" | "currency" | "percent" => match value.as_f64() {
            Some(n) => Ok(json!(n)),
            None => Err(type_error(field, value)),
        },
        "date" => {
            let text = value.as_str().ok_or_else(|| type_error(field, value))?;
            text.parse::<jiff::civil::Date>()
                .map(|d| json!(d.to_string()))
                .map_err(|_| type_error(field, value))
        }
        "datetime" => {
            let text = value.as_str().ok_or_else(|| type_error(field, value))?;
            parse_datetime(text).map(|ms| json!(sf_datetime(ms))).ok_or_else(|| type_error(field, value))
        }
        "reference" | "id" => {
            let text = value.as_str().ok_or_else(|| type_error(field, value))?;
            let wrong = || {
                ApiError::bad(
                    "MALFORMED_ID",
                    format!("{}: id value of incorrect type: {text}", field.label),
                )
                .with_fields(fields())
            };
            let id = crate::sf::id::normalize(text).ok_or_else(wrong)?;
            let prefix_ok = crate::sf::id::key_prefix(&id).is_some_and(|p| {
                field.reference_to.iter().any(|target| match target.as_str() {
                    "User" => p == "005",
                    "Group" => p == "00G",
                    other => {
                        object.name == other && p == object.key_prefix
                            || matches!((other, p), ("Account", "001") | ("Contact", "003") | ("Lead", "00Q"))
                    }
                }) || field.reference_to.is_empty()
            });
            if prefix_ok { Ok(json!(id)) } else { Err(wrong()) }
        }
        _ if field.is_text() => {
            let text = match value {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err(type_error(field, value)),
            };
            if field.length > 0 && text.chars().count() > field.length {
                return Err(ApiError::bad(
                    "STRING_TOO_LONG",
                    format!("{}: data value too large: {text} (max length={})", field.label, field.length),
                )
                .with_fields(fields()));
            }
            if field.restricted_picklist && !text.is_empty() {
                let bad = text
                    .split(';')
                    .find(|part| !field.picklist.iter().any(|v| v == part));
                if let Some(bad) = bad {
                    return Err(ApiError::bad(
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        format!("{}: bad value for restricted picklist field: {bad}", field.label),
                    )
                    .with_fields(fields()));
                }
            }
            if field.ftype == "email" && !text.is_empty() {
                let ok = text.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.'));
                if !ok {
                    return Err(ApiError::bad(
                        "INVALID_EMAIL_ADDRESS",
                        format!("{}: invalid email address: {text}", field.label),
                    )
                    .with_fields(fields()));
                }
            }
            Ok(json!(text))
        }
        _ => Err(ApiError::bad(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!("Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.", field.name),
        )
        .with_fields(fields())),
    }
}

/// Accepts `2026-01-01T08:00:00Z`, `...000+0000`, `...+01:00`, with or without millis.
pub(crate) fn parse_datetime(text: &str) -> Option<i64> {
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ts.as_millisecond());
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(zoned) = jiff::fmt::strtime::parse(format, text).and_then(|p| p.to_timestamp()) {
            return Some(zoned.as_millisecond());
        }
    }
    None
}

/// Validates a create/update body against the describe; returns canonical field → value.
pub(crate) fn validate(
    object: &ObjectSchema,
    body: &Map<String, Value>,
    create: bool,
) -> Result<Row, ApiError> {
    let mut row = Row::new();
    let mut read_only = Vec::new();
    for (key, value) in body {
        if key == "attributes" {
            continue;
        }
        let Some(field) = object.field(key) else {
            return Err(ApiError::bad(
                "INVALID_FIELD",
                format!("No such column '{key}' on sobject of type {}", object.name),
            ));
        };
        let writable = if create {
            field.createable
        } else {
            field.updateable
        };
        if !writable {
            read_only.push(field.name.clone());
            continue;
        }
        row.insert(field.name.clone(), check_value(object, field, value)?);
    }
    if !read_only.is_empty() {
        return Err(ApiError::bad(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            format!(
                "Unable to create/update fields: {}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
                read_only.join(", ")
            ),
        )
        .with_fields(read_only));
    }
    let missing: Vec<String> = object
        .fields
        .iter()
        .filter(|f| f.required())
        .filter(|f| {
            let value = row.get(&f.name);
            let blank = |v: &Value| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty());
            if create {
                value.is_none_or(blank)
            } else {
                value.is_some_and(blank)
            }
        })
        .map(|f| f.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::bad(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
        )
        .with_fields(missing));
    }
    Ok(row)
}

/// Recomputes `Name` of Contact and Lead from its parts.
pub(crate) fn compute_name(object: &ObjectSchema, row: &mut Row) {
    if object.name == "Account" || object.field("FirstName").is_none() {
        return;
    }
    let part = |k: &str| {
        row.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let name = [part("FirstName"), part("LastName")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    row.insert("Name".to_owned(), json!(name));
}

/// A new record's fields from a create body: validated as a create, nulls dropped, picklist
/// defaults filled in, `Name` computed. System fields are the caller's ([`system_fields`]).
pub(crate) fn new_row(object: &ObjectSchema, body: &Map<String, Value>) -> Result<Row, ApiError> {
    let mut row = validate(object, body, true)?;
    row.retain(|_, v| !v.is_null());
    for field in &object.fields {
        if let Some(default) = &field.picklist_default
            && field.createable
            && !row.contains_key(&field.name)
        {
            row.insert(field.name.clone(), json!(default));
        }
    }
    compute_name(object, &mut row);
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_in_every_accepted_form() {
        let expected = Some(1_767_254_400_000);
        assert_eq!(parse_datetime("2026-01-01T08:00:00Z"), expected);
        assert_eq!(parse_datetime("2026-01-01T08:00:00.000+0000"), expected);
        assert_eq!(parse_datetime("2026-01-01T09:00:00.000+01:00"), expected);
        assert_eq!(parse_datetime("yesterday"), None);
    }
}
