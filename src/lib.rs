//! sfterm: a terminal workbench for the Salesforce APIs.
pub mod action;
pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod effect;
pub mod keymap;
pub mod logging;
#[cfg(feature = "mock-org")]
pub mod mock_org;
pub mod msg;
pub mod sf;
pub mod state;
pub mod term;
pub mod tui;
pub mod ui;
