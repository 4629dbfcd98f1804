//! SOQL text for the record lists: escaping, building a view's query, reading the position out
//! of Salesforce's error messages, and completions from describe.

use crate::sf::{FieldDescribe, SObjectDescribe};

/// Escapes text for a SOQL string literal: `\` and `'` get a backslash.
pub fn escape_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '\'' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes text for inside a LIKE pattern: the literal escapes plus `%` and `_` (wildcards).
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in escape_literal(text).chars() {
        if c == '%' || c == '_' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `Field LIKE '%text%'` with `text` escaped.
pub fn contains_condition(field: &str, text: &str) -> String {
    format!("{field} LIKE '%{}%'", escape_like(text))
}

/// Sort direction of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortDir {
    Asc,
    Desc,
}

impl SortDir {
    pub fn keyword(self) -> &'static str {
        match self {
            SortDir::Asc => "ASC",
            SortDir::Desc => "DESC",
        }
    }
}

/// The column of a child relationship's count: `COUNT(Contacts)`.
pub fn count_column(relationship: &str) -> String {
    format!("COUNT({relationship})")
}

/// The child relationship a count column counts (`COUNT(Contacts)` → `Contacts`).
pub fn child_count(column: &str) -> Option<&str> {
    let inner = column
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("COUNT("))
        .and_then(|_| column[6..].strip_suffix(')'))?;
    let name = !inner.is_empty() && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    name.then_some(inner)
}

/// `SELECT Id, <columns> FROM <object>[ WHERE <filter>][ ORDER BY <field> <dir>]`; a count
/// column becomes a subquery, `(SELECT Id FROM Contacts)`, whose `totalSize` is the count.
pub fn build_query(
    object: &str,
    columns: &[String],
    filter: Option<&str>,
    sort: Option<(&str, SortDir)>,
) -> String {
    let mut soql = String::from("SELECT Id");
    for column in columns.iter().filter(|c| !c.eq_ignore_ascii_case("Id")) {
        soql.push_str(", ");
        match child_count(column) {
            Some(relationship) => soql.push_str(&format!("(SELECT Id FROM {relationship})")),
            None => soql.push_str(column),
        }
    }
    soql.push_str(" FROM ");
    soql.push_str(object);
    if let Some(filter) = filter.map(str::trim).filter(|f| !f.is_empty()) {
        soql.push_str(" WHERE ");
        soql.push_str(filter);
    }
    if let Some((field, dir)) = sort {
        soql.push_str(&format!(" ORDER BY {field} {}", dir.keyword()));
        if dir == SortDir::Desc {
            soql.push_str(" NULLS LAST");
        }
    }
    soql
}

/// Whether a SOQL line is a whole query (starts with SELECT) rather than a WHERE clause.
pub fn is_full_query(line: &str) -> bool {
    line.trim_start()
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("select "))
}

/// A WHERE clause typed with or without the keyword.
pub fn strip_where(line: &str) -> &str {
    let t = line.trim();
    match t.get(..6) {
        Some(w) if w.eq_ignore_ascii_case("where ") => t[6..].trim_start(),
        _ => t,
    }
}

/// Whether a WHERE clause typed on the SOQL line goes on past its conditions (ORDER BY,
/// LIMIT, OFFSET, GROUP BY...), so it cannot be wrapped in `(...) AND ...`. Words inside
/// quotes may count too: the answer errs on the side of "yes".
pub fn has_clause_tail(clause: &str) -> bool {
    let upper = clause.to_ascii_uppercase();
    ["ORDER", "LIMIT", "OFFSET", "GROUP", "FOR", "WITH"]
        .iter()
        .any(|k| find_keyword(&upper, k, 0).is_some())
}

/// The SELECT list and the FROM object of a whole query (`None` when it has no FROM).
pub fn select_parts(soql: &str) -> Option<(Vec<String>, String)> {
    let upper = soql.to_ascii_uppercase();
    let select = upper.find("SELECT")? + 6;
    let from = find_keyword(&upper, "FROM", select)?;
    let mut columns = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in soql[select..from].chars() {
        match c {
            '(' => {
                depth += 1;
                current.push(c);
            }
            ')' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            ',' if depth == 0 => {
                columns.push(current.trim().to_owned());
                current.clear();
            }
            _ => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        columns.push(current.trim().to_owned());
    }
    let object = soql[from + 4..].split_whitespace().next()?.to_owned();
    Some((columns, object))
}

/// The byte offset of a whole-word keyword at or after `from` in an upper-cased text.
fn find_keyword(upper: &str, keyword: &str, from: usize) -> Option<usize> {
    let bytes = upper.as_bytes();
    let mut at = from;
    while let Some(i) = upper.get(at..)?.find(keyword) {
        let start = at + i;
        let end = start + keyword.len();
        let before = start == 0 || !is_word(bytes[start - 1]);
        let after = end >= bytes.len() || !is_word(bytes[end]);
        if before && after {
            return Some(start);
        }
        at = end;
    }
    None
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
}

/// Where a query error points: Salesforce writes `ERROR at Row:1:Column:35` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorPosition {
    pub row: usize,
    pub column: usize,
}

