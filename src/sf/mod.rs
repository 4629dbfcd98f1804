//! Salesforce client core: OAuth client credentials, REST, typed errors. No UI code.
//!
//! [`SfClient`] logs in with the client credentials flow, renews its token once (shared by
//! concurrent callers) when Salesforce answers 401 `INVALID_SESSION_ID`, and maps every failure
//! to an [`ApiError`] whose [`ApiError::diagnosis`] explains it in plain words.
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
pub mod error;
pub mod id;
pub mod json_ref;
pub mod types;

#[cfg(test)]
mod fuzz_tests;

pub use client::{Clock, LimitBackoff, QueryStream, SfClient, Spill, SystemClock};
pub use error::{ApiError, Diagnosis, SfError};
pub use json_ref::{JsonRef, ObjectRef};
pub use types::{
    ApiVersion, ApiVersionInfo, ChildRelationship, ClientAuthStyle, ConnectionConfig,
    DescribeGlobal, FieldDescribe, Identity, Introspection, LimitEntry, LimitInfo, Limits,
    PicklistValue, QueryOptions, QueryPage, RawQueryPage, RawResponse, Record, RenewReason,
    SObjectDescribe, SObjectSummary, SaveResult, Token, UserInfo,
};
