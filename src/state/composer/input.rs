//! The one-line inputs (path, param and header rows, names, find, filter, file paths, WSDL
//! source, variables), what submitting each does, and a WSDL operation put into the draft.

use std::path::PathBuf;

use crate::action::Action;
use crate::requests::request::{Pair, RequestKind, SavedRequest};
use crate::requests::soap::Wsdl;
use crate::state::composer::job::{ComposerJob, WsdlSource};
use crate::state::text_input::TextInput;

use super::{Command, ComposerState, Field, Mode, PREFIXES, Purpose, Section, Table, new_draft};

impl ComposerState {
    pub(super) fn update_input(
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
                    self.show_response(None);
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
            Purpose::Filter => self.apply_filter(trimmed),
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
    pub(super) fn use_operation(&mut self, source: &str, wsdl: &Wsdl, selected: usize) {
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
                self.show_response(None);
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
}
