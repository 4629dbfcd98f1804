//! SfClient against the embedded mock org over real HTTP: every endpoint and every error of
//! issue 2, renewal after expiry (knob and short token TTL), single-flight, TLS.
#![cfg(feature = "mock-org")]

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use secrecy::SecretString;
use serde_json::{Map, Value, json};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::sf::{
    ApiError, ApiVersion, ClientAuthStyle, ConnectionConfig, QueryOptions, RenewReason, SfClient,
};

async fn org_with(config: MockOrgConfig) -> MockOrg {
    MockOrg::start(config).await.expect("mock org starts")
}

async fn org() -> MockOrg {
    org_with(MockOrgConfig::default()).await
}

fn connection(org: &MockOrg, id: &str, secret: &str) -> ConnectionConfig {
    let mut c = ConnectionConfig::new(
        org.instance_url().clone(),
        id,
        SecretString::from(secret.to_string()),
    );
    c.ca_file = org.ca_file().map(|p| p.to_path_buf());
    c.timeout = Duration::from_secs(20);
    c
}

fn client(org: &MockOrg) -> SfClient {
    SfClient::new(connection(org, org.client_id(), org.client_secret())).expect("client")
}

fn map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

#[tokio::test]
async fn login_body_and_basic_give_a_complete_token() {
    let org = org().await;
    for style in [ClientAuthStyle::Body, ClientAuthStyle::Basic] {
        let mut c = connection(&org, org.client_id(), org.client_secret());
        c.auth_style = style;
        let client = SfClient::new(c).expect("client");
        let token = client.login(RenewReason::Initial).await.expect("login");
        assert_eq!(token.token_type, "Bearer");
        assert!(token.has_scope("api"), "{:?}", token.scopes);
        assert_eq!(token.org_id.len(), 18);
        assert_eq!(token.user_id.len(), 18);
        assert!(token.signature.is_some());
        assert_eq!(client.token().expect("stored").org_id, token.org_id);
    }
}

#[tokio::test]
async fn oauth_errors_are_typed_and_diagnosed() {
    let org = org().await;
    let login = |c: ConnectionConfig| async move {
        SfClient::new(c)
            .expect("client")
            .login(RenewReason::Initial)
            .await
            .expect_err("refused")
    };
    let e = login(connection(&org, org.client_id(), "wrong-secret")).await;
    assert_eq!(e.error_code(), Some("invalid_client"));
    assert_eq!(e.status(), Some(400));
    assert!(e.diagnosis().fix.contains("Consumer Secret"));

    let e = login(connection(&org, "unknown-key", org.client_secret())).await;
    assert_eq!(e.error_code(), Some("invalid_client_id"));
    assert!(e.diagnosis().meaning.contains("provisioning"));

    let (id, secret) = org.app_without_run_as_user();
    let e = login(connection(&org, id, secret)).await;
    assert_eq!(e.error_code(), Some("invalid_grant"));
    assert!(e.diagnosis().fix.contains("Run As"), "{:?}", e.diagnosis());

    let (id, secret) = org.app_without_client_credentials();
    let e = login(connection(&org, id, secret)).await;
    assert!(matches!(e, ApiError::OAuth { status: 400, .. }), "{e:?}");
    assert!(!e.diagnosis().fix.is_empty());

    let mut c = connection(&org, org.client_id(), org.client_secret());
    c.login_url = org.login_host_url().clone();
    let e = login(c).await;
    assert_eq!(e.error_code(), Some("invalid_grant"));
    assert!(
        e.to_string()
            .contains("request not supported on this domain")
    );
    assert!(e.diagnosis().fix.contains("My Domain"));
}

#[tokio::test]
async fn token_without_api_scope_is_refused_and_not_retried() {
    let org = org().await;
    let (id, secret) = org.app_without_api_scope();
    let client = SfClient::new(connection(&org, id, secret)).expect("client");
    client
        .login(RenewReason::Initial)
        .await
        .expect("token is issued");
    let e = client
        .versions()
        .await
        .err()
        .or(client.limits().await.err())
        .expect("401");
    assert_eq!(e.error_code(), Some("INVALID_SESSION_ID"));
    assert!(e.diagnosis().fix.contains("api"));
    assert_eq!(client.token_requests(), 1, "no renewal loop");
}

