//! `GET /search?q=` (SOSL), the subset real clients send: `FIND {term} [IN ALL|NAME|EMAIL|PHONE
//! FIELDS] [RETURNING Object[(fields [WHERE ...] [ORDER BY ...] [LIMIT n])], ...] [LIMIT n]`.
//!
//! Each returned object is searched with a SOQL query over its text fields (every word of the
//! term must occur in one of them, `*` and `?` are wildcards), so its records are written by
//! the same renderer as query results. Up to v36.0 the answer is the bare array of records;
//! from v37.0 it is `{"searchRecords": [...]}`. Without `RETURNING`, every searchable object
//! the user can see is searched and only `Id` is returned.

use axum::http::StatusCode;
use axum::response::Response;

use super::query::{Source, select};
use super::rest::{ApiError, Request};
use super::schema::{FieldMeta, ObjectSchema};
use super::state::{Shared, json_bytes_response};

/// The first version answering an object (`searchRecords`), not a bare array.
const SEARCH_RECORDS_SINCE: u32 = 37;

/// Records returned when the search gives no `LIMIT`.
const DEFAULT_LIMIT: usize = 2000;

fn malformed(message: &str) -> ApiError {
    ApiError::bad("MALFORMED_SEARCH", message)
}

/// Which fields a term is looked for in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    All,
    Name,
    Email,
    Phone,
}

impl Scope {
    fn covers(self, field: &FieldMeta) -> bool {
        let text = matches!(field.ftype.as_str(), "string" | "email" | "phone");
        text && field.filterable
            && match self {
                Scope::All => true,
                Scope::Name => field.name == "Name" || field.name.ends_with("Name"),
                Scope::Email => field.ftype == "email",
                Scope::Phone => field.ftype == "phone",
            }
    }
}

/// One `RETURNING` item: the object and what follows it in parentheses.
#[derive(Debug)]
struct Returning {
    object: String,
    /// `fields [WHERE ...] [ORDER BY ...] [LIMIT n]`, as written.
    clause: Option<String>,
}

/// A parsed search.
#[derive(Debug)]
struct Search {
    term: String,
    scope: Scope,
    returning: Vec<Returning>,
    limit: usize,
}

