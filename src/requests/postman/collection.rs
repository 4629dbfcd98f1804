//! A Postman collection imported: its variables, folders and requests, with a report of what was
//! not mapped.

use serde_json::Value;

use super::item::import_request;
use super::url_path::RENAMES;
use super::{ImportReport, PostmanError, ReportItem, Unmapped, disabled, str_of};
use crate::requests::request::{SavedRequest, Variables};

/// A Postman collection, imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionImport {
    /// The collection's name (`info.name`).
    pub name: String,
    /// Every request, in collection order, with its folder path.
    pub requests: Vec<SavedRequest>,
    /// The collection's own variables that the requests still use (to define for the profile).
    pub variables: Variables,
    /// What was not mapped.
    pub report: ImportReport,
}

fn walk(items: &[Value], folder: &mut Vec<String>, vars: &Variables, out: &mut CollectionImport) {
    for item in items {
        let name = item
            .get("name")
            .and_then(str_of)
            .unwrap_or("Unnamed")
            .to_string();
        if let Some(Value::Array(children)) = item.get("item") {
            let mut notes = Vec::new();
            if let Some(auth) = item.get("auth") {
                let kind = auth.get("type").and_then(str_of).unwrap_or("unknown");
                notes.push(Unmapped::Auth(kind.to_string()));
            }
            if let Some(Value::Array(events)) = item.get("event") {
                for e in events {
                    let listen = e.get("listen").and_then(str_of).unwrap_or("event");
                    notes.push(Unmapped::Script(listen.to_string()));
                }
            }
            folder.push(name);
            if !notes.is_empty() {
                out.report.items.push(ReportItem {
                    item: folder.join("/"),
                    unmapped: notes,
                });
            }
            walk(children, folder, vars, out);
            folder.pop();
            continue;
        }
        let mut notes = Vec::new();
        let mut request = import_request(item, folder, vars, &mut notes);
        // Two requests with the same name in a folder would share a file.
        let base = request.name.clone();
        let mut n = 2;
        while out.requests.iter().any(|r| {
            r.folder == request.folder
                && crate::requests::store::slug(&r.name)
                    == crate::requests::store::slug(&request.name)
        }) {
            request.name = format!("{base} ({n})");
            n += 1;
        }
        if request.name != base {
            notes.push(Unmapped::Note(format!(
                "renamed from \"{base}\": another request in the folder has that name"
            )));
        }
        if item.get("disabled").and_then(Value::as_bool) == Some(true) {
            notes.push(Unmapped::Note("the item was disabled in Postman".into()));
        }
        if !notes.is_empty() {
            let mut path = request.folder.clone();
            path.push(request.name.clone());
            out.report.items.push(ReportItem {
                item: path.join("/"),
                unmapped: notes,
            });
        }
        out.requests.push(request);
    }
}

