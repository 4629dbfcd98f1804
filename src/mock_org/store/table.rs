//! The rows of one sObject ([`Table`]): storing, replacing and removing packed rows, the
//! Id → position indexes, and decoding a row or one field ([`RowRef`]).

use std::collections::HashMap;

use serde_json::Value;

use super::super::schema::ObjectSchema;
use super::super::soql::Row;
use super::super::state::Record;
use super::FastMap;
use super::arena::{Arena, CHUNK, REMOVED, Span};
use super::cursor::RowCursor;
use super::datetime::parse_datetime;
use super::ids::minted_seq;
use super::packed::Reader;

/// Interned texts of one field.
#[derive(Debug, Default)]
pub(super) struct Dict {
    pub(super) values: Vec<Box<str>>,
    pub(super) index: FastMap<Box<str>, u32>,
}

/// The rows of one sObject.
#[derive(Debug)]
pub(crate) struct Table {
    /// Field names of the describe, in order: a packed row refers to them by index.
    pub(super) fields: Vec<String>,
    pub(super) by_name: FastMap<String, u32>,
    pub(super) dicts: Vec<Dict>,
    pub(super) arena: Arena,
    pub(super) spans: Vec<Span>,
    /// The modification stamp of rows whose `SystemModstamp` field does not hold it (epoch
    /// milliseconds); the others read it from the field.
    pub(super) modified_extra: HashMap<u32, i64>,
    /// Whether each row has `IsDeleted: true`.
    pub(super) deleted: Vec<bool>,
    /// Position + 1 of the row whose Id was minted with this sequence number (0: none).
    pub(super) by_seq: Vec<u32>,
    /// Positions of rows whose Ids were not minted here (loaded data with own Ids).
    pub(super) by_id: HashMap<String, u32>,
    /// Key prefix of the object's Ids.
    pub(super) key_prefix: String,
    /// Rows not removed.
    pub(super) live: usize,
    /// Bytes in the arena that belong to replaced rows.
    pub(super) garbage: usize,
}

/// A read-only view of one stored row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowRef<'a> {
    pub(super) table: &'a Table,
    pub(super) pos: u32,
}

impl<'a> RowRef<'a> {
    /// The value of `field` (exact name as stored), `None` when the row lacks it.
    pub fn get(&self, field: &str) -> Option<Value> {
        self.table.value(self.pos, field)
    }

    /// Whether the row is in the recycle bin.
    pub fn is_deleted(&self) -> bool {
        self.table.is_deleted(self.pos)
    }

    /// The row's `Id`.
    pub fn id(&self) -> String {
        match self.get("Id") {
            Some(Value::String(s)) => s,
            _ => String::new(),
        }
    }

    /// The whole row as a map, fields in stored order.
    pub fn row(&self) -> Row {
        self.table.row(self.pos)
    }

    /// The whole row and its modification stamp.
    pub fn record(&self) -> Record {
        self.table.record(self.pos)
    }
}

