//! `sfterm import` end to end against the mock org over HTTP: inserts with failing rows,
//! upserts by external id (twice), updates, deletes, the check refusing a file before anything
//! is sent, `--dry-run`, uploads split into several jobs, and Ctrl-C aborting the jobs.
#![cfg(feature = "mock-org")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sfterm::commands::{EXIT_FAILURE, EXIT_USAGE};
use sfterm::mock_org::{MockOrg, MockOrgConfig};
use sfterm::sf::SfClient;

use crate::common;

use common::cli::{dir_for, run};

/// 20 accounts; jobs finish on their first poll.
fn quick() -> MockOrgConfig {
    MockOrgConfig {
        records: 20,
        bulk_polls_in_progress: 0,
        ..Default::default()
    }
}

async fn start(config: MockOrgConfig) -> MockOrg {
    MockOrg::start(config).await.expect("mock org starts")
}

/// Writes `csv` as `name` in `dir`; returns its path as text.
fn write(dir: &Path, name: &str, csv: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, csv).expect("write csv");
    path.to_str().expect("utf-8 path").to_owned()
}

/// A result file beside `input` (`NAME.what.csv`), as text.
fn result_file(input: &str, what: &str) -> String {
    let path = PathBuf::from(input.replace(".csv", &format!(".{what}.csv")));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Data rows of a result file (its lines after the header; values hold no line breaks here).
fn rows(csv: &str) -> Vec<&str> {
    csv.lines().skip(1).collect()
}

async fn count(client: &SfClient, soql: &str) -> u64 {
    client.query(soql).await.expect("query").total_size
}

fn import<'a>(file: &'a str, object: &'a str, operation: &'a str) -> Vec<&'a str> {
    vec!["import", file, "--object", object, "--operation", operation]
}

#[tokio::test]
async fn an_insert_with_failing_rows_writes_both_files_and_exits_1() {
    let org = start(quick()).await;
    let client = common::org::logged_in_client(&org).await;
    let before = count(&client, "SELECT Id FROM Contact").await;
    let dir = dir_for(&org);
    let mut csv = String::from("FirstName,LastName,Email,Birthdate\n");
    for i in 0..1000 {
        // Every hundredth row lacks its LastName.
        let last = if i % 100 == 7 {
            String::new()
        } else {
            format!("Person {i}")
        };
        csv.push_str(&format!(
            "Ada,{last},ada{i}@example.org,1990-01-{:02}\n",
            i % 28 + 1
        ));
    }
    let file = write(dir.path(), "contacts.csv", &csv);
    let (result, out) = run(dir.path(), &import(&file, "Contact", "insert")).await;
    let e = result.expect_err("ten rows fail");
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(e.message.contains("10 of 1,000 rows were not saved"), "{e}");
    assert!(out.contains("990 saved (990 created, 0 updated)"), "{out}");
    assert!(out.contains("10 failed"), "{out}");

    let success = result_file(&file, "success");
    assert!(success.starts_with("\"sf__Id\",\"sf__Created\",FirstName,LastName,Email,Birthdate\n"));
    assert_eq!(rows(&success).len(), 990);
    let failed = result_file(&file, "failed");
    assert_eq!(rows(&failed).len(), 10);
    for row in rows(&failed) {
        assert!(row.contains("REQUIRED_FIELD_MISSING"), "{row}");
    }
    assert_eq!(rows(&result_file(&file, "unprocessed")).len(), 0);
    assert_eq!(count(&client, "SELECT Id FROM Contact").await, before + 990);
    #[cfg(unix)]
    for what in ["success", "failed", "unprocessed"] {
        use std::os::unix::fs::PermissionsExt;
        let path = file.replace(".csv", &format!(".{what}.csv"));
        let mode = std::fs::metadata(&path)
            .expect("result file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{path}");
    }
}

