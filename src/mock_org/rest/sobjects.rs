//! sObject-level resources: describe global (`/sobjects`), `/sobjects/{T}` (basic info, create)
//! and `/sobjects/{T}/describe`.

use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::json;

use super::super::schema::{
    Access, ObjectSchema, render_basic_info, render_describe, render_describe_global,
};
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
        render_describe_global(
            &shared.schema,
            |name| shared.setup.flags(name),
            &request.version,
            &shared.origin(),
        ),
    ))
}

/// What the run-as user may do with a visible object (the schema hides the others).
fn access(shared: &Shared, object: &ObjectSchema) -> Access {
    shared.setup.flags(&object.name).unwrap_or_default()
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
    Ok(raw_json(
        StatusCode::OK,
        render_describe(
            object,
            access(shared, object),
            &request.version,
            &shared.origin(),
        ),
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
        Method::GET | Method::HEAD => Ok(raw_json(
            StatusCode::OK,
            render_basic_info(
                object,
                access(shared, object),
                &request.version,
                &shared.origin(),
            ),
        )),
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
