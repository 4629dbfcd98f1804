//! Shared state of a running mock org: apps, tokens, API usage, records and query cursors.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use indexmap::IndexMap;
use serde_json::{Value, json};

use super::clock::Clock;
use super::rest::compute_name;
use super::schema::{ObjectSchema, Schema};
use super::soql::Row;
use super::store::Store;
use super::{MockOrgConfig, MockOrgError};

/// A connected app / external client app known to the org.
pub(crate) struct App {
    pub client_id: String,
    pub client_secret: String,
    /// Label shown in `/limits` per-app usage.
    pub label: String,
    pub has_run_as_user: bool,
    pub has_api_scope: bool,
    pub client_credentials_enabled: bool,
    /// Scopes granted instead of the default (`api`, or `id` without the api scope).
    pub scope_override: Option<&'static str>,
}

impl App {
    /// The granted scopes, space separated.
    pub fn scope(&self) -> &'static str {
        match self.scope_override {
            Some(scope) => scope,
            None if self.has_api_scope => "api",
            None => "id",
        }
    }
}

/// One issued access token.
pub(crate) struct TokenInfo {
    pub app: usize,
    /// Issue time, epoch milliseconds.
    pub issued_ms: i64,
    /// Last use, epoch milliseconds (the idle timeout slides from here).
    pub last_used_ms: i64,
}

/// Injected failures: the next `remaining` data API calls (once `after` more have passed)
/// answer `status` with an error array.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub(crate) struct Fault {
    pub remaining: usize,
    pub status: u16,
    /// Data API calls that pass before the first failure.
    pub after: usize,
    /// `Retry-After` seconds of a 503 or 429 answer (`None`: 1; 0: no header).
    pub retry_after: Option<u64>,
    /// `errorCode` to send; default depends on the status (`UNKNOWN_EXCEPTION`, ...).
    pub error_code: Option<String>,
    /// `message` to send; default depends on the status.
    pub message: Option<String>,
    /// What the faulty answer looks like (default: a Salesforce error array).
    pub kind: super::admin::FaultKind,
}

/// One record and its modification stamp, decoded from the store (see [`Store`]); changes are
/// written back with [`super::store::Table::put`].
#[derive(Clone)]
pub(crate) struct Record {
    pub row: Row,
    /// `SystemModstamp` in epoch milliseconds.
    pub modified_ms: i64,
}

impl Record {
    /// Applies validated `changes` (a null removes the field), recomputes a Contact's or Lead's
    /// `Name`, and stamps the modification as done by `user_id` at `now_ms` (the org's clock).
    pub fn apply_update(
        &mut self,
        object: &ObjectSchema,
        changes: Row,
        user_id: &str,
        now_ms: i64,
    ) {
        for (k, v) in changes {
            if v.is_null() {
                self.row.remove(&k);
            } else {
                self.row.insert(k, v);
            }
        }
        compute_name(object, &mut self.row);
        self.stamp(now_ms);
        self.row.insert(
            "LastModifiedDate".into(),
            self.row["SystemModstamp"].clone(),
        );
        self.row.insert("LastModifiedById".into(), json!(user_id));
    }

    /// Marks the record deleted at `now_ms` (it stays for `queryAll`).
    pub fn mark_deleted(&mut self, now_ms: i64) {
        self.row.insert("IsDeleted".into(), json!(true));
        self.stamp(now_ms);
    }

    /// A fresh modification stamp: `now_ms`, or strictly after the previous one.
    fn stamp(&mut self, now_ms: i64) {
        self.modified_ms = now_ms.max(self.modified_ms + 1);
        self.row.insert(
            "SystemModstamp".into(),
            json!(sf_datetime(self.modified_ms)),
        );
    }
}

/// A paused query: the matching rows' positions and the projection; each page's records are
/// built when the page is fetched.
pub(crate) struct Cursor {
    pub selection: super::soql::Selection,
    pub batch: usize,
}

