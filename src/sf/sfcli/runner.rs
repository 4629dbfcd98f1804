//! Running a program and collecting its output, with a timeout: the seam where tests put a
//! stand-in for `sf`.

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;

/// What a finished command printed. `Debug` shows sizes only (the output may hold a token).
#[derive(Clone, Default)]
pub struct CommandOutput {
    /// The exit code; `None` when a signal ended it.
    pub exit_code: Option<i32>,
    /// Everything it wrote to stdout.
    pub stdout: Vec<u8>,
    /// Everything it wrote to stderr.
    pub stderr: Vec<u8>,
}

impl fmt::Debug for CommandOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandOutput")
            .field("exit_code", &self.exit_code)
            .field("stdout_bytes", &self.stdout.len())
            .field("stderr_bytes", &self.stderr.len())
            .finish()
    }
}

/// Runs a program. A missing program is an [`io::ErrorKind::NotFound`] error, a run longer
/// than `timeout` an [`io::ErrorKind::TimedOut`] one.
pub trait CommandRunner: Send + Sync {
    /// Runs `program` with `args`, stdin closed, and waits for it (at most `timeout`).
    fn run<'a>(
        &'a self,
        program: &'a Path,
        args: &'a [String],
        timeout: Duration,
    ) -> BoxFuture<'a, io::Result<CommandOutput>>;
}

/// The real runner: a child process on a blocking thread, killed at the timeout.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessRunner;

impl CommandRunner for ProcessRunner {
    fn run<'a>(
        &'a self,
        program: &'a Path,
        args: &'a [String],
        timeout: Duration,
    ) -> BoxFuture<'a, io::Result<CommandOutput>> {
        let program = program.to_path_buf();
        let args = args.to_vec();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || run_blocking(&program, &args, timeout))
                .await
                .map_err(io::Error::other)?
        })
    }
}

/// How often the child is checked while it runs.
const POLL: Duration = Duration::from_millis(20);
/// How long the output pipes may stay open after the child exited (a grandchild holding them).
const DRAIN: Duration = Duration::from_secs(2);

fn run_blocking(
    program: &PathBuf,
    args: &[String],
    timeout: Duration,
) -> io::Result<CommandOutput> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let (tx, rx) = mpsc::channel::<(bool, Vec<u8>)>();
    let pipes: [(bool, Option<Box<dyn Read + Send>>); 2] = [
        (
            true,
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
        (
            false,
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
    ];
    for (is_stdout, pipe) in pipes {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut pipe) = pipe {
                // A read error leaves what was read so far.
                let _ = pipe.read_to_end(&mut buf);
            }
            let _ = tx.send((is_stdout, buf));
        });
    }
    drop(tx);
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("{} did not finish in time", program.display()),
            ));
        }
        std::thread::sleep(POLL);
    };
    let mut output = CommandOutput {
        exit_code: status.code(),
        ..CommandOutput::default()
    };
    let drain_until = Instant::now() + DRAIN;
    for _ in 0..2 {
        let left = drain_until.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((true, buf)) => output.stdout = buf,
            Ok((false, buf)) => output.stderr = buf,
            Err(_) => break,
        }
    }
    Ok(output)
}
