//! Which field each CSV column sets: matched automatically (API name, then label, letter case
//! ignored), changed by the user in the TUI's import wizard; a column mapped to nothing is
//! skipped (neither checked nor sent).

use crate::sf::SObjectDescribe;
use crate::sf::ingest::IngestOperation;

/// Which field each column of the file sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    /// By the header (`sfterm import`): a column named in `overrides` (`--map`) sets the
    /// field given there (`None`: it is skipped); any other sets its field by API name or
    /// label ([`auto_map`]), or is checked as written (so an unknown one is refused).
    Header {
        overrides: Vec<(String, Option<String>)>,
    },
    /// The field of each column by position (`None`: skipped), as the import wizard edits it.
    Columns(Vec<Option<String>>),
}

impl Default for Mapping {
    /// Every column by its header, nothing overridden.
    fn default() -> Self {
        Mapping::Header {
            overrides: Vec::new(),
        }
    }
}

/// One `--map` of `sfterm import`: `COLUMN=FIELD`, or `COLUMN=` to leave the column out. The
/// last `=` splits (a header may hold one, a field name never does).
pub fn parse_override(text: &str) -> Result<(String, Option<String>), String> {
    let Some((column, field)) = text.rsplit_once('=') else {
        return Err(format!(
            "{text:?} is not COLUMN=FIELD (\"COLUMN=\" leaves the column out)"
        ));
    };
    let column = column.trim();
    if column.is_empty() {
        return Err(format!("{text:?} names no column (COLUMN=FIELD)"));
    }
    let field = field.trim();
    Ok((
        column.to_owned(),
        (!field.is_empty()).then(|| field.to_owned()),
    ))
}

impl Mapping {
    /// The field of each column of `header` (`None`: skipped), and a note for each column
    /// that sets a field other than the one its header names ("the column Last Name sets
    /// LastName (its label)"). An override naming no column of the header is an error.
    pub fn columns(
        &self,
        object: &SObjectDescribe,
        header: &[String],
    ) -> Result<(Vec<Option<String>>, Vec<String>), String> {
        let overrides = match self {
            Mapping::Columns(fields) => return Ok((fields.clone(), Vec::new())),
            Mapping::Header { overrides } => overrides,
        };
        let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        if let Some((column, _)) = overrides
            .iter()
            .find(|(column, _)| !header.iter().any(|h| same(h, column)))
        {
            return Err(format!(
                "--map names the column {column:?}, which the header does not have (it has {})",
                header.join(", ")
            ));
        }
        let mut notes = Vec::new();
        let fields = header
            .iter()
            .zip(auto_map(object, header))
            .map(|(name, matched)| {
                if let Some((_, field)) = overrides.iter().find(|(c, _)| same(c, name)) {
                    // As the describe spells it; a field it does not have is the check's.
                    let field = field.as_ref().map(|f| {
                        object
                            .field(f)
                            .map_or_else(|| f.clone(), |d| d.name.clone())
                    });
                    if let Some(field) = field.as_ref().filter(|f| !same(f, name)) {
                        notes.push(format!("the column {name} sets {field} (--map)"));
                    }
                    return field;
                }
                match matched {
                    Some(field) if !same(&field, name) => {
                        notes.push(format!("the column {name} sets {field} (its label)"));
                        Some(field)
                    }
                    _ => Some(name.clone()),
                }
            })
            .collect();
        Ok((fields, notes))
    }
}

/// The field each header column sets: its API name as the describe spells it, `Id`, a
/// relationship column as written (`Account.External_Id__c`), or `None` when nothing matches.
pub fn auto_map(object: &SObjectDescribe, header: &[String]) -> Vec<Option<String>> {
    header
        .iter()
        .map(|name| {
            let name = name.trim();
            if name.eq_ignore_ascii_case("Id") {
                return Some("Id".to_owned());
            }
            if let Some(field) = object.field(name) {
                return Some(field.name.clone());
            }
            if name.contains('.') {
                return Some(name.to_owned());
            }
            object
                .fields
                .iter()
                .find(|f| f.label.eq_ignore_ascii_case(name))
                .map(|f| f.name.clone())
        })
        .collect()
}

