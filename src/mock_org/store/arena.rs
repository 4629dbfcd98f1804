//! The byte arena of one sObject's packed rows: rows appended back to back in 1 MiB chunks,
//! each found by its [`Span`].

/// Flag in [`Span::len`]: the row is removed (a rolled-back create) and invisible.
pub(super) const REMOVED: u32 = 1 << 31;

/// Where one row lives in the arena.
#[derive(Debug, Clone, Copy)]
pub(super) struct Span {
    /// Chunk index << [`CHUNK_BITS`] | offset in the chunk.
    pub(super) start: u32,
    /// Byte length; [`REMOVED`] set for a removed row.
    pub(super) len: u32,
}

/// Rows are appended to chunks of 1 MiB (a longer row gets a chunk of its own), so the arena
/// grows without copying (but for the first chunk, which starts small) and wastes at most one
/// chunk.
const CHUNK_BITS: u32 = 20;

pub(super) const CHUNK: usize = 1 << CHUNK_BITS;

/// The starting capacity of an sObject's first chunk.
const FIRST_CHUNK: usize = 16 << 10;

/// At most this many chunks (4 GiB of rows per sObject).
const MAX_CHUNKS: usize = 1 << (32 - CHUNK_BITS);

/// Packed rows, back to back in chunks.
#[derive(Debug, Default)]
pub(super) struct Arena {
    pub(super) chunks: Vec<Vec<u8>>,
    /// Bytes appended (rows replaced or removed since included).
    pub(super) used: usize,
}

impl Arena {
    pub(super) fn get(&self, span: Span) -> &[u8] {
        let chunk = (span.start >> CHUNK_BITS) as usize;
        let start = (span.start & (CHUNK as u32 - 1)) as usize;
        let end = start + (span.len & !REMOVED) as usize;
        self.chunks
            .get(chunk)
            .and_then(|c| c.get(start..end))
            .unwrap_or_default()
    }

    /// Appends `bytes`; `None` when the arena is full.
    pub(super) fn push(&mut self, bytes: &[u8]) -> Option<Span> {
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

    pub(super) fn capacity(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum()
    }
}
