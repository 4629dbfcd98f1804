//! The response view: body or headers, the filter over the body, and jumps between finds.

use crate::requests::body::{BodyKind, BodyText, filter_text};

use super::{ComposerState, ResponseTab};

impl ComposerState {
    pub(super) fn jump(&mut self, forward: bool) {
        if self.matches.is_empty() {
            return;
        }
        let next = if forward {
            self.matches
                .iter()
                .find(|m| **m > self.scroll)
                .or(self.matches.first())
        } else {
            self.matches
                .iter()
                .rev()
                .find(|m| **m < self.scroll)
                .or(self.matches.last())
        };
        if let Some(line) = next {
            self.scroll = *line;
        }
    }

    /// Rebuilds the shown lines from the response, the tab and the filter.
    pub(super) fn refresh_shown(&mut self) {
        self.scroll = 0;
        self.matches.clear();
        let Some(r) = &self.response else {
            self.shown = BodyText::from_lines(BodyKind::Text, Vec::new());
            return;
        };
        self.shown = match (self.response_tab, &self.filter) {
            (ResponseTab::Headers, _) => BodyText::from_lines(
                BodyKind::Text,
                r.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect(),
            ),
            (ResponseTab::Body, Some(expr)) => {
                let source = if r.raw.is_empty() {
                    r.body.joined()
                } else {
                    r.raw.clone()
                };
                match filter_text(&source, expr) {
                    Ok(text) => BodyText::new(BodyKind::Json, &text),
                    Err(e) => {
                        self.note = Some(e);
                        r.body.clone()
                    }
                }
            }
            (ResponseTab::Body, None) => r.body.clone(),
        };
        if !self.find.is_empty() {
            self.matches = self.shown.find(&self.find);
        }
    }
}
