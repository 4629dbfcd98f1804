//! The history of sent requests: an append-only JSON Lines file (`<data dir>/history.jsonl`),
//! one [`HistoryEntry`] per line, with the token redacted. Loaded newest first, filtered;
//! any entry can be turned back into a [`SavedRequest`] to replay it.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::curl::full_url;
use super::request::{Pair, RequestKind, ResolvedRequest, SFDC_SESSION_HEADER, SavedRequest};
use crate::config::ConfigError;
use crate::sf::RawResponse;

pub use crate::config::paths::HISTORY_FILE;
/// What stands in for the access token in the history.
pub const REDACTED: &str = "REDACTED";
/// How much of a response body is kept.
pub const PREVIEW_BYTES: usize = 4096;

/// One sent request and its response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When it was sent.
    pub time: Timestamp,
    /// The profile it was sent with.
    pub profile: String,
    /// The saved request's name, if it came from one.
    #[serde(default)]
    pub name: Option<String>,
    /// The saved request's folder.
    #[serde(default)]
    pub folder: Vec<String>,
    /// REST or SOAP.
    pub kind: RequestKind,
    /// HTTP method.
    pub method: String,
    /// The instance URL it was sent to.
    pub instance_url: String,
    /// The full URL.
    pub url: String,
    /// The headers sent, the token replaced by [`REDACTED`].
    pub headers: Vec<(String, String)>,
    /// The body sent, the token replaced by [`REDACTED`].
    pub body: Option<String>,
    /// HTTP status.
    pub status: u16,
    /// Time to the full response, in whole milliseconds (kept for older readers of the file).
    pub elapsed_ms: u64,
    /// Time to the full response, in microseconds: a local org answers in less than a
    /// millisecond. Absent (0) in entries written before it was kept; see
    /// [`HistoryEntry::elapsed`].
    #[serde(default)]
    pub elapsed_us: u64,
    /// Response body size in bytes.
    pub size: u64,
    /// The response's content type.
    #[serde(default)]
    pub content_type: Option<String>,
    /// The first [`PREVIEW_BYTES`] of the response body (lossy UTF-8).
    pub preview: String,
    /// Whether the preview is shorter than the body.
    #[serde(default)]
    pub truncated: bool,
}

/// The first `max` bytes of `bytes` as text, cut on a character boundary.
fn preview_of(bytes: &[u8], max: usize) -> (String, bool) {
    if bytes.len() <= max {
        return (String::from_utf8_lossy(bytes).into_owned(), false);
    }
    let text = String::from_utf8_lossy(&bytes[..max]);
    // A character cut in half shows as U+FFFD at the end: drop it.
    let text = text.trim_end_matches('\u{FFFD}').to_string();
    (text, true)
}

fn scrub(text: &str, token: &str) -> String {
    if token.is_empty() {
        text.to_string()
    } else {
        text.replace(token, REDACTED)
    }
}

impl HistoryEntry {
    /// The entry for `sent` (the resolved request *before* the session was applied) and its
    /// response. The `Authorization` header is recorded as `Bearer REDACTED`, SOAP session ids
    /// and `X-SFDC-Session` as `REDACTED`, and any other occurrence of `token` is replaced too.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        time: Timestamp,
        profile: &str,
        saved: Option<&SavedRequest>,
        sent: &ResolvedRequest,
        instance_url: &str,
        token: &str,
        response: &RawResponse,
    ) -> HistoryEntry {
        let shown = sent.with_session(REDACTED);
        let mut headers = vec![("Authorization".to_string(), format!("Bearer {REDACTED}"))];
        headers.extend(
            shown
                .send_headers()
                .into_iter()
                .map(|(n, v)| (n, scrub(&v, token))),
        );
        let (preview, truncated) = preview_of(&response.body, PREVIEW_BYTES);
        HistoryEntry {
            time,
            profile: profile.to_string(),
            name: saved.map(|s| s.name.clone()),
            folder: saved.map(|s| s.folder.clone()).unwrap_or_default(),
            kind: sent.kind,
            method: sent.method.clone(),
            instance_url: instance_url.trim_end_matches('/').to_string(),
            url: scrub(&full_url(instance_url, &sent.path), token),
            headers,
            body: shown.body.as_deref().map(|b| scrub(b, token)),
            status: response.status.as_u16(),
            elapsed_ms: u64::try_from(response.elapsed.as_millis()).unwrap_or(u64::MAX),
            elapsed_us: u64::try_from(response.elapsed.as_micros()).unwrap_or(u64::MAX),
            size: response.body.len() as u64,
            content_type: response.content_type().map(str::to_string),
            preview: scrub(&preview, token),
            truncated,
        }
    }

    /// The time from sending the request to the end of the response body (an older entry's
    /// whole milliseconds when it has no microseconds).
    pub fn elapsed(&self) -> std::time::Duration {
        if self.elapsed_us > 0 {
            std::time::Duration::from_micros(self.elapsed_us)
        } else {
            std::time::Duration::from_millis(self.elapsed_ms)
        }
    }

    /// The status's reason phrase (`OK`, `Not Found`), empty for a status without one.
    pub fn reason(&self) -> &'static str {
        reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("")
    }

    /// The entry as a request to send again (against any profile): the path relative to the
    /// instance when the URL is on the recorded instance, the headers without `Authorization`;
    /// redacted session ids are filled in again at send time.
    pub fn replay(&self) -> SavedRequest {
        let path = self
            .url
            .strip_prefix(&self.instance_url)
            .filter(|p| p.starts_with('/'))
            .unwrap_or(&self.url)
            .to_string();
        let headers = self
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
            .map(|(n, v)| {
                if n.eq_ignore_ascii_case(SFDC_SESSION_HEADER) {
                    Pair::new(n.clone(), String::new())
                } else {
                    Pair::new(n.clone(), v.clone())
                }
            })
            .collect();
        SavedRequest {
            name: self
                .name
                .clone()
                .unwrap_or_else(|| format!("{} {}", self.method, path)),
            folder: self.folder.clone(),
            method: self.method.clone(),
            path,
            params: Vec::new(),
            headers,
            body: self.body.clone(),
            kind: self.kind,
            description: format!("Replayed from the history ({})", self.time),
        }
    }
}

