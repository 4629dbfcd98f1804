//! The mock org held to real Salesforce: every recorded real response in `tests/fixtures/sf/`
//! is compared with the mock org's answer to the same request, at the lowest and the highest
//! API version served ([`super::shape`]: every recorded key present with the same JSON type,
//! `null` only where recorded); every object the mock org serves is compared with the recorded
//! describes (its describe-global entry, its describe, each of its fields); the resources
//! nobody recorded are compared with the shapes `../shared/reference/salesforce-api.md`
//! documents, SOAP included (§7). The report names every recording compared, every object
//! covered and the mock org's extra keys (`cargo test --test mock_org conformance --
//! --nocapture` prints it).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sfterm::mock_org::{MockOrg, MockOrgConfig, OrgType, Scenario};

use super::shape::{Report, Rules, Shape, compare};

/// The recordings, as copied from their sources (see `tests/fixtures/sf/README.md`).
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sf")
}

fn recording(name: &str) -> Value {
    let path = fixtures().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `*.json` under `dir`, as paths relative to the fixtures, sorted.
fn recordings(dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            recordings(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            let relative = path.strip_prefix(fixtures()).expect("under the fixtures");
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// The API versions every comparison runs at: the lowest and the highest served.
fn versions() -> [String; 2] {
    let latest = MockOrgConfig::default().latest_api_version;
    ["31.0".to_owned(), format!("{latest}.0")]
}

/// A running mock org, its token and the ids a test needs.
struct Org {
    org: MockOrg,
    client: reqwest::Client,
    token: String,
    /// The identity URL of the token.
    identity: String,
}

impl Org {
    async fn start(scenario: Scenario, org_type: OrgType) -> Org {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let org = MockOrg::start(MockOrgConfig {
            // More than the smallest query batch (200): a query has two pages.
            records: 250,
            scenario,
            org_type,
            ..MockOrgConfig::default()
        })
        .await
        .expect("mock org starts");
        let client = reqwest::Client::new();
        let (_, body) = token(&org, &client, org.client_secret()).await;
        Org {
            token: body["access_token"].as_str().expect("token").to_owned(),
            identity: body["id"].as_str().expect("identity URL").to_owned(),
            org,
            client,
        }
    }

    /// The org id the token carries.
    fn org_id(&self) -> &str {
        self.identity.rsplit('/').nth(1).expect("org id")
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            return path.to_owned();
        }
        format!(
            "{}{}",
            self.org.instance_url(),
            path.trim_start_matches('/')
        )
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.expect("answer");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn query(&self, v: &str, soql: &str) -> (u16, Value) {
        let request = self
            .client
            .get(self.url(&format!("services/data/v{v}/query")))
            .query(&[("q", soql)])
            .bearer_auth(&self.token);
        self.send(request).await
    }

    /// The Id of the first seeded record of `object`.
    async fn first_id(&self, v: &str, object: &str) -> String {
        let (_, page) = self
            .query(v, &format!("SELECT Id FROM {object} ORDER BY Id LIMIT 1"))
            .await;
        page["records"][0]["Id"]
            .as_str()
            .expect("a record")
            .to_owned()
    }
}

async fn token(org: &MockOrg, client: &reqwest::Client, secret: &str) -> (u16, Value) {
    let response = client
        .post(
            org.instance_url()
                .join("services/oauth2/token")
                .expect("url"),
        )
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", org.client_id()),
            ("client_secret", secret),
        ])
        .send()
        .await
        .expect("token answer");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// Renames `from` to `to` in a recorded object (recordings of other objects, e.g. restforce's
/// fictional `Whizbang`, are compared with the mock org's equivalent fields).
fn rename(value: &mut Value, from: &str, to: &str) {
    if let Some(map) = value.as_object_mut()
        && let Some(v) = map.remove(from)
    {
        map.insert(to.to_owned(), v);
    }
}

fn rename_in_records(value: &mut Value, pairs: &[(&str, &str)]) {
    for record in value["records"].as_array_mut().into_iter().flatten() {
        for (from, to) in pairs {
            rename(record, from, to);
        }
    }
}

/// One comparison: the (adapted) recording, the mock org's answer and the leniencies.
struct Case {
    recorded: Value,
    status: (u16, u16),
    answer: Value,
    rules: Rules,
}

const SUBQUERY: &str = "parent-to-child subqueries are not emulated, see docs/mock-org.md";

/// The mock org's answer to the request a recording answered, at API version `v`.
async fn case(org: &Org, name: &str, v: &str) -> Case {
    let mut recorded = recording(name);
    let data = format!("services/data/v{v}");
    let (want, (status, answer), rules) = match name {
        "cumulusci/account_describe.json" => (
            200,
            org.get(&format!("{data}/sobjects/Account/describe")).await,
            Rules::default(),
        ),
        "cumulusci/contact_describe.json" => (
            200,
            org.get(&format!("{data}/sobjects/Contact/describe")).await,
            Rules::default(),
        ),
        "cumulusci/lead_describe.json" => (
            200,
            org.get(&format!("{data}/sobjects/Lead/describe")).await,
            Rules::default(),
        ),
        "cumulusci/global_describe.json" | "restforce/list_sobjects_success_response.json" => (
            200,
            org.get(&format!("{data}/sobjects/")).await,
            Rules::default(),
        ),
        "cumulusci/composite_errors.json" => {
            let body = json!({"compositeRequest": [{"method": "GET",
                "url": format!("/{data}/sobjects/Foo"), "referenceId": "CCI__RefId__0__"}]});
            (
                200,
                org.call(
                    reqwest::Method::POST,
                    &format!("{data}/composite"),
                    Some(body),
                )
                .await,
                Rules::default(),
            )
        }
        "cumulusci/composite_query_errors.json" => {
            let body = json!({"compositeRequest": [
                {"referenceId": "refAccount", "method": "GET",
                 "url": format!("/{data}/query/?q=select count() from Account")},
                {"referenceId": "refXYZZY", "method": "GET",
                 "url": format!("/{data}/query/?q=select count() from XYZZY")}]});
            (
                200,
                org.call(
                    reqwest::Method::POST,
                    &format!("{data}/composite"),
                    Some(body),
                )
                .await,
                Rules::default(),
            )
        }
        "cumulusci/collections_create.json" => {
            let body = json!({"allOrNone": false,
                "records": [{"attributes": {"type": "Account"}, "Name": "Sitwell-Bluth"}]});
            (
                200,
                org.call(
                    reqwest::Method::POST,
                    &format!("{data}/composite/sobjects"),
                    Some(body),
                )
                .await,
                Rules::default(),
            )
        }
        // A scratch org's record (the conformance org plays one, --org-type scratch).
        "cumulusci/organization_record.json" => (
            200,
            org.get(&format!("{data}/sobjects/Organization/{}", org.org_id()))
                .await,
            Rules::default(),
        ),
        "cumulusci/query_count_aggregate.json" => (
            200,
            org.query(v, "select count(Id) from Account").await,
            Rules::default(),
        ),
        "cumulusci/query_user.json" => (
            200,
            org.query(v, "SELECT FirstName,LastName FROM User LIMIT 1")
                .await,
            Rules::default(),
        ),
        "restforce/auth_success_response.json" => (
            200,
            token(&org.org, &org.client, org.org.client_secret()).await,
            Rules::default(),
        ),
        "restforce/auth_error_response.json" => (
            400,
            token(&org.org, &org.client, "wrong").await,
            Rules::default(),
        ),
        "restforce/create_success_response.json" => {
            let body = json!({"Name": "Conformance Co"});
            (
                201,
                org.call(
                    reqwest::Method::POST,
                    &format!("{data}/sobjects/Account"),
                    Some(body),
                )
                .await,
                Rules::default(),
            )
        }
        "restforce/delete_error_response.json" => (
            404,
            org.call(
                reqwest::Method::DELETE,
                &format!("{data}/sobjects/Account/rid"),
                None,
            )
            .await,
            Rules::default(),
        ),
        "restforce/expired_session_response.json" => {
            let request = org
                .client
                .get(org.url(&format!("{data}/limits")))
                .bearer_auth("00Dexpired!token");
            (401, org.send(request).await, Rules::default())
        }
        "restforce/query_aggregate_success_response.json" => {
            rename_in_records(&mut recorded, &[("CampaignId", "AccountId")]);
            (
                200,
                org.query(
                    v,
                    "SELECT AccountId, COUNT(Id) FROM Contact GROUP BY AccountId",
                )
                .await,
                Rules::default(),
            )
        }
        "restforce/query_empty_response.json" => (
            200,
            org.query(v, "SELECT Id FROM Account WHERE Name = 'no such account'")
                .await,
            Rules::default(),
        ),
        "restforce/query_error_response.json" => (
            400,
            org.query(v, "SELECT Foo FROM Account").await,
            Rules::default(),
        ),
        "restforce/query_paginated_first_page_response.json"
        | "restforce/query_paginated_last_page_response.json" => {
            rename_in_records(&mut recorded, &[("Text_Label", "Name")]);
            let request = org
                .client
                .get(org.url(&format!("{data}/query")))
                .query(&[("q", "SELECT Name FROM Account")])
                .header("Sforce-Query-Options", "batchSize=200")
                .bearer_auth(&org.token);
            let (status, first) = org.send(request).await;
            if name.ends_with("first_page_response.json") {
                (200, (status, first), Rules::default())
            } else {
                let next = first["nextRecordsUrl"]
                    .as_str()
                    .expect("a second page")
                    .to_owned();
                (200, org.get(&next).await, Rules::default())
            }
        }
        "restforce/query_success_response.json" => {
            // Whizbang's checkbox, text, date, datetime, multi-select, parent and children, as
            // a Contact's own fields, its Account and (not emulated) a subquery.
            let (_, account) = org
                .call(
                    reqwest::Method::POST,
                    &format!("{data}/sobjects/Account"),
                    Some(json!({"Name": "Parent Co", "Phone": "555 0100"})),
                )
                .await;
            let (_, contact) = org
                .call(
                    reqwest::Method::POST,
                    &format!("{data}/sobjects/Contact"),
                    Some(json!({"LastName": "Ng", "Birthdate": "1990-04-01",
                                  "Email": "ng@example.com", "AccountId": account["id"]})),
                )
                .await;
            for record in recorded["records"].as_array_mut().into_iter().flatten() {
                for (from, to) in [
                    ("Checkbox_Label", "IsDeleted"),
                    ("Text_Label", "LastName"),
                    ("Date_Label", "Birthdate"),
                    ("DateTime_Label", "CreatedDate"),
                    ("Picklist_Multiselect_Label", "Email"),
                    ("ParentWhizbang__r", "Account"),
                ] {
                    rename(record, from, to);
                }
                rename(&mut record["Account"], "Text_Label", "Phone");
            }
            let soql = format!(
                "SELECT IsDeleted, LastName, Birthdate, CreatedDate, Email, Account.Name, \
                 Account.Phone FROM Contact WHERE Id = '{}'",
                contact["id"].as_str().expect("created")
            );
            (
                200,
                org.query(v, &soql).await,
                Rules::default().not_required("$.records[].Whizbangs__r", SUBQUERY),
            )
        }
        "restforce/search_error_response.json" => {
            let request = org
                .client
                .get(org.url(&format!("{data}/search")))
                .query(&[("q", "FIND Acme")])
                .bearer_auth(&org.token);
            (400, org.send(request).await, Rules::default())
        }
        "restforce/search_success_response.json" => {
            // Recorded in the form of v36.0 and before; from v37.0 the records are in
            // `searchRecords` (salesforce-api.md §3.8, documented).
            if v.split('.')
                .next()
                .and_then(|m| m.parse::<u32>().ok())
                .is_some_and(|m| m >= 37)
            {
                recorded = json!({"searchRecords": recorded});
            }
            let request = org
                .client
                .get(org.url(&format!("{data}/search")))
                .query(&[("q", "FIND {a} RETURNING Account(Id) LIMIT 2")])
                .bearer_auth(&org.token);
            (200, org.send(request).await, Rules::default())
        }
        "restforce/services_data_success_response.json" => {
            (200, org.get("services/data").await, Rules::default())
        }
        "restforce/sobject_describe_error_response.json" => (
            404,
            org.get(&format!("{data}/sobjects/Whizbang/describe")).await,
            Rules::default(),
        ),
        "restforce/sobject_find_error_response.json" => (
            404,
            org.get(&format!("{data}/sobjects/Account/23foo")).await,
            Rules::default(),
        ),
        "restforce/write_error_response.json" => {
            let id = org.first_id(v, "Account").await;
            (
                400,
                org.call(
                    reqwest::Method::PATCH,
                    &format!("{data}/sobjects/Account/{id}"),
                    Some(json!({"foo": 1})),
                )
                .await,
                Rules::default(),
            )
        }
        "swiftlysalesforce/identity.json" => (200, org.get(&org.identity).await, Rules::default()),
        "swiftlysalesforce/limits.json" => {
            // Per-app entries are keyed by the org's own connected apps' labels.
            (
                200,
                org.get(&format!("{data}/limits")).await,
                Rules::default().map("$.*", &["Max", "Remaining"]),
            )
        }
        "swiftlysalesforce/account_record.json" => {
            let id = org.first_id(v, "Account").await;
            let describe = recording("cumulusci/account_describe.json");
            let mut rules = Rules::default();
            // A record's field may be empty where the describe says it is nillable.
            for field in describe["fields"].as_array().into_iter().flatten() {
                let name = field["name"].as_str().unwrap_or("");
                if field["nillable"] == json!(true) {
                    rules = rules.nullable(&format!("$.{name}"));
                }
                if field["type"] == json!("address") {
                    rules = rules.nullable(&format!("$.{name}.*"));
                }
            }
            for key in recorded.as_object().into_iter().flatten().map(|(k, _)| k) {
                if key.ends_with("__c") && key.matches("__").count() == 2 {
                    rules = rules.not_required(
                        &format!("$.{key}"),
                        "a custom field of the recorded org's own packages",
                    );
                }
            }
            (
                200,
                org.get(&format!("{data}/sobjects/Account/{id}")).await,
                rules,
            )
        }
        other => panic!(
            "{other}: no mock org request is known for this recording; add it to the \
             conformance test"
        ),
    };
    Case {
        recorded,
        status: (want, status),
        answer,
        rules,
    }
}

/// What the comparisons found, for the report and the verdict.
#[derive(Default)]
struct Findings {
    lines: Vec<String>,
    failures: Vec<String>,
}

impl Findings {
    /// Compares `answer` with `shape` under `rules`; `what` names the comparison.
    fn compare(&mut self, what: &str, shape: &Shape, answer: &Value, rules: &Rules) {
        let mut report = Report::default();
        compare(shape, answer, rules, &mut report);
        self.note(what, report);
    }

    fn note(&mut self, what: &str, report: Report) {
        let verdict = if report.failures.is_empty() {
            "ok"
        } else {
            "DIFFERS"
        };
        let mut line = format!("{what}: {verdict}");
        // Allowed gaps by reason: `$.key (why)`.
        let mut gaps: Vec<(String, Vec<String>)> = Vec::new();
        for gap in &report.allowed {
            let (key, why) = gap.split_once(" (").unwrap_or((gap, ""));
            let why = why.trim_end_matches(')').to_owned();
            match gaps.iter_mut().find(|(w, _)| *w == why) {
                Some((_, keys)) => keys.push(key.to_owned()),
                None => gaps.push((why, vec![key.to_owned()])),
            }
        }
        for (why, keys) in gaps {
            line.push_str(&format!("\n    allowed gap ({why}): {}", keys.join(", ")));
        }
        // The extras, each pattern once (an array's elements share theirs).
        let extras: BTreeSet<String> = report.extras.iter().map(|e| pattern(e)).collect();
        if !extras.is_empty() {
            let shown: Vec<&str> = extras.iter().take(12).map(String::as_str).collect();
            let more = extras.len().saturating_sub(shown.len());
            line.push_str(&format!("\n    extra keys: {}", shown.join(", ")));
            if more > 0 {
                line.push_str(&format!(" and {more} more"));
            }
        }
        self.lines.push(line);
        self.failures
            .extend(report.failures.into_iter().map(|f| format!("{what}: {f}")));
    }

    fn fail(&mut self, what: &str, why: String) {
        self.lines.push(format!("{what}: DIFFERS"));
        self.failures.push(format!("{what}: {why}"));
    }

    /// Prints the report; panics with it when anything differs.
    fn finish(self, title: &str) {
        let report = format!("{title}\n  {}", self.lines.join("\n  "));
        println!("{report}");
        assert!(
            self.failures.is_empty(),
            "the mock org differs from real Salesforce:\n  {}\n\n{report}",
            self.failures.join("\n  ")
        );
    }
}

/// `$.sobjects[Profile].urls` → `$.sobjects[].urls`.
fn pattern(path: &str) -> String {
    let mut out = String::new();
    let mut skip = false;
    for c in path.chars() {
        match c {
            '[' => {
                out.push('[');
                skip = true;
            }
            ']' => {
                out.push(']');
                skip = false;
            }
            _ if skip => {}
            c => out.push(c),
        }
    }
    out
}

#[tokio::test]
async fn every_recorded_response_has_the_shape_of_the_mock_orgs_answer() {
    // The recorded Organization is a scratch org's: the mock org plays one.
    let org = Org::start(Scenario::Good, OrgType::Scratch).await;
    let mut names = Vec::new();
    recordings(&fixtures(), &mut names);
    assert!(names.len() >= 30, "the recordings are found: {names:?}");
    let mut findings = Findings::default();
    for name in &names {
        for v in versions() {
            let case = case(&org, name, &v).await;
            let what = format!("{name} at v{v}");
            if case.status.0 != case.status.1 {
                findings.fail(
                    &what,
                    format!(
                        "HTTP {} where the recording is an answer with {}",
                        case.status.1, case.status.0
                    ),
                );
                continue;
            }
            findings.compare(
                &what,
                &Shape::of([&case.recorded]),
                &case.answer,
                &case.rules,
            );
        }
    }
    findings.finish(&format!(
        "{} recordings compared with the mock org's answers at v{} and v{}:",
        names.len(),
        versions()[0],
        versions()[1]
    ));
}

/// Every object the mock org serves (an over-privileged user sees them all).
const OBJECTS: [&str; 16] = [
    "Account",
    "ApexClass",
    "Case",
    "Contact",
    "Lead",
    "LoginHistory",
    "LoginIpRange",
    "ObjectPermissions",
    "Opportunity",
    "Organization",
    "PermissionSet",
    "PermissionSetAssignment",
    "Profile",
    "SetupEntityAccess",
    "User",
    "UserLicense",
];

#[tokio::test]
async fn every_object_served_has_the_recorded_describe_shapes() {
    let org = Org::start(Scenario::OverPrivileged, OrgType::Developer).await;
    // The recorded describe-global entries, and the recorded Account describe with the fields
    // of all three recorded describes (each field is compared with all of them merged).
    let global = Shape::of([&recording("cumulusci/global_describe.json")]);
    let mut describe = recording("cumulusci/account_describe.json");
    let fields: Vec<Value> = ["account", "contact", "lead"]
        .iter()
        .flat_map(|o| {
            let d = recording(&format!("cumulusci/{o}_describe.json"));
            d["fields"].as_array().cloned().unwrap_or_default()
        })
        .collect();
    let field_count = fields.len();
    describe["fields"] = Value::Array(fields);
    let describe = Shape::of([&describe]);
    // Another object's URLs are its own (a setup object has no layouts).
    let rules = Rules::default()
        .map("$.urls", &[])
        .map("$.recordTypeInfos[].urls", &[]);
    let mut findings = Findings::default();
    let mut covered = BTreeSet::new();
    for v in versions() {
        let (status, answer) = org.get(&format!("services/data/v{v}/sobjects/")).await;
        assert_eq!(status, 200, "{answer}");
        findings.compare(
            &format!("describe global of every object (cumulusci/global_describe.json) at v{v}"),
            &global,
            &answer,
            &Rules::default(),
        );
        let names: Vec<String> = answer["sobjects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["name"].as_str().map(str::to_owned))
            .collect();
        for name in names {
            let (status, answer) = org
                .get(&format!("services/data/v{v}/sobjects/{name}/describe"))
                .await;
            let what = format!("{name} describe and each of its fields at v{v}");
            if status != 200 {
                findings.fail(&what, format!("HTTP {status}: {answer}"));
                continue;
            }
            findings.compare(&what, &describe, &answer, &rules);
            covered.insert(name);
        }
    }
    let expected: BTreeSet<String> = OBJECTS.iter().map(|o| (*o).to_owned()).collect();
    let title = format!(
        "{} objects covered against the recorded describe-global entries, the recorded Account \
         describe and the {field_count} recorded fields of Account, Contact and Lead: {}",
        covered.len(),
        covered.iter().cloned().collect::<Vec<_>>().join(", ")
    );
    assert_eq!(covered, expected, "the objects the mock org serves");
    findings.finish(&title);
}

/// Shapes documented in `../shared/reference/salesforce-api.md` for what no recording covers.
fn documented(section: &str) -> Value {
    match section {
        "§3.2 resources" => json!({
            "tooling": "/services/data/v60.0/tooling", "metadata": "/services/data/v60.0/metadata",
            "eclair": "/services/data/v60.0/eclair", "folders": "/services/data/v60.0/folders",
            "chatter": "/services/data/v60.0/chatter", "tabs": "/services/data/v60.0/tabs",
            "appMenu": "/services/data/v60.0/appMenu",
            "quickActions": "/services/data/v60.0/quickActions",
            "queryAll": "/services/data/v60.0/queryAll", "query": "/services/data/v60.0/query",
            "search": "/services/data/v60.0/search", "sobjects": "/services/data/v60.0/sobjects",
            "limits": "/services/data/v60.0/limits",
            "composite": "/services/data/v60.0/composite", "jobs": "/services/data/v60.0/jobs",
            "recent": "/services/data/v60.0/recent",
            "parameterizedSearch": "/services/data/v60.0/parameterizedSearch",
            "identity": "https://login.salesforce.com/id/00D/005"
        }),
        "§2.3 userinfo" => json!({
            "sub": "https://login.salesforce.com/id/00D/005", "user_id": "005",
            "organization_id": "00D", "preferred_username": "u@x", "nickname": "User1",
            "name": "Integration User", "email": "ops@acme.example", "email_verified": true,
            "given_name": "Integration", "family_name": "User",
            "zoneinfo": "America/Los_Angeles",
            "photos": {"picture": "https://x", "thumbnail": "https://x"},
            "profile": "https://x/005", "picture": "https://x", "address": {"country": "US"},
            "is_salesforce_integration_user": false, "urls": {"rest": "https://x"},
            "active": true, "user_type": "STANDARD", "language": "en_US", "locale": "en_US",
            "utcOffset": -28_800_000, "updated_at": "2026-01-01T00:00:00Z",
            "is_app_installed": true
        }),
        "§8.1 Bulk API 2.0 query job created" => json!({
            "id": "750", "operation": "query", "object": "Account", "createdById": "005",
            "createdDate": "2026-01-02T17:38:59.000+0000",
            "systemModstamp": "2026-01-02T17:38:59.000+0000", "state": "UploadComplete",
            "concurrencyMode": "Parallel", "contentType": "CSV", "apiVersion": 60.0,
            "lineEnding": "LF", "columnDelimiter": "COMMA"
        }),
        "§8.2 Bulk API 2.0 query job polled" => json!({
            "id": "750", "operation": "query", "object": "Account", "createdById": "005",
            "createdDate": "2026-01-02T17:38:59.000+0000",
            "systemModstamp": "2026-01-02T17:38:59.000+0000", "state": "JobComplete",
            "concurrencyMode": "Parallel", "contentType": "CSV", "apiVersion": 60.0,
            "jobType": "V2Query", "lineEnding": "LF", "columnDelimiter": "COMMA",
            "numberRecordsProcessed": 500, "retries": 0, "totalProcessingTime": 334,
            "isPkChunkingSupported": true
        }),
        "§6.4 Apex REST error" => json!([{"errorCode": "APEX_ERROR",
            "message": "System.NullPointerException: Attempt to de-reference a null object\n\nClass.OrderResource.doPost: line 12, column 1"}]),
        other => panic!("no documented shape {other}"),
    }
}

/// An XML document as `(path of local names, namespace)` per element, and its texts by path.
fn xml_elements(text: &str) -> Vec<(String, Option<String>, String)> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::NsReader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut out: Vec<(String, Option<String>, String)> = Vec::new();
    loop {
        let (ns, event) = reader.read_resolved_event().expect("well-formed XML");
        let ns = match ns {
            ResolveResult::Bound(n) => Some(n.into_inner().to_owned()),
            _ => None,
        };
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.local_name().as_ref().to_owned();
                path.push(name);
                out.push((path.join("/"), ns, String::new()));
                if empty {
                    path.pop();
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                if let Some(last) = out.iter_mut().rev().find(|(p, _, _)| *p == path.join("/")) {
                    last.2.push_str(&t.xml10_content());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// Checks that `xml` has every `(path, namespace)` of `expected` (a namespace of `None`: any).
fn check_xml(findings: &mut Findings, what: &str, xml: &str, expected: &[(&str, Option<&str>)]) {
    let elements = xml_elements(xml);
    let mut report = Report::default();
    for (path, ns) in expected {
        let found = elements
            .iter()
            .find(|(p, n, _)| p == path && ns.is_none_or(|ns| n.as_deref() == Some(ns)));
        match found {
            Some((_, _, text)) if path.ends_with("result") && text.is_empty() => {
                report.failures.push(format!("{path}: empty"));
            }
            Some(_) => {}
            None => report
                .failures
                .push(format!("{path} (namespace {ns:?}): missing")),
        }
    }
    for (path, _, _) in &elements {
        if !expected.iter().any(|(p, _)| p == path) {
            report.extras.push(path.clone());
        }
    }
    findings.note(what, report);
}

const ENVELOPE: &str = "http://schemas.xmlsoap.org/soap/envelope/";

fn soap_call(session: &str, operation: &str) -> String {
    format!(
        "<soapenv:Envelope xmlns:soapenv=\"{ENVELOPE}\" \
         xmlns:ord=\"http://soap.sforce.com/schemas/class/OrderService\"><soapenv:Header>\
         <ord:SessionHeader><ord:sessionId>{session}</ord:sessionId></ord:SessionHeader>\
         </soapenv:Header><soapenv:Body>{operation}</soapenv:Body></soapenv:Envelope>"
    )
}

#[tokio::test]
async fn what_nobody_recorded_has_the_documented_shapes_soap_included() {
    let org = Org::start(Scenario::Good, OrgType::Developer).await;
    let mut findings = Findings::default();
    for v in versions() {
        let data = format!("services/data/v{v}");
        let mut answers: Vec<(&str, u16, Value)> = Vec::new();
        // Bulk API 2.0 query jobs exist from v47.0 (salesforce-api.md §8).
        let bulk_version = if v == versions()[0] {
            "47.0"
        } else {
            v.as_str()
        };
        let (status, resources) = org.get(&data).await;
        answers.push(("§3.2 resources", status, resources));
        let (status, userinfo) = org.get("services/oauth2/userinfo").await;
        answers.push(("§2.3 userinfo", status, userinfo));
        // Bulk API 2.0 query jobs exist from v47.0 (salesforce-api.md §8).
        let bulk = format!(
            "services/data/v{}",
            if v == versions()[0] { "47.0" } else { &v }
        );
        let job = json!({"operation": "query", "query": "SELECT Id, Name FROM Account"});
        let (status, created) = org
            .call(
                reqwest::Method::POST,
                &format!("{bulk}/jobs/query"),
                Some(job),
            )
            .await;
        let id = created["id"].as_str().unwrap_or_default().to_owned();
        answers.push(("§8.1 Bulk API 2.0 query job created", status, created));
        let mut polled = (0, Value::Null);
        for _ in 0..5 {
            polled = org.get(&format!("{bulk}/jobs/query/{id}")).await;
            if polled.1["state"] == json!("JobComplete") {
                break;
            }
        }
        answers.push(("§8.2 Bulk API 2.0 query job polled", polled.0, polled.1));
        let (status, apex) = org
            .get("services/apexrest/CustomerRESTWS/001000000000000AAA")
            .await;
        answers.push(("§6.4 Apex REST error", status, apex));
        for (section, status, answer) in answers {
            let at = if section.starts_with("§8") {
                bulk_version
            } else {
                v.as_str()
            };
            let what = format!("salesforce-api.md {section} (documented, not recorded) at v{at}");
            let want = if section.starts_with("§6.4") {
                500
            } else {
                200
            };
            if status != want {
                findings.fail(
                    &what,
                    format!("HTTP {status} where {want} is documented: {answer}"),
                );
                continue;
            }
            findings.compare(
                &what,
                &Shape::of([&documented(section)]),
                &answer,
                &Rules::default(),
            );
        }
    }
    // §7.4: a response is `{operation}Response/result` in the class's namespace; §7.5: a
    // fault is HTTP 500 with `faultcode`, `faultstring` and, for a platform fault, `detail`.
    let soap = |session: &str, operation: &str| {
        org.client
            .post(org.url("services/Soap/class/OrderService"))
            .header("Content-Type", "text/xml; charset=UTF-8")
            .header("SOAPAction", "\"\"")
            .body(soap_call(session, operation))
            .send()
    };
    let class = Some("http://soap.sforce.com/schemas/class/OrderService");
    let response = soap(
        &org.token,
        "<ord:submit><ord:name>Rush</ord:name></ord:submit>",
    )
    .await
    .expect("answer");
    assert_eq!(response.status().as_u16(), 200);
    check_xml(
        &mut findings,
        "salesforce-api.md §7.4 SOAP response (documented)",
        &response.text().await.expect("body"),
        &[
            ("Envelope", Some(ENVELOPE)),
            ("Envelope/Body", Some(ENVELOPE)),
            ("Envelope/Body/submitResponse", class),
            ("Envelope/Body/submitResponse/result", class),
        ],
    );
    let fault = [
        ("Envelope", Some(ENVELOPE)),
        ("Envelope/Body", Some(ENVELOPE)),
        ("Envelope/Body/Fault", Some(ENVELOPE)),
        ("Envelope/Body/Fault/faultcode", None),
        ("Envelope/Body/Fault/faultstring", None),
    ];
    let platform = [
        ("Envelope/Body/Fault/detail", None),
        ("Envelope/Body/Fault/detail/UnexpectedErrorFault", None),
        (
            "Envelope/Body/Fault/detail/UnexpectedErrorFault/exceptionCode",
            None,
        ),
        (
            "Envelope/Body/Fault/detail/UnexpectedErrorFault/exceptionMessage",
            None,
        ),
    ];
    let response = soap(
        "00Dbad!session",
        "<ord:status><ord:orderId>x</ord:orderId></ord:status>",
    )
    .await
    .expect("answer");
    assert_eq!(response.status().as_u16(), 500);
    let text = response.text().await.expect("body");
    assert!(
        text.contains("<faultcode>sf:INVALID_SESSION_ID</faultcode>"),
        "{text}"
    );
    let expected: Vec<(&str, Option<&str>)> = fault.iter().chain(&platform).copied().collect();
    check_xml(
        &mut findings,
        "salesforce-api.md §7.5 SOAP platform fault (documented)",
        &text,
        &expected,
    );
    let response = soap(&org.token, "<ord:submit><ord:name></ord:name></ord:submit>")
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 500);
    let text = response.text().await.expect("body");
    assert!(
        text.contains("<faultcode>soapenv:Client</faultcode>"),
        "{text}"
    );
    check_xml(
        &mut findings,
        "salesforce-api.md §7.5 SOAP Apex exception fault (documented)",
        &text,
        &fault,
    );
    findings.finish("Documented shapes (salesforce-api.md) of what no recording covers:");
}
