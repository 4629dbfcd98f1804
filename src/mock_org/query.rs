//! `query` / `queryAll`: runs SOQL over the record store and pages the result
//! (`nextRecordsUrl`, `Sforce-Query-Options: batchSize`).

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::rest::{ApiError, Request, compound_value, write_compound};
use super::schema::{CompoundPart, Schema};
use super::soql::{ChildInfo, Columns, FieldInfo, QueryOptions, Selection, SoqlSource};
use super::state::{
    Cursor, Inner, Shared, json_bytes_response, push_json_str, push_json_str_contents,
};
use super::store::{RowCursor, Table};

/// The record store seen through the SOQL engine's interface.
pub(crate) struct Source<'a> {
    pub schema: &'a Schema,
    pub inner: &'a Inner,
}

impl SoqlSource for Source<'_> {
    fn object_name(&self, name: &str) -> Option<String> {
        self.schema.object(name).map(|o| o.name.clone())
    }

    fn field(&self, object: &str, name: &str) -> Option<FieldInfo> {
        self.schema
            .object(object)?
            .field(name)
            .map(super::schema::FieldMeta::soql_info)
    }

    fn relationship(&self, object: &str, name: &str) -> Option<FieldInfo> {
        self.schema
            .object(object)?
            .relationship(name)
            .map(super::schema::FieldMeta::soql_info)
    }

    fn child_relationship(&self, object: &str, name: &str) -> Option<ChildInfo> {
        let found = self
            .schema
            .object(object)?
            .describe
            .child_relationships
            .iter()
            .find(|c| {
                c.relationship_name
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(name))
            })?;
        // A child object the mock org does not serve cannot be queried here.
        let child = self.schema.object(&found.child_sobject)?;
        Some(ChildInfo {
            relationship: found.relationship_name.clone()?,
            object: child.name.clone(),
            field: child.field(&found.field)?.name.clone(),
        })
    }

    fn rows(&self, object: &str) -> Box<dyn Iterator<Item = u32> + '_> {
        match self.inner.store.get(object) {
            Some(table) => Box::new(table.iter_positions()),
            None => Box::new(std::iter::empty()),
        }
    }

    fn find(&self, object: &str, id: &str) -> Option<u32> {
        self.inner.store.get(object)?.position(id)
    }

    fn value(&self, object: &str, pos: u32, field: &str) -> Option<Cow<'_, Value>> {
        let table = self.inner.store.get(object)?;
        if let Some(parts) = self.compound(object, field) {
            return Some(Cow::Owned(compound_value(table, pos, parts)));
        }
        table.value(pos, field).map(Cow::Owned)
    }

    fn is_deleted(&self, object: &str, pos: u32) -> bool {
        self.inner
            .store
            .get(object)
            .is_some_and(|t| t.is_deleted(pos))
    }

    fn columns(&self, object: &str, fields: &[&str]) -> Option<Box<dyn Columns + '_>> {
        let table = self.inner.store.get(object)?;
        let cols: Vec<Col> = fields
            .iter()
            .map(|&f| match (self.compound(object, f), table.slot(f)) {
                (Some(parts), _) => Col::Compound(parts),
                (None, Some(slot)) => Col::Slot(slot),
                (None, None) => Col::Named(f.to_owned()),
            })
            .collect();
        let slots = cols.iter().flat_map(|c| match c {
            Col::Slot(slot) => vec![*slot],
            Col::Compound(parts) => parts
                .iter()
                .filter_map(|p| table.slot_at(p.index, &p.field))
                .collect(),
            Col::Named(_) => Vec::new(),
        });
        Some(Box::new(TableColumns {
            table,
            cursor: RowCursor::for_slots(table, slots),
            pos: 0,
            cols,
        }))
    }
}

impl Source<'_> {
    /// The parts of `field` of `object` when it is a compound address.
    fn compound(&self, object: &str, field: &str) -> Option<&[CompoundPart]> {
        self.schema.object(object)?.compound(field)
    }
}

