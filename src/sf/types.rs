//! Data types of the Salesforce client: configuration, tokens, API versions, and the typed
//! shapes of REST responses.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use bytes::Bytes;
use indexmap::IndexMap;
use jiff::Timestamp;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::error::{ApiError, SfError};

/// How the client id and secret are sent to the OAuth endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientAuthStyle {
    /// `client_id` and `client_secret` in the form body (what restforce does).
    #[default]
    Body,
    /// HTTP Basic `Authorization` header (what simple-salesforce does).
    Basic,
}

/// Everything needed to connect to one org. `Debug` never shows the secret.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// The org's My Domain URL (token endpoint host), e.g. `https://acme.my.salesforce.com`.
    pub login_url: Url,
    /// Consumer key of the External Client App / Connected App.
    pub client_id: String,
    /// Consumer secret.
    pub client_secret: SecretString,
    /// Body or Basic client authentication.
    pub auth_style: ClientAuthStyle,
    /// Pinned API version; `None` = the highest the org offers.
    pub api_version: Option<ApiVersion>,
    /// Extra trusted CA (PEM), e.g. a TLS-inspecting proxy's or the mock org's.
    pub ca_file: Option<PathBuf>,
    /// Timeout of every request.
    pub timeout: Duration,
}

/// The environment variable that sets the request timeout in seconds (default 30).
pub const TIMEOUT_ENV: &str = "SFTERM_TIMEOUT";

/// The request timeout: `SFTERM_TIMEOUT` seconds when set to a positive number, else 30 s.
pub fn default_timeout() -> Duration {
    std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&s| s > 0)
        .map_or(Duration::from_secs(30), Duration::from_secs)
}

impl ConnectionConfig {
    /// A config with body auth, no pinned version, no CA file and the [`default_timeout`].
    pub fn new(login_url: Url, client_id: impl Into<String>, client_secret: SecretString) -> Self {
        ConnectionConfig {
            login_url,
            client_id: client_id.into(),
            client_secret,
            auth_style: ClientAuthStyle::Body,
            api_version: None,
            ca_file: None,
            timeout: default_timeout(),
        }
    }
}

/// A REST API version such as `62.0` (always a whole number on Salesforce).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ApiVersion(pub u16);

impl ApiVersion {
    /// The URL path segment, e.g. `v62.0`.
    pub fn path_segment(self) -> String {
        format!("v{}.0", self.0)
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.0", self.0)
    }
}

impl FromStr for ApiVersion {
    type Err = ApiError;

    /// Accepts `62.0`, `v62.0`, `V62.0` and `62`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ApiError::InvalidInput(format!("not an API version: {s:?}"));
        let t = s.trim();
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        let major = match t.split_once('.') {
            Some((major, "0")) => major,
            Some(_) => return Err(bad()),
            None => t,
        };
        if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        major.parse::<u16>().map(ApiVersion).map_err(|_| bad())
    }
}

impl Serialize for ApiVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ApiVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Why a token was requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenewReason {
    /// First login of the session.
    Initial,
    /// The user asked for a new token.
    Manual,
    /// Renewed because the known expiry was near.
    BeforeExpiry,
    /// Renewed because Salesforce answered 401 `INVALID_SESSION_ID`.
    InvalidSession,
}

/// An access token and what came with it. `Debug` masks the token.
#[derive(Debug, Clone)]
pub struct Token {
    /// The bearer token (secret).
    pub access_token: SecretString,
    /// Base URL of every data call.
    pub instance_url: Url,
    /// Identity URL (`id` field).
    pub id_url: Url,
    /// 18-char org id (from the identity URL).
    pub org_id: String,
    /// 18-char run-as user id (from the identity URL).
    pub user_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Always `Bearer`.
    pub token_type: String,
    /// `issued_at` from Salesforce (epoch ms).
    pub issued_at: Timestamp,
    /// When this client received it.
    pub obtained_at: Timestamp,
    /// Why it was requested.
    pub reason: RenewReason,
    /// HMAC signature of `id` + `issued_at`.
    pub signature: Option<String>,
}

