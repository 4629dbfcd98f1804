//! The Composer tab: saved requests in folders beside an editor (method, path, params, headers,
//! body) and the response view. Pure: background work is asked for with [`ComposerJob`]s that the
//! [`crate::state::Model`] spawns; results come back through [`ComposerState::on_outcome`].
//!
//! This file holds the tab's state, its modes and their keys; the tree of saved requests, the
//! actions outside any popup, the one-line inputs, the response view and the job results live
//! in the files beside it.

mod actions;
mod in_place;
mod input;
pub mod job;
mod outcome;
mod response;
mod tree;
mod undo;

pub use crate::state::text_area::TextArea;
pub use in_place::query_string;

use std::collections::BTreeSet;

use ratatui::crossterm::event::KeyEvent;

use crate::action::Action;
use crate::keymap::Context;
use crate::requests::body::{BodyKind, BodyText, FilterError};
use crate::requests::history::HistoryEntry;
use crate::requests::request::{SavedRequest, Variables};
use crate::requests::soap::Wsdl;
use crate::state::composer::job::{ComposerJob, ResponseView, Undo};
use crate::state::path_input::PathInput;
use crate::state::text_input::TextInput;

/// HTTP methods in the order `m` cycles through them.
pub const METHODS: [&str; 5] = ["GET", "POST", "PATCH", "PUT", "DELETE"];

/// The quick path prefixes `ctrl-t` cycles through (`{{api_version}}` is the session's).
pub const PREFIXES: [&str; 3] = [
    "/services/apexrest/",
    "/services/data/v{{api_version}}/",
    "/services/Soap/class/",
];

/// The three parts of the tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Requests,
    Editor,
    Response,
}

/// A row of the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Method,
    Path,
    Param(usize),
    Header(usize),
    Body,
    /// The send button.
    Send,
}

/// Which table a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Params,
    Headers,
}

/// A cell of a param or header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Name,
    Value,
}

/// What is edited in place, where the editor shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spot {
    /// The path in the request bar.
    Path,
    /// A cell of the row `index` of a table.
    Cell(Table, usize, Column),
}

/// What a one-line input is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    NewRequest,
    Rename,
    Duplicate,
    /// The request tree's filter, applied as it is typed.
    TreeFilter,
    Find,
    Filter,
    SaveBody,
    Wsdl,
    ImportCollection,
    ImportEnvironment,
    Variable,
}

impl Purpose {
    /// The prompt shown before the input.
    pub fn label(&self) -> &'static str {
        match self {
            Purpose::NewRequest => "new request (folder/name)",
            Purpose::Rename => "rename (folder/name)",
            Purpose::Duplicate => "duplicate as (folder/name)",
            Purpose::TreeFilter => "filter requests",
            Purpose::Find => "find",
            Purpose::Filter => "filter (.records[0].Name)",
            Purpose::SaveBody => "save body to",
            Purpose::Wsdl => "WSDL: Apex class on the org, or a file path",
            Purpose::ImportCollection => "Postman collection file",
            Purpose::ImportEnvironment => "Postman environment file",
            Purpose::Variable => "variable (name=value)",
        }
    }

    /// Whether tab completes `text` as a file path: in the file prompts, and in the WSDL
    /// source when it looks like a path (not an Apex class name).
    pub fn completes(&self, text: &str) -> bool {
        match self {
            Purpose::SaveBody | Purpose::ImportCollection | Purpose::ImportEnvironment => true,
            Purpose::Wsdl => text.contains(['/', '.', '~']),
            _ => false,
        }
    }
}

