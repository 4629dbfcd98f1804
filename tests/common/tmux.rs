//! The real `sfterm` binary in a real pseudo-terminal: a private tmux server (its own socket,
//! killed on drop) with one session "app", its screen, and waiting for text on it.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A private tmux server; the session under test is named "app".
pub struct Tmux {
    socket: String,
    /// Capture with `-J` (wrapped lines joined) when true.
    join_lines: bool,
}

impl Tmux {
    /// A server on socket `socket`; screens keep tmux's line wrapping.
    pub fn new(socket: impl Into<String>) -> Self {
        Self {
            socket: socket.into(),
            join_lines: false,
        }
    }

    /// A server on socket `socket`; screens join wrapped lines (`capture-pane -J`).
    pub fn joining_lines(socket: impl Into<String>) -> Self {
        Self {
            socket: socket.into(),
            join_lines: true,
        }
    }

    /// Runs `tmux -L <socket> <args>`.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux must be installed (.ci/run installs it)")
    }

    /// Starts the session "app" in a `width`x`height` window running `command` (a shell line).
    pub fn start(&self, width: u16, height: u16, command: &str) {
        let (width, height) = (width.to_string(), height.to_string());
        let started = self.run(&[
            "new-session",
            "-d",
            "-s",
            "app",
            "-x",
            &width,
            "-y",
            &height,
            command,
        ]);
        assert!(
            started.status.success(),
            "{}",
            String::from_utf8_lossy(&started.stderr)
        );
    }

    /// The pane's text including scrollback.
    pub fn screen(&self) -> String {
        let args: &[&str] = if self.join_lines {
            &["capture-pane", "-p", "-J", "-S", "-", "-t", "app"]
        } else {
            &["capture-pane", "-p", "-S", "-", "-t", "app"]
        };
        String::from_utf8_lossy(&self.run(args).stdout).into_owned()
    }

    /// `display-message -p <format>` for the pane, trimmed.
    pub fn display(&self, format: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "app", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Polls the screen until `check` holds (60 s, then panics with `what` and the screen).
    pub fn wait_for(&self, what: &str, check: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if check(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
