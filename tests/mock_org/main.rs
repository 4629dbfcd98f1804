//! The embedded mock org: its APIs over real HTTP (OAuth, REST, query, Apex, Bulk, the customer
//! services), its SOQL engine, fault injection, serving modes and its docs run as written.
//! One test binary (`cargo test --test mock_org`); each file below is one concern.

#[path = "../common/mod.rs"]
mod common;

mod apex;
mod bulk;
mod columns;
mod conformance;
mod customer;
mod docs;
mod faults;
mod fidelity;
mod ingest;
mod oauth;
mod oauth_flows;
mod query;
mod rest;
mod result_pages;
mod serve;
mod shape;
mod soql;