/// Mutable state behind one lock (never held across an await).
pub(crate) struct Inner {
    pub tokens: HashMap<String, TokenInfo>,
    pub usage: u64,
    /// Records per sObject (canonical name), in insertion order, found by 18-char id.
    pub store: Store,
    /// Next sequence number per key prefix.
    pub seq: HashMap<String, u64>,
    /// Open query cursors, oldest first.
    pub cursors: IndexMap<String, Cursor>,
    pub cursor_seq: u64,
    pub token_seq: u64,
    /// Bulk API 2.0 query jobs by id.
    pub jobs: HashMap<String, super::bulk::Job>,
    pub job_seq: u64,
    /// Bulk API 2.0 ingest jobs (their ids share `job_seq` with query jobs).
    pub ingest: super::ingest::Ingest,
    /// Injected failures of the next data API calls.
    pub fault: Fault,
    /// The probabilistic fault (`fail_rate`), if set.
    pub chaos: Option<super::chaos::Chaos>,
    /// Injected delay before every data API response, in milliseconds.
    pub latency_ms: u64,
    /// The next this many requests (except `/__mock/...`) get their connection closed
    /// without an answer.
    pub drop_next: usize,
    /// The next this many Bulk result page requests with a locator get their connection closed.
    pub drop_result_pages: usize,
    /// Bulk result pages of a job's first rows (offset 0) send their body this many
    /// milliseconds late: in a parallel download the first chunk arrives last.
    pub slow_first_result_page_ms: u64,
    /// Web server and JWT flows: approvals, codes, refresh tokens and their knobs.
    pub flows: super::flows::FlowState,
    /// Records (18-character ids) whose writes fail, with the message (`reject.rs`).
    pub rejected: HashMap<String, String>,
}

/// Everything the handlers share.
pub(crate) struct Shared {
    pub config: MockOrgConfig,
    pub instance_url: url::Url,
    pub org_id: String,
    pub user_id: String,
    pub username: String,
    pub apps: Vec<App>,
    pub schema: Schema,
    /// The run-as user's permissions and setup (the scenario played).
    pub setup: super::setup_org::SetupOrg,
    /// The user's records (`MockOrgConfig::data`), reloaded on reset.
    pub data: Option<Value>,
    /// "Now" for everything the org stamps or times out (tokens, records, jobs, TODAY).
    pub clock: Clock,
    /// The JWT bearer certificate and the org's signing pair.
    pub keys: Arc<super::flows::jwt::OrgKeys>,
    /// Origins of the login and test host listeners (accepted as JWT `aud`).
    pub login_origins: Vec<String>,
    /// When the org started: `--log-requests` lines say when each request came, from it.
    pub started: std::time::Instant,
    pub inner: Mutex<Inner>,
}

/// The state one listener's router sees.
#[derive(Clone)]
pub(crate) struct Listener {
    pub shared: Arc<Shared>,
    /// This listener plays `login.salesforce.com`.
    pub login_host: bool,
}

/// Salesforce datetime text: `2026-01-01T08:00:00.000+0000`.
pub(crate) fn sf_datetime(ms: i64) -> String {
    // Years 0000-9998 without jiff's formatter (seeding formats millions of them).
    if (-62_167_219_200_000..253_370_764_800_000).contains(&ms) {
        return super::store::format_datetime(ms);
    }
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => format!(
            "{}.{:03}+0000",
            ts.strftime("%Y-%m-%dT%H:%M:%S"),
            ms.rem_euclid(1000)
        ),
        Err(_) => "1970-01-01T00:00:00.000+0000".to_owned(),
    }
}

/// The connected apps of an org run with `config`: the main one (its credentials from the
/// config, or deterministic demo values; `scope` is what its tokens are granted) and three
/// broken on purpose. Known before any data is seeded, so a demo can write its profiles first.
pub(crate) fn apps(config: &MockOrgConfig, scope: &'static str) -> Vec<App> {
    let client_id = config.client_id.clone().unwrap_or_else(|| {
        "3MVG9MockOrgDemoConsumerKey.sfterm.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned()
    });
    let client_secret = config
        .client_secret
        .clone()
        .unwrap_or_else(|| "E4D3C2B1A0MOCKORGDEMOSECRET0123456789ABCDEF0123456789".to_owned());
    let app = |id: &str, label: &str, run_as: bool, api: bool, cc: bool| App {
        client_id: format!("3MVG9MockOrg{id}"),
        client_secret: format!("MOCKSECRET{}", id.to_ascii_uppercase()),
        label: label.to_owned(),
        has_run_as_user: run_as,
        has_api_scope: api,
        client_credentials_enabled: cc,
        scope_override: None,
    };
    vec![
        App {
            client_id,
            client_secret,
            label: "sfterm".to_owned(),
            has_run_as_user: true,
            has_api_scope: true,
            client_credentials_enabled: true,
            scope_override: (scope != "api").then_some(scope),
        },
        app("NoRunAsUser", "No Run-As User", false, true, true),
        app("NoApiScope", "No API Scope", true, false, true),
        app("NoClientCredentials", "Flow Disabled", true, true, false),
    ]
}