/// Which entries [`History::load`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Case-insensitive text that the method, URL, request name or status must contain.
    pub text: Option<String>,
    /// Only this profile.
    pub profile: Option<String>,
    /// Only responses with status >= 400.
    pub failed_only: bool,
    /// At most this many (the newest).
    pub limit: Option<usize>,
}

impl HistoryFilter {
    /// Whether `entry` passes the filter.
    pub fn matches(&self, entry: &HistoryEntry) -> bool {
        if self.failed_only && entry.status < 400 {
            return false;
        }
        if self.profile.as_ref().is_some_and(|p| *p != entry.profile) {
            return false;
        }
        match &self.text {
            Some(t) => {
                let t = t.to_lowercase();
                [
                    entry.method.as_str(),
                    entry.url.as_str(),
                    entry.name.as_deref().unwrap_or(""),
                    &entry.status.to_string(),
                ]
                .iter()
                .any(|f| f.to_lowercase().contains(&t))
            }
            None => true,
        }
    }
}

/// The entries [`History::load`] found, newest first, and how many lines were unreadable.
#[derive(Debug, Default)]
pub struct HistoryLoad {
    /// Matching entries, newest first.
    pub entries: Vec<HistoryEntry>,
    /// Lines that were not valid entries (e.g. a line cut short by a crash); skipped.
    pub skipped_lines: usize,
}

/// The history file of a data dir.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    path: PathBuf,
}

