//! The script commands (`token`, `query`, `record`, `profiles`, `completions`) run in-process
//! against a small fake org (axum on 127.0.0.1): output, `--json` shapes, and every failure
//! exit code (1 login failed with the diagnosis, 2 usage / unknown profile, 3 not found,
//! 4 conflict on 412).
#![cfg(feature = "mock-org")]

use crate::common;

use common::cli::{TestCli, config_dir, run};
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use clap::{CommandFactory, Parser};
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use sfterm::commands::{self, Context, EXIT_CONFLICT, EXIT_FAILURE, EXIT_NOT_FOUND, EXIT_USAGE};

const CLIENT_ID: &str = "cli-test-client";
const CLIENT_SECRET: &str = "cli-test-secret-value";
const ORG: &str = "00DDn00000Org01MAB";
const USER: &str = "005Dn00000IntUsIAJ";
/// How many Accounts the fake org holds (two query pages: 2,000 + 500).
const ACCOUNTS: usize = 2500;
/// When every seeded Account was last modified.
const SEEDED_AT: &str = "2026-01-01T08:00:00Z";

struct Account {
    fields: Map<String, Value>,
    modified: Timestamp,
}

#[derive(Default)]
struct Org {
    base: Mutex<String>,
    token: Mutex<Option<String>>,
    api_calls: AtomicU64,
    accounts: Mutex<Vec<(String, Account)>>,
    created: AtomicU64,
}

type S = State<Arc<Org>>;

fn err(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!([{"message": message, "errorCode": code, "fields": []}])),
    )
        .into_response()
}

fn oauth_err(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// Checks the bearer token; counts the call; adds `Sforce-Limit-Info` to the response.
fn authed(org: &Org, headers: &HeaderMap, make: impl FnOnce() -> Response) -> Response {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    if given.is_none() || given != *org.token.lock().expect("lock") {
        return err(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        );
    }
    let used = org.api_calls.fetch_add(1, Ordering::SeqCst) + 1;
    let mut resp = make();
    if let Ok(v) = HeaderValue::from_str(&format!("api-usage={used}/15000")) {
        resp.headers_mut().insert("sforce-limit-info", v);
    }
    resp
}

async fn token(State(org): S, Form(form): Form<HashMap<String, String>>) -> Response {
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_err("unsupported_grant_type", "grant type not supported");
    }
    if form.get("client_id").map(String::as_str) != Some(CLIENT_ID) {
        return oauth_err("invalid_client_id", "client identifier invalid");
    }
    if form.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET) {
        return oauth_err("invalid_client", "invalid client credentials");
    }
    let access = format!("{ORG}!fake{}", rand::random::<u32>());
    *org.token.lock().expect("lock") = Some(access.clone());
    let base = org.base.lock().expect("lock").clone();
    axum::Json(json!({
        "access_token": access,
        "scope": "api",
        "instance_url": base.trim_end_matches('/'),
        "id": format!("{base}id/{ORG}/{USER}"),
        "token_type": "Bearer",
        "issued_at": Timestamp::now().as_millisecond().to_string(),
    }))
    .into_response()
}

async fn introspect(State(org): S, Form(form): Form<HashMap<String, String>>) -> Response {
    let now = Timestamp::now().as_second();
    if form.get("token") == org.token.lock().expect("lock").as_ref() {
        axum::Json(
            json!({"active": true, "scope": "api", "client_id": CLIENT_ID,
            "username": "integration@acme.example", "token_type": "access_token",
            "exp": now + 7200, "iat": now, "nbf": now}),
        )
        .into_response()
    } else {
        axum::Json(json!({"active": false})).into_response()
    }
}

async fn versions(State(org): S, headers: HeaderMap) -> Response {
    authed(&org, &headers, || {
        axum::Json(
            json!([{"label": "Winter '25", "url": "/services/data/v62.0",
            "version": "62.0"}]),
        )
        .into_response()
    })
}

