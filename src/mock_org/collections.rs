//! sObject Collections: `POST /composite/sobjects` (create), `GET|POST /composite/sobjects/{T}`
//! (retrieve), `PATCH /composite/sobjects` (update) and `DELETE /composite/sobjects?ids=`
//! (delete).

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::rest::{ApiError, Request, object, parse_body, validate, write_record};
use super::schema::FieldMeta;
use super::soql::Row;
use super::state::{Shared, json_bytes_response, json_response};

const MAX_RECORDS: usize = 200;

/// One validated update (object, id, changes) or why it failed (id if known, error).
type Checked = Result<(String, String, Row), (Option<String>, ApiError)>;

fn too_many() -> ApiError {
    ApiError::bad(
        "EXCEEDED_ID_LIMIT",
        "record limit reached. cannot submit more than 200 records into this call",
    )
}

fn rolled_back() -> Value {
    json!({"success": false, "errors": [{
        "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
        "fields": []}]})
}

fn failure(id: Option<&str>, error: &ApiError) -> Value {
    match id {
        Some(id) => json!({"id": id, "success": false, "errors": [error.collection_item()]}),
        None => json!({"success": false, "errors": [error.collection_item()]}),
    }
}

fn not_found_id(id: &str) -> ApiError {
    ApiError::bad(
        "INVALID_CROSS_REFERENCE_KEY",
        format!("invalid cross reference id: {id}"),
    )
}