/// Reads `ERROR at Row:R:Column:C` out of an error message.
pub fn error_position(message: &str) -> Option<ErrorPosition> {
    let at = message.find("ERROR at Row:")?;
    let rest = &message[at + "ERROR at Row:".len()..];
    let (row, rest) = rest.split_once(":Column:")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some(ErrorPosition {
        row: row.trim().parse().ok()?,
        column: column.parse().ok()?,
    })
}

/// The readable part of a query error: the text after the `ERROR at ...` line (Salesforce
/// repeats the query and a caret before it), else the whole message on one line.
pub fn error_detail(message: &str) -> String {
    if let Some(at) = message.find("ERROR at Row:")
        && let Some((_, detail)) = message[at..].split_once('\n')
        && !detail.trim().is_empty()
    {
        return detail.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The select item that covers a 1-based column of a one-line query (`None` when the column is
/// outside the SELECT list).
pub fn column_at(soql: &str, column: usize) -> Option<String> {
    let upper = soql.to_ascii_uppercase();
    let select = upper.find("SELECT")? + 6;
    let from = find_keyword(&upper, "FROM", select)?;
    let at = column.checked_sub(1)?;
    if at < select || at >= from {
        return None;
    }
    let start = soql[..at].rfind(',').map_or(select, |i| i.max(select) + 1);
    let end = soql[at..from].find(',').map_or(from, |i| at + i);
    Some(soql[start..end].trim().to_owned()).filter(|s| !s.is_empty())
}

/// The SOQL keywords offered by completion.
const KEYWORDS: &[&str] = &[
    "AND",
    "OR",
    "NOT",
    "LIKE",
    "IN",
    "NULL",
    "TRUE",
    "FALSE",
    "ORDER BY",
    "LIMIT",
    "ASC",
    "DESC",
    "NULLS LAST",
    "WHERE",
    "FROM",
    "SELECT",
];

/// What completion needs to know besides the line: the view's object's describe, the
/// describes already fetched (for relationship paths) and the org's object names.
pub struct CompletionSource<'a> {
    pub describe: Option<&'a SObjectDescribe>,
    pub describe_of: &'a dyn Fn(&str) -> Option<&'a SObjectDescribe>,
    pub objects: &'a [String],
}

/// Suggestions for the word before the end of `line`: `(start byte of the word, candidates)`.
pub fn complete(line: &str, source: &CompletionSource<'_>) -> (usize, Vec<String>) {
    // Inside a string literal after `Field =` / `!=` / `IN (`: picklist values.
    let quotes = line.bytes().filter(|b| *b == b'\'').count() - line.matches("\\'").count();
    if quotes % 2 == 1 {
        let open = line.rfind('\'').unwrap_or(0);
        let prefix = &line[open + 1..];
        let values = value_field(&line[..open])
            .and_then(|name| field_for(name, source))
            .map(|f| {
                picklist(f, prefix)
                    .map(|v| format!("{}'", escape_literal(v)))
                    .collect()
            })
            .unwrap_or_default();
        return (open + 1, values);
    }
    let start = line
        .rfind(|c: char| c.is_whitespace() || c == ',' || c == '(')
        .map_or(0, |i| i + 1);
    let word = &line[start..];
    let previous = line[..start]
        .split_whitespace()
        .next_back()
        .unwrap_or("")
        .to_ascii_uppercase();
    if previous == "FROM" {
        let names = source
            .objects
            .iter()
            .filter(|o| starts_with_ci(o, word))
            .take(50)
            .cloned()
            .collect();
        return (start, names);
    }
    // A value right after `Field =` (or in `Field IN (...)`): the picklist values, quoted.
    if let Some(field) = value_field(&line[..start]).and_then(|name| field_for(name, source)) {
        let typed = word.trim_start_matches('\'');
        let mut values: Vec<String> = picklist(field, typed)
            .map(|v| format!("'{}'", escape_literal(v)))
            .collect();
        if field.field_type == "boolean" {
            values.extend(
                ["TRUE", "FALSE"]
                    .iter()
                    .filter(|k| starts_with_ci(k, typed))
                    .map(|k| (*k).to_owned()),
            );
        }
        if !typed.is_empty() && starts_with_ci("NULL", typed) {
            values.push("NULL".into());
        }
        return (start, values);
    }
    if let Some(dot) = word.rfind('.') {
        let path = &word[..dot];
        let prefix = &word[dot + 1..];
        let Some(target) = target_of_path(path, source) else {
            return (start, Vec::new());
        };
        let base = start + dot + 1;
        return (base, field_candidates(target, prefix));
    }
    let mut out = source
        .describe
        .map(|d| field_candidates(d, word))
        .unwrap_or_default();
    if !word.is_empty() {
        out.extend(
            KEYWORDS
                .iter()
                .filter(|k| starts_with_ci(k, word))
                .map(|k| (*k).to_owned()),
        );
    }
    (start, out)
}

/// The active picklist values of a field starting with `prefix`.
fn picklist<'a>(field: &'a FieldDescribe, prefix: &'a str) -> impl Iterator<Item = &'a str> {
    field
        .picklist_values
        .iter()
        .filter(|p| p.active)
        .map(|p| p.value.as_str())
        .filter(move |v| starts_with_ci(v, prefix))
}

/// The field whose value comes next after `before`: `Industry =`, `Industry != `,
/// `Industry IN (`, `Industry NOT IN ('Energy', ` → `Industry`; `None` where no value goes.
fn value_field(before: &str) -> Option<&str> {
    let mut text = before.trim_end();
    // In a list: the values already in it, back to its "(", then the list's operator.
    if text.ends_with(',') || text.ends_with('(') {
        while let Some(rest) = text.strip_suffix(',') {
            text = strip_value(rest.trim_end()).trim_end();
        }
        text = text.strip_suffix('(')?.trim_end();
        text = strip_word(text, &["NOT IN", "IN", "INCLUDES", "EXCLUDES"])?;
    } else {
        text = ["!=", "<>", "<=", ">=", "=", "<", ">"]
            .iter()
            .find_map(|op| text.strip_suffix(op))
            .or_else(|| strip_word(text, &["LIKE"]))?;
    }
    let field = text
        .trim_end()
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()?;
    let is_name = !field.is_empty()
        && field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    is_name.then_some(field)
}

/// `text` without one of the keywords (a whole word, any case) at its end.
fn strip_word<'a>(text: &'a str, keywords: &[&str]) -> Option<&'a str> {
    keywords.iter().find_map(|k| {
        let cut = text.len().checked_sub(k.len())?;
        let tail = text.get(cut..)?;
        let word_start = text[..cut].ends_with(|c: char| c.is_whitespace() || c == ')');
        (tail.eq_ignore_ascii_case(k) && word_start).then(|| &text[..cut])
    })
}

