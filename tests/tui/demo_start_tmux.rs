//! `sfterm demo` in a real pseudo-terminal (tmux) draws at once while its mock org seeds, keys
//! work meanwhile, then the demo profile connects and lists the Accounts (and the Composer its
//! ready-made requests); quitting while the org
//! still seeds exits at once and gives the terminal back.

use crate::common;

use common::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");

#[test]
fn demo_draws_while_the_org_seeds_then_connects_and_lists_accounts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tmux = Tmux::new(format!("sfterm-demo-start-{}", std::process::id()));
    let command = format!(
        "SFTERM_CONFIG_DIR={dir} SFTERM_DATA_DIR={dir} {BIN} demo --records 40000; \
         echo __EXIT=$?; sleep 30",
        dir = dir.path().display()
    );
    tmux.start(120, 40, &command);

    // A debug build seeds 40,000 Accounts for seconds: the first frame comes before that.
    let screen = tmux.wait_for("the starting screen", |s| {
        s.contains("starting the demo org (seeding 40,000 Accounts)")
    });
    assert!(
        screen.contains("Profiles") && screen.contains("Demo org"),
        "{screen}"
    );
    assert!(!screen.contains("● active"), "{screen}");
    // Keys work meanwhile: the help opens and closes.
    tmux.run(&["send-keys", "-t", "app", "?"]);
    tmux.wait_for("the help", |s| s.contains("Everywhere"));
    tmux.run(&["send-keys", "-t", "app", "Escape"]);

    let screen = tmux.wait_for("the demo profile to connect", |s| {
        s.contains("● active") && s.contains("expires")
    });
    assert!(!screen.contains("seeding"), "{screen}");
    tmux.wait_for("the Account list", |s| s.contains("of 40,000 loaded"));
    // The ready-made requests were written in the background too.
    tmux.run(&["send-keys", "-t", "app", "2"]);
    tmux.wait_for("the demo requests", |s| {
        s.contains("Demo: CustomerRESTWS") && s.contains("getCustomer")
    });

    tmux.run(&["send-keys", "-t", "app", "q"]);
    let screen = tmux.wait_for("the app to exit", |s| s.contains("__EXIT="));
    assert!(screen.contains("__EXIT=0"), "{screen}");
}

#[test]
fn quitting_while_the_org_seeds_exits_at_once_and_restores_the_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tmux = Tmux::new(format!("sfterm-demo-quit-{}", std::process::id()));
    // Seeding two million Accounts would take minutes: the exit must not wait for it.
    let command = format!(
        "SFTERM_CONFIG_DIR={dir} SFTERM_DATA_DIR={dir} {BIN} demo --records 2000000; \
         echo __EXIT=$?; sleep 30",
        dir = dir.path().display()
    );
    tmux.start(120, 40, &command);
    tmux.wait_for("the starting screen", |s| {
        s.contains("starting the demo org (seeding 2,000,000 Accounts)")
    });
    tmux.run(&["send-keys", "-t", "app", "q"]);
    let screen = tmux.wait_for("the app to exit", |s| s.contains("__EXIT="));
    assert!(screen.contains("__EXIT=0"), "{screen}");
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "0",
        "alternate screen left"
    );
    assert!(!screen.contains("Profiles"), "the TUI is gone:\n{screen}");
}
