//! A saved request ([`SavedRequest`]), its `{{variables}}` ([`Variables`]) and how it becomes a
//! request ready to send ([`ResolvedRequest`]). Authentication is never part of a saved request:
//! [`ResolvedRequest::with_session`] applies it for SOAP at send time, and
//! [`crate::sf::SfClient::send_raw`] adds the Bearer header.

use std::collections::BTreeSet;
use std::fmt;

use indexmap::IndexMap;

use crate::sf::{ApiVersion, Token};

/// Whether a request is a REST call or a SOAP envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestKind {
    /// A REST (or Apex REST) call: the token goes in the `Authorization` header.
    #[default]
    Rest,
    /// A SOAP call: the token goes in the envelope's `SessionHeader/sessionId`.
    Soap,
}

/// One name/value row of a query-parameter or header table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pair {
    /// Parameter or header name.
    pub name: String,
    /// Its value (may contain `{{variables}}`).
    pub value: String,
    /// Disabled rows are kept but not sent.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl Pair {
    /// An enabled row.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Pair {
        Pair {
            name: name.into(),
            value: value.into(),
            enabled: true,
        }
    }
}

/// A request the user saved in the composer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SavedRequest {
    /// Display name (unique within its folder).
    pub name: String,
    /// Folder path, outermost first; empty for the top level.
    pub folder: Vec<String>,
    /// HTTP method, upper case (`GET`, `POST`, ...).
    pub method: String,
    /// Path relative to the instance URL, e.g. `/services/apexrest/CustomerRESTWS/{{account_id}}`
    /// (may contain a query string; an absolute URL is also accepted).
    pub path: String,
    /// Query parameters appended to the path.
    pub params: Vec<Pair>,
    /// Request headers (never `Authorization`: that is applied at send time).
    pub headers: Vec<Pair>,
    /// The body, if any.
    pub body: Option<String>,
    /// REST or SOAP.
    pub kind: RequestKind,
    /// Free text.
    pub description: String,
}

/// Variable values for `{{name}}` placeholders: the session's (`instance_url`, `api_version`,
/// `org_id`, `user_id`) plus the user's per profile and any given on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Variables {
    values: IndexMap<String, String>,
}

impl Variables {
    /// No variables.
    pub fn new() -> Variables {
        Variables::default()
    }

    /// The session variables: `instance_url` (no trailing `/`), `api_version` (e.g. `62.0`),
    /// `org_id` and `user_id`.
    pub fn from_session(token: &Token, api_version: ApiVersion) -> Variables {
        let mut v = Variables::new();
        v.set(
            "instance_url",
            token.instance_url.as_str().trim_end_matches('/'),
        );
        v.set("api_version", api_version.to_string());
        v.set("org_id", token.org_id.clone());
        v.set("user_id", token.user_id.clone());
        v
    }

    /// Sets (or replaces) one variable.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// Adds every variable of `other`, replacing same-named ones.
    pub fn extend(&mut self, other: &Variables) {
        for (k, v) in &other.values {
            self.values.insert(k.clone(), v.clone());
        }
    }

    /// The value of one variable.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// All variables in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Replaces every `{{name}}` in `text`; names without a value are added to `missing` and
    /// left in place.
    pub fn substitute(&self, text: &str, missing: &mut BTreeSet<String>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find("}}") {
                Some(end) => {
                    let name = after[..end].trim();
                    match self.get(name) {
                        Some(value) => out.push_str(value),
                        None => {
                            missing.insert(name.to_string());
                            out.push_str(&rest[start..start + 2 + end + 2]);
                        }
                    }
                    rest = &after[end + 2..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// Every `{{name}}` used in `text`, in order of first use.
pub fn variables_in(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim().to_string();
        if !names.contains(&name) {
            names.push(name);
        }
        rest = &after[end + 2..];
    }
    names
}

/// A request refers to variables that have no value; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UnknownVariables {
    /// The names, sorted.
    pub names: Vec<String>,
}

impl fmt::Display for UnknownVariables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list: Vec<String> = self.names.iter().map(|n| format!("{{{{{n}}}}}")).collect();
        write!(
            f,
            "unknown variable{} {}: give a value (e.g. --var {}=...) or define it for the profile",
            if self.names.len() == 1 { "" } else { "s" },
            list.join(", "),
            self.names.first().map_or("name", String::as_str)
        )
    }
}

/// A request with its variables substituted and its parameters appended: ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRequest {
    /// HTTP method, upper case.
    pub method: String,
    /// Path relative to the instance (with query string), or an absolute URL.
    pub path: String,
    /// Enabled headers, substituted.
    pub headers: Vec<(String, String)>,
    /// The substituted body.
    pub body: Option<String>,
    /// REST or SOAP.
    pub kind: RequestKind,
}