impl Token {
    /// Best guess of the expiry without introspection: `issued_at` + 2 h (the org default idle
    /// timeout). Introspect for the real, sliding value.
    pub fn assumed_expiry(&self) -> Timestamp {
        self.issued_at
            .checked_add(jiff::SignedDuration::from_hours(2))
            .unwrap_or(self.issued_at)
    }

    /// True when the token has the given scope (e.g. `api`).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Raw token endpoint success body.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    pub instance_url: String,
    pub id: String,
    #[serde(default)]
    pub token_type: Option<String>,
    #[serde(default)]
    pub issued_at: Option<String>,
}

impl TokenResponse {
    /// Converts to a [`Token`]; fails on unparsable URLs.
    pub(crate) fn into_token(self, reason: RenewReason) -> Result<Token, ApiError> {
        let decode = |m: String| ApiError::Decode {
            what: "token".into(),
            message: m,
        };
        let instance_url = Url::parse(&self.instance_url)
            .map_err(|e| decode(format!("instance_url {:?}: {e}", self.instance_url)))?;
        let id_url = Url::parse(&self.id).map_err(|e| decode(format!("id {:?}: {e}", self.id)))?;
        let segs: Vec<&str> = id_url
            .path_segments()
            .map(|s| s.collect())
            .unwrap_or_default();
        let (org_id, user_id) = match segs.as_slice() {
            [.., org, user] => (org.to_string(), user.to_string()),
            _ => (String::new(), String::new()),
        };
        let now = Timestamp::now();
        let issued_at = self
            .issued_at
            .as_deref()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .and_then(|ms| Timestamp::from_millisecond(ms).ok())
            .unwrap_or(now);
        Ok(Token {
            access_token: SecretString::from(self.access_token),
            instance_url,
            id_url,
            org_id,
            user_id,
            scopes: self
                .scope
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            token_type: self.token_type.unwrap_or_else(|| "Bearer".into()),
            issued_at,
            obtained_at: now,
            reason,
            signature: self.signature,
        })
    }
}

/// Result of `POST /services/oauth2/introspect`.
#[derive(Debug, Clone, PartialEq)]
pub struct Introspection {
    /// False for expired, revoked or unknown tokens.
    pub active: bool,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// Consumer key the token belongs to.
    pub client_id: Option<String>,
    /// Run-as username.
    pub username: Option<String>,
    /// Identity URL of the user.
    pub sub: Option<String>,
    /// E.g. `access_token`.
    pub token_type: Option<String>,
    /// Expiry (sliding).
    pub exp: Option<Timestamp>,
    /// Issued at.
    pub iat: Option<Timestamp>,
    /// Not before.
    pub nbf: Option<Timestamp>,
}

#[derive(Deserialize)]
pub(crate) struct IntrospectionBody {
    #[serde(default)]
    active: bool,
    scope: Option<String>,
    client_id: Option<String>,
    username: Option<String>,
    sub: Option<String>,
    token_type: Option<String>,
    exp: Option<f64>,
    iat: Option<f64>,
    nbf: Option<f64>,
}

impl From<IntrospectionBody> for Introspection {
    fn from(b: IntrospectionBody) -> Self {
        #[allow(clippy::cast_possible_truncation)]
        let ts = |s: Option<f64>| s.and_then(|s| Timestamp::from_second(s as i64).ok());
        Introspection {
            active: b.active,
            scope: b.scope,
            client_id: b.client_id,
            username: b.username,
            sub: b.sub,
            token_type: b.token_type,
            exp: ts(b.exp),
            iat: ts(b.iat),
            nbf: ts(b.nbf),
        }
    }
}

/// API usage from the `Sforce-Limit-Info: api-usage=U/M` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitInfo {
    /// Calls used in the rolling 24 h window.
    pub used: u64,
    /// Daily maximum.
    pub max: u64,
}

