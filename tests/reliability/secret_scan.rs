//! Secret scan: a known client secret is planted in the mock org, a scripted session runs over
//! everything that exists (the TUI in tmux: connect, API call, a forced error, the Log tab; the CLI: token,
//! query, record, apex REST and SOAP, bulk export, run, curl export, history, a failing query), then every file sfterm wrote
//! (config dir, data dir, log) and every captured output and screen is searched for the secret
//! and for any access token. The only allowed hit is the output of `sfterm token --reveal`
//! (the user asked for it) and profiles.toml holding the secret the user put there. The other
//! login flows are in the session too: a browser login (TUI and `sfterm login`) whose refresh
//! token may only be in the token store's own file, and a JWT profile whose private key's
//! contents must appear nowhere.
//!
//! New panes add their steps to [`steps`] (a list of scripted steps). `SCAN_DEBUG=1` prints
//! every command's exit code and output.
#![cfg(all(feature = "mock-org", unix))]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use sfterm::mock_org::{MockOrg, MockOrgConfig};

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");
const SECRET: &str = "PLANTED-client-secret-5e1f7c";
/// The browser of the browser login: follows the login page back to the loopback listener.
const BROWSER: &str = "curl -s -L -o /dev/null";

/// One scripted step of the session.
enum Step {
    /// `sfterm <args>`; `reveals` when the user explicitly asked to see a secret (its output is
    /// not scanned).
    Cli { args: Vec<String>, reveals: bool },
    /// Keys sent to the TUI (tmux `send-keys` words), then wait until the screen contains the
    /// text.
    Tui {
        keys: &'static [&'static str],
        wait_for: &'static str,
    },
    /// Inject a fault into the mock org's next data API calls.
    Fault { count: usize, status: u16 },
}

fn cli(args: &[&str]) -> Step {
    Step::Cli {
        args: args.iter().map(|s| (*s).to_owned()).collect(),
        reveals: false,
    }
}

