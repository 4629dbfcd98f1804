//! Borrowing a Salesforce CLI (`sf`) login: the instance from `sf org display --json`, the
//! access token from `sf org auth show-access-token --json` (the CLI redacts tokens everywhere
//! else since 2.136.8), the orgs from `sf org list --json`. Renewal runs the CLI again; sfterm
//! never reads the CLI's own files (`~/.sf`, `~/.sfdx`).
//!
//! The program is `sf` on `PATH` unless [`SF_BIN_ENV`] names another; commands go through a
//! [`CommandRunner`], so tests put a stand-in script or runner in its place.

mod org_list;
mod runner;

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::Timestamp;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

pub use org_list::SfOrgEntry;
pub use runner::{CommandOutput, CommandRunner, ProcessRunner};

use org_list::parse_org_list;

use crate::sf::error::{ApiError, SfCliError};
use crate::sf::types::{RenewReason, Token, TokenSource};

/// The environment variable naming the `sf` program (default: `sf` on `PATH`).
pub const SF_BIN_ENV: &str = "SFTERM_SF_BIN";
/// How long one `sf` command may take (it refreshes the org's session on the way).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// What `sf` prints instead of a secret since 2.136.8.
const REDACTED: &str = "[REDACTED]";

/// The `sf` program: the value of [`SF_BIN_ENV`] when set and not empty, else `sf`
/// (`sf.cmd` on Windows).
pub fn program_from(value: Option<OsString>) -> PathBuf {
    value
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(if cfg!(windows) { "sf.cmd" } else { "sf" }))
}

/// What `sf org display` says about an org (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SfOrg {
    /// The username.
    pub username: String,
    /// The 18-character org id.
    pub org_id: String,
    /// The instance (My Domain) URL.
    pub instance_url: String,
    /// The API version the CLI uses, e.g. `66.0`.
    pub api_version: Option<String>,
    /// The alias, if any.
    pub alias: Option<String>,
    /// The consumer key of the CLI's login (`PlatformCLI` by default).
    pub client_id: Option<String>,
    /// `Connected`, or why not (e.g. `RefreshTokenAuthError`).
    pub connected_status: Option<String>,
}

/// The Salesforce CLI. `Debug` shows the program only.
#[derive(Clone)]
pub struct SfCli {
    program: PathBuf,
    runner: Arc<dyn CommandRunner>,
    timeout: Duration,
}

impl fmt::Debug for SfCli {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SfCli")
            .field("program", &self.program)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for SfCli {
    fn default() -> Self {
        SfCli::from_env()
    }
}

/// The CLI's JSON envelope, success (`status` 0, `result`) or failure (`name`, `message`).
#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    status: Option<i64>,
    #[serde(default)]
    result: Option<Value>,
    #[serde(default)]
    warnings: Vec<Value>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    code: Option<Value>,
    #[serde(default)]
    message: Option<String>,
}

/// A failed command, before it is read as an org's problem.
enum Failure {
    /// The CLI has no such command (an old CLI).
    NoSuchCommand,
    /// Anything else, already an error.
    Error(ApiError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Error(e)
    }
}

fn cli_error(e: SfCliError) -> ApiError {
    ApiError::SfCli(Box::new(e))
}

/// What the CLI said when its login expired, if that is the error.
fn expired_message(e: &ApiError) -> Option<String> {
    match e.sf_cli_error() {
        Some(SfCliError::LoginExpired { message, .. }) => Some(message.clone()),
        _ => None,
    }
}