#[tokio::test]
async fn an_upsert_by_external_id_creates_nothing_new_the_second_time() {
    let org = start(quick()).await;
    let client = common::org::logged_in_client(&org).await;
    let dir = dir_for(&org);
    let accounts = write(
        dir.path(),
        "accounts.csv",
        "Name,External_Id__c\nAcme,ACME-1\nGlobex,GLX-1\n",
    );
    let mut args = import(&accounts, "Account", "upsert");
    args.extend(["--external-id", "External_Id__c"]);
    run(dir.path(), &args).await.0.expect("accounts");

    let contacts = write(
        dir.path(),
        "contacts.csv",
        "LastName,External_Id__c,Account.External_Id__c\n\
         Lovelace,C-1,ACME-1\nHopper,C-2,GLX-1\nTuring,C-3,ACME-1\n",
    );
    let mut args = import(&contacts, "Contact", "upsert");
    args.extend(["--external-id", "external_id__c"]);
    let before = count(&client, "SELECT Id FROM Contact").await;
    let (first, out) = run(dir.path(), &args).await;
    first.expect("first upsert");
    assert!(out.contains("3 saved (3 created, 0 updated)"), "{out}");
    assert_eq!(count(&client, "SELECT Id FROM Contact").await, before + 3);
    assert_eq!(
        count(
            &client,
            "SELECT Id FROM Contact WHERE Account.External_Id__c = 'ACME-1'"
        )
        .await,
        2,
        "the relationship column found the accounts"
    );

    let (second, out) = run(dir.path(), &args).await;
    second.expect("second upsert");
    assert!(out.contains("3 saved (0 created, 3 updated)"), "{out}");
    assert_eq!(count(&client, "SELECT Id FROM Contact").await, before + 3);
    for row in rows(&result_file(&contacts, "success")) {
        assert!(row.contains(",\"false\","), "{row}");
    }
}

#[tokio::test]
async fn updates_and_deletes_by_id() {
    let org = start(quick()).await;
    let client = common::org::logged_in_client(&org).await;
    let dir = dir_for(&org);
    let page = client
        .query("SELECT Id FROM Account ORDER BY Name LIMIT 2")
        .await
        .expect("accounts");
    let ids: Vec<&str> = page
        .records
        .iter()
        .map(|r| r["Id"].as_str().expect("id"))
        .collect();
    let update = write(
        dir.path(),
        "update.csv",
        &format!(
            "Id,Industry,NumberOfEmployees\r\n{},Energy,12\r\n{},Energy,\r\n",
            ids[0], ids[1]
        ),
    );
    run(dir.path(), &import(&update, "Account", "update"))
        .await
        .0
        .expect("update");
    let soql = format!(
        "SELECT Id FROM Account WHERE Industry = 'Energy' AND Id IN ('{}', '{}')",
        ids[0], ids[1]
    );
    assert_eq!(count(&client, &soql).await, 2);

    let delete = write(
        dir.path(),
        "delete.csv",
        &format!("Id\n{}\n{}\n", ids[0], ids[1]),
    );
    let (result, out) = run(dir.path(), &import(&delete, "Account", "delete")).await;
    result.expect("delete");
    assert!(out.contains("2 saved"), "{out}");
    assert_eq!(count(&client, &soql).await, 0);
}

