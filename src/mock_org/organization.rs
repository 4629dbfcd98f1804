//! The Organization object: what Salesforce tools query right after login (`SELECT Id, Name,
//! OrganizationType, IsSandbox, InstanceName, NamespacePrefix, TrialExpirationDate, ...
//! FROM Organization`), served through describe, SOQL and `GET /sobjects/Organization/{id}`
//! like any object, its Id the one the tokens carry. The fields are those of a recorded real
//! Organization record (`tests/fixtures/sf/cumulusci/organization_record.json`); which kind of
//! org it is comes from `--org-type` ([`OrgType`]).

use serde_json::{Value, json};

use super::schema::Schema;
use super::schema::generated::{FieldSpec, ObjectSpec};
use super::soql::Row;
use super::state::{Inner, Record, sf_datetime};

/// Which kind of org the mock plays (`--org-type`): what `OrganizationType`, `IsSandbox` and
/// `TrialExpirationDate` say, the fields that tell production from the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OrgType {
    /// A production org (Enterprise Edition, not a sandbox).
    Production,
    /// A sandbox of a production org (Enterprise Edition, `IsSandbox`).
    Sandbox,
    /// A Developer Edition org (the default).
    #[default]
    Developer,
    /// A scratch org (Developer Edition, `IsSandbox`, with a trial expiration date).
    Scratch,
}

impl OrgType {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            OrgType::Production => "production",
            OrgType::Sandbox => "sandbox",
            OrgType::Developer => "developer",
            OrgType::Scratch => "scratch",
        }
    }

    /// `OrganizationType` (the edition).
    pub fn edition(self) -> &'static str {
        match self {
            OrgType::Production | OrgType::Sandbox => "Enterprise Edition",
            OrgType::Developer | OrgType::Scratch => "Developer Edition",
        }
    }

    /// `IsSandbox`.
    pub fn is_sandbox(self) -> bool {
        matches!(self, OrgType::Sandbox | OrgType::Scratch)
    }
}

impl std::fmt::Display for OrgType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How long a scratch org lives from the org's "now" (the default duration of `sf org create
/// scratch` is 7 days).
const SCRATCH_DAYS: i64 = 7;

/// When the org was created and last changed: 2025-01-01 and 2026-01-01, 00:00 UTC.
const CREATED_MS: i64 = 1_735_689_600_000;
const MODIFIED_MS: i64 = 1_767_225_600_000;

/// The Organization object's spec: the fields of the recorded record, in its order.
pub(crate) fn object_spec() -> ObjectSpec {
    let f = FieldSpec::new;
    let access = |name| {
        f(name, "picklist").length(40).values(&[
            "None",
            "Read",
            "Edit",
            "ReadEditTransfer",
            "ControlledByParent",
        ])
    };
    let pref = |name| f(name, "boolean");
    ObjectSpec {
        name: "Organization",
        label: "Organization",
        plural: "Organizations",
        key_prefix: "00D",
        layoutable: false,
        fields: vec![
            f("Id", "id"),
            f("Name", "string").length(80),
            f("Division", "string").length(80),
            f("Street", "textarea"),
            f("City", "string").length(40),
            f("State", "string").length(80).label("State/Province"),
            f("PostalCode", "string")
                .length(20)
                .label("Zip/Postal Code"),
            f("Country", "string").length(80),
            f("Latitude", "double"),
            f("Longitude", "double"),
            f("GeocodeAccuracy", "picklist").length(40).values(&[
                "Address",
                "NearAddress",
                "Block",
                "Street",
                "City",
                "Zip",
            ]),
            f("Address", "address"),
            f("Phone", "phone"),
            f("Fax", "phone"),
            f("PrimaryContact", "string").length(80),
            f("DefaultLocaleSidKey", "picklist")
                .label("Locale")
                .length(40)
                .values(&["en_US", "fr_FR", "de_DE"]),
            f("TimeZoneSidKey", "picklist")
                .label("Default Time Zone")
                .length(40)
                .values(&["America/Los_Angeles", "Europe/Paris", "GMT"]),
            f("LanguageLocaleKey", "picklist")
                .label("Language")
                .length(40)
                .values(&["en_US", "fr", "de"]),
            pref("ReceivesInfoEmails"),
            pref("ReceivesAdminInfoEmails"),
            pref("PreferencesRequireOpportunityProducts"),
            pref("PreferencesTransactionSecurityPolicy"),
            pref("PreferencesTerminateOldestSession"),
            pref("PreferencesConsentManagementEnabled"),
            pref("PreferencesAutoSelectIndividualOnMerge"),
            pref("PreferencesLightningLoginEnabled"),
            pref("PreferencesOnlyLLPermUserAllowed"),
            f("FiscalYearStartMonth", "int").read_only(),
            f("UsesStartDateAsFiscalYearName", "boolean").read_only(),
            access("DefaultAccountAccess"),
            access("DefaultContactAccess"),
            access("DefaultOpportunityAccess"),
            access("DefaultLeadAccess"),
            access("DefaultCaseAccess"),
            access("DefaultCalendarAccess"),
            access("DefaultPricebookAccess"),
            access("DefaultCampaignAccess"),
            f("DelegatedAuthenticationServiceUrl", "url").read_only(),
            f("SystemModstamp", "datetime"),
            f("ComplianceBccEmail", "email"),
            f("UiSkin", "picklist")
                .label("UI Skin")
                .length(40)
                .values(&["Theme1", "Theme2", "PortalDefault", "Webstore", "Theme3"]),
            f("SignupCountryIsoCode", "string").length(2).read_only(),
            f("TrialExpirationDate", "datetime").read_only(),
            f("NumKnowledgeService", "int").read_only(),
            f("OrganizationType", "picklist")
                .label("Edition")
                .length(40)
                .values(&[
                    "Team Edition",
                    "Professional Edition",
                    "Enterprise Edition",
                    "Developer Edition",
                    "Personal Edition",
                    "Unlimited Edition",
                    "Contact Manager Edition",
                    "Base Edition",
                ])
                .read_only(),
            f("NamespacePrefix", "string").length(15).read_only(),
            f("InstanceName", "string").length(5).read_only(),
            f("IsSandbox", "boolean").read_only(),
            f("WebToCaseDefaultOrigin", "string").length(40),
            f("MonthlyPageViewsUsed", "int").read_only(),
            f("MonthlyPageViewsEntitlement", "int").read_only(),
            f("IsReadOnly", "boolean").read_only(),
            f("CreatedDate", "datetime"),
            FieldSpec::reference("CreatedById", "User", "CreatedBy"),
            f("LastModifiedDate", "datetime"),
            FieldSpec::reference("LastModifiedById", "User", "LastModifiedBy"),
        ],
    }
}

