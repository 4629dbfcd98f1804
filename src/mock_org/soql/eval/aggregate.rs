//! Aggregate queries: `COUNT(field)`, `COUNT_DISTINCT`, `SUM`, `AVG`, `MIN`, `MAX`, with or
//! without `GROUP BY`. The records are `AggregateResult`s (`attributes` without `url`): the
//! grouped fields under their own names, then each aggregate under its alias or `exprN`.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::{Map, Number, Value, json};

use super::super::lex::malformed;
use super::super::parse::{Aggregate, Query, SelectItem};
use super::super::{FieldKind, SoqlError, SoqlSource};
use super::resolve::{Access, Resolver, invalid_field};
use super::{SortKey, compare_keys};

/// One column of an aggregate result.
#[derive(Debug)]
enum Column {
    /// A grouped field, under its name.
    Group { key: String, access: Access },
    /// An aggregate, under its alias or `exprN`.
    Function {
        key: String,
        function: Aggregate,
        access: Access,
    },
}

/// How to build the records of an aggregate query.
#[derive(Debug)]
pub(super) struct Plan {
    columns: Vec<Column>,
    /// GROUP BY, resolved.
    groups: Vec<Access>,
    /// ORDER BY: the index of the grouped field in `groups`, descending, nulls last.
    order: Vec<(usize, bool, bool)>,
}

/// The plan of `query` when it aggregates (an aggregate function or GROUP BY), else `None`.
pub(super) fn plan(soql: &str, query: &Query, r: &Resolver<'_>) -> Result<Option<Plan>, SoqlError> {
    let aggregates = query
        .select
        .iter()
        .any(|i| matches!(i, SelectItem::Aggregate { .. }));
    if !aggregates && query.group_by.is_empty() {
        return Ok(None);
    }
    let groups = query
        .group_by
        .iter()
        .map(|path| r.resolve(path))
        .collect::<Result<Vec<_>, _>>()?;
    let grouped = |access: &Access| groups.iter().position(|g| g.dotted() == access.dotted());
    let mut columns = Vec::with_capacity(query.select.len());
    let mut expr = 0;
    for item in &query.select {
        match item {
            SelectItem::Count { pos } => {
                return Err(malformed(soql, *pos, "unexpected token: COUNT"));
            }
            SelectItem::SubQuery { pos, .. } => {
                return Err(malformed(soql, *pos, "unexpected token: ("));
            }
            SelectItem::Field(path) => {
                let access = r.resolve(path)?;
                if grouped(&access).is_none() {
                    return Err(malformed(
                        soql,
                        path.pos,
                        &format!("Field must be grouped or aggregated: {}", access.info.name),
                    ));
                }
                columns.push(Column::Group {
                    key: access.info.name.clone(),
                    access,
                });
            }
            SelectItem::Aggregate {
                function,
                field,
                alias,
                ..
            } => {
                let access = r.resolve(field)?;
                let kind = access.info.kind;
                let fits = match function {
                    Aggregate::Count | Aggregate::CountDistinct => kind != FieldKind::Other,
                    Aggregate::Sum | Aggregate::Avg => kind == FieldKind::Number,
                    Aggregate::Min | Aggregate::Max => {
                        !matches!(kind, FieldKind::Boolean | FieldKind::Other)
                    }
                };
                if !fits {
                    return Err(invalid_field(
                        soql,
                        field.pos,
                        &format!(
                            "field {} does not support aggregate operator {}",
                            access.info.name,
                            function.name()
                        ),
                    ));
                }
                let key = match alias {
                    Some(alias) => alias.clone(),
                    None => {
                        expr += 1;
                        format!("expr{}", expr - 1)
                    }
                };
                columns.push(Column::Function {
                    key,
                    function: *function,
                    access,
                });
            }
        }
    }
    let mut order = Vec::with_capacity(query.order_by.len());
    for item in &query.order_by {
        let access = r.resolve(&item.field)?;
        let Some(index) = grouped(&access) else {
            return Err(malformed(
                soql,
                item.field.pos,
                &format!(
                    "Ordered field must be grouped or aggregated: {}",
                    access.info.name
                ),
            ));
        };
        order.push((index, item.descending, item.effective_nulls_last()));
    }
    Ok(Some(Plan {
        columns,
        groups,
        order,
    }))
}

/// The value of `access` on the row at `pos` (`Null` for none).
fn value(source: &dyn SoqlSource, object: &str, access: &Access, pos: u32) -> Value {
    access
        .get(source, object, pos)
        .map_or(Value::Null, |v| v.into_owned())
}

