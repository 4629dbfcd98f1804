//! The Records tab: the lists (pure, snapshots, end to end against the mock org, rows read from
//! raw query pages) and the record detail (pure, snapshots, end to end).
//! One test binary (`cargo test --test records`); each file below is one concern.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;
/// The record detail tests' describes, Account and helpers (also used by reliability/).
mod fixture;

mod detail_e2e;
mod detail_render;
mod detail_state;
mod import_e2e;
mod import_state;
mod list;
mod list_e2e;
mod mass_edit;
mod mass_edit_e2e;
mod mass_edit_tmux;
mod raw_pages;
mod relcols;
mod relcols_e2e;
mod remembered;
mod remembered_e2e;
