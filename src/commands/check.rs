//! `sfterm check`: the Setup check of the profile's org and integration user (see
//! [`crate::check`]), as a table or JSON; exit 1 when any item fails.

use std::io::Write;

use super::{CommandError, Context};
use crate::check::{CheckReport, Status};

/// Arguments of `sfterm check`.
#[derive(Debug, Clone, clap::Args)]
pub struct CheckArgs {
    /// Print one JSON object instead of the table. Keys (stable): profile, instance_url,
    /// username, ok, counts {pass, warn, fail, not_visible}, items [{id, title, status
    /// (pass|warn|fail|not_visible), evidence, fix, reveal}].
    #[arg(long)]
    pub json: bool,
}

/// The readable table: one line per item (status, title), then its evidence and fix indented.
pub fn to_text(profile: &str, report: &CheckReport) -> String {
    let mut out = format!("Setup check of profile \"{profile}\"");
    if let Some(url) = &report.instance_url {
        out.push_str(&format!(" ({url})"));
    }
    out.push('\n');
    if let Some(user) = &report.username {
        out.push_str(&format!("Run-as user: {user}\n"));
    }
    out.push('\n');
    for item in &report.items {
        out.push_str(&format!("{:<12} {}\n", item.status.label(), item.title));
        out.push_str(&format!("{:<12}   {}\n", "", item.evidence));
        if let Some(fix) = &item.fix {
            out.push_str(&format!("{:<12}   Fix: {fix}\n", ""));
        }
        if let Some(reveal) = &item.reveal {
            out.push_str(&format!("{:<12}   To see it: {reveal}\n", ""));
        }
    }
    let c = report.counts();
    out.push_str(&format!(
        "\n{} pass, {} warn, {} fail, {} not visible\n",
        c.pass, c.warn, c.fail, c.not_visible
    ));
    out
}

/// Runs `sfterm check`.
pub(crate) async fn run(args: CheckArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let (profile, client) = super::connect::client_for(ctx).await?;
    let report = crate::check::run(&client).await;
    if args.json {
        let mut value = report.to_json();
        if let Some(map) = value.as_object_mut() {
            map.insert("profile".into(), serde_json::json!(profile.name));
        }
        let text = serde_json::to_string_pretty(&value)
            .map_err(|e| CommandError::failure(format!("cannot encode the report: {e}")))?;
        writeln!(ctx.stdout, "{text}")?;
    } else {
        write!(ctx.stdout, "{}", to_text(&profile.name, &report))?;
    }
    let failed: Vec<&str> = report
        .items
        .iter()
        .filter(|i| i.status == Status::Fail)
        .map(|i| i.title.as_str())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CommandError::failure(format!(
            "The Setup check failed: {}",
            failed.join("; ")
        )))
    }
}
