//! Criterion benchmarks of the hot paths that are not UI (issue #10):
//!
//! - `query_page/*`: a 2,000-record query page (as the mock org sends it for `SELECT` of 12
//!   Account fields): `parse_2000` parses it into [`QueryPage`] (maps, as the TUI's lists do),
//!   `to_csv_2000` reads it and writes it as CSV, as `sfterm query --format csv` does per page;
//! - `soql/parse`: the mock org's SOQL parser;
//! - `mock_org_soql/{10000,100000}/...`: the mock org's SOQL evaluation over 10k and 100k
//!   Accounts through its public entry point, the REST `query` resource on loopback (so a
//!   change of the store behind it needs no change here): a filtered `COUNT()` (scan and
//!   filter), a sorted `LIMIT 200` (scan, filter, sort) and the first page of a whole-table
//!   query (what `sfterm query ... --all` waits for first);
//! - `mock_org_get/record`: one `GET /sobjects/Account/{id}` on loopback;
//! - `soap/*`: parsing the shipped `CustomerWS` WSDL and building request envelopes from it.
//!
//! Run: `cargo bench --bench core` (all), `cargo bench --bench core -- query_page` (one group).
//! Set `SFTERM_BENCH_QUICK=1` to skip the 100k-Account group. Figures: docs/benchmarks.md.

#[path = "../tests/common/org.rs"]
#[allow(dead_code)] // only its token_for
mod org;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use sfterm::commands::query::{OutputFormat, PageWriter};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::requests::soap::Wsdl;
use sfterm::sf::{QueryPage, RawQueryPage};

/// The shipped WSDL of the mock org's `CustomerWS` Apex SOAP class.
const WSDL: &str = include_str!("../assets/mock-org/CustomerWS.wsdl");

/// A running mock org, a client and a token, on a runtime the benchmarks block on.
struct Org {
    rt: tokio::runtime::Runtime,
    org: MockOrg,
    client: reqwest::Client,
    token: String,
}

impl Org {
    fn start(records: usize) -> Org {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let org = rt
            .block_on(MockOrg::start(MockOrgConfig {
                records,
                // Benchmarks make far more calls than the default daily limit of 15,000.
                api_daily_limit: u64::MAX / 2,
                ..MockOrgConfig::default()
            }))
            .expect("mock org starts");
        let client = reqwest::Client::new();
        let token = rt.block_on(org::token_for(&org, &client));
        Org {
            rt,
            org,
            client,
            token,
        }
    }

    /// GET `path` (relative to the instance URL) with `query` parameters; the body as bytes,
    /// after checking for a 200.
    fn get(&self, path: &str, query: &[(&str, &str)]) -> bytes::Bytes {
        self.rt.block_on(async {
            let response = self
                .client
                .get(self.org.instance_url().join(path).expect("url"))
                .query(query)
                .bearer_auth(&self.token)
                .send()
                .await
                .expect("request");
            assert_eq!(response.status(), 200, "{path} {query:?}");
            response.bytes().await.expect("body")
        })
    }
}

fn query_page(c: &mut Criterion) {
    let org = Org::start(2500);
    let soql = "SELECT Id, Name, Type, Industry, Phone, Website, BillingCity, BillingCountry, \
                AnnualRevenue, NumberOfEmployees, Rating, CreatedDate FROM Account";
    let page = org.get("services/data/v62.0/query", &[("q", soql)]);
    let parsed: QueryPage = serde_json::from_slice(&page).expect("a query page");
    assert_eq!(parsed.records.len(), 2000, "a full page");
    let mut group = c.benchmark_group("query_page");
    group.throughput(Throughput::Bytes(page.len() as u64));
    group.bench_function("parse_2000", |b| {
        b.iter(|| {
            let page: QueryPage = serde_json::from_slice(black_box(&page)).expect("parses");
            page
        });
    });
    let body = page.clone();
    let mut csv = Vec::with_capacity(4 * page.len());
    group.bench_function("to_csv_2000", |b| {
        b.iter(|| {
            csv.clear();
            let page = RawQueryPage::decode(black_box(&body)).expect("parses");
            PageWriter::new(OutputFormat::Csv)
                .raw_page(&mut csv, &page)
                .expect("written");
            csv.len()
        });
    });
    group.finish();
}

