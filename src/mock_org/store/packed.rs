//! The packed row format: value tags, varints, packing a row ([`Table`]'s encoder, with the
//! per-field dictionaries) and reading one back ([`Reader`]).

use std::borrow::Cow;

use serde_json::{Number, Value};

use super::super::state::push_json_str;
use super::datetime::{format_datetime, parse_datetime, write_datetime};
use super::ids::{mint_id, mint_id_bytes, minted_id};
use super::table::Table;

/// Texts up to this many bytes may be interned in a field's dictionary.
const DICT_MAX_LEN: usize = 40;
/// At most this many distinct texts per field are interned; later ones are stored inline.
const DICT_MAX_ENTRIES: usize = 512;

/// Value tags of the packed format.
pub(super) mod tag {
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

/// Reads a packed row.
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
    /// The last datetime read (for [`tag::DATETIME_DELTA`]).
    pub(super) last_dt: i64,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            at: 0,
            last_dt: 0,
        }
    }

    pub(super) fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    pub(super) fn varint(&mut self) -> Option<u64> {
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

    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }

    pub(super) fn text(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.varint()?).ok()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    /// The next field: its name and value.
    pub(super) fn entry<'t>(&mut self, table: &'t Table) -> Option<(Cow<'t, str>, Value)>
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

    pub(super) fn value(&mut self, table: &Table, slot: Option<usize>) -> Option<Value> {
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
    pub(super) fn write_json(
        &mut self,
        table: &Table,
        slot: Option<usize>,
        out: &mut Vec<u8>,
    ) -> Option<()> {
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
    pub(super) fn datetime(&mut self, t: u8) -> Option<i64> {
        let n = unzigzag(self.varint()?);
        let ms = if t == tag::DATETIME_DELTA {
            self.last_dt.wrapping_add(n)
        } else {
            n
        };
        self.last_dt = ms;
        Some(ms)
    }

    pub(super) fn skip_value(&mut self) -> Option<()> {
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
/// Writing rows.
impl Table {
    /// Packs `fields` into `out`; returns whether `IsDeleted` is true and the
    /// `SystemModstamp` in epoch milliseconds.
    pub(super) fn encode<'v>(
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
