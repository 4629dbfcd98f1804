//! Apex REST on the mock org over real HTTP: routing, namespaces, errors, limits header.

use crate::common;

use serde_json::{Value, json};

#[tokio::test]
async fn apex_rest_routing_and_errors() {
    let common::org::OrgFixture { org, client, token } = common::org::start_with_token(5).await;
    let call = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut request = client
            .request(method, org.instance_url().join(path).expect("url"))
            .bearer_auth(&token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            let limit = response.headers().contains_key("sforce-limit-info");
            let text = response.text().await.expect("text");
            (
                status,
                serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
                limit,
            )
        }
    };

    let (status, body, limit) =
        call(reqwest::Method::GET, "services/apexrest/orders/42", None).await;
    assert_eq!((status, limit), (200, true));
    assert_eq!(body["orderId"], "42");
    let (status, body, _) = call(reqwest::Method::GET, "services/apexrest/orders/0", None).await;
    assert_eq!((status, &body["error"]), (404, &json!("order not found")));

    let (status, body, _) = call(
        reqwest::Method::POST,
        "services/apexrest/orders",
        Some(json!({"order": {"accountId": "001Dn00000AbCdEIAV", "lines": [{"sku": "A-1", "qty": 2}]}})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["lineCount"], 1);
    let (status, body, _) = call(
        reqwest::Method::POST,
        "services/apexrest/orders",
        Some(json!({"order": {}})),
    )
    .await;
    assert_eq!(status, 500);
    assert_eq!(
        body,
        json!([{"message": "System.NullPointerException: Attempt to de-reference a null object\n\nClass.OrderResource.doPost: line 12, column 1",
                "errorCode": "APEX_ERROR"}])
    );
    let (status, body, _) = call(
        reqwest::Method::POST,
        "services/apexrest/orders",
        Some(json!({"wrong": 1})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "JSON_PARSER_ERROR");
    let (status, _, _) = call(reqwest::Method::DELETE, "services/apexrest/orders/1", None).await;
    assert_eq!(status, 405);

    let (status, body, _) = call(reqwest::Method::GET, "services/apexrest/Orders/1", None).await;
    assert_eq!(status, 404, "mappings are case-sensitive");
    assert_eq!(
        body,
        json!([{"message": "Could not find a match for URL /Orders/1", "errorCode": "NOT_FOUND"}])
    );
    let (status, body, _) = call(
        reqwest::Method::GET,
        "services/apexrest/sfterm/health",
        None,
    )
    .await;
    assert_eq!((status, body), (200, json!("ok")));
    let (status, _, _) = call(reqwest::Method::GET, "services/apexrest/health", None).await;
    assert_eq!(status, 404, "a namespaced class needs its prefix");

    let (status, body, _) = call(
        reqwest::Method::PUT,
        "services/apexrest/echo/a%20b?x=1&y=two+words",
        Some(json!({"k": [1, 2]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["method"], "PUT");
    assert_eq!(body["params"], json!({"x": "1", "y": "two words"}));
    assert_eq!(body["body"], json!({"k": [1, 2]}));

    org.expire_all_tokens();
    let (status, body, _) = call(reqwest::Method::GET, "services/apexrest/orders/42", None).await;
    assert_eq!(status, 401);
    assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
}

fn envelope(session: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ord="http://soap.sforce.com/schemas/class/OrderService">
  <soapenv:Header><ord:SessionHeader><ord:sessionId>{session}</ord:sessionId></ord:SessionHeader></soapenv:Header>
  <soapenv:Body>{body}</soapenv:Body>
</soapenv:Envelope>"#
    )
}

#[tokio::test]
async fn apex_soap_calls_faults_and_wsdl() {
    let common::org::OrgFixture { org, client, token } = common::org::start_with_token(5).await;
    let soap = |xml: String| {
        let request = client
            .post(
                org.instance_url()
                    .join("services/Soap/class/OrderService")
                    .expect("url"),
            )
            .header("Content-Type", "text/xml; charset=UTF-8")
            .header("SOAPAction", "\"\"")
            .body(xml);
        async move {
            let response = request.send().await.expect("soap");
            (
                response.status().as_u16(),
                response.text().await.expect("text"),
            )
        }
    };

    let (status, text) = soap(envelope(
        &token,
        "<ord:submit><ord:name>Rush order</ord:name><ord:a><ord:Id>001Dn00000AbCdEIAV</ord:Id></ord:a></ord:submit>",
    ))
    .await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("<submitResponse><result>801"), "{text}");

    let (status, text) = soap(envelope(
        &token,
        "<ord:submit><ord:name></ord:name></ord:submit>",
    ))
    .await;
    assert_eq!(status, 500);
    assert!(
        text.contains("<faultcode>soapenv:Client</faultcode>"),
        "{text}"
    );
    assert!(text.contains("System.NullPointerException"), "{text}");

    let (status, text) = soap(envelope(&token, "<ord:nothing/>")).await;
    assert_eq!(status, 500);
    assert!(
        text.contains("No operation available for request"),
        "{text}"
    );

    let (status, text) = soap(envelope(
        "bogus",
        "<ord:status><ord:orderId>x</ord:orderId></ord:status>",
    ))
    .await;
    assert_eq!(status, 500);
    assert!(
        text.contains("<faultcode>sf:INVALID_SESSION_ID</faultcode>"),
        "{text}"
    );
    assert!(
        text.contains("<sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode>"),
        "{text}"
    );

    let wsdl = client
        .get(
            org.instance_url()
                .join("services/wsdl/class/OrderService")
                .expect("url"),
        )
        .bearer_auth(&token)
        .send()
        .await
        .expect("wsdl");
    assert_eq!(wsdl.status(), 200);
    let text = wsdl.text().await.expect("text");
    assert!(text.contains("targetNamespace=\"http://soap.sforce.com/schemas/class/OrderService\""));
    assert!(text.contains(&format!(
        "{}services/Soap/class/OrderService",
        org.instance_url()
    )));
}