#[tokio::test]
async fn introspect_userinfo_identity_revoke() {
    let org = org().await;
    let client = client(&org);
    assert!(matches!(
        client.introspect().await,
        Err(ApiError::NotConnected)
    ));
    let token = client.login(RenewReason::Initial).await.expect("login");
    let info = client.introspect().await.expect("introspect");
    assert!(info.active);
    assert_eq!(info.client_id.as_deref(), Some(org.client_id()));
    let (exp, iat) = (info.exp.expect("exp"), info.iat.expect("iat"));
    assert!(exp > iat);

    let user = client.userinfo().await.expect("userinfo");
    assert_eq!(user.user_id, token.user_id);
    let id = client.identity().await.expect("identity");
    assert_eq!(id.user_id, token.user_id);
    assert_eq!(id.organization_id, token.org_id);
    assert!(id.urls.get("rest").is_some_and(|u| u.contains("{version}")));

    client.revoke().await.expect("revoke");
    assert!(!client.introspect().await.expect("introspect").active);
    assert!(client.token().is_some(), "revoke keeps the token");
    // The next call gets INVALID_SESSION_ID and renews exactly once.
    client.limits().await.expect("renewed");
    assert_eq!(client.token_requests(), 2);
    assert_eq!(
        client.token().expect("token").reason,
        RenewReason::InvalidSession
    );
}

#[tokio::test]
async fn versions_highest_and_pinned() {
    let org = org().await;
    let client = client(&org);
    let versions = client.versions().await.expect("versions");
    let highest = versions
        .iter()
        .filter_map(|v| v.api_version())
        .max()
        .expect("some");
    assert!(versions.iter().any(|v| v.version == "31.0"));
    assert_eq!(client.api_version().await.expect("version"), highest);

    let mut c = connection(&org, org.client_id(), org.client_secret());
    c.api_version = Some(ApiVersion(31));
    let pinned = SfClient::new(c).expect("client");
    let page = pinned
        .query("SELECT Id FROM Account LIMIT 1")
        .await
        .expect("v31 query");
    let url = page.records[0]["attributes"]["url"].as_str().expect("url");
    assert!(url.contains("/v31.0/"), "{url}");
}

#[tokio::test]
async fn describes_are_realistic_and_cached() {
    let org = org().await;
    let client = client(&org);
    let global = client.describe_global().await.expect("global");
    for (name, prefix) in [("Account", "001"), ("Contact", "003"), ("Lead", "00Q")] {
        let s = global.sobjects.iter().find(|s| s.name == name).expect(name);
        assert_eq!(s.key_prefix.as_deref(), Some(prefix));
    }
    let account = client.describe("Account").await.expect("describe");
    assert!(account.field("Name").expect("Name").required_on_create());
    assert_eq!(
        account.field("Industry").expect("Industry").field_type,
        "picklist"
    );
    let contact = client.describe("Contact").await.expect("contact");
    assert_eq!(
        contact.field("AccountId").expect("AccountId").reference_to,
        vec!["Account"]
    );
    let lead = client.describe("Lead").await.expect("lead");
    assert!(
        !lead
            .field("Status")
            .expect("Status")
            .picklist_values
            .is_empty()
    );
    let before = org.api_usage();
    let again = client.describe("account").await.expect("cached");
    assert!(Arc::ptr_eq(&account, &again));
    assert_eq!(org.api_usage(), before, "served from the cache");
    let e = client.describe("NoSuchThing").await.expect_err("unknown");
    assert_eq!(e.error_code(), Some("NOT_FOUND"));
}

