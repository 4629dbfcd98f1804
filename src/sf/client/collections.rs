//! sObject Collections writes of many records: the same fields set on each (`PATCH
//! /composite/sobjects`) and deletes (`DELETE /composite/sobjects?ids=`), in calls of at most
//! [`COLLECTION_LIMIT`] records with `allOrNone` false, each record's result matched to it by
//! position.
//!
//! A collections write is not safe to send twice (the retry policy, `retry.rs`): a call is
//! sent again only when Salesforce refused it without running it (429, a passing request
//! limit) or it never left; any other failure of a whole call is that call's records' error,
//! and the calls after it are not made.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::transport::{Req, Target, ok};
use super::{SfClient, check_id, check_name, decode};
use crate::sf::error::{ApiError, SfError};
use crate::sf::types::SaveResult;

/// Records per sObject Collections call at most.
pub const COLLECTION_LIMIT: usize = 200;

/// Why one record of a collections write was not written.
#[derive(Debug, Clone)]
pub enum RowError {
    /// Salesforce refused this record (`statusCode`, message, fields).
    Record(Vec<SfError>),
    /// The call that carried it failed as a whole (it may or may not have taken effect when
    /// the answer never came).
    Call(ApiError),
    /// Not sent: an earlier call failed as a whole.
    NotSent,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RowError::Record(errors) if errors.is_empty() => {
                f.write_str("not saved (no reason given)")
            }
            RowError::Record(errors) => {
                let parts: Vec<String> = errors
                    .iter()
                    .map(|e| {
                        let fields = if e.fields.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", e.fields.join(", "))
                        };
                        format!("{}: {}{fields}", e.error_code, e.message)
                    })
                    .collect();
                f.write_str(&parts.join("; "))
            }
            RowError::Call(e) => write!(f, "the call failed: {e}"),
            RowError::NotSent => f.write_str("not sent: an earlier call failed"),
        }
    }
}

/// One result per record, in the order given.
pub type RowResults = Vec<Result<(), RowError>>;

impl SfClient {
    /// Sets `fields` on every record of `ids` (all of `sobject`): `PATCH /composite/sobjects`
    /// with `allOrNone` false, [`COLLECTION_LIMIT`] records a call.
    pub async fn update_records(
        &self,
        sobject: &str,
        ids: &[String],
        fields: &Map<String, Value>,
    ) -> Result<RowResults, ApiError> {
        check_name("sObject", sobject)?;
        for id in ids {
            check_id(id)?;
        }
        let path = self.data_path("composite/sobjects").await?;
        self.in_calls(ids, |chunk| {
            let records: Vec<Value> = chunk
                .iter()
                .map(|id| {
                    let mut record = fields.clone();
                    record.insert("attributes".into(), json!({ "type": sobject }));
                    record.insert("id".into(), Value::String(id.clone()));
                    Value::Object(record)
                })
                .collect();
            let body = json!({ "allOrNone": false, "records": records });
            Req::new(Method::PATCH, Target::Instance(path.clone(), vec![])).json(&body)
        })
        .await
    }

    /// Deletes the records `ids`: `DELETE /composite/sobjects?ids=…&allOrNone=false`,
    /// [`COLLECTION_LIMIT`] ids a call.
    pub async fn delete_records(&self, ids: &[String]) -> Result<RowResults, ApiError> {
        for id in ids {
            check_id(id)?;
        }
        let path = self.data_path("composite/sobjects").await?;
        self.in_calls(ids, |chunk| {
            let query = vec![
                ("ids".to_string(), chunk.join(",")),
                ("allOrNone".to_string(), "false".to_string()),
            ];
            Ok(Req::new(
                Method::DELETE,
                Target::Instance(path.clone(), query),
            ))
        })
        .await
    }

    /// `ids` in calls of [`COLLECTION_LIMIT`], each built by `request_of`; once a call fails as
    /// a whole, the later ones are not made (their records: [`RowError::NotSent`]).
    async fn in_calls(
        &self,
        ids: &[String],
        request_of: impl Fn(&[String]) -> Result<Req, ApiError>,
    ) -> Result<RowResults, ApiError> {
        let mut results = Vec::with_capacity(ids.len());
        let mut call_failed = false;
        for chunk in ids.chunks(COLLECTION_LIMIT) {
            if call_failed {
                results.extend(chunk.iter().map(|_| Err(RowError::NotSent)));
                continue;
            }
            let answer = self.collection_call(&request_of(chunk)?, chunk.len()).await;
            call_failed = answer.iter().any(|r| matches!(r, Err(RowError::Call(_))));
            results.extend(answer);
        }
        Ok(results)
    }

    /// One collections call of `n` records: their results by position (a result missing from
    /// the answer is that record's error), or the call's error for each.
    async fn collection_call(&self, req: &Req, n: usize) -> RowResults {
        let answer = match self.send_authed(req).await.and_then(ok) {
            Ok(resp) => decode::<Vec<SaveResult>>("composite/sobjects", &resp.body),
            Err(e) => Err(e),
        };
        match answer {
            Ok(saved) => {
                let mut saved = saved.into_iter();
                (0..n)
                    .map(|_| match saved.next() {
                        Some(SaveResult { success: true, .. }) => Ok(()),
                        Some(SaveResult { errors, .. }) => Err(RowError::Record(errors)),
                        None => Err(RowError::Call(ApiError::Decode {
                            what: "composite/sobjects".into(),
                            message: "the answer has no result for this record".into(),
                        })),
                    })
                    .collect()
            }
            Err(e) => (0..n).map(|_| Err(RowError::Call(e.clone()))).collect(),
        }
    }
}
