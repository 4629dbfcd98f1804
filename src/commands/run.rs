//! `sfterm run NAME`: sends a saved request of the composer and prints the response body;
//! `sfterm requests list|import-postman|export-curl`: manage the saved requests.

use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::profiles::SecretArgs;
use super::{CommandError, Context, connect};
use crate::config::paths::{DATA_DIR_ENV, data_dir};
use crate::config::profiles::{ProfileStore, SecretSource};
use crate::requests::curl::to_curl;
use crate::requests::history::{History, HistoryEntry};
use crate::requests::postman::{import_collection, import_environment};
use crate::requests::request::{ResolvedRequest, SavedRequest, Variables};
use crate::requests::send::SendError;
use crate::requests::store::{FindError, RequestStore};
use crate::sf::{RawResponse, SfClient};

/// Arguments of `sfterm run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The saved request: its name, `folder/name`, or its file name without `.toml`.
    pub name: String,
    /// A variable value for this run (overrides the profile's): `--var account_id=001...`.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Print one JSON object instead of the body: status (number), reason, elapsed_ms, size,
    /// content_type, headers (object), body (parsed JSON, or the text).
    #[arg(long)]
    pub json: bool,
    /// The data directory holding `requests/` and `history.jsonl`.
    #[arg(long, env = DATA_DIR_ENV, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// The `requests` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum RequestsCommand {
    /// List the saved requests (folder/name, method, path).
    List(ListArgs),
    /// Import a Postman collection (v2.1) as saved requests; prints what was not mapped.
    ImportPostman(ImportArgs),
    /// Print a saved request as a curl command; the token as $SF_ACCESS_TOKEN unless --reveal.
    ExportCurl(ExportArgs),
    /// Import a Postman environment (url, clientId, clientSecret, ...) as a new profile. The
    /// secret is never written to profiles.toml: it comes from --secret-env, --secret-command
    /// or is typed in at connect time.
    ImportPostmanEnv(ImportEnvArgs),
}

/// Arguments of `requests import-postman-env`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportEnvArgs {
    /// The environment file (`*.postman_environment.json`).
    pub file: PathBuf,
    /// The new profile's name (default: the environment's name).
    #[arg(long)]
    pub name: Option<String>,
    /// Where the client secret comes from (default: asked at connect time).
    #[command(flatten)]
    pub secret: SecretArgs,
    /// The data directory (the environment's other values become the profile's variables).
    #[arg(long, env = DATA_DIR_ENV, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Arguments of `requests list`.
#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// One JSON object per line: folder (array), name, method, path, kind, file.
    #[arg(long)]
    pub json: bool,
    /// The data directory.
    #[arg(long, env = DATA_DIR_ENV, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Arguments of `requests import-postman`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// The collection file (`*.postman_collection.json`).
    pub file: PathBuf,
    /// The folder to import into (default: the collection's name).
    #[arg(long)]
    pub folder: Option<String>,
    /// The data directory.
    #[arg(long, env = DATA_DIR_ENV, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// Arguments of `requests export-curl`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The saved request (as for `sfterm run`).
    pub name: String,
    /// Write the access token itself into the command (it grants access to the org).
    #[arg(long)]
    pub reveal: bool,
    /// A variable value (as for `sfterm run`).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// The data directory.
    #[arg(long, env = DATA_DIR_ENV, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

fn store_of(dir: Option<&Path>) -> RequestStore {
    match dir {
        Some(d) => RequestStore::new(d),
        None => RequestStore::new(&data_dir()),
    }
}

/// Parses `--var NAME=VALUE` arguments.
pub fn parse_vars(args: &[String]) -> Result<Variables, CommandError> {
    let mut vars = Variables::new();
    for arg in args {
        let Some((k, v)) = arg.split_once('=') else {
            return Err(CommandError::usage(format!(
                "--var \"{arg}\" is not NAME=VALUE."
            )));
        };
        let k = k.trim();
        if k.is_empty() {
            return Err(CommandError::usage(format!("--var \"{arg}\" has no name.")));
        }
        vars.set(k, v);
    }
    Ok(vars)
}

fn find(store: &RequestStore, name: &str) -> Result<SavedRequest, CommandError> {
    store
        .find(name)
        .map(|s| s.request)
        .map_err(|e: FindError| CommandError::usage(format!("{e}.")))
}

/// A connected client, the resolved request and the values the send needs.
struct Prepared {
    profile: String,
    client: SfClient,
    request: SavedRequest,
    resolved: ResolvedRequest,
    instance_url: String,
}

