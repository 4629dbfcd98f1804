//! The Composer tab: saved requests in folders beside an editor (method, path, params, headers,
//! body) and the response view. Pure: background work is asked for with [`ComposerJob`]s that the
//! [`crate::state::Model`] spawns; results come back through [`ComposerState::on_outcome`].

use std::collections::BTreeSet;
use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;
use crate::composer::body::{BodyKind, BodyText, filter_text};
use crate::composer::request::{Pair, RequestKind, SavedRequest, Variables};
use crate::composer::soap::Wsdl;
use crate::jobs::composer::{ComposerJob, ComposerOutcome, ResponseView, WsdlSource};
use crate::keymap::Context;
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

/// What a one-line input is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    Path,
    /// `name: value` of a row (`None`: a new row).
    Row(Table, Option<usize>),
    NewRequest,
    Rename,
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
            Purpose::Path => "path",
            Purpose::Row(Table::Params, _) => "param (name: value)",
            Purpose::Row(Table::Headers, _) => "header (name: value)",
            Purpose::NewRequest => "new request (folder/name)",
            Purpose::Rename => "rename (folder/name)",
            Purpose::Find => "find",
            Purpose::Filter => "filter (.records[0].Name)",
            Purpose::SaveBody => "save body to",
            Purpose::Wsdl => "WSDL: Apex class on the org, or a file path",
            Purpose::ImportCollection => "Postman collection file",
            Purpose::ImportEnvironment => "Postman environment file",
            Purpose::Variable => "variable (name=value)",
        }
    }
}

/// A small multi-line text editor for the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextArea {
    pub lines: Vec<String>,
    pub row: usize,
    /// Cursor column in characters.
    pub col: usize,
}

impl TextArea {
    pub fn new(text: &str) -> TextArea {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.is_empty() {
            lines.push(String::new());
        }
        TextArea {
            lines,
            row: 0,
            col: 0,
        }
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    fn byte_at(line: &str, col: usize) -> usize {
        line.char_indices().nth(col).map_or(line.len(), |(i, _)| i)
    }

    fn line_len(&self) -> usize {
        self.lines.get(self.row).map_or(0, |l| l.chars().count())
    }

    /// Applies one key (characters, enter, backspace, delete, arrows, home/end, tab); keys
    /// with ctrl or alt are the [`TextInput`] line keys on the current line (ctrl-u, ctrl-k,
    /// ctrl-w, alt-backspace, alt-b/f, ...).
    pub fn key(&mut self, key: KeyEvent) {
        if self.lines.is_empty() {
            self.lines.push(String::new());
        }
        self.row = self.row.min(self.lines.len() - 1);
        self.col = self.col.min(self.line_len());
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            let mut line = TextInput::new(std::mem::take(&mut self.lines[self.row]));
            line.set_cursor(self.col);
            line.handle_key(key);
            self.col = line.cursor();
            self.lines[self.row] = line.take();
            return;
        }
        match key.code {
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.insert(&c.to_string());
            }
            KeyCode::Tab => self.insert("  "),
            KeyCode::Enter => {
                let line = &mut self.lines[self.row];
                let at = Self::byte_at(line, self.col);
                let rest = line.split_off(at);
                self.lines.insert(self.row + 1, rest);
                self.row += 1;
                self.col = 0;
            }
            KeyCode::Backspace => {
                if self.col > 0 {
                    let line = &mut self.lines[self.row];
                    let at = Self::byte_at(line, self.col - 1);
                    line.remove(at);
                    self.col -= 1;
                } else if self.row > 0 {
                    let line = self.lines.remove(self.row);
                    self.row -= 1;
                    self.col = self.line_len();
                    self.lines[self.row].push_str(&line);
                }
            }
            KeyCode::Delete => {
                if self.col < self.line_len() {
                    let line = &mut self.lines[self.row];
                    let at = Self::byte_at(line, self.col);
                    line.remove(at);
                } else if self.row + 1 < self.lines.len() {
                    let next = self.lines.remove(self.row + 1);
                    self.lines[self.row].push_str(&next);
                }
            }
            KeyCode::Left => {
                if self.col > 0 {
                    self.col -= 1;
                } else if self.row > 0 {
                    self.row -= 1;
                    self.col = self.line_len();
                }
            }
            KeyCode::Right => {
                if self.col < self.line_len() {
                    self.col += 1;
                } else if self.row + 1 < self.lines.len() {
                    self.row += 1;
                    self.col = 0;
                }
            }
            KeyCode::Up => self.row = self.row.saturating_sub(1),
            KeyCode::Down => self.row = (self.row + 1).min(self.lines.len() - 1),
            KeyCode::Home => self.col = 0,
            KeyCode::End => self.col = self.line_len(),
            KeyCode::PageUp => self.row = self.row.saturating_sub(10),
            KeyCode::PageDown => self.row = (self.row + 10).min(self.lines.len() - 1),
            _ => {}
        }
        self.col = self.col.min(self.line_len());
    }

    /// Inserts text (which may hold newlines) at the cursor.
    pub fn insert(&mut self, text: &str) {
        for (i, part) in text.split('\n').enumerate() {
            if i > 0 {
                self.key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
            }
            let line = &mut self.lines[self.row];
            let at = Self::byte_at(line, self.col);
            line.insert_str(at, part);
            self.col += part.chars().count();
        }
    }
}

