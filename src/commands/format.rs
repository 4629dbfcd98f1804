//! Output helpers shared by the commands: dropping `attributes`, flattening parent
//! relationships into dotted columns, CSV quoting, plain-text tables, and number / duration
//! formatting.

use std::borrow::Cow;

use crate::sf::json_ref::{JsonRef, ObjectRef};

/// The column paths of one record, in field order: parent relationships become dotted paths
/// (`Account.Owner.Name`); everything else is one column.
pub(crate) fn columns_of(record: &ObjectRef<'_>) -> Vec<String> {
    let mut out = Vec::new();
    collect_columns(record, "", &mut out);
    out
}

fn collect_columns(record: &ObjectRef<'_>, prefix: &str, out: &mut Vec<String>) {
    for (key, value) in &record.entries {
        let path = format!("{prefix}{key}");
        match value {
            JsonRef::Object(parent) if parent.is_parent_record() => {
                collect_columns(parent, &format!("{path}."), out);
            }
            _ => out.push(path),
        }
    }
}

/// The columns of a whole page: the union of every record's columns in first-seen order. A
/// relationship that is `null` in one record and a parent in another keeps only the parent's
/// dotted columns.
pub(crate) fn columns_of_page(records: &[ObjectRef<'_>]) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    for record in records {
        for col in columns_of(record) {
            if cols.contains(&col) {
                continue;
            }
            // `Account.Name` replaces a bare `Account` seen in a record where it was null.
            let parent_of_new = cols.iter().position(|c| col.starts_with(&format!("{c}.")));
            match parent_of_new {
                Some(i) => cols[i] = col,
                None => {
                    // A bare `Account` after `Account.Name` adds nothing.
                    let prefix = format!("{col}.");
                    if !cols.iter().any(|c| c.starts_with(&prefix)) {
                        cols.push(col);
                    }
                }
            }
        }
    }
    // A replaced bare column may have left duplicates of a dotted one.
    let mut seen = std::collections::HashSet::new();
    cols.retain(|c| seen.insert(c.clone()));
    cols
}

/// The text of one cell: empty for null or missing, strings as-is, numbers and booleans in
/// JSON form, objects and arrays (addresses, subqueries) as compact JSON without `attributes`.
pub(crate) fn cell_text<'r>(value: Option<&'r JsonRef<'_>>) -> Cow<'r, str> {
    fn json(value: &impl serde::Serialize) -> Cow<'static, str> {
        Cow::Owned(serde_json::to_string(value).unwrap_or_default())
    }
    match value {
        None | Some(JsonRef::Null) => Cow::Borrowed(""),
        Some(JsonRef::String(s)) => Cow::Borrowed(s),
        Some(JsonRef::Bool(b)) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Some(JsonRef::Number(n)) => Cow::Owned(n.to_string()),
        Some(JsonRef::Object(o)) => match o.get("records") {
            // A subquery: its records only.
            Some(records) => json(records),
            None => json(o),
        },
        Some(other) => json(other),
    }
}

/// One CSV field per RFC 4180: quoted (with `"` doubled) when it contains a comma, a quote,
/// CR or LF, or starts or ends with a space.
pub(crate) fn csv_field(text: &str) -> Cow<'_, str> {
    let needs_quotes =
        text.contains([',', '"', '\r', '\n']) || text.starts_with(' ') || text.ends_with(' ');
    if needs_quotes {
        Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes one CSV record (fields joined by commas, ended by CRLF as RFC 4180 says).
pub(crate) fn write_csv_line<S: AsRef<str>>(
    out: &mut dyn std::io::Write,
    fields: impl IntoIterator<Item = S>,
) -> std::io::Result<()> {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(csv_field(field.as_ref()).as_bytes())?;
    }
    out.write_all(b"\r\n")
}

/// Widest a table column gets; longer cells are cut with `…`.
pub(crate) const MAX_COLUMN_WIDTH: usize = 48;

/// A plain-text table whose column widths are fixed from the first page: each column as wide
/// as its header or its widest first-page cell (at most [`MAX_COLUMN_WIDTH`]); later cells are
/// cut to fit so memory stays constant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableLayout {
    /// Column headers (dotted paths).
    pub columns: Vec<String>,
    /// Width of each column, in characters.
    pub widths: Vec<usize>,
}

/// A cell made single-line (tabs, CR and LF become spaces).
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `text` cut to `width` characters (the last one `…` when cut) and padded with spaces.
pub(crate) fn fit(text: &str, width: usize) -> String {
    let text = one_line(text);
    let len = text.chars().count();
    if len > width {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        format!("{text}{}", " ".repeat(width - len))
    }
}

