//! Downloading all of a Bulk API 2.0 query job's results, the one way `sfterm export` and the
//! TUI's export both do it: in parallel chunks listed by the job's `resultPages` resource (API
//! 58.0+, bulk-ingest.md §8), a few at a time and handed over in the listed order, or page by
//! page by `Sforce-Locator` (below 58.0, when the org answers 404 for `resultPages`, or with a
//! concurrency of 1). Every call goes through the client's retry policy; a download cut for
//! good ends with [`BulkError::PageFailed`] and a [`ResultCursor`] to go on from.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::FuturesOrdered;
use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::bulk::{
    BulkError, BulkJob, ResultPage, passes, status_of, version_mismatch, write_csv_page,
};
use super::client::{Req, SfClient, check_id, decode, ok, target_of};
use super::types::ApiVersion;

/// Chunks downloaded at once unless configured otherwise.
pub const DEFAULT_EXPORT_CONCURRENCY: usize = 4;
/// The most chunks at once `--concurrency`, `export_concurrency` and the environment may ask.
pub const MAX_EXPORT_CONCURRENCY: usize = 16;
/// The environment variable that sets the concurrency (over config.toml's
/// `export_concurrency`).
pub const EXPORT_CONCURRENCY_ENV: &str = "SFTERM_EXPORT_CONCURRENCY";
/// The first API version with `resultPages`.
pub const PARALLEL_RESULTS_VERSION: ApiVersion = ApiVersion(58);

/// config.toml's `export_concurrency` (0: not set).
static CONFIGURED_CONCURRENCY: AtomicUsize = AtomicUsize::new(0);

/// Makes `n` (config.toml's `export_concurrency`, read at start by the TUI and the commands)
/// the concurrency of downloads, unless `SFTERM_EXPORT_CONCURRENCY` says otherwise.
pub fn set_configured_export_concurrency(n: usize) {
    CONFIGURED_CONCURRENCY.store(n.clamp(1, MAX_EXPORT_CONCURRENCY), Ordering::Relaxed);
}

/// Reads a concurrency (`--concurrency`, `SFTERM_EXPORT_CONCURRENCY`, `export_concurrency`):
/// a whole number from 1 to [`MAX_EXPORT_CONCURRENCY`].
pub fn parse_export_concurrency(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_EXPORT_CONCURRENCY).contains(&n) => Ok(n),
        _ => Err(format!(
            "must be a whole number of downloads at once from 1 (page by page) to \
             {MAX_EXPORT_CONCURRENCY}, not {text:?}"
        )),
    }
}

/// The concurrency of a download: `SFTERM_EXPORT_CONCURRENCY` when it is a valid number, else
/// config.toml's `export_concurrency`, else [`DEFAULT_EXPORT_CONCURRENCY`].
pub fn default_export_concurrency() -> usize {
    let from_env = std::env::var(EXPORT_CONCURRENCY_ENV).ok().and_then(|v| {
        parse_export_concurrency(&v)
            .map_err(|e| tracing::warn!("{EXPORT_CONCURRENCY_ENV} {e}; ignored"))
            .ok()
    });
    let configured = Some(CONFIGURED_CONCURRENCY.load(Ordering::Relaxed)).filter(|n| *n > 0);
    from_env
        .or(configured)
        .unwrap_or(DEFAULT_EXPORT_CONCURRENCY)
}

/// How to download results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadOptions {
    /// `maxRecords` per page when paging by locator (`None`: Salesforce's default); chunks of
    /// `resultPages` have the size Salesforce chose.
    pub max_records: Option<u32>,
    /// Chunks fetched at once; 1 pages by locator, one page after the other.
    pub concurrency: usize,
    /// Stop after this many pages, answering where the download stands (the TUI downloads in
    /// steps, its progress moving after each); `None`: to the end.
    pub max_pages: Option<u64>,
}

impl Default for DownloadOptions {
    /// Salesforce's page size, [`default_export_concurrency`], to the end.
    fn default() -> Self {
        DownloadOptions {
            max_records: None,
            concurrency: default_export_concurrency(),
            max_pages: None,
        }
    }
}

/// Where a download of a job's results stands: what a resumed download starts from. Saved by
/// `sfterm export` after every page written, carried by the TUI from one step to the next.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ResultCursor {
    /// Nothing fetched yet: the download chooses parallel chunks or pages by locator.
    #[default]
    Start,
    /// Page by page: the locator of the next page (`None`: the first).
    Serial { locator: Option<String> },
    /// Parallel chunks: the `resultUrl`s listed and not yet written, in order, and the link to
    /// the listing's next answer (`None`: every chunk is listed).
    Parallel {
        pending: Vec<String>,
        listing: Option<String>,
    },
    /// Every page was written.
    Done,
}

