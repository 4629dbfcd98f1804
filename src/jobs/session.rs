//! The connected org: logging in with a profile, the client the other jobs use, and the work on
//! its token (renew, revoke, introspect, copy, one API call) and the Setup check.

use std::sync::{Arc, Mutex, MutexGuard};

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Context;
use crate::config::Environment;
use crate::config::profiles::{DEFAULT_CALLBACK_PORT, Flow, Profile};
use crate::effect::{RequestId, SessionJob};
use crate::login::{self, TokenStore, browser};
use crate::msg::{Msg, Outcome};
use crate::sf::{Diagnosis, GrantKind, SfClient, Token};
use crate::state::token::{BrowserWait, LoginInfo, SessionInfo};

/// The connected client, shared by every job. A connect job installs its client only if it is
/// still the one awaited (a newer connect or a cancel drops it).
#[derive(Clone, Default)]
pub struct Session(Arc<Mutex<Slot>>);

#[derive(Default)]
struct Slot {
    /// The connect job whose client will be installed.
    awaited: Option<RequestId>,
    current: Option<Connection>,
}

struct Connection {
    profile: String,
    client: SfClient,
    /// Forwards the client's token changes and API usage to the UI.
    watcher: Option<JoinHandle<()>>,
    /// Keeps a browser login's stored refresh token in step with the client's.
    keeper: Option<JoinHandle<()>>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        for task in [&self.watcher, &self.keeper].into_iter().flatten() {
            task.abort();
        }
    }
}

impl Session {
    fn slot(&self) -> MutexGuard<'_, Slot> {
        // A panic while holding the lock leaves a slot that is still consistent.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A session already connected with `client` (for running jobs outside the app).
    pub fn connected(profile: &str, client: SfClient) -> Session {
        let session = Session::default();
        session.slot().current = Some(Connection {
            profile: profile.to_owned(),
            client,
            watcher: None,
            keeper: None,
        });
        session
    }

    /// The connected profile's name and client.
    pub fn client(&self) -> Option<(String, SfClient)> {
        self.slot()
            .current
            .as_ref()
            .map(|c| (c.profile.clone(), c.client.clone()))
    }

    /// A connect job starts: the current connection ends, `req`'s client is awaited.
    pub(super) fn await_connect(&self, req: RequestId) {
        let mut slot = self.slot();
        slot.awaited = Some(req);
        slot.current = None;
    }

    /// `req` was cancelled: if it was the awaited connect, none is awaited any more.
    pub(super) fn cancelled(&self, req: RequestId) {
        let mut slot = self.slot();
        if slot.awaited == Some(req) {
            slot.awaited = None;
        }
    }

    /// Installs the client of connect job `req` if it is still awaited.
    fn install(&self, req: RequestId, connected: &Connected, tx: &mpsc::UnboundedSender<Msg>) {
        let mut slot = self.slot();
        if slot.awaited != Some(req) {
            return;
        }
        slot.awaited = None;
        let Connected {
            profile,
            client,
            store,
            ..
        } = connected;
        slot.current = Some(Connection {
            profile: profile.clone(),
            client: client.clone(),
            watcher: Some(watch_client(client, profile, store.clone(), tx.clone())),
            keeper: Some(login::keep_refresh_token_stored(
                client,
                store.clone(),
                profile,
            )),
        });
    }
}

/// Logs in with `profile` and makes its client the connected one.
pub(super) async fn connect_job(
    ctx: &Context,
    req: RequestId,
    profile: Profile,
    prompted: Option<SecretString>,
) -> Outcome {
    match connect(ctx, profile, prompted).await {
        Ok(connected) => {
            ctx.session.install(req, &connected, &ctx.tx);
            let session = connected.info();
            let client = connected.client;
            // One real API call, so the usage figure shows from the start.
            tokio::spawn(async move {
                let _ = client.limits().await;
            });
            Outcome::Login(Ok(session))
        }
        Err(diagnosis) => Outcome::Login(Err(Box::new(diagnosis))),
    }
}

