//! Where the mock org listens: its sockets on the configured address, the base URLs that name
//! them, and the self-signed TLS certificate (for 127.0.0.1, localhost and that address).

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;

use axum_server::tls_rustls::RustlsConfig;

use super::MockOrgError;

/// A non-blocking listener on `ip:port` (0: any free port).
pub(super) fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, MockOrgError> {
    let addr = SocketAddr::new(ip, port);
    let listener = TcpListener::bind(addr).map_err(|source| MockOrgError::Bind { addr, source })?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// `scheme://ADDR:PORT/` of a bound listener (IPv6 in brackets).
pub(super) fn base_url(scheme: &str, listener: &TcpListener) -> Result<url::Url, MockOrgError> {
    url::Url::parse(&format!("{scheme}://{}/", listener.local_addr()?))
        .map_err(|e| MockOrgError::Asset(e.to_string()))
}

/// A certificate made now for 127.0.0.1, localhost and `bind_ip`: its PEM written to a
/// temporary file named after the process and `instance`'s port (the CA file clients trust,
/// removed when the org stops), and the server configuration.
pub(super) async fn tls(
    bind_ip: IpAddr,
    instance: &TcpListener,
) -> Result<(PathBuf, RustlsConfig), MockOrgError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    if !names.contains(&bind_ip.to_string()) {
        names.push(bind_ip.to_string());
    }
    let cert =
        rcgen::generate_simple_self_signed(names).map_err(|e| MockOrgError::Tls(e.to_string()))?;
    let cert_pem = cert.cert.pem();
    let key_pem = cert.signing_key.serialize_pem();
    let path = std::env::temp_dir().join(format!(
        "sfterm-mock-org-{}-{}.pem",
        std::process::id(),
        instance.local_addr()?.port()
    ));
    super::private_file::write_private(&path, cert_pem.as_bytes())?;
    let config = RustlsConfig::from_pem(cert_pem.into_bytes(), key_pem.into_bytes())
        .await
        .map_err(|e| MockOrgError::Tls(e.to_string()))?;
    Ok((path, config))
}
