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

/// Every limit a Developer Edition org reports, with its maximum (from a recorded real
/// `/limits` answer, `tests/fixtures/sf/swiftlysalesforce/limits.json`); nothing but the daily
/// API requests is counted, the others stay at their maximum.
const LIMITS: [(&str, u64); 48] = [
    ("AnalyticsExternalDataSizeMB", 40_960),
    ("BOZosCalloutHourlyLimit", 20_000),
    ("ConcurrentAsyncGetReportInstances", 200),
    ("ConcurrentEinsteinDataInsightsStoryCreation", 5),
    ("ConcurrentEinsteinDiscoveryStoryCreation", 2),
    ("ConcurrentSyncReportRuns", 20),
    ("DailyAnalyticsDataflowJobExecutions", 60),
    ("DailyAnalyticsUploadedFilesSizeMB", 51_200),
    ("DailyApiRequests", 0),
    ("DailyAsyncApexExecutions", 250_000),
    ("DailyBulkApiBatches", 15_000),
    ("DailyBulkV2QueryFileStorageMB", 976_562),
    ("DailyBulkV2QueryJobs", 10_000),
    ("DailyDurableGenericStreamingApiEvents", 10_000),
    ("DailyDurableStreamingApiEvents", 10_000),
    ("DailyEinsteinDataInsightsStoryCreation", 1_000),
    ("DailyEinsteinDiscoveryPredictAPICalls", 50_000),
    ("DailyEinsteinDiscoveryPredictionsByCDC", 500_000),
    ("DailyEinsteinDiscoveryStoryCreation", 100),
    ("DailyFunctionsApiCallLimit", 50_000),
    ("DailyGenericStreamingApiEvents", 10_000),
    ("DailyStandardVolumePlatformEvents", 10_000),
    ("DailyStreamingApiEvents", 10_000),
    ("DailyWorkflowEmails", 195),
    ("DataStorageMB", 5),
    ("DurableStreamingApiConcurrentClients", 20),
    ("FileStorageMB", 20),
    ("HourlyAsyncReportRuns", 1_200),
    ("HourlyDashboardRefreshes", 200),
    ("HourlyDashboardResults", 5_000),
    ("HourlyDashboardStatuses", 999_999_999),
    ("HourlyLongTermIdMapping", 100_000),
    ("HourlyManagedContentPublicRequests", 50_000),
    ("HourlyODataCallout", 1_000),
    ("HourlyPublishedPlatformEvents", 50_000),
    ("HourlyPublishedStandardVolumePlatformEvents", 1_000),
    ("HourlyShortTermIdMapping", 100_000),
    ("HourlySyncReportRuns", 500),
    ("HourlyTimeBasedWorkflow", 50),
    ("MassEmail", 10),
    ("MonthlyEinsteinDiscoveryStoryCreation", 500),
    ("MonthlyPlatformEventsUsageEntitlement", 0),
    ("Package2VersionCreates", 6),
    ("Package2VersionCreatesWithoutValidation", 500),
    ("PermissionSets", 1_500),
    ("PrivateConnectOutboundCalloutHourlyLimitMB", 0),
    ("SingleEmail", 15),
    ("StreamingApiConcurrentClients", 20),
];

/// Limits that also list the org's connected apps, each `{Max, Remaining}` by app label.
const PER_APP: [&str; 4] = [
    "DailyApiRequests",
    "DailyBulkApiBatches",
    "DailyGenericStreamingApiEvents",
    "DailyStreamingApiEvents",
];

/// `GET /limits`: every limit as `{Max, Remaining}`, some with per-app entries.
pub(super) fn limits(shared: &Shared) -> Response {
    let used = shared.api_usage();
    let pair = |max: u64, remaining: u64| json!({"Max": max, "Remaining": remaining});
    let mut body = Map::new();
    for (name, max) in LIMITS {
        let entry = match name {
            "DailyApiRequests" => {
                let max = shared.config.api_daily_limit;
                pair(max, max.saturating_sub(used))
            }
            "PermissionSets" => json!({"Max": max, "Remaining": max,
                                       "CreateCustom": pair(1_000, 1_000)}),
            _ => pair(max, max),
        };
        let mut entry = match entry {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        if PER_APP.contains(&name) {
            for app in &shared.apps {
                entry.insert(app.label.clone(), pair(0, 0));
            }
        }
        body.insert(name.to_owned(), Value::Object(entry));
    }
    json_response(StatusCode::OK, &Value::Object(body))
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