#[tokio::test]
async fn query_pages_2000_plus_500() {
    let org = org_with(MockOrgConfig {
        records: 2500,
        ..MockOrgConfig::default()
    })
    .await;
    let client = client(&org);
    let pages: Vec<_> = client
        .query_stream("SELECT Id, Name FROM Account", QueryOptions::default())
        .collect()
        .await;
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| p.as_ref().expect("page").records.len())
        .collect();
    assert_eq!(sizes, vec![2000, 500]);
    assert_eq!(pages[0].as_ref().expect("page").total_size, 2500);

    let opts = QueryOptions {
        include_deleted: true,
        batch_size: Some(1000),
    };
    let pages: Vec<_> = client
        .query_stream("SELECT Id FROM Account", opts)
        .collect()
        .await;
    assert!(
        pages
            .iter()
            .all(|p| p.as_ref().expect("page").records.len() <= 1000)
    );
    assert_eq!(pages.len(), 3);
}

#[tokio::test]
async fn query_first_page_more_and_all() {
    let org = org().await;
    let client = client(&org);
    let first = client
        .query("SELECT Id, Name, Industry FROM Account ORDER BY Name")
        .await
        .expect("q");
    assert!(first.total_size > 0);
    if let Some(next) = &first.next_records_url {
        client.query_more(next).await.expect("more");
    }
    let all = client
        .query_all("SELECT COUNT() FROM Account")
        .await
        .expect("queryAll");
    assert!(all.done);
    let c = client
        .query("SELECT LastName, Account.Name FROM Contact WHERE Account.Name != null LIMIT 3")
        .await
        .expect("parent path");
    assert!(c.records[0]["Account"]["Name"].is_string());
}

#[tokio::test]
async fn query_errors() {
    let org = org().await;
    let client = client(&org);
    for (soql, code) in [
        ("SELECT Id FRM Account", "MALFORMED_QUERY"),
        ("SELECT Nope__x FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM NoSuchObject", "INVALID_TYPE"),
    ] {
        let e = client.query(soql).await.expect_err(soql);
        assert_eq!(e.error_code(), Some(code), "{soql}: {e}");
        assert_eq!(e.status(), Some(400));
    }
}

#[tokio::test]
async fn contact_crud_and_dml_errors() {
    let org = org().await;
    let client = client(&org);
    let account = client
        .query("SELECT Id FROM Account LIMIT 1")
        .await
        .expect("q")
        .records[0]["Id"]
        .as_str()
        .expect("id")
        .to_string();
    let id = client
        .create_record(
            "Contact",
            &map(json!({"LastName": "Ng", "AccountId": account})),
        )
        .await
        .expect("create");
    assert_eq!(id.len(), 18);
    assert!(id.starts_with("003"));

    let rec = client
        .get_record("Contact", &id, Some(&["LastName", "AccountId"]))
        .await
        .expect("get");
    assert_eq!(rec.fields["LastName"], "Ng");
    let lm = rec.last_modified.expect("Last-Modified");
    client
        .update_record("Contact", &id, &map(json!({"Title": "CTO"})), Some(lm))
        .await
        .expect("update with the server's Last-Modified");
    let stale = lm
        .checked_sub(jiff::SignedDuration::from_hours(24))
        .expect("ts");
    let e = client
        .update_record("Contact", &id, &map(json!({"Title": "CEO"})), Some(stale))
        .await
        .expect_err("stale");
    assert!(matches!(e, ApiError::PreconditionFailed { .. }), "{e:?}");
    let rec = client.get_record("Contact", &id, None).await.expect("get");
    assert_eq!(rec.fields["Title"], "CTO");

    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "Contact",
            json!({"FirstName": "No Last"}),
            "REQUIRED_FIELD_MISSING",
        ),
        (
            "Contact",
            json!({"LastName": "x".repeat(81)}),
            "STRING_TOO_LONG",
        ),
        (
            "Account",
            json!({"Name": "A", "CleanStatus": "Bogus"}),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        ),
        (
            "Contact",
            json!({"LastName": "A", "CreatedDate": "2020-01-01T00:00:00Z"}),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
        ),
        (
            "Contact",
            json!({"LastName": "A", "Nope__x": 1}),
            "INVALID_FIELD",
        ),
    ];
    for (sobject, body, code) in cases {
        let e = client
            .create_record(sobject, &map(body))
            .await
            .expect_err(code);
        assert_eq!(e.error_code(), Some(code), "{e}");
        assert_eq!(e.status(), Some(400));
    }
    let e = client
        .create_record("Lead", &map(json!({"LastName": "L"})))
        .await
        .expect_err("Company");
    match &e {
        ApiError::Api { errors, .. } => assert!(errors[0].fields.iter().any(|f| f == "Company")),
        other => panic!("unexpected {other:?}"),
    }

    let raw = client
        .send_raw(
            reqwest::Method::POST,
            &format!(
                "/services/data/{}/sobjects/Contact",
                client.api_version().await.expect("v").path_segment()
            ),
            vec![("Content-Type".into(), "application/json".into())],
            Some(bytes::Bytes::from_static(b"{\"LastName\": ")),
        )
        .await
        .expect("raw");
    assert_eq!(raw.status.as_u16(), 400);
    assert!(String::from_utf8_lossy(&raw.body).contains("JSON_PARSER_ERROR"));

    client.delete_record("Contact", &id).await.expect("delete");
    let e = client
        .get_record("Contact", &id, None)
        .await
        .expect_err("deleted");
    assert!(
        matches!(e.error_code(), Some("ENTITY_IS_DELETED" | "NOT_FOUND")),
        "{e}"
    );
    let e = client
        .delete_record("Contact", &id)
        .await
        .expect_err("deleted twice");
    assert_eq!(e.error_code(), Some("ENTITY_IS_DELETED"));
    let e = client
        .get_record("Contact", "003000000000000AAA", None)
        .await
        .expect_err("404");
    assert_eq!(e.error_code(), Some("NOT_FOUND"));
    assert_eq!(e.status(), Some(404));
}

