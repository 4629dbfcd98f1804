//! Choosing a profile, obtaining its secret and logging in, shared by the commands that talk
//! to Salesforce.

use std::io::{IsTerminal, Write};

use secrecy::SecretString;

use super::{CommandError, Context};
use crate::config::{Profile, ProfileStore, SecretSource};
use crate::sf::SfClient;

/// Loads `profiles.toml` from the context's config directory (a missing file = no profiles).
/// Warns on stderr when it holds a plain-text secret readable by other users.
pub(crate) fn load_store(ctx: &Context) -> Result<ProfileStore, CommandError> {
    let store = ProfileStore::load(&ctx.profiles_path())
        .map_err(|e| CommandError::failure(e.to_string()))?;
    if let Some(warning) = store.permission_warning() {
        eprintln!("warning: {warning}");
    }
    Ok(store)
}

/// The profile to use: the one named `requested` (`--profile`, else `SFTERM_PROFILE`), else the
/// one marked `default = true`, else the only profile; otherwise a usage error (exit 2) that
/// lists the profile names.
pub fn choose_profile(
    store: &ProfileStore,
    requested: Option<&str>,
) -> Result<Profile, CommandError> {
    let names = || {
        store
            .profiles()
            .iter()
            .map(|p| format!("  {}", p.name))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match (requested, store.default_profile()) {
        (Some(name), _) => store.get(name).cloned().ok_or_else(|| {
            if store.profiles().is_empty() {
                CommandError::usage(format!(
                    "There is no profile named \"{name}\": no profiles are configured in {}. \
                     Add one with `sfterm profiles add`.",
                    store.path().display()
                ))
            } else {
                CommandError::usage(format!(
                    "There is no profile named \"{name}\" (from --profile or SFTERM_PROFILE). \
                     The profiles are:\n{}",
                    names()
                ))
            }
        }),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => match store.profiles() {
            [only] => Ok(only.clone()),
            [] => Err(CommandError::usage(format!(
                "No profiles are configured in {}. Add one with `sfterm profiles add`.",
                store.path().display()
            ))),
            _ => Err(CommandError::usage(format!(
                "Several profiles exist and none is the default; choose one with --profile NAME \
                 (or SFTERM_PROFILE), or make one the default with \
                 `sfterm profiles set-default NAME`:\n{}",
                names()
            ))),
        },
    }
}

/// Reads the secret from the terminal without echo (raw mode); `None` when the user cancels.
fn prompt_secret(profile: &str) -> Result<Option<SecretString>, CommandError> {
    use ratatui::crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    use ratatui::crossterm::terminal;

    let mut err = std::io::stderr();
    let io_err = |e: std::io::Error| CommandError::failure(format!("cannot read the secret: {e}"));
    write!(
        err,
        "Client secret for profile \"{profile}\" (typing is hidden, Enter to finish): "
    )
    .and_then(|()| err.flush())
    .map_err(io_err)?;
    crate::term::exit_when_the_terminal_hangs_up();
    terminal::enable_raw_mode().map_err(io_err)?;
    let read = (|| -> std::io::Result<Option<String>> {
        let mut typed = String::new();
        loop {
            match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => match k.code {
                    KeyCode::Enter => return Ok(Some(typed)),
                    KeyCode::Esc => return Ok(None),
                    KeyCode::Char('c' | 'd') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                        return Ok(None);
                    }
                    KeyCode::Char(c) => typed.push(c),
                    KeyCode::Backspace => {
                        typed.pop();
                    }
                    _ => {}
                },
                Event::Paste(text) => typed.push_str(text.trim_end_matches(['\r', '\n'])),
                _ => {}
            }
        }
    })();
    let restored = terminal::disable_raw_mode();
    let _ = writeln!(err);
    restored.map_err(io_err)?;
    Ok(read
        .map_err(io_err)?
        .filter(|s| !s.is_empty())
        .map(SecretString::from))
}

