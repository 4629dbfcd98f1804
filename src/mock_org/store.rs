//! The mock org's record store: every sObject's rows packed into one byte arena per object.
//!
//! A row is kept as a short byte string instead of a `serde_json::Map` (about 13 KB per seeded
//! Account as a map, about 250 bytes packed): each present field is a field index (from the
//! object's describe, so no name per row) and a tagged value. Small repeated texts (picklist
//! values, cities, first names...) are interned in a per-field dictionary, minted Ids are kept as
//! key prefix + sequence number, and Salesforce datetimes as epoch milliseconds. Decoding gives
//! back exactly the map that was stored, field order included (the ETag hashes it).
//!
//! Rows are addressed by their position in insertion order (`u32`), which query cursors keep
//! instead of rendered records; an Id → position index makes a lookup by Id O(1).

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Number, Value};

use super::schema::ObjectSchema;
use super::soql::Row;
use super::state::{Record, Shared, push_json_str, push_json_str_contents};
use super::{MockOrgConfig, MockOrgError};

/// FNV-1a: the store hashes short keys (field names, interned texts) millions of times while
/// seeding; SipHash's DoS resistance buys nothing for an emulator's own data.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A map hashed with [`Fnv`].
type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Texts up to this many bytes may be interned in a field's dictionary.
const DICT_MAX_LEN: usize = 40;
/// At most this many distinct texts per field are interned; later ones are stored inline.
const DICT_MAX_ENTRIES: usize = 512;
/// Flag in [`Span::len`]: the row is removed (a rolled-back create) and invisible.
const REMOVED: u32 = 1 << 31;

/// Value tags of the packed format.
mod tag {
    pub const NULL: u8 = 0;
    pub const FALSE: u8 = 1;
    pub const TRUE: u8 = 2;
    /// Unsigned integer, LEB128.
    pub const U64: u8 = 3;
    /// Negative integer, zigzag LEB128.
    pub const I64: u8 = 4;
    /// Float, 8 bytes little endian.
    pub const F64: u8 = 5;
    /// Text: LEB128 length, UTF-8 bytes.
    pub const STR: u8 = 6;
    /// Interned text: LEB128 index into the field's dictionary.
    pub const DICT: u8 = 7;
    /// An Id minted by the mock org: 3 key prefix bytes, LEB128 sequence number.
    pub const ID: u8 = 8;
    /// `YYYY-MM-DDTHH:MM:SS.sss+0000`: zigzag LEB128 epoch milliseconds.
    pub const DATETIME: u8 = 9;
    /// Any other JSON (arrays, objects): LEB128 length, JSON text.
    pub const JSON: u8 = 10;
    /// Like [`DATETIME`], as zigzag LEB128 milliseconds after the row's previous
    /// `DATETIME`/`DATETIME_DELTA` value (`LastModifiedDate` → `SystemModstamp`: one byte).
    pub const DATETIME_DELTA: u8 = 11;
}

/// Where one row lives in the arena.
#[derive(Debug, Clone, Copy)]
struct Span {
    /// Chunk index << [`CHUNK_BITS`] | offset in the chunk.
    start: u32,
    /// Byte length; [`REMOVED`] set for a removed row.
    len: u32,
}

/// Rows are appended to chunks of 1 MiB (a longer row gets a chunk of its own), so the arena
/// grows without copying (but for the first chunk, which starts small) and wastes at most one
/// chunk.
const CHUNK_BITS: u32 = 20;
const CHUNK: usize = 1 << CHUNK_BITS;
/// The starting capacity of an sObject's first chunk.
const FIRST_CHUNK: usize = 16 << 10;
/// At most this many chunks (4 GiB of rows per sObject).
const MAX_CHUNKS: usize = 1 << (32 - CHUNK_BITS);

/// Packed rows, back to back in chunks.
#[derive(Debug, Default)]
struct Arena {
    chunks: Vec<Vec<u8>>,
    /// Bytes appended (rows replaced or removed since included).
    used: usize,
}

