//! Running a parsed [`Query`] over a [`SoqlSource`]: name resolution and checks (once per query),
//! then filtering, sorting (of row indices, keys extracted once) and building the records.

use std::borrow::Cow;
use std::cmp::Ordering;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use serde_json::Value;

use super::lex::{diagram, malformed};
use super::parse::{CompareOp, Condition, FieldPath, Literal, Query, RelativeDate, SelectItem};
use super::{Columns, FieldInfo, FieldKind, QueryOptions, SoqlError, SoqlSource};

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

    // SELECT
    let mut count_only = false;
    let mut output = OutNode::default();
    for item in &query.select {
        match item {
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
        }
    }
    // WHERE
    let filter = match &query.condition {
        Some(c) => Some(r.filter(c, today)?),
        None => None,
    };
    // ORDER BY
    let mut order = Vec::with_capacity(query.order_by.len());
    for item in &query.order_by {
        let access = r.resolve(&item.field)?;
        if !access.info.sortable {
            return Err(invalid_field(
                soql,
                item.field.pos,
                &format!(
                    "field '{}' can not be sorted in a query call",
                    access.info.name
                ),
            ));
        }
        order.push((access, item.descending, item.effective_nulls_last()));
    }
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

    // Sort positions by keys extracted once per row; `sort_by` is stable.
    if !order.is_empty() && !count_only {
        let cols = order.len();
        let object = object.as_str();
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
        rows = idx.into_iter().map(|i| rows[i]).collect();
    }

    let offset = usize::try_from(query.offset.unwrap_or(0)).unwrap_or(usize::MAX);
    let limit = query
        .limit
        .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
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
        });
    }
    Ok(Selection {
        total_size: rows.len(),
        object,
        rows,
        output,
        api_version: options.api_version.to_owned(),
    })
}

/// The result of a query before its records are built: the matching rows' positions in result
/// order and the projection. Rendering a slice costs only that slice.
#[derive(Debug)]
pub struct Selection {
    total_size: usize,
    object: String,
    rows: Vec<u32>,
    output: OutNode,
    api_version: String,
}

impl Selection {
    /// `totalSize`: all matching rows (after OFFSET and LIMIT), or the count for `COUNT()`.
    pub fn total_size(&self) -> usize {
        self.total_size
    }

    /// Number of records to return (0 for `COUNT()`).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there are no records to return.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The queried sObject's canonical name.
    pub fn object(&self) -> &str {
        &self.object
    }

    /// The records of `range` (clamped to the result) in Salesforce's JSON shape, as
    /// [`super::QueryOutput::records`] describes. `source` must be the one the query ran on.
    /// Written by [`Selection::write_records`] and read back.
    pub fn records(&self, source: &dyn SoqlSource, range: std::ops::Range<usize>) -> Vec<Value> {
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
    fn range(&self, range: std::ops::Range<usize>) -> &[u32] {
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
}

impl<'s> Plan<'s> {
    fn new(source: &'s dyn SoqlSource, node: &OutNode, object: &str, api: &str) -> Plan<'s> {
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
            }
        }
        out.push(b'}');
    }
}

/// Dotted field paths of result rows, read as JSON: see [`Selection::path_reader`].
pub struct PathReader<'s> {
    /// The queried object's reader first, then one per parent the paths pass through, each
    /// after the node it is reached from.
    nodes: Vec<PathNode<'s>>,
    /// Per path: its node and its column there; `None` when the path names no selected field.
    cells: Vec<Option<(usize, usize)>>,
    /// Scratch text for Ids read from a row.
    buf: String,
}

struct PathNode<'s> {
    cols: Box<dyn Columns + 's>,
    /// The node this parent is reached from and the column of its reference field there.
    from: Option<(usize, usize)>,
    /// Whether the current row has this node (a parent may be null or gone).
    present: bool,
}

