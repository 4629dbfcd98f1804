//! Login endpoint validation and normalisation.
//!
//! Users paste all kinds of Salesforce URLs into the profile form: a Lightning record page, a
//! Setup page, an Experience Cloud site, a Visualforce page. The client-credentials flow needs the
//! org's **My Domain** origin (`https://acme.my.salesforce.com`), so [`normalize`] derives it and
//! explains every rewrite in [`NormalizedEndpoint::notes`].

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

/// A login endpoint reduced to its origin (scheme, lowercased host, port), with what was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedEndpoint {
    /// The origin. Its path is always `/` (the `url` crate's minimum); [`fmt::Display`] and
    /// [`NormalizedEndpoint::as_str`] show it without the trailing slash.
    pub url: Url,
    /// What kind of host this is.
    pub kind: EndpointKind,
    /// One plain sentence per rewrite or caveat, for the profile form.
    pub notes: Vec<String>,
}

/// The kind of login host a profile points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointKind {
    /// `login.salesforce.com`.
    Production,
    /// `test.salesforce.com`.
    Sandbox,
    /// `*.my.salesforce.com`, including `*.sandbox.my.salesforce.com` (see
    /// [`NormalizedEndpoint::is_sandbox`]).
    MyDomain,
    /// `127.0.0.1`, `localhost` or `::1` (plain `http://` allowed), e.g. the mock org.
    Loopback,
    /// Any other `https://` host.
    Custom,
}

/// Why an endpoint was refused. `Display` gives a plain sentence for the profile form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Nothing was typed.
    #[error(
        "The endpoint is empty: enter your My Domain URL, e.g. https://acme.my.salesforce.com."
    )]
    Empty,
    /// The text is not a URL at all.
    #[error("\"{input}\" is not a valid URL ({reason}).")]
    Invalid {
        /// What the user typed.
        input: String,
        /// What the URL parser said.
        reason: String,
    },
    /// `http://` (or another scheme) on a non-loopback host.
    #[error(
        "{scheme}:// is not allowed for {host}: the client secret and access token would travel \
         unencrypted, so use https:// (plain http is only accepted for 127.0.0.1/localhost)."
    )]
    InsecureScheme {
        /// The scheme that was typed.
        scheme: String,
        /// The host it was typed for.
        host: String,
    },
    /// A scheme that is neither http nor https.
    #[error("Unsupported scheme \"{scheme}\": the endpoint must start with https://.")]
    UnsupportedScheme {
        /// The scheme that was typed.
        scheme: String,
    },
    /// The URL has no host (e.g. `https:///x`).
    #[error("The URL has no host name: enter something like https://acme.my.salesforce.com.")]
    NoHost,
    /// The URL embeds a user name or password.
    #[error(
        "The URL contains a user name or password: remove the part before '@'; the client id \
         and secret go in their own fields."
    )]
    Credentials,
}

impl NormalizedEndpoint {
    /// The origin without a trailing slash, e.g. `https://acme.my.salesforce.com`.
    pub fn as_str(&self) -> &str {
        self.url.as_str().trim_end_matches('/')
    }

    /// The host name (lowercased; IPv6 addresses in brackets).
    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    /// Whether this endpoint is a sandbox: `test.salesforce.com`, an enhanced
    /// `*.sandbox.my.salesforce.com` host, or a legacy `name--sandbox.*.my.salesforce.com` host.
    pub fn is_sandbox(&self) -> bool {
        match self.kind {
            EndpointKind::Sandbox => true,
            EndpointKind::MyDomain => {
                let host = self.host();
                host.ends_with(".sandbox.my.salesforce.com")
                    || host
                        .split('.')
                        .next()
                        .is_some_and(|label| label.contains("--"))
            }
            _ => false,
        }
    }

    /// Whether the host belongs to Salesforce (any of its domains, My Domain or not).
    pub fn is_salesforce_host(&self) -> bool {
        is_salesforce_owned(self.host())
    }

