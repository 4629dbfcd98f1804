//! Parent-to-child subqueries, `(SELECT LastName FROM Contacts WHERE ... ORDER BY ... LIMIT n)`:
//! resolved once per query ([`plan`]), and the children of the parents being written found
//! with one pass over the child object's rows ([`ChildPlan::by_parent`]).

use std::collections::HashMap;

use jiff::civil::Date;

use super::super::lex::{diagram, malformed};
use super::super::parse::{Query, SelectItem};
use super::super::{SoqlError, SoqlSource};
use super::filter::Filter;
use super::output::OutNode;
use super::resolve::Resolver;
use super::{Order, order_by, sort_positions};

/// A subquery, resolved against the child object.
#[derive(Debug)]
pub(super) struct ChildPlan {
    /// The relationship's name as the describe spells it: the record's key (`Contacts`).
    pub(super) relationship: String,
    /// The child sObject and its reference field to the parent.
    pub(super) object: String,
    field: String,
    /// The child records' fields (and their parents).
    pub(super) output: OutNode,
    filter: Option<Filter>,
    order: Order,
    offset: usize,
    limit: usize,
    include_deleted: bool,
}

/// Resolves subquery `sub` of the query `r` resolves names for.
pub(super) fn plan(
    r: &Resolver<'_>,
    sub: &Query,
    include_deleted: bool,
    today: Date,
) -> Result<ChildPlan, SoqlError> {
    let soql = r.soql;
    let child = r
        .source
        .child_relationship(r.object, &sub.from.text)
        .ok_or_else(|| SoqlError {
            code: "INVALID_TYPE",
            message: diagram(
                soql,
                sub.from.pos,
                &format!(
                    "Didn't understand relationship '{}' in FROM part of query call. If you are \
                     attempting to use a custom relationship, be sure to append the '__r' after \
                     the custom relationship name. Please reference your WSDL or the describe \
                     call for the appropriate names.",
                    sub.from.text
                ),
            ),
        })?;
    if let Some(first) = sub.group_by.first() {
        return Err(malformed(soql, first.pos, "unexpected token: GROUP"));
    }
    let cr = Resolver {
        soql,
        source: r.source,
        object: &child.object,
    };
    let mut output = OutNode::default();
    for item in &sub.select {
        match item {
            SelectItem::Field(path) => {
                let access = cr.resolve(path)?;
                if !output.insert(&access) {
                    return Err(malformed(
                        soql,
                        path.pos,
                        &format!("duplicate field selected: {}", access.dotted()),
                    ));
                }
            }
            SelectItem::Count { pos }
            | SelectItem::Aggregate { pos, .. }
            | SelectItem::SubQuery { pos, .. } => {
                return Err(malformed(soql, *pos, "unexpected token: ("));
            }
        }
    }
    let filter = match &sub.condition {
        Some(c) => Some(cr.filter(c, today)?),
        None => None,
    };
    let order = order_by(&cr, &sub.order_by)?;
    let count = |n: Option<u64>, default: usize| {
        n.map_or(default, |n| usize::try_from(n).unwrap_or(usize::MAX))
    };
    Ok(ChildPlan {
        relationship: child.relationship,
        object: child.object,
        field: child.field,
        output,
        filter,
        order,
        offset: count(sub.offset, 0),
        limit: count(sub.limit, usize::MAX),
        include_deleted,
    })
}

impl ChildPlan {
    /// The matching child rows, sorted, by their parent's Id (one pass over the child rows).
    pub(super) fn by_parent(&self, source: &dyn SoqlSource) -> HashMap<String, Vec<u32>> {
        let object = self.object.as_str();
        let mut rows: Vec<u32> = source
            .rows(object)
            .filter(|&pos| self.include_deleted || !source.is_deleted(object, pos))
            .filter(|&pos| {
                self.filter
                    .as_ref()
                    .is_none_or(|f| f.matches(source, object, pos))
            })
            .collect();
        sort_positions(&mut rows, &self.order, source, object);
        let mut out: HashMap<String, Vec<u32>> = HashMap::new();
        for pos in rows {
            let parent = source.value(object, pos, &self.field);
            if let Some(id) = parent.as_deref().and_then(|v| v.as_str()) {
                out.entry(id.to_owned()).or_default().push(pos);
            }
        }
        out
    }

    /// The children of one parent after OFFSET and LIMIT.
    pub(super) fn page<'a>(&self, children: &'a [u32]) -> &'a [u32] {
        let start = self.offset.min(children.len());
        let end = start.saturating_add(self.limit).min(children.len());
        &children[start..end]
    }
}
