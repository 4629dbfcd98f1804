//! Import of the official Salesforce Postman collection and environment
//! (tests/fixtures/postman/, from forcedotcom/postman-salesforce-apis).

use sfterm::config::profiles::SecretSource;
use sfterm::requests::postman::{Unmapped, import_collection, import_environment};
use sfterm::requests::request::RequestKind;
use sfterm::requests::store::RequestStore;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/postman/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).expect("fixture readable")
}

fn collection() -> sfterm::requests::postman::CollectionImport {
    import_collection(&fixture("Salesforce API.postman_collection.json"), &[])
        .expect("collection imports")
}

#[test]
fn every_request_appears_in_its_folder() {
    let imp = collection();
    assert_eq!(imp.name, "Salesforce API");
    assert_eq!(imp.requests.len(), 43);
    let count = |folder: &[&str]| {
        imp.requests
            .iter()
            .filter(|r| {
                r.folder
                    .iter()
                    .map(String::as_str)
                    .eq(folder.iter().copied())
            })
            .count()
    };
    for (folder, n) in [
        (&["Auth"][..], 16),
        (&["Bulk V1"][..], 6),
        (&["Bulk V2"][..], 9),
        (&["REST"][..], 3),
        (&["Chatter"][..], 1),
        (&["Tooling"][..], 4),
        (&["Trailhead"][..], 1),
        (&["Metadata"][..], 1),
        (&["Composite"][..], 1),
        (&[][..], 1),
    ] {
        assert_eq!(count(folder), n, "folder {folder:?}");
    }
    let find = |name: &str| {
        imp.requests
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("{name} imported"))
    };
    let limit = find("Limit");
    assert_eq!(limit.method, "GET");
    assert_eq!(limit.path, "/services/data/v{{api_version}}/limits");
    // The Tooling quirk (no "v") is corrected.
    assert_eq!(
        find("ApexCodeCoverageAggregate").path,
        "/services/data/v{{api_version}}/tooling/sobjects/ApexCodeCoverageAggregate"
    );
    assert_eq!(
        find("ID Token").path,
        "/id/{{org_id}}/{{user_id}}",
        "orgId/userId map to the session"
    );
    let search = find("Tooling Search");
    assert_eq!(search.params[0].name, "q");
    assert_eq!(search.params[0].value, "Select id from TraceFlag");
    let soap = find("SOAP DescribeMetadata");
    assert_eq!(soap.kind, RequestKind::Soap);
    assert!(
        find("Composite REST")
            .body
            .as_deref()
            .is_some_and(|b| b.contains("compositeRequest"))
    );
    // No Authorization header survives: the token is applied at send time.
    assert!(imp.requests.iter().flat_map(|r| &r.headers).all(|h| {
        !h.name.eq_ignore_ascii_case("authorization") && !h.value.contains("access_token")
    }));
}

#[test]
fn the_report_lists_what_was_not_mapped() {
    let imp = collection();
    let text = imp.report.to_string();
    // Scripts, non-raw bodies, unknown variables, the doubled {{url}}.
    assert!(
        imp.report
            .for_item("Auth/JWT Bearer Token Flow")
            .iter()
            .any(|u| matches!(u, Unmapped::Script(l) if l == "test")),
        "{text}"
    );
    for (item, needle) in [
        ("Auth/Web Server Flow 2", "formdata body not imported"),
        ("Chatter/Upload Photo Chatter", "formdata body not imported"),
        (
            "Bulk V1/Bulk Create Batch",
            "file (empty) body not imported",
        ),
        ("Bulk V2/Upload Job Data", "body not imported"),
        ("Bulk V1/Bulk Spec", "{{jobid}} has no value"),
        (
            "Bulk V1/Bulk Retrieve Batch Result",
            "{{batchId}} has no value",
        ),
        ("Auth/OAuth Username Password", "origin variables"),
        ("Auth/OAuth Username Password", "{{username}} has no value"),
        ("Tooling/Tooling Search", "had no \"v\""),
        ("Composite/Composite REST", "header Authorization dropped"),
    ] {
        let notes: Vec<String> = imp
            .report
            .for_item(item)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            notes.iter().any(|n| n.contains(needle)),
            "{item}: {needle:?} not in {notes:?}"
        );
    }
}

#[test]
fn imported_requests_round_trip_through_the_store() {
    let imp = import_collection(
        &fixture("Salesforce API.postman_collection.json"),
        &["Salesforce API".to_string()],
    )
    .expect("import");
    let dir = tempfile::tempdir().expect("tmp");
    let store = RequestStore::new(dir.path());
    for r in &imp.requests {
        store.save(r).expect("save");
    }
    let listing = store.list();
    assert!(listing.errors.is_empty(), "{:?}", listing.errors);
    assert_eq!(listing.requests.len(), 43);
    for r in &imp.requests {
        assert!(
            listing.requests.iter().any(|s| &s.request == r),
            "{} did not round-trip",
            r.name
        );
    }
    assert!(dir.path().join("requests/Salesforce API/Bulk V2").is_dir());
}

#[test]
fn the_template_environment_becomes_a_profile() {
    let source = SecretSource::Env {
        var: "SF_SECRET".into(),
    };
    let imp = import_environment(
        &fixture("Salesforce Template Environment.postman_environment.json"),
        "Template",
        source,
    )
    .expect("environment imports");
    assert_eq!(imp.profile.endpoint, "https://test.salesforce.com");
    assert_eq!(imp.profile.api_version.as_deref(), Some("46.0"));
    assert_eq!(imp.profile.client_id, "");
    assert!(imp.secret.is_none());
    let report = imp.report.join("\n");
    assert!(report.contains("no clientId"), "{report}");
    assert!(report.contains("no clientSecret"), "{report}");
}
