//! `sfterm profiles list|show|add|remove|import-sf`: the connection profiles in
//! `profiles.toml`. Secrets are never printed: only where they come from.

mod flags;
mod import_sf;

use std::io::Write;

use serde_json::{Value, json};

use super::connect::load_store;
use super::{CommandError, Context};
use crate::config::{EndpointKind, Flow, Profile, SecretSource};
use crate::sf::oauth::web::redirect_uri_for_port;
use crate::sf::types::jwt_audience;

pub use flags::{AddArgs, AuthArg, FlowArg, SecretArgs};
pub use import_sf::{ImportSfArgs, import_sf};

/// The `profiles` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ProfilesCommand {
    /// List the profiles: name, endpoint, kind, login flow and secret source.
    List(ListArgs),
    /// Show one profile's settings (never its secret).
    Show(ShowArgs),
    /// Add a profile (validated like the TUI's profile form); --flow chooses how it logs in.
    Add(Box<AddArgs>),
    /// Remove a profile.
    Remove(RemoveArgs),
    /// Add orgs logged in with the Salesforce CLI (`sf org list`) as profiles with flow "sf".
    ImportSf(ImportSfArgs),
}

/// Arguments of `profiles list`.
#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// Print a JSON array of objects with keys name, endpoint, kind, flow, secret_source.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `profiles show`.
#[derive(Debug, Clone, clap::Args)]
pub struct ShowArgs {
    /// The profile's name.
    pub name: String,
    /// Print one JSON object: name, endpoint, kind, flow, flow_label, client_id,
    /// secret_source (and secret_env or secret_command), auth_style, api_version, ca_file,
    /// renew_margin_secs, the flow's keys (web: callback_port, callback_url; jwt: username,
    /// key_file, audience; sf: sf_org), problems, warnings.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `profiles remove`.
#[derive(Debug, Clone, clap::Args)]
pub struct RemoveArgs {
    /// The profile's name.
    pub name: String,
}

/// The kind badge of a profile's endpoint: `production`, `sandbox`, `my-domain`, `local`,
/// `custom`, `invalid` when the endpoint cannot be used, or `unknown` for a Salesforce CLI
/// org without one (the CLI knows its instance).
pub fn kind_badge(profile: &Profile) -> &'static str {
    if has_no_endpoint(profile) {
        return "unknown";
    }
    match profile.normalized_endpoint() {
        Err(_) => "invalid",
        Ok(e) if e.is_sandbox() => "sandbox",
        Ok(e) => match e.kind {
            EndpointKind::Production => "production",
            EndpointKind::Sandbox => "sandbox",
            EndpointKind::MyDomain => "my-domain",
            EndpointKind::Loopback => "local",
            EndpointKind::Custom => "custom",
        },
    }
}

/// A flow that may go without an endpoint (the Salesforce CLI's), and none given.
fn has_no_endpoint(profile: &Profile) -> bool {
    !profile.flow.uses_client_id() && profile.endpoint.trim().is_empty()
}

/// Where the secret comes from, for people: `prompt`, `env FOO`, `command pass ...`, `plain`.
fn secret_text(source: &SecretSource) -> String {
    match source {
        SecretSource::Prompt => "prompt (asked at connect)".to_string(),
        SecretSource::Env { var } => format!("env {var}"),
        SecretSource::Command { command } => format!("command {command}"),
        SecretSource::Plain { .. } => "plain (stored in profiles.toml)".to_string(),
        SecretSource::None => "none".to_string(),
    }
}

/// The endpoint as it will be used (normalised), or as typed when it is invalid; `None` when
/// there is none.
fn endpoint_text(profile: &Profile) -> Option<String> {
    if has_no_endpoint(profile) {
        return None;
    }
    Some(
        profile
            .normalized_endpoint()
            .map(|e| e.to_string())
            .unwrap_or_else(|_| profile.endpoint.clone()),
    )
}

/// The `aud` a JWT profile signs: its own, else the one its endpoint implies.
fn audience_text(profile: &Profile, audience: Option<&String>) -> String {
    if let Some(audience) = audience {
        return audience.clone();
    }
    match profile.normalized_endpoint() {
        Ok(e) => format!("{} (from the endpoint)", jwt_audience(&e.url)),
        Err(_) => "from the endpoint".to_string(),
    }
}

/// The flow's own settings as (label, value) lines for `profiles show`.
fn flow_lines(p: &Profile) -> Vec<(&'static str, String)> {
    match &p.flow {
        Flow::ClientCredentials => Vec::new(),
        Flow::Web { callback_port } => vec![(
            "Callback",
            redirect_uri_for_port(callback_port.unwrap_or(crate::config::DEFAULT_CALLBACK_PORT)),
        )],
        Flow::Jwt {
            username,
            key_file,
            audience,
        } => vec![
            ("Username", username.clone()),
            ("Key file", key_file.display().to_string()),
            ("Audience", audience_text(p, audience.as_ref())),
        ],
        Flow::SfCli { org } => vec![("CLI org", org.clone())],
    }
}

