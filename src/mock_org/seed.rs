//! Deterministic, realistic seed data: accounts, their contacts, and leads.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use super::MockOrgConfig;
use super::schema::{ObjectSchema, Schema};
use super::soql::Row;
use super::state::{Inner, Record, sf_datetime};

fn words(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// The word lists the generator draws from.
struct Words<'a> {
    company: Vec<&'a str>,
    suffix: Vec<&'a str>,
    first: Vec<&'a str>,
    last: Vec<&'a str>,
    cities: Vec<[&'a str; 4]>,
    streets: Vec<&'a str>,
    titles: Vec<&'a str>,
}

fn pick<'a, T: ?Sized>(rng: &mut StdRng, list: &'a [&'a T]) -> &'a T {
    list[rng.random_range(0..list.len())]
}

/// Base time of the seed data: 2026-01-01T08:00:00Z.
const BASE_MS: i64 = 1_767_254_400_000;

/// Picklist values of a field (empty if unknown).
fn values<'a>(object: &'a ObjectSchema, field: &str) -> Vec<&'a str> {
    object
        .field(field)
        .map(|f| f.picklist.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

/// A record under construction: a map (creates, loaded data) or a [`SeedRow`].
pub(crate) trait Fields<'n> {
    /// Whether `object` has a field named exactly `name`.
    fn knows(&self, object: &ObjectSchema, name: &str) -> bool;
    /// Whether the record has the field already.
    fn has(&self, name: &str) -> bool;
    /// Sets a field.
    fn set(&mut self, name: &'n str, value: Value);
}

impl<'n> Fields<'n> for Row {
    fn knows(&self, object: &ObjectSchema, name: &str) -> bool {
        object.field(name).is_some()
    }

    fn has(&self, name: &str) -> bool {
        self.contains_key(name)
    }

    fn set(&mut self, name: &'n str, value: Value) {
        self.insert(name.to_owned(), value);
    }
}

/// A seeded record's fields in order, names checked against the object's field names once
/// collected: no map and no key strings per row (1M accounts are seeded at once).
struct SeedRow<'n> {
    names: &'n HashSet<&'n str>,
    list: Vec<(&'n str, Value)>,
}

impl<'n> SeedRow<'n> {
    fn new(names: &'n HashSet<&'n str>) -> Self {
        SeedRow {
            names,
            list: Vec::with_capacity(32),
        }
    }
}

impl<'n> Fields<'n> for SeedRow<'n> {
    fn knows(&self, _object: &ObjectSchema, name: &str) -> bool {
        self.names.contains(name)
    }

    fn has(&self, name: &str) -> bool {
        self.list.iter().any(|(k, _)| *k == name)
    }

    fn set(&mut self, name: &'n str, value: Value) {
        self.list.push((name, value));
    }
}

fn put<'n>(row: &mut impl Fields<'n>, object: &ObjectSchema, name: &'n str, value: Value) {
    if !value.is_null() && row.knows(object, name) {
        row.set(name, value);
    }
}

/// Sets the system fields every record has; an owner already given (a create with `OwnerId`)
/// is kept, otherwise the integration user owns the record.
pub(crate) fn system_fields<'n>(
    row: &mut impl Fields<'n>,
    object: &'n ObjectSchema,
    user_id: &str,
    created: i64,
    modified: i64,
) {
    put(row, object, "IsDeleted", json!(false));
    if !row.has("OwnerId") {
        put(row, object, "OwnerId", json!(user_id));
    }
    put(row, object, "CreatedById", json!(user_id));
    put(row, object, "LastModifiedById", json!(user_id));
    put(row, object, "CreatedDate", json!(sf_datetime(created)));
    put(
        row,
        object,
        "LastModifiedDate",
        json!(sf_datetime(modified)),
    );
    put(row, object, "SystemModstamp", json!(sf_datetime(modified)));
    for field in &object.fields {
        if field.ftype == "boolean" && !row.has(&field.name) {
            row.set(&field.name, json!(false));
        }
    }
}

fn phone(rng: &mut StdRng) -> String {
    format!(
        "({}) {}-{:04}",
        rng.random_range(201..990),
        rng.random_range(200..990),
        rng.random_range(0..10000)
    )
}

fn domain(company: &str) -> String {
    let d: String = company
        .split_whitespace()
        .next()
        .unwrap_or("example")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    format!("{d}.example.com")
}

