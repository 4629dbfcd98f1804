//! The loopback listener of the browser login: `127.0.0.1` only, `GET` on the redirect path
//! only, a small page for the browser, one login, a timeout. A minimal HTTP/1.1 server of its
//! own (the client library does not depend on a web framework).

use std::pin::pin;
use std::time::Duration;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::web::{AuthorizationCode, WebLogin, parse_redirect};
use crate::sf::error::{ApiError, BrowserLoginError};

/// The longest request head read from the browser.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A listening socket on `127.0.0.1`, bound before the browser opens so that a taken port is
/// reported first.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    port: u16,
}

impl LoopbackListener {
    /// Listens on `127.0.0.1:port` (0 = any free port). A taken port is
    /// [`BrowserLoginError::PortInUse`].
    pub async fn bind(port: u16) -> Result<LoopbackListener, ApiError> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            ApiError::BrowserLogin(if e.kind() == std::io::ErrorKind::AddrInUse {
                BrowserLoginError::PortInUse { port }
            } else {
                BrowserLoginError::Listen {
                    port,
                    message: e.to_string(),
                }
            })
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| {
                ApiError::BrowserLogin(BrowserLoginError::Listen {
                    port,
                    message: e.to_string(),
                })
            })?
            .port();
        Ok(LoopbackListener { listener, port })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// What one connection brought: nothing final (`None`), or the end of the login.
type Outcome = Option<Result<AuthorizationCode, ApiError>>;

impl WebLogin {
    /// Waits on `listener` for the browser's redirect, at most `timeout`: the code when the
    /// `state` is this login's, the login page's error (`access_denied`, ...) otherwise.
    /// Redirects with another `state` are answered with HTTP 400 and waiting goes on; if the
    /// time runs out after one, the error is [`BrowserLoginError::StateMismatch`], else
    /// [`BrowserLoginError::TimedOut`]. The listener closes when this returns.
    pub async fn wait_for_redirect(
        &self,
        listener: LoopbackListener,
        timeout: Duration,
    ) -> Result<AuthorizationCode, ApiError> {
        let mut deadline = pin!(tokio::time::sleep(timeout));
        let mut connections = FuturesUnordered::new();
        loop {
            tokio::select! {
                () = &mut deadline => {
                    return Err(ApiError::BrowserLogin(if self.mismatches() > 0 {
                        BrowserLoginError::StateMismatch
                    } else {
                        BrowserLoginError::TimedOut { after: timeout }
                    }));
                }
                accepted = listener.listener.accept() => match accepted {
                    Ok((stream, _)) => connections.push(self.serve(stream)),
                    // E.g. out of file descriptors: try again shortly, not in a tight loop.
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                },
                Some(outcome) = connections.next(), if !connections.is_empty() => {
                    if let Some(result) = outcome {
                        return result;
                    }
                }
            }
        }
    }

    /// Answers one connection.
    async fn serve(&self, mut stream: TcpStream) -> Outcome {
        let head = match tokio::time::timeout(READ_TIMEOUT, read_head(&mut stream)).await {
            Ok(Some(head)) => head,
            _ => return None,
        };
        let mut parts = head.split(' ');
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let path = target.split('?').next().unwrap_or("");
        let (status, body, outcome): (&str, String, Outcome) = match method {
            "OPTIONS" => ("204 No Content", String::new(), None),
            "GET" if path == self.redirect_path() => self.answer(target),
            "GET" => ("404 Not Found", page("Not found", "Nothing here."), None),
            _ => (
                "405 Method Not Allowed",
                page("Not allowed", "Only GET."),
                None,
            ),
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
             Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
             X-Content-Type-Options: nosniff\r\nAccess-Control-Allow-Private-Network: true\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        );
        // The browser may have gone; the login's outcome does not depend on it reading this.
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
        outcome
    }

    /// The page and outcome for a `GET` on the redirect path.
    fn answer(&self, target: &str) -> (&'static str, String, Outcome) {
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let redirect = match parse_redirect(&format!("?{query}")) {
            Ok(r) => r,
            Err(_) => {
                return (
                    "400 Bad Request",
                    page(
                        "Not a login response",
                        "This address carries no login. Return to the terminal.",
                    ),
                    None,
                );
            }
        };
        match self.judge(redirect) {
            Ok(code) => (
                "200 OK",
                page(
                    "Logged in",
                    "sfterm is logged in to Salesforce. You can close this tab and return to \
                     the terminal.",
                ),
                Some(Ok(code)),
            ),
            Err(BrowserLoginError::Refused { error, description }) => {
                let text = if error == "access_denied" || error == "access-denied" {
                    "The login was cancelled (access denied). Return to the terminal to try \
                     again."
                        .to_string()
                } else {
                    format!(
                        "Salesforce answered {}: {}. Return to the terminal for what to do.",
                        escape(&error),
                        escape(&description)
                    )
                };
                (
                    "200 OK",
                    page_html("Login failed", &text),
                    Some(Err(ApiError::BrowserLogin(BrowserLoginError::Refused {
                        error,
                        description,
                    }))),
                )
            }
            Err(BrowserLoginError::AlreadyUsed) => (
                "400 Bad Request",
                page(
                    "Already logged in",
                    "This login was already completed. Return to the terminal.",
                ),
                None,
            ),
            Err(_) => (
                "400 Bad Request",
                page(
                    "Not this login",
                    "This answer belongs to another login attempt and was refused. Use the \
                     newest login page sfterm opened.",
                ),
                None,
            ),
        }
    }
}

/// Reads up to the end of the request head; returns its first line, or `None` for a
/// connection that closes early or sends too much.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() + n > MAX_HEAD {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    text.lines().next().map(str::to_string)
}

/// A page from plain text.
fn page(title: &str, text: &str) -> String {
    page_html(title, &escape(text))
}

/// A page whose text is already escaped.
fn page_html(title: &str, text: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>sfterm: {title}</title>\
         </head><body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{text}</p>\
         </body></html>"
    )
}

/// HTML-escapes text from the query (it is the attacker's to choose).
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '&' => "&amp;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}
