//! The Records tab: one list view per sObject (Account, Contact and Lead at hand, any other
//! queryable object opened by name), loaded page by page, sorted and filtered on the server,
//! stored compactly ([`rowstore::RowStore`]), and exported with a Bulk API 2.0 query job.
//!
//! Pure: every change goes through [`RecordsState::update`] / [`RecordsState::on_outcome`],
//! which return the [`Effect`]s to run.

pub mod rowstore;
pub mod soql;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use ratatui::crossterm::event::KeyEvent;

use crate::action::Action;
use crate::effect::{Effect, Job, RequestId, RequestIds};
use crate::human::group_thousands;
use crate::jobs::records::{JobError, PageRows, RecordsJob, RecordsOutcome};
use crate::sf::SObjectDescribe;
use crate::sf::bulk::BulkJob;
use crate::state::text_input::TextInput;
use rowstore::RowStore;
use soql::SortDir;

/// The objects switched with `[` / `]`.
pub const OBJECTS: [&str; 3] = ["Account", "Contact", "Lead"];

/// Fetch the next page when the cursor is this close to the end of the loaded rows (at least).
pub const PREFETCH_ROWS: usize = 500;

/// The actions only the Records tab answers; from the palette they bring the tab forward.
pub const RECORDS_ACTIONS: &[Action] = &[
    Action::PrevObject,
    Action::NextObject,
    Action::OpenObject,
    Action::ColumnLeft,
    Action::ColumnRight,
    Action::SortColumn,
    Action::QuickSearch,
    Action::SoqlLine,
    Action::ChooseColumns,
    Action::ReloadList,
    Action::ExportView,
    Action::ShowExports,
    Action::OpenRecord,
];

/// The default columns of a list (`Id` is always queried, never shown).
pub fn default_columns(object: &str) -> Vec<String> {
    let names: &[&str] = match object.to_ascii_lowercase().as_str() {
        "account" => &[
            "Name",
            "Industry",
            "Phone",
            "Owner.Name",
            "LastModifiedDate",
        ],
        "contact" => &["Name", "Account.Name", "Email", "Phone", "LastModifiedDate"],
        "lead" => &["Name", "Company", "Status", "Email", "LastModifiedDate"],
        _ => &["Name", "LastModifiedDate"],
    };
    names.iter().map(|s| (*s).to_owned()).collect()
}

/// How a list is filtered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Filter {
    #[default]
    None,
    /// `/` quick search: the name field contains this text.
    Quick(String),
    /// A WHERE clause from the SOQL line.
    Where(String),
    /// A whole query from the SOQL line (its SELECT list gives the columns).
    Soql(String),
}

/// One object's list.
#[derive(Debug, Clone)]
pub struct ListView {
    pub object: String,
    /// Shown columns (SOQL paths), in order.
    pub columns: Vec<String>,
    /// The user chose the columns (default columns the org lacks are left out silently).
    pub custom_columns: bool,
    pub sort: Option<(String, SortDir)>,
    pub filter: Filter,
    pub rows: RowStore,
    /// `totalSize` of the query (None before the first page).
    pub total: Option<u64>,
    pub next_url: Option<String>,
    /// Pages loaded so far.
    pub pages: u32,
    pub cursor: usize,
    /// First row shown.
    pub scroll: usize,
    /// The column `s` sorts by.
    pub focus_col: usize,
    /// The page fetch in flight (never two at once).
    pub fetch: Option<RequestId>,
    /// `G`: keep loading pages and keep the cursor on the last row.
    pub follow_end: bool,
    /// Why the list could not load.
    pub error: Option<String>,
    /// The query of the loaded rows.
    pub soql: String,
    /// Data changed elsewhere (a write sent from the Composer or the History): the list
    /// reloads the next time it is shown.
    pub stale: bool,
    /// After a reload of a stale list: the Id of the row the cursor was on and its index, to
    /// put the cursor back on that record (or near where it was) when the first page arrives.
    pub restore: Option<(String, usize)>,
}

