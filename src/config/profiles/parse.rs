//! Reading `[[profile]]` tables into [`Profile`]s, with errors located at file:line:col.

use std::ops::Range;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use toml_edit::{Item, Table, TableLike};

use super::{AuthStyle, DEFAULT_KEY, Flow, PROFILE_KEY, Profile, SecretSource};
use crate::config::ConfigError;

/// A field-level parse error before it is given a file location.
pub(super) struct FieldError {
    span: Option<Range<usize>>,
    message: String,
}

pub(super) fn parse_secret_table(t: &dyn TableLike) -> Result<SecretSource, FieldError> {
    let get = |k: &str| -> Result<Option<String>, FieldError> {
        match t.get(k) {
            None => Ok(None),
            Some(item) => item.as_str().map(|s| Some(s.to_owned())).ok_or(FieldError {
                span: item.span(),
                message: format!("secret.{k} must be a string"),
            }),
        }
    };
    let need = |k: &str, what: &str| -> Result<String, FieldError> {
        get(k)?.ok_or_else(|| FieldError {
            span: None,
            message: format!("secret with source = \"{what}\" needs a \"{k}\" key"),
        })
    };
    let source = get("source")?.unwrap_or_else(|| "prompt".to_owned());
    match source.as_str() {
        "prompt" => Ok(SecretSource::Prompt),
        "env" => Ok(SecretSource::Env {
            var: need("var", "env")?,
        }),
        "command" => Ok(SecretSource::Command {
            command: need("command", "command")?,
        }),
        "plain" => Ok(SecretSource::Plain {
            value: SecretString::from(need("value", "plain")?),
        }),
        "none" => Ok(SecretSource::None),
        other => Err(FieldError {
            span: t.get("source").and_then(Item::span),
            message: format!(
                "unknown secret source \"{other}\" (expected \"prompt\", \"env\", \"command\", \
                 \"plain\" or \"none\")"
            ),
        }),
    }
}

fn parse_profile(t: &Table) -> Result<Profile, FieldError> {
    let table_span = t.span();
    let str_field = |k: &str| -> Result<Option<String>, FieldError> {
        match t.get(k) {
            None => Ok(None),
            Some(item) => item.as_str().map(|s| Some(s.to_owned())).ok_or(FieldError {
                span: item.span().or_else(|| t.key(k).and_then(|key| key.span())),
                message: format!("\"{k}\" must be a string"),
            }),
        }
    };
    let required = |k: &str| -> Result<String, FieldError> {
        str_field(k)?.ok_or_else(|| FieldError {
            span: table_span.clone(),
            message: format!("this [[profile]] has no \"{k}\""),
        })
    };
    let name = required("name")?;
    let flow = parse_flow(t, &str_field)?;
    // The Salesforce CLI knows the org's instance and app: neither is needed for its flow.
    let (endpoint, client_id) = if flow.uses_client_id() {
        (required("endpoint")?, required("client_id")?)
    } else {
        (
            str_field("endpoint")?.unwrap_or_default(),
            str_field("client_id")?.unwrap_or_default(),
        )
    };
    let secret = match t.get("secret") {
        None if flow == Flow::ClientCredentials => SecretSource::Prompt,
        None => SecretSource::None,
        Some(item) => match item.as_table_like() {
            Some(st) => parse_secret_table(st).map_err(|mut e| {
                e.span = e.span.or_else(|| item.span());
                e
            })?,
            None => {
                return Err(FieldError {
                    span: item.span(),
                    message: "\"secret\" must be a table like { source = \"prompt\" }".to_owned(),
                });
            }
        },
    };
    let auth_style = match str_field("auth_style")?.as_deref() {
        None | Some("body") => AuthStyle::Body,
        Some("basic") => AuthStyle::Basic,
        Some(other) => {
            return Err(FieldError {
                span: t.get("auth_style").and_then(Item::span),
                message: format!("unknown auth_style \"{other}\" (expected \"body\" or \"basic\")"),
            });
        }
    };
    let api_version = str_field("api_version")?;
    let ca_file = str_field("ca_file")?.map(PathBuf::from);
    let renew_margin_secs = match t.get("renew_margin_secs") {
        None => None,
        Some(item) => Some(
            item.as_integer()
                .and_then(|i| u64::try_from(i).ok())
                .ok_or(FieldError {
                    span: item.span(),
                    message: "\"renew_margin_secs\" must be a whole number of seconds (0 or more)"
                        .to_owned(),
                })?,
        ),
    };
    Ok(Profile {
        name,
        endpoint,
        client_id,
        secret,
        auth_style,
        api_version,
        ca_file,
        renew_margin_secs,
        flow,
    })
}

