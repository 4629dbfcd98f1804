//! `sfterm profiles add --flow web|jwt|sf` and how `profiles list|show` present each flow:
//! the flow's own options, its errors (exit 2, naming the option), nothing secret printed.
#![cfg(feature = "mock-org")]

use crate::common;

use clap::Parser;
use common::cli::{TestCli, run};
use serde_json::{Value, json};
use sfterm::commands::EXIT_USAGE;
use sfterm::config::{Flow, ProfileStore, SecretSource};

/// A port nothing listens on (bound, then released).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    listener.local_addr().expect("addr").port()
}

const KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcw-not-a-real-key\n-----END PRIVATE KEY-----\n";

#[tokio::test]
async fn add_each_flow_then_list_and_show_it() {
    let dir = tempfile::tempdir().expect("temp");
    let key = dir.path().join("server.key");
    std::fs::write(&key, KEY_PEM).expect("key");
    let port = free_port().to_string();
    let key_arg = key.display().to_string();
    let adds: [&[&str]; 3] = [
        &[
            "--name",
            "browser",
            "--flow",
            "web",
            "--endpoint",
            "https://login.salesforce.com",
            "--client-id",
            "3MVG9web",
            "--callback-port",
            &port,
        ],
        &[
            "--name",
            "ci",
            "--flow",
            "jwt",
            "--endpoint",
            "https://acme--uat.sandbox.my.salesforce.com",
            "--client-id",
            "3MVG9jwt",
            "--username",
            "ci@acme.com.uat",
            "--key-file",
            &key_arg,
        ],
        &["--name", "cli", "--flow", "sf", "--sf-org", "acme"],
    ];
    for extra in adds {
        let args: Vec<&str> = ["profiles", "add"]
            .into_iter()
            .chain(extra.iter().copied())
            .collect();
        let (result, out) = run(dir.path(), &args).await;
        result.unwrap_or_else(|e| panic!("{args:?}: {e}"));
        assert!(out.contains("Added profile"), "{out}");
    }

    // What was written reads back as the same flows.
    let store = ProfileStore::load(&dir.path().join("profiles.toml")).expect("load");
    let flow = |name: &str| store.get(name).expect(name).flow.clone();
    assert_eq!(
        flow("browser"),
        Flow::Web {
            callback_port: Some(port.parse().expect("port"))
        }
    );
    assert_eq!(
        store.get("browser").expect("web").secret,
        SecretSource::None
    );
    assert_eq!(
        flow("ci"),
        Flow::Jwt {
            username: "ci@acme.com.uat".into(),
            key_file: key.clone(),
            audience: None,
        }
    );
    assert_eq!(flow("cli"), Flow::SfCli { org: "acme".into() });
    let toml = std::fs::read_to_string(dir.path().join("profiles.toml")).expect("toml");
    assert!(!toml.contains("not-a-real-key"), "{toml}");
    // None of them sends a client secret (the web app is a PKCE one): no client auth style.
    assert_eq!(toml.matches("auth_style").count(), 0, "{toml}");

    let (result, out) = run(dir.path(), &["profiles", "list"]).await;
    result.expect("list");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["NAME", "ENDPOINT", "KIND", "FLOW", "SECRET"]
    );
    let cells = |i: usize| lines[i].split_whitespace().collect::<Vec<_>>();
    assert_eq!(
        cells(1),
        [
            "browser",
            "https://login.salesforce.com",
            "production",
            "web",
            "none"
        ]
    );
    assert_eq!(cells(2)[2..], ["sandbox", "jwt", "none"]);
    assert_eq!(cells(3), ["cli", "-", "unknown", "sf", "none"]);

    let (result, out) = run(dir.path(), &["profiles", "list", "--json"]).await;
    result.expect("list --json");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(
        v[2],
        json!({"name": "cli", "endpoint": null, "kind": "unknown", "flow": "sf", "secret_source": "none"})
    );
    assert_eq!(v[0]["flow"], "web");

    let (result, out) = run(dir.path(), &["profiles", "show", "browser"]).await;
    result.expect("show web");
    assert!(out.contains("Flow        web (browser login)"), "{out}");
    assert!(
        out.contains(&format!(
            "Callback    http://localhost:{port}/OauthRedirect"
        )),
        "{out}"
    );
    assert!(out.contains("Secret      none"), "{out}");
    let (result, out) = run(dir.path(), &["profiles", "show", "ci"]).await;
    result.expect("show jwt");
    assert!(out.contains("Username    ci@acme.com.uat"), "{out}");
    assert!(
        out.contains(&format!("Key file    {}", key.display())),
        "{out}"
    );
    assert!(
        out.contains("Audience    https://test.salesforce.com (from the endpoint)"),
        "{out}"
    );
    assert!(
        !out.contains("Secret"),
        "a JWT profile has no secret: {out}"
    );
    assert!(!out.contains("not-a-real-key"), "{out}");
    let (result, out) = run(dir.path(), &["profiles", "show", "cli"]).await;
    result.expect("show sf");
    assert!(out.contains("CLI org     acme"), "{out}");
    assert!(!out.contains("Client id"), "{out}");

    let json_of = |out: &str| serde_json::from_str::<Value>(out).expect("JSON");
    let (_, out) = run(dir.path(), &["profiles", "show", "browser", "--json"]).await;
    let web = json_of(&out);
    assert_eq!(web["flow"], "web");
    assert_eq!(web["flow_label"], "browser login");
    assert_eq!(
        web["callback_url"],
        format!("http://localhost:{port}/OauthRedirect")
    );
    assert_eq!(web["problems"], json!([]));
    let (_, out) = run(dir.path(), &["profiles", "show", "ci", "--json"]).await;
    let jwt = json_of(&out);
    assert_eq!(
        (&jwt["username"], &jwt["key_file"], &jwt["audience"]),
        (
            &json!("ci@acme.com.uat"),
            &json!(key.display().to_string()),
            &Value::Null
        )
    );
    assert!(!out.contains("not-a-real-key"), "{out}");
    let (_, out) = run(dir.path(), &["profiles", "show", "cli", "--json"]).await;
    let sf = json_of(&out);
    assert_eq!(
        (&sf["sf_org"], &sf["endpoint"]),
        (&json!("acme"), &Value::Null)
    );
}