/// The stable JSON form of a profile (never the secret): the keys listed on `profiles show
/// --json`. `secret_source` is prompt|env|command|plain|none; `api_version` null = auto;
/// `endpoint` null = none (a Salesforce CLI org); `audience` null = from the endpoint.
pub fn profile_json(profile: &Profile) -> Value {
    let mut v = json!({
        "name": profile.name,
        "endpoint": endpoint_text(profile),
        "kind": kind_badge(profile),
        "flow": profile.flow.as_str(),
        "flow_label": profile.flow.label(),
        "secret_source": profile.secret.kind(),
        "client_id": profile.client_id,
        "auth_style": profile.auth_style.as_str(),
        "api_version": profile.pinned_api_version(),
        "ca_file": profile.ca_file.as_ref().map(|p| p.display().to_string()),
        "renew_margin_secs": profile.renew_margin_secs,
        "problems": profile.validate().iter()
            .map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>(),
        "warnings": profile.warnings(),
    });
    match &profile.secret {
        SecretSource::Env { var } => v["secret_env"] = json!(var),
        SecretSource::Command { command } => v["secret_command"] = json!(command),
        _ => {}
    }
    match &profile.flow {
        Flow::ClientCredentials => {}
        Flow::Web { callback_port } => {
            let port = callback_port.unwrap_or(crate::config::DEFAULT_CALLBACK_PORT);
            v["callback_port"] = json!(port);
            v["callback_url"] = json!(redirect_uri_for_port(port));
        }
        Flow::Jwt {
            username,
            key_file,
            audience,
        } => {
            v["username"] = json!(username);
            v["key_file"] = json!(key_file.display().to_string());
            v["audience"] = json!(audience);
        }
        Flow::SfCli { org } => v["sf_org"] = json!(org),
    }
    v
}

/// Runs a `profiles` subcommand.
pub(crate) async fn run(cmd: ProfilesCommand, ctx: &mut Context) -> Result<(), CommandError> {
    match cmd {
        ProfilesCommand::List(args) => list(&args, ctx),
        ProfilesCommand::Show(args) => show(&args, ctx),
        ProfilesCommand::Add(args) => add(&args, ctx),
        ProfilesCommand::Remove(args) => remove(&args, ctx),
        ProfilesCommand::ImportSf(args) => {
            use std::io::IsTerminal;
            // The numbered prompt only when someone reads it and types the answer.
            let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
            let answers = interactive.then(|| {
                Box::new(std::io::BufReader::new(std::io::stdin()))
                    as Box<dyn std::io::BufRead + Send>
            });
            import_sf(&args, ctx, &crate::sf::sfcli::SfCli::from_env(), answers).await
        }
    }
}

fn list(args: &ListArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let store = load_store(ctx)?;
    if args.json {
        let items: Vec<Value> = store
            .profiles()
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "endpoint": endpoint_text(p),
                    "kind": kind_badge(p),
                    "flow": p.flow.as_str(),
                    "secret_source": p.secret.kind(),
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut ctx.stdout, &items)
            .map_err(|e| CommandError::failure(e.to_string()))?;
        writeln!(ctx.stdout)?;
        return Ok(());
    }
    if store.profiles().is_empty() {
        writeln!(
            ctx.stdout,
            "No profiles in {}. Add one with `sfterm profiles add` (or `sfterm profiles \
             import-sf` for the Salesforce CLI's orgs).",
            store.path().display()
        )?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = store
        .profiles()
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                endpoint_text(p).unwrap_or_else(|| "-".to_string()),
                kind_badge(p).to_string(),
                p.flow.as_str().to_string(),
                p.secret.kind().to_string(),
            ]
        })
        .collect();
    let header = ["NAME", "ENDPOINT", "KIND", "FLOW", "SECRET"].map(String::from);
    write_table(&mut ctx.stdout, &header, &rows)?;
    Ok(())
}