async fn limits(State(org): S, headers: HeaderMap) -> Response {
    let used = org.api_calls.load(Ordering::SeqCst);
    authed(&org, &headers, || {
        axum::Json(json!({
            "DailyApiRequests": {"Max": 15000, "Remaining": 15000 - used,
                "sfterm": {"Max": 0, "Remaining": 0}},
            "DataStorageMB": {"Max": 5, "Remaining": 5}
        }))
        .into_response()
    })
}

fn account_json(id: &str, a: &Account) -> Value {
    let mut v = Value::Object(a.fields.clone());
    v["attributes"] = json!({"type": "Account",
        "url": format!("/services/data/v62.0/sobjects/Account/{id}")});
    v["Id"] = json!(id);
    v["LastModifiedDate"] = json!(
        a.modified
            .strftime("%Y-%m-%dT%H:%M:%S%.3f+0000")
            .to_string()
    );
    v
}

/// One page (2,000 rows) of `SELECT ... FROM Account`, from row `from`.
fn page(org: &Org, from: usize) -> Value {
    let accounts = org.accounts.lock().expect("lock");
    let total = accounts.len();
    let to = (from + 2000).min(total);
    let records: Vec<Value> = accounts[from.min(total)..to]
        .iter()
        .map(|(id, a)| {
            json!({
                "attributes": {"type": "Account"},
                "Id": id,
                "Name": a.fields.get("Name"),
                "Owner": {"attributes": {"type": "User"}, "Alias": "integ"},
            })
        })
        .collect();
    let mut body = json!({"totalSize": total, "done": to == total, "records": records});
    if to < total {
        body["nextRecordsUrl"] = json!(format!("/services/data/v62.0/query/01gDn00000AbcdE-{to}"));
    }
    body
}

async fn query(
    State(org): S,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    authed(&org, &headers, || {
        let soql = q.get("q").cloned().unwrap_or_default();
        if !soql.contains(" FROM Account") {
            return err(
                StatusCode::BAD_REQUEST,
                "MALFORMED_QUERY",
                "unexpected token: FRM",
            );
        }
        axum::Json(page(&org, 0)).into_response()
    })
}

async fn query_more(State(org): S, Path(locator): Path<String>, headers: HeaderMap) -> Response {
    authed(&org, &headers, || {
        let from = locator
            .rsplit('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        axum::Json(page(&org, from)).into_response()
    })
}

fn not_found() -> Response {
    err(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "The requested resource does not exist",
    )
}

async fn record_get(State(org): S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    authed(&org, &headers, || {
        let accounts = org.accounts.lock().expect("lock");
        let Some((id, a)) = accounts.iter().find(|(i, _)| *i == id) else {
            return not_found();
        };
        let mut resp = axum::Json(account_json(id, a)).into_response();
        if let Ok(t) = std::time::SystemTime::try_from(a.modified)
            && let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(t))
        {
            resp.headers_mut().insert(header::LAST_MODIFIED, v);
        }
        resp
    })
}