/// A column of [`TableColumns`].
enum Col<'a> {
    /// A describe field, by its index.
    Slot(usize),
    /// A compound address, written from its parts as a record's is.
    Compound(&'a [CompoundPart]),
    /// A field the describe lacks (read by name, as [`Table::value`] does).
    Named(String),
}

/// [`Columns`] over one store table: each row is walked once per [`Columns::seek`] and
/// values are written straight from the packed bytes.
struct TableColumns<'a> {
    table: &'a Table,
    cursor: RowCursor<'a>,
    pos: u32,
    cols: Vec<Col<'a>>,
}

impl Columns for TableColumns<'_> {
    fn seek(&mut self, pos: u32) {
        self.pos = pos;
        self.cursor.seek(pos);
    }

    fn write_json(&self, col: usize, out: &mut Vec<u8>) {
        let written = match self.cols.get(col) {
            Some(Col::Slot(slot)) => self.cursor.write(*slot, out),
            Some(Col::Compound(parts)) => {
                write_compound(self.table, &self.cursor, parts, out);
                true
            }
            Some(Col::Named(name)) => self
                .table
                .value(self.pos, name)
                .is_some_and(|v| serde_json::to_writer(&mut *out, &v).is_ok()),
            None => false,
        };
        if !written {
            out.extend_from_slice(b"null");
        }
    }

    fn text<'b>(&'b self, col: usize, buf: &'b mut String) -> Option<&'b str> {
        match self.cols.get(col)? {
            Col::Slot(slot) => self.cursor.text(*slot, buf),
            Col::Compound(_) => None,
            Col::Named(name) => {
                let value = self.table.value(self.pos, name)?;
                buf.clear();
                buf.push_str(value.as_str()?);
                Some(buf.as_str())
            }
        }
    }

    fn find(&self, id: &str) -> Option<u32> {
        self.table.position(id)
    }

    fn write_text(&self, col: usize, out: &mut Vec<u8>) -> bool {
        match self.cols.get(col) {
            Some(Col::Slot(slot)) => self.cursor.write_text(*slot, out),
            Some(Col::Compound(_)) => false,
            Some(Col::Named(name)) => match self.table.value(self.pos, name) {
                Some(Value::String(text)) => {
                    push_json_str_contents(out, &text);
                    true
                }
                _ => false,
            },
            None => false,
        }
    }
}

/// Batch size from `Sforce-Query-Options: batchSize=N` (clamped to 200..=2000, default 2000).
fn batch_size(request: &Request<'_>) -> usize {
    request
        .headers
        .get("sforce-query-options")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',').find_map(|part| {
                let (k, n) = part.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("batchSize")
                    .then(|| n.trim().parse::<usize>().ok())?
            })
        })
        .map_or(2000, |n| n.clamp(200, 2000))
}

/// One page of a query result: records `offset..offset + batch` of `selection`, rendered now.
fn page(
    source: &Source<'_>,
    version: &str,
    locator: &str,
    selection: &Selection,
    offset: usize,
    batch: usize,
) -> Response {
    let body = page_body(source, version, locator, selection, offset, batch);
    json_bytes_response(StatusCode::OK, body)
}

/// The JSON of [`page`].
fn page_body(
    source: &Source<'_>,
    version: &str,
    locator: &str,
    selection: &Selection,
    offset: usize,
    batch: usize,
) -> Vec<u8> {
    let len = selection.len();
    let end = (offset + batch).min(len);
    // Written directly, in the order serde_json wrote the page map: totalSize, done,
    // nextRecordsUrl (when not done), records.
    let mut body = Vec::with_capacity(64 + 128 * end.saturating_sub(offset));
    body.extend_from_slice(b"{\"totalSize\":");
    body.extend_from_slice(selection.total_size().to_string().as_bytes());
    body.extend_from_slice(if end >= len {
        b",\"done\":true"
    } else {
        b",\"done\":false"
    });
    if end < len {
        body.extend_from_slice(b",\"nextRecordsUrl\":");
        push_json_str(
            &mut body,
            &format!("/services/data/v{version}/query/{locator}-{end}"),
        );
    }
    body.extend_from_slice(b",\"records\":[");
    selection.write_records(source, offset..end, &mut body);
    body.extend_from_slice(b"]}");
    body
}

