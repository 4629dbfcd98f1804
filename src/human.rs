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
}
