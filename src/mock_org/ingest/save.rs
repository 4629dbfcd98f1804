//! Saving an ingest job's rows as the REST API would save them: values converted from CSV
//! text by field type, relationship columns (`Account.External_Id__c`) resolved through the
//! parent's external id, the same validation (`validate`, `new_row`), permissions and unique
//! checks, and per-row errors as `STATUS_CODE:message:fields`.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::super::rest::{ApiError, new_row, parse_datetime, validate};
use super::super::schema::{FieldMeta, ObjectSchema};
use super::super::seed::{insert_record, system_fields};
use super::super::setup_org::{Access, require};
use super::super::state::{Inner, Shared};
use super::work::{Column, Outcome, Work, flagged};
use super::{Job, Operation};

/// Records found by a field's value (lower case), built per object and field on first use and
/// kept up to date as rows are saved.
#[derive(Default)]
struct Lookups {
    maps: HashMap<(String, String), HashMap<String, Vec<String>>>,
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.to_lowercase()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Lookups {
    fn map(
        &mut self,
        inner: &Inner,
        object: &str,
        field: &str,
    ) -> &mut HashMap<String, Vec<String>> {
        self.maps
            .entry((object.to_owned(), field.to_owned()))
            .or_insert_with(|| {
                let mut map: HashMap<String, Vec<String>> = HashMap::new();
                for row in inner.store.get(object).into_iter().flat_map(|t| t.iter()) {
                    if !row.is_deleted()
                        && let Some(key) = row.get(field).as_ref().and_then(text_of)
                    {
                        map.entry(key).or_default().push(row.id());
                    }
                }
                map
            })
    }

    /// The live records of `object` whose `field` is `value`.
    fn find(&mut self, inner: &Inner, object: &str, field: &str, value: &str) -> Vec<String> {
        if field == "Id" {
            let found = crate::sf::id::normalize(value).filter(|id| {
                inner
                    .store
                    .get(object)
                    .and_then(|t| t.get(id))
                    .is_some_and(|r| r.row.get("IsDeleted") != Some(&Value::Bool(true)))
            });
            return found.into_iter().collect();
        }
        self.map(inner, object, field)
            .get(&value.to_lowercase())
            .cloned()
            .unwrap_or_default()
    }

    /// Notes that `id`'s `field` changed from `old` to `new`.
    fn moved(&mut self, key: (&str, &str), id: &str, old: Option<&Value>, new: Option<&Value>) {
        let Some(map) = self.maps.get_mut(&(key.0.to_owned(), key.1.to_owned())) else {
            return;
        };
        if let Some(old) = old.and_then(text_of)
            && let Some(ids) = map.get_mut(&old)
        {
            ids.retain(|i| i != id);
        }
        if let Some(new) = new.and_then(text_of) {
            map.entry(new).or_default().push(id.to_owned());
        }
    }
}

/// Processes rows until `due` of them are done.
pub(super) fn process(shared: &Shared, inner: &mut Inner, job: &Job, work: &mut Work, due: usize) {
    let Some(object) = shared.schema.object(&job.object) else {
        return;
    };
    let unique = flagged(object, |f| f.unique);
    let mut saver = Saver {
        shared,
        object,
        unique,
        lookups: Lookups::default(),
    };
    while work.outcomes.len() < due {
        let row = &work.rows[work.outcomes.len()];
        let outcome = match saver.save(inner, job, &work.columns, row) {
            Ok((id, created)) => Outcome::Saved { id, created },
            Err((id, e)) => Outcome::Failed {
                id,
                error: format!(
                    "{}:{}:{}",
                    e.code,
                    e.message,
                    e.fields
                        .filter(|f| !f.is_empty())
                        .map_or_else(|| "--".to_owned(), |f| f.join(","))
                ),
            },
        };
        work.outcomes.push(outcome);
    }
}

/// A row's failure: the record's Id when known, and the error.
type RowError = (Option<String>, ApiError);

/// Saves rows of one object.
struct Saver<'a> {
    shared: &'a Shared,
    object: &'a ObjectSchema,
    /// The object's unique fields (`DUPLICATE_VALUE` when two records share a value).
    unique: Vec<String>,
    lookups: Lookups,
}