/// Runs `soql` on the store without building records; a refused query becomes Salesforce's
/// 400 error.
pub(crate) fn select(
    shared: &Shared,
    inner: &Inner,
    soql: &str,
    include_deleted: bool,
    api_version: &str,
) -> Result<Selection, ApiError> {
    let source = Source {
        schema: &shared.schema,
        inner,
    };
    let options = QueryOptions {
        include_deleted,
        api_version,
    };
    // Relative dates (TODAY, LAST_N_DAYS:n) follow the org's clock.
    super::soql::select_at(soql, &source, options, shared.clock.now())
        .map_err(|e| ApiError::bad(e.code, e.message))
}

/// `GET /query?q=` and `GET /queryAll?q=`.
pub(crate) fn query(
    shared: &Shared,
    request: &Request<'_>,
    include_deleted: bool,
) -> Result<Response, ApiError> {
    let Some(q) = request.param("q").filter(|q| !q.trim().is_empty()) else {
        return Err(ApiError::bad(
            "MALFORMED_QUERY",
            "A query string has to be specified",
        ));
    };
    // `columns=true`: the column metadata only; names that do not resolve fall through to the
    // query, which reports them.
    if request.param("columns").as_deref() == Some("true")
        && let Some(response) = super::columns::metadata(&shared.schema, &q)
    {
        return Ok(response);
    }
    let batch = batch_size(request);
    let mut inner = shared.lock();
    let selection = select(shared, &inner, &q, include_deleted, &request.version)?;
    let source = Source {
        schema: &shared.schema,
        inner: &inner,
    };
    if selection.len() <= batch {
        return Ok(page(&source, &request.version, "", &selection, 0, batch));
    }
    let locator = crate::sf::id::mint("01g", inner.cursor_seq + 1);
    let response = page(&source, &request.version, &locator, &selection, 0, batch);
    inner.cursor_seq += 1;
    inner.cursors.insert(locator, Cursor { selection, batch });
    while inner.cursors.len() > shared.config.max_query_cursors.max(1) {
        inner.cursors.shift_remove_index(0);
    }
    Ok(response)
}

/// `GET /query/{locator}-{offset}`: the page is rendered from the cursor's row positions now.
pub(crate) fn next_page(
    shared: &Shared,
    request: &Request<'_>,
    segment: &str,
) -> Result<Response, ApiError> {
    let invalid = || ApiError::bad("INVALID_QUERY_LOCATOR", "invalid query locator");
    let (locator, offset) = segment.rsplit_once('-').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    let locator = crate::sf::id::normalize(locator).ok_or_else(invalid)?;
    let inner = shared.lock();
    let cursor = inner.cursors.get(&locator).ok_or_else(invalid)?;
    if offset == 0 || offset >= cursor.selection.len() {
        return Err(invalid());
    }
    let source = Source {
        schema: &shared.schema,
        inner: &inner,
    };
    Ok(page(
        &source,
        &request.version,
        &locator,
        &cursor.selection,
        offset,
        cursor.batch,
    ))
}

/// The direct writers (query pages, records) against the `Value` renderers they replaced:
/// byte-for-byte the same JSON.
#[cfg(test)]
pub(crate) mod tests {
    use serde_json::{Map, json};

    use super::super::MockOrgConfig;
    use super::super::rest::{render_record, write_record};
    use super::super::schema::FieldMeta;
    use super::super::state::Record;
    use super::*;

