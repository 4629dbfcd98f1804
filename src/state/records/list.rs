//! One object's list: its columns, sort and filter, the rows loaded so far and where the
//! cursor is.

use crate::effect::RequestId;
use crate::human::group_thousands;

use super::rowstore::RowStore;
use super::soql::SortDir;

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
    /// A WHERE clause from the SOQL line, as typed (with or without the keyword: see
    /// [`soql::strip_where`](super::soql::strip_where)).
    Where(String),
    /// A whole query from the SOQL line (its SELECT list gives the columns).
    Soql(String),
}

/// One object's list.
#[derive(Debug, Clone)]
pub struct ListView {
    pub object: String,
    /// Shown columns (SOQL paths), in order: the object's own, or a whole query's SELECT list
    /// while that query is the filter.
    pub columns: Vec<String>,
    /// The object's own columns: the ones chosen with the column chooser, else the defaults.
    /// A whole query lends the list its columns only while it is the filter.
    pub object_columns: Vec<String>,
    /// The user chose the object's columns (default columns the org lacks are left out
    /// silently).
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
    /// Records created in the detail view since the query, shown first (later pages leave
    /// them out).
    pub added: Vec<String>,
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
            object_columns: columns.clone(),
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
            added: Vec::new(),
            restore: None,
        }
    }

    /// Shows the object's own columns again (a whole query's filter is gone).
    pub(super) fn show_object_columns(&mut self) {
        if self.columns != self.object_columns {
            self.columns = self.object_columns.clone();
            self.focus_col = self.focus_col.min(self.columns.len().saturating_sub(1));
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