/// A popup or input over the composer.
#[derive(Debug, Clone)]
pub enum Mode {
    Normal,
    /// A one-line input; a file path completes with tab ([`Purpose::completes`]).
    Input {
        purpose: Purpose,
        input: PathInput,
    },
    Body(TextArea),
    /// Editing the path or a cell where the editor shows it: the draft follows every key;
    /// esc puts back the draft as it was before (`before`).
    InPlace {
        spot: Spot,
        input: TextInput,
        before: Box<SavedRequest>,
    },
    ConfirmDelete,
    /// Pick an operation of a loaded WSDL.
    PickOperation {
        source: String,
        wsdl: Box<Wsdl>,
        selected: usize,
    },
    /// A text to read (import report, curl command).
    Report {
        title: String,
        lines: Vec<String>,
        scroll: usize,
    },
}

/// A row of the request list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Folder { path: Vec<String>, collapsed: bool },
    Request { index: usize, depth: usize },
}

/// What the response view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseTab {
    Body,
    Headers,
}

/// What the composer asks the model to do.
#[derive(Debug)]
#[expect(clippy::large_enum_variant, reason = "short-lived, one at a time")]
pub enum Command {
    Job(ComposerJob),
    /// Open the profiles form with this new profile (a Postman environment import).
    NewProfile(
        Box<crate::config::profiles::Profile>,
        Option<secrecy::SecretString>,
    ),
    /// Edit the body in `$EDITOR` (text, file extension).
    Editor(String, &'static str),
    /// Copy text to the clipboard.
    Copy(String),
}

#[derive(Debug, Clone)]
pub struct ComposerState {
    pub requests: Vec<SavedRequest>,
    pub list_errors: Vec<String>,
    pub collapsed: BTreeSet<Vec<String>>,
    /// Index into [`ComposerState::rows`].
    pub selected: usize,
    pub section: Section,
    /// The request being edited.
    pub draft: SavedRequest,
    /// The stored version of the draft (`None`: not saved yet).
    pub original: Option<SavedRequest>,
    pub field: Field,
    pub mode: Mode,
    /// The profile's user variables.
    pub variables: Variables,
    pub response: Option<ResponseView>,
    /// The lines shown: the body, the filter's result or the headers.
    pub shown: BodyText,
    pub response_tab: ResponseTab,
    /// The filter applied to the body (only one that worked).
    pub filter: Option<String>,
    /// The last filter typed, when it failed (not applied).
    pub filter_error: Option<FilterError>,
    pub scroll: usize,
    pub find: String,
    pub matches: Vec<usize>,
    /// The composer's send in flight (set by the model when it spawns the job; a history replay
    /// is not the composer's).
    pub send: Option<crate::effect::RequestId>,
    /// `$EDITOR` open on the body (`ctrl-e`): its answer is awaited under this id.
    pub editing: Option<crate::effect::RequestId>,
    /// A copy to the clipboard whose answer is awaited.
    pub copying: Option<crate::effect::RequestId>,
    /// The latest message of the tab (errors, "saved", "renewed the token").
    pub note: Option<String>,
    /// The saved requests have been read once.
    pub loaded: bool,
    /// The WSDL loaded last (its source), for the editor's title.
    pub wsdl: Option<String>,
    /// The profile whose user variables are shown.
    pub variables_of: Option<String>,
    /// Enter was pressed once on this request while the draft had unsaved changes.
    discard_armed: Option<usize>,
    /// The request tree's applied filter (fuzzy; empty: every request).
    pub tree_filter: String,
    /// Creates, renames, duplicates and deletes that `u` takes back, the last one last.
    pub undo: Vec<Undo>,
}

impl Default for ComposerState {
    fn default() -> Self {
        ComposerState::new()
    }
}

fn new_draft() -> SavedRequest {
    SavedRequest::new("untitled", "GET", "/services/apexrest/")
}

impl ComposerState {
    /// Whether a send of the composer is in flight.
    pub fn is_sending(&self) -> bool {
        self.send.is_some()
    }