    /// A seeded org (enough Accounts that some fields' dictionaries overflow into inline text)
    /// plus hand-made rows with awkward values.
    pub(crate) fn org() -> Shared {
        let config = MockOrgConfig {
            records: 1200,
            ..MockOrgConfig::default()
        };
        let url = url::Url::parse("http://127.0.0.1:1/").expect("url");
        let shared = Shared::new(config, url).expect("seeds");
        {
            let mut inner = shared.lock();
            let account = shared.schema.object("Account").expect("Account");
            let contact = shared.schema.object("Contact").expect("Contact");
            let parent = crate::sf::id::mint("001", 900_001);
            let child = crate::sf::id::mint("001", 900_002);
            let own = "001000000000001AAA";
            let rows = [
                json!({
                    "Id": parent, "Name": "Quote \" back\\slash \u{1} \u{1f} \n\t\r\u{8}\u{c} \u{7f}",
                    "Industry": "Énergie ☃ 😀", "AnnualRevenue": 0.1, "NumberOfEmployees": -5,
                    "Description": {"nested": [1, -2.5, "q\"", null, {"x": true}]},
                    "BillingCity": "Zürich", "BillingLatitude": 47.3769,
                    // Not in the describe: stored by name, not part of the address (an org
                    // without state and country picklists has no countryCode).
                    "BillingCountryCode": "CH",
                    "CreatedDate": "1969-12-31T23:59:59.999+0000",
                    "LastModifiedDate": "0000-01-01T00:00:00.000+0000",
                    "SystemModstamp": "2026-01-01T08:00:00.000+0100",
                    "IsDeleted": false, "ParentId": null,
                }),
                json!({
                    "Id": child, "Name": "Child", "ParentId": parent, "AnnualRevenue": 1e300,
                    "NumberOfEmployees": 0, "Industry": null, "IsDeleted": false,
                    "Rating": "", "Website": "https://x.example/a?b=\"c\"",
                    "SystemModstamp": "2026-03-01T08:00:00.000+0000",
                }),
                json!({
                    "Id": own, "Name": "Own Id", "ParentId": child, "AnnualRevenue": -3.25,
                    "IsDeleted": true, "Not_In_Describe__x": [1, 2],
                }),
            ];
            for row in rows {
                let Value::Object(row) = row else {
                    panic!("object")
                };
                let id = row["Id"].as_str().expect("id").to_owned();
                let record = Record {
                    row,
                    modified_ms: 42,
                };
                inner.store.table_mut(account).put(&id, &record);
            }
            for (i, account_id) in [json!(child), json!(null), json!("001Dn0000000000AAA")]
                .into_iter()
                .enumerate()
            {
                let id = crate::sf::id::mint("003", 900_000 + i as u64);
                let mut row = Map::new();
                row.insert("Id".into(), json!(id));
                row.insert("LastName".into(), json!(format!("Hand \"{i}\"")));
                row.insert("AccountId".into(), account_id);
                row.insert("IsDeleted".into(), json!(i == 2));
                row.insert("MailingStreet".into(), json!("1 Rue\nBis"));
                let record = Record {
                    row,
                    modified_ms: 7,
                };
                inner.store.table_mut(contact).put(&id, &record);
            }
        }
        shared
    }

    #[test]
    fn records_are_written_as_the_value_renderer_built_them() {
        let shared = org();
        let inner = shared.lock();
        let (mut written, mut named_part) = (0, false);
        for name in ["Account", "Contact", "Lead"] {
            let object = shared.schema.object(name).expect("object");
            let table = inner.store.get(name).expect("seeded");
            let all: Vec<&FieldMeta> = object.fields.iter().collect();
            let some: Vec<&FieldMeta> = ["Id", "Name", "BillingAddress", "MailingAddress"]
                .iter()
                .chain(&["Address", "LastModifiedDate", "IsDeleted", "Description"])
                .filter_map(|f| object.field(f))
                .collect();
            assert!(some.len() >= 4, "{name}: {some:?}");
            for pos in table.iter_positions() {
                let record = table.record(pos);
                assert_eq!(table.modified_ms(pos), record.modified_ms, "{name} {pos}");
                for fields in [&all, &some] {
                    let old = render_record(object, &record.row, "62.0", fields);
                    let mut new = Vec::new();
                    write_record(table, pos, object, "62.0", fields, &mut new);
                    assert_eq!(
                        String::from_utf8_lossy(&new),
                        serde_json::to_string(&old).expect("json"),
                        "{name} at {pos}"
                    );
                    written += 1;
                    let text = String::from_utf8_lossy(&new);
                    named_part |= text.contains("\"BillingAddress\":{\"city\":\"Zürich\"");
                    assert!(!text.contains("countryCode"), "{text}");
                }
            }
        }
        assert!(written > 2 * 3000, "{written}");
        assert!(named_part, "the address is built from its parts");
    }

