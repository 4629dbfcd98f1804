//! The scriptable command-line commands: `token`, `query`, `export`, `import`, `record`, `apex`,
//! `profiles`, `run`, `check`, `requests`, `completions` and `man`. They share the profiles (`profiles.toml`) and the client ([`crate::sf`]) with
//! the TUI, print results on [`Context::stdout`] and report failures as a [`CommandError`] whose
//! [`CommandError::code`] is the process exit code (see [`EXIT_CODES`]).
//!
//! ```no_run
//! # async fn demo(cli: clap::Command) {
//! use sfterm::commands::{Context, ScriptCommand, query::{QueryArgs, OutputFormat}};
//! let ctx = Context::new(sfterm::config::paths::config_dir(), None);
//! let args = QueryArgs {
//!     soql: "SELECT Id, Name FROM Account".into(),
//!     all: false,
//!     format: OutputFormat::Csv,
//!     out: None,
//! };
//! if let Err(e) = sfterm::commands::run(ScriptCommand::Query(args), ctx, cli).await {
//!     eprintln!("{e}");
//!     std::process::exit(i32::from(e.code));
//! }
//! # }
//! ```

pub mod apex;
pub mod check;
pub mod completions;
pub mod export;
pub mod import;
pub mod login;
pub mod man;
pub mod profiles;
pub mod query;
pub mod record;
pub mod run;
pub mod token;

mod connect;
mod format;

use std::fmt;
use std::io::{self, Write};
use std::path::PathBuf;

use crate::sf::ApiError;

pub use connect::{choose_profile, connect};

/// Success.
pub const EXIT_OK: u8 = 0;
/// Failure: an API error, a failed login, a network problem, an unreadable config file.
pub const EXIT_FAILURE: u8 = 1;
/// Usage: bad arguments, no such profile, a profile that cannot be used as configured.
pub const EXIT_USAGE: u8 = 2;
/// The record does not exist (HTTP 404, or deleted).
pub const EXIT_NOT_FOUND: u8 = 3;
/// Conflict: the record changed since the given date (HTTP 412 on `record update`).
pub const EXIT_CONFLICT: u8 = 4;

/// Every exit code of the script commands with its meaning, in code order.
pub const EXIT_CODES: &[(u8, &str)] = &[
    (EXIT_OK, "success"),
    (
        EXIT_FAILURE,
        "failure (API error, login failed, network); the diagnosis is printed on stderr",
    ),
    (EXIT_USAGE, "usage error (bad arguments, no such profile)"),
    (EXIT_NOT_FOUND, "record not found"),
    (
        EXIT_CONFLICT,
        "conflict: the record was changed since the given date (HTTP 412)",
    ),
];

/// [`EXIT_CODES`] as a paragraph for `--help` (`after_help`).
pub const EXIT_CODES_HELP: &str = "Exit codes: 0 success; 1 failure (API error, login failed, \
network; the diagnosis is printed on stderr); 2 usage error (bad arguments, no such profile); \
3 record not found; 4 conflict (record changed since the given date, HTTP 412).";

