//! How list columns look: headers from describe labels, datetimes in the user's time zone and
//! never cut, and the widths the visible rows get.

use crate::sf::SObjectDescribe;
use crate::state::records::ListView;
use crate::ui::widths::{Want, display_width, share};

/// Widest a column gets while another column could use the width; spare width goes past it.
const MAX_COLUMN: usize = 28;
/// Narrowest a column is drawn.
const MIN_COLUMN: usize = 6;

/// How a list column is headed and drawn: its label and the narrowest it may be squeezed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnLook {
    /// The header: the field label from describe (`Owner.Name` → "Owner Name"), else the path.
    pub label: String,
    /// Datetimes (`2024-07-24 14:02`) and dates are never cut; other columns go down to 6.
    pub min_width: usize,
    /// The column holds a datetime (shown in the user's time zone).
    pub datetime: bool,
}

/// The look of the column at `path` (`Name`, `Owner.Name`) of an object, from its describe
/// (`None` before describe arrives: the path as it is).
pub fn column_look(describe: Option<&SObjectDescribe>, path: &str) -> ColumnLook {
    let plain = ColumnLook {
        label: path.to_owned(),
        min_width: MIN_COLUMN,
        datetime: false,
    };
    let Some(describe) = describe else {
        return plain;
    };
    match path.split_once('.') {
        None => match describe
            .fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(path))
        {
            Some(field) => {
                let (min_width, datetime) = match field.field_type.as_str() {
                    "datetime" => (16, true),
                    "date" => (10, false),
                    _ => (MIN_COLUMN, false),
                };
                ColumnLook {
                    label: if field.label.is_empty() {
                        path.to_owned()
                    } else {
                        field.label.clone()
                    },
                    min_width,
                    datetime,
                }
            }
            None => plain,
        },
        Some((relationship, rest)) => {
            let Some(field) = describe.fields.iter().find(|f| {
                f.relationship_name
                    .as_deref()
                    .is_some_and(|r| r.eq_ignore_ascii_case(relationship))
            }) else {
                return plain;
            };
            // "Owner ID" → "Owner"; the related field's API name follows ("Owner Name").
            let base = field.label.trim();
            let base = base
                .strip_suffix(" ID")
                .or_else(|| base.strip_suffix(" Id"))
                .unwrap_or(base);
            let base = if base.is_empty() { relationship } else { base };
            ColumnLook {
                label: format!("{base} {}", rest.replace('.', " ")),
                ..plain
            }
        }
    }
}

/// A list cell `YYYY-MM-DD HH:MM` (UTC, as the list stores datetimes) in the time zone `tz`;
/// `None` when the text is not such a datetime.
pub fn local_datetime(text: &str, tz: &jiff::tz::TimeZone) -> Option<String> {
    let civil: jiff::civil::DateTime = text.parse().ok()?;
    let instant = jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()?;
    Some(
        instant
            .to_zoned_datetime(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
    )
}

/// A `YYYY-MM-DD HH:MM` cell too narrow for the time shows its date alone.
pub(super) fn date_first(text: &str, width: usize) -> &str {
    if (10..16).contains(&width) && text.len() == 16 && text.is_char_boundary(10) {
        &text[..10]
    } else {
        text
    }
}

/// Column widths of the list: each column wants its widest loaded cell (the store keeps it as
/// rows arrive, so the widths never move while scrolling or after `G`; they only grow as pages
/// land) and its header, up to [`MAX_COLUMN`]; the line's width is then shared out fairly
/// ([`share`]): spare width to the columns the cap cut, and when it is short the widest
/// columns give way first, a datetime keeping its time as long as it can.
pub fn column_widths(view: &ListView, looks: &[ColumnLook], width: usize) -> Vec<usize> {
    let n = view.columns.len();
    if n == 0 {
        return Vec::new();
    }
    let wants: Vec<Want> = view
        .columns
        .iter()
        .enumerate()
        .map(|(c, name)| {
            let sorted = view.sort.as_ref().is_some_and(|(s, _)| s == name);
            let arrow = if sorted { 2 } else { 0 };
            let label = looks.get(c).map_or(name.as_str(), |l| l.label.as_str());
            let header = display_width(label) + arrow;
            let min = looks
                .get(c)
                .map_or(MIN_COLUMN, |l| l.min_width)
                .max(MIN_COLUMN);
            let content = if view.rows.is_empty() {
                0
            } else {
                view.rows.width(c)
            };
            // A long label may widen its column a little; beyond that it is cut unless there is
            // spare width.
            let natural = if content == 0 {
                header
            } else {
                content.max(header.min(content.max(MIN_COLUMN) + 2))
            };
            let want = natural.clamp(min, MAX_COLUMN.max(min));
            Want {
                min,
                squeezed: min.min(10),
                want,
                full: content.max(header).max(want),
            }
        })
        .collect();
    share(&wants, width.saturating_sub(n - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe() -> SObjectDescribe {
        serde_json::from_value(serde_json::json!({
            "name": "Account", "label": "Account", "queryable": true,
            "fields": [
                {"name": "Name", "label": "Account Name", "type": "string"},
                {"name": "OwnerId", "label": "Owner ID", "type": "reference",
                 "relationshipName": "Owner", "referenceTo": ["User"]},
                {"name": "LastModifiedDate", "label": "Last Modified Date", "type": "datetime"},
                {"name": "CloseDate", "label": "Close Date", "type": "date"}
            ]
        }))
        .expect("describe")
    }

    #[test]
    fn columns_are_headed_by_their_describe_labels() {
        let d = describe();
        let look = |path| column_look(Some(&d), path);
        assert_eq!(look("Name").label, "Account Name");
        assert_eq!(look("Owner.Name").label, "Owner Name");
        assert_eq!(look("owner.Email").label, "Owner Email");
        let modified = look("LastModifiedDate");
        assert_eq!(modified.label, "Last Modified Date");
        assert!(modified.datetime);
        assert_eq!(modified.min_width, 16);
        assert_eq!(look("CloseDate").min_width, 10);
        assert_eq!(look("Unknown__c").label, "Unknown__c");
        assert_eq!(look("Parent.Name").label, "Parent.Name");
        assert_eq!(column_look(None, "Owner.Name").label, "Owner.Name");
    }

    #[test]
    fn list_datetimes_are_shown_in_the_users_time_zone() {
        let plus_two = jiff::tz::TimeZone::fixed(jiff::tz::offset(2));
        assert_eq!(
            local_datetime("2024-07-24 23:02", &plus_two).as_deref(),
            Some("2024-07-25 01:02")
        );
        assert_eq!(
            local_datetime("2024-07-24 14:02", &jiff::tz::TimeZone::UTC).as_deref(),
            Some("2024-07-24 14:02")
        );
        assert_eq!(local_datetime("Acme", &plus_two), None);
    }
}
