//! Sending a resolved composer request with the client's live token, shared by `sfterm run`,
//! `sfterm apex soap` and the Composer / History tabs. REST requests get the Bearer header from
//! the client (which renews once on a 401 `INVALID_SESSION_ID`); SOAP requests get the token in
//! the envelope's `SessionHeader`, and a SOAP `INVALID_SESSION_ID` fault (HTTP 500, which the
//! client does not treat as a session error) renews the token once and sends again.

use bytes::Bytes;
use secrecy::ExposeSecret;

use super::request::{RequestKind, ResolvedRequest};
use super::soap;
use crate::sf::{ApiError, RawResponse, RenewReason, SfClient, Spill};

/// Why a request could not be sent (an HTTP error status is not one: it is a response).
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The client holds no token.
    #[error("not logged in")]
    NotConnected,
    /// The method is not a valid HTTP method.
    #[error("\"{0}\" is not an HTTP method")]
    BadMethod(String),
    /// Transport failure, timeout, failed renewal, bad header.
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// A response and whether the token was renewed on the way.
#[derive(Debug)]
pub struct Sent {
    /// The (final) response.
    pub response: RawResponse,
    /// The first answer was a SOAP `INVALID_SESSION_ID` fault: the token was renewed and the
    /// request sent a second time; `response` is the second answer.
    pub renewed_after_fault: bool,
}

/// Sends `resolved` with the client's current token; see the module docs for the renewal.
pub async fn send(client: &SfClient, resolved: &ResolvedRequest) -> Result<Sent, SendError> {
    send_spilling(client, resolved, None).await
}

/// [`send`] writing a large response body to a file while it downloads (see [`Spill`]).
pub async fn send_spilling(
    client: &SfClient,
    resolved: &ResolvedRequest,
    spill: Option<&Spill>,
) -> Result<Sent, SendError> {
    let response = send_once(client, resolved, spill).await?;
    if resolved.kind == RequestKind::Soap && is_invalid_session_fault(&response) {
        tracing::info!("SOAP INVALID_SESSION_ID fault; renewing the token and sending again");
        client.login(RenewReason::InvalidSession).await?;
        return Ok(Sent {
            response: send_once(client, resolved, spill).await?,
            renewed_after_fault: true,
        });
    }
    Ok(Sent {
        response,
        renewed_after_fault: false,
    })
}

/// Whether a response is a SOAP fault saying the session is invalid or expired.
pub fn is_invalid_session_fault(resp: &RawResponse) -> bool {
    resp.status.as_u16() == 500
        && matches!(
            soap::parse_response(&String::from_utf8_lossy(&resp.body)),
            Ok(soap::SoapResponse::Fault(fault)) if fault.is_invalid_session()
        )
}

async fn send_once(
    client: &SfClient,
    resolved: &ResolvedRequest,
    spill: Option<&Spill>,
) -> Result<RawResponse, SendError> {
    let token = client.token().ok_or(SendError::NotConnected)?;
    let with_session = resolved.with_session(token.access_token.expose_secret());
    let method = reqwest::Method::from_bytes(with_session.method.as_bytes())
        .map_err(|_| SendError::BadMethod(with_session.method.clone()))?;
    Ok(client
        .send_raw_spilling(
            method,
            &with_session.path,
            with_session.send_headers(),
            with_session.body.map(Bytes::from),
            spill.cloned(),
        )
        .await?)
}
