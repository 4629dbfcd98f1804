//! Loading a CSV into the org with Bulk API 2.0 ingest jobs, for `sfterm import` and the
//! TUI's import wizard alike (one implementation; each shows progress its own way).
//!
//! 1. The file is read strictly ([`csv_file`]) and checked against the object's describe
//!    ([`check`], each value by `values`), its columns optionally remapped ([`mapping`]):
//!    [`plan`] gives a [`Plan`], or the problems (`file:line:column: reason`).
//! 2. The rows are cut into jobs of at most [`Spec::max_upload_bytes`]; [`send`] creates each
//!    job, gives it its one upload and closes it.
//! 3. The caller polls the jobs until they finish (the CLI waits, the TUI polls step by step).
//! 4. [`results::write_results`] writes the result files beside the input.
//!
//! It knows no pane, job or runtime and no command (a wall in `tests/architecture.rs`).

pub mod check;
pub mod csv_file;
pub mod mapping;
pub mod results;
mod values;

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;

use crate::sf::ingest::{IngestOperation, NewIngestJob};
use crate::sf::{ApiError, SObjectDescribe, SfClient};
use check::{Checker, Target};
pub use csv_file::{Position, Problem};

/// What to import: into which object, how, and which field each column sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    /// The object (`Contact`).
    pub object: String,
    pub operation: IngestOperation,
    /// The upsert's key field (`External_Id__c`, or `Id`).
    pub external_id: Option<String>,
    /// Which field each column sets.
    pub mapping: mapping::Mapping,
    /// The most bytes of CSV one job takes.
    pub max_upload_bytes: usize,
}

/// Why nothing was sent.
#[derive(Debug)]
pub enum IngestError {
    /// The request cannot be (the CLI's usage error).
    Usage(String),
    /// Something else failed, in plain words.
    Failure(String),
    /// Salesforce or the network failed.
    Api(ApiError),
    /// The file has problems (at most 50 listed) and `more` beyond them.
    Refused { problems: Vec<Problem>, more: usize },
}

impl From<ApiError> for IngestError {
    fn from(e: ApiError) -> Self {
        IngestError::Api(e)
    }
}

/// `file:line:column: message`.
pub fn located(file: &Path, problem: &Problem) -> String {
    format!(
        "{}:{}:{}: {}",
        file.display(),
        problem.at.line,
        problem.at.column,
        problem.message
    )
}

/// The file's text ([`csv_file::decode`]: a byte-order mark dropped, UTF-8 checked).
pub fn decode(bytes: &[u8]) -> Result<String, Problem> {
    csv_file::decode(bytes).map(str::to_owned)
}

/// The upsert key as the describe spells it; a usage error when it cannot be one.
pub fn external_id_field(
    spec: &Spec,
    object: &SObjectDescribe,
) -> Result<Option<String>, IngestError> {
    let key = match (spec.operation, &spec.external_id) {
        (IngestOperation::Upsert, None) => {
            return Err(IngestError::Usage(
                "an upsert needs --external-id FIELD: the External ID field (or Id) that \
                 matches each row to its record"
                    .into(),
            ));
        }
        (IngestOperation::Upsert, Some(key)) => key,
        (_, Some(_)) => {
            return Err(IngestError::Usage(
                "--external-id is only for --operation upsert".into(),
            ));
        }
        (_, None) => return Ok(None),
    };
    if key.eq_ignore_ascii_case("Id") {
        return Ok(Some("Id".to_owned()));
    }
    let field = object.field(key).ok_or_else(|| {
        IngestError::Usage(format!(
            "--external-id {key}: {} has no such field",
            object.name
        ))
    })?;
    if !(field.external_id || field.id_lookup) {
        return Err(IngestError::Usage(format!(
            "--external-id {key}: {}.{} is not an External ID field; an upsert matches rows on \
             an External ID field or on Id",
            object.name, field.name
        )));
    }
    Ok(Some(field.name.clone()))
}

