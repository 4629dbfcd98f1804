//! The call observer (the TUI's API log): every HTTP exchange of the client — the token
//! request, data calls, each try of a retried one — reaches it with the secrets masked.
#![cfg(feature = "mock-org")]

use std::sync::{Arc, Mutex};

use secrecy::ExposeSecret;
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::sf::{ApiCall, RenewReason, SfClient};

use crate::common::org::{WaitRecorder, connection};

#[tokio::test]
async fn the_observer_sees_the_token_request_and_each_try_of_a_retried_call_masked() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org starts");
    let client =
        SfClient::with_clock(connection(&org), Arc::new(WaitRecorder::default())).expect("client");
    let calls = Arc::new(Mutex::new(Vec::<ApiCall>::new()));
    let seen = calls.clone();
    client.observe_calls(move |call| seen.lock().expect("lock").push(call));

    let token = client.login(RenewReason::Initial).await.expect("login");
    client.api_version().await.expect("version");
    org.fail_next(1, 503);
    let page = client
        .query("SELECT Id FROM Account LIMIT 2")
        .await
        .expect("the retry passes");
    assert!(!page.records.is_empty());

    let calls = calls.lock().expect("lock").clone();
    let login = calls
        .iter()
        .find(|c| c.url.ends_with("/services/oauth2/token"))
        .expect("the token request is logged");
    assert_eq!((login.method.as_str(), login.status), ("POST", Some(200)));
    assert!(
        login.request_body.contains("client_secret=REDACTED")
            || login
                .request_headers
                .iter()
                .any(|(n, v)| n == "authorization" && v == "Basic REDACTED"),
        "{login:?}"
    );
    assert!(
        login
            .response_body
            .contains("\"access_token\":\"REDACTED\""),
        "{}",
        login.response_body
    );

    let queries: Vec<&ApiCall> = calls
        .iter()
        .filter(|c| c.url.contains("/query?q="))
        .collect();
    let tries: Vec<(Option<u16>, u32)> = queries.iter().map(|c| (c.status, c.attempt)).collect();
    assert_eq!(
        tries,
        [(Some(503), 1), (Some(200), 2)],
        "each try is an entry"
    );
    let query = queries[1];
    assert!(
        query
            .request_headers
            .contains(&("authorization".into(), "Bearer REDACTED".into())),
        "{:?}",
        query.request_headers
    );
    assert!(query.response_body.contains("\"records\""));
    assert!(query.response_size >= query.response_body.len() as u64);

    // Nothing of the token or the client secret anywhere.
    let all = format!("{calls:?}");
    assert!(!all.contains(token.access_token.expose_secret()));
    assert!(!all.contains(org.client_secret()));
}