/// Header whose value is the session id in Bulk API 1.0 requests; filled at send time.
pub const SFDC_SESSION_HEADER: &str = "X-SFDC-Session";

impl SavedRequest {
    /// A request with the given method and path, REST, at the top level.
    pub fn new(name: impl Into<String>, method: &str, path: impl Into<String>) -> SavedRequest {
        SavedRequest {
            name: name.into(),
            method: method.to_ascii_uppercase(),
            path: path.into(),
            ..SavedRequest::default()
        }
    }

    /// Every variable the request uses (path, parameters, headers, body), in order.
    pub fn variables_used(&self) -> Vec<String> {
        let mut all = variables_in(&self.path);
        let rows = self
            .params
            .iter()
            .chain(&self.headers)
            .filter(|p| p.enabled);
        for text in rows
            .flat_map(|p| [p.name.as_str(), p.value.as_str()])
            .chain(self.body.as_deref())
        {
            for n in variables_in(text) {
                if !all.contains(&n) {
                    all.push(n);
                }
            }
        }
        all
    }

    /// Substitutes the variables and appends the enabled query parameters (URL-encoded).
    /// Fails, listing them, when any variable has no value.
    pub fn resolve(&self, vars: &Variables) -> Result<ResolvedRequest, UnknownVariables> {
        let mut missing = BTreeSet::new();
        let mut path = vars.substitute(self.path.trim(), &mut missing);
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        let mut any = false;
        for p in self.params.iter().filter(|p| p.enabled) {
            query.append_pair(
                &vars.substitute(&p.name, &mut missing),
                &vars.substitute(&p.value, &mut missing),
            );
            any = true;
        }
        if any {
            path.push(if path.contains('?') { '&' } else { '?' });
            path.push_str(&query.finish());
        }
        let headers = self
            .headers
            .iter()
            .filter(|h| h.enabled)
            .map(|h| {
                (
                    vars.substitute(&h.name, &mut missing),
                    vars.substitute(&h.value, &mut missing),
                )
            })
            .collect();
        let body = self.body.as_ref().map(|b| vars.substitute(b, &mut missing));
        if !missing.is_empty() {
            return Err(UnknownVariables {
                names: missing.into_iter().collect(),
            });
        }
        Ok(ResolvedRequest {
            method: self.method.trim().to_ascii_uppercase(),
            path,
            headers,
            body,
            kind: self.kind,
        })
    }
}

impl ResolvedRequest {
    /// The headers to send: these plus, for SOAP, `Content-Type: text/xml; charset=UTF-8` and
    /// `SOAPAction: ""` when not given. `Authorization` rows are dropped (the client adds it).
    pub fn send_headers(&self) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
            .cloned()
            .collect();
        if self.kind == RequestKind::Soap {
            let has = |name: &str, hs: &[(String, String)]| {
                hs.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
            };
            if !has("content-type", &headers) {
                headers.push(("Content-Type".into(), "text/xml; charset=UTF-8".into()));
            }
            if !has("soapaction", &headers) {
                headers.push(("SOAPAction".into(), "\"\"".into()));
            }
        }
        headers
    }

    /// The request with the session applied: for SOAP the envelope's `sessionId` is set to
    /// `session_id` (a `SessionHeader` is inserted when missing), and an `X-SFDC-Session`
    /// header gets it as its value. The Bearer header is added by the client, not here.
    pub fn with_session(&self, session_id: &str) -> ResolvedRequest {
        let mut out = self.clone();
        for (name, value) in &mut out.headers {
            if name.eq_ignore_ascii_case(SFDC_SESSION_HEADER) {
                *value = session_id.to_string();
            }
        }
        if let (RequestKind::Soap, Some(body)) = (self.kind, &self.body) {
            out.body = Some(set_session_id(body, &self.path, session_id));
        }
        out
    }
}