#[tokio::test]
async fn a_flow_s_missing_or_foreign_options_are_usage_errors_naming_them() {
    let dir = tempfile::tempdir().expect("temp");
    let taken = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind");
    let taken_port = taken.local_addr().expect("addr").port().to_string();
    let missing_key = dir.path().join("missing.key").display().to_string();
    let base = [
        "profiles",
        "add",
        "--name",
        "p",
        "--endpoint",
        "https://acme.my.salesforce.com",
    ];
    let cases: [(&[&str], &[&str]); 7] = [
        (
            &["--flow", "jwt", "--client-id", "k", "--username", "a@b.co"],
            &["--flow jwt needs --key-file FILE"],
        ),
        (&["--flow", "sf"], &["--flow sf needs --sf-org ALIAS"]),
        (
            &[
                "--flow",
                "jwt",
                "--client-id",
                "k",
                "--username",
                "a@b.co",
                "--key-file",
                "k",
                "--callback-port",
                "1800",
                "--secret-env",
                "S",
            ],
            &[
                "--flow jwt does not use",
                "--secret-env (only for --flow client_credentials or web)",
                "--callback-port (only for --flow web)",
            ],
        ),
        (
            &["--flow", "sf", "--sf-org", "acme", "--auth", "basic"],
            &["--flow sf does not use --auth"],
        ),
        (
            &["--flow", "web", "--username", "a@b.co", "--client-id", "k"],
            &["--username (only for --flow jwt)"],
        ),
        (
            &[
                "--flow",
                "jwt",
                "--client-id",
                "k",
                "--username",
                "not a user",
                "--key-file",
                &missing_key,
            ],
            &[
                "--username: \"not a user\" does not look like a Salesforce username",
                "--key-file: Cannot read the key file",
            ],
        ),
        (
            &[
                "--flow",
                "web",
                "--client-id",
                "k",
                "--callback-port",
                &taken_port,
            ],
            &["--callback-port: Port", "is in use"],
        ),
    ];
    for (extra, expected) in cases {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let (result, _) = run(dir.path(), &args).await;
        let e = result.expect_err("usage error");
        assert_eq!(e.code, EXIT_USAGE, "{args:?}: {}", e.message);
        for needle in expected {
            assert!(e.message.contains(needle), "{args:?}: {}", e.message);
        }
    }
    // Client credentials still need their endpoint and client id.
    let (result, _) = run(dir.path(), &["profiles", "add", "--name", "p"]).await;
    let e = result.expect_err("usage");
    assert!(
        e.message
            .contains("--flow client_credentials needs --endpoint URL and --client-id KEY"),
        "{}",
        e.message
    );
    assert!(
        !dir.path().join("profiles.toml").exists(),
        "nothing written"
    );
    drop(taken);
    for bad in [&["--flow", "oauth"][..], &["--callback-port", "0"]] {
        let args: Vec<&str> = base.iter().chain(bad).copied().collect();
        let parsed = TestCli::try_parse_from(std::iter::once("sfterm").chain(args));
        assert!(parsed.is_err(), "{bad:?} is refused by the parser");
    }
}

#[tokio::test]
async fn a_web_profile_may_name_where_its_secret_comes_from() {
    let dir = tempfile::tempdir().expect("temp");
    let port = free_port().to_string();
    let (result, out) = run(
        dir.path(),
        &[
            "profiles",
            "add",
            "--name",
            "web",
            "--flow",
            "web",
            "--endpoint",
            "acme.my.salesforce.com",
            "--client-id",
            "3MVG9",
            "--secret-command",
            "pass show sf/web",
            "--callback-port",
            &port,
        ],
    )
    .await;
    result.expect("add");
    assert!(
        out.contains(&format!(
            "the app's callback URL must be http://localhost:{port}/OauthRedirect"
        )),
        "{out}"
    );
    let (_, out) = run(dir.path(), &["profiles", "show", "web", "--json"]).await;
    let v: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["secret_source"], "command");
    assert_eq!(v["secret_command"], "pass show sf/web");
}