impl ResultCursor {
    pub fn is_done(&self) -> bool {
        *self == ResultCursor::Done
    }
}

/// Totals of a download (or of one step of it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DownloadSummary {
    /// Rows received.
    pub records: u64,
    /// CSV bytes received.
    pub bytes: u64,
    /// Pages fetched.
    pub pages: u64,
    /// Where the download stands: [`ResultCursor::Done`] unless `max_pages` stopped it.
    pub next: ResultCursor,
}

impl DownloadSummary {
    fn add(&mut self, page: &ResultPage) {
        self.pages += 1;
        self.records += page.records;
        self.bytes += page.csv.len() as u64;
    }
}

/// One answer of `resultPages`: Salesforce's field table calls the link `nextRecordUrl`, its
/// prose and example `nextRecordsUrl`; both are read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Listing {
    #[serde(default)]
    result_pages: Vec<ResultUrl>,
    #[serde(default)]
    next_records_url: Option<String>,
    #[serde(default)]
    next_record_url: Option<String>,
    #[serde(default)]
    done: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResultUrl {
    result_url: String,
}

impl Listing {
    /// The link to the next answer, `None` when every chunk is listed.
    fn next(&mut self) -> Option<String> {
        let next = self
            .next_records_url
            .take()
            .or_else(|| self.next_record_url.take())
            .filter(|u| !u.is_empty());
        if self.done == Some(true) { None } else { next }
    }
}

/// What came back first while chunks and the listing are in flight.
enum Event {
    Chunk(Result<ResultPage, BulkError>),
    Listed(Result<Listing, BulkError>),
}

/// Where a parallel download stands with `fetching` and `pending` not yet written.
fn parallel_cursor(
    fetching: &VecDeque<String>,
    pending: &VecDeque<String>,
    listing: Option<&String>,
) -> ResultCursor {
    if fetching.is_empty() && pending.is_empty() && listing.is_none() {
        return ResultCursor::Done;
    }
    ResultCursor::Parallel {
        pending: fetching.iter().chain(pending).cloned().collect(),
        listing: listing.cloned(),
    }
}

impl SfClient {
    /// Downloads a completed job's results from `from` ([`ResultCursor::Start`], or where a cut
    /// download stopped), handing each page to `sink` in order with where the download stands
    /// after it. With a concurrency above 1 and API 58.0 or later, the chunks listed by
    /// `resultPages` are fetched that many at a time (fetched out of order, handed over in
    /// order; the org answering 404 for `resultPages` falls back); else page by page by locator.
    /// A page that still fails after the client's retries is a [`BulkError::PageFailed`] with
    /// the cursor to resume from.
    pub async fn download_query_job(
        &self,
        job: &BulkJob,
        from: ResultCursor,
        options: DownloadOptions,
        mut sink: impl FnMut(&ResultPage, &ResultCursor) -> Result<(), BulkError>,
    ) -> Result<DownloadSummary, BulkError> {
        check_id(&job.id)?;
        let version = self.job_version(job).await?;
        let mut summary = DownloadSummary::default();
        let parallel = options.concurrency > 1 && version >= PARALLEL_RESULTS_VERSION;
        let next = match from {
            ResultCursor::Done => ResultCursor::Done,
            ResultCursor::Serial { locator } => {
                self.download_serial(job, locator, options, &mut sink, &mut summary)
                    .await?
            }
            ResultCursor::Start if !parallel => {
                self.download_serial(job, None, options, &mut sink, &mut summary)
                    .await?
            }
            ResultCursor::Start | ResultCursor::Parallel { .. } => {
                let fresh = from == ResultCursor::Start;
                let (pending, listing) = match from {
                    ResultCursor::Parallel { pending, listing } => (pending, listing),
                    _ => (
                        Vec::new(),
                        Some(format!(
                            "/services/data/{}/jobs/query/{}/resultPages",
                            version.path_segment(),
                            job.id
                        )),
                    ),
                };
                let chunks = self
                    .download_chunks(
                        (job, version),
                        (pending.into(), listing, fresh),
                        options,
                        &mut sink,
                        &mut summary,
                    )
                    .await?;
                match chunks {
                    Some(next) => next,
                    None => {
                        tracing::info!(
                            job = %job.id,
                            "the org has no resultPages (404); downloading page by page"
                        );
                        self.download_serial(job, None, options, &mut sink, &mut summary)
                            .await?
                    }
                }
            }
        };
        summary.next = next;
        Ok(summary)
    }

