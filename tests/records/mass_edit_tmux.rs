//! The real binary in a real terminal (tmux): `sfterm demo`, three Accounts selected and
//! Industry staged on them, then `kill -9`; the next start offers the mass edit back (object,
//! field, value, count) and restoring stages it again on those rows.
use crate::common;

use common::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");

fn keys(tmux: &Tmux, keys: &[&str]) {
    let mut args = vec!["send-keys", "-t", "app"];
    args.extend_from_slice(keys);
    tmux.run(&args);
}

#[test]
fn kill_9_with_a_staged_mass_edit_the_next_start_offers_it_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tmux = Tmux::new(format!("sfterm-mass-kill-{}", std::process::id()));
    // `exec`: the pane's process is sfterm itself, so its pid is the one to kill.
    let command = format!(
        "SFTERM_CONFIG_DIR={dir} SFTERM_DATA_DIR={dir} exec {BIN} demo --records 60",
        dir = dir.path().display()
    );
    tmux.start(120, 40, &command);
    tmux.wait_for("the Account list", |s| s.contains("of 60 loaded"));
    let pid = tmux.display("#{pane_pid}");
    keys(&tmux, &["1"]);
    for _ in 0..3 {
        keys(&tmux, &["Space"]);
    }
    tmux.wait_for("three selected", |s| s.contains("3 selected"));
    keys(&tmux, &["E"]);
    tmux.wait_for("the field chooser", |s| {
        s.contains("Set a field on 3 selected")
    });
    keys(&tmux, &["-l", "Industry"]);
    keys(&tmux, &["Enter"]);
    tmux.wait_for("the editor", |s| s.contains("Edit Industry"));
    keys(&tmux, &["-l", "Energy"]);
    keys(&tmux, &["Enter"]);
    tmux.wait_for("the staged edit", |s| {
        s.contains("Industry = Energy for 3 selected Account")
    });
    let drafts = dir.path().join("demo").join("drafts.json");
    assert!(drafts.exists(), "kept the moment it was staged");

    let killed = std::process::Command::new("kill")
        .args(["-9", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let text = std::fs::read_to_string(&drafts).expect("drafts file");
    assert!(text.contains("\"mass\""), "{text}");

    let tmux = Tmux::new(format!("sfterm-mass-again-{}", std::process::id()));
    tmux.start(120, 40, &command);
    let screen = tmux.wait_for("the drafts offered", |s| s.contains("Restore drafts?"));
    assert!(
        screen.contains("mass edit: Industry = Energy on 3 Account records"),
        "{screen}"
    );
    keys(&tmux, &["r"]);
    let screen = tmux.wait_for("staged again on its rows", |s| {
        s.contains("Industry = Energy for 3 selected Account") && s.contains("3 selected ·")
    });
    assert_eq!(screen.matches('✓').count(), 3, "{screen}");
    keys(&tmux, &["u", "q"]);
}
