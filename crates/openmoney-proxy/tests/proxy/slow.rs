//! Slow clients are cut off: a request head still unfinished after 10 s closes its
//! connection, a body that stops arriving gets 408 in the envelope, and everyone else is
//! served meanwhile.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

async fn slow(proxy: &TestProxy, sent: &[u8]) -> (String, Duration) {
    let mut stream = tokio::net::TcpStream::connect(proxy.addr).await.unwrap();
    stream.write_all(sent).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the proxy kept a slow connection open for 20 s");
    (String::from_utf8_lossy(&answer).into_owned(), started.elapsed())
}

#[tokio::test]
async fn slow_heads_are_cut_off_and_slow_bodies_get_408_while_others_are_served() {
    let proxy = spawn_proxy().await;
    let head = slow(&proxy, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n");
    let body = format!(
        "POST /auth/login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\
         X-Requested-With: openmoney-console\r\nOrigin: {}\r\n\r\n{{\"username\":",
        proxy.addr, proxy.base
    );
    let body = slow(&proxy, body.as_bytes());
    let others = async {
        let mut slowest = Duration::ZERO;
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let started = Instant::now();
            assert_eq!(proxy.get("/healthz", None).await.status, 200);
            slowest = slowest.max(started.elapsed());
        }
        slowest
    };
    let ((head, head_after), (body, body_after), slowest) = tokio::join!(head, body, others);

    assert!(head.is_empty(), "an unfinished head got an answer: {head}");
    assert!((Duration::from_secs(9)..Duration::from_secs(13)).contains(&head_after), "{head_after:?}");
    assert!(body.starts_with("HTTP/1.1 408"), "{body}");
    assert!(body.contains(r#""error_code":"REQUEST_TIMEOUT""#), "{body}");
    assert!((Duration::from_secs(9)..Duration::from_secs(13)).contains(&body_after), "{body_after:?}");
    assert!(slowest < Duration::from_secs(1), "others waited {slowest:?} beside the slow clients");
}