/// Work on the connected client's token.
pub(super) async fn session_job(ctx: &Context, job: SessionJob) -> Outcome {
    let Some((profile, client)) = ctx.session.client() else {
        return match job {
            SessionJob::Renew(_) => Outcome::Login(Err(Box::new(not_connected()))),
            SessionJob::Introspect => Outcome::Introspect(Err("not connected".into())),
            SessionJob::Revoke => Outcome::Revoke(Err("not connected".into())),
            SessionJob::CopyToken => Outcome::Copied(Err("not connected".into())),
            SessionJob::CheckApi => Outcome::ApiChecked(Err("not connected".into())),
        };
    };
    let store = ctx.token_store().await;
    match job {
        SessionJob::Renew(reason) => Outcome::Login(
            client
                .login(reason)
                .await
                .map(|token| session_info(&profile, &token, &client, &store))
                .map_err(|e| Box::new(e.diagnosis())),
        ),
        SessionJob::Introspect if !client.can_introspect() => Outcome::ExpiryAssumed {
            username: client.identity().await.ok().map(|i| i.username),
        },
        SessionJob::Introspect => {
            Outcome::Introspect(client.introspect().await.map_err(|e| e.to_string()))
        }
        // A browser login's refresh token is revoked, which ends its access tokens with it
        // (the stored copy follows the client's); otherwise the access token.
        SessionJob::Revoke => Outcome::Revoke(
            async {
                if client.revoke_refresh_token().await? {
                    return Ok(());
                }
                client.revoke().await
            }
            .await
            .map_err(|e| e.to_string()),
        ),
        SessionJob::CopyToken => Outcome::Copied(match client.token() {
            Some(token) => ctx
                .copy(token.access_token.expose_secret())
                .map_err(|e| e.to_string()),
            None => Err("no token".into()),
        }),
        SessionJob::CheckApi => {
            Outcome::ApiChecked(client.limits().await.map(|_| ()).map_err(|e| {
                if e.needs_new_login() {
                    format!(
                        "{}: press enter on the profile to log in in the browser again.",
                        e.diagnosis().title
                    )
                } else {
                    e.to_string()
                }
            }))
        }
    }
}

/// The Setup check: with the connected client, or (not connected) with a new client for
/// `profile`, so that a failing login is diagnosed too.
pub(super) async fn check_job(ctx: &Context, profile: Option<Profile>) -> Outcome {
    let client = match (ctx.session.client(), profile) {
        (Some((_, client)), _) => client,
        (None, Some(profile)) => match check_client(ctx, profile).await {
            Ok(client) => client,
            Err(e) => return Outcome::Check(Err(e)),
        },
        (None, None) => {
            return Outcome::Check(Err("Not connected: pick a profile and press enter to \
                                       connect, then run the check again (r)."
                .to_owned()));
        }
    };
    Outcome::Check(Ok(Box::new(crate::check::run(&client).await)))
}

fn not_connected() -> Diagnosis {
    Diagnosis {
        title: "Not connected".into(),
        what_salesforce_said: String::new(),
        meaning: "There is no session to renew.".into(),
        fix: "Pick a profile and press enter to connect.".into(),
    }
}

/// A client for the Setup check of a profile that is not connected (it logs in itself, so a
/// failing login becomes check items). A secret asked at connect time cannot be used here.
async fn check_client(ctx: &Context, profile: Profile) -> Result<SfClient, String> {
    if profile.asks_for_secret() {
        return Err(format!(
            "Profile \"{}\" asks for its secret when connecting: connect it (enter), then run \
             the check again (r).",
            profile.name
        ));
    }
    let client = client_for(&profile, None, &ctx.token_store().await)
        .await
        .map_err(|d| format!("{}: {}", d.title, d.meaning))?;
    log_calls(ctx, &client);
    Ok(client)
}

