//! sObjects: describes (cached), one record's read, create, update and delete, and sObject
//! Collections.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use jiff::Timestamp;
use reqwest::Method;
use reqwest::header::{self, HeaderValue};
use serde_json::{Map, Value};

use super::transport::{Req, Target, ok};
use super::{SfClient, check_id, check_name, decode};
use crate::sf::error::ApiError;
use crate::sf::types::{ApiVersion, DescribeGlobal, Record, SObjectDescribe, SaveResult};

/// Whether a field read back holds the value that was saved (numbers compared as numbers).
fn same_value(read: Option<&Value>, saved: &Value) -> bool {
    match (read, saved) {
        (Some(Value::Number(a)), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Some(read), saved) => read == saved,
        (None, Value::Null) => true,
        (None, _) => false,
    }
}

impl SfClient {
    /// Describe global (`GET /sobjects/`).
    pub async fn describe_global(&self) -> Result<DescribeGlobal, ApiError> {
        let path = self.data_path("sobjects/").await?;
        self.get_json("describe global", Target::Instance(path, vec![]))
            .await
    }

    /// Describe of one object, cached per (org, version, lower-cased name).
    pub async fn describe(&self, sobject: &str) -> Result<Arc<SObjectDescribe>, ApiError> {
        check_name("sObject", sobject)?;
        let version = self.api_version().await?;
        let (_, token) = self.ensure_token().await?;
        let key = (token.org_id.clone(), version, sobject.to_ascii_lowercase());
        if let Some(d) = self.lock_describes().get(&key) {
            return Ok(d.clone());
        }
        let path = format!(
            "/services/data/{}/sobjects/{sobject}/describe",
            version.path_segment()
        );
        let describe: Arc<SObjectDescribe> = Arc::new(
            self.get_json("describe", Target::Instance(path, vec![]))
                .await?,
        );
        self.lock_describes().insert(key, describe.clone());
        Ok(describe)
    }

    /// Forgets cached describes (after metadata changes).
    pub fn clear_describe_cache(&self) {
        self.lock_describes().clear();
    }

    fn lock_describes(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, ApiVersion, String), Arc<SObjectDescribe>>>
    {
        self.inner
            .describes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `GET /sobjects/{T}/{id}` (optionally only `fields`), with `Last-Modified` and `ETag`.
    pub async fn get_record(
        &self,
        sobject: &str,
        id: &str,
        fields: Option<&[&str]>,
    ) -> Result<Record, ApiError> {
        check_name("sObject", sobject)?;
        check_id(id)?;
        let path = self.data_path(&format!("sobjects/{sobject}/{id}")).await?;
        let query = match fields {
            Some(f) if !f.is_empty() => {
                for name in f {
                    check_name("field", name)?;
                }
                vec![("fields".to_string(), f.join(","))]
            }
            _ => vec![],
        };
        let resp = ok(self
            .send_authed(&Req::new(Method::GET, Target::Instance(path, query)))
            .await?)?;
        let fields: Map<String, Value> = decode("record", &resp.body)?;
        let last_modified = resp
            .headers
            .get(header::LAST_MODIFIED)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| httpdate::parse_http_date(s).ok())
            .and_then(|t| Timestamp::try_from(t).ok());
        let etag = resp
            .headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Ok(Record {
            fields,
            last_modified,
            etag,
        })
    }

    /// `POST /sobjects/{T}`; returns the new id.
    pub async fn create_record(
        &self,
        sobject: &str,
        fields: &Map<String, Value>,
    ) -> Result<String, ApiError> {
        check_name("sObject", sobject)?;
        let path = self.data_path(&format!("sobjects/{sobject}")).await?;
        let req = Req::new(Method::POST, Target::Instance(path, vec![])).json(fields)?;
        let resp = ok(self.send_authed(&req).await?)?;
        let result: SaveResult = decode("create", &resp.body)?;
        match result {
            SaveResult {
                success: true,
                id: Some(id),
                ..
            } => Ok(id),
            SaveResult { errors, .. } => Err(ApiError::Api {
                status: resp.status.as_u16(),
                errors,
            }),
        }
    }

