//! `/` quick search narrows the loaded rows as you type: fuzzy over the shown cells of each
//! row, the matched characters highlighted, best match first (as the other lists filter). Enter then asks the org
//! (the name field contains the text), which also finds the rows not loaded yet.

use crate::state::fuzzy;

use super::rowstore::RowStore;

/// At most this many loaded rows are narrowed as you type (the first ones); enter searches
/// the org for all of them.
pub const NARROW_MAX_ROWS: usize = 100_000;

/// The loaded rows the typed text matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrowed {
    pub query: String,
    pub rows: Vec<NarrowedRow>,
    /// How many loaded rows were looked at.
    pub searched: usize,
}

/// One matching row: its index in the loaded rows and, per shown column, the matched
/// characters of the cell (char indices, ascending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NarrowedRow {
    pub row: usize,
    pub marks: Vec<(usize, Vec<usize>)>,
}

impl NarrowedRow {
    /// The matched characters of column `column`'s cell (empty: none).
    pub fn marks_of(&self, column: usize) -> &[usize] {
        self.marks
            .iter()
            .find(|(c, _)| *c == column)
            .map_or(&[], |(_, p)| p.as_slice())
    }
}

/// The rows of `rows` whose shown cells match `query` (None for an empty query: nothing to
/// narrow).
pub fn narrow(rows: &RowStore, columns: usize, query: &str) -> Option<Narrowed> {
    if query.trim().is_empty() {
        return None;
    }
    let searched = rows.len().min(NARROW_MAX_ROWS);
    // Each row as one text, its cells joined by a space (a space is never a matched
    // character: the query's words are matched separately).
    let texts = (0..searched).map(|row| {
        let text = (0..columns)
            .map(|c| rows.cell(row, c).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ");
        (row, text)
    });
    let hits = fuzzy::filter(query, texts);
    let rows = hits
        .into_iter()
        .map(|hit| NarrowedRow {
            row: hit.item,
            marks: split_marks(rows, hit.item, columns, &hit.positions),
        })
        .collect();
    Some(Narrowed {
        query: query.to_owned(),
        rows,
        searched,
    })
}

/// Positions in the joined text of a row → per-column positions in each cell.
fn split_marks(
    rows: &RowStore,
    row: usize,
    columns: usize,
    positions: &[usize],
) -> Vec<(usize, Vec<usize>)> {
    let mut marks: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut start = 0;
    for c in 0..columns {
        let len = rows.cell(row, c).map_or(0, |t| t.chars().count());
        let inside: Vec<usize> = positions
            .iter()
            .filter(|&&p| p >= start && p < start + len)
            .map(|&p| p - start)
            .collect();
        if !inside.is_empty() {
            marks.push((c, inside));
        }
        start += len + 1;
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(rows: &[[&str; 2]]) -> RowStore {
        let mut store = RowStore::new(vec!["Name".into(), "Industry".into()]);
        for (i, row) in rows.iter().enumerate() {
            let id = format!("001{i:015}");
            store.push(&id, row.iter().map(|c| Some(*c))).expect("fits");
        }
        store
    }

    #[test]
    fn keeps_the_matching_rows_best_first_and_marks_each_cell() {
        let rows = store(&[
            ["Acme", "Energy"],
            ["Globex", "Banking"],
            ["Edge Communications", "Electronics"],
        ]);
        let narrowed = narrow(&rows, 2, "ener").expect("a query");
        let mut found: Vec<usize> = narrowed.rows.iter().map(|r| r.row).collect();
        found.sort_unstable();
        assert_eq!(found, vec![0, 2], "{narrowed:?}");
        assert_eq!(narrowed.searched, 3);
        // "Acme Energy": the marked characters, cell by cell, spell what was typed.
        let acme = narrowed.rows.iter().find(|r| r.row == 0).expect("Acme");
        let marked: String = acme
            .marks
            .iter()
            .flat_map(|(c, p)| {
                let text = rows.cell(0, *c).unwrap_or("").to_owned();
                p.iter()
                    .map(move |&i| text.chars().nth(i).expect("in the cell"))
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(marked.to_lowercase(), "ener");
    }

    #[test]
    fn words_match_across_cells_and_nothing_matches_nothing() {
        let rows = store(&[["Acme", "Energy"], ["Globex", "Banking"]]);
        let narrowed = narrow(&rows, 2, "glob bank").expect("a query");
        assert_eq!(narrowed.rows.len(), 1);
        assert_eq!(narrowed.rows[0].row, 1);
        assert!(!narrowed.rows[0].marks_of(0).is_empty());
        assert!(!narrowed.rows[0].marks_of(1).is_empty());
        assert!(narrow(&rows, 2, "zzzq").expect("a query").rows.is_empty());
        assert_eq!(narrow(&rows, 2, "  "), None);
    }
}