impl LimitInfo {
    /// Parses a `Sforce-Limit-Info` header value, e.g.
    /// `api-usage=25/5000; per-app-api-usage=17/250(appName=x)`.
    pub fn parse(header: &str) -> Option<LimitInfo> {
        header.split([';', ',']).find_map(|part| {
            let (key, value) = part.trim().split_once('=')?;
            if !key.trim().eq_ignore_ascii_case("api-usage") {
                return None;
            }
            let (used, max) = value.trim().split_once('/')?;
            let max = max.split('(').next()?.trim();
            Some(LimitInfo {
                used: used.trim().parse().ok()?,
                max: max.parse().ok()?,
            })
        })
    }
}

/// One entry of `GET /services/data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiVersionInfo {
    /// Release name, e.g. `Summer '26`.
    #[serde(default)]
    pub label: String,
    /// E.g. `/services/data/v67.0`.
    #[serde(default)]
    pub url: String,
    /// E.g. `67.0`.
    pub version: String,
}

impl ApiVersionInfo {
    /// The parsed version, if well-formed.
    pub fn api_version(&self) -> Option<ApiVersion> {
        self.version.parse().ok()
    }
}

/// One page of a SOQL query result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage {
    /// Total matches across all pages.
    #[serde(default)]
    pub total_size: u64,
    /// True on the last page.
    #[serde(default)]
    pub done: bool,
    /// Locator of the next page (relative URL), when not done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_records_url: Option<String>,
    /// The records, each with its `attributes`.
    #[serde(default)]
    pub records: Vec<Map<String, Value>>,
}

/// One page of a SOQL query result as received: the paging fields parsed, each record left as
/// its JSON text (a slice of the response body, not copied). Writers that stream records out
/// (`sfterm query`) read them without building a map per record; [`RawQueryPage::parse`] gives
/// the [`QueryPage`] with maps.
#[derive(Debug, Clone, PartialEq)]
pub struct RawQueryPage {
    /// Total matches across all pages.
    pub total_size: u64,
    /// True on the last page.
    pub done: bool,
    /// Locator of the next page (relative URL), when not done.
    pub next_records_url: Option<String>,
    /// The records' JSON texts, each with its `attributes`.
    pub records: Vec<Bytes>,
}

impl RawQueryPage {
    /// Reads a query response body. One pass: the records are only checked to be JSON.
    pub fn decode(body: &Bytes) -> Result<RawQueryPage, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page<'a> {
            #[serde(default)]
            total_size: u64,
            #[serde(default)]
            done: bool,
            #[serde(default)]
            next_records_url: Option<String>,
            #[serde(default, borrow)]
            records: Vec<&'a serde_json::value::RawValue>,
        }
        let page: Page<'_> = serde_json::from_slice(body).map_err(query_decode_error)?;
        Ok(RawQueryPage {
            total_size: page.total_size,
            done: page.done,
            next_records_url: page.next_records_url,
            records: page
                .records
                .iter()
                .map(|r| body.slice_ref(r.get().as_bytes()))
                .collect(),
        })
    }

    /// The page with every record parsed into a map.
    pub fn parse(&self) -> Result<QueryPage, ApiError> {
        Ok(QueryPage {
            total_size: self.total_size,
            done: self.done,
            next_records_url: self.next_records_url.clone(),
            records: self
                .records
                .iter()
                .map(|r| serde_json::from_slice(r))
                .collect::<Result<_, _>>()
                .map_err(query_decode_error)?,
        })
    }
}

/// A query page that is not what the API documents.
pub(crate) fn query_decode_error(e: serde_json::Error) -> ApiError {
    ApiError::Decode {
        what: "query".into(),
        message: e.to_string(),
    }
}

/// Options of [`super::SfClient::query_stream`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueryOptions {
    /// Use `queryAll` (include deleted and archived rows).
    pub include_deleted: bool,
    /// `Sforce-Query-Options: batchSize=N` (200..2000).
    pub batch_size: Option<u32>,
}

/// `GET /sobjects/` (describe global).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeGlobal {
    /// E.g. `UTF-8`.
    #[serde(default)]
    pub encoding: Option<String>,
    /// Max records per batch.
    #[serde(default)]
    pub max_batch_size: Option<u32>,
    /// The objects.
    #[serde(default)]
    pub sobjects: Vec<SObjectSummary>,
}

