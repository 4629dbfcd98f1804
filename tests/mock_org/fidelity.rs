//! The mock org's values as a real org has them, where the shape alone cannot tell: custom
//! fields' labels, the Organization record clients read after login (per `--org-type`), compound
//! addresses, the clock after a reset, Bulk jobs' creator, errors inside composite answers.

use serde_json::{Value, json};
use sfterm::mock_org::{MockOrg, MockOrgConfig, OrgType};

use super::common::org::token_for;

struct Env {
    org: MockOrg,
    client: reqwest::Client,
    token: String,
}

impl Env {
    async fn start(org_type: OrgType) -> Env {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let org = MockOrg::start(MockOrgConfig {
            records: 20,
            org_type,
            ..MockOrgConfig::default()
        })
        .await
        .expect("mock org starts");
        let client = reqwest::Client::new();
        let token = token_for(&org, &client).await;
        Env { org, client, token }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.org.instance_url())
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("answer");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.client.get(self.url(path))).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.client.post(self.url(path)).json(&body))
            .await
    }

    async fn query(&self, soql: &str) -> (u16, Value) {
        let request = self
            .client
            .get(self.url("services/data/v62.0/query"))
            .query(&[("q", soql)]);
        self.send(request).await
    }

    /// The org id of the token (from its identity URL).
    async fn org_id(&self) -> String {
        let (_, body) = self.get("services/oauth2/userinfo").await;
        body["organization_id"].as_str().expect("org id").to_owned()
    }
}

fn field<'a>(describe: &'a Value, name: &str) -> &'a Value {
    describe["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == json!(name)))
        .unwrap_or_else(|| panic!("no field {name}"))
}

#[tokio::test]
async fn custom_fields_are_labelled_by_their_own_names() {
    let env = Env::start(OrgType::Developer).await;
    let (status, account) = env
        .get("services/data/v62.0/sobjects/Account/describe")
        .await;
    assert_eq!(status, 200);
    let primary = field(&account, "Primary_Contact__c");
    assert_eq!(primary["label"], json!("Primary Contact"));
    assert_eq!(primary["relationshipName"], json!("Primary_Contact__r"));
    assert_eq!(field(&account, "History__c")["label"], json!("History"));
    assert_eq!(
        field(&account, "ParentId")["label"],
        json!("Parent Account ID")
    );
    for f in account["fields"].as_array().expect("fields") {
        let name = f["name"].as_str().expect("name");
        assert_eq!(f["custom"], json!(name.ends_with("__c")), "{name}");
    }
    // The relationship is usable in SOQL under its own name.
    let (status, body) = env
        .query("SELECT Name, Primary_Contact__r.LastName FROM Account LIMIT 1")
        .await;
    assert_eq!(status, 200, "{body}");
    // Generated describes label references "... ID" and the Id by the object.
    let (_, profile) = env
        .get("services/data/v62.0/sobjects/Profile/describe")
        .await;
    assert_eq!(
        field(&profile, "UserLicenseId")["label"],
        json!("User License ID")
    );
    assert_eq!(field(&profile, "Id")["label"], json!("Profile ID"));
}

#[tokio::test]
async fn the_organization_is_served_like_any_object_with_the_tokens_org_id() {
    for (org_type, edition, sandbox) in [
        (OrgType::Production, "Enterprise Edition", false),
        (OrgType::Sandbox, "Enterprise Edition", true),
        (OrgType::Developer, "Developer Edition", false),
        (OrgType::Scratch, "Developer Edition", true),
    ] {
        let env = Env::start(org_type).await;
        let org_id = env.org_id().await;
        let (status, body) = env
            .query(
                "SELECT Id, Name, OrganizationType, IsSandbox, InstanceName, NamespacePrefix, \
                 TrialExpirationDate, LanguageLocaleKey, TimeZoneSidKey FROM Organization",
            )
            .await;
        assert_eq!(status, 200, "{org_type}: {body}");
        assert_eq!(body["totalSize"], json!(1));
        let record = &body["records"][0];
        assert_eq!(record["Id"], json!(org_id), "{org_type}");
        assert_eq!(record["OrganizationType"], json!(edition), "{org_type}");
        assert_eq!(record["IsSandbox"], json!(sandbox), "{org_type}");
        assert_eq!(record["NamespacePrefix"], Value::Null);
        assert_eq!(
            record["TrialExpirationDate"].is_string(),
            org_type == OrgType::Scratch,
            "{org_type}: {record}"
        );
        let (status, one) = env
            .get(&format!(
                "services/data/v62.0/sobjects/Organization/{org_id}"
            ))
            .await;
        assert_eq!((status, &one["IsSandbox"]), (200, &json!(sandbox)));
        let (status, describe) = env
            .get("services/data/v62.0/sobjects/Organization/describe")
            .await;
        assert_eq!(status, 200);
        assert_eq!(describe["keyPrefix"], json!("00D"));
    }
}

