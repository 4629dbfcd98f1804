//! The tree of saved requests: folders (collapsible) and requests as the rows of the list.

use crate::requests::request::SavedRequest;

use super::{ComposerState, Row};

impl ComposerState {
    /// The rows of the request list: folders (collapsible) and requests.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        let mut previous: &[String] = &[];
        for (index, r) in self.requests.iter().enumerate() {
            let common = previous
                .iter()
                .zip(&r.folder)
                .take_while(|(a, b)| a == b)
                .count();
            for depth in common..r.folder.len() {
                let path = r.folder[..=depth].to_vec();
                if self.hidden(&path[..depth]) {
                    break;
                }
                let collapsed = self.collapsed.contains(&path);
                rows.push(Row::Folder { path, collapsed });
            }
            previous = &r.folder;
            if !self.hidden(&r.folder) {
                rows.push(Row::Request {
                    index,
                    depth: r.folder.len(),
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
}
