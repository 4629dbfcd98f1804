//! Logging in with a profile, for every flow. [`client_for`] is the one place a profile becomes
//! a client (TUI and commands alike), [`browser`] runs the browser login, and
//! [`keep_refresh_token_stored`] keeps a browser login's refresh token in the [`TokenStore`] as
//! Salesforce rotates or revokes it.

pub mod browser;
pub mod token_store;

use secrecy::{ExposeSecret, SecretString};
use tokio::task::JoinHandle;

use crate::config::{Credentials, Flow, Profile};
use crate::sf::{ApiError, Diagnosis, RenewReason, SfClient, Token};
pub use token_store::{StoreError, TokenStore};

/// The profile's client with every credential of its flow: the client secret as the caller
/// obtained it (prompt, environment, command; `None` for a flow or app without one), the stored
/// refresh token of a browser login, the private key of a JWT profile read from its file, the
/// Salesforce CLI for an `sf` profile. Does not log in.
pub async fn client_for(
    profile: &Profile,
    client_secret: Option<SecretString>,
    store: &TokenStore,
) -> Result<SfClient, Diagnosis> {
    let refresh_token = match profile.flow {
        Flow::Web { .. } => stored_refresh_token(store, &profile.name).await?,
        _ => None,
    };
    let private_key =
        match &profile.flow {
            Flow::Jwt { key_file, .. } => {
                let path = key_file.clone();
                let read = tokio::task::spawn_blocking(move || std::fs::read_to_string(&path))
                    .await
                    .map_err(|e| std::io::Error::other(e.to_string()))
                    .and_then(|r| r);
                Some(SecretString::from(read.map_err(|e| {
                    Diagnosis {
                title: "Cannot read the private key".into(),
                what_salesforce_said: String::new(),
                meaning: format!(
                    "Profile \"{}\" signs its JWT with the key in {}, which cannot be read: {e}.",
                    profile.name,
                    key_file.display()
                ),
                fix: "Edit the profile (e) and point its key file at the PEM private key whose \
                      certificate is uploaded to the app."
                    .into(),
            }
                })?))
            }
            _ => None,
        };
    let credentials = Credentials {
        client_secret,
        refresh_token,
        private_key,
    };
    let config = crate::config::connection_config(profile, credentials).map_err(|e| Diagnosis {
        title: "The profile cannot be used".into(),
        what_salesforce_said: String::new(),
        meaning: e.to_string(),
        fix: e.fix().into(),
    })?;
    SfClient::new(config).map_err(|e| e.diagnosis())
}

/// The first token of a client built by [`client_for`]. A browser login whose refresh token
/// Salesforce no longer accepts forgets it (so that the next connect logs in in the browser);
/// a refresh token rotated on the way is stored.
pub async fn first_token(
    client: &SfClient,
    store: &TokenStore,
    profile: &str,
) -> Result<Token, ApiError> {
    let before = client.refresh_token();
    match client.login(RenewReason::Initial).await {
        Ok(token) => {
            let after = client.refresh_token();
            let rotated = match (&before, &after) {
                (Some(a), Some(b)) => a.expose_secret() != b.expose_secret(),
                _ => false,
            };
            if rotated {
                let _ = store_refresh_token(client, store, profile).await;
            }
            Ok(token)
        }
        Err(e) => {
            if e.needs_new_login() {
                let (store, name) = (store.clone(), profile.to_owned());
                let _ = tokio::task::spawn_blocking(move || store.delete(&name)).await;
            }
            Err(e)
        }
    }
}

/// Stores the client's refresh token now (after a browser login or a rotation); the error
/// says why it could not be kept (the session itself goes on).
pub async fn store_refresh_token(
    client: &SfClient,
    store: &TokenStore,
    profile: &str,
) -> Result<(), StoreError> {
    let Some(token) = client.refresh_token() else {
        return Ok(());
    };
    let (store, name) = (store.clone(), profile.to_owned());
    let result = tokio::task::spawn_blocking(move || store.set(&name, &token))
        .await
        .map_err(|e| StoreError::new(e.to_string()))
        .and_then(|r| r);
    match &result {
        Ok(()) => tracing::info!(profile = %profile, "refresh token stored"),
        Err(e) => tracing::warn!(error = %e, "refresh token not stored"),
    }
    result
}

/// The refresh token stored for `profile` (a keychain that cannot be read is a diagnosis, not
/// a silent new login).
async fn stored_refresh_token(
    store: &TokenStore,
    profile: &str,
) -> Result<Option<SecretString>, Diagnosis> {
    let (store, name) = (store.clone(), profile.to_owned());
    tokio::task::spawn_blocking(move || store.get(&name))
        .await
        .map_err(|e| StoreError::from(e.to_string()))
        .and_then(|r| r)
        .map_err(|e| Diagnosis {
            title: "Cannot read the stored login".into(),
            what_salesforce_said: String::new(),
            meaning: e.to_string(),
            fix: "Unlock the keychain, or set SFTERM_TOKEN_STORE=file to keep refresh tokens in \
                  a private file in the data directory."
                .into(),
        })
}

/// Keeps `profile`'s stored refresh token in step with the client's: a new one (a browser
/// login, a rotation) replaces it, a revocation deletes it. Ends with the client.
pub fn keep_refresh_token_stored(
    client: &SfClient,
    store: TokenStore,
    profile: &str,
) -> JoinHandle<()> {
    let mut changes = client.refresh_token_watch();
    changes.mark_unchanged();
    let profile = profile.to_owned();
    tokio::spawn(async move {
        while changes.changed().await.is_ok() {
            let token = changes.borrow_and_update().clone();
            let (store, name) = (store.clone(), profile.clone());
            let result = tokio::task::spawn_blocking(move || match token {
                Some(token) => store.set(&name, &token),
                None => store.delete(&name).map(drop),
            })
            .await;
            match result {
                Ok(Ok(())) => tracing::info!(profile = %profile, "stored refresh token updated"),
                Ok(Err(e)) => {
                    tracing::warn!(profile = %profile, error = %e, "refresh token not stored")
                }
                Err(e) => {
                    tracing::warn!(profile = %profile, error = %e, "refresh token not stored")
                }
            }
        }
    })
}

impl From<String> for StoreError {
    fn from(message: String) -> StoreError {
        StoreError::new(message)
    }
}
