//! A panic inside the running TUI (the debug-only `SFTERM_TEST_PANIC=1` trigger: the first key
//! press panics) gives the terminal back: alternate screen left, cursor shown, raw mode off (the
//! shell's `stty -a` shows `icanon echo`), and the panic message is printed and logged. Files and
//! directories others can read are made private at start, with a notice naming them. A terminal
//! that goes away ends the app.

use crate::common;

use common::tmux::Tmux;

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");

#[test]
fn a_panic_in_the_tui_restores_the_terminal_and_reports_the_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tmux = Tmux::joining_lines(format!("sfterm-panic-{}", std::process::id()));
    // `stty -a` runs in the same pane right after the app: it shows the terminal as left.
    let command = format!(
        "SFTERM_TEST_PANIC=1 SFTERM_CONFIG_DIR={dir} SFTERM_DATA_DIR={dir} {BIN} demo; \
         echo __EXIT=$?; stty -a; echo __STTY_DONE; sleep 30",
        dir = dir.path().display()
    );
    tmux.start(120, 40, &command);
    tmux.wait_for("the TUI to start", |s| s.contains("Demo org"));
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "1",
        "the TUI uses the alternate screen"
    );

    tmux.run(&["send-keys", "-t", "app", "j"]);
    let screen = tmux.wait_for("the app to exit and stty to run", |s| {
        s.contains("__STTY_DONE")
    });

    assert!(
        screen.contains("__EXIT=101"),
        "a panic exits 101:\n{screen}"
    );
    assert!(
        screen.contains("forced panic"),
        "the panic message is printed:\n{screen}"
    );
    assert!(screen.contains("terminal was restored"), "{screen}");
    let words: Vec<&str> = screen.split_whitespace().collect();
    for on in ["icanon", "echo", "icrnl", "opost"] {
        assert!(
            words.contains(&on),
            "{on} is back on (raw mode off):\n{screen}"
        );
        let off = format!("-{on}");
        assert!(!words.contains(&off.as_str()), "{off} left set:\n{screen}");
    }
    assert_eq!(
        tmux.display("#{alternate_on}"),
        "0",
        "alternate screen left"
    );
    assert_eq!(tmux.display("#{cursor_flag}"), "1", "cursor shown");
    assert!(!screen.contains("Profiles"), "the TUI is gone:\n{screen}");

    let log = std::fs::read_to_string(dir.path().join("sfterm.log")).expect("log file");
    assert!(
        log.contains("panic") && log.contains("forced panic"),
        "logged:\n{log}"
    );
}

/// Files of an older sfterm (or made with a loose umask) that others can read: at start they are
/// made private, the status bar names them and the log has one line with all of them.
#[test]
fn the_tui_makes_readable_files_private_at_start_and_names_them() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    let chmod = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod");
    };
    let root = tempfile::tempdir().expect("temp dir");
    let (config, data) = (root.path().join("config"), root.path().join("data"));
    std::fs::create_dir(&config).expect("config dir");
    std::fs::create_dir(&data).expect("data dir");
    chmod(&config, 0o700);
    chmod(&data, 0o755);
    let profiles = config.join("profiles.toml");
    std::fs::write(
        &profiles,
        "[[profile]]\nname = \"Acme\"\nendpoint = \"https://acme.my.salesforce.com\"\n\
         client_id = \"c\"\nsecret = { source = \"plain\", value = \"plain-secret-value\" }\n",
    )
    .expect("write");
    chmod(&profiles, 0o644);
    let history = data.join("history.jsonl");
    std::fs::write(&history, "").expect("history");
    chmod(&history, 0o644);

    let tmux = Tmux::joining_lines(format!("sfterm-perm-{}", std::process::id()));
    let command = format!(
        "SFTERM_CONFIG_DIR={} SFTERM_DATA_DIR={} {BIN}; echo __EXIT=$?; sleep 30",
        config.display(),
        data.display()
    );
    tmux.start(250, 40, &command);
    let screen = tmux.wait_for("the start-up notice", |s| {
        s.contains("Acme") && s.contains("Warning: made private")
    });
    for (path, was) in [(&profiles, "0644"), (&data, "0755"), (&history, "0644")] {
        let named = format!("{} (was {was})", path.display());
        assert!(screen.contains(&named), "{named} named:\n{screen}");
    }
    assert!(
        !screen.contains("chmod 600"),
        "fixed, not asked for:\n{screen}"
    );
    assert!(!screen.contains("plain-secret-value"), "{screen}");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&history), 0o600);
    assert_eq!(mode(&profiles), 0o600);
    tmux.run(&["send-keys", "-t", "app", "q"]);
    let screen = tmux.wait_for("the app to exit", |s| s.contains("__EXIT="));
    assert!(screen.contains("__EXIT=0"), "{screen}");
    let log = std::fs::read_to_string(data.join("sfterm.log")).expect("log");
    let lines: Vec<&str> = log.lines().filter(|l| l.contains("made private")).collect();
    assert_eq!(lines.len(), 1, "one log line:\n{log}");
    assert!(
        lines[0].contains(&history.display().to_string())
            && lines[0].contains(&data.display().to_string()),
        "{log}"
    );
    assert_eq!(mode(&data.join("sfterm.log")), 0o600, "the log itself");
}

