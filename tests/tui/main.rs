//! The TUI as a whole: pure updates and key sequences through the keymap, rendering with insta
//! snapshots, the seams between panes, the demo's start, and the real binary in tmux.
//! One test binary (`cargo test --test tui`); each file below is one concern.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;
#[path = "../records/fixture.rs"]
mod fixture;

mod api_log;
mod demo_start;
mod demo_start_tmux;
mod e2e;
mod keys;
mod layout;
mod logins;
mod profile_form;
mod render;
mod router;
mod screens;
mod seams;
mod svg;
mod tmux;
