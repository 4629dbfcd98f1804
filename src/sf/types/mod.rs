//! Data types of the Salesforce client, one file per resource: configuration and versions,
//! tokens and identity, query pages, describes, records, limits; and the raw response.

mod config;
mod describe;
mod grant;
mod limits;
mod query;
mod record;
mod token;

use std::time::Duration;

use bytes::Bytes;

pub use config::{
    ApiVersion, ApiVersionInfo, ClientAuthStyle, ConnectionConfig, RETRIES_ENV, TIMEOUT_ENV,
    default_retry_policy, default_timeout, parse_attempts, set_configured_attempts,
};
pub use describe::{
    ChildRelationship, DescribeGlobal, FieldDescribe, PicklistValue, SObjectDescribe,
    SObjectSummary,
};
pub use grant::{
    Grant, GrantKind, JWT_LIFETIME, JwtBearer, LOGIN_ORIGIN, TEST_ORIGIN, TokenSource, jwt_audience,
};
pub(crate) use limits::parse_limits;
pub use limits::{LimitEntry, LimitInfo, Limits};
pub(crate) use query::query_decode_error;
pub use query::{QueryOptions, QueryPage, RawQueryPage};
pub use record::{Record, SaveResult};
pub use token::{Identity, Introspection, RenewReason, Token, UserInfo};
pub(crate) use token::{IntrospectionBody, TokenResponse};

/// A response of [`crate::sf::SfClient::send_raw`], whatever its status.
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
    /// How the client's retry policy delivered it.
    pub delivery: Delivery,
}

/// How the client delivered a request: how often it was sent, and whether it may have taken
/// effect more or less than the answer says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    /// The method and path (no query string), e.g. `POST /services/data/v62.0/sobjects/Account`.
    pub request: String,
    /// Times the request was sent (1: once; 0 for a response built by hand).
    pub attempts: u32,
    /// An earlier try went out and got no complete answer: it may have taken effect.
    pub earlier_unanswered: bool,
    /// The answer is a failure that a retry might have cured, but the request is not safe to
    /// repeat, so it was not sent again: it may or may not have taken effect.
    pub not_repeated: bool,
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

/// A fixture of tests/fixtures/sf/ parsed as JSON.
#[cfg(test)]
pub(crate) fn test_json(path: &str) -> serde_json::Value {
    serde_json::from_slice(&test_fixture(path)).expect("fixture is JSON")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};
    use test_json as json;

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
}
