//! The Setup check: verifies an org's External Client App and integration user against the
//! setup guide's best practices (issue #7), through an [`SfClient`]. No UI code.
//!
//! [`run`] logs in if needed and returns a [`CheckReport`]: one [`CheckItem`] per aspect, each
//! [`Status::Pass`], [`Status::Warn`], [`Status::Fail`] or [`Status::NotVisible`] with the
//! evidence observed and, when something is wrong or hidden, a fix with the Setup menu path.
//! Nothing is reported as passing unless it was observed: what the user may not read (setup
//! objects need "View Setup and Configuration") is `NotVisible`, with the permission that would
//! reveal it.

mod items;

use serde::Serialize;
use serde_json::{Value, json};

use crate::sf::{RenewReason, SfClient};

/// The outcome of one check item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Observed and as the setup guide recommends.
    Pass,
    /// Works, but not as recommended (least privilege, lifetime, ...).
    Warn,
    /// Missing or wrong: the integration fails or is unsafe.
    Fail,
    /// Could not be observed with this user's rights; says what would reveal it.
    NotVisible,
}

impl Status {
    /// Short label for tables (`PASS`, `WARN`, `FAIL`, `NOT VISIBLE`).
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
            Status::NotVisible => "NOT VISIBLE",
        }
    }
}

/// One checked aspect of the setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckItem {
    /// Stable identifier, e.g. `objects.lead`, `apex.customer_ws`.
    pub id: String,
    /// What is checked, in words.
    pub title: String,
    /// The outcome.
    pub status: Status,
    /// What was observed.
    pub evidence: String,
    /// What to do (with the Setup menu path) when not Pass.
    pub fix: Option<String>,
    /// For NotVisible: the permission or place that would reveal it.
    pub reveal: Option<String>,
}

impl CheckItem {
    fn new(id: &str, title: &str, status: Status, evidence: impl Into<String>) -> CheckItem {
        CheckItem {
            id: id.to_owned(),
            title: title.to_owned(),
            status,
            evidence: evidence.into(),
            fix: None,
            reveal: None,
        }
    }

    /// A Pass with its evidence.
    pub(crate) fn pass(id: &str, title: &str, evidence: impl Into<String>) -> CheckItem {
        CheckItem::new(id, title, Status::Pass, evidence)
    }

    /// A Warn with evidence and fix.
    pub(crate) fn warn(id: &str, title: &str, evidence: impl Into<String>, fix: &str) -> CheckItem {
        let mut item = CheckItem::new(id, title, Status::Warn, evidence);
        item.fix = Some(fix.to_owned());
        item
    }

    /// A Fail with evidence and fix.
    pub(crate) fn fail(id: &str, title: &str, evidence: impl Into<String>, fix: &str) -> CheckItem {
        let mut item = CheckItem::new(id, title, Status::Fail, evidence);
        item.fix = Some(fix.to_owned());
        item
    }

    /// A NotVisible with evidence and what would reveal it.
    pub(crate) fn hidden(
        id: &str,
        title: &str,
        evidence: impl Into<String>,
        reveal: &str,
    ) -> CheckItem {
        let mut item = CheckItem::new(id, title, Status::NotVisible, evidence);
        item.reveal = Some(reveal.to_owned());
        item
    }
}

/// How many items ended in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub not_visible: usize,
}

/// The result of a Setup check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The org's instance URL, when a token was obtained.
    pub instance_url: Option<String>,
    /// The run-as user's username, when seen.
    pub username: Option<String>,
    /// Every item, in check order.
    pub items: Vec<CheckItem>,
}

impl CheckReport {
    /// Whether any item failed (`sfterm check` then exits 1).
    pub fn has_failures(&self) -> bool {
        self.items.iter().any(|i| i.status == Status::Fail)
    }

    /// Items per status.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for item in &self.items {
            match item.status {
                Status::Pass => c.pass += 1,
                Status::Warn => c.warn += 1,
                Status::Fail => c.fail += 1,
                Status::NotVisible => c.not_visible += 1,
            }
        }
        c
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&CheckItem> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The stable JSON form: `{instance_url, username, ok, counts, items: [{id, title, status,
    /// evidence, fix, reveal}]}`; `status` is `pass`, `warn`, `fail` or `not_visible`.
    pub fn to_json(&self) -> Value {
        json!({
            "instance_url": self.instance_url,
            "username": self.username,
            "ok": !self.has_failures(),
            "counts": self.counts(),
            "items": self.items,
        })
    }
}

/// Every item id, in the order [`run`] reports them.
pub const ITEM_IDS: [&str; 21] = [
    "token.endpoint",
    "token.tls",
    "token.obtained",
    "token.scopes",
    "token.lifetime",
    "user.active",
    "user.license",
    "user.username",
    "user.api_only",
    "objects.account",
    "objects.contact",
    "objects.lead",
    "objects.least_privilege",
    "permissions.dangerous",
    "apex.customer_rest_ws",
    "apex.customer_ws",
    "apex.class_access",
    "login.ip_ranges",
    "login.hours",
    "login.history",
    "api.usage",
];

/// Runs the whole check with `client`, logging in first when it has no token yet. A failed
/// login is reported as items (the token endpoint, TLS and token ones), the rest as not checked.
pub async fn run(client: &SfClient) -> CheckReport {
    let login = match client.token() {
        Some(token) => Ok(token),
        None => client.login(RenewReason::Initial).await,
    };
    let token = match login {
        Ok(token) => token,
        Err(e) => return items::login_failed(client, &e),
    };
    client.clear_describe_cache();
    items::run_all(client, &token).await
}