impl<'s> PathReader<'s> {
    fn new(source: &'s dyn SoqlSource, output: &OutNode, object: &str, paths: &[String]) -> Self {
        struct Draft<'o> {
            object: String,
            names: Vec<String>,
            from: Option<(usize, usize)>,
            relationship: String,
            shape: &'o OutNode,
        }
        fn column(names: &mut Vec<String>, name: &str) -> usize {
            names.iter().position(|n| n == name).unwrap_or_else(|| {
                names.push(name.to_owned());
                names.len() - 1
            })
        }
        let mut drafts = vec![Draft {
            object: object.to_owned(),
            names: Vec::new(),
            from: None,
            relationship: String::new(),
            shape: output,
        }];
        let mut resolve = |path: &str| -> Option<(usize, usize)> {
            let mut at = 0;
            let mut parts = path.split('.').peekable();
            while let Some(part) = parts.next() {
                let shape = drafts[at].shape;
                if parts.peek().is_none() {
                    let name = shape.items.iter().find_map(|item| match item {
                        OutItem::Field(name) if name.eq_ignore_ascii_case(part) => Some(name),
                        _ => None,
                    })?;
                    return Some((at, column(&mut drafts[at].names, name)));
                }
                let (hop, node) = shape.items.iter().find_map(|item| match item {
                    OutItem::Parent { hop, node }
                        if hop.relationship.eq_ignore_ascii_case(part) =>
                    {
                        Some((hop, node))
                    }
                    _ => None,
                })?;
                let known = drafts.iter().position(|d| {
                    d.from.is_some_and(|(node, _)| node == at) && d.relationship == hop.relationship
                });
                at = match known {
                    Some(known) => known,
                    None => {
                        let col = column(&mut drafts[at].names, &hop.ref_field);
                        drafts.push(Draft {
                            object: hop.target.clone(),
                            names: Vec::new(),
                            from: Some((at, col)),
                            relationship: hop.relationship.clone(),
                            shape: node,
                        });
                        drafts.len() - 1
                    }
                };
            }
            None
        };
        let cells = paths.iter().map(|path| resolve(path)).collect();
        let nodes = drafts
            .into_iter()
            .map(|draft| {
                let names: Vec<&str> = draft.names.iter().map(String::as_str).collect();
                let cols = source
                    .columns(&draft.object, &names)
                    .unwrap_or_else(|| Box::new(ValueColumns::new(source, &draft.object, &names)));
                PathNode {
                    cols,
                    from: draft.from,
                    present: false,
                }
            })
            .collect();
        PathReader {
            nodes,
            cells,
            buf: String::new(),
        }
    }

    /// Moves to the row at `pos` (and to its parents).
    pub fn seek(&mut self, pos: u32) {
        for k in 0..self.nodes.len() {
            let (before, rest) = self.nodes.split_at_mut(k);
            let node = &mut rest[0];
            let row = match node.from {
                None => Some(pos),
                Some((from, col)) if before[from].present => before[from]
                    .cols
                    .text(col, &mut self.buf)
                    .and_then(|id| node.cols.find(id)),
                Some(_) => None,
            };
            node.present = row.is_some();
            if let Some(row) = row {
                node.cols.seek(row);
            }
        }
    }

    /// Path `path` (an index into the paths the reader was made for) of the current row when it
    /// is text; `None` for null, other JSON, a parent on the way null or gone, or a path that
    /// names no selected field. `buf` may hold it.
    pub fn text<'b>(&'b self, path: usize, buf: &'b mut String) -> Option<&'b str> {
        let (node, col) = self.cell(path)?;
        self.nodes[node].cols.text(col, buf)
    }

    /// Appends the JSON of path `path` of the current row; `false` (nothing written) when a
    /// parent on the way is null or gone, or the path names no selected field.
    pub fn write_json(&self, path: usize, out: &mut Vec<u8>) -> bool {
        let Some((node, col)) = self.cell(path) else {
            return false;
        };
        self.nodes[node].cols.write_json(col, out);
        true
    }

    /// The node and column of path `path`, when the current row has its node.
    fn cell(&self, path: usize) -> Option<(usize, usize)> {
        self.cells
            .get(path)
            .copied()
            .flatten()
            .filter(|&(node, _)| self.nodes[node].present)
    }
}