impl Table {
    /// An empty table for `object`.
    pub fn new(object: &ObjectSchema) -> Table {
        let fields: Vec<String> = object.fields.iter().map(|f| f.name.clone()).collect();
        let by_name = fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((f.clone(), u32::try_from(i).ok()?)))
            .collect();
        let dicts = fields.iter().map(|_| Dict::default()).collect();
        Table {
            fields,
            by_name,
            dicts,
            arena: Arena::default(),
            spans: Vec::new(),
            modified_extra: HashMap::new(),
            deleted: Vec::new(),
            by_seq: Vec::new(),
            by_id: HashMap::new(),
            key_prefix: object.key_prefix.clone(),
            live: 0,
            garbage: 0,
        }
    }

    /// Reserves room for the per-row data of `rows` more rows.
    pub fn reserve_exact(&mut self, rows: usize) {
        self.spans.reserve_exact(rows);
        self.deleted.reserve_exact(rows);
        self.by_seq.reserve_exact(rows + 1);
    }

    /// Number of stored rows (deleted ones included, removed ones not).
    pub fn len(&self) -> usize {
        self.live
    }

    /// Positions of the rows in insertion order, removed ones left out.
    pub fn iter_positions(&self) -> impl Iterator<Item = u32> + '_ {
        self.spans
            .iter()
            .enumerate()
            .filter(|(_, s)| s.len & REMOVED == 0)
            .filter_map(|(i, _)| u32::try_from(i).ok())
    }

    /// Every row in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = RowRef<'_>> + '_ {
        self.iter_positions().map(|pos| RowRef { table: self, pos })
    }

    /// Position of the row with this 18-character Id.
    pub fn position(&self, id: &str) -> Option<u32> {
        let pos = match minted_seq(id, &self.key_prefix) {
            Some(seq) => match usize::try_from(seq)
                .ok()
                .and_then(|s| self.by_seq.get(s))
                .copied()
            {
                Some(p) if p > 0 => Some(p - 1),
                _ => self.by_id.get(id).copied(),
            },
            None => self.by_id.get(id).copied(),
        }?;
        let span = self.spans.get(pos as usize)?;
        (span.len & REMOVED == 0).then_some(pos)
    }

    /// The row with this 18-character Id.
    pub fn find(&self, id: &str) -> Option<RowRef<'_>> {
        self.position(id).map(|pos| RowRef { table: self, pos })
    }

    /// Whether a row has this Id.
    pub fn contains_key(&self, id: &str) -> bool {
        self.position(id).is_some()
    }

    /// The record with this Id, decoded.
    pub fn get(&self, id: &str) -> Option<Record> {
        self.find(id).map(|r| r.record())
    }

    /// Whether the row at `pos` has `IsDeleted: true`.
    pub fn is_deleted(&self, pos: u32) -> bool {
        self.deleted.get(pos as usize).copied().unwrap_or(false)
    }

    pub(super) fn bytes(&self, pos: u32) -> &[u8] {
        match self.spans.get(pos as usize) {
            Some(span) => self.arena.get(*span),
            None => &[],
        }
    }

    /// The whole row at `pos`.
    pub fn row(&self, pos: u32) -> Row {
        let mut row = Row::new();
        let mut r = Reader::new(self.bytes(pos));
        while let Some((name, value)) = r.entry(self) {
            row.insert(name.into_owned(), value);
        }
        row
    }

    /// The row at `pos` with its modification stamp.
    pub fn record(&self, pos: u32) -> Record {
        let row = self.row(pos);
        let modified_ms = match self.modified_extra.get(&pos) {
            Some(ms) => *ms,
            None => stamp_of(&row).unwrap_or(0),
        };
        Record { row, modified_ms }
    }

    /// The index of `field` (exact name) in the describe, as [`RowCursor`] reads it.
    pub fn slot(&self, field: &str) -> Option<usize> {
        self.by_name.get(field).map(|&i| i as usize)
    }

    /// [`Table::slot`] when `index` may be the field's index (then no hashing).
    pub fn slot_at(&self, index: usize, field: &str) -> Option<usize> {
        match self.fields.get(index) {
            Some(f) if f == field => Some(index),
            _ => self.slot(field),
        }
    }

    /// The packed bytes of the row at `pos`: they change whenever the row does (the ETag is
    /// their hash).
    pub fn packed(&self, pos: u32) -> &[u8] {
        self.bytes(pos)
    }

    /// The modification stamp (epoch milliseconds) of the row at `pos`, as [`Table::record`]
    /// gives it, without decoding the row.
    pub fn modified_ms(&self, pos: u32) -> i64 {
        if !self.modified_extra.is_empty()
            && let Some(ms) = self.modified_extra.get(&pos)
        {
            return *ms;
        }
        let mut cursor = RowCursor::new(self);
        cursor.seek(pos);
        let mut buf = String::new();
        self.slot("SystemModstamp")
            .and_then(|slot| cursor.text(slot, &mut buf))
            .and_then(parse_datetime)
            .unwrap_or(0)
    }

    /// One field of the row at `pos` (exact name), `None` when absent.
    pub fn value(&self, pos: u32, field: &str) -> Option<Value> {
        let index = self.by_name.get(field).copied();
        let mut r = Reader::new(self.bytes(pos));
        loop {
            let key = r.varint()?;
            let matched = match key {
                0 => {
                    let name = r.text()?;
                    index.is_none() && name == field
                }
                k => index.is_some_and(|i| u64::from(i) + 1 == k),
            };
            if matched {
                let slot = key.checked_sub(1).and_then(|k| usize::try_from(k).ok());
                return r.value(self, slot);
            }
            r.skip_value()?;
        }
    }

    /// Stores `record` under `id`: replaces the row with that Id, or appends a new one.
    pub fn put(&mut self, id: &str, record: &Record) {
        let fields = record.row.iter().map(|(k, v)| (k.as_str(), v));
        self.put_fields(id, fields, record.modified_ms);
    }

    /// [`Table::put`] from fields in order (no map needed: seeding builds millions of rows).
    pub fn put_fields<'v>(
        &mut self,
        id: &str,
        fields: impl Iterator<Item = (&'v str, &'v Value)>,
        modified_ms: i64,
    ) {
        let mut buf = Vec::with_capacity(256);
        let (deleted, stamp) = self.encode(fields, &mut buf);
        let stamp_is_modified = stamp == Some(modified_ms);
        match self.position(id) {
            Some(pos) => {
                let p = pos as usize;
                let Some(span) = self.append(&buf) else {
                    return;
                };
                self.garbage += (self.spans[p].len & !REMOVED) as usize;
                self.spans[p] = span;
                self.set_modified(pos, stamp_is_modified, modified_ms);
                self.deleted[p] = deleted;
                if self.garbage > self.arena.used / 2 && self.garbage > CHUNK {
                    self.compact();
                }
            }
            None => {
                let Ok(pos) = u32::try_from(self.spans.len()) else {
                    return;
                };
                let Some(span) = self.append(&buf) else {
                    return;
                };
                self.spans.push(span);
                self.set_modified(pos, stamp_is_modified, modified_ms);
                self.deleted.push(deleted);
                self.index(id, pos);
                self.live += 1;
            }
        }
    }

    /// Removes the row with this Id (a rolled-back create). Positions of other rows stay.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(pos) = self.position(id) else {
            return false;
        };
        let span = &mut self.spans[pos as usize];
        self.garbage += (span.len & !REMOVED) as usize;
        span.len |= REMOVED;
        self.live -= 1;
        true
    }

    /// Bytes this table holds (arena, per-row vectors, indexes and dictionaries), for
    /// measurements and tests.
    pub fn heap_bytes(&self) -> usize {
        let dicts: usize = self
            .dicts
            .iter()
            .map(|d| {
                d.values.iter().map(|v| 2 * v.len() + 40).sum::<usize>() + d.values.capacity() * 16
            })
            .sum();
        self.arena.capacity()
            + self.spans.capacity() * std::mem::size_of::<Span>()
            + self.modified_extra.capacity() * 16
            + self.deleted.capacity()
            + self.by_seq.capacity() * 4
            + self.by_id.capacity() * 64
            + dicts
    }

    pub(super) fn index(&mut self, id: &str, pos: u32) {
        if let Some(seq) = minted_seq(id, &self.key_prefix).and_then(|s| usize::try_from(s).ok()) {
            // Dense by sequence number, unless the number is far beyond the rows stored.
            if seq < self.by_seq.len() + 1_000_000 {
                if self.by_seq.len() <= seq {
                    self.by_seq.resize(seq + 1, 0);
                }
                if self.by_seq[seq] == 0 {
                    self.by_seq[seq] = pos + 1;
                    return;
                }
            }
        }
        self.by_id.insert(id.to_owned(), pos);
    }

    /// Appends a packed row (compacting a full arena first); `None` when it stays full.
    fn append(&mut self, bytes: &[u8]) -> Option<Span> {
        match self.arena.push(bytes) {
            Some(span) => Some(span),
            None => {
                self.compact();
                self.arena.push(bytes)
            }
        }
    }

    /// Rewrites the arena without the bytes of replaced and removed rows.
    pub(super) fn compact(&mut self) {
        let mut arena = Arena::default();
        for span in &mut self.spans {
            if span.len & REMOVED != 0 {
                *span = Span {
                    start: 0,
                    len: REMOVED,
                };
                continue;
            }
            let bytes = self.arena.get(*span);
            if let Some(moved) = arena.push(bytes) {
                *span = moved;
            }
        }
        self.arena = arena;
        self.garbage = 0;
    }

    fn set_modified(&mut self, pos: u32, stamp_is_modified: bool, modified_ms: i64) {
        if stamp_is_modified {
            if !self.modified_extra.is_empty() {
                self.modified_extra.remove(&pos);
            }
        } else {
            self.modified_extra.insert(pos, modified_ms);
        }
    }
}