impl ListView {
    pub fn new(object: &str) -> ListView {
        let columns = default_columns(object);
        ListView {
            object: object.to_owned(),
            rows: RowStore::new(columns.clone()),
            columns,
            custom_columns: false,
            sort: None,
            filter: Filter::None,
            total: None,
            next_url: None,
            pages: 0,
            cursor: 0,
            scroll: 0,
            focus_col: 0,
            fetch: None,
            follow_end: false,
            error: None,
            soql: String::new(),
            stale: false,
            restore: None,
        }
    }

    /// Whether the first page was asked for (or arrived).
    pub fn started(&self) -> bool {
        self.total.is_some() || self.fetch.is_some() || self.error.is_some()
    }

    pub fn loading(&self) -> bool {
        self.fetch.is_some()
    }

    /// "1,200 of 48,000 loaded".
    pub fn progress(&self) -> String {
        match self.total {
            Some(total) => format!(
                "{} of {} loaded",
                group_thousands(self.rows.len() as u64),
                group_thousands(total)
            ),
            None if self.fetch.is_some() => "loading…".into(),
            None => String::new(),
        }
    }
}

/// The one-line text inputs of the tab.
#[derive(Debug, Clone)]
pub enum LineInput {
    /// `/`: text the name field must contain.
    Search(TextInput),
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
            LineInput::Search(i) | LineInput::ExportPath(i) => i,
            LineInput::Soql { input, .. } | LineInput::OpenObject { input, .. } => input,
        }
    }

    fn input_mut(&mut self) -> &mut TextInput {
        match self {
            LineInput::Search(i) | LineInput::ExportPath(i) => i,
            LineInput::Soql { input, .. } | LineInput::OpenObject { input, .. } => input,
        }
    }

    pub fn prompt(&self) -> &'static str {
        match self {
            LineInput::Search(_) => "/",
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

/// A popup of the tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    /// The column chooser: describe's fields (and the current relationship columns) with a
    /// checkmark each.
    Columns {
        choices: Vec<(String, bool)>,
        selected: usize,
    },
    /// The export jobs.
    Exports { selected: usize },
}

/// An export of a view (Bulk API 2.0 query job → CSV file).
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub object: String,
    pub path: PathBuf,
    pub soql: String,
    /// The job's state as Salesforce says (`UploadComplete`, `InProgress`, `JobComplete`,
    /// `Failed`, `Aborted`), or ours before the job exists (`Creating`).
    pub state: String,
    pub job: Option<Box<BulkJob>>,
    pub records: u64,
    pub bytes: u64,
    pub req: Option<RequestId>,
    pub error: Option<String>,
    /// Written completely.
    pub finished: bool,
    polls: u32,
}

impl Export {
    pub fn is_running(&self) -> bool {
        !self.finished && self.error.is_none() && self.state != "Aborted"
    }

