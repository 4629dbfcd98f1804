//! `sfterm token`: logs in with the profile and shows the token's status.

use std::io::Write;

use jiff::Timestamp;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use super::format::{group_thousands, human_duration};
use super::{CommandError, Context};

/// Arguments of `sfterm token`.
#[derive(Debug, Clone, clap::Args)]
pub struct TokenArgs {
    /// Print one JSON object. Keys (stable): profile, active, issued_at, expires_at,
    /// expires_source ("introspection" or "assumed"), remaining_secs, username, user_id,
    /// org_id, instance_url, scopes, api_usage ({daily_max, daily_remaining, daily_used} or
    /// null), limit_info ({used, max} from Sforce-Limit-Info, or null), warnings, and
    /// access_token only with --reveal.
    #[arg(long)]
    pub json: bool,
    /// Also print the access token itself (it grants access to the org: keep it secret).
    #[arg(long)]
    pub reveal: bool,
}

/// The token's status, gathered once and printed as text or JSON.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TokenStatus {
    pub profile: String,
    pub active: bool,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    /// True when `expires_at` comes from introspection, false when assumed (issued + 2 h).
    pub expiry_from_introspection: bool,
    pub now: Timestamp,
    pub username: Option<String>,
    pub user_id: String,
    pub org_id: String,
    pub instance_url: String,
    pub scopes: Vec<String>,
    /// `DailyApiRequests` (max, remaining) from `/limits`.
    pub daily_api: Option<(i64, i64)>,
    /// `Sforce-Limit-Info` api-usage (used, max).
    pub limit_info: Option<(u64, u64)>,
    pub warnings: Vec<String>,
}

impl TokenStatus {
    fn remaining_secs(&self) -> i64 {
        self.expires_at.as_second() - self.now.as_second()
    }

    /// The stable JSON object (see [`TokenArgs::json`]); `access_token` is added by the caller.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "profile": self.profile,
            "active": self.active,
            "issued_at": self.issued_at.to_string(),
            "expires_at": self.expires_at.to_string(),
            "expires_source": if self.expiry_from_introspection { "introspection" } else { "assumed" },
            "remaining_secs": self.remaining_secs().max(0),
            "username": self.username,
            "user_id": self.user_id,
            "org_id": self.org_id,
            "instance_url": self.instance_url,
            "scopes": self.scopes,
            "api_usage": self.daily_api.map(|(max, remaining)| json!({
                "daily_max": max,
                "daily_remaining": remaining,
                "daily_used": max - remaining,
            })),
            "limit_info": self.limit_info.map(|(used, max)| json!({"used": used, "max": max})),
            "warnings": self.warnings,
        })
    }

    /// The human-readable lines.
    pub(crate) fn to_text(&self) -> String {
        let mut lines: Vec<(&str, String)> = vec![
            ("Profile", self.profile.clone()),
            (
                "Status",
                if self.active { "active" } else { "not active" }.to_string(),
            ),
            ("Issued", self.issued_at.to_string()),
            (
                "Expires",
                format!(
                    "{}{}",
                    self.expires_at,
                    if self.expiry_from_introspection {
                        " (sliding: each use extends it)"
                    } else {
                        " (assumed: issued + 2 h; introspection unavailable)"
                    }
                ),
            ),
            ("Remaining", human_duration(self.remaining_secs())),
            (
                "User",
                self.username.clone().unwrap_or_else(|| "-".to_string()),
            ),
            ("User id", self.user_id.clone()),
            ("Org", self.org_id.clone()),
            ("Instance", self.instance_url.clone()),
            ("Scopes", self.scopes.join(" ")),
        ];
        if let Some((max, remaining)) = self.daily_api {
            let used = u64::try_from(max - remaining).unwrap_or(0);
            let max_u = u64::try_from(max).unwrap_or(0);
            let rem_u = u64::try_from(remaining).unwrap_or(0);
            lines.push((
                "API usage",
                format!(
                    "{} of {} daily requests used ({} remaining)",
                    group_thousands(used),
                    group_thousands(max_u),
                    group_thousands(rem_u)
                ),
            ));
        }
        if let Some((used, max)) = self.limit_info {
            lines.push((
                "Limit info",
                format!("api-usage={used}/{max} (Sforce-Limit-Info)"),
            ));
        }
        let mut out = String::new();
        for (label, value) in lines {
            out.push_str(format!("{label:<12}{value}").trim_end());
            out.push('\n');
        }
        for w in &self.warnings {
            out.push_str(&format!("Warning     {w}\n"));
        }
        out
    }
}

