//! sfterm: a terminal workbench for the Salesforce APIs.
pub mod commands;
pub mod config;
#[cfg(feature = "mock-org")]
pub mod mock_org;
pub mod sf;
