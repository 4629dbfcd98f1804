//! Borrowing a Salesforce CLI login: a stand-in `sf` script, written by each test into a
//! temp dir, prints the JSON shapes of the wire reference (auth-flows.md §4). The client
//! renews by running it again after a 401.
#![cfg(all(feature = "mock-org", unix))]

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::future::BoxFuture;
use secrecy::ExposeSecret;
use sfterm::sf::sfcli::{CommandOutput, CommandRunner, ProcessRunner, SfCli, SfCliSource};
use sfterm::sf::{ApiError, ConnectionConfig, RenewReason, SfCliError, SfClient};
use url::Url;

use super::oauth_fake::{self, ORG, USER};

const REDACTED: &str = "[REDACTED] Use 'sf org auth show-access-token' to view";

/// Runs the stand-in with `/bin/sh` (the script is data to the shell, never exec'd itself, so
/// a freshly written file cannot be "busy"), through the real process runner.
struct ShRunner(PathBuf);

impl CommandRunner for ShRunner {
    fn run<'a>(
        &'a self,
        _program: &'a Path,
        args: &'a [String],
        timeout: Duration,
    ) -> BoxFuture<'a, io::Result<CommandOutput>> {
        Box::pin(async move {
            let mut all = vec![self.0.display().to_string()];
            all.extend(args.iter().cloned());
            ProcessRunner.run(Path::new("/bin/sh"), &all, timeout).await
        })
    }
}

struct StandIn {
    dir: tempfile::TempDir,
}

impl StandIn {
    /// Writes the stand-in `sf` for an org whose instance is `base`.
    fn new(base: &Url) -> StandIn {
        let dir = tempfile::tempdir().expect("dir");
        let base = base.as_str().trim_end_matches('/');
        let display = |alias: &str, status: &str, token: &str| {
            format!(
                r#"{{"status":0,"result":{{"id":"{ORG}","apiVersion":"66.0","accessToken":"{token}","instanceUrl":"{base}","username":"ops@acme.com","clientId":"PlatformCLI","connectedStatus":"{status}","alias":"{alias}"}},"warnings":["Secrets are now hidden from 'sf org display' command output. Use 'sf org auth show-access-token' to view."]}}"#
            )
        };
        let script = format!(
            r#"#!/bin/sh
DIR='{dir}'
echo "$*" >> "$DIR/calls"
next() {{ n=$(( $(cat "$DIR/n" 2>/dev/null || echo 0) + 1 )); echo $n > "$DIR/n"; }}
case "$*" in
  "org display --json --target-org acme"|"org display --json --target-org stale"|"org display --json")
    echo 'Warning: @salesforce/cli update available'
    cat <<'EOF'
{acme}
EOF
    ;;
  "org auth show-access-token --json --target-org acme"|"org auth show-access-token --json")
    next
    printf '{{"status":0,"result":{{"accessToken":"00DDn00000Org01!sf%s"}},"warnings":["This command will expose sensitive information."]}}\n' "$n"
    ;;
  "org auth show-access-token --json --target-org stale")
    printf '{{"status":0,"result":{{"accessToken":"00DDn00000Org01!sf1"}},"warnings":["Unable to refresh auth for org. Access token may be stale."]}}\n'
    ;;
  "org display --json --target-org refused")
    cat <<'EOF'
{refused}
EOF
    ;;
  "org display --json --target-org old")
    cat <<'EOF'
{old}
EOF
    ;;
  "org display --json --target-org older")
    cat <<'EOF'
{older}
EOF
    ;;
  *"show-access-token"*"--target-org old"*)
    echo ' ›   Warning: org auth show-access-token is not a sf command.' >&2
    exit 127
    ;;
  *"--target-org nope")
    cat <<'EOF'
{{"name":"NamedOrgNotFoundError","message":"No authorization information found for nope.","exitCode":1,"context":"OrgDisplay","stack":"NamedOrgNotFoundError: ...","cause":"","warnings":[],"code":"NamedOrgNotFoundError","status":1,"commandName":"OrgDisplay"}}
EOF
    exit 1
    ;;
  *"--target-org expired")
    cat <<'EOF'
{{"name":"SfError","message":"Error authenticating with the refresh token due to: expired access/refresh token","exitCode":1,"context":"OrgDisplay","warnings":[],"code":"1","status":1,"commandName":"OrgDisplay"}}
EOF
    exit 1
    ;;
  *"--target-org wrapper")
    echo "/usr/local/bin/sf-wrapper: 3: sf: not found" >&2
    exit 127
    ;;
  *"--target-org slow")
    exec sleep 30
    ;;
  "org list --skip-connection-status --json")
    cat <<'EOF'
{list}
EOF
    ;;
  *)
    echo "stand-in sf: unexpected $*" >&2
    exit 2
    ;;