/// A checked file ready to send: its text, the data rows (bytes and start), the jobs.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    text: String,
    /// The header row as sent (the file's own bytes, or the remapped names).
    header: String,
    rows: Vec<(Range<usize>, Position)>,
    parts: Vec<Range<usize>>,
    /// The columns sent when the mapping changes the header (`None`: the rows as they are).
    kept: Option<Vec<usize>>,
    pub new_job: NewIngestJob,
    /// Rows Salesforce will refuse, counted ([`Checker::notes`]), and the skipped columns.
    pub notes: Vec<String>,
}

impl Plan {
    /// Data rows in the file.
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// The number of jobs.
    pub fn parts(&self) -> usize {
        self.parts.len()
    }

    /// The header row as sent (line ending included).
    pub fn header(&self) -> &str {
        &self.header
    }

    /// The CSV of job `part`: the header, then its rows (as they are in the file, or with the
    /// skipped columns left out).
    pub fn part_csv(&self, part: usize) -> Vec<u8> {
        let mut csv = self.header.as_bytes().to_vec();
        let Some(range) = self.parts.get(part) else {
            return csv;
        };
        let ending = ending_text(self.new_job.line_ending).as_bytes();
        for (bytes, _) in &self.rows[range.clone()] {
            let row = &self.text[bytes.clone()];
            match (&self.kept, csv_file::records(row).next()) {
                (Some(kept), Some(Ok(record))) => {
                    let values: Vec<String> = kept
                        .iter()
                        .map(|&i| {
                            record
                                .values
                                .get(i)
                                .map_or_else(String::new, |v| mapping::csv_value(v))
                        })
                        .collect();
                    csv.extend_from_slice(values.join(",").as_bytes());
                    csv.extend_from_slice(ending);
                }
                _ => csv.extend_from_slice(row.as_bytes()),
            }
        }
        csv
    }
}

/// The header's column names, as written.
fn header_names(header: &csv_file::Record<'_>) -> Vec<String> {
    header.values.iter().map(|v| v.to_string()).collect()
}

/// The characters of a line ending.
fn ending_text(ending: crate::sf::ingest::LineEnding) -> &'static str {
    match ending {
        crate::sf::ingest::LineEnding::Lf => "\n",
        crate::sf::ingest::LineEnding::Crlf => "\r\n",
    }
}

/// Reads and checks `text` against the org's describes: the plan, or why not.
pub async fn plan(spec: &Spec, client: &SfClient, text: String) -> Result<Plan, IngestError> {
    let header_record = match csv_file::records(&text).next() {
        None => {
            return Err(IngestError::Failure(
                "the file is empty; it needs a header row of field names".into(),
            ));
        }
        Some(Err(problem)) => {
            return Err(IngestError::Refused {
                problems: vec![problem],
                more: 0,
            });
        }
        Some(Ok(header)) => header,
    };
    let object = client.describe(&spec.object).await?;
    let (fields, _) = spec
        .mapping
        .columns(&object, &header_names(&header_record))
        .map_err(IngestError::Usage)?;
    let names: Vec<&str> = fields.iter().filter_map(Option::as_deref).collect();
    let mut parents = HashMap::new();
    for name in check::parents_needed(&object, &names) {
        // One the org cannot describe is named by the check.
        if let Ok(describe) = client.describe(&name).await {
            parents.insert(name.to_ascii_lowercase(), describe);
        }
    }
    plan_with(spec, &object, &parents, text)
}

/// The pure part of [`plan`]: `text` checked against `object` (and the `parents` its
/// relationship columns name, by lower-case name).
pub fn plan_with(
    spec: &Spec,
    object: &SObjectDescribe,
    parents: &HashMap<String, Arc<SObjectDescribe>>,
    text: String,
) -> Result<Plan, IngestError> {
    let external_id = external_id_field(spec, object)?;
    let target = Target {
        object,
        operation: spec.operation,
        external_id: external_id.as_deref(),
        parents,
    };
    let checked = check_text(spec, target, external_id.clone(), &text)?;
    Ok(Plan { text, ..checked })
}

