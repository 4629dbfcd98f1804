//! The mock org's OAuth endpoints over real HTTP: token, introspect, revoke, userinfo, identity,
//! login-host behaviour and token expiry.

use std::time::Duration;

use serde_json::Value;
use sfterm::mock_org::{MockOrg, MockOrgConfig};

/// A reqwest client (rustls needs its crypto provider installed once).
fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

async fn org(config: MockOrgConfig) -> MockOrg {
    MockOrg::start(MockOrgConfig {
        records: 20,
        ..config
    })
    .await
    .expect("mock org starts")
}

fn url(org: &MockOrg, path: &str) -> String {
    org.instance_url()
        .join(path)
        .expect("valid path")
        .to_string()
}

async fn token_request(base: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = client()
        .post(format!("{base}services/oauth2/token"))
        .form(form)
        .send()
        .await
        .expect("token request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json body"))
}

async fn token(org: &MockOrg) -> Value {
    let (status, body) = token_request(
        org.instance_url().as_str(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", org.client_id()),
            ("client_secret", org.client_secret()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn token_has_exactly_the_reference_fields() {
    let org = org(MockOrgConfig::default()).await;
    let body = token(&org).await;
    let keys: Vec<&str> = body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "signature",
            "scope",
            "instance_url",
            "id",
            "token_type",
            "issued_at"
        ]
    );
    let issued = body["issued_at"].as_str().expect("issued_at is a string");
    assert_eq!(issued.len(), 13, "epoch milliseconds");
    assert!(issued.parse::<u64>().is_ok());
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "api");
    assert_eq!(
        body["instance_url"],
        org.instance_url().as_str().trim_end_matches('/')
    );
    let token = body["access_token"].as_str().expect("token");
    assert_eq!(token.find('!'), Some(15), "starts with the 15-char org id");
    assert!(token.starts_with("00D"));
}

#[tokio::test]
async fn token_with_basic_auth_works_and_errors_are_flat() {
    let org = org(MockOrgConfig::default()).await;
    let client = self::client();
    let response = client
        .post(url(&org, "services/oauth2/token"))
        .basic_auth(org.client_id(), Some(org.client_secret()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json;charset=UTF-8"
    );

    let base = org.instance_url().as_str();
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "nope"),
                ("client_secret", "x"),
            ],
            "invalid_client_id",
            "client identifier invalid",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", org.client_id()),
                ("client_secret", "wrong"),
            ],
            "invalid_client",
            "invalid client credentials",
        ),
        (
            vec![
                ("grant_type", "password"),
                ("client_id", org.client_id()),
                ("client_secret", org.client_secret()),
            ],
            "unsupported_grant_type",
            "grant type not supported",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", org.app_without_run_as_user().0),
                ("client_secret", org.app_without_run_as_user().1),
            ],
            "invalid_grant",
            "no client credentials user enabled",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", org.app_without_client_credentials().0),
                ("client_secret", org.app_without_client_credentials().1),
            ],
            "unsupported_grant_type",
            "grant type not supported",
        ),
    ];
    for (form, error, description) in cases {
        let (status, body) = token_request(base, &form).await;
        assert_eq!(status, 400);
        assert_eq!(
            body,
            serde_json::json!({"error": error, "error_description": description})
        );
    }
}

#[tokio::test]
async fn login_host_refuses_client_credentials() {
    let org = org(MockOrgConfig::default()).await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", org.client_id()),
        ("client_secret", org.client_secret()),
    ];
    let expected = serde_json::json!({"error": "invalid_grant",
        "error_description": "request not supported on this domain"});
    let (status, body) = token_request(org.login_host_url().as_str(), &form).await;
    assert_eq!((status, &body), (400, &expected));

    let response = client()
        .post(url(&org, "services/oauth2/token"))
        .header("Host", "login.salesforce.com")
        .form(&form)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    assert_eq!(response.json::<Value>().await.expect("json"), expected);
}