    /// Whether this endpoint is on the local machine (e.g. the mock org).
    pub fn is_loopback(&self) -> bool {
        self.kind == EndpointKind::Loopback
    }
}

/// The environment a profile's endpoint belongs to, decided here once: the badge (profiles
/// pane, status bar) and the production guard (write confirmations) all use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    /// `login.salesforce.com`, a My Domain that is not a sandbox, or any other Salesforce host:
    /// treated as production, so writes ask first.
    Production,
    /// `test.salesforce.com` or a sandbox My Domain.
    Sandbox,
    /// A Developer Edition org (only known from the org itself, after login).
    Developer,
    /// A scratch org (only known from the org itself, after login).
    Scratch,
    /// The embedded mock org of `sfterm demo`.
    Demo,
    /// A local server (loopback), e.g. `sfterm mock-org`.
    Loopback,
    /// Any other host, or an endpoint that is not a usable URL.
    Custom,
}

impl Environment {
    /// The environment of `endpoint` as typed in a profile; loopback is [`Environment::Demo`]
    /// when running `sfterm demo`.
    pub fn of_endpoint(endpoint: &str, demo: bool) -> Environment {
        let Ok(normalized) = normalize(endpoint) else {
            return Environment::Custom;
        };
        match normalized.kind {
            EndpointKind::Loopback if demo => Environment::Demo,
            EndpointKind::Loopback => Environment::Loopback,
            _ if normalized.is_sandbox() => Environment::Sandbox,
            EndpointKind::Production | EndpointKind::MyDomain => Environment::Production,
            EndpointKind::Custom if normalized.is_salesforce_host() => Environment::Production,
            EndpointKind::Sandbox | EndpointKind::Custom => Environment::Custom,
        }
    }

    /// What the org says it is, from `Organization` (`IsSandbox`, `OrganizationType`,
    /// `TrialExpirationDate`): a Developer Edition with a trial end is a scratch org (whether it
    /// says `IsSandbox` or not), else `IsSandbox` is a sandbox, a Developer Edition a developer
    /// org, and every other edition production.
    pub fn of_org(is_sandbox: bool, organization_type: &str, trial_ends: bool) -> Environment {
        let developer_edition = organization_type == "Developer Edition";
        if developer_edition && trial_ends {
            Environment::Scratch
        } else if is_sandbox {
            Environment::Sandbox
        } else if developer_edition {
            Environment::Developer
        } else {
            Environment::Production
        }
    }

    /// Whether writes need a confirmation (and deletes the record's name typed).
    pub fn is_production(self) -> bool {
        self == Environment::Production
    }
}

impl fmt::Display for NormalizedEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const MY_DOMAIN_SUFFIX: &str = "my.salesforce.com";

/// Hosts that belong to an org and map 1:1 onto its My Domain host: (suffix, description).
const ORG_HOST_SUFFIXES: &[(&str, &str)] = &[
    ("lightning.force.com", "a Lightning Experience URL"),
    ("my.site.com", "an Experience Cloud site URL"),
    ("my.salesforce-setup.com", "a Setup URL"),
    ("my.salesforce-sites.com", "a Salesforce Sites URL"),
    ("file.force.com", "a file download URL"),
    (
        "builder.salesforce-experience.com",
        "an Experience Builder URL",
    ),
    (
        "live-preview.salesforce-experience.com",
        "an Experience Builder preview URL",
    ),
    (
        "preview.salesforce-experience.com",
        "an Experience Builder preview URL",
    ),
];

/// Visualforce hosts: the first label ends in `--c` or `--<namespace>`.
const VISUALFORCE_SUFFIXES: &[&str] = &["vf.force.com", "visual.force.com", "visualforce.com"];

