//! An ingest job's upload read into work: the CSV parsed with the job's delimiter, its line
//! endings and header checked (a mismatch fails the whole job, as on Salesforce), processing
//! paced by polls ([`advance`]), and the three result files written from what became of each
//! row. Saving the rows is [`super::save`].

use super::super::bulk::{delimiter_char, push_quoted};
use super::super::schema::{FieldDescribe, ObjectSchema};
use super::super::state::{Inner, Shared};
use super::{Job, Operation};

/// What became of one processed row, in upload order.
pub(crate) enum Outcome {
    /// Saved: the record's Id and whether it was created.
    Saved { id: String, created: bool },
    /// Refused: the record's Id when known, and `STATUS_CODE:message:fields`.
    Failed { id: Option<String>, error: String },
}

/// How one header column is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Column {
    /// A field of the job's object (canonical name).
    Field(String),
    /// `Relationship.Key`: the reference field it sets, the parent object and the parent's
    /// field that identifies the record (an external id or `Id`).
    Relation {
        reference: String,
        target: String,
        key: String,
    },
    /// Not read (a delete reads only `Id`).
    Ignored,
}

/// The parsed upload and the outcome of each row processed so far.
pub(crate) struct Work {
    /// The header row as uploaded (echoed in the result files).
    header_line: String,
    pub(super) columns: Vec<Column>,
    pub(super) rows: Vec<Vec<String>>,
    pub outcomes: Vec<Outcome>,
    /// Record ends that do not match the job's `lineEnding`.
    wrong_line_endings: usize,
}

/// The fields of `object` whose describe says `which` of them.
pub(super) fn flagged(object: &ObjectSchema, which: fn(&FieldDescribe) -> bool) -> Vec<String> {
    object
        .describe
        .fields
        .iter()
        .filter(|f| which(f))
        .map(|f| f.name.clone())
        .collect()
}

/// Fields that identify a record on their own: upserts and relationship columns match on them.
pub(crate) fn key_fields(object: &ObjectSchema) -> Vec<String> {
    flagged(object, |f| f.external_id || f.id_lookup)
}

/// The header row as uploaded, the header cells and the rows' cells (a UTF-8 BOM dropped).
fn read_csv(data: &[u8], delimiter: u8) -> (String, Vec<String>, Vec<Vec<String>>) {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(data);
    let mut records = Vec::new();
    let mut header_end = data.len();
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record).unwrap_or(false) {
        if records.is_empty() {
            header_end = usize::try_from(reader.position().byte()).unwrap_or(data.len());
        }
        let cells: Vec<String> = record
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        records.push(cells);
    }
    let header_line = String::from_utf8_lossy(data.get(..header_end).unwrap_or_default())
        .trim_end_matches(['\r', '\n'])
        .to_owned();
    let mut records = records.into_iter();
    let header = records.next().unwrap_or_default();
    (header_line, header, records.collect())
}

/// `(bare LF, CRLF)` record ends outside quotes.
fn line_endings(data: &[u8]) -> (usize, usize) {
    let (mut lf, mut crlf, mut quoted) = (0, 0, false);
    for (i, &b) in data.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted && i > 0 && data[i - 1] == b'\r' => crlf += 1,
            b'\n' if !quoted => lf += 1,
            _ => {}
        }
    }
    (lf, crlf)
}

/// How each header cell is read; a name the object does not have fails the job.
fn plan(shared: &Shared, job: &Job, header: &[String]) -> Result<Vec<Column>, String> {
    let not_found = |name: &str| {
        format!(
            "InvalidBatch : InvalidBatch : Field name not found : {name}. Batch will not be retried."
        )
    };
    let object = shared
        .schema
        .object(&job.object)
        .ok_or_else(|| not_found(&job.object))?;
    let delete = matches!(job.operation, Operation::Delete | Operation::HardDelete);
    header
        .iter()
        .map(|name| {
            let name = name.trim();
            if delete {
                return Ok(if name.eq_ignore_ascii_case("Id") {
                    Column::Field("Id".to_owned())
                } else {
                    Column::Ignored
                });
            }
            if let Some(field) = object.field(name) {
                return Ok(Column::Field(field.name.clone()));
            }
            let (path, key) = name.rsplit_once('.').ok_or_else(|| not_found(name))?;
            let (explicit, relationship) = match path.split_once(':') {
                Some((kind, rel)) => (Some(kind), rel),
                None => (None, path),
            };
            let reference = object
                .relationship(relationship)
                .ok_or_else(|| not_found(name))?;
            let target = explicit
                .and_then(|k| {
                    reference
                        .reference_to
                        .iter()
                        .find(|t| t.eq_ignore_ascii_case(k))
                })
                .or_else(|| reference.reference_to.first())
                .and_then(|t| shared.schema.object(t))
                .ok_or_else(|| not_found(name))?;
            let key = key_fields(target)
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(key))
                .ok_or_else(|| not_found(name))?;
            Ok(Column::Relation {
                reference: reference.name.clone(),
                target: target.name.clone(),
                key,
            })
        })
        .collect()
}

