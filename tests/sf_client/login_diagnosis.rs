//! The plain-words diagnosis of every login flow's failures: OAuth errors read per grant, the
//! browser login's own failures, and the Salesforce CLI's.

use std::time::Duration;

use sfterm::sf::{ApiError, BrowserLoginError, Diagnosis, GrantKind, SfCliError};

fn oauth(grant: Option<GrantKind>, error: &str, description: &str) -> Diagnosis {
    ApiError::OAuth {
        status: 400,
        error: error.into(),
        description: description.into(),
        grant,
    }
    .diagnosis()
}

fn jwt(description: &str) -> Diagnosis {
    oauth(Some(GrantKind::JwtBearer), "invalid_grant", description)
}

#[test]
fn errors_that_read_the_same_for_every_grant() {
    for grant in [
        None,
        Some(GrantKind::AuthorizationCode),
        Some(GrantKind::RefreshToken),
        Some(GrantKind::JwtBearer),
    ] {
        let d = oauth(
            grant,
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
        assert_eq!(d.title, "Callback URL not registered", "{grant:?}");
        assert!(
            d.fix.contains("http://localhost:1717/OauthRedirect"),
            "{d:?}"
        );
        assert!(
            d.what_salesforce_said
                .contains("redirect_uri must match configuration")
        );
        let d = oauth(grant, "invalid_client_id", "client identifier invalid");
        assert!(d.fix.contains("Consumer Key"), "{grant:?}: {d:?}");
        let d = oauth(grant, "access_denied", "end-user denied authorization");
        assert_eq!(d.title, "Browser login cancelled");
        let d = oauth(grant, "access-denied", "");
        assert_eq!(d.title, "Browser login cancelled");
        let d = oauth(
            grant,
            "invalid_app_access",
            "user is not admin approved to access this app",
        );
        assert_eq!(d.title, "User not pre-authorized for the app");
        assert!(d.fix.contains("permission set"), "{d:?}");
        let d = oauth(grant, "OAUTH_EC_APP_NOT_FOUND", "");
        assert_eq!(d.title, "App not installed in this org");
        let d = oauth(
            grant,
            "app_not_found",
            "External client app is not installed in this org",
        );
        assert_eq!(d.title, "App not installed in this org");
        let d = oauth(grant, "OAUTH_APP_BLOCKED", "");
        assert_eq!(d.title, "App blocked in this org");
    }
}

#[test]
fn client_credentials_reads_as_before() {
    for grant in [None, Some(GrantKind::ClientCredentials)] {
        let d = oauth(
            grant,
            "invalid_grant",
            "request not supported on this domain",
        );
        assert_eq!(d.title, "Wrong login host", "{grant:?}");
        let d = oauth(grant, "unsupported_grant_type", "grant type not supported");
        assert!(d.fix.contains("Enable Client Credentials Flow"));
        let d = oauth(grant, "invalid_grant", "no client credentials user enabled");
        assert!(d.fix.contains("Run As"));
    }
}

#[test]
fn an_app_that_does_not_allow_the_flow() {
    let d = oauth(
        Some(GrantKind::JwtBearer),
        "unsupported_grant_type",
        "grant type not supported",
    );
    assert_eq!(d.title, "JWT bearer flow not enabled for the app");
    assert!(d.fix.contains("Enable JWT Bearer Flow"), "{d:?}");
    let d = oauth(
        Some(GrantKind::AuthorizationCode),
        "unsupported_grant_type",
        "grant type not supported",
    );
    assert_eq!(d.title, "Browser login not enabled for the app");
    assert!(
        d.fix
            .contains("Enable Authorization Code and Credentials Flow"),
        "{d:?}"
    );
    let d = oauth(
        Some(GrantKind::RefreshToken),
        "unsupported_grant_type",
        "grant type not supported",
    );
    assert_eq!(d.title, "Refresh tokens not allowed for the app");
    assert!(d.fix.contains("refresh_token, offline_access"), "{d:?}");
    assert!(d.fix.contains("log in again"), "{d:?}");
}

#[test]
fn jwt_invalid_grant_variants() {
    let d = jwt("user hasn't approved this consumer");
    assert_eq!(d.title, "User not pre-authorized for the app");
    assert!(
        d.fix.contains("Admin approved users are pre-authorized"),
        "{d:?}"
    );
    for audience in ["audience is invalid", "Audience validation failed"] {
        let d = jwt(audience);
        assert_eq!(d.title, "Wrong audience for this org", "{audience}");
        assert!(d.meaning.contains("https://test.salesforce.com"), "{d:?}");
    }
    let d = jwt("expired authorization code");
    assert_eq!(d.title, "JWT assertion expired: check the clock");
    assert!(d.fix.contains("clock"), "{d:?}");
    let d = jwt("invalid assertion");
    assert_eq!(d.title, "Signature not accepted");
    assert!(d.fix.contains("certificate"), "{d:?}");
    let d = jwt("inactive user");
    assert_eq!(d.title, "User inactive");
    let d = jwt("authentication failure");
    assert_eq!(d.title, "JWT login refused");
    assert!(d.meaning.contains("authentication failure"), "{d:?}");
}

#[test]
fn refresh_token_expired_or_revoked_means_log_in_again() {
    let d = oauth(
        Some(GrantKind::RefreshToken),
        "invalid_grant",
        "expired access/refresh token",
    );
    assert_eq!(d.title, "Browser login expired: log in again");
    assert!(d.meaning.contains("revoked"), "{d:?}");
    assert!(d.fix.contains("Log in again"), "{d:?}");
    let d = oauth(
        Some(GrantKind::RefreshToken),
        "invalid_client",
        "invalid client credentials",
    );
    assert!(
        d.fix.contains("Require Secret for Refresh Token Flow"),
        "{d:?}"
    );
    let d = ApiError::LoginRequired.diagnosis();
    assert_eq!(d.title, "Log in again");
    assert!(d.fix.contains("sfterm login -p"), "{d:?}");
}

#[test]
fn browser_login_failures() {
    let b = |e: BrowserLoginError| ApiError::BrowserLogin(e).diagnosis();
    let d = b(BrowserLoginError::PortInUse { port: 1717 });
    assert_eq!(d.title, "Login port in use");
    assert!(d.meaning.contains("127.0.0.1:1717") && d.meaning.contains("sf org login web"));
    let d = b(BrowserLoginError::Listen {
        port: 80,
        message: "Permission denied (os error 13)".into(),
    });
    assert_eq!(d.title, "Cannot wait for the browser login");
    assert!(d.fix.contains("above 1024"), "{d:?}");
    let d = b(BrowserLoginError::TimedOut {
        after: Duration::from_secs(180),
    });
    assert!(d.meaning.contains("180 s"), "{d:?}");
    let d = b(BrowserLoginError::StateMismatch);
    assert_eq!(d.title, "Login from another attempt");
    let d = b(BrowserLoginError::AlreadyUsed);
    assert_eq!(d.title, "Login already completed");
    let d = b(BrowserLoginError::Refused {
        error: "access_denied".into(),
        description: "end-user denied authorization".into(),
    });
    assert_eq!(d.title, "Browser login cancelled");
    let d = b(BrowserLoginError::Refused {
        error: "immediate_unsuccessful".into(),
        description: "".into(),
    });
    assert_eq!(d.title, "Browser login refused");
    let d = b(BrowserLoginError::NotARedirect(
        "it holds no code and no error".into(),
    ));
    assert!(d.fix.contains("code="), "{d:?}");
}

#[test]
fn code_exchange_failures() {
    let code = |error: &str, description: &str| {
        oauth(Some(GrantKind::AuthorizationCode), error, description)
    };
    assert_eq!(
        code("invalid_grant", "expired authorization code").title,
        "Login code expired or already used"
    );
    assert_eq!(
        code("invalid_request", "invalid code verifier").title,
        "Login check (PKCE) failed"
    );
    let d = code("invalid_client", "invalid client credentials");
    assert!(
        d.fix.contains("Require Secret for Web Server Flow"),
        "{d:?}"
    );
    assert_eq!(
        code("invalid_grant", "authentication failure").title,
        "Browser login refused"
    );
}

#[test]
fn sf_cli_failures() {
    let s = |e: SfCliError| ApiError::SfCli(Box::new(e)).diagnosis();
    let d = s(SfCliError::NotInstalled {
        program: "sf".into(),
    });
    assert_eq!(d.title, "Salesforce CLI not found");
    let d = s(SfCliError::OrgNotFound { org: "acme".into() });
    assert!(d.fix.contains("sf org login web --alias acme"), "{d:?}");
    let d = s(SfCliError::NoDefaultOrg);
    assert!(d.fix.contains("sf config set target-org"), "{d:?}");
    let d = s(SfCliError::LoginExpired {
        org: "uat".into(),
        instance_url: Some("https://acme--uat.sandbox.my.salesforce.com".into()),
        message: "expired access/refresh token".into(),
    });
    assert!(
        d.fix.contains(
            "sf org login web --alias uat --instance-url https://acme--uat.sandbox.my.salesforce.com"
        ),
        "{d:?}"
    );
    let d = s(SfCliError::Failed {
        command: "sf org display".into(),
        name: "GenericError".into(),
        message: "boom".into(),
        exit_code: Some(1),
    });
    assert_eq!(d.title, "Salesforce CLI failed");
    assert!(
        d.meaning.contains("boom") && d.meaning.contains("exit 1"),
        "{d:?}"
    );
    let d = s(SfCliError::Unreadable {
        command: "sf org display".into(),
        message: "no JSON".into(),
    });
    assert!(d.fix.contains("sf update"), "{d:?}");
    let d = s(SfCliError::TooOld);
    assert_eq!(d.title, "Salesforce CLI too old");
}
