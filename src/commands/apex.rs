//! `sfterm apex rest|soap`: call an Apex REST resource or an Apex SOAP web service.
//!
//! * `apex rest METHOD PATH [--body JSON|@file] [--header K:V]... [--json]`: PATH is relative
//!   to `/services/apexrest/`; the status line goes to stderr, the (pretty) body to stdout;
//!   HTTP >= 400 exits 1 with the Apex error in plain words.
//! * `apex soap CLASS OPERATION [--arg name=value]... [--wsdl FILE] [--skeleton] [--json]`:
//!   the WSDL comes from the file or from the org (`/services/wsdl/class/CLASS`); the
//!   envelope's SessionHeader carries the live token; on an `INVALID_SESSION_ID` fault the
//!   token is renewed once and the call retried once. Prints the result values, or the
//!   faultcode and faultstring with exit 1.

use std::io::Write;

use bytes::Bytes;
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::{CommandError, Context};
use crate::requests::request::{RequestKind, ResolvedRequest};
use crate::requests::soap::{Element, Fault, SoapResponse, Wsdl, flatten, parse_response};
use crate::sf::SfClient;

/// The `apex` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ApexCommand {
    /// Call an Apex REST resource: METHOD PATH (relative to /services/apexrest/). Status on
    /// stderr, body on stdout; exit 1 on HTTP >= 400.
    #[command(after_help = super::EXIT_CODES_HELP)]
    Rest(RestArgs),
    /// Call an operation of an Apex SOAP web service class (SessionHeader from the live
    /// token). Prints the result values; a fault exits 1.
    #[command(after_help = super::EXIT_CODES_HELP)]
    Soap(SoapArgs),
}

/// Arguments of `apex rest`.
#[derive(Debug, Clone, clap::Args)]
pub struct RestArgs {
    /// HTTP method: GET, POST, PUT, PATCH, DELETE or HEAD.
    pub method: String,
    /// Path after /services/apexrest/, with an optional query string
    /// (e.g. `CustomerRESTWS/001...` or `CustomerRESTWS?name=acme`).
    pub path: String,
    /// Request body: JSON text, or @FILE to read it from a file.
    #[arg(long, value_name = "JSON|@FILE")]
    pub body: Option<String>,
    /// Extra request header (repeatable), e.g. `--header Accept:application/json`.
    #[arg(long = "header", value_name = "K:V")]
    pub headers: Vec<String>,
    /// Print `{"status": N, "body": ...}` as one JSON object instead of the pretty body.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `apex soap`.
#[derive(Debug, Clone, clap::Args)]
pub struct SoapArgs {
    /// The Apex class (`CustomerWS`, or `ns/Class` for a managed package).
    pub class: String,
    /// The operation (a `webservice static` method), e.g. getCustomer.
    pub operation: String,
    /// A parameter value (repeatable): `name=value`; members of complex parameters as
    /// `customer.name=Acme`, repeated members as `customer.contacts[0].lastName=Doe`.
    #[arg(long = "arg", value_name = "NAME=VALUE")]
    pub args: Vec<String>,
    /// Read the WSDL from this file instead of fetching it from the org.
    #[arg(long, value_name = "FILE")]
    pub wsdl: Option<std::path::PathBuf>,
    /// Only print the operation's request envelope with typed placeholders; send nothing.
    #[arg(long)]
    pub skeleton: bool,
    /// Print the results (or the fault) as JSON.
    #[arg(long)]
    pub json: bool,
}

pub(crate) async fn run(cmd: ApexCommand, ctx: &mut Context) -> Result<(), CommandError> {
    match cmd {
        ApexCommand::Rest(args) => rest(args, ctx).await,
        ApexCommand::Soap(args) => soap(args, ctx).await,
    }
}

/// `/services/apexrest/{path}` from what the user typed (a leading `/` or the full
/// `/services/apexrest/` prefix are accepted).
pub fn apex_rest_path(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    let trimmed = trimmed
        .strip_prefix("services/apexrest/")
        .unwrap_or(trimmed);
    format!("/services/apexrest/{trimmed}")
}

/// Reads `--body`: `@file` or the text itself.
fn read_body(body: &str) -> Result<Bytes, CommandError> {
    match body.strip_prefix('@') {
        Some(file) => std::fs::read(file)
            .map(Bytes::from)
            .map_err(|e| CommandError::usage(format!("cannot read the body file {file:?}: {e}"))),
        None => Ok(Bytes::from(body.to_owned())),
    }
}

fn parse_header(arg: &str) -> Result<(String, String), CommandError> {
    match arg.split_once(':') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
        _ => Err(CommandError::usage(format!(
            "\"{arg}\" is not a header; use K:V, e.g. Accept:application/json"
        ))),
    }
}

/// The Apex error of an error body in plain words: `errorCode: message` lines, or the text.
pub fn apex_error_text(body: &[u8]) -> String {
    if let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(body) {
        let lines: Vec<String> = items
            .iter()
            .filter_map(|item| {
                let code = item.get("errorCode").and_then(Value::as_str)?;
                let message = item.get("message").and_then(Value::as_str).unwrap_or("");
                Some(format!("{code}: {message}"))
            })
            .collect();
        if !lines.is_empty() {
            return lines.join("\n");
        }
    }
    let text = String::from_utf8_lossy(body);
    if text.trim().is_empty() {
        "(empty body)".to_owned()
    } else {
        text.trim().to_owned()
    }
}

