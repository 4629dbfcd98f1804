//! The two "customer" Apex services of the mock org, both over the normal record store (a
//! customer is an Account with its Contacts):
//!
//! * `CustomerRESTWS`, `@RestResource(urlMapping='/CustomerRESTWS/*')`:
//!   `GET /CustomerRESTWS/{accountId}` → the customer; `GET /CustomerRESTWS?name=acme` → the
//!   customers whose name contains the text; `POST` `{"customer": {...}}` creates the Account
//!   and its Contacts and answers `{"accountId", "contactIds"}`; `PATCH /{accountId}`
//!   `{"customer": {name?, phone?, industry?}}` updates and answers the customer; `DELETE
//!   /{accountId}` removes the Account and its Contacts (200, empty body). An unknown account
//!   id raises `System.QueryException` (500 `APEX_ERROR` with a stack line); a body that does
//!   not map to the parameters is 400 `JSON_PARSER_ERROR`.
//! * `CustomerWS` (SOAP, `/services/Soap/class/CustomerWS`): `getCustomer(accountId)`,
//!   `createCustomer(customer)` → the new account id, `searchCustomers(name)` → customers.
//!   Its WSDL is `assets/mock-org/CustomerWS.wsdl`.
//!
//! JSON and XML customers have the same member names: `accountId`, `name`, `phone`,
//! `industry`, `contacts` [`contactId`, `firstName`, `lastName`, `email`].

use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::rest::{ApiError, method_not_allowed};
use super::state::{Shared, json_response};
use super::xml::{Element, element, leaf};

/// The class's WSDL as shipped; `{{ORIGIN}}` stands for the instance origin.
pub(crate) const WSDL: &str = include_str!("../../assets/mock-org/CustomerWS.wsdl");

const REST_CLASS: &str = "CustomerRESTWS";
const SOAP_CLASS: &str = "CustomerWS";

/// Account members of a customer: (member name, Account field).
const ACCOUNT_MEMBERS: [(&str, &str); 3] = [
    ("industry", "Industry"),
    ("name", "Name"),
    ("phone", "Phone"),
];
/// Contact members of a customer contact: (member name, Contact field).
const CONTACT_MEMBERS: [(&str, &str); 3] = [
    ("email", "Email"),
    ("firstName", "FirstName"),
    ("lastName", "LastName"),
];

/// A customer contact.
#[derive(Debug, Default, Clone)]
pub(crate) struct Contact {
    pub id: Option<String>,
    /// Member name → value (`firstName`, ...).
    pub values: Map<String, Value>,
}

/// A customer: Account values and its Contacts.
#[derive(Debug, Default, Clone)]
pub(crate) struct Customer {
    pub id: Option<String>,
    /// Member name → value (`name`, `phone`, `industry`).
    pub values: Map<String, Value>,
    pub contacts: Vec<Contact>,
}

/// An uncaught Apex exception: type, message and the stack line's method and line.
#[derive(Debug)]
pub(crate) struct Exception {
    pub kind: &'static str,
    pub message: String,
    pub line: u32,
}

impl Exception {
    fn no_rows(line: u32) -> Exception {
        Exception {
            kind: "System.QueryException",
            message: "List has no rows for assignment to SObject".into(),
            line,
        }
    }

    fn dml(op: &str, error: &ApiError, line: u32) -> Exception {
        Exception {
            kind: "System.DmlException",
            message: format!(
                "{op} failed. First exception on row 0; first error: {}, {}",
                error.code, error.message
            ),
            line,
        }
    }

    /// `Type: message\n\nClass.{class}.{method}: line N, column 1`.
    fn text(&self, class: &str, method: &str) -> String {
        format!(
            "{}: {}\n\nClass.{class}.{method}: line {}, column 1",
            self.kind, self.message, self.line
        )
    }
}

impl Customer {
    /// JSON shape (null members omitted, as Apex REST serializes).
    fn to_json(&self) -> Value {
        let mut out = Map::new();
        if let Some(id) = &self.id {
            out.insert("accountId".into(), json!(id));
        }
        out.insert(
            "contacts".into(),
            Value::Array(
                self.contacts
                    .iter()
                    .map(|c| {
                        let mut m = Map::new();
                        if let Some(id) = &c.id {
                            m.insert("contactId".into(), json!(id));
                        }
                        m.extend(c.values.clone());
                        Value::Object(m)
                    })
                    .collect(),
            ),
        );
        out.extend(self.values.clone());
        Value::Object(out)
    }