/// The session. Add new panes' steps here.
fn steps(collection: &Path, data: &Path) -> Vec<Step> {
    let collection = collection.display().to_string();
    let export = data.join("export.csv").display().to_string();
    vec![
        // The browser login first (the second profile), then the client credentials one.
        Step::Tui {
            keys: &["j", "Enter"],
            wait_for: "held in",
        },
        // The TUI: connect, call the API, a forced error (a 500 on every try: the retries are
        // logged too), then the CLI.
        Step::Tui {
            keys: &["k", "Enter"],
            wait_for: "by client credentials",
        },
        Step::Tui {
            keys: &["Tab", "u"],
            wait_for: "API call OK",
        },
        Step::Fault {
            count: 4,
            status: 500,
        },
        Step::Tui {
            keys: &["u"],
            wait_for: "UNKNOWN_EXCEPTION",
        },
        Step::Tui {
            keys: &["i"],
            wait_for: "introspect",
        },
        // Records: the list, a record's detail, back; then the composer and history tabs.
        Step::Tui {
            keys: &["1"],
            wait_for: "loaded",
        },
        // "API name" is on the detail view's focus line only ("Phone" is a list column too,
        // so waiting for it could send esc before the view opened).
        Step::Tui {
            keys: &["Enter"],
            wait_for: "API name",
        },
        Step::Tui {
            keys: &["Escape"],
            wait_for: "loaded",
        },
        Step::Tui {
            keys: &["2"],
            wait_for: "Composer",
        },
        Step::Tui {
            keys: &["3"],
            wait_for: "History",
        },
        // The Log tab: the token requests opened (their bodies masked), copied as curl.
        Step::Tui {
            keys: &["4"],
            wait_for: "API calls",
        },
        Step::Tui {
            keys: &[
                "/", "o", "a", "u", "t", "h", "2", "/", "t", "o", "k", "e", "n", "Enter",
            ],
            wait_for: "filter \"oauth2/token\"",
        },
        Step::Tui {
            keys: &["Enter"],
            wait_for: "grant_type",
        },
        Step::Tui {
            keys: &["c"],
            wait_for: "Copied as curl",
        },
        Step::Tui {
            keys: &["Escape", "Escape", "Enter"],
            wait_for: "── response",
        },
        Step::Tui {
            keys: &["Escape"],
            wait_for: "API calls",
        },
        // The CLI.
        Step::Cli {
            args: vec!["token".into(), "--reveal".into(), "--json".into()],
            reveals: true,
        },
        cli(&["token"]),
        cli(&["token", "--json"]),
        cli(&["query", "SELECT Id, Name FROM Account LIMIT 3"]),
        cli(&[
            "query",
            "--format",
            "json",
            "SELECT Id, Name FROM Account LIMIT 3",
        ]),
        cli(&["query", "SELECT NoSuchField FROM Account"]),
        Step::Fault {
            count: 4,
            status: 500,
        },
        cli(&["query", "SELECT Id FROM Account LIMIT 1"]),
        cli(&["record", "create", "Account", "Name=Secret scan"]),
        cli(&["requests", "import-postman", &collection]),
        cli(&["requests", "list"]),
        cli(&["run", "Scan/Limits"]),
        cli(&["run", "Scan/Echo token"]),
        cli(&["requests", "export-curl", "Scan/Limits"]),
        cli(&["requests", "export-curl", "Scan/Echo token"]),
        cli(&["apex", "rest", "GET", "CustomerRESTWS?name=scan"]),
        cli(&[
            "apex",
            "soap",
            "CustomerWS",
            "createCustomer",
            "--arg",
            "customer.name=Scan Co",
        ]),
        cli(&["export", "SELECT Id, Name FROM Account", "--out", &export]),
        // The other flows from the shell.
        cli(&["-p", "Browser", "login"]),
        cli(&["-p", "Browser", "token"]),
        cli(&["-p", "Browser", "query", "SELECT Id FROM Account LIMIT 1"]),
        cli(&["-p", "JWT", "token", "--json"]),
        cli(&["-p", "JWT", "query", "SELECT Id FROM Account LIMIT 1"]),
        cli(&["profiles", "list"]),
        cli(&["profiles", "show", "JWT"]),
    ]
}

const COLLECTION: &str = r#"{
  "info": {"name": "Scan", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
  "item": [
    {"name": "Limits", "request": {"method": "GET",
      "header": [{"key": "Authorization", "value": "Bearer {{_accessToken}}"}],
      "url": {"raw": "{{_endpoint}}/services/data/v{{version}}/limits"}}},
    {"name": "Echo token", "request": {"method": "POST",
      "header": [{"key": "X-SFDC-Session", "value": "filled-at-send-time"},
                 {"key": "Content-Type", "value": "application/json"}],
      "body": {"mode": "raw", "raw": "{\"Name\": \"Scan echo\"}"},
      "url": {"raw": "{{_endpoint}}/services/data/v{{version}}/sobjects/Account"}}}
  ],
  "variable": [{"key": "version", "value": "62.0"}]
}"#;

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux must be installed (.ci/run installs it)")
    }

    fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-J", "-S", "-", "-t", "app"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

