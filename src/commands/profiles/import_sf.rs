//! `sfterm profiles import-sf`: the orgs the Salesforce CLI is logged in to (`sf org list
//! --json`) become profiles with flow "sf", chosen by alias or username, with `--all`, or from
//! a numbered list on a terminal. The endpoint is the org's instance, so the environment badge
//! and the production guard know the org before connecting.

use std::io::{BufRead, Write};

use super::super::connect::load_store;
use super::super::{CommandError, Context};
use super::{insert, write_table};
use crate::config::{Flow, Profile, ProfileStore, SecretSource};
use crate::sf::SfCliError;
use crate::sf::sfcli::{SfCli, SfOrgEntry};

/// Arguments of `profiles import-sf`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ImportSfArgs {
    /// The orgs to add, by alias or username (without them or --all: chosen from a numbered
    /// list on a terminal).
    #[arg(value_name = "ALIAS")]
    pub orgs: Vec<String>,
    /// Add every org the Salesforce CLI lists.
    #[arg(long, conflicts_with = "orgs")]
    pub all: bool,
    /// Do not have the CLI check each org's login (faster; STATUS shows "-").
    #[arg(long)]
    pub skip_connection_status: bool,
}

/// Runs `profiles import-sf` with the given CLI. `answers` is the terminal the user chooses
/// on when no org is named and `--all` is not given (`None`: not a terminal, a usage error).
pub async fn import_sf(
    args: &ImportSfArgs,
    ctx: &mut Context,
    cli: &SfCli,
    answers: Option<Box<dyn BufRead + Send>>,
) -> Result<(), CommandError> {
    // A profiles.toml that cannot be read fails before the CLI is run.
    let mut store = load_store(ctx)?;
    if ctx.stderr_is_terminal && !args.skip_connection_status {
        let _ = writeln!(
            std::io::stderr(),
            "Asking the Salesforce CLI for its orgs; it checks each login \
             (--skip-connection-status is faster)..."
        );
    }
    let listed = if args.skip_connection_status {
        cli.org_list().await
    } else {
        cli.org_list_with_status().await
    };
    let orgs = listed.map_err(|e| CommandError::api(&e))?;
    if orgs.is_empty() {
        let message = "The Salesforce CLI is not logged in to any org. Log one in first: `sf \
                       org login web --alias NAME` (add `--instance-url \
                       https://test.salesforce.com` for a sandbox, or your My Domain's URL), \
                       then run `sfterm profiles import-sf` again.";
        if !args.orgs.is_empty() {
            return Err(CommandError::usage(message));
        }
        writeln!(ctx.stdout, "{message}")?;
        return Ok(());
    }
    let chosen = if args.all {
        (0..orgs.len()).collect()
    } else if !args.orgs.is_empty() {
        let (found, unknown): (Vec<_>, Vec<_>) = args
            .orgs
            .iter()
            .map(|name| find(&orgs, name).ok_or(name))
            .partition(Result::is_ok);
        if !unknown.is_empty() {
            let unknown: Vec<String> = unknown
                .into_iter()
                .filter_map(Result::err)
                .map(|n| format!("\"{n}\""))
                .collect();
            let known: Vec<&str> = orgs.iter().map(SfOrgEntry::alias_or_username).collect();
            return Err(CommandError::usage(format!(
                "The Salesforce CLI has no org {} (it lists {}).",
                unknown.join(", "),
                known.join(", ")
            )));
        }
        dedup(found.into_iter().filter_map(Result::ok).collect())
    } else {
        write_orgs(ctx, &orgs, &store)?;
        let Some(answers) = answers else {
            return Err(CommandError::usage(
                "Name the orgs to add (alias or username), or pass --all.",
            ));
        };
        ask(ctx, &orgs, answers)?
    };
    add_chosen(ctx, &mut store, &orgs, &chosen)
}

