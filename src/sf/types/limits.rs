//! API limits: the usage header on every response and the `/limits` resource.

use indexmap::IndexMap;
use serde_json::Value;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
