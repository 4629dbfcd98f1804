//! `sfterm mock-org`: runs the mock org standalone until Ctrl-C.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{MockOrg, MockOrgConfig, MockOrgError, RefreshTokenPolicy};

/// `sfterm mock-org`: the org's options and the login flows' ones.
#[derive(Debug, Clone, clap::Args)]
pub struct MockOrgCommand {
    #[command(flatten)]
    pub org: MockOrgArgs,
    #[command(flatten)]
    pub flows: FlowArgs,
    #[command(flatten)]
    pub network: NetworkArgs,
}

/// Where the org listens, and the admin token that listening beyond 127.0.0.1 needs.
#[derive(Debug, Clone, clap::Args)]
pub struct NetworkArgs {
    /// The address to listen on; the org's URLs name it. Any other than 127.0.0.1 or ::1
    /// (e.g. the machine's own, for a CI service other containers reach) needs --admin-token.
    #[arg(long, value_name = "ADDR", default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// A token the /__mock/* admin endpoints then require as `Authorization: Bearer TOKEN`.
    #[arg(
        long = "admin-token",
        value_name = "TOKEN",
        env = "SFTERM_MOCK_ORG_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
}

impl Default for NetworkArgs {
    fn default() -> Self {
        NetworkArgs {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            admin_token: None,
        }
    }
}

impl NetworkArgs {
    /// Sets these options on `config`.
    pub fn apply(&self, config: &mut MockOrgConfig) {
        config.bind = self.bind;
        config.admin_token = self.admin_token.clone();
    }
}

/// Options of the browser, refresh token and JWT bearer flows.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FlowArgs {
    /// Browser login: /services/oauth2/authorize redirects with a code at once, without the
    /// approval page.
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// A callback URL registered on the app (repeat for more; default
    /// http://localhost:1717/OauthRedirect). redirect_uri must equal one exactly.
    #[arg(long = "callback-url", value_name = "URL")]
    pub callback_urls: Vec<String>,
    /// Also accept a registered loopback callback on any port.
    #[arg(long = "loopback-any-port")]
    pub loopback_any_port: bool,
    /// Refresh token policy: until-revoked, expire-after:SECS or expire-if-unused:SECS.
    #[arg(long = "refresh-token-policy", value_name = "POLICY", default_value_t)]
    pub refresh_token_policy: RefreshTokenPolicy,
    /// Refresh token rotation: each refresh answers a new refresh token, the old one dies.
    #[arg(long = "refresh-token-rotation")]
    pub refresh_token_rotation: bool,
    /// JWT bearer: check assertions against this certificate (or RSA public key) PEM instead
    /// of the one the org makes and writes beside --env-file.
    #[arg(long = "jwt-cert", value_name = "FILE")]
    pub jwt_cert: Option<PathBuf>,
}

impl MockOrgCommand {
    /// The server configuration these options describe.
    pub fn config(&self) -> MockOrgConfig {
        let mut config = self.org.config();
        self.flows.apply(&mut config);
        self.network.apply(&mut config);
        config
    }
}

impl FlowArgs {
    /// Sets these options on `config`.
    pub fn apply(&self, config: &mut MockOrgConfig) {
        config.auto_approve = self.auto_approve;
        if !self.callback_urls.is_empty() {
            config.callback_urls = self.callback_urls.clone();
        }
        config.loopback_any_port = self.loopback_any_port;
        config.refresh_token_policy = self.refresh_token_policy;
        config.refresh_token_rotation = self.refresh_token_rotation;
        config.jwt_cert = self.jwt_cert.clone();
    }
}

