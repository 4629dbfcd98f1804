//! The Composer and the History: the tabs (pure, snapshots), the composer's jobs end to end, a
//! 20 MB response, Postman import and the demo's ready-made requests.
//! One test binary (`cargo test --test composer`); each file below is one concern.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod conventions;
mod demo_requests;
mod e2e;
mod history_tab;
mod large;
mod paths;
mod postman;
mod tab;
