//! Ids minted by the mock org, packed as key prefix + sequence number and minted back without
//! allocating.

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn base62_digit(c: u8) -> Option<u64> {
    BASE62.iter().position(|&d| d == c).map(|p| p as u64)
}

/// The key prefix and sequence number of an Id exactly as [`crate::sf::id::mint`] makes it.
pub(super) fn minted_id(s: &str) -> Option<(&[u8], u64)> {
    let b = s.as_bytes();
    if b.len() != 18 || &b[3..5] != b"Dn" || !b[..3].iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let mut seq = 0u64;
    for &c in &b[5..15] {
        seq = seq.checked_mul(62)?.checked_add(base62_digit(c)?)?;
    }
    (crate::sf::id::checksum(&b[..15]) == b[15..18]).then_some((&b[..3], seq))
}

/// [`crate::sf::id::mint`] in one allocation.
pub(super) fn mint_id(prefix: &[u8], seq: u64) -> Option<String> {
    String::from_utf8(mint_id_bytes(prefix, seq)?.to_vec()).ok()
}

/// [`crate::sf::id::mint`] without allocating; `None` unless the prefix is 3 ASCII letters or
/// digits (so the Id never needs escaping in JSON).
pub(super) fn mint_id_bytes(prefix: &[u8], seq: u64) -> Option<[u8; 18]> {
    if !prefix.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let mut id = [b'0'; 18];
    id[..3].copy_from_slice(prefix.get(..3)?);
    id[3..5].copy_from_slice(b"Dn");
    let mut n = seq;
    for slot in id[5..15].iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    let checksum = crate::sf::id::checksum(&id[..15]);
    id[15..].copy_from_slice(&checksum);
    Some(id)
}

/// The sequence number of an Id minted with `prefix`.
pub(super) fn minted_seq(id: &str, prefix: &str) -> Option<u64> {
    let b = id.as_bytes();
    if b.len() != 18 || !id.starts_with(prefix) || prefix.len() != 3 || &b[3..5] != b"Dn" {
        return None;
    }
    let mut seq = 0u64;
    for &c in &b[5..15] {
        seq = seq.checked_mul(62)?.checked_add(base62_digit(c)?)?;
    }
    Some(seq)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_ids_pack_and_unpack() {
        for seq in [0, 1, 61, 62, 1_700_001, 839_299_365_868_340_223] {
            let id = crate::sf::id::mint("00Q", seq);
            assert_eq!(minted_id(&id), Some((&b"00Q"[..], seq)), "{id}");
            assert_eq!(mint_id(b"00Q", seq).as_deref(), Some(id.as_str()));
        }
        assert_eq!(minted_id("001Dn0000000001AAA"), None, "bad checksum");
        assert_eq!(minted_id("0018M000001oWgPQAU"), None, "not minted here");
    }
}