/// `GET /composite/sobjects/{T}?ids=&fields=` or the same as a POST body `{ids, fields}`.
pub(crate) fn retrieve(
    shared: &Shared,
    request: &Request<'_>,
    name: &str,
) -> Result<Response, ApiError> {
    let object = object(shared, name)?;
    let (ids, fields): (Vec<String>, Vec<String>) = if *request.method == Method::POST {
        let body = parse_body(request.body)?;
        let list = |k: &str| -> Vec<String> {
            body.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        (list("ids"), list("fields"))
    } else {
        let split = |v: Option<String>| -> Vec<String> {
            v.unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        (split(request.param("ids")), split(request.param("fields")))
    };
    if ids.is_empty() {
        return Err(ApiError::bad(
            "REQUIRED_FIELD_MISSING",
            "At least 1 Id is required.",
        ));
    }
    if ids.len() > 2000 {
        return Err(too_many());
    }
    if fields.is_empty() {
        return Err(ApiError::bad(
            "REQUIRED_FIELD_MISSING",
            "At least 1 field is required.",
        ));
    }
    let fields: Vec<&FieldMeta> = fields
        .iter()
        .map(|f| {
            object.field(f).ok_or_else(|| {
                ApiError::bad(
                    "INVALID_FIELD",
                    format!("No such column '{f}' on sobject of type {}", object.name),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let inner = shared.lock();
    let store = inner.store.get(&object.name);
    // Written straight from the store: a record per Id, `null` for a missing or deleted one.
    let mut body = b"[".to_vec();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        let found = store.and_then(|table| {
            let pos = table.position(&crate::sf::id::normalize(id)?)?;
            (!table.is_deleted(pos)).then_some((table, pos))
        });
        match found {
            Some((table, pos)) => {
                write_record(table, pos, object, &request.version, &fields, &mut body);
            }
            None => body.extend_from_slice(b"null"),
        }
    }
    body.push(b']');
    Ok(json_bytes_response(StatusCode::OK, body))
}

/// The body of a collection create or update: `allOrNone` (default false) and up to 200
/// `records`.
pub(crate) fn records_body(request: &Request<'_>) -> Result<(bool, Vec<Value>), ApiError> {
    let mut body = parse_body(request.body)?;
    let all_or_none = body
        .get("allOrNone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let Some(Value::Array(records)) = body.remove("records") else {
        return Err(ApiError::bad("INVALID_FIELD", "No records were provided"));
    };
    if records.len() > MAX_RECORDS {
        return Err(too_many());
    }
    Ok((all_or_none, records))
}

/// `PATCH /composite/sobjects`: `{allOrNone, records: [{attributes: {type}, id, ...}]}`.
pub(crate) fn update(shared: &Shared, request: &Request<'_>) -> Result<Response, ApiError> {
    let (all_or_none, records) = records_body(request)?;
    let mut inner = shared.lock();
    // Validate everything first, so that allOrNone needs no undo.
    let checked: Vec<Checked> = records
        .iter()
        .map(|record| {
            let map = record.as_object().ok_or_else(|| {
                (
                    None,
                    ApiError::bad("JSON_PARSER_ERROR", "Expected an object"),
                )
            })?;
            let raw_id = map
                .get("id")
                .or_else(|| map.get("Id"))
                .and_then(Value::as_str);
            let Some(raw_id) = raw_id else {
                return Err((
                    None,
                    ApiError::bad("MISSING_ARGUMENT", "Id not specified in an update call"),
                ));
            };
            let kind = map
                .get("attributes")
                .and_then(|a| a.get("type"))
                .and_then(Value::as_str);
            let object = kind.and_then(|k| shared.schema.object(k)).ok_or_else(|| {
                (
                    Some(raw_id.to_owned()),
                    ApiError::bad("INVALID_TYPE", "Must send a concrete entity type."),
                )
            })?;
            let id = crate::sf::id::normalize(raw_id)
                .filter(|id| {
                    inner
                        .store
                        .get(&object.name)
                        .is_some_and(|s| s.contains_key(id))
                })
                .ok_or_else(|| (Some(raw_id.to_owned()), not_found_id(raw_id)))?;
            let mut fields = map.clone();
            fields.remove("id");
            fields.remove("Id");
            let row = validate(object, &fields, false).map_err(|e| (Some(id.clone()), e))?;
            if let Some(e) = inner.rejection(&id, false) {
                return Err((Some(id), e));
            }
            super::setup_org::require(shared, &object.name, super::setup_org::Access::Edit)
                .map_err(|e| (Some(id.clone()), e))?;
            Ok((object.name.clone(), id, row))
        })
        .collect();
    let failed = checked.iter().any(Result::is_err);
    let mut results = Vec::with_capacity(checked.len());
    for result in checked {
        match result {
            Err((id, e)) => results.push(failure(id.as_deref(), &e)),
            Ok(_) if all_or_none && failed => results.push(rolled_back()),
            Ok((object_name, id, changes)) => {
                let Some(object) = shared.schema.object(&object_name) else {
                    continue;
                };
                let Some(store) = inner.store.get_mut(&object_name) else {
                    continue;
                };
                let Some(mut record) = store.get(&id) else {
                    continue;
                };
                if record.row.get("IsDeleted") == Some(&Value::Bool(true)) {
                    let e = ApiError::bad("ENTITY_IS_DELETED", "entity is deleted");
                    results.push(failure(Some(&id), &e));
                    continue;
                }
                record.apply_update(object, changes, &shared.user_id, shared.clock.now_ms());
                store.put(&id, &record);
                results.push(json!({"id": id, "success": true, "errors": []}));
            }
        }
    }
    Ok(json_response(StatusCode::OK, &Value::Array(results)))
}

/// `DELETE /composite/sobjects?ids=a,b&allOrNone=false`.
pub(crate) fn delete(shared: &Shared, request: &Request<'_>) -> Result<Response, ApiError> {
    let ids: Vec<String> = request
        .param("ids")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if ids.is_empty() {
        return Err(ApiError::bad(
            "REQUIRED_FIELD_MISSING",
            "At least 1 Id is required.",
        ));
    }
    if ids.len() > MAX_RECORDS {
        return Err(too_many());
    }
    let all_or_none = request
        .param("allOrNone")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let mut inner = shared.lock();
    let checked: Vec<Result<(String, String), (String, ApiError)>> = ids
        .iter()
        .map(|raw| {
            let id = crate::sf::id::normalize(raw).ok_or_else(|| {
                (
                    raw.clone(),
                    ApiError::bad("MALFORMED_ID", format!("malformed id {raw}")),
                )
            })?;
            let object = crate::sf::id::key_prefix(&id)
                .and_then(|p| shared.schema.objects.iter().find(|o| o.key_prefix == p))
                .ok_or_else(|| (raw.clone(), not_found_id(raw)))?;
            let record = inner
                .store
                .get(&object.name)
                .and_then(|s| s.get(&id))
                .ok_or_else(|| (raw.clone(), not_found_id(raw)))?;
            if record.row.get("IsDeleted") == Some(&Value::Bool(true)) {
                return Err((id, ApiError::bad("ENTITY_IS_DELETED", "entity is deleted")));
            }
            super::setup_org::require(shared, &object.name, super::setup_org::Access::Delete)
                .map_err(|e| (id.clone(), e))?;
            if let Some(e) = inner.rejection(&id, true) {
                return Err((id, e));
            }
            Ok((object.name.clone(), id))
        })
        .collect();
    let failed = checked.iter().any(Result::is_err);
    let mut results = Vec::with_capacity(checked.len());
    for result in checked {
        match result {
            Err((id, e)) => results.push(failure(Some(&id), &e)),
            Ok(_) if all_or_none && failed => results.push(rolled_back()),
            Ok((object_name, id)) => {
                if let Some(store) = inner.store.get_mut(&object_name)
                    && let Some(mut record) = store.get(&id)
                {
                    record.mark_deleted(shared.clock.now_ms());
                    store.put(&id, &record);
                }
                results.push(json!({"id": id, "success": true, "errors": []}));
            }
        }
    }
    Ok(json_response(StatusCode::OK, &Value::Array(results)))
}

/// `POST /composite/sobjects`: create up to 200 records, optionally all-or-none.
pub(crate) fn create(shared: &Shared, request: &Request<'_>) -> Result<Response, ApiError> {
    let (all_or_none, records) = records_body(request)?;
    let mut checked = Vec::with_capacity(records.len());
    for record in &records {
        let result = (|| {
            let map = record
                .as_object()
                .ok_or_else(|| ApiError::bad("JSON_PARSER_ERROR", "Expected an object"))?;
            let kind = map
                .get("attributes")
                .and_then(|a| a.get("type"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ApiError::bad("INVALID_TYPE", "Must send a concrete entity type.")
                })?;
            let object = shared.schema.object(kind).ok_or_else(|| {
                ApiError::bad(
                    "INVALID_TYPE",
                    format!("sObject type '{kind}' is not supported."),
                )
            })?;
            validate(object, map, true)?;
            Ok::<_, ApiError>((object, map))
        })();
        checked.push(result);
    }
    let failed = checked.iter().any(Result::is_err);
    let mut results = Vec::with_capacity(checked.len());
    for result in checked {
        match result {
            Err(e) => results.push(failure(None, &e)),
            Ok(_) if all_or_none && failed => results.push(rolled_back()),
            Ok((object, map)) => match super::rest::create(shared, object, map) {
                Ok(id) => results.push(json!({"id": id, "success": true, "errors": []})),
                Err(e) => results.push(failure(None, &e)),
            },
        }
    }
    Ok(json_response(StatusCode::OK, &Value::Array(results)))
}
