//! The `apex.*` items: probes of the CustomerRESTWS and CustomerWS services and the Apex class
//! access granted to the user.

use bytes::Bytes;
use reqwest::Method;
use secrecy::ExposeSecret;

use super::user::PermSet;
use super::{PERMSET_PATH, VIEW_SETUP, fail, hidden, not_readable, pass, text, warn};
use crate::check::CheckItem;
use crate::sf::{ApiError, SfClient, Token};

/// A record id that is well formed but cannot exist (the probes' argument).
const IMPOSSIBLE_ID: &str = "001000000000000AAA";

/// `GET /services/apexrest/CustomerRESTWS/<impossible id>`.
pub(super) async fn rest_probe(client: &SfClient) -> CheckItem {
    let id = "apex.customer_rest_ws";
    let path = format!("/services/apexrest/CustomerRESTWS/{IMPOSSIBLE_ID}");
    let resp = match client.send_raw(Method::GET, &path, Vec::new(), None).await {
        Ok(resp) => resp,
        Err(e) => {
            return fail(
                id,
                format!("GET {path} failed: {e}"),
                "Check the connection and run the check again.",
            );
        }
    };
    rest_verdict(
        &path,
        resp.status.as_u16(),
        &String::from_utf8_lossy(&resp.body),
    )
}

/// What the `CustomerRESTWS` probe's answer means.
fn rest_verdict(path: &str, status: u16, body: &str) -> CheckItem {
    let id = "apex.customer_rest_ws";
    let access_fix = format!(
        "{PERMSET_PATH} > Apex Class Access > Edit: add CustomerRESTWS to Enabled Apex Classes."
    );
    let snippet: String = body.chars().take(160).collect();
    let said = format!("GET {path} → HTTP {status} {snippet}");
    if status == 403 || body.contains("FORBIDDEN") || body.contains("INSUFFICIENT_ACCESS") {
        fail(id, format!("No access to the class: {said}"), &access_fix)
    } else if status == 404 && body.contains("Could not find a match for URL") {
        fail(
            id,
            format!("No class maps this URL: {said}"),
            "Deploy CustomerRESTWS with @RestResource(urlMapping='/CustomerRESTWS/*') (Setup > \
             Custom Code > Apex Classes).",
        )
    } else if status == 401 {
        fail(
            id,
            format!("Session refused: {said}"),
            "Check the app's scopes (api) and the login.",
        )
    } else if (200..300).contains(&status)
        || status == 404
        || (status == 500 && body.contains("APEX_ERROR"))
    {
        pass(
            id,
            format!(
                "The class ran for an id that cannot exist (authorised, record not found): {said}"
            ),
        )
    } else {
        warn(
            id,
            format!("Unexpected answer: {said}"),
            "Call the service yourself (sfterm apex rest get CustomerRESTWS/...) and look at the answer.",
        )
    }
}

/// `getCustomer` with an impossible id on `/services/Soap/class/CustomerWS`.
pub(super) async fn soap_probe(client: &SfClient, token: &Token) -> CheckItem {
    let id = "apex.customer_ws";
    let ns = "http://soap.sforce.com/schemas/class/CustomerWS";
    let envelope = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope \
         xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:c=\"{ns}\">\
         <soapenv:Header><c:SessionHeader><c:sessionId>{}</c:sessionId></c:SessionHeader>\
         </soapenv:Header><soapenv:Body><c:getCustomer><c:accountId>{IMPOSSIBLE_ID}</c:accountId>\
         </c:getCustomer></soapenv:Body></soapenv:Envelope>",
        token.access_token.expose_secret()
    );
    let headers = vec![
        (
            "Content-Type".to_owned(),
            "text/xml; charset=UTF-8".to_owned(),
        ),
        ("SOAPAction".to_owned(), "\"\"".to_owned()),
    ];
    let path = "/services/Soap/class/CustomerWS";
    let resp = match client
        .send_raw(Method::POST, path, headers, Some(Bytes::from(envelope)))
        .await
    {
        Ok(resp) => resp,
        Err(e) => {
            return fail(
                id,
                format!("POST {path} failed: {e}"),
                "Check the connection and run the check again.",
            );
        }
    };
    soap_verdict(resp.status.as_u16(), &String::from_utf8_lossy(&resp.body))
}