/// Splits `text` at the first top-level occurrence (outside quotes and parentheses) of the
/// keyword `word` (any case, whole word): `(before, after)`.
fn split_keyword<'a>(text: &'a str, word: &str) -> Option<(&'a str, &'a str)> {
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let (mut depth, mut quoted) = (0i32, false);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quoted => i += 1,
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            _ if !quoted && depth == 0 && lower[i..].starts_with(word) => {
                let before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
                let after = bytes
                    .get(i + word.len())
                    .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_');
                if before && after {
                    return Some((&text[..i], &text[i + word.len()..]));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn parse(q: &str) -> Result<Search, ApiError> {
    let no_term = || malformed("No search term found. The search term must be enclosed in braces.");
    let rest = q.trim_start();
    let rest = rest
        .get(..4)
        .filter(|f| f.eq_ignore_ascii_case("find"))
        .map(|_| rest[4..].trim_start())
        .ok_or_else(no_term)?;
    let rest = rest.strip_prefix('{').ok_or_else(no_term)?;
    let (term, mut rest) = rest.split_once('}').ok_or_else(no_term)?;
    if term.trim().is_empty() {
        return Err(no_term());
    }
    let mut limit = DEFAULT_LIMIT;
    if let Some((before, after)) = split_keyword(rest, "limit")
        && !after.contains(')')
    {
        limit = after
            .trim()
            .parse()
            .map_err(|_| malformed(&format!("unexpected token: '{}'", after.trim())))?;
        rest = before;
    }
    let (head, returning) = match split_keyword(rest, "returning") {
        Some((head, list)) => (head, Some(list)),
        None => (rest, None),
    };
    let words: Vec<String> = head
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    let scope = match words.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] | ["IN", "ALL", "FIELDS"] => Scope::All,
        ["IN", "NAME", "FIELDS"] => Scope::Name,
        ["IN", "EMAIL", "FIELDS"] => Scope::Email,
        ["IN", "PHONE", "FIELDS"] => Scope::Phone,
        _ => return Err(malformed(&format!("unexpected token: '{}'", head.trim()))),
    };
    let returning = match returning {
        None => Vec::new(),
        Some(list) => returning_items(list)?,
    };
    Ok(Search {
        term: term.trim().to_owned(),
        scope,
        returning,
        limit,
    })
}

/// `Account(Id, Name), Contact` → its items.
fn returning_items(list: &str) -> Result<Vec<Returning>, ApiError> {
    let mut items = Vec::new();
    let mut rest = list.trim();
    while !rest.is_empty() {
        let end = rest.find([',', '(']).unwrap_or(rest.len());
        let object = rest[..end].trim().to_owned();
        if object.is_empty() {
            return Err(malformed("unexpected token: ','"));
        }
        rest = &rest[end..];
        let mut clause = None;
        if let Some(inner) = rest.strip_prefix('(') {
            let close = inner
                .find(')')
                .ok_or_else(|| malformed("unexpected token: <EOF>"))?;
            clause = Some(inner[..close].trim().to_owned());
            rest = &inner[close + 1..];
        }
        items.push(Returning { object, clause });
        rest = rest.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    Ok(items)
}

/// The SOQL condition of `term` over `fields`: every word in one of them.
fn condition(term: &str, fields: &[&FieldMeta]) -> String {
    let words: Vec<String> = term
        .trim_matches('"')
        .split_whitespace()
        .map(|w| {
            let mut like = String::new();
            for c in w.chars() {
                match c {
                    '*' => like.push('%'),
                    '?' => like.push('_'),
                    '%' | '_' | '\'' | '\\' => {
                        like.push('\\');
                        like.push(c);
                    }
                    c => like.push(c),
                }
            }
            like
        })
        .collect();
    if words.is_empty() || fields.is_empty() {
        return "Id = null".to_owned();
    }
    let any_field = |w: &str| {
        let parts: Vec<String> = fields
            .iter()
            .map(|f| format!("{} LIKE '%{w}%'", f.name))
            .collect();
        format!("({})", parts.join(" OR "))
    };
    words
        .iter()
        .map(|w| any_field(w))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The SOQL that searches `object` for one `RETURNING` item.
fn soql(object: &ObjectSchema, search: &Search, clause: Option<&str>) -> String {
    let fields: Vec<&FieldMeta> = object
        .fields
        .iter()
        .filter(|f| search.scope.covers(f))
        .collect();
    let found = condition(&search.term, &fields);
    let clause = clause.unwrap_or("Id");
    let (select, tail) = match split_keyword(clause, "where") {
        Some((select, cond)) => {
            let (cond, tail) = match split_keyword(cond, "order") {
                Some((cond, order)) => (cond, format!(" ORDER{order}")),
                None => match split_keyword(cond, "limit") {
                    Some((cond, limit)) => (cond, format!(" LIMIT{limit}")),
                    None => (cond, String::new()),
                },
            };
            (
                select,
                format!(" WHERE ({found}) AND ({}){tail}", cond.trim()),
            )
        }
        None => match split_keyword(clause, "order") {
            Some((select, order)) => (select, format!(" WHERE {found} ORDER{order}")),
            None => match split_keyword(clause, "limit") {
                Some((select, limit)) => (select, format!(" WHERE {found} LIMIT{limit}")),
                None => (clause, format!(" WHERE {found}")),
            },
        },
    };
    format!("SELECT {} FROM {}{tail}", select.trim(), object.name)
}

/// `GET /search?q=`.
pub(crate) fn search(shared: &Shared, request: &Request<'_>) -> Result<Response, ApiError> {
    let q = request.param("q").unwrap_or_default();
    let search = parse(&q)?;
    let objects: Vec<(&ObjectSchema, Option<&str>)> = if search.returning.is_empty() {
        shared
            .schema
            .visible()
            .filter(|o| o.describe.searchable)
            .map(|o| (o, None))
            .collect()
    } else {
        search
            .returning
            .iter()
            .map(|r| {
                let object = shared.schema.object(&r.object).ok_or_else(|| {
                    ApiError::bad(
                        "INVALID_TYPE",
                        format!("sObject type '{}' is not supported.", r.object),
                    )
                })?;
                Ok((object, r.clause.as_deref()))
            })
            .collect::<Result<_, ApiError>>()?
    };
    let inner = shared.lock();
    let source = Source {
        schema: &shared.schema,
        inner: &inner,
    };
    let mut records = Vec::new();
    let mut left = search.limit;
    for (object, clause) in objects {
        let selection = select(
            shared,
            &inner,
            &soql(object, &search, clause),
            false,
            &request.version,
        )?;
        let take = selection.len().min(left);
        if take > 0 {
            if !records.is_empty() {
                records.push(b',');
            }
            selection.write_records(&source, 0..take, &mut records);
        }
        left -= take;
    }
    let major: u32 = request
        .version
        .split('.')
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = Vec::with_capacity(records.len() + 24);
    if major >= SEARCH_RECORDS_SINCE {
        body.extend_from_slice(b"{\"searchRecords\":[");
        body.extend_from_slice(&records);
        body.extend_from_slice(b"]}");
    } else {
        body.push(b'[');
        body.extend_from_slice(&records);
        body.push(b']');
    }
    Ok(json_bytes_response(StatusCode::OK, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_parse_into_term_scope_objects_and_limit() {
        let s = parse("FIND {Acme Corp} IN NAME FIELDS RETURNING Account(Id, Name WHERE Industry = 'Energy' LIMIT 5), Contact LIMIT 20").expect("parses");
        assert_eq!(s.term, "Acme Corp");
        assert_eq!(s.scope, Scope::Name);
        assert_eq!(s.limit, 20);
        let items: Vec<(&str, Option<&str>)> = s
            .returning
            .iter()
            .map(|r| (r.object.as_str(), r.clause.as_deref()))
            .collect();
        assert_eq!(
            items,
            [
                (
                    "Account",
                    Some("Id, Name WHERE Industry = 'Energy' LIMIT 5")
                ),
                ("Contact", None)
            ]
        );
        let s = parse("find {x*}").expect("parses");
        assert_eq!((s.scope, s.returning.len(), s.limit), (Scope::All, 0, 2000));
        for bad in [
            "FIND Acme",
            "FIND {}",
            "SELECT Id FROM Account",
            "FIND {Acme",
        ] {
            let e = parse(bad).expect_err(bad);
            assert_eq!(e.code, "MALFORMED_SEARCH", "{bad}");
        }
        assert!(parse("FIND {Acme} IN EVERY FIELD").is_err());
    }

    #[test]
    fn terms_become_like_conditions_with_wildcards_and_escapes() {
        let name = FieldMeta {
            name: "Name".into(),
            label: "Name".into(),
            ftype: "string".into(),
            length: 255,
            nillable: false,
            createable: true,
            updateable: true,
            defaulted_on_create: false,
            restricted_picklist: false,
            picklist: Vec::new(),
            picklist_default: None,
            reference_to: Vec::new(),
            relationship_name: None,
            filterable: true,
            sortable: true,
        };
        assert_eq!(
            condition("Ac*e 5%'s", &[&name]),
            "(Name LIKE '%Ac%e%') AND (Name LIKE '%5\\%\\'s%')"
        );
        assert_eq!(condition("x", &[]), "Id = null");
    }
}