/// The fields a column may be mapped to for `operation`: `Id` (but for an insert), then the
/// fields the operation can write, in the describe's order.
pub fn targets(object: &SObjectDescribe, operation: IngestOperation) -> Vec<String> {
    let mut names = Vec::new();
    if operation != IngestOperation::Insert {
        names.push("Id".to_owned());
    }
    if operation == IngestOperation::Delete {
        return names;
    }
    names.extend(
        object
            .fields
            .iter()
            .filter(|f| f.name != "Id")
            .filter(|f| match operation {
                IngestOperation::Insert => f.createable,
                IngestOperation::Update => f.updateable,
                _ => f.createable || f.updateable,
            })
            .map(|f| f.name.clone()),
    );
    names
}

/// The fields an upsert can match rows on: `Id`, then the External ID and lookup fields.
pub fn upsert_keys(object: &SObjectDescribe) -> Vec<String> {
    let mut keys = vec!["Id".to_owned()];
    keys.extend(
        object
            .fields
            .iter()
            .filter(|f| f.name != "Id" && (f.external_id || f.id_lookup))
            .map(|f| f.name.clone()),
    );
    keys
}

/// Whether `mapping` leaves the header as it is (each column keeps its own name).
pub fn is_identity(header: &[&str], mapping: &[Option<String>]) -> bool {
    header
        .iter()
        .enumerate()
        .all(|(i, name)| match mapping.get(i) {
            None => true,
            Some(Some(mapped)) => mapped == name,
            Some(None) => false,
        })
}

/// One CSV value, quoted when it holds a comma, a quote or a line break.
pub fn csv_value(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::super::values::tests::describe;
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn columns_match_by_api_name_then_label_ignoring_case() {
        let contact = describe("Contact");
        let mapped = auto_map(
            &contact,
            &header(&[
                "lastname",
                "First Name",
                "Email",
                "Account.External_Id__c",
                "Shoe size",
                "ID",
            ]),
        );
        assert_eq!(
            mapped,
            [
                Some("LastName".to_owned()),
                Some("FirstName".to_owned()),
                Some("Email".to_owned()),
                Some("Account.External_Id__c".to_owned()),
                None,
                Some("Id".to_owned()),
            ]
        );
    }

    #[test]
    fn by_header_labels_match_overrides_win_and_unknown_columns_stay_as_written() {
        let contact = describe("Contact");
        let overrides = ["Surname=lastname", "Notes=", "email = Email"]
            .iter()
            .map(|t| parse_override(t).expect("parses"))
            .collect();
        let (fields, notes) = Mapping::Header { overrides }
            .columns(
                &contact,
                &header(&["Surname", "First Name", "Notes", "EMAIL", "Shoe size", "Id"]),
            )
            .expect("maps");
        assert_eq!(
            fields,
            [
                Some("LastName".to_owned()),
                Some("FirstName".to_owned()),
                None,
                Some("Email".to_owned()),
                Some("Shoe size".to_owned()),
                Some("Id".to_owned()),
            ]
        );
        assert_eq!(
            notes,
            [
                "the column Surname sets LastName (--map)",
                "the column First Name sets FirstName (its label)",
            ]
        );
        let err = Mapping::Header {
            overrides: vec![("Phone Number".into(), Some("Phone".into()))],
        }
        .columns(&contact, &header(&["LastName"]))
        .expect_err("no such column");
        assert!(
            err.contains("\"Phone Number\", which the header does not have (it has LastName)"),
            "{err}"
        );
        assert!(parse_override("LastName").is_err());
        assert!(parse_override("=LastName").is_err());
        assert_eq!(
            parse_override("a=b=LastName"),
            Ok(("a=b".to_owned(), Some("LastName".to_owned())))
        );
    }

    #[test]
    fn targets_follow_the_operation() {
        let contact = describe("Contact");
        let insert = targets(&contact, IngestOperation::Insert);
        assert!(insert.contains(&"LastName".to_owned()));
        assert!(!insert.contains(&"Id".to_owned()) && !insert.contains(&"Name".to_owned()));
        assert_eq!(targets(&contact, IngestOperation::Delete), ["Id"]);
        let keys = upsert_keys(&contact);
        assert_eq!(keys.first().map(String::as_str), Some("Id"));
        assert!(keys.contains(&"External_Id__c".to_owned()), "{keys:?}");
    }

    #[test]
    fn identity_and_quoting() {
        assert!(is_identity(
            &["A", "B"],
            &[Some("A".into()), Some("B".into())]
        ));
        assert!(!is_identity(&["A", "B"], &[Some("A".into()), None]));
        assert!(!is_identity(&["a"], &[Some("A".into())]));
        assert_eq!(csv_value("a,b"), "\"a,b\"");
        assert_eq!(csv_value("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_value("plain"), "plain");
    }
}
