//! The Records tab: one list view per sObject (Account, Contact and Lead at hand, any other
//! queryable object opened by name), loaded page by page, sorted and filtered on the server,
//! stored compactly ([`rowstore::RowStore`]), and exported with a Bulk API 2.0 query job.
//!
//! Pure: every change goes through [`RecordsState::update`] / [`RecordsState::on_outcome`],
//! which return the [`Effect`]s to run.
//!
//! This file holds the tab itself (its state, its action table, its popups and the routing
//! of finished jobs); each concern lives in a file beside it.

pub mod job;
pub mod rowstore;
pub mod soql;

mod chooser;
mod columns;
mod exports;
mod follow;
mod importing;
mod line;
mod list;
mod mass;
mod mass_outcome;
pub mod narrow;
mod paging;

pub use chooser::{Choice, ChoiceKind, MAX_HOPS};
pub use exports::Export;
pub use line::{LineInput, SoqlError};
pub use list::{Filter, ListView, default_columns};
pub use mass::{Failure, MassEdit, MassPopup, MassState, editable_fields};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;

use crate::action::Action;
use crate::effect::{Effect, Job, RequestId, RequestIds};
use crate::sf::SObjectDescribe;
use crate::state::records::job::{JobError, RecordsJob, RecordsOutcome};
use crate::state::text_input::TextInput;

/// The objects switched with `[` / `]`.
pub const OBJECTS: [&str; 3] = ["Account", "Contact", "Lead"];

/// Fetch the next page when the cursor is this close to the end of the loaded rows (at least).
pub const PREFETCH_ROWS: usize = 500;

/// A popup of the tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    /// The column chooser: describe's fields, parent rows opening to the parents' fields,
    /// child relationship counts, each column with a checkmark.
    Columns {
        choices: Vec<Choice>,
        /// Index into [`RecordsState::chooser_rows`] (the choices the filter lets through).
        selected: usize,
        /// The fuzzy filter over the fields' names and labels (`/`; esc clears it).
        filter: TextInput,
        /// The filter line has the keys (typed keys go into it; enter keeps it, esc clears it).
        typing: bool,
    },
    /// The export jobs.
    Exports { selected: usize },
}

/// What the Model does after a Records action.
#[derive(Debug)]
pub enum Reply {
    /// Not a Records key here: the Model handles it as usual.
    Unhandled,
    Effects(Vec<Effect>),
    /// Enter on a row: open the record's detail view.
    Open {
        object: String,
        id: String,
    },
}

/// The Records tab.
#[derive(Debug, Clone)]
pub struct RecordsState {
    pub views: Vec<ListView>,
    pub current: usize,
    /// Describes fetched this session, by lower-cased object name.
    pub describes: BTreeMap<String, Arc<SObjectDescribe>>,
    describe_reqs: BTreeMap<RequestId, String>,
    /// Describe global: (name, queryable).
    pub objects: Option<Vec<(String, bool)>>,
    global_req: Option<RequestId>,
    /// Rows read again after a detail view's write: the object and why.
    refetch_reqs: BTreeMap<RequestId, (String, follow::Follow)>,
    pub input: Option<LineInput>,
    pub popup: Option<Popup>,
    pub exports: Vec<Export>,
    /// `<data_dir>/exports` (set at start; `exports` in the working directory otherwise).
    pub export_dir: Option<PathBuf>,
    /// The connected profile the lists belong to (`None`: not connected).
    pub profile: Option<String>,
    /// The latest message of the tab.
    pub notice: Option<String>,
    /// Rows the list shows (from the last layout), for paging and prefetch.
    pub viewport: usize,
    /// The columns chosen with the column chooser, by lower-cased object name: kept when
    /// another org connects and (through the choices file) between runs.
    chosen: BTreeMap<String, Vec<String>>,
    /// The import wizard (`I`), over the list while open.
    pub import: Option<Box<crate::state::import::ImportWizard>>,
    /// The connected org is production (set by the model): an import and a mass save ask
    /// before they run, a mass delete needs the count typed.
    pub production: bool,
    /// The selected rows and the mass edit staged on them.
    pub mass: MassState,
}

impl Default for RecordsState {
    fn default() -> RecordsState {
        RecordsState {
            views: OBJECTS.iter().map(|o| ListView::new(o)).collect(),
            current: 0,
            describes: BTreeMap::new(),
            describe_reqs: BTreeMap::new(),
            objects: None,
            global_req: None,
            refetch_reqs: BTreeMap::new(),
            input: None,
            popup: None,
            exports: Vec::new(),
            export_dir: None,
            profile: None,
            notice: None,
            viewport: 20,
            chosen: BTreeMap::new(),
            import: None,
            production: false,
            mass: MassState::default(),
        }
    }
}

fn spawn(ids: &mut RequestIds, job: RecordsJob) -> (RequestId, Effect) {
    let req = ids.allocate();
    (
        req,
        Effect::Spawn {
            req,
            job: Job::Records(job),
        },
    )
}