/// The pure part of [`plan`]: the check of every row against `target`.
fn check_text(
    spec: &Spec,
    target: Target<'_>,
    external_id: Option<String>,
    text: &str,
) -> Result<Plan, IngestError> {
    let mut records = csv_file::records(text);
    let Some(Ok(header)) = records.next() else {
        return Err(IngestError::Failure("the file has no header row".into()));
    };
    let (fields, mapped_notes) = spec
        .mapping
        .columns(target.object, &header_names(&header))
        .map_err(IngestError::Usage)?;
    let mapping = Some(fields.as_slice());
    let mut checker = Checker::mapped(target, &header, mapping);
    let line_ending = header.ending.unwrap_or_default();
    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(problem) => {
                checker.add(problem);
                break;
            }
        };
        if let Some(ending) = record.ending.filter(|e| *e != line_ending) {
            checker.add(Problem {
                at: record.end,
                message: format!(
                    "this line ends with {}, the header with {}: a job takes one kind of line \
                     ending",
                    ending.as_str(),
                    line_ending.as_str()
                ),
            });
        }
        checker.row(&record);
        let start = record.starts.first().copied().unwrap_or(record.end);
        rows.push((record.bytes.clone(), start));
    }
    let (problems, more) = checker.problems();
    if !problems.is_empty() {
        return Err(IngestError::Refused {
            problems: problems.to_vec(),
            more,
        });
    }
    let mut notes = mapped_notes;
    notes.extend(checker.notes());
    let original: Vec<&str> = header.values.iter().map(AsRef::as_ref).collect();
    let (header_text, kept) = match mapping {
        Some(m) if !mapping::is_identity(&original, m) => {
            let kept: Vec<usize> = (0..original.len())
                .filter(|&i| !matches!(m.get(i), Some(None)))
                .collect();
            for (i, name) in original.iter().enumerate() {
                if matches!(m.get(i), Some(None)) {
                    notes.push(format!("the column {name} is skipped: it is not sent"));
                }
            }
            let names: Vec<String> = kept
                .iter()
                .map(|&i| {
                    let name = m.get(i).cloned().flatten();
                    mapping::csv_value(&name.unwrap_or_else(|| original[i].to_owned()))
                })
                .collect();
            let ending = ending_text(line_ending);
            (format!("{}{ending}", names.join(",")), Some(kept))
        }
        _ => (text[header.bytes.clone()].to_owned(), None),
    };
    let parts =
        csv_file::split_rows(header_text.len(), &rows, spec.max_upload_bytes).map_err(|p| {
            IngestError::Refused {
                problems: vec![p],
                more: 0,
            }
        })?;
    Ok(Plan {
        text: String::new(),
        header: header_text,
        rows,
        parts,
        kept,
        new_job: NewIngestJob {
            object: target.object.name.clone(),
            operation: spec.operation,
            external_id_field: external_id,
            line_ending,
        },
        notes,
    })
}

/// A job created for one part of the file, as last seen, and whether its data got there.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub job: crate::sf::bulk::BulkJob,
    pub uploaded: bool,
}

/// Creates, fills and closes a job per part (`before(part)` is called before each). `sent`
/// holds every job created, as last seen, for the results (and the abort) whatever happens.
pub async fn send(
    client: &SfClient,
    plan: &Plan,
    sent: &mut Vec<Sent>,
    mut before: impl FnMut(usize),
) -> Result<(), ApiError> {
    for i in 0..plan.parts.len() {
        before(i);
        let job = client.create_ingest_job(&plan.new_job).await?;
        sent.push(Sent {
            job: job.clone(),
            uploaded: false,
        });
        client
            .upload_ingest_data(&job, Bytes::from(plan.part_csv(i)))
            .await?;
        sent[i].uploaded = true;
        sent[i].job = client.close_ingest_job(&job.id).await?;
    }
    Ok(())
}