/// Imports a collection (v2.0 / v2.1 JSON). Requests keep their folder path, prefixed by
/// `base_folder` (e.g. the collection's name, or nothing).
pub fn import_collection(
    json: &str,
    base_folder: &[String],
) -> Result<CollectionImport, PostmanError> {
    let doc: Value =
        serde_json::from_str(json).map_err(|e| PostmanError::NotJson(e.to_string()))?;
    let Some(Value::Array(items)) = doc.get("item") else {
        return Err(PostmanError::WrongShape("collection (no \"item\" list)"));
    };
    let name = doc
        .get("info")
        .and_then(|i| i.get("name"))
        .and_then(str_of)
        .unwrap_or("Postman collection")
        .to_string();
    let mut top_notes = Vec::new();
    if let Some(schema) = doc
        .get("info")
        .and_then(|i| i.get("schema"))
        .and_then(str_of)
        && !schema.contains("v2.1")
        && !schema.contains("v2.0")
    {
        top_notes.push(Unmapped::Note(format!(
            "schema {schema} is not v2.1; imported as if it were"
        )));
    }
    let mut vars = Variables::new();
    if let Some(Value::Array(vs)) = doc.get("variable") {
        for v in vs {
            let Some(key) = v.get("key").and_then(str_of) else {
                continue;
            };
            let value = match v.get("value") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            if RENAMES.iter().any(|(from, _)| *from == key) {
                top_notes.push(Unmapped::Note(format!(
                    "collection variable {{{{{key}}}}} = {value:?} replaced by the profile's value"
                )));
            } else if disabled(v) {
                top_notes.push(Unmapped::Note(format!(
                    "disabled collection variable {{{{{key}}}}} not imported"
                )));
            } else {
                vars.set(key, value);
            }
        }
    }
    if let Some(auth) = doc.get("auth") {
        let kind = auth.get("type").and_then(str_of).unwrap_or("unknown");
        top_notes.push(Unmapped::Auth(kind.to_string()));
    }
    if let Some(Value::Array(events)) = doc.get("event") {
        for e in events {
            let listen = e.get("listen").and_then(str_of).unwrap_or("event");
            top_notes.push(Unmapped::Script(listen.to_string()));
        }
    }
    let mut out = CollectionImport {
        name: name.clone(),
        requests: Vec::new(),
        variables: Variables::new(),
        report: ImportReport::default(),
    };
    if !top_notes.is_empty() {
        out.report.items.push(ReportItem {
            item: name,
            unmapped: top_notes,
        });
    }
    let mut folder = base_folder.to_vec();
    walk(items, &mut folder, &vars, &mut out);
    // Offer only the collection variables the requests use.
    let used: Vec<String> = out
        .requests
        .iter()
        .flat_map(SavedRequest::variables_used)
        .collect();
    for (k, v) in vars.iter() {
        if used.iter().any(|u| u == k) {
            out.variables.set(k, v);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::request::{RequestKind, SFDC_SESSION_HEADER};
    use serde_json::json;

    fn collection(items: Value) -> String {
        json!({
            "info": {"name": "T", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "variable": [{"key": "account_id", "value": "001A"}, {"key": "unused", "value": "x"}],
            "item": items
        })
        .to_string()
    }

    #[test]
    fn maps_salesforce_variables_and_url_objects() {
        let c = collection(json!([{
            "name": "F",
            "item": [{
                "name": "Get",
                "request": {
                    "method": "get",
                    "header": [
                        {"key": "Authorization", "value": "Bearer {{access_token}}"},
                        {"key": "X-Off", "value": "1", "disabled": true}
                    ],
                    "url": {
                        "host": ["{{_endpoint}}"],
                        "path": ["services", "data", "v{{version}}", "sobjects", "Account", "{{account_id}}"],
                        "query": [{"key": "fields", "value": "Name"}, {"key": "x", "value": "{{jobId}}", "disabled": true}]
                    }
                }
            }]
        }]));
        let imp = import_collection(&c, &[]).expect("import");
        let r = &imp.requests[0];
        assert_eq!(r.folder, vec!["F".to_string()]);
        assert_eq!(r.method, "GET");
        assert_eq!(
            r.path,
            "/services/data/v{{api_version}}/sobjects/Account/{{account_id}}"
        );
        assert_eq!(r.params.len(), 2);
        assert!(!r.params[1].enabled);
        assert_eq!(r.headers.len(), 1);
        assert!(!r.headers[0].enabled);
        assert_eq!(imp.variables.get("account_id"), Some("001A"));
        assert_eq!(imp.variables.get("unused"), None);
        let notes = imp.report.for_item("F/Get");
        assert!(matches!(notes[0], Unmapped::DroppedHeader(..)), "{notes:?}");
        // Disabled rows are not sent, so their variables are not reported.
        assert_eq!(notes.len(), 1, "{notes:?}");
    }

    #[test]
    fn bodies_scripts_auth_reported() {
        let c = collection(json!([
            {"name": "Form", "event": [{"listen": "test", "script": {"exec": ["pm.x()"]}}],
             "request": {"method": "POST", "url": "{{url}}{{url}}{{site}}/services/oauth2/token",
               "auth": {"type": "bearer"},
               "body": {"mode": "urlencoded", "urlencoded": [
                 {"key": "grant_type", "value": "password"},
                 {"key": "username", "value": "{{username}}"},
                 {"key": "off", "value": "1", "disabled": true}]}}},
            {"name": "Upload", "request": {"method": "POST", "url": "{{endpoint}}/x",
               "body": {"mode": "formdata", "formdata": [{"key": "f", "type": "file"}]}}},
            {"name": "Soap", "request": {"method": "POST", "url": "{{endpoint}}/services/Soap/m/46.0",
               "header": [{"key": "X-SFDC-Session", "value": "{{access_token}}"}],
               "body": {"mode": "raw", "raw": "<e:Envelope><e:Header><m:SessionHeader><m:sessionId>{{access_token}}</m:sessionId></m:SessionHeader></e:Header></e:Envelope>"}}}
        ]));
        let imp = import_collection(&c, &["Imported".to_string()]).expect("import");
        let form = &imp.requests[0];
        assert_eq!(form.path, "/services/oauth2/token");
        assert_eq!(
            form.body.as_deref(),
            Some("grant_type=password&username={{username}}")
        );
        assert!(
            form.headers
                .iter()
                .any(|h| h.value == "application/x-www-form-urlencoded")
        );
        let notes: Vec<String> = imp
            .report
            .for_item("Imported/Form")
            .iter()
            .map(ToString::to_string)
            .collect();
        let all = notes.join("\n");
        for needle in [
            "auth block (bearer)",
            "test script",
            "{{site}}",
            "origin variables",
            "disabled form field",
            "{{username}} has no value",
        ] {
            assert!(all.contains(needle), "{needle} missing in:\n{all}");
        }
        assert!(matches!(
            imp.report.for_item("Imported/Upload")[0],
            Unmapped::Body(_)
        ));
        let soap = &imp.requests[2];
        assert_eq!(soap.kind, RequestKind::Soap);
        assert!(
            soap.body
                .as_deref()
                .is_some_and(|b| b.contains("<m:sessionId></m:sessionId>"))
        );
        assert_eq!(soap.headers[0].name, SFDC_SESSION_HEADER);
        assert_eq!(soap.headers[0].value, "");
    }

    #[test]
    fn duplicate_names_get_a_suffix() {
        let item = json!({"name": "Same", "request": "{{endpoint}}/a"});
        let imp = import_collection(&collection(json!([item.clone(), item])), &[]).expect("import");
        assert_eq!(imp.requests[1].name, "Same (2)");
        assert!(!imp.report.for_item("Same (2)").is_empty());
    }

    #[test]
    fn not_a_collection() {
        assert!(matches!(
            import_collection("nope", &[]),
            Err(PostmanError::NotJson(_))
        ));
        assert!(matches!(
            import_collection("{}", &[]),
            Err(PostmanError::WrongShape(_))
        ));
    }
}