async fn prepare(
    ctx: &Context,
    store: &RequestStore,
    name: &str,
    cli_vars: &[String],
) -> Result<Prepared, CommandError> {
    let request = find(store, name)?;
    let cli_vars = parse_vars(cli_vars)?;
    let (profile, client) = connect(ctx).await?;
    let token = client
        .token()
        .ok_or_else(|| CommandError::failure("Logged in, but no token was kept."))?;
    let version = client
        .api_version()
        .await
        .map_err(|e| CommandError::api(&e))?;
    let mut vars = Variables::from_session(&token, version);
    let user = store
        .variables(&profile.name)
        .map_err(|e| CommandError::failure(format!("Cannot read the profile's variables: {e}")))?;
    vars.extend(&user);
    vars.extend(&cli_vars);
    let resolved = request
        .resolve(&vars)
        .map_err(|e| CommandError::usage(format!("Request \"{}\" not sent: {e}.", request.name)))?;
    Ok(Prepared {
        profile: profile.name,
        client,
        request,
        resolved,
        instance_url: token
            .instance_url
            .as_str()
            .trim_end_matches('/')
            .to_string(),
    })
}

/// Sends a resolved request with the client's current token (Bearer header, SOAP session);
/// see [`crate::requests::send`] for the SOAP `INVALID_SESSION_ID` renew-and-resend.
pub async fn send(
    client: &SfClient,
    resolved: &ResolvedRequest,
) -> Result<RawResponse, CommandError> {
    match crate::requests::send::send(client, resolved).await {
        Ok(sent) => Ok(sent.response),
        Err(SendError::Api(e)) => Err(CommandError::api(&e)),
        Err(SendError::NotConnected) => Err(CommandError::failure("Not logged in.")),
        Err(e @ SendError::BadMethod(_)) => Err(CommandError::usage(format!("{e}."))),
    }
}

/// The body for printing: JSON re-indented, anything else as text.
fn pretty_body(resp: &RawResponse) -> String {
    match serde_json::from_slice::<Value>(&resp.body) {
        Ok(v) if !resp.body.is_empty() => serde_json::to_string_pretty(&v)
            .unwrap_or_else(|_| String::from_utf8_lossy(&resp.body).into_owned()),
        _ => String::from_utf8_lossy(&resp.body).into_owned(),
    }
}

fn status_line(resp: &RawResponse) -> String {
    format!(
        "HTTP {} {} · {} ms · {} bytes",
        resp.status.as_u16(),
        resp.status.canonical_reason().unwrap_or(""),
        resp.elapsed.as_millis(),
        crate::human::group_thousands(resp.body.len() as u64)
    )
}

/// Runs `sfterm run`.
pub async fn run(args: RunArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let data = args.data_dir.clone().unwrap_or_else(data_dir);
    let store = RequestStore::new(&data);
    let p = prepare(ctx, &store, &args.name, &args.vars).await?;
    let resp = send(&p.client, &p.resolved).await?;
    let token = p
        .client
        .token()
        .map(|t| t.access_token.expose_secret().to_string())
        .unwrap_or_default();
    let entry = HistoryEntry::record(
        Timestamp::now(),
        &p.profile,
        Some(&p.request),
        &p.resolved,
        &p.instance_url,
        &token,
        &resp,
    );
    if let Err(e) = History::new(&data).append(&entry) {
        eprintln!("warning: the request was not added to the history: {e}");
    }
    if args.json {
        let headers: serde_json::Map<String, Value> = resp
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
                )
            })
            .collect();
        let body = serde_json::from_slice::<Value>(&resp.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&resp.body).into_owned()));
        let out = json!({
            "status": resp.status.as_u16(),
            "reason": resp.status.canonical_reason().unwrap_or(""),
            "elapsed_ms": u64::try_from(resp.elapsed.as_millis()).unwrap_or(u64::MAX),
            "size": resp.body.len(),
            "content_type": resp.content_type(),
            "headers": headers,
            "body": body,
        });
        writeln!(ctx.stdout, "{out}")?;
    } else {
        let body = pretty_body(&resp);
        if !body.is_empty() {
            writeln!(ctx.stdout, "{}", body.trim_end())?;
        }
    }
    let line = status_line(&resp);
    if resp.status.as_u16() >= 400 {
        ctx.stdout.flush()?;
        return Err(CommandError::failure(line));
    }
    eprintln!("{line}");
    Ok(())
}

