//! `sfterm apex rest|soap` end to end against the mock org: REST calls and their error exits,
//! SOAP calls with a fetched or file WSDL, faults, and the renewal after a revoked token.
#![cfg(feature = "mock-org")]

use serde_json::Value;
use sfterm::commands::apex::{fetch_wsdl, soap_call};
use sfterm::commands::{EXIT_FAILURE, EXIT_USAGE};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::requests::soap::{SoapResponse, flatten};

use crate::common;

use common::cli::{dir_for, run};

async fn start() -> MockOrg {
    MockOrg::start(MockOrgConfig {
        port: 0,
        records: 5,
        ..Default::default()
    })
    .await
    .expect("mock org starts")
}

#[tokio::test]
async fn apex_rest_calls_and_error_exits() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = start().await;
    let dir = dir_for(&org);
    let body = r#"{"customer": {"name": "Cli Customer", "contacts": [{"lastName": "One"}]}}"#;
    let (result, out) = run(
        dir.path(),
        &["apex", "rest", "post", "CustomerRESTWS", "--body", body],
    )
    .await;
    result.expect("post");
    let created: Value = serde_json::from_str(&out).expect("pretty JSON");
    let id = created["accountId"].as_str().expect("id").to_owned();
    assert!(out.contains("\n  \"accountId\""), "pretty-printed: {out}");

    let file = dir.path().join("patch.json");
    std::fs::write(&file, r#"{"customer": {"phone": "555-0001"}}"#).expect("write body");
    let at_file = format!("@{}", file.display());
    let path = format!("/CustomerRESTWS/{id}");
    let (result, out) = run(
        dir.path(),
        &["apex", "rest", "PATCH", &path, "--body", &at_file, "--json"],
    )
    .await;
    result.expect("patch");
    let v: Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(v["status"], 200);
    assert_eq!(v["body"]["phone"], "555-0001");
    assert_eq!(v["body"]["name"], "Cli Customer");

    let (result, out) = run(
        dir.path(),
        &["apex", "rest", "GET", "CustomerRESTWS?name=cli"],
    )
    .await;
    result.expect("search");
    assert!(out.contains("Cli Customer"), "{out}");

    let (result, _) = run(dir.path(), &["apex", "rest", "GET", "Nope/1"]).await;
    let e = result.expect_err("404");
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(e.message.contains("HTTP 404"), "{}", e.message);
    assert!(
        e.message
            .contains("NOT_FOUND: Could not find a match for URL /Nope/1"),
        "{}",
        e.message
    );

    let (result, _) = run(
        dir.path(),
        &["apex", "rest", "GET", "CustomerRESTWS/001000000000000AAA"],
    )
    .await;
    let e = result.expect_err("500");
    assert!(e.message.contains("threw an exception"), "{}", e.message);
    assert!(e.message.contains("System.QueryException"), "{}", e.message);

    let (result, _) = run(
        dir.path(),
        &["apex", "rest", "POST", "CustomerRESTWS", "--body", "{"],
    )
    .await;
    let e = result.expect_err("400");
    assert!(e.message.contains("JSON_PARSER_ERROR"), "{}", e.message);

    let (result, _) = run(dir.path(), &["apex", "rest", "FETCH", "x"]).await;
    assert_eq!(result.expect_err("bad method").code, EXIT_USAGE);
}

#[tokio::test]
async fn apex_soap_calls_with_fetched_and_file_wsdl() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = start().await;
    let dir = dir_for(&org);
    let (result, out) = run(
        dir.path(),
        &[
            "apex",
            "soap",
            "CustomerWS",
            "createCustomer",
            "--arg",
            "customer.name=Soap Co",
            "--arg",
            "customer.contacts[0].lastName=Fault",
        ],
    )
    .await;
    result.expect("create");
    let id = out
        .trim()
        .strip_prefix("result: ")
        .expect("result line")
        .to_owned();
    assert!(id.starts_with("001"), "{out}");

    let wsdl = dir.path().join("CustomerWS.wsdl");
    std::fs::write(&wsdl, include_str!("../../assets/mock-org/CustomerWS.wsdl")).expect("wsdl");
    let wsdl_arg = wsdl.display().to_string();
    let arg = format!("accountId={id}");
    let (result, out) = run(
        dir.path(),
        &[
            "apex",
            "soap",
            "CustomerWS",
            "getCustomer",
            "--arg",
            &arg,
            "--wsdl",
            &wsdl_arg,
        ],
    )
    .await;
    result.expect("get");
    assert!(out.contains("result.name: Soap Co"), "{out}");
    assert!(out.contains("result.contacts.lastName: Fault"), "{out}");

    let (result, out) = run(
        dir.path(),
        &[
            "apex",
            "soap",
            "CustomerWS",
            "searchCustomers",
            "--arg",
            "name=soap",
            "--json",
        ],
    )
    .await;
    result.expect("search");
    let v: Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(v["result"][0]["name"], "Soap Co");

    // an Apex exception: faultcode + faultstring, exit 1
    let (result, out) = run(
        dir.path(),
        &[
            "apex",
            "soap",
            "CustomerWS",
            "getCustomer",
            "--arg",
            "accountId=001000000000000AAA",
            "--json",
        ],
    )
    .await;
    let e = result.expect_err("fault");
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(
        e.message
            .starts_with("SOAP fault soapenv:Client: System.QueryException"),
        "{}",
        e.message
    );
    assert!(out.contains("\"fault\""), "{out}");

    // usage errors before sending
    let (result, _) = run(
        dir.path(),
        &[
            "apex",
            "soap",
            "CustomerWS",
            "getCustomer",
            "--arg",
            "acountId=1",
            "--wsdl",
            &wsdl_arg,
        ],
    )
    .await;
    let e = result.expect_err("bad arg");
    assert_eq!(e.code, EXIT_USAGE);
    assert!(e.message.contains("accountId"), "{}", e.message);
    let (result, out) = run(
        dir.path(),
        &[
            "apex",
            "soap",
            "CustomerWS",
            "getCustomer",
            "--skeleton",
            "--wsdl",
            &wsdl_arg,
        ],
    )
    .await;
    result.expect("skeleton");
    assert!(out.contains("<tns:accountId>?ID?</tns:accountId>"), "{out}");
    let (result, _) = run(dir.path(), &["apex", "soap", "NoSuchClass", "x"]).await;
    let e = result.expect_err("no wsdl");
    assert!(e.message.contains("--wsdl FILE"), "{}", e.message);
}

#[tokio::test]
async fn soap_call_renews_a_revoked_token_once() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = start().await;
    let client = common::org::logged_in_client(&org).await;
    let wsdl = fetch_wsdl(&client, "CustomerWS").await.expect("wsdl");
    let before = client.token_requests();

    org.expire_all_tokens();
    let args = [("name".to_owned(), String::new())];
    let response = soap_call(&client, &wsdl, "CustomerWS", "searchCustomers", &args)
        .await
        .expect("call");
    let SoapResponse::Result { results, .. } = response else {
        panic!("expected results after the renewal: {response:?}");
    };
    assert!(!results.is_empty());
    assert!(flatten(&results).iter().any(|(k, _)| k.ends_with(".name")));
    assert_eq!(
        client.token_requests(),
        before + 1,
        "exactly one renewal, triggered by the INVALID_SESSION_ID fault"
    );
}