impl Shared {
    pub fn new(mut config: MockOrgConfig, instance_url: url::Url) -> Result<Shared, MockOrgError> {
        let mut schema = Schema::load()?;
        let org_id = crate::sf::id::mint("00D", 4_211_001);
        let user_id = crate::sf::id::mint("005", 1_700_001);
        let setup = super::setup_org::SetupOrg::new(config.scenario);
        schema.hide(setup.hidden());
        if let Some(ttl) = config.scenario.token_ttl() {
            config.token_ttl = ttl;
        }
        let apps = apps(&config, setup.scope);
        let mut inner = Inner {
            tokens: HashMap::new(),
            usage: 0,
            store: Store::default(),
            seq: HashMap::new(),
            cursors: IndexMap::new(),
            cursor_seq: 0,
            token_seq: 0,
            jobs: HashMap::new(),
            job_seq: 0,
            ingest: Default::default(),
            fault: Fault::default(),
            chaos: None,
            latency_ms: u64::try_from(config.latency.as_millis()).unwrap_or(u64::MAX),
            drop_next: 0,
            drop_result_pages: 0,
            slow_first_result_page_ms: 0,
            flows: super::flows::FlowState::new(&config),
            rejected: HashMap::new(),
        };
        let clock = Clock::default();
        super::seed::seed(
            &config,
            &schema,
            (&org_id, &user_id),
            clock.now_ms(),
            &mut inner,
        );
        let data = match &config.data {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    MockOrgError::Data(format!("cannot read {}: {e}", path.display()))
                })?;
                let value: Value = serde_json::from_str(&text).map_err(|e| {
                    MockOrgError::Data(format!("{} is not JSON: {e}", path.display()))
                })?;
                super::data::load(&schema, &user_id, &mut inner, &value, clock.now_ms())
                    .map_err(|e| MockOrgError::Data(format!("{}: {e}", path.display())))?;
                Some(value)
            }
            None => None,
        };
        let keys = Arc::new(super::flows::jwt::OrgKeys::new(config.jwt_cert.as_deref())?);
        Ok(Shared {
            data,
            clock,
            keys,
            login_origins: Vec::new(),
            config,
            instance_url,
            org_id,
            user_id,
            username: setup.username.clone(),
            apps,
            schema,
            setup,
            started: std::time::Instant::now(),
            inner: Mutex::new(inner),
        })
    }

    /// One `--log-requests` line on stderr: the seconds since the org started when the request
    /// came (so a bench can tell when each phase of a download began and ended), then `what`.
    pub fn log_request(&self, came: std::time::Instant, what: std::fmt::Arguments<'_>) {
        let at = came.saturating_duration_since(self.started).as_secs_f64();
        eprintln!("{at:10.3} {what}");
    }

    /// The state, even if a handler panicked while holding the lock.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn app_pair(&self, index: usize) -> (&str, &str) {
        match self.apps.get(index) {
            Some(app) => (&app.client_id, &app.client_secret),
            None => ("", ""),
        }
    }

    pub fn expire_all_tokens(&self) {
        self.lock().tokens.clear();
    }

    pub fn api_usage(&self) -> u64 {
        self.lock().usage
    }

    /// Whether this request's connection is to be dropped (counts one pending drop down).
    /// `result_page`: the request fetches a Bulk result page with a locator.
    pub fn take_drop(&self, result_page: bool) -> bool {
        let mut inner = self.lock();
        if inner.drop_next > 0 {
            inner.drop_next -= 1;
            true
        } else if result_page && inner.drop_result_pages > 0 {
            inner.drop_result_pages -= 1;
            true
        } else {
            false
        }
    }

    /// The instance origin without trailing slash (`http://127.0.0.1:PORT`).
    pub fn origin(&self) -> String {
        self.instance_url.as_str().trim_end_matches('/').to_owned()
    }

    /// The identity URL of the run-as user (served by this mock org).
    pub fn identity_url(&self) -> String {
        format!("{}/id/{}/{}", self.origin(), self.org_id, self.user_id)
    }

    /// `Sforce-Limit-Info` header value.
    pub fn limit_info(&self, usage: u64) -> String {
        format!("api-usage={usage}/{}", self.config.api_daily_limit)
    }

    /// Looks a live token up and slides its idle timeout. Returns the app index.
    pub fn check_token(&self, token: &str) -> Option<usize> {
        let now = self.clock.now_ms();
        let ttl = i64::try_from(self.config.token_ttl.as_millis()).unwrap_or(i64::MAX);
        let mut inner = self.lock();
        let expired = match inner.tokens.get_mut(token) {
            None => return None,
            Some(info) if now.saturating_sub(info.last_used_ms) > ttl => true,
            Some(info) => {
                info.last_used_ms = now;
                return Some(info.app);
            }
        };
        if expired {
            inner.tokens.remove(token);
        }
        None
    }
}