impl Arena {
    fn get(&self, span: Span) -> &[u8] {
        let chunk = (span.start >> CHUNK_BITS) as usize;
        let start = (span.start & (CHUNK as u32 - 1)) as usize;
        let end = start + (span.len & !REMOVED) as usize;
        self.chunks
            .get(chunk)
            .and_then(|c| c.get(start..end))
            .unwrap_or_default()
    }

    /// Appends `bytes`; `None` when the arena is full.
    fn push(&mut self, bytes: &[u8]) -> Option<Span> {
        let len = u32::try_from(bytes.len())
            .ok()
            .filter(|l| l & REMOVED == 0)?;
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.len() + bytes.len() <= CHUNK);
        if !fits {
            if self.chunks.len() >= MAX_CHUNKS {
                return None;
            }
            // The first chunk starts small and grows (small sObjects such as the setup ones
            // stay small); later ones are allocated whole, so they never copy.
            let capacity = if self.chunks.is_empty() {
                FIRST_CHUNK
            } else {
                CHUNK
            };
            self.chunks
                .push(Vec::with_capacity(bytes.len().max(capacity)));
        }
        let index = u32::try_from(self.chunks.len() - 1).ok()?;
        let chunk = self.chunks.last_mut()?;
        let offset = u32::try_from(chunk.len()).ok()?;
        chunk.extend_from_slice(bytes);
        self.used += bytes.len();
        // A row longer than a chunk starts at offset 0 of its own chunk.
        Some(Span {
            start: index << CHUNK_BITS | offset,
            len,
        })
    }

    fn capacity(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum()
    }
}

/// Interned texts of one field.
#[derive(Debug, Default)]
struct Dict {
    values: Vec<Box<str>>,
    index: FastMap<Box<str>, u32>,
}

/// The rows of one sObject.
#[derive(Debug)]
pub(crate) struct Table {
    /// Field names of the describe, in order: a packed row refers to them by index.
    fields: Vec<String>,
    by_name: FastMap<String, u32>,
    dicts: Vec<Dict>,
    arena: Arena,
    spans: Vec<Span>,
    /// The modification stamp of rows whose `SystemModstamp` field does not hold it (epoch
    /// milliseconds); the others read it from the field.
    modified_extra: HashMap<u32, i64>,
    /// Whether each row has `IsDeleted: true`.
    deleted: Vec<bool>,
    /// Position + 1 of the row whose Id was minted with this sequence number (0: none).
    by_seq: Vec<u32>,
    /// Positions of rows whose Ids were not minted here (loaded data with own Ids).
    by_id: HashMap<String, u32>,
    /// Key prefix of the object's Ids.
    key_prefix: String,
    /// Rows not removed.
    live: usize,
    /// Bytes in the arena that belong to replaced rows.
    garbage: usize,
}