impl History {
    /// The history in `<data_dir>/history.jsonl`.
    pub fn new(data_dir: &Path) -> History {
        History {
            path: data_dir.join(HISTORY_FILE),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry (one line, written in one call). A new file is 0600 (its directory
    /// 0700).
    pub fn append(&self, entry: &HistoryEntry) -> Result<(), ConfigError> {
        let mut line = serde_json::to_string(entry).map_err(|e| ConfigError::Invalid {
            path: self.path.clone(),
            location: None,
            message: e.to_string(),
        })?;
        line.push('\n');
        crate::private_fs::create_parent_dir(&self.path)?;
        let mut file = crate::private_fs::append(&self.path)?;
        file.write_all(line.as_bytes())
            .map_err(|e| ConfigError::io(&self.path, "append to the file", e))
    }

    /// The entries passing `filter`, newest first. A missing file is an empty history.
    pub fn load(&self, filter: &HistoryFilter) -> Result<HistoryLoad, ConfigError> {
        let text = match fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HistoryLoad::default()),
            Err(e) => return Err(ConfigError::io(&self.path, "read the file", e)),
        };
        let mut load = HistoryLoad::default();
        for line in text.lines().rev().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<HistoryEntry>(line) {
                Ok(entry) => {
                    if filter.limit.is_some_and(|n| load.entries.len() >= n) {
                        continue;
                    }
                    if filter.matches(&entry) {
                        load.entries.push(entry);
                    }
                }
                Err(_) => load.skipped_lines += 1,
            }
        }
        Ok(load)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::request::Variables;
    use std::time::Duration;

    fn response(status: u16, body: &[u8]) -> RawResponse {
        RawResponse {
            status: reqwest::StatusCode::from_u16(status).expect("status"),
            headers: reqwest::header::HeaderMap::new(),
            body: bytes::Bytes::copy_from_slice(body),
            elapsed: Duration::from_millis(12),
            delivery: Default::default(),
        }
    }

    fn entry(at: i64, status: u16, path: &str) -> HistoryEntry {
        let mut r = SavedRequest::new("Get customer", "GET", path);
        r.headers.push(Pair::new("X-Echo", "00D!TOKEN"));
        let resolved = r.resolve(&Variables::new()).expect("ok");
        HistoryEntry::record(
            Timestamp::from_second(at).expect("ts"),
            "Demo",
            Some(&r),
            &resolved,
            "https://acme.my.salesforce.com/",
            "00D!TOKEN",
            &response(status, b"{\"echo\": \"00D!TOKEN\"}"),
        )
    }

    #[test]
    fn token_never_recorded() {
        let e = entry(1, 200, "/services/apexrest/C/1");
        let line = serde_json::to_string(&e).expect("json");
        assert!(!line.contains("00D!TOKEN"), "{line}");
        assert_eq!(
            e.headers[0],
            ("Authorization".into(), "Bearer REDACTED".into())
        );
        assert_eq!(
            e.url,
            "https://acme.my.salesforce.com/services/apexrest/C/1"
        );
        assert_eq!(e.size, 21);
        assert_eq!(e.elapsed(), Duration::from_millis(12));
    }

    #[test]
    fn soap_session_redacted_and_replayed() {
        let mut r = SavedRequest::new("s", "POST", "/services/Soap/class/CustomerWS");
        r.kind = RequestKind::Soap;
        r.body = Some("<e:Envelope><e:Body/></e:Envelope>".into());
        let resolved = r.resolve(&Variables::new()).expect("ok");
        let e = HistoryEntry::record(
            Timestamp::UNIX_EPOCH,
            "Demo",
            None,
            &resolved,
            "https://a.example",
            "TOK",
            &response(500, b"<fault/>"),
        );
        let body = e.body.clone().expect("body");
        assert!(body.contains("<sessionId>REDACTED</sessionId>"), "{body}");
        let replay = e.replay();
        assert_eq!(replay.path, "/services/Soap/class/CustomerWS");
        assert_eq!(replay.kind, RequestKind::Soap);
        let again = replay
            .resolve(&Variables::new())
            .expect("ok")
            .with_session("NEW");
        assert!(
            again
                .body
                .expect("body")
                .contains("<sessionId>NEW</sessionId>")
        );
    }

    #[test]
    fn sub_millisecond_times_are_kept_and_old_entries_still_read() {
        let mut fast = response(200, b"{}");
        fast.elapsed = Duration::from_micros(664);
        let resolved = SavedRequest::new("l", "GET", "/limits")
            .resolve(&Variables::new())
            .expect("ok");
        let e = HistoryEntry::record(
            Timestamp::UNIX_EPOCH,
            "Demo",
            None,
            &resolved,
            "",
            "",
            &fast,
        );
        assert_eq!((e.elapsed_ms, e.elapsed_us), (0, 664));
        let line = serde_json::to_string(&e).expect("json");
        let back: HistoryEntry = serde_json::from_str(&line).expect("reads");
        assert_eq!(back.elapsed(), Duration::from_micros(664));
        // A line written before the microseconds were kept.
        let old = line
            .replace(",\"elapsed_us\":664", "")
            .replace("\"elapsed_ms\":0", "\"elapsed_ms\":7");
        assert!(!old.contains("elapsed_us"), "{old}");
        let old: HistoryEntry = serde_json::from_str(&old).expect("reads");
        assert_eq!(old.elapsed(), Duration::from_millis(7));
    }

    #[test]
    fn preview_is_cut_on_a_char_boundary() {
        let body = "é".repeat(PREVIEW_BYTES); // 2 bytes each
        let (p, cut) = preview_of(body.as_bytes(), 5);
        assert_eq!(p, "éé");
        assert!(cut);
    }

    #[test]
    fn append_load_filter_newest_first() {
        let dir = tempfile::tempdir().expect("tmp");
        let h = History::new(dir.path());
        assert!(
            h.load(&HistoryFilter::default())
                .expect("empty")
                .entries
                .is_empty()
        );
        h.append(&entry(1, 200, "/a")).expect("append");
        h.append(&entry(2, 404, "/b")).expect("append");
        let mut f = fs::OpenOptions::new()
            .append(true)
            .open(h.path())
            .expect("open");
        f.write_all(b"{\"cut short\n").expect("write");
        h.append(&entry(3, 200, "/c")).expect("append");
        let all = h.load(&HistoryFilter::default()).expect("load");
        assert_eq!(all.skipped_lines, 1);
        let urls: Vec<&str> = all.entries.iter().map(|e| e.url.as_str()).collect();
        assert!(
            urls[0].ends_with("/c") && urls[2].ends_with("/a"),
            "{urls:?}"
        );
        let failed = HistoryFilter {
            failed_only: true,
            ..Default::default()
        };
        assert_eq!(h.load(&failed).expect("load").entries.len(), 1);
        let text = HistoryFilter {
            text: Some("/B".into()),
            ..Default::default()
        };
        assert_eq!(h.load(&text).expect("load").entries[0].status, 404);
        let other = HistoryFilter {
            profile: Some("Prod".into()),
            ..Default::default()
        };
        assert!(h.load(&other).expect("load").entries.is_empty());
        let replay = all.entries[0].replay();
        assert_eq!(replay.path, "/c");
        assert_eq!(replay.name, "Get customer");
        assert!(replay.headers.iter().all(|h| h.name != "Authorization"));
    }
}
