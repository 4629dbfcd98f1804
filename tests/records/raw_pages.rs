//! The Records list fills its rows from query pages read as JSON text (`ObjectRef`, no map per
//! record). These tests check, on pages of the mock org, that the rows are the very ones the
//! former way gave: every record parsed into a `serde_json` map, then flattened by the
//! map-based rules kept below as the reference.

use crate::common;

use serde_json::{Map, Value, json};
use sfterm::jobs::records::{rows_of, run};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::sf::{QueryPage, RawQueryPage, SfClient};
use sfterm::state::records::default_columns;
use sfterm::state::records::job::{PageRows, RecordsJob, RecordsOutcome};
use sfterm::state::records::rowstore::RowStore;
use sfterm::state::records::soql::build_query;

/// The former rules (map-based), as they were: the reference the new rows must equal.
mod reference {
    use super::{Map, RowStore, Value};

    pub fn record_id(record: &Map<String, Value>) -> String {
        if let Some(Value::String(id)) = record.get("Id") {
            return id.clone();
        }
        record
            .get("attributes")
            .and_then(|a| a.get("url"))
            .and_then(Value::as_str)
            .and_then(|u| u.rsplit('/').next())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn lookup<'a>(record: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
        let mut current = record;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            let value = current.get(part).or_else(|| {
                current
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(part))
                    .map(|(_, v)| v)
            })?;
            if parts.peek().is_none() {
                return Some(value);
            }
            current = value.as_object()?;
        }
        None
    }

    pub fn display_value(value: &Value) -> Option<String> {
        match value {
            Value::Null => None,
            Value::String(s) => Some(short_datetime(s).unwrap_or_else(|| one_line(s))),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Object(o) => {
                let mut o = o.clone();
                o.remove("attributes");
                Some(Value::Object(o).to_string())
            }
            Value::Array(_) => Some(value.to_string()),
        }
    }

    fn one_line(s: &str) -> String {
        if s.contains(|c: char| c.is_control()) {
            s.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect()
        } else {
            s.to_owned()
        }
    }

    fn short_datetime(s: &str) -> Option<String> {
        let b = s.as_bytes();
        let shaped = b.len() == 28
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && s.ends_with("+0000");
        shaped.then(|| format!("{} {}", &s[..10], &s[11..16]))
    }

    /// The rows of a page of maps, as the list stored them before.
    pub fn rows(records: &[Map<String, Value>], columns: &[String]) -> RowStore {
        let mut rows = RowStore::new(columns.to_vec());
        for record in records {
            let texts: Vec<Option<String>> = columns
                .iter()
                .map(|c| lookup(record, c).and_then(display_value))
                .collect();
            rows.push(&record_id(record), texts.iter().map(Option::as_deref))
                .expect("fits");
        }
        rows
    }
}

