//! `SfClient`, the Salesforce API client: against the embedded mock org, against a tiny fake org
//! (renewal, paging, headers, transport errors, TLS), and its Bulk API 2.0 query jobs.
//! One test binary (`cargo test --test sf_client`); each file below is one concern.

#[path = "../common/mod.rs"]
mod common;

mod bulk;
mod fake_org;
mod mock_org;
