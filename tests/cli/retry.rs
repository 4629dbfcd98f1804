//! The script commands under transient failures (issue #19): `query` and `export` lose no row,
//! a cut export resumes in a new process (`--resume JOB_ID`), a create is never repeated, and
//! the number of tries comes from config.toml or `SFTERM_RETRIES`. The real binary, against
//! the mock org on 127.0.0.1.
#![cfg(feature = "mock-org")]

use std::collections::HashSet;
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sfterm::mock_org::{FaultKind, MockOrg, MockOrgConfig};

use crate::common;

use common::cli::{dir_for, run};

const BIN: &str = env!("CARGO_BIN_EXE_sfterm");

/// Runs `sfterm <args>` as a process with the config and data dirs `dir` and `env`; returns
/// the exit code and stderr.
fn sfterm(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .env("SFTERM_CONFIG_DIR", dir)
        .env("SFTERM_DATA_DIR", dir)
        .envs(env.iter().copied())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("sfterm runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

/// [`sfterm`] on a blocking thread, so the in-process mock org keeps serving.
async fn sfterm_async(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let dir = dir.to_owned();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        sfterm(&dir, &env, &args)
    })
    .await
    .expect("joined")
}

/// The first column of every line after the header: each row's Id, unquoted.
fn ids(text: &str) -> Vec<String> {
    text.lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .next()
                .unwrap_or_default()
                .trim_matches('"')
                .to_owned()
        })
        .collect()
}

fn unique(ids: &[String]) -> usize {
    ids.iter().collect::<HashSet<_>>().len()
}