/// One object of describe global.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SObjectSummary {
    /// API name.
    pub name: String,
    /// Label.
    #[serde(default)]
    pub label: String,
    /// Plural label.
    #[serde(default)]
    pub label_plural: String,
    /// 3-char id prefix.
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// Custom object.
    #[serde(default)]
    pub custom: bool,
    /// Can create.
    #[serde(default)]
    pub createable: bool,
    /// Can update.
    #[serde(default)]
    pub updateable: bool,
    /// Can delete.
    #[serde(default)]
    pub deletable: bool,
    /// Can query.
    #[serde(default)]
    pub queryable: bool,
    /// Can retrieve.
    #[serde(default)]
    pub retrieveable: bool,
    /// Searchable.
    #[serde(default)]
    pub searchable: bool,
    /// Resource URLs.
    #[serde(default)]
    pub urls: IndexMap<String, String>,
}

/// `GET /sobjects/{T}/describe` (the parts sfterm uses; unknown keys are ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SObjectDescribe {
    /// API name.
    pub name: String,
    /// Label.
    #[serde(default)]
    pub label: String,
    /// Plural label.
    #[serde(default)]
    pub label_plural: String,
    /// 3-char id prefix.
    #[serde(default)]
    pub key_prefix: Option<String>,
    /// Custom object.
    #[serde(default)]
    pub custom: bool,
    /// Can create.
    #[serde(default)]
    pub createable: bool,
    /// Can update.
    #[serde(default)]
    pub updateable: bool,
    /// Can delete.
    #[serde(default)]
    pub deletable: bool,
    /// Can query.
    #[serde(default)]
    pub queryable: bool,
    /// Fields in describe order.
    #[serde(default)]
    pub fields: Vec<FieldDescribe>,
    /// Child relationships.
    #[serde(default)]
    pub child_relationships: Vec<ChildRelationship>,
    /// Record types, as returned.
    #[serde(default)]
    pub record_type_infos: Vec<Value>,
    /// Resource URLs.
    #[serde(default)]
    pub urls: IndexMap<String, String>,
}

impl SObjectDescribe {
    /// The field with this API name (case-insensitive).
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// One field of a describe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    /// API name.
    pub name: String,
    /// Label.
    #[serde(default)]
    pub label: String,
    /// `string`, `picklist`, `reference`, `datetime`, ...
    #[serde(rename = "type", default)]
    pub field_type: String,
    /// `xsd:string`, `tns:ID`, ...
    #[serde(default)]
    pub soap_type: String,
    /// Max length for text types.
    #[serde(default)]
    pub length: u32,
    /// Digits for numbers.
    #[serde(default)]
    pub precision: u32,
    /// Decimal places.
    #[serde(default)]
    pub scale: u32,
    /// Integer digits.
    #[serde(default)]
    pub digits: u32,
    /// Accepts null.
    #[serde(default)]
    pub nillable: bool,
    /// Settable on create.
    #[serde(default)]
    pub createable: bool,
    /// Settable on update.
    #[serde(default)]
    pub updateable: bool,
    /// Gets a default on create.
    #[serde(default)]
    pub defaulted_on_create: bool,
    /// Formula / roll-up.
    #[serde(default)]
    pub calculated: bool,
    /// Unique.
    #[serde(default)]
    pub unique: bool,
    /// External id.
    #[serde(default)]
    pub external_id: bool,
    /// The object's name field.
    #[serde(default)]
    pub name_field: bool,
    /// Custom field.
    #[serde(default)]
    pub custom: bool,
    /// Usable in WHERE.
    #[serde(default)]
    pub filterable: bool,
    /// Usable in ORDER BY.
    #[serde(default)]
    pub sortable: bool,
    /// Restricted picklist.
    #[serde(default)]
    pub restricted_picklist: bool,
    /// Default value.
    #[serde(default)]
    pub default_value: Value,
    /// Help text.
    #[serde(default)]
    pub inline_help_text: Option<String>,
    /// Target objects of a reference.
    #[serde(default)]
    pub reference_to: Vec<String>,
    /// Relationship name of a reference, e.g. `Account`.
    #[serde(default)]
    pub relationship_name: Option<String>,
    /// Picklist values.
    #[serde(default)]
    pub picklist_values: Vec<PicklistValue>,
}

