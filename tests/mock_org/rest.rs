//! The mock org's REST API over real HTTP: versions, describes, record CRUD and validation
//! errors, conditional requests, limits and `Sforce-Limit-Info`, composite, tolerance.

use serde_json::{Value, json};
use sfterm::mock_org::{MockOrg, MockOrgConfig};

/// A started org, a token and an HTTP client.
struct Env {
    org: MockOrg,
    token: String,
    client: reqwest::Client,
}

impl Env {
    async fn new(config: MockOrgConfig) -> Env {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let org = MockOrg::start(config).await.expect("mock org starts");
        let client = reqwest::Client::new();
        let body: Value = client
            .post(
                org.instance_url()
                    .join("services/oauth2/token")
                    .expect("url"),
            )
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", org.client_id()),
                ("client_secret", org.client_secret()),
            ])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        let token = body["access_token"]
            .as_str()
            .expect("access token")
            .to_owned();
        Env { org, token, client }
    }

    async fn small() -> Env {
        Env::new(MockOrgConfig {
            records: 30,
            ..Default::default()
        })
        .await
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.org.instance_url(),
            path.trim_start_matches('/')
        )
    }

    fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        send(self.req(reqwest::Method::GET, path)).await
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        send(self.req(reqwest::Method::POST, path).json(body)).await
    }

    async fn patch(&self, path: &str, body: &Value) -> (u16, Value) {
        send(self.req(reqwest::Method::PATCH, path).json(body)).await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        send(self.req(reqwest::Method::DELETE, path)).await
    }

    async fn first_id(&self, object: &str) -> String {
        let (status, body) = self
            .get(&format!(
                "services/data/v62.0/query?q=SELECT+Id+FROM+{object}+LIMIT+1"
            ))
            .await;
        assert_eq!(status, 200, "{body}");
        body["records"][0]["Id"].as_str().expect("an id").to_owned()
    }
}

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("json body")
    };
    (status, body)
}

fn error(code: &str, message: &str) -> Value {
    json!([{"message": message, "errorCode": code}])
}

#[tokio::test]
async fn versions_resources_and_describes() {
    let env = Env::small().await;
    let (status, versions) = send(env.client.get(env.url("services/data"))).await;
    assert_eq!(status, 200);
    let list = versions.as_array().expect("array");
    assert_eq!(
        list[0],
        json!({"label": "Summer '14", "url": "/services/data/v31.0", "version": "31.0"})
    );
    assert_eq!(list.last().expect("newest")["version"], "68.0");
    assert_eq!(list.last().expect("newest")["label"], "Winter '27");
    assert!(
        list.iter().any(|v| v
            == &json!({"label": "Summer '26", "url": "/services/data/v67.0", "version": "67.0"}))
    );

    let (status, resources) = env.get("services/data/v60.0/").await;
    assert_eq!(status, 200);
    assert_eq!(resources["query"], "/services/data/v60.0/query");

    let (status, global) = env.get("services/data/v60.0/sobjects").await;
    assert_eq!(status, 200);
    assert_eq!(global["maxBatchSize"], 200);
    let account = global["sobjects"]
        .as_array()
        .expect("list")
        .iter()
        .find(|o| o["name"] == "Account")
        .cloned();
    assert_eq!(
        account.expect("Account listed")["urls"]["describe"],
        "/services/data/v60.0/sobjects/Account/describe"
    );

    for (name, prefix) in [
        ("Account", "001"),
        ("Contact", "003"),
        ("Lead", "00Q"),
        ("User", "005"),
    ] {
        let entry = global["sobjects"]
            .as_array()
            .expect("list")
            .iter()
            .find(|o| o["name"] == name)
            .cloned();
        assert_eq!(entry.expect("listed")["keyPrefix"], prefix, "{name}");
    }
    for (object, prefix) in [("Account", "001"), ("contact", "003"), ("LEAD", "00Q")] {
        let (status, describe) = env
            .get(&format!("services/data/v61.0/sobjects/{object}/describe/"))
            .await;
        assert_eq!(status, 200, "{object}");
        assert_eq!(describe["keyPrefix"], prefix);
        assert_eq!(
            describe["urls"]["sobject"]
                .as_str()
                .map(|s| s.starts_with("/services/data/v61.0/")),
            Some(true)
        );
        assert!(!describe.to_string().contains("__VERSION__"));
    }
    let (_, lead) = env.get("services/data/v61.0/sobjects/Lead/describe").await;
    let status_field = lead["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["name"] == "Status")
        .cloned()
        .expect("Status");
    assert!(
        !status_field["picklistValues"]
            .as_array()
            .expect("values")
            .is_empty()
    );

    let (status, body) = env.get("services/data/v61.0/sobjects/Foo/describe").await;
    assert_eq!(
        (status, body),
        (
            404,
            error("NOT_FOUND", "The requested resource does not exist")
        )
    );
    let (status, _) = env.get("services/data/v30.0/sobjects").await;
    assert_eq!(status, 404);

    let response = env
        .req(
            reqwest::Method::GET,
            "services/data/v61.0/sobjects/Account/describe",
        )
        .header("If-Modified-Since", "Tue, 01 Sep 2026 00:00:00 GMT")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 304);
}