/// The `SessionHeader` namespace for a SOAP endpoint path: Apex classes
/// (`/services/Soap/class/[ns/]Class`) use `http://soap.sforce.com/schemas/class/[ns/]Class`,
/// the partner, enterprise, metadata and tooling APIs their own URNs.
pub fn session_namespace(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let tail = path
        .find("/services/Soap/")
        .map(|i| &path[i + "/services/Soap/".len()..])
        .unwrap_or("");
    let (api, rest) = tail.split_once('/').unwrap_or((tail, ""));
    match api {
        "class" => format!(
            "http://soap.sforce.com/schemas/class/{}",
            rest.trim_end_matches('/')
        ),
        "u" => "urn:partner.soap.sforce.com".into(),
        "c" => "urn:enterprise.soap.sforce.com".into(),
        "m" => "http://soap.sforce.com/2006/04/metadata".into(),
        "T" => "urn:tooling.soap.sforce.com".into(),
        "s" => "http://soap.sforce.com/2006/08/apex".into(),
        _ => "urn:partner.soap.sforce.com".into(),
    }
}

/// Finds `<prefix:local` (any prefix) in `xml`, returning the byte offset and the prefix
/// (with its colon, or empty).
fn find_element<'a>(xml: &'a str, local: &str) -> Option<(usize, &'a str)> {
    let mut from = 0;
    while let Some(i) = xml[from..].find('<') {
        let start = from + i;
        let tag = &xml[start + 1..];
        let name_end = tag
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(tag.len());
        let name = &tag[..name_end];
        let (prefix, l) = match name.rsplit_once(':') {
            Some((p, l)) => (&tag[..p.len() + 1], l),
            None => ("", name),
        };
        if l == local && !name.starts_with('/') {
            return Some((start, prefix));
        }
        from = start + 1;
    }
    None
}

