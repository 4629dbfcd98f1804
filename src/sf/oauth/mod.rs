//! The OAuth flows beyond client credentials, as library pieces the app assembles: the browser
//! login (web server flow with PKCE, [`web`]) and JWT bearer assertions ([`jwt`]). The token
//! requests themselves go through [`SfClient`](crate::sf::SfClient), which renews with the
//! configured [`Grant`](crate::sf::Grant).

pub mod jwt;
mod loopback;
pub use loopback::LoopbackListener;
pub mod web;

/// Compares two strings in time that depends only on their lengths (for `state`).
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
