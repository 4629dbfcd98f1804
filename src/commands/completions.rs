//! `sfterm completions bash|zsh|fish`: prints a shell completion script.

use std::io::Write;

use super::{CommandError, Context};

/// The shells completion scripts are generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShellArg {
    /// Bash: `source <(sfterm completions bash)`.
    Bash,
    /// Zsh: `sfterm completions zsh > "${fpath[1]}/_sfterm"`.
    Zsh,
    /// Fish: `sfterm completions fish > ~/.config/fish/completions/sfterm.fish`.
    Fish,
}

/// Arguments of `sfterm completions`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to generate the script for.
    #[arg(value_enum)]
    pub shell: ShellArg,
}

/// Writes the completion script of `cli_command` (the whole command line) to `ctx.stdout`.
pub(crate) fn run(
    args: &CompletionsArgs,
    ctx: &mut Context,
    mut cli_command: clap::Command,
) -> Result<(), CommandError> {
    let shell = match args.shell {
        ShellArg::Bash => clap_complete::Shell::Bash,
        ShellArg::Zsh => clap_complete::Shell::Zsh,
        ShellArg::Fish => clap_complete::Shell::Fish,
    };
    let bin = cli_command
        .get_bin_name()
        .unwrap_or_else(|| cli_command.get_name())
        .to_string();
    // Into memory first: clap_complete panics when its writer fails, and a reader that stops
    // early (`sfterm completions zsh | head`) closes the pipe.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cli_command, bin, &mut script);
    ctx.stdout.write_all(&script)?;
    Ok(())
}