/// Adds the chosen orgs that are not profiles yet and saves the store once.
fn add_chosen(
    ctx: &mut Context,
    store: &mut ProfileStore,
    orgs: &[SfOrgEntry],
    chosen: &[usize],
) -> Result<(), CommandError> {
    let mut added = 0;
    for org in chosen.iter().filter_map(|&i| orgs.get(i)) {
        let cli_name = org.alias_or_username();
        if let Some(existing) = profile_of(store, org) {
            writeln!(
                ctx.stdout,
                "Skipped {cli_name}: it is already the profile \"{existing}\"."
            )?;
            continue;
        }
        let profile = profile_for(store, org);
        if let Some(problem) = profile.validate().first() {
            writeln!(
                ctx.stdout,
                "Skipped {cli_name}: {}: {}",
                problem.field, problem.message
            )?;
            continue;
        }
        let line = format!(
            "Added profile \"{}\" (Salesforce CLI org {cli_name}, {})",
            profile.name,
            org.instance_url.as_deref().unwrap_or("instance unknown")
        );
        insert(store, profile)?;
        added += 1;
        writeln!(ctx.stdout, "{line}")?;
        if org.login_expired() {
            writeln!(
                ctx.stdout,
                "  Its CLI login has expired: run `{}` before connecting.",
                SfCliError::login_command(cli_name, org.instance_url.as_deref())
            )?;
        }
    }
    if added == 0 {
        writeln!(ctx.stdout, "Nothing added.")?;
        return Ok(());
    }
    store
        .save()
        .map_err(|e| CommandError::failure(e.to_string()))?;
    writeln!(
        ctx.stdout,
        "{added} profile{} added to {}.",
        if added == 1 { "" } else { "s" },
        store.path().display()
    )?;
    Ok(())
}

/// The index of the org named `name`: its alias, or its username (any case).
fn find(orgs: &[SfOrgEntry], name: &str) -> Option<usize> {
    orgs.iter()
        .position(|o| o.alias.as_deref() == Some(name))
        .or_else(|| {
            orgs.iter()
                .position(|o| o.username.eq_ignore_ascii_case(name))
        })
}

/// `indices` without repeats, in their first order.
fn dedup(indices: Vec<usize>) -> Vec<usize> {
    let mut out = Vec::with_capacity(indices.len());
    for i in indices {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// The name of the profile that already borrows this org (by alias or username).
fn profile_of<'a>(store: &'a ProfileStore, org: &SfOrgEntry) -> Option<&'a str> {
    store.profiles().iter().find_map(|p| match &p.flow {
        Flow::SfCli { org: name }
            if Some(name.as_str()) == org.alias.as_deref()
                || name.eq_ignore_ascii_case(&org.username) =>
        {
            Some(p.name.as_str())
        }
        _ => None,
    })
}

/// The profile for an org: named after its alias or username (`NAME (sf)` when a profile of
/// another flow has that name), the instance as endpoint.
fn profile_for(store: &ProfileStore, org: &SfOrgEntry) -> Profile {
    let base = org.alias_or_username();
    let name = std::iter::once(base.to_string())
        .chain((1..).map(|n| match n {
            1 => format!("{base} (sf)"),
            n => format!("{base} (sf {n})"),
        }))
        .find(|n| store.get(n).is_none())
        .unwrap_or_else(|| base.to_string());
    let endpoint = [&org.instance_url, &org.login_url]
        .into_iter()
        .flatten()
        .find(|url| crate::config::normalize(url).is_ok())
        .cloned()
        .unwrap_or_default();
    let mut profile = Profile::new(&name, &endpoint, "");
    profile.secret = SecretSource::None;
    profile.flow = Flow::SfCli {
        org: base.to_string(),
    };
    profile
}

/// What the CLI said of an org's login.
fn status_text(org: &SfOrgEntry) -> String {
    match org.connected_status.as_deref() {
        None => "-".to_string(),
        Some(_) if org.login_expired() => "expired".to_string(),
        Some(s) if s.eq_ignore_ascii_case("connected") => "connected".to_string(),
        Some(s) => s.to_string(),
    }
}

