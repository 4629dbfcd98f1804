//! Every login flow from the command line against the mock org on 127.0.0.1: JWT bearer (good,
//! wrong key, wrong audience, expired), the Salesforce CLI's orgs through a stand-in `sf`, and
//! the browser login (`sfterm login`) with a stand-in browser that follows the login page.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::cli::run;
use sfterm::login::TokenStore;
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::sf::oauth::web::redirect_uri_for_port;

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");

fn stand_in_sf() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/sf-stand-in/sf")
}

fn jwt_profile(name: &str, org: &MockOrg, key: &Path, audience: Option<&str>) -> String {
    let audience = audience
        .map(|a| format!("audience = \"{a}\"\n"))
        .unwrap_or_default();
    format!(
        "[[profile]]\nname = \"{name}\"\nflow = \"jwt\"\nendpoint = \"{}\"\nclient_id = \"{}\"\n\
         username = \"{}\"\nkey_file = \"{}\"\n{audience}\n",
        org.login_host_url().as_str().trim_end_matches('/'),
        org.client_id(),
        org.username(),
        key.display()
    )
}

/// Writes `org`'s JWT key pair under `dir`; the key's path.
async fn key_of(org: &MockOrg, dir: &Path, name: &str) -> PathBuf {
    let files = org.write_jwt_files(&dir.join(name)).expect("jwt files");
    files.key.expect("a key")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_profiles_log_in_and_each_refusal_is_diagnosed() {
    let org = MockOrg::start(MockOrgConfig::default()).await.expect("org");
    let other = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("other org");
    let keys = tempfile::tempdir().expect("dir");
    let (good, foreign) = (
        key_of(&org, keys.path(), "org").await,
        key_of(&other, keys.path(), "other").await,
    );
    let profiles = [
        jwt_profile("good", &org, &good, None),
        jwt_profile("foreign key", &org, &foreign, None),
        jwt_profile("wrong audience", &org, &good, Some("https://example.com")),
    ]
    .concat();
    let dir = crate::common::cli::config_dir(&profiles);
    let (result, out) = run(dir.path(), &["-p", "good", "token"]).await;
    result.expect("a JWT login");
    assert!(out.contains(org.username()), "{out}");
    let key_text = std::fs::read_to_string(&good).expect("key");
    let secret_line = key_text.lines().nth(1).expect("a key line");
    assert!(!out.contains(secret_line), "the key never shows");

    let refusal = |args: &'static [&'static str]| {
        let dir = dir.path().to_path_buf();
        async move {
            let (result, _) = run(&dir, args).await;
            result.expect_err("refused").to_string()
        }
    };
    let e = refusal(&["-p", "foreign key", "token"]).await;
    assert!(e.contains("Signature not accepted"), "{e}");
    let e = refusal(&["-p", "wrong audience", "token"]).await;
    assert!(e.contains("Wrong audience for this org"), "{e}");
    // The org's clock runs 10 minutes ahead: the 3-minute assertion is already past.
    org.advance_clock(std::time::Duration::from_secs(600));
    let e = refusal(&["-p", "good", "token"]).await;
    assert!(e.contains("JWT assertion expired"), "{e}");
    assert!(!e.contains(secret_line));
    org.shutdown().await;
    other.shutdown().await;
}

