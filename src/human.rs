//! Numbers and durations as people read them; shared by the TUI and the script commands.

/// Thousands separators: `15000` → `15,000`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration as `1h 05m 09s` / `5m 09s` / `9s`; anything below zero as `0s`.
pub fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// The time a request took: `0.7 ms` under ten milliseconds (a local org answers in less than
/// one), `184 ms`, `12,034 ms` above; a zero (an entry recorded before sub-millisecond times
/// were kept) as `<1 ms`.
pub fn elapsed(took: std::time::Duration) -> String {
    let micros = took.as_micros();
    match micros {
        0 => "<1 ms".into(),
        1..=49 => "<0.1 ms".into(),
        50..=9_999 => format!("{:.1} ms", micros as f64 / 1000.0),
        _ => format!(
            "{} ms",
            group_thousands(u64::try_from(took.as_millis()).unwrap_or(u64::MAX))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_and_durations() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(15000), "15,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        assert_eq!(duration(6780), "1h 53m 00s");
        assert_eq!(duration(245), "4m 05s");
        assert_eq!(duration(9), "9s");
        assert_eq!(duration(-3), "0s");
    }

    #[test]
    fn request_times() {
        use std::time::Duration;
        assert_eq!(elapsed(Duration::from_micros(664)), "0.7 ms");
        assert_eq!(elapsed(Duration::from_micros(20)), "<0.1 ms");
        assert_eq!(elapsed(Duration::ZERO), "<1 ms");
        assert_eq!(elapsed(Duration::from_micros(9_940)), "9.9 ms");
        assert_eq!(elapsed(Duration::from_micros(10_400)), "10 ms");
        assert_eq!(elapsed(Duration::from_millis(184)), "184 ms");
        assert_eq!(elapsed(Duration::from_millis(12_034)), "12,034 ms");
    }
}
