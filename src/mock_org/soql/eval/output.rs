//! The result of a query ([`Selection`]: matching rows and the projection) and writing its
//! records in Salesforce's JSON shape, fields resolved once per page ([`Plan`]).

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use super::super::{Columns, SoqlSource};
use super::children::ChildPlan;
use super::paths::PathReader;
use super::resolve::{Access, Hop};

/// The result of a query before its records are built: the matching rows' positions in result
/// order and the projection. Rendering a slice costs only that slice.
#[derive(Debug)]
pub struct Selection {
    pub(super) total_size: usize,
    pub(super) object: String,
    pub(super) rows: Vec<u32>,
    pub(super) output: OutNode,
    pub(super) api_version: String,
    /// The records of an aggregate query, computed when it ran (`rows` is then empty).
    pub(super) computed: Option<Vec<Value>>,
}

impl Selection {
    /// `totalSize`: all matching rows (after OFFSET and LIMIT), or the count for `COUNT()`.
    pub fn total_size(&self) -> usize {
        self.total_size
    }

    /// Number of records to return (0 for `COUNT()`).
    pub fn len(&self) -> usize {
        self.computed.as_ref().map_or(self.rows.len(), Vec::len)
    }

    /// Whether there are no records to return.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the records are `AggregateResult`s (an aggregate query), not rows.
    pub fn is_aggregate(&self) -> bool {
        self.computed.is_some()
    }

    /// The computed records of `range` (clamped), for an aggregate query.
    fn computed(&self, range: std::ops::Range<usize>) -> Option<&[Value]> {
        let records = self.computed.as_deref()?;
        let end = range.end.min(records.len());
        Some(&records[range.start.min(end)..end])
    }

    /// The queried sObject's canonical name.
    pub fn object(&self) -> &str {
        &self.object
    }

    /// The records of `range` (clamped to the result) in Salesforce's JSON shape, as
    /// [`super::QueryOutput::records`] describes. `source` must be the one the query ran on.
    /// Written by [`Selection::write_records`] and read back.
    pub fn records(&self, source: &dyn SoqlSource, range: std::ops::Range<usize>) -> Vec<Value> {
        if let Some(records) = self.computed(range.clone()) {
            return records.to_vec();
        }
        let mut plan = Plan::new(source, &self.output, &self.object, &self.api_version);
        let mut out = Vec::new();
        self.range(range)
            .iter()
            .map(|&pos| {
                out.clear();
                plan.write(pos, &mut out);
                serde_json::from_slice(&out).unwrap_or(Value::Null)
            })
            .collect()
    }

    /// Appends the records of `range` (clamped to the result) as JSON, separated by commas
    /// (the inside of a `records` array): the same records as [`Selection::records`], written
    /// straight from the source through [`SoqlSource::columns`] (fields resolved once).
    pub fn write_records(
        &self,
        source: &dyn SoqlSource,
        range: std::ops::Range<usize>,
        out: &mut Vec<u8>,
    ) {
        if let Some(records) = self.computed(range.clone()) {
            for (i, record) in records.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let _ = serde_json::to_writer(&mut *out, record);
            }
            return;
        }
        let mut plan = Plan::new(source, &self.output, &self.object, &self.api_version);
        for (i, &pos) in self.range(range).iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            plan.write(pos, out);
        }
    }

    /// Reads `paths` of this result's rows as JSON: field names and dotted paths through
    /// parents as the SELECT list wrote them (`Name`, `Account.Owner.Name`), matched without
    /// regard to case; the rows are the ones [`Selection::positions`] gives. Bulk API results
    /// read their CSV cells this way, straight from the source (fields resolved once).
    pub fn path_reader<'s>(&self, source: &'s dyn SoqlSource, paths: &[String]) -> PathReader<'s> {
        PathReader::new(source, &self.output, &self.object, paths)
    }

    /// The row positions of `range` (clamped to the result), in result order.
    pub fn positions(&self, range: std::ops::Range<usize>) -> &[u32] {
        self.range(range)
    }

    /// The positions of `range`, clamped to the result.
    pub(super) fn range(&self, range: std::ops::Range<usize>) -> &[u32] {
        let end = range.end.min(self.rows.len());
        let start = range.start.min(end);
        &self.rows[start..end]
    }

    /// [`Selection::records`] built as `Value`s field by field, as the engine did before the
    /// direct writer: the reference the writer is tested against.
    #[cfg(test)]
    pub(crate) fn records_by_value(
        &self,
        source: &dyn SoqlSource,
        range: std::ops::Range<usize>,
    ) -> Vec<Value> {
        if let Some(records) = self.computed(range.clone()) {
            return records.to_vec();
        }
        self.range(range)
            .iter()
            .map(|&pos| {
                self.output
                    .record(source, &self.object, pos, &self.api_version)
            })
            .collect()
    }
}

