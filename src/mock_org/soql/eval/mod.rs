//! Running a parsed [`Query`] over a [`SoqlSource`]: name resolution and checks (once per query),
//! then filtering, sorting (of row indices, keys extracted once) and building the records.
//!
//! The pipeline and sort keys are here; `resolve` (names and checks), `filter` (the WHERE
//! condition on a row), `output` (the [`Selection`] and its records) and `paths` (dotted paths
//! for Bulk results) beside it.

mod aggregate;
mod children;
mod filter;
mod output;
mod paths;
mod resolve;

pub use output::Selection;
pub use paths::PathReader;

use std::cmp::Ordering;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::Value;

use super::lex::{diagram, malformed};
use super::parse::{Query, SelectItem};
use super::{QueryOptions, SoqlError, SoqlSource};
use output::OutNode;
use resolve::{Access, Resolver, invalid_field};

/// Salesforce refuses larger OFFSETs.
const MAX_OFFSET: u64 = 2000;

/// Runs `query` (parsed from `soql`, used for error diagrams) with "today" taken from `now` (UTC).
pub(crate) fn run(
    soql: &str,
    query: &Query,
    source: &dyn SoqlSource,
    options: QueryOptions<'_>,
    now: Timestamp,
) -> Result<Selection, SoqlError> {
    let today = now.to_zoned_datetime(TimeZone::UTC).date();
    let object = source
        .object_name(&query.from.text)
        .ok_or_else(|| SoqlError {
            code: "INVALID_TYPE",
            message: diagram(
                soql,
                query.from.pos,
                &format!(
                    "sObject type '{}' is not supported. If you are attempting to use a custom \
                 object, be sure to append the '__c' after the entity name. Please reference \
                 your WSDL or the describe call for the appropriate names.",
                    query.from.text
                ),
            ),
        })?;
    let r = Resolver {
        soql,
        source,
        object: &object,
    };

    let aggregate = aggregate::plan(soql, query, &r)?;
    // SELECT (an aggregate query's columns are in its plan)
    let mut count_only = false;
    let mut output = OutNode::default();
    for item in query.select.iter().filter(|_| aggregate.is_none()) {
        match item {
            SelectItem::Aggregate { .. } => {}
            SelectItem::Count { pos } => {
                if query.select.len() > 1 {
                    return Err(malformed(soql, *pos, "unexpected token: COUNT"));
                }
                count_only = true;
            }
            SelectItem::Field(path) => {
                let access = r.resolve(path)?;
                if !output.insert(&access) {
                    return Err(malformed(
                        soql,
                        path.pos,
                        &format!("duplicate field selected: {}", access.dotted()),
                    ));
                }
            }
            SelectItem::SubQuery { query: sub, pos } => {
                let plan = children::plan(&r, sub, options.include_deleted, today)?;
                if !output.insert_children(plan) {
                    return Err(malformed(
                        soql,
                        *pos,
                        &format!("duplicate field selected: {}", sub.from.text),
                    ));
                }
            }
        }
    }
    // WHERE
    let filter = match &query.condition {
        Some(c) => Some(r.filter(c, today)?),
        None => None,
    };
    // ORDER BY (an aggregate query orders its groups)
    let order = if aggregate.is_none() {
        order_by(&r, &query.order_by)?
    } else {
        Vec::new()
    };
    if let Some(offset) = query.offset
        && offset > MAX_OFFSET
    {
        return Err(SoqlError {
            code: "MALFORMED_QUERY",
            message: format!("Maximum SOQL offset allowed is {MAX_OFFSET}"),
        });
    }

    // Filter.
    let mut rows: Vec<u32> = source
        .rows(&object)
        .filter(|&pos| options.include_deleted || !source.is_deleted(&object, pos))
        .filter(|&pos| {
            filter
                .as_ref()
                .is_none_or(|f| f.matches(source, &object, pos))
        })
        .collect();

    let offset = usize::try_from(query.offset.unwrap_or(0)).unwrap_or(usize::MAX);
    let limit = query
        .limit
        .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
    if let Some(plan) = aggregate {
        let records = plan.records(source, &object, &rows, (offset, limit));
        return Ok(Selection {
            total_size: records.len(),
            object,
            rows: Vec::new(),
            output,
            api_version: options.api_version.to_owned(),
            computed: Some(records),
        });
    }

    if !count_only {
        sort_positions(&mut rows, &order, source, &object);
    }

    let end = offset.saturating_add(limit).min(rows.len());
    rows.truncate(end);
    rows.drain(..offset.min(rows.len()));
    rows.shrink_to_fit();
    if count_only {
        return Ok(Selection {
            total_size: rows.len(),
            object,
            rows: Vec::new(),
            output,
            api_version: options.api_version.to_owned(),
            computed: None,
        });
    }
    Ok(Selection {
        total_size: rows.len(),
        object,
        rows,
        output,
        api_version: options.api_version.to_owned(),
        computed: None,
    })
}

