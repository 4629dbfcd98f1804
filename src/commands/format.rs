//! Output helpers shared by the commands: dropping `attributes`, flattening parent
//! relationships into dotted columns, CSV quoting, plain-text tables, and number / duration
//! formatting.

use serde_json::{Map, Value};

/// A copy of `value` without the `attributes` key, at every level (parents, subqueries).
pub(crate) fn strip_attributes(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(strip_map(map)),
        Value::Array(items) => Value::Array(items.iter().map(strip_attributes).collect()),
        other => other.clone(),
    }
}

/// [`strip_attributes`] for a record map.
pub(crate) fn strip_map(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| k.as_str() != "attributes")
        .map(|(k, v)| (k.clone(), strip_attributes(v)))
        .collect()
}

/// A parent record in a query result: an object carrying `attributes` (compound fields like
/// addresses have none, subquery results have `records`).
fn is_parent_record(value: &Value) -> bool {
    value
        .as_object()
        .is_some_and(|o| o.contains_key("attributes") && !o.contains_key("records"))
}

/// The column paths of one record, in field order: parent relationships become dotted paths
/// (`Account.Owner.Name`); `attributes` is dropped; everything else is one column.
pub(crate) fn columns_of(record: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    collect_columns(record, "", &mut out);
    out
}

fn collect_columns(record: &Map<String, Value>, prefix: &str, out: &mut Vec<String>) {
    for (key, value) in record {
        if key == "attributes" {
            continue;
        }
        let path = format!("{prefix}{key}");
        match value {
            Value::Object(parent) if is_parent_record(value) => {
                collect_columns(parent, &format!("{path}."), out);
            }
            _ => out.push(path),
        }
    }
}

/// The columns of a whole page: the union of every record's columns in first-seen order. A
/// relationship that is `null` in one record and a parent in another keeps only the parent's
/// dotted columns.
pub(crate) fn columns_of_page(records: &[Map<String, Value>]) -> Vec<String> {
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

/// The value at a dotted column path, if any (`None` when a parent on the way is null).
pub(crate) fn lookup<'a>(record: &'a Map<String, Value>, column: &str) -> Option<&'a Value> {
    let mut parts = column.split('.');
    let first = parts.next()?;
    let mut value = record.get(first)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

/// The text of one cell: empty for null or missing, strings as-is, numbers and booleans in
/// JSON form, objects and arrays (addresses, subqueries) as compact JSON without `attributes`.
pub(crate) fn cell_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Object(o)) if o.contains_key("records") => {
            // A subquery: its records only.
            o.get("records")
                .map(|r| strip_attributes(r).to_string())
                .unwrap_or_default()
        }
        Some(other) => strip_attributes(other).to_string(),
    }
}

