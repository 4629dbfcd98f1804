//! Serving modes of the mock org: TLS with the generated CA file, the standalone CLI's env file,
//! and start-up with many records.

use std::time::{Duration, Instant};

use serde_json::Value;
use sfterm::mock_org::cli::{MockOrgArgs, run};
use sfterm::mock_org::{MockOrg, MockOrgConfig};

fn provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

async fn token_status(
    client: &reqwest::Client,
    base: &str,
    id: &str,
    secret: &str,
) -> (u16, Value) {
    let response = client
        .post(format!(
            "{}/services/oauth2/token",
            base.trim_end_matches('/')
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .expect("token request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn tls_with_the_ca_file() {
    provider();
    let org = MockOrg::start(MockOrgConfig {
        tls: true,
        records: 10,
        ..Default::default()
    })
    .await
    .expect("start");
    assert_eq!(org.instance_url().scheme(), "https");
    let ca = org.ca_file().expect("a CA file with tls").to_path_buf();
    let pem = std::fs::read(&ca).expect("CA file readable");
    let cert = reqwest::Certificate::from_pem(&pem).expect("PEM certificate");
    let client = reqwest::Client::builder()
        .tls_certs_only([cert])
        .build()
        .expect("client");
    let (status, body) = token_status(
        &client,
        org.instance_url().as_str(),
        org.client_id(),
        org.client_secret(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["instance_url"]
            .as_str()
            .map(|u| u.starts_with("https://127.0.0.1:")),
        Some(true)
    );
    let token = body["access_token"].as_str().expect("token");
    let limits = client
        .get(
            org.instance_url()
                .join("services/data/v62.0/limits")
                .expect("url"),
        )
        .bearer_auth(token)
        .send()
        .await
        .expect("limits");
    assert_eq!(limits.status(), 200);

    // Without the CA the handshake fails.
    let strict = reqwest::Client::builder()
        .tls_certs_only(Vec::<reqwest::Certificate>::new())
        .build()
        .expect("client");
    assert!(
        strict
            .get(org.instance_url().as_str())
            .send()
            .await
            .is_err()
    );
    drop(org);
    assert!(!ca.exists(), "the CA file is removed when the org stops");
}

#[tokio::test]
async fn cli_writes_the_env_file_once_listening() {
    provider();
    let dir = tempfile::tempdir().expect("temp dir");
    let env_file = dir.path().join("mock.env");
    let args = MockOrgArgs {
        port: 0,
        records: 10,
        token_ttl: 60,
        env_file: Some(env_file.clone()),
        tls: false,
        client_id: Some("my-key".to_owned()),
        client_secret: Some("my-secret".to_owned()),
        log_requests: true,
        data: None,
        fault_latency_ms: 0,
        fail_next: None,
        fail_rate: None,
        fail_seed: 7,
        drop_connections: 0,
        drop_result_pages: 0,
        api_quota: None,
        scenario: Default::default(),
        org_type: Default::default(),
        api_limit: 15000,
        bulk_page_size: 50_000,
    };
    let task = tokio::spawn(run(args));
    let deadline = Instant::now() + Duration::from_secs(20);
    let text = loop {
        if let Ok(text) = std::fs::read_to_string(&env_file) {
            break text;
        }
        assert!(Instant::now() < deadline, "env file never appeared");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let var = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{name} missing in {text}"))
    };
    assert_eq!(var("SF_CLIENT_ID"), "my-key");
    assert_eq!(var("SF_CLIENT_SECRET"), "my-secret");
    let base = var("SF_INSTANCE_URL");
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    assert!(!text.contains("SF_CA_FILE"));
    let client = reqwest::Client::new();
    let (status, body) = token_status(&client, &base, "my-key", "my-secret").await;
    assert_eq!(status, 200, "{body}");
    task.abort();
}

#[tokio::test]
async fn seeds_are_deterministic_and_large_orgs_start() {
    provider();
    let org = MockOrg::start(MockOrgConfig {
        records: 10_000,
        ..Default::default()
    })
    .await
    .expect("start");
    let other = MockOrg::start(MockOrgConfig {
        records: 10_000,
        ..Default::default()
    })
    .await
    .expect("start");
    let client = reqwest::Client::new();
    let mut firsts = Vec::new();
    for org in [&org, &other] {
        let (_, token) = token_status(
            &client,
            org.instance_url().as_str(),
            org.client_id(),
            org.client_secret(),
        )
        .await;
        let token = token["access_token"].as_str().expect("token").to_owned();
        let body: Value = client
            .get(
                org.instance_url()
                    .join("services/data/v62.0/query?q=SELECT+Id,Name,Industry,Phone+FROM+Account+LIMIT+5")
                    .expect("url"),
            )
            .bearer_auth(&token)
            .send()
            .await
            .expect("query")
            .json()
            .await
            .expect("json");
        firsts.push(body["records"].clone());
    }
    assert_eq!(firsts[0], firsts[1]);
    assert_eq!(firsts[0].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn user_data_file_is_loaded_validated_and_restored_on_reset() {
    provider();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("data.json");
    std::fs::write(
        &path,
        serde_json::json!({
            "Account": [{"Id": "001Dn00000AbCdEIAV", "Name": "Acme Corp", "Industry": "Banking",
                         "LastModifiedDate": "2026-01-01T08:00:00Z"}],
            "contact": [{"LastName": "Ng", "AccountId": "001Dn00000AbCdE"}]
        })
        .to_string(),
    )
    .expect("write data");
    let config = MockOrgConfig {
        records: 0,
        data: Some(path.clone()),
        ..MockOrgConfig::default()
    };
    let org = MockOrg::start(config).await.expect("start with data");
    let client = reqwest::Client::new();
    let (_, token) = token_status(
        &client,
        org.instance_url().as_str(),
        org.client_id(),
        org.client_secret(),
    )
    .await;
    let token = token["access_token"].as_str().expect("token").to_owned();
    let get = |path: &str| {
        client
            .get(org.instance_url().join(path).expect("url"))
            .bearer_auth(&token)
            .send()
    };
    let account = get("services/data/v62.0/sobjects/Account/001Dn00000AbCdEIAV")
        .await
        .expect("get");
    assert_eq!(
        account.headers()["last-modified"],
        "Thu, 01 Jan 2026 08:00:00 GMT"
    );
    let account: Value = account.json().await.expect("json");
    assert_eq!(account["Industry"], "Banking");
    let contacts: Value = get("services/data/v62.0/query?q=SELECT+Name,+Account.Name+FROM+Contact")
        .await
        .expect("query")
        .json()
        .await
        .expect("json");
    assert_eq!(contacts["totalSize"], 1);
    assert_eq!(contacts["records"][0]["Account"]["Name"], "Acme Corp");

    let reset = client
        .post(org.instance_url().join("__mock/reset").expect("url"))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status(), 204);
    let again = get("services/data/v62.0/sobjects/Account/001Dn00000AbCdEIAV")
        .await
        .expect("get");
    assert_eq!(again.status(), 200, "user data comes back after a reset");

    std::fs::write(
        &path,
        r#"{"Lead": [{"FirstName": "No last name or company"}]}"#,
    )
    .expect("write data");
    let config = MockOrgConfig {
        records: 0,
        data: Some(path),
        ..MockOrgConfig::default()
    };
    let error = MockOrg::start(config)
        .await
        .expect_err("invalid data is refused");
    let message = error.to_string();
    assert!(
        message.contains("Lead[0]: REQUIRED_FIELD_MISSING"),
        "{message}"
    );
}

/// `sfterm mock-org --bind` with `args`, its admin token (if any) from the environment.
fn mock_org_process(args: &[&str], admin_token: Option<&str>) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sfterm"));
    command
        .arg("mock-org")
        .args(args)
        .env_remove("SFTERM_MOCK_ORG_ADMIN_TOKEN")
        .stdin(std::process::Stdio::null());
    if let Some(token) = admin_token {
        command.env("SFTERM_MOCK_ORG_ADMIN_TOKEN", token);
    }
    command
}

#[test]
fn another_address_than_127_0_0_1_is_refused_without_an_admin_token() {
    let output = mock_org_process(&["--bind", "127.0.0.2", "--port", "0"], None)
        .output()
        .expect("sfterm runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with(
            "sfterm: mock org: --bind 127.0.0.2: an address other than 127.0.0.1 or ::1 needs \
             --admin-token (or SFTERM_MOCK_ORG_ADMIN_TOKEN)"
        ),
        "{stderr}"
    );
    let output = mock_org_process(&["--bind", "0.0.0.0", "--admin-token", "t0ken"], None)
        .output()
        .expect("sfterm runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bind the one address clients reach"),
        "{stderr}"
    );
}

/// Kills the process when dropped (the org runs until a signal).
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn on_another_address_the_admin_endpoints_need_the_token_and_the_org_warns() {
    // reqwest's own client, built before any SfClient could install the provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let env_file = dir.path().join("org.env");
    let stderr_file = dir.path().join("stderr");
    let token = "a-long-admin-token-for-the-test";
    let child = mock_org_process(
        &[
            "--bind",
            "127.0.0.2",
            "--port",
            "0",
            "--records",
            "5",
            "--env-file",
            &env_file.display().to_string(),
        ],
        Some(token),
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::fs::File::create(&stderr_file).expect("stderr file"))
    .spawn()
    .expect("sfterm runs");
    let mut org = Running(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let text = loop {
        if let Ok(text) = std::fs::read_to_string(&env_file) {
            break text;
        }
        if let Ok(Some(status)) = org.0.try_wait() {
            panic!(
                "the org exited ({status}): {}",
                std::fs::read_to_string(&stderr_file).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "env file never appeared");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let var = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{name} missing in {text}"))
    };
    let base = var("SF_INSTANCE_URL");
    assert!(base.starts_with("http://127.0.0.2:"), "{base}");
    let stderr = std::fs::read_to_string(&stderr_file).unwrap_or_default();
    assert!(
        stderr.contains("warning: the mock org listens on 127.0.0.2: anyone who can reach it"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(token),
        "the token is never printed: {stderr}"
    );

    let client = reqwest::Client::new();
    let state = |authorization: Option<String>| {
        let mut request = client.get(format!("{base}/__mock/state"));
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        request.send()
    };
    let refused = state(None).await.expect("answer");
    assert_eq!(refused.status(), 401);
    assert!(refused.headers().contains_key("www-authenticate"));
    let wrong = state(Some("Bearer not-the-token".into()))
        .await
        .expect("answer");
    assert_eq!(wrong.status(), 401);
    let allowed = state(Some(format!("Bearer {token}")))
        .await
        .expect("answer");
    assert_eq!(allowed.status(), 200);
    let body: Value = allowed.json().await.expect("json");
    assert_eq!(body["records"]["Account"]["total"], 5, "{body}");

    // The org itself answers anyone with the client credentials, at the address it names.
    let (status, body) = token_status(
        &client,
        &base,
        &var("SF_CLIENT_ID"),
        &var("SF_CLIENT_SECRET"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["instance_url"], base.as_str());
    drop(org);
}