/// An [`OutNode`] prepared for writing records of one sObject: the fixed JSON (keys, the start
/// of `attributes`) rendered once and the fields resolved once through [`SoqlSource::columns`].
struct Plan<'s> {
    /// Column 0 is `Id`; the node's fields and reference fields follow.
    cols: Box<dyn Columns + 's>,
    /// `{"attributes":{"type":"<object>","url":"/services/data/v<api>/sobjects/<object>/`.
    head: Vec<u8>,
    items: Vec<PlanItem<'s>>,
    /// Scratch text for Ids read from the row.
    buf: String,
}

enum PlanItem<'s> {
    /// `,"<name>":` and the column of the field.
    Field { key: Vec<u8>, col: usize },
    /// `,"<relationship>":`, the column of the reference field and the parent's plan.
    Parent {
        key: Vec<u8>,
        col: usize,
        plan: Plan<'s>,
    },
    /// `,"<relationship>":`, the children of each parent (by its Id) and their plan.
    Children {
        key: Vec<u8>,
        children: &'s ChildPlan,
        by_parent: HashMap<String, Vec<u32>>,
        plan: Plan<'s>,
    },
}

impl<'s> Plan<'s> {
    pub(super) fn new(
        source: &'s dyn SoqlSource,
        node: &'s OutNode,
        object: &str,
        api: &str,
    ) -> Plan<'s> {
        use crate::mock_org::state::{push_json_str, push_json_str_contents};
        let mut names: Vec<&str> = vec!["Id"];
        let mut items = Vec::with_capacity(node.items.len());
        for item in &node.items {
            let mut key = vec![b','];
            let col = names.len();
            match item {
                OutItem::Field(name) => {
                    push_json_str(&mut key, name);
                    key.push(b':');
                    names.push(name);
                    items.push(PlanItem::Field { key, col });
                }
                OutItem::Parent { hop, node } => {
                    push_json_str(&mut key, &hop.relationship);
                    key.push(b':');
                    names.push(&hop.ref_field);
                    let plan = Plan::new(source, node, &hop.target, api);
                    items.push(PlanItem::Parent { key, col, plan });
                }
                OutItem::Children(children) => {
                    push_json_str(&mut key, &children.relationship);
                    key.push(b':');
                    items.push(PlanItem::Children {
                        key,
                        children,
                        by_parent: children.by_parent(source),
                        plan: Plan::new(source, &children.output, &children.object, api),
                    });
                }
            }
        }
        let cols = source
            .columns(object, &names)
            .unwrap_or_else(|| Box::new(ValueColumns::new(source, object, &names)));
        let mut head = b"{\"attributes\":{\"type\":".to_vec();
        push_json_str(&mut head, object);
        head.extend_from_slice(b",\"url\":\"");
        push_json_str_contents(
            &mut head,
            &format!("/services/data/v{api}/sobjects/{object}/"),
        );
        Plan {
            cols,
            head,
            items,
            buf: String::new(),
        }
    }

    /// Appends the record of the row at `pos`.
    fn write(&mut self, pos: u32, out: &mut Vec<u8>) {
        let Plan {
            cols,
            head,
            items,
            buf,
        } = self;
        cols.seek(pos);
        out.extend_from_slice(head);
        // No Id (or not text): the url ends with `/`, as before.
        cols.write_text(0, out);
        out.extend_from_slice(b"\"}");
        for item in items {
            match item {
                PlanItem::Field { key, col } => {
                    out.extend_from_slice(key);
                    cols.write_json(*col, out);
                }
                PlanItem::Parent { key, col, plan } => {
                    out.extend_from_slice(key);
                    let parent = cols.text(*col, buf).and_then(|id| plan.cols.find(id));
                    match parent {
                        Some(p) => plan.write(p, out),
                        None => out.extend_from_slice(b"null"),
                    }
                }
                PlanItem::Children {
                    key,
                    children,
                    by_parent,
                    plan,
                } => {
                    out.extend_from_slice(key);
                    let rows = cols
                        .text(0, buf)
                        .and_then(|id| by_parent.get(id))
                        .map_or(&[][..], |rows| children.page(rows));
                    write_children(rows, plan, out);
                }
            }
        }
        out.push(b'}');
    }
}

/// A subquery's result for one parent: `{"totalSize":N,"done":true,"records":[...]}`, or
/// `null` without children (as Salesforce answers).
fn write_children(rows: &[u32], plan: &mut Plan<'_>, out: &mut Vec<u8>) {
    if rows.is_empty() {
        out.extend_from_slice(b"null");
        return;
    }
    out.extend_from_slice(
        format!("{{\"totalSize\":{},\"done\":true,\"records\":[", rows.len()).as_bytes(),
    );
    for (i, &row) in rows.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        plan.write(row, out);
    }
    out.extend_from_slice(b"]}");
}

/// [`Columns`] through [`SoqlSource::value`] and [`SoqlSource::find`], for sources without a
/// reader of their own.
pub(super) struct ValueColumns<'s> {
    source: &'s dyn SoqlSource,
    object: String,
    fields: Vec<String>,
    pos: u32,
}

