//! The Log tab: every HTTP exchange the app itself makes — record lists, detail saves,
//! describes, token requests, composer sends, each try of a retried call — newest first, at
//! most [`CAPACITY`], filterable as you type; one opens with its request and response, and
//! copies as curl (the token as `$SF_ACCESS_TOKEN`). The client masks the secrets before an
//! entry gets here ([`crate::sf::ApiCall`]).

use crate::state::list_cursor;
use std::collections::VecDeque;

use ratatui::crossterm::event::KeyEvent;

use super::fuzzy::{self, Hit};
use super::pane::{Pane, PaneCx, Reply};
use crate::action::Action;
use crate::effect::{Effect, RequestId};
use crate::keymap::Context;
use crate::msg::Outcome;
use crate::requests::curl;
use crate::requests::request::{RequestKind, ResolvedRequest};
use crate::sf::ApiCall;
use crate::state::text_input::TextInput;

/// How many calls the log keeps (the oldest go first).
pub const CAPACITY: usize = 500;

/// What the tab shows.
#[derive(Debug, Clone)]
pub enum Mode {
    /// The list over the selected call's preview.
    List,
    /// The filter line is open: the list follows each key.
    Filter(TextInput),
    /// The selected call, request and response, over the whole tab (scrolled this far).
    Detail { scroll: u16 },
}

/// The Log tab's state.
#[derive(Debug, Clone)]
pub struct ApiLogState {
    /// Newest first, at most [`CAPACITY`].
    pub entries: VecDeque<ApiCall>,
    /// The applied filter.
    pub filter: String,
    /// Index into [`ApiLogState::visible_hits`].
    pub selected: usize,
    pub mode: Mode,
    pub note: Option<String>,
    /// The copy job in flight: its outcome comes back here.
    pub copying: Option<RequestId>,
}

impl Default for ApiLogState {
    fn default() -> Self {
        ApiLogState {
            entries: VecDeque::new(),
            filter: String::new(),
            selected: 0,
            mode: Mode::List,
            note: None,
            copying: None,
        }
    }
}

/// The part of a call's URL a row shows: the path and query after the host.
pub fn shown_path(call: &ApiCall) -> &str {
    let url = call.url.as_str();
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[after_scheme + i..],
        None => url,
    }
}

/// The text a call is filtered by: its path, method and status.
fn filter_text_of(call: &ApiCall) -> String {
    let status = call
        .status
        .map_or_else(|| "failed".to_string(), |s| s.to_string());
    format!("{} {} {status}", shown_path(call), call.method)
}

/// Whether the request carried the access token (a data call) rather than the client's
/// credentials (a token request).
fn is_bearer(call: &ApiCall) -> bool {
    call.request_headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v.starts_with("Bearer "))
}

/// A call as a curl command: the token as `$SF_ACCESS_TOKEN` for a data call, the masked
/// fields of a token request as they were logged (`REDACTED`).
pub fn curl_of(call: &ApiCall) -> String {
    let kind = if shown_path(call).starts_with("/services/Soap/") {
        RequestKind::Soap
    } else {
        RequestKind::Rest
    };
    let request = ResolvedRequest {
        method: call.method.clone(),
        path: call.url.clone(),
        headers: call.request_headers.clone(),
        body: (!call.request_body.is_empty()).then(|| call.request_body.clone()),
        kind,
    };
    if is_bearer(call) {
        curl::to_curl(&request, "", "", false)
    } else {
        curl::to_curl_without_token(&request, "")
    }
}

impl ApiLogState {
    pub fn contexts(&self) -> Vec<Context> {
        match self.mode {
            Mode::Filter(_) => vec![Context::ComposerInput],
            Mode::List | Mode::Detail { .. } => vec![Context::Log, Context::List, Context::Global],
        }
    }

    /// The filter line has the keys.
    pub fn is_modal(&self) -> bool {
        matches!(self.mode, Mode::Filter(_))
    }

    /// The text the list is filtered by: as typed while the filter line is open, else the
    /// applied filter.
    pub fn filter_text(&self) -> &str {
        match &self.mode {
            Mode::Filter(input) => input.text().trim(),
            _ => &self.filter,
        }
    }

    /// The calls that match the filter (fuzzy, [`super::fuzzy`]): newest first without a
    /// filter, best match first with one; with the matched characters of each row's path.
    pub fn visible_hits(&self) -> Vec<Hit<&ApiCall>> {
        let query = self.filter_text();
        fuzzy::filter(query, self.entries.iter().map(|c| (c, filter_text_of(c))))
            .into_iter()
            .map(|hit| Hit {
                positions: fuzzy::positions(query, shown_path(hit.item)),
                item: hit.item,
            })
            .collect()
    }