/// A CSV cell as the JSON value the REST validation expects, by the field's type.
fn cell_value(field: &FieldMeta, col: usize, text: &str) -> Result<Value, ApiError> {
    if text == "#N/A" {
        return Ok(Value::Null);
    }
    let bad = |soap: &str| {
        ApiError::bad(
            "INVALID_FIELD",
            format!(
                "Failed to deserialize field at col {col}. Due to, '{text}' is not a valid value \
                 for the type xsd:{soap}"
            ),
        )
    };
    Ok(match field.ftype.as_str() {
        "boolean" if text.eq_ignore_ascii_case("true") => json!(true),
        "boolean" if text.eq_ignore_ascii_case("false") => json!(false),
        "boolean" => return Err(bad("boolean")),
        "int" => json!(text.parse::<i64>().map_err(|_| bad("int"))?),
        "double" | "currency" | "percent" => {
            let n = text.parse::<f64>().ok().filter(|n| n.is_finite());
            json!(n.ok_or_else(|| bad("double"))?)
        }
        "date" if text.parse::<jiff::civil::Date>().is_err() => return Err(bad("date")),
        "datetime" if parse_datetime(text).is_none() => return Err(bad("dateTime")),
        _ => json!(text),
    })
}

impl Saver<'_> {
    /// The row's fields as a JSON body, relationship columns resolved; also the upsert key's
    /// value and the `Id` cell.
    fn fields(
        &mut self,
        inner: &Inner,
        columns: &[Column],
        cells: &[String],
    ) -> Result<Map<String, Value>, ApiError> {
        if cells.len() != columns.len() {
            return Err(ApiError::bad(
                "INVALID_FIELD",
                format!(
                    "The row has {} values; the header has {} columns",
                    cells.len(),
                    columns.len()
                ),
            ));
        }
        let mut body = Map::new();
        for (col, (column, text)) in columns.iter().zip(cells).enumerate() {
            if text.is_empty() {
                continue;
            }
            match column {
                Column::Ignored => {}
                Column::Field(name) if name == "Id" => {
                    body.insert(name.clone(), json!(text));
                }
                Column::Field(name) => {
                    let Some(field) = self.object.field(name) else {
                        continue;
                    };
                    body.insert(name.clone(), cell_value(field, col, text)?);
                }
                Column::Relation { reference, .. } if text == "#N/A" => {
                    body.insert(reference.clone(), Value::Null);
                }
                Column::Relation {
                    reference,
                    target,
                    key,
                } => {
                    let found = self.lookups.find(inner, target, key, text);
                    let [id] = found.as_slice() else {
                        return Err(ApiError::bad(
                            if found.is_empty() {
                                "INVALID_CROSS_REFERENCE_KEY"
                            } else {
                                "DUPLICATE_EXTERNAL_ID"
                            },
                            format!(
                                "Foreign key external ID: {text} {} for field {key} in entity \
                                 {target}",
                                if found.is_empty() {
                                    "not found"
                                } else {
                                    "matches more than one record"
                                }
                            ),
                        )
                        .with_fields(vec![reference.clone()]));
                    };
                    body.insert(reference.clone(), json!(id));
                }
            }
        }
        Ok(body)
    }

    /// Saves one row: `(Id, created)`.
    fn save(
        &mut self,
        inner: &mut Inner,
        job: &Job,
        columns: &[Column],
        cells: &[String],
    ) -> Result<(String, bool), RowError> {
        let mut body = self.fields(inner, columns, cells).map_err(|e| (None, e))?;
        let id = body
            .remove("Id")
            .and_then(|v| v.as_str().map(str::to_owned));
        match job.operation {
            Operation::Insert => self.insert(inner, &body),
            Operation::Update => {
                let id = self.existing(inner, id.as_deref(), "an update")?;
                self.update(inner, &id, &body)
            }
            Operation::Delete | Operation::HardDelete => {
                let id = self.existing(inner, id.as_deref(), "a delete")?;
                self.delete(inner, &id, job.operation == Operation::HardDelete)
            }
            Operation::Upsert => {
                let key = job.external_id.clone().unwrap_or_default();
                if key == "Id" {
                    return match id {
                        None => self.insert(inner, &body),
                        Some(id) => {
                            let id = self.existing(inner, Some(&id), "an upsert")?;
                            self.update(inner, &id, &body)
                        }
                    };
                }
                let value = body.get(&key).and_then(Value::as_str).unwrap_or_default();
                if value.is_empty() {
                    return Err((
                        None,
                        ApiError::bad("MISSING_ARGUMENT", format!("{key} not specified"))
                            .with_fields(vec![key]),
                    ));
                }
                let found = self.lookups.find(inner, &self.object.name, &key, value);
                match found.as_slice() {
                    [] => self.insert(inner, &body),
                    [id] => self.update(inner, &id.clone(), &body),
                    ids => Err((
                        None,
                        ApiError::bad(
                            "DUPLICATE_EXTERNAL_ID",
                            format!(
                                "{key}: more than one record found for external id field: [{}]",
                                ids.join(", ")
                            ),
                        )
                        .with_fields(vec![key]),
                    )),
                }
            }
        }
    }

    /// The live record an update or delete names by `Id`.
    fn existing(&self, inner: &Inner, raw: Option<&str>, call: &str) -> Result<String, RowError> {
        let Some(raw) = raw else {
            return Err((
                None,
                ApiError::bad(
                    "MISSING_ARGUMENT",
                    format!("Id not specified in {call} call"),
                ),
            ));
        };
        let malformed = || {
            ApiError::bad(
                "MALFORMED_ID",
                format!("{} ID: id value of incorrect type: {raw}", self.object.name),
            )
            .with_fields(vec!["Id".to_owned()])
        };
        let id = crate::sf::id::normalize(raw)
            .filter(|id| crate::sf::id::key_prefix(id) == Some(self.object.key_prefix.as_str()))
            .ok_or_else(|| (None, malformed()))?;
        let record = inner
            .store
            .get(&self.object.name)
            .and_then(|t| t.get(&id))
            .ok_or_else(|| {
                (
                    Some(id.clone()),
                    ApiError::bad("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id"),
                )
            })?;
        if record.row.get("IsDeleted") == Some(&Value::Bool(true)) {
            return Err((
                Some(id),
                ApiError::bad("ENTITY_IS_DELETED", "entity is deleted"),
            ));
        }
        Ok(id)
    }

    /// `DUPLICATE_VALUE` when another live record has the value of a unique field in `row`.
    fn check_unique(
        &mut self,
        inner: &Inner,
        row: &Map<String, Value>,
        own: Option<&str>,
    ) -> Result<(), ApiError> {
        for field in &self.unique {
            let Some(value) = row.get(field).and_then(text_of) else {
                continue;
            };
            let found = self.lookups.find(inner, &self.object.name, field, &value);
            if let Some(other) = found.iter().find(|id| Some(id.as_str()) != own) {
                return Err(ApiError::bad(
                    "DUPLICATE_VALUE",
                    format!(
                        "duplicate value found: {field} duplicates value on record with id: {other}"
                    ),
                )
                .with_fields(vec![field.clone()]));
            }
        }
        Ok(())
    }

    fn insert(
        &mut self,
        inner: &mut Inner,
        body: &Map<String, Value>,
    ) -> Result<(String, bool), RowError> {
        let object = self.object;
        require(self.shared, &object.name, Access::Create).map_err(|e| (None, e))?;
        let mut row = new_row(object, body).map_err(|e| (None, e))?;
        self.check_unique(inner, &row, None)
            .map_err(|e| (None, e))?;
        let now = self.shared.clock.now_ms();
        system_fields(&mut row, object, &self.shared.user_id, now, now);
        let keys: Vec<(String, Value)> = self
            .unique
            .iter()
            .filter_map(|f| Some((f.clone(), row.get(f)?.clone())))
            .collect();
        let id = insert_record(inner, object, row, now);
        for (field, value) in keys {
            self.lookups
                .moved((&object.name, &field), &id, None, Some(&value));
        }
        Ok((id, true))
    }

    fn update(
        &mut self,
        inner: &mut Inner,
        id: &str,
        body: &Map<String, Value>,
    ) -> Result<(String, bool), RowError> {
        let object = self.object;
        let failed = |e| (Some(id.to_owned()), e);
        let changes = validate(object, body, false).map_err(failed)?;
        require(self.shared, &object.name, Access::Edit).map_err(failed)?;
        self.check_unique(inner, &changes, Some(id))
            .map_err(failed)?;
        let Some(table) = inner.store.get_mut(&object.name) else {
            return Err(failed(ApiError::not_found()));
        };
        let Some(mut record) = table.get(id) else {
            return Err(failed(ApiError::not_found()));
        };
        let before = record.row.clone();
        record.apply_update(
            object,
            changes,
            &self.shared.user_id,
            self.shared.clock.now_ms(),
        );
        table.put(id, &record);
        for field in &self.unique {
            self.lookups.moved(
                (&object.name, field),
                id,
                before.get(field),
                record.row.get(field),
            );
        }
        Ok((id.to_owned(), false))
    }

    fn delete(
        &mut self,
        inner: &mut Inner,
        id: &str,
        hard: bool,
    ) -> Result<(String, bool), RowError> {
        let object = self.object;
        require(self.shared, &object.name, Access::Delete).map_err(|e| (Some(id.to_owned()), e))?;
        let Some(table) = inner.store.get_mut(&object.name) else {
            return Err((Some(id.to_owned()), ApiError::not_found()));
        };
        let Some(mut record) = table.get(id) else {
            return Err((Some(id.to_owned()), ApiError::not_found()));
        };
        if hard {
            table.remove(id);
        } else {
            record.mark_deleted(self.shared.clock.now_ms());
            table.put(id, &record);
        }
        for field in &self.unique {
            self.lookups
                .moved((&object.name, field), id, record.row.get(field), None);
        }
        Ok((id.to_owned(), false))
    }
}