/// [`Columns`] through [`SoqlSource::value`] and [`SoqlSource::find`], for sources without a
/// reader of their own.
struct ValueColumns<'s> {
    source: &'s dyn SoqlSource,
    object: String,
    fields: Vec<String>,
    pos: u32,
}

impl<'s> ValueColumns<'s> {
    fn new(source: &'s dyn SoqlSource, object: &str, fields: &[&str]) -> Self {
        ValueColumns {
            source,
            object: object.to_owned(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            pos: 0,
        }
    }

    fn value(&self, col: usize) -> Option<Cow<'s, Value>> {
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

fn invalid_field(soql: &str, pos: usize, detail: &str) -> SoqlError {
    SoqlError {
        code: "INVALID_FIELD",
        message: diagram(soql, pos, detail),
    }
}

/// One step through a lookup: the reference field on the current row, the parent object and
/// the relationship name used as the key in the output.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hop {
    ref_field: String,
    target: String,
    relationship: String,
}

/// A resolved field path: lookups to follow, then the field.
#[derive(Debug, Clone)]
struct Access {
    hops: Vec<Hop>,
    info: FieldInfo,
}

impl Access {
    /// The value on `row`, following lookups; `None` for null, missing or an empty lookup.
    fn get<'s>(
        &self,
        source: &'s dyn SoqlSource,
        object: &str,
        pos: u32,
    ) -> Option<Cow<'s, Value>> {
        let mut cur = (object, pos);
        for hop in &self.hops {
            let id = source.value(cur.0, cur.1, &hop.ref_field)?;
            let parent = source.find(&hop.target, id.as_str()?)?;
            cur = (&hop.target, parent);
        }
        source
            .value(cur.0, cur.1, &self.info.name)
            .filter(|v| !v.is_null())
    }

    /// The canonical dotted path (`Account.Owner.Name`).
    fn dotted(&self) -> String {
        let mut s = String::new();
        for hop in &self.hops {
            s.push_str(&hop.relationship);
            s.push('.');
        }
        s.push_str(&self.info.name);
        s
    }
}

/// Resolves names of one query against the source.
struct Resolver<'a> {
    soql: &'a str,
    source: &'a dyn SoqlSource,
    object: &'a str,
}