/// A read-only view of one stored row.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowRef<'a> {
    table: &'a Table,
    pos: u32,
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

    fn bytes(&self, pos: u32) -> &[u8] {
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

    fn index(&mut self, id: &str, pos: u32) {
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
    fn compact(&mut self) {
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

    /// Packs `fields` into `out`; returns whether `IsDeleted` is true and the
    /// `SystemModstamp` in epoch milliseconds.
    fn encode<'v>(
        &mut self,
        fields: impl Iterator<Item = (&'v str, &'v Value)>,
        out: &mut Vec<u8>,
    ) -> (bool, Option<i64>) {
        let mut last_dt = None;
        let (mut deleted, mut stamp) = (false, None);
        for (name, value) in fields {
            match name {
                "IsDeleted" => deleted = *value == Value::Bool(true),
                "SystemModstamp" => stamp = value.as_str().and_then(parse_datetime),
                _ => {}
            }
            let slot = self.by_name.get(name).copied();
            match slot {
                Some(i) => put_varint(out, u64::from(i) + 1),
                None => {
                    put_varint(out, 0);
                    put_text(out, name);
                }
            }
            self.encode_value(slot.map(|i| i as usize), value, &mut last_dt, out);
        }
        (deleted, stamp)
    }

    fn encode_value(
        &mut self,
        slot: Option<usize>,
        value: &Value,
        last_dt: &mut Option<i64>,
        out: &mut Vec<u8>,
    ) {
        match value {
            Value::Null => out.push(tag::NULL),
            Value::Bool(false) => out.push(tag::FALSE),
            Value::Bool(true) => out.push(tag::TRUE),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    out.push(tag::U64);
                    put_varint(out, u);
                } else if let Some(i) = n.as_i64() {
                    out.push(tag::I64);
                    put_varint(out, zigzag(i));
                } else {
                    out.push(tag::F64);
                    out.extend_from_slice(&n.as_f64().unwrap_or(0.0).to_le_bytes());
                }
            }
            Value::String(s) => self.encode_text(slot, s, last_dt, out),
            other => {
                out.push(tag::JSON);
                put_text(out, &other.to_string());
            }
        }
    }

    fn encode_text(
        &mut self,
        slot: Option<usize>,
        s: &str,
        last_dt: &mut Option<i64>,
        out: &mut Vec<u8>,
    ) {
        let dict = slot
            .and_then(|i| self.dicts.get_mut(i))
            .filter(|_| s.len() <= DICT_MAX_LEN);
        // A text seen before in this field (the owner's Id, a city...) is one index.
        let known = dict.as_ref().and_then(|d| d.index.get(s).copied());
        if let Some(i) = known {
            out.push(tag::DICT);
            put_varint(out, u64::from(i));
            return;
        }
        if let Some(dict) = dict
            && dict.values.len() < DICT_MAX_ENTRIES
        {
            let i = u32::try_from(dict.values.len()).unwrap_or(u32::MAX);
            dict.values.push(s.into());
            dict.index.insert(s.into(), i);
            out.push(tag::DICT);
            put_varint(out, u64::from(i));
            return;
        }
        if let Some((prefix, seq)) = minted_id(s) {
            out.push(tag::ID);
            out.extend_from_slice(prefix);
            put_varint(out, seq);
            return;
        }
        if let Some(ms) = parse_datetime(s) {
            match *last_dt {
                Some(previous) => {
                    out.push(tag::DATETIME_DELTA);
                    put_varint(out, zigzag(ms.wrapping_sub(previous)));
                }
                None => {
                    out.push(tag::DATETIME);
                    put_varint(out, zigzag(ms));
                }
            }
            *last_dt = Some(ms);
            return;
        }
        out.push(tag::STR);
        put_text(out, s);
    }
}

/// The records of every sObject, by canonical name.
#[derive(Debug, Default)]
pub(crate) struct Store {
    tables: HashMap<String, Table>,
}

impl Store {
    /// The table of `object` (canonical name), if it has ever held a row.
    pub fn get(&self, object: &str) -> Option<&Table> {
        self.tables.get(object)
    }

    /// The table of `object` (canonical name), mutable.
    pub fn get_mut(&mut self, object: &str) -> Option<&mut Table> {
        self.tables.get_mut(object)
    }

    /// The table of `object`, created empty when missing.
    pub fn table_mut(&mut self, object: &ObjectSchema) -> &mut Table {
        self.tables
            .entry(object.name.clone())
            .or_insert_with(|| Table::new(object))
    }

    /// Removes every record.
    pub fn clear(&mut self) {
        self.tables.clear();
    }

    /// Bytes held by all tables.
    pub fn heap_bytes(&self) -> usize {
        self.tables.values().map(Table::heap_bytes).sum()
    }
}

/// Figures of a freshly seeded mock org's record store (for benchmarks and memory tests).
#[derive(Debug, Clone)]
pub struct StoreReport {
    /// Stored rows per sObject, by name.
    pub rows: Vec<(String, usize)>,
    /// Packed row bytes per sObject (the arena in use, without indexes), by name.
    pub row_bytes: Vec<(String, usize)>,
    /// Bytes the store holds: row arenas, per-row vectors, Id indexes, dictionaries.
    pub heap_bytes: usize,
    /// How long creating the org's state (seeding included) took.
    pub seed_time: Duration,
}

impl StoreReport {
    /// All stored rows.
    pub fn total_rows(&self) -> usize {
        self.rows.iter().map(|(_, n)| n).sum()
    }

    /// Store bytes per stored row (0 for an empty store).
    pub fn bytes_per_row(&self) -> usize {
        self.heap_bytes
            .checked_div(self.total_rows())
            .unwrap_or_default()
    }
}

