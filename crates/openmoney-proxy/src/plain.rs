//! A plain HTTP/1.1 connection. Its requests are read here, and a hot read
//! ([`crate::hot`]) is answered on the socket: the head written by hand and sent with the
//! body in one writev. At the first request that is anything else (another route, a
//! body, an upgrade, HTTP/1.0, or a head httparse refuses), the connection goes, with
//! what was read of it, to hyper and the router for the rest of its life. The limits are
//! hyper's: 10 seconds for each request's head, keep-alive unless the client asks to
//! close, and at shutdown an idle connection is closed while a busy one finishes.

use std::cell::RefCell;
use std::future::Future;
use std::io::IoSlice;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{header, Response};
use bytes::{Buf, Bytes, BytesMut};
use http_body_util::BodyExt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::headers::has_token;
use crate::hot;
use crate::state::AppState;

/// How long a client has to send a request's head (here and in hyper).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The most headers a hot read may have; a request with more goes to hyper.
const MAX_HEADERS: usize = 64;
/// The longest head read here; a longer one goes to hyper, which has its own limit.
const MAX_HEAD: usize = 64 * 1024;

/// Serves `stream` until the client closes it, a head is late, or the proxy shuts down
/// (`closing` changes); `hand_off` serves the rest of a connection that asks for more
/// than a hot read.
pub async fn serve<F, H>(mut stream: TcpStream, app: AppState, mut closing: watch::Receiver<()>, hand_off: H)
where
    H: FnOnce(Prefixed) -> F,
    F: Future<Output = ()>,
{
    let mut buffer = BytesMut::with_capacity(4096);
    let mut out = Vec::with_capacity(1024);
    let late = tokio::time::sleep(HEADER_READ_TIMEOUT);
    tokio::pin!(late);
    loop {
        late.as_mut().reset(tokio::time::Instant::now() + HEADER_READ_TIMEOUT);
        let (response, length, close) = loop {
            let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut request = httparse::Request::new(&mut slots);
            match request.parse(&buffer) {
                Ok(httparse::Status::Complete(length)) if plain(&request) => {
                    let close = request
                        .headers
                        .iter()
                        .any(|h| h.name.eq_ignore_ascii_case("connection") && has_token(h.value, "close"));
                    let headers = request.headers.iter().map(|h| (h.name, h.value));
                    let target = request.path.unwrap_or_default();
                    if let Some((read, head)) = hot::route(&app, request.method.unwrap_or_default(), target, headers) {
                        break (hot::answer_bare(&app, read, head).await, length, close);
                    }
                }
                Ok(httparse::Status::Partial) if buffer.len() < MAX_HEAD => {
                    if buffer.capacity() - buffer.len() < 1024 {
                        buffer.reserve(4096);
                    }
                    tokio::select! {
                        read = stream.read_buf(&mut buffer) => match read {
                            Ok(0) | Err(_) => return,
                            Ok(_) => continue,
                        },
                        () = &mut late => return,
                        _ = closing.changed(), if buffer.is_empty() => return,
                    }
                }
                _ => {}
            }
            drop(closing);
            return hand_off(Prefixed { prefix: buffer.freeze(), stream }).await;
        };
        buffer.advance(length);
        let close = close || closing.has_changed().unwrap_or(true);
        if write(&mut stream, &mut out, app.security.written(), response, close).await.is_err() || close {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

/// Whether a whole head may be a hot read: HTTP/1.1 with no body and no upgrade. Anything
/// else is for hyper.
fn plain(request: &httparse::Request<'_, '_>) -> bool {
    const FOR_HYPER: [&str; 4] = ["content-length", "transfer-encoding", "upgrade", "expect"];
    request.version == Some(1)
        && !request.headers.iter().any(|h| FOR_HYPER.iter().any(|name| h.name.eq_ignore_ascii_case(name)))
}

/// Writes an answer: its head by hand (with the security headers, `date` and
/// `content-length`, as hyper writes them), then its body, in one writev when the socket
/// takes it all.
async fn write(
    stream: &mut TcpStream,
    out: &mut Vec<u8>,
    security: &[u8],
    response: Response<Body>,
    close: bool,
) -> std::io::Result<()> {
    let (parts, body) = response.into_parts();
    let body = body.collect().await.map(|collected| collected.to_bytes()).unwrap_or_default();
    out.clear();
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(parts.status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(parts.status.canonical_reason().unwrap_or("").as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in &parts.headers {
        if name != header::CONTENT_LENGTH {
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(security);
    if close {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"content-length: ");
    out.extend_from_slice(itoa::Buffer::new().format(body.len()).as_bytes());
    out.extend_from_slice(b"\r\ndate: ");
    now_as_http_date(out);
    out.extend_from_slice(b"\r\n\r\n");
    write_both(stream, out, &body).await
}

async fn write_both(stream: &mut TcpStream, head: &[u8], body: &Bytes) -> std::io::Result<()> {
    let written = stream.write_vectored(&[IoSlice::new(head), IoSlice::new(body)]).await?;
    if written < head.len() {
        stream.write_all(&head[written..]).await?;
        stream.write_all(body).await
    } else {
        stream.write_all(&body[written - head.len()..]).await
    }
}

/// The current time as an HTTP date, formatted once a second.
fn now_as_http_date(out: &mut Vec<u8>) {
    thread_local!(static LAST: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) });
    let now = SystemTime::now();
    let second = now.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO).as_secs();
    LAST.with_borrow_mut(|(at, text)| {
        if *at != second {
            *at = second;
            *text = httpdate::fmt_http_date(now);
        }
        out.extend_from_slice(text.as_bytes());
    });
}

/// A connection handed on, with the bytes already read from it in front.
pub struct Prefixed {
    prefix: Bytes,
    stream: TcpStream,
}

impl AsyncRead for Prefixed {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.prefix.is_empty() {
            return Pin::new(&mut this.stream).poll_read(cx, buf);
        }
        let n = this.prefix.len().min(buf.remaining());
        buf.put_slice(&this.prefix.split_to(n));
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, data)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, data)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