impl Resolver<'_> {
    fn resolve(&self, path: &FieldPath) -> Result<Access, SoqlError> {
        let mut object = self.object.to_string();
        let mut hops = Vec::new();
        let (last, rels) = path
            .parts
            .split_last()
            .ok_or_else(|| malformed(self.soql, path.pos, "unexpected token: <EOF>"))?;
        for rel in rels {
            let found = self.source.relationship(&object, rel).and_then(|info| {
                let (relationship, target) = info.relationship?;
                let target = self.source.object_name(&target).unwrap_or(target);
                Some(Hop {
                    ref_field: info.name,
                    target,
                    relationship,
                })
            });
            let Some(hop) = found else {
                return Err(invalid_field(
                    self.soql,
                    path.pos,
                    &format!(
                        "Didn't understand relationship '{rel}' in field path. If you are \
                         attempting to use a custom relationship, be sure to append the '__r' \
                         after the custom relationship name. Please reference your WSDL or the \
                         describe call for the appropriate names."
                    ),
                ));
            };
            object = hop.target.clone();
            hops.push(hop);
        }
        let info = match self.source.field(&object, last) {
            Some(info) => info,
            None if last.eq_ignore_ascii_case("Id") => FieldInfo {
                name: "Id".to_string(),
                kind: FieldKind::Text,
                filterable: true,
                sortable: true,
                relationship: None,
            },
            None => {
                return Err(invalid_field(
                    self.soql,
                    path.pos,
                    &format!(
                        "No such column '{last}' on entity '{object}'. If you are attempting to \
                         use a custom field, be sure to append the '__c' after the custom field \
                         name. Please reference your WSDL or the describe call for the \
                         appropriate names."
                    ),
                ));
            }
        };
        Ok(Access { hops, info })
    }

    fn filter(&self, cond: &Condition, today: Date) -> Result<Filter, SoqlError> {
        Ok(match cond {
            Condition::And(a, b) => Filter::And(
                Box::new(self.filter(a, today)?),
                Box::new(self.filter(b, today)?),
            ),
            Condition::Or(a, b) => Filter::Or(
                Box::new(self.filter(a, today)?),
                Box::new(self.filter(b, today)?),
            ),
            Condition::Not(a) => Filter::Not(Box::new(self.filter(a, today)?)),
            Condition::Compare { field, op, value } => {
                let access = self.filterable(field)?;
                let operand = if *op == CompareOp::Like {
                    self.like_operand(field, &access, value)?
                } else {
                    self.operand(field, &access, value, today)?
                };
                Filter::Compare {
                    access,
                    op: *op,
                    operand,
                }
            }
            Condition::In {
                field,
                negated,
                values,
            } => {
                let access = self.filterable(field)?;
                let operands = values
                    .iter()
                    .map(|v| self.operand(field, &access, v, today))
                    .collect::<Result<Vec<_>, _>>()?;
                Filter::In {
                    access,
                    negated: *negated,
                    operands,
                }
            }
        })
    }

    fn filterable(&self, path: &FieldPath) -> Result<Access, SoqlError> {
        let access = self.resolve(path)?;
        if !access.info.filterable {
            return Err(invalid_field(
                self.soql,
                path.pos,
                &format!(
                    "field '{}' can not be filtered in a query call",
                    access.info.name
                ),
            ));
        }
        Ok(access)
    }

    fn like_operand(
        &self,
        path: &FieldPath,
        access: &Access,
        value: &Literal,
    ) -> Result<Operand, SoqlError> {
        if !matches!(access.info.kind, FieldKind::Text | FieldKind::Other) {
            return Err(invalid_field(
                self.soql,
                path.pos,
                &format!(
                    "invalid operator on field '{}': LIKE can only be used with string fields",
                    access.info.name
                ),
            ));
        }
        match value {
            Literal::String(s) => Ok(Operand::Like(LikePattern::new(s))),
            Literal::Null => Ok(Operand::Null),
            _ => Err(self.mismatch(path, access)),
        }
    }

    /// The literal converted for comparisons with the field, or Salesforce's type error.
    fn operand(
        &self,
        path: &FieldPath,
        access: &Access,
        value: &Literal,
        today: Date,
    ) -> Result<Operand, SoqlError> {
        let info = &access.info;
        let operand = match (info.kind, value) {
            (_, Literal::Null) => Operand::Null,
            (FieldKind::Text | FieldKind::Other, Literal::String(s)) => {
                let is_id = info.name == "Id" || info.relationship.is_some();
                if is_id && s.len() == 15 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    Operand::Id15(s.clone())
                } else {
                    Operand::Text(s.to_lowercase())
                }
            }
            (FieldKind::Number, Literal::Number(n)) => Operand::Number(*n),
            (FieldKind::Boolean, Literal::Boolean(b)) => Operand::Bool(*b),
            (FieldKind::Date | FieldKind::DateTime, Literal::Date(d)) => {
                Operand::Days(d.to_string(), d.to_string())
            }
            (FieldKind::Date | FieldKind::DateTime, Literal::Relative(rel)) => {
                let (start, end) = relative_range(*rel, today)
                    .ok_or_else(|| malformed(self.soql, path.pos, "date literal out of range"))?;
                Operand::Days(start.to_string(), end.to_string())
            }
            (FieldKind::DateTime, Literal::DateTime(ts)) => Operand::Instant(instant_key(*ts)),
            _ => return Err(self.mismatch(path, access)),
        };
        Ok(operand)
    }

    fn mismatch(&self, path: &FieldPath, access: &Access) -> SoqlError {
        let (ty, quotes) = match access.info.kind {
            FieldKind::Text | FieldKind::Other => ("string", "should be enclosed in quotes"),
            FieldKind::Boolean => ("boolean", "should not be enclosed in quotes"),
            FieldKind::Number => ("double", "should not be enclosed in quotes"),
            FieldKind::Date => ("date", "should not be enclosed in quotes"),
            FieldKind::DateTime => ("dateTime", "should not be enclosed in quotes"),
        };
        invalid_field(
            self.soql,
            path.pos,
            &format!(
                "value of filter criterion for field '{}' must be of type {ty} and {quotes}",
                access.info.name
            ),
        )
    }
}