/// `text` without the value at its end (a quoted literal or a bare word).
fn strip_value(text: &str) -> &str {
    match text.strip_suffix('\'') {
        Some(inner) => inner.rfind('\'').map_or(inner, |open| &text[..open]),
        None => text.trim_end_matches(|c: char| !(c.is_whitespace() || c == ',' || c == '(')),
    }
}

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Field names and relationship names (with a trailing dot) of `describe` starting with `prefix`.
fn field_candidates(describe: &SObjectDescribe, prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = describe
        .fields
        .iter()
        .filter(|f| starts_with_ci(&f.name, prefix))
        .map(|f| f.name.clone())
        .collect();
    out.extend(
        describe
            .fields
            .iter()
            .filter_map(|f| f.relationship_name.as_ref())
            .filter(|r| starts_with_ci(r, prefix))
            .map(|r| format!("{r}.")),
    );
    out
}

/// The describe a relationship path (`Account`, `Account.Owner`) leads to, if fetched.
fn target_of_path<'a>(path: &str, source: &CompletionSource<'a>) -> Option<&'a SObjectDescribe> {
    walk_path(path, source)?.ok()
}

/// The object a relationship path at the end of `line` leads to whose describe is not fetched
/// yet (`Account.` on Contact without Account's describe): fetch it, and the next tab completes.
pub fn missing_describe(line: &str, source: &CompletionSource<'_>) -> Option<String> {
    let start = line
        .rfind(|c: char| c.is_whitespace() || c == ',' || c == '(')
        .map_or(0, |i| i + 1);
    let (path, _) = line[start..].rsplit_once('.')?;
    walk_path(path, source)?.err()
}

/// Follows a relationship path from the list's object: `Ok` with the describe it leads to, or
/// `Err` with the first object on the way whose describe is not fetched yet; `None` when a part
/// is not a relationship.
fn walk_path<'a>(
    path: &str,
    source: &CompletionSource<'a>,
) -> Option<Result<&'a SObjectDescribe, String>> {
    let mut current = source.describe?;
    for part in path.split('.') {
        let field = current.fields.iter().find(|f| {
            f.relationship_name
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(part))
        })?;
        let target = field.reference_to.first()?;
        match (source.describe_of)(target) {
            Some(next) => current = next,
            None => return Some(Err(target.clone())),
        }
    }
    Some(Ok(current))
}