async fn record_patch(
    State(org): S,
    Path(id): Path<String>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Map<String, Value>>,
) -> Response {
    authed(&org, &headers, || {
        let mut accounts = org.accounts.lock().expect("lock");
        let Some((_, a)) = accounts.iter_mut().find(|(i, _)| *i == id) else {
            return not_found();
        };
        let since = headers
            .get(header::IF_UNMODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .map(httpdate::parse_http_date);
        match since {
            Some(Err(_)) => return err(StatusCode::BAD_REQUEST, "INVALID_HEADER", "bad date"),
            Some(Ok(since)) => {
                let since = Timestamp::try_from(since).expect("timestamp");
                if a.modified.as_second() > since.as_second() {
                    return err(
                        StatusCode::PRECONDITION_FAILED,
                        "PRECONDITION_FAILED",
                        "The record was modified since the given date",
                    );
                }
            }
            None => {}
        }
        for (k, v) in body {
            a.fields.insert(k, v);
        }
        a.modified = Timestamp::now();
        StatusCode::NO_CONTENT.into_response()
    })
}

async fn record_delete(State(org): S, Path(id): Path<String>, headers: HeaderMap) -> Response {
    authed(&org, &headers, || {
        let mut accounts = org.accounts.lock().expect("lock");
        match accounts.iter().position(|(i, _)| *i == id) {
            Some(i) => {
                accounts.remove(i);
                StatusCode::NO_CONTENT.into_response()
            }
            None => not_found(),
        }
    })
}

async fn record_create(
    State(org): S,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Map<String, Value>>,
) -> Response {
    authed(&org, &headers, || {
        if !body.contains_key("Name") {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!([{"message": "Required fields are missing: [Name]",
                    "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["Name"]}])),
            )
                .into_response();
        }
        let n = org.created.fetch_add(1, Ordering::SeqCst);
        let id = format!("001Dn000NEW{n:04}AAA");
        org.accounts.lock().expect("lock").push((
            id.clone(),
            Account {
                fields: body,
                modified: Timestamp::now(),
            },
        ));
        (
            StatusCode::CREATED,
            axum::Json(json!({"id": id, "success": true, "errors": []})),
        )
            .into_response()
    })
}

/// The id of seeded Account `i`.
fn account_id(i: usize) -> String {
    format!("001Dn00{i:06}AbIAV")
}

/// Starts the fake org; returns its base URL (`http://127.0.0.1:PORT/`) and state.
async fn start_org() -> (String, Arc<Org>) {
    let org = Arc::new(Org::default());
    {
        let seeded: Timestamp = SEEDED_AT.parse().expect("timestamp");
        let mut accounts = org.accounts.lock().expect("lock");
        for i in 0..ACCOUNTS {
            let mut fields = Map::new();
            fields.insert("Name".into(), json!(format!("Account {i}, Inc.")));
            fields.insert("Industry".into(), json!("Banking"));
            accounts.push((
                account_id(i),
                Account {
                    fields,
                    modified: seeded,
                },
            ));
        }
    }
    let app = Router::new()
        .route("/services/oauth2/token", post(token))
        .route("/services/oauth2/introspect", post(introspect))
        .route("/services/data/", get(versions))
        .route("/services/data/v62.0/limits", get(limits))
        .route("/services/data/v62.0/query", get(query))
        .route("/services/data/v62.0/queryAll", get(query))
        .route("/services/data/v62.0/query/{locator}", get(query_more))
        .route("/services/data/v62.0/sobjects/Account", post(record_create))
        .route(
            "/services/data/v62.0/sobjects/Account/{id}",
            get(record_get).patch(record_patch).delete(record_delete),
        )
        .with_state(org.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    *org.base.lock().expect("lock") = base.clone();
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (base, org)
}

fn profile_toml(name: &str, base: &str, secret: &str) -> String {
    format!(
        "[[profile]]\nname = \"{name}\"\nendpoint = \"{base}\"\nclient_id = \"{CLIENT_ID}\"\n\
         secret = {{ source = \"plain\", value = \"{secret}\" }}\n"
    )
}

async fn org_and_dir() -> (tempfile::TempDir, Arc<Org>) {
    let (base, org) = start_org().await;
    let dir = config_dir(&profile_toml("fake", &base, CLIENT_SECRET));
    (dir, org)
}

#[test]
fn command_line_definition_is_consistent() {
    TestCli::command().debug_assert();
}

#[tokio::test]
async fn token_shows_status_and_hides_the_token_unless_revealed() {
    let (dir, org) = org_and_dir().await;
    let (result, out) = run(dir.path(), &["token"]).await;
    result.expect("token ok");
    for needle in [
        "Status      active",
        "User        integration@acme.example",
        &format!("User id     {USER}"),
        &format!("Org         {ORG}"),
        "Scopes      api",
        "daily requests used",
        "Limit info  api-usage=",
    ] {
        assert!(out.contains(needle), "{needle:?} missing in\n{out}");
    }
    let access = org
        .token
        .lock()
        .expect("lock")
        .clone()
        .expect("token issued");
    assert!(!out.contains(&access), "token leaked:\n{out}");
    assert!(!out.contains(CLIENT_SECRET), "secret leaked:\n{out}");

    let (result, out) = run(dir.path(), &["token", "--json", "--reveal"]).await;
    result.expect("token --json ok");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    let access = org
        .token
        .lock()
        .expect("lock")
        .clone()
        .expect("token issued");
    assert_eq!(v["access_token"], json!(access));
    assert_eq!(v["active"], json!(true));
    assert_eq!(v["org_id"], json!(ORG));
    assert_eq!(v["expires_source"], json!("introspection"));
    assert!(
        v["remaining_secs"].as_i64().is_some_and(|s| s > 7000),
        "{v}"
    );
    assert_eq!(v["api_usage"]["daily_max"], json!(15000));
    assert_eq!(v["limit_info"]["max"], json!(15000));

    let (result, out) = run(dir.path(), &["token", "--json"]).await;
    result.expect("token --json ok");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert!(v.get("access_token").is_none(), "{v}");
}

#[tokio::test]
async fn wrong_secret_fails_with_the_diagnosis() {
    let (base, _org) = start_org().await;
    let dir = config_dir(&profile_toml("fake", &base, "not-the-secret"));
    let (result, out) = run(dir.path(), &["token"]).await;
    let e = result.expect_err("login must fail");
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(e.message.contains("Wrong consumer secret"), "{}", e.message);
    assert!(e.message.contains("Fix: "), "{}", e.message);
    assert!(!e.message.contains("not-the-secret"), "{}", e.message);
    assert!(out.is_empty(), "{out}");
}

#[tokio::test]
async fn profile_choice_and_unknown_profile() {
    let (base, _org) = start_org().await;
    let two = format!(
        "{}\n{}",
        profile_toml("first", &base, CLIENT_SECRET),
        profile_toml("second", &base, CLIENT_SECRET)
    );
    let dir = config_dir(&two);
    let (result, _) = run(dir.path(), &["token"]).await;
    let e = result.expect_err("ambiguous");
    assert_eq!(e.code, EXIT_USAGE);
    assert!(
        e.message.contains("first") && e.message.contains("second"),
        "{}",
        e.message
    );

    let (result, _) = run(dir.path(), &["-p", "nope", "token"]).await;
    let e = result.expect_err("unknown profile");
    assert_eq!(e.code, EXIT_USAGE);
    assert!(e.message.contains("nope"), "{}", e.message);

    let (result, out) = run(dir.path(), &["token", "--profile", "second", "--json"]).await;
    result.expect("named profile works");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["profile"], json!("second"));

    let empty = tempfile::tempdir().expect("temp");
    let (result, _) = run(empty.path(), &["token"]).await;
    assert_eq!(result.expect_err("no profiles").code, EXIT_USAGE);
}

#[tokio::test]
async fn prompt_profile_without_a_terminal_is_a_usage_error() {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        // Run from an interactive shell the command would (rightly) prompt.
        return;
    }
    let (base, _org) = start_org().await;
    let dir = config_dir(&format!(
        "[[profile]]\nname = \"p\"\nendpoint = \"{base}\"\nclient_id = \"{CLIENT_ID}\"\n\
         secret = {{ source = \"prompt\" }}\n"
    ));
    let (result, _) = run(dir.path(), &["token"]).await;
    let e = result.expect_err("prompt needs a terminal");
    assert_eq!(e.code, EXIT_USAGE);
    assert!(e.message.contains("env or command"), "{}", e.message);
}

#[tokio::test]
async fn query_all_pages_as_csv_and_ndjson() {
    let (dir, _org) = org_and_dir().await;
    let soql = "SELECT Id, Name, Owner.Alias FROM Account";
    let (result, out) = run(dir.path(), &["query", soql, "--all", "--format", "csv"]).await;
    result.expect("csv");
    let lines: Vec<&str> = out.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), ACCOUNTS + 1, "header + every row");
    assert_eq!(lines[0], "Id,Name,Owner.Alias");
    assert_eq!(
        lines[1],
        format!("{},\"Account 0, Inc.\",integ", account_id(0))
    );
    assert_eq!(
        lines[ACCOUNTS],
        format!(
            "{},\"Account {}, Inc.\",integ",
            account_id(ACCOUNTS - 1),
            ACCOUNTS - 1
        )
    );

    let (result, out) = run(dir.path(), &["query", soql, "--format", "ndjson"]).await;
    result.expect("ndjson");
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(rows.len(), ACCOUNTS);
    assert_eq!(rows[2000]["Id"], json!(account_id(2000)));
    assert!(rows.iter().all(|r| r.get("attributes").is_none()));
    assert_eq!(rows[0]["Owner"], json!({"Alias": "integ"}));
}