impl TableLayout {
    /// The layout for these columns, sized from the first page's records.
    pub(crate) fn from_first_page(columns: Vec<String>, records: &[ObjectRef<'_>]) -> Self {
        let widths = columns
            .iter()
            .map(|col| {
                records
                    .iter()
                    .map(|r| one_line(&cell_text(r.lookup(col))).chars().count())
                    .chain(std::iter::once(col.chars().count()))
                    .max()
                    .unwrap_or(0)
                    .clamp(1, MAX_COLUMN_WIDTH)
            })
            .collect();
        TableLayout { columns, widths }
    }

    fn line<S: AsRef<str>>(&self, cells: &[S]) -> String {
        let mut line = cells
            .iter()
            .zip(&self.widths)
            .map(|(c, w)| fit(c.as_ref(), *w))
            .collect::<Vec<_>>()
            .join("  ");
        let trimmed = line.trim_end().len();
        line.truncate(trimmed);
        line.push('\n');
        line
    }

    /// The header line and the rule under it.
    pub(crate) fn header(&self) -> String {
        let rule: Vec<String> = self.widths.iter().map(|w| "─".repeat(*w)).collect();
        format!("{}{}", self.line(&self.columns), self.line(&rule))
    }

    /// One record's line.
    pub(crate) fn row(&self, record: &ObjectRef<'_>) -> String {
        let cells: Vec<Cow<'_, str>> = self
            .columns
            .iter()
            .map(|c| cell_text(record.lookup(c)))
            .collect();
        self.line(&cells)
    }
}

/// A duration in seconds as `1h 05m 09s` / `5m 09s` / `9s`; negative values as `expired`.
pub(crate) fn human_duration(secs: i64) -> String {
    if secs < 0 {
        "expired".to_string()
    } else {
        crate::human::duration(secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn record(v: &Value) -> ObjectRef<'_> {
        match v {
            Value::Object(m) => ObjectRef::from_map(m),
            other => panic!("not an object: {other}"),
        }
    }

    fn contact(account: Value) -> Value {
        json!({
            "attributes": {"type": "Contact", "url": "/x"},
            "Id": "003Dn00000XyZ12IAF",
            "LastName": "Ng",
            "Account": account,
        })
    }

    fn cell(v: Value) -> String {
        cell_text(Some(&JsonRef::from(&v))).into_owned()
    }

    #[test]
    fn flattens_parents_and_drops_attributes() {
        let rec = contact(json!({
            "attributes": {"type": "Account"},
            "Name": "Acme",
            "Owner": {"attributes": {"type": "User"}, "Name": "Ann"}
        }));
        let rec = record(&rec);
        assert_eq!(
            columns_of(&rec),
            vec!["Id", "LastName", "Account.Name", "Account.Owner.Name"]
        );
        assert_eq!(cell_text(rec.lookup("Account.Owner.Name")), "Ann");
        assert_eq!(cell_text(rec.lookup("Account.Missing")), "");
    }

    #[test]
    fn null_parent_is_replaced_by_dotted_columns_of_later_records() {
        let (with_null, with_parent) = (
            contact(Value::Null),
            contact(json!({"attributes": {"type": "Account"}, "Name": "Acme"})),
        );
        let (with_null, with_parent) = (record(&with_null), record(&with_parent));
        let cols = columns_of_page(&[with_null.clone(), with_parent.clone()]);
        assert_eq!(cols, vec!["Id", "LastName", "Account.Name"]);
        let cols = columns_of_page(&[with_parent, with_null.clone()]);
        assert_eq!(cols, vec!["Id", "LastName", "Account.Name"]);
        assert_eq!(cell_text(with_null.lookup("Account.Name")), "");
        assert_eq!(
            columns_of_page(&[with_null]),
            vec!["Id", "LastName", "Account"]
        );
    }

    #[test]
    fn cells_of_each_json_type() {
        assert_eq!(cell_text(None), "");
        assert_eq!(cell(json!(null)), "");
        assert_eq!(cell(json!(true)), "true");
        assert_eq!(cell(json!(false)), "false");
        assert_eq!(cell(json!(2500000.0)), "2500000.0");
        assert_eq!(cell(json!(12)), "12");
        assert_eq!(cell(json!("a \"b\"")), "a \"b\"");
        assert_eq!(
            cell(json!({"city": "Paris", "street": null})),
            r#"{"city":"Paris","street":null}"#
        );
        let sub = json!({"totalSize": 1, "done": true,
            "records": [{"attributes": {"type": "Contact"}, "LastName": "Ng"}]});
        assert_eq!(cell(sub), r#"[{"LastName":"Ng"}]"#);
        assert_eq!(
            cell(json!([{"attributes": {}, "A": {"attributes": {}, "B": 1}}])),
            r#"[{"A":{"B":1}}]"#
        );
    }

    #[test]
    fn csv_quoting_rfc4180() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("cr\rx"), "\"cr\rx\"");
        assert_eq!(csv_field(" padded"), "\" padded\"");
        assert_eq!(csv_field("Zoë"), "Zoë");
        let mut line = Vec::new();
        write_csv_line(&mut line, ["Id", "Name, Inc.", ""]).expect("written");
        assert_eq!(line, b"Id,\"Name, Inc.\",\r\n");
    }

    #[test]
    fn table_widths_come_from_the_first_page_and_later_cells_are_cut() {
        let values = [
            json!({"Id": "001A", "Name": "Acme"}),
            json!({"Id": "001B", "Name": "Globex Corp"}),
        ];
        let first: Vec<ObjectRef<'_>> = values.iter().map(record).collect();
        let layout = TableLayout::from_first_page(columns_of_page(&first), &first);
        assert_eq!(layout.widths, vec![4, 11]);
        assert_eq!(layout.header(), "Id    Name\n────  ───────────\n");
        assert_eq!(layout.row(&first[0]), "001A  Acme\n");
        let later = json!({"Id": "001C", "Name": "A much longer company name\twith tab"});
        assert_eq!(layout.row(&record(&later)), "001C  A much lon…\n");
        let long = json!({"Id": "x".repeat(100)});
        let long = vec![record(&long)];
        let layout = TableLayout::from_first_page(vec!["Id".into()], &long);
        assert_eq!(layout.widths, vec![MAX_COLUMN_WIDTH]);
    }

    #[test]
    fn numbers_and_durations() {
        assert_eq!(human_duration(7199), "1h 59m 59s");
        assert_eq!(human_duration(65), "1m 05s");
        assert_eq!(human_duration(9), "9s");
        assert_eq!(human_duration(-1), "expired");
    }
}
