//! Background work of the record detail view: load a record with its describe and the names of
//! the records it references, save (PATCH with `If-Unmodified-Since`), create, delete, search a
//! reference target by name. Also the drafts file (atomic write, 0600), which the runtime writes.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::sf::{ApiError, SfClient};
use crate::state::record_detail::Draft;
use crate::state::record_detail::job::{LoadedRecord, RecordJob, RecordOutcome, WriteFailure};

pub use crate::config::paths::DRAFTS_FILE;

#[derive(Debug, Serialize, Deserialize)]
struct DraftsFile {
    version: u32,
    drafts: Vec<Draft>,
}

/// Reads the drafts file; a missing file is no drafts.
pub fn read_drafts(dir: &Path) -> io::Result<Vec<Draft>> {
    let path = dir.join(DRAFTS_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice::<DraftsFile>(&bytes)
            .map(|f| f.drafts)
            .map_err(|e| io::Error::other(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// Writes the drafts file atomically (temp file + rename, mode 0600); no drafts removes it.
pub fn write_drafts(dir: &Path, drafts: &[Draft]) -> io::Result<()> {
    let path = dir.join(DRAFTS_FILE);
    if drafts.is_empty() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    let body = serde_json::to_vec_pretty(&DraftsFile {
        version: 1,
        drafts: drafts.to_vec(),
    })
    .map_err(io::Error::other)?;
    Ok(crate::private_fs::write_private(&path, &body)?)
}

/// Runs one job with the connected client.
pub async fn run(client: &SfClient, job: RecordJob) -> RecordOutcome {
    match job {
        RecordJob::Load { object, id } => {
            RecordOutcome::Loaded(load(client, &object, &id).await.map(Box::new))
        }
        RecordJob::Describe { object } => {
            RecordOutcome::Described(client.describe(&object).await.map_err(|e| e.to_string()))
        }
        RecordJob::Save {
            object,
            id,
            fields,
            if_unmodified_since,
        } => RecordOutcome::Saved(
            client
                .update_record(&object, &id, &fields, if_unmodified_since)
                .await
                .map_err(|e| write_failure(&e)),
        ),
        RecordJob::Create { object, fields } => RecordOutcome::Created(
            client
                .create_record(&object, &fields)
                .await
                .map_err(|e| write_failure(&e)),
        ),
        RecordJob::Delete { object, id } => RecordOutcome::Deleted(
            client
                .delete_record(&object, &id)
                .await
                .map_err(|e| write_failure(&e)),
        ),
        RecordJob::Search { object, text } => {
            RecordOutcome::Found(search(client, &object, &text).await)
        }
    }
}

async fn load(client: &SfClient, object: &str, id: &str) -> Result<LoadedRecord, String> {
    let describe = client.describe(object).await.map_err(|e| e.to_string())?;
    let record = client
        .get_record(object, id, None)
        .await
        .map_err(|e| e.to_string())?;
    let mut fields = record.fields;
    fields.shift_remove("attributes");
    // Referenced ids, grouped by target object (polymorphic fields ask each target).
    let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for field in &describe.fields {
        if field.field_type != "reference" {
            continue;
        }
        if let Some(Value::String(ref_id)) = fields.get(&field.name) {
            for target in &field.reference_to {
                let ids = wanted.entry(target.clone()).or_default();
                if !ids.contains(ref_id) {
                    ids.push(ref_id.clone());
                }
            }
        }
    }
    let mut names = BTreeMap::new();
    for (target, ids) in wanted {
        // Only ids shaped like Salesforce ids go into the query (they are quoted anyway).
        let list = ids
            .iter()
            .filter(|i| i.chars().all(|c| c.is_ascii_alphanumeric()))
            .map(|i| format!("'{i}'"))
            .collect::<Vec<_>>();
        if list.is_empty() {
            continue;
        }
        let soql = format!(
            "SELECT Id, Name FROM {target} WHERE Id IN ({})",
            list.join(", ")
        );
        // A target the user cannot query (or without Name) just shows ids.
        if let Ok(page) = client.query(&soql).await {
            for row in page.records {
                if let (Some(Value::String(rid)), Some(Value::String(name))) =
                    (row.get("Id"), row.get("Name"))
                {
                    names.insert(rid.clone(), (target.clone(), name.clone()));
                }
            }
        }
    }
    Ok(LoadedRecord {
        describe,
        fields,
        last_modified: record.last_modified,
        names,
    })
}

/// Escapes text for a SOQL string literal inside `LIKE '%...%'`.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '\'' | '%' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

pub(super) async fn search(
    client: &SfClient,
    object: &str,
    text: &str,
) -> Result<Vec<(String, String)>, String> {
    let soql = format!(
        "SELECT Id, Name FROM {object} WHERE Name LIKE '%{}%' ORDER BY Name LIMIT 20",
        escape_like(text.trim())
    );
    let page = client.query(&soql).await.map_err(|e| e.to_string())?;
    Ok(page
        .records
        .iter()
        .filter_map(|row| match (row.get("Id"), row.get("Name")) {
            (Some(Value::String(id)), Some(Value::String(name))) => {
                Some((id.clone(), name.clone()))
            }
            _ => None,
        })
        .collect())
}

/// A failed write as the view shows it.
fn write_failure(error: &ApiError) -> WriteFailure {
    match error {
        ApiError::PreconditionFailed { .. } => WriteFailure::Conflict,
        ApiError::Api { errors, .. } => WriteFailure::Failed {
            message: errors
                .iter()
                .map(|e| format!("{}: {}", e.error_code, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            fields: errors.iter().flat_map(|e| e.fields.clone()).collect(),
        },
        other => WriteFailure::Failed {
            message: other.to_string(),
            fields: Vec::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use serde_json::Map;

    #[test]
    fn like_text_is_escaped() {
        assert_eq!(escape_like("O'Brien 50%_x\\"), "O\\'Brien 50\\%\\_x\\\\");
    }

    #[test]
    fn drafts_round_trip_with_private_mode_and_empty_removes_the_file() {
        let dir = tempfile::tempdir().expect("dir");
        let mut staged = Map::new();
        staged.insert("Industry".into(), Value::String("Energy".into()));
        let draft = Draft {
            profile: Some("Demo org".into()),
            object: "Account".into(),
            id: Some("001000000000001AAA".into()),
            title: "Acme".into(),
            opened_at: Some(Timestamp::UNIX_EPOCH),
            staged,
            mass: None,
        };
        write_drafts(dir.path(), std::slice::from_ref(&draft)).expect("write");
        assert_eq!(read_drafts(dir.path()).expect("read"), vec![draft]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(DRAFTS_FILE))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        write_drafts(dir.path(), &[]).expect("clear");
        assert!(!dir.path().join(DRAFTS_FILE).exists());
        assert_eq!(read_drafts(dir.path()).expect("read"), Vec::new());
    }
}
