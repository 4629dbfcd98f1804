//! The directory resources: `GET /services/data` (API versions), `GET /services/data/vNN.0`
//! (the version's resources) and `/limits`.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::super::state::{Shared, json_response};

/// `v62.0` → `"62.0"` when the version is served.
pub(super) fn parse_version(shared: &Shared, segment: &str) -> Option<String> {
    let number = segment.strip_prefix('v')?.strip_suffix(".0")?;
    let n: u32 = number.parse().ok()?;
    (31..=shared.config.latest_api_version)
        .contains(&n)
        .then(|| format!("{n}.0"))
}

/// Release label of an API version (`31` → `Summer '14`).
fn release_label(version: u32) -> String {
    let index = version.saturating_sub(31);
    let season = ["Summer", "Winter", "Spring"][(index % 3) as usize];
    format!("{season} '{:02}", 14 + index.div_ceil(3))
}

/// `GET /services/data`: every served version (no authentication needed).
pub(super) fn versions(shared: &Shared) -> Response {
    let list: Vec<Value> = (31..=shared.config.latest_api_version)
        .map(|v| {
            json!({"label": release_label(v), "url": format!("/services/data/v{v}.0"),
                   "version": format!("{v}.0")})
        })
        .collect();
    json_response(StatusCode::OK, &Value::Array(list))
}

pub(super) fn resources(shared: &Shared, version: &str) -> Response {
    let mut map = Map::new();
    for name in [
        "tooling",
        "metadata",
        "eclair",
        "folders",
        "chatter",
        "tabs",
        "appMenu",
        "quickActions",
        "queryAll",
        "query",
        "search",
        "sobjects",
        "limits",
        "composite",
        "jobs",
        "recent",
        "parameterizedSearch",
    ] {
        map.insert(
            name.to_owned(),
            json!(format!("/services/data/v{version}/{name}")),
        );
    }
    map.insert("identity".to_owned(), json!(shared.identity_url()));
    json_response(StatusCode::OK, &Value::Object(map))
}

pub(super) fn limits(shared: &Shared) -> Response {
    let max = shared.config.api_daily_limit;
    let used = shared.api_usage();
    let mut daily = Map::new();
    daily.insert("Max".into(), json!(max));
    daily.insert("Remaining".into(), json!(max.saturating_sub(used)));
    for app in &shared.apps {
        daily.insert(app.label.clone(), json!({"Max": 0, "Remaining": 0}));
    }
    let pair = |m: u64| json!({"Max": m, "Remaining": m});
    json_response(
        StatusCode::OK,
        &json!({
            "ConcurrentAsyncGetReportInstances": pair(200),
            "ConcurrentSyncReportRuns": pair(20),
            "DailyApiRequests": Value::Object(daily),
            "DailyAsyncApexExecutions": pair(250_000),
            "DailyBulkApiBatches": pair(15_000),
            "DailyBulkV2QueryFileStorageMB": pair(976_562),
            "DailyBulkV2QueryJobs": pair(10_000),
            "DailyStreamingApiEvents": pair(10_000),
            "DataStorageMB": pair(5),
            "FileStorageMB": pair(20),
            "HourlyTimeBasedWorkflow": pair(50),
            "SingleEmail": pair(15),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_labels_follow_the_three_releases_a_year() {
        assert_eq!(release_label(31), "Summer '14");
        assert_eq!(release_label(32), "Winter '15");
        assert_eq!(release_label(33), "Spring '15");
        assert_eq!(release_label(60), "Spring '24");
        assert_eq!(release_label(67), "Summer '26");
        assert_eq!(release_label(68), "Winter '27");
    }
}
