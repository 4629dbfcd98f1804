//! Login, single-flight token renewal, and the OAuth endpoints around the token:
//! introspection, userinfo, identity and revocation. What each grant sends is in `grants.rs`.

use base64::Engine;
use reqwest::header::{self, HeaderValue};
use secrecy::ExposeSecret;
use url::Url;

use super::transport::{Target, ok};
use super::{SfClient, TokenState, decode};
use crate::sf::error::ApiError;
use crate::sf::types::{
    ClientAuthStyle, Identity, Introspection, IntrospectionBody, RawResponse, RenewReason, Token,
    UserInfo,
};

/// Which client credentials a request to an OAuth endpoint carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClientAuth {
    /// None (revoke, JWT bearer).
    None,
    /// Id and secret, per the configured style (client credentials, introspection).
    Always,
    /// Id and secret when the secret is not empty, else the id alone (refresh token, code
    /// exchange: a PKCE app needs no secret).
    IfSecret,
}

/// How long a failed renewal is shared with callers that queued up behind it (on the client's
/// [`Clock`](super::Clock)).
const SHARE_FAILURE_FOR: std::time::Duration = std::time::Duration::from_secs(2);

impl SfClient {
    pub(super) fn lock_state(&self) -> std::sync::MutexGuard<'_, TokenState> {
        // A poisoned lock only means a panic elsewhere while holding it; the data is still valid.
        self.inner
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn current(&self) -> (u64, Option<Token>) {
        let s = self.lock_state();
        (s.generation, s.token.clone())
    }

    /// Logs in with the configured [`Grant`](crate::sf::Grant): requests a token, stores it and
    /// publishes it on [`token_watch`](Self::token_watch). Waits for (and then supersedes) a
    /// renewal in flight.
    pub async fn login(&self, reason: RenewReason) -> Result<Token, ApiError> {
        let _guard = self.inner.renew_lock.lock().await;
        self.request_token(reason).await
    }

    /// Renews the token unless someone else already did since generation `seen`
    /// (single-flight: concurrent callers share one renewal).
    pub(super) async fn renew(
        &self,
        seen: u64,
        reason: RenewReason,
    ) -> Result<(u64, Token), ApiError> {
        let _guard = self.inner.renew_lock.lock().await;
        {
            let state = self.lock_state();
            if let Some(token) = &state.token
                && state.generation != seen
            {
                return Ok((state.generation, token.clone()));
            }
            if let Some((generation, at, error)) = &state.failed
                && *generation == seen
                && self.inner.clock.now().saturating_duration_since(*at) < SHARE_FAILURE_FOR
            {
                return Err(error.clone());
            }
        }
        match self.request_token(reason).await {
            Ok(token) => Ok((self.lock_state().generation, token)),
            Err(error) => {
                self.lock_state().failed = Some((seen, self.inner.clock.now(), error.clone()));
                Err(error)
            }
        }
    }

    /// The current token, logging in first if there is none.
    pub(super) async fn ensure_token(&self) -> Result<(u64, Token), ApiError> {
        match self.current() {
            (generation, Some(token)) => Ok((generation, token)),
            (generation, None) => self.renew(generation, RenewReason::Initial).await,
        }
    }

    fn oauth_url(&self, endpoint: &str) -> Result<Url, ApiError> {
        self.inner
            .config
            .login_url
            .join(&format!("/services/oauth2/{endpoint}"))
            .map_err(|e| ApiError::Config(format!("login_url: {e}")))
    }

    /// Adds the client credentials as `how` says, per the configured style.
    fn client_auth(
        &self,
        req: reqwest::RequestBuilder,
        form: &mut Vec<(&'static str, String)>,
        how: ClientAuth,
    ) -> reqwest::RequestBuilder {
        let c = &self.inner.config;
        let secret = c.client_secret.expose_secret();
        match how {
            ClientAuth::None => return req,
            ClientAuth::IfSecret if secret.is_empty() => {
                form.push(("client_id", c.client_id.clone()));
                return req;
            }
            ClientAuth::Always | ClientAuth::IfSecret => {}
        }
        match c.auth_style {
            ClientAuthStyle::Body => {
                form.push(("client_id", c.client_id.clone()));
                form.push(("client_secret", secret.to_string()));
                req
            }
            ClientAuthStyle::Basic => {
                let raw = format!("{}:{}", c.client_id, secret);
                let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
                match HeaderValue::from_str(&format!("Basic {b64}")) {
                    Ok(mut v) => {
                        v.set_sensitive(true);
                        req.header(header::AUTHORIZATION, v)
                    }
                    Err(_) => req,
                }
            }
        }
    }

    /// Sends a form to an OAuth endpoint; returns the body of a 2xx response.
    pub(super) async fn oauth_post(
        &self,
        endpoint: &str,
        mut form: Vec<(&'static str, String)>,
        how: ClientAuth,
    ) -> Result<RawResponse, ApiError> {
        let url = self.oauth_url(endpoint)?;
        let req = self
            .inner
            .http
            .post(url.clone())
            .header(header::ACCEPT, "application/json");
        let req = self.client_auth(req, &mut form, how);
        let resp = self.execute(req.form(&form), &url).await?;
        ok(resp)
    }

    /// Stores a new token, counts a new generation and publishes it.
    pub(super) fn install_token(&self, token: Token, reason: RenewReason) {
        tracing::info!(?reason, instance = %token.instance_url, "obtained access token");
        {
            let mut s = self.lock_state();
            s.generation += 1;
            s.token = Some(token.clone());
        }
        self.inner.token_tx.send_replace(Some(token));
    }

    /// Whether [`introspect`](Self::introspect) can be asked: Salesforce wants the issuing
    /// app's client secret, which the flows without one (a PKCE browser login, JWT bearer, the
    /// Salesforce CLI) do not have.
    pub fn can_introspect(&self) -> bool {
        !self.inner.config.client_secret.expose_secret().is_empty()
    }

    /// Introspects the current token (`active`, `exp`, ...). Does not log in.
    pub async fn introspect(&self) -> Result<Introspection, ApiError> {
        let token = self.token().ok_or(ApiError::NotConnected)?;
        let form = vec![
            ("token", token.access_token.expose_secret().to_string()),
            ("token_type_hint", "access_token".to_string()),
        ];
        let resp = self
            .oauth_post("introspect", form, ClientAuth::Always)
            .await?;
        let body: IntrospectionBody = decode("introspect", &resp.body)?;
        Ok(body.into())
    }

    /// OpenID Connect userinfo of the run-as user.
    pub async fn userinfo(&self) -> Result<UserInfo, ApiError> {
        self.get_json(
            "userinfo",
            Target::Instance("/services/oauth2/userinfo".into(), vec![]),
        )
        .await
    }

    /// `GET` the token's identity URL.
    pub async fn identity(&self) -> Result<Identity, ApiError> {
        self.get_json("identity", Target::IdUrl).await
    }

    /// Revokes the current token. The token is kept: the next call gets `INVALID_SESSION_ID`
    /// and renews once.
    pub async fn revoke(&self) -> Result<(), ApiError> {
        let token = self.token().ok_or(ApiError::NotConnected)?;
        let form = vec![("token", token.access_token.expose_secret().to_string())];
        self.oauth_post("revoke", form, ClientAuth::None)
            .await
            .map(|_| ())
    }
}
