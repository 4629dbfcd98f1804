//! The mock org's SOQL engine against a small in-memory org (Account, Contact, User).
#![cfg(feature = "mock-org")]

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::{Value, json};
use sfterm::mock_org::soql::*;

/// An in-memory [`SoqlSource`]: objects with their fields and rows, Ids indexed.
struct Org {
    fields: Vec<(&'static str, Vec<FieldInfo>)>,
    rows: HashMap<String, Vec<Row>>,
    index: HashMap<(String, String), usize>,
}

fn field(name: &str, kind: FieldKind) -> FieldInfo {
    FieldInfo {
        name: name.to_string(),
        kind,
        filterable: kind != FieldKind::Other,
        sortable: kind != FieldKind::Other,
        relationship: None,
    }
}

fn reference(name: &str, rel: &str, target: &str) -> FieldInfo {
    FieldInfo {
        relationship: Some((rel.to_string(), target.to_string())),
        ..field(name, FieldKind::Text)
    }
}

fn row(v: Value) -> Row {
    match v {
        Value::Object(m) => m,
        _ => panic!("rows are objects"),
    }
}

const A1: &str = "001000000000001AAA";
const A2: &str = "001000000000002AAA";
const A3: &str = "001000000000003AAA";
const A4: &str = "001000000000004AAA";
const A5: &str = "001000000000005AAA";
const U1: &str = "005000000000001AAA";
const U2: &str = "005000000000002AAA";

impl Org {
    fn new(accounts: Vec<Row>) -> Org {
        let text = |n| field(n, FieldKind::Text);
        let mut description = text("Description");
        description.filterable = false;
        description.sortable = false;
        let fields = vec![
            (
                "Account",
                vec![
                    text("Id"),
                    text("Name"),
                    field("NumberOfEmployees", FieldKind::Number),
                    field("AnnualRevenue", FieldKind::Number),
                    field("IsDeleted", FieldKind::Boolean),
                    field("CreatedDate", FieldKind::DateTime),
                    field("SLAExpirationDate__c", FieldKind::Date),
                    description,
                    field("BillingAddress", FieldKind::Other),
                    reference("OwnerId", "Owner", "User"),
                ],
            ),
            (
                "Contact",
                vec![
                    text("Id"),
                    text("LastName"),
                    field("IsDeleted", FieldKind::Boolean),
                    field("Birthdate", FieldKind::Date),
                    reference("AccountId", "Account", "Account"),
                ],
            ),
            ("User", vec![text("Id"), text("Name")]),
        ];
        let users = vec![
            row(json!({"Id": U1, "Name": "Ann Admin", "IsDeleted": false})),
            row(json!({"Id": U2, "Name": "bob", "IsDeleted": false})),
        ];
        let contacts = vec![
            row(
                json!({"Id": "003000000000001AAA", "LastName": "Ng", "IsDeleted": false,
                       "Birthdate": "1990-04-01", "AccountId": A1}),
            ),
            row(
                json!({"Id": "003000000000002AAA", "LastName": "Öz", "IsDeleted": false,
                       "Birthdate": null, "AccountId": null}),
            ),
            row(
                json!({"Id": "003000000000003AAA", "LastName": "Jones", "IsDeleted": false,
                       "Birthdate": "1985-12-24", "AccountId": A3}),
            ),
            row(
                json!({"Id": "003000000000004AAA", "LastName": "Old", "IsDeleted": true,
                       "Birthdate": null, "AccountId": A2}),
            ),
        ];
        let mut rows = HashMap::new();
        rows.insert("Account".to_string(), accounts);
        rows.insert("Contact".to_string(), contacts);
        rows.insert("User".to_string(), users);
        let mut index = HashMap::new();
        for (object, list) in &rows {
            for (i, r) in list.iter().enumerate() {
                let id = r.get("Id").and_then(Value::as_str).expect("rows have Ids");
                index.insert((object.clone(), id.to_string()), i);
            }
        }
        Org {
            fields,
            rows,
            index,
        }
    }

    fn sample() -> Org {
        Org::new(vec![
            row(json!({"Id": A1, "Name": "Acme", "NumberOfEmployees": 100,
                       "AnnualRevenue": 1000.5, "IsDeleted": false,
                       "CreatedDate": "2024-01-31T10:00:00.000+0000",
                       "SLAExpirationDate__c": "2024-01-31", "Description": "big",
                       "BillingAddress": {"city": "Paris"}, "OwnerId": U1})),
            row(
                json!({"Id": A2, "Name": "beta corp", "NumberOfEmployees": 5,
                       "AnnualRevenue": null, "IsDeleted": false,
                       "CreatedDate": "2024-01-30T23:59:59.000+0000",
                       "SLAExpirationDate__c": null, "Description": null,
                       "BillingAddress": null, "OwnerId": null}),
            ),
            row(json!({"Id": A3, "Name": "Gamma", "NumberOfEmployees": null,
                       "AnnualRevenue": 50.0, "IsDeleted": false,
                       "CreatedDate": "2024-02-01T00:00:00.000+0000",
                       "SLAExpirationDate__c": "2024-02-15", "Description": null,
                       "BillingAddress": null, "OwnerId": U2})),
            row(json!({"Id": A4, "Name": "Delta_%", "NumberOfEmployees": 20,
                       "AnnualRevenue": 0, "IsDeleted": true,
                       "CreatedDate": "2023-12-31T12:00:00.000+0000",
                       "SLAExpirationDate__c": "2023-12-31", "Description": null,
                       "BillingAddress": null, "OwnerId": U1})),
            row(json!({"Id": A5, "Name": "epsilon", "NumberOfEmployees": 7,
                       "AnnualRevenue": null, "IsDeleted": false,
                       "CreatedDate": "2024-06-01T08:00:00.000+0000",
                       "SLAExpirationDate__c": null, "Description": null,
                       "BillingAddress": null, "OwnerId": U2})),
        ])
    }

