//! The History tab: every sent request with its response (status, time, size, body preview),
//! newest first, filterable; a request can be opened in the composer or sent again with the
//! current profile or another one (picked from the profiles).

use crate::state::list_cursor;
use ratatui::crossterm::event::KeyEvent;

use super::fuzzy::{self, Hit};
use crate::action::Action;
use crate::config::profiles::Profile;
use crate::keymap::Context;
use crate::requests::body::{self, BodyText};
use crate::requests::history::HistoryEntry;
use crate::requests::request::SavedRequest;
use crate::state::composer::job::ResponseView;
use crate::state::text_input::TextInput;

/// An entry's body preview split into pretty lines (a cut JSON preview is re-indented anyway).
fn preview(entry: &HistoryEntry) -> BodyText {
    let kind = body::kind_of(entry.content_type.as_deref(), entry.preview.as_bytes());
    BodyText::new(kind, &entry.preview)
}

/// A popup or input over the list.
#[derive(Debug, Clone)]
pub enum Mode {
    List,
    Filter(TextInput),
    /// Pick the profile to replay the selected entry with.
    PickProfile {
        selected: usize,
    },
}

/// A job of the History tab.
#[derive(Debug, Clone)]
pub enum HistoryJob {
    /// Read the history file.
    Load,
    /// Send an entry's request again: with the connected profile, or with `profile`.
    Replay {
        request: Box<SavedRequest>,
        profile: Option<Box<Profile>>,
    },
}

impl HistoryJob {
    /// What the status bar says while the job runs.
    pub fn label(&self) -> String {
        match self {
            HistoryJob::Load => "reading history".into(),
            HistoryJob::Replay { request, .. } => {
                format!("{} {} (again)", request.method, request.path)
            }
        }
    }
}

/// What a [`HistoryJob`] produced.
#[derive(Debug)]
pub enum HistoryOutcome {
    Loaded(Result<Vec<HistoryEntry>, String>),
    /// The entry of the replayed send is recorded like any send.
    Replayed {
        result: Result<Box<ResponseView>, String>,
        entry: Option<Box<HistoryEntry>>,
    },
}

/// What the history asks the model to do.
#[derive(Debug)]
pub enum Command {
    Job(HistoryJob),
    /// Open the entry in the Composer tab: its request and the response it recorded.
    Open(Box<HistoryEntry>),
}

#[derive(Debug, Clone)]
pub struct HistoryState {
    /// Newest first.
    pub entries: Vec<HistoryEntry>,
    /// Each entry's body preview, pretty-printed once (same order as `entries`).
    pub previews: Vec<BodyText>,
    pub filter: String,
    /// Index into [`HistoryState::visible`].
    pub selected: usize,
    pub mode: Mode,
    pub loaded: bool,
    pub note: Option<String>,
}

impl Default for HistoryState {
    fn default() -> Self {
        HistoryState {
            entries: Vec::new(),
            previews: Vec::new(),
            filter: String::new(),
            selected: 0,
            mode: Mode::List,
            loaded: false,
            note: None,
        }
    }
}

/// The part of an entry's URL its row shows: the path after the instance.
pub fn shown_path(e: &HistoryEntry) -> &str {
    e.url.strip_prefix(&e.instance_url).unwrap_or(&e.url)
}

impl HistoryState {
    pub fn contexts(&self) -> Vec<Context> {
        match self.mode {
            Mode::Filter(_) => vec![Context::ComposerInput],
            Mode::PickProfile { .. } => vec![Context::ComposerPopup],
            Mode::List => vec![Context::History, Context::List, Context::Global],
        }
    }

    pub fn is_modal(&self) -> bool {
        !matches!(self.mode, Mode::List)
    }

    /// The text the list is filtered by: as typed while the filter line is open (the list
    /// follows each key), else the applied filter.
    pub fn filter_text(&self) -> &str {
        match &self.mode {
            Mode::Filter(input) => input.text().trim(),
            _ => &self.filter,
        }
    }

    /// The entries that match the filter (fuzzy, [`super::fuzzy`]): newest first without a
    /// filter, best match first with one; with the matched characters of each row's path.
    pub fn visible_hits(&self) -> Vec<Hit<&HistoryEntry>> {
        let hits = fuzzy::filter(
            self.filter_text(),
            self.entries.iter().map(|e| {
                let name = e.name.as_deref().unwrap_or("");
                let text = format!("{} {} {} {name}", shown_path(e), e.method, e.status);
                (e, text)
            }),
        );
        let query = self.filter_text();
        hits.into_iter()
            .map(|hit| Hit {
                positions: fuzzy::positions(query, shown_path(hit.item)),
                item: hit.item,
            })
            .collect()
    }

