//! The token endpoint's `authorization_code` and `refresh_token` grants (`auth-flows.md` §1.4,
//! §2, §6), the refresh tokens with their policy, rotation and the five-approvals limit, and
//! their revocation (which ends their access tokens too).

use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::authorize::Challenge;
use super::{random_text, user_inactive};
use crate::mock_org::oauth::{Issued, client_credentials, field, new_access_token, token_response};
use crate::mock_org::state::{Inner, Shared, oauth_error};

/// One refresh token. Every token of a family comes from one approval (rotation adds members).
pub(crate) struct RefreshToken {
    pub family: u64,
    pub app: usize,
    pub scopes: Vec<String>,
    /// When the user approved (the "expire after" policy counts from here).
    pub approved_ms: i64,
    /// Last refresh with it (the "expire if unused" policy counts from here).
    pub last_used_ms: i64,
    /// False once rotated out: presenting it again revokes the whole family.
    pub current: bool,
}

const EXPIRED_REFRESH: &str = "expired access/refresh token";

/// The app a grant request authenticates as: `client_id` (body or Basic) must be known; a sent
/// secret must be right, even when the app does not require one (§1.4, §2.1).
fn client(
    shared: &Shared,
    headers: &HeaderMap,
    form: &[(String, String)],
    secret_required: bool,
) -> Result<usize, Box<Response>> {
    let (id, secret) = client_credentials(headers, form)?;
    let Some(index) = shared
        .apps
        .iter()
        .position(|a| Some(&a.client_id) == id.as_ref())
    else {
        return Err(Box::new(oauth_error(
            "invalid_client_id",
            "client identifier invalid",
        )));
    };
    let wrong = match secret.as_deref().filter(|s| !s.is_empty()) {
        Some(secret) => secret != shared.apps[index].client_secret,
        None => secret_required,
    };
    if wrong {
        return Err(Box::new(oauth_error(
            "invalid_client",
            "invalid client credentials",
        )));
    }
    Ok(index)
}

fn verifier_matches(challenge: &Challenge, verifier: &str) -> bool {
    if challenge.plain {
        return challenge.value == verifier;
    }
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge.value
}