#[tokio::test]
async fn a_file_with_problems_is_refused_with_positions_and_nothing_is_sent() {
    let org = start(quick()).await;
    let dir = dir_for(&org);
    let file = write(
        dir.path(),
        "bad.csv",
        "LastName,Nmae,Birthdate\nLovelace,x,1815-12-10\nHopper,y,09/12/1906\n",
    );
    let (result, out) = run(dir.path(), &import(&file, "Contact", "insert")).await;
    let e = result.expect_err("refused");
    assert_eq!(e.code, EXIT_FAILURE);
    assert!(
        e.message.contains(&format!(
            "{file}:1:10: Contact has no field Nmae (did you mean Name?)"
        )),
        "{e}"
    );
    assert!(
        e.message.contains(&format!(
            "{file}:3:10: Birthdate takes a date as yyyy-MM-dd"
        )),
        "{e}"
    );
    assert!(
        e.message.starts_with(&format!(
            "2 problems in {file}: nothing was sent\n{file}:1:10: "
        )),
        "{e}"
    );
    assert_eq!(out, "");

    let unbalanced = write(
        dir.path(),
        "quotes.csv",
        "LastName\nLovelace\n\"Hopper\nTuring\n",
    );
    let e = run(dir.path(), &import(&unbalanced, "Contact", "insert"))
        .await
        .0
        .expect_err("unbalanced quotes");
    assert!(
        e.message.contains(&format!(
            "\n{unbalanced}:3:1: the quote opening this value is never closed"
        )),
        "{e}"
    );

    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"LastName\nCaf\xe9\n").expect("write");
    let latin1 = latin1.to_str().expect("utf-8 path").to_owned();
    let e = run(dir.path(), &import(&latin1, "Contact", "insert"))
        .await
        .0
        .expect_err("not UTF-8");
    assert!(
        e.message
            .contains(&format!("\n{latin1}:2:4: byte 0xE9 is not UTF-8")),
        "{e}"
    );

    let mut upsert = import(&file, "Contact", "upsert");
    let e = run(dir.path(), &upsert).await.0.expect_err("no key");
    assert_eq!(e.code, EXIT_USAGE);
    upsert.extend(["--external-id", "LastName"]);
    let e = run(dir.path(), &upsert)
        .await
        .0
        .expect_err("not an external id");
    assert!(e.message.contains("is not an External ID field"), "{e}");

    assert!(org.ingest_jobs().is_empty(), "the org saw no job");
}

#[tokio::test]
async fn columns_named_by_label_or_mapped_with_map_set_their_fields() {
    let org = start(quick()).await;
    let client = common::org::logged_in_client(&org).await;
    let before = count(&client, "SELECT Id FROM Contact").await;
    let dir = dir_for(&org);
    // "First Name" is FirstName's label; Surname and Mail are mapped; Notes is left out.
    let file = write(
        dir.path(),
        "people.csv",
        "Surname,First Name,Mail,Notes\nLovelace,Ada,ada@example.org,the first programmer\n\
         Hopper,Grace,grace@example.org,\"COBOL, compilers\"\n",
    );
    let mut args = import(&file, "Contact", "insert");
    args.extend([
        "--map",
        "Surname=LastName",
        "--map",
        "mail = email",
        "--map",
        "Notes=",
    ]);
    let (result, out) = run(dir.path(), &args).await;
    result.expect("both rows saved");
    assert!(out.contains("2 saved (2 created, 0 updated)"), "{out}");
    assert_eq!(count(&client, "SELECT Id FROM Contact").await, before + 2);
    let saved = client
        .query("SELECT FirstName, Email FROM Contact WHERE LastName = 'Hopper'")
        .await
        .expect("query");
    assert_eq!(saved.records.len(), 1);
    assert_eq!(saved.records[0]["FirstName"], "Grace");
    assert_eq!(saved.records[0]["Email"], "grace@example.org");

    // Without the map, Surname is no field of Contact: refused where it stands.
    let e = run(dir.path(), &import(&file, "Contact", "insert"))
        .await
        .0
        .expect_err("refused");
    assert!(
        e.message
            .contains(&format!("{file}:1:1: Contact has no field Surname")),
        "{e}"
    );
    // A map naming a column the file does not have is a usage error; so is one without `=`.
    let mut args = import(&file, "Contact", "insert");
    args.extend(["--map", "Phone Number=Phone"]);
    let e = run(dir.path(), &args).await.0.expect_err("no such column");
    assert_eq!(e.code, EXIT_USAGE);
    assert!(
        e.message
            .contains("\"Phone Number\", which the header does not have"),
        "{e}"
    );
    use clap::Parser as _;
    let parsed = common::cli::TestCli::try_parse_from([
        "sfterm",
        "import",
        &file,
        "--object",
        "Contact",
        "--operation",
        "insert",
        "--map",
        "Surname",
    ]);
    let e = parsed.expect_err("COLUMN=FIELD");
    assert!(e.to_string().contains("is not COLUMN=FIELD"), "{e}");
    assert_eq!(
        org.ingest_jobs().len(),
        1,
        "only the first import sent a job"
    );
}