/// Writes `rows` under `header` in left-aligned columns two spaces apart.
fn write_table(
    out: &mut dyn Write,
    header: &[String],
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    let mut widths = vec![0usize; header.len()];
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let line = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect::<Vec<_>>()
            .join("  ");
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn no_such(name: &str) -> CommandError {
    CommandError::usage(format!("There is no profile named \"{name}\"."))
}

fn show(args: &ShowArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let store = load_store(ctx)?;
    let profile = store.get(&args.name).ok_or_else(|| no_such(&args.name))?;
    if args.json {
        serde_json::to_writer_pretty(&mut ctx.stdout, &profile_json(profile))
            .map_err(|e| CommandError::failure(e.to_string()))?;
        writeln!(ctx.stdout)?;
        return Ok(());
    }
    let p = profile;
    let mut lines = vec![
        ("Name", p.name.clone()),
        (
            "Endpoint",
            endpoint_text(p).unwrap_or_else(|| "-".to_string()),
        ),
        ("Kind", kind_badge(p).to_string()),
        ("Flow", format!("{} ({})", p.flow.as_str(), p.flow.label())),
    ];
    if p.flow.uses_client_id() {
        lines.push(("Client id", p.client_id.clone()));
    }
    if p.flow.uses_secret() {
        lines.push(("Secret", secret_text(&p.secret)));
        lines.push(("Auth style", p.auth_style.as_str().to_string()));
    }
    lines.extend(flow_lines(p));
    lines.push((
        "API version",
        p.pinned_api_version().unwrap_or("auto").to_string(),
    ));
    lines.push((
        "CA file",
        p.ca_file
            .as_ref()
            .map(|f| f.display().to_string())
            .unwrap_or_else(|| "-".to_string()),
    ));
    for (label, value) in lines {
        writeln!(ctx.stdout, "{label:<12}{value}")?;
    }
    for problem in p.validate() {
        writeln!(
            ctx.stdout,
            "Problem     {}: {}",
            problem.field, problem.message
        )?;
    }
    for warning in p.warnings() {
        writeln!(ctx.stdout, "Warning     {warning}")?;
    }
    Ok(())
}

/// Adds `profile` to the store in memory: a taken name is a usage error.
fn insert(store: &mut crate::config::ProfileStore, profile: Profile) -> Result<(), CommandError> {
    store.upsert(None, profile).map_err(|e| match e {
        crate::config::ConfigError::NameTaken(_) => CommandError::usage(e.to_string()),
        other => CommandError::failure(other.to_string()),
    })
}

fn add(args: &AddArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let mut store = load_store(ctx)?;
    let profile = args.profile()?;
    let problems = profile.validate();
    if !problems.is_empty() {
        let list = problems
            .iter()
            .map(|p| format!("  {}: {}", args.option_of(p), p.message))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(CommandError::usage(format!(
            "The profile is not valid:\n{list}"
        )));
    }
    let notes = profile
        .normalized_endpoint()
        .map(|e| e.notes)
        .unwrap_or_default();
    let name = profile.name.clone();
    let flow = profile.flow.clone();
    insert(&mut store, profile)?;
    store
        .save()
        .map_err(|e| CommandError::failure(e.to_string()))?;
    writeln!(
        ctx.stdout,
        "Added profile \"{name}\" ({}) to {}",
        flow.label(),
        store.path().display()
    )?;
    for note in notes {
        writeln!(ctx.stdout, "Note: {note}")?;
    }
    if let Flow::Web { callback_port } = flow {
        let port = callback_port.unwrap_or(crate::config::DEFAULT_CALLBACK_PORT);
        writeln!(
            ctx.stdout,
            "Note: the app's callback URL must be {}.",
            redirect_uri_for_port(port)
        )?;
    }
    Ok(())
}

fn remove(args: &RemoveArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let mut store = load_store(ctx)?;
    let Some(profile) = store.get(&args.name) else {
        return Err(no_such(&args.name));
    };
    let browser_login = matches!(profile.flow, crate::config::Flow::Web { .. });
    store
        .remove(&args.name)
        .and_then(|()| store.save())
        .map_err(|e| CommandError::failure(e.to_string()))?;
    writeln!(ctx.stdout, "Removed profile \"{}\"", args.name)?;
    // Its browser login goes with it.
    if browser_login {
        match ctx.token_store().delete(&args.name) {
            Ok(true) => writeln!(ctx.stdout, "Deleted its stored login (refresh token).")?,
            Ok(false) => {}
            Err(e) => eprintln!("warning: its stored login was not deleted: {e}"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    #[test]
    fn badges() {
        let mut p = Profile::new("x", "https://acme.my.salesforce.com", "id");
        assert_eq!(kind_badge(&p), "my-domain");
        p.endpoint = "https://acme--dev.sandbox.my.salesforce.com".into();
        assert_eq!(kind_badge(&p), "sandbox");
        p.endpoint = "http://127.0.0.1:8484".into();
        assert_eq!(kind_badge(&p), "local");
        p.endpoint = "https://login.salesforce.com".into();
        assert_eq!(kind_badge(&p), "production");
        p.endpoint = "http://example.com".into();
        assert_eq!(kind_badge(&p), "invalid");
    }

    #[test]
    fn json_never_has_a_plain_secret() {
        let mut p = Profile::new("x", "https://acme.my.salesforce.com", "id");
        p.secret = SecretSource::Plain {
            value: SecretString::from("hunter2-secret"),
        };
        let v = profile_json(&p);
        assert_eq!(v["secret_source"], "plain");
        assert!(!v.to_string().contains("hunter2-secret"), "{v}");
        assert_eq!(v["warnings"].as_array().map(Vec::len), Some(1));
        p.secret = SecretSource::Env {
            var: "SF_SECRET".into(),
        };
        assert_eq!(profile_json(&p)["secret_env"], "SF_SECRET");
    }
}
