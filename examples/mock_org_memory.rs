//! Seeds a mock org's record store and prints what it costs:
//! `cargo run --release --example mock_org_memory -- [ACCOUNTS]` (default 100,000).
//!
//! Prints rows per sObject, seeding time, the store's own byte count per row and the process's
//! resident set size (Linux `/proc/self/status`).

use sfterm::mock_org::MockOrgConfig;
use sfterm::mock_org::store::seed_report;

/// `VmRSS` and `VmHWM` of this process in KiB, when the OS tells.
fn rss_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let records = match std::env::args().nth(1) {
        Some(n) => n.replace(['_', ','], "").parse()?,
        None => 100_000,
    };
    let config = MockOrgConfig {
        records,
        ..MockOrgConfig::default()
    };
    let report = seed_report(&config)?;
    for ((object, rows), (_, bytes)) in report.rows.iter().zip(&report.row_bytes) {
        println!(
            "{object:>10}: {rows} rows, {} packed bytes/row",
            bytes.checked_div(*rows).unwrap_or_default()
        );
    }
    println!(
        "seeded {} rows in {:.2?}; store {:.1} MiB = {} bytes/row",
        report.total_rows(),
        report.seed_time,
        report.heap_bytes as f64 / (1024.0 * 1024.0),
        report.bytes_per_row()
    );
    if let Some((rss, peak)) = rss_kib() {
        println!(
            "process RSS {:.1} MiB (peak {:.1} MiB)",
            rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    Ok(())
}
