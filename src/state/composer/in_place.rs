//! Editing the draft where the editor shows it: the path in the request bar and the name and
//! value cells of the param and header rows. Every key changes the draft at once (the URL
//! preview follows the params as they are typed); enter keeps it, esc puts it back.

use crate::action::Action;
use crate::requests::request::{Pair, RequestKind, SavedRequest};
use crate::state::text_input::TextInput;

use super::{Column, Command, ComposerState, Field, Mode, PREFIXES, Section, Spot, Table};

impl ComposerState {
    /// Starts editing `spot` in place, the cursor at the end of its text.
    pub(super) fn edit_in_place(&mut self, spot: Spot) {
        let Some(text) = self.spot_text(spot) else {
            return;
        };
        self.section = Section::Editor;
        self.note = None;
        self.field = match spot {
            Spot::Path => Field::Path,
            Spot::Cell(Table::Params, i, _) => Field::Param(i),
            Spot::Cell(Table::Headers, i, _) => Field::Header(i),
        };
        self.mode = Mode::InPlace {
            spot,
            input: TextInput::new(text),
            before: Box::new(self.draft.clone()),
        };
    }

    /// `a`: a new empty row in the table of the focused row (params otherwise), its name
    /// cell edited in place (esc removes it again).
    pub(super) fn add_row(&mut self) {
        let table = match self.field {
            Field::Header(_) => Table::Headers,
            _ => Table::Params,
        };
        let before = Box::new(self.draft.clone());
        let rows = self.rows_of(table);
        rows.push(Pair::new("", ""));
        let index = rows.len() - 1;
        self.edit_in_place(Spot::Cell(table, index, Column::Name));
        if let Mode::InPlace { before: b, .. } = &mut self.mode {
            *b = before;
        }
    }

    fn rows_of(&mut self, table: Table) -> &mut Vec<Pair> {
        match table {
            Table::Params => &mut self.draft.params,
            Table::Headers => &mut self.draft.headers,
        }
    }

    /// The draft's text at `spot` (`None`: no such row).
    fn spot_text(&self, spot: Spot) -> Option<String> {
        match spot {
            Spot::Path => Some(self.draft.path.clone()),
            Spot::Cell(table, i, column) => {
                let rows = match table {
                    Table::Params => &self.draft.params,
                    Table::Headers => &self.draft.headers,
                };
                rows.get(i).map(|p| match column {
                    Column::Name => p.name.clone(),
                    Column::Value => p.value.clone(),
                })
            }
        }
    }

    /// Puts the text being edited into the draft.
    pub(super) fn write_in_place(&mut self) {
        let Mode::InPlace { spot, input, .. } = &self.mode else {
            return;
        };
        let (spot, text) = (*spot, input.text().to_string());
        match spot {
            Spot::Path => self.draft.path = text,
            Spot::Cell(table, i, column) => {
                if let Some(row) = self.rows_of(table).get_mut(i) {
                    match column {
                        Column::Name => row.name = text,
                        Column::Value => row.value = text,
                    }
                }
            }
        }
    }

