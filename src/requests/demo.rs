//! The ready-made requests `sfterm demo` offers in the Composer: the mock org's two customer
//! services, `CustomerRESTWS` (Apex REST) and `CustomerWS` (Apex SOAP, envelopes built from the
//! shipped WSDL). They are written into the demo's own scratch data directory, never the
//! user's.

use std::path::Path;

use super::request::{Pair, RequestKind, SavedRequest};
use super::soap::{self, Wsdl};
use super::store::RequestStore;
use crate::config::ConfigError;

/// The WSDL of the mock org's `CustomerWS` class (`{{ORIGIN}}` stands for the instance origin).
pub const CUSTOMER_WSDL: &str = include_str!("../../assets/mock-org/CustomerWS.wsdl");

/// Folder of the Apex REST requests.
pub const REST_FOLDER: &str = "Demo: CustomerRESTWS";
/// Folder of the SOAP requests.
pub const SOAP_FOLDER: &str = "Demo: CustomerWS (SOAP)";
/// The user variable holding a seeded customer's Account Id (set per demo profile at start).
pub const CUSTOMER_ID_VAR: &str = "customer_id";

const REST_PATH: &str = "/services/apexrest/CustomerRESTWS";
const SOAP_PATH: &str = "/services/Soap/class/CustomerWS";

fn in_folder(folder: &str, mut request: SavedRequest, description: &str) -> SavedRequest {
    request.folder = vec![folder.to_string()];
    request.description = description.to_string();
    request
}

/// A SOAP request for `operation` of `CustomerWS`, its envelope filled from `args`.
fn soap_request(
    wsdl: &Wsdl,
    name: &str,
    operation: &str,
    args: &[(&str, &str)],
    description: &str,
) -> Result<SavedRequest, soap::SoapError> {
    let args: Vec<(String, String)> = args
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
    let envelope = wsdl.build_request(operation, &args, "?sessionId?")?;
    let envelope = soap::pretty_print(&envelope).unwrap_or(envelope);
    let mut request = SavedRequest::new(name, "POST", SOAP_PATH);
    request.kind = RequestKind::Soap;
    request.body = Some(envelope);
    Ok(in_folder(SOAP_FOLDER, request, description))
}

