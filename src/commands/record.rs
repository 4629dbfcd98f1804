//! `sfterm record get|create|update|delete`: one record at a time.

use std::io::Write;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::format::{cell_text, columns_of};
use super::{CommandError, Context};
use crate::sf::json_ref::ObjectRef;

/// The `record` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum RecordCommand {
    /// Print one record (all fields, or --fields). Exit 3 if it does not exist.
    #[command(after_help = super::EXIT_CODES_HELP)]
    Get(GetArgs),
    /// Create a record from Field=value pairs; prints the new id.
    #[command(after_help = super::EXIT_CODES_HELP)]
    Create(CreateArgs),
    /// Update fields of a record. With --if-unmodified-since / --expect-last-modified the
    /// update is refused (exit 4) if the record changed after that date.
    #[command(after_help = super::EXIT_CODES_HELP)]
    Update(UpdateArgs),
    /// Delete a record. Exit 3 if it does not exist.
    #[command(after_help = super::EXIT_CODES_HELP)]
    Delete(DeleteArgs),
}

/// Arguments of `record get`.
#[derive(Debug, Clone, clap::Args)]
pub struct GetArgs {
    /// sObject API name, e.g. Account.
    pub sobject: String,
    /// Record id (15 or 18 characters).
    pub id: String,
    /// Only these fields, comma-separated (e.g. Name,Industry).
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub fields: Vec<String>,
    /// Print the record as one JSON object (without `attributes`).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `record create`.
#[derive(Debug, Clone, clap::Args)]
pub struct CreateArgs {
    /// sObject API name, e.g. Account.
    pub sobject: String,
    /// Field values: `Field=value` (value read as JSON if it is a JSON scalar such as true, 12,
    /// null or "12", else as text) or `Field:=json` (any JSON).
    #[arg(value_name = "FIELD=VALUE", required = true)]
    pub assignments: Vec<String>,
    /// Print `{"id": ..., "success": true}` instead of the bare id.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `record update`.
#[derive(Debug, Clone, clap::Args)]
pub struct UpdateArgs {
    /// sObject API name, e.g. Account.
    pub sobject: String,
    /// Record id.
    pub id: String,
    /// Field values, as for `record create`.
    #[arg(value_name = "FIELD=VALUE", required = true)]
    pub assignments: Vec<String>,
    /// Refuse the update if the record changed after this time (RFC 3339, e.g.
    /// 2026-01-01T08:00:00Z); sent as If-Unmodified-Since.
    #[arg(long, value_name = "RFC3339", conflicts_with = "expect_last_modified")]
    pub if_unmodified_since: Option<String>,
    /// The record's LastModifiedDate as you last saw it (RFC 3339 or Salesforce's
    /// 2026-01-01T08:00:00.000+0000); the update is refused if it changed since.
    #[arg(long, value_name = "RFC3339")]
    pub expect_last_modified: Option<String>,
    /// Print `{"id": ..., "updated": true}`.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `record delete`.
#[derive(Debug, Clone, clap::Args)]
pub struct DeleteArgs {
    /// sObject API name, e.g. Account.
    pub sobject: String,
    /// Record id.
    pub id: String,
    /// Print `{"id": ..., "deleted": true}`.
    #[arg(long)]
    pub json: bool,
}

fn is_api_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Parses one `Field=value` / `Field:=json` argument.
///
/// `Field=value`: the value is JSON when it parses as a JSON scalar (`true`, `12`, `null`,
/// `"12"`), else the text as given. `Field:=json`: the value must be JSON (any type).
pub fn parse_assignment(arg: &str) -> Result<(String, Value), CommandError> {
    let Some((left, raw)) = arg.split_once('=') else {
        return Err(CommandError::usage(format!(
            "\"{arg}\" is not Field=value (or Field:=json)."
        )));
    };
    let (field, forced_json) = match left.strip_suffix(':') {
        Some(f) => (f, true),
        None => (left, false),
    };
    let field = field.trim();
    if !is_api_name(field) {
        return Err(CommandError::usage(format!(
            "\"{field}\" in \"{arg}\" is not a field API name (letters, digits, _)."
        )));
    }
    let value = if forced_json {
        serde_json::from_str(raw).map_err(|e| {
            CommandError::usage(format!("{field}:= needs valid JSON, got {raw:?}: {e}"))
        })?
    } else {
        match serde_json::from_str::<Value>(raw) {
            Ok(v @ (Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_))) => v,
            _ => Value::String(raw.to_string()),
        }
    };
    Ok((field.to_string(), value))
}

/// Parses every assignment into a field map; a field given twice is an error.
pub fn parse_assignments(args: &[String]) -> Result<Map<String, Value>, CommandError> {
    let mut fields = Map::new();
    for arg in args {
        let (field, value) = parse_assignment(arg)?;
        if fields.keys().any(|k| k.eq_ignore_ascii_case(&field)) {
            return Err(CommandError::usage(format!("{field} is given twice.")));
        }
        fields.insert(field, value);
    }
    Ok(fields)
}

/// Parses an RFC 3339 time, or Salesforce's `2026-01-01T08:00:00.000+0000` form.
pub fn parse_time(text: &str) -> Result<Timestamp, CommandError> {
    let t = text.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Ok(ts);
    }
    jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", t)
        .and_then(|p| p.to_timestamp())
        .map_err(|_| {
            CommandError::usage(format!(
                "\"{text}\" is not a time like 2026-01-01T08:00:00Z (RFC 3339)."
            ))
        })
}

fn check_names(sobject: &str, id: Option<&str>) -> Result<(), CommandError> {
    if !is_api_name(sobject) {
        return Err(CommandError::usage(format!(
            "\"{sobject}\" is not an sObject API name."
        )));
    }
    if let Some(id) = id
        && !((id.len() == 15 || id.len() == 18) && id.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(CommandError::usage(format!(
            "\"{id}\" is not a record id (15 or 18 letters and digits)."
        )));
    }
    Ok(())
}

/// The record as `Field  value` lines, parents flattened, aligned on the longest name.
pub(crate) fn record_lines(record: &Map<String, Value>) -> String {
    let record = &ObjectRef::from_map(record);
    let columns = columns_of(record);
    let width = columns.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for col in &columns {
        let text = cell_text(record.lookup(col));
        let pad = width - col.chars().count();
        out.push_str(format!("{col}{}  {text}", " ".repeat(pad)).trim_end());
        out.push('\n');
    }
    out
}

/// Runs a `record` subcommand.
pub(crate) async fn run(cmd: RecordCommand, ctx: &mut Context) -> Result<(), CommandError> {
    match cmd {
        RecordCommand::Get(args) => {
            check_names(&args.sobject, Some(&args.id))?;
            if let Some(bad) = args.fields.iter().find(|f| !is_api_name(f.trim())) {
                return Err(CommandError::usage(format!(
                    "\"{bad}\" in --fields is not a field API name."
                )));
            }
            let (_, client) = super::connect(ctx).await?;
            let fields: Vec<&str> = args.fields.iter().map(|f| f.trim()).collect();
            let record = client
                .get_record(
                    &args.sobject,
                    &args.id,
                    (!fields.is_empty()).then_some(fields.as_slice()),
                )
                .await
                .map_err(|e| CommandError::api(&e))?;
            let fields = ObjectRef::from_map(&record.fields);
            if args.json {
                serde_json::to_writer_pretty(&mut ctx.stdout, &fields)
                    .map_err(|e| CommandError::failure(e.to_string()))?;
                writeln!(ctx.stdout)?;
            } else {
                ctx.stdout
                    .write_all(record_lines(&record.fields).as_bytes())?;
            }
        }
        RecordCommand::Create(args) => {
            check_names(&args.sobject, None)?;
            let fields = parse_assignments(&args.assignments)?;
            let (_, client) = super::connect(ctx).await?;
            let id = client
                .create_record(&args.sobject, &fields)
                .await
                .map_err(|e| CommandError::api(&e))?;
            if args.json {
                writeln!(ctx.stdout, "{}", json!({"id": id, "success": true}))?;
            } else {
                writeln!(ctx.stdout, "{id}")?;
            }
        }
        RecordCommand::Update(args) => {
            check_names(&args.sobject, Some(&args.id))?;
            let fields = parse_assignments(&args.assignments)?;
            let since = args
                .if_unmodified_since
                .as_deref()
                .or(args.expect_last_modified.as_deref())
                .map(parse_time)
                .transpose()?;
            let (_, client) = super::connect(ctx).await?;
            client
                .update_record(&args.sobject, &args.id, &fields, since)
                .await
                .map_err(|e| match e {
                    crate::sf::ApiError::PreconditionFailed { .. } => {
                        let mut err = CommandError::api(&e);
                        err.message = format!(
                            "Not updated: {} {} was changed after {} (HTTP 412). Get it again, \
                             re-apply your change and retry with its new LastModifiedDate.\n{}",
                            args.sobject,
                            args.id,
                            since.map(|t| t.to_string()).unwrap_or_default(),
                            err.message
                        );
                        err
                    }
                    other => CommandError::api(&other),
                })?;
            if args.json {
                writeln!(ctx.stdout, "{}", json!({"id": args.id, "updated": true}))?;
            } else {
                writeln!(ctx.stdout, "Updated {} {}", args.sobject, args.id)?;
            }
        }
        RecordCommand::Delete(args) => {
            check_names(&args.sobject, Some(&args.id))?;
            let (_, client) = super::connect(ctx).await?;
            client
                .delete_record(&args.sobject, &args.id)
                .await
                .map_err(|e| CommandError::api(&e))?;
            if args.json {
                writeln!(ctx.stdout, "{}", json!({"id": args.id, "deleted": true}))?;
            } else {
                writeln!(ctx.stdout, "Deleted {} {}", args.sobject, args.id)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(arg: &str) -> Value {
        parse_assignment(arg).expect("parses").1
    }

    #[test]
    fn scalars_are_json_everything_else_text() {
        assert_eq!(value("IsActive__c=true"), json!(true));
        assert_eq!(value("NumberOfEmployees=12"), json!(12));
        assert_eq!(value("AnnualRevenue=2.5e6"), json!(2.5e6));
        assert_eq!(value("ParentId=null"), json!(null));
        assert_eq!(value("Phone=\"12\""), json!("12"));
        assert_eq!(value("Name=Acme Corp"), json!("Acme Corp"));
        assert_eq!(value("Phone=0012"), json!("0012"));
        assert_eq!(value("Name="), json!(""));
        assert_eq!(value("Formula=a=b"), json!("a=b"));
        assert_eq!(value("Tags=[1,2]"), json!("[1,2]"));
        assert_eq!(value("Desc={\"a\":1}"), json!("{\"a\":1}"));
    }

    #[test]
    fn colon_equals_forces_json() {
        assert_eq!(value("Tags:=[1,2]"), json!([1, 2]));
        assert_eq!(
            value("Addr:={\"city\":\"Paris\"}"),
            json!({"city": "Paris"})
        );
        assert_eq!(value("N:=12"), json!(12));
        let err = parse_assignment("N:=not json").expect_err("invalid JSON");
        assert_eq!(err.code, super::super::EXIT_USAGE);
    }

    #[test]
    fn bad_assignments_are_usage_errors() {
        for bad in ["NoEquals", "=x", "Bad-Name=1", "a.b=1", ":=1"] {
            let err = parse_assignment(bad).expect_err(bad);
            assert_eq!(err.code, super::super::EXIT_USAGE, "{bad}");
        }
        let err = parse_assignments(&["Name=a".into(), "name=b".into()]).expect_err("dup");
        assert!(err.message.contains("twice"), "{}", err.message);
        let ok = parse_assignments(&["Name=a".into(), "Industry=Banking".into()]).expect("ok");
        assert_eq!(ok.len(), 2);
    }

    #[test]
    fn times_in_rfc3339_and_salesforce_form() {
        let a = parse_time("2026-01-01T08:00:00Z").expect("rfc3339");
        let b = parse_time("2026-01-01T08:00:00.000+0000").expect("salesforce");
        let c = parse_time("2026-01-01T09:00:00+01:00").expect("offset");
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn ids_and_names_are_checked() {
        assert!(check_names("Account", Some("001Dn00000AbCdEIAV")).is_ok());
        assert!(check_names("Account", Some("001Dn00000AbCdE")).is_ok());
        assert!(check_names("Account", None).is_ok());
        assert!(check_names("Account", Some("001")).is_err());
        assert!(check_names("Account", Some("001Dn00000AbCd/IAV")).is_err());
        assert!(check_names("Acc/ount", None).is_err());
    }

    #[test]
    fn record_lines_align_and_flatten() {
        let rec: Map<String, Value> = serde_json::from_value(json!({
            "attributes": {"type": "Contact"},
            "Id": "003A",
            "Account": {"attributes": {"type": "Account"}, "Name": "Acme"},
            "Email": null
        }))
        .expect("map");
        assert_eq!(
            record_lines(&rec),
            "Id            003A\nAccount.Name  Acme\nEmail\n"
        );
    }
}