/// The client tells the UI of each of its HTTP exchanges, masked (the Log tab).
fn log_calls(ctx: &Context, client: &SfClient) {
    let tx = ctx.tx.clone();
    client.observe_calls(move |call| {
        let _ = tx.send(Msg::ApiCall(Box::new(call)));
    });
}

/// A profile logged in.
pub struct Connected {
    pub profile: String,
    pub client: SfClient,
    pub store: TokenStore,
    pub token: Token,
    /// What the org said it is (`None`: it did not answer).
    pub environment: Option<Environment>,
}

impl Connected {
    /// What the UI may know of the session.
    pub fn info(&self) -> SessionInfo {
        SessionInfo {
            environment: self.environment,
            ..session_info(&self.profile, &self.token, &self.client, &self.store)
        }
    }
}

/// Resolves the secret, builds the client and gets the first token (also used by the
/// composer to replay a request against another profile). A browser login without a stored
/// refresh token runs the login in the browser; one whose refresh token Salesforce no longer
/// accepts forgets it, so that connecting again logs in in the browser.
pub async fn connect(
    ctx: &Context,
    profile: Profile,
    prompted: Option<SecretString>,
) -> Result<Connected, Diagnosis> {
    let store = ctx.token_store().await;
    let client = client_for(&profile, prompted, &store).await?;
    log_calls(ctx, &client);
    let token = match &profile.flow {
        Flow::Web { callback_port } if client.refresh_token().is_none() => {
            let port = callback_port.unwrap_or(DEFAULT_CALLBACK_PORT);
            let token = browser_login(ctx, &client, port).await?;
            if let Err(e) = login::store_refresh_token(&client, &store, &profile.name).await {
                let _ = ctx.tx.send(Msg::Error(format!(
                    "Logged in, but the refresh token could not be kept ({e}): you will log in \
                     again next time. Unlock the keychain or set SFTERM_TOKEN_STORE=file."
                )));
            }
            token
        }
        _ => login::first_token(&client, &store, &profile.name)
            .await
            .map_err(|e| e.diagnosis())?,
    };
    // The org says what it is (production, sandbox, ...): the endpoint was only a guess.
    let environment = match client.org_facts().await {
        Ok(org) => Some(Environment::of_org(
            org.is_sandbox,
            &org.organization_type,
            org.trial_expiration_date.is_some(),
        )),
        Err(e) => {
            tracing::info!(error = %e, "the org did not say what it is; the endpoint decides");
            None
        }
    };
    Ok(Connected {
        profile: profile.name,
        client,
        store,
        token,
        environment,
    })
}

/// The browser login, its progress told to the UI; the user's pasted addresses come through
/// the context's `browser_paste`.
async fn browser_login(ctx: &Context, client: &SfClient, port: u16) -> Result<Token, Diagnosis> {
    let (paste_tx, pasted) = mpsc::unbounded_channel();
    *ctx.browser_paste.lock().unwrap_or_else(|p| p.into_inner()) = Some(paste_tx);
    let (tx, bad_tx) = (ctx.tx.clone(), ctx.tx.clone());
    let opener = ctx.opener.clone();
    let open = move |url: &str| opener(url);
    let hooks = browser::Hooks {
        open: &open,
        pasted,
        waiting: Box::new(move |waiting| {
            let _ = tx.send(Msg::BrowserLogin(BrowserWait {
                url: waiting.url,
                port: waiting.port,
                not_opened: waiting.not_opened,
                paste_refused: None,
            }));
        }),
        bad_paste: Box::new(move |why| {
            let _ = bad_tx.send(Msg::BrowserLoginPasteRefused(why));
        }),
        timeout: browser::Hooks::TIMEOUT,
    };
    let result = browser::log_in(client, port, hooks).await;
    *ctx.browser_paste.lock().unwrap_or_else(|p| p.into_inner()) = None;
    result.map_err(|e| e.diagnosis())
}