/// One CSV field per RFC 4180: quoted (with `"` doubled) when it contains a comma, a quote,
/// CR or LF, or starts or ends with a space.
pub(crate) fn csv_field(text: &str) -> String {
    let needs_quotes =
        text.contains([',', '"', '\r', '\n']) || text.starts_with(' ') || text.ends_with(' ');
    if needs_quotes {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// One CSV record (fields joined by commas, ended by CRLF as RFC 4180 says).
pub(crate) fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
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
    pub(crate) fn from_first_page(columns: Vec<String>, records: &[Map<String, Value>]) -> Self {
        let widths = columns
            .iter()
            .map(|col| {
                records
                    .iter()
                    .map(|r| one_line(&cell_text(lookup(r, col))).chars().count())
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
    pub(crate) fn row(&self, record: &Map<String, Value>) -> String {
        let cells: Vec<String> = self
            .columns
            .iter()
            .map(|c| cell_text(lookup(record, c)))
            .collect();
        self.line(&cells)
    }
}

/// `1234567` → `1,234,567`.
pub(crate) fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration in seconds as `1h 05m 09s` / `5m 09s` / `9s`; negative values as `expired`.
pub(crate) fn human_duration(secs: i64) -> String {
    if secs < 0 {
        return "expired".to_string();
    }
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        }
    }

    fn contact(account: Value) -> Map<String, Value> {
        map(json!({
            "attributes": {"type": "Contact", "url": "/x"},
            "Id": "003Dn00000XyZ12IAF",
            "LastName": "Ng",
            "Account": account,
        }))
    }

    #[test]
    fn flattens_parents_and_drops_attributes() {
        let rec = contact(json!({
            "attributes": {"type": "Account"},
            "Name": "Acme",
            "Owner": {"attributes": {"type": "User"}, "Name": "Ann"}
        }));
        assert_eq!(
            columns_of(&rec),
            vec!["Id", "LastName", "Account.Name", "Account.Owner.Name"]
        );
        assert_eq!(cell_text(lookup(&rec, "Account.Owner.Name")), "Ann");
        assert_eq!(cell_text(lookup(&rec, "Account.Missing")), "");
    }

    #[test]
    fn null_parent_is_replaced_by_dotted_columns_of_later_records() {
        let with_null = contact(Value::Null);
        let with_parent = contact(json!({"attributes": {"type": "Account"}, "Name": "Acme"}));
        let cols = columns_of_page(&[with_null.clone(), with_parent.clone()]);
        assert_eq!(cols, vec!["Id", "LastName", "Account.Name"]);
        let cols = columns_of_page(&[with_parent, with_null.clone()]);
        assert_eq!(cols, vec!["Id", "LastName", "Account.Name"]);
        assert_eq!(cell_text(lookup(&with_null, "Account.Name")), "");
        assert_eq!(
            columns_of_page(&[with_null]),
            vec!["Id", "LastName", "Account"]
        );
    }

    #[test]
    fn cells_of_each_json_type() {
        assert_eq!(cell_text(Some(&json!(null))), "");
        assert_eq!(cell_text(Some(&json!(true))), "true");
        assert_eq!(cell_text(Some(&json!(2500000.0))), "2500000.0");
        assert_eq!(cell_text(Some(&json!(12))), "12");
        assert_eq!(
            cell_text(Some(&json!({"city": "Paris", "street": null}))),
            r#"{"city":"Paris","street":null}"#
        );
        let sub = json!({"totalSize": 1, "done": true,
            "records": [{"attributes": {"type": "Contact"}, "LastName": "Ng"}]});
        assert_eq!(cell_text(Some(&sub)), r#"[{"LastName":"Ng"}]"#);
    }

    #[test]
    fn strip_attributes_everywhere() {
        let v = json!({"attributes": {}, "A": {"attributes": {}, "B": 1},
            "C": {"records": [{"attributes": {}, "D": 2}]}});
        assert_eq!(
            strip_attributes(&v),
            json!({"A": {"B": 1}, "C": {"records": [{"D": 2}]}})
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
        assert_eq!(csv_line(&["Id", "Name, Inc."]), "Id,\"Name, Inc.\"\r\n");
    }

    #[test]
    fn table_widths_come_from_the_first_page_and_later_cells_are_cut() {
        let first = vec![
            map(json!({"Id": "001A", "Name": "Acme"})),
            map(json!({"Id": "001B", "Name": "Globex Corp"})),
        ];
        let layout = TableLayout::from_first_page(columns_of_page(&first), &first);
        assert_eq!(layout.widths, vec![4, 11]);
        assert_eq!(layout.header(), "Id    Name\n────  ───────────\n");
        assert_eq!(layout.row(&first[0]), "001A  Acme\n");
        let later = map(json!({"Id": "001C", "Name": "A much longer company name\twith tab"}));
        assert_eq!(layout.row(&later), "001C  A much lon…\n");
        let long = vec![map(json!({"Id": "x".repeat(100)}))];
        let layout = TableLayout::from_first_page(vec!["Id".into()], &long);
        assert_eq!(layout.widths, vec![MAX_COLUMN_WIDTH]);
    }

    #[test]
    fn numbers_and_durations() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(6000), "6,000");
        assert_eq!(group_thousands(100_000), "100,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        assert_eq!(human_duration(7199), "1h 59m 59s");
        assert_eq!(human_duration(65), "1m 05s");
        assert_eq!(human_duration(9), "9s");
        assert_eq!(human_duration(-1), "expired");
    }
}