/// The `flow` key and the keys of that flow.
fn parse_flow(
    t: &Table,
    str_field: &dyn Fn(&str) -> Result<Option<String>, FieldError>,
) -> Result<Flow, FieldError> {
    let flow_span = || t.get("flow").and_then(Item::span);
    let needs = |k: &str, flow: &str| -> Result<String, FieldError> {
        str_field(k)?.ok_or_else(|| FieldError {
            span: flow_span(),
            message: format!("a profile with flow = \"{flow}\" needs \"{k}\""),
        })
    };
    match str_field("flow")?.as_deref() {
        None | Some("client_credentials") => Ok(Flow::ClientCredentials),
        Some("web") => {
            let callback_port = match t.get("callback_port") {
                None => None,
                Some(item) => Some(
                    item.as_integer()
                        .and_then(|i| u16::try_from(i).ok())
                        .filter(|&p| p > 0)
                        .ok_or(FieldError {
                            span: item.span(),
                            message: "\"callback_port\" must be a port number (1 to 65535)"
                                .to_owned(),
                        })?,
                ),
            };
            Ok(Flow::Web { callback_port })
        }
        Some("jwt") => Ok(Flow::Jwt {
            username: needs("username", "jwt")?,
            key_file: PathBuf::from(needs("key_file", "jwt")?),
            audience: str_field("audience")?,
        }),
        Some("sf") => Ok(Flow::SfCli {
            org: needs("sf_org", "sf")?,
        }),
        Some(other) => Err(FieldError {
            span: flow_span(),
            message: format!(
                "unknown flow \"{other}\" (expected \"client_credentials\", \"web\", \"jwt\" \
                 or \"sf\")"
            ),
        }),
    }
}

/// The profiles in file order and the name of the one marked `default = true`, if any.
pub(super) fn parse_profiles(
    path: &Path,
    text: &str,
    root: &Table,
) -> Result<(Vec<Profile>, Option<String>), ConfigError> {
    let Some(item) = root.get(PROFILE_KEY) else {
        return Ok((Vec::new(), None));
    };
    let Some(tables) = item.as_array_of_tables() else {
        let span = item
            .span()
            .or_else(|| root.key(PROFILE_KEY).and_then(|k| k.span()));
        return Err(ConfigError::invalid(
            path,
            text,
            span,
            "\"profile\" must be a list of [[profile]] tables",
        ));
    };
    let mut profiles: Vec<Profile> = Vec::new();
    let mut default: Option<String> = None;
    for t in tables.iter() {
        let p = parse_profile(t).map_err(|e| {
            ConfigError::invalid(path, text, e.span.or_else(|| t.span()), e.message)
        })?;
        if profiles.iter().any(|q| q.name == p.name) {
            let span = t.get("name").and_then(Item::span).or_else(|| t.span());
            return Err(ConfigError::invalid(
                path,
                text,
                span,
                format!(
                    "a second profile is named \"{}\"; names must be unique",
                    p.name
                ),
            ));
        }
        if is_default(t).map_err(|e| ConfigError::invalid(path, text, e.span, e.message))? {
            if let Some(first) = &default {
                let span = t.get(DEFAULT_KEY).and_then(Item::span);
                return Err(ConfigError::invalid(
                    path,
                    text,
                    span,
                    format!(
                        "\"{}\" is marked default = true, but \"{first}\" already is; only one \
                         profile can be the default",
                        p.name
                    ),
                ));
            }
            default = Some(p.name.clone());
        }
        profiles.push(p);
    }
    Ok((profiles, default))
}

/// Whether the table says `default = true` (a missing key is `false`; anything but a boolean
/// is an error).
fn is_default(t: &Table) -> Result<bool, FieldError> {
    match t.get(DEFAULT_KEY) {
        None => Ok(false),
        Some(item) => item.as_bool().ok_or(FieldError {
            span: item.span(),
            message: "\"default\" must be true or false".to_owned(),
        }),
    }
}
