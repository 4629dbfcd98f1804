//! `sfterm profiles list|show|add|remove`: the connection profiles in `profiles.toml`. Secrets
//! are never printed: only where they come from.

use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::connect::load_store;
use super::{CommandError, Context};
use crate::config::{AuthStyle, EndpointKind, Profile, SecretSource};

/// The `profiles` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ProfilesCommand {
    /// List the profiles: name, endpoint, kind and secret source.
    List(ListArgs),
    /// Show one profile's settings (never its secret).
    Show(ShowArgs),
    /// Add a profile (validated like the TUI's profile form).
    Add(AddArgs),
    /// Remove a profile.
    Remove(RemoveArgs),
}

/// Arguments of `profiles list`.
#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// Print a JSON array of objects with keys name, endpoint, kind, secret_source.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `profiles show`.
#[derive(Debug, Clone, clap::Args)]
pub struct ShowArgs {
    /// The profile's name.
    pub name: String,
    /// Print one JSON object (see `profiles show --help` for the keys).
    #[arg(long)]
    pub json: bool,
}

/// How `profiles add` sends the client credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum AuthArg {
    /// client_id / client_secret in the form body.
    #[default]
    Body,
    /// HTTP Basic Authorization header.
    Basic,
}

/// Arguments of `profiles add`. Without a --secret-* option the secret is asked for at
/// connect time (interactive use only).
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("secret_source").args(["secret_env", "secret_command", "secret_prompt"])))]
pub struct AddArgs {
    /// Unique profile name.
    #[arg(long)]
    pub name: String,
    /// The org's My Domain URL, e.g. https://acme.my.salesforce.com.
    #[arg(long)]
    pub endpoint: String,
    /// The app's consumer key.
    #[arg(long)]
    pub client_id: String,
    /// Read the client secret from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,
    /// Run this shell command and use its output as the client secret.
    #[arg(long, value_name = "CMD")]
    pub secret_command: Option<String>,
    /// Ask for the secret when connecting (the default).
    #[arg(long)]
    pub secret_prompt: bool,
    /// How the client credentials are sent to the token endpoint.
    #[arg(long, value_enum, default_value_t = AuthArg::Body)]
    pub auth: AuthArg,
    /// Pin an API version such as 62.0 (default: the org's newest).
    #[arg(long, value_name = "VERSION")]
    pub api_version: Option<String>,
    /// A PEM file with extra CA certificates to trust.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

/// Arguments of `profiles remove`.
#[derive(Debug, Clone, clap::Args)]
pub struct RemoveArgs {
    /// The profile's name.
    pub name: String,
}

/// The kind badge of a profile's endpoint: `production`, `sandbox`, `my-domain`, `local`,
/// `custom`, or `invalid` when the endpoint cannot be used.
pub fn kind_badge(profile: &Profile) -> &'static str {
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

/// The endpoint as it will be used (normalised), or as typed when it is invalid.
fn endpoint_text(profile: &Profile) -> String {
    profile
        .normalized_endpoint()
        .map(|e| e.to_string())
        .unwrap_or_else(|_| profile.endpoint.clone())
}

/// The stable JSON form of a profile (never the secret). Keys: `name`, `endpoint`, `kind`,
/// `secret_source` (prompt|env|command|plain), `secret_env` / `secret_command` (when that
/// source), `client_id`, `auth_style`, `api_version` (null = auto), `ca_file`,
/// `renew_margin_secs`, `problems` (strings), `warnings` (strings).
pub fn profile_json(profile: &Profile) -> Value {
    let mut v = json!({
        "name": profile.name,
        "endpoint": endpoint_text(profile),
        "kind": kind_badge(profile),
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
    v
}

/// Runs a `profiles` subcommand.
pub(crate) fn run(cmd: ProfilesCommand, ctx: &mut Context) -> Result<(), CommandError> {
    match cmd {
        ProfilesCommand::List(args) => list(&args, ctx),
        ProfilesCommand::Show(args) => show(&args, ctx),
        ProfilesCommand::Add(args) => add(args, ctx),
        ProfilesCommand::Remove(args) => remove(&args, ctx),
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
            "No profiles in {}. Add one with `sfterm profiles add`.",
            store.path().display()
        )?;
        return Ok(());
    }
    let rows: Vec<[String; 4]> = store
        .profiles()
        .iter()
        .map(|p| {
            [
                p.name.clone(),
                endpoint_text(p),
                kind_badge(p).to_string(),
                p.secret.kind().to_string(),
            ]
        })
        .collect();
    let header = ["NAME", "ENDPOINT", "KIND", "SECRET"].map(String::from);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line = row
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect::<Vec<_>>()
            .join("  ");
        writeln!(ctx.stdout, "{}", line.trim_end())?;
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
    let lines = [
        ("Name", p.name.clone()),
        ("Endpoint", endpoint_text(p)),
        ("Kind", kind_badge(p).to_string()),
        ("Client id", p.client_id.clone()),
        ("Secret", secret_text(&p.secret)),
        ("Auth style", p.auth_style.as_str().to_string()),
        (
            "API version",
            p.pinned_api_version().unwrap_or("auto").to_string(),
        ),
        (
            "CA file",
            p.ca_file
                .as_ref()
                .map(|f| f.display().to_string())
                .unwrap_or_else(|| "-".to_string()),
        ),
    ];
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

fn add(args: AddArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let mut store = load_store(ctx)?;
    let mut profile = Profile::new(&args.name, &args.endpoint, &args.client_id);
    profile.secret = match (args.secret_env, args.secret_command) {
        (Some(var), _) => SecretSource::Env { var },
        (None, Some(command)) => SecretSource::Command { command },
        (None, None) => SecretSource::Prompt,
    };
    profile.auth_style = match args.auth {
        AuthArg::Body => AuthStyle::Body,
        AuthArg::Basic => AuthStyle::Basic,
    };
    profile.api_version = args.api_version;
    profile.ca_file = args.ca_file;
    let problems = profile.validate();
    if !problems.is_empty() {
        let list = problems
            .iter()
            .map(|p| format!("  {}: {}", p.field, p.message))
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
    store.upsert(None, profile).map_err(|e| match e {
        crate::config::ConfigError::NameTaken(_) => CommandError::usage(e.to_string()),
        other => CommandError::failure(other.to_string()),
    })?;
    store
        .save()
        .map_err(|e| CommandError::failure(e.to_string()))?;
    writeln!(
        ctx.stdout,
        "Added profile \"{name}\" to {}",
        store.path().display()
    )?;
    for note in notes {
        writeln!(ctx.stdout, "Note: {note}")?;
    }
    Ok(())
}

fn remove(args: &RemoveArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let mut store = load_store(ctx)?;
    if store.get(&args.name).is_none() {
        return Err(no_such(&args.name));
    }
    store
        .remove(&args.name)
        .and_then(|()| store.save())
        .map_err(|e| CommandError::failure(e.to_string()))?;
    writeln!(ctx.stdout, "Removed profile \"{}\"", args.name)?;
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
