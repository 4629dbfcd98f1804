//! The demo's ready-made Composer requests against the mock org on 127.0.0.1: seeded as
//! `sfterm demo` seeds them (the customer id variable from the org), each one sends and works.
#![cfg(feature = "mock-org")]

use crate::common;

use sfterm::jobs::Context;
use sfterm::jobs::composer::run;
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::requests::demo;
use sfterm::requests::store::RequestStore;
use sfterm::state::composer::job::{ComposerJob, ComposerOutcome};

/// Jobs' context connected with `client` as "Demo org", files in `dir`.
fn context(client: &sfterm::sf::SfClient, dir: &std::path::Path) -> Context {
    Context::standalone(
        "Demo org",
        client.clone(),
        dir.to_path_buf(),
        Box::new(|_: &str| Ok(())),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_request_works_against_the_mock_org() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org");
    let client = common::org::logged_in_client(&org).await;

    let dir = tempfile::tempdir().expect("temp dir");
    let customer = org
        .first_account_with_contacts()
        .expect("a seeded account with contacts");
    demo::seed(dir.path(), &["Demo org"], &customer).expect("seed");
    let requests = RequestStore::new(dir.path()).list().requests;
    assert_eq!(requests.len(), 5);

    for stored in requests {
        let request = stored.request;
        let ctx = context(&client, dir.path());
        let outcome = run(
            &ctx,
            ComposerJob::Send {
                request: request.clone(),
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
                // The demo's customer has contacts, and the answer lists them.
                assert!(
                    view.raw.contains("lastName") || view.raw.contains("LastName"),
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

/// A request whose variable is not set is not sent, and the message says so once (the
/// Composer and the History put "Send failed:" in front of it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unset_variable_is_reported_without_a_doubled_prefix() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org");
    let client = common::org::logged_in_client(&org).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let request = demo::demo_requests().expect("requests").remove(0);
    let ctx = context(&client, dir.path());
    let outcome = run(&ctx, ComposerJob::Send { request }).await;
    let ComposerOutcome::Sent {
        result: Err(message),
        entry: None,
    } = outcome
    else {
        panic!("sent anyway: {outcome:?}");
    };
    assert!(message.contains("{{customer_id}}"), "{message}");
    assert!(!message.to_lowercase().contains("send failed"), "{message}");
    org.shutdown().await;
}
