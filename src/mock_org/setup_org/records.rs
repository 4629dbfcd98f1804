//! The setup objects' records (User, Profile, PermissionSet, assignments, object and class
//! access, IP ranges, login history, licences), seeded for the scenario played.

use serde_json::{Value, json};

use super::super::schema::Schema;
use super::super::soql::Row;
use super::super::state::{Inner, Record, sf_datetime};
use super::Scenario;
use super::permissions::{CLASSES, SetupOrg, SystemPerms, id};

/// Base time of the setup records: 2025-06-01T09:00:00Z.
const SETUP_MS: i64 = 1_748_768_400_000;

/// Stores one setup record (hidden objects included: the store holds them, the user just
/// cannot see them).
fn put(schema: &Schema, inner: &mut Inner, object: &str, mut row: Row, ms: i64) {
    let Some(id) = row.get("Id").and_then(Value::as_str).map(str::to_owned) else {
        return;
    };
    let Some(object) = schema.objects.iter().find(|o| o.name == object) else {
        return;
    };
    row.entry("CreatedDate")
        .or_insert_with(|| json!(sf_datetime(SETUP_MS)));
    row.entry("SystemModstamp")
        .or_insert_with(|| json!(sf_datetime(ms)));
    inner.store.table_mut(object).put(
        &id,
        &Record {
            row,
            modified_ms: ms,
        },
    );
}

fn row(value: Value) -> Row {
    match value {
        Value::Object(map) => map,
        _ => Row::new(),
    }
}

/// A User row: `base` plus what every user of the org shares (locale, language, encoding,
/// company, type, last change).
fn user_row(base: Value) -> Row {
    let mut r = row(base);
    for (k, v) in [
        ("CompanyName", "sfterm Mock Org"),
        ("UserType", "Standard"),
        ("LocaleSidKey", "en_US"),
        ("LanguageLocaleKey", "en_US"),
        ("EmailEncodingKey", "UTF-8"),
    ] {
        r.insert(k.into(), json!(v));
    }
    r.insert("LastModifiedDate".into(), json!(sf_datetime(SETUP_MS)));
    r
}

fn perm_row(base: Value, perms: SystemPerms) -> Row {
    let mut r = row(base);
    for (k, v) in perms.fields() {
        r.insert(k.into(), json!(v));
    }
    r
}

