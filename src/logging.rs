//! Logs go to a file in the platform data dir, never to the screen. Secrets never reach them: the
//! types that hold secrets redact themselves in `Debug`.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::config::paths;
use crate::private_fs;

/// Log lines held while the writer thread is behind (more are dropped, as the default does).
const BUFFERED_LINES: usize = 8192;

/// Starts file logging at `dir/sfterm.log` (0600, the directory 0700; a log over
/// [`paths::LOG_ROTATE_BYTES`] is first rotated to `sfterm.log.1`, keeping
/// [`paths::LOG_FILES_KEPT`]). The level comes from `SFTERM_LOG` (e.g. `debug`, `sfterm=trace`),
/// else `default_level`. Keep the guard alive until exit so lines are flushed.
pub fn init(dir: &Path, default_level: &str) -> std::io::Result<(PathBuf, WorkerGuard)> {
    private_fs::create_dir_all(dir)?;
    let path = dir.join(paths::LOG_FILE);
    // A failed rotation logs on into the big file: better than no log.
    let rotated = private_fs::rotate(&path, paths::LOG_ROTATE_BYTES, paths::LOG_FILES_KEPT);
    let appender = private_fs::append(&path)?;
    // A buffer of 8,192 lines instead of the default 128,000: the default's channel is 4 MB,
    // allocated and initialised before the first frame (1-2 ms of a 10 ms start), and the app
    // logs a few lines a second.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(BUFFERED_LINES)
        .finish(appender);
    let filter =
        EnvFilter::try_from_env("SFTERM_LOG").unwrap_or_else(|_| EnvFilter::new(default_level));
    // A second init in one process (tests) keeps the first subscriber; that is fine.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init();
    if let Err(e) = rotated {
        tracing::warn!(error = %e, "the log was not rotated");
    }
    Ok((path, guard))
}