    fn object_fields(&self, object: &str) -> Option<&Vec<FieldInfo>> {
        self.fields
            .iter()
            .find(|(o, _)| o.eq_ignore_ascii_case(object))
            .map(|(_, f)| f)
    }
}

impl SoqlSource for Org {
    fn object_name(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(o, _)| o.eq_ignore_ascii_case(name))
            .map(|(o, _)| o.to_string())
    }

    fn field(&self, object: &str, name: &str) -> Option<FieldInfo> {
        self.object_fields(object)?
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .cloned()
    }

    fn relationship(&self, object: &str, name: &str) -> Option<FieldInfo> {
        self.object_fields(object)?
            .iter()
            .find(|f| {
                f.relationship
                    .as_ref()
                    .is_some_and(|(r, _)| r.eq_ignore_ascii_case(name))
            })
            .cloned()
    }

    fn child_relationship(&self, object: &str, name: &str) -> Option<ChildInfo> {
        (object == "Account" && name.eq_ignore_ascii_case("contacts")).then(|| ChildInfo {
            relationship: "Contacts".into(),
            object: "Contact".into(),
            field: "AccountId".into(),
        })
    }

    fn rows(&self, object: &str) -> Box<dyn Iterator<Item = u32> + '_> {
        let n = self.rows.get(object).map_or(0, Vec::len);
        Box::new(0..u32::try_from(n).expect("few rows"))
    }

    fn find(&self, object: &str, id: &str) -> Option<u32> {
        let i = self.index.get(&(object.to_string(), id.to_string()))?;
        u32::try_from(*i).ok()
    }

    fn value(&self, object: &str, pos: u32, field: &str) -> Option<Cow<'_, Value>> {
        let row = self.rows.get(object)?.get(usize::try_from(pos).ok()?)?;
        row.get(field).map(Cow::Borrowed)
    }
}

const QUERY: QueryOptions<'static> = QueryOptions {
    include_deleted: false,
    api_version: "62.0",
};
const QUERY_ALL: QueryOptions<'static> = QueryOptions {
    include_deleted: true,
    api_version: "62.0",
};

/// 2024-02-01T12:00:00Z: "today" for the relative date literals.
fn now() -> jiff::Timestamp {
    "2024-02-01T12:00:00Z".parse().expect("timestamp")
}

fn run_with(org: &Org, soql: &str, options: QueryOptions<'_>) -> QueryOutput {
    execute_at(soql, org, options, now()).unwrap_or_else(|e| panic!("{soql}: {e}"))
}

/// The first selected field's value of every record, as text (`null` for null).
fn column(org: &Org, soql: &str, options: QueryOptions<'_>) -> Vec<String> {
    let out = run_with(org, soql, options);
    assert_eq!(out.total_size, out.records.len(), "{soql}");
    out.records
        .iter()
        .map(|r| {
            let (_, v) = r
                .as_object()
                .expect("object")
                .iter()
                .nth(1)
                .expect("a field");
            match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        })
        .collect()
}

fn names(soql: &str) -> Vec<String> {
    column(&Org::sample(), soql, QUERY)
}

fn err(soql: &str) -> SoqlError {
    execute_at(soql, &Org::sample(), QUERY, now()).expect_err(soql)
}

#[test]
fn records_have_salesforce_shape_with_nested_parents() {
    let org = Org::sample();
    let out = run_with(
        &org,
        "select lastname, ID, account.name, ACCOUNT.owner.NAME, Account.Id from contact \
         where lastname in ('ng', 'öz') order by LastName",
        QUERY,
    );
    let expected = json!([
        {
            "attributes": {"type": "Contact",
                           "url": "/services/data/v62.0/sobjects/Contact/003000000000001AAA"},
            "LastName": "Ng",
            "Id": "003000000000001AAA",
            "Account": {
                "attributes": {"type": "Account", "url": format!("/services/data/v62.0/sobjects/Account/{A1}")},
                "Name": "Acme",
                "Owner": {
                    "attributes": {"type": "User", "url": format!("/services/data/v62.0/sobjects/User/{U1}")},
                    "Name": "Ann Admin"
                },
                "Id": A1
            }
        },
        {
            "attributes": {"type": "Contact",
                           "url": "/services/data/v62.0/sobjects/Contact/003000000000002AAA"},
            "LastName": "Öz",
            "Id": "003000000000002AAA",
            "Account": null
        }
    ]);
    assert_eq!(out.total_size, 2);
    // Compare the text: key order matters.
    assert_eq!(
        serde_json::to_string(&out.records).expect("json"),
        serde_json::to_string(&expected).expect("json")
    );
}