/// Stores the setup records of `scenario` (users, profiles, permission sets and their
/// assignments, object permissions, class access, IP ranges, login history, licences).
pub(crate) fn seed(scenario: Scenario, schema: &Schema, user_id: &str, inner: &mut Inner) {
    let setup = SetupOrg::new(scenario);
    let at = |hours: i64| SETUP_MS + hours * 3_600_000;
    // Licences.
    for (seq, name, total, used) in [
        (1, "Salesforce Integration", 5, 1),
        (2, "Salesforce", 10, 3),
    ] {
        put(
            schema,
            inner,
            "UserLicense",
            row(
                json!({"Id": id("100", seq), "Name": name, "MasterLabel": name,
                       "Status": "Active", "TotalLicenses": total, "UsedLicenses": used}),
            ),
            SETUP_MS,
        );
    }
    // Profiles: the integration profile and System Administrator, with their own permission sets.
    let admin_perms = SetupOrg::new(Scenario::OverPrivileged).perm_sets[0].perms;
    let integ_perms = SetupOrg::new(Scenario::Good).perm_sets[0].perms;
    for (seq, name, licence, perms) in [
        (1, "Salesforce API Only System Integrations", 1, integ_perms),
        (2, "System Administrator", 2, admin_perms),
    ] {
        put(
            schema,
            inner,
            "Profile",
            perm_row(
                json!({"Id": id("00e", seq), "Name": name, "UserType": "Standard",
                       "UserLicenseId": id("100", licence), "Description": null}),
                perms,
            ),
            SETUP_MS,
        );
        if seq
            != if setup.profile_id == id("00e", 1) {
                1
            } else {
                2
            }
        {
            put(
                schema,
                inner,
                "PermissionSet",
                perm_row(
                    json!({"Id": id("0PS", seq), "Name": format!("X00e00000000000{seq}AAA"),
                           "Label": name, "IsOwnedByProfile": true,
                           "ProfileId": id("00e", seq)}),
                    perms,
                ),
                SETUP_MS,
            );
        }
    }
    // Users: the run-as user and an administrator.
    let admin_id = id("005", 1_700_002);
    let (first, last) = setup.person();
    put(
        schema,
        inner,
        "User",
        user_row(json!({"Id": user_id, "Username": setup.username,
                   "FirstName": first, "LastName": last, "Name": format!("{first} {last}"),
                   "Alias": if scenario == Scenario::OverPrivileged { "jadmin" } else { "intuser" },
                   "Email": "ops@sfterm-mock.example",
                   "IsActive": scenario != Scenario::InactiveUser,
                   "ProfileId": setup.profile_id, "TimeZoneSidKey": "America/Los_Angeles",
                   "LastLoginDate": sf_datetime(at(24 * 200))})),
        SETUP_MS,
    );
    if scenario != Scenario::OverPrivileged {
        put(
            schema,
            inner,
            "User",
            user_row(
                json!({"Id": admin_id, "Username": "jane.admin@sfterm-mock.example",
                       "FirstName": "Jane", "LastName": "Admin", "Name": "Jane Admin",
                       "Alias": "jadmin", "Email": "jane.admin@sfterm-mock.example",
                       "IsActive": true, "ProfileId": id("00e", 2),
                       "TimeZoneSidKey": "Europe/Paris",
                       "LastLoginDate": sf_datetime(at(24 * 190))}),
            ),
            SETUP_MS,
        );
    }
    // Apex classes.
    for (seq, name) in CLASSES.iter().enumerate() {
        put(
            schema,
            inner,
            "ApexClass",
            row(
                json!({"Id": id("01p", seq as u64 + 1), "Name": name, "NamespacePrefix": null,
                       "Status": "Active", "ApiVersion": 62.0, "IsValid": true}),
            ),
            SETUP_MS,
        );
    }
    let class_id = |name: &str| {
        CLASSES
            .iter()
            .position(|c| *c == name)
            .map(|i| id("01p", i as u64 + 1))
    };
    // The user's permission sets, assignments, object permissions and class access.
    let (mut op_seq, mut sea_seq, mut psa_seq) = (0u64, 0u64, 0u64);
    for set in &setup.perm_sets {
        put(
            schema,
            inner,
            "PermissionSet",
            perm_row(
                json!({"Id": set.id, "Name": set.name, "Label": set.label,
                       "IsOwnedByProfile": set.owned_by_profile,
                       "ProfileId": if set.owned_by_profile { json!(setup.profile_id) } else { Value::Null }}),
                set.perms,
            ),
            SETUP_MS,
        );
        psa_seq += 1;
        put(
            schema,
            inner,
            "PermissionSetAssignment",
            row(json!({"Id": id("0Pa", psa_seq), "AssigneeId": user_id,
                       "PermissionSetId": set.id})),
            SETUP_MS,
        );
        for (object, r) in &set.objects {
            op_seq += 1;
            put(
                schema,
                inner,
                "ObjectPermissions",
                row(
                    json!({"Id": id("110", op_seq), "ParentId": set.id, "SobjectType": object,
                           "PermissionsRead": r.read, "PermissionsCreate": r.create,
                           "PermissionsEdit": r.edit, "PermissionsDelete": r.delete,
                           "PermissionsViewAllRecords": r.view_all,
                           "PermissionsModifyAllRecords": r.modify_all}),
                ),
                SETUP_MS,
            );
        }
        for class in &set.classes {
            sea_seq += 1;
            put(
                schema,
                inner,
                "SetupEntityAccess",
                row(json!({"Id": id("0J0", sea_seq), "ParentId": set.id,
                           "SetupEntityId": class_id(class), "SetupEntityType": "ApexClass"})),
                SETUP_MS,
            );
        }
    }
    // Login IP ranges of the user's profile.
    for (seq, (start, end, description)) in setup.ip_ranges.iter().enumerate() {
        put(
            schema,
            inner,
            "LoginIpRange",
            row(
                json!({"Id": id("0LI", seq as u64 + 1), "ProfileId": setup.profile_id,
                       "StartAddress": start, "EndAddress": end, "Description": description}),
            ),
            SETUP_MS,
        );
    }
    // Login history of the run-as user: API logins from the middleware, and for the
    // administrator account also browser logins and a failure.
    let mut history: Vec<(i64, &str, &str, &str, &str, &str)> = vec![
        (
            24 * 180,
            "Remote Access Client",
            "203.0.113.10",
            "Success",
            "sfterm",
            "Unknown",
        ),
        (
            24 * 190,
            "Remote Access Client",
            "203.0.113.10",
            "Success",
            "sfterm",
            "Unknown",
        ),
        (
            24 * 200,
            "Remote Access Client",
            "203.0.113.11",
            "Success",
            "sfterm",
            "Unknown",
        ),
    ];
    if scenario == Scenario::OverPrivileged {
        history.push((
            24 * 195,
            "Application",
            "198.51.100.77",
            "Success",
            "Browser",
            "Chrome 131",
        ));
        history.push((
            24 * 196,
            "Application",
            "192.0.2.200",
            "Invalid Password",
            "Browser",
            "Firefox 133",
        ));
    }
    for (seq, (hours, kind, ip, status, app, browser)) in history.into_iter().enumerate() {
        put(
            schema,
            inner,
            "LoginHistory",
            row(json!({"Id": id("0Ya", seq as u64 + 1), "UserId": user_id,
                       "LoginTime": sf_datetime(at(hours)), "LoginType": kind, "SourceIp": ip,
                       "Status": status, "Application": app, "Browser": browser,
                       "Platform": "Unknown", "LoginUrl": "mydomain.my.salesforce.com"})),
            at(hours),
        );
    }
}
