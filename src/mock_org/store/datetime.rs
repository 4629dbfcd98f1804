//! Salesforce datetime text (`YYYY-MM-DDTHH:MM:SS.sss+0000`) to and from epoch milliseconds,
//! fast enough for seeding millions of rows.

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DDTHH:MM:SS.sss+0000` of epoch milliseconds (years 0000-9999).
pub(crate) fn format_datetime(ms: i64) -> String {
    let mut out = Vec::with_capacity(28);
    write_datetime(&mut out, ms);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends [`format_datetime`]'s text (ASCII) without allocating.
pub(super) fn write_datetime(out: &mut Vec<u8>, ms: i64) {
    let days = ms.div_euclid(86_400_000);
    let rest = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        // Outside four digits: as `format!("{y:04}")` pads (rare, not worth a fast path).
        let text = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}+0000",
            rest / 3_600_000,
            rest / 60_000 % 60,
            rest / 1000 % 60,
            rest % 1000
        );
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let digits = |out: &mut Vec<u8>, n: i64, width: u32| {
        for k in (0..width).rev() {
            out.push(b'0' + (n / 10i64.pow(k) % 10) as u8);
        }
    };
    digits(out, y, 4);
    out.push(b'-');
    digits(out, m, 2);
    out.push(b'-');
    digits(out, d, 2);
    out.push(b'T');
    digits(out, rest / 3_600_000, 2);
    out.push(b':');
    digits(out, rest / 60_000 % 60, 2);
    out.push(b':');
    digits(out, rest / 1000 % 60, 2);
    out.push(b'.');
    digits(out, rest % 1000, 3);
    out.extend_from_slice(b"+0000");
}

/// Epoch milliseconds of a datetime in exactly the form [`format_datetime`] writes.
pub(super) fn parse_datetime(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 28 || b[10] != b'T' || !s.ends_with("+0000") {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(range)?;
        part.iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec, milli) = (num(11..13)?, num(14..16)?, num(17..19)?, num(20..23)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    // A day past the month's end (02-30) comes back as another date.
    (civil_from_days(days) == (y, mo, d))
        .then_some(days * 86_400_000 + ((h * 60 + mi) * 60 + sec) * 1000 + milli)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_format_and_parse() {
        for ms in [
            0,
            -1,
            1_767_254_400_000,
            253_402_000_000_999,
            -62_167_219_200_000,
        ] {
            let s = format_datetime(ms);
            assert_eq!(parse_datetime(&s), Some(ms), "{s}");
            assert_eq!(s, super::super::super::state::sf_datetime(ms));
        }
        assert_eq!(parse_datetime("2024-02-30T00:00:00.000+0000"), None);
        assert_eq!(parse_datetime("2024-01-01T00:00:00.000+0100"), None);
    }
}