/// The scriptable commands. Errors go to stderr; the exit codes are in [`EXIT_CODES`].
#[derive(Debug, clap::Subcommand)]
pub enum ScriptCommand {
    /// Log in and show the token's status: issued, expires, user, org, instance, scopes and
    /// API usage. The access token itself only with --reveal.
    #[command(after_help = EXIT_CODES_HELP)]
    Token(token::TokenArgs),
    /// Log a profile in: a browser-login profile opens the login page (or prints its address
    /// with --no-browser) and keeps the refresh token; other flows log in once.
    #[command(after_help = EXIT_CODES_HELP)]
    Login(login::LoginArgs),
    /// Run a SOQL query and stream every page (table, JSON, NDJSON or CSV).
    #[command(after_help = EXIT_CODES_HELP)]
    Query(query::QueryArgs),
    /// Export a large query to a file with a Bulk API 2.0 job (CSV or NDJSON), page by page.
    #[command(after_help = EXIT_CODES_HELP)]
    Export(export::ExportArgs),
    /// Load a CSV into the org with Bulk API 2.0 jobs: insert, update, upsert or delete.
    ///
    /// The file is checked against the object's describe first (problems as
    /// file:line:column, nothing sent); the results are written beside it (NAME.success.csv,
    /// NAME.failed.csv, NAME.unprocessed.csv). Exit 1 when any row was not saved; Ctrl-C
    /// aborts the jobs on Salesforce.
    #[command(after_help = EXIT_CODES_HELP)]
    Import(import::ImportArgs),
    /// Read, create, update or delete one record.
    #[command(subcommand)]
    Record(record::RecordCommand),
    /// List, show, add or remove connection profiles (profiles.toml); import the Salesforce
    /// CLI's orgs.
    #[command(subcommand)]
    Profiles(profiles::ProfilesCommand),
    /// Call Apex REST resources and Apex SOAP web services.
    #[command(subcommand)]
    Apex(apex::ApexCommand),
    /// Print a shell completion script (bash, zsh or fish) on stdout.
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff) on stdout: `sfterm man > sfterm.1`.
    Man,
    /// Check the org's External Client App and integration user against the setup guide:
    /// token endpoint, scopes, lifetime, user, object access, permissions, Apex services,
    /// login restrictions, API usage. Exit 1 when any item fails.
    #[command(after_help = EXIT_CODES_HELP)]
    Check(check::CheckArgs),
    /// Send a saved request of the composer and print the response body; exit 1 on HTTP >= 400.
    #[command(after_help = EXIT_CODES_HELP)]
    Run(run::RunArgs),
    /// List, import (Postman) or export (curl) the composer's saved requests.
    #[command(subcommand)]
    Requests(run::RequestsCommand),
}

/// What a command runs with: the config directory, the chosen profile and where output goes.
pub struct Context {
    /// Directory holding `profiles.toml`.
    pub config_dir: PathBuf,
    /// The `--profile/-p` value, if given.
    pub profile: Option<String>,
    /// Where results are written (the process's stdout in the binary; a buffer in tests).
    pub stdout: Box<dyn Write + Send>,
    /// Whether stderr is a terminal: progress lines are only drawn then.
    pub stderr_is_terminal: bool,
    /// Where browser logins' refresh tokens are kept; `None` = detected
    /// ([`TokenStore::detect`](crate::login::TokenStore::detect)).
    pub token_store: Option<crate::login::TokenStore>,
    /// The data directory (where `export` keeps what `--resume` needs); `None` = the
    /// platform's, or `SFTERM_DATA_DIR`.
    pub data_dir: Option<PathBuf>,
}

impl Context {
    /// A context writing to the process's stdout, with `stderr_is_terminal` detected.
    pub fn new(config_dir: PathBuf, profile: Option<String>) -> Context {
        use std::io::IsTerminal;
        Context {
            config_dir,
            profile,
            stdout: Box::new(io::stdout()),
            stderr_is_terminal: io::stderr().is_terminal(),
            token_store: None,
            data_dir: None,
        }
    }

    /// The data directory: [`Context::data_dir`] when set, else the platform's (or
    /// `SFTERM_DATA_DIR`).
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(crate::config::paths::data_dir)
    }

    /// `<config_dir>/profiles.toml`.
    pub fn profiles_path(&self) -> PathBuf {
        self.config_dir.join(crate::config::paths::PROFILES_FILE)
    }

    /// Where browser logins' refresh tokens are kept (the keychain, else a private file in
    /// the data directory).
    pub fn token_store(&self) -> crate::login::TokenStore {
        self.token_store
            .clone()
            .unwrap_or_else(|| crate::login::TokenStore::detect(&crate::config::paths::data_dir()))
    }

    /// The token store `profile` uses: only a browser login keeps a refresh token, so only
    /// then is the keychain asked (a D-Bus round trip, up to seconds, that a client credentials
    /// command must not pay); the other flows get the file store, which they never touch.
    pub fn token_store_for(&self, profile: &crate::config::Profile) -> crate::login::TokenStore {
        match (&self.token_store, &profile.flow) {
            (None, flow) if !matches!(flow, crate::config::Flow::Web { .. }) => {
                crate::login::TokenStore::file(
                    &crate::config::paths::data_dir(),
                    "this flow keeps no refresh token",
                )
            }
            _ => self.token_store(),
        }
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("config_dir", &self.config_dir)
            .field("profile", &self.profile)
            .field("stderr_is_terminal", &self.stderr_is_terminal)
            .finish_non_exhaustive()
    }
}