#[tokio::test]
async fn query_json_table_and_out_file() {
    let (dir, _org) = org_and_dir().await;
    let file = dir.path().join("accounts.json");
    let file_arg = file.to_str().expect("utf-8 path");
    let soql = "SELECT Id, Name FROM Account";
    let (result, out) = run(
        dir.path(),
        &["query", soql, "--format", "json", "--out", file_arg],
    )
    .await;
    result.expect("json to file");
    assert!(out.is_empty(), "stdout must stay empty with --out: {out}");
    let text = std::fs::read_to_string(&file).expect("read out file");
    assert!(text.starts_with("[\n{"), "{}", &text[..40.min(text.len())]);
    let v: Value = serde_json::from_str(&text).expect("one JSON array");
    assert_eq!(v.as_array().map(Vec::len), Some(ACCOUNTS));

    let (result, out) = run(dir.path(), &["query", soql]).await;
    result.expect("table");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), ACCOUNTS + 2, "header, rule, rows");
    assert!(lines[0].starts_with("Id "), "{}", lines[0]);
    assert!(lines[0].contains("Owner.Alias"), "{}", lines[0]);
    assert!(lines[1].starts_with("──"), "{}", lines[1]);
}

#[tokio::test]
async fn query_errors_exit_1_with_the_diagnosis() {
    let (dir, _org) = org_and_dir().await;
    let file = dir.path().join("bad.json");
    let (result, out) = run(
        dir.path(),
        &[
            "query",
            "SELECT Id FRM Account",
            "--format",
            "json",
            "--out",
            file.to_str().expect("utf-8"),
        ],
    )
    .await;
    let e = result.expect_err("malformed");
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(
        e.message.contains("Query or field problem"),
        "{}",
        e.message
    );
    assert_eq!(
        e.message.matches("unexpected token: FRM").count(),
        1,
        "{}",
        e.message
    );
    assert!(out.is_empty(), "{out}");
    assert!(!file.exists(), "no file when the first page failed");
    let (result, out) = run(
        dir.path(),
        &["query", "SELECT Id FRM Account", "--format", "json"],
    )
    .await;
    assert_eq!(result.expect_err("malformed").code, EXIT_FAILURE);
    assert!(
        out.is_empty(),
        "nothing printed before the first page: {out}"
    );

    let (result, _) = run(dir.path(), &["query", "  "]).await;
    assert_eq!(result.expect_err("empty").code, EXIT_USAGE);

    let bad_out = dir.path().join("missing-dir").join("x.csv");
    let (result, _) = run(
        dir.path(),
        &[
            "query",
            "SELECT Id FROM Account",
            "--out",
            bad_out.to_str().expect("utf-8"),
        ],
    )
    .await;
    assert_eq!(result.expect_err("bad --out").code, EXIT_USAGE);
}

