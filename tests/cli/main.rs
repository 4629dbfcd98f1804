//! The script commands (`token`, `query`, `record`, `profiles`, `apex`, `export`, `run`,
//! `requests`, ...) in-process against a fake org and the mock org: output and exit codes.
//! One test binary (`cargo test --test cli`); each file below is one concern.

#[path = "../common/mod.rs"]
mod common;

mod apex;
mod commands;
mod commands_mock_org;
mod default_profile;
mod export;
mod import;
mod import_sf;
mod install;
mod logins;
mod man;
mod profile_flows;
mod retry;
mod run;
mod version;
