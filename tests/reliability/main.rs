//! Reliability (docs/reliability.md): the fault matrix (client, CLI and TUI rows), files that hold
//! secrets, https everywhere, a panic gives the terminal back, the secret scan, and the property
//! tests (parsers fuzzed, the app drawn at any size).
//! One test binary (`cargo test --test reliability`); each file below is one concern.

#[path = "../common/mod.rs"]
mod common;
#[path = "../records/fixture.rs"]
mod fixture;
#[path = "../support/mutate.rs"]
mod mutate;

mod fault_matrix;
mod fault_matrix_tui;
mod files;
mod fuzz_parsers;
mod https;
mod private_files;
mod render_sizes;
mod retry;
mod secret_scan;
mod tmux;
