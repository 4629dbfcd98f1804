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
//!
//! One file per layer: `arena` (bytes), `packed` (the row format), `ids` and `datetime` (the
//! compact forms of Ids and datetimes), `table` (one sObject's rows and indexes), `cursor`
//! (reading a row without decoding it); the [`Store`] of all tables is here.

mod arena;
mod cursor;
mod datetime;
mod ids;
mod packed;
mod table;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::schema::ObjectSchema;
use super::state::Shared;
use super::{MockOrgConfig, MockOrgError};

pub(crate) use cursor::RowCursor;
pub(crate) use datetime::format_datetime;
pub(crate) use table::Table;

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

#[cfg(test)]
mod tests {
    use super::*;

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
