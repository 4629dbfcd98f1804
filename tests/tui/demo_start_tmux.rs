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

/// The acceptance of the login flows in a real terminal at 120x40: "Demo (browser login)"
/// connects through the browser (a stand-in that follows the login page, named by `$BROWSER`),
/// the token pane shows the flow and the refresh token, `R` then an API call asks to log in
/// again, and "Demo (JWT)" logs in with the key the org made.
#[test]
fn demo_browser_login_and_jwt_in_a_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tmux = Tmux::new(format!("sfterm-demo-logins-{}", std::process::id()));
    let command = format!(
        "BROWSER='curl -s -L -o /dev/null' SFTERM_CONFIG_DIR={dir} SFTERM_DATA_DIR={dir} \
         {BIN} demo --records 50; echo __EXIT=$?; sleep 30",
        dir = dir.path().display()
    );
    tmux.start(120, 40, &command);
    tmux.wait_for("the demo profile to connect", |s| {
        s.contains("by client credentials")
    });
    tmux.run(&["send-keys", "-t", "app", "j", "Enter"]);
    let screen = tmux.wait_for("the browser login", |s| {
        s.contains("browser login") && s.contains("held in") && s.contains("● active")
    });
    assert!(screen.contains("by refresh token"), "{screen}");
    tmux.run(&["send-keys", "-t", "app", "Tab", "R"]);
    tmux.wait_for("the revoke to ask", |s| s.contains("Revoke token?"));
    tmux.run(&["send-keys", "-t", "app", "y"]);
    tmux.wait_for("the revoke", |s| s.contains("● revoked"));
    tmux.run(&["send-keys", "-t", "app", "u"]);
    let screen = tmux.wait_for("a request to log in again", |s| {
        s.contains("Log in again: press enter")
    });
    assert!(
        !screen.contains("held in"),
        "the refresh token is gone:\n{screen}"
    );
    tmux.run(&["send-keys", "-t", "app", "BTab", "j", "Enter"]);
    tmux.wait_for("the JWT login", |s| {
        s.contains("JWT bearer") && s.contains("by a new JWT assertion")
    });
    tmux.run(&["send-keys", "-t", "app", "q"]);
    let screen = tmux.wait_for("the app to exit", |s| s.contains("__EXIT="));
    assert!(screen.contains("__EXIT=0"), "{screen}");
}