/// What the `CustomerWS` probe's answer means.
fn soap_verdict(status: u16, body: &str) -> CheckItem {
    let id = "apex.customer_ws";
    let access_fix = format!(
        "{PERMSET_PATH} > Apex Class Access > Edit: add CustomerWS to Enabled Apex Classes."
    );
    let fault = element(body, "faultstring");
    let said = match &fault {
        Some(f) => format!(
            "getCustomer → HTTP {status} fault: {}",
            f.lines().next().unwrap_or_default()
        ),
        None => format!("getCustomer → HTTP {status}"),
    };
    let fault_text = fault.unwrap_or_default();
    let code = element(body, "faultcode").unwrap_or_default();
    if code.contains("INSUFFICIENT_ACCESS") || fault_text.contains("do not have access") {
        fail(id, format!("No access to the class: {said}"), &access_fix)
    } else if code.contains("INVALID_SESSION_ID") {
        fail(
            id,
            format!("Session refused: {said}"),
            "Check the app's scopes (api) and the login.",
        )
    } else if status == 404 || fault_text.contains("No service available for class") {
        fail(
            id,
            format!("The class is not exposed: {said}"),
            "Deploy CustomerWS with its webservice methods (Setup > Custom Code > Apex Classes).",
        )
    } else if fault_text.contains("No operation available") {
        warn(
            id,
            format!("The class answered but has no getCustomer operation: {said}"),
            "Check the class's webservice methods (Setup > Custom Code > Apex Classes > \
             CustomerWS > Generate WSDL); access was not proven.",
        )
    } else if status == 200
        || fault_text.contains("QueryException")
        || fault_text.contains("no rows")
        || fault_text.contains("Invalid id")
    {
        pass(
            id,
            format!(
                "The class ran for an id that cannot exist (authorised, record not found): {said}"
            ),
        )
    } else {
        warn(
            id,
            format!("Unexpected answer: {said}"),
            "Call the service yourself (sfterm apex soap CustomerWS getCustomer ...) and look at the answer.",
        )
    }
}