    /// Pages by locator from `locator` until the last page or `options.max_pages`.
    async fn download_serial<S>(
        &self,
        job: &BulkJob,
        mut locator: Option<String>,
        options: DownloadOptions,
        sink: &mut S,
        summary: &mut DownloadSummary,
    ) -> Result<ResultCursor, BulkError>
    where
        S: FnMut(&ResultPage, &ResultCursor) -> Result<(), BulkError>,
    {
        loop {
            if options.max_pages.is_some_and(|max| summary.pages >= max) {
                return Ok(ResultCursor::Serial { locator });
            }
            let page = match self
                .query_job_page(job, locator.as_deref(), options.max_records)
                .await
            {
                Ok(page) => page,
                Err(BulkError::Api(e)) if passes(&e) => {
                    return Err(BulkError::PageFailed {
                        id: job.id.clone(),
                        resume: Box::new(ResultCursor::Serial { locator }),
                        written: summary.records,
                        source: e,
                    });
                }
                Err(e) => return Err(e),
            };
            let next = match &page.next_locator {
                Some(l) => ResultCursor::Serial {
                    locator: Some(l.clone()),
                },
                None => ResultCursor::Done,
            };
            sink(&page, &next)?;
            summary.add(&page);
            match next {
                ResultCursor::Serial { locator: l } => locator = l,
                _ => return Ok(ResultCursor::Done),
            }
        }
    }

