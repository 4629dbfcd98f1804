//! Compact storage of list rows: one string arena for every cell, a (start, length) span per
//! cell and the 18-character Id per row. No `serde_json::Value` per row: 100,000 rows of six
//! columns take about 15 MB instead of several hundred.

use std::borrow::Cow;

use unicode_width::UnicodeWidthStr;

use crate::sf::json_ref::{JsonRef, ObjectRef};

/// Marks a null cell (shown dimmed as [`NULL_TEXT`]), as opposed to an empty string.
const NULL: u32 = u32::MAX;

/// What a null cell shows.
pub const NULL_TEXT: &str = "(empty)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

/// The rows of one list view: `columns` are SOQL field paths (`Name`, `Owner.Name`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RowStore {
    columns: Vec<String>,
    text: String,
    spans: Vec<Span>,
    ids: Vec<[u8; 18]>,
    /// The widest cell of each column so far, in terminal columns (a null counts as
    /// [`NULL_TEXT`]): rows only ever widen it, so the list's columns stay put while scrolling.
    widths: Vec<u32>,
}

/// The arena outgrew u32 offsets (4 GiB of cell text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the list holds more cell text than it can address (4 GiB)")]
pub struct StoreFull;

/// A summary, not the cells: a store can hold hundreds of megabytes of text.
impl std::fmt::Debug for RowStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowStore")
            .field("columns", &self.columns)
            .field("rows", &self.len())
            .field("heap_bytes", &self.heap_bytes())
            .finish()
    }
}

