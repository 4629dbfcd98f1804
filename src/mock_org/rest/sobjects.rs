//! sObject-level resources: describe global (`/sobjects`), `/sobjects/{T}` (basic info, create)
//! and `/sobjects/{T}/describe`.

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::super::schema::{ObjectSchema, render};
use super::super::state::{Shared, json_response, raw_json};
use super::conditional::check_modified;
use super::records::create;
use super::validate::parse_body;
use super::{ApiError, Request, method_not_allowed};

/// When the schema last changed (seed base time): describes answer 304 after it.
const SCHEMA_MODIFIED_SECS: i64 = 1_767_225_600;

pub(super) fn describe_global(
    shared: &Shared,
    request: &Request<'_>,
) -> Result<Response, ApiError> {
    if let Some(response) = check_modified(request, SCHEMA_MODIFIED_SECS)? {
        return Ok(response);
    }
    Ok(raw_json(
        StatusCode::OK,
        super::super::setup_org::describe_global(shared, &request.version),
    ))
}

pub(crate) fn object<'a>(shared: &'a Shared, name: &str) -> Result<&'a ObjectSchema, ApiError> {
    shared.schema.object(name).ok_or_else(ApiError::not_found)
}

pub(super) fn describe(
    shared: &Shared,
    request: &Request<'_>,
    name: &str,
) -> Result<Response, ApiError> {
    let object = object(shared, name)?;
    if let Some(response) = check_modified(request, SCHEMA_MODIFIED_SECS)? {
        return Ok(response);
    }
    let text = render(&object.describe, &request.version, &shared.origin());
    Ok(raw_json(
        StatusCode::OK,
        super::super::setup_org::describe(shared, &object.name, text),
    ))
}

/// `GET /sobjects/{T}` (basic info) and `POST /sobjects/{T}` (create).
pub(super) fn sobject_root(
    shared: &Shared,
    request: &Request<'_>,
    name: &str,
) -> Result<Response, ApiError> {
    let object = object(shared, name)?;
    match *request.method {
        Method::GET | Method::HEAD => {
            // The user's view of describe global (flags from their permissions).
            let global: Value = serde_json::from_str(&super::super::setup_org::describe_global(
                shared,
                &request.version,
            ))
            .unwrap_or(Value::Null);
            let entry = global
                .get("sobjects")
                .and_then(Value::as_array)
                .and_then(|a| {
                    a.iter()
                        .find(|o| o.get("name").and_then(Value::as_str) == Some(&object.name))
                })
                .cloned()
                .unwrap_or(Value::Null);
            Ok(json_response(
                StatusCode::OK,
                &json!({"objectDescribe": entry, "recentItems": []}),
            ))
        }
        Method::POST => {
            let body = parse_body(request.body)?;
            let id = create(shared, object, &body)?;
            let mut response = json_response(
                StatusCode::CREATED,
                &json!({"id": id, "success": true, "errors": []}),
            );
            if let Ok(v) = HeaderValue::from_str(&format!(
                "/services/data/v{}/sobjects/{}/{id}",
                request.version, object.name
            )) {
                response.headers_mut().insert(header::LOCATION, v);
            }
            Ok(response)
        }
        _ => Err(method_not_allowed(request.method, "GET,HEAD,POST")),
    }
}
