//! HTTP/1.1 on one upstream connection: a request written in one go, and its answer read
//! in full, framed by Content-Length, chunked, or the end of the connection. Only what the
//! upstream calls need: no request body streaming, no upgrades, no pipelining.

use axum::http::{Method, StatusCode};
use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::headers::has_token;

/// The most an answer's head may take.
const MAX_HEAD: usize = 64 * 1024;
/// The most headers an answer may have.
const MAX_HEADERS: usize = 64;
/// The largest answer body read: far above any answer of the API (a page of orders is a
/// few hundred KB), and a bound on what a broken upstream can make the proxy hold.
const MAX_BODY: usize = 32 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The connection ended before a byte of the answer came.
    #[error("the connection was closed before an answer")]
    ClosedBeforeAnswer,
    #[error("the connection was closed in the middle of an answer")]
    Truncated,
    #[error("malformed answer: {0}")]
    Malformed(&'static str),
}

/// A request, in the order it goes on the wire.
pub struct Outgoing<'a> {
    pub method: &'a Method,
    /// The path and query.
    pub target: &'a str,
    /// Names and values, as they go on the wire.
    pub headers: &'a [(&'a str, &'a [u8])],
    pub body: &'a [u8],
}

/// An answer read in full, and whether its connection can carry another request. Its
/// headers were given to the caller as they were read.
pub struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
    pub reusable: bool,
}

/// Writes `request` on `io` and reads its answer, handing each header of it to `header`;
/// `buffer` holds what was read and not yet used, and is empty between answers.
pub async fn exchange<S, H>(
    io: &mut S,
    buffer: &mut BytesMut,
    request: &Outgoing<'_>,
    header: &mut H,
) -> Result<Answer, WireError>
where
    S: AsyncRead + AsyncWrite + Unpin,
    H: FnMut(&str, &[u8]),
{
    let mut head = Vec::with_capacity(256 + request.body.len());
    encode(request, &mut head);
    io.write_all(&head).await?;
    io.flush().await?;
    let (status, framing, reusable) = loop {
        let head = read_head(io, buffer, &mut *header).await?;
        // 100 Continue and the other interim answers come before the real one.
        if let Some(answer) = head {
            break answer;
        }
    };
    let framing = if request.method == Method::HEAD || matches!(status.as_u16(), 101 | 204 | 304) {
        Framing::Length(0)
    } else {
        framing
    };
    let body = match framing {
        Framing::Length(length) if length > MAX_BODY => return Err(WireError::Malformed("answer too large")),
        Framing::Length(length) => {
            while buffer.len() < length {
                fill(io, buffer).await?.then_some(()).ok_or(WireError::Truncated)?;
            }
            buffer.split_to(length).freeze()
        }
        Framing::Chunked => read_chunked(io, buffer).await?,
        Framing::UntilClose => {
            while fill(io, buffer).await? {
                if buffer.len() > MAX_BODY {
                    return Err(WireError::Malformed("answer too large"));
                }
            }
            buffer.split().freeze()
        }
    };
    // After 101 the connection speaks another protocol; no request of ours asks for one.
    let reusable = reusable
        && status != StatusCode::SWITCHING_PROTOCOLS
        && !matches!(framing, Framing::UntilClose)
        && buffer.is_empty();
    Ok(Answer { status, body, reusable })
}