/// The numbered list of the CLI's orgs.
fn write_orgs(
    ctx: &mut Context,
    orgs: &[SfOrgEntry],
    store: &ProfileStore,
) -> Result<(), CommandError> {
    writeln!(ctx.stdout, "The Salesforce CLI is logged in to:")?;
    let header = [
        "#", "ALIAS", "USERNAME", "INSTANCE", "TYPE", "STATUS", "PROFILE",
    ]
    .map(String::from);
    let rows: Vec<Vec<String>> = orgs
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let kind = if o.is_scratch {
                "scratch"
            } else if o.is_sandbox {
                "sandbox"
            } else if o.is_dev_hub {
                "dev hub"
            } else {
                "org"
            };
            vec![
                (i + 1).to_string(),
                o.alias.clone().unwrap_or_else(|| "-".to_string()),
                o.username.clone(),
                o.instance_url.clone().unwrap_or_else(|| "-".to_string()),
                format!("{kind}{}", if o.is_default { " (default)" } else { "" }),
                status_text(o),
                profile_of(store, o).unwrap_or("-").to_string(),
            ]
        })
        .collect();
    write_table(&mut ctx.stdout, &header, &rows)?;
    Ok(())
}

/// Asks which orgs to add until the answer names only listed orgs; the end of input or an
/// empty answer chooses none.
fn ask(
    ctx: &mut Context,
    orgs: &[SfOrgEntry],
    mut answers: Box<dyn BufRead + Send>,
) -> Result<Vec<usize>, CommandError> {
    loop {
        write!(
            ctx.stdout,
            "Add which? Numbers (1-{}), aliases or usernames, \"all\"; empty for none: ",
            orgs.len()
        )?;
        ctx.stdout.flush()?;
        let mut line = String::new();
        if answers.read_line(&mut line)? == 0 {
            writeln!(ctx.stdout)?;
            return Ok(Vec::new());
        }
        match parse_choice(&line, orgs) {
            Ok(chosen) => return Ok(chosen),
            Err(message) => writeln!(ctx.stdout, "{message}")?,
        }
    }
}

/// The orgs an answer names: numbers from the list, ranges (`2-4`), aliases or usernames,
/// `all`; separated by spaces or commas.
fn parse_choice(line: &str, orgs: &[SfOrgEntry]) -> Result<Vec<usize>, String> {
    let mut chosen = Vec::new();
    for word in line
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        let number = |s: &str| {
            s.parse::<usize>()
                .ok()
                .filter(|n| (1..=orgs.len()).contains(n))
                .map(|n| n - 1)
        };
        if word.eq_ignore_ascii_case("all") {
            chosen.extend(0..orgs.len());
        } else if let Some(i) = number(word) {
            chosen.push(i);
        } else if let Some((Some(a), Some(b))) = word
            .split_once('-')
            .map(|(a, b)| (number(a), number(b)))
            .filter(|_| find(orgs, word).is_none())
        {
            chosen.extend(a.min(b)..=a.max(b));
        } else if let Some(i) = find(orgs, word) {
            chosen.push(i);
        } else {
            return Err(format!(
                "\"{word}\" is not in the list: give numbers from 1 to {}, aliases or usernames.",
                orgs.len()
            ));
        }
    }
    Ok(dedup(chosen))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(alias: Option<&str>, username: &str) -> SfOrgEntry {
        SfOrgEntry {
            username: username.into(),
            alias: alias.map(str::to_string),
            ..SfOrgEntry::default()
        }
    }

    #[test]
    fn choices_are_numbers_ranges_names_or_all() {
        let orgs = [
            org(Some("acme"), "ops@acme.com"),
            org(Some("uat-2"), "ops@acme.com.uat"),
            org(None, "hub@acme.com"),
            org(Some("dev"), "dev@acme.com"),
        ];
        assert_eq!(parse_choice("2", &orgs), Ok(vec![1]));
        assert_eq!(parse_choice(" 3, acme 1\n", &orgs), Ok(vec![2, 0]));
        assert_eq!(parse_choice("2-4", &orgs), Ok(vec![1, 2, 3]));
        assert_eq!(parse_choice("4-3", &orgs), Ok(vec![2, 3]));
        assert_eq!(parse_choice("uat-2 HUB@acme.com", &orgs), Ok(vec![1, 2]));
        assert_eq!(parse_choice("ALL", &orgs), Ok(vec![0, 1, 2, 3]));
        assert_eq!(parse_choice("", &orgs), Ok(vec![]));
        for bad in ["5", "0", "nope", "1-9"] {
            let e = parse_choice(bad, &orgs).expect_err(bad);
            assert!(e.contains("1 to 4"), "{e}");
        }
    }
}