/// Seeds the records `config` asks for (as a mock org does when it starts, without serving
/// anything) and measures the store.
pub fn seed_report(config: &MockOrgConfig) -> Result<StoreReport, MockOrgError> {
    let url = url::Url::parse("http://127.0.0.1:1/")
        .map_err(|e| MockOrgError::Data(format!("instance url: {e}")))?;
    let started = Instant::now();
    let shared = Shared::new(config.clone(), url)?;
    let seed_time = started.elapsed();
    let inner = shared.lock();
    let mut rows: Vec<(String, usize)> = inner
        .store
        .tables
        .iter()
        .map(|(k, t)| (k.clone(), t.len()))
        .collect();
    rows.sort();
    let mut row_bytes: Vec<(String, usize)> = inner
        .store
        .tables
        .iter()
        .map(|(k, t)| (k.clone(), t.arena.used - t.garbage))
        .collect();
    row_bytes.sort();
    Ok(StoreReport {
        rows,
        row_bytes,
        heap_bytes: inner.store.heap_bytes(),
        seed_time,
    })
}

/// A minted Id: key prefix, sequence number and its 18 characters.
type MintedId = ([u8; 3], u64, [u8; 18]);

/// One row's describe fields located by a single walk over its packed bytes, to write their
/// values as JSON (or read them as text) in any order without decoding the row.
#[derive(Debug)]
pub(crate) struct RowCursor<'a> {
    table: &'a Table,
    bytes: &'a [u8],
    /// Bumped by every [`RowCursor::seek`]: an entry of `at` from another generation is absent.
    generation: u32,
    /// Per describe field: the generation it was found in, the offset of its value's tag and
    /// the datetime read before it (for [`tag::DATETIME_DELTA`]).
    at: Vec<(u32, u32, i64)>,
    /// The fields [`RowCursor::seek`] looks for (all when empty): the walk stops once it
    /// has seen them.
    wanted: Vec<bool>,
    wanted_count: usize,
    /// Whether the last walk read the whole row and found no field the describe lacks.
    no_named: bool,
    /// The last Id minted for a value (prefix, sequence number, text): a query page writes
    /// each row's Id twice (`attributes.url` and the `Id` field).
    minted: std::cell::Cell<Option<MintedId>>,
}

impl<'a> RowCursor<'a> {
    /// A cursor over `table`'s rows, on no row yet (every field absent).
    pub fn new(table: &'a Table) -> Self {
        RowCursor {
            table,
            bytes: &[],
            generation: 0,
            at: vec![(0, 0, 0); table.fields.len()],
            wanted: Vec::new(),
            wanted_count: 0,
            no_named: false,
            minted: std::cell::Cell::new(None),
        }
    }

    /// A cursor that only needs the fields `slots`: a row's walk stops once they are found
    /// (other fields may read as absent).
    pub fn for_slots(table: &'a Table, slots: impl IntoIterator<Item = usize>) -> Self {
        let mut cursor = RowCursor::new(table);
        cursor.wanted = vec![false; table.fields.len()];
        for slot in slots {
            if let Some(w) = cursor.wanted.get_mut(slot)
                && !*w
            {
                *w = true;
                cursor.wanted_count += 1;
            }
        }
        cursor
    }

