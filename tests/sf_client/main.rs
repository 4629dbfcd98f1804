//! `SfClient`, the Salesforce API client: against the embedded mock org, against a tiny fake org
//! (renewal, paging, headers, transport errors, TLS), and its Bulk API 2.0 query jobs; the login
//! flows (browser login with PKCE, refresh tokens, JWT bearer, the Salesforce CLI) against a
//! fake of Salesforce's OAuth side, and their diagnoses.
//! One test binary (`cargo test --test sf_client`); each file below is one concern.

#[path = "../common/mod.rs"]
mod common;

mod api_log;
mod bulk;
mod downloads;
mod fake_org;
mod grants;
mod login_diagnosis;
mod mock_org;
mod oauth_fake;
mod sf_cli;
mod web_login;
