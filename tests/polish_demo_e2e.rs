//! The demo's ready-made Composer requests against the mock org on 127.0.0.1: seeded as
//! `sfterm demo` seeds them (the customer id variable from the org), each one sends and works.
#![cfg(feature = "mock-org")]

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use sfterm::composer::demo;
use sfterm::composer::store::RequestStore;
use sfterm::jobs::composer::{ComposerJob, ComposerOutcome, JobContext, run};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::sf::{ConnectionConfig, RenewReason, SfClient};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_request_works_against_the_mock_org() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org");
    let mut config = ConnectionConfig::new(
        org.instance_url().clone(),
        org.client_id(),
        SecretString::from(org.client_secret().to_string()),
    );
    config.ca_file = org.ca_file().map(|p| p.to_path_buf());
    config.timeout = Duration::from_secs(20);
    let client = SfClient::new(config).expect("client");
    client.login(RenewReason::Initial).await.expect("login");

    let dir = tempfile::tempdir().expect("temp dir");
    let customer = org.first_record_id("Account").expect("a seeded account");
    demo::seed(dir.path(), &["Demo org"], &customer).expect("seed");
    let requests = RequestStore::new(dir.path()).list().requests;
    assert_eq!(requests.len(), 5);

    for stored in requests {
        let request = stored.request;
        let ctx = JobContext {
            client: Some(("Demo org".into(), client.clone())),
            data_dir: dir.path().to_path_buf(),
            copy: Arc::new(|_: &str| Ok(())),
        };
        let outcome = run(
            ctx,
            ComposerJob::Send {
                request: request.clone(),
                profile: None,
            },
        )
        .await;
        let ComposerOutcome::Sent {
            result: Ok(view), ..
        } = outcome
        else {
            panic!("{} not sent: {outcome:?}", request.name);
        };
        assert_eq!(view.status, 200, "{}: {}", request.name, view.raw);
        assert!(view.fault.is_none(), "{}: {}", request.name, view.raw);
        match request.name.as_str() {
            "Get customer by id" | "getCustomer" => {
                assert!(
                    view.raw.contains(&customer),
                    "{}: {}",
                    request.name,
                    view.raw
                );
            }
            "Create customer" => assert!(view.raw.contains("contactIds"), "{}", view.raw),
            "createCustomer" => assert!(view.raw.contains("<result>001"), "{}", view.raw),
            _ => {}
        }
    }
    org.shutdown().await;
}
