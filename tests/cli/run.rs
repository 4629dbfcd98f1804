//! `sfterm run` and `sfterm requests ...` against the mock org, and the exported curl command
//! run with the real `curl` binary.
#![cfg(feature = "mock-org")]

use secrecy::ExposeSecret;
use serde_json::Value;
use sfterm::commands::{CommandError, EXIT_FAILURE, EXIT_USAGE};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::requests::history::{History, HistoryFilter};
use sfterm::requests::request::{Pair, RequestKind, SavedRequest};
use sfterm::requests::store::RequestStore;
use sfterm::sf::SfClient;

use crate::common;

use common::cli::{config_dir, profile_toml, run};

struct Setup {
    org: MockOrg,
    config: tempfile::TempDir,
    data: tempfile::TempDir,
}

async fn setup() -> Setup {
    let org = MockOrg::start(MockOrgConfig {
        port: 0,
        records: 5,
        ..Default::default()
    })
    .await
    .expect("mock org starts");
    let config = config_dir(&profile_toml(
        "mock",
        &org,
        org.client_id(),
        org.client_secret(),
    ));
    let data = tempfile::tempdir().expect("temp dir");
    Setup { org, config, data }
}

impl Setup {
    fn store(&self) -> RequestStore {
        RequestStore::new(self.data.path())
    }

    async fn run(&self, args: &[&str]) -> (Result<(), CommandError>, String) {
        let data = self.data.path().to_str().expect("utf-8 path").to_string();
        let mut all: Vec<&str> = Vec::new();
        all.extend_from_slice(args);
        all.extend_from_slice(&["--data-dir", &data]);
        run(self.config.path(), &all).await
    }

    async fn client(&self) -> SfClient {
        common::org::logged_in_client(&self.org).await
    }
}

fn echo_request() -> SavedRequest {
    let mut r = SavedRequest::new("Echo", "POST", "/services/apexrest/echo/{{account_id}}");
    r.folder = vec!["Demo".into()];
    r.params.push(Pair::new("v", "{{api_version}}"));
    r.params.push(Pair::new("q", "it's & more"));
    r.headers
        .push(Pair::new("Content-Type", "application/json"));
    r.body = Some("{\"name\": \"O'Brien\", \"org\": \"{{org_id}}\"}".into());
    r
}

#[tokio::test]
async fn run_sends_the_saved_request_and_records_it() {
    let s = setup().await;
    s.store().save(&echo_request()).expect("save");
    s.store()
        .set_variable("mock", "account_id", "001PROFILE")
        .expect("set variable");

    let (result, out) = s.run(&["run", "Echo"]).await;
    result.expect("run succeeds");
    let v: Value = serde_json::from_str(&out).expect("pretty JSON body");
    assert!(out.contains("\n  "), "pretty printed: {out}");
    assert_eq!(v["method"], "POST", "{v}");
    assert!(
        v["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("/echo/001PROFILE")),
        "{v}"
    );
    assert_eq!(v["params"]["q"], "it's & more", "{v}");
    let body = v["body"].to_string();
    assert!(body.contains("O'Brien") && body.contains("00D"), "{v}");

    // --var overrides the profile's value; --json wraps the response.
    let (result, out) = s
        .run(&["run", "Demo/Echo", "--var", "account_id=001CLI", "--json"])
        .await;
    result.expect("run succeeds");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["status"], 200);
    assert!(
        v["body"]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("/echo/001CLI")),
        "{v}"
    );

    let history = History::new(s.data.path())
        .load(&HistoryFilter::default())
        .expect("history");
    assert_eq!(history.entries.len(), 2);
    let newest = &history.entries[0];
    assert!(newest.url.contains("/echo/001CLI"), "{newest:?}");
    assert_eq!(newest.profile, "mock");
    assert_eq!(newest.status, 200);
    let text = std::fs::read_to_string(History::new(s.data.path()).path()).expect("read");
    let token = s.client().await.token().expect("token");
    let org_prefix = format!("{}!", &token.org_id[..15]);
    assert!(
        !text.contains(&org_prefix),
        "a token leaked into the history: {text}"
    );
    assert!(text.contains("Bearer REDACTED"));
}

#[tokio::test]
async fn run_exits_1_on_404_and_2_on_unknown_variables() {
    let s = setup().await;
    s.store()
        .save(&SavedRequest::new(
            "Missing",
            "GET",
            "/services/apexrest/nothing/here",
        ))
        .expect("save");
    s.store().save(&echo_request()).expect("save");

    let (result, out) = s.run(&["run", "Missing"]).await;
    let err = result.expect_err("404 fails");
    assert_eq!(err.code, EXIT_FAILURE);
    assert!(err.message.contains("HTTP 404"), "{}", err.message);
    assert!(
        out.contains("NOT_FOUND"),
        "the body is still printed: {out}"
    );

    // account_id is not defined: nothing is sent.
    let (result, _) = s.run(&["run", "Echo"]).await;
    let err = result.expect_err("unknown variable");
    assert_eq!(err.code, EXIT_USAGE);
    assert!(err.message.contains("{{account_id}}"), "{}", err.message);

    let (result, _) = s.run(&["run", "No such request"]).await;
    assert_eq!(result.expect_err("not found").code, EXIT_USAGE);

    let history = History::new(s.data.path())
        .load(&HistoryFilter::default())
        .expect("history");
    assert_eq!(history.entries.len(), 1, "only the 404 was sent");
    assert_eq!(history.entries[0].status, 404);
}

