//! The `objects.*` items: CRUD on Account, Contact and Lead, and no access to anything else.

use super::{PERMSET_PATH, fail, hidden, pass, warn};
use crate::check::CheckItem;
use crate::sf::SfClient;

/// The objects the integration needs full CRUD on: (item id, sObject).
const TARGETS: [(&str, &str); 3] = [
    ("objects.account", "Account"),
    ("objects.contact", "Contact"),
    ("objects.lead", "Lead"),
];

/// Objects whose mere read access an integration limited to Account/Contact/Lead should not
/// have.
const SENSITIVE: [&str; 14] = [
    "Opportunity",
    "Case",
    "Contract",
    "Order",
    "Quote",
    "Campaign",
    "Document",
    "Attachment",
    "ContentVersion",
    "ContentDocument",
    "Task",
    "Event",
    "EmailMessage",
    "Note",
];

pub(super) async fn object_items(client: &SfClient) -> Vec<CheckItem> {
    let global = match client.describe_global().await {
        Ok(global) => global,
        Err(e) => {
            let mut items: Vec<CheckItem> = TARGETS
                .iter()
                .map(|(id, _)| {
                    hidden(
                        id,
                        format!("Describe global failed: {e}"),
                        "Run the check again.",
                    )
                })
                .collect();
            items.push(hidden(
                "objects.least_privilege",
                format!("Describe global failed: {e}"),
                "Run the check again.",
            ));
            return items;
        }
    };
    let mut items = Vec::new();
    for (id, name) in TARGETS {
        let fix_for = |missing: &[&str]| {
            let words: Vec<&str> = missing
                .iter()
                .map(|m| match *m {
                    "queryable" => "Read",
                    "createable" => "Create",
                    "updateable" => "Edit",
                    _ => "Delete",
                })
                .collect();
            format!(
                "{PERMSET_PATH} > Object Settings > {name} > Edit: tick {}.",
                words.join(", ")
            )
        };
        let fix = fix_for(&["queryable", "createable", "updateable", "deletable"]);
        if !global.sobjects.iter().any(|s| s.name == name) {
            items.push(fail(
                id,
                format!("{name} is not in describe global: the user cannot read it"),
                &fix,
            ));
            continue;
        }
        match client.describe(name).await {
            Ok(d) => {
                let rights = [
                    ("queryable", d.queryable),
                    ("createable", d.createable),
                    ("updateable", d.updateable),
                    ("deletable", d.deletable),
                ];
                let missing: Vec<&str> =
                    rights.iter().filter(|(_, v)| !v).map(|(k, _)| *k).collect();
                if missing.is_empty() {
                    items.push(pass(
                        id,
                        format!("{name} describe: queryable, createable, updateable, deletable"),
                    ));
                } else {
                    let have: Vec<&str> =
                        rights.iter().filter(|(_, v)| *v).map(|(k, _)| *k).collect();
                    items.push(fail(
                        id,
                        format!(
                            "{name} describe: not {} (has {})",
                            missing.join(", not "),
                            if have.is_empty() {
                                "nothing".to_owned()
                            } else {
                                have.join(", ")
                            }
                        ),
                        &fix_for(&missing),
                    ));
                }
            }
            Err(e) => items.push(fail(id, format!("Describe {name} failed: {e}"), &fix)),
        }
    }
    // Least privilege: write access to anything else, or read access to sensitive objects.
    let mut extra = Vec::new();
    for s in &global.sobjects {
        if TARGETS.iter().any(|(_, n)| *n == s.name) {
            continue;
        }
        let mut rights = Vec::new();
        if s.queryable && SENSITIVE.contains(&s.name.as_str()) {
            rights.push("read");
        }
        if s.createable {
            rights.push("create");
        }
        if s.updateable {
            rights.push("edit");
        }
        if s.deletable {
            rights.push("delete");
        }
        if !rights.is_empty() {
            extra.push(format!("{} ({})", s.name, rights.join("/")));
        }
    }
    items.push(if extra.is_empty() {
        pass(
            "objects.least_privilege",
            format!(
                "{} objects in describe global; none besides Account, Contact, Lead is writable \
                 or sensitive",
                global.sobjects.len()
            ),
        )
    } else {
        warn(
            "objects.least_privilege",
            format!("Also accessible: {}", extra.join(", ")),
            "Remove the object permissions the integration does not need: Setup > Users > \
             Profiles / Permission Sets > Object Settings (and avoid View All / Modify All Data).",
        )
    });
    items
}