#[test]
fn values_are_copied_as_stored() {
    let org = Org::sample();
    let out = run_with(
        &org,
        "SELECT NumberOfEmployees, AnnualRevenue, IsDeleted, CreatedDate, SLAExpirationDate__c, \
         BillingAddress, Description, Owner.Name FROM Account WHERE Name = 'Acme'",
        QUERY,
    );
    let r = &out.records[0];
    assert_eq!(
        serde_json::to_string(r).expect("json"),
        serde_json::to_string(&json!({
            "attributes": {"type": "Account", "url": format!("/services/data/v62.0/sobjects/Account/{A1}")},
            "NumberOfEmployees": 100, "AnnualRevenue": 1000.5, "IsDeleted": false,
            "CreatedDate": "2024-01-31T10:00:00.000+0000", "SLAExpirationDate__c": "2024-01-31",
            "BillingAddress": {"city": "Paris"}, "Description": "big",
            "Owner": {"attributes": {"type": "User", "url": format!("/services/data/v62.0/sobjects/User/{U1}")},
                      "Name": "Ann Admin"}
        }))
        .expect("json")
    );
}

#[test]
fn comparison_operators_on_numbers() {
    let q = |w: &str| names(&format!("SELECT Name FROM Account WHERE {w} ORDER BY Name"));
    assert_eq!(q("NumberOfEmployees = 5"), ["beta corp"]);
    assert_eq!(q("NumberOfEmployees != 5"), ["Acme", "epsilon", "Gamma"]); // null included
    assert_eq!(q("NumberOfEmployees <> 5"), ["Acme", "epsilon", "Gamma"]);
    assert_eq!(q("NumberOfEmployees < 7"), ["beta corp"]); // null excluded
    assert_eq!(q("NumberOfEmployees <= 7"), ["beta corp", "epsilon"]);
    assert_eq!(q("NumberOfEmployees > 7"), ["Acme"]);
    assert_eq!(q("NumberOfEmployees >= 7"), ["Acme", "epsilon"]);
    assert_eq!(q("AnnualRevenue > 1000.4"), ["Acme"]);
    assert_eq!(q("AnnualRevenue >= -1"), ["Acme", "Gamma"]);
    assert_eq!(q("AnnualRevenue = 50"), ["Gamma"]);
    assert_eq!(q("NumberOfEmployees IN (5, 7)"), ["beta corp", "epsilon"]);
    assert_eq!(q("NumberOfEmployees NOT IN (5, 7)"), ["Acme", "Gamma"]);
    assert_eq!(q("NumberOfEmployees IN (5, null)"), ["beta corp", "Gamma"]);
}

#[test]
fn null_handling() {
    let q = |w: &str| names(&format!("SELECT Name FROM Account WHERE {w} ORDER BY Name"));
    assert_eq!(q("NumberOfEmployees = null"), ["Gamma"]);
    assert_eq!(
        q("NumberOfEmployees != null"),
        ["Acme", "beta corp", "epsilon"]
    );
    assert_eq!(q("OwnerId = null"), ["beta corp"]);
    assert_eq!(q("Owner.Name = null"), ["beta corp"]); // through an empty lookup
    assert_eq!(q("Name LIKE null"), Vec::<String>::new());
    assert_eq!(q("SLAExpirationDate__c != null"), ["Acme", "Gamma"]);
}

#[test]
fn text_comparisons_are_case_insensitive() {
    let q = |w: &str| names(&format!("SELECT Name FROM Account WHERE {w} ORDER BY Name"));
    assert_eq!(q("Name = 'ACME'"), ["Acme"]);
    assert_eq!(q("name != 'acme'"), ["beta corp", "epsilon", "Gamma"]);
    assert_eq!(q("Name < 'B'"), ["Acme"]);
    assert_eq!(q("Name <= 'BETA CORP'"), ["Acme", "beta corp"]);
    assert_eq!(q("Name > 'E'"), ["epsilon", "Gamma"]);
    assert_eq!(q("Name >= 'gamma'"), ["Gamma"]);
    assert_eq!(q("Name IN ('GAMMA', 'Acme')"), ["Acme", "Gamma"]);
    assert_eq!(q("Owner.Name = 'BOB'"), ["epsilon", "Gamma"]);
    let org = Org::sample();
    assert_eq!(
        column(
            &org,
            "SELECT LastName FROM Contact WHERE LastName = 'öZ'",
            QUERY
        ),
        ["Öz"]
    );
}

