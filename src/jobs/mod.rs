//! Background jobs of the TUI panes: each pane's job and outcome enums and the async function
//! that runs them, so `app.rs` only dispatches.

pub mod composer;
pub mod record_detail;
pub mod records;
