//! The SOQL subset the mock org understands: parsing and evaluation over the mock org's records.
//!
//! Interface contract between the SOQL engine and the mock org's HTTP layer (which implements
//! [`SoqlSource`] over its record store and does the paging of [`QueryOutput::records`]).

use std::borrow::Cow;

use serde_json::{Map, Value};

mod eval;
mod lex;
mod parse;

pub use eval::{PathReader, Selection};
pub use parse::{
    Aggregate, CompareOp, Condition, FieldPath, Literal, Name, OrderItem, Query, RelativeDate,
    SelectItem, parse,
};

/// One stored record: canonical field names (as in the describe) to JSON values
/// (`Id`, `IsDeleted`, `CreatedDate`, ... included). Dates are `"YYYY-MM-DD"` strings, datetimes
/// `"YYYY-MM-DDTHH:MM:SS.000+0000"` strings, as Salesforce sends them.
pub type Row = Map<String, Value>;

/// The describe type of a field, as far as SOQL cares (literal checks and comparisons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// id, reference, string, textarea, picklist, multipicklist, phone, url, email, combobox,
    /// encryptedstring: compared as text (case-insensitively, as Salesforce does).
    Text,
    Boolean,
    /// int, double, currency, percent.
    Number,
    Date,
    DateTime,
    /// address, location and other compound fields: selectable, not filterable.
    Other,
}

/// What the engine needs to know about one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldInfo {
    /// The field's name as the describe spells it (`AccountId`).
    pub name: String,
    pub kind: FieldKind,
    pub filterable: bool,
    pub sortable: bool,
    /// For references: the relationship name (`Account`) and the target sObject (`Account`).
    pub relationship: Option<(String, String)>,
}

/// A child relationship (`Contacts` on Account), as a parent-to-child subquery names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildInfo {
    /// The relationship's name as the describe spells it (`Contacts`).
    pub relationship: String,
    /// The child sObject (`Contact`) and its reference field to the parent (`AccountId`).
    pub object: String,
    pub field: String,
}

/// The data and schema the query runs on. Names passed in may be in any letter case, except
/// the field names given to [`SoqlSource::value`], which are canonical (as [`SoqlSource::field`]
/// returned them).
///
/// Rows are addressed by a position (`u32`) the source chooses; the engine reads single fields
/// through [`SoqlSource::value`] and never needs a whole row, so a source can keep its rows in
/// any compact form.
pub trait SoqlSource {
    /// The sObject's name as the describe spells it, or `None` if there is no such object.
    fn object_name(&self, name: &str) -> Option<String>;
    /// A field of `object` (canonical name) by its name in any case.
    fn field(&self, object: &str, name: &str) -> Option<FieldInfo>;
    /// A relationship of `object` by its name in any case (`account` on Contact): the
    /// reference field's info, whose `relationship` is `Some`.
    fn relationship(&self, object: &str, name: &str) -> Option<FieldInfo>;
    /// A child relationship of `object` by its name in any case (`contacts` on Account), for
    /// subqueries. `None` (the default): the source knows none.
    fn child_relationship(&self, object: &str, name: &str) -> Option<ChildInfo> {
        let _ = (object, name);
        None
    }
    /// The positions of every stored row of `object`, deleted ones included, in storage order.
    fn rows(&self, object: &str) -> Box<dyn Iterator<Item = u32> + '_>;
    /// The position of one row by its 18-character Id (deleted ones included).
    fn find(&self, object: &str, id: &str) -> Option<u32>;
    /// The value of `field` (canonical name) in the row of `object` at `pos`; `None` when the
    /// row has no such field. A stored null may come back as `Some(Value::Null)` or `None`.
    fn value(&self, object: &str, pos: u32, field: &str) -> Option<Cow<'_, Value>>;
    /// Whether the row at `pos` is deleted (`IsDeleted: true`).
    fn is_deleted(&self, object: &str, pos: u32) -> bool {
        self.value(object, pos, "IsDeleted")
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    }
    /// A reader of `fields` (canonical names) of `object`'s rows, resolved once per rendered
    /// page, that writes values as JSON without building them. `None` (the default): the engine
    /// reads through [`SoqlSource::value`] and [`SoqlSource::find`] instead.
    fn columns(&self, object: &str, fields: &[&str]) -> Option<Box<dyn Columns + '_>> {
        let _ = (object, fields);
        None
    }
}

