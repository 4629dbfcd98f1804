//! Token status pane: what the current access token is, when it expires, and renewing it in time.
//!
//! Salesforce sends no `expires_in`; the expiry shown here comes from introspection (`exp`), and
//! when introspection is not possible the pane says "unknown" and why, never a guess.

use jiff::{SignedDuration, Timestamp};

use crate::action::Action;
use crate::effect::{Effect, Job, RequestId, RequestIds, SessionJob};
use crate::msg::Outcome;
use crate::sf::{Diagnosis, Introspection, LimitInfo, RenewReason};

/// How long before expiry the gauge turns yellow ("expiring soon").
pub const EXPIRING_SOON: SignedDuration = SignedDuration::from_secs(10 * 60);
/// The session lifetime assumed where the flow cannot introspect: the org default, 2 hours.
pub const ASSUMED_LIFETIME: SignedDuration = SignedDuration::from_hours(2);
/// How often an active token is re-introspected (the idle timeout slides with use).
pub const REINTROSPECT_EVERY: SignedDuration = SignedDuration::from_secs(10 * 60);
/// After an automatic renewal fails, wait this long before trying again.
pub const RENEW_RETRY_AFTER: SignedDuration = SignedDuration::from_secs(30);

/// A token as the UI may know it: everything but the secret, which only the client holds.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionInfo {
    pub profile: String,
    pub instance_url: String,
    pub user_id: String,
    pub org_id: String,
    pub scopes: Vec<String>,
    pub token_type: String,
    pub issued_at: Timestamp,
    pub obtained_at: Timestamp,
    pub reason: RenewReason,
    /// The token with all but its org-id prefix masked, e.g. `00DDn00000Org01!••••••••`.
    pub masked_token: String,
    /// How the profile logs in and renews.
    pub login: LoginInfo,
    /// What the org said it is after login (`Organization`); `None` until it answered (the
    /// endpoint is the guess until then).
    pub environment: Option<crate::config::Environment>,
}

/// A browser login waiting for the user: the page to open, and what went wrong so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserWait {
    /// The login page's address.
    pub url: String,
    /// The loopback port the browser is sent back to.
    pub port: u16,
    /// Why no browser opened (then the user opens the URL by hand).
    pub not_opened: Option<String>,
    /// Why the last pasted address was refused.
    pub paste_refused: Option<String>,
}

/// How a session logs in and how its next renewal will happen, for the token pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginInfo {
    /// The flow, e.g. `browser login`.
    pub flow: String,
    /// Where the refresh token is kept, when one is held (e.g. `the system keychain`).
    pub refresh_token: Option<String>,
    /// How the next renewal happens, e.g. `by refresh token`.
    pub renewal: String,
}

impl Default for LoginInfo {
    fn default() -> Self {
        LoginInfo {
            flow: "client credentials".into(),
            refresh_token: None,
            renewal: "by client credentials".into(),
        }
    }
}

/// What is known about when the token expires.
#[derive(Debug, Clone, PartialEq)]
pub enum Expiry {
    /// Introspection has not answered yet.
    Checking,
    /// From introspection: `exp` (and `iat`), checked at `checked_at`; or, for a flow that
    /// cannot introspect, `assumed` from the issue time (the org's default 2 h session).
    Known {
        exp: Timestamp,
        iat: Option<Timestamp>,
        checked_at: Timestamp,
        assumed: bool,
    },
    /// Introspection failed or gave no `exp`; `why` is shown to the user.
    Unknown { why: String },
}