fn soql_parse(c: &mut Criterion) {
    let soql = "SELECT Id, Name, Account.Name, Account.Owner.Name FROM Contact \
                WHERE (LastName LIKE 'S%' OR Email != null) AND CreatedDate > LAST_N_DAYS:30 \
                AND Account.Industry IN ('Energy', 'Banking') ORDER BY LastName DESC NULLS LAST \
                LIMIT 500 OFFSET 20";
    c.bench_function("soql/parse", |b| {
        b.iter(|| sfterm::mock_org::soql::parse(black_box(soql)).expect("parses"));
    });
}

fn mock_org_soql(c: &mut Criterion) {
    let quick = std::env::var_os("SFTERM_BENCH_QUICK").is_some();
    let sizes: &[usize] = if quick { &[10_000] } else { &[10_000, 100_000] };
    let queries = [
        (
            "count_where",
            "SELECT COUNT() FROM Account WHERE Industry = 'Energy'",
        ),
        (
            "order_by_limit_200",
            "SELECT Id, Name FROM Account WHERE AnnualRevenue > 1000000 ORDER BY Name LIMIT 200",
        ),
        ("first_page_all", "SELECT Id, Name, Industry FROM Account"),
    ];
    for &records in sizes {
        let org = Org::start(records);
        let mut group = c.benchmark_group(format!("mock_org_soql/{records}"));
        group.sample_size(if records > 10_000 { 10 } else { 30 });
        group.measurement_time(Duration::from_secs(if records > 10_000 { 10 } else { 5 }));
        group.throughput(Throughput::Elements(records as u64));
        for (name, soql) in queries {
            group.bench_with_input(BenchmarkId::from_parameter(name), soql, |b, soql| {
                b.iter(|| org.get("services/data/v62.0/query", &[("q", soql)]));
            });
        }
        group.finish();
        org.rt.block_on(org.org.shutdown());
    }
}

fn mock_org_get(c: &mut Criterion) {
    let org = Org::start(10_000);
    let page = org.get(
        "services/data/v62.0/query",
        &[("q", "SELECT Id FROM Account LIMIT 1000")],
    );
    let page: QueryPage = serde_json::from_slice(&page).expect("a query page");
    let paths: Vec<String> = page
        .records
        .iter()
        .filter_map(|r| r.get("Id").and_then(Value::as_str))
        .map(|id| format!("services/data/v62.0/sobjects/Account/{id}"))
        .collect();
    assert_eq!(paths.len(), 1000);
    let mut next = paths.iter().cycle();
    c.bench_function("mock_org_get/record", |b| {
        b.iter(|| org.get(next.next().expect("cycles"), &[]));
    });
}

fn soap(c: &mut Criterion) {
    let wsdl = Wsdl::parse(WSDL).expect("the shipped WSDL parses");
    let args: Vec<(String, String)> = [
        ("customer.name", "Nimbus & Sons"),
        ("customer.industry", "Energy"),
        ("customer.contacts[0].lastName", "Curie"),
        ("customer.contacts[0].firstName", "Marie"),
        ("customer.contacts[1].lastName", "Noether"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    let session = "00DDn000000HfTN!AQ4AQFakeSessionIdForTheBenchmarkOnly";
    let mut group = c.benchmark_group("soap");
    group.bench_function("parse_wsdl", |b| {
        b.iter(|| Wsdl::parse(black_box(WSDL)).expect("parses"));
    });
    group.bench_function("build_request_create_customer", |b| {
        b.iter(|| {
            wsdl.build_request("createCustomer", black_box(&args), session)
                .expect("builds")
        });
    });
    group.bench_function("skeleton_create_customer", |b| {
        b.iter(|| wsdl.skeleton(black_box("createCustomer")).expect("builds"));
    });
    group.finish();
}

criterion_group!(
    benches,
    query_page,
    soql_parse,
    soap,
    mock_org_get,
    mock_org_soql
);
criterion_main!(benches);