/// First and last day (inclusive) of a relative date literal.
fn relative_range(rel: RelativeDate, today: Date) -> Option<(Date, Date)> {
    let days = |n: i64| Span::new().try_days(n).ok();
    let shift = |n: i64| today.checked_add(days(n)?).ok();
    Some(match rel {
        RelativeDate::Today => (today, today),
        RelativeDate::Yesterday => (shift(-1)?, shift(-1)?),
        RelativeDate::Tomorrow => (shift(1)?, shift(1)?),
        RelativeDate::LastNDays(n) => (shift(-i64::from(n))?, today),
        RelativeDate::NextNDays(n) => (shift(1)?, shift(i64::from(n))?),
        RelativeDate::ThisMonth => (today.first_of_month(), today.last_of_month()),
        RelativeDate::LastMonth => {
            let last = today.first_of_month().yesterday().ok()?;
            (last.first_of_month(), last)
        }
        RelativeDate::ThisYear => (today.first_of_year(), today.last_of_year()),
    })
}

/// A UTC instant as `YYYY-MM-DDTHH:MM:SS.sss`, which sorts like the instant.
fn instant_key(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3f").to_string()
}

/// A stored datetime (`2024-01-31T10:00:00.000+0000`, other offsets tolerated) as an
/// [`instant_key`].
fn stored_instant(s: &str) -> Option<Cow<'_, str>> {
    let b = s.as_bytes();
    if b.len() == 28 && b[10] == b'T' && b[19] == b'.' && s.ends_with("+0000") {
        return Some(Cow::Borrowed(&s[..23]));
    }
    let ts = jiff::fmt::strtime::parse("%Y-%m-%dT%H:%M:%S%.f%z", s)
        .and_then(|t| t.to_timestamp())
        .ok()
        .or_else(|| s.parse::<Timestamp>().ok())?;
    Some(Cow::Owned(instant_key(ts)))
}

/// The UTC day (`YYYY-MM-DD`) of a stored date or datetime.
fn stored_day(s: &str) -> Option<Cow<'_, str>> {
    if s.len() == 10 {
        return Some(Cow::Borrowed(s));
    }
    match stored_instant(s)? {
        Cow::Borrowed(k) => Some(Cow::Borrowed(&k[..10])),
        Cow::Owned(k) => Some(Cow::Owned(k[..10].to_string())),
    }
}

/// A literal prepared for comparison with one field.
#[derive(Debug, Clone)]
enum Operand {
    Null,
    /// Lower-cased text.
    Text(String),
    /// A 15-character Id: matches the first 15 characters of stored Ids, case-sensitively.
    Id15(String),
    Like(LikePattern),
    Number(f64),
    Bool(bool),
    /// An inclusive range of UTC days, `YYYY-MM-DD`.
    Days(String, String),
    /// An [`instant_key`].
    Instant(String),
}

/// The compiled WHERE condition.
#[derive(Debug, Clone)]
enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Compare {
        access: Access,
        op: CompareOp,
        operand: Operand,
    },
    In {
        access: Access,
        negated: bool,
        operands: Vec<Operand>,
    },
}

