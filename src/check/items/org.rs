//! The org security items: login IP ranges, login hours, login history (`login.*`) and the
//! day's API usage (`api.usage`).

use serde_json::{Map, Value};

use super::user::UserFacts;
use super::{fail, hidden, not_readable, pass, text, warn};
use crate::check::CheckItem;
use crate::sf::{SfClient, Token};

pub(super) async fn login_items(
    client: &SfClient,
    token: &Token,
    facts: &UserFacts,
) -> Vec<CheckItem> {
    let mut items = Vec::new();
    // IP ranges.
    let profile_id = facts.profile_id.clone().unwrap_or_default();
    items.push(if profile_id.is_empty() {
        hidden(
            "login.ip_ranges",
            "The user's profile could not be read",
            "Look at Setup > Users > Profiles > (profile) > Login IP Ranges.",
        )
    } else {
        match client
            .query(&format!(
                "SELECT StartAddress, EndAddress, Description FROM LoginIpRange WHERE ProfileId = '{profile_id}'"
            ))
            .await
        {
            Ok(page) if page.records.is_empty() => warn(
                "login.ip_ranges",
                "The profile has no Login IP Ranges: the user can log in from anywhere",
                "Setup > Users > Profiles > (the integration profile) > Login IP Ranges > New: \
                 add your middleware's egress addresses.",
            ),
            Ok(page) => pass(
                "login.ip_ranges",
                page.records
                    .iter()
                    .map(|r| format!("{}–{}", text(r, "StartAddress"), text(r, "EndAddress")))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Err(e) => not_readable("login.ip_ranges", "LoginIpRange", &e),
        }
    });
    items.push(hidden(
        "login.hours",
        "Login hours are not readable through the REST API",
        "Look at Setup > Users > Profiles > (the integration profile) > Login Hours.",
    ));
    // Login history.
    items.push(
        match client
            .query(&format!(
                "SELECT LoginTime, SourceIp, Status, Application, LoginType FROM LoginHistory \
                 WHERE UserId = '{}' ORDER BY LoginTime DESC LIMIT 20",
                token.user_id
            ))
            .await
        {
            Ok(page) if page.records.is_empty() => {
                pass("login.history", "No logins recorded for the user")
            }
            Ok(page) => {
                let describe = |r: &Map<String, Value>| {
                    format!(
                        "{} from {} ({}, {}, {})",
                        text(r, "LoginTime"),
                        text(r, "SourceIp"),
                        text(r, "Status"),
                        text(r, "Application"),
                        text(r, "LoginType")
                    )
                };
                let last = page.records.first().map(describe).unwrap_or_default();
                let odd: Vec<String> = page
                    .records
                    .iter()
                    .filter(|r| {
                        text(r, "Status") != "Success" || text(r, "LoginType") == "Application"
                    })
                    .map(describe)
                    .collect();
                if odd.is_empty() {
                    pass(
                        "login.history",
                        format!(
                            "{} recent logins, all API and successful; last: {last}",
                            page.records.len()
                        ),
                    )
                } else {
                    warn(
                        "login.history",
                        format!("UI logins or failures: {}", odd.join("; ")),
                        "Setup > Users > Users > (the user) > Login History: find who used the \
                         account interactively; make the user API Only and reset its password.",
                    )
                }
            }
            Err(e) => not_readable("login.history", "LoginHistory", &e),
        },
    );
    items
}

pub(super) async fn usage_item(client: &SfClient) -> CheckItem {
    let id = "api.usage";
    match client.limits().await {
        Ok(limits) => match limits.get("DailyApiRequests") {
            Some(daily) if daily.max > 0 => {
                let used = daily.max - daily.remaining;
                let percent = used * 100 / daily.max;
                let evidence = format!(
                    "{} of {} daily API requests used ({percent}%)",
                    crate::human::group_thousands(u64::try_from(used).unwrap_or(0)),
                    crate::human::group_thousands(u64::try_from(daily.max).unwrap_or(0))
                );
                let fix = "Setup > Company Settings > System Overview shows API usage; reduce \
                           polling or buy more API calls.";
                if daily.remaining <= 0 {
                    fail(id, evidence, fix)
                } else if percent >= 80 {
                    warn(id, evidence, fix)
                } else {
                    pass(id, evidence)
                }
            }
            _ => hidden(
                id,
                "/limits has no DailyApiRequests",
                "Look at Setup > Company Settings > System Overview.",
            ),
        },
        Err(e) => hidden(
            id,
            format!("/limits refused: {e}"),
            "Look at Setup > Company Settings > System Overview.",
        ),
    }
}