/// Text of the first element whose local name is `name` (a tolerant look-up for faults).
fn element(xml: &str, name: &str) -> Option<String> {
    let start = xml.match_indices('<').find_map(|(at, _)| {
        let rest = &xml[at + 1..];
        let end = rest.find(['>', ' ', '/'])?;
        let tag = &rest[..end];
        if tag.rsplit(':').next() == Some(name) {
            Some(at + 1 + rest.find('>')? + 1)
        } else {
            None
        }
    })?;
    let end = xml[start..].find("</")? + start;
    Some(
        xml[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&"),
    )
}

pub(super) async fn class_access_item(
    client: &SfClient,
    sets: &Result<Vec<PermSet>, ApiError>,
) -> CheckItem {
    let id = "apex.class_access";
    let sets = match sets {
        Ok(sets) => sets,
        Err(e) => return not_readable(id, "PermissionSet", e),
    };
    let classes = match client
        .query("SELECT Id, Name FROM ApexClass WHERE Name IN ('CustomerWS', 'CustomerRESTWS')")
        .await
    {
        Ok(page) => page.records,
        Err(e) => return not_readable(id, "ApexClass", &e),
    };
    if sets.is_empty() {
        return hidden(id, "No permission set assignments were visible", VIEW_SETUP);
    }
    let parent_ids: Vec<String> = sets.iter().map(|s| format!("'{}'", s.id)).collect();
    let access = match client
        .query(&format!(
            "SELECT ParentId, SetupEntityId FROM SetupEntityAccess WHERE ParentId IN ({}) AND \
             SetupEntityType = 'ApexClass'",
            parent_ids.join(", ")
        ))
        .await
    {
        Ok(page) => page.records,
        Err(e) => return not_readable(id, "SetupEntityAccess", &e),
    };
    let mut granted = Vec::new();
    let mut missing = Vec::new();
    for name in ["CustomerWS", "CustomerRESTWS"] {
        let Some(class) = classes.iter().find(|c| text(c, "Name") == name) else {
            missing.push(format!("{name} (no such class in the org)"));
            continue;
        };
        let class_id = text(class, "Id");
        let from: Vec<String> = access
            .iter()
            .filter(|a| text(a, "SetupEntityId") == class_id)
            .filter_map(|a| sets.iter().find(|s| s.id == text(a, "ParentId")))
            .map(PermSet::origin)
            .collect();
        if from.is_empty() {
            missing.push(name.to_owned());
        } else {
            granted.push(format!("{name} via {}", from.join(", ")));
        }
    }
    if missing.is_empty() {
        pass(id, granted.join("; "))
    } else {
        fail(
            id,
            format!(
                "No class access for {}{}",
                missing.join(", "),
                if granted.is_empty() {
                    String::new()
                } else {
                    format!("; granted: {}", granted.join("; "))
                }
            ),
            &format!(
                "{PERMSET_PATH} > Apex Class Access > Edit: add CustomerWS and CustomerRESTWS."
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;

    #[test]
    fn fault_elements_are_found_by_local_name() {
        let xml = "<soapenv:Fault><faultcode>sf:INSUFFICIENT_ACCESS</faultcode><faultstring>a &amp; b</faultstring></soapenv:Fault>";
        assert_eq!(
            element(xml, "faultcode").as_deref(),
            Some("sf:INSUFFICIENT_ACCESS")
        );
        assert_eq!(element(xml, "faultstring").as_deref(), Some("a & b"));
        assert_eq!(element(xml, "detail"), None);
    }

    #[test]
    fn probe_answers_of_real_classes_are_read_right() {
        let p = "/services/apexrest/CustomerRESTWS/x";
        let forbidden = r#"[{"errorCode":"FORBIDDEN","message":"You do not have access to the Apex class named: CustomerRESTWS"}]"#;
        assert_eq!(rest_verdict(p, 403, forbidden).status, Status::Fail);
        let unmapped = r#"[{"errorCode":"NOT_FOUND","message":"Could not find a match for URL /CustomerRESTWS/x"}]"#;
        assert_eq!(rest_verdict(p, 404, unmapped).status, Status::Fail);
        assert_eq!(
            rest_verdict(p, 404, r#"{"error":"not found"}"#).status,
            Status::Pass
        );
        assert_eq!(rest_verdict(p, 200, "null").status, Status::Pass);
        let apex =
            r#"[{"errorCode":"APEX_ERROR","message":"System.QueryException: List has no rows"}]"#;
        assert_eq!(rest_verdict(p, 500, apex).status, Status::Pass);
        assert_eq!(
            rest_verdict(p, 503, "<html>busy</html>").status,
            Status::Warn
        );

        let fault = |code: &str, text: &str| {
            format!(
                "<soapenv:Envelope><soapenv:Body><soapenv:Fault><faultcode>{code}</faultcode><faultstring>{text}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
            )
        };
        let no_access = fault("sf:INSUFFICIENT_ACCESS", "INSUFFICIENT_ACCESS: no");
        assert_eq!(soap_verdict(500, &no_access).status, Status::Fail);
        let no_rows = fault("soapenv:Client", "System.QueryException: List has no rows");
        assert_eq!(soap_verdict(500, &no_rows).status, Status::Pass);
        let no_op = fault(
            "soapenv:Client",
            "No operation available for request {x}getCustomer",
        );
        assert_eq!(soap_verdict(500, &no_op).status, Status::Warn);
        assert_eq!(soap_verdict(200, "<Envelope/>").status, Status::Pass);
        let session = fault(
            "sf:INVALID_SESSION_ID",
            "INVALID_SESSION_ID: Invalid Session ID",
        );
        assert_eq!(soap_verdict(500, &session).status, Status::Fail);
    }
}