/// Runs the `sfterm` binary with the given environment; its output.
async fn sfterm(config: &Path, env: Vec<(&'static str, String)>, args: &[&str]) -> Output {
    let config = config.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(BIN);
        command
            .args(&args)
            .env("SFTERM_CONFIG_DIR", &config)
            .env("SFTERM_DATA_DIR", config.join("data"))
            .env("SFTERM_TOKEN_STORE", "file")
            .env_remove("BROWSER")
            .env_remove("SFTERM_SF_BIN");
        for (k, v) in env {
            command.env(k, v);
        }
        command.output().expect("sfterm runs")
    })
    .await
    .expect("joined")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_of_the_salesforce_cli_is_used_through_sf_and_its_failures_say_what_to_run() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig::default()).await.expect("org");
    let http = reqwest::Client::new();
    let token = crate::common::org::token_for(&org, &http).await;
    let profiles = "[[profile]]\nname = \"cli\"\nflow = \"sf\"\nsf_org = \"mock\"\n\n\
                    [[profile]]\nname = \"gone\"\nflow = \"sf\"\nsf_org = \"gone\"\n\n\
                    [[profile]]\nname = \"unknown\"\nflow = \"sf\"\nsf_org = \"nope\"\n";
    let dir = crate::common::cli::config_dir(profiles);
    let log = dir.path().join("sf-calls");
    let env = |bin: PathBuf| {
        vec![
            ("SFTERM_SF_BIN", bin.display().to_string()),
            (
                "SF_STAND_IN_INSTANCE",
                org.instance_url().as_str().trim_end_matches('/').to_owned(),
            ),
            ("SF_STAND_IN_TOKEN", token.clone()),
            ("SF_STAND_IN_LOG", log.display().to_string()),
        ]
    };
    let out = sfterm(dir.path(), env(stand_in_sf()), &["-p", "cli", "token"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(org.instance_url().as_str().trim_end_matches('/')),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains(&token), "the token is not printed");
    let calls = std::fs::read_to_string(&log).expect("calls");
    assert!(
        calls.contains("org auth show-access-token --json --target-org mock"),
        "{calls}"
    );

    let out = sfterm(dir.path(), env(stand_in_sf()), &["-p", "gone", "token"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("sf org login web"),
        "the fix names the sf command: {}",
        text(&out)
    );
    let out = sfterm(dir.path(), env(stand_in_sf()), &["-p", "unknown", "token"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("nope"), "{}", text(&out));
    let missing = dir.path().join("no-such-sf");
    let out = sfterm(dir.path(), env(missing), &["-p", "cli", "token"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).to_lowercase().contains("install"),
        "{}",
        text(&out)
    );
    org.shutdown().await;
}

/// A mock org whose app calls back to a free loopback port (approving at once, as for a user
/// who approved the app before), and a profiles.toml with one browser-login profile "me".
async fn browser_login_org() -> (MockOrg, String) {
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
    let org = MockOrg::start(MockOrgConfig {
        callback_urls: vec![redirect_uri_for_port(port)],
        auto_approve: true,
        ..MockOrgConfig::default()
    })
    .await
    .expect("org");
    let profiles = format!(
        "[[profile]]\nname = \"me\"\nflow = \"web\"\nendpoint = \"{}\"\nclient_id = \"{}\"\n\
         callback_port = {port}\n",
        org.login_host_url().as_str().trim_end_matches('/'),
        org.client_id()
    );
    (org, profiles)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sfterm_login_runs_the_browser_login_then_commands_renew_with_the_kept_refresh_token() {
    let (org, profiles) = browser_login_org().await;
    let dir = crate::common::cli::config_dir(&profiles);
    let store = TokenStore::file(&dir.path().join("data"), "test");

    // Before any login, a command says how to log in.
    let out = sfterm(dir.path(), vec![], &["-p", "me", "token"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("sfterm login -p"), "{}", text(&out));

    // The stand-in browser follows the login page (auto-approved) back to the listener.
    let browser = "curl -s -L -o /dev/null".to_owned();
    let out = sfterm(
        dir.path(),
        vec![("BROWSER", browser)],
        &["-p", "me", "login"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Logged in"), "{}", text(&out));
    let kept = store.get("me").expect("store").expect("kept");
    assert!(!text(&out).contains(secrecy::ExposeSecret::expose_secret(&kept)));

    let out = sfterm(dir.path(), vec![], &["-p", "me", "token"]).await;
    assert!(out.status.success(), "{}", text(&out));

    // Revoked on the org: the next command asks to log in again and forgets the token.
    org.revoke_refresh_tokens();
    let out = sfterm(dir.path(), vec![], &["-p", "me", "token"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("log in again"), "{}", text(&out));
    assert!(text(&out).contains("sfterm login -p"), "{}", text(&out));
    assert!(store.get("me").expect("store").is_none());
    org.shutdown().await;
}

/// A private D-Bus session with an unlocked GNOME Keyring (the Secret Service): its
/// environment for the processes that should use it. Stopped on drop.
struct Keychain {
    env: Vec<(&'static str, String)>,
    pids: Vec<u32>,
    _dir: tempfile::TempDir,
}

impl Keychain {
    /// `None` (with the reason) where the machine has no Secret Service to run.
    fn start() -> Result<Keychain, String> {
        for program in ["dbus-daemon", "gnome-keyring-daemon"] {
            let found = Command::new("sh")
                .args(["-c", &format!("command -v {program}")])
                .output()
                .is_ok_and(|o| o.status.success());
            if !found {
                return Err(format!(
                    "{program} is not installed (`apt-get install dbus gnome-keyring`; .ci/run \
                     installs them)"
                ));
            }
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let run = dir.path().join("run");
        std::fs::create_dir_all(&run).map_err(|e| e.to_string())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700));
        }
        let bus = Command::new("dbus-daemon")
            .args(["--session", "--fork", "--print-address=1", "--print-pid=1"])
            .output()
            .map_err(|e| e.to_string())?;
        let printed = String::from_utf8_lossy(&bus.stdout).into_owned();
        let mut lines = printed.lines();
        let address = lines
            .next()
            .ok_or("dbus-daemon printed no address")?
            .to_owned();
        let bus_pid: u32 = lines
            .next()
            .and_then(|p| p.trim().parse().ok())
            .ok_or("dbus-daemon printed no pid")?;
        let env = vec![
            ("DBUS_SESSION_BUS_ADDRESS", address),
            ("HOME", dir.path().display().to_string()),
            ("XDG_RUNTIME_DIR", run.display().to_string()),
            (
                "XDG_DATA_HOME",
                dir.path().join("share").display().to_string(),
            ),
        ];
        let mut keyring = Command::new("gnome-keyring-daemon");
        keyring
            .args(["--unlock", "--components=secrets", "--daemonize"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped());
        for (k, v) in &env {
            keyring.env(k, v);
        }
        let mut child = keyring.spawn().map_err(|e| e.to_string())?;
        // The password of the new login keyring (an empty one leaves no default collection).
        if let Some(mut stdin) = child.stdin.take() {
            use std::io::Write;
            let _ = stdin.write_all(b"sfterm-test-keyring");
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let keyring_pid: Option<u32> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("GNOME_KEYRING_PID="))
            .and_then(|p| p.trim().parse().ok());
        let mut pids = vec![bus_pid];
        pids.extend(keyring_pid);
        Ok(Keychain {
            env,
            pids,
            _dir: dir,
        })
    }
}

impl Drop for Keychain {
    fn drop(&mut self) {
        for pid in &self.pids {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_keychain_the_refresh_token_lives_there_and_leaves_with_its_profile() {
    let keychain = match Keychain::start() {
        Ok(k) => k,
        Err(why) => {
            eprintln!("skipped: no Secret Service on this machine: {why}");
            return;
        }
    };
    let (org, profiles) = browser_login_org().await;
    let dir = crate::common::cli::config_dir(&profiles);
    let env = |extra: Vec<(&'static str, String)>| {
        let mut env = keychain.env.clone();
        env.push(("SFTERM_TOKEN_STORE", "auto".to_owned()));
        env.extend(extra);
        env
    };
    let browser = ("BROWSER", "curl -s -L -o /dev/null".to_owned());
    let out = sfterm(dir.path(), env(vec![browser]), &["-p", "me", "login"]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("the system keychain"), "{}", text(&out));
    let data = dir.path().join("data");
    assert!(
        !data.join(sfterm::login::token_store::FILE_NAME).exists(),
        "no token file beside a keychain"
    );
    let out = sfterm(dir.path(), env(vec![]), &["-p", "me", "token"]).await;
    assert!(
        out.status.success(),
        "renews from the keychain: {}",
        text(&out)
    );

    // Removing the profile removes its stored login: the same profile added back must log in.
    let out = sfterm(dir.path(), env(vec![]), &["profiles", "remove", "me"]).await;
    assert!(out.status.success(), "{}", text(&out));
    std::fs::write(dir.path().join("profiles.toml"), &profiles).expect("write");
    let out = sfterm(dir.path(), env(vec![]), &["-p", "me", "token"]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("sfterm login -p"), "{}", text(&out));
    org.shutdown().await;
}