#[tokio::test]
async fn a_dry_run_checks_and_sends_nothing() {
    let org = start(quick()).await;
    let dir = dir_for(&org);
    let file = write(
        dir.path(),
        "ok.csv",
        "LastName,Email\nLovelace,ada@example.org\n,\n",
    );
    let mut args = import(&file, "Contact", "insert");
    args.push("--dry-run");
    let (result, out) = run(dir.path(), &args).await;
    result.expect("dry run");
    assert!(
        out.contains("2 rows checked against Contact for insert: no problems"),
        "{out}"
    );
    assert!(
        out.contains("Dry run: nothing was sent (1 job would be)"),
        "{out}"
    );
    assert!(org.ingest_jobs().is_empty());
    assert!(!Path::new(&file.replace(".csv", ".success.csv")).exists());
}

#[tokio::test]
async fn a_file_over_the_upload_limit_goes_in_several_jobs() {
    let org = start(MockOrgConfig {
        ingest_max_upload_bytes: 300,
        ..quick()
    })
    .await;
    let dir = dir_for(&org);
    let mut csv = String::from("LastName,Email\n");
    for i in 0..40 {
        csv.push_str(&format!("Name {i:02},p{i:02}@example.org\n"));
    }
    let file = write(dir.path(), "many.csv", &csv);
    // Without splitting, the org refuses the upload.
    let mut args = import(&file, "Contact", "insert");
    let e = run(dir.path(), &args)
        .await
        .0
        .expect_err("too big for one job");
    assert!(
        e.message.contains("EXCEEDED_MAX_SIZE_REQUEST") || e.message.contains("413"),
        "{e}"
    );
    let refused = org.ingest_jobs().len();

    args.extend(["--max-upload-bytes", "300"]);
    let (result, out) = run(dir.path(), &args).await;
    result.expect("split import");
    let jobs = org.ingest_jobs();
    // 15 + 40 × 27 bytes: 10 rows a job.
    assert_eq!(jobs.len() - refused, 4, "{jobs:?}");
    assert!(out.contains("40 rows in 4 jobs"), "{out}");
    assert!(out.contains("40 saved (40 created, 0 updated)"), "{out}");
    let success = result_file(&file, "success");
    assert_eq!(success.matches("sf__Id").count(), 1, "one header");
    assert_eq!(rows(&success).len(), 40);
}

/// The real binary, interrupted by SIGINT while its job runs: the job is aborted on the org
/// and the rows are written as unprocessed.
#[cfg(unix)]
#[tokio::test]
async fn ctrl_c_aborts_the_job_on_the_server() {
    let org = start(MockOrgConfig {
        bulk_polls_in_progress: 100_000,
        ..quick()
    })
    .await;
    let dir = dir_for(&org);
    let mut csv = String::from("LastName\n");
    for i in 0..20 {
        csv.push_str(&format!("Person {i}\n"));
    }
    let file = write(dir.path(), "slow.csv", &csv);
    let mut child = Command::new(env!("CARGO_BIN_EXE_sfterm"))
        .arg("--config-dir")
        .arg(dir.path())
        .args(import(&file, "Contact", "insert"))
        .env("SFTERM_DATA_DIR", dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sfterm import starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !org
        .ingest_jobs()
        .iter()
        .any(|(_, state)| state == "InProgress")
    {
        if let Ok(Some(_)) = child.try_wait() {
            let out = child.wait_with_output().expect("output");
            panic!(
                "sfterm import ended early: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(Instant::now() < deadline, "the job never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("sfterm exits");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(i32::from(EXIT_FAILURE)), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let jobs = org.ingest_jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].1, "Aborted");
    assert_eq!(rows(&result_file(&file, "unprocessed")).len(), 20);
    assert_eq!(rows(&result_file(&file, "success")).len(), 0);
}
