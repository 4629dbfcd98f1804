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
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
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
    ///
    /// The screen is cleared with a plain escape, not `Terminal::clear`, which asks the terminal
    /// where its cursor is and waits for the answer: a round trip before the first frame (over
    /// SSH, a network one), and a hang if the terminal went away meanwhile (crossterm's reader
    /// spins on a hung-up terminal).
    pub fn enter() -> io::Result<(TerminalGuard, CrosstermTerminal)> {
        install_panic_hook();
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        if let Err(e) = execute!(
            stdout,
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste,
            Clear(ClearType::All)
        ) {
            restore();
            return Err(e);
        }
        match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(terminal) => Ok((TerminalGuard(()), terminal)),
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
            // Not `eprintln!`: a panic inside the panic hook aborts the process.
            let _ = writeln!(
                io::stderr(),
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

/// How often [`exit_when_the_terminal_hangs_up`] checks that the terminal is still there.
const HANG_UP_CHECK: std::time::Duration = std::time::Duration::from_millis(500);

/// Ends the process with exit status 1 within [`HANG_UP_CHECK`] of the terminal hanging up
/// (its other side gone without a hang-up signal: see [`hung_up`]), stdin's or stdout's,
/// whichever was a terminal when this was first called. Nothing else would:
/// crossterm's reader loops forever, at full CPU, on the end of file a hung-up terminal reads
/// as — on whichever thread reads, the UI's own included — and an idle TUI never draws, which
/// is what would fail. So a thread of its own watches. Whatever the user typed that must
/// survive is already on disk (drafts are written as they change). Starts once; later calls
/// do nothing.
pub fn exit_when_the_terminal_hangs_up() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let terminals = Terminals::now();
        if !terminals.stdin && !terminals.stdout {
            return;
        }
        let watch = std::thread::Builder::new()
            .name("hang-up watch".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(HANG_UP_CHECK);
                    if terminals.hung_up() {
                        tracing::warn!("the terminal hung up: exiting");
                        std::process::exit(i32::from(crate::cli::EXIT_FAILURE));
                    }
                }
            });
        if let Err(e) = watch {
            tracing::warn!(error = %e, "cannot watch the terminal for a hang-up");
        }
    });
}

/// Whether `fd` hung up: a terminal whose other side is gone (its pty's master closed, as when
/// the terminal emulator or the SSH server dies without a hang-up signal), or a pipe whose
/// writer closed. Asks `poll(2)` without waiting.
#[cfg(unix)]
pub fn hung_up(fd: impl std::os::fd::AsFd) -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let mut fds = [PollFd::new(&fd, PollFlags::empty())];
    let now = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    matches!(poll(&mut fds, Some(&now)), Ok(n) if n > 0)
        && fds[0]
            .revents()
            .intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL)
}

/// Which of stdin and stdout are terminals: the ones to watch for a hang-up. (A hung-up terminal
/// is no longer a terminal to `isatty`, so this is asked before.)
#[derive(Clone, Copy)]
struct Terminals {
    stdin: bool,
    stdout: bool,
}

impl Terminals {
    /// The TUI's: both (it starts only when both are terminals).
    const TUI: Terminals = Terminals {
        stdin: true,
        stdout: true,
    };

    fn now() -> Terminals {
        Terminals {
            stdin: io::stdin().is_terminal(),
            stdout: io::stdout().is_terminal(),
        }
    }

    /// Whether one of them hung up.
    fn hung_up(self) -> bool {
        #[cfg(unix)]
        {
            (self.stdin && hung_up(io::stdin())) || (self.stdout && hung_up(io::stdout()))
        }
        #[cfg(not(unix))]
        {
            false
        }
    }
}

/// The key input of the TUI, which can be paused while another program (`$EDITOR`) owns the
/// terminal: crossterm's `EventStream` reads the terminal from a background thread, which would
/// otherwise take the editor's first keys. Pausing drops the stream (stopping that thread);
/// resuming makes a new one and wakes the UI task.
#[derive(Clone, Default)]
pub struct PausableInput {
    shared: std::sync::Arc<std::sync::Mutex<InputShared>>,
}

#[derive(Default)]
struct InputShared {
    stream: Option<ratatui::crossterm::event::EventStream>,
    waker: Option<std::task::Waker>,
}

impl PausableInput {
    /// Input from the terminal, running. Make it before anything is written to the terminal:
    /// crossterm sets up its terminal reader once, with the first stream, and panics if the
    /// terminal is gone by then — so this checks first, and a terminal that hangs up later (even
    /// at the first escape the TUI writes) finds the reader already set up.
    pub fn new() -> io::Result<PausableInput> {
        if Terminals::TUI.hung_up() {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the terminal hung up",
            ));
        }
        let input = PausableInput::default();
        input.resume();
        Ok(input)
    }

    /// Stops reading the terminal.
    pub fn pause(&self) {
        let stream = self.shared.lock().ok().and_then(|mut s| s.stream.take());
        drop(stream);
    }

    /// Reads the terminal again.
    pub fn resume(&self) {
        if let Ok(mut s) = self.shared.lock() {
            s.stream = Some(ratatui::crossterm::event::EventStream::new());
            if let Some(waker) = s.waker.take() {
                waker.wake();
            }
        }
    }
}

impl futures::Stream for PausableInput {
    type Item = io::Result<ratatui::crossterm::event::Event>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let Ok(mut shared) = self.shared.lock() else {
            return std::task::Poll::Ready(None);
        };
        shared.waker = Some(cx.waker().clone());
        match shared.stream.as_mut() {
            Some(stream) => std::pin::Pin::new(stream).poll_next(cx),
            None => std::task::Poll::Pending,
        }
    }
}

/// Suspends the TUI, runs `$VISUAL` / `$EDITOR` (else `vi`) on `text` in a temporary file
/// ending in `.extension`, then restores the TUI and returns the edited text. The key input is
/// paused; the caller resumes it ([`PausableInput::resume`]) once the screen is redrawn.
pub fn edit_externally(input: &PausableInput, text: &str, extension: &str) -> io::Result<String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let path = std::env::temp_dir().join(format!(
        "sfterm-body-{}-{nanos}.{extension}",
        std::process::id()
    ));
    write_private(&path, text)?;
    input.pause();
    restore();
    // The editor command may carry arguments (`code --wait`): let the shell split it.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    let reentered = enable_raw_mode().and_then(|()| {
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        )
    });
    let edited = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    reentered?;
    match status {
        Ok(s) if s.success() => edited,
        Ok(s) => Err(io::Error::other(format!("{editor} exited with {s}"))),
        Err(e) => Err(io::Error::other(format!("cannot run {editor}: {e}"))),
    }
}

/// Creates `path` (which must not exist) readable by its owner only: the editor's temp file
/// lives in the shared temp dir and holds what the user typed.
fn write_private(path: &std::path::Path, text: &str) -> io::Result<()> {
    let mut file = crate::private_fs::create_new(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(all(test, unix))]
mod tests {
    use super::hung_up;

    #[test]
    fn a_pipe_hangs_up_when_its_writer_closes() {
        let (reader, writer) = std::io::pipe().expect("pipe");
        assert!(!hung_up(&reader), "the writer is still open");
        drop(writer);
        assert!(hung_up(&reader), "the writer closed");
    }

    #[test]
    fn unread_input_is_not_a_hang_up() {
        use std::io::Write;
        let (reader, mut writer) = std::io::pipe().expect("pipe");
        writer.write_all(b"q").expect("write");
        assert!(!hung_up(&reader), "input waiting to be read");
    }
}