/// ORDER BY resolved: each column's access, descending, nulls last.
type Order = Vec<(Access, bool, bool)>;

/// Resolves ORDER BY columns, refusing fields that cannot be sorted.
fn order_by(r: &Resolver<'_>, items: &[super::parse::OrderItem]) -> Result<Order, SoqlError> {
    let mut order = Vec::with_capacity(items.len());
    for item in items {
        let access = r.resolve(&item.field)?;
        if !access.info.sortable {
            return Err(invalid_field(
                r.soql,
                item.field.pos,
                &format!(
                    "field '{}' can not be sorted in a query call",
                    access.info.name
                ),
            ));
        }
        order.push((access, item.descending, item.effective_nulls_last()));
    }
    Ok(order)
}

/// Sorts row positions of `object` by `order`, keys extracted once per row (`sort_by` is
/// stable: rows equal on every key keep their order).
fn sort_positions(rows: &mut Vec<u32>, order: &Order, source: &dyn SoqlSource, object: &str) {
    if order.is_empty() {
        return;
    }
    let cols = order.len();
    let keys: Vec<SortKey> = rows
        .iter()
        .flat_map(|&pos| {
            order
                .iter()
                .map(move |(a, _, _)| SortKey::of(a.get(source, object, pos).as_deref()))
        })
        .collect();
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    idx.sort_by(|&a, &b| {
        for (col, (_, desc, nulls_last)) in order.iter().enumerate() {
            let ord = compare_keys(
                &keys[a * cols + col],
                &keys[b * cols + col],
                *desc,
                *nulls_last,
            );
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
    drop(keys);
    *rows = idx.into_iter().map(|i| rows[i]).collect();
}

/// A sort key extracted once per row.
#[derive(Debug, Clone, PartialEq)]
enum SortKey {
    Null,
    Bool(bool),
    Number(f64),
    /// Lower-cased text (ISO dates and datetimes sort correctly as text).
    Text(String),
}

impl SortKey {
    fn of(v: Option<&Value>) -> SortKey {
        match v {
            None | Some(Value::Null) => SortKey::Null,
            Some(Value::Bool(b)) => SortKey::Bool(*b),
            Some(Value::Number(n)) => SortKey::Number(n.as_f64().unwrap_or(0.0)),
            Some(Value::String(s)) => SortKey::Text(s.to_lowercase()),
            Some(other) => SortKey::Text(other.to_string().to_lowercase()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            SortKey::Null => 0,
            SortKey::Bool(_) => 1,
            SortKey::Number(_) => 2,
            SortKey::Text(_) => 3,
        }
    }
}

fn compare_keys(a: &SortKey, b: &SortKey, desc: bool, nulls_last: bool) -> Ordering {
    let ord = match (a, b) {
        (SortKey::Null, SortKey::Null) => return Ordering::Equal,
        (SortKey::Null, _) => {
            return if nulls_last {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        (_, SortKey::Null) => {
            return if nulls_last {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        (SortKey::Bool(x), SortKey::Bool(y)) => x.cmp(y),
        (SortKey::Number(x), SortKey::Number(y)) => x.total_cmp(y),
        (SortKey::Text(x), SortKey::Text(y)) => x.cmp(y),
        _ => a.rank().cmp(&b.rank()),
    };
    if desc { ord.reverse() } else { ord }
}
