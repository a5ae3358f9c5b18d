//! Keep-alive connections to the upstream: plain HTTP/1.1, or over TLS (rustls, the webpki
//! roots). Each connection is driven by a task of its own; an idle one waits on a stack,
//! newest first, and goes back there once its answer has been read in full. A call takes
//! an idle connection or opens one, so the pool holds as many as calls ever ran at once,
//! up to `max_idle` kept.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::http::Request;
use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::rustls;

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
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
    max_idle: usize,
    connect_timeout: Duration,
}

/// Why no connection could carry a call.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("connect: {0}")]
    Connect(String),
    #[error("connect timed out")]
    ConnectTimeout,
    #[error("{0}")]
    Http(#[from] hyper::Error),
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
    /// A request an idle connection could not take (the upstream closed it meanwhile) is
    /// given, unsent, to the next one.
    pub async fn exchange(
        &self,
        mut request: Request<Full<Bytes>>,
    ) -> Result<(axum::http::response::Parts, Bytes), PoolError> {
        let (sender, response) = loop {
            let (mut sender, reused) = match self.idle_one().await {
                Some(sender) => (sender, true),
                None => (self.connect().await?, false),
            };
            match sender.try_send_request(request).await {
                Ok(response) => break (sender, response),
                Err(mut failed) => match failed.take_message() {
                    Some(unsent) if reused => request = unsent,
                    _ => return Err(PoolError::Http(failed.into_error())),
                },
            }
        };
        let (parts, body) = response.into_parts();
        let body = super::read_body(body).await?;
        let closing = parts.headers.get(axum::http::header::CONNECTION).is_some_and(|v| v.as_bytes() == b"close");
        if !closing && !sender.is_closed() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < self.max_idle {
                idle.push(sender);
            }
        }
        Ok((parts, body))
    }

    /// The newest idle connection still open, ready for a request.
    async fn idle_one(&self) -> Option<SendRequest<Full<Bytes>>> {
        loop {
            let mut sender = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop()?;
            if sender.ready().await.is_ok() {
                return Some(sender);
            }
        }
    }

    async fn connect(&self) -> Result<SendRequest<Full<Bytes>>, PoolError> {
        let Endpoint { host, port, .. } = &self.endpoint;
        let tcp = tokio::time::timeout(self.connect_timeout, TcpStream::connect((host.as_str(), *port)))
            .await
            .map_err(|_| PoolError::ConnectTimeout)?
            .map_err(|e| PoolError::Connect(e.to_string()))?;
        let _ = tcp.set_nodelay(true);
        match &self.tls {
            None => {
                let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await?;
                tokio::spawn(connection);
                Ok(sender)
            }
            Some((connector, name)) => {
                let stream = tokio::time::timeout(self.connect_timeout, connector.connect(name.clone(), tcp))
                    .await
                    .map_err(|_| PoolError::ConnectTimeout)?
                    .map_err(|e| PoolError::Connect(e.to_string()))?;
                let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
                tokio::spawn(connection);
                Ok(sender)
            }
        }
    }
}