/// A failed command: the exit code (see [`EXIT_CODES`]) and a plain-words message for stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    /// The process exit code.
    pub code: u8,
    /// What went wrong and what to do, possibly several lines.
    pub message: String,
}

impl CommandError {
    /// An error with the given exit code.
    pub fn new(code: u8, message: impl Into<String>) -> CommandError {
        CommandError {
            code,
            message: message.into(),
        }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> CommandError {
        CommandError::new(EXIT_USAGE, message)
    }

    /// A failure (exit 1).
    pub fn failure(message: impl Into<String>) -> CommandError {
        CommandError::new(EXIT_FAILURE, message)
    }

    /// Writing the output failed. A closed pipe (`sfterm query ... | head`) is not a failure:
    /// it gives code [`EXIT_OK`], which [`run`] turns into success.
    pub fn output(e: &io::Error) -> CommandError {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return CommandError::new(EXIT_OK, "the output was closed early");
        }
        CommandError::failure(format!("cannot write the output: {e}"))
    }

    /// An API error: the exit code follows the kind of failure (412 → 4, 404 → 3, invalid
    /// input → 2, else 1) and the message is its [`crate::sf::Diagnosis`].
    pub fn api(e: &ApiError) -> CommandError {
        let code = match e {
            ApiError::PreconditionFailed { .. } => EXIT_CONFLICT,
            ApiError::InvalidInput(_) => EXIT_USAGE,
            _ if e.status() == Some(404)
                || matches!(e.error_code(), Some("NOT_FOUND" | "ENTITY_IS_DELETED")) =>
            {
                EXIT_NOT_FOUND
            }
            _ => EXIT_FAILURE,
        };
        // Some meanings already quote Salesforce's message; it is not printed twice.
        CommandError::new(code, connect::diagnosis_text(&e.diagnosis()))
    }
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}

impl From<io::Error> for CommandError {
    fn from(e: io::Error) -> Self {
        CommandError::output(&e)
    }
}

/// Takes group and other permissions away from sfterm's own files and directories (as the TUI
/// does at start) and says on stderr what it changed or could not change.
fn make_own_files_private(ctx: &Context) {
    let own = crate::config::paths::own_files(&ctx.config_dir, &crate::config::paths::data_dir());
    if let Some(notice) = crate::private_fs::tighten(&own).notice(usize::MAX) {
        eprintln!("warning: {notice}");
    }
}

/// Runs one command. `cli_command` is the top-level clap command (`Cli::command()`), used by
/// `completions` to describe the whole command line.
pub async fn run(
    command: ScriptCommand,
    mut ctx: Context,
    cli_command: clap::Command,
) -> Result<(), CommandError> {
    make_own_files_private(&ctx);
    let result = match command {
        ScriptCommand::Token(args) => token::run(args, &mut ctx).await,
        ScriptCommand::Query(args) => query::run(args, &mut ctx).await,
        ScriptCommand::Login(args) => login::run(args, &mut ctx).await,
        ScriptCommand::Export(args) => export::run(args, &mut ctx).await,
        ScriptCommand::Import(args) => import::run(args, &mut ctx).await,
        ScriptCommand::Record(cmd) => record::run(cmd, &mut ctx).await,
        ScriptCommand::Profiles(cmd) => profiles::run(cmd, &mut ctx).await,
        ScriptCommand::Apex(cmd) => apex::run(cmd, &mut ctx).await,
        ScriptCommand::Completions(args) => completions::run(&args, &mut ctx, cli_command),
        ScriptCommand::Man => man::run(&mut ctx, cli_command),
        ScriptCommand::Run(args) => run::run(args, &mut ctx).await,
        ScriptCommand::Check(args) => check::run(args, &mut ctx).await,
        ScriptCommand::Requests(cmd) => run::run_requests(cmd, &mut ctx).await,
    };
    // Output already written stays written even when the command failed afterwards.
    let flushed = ctx.stdout.flush().map_err(|e| CommandError::output(&e));
    match result.and(flushed) {
        // The reader went away (a closed pipe): nothing more to say.
        Err(e) if e.code == EXIT_OK => Ok(()),
        other => other,
    }
}