fn field_for<'a>(name: &str, source: &CompletionSource<'a>) -> Option<&'a FieldDescribe> {
    match name.rsplit_once('.') {
        Some((path, field)) => target_of_path(path, source)?.field(field),
        None => source.describe?.field(name),
    }
}

/// The longest prefix (case-insensitive) shared by every candidate.
pub fn common_prefix(candidates: &[String]) -> String {
    let Some(first) = candidates.first() else {
        return String::new();
    };
    let mut len = first.len();
    for c in &candidates[1..] {
        len = len.min(
            first
                .chars()
                .zip(c.chars())
                .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
                .map(|(a, _)| a.len_utf8())
                .sum(),
        );
    }
    first[..len].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_escaping_covers_backslash_quote_percent_underscore() {
        assert_eq!(escape_like("O'Brien"), "O\\'Brien");
        assert_eq!(escape_like("100%"), "100\\%");
        assert_eq!(escape_like("a_b"), "a\\_b");
        assert_eq!(escape_like("c:\\tmp"), "c:\\\\tmp");
        assert_eq!(
            contains_condition("Name", "it's 50%_off\\"),
            "Name LIKE '%it\\'s 50\\%\\_off\\\\%'"
        );
        assert_eq!(escape_literal("50%"), "50%");
    }

    #[test]
    fn queries_are_built_with_filter_and_sort() {
        let cols = vec!["Name".to_owned(), "Industry".to_owned()];
        assert_eq!(
            build_query("Account", &cols, None, None),
            "SELECT Id, Name, Industry FROM Account"
        );
        assert_eq!(
            build_query(
                "Account",
                &cols,
                Some("Name LIKE '%a%'"),
                Some(("Name", SortDir::Desc))
            ),
            "SELECT Id, Name, Industry FROM Account WHERE Name LIKE '%a%' ORDER BY Name DESC NULLS LAST"
        );
    }

    #[test]
    fn parent_paths_and_child_counts_are_queried() {
        let cols: Vec<String> = ["Name", "Account.Owner.Name", "COUNT(Cases)"]
            .into_iter()
            .map(String::from)
            .collect();
        assert_eq!(
            build_query(
                "Contact",
                &cols,
                None,
                Some(("Account.Owner.Name", SortDir::Asc))
            ),
            "SELECT Id, Name, Account.Owner.Name, (SELECT Id FROM Cases) FROM Contact \
             ORDER BY Account.Owner.Name ASC"
        );
        assert_eq!(count_column("Contacts"), "COUNT(Contacts)");
        assert_eq!(child_count("COUNT(Contacts)"), Some("Contacts"));
        assert_eq!(child_count("count(My_Kids__r)"), Some("My_Kids__r"));
        assert_eq!(child_count("COUNT()"), None);
        assert_eq!(child_count("COUNT(a.b)"), None);
        assert_eq!(child_count("Account.Name"), None);
    }

    #[test]
    fn error_positions_and_details_are_read() {
        let message =
            "\nSELECT Id FRM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: FRM";
        assert_eq!(
            error_position(message),
            Some(ErrorPosition { row: 1, column: 11 })
        );
        assert_eq!(error_detail(message), "unexpected token: FRM");
        assert_eq!(error_position("no position"), None);
        let soql = "SELECT Id, Name, Owner.Name, LastModifiedDate FROM Account";
        assert_eq!(column_at(soql, 18).as_deref(), Some("Owner.Name"));
        assert_eq!(column_at(soql, 12).as_deref(), Some("Name"));
        assert_eq!(column_at(soql, 55), None);
    }

    #[test]
    fn select_lists_are_split() {
        let (cols, object) =
            select_parts("select Id, Name, Account.Name from Contact where Name like 'x'")
                .expect("parts");
        assert_eq!(cols, ["Id", "Name", "Account.Name"]);
        assert_eq!(object, "Contact");
        assert!(is_full_query("  SELECT Id FROM Lead"));
        assert!(!is_full_query("Name = 'x'"));
        assert_eq!(strip_where("where Name = 'x'"), "Name = 'x'");
    }

    #[test]
    fn common_prefix_is_case_insensitive() {
        let c = vec!["Industry".to_owned(), "IsDeleted".to_owned()];
        assert_eq!(common_prefix(&c), "I");
        assert_eq!(common_prefix(&["Name".to_owned()]), "Name");
    }
}