/// Command-line options of `sfterm mock-org`.
#[derive(Debug, Clone, clap::Args)]
pub struct MockOrgArgs {
    /// Port of the instance listener (0 = any free port).
    #[arg(long, default_value_t = 8484)]
    pub port: u16,
    /// Number of seeded Account records (contacts and leads scale with it).
    #[arg(long, default_value_t = 300)]
    pub records: usize,
    /// Idle timeout of access tokens, in seconds.
    #[arg(long = "token-ttl", value_name = "SECS", default_value_t = 7200)]
    pub token_ttl: u64,
    /// Once listening, write SF_INSTANCE_URL, SF_CLIENT_ID, SF_CLIENT_SECRET (and SF_CA_FILE)
    /// lines to this file.
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_file: Option<PathBuf>,
    /// Serve https with a self-signed certificate (its PEM path is printed).
    #[arg(long)]
    pub tls: bool,
    /// Consumer key to accept (default: a fixed demo value).
    #[arg(long = "client-id")]
    pub client_id: Option<String>,
    /// Consumer secret to accept (default: a fixed demo value).
    #[arg(long = "client-secret")]
    pub client_secret: Option<String>,
    /// Load your own records from a JSON file (`{"Account": [{...}], "Contact": [...]}`) after
    /// the seed data (use `--records 0` for only yours).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Print one line per request (method, path, status, duration) to stderr.
    #[arg(long = "log-requests")]
    pub log_requests: bool,
    /// Fault: delay every data API response by this many milliseconds.
    #[arg(long = "fault-latency-ms", value_name = "MS", default_value_t = 0)]
    pub fault_latency_ms: u64,
    /// Fault: the first N data API calls answer STATUS with a Salesforce error array
    /// (ERRORCODE, default by status: 500 UNKNOWN_EXCEPTION, 503 SERVER_UNAVAILABLE,
    /// 401 INVALID_SESSION_ID, 403 REQUEST_LIMIT_EXCEEDED).
    #[arg(long = "fail-next", value_name = "N:STATUS[:ERRORCODE]", value_parser = parse_fail_next)]
    pub fail_next: Option<FailNext>,
    /// Fault: this share (0 to 1, e.g. 0.05) of data API calls fails with a mix of transient
    /// failures (503 with Retry-After, 500 UNKNOWN_EXCEPTION / UNABLE_TO_LOCK_ROW, an HTML 502
    /// or 504, 429, the concurrent-request limit, a reset mid-body, a dropped connection).
    #[arg(long = "fail-rate", value_name = "RATE", value_parser = parse_fail_rate)]
    pub fail_rate: Option<f64>,
    /// The seed of --fail-rate: the same seed fails the same calls of the same sequence.
    #[arg(
        long = "fail-seed",
        value_name = "N",
        default_value_t = 7,
        requires = "fail_rate"
    )]
    pub fail_seed: u64,
    /// Fault: the first N requests get their TCP connection closed without an answer.
    #[arg(long = "drop-connections", value_name = "N", default_value_t = 0)]
    pub drop_connections: usize,
    /// Fault: the first N Bulk API result page requests after a download's first page get their
    /// TCP connection closed without an answer (a download interrupted mid-way).
    #[arg(long = "drop-result-pages", value_name = "N", default_value_t = 0)]
    pub drop_result_pages: usize,
    /// Fault: API calls left today; at 0 data API calls answer 403 REQUEST_LIMIT_EXCEEDED.
    #[arg(long = "api-quota", value_name = "N")]
    pub api_quota: Option<u64>,
    /// The org state to play for the Setup check: a well-configured integration user (good)
    /// or one with a classic mistake.
    #[arg(long, value_enum, default_value_t = super::Scenario::Good)]
    pub scenario: super::Scenario,
    /// The kind of org to play: what the Organization record's OrganizationType, IsSandbox and
    /// TrialExpirationDate say (clients tell production from sandboxes by them).
    #[arg(long = "org-type", value_enum, default_value_t = super::OrgType::Developer)]
    pub org_type: super::OrgType,
    /// The org's daily API request limit (`DailyApiRequests` Max, `Sforce-Limit-Info`); raise it
    /// for load tests, which otherwise hit 403 REQUEST_LIMIT_EXCEEDED after 15,000 calls.
    #[arg(long = "api-limit", value_name = "N", default_value_t = 15000)]
    pub api_limit: u64,
    /// Rows per Bulk API 2.0 result page without `maxRecords`, and per chunk listed by
    /// `resultPages`.
    #[arg(long = "bulk-page-size", value_name = "N", default_value_t = 50_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub bulk_page_size: u64,
}

/// `--fail-rate RATE`: a number from 0 to 1.
pub fn parse_fail_rate(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|r| (0.0..=1.0).contains(r))
        .ok_or_else(|| format!("{text:?} is not a share from 0 to 1 (e.g. 0.05)"))
}

/// `--fail-next N:STATUS[:ERRORCODE]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailNext {
    /// How many data API calls fail.
    pub count: usize,
    /// Their HTTP status.
    pub status: u16,
    /// The `errorCode` sent (default by status).
    pub error_code: Option<String>,
}

