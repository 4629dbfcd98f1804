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

/// Restores the terminal first, so the panic message is readable, then runs the previous hook.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
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

/// Edits `text` in `$VISUAL` / `$EDITOR` (else `vi`): leaves the alternate screen and raw mode,
/// waits for the editor, then enters them again. Returns the edited text.
pub fn edit_externally(text: &str) -> io::Result<String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".into());
    let dir = std::env::temp_dir();
    let path = dir.join(format!(
        "sfterm-edit-{}-{}.txt",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::write(&path, text)?;
    restore();
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(parts)
        .arg(&path)
        .status();
    let resumed = enable_raw_mode().and_then(|()| {
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        )
    });
    let result = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path),
        Ok(s) => Err(io::Error::other(format!("{editor} exited with {s}"))),
        Err(e) => Err(io::Error::other(format!("{editor}: {e}"))),
    };
    let _ = std::fs::remove_file(&path);
    resumed?;
    result
}