/// The one Organization record: the org `org_id` of type `org_type`, created and last changed
/// by `user_id`; `now_ms` (the org's clock) dates a scratch org's expiry.
pub(crate) fn row(org_id: &str, user_id: &str, org_type: OrgType, now_ms: i64) -> Row {
    let trial = match org_type {
        OrgType::Scratch => json!(sf_datetime(now_ms + SCRATCH_DAYS * 86_400_000)),
        _ => Value::Null,
    };
    let mut row = Row::new();
    let mut set = |k: &str, v: Value| {
        row.insert(k.to_owned(), v);
    };
    set("Id", json!(org_id));
    set("Name", json!("sfterm Mock Org"));
    set("Country", json!("US"));
    set("PrimaryContact", json!("Jane Admin"));
    set("DefaultLocaleSidKey", json!("en_US"));
    set("TimeZoneSidKey", json!("America/Los_Angeles"));
    set("LanguageLocaleKey", json!("en_US"));
    for (name, value) in [
        ("ReceivesInfoEmails", true),
        ("ReceivesAdminInfoEmails", true),
        ("PreferencesRequireOpportunityProducts", false),
        ("PreferencesTransactionSecurityPolicy", false),
        ("PreferencesTerminateOldestSession", false),
        ("PreferencesConsentManagementEnabled", true),
        ("PreferencesAutoSelectIndividualOnMerge", false),
        ("PreferencesLightningLoginEnabled", true),
        ("PreferencesOnlyLLPermUserAllowed", false),
        ("UsesStartDateAsFiscalYearName", false),
        ("IsReadOnly", false),
    ] {
        set(name, json!(value));
    }
    set("FiscalYearStartMonth", json!(1));
    for (name, value) in [
        ("DefaultAccountAccess", "Edit"),
        ("DefaultContactAccess", "ControlledByParent"),
        ("DefaultOpportunityAccess", "Edit"),
        ("DefaultLeadAccess", "ReadEditTransfer"),
        ("DefaultCaseAccess", "ReadEditTransfer"),
        ("DefaultCalendarAccess", "HideDetailsInsert"),
        ("DefaultPricebookAccess", "ReadSelect"),
        ("DefaultCampaignAccess", "All"),
        ("UiSkin", "Theme3"),
        ("SignupCountryIsoCode", "US"),
        ("WebToCaseDefaultOrigin", "Web"),
    ] {
        set(name, json!(value));
    }
    set("TrialExpirationDate", trial);
    set("NumKnowledgeService", json!(2));
    set("OrganizationType", json!(org_type.edition()));
    set("NamespacePrefix", Value::Null);
    set(
        "InstanceName",
        json!(if org_type.is_sandbox() {
            "MOCK1S"
        } else {
            "MOCK1"
        }),
    );
    set("IsSandbox", json!(org_type.is_sandbox()));
    set("MonthlyPageViewsUsed", json!(0));
    set("MonthlyPageViewsEntitlement", json!(0));
    set("CreatedDate", json!(sf_datetime(CREATED_MS)));
    set("CreatedById", json!(user_id));
    set("LastModifiedDate", json!(sf_datetime(MODIFIED_MS)));
    set("LastModifiedById", json!(user_id));
    set("SystemModstamp", json!(sf_datetime(MODIFIED_MS)));
    row
}

/// Stores the Organization record.
pub(crate) fn seed(
    schema: &Schema,
    inner: &mut Inner,
    (org_id, user_id): (&str, &str),
    org_type: OrgType,
    now_ms: i64,
) {
    let Some(object) = schema.objects.iter().find(|o| o.name == "Organization") else {
        return;
    };
    let record = Record {
        row: row(org_id, user_id, org_type, now_ms),
        modified_ms: MODIFIED_MS,
    };
    inner.store.table_mut(object).put(org_id, &record);
}