/// The demo requests: three on `CustomerRESTWS`, two on `CustomerWS`. The customer id is the
/// `{{customer_id}}` variable ([`CUSTOMER_ID_VAR`]).
pub fn demo_requests() -> Result<Vec<SavedRequest>, soap::SoapError> {
    let wsdl = Wsdl::parse(CUSTOMER_WSDL)?;
    let var = format!("{{{{{CUSTOMER_ID_VAR}}}}}");

    let get = in_folder(
        REST_FOLDER,
        SavedRequest::new("Get customer by id", "GET", format!("{REST_PATH}/{var}")),
        "A seeded Account and its Contacts; {{customer_id}} is set from the org at start.",
    );
    let mut search = SavedRequest::new("Search customers by name", "GET", REST_PATH);
    search.params = vec![Pair::new("name", "Acme")];
    let search = in_folder(
        REST_FOLDER,
        search,
        "Customers whose name contains the text.",
    );
    let mut create = SavedRequest::new("Create customer", "POST", REST_PATH);
    create.headers = vec![Pair::new("Content-Type", "application/json")];
    create.body = Some(
        serde_json::to_string_pretty(&serde_json::json!({
            "customer": {
                "name": "Demo Customer Ltd",
                "phone": "+1 555 0100",
                "industry": "Technology",
                "contacts": [
                    {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"}
                ]
            }
        }))
        .unwrap_or_default(),
    );
    let create = in_folder(
        REST_FOLDER,
        create,
        "Creates an Account with one Contact (the Records tab shows it after a reload).",
    );

    let get_soap = soap_request(
        &wsdl,
        "getCustomer",
        "getCustomer",
        &[("accountId", var.as_str())],
        "The seeded customer over SOAP; the session is added at send.",
    )?;
    let create_soap = soap_request(
        &wsdl,
        "createCustomer",
        "createCustomer",
        &[
            ("customer.name", "Demo SOAP Customer"),
            ("customer.phone", "+1 555 0199"),
            ("customer.industry", "Banking"),
            ("customer.contacts.firstName", "Grace"),
            ("customer.contacts.lastName", "Hopper"),
            ("customer.contacts.email", "grace@example.com"),
        ],
        "Creates a customer over SOAP and answers its Account Id.",
    )?;
    Ok(vec![get, search, create, get_soap, create_soap])
}

/// Writes the demo requests that are not there yet into `data_dir`'s request store (a demo
/// request the user edited in an earlier run stays as they left it) and sets `{{customer_id}}`
/// to `customer_id` for each of `profiles`.
pub fn seed(data_dir: &Path, profiles: &[&str], customer_id: &str) -> Result<(), String> {
    write_requests(data_dir)?;
    set_customer(data_dir, profiles, customer_id)
}

/// Writes the demo requests that are not there yet into `data_dir`'s request store. Cheap:
/// `sfterm demo` does it before its first frame, so the Composer lists them from the start.
pub fn write_requests(data_dir: &Path) -> Result<(), String> {
    let store = RequestStore::new(data_dir);
    for request in demo_requests().map_err(|e| e.to_string())? {
        if store.path_for(&request.folder, &request.name).exists() {
            continue;
        }
        store
            .save(&request)
            .map_err(|e: ConfigError| e.to_string())?;
    }
    Ok(())
}

/// Sets `{{customer_id}}` to `customer_id` for each of `profiles` (`sfterm demo` does it once
/// its mock org has seeded the customers).
pub fn set_customer(data_dir: &Path, profiles: &[&str], customer_id: &str) -> Result<(), String> {
    let store = RequestStore::new(data_dir);
    for profile in profiles {
        store
            .set_variable(profile, CUSTOMER_ID_VAR, customer_id)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_requests_are_in_two_folders_with_filled_envelopes() {
        let requests = demo_requests().expect("requests");
        let names: Vec<(&str, &str)> = requests
            .iter()
            .map(|r| (r.folder[0].as_str(), r.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (REST_FOLDER, "Get customer by id"),
                (REST_FOLDER, "Search customers by name"),
                (REST_FOLDER, "Create customer"),
                (SOAP_FOLDER, "getCustomer"),
                (SOAP_FOLDER, "createCustomer"),
            ]
        );
        let get_soap = requests[3].body.as_deref().expect("envelope");
        assert!(get_soap.contains("{{customer_id}}</"), "{get_soap}");
        assert!(get_soap.contains("sessionId"), "{get_soap}");
        let create_soap = requests[4].body.as_deref().expect("envelope");
        assert!(create_soap.contains(">Hopper</"), "{create_soap}");
        assert_eq!(requests[4].kind, RequestKind::Soap);
        assert_eq!(requests[0].variables_used(), ["customer_id"]);
    }

    #[test]
    fn seeding_writes_the_requests_and_the_variable() {
        let dir = tempfile::tempdir().expect("tempdir");
        seed(dir.path(), &["Demo org"], "001000000000001AAA").expect("seed");
        let store = RequestStore::new(dir.path());
        assert_eq!(store.list().requests.len(), 5);
        let vars = store.variables("Demo org").expect("variables");
        assert_eq!(vars.get(CUSTOMER_ID_VAR), Some("001000000000001AAA"));
    }

    #[test]
    fn seeding_again_keeps_a_demo_request_the_user_edited() {
        let dir = tempfile::tempdir().expect("tempdir");
        seed(dir.path(), &["Demo org"], "001000000000001AAA").expect("seed");
        let store = RequestStore::new(dir.path());
        let mut edited = demo_requests().expect("requests").remove(0);
        edited.path = "/services/apexrest/CustomerRESTWS/edited".into();
        store.save(&edited).expect("save");
        seed(dir.path(), &["Demo org"], "001000000000002AAA").expect("seed again");
        let path = store.path_for(&edited.folder, &edited.name);
        assert_eq!(store.load(&path).expect("load").path, edited.path);
        assert_eq!(store.list().requests.len(), 5);
        let vars = store.variables("Demo org").expect("variables");
        assert_eq!(vars.get(CUSTOMER_ID_VAR), Some("001000000000002AAA"));
    }
}