esac
"#,
            dir = dir.path().display(),
            acme = display("acme", "Connected", REDACTED),
            refused = display("refused", "RefreshTokenAuthError", REDACTED),
            old = display("old", "Connected", "00DDn00000Org01!legacy"),
            older = display("older", "Connected", REDACTED),
            list = ORG_LIST,
        );
        std::fs::write(dir.path().join("sf"), script).expect("write stand-in");
        StandIn { dir }
    }

    fn cli(&self) -> SfCli {
        SfCli::with_program(self.dir.path().join("sf"))
            .with_runner(Arc::new(ShRunner(self.dir.path().join("sf"))))
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("calls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

const ORG_LIST: &str = r#"{"status":0,"result":{
 "other":[{"username":"ops@acme.com","alias":"acme","orgId":"00DDn00000Org01MAB","instanceUrl":"https://acme.my.salesforce.com","loginUrl":"https://login.salesforce.com","accessToken":"[REDACTED] Use 'sf org auth show-access-token' to view","isDefaultUsername":true,"isSandbox":false,"defaultMarker":"(U)"}],
 "sandboxes":[{"username":"ops@acme.com.uat","alias":"uat","orgId":"00DDn00000Uat01MAB","instanceUrl":"https://acme--uat.sandbox.my.salesforce.com","loginUrl":"https://test.salesforce.com","isSandbox":true}],
 "nonScratchOrgs":[{"username":"ops@acme.com","alias":"acme"},{"username":"ops@acme.com.uat","alias":"uat"},{"username":"hub@acme.com","alias":"hub"}],
 "devHubs":[{"username":"hub@acme.com","alias":"hub","orgId":"00DDn00000Hub01MAB","isDefaultDevHubUsername":true}],
 "scratchOrgs":[{"username":"test-abc@example.com","orgId":"00DDn00000Scr01MAB","isScratch":true,"instanceUrl":"https://ability-1.scratch.my.salesforce.com"}]},
 "warnings":[]}"#;

fn sf_client(url: &Url, cli: SfCli, org: &str) -> SfClient {
    let source = Arc::new(SfCliSource::with_cli(cli, org));
    let mut config = ConnectionConfig::external(url.clone(), source);
    config.timeout = Duration::from_secs(5);
    SfClient::new(config).expect("client")
}

fn cli_error(e: &ApiError) -> &SfCliError {
    e.sf_cli_error()
        .unwrap_or_else(|| panic!("not an sf CLI error: {e:?}"))
}

#[tokio::test]
async fn display_and_show_access_token_make_the_token_and_renewal_reruns_them() {
    let (fake, url) = oauth_fake::start().await;
    let sf = StandIn::new(&url);
    fake.valid
        .lock()
        .expect("lock")
        .insert("00DDn00000Org01!sf1".into());
    let display = sf.cli().org_display("acme").await.expect("display");
    assert_eq!(display.username, "ops@acme.com");
    assert_eq!(display.org_id, ORG);
    assert_eq!(display.api_version.as_deref(), Some("66.0"));
    assert_eq!(display.client_id.as_deref(), Some("PlatformCLI"));
    assert!(
        !format!("{display:?}").contains("REDACTED"),
        "no token field kept"
    );

    let client = sf_client(&url, sf.cli(), "acme");
    let token = client.login(RenewReason::Initial).await.expect("login");
    assert_eq!(token.access_token.expose_secret(), "00DDn00000Org01!sf1");
    assert_eq!(token.instance_url.as_str(), url.as_str());
    assert_eq!((token.org_id.as_str(), token.user_id.as_str()), (ORG, USER));
    client.versions().await.expect("the CLI's token works");
    assert_eq!(
        sf.calls(),
        [
            "org display --json --target-org acme",
            "org display --json --target-org acme",
            "org auth show-access-token --json --target-org acme"
        ],
        "the test's own display, then the login's two commands"
    );

    // The CLI's token expires: every caller is refused, one renewal runs sf again.
    {
        let mut valid = fake.valid.lock().expect("lock");
        valid.clear();
        valid.insert("00DDn00000Org01!sf2".into());
    }
    fake.hold_until_refused
        .store(fake.refused.load(Ordering::SeqCst) + 4, Ordering::SeqCst);
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.versions().await })
        })
        .collect();
    for call in calls {
        call.await.expect("join").expect("renewed through sf");
    }
    let token = client.token().expect("token");
    assert_eq!(token.access_token.expose_secret(), "00DDn00000Org01!sf2");
    assert_eq!(token.reason, RenewReason::InvalidSession);
    let shows = sf
        .calls()
        .iter()
        .filter(|c| c.contains("show-access-token"))
        .count();
    assert_eq!(shows, 2, "one shared renewal: {:?}", sf.calls());
    assert!(!format!("{client:?}").contains("!sf2"));
}

