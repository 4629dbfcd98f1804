//! The one-line inputs (names, the tree filter, find, filter, file paths, WSDL source,
//! variables), what submitting each does, tab completing a file path, and a WSDL operation put into the draft.

use std::path::PathBuf;

use crate::action::Action;
use crate::requests::request::{RequestKind, SavedRequest};
use crate::requests::soap::Wsdl;
use crate::state::composer::job::{Change, ComposerJob, WsdlSource};
use crate::state::path_input::{Completion, PathInput};

use super::{Command, ComposerState, Field, Mode, Purpose, Row, Section, new_draft};

impl ComposerState {
    pub(super) fn update_input(
        &mut self,
        action: Action,
        purpose: Purpose,
        mut input: PathInput,
        profile: Option<&str>,
    ) -> Vec<Command> {
        if purpose == Purpose::TreeFilter && matches!(action, Action::Cancel | Action::Submit) {
            // The selection is a row of the tree as filtered by what was typed.
            self.tree_filter = input.text().trim().to_string();
        }
        match action {
            // Esc clears the tree filter (as History's).
            Action::Cancel if purpose == Purpose::TreeFilter => {
                self.set_tree_filter(String::new());
                Vec::new()
            }
            Action::Cancel => Vec::new(),
            Action::Submit => self.submit(purpose, input.text().to_string(), profile),
            Action::Complete if purpose.completes(input.text()) => {
                let listing = match input.complete() {
                    // A relative path to save a body to is in the data directory.
                    Completion::List(dir) => vec![Command::Job(ComposerJob::ListDir {
                        dir,
                        in_data_dir: purpose == Purpose::SaveBody,
                    })],
                    Completion::Done => Vec::new(),
                };
                self.mode = Mode::Input { purpose, input };
                listing
            }
            Action::Complete if purpose == Purpose::Wsdl => {
                input.message = Some(
                    "tab completes a file path (with / or .); a class name is typed whole".into(),
                );
                self.mode = Mode::Input { purpose, input };
                Vec::new()
            }
            _ => {
                self.mode = Mode::Input { purpose, input };
                Vec::new()
            }
        }
    }

    /// Applies `filter` to the request tree, the selected request staying selected.
    pub(super) fn set_tree_filter(&mut self, filter: String) {
        let selected = match self.rows().get(self.selected) {
            Some(Row::Request { index, .. }) => self.requests.get(*index).cloned(),
            _ => None,
        };
        self.tree_filter = filter;
        match selected {
            Some(request) => self.select_request(&request),
            None => self.selected = 0,
        }
    }

    fn submit(&mut self, purpose: Purpose, value: String, profile: Option<&str>) -> Vec<Command> {
        let trimmed = value.trim().to_string();
        match purpose {
            Purpose::TreeFilter => self.set_tree_filter(trimmed),
            Purpose::NewRequest | Purpose::Rename | Purpose::Duplicate => {
                return self.name_request(purpose, value);
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

    /// Creates (`n`), renames (`r`) or duplicates (`y`) the request as `value` (`folder/name`):
    /// never over another saved request.
    fn name_request(&mut self, purpose: Purpose, value: String) -> Vec<Command> {
        let trimmed = value.trim();
        let mut parts: Vec<String> = trimmed
            .split('/')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        let Some(name) = parts.pop() else {
            self.note = Some("A request needs a name.".into());
            self.input(purpose, value);
            return Vec::new();
        };
        let mut named = self.draft.clone();
        named.name = name;
        named.folder = parts;
        let except = match purpose {
            Purpose::Rename => self.original.as_ref(),
            _ => None,
        };
        if self.is_taken(&named, except) {
            self.note = Some(format!(
                "A request '{}' is already saved: pick another name (esc cancels).",
                super::full_name(&named)
            ));
            self.input(purpose, value);
            return Vec::new();
        }
        let (replaces, change) = match purpose {
            Purpose::NewRequest => {
                self.draft = new_draft();
                self.original = None;
                self.show_response(None);
                self.section = Section::Editor;
                self.field = Field::Path;
                (None, Change::Create)
            }
            Purpose::Rename => match self.original.clone() {
                Some(stored) => (Some(stored.clone()), Change::Rename(Box::new(stored))),
                None => (None, Change::Create),
            },
            _ => {
                // The copy is the draft from now on; the original stays as it was stored.
                self.original = None;
                (None, Change::Duplicate)
            }
        };
        self.draft.name = named.name;
        self.draft.folder = named.folder;
        vec![Command::Job(ComposerJob::Save {
            request: self.draft.clone(),
            replaces,
            change: Some(change),
        })]
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
