//! The customer Apex services of the mock org over real HTTP: `CustomerRESTWS` (Apex REST) and
//! `CustomerWS` (SOAP, with its WSDL), sharing one record store.

use crate::common;

use serde_json::{Value, json};
use sfterm::mock_org::MockOrg;
use sfterm::requests::soap::{SoapResponse, Wsdl, flatten, parse_response};

struct Fixture {
    org: MockOrg,
    client: reqwest::Client,
    token: String,
}

impl Fixture {
    async fn start() -> Fixture {
        let common::org::OrgFixture { org, client, token } = common::org::start_with_token(5).await;
        Fixture { org, client, token }
    }

    async fn rest(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = self
            .org
            .instance_url()
            .join(&format!("services/apexrest/{path}"))
            .expect("url");
        let mut request = self.client.request(method, url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("text");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn soap(&self, envelope: String) -> (u16, String) {
        let response = self
            .client
            .post(
                self.org
                    .instance_url()
                    .join("services/Soap/class/CustomerWS")
                    .expect("url"),
            )
            .header("Content-Type", "text/xml; charset=UTF-8")
            .header("SOAPAction", "\"\"")
            .body(envelope)
            .send()
            .await
            .expect("soap");
        let status = response.status().as_u16();
        (status, response.text().await.expect("text"))
    }
}

#[tokio::test]
async fn customer_rest_service_crud_and_errors() {
    let f = Fixture::start().await;
    let (status, body) = f
        .rest(
            reqwest::Method::POST,
            "CustomerRESTWS",
            Some(json!({"customer": {"name": "Zephyr Widgets", "phone": "555-0100",
                "contacts": [{"firstName": "Ada", "lastName": "Lovelace", "email": "ada@zephyr.example"},
                             {"lastName": "Babbage"}]}})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let account_id = body["accountId"].as_str().expect("accountId").to_owned();
    assert!(account_id.starts_with("001"));
    assert_eq!(body["contactIds"].as_array().map(Vec::len), Some(2));

    let (status, customer) = f
        .rest(
            reqwest::Method::GET,
            &format!("CustomerRESTWS/{account_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{customer}");
    assert_eq!(customer["name"], "Zephyr Widgets");
    assert_eq!(customer["phone"], "555-0100");
    assert_eq!(customer["contacts"][0]["lastName"], "Lovelace");
    assert_eq!(customer["contacts"][1]["lastName"], "Babbage");
    assert!(
        customer["contacts"][1].get("email").is_none(),
        "nulls are omitted"
    );

    // the Account is a normal record of the REST API
    let (status, record) = f
        .rest(reqwest::Method::GET, "CustomerRESTWS?name=zephyr", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(record.as_array().map(Vec::len), Some(1));
    let rest_record: Value = f
        .client
        .get(
            f.org
                .instance_url()
                .join(&format!(
                    "services/data/v62.0/sobjects/Account/{account_id}"
                ))
                .expect("url"),
        )
        .bearer_auth(&f.token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(rest_record["Name"], "Zephyr Widgets");

    let (status, updated) = f
        .rest(
            reqwest::Method::PATCH,
            &format!("CustomerRESTWS/{account_id}"),
            Some(json!({"customer": {"phone": "555-0199"}})),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["phone"], "555-0199");
    assert_eq!(updated["name"], "Zephyr Widgets");

    // errors as Apex REST gives them
    let (status, body) = f.rest(reqwest::Method::GET, "NoSuchClass/1", None).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!([{"errorCode": "NOT_FOUND", "message": "Could not find a match for URL /NoSuchClass/1"}])
    );
    let (status, body) = f
        .rest(
            reqwest::Method::POST,
            "CustomerRESTWS",
            Some(json!({"customer": {"nmae": "typo"}})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "JSON_PARSER_ERROR");
    assert!(
        body[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Unknown field: CustomerRESTWS.Customer.nmae")),
        "{body}"
    );
    let (status, body) = f
        .rest(
            reqwest::Method::GET,
            "CustomerRESTWS/001000000000000AAA",
            None,
        )
        .await;
    assert_eq!(status, 500);
    assert_eq!(
        body,
        json!([{"errorCode": "APEX_ERROR", "message": "System.QueryException: List has no rows for assignment to SObject\n\nClass.CustomerRESTWS.doGet: line 9, column 1"}])
    );
    let (status, body) = f
        .rest(
            reqwest::Method::POST,
            "CustomerRESTWS",
            Some(json!({"customer": {"phone": "1"}})),
        )
        .await;
    assert_eq!(status, 500);
    assert!(
        body[0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("System.DmlException: Insert failed.")
                && m.contains("REQUIRED_FIELD_MISSING")),
        "{body}"
    );

    let (status, _) = f
        .rest(
            reqwest::Method::DELETE,
            &format!("CustomerRESTWS/{account_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = f
        .rest(
            reqwest::Method::GET,
            &format!("CustomerRESTWS/{account_id}"),
            None,
        )
        .await;
    assert_eq!(status, 500, "deleted customers are gone");
}

#[tokio::test]
async fn customer_soap_service_with_its_wsdl() {
    let f = Fixture::start().await;
    let wsdl_text = f
        .client
        .get(
            f.org
                .instance_url()
                .join("services/wsdl/class/CustomerWS")
                .expect("url"),
        )
        .bearer_auth(&f.token)
        .send()
        .await
        .expect("wsdl")
        .text()
        .await
        .expect("text");
    let wsdl = Wsdl::parse(&wsdl_text).expect("parse wsdl");
    assert_eq!(
        wsdl.services[0].location,
        format!(
            "{}/services/Soap/class/CustomerWS",
            f.org.instance_url().as_str().trim_end_matches('/')
        )
    );

    let args: Vec<(String, String)> = [
        ("customer.name", "Nimbus & Sons"),
        ("customer.industry", "Energy"),
        ("customer.contacts[0].lastName", "Curie"),
        ("customer.contacts[0].firstName", "Marie"),
        ("customer.contacts[1].lastName", "Noether"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    let envelope = wsdl
        .build_request("createCustomer", &args, &f.token)
        .expect("envelope");
    let (status, xml) = f.soap(envelope).await;
    assert_eq!(status, 200, "{xml}");
    let SoapResponse::Result { results, .. } = parse_response(&xml).expect("response") else {
        panic!("fault: {xml}");
    };
    let account_id = results[0].text.clone();
    assert!(account_id.starts_with("001"), "{xml}");

    // created by SOAP, read by REST: same store
    let (status, customer) = f
        .rest(
            reqwest::Method::GET,
            &format!("CustomerRESTWS/{account_id}"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(customer["name"], "Nimbus & Sons");
    assert_eq!(customer["contacts"].as_array().map(Vec::len), Some(2));

    let get = wsdl
        .build_request(
            "getCustomer",
            &[("accountId".to_owned(), account_id.clone())],
            &f.token,
        )
        .expect("envelope");
    let (status, xml) = f.soap(get).await;
    assert_eq!(status, 200, "{xml}");
    let SoapResponse::Result { operation, results } = parse_response(&xml).expect("response")
    else {
        panic!("fault: {xml}");
    };
    assert_eq!(operation, "getCustomerResponse");
    let flat = flatten(&results);
    assert!(flat.contains(&("result.name".to_owned(), "Nimbus & Sons".to_owned())));
    assert!(flat.contains(&(
        "result.contacts[1].lastName".to_owned(),
        "Noether".to_owned()
    )));
    assert!(flat.contains(&("result.accountId".to_owned(), account_id.clone())));

    let search = wsdl
        .build_request(
            "searchCustomers",
            &[("name".to_owned(), "nimbus".to_owned())],
            &f.token,
        )
        .expect("envelope");
    let (_, xml) = f.soap(search).await;
    let SoapResponse::Result { results, .. } = parse_response(&xml).expect("response") else {
        panic!("fault: {xml}");
    };
    assert_eq!(results.len(), 1);

    // unknown id: an Apex exception as a soapenv:Client fault, HTTP 500
    let get = wsdl
        .build_request(
            "getCustomer",
            &[("accountId".to_owned(), "001000000000000AAA".to_owned())],
            &f.token,
        )
        .expect("envelope");
    let (status, xml) = f.soap(get).await;
    assert_eq!(status, 500);
    let SoapResponse::Fault(fault) = parse_response(&xml).expect("response") else {
        panic!("expected a fault: {xml}");
    };
    assert_eq!(fault.code, "soapenv:Client");
    assert_eq!(
        fault.message,
        "System.QueryException: List has no rows for assignment to SObject\n\nClass.CustomerWS.getCustomer: line 5, column 1"
    );

    // a bad session
    let get = wsdl
        .build_request(
            "getCustomer",
            &[("accountId".to_owned(), account_id)],
            "bogus",
        )
        .expect("envelope");
    let (status, xml) = f.soap(get).await;
    assert_eq!(status, 500);
    let SoapResponse::Fault(fault) = parse_response(&xml).expect("response") else {
        panic!("expected a fault: {xml}");
    };
    assert!(fault.is_invalid_session());
}

#[test]
fn shipped_wsdl_parses_with_types_and_skeletons() {
    let text = include_str!("../../assets/mock-org/CustomerWS.wsdl");
    let wsdl = Wsdl::parse(text).expect("parse");
    assert_eq!(
        wsdl.target_namespace,
        "http://soap.sforce.com/schemas/class/CustomerWS"
    );
    let names: Vec<&str> = wsdl.operations.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["createCustomer", "getCustomer", "searchCustomers"]);
    let get = wsdl.operation("getCustomer").expect("op");
    assert_eq!(get.params[0].name, "accountId");
    assert_eq!(get.params[0].type_name, "ID");
    assert!(!get.params[0].builtin);
    let result = get.result.as_ref().expect("result");
    assert_eq!(result.type_name, "Customer");
    let search = wsdl.operation("searchCustomers").expect("op");
    assert!(search.result.as_ref().is_some_and(|r| r.repeated()));
    assert!(search.params[0].builtin);
    let members: Vec<(String, String)> = wsdl
        .members("Customer")
        .into_iter()
        .map(|f| (f.name, f.type_name))
        .collect();
    assert_eq!(
        members[1],
        ("contacts".to_owned(), "CustomerContact".to_owned())
    );
    assert!(
        wsdl.simple_types
            .contains(&("ID".to_owned(), "string".to_owned()))
    );

    let skeleton = wsdl.skeleton("createCustomer").expect("skeleton");
    assert!(
        skeleton.contains("<tns:sessionId>?sessionId?</tns:sessionId>"),
        "{skeleton}"
    );
    assert!(
        skeleton.contains("<tns:lastName>?string?</tns:lastName>"),
        "{skeleton}"
    );
    assert!(
        skeleton.contains("<tns:accountId>?ID?</tns:accountId>"),
        "{skeleton}"
    );
    assert!(sfterm::requests::soap::parse_xml(&skeleton).is_ok());

    let err = wsdl.operation("nope").expect_err("unknown");
    assert!(
        err.to_string()
            .contains("createCustomer, getCustomer, searchCustomers")
    );
    let err = wsdl
        .build_request(
            "createCustomer",
            &[("customer.nmae".into(), "x".into())],
            "t",
        )
        .expect_err("bad member");
    assert!(err.to_string().contains("nmae"));
}