/// Access tokens look like `00D` + 12 characters + `!` + the secret part; a masked one shows
/// `!••••`. Returns the unmasked ones found in `text`.
fn tokens_in(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for (i, _) in text.match_indices('!') {
        if i < 15 {
            continue;
        }
        let before = &bytes[i - 15..i];
        if before.starts_with(b"00D") && before.iter().all(u8::is_ascii_alphanumeric) {
            let after: String = text[i + 1..].chars().take(8).collect();
            if !after.starts_with('•') && after.len() >= 8 {
                found.push(format!("{}!{after}", &text[i - 15..i]));
            }
        }
    }
    found
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                files_under(&p, out);
            } else {
                out.push(p);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_or_token_anywhere_sfterm_wrote_or_showed() {
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let org = MockOrg::start(MockOrgConfig {
        client_secret: Some(SECRET.to_owned()),
        callback_urls: vec![sfterm::sf::oauth::web::redirect_uri_for_port(port)],
        auto_approve: true,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org");
    let config = tempfile::tempdir().expect("config dir");
    let data = tempfile::tempdir().expect("data dir");
    let scratch = tempfile::tempdir().expect("scratch");
    let key_file = org
        .write_jwt_files(&scratch.path().join("org"))
        .expect("jwt files")
        .key
        .expect("a key");
    let key_lines: Vec<String> = std::fs::read_to_string(&key_file)
        .expect("key")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::to_owned)
        .collect();
    assert!(key_lines.len() > 5, "a real key");
    let login_host = org
        .login_host_url()
        .as_str()
        .trim_end_matches('/')
        .to_owned();
    std::fs::write(
        config.path().join("profiles.toml"),
        format!(
            "[[profile]]\nname = \"Mock\"\nendpoint = \"{}\"\nclient_id = \"{}\"\n\
             secret = {{ source = \"plain\", value = \"{SECRET}\" }}\n\n\
             [[profile]]\nname = \"Browser\"\nflow = \"web\"\nendpoint = \"{login_host}\"\n\
             client_id = \"{}\"\ncallback_port = {port}\n\n\
             [[profile]]\nname = \"JWT\"\nflow = \"jwt\"\nendpoint = \"{login_host}\"\n\
             client_id = \"{}\"\nusername = \"{}\"\nkey_file = \"{}\"\n",
            org.instance_url().as_str().trim_end_matches('/'),
            org.client_id(),
            org.client_id(),
            org.client_id(),
            org.username(),
            key_file.display()
        ),
    )
    .expect("profiles");
    let collection = scratch.path().join("scan.postman_collection.json");
    std::fs::write(&collection, COLLECTION).expect("collection");

    let tmux = Tmux {
        socket: format!("sfterm-scan-{}", std::process::id()),
    };
    let command = format!(
        "SFTERM_LOG=debug SFTERM_TOKEN_STORE=file BROWSER='{BROWSER}' SFTERM_CONFIG_DIR={} \
         SFTERM_DATA_DIR={} {BIN}; echo __EXIT=$?; sleep 60",
        config.path().display(),
        data.path().display()
    );
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "app",
        "-x",
        "160",
        "-y",
        "45",
        &command,
    ]);
    assert!(started.status.success());

    let mut scanned: Vec<(String, String)> = Vec::new(); // (what, text)
    let mut revealed: Vec<String> = Vec::new();
    let wait = |tmux: &Tmux, what: &str| -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = tmux.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what:?}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(150));
        }
    };
    wait(&tmux, "Mock");
    for (n, step) in steps(&collection, data.path()).into_iter().enumerate() {
        match step {
            Step::Tui { keys, wait_for } => {
                let mut args = vec!["send-keys", "-t", "app"];
                args.extend_from_slice(keys);
                tmux.run(&args);
                let screen = tokio::task::block_in_place(|| wait(&tmux, wait_for));
                scanned.push((format!("step {n}: TUI screen"), screen));
            }
            Step::Fault { count, status } => org.fail_next(count, status),
            Step::Cli { args, reveals } => {
                let (cfg, dat) = (config.path().to_owned(), data.path().to_owned());
                // The client credentials profile unless the step names one.
                let args: Vec<String> = if args.iter().any(|a| a == "-p" || a == "profiles") {
                    args
                } else {
                    ["-p", "Mock"]
                        .iter()
                        .map(|s| (*s).to_owned())
                        .chain(args)
                        .collect()
                };
                let out = tokio::task::spawn_blocking(move || {
                    Command::new(BIN)
                        .env("SFTERM_CONFIG_DIR", cfg)
                        .env("SFTERM_DATA_DIR", dat)
                        .env("SFTERM_LOG", "debug")
                        .env("SFTERM_TOKEN_STORE", "file")
                        .env("BROWSER", BROWSER)
                        .args(&args)
                        .output()
                        .map(|o| (args, o))
                })
                .await
                .expect("joined")
                .expect("runs");
                let (args, out) = out;
                if std::env::var_os("SCAN_DEBUG").is_some() {
                    eprintln!(
                        "== sfterm {args:?} -> {:?}\n{}\n{}",
                        out.status.code(),
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
                let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
                let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                assert!(
                    out.status.code().is_some_and(|c| c != 101),
                    "sfterm {args:?} panicked:\n{stderr}"
                );
                if reveals {
                    let shown = tokens_in(&stdout);
                    assert!(
                        !shown.is_empty(),
                        "the detector finds a real token:\n{stdout}"
                    );
                    revealed.extend(shown);
                    let json: serde_json::Value =
                        serde_json::from_str(&stdout).expect("token --json");
                    revealed.push(json["access_token"].as_str().expect("revealed").to_owned());
                } else {
                    scanned.push((format!("step {n}: sfterm {args:?} stdout"), stdout));
                }
                scanned.push((format!("step {n}: sfterm {args:?} stderr"), stderr));
            }
        }
    }
    assert!(!revealed.is_empty(), "token --reveal showed the token");
    tmux.run(&["send-keys", "-t", "app", "q"]);
    tokio::task::block_in_place(|| wait(&tmux, "__EXIT="));
    scanned.push(("TUI screen after exit".into(), tmux.screen()));

    let outputs = scanned.len();
    let mut files = Vec::new();
    files_under(config.path(), &mut files);
    files_under(data.path(), &mut files);
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    assert!(names.iter().any(|n| n.ends_with("sfterm.log")), "{names:?}");
    assert!(names.iter().any(|n| n.contains("history")), "{names:?}");
    // The refresh tokens of the browser logins, from the one file allowed to hold them.
    let store = data.path().join(sfterm::login::token_store::FILE_NAME);
    let stored: std::collections::BTreeMap<String, String> =
        serde_json::from_str(&std::fs::read_to_string(&store).expect("refresh tokens kept"))
            .expect("token file");
    let refresh_tokens: Vec<String> = stored.into_values().collect();
    assert!(
        !refresh_tokens.is_empty(),
        "the browser logins kept a refresh token"
    );
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).expect("read")).into_owned();
        let is_profiles = f.file_name().is_some_and(|n| n == "profiles.toml");
        if *f == store {
            continue;
        } else if !is_profiles {
            scanned.push((f.display().to_string(), text));
        } else {
            assert!(tokens_in(&text).is_empty(), "a token in profiles.toml");
            for t in &refresh_tokens {
                assert!(
                    !text.contains(t.as_str()),
                    "a refresh token in profiles.toml"
                );
            }
        }
    }

    let mut hits = Vec::new();
    for (what, text) in &scanned {
        if text.contains(SECRET) {
            hits.push(format!("{what}: the client secret"));
        }
        for t in &revealed {
            if text.contains(t.as_str()) {
                hits.push(format!("{what}: the revealed token"));
            }
        }
        for t in tokens_in(text) {
            hits.push(format!("{what}: an access token {}…", &t[..18]));
        }
        if refresh_tokens.iter().any(|t| text.contains(t.as_str())) {
            hits.push(format!("{what}: a refresh token"));
        }
        if key_lines.iter().any(|l| text.contains(l.as_str())) {
            hits.push(format!("{what}: the JWT private key"));
        }
    }
    eprintln!(
        "secret scan: {} files written by sfterm ({names:?}), {outputs} outputs/screens scanned",
        files.len(),
    );
    assert!(hits.is_empty(), "secrets found:\n{}", hits.join("\n"));
}