/// Obtains the profile's client secret: env / command / plain through
/// [`SecretSource::resolve`] on a blocking thread; `prompt` from the terminal when stdin is one.
async fn secret_for(profile: &Profile) -> Result<SecretString, CommandError> {
    if matches!(profile.secret, SecretSource::Prompt) {
        if !std::io::stdin().is_terminal() {
            return Err(CommandError::usage(format!(
                "Profile \"{}\" asks for the secret at connect time, but stdin is not a \
                 terminal. For scripts, set the profile's secret source to env or command \
                 (e.g. `sfterm profiles add ... --secret-env VAR`).",
                profile.name
            )));
        }
        let name = profile.name.clone();
        return tokio::task::spawn_blocking(move || prompt_secret(&name))
            .await
            .map_err(|e| CommandError::failure(format!("the secret prompt failed: {e}")))??
            .ok_or_else(|| CommandError::usage("No secret was entered."));
    }
    let source = profile.secret.clone();
    let name = profile.name.clone();
    tokio::task::spawn_blocking(move || source.resolve(None))
        .await
        .map_err(|e| CommandError::failure(format!("resolving the secret failed: {e}")))?
        .map_err(|e| {
            CommandError::failure(format!(
                "Cannot get the client secret of profile \"{name}\": {e}"
            ))
        })
}

/// Chooses the profile (see [`choose_profile`]), obtains its secret and logs in. A failed
/// login is exit 1 with the plain-words diagnosis.
pub async fn connect(ctx: &Context) -> Result<(Profile, SfClient), CommandError> {
    let store = load_store(ctx)?;
    let profile = choose_profile(&store, ctx.profile.as_deref())?;
    let tokens = ctx.token_store_for(&profile);
    let (profile, client) = client_of(ctx, profile, &tokens).await?;
    crate::login::first_token(&client, &tokens, &profile.name)
        .await
        .map_err(|e| login_failed(&profile, &e))?;
    Ok((profile, client))
}

/// Chooses the profile, obtains its secret and builds its client without logging in (for
/// `sfterm check`, which reports a failed login as check items).
pub(crate) async fn client_for(ctx: &Context) -> Result<(Profile, SfClient), CommandError> {
    let store = load_store(ctx)?;
    let profile = choose_profile(&store, ctx.profile.as_deref())?;
    let tokens = ctx.token_store_for(&profile);
    client_of(ctx, profile, &tokens).await
}

/// Obtains `profile`'s secret (when its flow needs one) and builds its client, which tries
/// requests as often as config.toml's `retries` says (unless `SFTERM_RETRIES` does).
pub(crate) async fn client_of(
    ctx: &Context,
    profile: Profile,
    tokens: &crate::login::TokenStore,
) -> Result<(Profile, SfClient), CommandError> {
    let settings = crate::config::Settings::load(&ctx.config_dir.join("config.toml"))
        .map_err(|e| CommandError::failure(e.to_string()))?;
    crate::sf::types::set_configured_attempts(settings.retries);
    crate::sf::bulk::set_configured_export_concurrency(settings.export_concurrency);
    let env = crate::sf::types::RETRIES_ENV;
    if let Ok(value) = std::env::var(env)
        && let Err(why) = crate::sf::types::parse_attempts(&value)
    {
        eprintln!(
            "warning: {env} {why}; ignored (config.toml's retries = {} is used)",
            settings.retries
        );
    }
    let env = crate::sf::bulk::EXPORT_CONCURRENCY_ENV;
    if let Ok(value) = std::env::var(env)
        && let Err(why) = crate::sf::bulk::parse_export_concurrency(&value)
    {
        eprintln!(
            "warning: {env} {why}; ignored (config.toml's export_concurrency = {} is used)",
            settings.export_concurrency
        );
    }
    let secret = if profile.needs_secret() {
        Some(secret_for(&profile).await?)
    } else {
        None
    };
    let client = crate::login::client_for(&profile, secret, tokens)
        .await
        .map_err(|d| CommandError::failure(diagnosis_text(&d)))?;
    Ok((profile, client))
}

/// A diagnosis as the commands print it.
pub(crate) fn diagnosis_text(d: &crate::sf::Diagnosis) -> String {
    let mut message = format!("{}\n{}\nFix: {}", d.title, d.meaning.trim(), d.fix);
    if !d.what_salesforce_said.is_empty() && !d.what_salesforce_said.contains(d.meaning.trim()) {
        message.push_str(&format!("\nDetails: {}", d.what_salesforce_said));
    }
    message
}

fn login_failed(profile: &Profile, e: &crate::sf::ApiError) -> CommandError {
    let mut err = CommandError::api(e);
    err.code = super::EXIT_FAILURE;
    err.message = format!(
        "Login with profile \"{}\" failed: {}",
        profile.name, err.message
    );
    err
}