/// Runs a `requests` subcommand.
pub async fn run_requests(cmd: RequestsCommand, ctx: &mut Context) -> Result<(), CommandError> {
    match cmd {
        RequestsCommand::List(args) => {
            let listing = store_of(args.data_dir.as_deref()).list();
            for s in &listing.requests {
                let r = &s.request;
                if args.json {
                    let line = json!({
                        "folder": r.folder,
                        "name": r.name,
                        "method": r.method,
                        "path": r.path,
                        "kind": r.kind,
                        "file": s.path.display().to_string(),
                    });
                    writeln!(ctx.stdout, "{line}")?;
                } else {
                    let mut full = r.folder.clone();
                    full.push(r.name.clone());
                    writeln!(
                        ctx.stdout,
                        "{:<48} {:<7} {}",
                        full.join("/"),
                        r.method,
                        r.path
                    )?;
                }
            }
            for e in &listing.errors {
                eprintln!("warning: {e}");
            }
            Ok(())
        }
        RequestsCommand::ImportPostman(args) => {
            let text = std::fs::read_to_string(&args.file).map_err(|e| {
                CommandError::usage(format!("Cannot read {}: {e}", args.file.display()))
            })?;
            let first = import_collection(&text, &[])
                .map_err(|e| CommandError::usage(format!("{}: {e}", args.file.display())))?;
            let folder = args.folder.clone().unwrap_or_else(|| first.name.clone());
            let imported = import_collection(&text, &[folder])
                .map_err(|e| CommandError::usage(format!("{}: {e}", args.file.display())))?;
            let store = store_of(args.data_dir.as_deref());
            for r in &imported.requests {
                store
                    .save(r)
                    .map_err(|e| CommandError::failure(e.to_string()))?;
            }
            writeln!(
                ctx.stdout,
                "Imported {} requests into {}",
                imported.requests.len(),
                store.root().display()
            )?;
            for (k, v) in imported.variables.iter() {
                writeln!(
                    ctx.stdout,
                    "Collection variable {{{{{k}}}}} = {v:?} (define it for the profile)"
                )?;
            }
            if !imported.report.is_empty() {
                writeln!(ctx.stdout, "Not mapped:\n{}", imported.report)?;
            }
            Ok(())
        }
        RequestsCommand::ImportPostmanEnv(args) => import_env(&args, ctx),
        RequestsCommand::ExportCurl(args) => {
            let store = store_of(args.data_dir.as_deref());
            let p = prepare(ctx, &store, &args.name, &args.vars).await?;
            let token = p
                .client
                .token()
                .map(|t| t.access_token.expose_secret().to_string())
                .unwrap_or_default();
            writeln!(
                ctx.stdout,
                "{}",
                to_curl(&p.resolved, &p.instance_url, &token, args.reveal)
            )?;
            Ok(())
        }
    }
}

fn import_env(args: &ImportEnvArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| CommandError::usage(format!("Cannot read {}: {e}", args.file.display())))?;
    let env_name = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_string));
    let name = args
        .name
        .clone()
        .or(env_name)
        .unwrap_or_else(|| "Postman".to_string());
    let source = args.secret.source_or(SecretSource::Prompt);
    let imported = import_environment(&text, &name, source.clone())
        .map_err(|e| CommandError::usage(format!("{}: {e}", args.file.display())))?;
    let mut profiles = ProfileStore::load(&ctx.profiles_path())
        .map_err(|e| CommandError::failure(e.to_string()))?;
    profiles
        .upsert(None, imported.profile.clone())
        .map_err(|e| CommandError::usage(e.to_string()))?;
    profiles
        .save()
        .map_err(|e| CommandError::failure(e.to_string()))?;
    let store = store_of(args.data_dir.as_deref());
    for (k, v) in imported.variables.iter() {
        store
            .set_variable(&name, k, v)
            .map_err(|e| CommandError::failure(e.to_string()))?;
    }
    writeln!(
        ctx.stdout,
        "Added profile \"{name}\" ({})",
        imported.profile.endpoint
    )?;
    if imported.secret.is_some() {
        let where_ = match source {
            SecretSource::Env { var } => format!("set the environment variable {var} to it"),
            SecretSource::Command { .. } => "make the secret command print it".to_string(),
            _ => "type it in when connecting".to_string(),
        };
        writeln!(
            ctx.stdout,
            "The environment holds a client secret; it was not written anywhere: {where_}."
        )?;
    }
    for line in &imported.report {
        writeln!(ctx.stdout, "  - {line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars_parse() {
        let v = parse_vars(&["a=1".into(), "b=x=y".into()]).expect("ok");
        assert_eq!(v.get("a"), Some("1"));
        assert_eq!(v.get("b"), Some("x=y"));
        assert!(parse_vars(&["nope".into()]).is_err());
        assert!(parse_vars(&["=1".into()]).is_err());
    }
}