#[tokio::test]
async fn account_etag_and_composite_create() {
    let org = org().await;
    let client = client(&org);
    let id = client
        .query("SELECT Id FROM Account LIMIT 1")
        .await
        .expect("q")
        .records[0]["Id"]
        .as_str()
        .expect("id")
        .to_string();
    let rec = client.get_record("Account", &id, None).await.expect("get");
    assert!(rec.etag.is_some(), "Account has an ETag");

    let good = map(json!({"attributes": {"type": "Account"}, "Name": "Composite A"}));
    let bad = map(json!({"attributes": {"type": "Contact"}, "FirstName": "No last"}));
    let results = client
        .create_records(vec![good.clone(), bad.clone()], false)
        .await
        .expect("partial");
    assert!(results[0].success && results[0].id.is_some());
    assert!(!results[1].success);
    assert_eq!(results[1].errors[0].error_code, "REQUIRED_FIELD_MISSING");
    let results = client
        .create_records(vec![good, bad], true)
        .await
        .expect("all or none");
    assert!(results.iter().all(|r| !r.success));
    assert_eq!(
        results[0].errors[0].error_code,
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
}

#[tokio::test]
async fn limits_and_limit_header() {
    let org = org().await;
    let client = client(&org);
    let watch = client.limit_watch();
    let limits = client.limits().await.expect("limits");
    let daily = limits.get("DailyApiRequests").expect("DailyApiRequests");
    assert_eq!(daily.max, 15000);
    let info = (*watch.borrow()).expect("Sforce-Limit-Info seen");
    assert_eq!(info.max, 15000);
    assert_eq!(info.used, org.api_usage());
}

#[tokio::test]
async fn daily_limit_exceeded() {
    let org = org_with(MockOrgConfig {
        api_daily_limit: 3,
        ..MockOrgConfig::default()
    })
    .await;
    let client = client(&org);
    let mut last = None;
    for _ in 0..6 {
        if let Err(e) = client.limits().await {
            last = Some(e);
            break;
        }
    }
    let e = last.expect("limit reached");
    assert_eq!(e.error_code(), Some("REQUEST_LIMIT_EXCEEDED"));
    assert_eq!(e.status(), Some(403));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expire_all_tokens_renews_once_for_concurrent_calls() {
    let org = org().await;
    let client = client(&org);
    client.login(RenewReason::Initial).await.expect("login");
    client.api_version().await.expect("version");
    org.expire_all_tokens();
    let mut watch = client.token_watch();
    watch.borrow_and_update();
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.query("SELECT Id FROM Account LIMIT 5").await })
        })
        .collect();
    for call in calls {
        call.await.expect("join").expect("query after renewal");
    }
    assert_eq!(client.token_requests(), 2, "one shared renewal");
    let token = watch.borrow_and_update().clone().expect("published");
    assert_eq!(token.reason, RenewReason::InvalidSession);
}

