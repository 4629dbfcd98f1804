//! What the org offers: its API versions (the pinned one or the highest, cached per org) and
//! its limits.

use serde_json::Value;

use super::SfClient;
use super::transport::Target;
use crate::sf::error::ApiError;
use crate::sf::types::{ApiVersion, ApiVersionInfo, Limits, parse_limits};

/// What the org says it is (`SELECT ... FROM Organization`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgFacts {
    pub name: String,
    pub organization_type: String,
    pub is_sandbox: bool,
    /// Set for trial and scratch orgs.
    pub trial_expiration_date: Option<String>,
}

impl SfClient {
    /// The org's own record: what real tools ask right after login.
    pub async fn org_facts(&self) -> Result<OrgFacts, ApiError> {
        let page = self
            .query(
                "SELECT Id, Name, OrganizationType, IsSandbox, TrialExpirationDate FROM Organization",
            )
            .await?;
        let record = page.records.first().ok_or_else(|| ApiError::Decode {
            what: "Organization".into(),
            message: "the query returned no Organization".into(),
        })?;
        let text = |k: &str| record.get(k).and_then(Value::as_str).map(str::to_owned);
        Ok(OrgFacts {
            name: text("Name").unwrap_or_default(),
            organization_type: text("OrganizationType").unwrap_or_default(),
            is_sandbox: record
                .get("IsSandbox")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            trial_expiration_date: text("TrialExpirationDate"),
        })
    }

    /// `GET /services/data`: the versions the org offers.
    pub async fn versions(&self) -> Result<Vec<ApiVersionInfo>, ApiError> {
        self.get_json(
            "versions",
            Target::Instance("/services/data/".into(), vec![]),
        )
        .await
    }

    /// The pinned version, or the highest the org offers (asked once per org, then cached).
    pub async fn api_version(&self) -> Result<ApiVersion, ApiError> {
        if let Some(v) = self.inner.config.api_version {
            return Ok(v);
        }
        let (_, token) = self.ensure_token().await?;
        let org = token.org_id.clone();
        if let Some((cached_org, v)) = self.lock_version().as_ref()
            && *cached_org == org
        {
            return Ok(*v);
        }
        let highest = self
            .versions()
            .await?
            .iter()
            .filter_map(ApiVersionInfo::api_version)
            .max()
            .ok_or_else(|| ApiError::Decode {
                what: "versions".into(),
                message: "the org lists no API version".into(),
            })?;
        *self.lock_version() = Some((org, highest));
        Ok(highest)
    }

    fn lock_version(&self) -> std::sync::MutexGuard<'_, Option<(String, ApiVersion)>> {
        self.inner
            .version
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(in crate::sf) async fn data_path(&self, rest: &str) -> Result<String, ApiError> {
        Ok(format!(
            "/services/data/{}/{rest}",
            self.api_version().await?.path_segment()
        ))
    }

    /// `GET /limits`.
    pub async fn limits(&self) -> Result<Limits, ApiError> {
        let path = self.data_path("limits").await?;
        let value: Value = self
            .get_json("limits", Target::Instance(path, vec![]))
            .await?;
        parse_limits(&value).ok_or_else(|| ApiError::Decode {
            what: "limits".into(),
            message: "not a JSON object".into(),
        })
    }
}
