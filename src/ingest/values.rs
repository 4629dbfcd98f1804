//! One value of the import file against its field's describe: numbers, dates, date-times,
//! times, booleans, record Ids, restricted picklists, lengths and email addresses, in the
//! formats Salesforce's Bulk API reads (bulk-ingest.md §6). Each error says what is wrong and
//! what Salesforce takes.

use crate::sf::FieldDescribe;

/// A record Id: 15 or 18 characters (the 18-character checksum right), of `prefix`'s object.
pub fn check_id(value: &str, prefix: Option<&str>) -> Result<(), String> {
    let id = crate::sf::id::normalize(value)
        .ok_or_else(|| format!("{value} is not a record Id (15 or 18 letters and digits)"))?;
    match (prefix, crate::sf::id::key_prefix(&id)) {
        (Some(want), Some(got)) if want != got => Err(format!(
            "{value} is the Id of another object (it starts with {got}; these start with {want})"
        )),
        _ => Ok(()),
    }
}

fn is_date(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-' && value.parse::<jiff::civil::Date>().is_ok()
}

/// `yyyy-MM-ddTHH:mm:ss[.SSS](Z|±HH:mm|±HHmm)`.
fn is_datetime(value: &str) -> bool {
    let Some((date, time)) = value.split_once('T') else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(i) => time.split_at(i),
        None => return false,
    };
    let zone_ok = zone == "Z" || {
        let digits = zone[1..].replace(':', "");
        digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit())
    };
    let (hms, millis) = clock.split_once('.').unwrap_or((clock, "0"));
    zone_ok
        && !millis.is_empty()
        && millis.len() <= 3
        && millis.bytes().all(|b| b.is_ascii_digit())
        && hms.len() == 8
        && format!("{date}T{hms}")
            .parse::<jiff::civil::DateTime>()
            .is_ok()
}

/// `HH:mm:ss[.SSS][Z]`.
fn is_time(value: &str) -> bool {
    let clock = value.strip_suffix('Z').unwrap_or(value);
    let (hms, millis) = clock.split_once('.').unwrap_or((clock, "0"));
    hms.len() == 8
        && millis.len() <= 3
        && millis.bytes().all(|b| b.is_ascii_digit())
        && hms.parse::<jiff::civil::Time>().is_ok()
}

/// Checks one value against its field's type and metadata; the error says what is wrong and
/// what Salesforce takes.
pub fn check_value(field: &FieldDescribe, value: &str) -> Result<(), String> {
    let name = &field.name;
    match field.field_type.as_str() {
        "boolean" if value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false") => {
            Ok(())
        }
        "boolean" => Err(format!(
            "{name} is a checkbox: write true or false, not {value:?}"
        )),
        "int" => {
            let n: i64 = value
                .parse()
                .map_err(|_| format!("{name} takes a whole number, not {value:?}"))?;
            if i32::try_from(n).is_err() {
                return Err(format!("{value} is too large for {name}"));
            }
            Ok(())
        }
        "double" | "currency" | "percent" => {
            let n: f64 = value
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| format!("{name} takes a number (digits, a point, no thousands separators), not {value:?}"))?;
            let whole = field.precision.saturating_sub(field.scale);
            if field.precision > 0 && n.abs().trunc() >= 10f64.powi(whole as i32) {
                return Err(format!(
                    "{value} has too many digits before the point: {name} takes at most {whole}"
                ));
            }
            Ok(())
        }
        "date" if is_date(value) => Ok(()),
        "date" => Err(format!(
            "{name} takes a date as yyyy-MM-dd (e.g. 2026-01-31), not {value:?}"
        )),
        "datetime" if is_datetime(value) => Ok(()),
        "datetime" => Err(format!(
            "{name} takes a date-time as yyyy-MM-ddTHH:mm:ss.SSSZ or with an offset \
             (2026-01-31T09:30:00.000+01:00), not {value:?}"
        )),
        "time" if is_time(value) => Ok(()),
        "time" => Err(format!(
            "{name} takes a time as HH:mm:ss.SSSZ, not {value:?}"
        )),
        "id" | "reference" => check_id(value, None),
        _ => check_text(field, value),
    }
}