impl RowStore {
    pub fn new(columns: Vec<String>) -> RowStore {
        RowStore {
            columns,
            ..RowStore::default()
        }
    }

    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Drops every row (the columns stay).
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
        self.ids.clear();
        self.widths.clear();
    }

    /// The widest cell of `column` among the rows held (and those held before, since the last
    /// [`RowStore::clear`]), in terminal columns; 0 without rows.
    pub fn width(&self, column: usize) -> usize {
        self.widths.get(column).map_or(0, |w| *w as usize)
    }

    fn note_width(&mut self, column: usize, cell: Option<&str>) {
        let width = u32::try_from(cell.unwrap_or(NULL_TEXT).width()).unwrap_or(u32::MAX);
        if self.widths.len() <= column {
            self.widths.resize(column + 1, 0);
        }
        self.widths[column] = self.widths[column].max(width);
    }

    /// Bytes held on the heap by this store (capacities, so what the allocator really gave).
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.spans.capacity() * std::mem::size_of::<Span>()
            + self.ids.capacity() * 18
            + self.widths.capacity() * 4
            + self.columns.iter().map(String::capacity).sum::<usize>()
            + self.columns.capacity() * std::mem::size_of::<String>()
    }

    /// Releases spare capacity (after the last page arrived).
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.spans.shrink_to_fit();
        self.ids.shrink_to_fit();
        self.widths.shrink_to_fit();
    }

    fn add_cell(&mut self, cell: Option<&str>) -> Result<Span, StoreFull> {
        match cell {
            None => Ok(Span {
                start: 0,
                len: NULL,
            }),
            Some(text) => {
                let start = u32::try_from(self.text.len()).map_err(|_| StoreFull)?;
                let len = u32::try_from(text.len())
                    .ok()
                    .filter(|l| *l != NULL)
                    .ok_or(StoreFull)?;
                start.checked_add(len).ok_or(StoreFull)?;
                self.text.push_str(text);
                Ok(Span { start, len })
            }
        }
    }

    fn cells_of<'a>(
        &mut self,
        cells: impl IntoIterator<Item = Option<&'a str>>,
    ) -> Result<Vec<Span>, StoreFull> {
        let mut spans = Vec::with_capacity(self.columns.len());
        let mut cells = cells.into_iter();
        for column in 0..self.columns.len() {
            let cell = cells.next().flatten();
            spans.push(self.add_cell(cell)?);
            self.note_width(column, cell);
        }
        Ok(spans)
    }

    /// Appends a row; missing cells are null, extra ones are ignored.
    pub fn push<'a>(
        &mut self,
        id: &str,
        cells: impl IntoIterator<Item = Option<&'a str>>,
    ) -> Result<(), StoreFull> {
        let spans = self.cells_of(cells)?;
        self.spans.extend(spans);
        self.ids.push(pack_id(id));
        Ok(())
    }

    /// Appends a record of a query answer, taking each column's value by its dotted path
    /// ([`ObjectRef::lookup`]) and storing the text it shows ([`display_value`]); the Id is
    /// [`record_id`]. Nothing is added when the store is full.
    pub fn push_record(&mut self, record: &ObjectRef<'_>) -> Result<(), StoreFull> {
        let (spans, text) = (self.spans.len(), self.text.len());
        for column in 0..self.columns.len() {
            let cell = column_value(record, &self.columns[column]);
            match self.add_cell(cell.as_deref()) {
                Ok(span) => {
                    self.spans.push(span);
                    self.note_width(column, cell.as_deref());
                }
                Err(full) => {
                    self.spans.truncate(spans);
                    self.text.truncate(text);
                    return Err(full);
                }
            }
        }
        self.ids.push(pack_id(record_id(record)));
        Ok(())
    }

    /// Replaces the cells of row `row` (an edited record); the old text stays in the arena.
    pub fn replace<'a>(
        &mut self,
        row: usize,
        cells: impl IntoIterator<Item = Option<&'a str>>,
    ) -> Result<(), StoreFull> {
        if row >= self.len() {
            return Ok(());
        }
        let spans = self.cells_of(cells)?;
        let n = self.columns.len();
        self.spans[row * n..(row + 1) * n].copy_from_slice(&spans);
        Ok(())
    }

    /// Inserts a row before row `row` (a created record); missing cells are null.
    pub fn insert<'a>(
        &mut self,
        row: usize,
        id: &str,
        cells: impl IntoIterator<Item = Option<&'a str>>,
    ) -> Result<(), StoreFull> {
        let row = row.min(self.len());
        let spans = self.cells_of(cells)?;
        let n = self.columns.len();
        self.spans.splice(row * n..row * n, spans);
        self.ids.insert(row, pack_id(id));
        Ok(())
    }

    /// Removes a row (a deleted record).
    pub fn remove(&mut self, row: usize) {
        if row >= self.len() {
            return;
        }
        let n = self.columns.len();
        self.spans.drain(row * n..(row + 1) * n);
        self.ids.remove(row);
    }

    /// Moves every row of `other` (same columns) to the end of this store.
    pub fn append(&mut self, other: &RowStore) -> Result<(), StoreFull> {
        for row in 0..other.len() {
            let cells: Vec<Option<&str>> = (0..other.columns.len())
                .map(|c| other.cell(row, c))
                .collect();
            let spans = self.cells_of(cells)?;
            self.spans.extend(spans);
            self.ids.push(other.ids[row]);
        }
        Ok(())
    }

    /// A cell's text; `None` for null (or out of range).
    pub fn cell(&self, row: usize, column: usize) -> Option<&str> {
        if column >= self.columns.len() {
            return None;
        }
        let span = self.spans.get(row * self.columns.len() + column)?;
        if span.len == NULL {
            return None;
        }
        let start = span.start as usize;
        self.text.get(start..start + span.len as usize)
    }

    /// The record Id of a row ("" when the query returned none).
    pub fn id(&self, row: usize) -> &str {
        self.ids.get(row).map_or("", |id| {
            let end = id.iter().position(|b| *b == 0).unwrap_or(18);
            std::str::from_utf8(&id[..end]).unwrap_or("")
        })
    }

    /// The row holding record `id` (15 or 18 characters).
    pub fn position(&self, id: &str) -> Option<usize> {
        let key = &id.as_bytes()[..id.len().min(15)];
        self.ids.iter().position(|stored| stored.starts_with(key))
    }
}

/// The text a column of a record shows: the value at its dotted path ([`display_value`]), or
/// for a child count (`COUNT(Contacts)`) the `totalSize` of the nested query result (`0` when
/// Salesforce sent `null`: no children).
fn column_value<'r>(record: &'r ObjectRef<'_>, column: &str) -> Option<Cow<'r, str>> {
    let Some(relationship) = super::soql::child_count(column) else {
        return record.lookup(column).and_then(display_value);
    };
    match record.lookup(relationship)? {
        JsonRef::Null => Some(Cow::Borrowed("0")),
        JsonRef::Object(result) => match result.get("totalSize")? {
            JsonRef::Number(n) => Some(Cow::Owned(n.to_string())),
            _ => None,
        },
        _ => None,
    }
}

fn pack_id(id: &str) -> [u8; 18] {
    let mut packed = [0u8; 18];
    if id.is_ascii() {
        for (slot, b) in packed.iter_mut().zip(id.bytes()) {
            *slot = b;
        }
    }
    packed
}