impl FieldDescribe {
    /// Required on create: not nillable, createable and not defaulted (the common heuristic).
    pub fn required_on_create(&self) -> bool {
        !self.nillable && self.createable && !self.defaulted_on_create
    }
}

/// A picklist entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    /// API value.
    pub value: String,
    /// Label.
    #[serde(default)]
    pub label: Option<String>,
    /// Active.
    #[serde(default)]
    pub active: bool,
    /// Default selection.
    #[serde(default)]
    pub default_value: bool,
}

/// A child relationship of a describe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildRelationship {
    /// Child object.
    pub child_s_object: String,
    /// Lookup field on the child.
    #[serde(default)]
    pub field: String,
    /// Name for subqueries, e.g. `Contacts`.
    #[serde(default)]
    pub relationship_name: Option<String>,
    /// Cascade delete.
    #[serde(default)]
    pub cascade_delete: bool,
}

/// A fetched record with its concurrency headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The fields, including `attributes`.
    pub fields: Map<String, Value>,
    /// `Last-Modified` header (echo it as `If-Unmodified-Since`).
    pub last_modified: Option<Timestamp>,
    /// `ETag` header (Account only).
    pub etag: Option<String>,
}

/// One result of a create (single or sObject Collections).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaveResult {
    /// Id of the record, when saved.
    #[serde(default)]
    pub id: Option<String>,
    /// Saved.
    #[serde(default)]
    pub success: bool,
    /// Why not.
    #[serde(default)]
    pub errors: Vec<SfError>,
    /// Upserts: inserted (true) or updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<bool>,
}

/// One `/limits` entry; some (like `DailyApiRequests`) nest per-app entries keyed by label.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LimitEntry {
    /// Maximum.
    pub max: i64,
    /// Remaining.
    pub remaining: i64,
    /// Per connected app entries.
    pub per_app: IndexMap<String, LimitEntry>,
}

/// `GET /limits`, keyed by limit name in server order.
pub type Limits = IndexMap<String, LimitEntry>;

/// Parses a `/limits` body.
pub(crate) fn parse_limits(v: &Value) -> Option<Limits> {
    fn entry(v: &Value) -> Option<LimitEntry> {
        let o = v.as_object()?;
        let mut e = LimitEntry {
            max: o.get("Max").and_then(Value::as_i64).unwrap_or_default(),
            remaining: o
                .get("Remaining")
                .and_then(Value::as_i64)
                .unwrap_or_default(),
            per_app: IndexMap::new(),
        };
        for (k, v) in o {
            if v.is_object()
                && let Some(sub) = entry(v)
            {
                e.per_app.insert(k.clone(), sub);
            }
        }
        Some(e)
    }
    let o = v.as_object()?;
    Some(
        o.iter()
            .filter_map(|(k, v)| Some((k.clone(), entry(v)?)))
            .collect(),
    )
}

/// The identity URL response (known keys typed, the rest in `extra`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identity {
    /// The identity URL itself.
    #[serde(default)]
    pub id: String,
    /// 18-char user id.
    #[serde(default)]
    pub user_id: String,
    /// 18-char org id.
    #[serde(default)]
    pub organization_id: String,
    /// Username.
    #[serde(default)]
    pub username: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Active user.
    #[serde(default)]
    pub active: Option<bool>,
    /// E.g. `STANDARD`.
    #[serde(default)]
    pub user_type: Option<String>,
    /// Time zone.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Locale.
    #[serde(default)]
    pub locale: Option<String>,
    /// Endpoint URLs (with literal `{version}` placeholders).
    #[serde(default)]
    pub urls: IndexMap<String, String>,
    /// All other keys.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The OpenID Connect userinfo response (known keys typed, the rest in `extra`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    /// Identity URL.
    #[serde(default)]
    pub sub: String,
    /// 18-char user id.
    #[serde(default)]
    pub user_id: String,
    /// 18-char org id.
    #[serde(default)]
    pub organization_id: String,
    /// Username.
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Time zone.
    #[serde(default)]
    pub zoneinfo: Option<String>,
    /// All other keys.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A response of [`super::SfClient::send_raw`], whatever its status.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status.
    pub status: reqwest::StatusCode,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body bytes.
    pub body: Bytes,
    /// Time from sending to the full body.
    pub elapsed: Duration,
}

