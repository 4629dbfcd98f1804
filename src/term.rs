//! The terminal: raw mode, alternate screen, mouse, and putting all of it back — on a normal exit,
//! on an error, and on a panic (the hook restores the terminal before the panic is printed).

use std::io::{self, IsTerminal, Write};
use std::sync::Once;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};

pub type CrosstermTerminal = Terminal<CrosstermBackend<io::Stdout>>;

/// Whether both stdin and stdout are terminals (the TUI needs both).
pub fn has_tty() -> bool {
    io::stdin().is_terminal() && io::stdout().is_terminal()
}

/// Held while the TUI runs; dropping it restores the terminal.
pub struct TerminalGuard(());

impl TerminalGuard {
    /// Switches to raw mode and the alternate screen; returns the guard and the terminal to draw on.
    pub fn enter() -> io::Result<(TerminalGuard, CrosstermTerminal)> {
        install_panic_hook();
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        if let Err(e) = execute!(
            stdout,
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        ) {
            restore();
            return Err(e);
        }
        match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(mut terminal) => {
                let guard = TerminalGuard(());
                terminal.clear()?;
                Ok((guard, terminal))
            }
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let mut stdout = io::stdout();
    let _ = execute!(
        stdout,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen
    );
    let _ = execute!(stdout, ratatui::crossterm::cursor::Show);
    let _ = stdout.flush();
}

/// Restores the terminal first, so the panic message is readable, logs the panic (message and
/// location) and runs the previous hook, which prints it to stderr.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            tracing::error!("panic: {info}");
            previous(info);
            eprintln!(
                "sfterm crashed; the terminal was restored. Please report the message above."
            );
        }));
    });
}

/// Copies text to the clipboard with the OSC 52 escape sequence, which works over SSH and in tmux
/// (with `set-clipboard on`).
pub fn osc52_copy(text: &str) -> io::Result<()> {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut stdout = io::stdout();
    write!(stdout, "\x1b]52;c;{encoded}\x07")?;
    stdout.flush()
}