    /// "InProgress · 20,000 records · 4.1 MB".
    pub fn summary(&self) -> String {
        format!(
            "{} · {} records · {:.1} MB",
            self.state,
            group_thousands(self.records),
            self.bytes as f64 / 1_000_000.0
        )
    }
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
    refetch_reqs: BTreeMap<RequestId, String>,
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
    }

    /// Whether keys are typed into a line.
    pub fn wants_text(&self) -> bool {
        self.input.is_some()
    }

    /// Whether anything here animates (a spinner).
    pub fn is_busy(&self) -> bool {
        self.views.iter().any(ListView::loading) || self.exports.iter().any(Export::is_running)
    }

    /// A profile connected: a different one than before drops every loaded list; the current
    /// list loads if it has not.
    pub fn connected(&mut self, profile: &str, ids: &mut RequestIds) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.profile.as_deref() != Some(profile) {
            for view in &mut self.views {
                if let Some(req) = view.fetch.take() {
                    effects.push(Effect::Cancel(req));
                }
                let object = view.object.clone();
                *view = ListView::new(&object);
            }
            self.describes.clear();
            self.describe_reqs.clear();
            self.refetch_reqs.clear();
            self.objects = None;
            self.global_req = None;
            self.profile = Some(profile.to_owned());
        }
        effects.extend(self.ensure_loaded(ids));
        effects
    }

    /// Starts the current list (and its describe) if it never loaded, or reloads it if it is
    /// stale (keeping the cursor on the same record when it is still there).
    pub fn ensure_loaded(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        if self.profile.is_none() {
            return Vec::new();
        }
        let view = self.view();
        if view.stale {
            let restore = (view.cursor < view.rows.len())
                .then(|| (view.rows.id(view.cursor).to_owned(), view.cursor));
            let effects = self.reload(ids);
            let view = self.view_mut();
            view.stale = false;
            view.restore = restore;
            return effects;
        }
        if view.started() {
            return Vec::new();
        }
        self.reload(ids)
    }

    /// Data changed outside the tab (the Composer or the History sent a write): every loaded
    /// list reloads the next time it is shown.
    pub fn mark_stale(&mut self) {
        for view in self.views.iter_mut().filter(|v| v.started()) {
            view.stale = true;
        }
    }

    fn describe_effects(&mut self, object: &str, ids: &mut RequestIds) -> Vec<Effect> {
        let key = object.to_ascii_lowercase();
        if self.describes.contains_key(&key) || self.describe_reqs.values().any(|o| *o == key) {
            return Vec::new();
        }
        let (req, effect) = spawn(
            ids,
            RecordsJob::Describe {
                object: object.to_owned(),
            },
        );
        self.describe_reqs.insert(req, key);
        vec![effect]
    }

    /// The query of a view as it stands.
    fn query_of(&self, view: &ListView) -> String {
        match &view.filter {
            Filter::Soql(text) => text.trim().to_owned(),
            Filter::None => soql::build_query(
                &view.object,
                &view.columns,
                None,
                view.sort.as_ref().map(|(f, d)| (f.as_str(), *d)),
            ),
            Filter::Quick(text) => {
                let name = self.name_field(&view.object);
                let condition = soql::contains_condition(&name, text);
                soql::build_query(
                    &view.object,
                    &view.columns,
                    Some(&condition),
                    view.sort.as_ref().map(|(f, d)| (f.as_str(), *d)),
                )
            }
            Filter::Where(clause) => soql::build_query(
                &view.object,
                &view.columns,
                Some(clause),
                view.sort.as_ref().map(|(f, d)| (f.as_str(), *d)),
            ),
        }
    }

    /// The field quick search looks in: describe's name field, else `Name`.
    pub fn name_field(&self, object: &str) -> String {
        self.describe(object)
            .and_then(|d| d.fields.iter().find(|f| f.name_field))
            .map_or_else(|| "Name".to_owned(), |f| f.name.clone())
    }

    /// Re-queries the current list from the start.
    fn reload(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        if self.profile.is_none() {
            self.view_mut().error = Some("Connect a profile first.".into());
            return Vec::new();
        }
        let mut effects = Vec::new();
        let object = self.view().object.clone();
        effects.extend(self.describe_effects(&object, ids));
        let soql = self.query_of(self.view());
        let (req, effect) = spawn(
            ids,
            RecordsJob::Query {
                object: object.clone(),
                soql: soql.clone(),
                columns: self.view().columns.clone(),
            },
        );
        let view = self.view_mut();
        if let Some(old) = view.fetch.replace(req) {
            effects.push(Effect::Cancel(old));
        }
        view.soql = soql;
        view.rows = RowStore::new(view.columns.clone());
        view.total = None;
        view.next_url = None;
        view.pages = 0;
        view.cursor = 0;
        view.scroll = 0;
        view.follow_end = false;
        view.error = None;
        view.restore = None;
        view.stale = false;
        effects.push(effect);
        effects
    }

    /// Fetches the next page if the cursor is near the end (or `G` follows) and none is in flight.
    fn prefetch(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let margin = PREFETCH_ROWS.max(self.viewport * 2);
        let view = self.view();
        let near = view.follow_end || view.cursor + margin >= view.rows.len();
        let Some(url) = view.next_url.clone() else {
            return Vec::new();
        };
        if view.fetch.is_some() || !near || view.error.is_some() {
            return Vec::new();
        }
        let (req, effect) = spawn(
            ids,
            RecordsJob::More {
                object: view.object.clone(),
                url,
                columns: view.columns.clone(),
                page: view.pages + 1,
            },
        );
        self.view_mut().fetch = Some(req);
        vec![effect]
    }

    fn keep_cursor_visible(&mut self) {
        let height = self.viewport.max(1);
        let view = self.view_mut();
        let len = view.rows.len();
        if len == 0 {
            view.cursor = 0;
            view.scroll = 0;
            return;
        }
        view.cursor = view.cursor.min(len - 1);
        if view.cursor < view.scroll {
            view.scroll = view.cursor;
        } else if view.cursor >= view.scroll + height {
            view.scroll = view.cursor + 1 - height;
        }
    }

    fn move_cursor(&mut self, to: usize, ids: &mut RequestIds) -> Vec<Effect> {
        let view = self.view_mut();
        view.follow_end = false;
        view.cursor = to;
        self.keep_cursor_visible();
        self.prefetch(ids)
    }

    /// Switches to the view of `object` (created if new) and loads it if needed.
    pub fn switch_to(&mut self, object: &str, ids: &mut RequestIds) -> Vec<Effect> {
        let index = match self
            .views
            .iter()
            .position(|v| v.object.eq_ignore_ascii_case(object))
        {
            Some(i) => i,
            None => {
                self.views.push(ListView::new(object));
                self.views.len() - 1
            }
        };
        self.current = index;
        self.notice = None;
        self.ensure_loaded(ids)
    }

    /// A key typed into the focused line.
    pub fn type_key(&mut self, key: KeyEvent) {
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
                _ => {}
            }
        }
    }

    /// Handles an action while the tab has the keyboard.
    pub fn update(&mut self, action: Action, now: Timestamp, ids: &mut RequestIds) -> Reply {
        if self.input.is_some() {
            return Reply::Effects(self.update_input(action, ids));
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
                self.input = Some(LineInput::Search(TextInput::new(text)));
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

    fn global_effects(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        if self.objects.is_some() || self.global_req.is_some() || self.profile.is_none() {
            return Vec::new();
        }
        let (req, effect) = spawn(ids, RecordsJob::DescribeGlobal);
        self.global_req = Some(req);
        vec![effect]
    }

    fn sort(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let view = self.view();
        if matches!(view.filter, Filter::Soql(_)) {
            self.notice = Some(
                "Sorting works on the list's own query: clear the SOQL line (w) to sort.".into(),
            );
            return Vec::new();
        }
        let Some(column) = view.columns.get(view.focus_col).cloned() else {
            return Vec::new();
        };
        if !column.contains('.')
            && let Some(field) = self.describe(&view.object).and_then(|d| d.field(&column))
            && !field.sortable
        {
            self.notice = Some(format!(
                "{column} is not sortable (describe: sortable false)."
            ));
            return Vec::new();
        }
        let dir = match &view.sort {
            Some((c, SortDir::Asc)) if *c == column => SortDir::Desc,
            _ => SortDir::Asc,
        };
        self.notice = None;
        self.view_mut().sort = Some((column, dir));
        self.reload(ids)
    }

    fn open_chooser(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let object = self.view().object.clone();
        let Some(describe) = self.describe(&object).cloned() else {
            self.notice = Some(format!("Waiting for the describe of {object}…"));
            return self.describe_effects(&object, ids);
        };
        let current = &self.view().columns;
        let mut choices: Vec<(String, bool)> = current
            .iter()
            .filter(|c| c.contains('.'))
            .map(|c| (c.clone(), true))
            .collect();
        choices.extend(describe.fields.iter().filter(|f| f.name != "Id").map(|f| {
            let on = current.iter().any(|c| c.eq_ignore_ascii_case(&f.name));
            (f.name.clone(), on)
        }));
        self.popup = Some(Popup::Columns {
            choices,
            selected: 0,
        });
        Vec::new()
    }

    fn update_popup(&mut self, action: Action, ids: &mut RequestIds) -> Reply {
        let Some(popup) = self.popup.as_mut() else {
            return Reply::Unhandled;
        };
        let len = match popup {
            Popup::Columns { choices, .. } => choices.len(),
            Popup::Exports { .. } => self.exports.len(),
        };
        let (Popup::Columns { selected, .. } | Popup::Exports { selected }) = popup;
        match action {
            Action::Up => *selected = selected.saturating_sub(1),
            Action::Down => *selected = (*selected + 1).min(len.saturating_sub(1)),
            Action::Top => *selected = 0,
            Action::Bottom => *selected = len.saturating_sub(1),
            Action::PageUp => *selected = selected.saturating_sub(10),
            Action::PageDown => *selected = (*selected + 10).min(len.saturating_sub(1)),
            Action::ToggleItem => {
                if let Popup::Columns { choices, selected } = popup
                    && let Some(choice) = choices.get_mut(*selected)
                {
                    choice.1 = !choice.1;
                }
            }
            Action::Submit => {
                if let Some(Popup::Columns { choices, .. }) = self.popup.take() {
                    return Reply::Effects(self.apply_columns(&choices, ids));
                }
                self.popup = None;
            }
            Action::AbortExport => {
                let at = *selected;
                return Reply::Effects(self.abort_export(at, ids));
            }
            Action::Cancel => self.popup = None,
            Action::Quit => return Reply::Unhandled,
            _ => {}
        }
        Reply::Effects(Vec::new())
    }

    fn apply_columns(&mut self, choices: &[(String, bool)], ids: &mut RequestIds) -> Vec<Effect> {
        let view = self.view();
        // Columns kept stay in place; new ones follow in chooser order.
        let mut columns: Vec<String> = view
            .columns
            .iter()
            .filter(|c| {
                choices
                    .iter()
                    .any(|(n, on)| *on && n.eq_ignore_ascii_case(c))
            })
            .cloned()
            .collect();
        for (name, on) in choices {
            if *on && !columns.iter().any(|c| c.eq_ignore_ascii_case(name)) {
                columns.push(name.clone());
            }
        }
        if columns.is_empty() {
            self.notice = Some("Keep at least one column.".into());
            return Vec::new();
        }
        if columns == view.columns {
            return Vec::new();
        }
        let view = self.view_mut();
        view.columns = columns;
        view.custom_columns = true;
        view.focus_col = view.focus_col.min(view.columns.len() - 1);
        if matches!(view.filter, Filter::Soql(_)) {
            view.filter = Filter::None;
        }
        self.reload(ids)
    }

    fn update_input(&mut self, action: Action, ids: &mut RequestIds) -> Vec<Effect> {
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
            LineInput::Search(input) => {
                let text = input.text().trim().to_owned();
                let view = self.view_mut();
                view.filter = if text.is_empty() {
                    Filter::None
                } else {
                    Filter::Quick(text)
                };
                self.reload(ids)
            }
            LineInput::Soql { input, .. } => {
                let text = input.text().trim().to_owned();
                if text.is_empty() {
                    self.view_mut().filter = Filter::None;
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
                        let index = match self
                            .views
                            .iter()
                            .position(|v| v.object.eq_ignore_ascii_case(&object))
                        {
                            Some(i) => i,
                            None => {
                                self.views.push(ListView::new(&object));
                                self.views.len() - 1
                            }
                        };
                        self.current = index;
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
                    view.custom_columns = true;
                    view.sort = None;
                    view.filter = Filter::Soql(text);
                    effects.extend(self.reload(ids));
                    effects
                } else {
                    self.view_mut().filter = Filter::Where(soql::strip_where(&text).to_owned());
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

    fn start_export(&mut self, path: PathBuf, ids: &mut RequestIds) -> Vec<Effect> {
        let soql = self.query_of(self.view());
        let (req, effect) = spawn(ids, RecordsJob::ExportCreate { soql: soql.clone() });
        self.exports.push(Export {
            object: self.view().object.clone(),
            path,
            soql,
            state: "Creating".into(),
            job: None,
            records: 0,
            bytes: 0,
            req: Some(req),
            error: None,
            finished: false,
            polls: 0,
        });
        self.notice = Some("Export started: J shows the jobs.".into());
        vec![effect]
    }

    fn abort_export(&mut self, at: usize, ids: &mut RequestIds) -> Vec<Effect> {
        let Some(export) = self.exports.get_mut(at) else {
            return Vec::new();
        };
        if !export.is_running() {
            return Vec::new();
        }
        let mut effects = Vec::new();
        if let Some(req) = export.req.take() {
            effects.push(Effect::Cancel(req));
        }
        export.state = "Aborted".into();
        let unfinished_on_server = export
            .job
            .as_ref()
            .is_some_and(|j| !j.is_finished())
            .then(|| export.job.as_ref().map(|j| j.id.clone()))
            .flatten();
        if let Some(job_id) = unfinished_on_server {
            let (req, effect) = spawn(ids, RecordsJob::ExportAbort { job_id });
            if let Some(export) = self.exports.get_mut(at) {
                export.req = Some(req);
            }
            effects.push(effect);
        }
        effects
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
            RecordsOutcome::Described(result) => {
                let key = self.describe_reqs.remove(&req);
                match result {
                    Ok(describe) => {
                        let key = key.unwrap_or_else(|| describe.name.to_ascii_lowercase());
                        if !describe.queryable
                            && let Some(view) = self
                                .views
                                .iter_mut()
                                .find(|v| v.object.eq_ignore_ascii_case(&describe.name))
                        {
                            view.error = Some(format!("{} is not queryable.", describe.name));
                        }
                        self.describes.insert(key, describe);
                    }
                    Err(e) => {
                        if let Some(key) = key
                            && let Some(view) = self
                                .views
                                .iter_mut()
                                .find(|v| v.object.eq_ignore_ascii_case(&key))
                            && view.error.is_none()
                            && view.total.is_none()
                            && view.fetch.is_none()
                        {
                            view.error = Some(err_text(&e));
                        }
                    }
                }
                Vec::new()
            }
            RecordsOutcome::Global(result) => {
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
            RecordsOutcome::Refetched { id, result } => {
                let Some(object) = self.refetch_reqs.remove(&req) else {
                    return Vec::new();
                };
                if let Ok(found) = result {
                    for view in self
                        .views
                        .iter_mut()
                        .filter(|v| v.object.eq_ignore_ascii_case(&object))
                    {
                        let Some(row) = view.rows.position(&id) else {
                            continue;
                        };
                        match &found {
                            Some(fresh) if fresh.columns() == view.rows.columns() => {
                                let cells: Vec<Option<&str>> = (0..fresh.columns().len())
                                    .map(|c| fresh.cell(0, c))
                                    .collect();
                                let _ = view.rows.replace(row, cells);
                            }
                            Some(_) => {}
                            None => {
                                view.rows.remove(row);
                                view.total = view.total.map(|t| t.saturating_sub(1));
                            }
                        }
                    }
                }
                Vec::new()
            }
            RecordsOutcome::ExportJob(result) => self.on_export_job(req, result, ids),
            RecordsOutcome::ExportPage(result) => {
                let Some(at) = self.exports.iter().position(|e| e.req == Some(req)) else {
                    return Vec::new();
                };
                let export = &mut self.exports[at];
                export.req = None;
                match result {
                    Ok(done) => {
                        export.records += done.records;
                        export.bytes += done.bytes;
                        match (done.next_locator, export.job.clone()) {
                            (Some(locator), Some(job)) => {
                                let job = RecordsJob::ExportPage {
                                    job,
                                    locator: Some(locator),
                                    path: export.path.clone(),
                                };
                                let (req, effect) = spawn(ids, job);
                                self.exports[at].req = Some(req);
                                return vec![effect];
                            }
                            _ => {
                                export.finished = true;
                                self.notice = Some(format!(
                                    "Exported {} {} rows to {}",
                                    group_thousands(export.records),
                                    export.object,
                                    export.path.display()
                                ));
                            }
                        }
                    }
                    Err(e) => {
                        export.error = Some(err_text(&e));
                        self.notice = Some(format!("Export failed: {}", err_text(&e)));
                    }
                }
                Vec::new()
            }
            RecordsOutcome::Aborted(result) => {
                if let Some(export) = self.exports.iter_mut().find(|e| e.req == Some(req)) {
                    export.req = None;
                    if let Err(e) = result {
                        export.error = Some(format!("abort: {}", err_text(&e)));
                    }
                }
                Vec::new()
            }
        }
    }

    fn on_export_job(
        &mut self,
        req: RequestId,
        result: Result<Box<BulkJob>, JobError>,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        let Some(at) = self.exports.iter().position(|e| e.req == Some(req)) else {
            return Vec::new();
        };
        let export = &mut self.exports[at];
        export.req = None;
        let job = match result {
            Ok(job) => job,
            Err(e) => {
                export.error = Some(err_text(&e));
                self.notice = Some(format!("Export failed: {}", err_text(&e)));
                return Vec::new();
            }
        };
        export.state = job.state.clone();
        if let Some(n) = job.number_records_processed {
            // Progress while the job runs; the download counts again from zero.
            if !job.is_finished() {
                export.records = n;
            }
        }
        let next = match job.state.as_str() {
            "JobComplete" => {
                export.records = 0;
                RecordsJob::ExportPage {
                    job: job.clone(),
                    locator: None,
                    path: export.path.clone(),
                }
            }
            "Failed" | "Aborted" => {
                let why = job
                    .error_message
                    .clone()
                    .unwrap_or_else(|| job.state.clone());
                export.error = Some(why.clone());
                self.notice = Some(format!("Export {}: {why}", job.state));
                export.job = Some(job);
                return Vec::new();
            }
            _ => {
                export.polls += 1;
                let delay = Duration::from_millis((250 * u64::from(export.polls)).min(2000));
                RecordsJob::ExportPoll {
                    job_id: job.id.clone(),
                    delay,
                }
            }
        };
        export.job = Some(job);
        let (req, effect) = spawn(ids, next);
        self.exports[at].req = Some(req);
        vec![effect]
    }

    fn on_page(
        &mut self,
        req: RequestId,
        result: Result<PageRows, JobError>,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        let Some(index) = self.views.iter().position(|v| v.fetch == Some(req)) else {
            return Vec::new();
        };
        let previous = self.current;
        self.current = index;
        let effects = self.apply_page(result, ids);
        self.current = previous;
        effects
    }

    fn apply_page(
        &mut self,
        result: Result<PageRows, JobError>,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        let view = self.view_mut();
        view.fetch = None;
        match result {
            Ok(page) => {
                if page.rows.columns() != view.rows.columns() {
                    return Vec::new();
                }
                if let Err(e) = view.rows.append(&page.rows) {
                    view.error = Some(e.to_string());
                    view.follow_end = false;
                    return Vec::new();
                }
                view.total = Some(page.total);
                view.next_url = page.next_url;
                view.pages += 1;
                if view.next_url.is_none() {
                    view.rows.shrink_to_fit();
                }
                if view.follow_end {
                    view.cursor = view.rows.len().saturating_sub(1);
                    view.follow_end = view.next_url.is_some();
                }
                if let Some((id, at)) = view.restore.take() {
                    view.cursor = view.rows.position(&id).unwrap_or(at);
                }
                self.keep_cursor_visible();
                self.prefetch(ids)
            }
            Err(e) => {
                view.follow_end = false;
                self.page_error(e, ids)
            }
        }
    }

    fn page_error(&mut self, e: JobError, ids: &mut RequestIds) -> Vec<Effect> {
        let position = soql::error_position(&e.message);
        let view = self.view();
        let first_page = view.total.is_none();
        // A default column this org lacks (e.g. Owner.Name without User access): leave it out.
        if first_page
            && !view.custom_columns
            && e.code.as_deref() == Some("INVALID_FIELD")
            && let Some(pos) = position
            && let Some(column) = soql::column_at(&view.soql, pos.column)
            && view.columns.len() > 1
            && let Some(i) = view.columns.iter().position(|c| *c == column)
        {
            let view = self.view_mut();
            view.columns.remove(i);
            view.focus_col = view.focus_col.min(view.columns.len() - 1);
            self.notice = Some(format!(
                "{column} is not available in this org: column left out."
            ));
            return self.reload(ids);
        }
        let text = err_text(&e);
        let typed = match &view.filter {
            Filter::Where(clause) => Some((clause.clone(), false)),
            Filter::Soql(query) => Some((query.clone(), true)),
            _ => None,
        };
        let soql_error = first_page && position.is_some()
            || matches!(
                e.code.as_deref(),
                Some("MALFORMED_QUERY" | "INVALID_FIELD" | "INVALID_TYPE")
            );
        if let Some((typed, full)) = typed.filter(|_| soql_error && first_page) {
            let caret = position.and_then(|p| {
                let at = p.column.checked_sub(1)?;
                if p.row != 1 {
                    return None;
                }
                if full {
                    Some(at)
                } else {
                    let prefix = view.soql.find(" WHERE ")? + 7;
                    at.checked_sub(prefix)
                }
            });
            self.input = Some(LineInput::Soql {
                input: TextInput::new(typed),
                error: Some(SoqlError {
                    code: e.code.clone(),
                    message: soql::error_detail(&e.message),
                    caret,
                }),
                suggestions: Vec::new(),
                replace_from: 0,
            });
        }
        self.view_mut().error = Some(text);
        Vec::new()
    }

    /// The detail view saved `id` of `object`: reload its row in the lists that show it.
    pub fn record_changed(&mut self, object: &str, id: &str, ids: &mut RequestIds) -> Vec<Effect> {
        let mut effects = Vec::new();
        let views: Vec<(String, Vec<String>)> = self
            .views
            .iter()
            .filter(|v| v.object.eq_ignore_ascii_case(object) && v.rows.position(id).is_some())
            .map(|v| (v.object.clone(), v.columns.clone()))
            .collect();
        for (object, columns) in views {
            let soql = soql::build_query(
                &object,
                &columns,
                Some(&format!("Id = '{}'", soql::escape_literal(id))),
                None,
            );
            let (req, effect) = spawn(
                ids,
                RecordsJob::Refetch {
                    object: object.clone(),
                    id: id.to_owned(),
                    soql,
                    columns,
                },
            );
            self.refetch_reqs.insert(req, object);
            effects.push(effect);
        }
        effects
    }

    /// The detail view deleted `id`: drop its row.
    pub fn record_deleted(&mut self, object: &str, id: &str) {
        for view in self
            .views
            .iter_mut()
            .filter(|v| v.object.eq_ignore_ascii_case(object))
        {
            if let Some(row) = view.rows.position(id) {
                view.rows.remove(row);
                view.total = view.total.map(|t| t.saturating_sub(1));
                if view.cursor >= view.rows.len() {
                    view.cursor = view.rows.len().saturating_sub(1);
                }
            }
        }
    }

    /// The running export, for the status bar.
    pub fn running_export(&self) -> Option<&Export> {
        self.exports.iter().rev().find(|e| e.is_running())
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
