//! Background work of the Composer and History tabs: the request store, sending (with history),
//! WSDLs, Postman import, curl export, saving and copying bodies. Runs on the runtime's tasks;
//! the results come back as [`ComposerOutcome`]s.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use secrecy::ExposeSecret;

use super::Context;
use super::local::expand_home;
use crate::config::paths::RESPONSES_DIR;
use crate::config::profiles::SecretSource;
use crate::private_fs::{self, FileError};
use crate::requests::body::{self, BodyKind, BodyText};
use crate::requests::curl::to_curl;
use crate::requests::history::{History, HistoryEntry};
use crate::requests::postman::{import_collection, import_environment};
use crate::requests::request::{SavedRequest, Variables};
use crate::requests::send::{SendError, send_spilling};
use crate::requests::soap::{self, Wsdl};
use crate::requests::store::RequestStore;
use crate::sf::{RawResponse, SfClient, Spill};
use crate::state::composer::job::{
    CollectionImported, ComposerJob, ComposerOutcome, ResponseView, WsdlSource,
};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes a response body to `path` (0600 when new; a file the user already has keeps its
/// mode): a copy of the file it was spilled to (`from`), else `text`.
fn save_body(path: &Path, from: Option<PathBuf>, text: &str) -> Result<(), String> {
    match from {
        Some(src) => {
            let mut input = std::fs::File::open(&src)
                .map_err(|e| format!("cannot read {}: {e}", src.display()))?;
            let mut out = create_in_dir(path).map_err(|e| e.to_string())?;
            std::io::copy(&mut input, &mut out)
                .map(drop)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => save_body_bytes(path, text.as_bytes()),
    }
}

fn save_body_bytes(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    let mut out = create_in_dir(path).map_err(|e| e.to_string())?;
    out.write_all(bytes)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Creates `path` (0600 when new) and its folder (0700) when missing.
fn create_in_dir(path: &Path) -> Result<std::fs::File, FileError> {
    private_fs::create_parent_dir(path).and_then(|()| private_fs::create(path))
}

/// Runs one job.
pub async fn run(ctx: &Context, job: ComposerJob) -> ComposerOutcome {
    let data_dir = ctx.data_dir();
    let store = RequestStore::new(&data_dir);
    match job {
        ComposerJob::List { profile } => {
            let listing = store.list();
            let mut errors: Vec<String> = listing.errors.iter().map(ToString::to_string).collect();
            let variables = match profile {
                Some(p) => store.variables(&p).unwrap_or_else(|e| {
                    errors.push(e.to_string());
                    Variables::new()
                }),
                None => Variables::new(),
            };
            ComposerOutcome::Listed {
                requests: listing.requests.into_iter().map(|s| s.request).collect(),
                errors,
                variables,
            }
        }
        ComposerJob::Save {
            request,
            replaces,
            change,
        } => {
            let result = (|| {
                if let Some(old) = &replaces
                    && (old.name != request.name || old.folder != request.folder)
                {
                    store.delete(old).map_err(|e| e.to_string())?;
                }
                store.save(&request).map_err(|e| e.to_string())?;
                Ok(request)
            })();
            ComposerOutcome::Saved { result, change }
        }
        ComposerJob::Delete { request, change } => ComposerOutcome::Deleted {
            result: store
                .delete(&request)
                .map(|()| request)
                .map_err(|e| e.to_string()),
            change,
        },
        ComposerJob::Send { request } => {
            let (result, entry) = send_job(ctx, &store, request, None).await;
            ComposerOutcome::Sent {
                result: result.map(Box::new),
                entry: entry.map(Box::new),
            }
        }
        ComposerJob::LoadWsdl(source) => ComposerOutcome::Wsdl(load_wsdl(ctx, source).await),
        ComposerJob::ImportCollection(path) => {
            ComposerOutcome::Imported(import_postman(&store, &expand_home(path)))
        }
        ComposerJob::ImportEnvironment(path) => ComposerOutcome::EnvImported({
            let path = expand_home(path);
            std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|text| {
                    let name = serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| v.get("name")?.as_str().map(str::to_string))
                        .unwrap_or_else(|| "Postman".into());
                    import_environment(&text, &name, SecretSource::Prompt)
                        .map_err(|e| format!("{}: {e}", path.display()))
                })
                .map(Box::new)
        }),
        ComposerJob::SaveBody { path, text, from } => {
            // A relative path is in the data directory (the default is `responses/body.txt`).
            let path = expand_home(path);
            let path = if path.is_relative() {
                data_dir.join(path)
            } else {
                path
            };
            let saved = path.clone();
            let result = tokio::task::spawn_blocking(move || save_body(&saved, from, &text))
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
            ComposerOutcome::BodySaved(result.map(|()| path))
        }
        ComposerJob::ListDir { dir, in_data_dir } => {
            let base = if in_data_dir {
                data_dir.as_path()
            } else {
                Path::new("")
            };
            let entries = super::local::list_dir(&dir, base);
            ComposerOutcome::DirListed { dir, entries }
        }
        ComposerJob::Curl { request, reveal } => {
            ComposerOutcome::Curl(curl(ctx, &store, &request, reveal).await)
        }
        ComposerJob::SetVariable {
            profile,
            name,
            value,
        } => ComposerOutcome::VariableSet(
            store
                .set_variable(&profile, &name, &value)
                .and_then(|()| store.variables(&profile))
                .map_err(|e| e.to_string()),
        ),
    }
}

/// The variables of a send: the session's, then the profile's own.
async fn variables(
    client: &SfClient,
    profile: &str,
    store: &RequestStore,
) -> Result<Variables, String> {
    let token = client.token().ok_or("not connected")?;
    let version = client.api_version().await.map_err(|e| e.to_string())?;
    let mut vars = Variables::from_session(&token, version);
    let user = store
        .variables(profile)
        .map_err(|e| format!("cannot read the profile's variables: {e}"))?;
    vars.extend(&user);
    Ok(vars)
}

/// Resolves and sends `request` with the connected client or a new one of `other`, and
/// records it in the history.
pub(super) async fn send_job(
    ctx: &Context,
    store: &RequestStore,
    request: SavedRequest,
    other: Option<Box<crate::config::profiles::Profile>>,
) -> (Result<ResponseView, String>, Option<HistoryEntry>) {
    let (profile, client) = match other {
        Some(p) => match super::session::connect(ctx, *p.clone(), None).await {
            Ok(connected) => (p.name.clone(), connected.client),
            Err(d) => return (Err(format!("{}: {}", d.title, d.meaning)), None),
        },
        None => match ctx.client() {
            Some(connected) => connected,
            None => {
                return (
                    Err("Not connected: pick a profile and press enter.".into()),
                    None,
                );
            }
        },
    };
    let vars = match variables(&client, &profile, store).await {
        Ok(v) => v,
        Err(e) => return (Err(e), None),
    };
    let mut request = request;
    if request.kind == crate::requests::request::RequestKind::Soap {
        request.body = request.body.as_deref().map(strip_placeholders);
    }
    let resolved = match request.resolve(&vars) {
        Ok(r) => r,
        Err(e) => return (Err(e.to_string()), None),
    };
    let spill = Spill {
        threshold: body::LARGE_BODY,
        keep: body::PREVIEW_BYTES,
        path: ctx.data_dir().join(RESPONSES_DIR).join(format!(
            "response-{}.body",
            jiff::Timestamp::now().as_millisecond()
        )),
        create: |path| create_in_dir(path).map_err(|e| e.source),
        written: Arc::new(AtomicU64::new(0)),
    };
    let sent = match send_spilling(&client, &resolved, Some(&spill)).await {
        Ok(sent) => sent,
        Err(SendError::Api(e)) => {
            let d = e.diagnosis();
            return (Err(format!("{}: {}", d.title, d.meaning.trim())), None);
        }
        Err(e) => return (Err(e.to_string()), None),
    };
    let token = client
        .token()
        .map(|t| t.access_token.expose_secret().to_string())
        .unwrap_or_default();
    let instance = vars.get("instance_url").unwrap_or_default().to_string();
    let spilled = match spill.written.load(Ordering::SeqCst) {
        0 => None,
        size => Some((spill.path.clone(), size)),
    };
    let mut entry = HistoryEntry::record(
        jiff::Timestamp::now(),
        &profile,
        Some(&request),
        &resolved,
        &instance,
        &token,
        &sent.response,
    );
    if let Some((_, size)) = &spilled {
        entry.size = *size;
        entry.truncated = true;
    }
    if let Err(e) = History::new(&ctx.data_dir()).append(&entry) {
        tracing::warn!(error = %e, "the request was not added to the history");
    }
    let view = response_view(
        &sent.response,
        &ctx.data_dir(),
        sent.renewed_after_fault,
        spilled,
    )
    .await;
    (view, Some(entry))
}

/// Formats a response for display. A body the client already wrote to a file while it
/// downloaded (`spilled`: the file and the full size) is previewed from its first bytes; a
/// body over [`body::LARGE_BODY`] held in memory is written to `<data_dir>/responses/`; either
/// way only the first [`body::PREVIEW_BYTES`] are formatted.
pub async fn response_view(
    resp: &RawResponse,
    data_dir: &Path,
    renewed: bool,
    spilled: Option<(PathBuf, u64)>,
) -> Result<ResponseView, String> {
    let kind = body::kind_of(resp.content_type(), &resp.body);
    let large = spilled.is_some() || resp.body.len() > body::LARGE_BODY;
    let size = spilled
        .as_ref()
        .map_or(resp.body.len() as u64, |(_, size)| *size);
    let (file, text) = if let Some((path, _)) = spilled {
        let named = path.with_extension(match kind {
            BodyKind::Json => "json",
            BodyKind::Xml => "xml",
            BodyKind::Text => "txt",
        });
        let path = match tokio::fs::rename(&path, &named).await {
            Ok(()) => named,
            Err(_) => path,
        };
        let cut = resp.body.len().min(body::PREVIEW_BYTES);
        (
            Some(path),
            String::from_utf8_lossy(&resp.body[..cut]).into_owned(),
        )
    } else if large {
        let name = format!(
            "response-{}.{}",
            jiff::Timestamp::now().as_millisecond(),
            match kind {
                BodyKind::Json => "json",
                BodyKind::Xml => "xml",
                BodyKind::Text => "txt",
            }
        );
        let path = data_dir.join(RESPONSES_DIR).join(name);
        let written = path.clone();
        let bytes = resp.body.clone();
        tokio::task::spawn_blocking(move || save_body_bytes(&written, &bytes))
            .await
            .unwrap_or_else(|e| Err(e.to_string()))?;
        let cut = String::from_utf8_lossy(&resp.body[..body::PREVIEW_BYTES]).into_owned();
        (Some(path), cut)
    } else {
        (None, String::from_utf8_lossy(&resp.body).into_owned())
    };
    let fault = match kind {
        BodyKind::Xml if !large => match soap::parse_response(&text) {
            Ok(soap::SoapResponse::Fault(f)) => Some(f),
            _ => None,
        },
        _ => None,
    };
    // Pretty printing a preview is linear and bounded; XML previews are shown as they are.
    let lines = if large && kind == BodyKind::Xml {
        BodyText::from_lines(kind, text.lines().map(str::to_string).collect())
    } else {
        BodyText::new(kind, &text)
    };
    Ok(ResponseView {
        status: resp.status.as_u16(),
        reason: resp.status.canonical_reason().unwrap_or("").to_string(),
        elapsed: resp.elapsed,
        size,
        headers: resp
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: lines,
        raw: if large { String::new() } else { text },
        file,
        fault,
        renewed,
    })
}

async fn load_wsdl(ctx: &Context, source: WsdlSource) -> Result<(String, Box<Wsdl>), String> {
    let (name, text) = match source {
        WsdlSource::File(path) => {
            let text = tokio::fs::read_to_string(expand_home(path.clone()))
                .await
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            (path.display().to_string(), text)
        }
        WsdlSource::Org(class) => {
            let (_, client) = ctx
                .client()
                .ok_or("Not connected: pick a profile and press enter.")?;
            let path = format!("/services/wsdl/class/{}", class.trim());
            let resp = client
                .send_raw(reqwest::Method::GET, &path, Vec::new(), None)
                .await
                .map_err(|e| e.to_string())?;
            if !resp.status.is_success() {
                return Err(format!(
                    "GET {path}: HTTP {} {}",
                    resp.status.as_u16(),
                    String::from_utf8_lossy(&resp.body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ));
            }
            (class, String::from_utf8_lossy(&resp.body).into_owned())
        }
    };
    let wsdl = Wsdl::parse(&text).map_err(|e| format!("{name}: {e}"))?;
    Ok((name, Box::new(wsdl)))
}

fn import_postman(store: &RequestStore, path: &Path) -> Result<CollectionImported, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let first = import_collection(&text, &[]).map_err(|e| format!("{}: {e}", path.display()))?;
    let folder = first.name.clone();
    let imported = import_collection(&text, std::slice::from_ref(&folder))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    for r in &imported.requests {
        store.save(r).map_err(|e| e.to_string())?;
    }
    Ok(CollectionImported {
        folder,
        count: imported.requests.len(),
        report: if imported.report.is_empty() {
            String::new()
        } else {
            imported.report.to_string()
        },
        variables: imported
            .variables
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    })
}

async fn curl(
    ctx: &Context,
    store: &RequestStore,
    request: &SavedRequest,
    reveal: bool,
) -> Result<String, String> {
    let (profile, client) = ctx
        .client()
        .ok_or("Not connected: curl export needs the instance URL and API version.")?;
    let vars = variables(&client, &profile, store).await?;
    let resolved = request.resolve(&vars).map_err(|e| e.to_string())?;
    let token = client
        .token()
        .map(|t| t.access_token.expose_secret().to_string())
        .unwrap_or_default();
    let instance = vars.get("instance_url").unwrap_or_default();
    let shown = to_curl(&resolved, instance, &token, false);
    let copied = to_curl(&resolved, instance, &token, reveal);
    ctx.copy(&copied).map_err(|e| format!("cannot copy: {e}"))?;
    Ok(shown)
}

/// Drops the elements of a generated SOAP skeleton that still hold their typed placeholder
/// (`<tns:phone>?string?</tns:phone>`), then container elements left empty, so a user fills
/// only the fields they need. One element per line, as the skeleton is written.
pub fn strip_placeholders(xml: &str) -> String {
    let is_placeholder = |line: &str| {
        let t = line.trim();
        let Some(open_end) = t.find('>') else {
            return false;
        };
        let inner = &t[open_end + 1..];
        let Some(close) = inner.find("</") else {
            return false;
        };
        let text = &inner[..close];
        text.len() > 2
            && text.starts_with('?')
            && text.ends_with('?')
            && !t.contains("sessionId")
            && text[1..text.len() - 1]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '_')
    };
    let mut lines: Vec<&str> = xml.lines().filter(|l| !is_placeholder(l)).collect();
    loop {
        let empty = lines.windows(2).position(|w| {
            let (open, close) = (w[0].trim(), w[1].trim());
            open.starts_with('<')
                && !open.starts_with("</")
                && !open.ends_with("/>")
                && close.starts_with("</")
                && open[1..].split(['>', ' ']).next() == Some(close[2..].trim_end_matches('>'))
        });
        match empty {
            Some(at) => {
                lines.drain(at..at + 2);
            }
            None => break,
        }
    }
    let mut out = lines.join("\n");
    if xml.ends_with('\n') {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfilled_placeholders_and_empty_containers_are_dropped() {
        let xml = "<tns:createCustomer>\n  <tns:customer>\n    <tns:accountId>?ID?</tns:accountId>\n    <tns:contacts>\n      <tns:email>?string?</tns:email>\n    </tns:contacts>\n    <tns:name>Globex</tns:name>\n  </tns:customer>\n</tns:createCustomer>";
        assert_eq!(
            strip_placeholders(xml),
            "<tns:createCustomer>\n  <tns:customer>\n    <tns:name>Globex</tns:name>\n  </tns:customer>\n</tns:createCustomer>"
        );
        let session = "<tns:sessionId>?sessionId?</tns:sessionId>";
        assert_eq!(strip_placeholders(session), session);
    }
}