#[tokio::test]
async fn the_default_org_is_used_when_none_is_named() {
    let (_fake, url) = oauth_fake::start().await;
    let sf = StandIn::new(&url);
    let token = sf
        .cli()
        .token("", RenewReason::Initial)
        .await
        .expect("token");
    assert_eq!(token.access_token.expose_secret(), "00DDn00000Org01!sf1");
    assert_eq!(sf.calls()[0], "org display --json");
}

#[tokio::test]
async fn a_missing_sf_is_not_installed() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("no-such-sf");
    let e = SfCli::with_program(&missing)
        .token("acme", RenewReason::Initial)
        .await
        .expect_err("not installed");
    assert!(
        matches!(cli_error(&e), SfCliError::NotInstalled { program } if program.contains("no-such-sf")),
        "{e:?}"
    );
    let d = e.diagnosis();
    assert_eq!(d.title, "Salesforce CLI not found");
    assert!(d.fix.contains("SFTERM_SF_BIN"), "{d:?}");
    assert!(d.fix.contains("@salesforce/cli"), "{d:?}");
}

#[tokio::test]
async fn a_wrapper_that_finds_no_sf_is_not_installed_either() {
    let (_fake, url) = oauth_fake::start().await;
    let sf = StandIn::new(&url);
    let e = sf.cli().org_display("wrapper").await.expect_err("exit 127");
    assert!(
        matches!(cli_error(&e), SfCliError::NotInstalled { .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_unknown_org_is_named_with_the_fix() {
    let (_fake, url) = oauth_fake::start().await;
    let sf = StandIn::new(&url);
    let e = sf
        .cli()
        .token("nope", RenewReason::Initial)
        .await
        .expect_err("unknown");
    assert_eq!(
        cli_error(&e),
        &SfCliError::OrgNotFound { org: "nope".into() }
    );
    let d = e.diagnosis();
    assert_eq!(d.title, "Org unknown to the Salesforce CLI");
    assert!(d.fix.contains("sf org list"), "{d:?}");
    assert!(d.fix.contains("sf org login web --alias nope"), "{d:?}");
}

#[tokio::test]
async fn an_expired_login_says_which_command_fixes_it() {
    let (fake, url) = oauth_fake::start().await;
    let sf = StandIn::new(&url);
    // The CLI fails outright.
    let e = sf
        .cli()
        .token("expired", RenewReason::Initial)
        .await
        .expect_err("expired");
    assert!(
        matches!(cli_error(&e), SfCliError::LoginExpired { org, .. } if org == "expired"),
        "{e:?}"
    );
    let d = e.diagnosis();
    assert_eq!(d.title, "Salesforce CLI login expired");
    assert!(d.fix.contains("sf org login web --alias expired"), "{d:?}");
    // The CLI reports the org's connection as broken.
    let e = sf
        .cli()
        .token("refused", RenewReason::Initial)
        .await
        .expect_err("refused");
    assert!(
        e.diagnosis().fix.contains(&format!(
            "sf org login web --alias refused --instance-url {}",
            url.as_str().trim_end_matches('/')
        )),
        "{:?}",
        e.diagnosis()
    );
    // After a 401, a CLI that could not refresh hands back its stale token: expired.
    fake.valid
        .lock()
        .expect("lock")
        .insert("00DDn00000Org01!sf1".into());
    let client = sf_client(&url, sf.cli(), "stale");
    client
        .login(RenewReason::Initial)
        .await
        .expect("first token still works");
    fake.expire_access_tokens();
    let e = client.versions().await.expect_err("stale after 401");
    assert!(
        matches!(cli_error(&e), SfCliError::LoginExpired { org, message, .. }
            if org == "stale" && message.contains("stale")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_token_the_org_refuses_at_login_is_an_expired_cli_login() {
    let (_fake, url) = oauth_fake::start().await;
    let sf = StandIn::new(&url);
    // The fake knows no sf token: userinfo refuses it.
    let client = sf_client(&url, sf.cli(), "acme");
    let e = client
        .login(RenewReason::Initial)
        .await
        .expect_err("refused");
    assert!(
        matches!(cli_error(&e), SfCliError::LoginExpired { org, instance_url: Some(_), .. } if org == "acme"),
        "{e:?}"
    );
}

#[tokio::test]
async fn an_old_cli_without_show_access_token() {
    let (_fake, url) = oauth_fake::start().await;
    let sf = StandIn::new(&url);
    // Before the redaction, org display still shows the token: it is used.
    let token = sf
        .cli()
        .token("old", RenewReason::Initial)
        .await
        .expect("legacy token");
    assert_eq!(token.access_token.expose_secret(), "00DDn00000Org01!legacy");
    // Redacted and no show-access-token: update the CLI.
    let e = sf.cli().access_token("older").await.expect_err("too old");
    assert_eq!(cli_error(&e), &SfCliError::TooOld);
    assert_eq!(e.diagnosis().title, "Salesforce CLI too old");
    assert!(e.diagnosis().fix.contains("sf update"));
}

#[tokio::test]
async fn a_hanging_cli_times_out() {
    let (_fake, url) = oauth_fake::start().await;
    let sf = StandIn::new(&url);
    let e = sf
        .cli()
        .with_timeout(Duration::from_millis(300))
        .org_display("slow")
        .await
        .expect_err("timeout");
    assert!(
        matches!(cli_error(&e), SfCliError::TimedOut { after, .. } if *after == Duration::from_millis(300)),
        "{e:?}"
    );
    assert_eq!(e.diagnosis().title, "Salesforce CLI too slow");
}

#[tokio::test]
async fn org_list_gives_each_org_once() {
    let (_fake, url) = oauth_fake::start().await;
    let sf = StandIn::new(&url);
    let orgs = sf.cli().org_list().await.expect("list");
    let names: Vec<(&str, Option<&str>)> = orgs
        .iter()
        .map(|o| (o.username.as_str(), o.alias.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("ops@acme.com", Some("acme")),
            ("ops@acme.com.uat", Some("uat")),
            ("hub@acme.com", Some("hub")),
            ("test-abc@example.com", None),
        ]
    );
    assert!(orgs[0].is_default && !orgs[0].is_sandbox);
    assert_eq!(
        orgs[0].login_url.as_deref(),
        Some("https://login.salesforce.com")
    );
    assert!(orgs[1].is_sandbox);
    assert_eq!(
        orgs[1].instance_url.as_deref(),
        Some("https://acme--uat.sandbox.my.salesforce.com")
    );
    assert!(orgs[2].is_dev_hub);
    assert!(orgs[3].is_scratch);
    assert!(!format!("{orgs:?}").contains("REDACTED"));
    assert_eq!(sf.calls(), ["org list --skip-connection-status --json"]);
}

#[test]
fn command_output_and_cli_debug_show_no_token() {
    let out = CommandOutput {
        exit_code: Some(0),
        stdout: br#"{"status":0,"result":{"accessToken":"00DDn00000Org01!secret"}}"#.to_vec(),
        stderr: vec![],
    };
    let cli = SfCli::with_program("/opt/sf/bin/sf");
    let source = SfCliSource::with_cli(cli.clone(), "acme");
    let dbg = format!("{out:?} {cli:?} {source:?}");
    assert!(!dbg.contains("secret"), "{dbg}");
    assert!(dbg.contains("/opt/sf/bin/sf"), "{dbg}");
}