#[tokio::test]
async fn record_get_create_update_delete() {
    let (dir, org) = org_and_dir().await;
    let id = account_id(7);

    let (result, out) = run(dir.path(), &["record", "get", "Account", &id]).await;
    result.expect("get");
    assert!(out.contains("Name              Account 7, Inc."), "{out}");
    let (result, out) = run(dir.path(), &["record", "get", "Account", &id, "--json"]).await;
    result.expect("get --json");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["Id"], json!(id));
    assert!(v.get("attributes").is_none());

    let (result, out) = run(
        dir.path(),
        &[
            "record",
            "create",
            "Account",
            "Name=New Co",
            "NumberOfEmployees=12",
            "Tags:=[1,2]",
        ],
    )
    .await;
    result.expect("create");
    let new_id = out.trim().to_string();
    assert!(new_id.starts_with("001"), "{out}");
    {
        let accounts = org.accounts.lock().expect("lock");
        let (_, created) = accounts.iter().find(|(i, _)| *i == new_id).expect("stored");
        assert_eq!(created.fields["Name"], json!("New Co"));
        assert_eq!(created.fields["NumberOfEmployees"], json!(12));
        assert_eq!(created.fields["Tags"], json!([1, 2]));
    }
    let (result, out) = run(
        dir.path(),
        &["record", "create", "Account", "Name=X", "--json"],
    )
    .await;
    result.expect("create --json");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["success"], json!(true));

    let (result, _) = run(
        dir.path(),
        &["record", "create", "Account", "Industry=Banking"],
    )
    .await;
    let e = result.expect_err("missing Name");
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(
        e.message.contains("REQUIRED_FIELD_MISSING"),
        "{}",
        e.message
    );

    // Unconditional update, then one guarded by the seed time (unchanged since → ok).
    let (result, out) = run(
        dir.path(),
        &[
            "record",
            "update",
            "Account",
            &account_id(8),
            "Industry=Energy",
            "--if-unmodified-since",
            SEEDED_AT,
        ],
    )
    .await;
    result.expect("guarded update of an unchanged record");
    assert!(out.contains("Updated Account"), "{out}");
    // Now it changed after SEEDED_AT: 412 → exit 4.
    let (result, _) = run(
        dir.path(),
        &[
            "record",
            "update",
            "Account",
            &account_id(8),
            "Industry=Retail",
            "--expect-last-modified",
            "2026-01-01T08:00:00.000+0000",
        ],
    )
    .await;
    let e = result.expect_err("conflict");
    assert_eq!(e.code, EXIT_CONFLICT);
    assert!(e.message.contains("412"), "{}", e.message);
    assert!(
        e.message.contains("Record changed meanwhile"),
        "{}",
        e.message
    );
    {
        let accounts = org.accounts.lock().expect("lock");
        let (_, a) = accounts
            .iter()
            .find(|(i, _)| *i == account_id(8))
            .expect("exists");
        assert_eq!(
            a.fields["Industry"],
            json!("Energy"),
            "refused update left no trace"
        );
    }

    let (result, out) = run(dir.path(), &["record", "delete", "Account", &id]).await;
    result.expect("delete");
    assert!(out.contains("Deleted Account"), "{out}");
    let (result, _) = run(dir.path(), &["record", "get", "Account", &id]).await;
    assert_eq!(result.expect_err("gone").code, EXIT_NOT_FOUND);
    let (result, _) = run(dir.path(), &["record", "delete", "Account", &id]).await;
    assert_eq!(result.expect_err("gone").code, EXIT_NOT_FOUND);
    let (result, _) = run(dir.path(), &["record", "update", "Account", &id, "Name=x"]).await;
    assert_eq!(result.expect_err("gone").code, EXIT_NOT_FOUND);
}