    /// XML members in WSDL (alphabetical) order, unprefixed (default namespace).
    fn to_xml(&self) -> String {
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let members = |values: &Map<String, Value>, names: &[(&str, &str)]| -> String {
            names
                .iter()
                .filter_map(|(member, _)| Some(leaf(member, &text(values.get(*member)?))))
                .collect()
        };
        let mut out = String::new();
        if let Some(id) = &self.id {
            out.push_str(&leaf("accountId", id));
        }
        for c in &self.contacts {
            let id = c.id.as_deref().map(|id| leaf("contactId", id));
            let inner = id.unwrap_or_default() + &members(&c.values, &CONTACT_MEMBERS);
            out.push_str(&element("contacts", &inner));
        }
        out.push_str(&members(&self.values, &ACCOUNT_MEMBERS));
        out
    }
}

fn live(row: &super::soql::Row) -> bool {
    row.get("IsDeleted") != Some(&Value::Bool(true))
}

fn pick(row: &super::soql::Row, members: &[(&str, &str)]) -> Map<String, Value> {
    members
        .iter()
        .filter_map(|(member, field)| {
            row.get(*field)
                .filter(|v| !v.is_null())
                .map(|v| ((*member).to_owned(), v.clone()))
        })
        .collect()
}

/// The customer of `account_id`, or `None` (unknown, malformed or deleted id).
pub(crate) fn load(shared: &Shared, account_id: &str) -> Option<Customer> {
    let id = crate::sf::id::normalize(account_id)?;
    let inner = shared.lock();
    let account = inner
        .store
        .get("Account")?
        .get(&id)
        .filter(|r| live(&r.row))?;
    let contacts = inner
        .store
        .get("Contact")
        .map(|contacts| {
            contacts
                .iter()
                .filter(|r| {
                    !r.is_deleted()
                        && r.get("AccountId").as_ref().and_then(Value::as_str) == Some(&id)
                })
                .map(|r| Contact {
                    id: Some(r.id()),
                    values: pick(&r.row(), &CONTACT_MEMBERS),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Customer {
        id: Some(id),
        values: pick(&account.row, &ACCOUNT_MEMBERS),
        contacts,
    })
}

/// Customers whose Account name contains `name` (any case), by name, at most 50.
pub(crate) fn search(shared: &Shared, name: &str) -> Vec<Customer> {
    let needle = name.to_lowercase();
    let mut hits: Vec<(String, String)> = {
        let inner = shared.lock();
        inner
            .store
            .get("Account")
            .map(|accounts| {
                accounts
                    .iter()
                    .filter(|r| !r.is_deleted())
                    .filter_map(|r| {
                        let Value::String(n) = r.get("Name")? else {
                            return None;
                        };
                        n.to_lowercase().contains(&needle).then(|| (n, r.id()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    hits.sort();
    hits.truncate(50);
    hits.iter().filter_map(|(_, id)| load(shared, id)).collect()
}

fn fields_of(values: &Map<String, Value>, members: &[(&str, &str)]) -> Map<String, Value> {
    members
        .iter()
        .filter_map(|(member, field)| {
            values
                .get(*member)
                .map(|v| ((*field).to_owned(), v.clone()))
        })
        .collect()
}

/// Inserts the Account and its Contacts; answers (account id, contact ids).
pub(crate) fn create(
    shared: &Shared,
    customer: &Customer,
    line: u32,
) -> Result<(String, Vec<String>), Exception> {
    let account = shared
        .schema
        .object("Account")
        .ok_or_else(|| Exception::no_rows(line))?;
    let contact = shared
        .schema
        .object("Contact")
        .ok_or_else(|| Exception::no_rows(line))?;
    let account_fields = fields_of(&customer.values, &ACCOUNT_MEMBERS);
    if account_fields
        .get("Name")
        .and_then(Value::as_str)
        .is_none_or(|n| n.trim().is_empty())
    {
        let missing = ApiError::bad(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Name]: [Name]",
        );
        return Err(Exception::dml("Insert", &missing, line));
    }
    let mut contact_rows = Vec::new();
    for c in &customer.contacts {
        let fields = fields_of(&c.values, &CONTACT_MEMBERS);
        if fields
            .get("LastName")
            .and_then(Value::as_str)
            .is_none_or(|n| n.trim().is_empty())
        {
            let missing = ApiError::bad(
                "REQUIRED_FIELD_MISSING",
                "Required fields are missing: [LastName]: [LastName]",
            );
            return Err(Exception::dml("Insert", &missing, line + 4));
        }
        // validate before anything is inserted: the whole call is one transaction
        super::rest::validate(contact, &fields, true)
            .map_err(|e| Exception::dml("Insert", &e, line + 4))?;
        contact_rows.push(fields);
    }
    let account_id = super::rest::create(shared, account, &account_fields)
        .map_err(|e| Exception::dml("Insert", &e, line))?;
    let mut contact_ids = Vec::new();
    for mut fields in contact_rows {
        fields.insert("AccountId".into(), json!(account_id));
        let id = super::rest::create(shared, contact, &fields)
            .map_err(|e| Exception::dml("Insert", &e, line + 4))?;
        contact_ids.push(id);
    }
    Ok((account_id, contact_ids))
}

/// Updates the Account's `name`/`phone`/`industry` members.
fn update(
    shared: &Shared,
    account_id: &str,
    values: &Map<String, Value>,
) -> Result<Customer, Exception> {
    let object = shared
        .schema
        .object("Account")
        .ok_or_else(|| Exception::no_rows(22))?;
    let id = crate::sf::id::normalize(account_id).ok_or_else(|| Exception::no_rows(22))?;
    let changes = super::rest::validate(object, &fields_of(values, &ACCOUNT_MEMBERS), false)
        .map_err(|e| Exception::dml("Update", &e, 25))?;
    {
        let mut inner = shared.lock();
        let store = inner
            .store
            .get_mut("Account")
            .ok_or_else(|| Exception::no_rows(22))?;
        let mut record = store
            .get(&id)
            .filter(|r| live(&r.row))
            .ok_or_else(|| Exception::no_rows(22))?;
        record.apply_update(object, changes, &shared.user_id, shared.clock.now_ms());
        store.put(&id, &record);
    }
    load(shared, &id).ok_or_else(|| Exception::no_rows(22))
}

/// Deletes the Account and its Contacts.
fn delete(shared: &Shared, account_id: &str) -> Result<(), Exception> {
    let id = crate::sf::id::normalize(account_id).ok_or_else(|| Exception::no_rows(31))?;
    let mut inner = shared.lock();
    let accounts = inner
        .store
        .get_mut("Account")
        .ok_or_else(|| Exception::no_rows(31))?;
    let mut account = accounts
        .get(&id)
        .filter(|r| live(&r.row))
        .ok_or_else(|| Exception::no_rows(31))?;
    account.mark_deleted(shared.clock.now_ms());
    accounts.put(&id, &account);
    if let Some(contacts) = inner.store.get_mut("Contact") {
        let hits: Vec<String> = contacts
            .iter()
            .filter(|r| {
                !r.is_deleted() && r.get("AccountId").as_ref().and_then(Value::as_str) == Some(&id)
            })
            .map(|r| r.id())
            .collect();
        for contact in hits {
            if let Some(mut record) = contacts.get(&contact) {
                record.mark_deleted(shared.clock.now_ms());
                contacts.put(&contact, &record);
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- REST

fn apex_error(e: &Exception, method: &str) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "APEX_ERROR",
        e.text(REST_CLASS, method),
    )
}

fn parser_error(message: String) -> ApiError {
    ApiError::bad("JSON_PARSER_ERROR", message)
}

/// The `customer` parameter of a POST/PATCH body, checked member by member.
fn customer_param(body: &[u8], with_contacts: bool) -> Result<Customer, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        parser_error(format!(
            "Unexpected character: was expecting a valid JSON value at [line:{}, column:{}]",
            e.line(),
            e.column()
        ))
    })?;
    let Value::Object(params) = value else {
        return Err(parser_error(format!(
            "Cannot deserialize instance of {REST_CLASS}.Params from a non-object value at [line:1, column:1]"
        )));
    };
    if let Some(unknown) = params.keys().find(|k| k.as_str() != "customer") {
        return Err(parser_error(format!(
            "Unexpected parameter encountered during deserialization: {unknown} at [line:1, column:{}]",
            unknown.len() + 3
        )));
    }
    let Some(Value::Object(map)) = params.get("customer") else {
        return Err(parser_error(format!(
            "Expected {REST_CLASS}.Customer but found a non-object value for customer at [line:1, column:13]"
        )));
    };
    let mut customer = Customer::default();
    for (k, v) in map {
        match k.as_str() {
            "contacts" if with_contacts => {
                let Value::Array(items) = v else {
                    return Err(parser_error(format!(
                        "Expected List<{REST_CLASS}.CustomerContact> but found {v} for contacts"
                    )));
                };
                for item in items {
                    let Value::Object(c) = item else {
                        return Err(parser_error(format!(
                            "Expected {REST_CLASS}.CustomerContact but found {item}"
                        )));
                    };
                    let mut contact = Contact::default();
                    for (ck, cv) in c {
                        if !CONTACT_MEMBERS.iter().any(|(m, _)| m == ck) {
                            return Err(parser_error(format!(
                                "Unknown field: {REST_CLASS}.CustomerContact.{ck}"
                            )));
                        }
                        contact.values.insert(ck.clone(), cv.clone());
                    }
                    customer.contacts.push(contact);
                }
            }
            member if ACCOUNT_MEMBERS.iter().any(|(m, _)| *m == member) => {
                customer.values.insert(k.clone(), v.clone());
            }
            _ => {
                return Err(parser_error(format!(
                    "Unknown field: {REST_CLASS}.Customer.{k}"
                )));
            }
        }
    }
    Ok(customer)
}

/// `CustomerRESTWS` (`path` is after `/services/apexrest`, starting `/CustomerRESTWS`).
pub(crate) fn rest(
    shared: &Shared,
    method: &Method,
    path: &str,
    name_param: Option<String>,
    body: &[u8],
) -> Result<Response, ApiError> {
    let id = path
        .strip_prefix("/CustomerRESTWS")
        .unwrap_or_default()
        .trim_matches('/');
    match *method {
        Method::GET => {
            if id.is_empty() {
                let Some(name) = name_param else {
                    return Err(apex_error(
                        &Exception {
                            kind: "System.IllegalArgumentException",
                            message: "an account id in the URL or ?name= is required".into(),
                            line: 6,
                        },
                        "doGet",
                    ));
                };
                let found: Vec<Value> = search(shared, &name)
                    .iter()
                    .map(Customer::to_json)
                    .collect();
                return Ok(json_response(StatusCode::OK, &Value::Array(found)));
            }
            let customer =
                load(shared, id).ok_or_else(|| apex_error(&Exception::no_rows(9), "doGet"))?;
            Ok(json_response(StatusCode::OK, &customer.to_json()))
        }
        Method::POST => {
            let customer = customer_param(body, true)?;
            let (account_id, contact_ids) =
                create(shared, &customer, 14).map_err(|e| apex_error(&e, "doPost"))?;
            Ok(json_response(
                StatusCode::OK,
                &json!({"accountId": account_id, "contactIds": contact_ids}),
            ))
        }
        Method::PATCH => {
            let customer = customer_param(body, false)?;
            let updated =
                update(shared, id, &customer.values).map_err(|e| apex_error(&e, "doPatch"))?;
            Ok(json_response(StatusCode::OK, &updated.to_json()))
        }
        Method::DELETE => {
            delete(shared, id).map_err(|e| apex_error(&e, "doDelete"))?;
            Ok(StatusCode::OK.into_response())
        }
        _ => Err(method_not_allowed(method, "GET,HEAD,POST,PATCH,DELETE")),
    }
}

// ---------------------------------------------------------------- SOAP

/// The customer of a `customer` element (members by local name).
fn customer_from_xml(e: &Element) -> Result<Customer, String> {
    let mut customer = Customer::default();
    let text = |c: &Element| {
        if c.nil { Value::Null } else { json!(c.text) }
    };
    for child in &e.children {
        match child.local_name() {
            "contacts" => {
                let mut contact = Contact::default();
                for m in &child.children {
                    if !CONTACT_MEMBERS.iter().any(|(n, _)| *n == m.local_name()) {
                        return Err(format!(
                            "Unexpected element {{{}}}{} during deserialization",
                            m.namespace.clone().unwrap_or_default(),
                            m.local_name()
                        ));
                    }
                    contact.values.insert(m.local_name().to_owned(), text(m));
                }
                customer.contacts.push(contact);
            }
            "accountId" => {}
            name if ACCOUNT_MEMBERS.iter().any(|(n, _)| *n == name) => {
                customer.values.insert(name.to_owned(), text(child));
            }
            other => {
                return Err(format!(
                    "Unexpected element {{{}}}{other} during deserialization",
                    child.namespace.clone().unwrap_or_default()
                ));
            }
        }
    }
    Ok(customer)
}

/// Runs a `CustomerWS` operation; `Ok(inner XML of {op}Response)` or `Err(fault message)`.
pub(crate) fn soap(shared: &Shared, operation: &Element) -> Result<String, String> {
    let op = operation.local_name();
    let arg = |name: &str| operation.child(name).filter(|e| !e.nil);
    match op {
        "getCustomer" => {
            let id = arg("accountId").map(|e| e.text.clone()).unwrap_or_default();
            let customer =
                load(shared, &id).ok_or_else(|| Exception::no_rows(5).text(SOAP_CLASS, op))?;
            Ok(element("result", &customer.to_xml()))
        }
        "searchCustomers" => {
            let name = arg("name").map(|e| e.text.clone()).unwrap_or_default();
            Ok(search(shared, &name)
                .iter()
                .map(|c| element("result", &c.to_xml()))
                .collect())
        }
        "createCustomer" => {
            let Some(e) = arg("customer") else {
                return Err(Exception {
                    kind: "System.NullPointerException",
                    message: "Attempt to de-reference a null object".into(),
                    line: 12,
                }
                .text(SOAP_CLASS, op));
            };
            let customer = customer_from_xml(e)?;
            let (id, _) = create(shared, &customer, 13).map_err(|e| e.text(SOAP_CLASS, op))?;
            Ok(leaf("result", &id))
        }
        other => Err(format!(
            "No operation available for request {{http://soap.sforce.com/schemas/class/{SOAP_CLASS}}}{other}, please check the WSDL for the service."
        )),
    }
}
