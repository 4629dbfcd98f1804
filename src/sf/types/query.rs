//! SOQL query pages, parsed or with the records left as JSON text, and the query options.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::sf::error::ApiError;

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

/// Options of [`crate::sf::SfClient::query_stream`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueryOptions {
    /// Use `queryAll` (include deleted and archived rows).
    pub include_deleted: bool,
    /// `Sforce-Query-Options: batchSize=N` (200..2000).
    pub batch_size: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf::types::test_json as json;

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
}