fn explain(code: &str) -> &'static str {
    match code {
        "NOT_FOUND" => {
            "No Apex class maps this URL: check the path (it is case-sensitive and a \
                        managed package's classes need the namespace prefix)."
        }
        "APEX_ERROR" => "The Apex code threw an exception (type, message and stack below).",
        "JSON_PARSER_ERROR" => {
            "The body does not match the method's parameters: the JSON must \
                                be an object whose keys are the parameter names."
        }
        "METHOD_NOT_ALLOWED" => "The class has no handler for this HTTP method.",
        _ => "The Apex REST call failed.",
    }
}

async fn rest(args: RestArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let method = Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .ok()
        .filter(|m| {
            [
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
                Method::HEAD,
            ]
            .contains(m)
        })
        .ok_or_else(|| {
            CommandError::usage(format!(
                "{:?} is not an HTTP method Apex REST serves (GET, POST, PUT, PATCH, DELETE, HEAD)",
                args.method
            ))
        })?;
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    let body = args.body.as_deref().map(read_body).transpose()?;
    let path = apex_rest_path(&args.path);
    let (_, client) = super::connect(ctx).await?;
    let response = client
        .send_raw(method.clone(), &path, headers, body)
        .await
        .map_err(|e| CommandError::api(&e))?;
    let status = response.status;
    eprintln!(
        "HTTP {} {} ({} ms) {method} {path}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        response.elapsed.as_millis()
    );
    let parsed: Option<Value> = serde_json::from_slice(&response.body).ok();
    if args.json {
        let body = parsed
            .clone()
            .unwrap_or_else(|| json!(String::from_utf8_lossy(&response.body)));
        writeln!(
            ctx.stdout,
            "{}",
            json!({"status": status.as_u16(), "body": body})
        )?;
    } else if let Some(value) = &parsed {
        let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
        writeln!(ctx.stdout, "{pretty}")?;
    } else if !response.body.is_empty() {
        let text = String::from_utf8_lossy(&response.body);
        writeln!(ctx.stdout, "{}", text.trim_end())?;
    }
    if status.as_u16() >= 400 {
        let code = parsed
            .as_ref()
            .and_then(|v| v.get(0))
            .and_then(|e| e.get("errorCode"))
            .and_then(Value::as_str)
            .unwrap_or("");
        return Err(CommandError::failure(format!(
            "Apex REST answered HTTP {}. {}\n{}",
            status.as_u16(),
            explain(code),
            apex_error_text(&response.body)
        )));
    }
    Ok(())
}

fn check_class(class: &str) -> Result<(), CommandError> {
    let ok = !class.is_empty()
        && class.split('/').count() <= 2
        && class
            .split('/')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    if ok {
        Ok(())
    } else {
        Err(CommandError::usage(format!(
            "{class:?} is not an Apex class name (letters, digits, _; ns/Class for a namespace)"
        )))
    }
}

/// Parses `--arg name=value`.
pub fn parse_arg(arg: &str) -> Result<(String, String), CommandError> {
    match arg.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(CommandError::usage(format!(
            "\"{arg}\" is not name=value (e.g. --arg accountId=001...)"
        ))),
    }
}

/// Fetches and parses the class's WSDL from the org (`/services/wsdl/class/{class}`).
pub async fn fetch_wsdl(client: &SfClient, class: &str) -> Result<Wsdl, CommandError> {
    let response = client
        .send_raw(
            Method::GET,
            &format!("/services/wsdl/class/{class}"),
            vec![],
            None,
        )
        .await
        .map_err(|e| CommandError::api(&e))?;
    let hint = "Download it from Setup > Apex Classes > (class) > Generate WSDL and pass \
                --wsdl FILE.";
    if !response.status.is_success() {
        return Err(CommandError::failure(format!(
            "Could not fetch the WSDL of {class}: HTTP {}. {hint}",
            response.status.as_u16()
        )));
    }
    Wsdl::parse(&String::from_utf8_lossy(&response.body)).map_err(|e| {
        CommandError::failure(format!(
            "The org's WSDL of {class} is unusable: {e}. {hint}"
        ))
    })
}

/// Builds the envelope for `operation` with the live token and posts it to
/// `/services/Soap/class/{class}`. On an `INVALID_SESSION_ID` fault the token is renewed once
/// and the call retried once. A fault is returned as [`SoapResponse::Fault`], not an error.
pub async fn soap_call(
    client: &SfClient,
    wsdl: &Wsdl,
    class: &str,
    operation: &str,
    args: &[(String, String)],
) -> Result<SoapResponse, CommandError> {
    // The session is filled in at send time (and again after a renewal) by `run::send`.
    let envelope = wsdl
        .build_request(operation, args, "")
        .map_err(|e| CommandError::usage(e.to_string()))?;
    let request = ResolvedRequest {
        method: "POST".into(),
        path: format!("/services/Soap/class/{class}"),
        headers: Vec::new(),
        body: Some(envelope),
        kind: RequestKind::Soap,
    };
    let response = super::run::send(client, &request).await?;
    parse_response(&String::from_utf8_lossy(&response.body)).map_err(|e| {
        CommandError::failure(format!(
            "The SOAP endpoint answered HTTP {} without a usable envelope: {e}",
            response.status.as_u16()
        ))
    })
}