/// Parses `N:STATUS[:ERRORCODE]`, e.g. `2:500` or `1:401:INVALID_SESSION_ID`.
pub fn parse_fail_next(text: &str) -> Result<FailNext, String> {
    let mut parts = text.splitn(3, ':');
    let count = parts
        .next()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .ok_or_else(|| format!("{text:?}: expected N:STATUS[:ERRORCODE], N a count"))?;
    let status = parts
        .next()
        .and_then(|s| s.trim().parse::<u16>().ok())
        .filter(|s| (400..=599).contains(s))
        .ok_or_else(|| format!("{text:?}: STATUS must be an HTTP error status (400-599)"))?;
    let error_code = parts
        .next()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    Ok(FailNext {
        count,
        status,
        error_code,
    })
}

impl MockOrgArgs {
    /// The server configuration these options describe.
    pub fn config(&self) -> MockOrgConfig {
        MockOrgConfig {
            port: self.port,
            records: self.records,
            token_ttl: Duration::from_secs(self.token_ttl),
            tls: self.tls,
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            log_requests: self.log_requests,
            data: self.data.clone(),
            latency: Duration::from_millis(self.fault_latency_ms),
            scenario: self.scenario,
            org_type: self.org_type,
            api_daily_limit: self.api_limit,
            bulk_page_size: usize::try_from(self.bulk_page_size).unwrap_or(usize::MAX),
            ..MockOrgConfig::default()
        }
    }
}

/// The env-file lines of the login flows: the login host, the user, the callback URL and the
/// JWT key files.
fn flow_env_text(org: &MockOrg, jwt: &super::JwtFiles) -> String {
    let mut text = format!(
        "SF_LOGIN_URL={}\nSF_TEST_LOGIN_URL={}\nSF_USERNAME={}\n",
        org.login_host_url().as_str().trim_end_matches('/'),
        org.test_host_url().as_str().trim_end_matches('/'),
        org.username(),
    );
    if let Some(callback) = org.callback_urls().first() {
        text.push_str(&format!("SF_CALLBACK_URL={callback}\n"));
    }
    if let Some(key) = &jwt.key {
        text.push_str(&format!("SF_JWT_KEY_FILE={}\n", key.display()));
    }
    text.push_str(&format!("SF_JWT_CERT_FILE={}\n", jwt.cert.display()));
    text
}

/// Where the JWT files go beside the env file: `mock-org.env` → `mock-org.jwt-key.pem`, ...
fn jwt_base(env_file: &Path) -> PathBuf {
    env_file.with_extension("")
}

/// The env-file text for a running org.
fn env_text(org: &MockOrg) -> String {
    let mut text = format!(
        "SF_INSTANCE_URL={}\nSF_CLIENT_ID={}\nSF_CLIENT_SECRET={}\n",
        org.instance_url().as_str().trim_end_matches('/'),
        org.client_id(),
        org.client_secret()
    );
    if let Some(ca) = org.ca_file() {
        text.push_str(&format!("SF_CA_FILE={}\n", ca.display()));
    }
    text
}

/// The faults set by flags, in words (empty when none).
fn fault_summary(args: &MockOrgArgs) -> Vec<String> {
    let mut out = Vec::new();
    if args.fault_latency_ms > 0 {
        out.push(format!("{} ms latency", args.fault_latency_ms));
    }
    if let Some(fail) = &args.fail_next {
        out.push(format!(
            "next {} data API calls fail with {}{}",
            fail.count,
            fail.status,
            fail.error_code
                .as_deref()
                .map(|c| format!(" {c}"))
                .unwrap_or_default()
        ));
    }
    if let Some(rate) = args.fail_rate {
        out.push(format!(
            "{}% of data API calls fail (seed {})",
            rate * 100.0,
            args.fail_seed
        ));
    }
    if args.drop_connections > 0 {
        out.push(format!(
            "next {} connections dropped",
            args.drop_connections
        ));
    }
    if args.drop_result_pages > 0 {
        out.push(format!(
            "next {} Bulk result pages dropped",
            args.drop_result_pages
        ));
    }
    if let Some(quota) = args.api_quota {
        out.push(format!("{quota} API calls left"));
    }
    out
}

/// `sfterm mock-org`: [`run_on`] its options.
pub async fn run_command(command: MockOrgCommand) -> Result<(), MockOrgError> {
    run_on(command.org, command.flows, command.network).await
}

/// Starts the mock org with the default login flow options (see [`run_with`]).
pub async fn run(args: MockOrgArgs) -> Result<(), MockOrgError> {
    run_with(args, FlowArgs::default()).await
}

