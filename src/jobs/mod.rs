//! Background work of the panes: each module has a job enum, an outcome enum and
//! `run(client, job) -> outcome`, so the runtime only dispatches.

pub mod record_detail;
pub mod records;