async fn org() -> MockOrg {
    MockOrg::start(MockOrgConfig {
        records: 2_100,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org starts")
}

async fn client(org: &MockOrg) -> SfClient {
    common::org::logged_in_client(org).await
}

fn map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// Records with texts a list cell must flatten: line breaks, tabs, quotes, backslashes,
/// non-ASCII, an address; a Contact without Account (a null parent).
async fn add_awkward_records(client: &SfClient) {
    let account = client
        .create_record(
            "Account",
            &map(json!({
                "Name": "O'Brien \"Quoted\" \\ Ünïcødé 株式会社 😀",
                "Industry": "Line one\nline two\r\n\ttabbed",
                "Phone": "",
                "Description": "multi\nline\u{0007}bell",
                "BillingStreet": "1 Rue de l'Église\nBâtiment B",
                "BillingCity": "Zürich",
                "BillingPostalCode": "8001",
            })),
        )
        .await
        .expect("account");
    client
        .create_record(
            "Contact",
            &map(json!({"LastName": "Nobody's \"child\"\n", "Email": "a@example.com"})),
        )
        .await
        .expect("orphan contact");
    client
        .create_record(
            "Contact",
            &map(json!({"LastName": "Élodie", "AccountId": account})),
        )
        .await
        .expect("contact");
    client
        .create_record(
            "Lead",
            &map(json!({"LastName": "Tab\there", "Company": "Ça \"va\"", "Status": "Open"})),
        )
        .await
        .expect("lead");
}

/// Compares row by row (readable failures), then the stores whole (arena included).
fn assert_same(new: &RowStore, old: &RowStore, what: &str) {
    assert_eq!(new.len(), old.len(), "{what}: rows");
    for row in 0..old.len() {
        assert_eq!(new.id(row), old.id(row), "{what}: id of row {row}");
        for column in 0..old.columns().len() {
            assert_eq!(
                new.cell(row, column),
                old.cell(row, column),
                "{what}: row {row}, column {}",
                old.columns()[column]
            );
        }
    }
    assert_eq!(new, old, "{what}: stores");
}

/// Every page of `soql`, read once as text: the new rows and the reference rows of each.
async fn compare_all_pages(client: &SfClient, soql: &str, columns: &[String]) -> usize {
    let mut page: RawQueryPage = client.query_raw(soql).await.expect("first page");
    let mut rows = 0;
    loop {
        let maps: QueryPage = page.parse().expect("maps");
        let new = rows_of(&page, columns).expect("rows");
        assert_same(&new, &reference::rows(&maps.records, columns), soql);
        rows += new.len();
        match page.next_records_url.clone().filter(|_| !page.done) {
            Some(url) => page = client.query_more_raw(&url).await.expect("next page"),
            None => return rows,
        }
    }
}

#[tokio::test]
async fn list_rows_from_text_equal_the_rows_from_maps() {
    let org = org().await;
    let client = client(&org).await;
    add_awkward_records(&client).await;
    let columns = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut cases: Vec<(String, Vec<String>)> = ["Account", "Contact", "Lead"]
        .into_iter()
        .map(|object| {
            let columns = default_columns(object);
            (build_query(object, &columns, None, None), columns)
        })
        .collect();
    // (A parent record as a column of its own, `Account`, is left out: SOQL cannot select
    // one, and its text differs on purpose: the reference kept the attributes of nested
    // records and moved the last key first when it removed the top `attributes`.)
    // Queries typed in full: no Id selected (the Id comes from attributes.url), names in
    // another case, an address, numbers, booleans, long texts, datetimes and dates.
    cases.push((
        "SELECT Name, BillingAddress, Description, AnnualRevenue, NumberOfEmployees, \
         IsDeleted, CreatedDate, SystemModstamp FROM Account"
            .into(),
        columns(&[
            "name",
            "BillingAddress",
            "Description",
            "AnnualRevenue",
            "NumberOfEmployees",
            "IsDeleted",
            "CreatedDate",
            "SystemModstamp",
        ]),
    ));
    cases.push((
        "SELECT Id, lastname, account.name, Account.Owner.Name, Owner.Name, Email \
         FROM Contact"
            .into(),
        columns(&[
            "lastname",
            "account.name",
            "Account.Owner.Name",
            "OWNER.NAME",
            "Email",
            "Missing.Path",
        ]),
    ));
    let mut multi_page = false;
    for (soql, columns) in &cases {
        let rows = compare_all_pages(&client, soql, columns).await;
        assert!(rows > 0, "{soql}: no rows");
        multi_page |= rows > 2_000;
    }
    assert!(multi_page, "a query that spans pages");
}

#[tokio::test]
async fn the_list_jobs_give_the_reference_rows() {
    let org = org().await;
    let client = client(&org).await;
    add_awkward_records(&client).await;
    let columns = default_columns("Account");
    let soql = build_query("Account", &columns, None, None);
    let expected_first = client.query(&soql).await.expect("maps");
    let job = RecordsJob::Query {
        object: "Account".into(),
        soql: soql.clone(),
        columns: columns.clone(),
    };
    let RecordsOutcome::Page(Ok(PageRows {
        rows,
        total,
        next_url,
    })) = run(&client, job).await
    else {
        panic!("a page");
    };
    assert_same(
        &rows,
        &reference::rows(&expected_first.records, &columns),
        "Query",
    );
    assert_eq!(total, expected_first.total_size);
    let url = next_url.expect("a second page");
    // The reference's own cursor: a page is not read twice from one.
    let expected_more = client
        .query_more(
            expected_first
                .next_records_url
                .as_deref()
                .expect("a second page"),
        )
        .await
        .expect("maps");
    let job = RecordsJob::More {
        object: "Account".into(),
        url,
        columns: columns.clone(),
        page: 2,
    };
    let RecordsOutcome::Page(Ok(more)) = run(&client, job).await else {
        panic!("a page");
    };
    assert_same(
        &more.rows,
        &reference::rows(&expected_more.records, &columns),
        "More",
    );
    assert_eq!(more.next_url, None);

    let id = rows.id(0).to_owned();
    let soql = build_query("Account", &columns, Some(&format!("Id = '{id}'")), None);
    let expected = client.query(&soql).await.expect("maps");
    let job = RecordsJob::Refetch {
        object: "Account".into(),
        ids: vec![id.clone()],
        soql,
        columns: columns.clone(),
    };
    let RecordsOutcome::Refetched {
        ids: refetched,
        result: Ok(Some(row)),
    } = run(&client, job).await
    else {
        panic!("the row again");
    };
    assert_eq!(refetched, std::slice::from_ref(&id));
    assert_same(
        &row,
        &reference::rows(&expected.records, &columns),
        "Refetch",
    );
}