/// The rows of one sObject read through fields resolved once ([`SoqlSource::columns`]): the
/// engine writes records with it, a page at a time.
pub trait Columns {
    /// Moves to the row at `pos`; the reads below are of that row.
    fn seek(&mut self, pos: u32);
    /// Appends the JSON of column `col` (an index into the fields the reader was made for)
    /// exactly as `serde_json` writes the value [`SoqlSource::value`] gives; `null` when the
    /// row lacks it.
    fn write_json(&self, col: usize, out: &mut Vec<u8>);
    /// Column `col` when it is text (`None` for null, absent or other JSON); `buf` may hold it.
    fn text<'b>(&'b self, col: usize, buf: &'b mut String) -> Option<&'b str>;
    /// The position of the row with this 18-character Id.
    fn find(&self, id: &str) -> Option<u32>;
    /// Appends column `col`, when it is text, escaped as the inside of a JSON string;
    /// `false` (nothing written) otherwise.
    fn write_text(&self, col: usize, out: &mut Vec<u8>) -> bool {
        let mut buf = String::new();
        match self.text(col, &mut buf) {
            Some(text) => {
                crate::mock_org::state::push_json_str_contents(out, text);
                true
            }
            None => false,
        }
    }
}

/// How to run a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryOptions<'a> {
    /// `queryAll`: include deleted rows. `query` leaves them out.
    pub include_deleted: bool,
    /// The API version of the request, e.g. `"62.0"`, for `attributes.url`.
    pub api_version: &'a str,
}

/// The result of a query before paging.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryOutput {
    /// `totalSize`: all matching rows (after OFFSET and LIMIT), or the count for `COUNT()`.
    pub total_size: usize,
    /// Every record in Salesforce's JSON shape, in result order: `attributes` {type, url} first,
    /// then the selected fields in SELECT order; parent paths nest as objects with their own
    /// `attributes` (or `null` when the lookup is empty); a subquery is a nested query result
    /// `{"totalSize":N,"done":true,"records":[...]}` (or `null` without children). Empty for
    /// `COUNT()`.
    pub records: Vec<Value>,
}

/// Why a query was refused: the REST error code and Salesforce's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct SoqlError {
    /// `MALFORMED_QUERY`, `INVALID_FIELD` or `INVALID_TYPE`.
    pub code: &'static str,
    pub message: String,
}

/// Runs `soql` over `source`: parses, resolves every name through the source (errors as
/// Salesforce reports them: `MALFORMED_QUERY`, `INVALID_FIELD`, `INVALID_TYPE`), filters, sorts,
/// applies OFFSET and LIMIT and builds the records. Relative date literals (TODAY, ...) use the
/// current UTC date.
pub fn execute(
    soql: &str,
    source: &dyn SoqlSource,
    options: QueryOptions<'_>,
) -> Result<QueryOutput, SoqlError> {
    execute_at(soql, source, options, jiff::Timestamp::now())
}

/// [`execute`] with the clock given: relative date literals are taken relative to `now`'s UTC
/// date (for tests and for a mock org with a fake clock).
pub fn execute_at(
    soql: &str,
    source: &dyn SoqlSource,
    options: QueryOptions<'_>,
    now: jiff::Timestamp,
) -> Result<QueryOutput, SoqlError> {
    let selection = select_at(soql, source, options, now)?;
    Ok(QueryOutput {
        total_size: selection.total_size(),
        records: selection.records(source, 0..selection.len()),
    })
}

/// Runs `soql` over `source` like [`execute`] but builds no records: the result keeps the
/// matching rows' positions and the projection, and [`Selection::records`] renders any slice of
/// them later (query cursors and Bulk result pages render one page at a time).
pub fn select(
    soql: &str,
    source: &dyn SoqlSource,
    options: QueryOptions<'_>,
) -> Result<Selection, SoqlError> {
    select_at(soql, source, options, jiff::Timestamp::now())
}

/// [`select`] with the clock given (see [`execute_at`]).
pub fn select_at(
    soql: &str,
    source: &dyn SoqlSource,
    options: QueryOptions<'_>,
    now: jiff::Timestamp,
) -> Result<Selection, SoqlError> {
    let query = parse(soql)?;
    eval::run(soql, &query, source, options, now)
}
