//! Keep-alive connections to the upstream: plain HTTP/1.1, or over TLS (rustls, the webpki
//! roots). A call drives its connection itself ([`wire`]); an idle one waits on a stack,
//! newest first, and goes back there once its answer has been read in full. A call takes
//! an idle connection or opens one, so the pool holds as many as calls ever ran at once,
//! up to `max_idle` kept.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::http::Method;
use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls;

use super::wire::{self, Answer, Outgoing, WireError};

/// Where connections go.
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    /// TLS, for `https`.
    pub tls: bool,
}

pub struct Pool {
    endpoint: Endpoint,
    tls: Option<(tokio_rustls::TlsConnector, rustls::pki_types::ServerName<'static>)>,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
    connect_timeout: Duration,
}

/// A connection to the upstream, and what was read from it and not yet used.
struct Connection {
    stream: Stream,
    buffer: BytesMut,
    used: Instant,
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// A connection idle for longer than this is checked for a close by the upstream before
/// it carries a request; one used more recently is taken as it is.
const CHECK_AFTER: Duration = Duration::from_secs(1);

/// Why no connection could carry a call.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("connect: {0}")]
    Connect(String),
    #[error("connect timed out")]
    ConnectTimeout,
    #[error("{0}")]
    Wire(#[from] WireError),
}
impl Pool {
    pub fn new(endpoint: Endpoint, max_idle: usize, connect_timeout: Duration) -> Result<Self, String> {
        let tls = if endpoint.tls {
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(roots)
                .with_no_client_auth();
            let name = rustls::pki_types::ServerName::try_from(endpoint.host.clone()).map_err(|e| e.to_string())?;
            Some((tokio_rustls::TlsConnector::from(Arc::new(config)), name))
        } else {
            None
        };
        Ok(Pool { endpoint, tls, idle: Mutex::new(Vec::new()), max_idle, connect_timeout })
    }

    /// Sends a request and reads its answer in full, on an idle connection or a new one.
    /// An idle connection the upstream closed meanwhile (it ends before a byte of the
    /// answer) is dropped, and a request that is safe to send again (a GET, or one with an
    /// Idempotency-Key) goes on a new one.
    pub async fn exchange<H>(&self, request: &Outgoing<'_>, header: &mut H) -> Result<Answer, PoolError>
    where
        H: FnMut(&str, &[u8]),
    {
        let keyed =
            request.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case(openmoney_api::IDEMPOTENCY_KEY_HEADER));
        let again = *request.method == Method::GET || keyed;
        let (mut connection, answer) = loop {
            let (mut connection, reused) = match self.idle_one().await {
                Some(connection) => (connection, true),
                None => (self.connect().await?, false),
            };
            match wire::exchange(&mut connection.stream, &mut connection.buffer, request, header).await {
                Ok(answer) => break (connection, answer),
                Err(WireError::ClosedBeforeAnswer) if reused && again => continue,
                Err(WireError::Io(err)) if reused && again && stale(&err) => continue,
                Err(err) => return Err(err.into()),
            }
        };
        if answer.reusable {
            connection.used = Instant::now();
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < self.max_idle {
                idle.push(connection);
            }
        }
        Ok(answer)
    }

    /// The newest idle connection the upstream has not closed.
    async fn idle_one(&self) -> Option<Connection> {
        loop {
            let connection = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop()?;
            if connection.used.elapsed() < CHECK_AFTER || connection.quiet().await {
                return Some(connection);
            }
        }
    }

    async fn connect(&self) -> Result<Connection, PoolError> {
        let Endpoint { host, port, .. } = &self.endpoint;
        let tcp = tokio::time::timeout(self.connect_timeout, TcpStream::connect((host.as_str(), *port)))
            .await
            .map_err(|_| PoolError::ConnectTimeout)?
            .map_err(|e| PoolError::Connect(e.to_string()))?;
        let _ = tcp.set_nodelay(true);
        let stream = match &self.tls {
            None => Stream::Plain(tcp),
            Some((connector, name)) => {
                let stream = tokio::time::timeout(self.connect_timeout, connector.connect(name.clone(), tcp))
                    .await
                    .map_err(|_| PoolError::ConnectTimeout)?
                    .map_err(|e| PoolError::Connect(e.to_string()))?;
                Stream::Tls(Box::new(stream))
            }
        };
        Ok(Connection { stream, buffer: BytesMut::with_capacity(8 * 1024), used: Instant::now() })
    }
}

/// A write or read that failed because the upstream had closed an idle connection.
fn stale(err: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(err.kind(), BrokenPipe | ConnectionReset | ConnectionAborted | UnexpectedEof)
}

impl Connection {
    /// Whether nothing came on the idle connection: no close and no stray bytes. A peek,
    /// so a TLS record (a late session ticket) stays for the TLS layer to read; such a
    /// connection is given up all the same.
    async fn quiet(&self) -> bool {
        let tcp = match &self.stream {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref().0,
        };
        let mut byte = [0u8; 1];
        std::future::poll_fn(|cx| {
            let mut buf = ReadBuf::new(&mut byte);
            Poll::Ready(tcp.poll_peek(cx, &mut buf).is_pending())
        })
        .await
    }
}

impl AsyncRead for Stream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write(cx, data),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, data),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// An upstream that answers one request per connection and then closes it, without
    /// saying so; it counts the connections it took.
    async fn one_answer_per_connection() -> (u16, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && socket.read(&mut byte).await.unwrap_or(0) == 1 {
                        head.push(byte[0]);
                    }
                    let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}").await;
                });
            }
        });
        (port, accepted)
    }

    fn pool(port: u16) -> Pool {
        Pool::new(Endpoint { host: "127.0.0.1".into(), port, tls: false }, 8, Duration::from_secs(1)).unwrap()
    }

    async fn call(pool: &Pool, method: &Method, keyed: bool) -> Result<Answer, PoolError> {
        let host: (&str, &[u8]) = ("host", b"upstream.test");
        let key: (&str, &[u8]) = (openmoney_api::IDEMPOTENCY_KEY_HEADER, b"k-1");
        let headers = if keyed { vec![host, key] } else { vec![host] };
        let request = Outgoing { method, target: "/api/v1/balance", headers: &headers, body: b"" };
        pool.exchange(&request, &mut |_, _| {}).await
    }

    #[tokio::test]
    async fn a_connection_the_upstream_closed_is_replaced_for_what_may_be_sent_again() {
        let (port, accepted) = one_answer_per_connection().await;
        let pool = pool(port);
        for _ in 0..3 {
            assert_eq!(call(&pool, &Method::GET, false).await.unwrap().body, &b"{}"[..]);
        }
        assert!(call(&pool, &Method::POST, true).await.is_ok(), "a keyed POST is sent again");
        assert_eq!(accepted.load(Ordering::SeqCst), 4, "one connection per answer");
        // A POST without a key may have been taken: it is not sent twice.
        assert!(call(&pool, &Method::POST, false).await.is_err());
        assert_eq!(accepted.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_connection_idle_past_the_check_is_looked_at_before_it_carries_a_request() {
        let (port, accepted) = one_answer_per_connection().await;
        let pool = pool(port);
        assert!(call(&pool, &Method::GET, false).await.is_ok());
        tokio::time::sleep(CHECK_AFTER + Duration::from_millis(200)).await;
        // The close was seen while idle, so even a POST without a key goes on a new one.
        assert!(call(&pool, &Method::POST, false).await.is_ok());
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }
}