#[tokio::test]
async fn record_usage_errors_exit_2_before_any_call() {
    let (dir, org) = org_and_dir().await;
    for args in [
        &["record", "get", "Account", "not-an-id"][..],
        &["record", "create", "Account", "NoEquals"],
        &[
            "record",
            "update",
            "Account",
            &account_id(1),
            "Name=x",
            "--if-unmodified-since",
            "yesterday",
        ],
        &["record", "get", "Acc/ount", &account_id(1)],
    ] {
        let (result, _) = run(dir.path(), args).await;
        assert_eq!(result.expect_err("usage").code, EXIT_USAGE, "{args:?}");
    }
    assert_eq!(org.api_calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn profiles_add_list_show_remove() {
    let dir = tempfile::tempdir().expect("temp");
    let (result, out) = run(
        dir.path(),
        &[
            "profiles",
            "add",
            "--name",
            "prod",
            "--endpoint",
            "https://acme.my.salesforce.com/lightning/page/home",
            "--client-id",
            "3MVG9abc",
            "--secret-env",
            "SF_SECRET",
            "--auth",
            "basic",
            "--api-version",
            "62.0",
        ],
    )
    .await;
    result.expect("add");
    assert!(out.contains("Added profile \"prod\""), "{out}");
    let (result, _) = run(
        dir.path(),
        &[
            "profiles",
            "add",
            "--name",
            "local",
            "--endpoint",
            "http://127.0.0.1:8484",
            "--client-id",
            "id",
            "--secret-command",
            "pass show sf/local",
        ],
    )
    .await;
    result.expect("add second");

    let (result, out) = run(dir.path(), &["profiles", "list"]).await;
    result.expect("list");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("NAME"), "{out}");
    assert!(
        lines[1].contains("https://acme.my.salesforce.com")
            && lines[1].contains("my-domain")
            && lines[1].contains("env"),
        "{out}"
    );
    assert!(
        lines[2].contains("local") && lines[2].contains("command"),
        "{out}"
    );

    let (result, out) = run(dir.path(), &["profiles", "list", "--json"]).await;
    result.expect("list --json");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        v[0],
        json!({"name": "prod", "endpoint": "https://acme.my.salesforce.com", "kind": "my-domain", "flow": "client_credentials", "secret_source": "env", "default": false})
    );

    let (result, out) = run(dir.path(), &["profiles", "show", "prod", "--json"]).await;
    result.expect("show --json");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["auth_style"], json!("basic"));
    assert_eq!(v["api_version"], json!("62.0"));
    assert_eq!(v["secret_env"], json!("SF_SECRET"));
    let (result, out) = run(dir.path(), &["profiles", "show", "local"]).await;
    result.expect("show");
    assert!(
        out.contains("Secret      command pass show sf/local"),
        "{out}"
    );

    // Invalid, duplicate, unknown → exit 2.
    let (result, _) = run(
        dir.path(),
        &[
            "profiles",
            "add",
            "--name",
            "bad",
            "--endpoint",
            "http://example.com",
            "--client-id",
            "x",
        ],
    )
    .await;
    let e = result.expect_err("insecure endpoint");
    assert_eq!(e.code, EXIT_USAGE);
    assert!(e.message.contains("endpoint"), "{}", e.message);
    let (result, _) = run(
        dir.path(),
        &[
            "profiles",
            "add",
            "--name",
            "prod",
            "--endpoint",
            "https://x.my.salesforce.com",
            "--client-id",
            "x",
        ],
    )
    .await;
    assert_eq!(result.expect_err("name taken").code, EXIT_USAGE);
    let (result, _) = run(dir.path(), &["profiles", "show", "nope"]).await;
    assert_eq!(result.expect_err("unknown").code, EXIT_USAGE);
    let (result, _) = run(dir.path(), &["profiles", "remove", "nope"]).await;
    assert_eq!(result.expect_err("unknown").code, EXIT_USAGE);

    let (result, _) = run(dir.path(), &["profiles", "remove", "prod"]).await;
    result.expect("remove");
    let (result, out) = run(dir.path(), &["profiles", "list", "--json"]).await;
    result.expect("list");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    assert_eq!(v[0]["name"], json!("local"));
}

