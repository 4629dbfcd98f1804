//! The script commands (`sfterm check|query|export|apex|run ...`) in-process against the mock
//! org: a `profiles.toml` naming the mock org, and [`run`], which parses a command line like the
//! binary does and returns the command's result with everything it printed.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use clap::{CommandFactory, Parser};
use sfterm::commands::{self, CommandError, Context, ScriptCommand};
use sfterm::login::TokenStore;
use sfterm::mock_org::MockOrg;

/// A stand-in for the top-level `sfterm` command line.
#[derive(Debug, Parser)]
#[command(name = "sfterm")]
pub struct TestCli {
    #[arg(long, short = 'p', global = true)]
    pub profile: Option<String>,
    #[command(subcommand)]
    pub command: ScriptCommand,
}

/// A shared in-memory stdout.
#[derive(Clone, Default)]
pub struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    /// Everything written so far, as UTF-8.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lock").clone()).expect("utf-8")
    }
}

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One `[[profile]]` table for the mock org with the given name, client id and plain secret.
pub fn profile_toml(name: &str, org: &MockOrg, id: &str, secret: &str) -> String {
    format!(
        "[[profile]]\nname = \"{name}\"\nendpoint = \"{}\"\nclient_id = \"{id}\"\n\
         secret = {{ source = \"plain\", value = \"{secret}\" }}\n",
        org.instance_url()
    )
}

/// A temporary config dir whose `profiles.toml` is `profiles`.
pub fn config_dir(profiles: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("profiles.toml"), profiles).expect("write profiles");
    dir
}

/// A config dir with one profile "mock" for the org, with its real client id and secret.
pub fn dir_for(org: &MockOrg) -> tempfile::TempDir {
    dir_with_secret(org, org.client_secret())
}

/// A config dir with one profile "mock" for the org, its client id and the given secret.
pub fn dir_with_secret(org: &MockOrg, secret: &str) -> tempfile::TempDir {
    config_dir(&profile_toml("mock", org, org.client_id(), secret))
}

/// Runs `sfterm <args>` with `config_dir` as the config dir; returns the result and stdout.
pub async fn run(config_dir: &Path, args: &[&str]) -> (Result<(), CommandError>, String) {
    let cli = TestCli::try_parse_from(std::iter::once("sfterm").chain(args.iter().copied()))
        .expect("arguments parse");
    let out = Buffer::default();
    let ctx = Context {
        config_dir: config_dir.to_path_buf(),
        profile: cli.profile,
        stdout: Box::new(out.clone()),
        stderr_is_terminal: false,
        // Browser logins of a test keep their refresh tokens beside its profiles.
        token_store: Some(TokenStore::file(config_dir, "test")),
        data_dir: Some(config_dir.to_path_buf()),
    };
    let result = commands::run(cli.command, ctx, TestCli::command()).await;
    (result, out.text())
}