/// A result element as JSON: leaves are strings (`xsi:nil` → null), repeated members arrays.
pub fn element_to_json(element: &Element) -> Value {
    if element.is_nil() {
        return Value::Null;
    }
    if element.children.is_empty() {
        return json!(element.text);
    }
    let mut out = Map::new();
    for child in &element.children {
        let name = child.local_name();
        if out.contains_key(name) {
            continue;
        }
        let all: Vec<Value> = element.children_named(name).map(element_to_json).collect();
        let value = if all.len() == 1 {
            all.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::Array(all)
        };
        out.insert(name.to_owned(), value);
    }
    Value::Object(out)
}

fn fault_error(fault: &Fault) -> CommandError {
    let hint = match fault.code_local() {
        "INVALID_SESSION_ID" => "\nThe session stayed invalid after renewing the token once.",
        "Client" => "\nThe Apex method threw an exception or the request did not match the WSDL.",
        _ => "",
    };
    CommandError::failure(format!(
        "SOAP fault {}: {}{hint}",
        fault.code, fault.message
    ))
}

async fn soap(args: SoapArgs, ctx: &mut Context) -> Result<(), CommandError> {
    check_class(&args.class)?;
    let pairs = args
        .args
        .iter()
        .map(|a| parse_arg(a))
        .collect::<Result<Vec<_>, _>>()?;
    let file_wsdl = match &args.wsdl {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                CommandError::usage(format!("cannot read the WSDL {}: {e}", path.display()))
            })?;
            Some(
                Wsdl::parse(&text)
                    .map_err(|e| CommandError::usage(format!("{}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    if args.skeleton
        && let Some(wsdl) = &file_wsdl
    {
        let skeleton = wsdl
            .skeleton(&args.operation)
            .map_err(|e| CommandError::usage(e.to_string()))?;
        write!(ctx.stdout, "{skeleton}")?;
        return Ok(());
    }
    let (_, client) = super::connect(ctx).await?;
    let wsdl = match file_wsdl {
        Some(w) => w,
        None => fetch_wsdl(&client, &args.class).await?,
    };
    if args.skeleton {
        let skeleton = wsdl
            .skeleton(&args.operation)
            .map_err(|e| CommandError::usage(e.to_string()))?;
        write!(ctx.stdout, "{skeleton}")?;
        return Ok(());
    }
    // check names before sending anything
    wsdl.build_request(&args.operation, &pairs, "")
        .map_err(|e| CommandError::usage(e.to_string()))?;
    match soap_call(&client, &wsdl, &args.class, &args.operation, &pairs).await? {
        SoapResponse::Result { results, .. } => {
            if args.json {
                let values: Vec<Value> = results.iter().map(element_to_json).collect();
                let repeated = wsdl
                    .operation(&args.operation)
                    .ok()
                    .and_then(|o| o.result.as_ref())
                    .is_some_and(|r| r.repeated());
                let result = match (repeated, values.len()) {
                    (true, _) => Value::Array(values),
                    (false, 0) => Value::Null,
                    (false, _) => values.into_iter().next().unwrap_or(Value::Null),
                };
                writeln!(ctx.stdout, "{}", json!({"result": result}))?;
            } else {
                for (path, value) in flatten(&results) {
                    writeln!(ctx.stdout, "{path}: {value}")?;
                }
            }
            Ok(())
        }
        SoapResponse::Fault(fault) => {
            if args.json {
                writeln!(
                    ctx.stdout,
                    "{}",
                    json!({"fault": {"code": fault.code, "message": fault.message}})
                )?;
            }
            Err(fault_error(&fault))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_args_and_errors() {
        assert_eq!(
            apex_rest_path("/Customer/1"),
            "/services/apexrest/Customer/1"
        );
        assert_eq!(
            apex_rest_path("services/apexrest/x?name=a"),
            "/services/apexrest/x?name=a"
        );
        assert_eq!(
            parse_arg("customer.name=A=B").expect("arg"),
            ("customer.name".to_owned(), "A=B".to_owned())
        );
        assert!(parse_arg("=x").is_err());
        assert!(parse_header("Accept:text/xml").is_ok());
        assert!(parse_header("nocolon").is_err());
        assert!(check_class("ns/Class_1").is_ok());
        assert!(check_class("a/b/c").is_err());
        assert!(check_class("../x").is_err());
        assert_eq!(
            apex_error_text(br#"[{"errorCode":"APEX_ERROR","message":"System.X: y"}]"#),
            "APEX_ERROR: System.X: y"
        );
        assert_eq!(apex_error_text(b"plain"), "plain");
    }
}
