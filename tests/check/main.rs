//! The Setup check: the engine in every mock org scenario, `sfterm check` (CLI) and the TUI popup.
//! One test binary (`cargo test --test check`); each file below is one concern.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod cli;
mod scenarios;
mod tui;