#[test]
fn like_patterns() {
    let q = |w: &str| {
        column(
            &Org::sample(),
            &format!("SELECT Name FROM Account WHERE {w} ORDER BY Name"),
            QUERY_ALL,
        )
    };
    assert_eq!(q("Name LIKE '%CORP'"), ["beta corp"]);
    assert_eq!(q("Name LIKE '_amma'"), ["Gamma"]);
    assert_eq!(q("Name LIKE 'a%e'"), ["Acme"]);
    assert_eq!(
        q("Name LIKE '%'"),
        ["Acme", "beta corp", "Delta_%", "epsilon", "Gamma"]
    );
    assert_eq!(q("Name LIKE '%e%a%'"), ["beta corp", "Delta_%"]);
    assert_eq!(q("Name LIKE 'Delta\\_\\%'"), ["Delta_%"]);
    assert_eq!(q("Name LIKE 'Delta\\_x%'"), Vec::<String>::new());
    assert_eq!(q("Name LIKE 'acm'"), Vec::<String>::new());
    assert_eq!(q("NOT Name LIKE '%a%'"), ["epsilon"]);
}

#[test]
fn precedence_not_and_or_and_parentheses() {
    let q = |w: &str| names(&format!("SELECT Name FROM Account WHERE {w} ORDER BY Name"));
    assert_eq!(
        q("Name = 'Acme' OR Name = 'Gamma' AND NumberOfEmployees = 5"),
        ["Acme"]
    );
    assert_eq!(
        q("(Name = 'Acme' OR Name = 'Gamma') AND AnnualRevenue = 50"),
        ["Gamma"]
    );
    assert_eq!(
        q("NOT Name = 'Acme' AND NumberOfEmployees > 6"),
        ["epsilon"]
    );
    assert_eq!(
        q("NOT (Name = 'Acme' OR NumberOfEmployees > 6)"),
        ["beta corp", "Gamma"]
    );
    assert_eq!(q("Name = 'x' OR NOT NOT Name = 'Gamma'"), ["Gamma"]);
}