/// The states the pane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    NotConnected,
    Requesting,
    Active,
    ExpiringSoon,
    Expired,
    Revoked,
    Error,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::NotConnected => "not connected",
            Phase::Requesting => "requesting",
            Phase::Active => "active",
            Phase::ExpiringSoon => "expiring soon",
            Phase::Expired => "expired",
            Phase::Revoked => "revoked",
            Phase::Error => "error",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenState {
    /// The profile being connected or connected.
    pub profile: Option<String>,
    pub session: Option<SessionInfo>,
    pub expiry: Expiry,
    pub usage: Option<LimitInfo>,
    /// The run-as username, from introspection.
    pub username: Option<String>,
    /// The diagnosis of the last failed login (kept while a later renewal is retried).
    pub diagnosis: Option<Diagnosis>,
    /// Set when introspection answered `active: false` or the user revoked the token.
    pub inactive: Option<Inactive>,
    pub renew_margin: SignedDuration,
    /// A short note of the last thing that happened that the user should see, e.g. a failed revoke.
    pub note: Option<String>,
    /// The browser login in progress, if one waits for the user.
    pub browser: Option<BrowserWait>,
    pending_login: Option<RequestId>,
    pending_introspect: Option<RequestId>,
    pending_revoke: Option<RequestId>,
    pending_check: Option<RequestId>,
    last_auto_renew_failure: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inactive {
    Revoked,
    /// Introspection said `active: false` (expired, or revoked elsewhere).
    NotActive,
}

impl TokenState {
    pub fn new(renew_margin: SignedDuration) -> TokenState {
        TokenState {
            profile: None,
            session: None,
            expiry: Expiry::Checking,
            usage: None,
            username: None,
            diagnosis: None,
            inactive: None,
            renew_margin,
            browser: None,
            note: None,
            pending_login: None,
            pending_introspect: None,
            pending_revoke: None,
            pending_check: None,
            last_auto_renew_failure: None,
        }
    }

    pub fn phase(&self, now: Timestamp) -> Phase {
        let Some(_) = &self.session else {
            return if self.pending_login.is_some() {
                Phase::Requesting
            } else if self.diagnosis.is_some() {
                Phase::Error
            } else {
                Phase::NotConnected
            };
        };
        match self.inactive {
            Some(Inactive::Revoked) => return Phase::Revoked,
            Some(Inactive::NotActive) => return Phase::Expired,
            None => {}
        }
        match &self.expiry {
            Expiry::Known { exp, .. } if *exp <= now => Phase::Expired,
            Expiry::Known { exp, .. } if exp.duration_since(now) <= self.expiring_soon() => {
                Phase::ExpiringSoon
            }
            _ => Phase::Active,
        }
    }

    /// How close to expiry counts as "expiring soon": 10 minutes, or half the lifetime of a
    /// shorter-lived token (so a fresh 60 s token reads "active", not "expiring soon").
    pub fn expiring_soon(&self) -> SignedDuration {
        match &self.expiry {
            Expiry::Known {
                exp,
                iat: Some(iat),
                ..
            } => EXPIRING_SOON.min(exp.duration_since(*iat) / 2),
            _ => EXPIRING_SOON,
        }
    }

    /// Whether a renewal or first login is under way.
    pub fn is_requesting(&self) -> bool {
        self.pending_login.is_some()
    }

    /// Time left, when the expiry is known and in the future.
    pub fn remaining(&self, now: Timestamp) -> Option<SignedDuration> {
        match &self.expiry {
            Expiry::Known { exp, .. } if *exp > now => Some(exp.duration_since(now)),
            _ => None,
        }
    }

    /// Whether the pane changes by itself every second (countdown).
    pub fn is_animating(&self) -> bool {
        self.session.is_some() || self.pending_login.is_some()
    }

    /// Starts connecting `profile`: forgets the previous session and asks for a first token.
    pub fn start_connect(&mut self, profile: &str, req: RequestId) -> Vec<Effect> {
        let mut effects = Vec::new();
        effects.extend(self.pending_login.take().map(Effect::Cancel));
        effects.extend(self.pending_introspect.take().map(Effect::Cancel));
        effects.extend(self.pending_revoke.take().map(Effect::Cancel));
        *self = TokenState {
            usage: None,
            ..TokenState::new(self.renew_margin)
        };
        self.profile = Some(profile.to_owned());
        self.pending_login = Some(req);
        effects
    }

    /// Whether `R` would revoke now (connected, no revoke running).
    pub fn can_revoke(&self) -> bool {
        self.session.is_some() && self.pending_revoke.is_none()
    }

    pub fn update(&mut self, action: Action, ids: &mut RequestIds) -> Vec<Effect> {
        if self.session.is_none() && self.pending_login.is_none() {
            if matches!(
                action,
                Action::RenewToken
                    | Action::RevokeToken
                    | Action::Introspect
                    | Action::CopyToken
                    | Action::CheckApi
            ) {
                self.note = Some("Not connected: pick a profile and press enter.".into());
            }
            return Vec::new();
        }
        match action {
            Action::RenewToken => self.renew(RenewReason::Manual, ids),
            Action::RevokeToken if self.pending_revoke.is_none() && self.session.is_some() => {
                let req = ids.allocate();
                self.pending_revoke = Some(req);
                vec![Effect::Spawn {
                    req,
                    job: Job::Session(SessionJob::Revoke),
                }]
            }
            Action::Introspect if self.session.is_some() => self.introspect(ids),
            Action::CheckApi if self.pending_check.is_none() && self.session.is_some() => {
                let req = ids.allocate();
                self.pending_check = Some(req);
                vec![Effect::Spawn {
                    req,
                    job: Job::Session(SessionJob::CheckApi),
                }]
            }
            _ => Vec::new(),
        }
    }

    fn renew(&mut self, reason: RenewReason, ids: &mut RequestIds) -> Vec<Effect> {
        if self.pending_login.is_some() || self.profile.is_none() {
            return Vec::new();
        }
        let req = ids.allocate();
        self.pending_login = Some(req);
        vec![Effect::Spawn {
            req,
            job: Job::Session(SessionJob::Renew(reason)),
        }]
    }

    fn introspect(&mut self, ids: &mut RequestIds) -> Vec<Effect> {
        let req = ids.allocate();
        let mut effects: Vec<Effect> = self
            .pending_introspect
            .take()
            .map(Effect::Cancel)
            .into_iter()
            .collect();
        self.pending_introspect = Some(req);
        if !matches!(self.expiry, Expiry::Known { .. }) {
            self.expiry = Expiry::Checking;
        }
        effects.push(Effect::Spawn {
            req,
            job: Job::Session(SessionJob::Introspect),
        });
        effects
    }

    /// The clock moved: renew before expiry, re-introspect now and then.
    pub fn tick(&mut self, now: Timestamp, ids: &mut RequestIds) -> Vec<Effect> {
        if self.session.is_none()
            || self.pending_login.is_some()
            || self.inactive == Some(Inactive::Revoked)
        {
            return Vec::new();
        }
        let recently_failed = self
            .last_auto_renew_failure
            .is_some_and(|at| now.duration_since(at) < RENEW_RETRY_AFTER);
        if let Expiry::Known {
            exp,
            iat,
            checked_at,
            ..
        } = self.expiry
        {
            if exp.duration_since(now) <= self.effective_margin(exp, iat) && !recently_failed {
                return self.renew(RenewReason::BeforeExpiry, ids);
            }
            if now.duration_since(checked_at) >= REINTROSPECT_EVERY
                && self.pending_introspect.is_none()
            {
                return self.introspect(ids);
            }
        }
        Vec::new()
    }

    /// The renewal margin, but at most a quarter of the token's lifetime, so a short session
    /// timeout (e.g. 60 s in the demo) renews at 45 s instead of all the time.
    pub fn effective_margin(&self, exp: Timestamp, iat: Option<Timestamp>) -> SignedDuration {
        match iat {
            Some(iat) => self.renew_margin.min(exp.duration_since(iat) / 4),
            None => self.renew_margin,
        }
    }

    /// Cancels what this pane waits for (Esc).
    pub fn cancel(&mut self) -> Vec<Effect> {
        let effects: Vec<Effect> = [
            self.pending_login.take(),
            self.pending_introspect.take(),
            self.pending_revoke.take(),
            self.pending_check.take(),
        ]
        .into_iter()
        .flatten()
        .map(Effect::Cancel)
        .collect();
        if !effects.is_empty() {
            self.note = Some("Cancelled.".into());
            if matches!(self.expiry, Expiry::Checking) && self.session.is_some() {
                self.expiry = Expiry::Unknown {
                    why: "introspection cancelled (press i to retry)".into(),
                };
            }
        }
        effects
    }

    /// Whether this pane started `req` and still waits for it.
    pub fn owns(&self, req: RequestId) -> bool {
        [
            self.pending_login,
            self.pending_introspect,
            self.pending_revoke,
            self.pending_check,
        ]
        .contains(&Some(req))
    }

    pub fn on_done(
        &mut self,
        req: RequestId,
        outcome: Outcome,
        now: Timestamp,
        ids: &mut RequestIds,
    ) -> Vec<Effect> {
        match outcome {
            Outcome::Login(result) if self.pending_login == Some(req) => {
                self.pending_login = None;
                self.browser = None;
                match result {
                    Ok(session) => self.on_new_session(session, ids),
                    Err(diagnosis) => {
                        if self.session.is_some() {
                            // A renewal failed: keep showing the old token and try again later.
                            self.last_auto_renew_failure = Some(now);
                            self.note = Some(format!("Renewal failed: {}", diagnosis.title));
                        }
                        self.diagnosis = Some(*diagnosis);
                        Vec::new()
                    }
                }
            }
            Outcome::ExpiryAssumed { username } if self.pending_introspect == Some(req) => {
                self.pending_introspect = None;
                if username.is_some() {
                    self.username = username;
                }
                if let Some(session) = &self.session {
                    let iat = session.issued_at;
                    self.expiry = Expiry::Known {
                        exp: iat.checked_add(ASSUMED_LIFETIME).unwrap_or(iat),
                        iat: Some(iat),
                        checked_at: now,
                        assumed: true,
                    };
                }
                Vec::new()
            }
            Outcome::Introspect(result) if self.pending_introspect == Some(req) => {
                self.pending_introspect = None;
                self.on_introspection(result, now);
                Vec::new()
            }
            Outcome::Revoke(result) if self.pending_revoke == Some(req) => {
                self.pending_revoke = None;
                match result {
                    Ok(()) => {
                        self.inactive = Some(Inactive::Revoked);
                        // A browser login's refresh token went with it.
                        if let Some(session) = &mut self.session {
                            session.login.refresh_token = None;
                        }
                        self.expiry = Expiry::Unknown {
                            why: "the token was revoked".into(),
                        };
                        self.note = Some("Token revoked. The next request gets a new one.".into());
                        // An introspection started before the revoke speaks of the old state.
                        self.pending_introspect
                            .take()
                            .map(Effect::Cancel)
                            .into_iter()
                            .collect()
                    }
                    Err(e) => {
                        self.note = Some(format!("Revoke failed: {e}"));
                        Vec::new()
                    }
                }
            }
            Outcome::Copied(result) => {
                self.note = Some(match result {
                    Ok(()) => "Token copied to the clipboard (OSC 52).".into(),
                    Err(e) => format!("Copy failed: {e}"),
                });
                Vec::new()
            }
            Outcome::ApiChecked(result) if self.pending_check == Some(req) => {
                self.pending_check = None;
                self.note = Some(match result {
                    Ok(()) => "API call OK (GET /limits).".into(),
                    Err(e) => format!("API call failed: {e}"),
                });
                Vec::new()
            }
            _ => Vec::new(), // stale: the user moved on
        }
    }

    /// A new token, from our own request or from the client's renewal after `INVALID_SESSION_ID`.
    pub fn on_new_session(&mut self, session: SessionInfo, ids: &mut RequestIds) -> Vec<Effect> {
        if self.profile.as_deref() != Some(session.profile.as_str()) {
            return Vec::new(); // a token of a profile the user has left
        }
        if self
            .session
            .as_ref()
            .is_some_and(|s| s.obtained_at == session.obtained_at)
        {
            return Vec::new();
        }
        let mut session = session;
        // A renewal does not ask the org again: what it said still holds.
        if session.environment.is_none() {
            session.environment = self.session.as_ref().and_then(|s| s.environment);
        }
        self.session = Some(session);
        self.diagnosis = None;
        self.inactive = None;
        self.last_auto_renew_failure = None;
        self.expiry = Expiry::Checking;
        self.introspect(ids)
    }

    fn on_introspection(&mut self, result: Result<Introspection, String>, now: Timestamp) {
        self.expiry = match result {
            Ok(info) if !info.active => {
                self.inactive = Some(Inactive::NotActive);
                Expiry::Unknown {
                    why: "introspection says the token is no longer active".into(),
                }
            }
            Ok(info) => {
                if info.username.is_some() {
                    self.username = info.username;
                }
                match info.exp {
                    Some(exp) => Expiry::Known {
                        exp,
                        iat: info.iat,
                        checked_at: now,
                        assumed: false,
                    },
                    None => Expiry::Unknown {
                        why: "introspection gave no expiry (exp)".into(),
                    },
                }
            }
            Err(why) => Expiry::Unknown {
                why: format!("introspection not possible: {why}"),
            },
        };
    }

    pub fn on_usage(&mut self, usage: LimitInfo) {
        self.usage = Some(usage);
    }

    /// When the token was obtained and why: "15:42 (auto)".
    pub fn last_renewal(&self) -> Option<(Timestamp, RenewReason)> {
        self.session.as_ref().map(|s| (s.obtained_at, s.reason))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_767_225_600 + secs).expect("valid time")
    }

    fn session(obtained: i64, reason: RenewReason) -> SessionInfo {
        SessionInfo {
            login: LoginInfo::default(),
            environment: None,
            profile: "Demo org".into(),
            instance_url: "http://127.0.0.1:8484".into(),
            user_id: "005Dn00000IntUsIAJ".into(),
            org_id: "00DDn00000Org01MAB".into(),
            scopes: vec!["api".into()],
            token_type: "Bearer".into(),
            issued_at: at(obtained),
            obtained_at: at(obtained),
            reason,
            masked_token: "00DDn00000Org01!••••••••".into(),
        }
    }

    fn introspection(active: bool, iat: i64, exp: i64) -> Introspection {
        Introspection {
            active,
            scope: Some("api".into()),
            client_id: Some("demo".into()),
            username: Some("integration@demo.sfterm.dev".into()),
            sub: None,
            token_type: Some("access_token".into()),
            exp: Some(at(exp)),
            iat: Some(at(iat)),
            nbf: Some(at(iat)),
        }
    }

    fn spawned(effects: &[Effect]) -> Vec<(RequestId, SessionJob)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Spawn {
                    req,
                    job: Job::Session(job),
                } => Some((*req, *job)),
                _ => None,
            })
            .collect()
    }

    fn renewals(effects: &[Effect]) -> usize {
        spawned(effects)
            .iter()
            .filter(|(_, job)| matches!(job, SessionJob::Renew(_)))
            .count()
    }

    /// A state connected at t=0 whose token expires at t=7200 (introspected).
    /// Logged in at 0 s; the introspection it asked for still runs (its request id).
    fn logged_in(ids: &mut RequestIds) -> (TokenState, RequestId) {
        let mut state = TokenState::new(SignedDuration::from_secs(300));
        let login = ids.allocate();
        assert!(state.start_connect("Demo org", login).is_empty());
        assert_eq!(state.phase(at(0)), Phase::Requesting);
        let effects = state.on_done(
            login,
            Outcome::Login(Ok(session(0, RenewReason::Initial))),
            at(0),
            ids,
        );
        let [(introspect, SessionJob::Introspect)] = spawned(&effects)[..] else {
            panic!("a login must be followed by introspection: {effects:?}");
        };
        assert_eq!(state.expiry, Expiry::Checking);
        (state, introspect)
    }

    fn connected(ids: &mut RequestIds) -> TokenState {
        let (mut state, introspect) = logged_in(ids);
        state.on_done(
            introspect,
            Outcome::Introspect(Ok(introspection(true, 0, 7200))),
            at(1),
            ids,
        );
        state
    }

    #[test]
    fn expiry_comes_from_introspection_and_phases_follow_the_clock() {
        let mut ids = RequestIds::default();
        let state = connected(&mut ids);
        assert_eq!(
            state.username.as_deref(),
            Some("integration@demo.sfterm.dev")
        );
        assert_eq!(
            state.remaining(at(1800)),
            Some(SignedDuration::from_secs(5400))
        );
        assert_eq!(state.phase(at(1800)), Phase::Active);
        assert_eq!(state.phase(at(7200 - 599)), Phase::ExpiringSoon);
        assert_eq!(state.phase(at(7200)), Phase::Expired);
    }

    #[test]
    fn a_short_lived_token_is_expiring_soon_only_in_its_second_half() {
        let mut ids = RequestIds::default();
        let mut state = connected(&mut ids);
        state.expiry = Expiry::Known {
            exp: at(60),
            iat: Some(at(0)),
            checked_at: at(0),
            assumed: false,
        };
        assert_eq!(state.phase(at(5)), Phase::Active);
        assert_eq!(state.phase(at(31)), Phase::ExpiringSoon);
        assert_eq!(state.phase(at(60)), Phase::Expired);
    }

    #[test]
    fn a_flow_that_cannot_introspect_assumes_two_hours_and_renews_before_them() {
        let mut ids = RequestIds::default();
        let (mut state, introspect) = logged_in(&mut ids);
        let username = Some("ci@acme.com".to_owned());
        state.on_done(
            introspect,
            Outcome::ExpiryAssumed { username },
            at(1),
            &mut ids,
        );
        assert!(
            matches!(state.expiry, Expiry::Known { exp, assumed: true, .. } if exp == at(7200)),
            "{:?}",
            state.expiry
        );
        assert_eq!(state.username.as_deref(), Some("ci@acme.com"));
        let effects = state.tick(at(6901), &mut ids);
        assert!(
            matches!(
                spawned(&effects)[..],
                [(_, SessionJob::Renew(RenewReason::BeforeExpiry))]
            ),
            "{effects:?}"
        );
    }

    #[test]
    fn renews_once_within_the_margin_without_a_keypress() {
        let mut ids = RequestIds::default();
        let mut state = connected(&mut ids);
        let effects = state.tick(at(6000), &mut ids);
        assert_eq!(renewals(&effects), 0, "too early to renew");
        assert!(
            matches!(spawned(&effects)[..], [(_, SessionJob::Introspect)]),
            "but the sliding expiry is checked again after 10 minutes: {effects:?}"
        );
        let effects = state.tick(at(6901), &mut ids);
        let [(renew, SessionJob::Renew(RenewReason::BeforeExpiry))] = spawned(&effects)[..] else {
            panic!("expected one renewal: {effects:?}");
        };
        assert!(state.is_requesting());
        assert!(
            state.tick(at(6902), &mut ids).is_empty(),
            "no second renewal while one runs"
        );

        let effects = state.on_done(
            renew,
            Outcome::Login(Ok(session(6901, RenewReason::BeforeExpiry))),
            at(6901),
            &mut ids,
        );
        assert_eq!(spawned(&effects).len(), 1, "the new token is introspected");
        assert_eq!(
            state.last_renewal(),
            Some((at(6901), RenewReason::BeforeExpiry))
        );
    }

    #[test]
    fn short_lived_tokens_renew_at_three_quarters_of_their_life() {
        let mut ids = RequestIds::default();
        let mut state = TokenState::new(SignedDuration::from_secs(300));
        let login = ids.allocate();
        state.start_connect("Demo org", login);
        let effects = state.on_done(
            login,
            Outcome::Login(Ok(session(0, RenewReason::Initial))),
            at(0),
            &mut ids,
        );
        let [(introspect, _)] = spawned(&effects)[..] else {
            panic!("introspect expected")
        };
        state.on_done(
            introspect,
            Outcome::Introspect(Ok(introspection(true, 0, 60))),
            at(0),
            &mut ids,
        );
        assert!(state.tick(at(44), &mut ids).is_empty());
        assert_eq!(spawned(&state.tick(at(45), &mut ids)).len(), 1);
    }

    #[test]
    fn a_failed_renewal_keeps_the_old_token_and_waits_before_retrying() {
        let mut ids = RequestIds::default();
        let mut state = connected(&mut ids);
        let effects = state.tick(at(6950), &mut ids);
        let [(renew, _)] = spawned(&effects)[..] else {
            panic!("renewal expected")
        };
        let diagnosis = Diagnosis {
            title: "Network error".into(),
            what_salesforce_said: String::new(),
            meaning: "m".into(),
            fix: "f".into(),
        };
        state.on_done(
            renew,
            Outcome::Login(Err(Box::new(diagnosis))),
            at(6950),
            &mut ids,
        );
        assert!(state.session.is_some(), "the old token stays");
        assert_eq!(
            renewals(&state.tick(at(6960), &mut ids)),
            0,
            "no retry within 30 s"
        );
        assert_eq!(
            renewals(&state.tick(at(6981), &mut ids)),
            1,
            "retry after 30 s"
        );
    }

    #[test]
    fn stale_results_are_dropped() {
        let mut ids = RequestIds::default();
        let mut state = TokenState::new(SignedDuration::from_secs(300));
        let first = ids.allocate();
        state.start_connect("Demo org", first);
        let second = ids.allocate();
        let effects = state.start_connect("Other", second);
        assert!(
            matches!(effects[..], [Effect::Cancel(r)] if r == first),
            "the first connect is cancelled"
        );
        state.on_done(
            first,
            Outcome::Login(Ok(session(0, RenewReason::Initial))),
            at(0),
            &mut ids,
        );
        assert!(
            state.session.is_none(),
            "a result for the abandoned connect is ignored"
        );
        assert!(!state.owns(first));
        assert!(state.owns(second));
    }

    #[test]
    fn failed_login_shows_the_diagnosis() {
        let mut ids = RequestIds::default();
        let mut state = TokenState::new(SignedDuration::from_secs(300));
        let req = ids.allocate();
        state.start_connect("Demo (login host)", req);
        let diagnosis = Diagnosis {
            title: "Wrong domain".into(),
            what_salesforce_said: "invalid_grant: request not supported on this domain".into(),
            meaning: "m".into(),
            fix: "Use the My Domain URL".into(),
        };
        state.on_done(
            req,
            Outcome::Login(Err(Box::new(diagnosis))),
            at(0),
            &mut ids,
        );
        assert_eq!(state.phase(at(0)), Phase::Error);
        assert_eq!(
            state.diagnosis.as_ref().map(|d| d.title.as_str()),
            Some("Wrong domain")
        );
    }

    #[test]
    fn a_revoke_cancels_an_introspection_that_started_before_it() {
        let mut ids = RequestIds::default();
        let mut state = connected(&mut ids);
        let effects = state.update(Action::Introspect, &mut ids);
        let [(introspect, SessionJob::Introspect)] = spawned(&effects)[..] else {
            panic!("introspection expected")
        };
        let effects = state.update(Action::RevokeToken, &mut ids);
        let [(revoke, SessionJob::Revoke)] = spawned(&effects)[..] else {
            panic!("revoke expected")
        };
        let effects = state.on_done(revoke, Outcome::Revoke(Ok(())), at(10), &mut ids);
        assert!(
            matches!(effects[..], [Effect::Cancel(req)] if req == introspect),
            "{effects:?}"
        );
        // Its answer, if it still arrives, is stale and changes nothing.
        state.on_done(
            introspect,
            Outcome::Introspect(Ok(introspection(false, 0, 7200))),
            at(11),
            &mut ids,
        );
        assert_eq!(state.phase(at(11)), Phase::Revoked);
    }

    #[test]
    fn revoke_then_a_renewal_by_the_client_reactivates() {
        let mut ids = RequestIds::default();
        let mut state = connected(&mut ids);
        let effects = state.update(Action::RevokeToken, &mut ids);
        let [(revoke, SessionJob::Revoke)] = spawned(&effects)[..] else {
            panic!("revoke expected")
        };
        if let Some(session) = &mut state.session {
            session.login.refresh_token = Some("the system keychain".into());
        }
        state.on_done(revoke, Outcome::Revoke(Ok(())), at(10), &mut ids);
        assert_eq!(state.phase(at(10)), Phase::Revoked);
        assert_eq!(
            state
                .session
                .as_ref()
                .and_then(|s| s.login.refresh_token.clone()),
            None,
            "a revoke ends the refresh token too"
        );
        assert!(
            state.tick(at(7000), &mut ids).is_empty(),
            "a revoked token is not renewed by the clock"
        );

        // The user makes an API call; it hits INVALID_SESSION_ID and the client renews once.
        let effects = state.update(Action::CheckApi, &mut ids);
        let [(check, SessionJob::CheckApi)] = spawned(&effects)[..] else {
            panic!("an API call expected")
        };
        assert!(
            state.update(Action::CheckApi, &mut ids).is_empty(),
            "one API check at a time"
        );
        let effects = state.on_new_session(session(20, RenewReason::InvalidSession), &mut ids);
        assert_eq!(spawned(&effects).len(), 1);
        assert_eq!(state.phase(at(20)), Phase::Active);
        assert_eq!(
            state.last_renewal(),
            Some((at(20), RenewReason::InvalidSession))
        );
        state.on_done(check, Outcome::ApiChecked(Ok(())), at(21), &mut ids);
        assert_eq!(state.note.as_deref(), Some("API call OK (GET /limits)."));
        assert!(!state.owns(check));
        // The same token seen again (from the watch) changes nothing.
        assert!(
            state
                .on_new_session(session(20, RenewReason::InvalidSession), &mut ids)
                .is_empty()
        );
    }

    #[test]
    fn unknown_expiry_is_said_plainly() {
        let mut ids = RequestIds::default();
        let mut state = TokenState::new(SignedDuration::from_secs(300));
        let req = ids.allocate();
        state.start_connect("Demo org", req);
        let effects = state.on_done(
            req,
            Outcome::Login(Ok(session(0, RenewReason::Initial))),
            at(0),
            &mut ids,
        );
        let [(introspect, _)] = spawned(&effects)[..] else {
            panic!("introspect expected")
        };
        state.on_done(
            introspect,
            Outcome::Introspect(Err("HTTP 400 invalid_client".into())),
            at(1),
            &mut ids,
        );
        assert!(
            matches!(&state.expiry, Expiry::Unknown { why } if why.contains("introspection not possible"))
        );
        assert_eq!(state.remaining(at(1)), None);
        assert!(
            state.tick(at(100_000), &mut ids).is_empty(),
            "no renewal on a guess"
        );
        assert_eq!(state.phase(at(1)), Phase::Active);
    }

    #[test]
    fn esc_cancels_what_is_in_flight() {
        let mut ids = RequestIds::default();
        let mut state = TokenState::new(SignedDuration::from_secs(300));
        let req = ids.allocate();
        state.start_connect("Demo org", req);
        let effects = state.cancel();
        assert!(matches!(effects[..], [Effect::Cancel(r)] if r == req));
        assert!(!state.owns(req));
        assert_eq!(state.phase(at(0)), Phase::NotConnected);
    }
}
