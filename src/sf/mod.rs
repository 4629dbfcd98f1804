//! Salesforce client core: OAuth client credentials, REST, typed errors. No UI code.
pub mod id;