    pub fn selected_call(&self) -> Option<&ApiCall> {
        self.visible_hits().get(self.selected).map(|h| h.item)
    }

    /// A call the client made: first in the list, the oldest dropped past [`CAPACITY`]. The
    /// selection stays on the call it was on unless it was on the newest.
    pub fn push(&mut self, call: ApiCall) {
        let shown = !fuzzy::filter(self.filter_text(), [((), filter_text_of(&call))]).is_empty();
        let keep_place = self.selected > 0 || matches!(self.mode, Mode::Detail { .. });
        self.entries.push_front(call);
        self.entries.truncate(CAPACITY);
        if shown && keep_place {
            self.selected += 1;
        }
        let last = self.visible_hits().len().saturating_sub(1);
        self.selected = self.selected.min(last);
    }

    pub fn update(&mut self, action: Action) -> Option<String> {
        match std::mem::replace(&mut self.mode, Mode::List) {
            Mode::Filter(input) => {
                match action {
                    Action::Submit => self.filter = input.text().trim().to_string(),
                    // Esc clears the filter.
                    Action::Cancel => self.filter.clear(),
                    _ => {
                        self.mode = Mode::Filter(input);
                        return None;
                    }
                }
                self.selected = 0;
                None
            }
            Mode::Detail { scroll } => {
                self.mode = match action {
                    Action::Up => Mode::Detail {
                        scroll: scroll.saturating_sub(1),
                    },
                    Action::Down => Mode::Detail {
                        scroll: scroll.saturating_add(1),
                    },
                    Action::PageUp => Mode::Detail {
                        scroll: scroll.saturating_sub(10),
                    },
                    Action::PageDown => Mode::Detail {
                        scroll: scroll.saturating_add(10),
                    },
                    Action::Top => Mode::Detail { scroll: 0 },
                    Action::Cancel | Action::OpenItem => Mode::List,
                    Action::ExportCurl => {
                        self.mode = Mode::Detail { scroll };
                        return self.copy_curl();
                    }
                    _ => Mode::Detail { scroll },
                };
                None
            }
            Mode::List => self.update_list(action),
        }
    }

    fn update_list(&mut self, action: Action) -> Option<String> {
        let len = self.visible_hits().len();
        match action {
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => self.selected = list_cursor::step(self.selected, len, action),
            Action::Find => self.mode = Mode::Filter(TextInput::new(self.filter.clone())),
            Action::Cancel if !self.filter.is_empty() => {
                self.filter.clear();
                self.selected = 0;
            }
            Action::OpenItem if self.selected_call().is_some() => {
                self.mode = Mode::Detail { scroll: 0 };
            }
            Action::ExportCurl => return self.copy_curl(),
            _ => {}
        }
        None
    }

    /// The selected call as curl, to copy; the note says what was copied.
    fn copy_curl(&mut self) -> Option<String> {
        let call = self.selected_call()?;
        let cut = call.request_size > call.request_body.len() as u64;
        let text = curl_of(call);
        self.note = Some(if cut {
            "Copying as curl (token as $SF_ACCESS_TOKEN; the body is cut at 64 KB)…".into()
        } else {
            "Copying as curl (token as $SF_ACCESS_TOKEN)…".into()
        });
        Some(text)
    }

    pub fn type_key(&mut self, key: KeyEvent) {
        if let Mode::Filter(input) = &mut self.mode
            && input.handle_key(key).changed()
        {
            self.selected = 0;
        }
    }
}

impl Pane for ApiLogState {
    fn contexts(&self) -> Vec<Context> {
        ApiLogState::contexts(self)
    }

    fn wants_text(&self) -> bool {
        self.is_modal()
    }

    fn type_key(&mut self, key: KeyEvent) {
        ApiLogState::type_key(self, key);
    }

    fn update(&mut self, action: Action, cx: &mut PaneCx<'_>) -> Reply {
        let Some(text) = ApiLogState::update(self, action) else {
            return Reply::effects(Vec::new());
        };
        let req = cx.ids.allocate();
        self.copying = Some(req);
        Reply::effects(vec![Effect::Copy { req, text }])
    }