    pub fn new() -> ComposerState {
        ComposerState {
            requests: Vec::new(),
            list_errors: Vec::new(),
            collapsed: BTreeSet::new(),
            selected: 0,
            section: Section::Requests,
            draft: new_draft(),
            original: None,
            field: Field::Path,
            mode: Mode::Normal,
            variables: Variables::new(),
            response: None,
            shown: BodyText::from_lines(BodyKind::Text, Vec::new()),
            response_tab: ResponseTab::Body,
            filter: None,
            filter_error: None,
            scroll: 0,
            find: String::new(),
            matches: Vec::new(),
            send: None,
            editing: None,
            copying: None,
            note: None,
            loaded: false,
            wsdl: None,
            variables_of: None,
            discard_armed: None,
            tree_filter: String::new(),
            undo: Vec::new(),
        }
    }

    /// The key contexts, most specific first (the composer has the keyboard).
    pub fn contexts(&self) -> Vec<Context> {
        match &self.mode {
            Mode::Input { .. } => vec![Context::ComposerInput],
            Mode::InPlace { .. } => vec![Context::ComposerInline],
            Mode::Body(_) => vec![Context::ComposerBody],
            Mode::ConfirmDelete => vec![Context::Confirm],
            Mode::PickOperation { .. } | Mode::Report { .. } => vec![Context::ComposerPopup],
            Mode::Normal => {
                let own = match self.section {
                    Section::Requests => None,
                    Section::Editor => Some(Context::ComposerEditor),
                    Section::Response => Some(Context::ComposerResponse),
                };
                own.into_iter()
                    .chain([Context::Composer, Context::List, Context::Global])
                    .collect()
            }
        }
    }

    /// Whether the composer shows a popup or takes typed text (then it gets every key).
    pub fn is_modal(&self) -> bool {
        !matches!(self.mode, Mode::Normal)
    }

    /// Whether unbound keys are typed (a one-line input, an in-place edit, the body).
    pub fn wants_text(&self) -> bool {
        matches!(
            self.mode,
            Mode::Input { .. } | Mode::InPlace { .. } | Mode::Body(_)
        )
    }

    /// The fields of the editor in order (an empty table has one: its "a adds" line).
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = vec![Field::Method, Field::Path];
        fields.extend((0..self.draft.params.len().max(1)).map(Field::Param));
        fields.extend((0..self.draft.headers.len().max(1)).map(Field::Header));
        fields.push(Field::Body);
        fields.push(Field::Send);
        fields
    }

    /// Whether the draft differs from its stored version (an unsaved draft: from a new one).
    pub fn is_dirty(&self) -> bool {
        match &self.original {
            Some(stored) => *stored != self.draft,
            None => self.draft != new_draft(),
        }
    }

    /// The first read of the saved requests (when the tab is first shown).
    pub fn load(&mut self, profile: Option<&str>) -> Vec<Command> {
        self.loaded = true;
        self.variables_of = profile.map(str::to_string);
        vec![Command::Job(ComposerJob::List {
            profile: profile.map(str::to_string),
        })]
    }