#[tokio::test]
async fn plain_secrets_are_never_printed_by_profiles() {
    let dir = config_dir(&profile_toml(
        "p",
        "https://acme.my.salesforce.com",
        "plain-secret-xyz",
    ));
    for args in [
        &["profiles", "list"][..],
        &["profiles", "list", "--json"],
        &["profiles", "show", "p"],
        &["profiles", "show", "p", "--json"],
    ] {
        let (result, out) = run(dir.path(), args).await;
        result.expect("ok");
        assert!(!out.contains("plain-secret-xyz"), "{args:?}: {out}");
    }
}

#[tokio::test]
async fn completions_for_each_shell() {
    let dir = tempfile::tempdir().expect("temp");
    for (shell, needle) in [
        ("bash", "_sfterm"),
        ("zsh", "#compdef sfterm"),
        ("fish", "complete -c sfterm"),
    ] {
        let (result, out) = run(dir.path(), &["completions", shell]).await;
        result.expect("completions");
        assert!(
            out.contains(needle),
            "{shell}: {}",
            &out[..200.min(out.len())]
        );
        assert!(
            out.contains("query"),
            "{shell} script knows the subcommands"
        );
    }
}

/// A writer that accepts `limit` bytes, then fails like a closed pipe.
struct ClosedPipe {
    limit: usize,
}

