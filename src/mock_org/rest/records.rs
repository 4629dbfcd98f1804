//! One record: `GET/HEAD/PATCH/DELETE /sobjects/{T}/{id}` and the create every API shares.

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::super::schema::{FieldMeta, ObjectSchema};
use super::super::seed::{insert_record, system_fields};
use super::super::state::{Inner, Record, Shared, json_bytes_response};
use super::conditional::{
    check_modified, etag, etag_matches, parse_http_date, precondition_failed, row_etag,
    with_record_headers,
};
use super::render::write_record;
use super::sobjects::object;
use super::validate::{new_row, parse_body, validate};
use super::{ApiError, Request, method_not_allowed};

/// 404 `ENTITY_IS_DELETED`, for a record in the recycle bin.
fn deleted() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "ENTITY_IS_DELETED",
        "entity is deleted",
    )
    .with_fields(vec![])
}

/// A stored record that is not deleted, for a change (written back with
/// [`super::super::store::Table::put`]): `NOT_FOUND` when there is none, `ENTITY_IS_DELETED` when it is
/// in the recycle bin.
fn live_record(inner: &Inner, object: &str, id: &str) -> Result<Record, ApiError> {
    let record = inner
        .store
        .get(object)
        .and_then(|s| s.get(id))
        .ok_or_else(ApiError::not_found)?;
    if record.row.get("IsDeleted") == Some(&Value::Bool(true)) {
        return Err(deleted());
    }
    Ok(record)
}

/// Validates and inserts one record; returns its id.
pub(crate) fn create(
    shared: &Shared,
    object: &ObjectSchema,
    body: &Map<String, Value>,
) -> Result<String, ApiError> {
    super::super::setup_org::require(
        shared,
        &object.name,
        super::super::setup_org::Access::Create,
    )?;
    let mut row = new_row(object, body)?;
    let now = shared.clock.now_ms();
    system_fields(&mut row, object, &shared.user_id, now, now);
    let mut inner = shared.lock();
    Ok(insert_record(&mut inner, object, row, now))
}

/// `GET/HEAD/PATCH/DELETE /sobjects/{T}/{id}`.
pub(super) fn record(
    shared: &Shared,
    request: &Request<'_>,
    name: &str,
    id_text: &str,
) -> Result<Response, ApiError> {
    let object = object(shared, name)?;
    let external = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {id_text}"),
        )
    };
    let id = crate::sf::id::normalize(id_text).ok_or_else(external)?;
    if crate::sf::id::key_prefix(&id) != Some(object.key_prefix.as_str()) {
        return Err(ApiError::not_found());
    }
    let is_account = object.name == "Account";
    match *request.method {
        Method::GET | Method::HEAD => {
            let fields: Result<Vec<&FieldMeta>, ApiError> = match request.param("fields") {
                Some(list) => list
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|f| {
                        object.field(f).ok_or_else(|| {
                            ApiError::bad(
                                "INVALID_FIELD",
                                format!("No such column '{f}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", object.name),
                            )
                        })
                    })
                    .collect(),
                None => Ok(object.fields.iter().collect()),
            };
            // One walk over the packed row under the lock: the ETag is its hash, the body is
            // written from it (only when it is sent).
            let inner = shared.lock();
            let table = inner
                .store
                .get(&object.name)
                .ok_or_else(ApiError::not_found)?;
            let pos = table.position(&id).ok_or_else(ApiError::not_found)?;
            if table.is_deleted(pos) {
                return Err(deleted());
            }
            let fields = fields?;
            let modified = table.modified_ms(pos);
            let tag = if is_account {
                etag(table.packed(pos))
            } else {
                String::new()
            };
            if is_account {
                if let Some(value) = request.header("if-none-match")
                    && etag_matches(value, &tag)
                {
                    return Ok(with_record_headers(
                        StatusCode::NOT_MODIFIED.into_response(),
                        modified,
                        is_account.then_some(&tag),
                    ));
                }
                if let Some(value) = request.header("if-match")
                    && !etag_matches(value, &tag)
                {
                    return Err(precondition_failed());
                }
            }
            if let Some(response) = check_modified(request, modified / 1000)? {
                return Ok(with_record_headers(
                    response,
                    modified,
                    is_account.then_some(&tag),
                ));
            }
            let mut body = Vec::with_capacity(2048);
            write_record(table, pos, object, &request.version, &fields, &mut body);
            drop(inner);
            Ok(with_record_headers(
                json_bytes_response(StatusCode::OK, body),
                modified,
                is_account.then_some(&tag),
            ))
        }
        Method::PATCH => {
            let body = parse_body(request.body)?;
            super::super::setup_org::require(
                shared,
                &object.name,
                super::super::setup_org::Access::Edit,
            )?;
            let mut inner = shared.lock();
            let mut record = live_record(&inner, &object.name, &id)?;
            if is_account {
                let tag = row_etag(&inner, &object.name, &id);
                if let Some(value) = request.header("if-match")
                    && !etag_matches(value, &tag)
                {
                    return Err(precondition_failed());
                }
                if let Some(value) = request.header("if-none-match")
                    && etag_matches(value, &tag)
                {
                    return Err(precondition_failed());
                }
            }
            if let Some(value) = request.header("if-unmodified-since")
                && record.modified_ms / 1000 > parse_http_date(value)?
            {
                return Err(precondition_failed());
            }
            let changes = validate(object, &body, false)?;
            if let Some(e) = inner.rejection(&id, false) {
                return Err(e);
            }
            record.apply_update(object, changes, &shared.user_id, shared.clock.now_ms());
            inner.store.table_mut(object).put(&id, &record);
            let tag = row_etag(&inner, &object.name, &id);
            Ok(with_record_headers(
                StatusCode::NO_CONTENT.into_response(),
                record.modified_ms,
                is_account.then_some(&tag),
            ))
        }
        Method::DELETE => {
            super::super::setup_org::require(
                shared,
                &object.name,
                super::super::setup_org::Access::Delete,
            )?;
            let mut inner = shared.lock();
            let mut record = live_record(&inner, &object.name, &id)?;
            if let Some(e) = inner.rejection(&id, true) {
                return Err(e);
            }
            record.mark_deleted(shared.clock.now_ms());
            inner.store.table_mut(object).put(&id, &record);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(method_not_allowed(request.method, "GET,HEAD,PATCH,DELETE")),
    }
}
