//! Command line: `sfterm` opens the TUI; subcommands do the rest.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::commands::{self, ScriptCommand};

/// Exit codes, also listed in `--help` (the script commands' list, which has them all).
pub use crate::commands::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

#[derive(Debug, Parser)]
#[command(
    name = "sfterm",
    // The package version and, built from a checkout, its commit (build.rs).
    version = env!("SFTERM_VERSION"),
    about = "A fast, keyboard-driven terminal workbench for the Salesforce APIs",
    long_about = "A fast, keyboard-driven terminal workbench for the Salesforce APIs.\n\n\
                  Without a subcommand, sfterm opens the terminal UI on your connection profiles.\n\
                  `sfterm demo` opens it on an embedded mock org: no Salesforce account needed.",
    after_help = "Exit codes: 0 success, 1 failure, 2 usage error or no terminal, 3 record not \
                  found, 4 conflict (record changed since the given date).\n\
                  Environment: SFTERM_PROFILE (the profile when no -p is given), SFTERM_CONFIG_DIR (profiles.toml, config.toml), SFTERM_DATA_DIR (the \
                  log, history, saved requests, drafts, large responses, exports), SFTERM_LOG \
                  (log level, e.g. debug), NO_COLOR."
)]
pub struct Cli {
    /// Directory of profiles.toml and config.toml (default: the platform config dir).
    #[arg(long, global = true, env = "SFTERM_CONFIG_DIR", value_name = "DIR")]
    pub config_dir: Option<PathBuf>,

    /// The profile to use: the TUI connects with it at start; a command talks to its org
    /// (default: the profile marked `default = true`, else the only profile).
    #[arg(
        long,
        short = 'p',
        global = true,
        env = "SFTERM_PROFILE",
        value_name = "NAME"
    )]
    pub profile: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the TUI on the embedded mock org with ready-made demo profiles.
    Demo(DemoArgs),
    /// Run the mock org (a local Salesforce emulator) until Ctrl-C.
    #[cfg(feature = "mock-org")]
    MockOrg(Box<crate::mock_org::cli::MockOrgCommand>),
    #[command(flatten)]
    Script(ScriptCommand),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Idle lifetime of the mock org's tokens, in seconds (try 60 to see automatic renewal).
    #[arg(long, default_value_t = 7200, value_name = "SECS")]
    pub token_ttl: u64,
    /// Number of Account records in the mock org.
    #[arg(long, default_value_t = 300, value_name = "N")]
    pub records: usize,
    /// The org state the mock org plays (see the Setup check): good, over-privileged,
    /// missing-lead-delete, no-customerws, setup-hidden, long-session, broad-scopes,
    /// inactive-user.
    #[cfg(feature = "mock-org")]
    #[arg(long, value_enum, default_value_t = crate::mock_org::Scenario::Good)]
    pub scenario: crate::mock_org::Scenario,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("sfterm: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            None => crate::tui::run(crate::tui::TuiOptions::new(cli.config_dir, cli.profile)).await,
            Some(Command::Demo(args)) => crate::tui::run_demo(args).await,
            Some(Command::Script(command)) => {
                let config_dir = cli
                    .config_dir
                    .unwrap_or_else(crate::config::paths::config_dir);
                let context = commands::Context::new(config_dir, cli.profile);
                commands::run(command, context, Cli::command())
                    .await
                    .map_err(|e| crate::tui::Failure::new(e.code, e.message))
            }
            #[cfg(feature = "mock-org")]
            Some(Command::MockOrg(args)) => {
                crate::mock_org::cli::run_command(*args).await.map_err(|e| {
                    // A refused --bind is a usage error, like a bad flag.
                    let code = match e {
                        crate::mock_org::MockOrgError::BindRefused { .. } => EXIT_USAGE,
                        _ => EXIT_FAILURE,
                    };
                    crate::tui::Failure::new(code, format!("mock org: {e}"))
                })
            }
        }
    });
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(failure) => {
            // Not `eprintln!`: it panics when stderr is a terminal that has gone away.
            let _ = writeln!(std::io::stderr(), "sfterm: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