    /// Moves to the row at `pos` (no row: every field absent).
    pub fn seek(&mut self, pos: u32) {
        self.bytes = self.table.bytes(pos);
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.at.iter_mut().for_each(|a| a.0 = 0);
            self.generation = 1;
        }
        let mut r = Reader::new(self.bytes);
        let mut missing = self.wanted_count;
        let mut named = false;
        self.no_named = false;
        loop {
            if r.at >= self.bytes.len() {
                self.no_named = !named;
                return;
            }
            let Some(key) = r.varint() else { return };
            if key == 0 {
                // A field the describe lacks: not addressable by slot (read by name instead).
                named = true;
                if r.text().is_none() || r.skip_value().is_none() {
                    return;
                }
                continue;
            }
            let (Ok(at), Some(slot)) = (u32::try_from(r.at), usize::try_from(key - 1).ok()) else {
                return;
            };
            if let Some(entry) = self.at.get_mut(slot) {
                *entry = (self.generation, at, r.last_dt);
            }
            if self.wanted.get(slot) == Some(&true) {
                missing -= 1;
                if missing == 0 {
                    return;
                }
            }
            if r.skip_value().is_none() {
                return;
            }
        }
    }

    /// Whether the row certainly lacks every field the describe lacks (the last walk read it
    /// whole and found none): a lookup by name is then not needed.
    pub fn lacks_named_fields(&self) -> bool {
        self.no_named
    }

    /// [`mint_id_bytes`], remembering the last Id.
    fn mint(&self, prefix: &[u8], seq: u64) -> Option<[u8; 18]> {
        if let Some((p, n, id)) = self.minted.get()
            && n == seq
            && p == prefix
        {
            return Some(id);
        }
        let id = mint_id_bytes(prefix, seq)?;
        self.minted.set(Some((prefix.try_into().ok()?, seq, id)));
        Some(id)
    }

    /// A reader at the value of `slot`, `None` when the row lacks the field.
    fn reader(&self, slot: usize) -> Option<Reader<'a>> {
        let &(generation, at, last_dt) = self.at.get(slot)?;
        (generation == self.generation).then_some(Reader {
            bytes: self.bytes,
            at: at as usize,
            last_dt,
        })
    }

    /// Appends the JSON of field `slot` exactly as `serde_json` writes its decoded value;
    /// `false` (nothing written) when the row lacks the field.
    pub fn write(&self, slot: usize, out: &mut Vec<u8>) -> bool {
        let Some(mut r) = self.reader(slot) else {
            return false;
        };
        if r.bytes.get(r.at) == Some(&tag::ID) {
            r.at += 1;
            let Some(id) = r.take(3).zip(r.varint()).and_then(|(p, n)| self.mint(p, n)) else {
                return false;
            };
            // Base-62 digits and the key prefix: nothing to escape (checked by minting).
            out.push(b'"');
            out.extend_from_slice(&id);
            out.push(b'"');
            return true;
        }
        let mark = out.len();
        if r.write_json(self.table, Some(slot), out).is_none() {
            // A damaged value reads as absent, as in [`Table::value`].
            out.truncate(mark);
            return false;
        }
        true
    }

    /// Appends field `slot`, when it is text, escaped as the inside of a JSON string (as
    /// [`RowCursor::text`] would give it); `false` (nothing written) otherwise.
    pub fn write_text(&self, slot: usize, out: &mut Vec<u8>) -> bool {
        let Some(mut r) = self.reader(slot) else {
            return false;
        };
        let written = match r.byte() {
            Some(tag::ID) => r
                .take(3)
                .zip(r.varint())
                .and_then(|(p, n)| self.mint(p, n))
                .map(|id| out.extend_from_slice(&id)),
            Some(t @ (tag::DATETIME | tag::DATETIME_DELTA)) => {
                r.datetime(t).map(|ms| write_datetime(out, ms))
            }
            Some(tag::STR) => r.text().map(|t| push_json_str_contents(out, t)),
            Some(tag::DICT) => usize::try_from(r.varint().unwrap_or(u64::MAX))
                .ok()
                .and_then(|i| self.table.dicts.get(slot)?.values.get(i))
                .map(|t| push_json_str_contents(out, t)),
            _ => None,
        };
        written.is_some()
    }

    /// Whether field `slot` is absent or null.
    pub fn is_null(&self, slot: usize) -> bool {
        self.reader(slot)
            .is_none_or(|r| r.bytes.get(r.at).is_none_or(|&t| t == tag::NULL))
    }

    /// Field `slot` when it is text (minted Ids and datetimes are written into `buf`).
    pub fn text<'b>(&'b self, slot: usize, buf: &'b mut String) -> Option<&'b str>
    where
        'a: 'b,
    {
        let mut r = self.reader(slot)?;
        let t = r.byte()?;
        match t {
            tag::STR => r.text(),
            tag::DICT => {
                let i = usize::try_from(r.varint()?).ok()?;
                self.table.dicts.get(slot)?.values.get(i).map(|v| &**v)
            }
            tag::ID => {
                let prefix = r.take(3)?;
                let id = self.mint(prefix, r.varint()?)?;
                buf.clear();
                buf.push_str(std::str::from_utf8(&id).ok()?);
                Some(buf.as_str())
            }
            tag::DATETIME | tag::DATETIME_DELTA => {
                let ms = r.datetime(t)?;
                let mut bytes = Vec::with_capacity(28);
                write_datetime(&mut bytes, ms);
                buf.clear();
                buf.push_str(std::str::from_utf8(&bytes).ok()?);
                Some(buf.as_str())
            }
            _ => None,
        }
    }
}