    /// Applies an action; `profile` is the connected profile's name.
    pub fn update(&mut self, action: Action, profile: Option<&str>) -> Vec<Command> {
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Normal => self.update_normal(action, profile),
            Mode::Input { purpose, input } => self.update_input(action, purpose, input, profile),
            Mode::InPlace {
                spot,
                input,
                before,
            } => self.update_in_place(action, spot, input, before, profile),
            Mode::Body(area) => match action {
                Action::Cancel => {
                    self.set_body(area.text());
                    Vec::new()
                }
                Action::SendRequest | Action::SaveRequest | Action::ExternalEditor => {
                    self.set_body(area.text());
                    self.update_normal(action, profile)
                }
                _ => {
                    self.mode = Mode::Body(area);
                    Vec::new()
                }
            },
            Mode::ConfirmDelete => match action {
                Action::Confirm => match self.original.clone() {
                    Some(request) => vec![Command::Job(ComposerJob::Delete {
                        request,
                        change: job::Change::Delete,
                    })],
                    None => {
                        self.draft = new_draft();
                        Vec::new()
                    }
                },
                Action::Deny | Action::Cancel => Vec::new(),
                _ => {
                    self.mode = Mode::ConfirmDelete;
                    Vec::new()
                }
            },
            Mode::PickOperation {
                source,
                wsdl,
                mut selected,
            } => {
                let count = wsdl.operations.len();
                match action {
                    Action::Up => selected = selected.saturating_sub(1),
                    Action::Down => selected = (selected + 1).min(count.saturating_sub(1)),
                    Action::Submit => {
                        self.use_operation(&source, &wsdl, selected);
                        return Vec::new();
                    }
                    Action::Cancel => return Vec::new(),
                    _ => {}
                }
                self.mode = Mode::PickOperation {
                    source,
                    wsdl,
                    selected,
                };
                Vec::new()
            }
            Mode::Report {
                title,
                lines,
                mut scroll,
            } => {
                match action {
                    Action::Up => scroll = scroll.saturating_sub(1),
                    Action::Down => scroll = (scroll + 1).min(lines.len().saturating_sub(1)),
                    Action::Submit | Action::Cancel => return Vec::new(),
                    _ => {}
                }
                self.mode = Mode::Report {
                    title,
                    lines,
                    scroll,
                };
                Vec::new()
            }
        }
    }

    fn set_body(&mut self, text: String) {
        self.draft.body = if text.trim().is_empty() {
            None
        } else {
            Some(text)
        };
    }

    fn input(&mut self, purpose: Purpose, value: String) {
        self.mode = Mode::Input {
            purpose,
            input: PathInput::new(value),
        };
    }

    /// Unbound keys: typed into the input, the spot edited in place or the body.
    pub fn type_key(&mut self, key: KeyEvent) {
        let changed = match &mut self.mode {
            Mode::Input { input, .. } => input.type_key(key),
            Mode::InPlace { input, .. } => input.handle_key(key).changed(),
            Mode::Body(area) => {
                area.key(key);
                false
            }
            _ => false,
        };
        if changed {
            self.typed();
        }
    }

    /// Pasted text goes into the input, the spot edited in place or the body.
    pub fn paste(&mut self, text: &str) {
        let changed = match &mut self.mode {
            Mode::Input { input, .. } => input.paste(text),
            Mode::InPlace { input, .. } => input.paste(text).changed(),
            Mode::Body(area) => {
                area.insert(&text.replace("\r\n", "\n"));
                false
            }
            _ => false,
        };
        if changed {
            self.typed();
        }
    }

    /// The text of a line changed: the tree follows its filter, the draft what is edited in
    /// place.
    fn typed(&mut self) {
        match &self.mode {
            Mode::Input {
                purpose: Purpose::TreeFilter,
                ..
            } => self.select_first_request(),
            Mode::InPlace { .. } => self.write_in_place(),
            _ => {}
        }
    }

    /// A history entry opened in the composer (not saved until ctrl-s), with the response it
    /// recorded.
    pub fn open(&mut self, entry: &HistoryEntry) {
        self.draft = entry.replay();
        self.original = None;
        self.show_response(Some(ResponseView::recorded(entry)));
        self.note = Some(if entry.truncated {
            "From the history: the response recorded then (its first 4 KB); f5 sends again.".into()
        } else {
            "From the history: the response recorded then; f5 sends again.".into()
        });
        self.section = Section::Editor;
        self.field = Field::Path;
    }

    /// Whether the shown variables belong to another profile than `profile` (then the tab
    /// reads the saved requests and variables again).
    pub fn is_stale(&self, profile: Option<&str>) -> bool {
        !self.loaded || self.variables_of.as_deref() != profile
    }
}

/// `folder/sub/name` of a request.
pub fn full_name(r: &SavedRequest) -> String {
    let mut parts = r.folder.clone();
    parts.push(r.name.clone());
    parts.join("/")
}
