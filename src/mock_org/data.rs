//! Loading the user's own records (`--data FILE`) into the store.

use serde_json::{Value, json};

use super::rest::{new_row, parse_datetime};
use super::schema::Schema;
use super::seed::{insert_record, system_fields};
use super::state::{Inner, Record, sf_datetime};

/// Removes `name` (any letter case) from `map` and returns its value.
fn take(map: &mut serde_json::Map<String, Value>, name: &str) -> Option<Value> {
    let key = map.keys().find(|k| k.eq_ignore_ascii_case(name))?.clone();
    map.remove(&key)
}

/// Validates and stores every record of `data` (`{"Account": [...], ...}`), objects in schema
/// order so that contacts can point at accounts of the same file. Records without dates are
/// stamped `now_ms` (the org's clock).
pub(crate) fn load(
    schema: &Schema,
    user_id: &str,
    inner: &mut Inner,
    data: &Value,
    now_ms: i64,
) -> Result<(), String> {
    let Some(objects) = data.as_object() else {
        return Err("the top level must be an object of sObject name → array of records".into());
    };
    if let Some(unknown) = objects.keys().find(|k| schema.object(k).is_none()) {
        return Err(format!(
            "unknown sObject {unknown:?} (known: Account, Contact, Lead)"
        ));
    }
    for object in &schema.objects {
        let Some(records) = objects
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&object.name))
        else {
            continue;
        };
        let Some(records) = records.1.as_array() else {
            return Err(format!("{} must be an array of records", object.name));
        };
        for (index, record) in records.iter().enumerate() {
            let at = || format!("{}[{index}]", object.name);
            let Some(map) = record.as_object() else {
                return Err(format!("{}: not a JSON object", at()));
            };
            let mut map = map.clone();
            take(&mut map, "attributes");
            let id = match take(&mut map, "Id") {
                None | Some(Value::Null) => None,
                Some(value) => {
                    let text = value.as_str().unwrap_or_default();
                    let id = crate::sf::id::normalize(text)
                        .filter(|id| {
                            crate::sf::id::key_prefix(id) == Some(object.key_prefix.as_str())
                        })
                        .ok_or_else(|| {
                            format!("{}: Id {text:?} is not a valid {} id", at(), object.name)
                        })?;
                    if inner
                        .store
                        .get(&object.name)
                        .is_some_and(|s| s.contains_key(&id))
                    {
                        return Err(format!("{}: duplicate Id {id}", at()));
                    }
                    Some(id)
                }
            };
            let stamp = |map: &mut serde_json::Map<String, Value>, name: &str| match take(map, name)
            {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_str()
                    .and_then(parse_datetime)
                    .map(Some)
                    .ok_or_else(|| format!("{}: {name} {v} is not a datetime", at())),
            };
            let created = stamp(&mut map, "CreatedDate")?.unwrap_or(now_ms);
            let modified = stamp(&mut map, "LastModifiedDate")?.unwrap_or(created);
            let mut row = new_row(object, &map)
                .map_err(|e| format!("{}: {}: {}", at(), e.code, e.message))?;
            system_fields(&mut row, object, user_id, created, modified);
            match id {
                None => {
                    insert_record(inner, object, row, modified);
                }
                Some(id) => {
                    let mut full = super::soql::Row::new();
                    full.insert("Id".to_owned(), json!(id));
                    full.extend(row);
                    full.insert("SystemModstamp".to_owned(), json!(sf_datetime(modified)));
                    inner.store.table_mut(object).put(
                        &id,
                        &Record {
                            row: full,
                            modified_ms: modified,
                        },
                    );
                }
            }
        }
    }
    Ok(())
}
