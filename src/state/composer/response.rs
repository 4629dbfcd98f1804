//! The response view: body or headers, the filter over the body, and jumps between finds.
//! The view's state (tab, filter, find, scroll) belongs to the response shown: another
//! response starts clean.

use crate::requests::body::{self, BodyKind, BodyText, filter_text};
use crate::requests::history::HistoryEntry;
use crate::requests::soap;
use crate::state::composer::job::ResponseView;

use super::{ComposerState, ResponseTab};

impl ResponseView {
    /// The response a history entry recorded: status, time, size, the content type (the only
    /// header kept) and the body preview (the whole body when it was not cut).
    pub fn recorded(entry: &HistoryEntry) -> ResponseView {
        let kind = body::kind_of(entry.content_type.as_deref(), entry.preview.as_bytes());
        let fault = match kind {
            BodyKind::Xml if !entry.truncated => match soap::parse_response(&entry.preview) {
                Ok(soap::SoapResponse::Fault(f)) => Some(f),
                _ => None,
            },
            _ => None,
        };
        ResponseView {
            status: entry.status,
            reason: entry.reason().to_string(),
            elapsed: entry.elapsed(),
            size: entry.size,
            headers: entry
                .content_type
                .iter()
                .map(|ct| ("content-type".to_string(), ct.clone()))
                .collect(),
            body: BodyText::new(kind, &entry.preview),
            raw: if entry.truncated {
                String::new()
            } else {
                entry.preview.clone()
            },
            file: None,
            fault,
            renewed: false,
        }
    }
}

impl ComposerState {
    /// Shows `response` (or none) with a clean view: the body tab, no filter, no find, at the
    /// top. It is a send's answer, or that of the request opened instead: a send still in
    /// flight then answered another request, so it only counts for the history and does not
    /// land under this one.
    pub(super) fn show_response(&mut self, response: Option<ResponseView>) {
        self.send = None;
        self.response = response;
        self.response_tab = ResponseTab::Body;
        self.filter = None;
        self.filter_error = None;
        self.find.clear();
        self.refresh_shown();
    }

    /// Applies the filter typed (none when empty) to the body; a filter that fails is not
    /// applied and its error is kept for the view and for the input to fix it.
    pub(super) fn apply_filter(&mut self, expr: String) {
        self.filter_error = None;
        self.filter = (!expr.is_empty()).then_some(expr);
        self.response_tab = ResponseTab::Body;
        self.refresh_shown();
    }

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
                        // Not applied: the view says why and claims no filter.
                        let body = r.body.clone();
                        self.filter = None;
                        self.filter_error = Some(e);
                        body
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