impl Filter {
    fn matches(&self, source: &dyn SoqlSource, object: &str, pos: u32) -> bool {
        match self {
            Filter::And(a, b) => a.matches(source, object, pos) && b.matches(source, object, pos),
            Filter::Or(a, b) => a.matches(source, object, pos) || b.matches(source, object, pos),
            Filter::Not(a) => !a.matches(source, object, pos),
            Filter::Compare {
                access,
                op,
                operand,
            } => {
                let value = access.get(source, object, pos);
                let value = value.as_deref();
                match op {
                    CompareOp::Eq => equals(value, operand),
                    CompareOp::Ne => !equals(value, operand),
                    CompareOp::Like => match (value, operand) {
                        (Some(v), Operand::Like(p)) => p.matches(&text_of(v)),
                        (None, Operand::Null) => true,
                        _ => false,
                    },
                    CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge => {
                        value.is_some_and(|v| ordered(v, *op, operand))
                    }
                }
            }
            Filter::In {
                access,
                negated,
                operands,
            } => {
                let value = access.get(source, object, pos);
                let value = value.as_deref();
                operands.iter().any(|o| equals(value, o)) != *negated
            }
        }
    }
}

/// A stored value as text (strings as they are, other JSON as printed).
fn text_of(v: &Value) -> Cow<'_, str> {
    match v {
        Value::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
    }
}

/// Case-insensitive comparison of `a` with already lower-cased `lower`.
fn cmp_ci(a: &str, lower: &str) -> Ordering {
    a.chars().flat_map(char::to_lowercase).cmp(lower.chars())
}

fn equals(value: Option<&Value>, operand: &Operand) -> bool {
    let Some(v) = value else {
        return matches!(operand, Operand::Null);
    };
    match operand {
        Operand::Null | Operand::Like(_) => false,
        Operand::Text(t) => {
            let s = text_of(v);
            if s.is_ascii() && t.is_ascii() {
                s.eq_ignore_ascii_case(t)
            } else {
                cmp_ci(&s, t) == Ordering::Equal
            }
        }
        Operand::Id15(id) => v.as_str().is_some_and(|s| s.get(..15) == Some(id.as_str())),
        Operand::Number(n) => v.as_f64() == Some(*n),
        Operand::Bool(b) => v.as_bool() == Some(*b),
        Operand::Days(start, end) => v
            .as_str()
            .and_then(stored_day)
            .is_some_and(|d| *d >= **start && *d <= **end),
        Operand::Instant(k) => v
            .as_str()
            .and_then(stored_instant)
            .is_some_and(|s| *s == **k),
    }
}

/// `value op operand` for the ordering operators (value not null).
fn ordered(v: &Value, op: CompareOp, operand: &Operand) -> bool {
    let ord = match operand {
        Operand::Null | Operand::Like(_) => return false,
        Operand::Days(start, end) => {
            let Some(day) = v.as_str().and_then(stored_day) else {
                return false;
            };
            return match op {
                CompareOp::Lt => *day < **start,
                CompareOp::Le => *day <= **end,
                CompareOp::Gt => *day > **end,
                CompareOp::Ge => *day >= **start,
                _ => false,
            };
        }
        Operand::Text(t) => cmp_ci(&text_of(v), t),
        Operand::Id15(id) => {
            let s = text_of(v);
            s.get(..15).unwrap_or(&s).cmp(id.as_str())
        }
        Operand::Number(n) => match v.as_f64().and_then(|x| x.partial_cmp(n)) {
            Some(o) => o,
            None => return false,
        },
        Operand::Bool(b) => match v.as_bool() {
            Some(x) => x.cmp(b),
            None => return false,
        },
        Operand::Instant(k) => match v.as_str().and_then(stored_instant) {
            Some(s) => (*s).cmp(k.as_str()),
            None => return false,
        },
    };
    match op {
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        _ => false,
    }
}