/// The first JSON object in `stdout` (anything the CLI printed before it is skipped).
fn envelope(stdout: &[u8]) -> Option<Envelope> {
    let start = stdout.iter().position(|&b| b == b'{')?;
    serde_json::Deserializer::from_slice(&stdout[start..])
        .into_iter::<Envelope>()
        .next()?
        .ok()
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl SfCli {
    /// `sf` (or [`SF_BIN_ENV`]) run as a child process.
    pub fn from_env() -> SfCli {
        SfCli::with_program(program_from(std::env::var_os(SF_BIN_ENV)))
    }

    /// A given program run as a child process.
    pub fn with_program(program: impl Into<PathBuf>) -> SfCli {
        SfCli {
            program: program.into(),
            runner: Arc::new(ProcessRunner),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The same program through another runner.
    pub fn with_runner(mut self, runner: Arc<dyn CommandRunner>) -> SfCli {
        self.runner = runner;
        self
    }

    /// Another timeout per command.
    pub fn with_timeout(mut self, timeout: Duration) -> SfCli {
        self.timeout = timeout;
        self
    }

    /// The program run.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Runs `sf ARGS --json [--target-org ORG]`; the `result` and the warnings.
    async fn run(&self, args: &[&str], org: &str) -> Result<(Value, Vec<String>), Failure> {
        let command = format!("sf {}", args.join(" "));
        let mut full: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        full.push("--json".into());
        if !org.is_empty() {
            full.push("--target-org".into());
            full.push(org.to_string());
        }
        let program = self.program.display().to_string();
        let out = self
            .runner
            .run(&self.program, &full, self.timeout)
            .await
            .map_err(|e| {
                cli_error(match e.kind() {
                    io::ErrorKind::NotFound => SfCliError::NotInstalled {
                        program: program.clone(),
                    },
                    io::ErrorKind::TimedOut => SfCliError::TimedOut {
                        command: command.clone(),
                        after: self.timeout,
                    },
                    _ => SfCliError::Failed {
                        command: command.clone(),
                        name: "CannotRun".into(),
                        message: format!("cannot run {}: {e}", self.program.display()),
                        exit_code: None,
                    },
                })
            })?;
        let stderr = String::from_utf8_lossy(&out.stderr).to_ascii_lowercase();
        let Some(env) = envelope(&out.stdout) else {
            if no_such_command("", "", &stderr) {
                return Err(Failure::NoSuchCommand);
            }
            if out.exit_code == Some(127) {
                return Err(cli_error(SfCliError::NotInstalled { program }).into());
            }
            return Err(cli_error(SfCliError::Unreadable {
                command,
                message: format!(
                    "no JSON in its output (exit {})",
                    out.exit_code.map_or("by signal".into(), |c| c.to_string())
                ),
            })
            .into());
        };
        let warnings = env.warnings.iter().map(text_of).collect();
        match (env.status, env.result, out.exit_code) {
            (Some(0) | None, Some(result), Some(0)) => Ok((result, warnings)),
            (_, _, exit_code) => {
                let name = env
                    .name
                    .or_else(|| env.code.as_ref().map(text_of))
                    .unwrap_or_default();
                let message = env.message.unwrap_or_default();
                if no_such_command(&name, &message, &stderr) {
                    return Err(Failure::NoSuchCommand);
                }
                Err(classify(command, org, name, message, exit_code).into())
            }
        }
    }

    /// `sf org display`: the org's instance and user (an empty `org` = the default org).
    pub async fn org_display(&self, org: &str) -> Result<SfOrg, ApiError> {
        self.display(org).await.map(|(o, _)| o)
    }

    /// `sf org display` and the token it still shows on CLIs older than 2.136.8.
    async fn display(&self, org: &str) -> Result<(SfOrg, Option<SecretString>), ApiError> {
        let (result, _) = self
            .run(&["org", "display"], org)
            .await
            .map_err(|f| failure(f, "sf org display"))?;
        let s = |key: &str| result.get(key).filter(|v| !v.is_null()).map(text_of);
        let shape = |what: &str| {
            cli_error(SfCliError::Unreadable {
                command: "sf org display".into(),
                message: format!("no {what} in its result"),
            })
        };
        let display = SfOrg {
            username: s("username").ok_or_else(|| shape("username"))?,
            org_id: s("id").unwrap_or_default(),
            instance_url: s("instanceUrl").ok_or_else(|| shape("instanceUrl"))?,
            api_version: s("apiVersion"),
            alias: s("alias"),
            client_id: s("clientId"),
            connected_status: s("connectedStatus"),
        };
        let legacy = s("accessToken")
            .filter(|t| !t.is_empty() && !t.starts_with(REDACTED))
            .map(SecretString::from);
        Ok((display, legacy))
    }

    /// `sf org auth show-access-token`: the access token (refreshed by the CLI if it can) and
    /// the CLI's warnings.
    async fn show_access_token(&self, org: &str) -> Result<(SecretString, Vec<String>), Failure> {
        let (result, warnings) = self.run(&["org", "auth", "show-access-token"], org).await?;
        let token = result
            .get("accessToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty() && !t.starts_with(REDACTED))
            .ok_or_else(|| {
                cli_error(SfCliError::Unreadable {
                    command: "sf org auth show-access-token".into(),
                    message: "no accessToken in its result".into(),
                })
            })?;
        Ok((SecretString::from(token.to_string()), warnings))
    }

    /// The access token of `org` (an empty `org` = the default org).
    pub async fn access_token(&self, org: &str) -> Result<SecretString, ApiError> {
        match self.show_access_token(org).await {
            Ok((token, _)) => Ok(token),
            Err(Failure::NoSuchCommand) => match self.display(org).await? {
                (_, Some(token)) => Ok(token),
                (_, None) => Err(cli_error(SfCliError::TooOld)),
            },
            Err(Failure::Error(e)) => Err(e),
        }
    }

    /// A token for `org`: `sf org display` for the instance, then `sf org auth
    /// show-access-token`. The user id is left empty (the client asks userinfo). After a
    /// 401 (`reason` [`RenewReason::InvalidSession`]), a CLI that says it could not refresh
    /// the session means the login expired.
    pub async fn token(&self, org: &str, reason: RenewReason) -> Result<Token, ApiError> {
        let (display, legacy) = self.display(org).await?;
        let expired = |message: String| {
            cli_error(SfCliError::LoginExpired {
                org: org_name(org, &display),
                instance_url: Some(display.instance_url.clone()),
                message,
            })
        };
        if let Some(status) = &display.connected_status
            && is_auth_failure(status)
        {
            return Err(expired(status.clone()));
        }
        let access = match self.show_access_token(org).await {
            Ok((token, warnings)) => {
                let stale = warnings.iter().find(|w| {
                    let w = w.to_ascii_lowercase();
                    w.contains("unable to refresh") || w.contains("may be stale")
                });
                if let (Some(warning), RenewReason::InvalidSession) = (stale, reason) {
                    return Err(expired(warning.clone()));
                }
                token
            }
            Err(Failure::NoSuchCommand) => legacy.ok_or(cli_error(SfCliError::TooOld))?,
            Err(Failure::Error(e)) => return Err(expired_message(&e).map_or(e, expired)),
        };
        let instance_url = Url::parse(&display.instance_url).map_err(|e| {
            cli_error(SfCliError::Unreadable {
                command: "sf org display".into(),
                message: format!("instanceUrl {:?}: {e}", display.instance_url),
            })
        })?;
        let id_url = instance_url
            .join(&format!("/id/{}/", display.org_id))
            .unwrap_or_else(|_| instance_url.clone());
        let now = Timestamp::now();
        Ok(Token {
            access_token: access,
            instance_url,
            id_url,
            org_id: display.org_id,
            user_id: String::new(),
            scopes: Vec::new(),
            token_type: "Bearer".into(),
            issued_at: now,
            obtained_at: now,
            reason,
            signature: None,
        })
    }

    /// `sf org list --skip-connection-status`: every org the CLI knows, each once (the
    /// deprecated `nonScratchOrgs` repeats the others), in the CLI's order.
    pub async fn org_list(&self) -> Result<Vec<SfOrgEntry>, ApiError> {
        self.list_orgs(&["org", "list", "--skip-connection-status"])
            .await
    }

    /// `sf org list`: as [`SfCli::org_list`], with each org's `connected_status` (the CLI
    /// refreshes every org's login to find it, which takes a while).
    pub async fn org_list_with_status(&self) -> Result<Vec<SfOrgEntry>, ApiError> {
        self.list_orgs(&["org", "list"]).await
    }

    async fn list_orgs(&self, args: &[&str]) -> Result<Vec<SfOrgEntry>, ApiError> {
        let (result, _) = self
            .run(args, "")
            .await
            .map_err(|f| failure(f, "sf org list"))?;
        parse_org_list(&result)
    }
}

/// How an org is named in messages: as asked, else the CLI's alias or username.
fn org_name(asked: &str, display: &SfOrg) -> String {
    if !asked.is_empty() {
        return asked.to_string();
    }
    display
        .alias
        .clone()
        .unwrap_or_else(|| display.username.clone())
}

fn failure(f: Failure, command: &str) -> ApiError {
    match f {
        Failure::Error(e) => e,
        Failure::NoSuchCommand => cli_error(SfCliError::Failed {
            command: command.into(),
            name: "CommandNotFound".into(),
            message: "this Salesforce CLI has no such command".into(),
            exit_code: None,
        }),
    }
}

/// A CLI that does not know the command (older than plugin-org 5.11): sf's own words, not a
/// shell's `sf: command not found` (that is a missing CLI).
fn no_such_command(name: &str, message: &str, stderr: &str) -> bool {
    let text = format!("{name} {message} {stderr}").to_ascii_lowercase();
    text.contains("is not a sf command")
        || text.contains("commandnotfound")
        || (text.contains("not found") && text.contains("org:auth:show-access-token"))
}

/// A status or message that says the CLI's login no longer works.
fn is_auth_failure(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "expired access/refresh token",
        "error authenticating with the refresh token",
        "refreshtokenautherror",
        "invalid_grant",
        "inactive user",
    ]
    .iter()
    .any(|needle| t.contains(needle))
}

/// The error of a failed command, from the CLI's error name and message.
fn classify(
    command: String,
    org: &str,
    name: String,
    message: String,
    exit_code: Option<i32>,
) -> ApiError {
    let lower = format!("{name} {message}").to_ascii_lowercase();
    let no_default = lower.contains("no default environment found")
        || lower.contains("no default username")
        || lower.contains("nodefaultenverror");
    cli_error(
        if lower.contains("namedorgnotfound") || lower.contains("no authorization information") {
            SfCliError::OrgNotFound { org: org.into() }
        } else if no_default && org.is_empty() {
            SfCliError::NoDefaultOrg
        } else if no_default {
            SfCliError::OrgNotFound { org: org.into() }
        } else if is_auth_failure(&lower) {
            SfCliError::LoginExpired {
                org: org.into(),
                instance_url: None,
                message,
            }
        } else {
            SfCliError::Failed {
                command,
                name,
                message,
                exit_code,
            }
        },
    )
}

/// A [`TokenSource`] that borrows the login of one CLI org (alias or username; empty = the
/// CLI's default org).
#[derive(Debug)]
pub struct SfCliSource {
    cli: SfCli,
    org: String,
    /// The instance of the last token, for the fix of a refused one.
    instance: Mutex<Option<String>>,
}

impl SfCliSource {
    /// The org `org` through `sf` (or [`SF_BIN_ENV`]).
    pub fn new(org: impl Into<String>) -> SfCliSource {
        SfCliSource::with_cli(SfCli::from_env(), org)
    }

    /// The org `org` through a given CLI.
    pub fn with_cli(cli: SfCli, org: impl Into<String>) -> SfCliSource {
        SfCliSource {
            cli,
            org: org.into(),
            instance: Mutex::new(None),
        }
    }

    /// The org asked for.
    pub fn org(&self) -> &str {
        &self.org
    }
}

impl TokenSource for SfCliSource {
    fn token(&self, reason: RenewReason) -> BoxFuture<'_, Result<Token, ApiError>> {
        Box::pin(async move {
            let token = self.cli.token(&self.org, reason).await?;
            if let Ok(mut instance) = self.instance.lock() {
                *instance = Some(token.instance_url.as_str().trim_end_matches('/').into());
            }
            Ok(token)
        })
    }

    fn refused(&self) -> ApiError {
        cli_error(SfCliError::LoginExpired {
            org: self.org.clone(),
            instance_url: self.instance.lock().ok().and_then(|i| i.clone()),
            message: "Salesforce refuses the access token the CLI gave".into(),
        })
    }

    fn describe(&self) -> String {
        format!(
            "sf CLI org {:?} via {}",
            self.org,
            self.cli.program.display()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_defaults_to_sf_and_follows_the_variable() {
        let default = program_from(None);
        assert!(default.ends_with("sf") || default.ends_with("sf.cmd"));
        assert_eq!(program_from(Some("".into())), default);
        assert_eq!(
            program_from(Some("/opt/sf/bin/sf".into())),
            PathBuf::from("/opt/sf/bin/sf")
        );
    }

    #[test]
    fn an_unknown_command_is_not_a_missing_cli() {
        assert!(no_such_command(
            "",
            "",
            " ›   warning: org auth show-access-token is not a sf command."
        ));
        assert!(no_such_command(
            "",
            "",
            "error: command org:auth:show-access-token not found"
        ));
        assert!(!no_such_command("", "", "sh: 1: sf: command not found"));
    }

    #[test]
    fn envelope_skips_noise_before_the_json() {
        let out = b"Warning: update available\n{\"status\":0,\"result\":{\"a\":1}}\ntrailing";
        let env = envelope(out).expect("envelope");
        assert_eq!(env.status, Some(0));
        assert_eq!(env.result, Some(serde_json::json!({"a": 1})));
        assert!(envelope(b"no json here").is_none());
    }

    #[test]
    fn failures_are_classified() {
        let c = |name: &str, message: &str, org: &str| {
            classify("sf x".into(), org, name.into(), message.into(), Some(1))
        };
        let e = c(
            "NamedOrgNotFoundError",
            "No authorization information found for nope.",
            "nope",
        );
        assert!(
            matches!(e.sf_cli_error(), Some(SfCliError::OrgNotFound { org }) if org == "nope"),
            "{e:?}"
        );
        let e = c(
            "NoDefaultEnvError",
            "No default environment found. Use -o or --target-org to specify an environment.",
            "",
        );
        assert_eq!(e.sf_cli_error(), Some(&SfCliError::NoDefaultOrg));
        let e = c(
            "RefreshTokenAuthError",
            "Error authenticating with the refresh token due to: expired access/refresh token",
            "acme",
        );
        assert!(matches!(
            e.sf_cli_error(),
            Some(SfCliError::LoginExpired { .. })
        ));
        let e = c("GenericError", "boom", "acme");
        assert!(matches!(
            e.sf_cli_error(),
            Some(SfCliError::Failed {
                exit_code: Some(1),
                ..
            })
        ));
    }
}
