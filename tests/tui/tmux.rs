//! The real binary in a real pseudo-terminal (tmux): `sfterm demo` starts, connects, renews by
//! itself, renews after a revoke, quits on `q` and gives the terminal back. Also: without a terminal it says so, exit 2.

use std::path::Path;
use std::process::Command;

use crate::common;

use common::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");

#[test]
fn demo_connects_renews_and_quits_cleanly_in_a_real_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tmux = Tmux::new(format!("sfterm-test-{}", std::process::id()));
    let command = format!(
        "SFTERM_CONFIG_DIR={dir} SFTERM_DATA_DIR={dir} {BIN} demo --token-ttl 8; echo __EXIT=$?; sleep 30",
        dir = dir.path().display()
    );
    tmux.start(120, 40, &command);

    // An 8 s token is "expiring soon" most of its life.
    let live = |s: &str| s.contains("● active") || s.contains("● expiring soon");
    let screen = tmux.wait_for("the demo profile to connect", |s| {
        live(s) && s.contains("expires")
    });
    assert!(screen.contains("Demo org"), "{screen}");
    assert!(screen.contains("DEMO"), "{screen}");
    tmux.wait_for("an automatic renewal", |s| s.contains("before expiry"));

    // Revoke, then make a request: the client renews once and the request succeeds.
    tmux.run(&["send-keys", "-t", "app", "Tab", "R"]);
    tmux.wait_for("the revoke to ask", |s| s.contains("Revoke token?"));
    tmux.run(&["send-keys", "-t", "app", "y"]);
    tmux.wait_for("the token to be revoked", |s| s.contains("● revoked"));
    tmux.run(&["send-keys", "-t", "app", "u"]);
    let screen = tmux.wait_for("a renewal after INVALID_SESSION_ID", |s| {
        s.contains("after INVALID_SESSION_ID") && s.contains("API call OK")
    });
    assert!(live(&screen), "{screen}");

    tmux.run(&["send-keys", "-t", "app", "q"]);
    let screen = tmux.wait_for("the app to exit", |s| s.contains("__EXIT="));
    assert!(screen.contains("__EXIT=0"), "{screen}");
    assert!(
        !screen.contains("Profiles"),
        "the alternate screen is gone after exit:\n{screen}"
    );
    assert_log_has_no_secrets(&dir.path().join("sfterm.log"));
}

/// Access tokens start with the 15-character org id and `!`; none may be in the log.
fn assert_log_has_no_secrets(log: &Path) {
    let text = std::fs::read_to_string(log).expect("the log file exists");
    assert!(!text.is_empty(), "the app logs something");
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('!') {
        if i >= 15 {
            let before = &bytes[i - 15..i];
            let looks_like_token =
                before.starts_with(b"00D") && before.iter().all(u8::is_ascii_alphanumeric);
            assert!(
                !looks_like_token,
                "an access token reached the log: {}",
                &text[i - 15..]
            );
        }
    }
}

#[test]
fn without_a_terminal_it_points_at_the_subcommands_and_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = Command::new(BIN)
        .env("SFTERM_CONFIG_DIR", dir.path())
        .env("SFTERM_DATA_DIR", dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("needs a terminal") && stderr.contains("sfterm --help"),
        "{stderr}"
    );
}

/// The production guard asks the org itself (issue #18): on a mock org playing production the
/// badge says PROD, confirmed (✓) after login, and saving a record edit asks; on one playing a
/// sandbox it says SANDBOX and saves at once. The endpoint (loopback) guessed neither.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_org_decides_the_production_guard_after_login() {
    use sfterm::mock_org::{MockOrg, MockOrgConfig, OrgType};
    for (org_type, badge, asks) in [
        (OrgType::Production, "PROD✓", true),
        (OrgType::Sandbox, "SANDBOX✓", false),
    ] {
        let org = MockOrg::start(MockOrgConfig {
            org_type,
            ..MockOrgConfig::default()
        })
        .await
        .expect("mock org");
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("profiles.toml"),
            format!(
                "[[profile]]\nname = \"Org\"\nendpoint = \"{}\"\nclient_id = \"{}\"\n\
                 secret = {{ source = \"plain\", value = \"{}\" }}\n",
                org.instance_url().as_str().trim_end_matches('/'),
                org.client_id(),
                org.client_secret()
            ),
        )
        .expect("profiles");
        let tmux = Tmux::new(format!("sfterm-guard-{badge}-{}", std::process::id()));
        let command = format!(
            "SFTERM_CONFIG_DIR={dir} SFTERM_DATA_DIR={dir} {BIN} -p Org; echo __EXIT=$?; \
             sleep 30",
            dir = dir.path().display()
        );
        tokio::task::block_in_place(|| {
            tmux.start(120, 40, &command);
            let screen = tmux.wait_for("the org's own word on what it is", |s| {
                s.contains(badge) && s.contains("loaded")
            });
            assert!(!screen.contains("MOCK"), "the guess is gone:\n{screen}");
            tmux.run(&["send-keys", "-t", "app", "1", "Enter"]);
            tmux.wait_for("the record", |s| s.contains("API name"));
            tmux.run(&["send-keys", "-t", "app", "e", "End"]);
            tmux.run(&["send-keys", "-t", "app", "-l", " Two"]);
            tmux.run(&["send-keys", "-t", "app", "Enter", "C-s"]);
            if asks {
                tmux.wait_for("the save to ask", |s| s.contains("on PRODUCTION?"));
                tmux.run(&["send-keys", "-t", "app", "y"]);
            }
            let screen = tmux.wait_for("the save", |s| s.contains("Saved 1 field"));
            assert!(!screen.contains("on PRODUCTION?"), "{screen}");
        });
        drop(tmux);
        org.shutdown().await;
    }
}
