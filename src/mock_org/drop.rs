//! The "drop connections" fault: a service around the router that, while
//! [`Inner::drop_next`](super::state::Inner) is positive, fails the request instead of answering
//! it. hyper then closes the TCP connection (HTTP/1) or resets the stream (HTTP/2) without
//! sending any response, which is what a client sees when a load balancer or the network drops
//! a connection mid-request. Admin requests (`/__mock/...`) are never dropped.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::http::Request;
use axum::response::Response;
use tower_service::Service;

use super::state::Shared;

/// The router, plus the dropped-connection fault.
#[derive(Clone)]
pub(crate) struct DropFaults {
    router: Router,
    shared: Arc<Shared>,
}

/// Makes one [`DropFaults`] per accepted connection (what `axum_server` serves).
#[derive(Clone)]
pub(crate) struct MakeDropFaults(DropFaults);

impl MakeDropFaults {
    pub(crate) fn new(router: Router, shared: Arc<Shared>) -> MakeDropFaults {
        MakeDropFaults(DropFaults { router, shared })
    }
}

impl<T> Service<T> for MakeDropFaults {
    type Response = DropFaults;
    type Error = Infallible;
    type Future = std::future::Ready<Result<DropFaults, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _target: T) -> Self::Future {
        std::future::ready(Ok(self.0.clone()))
    }
}

/// Marks a response that is not to be sent: the connection is closed instead (the `drop` and
/// `drop_after_processing` faults of the data API).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropAnswer;

/// Why a request got no answer (logged by hyper at debug level at most).
#[derive(Debug, thiserror::Error)]
#[error("mock org: connection dropped by the drop-connections fault")]
pub(crate) struct Dropped;

impl<B> Service<Request<B>> for DropFaults
where
    Router: Service<Request<B>, Response = Response, Error = Infallible>,
    <Router as Service<Request<B>>>::Future: Send + 'static,
{
    type Response = Response;
    type Error = Dropped;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Dropped>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        match Service::<Request<B>>::poll_ready(&mut self.router, cx) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(())),
            Poll::Ready(Err(never)) => match never {},
            Poll::Pending => Poll::Pending,
        }
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let admin = request.uri().path().starts_with("/__mock");
        let result_page = request.uri().path().ends_with("/results")
            && request
                .uri()
                .query()
                .is_some_and(|q| q.split('&').any(|p| p.starts_with("locator=")));
        if !admin && self.shared.take_drop(result_page) {
            if self.shared.config.log_requests {
                self.shared.log_request(
                    std::time::Instant::now(),
                    format_args!(
                        "{} {} -> connection dropped (fault)",
                        request.method(),
                        request.uri().path()
                    ),
                );
            }
            return Box::pin(std::future::ready(Err(Dropped)));
        }
        let response = self.router.call(request);
        Box::pin(async move {
            match response.await {
                Ok(response) if response.extensions().get::<DropAnswer>().is_some() => Err(Dropped),
                Ok(response) => Ok(response),
                Err(never) => match never {},
            }
        })
    }
}
