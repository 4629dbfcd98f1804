//! The connected org: logging in with a profile, the client the other jobs use, and the work on
//! its token (renew, revoke, introspect, copy, one API call) and the Setup check.

use std::sync::{Arc, Mutex, MutexGuard};

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Context;
use crate::config::profiles::{Profile, SecretSource};
use crate::effect::{RequestId, SessionJob};
use crate::msg::{Msg, Outcome};
use crate::sf::{Diagnosis, RenewReason, SfClient, Token};
use crate::state::token::SessionInfo;

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
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(watcher) = &self.watcher {
            watcher.abort();
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
    fn install(
        &self,
        req: RequestId,
        profile: &str,
        client: &SfClient,
        tx: &mpsc::UnboundedSender<Msg>,
    ) {
        let mut slot = self.slot();
        if slot.awaited != Some(req) {
            return;
        }
        slot.awaited = None;
        slot.current = Some(Connection {
            profile: profile.to_owned(),
            client: client.clone(),
            watcher: Some(watch_client(client, profile, tx.clone())),
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
    let name = profile.name.clone();
    match connect(profile, prompted).await {
        Ok((client, session)) => {
            ctx.session.install(req, &name, &client, &ctx.tx);
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
    match job {
        SessionJob::Renew(reason) => Outcome::Login(
            client
                .login(reason)
                .await
                .map(|token| session_info(&profile, &token))
                .map_err(|e| Box::new(e.diagnosis())),
        ),
        SessionJob::Introspect => {
            Outcome::Introspect(client.introspect().await.map_err(|e| e.to_string()))
        }
        SessionJob::Revoke => Outcome::Revoke(client.revoke().await.map_err(|e| e.to_string())),
        SessionJob::CopyToken => Outcome::Copied(match client.token() {
            Some(token) => ctx
                .copy(token.access_token.expose_secret())
                .map_err(|e| e.to_string()),
            None => Err("no token".into()),
        }),
        SessionJob::CheckApi => {
            Outcome::ApiChecked(client.limits().await.map(|_| ()).map_err(|e| e.to_string()))
        }
    }
}

/// The Setup check: with the connected client, or (not connected) with a new client for
/// `profile`, so that a failing login is diagnosed too.
pub(super) async fn check_job(ctx: &Context, profile: Option<Profile>) -> Outcome {
    let client = match (ctx.session.client(), profile) {
        (Some((_, client)), _) => client,
        (None, Some(profile)) => match check_client(profile).await {
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
async fn check_client(profile: Profile) -> Result<SfClient, String> {
    if matches!(profile.secret, SecretSource::Prompt) {
        return Err(format!(
            "Profile \"{}\" asks for its secret when connecting: connect it (enter), then run \
             the check again (r).",
            profile.name
        ));
    }
    client_for(&profile, None)
        .await
        .map_err(|d| format!("{}: {}", d.title, d.meaning))
}

/// Resolves the secret, builds the client and gets the first token (also used by the
/// composer to replay a request against another profile).
pub async fn connect(
    profile: Profile,
    prompted: Option<SecretString>,
) -> Result<(SfClient, SessionInfo), Diagnosis> {
    let client = client_for(&profile, prompted).await?;
    let token = client
        .login(RenewReason::Initial)
        .await
        .map_err(|e| e.diagnosis())?;
    Ok((client, session_info(&profile.name, &token)))
}

/// Resolves the secret and builds the profile's client, without logging in.
async fn client_for(
    profile: &Profile,
    prompted: Option<SecretString>,
) -> Result<SfClient, Diagnosis> {
    let source = profile.secret.clone();
    let secret = tokio::task::spawn_blocking(move || source.resolve(prompted))
        .await
        .map_err(|e| secret_problem(&e.to_string()))?
        .map_err(|e| secret_problem(&e.to_string()))?;
    let config = crate::config::connection_config(profile, secret).map_err(|e| Diagnosis {
        title: "The profile cannot be used".into(),
        what_salesforce_said: String::new(),
        meaning: e.to_string(),
        fix: e.fix().into(),
    })?;
    SfClient::new(config).map_err(|e| e.diagnosis())
}

fn secret_problem(message: &str) -> Diagnosis {
    Diagnosis {
        title: "Could not get the client secret".into(),
        what_salesforce_said: String::new(),
        meaning: message.to_owned(),
        fix: "Edit the profile (e): check the secret's source (variable name, command).".into(),
    }
}

/// What the UI may know of a token: everything but the secret, which is masked.
pub fn session_info(profile: &str, token: &Token) -> SessionInfo {
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
    }
}

/// Forwards the client's new tokens (its own renewals too) and API usage to the UI task.
fn watch_client(
    client: &SfClient,
    profile: &str,
    tx: mpsc::UnboundedSender<Msg>,
) -> JoinHandle<()> {
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
                        Some(token) => Msg::TokenChanged(session_info(&profile, &token)),
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
