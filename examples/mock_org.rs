//! Runs the mock org standalone, as `sfterm mock-org` will once the CLI is wired:
//! `cargo run --example mock_org -- --port 8484 --records 300 [--tls] [--env-file FILE]`.

use clap::Parser;
use sfterm::mock_org::cli::{MockOrgArgs, run};

/// Command line of the example: exactly the `mock-org` subcommand's options.
#[derive(Debug, Parser)]
struct Cli {
    #[command(flatten)]
    args: MockOrgArgs,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    run(cli.args).await?;
    Ok(())
}