/// Parses the job's upload into its rows (once): processing starts, or the job ended before
/// it did and its rows are all unprocessed. Returns the header cells when it parsed them.
pub(crate) fn load(job: &mut Job) -> Option<Vec<String>> {
    let data = job.data.take()?;
    let delimiter = delimiter_char(&job.delimiter)
        .and_then(|c| u8::try_from(c).ok())
        .unwrap_or(b',');
    let (header_line, header, rows) = read_csv(&data, delimiter);
    let (lf, crlf) = line_endings(&data);
    job.work = Some(Work {
        header_line,
        columns: Vec::new(),
        rows,
        outcomes: Vec::new(),
        wrong_line_endings: if job.line_ending == "CRLF" { lf } else { crlf },
    });
    Some(header)
}

/// Starts processing: the upload parsed, its line endings and header checked; `Err` says why
/// the whole job fails (its rows then stay unprocessed).
fn start(shared: &Shared, job: &mut Job) -> Result<(), String> {
    let header = load(job).unwrap_or_default();
    let wrong = job.work.as_ref().map_or(0, |w| w.wrong_line_endings);
    if wrong > 0 {
        return Err(format!(
            "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is {}",
            job.line_ending
        ));
    }
    let columns = plan(shared, job, &header)?;
    if let Some(work) = job.work.as_mut() {
        work.columns = columns;
    }
    Ok(())
}

/// One poll of the job: processing moves on by a share of the rows (all of them once the
/// `InProgress` polls are used up), or the job fails where a fault says.
pub(crate) fn advance(shared: &Shared, inner: &mut Inner, id: &str) {
    let Some(mut job) = inner.ingest.jobs.remove(id) else {
        return;
    };
    if matches!(job.state, "UploadComplete" | "InProgress") {
        job.polls += 1;
        if job.work.is_none()
            && let Err(message) = start(shared, &mut job)
        {
            job.state = "Failed";
            job.error_message = Some(message);
        }
    }
    if matches!(job.state, "UploadComplete" | "InProgress")
        && let Some(mut work) = job.work.take()
    {
        let total = work.rows.len();
        let slices = shared.config.bulk_polls_in_progress.saturating_add(1) as usize;
        let due = if job.polls as usize >= slices {
            total
        } else {
            total * job.polls as usize / slices
        };
        let stop = job
            .fail_after
            .as_ref()
            .map_or(total, |(n, _)| *n)
            .min(total);
        super::save::process(shared, inner, &job, &mut work, due.min(stop));
        job.state = match &job.fail_after {
            Some((n, message)) if work.outcomes.len() >= *n && *n < total => {
                job.error_message = Some(message.clone());
                "Failed"
            }
            _ if work.outcomes.len() == total => "JobComplete",
            _ => "InProgress",
        };
        job.work = Some(work);
    }
    inner.ingest.jobs.insert(job.id.clone(), job);
}

/// Appends a row of result cells, each quoted, and a line feed.
fn push_row(csv: &mut Vec<u8>, lead: &[&str], cells: &[String]) {
    let all = lead.iter().copied().chain(cells.iter().map(String::as_str));
    for (i, cell) in all.enumerate() {
        if i > 0 {
            csv.push(b',');
        }
        push_quoted(csv, cell);
    }
    csv.push(b'\n');
}

/// The header of a result file: the `sf__` columns quoted, then the header as uploaded.
fn push_header(csv: &mut Vec<u8>, lead: &[&str], work: Option<&Work>) {
    for (i, name) in lead.iter().enumerate() {
        if i > 0 {
            csv.push(b',');
        }
        push_quoted(csv, name);
    }
    if let Some(work) = work.filter(|w| !w.header_line.is_empty()) {
        if !lead.is_empty() {
            csv.push(b',');
        }
        csv.extend_from_slice(work.header_line.as_bytes());
    }
    csv.push(b'\n');
}

/// `successfulResults`: `sf__Id`, `sf__Created`, then the row as uploaded.
pub(crate) fn successful_csv(job: &Job) -> Vec<u8> {
    let mut csv = Vec::new();
    let work = job.work.as_ref();
    push_header(&mut csv, &["sf__Id", "sf__Created"], work);
    for (outcome, cells) in work
        .into_iter()
        .flat_map(|w| w.outcomes.iter().zip(&w.rows))
    {
        if let Outcome::Saved { id, created } = outcome {
            push_row(
                &mut csv,
                &[id, if *created { "true" } else { "false" }],
                cells,
            );
        }
    }
    csv
}

/// `failedResults`: `sf__Id` (empty without a record), `sf__Error`, then the row as uploaded.
pub(crate) fn failed_csv(job: &Job) -> Vec<u8> {
    let mut csv = Vec::new();
    let work = job.work.as_ref();
    push_header(&mut csv, &["sf__Id", "sf__Error"], work);
    for (outcome, cells) in work
        .into_iter()
        .flat_map(|w| w.outcomes.iter().zip(&w.rows))
    {
        if let Outcome::Failed { id, error } = outcome {
            push_row(&mut csv, &[id.as_deref().unwrap_or_default(), error], cells);
        }
    }
    csv
}

/// `unprocessedrecords`: the rows never attempted, as uploaded.
pub(crate) fn unprocessed_csv(job: &Job) -> Vec<u8> {
    let mut csv = Vec::new();
    let work = job.work.as_ref();
    push_header(&mut csv, &[], work);
    if let Some(work) = work {
        for cells in work.rows.iter().skip(work.outcomes.len()) {
            push_row(&mut csv, &[], cells);
        }
    }
    csv
}
