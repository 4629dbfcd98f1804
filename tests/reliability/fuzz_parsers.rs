//! Property-based fuzzing of the parsers that read untrusted text outside the sf client (which
//! has its own module, `sf::fuzz_tests`): the SOAP/WSDL and fault parser, the Postman import, the
//! profiles and settings files, endpoint normalisation and the mock org's SOQL parser. Inputs are
//! arbitrary bytes and mutations of real fixtures; none may panic. Case count: `PROPTEST_CASES`.

use proptest::prelude::*;
use sfterm::config::{ProfileStore, SecretSource, Settings, normalize};
use sfterm::mock_org::soql;
use sfterm::requests::{postman, soap};

use crate::mutate;

const CASES: u32 = 256;

const WSDL: &str = include_str!("../../assets/mock-org/CustomerWS.wsdl");

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn soap_seeds() -> Vec<Vec<u8>> {
    let env = "http://schemas.xmlsoap.org/soap/envelope/";
    vec![
        WSDL.as_bytes().to_vec(),
        format!(
            "<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"{env}\"><soapenv:Body>\
             <soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>Invalid \
             Session ID found in SessionHeader</faultstring><detail><sf:x>1</sf:x></detail>\
             </soapenv:Fault></soapenv:Body></soapenv:Envelope>"
        )
        .into_bytes(),
        format!(
            "<soapenv:Envelope xmlns:soapenv=\"{env}\" xmlns:xsi=\"http://www.w3.org/2001/\
             XMLSchema-instance\"><soapenv:Body><getCustomerResponse><result><name>Acme &amp; \
             Co</name><contacts><lastName>Doe</lastName></contacts><contacts><lastName \
             xsi:nil=\"true\"/></contacts><![CDATA[<x>]]></result></getCustomerResponse>\
             </soapenv:Body></soapenv:Envelope>"
        )
        .into_bytes(),
    ]
}

fn postman_seeds() -> Vec<Vec<u8>> {
    mutate::files(std::path::Path::new("/work/shared/fixtures/postman"), ".json")
        .into_iter()
        .chain(mutate::files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
            ".postman_collection.json",
        ))
        .chain([br#"{"info":{"name":"c","schema":"https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},"item":[{"name":"f","item":[{"name":"r","request":{"method":"GET","url":{"raw":"{{_endpoint}}/services/data/v{{version}}/query?q=x","host":["{{_endpoint}}"],"path":["services","data"],"query":[{"key":"q","value":"x"}]},"header":[{"key":"Authorization","value":"Bearer {{_accessToken}}"}],"body":{"mode":"raw","raw":"{\"a\":1}"},"auth":{"type":"bearer"}}}]}],"variable":[{"key":"version","value":"62.0"}],"event":[{"listen":"prerequest","script":{"exec":["x"]}}]}"#.to_vec(),
            br#"{"name":"env","values":[{"key":"url","value":"https://login.salesforce.com","enabled":true},{"key":"clientId","value":"3MVG","enabled":true},{"key":"clientSecret","value":"s","enabled":true},{"key":"version","value":"62.0"}]}"#.to_vec()])
        .collect()
}

const PROFILES: &str = r#"# orgs
[[profile]]
name = "Acme prod"
endpoint = "https://acme.my.salesforce.com"   # My Domain
client_id = "3MVG9prod"
secret = { source = "env", var = "ACME_SECRET" }
auth_style = "basic"
favourite = true

[[profile]]
name = "Acme uat"
endpoint = "acme--uat.sandbox.lightning.force.com"
client_id = "3MVG9uat"
secret = { source = "command", command = "pass show sf/uat" }
api_version = "62.0"
renew_margin_secs = 120

[[profile]]
name = "plain"
endpoint = "http://127.0.0.1:8443"
client_id = "c"
secret = { source = "plain", value = "s3cr3t" }
"#;

fn config_seeds() -> Vec<Vec<u8>> {
    vec![
        PROFILES.as_bytes().to_vec(),
        include_bytes!("../../assets/default-config.toml").to_vec(),
    ]
}

const DRAFTS: &str = r#"{"version":1,"drafts":[{"profile":"Demo org","object":"Account",
"id":"001Dn00000Acme1AAB","title":"Acme","opened_at":"2026-01-01T08:00:00Z",
"staged":{"Phone":"+1 415 555 0199","AnnualRevenue":1000000.5,"Industry":null}},
{"object":"Contact","staged":{"LastName":"Doe"}}]}"#;

const SOQL: &[&str] = &[
    "SELECT Id, Name FROM Account",
    "SELECT Id, Name, Owner.Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC NULLS \
     LAST LIMIT 5) FROM Account WHERE Name LIKE 'A%' AND (AnnualRevenue > 1000.5 OR \
     Industry IN ('Tech', 'Bank')) ORDER BY Name ASC NULLS FIRST LIMIT 10 OFFSET 5",
    "SELECT COUNT() FROM Contact WHERE CreatedDate = LAST_N_DAYS:30",
    "SELECT Industry, COUNT(Id) c, MAX(AnnualRevenue) FROM Account GROUP BY Industry",
    "SELECT Id FROM Opportunity WHERE CloseDate >= 2024-01-01 AND IsWon = true AND \
     LastModifiedDate < 2024-01-01T00:00:00Z AND Amount != null",
    "SELECT Id FROM Custom__c WHERE Parent__r.Name NOT IN ('x') AND Id = '001000000000001AAA'",
];