#[tokio::test]
async fn introspect_userinfo_identity_and_revoke() {
    let org = org(MockOrgConfig::default()).await;
    let body = token(&org).await;
    let token = body["access_token"].as_str().expect("token").to_owned();
    let client = self::client();

    let info: Value = client
        .post(url(&org, "services/oauth2/introspect"))
        .form(&[
            ("token", token.as_str()),
            ("token_type_hint", "access_token"),
            ("client_id", org.client_id()),
            ("client_secret", org.client_secret()),
        ])
        .send()
        .await
        .expect("introspect")
        .json()
        .await
        .expect("json");
    assert_eq!(info["active"], true);
    let exp = info["exp"].as_i64().expect("exp number");
    let iat = info["iat"].as_i64().expect("iat number");
    assert!((7199..=7201).contains(&(exp - iat)), "{info}");
    assert_eq!(info["sub"], body["id"]);

    // Another app cannot introspect it.
    let (other_id, other_secret) = org.app_without_api_scope();
    let other: Value = client
        .post(url(&org, "services/oauth2/introspect"))
        .basic_auth(other_id, Some(other_secret))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("introspect")
        .json()
        .await
        .expect("json");
    assert_eq!(other, serde_json::json!({"active": false}));

    let user: Value = client
        .get(url(&org, "services/oauth2/userinfo"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("userinfo")
        .json()
        .await
        .expect("json");
    assert_eq!(user["sub"], body["id"]);
    // The default scenario's run-as user has the Salesforce Integration licence.
    assert_eq!(user["is_salesforce_integration_user"], true);

    let id_url = body["id"].as_str().expect("id url");
    for suffix in ["", "?format=json"] {
        let identity: Value = client
            .get(format!("{id_url}{suffix}"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("identity")
            .json()
            .await
            .expect("json");
        assert_eq!(identity["id"], id_url);
        assert_eq!(
            identity["urls"]["rest"]
                .as_str()
                .map(|s| s.contains("{version}")),
            Some(true)
        );
        let user_id = identity["user_id"].as_str().expect("user id");
        let user: Value = client
            .get(url(
                &org,
                &format!("services/data/v62.0/sobjects/User/{user_id}"),
            ))
            .bearer_auth(&token)
            .send()
            .await
            .expect("user")
            .json()
            .await
            .expect("json");
        assert_eq!(user["Id"], user_id);
    }

    let revoked = client
        .post(url(&org, "services/oauth2/revoke"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(revoked.status(), 200);
    let after = client
        .get(url(&org, "services/data/v62.0/limits"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("limits");
    assert_eq!(after.status(), 401);
    assert_eq!(
        after.json::<Value>().await.expect("json"),
        serde_json::json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );
    let again = client
        .get(url(&org, &format!("services/oauth2/revoke?token={token}")))
        .send()
        .await
        .expect("revoke");
    assert_eq!(again.status(), 400);
}

#[tokio::test]
async fn tokens_expire_after_idle_ttl_and_on_demand() {
    // The org's clock is moved, not waited for: a one-hour idle timeout.
    let ttl = Duration::from_secs(3600);
    let org = org(MockOrgConfig {
        token_ttl: ttl,
        ..Default::default()
    })
    .await;
    let client = self::client();
    let token = token(&org).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    // Use keeps it alive (sliding): three uses 40 minutes apart outlive the hour.
    for _ in 0..3 {
        org.advance_clock(ttl * 2 / 3);
        let r = client
            .get(url(&org, "services/data/v62.0/"))
            .bearer_auth(&token)
            .send()
            .await;
        assert_eq!(r.expect("request").status(), 200);
    }
    org.advance_clock(ttl + Duration::from_secs(60));
    let r = client
        .get(url(&org, "services/data/v62.0/"))
        .bearer_auth(&token)
        .send()
        .await;
    assert_eq!(r.expect("request").status(), 401);

    let org = self::org(MockOrgConfig::default()).await;
    let token = self::token(&org).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    org.expire_all_tokens();
    let r = client
        .get(url(&org, "services/data/v62.0/"))
        .bearer_auth(&token)
        .send()
        .await;
    assert_eq!(r.expect("request").status(), 401);
}

#[tokio::test]
async fn token_without_api_scope_is_refused_by_rest() {
    let org = org(MockOrgConfig::default()).await;
    let (id, secret) = org.app_without_api_scope();
    let (status, body) = token_request(
        org.instance_url().as_str(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let token = body["access_token"].as_str().expect("token");
    let r = client()
        .get(url(&org, "services/data/v62.0/limits"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.expect("json"),
        serde_json::json!([{"message": "This session is not valid for use with the REST API",
            "errorCode": "INVALID_SESSION_ID"}])
    );
}
