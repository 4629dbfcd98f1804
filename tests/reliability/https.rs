//! https everywhere but loopback, and certificate checks never off: profile URLs, the instance
//! URL a token response returns, Postman-imported URLs and environments, and `ca_file`.
#![cfg(feature = "mock-org")]

use std::time::Duration;

use axum::Router;
use axum::routing::post;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::json;
use sfterm::config::{EndpointError, SecretSource, normalize};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::requests::postman;
use sfterm::sf::{ApiError, ConnectionConfig, RenewReason, SfClient};

#[test]
fn profile_urls_need_https_unless_loopback() {
    assert!(normalize("ftp://acme.example").is_err());
    for url in ["http://acme.my.salesforce.com", "http://10.1.2.3:8443"] {
        assert!(
            matches!(normalize(url), Err(EndpointError::InsecureScheme { .. })),
            "{url}: {:?}",
            normalize(url)
        );
    }
    for url in [
        "http://127.0.0.1:8443",
        "http://localhost:3000",
        "https://acme.my.salesforce.com",
    ] {
        assert!(normalize(url).is_ok(), "{url}");
    }
}

#[test]
fn postman_environment_with_an_http_url_gives_an_invalid_profile() {
    let env = json!({"name": "E", "values": [
        {"key": "url", "value": "http://acme.my.salesforce.com", "enabled": true},
        {"key": "clientId", "value": "3MVG", "enabled": true}]})
    .to_string();
    let imp = postman::import_environment(&env, "E", SecretSource::Prompt).expect("import");
    let problems = imp.profile.validate();
    assert!(
        problems.iter().any(|p| format!("{p:?}").contains("https")),
        "{problems:?}"
    );
    assert!(
        imp.report.iter().any(|l| l.contains("https")),
        "{:?}",
        imp.report
    );
}

/// A token endpoint that answers with an `http://` instance URL on another host.
async fn downgrading_token_endpoint() -> url::Url {
    let app = Router::new().route(
        "/services/oauth2/token",
        post(|| async {
            axum::Json(json!({
                "access_token": "00DDn00000Org01!AQsecretpart",
                "instance_url": "http://evil.example.com",
                "id": "https://login.salesforce.com/id/00DDn00000Org01MAB/005Dn00000IntUsIAJ",
                "token_type": "Bearer",
                "issued_at": "1767225600000",
                "scope": "api"
            }))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}").parse().expect("url")
}

#[tokio::test]
async fn an_http_instance_url_from_the_token_response_is_refused() {
    let url = downgrading_token_endpoint().await;
    let client =
        SfClient::new(ConnectionConfig::new(url, "id", SecretString::from("s"))).expect("client");
    let e = client
        .login(RenewReason::Initial)
        .await
        .expect_err("refused");
    assert!(
        matches!(&e, ApiError::InsecureUrl(u) if u.contains("evil.example.com")),
        "{e:?}"
    );
    assert!(client.token().is_none(), "the token is not kept");
}

#[tokio::test]
async fn imported_absolute_urls_only_go_to_the_instance() {
    let org = MockOrg::start(MockOrgConfig::default()).await.expect("org");
    let mut c = ConnectionConfig::new(
        org.instance_url().clone(),
        org.client_id(),
        SecretString::from(org.client_secret().to_owned()),
    );
    c.timeout = Duration::from_secs(10);
    let client = SfClient::new(c).expect("client");
    client.login(RenewReason::Initial).await.expect("login");
    let collection = json!({"info": {"name": "C", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "Elsewhere", "request": {"method": "GET",
            "url": {"raw": "http://evil.example.com/services/data/v62.0/limits"}}}]})
    .to_string();
    let imported = postman::import_collection(&collection, &[]).expect("import");
    let path = &imported.requests[0].path;
    let e = client
        .send_raw(Method::GET, path, Vec::new(), None)
        .await
        .expect_err("not sent to another origin");
    assert!(
        matches!(e, ApiError::InvalidInput(_) | ApiError::InsecureUrl(_)),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_unreadable_ca_file_is_an_error_not_a_silent_fallback() {
    let mut c = ConnectionConfig::new(
        "https://acme.my.salesforce.com".parse().expect("url"),
        "id",
        SecretString::from("s"),
    );
    c.ca_file = Some("/nonexistent/ca.pem".into());
    let e = SfClient::new(c).expect_err("refused");
    assert!(
        matches!(&e, ApiError::Config(m) if m.contains("ca_file")),
        "{e:?}"
    );
}

#[test]
fn no_switch_turns_certificate_checks_off() {
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut stack = vec![std::path::PathBuf::from(src)];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("src").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("read");
                for needle in [
                    "danger_accept_invalid",
                    "dangerous()",
                    "NoCertificateVerification",
                ] {
                    assert!(!text.contains(needle), "{} uses {needle}", p.display());
                }
            }
        }
    }
}