#[tokio::test]
async fn the_run_as_user_answers_what_login_tools_ask() {
    let env = Env::start(OrgType::Developer).await;
    let username = env.org.username().to_owned();
    let (status, body) = env
        .query(&format!(
            "SELECT Id, Username, LastName, Alias, TimeZoneSidKey, LocaleSidKey, \
             EmailEncodingKey, ProfileId, LanguageLocaleKey, Email FROM User \
             WHERE Username = '{username}'"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    let user = &body["records"][0];
    assert_eq!(user["LocaleSidKey"], json!("en_US"));
    assert_eq!(user["EmailEncodingKey"], json!("UTF-8"));
    // The record endpoint answers the same row as SOQL (one renderer).
    let id = user["Id"].as_str().expect("id");
    let (status, one) = env
        .get(&format!("services/data/v62.0/sobjects/User/{id}"))
        .await;
    assert_eq!(status, 200);
    for key in ["Username", "LastName", "LocaleSidKey", "ProfileId"] {
        assert_eq!(one[key], user[key], "{key}");
    }
}

#[tokio::test]
async fn addresses_are_built_from_their_parts_in_records_and_queries() {
    let env = Env::start(OrgType::Developer).await;
    let (_, created) = env
        .post(
            "services/data/v62.0/sobjects/Account",
            json!({"Name": "Address Co", "BillingCity": "Lyon", "BillingCountry": "France"}),
        )
        .await;
    let id = created["id"].as_str().expect("created");
    let (_, record) = env
        .get(&format!("services/data/v62.0/sobjects/Account/{id}"))
        .await;
    let (status, page) = env
        .query(&format!(
            "SELECT BillingAddress, ShippingAddress FROM Account WHERE Id = '{id}'"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    let queried = &page["records"][0];
    assert_eq!(queried["BillingAddress"], record["BillingAddress"]);
    assert_eq!(queried["ShippingAddress"], Value::Null);
    let keys: Vec<&str> = record["BillingAddress"]
        .as_object()
        .expect("an address")
        .keys()
        .map(String::as_str)
        .collect();
    // An org without state and country picklists: no countryCode, no stateCode.
    assert_eq!(
        keys,
        [
            "city",
            "country",
            "geocodeAccuracy",
            "latitude",
            "longitude",
            "postalCode",
            "state",
            "street"
        ]
    );
    assert_eq!(record["BillingAddress"]["city"], json!("Lyon"));
    // Bulk API 2.0 has no CSV form for them.
    let (status, body) = env
        .post(
            "services/data/v62.0/jobs/query",
            json!({"operation": "query", "query": "SELECT Id, billingaddress FROM Account"}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body[0]["message"],
        json!("Selecting compound data not supported in Bulk Query")
    );
}

#[tokio::test]
async fn a_reset_puts_the_clock_back_to_real_time() {
    let env = Env::start(OrgType::Developer).await;
    let clock = |env: &Env| env.client.get(env.url("__mock/clock")).send();
    env.client
        .post(env.url("__mock/clock"))
        .json(&json!({"advance_secs": 3600}))
        .send()
        .await
        .expect("advanced");
    let moved: Value = clock(&env)
        .await
        .expect("clock")
        .json()
        .await
        .expect("json");
    assert_eq!(moved["offset_ms"], json!(3_600_000));
    let reset = env
        .client
        .post(env.url("__mock/reset"))
        .send()
        .await
        .expect("reset");
    assert_eq!(reset.status().as_u16(), 204);
    let back: Value = clock(&env)
        .await
        .expect("clock")
        .json()
        .await
        .expect("json");
    assert_eq!(back["offset_ms"], json!(0));
}

#[tokio::test]
async fn bulk_jobs_name_their_creator_and_composite_errors_keep_their_fields() {
    let env = Env::start(OrgType::Developer).await;
    let (_, userinfo) = env.get("services/oauth2/userinfo").await;
    let (status, job) = env
        .post(
            "services/data/v62.0/jobs/query",
            json!({"operation": "query", "query": "SELECT Id FROM Account"}),
        )
        .await;
    assert_eq!(status, 200, "{job}");
    assert_eq!(job["createdById"], userinfo["user_id"]);
    let (status, body) = env
        .post(
            "services/data/v62.0/composite",
            json!({"compositeRequest": [{"method": "POST", "referenceId": "c",
                "url": "/services/data/v62.0/sobjects/Contact", "body": {"FirstName": "No"}}]}),
        )
        .await;
    assert_eq!(status, 200);
    let sub = &body["compositeResponse"][0];
    assert_eq!(sub["httpStatusCode"], json!(400), "{body}");
    assert_eq!(sub["body"][0]["errorCode"], json!("REQUIRED_FIELD_MISSING"));
    assert_eq!(sub["body"][0]["fields"], json!(["LastName"]));
}