/// Resolves the secret (when the flow needs one) and builds the profile's client, without
/// logging in.
async fn client_for(
    profile: &Profile,
    prompted: Option<SecretString>,
    store: &TokenStore,
) -> Result<SfClient, Diagnosis> {
    let secret = if profile.needs_secret() {
        let source = profile.secret.clone();
        Some(
            tokio::task::spawn_blocking(move || source.resolve(prompted))
                .await
                .map_err(|e| secret_problem(&e.to_string()))?
                .map_err(|e| secret_problem(&e.to_string()))?,
        )
    } else {
        None
    };
    login::client_for(profile, secret, store).await
}

fn secret_problem(message: &str) -> Diagnosis {
    Diagnosis {
        title: "Could not get the client secret".into(),
        what_salesforce_said: String::new(),
        meaning: message.to_owned(),
        fix: "Edit the profile (e): check the secret's source (variable name, command).".into(),
    }
}

/// How `client` logs in and renews, for the token pane.
fn login_info(client: &SfClient, store: &TokenStore) -> LoginInfo {
    let kind = client.grant_kind();
    let refresh_token = client.refresh_token().map(|_| store.label());
    let renewal = match kind {
        GrantKind::ClientCredentials | GrantKind::AuthorizationCode => "by client credentials",
        GrantKind::RefreshToken => "by refresh token",
        GrantKind::JwtBearer => "by a new JWT assertion",
        GrantKind::External => "by asking the sf CLI",
    };
    LoginInfo {
        flow: match kind {
            GrantKind::RefreshToken | GrantKind::AuthorizationCode => "browser login",
            other => other.label(),
        }
        .to_owned(),
        refresh_token,
        renewal: renewal.to_owned(),
    }
}

/// What the UI may know of a token: everything but the secret, which is masked.
pub fn session_info(
    profile: &str,
    token: &Token,
    client: &SfClient,
    store: &TokenStore,
) -> SessionInfo {
    let secret = token.access_token.expose_secret();
    let prefix = secret.split_once('!').map_or("", |(org, _)| org);
    SessionInfo {
        profile: profile.to_owned(),
        instance_url: token.instance_url.as_str().trim_end_matches('/').to_owned(),
        user_id: token.user_id.clone(),
        org_id: token.org_id.clone(),
        scopes: token.scopes.clone(),
        token_type: token.token_type.clone(),
        issued_at: token.issued_at,
        obtained_at: token.obtained_at,
        reason: token.reason,
        masked_token: format!("{prefix}!••••••••"),
        login: login_info(client, store),
        environment: None,
    }
}

/// Forwards the client's new tokens (its own renewals too) and API usage to the UI task.
fn watch_client(
    client: &SfClient,
    profile: &str,
    store: TokenStore,
    tx: mpsc::UnboundedSender<Msg>,
) -> JoinHandle<()> {
    let watched = client.clone();
    let mut tokens = client.token_watch();
    let mut limits = client.limit_watch();
    let profile = profile.to_owned();
    tokens.mark_unchanged();
    // Usage already known before this watcher started.
    if let Some(usage) = *limits.borrow_and_update() {
        let _ = tx.send(Msg::ApiUsage(usage));
    }
    tokio::spawn(async move {
        loop {
            let msg = tokio::select! {
                changed = tokens.changed() => {
                    if changed.is_err() { break; }
                    let token = tokens.borrow_and_update().clone();
                    match token {
                        Some(token) => {
                            Msg::TokenChanged(session_info(&profile, &token, &watched, &store))
                        }
                        None => continue,
                    }
                }
                changed = limits.changed() => {
                    if changed.is_err() { break; }
                    let usage = *limits.borrow_and_update();
                    match usage {
                        Some(usage) => Msg::ApiUsage(usage),
                        None => continue,
                    }
                }
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    })
}
