//! The import file checked against the object's describe before anything is sent.
//!
//! The check refuses what is malformed: columns the object does not have or that cannot be
//! written by the operation, a missing `Id` / key / required column, relationship columns
//! that do not resolve (`Account.External_Id__c` must name a relationship and an External ID
//! or lookup field of its parent), and values that cannot be of their column's type (numbers,
//! dates, date-times, booleans, ids, restricted picklists, lengths). What depends on the data
//! already in the org or on the org's rules (a required value left empty in some rows, an Id
//! that does not exist, a duplicate) is left to Salesforce, which fails those rows alone; the
//! check counts the rows that will fail that way as notes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::csv_file::{Position, Problem, Record};
use super::values::{check_id, check_value};
use crate::sf::ingest::IngestOperation;
use crate::sf::{FieldDescribe, SObjectDescribe};

/// The most problems listed; the rest are counted.
const MAX_PROBLEMS: usize = 50;
/// Salesforce's limits on one value and one record, in characters.
const MAX_VALUE_CHARS: usize = 32_000;
const MAX_RECORD_CHARS: usize = 400_000;

/// What the file is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The object imported into.
    pub object: &'a SObjectDescribe,
    /// What is done with each row.
    pub operation: IngestOperation,
    /// The upsert's key field (`External_Id__c`, or `Id`).
    pub external_id: Option<&'a str>,
    /// The parents that relationship columns name ([`parents_needed`]), by lower-case name.
    pub parents: &'a HashMap<String, Arc<SObjectDescribe>>,
}

/// `Relationship.Field` or `Type:Relationship.Field`: the type, the relationship, the field.
fn relationship_column(name: &str) -> Option<(Option<&str>, &str, &str)> {
    let (path, field) = name.rsplit_once('.')?;
    Some(match path.split_once(':') {
        Some((kind, relationship)) => (Some(kind), relationship, field),
        None => (None, path, field),
    })
}

/// The reference field of a relationship (`Account` → `AccountId`), any letter case.
fn reference_of<'a>(object: &'a SObjectDescribe, relationship: &str) -> Option<&'a FieldDescribe> {
    object.fields.iter().find(|f| {
        f.relationship_name
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case(relationship))
    })
}

/// The parent object a relationship column reads from: the type it names, or the reference's
/// only target.
fn parent_type<'a>(reference: &'a FieldDescribe, explicit: Option<&str>) -> Option<&'a str> {
    match explicit {
        Some(kind) => reference
            .reference_to
            .iter()
            .find(|t| t.eq_ignore_ascii_case(kind))
            .map(String::as_str),
        None if reference.reference_to.len() == 1 => {
            reference.reference_to.first().map(String::as_str)
        }
        None => None,
    }
}

