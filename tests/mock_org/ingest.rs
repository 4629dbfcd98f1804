//! Bulk API 2.0 ingest jobs on the mock org over real HTTP: the wire shapes of
//! `shared/reference/bulk-ingest.md` (job info, states, uploads, result files, errors).

use crate::common;

use std::io::Read;

use serde_json::{Value, json};
use sfterm::mock_org::{MockOrg, MockOrgConfig};

/// A mock org, a plain HTTP client and a token.
struct Org {
    org: MockOrg,
    http: reqwest::Client,
    token: String,
}

impl Org {
    async fn start(config: MockOrgConfig) -> Org {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let org = MockOrg::start(config).await.expect("mock org starts");
        let http = reqwest::Client::builder()
            .no_gzip()
            .build()
            .expect("client");
        let token = common::org::token_for(&org, &http).await;
        Org { org, http, token }
    }

    fn url(&self, path: &str) -> url::Url {
        self.org
            .instance_url()
            .join(&format!("services/data/v62.0/{path}"))
            .expect("url")
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Vec<u8>) {
        let resp = req.bearer_auth(&self.token).send().await.expect("send");
        let status = resp.status().as_u16();
        (status, resp.bytes().await.expect("body").to_vec())
    }

    async fn json(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let (status, body) = self.send(req).await;
        let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        (status, value)
    }

    async fn create(&self, body: Value) -> Value {
        let (status, job) = self
            .json(self.http.post(self.url("jobs/ingest")).json(&body))
            .await;
        assert_eq!(status, 200, "{job}");
        job
    }

    async fn upload(&self, id: &str, csv: &str) -> u16 {
        let req = self
            .http
            .put(self.url(&format!("jobs/ingest/{id}/batches")))
            .header("Content-Type", "text/csv")
            .body(csv.to_owned());
        self.send(req).await.0
    }

    async fn patch(&self, id: &str, state: &str) -> (u16, Value) {
        let req = self
            .http
            .patch(self.url(&format!("jobs/ingest/{id}")))
            .json(&json!({ "state": state }));
        self.json(req).await
    }

    async fn poll(&self, id: &str) -> Value {
        let (status, job) = self
            .json(self.http.get(self.url(&format!("jobs/ingest/{id}"))))
            .await;
        assert_eq!(status, 200, "{job}");
        job
    }

    /// Polls until the job is finished.
    async fn finished(&self, id: &str) -> Value {
        for _ in 0..10 {
            let job = self.poll(id).await;
            if ["JobComplete", "Failed", "Aborted"].contains(&job["state"].as_str().unwrap_or("")) {
                return job;
            }
        }
        panic!("job {id} never finished");
    }

    async fn results(&self, id: &str, which: &str) -> String {
        let (status, body) = self
            .send(
                self.http
                    .get(self.url(&format!("jobs/ingest/{id}/{which}/"))),
            )
            .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        String::from_utf8(body).expect("utf-8")
    }

    /// Creates a job, uploads `csv`, closes it and polls it to the end.
    async fn run(&self, settings: Value, csv: &str) -> (String, Value) {
        let job = self.create(settings).await;
        let id = job["id"].as_str().expect("id").to_owned();
        assert_eq!(self.upload(&id, csv).await, 201);
        assert_eq!(self.patch(&id, "UploadComplete").await.0, 200);
        let done = self.finished(&id).await;
        (id, done)
    }
}

fn config(polls: u32) -> MockOrgConfig {
    MockOrgConfig {
        records: 5,
        bulk_polls_in_progress: polls,
        ..Default::default()
    }
}

