//! Which field each CSV column sets: matched automatically (API name, then label, letter case
//! ignored), changed by the user in the TUI's import wizard; a column mapped to nothing is
//! skipped (neither checked nor sent).

use crate::sf::SObjectDescribe;
use crate::sf::ingest::IngestOperation;

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
