//! The proxy's accept loop: HTTP/1.1 over tokio, plus what `axum::serve` cannot do:
//! - a slow client gets 10 seconds to send a request's head (and an idle keep-alive
//!   connection 10 seconds to start the next), then the connection is closed, so slowloris
//!   connections cannot pile up;
//! - on a plain connection, the hot path's reads are answered on the socket
//!   ([`crate::plain`], [`crate::hot`]) until the first other request hands the connection
//!   to hyper; with hyper, a hot read is answered by [`crate::hot`] too, everything else by
//!   the router, with the peer's address as axum's `ConnectInfo<SocketAddr>` and the client's
//!   (the peer, or whom a trusted proxy's `X-Forwarded-For` names) as [`ClientAddr`];
//! - at shutdown, open requests get 10 seconds to finish;
//! - with a certificate ([`crate::tls`]), HTTPS, with HTTP/2 or HTTP/1.1 as the client
//!   chooses; the TLS handshake gets the same 10 seconds as a request's head.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::auth::{forwarded_client, ClientAddr};
use crate::hot;
use crate::plain::{self, HEADER_READ_TIMEOUT};
use crate::state::AppState;

/// How often an idle HTTP/2 connection is pinged, and how long its answer may take.
const H2_PING: Duration = Duration::from_secs(20);

pub async fn run(
    listener: TcpListener,
    app: AppState,
    router: Router,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    // Changed at shutdown, for the connections served in [`plain`]; closed once they end.
    let closing = watch::Sender::new(());
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
        let (app, router, served) = (app.clone(), router.clone(), app.clone());
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            let (app, router) = (app.clone(), router.clone());
            async move {
                origin_form(&mut request);
                let target = match request.uri().scheme() {
                    None => request.uri().path_and_query().map_or("/", |target| target.as_str()),
                    Some(_) => "",
                };
                let headers = request.headers().iter().map(|(name, value)| (name.as_str(), value.as_bytes()));
                if let Some((read, head)) = hot::route(&app, request.method().as_str(), target, headers) {
                    return Ok::<_, Infallible>(hot::answer(&app, read, head).await);
                }
                let client = forwarded_client(peer, request.headers(), &app.config.trusted_proxies);
                request.extensions_mut().insert(ClientAddr(client));
                request.extensions_mut().insert(ConnectInfo(peer));
                router.oneshot(request.map(Body::new)).await
            }
        });
        let Some(acceptor) = &tls else {
            let watcher = graceful.watcher();
            tokio::spawn(plain::serve(stream, served, closing.subscribe(), move |io| async move {
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_READ_TIMEOUT)
                    .serve_connection(TokioIo::new(io), service);
                let _ = watcher.watch(connection).await;
            }));
            continue;
        };
        let (acceptor, watcher) = (acceptor.clone(), graceful.watcher());
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HEADER_READ_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(err)) => return tracing::debug!(%err, %peer, "TLS handshake failed"),
                Err(_) => return tracing::debug!(%peer, "TLS handshake timed out"),
            };
            let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            builder.http1().timer(TokioTimer::new()).header_read_timeout(HEADER_READ_TIMEOUT);
            // An HTTP/2 connection that stops answering pings is closed, as a silent HTTP/1.1
            // one is by the head timeout.
            builder.http2().timer(TokioTimer::new()).keep_alive_interval(H2_PING).keep_alive_timeout(H2_PING);
            let _ = watcher.watch(builder.serve_connection(TokioIo::new(stream), service).into_owned()).await;
        });
    }
    closing.send_replace(());
    let drained = async {
        tokio::join!(graceful.shutdown(), closing.closed());
    };
    tokio::select! {
        () = drained => {}
        () = tokio::time::sleep(Duration::from_secs(10)) => tracing::warn!("open connections cut at shutdown"),
    }
    Ok(())
}

/// An HTTP/2 request names its target as scheme, authority and path; the routes, the
/// target guard and the Host checks expect HTTP/1.1's path with a Host header.
fn origin_form(request: &mut Request<Incoming>) {
    if request.version() != axum::http::Version::HTTP_2 {
        return;
    }
    let uri = request.uri().clone();
    if let Some(authority) = uri.authority() {
        if !request.headers().contains_key(axum::http::header::HOST) {
            if let Ok(host) = axum::http::HeaderValue::from_str(authority.as_str()) {
                request.headers_mut().insert(axum::http::header::HOST, host);
            }
        }
    }
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    if let Ok(origin) = path.parse() {
        *request.uri_mut() = origin;
    }
}

/// Answers plain HTTP on `listener` with a permanent redirect to the same path over HTTPS:
/// at `public_origin` when it is set, else at the request's host on `https_port`.
pub async fn redirect_to_https(listener: TcpListener, https_port: u16, public_origin: Option<String>) {
    let public_origin: Option<std::sync::Arc<str>> = public_origin.map(|o| o.trim_end_matches('/').into());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let public_origin = public_origin.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let answer = match https_location(&request, https_port, public_origin.as_deref()) {
                Some(location) => axum::http::Response::builder()
                    .status(axum::http::StatusCode::PERMANENT_REDIRECT)
                    .header(axum::http::header::LOCATION, location),
                None => axum::http::Response::builder().status(axum::http::StatusCode::BAD_REQUEST),
            };
            std::future::ready(answer.body(http_body_util::Empty::<bytes::Bytes>::new()))
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        tokio::spawn(connection);
    }
}

/// Where a plain-HTTP request is sent; none for a target that is not a path, or a request
/// without a usable Host.
fn https_location<B>(request: &Request<B>, https_port: u16, public_origin: Option<&str>) -> Option<String> {
    let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
    if !target.starts_with('/') || target.starts_with("//") || request.uri().authority().is_some() {
        return None;
    }
    if let Some(origin) = public_origin {
        return Some(format!("{origin}{target}"));
    }
    let host = request.headers().get(axum::http::header::HOST)?.to_str().ok()?;
    let authority: axum::http::uri::Authority = host.parse().ok()?;
    if host.contains('@') {
        return None;
    }
    let name = authority.host();
    Some(match https_port {
        443 => format!("https://{name}{target}"),
        port => format!("https://{name}:{port}{target}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(target: &str, host: Option<&str>, port: u16, origin: Option<&str>) -> Option<String> {
        let mut request = Request::builder().uri(target);
        if let Some(host) = host {
            request = request.header("host", host);
        }
        https_location(&request.body(()).unwrap(), port, origin)
    }

    #[test]
    fn plain_http_is_sent_to_the_same_path_over_https() {
        let cases = [
            (
                "/orders/7?tab=audit",
                Some("console.example.com"),
                443,
                None,
                Some("https://console.example.com/orders/7?tab=audit"),
            ),
            ("/", Some("console.example.com:80"), 8443, None, Some("https://console.example.com:8443/")),
            ("/x", Some("[::1]:8080"), 8443, None, Some("https://[::1]:8443/x")),
            (
                "/x",
                Some("evil.example"),
                8443,
                Some("https://console.example.com"),
                Some("https://console.example.com/x"),
            ),
            ("/x", None, 443, None, None),
            ("/x", Some("user@evil.example"), 443, None, None),
            ("/x", Some("bad host"), 443, None, None),
            ("http://evil.example/x", Some("console.example.com"), 443, None, None),
        ];
        for (target, host, port, origin, expected) in cases {
            assert_eq!(location(target, host, port, origin).as_deref(), expected, "{target} {host:?}");
        }
    }
}
