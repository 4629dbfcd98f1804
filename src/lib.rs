//! sfterm: a terminal workbench for the Salesforce APIs.
pub mod config;
pub mod sf;
#[cfg(feature = "mock-org")]
pub mod mock_org;