impl Write for ClosedPipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.limit == 0 {
            return Err(std::io::ErrorKind::BrokenPipe.into());
        }
        let n = buf.len().min(self.limit);
        self.limit -= n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_closed_pipe_ends_the_query_quietly() {
    let (dir, _org) = org_and_dir().await;
    let cli = TestCli::try_parse_from([
        "sfterm",
        "query",
        "SELECT Id FROM Account",
        "--format",
        "csv",
    ])
    .expect("parse");
    let ctx = Context {
        config_dir: dir.path().to_path_buf(),
        profile: None,
        stdout: Box::new(ClosedPipe { limit: 100 }),
        stderr_is_terminal: false,
        token_store: None,
        data_dir: Some(dir.path().to_path_buf()),
    };
    commands::run(cli.command, ctx, TestCli::command())
        .await
        .expect("a closed pipe is not a failure");
}

/// `sfterm completions zsh | head -2`, `sfterm man | head`: the reader goes away early.
#[tokio::test]
async fn a_closed_pipe_ends_completions_and_the_man_page_quietly() {
    let dir = tempfile::tempdir().expect("temp");
    for args in [
        &["sfterm", "completions", "zsh"][..],
        &["sfterm", "completions", "bash"],
        &["sfterm", "man"],
    ] {
        let cli = TestCli::try_parse_from(args).expect("parse");
        let ctx = Context {
            config_dir: dir.path().to_path_buf(),
            profile: None,
            stdout: Box::new(ClosedPipe { limit: 100 }),
            stderr_is_terminal: false,
            token_store: None,
            data_dir: Some(dir.path().to_path_buf()),
        };
        commands::run(cli.command, ctx, TestCli::command())
            .await
            .unwrap_or_else(|e| panic!("{args:?}: a closed pipe is not a failure: {e}"));
    }
}

#[tokio::test]
async fn failed_login_leaves_no_out_file() {
    let (base, _org) = start_org().await;
    let dir = config_dir(&profile_toml("fake", &base, "wrong"));
    let file = dir.path().join("out.csv");
    let (result, _) = run(
        dir.path(),
        &[
            "query",
            "SELECT Id FROM Account",
            "--out",
            file.to_str().expect("utf-8"),
        ],
    )
    .await;
    assert_eq!(result.expect_err("login fails").code, EXIT_FAILURE);
    assert!(!file.exists());
}