/// Reads a packed row.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// The last datetime read (for [`tag::DATETIME_DELTA`]).
    last_dt: i64,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            at: 0,
            last_dt: 0,
        }
    }

    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
            shift += 7;
            if shift > 63 {
                return None;
            }
        }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }

    fn text(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.varint()?).ok()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    /// The next field: its name and value.
    fn entry<'t>(&mut self, table: &'t Table) -> Option<(Cow<'t, str>, Value)>
    where
        'a: 't,
    {
        let key = self.varint()?;
        let (name, slot) = match key {
            0 => (Cow::Borrowed(self.text()?), None),
            k => {
                let i = usize::try_from(k - 1).ok()?;
                (Cow::Borrowed(table.fields.get(i)?.as_str()), Some(i))
            }
        };
        let value = self.value(table, slot)?;
        Some((name, value))
    }

    fn value(&mut self, table: &Table, slot: Option<usize>) -> Option<Value> {
        Some(match self.byte()? {
            tag::NULL => Value::Null,
            tag::FALSE => Value::Bool(false),
            tag::TRUE => Value::Bool(true),
            tag::U64 => Value::Number(Number::from(self.varint()?)),
            tag::I64 => Value::Number(Number::from(unzigzag(self.varint()?))),
            tag::F64 => {
                let bytes: [u8; 8] = self.take(8)?.try_into().ok()?;
                Number::from_f64(f64::from_le_bytes(bytes)).map_or(Value::Null, Value::Number)
            }
            tag::STR => Value::String(self.text()?.to_owned()),
            tag::DICT => {
                let i = usize::try_from(self.varint()?).ok()?;
                let dict = table.dicts.get(slot?)?;
                Value::String(dict.values.get(i)?.to_string())
            }
            tag::ID => {
                let prefix = self.take(3)?;
                Value::String(mint_id(prefix, self.varint()?)?)
            }
            t @ (tag::DATETIME | tag::DATETIME_DELTA) => {
                Value::String(format_datetime(self.datetime(t)?))
            }
            tag::JSON => serde_json::from_str(self.text()?).ok()?,
            _ => return None,
        })
    }

    /// Writes the next value as JSON, exactly as `serde_json` writes what [`Reader::value`]
    /// decodes; `None` on damaged bytes (part of the value may have been written).
    fn write_json(&mut self, table: &Table, slot: Option<usize>, out: &mut Vec<u8>) -> Option<()> {
        match self.byte()? {
            tag::NULL => out.extend_from_slice(b"null"),
            tag::FALSE => out.extend_from_slice(b"false"),
            tag::TRUE => out.extend_from_slice(b"true"),
            tag::U64 => serde_json::to_writer(&mut *out, &self.varint()?).ok()?,
            tag::I64 => serde_json::to_writer(&mut *out, &unzigzag(self.varint()?)).ok()?,
            tag::F64 => {
                let bytes: [u8; 8] = self.take(8)?.try_into().ok()?;
                let f = f64::from_le_bytes(bytes);
                if f.is_finite() {
                    serde_json::to_writer(&mut *out, &f).ok()?;
                } else {
                    out.extend_from_slice(b"null");
                }
            }
            tag::STR => push_json_str(out, self.text()?),
            tag::DICT => {
                let i = usize::try_from(self.varint()?).ok()?;
                let dict = table.dicts.get(slot?)?;
                push_json_str(out, dict.values.get(i)?);
            }
            tag::ID => {
                let prefix = self.take(3)?;
                // Base-62 digits and the key prefix: nothing to escape (checked by minting).
                let id = mint_id_bytes(prefix, self.varint()?)?;
                out.push(b'"');
                out.extend_from_slice(&id);
                out.push(b'"');
            }
            t @ (tag::DATETIME | tag::DATETIME_DELTA) => {
                let ms = self.datetime(t)?;
                out.push(b'"');
                write_datetime(out, ms);
                out.push(b'"');
            }
            // Rare (arrays, objects): decoded and written back as the Value path does.
            tag::JSON => {
                let value: Value = serde_json::from_str(self.text()?).ok()?;
                serde_json::to_writer(&mut *out, &value).ok()?;
            }
            _ => return None,
        }
        Some(())
    }

    /// The milliseconds of a datetime value with tag `t`.
    fn datetime(&mut self, t: u8) -> Option<i64> {
        let n = unzigzag(self.varint()?);
        let ms = if t == tag::DATETIME_DELTA {
            self.last_dt.wrapping_add(n)
        } else {
            n
        };
        self.last_dt = ms;
        Some(ms)
    }

    fn skip_value(&mut self) -> Option<()> {
        match self.byte()? {
            tag::NULL | tag::FALSE | tag::TRUE => {}
            tag::U64 | tag::I64 | tag::DICT => {
                self.varint()?;
            }
            t @ (tag::DATETIME | tag::DATETIME_DELTA) => {
                self.datetime(t)?;
            }
            tag::F64 => {
                self.take(8)?;
            }
            tag::STR | tag::JSON => {
                let n = usize::try_from(self.varint()?).ok()?;
                self.take(n)?;
            }
            tag::ID => {
                self.take(3)?;
                self.varint()?;
            }
            _ => return None,
        }
        Some(())
    }
}

