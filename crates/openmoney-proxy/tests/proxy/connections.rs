//! One plain connection carries many requests: the hot reads answered on the socket, in
//! order and pipelined, and then, from the first other request on, everything through
//! hyper and the router, with the bytes already read handed on.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

/// The answers on one connection, each as its head's lines and its body.
fn answers(mut wire: &str) -> Vec<(Vec<String>, String)> {
    let mut all = Vec::new();
    while let Some(end) = wire.find("\r\n\r\n") {
        let lines: Vec<String> = wire[..end].split("\r\n").map(str::to_owned).collect();
        let length = lines
            .iter()
            .find_map(|line| line.strip_prefix("content-length: "))
            .map_or(0, |n| n.parse::<usize>().unwrap());
        let body = &wire[end + 4..end + 4 + length];
        all.push((lines, body.to_owned()));
        wire = &wire[end + 4 + length..];
    }
    assert!(wire.is_empty(), "bytes after the last answer: {wire:?}");
    all
}

#[tokio::test]
async fn pipelined_reads_are_answered_in_order_and_the_connection_goes_on_after_another_request() {
    let proxy = spawn_proxy().await;
    let vera = proxy.login("vera").await;
    let host = proxy.addr;
    let cookie = &vera.cookie;
    let requests = format!(
        "GET /api/v1/balance HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nX-Request-Id: first-read\r\n\r\n\
         GET /api/v1/orders/999999999 HTTP/1.1\r\nHost: {host}\r\ncookie: theme=dark; {cookie}\r\n\r\n\
         GET /api/v1/balance HTTP/1.1\r\nHost: {host}\r\n\r\n\
         GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n\
         GET /api/v1/balance HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    let mut stream = tokio::net::TcpStream::connect(proxy.addr).await.unwrap();
    stream.write_all(requests.as_bytes()).await.unwrap();
    let mut wire = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut wire)).await;
    assert!(read.is_ok(), "the connection stayed open after Connection: close");
    let wire = String::from_utf8(wire).unwrap();
    assert_no_key(&wire, "answers on one connection");

    let answers = answers(&wire);
    let statuses: Vec<&str> = answers.iter().map(|(head, _)| head[0].as_str()).collect();
    assert_eq!(
        statuses,
        [
            "HTTP/1.1 200 OK",
            "HTTP/1.1 404 Not Found",
            "HTTP/1.1 401 Unauthorized",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 200 OK"
        ],
        "{wire}"
    );
    let has = |n: usize, line: &str| answers[n].0.iter().any(|l| l.eq_ignore_ascii_case(line));
    assert!(has(0, "x-request-id: first-read"), "{:?}", answers[0].0);
    assert!(answers[0].1.contains(r#""balance_ton""#), "{}", answers[0].1);
    assert!(answers[1].1.contains(r#""ok":false"#), "{}", answers[1].1);
    assert!(answers[2].1.contains(r#""error_code":"UNAUTHORIZED""#), "{}", answers[2].1);
    assert!(answers[3].1.contains("ok"), "{}", answers[3].1);
    assert!(answers[4].1.contains(r#""balance_ton""#), "{}", answers[4].1);
    for (n, (head, _)) in answers.iter().enumerate() {
        for line in ["x-frame-options: DENY", "x-content-type-options: nosniff"] {
            assert!(has(n, line), "answer {n} lacks {line}: {head:?}");
        }
        assert!(head.iter().any(|l| l.to_ascii_lowercase().starts_with("date: ")), "answer {n}: {head:?}");
    }
    assert!(has(4, "connection: close"), "{:?}", answers[4].0);
}

#[tokio::test]
async fn a_read_that_asks_to_close_gets_its_answer_and_then_the_end_of_the_connection() {
    let proxy = spawn_proxy().await;
    let vera = proxy.login("vera").await;
    let mut stream = tokio::net::TcpStream::connect(proxy.addr).await.unwrap();
    let request = format!(
        "GET /api/v1/balance HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nConnection: x-trace, Close\r\n\r\n",
        proxy.addr, vera.cookie
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut wire = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut wire)).await.unwrap().unwrap();
    let answers = answers(&String::from_utf8(wire).unwrap());
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].0[0], "HTTP/1.1 200 OK");
    assert!(answers[0].0.iter().any(|l| l == "connection: close"), "{:?}", answers[0].0);
}

#[tokio::test]
async fn at_shutdown_a_read_in_flight_is_answered_and_an_idle_connection_is_closed() {
    let mut proxy = spawn_proxy().await;
    let vera = proxy.login("vera").await;
    set_faults(&proxy, serde_json::json!([{"kind": "stall", "stall_seconds": 1, "percent": 100, "count": 1, "path_prefix": "/balance"}]))
        .await;
    let mut idle = tokio::net::TcpStream::connect(proxy.addr).await.unwrap();
    let mut busy = tokio::net::TcpStream::connect(proxy.addr).await.unwrap();
    let request = format!("GET /api/v1/balance HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\n\r\n", proxy.addr, vera.cookie);
    busy.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    proxy.stop();

    let mut closed = Vec::new();
    let idle_read = tokio::time::timeout(Duration::from_secs(2), idle.read_to_end(&mut closed)).await;
    assert!(matches!(idle_read, Ok(Ok(0))), "the idle connection stayed open: {idle_read:?}");
    let mut wire = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), busy.read_to_end(&mut wire)).await.unwrap().unwrap();
    let answers = answers(&String::from_utf8(wire).unwrap());
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].0[0], "HTTP/1.1 200 OK", "{:?}", answers[0]);
    assert!(answers[0].0.iter().any(|l| l == "connection: close"), "{:?}", answers[0].0);
}