/// A `sfterm mock-org` process, killed on drop.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `sfterm mock-org --port 0 <args>` and writes a profile for it into `dir`; returns the
/// process and its instance URL once its env file is written.
fn mock_org_process(dir: &Path, args: &[&str]) -> (Server, String) {
    let env_file = dir.join("mock.env");
    let mut child = Command::new(BIN)
        .args(["mock-org", "--port", "0", "--env-file"])
        .arg(&env_file)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sfterm mock-org starts");
    if let Some(out) = child.stdout.take() {
        std::thread::spawn(move || for _ in std::io::BufReader::new(out).lines() {});
    }
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    let text = loop {
        if let Ok(text) = std::fs::read_to_string(&env_file)
            && !text.is_empty()
        {
            break text;
        }
        assert!(Instant::now() < deadline, "the env file never appeared");
        std::thread::sleep(Duration::from_millis(50));
    };
    let var = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .to_owned()
    };
    let url = var("SF_INSTANCE_URL");
    std::fs::write(
        dir.join("profiles.toml"),
        format!(
            "[[profile]]\nname = \"mock\"\nendpoint = \"{}\"\nclient_id = \"{}\"\n\
             secret = {{ source = \"plain\", value = \"{}\" }}\n",
            url.trim_end_matches('/'),
            var("SF_CLIENT_ID"),
            var("SF_CLIENT_SECRET")
        ),
    )
    .expect("profiles");
    (server, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_a_five_percent_failure_rate_query_and_export_write_every_row_once() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("dir");
    let (_server, url) = mock_org_process(
        dir.path(),
        &[
            "--records",
            "20000",
            "--fail-rate",
            "0.05",
            "--fail-seed",
            "7",
        ],
    );
    let soql = "SELECT Id, Name FROM Account";
    let query_out = dir.path().join("query.csv");
    let (code, stderr) = sfterm_async(
        dir.path(),
        &[],
        &[
            "query",
            soql,
            "--all",
            "--format",
            "csv",
            "--out",
            query_out.to_str().expect("path"),
        ],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&query_out).expect("query output");
    assert_eq!(text.lines().count(), 20_001);
    let rows = ids(&text);
    assert_eq!((rows.len(), unique(&rows)), (20_000, 20_000));

    let export_out = dir.path().join("export.csv");
    let (code, stderr) = sfterm_async(
        dir.path(),
        &[],
        &["export", soql, "--out", export_out.to_str().expect("path")],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&export_out).expect("export output");
    assert_eq!(text.lines().count(), 20_001);
    let rows = ids(&text);
    assert_eq!((rows.len(), unique(&rows)), (20_000, 20_000));

    // The rate did fail calls on the way.
    let admin = format!("{}/__mock/faults", url.trim_end_matches('/'));
    let faults: serde_json::Value = reqwest::get(admin)
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert!(
        faults["failed_at_random"].as_u64().is_some_and(|n| n > 0),
        "{faults}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_meeting_two_503s_writes_all_5000_rows() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig {
        records: 5000,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org");
    let dir = dir_for(&org);
    org.fail_next(2, 503);
    let (result, out) = run(
        dir.path(),
        &[
            "query",
            "SELECT Id, Name FROM Account",
            "--all",
            "--format",
            "csv",
        ],
    )
    .await;
    result.expect("the query goes through the 503s");
    assert_eq!(out.lines().count(), 5001);
    let rows = ids(&out);
    assert_eq!((rows.len(), unique(&rows)), (5000, 5000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_export_resumes_in_a_new_process_without_duplicates() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig {
        records: 5000,
        bulk_page_size: 1000,
        bulk_polls_in_progress: 0,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org");
    let dir = dir_for(&org);
    let file = dir.path().join("accounts.csv");
    let path = file.to_str().expect("path");
    // The second page is dropped on both tries: the download stops after the first. (Page by
    // page; the parallel download's cut is the next test.)
    org.drop_next_result_pages(2);
    let (code, stderr) = sfterm_async(
        dir.path(),
        &[("SFTERM_RETRIES", "2")],
        &[
            "export",
            "SELECT Id, Name FROM Account",
            "--out",
            path,
            "--concurrency",
            "1",
        ],
    )
    .await;
    assert_eq!(code, 1, "{stderr}");
    let job = stderr
        .split("--resume ")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("the resume command: {stderr}"))
        .to_owned();
    assert!(job.starts_with("750"), "{job}");
    assert!(stderr.contains("1,000 records of job"), "{stderr}");
    let first = std::fs::read_to_string(&file).expect("the first page");
    assert_eq!(first.lines().count(), 1001);
    // As if the process had been stopped in the middle of writing the next page.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"\"001half,\"Half wri"))
        .expect("a half page");

    let (code, stderr) = sfterm_async(dir.path(), &[], &["export", "--resume", &job]).await;
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&file).expect("the whole export");
    assert_eq!(text.lines().count(), 5001, "one header, every row");
    assert_eq!(text.matches("\"Id\",\"Name\"").count(), 1);
    assert!(!text.contains("Half wri"), "the half page was cut off");
    let rows = ids(&text);
    assert_eq!((rows.len(), unique(&rows)), (5000, 5000));
    assert!(
        !dir.path()
            .join("exports")
            .join(format!("{job}.resume.json"))
            .exists(),
        "the progress is forgotten once done"
    );
    let (code, stderr) = sfterm_async(dir.path(), &[], &["export", "--resume", &job]).await;
    assert_eq!(code, 2, "nothing left to resume: {stderr}");
    assert!(stderr.contains("No cut export of job"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_parallel_export_resumes_in_a_new_process_as_the_serial_file() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig {
        records: 5000,
        bulk_page_size: 1000,
        bulk_polls_in_progress: 0,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org");
    let dir = dir_for(&org);
    let soql = "SELECT Id, Name, Industry FROM Account ORDER BY Name";
    let serial = dir.path().join("serial.csv");
    let (code, stderr) = sfterm_async(
        dir.path(),
        &[],
        &[
            "export",
            soql,
            "--out",
            serial.to_str().expect("path"),
            "--concurrency",
            "1",
        ],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");

    // The calls: create, poll (complete at once), resultPages (all 5 chunks listed), then the
    // chunks, four at a time; the eighth call's connection is dropped. Which chunk that is
    // depends on the order the chunks reach the org (the fifth may overtake one of the first
    // four on a busy machine); without retries the download stops after the chunks before
    // the dropped one, written in order: the file is that many rows of the serial one.
    org.fail_after(7, 1, 200, FaultKind::Drop);
    let file = dir.path().join("parallel.csv");
    let path = file.to_str().expect("path");
    let (code, stderr) = sfterm_async(
        dir.path(),
        &[("SFTERM_RETRIES", "1")],
        &["export", soql, "--out", path, "--concurrency", "4"],
    )
    .await;
    assert_eq!(code, 1, "{stderr}");
    let written: usize = stderr
        .split(" records of job")
        .next()
        .and_then(|head| head.rsplit(['\n', ' ']).next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("how many were written: {stderr}"));
    assert!(written.is_multiple_of(1000) && written < 5000, "{stderr}");
    let partial = std::fs::read_to_string(&file).expect("the cut export");
    assert_eq!(partial.lines().count(), written + 1, "{stderr}");
    let serial_text = std::fs::read_to_string(&serial).expect("the serial export");
    assert!(
        serial_text.starts_with(&partial),
        "the chunks before the dropped one, in order"
    );
    let job = stderr
        .split("--resume ")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or_else(|| panic!("the resume command: {stderr}"))
        .to_owned();
    let progress = std::fs::read_to_string(
        dir.path()
            .join("exports")
            .join(format!("{job}.resume.json")),
    )
    .expect("the progress");
    assert!(progress.contains("\"mode\": \"parallel\""), "{progress}");
    // As if the process had been stopped in the middle of writing the next chunk.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .and_then(|mut f| std::io::Write::write_all(&mut f, b"\"001half,\"Half wri"))
        .expect("a half chunk");

    let (code, stderr) = sfterm_async(
        dir.path(),
        &[],
        &["export", "--resume", &job, "--concurrency", "3"],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    let text = std::fs::read_to_string(&file).expect("the whole export");
    let serial = std::fs::read_to_string(&serial).expect("the serial export");
    assert_eq!(text.lines().count(), 5001);
    assert!(
        text == serial,
        "the resumed parallel file is the serial one, byte for byte"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_concurrency_comes_from_config_toml_and_the_environment() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig {
        records: 300,
        bulk_page_size: 10,
        bulk_polls_in_progress: 0,
        ..MockOrgConfig::default()
    })
    .await
    .expect("mock org");
    let dir = dir_for(&org);
    let out = dir.path().join("out.csv");
    let out = out.to_str().expect("path");
    let args = ["export", "SELECT Id FROM Account", "--out", out];
    // Calls of one export: create, poll, then 30 pages by locator, or 30 chunks and 6 answers
    // of resultPages.
    let calls = async |env: &[(&str, &str)]| {
        let before = org.api_usage();
        let (code, stderr) = sfterm_async(dir.path(), env, &args).await;
        assert_eq!(code, 0, "{stderr}");
        (org.api_usage() - before, stderr)
    };
    assert_eq!(calls(&[]).await.0, 2 + 30 + 6, "parallel by default");
    std::fs::write(dir.path().join("config.toml"), "export_concurrency = 1\n").expect("config");
    assert_eq!(calls(&[]).await.0, 2 + 30, "config.toml: page by page");
    let (n, _) = calls(&[("SFTERM_EXPORT_CONCURRENCY", "2")]).await;
    assert_eq!(n, 2 + 30 + 6, "the environment over config.toml");
    let (n, stderr) = calls(&[("SFTERM_EXPORT_CONCURRENCY", "99")]).await;
    assert_eq!(n, 2 + 30, "a bad value is ignored, with a warning");
    assert!(
        stderr.contains("SFTERM_EXPORT_CONCURRENCY must be a whole number"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_that_fails_after_sending_is_not_repeated_and_says_how_to_check() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org");
    let dir = dir_for(&org);
    let before = org.record_count("Account");
    // The first data API call of the command is the create (the version list is not one).
    org.fail_next_kind(1, 200, FaultKind::DropAfterProcessing);
    let (code, stderr) = sfterm_async(
        dir.path(),
        &[],
        &["record", "create", "Account", "Name=Lost Answer Ltd"],
    )
    .await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("May or may not have taken effect"),
        "{stderr}"
    );
    assert!(
        stderr.contains("sfterm query \"SELECT Id, Name, CreatedDate FROM Account"),
        "{stderr}"
    );
    assert_eq!(org.record_count("Account"), before + 1, "created once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_toml_and_sfterm_retries_set_the_tries() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = MockOrg::start(MockOrgConfig::default())
        .await
        .expect("mock org");
    let dir = dir_for(&org);
    let soql = "SELECT Id FROM Account LIMIT 1";
    std::fs::write(dir.path().join("config.toml"), "retries = 2\n").expect("config");
    org.fail_next_kind(10, 502, FaultKind::Html);
    let (code, stderr) = sfterm_async(dir.path(), &[], &["query", soql]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("sfterm tried 2 times"), "{stderr}");
    org.fail_next_kind(10, 502, FaultKind::Html);
    let (code, stderr) =
        sfterm_async(dir.path(), &[("SFTERM_RETRIES", "3")], &["query", soql]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("sfterm tried 3 times"),
        "the variable wins: {stderr}"
    );
    org.fail_next_kind(10, 502, FaultKind::Html);
    let (code, stderr) =
        sfterm_async(dir.path(), &[("SFTERM_RETRIES", "lots")], &["query", soql]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("warning: SFTERM_RETRIES must be a whole number of tries from 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("sfterm tried 2 times"),
        "config.toml's: {stderr}"
    );
    org.fail_next(0, 502);
    std::fs::write(dir.path().join("config.toml"), "retries = 0\n").expect("config");
    let (code, stderr) = sfterm_async(dir.path(), &[], &["query", soql]).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("config.toml:1:11: \"retries\" must be a whole number of tries from 1"),
        "{stderr}"
    );
}
