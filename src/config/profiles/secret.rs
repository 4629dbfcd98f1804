//! Where a profile's client secret comes from and how it is obtained (environment, a command
//! with a timeout, the prompt or the file).

use std::fmt;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// How long a secret command may run before it is killed.
pub const SECRET_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a profile's client secret comes from.
#[derive(Clone)]
pub enum SecretSource {
    /// Typed in at connect time and kept in memory only.
    Prompt,
    /// Read from an environment variable.
    Env {
        /// The variable's name.
        var: String,
    },
    /// The trimmed stdout of a shell command, e.g. `pass show sf/prod`.
    Command {
        /// The command line, run with `sh -c`.
        command: String,
    },
    /// Stored in plain text in `profiles.toml` (the UI shows a warning).
    Plain {
        /// The secret.
        value: SecretString,
    },
    /// No secret: a browser login to an app that does not require one (PKCE), JWT bearer and
    /// the Salesforce CLI.
    None,
}

/// Why a client secret could not be obtained. Never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The profile asks for the secret at connect time and none was given.
    #[error("This profile needs the secret typed in.")]
    NeedsPrompt,
    /// The environment variable is not set.
    #[error("The environment variable {var} is not set; export it before starting sfterm.")]
    EnvMissing {
        /// The variable's name.
        var: String,
    },
    /// The environment variable is set but empty or not valid UTF-8.
    #[error("The environment variable {var} is empty or not valid UTF-8.")]
    EnvUnusable {
        /// The variable's name.
        var: String,
    },
    /// The command could not be started.
    #[error("Could not run the secret command: {0}.")]
    Spawn(String),
    /// The command exited with an error.
    #[error("The secret command failed ({status}): {stderr}")]
    CommandFailed {
        /// The exit status, e.g. "exit status: 1".
        status: String,
        /// The first non-empty line of its stderr (or a placeholder).
        stderr: String,
    },
    /// The command did not finish in time and was killed.
    #[error("The secret command did not finish within {0} seconds and was stopped.")]
    Timeout(u64),
    /// The command printed nothing (or only whitespace / invalid UTF-8).
    #[error("The secret command printed no usable secret on stdout.")]
    EmptyOutput,
    /// The profile stores an empty plain secret.
    #[error("The stored secret is empty.")]
    EmptyPlain,
    /// The profile has no secret (`source = "none"`) but its flow needs one.
    #[error("The profile has no client secret (source \"none\"); client credentials need one.")]
    NoSecret,
}

impl PartialEq for SecretSource {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (SecretSource::Prompt, SecretSource::Prompt)
            | (SecretSource::None, SecretSource::None) => true,
            (SecretSource::Env { var: a }, SecretSource::Env { var: b }) => a == b,
            (SecretSource::Command { command: a }, SecretSource::Command { command: b }) => a == b,
            (SecretSource::Plain { value: a }, SecretSource::Plain { value: b }) => {
                a.expose_secret() == b.expose_secret()
            }
            _ => false,
        }
    }
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Prompt => f.write_str("Prompt"),
            SecretSource::None => f.write_str("None"),
            SecretSource::Env { var } => f.debug_struct("Env").field("var", var).finish(),
            SecretSource::Command { command } => {
                f.debug_struct("Command").field("command", command).finish()
            }
            SecretSource::Plain { .. } => f
                .debug_struct("Plain")
                .field("value", &"[redacted]")
                .finish(),
        }
    }
}

impl SecretSource {
    /// The `source` value used in `profiles.toml`.
    pub fn kind(&self) -> &'static str {
        match self {
            SecretSource::Prompt => "prompt",
            SecretSource::Env { .. } => "env",
            SecretSource::Command { .. } => "command",
            SecretSource::Plain { .. } => "plain",
            SecretSource::None => "none",
        }
    }

    /// Obtains the secret (blocking): the `prompted` value for [`SecretSource::Prompt`], the
    /// environment variable, the command's trimmed stdout (10 s timeout) or the stored value.
    pub fn resolve(&self, prompted: Option<SecretString>) -> Result<SecretString, SecretError> {
        self.resolve_with_timeout(prompted, SECRET_COMMAND_TIMEOUT)
    }

    /// [`SecretSource::resolve`] with a custom command timeout.
    pub fn resolve_with_timeout(
        &self,
        prompted: Option<SecretString>,
        timeout: Duration,
    ) -> Result<SecretString, SecretError> {
        match self {
            SecretSource::Prompt => prompted.ok_or(SecretError::NeedsPrompt),
            SecretSource::None => Err(SecretError::NoSecret),
            SecretSource::Env { var } => match std::env::var(var) {
                Ok(v) if !v.is_empty() => Ok(SecretString::from(v)),
                Ok(_) | Err(std::env::VarError::NotUnicode(_)) => {
                    Err(SecretError::EnvUnusable { var: var.clone() })
                }
                Err(std::env::VarError::NotPresent) => {
                    Err(SecretError::EnvMissing { var: var.clone() })
                }
            },
            SecretSource::Command { command } => run_secret_command(command, timeout),
            SecretSource::Plain { value } => {
                if value.expose_secret().is_empty() {
                    Err(SecretError::EmptyPlain)
                } else {
                    Ok(value.clone())
                }
            }
        }
    }
}

fn read_all(mut r: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        // A read error just ends the capture; what was read so far is still useful.
        let _ = r.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

fn run_secret_command(command: &str, timeout: Duration) -> Result<SecretString, SecretError> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| SecretError::Spawn(e.to_string()))?;
    let stdout = child.stdout.take().map(read_all);
    let stderr = child.stderr.take().map(read_all);
    let deadline = std::time::Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                let secs = u64::try_from(timeout.as_millis().div_ceil(1000)).unwrap_or(u64::MAX);
                return Err(SecretError::Timeout(secs));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(SecretError::Spawn(e.to_string())),
        }
    };
    // The pipes close when the process exits (unless a background child keeps them open, so
    // wait at most a second for the rest of the output).
    let collect = |rx: Option<mpsc::Receiver<Vec<u8>>>| {
        rx.and_then(|rx| rx.recv_timeout(Duration::from_secs(1)).ok())
            .unwrap_or_default()
    };
    let out = collect(stdout);
    let err = collect(stderr);
    if !status.success() {
        let err = String::from_utf8_lossy(&err);
        let first = err
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("(no error output)")
            .to_owned();
        return Err(SecretError::CommandFailed {
            status: status.to_string(),
            stderr: first,
        });
    }
    let text = String::from_utf8(out).map_err(|_| SecretError::EmptyOutput)?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(SecretError::EmptyOutput);
    }
    Ok(SecretString::from(trimmed.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::profiles::Profile;

    #[test]
    fn debug_never_shows_plain_secret() {
        let s = SecretSource::Plain {
            value: SecretString::from("hunter2-very-secret"),
        };
        let mut p = Profile::new("x", "https://a.my.salesforce.com", "id");
        p.secret = s.clone();
        for text in [format!("{s:?}"), format!("{p:?}"), format!("{p:#?}")] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains("redacted"), "{text}");
        }
    }

    #[test]
    fn secret_source_eq_compares_plain_values() {
        let a = SecretSource::Plain {
            value: SecretString::from("a"),
        };
        let a2 = SecretSource::Plain {
            value: SecretString::from("a"),
        };
        let b = SecretSource::Plain {
            value: SecretString::from("b"),
        };
        assert_eq!(a, a2);
        assert_ne!(a, b);
        assert_ne!(a, SecretSource::Prompt);
        assert_eq!(
            SecretSource::Env { var: "X".into() },
            SecretSource::Env { var: "X".into() }
        );
    }
}
