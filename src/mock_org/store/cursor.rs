//! [`RowCursor`]: one walk over a packed row locates its fields, which are then written as
//! JSON or read as text in any order without decoding the row.

use super::super::state::push_json_str_contents;
use super::datetime::write_datetime;
use super::ids::mint_id_bytes;
use super::packed::{Reader, tag};
use super::table::Table;

/// A minted Id: key prefix, sequence number and its 18 characters.
type MintedId = ([u8; 3], u64, [u8; 18]);

/// One row's describe fields located by a single walk over its packed bytes, to write their
/// values as JSON (or read them as text) in any order without decoding the row.
#[derive(Debug)]
pub(crate) struct RowCursor<'a> {
    pub(super) table: &'a Table,
    pub(super) bytes: &'a [u8],
    /// Bumped by every [`RowCursor::seek`]: an entry of `at` from another generation is absent.
    pub(super) generation: u32,
    /// Per describe field: the generation it was found in, the offset of its value's tag and
    /// the datetime read before it (for [`tag::DATETIME_DELTA`]).
    pub(super) at: Vec<(u32, u32, i64)>,
    /// The fields [`RowCursor::seek`] looks for (all when empty): the walk stops once it
    /// has seen them.
    pub(super) wanted: Vec<bool>,
    pub(super) wanted_count: usize,
    /// Whether the last walk read the whole row and found no field the describe lacks.
    pub(super) no_named: bool,
    /// The last Id minted for a value (prefix, sequence number, text): a query page writes
    /// each row's Id twice (`attributes.url` and the `Id` field).
    pub(super) minted: std::cell::Cell<Option<MintedId>>,
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
    pub(super) fn mint(&self, prefix: &[u8], seq: u64) -> Option<[u8; 18]> {
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