    #[test]
    fn query_pages_are_written_as_the_value_renderer_built_them() {
        let shared = org();
        let inner = shared.lock();
        let source = Source {
            schema: &shared.schema,
            inner: &inner,
        };
        let queries = [
            ("SELECT Id, Name, Industry FROM Account", false),
            (
                "SELECT Name, AnnualRevenue, NumberOfEmployees, Description, BillingCity, \
                 CreatedDate, LastModifiedDate, SystemModstamp, BillingAddress, Id FROM Account",
                false,
            ),
            (
                "SELECT Id, LastName, Account.Name, Account.Industry FROM Contact",
                false,
            ),
            (
                "SELECT LastName, Account.Parent.Name, Account.Parent.Parent.Id, Account.Name \
                 FROM Contact ORDER BY LastName DESC LIMIT 900 OFFSET 7",
                true,
            ),
            (
                "SELECT Name, Parent.Name, Parent.Parent.Name FROM Account",
                true,
            ),
            ("SELECT Id, Name FROM Account ORDER BY Name LIMIT 300", true),
            (
                "SELECT Name, Company, Email FROM Lead WHERE Name LIKE 'A%'",
                false,
            ),
            ("SELECT COUNT() FROM Account", false),
        ];
        for (soql, all) in queries {
            let selection = select(&shared, &inner, soql, all, "62.0").expect(soql);
            let len = selection.len();
            assert!(len > 0 || soql.contains("COUNT"), "{soql}");
            for (offset, batch) in [(0, 2000), (0, 200), (len.saturating_sub(5), 200)] {
                let new = page_body(
                    &source,
                    "62.0",
                    "01gDn0000000001IAA",
                    &selection,
                    offset,
                    batch,
                );
                let end = (offset + batch).min(len);
                let mut old = Map::new();
                old.insert("totalSize".into(), json!(selection.total_size()));
                old.insert("done".into(), json!(end >= len));
                if end < len {
                    old.insert(
                        "nextRecordsUrl".into(),
                        json!(format!(
                            "/services/data/v62.0/query/01gDn0000000001IAA-{end}"
                        )),
                    );
                }
                let records = selection.records_by_value(&source, offset..end);
                old.insert("records".into(), Value::Array(records.clone()));
                assert_eq!(
                    String::from_utf8_lossy(&new),
                    serde_json::to_string(&old).expect("json"),
                    "{soql} at {offset}"
                );
                // The Value API reads the writer's output back: the same records.
                assert_eq!(selection.records(&source, offset..end), records, "{soql}");
            }
        }
        // The hand-made rows are in these results: a null parent, a missing parent, a deleted
        // row with a non-minted Id.
        let selection = select(
            &shared,
            &inner,
            "SELECT Name, Parent.Name FROM Account WHERE Name = 'Own Id'",
            true,
            "62.0",
        )
        .expect("query");
        let records = selection.records(&source, 0..1);
        assert_eq!(records[0]["Parent"]["Name"], json!("Child"));
        assert_eq!(
            records[0]["attributes"]["url"],
            json!("/services/data/v62.0/sobjects/Account/001000000000001AAA")
        );
    }
}