#[tokio::test]
async fn insert_job_lifecycle_progress_and_result_files() {
    let o = Org::start(config(1)).await;
    let job = o
        .create(json!({"object": "contact", "operation": "insert", "lineEnding": "LF"}))
        .await;
    let id = job["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("750"), "{job}");
    assert_eq!(job["state"], "Open");
    assert_eq!(job["object"], "Contact");
    assert_eq!(job["apiVersion"], json!(62.0));
    assert_eq!(job["columnDelimiter"], "COMMA");
    assert_eq!(
        job["contentUrl"],
        json!(format!("services/data/v62.0/jobs/ingest/{id}/batches"))
    );
    assert!(job.get("externalIdFieldName").is_none(), "{job}");

    let csv = "LastName,Email,Birthdate\nLovelace,ada@example.org,1815-12-10\n\"Hopper, G\",,\n,nobody@example.org,\nTuring,alan,\n";
    assert_eq!(o.upload(&id, csv).await, 201);
    assert_eq!(o.upload(&id, csv).await, 400, "one upload per job");
    let (_, closed) = o.patch(&id, "UploadComplete").await;
    assert_eq!(closed["state"], "UploadComplete");
    assert_eq!(o.upload(&id, csv).await, 400, "no upload once closed");

    // Half the rows on the first poll, the rest on the next.
    let first = o.poll(&id).await;
    assert_eq!(first["state"], "InProgress", "{first}");
    assert_eq!(first["numberRecordsProcessed"], 2);
    assert_eq!(first["jobType"], "V2Ingest");
    let early = o
        .send(
            o.http
                .get(o.url(&format!("jobs/ingest/{id}/successfulResults/"))),
        )
        .await;
    assert_eq!(early.0, 400, "results wait for the end");
    let done = o.poll(&id).await;
    assert_eq!(done["state"], "JobComplete");
    assert_eq!(done["numberRecordsProcessed"], 4);
    assert_eq!(done["numberRecordsFailed"], 2);
    assert!(done["totalProcessingTime"].as_u64().is_some(), "{done}");
    assert!(done.get("contentUrl").is_none(), "{done}");

    let success = o.results(&id, "successfulResults").await;
    let lines: Vec<&str> = success.lines().collect();
    assert_eq!(
        lines[0],
        "\"sf__Id\",\"sf__Created\",LastName,Email,Birthdate"
    );
    assert_eq!(lines.len(), 3, "{success}");
    assert!(
        lines[1].starts_with("\"003")
            && lines[1].ends_with(",\"true\",\"Lovelace\",\"ada@example.org\",\"1815-12-10\""),
        "{success}"
    );
    assert!(lines[2].contains("\"Hopper, G\""), "{success}");
    let failed = o.results(&id, "failedResults").await;
    assert!(
        failed.starts_with("\"sf__Id\",\"sf__Error\",LastName,Email,Birthdate\n"),
        "{failed}"
    );
    assert!(failed.contains("\"\",\"REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName\",\"\",\"nobody@example.org\",\"\""), "{failed}");
    assert!(failed.contains("INVALID_EMAIL_ADDRESS:"), "{failed}");
    // Any letter case, as the clients in the wild spell it.
    let unprocessed = o.results(&id, "unprocessedRecords").await;
    assert_eq!(unprocessed, "LastName,Email,Birthdate\n");

    // gzip when asked.
    let resp = o
        .http
        .get(o.url(&format!("jobs/ingest/{id}/successfulResults/")))
        .bearer_auth(&o.token)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .expect("results");
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let zipped = resp.bytes().await.expect("body");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_string(&mut text)
        .expect("gunzip");
    assert_eq!(text, success);

    let (status, list) = o.json(o.http.get(o.url("jobs/ingest"))).await;
    assert_eq!(status, 200);
    assert_eq!(list["done"], true);
    assert_eq!(list["records"][0]["id"], json!(id));
    let deleted = o
        .send(o.http.delete(o.url(&format!("jobs/ingest/{id}"))))
        .await;
    assert_eq!(deleted.0, 204);
    let gone = o
        .send(o.http.get(o.url(&format!("jobs/ingest/{id}"))))
        .await;
    assert_eq!(gone.0, 404);
}

#[tokio::test]
async fn upserts_match_external_ids_and_relationship_columns_find_parents() {
    let o = Org::start(config(0)).await;
    let upsert = json!({"object": "Account", "operation": "upsert",
        "externalIdFieldName": "external_id__c"});
    let csv = "Name,External_Id__c,Industry\nAcme,ACME-1,Energy\nGlobex,GLX-1,\n";
    let (id, done) = o.run(upsert.clone(), csv).await;
    assert_eq!(done["externalIdFieldName"], "External_Id__c");
    assert_eq!(done["numberRecordsFailed"], 0, "{done}");
    let first = o.results(&id, "successfulResults").await;
    assert_eq!(first.matches("\"true\"").count(), 2, "{first}");

    // The same keys again (any case): updated, nothing created; a new key is created.
    let again = "Name,External_Id__c\nAcme Corp,acme-1\nGlobex,GLX-1\nInitech,INI-1\n";
    let (id, _) = o.run(upsert.clone(), again).await;
    let second = o.results(&id, "successfulResults").await;
    assert_eq!(second.matches("\"false\"").count(), 2, "{second}");
    assert_eq!(second.matches("\"true\"").count(), 1, "{second}");

    // Contacts point at their accounts through the external id.
    let contacts = "LastName,Account.External_Id__c\nLovelace,ACME-1\nNobody,NOPE-9\nOrphan,\n";
    let (id, done) = o
        .run(
            json!({"object": "Contact", "operation": "insert"}),
            contacts,
        )
        .await;
    assert_eq!(done["numberRecordsFailed"], 1, "{done}");
    let failed = o.results(&id, "failedResults").await;
    assert!(
        failed.contains("INVALID_CROSS_REFERENCE_KEY:Foreign key external ID: NOPE-9 not found for field External_Id__c in entity Account:AccountId"),
        "{failed}"
    );
    let success = o.results(&id, "successfulResults").await;
    let lovelace = success.lines().nth(1).expect("a row");
    let contact_id = lovelace.split('"').nth(1).expect("id");
    let (_, contact) = o
        .json(o.http.get(o.url(&format!(
            "query?q=SELECT+Account.Name,Account.External_Id__c+FROM+Contact+WHERE+Id='{contact_id}'"
        ))))
        .await;
    assert_eq!(
        contact["records"][0]["Account"]["Name"], "Acme Corp",
        "{contact}"
    );

    // A unique value taken by another record.
    let (id, _) = o
        .run(
            json!({"object": "Account", "operation": "insert"}),
            "Name,External_Id__c\nCopycat,GLX-1\n",
        )
        .await;
    let failed = o.results(&id, "failedResults").await;
    assert!(failed.contains("DUPLICATE_VALUE:duplicate value found: External_Id__c duplicates value on record with id: 001"), "{failed}");
}

#[tokio::test]
async fn updates_and_deletes_name_records_by_id() {
    let o = Org::start(config(0)).await;
    let victim = o.org.first_record_id("Account").expect("an account");
    let contact = o.org.first_record_id("Contact").expect("a contact");
    let csv = format!(
        "Id,Industry,Description\n{victim},Energy,#N/A\n001Dn0000000000,Energy,\n{contact},Energy,\n,Energy,\n"
    );
    let (id, done) = o
        .run(json!({"object": "Account", "operation": "update"}), &csv)
        .await;
    assert_eq!(done["numberRecordsFailed"], 3, "{done}");
    let failed = o.results(&id, "failedResults").await;
    assert!(
        failed.contains("MALFORMED_ID:Account ID: id value of incorrect type"),
        "{failed}"
    );
    assert!(
        failed.contains("MISSING_ARGUMENT:Id not specified in an update call"),
        "{failed}"
    );
    let (_, account) = o
        .json(o.http.get(o.url(&format!("sobjects/Account/{victim}"))))
        .await;
    assert_eq!(account["Industry"], "Energy");
    assert_eq!(account["Description"], Value::Null);

    let (id, done) = o
        .run(
            json!({"object": "Account", "operation": "delete"}),
            &format!("Id\n{victim}\n{victim}\n"),
        )
        .await;
    assert_eq!(done["numberRecordsFailed"], 1, "{done}");
    let failed = o.results(&id, "failedResults").await;
    assert!(
        failed.contains(&format!(
            "\"{victim}\",\"ENTITY_IS_DELETED:entity is deleted:--\""
        )),
        "{failed}"
    );
    let (status, _) = o
        .send(o.http.get(o.url(&format!("sobjects/Account/{victim}"))))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn whole_job_failures_leave_rows_unprocessed() {
    let o = Org::start(config(0)).await;
    let insert = json!({"object": "Contact", "operation": "insert"});

    // CRLF data in an LF job: nothing is processed.
    let (id, done) = o.run(insert.clone(), "LastName\r\nA\r\nB\r\n").await;
    assert_eq!(done["state"], "Failed");
    assert_eq!(
        done["errorMessage"],
        "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF"
    );
    assert_eq!(
        o.results(&id, "unprocessedrecords").await,
        "LastName\n\"A\"\n\"B\"\n"
    );

    // An unknown column.
    let (_, done) = o.run(insert.clone(), "LastName,Nope__c\nA,1\n").await;
    assert_eq!(
        done["errorMessage"],
        "InvalidBatch : InvalidBatch : Field name not found : Nope__c. Batch will not be retried."
    );

    // The daily record limit reached after two rows.
    o.org
        .fail_ingest_jobs_after(2, "ExceededQuota : ApiBatchItems Limit exceeded.");
    let (id, done) = o.run(insert.clone(), "LastName\nA\nB\nC\nD\n").await;
    assert_eq!(done["state"], "Failed");
    assert_eq!(done["numberRecordsProcessed"], 2);
    assert_eq!(
        o.results(&id, "unprocessedrecords").await,
        "LastName\n\"C\"\n\"D\"\n"
    );
    assert_eq!(o.results(&id, "successfulResults").await.lines().count(), 3);
}

#[tokio::test]
async fn aborts_caps_versions_and_bad_requests() {
    let o = Org::start(MockOrgConfig {
        ingest_max_upload_bytes: 64,
        ..config(5)
    })
    .await;
    let insert = json!({"object": "Contact", "operation": "insert"});

    // Aborted while in progress: no more rows are processed; the rest is unprocessed.
    let job = o.create(insert.clone()).await;
    let id = job["id"].as_str().expect("id").to_owned();
    assert_eq!(o.upload(&id, "LastName\nA\nB\nC\nD\nE\nF\n").await, 201);
    o.patch(&id, "UploadComplete").await;
    assert_eq!(o.poll(&id).await["numberRecordsProcessed"], 1);
    let (status, aborted) = o.patch(&id, "Aborted").await;
    assert_eq!((status, aborted["state"].as_str()), (200, Some("Aborted")));
    assert_eq!(o.poll(&id).await["numberRecordsProcessed"], 1);
    assert_eq!(
        o.results(&id, "unprocessedrecords").await.lines().count(),
        6
    );
    assert_eq!(o.patch(&id, "UploadComplete").await.0, 400, "finished");

    // Over the cap: 413 in Salesforce's error shape.
    let job = o.create(insert.clone()).await;
    let id = job["id"].as_str().expect("id").to_owned();
    let big = format!("LastName\n{}", "Name\n".repeat(20));
    let (status, body) = o
        .json(
            o.http
                .put(o.url(&format!("jobs/ingest/{id}/batches")))
                .header("Content-Type", "text/csv")
                .body(big),
        )
        .await;
    assert_eq!(status, 413);
    assert_eq!(body[0]["errorCode"], "EXCEEDED_MAX_SIZE_REQUEST");
    // Not CSV, or another API version than the job's.
    let json_body = o
        .send(
            o.http
                .put(o.url(&format!("jobs/ingest/{id}/batches")))
                .header("Content-Type", "application/json")
                .body("{}"),
        )
        .await;
    assert_eq!(json_body.0, 400);
    let other_version = o
        .org
        .instance_url()
        .join(&format!("services/data/v60.0/jobs/ingest/{id}/batches"))
        .expect("url");
    let mismatch = o
        .send(
            o.http
                .put(other_version)
                .header("Content-Type", "text/csv")
                .body("LastName\nA\n"),
        )
        .await;
    assert_eq!(mismatch.0, 409);

    // Creates the org refuses.
    for (body, wanted) in [
        (
            json!({"object": "Contact", "operation": "upsert"}),
            "External ID field is required",
        ),
        (
            json!({"object": "Contact", "operation": "upsert", "externalIdFieldName": "LastName"}),
            "does not match an External ID",
        ),
        (
            json!({"object": "Nope", "operation": "insert"}),
            "not supported",
        ),
        (
            json!({"object": "Contact", "operation": "merge"}),
            "Invalid operation",
        ),
        (
            json!({"object": "Contact", "operation": "insert", "lineEnding": "CR"}),
            "Invalid line ending",
        ),
    ] {
        let (status, error) = o.json(o.http.post(o.url("jobs/ingest")).json(&body)).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            error[0]["message"]
                .as_str()
                .is_some_and(|m| m.contains(wanted)),
            "{error}"
        );
    }
}

#[tokio::test]
async fn a_multipart_create_carries_the_data_and_closes_the_job() {
    let o = Org::start(config(0)).await;
    let body = "--XBOUNDARY\r\nContent-Type: application/json\r\nContent-Disposition: form-data; name=\"job\"\r\n\r\n\
                {\"object\":\"Contact\",\"operation\":\"insert\"}\r\n\
                --XBOUNDARY\r\nContent-Type: text/csv\r\nContent-Disposition: form-data; name=\"content\"; filename=\"content\"\r\n\r\n\
                LastName\nMultipart\n\r\n--XBOUNDARY--\r\n";
    let (status, job) = o
        .json(
            o.http
                .post(o.url("jobs/ingest"))
                .header("Content-Type", "multipart/form-data; boundary=XBOUNDARY")
                .body(body),
        )
        .await;
    assert_eq!(status, 200, "{job}");
    assert_eq!(job["state"], "UploadComplete");
    let id = job["id"].as_str().expect("id");
    let done = o.finished(id).await;
    assert_eq!(done["numberRecordsProcessed"], 1);
    assert!(
        o.results(id, "successfulResults")
            .await
            .contains("\"Multipart\"")
    );
    assert_eq!(
        o.org.ingest_jobs(),
        vec![(id.to_owned(), "JobComplete".to_owned())]
    );
}
