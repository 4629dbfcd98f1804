//! `sfterm man`: the manual page (roff, for `man`), generated from the clap definitions: the
//! top-level command, then a section for every subcommand with its synopsis, description and
//! options. `sfterm man > ~/.local/share/man/man1/sfterm.1` installs it (see the README).

use std::io::{self, Write};

use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};

use super::{CommandError, Context};

/// Writes the manual page of `cli_command` (the whole command line) to `ctx.stdout`.
pub(crate) fn run(ctx: &mut Context, cli_command: clap::Command) -> Result<(), CommandError> {
    let page = page(cli_command).map_err(|e| CommandError::output(&e))?;
    ctx.stdout.write_all(&page)?;
    Ok(())
}

/// The manual page of `cli_command`: NAME, SYNOPSIS, DESCRIPTION, the global OPTIONS, then
/// COMMANDS with every subcommand (depth first, as `sfterm profiles add`), the exit codes and
/// environment (the command's `after_help`) and VERSION.
pub fn page(cli_command: clap::Command) -> io::Result<Vec<u8>> {
    let mut cmd = cli_command.disable_help_subcommand(true);
    cmd.build();
    let man = Man::new(cmd.clone());
    // Every rendered piece starts with the same two-line preamble; the page needs it once.
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    let mut rest = Vec::new();
    man.render_name_section(&mut rest)?;
    man.render_synopsis_section(&mut rest)?;
    man.render_description_section(&mut rest)?;
    man.render_options_section(&mut rest)?;
    let mut commands = Roff::default();
    commands.control("SH", ["COMMANDS"]);
    commands.to_writer(&mut rest)?;
    for sub in visible_subcommands(&cmd) {
        command_section(sub, &mut rest)?;
    }
    if let Some(after) = cmd.get_after_long_help().or_else(|| cmd.get_after_help()) {
        let mut notes = Roff::default();
        notes.control("SH", ["EXIT STATUS AND ENVIRONMENT"]);
        for paragraph in after.to_string().lines() {
            notes.control("PP", []);
            notes.text([roman(paragraph)]);
        }
        notes.to_writer(&mut rest)?;
    }
    if cmd.get_version().is_some() {
        man.render_version_section(&mut rest)?;
    }
    out.extend(lines_without(&rest, |line| PREAMBLE.contains(&line)));
    Ok(out)
}

/// The lines roff's writer puts before every piece it renders (the `\*(Aq` string).
const PREAMBLE: [&[u8]; 2] = [b".ie \\n(.g .ds Aq \\(aq", b".el .ds Aq '"];

fn visible_subcommands(cmd: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    cmd.get_subcommands().filter(|sub| !sub.is_hide_set())
}

/// One subcommand as a subsection titled with its full name (`sfterm profiles add`): its
/// synopsis, description and own options (the global ones are listed once, at the top), then
/// its subcommands.
fn command_section(sub: &clap::Command, out: &mut Vec<u8>) -> io::Result<()> {
    let full_name = sub.get_bin_name().unwrap_or_else(|| sub.get_name());
    let mut heading = Roff::default();
    heading.control("SS", [full_name]);
    heading.to_writer(out)?;
    let own = sub.clone().mut_args(|arg| {
        if arg.is_global_set() {
            arg.hide(true)
        } else {
            arg
        }
    });
    let man = Man::new(own);
    let mut body = Vec::new();
    man.render_synopsis_section(&mut body)?;
    paragraph_break(&mut body)?;
    man.render_description_section(&mut body)?;
    paragraph_break(&mut body)?;
    man.render_options_section(&mut body)?;
    out.extend(lines_without(&body, |line| {
        line.starts_with(b".SH ") || line == b".SH"
    }));
    for child in visible_subcommands(sub) {
        command_section(child, out)?;
    }
    Ok(())
}

fn paragraph_break(out: &mut Vec<u8>) -> io::Result<()> {
    let mut roff = Roff::default();
    roff.control("PP", []);
    roff.to_writer(out)
}

/// `roff` without the lines `drop` picks (given without their line end).
fn lines_without(roff: &[u8], drop: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(roff.len());
    for line in roff.split_inclusive(|&b| b == b'\n') {
        if !drop(line.trim_ascii_end()) {
            out.extend_from_slice(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lines_picked_are_dropped_and_everything_else_kept() {
        let roff = b".SH SYNOPSIS\n\\fBsfterm token\\fR\n.SH OPTIONS\n.TP\n\\-\\-json\n.SHOW\n";
        let kept = lines_without(roff, |line| line.starts_with(b".SH "));
        assert_eq!(
            String::from_utf8_lossy(&kept),
            "\\fBsfterm token\\fR\n.TP\n\\-\\-json\n.SHOW\n"
        );
    }
}