/// A popup or input over the composer.
#[derive(Debug, Clone)]
pub enum Mode {
    Normal,
    Input {
        purpose: Purpose,
        input: TextInput,
    },
    Body(TextArea),
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
    pub filter: Option<String>,
    pub scroll: usize,
    pub find: String,
    pub matches: Vec<usize>,
    /// The composer's send in flight (set by the model when it spawns the job; a history replay
    /// is not the composer's).
    pub send: Option<crate::effect::RequestId>,
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
            scroll: 0,
            find: String::new(),
            matches: Vec::new(),
            send: None,
            note: None,
            loaded: false,
            wsdl: None,
            variables_of: None,
            discard_armed: None,
        }
    }

    /// The key contexts, most specific first (the composer has the keyboard).
    pub fn contexts(&self) -> Vec<Context> {
        match &self.mode {
            Mode::Input { .. } => vec![Context::ComposerInput],
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

    /// The fields of the editor in order.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = vec![Field::Method, Field::Path];
        fields.extend((0..self.draft.params.len()).map(Field::Param));
        fields.extend((0..self.draft.headers.len()).map(Field::Header));
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
                    Some(stored) => vec![Command::Job(ComposerJob::Delete(stored))],
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
            input: TextInput::new(value),
        };
    }

    fn update_normal(&mut self, action: Action, profile: Option<&str>) -> Vec<Command> {
        match action {
            Action::NextSection | Action::PrevSection => {
                let order = [Section::Requests, Section::Editor, Section::Response];
                let at = order.iter().position(|s| *s == self.section).unwrap_or(0);
                let step = if action == Action::NextSection { 1 } else { 2 };
                self.section = order[(at + step) % 3];
            }
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => self.move_cursor(action),
            Action::OpenItem => return self.open_item(),
            Action::SendRequest => {
                self.note = None;
                return vec![Command::Job(ComposerJob::Send {
                    request: self.draft.clone(),
                    profile: None,
                })];
            }
            Action::SaveRequest => {
                return vec![Command::Job(ComposerJob::Save {
                    request: self.draft.clone(),
                    replaces: self.original.clone(),
                })];
            }
            Action::NewRequest => self.input(Purpose::NewRequest, String::new()),
            Action::RenameRequest => self.input(Purpose::Rename, full_name(&self.draft)),
            Action::DuplicateRequest => {
                self.draft.name = format!("{} copy", self.draft.name);
                self.original = None;
                return vec![Command::Job(ComposerJob::Save {
                    request: self.draft.clone(),
                    replaces: None,
                })];
            }
            Action::DeleteRequest => self.mode = Mode::ConfirmDelete,
            Action::CycleMethod => self.cycle_method(),
            Action::EditBody => self.edit_body(),
            Action::AddRow => {
                let table = match self.field {
                    Field::Header(_) => Table::Headers,
                    _ => Table::Params,
                };
                self.input(Purpose::Row(table, None), String::new());
            }
            Action::RemoveRow => match self.field {
                Field::Param(i) if i < self.draft.params.len() => {
                    self.draft.params.remove(i);
                    self.field = Field::Path;
                }
                Field::Header(i) if i < self.draft.headers.len() => {
                    self.draft.headers.remove(i);
                    self.field = Field::Path;
                }
                _ => {}
            },
            Action::LoadWsdl => {
                let guess = self
                    .draft
                    .path
                    .strip_prefix("/services/Soap/class/")
                    .unwrap_or("")
                    .to_string();
                self.input(Purpose::Wsdl, guess);
            }
            Action::ExportCurl | Action::ExportCurlReveal => {
                return vec![Command::Job(ComposerJob::Curl {
                    request: self.draft.clone(),
                    reveal: action == Action::ExportCurlReveal,
                })];
            }
            Action::EditVariables => self.input(Purpose::Variable, String::new()),
            Action::ImportPostman => self.input(Purpose::ImportCollection, String::new()),
            Action::ImportPostmanEnv => self.input(Purpose::ImportEnvironment, String::new()),
            Action::Find => {
                self.section = Section::Response;
                self.input(Purpose::Find, self.find.clone());
            }
            Action::FindNext | Action::FindPrev => self.jump(action == Action::FindNext),
            Action::FilterBody => {
                self.section = Section::Response;
                self.input(Purpose::Filter, self.filter.clone().unwrap_or_default());
            }
            Action::SaveBody if self.response.is_some() => {
                self.input(Purpose::SaveBody, "responses/body.txt".into());
            }
            Action::CopyBody => {
                if let Some(r) = &self.response {
                    let text = if r.raw.is_empty() {
                        self.shown.joined()
                    } else {
                        r.raw.clone()
                    };
                    return vec![Command::Job(ComposerJob::Copy(text))];
                }
            }
            Action::ToggleHeaders => {
                self.response_tab = match self.response_tab {
                    ResponseTab::Body => ResponseTab::Headers,
                    ResponseTab::Headers => ResponseTab::Body,
                };
                self.refresh_shown();
            }
            Action::ExternalEditor => {
                let extension = if self.draft.kind == RequestKind::Soap {
                    "xml"
                } else {
                    "json"
                };
                let text = self.draft.body.clone().unwrap_or_default();
                return vec![Command::Editor(text, extension)];
            }
            _ => {}
        }
        let _ = profile;
        Vec::new()
    }

    fn move_cursor(&mut self, action: Action) {
        let step = |at: usize, len: usize, page: usize| -> usize {
            let last = len.saturating_sub(1);
            match action {
                Action::Up => at.saturating_sub(1),
                Action::Down => (at + 1).min(last),
                Action::Top => 0,
                Action::Bottom => last,
                Action::PageUp => at.saturating_sub(page),
                _ => (at + page).min(last),
            }
        };
        match self.section {
            Section::Requests => {
                let len = self.rows().len();
                self.selected = step(self.selected, len, 10);
            }
            Section::Editor => {
                let fields = self.fields();
                let at = fields.iter().position(|f| *f == self.field).unwrap_or(0);
                self.field = fields[step(at, fields.len(), 5)];
            }
            Section::Response => {
                self.scroll = step(self.scroll, self.shown.lines.len(), 20);
            }
        }
    }

    fn open_item(&mut self) -> Vec<Command> {
        match self.section {
            Section::Requests => match self.rows().get(self.selected) {
                Some(Row::Folder { path, collapsed }) => {
                    if *collapsed {
                        self.collapsed.remove(path);
                    } else {
                        self.collapsed.insert(path.clone());
                    }
                }
                Some(Row::Request { index, .. }) => {
                    let same = self.requests.get(*index) == self.original.as_ref();
                    if self.is_dirty() && !same && self.discard_armed != Some(*index) {
                        // Nothing typed is lost silently: a second enter discards.
                        self.discard_armed = Some(*index);
                        self.note = Some(
                            "The open request has unsaved changes: ctrl-s saves them, enter again discards them."
                                .into(),
                        );
                        return Vec::new();
                    }
                    self.discard_armed = None;
                    if let Some(r) = self.requests.get(*index) {
                        self.draft = r.clone();
                        self.original = Some(r.clone());
                        self.field = Field::Path;
                        self.section = Section::Editor;
                    }
                }
                None => {}
            },
            Section::Editor => match self.field {
                Field::Method => self.cycle_method(),
                Field::Path => self.input(Purpose::Path, self.draft.path.clone()),
                Field::Param(i) => {
                    let value = self
                        .draft
                        .params
                        .get(i)
                        .map(|p| format!("{}: {}", p.name, p.value))
                        .unwrap_or_default();
                    self.input(Purpose::Row(Table::Params, Some(i)), value);
                }
                Field::Header(i) => {
                    let value = self
                        .draft
                        .headers
                        .get(i)
                        .map(|p| format!("{}: {}", p.name, p.value))
                        .unwrap_or_default();
                    self.input(Purpose::Row(Table::Headers, Some(i)), value);
                }
                Field::Body => self.edit_body(),
                Field::Send => return self.update_normal(Action::SendRequest, None),
            },
            Section::Response => {}
        }
        Vec::new()
    }

    fn cycle_method(&mut self) {
        let at = METHODS
            .iter()
            .position(|m| m.eq_ignore_ascii_case(&self.draft.method));
        self.draft.method = METHODS[at.map_or(0, |i| (i + 1) % METHODS.len())].to_string();
    }

    fn edit_body(&mut self) {
        self.section = Section::Editor;
        self.field = Field::Body;
        self.mode = Mode::Body(TextArea::new(self.draft.body.as_deref().unwrap_or("")));
    }

    fn update_input(
        &mut self,
        action: Action,
        purpose: Purpose,
        mut input: TextInput,
        profile: Option<&str>,
    ) -> Vec<Command> {
        match action {
            Action::Cancel => Vec::new(),
            Action::PathPrefix if purpose == Purpose::Path => {
                let value = input.text();
                let rest = PREFIXES
                    .iter()
                    .find_map(|p| value.strip_prefix(p))
                    .unwrap_or("");
                let at = PREFIXES.iter().position(|p| value.starts_with(p));
                let next = PREFIXES[at.map_or(0, |i| (i + 1) % PREFIXES.len())];
                input = TextInput::new(format!("{next}{rest}"));
                self.mode = Mode::Input { purpose, input };
                Vec::new()
            }
            Action::Submit => self.submit(purpose, input.text().to_string(), profile),
            _ => {
                self.mode = Mode::Input { purpose, input };
                Vec::new()
            }
        }
    }

    fn submit(&mut self, purpose: Purpose, value: String, profile: Option<&str>) -> Vec<Command> {
        let trimmed = value.trim().to_string();
        match purpose {
            Purpose::Path => {
                self.draft.path = trimmed;
                if self.draft.path.starts_with("/services/Soap/") {
                    self.draft.kind = RequestKind::Soap;
                    if self.draft.method == "GET" {
                        self.draft.method = "POST".into();
                    }
                }
            }
            Purpose::Row(table, index) => {
                let (name, val) = match trimmed.split_once(':').or_else(|| trimmed.split_once('='))
                {
                    Some((n, v)) => (n.trim().to_string(), v.trim().to_string()),
                    None => (trimmed.clone(), String::new()),
                };
                let rows = match table {
                    Table::Params => &mut self.draft.params,
                    Table::Headers => &mut self.draft.headers,
                };
                match (index, name.is_empty()) {
                    (Some(i), true) if i < rows.len() => {
                        rows.remove(i);
                    }
                    (Some(i), false) if i < rows.len() => {
                        rows[i].name = name;
                        rows[i].value = val;
                    }
                    (_, false) => {
                        rows.push(Pair::new(name, val));
                        self.field = match table {
                            Table::Params => Field::Param(rows.len() - 1),
                            Table::Headers => Field::Header(rows.len() - 1),
                        };
                    }
                    _ => {}
                }
            }
            Purpose::NewRequest | Purpose::Rename => {
                if trimmed.is_empty() {
                    self.note = Some("A request needs a name.".into());
                    return Vec::new();
                }
                let mut parts: Vec<String> = trimmed
                    .split('/')
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect();
                let name = parts.pop().unwrap_or_default();
                if purpose == Purpose::NewRequest {
                    self.draft = new_draft();
                    self.original = None;
                    self.response = None;
                    self.refresh_shown();
                    self.section = Section::Editor;
                    self.field = Field::Path;
                }
                self.draft.name = name;
                self.draft.folder = parts;
                return vec![Command::Job(ComposerJob::Save {
                    request: self.draft.clone(),
                    replaces: self.original.clone(),
                })];
            }
            Purpose::Find => {
                self.find = trimmed;
                self.matches = self.shown.find(&self.find);
                match self.matches.first() {
                    Some(first) => self.scroll = *first,
                    None if !self.find.is_empty() => {
                        self.note = Some(format!("\"{}\" is not in the response.", self.find));
                    }
                    None => {}
                }
            }
            Purpose::Filter => {
                self.filter = (!trimmed.is_empty()).then_some(trimmed);
                self.refresh_shown();
            }
            Purpose::SaveBody => {
                if let Some(r) = &self.response
                    && !trimmed.is_empty()
                {
                    return vec![Command::Job(ComposerJob::SaveBody {
                        path: PathBuf::from(trimmed),
                        text: if r.raw.is_empty() {
                            self.shown.joined()
                        } else {
                            r.raw.clone()
                        },
                        from: r.file.clone(),
                    })];
                }
            }
            Purpose::Wsdl => {
                if trimmed.is_empty() {
                    return Vec::new();
                }
                let file = trimmed.contains('/')
                    || trimmed.ends_with(".wsdl")
                    || trimmed.ends_with(".xml");
                let source = if file {
                    WsdlSource::File(PathBuf::from(trimmed))
                } else {
                    WsdlSource::Org(trimmed)
                };
                return vec![Command::Job(ComposerJob::LoadWsdl(source))];
            }
            Purpose::ImportCollection if !trimmed.is_empty() => {
                return vec![Command::Job(ComposerJob::ImportCollection(PathBuf::from(
                    trimmed,
                )))];
            }
            Purpose::ImportEnvironment if !trimmed.is_empty() => {
                return vec![Command::Job(ComposerJob::ImportEnvironment(PathBuf::from(
                    trimmed,
                )))];
            }
            Purpose::Variable => {
                let Some(profile) = profile else {
                    self.note = Some("Variables belong to a profile: connect first.".into());
                    return Vec::new();
                };
                match trimmed.split_once('=') {
                    Some((name, value)) if !name.trim().is_empty() => {
                        return vec![Command::Job(ComposerJob::SetVariable {
                            profile: profile.to_string(),
                            name: name.trim().to_string(),
                            value: value.trim().to_string(),
                        })];
                    }
                    _ => self.note = Some("Write the variable as name=value.".into()),
                }
            }
            Purpose::ImportCollection | Purpose::ImportEnvironment => {}
        }
        Vec::new()
    }

    /// Puts the operation's envelope skeleton into the draft.
    fn use_operation(&mut self, source: &str, wsdl: &Wsdl, selected: usize) {
        let Some(op) = wsdl.operations.get(selected) else {
            return;
        };
        match wsdl.skeleton(&op.name) {
            Ok(envelope) => {
                // The endpoint path from the service's location, else the class loaded.
                let path = wsdl
                    .services
                    .first()
                    .and_then(|s| {
                        s.location
                            .find("/services/Soap/")
                            .map(|at| s.location[at..].to_string())
                    })
                    .unwrap_or_else(|| format!("/services/Soap/class/{source}"));
                let class = path.rsplit('/').next().unwrap_or(source).to_string();
                // A new request: the saved one that was open stays as it was.
                self.draft = SavedRequest::new(op.name.clone(), "POST", path);
                self.draft.kind = RequestKind::Soap;
                self.draft.folder = vec![format!("{class} (SOAP)")];
                self.draft.body = Some(envelope);
                self.original = None;
                self.wsdl = Some(format!("{source} · {}", op.name));
                self.section = Section::Editor;
                self.field = Field::Body;
                self.note = Some(format!(
                    "{}: envelope skeleton in the body; fill the ?placeholders? (b edits). The session is added at send.",
                    op.name
                ));
            }
            Err(e) => self.note = Some(e.to_string()),
        }
    }

    fn jump(&mut self, forward: bool) {
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
    fn refresh_shown(&mut self) {
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

    /// Unbound keys: typed into the input or the body.
    pub fn type_key(&mut self, key: KeyEvent) {
        match &mut self.mode {
            Mode::Input { input, .. } => {
                input.handle_key(key);
            }
            Mode::Body(area) => area.key(key),
            _ => {}
        }
    }

    /// Pasted text goes into the input or the body.
    pub fn paste(&mut self, text: &str) {
        match &mut self.mode {
            Mode::Input { input, .. } => {
                input.paste(text);
            }
            Mode::Body(area) => area.insert(&text.replace("\r\n", "\n")),
            _ => {}
        }
    }

    /// A history entry opened in the composer (not saved until ctrl-s).
    pub fn open(&mut self, request: SavedRequest) {
        self.draft = request;
        self.original = None;
        self.section = Section::Editor;
        self.field = Field::Path;
    }

    /// Whether the shown variables belong to another profile than `profile` (then the tab
    /// reads the saved requests and variables again).
    pub fn is_stale(&self, profile: Option<&str>) -> bool {
        !self.loaded || self.variables_of.as_deref() != profile
    }

    /// A job's result.
    pub fn on_outcome(&mut self, outcome: ComposerOutcome) -> Vec<Command> {
        match outcome {
            ComposerOutcome::Listed {
                requests,
                errors,
                variables,
            } => {
                self.requests = requests;
                self.list_errors = errors;
                self.variables = variables;
                self.selected = self.selected.min(self.rows().len().saturating_sub(1));
            }
            ComposerOutcome::Saved(Ok(request)) => {
                self.note = Some(format!("Saved \"{}\".", full_name(&request)));
                // The draft may have changed while the file was written: keep it.
                self.original = Some(request.clone());
                self.requests
                    .retain(|r| !(r.name == request.name && r.folder == request.folder));
                self.requests.push(request.clone());
                self.requests
                    .sort_by(|a, b| (&a.folder, &a.name).cmp(&(&b.folder, &b.name)));
                self.select_request(&request);
            }
            ComposerOutcome::Saved(Err(e)) => self.note = Some(format!("Not saved: {e}")),
            ComposerOutcome::Deleted(Ok(name)) => {
                if let Some(original) = self.original.take() {
                    self.requests
                        .retain(|r| !(r.name == original.name && r.folder == original.folder));
                }
                self.draft = new_draft();
                self.selected = self.selected.min(self.rows().len().saturating_sub(1));
                self.note = Some(format!("Deleted \"{name}\"."));
            }
            ComposerOutcome::Deleted(Err(e)) => self.note = Some(format!("Not deleted: {e}")),
            ComposerOutcome::Sent { result, .. } => {
                self.send = None;
                match result {
                    Ok(view) => {
                        self.note = match (&view.fault, view.renewed, &view.file) {
                            (_, true, _) => Some(
                                "The session was invalid (INVALID_SESSION_ID): renewed the token and sent again."
                                    .into(),
                            ),
                            (_, _, Some(file)) => Some(format!(
                                "Large body: saved to {}; showing a preview.",
                                file.display()
                            )),
                            _ => None,
                        };
                        self.response = Some(*view);
                        self.response_tab = ResponseTab::Body;
                        self.filter = None;
                        self.refresh_shown();
                    }
                    Err(e) => self.note = Some(format!("Not sent: {e}")),
                }
            }
            ComposerOutcome::Wsdl(Ok((source, wsdl))) => {
                if wsdl.operations.is_empty() {
                    self.note = Some(format!("{source}: the WSDL has no operations."));
                } else {
                    self.mode = Mode::PickOperation {
                        source,
                        wsdl,
                        selected: 0,
                    };
                }
            }
            ComposerOutcome::Wsdl(Err(e)) => self.note = Some(format!("WSDL not loaded: {e}")),
            ComposerOutcome::Imported(Ok(done)) => {
                let mut lines = vec![format!(
                    "Imported {} requests into the folder \"{}\".",
                    done.count, done.folder
                )];
                for (k, v) in &done.variables {
                    lines.push(format!(
                        "Collection variable {{{{{k}}}}} = {v:?}: define it for the profile (v) if a request needs it."
                    ));
                }
                if done.report.is_empty() {
                    lines.push("Everything was mapped.".into());
                } else {
                    lines.push(String::new());
                    lines.push("Not mapped:".into());
                    lines.extend(done.report.lines().map(str::to_string));
                }
                self.mode = Mode::Report {
                    title: "Postman import".into(),
                    lines,
                    scroll: 0,
                };
                self.section = Section::Requests;
                return vec![Command::Job(ComposerJob::List { profile: None })];
            }
            ComposerOutcome::Imported(Err(e)) => self.note = Some(format!("Not imported: {e}")),
            ComposerOutcome::EnvImported(Ok(env)) => {
                let mut lines: Vec<String> = vec![format!(
                    "Profile \"{}\" ({}) is in the profile form: pick where its secret comes from, then ctrl-s.",
                    env.profile.name, env.profile.endpoint
                )];
                lines.extend(env.report.iter().map(|l| format!("  - {l}")));
                self.note = lines.first().cloned();
                return vec![Command::NewProfile(Box::new(env.profile), env.secret)];
            }
            ComposerOutcome::EnvImported(Err(e)) => self.note = Some(format!("Not imported: {e}")),
            ComposerOutcome::BodySaved(Ok(path)) => {
                self.note = Some(format!("Body saved to {}.", path.display()));
            }
            ComposerOutcome::BodySaved(Err(e)) => self.note = Some(format!("Not saved: {e}")),
            ComposerOutcome::Copied(Ok(())) => self.note = Some("Copied to the clipboard.".into()),
            ComposerOutcome::Copied(Err(e)) => self.note = Some(format!("Not copied: {e}")),
            ComposerOutcome::Curl(Ok(text)) => {
                self.mode = Mode::Report {
                    title: "curl (copied to the clipboard)".into(),
                    lines: text.lines().map(str::to_string).collect(),
                    scroll: 0,
                };
            }
            ComposerOutcome::Curl(Err(e)) => self.note = Some(format!("No curl: {e}")),
            ComposerOutcome::VariableSet(Ok(vars)) => {
                self.variables = vars;
                self.note = Some("Variable saved for the profile.".into());
            }
            ComposerOutcome::VariableSet(Err(e)) => {
                self.note = Some(format!("Variable not saved: {e}"));
            }
            ComposerOutcome::Edited(Ok(text)) => {
                self.set_body(text.trim_end_matches('\n').to_string());
                self.section = Section::Editor;
                self.field = Field::Body;
                self.note = Some("Body updated from $EDITOR.".into());
            }
            ComposerOutcome::Edited(Err(e)) => self.note = Some(format!("$EDITOR: {e}")),
            ComposerOutcome::History(_) => {}
        }
        Vec::new()
    }

    fn select_request(&mut self, request: &SavedRequest) {
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

/// `folder/sub/name` of a request.
pub fn full_name(r: &SavedRequest) -> String {
    let mut parts = r.folder.clone();
    parts.push(r.name.clone());
    parts.join("/")
}

#[cfg(test)]
mod text_area_tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn ctrl_and_alt_keys_edit_the_current_line_only() {
        let mut area = TextArea::new("{\n  \"Name\": \"Acme\"\n}");
        area.key(key(KeyCode::Down, KeyModifiers::NONE));
        area.key(key(KeyCode::End, KeyModifiers::NONE));
        area.key(key(KeyCode::Backspace, KeyModifiers::ALT));
        assert_eq!(area.text(), "{\n  \"Name\": \"\n}");
        area.key(key(KeyCode::Left, KeyModifiers::NONE));
        area.key(key(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(area.text(), "{\n\"\n}");
        area.key(key(KeyCode::Char('k'), KeyModifiers::CONTROL));
        assert_eq!(area.text(), "{\n\n}");
        area.key(key(KeyCode::Char('x'), KeyModifiers::NONE));
        assert_eq!(area.text(), "{\nx\n}");
    }
}