impl RawResponse {
    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }
}

#[cfg(test)]
pub(crate) fn test_fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/sf/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).expect("fixture readable")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(path: &str) -> Value {
        serde_json::from_slice(&test_fixture(path)).expect("fixture is JSON")
    }

    #[test]
    fn api_version_parses_and_prints() {
        for s in ["62.0", "v62.0", "V62.0", "62", " 62.0 "] {
            let v: ApiVersion = s.parse().expect("valid");
            assert_eq!(v, ApiVersion(62));
            assert_eq!(v.to_string(), "62.0");
            assert_eq!(v.path_segment(), "v62.0");
        }
        for s in ["", "v", "62.5", "abc", "6 2", "-1", "99999999"] {
            assert!(s.parse::<ApiVersion>().is_err(), "{s:?}");
        }
        assert!(ApiVersion(61) < ApiVersion(62));
    }

    #[test]
    fn token_fixture_parses_and_debug_hides_secret() {
        let body: TokenResponse =
            serde_json::from_slice(&test_fixture("restforce/auth_success_response.json"))
                .expect("token body");
        let t = body.into_token(RenewReason::Initial).expect("token");
        assert_eq!(t.org_id, "00Dx0000000BV7z");
        assert_eq!(t.user_id, "005x00000012Q9P");
        assert_eq!(t.instance_url.as_str(), "https://na1.salesforce.com/");
        assert_eq!(t.issued_at.as_millisecond(), 1_278_448_832_702);
        assert_eq!(t.token_type, "Bearer");
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("AR8AQAxo9UfVkh8"), "{dbg}");
    }

    #[test]
    fn token_with_scopes() {
        let body: TokenResponse = serde_json::from_str(
            r#"{"access_token":"00D!x","scope":"api sfap_api","instance_url":"https://a.my.salesforce.com","id":"https://login.salesforce.com/id/00DDn00000Org01MAB/005Dn00000IntUsIAJ","token_type":"Bearer","issued_at":"1767225600000"}"#,
        )
        .expect("parses");
        let t = body.into_token(RenewReason::Manual).expect("token");
        assert_eq!(t.scopes, vec!["api", "sfap_api"]);
        assert_eq!(t.org_id, "00DDn00000Org01MAB");
        assert_eq!(
            t.issued_at,
            Timestamp::from_second(1_767_225_600).expect("ts")
        );
    }

    #[test]
    fn limit_info_header() {
        assert_eq!(
            LimitInfo::parse("api-usage=18/15000"),
            Some(LimitInfo {
                used: 18,
                max: 15000
            })
        );
        assert_eq!(
            LimitInfo::parse(
                "api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)"
            ),
            Some(LimitInfo {
                used: 25,
                max: 5000
            })
        );
        assert_eq!(
            LimitInfo::parse("per-app-api-usage=17/250(appName=x); api-usage=3/9"),
            Some(LimitInfo { used: 3, max: 9 })
        );
        assert_eq!(LimitInfo::parse("garbage"), None);
        assert_eq!(LimitInfo::parse("api-usage=x/9"), None);
    }

    #[test]
    fn versions_fixture() {
        let v: Vec<ApiVersionInfo> =
            serde_json::from_value(json("restforce/services_data_success_response.json"))
                .expect("versions");
        let max = v.iter().filter_map(ApiVersionInfo::api_version).max();
        assert_eq!(max, Some(ApiVersion(100)));
    }

    #[test]
    fn query_page_fixtures() {
        let first: QueryPage =
            serde_json::from_value(json("restforce/query_paginated_first_page_response.json"))
                .expect("page");
        assert!(!first.done);
        assert_eq!(
            first.next_records_url.as_deref(),
            Some("/services/data/v26.0/query/01gD")
        );
        assert_eq!(first.records.len(), 1);
        let last: QueryPage =
            serde_json::from_value(json("restforce/query_paginated_last_page_response.json"))
                .expect("page");
        assert!(last.done && last.next_records_url.is_none());
        let empty: QueryPage =
            serde_json::from_value(json("restforce/query_empty_response.json")).expect("page");
        assert_eq!(empty.total_size, 0);
        assert!(empty.records.is_empty());
        let full: QueryPage =
            serde_json::from_value(json("restforce/query_success_response.json")).expect("page");
        assert_eq!(full.records.len(), 1);
        let agg: QueryPage =
            serde_json::from_value(json("restforce/query_aggregate_success_response.json"))
                .expect("page");
        assert!(!agg.records.is_empty());
    }

    #[test]
    fn describe_fixtures() {
        let d: SObjectDescribe =
            serde_json::from_value(json("cumulusci/account_describe.json")).expect("describe");
        assert_eq!(d.name, "Account");
        assert_eq!(d.key_prefix.as_deref(), Some("001"));
        let name = d.field("name").expect("Name field");
        assert!(name.name_field && name.required_on_create());
        let industry = d.field("Industry").expect("Industry");
        assert_eq!(industry.field_type, "picklist");
        assert!(!industry.picklist_values.is_empty());
        assert!(
            d.child_relationships
                .iter()
                .any(|c| c.child_s_object == "Contact")
        );
        let g: DescribeGlobal =
            serde_json::from_value(json("cumulusci/global_describe.json")).expect("global");
        assert!(
            g.sobjects
                .iter()
                .any(|s| s.name == "Contact" && s.key_prefix.as_deref() == Some("003"))
        );
        let old: DescribeGlobal =
            serde_json::from_value(json("restforce/list_sobjects_success_response.json"))
                .expect("old global");
        assert_eq!(old.sobjects[0].name, "Account");
    }

    #[test]
    fn create_and_limits_and_identity_fixtures() {
        let r: SaveResult =
            serde_json::from_value(json("restforce/create_success_response.json")).expect("save");
        assert!(r.success);
        assert_eq!(r.id.as_deref(), Some("some_id"));
        let limits = parse_limits(&json("swiftlysalesforce/limits.json")).expect("limits");
        let daily = &limits["DailyApiRequests"];
        assert_eq!((daily.max, daily.remaining), (15000, 14953));
        let batches = &limits["DailyBulkApiBatches"];
        assert!(batches.per_app.contains_key("Dataloader Bulk"));
        let id: Identity =
            serde_json::from_value(json("swiftlysalesforce/identity.json")).expect("identity");
        assert_eq!(id.username, "john@playground.com");
        assert!(id.urls["rest"].contains("{version}"));
        assert!(id.extra.contains_key("asserted_user"));
        let rec: Map<String, Value> =
            serde_json::from_value(json("swiftlysalesforce/account_record.json")).expect("record");
        assert!(rec.contains_key("attributes"));
    }

    #[test]
    fn introspection_body() {
        let b: IntrospectionBody = serde_json::from_str(
            r#"{"active":true,"scope":"api","client_id":"3MVG9","username":"u@x","sub":"https://x/id/a/b","token_type":"access_token","exp":1767232800,"iat":1767225600,"nbf":1767225600}"#,
        )
        .expect("body");
        let i = Introspection::from(b);
        assert!(i.active);
        assert_eq!(
            i.exp,
            Some(Timestamp::from_second(1_767_232_800).expect("ts"))
        );
        let inactive = Introspection::from(
            serde_json::from_str::<IntrospectionBody>(r#"{"active":false}"#).expect("body"),
        );
        assert!(!inactive.active && inactive.exp.is_none());
    }
}
