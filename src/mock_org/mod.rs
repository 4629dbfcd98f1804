//! Mock org: a local emulator of the Salesforce APIs sfterm uses.
pub mod soql;
