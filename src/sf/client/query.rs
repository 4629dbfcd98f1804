//! SOQL queries: the first page, the pages after it, and the stream that follows
//! `nextRecordsUrl` one page ahead of its reader.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use futures::Stream;
use futures::stream::BoxStream;
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};

use super::transport::{Req, Target, ok, target_of};
use super::{SfClient, decode};
use crate::sf::error::ApiError;
use crate::sf::types::{QueryOptions, QueryPage, RawQueryPage, RawResponse};

fn with_batch_size(req: Req, batch_size: Option<u32>) -> Req {
    match batch_size.and_then(|n| HeaderValue::from_str(&format!("batchSize={n}")).ok()) {
        Some(v) => req.header(HeaderName::from_static("sforce-query-options"), v),
        None => req,
    }
}

impl SfClient {
    /// The first page of `soql` from `resource` (`query` or `queryAll`), undecoded.
    async fn first_page(
        &self,
        resource: &str,
        soql: &str,
        batch_size: Option<u32>,
    ) -> Result<RawResponse, ApiError> {
        let path = self.data_path(resource).await?;
        let req = Req::new(
            Method::GET,
            Target::Instance(path, vec![("q".into(), soql.to_string())]),
        );
        ok(self.send_authed(&with_batch_size(req, batch_size)).await?)
    }

    /// The page at a `nextRecordsUrl` (relative, or absolute on the instance), undecoded.
    async fn next_page(
        &self,
        next_records_url: &str,
        batch_size: Option<u32>,
    ) -> Result<RawResponse, ApiError> {
        let req = Req::new(Method::GET, target_of(next_records_url)?);
        ok(self.send_authed(&with_batch_size(req, batch_size)).await?)
    }

    /// `GET /query?q=` — the first page.
    pub async fn query(&self, soql: &str) -> Result<QueryPage, ApiError> {
        decode("query", &self.first_page("query", soql, None).await?.body)
    }

    /// `GET /queryAll?q=` — the first page, deleted and archived rows included.
    pub async fn query_all(&self, soql: &str) -> Result<QueryPage, ApiError> {
        decode(
            "query",
            &self.first_page("queryAll", soql, None).await?.body,
        )
    }

    /// Follows a `nextRecordsUrl` (relative, or absolute on the instance).
    pub async fn query_more(&self, next_records_url: &str) -> Result<QueryPage, ApiError> {
        decode("query", &self.next_page(next_records_url, None).await?.body)
    }

    /// `GET /query?q=` — the first page, its records left as JSON text (for readers that do
    /// not build a map per record, such as the Records list).
    pub async fn query_raw(&self, soql: &str) -> Result<RawQueryPage, ApiError> {
        RawQueryPage::decode(&self.first_page("query", soql, None).await?.body)
    }

    /// Follows a `nextRecordsUrl` like [`SfClient::query_more`], the records left as JSON text.
    pub async fn query_more_raw(&self, next_records_url: &str) -> Result<RawQueryPage, ApiError> {
        RawQueryPage::decode(&self.next_page(next_records_url, None).await?.body)
    }

    /// All pages of a query, following `nextRecordsUrl` (renewing the token between pages if it
    /// expired), with the records left as JSON text. Ends after the last page or the first
    /// error.
    ///
    /// The next page is requested as soon as a page arrives, while the caller handles that
    /// page: the round trip and the server's work overlap with the caller's. At most one page
    /// is fetched ahead; dropping the stream cancels it.
    pub fn query_stream(&self, soql: &str, opts: QueryOptions) -> QueryStream {
        type Fetch = futures::future::BoxFuture<'static, Result<RawQueryPage, ApiError>>;
        let decode_raw = |resp: Result<RawResponse, ApiError>| RawQueryPage::decode(&resp?.body);
        let progress = Arc::new(Progress::default());
        let first: Fetch = {
            let client = self.clone();
            let soql = soql.to_string();
            let resource = if opts.include_deleted {
                "queryAll"
            } else {
                "query"
            };
            let progress = progress.clone();
            Box::pin(async move {
                progress.requested.fetch_add(1, Ordering::SeqCst);
                let page = decode_raw(client.first_page(resource, &soql, opts.batch_size).await);
                progress.received.fetch_add(1, Ordering::SeqCst);
                page
            })
        };
        let client = self.clone();
        let counts = progress.clone();
        let stream = futures::stream::unfold(Some(first), move |fetch| {
            let client = client.clone();
            let progress = counts.clone();
            async move {
                let result = fetch?.await;
                let ahead: Option<Fetch> = match &result {
                    Ok(RawQueryPage {
                        done: false,
                        next_records_url: Some(url),
                        ..
                    }) => {
                        let url = url.clone();
                        progress.requested.fetch_add(1, Ordering::SeqCst);
                        let fetch = async move {
                            let page = decode_raw(client.next_page(&url, opts.batch_size).await);
                            progress.received.fetch_add(1, Ordering::SeqCst);
                            page
                        };
                        // Spawned, so it runs while the caller works; the handle cancels it
                        // when dropped.
                        let (fetch, handle) = futures::FutureExt::remote_handle(fetch);
                        tokio::spawn(fetch);
                        Some(Box::pin(handle))
                    }
                    _ => None,
                };
                Some((result, ahead))
            }
        });
        QueryStream {
            pages: Box::pin(stream),
            progress,
        }
    }
}

/// The pages of one query, read one page ahead of the caller ([`SfClient::query_stream`]).
/// Boxed inside, so callers can use `StreamExt::next` without pinning.
pub struct QueryStream {
    pages: BoxStream<'static, Result<RawQueryPage, ApiError>>,
    progress: Arc<Progress>,
}

/// How far a [`QueryStream`] has got, counted as it goes.
#[derive(Default)]
struct Progress {
    requested: AtomicU64,
    received: AtomicU64,
}

impl QueryStream {
    /// Page requests started so far, the first page's included: at most one more than the
    /// pages the caller has taken.
    pub fn pages_requested(&self) -> u64 {
        self.progress.requested.load(Ordering::SeqCst)
    }

    /// Page requests answered so far (an error counts), whether or not the caller has taken
    /// the page yet.
    pub fn pages_received(&self) -> u64 {
        self.progress.received.load(Ordering::SeqCst)
    }
}

impl std::fmt::Debug for QueryStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryStream")
            .field("pages_requested", &self.pages_requested())
            .field("pages_received", &self.pages_received())
            .finish_non_exhaustive()
    }
}

impl Stream for QueryStream {
    type Item = Result<RawQueryPage, ApiError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.pages.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.pages.size_hint()
    }
}
