//! Property-based fuzzing of every JSON response parser of the client: arbitrary bytes, byte
//! mutations of the recorded fixtures and reshaped fixtures (right keys, wrong types) go through
//! the same decoding the client does. None may panic; a decode failure must be an
//! [`ApiError::Decode`] with a message. Cases: `PROPTEST_CASES` (default 256 per property).

use proptest::prelude::*;
use serde_json::{Map, Value};

#[path = "../../tests/support/mutate.rs"]
mod mutate;

use super::bulk::{BulkJob, header_end, write_csv_page};
use super::client::decode;
use super::error::{ApiError, SfError, error_from_response, snippet};
use super::types::{
    ApiVersionInfo, DescribeGlobal, Identity, Introspection, IntrospectionBody, LimitInfo,
    QueryPage, RawQueryPage, RenewReason, SObjectDescribe, SaveResult, TokenResponse, UserInfo,
    parse_limits,
};

const CASES: u32 = 256;

fn seeds() -> Vec<Vec<u8>> {
    mutate::json_fixtures()
}

/// A decode error must say what failed.
fn check_decode<T>(r: Result<T, ApiError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            assert!(matches!(e, ApiError::Decode { .. }), "{e:?}");
            assert!(!e.to_string().is_empty());
            let _ = e.diagnosis();
            None
        }
    }
}

proptest! {
    #![proptest_config(mutate::config(CASES))]

    #[test]
    fn token_response(body in mutate::json_input(seeds())) {
        if let Some(t) = check_decode(decode::<TokenResponse>("token", &body))
            && let Ok(token) = t.into_token(RenewReason::Initial)
        {
            let _ = token.assumed_expiry();
            let _ = token.has_scope("api");
        }
    }

    #[test]
    fn introspection(body in mutate::json_input(seeds())) {
        if let Some(b) = check_decode(decode::<IntrospectionBody>("introspect", &body)) {
            let _ = Introspection::from(b);
        }
    }

    #[test]
    fn error_bodies(
        status in prop_oneof![Just(400u16), Just(401), Just(403), Just(404), Just(412),
            Just(500), Just(502), Just(503), 100u16..600],
        html in any::<bool>(),
        body in mutate::json_input(seeds()),
    ) {
        let ct = if html { Some("text/html") } else { Some("application/json") };
        let e = error_from_response(status, ct, &body);
        let d = e.diagnosis();
        prop_assert!(!d.title.is_empty());
        let _ = (e.to_string(), e.error_code(), e.status(), e.is_renewable_session_error());
        let _ = serde_json::from_slice::<Vec<SfError>>(&body);
        prop_assert!(snippet(&body).chars().count() <= 201);
    }

    #[test]
    fn query_pages(body in mutate::json_input(seeds())) {
        let page = check_decode(decode::<QueryPage>("query", &body));
        // The page with raw records (`sfterm query`) reads the same bytes the same way.
        let raw = check_decode(RawQueryPage::decode(&bytes::Bytes::from(body.clone())));
        let parsed = raw.and_then(|raw| check_decode(raw.parse()));
        prop_assert_eq!(parsed, page);
        check_decode(decode::<Map<String, Value>>("record", &body));
        check_decode(decode::<SaveResult>("create", &body));
        check_decode(decode::<Vec<SaveResult>>("composite/sobjects", &body));
    }

    #[test]
    fn describes(body in mutate::json_input(seeds())) {
        check_decode(decode::<DescribeGlobal>("describe", &body));
        if let Some(d) = check_decode(decode::<SObjectDescribe>("describe", &body)) {
            let _ = d.field("Name");
            for f in &d.fields {
                let _ = f.required_on_create();
            }
        }
        if let Some(v) = check_decode(decode::<Vec<ApiVersionInfo>>("versions", &body)) {
            for i in v {
                let _ = i.api_version();
            }
        }
        check_decode(decode::<Identity>("identity", &body));
        check_decode(decode::<UserInfo>("userinfo", &body));
    }

    #[test]
    fn limits(body in mutate::json_input(seeds()), header in "[ -~]{0,64}") {
        if let Some(v) = check_decode(decode::<Value>("limits", &body)) {
            let _ = parse_limits(&v);
        }
        let _ = LimitInfo::parse(&header);
        let _ = LimitInfo::parse(&String::from_utf8_lossy(&body));
    }

    #[test]
    fn bulk_jobs(body in mutate::json_input(seeds()), csv in mutate::bytes(256)) {
        if let Some(job) = check_decode(decode::<BulkJob>("bulk job", &body)) {
            let _ = (job.is_finished(), job.version());
        }
        let end = header_end(&csv);
        prop_assert!(end <= csv.len());
        let mut out = Vec::new();
        prop_assert!(write_csv_page(&mut out, &csv, false).is_ok());
    }
}

#[test]
fn fixtures_are_found() {
    assert!(seeds().len() >= 20, "the JSON fixtures feed the mutations");
}
