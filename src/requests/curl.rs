//! Export a request as a `curl` command line for a POSIX shell. The access token appears as
//! `$SF_ACCESS_TOKEN` (so the command can be shared) unless the caller asks to reveal it.

use super::request::{RequestKind, ResolvedRequest};

/// The environment variable the exported command reads the token from.
pub const TOKEN_ENV: &str = "SF_ACCESS_TOKEN";

/// Stands for the token while the command is built; never appears in the output.
const MARKER: &str = "\u{1}SFTERM_TOKEN\u{1}";

/// Quotes `text` as one POSIX shell word (single quotes; `'` written as `'\''`).
pub fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+%".contains(&b))
    {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Quotes a word that may contain the token [`MARKER`]: the marker becomes
/// `"$SF_ACCESS_TOKEN"` outside the single quotes, or the token itself when revealed.
fn quote_with_token(text: &str, token: Option<&str>) -> String {
    match token {
        Some(t) => shell_quote(&text.replace(MARKER, t)),
        None => text
            .split(MARKER)
            .map(|part| {
                if part.is_empty() {
                    String::new()
                } else {
                    format!("'{}'", part.replace('\'', "'\\''"))
                }
            })
            .collect::<Vec<_>>()
            .join(&format!("\"${TOKEN_ENV}\"")),
    }
}

/// The full URL of a resolved request on `instance_url`.
pub fn full_url(instance_url: &str, path: &str) -> String {
    if path.starts_with("https://") || path.starts_with("http://") {
        path.to_string()
    } else {
        format!("{}{path}", instance_url.trim_end_matches('/'))
    }
}

/// The request as a curl command (one option per line, joined by ` \` newlines).
/// `access_token` is written literally only when `reveal` is true; else as `$SF_ACCESS_TOKEN`.
/// The headers are the ones the client sends: the request's, the SOAP defaults, the Bearer
/// `Authorization` and `Content-Type: application/json` for a body without a content type.
pub fn to_curl(
    request: &ResolvedRequest,
    instance_url: &str,
    access_token: &str,
    reveal: bool,
) -> String {
    command(request, instance_url, Some(reveal.then_some(access_token)))
}

/// [`to_curl`] for a request that carries no access token (the API log's token requests:
/// their secrets stay as the log masked them).
pub fn to_curl_without_token(request: &ResolvedRequest, instance_url: &str) -> String {
    command(request, instance_url, None)
}

/// The curl command; `bearer` is `None` for no `Authorization` header, else the token to
/// reveal (`None` inside: `$SF_ACCESS_TOKEN`).
fn command(request: &ResolvedRequest, instance_url: &str, bearer: Option<Option<&str>>) -> String {
    let token = bearer.flatten();
    let req = request.with_session(MARKER);
    let mut lines = vec![format!(
        "curl -sS -X {} {}",
        shell_quote(&req.method),
        shell_quote(&full_url(instance_url, &req.path))
    )];
    if bearer.is_some() {
        lines.push(format!(
            "-H {}",
            quote_with_token(&format!("Authorization: Bearer {MARKER}"), token)
        ));
    }
    let headers = req.send_headers();
    for (name, value) in &headers {
        lines.push(format!(
            "-H {}",
            quote_with_token(&format!("{name}: {value}"), token)
        ));
    }
    if let Some(body) = &req.body {
        let has_type = headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
        if !has_type && req.kind == RequestKind::Rest {
            lines.push(format!(
                "-H {}",
                shell_quote("Content-Type: application/json")
            ));
        }
        lines.push(format!("--data-binary {}", quote_with_token(body, token)));
    }
    lines.join(" \\\n  ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::request::{Pair, SavedRequest, Variables};

    fn resolved(r: &SavedRequest) -> ResolvedRequest {
        r.resolve(&Variables::new()).expect("no variables")
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("abc"), "abc");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$HOME `x` \"q\""), "'$HOME `x` \"q\"'");
    }

    #[test]
    fn token_hidden_unless_revealed() {
        let mut r = SavedRequest::new("x", "POST", "/services/apexrest/C/?name=O'Brien");
        r.headers.push(Pair::new("X-Note", "it's"));
        r.body = Some("{\"name\": \"O'Brien\"}".into());
        let cmd = to_curl(
            &resolved(&r),
            "https://acme.my.salesforce.com/",
            "00D!SECRET",
            false,
        );
        assert!(!cmd.contains("00D!SECRET"), "{cmd}");
        assert!(
            cmd.contains("-H 'Authorization: Bearer '\"$SF_ACCESS_TOKEN\""),
            "{cmd}"
        );
        assert!(
            cmd.starts_with(
                "curl -sS -X POST 'https://acme.my.salesforce.com/services/apexrest/C/?name=O'\\''Brien'"
            ),
            "{cmd}"
        );
        assert!(cmd.contains("-H 'Content-Type: application/json'"), "{cmd}");
        assert!(
            cmd.contains("--data-binary '{\"name\": \"O'\\''Brien\"}'"),
            "{cmd}"
        );
        let shown = to_curl(
            &resolved(&r),
            "https://acme.my.salesforce.com",
            "00D!SECRET",
            true,
        );
        assert!(
            shown.contains("'Authorization: Bearer 00D!SECRET'"),
            "{shown}"
        );
        assert!(!shown.contains(TOKEN_ENV));
    }

    #[test]
    fn soap_session_id_uses_the_variable() {
        let mut r = SavedRequest::new("s", "POST", "/services/Soap/class/CustomerWS");
        r.kind = RequestKind::Soap;
        r.body = Some("<e:Envelope><e:Body/></e:Envelope>".into());
        let cmd = to_curl(&resolved(&r), "https://a.example", "SECRET1", false);
        assert!(
            cmd.contains("<sessionId>'\"$SF_ACCESS_TOKEN\"'</sessionId>"),
            "{cmd}"
        );
        assert!(cmd.contains("-H 'SOAPAction: \"\"'"), "{cmd}");
        assert!(
            cmd.contains("-H 'Content-Type: text/xml; charset=UTF-8'"),
            "{cmd}"
        );
        assert!(!cmd.contains("SECRET1"));
    }
}