    /// The entries that match the filter, in [`HistoryState::visible_hits`] order.
    pub fn visible(&self) -> Vec<&HistoryEntry> {
        self.visible_hits().into_iter().map(|h| h.item).collect()
    }

    pub fn selected_entry(&self) -> Option<&HistoryEntry> {
        self.visible().get(self.selected).copied()
    }

    /// The pretty-printed preview of the selected entry.
    pub fn selected_preview(&self) -> Option<&BodyText> {
        let entry = self.selected_entry()?;
        let at = self.entries.iter().position(|e| std::ptr::eq(e, entry))?;
        self.previews.get(at)
    }

    /// The first read of the history file.
    pub fn load(&mut self) -> Vec<Command> {
        self.loaded = true;
        vec![Command::Job(HistoryJob::Load)]
    }

    pub fn update(&mut self, action: Action, profiles: &[Profile]) -> Vec<Command> {
        match std::mem::replace(&mut self.mode, Mode::List) {
            Mode::Filter(input) => {
                match action {
                    Action::Submit => {
                        self.filter = input.text().trim().to_string();
                        self.selected = 0;
                    }
                    // Esc clears the filter.
                    Action::Cancel => {
                        self.filter.clear();
                        self.selected = 0;
                    }
                    _ => self.mode = Mode::Filter(input),
                }
                Vec::new()
            }
            Mode::PickProfile { mut selected } => {
                match action {
                    Action::Up => selected = selected.saturating_sub(1),
                    Action::Down => selected = (selected + 1).min(profiles.len().saturating_sub(1)),
                    Action::Submit => {
                        let (Some(entry), Some(profile)) =
                            (self.selected_entry(), profiles.get(selected))
                        else {
                            return Vec::new();
                        };
                        let job = HistoryJob::Replay {
                            request: Box::new(entry.replay()),
                            profile: Some(Box::new(profile.clone())),
                        };
                        self.note = Some(format!("Replaying with {}…", profile.name));
                        return vec![Command::Job(job)];
                    }
                    Action::Cancel => return Vec::new(),
                    _ => {}
                }
                self.mode = Mode::PickProfile { selected };
                Vec::new()
            }
            Mode::List => self.update_list(action, profiles),
        }
    }

    fn update_list(&mut self, action: Action, profiles: &[Profile]) -> Vec<Command> {
        let len = self.visible().len();
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
            Action::OpenItem => {
                if let Some(entry) = self.selected_entry() {
                    return vec![Command::Open(Box::new(entry.clone()))];
                }
            }
            Action::Replay => {
                if let Some(entry) = self.selected_entry() {
                    let job = HistoryJob::Replay {
                        request: Box::new(entry.replay()),
                        profile: None,
                    };
                    self.note = Some("Replaying with the current profile…".into());
                    return vec![Command::Job(job)];
                }
            }
            Action::ReplayWith if self.selected_entry().is_some() && !profiles.is_empty() => {
                self.mode = Mode::PickProfile { selected: 0 };
            }
            _ => {}
        }
        Vec::new()
    }

    pub fn type_key(&mut self, key: KeyEvent) {
        if let Mode::Filter(input) = &mut self.mode
            && input.handle_key(key).changed()
        {
            self.selected = 0;
        }
    }

    /// A new entry (a request was just sent).
    pub fn push(&mut self, entry: HistoryEntry) {
        self.previews.insert(0, preview(&entry));
        self.entries.insert(0, entry);
        if self.selected > 0 {
            self.selected += 1;
        }
    }

    /// A job finished (the entry of a replay is pushed by the model, like any send's).
    pub fn on_outcome(&mut self, outcome: HistoryOutcome) {
        match outcome {
            HistoryOutcome::Loaded(Ok(entries)) => {
                self.previews = entries.iter().map(preview).collect();
                self.entries = entries;
                self.selected = 0;
            }
            HistoryOutcome::Loaded(Err(e)) => self.note = Some(format!("History not read: {e}")),
            HistoryOutcome::Replayed { result, .. } => {
                self.note = match result {
                    Ok(view) => Some(format!("Sent again: HTTP {} {}", view.status, view.reason)),
                    Err(e) => Some(format!("Send failed: {e}")),
                };
            }
        }
    }
}
