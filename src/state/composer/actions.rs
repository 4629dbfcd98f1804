//! The actions outside any popup: moving in the three sections, opening a request or a field,
//! sending, saving, and starting the inputs and popups.

use crate::action::Action;
use crate::requests::request::RequestKind;
use crate::state::composer::job::ComposerJob;

use super::{
    Column, Command, ComposerState, Field, METHODS, Mode, Purpose, ResponseTab, Row, Section, Spot,
    Table, TextArea, full_name,
};

impl ComposerState {
    pub(super) fn update_normal(&mut self, action: Action, profile: Option<&str>) -> Vec<Command> {
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
                })];
            }
            Action::SaveRequest => {
                return vec![Command::Job(ComposerJob::Save {
                    request: self.draft.clone(),
                    replaces: self.original.clone(),
                    change: None,
                })];
            }
            // Creating, renaming and duplicating ask for the name (esc cancels); `u` undoes.
            Action::NewRequest => self.input(Purpose::NewRequest, String::new()),
            Action::RenameRequest | Action::DuplicateRequest | Action::DeleteRequest
                if self.open_highlighted() =>
            {
                match action {
                    Action::RenameRequest => self.input(Purpose::Rename, full_name(&self.draft)),
                    Action::DuplicateRequest => self.input(
                        Purpose::Duplicate,
                        format!("{} copy", full_name(&self.draft)),
                    ),
                    _ => self.mode = Mode::ConfirmDelete,
                }
            }
            Action::UndoRequest => return self.undo_last(),
            Action::CycleMethod => self.cycle_method(),
            Action::EditBody => self.edit_body(),
            Action::AddRow => self.add_row(),
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
            Action::Find if self.section == Section::Requests => {
                self.input(Purpose::TreeFilter, self.tree_filter.clone());
            }
            // esc: the whole tree again.
            Action::Cancel if self.section == Section::Requests && !self.tree_filter.is_empty() => {
                self.set_tree_filter(String::new());
            }
            Action::Find => {
                self.section = Section::Response;
                self.input(Purpose::Find, self.find.clone());
            }
            Action::FindNext | Action::FindPrev => self.jump(action == Action::FindNext),
            // esc (nothing in flight to cancel): the whole response again.
            Action::Cancel
                if self.filter.is_some()
                    || self.filter_error.is_some()
                    || !self.find.is_empty() =>
            {
                self.filter = None;
                self.filter_error = None;
                self.find.clear();
                self.refresh_shown();
            }
            Action::FilterBody => {
                self.section = Section::Response;
                // The expression that failed comes back to be fixed.
                let expr = match &self.filter_error {
                    Some(e) => e.expr.clone(),
                    None => self.filter.clone().unwrap_or_default(),
                };
                self.input(Purpose::Filter, expr);
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
                    return vec![Command::Copy(text)];
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
        let step = |at, len, page| crate::state::list_cursor::step_by(at, len, action, page);
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

    /// Makes saved request `index` the open one (the response shown goes unless it was
    /// already open). Whether there is such a request.
    fn open_saved(&mut self, index: usize) -> bool {
        let Some(request) = self.requests.get(index).cloned() else {
            return false;
        };
        if self.original.as_ref() != Some(&request) {
            // The response shown answered the request that was open.
            self.show_response(None);
        }
        self.draft = request.clone();
        self.original = Some(request);
        true
    }

    /// In the request list `r`, `y` and `d` act on the highlighted request, which becomes the
    /// open one first; refused with a note while the open one has unsaved changes, and on a
    /// folder. Whether the action goes on.
    fn open_highlighted(&mut self) -> bool {
        if self.section != Section::Requests {
            return true;
        }
        match self.rows().get(self.selected).cloned() {
            Some(Row::Request { index, .. }) => {
                let open = self.requests.get(index) == self.original.as_ref();
                if !open && self.is_dirty() {
                    self.note = Some(
                        "The open request has unsaved changes: ctrl-s saves them first.".into(),
                    );
                    return false;
                }
                open || self.open_saved(index)
            }
            Some(Row::Folder { .. }) => {
                self.note = Some("r, y and d act on a request: pick one in the list.".into());
                false
            }
            None => true,
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
                    if self.open_saved(*index) {
                        self.field = Field::Path;
                        self.section = Section::Editor;
                    }
                }
                None => {}
            },
            Section::Editor => match self.field {
                Field::Method => self.cycle_method(),
                Field::Path => self.edit_in_place(Spot::Path),
                // The "a adds" line of an empty table adds a row.
                Field::Param(i) if i >= self.draft.params.len() => self.add_row(),
                Field::Header(i) if i >= self.draft.headers.len() => self.add_row(),
                Field::Param(i) => self.edit_in_place(Spot::Cell(Table::Params, i, Column::Name)),
                Field::Header(i) => {
                    self.edit_in_place(Spot::Cell(Table::Headers, i, Column::Name));
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
}
