//! The browser login of a `web` profile: listen on the callback port, open the login page,
//! take the redirect (or the address the user pastes when no browser could open, e.g. over
//! SSH), trade the code for tokens. Used by the TUI's connect and by `sfterm login`.

use std::io;
use std::pin::pin;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::sf::oauth::LoopbackListener;
use crate::sf::oauth::web::{DEFAULT_TIMEOUT, WebLogin, WebLoginOptions};
use crate::sf::{ApiError, SfClient, Token};

/// Opens a URL in the browser.
pub type Opener = dyn Fn(&str) -> io::Result<()> + Send + Sync;

/// What the user needs while the login waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// The login page's address (no secret in it: `state` and the PKCE challenge only).
    pub url: String,
    /// The loopback port the redirect comes back to.
    pub port: u16,
    /// Why the browser could not be opened, if it could not.
    pub not_opened: Option<String>,
}

/// How one browser login talks to whoever started it.
pub struct Hooks<'a> {
    /// Opens the login page.
    pub open: &'a Opener,
    /// Addresses the user pasted from the browser's address bar.
    pub pasted: mpsc::UnboundedReceiver<String>,
    /// Called once the listener is up and the page was (or could not be) opened.
    pub waiting: Box<dyn FnOnce(Waiting) + Send + 'a>,
    /// Called when a pasted address is not this login's redirect (the login goes on).
    pub bad_paste: Box<dyn Fn(String) + Send + 'a>,
    /// How long to wait for the redirect.
    pub timeout: Duration,
}

impl Hooks<'_> {
    /// The default wait for the redirect.
    pub const TIMEOUT: Duration = DEFAULT_TIMEOUT;
}

/// Runs the browser login for `client` (a web profile's) with the redirect on `port`: the
/// token is installed on the client and its refresh token published on
/// [`SfClient::refresh_token_watch`], where the stored copy follows it.
pub async fn log_in(client: &SfClient, port: u16, hooks: Hooks<'_>) -> Result<Token, ApiError> {
    let Hooks {
        open,
        mut pasted,
        waiting,
        bad_paste,
        timeout,
    } = hooks;
    let listener = LoopbackListener::bind(port).await?;
    let login = WebLogin::new(client.config(), &WebLoginOptions::for_port(port))?;
    let url = login.authorize_url().to_string();
    let not_opened = open(&url).err().map(|e| e.to_string());
    if let Some(why) = &not_opened {
        tracing::info!(%why, "no browser opened for the login page");
    }
    waiting(Waiting {
        url,
        port,
        not_opened,
    });
    let code = {
        let mut redirect = pin!(login.wait_for_redirect(listener, timeout));
        let mut pasting = true;
        loop {
            tokio::select! {
                result = &mut redirect => break result?,
                text = pasted.recv(), if pasting => match text {
                    None => pasting = false,
                    Some(text) => match login.accept_redirect(&text) {
                        Ok(code) => break code,
                        Err(e) if login.is_finished() => return Err(e),
                        Err(e) => bad_paste(e.diagnosis().meaning),
                    },
                },
            }
        }
    };
    Ok(client.exchange_code(&login, &code).await?.token)
}