/// Validates and normalises what the user typed as a login endpoint.
///
/// Adds `https://` when no scheme is given, requires `https://` except on loopback hosts, drops
/// any path, query or fragment, lowercases the host, and rewrites Lightning, Experience Cloud,
/// Setup and Visualforce hosts to the org's My Domain host. Each change adds a note.
pub fn normalize(input: &str) -> Result<NormalizedEndpoint, EndpointError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(EndpointError::Empty);
    }
    let mut notes = Vec::new();
    let had_scheme = trimmed.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    let text = if had_scheme {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let parsed = Url::parse(&text).map_err(|e| EndpointError::Invalid {
        input: trimmed.to_owned(),
        reason: e.to_string(),
    })?;
    let scheme = parsed.scheme().to_owned();
    if scheme != "http" && scheme != "https" {
        return Err(EndpointError::UnsupportedScheme { scheme });
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(EndpointError::Credentials);
    }
    let loopback = match parsed.host() {
        None => return Err(EndpointError::NoHost),
        Some(Host::Domain(d)) => {
            let d = d.trim_end_matches('.');
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
    };
    let host_str = parsed.host_str().unwrap_or_default().to_owned();
    if host_str.is_empty() {
        return Err(EndpointError::NoHost);
    }
    if scheme == "http" && !loopback {
        return Err(EndpointError::InsecureScheme {
            scheme,
            host: host_str,
        });
    }
    if !had_scheme {
        notes.push(format!("Added https:// in front of \"{trimmed}\"."));
    }

    let path_dropped = parsed.path() != "/" && !parsed.path().is_empty();
    let query_dropped = parsed.query().is_some() || parsed.fragment().is_some();

    let mut host = host_str.trim_end_matches('.').to_owned();
    let mut kind = if loopback {
        EndpointKind::Loopback
    } else {
        EndpointKind::Custom
    };
    if !loopback {
        if let Some((my_domain, what)) = my_domain_for(&host) {
            notes.push(format!(
                "{host} is {what}; using the org's My Domain host {my_domain} instead."
            ));
            host = my_domain;
        }
        kind = classify(&host);
        match kind {
            EndpointKind::Production | EndpointKind::Sandbox => notes.push(format!(
                "{host} does not accept the client credentials flow (\"request not supported on \
                 this domain\"); use your My Domain URL (Setup > My Domain) instead."
            )),
            EndpointKind::Custom if is_salesforce_owned(&host) => notes.push(format!(
                "{host} is not a My Domain host; if connecting fails, use your My Domain URL \
                 (Setup > My Domain), e.g. https://acme.my.salesforce.com."
            )),
            _ => {}
        }
    }
    if path_dropped || query_dropped {
        notes.push(format!(
            "Dropped the page address after the host (\"{}\"): only the origin is used.",
            path_and_rest(&parsed)
        ));
    }

    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    let origin = format!("{scheme}://{host}{port}");
    let url = Url::parse(&origin).map_err(|e| EndpointError::Invalid {
        input: trimmed.to_owned(),
        reason: e.to_string(),
    })?;
    Ok(NormalizedEndpoint { url, kind, notes })
}

/// The text after the origin: path, query and fragment.
fn path_and_rest(url: &Url) -> String {
    let mut s = url.path().to_owned();
    if let Some(q) = url.query() {
        s.push('?');
        s.push_str(q);
    }
    if let Some(f) = url.fragment() {
        s.push('#');
        s.push_str(f);
    }
    s
}

fn classify(host: &str) -> EndpointKind {
    match host {
        "login.salesforce.com" => EndpointKind::Production,
        "test.salesforce.com" => EndpointKind::Sandbox,
        h if h.len() > MY_DOMAIN_SUFFIX.len() + 1
            && h.ends_with(MY_DOMAIN_SUFFIX)
            && h[..h.len() - MY_DOMAIN_SUFFIX.len()].ends_with('.') =>
        {
            EndpointKind::MyDomain
        }
        _ => EndpointKind::Custom,
    }
}

fn is_salesforce_owned(host: &str) -> bool {
    [
        "salesforce.com",
        "force.com",
        "site.com",
        "salesforce-setup.com",
        "visualforce.com",
        "documentforce.com",
        "salesforce-sites.com",
        "salesforce-experience.com",
    ]
    .iter()
    .any(|s| host == *s || host.ends_with(&format!(".{s}")))
}

/// Strips `.suffix` from `host`, returning the labels before it (non-empty).
fn strip_suffix<'a>(host: &'a str, suffix: &str) -> Option<&'a str> {
    let prefix = host.strip_suffix(suffix)?.strip_suffix('.')?;
    (!prefix.is_empty()).then_some(prefix)
}

