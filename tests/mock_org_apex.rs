//! Apex REST on the mock org over real HTTP: routing, namespaces, errors, limits header.

use serde_json::{Value, json};
use sfterm::mock_org::{MockOrg, MockOrgConfig};

#[tokio::test]
async fn apex_rest_routing_and_errors() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig {
        records: 5,
        ..Default::default()
    })
    .await
    .expect("start");
    let client = reqwest::Client::new();
    let token: Value = client
        .post(
            org.instance_url()
                .join("services/oauth2/token")
                .expect("url"),
        )
        .basic_auth(org.client_id(), Some(org.client_secret()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let token = token["access_token"].as_str().expect("token").to_owned();
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