/// Sets the `sessionId` element's text in a SOAP envelope, inserting a `SessionHeader` (and
/// the `Header`) when missing. The envelope is otherwise left byte for byte as it was.
pub fn set_session_id(envelope: &str, path: &str, session_id: &str) -> String {
    let escaped = super::soap::escape(session_id);
    // An existing <x:sessionId>...</x:sessionId> (or <x:sessionId/>).
    if let Some((start, prefix)) = find_element(envelope, "sessionId") {
        let open_end = match envelope[start..].find('>') {
            Some(i) => start + i + 1,
            None => return envelope.to_string(),
        };
        let name = format!("{prefix}sessionId");
        if envelope[..open_end].ends_with("/>") {
            let open = envelope[start..open_end - 2].trim_end();
            return format!(
                "{}{open}>{escaped}</{name}>{}",
                &envelope[..start],
                &envelope[open_end..]
            );
        }
        let close = format!("</{name}>");
        if let Some(i) = envelope[open_end..].find(&close) {
            return format!(
                "{}{escaped}{}",
                &envelope[..open_end],
                &envelope[open_end + i..]
            );
        }
        return envelope.to_string();
    }
    let header = format!(
        "<SessionHeader xmlns=\"{}\"><sessionId>{escaped}</sessionId></SessionHeader>",
        session_namespace(path)
    );
    // Inside an existing <env:Header>.
    if let Some((start, prefix)) = find_element(envelope, "Header")
        && let Some(i) = envelope[start..].find('>')
    {
        let open_end = start + i + 1;
        if envelope[..open_end].ends_with("/>") {
            let open = envelope[start..open_end - 2].trim_end();
            return format!(
                "{}{open}>{header}</{prefix}Header>{}",
                &envelope[..start],
                &envelope[open_end..]
            );
        }
        return format!("{}{header}{}", &envelope[..open_end], &envelope[open_end..]);
    }
    // A new Header before the Body.
    if let Some((start, prefix)) = find_element(envelope, "Body") {
        return format!(
            "{}<{prefix}Header>{header}</{prefix}Header>{}",
            &envelope[..start],
            &envelope[start..]
        );
    }
    envelope.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Variables {
        let mut v = Variables::new();
        v.set("instance_url", "https://acme.my.salesforce.com");
        v.set("api_version", "62.0");
        v.set("account_id", "001000000000001AAA");
        v
    }

    #[test]
    fn substitutes_and_appends_params() {
        let mut r = SavedRequest::new(
            "Get",
            "get",
            "/services/apexrest/CustomerRESTWS/{{account_id}}",
        );
        r.params.push(Pair::new("name", "Acme & Co"));
        r.params.push(Pair {
            enabled: false,
            ..Pair::new("off", "x")
        });
        r.headers.push(Pair::new("X-Version", "v{{ api_version }}"));
        let resolved = r.resolve(&vars()).expect("resolves");
        assert_eq!(resolved.method, "GET");
        assert_eq!(
            resolved.path,
            "/services/apexrest/CustomerRESTWS/001000000000001AAA?name=Acme+%26+Co"
        );
        assert_eq!(resolved.headers, vec![("X-Version".into(), "v62.0".into())]);
    }

    #[test]
    fn unknown_variables_are_reported_not_sent() {
        let mut r = SavedRequest::new("x", "POST", "/a/{{nope}}?q=1");
        r.body = Some("{\"id\": \"{{other}}\", \"v\": \"{{api_version}}\"}".into());
        let err = r.resolve(&vars()).expect_err("must fail");
        assert_eq!(err.names, vec!["nope".to_string(), "other".to_string()]);
        assert!(err.to_string().contains("{{nope}}"), "{err}");
        assert_eq!(r.variables_used(), vec!["nope", "other", "api_version"]);
    }

    #[test]
    fn query_in_path_gets_ampersand() {
        let mut r = SavedRequest::new("x", "GET", "/q?a=1");
        r.params.push(Pair::new("b", "2"));
        assert_eq!(r.resolve(&vars()).expect("ok").path, "/q?a=1&b=2");
    }

    #[test]
    fn session_id_replaced_in_existing_header() {
        let env = "<soapenv:Envelope xmlns:soapenv=\"s\"><soapenv:Header><cus:SessionHeader>\
                   <cus:sessionId>OLD</cus:sessionId></cus:SessionHeader></soapenv:Header>\
                   <soapenv:Body/></soapenv:Envelope>";
        let out = set_session_id(env, "/services/Soap/class/CustomerWS", "00D!a<b");
        assert!(
            out.contains("<cus:sessionId>00D!a&lt;b</cus:sessionId>"),
            "{out}"
        );
        assert!(!out.contains("OLD"));
        let empty = env.replace("<cus:sessionId>OLD</cus:sessionId>", "<cus:sessionId/>");
        let out = set_session_id(&empty, "/services/Soap/class/CustomerWS", "T");
        assert!(out.contains("<cus:sessionId>T</cus:sessionId>"), "{out}");
    }

    #[test]
    fn session_header_inserted_when_missing() {
        let env = "<s:Envelope xmlns:s=\"x\"><s:Body><a/></s:Body></s:Envelope>";
        let out = set_session_id(env, "/services/Soap/class/CustomerWS", "TOK");
        assert_eq!(
            out,
            "<s:Envelope xmlns:s=\"x\"><s:Header><SessionHeader \
             xmlns=\"http://soap.sforce.com/schemas/class/CustomerWS\"><sessionId>TOK\
             </sessionId></SessionHeader></s:Header><s:Body><a/></s:Body></s:Envelope>"
        );
        let with_header = "<s:Envelope><s:Header></s:Header><s:Body/></s:Envelope>";
        let out = set_session_id(with_header, "/services/Soap/u/62.0", "TOK");
        assert!(
            out.contains("<s:Header><SessionHeader xmlns=\"urn:partner.soap.sforce.com\">"),
            "{out}"
        );
    }

    #[test]
    fn soap_send_headers_and_session() {
        let mut r = SavedRequest::new("s", "POST", "/services/Soap/class/CustomerWS");
        r.kind = RequestKind::Soap;
        r.body = Some("<e:Envelope><e:Body/></e:Envelope>".into());
        r.headers.push(Pair::new("Authorization", "Bearer stale"));
        let resolved = r.resolve(&vars()).expect("ok").with_session("TOK");
        let headers = resolved.send_headers();
        assert!(headers.iter().all(|(n, _)| n != "Authorization"));
        assert!(headers.contains(&("SOAPAction".into(), "\"\"".into())));
        assert!(
            resolved
                .body
                .expect("body")
                .contains("<sessionId>TOK</sessionId>")
        );
    }
}
