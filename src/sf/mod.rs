//! Salesforce client core: OAuth logins, REST, typed errors. No UI code.
//!
//! [`SfClient`] logs in with the [`Grant`] of its config (client credentials by default; a
//! browser login's refresh token, JWT bearer, or the Salesforce CLI through [`sfcli`]),
//! renews its token once (shared by concurrent callers) when Salesforce answers 401
//! `INVALID_SESSION_ID`, retries what is safe to repeat when a failure passes (a 503, a dropped
//! connection: [`RetryPolicy`], never a record creation or an Apex call once it may have run),
//! and maps every failure to an [`ApiError`] whose
//! [`ApiError::diagnosis`] explains it in plain words. The browser login's pieces (PKCE,
//! authorize URL, loopback listener, pasted redirect) are in [`oauth::web`].
//!
//! ```no_run
//! use futures::StreamExt;
//! use sfterm::sf::{ConnectionConfig, QueryOptions, RenewReason, SfClient};
//!
//! # async fn demo() -> Result<(), sfterm::sf::ApiError> {
//! let url = "https://acme.my.salesforce.com".parse().expect("valid URL");
//! let client = SfClient::new(ConnectionConfig::new(url, "consumer key", "secret".into()))?;
//! client.login(RenewReason::Initial).await?;
//! let mut pages = client.query_stream("SELECT Id, Name FROM Account", QueryOptions::default());
//! while let Some(page) = pages.next().await {
//!     for record in page?.parse()?.records {
//!         println!("{}", record["Name"]);
//!     }
//! }
//! # Ok(())
//! # }
//! ```
pub mod bulk;
pub mod client;
pub mod download;
pub mod error;
pub mod id;
pub mod ingest;
pub mod json_ref;
pub mod oauth;
pub mod sfcli;
pub mod types;

#[cfg(test)]
mod fuzz_tests;

pub use client::{
    ApiCall, COLLECTION_LIMIT, CallObserver, Clock, OrgFacts, QueryStream, RetryNotice,
    RetryObserver, RetryPolicy, RowError, RowResults, SfClient, Spill, SystemClock,
};
pub use error::{ApiError, BrowserLoginError, Diagnosis, SfCliError, SfError};
pub use json_ref::{JsonRef, ObjectRef};
pub use types::{
    ApiVersion, ApiVersionInfo, ChildRelationship, ClientAuthStyle, ConnectionConfig, Delivery,
    DescribeGlobal, FieldDescribe, Grant, GrantKind, Identity, Introspection, JwtBearer,
    LimitEntry, LimitInfo, Limits, PicklistValue, QueryOptions, QueryPage, RawQueryPage,
    RawResponse, Record, RenewReason, SObjectDescribe, SObjectSummary, SaveResult, Token,
    TokenSource, UserInfo,
};