/// The parent objects whose describes the header's relationship columns need.
pub fn parents_needed(object: &SObjectDescribe, header: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = header
        .iter()
        .filter_map(|name| {
            let (explicit, relationship, _) = relationship_column(name)?;
            parent_type(reference_of(object, relationship)?, explicit).map(str::to_owned)
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// How the values of one column are checked.
enum Column<'a> {
    /// The record's Id (update, delete, upsert by Id).
    Id,
    /// A field of the object.
    Field(&'a FieldDescribe),
    /// A relationship column: values are the parent's `key` field.
    Relation { key: &'a FieldDescribe },
    /// A column whose header has a problem: its values are not checked.
    Skip,
}

/// The check of one file: the header when made, then each row; problems in file order.
pub struct Checker<'a> {
    target: Target<'a>,
    columns: Vec<Column<'a>>,
    /// The column that names the record (`Id`, or the upsert's key).
    key_column: Option<usize>,
    /// Required fields and their columns (inserts and upserts: empty values fail those rows).
    required: Vec<(usize, &'a str)>,
    problems: Vec<Problem>,
    more_problems: usize,
    /// Rows that Salesforce will refuse: why → (count, first line numbers).
    doomed: BTreeMap<String, (u64, Vec<u64>)>,
}

impl<'a> Checker<'a> {
    /// Checks the header row and prepares the row checks.
    pub fn new(target: Target<'a>, header: &Record<'_>) -> Checker<'a> {
        Checker::mapped(target, header, None)
    }

    /// [`Checker::new`] with the header's names remapped: `mapping[i]` is the field column `i`
    /// sets (`None`: the column is skipped, neither checked nor sent). A column past the
    /// mapping keeps its name.
    pub fn mapped(
        target: Target<'a>,
        header: &Record<'_>,
        mapping: Option<&[Option<String>]>,
    ) -> Checker<'a> {
        let mut checker = Checker {
            target,
            columns: Vec::new(),
            key_column: None,
            required: Vec::new(),
            problems: Vec::new(),
            more_problems: 0,
            doomed: BTreeMap::new(),
        };
        let names: Vec<Option<&str>> = header
            .values
            .iter()
            .enumerate()
            .map(|(i, name)| match mapping.and_then(|m| m.get(i)) {
                Some(mapped) => mapped.as_deref(),
                None => Some(name.as_ref()),
            })
            .collect();
        checker.header(&names, &header.starts);
        checker
    }

    fn problem(&mut self, at: Position, message: impl Into<String>) {
        self.add(Problem {
            at,
            message: message.into(),
        });
    }

    /// Adds a problem found while reading the file (its structure, its line endings).
    pub fn add(&mut self, problem: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.more_problems += 1;
        }
    }

    fn header(&mut self, names: &[Option<&str>], starts: &[Position]) {
        let object = self.target.object;
        let operation = self.target.operation;
        let first = Position { line: 1, column: 1 };
        let mut seen: HashMap<String, Position> = HashMap::new();
        // Fields the columns set, directly or through a relationship.
        let mut sets: Vec<String> = Vec::new();
        for (index, (name, &at)) in names.iter().zip(starts).enumerate() {
            let Some(name) = name else {
                self.columns.push(Column::Skip);
                continue;
            };
            let (column, sets_field) = self.header_cell(name, at);
            if !name.is_empty() {
                if let Some(first) = seen.get(&name.to_ascii_lowercase()) {
                    self.problem(
                        at,
                        format!(
                            "the column {name} appears twice (first at column {})",
                            first.column
                        ),
                    );
                }
                seen.entry(name.to_ascii_lowercase()).or_insert(at);
            }
            if let Some(field) = sets_field {
                if sets.iter().any(|s| s.eq_ignore_ascii_case(&field)) {
                    self.problem(at, format!("{field} is set by two columns: keep one"));
                }
                sets.push(field);
            }
            let is_key = match (&column, self.target.external_id) {
                (Column::Id, None | Some("Id")) => true,
                (Column::Field(f), Some(key)) => f.name.eq_ignore_ascii_case(key),
                _ => false,
            };
            if is_key {
                self.key_column = Some(index);
            }
            self.columns.push(column);
        }
        let key = match operation {
            IngestOperation::Upsert => self.target.external_id.unwrap_or("Id"),
            IngestOperation::Update | IngestOperation::Delete => "Id",
            IngestOperation::Insert => "",
        };
        if !key.is_empty() && self.key_column.is_none() {
            let what = match operation {
                IngestOperation::Upsert => format!("an upsert by {key}"),
                IngestOperation::Update => "an update".to_owned(),
                _ => "a delete".to_owned(),
            };
            self.problem(
                first,
                format!(
                    "{what} of {} needs the column {key}: it names the record of each row",
                    object.name
                ),
            );
        }
        if matches!(operation, IngestOperation::Insert | IngestOperation::Upsert) {
            for field in object.fields.iter().filter(|f| f.required_on_create()) {
                match sets
                    .iter()
                    .position(|s| s.eq_ignore_ascii_case(&field.name))
                {
                    Some(_) => {
                        let index = names
                            .iter()
                            .position(|v| v.is_some_and(|v| v.eq_ignore_ascii_case(&field.name)))
                            .or_else(|| {
                                names.iter().position(|v| {
                                    v.and_then(relationship_column).is_some_and(|(_, rel, _)| {
                                        reference_of(object, rel)
                                            .is_some_and(|r| r.name == field.name)
                                    })
                                })
                            });
                        if let Some(index) = index {
                            self.required.push((index, &field.name));
                        }
                    }
                    None if operation == IngestOperation::Insert => self.problem(
                        first,
                        format!(
                            "{} needs {} on insert and the file has no {} column",
                            object.name, field.name, field.name
                        ),
                    ),
                    None => {}
                }
            }
        }
    }

    /// How one header cell is read, and the field it sets.
    fn header_cell(&mut self, name: &str, at: Position) -> (Column<'a>, Option<String>) {
        let object = self.target.object;
        let operation = self.target.operation;
        if name.is_empty() {
            self.problem(at, "this column has no name");
            return (Column::Skip, None);
        }
        if name.eq_ignore_ascii_case("Id") {
            let wanted = match operation {
                IngestOperation::Insert => false,
                IngestOperation::Upsert => self.target.external_id == Some("Id"),
                IngestOperation::Update | IngestOperation::Delete => true,
            };
            if !wanted {
                self.problem(
                    at,
                    format!(
                        "Id cannot be set by {}: Salesforce assigns Ids; remove the column",
                        match operation {
                            IngestOperation::Insert => "an insert".to_owned(),
                            _ => format!("an upsert by {}", self.target.external_id.unwrap_or("?")),
                        }
                    ),
                );
                return (Column::Skip, None);
            }
            return (Column::Id, None);
        }
        if operation == IngestOperation::Delete {
            self.problem(
                at,
                format!("a delete reads only the Id column: remove {name}"),
            );
            return (Column::Skip, None);
        }
        if let Some(field) = object.field(name) {
            if !self.writable(field, at) {
                return (Column::Skip, None);
            }
            return (Column::Field(field), Some(field.name.clone()));
        }
        if let Some((explicit, relationship, key)) = relationship_column(name) {
            return self.relation_cell(name, at, (explicit, relationship, key));
        }
        let hint = suggestion(object, name);
        self.problem(at, format!("{} has no field {name}{hint}", object.name));
        (Column::Skip, None)
    }

    fn relation_cell(
        &mut self,
        name: &str,
        at: Position,
        (explicit, relationship, key): (Option<&str>, &str, &str),
    ) -> (Column<'a>, Option<String>) {
        let object = self.target.object;
        let Some(reference) = reference_of(object, relationship) else {
            self.problem(
                at,
                format!(
                    "{} has no relationship {relationship} (in {name})",
                    object.name
                ),
            );
            return (Column::Skip, None);
        };
        if !self.writable(reference, at) {
            return (Column::Skip, None);
        }
        let Some(parent_name) = parent_type(reference, explicit) else {
            self.problem(
                at,
                format!(
                    "{relationship} can point to {}: name one, as Type:{relationship}.{key}",
                    reference.reference_to.join(", ")
                ),
            );
            return (Column::Skip, None);
        };
        let Some(parent) = self.target.parents.get(&parent_name.to_ascii_lowercase()) else {
            self.problem(
                at,
                format!("the describe of {parent_name} is not available"),
            );
            return (Column::Skip, None);
        };
        let Some(field) = parent.field(key) else {
            self.problem(at, format!("{parent_name} has no field {key} (in {name})"));
            return (Column::Skip, None);
        };
        if !(field.external_id || field.id_lookup) {
            self.problem(
                at,
                format!(
                    "{parent_name}.{} is neither an External ID nor a lookup field: Salesforce \
                     finds parents only by those",
                    field.name
                ),
            );
            return (Column::Skip, None);
        }
        (
            Column::Relation { key: field },
            Some(reference.name.clone()),
        )
    }

    /// Whether the operation may write `field`; a problem at `at` when not.
    fn writable(&mut self, field: &FieldDescribe, at: Position) -> bool {
        let (ok, what) = match self.target.operation {
            IngestOperation::Insert => (field.createable, "set on insert"),
            IngestOperation::Update => (field.updateable, "changed by an update"),
            _ => (field.createable || field.updateable, "written"),
        };
        if !ok {
            let why = if field.calculated {
                " (a formula field)"
            } else {
                ""
            };
            self.problem(
                at,
                format!(
                    "{} is read-only{why}: it cannot be {what}; remove the column",
                    field.name
                ),
            );
        }
        ok
    }

    /// Checks one data row (`line` is where it starts).
    pub fn row(&mut self, record: &Record<'_>) {
        let line = record.starts.first().map_or(0, |p| p.line);
        let expected = self.columns.len();
        if record.values.len() != expected {
            let at = record.starts.get(expected).copied().unwrap_or(record.end);
            self.problem(
                at,
                format!(
                    "this row has {} values; the header has {expected} columns",
                    record.values.len()
                ),
            );
        }
        let mut chars = 0;
        for (index, (value, &at)) in record.values.iter().zip(&record.starts).enumerate() {
            chars += value.chars().count();
            if value.is_empty() || value == "#N/A" {
                continue;
            }
            if value.chars().count() > MAX_VALUE_CHARS {
                self.problem(
                    at,
                    format!("this value is longer than Salesforce's {MAX_VALUE_CHARS} characters"),
                );
                continue;
            }
            let result = match self.columns.get(index) {
                Some(Column::Id) => check_id(value, self.target.object.key_prefix.as_deref()),
                Some(Column::Field(field)) => check_value(field, value),
                Some(Column::Relation { key }) => check_value(key, value),
                Some(Column::Skip) | None => Ok(()),
            };
            if let Err(message) = result {
                self.problem(at, message);
            }
        }
        if chars > MAX_RECORD_CHARS {
            self.problem(
                record.starts.first().copied().unwrap_or(record.end),
                format!("this row is longer than Salesforce's {MAX_RECORD_CHARS} characters"),
            );
        }
        let empty = |i: usize| {
            record
                .values
                .get(i)
                .is_none_or(|v| v.is_empty() || v == "#N/A")
        };
        if let Some(key) = self.key_column
            && empty(key)
            && !(self.target.operation == IngestOperation::Upsert
                && self.target.external_id == Some("Id"))
        {
            let name = match self.target.external_id {
                Some(k) if self.target.operation == IngestOperation::Upsert => k,
                _ => "Id",
            };
            self.doom(format!("no {name}"), line);
        }
        let required: Vec<&str> = self
            .required
            .iter()
            .filter(|(i, _)| empty(*i))
            .map(|(_, f)| *f)
            .collect();
        for field in required {
            self.doom(format!("an empty {field} (required)"), line);
        }
    }

    fn doom(&mut self, why: String, line: u64) {
        let entry = self.doomed.entry(why).or_default();
        entry.0 += 1;
        if entry.1.len() < 5 {
            entry.1.push(line);
        }
    }

    /// The problems found (at most [`MAX_PROBLEMS`]) and how many more there were.
    pub fn problems(&self) -> (&[Problem], usize) {
        (&self.problems, self.more_problems)
    }

    /// One line per kind of row Salesforce will refuse: `10 rows have an empty LastName
    /// (required): lines 4, 9, 12, ...`.
    pub fn notes(&self) -> Vec<String> {
        self.doomed
            .iter()
            .map(|(why, (count, lines))| {
                let lines: Vec<String> = lines.iter().map(u64::to_string).collect();
                let more = if *count > lines.len() as u64 {
                    ", ..."
                } else {
                    ""
                };
                format!(
                    "{count} row{} {} {why}: Salesforce will refuse {} (line{} {}{more})",
                    if *count == 1 { "" } else { "s" },
                    if *count == 1 { "has" } else { "have" },
                    if *count == 1 { "it" } else { "them" },
                    if lines.len() == 1 { "" } else { "s" },
                    lines.join(", ")
                )
            })
            .collect()
    }
}

/// ` (did you mean X?)` for a field whose name or label is close to `name`, else nothing.
fn suggestion(object: &SObjectDescribe, name: &str) -> String {
    let wanted = name.to_ascii_lowercase();
    let by_label = object
        .fields
        .iter()
        .find(|f| f.label.eq_ignore_ascii_case(name));
    let close = || {
        object
            .fields
            .iter()
            .map(|f| (edit_distance(&f.name.to_ascii_lowercase(), &wanted), f))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, f)| f)
    };
    match by_label.or_else(close) {
        Some(f) => format!(" (did you mean {}?)", f.name),
        None => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::super::csv_file::records;
    use super::super::values::tests::describe;
    use super::*;

    /// The problems of a file, as `line:column: message`, and the notes.
    fn check(
        object: &str,
        operation: IngestOperation,
        key: Option<&str>,
        csv: &str,
    ) -> (Vec<String>, Vec<String>) {
        let object = describe(object);
        let parents: HashMap<String, Arc<SObjectDescribe>> =
            [("account".to_owned(), Arc::new(describe("Account")))].into();
        let target = Target {
            object: &object,
            operation,
            external_id: key,
            parents: &parents,
        };
        let mut rows = records(csv);
        let header = rows.next().expect("header").expect("header parses");
        let mut checker = Checker::new(target, &header);
        for row in rows {
            checker.row(&row.expect("row parses"));
        }
        let problems = checker
            .problems()
            .0
            .iter()
            .map(|p| format!("{}:{}: {}", p.at.line, p.at.column, p.message))
            .collect();
        (problems, checker.notes())
    }

    #[test]
    fn header_problems_are_at_their_columns() {
        let (problems, _) = check(
            "Contact",
            IngestOperation::Insert,
            None,
            "FirstName,LastNmae,Name,Id,FirstName\n",
        );
        assert_eq!(
            problems,
            [
                "1:11: Contact has no field LastNmae (did you mean LastName?)",
                "1:20: Name is read-only: it cannot be set on insert; remove the column",
                "1:25: Id cannot be set by an insert: Salesforce assigns Ids; remove the column",
                "1:28: the column FirstName appears twice (first at column 1)",
                "1:28: FirstName is set by two columns: keep one",
                "1:1: Contact needs LastName on insert and the file has no LastName column",
            ]
        );
    }

    #[test]
    fn operations_need_their_key_columns() {
        let update = check("Contact", IngestOperation::Update, None, "LastName\nX\n").0;
        assert_eq!(
            update,
            ["1:1: an update of Contact needs the column Id: it names the record of each row"]
        );
        let delete = check("Contact", IngestOperation::Delete, None, "Id,LastName\n").0;
        assert_eq!(
            delete,
            ["1:4: a delete reads only the Id column: remove LastName"]
        );
        let upsert = check(
            "Contact",
            IngestOperation::Upsert,
            Some("External_Id__c"),
            "LastName\nX\n",
        )
        .0;
        assert_eq!(upsert.len(), 1, "{upsert:?}");
        assert!(
            upsert[0].contains("needs the column External_Id__c"),
            "{upsert:?}"
        );
    }

    #[test]
    fn relationship_columns_resolve_through_an_external_id() {
        let ok = check(
            "Contact",
            IngestOperation::Insert,
            None,
            "LastName,Account.External_Id__c\nLovelace,ACME-1\n",
        );
        assert_eq!(ok, (vec![], vec![]));
        let (problems, _) = check(
            "Contact",
            IngestOperation::Insert,
            None,
            "LastName,Account.Name,Owner.Email,Acount.External_Id__c,AccountId,Account.Id\n",
        );
        // Account.Id is fine (Id identifies a record) but sets AccountId a second time.
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(
            problems[0].starts_with("1:10: Account.Name is neither an External ID"),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("1:23: the describe of User"),
            "{problems:?}"
        );
        assert!(
            problems[2].starts_with("1:35: Contact has no relationship Acount"),
            "{problems:?}"
        );
        assert!(
            problems[3].starts_with("1:67: AccountId is set by two columns"),
            "{problems:?}"
        );
    }

    #[test]
    fn rows_are_checked_and_doomed_rows_counted() {
        let (problems, notes) = check(
            "Contact",
            IngestOperation::Insert,
            None,
            "LastName,Birthdate,Email\n\
             Lovelace,1815-12-10,ada@example.org\n\
             ,1815-12-10,\n\
             Turing,23/06/1912,alan@example.org\n\
             Hopper,1906-12-09\n\
             #N/A,,\n",
        );
        assert_eq!(
            problems,
            [
                "4:8: Birthdate takes a date as yyyy-MM-dd (e.g. 2026-01-31), not \"23/06/1912\"",
                "5:18: this row has 2 values; the header has 3 columns",
            ]
        );
        assert_eq!(
            notes,
            ["2 rows have an empty LastName (required): Salesforce will refuse them (lines 3, 6)"]
        );
    }
}