/// Runs `sfterm token`.
pub(crate) async fn run(args: TokenArgs, ctx: &mut Context) -> Result<(), CommandError> {
    let (profile, client) = super::connect(ctx).await?;
    let token = client
        .token()
        .ok_or_else(|| CommandError::failure("Logged in, but no token was kept."))?;
    let mut warnings = Vec::new();
    let (active, expires_at, from_introspection, mut username) = match client.introspect().await {
        Ok(i) => (
            i.active,
            i.exp.unwrap_or_else(|| token.assumed_expiry()),
            i.exp.is_some(),
            i.username,
        ),
        Err(e) => {
            warnings.push(format!(
                "introspection failed ({}); the expiry shown is assumed",
                e.diagnosis().title
            ));
            (true, token.assumed_expiry(), false, None)
        }
    };
    if !active {
        return Err(CommandError::failure(format!(
            "The token of profile \"{}\" was issued but introspection reports it not active \
             (expired or revoked). Try again; if it persists, check the app's session policies.",
            profile.name
        )));
    }
    if username.is_none()
        && let Ok(identity) = client.identity().await
    {
        username = Some(identity.username).filter(|u| !u.is_empty());
    }
    let daily_api = match client.limits().await {
        Ok(limits) => limits.get("DailyApiRequests").map(|e| (e.max, e.remaining)),
        Err(e) => {
            warnings.push(format!("API usage unavailable: {}", e.diagnosis().title));
            None
        }
    };
    let limit_info = client.limit_watch().borrow().map(|l| (l.used, l.max));
    let status = TokenStatus {
        profile: profile.name.clone(),
        active,
        issued_at: token.issued_at,
        expires_at,
        expiry_from_introspection: from_introspection,
        now: Timestamp::now(),
        username,
        user_id: token.user_id.clone(),
        org_id: token.org_id.clone(),
        instance_url: token
            .instance_url
            .as_str()
            .trim_end_matches('/')
            .to_string(),
        scopes: token.scopes.clone(),
        daily_api,
        limit_info,
        warnings,
    };
    if args.json {
        let mut v = status.to_json();
        if args.reveal {
            v["access_token"] = json!(token.access_token.expose_secret());
        }
        writeln!(ctx.stdout, "{v:#}")?;
    } else {
        ctx.stdout.write_all(status.to_text().as_bytes())?;
        if args.reveal {
            writeln!(
                ctx.stdout,
                "{:<12}{}",
                "Token",
                token.access_token.expose_secret()
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> TokenStatus {
        let now: Timestamp = "2026-01-01T08:00:00Z".parse().expect("ts");
        TokenStatus {
            profile: "acme".into(),
            active: true,
            issued_at: now,
            expires_at: "2026-01-01T10:00:00Z".parse().expect("ts"),
            expiry_from_introspection: true,
            now,
            username: Some("integration@acme.example".into()),
            user_id: "005Dn00000IntUsIAJ".into(),
            org_id: "00DDn00000Org01MAB".into(),
            instance_url: "https://acme.my.salesforce.com".into(),
            scopes: vec!["api".into()],
            daily_api: Some((15000, 14980)),
            limit_info: Some((21, 15000)),
            warnings: vec![],
        }
    }

    #[test]
    fn json_keys_are_stable() {
        let v = status().to_json();
        let keys: Vec<&str> = v
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            vec![
                "profile",
                "active",
                "issued_at",
                "expires_at",
                "expires_source",
                "remaining_secs",
                "username",
                "user_id",
                "org_id",
                "instance_url",
                "scopes",
                "api_usage",
                "limit_info",
                "warnings"
            ]
        );
        assert_eq!(v["remaining_secs"], 7200);
        assert_eq!(v["api_usage"]["daily_used"], 20);
        assert_eq!(v["expires_source"], "introspection");
    }

    #[test]
    fn text_lists_every_item() {
        let text = status().to_text();
        for needle in [
            "Status      active",
            "Remaining   2h 00m 00s",
            "User        integration@acme.example",
            "User id     005Dn00000IntUsIAJ",
            "Org         00DDn00000Org01MAB",
            "Scopes      api",
            "API usage   20 of 15,000 daily requests used (14,980 remaining)",
            "Limit info  api-usage=21/15000",
        ] {
            assert!(text.contains(needle), "{needle:?} missing in\n{text}");
        }
    }
}