/// For an org-specific non-My-Domain host, the My Domain host and a description of the input.
fn my_domain_for(host: &str) -> Option<(String, &'static str)> {
    for (suffix, what) in ORG_HOST_SUFFIXES {
        if let Some(prefix) = strip_suffix(host, suffix) {
            return Some((format!("{prefix}.{MY_DOMAIN_SUFFIX}"), what));
        }
    }
    for suffix in VISUALFORCE_SUFFIXES {
        if let Some(prefix) = strip_suffix(host, suffix) {
            let (first, rest) = match prefix.split_once('.') {
                Some((first, rest)) => (first, Some(rest)),
                None => (prefix, None),
            };
            // `acme--c`, `acme--uat--c`, `acme--ns`: the last `--` segment is the package.
            let (name, _package) = first.rsplit_once("--")?;
            if name.is_empty() {
                return None;
            }
            // Enhanced domains keep a partition label (sandbox, develop, scratch...); legacy
            // `visual.force.com` hosts carry an instance name (na44, cs42), which is dropped.
            let partition = rest.filter(|r| is_partition(r));
            let my = match partition {
                Some(p) => format!("{name}.{p}.{MY_DOMAIN_SUFFIX}"),
                None => format!("{name}.{MY_DOMAIN_SUFFIX}"),
            };
            return Some((my, "a Visualforce URL"));
        }
    }
    // `acme--c.documentforce.com` (enhanced content host).
    if let Some(prefix) = strip_suffix(host, "documentforce.com") {
        let (first, rest) = match prefix.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (prefix, None),
        };
        let name = first.strip_suffix("--c").unwrap_or(first);
        let my = match rest.filter(|r| is_partition(r)) {
            Some(p) => format!("{name}.{p}.{MY_DOMAIN_SUFFIX}"),
            None => format!("{name}.{MY_DOMAIN_SUFFIX}"),
        };
        return Some((my, "a content URL"));
    }
    None
}

