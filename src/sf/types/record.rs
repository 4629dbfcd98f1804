//! Records: one fetched record with its concurrency headers, and the result of a save.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::sf::error::SfError;

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
