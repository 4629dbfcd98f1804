//! `sfterm man`: one manual page with a subsection for every command and every option of each,
//! read off the same clap definitions the binary parses.

use std::process::Command;

use clap::CommandFactory;
use sfterm::cli::Cli;

/// `--config-dir` as roff writes it (`\-\-config\-dir`).
fn roff_flag(long: &str) -> String {
    format!("\\-\\-{}", long.replace('-', "\\-"))
}

/// Every visible subcommand under `cmd`, depth first, as `(full name, command)`.
fn commands(cmd: &clap::Command, out: &mut Vec<(String, clap::Command)>) {
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let name = sub.get_bin_name().expect("built commands have a bin name");
        out.push((name.to_owned(), sub.clone()));
        commands(sub, out);
    }
}

#[test]
fn the_man_page_has_every_command_and_its_options() {
    let output = Command::new(env!("CARGO_BIN_EXE_sfterm"))
        .arg("man")
        .output()
        .expect("sfterm runs");
    assert!(output.status.success(), "{output:?}");
    let page = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(page.contains("\n.TH sfterm 1 "), "{page}");
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS"] {
        assert!(page.contains(&format!("\n.SH {section}\n")), "{section}");
    }
    assert!(
        page.contains(&roff_flag("config-dir")),
        "the global options"
    );

    let mut cli = Cli::command();
    cli.build();
    let mut all = Vec::new();
    commands(&cli, &mut all);
    assert!(all.len() > 20, "{}", all.len());
    let headings = page.matches("\n.SS ").count();
    assert_eq!(headings, all.len(), "one subsection per command");
    for (name, command) in &all {
        let heading = format!("\n.SS \"{name}\"\n");
        let start = page
            .find(&heading)
            .unwrap_or_else(|| panic!("no subsection for {name}"));
        let body = &page[start + heading.len()..];
        let body = &body[..body.find("\n.S").unwrap_or(body.len())];
        for arg in command.get_arguments() {
            if arg.is_hide_set() || arg.is_global_set() {
                continue;
            }
            if let Some(long) = arg.get_long() {
                assert!(
                    body.contains(&roff_flag(long)),
                    "{name}: --{long} is not described:\n{body}"
                );
            }
        }
    }
}