fn encode(request: &Outgoing<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(request.method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(request.target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in request.headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    let expects_body = matches!(*request.method, Method::POST | Method::PUT | Method::PATCH);
    if expects_body || !request.body.is_empty() {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(itoa::Buffer::new().format(request.body.len()).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(request.body);
}

enum Framing {
    Length(usize),
    Chunked,
    UntilClose,
}

/// Reads more into `buffer`; false at the end of the connection.
async fn fill<S: AsyncRead + Unpin>(io: &mut S, buffer: &mut BytesMut) -> std::io::Result<bool> {
    if buffer.capacity() - buffer.len() < 1024 {
        buffer.reserve(8 * 1024);
    }
    Ok(io.read_buf(buffer).await? > 0)
}

/// Reads an answer's head, past it in `buffer`: nothing for an interim answer, else its
/// status, how its body is framed, and whether the connection stays open after it. The
/// final answer's headers go to `header`.
async fn read_head<S, H>(
    io: &mut S,
    buffer: &mut BytesMut,
    header: &mut H,
) -> Result<Option<(StatusCode, Framing, bool)>, WireError>
where
    S: AsyncRead + Unpin,
    H: FnMut(&str, &[u8]),
{
    loop {
        let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut answer = httparse::Response::new(&mut slots);
        match answer.parse(buffer) {
            Ok(httparse::Status::Complete(head)) => {
                let status =
                    StatusCode::from_u16(answer.code.unwrap_or(0)).map_err(|_| WireError::Malformed("status code"))?;
                if status.is_informational() && status != StatusCode::SWITCHING_PROTOCOLS {
                    buffer.advance(head);
                    return Ok(None);
                }
                let mut reusable = answer.version == Some(1);
                let (mut length, mut coded) = (None, None);
                for field in answer.headers.iter() {
                    if field.name.eq_ignore_ascii_case("transfer-encoding") {
                        coded = Some(ends_with_chunked(field.value));
                    } else if field.name.eq_ignore_ascii_case("content-length") {
                        let this = std::str::from_utf8(field.value)
                            .ok()
                            .and_then(|text| text.trim().parse::<usize>().ok())
                            .ok_or(WireError::Malformed("content-length"))?;
                        if length.is_some_and(|first| first != this) {
                            return Err(WireError::Malformed("two content-lengths"));
                        }
                        length = Some(this);
                    } else if field.name.eq_ignore_ascii_case("connection") {
                        if has_token(field.value, "close") {
                            reusable = false;
                        } else if has_token(field.value, "keep-alive") {
                            reusable = true;
                        }
                    }
                    header(field.name, field.value);
                }
                // A transfer coding wins over a length (RFC 9112, 6.3); one that does not
                // end in chunked runs to the end of the connection.
                let framing = match (coded, length) {
                    (Some(true), _) => Framing::Chunked,
                    (Some(false), _) | (None, None) => Framing::UntilClose,
                    (None, Some(length)) => Framing::Length(length),
                };
                buffer.advance(head);
                return Ok(Some((status, framing, reusable)));
            }
            Ok(httparse::Status::Partial) if buffer.len() < MAX_HEAD => {}
            Ok(httparse::Status::Partial) => return Err(WireError::Malformed("head too large")),
            Err(_) => return Err(WireError::Malformed("head")),
        }
        if !fill(io, buffer).await? {
            return Err(if buffer.is_empty() { WireError::ClosedBeforeAnswer } else { WireError::Truncated });
        }
    }
}

fn ends_with_chunked(value: &[u8]) -> bool {
    value.rsplit(|b| *b == b',').next().is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"))
}

/// A chunked body, joined; its trailers are read and dropped.
async fn read_chunked<S: AsyncRead + Unpin>(io: &mut S, buffer: &mut BytesMut) -> Result<Bytes, WireError> {
    let mut body = BytesMut::new();
    loop {
        let line = read_line(io, buffer).await?;
        let size = line[..].split(|b| *b == b';').next().unwrap_or_default().trim_ascii();
        let size = std::str::from_utf8(size)
            .ok()
            .filter(|text| !text.is_empty() && text.len() <= 15)
            .and_then(|text| usize::from_str_radix(text, 16).ok())
            .ok_or(WireError::Malformed("chunk size"))?;
        if size == 0 {
            while !read_line(io, buffer).await?.is_empty() {}
            return Ok(body.freeze());
        }
        if body.len() + size > MAX_BODY {
            return Err(WireError::Malformed("answer too large"));
        }
        while buffer.len() < size + 2 {
            fill(io, buffer).await?.then_some(()).ok_or(WireError::Truncated)?;
        }
        if &buffer[size..size + 2] != b"\r\n" {
            return Err(WireError::Malformed("chunk end"));
        }
        body.extend_from_slice(&buffer[..size]);
        buffer.advance(size + 2);
    }
}

/// One CRLF-ended line, without its end.
async fn read_line<S: AsyncRead + Unpin>(io: &mut S, buffer: &mut BytesMut) -> Result<BytesMut, WireError> {
    loop {
        if let Some(end) = buffer.windows(2).position(|pair| pair == b"\r\n") {
            let line = buffer.split_to(end);
            buffer.advance(2);
            return Ok(line);
        }
        if buffer.len() > MAX_HEAD {
            return Err(WireError::Malformed("line too long"));
        }
        fill(io, buffer).await?.then_some(()).ok_or(WireError::Truncated)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer to `request` when the other side sends `wire`, with the headers it
    /// gave, and what was sent.
    async fn answer_to(request: &Outgoing<'_>, wire: &[u8]) -> (Result<Answer, WireError>, Vec<String>, Vec<u8>) {
        let (mut ours, mut theirs) = tokio::io::duplex(64 * 1024);
        theirs.write_all(wire).await.unwrap();
        theirs.shutdown().await.unwrap();
        let mut buffer = BytesMut::new();
        let mut headers = Vec::new();
        let mut header = |name: &str, value: &[u8]| headers.push(format!("{name}: {}", String::from_utf8_lossy(value)));
        let answer = exchange(&mut ours, &mut buffer, request, &mut header).await;
        let mut sent = vec![0; 4096];
        let n = theirs.read(&mut sent).await.unwrap();
        sent.truncate(n);
        (answer, headers, sent)
    }

    const HOST: &[(&str, &[u8])] = &[("host", b"upstream.test")];

    #[tokio::test]
    async fn a_request_is_written_with_its_headers_and_length() {
        let request = Outgoing { method: &Method::POST, target: "/api/v1/orders?x=1", headers: HOST, body: b"{}" };
        let (answer, _, sent) = answer_to(&request, b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}").await;
        assert_eq!(answer.unwrap().status, StatusCode::CREATED);
        assert_eq!(
            String::from_utf8(sent).unwrap(),
            "POST /api/v1/orders?x=1 HTTP/1.1\r\nhost: upstream.test\r\ncontent-length: 2\r\n\r\n{}"
        );
    }

    #[tokio::test]
    async fn bodies_are_read_by_length_by_chunks_and_to_the_end() {
        let request = Outgoing { method: &Method::GET, target: "/", headers: HOST, body: b"" };
        let (answer, headers, _) = answer_to(
            &request,
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{\"ok\":true}",
        )
        .await;
        let answer = answer.unwrap();
        assert_eq!((&answer.body[..], answer.reusable), (&b"{\"ok\":true}"[..], true));
        assert_eq!(headers, ["content-type: application/json", "content-length: 11"]);

        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"ok\r\n7\r\n\":true}\r\n0\r\nx-trailer: 1\r\n\r\n";
        let answer = answer_to(&request, chunked).await.0.unwrap();
        assert_eq!((&answer.body[..], answer.reusable), (&b"{\"ok\":true}"[..], true));

        let (answer, _, _) = answer_to(&request, b"HTTP/1.1 200 OK\r\n\r\nall of it").await;
        let answer = answer.unwrap();
        assert_eq!((&answer.body[..], answer.reusable), (&b"all of it"[..], false));
    }

    #[tokio::test]
    async fn interim_answers_are_skipped_and_close_is_honoured() {
        let request = Outgoing { method: &Method::GET, target: "/", headers: HOST, body: b"" };
        let wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
        let (answer, headers, _) = answer_to(&request, wire).await;
        let answer = answer.unwrap();
        assert_eq!((answer.status, answer.reusable), (StatusCode::SERVICE_UNAVAILABLE, false));
        assert_eq!(headers, ["Connection: close", "Content-Length: 0"], "the interim answer's headers are not given");
        let no_content = answer_to(&request, b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n").await.0.unwrap();
        assert!(no_content.body.is_empty() && no_content.reusable);
    }

    #[tokio::test]
    async fn a_closed_truncated_or_malformed_answer_is_an_error() {
        let request = Outgoing { method: &Method::GET, target: "/", headers: HOST, body: b"" };
        let closed = answer_to(&request, b"").await.0;
        assert!(matches!(closed, Err(WireError::ClosedBeforeAnswer)), "{:?}", closed.err());
        let short = answer_to(&request, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc").await.0;
        assert!(matches!(short, Err(WireError::Truncated)));
        let twice = answer_to(&request, b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab").await.0;
        assert!(matches!(twice, Err(WireError::Malformed(_))));
        let garbage = answer_to(&request, b"SMTP ready\r\n\r\n").await.0;
        assert!(matches!(garbage, Err(WireError::Malformed(_))));
        let bad_chunk = answer_to(&request, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n").await.0;
        assert!(matches!(bad_chunk, Err(WireError::Malformed(_))));
        let huge = answer_to(&request, b"HTTP/1.1 200 OK\r\nContent-Length: 4000000000\r\n\r\n").await.0;
        assert!(matches!(huge, Err(WireError::Malformed("answer too large"))));
        let huge_chunk =
            answer_to(&request, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffff\r\n").await.0;
        assert!(matches!(huge_chunk, Err(WireError::Malformed("answer too large"))));
    }
}