/// `grant_type=authorization_code`.
pub(crate) fn authorization_code(
    shared: &Shared,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Response {
    let app = match client(shared, headers, form, shared.config.require_secret_web) {
        Ok(app) => app,
        Err(response) => return *response,
    };
    let now = shared.clock.now_ms();
    let code = field(form, "code").unwrap_or_default();
    // Any exchange that names a live code uses it up, whatever happens next.
    let grant = {
        let mut inner = shared.lock();
        match inner.flows.codes.get_mut(code) {
            Some(c) if !c.used && c.expires_ms > now && c.grant.app == app => {
                c.used = true;
                Some(c.grant.clone())
            }
            _ => None,
        }
    };
    let Some(grant) = grant else {
        return oauth_error("invalid_grant", "expired authorization code");
    };
    if field(form, "redirect_uri") != Some(grant.redirect_uri.as_str()) {
        return oauth_error("invalid_grant", "redirect_uri must match configuration");
    }
    let verifier = field(form, "code_verifier").filter(|v| !v.is_empty());
    match (&grant.challenge, verifier) {
        (Some(_), None) => return oauth_error("invalid_grant", "invalid code verifier"),
        (Some(challenge), Some(verifier)) if !verifier_matches(challenge, verifier) => {
            return oauth_error("invalid_request", "invalid code verifier");
        }
        // sfdx-core #166: a verifier for a code that had no challenge is refused.
        (None, Some(_)) => return oauth_error("invalid_grant", "unexpected code verifier"),
        _ => {}
    }
    if user_inactive(shared) {
        return oauth_error("invalid_grant", "inactive user");
    }
    let offline = grant
        .scopes
        .iter()
        .any(|s| s == "refresh_token" || s == "offline_access");
    let refresh_token = offline.then(|| new_approval(shared, app, &grant.scopes));
    let family = refresh_token.as_ref().map(|(_, family)| *family);
    let access_token = new_access_token(shared, app, family);
    let id_token = if grant.scopes.iter().any(|s| s == "openid") {
        super::jwt::id_token(shared, app, grant.nonce.as_deref())
    } else {
        None
    };
    token_response(
        shared,
        app,
        Issued {
            access_token,
            refresh_token: refresh_token.map(|(token, _)| token),
            scope: grant.scopes.join(" "),
            id_token,
            signed: true,
        },
    )
}

fn new_refresh_token() -> String {
    format!("5Aep861{}", random_text(80))
}

/// Records a new approval (a refresh token family) and returns its first token. Beyond the
/// allowed approvals per user and app the oldest is revoked (§2.4).
fn new_approval(shared: &Shared, app: usize, scopes: &[String]) -> (String, u64) {
    let now = shared.clock.now_ms();
    let token = new_refresh_token();
    let mut inner = shared.lock();
    inner.flows.family_seq += 1;
    let family = inner.flows.family_seq;
    inner.flows.refresh.insert(
        token.clone(),
        RefreshToken {
            family,
            app,
            scopes: scopes.to_vec(),
            approved_ms: now,
            last_used_ms: now,
            current: true,
        },
    );
    let approvals = inner.flows.approvals.entry(app).or_default();
    approvals.push(family);
    let evicted: Vec<u64> = if approvals.len() > shared.config.max_approvals {
        let excess = approvals.len() - shared.config.max_approvals;
        approvals.drain(..excess).collect()
    } else {
        Vec::new()
    };
    for family in evicted {
        revoke_family(&mut inner, family);
    }
    (token, family)
}

/// Ends a refresh token family: its refresh tokens and every access token they issued.
fn revoke_family(inner: &mut Inner, family: u64) {
    inner.flows.refresh.retain(|_, r| r.family != family);
    let Inner { tokens, flows, .. } = inner;
    flows.issued_by.retain(|token, f| {
        if *f == family {
            tokens.remove(token);
        }
        *f != family
    });
    for approvals in inner.flows.approvals.values_mut() {
        approvals.retain(|f| *f != family);
    }
}

/// Revokes the refresh token `token` (and its family's access tokens); false if unknown.
pub(crate) fn revoke_refresh_token(shared: &Shared, token: &str) -> bool {
    let mut inner = shared.lock();
    let Some(family) = inner.flows.refresh.get(token).map(|r| r.family) else {
        return false;
    };
    revoke_family(&mut inner, family);
    true
}

/// Revokes every refresh token and the access tokens they issued.
pub(crate) fn revoke_all_refresh_tokens(shared: &Shared) {
    let mut inner = shared.lock();
    let mut families: Vec<u64> = inner.flows.refresh.values().map(|r| r.family).collect();
    families.sort_unstable();
    families.dedup();
    for family in families {
        revoke_family(&mut inner, family);
    }
}

/// `grant_type=refresh_token`.
pub(crate) fn refresh_token(
    shared: &Shared,
    headers: &HeaderMap,
    form: &[(String, String)],
) -> Response {
    let app = match client(shared, headers, form, shared.config.require_secret_refresh) {
        Ok(app) => app,
        Err(response) => return *response,
    };
    let presented = field(form, "refresh_token").unwrap_or_default();
    let now = shared.clock.now_ms();
    let (family, scopes, rotated) = {
        let mut inner = shared.lock();
        let knobs = inner.flows.knobs.clone();
        let Some(found) = inner.flows.refresh.get(presented) else {
            return oauth_error("invalid_grant", EXPIRED_REFRESH);
        };
        let family = found.family;
        let same_app = found.app == app;
        let dead = !same_app
            || !found.current
            || knobs
                .refresh_policy
                .expired(found.approved_ms, found.last_used_ms, now);
        if dead {
            // A rotated-out token presented again, or one past its policy: the family ends.
            if same_app {
                revoke_family(&mut inner, family);
            }
            return oauth_error("invalid_grant", EXPIRED_REFRESH);
        }
        if user_inactive(shared) {
            return oauth_error("invalid_grant", "inactive user");
        }
        let Some(found) = inner.flows.refresh.get_mut(presented) else {
            return oauth_error("invalid_grant", EXPIRED_REFRESH);
        };
        found.last_used_ms = now;
        let scopes = found.scopes.clone();
        let rotated = if knobs.rotation {
            found.current = false;
            let next = RefreshToken {
                family,
                app,
                scopes: scopes.clone(),
                approved_ms: found.approved_ms,
                last_used_ms: now,
                current: true,
            };
            let token = new_refresh_token();
            inner.flows.refresh.insert(token.clone(), next);
            Some(token)
        } else {
            None
        };
        (family, scopes, rotated)
    };
    let access_token = new_access_token(shared, app, Some(family));
    token_response(
        shared,
        app,
        Issued {
            access_token,
            refresh_token: rotated,
            scope: scopes.join(" "),
            // `id_token` on refresh is UNCONFIRMED: not sent.
            id_token: None,
            signed: true,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_and_plain_verifiers() {
        // RFC 7636 appendix B.
        let challenge = Challenge {
            value: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned(),
            plain: false,
        };
        assert!(verifier_matches(
            &challenge,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!verifier_matches(
            &challenge,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK"
        ));
        let plain = Challenge {
            value: "abc".to_owned(),
            plain: true,
        };
        assert!(verifier_matches(&plain, "abc"));
        assert!(!verifier_matches(&plain, "abd"));
    }
}
