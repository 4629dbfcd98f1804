//! The one-line inputs of the tab: `/` quick search, the SOQL line (with completion and the
//! query's error), "Open object…" and the export path.

use std::path::PathBuf;

use ratatui::crossterm::event::KeyEvent;

use crate::action::Action;
use crate::effect::{Effect, RequestIds};
use crate::state::records::job::{JobError, RecordsJob};
use crate::state::text_input::TextInput;

use super::narrow::{self, Narrowed};
use super::soql;
use super::{Filter, RecordsState, err_text, spawn};

/// The one-line text inputs of the tab.
#[derive(Debug, Clone)]
pub enum LineInput {
    /// `/`: text the name field must contain; while typed, the loaded rows it matches.
    Search {
        input: TextInput,
        narrowed: Option<Narrowed>,
    },
    /// The SOQL line: a WHERE clause or a whole query, with completions and the last error.
    Soql {
        input: TextInput,
        error: Option<SoqlError>,
        suggestions: Vec<String>,
        /// Byte offset where the suggestions replace the text.
        replace_from: usize,
    },
    /// "Open object…": an sObject name, checked against describe global.
    OpenObject {
        input: TextInput,
        error: Option<String>,
        suggestions: Vec<String>,
        /// Always 0: the whole line is the name.
        replace_from: usize,
    },
    /// Where to write the export.
    ExportPath(TextInput),
}

impl LineInput {
    pub fn input(&self) -> &TextInput {
        match self {
            LineInput::ExportPath(i) => i,
            LineInput::Search { input, .. }
            | LineInput::Soql { input, .. }
            | LineInput::OpenObject { input, .. } => input,
        }
    }

    fn input_mut(&mut self) -> &mut TextInput {
        match self {
            LineInput::ExportPath(i) => i,
            LineInput::Search { input, .. }
            | LineInput::Soql { input, .. }
            | LineInput::OpenObject { input, .. } => input,
        }
    }

    pub fn prompt(&self) -> &'static str {
        match self {
            LineInput::Search { .. } => "/",
            LineInput::Soql { .. } => "SOQL",
            LineInput::OpenObject { .. } => "Open object",
            LineInput::ExportPath(_) => "Export to",
        }
    }
}

/// A query error under the SOQL line: the message and where in the typed text it points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoqlError {
    pub code: Option<String>,
    pub message: String,
    /// Character index in the typed line (None: the error has no position in it).
    pub caret: Option<usize>,
}

impl RecordsState {
    /// A key typed into the focused line.
    pub fn type_key(&mut self, key: KeyEvent) {
        if self.mass.wants_text(self.production) {
            return self.mass.type_key(key, self.production);
        }
        if self.chooser_typing() {
            return self.type_into_chooser(key);
        }
        let Some(line) = self.input.as_mut() else {
            return;
        };
        let changed = line.input_mut().handle_key(key).changed();
        if changed {
            match line {
                LineInput::Soql {
                    error, suggestions, ..
                } => {
                    *error = None;
                    suggestions.clear();
                }
                LineInput::OpenObject {
                    error, suggestions, ..
                } => {
                    *error = None;
                    suggestions.clear();
                }
                LineInput::Search { .. } => self.narrow_search(),
                LineInput::ExportPath(_) => {}
            }
        }
    }

    /// The `/` line's text narrows the current list's loaded rows (as typed).
    pub(super) fn narrow_search(&mut self) {
        let view = &self.views[self.current];
        if let Some(LineInput::Search { input, narrowed }) = self.input.as_mut() {
            *narrowed = narrow::narrow(&view.rows, view.columns.len(), input.text());
        }
    }

    pub(super) fn global_effects(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        if self.objects.is_some() || self.global_req.is_some() || self.profile.is_none() {
            return Vec::new();
        }
        let (req, effect) = spawn(ids, RecordsJob::DescribeGlobal);
        self.global_req = Some(req);
        vec![effect]
    }

    /// Describe global arrived: the object names the lines complete.
    pub(super) fn on_global(
        &mut self,
        result: Result<Vec<(String, bool)>, JobError>,
    ) -> Vec<Effect> {
        self.global_req = None;
        match result {
            Ok(mut objects) => {
                objects.sort();
                self.objects = Some(objects);
            }
            Err(e) => self.notice = Some(format!("describe global: {}", err_text(&e))),
        }
        Vec::new()
    }

    pub(super) fn update_input(&mut self, action: Action, ids: &mut RequestIds) -> Vec<Effect> {
        match action {
            Action::Cancel => {
                self.input = None;
                Vec::new()
            }
            Action::Complete => match self.complete() {
                Some(object) => self.describe_effects(&object, ids),
                None => Vec::new(),
            },
            Action::Submit => self.submit_input(ids),
            _ => Vec::new(),
        }
    }