fn err_text(e: &JobError) -> String {
    match &e.code {
        Some(code) if !e.not_connected => {
            format!("{code}: {}", soql::error_detail(&e.message))
        }
        _ => soql::error_detail(&e.message),
    }
}

impl RecordsState {
    pub fn view(&self) -> &ListView {
        &self.views[self.current.min(self.views.len() - 1)]
    }

    fn view_mut(&mut self) -> &mut ListView {
        let i = self.current.min(self.views.len() - 1);
        &mut self.views[i]
    }

    pub fn describe(&self, object: &str) -> Option<&Arc<SObjectDescribe>> {
        self.describes.get(&object.to_ascii_lowercase())
    }

    /// Whether a job's result belongs to this tab.
    pub fn owns(&self, req: RequestId) -> bool {
        self.views.iter().any(|v| v.fetch == Some(req))
            || self.describe_reqs.contains_key(&req)
            || self.global_req == Some(req)
            || self.refetch_reqs.contains_key(&req)
            || self.exports.iter().any(|e| e.req == Some(req))
            || self.mass.owns(req)
            || self.import.as_ref().is_some_and(|w| w.owns(req))
    }

    /// Whether keys are typed into a line.
    pub fn wants_text(&self) -> bool {
        self.input.is_some()
            || self.chooser_typing()
            || self.import.as_ref().is_some_and(|w| w.wants_text())
            || self.mass.wants_text(self.production)
    }

    /// Whether anything here animates (a spinner).
    pub fn is_busy(&self) -> bool {
        self.views.iter().any(ListView::loading)
            || self.exports.iter().any(Export::is_running)
            || self.import.as_ref().is_some_and(|w| w.is_busy())
    }