#[test]
fn booleans_and_deleted_rows() {
    let org = Org::sample();
    let all = "SELECT Name FROM Account";
    assert_eq!(
        column(&org, all, QUERY),
        ["Acme", "beta corp", "Gamma", "epsilon"]
    );
    assert_eq!(
        column(&org, all, QUERY_ALL),
        ["Acme", "beta corp", "Gamma", "Delta_%", "epsilon"]
    );
    assert_eq!(
        column(
            &org,
            "SELECT Name FROM Account WHERE IsDeleted = TRUE",
            QUERY_ALL
        ),
        ["Delta_%"]
    );
    assert_eq!(
        column(
            &org,
            "SELECT Name FROM Account WHERE IsDeleted = true",
            QUERY
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        column(
            &org,
            "SELECT Name FROM Account WHERE IsDeleted != false",
            QUERY_ALL
        ),
        ["Delta_%"]
    );
    assert_eq!(
        column(&org, "SELECT LastName FROM Contact", QUERY),
        ["Ng", "Öz", "Jones"]
    );
    assert_eq!(
        column(&org, "SELECT LastName FROM Contact", QUERY_ALL),
        ["Ng", "Öz", "Jones", "Old"]
    );
}

#[test]
fn dates_and_datetimes() {
    let q = |w: &str| names(&format!("SELECT Name FROM Account WHERE {w} ORDER BY Name"));
    assert_eq!(q("SLAExpirationDate__c = 2024-01-31"), ["Acme"]);
    assert_eq!(q("SLAExpirationDate__c > 2024-01-31"), ["Gamma"]);
    assert_eq!(q("SLAExpirationDate__c <= 2024-02-15"), ["Acme", "Gamma"]);
    // A date literal against a datetime field compares whole (UTC) days.
    assert_eq!(q("CreatedDate = 2024-01-31"), ["Acme"]);
    assert_eq!(q("CreatedDate < 2024-01-31"), ["beta corp"]);
    assert_eq!(q("CreatedDate <= 2024-01-31"), ["Acme", "beta corp"]);
    assert_eq!(q("CreatedDate > 2024-01-31"), ["epsilon", "Gamma"]);
    assert_eq!(q("CreatedDate >= 2024-01-31"), ["Acme", "epsilon", "Gamma"]);
    assert_eq!(
        q("CreatedDate != 2024-01-31"),
        ["beta corp", "epsilon", "Gamma"]
    );
    assert_eq!(
        q("CreatedDate IN (2024-01-30, 2024-02-01)"),
        ["beta corp", "Gamma"]
    );
    // Datetime literals compare instants, offsets and fractions included.
    assert_eq!(q("CreatedDate = 2024-01-31T10:00:00Z"), ["Acme"]);
    assert_eq!(q("CreatedDate = 2024-01-31T11:00:00.000+01:00"), ["Acme"]);
    assert_eq!(
        q("CreatedDate > 2024-01-31T11:00:00+01:00"),
        ["epsilon", "Gamma"]
    );
    assert_eq!(
        q("CreatedDate >= 2024-01-31T09:59:59.999Z"),
        ["Acme", "epsilon", "Gamma"]
    );
    assert_eq!(q("CreatedDate < 2024-01-31T00:00:00-0100"), ["beta corp"]);
}

#[test]
fn relative_date_literals_use_the_utc_date() {
    // now() is 2024-02-01T12:00Z.
    let q = |w: &str| names(&format!("SELECT Name FROM Account WHERE {w} ORDER BY Name"));
    assert_eq!(q("CreatedDate = TODAY"), ["Gamma"]);
    assert_eq!(q("CreatedDate = YESTERDAY"), ["Acme"]);
    assert_eq!(q("CreatedDate = TOMORROW"), Vec::<String>::new());
    assert_eq!(q("CreatedDate > TODAY"), ["epsilon"]);
    assert_eq!(q("CreatedDate < YESTERDAY"), ["beta corp"]);
    assert_eq!(q("CreatedDate = LAST_N_DAYS:1"), ["Acme", "Gamma"]);
    assert_eq!(
        q("CreatedDate = LAST_N_DAYS:2"),
        ["Acme", "beta corp", "Gamma"]
    );
    assert_eq!(q("CreatedDate < LAST_N_DAYS:1"), ["beta corp"]);
    assert_eq!(q("SLAExpirationDate__c = NEXT_N_DAYS:14"), ["Gamma"]);
    assert_eq!(
        q("SLAExpirationDate__c = NEXT_N_DAYS:13"),
        Vec::<String>::new()
    );
    assert_eq!(q("CreatedDate = THIS_MONTH"), ["Gamma"]);
    assert_eq!(q("CreatedDate = LAST_MONTH"), ["Acme", "beta corp"]);
    assert_eq!(
        q("CreatedDate = THIS_YEAR"),
        ["Acme", "beta corp", "epsilon", "Gamma"]
    );
    assert_eq!(q("SLAExpirationDate__c >= THIS_MONTH"), ["Gamma"]);
    assert_eq!(q("SLAExpirationDate__c <= LAST_MONTH"), ["Acme"]);
}

#[test]
fn ids_match_in_15_and_18_characters() {
    assert_eq!(
        names(&format!("SELECT Name FROM Account WHERE Id = '{A1}'")),
        ["Acme"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE Id = '001000000000001'"),
        ["Acme"]
    );
    assert_eq!(
        names("SELECT Name FROM Account WHERE OwnerId = '005000000000002'"),
        ["Gamma", "epsilon"]
    );
}

#[test]
fn order_by_variants() {
    let q = |o: &str| names(&format!("SELECT Name FROM Account ORDER BY {o}"));
    assert_eq!(q("Name"), ["Acme", "beta corp", "epsilon", "Gamma"]); // case-insensitive
    assert_eq!(q("Name DESC"), ["Gamma", "epsilon", "beta corp", "Acme"]);
    assert_eq!(
        q("NumberOfEmployees"),
        ["Gamma", "beta corp", "epsilon", "Acme"]
    );
    assert_eq!(
        q("NumberOfEmployees ASC NULLS LAST"),
        ["beta corp", "epsilon", "Acme", "Gamma"]
    );
    assert_eq!(
        q("NumberOfEmployees DESC"),
        ["Acme", "epsilon", "beta corp", "Gamma"]
    );
    assert_eq!(
        q("NumberOfEmployees DESC NULLS FIRST"),
        ["Gamma", "Acme", "epsilon", "beta corp"]
    );
    assert_eq!(
        q("CreatedDate DESC"),
        ["epsilon", "Gamma", "Acme", "beta corp"]
    );
    // Parent paths, several columns; equal keys keep storage order (stable).
    assert_eq!(q("Owner.Name"), ["beta corp", "Acme", "Gamma", "epsilon"]);
    assert_eq!(
        q("Owner.Name, Name"),
        ["beta corp", "Acme", "epsilon", "Gamma"]
    );
    assert_eq!(
        q("Owner.Name DESC NULLS LAST, Name DESC"),
        ["Gamma", "epsilon", "Acme", "beta corp"]
    );
    let org = Org::sample();
    assert_eq!(
        column(
            &org,
            "SELECT LastName FROM Contact ORDER BY Account.Name DESC, LastName",
            QUERY
        ),
        ["Jones", "Ng", "Öz"]
    );
}

#[test]
fn limit_and_offset() {
    let q = |s: &str| names(&format!("SELECT Name FROM Account ORDER BY Name {s}"));
    assert_eq!(q("LIMIT 2"), ["Acme", "beta corp"]);
    assert_eq!(q("LIMIT 0"), Vec::<String>::new());
    assert_eq!(q("LIMIT 2 OFFSET 1"), ["beta corp", "epsilon"]);
    assert_eq!(q("OFFSET 3"), ["Gamma"]);
    assert_eq!(q("OFFSET 2000"), Vec::<String>::new());
    let org = Org::sample();
    let out = run_with(&org, "SELECT Id FROM Account LIMIT 3", QUERY);
    assert_eq!(out.total_size, 3);
    let e = err("SELECT Name FROM Account OFFSET 2001");
    assert_eq!(e.code, "MALFORMED_QUERY");
    assert_eq!(e.message, "Maximum SOQL offset allowed is 2000");
}

#[test]
fn count() {
    let org = Org::sample();
    let count = |s: &str, o| {
        let out = run_with(&org, s, o);
        assert!(out.records.is_empty());
        out.total_size
    };
    assert_eq!(count("SELECT COUNT() FROM Account", QUERY), 4);
    assert_eq!(count("select count() from account", QUERY_ALL), 5);
    assert_eq!(
        count("SELECT COUNT() FROM Account WHERE Name LIKE '%a%'", QUERY),
        3
    );
    assert_eq!(count("SELECT COUNT() FROM Account LIMIT 2", QUERY), 2);
    assert_eq!(
        count(
            "SELECT COUNT() FROM Contact WHERE Account.Name = 'Acme'",
            QUERY
        ),
        1
    );
    let e = err("SELECT Id, COUNT() FROM Account");
    assert_eq!(e.code, "MALFORMED_QUERY");
}

#[test]
fn aggregates_and_group_by_give_aggregate_results() {
    let org = Org::sample();
    let out = run_with(&org, "SELECT COUNT(Id) FROM Account", QUERY);
    assert_eq!(out.total_size, 1);
    assert_eq!(
        out.records,
        [json!({"attributes": {"type": "AggregateResult"}, "expr0": 4})]
    );
    // Grouped fields under their own names, aggregates under their alias or exprN; a null
    // group is a group; ORDER BY orders the groups.
    let out = run_with(
        &org,
        "SELECT Owner.Name, COUNT(Id) n, SUM(NumberOfEmployees), MAX(Name),          AVG(AnnualRevenue) FROM Account GROUP BY Owner.Name ORDER BY Owner.Name NULLS LAST",
        QUERY,
    );
    assert_eq!(out.total_size, 3);
    assert_eq!(
        out.records,
        [
            json!({"attributes": {"type": "AggregateResult"}, "Name": "Ann Admin", "n": 1,
                   "expr0": 100, "expr1": "Acme", "expr2": 1000.5}),
            json!({"attributes": {"type": "AggregateResult"}, "Name": "bob", "n": 2,
                   "expr0": 7, "expr1": "Gamma", "expr2": 50.0}),
            json!({"attributes": {"type": "AggregateResult"}, "Name": null, "n": 1,
                   "expr0": 5, "expr1": "beta corp", "expr2": null}),
        ]
    );
    let out = run_with(
        &org,
        "SELECT COUNT_DISTINCT(OwnerId), MIN(CreatedDate) FROM Account WHERE Name = 'none'",
        QUERY,
    );
    assert_eq!(
        out.records,
        [json!({"attributes": {"type": "AggregateResult"}, "expr0": 0, "expr1": null})]
    );
    for (soql, code) in [
        ("SELECT Name, COUNT(Id) FROM Account", "MALFORMED_QUERY"),
        (
            "SELECT Name FROM Account GROUP BY OwnerId",
            "MALFORMED_QUERY",
        ),
        ("SELECT SUM(Name) FROM Account", "INVALID_FIELD"),
        ("SELECT COUNT(Nope) FROM Account", "INVALID_FIELD"),
        (
            "SELECT OwnerId, COUNT(Id) FROM Account GROUP BY OwnerId ORDER BY Name",
            "MALFORMED_QUERY",
        ),
    ] {
        assert_eq!(err(soql).code, code, "{soql}");
    }
}

/// `"\n<query>\n<caret>\nERROR at Row:1:Column:<col>\n<detail>"`.
fn diagram(soql: &str, col: usize, detail: &str) -> String {
    format!(
        "\n{soql}\n{}^\nERROR at Row:1:Column:{col}\n{detail}",
        " ".repeat(col - 1)
    )
}

#[test]
fn error_codes_and_messages() {
    let check = |soql: &str, code: &str, col: usize, detail: &str| {
        let e = err(soql);
        assert_eq!(
            (e.code, e.message.as_str()),
            (code, diagram(soql, col, detail).as_str())
        );
    };
    check(
        "SELECT Id FRM Account",
        "MALFORMED_QUERY",
        11,
        "unexpected token: FRM",
    );
    check(
        "SELECT Id FROM Foo",
        "INVALID_TYPE",
        16,
        "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be \
         sure to append the '__c' after the entity name. Please reference your WSDL or the \
         describe call for the appropriate names.",
    );
    check(
        "SELECT Id, Foo FROM Account",
        "INVALID_FIELD",
        12,
        "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, \
         be sure to append the '__c' after the custom field name. Please reference your WSDL or \
         the describe call for the appropriate names.",
    );
    check(
        "SELECT Account.Foo FROM Contact",
        "INVALID_FIELD",
        8,
        "No such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, \
         be sure to append the '__c' after the custom field name. Please reference your WSDL or \
         the describe call for the appropriate names.",
    );
    check(
        "SELECT Id FROM Contact WHERE Foo.Name = 'x'",
        "INVALID_FIELD",
        30,
        "Didn't understand relationship 'Foo' in field path. If you are attempting to use a \
         custom relationship, be sure to append the '__r' after the custom relationship name. \
         Please reference your WSDL or the describe call for the appropriate names.",
    );
    let mismatch = |field: &str, ty: &str, quotes: &str| {
        format!("value of filter criterion for field '{field}' must be of type {ty} and {quotes}")
    };
    let quoted = "should be enclosed in quotes";
    let unquoted = "should not be enclosed in quotes";
    check(
        "SELECT Id FROM Account WHERE Name = 5",
        "INVALID_FIELD",
        30,
        &mismatch("Name", "string", quoted),
    );
    check(
        "SELECT Id FROM Account WHERE name IN ('a', true)",
        "INVALID_FIELD",
        30,
        &mismatch("Name", "string", quoted),
    );
    check(
        "SELECT Id FROM Account WHERE NumberOfEmployees = 'x'",
        "INVALID_FIELD",
        30,
        &mismatch("NumberOfEmployees", "double", unquoted),
    );
    check(
        "SELECT Id FROM Account WHERE IsDeleted = 'yes'",
        "INVALID_FIELD",
        30,
        &mismatch("IsDeleted", "boolean", unquoted),
    );
    check(
        "SELECT Id FROM Account WHERE SLAExpirationDate__c = '2024-01-01'",
        "INVALID_FIELD",
        30,
        &mismatch("SLAExpirationDate__c", "date", unquoted),
    );
    check(
        "SELECT Id FROM Account WHERE SLAExpirationDate__c > 2024-01-01T00:00:00Z",
        "INVALID_FIELD",
        30,
        &mismatch("SLAExpirationDate__c", "date", unquoted),
    );
    check(
        "SELECT Id FROM Account WHERE CreatedDate = 5",
        "INVALID_FIELD",
        30,
        &mismatch("CreatedDate", "dateTime", unquoted),
    );
    check(
        "SELECT Id FROM Account WHERE NumberOfEmployees LIKE '5%'",
        "INVALID_FIELD",
        30,
        "invalid operator on field 'NumberOfEmployees': LIKE can only be used with string fields",
    );
    check(
        "SELECT Id FROM Account WHERE description = 'x'",
        "INVALID_FIELD",
        30,
        "field 'Description' can not be filtered in a query call",
    );
    check(
        "SELECT Id FROM Account WHERE BillingAddress = null",
        "INVALID_FIELD",
        30,
        "field 'BillingAddress' can not be filtered in a query call",
    );
    check(
        "SELECT Id FROM Account ORDER BY Name, Description",
        "INVALID_FIELD",
        39,
        "field 'Description' can not be sorted in a query call",
    );
    check(
        "SELECT Name, Id, name FROM Account",
        "MALFORMED_QUERY",
        18,
        "duplicate field selected: Name",
    );
}

#[test]
fn parse_is_public_and_syntax_only() {
    let q = parse("SELECT Nope FROM Nothing WHERE x = 1").expect("syntax is fine");
    assert_eq!(q.from.text, "Nothing");
    assert_eq!(
        q.select,
        vec![SelectItem::Field(FieldPath {
            parts: vec!["Nope".into()],
            pos: 7
        })]
    );
}

#[test]
fn large_org_filter_sort_limit_gives_the_right_rows() {
    let accounts: Vec<Row> = (0..100_000u32)
        .map(|i| {
            row(json!({
                "Id": format!("001{i:012}AAA"),
                "Name": format!("Account {:05}", (i * 7919) % 100_000),
                "NumberOfEmployees": i % 1000,
                "IsDeleted": i % 10 == 0,
                "CreatedDate": "2024-01-31T10:00:00.000+0000",
                "OwnerId": if i % 2 == 0 { U1 } else { U2 },
            }))
        })
        .collect();
    let org = Org::new(accounts);
    let out = run_with(
        &org,
        "SELECT Name, Owner.Name FROM Account WHERE NumberOfEmployees >= 990 \
         AND Owner.Name = 'bob' AND Name LIKE 'account%' ORDER BY Name DESC LIMIT 3",
        QUERY,
    );
    let got: Vec<&str> = out
        .records
        .iter()
        .map(|r| r["Name"].as_str().expect("name"))
        .collect();
    // Matching i: odd, i % 1000 >= 990; names (i*7919) % 100000, the largest three.
    let mut expected: Vec<String> = (0..100_000u32)
        .filter(|i| i % 2 == 1 && i % 1000 >= 990 && i % 10 != 0)
        .map(|i| format!("Account {:05}", (i * 7919) % 100_000))
        .collect();
    expected.sort();
    expected.reverse();
    assert_eq!(got, expected[..3].to_vec());
    assert_eq!(out.records[0]["Owner"]["Name"], "bob");
    let count = run_with(&org, "SELECT COUNT() FROM Account", QUERY_ALL).total_size;
    assert_eq!(count, 100_000);
}

#[test]
fn bad_input_never_panics() {
    let org = Org::sample();
    let queries = [
        "SELECT Name, Owner.Name, COUNT() FROM Account WHERE (Name LIKE 'é%\\_' OR NOT \
         CreatedDate >= 2024-01-31T10:00:00.5+01:00) AND SLAExpirationDate__c IN (2024-01-01, \
         LAST_N_DAYS:30) AND Id != '001000000000001' ORDER BY Owner.Name DESC NULLS LAST LIMIT 5 \
         OFFSET 1",
        "SELECT Id FROM Account WHERE CreatedDate = 2024-01-01Tééééééééé",
        "SELECT Id FROM Account WHERE CreatedDate = 2024-01-01T10:00:00+99",
        "SELECT Id FROM Account WHERE Name = 'ü\\",
        "SELECT Id FROM Account WHERE NumberOfEmployees = 1e400 OR x = .5 OR y = -.",
        "SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:99999999999",
        "SELECT Id FROM Account LIMIT 99999999999999999999999",
        "SELECT a..b, .c, d. FROM Account",
    ];
    for q in queries {
        for (end, _) in q.char_indices().chain([(q.len(), ' ')]) {
            let _ = execute_at(&q[..end], &org, QUERY_ALL, now());
        }
    }
}

#[test]
fn subqueries_nest_child_results_or_null() {
    let org = Org::sample();
    let out = run_with(
        &org,
        "SELECT Name, (SELECT LastName, Account.Name FROM contacts ORDER BY LastName) \
         FROM Account WHERE Name IN ('Acme', 'beta corp') ORDER BY Name",
        QUERY,
    );
    let contact = |id: &str, last: &str| {
        json!({
            "attributes": {"type": "Contact",
                           "url": format!("/services/data/v62.0/sobjects/Contact/{id}")},
            "LastName": last,
            "Account": {
                "attributes": {"type": "Account",
                               "url": format!("/services/data/v62.0/sobjects/Account/{A1}")},
                "Name": "Acme"
            }
        })
    };
    let expected = json!([
        {
            "attributes": {"type": "Account",
                           "url": format!("/services/data/v62.0/sobjects/Account/{A1}")},
            "Name": "Acme",
            "Contacts": {"totalSize": 1, "done": true,
                         "records": [contact("003000000000001AAA", "Ng")]}
        },
        {
            "attributes": {"type": "Account",
                           "url": format!("/services/data/v62.0/sobjects/Account/{A2}")},
            "Name": "beta corp",
            // Its only contact is deleted: no children, `null` as Salesforce sends it.
            "Contacts": null
        }
    ]);
    assert_eq!(
        serde_json::to_string(&out.records).expect("json"),
        serde_json::to_string(&expected).expect("json")
    );
    // queryAll counts the deleted child too.
    let all = run_with(
        &org,
        "SELECT Name, (SELECT Id FROM Contacts) FROM Account WHERE Name = 'beta corp'",
        QUERY_ALL,
    );
    assert_eq!(all.records[0]["Contacts"]["totalSize"], json!(1));
}

#[test]
fn subqueries_filter_sort_and_limit_children() {
    let mut org = Org::sample();
    for (i, last) in ["Cole", "Abel", "Berg"].iter().enumerate() {
        let id = format!("00300000000001{i}AAA");
        org.index
            .insert(("Contact".into(), id.clone()), org.rows["Contact"].len());
        org.rows.get_mut("Contact").expect("contacts").push(row(
            json!({"Id": id, "LastName": last, "IsDeleted": false, "Birthdate": null,
                   "AccountId": A3}),
        ));
    }
    let lasts = |soql: &str| -> (Value, Vec<String>) {
        let out = run_with(&org, soql, QUERY);
        let sub = out.records[0]["Contacts"].clone();
        let names = sub["records"]
            .as_array()
            .map(|r| {
                r.iter()
                    .map(|c| c["LastName"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        (sub["totalSize"].clone(), names)
    };
    let base = "SELECT Id, (SELECT LastName FROM Contacts";
    let tail = ") FROM Account WHERE Name = 'Gamma'";
    assert_eq!(
        lasts(&format!("{base} ORDER BY LastName{tail}")),
        (
            json!(4),
            vec!["Abel".into(), "Berg".into(), "Cole".into(), "Jones".into()]
        )
    );
    assert_eq!(
        lasts(&format!(
            "{base} WHERE LastName LIKE '%e%' ORDER BY LastName DESC LIMIT 2{tail}"
        )),
        (json!(2), vec!["Jones".into(), "Cole".into()])
    );
    assert_eq!(
        lasts(&format!("{base} WHERE LastName = 'nobody'{tail}")),
        (Value::Null, Vec::new())
    );
}

#[test]
fn subquery_errors_read_like_salesforce() {
    let e = err("SELECT Name, (SELECT Id FROM Opportunities) FROM Account");
    assert_eq!(e.code, "INVALID_TYPE");
    assert!(
        e.message
            .contains("Didn't understand relationship 'Opportunities' in FROM part"),
        "{e}"
    );
    let e = err("SELECT Name, (SELECT Nope FROM Contacts) FROM Account");
    assert_eq!(e.code, "INVALID_FIELD");
    assert!(
        e.message
            .contains("No such column 'Nope' on entity 'Contact'"),
        "{e}"
    );
    let e = err("SELECT Name, (SELECT Id FROM Contacts), (SELECT Id FROM Contacts) FROM Account");
    assert!(
        e.message.contains("duplicate field selected: Contacts"),
        "{e}"
    );
    for nested in [
        "SELECT Id, (SELECT Id, (SELECT Id FROM Contacts) FROM Contacts) FROM Account",
        "SELECT Id, (SELECT COUNT() FROM Contacts) FROM Account",
        "SELECT Id, (SELECT Id FROM Contacts FROM Account",
    ] {
        assert_eq!(err(nested).code, "MALFORMED_QUERY", "{nested}");
    }
}