    /// Tab in the SOQL line or the object prompt: completes the word before the end.
    /// Returns an object whose describe the completion needs (fetched for the next tab).
    /// With several suggestions shown and nothing more in common, tab steps through them.
    fn complete(&mut self) -> Option<String> {
        if let Some(
            LineInput::Soql {
                input,
                suggestions,
                replace_from,
                ..
            }
            | LineInput::OpenObject {
                input,
                suggestions,
                replace_from,
                ..
            },
        ) = self.input.as_mut()
            && suggestions.len() > 1
        {
            let text = input.text().to_owned();
            let from = (*replace_from).min(text.len());
            let current = text.get(from..).unwrap_or("");
            let next = match suggestions.iter().position(|s| s == current) {
                Some(i) => Some((i + 1) % suggestions.len()),
                None if soql::common_prefix(suggestions).eq_ignore_ascii_case(current) => Some(0),
                None => None,
            };
            if let Some(next) = next {
                *input = TextInput::new(format!("{}{}", &text[..from], suggestions[next]));
                return None;
            }
        }
        let names: Vec<String> = self
            .objects
            .as_ref()
            .map(|o| {
                o.iter()
                    .filter(|(_, q)| *q)
                    .map(|(n, _)| n.clone())
                    .collect()
            })
            .unwrap_or_default();
        let object = self.view().object.clone();
        let describes = &self.describes;
        let describe_of = |name: &str| describes.get(&name.to_ascii_lowercase()).map(|d| &**d);
        match self.input.as_mut() {
            Some(LineInput::Soql {
                input,
                suggestions,
                replace_from,
                ..
            }) => {
                let text = input.text().to_owned();
                let full = soql::is_full_query(&text);
                // A whole query completes against its FROM object when it is described.
                let target = if full {
                    soql::select_parts(&text).map_or(object.clone(), |(_, o)| o)
                } else {
                    object.clone()
                };
                let source = soql::CompletionSource {
                    describe: describe_of(&target),
                    describe_of: &describe_of,
                    objects: &names,
                };
                let (from, candidates) = soql::complete(&text, &source);
                let missing = soql::missing_describe(&text, &source);
                *replace_from = from;
                apply_completion(input, from, &candidates);
                *suggestions = candidates;
                missing
            }
            Some(LineInput::OpenObject {
                input, suggestions, ..
            }) => {
                let text = input.text().to_owned();
                let candidates: Vec<String> = names
                    .iter()
                    .filter(|n| {
                        n.len() >= text.len()
                            && n.get(..text.len())
                                .is_some_and(|p| p.eq_ignore_ascii_case(&text))
                    })
                    .cloned()
                    .collect();
                apply_completion(input, 0, &candidates);
                *suggestions = candidates;
                None
            }
            _ => None,
        }
    }

    fn submit_input(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(line) = self.input.take() else {
            return Vec::new();
        };
        match line {
            LineInput::Search { input, .. } => {
                let text = input.text().trim().to_owned();
                let view = self.view_mut();
                view.filter = if text.is_empty() {
                    Filter::None
                } else {
                    Filter::Quick(text)
                };
                view.show_object_columns();
                self.reload(ids)
            }
            LineInput::Soql { input, .. } => {
                let text = input.text().trim().to_owned();
                if text.is_empty() {
                    let view = self.view_mut();
                    view.filter = Filter::None;
                    view.show_object_columns();
                    return self.reload(ids);
                }
                if soql::is_full_query(&text) {
                    let Some((columns, object)) = soql::select_parts(&text) else {
                        self.input = Some(LineInput::Soql {
                            error: Some(SoqlError {
                                code: Some("MALFORMED_QUERY".into()),
                                message: "The query has no FROM.".into(),
                                caret: Some(text.chars().count()),
                            }),
                            input,
                            suggestions: Vec::new(),
                            replace_from: 0,
                        });
                        return Vec::new();
                    };
                    let mut effects = Vec::new();
                    if !self.view().object.eq_ignore_ascii_case(&object) {
                        self.show_object(&object);
                    }
                    let view = self.view_mut();
                    view.columns = columns
                        .into_iter()
                        .filter(|c| !c.eq_ignore_ascii_case("Id"))
                        .collect();
                    if view.columns.is_empty() {
                        view.columns.push("Id".into());
                    }
                    view.focus_col = 0;
                    view.sort = None;
                    view.filter = Filter::Soql(text);
                    effects.extend(self.reload(ids));
                    effects
                } else {
                    let view = self.view_mut();
                    view.filter = Filter::Where(text);
                    view.show_object_columns();
                    self.reload(ids)
                }
            }
            LineInput::OpenObject { input, .. } => {
                let name = input.text().trim().to_owned();
                if name.is_empty() {
                    return Vec::new();
                }
                let known = self.objects.as_ref().map(|objects| {
                    objects
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(&name))
                        .cloned()
                });
                let problem = match &known {
                    Some(None) => Some(format!("No object called {name} in this org.")),
                    Some(Some((n, false))) => Some(format!("{n} is not queryable.")),
                    _ => None,
                };
                if let Some(problem) = problem {
                    self.input = Some(LineInput::OpenObject {
                        input,
                        error: Some(problem),
                        suggestions: Vec::new(),
                        replace_from: 0,
                    });
                    return Vec::new();
                }
                let canonical = known.flatten().map_or(name, |(n, _)| n);
                self.switch_to(&canonical, ids)
            }
            LineInput::ExportPath(input) => {
                let path = input.text().trim().to_owned();
                if path.is_empty() {
                    return Vec::new();
                }
                self.start_export(PathBuf::from(path), ids)
            }
        }
    }
}

/// Replaces the text from `from` to the end with the candidates' common prefix (or the only one).
fn apply_completion(input: &mut TextInput, from: usize, candidates: &[String]) {
    let prefix = soql::common_prefix(candidates);
    let text = input.text();
    let current = text.get(from..).unwrap_or("");
    if prefix.len() < current.len() || candidates.is_empty() {
        return;
    }
    let new = format!("{}{prefix}", &text[..from.min(text.len())]);
    *input = TextInput::new(new);
}
