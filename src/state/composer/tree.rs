//! The tree of saved requests: folders (collapsible) and requests as the rows of the list,
//! filtered as you type (`/`, fuzzy on `folder/name`, [`crate::state::fuzzy`]): the folders
//! holding a match stay shown, opened, with their matching requests.

use std::collections::BTreeMap;

use crate::requests::request::SavedRequest;
use crate::state::fuzzy::{self, Hit};

use super::{ComposerState, Mode, Purpose, Row, full_name};

impl ComposerState {
    /// The text the tree is filtered by: as typed while the filter line is open (the tree
    /// follows each key), else the applied filter.
    pub fn tree_filter_text(&self) -> &str {
        match &self.mode {
            Mode::Input {
                purpose: Purpose::TreeFilter,
                input,
            } => input.text().trim(),
            _ => &self.tree_filter,
        }
    }

    /// The rows of the request list: folders (collapsible) and requests.
    pub fn rows(&self) -> Vec<Row> {
        self.row_hits().into_iter().map(|hit| hit.item).collect()
    }

    /// The rows with the characters of their label the filter matched (a folder's: those of
    /// its first matching request's `folder/name` that fall in the folder's name).
    pub fn row_hits(&self) -> Vec<Hit<Row>> {
        let query = self.tree_filter_text();
        let filtering = !query.is_empty();
        // Request index → the matched characters of its `folder/name`.
        let matched: BTreeMap<usize, Vec<usize>> = if filtering {
            fuzzy::filter(
                query,
                self.requests
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (i, full_name(r))),
            )
            .into_iter()
            .map(|hit| (hit.item, hit.positions))
            .collect()
        } else {
            BTreeMap::new()
        };
        let mut rows = Vec::new();
        let mut previous: &[String] = &[];
        for (index, r) in self.requests.iter().enumerate() {
            let positions = match matched.get(&index) {
                Some(p) => p.as_slice(),
                None if filtering => continue,
                None => &[],
            };
            let common = previous
                .iter()
                .zip(&r.folder)
                .take_while(|(a, b)| a == b)
                .count();
            for depth in common..r.folder.len() {
                let path = r.folder[..=depth].to_vec();
                if !filtering && self.hidden(&path[..depth]) {
                    break;
                }
                let collapsed = !filtering && self.collapsed.contains(&path);
                rows.push(Hit {
                    item: Row::Folder { path, collapsed },
                    positions: segment(positions, &r.folder, depth),
                });
            }
            previous = &r.folder;
            if filtering || !self.hidden(&r.folder) {
                rows.push(Hit {
                    item: Row::Request {
                        index,
                        depth: r.folder.len(),
                    },
                    positions: segment(positions, &r.folder, r.folder.len()),
                });
            }
        }
        rows
    }

    /// Whether something inside `folder` is hidden by a collapsed ancestor (or `folder` itself).
    fn hidden(&self, folder: &[String]) -> bool {
        (1..=folder.len()).any(|n| self.collapsed.contains(&folder[..n]))
    }

    pub(super) fn select_request(&mut self, request: &SavedRequest) {
        if let Some(at) = self.rows().iter().position(|row| match row {
            Row::Request { index, .. } => self
                .requests
                .get(*index)
                .is_some_and(|r| r.name == request.name && r.folder == request.folder),
            Row::Folder { .. } => false,
        }) {
            self.selected = at;
        }
    }

    /// The first request of the tree as filtered now (what enter opens after a filter).
    pub(super) fn select_first_request(&mut self) {
        self.selected = self
            .rows()
            .iter()
            .position(|row| matches!(row, Row::Request { .. }))
            .unwrap_or(0);
    }
}

/// The positions among `positions` (chars of `folder/…/name`) that fall in part `part` (the
/// folder at that depth, or the name after the last folder), relative to that part.
fn segment(positions: &[usize], folder: &[String], part: usize) -> Vec<usize> {
    let start: usize = folder[..part].iter().map(|f| f.chars().count() + 1).sum();
    let len = folder.get(part).map_or(usize::MAX, |f| f.chars().count());
    positions
        .iter()
        .filter(|&&p| p >= start && p - start < len)
        .map(|p| p - start)
        .collect()
}