    fn on_outcome(&mut self, req: RequestId, outcome: Outcome, _cx: &mut PaneCx<'_>) -> Reply {
        let Outcome::Copied(result) = outcome else {
            return Reply::unhandled();
        };
        if self.copying != Some(req) {
            return Reply::unhandled();
        }
        self.copying = None;
        self.note = Some(match result {
            Ok(()) => "Copied as curl: the token is $SF_ACCESS_TOKEN, set it to run it.".into(),
            Err(e) => format!("Not copied: {e}"),
        });
        Reply::effects(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn call(method: &str, path: &str, status: u16) -> ApiCall {
        ApiCall {
            at: jiff::Timestamp::UNIX_EPOCH,
            method: method.into(),
            url: format!("https://acme.my.salesforce.com{path}"),
            request_headers: vec![
                ("authorization".into(), "Bearer REDACTED".into()),
                ("accept".into(), "application/json".into()),
            ],
            request_body: String::new(),
            request_size: 0,
            status: Some(status),
            response_headers: vec![],
            response_body: "{}".into(),
            response_size: 2,
            duration: Duration::from_millis(12),
            attempt: 1,
            error: None,
        }
    }

    fn paths(state: &ApiLogState) -> Vec<String> {
        state
            .visible_hits()
            .iter()
            .map(|h| shown_path(h.item).to_string())
            .collect()
    }

    #[test]
    fn newest_first_and_bounded() {
        let mut state = ApiLogState::default();
        for i in 0..CAPACITY + 7 {
            state.push(call("GET", &format!("/services/data/v62.0/n{i}"), 200));
        }
        assert_eq!(state.entries.len(), CAPACITY);
        let shown = paths(&state);
        assert_eq!(shown[0], format!("/services/data/v62.0/n{}", CAPACITY + 6));
        assert_eq!(shown[CAPACITY - 1], "/services/data/v62.0/n7");
    }

    #[test]
    fn the_selection_stays_on_its_call_as_new_ones_arrive() {
        let mut state = ApiLogState::default();
        state.push(call("GET", "/a", 200));
        state.push(call("GET", "/b", 200));
        state.update(Action::Down);
        assert_eq!(state.selected_call().map(shown_path), Some("/a"));
        state.push(call("GET", "/c", 200));
        assert_eq!(state.selected_call().map(shown_path), Some("/a"));
        state.update(Action::Top);
        state.push(call("GET", "/d", 200));
        assert_eq!(state.selected_call().map(shown_path), Some("/d"));
    }

    #[test]
    fn filter_as_you_type_highlights_and_esc_clears() {
        let mut state = ApiLogState::default();
        state.push(call(
            "GET",
            "/services/data/v62.0/sobjects/Account/describe",
            200,
        ));
        state.push(call("GET", "/services/data/v62.0/query?q=SELECT", 200));
        state.push(call("POST", "/services/oauth2/token", 400));
        state.update(Action::Find);
        assert!(state.is_modal());
        for c in "dscr".chars() {
            state.type_key(KeyEvent::from(ratatui::crossterm::event::KeyCode::Char(c)));
        }
        let hits = state.visible_hits();
        assert_eq!(hits.len(), 1, "{:?}", paths(&state));
        assert!(!hits[0].positions.is_empty());
        state.update(Action::Submit);
        assert_eq!(state.filter, "dscr");
        assert_eq!(paths(&state).len(), 1);
        state.update(Action::Cancel);
        assert!(state.filter.is_empty());
        assert_eq!(paths(&state).len(), 3);
        // The status is matched too.
        state.update(Action::Find);
        state.type_key(KeyEvent::from(ratatui::crossterm::event::KeyCode::Char(
            '4',
        )));
        assert_eq!(paths(&state), vec!["/services/oauth2/token"]);
        state.update(Action::Cancel);
        assert!(state.filter.is_empty());
    }

    #[test]
    fn enter_opens_the_call_and_esc_goes_back() {
        let mut state = ApiLogState::default();
        state.update(Action::OpenItem);
        assert!(matches!(state.mode, Mode::List), "nothing to open");
        state.push(call("GET", "/a", 200));
        state.update(Action::OpenItem);
        state.update(Action::Down);
        assert!(matches!(state.mode, Mode::Detail { scroll: 1 }));
        state.update(Action::Cancel);
        assert!(matches!(state.mode, Mode::List));
    }

    #[test]
    fn curl_never_holds_a_token() {
        let mut state = ApiLogState::default();
        let mut data = call("POST", "/services/data/v62.0/sobjects/Account", 201);
        data.request_body = "{\"Name\":\"Acme\"}".into();
        data.request_size = data.request_body.len() as u64;
        state.push(data);
        let text = state.update(Action::ExportCurl).expect("copied");
        assert!(text.contains("\"$SF_ACCESS_TOKEN\""), "{text}");
        assert!(
            text.contains("--data-binary '{\"Name\":\"Acme\"}'"),
            "{text}"
        );
        assert!(!text.contains("REDACTED"), "{text}");

        let mut token = call("POST", "/services/oauth2/token", 200);
        token.request_headers = vec![(
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        )];
        token.request_body = "grant_type=client_credentials&client_secret=REDACTED".into();
        let text = curl_of(&token);
        assert!(!text.contains("Authorization"), "{text}");
        assert!(text.contains("client_secret=REDACTED"), "{text}");
    }
}