impl<'s> ValueColumns<'s> {
    pub(super) fn new(source: &'s dyn SoqlSource, object: &str, fields: &[&str]) -> Self {
        ValueColumns {
            source,
            object: object.to_owned(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            pos: 0,
        }
    }

    pub(super) fn value(&self, col: usize) -> Option<Cow<'s, Value>> {
        self.source
            .value(&self.object, self.pos, self.fields.get(col)?)
    }
}

impl Columns for ValueColumns<'_> {
    fn seek(&mut self, pos: u32) {
        self.pos = pos;
    }

    fn write_json(&self, col: usize, out: &mut Vec<u8>) {
        match self.value(col) {
            Some(v) => {
                if serde_json::to_writer(&mut *out, &*v).is_err() {
                    out.extend_from_slice(b"null");
                }
            }
            None => out.extend_from_slice(b"null"),
        }
    }

    fn text<'b>(&'b self, col: usize, buf: &'b mut String) -> Option<&'b str> {
        let value = self.value(col)?;
        buf.clear();
        buf.push_str(value.as_str()?);
        Some(buf.as_str())
    }

    fn find(&self, id: &str) -> Option<u32> {
        self.source.find(&self.object, id)
    }
}

/// The shape of the output records: fields and nested parents in SELECT order.
#[derive(Debug, Default)]
pub(super) struct OutNode {
    pub(super) items: Vec<OutItem>,
}

#[derive(Debug)]
pub(super) enum OutItem {
    Field(String),
    Parent {
        hop: Hop,
        node: OutNode,
    },
    /// A parent-to-child subquery.
    Children(Box<ChildPlan>),
}

impl OutNode {
    /// Adds a selected field; `false` if it was already selected.
    pub(super) fn insert(&mut self, access: &Access) -> bool {
        let mut node = self;
        for hop in &access.hops {
            let pos = node
                .items
                .iter()
                .position(|i| matches!(i, OutItem::Parent { hop: h, .. } if h == hop));
            let pos = match pos {
                Some(p) => p,
                None => {
                    node.items.push(OutItem::Parent {
                        hop: hop.clone(),
                        node: OutNode::default(),
                    });
                    node.items.len() - 1
                }
            };
            let OutItem::Parent { node: child, .. } = &mut node.items[pos] else {
                return false;
            };
            node = child;
        }
        let name = &access.info.name;
        if node
            .items
            .iter()
            .any(|i| matches!(i, OutItem::Field(f) if f == name))
        {
            return false;
        }
        node.items.push(OutItem::Field(name.clone()));
        true
    }

    /// Adds a subquery; `false` if one of the same relationship was already selected.
    pub(super) fn insert_children(&mut self, plan: ChildPlan) -> bool {
        let taken = self
            .items
            .iter()
            .any(|i| matches!(i, OutItem::Children(c) if c.relationship == plan.relationship));
        if !taken {
            self.items.push(OutItem::Children(Box::new(plan)));
        }
        !taken
    }

    /// The record for `row` of `object` in Salesforce's JSON shape, built as a `Value` (the
    /// reference for the direct writer, [`Plan`]).
    #[cfg(test)]
    fn record(&self, source: &dyn SoqlSource, object: &str, pos: u32, api: &str) -> Value {
        let mut map = serde_json::Map::new();
        let id = source.value(object, pos, "Id");
        let id = id.as_deref().and_then(Value::as_str).unwrap_or_default();
        let mut attributes = serde_json::Map::new();
        attributes.insert("type".into(), Value::String(object.to_string()));
        attributes.insert(
            "url".into(),
            Value::String(format!("/services/data/v{api}/sobjects/{object}/{id}")),
        );
        map.insert("attributes".into(), Value::Object(attributes));
        for item in &self.items {
            match item {
                OutItem::Field(name) => {
                    let value = source.value(object, pos, name);
                    map.insert(name.clone(), value.map_or(Value::Null, Cow::into_owned));
                }
                OutItem::Parent { hop, node } => {
                    let parent = source
                        .value(object, pos, &hop.ref_field)
                        .and_then(|pid| source.find(&hop.target, pid.as_str()?));
                    let value = match parent {
                        Some(p) => node.record(source, &hop.target, p, api),
                        None => Value::Null,
                    };
                    map.insert(hop.relationship.clone(), value);
                }
                OutItem::Children(children) => {
                    let by_parent = children.by_parent(source);
                    let rows = by_parent.get(id).map_or(&[][..], |r| children.page(r));
                    let value = if rows.is_empty() {
                        Value::Null
                    } else {
                        let records: Vec<Value> = rows
                            .iter()
                            .map(|&r| children.output.record(source, &children.object, r, api))
                            .collect();
                        serde_json::json!({"totalSize": rows.len(), "done": true, "records": records})
                    };
                    map.insert(children.relationship.clone(), value);
                }
            }
        }
        Value::Object(map)
    }
}