/// The record's Id: its `Id` field, else the last segment of `attributes.url` (a query typed
/// in full need not select `Id`); "" when it has neither.
pub fn record_id<'r>(record: &'r ObjectRef<'_>) -> &'r str {
    if let Some(JsonRef::String(id)) = record.get("Id") {
        return id;
    }
    record
        .url
        .as_deref()
        .and_then(|u| u.rsplit('/').next())
        .unwrap_or_default()
}

/// The text a cell shows: strings as they are on one line (datetimes as `YYYY-MM-DD HH:MM`),
/// numbers and booleans as written, compound values (addresses) as compact JSON without
/// `attributes`; `None` for null. Borrowed when the text is the string itself.
pub fn display_value<'r>(value: &'r JsonRef<'_>) -> Option<Cow<'r, str>> {
    match value {
        JsonRef::Null => None,
        JsonRef::String(s) => Some(short_datetime(s).map_or_else(|| one_line(s), Cow::Owned)),
        JsonRef::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        JsonRef::Number(n) => Some(Cow::Owned(n.to_string())),
        JsonRef::Object(_) | JsonRef::Array(_) => {
            Some(Cow::Owned(serde_json::to_string(value).unwrap_or_default()))
        }
    }
}

/// Text on one line: line breaks and tabs become spaces (a list cell is one line).
fn one_line(s: &str) -> Cow<'_, str> {
    if s.contains(|c: char| c.is_control()) {
        Cow::Owned(
            s.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// `2026-11-27T10:02:03.000+0000` → `2026-11-27 10:02` (Salesforce datetimes are UTC).
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store() -> RowStore {
        RowStore::new(vec!["Name".into(), "Owner.Name".into()])
    }

    #[test]
    fn column_widths_count_terminal_columns_and_only_grow_until_cleared() {
        let mut rows = store();
        assert_eq!(rows.width(0), 0);
        rows.push("001A", [Some("Acme"), None]).expect("row");
        assert_eq!((rows.width(0), rows.width(1)), (4, NULL_TEXT.len()));
        // Wide characters take two columns each.
        rows.push("001B", [Some("東京商事"), Some("Ada")])
            .expect("row");
        assert_eq!(rows.width(0), 8);
        rows.remove(1);
        assert_eq!(rows.width(0), 8, "a removed row does not narrow the column");
        rows.replace(0, [Some("A much longer name"), Some("Ada")])
            .expect("row");
        assert_eq!(rows.width(0), 18);
        rows.clear();
        assert_eq!(rows.width(0), 0);
    }

    #[test]
    fn cells_nulls_and_ids_round_trip() {
        let mut s = store();
        s.push("001000000000001AAA", [Some("Acme"), None])
            .expect("push");
        s.push("001000000000002AAA", [Some(""), Some("Ann")])
            .expect("push");
        assert_eq!(s.len(), 2);
        assert_eq!(s.cell(0, 0), Some("Acme"));
        assert_eq!(s.cell(0, 1), None);
        assert_eq!(s.cell(1, 0), Some(""));
        assert_eq!(s.cell(1, 1), Some("Ann"));
        assert_eq!(s.cell(2, 0), None);
        assert_eq!(s.id(1), "001000000000002AAA");
        assert_eq!(s.position("001000000000002"), Some(1));
        s.replace(0, [Some("Acme Corp"), Some("Bob")])
            .expect("replace");
        assert_eq!(s.cell(0, 0), Some("Acme Corp"));
        s.remove(0);
        assert_eq!(s.len(), 1);
        assert_eq!(s.cell(0, 1), Some("Ann"));
    }

    fn record(text: &str) -> ObjectRef<'_> {
        serde_json::from_str(text).expect("a record")
    }

    fn shown(value: serde_json::Value) -> Option<String> {
        display_value(&JsonRef::from(&value)).map(Cow::into_owned)
    }

    #[test]
    fn records_are_flattened_by_path() {
        let mut s = store();
        s.push_record(&record(
            r#"{"attributes": {"type": "Account",
                "url": "/services/data/v62.0/sobjects/Account/001000000000003AAA"},
            "Name": "Globex",
            "owner": {"attributes": {"type": "User"}, "Name": "Integration"}}"#,
        ))
        .expect("push");
        assert_eq!(s.id(0), "001000000000003AAA", "from attributes.url");
        assert_eq!(s.cell(0, 1), Some("Integration"), "names match in any case");
        s.push_record(&record(
            r#"{"Id": "001000000000004AAA", "Name": "X", "Owner": null}"#,
        ))
        .expect("push");
        assert_eq!(s.id(1), "001000000000004AAA");
        assert_eq!(s.cell(1, 1), None);
        s.push_record(&record(r#"{"Name": {"a": 1}, "Owner": "a string"}"#))
            .expect("push");
        assert_eq!(s.id(2), "");
        assert_eq!(s.cell(2, 0), Some(r#"{"a":1}"#));
        assert_eq!(s.cell(2, 1), None, "no parent to look into");
    }

    #[test]
    fn child_counts_read_the_nested_total() {
        let mut s = RowStore::new(vec!["Name".into(), "COUNT(Contacts)".into()]);
        s.push_record(&record(
            r#"{"Id": "001000000000001AAA", "Name": "A",
                "Contacts": {"totalSize": 3, "done": true, "records": []}}"#,
        ))
        .expect("push");
        s.push_record(&record(
            r#"{"Id": "001000000000002AAA", "Name": "B", "Contacts": null}"#,
        ))
        .expect("push");
        s.push_record(&record(r#"{"Id": "001000000000003AAA", "Name": "C"}"#))
            .expect("push");
        assert_eq!(s.cell(0, 1), Some("3"));
        assert_eq!(s.cell(1, 1), Some("0"), "null: no children");
        assert_eq!(s.cell(2, 1), None, "not queried");
    }

    #[test]
    fn datetimes_are_shortened_when_stored() {
        assert_eq!(
            shown(json!("2026-11-27T10:02:03.000+0000")).as_deref(),
            Some("2026-11-27 10:02")
        );
        assert_eq!(shown(json!(12.5)).as_deref(), Some("12.5"));
        assert_eq!(shown(json!(null)), None);
        assert_eq!(shown(json!(false)).as_deref(), Some("false"));
        assert_eq!(
            shown(json!("two\nlines\ttab")).as_deref(),
            Some("two lines tab")
        );
        assert_eq!(
            shown(json!({"attributes": {"type": "X"}, "city": "Zürich", "n": [1, null]}))
                .as_deref(),
            Some(r#"{"city":"Zürich","n":[1,null]}"#)
        );
        // A parent record (not selectable as a column in SOQL): keys in the order received,
        // no `attributes` at any depth.
        assert_eq!(
            shown(json!({"attributes": {"type": "Account"}, "Name": "Acme",
                "Owner": {"attributes": {"type": "User"}, "Name": "Ann"}}))
            .as_deref(),
            Some(r#"{"Name":"Acme","Owner":{"Name":"Ann"}}"#)
        );
    }

    #[test]
    fn byte_accounting_counts_the_arena_spans_and_ids() {
        let mut s = RowStore::new(vec!["A".into()]);
        let empty = s.heap_bytes();
        for i in 0..1000 {
            s.push(&format!("001{i:015}"), [Some("0123456789")])
                .expect("push");
        }
        s.shrink_to_fit();
        let used = s.heap_bytes() - empty;
        // 10 text bytes + one 8-byte span + an 18-byte id per row, and the column's width.
        assert_eq!(used, 1000 * (10 + 8 + 18) + 4);
    }

    #[test]
    fn hundred_thousand_rows_of_six_columns_stay_small() {
        let columns: Vec<String> = [
            "Name",
            "Industry",
            "Phone",
            "Owner.Name",
            "LastModifiedDate",
            "Website",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let mut s = RowStore::new(columns);
        for i in 0..100_000u32 {
            let name = format!("Company {i} Holdings Inc.");
            let phone = format!("+1 415 555 {:04}", i % 10_000);
            s.push(
                &format!("001Dn{i:010}AAA"),
                [
                    Some(name.as_str()),
                    Some("Manufacturing"),
                    Some(phone.as_str()),
                    Some("Integration User"),
                    Some("2026-11-27 10:02"),
                    (i % 3 == 0).then_some("https://example.com"),
                ],
            )
            .expect("push");
        }
        let bytes = s.heap_bytes();
        println!(
            "RowStore: 100,000 rows x 6 columns = {bytes} bytes ({:.1} MiB)",
            bytes as f64 / 1048576.0
        );
        assert!(bytes < 30 * 1024 * 1024, "{bytes} bytes");
        assert_eq!(s.cell(99_999, 0), Some("Company 99999 Holdings Inc."));
    }
}