/// The `SystemModstamp` of a row in epoch milliseconds.
fn stamp_of(row: &Row) -> Option<i64> {
    row.get("SystemModstamp")
        .and_then(Value::as_str)
        .and_then(parse_datetime)
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_text(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn base62_digit(c: u8) -> Option<u64> {
    BASE62.iter().position(|&d| d == c).map(|p| p as u64)
}

/// The key prefix and sequence number of an Id exactly as [`crate::sf::id::mint`] makes it.
fn minted_id(s: &str) -> Option<(&[u8], u64)> {
    let b = s.as_bytes();
    if b.len() != 18 || &b[3..5] != b"Dn" || !b[..3].iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let mut seq = 0u64;
    for &c in &b[5..15] {
        seq = seq.checked_mul(62)?.checked_add(base62_digit(c)?)?;
    }
    (crate::sf::id::checksum(&b[..15]) == b[15..18]).then_some((&b[..3], seq))
}

/// [`crate::sf::id::mint`] in one allocation.
fn mint_id(prefix: &[u8], seq: u64) -> Option<String> {
    String::from_utf8(mint_id_bytes(prefix, seq)?.to_vec()).ok()
}

/// [`crate::sf::id::mint`] without allocating; `None` unless the prefix is 3 ASCII letters or
/// digits (so the Id never needs escaping in JSON).
fn mint_id_bytes(prefix: &[u8], seq: u64) -> Option<[u8; 18]> {
    if !prefix.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let mut id = [b'0'; 18];
    id[..3].copy_from_slice(prefix.get(..3)?);
    id[3..5].copy_from_slice(b"Dn");
    let mut n = seq;
    for slot in id[5..15].iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    let checksum = crate::sf::id::checksum(&id[..15]);
    id[15..].copy_from_slice(&checksum);
    Some(id)
}

/// The sequence number of an Id minted with `prefix`.
fn minted_seq(id: &str, prefix: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.len() != 18 || !id.starts_with(prefix) || prefix.len() != 3 || &b[3..5] != b"Dn" {
        return None;
    }
    let mut seq = 0u64;
    for &c in &b[5..15] {
        seq = seq.checked_mul(62)?.checked_add(base62_digit(c)?)?;
    }
    Some(seq)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DDTHH:MM:SS.sss+0000` of epoch milliseconds (years 0000-9999).
pub(crate) fn format_datetime(ms: i64) -> String {
    let mut out = Vec::with_capacity(28);
    write_datetime(&mut out, ms);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends [`format_datetime`]'s text (ASCII) without allocating.
fn write_datetime(out: &mut Vec<u8>, ms: i64) {
    let days = ms.div_euclid(86_400_000);
    let rest = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        // Outside four digits: as `format!("{y:04}")` pads (rare, not worth a fast path).
        let text = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}+0000",
            rest / 3_600_000,
            rest / 60_000 % 60,
            rest / 1000 % 60,
            rest % 1000
        );
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let digits = |out: &mut Vec<u8>, n: i64, width: u32| {
        for k in (0..width).rev() {
            out.push(b'0' + (n / 10i64.pow(k) % 10) as u8);
        }
    };
    digits(out, y, 4);
    out.push(b'-');
    digits(out, m, 2);
    out.push(b'-');
    digits(out, d, 2);
    out.push(b'T');
    digits(out, rest / 3_600_000, 2);
    out.push(b':');
    digits(out, rest / 60_000 % 60, 2);
    out.push(b':');
    digits(out, rest / 1000 % 60, 2);
    out.push(b'.');
    digits(out, rest % 1000, 3);
    out.extend_from_slice(b"+0000");
}

/// Epoch milliseconds of a datetime in exactly the form [`format_datetime`] writes.
fn parse_datetime(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 28 || b[10] != b'T' || !s.ends_with("+0000") {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        part.iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec, milli) = (num(11..13)?, num(14..16)?, num(17..19)?, num(20..23)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    // A day past the month's end (02-30) comes back as another date.
    (civil_from_days(days) == (y, mo, d))
        .then_some(days * 86_400_000 + ((h * 60 + mi) * 60 + sec) * 1000 + milli)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> super::super::schema::Schema {
        super::super::schema::Schema::load().expect("schema")
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
    fn minted_ids_pack_and_unpack() {
        for seq in [0, 1, 61, 62, 1_700_001, 839_299_365_868_340_223] {
            let id = crate::sf::id::mint("00Q", seq);
            assert_eq!(minted_id(&id), Some((&b"00Q"[..], seq)), "{id}");
            assert_eq!(mint_id(b"00Q", seq).as_deref(), Some(id.as_str()));
        }
        assert_eq!(minted_id("001Dn0000000001AAA"), None, "bad checksum");
        assert_eq!(minted_id("0018M000001oWgPQAU"), None, "not minted here");
    }

    #[test]
    fn datetimes_format_and_parse() {
        for ms in [
            0,
            -1,
            1_767_254_400_000,
            253_402_000_000_999,
            -62_167_219_200_000,
        ] {
            let s = format_datetime(ms);
            assert_eq!(parse_datetime(&s), Some(ms), "{s}");
            assert_eq!(s, super::super::state::sf_datetime(ms));
        }
        assert_eq!(parse_datetime("2024-02-30T00:00:00.000+0000"), None);
        assert_eq!(parse_datetime("2024-01-01T00:00:00.000+0100"), None);
    }

    #[test]
    fn per_row_overhead_stays_small() {
        assert!(std::mem::size_of::<Span>() <= 8);
        assert!(std::mem::size_of::<RowRef<'_>>() <= 16);
    }

    /// 10,000 seeded Accounts (plus their Contacts and Leads) in well under 400 bytes a row:
    /// as maps they took about 13 KB each.
    #[test]
    fn a_seeded_store_is_compact() {
        let config = MockOrgConfig {
            records: 10_000,
            ..MockOrgConfig::default()
        };
        let report = seed_report(&config).expect("seeds");
        let accounts = report.rows.iter().find(|(o, _)| o == "Account");
        assert_eq!(accounts.map(|(_, n)| *n), Some(10_000));
        assert!(report.total_rows() >= 24_000, "{report:?}");
        assert!(report.bytes_per_row() < 400, "{report:?}");
        // A seeded Account packs into about 146 bytes (as a map: about 13 KB).
        let packed = report.row_bytes.iter().find(|(o, _)| o == "Account");
        assert!(packed.is_some_and(|(_, b)| *b / 10_000 < 200), "{report:?}");
        assert!(report.heap_bytes < 10 << 20, "{report:?}");
    }
}