/// The pty the TUI runs on goes away (its master side closed, as when a terminal emulator or
/// an SSH server dies without a hangup signal): reading fails (crossterm's reader spins on the
/// end of file), drawing fails with EIO, and stderr is that same dead terminal. The app must
/// notice, also when it is idle and would never draw again, and exit with its terminal error
/// (1): not hang at full CPU, not abort because printing the error (or ratatui's cursor report)
/// to the dead stderr panicked.
///
/// `close_after` is the text the driver waits for before closing the terminal (python3, as CI
/// has it, opens the pty; the app is not in its own session, so it gets no SIGHUP, only the
/// hang-up). Returns what the driver printed: whether it saw the text, then the exit status.
fn hang_up_after(args: &[&str], close_after: &str) -> Vec<String> {
    const DRIVER: &str = r#"
import os, select, struct, subprocess, sys, time, fcntl, termios
args, close_after = sys.argv[1:-1], sys.argv[-1].encode()
master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
app = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave)
os.close(slave)
seen, deadline = b"", time.time() + 60
while close_after not in seen and time.time() < deadline:
    if select.select([master], [], [], 0.1)[0]:
        seen += os.read(master, 65536)
print("seen" if close_after in seen else "not seen", flush=True)
os.close(master)
try:
    print("exit", app.wait(timeout=30))
except subprocess.TimeoutExpired:
    app.kill()
    print("still running")
"#;
    let dir = tempfile::tempdir().expect("temp dir");
    let output = std::process::Command::new("python3")
        .args(["-c", DRIVER, BIN])
        .args(args)
        .arg(close_after)
        .env("SFTERM_CONFIG_DIR", dir.path())
        .env("SFTERM_DATA_DIR", dir.path())
        .env("TERM", "xterm-256color")
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "driver failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout.lines().map(str::to_owned).collect()
}

/// With no profiles nothing on screen changes: no draw would ever fail, only the input's
/// hang-up check can tell. (A signal shows as a negative exit: abort is -6.)
#[test]
fn a_terminal_that_goes_away_under_an_idle_app_ends_it_with_exit_1() {
    assert_eq!(hang_up_after(&[], "No profiles yet"), ["seen", "exit 1"]);
}

/// The demo redraws while its org starts and its token counts down.
#[test]
fn a_terminal_that_goes_away_under_the_demo_ends_it_with_exit_1() {
    assert_eq!(hang_up_after(&["demo"], "Demo org"), ["seen", "exit 1"]);
}

/// Closed on the first bytes the app writes (entering the alternate screen): the terminal is
/// gone before the first frame, while the screen is set up.
#[test]
fn a_terminal_that_goes_away_while_the_app_starts_ends_it_with_exit_1() {
    assert_eq!(hang_up_after(&["demo"], "\x1b[?1049h"), ["seen", "exit 1"]);
}