    pub(super) fn update_in_place(
        &mut self,
        action: Action,
        spot: Spot,
        mut input: TextInput,
        before: Box<SavedRequest>,
        profile: Option<&str>,
    ) -> Vec<Command> {
        match action {
            Action::Cancel => {
                self.draft = *before;
                self.fix_field();
                Vec::new()
            }
            Action::PathPrefix if spot == Spot::Path => {
                let value = input.text();
                let rest = PREFIXES
                    .iter()
                    .find_map(|p| value.strip_prefix(p))
                    .unwrap_or("");
                let at = PREFIXES.iter().position(|p| value.starts_with(p));
                let next = PREFIXES[at.map_or(0, |i| (i + 1) % PREFIXES.len())];
                input = TextInput::new(format!("{next}{rest}"));
                self.mode = Mode::InPlace {
                    spot,
                    input,
                    before,
                };
                self.write_in_place();
                Vec::new()
            }
            Action::NextField | Action::PrevField => {
                if let Spot::Cell(table, i, column) = spot {
                    let other = match column {
                        Column::Name => Column::Value,
                        Column::Value => Column::Name,
                    };
                    let spot = Spot::Cell(table, i, other);
                    let text = self.spot_text(spot).unwrap_or_default();
                    input = TextInput::new(text);
                    self.mode = Mode::InPlace {
                        spot,
                        input,
                        before,
                    };
                } else {
                    self.mode = Mode::InPlace {
                        spot,
                        input,
                        before,
                    };
                }
                Vec::new()
            }
            Action::Submit => {
                self.finish_in_place(spot);
                Vec::new()
            }
            // Send or save what is typed.
            Action::SendRequest | Action::SaveRequest => {
                self.finish_in_place(spot);
                self.update_normal(action, profile)
            }
            _ => {
                self.mode = Mode::InPlace {
                    spot,
                    input,
                    before,
                };
                Vec::new()
            }
        }
    }

    /// Keeps the edit: the path trimmed (a SOAP endpoint makes a SOAP request), a row's cells
    /// trimmed, `name: value` typed in the name cell split, and a row without a name removed.
    fn finish_in_place(&mut self, spot: Spot) {
        match spot {
            Spot::Path => {
                self.draft.path = self.draft.path.trim().to_string();
                if self.draft.path.starts_with("/services/Soap/") {
                    self.draft.kind = RequestKind::Soap;
                    if self.draft.method == "GET" {
                        self.draft.method = "POST".into();
                    }
                }
            }
            Spot::Cell(table, i, _) => {
                let rows = self.rows_of(table);
                let Some(row) = rows.get_mut(i) else {
                    return;
                };
                let name = row.name.trim().to_string();
                let value = row.value.trim().to_string();
                let split = if value.is_empty() {
                    name.split_once(':').or_else(|| name.split_once('='))
                } else {
                    None
                };
                match split {
                    Some((n, v)) => {
                        row.name = n.trim().to_string();
                        row.value = v.trim().to_string();
                    }
                    None => {
                        row.name = name;
                        row.value = value;
                    }
                }
                if row.name.is_empty() {
                    rows.remove(i);
                    self.fix_field();
                }
            }
        }
    }

    /// The focused field again one that exists (a row removed: the one before it).
    fn fix_field(&mut self) {
        let fields = self.fields();
        if fields.contains(&self.field) {
            return;
        }
        self.field = match self.field {
            Field::Param(i) if i > 0 => Field::Param(i - 1),
            Field::Header(i) if i > 0 => Field::Header(i - 1),
            _ => Field::Path,
        };
        if !self.fields().contains(&self.field) {
            self.field = Field::Path;
        }
    }
}

/// The query string the enabled params make (`?a=1&b=2`, or `&…` after a path that has one),
/// URL-encoded as it is sent, with `{{variables}}` kept as written (resolved at send): the
/// request bar shows it after the path.
pub fn query_string(request: &SavedRequest) -> String {
    let pairs: Vec<String> = request
        .params
        .iter()
        .filter(|p| p.enabled)
        .map(|p| format!("{}={}", encode(&p.name), encode(&p.value)))
        .collect();
    if pairs.is_empty() {
        return String::new();
    }
    let separator = if request.path.contains('?') { '&' } else { '?' };
    format!("{separator}{}", pairs.join("&"))
}

/// `text` form-URL-encoded, its `{{variables}}` left as they are.
fn encode(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        out.extend(url::form_urlencoded::byte_serialize(
            &rest.as_bytes()[..start],
        ));
        out.push_str(&rest[start..start + len + 2]);
        rest = &rest[start + len + 2..];
    }
    out.extend(url::form_urlencoded::byte_serialize(rest.as_bytes()));
    out
}
