//! Salesforce record ids: the 15 → 18 character checksum and key prefixes.

const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The three checksum characters Salesforce appends to a 15-character id.
pub(crate) fn checksum(id15: &[u8]) -> [u8; 3] {
    let mut out = [0u8; 3];
    for (chunk, slot) in id15.chunks(5).zip(out.iter_mut()) {
        let n = chunk
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .fold(0usize, |n, (i, _)| n | (1 << i));
        *slot = CHECKSUM_ALPHABET[n];
    }
    out
}

/// Turns a 15-character case-sensitive id into its 18-character form.
/// Returns `None` when the input is not 15 ASCII alphanumerics.
pub fn to18(id15: &str) -> Option<String> {
    let bytes = id15.as_bytes();
    if bytes.len() != 15 || !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let mut out = String::with_capacity(18);
    out.push_str(id15);
    out.extend(checksum(bytes).iter().map(|&c| c as char));
    Some(out)
}

/// Normalises a 15- or 18-character id to 18 characters, checking the checksum of an 18-character
/// id. Returns `None` for anything that is not a well-formed id.
pub fn normalize(id: &str) -> Option<String> {
    match id.len() {
        15 => to18(id),
        18 => {
            let full = to18(&id[..15])?;
            full.eq_ignore_ascii_case(id).then_some(full)
        }
        _ => None,
    }
}

/// Builds an 18-character id from a 3-character key prefix and a sequence number, the way the
/// mock org mints ids: prefix + 2-char pod ("Dn") + zero-padded base-62 counter.
pub fn mint(prefix: &str, seq: u64) -> String {
    const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut digits = [b'0'; 10];
    let mut n = seq;
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    let mut id15 = String::with_capacity(15);
    id15.push_str(&prefix[..3.min(prefix.len())]);
    id15.push_str("Dn");
    id15.extend(digits.iter().map(|&c| c as char));
    to18(&id15).unwrap_or(id15)
}

/// The 3-character key prefix of an id (`001` Account, `003` Contact, `00Q` Lead, ...).
pub fn key_prefix(id: &str) -> Option<&str> {
    id.get(..3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_salesforce_examples() {
        assert_eq!(
            to18("001Dn00000AbCdE").as_deref(),
            Some("001Dn00000AbCdEIAV")
        );
        assert_eq!(
            to18("0018M000001oWgP").as_deref(),
            Some("0018M000001oWgPQAU")
        );
    }

    #[test]
    fn normalize_accepts_15_and_18_and_rejects_bad_checksums() {
        assert_eq!(
            normalize("0018M000001oWgP").as_deref(),
            Some("0018M000001oWgPQAU")
        );
        assert_eq!(
            normalize("0018M000001oWgPQAU").as_deref(),
            Some("0018M000001oWgPQAU")
        );
        assert_eq!(
            normalize("0018M000001oWgPqau").as_deref(),
            Some("0018M000001oWgPQAU")
        );
        assert_eq!(normalize("0018M000001oWgPAAA"), None);
        assert_eq!(normalize("short"), None);
        assert_eq!(normalize("0018M000001oW-P"), None);
    }

    #[test]
    fn minted_ids_are_valid_and_distinct() {
        let a = mint("001", 1);
        let b = mint("001", 2);
        assert_ne!(a, b);
        assert_eq!(a.len(), 18);
        assert_eq!(normalize(&a).as_deref(), Some(a.as_str()));
        assert_eq!(key_prefix(&a), Some("001"));
    }
}
