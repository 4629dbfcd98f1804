//! Salesforce client core: OAuth client credentials, REST, typed errors. No UI code.
pub mod client;
pub mod error;
pub mod id;
pub mod types;

pub use client::SfClient;
pub use error::{ApiError, Diagnosis, SfError};
pub use types::{
    ApiVersion, ApiVersionInfo, ChildRelationship, ClientAuthStyle, ConnectionConfig,
    DescribeGlobal, FieldDescribe, Identity, Introspection, LimitEntry, LimitInfo, Limits,
    PicklistValue, QueryOptions, QueryPage, RawResponse, Record, RenewReason, SObjectDescribe,
    SObjectSummary, SaveResult, Token, UserInfo,
};