    /// Handles an action while the tab has the keyboard.
    pub fn update(&mut self, action: Action, now: Timestamp, ids: &mut RequestIds) -> Reply {
        if self.import.is_some() {
            return self.update_import(action, now, ids);
        }
        if self.input.is_some() {
            return Reply::Effects(self.update_input(action, ids));
        }
        if self.popup.is_none()
            && let Some(effects) = self.update_mass(action, ids)
        {
            return Reply::Effects(effects);
        }
        if self.popup.is_some() {
            return self.update_popup(action, ids);
        }
        if action != Action::Cancel {
            self.notice = None;
        }
        let effects = match action {
            Action::Up => {
                let to = self.view().cursor.saturating_sub(1);
                self.move_cursor(to, ids)
            }
            Action::Down => {
                let to = self.view().cursor + 1;
                self.move_cursor(to, ids)
            }
            Action::PageUp => {
                let to = self.view().cursor.saturating_sub(self.viewport.max(1));
                self.move_cursor(to, ids)
            }
            Action::PageDown => {
                let to = self.view().cursor + self.viewport.max(1);
                self.move_cursor(to, ids)
            }
            Action::Top => self.move_cursor(0, ids),
            Action::Bottom => {
                let view = self.view_mut();
                view.cursor = view.rows.len().saturating_sub(1);
                view.follow_end = view.next_url.is_some() || view.fetch.is_some();
                self.keep_cursor_visible();
                self.prefetch(ids)
            }
            Action::ColumnLeft => {
                let view = self.view_mut();
                view.focus_col = view.focus_col.saturating_sub(1);
                Vec::new()
            }
            Action::ColumnRight => {
                let view = self.view_mut();
                if view.focus_col + 1 < view.columns.len() {
                    view.focus_col += 1;
                }
                Vec::new()
            }
            Action::PrevObject | Action::NextObject => {
                let step = if action == Action::NextObject { 1 } else { -1 };
                let n = self.views.len() as isize;
                let next = (self.current as isize + step).rem_euclid(n) as usize;
                let object = self.views[next].object.clone();
                self.switch_to(&object, ids)
            }
            Action::OpenObject => {
                self.input = Some(LineInput::OpenObject {
                    input: TextInput::default(),
                    error: None,
                    suggestions: Vec::new(),
                    replace_from: 0,
                });
                self.global_effects(ids)
            }
            Action::SortColumn => self.sort(ids),
            Action::QuickSearch => {
                let text = match &self.view().filter {
                    Filter::Quick(t) => t.clone(),
                    _ => String::new(),
                };
                self.input = Some(LineInput::Search {
                    input: TextInput::new(text),
                    narrowed: None,
                });
                self.narrow_search();
                Vec::new()
            }
            Action::SoqlLine => {
                let text = match &self.view().filter {
                    Filter::Where(t) | Filter::Soql(t) => t.clone(),
                    _ => String::new(),
                };
                self.input = Some(LineInput::Soql {
                    input: TextInput::new(text),
                    error: None,
                    suggestions: Vec::new(),
                    replace_from: 0,
                });
                self.global_effects(ids)
            }
            Action::ChooseColumns => self.open_chooser(ids),
            Action::ReloadList => self.reload(ids),
            Action::ExportView => {
                if self.profile.is_none() {
                    self.notice = Some("Connect a profile first.".into());
                    return Reply::Effects(Vec::new());
                }
                let stamp = now.strftime("%Y%m%d-%H%M%S").to_string();
                let dir = self
                    .export_dir
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("exports"));
                let path = dir.join(format!("{}-{stamp}.csv", self.view().object));
                self.input = Some(LineInput::ExportPath(TextInput::new(
                    path.display().to_string(),
                )));
                Vec::new()
            }
            Action::ImportRecords => self.open_import(),
            Action::ShowExports => {
                self.popup = Some(Popup::Exports {
                    selected: self.exports.len().saturating_sub(1),
                });
                Vec::new()
            }
            Action::Cancel => {
                let view = self.view_mut();
                view.follow_end = false;
                match view.fetch.take() {
                    Some(req) => {
                        self.notice = Some("Loading stopped.".into());
                        vec![Effect::Cancel(req)]
                    }
                    // Esc clears an applied quick search.
                    None if matches!(view.filter, Filter::Quick(_)) => {
                        view.filter = Filter::None;
                        self.notice = Some("Quick search cleared.".into());
                        self.reload(ids)
                    }
                    None => return Reply::Unhandled,
                }
            }
            Action::OpenRecord => {
                let view = self.view();
                let id = view.rows.id(view.cursor).to_owned();
                if id.is_empty() {
                    return Reply::Effects(Vec::new());
                }
                return Reply::Open {
                    object: view.object.clone(),
                    id,
                };
            }
            _ => return Reply::Unhandled,
        };
        Reply::Effects(effects)
    }

    fn update_popup(&mut self, action: Action, ids: &mut RequestIds) -> Reply {
        if let Some(Popup::Columns { typing: true, .. }) = &self.popup {
            self.update_chooser_filter(action);
            return Reply::Effects(Vec::new());
        }
        let rows = self.chooser_rows();
        let Some(popup) = self.popup.as_mut() else {
            return Reply::Unhandled;
        };
        let (len, chooser) = match popup {
            Popup::Columns { .. } => (rows.len(), true),
            Popup::Exports { .. } => (self.exports.len(), false),
        };
        let (Popup::Columns { selected, .. } | Popup::Exports { selected }) = popup;
        match action {
            Action::Up => *selected = selected.saturating_sub(1),
            Action::Down => *selected = (*selected + 1).min(len.saturating_sub(1)),
            Action::Top => *selected = 0,
            Action::Bottom => *selected = len.saturating_sub(1),
            Action::PageUp => *selected = selected.saturating_sub(10),
            Action::PageDown => *selected = (*selected + 10).min(len.saturating_sub(1)),
            Action::ToggleItem if chooser => return Reply::Effects(self.toggle_choice(ids)),
            Action::ExpandItem if chooser => return Reply::Effects(self.expand_choice(ids)),
            Action::CollapseItem if chooser => return Reply::Effects(self.collapse_choice()),
            Action::Find if chooser => {
                if let Popup::Columns { typing, .. } = popup {
                    *typing = true;
                }
            }
            Action::Submit => {
                if let Some(Popup::Columns { choices, .. }) = self.popup.take() {
                    return Reply::Effects(self.apply_columns(&choices, ids));
                }
                self.popup = None;
            }
            Action::ResetColumns if chooser => {
                return Reply::Effects(self.reset_columns(ids));
            }
            Action::AbortExport => {
                let at = *selected;
                return Reply::Effects(self.abort_export(at, ids));
            }
            // Esc clears the chooser's filter first, then closes.
            Action::Cancel => match popup {
                Popup::Columns {
                    filter, selected, ..
                } if !filter.text().is_empty() => {
                    *filter = TextInput::default();
                    *selected = 0;
                }
                _ => self.popup = None,
            },
            Action::Quit => return Reply::Unhandled,
            _ => {}
        }
        Reply::Effects(Vec::new())
    }

    /// Routes a finished job.
    pub fn on_outcome(
        &mut self,
        req: RequestId,
        outcome: RecordsOutcome,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        match outcome {
            RecordsOutcome::Page(result) => self.on_page(req, result, ids),
            RecordsOutcome::Described(result) => self.on_described(req, result),
            RecordsOutcome::Global(result) => self.on_global(result),
            RecordsOutcome::Refetched {
                ids: records,
                result,
            } => self.on_refetched(req, records, result),
            RecordsOutcome::ExportJob(result) => self.on_export_job(req, result, ids),
            RecordsOutcome::ExportPage(result) => self.on_export_page(req, result, ids),
            RecordsOutcome::Aborted(result) => self.on_export_aborted(req, result),
            RecordsOutcome::MassWritten(result) => self.on_mass_written(req, result, ids),
            RecordsOutcome::Found(result) => self.on_mass_found(req, result),
        }
    }
}