    /// The parallel download: lists chunks ahead (one listing call at a time) while up to
    /// `options.concurrency` chunks are fetched, and hands the chunks to `sink` in the listed
    /// order. `Ok(None)`: the org has no `resultPages` (404 on a `fresh` download's first
    /// listing call), nothing was written.
    async fn download_chunks<S>(
        &self,
        (job, version): (&BulkJob, ApiVersion),
        (mut pending, mut listing, fresh): (VecDeque<String>, Option<String>, bool),
        options: DownloadOptions,
        sink: &mut S,
        summary: &mut DownloadSummary,
    ) -> Result<Option<ResultCursor>, BulkError>
    where
        S: FnMut(&ResultPage, &ResultCursor) -> Result<(), BulkError>,
    {
        let concurrency = options.concurrency.max(1);
        let max_pages = options.max_pages.unwrap_or(u64::MAX);
        let mut started = 0u64;
        let mut fetching = FuturesOrdered::<BoxFuture<'_, Result<ResultPage, BulkError>>>::new();
        let mut fetching_urls: VecDeque<String> = VecDeque::new();
        let mut list_call: Option<BoxFuture<'_, Result<Listing, BulkError>>> = None;
        // The link being listed while `list_call` runs.
        let mut listing_now: Option<String> = None;
        let mut listed_any = !fresh;
        let failed = |resume, written, source| BulkError::PageFailed {
            id: job.id.clone(),
            resume: Box::new(resume),
            written,
            source,
        };
        loop {
            let wanted = started + pending.len() as u64 + 1;
            if list_call.is_none()
                && pending.len() < 2 * concurrency
                && wanted <= max_pages
                && let Some(url) = listing.take()
            {
                list_call = Some(Box::pin(self.result_listing(job, url.clone(), version)));
                listing_now = Some(url);
            }
            while fetching.len() < concurrency && started < max_pages {
                let Some(url) = pending.pop_front() else {
                    break;
                };
                // Spawned, so the chunks are received and decompressed on all the runtime's
                // threads while this task writes; the handle cancels the fetch when dropped.
                let (client, chunk_job, chunk_url) = (self.clone(), job.clone(), url.clone());
                let fetch =
                    async move { client.result_chunk(&chunk_job, chunk_url, version).await };
                let (fetch, handle) = futures::FutureExt::remote_handle(fetch);
                tokio::spawn(fetch);
                fetching.push_back(Box::pin(handle));
                fetching_urls.push_back(url);
                started += 1;
            }
            if fetching.is_empty() && list_call.is_none() {
                return Ok(Some(parallel_cursor(
                    &fetching_urls,
                    &pending,
                    listing.as_ref(),
                )));
            }
            let event = {
                let listed = async {
                    match list_call.as_mut() {
                        Some(call) => call.await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    Some(page) = fetching.next(), if !fetching.is_empty() => Event::Chunk(page),
                    listed = listed => Event::Listed(listed),
                }
            };
            let link = listing_now.as_ref().or(listing.as_ref());
            match event {
                Event::Chunk(Ok(page)) => {
                    fetching_urls.pop_front();
                    let next = parallel_cursor(&fetching_urls, &pending, link);
                    sink(&page, &next)?;
                    summary.add(&page);
                }
                Event::Chunk(Err(BulkError::Api(e))) if passes(&e) => {
                    // The failed chunk is the first not written: resume from it.
                    let resume = parallel_cursor(&fetching_urls, &pending, link);
                    return Err(failed(resume, summary.records, e));
                }
                Event::Chunk(Err(e)) => return Err(e),
                Event::Listed(result) => {
                    list_call = None;
                    let url = listing_now.take();
                    match result {
                        Ok(mut answer) => {
                            listed_any = true;
                            let next = answer.next();
                            if next.is_some() && next == url && answer.result_pages.is_empty() {
                                return Err(BulkError::BadPage(format!(
                                    "resultPages answered no chunk and the same link {}",
                                    url.unwrap_or_default()
                                )));
                            }
                            pending.extend(answer.result_pages.into_iter().map(|r| r.result_url));
                            listing = next;
                        }
                        Err(BulkError::Api(e)) if !listed_any && status_of(&e) == Some(404) => {
                            return Ok(None);
                        }
                        Err(BulkError::Api(e)) if passes(&e) => {
                            let resume = parallel_cursor(&fetching_urls, &pending, url.as_ref());
                            return Err(failed(resume, summary.records, e));
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }
    }

    /// One chunk: a `resultUrl` of `resultPages`, fetched as it is given.
    async fn result_chunk(
        &self,
        job: &BulkJob,
        url: String,
        version: ApiVersion,
    ) -> Result<ResultPage, BulkError> {
        self.result_page_at(job, target_of(&url)?, version).await
    }

    /// One answer of `resultPages` (`url`: the first, or a `nextRecordsUrl`).
    async fn result_listing(
        &self,
        job: &BulkJob,
        url: String,
        version: ApiVersion,
    ) -> Result<Listing, BulkError> {
        let req = Req::new(Method::GET, target_of(&url)?);
        let resp = self.send_authed(&req).await?;
        let resp = ok(resp).map_err(|e| version_mismatch(e, job, version))?;
        Ok(decode("resultPages", &resp.body)?)
    }

    /// Downloads every page into `out` as one CSV: the header row once, then the rows.
    pub async fn download_query_job_csv(
        &self,
        job: &BulkJob,
        options: DownloadOptions,
        out: &mut impl Write,
    ) -> Result<DownloadSummary, BulkError> {
        let mut first = true;
        self.download_query_job(job, ResultCursor::Start, options, |page, _| {
            write_csv_page(out, &page.csv, first)?;
            first = false;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_is_read_from_1_to_16() {
        assert_eq!(parse_export_concurrency(" 8 "), Ok(8));
        assert_eq!(parse_export_concurrency("1"), Ok(1));
        for bad in ["0", "17", "-1", "four", ""] {
            assert!(parse_export_concurrency(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_listing_link_has_either_name_and_done_ends_it() {
        let read = |text: &str| serde_json::from_str::<Listing>(text).expect("json").next();
        assert_eq!(
            read(r#"{"resultPages":[],"nextRecordsUrl":"/a","done":false}"#),
            Some("/a".into())
        );
        assert_eq!(
            read(r#"{"resultPages":[],"nextRecordUrl":"/b","done":false}"#),
            Some("/b".into())
        );
        assert_eq!(
            read(r#"{"resultPages":[],"nextRecordsUrl":"/a","done":true}"#),
            None
        );
        assert_eq!(read(r#"{"resultPages":[],"nextRecordsUrl":null}"#), None);
    }

    #[test]
    fn cursors_round_trip_as_json() {
        for cursor in [
            ResultCursor::Start,
            ResultCursor::Serial { locator: None },
            ResultCursor::Serial {
                locator: Some("MTA=".into()),
            },
            ResultCursor::Parallel {
                pending: vec!["/r?locator=MA%3D%3D".into()],
                listing: Some("/p?locator=NQ%3D%3D".into()),
            },
            ResultCursor::Done,
        ] {
            let text = serde_json::to_string(&cursor).expect("json");
            assert_eq!(
                serde_json::from_str::<ResultCursor>(&text).ok(),
                Some(cursor)
            );
        }
        let fetching: VecDeque<String> = VecDeque::new();
        assert_eq!(
            parallel_cursor(&fetching, &VecDeque::new(), None),
            ResultCursor::Done
        );
    }
}