/// A LIKE pattern: `%` any run, `_` one character, `\%` / `\_` literal; case-insensitive.
#[derive(Debug, Clone)]
struct LikePattern(Vec<LikeToken>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LikeToken {
    Char(char),
    One,
    Many,
}

impl LikePattern {
    fn new(pattern: &str) -> Self {
        let mut out = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            match c {
                '%' => out.push(LikeToken::Many),
                '_' => out.push(LikeToken::One),
                '\\' => match chars.next() {
                    Some(e) => out.extend(e.to_lowercase().map(LikeToken::Char)),
                    None => out.push(LikeToken::Char('\\')),
                },
                c => out.extend(c.to_lowercase().map(LikeToken::Char)),
            }
        }
        LikePattern(out)
    }

    /// Wildcard matching with one backtrack point (linear for patterns without `%`).
    fn matches(&self, text: &str) -> bool {
        let s: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
        let p = &self.0;
        let (mut si, mut pi) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while si < s.len() {
            match p.get(pi) {
                Some(LikeToken::Many) => {
                    star = Some((pi, si));
                    pi += 1;
                }
                Some(LikeToken::One) => {
                    si += 1;
                    pi += 1;
                }
                Some(LikeToken::Char(c)) if *c == s[si] => {
                    si += 1;
                    pi += 1;
                }
                _ => match star {
                    Some((sp, ss)) => {
                        pi = sp + 1;
                        si = ss + 1;
                        star = Some((sp, ss + 1));
                    }
                    None => return false,
                },
            }
        }
        p[pi.min(p.len())..].iter().all(|t| *t == LikeToken::Many)
    }
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

/// The shape of the output records: fields and nested parents in SELECT order.
#[derive(Debug, Default)]
struct OutNode {
    items: Vec<OutItem>,
}

#[derive(Debug)]
enum OutItem {
    Field(String),
    Parent { hop: Hop, node: OutNode },
}

impl OutNode {
    /// Adds a selected field; `false` if it was already selected.
    fn insert(&mut self, access: &Access) -> bool {
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
            }
        }
        Value::Object(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_matching() {
        let m = |p: &str, t: &str| LikePattern::new(p).matches(t);
        assert!(m("%a%b", "xxAaB"));
        assert!(m("a%b%c", "abbbcbc"));
        assert!(!m("a%b%c", "abbbcb"));
        assert!(m("_%_", "ab"));
        assert!(!m("_%_", "a"));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("%", ""));
        assert!(m("100\\%", "100%"));
        assert!(!m("100\\%", "1000"));
        assert!(m("ÉCO%", "école"));
        assert!(m("a\\", "a\\"));
    }

    #[test]
    fn relative_ranges() {
        let d = |s: &str| s.parse::<Date>().expect("date");
        let today = d("2024-03-31");
        let r = |rel| relative_range(rel, today).expect("in range");
        assert_eq!(r(RelativeDate::Today), (today, today));
        assert_eq!(
            r(RelativeDate::Yesterday),
            (d("2024-03-30"), d("2024-03-30"))
        );
        assert_eq!(
            r(RelativeDate::Tomorrow),
            (d("2024-04-01"), d("2024-04-01"))
        );
        assert_eq!(r(RelativeDate::LastNDays(31)), (d("2024-02-29"), today));
        assert_eq!(
            r(RelativeDate::NextNDays(2)),
            (d("2024-04-01"), d("2024-04-02"))
        );
        assert_eq!(r(RelativeDate::ThisMonth), (d("2024-03-01"), today));
        assert_eq!(
            r(RelativeDate::LastMonth),
            (d("2024-02-01"), d("2024-02-29"))
        );
        assert_eq!(
            r(RelativeDate::ThisYear),
            (d("2024-01-01"), d("2024-12-31"))
        );
    }

    #[test]
    fn stored_datetimes_normalize_to_utc() {
        assert_eq!(
            stored_instant("2024-01-31T10:00:00.000+0000").as_deref(),
            Some("2024-01-31T10:00:00.000")
        );
        assert_eq!(
            stored_instant("2024-01-31T10:00:00.000+0100").as_deref(),
            Some("2024-01-31T09:00:00.000")
        );
        assert_eq!(
            stored_instant("2024-01-31T10:00:00Z").as_deref(),
            Some("2024-01-31T10:00:00.000")
        );
        assert_eq!(
            stored_day("2024-01-31T23:30:00.000-0100").as_deref(),
            Some("2024-02-01")
        );
        assert_eq!(stored_day("2024-01-31").as_deref(), Some("2024-01-31"));
        assert_eq!(stored_instant("garbage"), None);
    }
}