#[tokio::test]
async fn record_crud_and_headers() {
    let env = Env::small().await;
    let (status, created) = env
        .post(
            "services/data/v62.0/sobjects/Contact",
            &json!({"LastName": "Ng", "FirstName": "Ada", "Email": "ada@example.com"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_owned();
    assert_eq!(created, json!({"id": id, "success": true, "errors": []}));
    assert_eq!(id.len(), 18);
    assert_eq!(
        sfterm::sf::id::normalize(&id[..15]).as_deref(),
        Some(id.as_str())
    );
    assert!(id.starts_with("003"));

    let response = env
        .req(
            reqwest::Method::GET,
            &format!("services/data/v62.0/sobjects/Contact/{id}"),
        )
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("last-modified"));
    assert!(
        !response.headers().contains_key("etag"),
        "ETag only on Account"
    );
    assert!(
        response.headers()["sforce-limit-info"]
            .to_str()
            .expect("ascii")
            .starts_with("api-usage=")
    );
    let record: Value = response.json().await.expect("json");
    assert_eq!(
        record["attributes"],
        json!({"type": "Contact", "url": format!("/services/data/v62.0/sobjects/Contact/{id}")})
    );
    assert_eq!(record["Name"], "Ada Ng");
    assert_eq!(record["Phone"], Value::Null, "null fields are present");
    assert!(
        record["CreatedDate"]
            .as_str()
            .expect("date")
            .ends_with("+0000")
    );

    let (status, subset) = env
        .get(&format!(
            "services/data/v62.0/sobjects/Contact/{}?fields=lastname,Email",
            &id[..15]
        ))
        .await;
    assert_eq!(status, 200);
    let keys: Vec<&String> = subset.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["attributes", "LastName", "Email"]);

    let (status, body) = env
        .patch(
            &format!("services/data/v62.0/sobjects/Contact/{id}"),
            &json!({"title": "CTO"}),
        )
        .await;
    assert_eq!((status, body), (204, Value::Null));
    let (_, after) = env
        .get(&format!("services/data/v62.0/sobjects/Contact/{id}"))
        .await;
    assert_eq!(after["Title"], "CTO");
    assert_ne!(after["LastModifiedDate"], record["LastModifiedDate"]);

    let (status, _) = env
        .delete(&format!("services/data/v62.0/sobjects/Contact/{id}"))
        .await;
    assert_eq!(status, 204);
    let deleted =
        json!([{"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": []}]);
    assert_eq!(
        env.delete(&format!("services/data/v62.0/sobjects/Contact/{id}"))
            .await,
        (404, deleted.clone())
    );
    assert_eq!(
        env.get(&format!("services/data/v62.0/sobjects/Contact/{id}"))
            .await,
        (404, deleted)
    );

    let (status, body) = env.get("services/data/v62.0/sobjects/Contact/23foo").await;
    assert_eq!(
        (status, body),
        (
            404,
            error(
                "NOT_FOUND",
                "Provided external ID field does not exist or is not accessible: 23foo"
            )
        )
    );
    let (status, body) = env
        .patch("services/data/v62.0/sobjects/Account", &json!({}))
        .await;
    assert_eq!(
        (status, body),
        (
            405,
            error(
                "METHOD_NOT_ALLOWED",
                "HTTP Method 'PATCH' not allowed. Allowed are GET,HEAD,POST"
            )
        )
    );
}

#[tokio::test]
async fn validation_errors_follow_the_describe() {
    let env = Env::small().await;
    let path = "services/data/v62.0/sobjects/Lead";
    let (status, body) = env.post(path, &json!({"FirstName": "X"})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!([{"message": "Required fields are missing: [LastName, Company]",
                "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["LastName", "Company"]}])
    );
    let (status, body) = env
        .post(path, &json!({"LastName": "x".repeat(81), "Company": "C"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "STRING_TOO_LONG");
    assert_eq!(body[0]["fields"], json!(["LastName"]));
    let (status, body) = env
        .post(
            path,
            &json!({"LastName": "L", "Company": "C", "CleanStatus": "Bogus"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body[0]["errorCode"],
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
    assert_eq!(
        body[0]["message"]
            .as_str()
            .map(|m| m.ends_with("bad value for restricted picklist field: Bogus")),
        Some(true)
    );
    let (status, body) = env
        .post(
            path,
            &json!({"LastName": "L", "Company": "C", "CreatedDate": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
    assert_eq!(body[0]["fields"], json!(["CreatedDate"]));
    let (status, body) = env
        .post(path, &json!({"LastName": "L", "Company": "C", "Foo": 1}))
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            error(
                "INVALID_FIELD",
                "No such column 'Foo' on sobject of type Lead"
            )
        )
    );
    let (status, body) = send(
        env.req(reqwest::Method::POST, path)
            .header("content-type", "application/json")
            .body("{\"LastName\": x}"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "JSON_PARSER_ERROR");
    let (status, body) = send(
        env.req(reqwest::Method::POST, path)
            .header("content-type", "application/json"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        error(
            "JSON_PARSER_ERROR",
            "The HTTP entity body is required, but this request has no entity body."
        )
    );
    let (status, created) = env
        .post(path, &json!({"LastName": "L", "Company": "C"}))
        .await;
    assert_eq!(status, 201);
    let id = created["id"].as_str().expect("id");
    let (_, lead) = env.get(&format!("{path}/{id}")).await;
    assert_eq!(
        lead["Status"], "Open - Not Contacted",
        "picklist default applied"
    );
    let (status, body) = env
        .patch(&format!("{path}/{id}"), &json!({"LastName": null}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "REQUIRED_FIELD_MISSING");
}

#[tokio::test]
async fn conditional_requests() {
    let env = Env::small().await;
    let id = env.first_id("Account").await;
    let path = format!("services/data/v62.0/sobjects/Account/{id}");
    let response = env
        .req(reqwest::Method::GET, &path)
        .send()
        .await
        .expect("get");
    let last_modified = response.headers()["last-modified"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let etag = response.headers()["etag"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(etag.ends_with("--gzip\""));

    let status = |r: reqwest::RequestBuilder| async move {
        r.send().await.expect("request").status().as_u16()
    };
    assert_eq!(
        status(
            env.req(reqwest::Method::GET, &path)
                .header("If-Modified-Since", &last_modified)
        )
        .await,
        304
    );
    assert_eq!(
        status(
            env.req(reqwest::Method::GET, &path)
                .header("If-None-Match", &etag)
        )
        .await,
        304
    );
    assert_eq!(
        status(
            env.req(reqwest::Method::GET, &path)
                .header("If-Modified-Since", "Mon, 01 Jan 2024 00:00:00 GMT")
        )
        .await,
        200
    );
    // An edit made with the right preconditions succeeds...
    assert_eq!(
        status(
            env.req(reqwest::Method::PATCH, &path)
                .header("If-Unmodified-Since", &last_modified)
                .header("If-Match", &etag)
                .json(&json!({"Rating": "Hot"}))
        )
        .await,
        204
    );
    // ...and then the old ETag and an old date fail.
    assert_eq!(
        status(
            env.req(reqwest::Method::PATCH, &path)
                .header("If-Match", &etag)
                .json(&json!({"Rating": "Cold"}))
        )
        .await,
        412
    );
    assert_eq!(
        status(
            env.req(reqwest::Method::PATCH, &path)
                .header("If-Unmodified-Since", "Mon, 01 Jan 2024 00:00:00 GMT")
                .json(&json!({"Rating": "Cold"}))
        )
        .await,
        412
    );
    let (_, record) = env.get(&path).await;
    assert_eq!(record["Rating"], "Hot");
}

#[tokio::test]
async fn limits_and_usage_counting() {
    let env = Env::new(MockOrgConfig {
        records: 10,
        api_daily_limit: 5,
        ..Default::default()
    })
    .await;
    let response = env
        .req(reqwest::Method::GET, "services/data/v62.0/limits/")
        .send()
        .await
        .expect("limits");
    assert_eq!(response.headers()["sforce-limit-info"], "api-usage=1/5");
    let limits: Value = response.json().await.expect("json");
    assert_eq!(limits["DailyApiRequests"]["Max"], 5);
    assert_eq!(limits["DailyApiRequests"]["Remaining"], 4);
    for _ in 0..4 {
        assert_eq!(env.get("services/data/v62.0/").await.0, 200);
    }
    assert_eq!(env.org.api_usage(), 5);
    let (status, body) = env.get("services/data/v62.0/").await;
    assert_eq!(
        (status, body),
        (
            403,
            error("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        )
    );
}

#[tokio::test]
async fn composite_sobjects_all_or_none() {
    let env = Env::small().await;
    let path = "services/data/v62.0/composite/sobjects";
    let (status, results) = env
        .post(
            path,
            &json!({"allOrNone": true, "records": [
            {"attributes": {"type": "Account"}, "Name": "A"},
            {"attributes": {"type": "Contact"}, "FirstName": "No last name"}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(results[0]["success"], false);
    assert_eq!(
        results[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(
        results[1]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    assert_eq!(results[1]["errors"][0]["fields"], json!(["LastName"]));
    let (_, count) = env
        .get("services/data/v62.0/query?q=SELECT+COUNT()+FROM+Account+WHERE+Name+=+'A'")
        .await;
    assert_eq!(count["totalSize"], 0, "rolled back");

    let (status, results) = env
        .post(
            path,
            &json!({"allOrNone": false, "records": [
            {"attributes": {"type": "Account"}, "Name": "A"},
            {"attributes": {"type": "Contact"}, "FirstName": "No last name"}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(results[0]["success"], true);
    assert_eq!(results[1]["success"], false);
    let (_, count) = env
        .get("services/data/v62.0/query?q=SELECT+COUNT()+FROM+Account+WHERE+Name+=+'A'")
        .await;
    assert_eq!(count["totalSize"], 1);
}

#[tokio::test]
async fn tolerance_of_paths_case_spaces_and_chunked_forms() {
    let env = Env::small().await;
    for path in [
        "services/data/",
        "services/data/v31.0/limits/",
        "services/data/v68.0/sobjects/account/",
        "services/data/v45.0/SObjects/Contact/describe",
        "services/data/v62.0/query/?q=SELECT%20Id%20FROM%20account%20LIMIT%201",
        "services/data/v62.0/query?q=select+id,+NAME+from+Account+where+name+!=+null+limit+1",
    ] {
        let (status, body) = env.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    // A chunked form body on the token endpoint.
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        env.org.client_id(),
        env.org.client_secret()
    );
    let stream = futures::stream::iter(
        form.into_bytes()
            .chunks(7)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let response = env
        .client
        .post(env.url("services/oauth2/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn more_endpoints_and_error_shapes() {
    let env = Env::small().await;
    let (status, info) = env.get("services/data/v62.0/sobjects/Account").await;
    assert_eq!(status, 200);
    assert_eq!(info["objectDescribe"]["name"], "Account");
    assert_eq!(info["recentItems"], json!([]));

    let (status, oidc) = send(env.client.get(env.url(".well-known/openid-configuration"))).await;
    assert_eq!(status, 200);
    assert_eq!(
        oidc["introspection_endpoint"],
        env.url("services/oauth2/introspect")
    );

    let id = env.first_id("Account").await;
    let head = env
        .req(
            reqwest::Method::HEAD,
            &format!("services/data/v62.0/sobjects/Account/{id}"),
        )
        .send()
        .await
        .expect("head");
    assert_eq!(head.status(), 200);
    assert!(head.headers().contains_key("etag"));
    assert!(head.bytes().await.expect("body").is_empty());

    let path = "services/data/v62.0/sobjects/Contact";
    let (status, body) = env
        .post(
            path,
            &json!({"LastName": "L", "AccountId": "003Dn0000000001AAA"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "MALFORMED_ID");
    assert_eq!(body[0]["fields"], json!(["AccountId"]));
    let (status, body) = env
        .post(path, &json!({"LastName": "L", "Email": "not-an-email"}))
        .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "INVALID_EMAIL_ADDRESS");
    let (status, body) = env
        .post(
            "services/data/v62.0/sobjects/Account",
            &json!({"Name": "N", "NumberOfEmployees": "lots"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "JSON_PARSER_ERROR");
    let (status, created) = env
        .post(
            path,
            &json!({"LastName": "L", "AccountId": &id[..15], "Birthdate": "1990-04-01"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (_, contact) = env
        .get(&format!("{path}/{}", created["id"].as_str().expect("id")))
        .await;
    assert_eq!(
        contact["AccountId"],
        id.as_str(),
        "15-char ids are stored as 18"
    );
    assert_eq!(contact["Birthdate"], "1990-04-01");
    assert_eq!(contact["IsEmailBounced"], false);

    let (status, body) = env.get("services/data/v62.0/query").await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "MALFORMED_QUERY");
    let (status, body) = env.get("services/data/v62.0/nothing-here").await;
    assert_eq!(
        (status, body),
        (
            404,
            error("NOT_FOUND", "The requested resource does not exist")
        )
    );
    let (status, body) = send(env.client.get(env.url("services/data/v62.0/limits"))).await;
    assert_eq!(
        (status, body),
        (
            401,
            error("INVALID_SESSION_ID", "Session expired or invalid")
        )
    );

    let (status, body) = send(
        env.client
            .post(env.url("services/oauth2/introspect"))
            .form(&[
                ("token", env.token.as_str()),
                ("client_id", env.org.client_id()),
                ("client_secret", "bad"),
            ]),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"error": "invalid_client", "error_description": "invalid client credentials"})
    );
}

#[tokio::test]
async fn composite_with_references_and_rollback() {
    let env = Env::small().await;
    let path = "services/data/v62.0/composite";
    let (status, body) = env
        .post(path, &json!({"allOrNone": false, "compositeRequest": [
            {"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "acc",
             "body": {"Name": "Composite Co"}},
            {"method": "POST", "url": "/services/data/v62.0/sobjects/Contact", "referenceId": "con",
             "body": {"LastName": "Ng", "AccountId": "@{acc.id}"}},
            {"method": "GET", "url": "/services/data/v62.0/sobjects/Contact/@{con.id}?fields=AccountId",
             "referenceId": "get"},
            {"method": "GET", "url": "/services/data/v62.0/sobjects/Foo", "referenceId": "bad"}]}))
        .await;
    assert_eq!(status, 200, "{body}");
    let results = body["compositeResponse"].as_array().expect("array");
    assert_eq!(results[0]["httpStatusCode"], 201);
    assert!(results[0]["httpHeaders"]["Location"].is_string());
    assert_eq!(results[2]["body"]["AccountId"], results[0]["body"]["id"]);
    assert_eq!(
        results[3],
        json!({"body": [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}],
               "httpHeaders": {}, "httpStatusCode": 404, "referenceId": "bad"})
    );

    let (status, body) = env
        .post(
            path,
            &json!({"allOrNone": true, "compositeRequest": [
            {"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "acc",
             "body": {"Name": "Rolled Back Co"}},
            {"method": "POST", "url": "/services/data/v62.0/sobjects/Contact", "referenceId": "con",
             "body": {"FirstName": "No last name"}},
            {"method": "GET", "url": "/services/data/v62.0/limits", "referenceId": "after"}]}),
        )
        .await;
    assert_eq!(status, 200);
    let results = body["compositeResponse"].as_array().expect("array");
    assert_eq!(results[0]["body"][0]["errorCode"], "PROCESSING_HALTED");
    assert_eq!(results[1]["body"][0]["errorCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(results[2]["body"][0]["errorCode"], "PROCESSING_HALTED");
    let (_, count) = env
        .get("services/data/v62.0/query?q=SELECT+COUNT()+FROM+Account+WHERE+Name='Rolled+Back+Co'")
        .await;
    assert_eq!(count["totalSize"], 0, "the account was rolled back");

    let id = env.first_id("Account").await;
    let (_, before) = env
        .get(&format!("services/data/v62.0/sobjects/Account/{id}"))
        .await;
    let (status, _) = env
        .post(
            path,
            &json!({"allOrNone": true, "compositeRequest": [
            {"method": "PATCH", "url": format!("/services/data/v62.0/sobjects/Account/{id}"),
             "referenceId": "upd", "body": {"Name": "Changed Then Rolled Back"}},
            {"method": "DELETE", "url": "/services/data/v62.0/sobjects/Account/001Dn0000000001AAA",
             "referenceId": "del"}]}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, after) = env
        .get(&format!("services/data/v62.0/sobjects/Account/{id}"))
        .await;
    assert_eq!(after, before, "the update was rolled back");
}

#[tokio::test]
async fn collections_retrieve_update_delete() {
    let env = Env::small().await;
    let (_, page) = env
        .get("services/data/v62.0/query?q=SELECT+Id+FROM+Account+LIMIT+2")
        .await;
    let a = page["records"][0]["Id"].as_str().expect("id").to_owned();
    let b = page["records"][1]["Id"].as_str().expect("id").to_owned();

    let (status, records) = env
        .get(&format!("services/data/v62.0/composite/sobjects/Account?ids={a},{b},001Dn0000000001AAA&fields=Id,Name"))
        .await;
    assert_eq!(status, 200, "{records}");
    assert_eq!(records[0]["Id"], a.as_str());
    assert_eq!(records[2], Value::Null);

    let (status, results) = env
        .patch(
            "services/data/v62.0/composite/sobjects",
            &json!({"allOrNone": true, "records": [
            {"attributes": {"type": "Account"}, "id": a, "Rating": "Hot"},
            {"attributes": {"type": "Account"}, "id": b, "Name": null}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        results[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(
        results[1]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );
    let (status, results) = env
        .patch(
            "services/data/v62.0/composite/sobjects",
            &json!({"records": [
            {"attributes": {"type": "Account"}, "id": a, "Rating": "Hot"}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(results, json!([{"id": a, "success": true, "errors": []}]));
    let (_, record) = env
        .get(&format!("services/data/v62.0/sobjects/Account/{a}"))
        .await;
    assert_eq!(record["Rating"], "Hot");

    let (status, results) = env
        .delete(&format!(
            "services/data/v62.0/composite/sobjects?ids={a},{b}"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(results[0]["success"], true);
    assert_eq!(results[1]["success"], true);
    let (status, body) = env.delete("services/data/v62.0/composite/sobjects").await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!([{"message": "At least 1 Id is required.", "errorCode": "REQUIRED_FIELD_MISSING"}])
    );
}

#[tokio::test]
async fn injected_faults_and_latency() {
    let env = Env::small().await;
    env.org.fail_next(2, 503);
    let (status, body) = env.get("services/data/v62.0/limits").await;
    assert_eq!(status, 503);
    assert_eq!(body[0]["errorCode"], "SERVER_UNAVAILABLE");
    env.org.fail_next(1, 500);
    let (status, body) = env.get("services/data/v62.0/limits").await;
    assert_eq!(status, 500);
    assert_eq!(body[0]["errorCode"], "UNKNOWN_EXCEPTION");
    assert_eq!(env.get("services/data/v62.0/limits").await.0, 200);

    env.org.set_latency(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    assert_eq!(env.get("services/data/v62.0/limits").await.0, 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}

#[tokio::test]
async fn admin_faults_reset_and_state() {
    let env = Env::small().await;
    let admin = |method: reqwest::Method, path: &str| env.client.request(method, env.url(path));

    let (status, body) = send(admin(reqwest::Method::POST, "__mock/faults").json(&json!({
        "fail_next": 1, "status": 400, "error_code": "UNABLE_TO_LOCK_ROW",
        "message": "unable to obtain exclusive access to this record"})))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["fail_next"]["remaining"], 1);
    let (status, body) = env.get("services/data/v62.0/limits").await;
    assert_eq!(
        (status, body),
        (
            400,
            error(
                "UNABLE_TO_LOCK_ROW",
                "unable to obtain exclusive access to this record"
            )
        )
    );
    assert_eq!(env.get("services/data/v62.0/limits").await.0, 200);

    let (status, _) =
        send(admin(reqwest::Method::POST, "__mock/faults").json(&json!({"api_remaining": 0})))
            .await;
    assert_eq!(status, 200);
    assert_eq!(env.get("services/data/v62.0/limits").await.0, 403);
    assert_eq!(
        send(admin(reqwest::Method::DELETE, "__mock/faults"))
            .await
            .0,
        204
    );

    let (_, created) = env
        .post(
            "services/data/v62.0/sobjects/Account",
            &json!({"Name": "Temp"}),
        )
        .await;
    assert_eq!(
        created[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED",
        "quota still exhausted"
    );
    let (status, _) = send(admin(reqwest::Method::POST, "__mock/reset")).await;
    assert_eq!(status, 204);
    let (status, created) = env
        .post(
            "services/data/v62.0/sobjects/Account",
            &json!({"Name": "Temp"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let (_, state) = send(admin(reqwest::Method::GET, "__mock/state")).await;
    assert_eq!(state["records"]["Account"]["total"], 31);
    assert_eq!(state["tokens"], 1);
    let (status, _) = send(admin(reqwest::Method::POST, "__mock/reset")).await;
    assert_eq!(status, 204);
    let (_, state) = send(admin(reqwest::Method::GET, "__mock/state?records=true")).await;
    assert_eq!(state["records"]["Account"]["total"], 30);
    assert_eq!(state["data"]["Account"].as_array().map(Vec::len), Some(30));

    let (status, _) =
        send(admin(reqwest::Method::POST, "__mock/faults").json(&json!({"expire_tokens": true})))
            .await;
    assert_eq!(status, 200);
    assert_eq!(env.get("services/data/v62.0/limits").await.0, 401);
}