/// Partition labels of enhanced domains (`acme--uat.sandbox.my.salesforce.com`).
fn is_partition(label: &str) -> bool {
    matches!(
        label,
        "sandbox" | "develop" | "scratch" | "trailblaze" | "patch" | "demo" | "free"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_org_itself_says_what_it_is() {
        assert_eq!(
            Environment::of_org(true, "Enterprise Edition", false),
            Environment::Sandbox
        );
        assert_eq!(
            Environment::of_org(false, "Developer Edition", true),
            Environment::Scratch
        );
        assert_eq!(
            Environment::of_org(true, "Developer Edition", true),
            Environment::Scratch
        );
        assert_eq!(
            Environment::of_org(false, "Developer Edition", false),
            Environment::Developer
        );
        for edition in [
            "Enterprise Edition",
            "Unlimited Edition",
            "Professional Edition",
        ] {
            let env = Environment::of_org(false, edition, false);
            assert_eq!(env, Environment::Production);
            assert!(env.is_production());
        }
    }

    #[test]
    fn environments_follow_the_endpoint() {
        let env = |e| Environment::of_endpoint(e, false);
        assert_eq!(env("https://login.salesforce.com"), Environment::Production);
        assert_eq!(
            env("https://acme.my.salesforce.com"),
            Environment::Production
        );
        assert_eq!(env("acme.my.salesforce.com"), Environment::Production);
        assert_eq!(env("https://test.salesforce.com"), Environment::Sandbox);
        assert_eq!(
            env("https://acme--uat.sandbox.my.salesforce.com"),
            Environment::Sandbox
        );
        assert_eq!(
            env("https://acme--uat.sandbox.lightning.force.com/lightning/page/home"),
            Environment::Sandbox
        );
        assert_eq!(
            env("https://acme--uat.my.salesforce.com"),
            Environment::Sandbox
        );
        assert_eq!(env("https://na1.salesforce.com"), Environment::Production);
        assert_eq!(env("http://127.0.0.1:8484"), Environment::Loopback);
        assert_eq!(env("http://localhost:8484"), Environment::Loopback);
        assert_eq!(
            Environment::of_endpoint("http://127.0.0.1:8484", true),
            Environment::Demo
        );
        assert_eq!(env("https://example.com"), Environment::Custom);
        assert_eq!(env("not a url at all"), Environment::Custom);
        assert!(env("https://login.salesforce.com").is_production());
        assert!(!env("https://test.salesforce.com").is_production());
    }

    fn ok(input: &str) -> NormalizedEndpoint {
        normalize(input).expect("input should normalise")
    }

    fn check(input: &str, origin: &str, kind: EndpointKind) -> NormalizedEndpoint {
        let n = ok(input);
        assert_eq!(n.as_str(), origin, "input {input:?}");
        assert_eq!(n.kind, kind, "input {input:?}");
        n
    }

    #[test]
    fn my_domain_plain() {
        let n = check(
            "https://acme.my.salesforce.com",
            "https://acme.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        assert!(n.notes.is_empty(), "{:?}", n.notes);
        assert!(!n.is_sandbox());
        assert_eq!(n.to_string(), "https://acme.my.salesforce.com");
    }

    #[test]
    fn trailing_slash_and_case_and_whitespace() {
        let n = check(
            "  HTTPS://Acme.My.Salesforce.COM/  ",
            "https://acme.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        assert!(n.notes.is_empty(), "{:?}", n.notes);
        assert_eq!(n.url.as_str(), "https://acme.my.salesforce.com/");
    }

    #[test]
    fn scheme_added_when_missing() {
        let n = check(
            "acme.my.salesforce.com",
            "https://acme.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        assert_eq!(n.notes.len(), 1);
        assert!(n.notes[0].contains("https://"));
    }

    #[test]
    fn http_refused_for_remote_hosts() {
        let err = normalize("http://acme.my.salesforce.com").expect_err("http must fail");
        assert!(matches!(err, EndpointError::InsecureScheme { .. }));
        let msg = err.to_string();
        assert!(
            msg.contains("https://") && msg.contains("unencrypted"),
            "{msg}"
        );
    }

    #[test]
    fn other_errors() {
        assert_eq!(normalize("   "), Err(EndpointError::Empty));
        assert!(matches!(
            normalize("ftp://acme.my.salesforce.com"),
            Err(EndpointError::UnsupportedScheme { .. })
        ));
        assert!(matches!(
            normalize("https://"),
            Err(EndpointError::Invalid { .. })
        ));
        assert!(matches!(
            normalize("https://exa mple.com"),
            Err(EndpointError::Invalid { .. })
        ));
        assert_eq!(
            normalize("https://user:pw@acme.my.salesforce.com"),
            Err(EndpointError::Credentials)
        );
        for e in [
            normalize(""),
            normalize("ftp://x.com"),
            normalize("https://a b"),
            normalize("http://example.com"),
        ] {
            let msg = e.expect_err("should fail").to_string();
            assert!(msg.ends_with('.'), "plain sentence: {msg}");
        }
    }

    #[test]
    fn loopback_allows_http_and_keeps_port() {
        let n = check(
            "http://127.0.0.1:8443",
            "http://127.0.0.1:8443",
            EndpointKind::Loopback,
        );
        assert!(n.notes.is_empty());
        assert!(n.is_loopback());
        check(
            "http://localhost:3000/",
            "http://localhost:3000",
            EndpointKind::Loopback,
        );
        check(
            "https://localhost:3000",
            "https://localhost:3000",
            EndpointKind::Loopback,
        );
        check(
            "http://[::1]:8080",
            "http://[::1]:8080",
            EndpointKind::Loopback,
        );
        check(
            "localhost:8443",
            "https://localhost:8443",
            EndpointKind::Loopback,
        );
        check(
            "127.0.0.1:9000",
            "https://127.0.0.1:9000",
            EndpointKind::Loopback,
        );
        let n = check(
            "http://127.0.0.1:8443/services/oauth2/token",
            "http://127.0.0.1:8443",
            EndpointKind::Loopback,
        );
        assert_eq!(n.notes.len(), 1, "{:?}", n.notes);
    }

    #[test]
    fn login_and_test_hosts() {
        let n = check(
            "https://login.salesforce.com",
            "https://login.salesforce.com",
            EndpointKind::Production,
        );
        assert!(
            n.notes.iter().any(|m| m.contains("My Domain")),
            "{:?}",
            n.notes
        );
        assert!(!n.is_sandbox());
        let n = check(
            "test.salesforce.com/",
            "https://test.salesforce.com",
            EndpointKind::Sandbox,
        );
        assert!(n.is_sandbox());
        check(
            "https://login.salesforce.com/services/oauth2/token",
            "https://login.salesforce.com",
            EndpointKind::Production,
        );
    }

    #[test]
    fn lightning_record_url() {
        let n = check(
            "https://acme.lightning.force.com/lightning/r/Account/001XX000003DHPhYAO/view",
            "https://acme.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        assert_eq!(n.notes.len(), 2, "{:?}", n.notes);
        assert!(n.notes[0].contains("Lightning"));
        assert!(n.notes[1].contains("/lightning/r/Account"));
    }

    #[test]
    fn sandbox_forms() {
        let cases = [
            "https://acme--uat.sandbox.lightning.force.com/lightning/page/home",
            "https://acme--uat.sandbox.my.salesforce.com/",
            "acme--uat.sandbox.my.site.com/s/",
            "https://acme--uat.sandbox.my.salesforce-setup.com/lightning/setup/SetupOneHome/home",
            "https://acme--uat--c.sandbox.vf.force.com/apex/MyPage?id=001",
        ];
        for input in cases {
            let n = check(
                input,
                "https://acme--uat.sandbox.my.salesforce.com",
                EndpointKind::MyDomain,
            );
            assert!(n.is_sandbox(), "{input}");
        }
    }

    #[test]
    fn more_sandbox_shapes() {
        check(
            "https://acme--uat.sandbox.builder.salesforce-experience.com/",
            "https://acme--uat.sandbox.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        check(
            "https://acme--uat--mypkg.sandbox.vf.force.com/apex/P",
            "https://acme--uat.sandbox.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        let n = check(
            "https://acme--uat--c.cs42.visual.force.com/apex/P",
            "https://acme--uat.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        assert!(n.is_sandbox());
        check(
            "https://acme--uat.sandbox.file.force.com/sfc/x",
            "https://acme--uat.sandbox.my.salesforce.com",
            EndpointKind::MyDomain,
        );
    }

    #[test]
    fn url_inside_the_query_is_not_a_scheme() {
        let n = check(
            "acme.lightning.force.com/lightning/page/home?ret=https://x.example.com/",
            "https://acme.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        assert_eq!(n.notes.len(), 3, "{:?}", n.notes);
    }

    #[test]
    fn default_port_dropped_other_ports_kept() {
        check(
            "https://acme.my.salesforce.com:443/",
            "https://acme.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        check(
            "http://127.0.0.2:80",
            "http://127.0.0.2",
            EndpointKind::Loopback,
        );
        assert!(matches!(
            normalize("http://0.0.0.0:8080"),
            Err(EndpointError::InsecureScheme { .. })
        ));
        check("[::1]:8443", "https://[::1]:8443", EndpointKind::Loopback);
    }

    #[test]
    fn legacy_sandbox_my_domain_is_sandbox() {
        let n = check(
            "https://acme--uat.cs42.my.salesforce.com",
            "https://acme--uat.cs42.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        assert!(n.is_sandbox());
    }

    #[test]
    fn production_org_hosts() {
        let cases = [
            ("https://acme.my.site.com/s/", "Experience Cloud"),
            (
                "https://acme.my.salesforce-setup.com/lightning/setup/SetupOneHome/home",
                "Setup",
            ),
            ("https://acme--c.vf.force.com/apex/Hello", "Visualforce"),
            ("https://acme--mypkg.vf.force.com/apex/Hello", "Visualforce"),
            (
                "https://acme--c.na44.visual.force.com/apex/Hello",
                "Visualforce",
            ),
            ("https://acme--c.visualforce.com/apex/Hello", "Visualforce"),
            (
                "https://acme.file.force.com/sfc/servlet.shepherd/version/download/068",
                "file",
            ),
            ("https://acme--c.documentforce.com/sfc/x", "content"),
            ("https://acme.my.salesforce-sites.com/", "Sites"),
            ("acme.lightning.force.com", "Lightning"),
            (
                "https://acme.builder.salesforce-experience.com/sites/x",
                "Experience Builder",
            ),
            (
                "https://acme.live-preview.salesforce-experience.com/",
                "preview",
            ),
        ];
        for (input, what) in cases {
            let n = check(
                input,
                "https://acme.my.salesforce.com",
                EndpointKind::MyDomain,
            );
            assert!(!n.is_sandbox(), "{input}");
            assert!(
                n.notes.iter().any(|m| m.contains(what)),
                "{input}: {:?}",
                n.notes
            );
        }
    }

    #[test]
    fn developer_edition_and_scratch() {
        check(
            "https://acme-dev-ed.develop.lightning.force.com/lightning/o/Account/list",
            "https://acme-dev-ed.develop.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        check(
            "https://acme-dev-ed--c.develop.vf.force.com/apex/X",
            "https://acme-dev-ed.develop.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        check(
            "https://acme-dev-ed.develop.my.site.com",
            "https://acme-dev-ed.develop.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        check(
            "https://flow-ability-1234-dev-ed.scratch.lightning.force.com",
            "https://flow-ability-1234-dev-ed.scratch.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        check(
            "https://playful-otter-abc.trailblaze.lightning.force.com/",
            "https://playful-otter-abc.trailblaze.my.salesforce.com",
            EndpointKind::MyDomain,
        );
    }

    #[test]
    fn classic_setup_url_on_my_domain() {
        let n = check(
            "https://acme.my.salesforce.com/setup/forcecomHomepage.apexp?setupid=ForceCom",
            "https://acme.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        assert_eq!(n.notes.len(), 1);
        assert!(n.notes[0].contains("setupid=ForceCom"));
    }

    #[test]
    fn custom_hosts() {
        let n = check(
            "https://sf.example.com:8443/",
            "https://sf.example.com:8443",
            EndpointKind::Custom,
        );
        assert!(n.notes.is_empty());
        let n = check(
            "https://na44.salesforce.com",
            "https://na44.salesforce.com",
            EndpointKind::Custom,
        );
        assert!(
            n.notes.iter().any(|m| m.contains("not a My Domain")),
            "{:?}",
            n.notes
        );
        // `my.salesforce.com` alone is not an org host.
        check(
            "https://my.salesforce.com",
            "https://my.salesforce.com",
            EndpointKind::Custom,
        );
        // A Visualforce host without a `--` package label cannot be mapped.
        check(
            "https://c.na44.visual.force.com",
            "https://c.na44.visual.force.com",
            EndpointKind::Custom,
        );
    }

    #[test]
    fn trailing_dot_and_fragment() {
        let n = check(
            "https://acme.my.salesforce.com./#section",
            "https://acme.my.salesforce.com",
            EndpointKind::MyDomain,
        );
        assert_eq!(n.notes.len(), 1, "{:?}", n.notes);
    }
}
