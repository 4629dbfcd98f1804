use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // reqwest and the mock org's TLS use rustls with the ring provider; install it once, first.
    let _ = rustls::crypto::ring::default_provider().install_default();
    sfterm::cli::run(sfterm::cli::Cli::parse())
}