/// Starts the mock org on 127.0.0.1 (see [`run_on`]).
pub async fn run_with(args: MockOrgArgs, flows: FlowArgs) -> Result<(), MockOrgError> {
    run_on(args, flows, NetworkArgs::default()).await
}

/// Starts the mock org, prints how to reach it (and a warning when others can), writes the
/// env file (and beside it the JWT key and certificate), and runs until Ctrl-C.
pub async fn run_on(
    args: MockOrgArgs,
    flows: FlowArgs,
    network: NetworkArgs,
) -> Result<(), MockOrgError> {
    let mut config = args.config();
    flows.apply(&mut config);
    network.apply(&mut config);
    let org = MockOrg::start(config).await?;
    if !super::admin::is_local_only(network.bind) {
        eprintln!(
            "warning: the mock org listens on {}: anyone who can reach it and has the client id \
             and secret (printed below; the defaults are public, choose your own with \
             --client-id and --client-secret) gets tokens and reads and writes its records. \
             The /__mock admin endpoints need the admin token.",
            network.bind
        );
    }
    if let Some(fail) = &args.fail_next {
        org.fail_next_with(fail.count, fail.status, fail.error_code.as_deref(), None);
    }
    if let Some(rate) = args.fail_rate {
        org.set_fail_rate(rate, args.fail_seed);
    }
    if args.drop_connections > 0 {
        org.drop_next_connections(args.drop_connections);
    }
    if args.drop_result_pages > 0 {
        org.drop_next_result_pages(args.drop_result_pages);
    }
    if let Some(remaining) = args.api_quota {
        org.set_api_remaining(remaining);
    }
    println!("sfterm mock org listening on {}", org.instance_url());
    println!("  scenario:       {}", args.scenario);
    println!("  org type:       {}", args.org_type);
    println!(
        "  token endpoint: {}services/oauth2/token",
        org.instance_url()
    );
    println!("  client id:      {}", org.client_id());
    println!("  client secret:  {}", org.client_secret());
    println!(
        "  login host:     {} (refuses client credentials)",
        org.login_host_url()
    );
    println!("  test host:      {}", org.test_host_url());
    println!(
        "  browser login:  {}services/oauth2/authorize as {}{}",
        org.instance_url(),
        org.username(),
        if flows.auto_approve {
            " (auto-approve)"
        } else {
            ""
        }
    );
    println!("  callback URLs:  {}", org.callback_urls().join(", "));
    println!("  refresh tokens: {}", flows.refresh_token_policy);
    if let Some(ca) = org.ca_file() {
        println!("  CA file:        {}", ca.display());
    }
    let faults = fault_summary(&args);
    if !faults.is_empty() {
        println!("  faults:         {}", faults.join("; "));
    }
    println!(
        "  admin:          {}__mock/faults, __mock/reset, __mock/state{}",
        org.instance_url(),
        if network.admin_token.is_some() {
            " (Authorization: Bearer <admin token>)"
        } else {
            ""
        }
    );
    let mut written = None;
    if let Some(path) = &args.env_file {
        // The key files exist before the env file, which is the readiness signal.
        let jwt = org.write_jwt_files(&jwt_base(path))?;
        let text = env_text(&org) + &flow_env_text(&org, &jwt);
        super::private_file::write_private(path, text.as_bytes())?;
        println!("  env file:       {}", path.display());
        if let Some(key) = &jwt.key {
            println!("  JWT key:        {}", key.display());
        }
        println!("  JWT cert:       {}", jwt.cert.display());
        written = jwt.key.is_some().then_some(jwt);
    }
    wait_for_stop_signal().await?;
    org.shutdown().await;
    // Like the CA file: the throwaway key pair goes with the org.
    if let Some(jwt) = written {
        for path in jwt.key.iter().chain([&jwt.cert]) {
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(())
}

/// Waits for Ctrl-C (or SIGTERM on Unix, so that `kill` also removes the CA file).
async fn wait_for_stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_next_parses_count_status_and_code() {
        assert_eq!(
            parse_fail_next("2:500"),
            Ok(FailNext {
                count: 2,
                status: 500,
                error_code: None
            })
        );
        assert_eq!(
            parse_fail_next("1:401:INVALID_SESSION_ID"),
            Ok(FailNext {
                count: 1,
                status: 401,
                error_code: Some("INVALID_SESSION_ID".to_owned())
            })
        );
        for bad in ["", "x:500", "1", "1:200", "1:abc", "-1:500"] {
            assert!(parse_fail_next(bad).is_err(), "{bad}");
        }
    }
}