fn ascii_lower(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ü' => 'u',
            'é' => 'e',
            _ => c,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Stores a seeded record under a freshly minted id.
fn insert_seeded(inner: &mut Inner, object: &ObjectSchema, row: &SeedRow<'_>, modified: i64) {
    let seq = inner.seq.entry(object.key_prefix.clone()).or_insert(0);
    *seq += 1;
    let id = crate::sf::id::mint(&object.key_prefix, *seq);
    let id_value = Value::String(id.clone());
    let fields = std::iter::once(("Id", &id_value)).chain(row.list.iter().map(|(k, v)| (*k, v)));
    inner
        .store
        .table_mut(object)
        .put_fields(&id, fields, modified);
}

fn insert(inner: &mut Inner, object: &ObjectSchema, row: Row, modified: i64) -> String {
    let seq = inner.seq.entry(object.key_prefix.clone()).or_insert(0);
    *seq += 1;
    let id = crate::sf::id::mint(&object.key_prefix, *seq);
    let mut full = Row::with_capacity(row.len() + 1);
    full.insert("Id".to_owned(), json!(id));
    full.extend(row);
    inner.store.table_mut(object).put(
        &id,
        &Record {
            row: full,
            modified_ms: modified,
        },
    );
    id
}

/// Stores a new record under a freshly minted id and returns the id.
pub(crate) fn insert_record(
    inner: &mut Inner,
    object: &ObjectSchema,
    row: Row,
    modified: i64,
) -> String {
    insert(inner, object, row, modified)
}

/// Fills `inner.store`: the Organization record of `org_id` (dated by the org's clock,
/// `now_ms`), the setup records of the run-as user `user_id`, `config.records` accounts, about
/// one contact per account and half as many leads.
pub(crate) fn seed<'a>(
    config: &MockOrgConfig,
    schema: &'a Schema,
    (org_id, user_id): (&str, &str),
    now_ms: i64,
    inner: &mut Inner,
) {
    super::organization::seed(schema, inner, (org_id, user_id), config.org_type, now_ms);
    super::setup_org::seed(config.scenario, schema, user_id, inner);
    let (Some(account), Some(contact), Some(lead)) = (
        schema.object("Account"),
        schema.object("Contact"),
        schema.object("Lead"),
    ) else {
        return;
    };
    let w = Words {
        company: words(include_str!("../../assets/mock-org/company_words.txt")),
        suffix: words(include_str!("../../assets/mock-org/company_suffixes.txt")),
        first: words(include_str!("../../assets/mock-org/first_names.txt")),
        last: words(include_str!("../../assets/mock-org/last_names.txt")),
        cities: words(include_str!("../../assets/mock-org/cities.txt"))
            .into_iter()
            .map(|l| {
                let mut parts = l.split('|');
                let mut next = || parts.next().unwrap_or("");
                [next(), next(), next(), next()]
            })
            .collect(),
        streets: words(include_str!("../../assets/mock-org/streets.txt")),
        titles: words(include_str!("../../assets/mock-org/titles.txt")),
    };
    if w.company.is_empty()
        || w.suffix.is_empty()
        || w.first.is_empty()
        || w.last.is_empty()
        || w.cities.is_empty()
        || w.streets.is_empty()
        || w.titles.is_empty()
    {
        return;
    }
    let mut rng = StdRng::seed_from_u64(config.seed);
    let names = |o: &'a ObjectSchema| -> HashSet<&'a str> {
        o.fields.iter().map(|f| f.name.as_str()).collect()
    };
    let (account_names, contact_names, lead_names) = (names(account), names(contact), names(lead));
    let industries = values(account, "Industry");
    let types = values(account, "Type");
    let ratings = values(account, "Rating");
    let sources = values(account, "AccountSource");
    let lead_status = values(lead, "Status");
    let lead_sources = values(lead, "LeadSource");
    let lead_industries = values(lead, "Industry");
    let salutations = values(contact, "Salutation");
    let opt = |rng: &mut StdRng, list: &[&str]| -> Value {
        if list.is_empty() {
            Value::Null
        } else {
            json!(list[rng.random_range(0..list.len())])
        }
    };

    // What the contacts need of each account, kept small: 1M accounts are seeded at once.
    let mut accounts: Vec<(&str, u32, i64)> = Vec::with_capacity(config.records);
    let contacts = config.records / 3 * 3 + usize::from(config.records % 3 == 2);
    inner.store.table_mut(account).reserve_exact(config.records);
    inner.store.table_mut(contact).reserve_exact(contacts);
    inner
        .store
        .table_mut(lead)
        .reserve_exact(config.records / 2);
    let first_account_seq = inner.seq.get(&account.key_prefix).copied().unwrap_or(0);
    for i in 0..config.records {
        let word = pick(&mut rng, &w.company);
        let name = format!("{word} {}", pick(&mut rng, &w.suffix));
        let name = if i >= w.company.len() * w.suffix.len() / 2 {
            format!("{name} {}", i / 100 + 1)
        } else {
            name
        };
        let city_index = rng.random_range(0..w.cities.len());
        let city = w.cities[city_index];
        let created =
            BASE_MS - rng.random_range(1..900) * 86_400_000 - rng.random_range(0..86_400_000);
        let modified = created + rng.random_range(0..60) * 86_400_000;
        let mut row = SeedRow::new(&account_names);
        put(&mut row, account, "Name", json!(name));
        put(&mut row, account, "Type", opt(&mut rng, &types));
        put(&mut row, account, "Industry", opt(&mut rng, &industries));
        put(&mut row, account, "Rating", opt(&mut rng, &ratings));
        put(&mut row, account, "AccountSource", opt(&mut rng, &sources));
        put(&mut row, account, "Phone", json!(phone(&mut rng)));
        put(
            &mut row,
            account,
            "Website",
            json!(format!("https://www.{}", domain(&name))),
        );
        put(
            &mut row,
            account,
            "AccountNumber",
            json!(format!("CD{:06}", 100_000 + i)),
        );
        put(
            &mut row,
            account,
            "AnnualRevenue",
            json!(f64::from(rng.random_range(1u32..5000)) * 10_000.0),
        );
        put(
            &mut row,
            account,
            "NumberOfEmployees",
            json!(rng.random_range(5..50_000)),
        );
        put(
            &mut row,
            account,
            "BillingStreet",
            json!(format!(
                "{} {} St",
                rng.random_range(1..999),
                pick(&mut rng, &w.streets)
            )),
        );
        put(&mut row, account, "BillingCity", json!(city[0]));
        if !city[1].is_empty() {
            put(&mut row, account, "BillingState", json!(city[1]));
        }
        put(&mut row, account, "BillingPostalCode", json!(city[2]));
        put(&mut row, account, "BillingCountry", json!(city[3]));
        system_fields(&mut row, account, user_id, created, modified);
        insert_seeded(inner, account, &row, modified);
        accounts.push((word, u32::try_from(city_index).unwrap_or(0), created));
    }

    for (i, &(company, city, created)) in accounts.iter().enumerate() {
        // Accounts got consecutive sequence numbers; the id is minted again, not kept.
        let account_id = crate::sf::id::mint(&account.key_prefix, first_account_seq + 1 + i as u64);
        let city = w.cities[city as usize];
        for _ in 0..(i % 3) {
            let first = pick(&mut rng, &w.first);
            let last = pick(&mut rng, &w.last);
            let created = created + rng.random_range(0..30) * 86_400_000;
            let modified = created + rng.random_range(0..30) * 86_400_000;
            let mut row = SeedRow::new(&contact_names);
            put(&mut row, contact, "AccountId", json!(account_id));
            put(&mut row, contact, "Salutation", opt(&mut rng, &salutations));
            put(&mut row, contact, "FirstName", json!(first));
            put(&mut row, contact, "LastName", json!(last));
            put(&mut row, contact, "Name", json!(format!("{first} {last}")));
            put(&mut row, contact, "Title", json!(pick(&mut rng, &w.titles)));
            put(
                &mut row,
                contact,
                "Email",
                json!(format!(
                    "{}.{}@{}",
                    ascii_lower(first),
                    ascii_lower(last),
                    domain(company)
                )),
            );
            put(&mut row, contact, "Phone", json!(phone(&mut rng)));
            put(&mut row, contact, "MailingCity", json!(city[0]));
            put(&mut row, contact, "MailingPostalCode", json!(city[2]));
            put(&mut row, contact, "MailingCountry", json!(city[3]));
            system_fields(&mut row, contact, user_id, created, modified);
            insert_seeded(inner, contact, &row, modified);
        }
    }

    for i in 0..config.records / 2 {
        let first = pick(&mut rng, &w.first);
        let last = pick(&mut rng, &w.last);
        let company = format!(
            "{} {}",
            pick(&mut rng, &w.company),
            pick(&mut rng, &w.suffix)
        );
        let city = w.cities[rng.random_range(0..w.cities.len())];
        let created =
            BASE_MS - rng.random_range(1..400) * 86_400_000 - i64::try_from(i).unwrap_or(0);
        let modified = created + rng.random_range(0..20) * 86_400_000;
        let mut row = SeedRow::new(&lead_names);
        put(&mut row, lead, "FirstName", json!(first));
        put(&mut row, lead, "LastName", json!(last));
        put(&mut row, lead, "Name", json!(format!("{first} {last}")));
        put(&mut row, lead, "Company", json!(company));
        put(&mut row, lead, "Title", json!(pick(&mut rng, &w.titles)));
        put(&mut row, lead, "Status", opt(&mut rng, &lead_status));
        put(&mut row, lead, "LeadSource", opt(&mut rng, &lead_sources));
        put(&mut row, lead, "Industry", opt(&mut rng, &lead_industries));
        put(
            &mut row,
            lead,
            "Email",
            json!(format!(
                "{}{}@{}",
                ascii_lower(first),
                ascii_lower(last),
                domain(&company)
            )),
        );
        put(&mut row, lead, "Phone", json!(phone(&mut rng)));
        put(&mut row, lead, "City", json!(city[0]));
        put(&mut row, lead, "Country", json!(city[3]));
        system_fields(&mut row, lead, user_id, created, modified);
        insert_seeded(inner, lead, &row, modified);
    }
}
