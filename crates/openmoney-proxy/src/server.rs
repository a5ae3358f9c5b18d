//! The proxy's accept loop: HTTP/1.1 over tokio, plus what `axum::serve` cannot do:
//! - a slow client gets 10 seconds to send a request's head (and an idle keep-alive
//!   connection 10 seconds to start the next), then the connection is closed, so slowloris
//!   connections cannot pile up;
//! - the hot path's reads are answered directly ([`crate::hot`]), everything else by the
//!   router, with the peer's address as axum's `ConnectInfo<SocketAddr>`;
//! - at shutdown, open requests get 10 seconds to finish.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::Router;
use futures_util::future::Either;
use futures_util::FutureExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::hot;
use crate::state::AppState;

/// How long a client has to send a request's head.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn run(
    listener: TcpListener,
    app: AppState,
    router: Router,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let (app, router) = (app.clone(), router.clone());
        let service =
            hyper::service::service_fn(move |mut request: Request<Incoming>| match hot::route(&app, &request) {
                Some(read) => Either::Left(hot::answer(app.clone(), read, request).map(Ok::<_, Infallible>)),
                None => {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    Either::Right(router.clone().oneshot(request.map(Body::new)))
                }
            });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        tokio::spawn(graceful.watch(connection));
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => tracing::warn!("open connections cut at shutdown"),
    }
    Ok(())
}