/// The `SystemModstamp` of a row in epoch milliseconds.
fn stamp_of(row: &Row) -> Option<i64> {
    row.get("SystemModstamp")
        .and_then(Value::as_str)
        .and_then(parse_datetime)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schema() -> super::super::super::schema::Schema {
        super::super::super::schema::Schema::load().expect("schema")
    }

    #[test]
    fn rows_round_trip_exactly_in_order() {
        let schema = schema();
        let account = schema.object("Account").expect("Account");
        let mut table = Table::new(account);
        let id = crate::sf::id::mint("001", 7);
        let row = json!({
            "Id": id, "Name": "Acme", "Industry": "Energy", "NumberOfEmployees": 12,
            "AnnualRevenue": 1.5e7, "Weird__x": {"a": [1, 2]}, "Negative": -4,
            "CreatedDate": "2026-01-01T08:00:00.000+0000", "Odd": "2026-01-01T08:00:00.000+0100",
            "IsDeleted": false, "Description": null, "OwnerId": "005000000000001AAA",
            "LastModifiedDate": "1969-12-31T23:59:59.999+0000"
        });
        let Value::Object(row) = row else {
            panic!("object")
        };
        table.put(
            &id,
            &Record {
                row: row.clone(),
                modified_ms: 5,
            },
        );
        let back = table.get(&id).expect("stored");
        assert_eq!(back.row, row);
        assert_eq!(
            serde_json::to_string(&back.row).expect("json"),
            serde_json::to_string(&row).expect("json")
        );
        assert_eq!(back.modified_ms, 5);
        assert_eq!(table.value(0, "Industry"), Some(json!("Energy")));
        assert_eq!(table.value(0, "Weird__x"), Some(json!({"a": [1, 2]})));
        assert_eq!(table.value(0, "Phone"), None);
        assert_eq!(table.value(0, "Description"), Some(Value::Null));
    }

    #[test]
    fn replace_remove_and_lookup() {
        let schema = schema();
        let account = schema.object("Account").expect("Account");
        let mut table = Table::new(account);
        let own = "001000000000001AAA";
        for (i, id) in [crate::sf::id::mint("001", 1), own.to_owned()]
            .iter()
            .enumerate()
        {
            let mut row = Row::new();
            row.insert("Id".into(), json!(id));
            row.insert("Name".into(), json!(format!("n{i}")));
            table.put(
                id,
                &Record {
                    row,
                    modified_ms: 1,
                },
            );
        }
        assert_eq!(table.position(own), Some(1));
        let mut rec = table.get(own).expect("own id");
        rec.row.insert("IsDeleted".into(), json!(true));
        table.put(own, &rec);
        assert!(table.is_deleted(1));
        assert_eq!(table.len(), 2);
        assert!(table.remove(&crate::sf::id::mint("001", 1)));
        assert_eq!(table.len(), 1);
        assert_eq!(table.iter_positions().collect::<Vec<_>>(), vec![1]);
        assert!(!table.contains_key(&crate::sf::id::mint("001", 1)));
        assert_eq!(table.value(1, "Name"), Some(json!("n1")));
    }

    #[test]
    fn per_row_overhead_stays_small() {
        assert!(std::mem::size_of::<Span>() <= 8);
        assert!(std::mem::size_of::<RowRef<'_>>() <= 16);
    }
}
