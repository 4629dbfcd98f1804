//! What each [`Grant`] sends to the token endpoint, the browser login's code exchange, and the
//! refresh token the client holds (rotation, revocation).

use std::sync::atomic::Ordering;

use jiff::Timestamp;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::watch;
use url::Url;

use super::auth::ClientAuth;
use super::transport::{Req, Target};
use super::{SfClient, decode, insecure};
use crate::sf::error::ApiError;
use crate::sf::oauth::jwt;
use crate::sf::oauth::web::{AuthorizationCode, CodeExchange, WebLogin};
use crate::sf::types::{
    Grant, GrantKind, RenewReason, Token, TokenResponse, TokenSource, UserInfo,
};

impl SfClient {
    /// Requests a token with the configured grant, stores it and publishes it. Callers hold
    /// the renewal lock.
    pub(super) async fn request_token(&self, reason: RenewReason) -> Result<Token, ApiError> {
        let config = &self.inner.config;
        let token = match &config.grant {
            Grant::ClientCredentials => {
                let form = vec![("grant_type", "client_credentials".to_string())];
                let kind = GrantKind::ClientCredentials;
                self.token_post(kind, form, ClientAuth::Always, reason)
                    .await?
                    .0
            }
            Grant::RefreshToken { .. } => {
                let refresh = self.refresh_token().ok_or(ApiError::LoginRequired)?;
                let form = vec![
                    ("grant_type", "refresh_token".to_string()),
                    ("refresh_token", refresh.expose_secret().to_string()),
                ];
                let kind = GrantKind::RefreshToken;
                self.token_post(kind, form, ClientAuth::IfSecret, reason)
                    .await?
                    .0
            }
            Grant::JwtBearer(settings) => {
                let key = self.inner.jwt_key.as_ref().ok_or_else(|| {
                    ApiError::Config("the JWT bearer grant has no signing key".into())
                })?;
                let claims = jwt::Claims::new(
                    &config.client_id,
                    settings,
                    &config.login_url,
                    Timestamp::now(),
                );
                let assertion = jwt::sign(&claims, key)?;
                let form = vec![
                    ("grant_type", jwt::GRANT_TYPE.to_string()),
                    ("assertion", assertion.expose_secret().to_string()),
                ];
                let kind = GrantKind::JwtBearer;
                self.token_post(kind, form, ClientAuth::None, reason)
                    .await?
                    .0
            }
            Grant::External(source) => self.external_token(source.as_ref(), reason).await?,
        };
        self.install_token(token.clone(), reason);
        Ok(token)
    }