/// The org's API usage once the stream holds the page it fetched ahead (waiting up to 20 s,
/// however slow the machine). By then a request too many would have been started: the stream
/// knows the next page's URL only from that page.
async fn usage_once_it_reaches(
    org: &MockOrg,
    pages: &sfterm::sf::QueryStream,
    expected: u64,
) -> u64 {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while (pages.pages_received() < pages.pages_requested() || org.api_usage() < expected)
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        pages.pages_received(),
        pages.pages_requested(),
        "the page fetched ahead arrives"
    );
    org.api_usage()
}

#[tokio::test]
async fn query_stream_requests_one_page_ahead_and_no_more() {
    let org = org_with(MockOrgConfig {
        records: 1000,
        ..MockOrgConfig::default()
    })
    .await;
    let client = client(&org);
    let opts = QueryOptions {
        include_deleted: false,
        batch_size: Some(200),
    };
    let before = org.api_usage();
    let mut pages = client.query_stream("SELECT Id FROM Account", opts);
    let first = pages.next().await.expect("first").expect("page 1");
    assert_eq!((first.records.len(), first.done), (200, false));
    assert_eq!(
        usage_once_it_reaches(&org, &pages, before + 2).await,
        before + 2,
        "page 1, and page 2 fetched ahead: nothing after it"
    );
    assert_eq!(
        pages.pages_requested(),
        2,
        "page 1 and page 2, nothing after it"
    );
    let second = pages.next().await.expect("second").expect("page 2");
    assert_eq!(second.records.len(), 200);
    assert_eq!(
        usage_once_it_reaches(&org, &pages, before + 3).await,
        before + 3,
        "taking page 2 asks for page 3"
    );
    assert_eq!(
        pages.pages_requested(),
        3,
        "taking page 2 asks for page 3 only"
    );
    let mut all = vec![first, second];
    while let Some(page) = pages.next().await {
        all.push(page.expect("page"));
    }
    let ids: std::collections::HashSet<String> = all
        .iter()
        .flat_map(|p| p.parse().expect("records").records)
        .filter_map(|r| r.get("Id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    assert_eq!(
        (all.len(), ids.len()),
        (5, 1000),
        "five pages, every row once"
    );
}

#[tokio::test]
async fn short_token_ttl_expires_mid_run_and_renews() {
    let ttl = Duration::from_secs(60);
    let org = org_with(MockOrgConfig {
        token_ttl: ttl,
        records: 600,
        ..MockOrgConfig::default()
    })
    .await;
    let client = client(&org);
    let before = org.api_usage();
    let mut pages = client.query_stream(
        "SELECT Id FROM Account",
        QueryOptions {
            include_deleted: false,
            batch_size: Some(200),
        },
    );
    pages.next().await.expect("first").expect("page 1");
    // Page 2 is requested ahead when page 1 arrives: once the org has taken that call, the
    // token goes idle past its timeout on the org's clock (no waiting).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while org.api_usage() < before + 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "page 2 was never requested ahead"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    org.advance_clock(ttl * 2);
    // Page 2 was requested ahead, when page 1 arrived, with the live token.
    pages.next().await.expect("second").expect("page 2");
    assert_eq!(client.token_requests(), 1);
    // The token expired before page 3 was requested: it renews and continues.
    pages
        .next()
        .await
        .expect("third")
        .expect("page 3 after renewal");
    assert_eq!(client.token_requests(), 2);
    assert_eq!(
        client.token().expect("token").reason,
        RenewReason::InvalidSession
    );
}

#[tokio::test]
async fn tls_with_and_without_ca_file() {
    let org = org_with(MockOrgConfig {
        tls: true,
        ..MockOrgConfig::default()
    })
    .await;
    assert_eq!(org.instance_url().scheme(), "https");
    let client = client(&org);
    client
        .login(RenewReason::Initial)
        .await
        .expect("trusted via ca_file");
    let mut c = connection(&org, org.client_id(), org.client_secret());
    c.ca_file = None;
    let e = SfClient::new(c)
        .expect("client")
        .login(RenewReason::Initial)
        .await
        .expect_err("untrusted");
    assert!(matches!(e, ApiError::Tls { .. }), "{e:?}");
    assert!(e.diagnosis().fix.contains("ca_file"));
}

/// sObject Collections writes of many records (#21): calls of 200, `allOrNone` false, each
/// record's result by position; a call refused without being run (429) is sent again, one that
/// failed after it was sent is not (its records get the call's error, the calls after it are
/// not made).
#[tokio::test]
async fn collections_update_and_delete_go_in_calls_of_200_with_results_by_position() {
    use sfterm::sf::{COLLECTION_LIMIT, RowError};
    let org = org_with(MockOrgConfig {
        records: 260,
        ..MockOrgConfig::default()
    })
    .await;
    let client = client(&org);
    let ids: Vec<String> = client
        .query("SELECT Id FROM Account")
        .await
        .expect("query")
        .records
        .iter()
        .map(|r| r["Id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!((ids.len(), COLLECTION_LIMIT), (260, 200));
    org.reject_writes(&ids[3], "Industry is locked");
    org.reject_writes(&ids[230], "Industry is locked");
    let fields = map(json!({"Industry": "Energy"}));
    let before = org.api_usage();
    let results = client
        .update_records("Account", &ids[..250], &fields)
        .await
        .expect("sent");
    assert_eq!(org.api_usage() - before, 2, "two calls: 200 and 50");
    assert_eq!(results.len(), 250);
    for (i, result) in results.iter().enumerate() {
        match result {
            Err(RowError::Record(errors)) if i == 3 || i == 230 => {
                assert_eq!(errors[0].error_code, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
                assert_eq!(errors[0].message, "Industry is locked");
            }
            Ok(()) if i != 3 && i != 230 => {}
            other => panic!("record {i}: {other:?}"),
        }
    }
    let saved = client
        .get_record("Account", &ids[229], Some(&["Industry"]))
        .await
        .expect("get");
    assert_eq!(saved.fields["Industry"], json!("Energy"));

    // 429: refused without being run, so sent again.
    org.fail_next(1, 429);
    let results = client
        .update_records("Account", &ids[..2], &fields)
        .await
        .expect("sent");
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    // 503 after sending: not repeated; the first call's records carry its error, the rest
    // were not sent.
    org.fail_next(1, 503);
    let results = client
        .update_records("Account", &ids[..250], &fields)
        .await
        .expect("answered");
    assert!(
        matches!(
            &results[0],
            Err(RowError::Call(ApiError::MaybeApplied { .. }))
        ),
        "{:?}",
        results[0]
    );
    assert!(matches!(&results[199], Err(RowError::Call(_))));
    assert!(matches!(&results[200], Err(RowError::NotSent)));
    assert!(
        results[0]
            .as_ref()
            .expect_err("failed")
            .to_string()
            .contains("the call failed")
    );

    // Deletes: by position too; the rejected one stays.
    let results = client.delete_records(&ids[..5]).await.expect("sent");
    let codes: Vec<Option<String>> = results
        .iter()
        .map(|r| match r {
            Err(RowError::Record(e)) => Some(e[0].error_code.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(codes[3].as_deref(), Some("DELETE_FAILED"));
    assert_eq!(codes.iter().flatten().count(), 1);
    assert_eq!(org.record_count("Account"), 256);
    let e = client
        .update_records("Account", &["not an id!".to_owned()], &fields)
        .await
        .expect_err("refused before sending");
    assert!(matches!(e, ApiError::InvalidInput(_)), "{e:?}");
}
