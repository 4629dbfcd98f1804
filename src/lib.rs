//! sfterm: a terminal workbench for the Salesforce APIs.
#[cfg(feature = "mock-org")]
pub mod mock_org;
pub mod sf;