    /// Posts a token request; the token and the refresh token that came with it (which
    /// replaces the one held: rotation).
    async fn token_post(
        &self,
        kind: GrantKind,
        form: Vec<(&'static str, String)>,
        how: ClientAuth,
        reason: RenewReason,
    ) -> Result<(Token, Option<SecretString>), ApiError> {
        self.inner.token_requests.fetch_add(1, Ordering::SeqCst);
        let resp = self
            .oauth_post("token", form, how)
            .await
            .map_err(|e| e.with_grant(kind))?;
        let mut body: TokenResponse = decode("token", &resp.body)?;
        let refresh = body.refresh_token.take().map(SecretString::from);
        let token = body.into_token(reason)?;
        if insecure(&token.instance_url) {
            return Err(ApiError::InsecureUrl(token.instance_url.to_string()));
        }
        if let Some(refresh) = &refresh {
            self.set_refresh_token(Some(refresh.clone()));
        }
        Ok((token, refresh))
    }

    /// A token from an outside source; a missing user id is asked from userinfo with the
    /// token itself, and a token Salesforce refuses there is the source's stale login.
    async fn external_token(
        &self,
        source: &dyn TokenSource,
        reason: RenewReason,
    ) -> Result<Token, ApiError> {
        self.inner.token_requests.fetch_add(1, Ordering::SeqCst);
        let mut token = source.token(reason).await?;
        if insecure(&token.instance_url) {
            return Err(ApiError::InsecureUrl(token.instance_url.to_string()));
        }
        if !token.user_id.is_empty() {
            return Ok(token);
        }
        let req = Req::new(
            Method::GET,
            Target::Instance("/services/oauth2/userinfo".into(), vec![]),
        );
        match self.send_once(&req, &token).await {
            Ok(resp) if resp.status.is_success() => {
                if let Ok(info) = serde_json::from_slice::<UserInfo>(&resp.body) {
                    token.user_id = info.user_id;
                    if token.org_id.is_empty() {
                        token.org_id = info.organization_id;
                    }
                    if let Ok(id_url) = Url::parse(&info.sub)
                        && !insecure(&id_url)
                    {
                        token.id_url = id_url;
                    }
                }
            }
            Ok(resp) if matches!(resp.status.as_u16(), 401 | 403) => return Err(source.refused()),
            Ok(resp) => {
                tracing::debug!(status = %resp.status, "userinfo unavailable; user id unknown")
            }
            Err(e) => tracing::debug!(error = %e, "userinfo unavailable; user id unknown"),
        }
        Ok(token)
    }

    /// The browser login's last step: trades the code (with the login's PKCE verifier and
    /// redirect URI) for a token at the config's login URL. The token is installed and
    /// published like a login's; the refresh token, if the app granted one, is held for the
    /// [`Grant::RefreshToken`] renewals and published on
    /// [`refresh_token_watch`](Self::refresh_token_watch). The client secret is sent only when
    /// the config has one.
    pub async fn exchange_code(
        &self,
        login: &WebLogin,
        code: &AuthorizationCode,
    ) -> Result<CodeExchange, ApiError> {
        let _guard = self.inner.renew_lock.lock().await;
        let form = vec![
            ("grant_type", "authorization_code".to_string()),
            ("code", code.secret().expose_secret().to_string()),
            ("redirect_uri", login.redirect_uri().to_string()),
            (
                "code_verifier",
                login.code_verifier().expose_secret().to_string(),
            ),
        ];
        let (token, refresh_token) = self
            .token_post(
                GrantKind::AuthorizationCode,
                form,
                ClientAuth::IfSecret,
                RenewReason::Initial,
            )
            .await?;
        self.install_token(token.clone(), RenewReason::Initial);
        Ok(CodeExchange {
            token,
            refresh_token,
        })
    }

    /// The refresh token held (from the config, a code exchange or the last rotation).
    pub fn refresh_token(&self) -> Option<SecretString> {
        self.lock_state().refresh_token.clone()
    }

    /// Every change of the refresh token held: a code exchange, a rotation, a revocation
    /// (`None`). The caller keeps the stored copy (keychain) in step with it.
    pub fn refresh_token_watch(&self) -> watch::Receiver<Option<SecretString>> {
        self.inner.refresh_tx.subscribe()
    }

    fn set_refresh_token(&self, refresh: Option<SecretString>) {
        self.lock_state().refresh_token.clone_from(&refresh);
        self.inner.refresh_tx.send_replace(refresh);
    }

    /// Revokes the refresh token held (`POST /services/oauth2/revoke`), which also ends its
    /// access tokens, and forgets it; the next renewal then fails with
    /// [`ApiError::LoginRequired`]. `Ok(false)` when none was held. A token Salesforce already
    /// considers invalid (HTTP 400) is forgotten too.
    pub async fn revoke_refresh_token(&self) -> Result<bool, ApiError> {
        let Some(refresh) = self.refresh_token() else {
            return Ok(false);
        };
        let form = vec![("token", refresh.expose_secret().to_string())];
        match self.oauth_post("revoke", form, ClientAuth::None).await {
            Ok(_) | Err(ApiError::OAuth { status: 400, .. }) => {}
            Err(e) => return Err(e),
        }
        self.set_refresh_token(None);
        Ok(true)
    }

    /// The grant the client renews with.
    pub fn grant_kind(&self) -> GrantKind {
        self.inner.config.grant.kind()
    }
}