/// One aggregate over the non-null `values`.
fn compute(function: Aggregate, values: &[Value]) -> Value {
    let numbers = || values.iter().filter_map(Value::as_f64);
    match function {
        Aggregate::Count => json!(values.len()),
        Aggregate::CountDistinct => {
            let mut seen: Vec<String> = values.iter().map(Value::to_string).collect();
            seen.sort();
            seen.dedup();
            json!(seen.len())
        }
        Aggregate::Sum if values.is_empty() => Value::Null,
        Aggregate::Sum if values.iter().all(|v| v.is_i64() || v.is_u64()) => {
            json!(values.iter().filter_map(Value::as_i64).sum::<i64>())
        }
        Aggregate::Sum => Number::from_f64(numbers().sum()).map_or(Value::Null, Value::Number),
        Aggregate::Avg => {
            let n = numbers().count();
            if n == 0 {
                return Value::Null;
            }
            let avg = numbers().sum::<f64>() / n as f64;
            Number::from_f64(avg).map_or(Value::Null, Value::Number)
        }
        Aggregate::Min | Aggregate::Max => {
            let by_key = |a: &&Value, b: &&Value| {
                compare_keys(&SortKey::of(Some(a)), &SortKey::of(Some(b)), false, false)
            };
            let found = if function == Aggregate::Min {
                values.iter().min_by(by_key)
            } else {
                values.iter().max_by(by_key)
            };
            found.cloned().unwrap_or(Value::Null)
        }
    }
}

impl Plan {
    /// The records of `rows` (already filtered), grouped, ordered, then cut by OFFSET and
    /// LIMIT.
    pub(super) fn records(
        &self,
        source: &dyn SoqlSource,
        object: &str,
        rows: &[u32],
        (offset, limit): (usize, usize),
    ) -> Vec<Value> {
        // Groups in the order they are first met.
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut groups: Vec<(Vec<Value>, Vec<u32>)> = Vec::new();
        for &pos in rows {
            let key: Vec<Value> = self
                .groups
                .iter()
                .map(|g| value(source, object, g, pos))
                .collect();
            let text = serde_json::to_string(&key).unwrap_or_default();
            let at = *index.entry(text).or_insert_with(|| {
                groups.push((key, Vec::new()));
                groups.len() - 1
            });
            groups[at].1.push(pos);
        }
        // Without GROUP BY the whole result is one group, even when empty.
        if self.groups.is_empty() && groups.is_empty() {
            groups.push((Vec::new(), Vec::new()));
        }
        if !self.order.is_empty() {
            groups.sort_by(|(a, _), (b, _)| {
                for &(i, desc, nulls_last) in &self.order {
                    let ord = compare_keys(
                        &SortKey::of(a.get(i)),
                        &SortKey::of(b.get(i)),
                        desc,
                        nulls_last,
                    );
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                Ordering::Equal
            });
        }
        groups
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(key, members)| self.record(source, object, &key, &members))
            .collect()
    }

    fn record(
        &self,
        source: &dyn SoqlSource,
        object: &str,
        key: &[Value],
        members: &[u32],
    ) -> Value {
        let mut out = Map::new();
        out.insert("attributes".to_owned(), json!({"type": "AggregateResult"}));
        for column in &self.columns {
            match column {
                Column::Group { key: name, access } => {
                    let i = self
                        .groups
                        .iter()
                        .position(|g| g.dotted() == access.dotted());
                    let v = i.and_then(|i| key.get(i)).cloned().unwrap_or(Value::Null);
                    out.insert(name.clone(), v);
                }
                Column::Function {
                    key: name,
                    function,
                    access,
                } => {
                    let values: Vec<Value> = members
                        .iter()
                        .map(|&pos| value(source, object, access, pos))
                        .filter(|v| !v.is_null())
                        .collect();
                    out.insert(name.clone(), compute(*function, &values));
                }
            }
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_over_values() {
        let ints = [json!(3), json!(1), json!(3)];
        assert_eq!(compute(Aggregate::Count, &ints), json!(3));
        assert_eq!(compute(Aggregate::CountDistinct, &ints), json!(2));
        assert_eq!(compute(Aggregate::Sum, &ints), json!(7));
        assert_eq!(compute(Aggregate::Min, &ints), json!(1));
        assert_eq!(compute(Aggregate::Max, &ints), json!(3));
        let mixed = [json!(300.0), json!(100)];
        assert_eq!(compute(Aggregate::Sum, &mixed), json!(400.0));
        assert_eq!(compute(Aggregate::Avg, &mixed), json!(200.0));
        assert_eq!(compute(Aggregate::Sum, &[]), Value::Null);
        assert_eq!(compute(Aggregate::Avg, &[]), Value::Null);
        assert_eq!(compute(Aggregate::Count, &[]), json!(0));
        let text = [json!("b"), json!("A"), json!("c")];
        assert_eq!(compute(Aggregate::Min, &text), json!("A"));
        assert_eq!(compute(Aggregate::Max, &text), json!("c"));
    }
}