/// The bearer token of a request (`Bearer x` or `OAuth x`).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// Content type Salesforce puts on JSON bodies.
pub(crate) const JSON_CT: &str = "application/json;charset=UTF-8";

/// A JSON response with Salesforce's content type.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let text = serde_json::to_string(body).unwrap_or_else(|_| "null".to_owned());
    raw_json(status, text)
}

/// A JSON response from bytes already written (by the direct writers of query pages and
/// records).
pub(crate) fn json_bytes_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CT));
    response
}

/// Appends `s` as a JSON string, quoted and escaped exactly as `serde_json` writes it.
pub(crate) fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    push_json_str_contents(out, s);
    out.push(b'"');
}

/// Appends `s` escaped as the inside of a JSON string, as `serde_json` does: `"`, `\\` and
/// control characters below 0x20 (`\b \t \n \f \r`, others as `\u00xx`); everything else,
/// non-ASCII included, as it is.
pub(crate) fn push_json_str_contents(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    /// Whether any of the 8 bytes is below 0x20, `"` or `\` (exact: no false positives).
    fn needs_escape(x: u64) -> bool {
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let zero = |v: u64| v.wrapping_sub(ONES) & !v;
        (control | zero(quote) | zero(backslash)) & HIGH != 0
    }
    let bytes = s.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        // Eight bytes at a time while there is nothing to escape.
        if let Some(chunk) = bytes.get(i..i + 8)
            && let Ok(chunk) = <[u8; 8]>::try_from(chunk)
            && !needs_escape(u64::from_le_bytes(chunk))
        {
            i += 8;
            continue;
        }
        let b = bytes[i];
        i += 1;
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.extend_from_slice(&bytes[start..i - 1]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x0a => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            0x0d => out.extend_from_slice(b"\\r"),
            c => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(c >> 4)],
                HEX[usize::from(c & 0xf)],
            ]),
        }
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// A response from JSON text that is already serialised.
pub(crate) fn raw_json(status: StatusCode, text: String) -> Response {
    let mut response = (status, text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CT));
    response
}

/// A REST error array with one element; `fields` is left out when `None`. The one shape of
/// every REST error the org answers, on its own or inside a composite subresponse.
pub(crate) fn error_array(code: &str, message: &str, fields: Option<&[String]>) -> Value {
    let mut item = serde_json::Map::new();
    item.insert("message".into(), json!(message));
    item.insert("errorCode".into(), json!(code));
    if let Some(fields) = fields {
        item.insert("fields".into(), json!(fields));
    }
    Value::Array(vec![Value::Object(item)])
}

/// A response with a REST error array ([`error_array`]).
pub(crate) fn rest_error(
    status: StatusCode,
    code: &str,
    message: &str,
    fields: Option<Vec<String>>,
) -> Response {
    json_response(status, &error_array(code, message, fields.as_deref()))
}

/// A flat OAuth error (HTTP 400).
pub(crate) fn oauth_error(error: &str, description: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"error": error, "error_description": description}),
    )
}

#[cfg(test)]
mod json_str_tests {
    use super::*;

    /// Every byte value in every position of a chunk, and mixed texts: as serde_json escapes.
    #[test]
    fn strings_are_escaped_as_serde_json_does() {
        let mut texts: Vec<String> = vec![
            String::new(),
            "plain ascii text, long enough for several chunks".into(),
            "Énergie ☃ 😀 \u{7f} 'single' \"double\" back\\slash".into(),
        ];
        for c in (0u8..0x80).map(char::from).chain(['é', '☃', '😀']) {
            for at in 0..10 {
                let mut t: String = "abcdefghij".chars().take(at).collect();
                t.push(c);
                t.push_str("klmnopqrstu");
                texts.push(t);
            }
        }
        for text in texts {
            let mut out = Vec::new();
            push_json_str(&mut out, &text);
            assert_eq!(
                String::from_utf8(out).expect("utf-8"),
                serde_json::to_string(&text).expect("json"),
                "{text:?}"
            );
        }
    }
}