/// Rows of each part, for progress lines.
pub fn part_rows(plan: &Plan, part: usize) -> usize {
    plan.parts.get(part).map_or(0, |r| r.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn contact_plan(text: &str, mapping: mapping::Mapping) -> Result<Plan, IngestError> {
        let spec = Spec {
            object: "Contact".into(),
            operation: IngestOperation::Insert,
            external_id: None,
            mapping,
            max_upload_bytes: MAX,
        };
        plan_with(
            &spec,
            &values::tests::describe("Contact"),
            &HashMap::new(),
            text.to_owned(),
        )
    }

    const MAX: usize = crate::sf::ingest::MAX_UPLOAD_BYTES;

    #[test]
    fn a_mapping_renames_columns_and_leaves_skipped_ones_out() {
        let text =
            "First Name,Surname,Shoe size\nAda,Lovelace,38\n\"Grace, Rear Admiral\",Hopper,\n";
        let mapping = vec![
            Some("FirstName".to_owned()),
            Some("LastName".to_owned()),
            None,
        ];
        let plan = contact_plan(text, mapping::Mapping::Columns(mapping)).expect("checks");
        assert_eq!(plan.header(), "FirstName,LastName\n");
        assert_eq!(
            String::from_utf8(plan.part_csv(0)).expect("utf-8"),
            "FirstName,LastName\nAda,Lovelace\n\"Grace, Rear Admiral\",Hopper\n"
        );
        assert_eq!(
            plan.notes,
            ["the column Shoe size is skipped: it is not sent"]
        );
    }

    #[test]
    fn by_header_a_label_sets_its_field_and_an_unknown_column_is_refused_where_it_is() {
        let text = "Last Name,FirstName\nLovelace,Ada\n";
        let plan = contact_plan(text, mapping::Mapping::default()).expect("checks");
        assert_eq!(plan.header(), "LastName,FirstName\n");
        assert_eq!(
            plan.notes,
            ["the column Last Name sets LastName (its label)"]
        );
        let Err(IngestError::Refused { problems, .. }) = contact_plan(
            "LastName,Shoe size\nLovelace,38\n",
            mapping::Mapping::default(),
        ) else {
            panic!("refused");
        };
        assert_eq!(
            (problems[0].at.line, problems[0].at.column),
            (1, 10),
            "{problems:?}"
        );
        let Err(IngestError::Usage(why)) = contact_plan(
            text,
            mapping::Mapping::Header {
                overrides: vec![("Surname".into(), None)],
            },
        ) else {
            panic!("a usage error");
        };
        assert!(why.contains("\"Surname\""), "{why}");
    }

    #[test]
    fn without_a_mapping_the_rows_go_as_they_are() {
        let text = "LastName,FirstName\r\n\"Lovelace\",Ada\r\n";
        let plan = contact_plan(text, mapping::Mapping::default()).expect("checks");
        assert_eq!(plan.part_csv(0), text.as_bytes());
        assert_eq!(plan.rows(), 1);
    }

    #[test]
    fn a_mapping_is_checked_like_a_header() {
        let text = "a,b\nx,y\n";
        let Err(IngestError::Refused { problems, .. }) = contact_plan(
            text,
            mapping::Mapping::Columns(vec![Some("FirstName".into()), Some("Nme".into())]),
        ) else {
            panic!("refused");
        };
        let messages: Vec<String> = problems
            .iter()
            .map(|p| format!("{}:{}: {}", p.at.line, p.at.column, p.message))
            .collect();
        assert_eq!(
            messages,
            [
                "1:3: Contact has no field Nme (did you mean Name?)",
                "1:1: Contact needs LastName on insert and the file has no LastName column",
            ]
        );
    }
}
