//! `sfterm login`: logs a profile in from a shell. A browser-login profile runs the login in
//! the browser (or, where none opens, prints the address and takes the redirected address
//! pasted back) and keeps the refresh token; every other flow logs in once to prove it works.

use std::io::{BufRead, IsTerminal, Write};

use tokio::sync::mpsc;

use super::connect::{client_of, diagnosis_text, load_store};
use super::{CommandError, Context, EXIT_FAILURE, choose_profile};
use crate::config::{DEFAULT_CALLBACK_PORT, Flow};
use crate::login::browser::{self, Hooks, Waiting};
use crate::sf::Token;

/// Arguments of `sfterm login` (the profile is `-p NAME`).
#[derive(Debug, Clone, clap::Args)]
pub struct LoginArgs {
    /// Do not open a browser: print the login page's address (for SSH sessions).
    #[arg(long)]
    pub no_browser: bool,
    /// How long to wait for the browser, in seconds.
    #[arg(long, default_value_t = 180, value_name = "SECS")]
    pub timeout: u64,
}

pub(crate) async fn run(args: LoginArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let profile = choose_profile(&load_store(ctx)?, ctx.profile.as_deref())?;
    let name = profile.name.clone();
    let port = match &profile.flow {
        Flow::Web { callback_port } => callback_port.unwrap_or(DEFAULT_CALLBACK_PORT),
        other => {
            let label = other.label();
            let (_, client) = super::connect(ctx).await?;
            let token = client
                .token()
                .ok_or_else(|| CommandError::failure("Logged in, but no token was kept."))?;
            eprintln!("Profile \"{name}\" logs in with {label}: no browser needed.");
            return say_logged_in(ctx, &name, &token, None);
        }
    };
    let store = ctx.token_store();
    let (_, client) = client_of(ctx, profile, &store).await?;
    let no_browser = args.no_browser;
    let open = move |url: &str| {
        if no_browser {
            Err(std::io::Error::other("--no-browser"))
        } else {
            crate::opener::system_opener(url)
        }
    };
    let hooks = Hooks {
        open: &open,
        pasted: pasted_lines(),
        waiting: Box::new(|w: Waiting| {
            match &w.not_opened {
                None => eprintln!("The login page opened in your browser. If it did not, open:"),
                Some(why) => eprintln!("No browser opened ({why}). Open this address:"),
            }
            eprintln!("\n  {}\n", w.url);
            eprintln!(
                "After you approve, the browser comes back to 127.0.0.1:{}. On another machine \
                 (SSH), paste here the address the browser ends on, then Enter.",
                w.port
            );
        }),
        bad_paste: Box::new(|why| eprintln!("That address was refused: {why} Paste it again.")),
        timeout: std::time::Duration::from_secs(args.timeout),
    };
    let token = browser::log_in(&client, port, hooks).await.map_err(|e| {
        CommandError::new(
            EXIT_FAILURE,
            format!(
                "Browser login with profile \"{name}\" failed: {}",
                diagnosis_text(&e.diagnosis())
            ),
        )
    })?;
    if let Err(e) = crate::login::store_refresh_token(&client, &store, &name).await {
        return Err(CommandError::failure(format!(
            "Logged in with profile \"{name}\", but the refresh token could not be kept: {e}\n\
             Fix: unlock the keychain, or set SFTERM_TOKEN_STORE=file to keep it in a private file \
             in the data directory, then run `sfterm login -p \"{name}\"` again."
        )));
    }
    let kept = client.refresh_token().map(|_| store.describe());
    say_logged_in(ctx, &name, &token, kept.as_deref())
}

/// Lines typed on a terminal's stdin (the pasted redirect); none when stdin is not one.
fn pasted_lines() -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    if std::io::stdin().is_terminal() {
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if !line.trim().is_empty() && tx.send(line.trim().to_owned()).is_err() {
                    break;
                }
            }
        });
    }
    rx
}

fn say_logged_in(
    ctx: &mut Context,
    profile: &str,
    token: &Token,
    refresh_kept_in: Option<&str>,
) -> Result<(), CommandError> {
    let mut text = format!(
        "Logged in with profile \"{profile}\" to {}",
        token.instance_url.as_str().trim_end_matches('/')
    );
    if !token.user_id.is_empty() {
        text.push_str(&format!(" as user {}", token.user_id));
    }
    text.push('.');
    if let Some(kept) = refresh_kept_in {
        text.push_str(&format!(" The refresh token is kept in {kept}."));
    }
    writeln!(ctx.stdout, "{text}").map_err(|e| CommandError::failure(e.to_string()))
}
