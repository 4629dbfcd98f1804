//! Runs the jobs the state asks for (`Effect::Spawn`): one [`Runner`] starts each on a task with a
//! cancel token, [`run`] does the work and its [`Outcome`] comes back as `Msg::Done`. Nothing here
//! calls back into `app`; the job and outcome types are the state's.

pub mod composer;
pub mod history;
pub mod import;
pub mod local;
pub mod record_detail;
pub mod records;
pub mod session;

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::effect::{Job, RequestId};
use crate::login::TokenStore;
use crate::msg::{Msg, Outcome};
use crate::sf::SfClient;
pub use session::Session;

/// Writes text to the clipboard (OSC 52 in a terminal; a capture in tests).
pub type Clipboard = Box<dyn Fn(&str) -> io::Result<()> + Send + Sync>;

/// What jobs share: the connected client, where files go, the clipboard and the browser, and
/// the channel to the UI (for the client's own token renewals and API usage).
#[derive(Clone)]
pub struct Context {
    pub session: Session,
    /// The data directory (None: the platform's, and drafts are not written).
    pub data_dir: Option<PathBuf>,
    pub clipboard: Arc<Clipboard>,
    /// Opens a URL in the browser.
    pub opener: Arc<crate::opener::Opener>,
    pub tx: mpsc::UnboundedSender<Msg>,
    /// Where browser logins' refresh tokens are kept: chosen on first use
    /// ([`TokenStore::detect`]) unless set.
    pub token_store: Arc<std::sync::OnceLock<TokenStore>>,
    /// Addresses the user pastes for the browser login in progress.
    pub browser_paste: Arc<std::sync::Mutex<Option<mpsc::UnboundedSender<String>>>>,
    /// The job this context was handed to ([`run`]): the client it gives out tells the UI of
    /// its retries as that job's (`Msg::Retrying`).
    pub job: Option<RequestId>,
}

impl Context {
    /// A context outside the app (scripts, tests): connected with `client` as `profile`,
    /// files in `data_dir`, the clipboard `clipboard`; the client's renewals go nowhere.
    pub fn standalone(
        profile: &str,
        client: SfClient,
        data_dir: PathBuf,
        clipboard: Clipboard,
    ) -> Context {
        Context {
            session: Session::connected(profile, client),
            data_dir: Some(data_dir),
            clipboard: Arc::new(clipboard),
            opener: Arc::new(Box::new(crate::opener::system_opener)),
            tx: mpsc::unbounded_channel().0,
            token_store: Arc::default(),
            browser_paste: Arc::default(),
            job: None,
        }
    }

    /// Where browser logins' refresh tokens are kept (detected once, off the UI thread).
    pub async fn token_store(&self) -> TokenStore {
        if let Some(store) = self.token_store.get() {
            return store.clone();
        }
        let data_dir = self.data_dir();
        let detected = tokio::task::spawn_blocking(move || TokenStore::detect(&data_dir))
            .await
            .unwrap_or_else(|_| TokenStore::file(&self.data_dir(), "the keychain probe failed"));
        self.token_store.get_or_init(|| detected).clone()
    }

    /// The connected profile's name and client; inside a job, the client tells the UI of each
    /// retry of its calls, so the status bar says "retrying (2/4) after 503…" for that job.
    pub fn client(&self) -> Option<(String, SfClient)> {
        let (profile, client) = self.session.client()?;
        let client = match self.job {
            Some(req) => {
                let tx = self.tx.clone();
                client.reporting_retries(move |notice| {
                    let _ = tx.send(Msg::Retrying {
                        req,
                        notice: notice.to_string(),
                    });
                })
            }
            None => client,
        };
        Some((profile, client))
    }

    /// Where saved requests, history and large bodies are kept.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(crate::config::paths::data_dir)
    }

    /// Copies `text` to the clipboard.
    pub fn copy(&self, text: &str) -> io::Result<()> {
        (self.clipboard)(text)
    }
}

/// Does one job's work.
pub async fn run(job: Job, req: RequestId, ctx: &Context) -> Outcome {
    let ctx = &Context {
        job: Some(req),
        ..ctx.clone()
    };
    match job {
        Job::Connect {
            profile,
            prompted_secret,
        } => session::connect_job(ctx, req, *profile, prompted_secret).await,
        Job::Session(job) => session::session_job(ctx, job).await,
        Job::Check { profile } => session::check_job(ctx, profile.map(|p| *p)).await,
        Job::Records(job) => Outcome::Records(match ctx.client() {
            Some((_, client)) => records::run(&client, job).await,
            None => job.not_connected(),
        }),
        Job::Record(job) => Outcome::Record(match ctx.client() {
            Some((_, client)) => record_detail::run(&client, job).await,
            None => job.not_connected(),
        }),
        Job::Import(job) => {
            let client = ctx.client().map(|(_, client)| client);
            Outcome::Import(import::run(client.as_ref(), job).await)
        }
        Job::Composer(job) => Outcome::Composer(composer::run(ctx, *job).await),
        Job::History(job) => Outcome::History(history::run(ctx, job).await),
    }
}

/// Starts jobs on tasks and cancels them; the one place a job starts.
pub struct Runner {
    ctx: Context,
    running: HashMap<RequestId, CancellationToken>,
}

impl Runner {
    pub fn new(ctx: Context) -> Runner {
        Runner {
            ctx,
            running: HashMap::new(),
        }
    }

    pub fn context(&self) -> &Context {
        &self.ctx
    }

    pub fn context_mut(&mut self) -> &mut Context {
        &mut self.ctx
    }

    /// Runs `job` on a task; its outcome arrives as `Msg::Done { req, .. }` unless cancelled.
    pub fn spawn(&mut self, req: RequestId, job: Job) {
        if matches!(job, Job::Connect { .. }) {
            self.ctx.session.await_connect(req);
        }
        let cancel = CancellationToken::new();
        self.running.insert(req, cancel.clone());
        let ctx = self.ctx.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = cancel.cancelled() => {}
                outcome = run(job, req, &ctx) => {
                    let _ = ctx.tx.send(Msg::Done { req, outcome });
                }
            }
        });
    }

    /// Stops `req`; its outcome, if any, is dropped.
    pub fn cancel(&mut self, req: RequestId) {
        if let Some(token) = self.running.remove(&req) {
            token.cancel();
            self.ctx.session.cancelled(req);
        }
    }

    /// `req`'s outcome arrived.
    pub fn finished(&mut self, req: RequestId) {
        self.running.remove(&req);
    }

    /// Stops every job (the app is ending).
    pub fn cancel_all(&mut self) {
        for (req, token) in self.running.drain() {
            token.cancel();
            self.ctx.session.cancelled(req);
        }
    }
}