/// Text types: the length, restricted picklist values, an email's shape.
fn check_text(field: &FieldDescribe, value: &str) -> Result<(), String> {
    let name = &field.name;
    let chars = value.chars().count();
    if field.length > 0 && chars > field.length as usize {
        return Err(format!(
            "this value has {chars} characters; {name} takes at most {}",
            field.length
        ));
    }
    if field.restricted_picklist {
        let parts: Vec<&str> = if field.field_type == "multipicklist" {
            value.split(';').collect()
        } else {
            vec![value]
        };
        for part in parts {
            let active = field.picklist_values.iter().filter(|p| p.active);
            if !active.clone().any(|p| p.value == part) {
                let hint = active
                    .clone()
                    .find(|p| p.value.eq_ignore_ascii_case(part))
                    .map(|p| format!(" (did you mean {}?)", p.value))
                    .unwrap_or_default();
                return Err(format!(
                    "{part:?} is not a value of the restricted picklist {name}{hint}"
                ));
            }
        }
    }
    if field.field_type == "email" {
        let ok = value
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
        if !ok {
            return Err(format!("{value:?} is not an email address ({name})"));
        }
    }
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::sf::SObjectDescribe;

    /// A describe of the mock org (Account, or Contact).
    pub fn describe(name: &str) -> SObjectDescribe {
        let text = match name {
            "Account" => include_str!("../../assets/mock-org/describe/Account.json"),
            _ => include_str!("../../assets/mock-org/describe/Contact.json"),
        };
        serde_json::from_str(text).expect("describe")
    }

    fn field<'a>(object: &'a SObjectDescribe, name: &str) -> &'a FieldDescribe {
        object.field(name).expect("field")
    }

    #[test]
    fn booleans_are_true_or_false() {
        let account = describe("Account");
        let f = field(&account, "IsPartner");
        assert!(check_value(f, "true").is_ok() && check_value(f, "FALSE").is_ok());
        assert!(
            check_value(f, "yes")
                .expect_err("yes")
                .contains("true or false")
        );
    }

    #[test]
    fn whole_numbers_fit_an_int() {
        let account = describe("Account");
        let f = field(&account, "NumberOfEmployees");
        assert!(check_value(f, "-12").is_ok());
        assert!(check_value(f, "1.5").is_err());
        assert!(
            check_value(f, "99999999999")
                .expect_err("too big")
                .contains("too large")
        );
    }

    #[test]
    fn numbers_parse_and_keep_their_precision() {
        let account = describe("Account");
        let revenue = field(&account, "AnnualRevenue");
        assert!(check_value(revenue, "1.5e6").is_ok());
        assert!(
            check_value(revenue, "12,5")
                .expect_err("comma")
                .contains("number")
        );
        let latitude = field(&account, "BillingLatitude");
        assert!(check_value(latitude, "48.858844").is_ok());
        assert!(
            check_value(latitude, "1234")
                .expect_err("3 digits")
                .contains("at most 3")
        );
    }

    #[test]
    fn dates_and_date_times_in_salesforce_formats() {
        let contact = describe("Contact");
        let date = field(&contact, "Birthdate");
        assert!(check_value(date, "2026-01-31").is_ok());
        for bad in [
            "31/01/2026",
            "2026-02-30",
            "2026-1-31",
            "2026-01-31T00:00:00Z",
        ] {
            assert!(
                check_value(date, bad)
                    .expect_err(bad)
                    .contains("yyyy-MM-dd"),
                "{bad}"
            );
        }
        let stamp = field(&contact, "EmailBouncedDate");
        for good in [
            "2026-01-31T09:30:00.000+01:00",
            "2026-01-31T09:30:00Z",
            "2026-01-31T09:30:00.5-0800",
        ] {
            assert!(check_value(stamp, good).is_ok(), "{good}");
        }
        for bad in [
            "2026-01-31 09:30:00Z",
            "2026-01-31T09:30:00",
            "2026-01-31T25:00:00Z",
        ] {
            assert!(check_value(stamp, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_are_well_formed_and_of_the_right_object() {
        let contact = describe("Contact");
        let account_id = field(&contact, "AccountId");
        let id = crate::sf::id::mint("001", 7);
        assert!(check_value(account_id, &id).is_ok());
        assert!(check_value(account_id, &id[..15]).is_ok());
        let mut bad_checksum = id.clone();
        bad_checksum.replace_range(17.., if id.ends_with('A') { "B" } else { "A" });
        assert!(check_value(account_id, &bad_checksum).is_err());
        assert!(
            check_id(&crate::sf::id::mint("003", 7), Some("001"))
                .expect_err("a contact id")
                .contains("another object")
        );
    }

    #[test]
    fn restricted_picklists_lengths_and_emails() {
        let contact = describe("Contact");
        let status = field(&contact, "CleanStatus");
        assert!(check_value(status, "Matched").is_ok());
        assert!(
            check_value(status, "matched")
                .expect_err("case")
                .contains("did you mean Matched?")
        );
        let last_name = field(&contact, "LastName");
        assert!(check_value(last_name, &"x".repeat(80)).is_ok());
        assert!(
            check_value(last_name, &"é".repeat(81))
                .expect_err("81 characters")
                .contains("at most 80")
        );
        let email = field(&contact, "Email");
        assert!(check_value(email, "ada@example.org").is_ok());
        assert!(check_value(email, "ada").is_err());
    }
}
