//! `GET /query?q=...&columns=true`: the column metadata of a SOQL query, without running it.
//!
//! Undocumented but used by real clients: the Salesforce CLI (`sf data query`) asks for it after
//! the records to name its table and CSV columns, and fails with `Value is not a JsonArray` when
//! `columnMetadata` is missing. The shape is the one Salesforce answers with:
//! `{"columnMetadata": [...], "entityName": "Account", "groupBy": false, "idSelected": true,
//! "keyPrefix": "001"}`, one column per SELECT item, a parent path (`Account.Name`) as the
//! relationship's column with the next part in `joinColumns`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::schema::{FieldMeta, Schema};
use super::soql::SelectItem;
use super::state::json_response;

/// The column metadata of `soql`, or `None` when it does not parse or a name does not resolve:
/// the caller then runs the query, so the client gets the same error (`MALFORMED_QUERY`,
/// `INVALID_FIELD`, `INVALID_TYPE`) as for the records.
pub(crate) fn metadata(schema: &Schema, soql: &str) -> Option<Response> {
    let query = super::soql::parse(soql).ok()?;
    let mut body = describe(schema, &query.select, &query.from.text)?;
    body["groupBy"] = json!(!query.group_by.is_empty());
    Some(json_response(StatusCode::OK, &body))
}

/// The response body, or `None` when a name does not resolve.
fn describe(schema: &Schema, select: &[SelectItem], from: &str) -> Option<Value> {
    let object = schema.object(from)?;
    let mut columns = Vec::with_capacity(select.len());
    let mut id_selected = false;
    let mut expr = 0;
    for item in select {
        match item {
            SelectItem::Count { .. } => {
                columns.push(aggregate_column(&format!("expr{expr}"), "COUNT()"));
                expr += 1;
            }
            SelectItem::Aggregate {
                function,
                field,
                alias,
                ..
            } => {
                let name = match alias {
                    Some(alias) => alias.clone(),
                    None => {
                        expr += 1;
                        format!("expr{}", expr - 1)
                    }
                };
                let display = format!("{}({})", function.name(), field.dotted());
                columns.push(aggregate_column(&name, &display));
            }
            // A subquery's columns are not described here.
            SelectItem::SubQuery { .. } => {}
            SelectItem::Field(path) => {
                let (last, parents) = path.parts.split_last()?;
                let mut current = object;
                let mut chain = Vec::with_capacity(parents.len());
                for rel in parents {
                    let reference = current.relationship(rel)?;
                    chain.push(reference.relationship_name.clone().unwrap_or_default());
                    current = schema.object(reference.reference_to.first()?)?;
                }
                let field = current.field(last)?;
                if parents.is_empty() && field.name == "Id" {
                    id_selected = true;
                }
                columns.push(nest(&chain, field_column(field, &path.dotted())));
            }
        }
    }
    Some(json!({
        "columnMetadata": columns,
        "entityName": object.name,
        "groupBy": false,
        "idSelected": id_selected,
        "keyPrefix": object.key_prefix,
    }))
}

/// Wraps `leaf` in one relationship column per name of `chain` (outermost first).
fn nest(chain: &[String], leaf: Value) -> Value {
    chain
        .iter()
        .rev()
        .enumerate()
        .fold(leaf, |inner, (depth, rel)| {
            let display = chain[..chain.len() - depth].join(".");
            json!({
                "aggregate": false,
                "apexType": null,
                "booleanType": false,
                "columnName": rel,
                "custom": rel.ends_with("__r"),
                "displayName": display,
                "foreignKeyName": null,
                "insertable": false,
                "joinColumns": [inner],
                "numberType": false,
                "textType": false,
                "updatable": false,
            })
        })
}

/// One field's column; `display` is the path as Salesforce shows it (`Account.Name`).
fn field_column(field: &FieldMeta, display: &str) -> Value {
    let apex_type = match field.ftype.as_str() {
        "id" | "reference" => "Id",
        "boolean" => "Boolean",
        "int" => "Integer",
        "long" => "Long",
        "double" | "percent" => "Double",
        "currency" => "Decimal",
        "date" => "Date",
        "datetime" => "Datetime",
        "time" => "Time",
        "address" => "Address",
        "location" => "Location",
        "base64" => "Blob",
        "anyType" => "Object",
        _ => "String",
    };
    json!({
        "aggregate": false,
        "apexType": apex_type,
        "booleanType": apex_type == "Boolean",
        "columnName": field.name,
        "custom": field.name.ends_with("__c"),
        "displayName": display,
        "foreignKeyName": null,
        "insertable": field.createable,
        "joinColumns": [],
        "numberType": matches!(apex_type, "Integer" | "Long" | "Double" | "Decimal"),
        "textType": apex_type == "String",
        "updatable": field.updateable,
    })
}

/// An aggregate column (`COUNT()`, `SUM(AnnualRevenue)`).
fn aggregate_column(name: &str, display: &str) -> Value {
    json!({
        "aggregate": true,
        "apexType": "Integer",
        "booleanType": false,
        "columnName": name,
        "custom": false,
        "displayName": display,
        "foreignKeyName": null,
        "insertable": false,
        "joinColumns": [],
        "numberType": true,
        "textType": false,
        "updatable": false,
    })
}