    /// `PATCH /sobjects/{T}/{id}`; with `if_unmodified_since` a concurrent change gives
    /// [`ApiError::PreconditionFailed`]. Safe to repeat, so retried after a failure that passes;
    /// when a retry meets 412 because the try before it had saved without an answer (the
    /// record now holds exactly these values), that is success.
    pub async fn update_record(
        &self,
        sobject: &str,
        id: &str,
        fields: &Map<String, Value>,
        if_unmodified_since: Option<Timestamp>,
    ) -> Result<(), ApiError> {
        check_name("sObject", sobject)?;
        check_id(id)?;
        let path = self.data_path(&format!("sobjects/{sobject}/{id}")).await?;
        let mut req = Req::new(Method::PATCH, Target::Instance(path, vec![]))
            .json(fields)?
            .repeatable();
        if let Some(ts) = if_unmodified_since {
            let when = SystemTime::try_from(ts)
                .map_err(|e| ApiError::InvalidInput(format!("If-Unmodified-Since {ts}: {e}")))?;
            let value = HeaderValue::from_str(&httpdate::fmt_http_date(when))
                .map_err(|e| ApiError::InvalidInput(e.to_string()))?;
            req = req.header(header::IF_UNMODIFIED_SINCE, value);
        }
        let resp = self.send_authed(&req).await?;
        if resp.status == reqwest::StatusCode::PRECONDITION_FAILED
            && resp.delivery.earlier_unanswered
            && self.holds(sobject, id, fields).await
        {
            tracing::info!(
                request = %resp.delivery.request,
                "a retried save met 412: the unanswered try before it had saved"
            );
            return Ok(());
        }
        ok(resp).map(|_| ())
    }

    /// Whether the record holds `fields` as given (read back, compared value by value).
    async fn holds(&self, sobject: &str, id: &str, fields: &Map<String, Value>) -> bool {
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        match self.get_record(sobject, id, Some(&names)).await {
            Ok(record) => fields
                .iter()
                .all(|(name, value)| same_value(record.fields.get(name), value)),
            Err(_) => false,
        }
    }

    /// `DELETE /sobjects/{T}/{id}`. Safe to repeat, so retried after a failure that passes; a
    /// retry that finds the record in the recycle bin (`ENTITY_IS_DELETED`) because the
    /// unanswered try before it deleted it is success.
    pub async fn delete_record(&self, sobject: &str, id: &str) -> Result<(), ApiError> {
        check_name("sObject", sobject)?;
        check_id(id)?;
        let path = self.data_path(&format!("sobjects/{sobject}/{id}")).await?;
        let resp = self
            .send_authed(&Req::new(Method::DELETE, Target::Instance(path, vec![])).repeatable())
            .await?;
        if resp.status == reqwest::StatusCode::NOT_FOUND
            && resp.delivery.earlier_unanswered
            && ok(resp.clone()).is_err_and(|e| e.error_code() == Some("ENTITY_IS_DELETED"))
        {
            tracing::info!(
                request = %resp.delivery.request,
                "a retried delete met 404: the unanswered try before it had deleted"
            );
            return Ok(());
        }
        ok(resp).map(|_| ())
    }

    /// `POST /composite/sobjects`: creates up to 200 records; each map must carry
    /// `"attributes": {"type": "<sObject>"}`. Results are in request order.
    pub async fn create_records(
        &self,
        records: Vec<Map<String, Value>>,
        all_or_none: bool,
    ) -> Result<Vec<SaveResult>, ApiError> {
        let path = self.data_path("composite/sobjects").await?;
        let body = serde_json::json!({ "allOrNone": all_or_none, "records": records });
        let req = Req::new(Method::POST, Target::Instance(path, vec![])).json(&body)?;
        let resp = ok(self.send_authed(&req).await?)?;
        decode("composite/sobjects", &resp.body)
    }
}