#[tokio::test]
async fn soap_request_gets_the_session_header_at_send() {
    let s = setup().await;
    let mut r = SavedRequest::new("Order status", "POST", "/services/Soap/class/OrderService");
    r.kind = RequestKind::Soap;
    r.body = Some(
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:ord=\"http://soap.sforce.com/schemas/class/OrderService\"><soapenv:Body>\
         <ord:status><ord:orderId>801000000000001AAA</ord:orderId></ord:status>\
         </soapenv:Body></soapenv:Envelope>"
            .into(),
    );
    s.store().save(&r).expect("save");
    let (result, out) = s.run(&["run", "Order status"]).await;
    assert!(!out.contains("INVALID_SESSION_ID"), "{out}");
    result.expect("SOAP call succeeds");
    assert!(out.contains("statusResponse"), "{out}");
    let saved = std::fs::read_to_string(s.store().path_for(&[], "Order status")).expect("read");
    assert!(
        !saved.contains("sessionId"),
        "the session is never stored: {saved}"
    );
}

#[tokio::test]
async fn requests_list_and_import_postman() {
    let s = setup().await;
    let file = format!(
        "{}/tests/fixtures/postman/Salesforce API.postman_collection.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let (result, out) = s.run(&["requests", "import-postman", &file]).await;
    result.expect("import");
    assert!(out.starts_with("Imported 43 requests"), "{out}");
    assert!(out.contains("Not mapped:"), "{out}");
    assert!(
        out.contains("Bulk V1/Bulk Create Batch") || out.contains("Bulk Create Batch:"),
        "{out}"
    );
    let (result, out) = s.run(&["requests", "list", "--json"]).await;
    result.expect("list");
    assert_eq!(out.lines().count(), 43);
    let first: Value = serde_json::from_str(out.lines().next().expect("a line")).expect("json");
    assert_eq!(first["folder"][0], "Salesforce API", "{first}");
}

/// Runs a shell command off the runtime's threads (the mock org must keep answering), with
/// `SF_ACCESS_TOKEN` set to `token` or unset.
async fn shell(cmd: &str, token: Option<String>) -> std::process::Output {
    let cmd = format!("{} --max-time 20", cmd.trim());
    tokio::task::spawn_blocking(move || {
        let mut c = std::process::Command::new("sh");
        c.arg("-c").arg(cmd);
        match token {
            Some(t) => c.env("SF_ACCESS_TOKEN", t),
            None => c.env_remove("SF_ACCESS_TOKEN"),
        };
        c.output().expect("curl runs")
    })
    .await
    .expect("join")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exported_curl_returns_the_same_body_as_send_raw() {
    let s = setup().await;
    let mut r = echo_request();
    r.params.retain(|p| p.name != "v");
    s.store().save(&r).expect("save");
    let (result, cmd) = s
        .run(&[
            "requests",
            "export-curl",
            "Echo",
            "--var",
            "account_id=001X",
        ])
        .await;
    result.expect("export");
    assert!(cmd.contains("$SF_ACCESS_TOKEN"), "{cmd}");

    let client = s.client().await;
    let token = client.token().expect("token");
    assert!(!cmd.contains(token.access_token.expose_secret()), "{cmd}");
    let output = shell(&cmd, Some(token.access_token.expose_secret().to_string())).await;
    assert!(output.status.success(), "{output:?}");
    let via_curl: Value = serde_json::from_slice(&output.stdout).expect("curl body is JSON");

    let org_id = token.org_id.clone();
    let body = format!("{{\"name\": \"O'Brien\", \"org\": \"{org_id}\"}}");
    let resp = client
        .send_raw(
            reqwest::Method::POST,
            "/services/apexrest/echo/001X?q=it%27s+%26+more",
            vec![("Content-Type".into(), "application/json".into())],
            Some(body.into()),
        )
        .await
        .expect("send_raw");
    let via_client: Value = serde_json::from_slice(&resp.body).expect("JSON");
    assert_eq!(via_curl, via_client);

    // With --reveal the token is in the command and it works without the variable.
    let (result, cmd) = s
        .run(&[
            "requests",
            "export-curl",
            "Echo",
            "--var",
            "account_id=001X",
            "--reveal",
        ])
        .await;
    result.expect("export");
    assert!(!cmd.contains("SF_ACCESS_TOKEN"), "{cmd}");
    let output = shell(&cmd, None).await;
    let revealed: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(revealed, via_client);
}

#[tokio::test]
async fn import_postman_env_adds_a_profile_without_the_secret() {
    let s = setup().await;
    let env = serde_json::json!({"name": "Acme", "values": [
        {"key": "url", "value": "https://acme.my.salesforce.com", "enabled": true},
        {"key": "clientId", "value": "3MVGkey", "enabled": true},
        {"key": "clientSecret", "value": "TOPSECRET99", "enabled": true},
        {"key": "account_id", "value": "001ENV", "enabled": true}
    ]});
    let file = s.data.path().join("acme.postman_environment.json");
    std::fs::write(&file, env.to_string()).expect("write");
    let path = file.to_str().expect("utf-8").to_string();
    let (result, out) = s
        .run(&[
            "requests",
            "import-postman-env",
            &path,
            "--secret-env",
            "ACME_SECRET",
        ])
        .await;
    result.expect("import");
    assert!(out.contains("Added profile \"Acme\""), "{out}");
    assert!(!out.contains("TOPSECRET99"), "{out}");
    let profiles = std::fs::read_to_string(s.config.path().join("profiles.toml")).expect("read");
    assert!(
        profiles.contains("3MVGkey") && profiles.contains("ACME_SECRET"),
        "{profiles}"
    );
    assert!(!profiles.contains("TOPSECRET99"), "{profiles}");
    let vars = s.store().variables("Acme").expect("variables");
    assert_eq!(vars.get("account_id"), Some("001ENV"));
}