proptest! {
    #![proptest_config(mutate::config(CASES))]

    #[test]
    fn soap_xml_and_faults(body in mutate::input(soap_seeds())) {
        let t = text(&body);
        if let Ok(e) = soap::parse_xml(&t) {
            let _ = (e.to_xml(), e.to_pretty_xml(2), e.find("result"));
        }
        let _ = soap::pretty_print(&t);
        match soap::parse_response(&t) {
            Ok(soap::SoapResponse::Result { results, .. }) => {
                let _ = soap::flatten(&results);
            }
            Ok(soap::SoapResponse::Fault(f)) => {
                let _ = (f.code_local(), f.is_invalid_session());
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn wsdl(
        body in mutate::input(soap_seeds()),
        args in proptest::collection::vec(
            ("[a-zA-Z]{1,8}(\\[[0-9]{1,12}\\])?(\\.[a-zA-Z]{1,8}(\\[[0-9]{1,3}\\])?){0,2}",
             "[ -~]{0,8}"),
            0..4,
        ),
    ) {
        if let Ok(w) = soap::Wsdl::parse(&text(&body)) {
            for op in &w.operations {
                let _ = w.skeleton(&op.name);
                let _ = w.build_request(&op.name, &args, "sid");
                for p in &op.params {
                    let _ = w.members(&p.type_name);
                }
            }
        }
    }

    #[test]
    fn wsdl_arguments(
        args in proptest::collection::vec(
            ("[a-zA-Z]{1,12}(\\[[0-9]{1,12}\\])?(\\.[a-zA-Z]{1,10}(\\[[0-9]{1,12}\\])?){0,3}|[ -~]{0,16}",
             "[ -~]{0,8}"),
            0..4,
        ),
    ) {
        let w = soap::Wsdl::parse(WSDL).expect("the mock org's WSDL parses");
        for op in &w.operations {
            let _ = w.build_request(&op.name, &args, "sid");
        }
    }

    #[test]
    fn postman_collection(body in mutate::json_input(postman_seeds()), folder in "[ -~]{0,8}") {
        let t = text(&body);
        if let Ok(c) = postman::import_collection(&t, &[folder]) {
            let _ = format!("{c:?}");
        }
    }

    #[test]
    fn postman_environment(body in mutate::json_input(postman_seeds())) {
        let source = SecretSource::Env { var: "X".into() };
        let _ = postman::import_environment(&text(&body), "p", source);
    }

    #[test]
    fn profiles_file(body in mutate::input(config_seeds())) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("profiles.toml");
        std::fs::write(&path, &body).expect("write");
        match ProfileStore::load(&path) {
            Ok(mut store) => {
                let _ = store.to_toml_string();
                for p in store.profiles().to_vec() {
                    let _ = (p.validate(), p.warnings(), p.normalized_endpoint());
                    let _ = p.pinned_api_version();
                }
                if let Some(name) = store.profiles().first().map(|p| p.name.clone()) {
                    let _ = store.duplicate(&name);
                }
                let _ = store.save();
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let _ = Settings::parse(&path, &text(&body));
    }

    #[test]
    fn endpoints(input in prop_oneof![
        "[ -~]{0,40}",
        "(https?://)?[a-z0-9.-]{0,20}(:[0-9]{0,6})?(/[ -~]{0,10})?",
    ]) {
        if let Ok(e) = normalize(&input) {
            let _ = (e.as_str(), e.host(), e.is_sandbox(), e.is_loopback());
        }
    }

    #[test]
    fn soql_parser(
        body in mutate::input(SOQL.iter().map(|s| s.as_bytes().to_vec()).collect()),
    ) {
        if let Err(e) = soql::parse(&text(&body)) {
            prop_assert!(!e.message.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(mutate::config(CASES))]

    /// The record drafts file (`<data dir>/drafts.json`): a damaged file is an error, not a
    /// panic, and a good one round-trips.
    #[test]
    fn drafts_file(body in mutate::json_input(vec![DRAFTS.as_bytes().to_vec()])) {
        use sfterm::jobs::record_detail::{read_drafts, write_drafts, DRAFTS_FILE};
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(DRAFTS_FILE), &body).expect("write");
        if let Ok(drafts) = read_drafts(dir.path()) {
            prop_assert!(write_drafts(dir.path(), &drafts).is_ok());
            let again = read_drafts(dir.path()).expect("re-read");
            prop_assert_eq!(again.len(), drafts.len());
        }
    }
}

#[test]
fn the_drafts_seed_is_a_valid_drafts_file() {
    use sfterm::jobs::record_detail::{DRAFTS_FILE, read_drafts};
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(DRAFTS_FILE), DRAFTS).expect("write");
    assert_eq!(read_drafts(dir.path()).expect("parses").len(), 2);
}
