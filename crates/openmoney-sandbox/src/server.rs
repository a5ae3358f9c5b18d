//! The accept loop of the sandbox and of the proxy. It is plain HTTP/1.1 over tokio, plus
//! what `axum::serve` cannot do:
//! - a slow client gets 10 seconds to send a request's head (and an idle keep-alive
//!   connection 10 seconds to start the next), then the connection is closed, so slowloris
//!   connections cannot pile up;
//! - a handler can reset its connection (RST, no response), which is how the sandbox's
//!   `reset` and `lose_response` faults reach the client.
//!
//! Every request carries the peer's address as axum's `ConnectInfo<SocketAddr>`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

/// Put into every request: resets the connection the request came on.
#[derive(Clone, Debug)]
pub struct ConnectionKill(Arc<Notify>);

impl ConnectionKill {
    pub fn kill(&self) {
        self.0.notify_one();
    }
}

/// How long a client has to send a request's head.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` resolves, then lets open requests finish
/// (at most 10 seconds).
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
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
        // A second handle on the socket, to set SO_LINGER=0 (an RST on close) when killed.
        let Ok(std_stream) = stream.into_std() else {
            continue;
        };
        let Ok(twin) = std_stream.try_clone() else {
            continue;
        };
        let Ok(stream) = tokio::net::TcpStream::from_std(std_stream) else {
            continue;
        };
        let kill = ConnectionKill(Arc::new(Notify::new()));
        let router = router.clone();
        let request_kill = kill.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(request_kill.clone());
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            tokio::select! {
                _ = connection => {}
                () = kill.0.notified() => {
                    let _ = socket2::SockRef::from(&twin).set_linger(Some(Duration::ZERO));
                }
            }
        });
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => tracing::warn!("open connections cut at shutdown"),
    }
    Ok(())
}
