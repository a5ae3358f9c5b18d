//! A crafted corpus of hostile requests, sent over a plain socket so that no client
//! normalises them: traversal (plain, encoded, double encoded), `//host` and absolute-URI
//! targets, CRLF, Host and X-Forwarded-* forgery, oversized bodies and headers, wrong
//! content types, huge numbers, unicode and control characters, and method tampering.
//! Every one is refused with a 4xx in the error envelope, and none reaches the upstream.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

/// One request as bytes on the wire.
struct Hostile {
    what: String,
    bytes: Vec<u8>,
    /// Refused by the HTTP parser itself (hyper's bare 4xx), before any of the proxy's code.
    by_the_parser: bool,
}

struct Wire<'a> {
    host: String,
    staff: &'a Staff,
}

impl Wire<'_> {
    /// A request from a signed-in operator, with the console's CSRF headers.
    fn request(&self, method: &str, target: &str, extra: &[(&str, String)], body: Option<(&str, Vec<u8>)>) -> Vec<u8> {
        let mut head = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nX-CSRF-Token: {}\r\nX-Requested-With: openmoney-console\r\nOrigin: http://{}\r\nConnection: close\r\n",
            self.host, self.staff.cookie, self.staff.csrf, self.host
        );
        for (name, value) in extra {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let mut bytes = head.into_bytes();
        match body {
            Some((content_type, body)) => {
                if !content_type.is_empty() {
                    bytes.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
                }
                bytes.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
                bytes.extend_from_slice(&body);
            }
            None => bytes.extend_from_slice(b"\r\n"),
        }
        bytes
    }

    fn get(&self, target: &str) -> Vec<u8> {
        self.request("GET", target, &[], None)
    }

    fn create(&self, content_type: &str, body: &str) -> Vec<u8> {
        let key = [("Idempotency-Key", "corpus-key".to_owned())];
        self.request("POST", "/api/v1/orders/stars", &key, Some((content_type, body.as_bytes().to_vec())))
    }
}

const TRAVERSALS: [&str; 16] = [
    "..",
    "%2e%2e",
    "%2E%2E",
    ".%2e",
    "%2e.",
    "%252e%252e",
    "%25252e%25252e",
    "..%2f",
    "..%2F",
    "%2e%2e%2f",
    "..%5c",
    "..\\",
    "%c0%ae%c0%ae",
    "..%00",
    "%2e%2e;",
    "..;",
];

const TRAVERSAL_TARGETS: [&str; 5] = [
    "/api/v1/orders/{}/balance",
    "/api/v1/orders/{}",
    "/api/v1/orders/by-memo/{}",
    "/api/v1/{}/sandbox/v1/faults",
    "/api/v1/orders/by-reference/{}%2f{}%2fbalance",
];

/// Text no reference, memo or username may carry: control characters, invisible
/// formatting (a direction override, a byte order mark, a zero-width space) and bytes that
/// are not UTF-8. (Letters of any script are fine in a reference, but not in a username.)
const STRANGE: [&str; 12] = [
    "%00",
    "%0d%0aX-Injected:%201",
    "%0a",
    "%09",
    "%7f",
    "%1b%5b31m",
    "%e2%80%ae",
    "%ef%bb%bf",
    "%e2%80%8b",
    "%c2%ad",
    "%ff%fe",
    "%c3%28",
];
/// Not Telegram usernames: another script, a look-alike letter, an emoji.
const NOT_USERNAMES: [&str; 4] =
    ["%d0%bf%d0%b0%d0%bd%d0%b4%d1%83%d1%81", "p%d0%b0ndus", "pandus%f0%9f%92%b8", "pandus%e2%80%8b"];

fn corpus(wire: &Wire) -> Vec<Hostile> {
    let mut all = Vec::new();
    let mut add = |what: String, bytes: Vec<u8>| all.push(Hostile { what, bytes, by_the_parser: false });

    for fragment in TRAVERSALS {
        for target in TRAVERSAL_TARGETS {
            let target = target.replace("{}", fragment);
            add(format!("traversal {target}"), wire.get(&target));
        }
    }
    for target in [
        "//evil.example/api/v1/balance",
        "///api/v1/balance",
        "//127.0.0.1:1/api/v1/balance",
        "/%2f%2fevil.example/api/v1/balance",
        "/\\evil.example/api/v1/balance",
        "http://evil.example/api/v1/balance",
        "https://evil.example/api/v1/balance",
        "http://127.0.0.1:1/api/v1/balance",
        "http://user@evil.example/api/v1/balance",
        "/api/v1//balance",
        "/api/v1/./balance",
        "/api/v1/balance/.",
    ] {
        add(format!("target {target}"), wire.get(target));
    }
    for strange in STRANGE {
        for template in [
            "/api/v1/orders/by-reference/inv{}",
            "/api/v1/orders/by-memo/STARS-{}",
            "/api/v1/recipients/stars?username=pandus{}",
            "/api/v1/orders?recipient_username=pan{}dus",
            "/api/v1/orders/1{}",
        ] {
            let target = template.replace("{}", strange);
            add(format!("characters {target}"), wire.get(&target));
        }
        let reference = percent_encoding::percent_decode_str(strange).decode_utf8_lossy().into_owned();
        let body = serde_json::json!({"recipient_username": format!("pandus{reference}"), "quantity": 100});
        add(format!("username with {strange}"), wire.create("application/json", &body.to_string()));
    }
    for name in NOT_USERNAMES {
        add(format!("username {name}"), wire.get(&format!("/api/v1/recipients/stars?username={name}")));
        let decoded = percent_encoding::percent_decode_str(name).decode_utf8_lossy().into_owned();
        let body = serde_json::json!({"recipient_username": decoded, "quantity": 100});
        add(format!("username {name} in a create"), wire.create("application/json", &body.to_string()));
    }
    for number in [
        "99999999999999999999",
        "18446744073709551616",
        "-1",
        "0",
        "1e3",
        "0x2a",
        "1.5",
        "+1",
        "%2b1",
        "1%20",
        "00000000000000000000000000010401",
    ] {
        add(format!("order id {number}"), wire.get(&format!("/api/v1/orders/{number}")));
        // A limit of "+1" reads as 1, which is harmless; every other form is refused.
        if !number.contains('+') && !number.contains("%2b") {
            add(format!("limit {number}"), wire.get(&format!("/api/v1/orders?limit={number}")));
        }
    }
    for quantity in ["1e309", "18446744073709551616", "-100", "100.5", "\"100\"", "null", "[100]", "1.005e2"] {
        let body = format!("{{\"recipient_username\":\"pandus\",\"quantity\":{quantity}}}");
        add(format!("quantity {quantity}"), wire.create("application/json", &body));
    }
    let order = r#"{"recipient_username":"pandus","quantity":100}"#;
    for content_type in [
        "",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/xml",
        "text/json",
        "application/jsonx",
    ] {
        add(format!("content type {content_type:?}"), wire.create(content_type, order));
    }
    for body in ["", "{", "[]", "null", "\"x\"", "{\"quantity\":100}", "\u{feff}{}", "{\"quantity\":\"100\"}"] {
        add(format!("body {body:?}"), wire.create("application/json", body));
    }
    let deep =
        format!(r#"{{"recipient_username":"pandus","quantity":100,"x":{}1{}}}"#, "[".repeat(5_000), "]".repeat(5_000));
    add("a body nested 5,000 deep".into(), wire.create("application/json", &deep));
    let big =
        format!(r#"{{"recipient_username":"pandus","quantity":100,"client_reference":"{}"}}"#, "x".repeat(70_000));
    add("a 70 KB body".into(), wire.create("application/json", &big));
    add("a 1 MB body".into(), wire.create("application/json", &"{".repeat(1 << 20)));
    for (name, value) in [
        ("Idempotency-Key", "k".repeat(300)),
        ("Idempotency-Key", "a\tb".into()),
        ("Idempotency-Key", "".into()),
        ("Idempotency-Key", "spa ce".into()),
        ("X-Console-Quote", "garbage".into()),
        ("X-Console-Quote", "x".repeat(10_000)),
    ] {
        let body = Some(("application/json", order.as_bytes().to_vec()));
        add(
            format!("header {name}: {}…", &value[..value.len().min(12)]),
            wire.request("POST", "/api/v1/orders/stars", &[(name, value.clone())], body),
        );
    }
    add("a 200 KB header".into(), wire.request("GET", "/api/v1/balance", &[("X-Padding", "p".repeat(200_000))], None));
    for method in ["PUT", "DELETE", "PATCH", "TRACE", "OPTIONS", "PROPFIND", "get"] {
        add(format!("{method} an order"), wire.request(method, "/api/v1/orders/10401", &[], None));
        add(format!("{method} the balance"), wire.request(method, "/api/v1/balance", &[], None));
    }
    for override_header in ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"] {
        let get_cancel = wire.request("GET", "/api/v1/orders/10401/cancel", &[(override_header, "POST".into())], None);
        add(format!("GET cancel with {override_header}"), get_cancel);
    }
    add(
        "POST to a read".into(),
        wire.request("POST", "/api/v1/balance", &[], Some(("application/json", b"{}".to_vec()))),
    );
    add("GET a create".into(), wire.get("/api/v1/orders/stars"));
    let unsigned = |extra: &[(&str, &str)]| {
        let mut head = String::from("GET /api/v1/balance HTTP/1.1\r\nConnection: close\r\n");
        for (name, value) in extra {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        head.into_bytes()
    };
    for forged in [
        vec![("Host", "evil.example")],
        vec![("Host", "127.0.0.1"), ("X-Forwarded-For", "127.0.0.1")],
        vec![("Host", "127.0.0.1"), ("X-Forwarded-Email", "ada")],
        vec![("Host", "127.0.0.1"), ("X-Forwarded-User", "ada"), ("X-Real-IP", "127.0.0.1")],
        vec![("Host", "127.0.0.1"), ("X-Forwarded-Host", "console.example"), ("X-Forwarded-Proto", "https")],
        vec![("Host", "127.0.0.1"), ("Forwarded", "for=127.0.0.1;host=console.example;proto=https")],
        vec![("Host", "127.0.0.1"), ("Authorization", "Bearer osk_guess")],
        vec![("Host", "127.0.0.1"), ("Cookie", "__Host-om_session=forged")],
        vec![("Host", "127.0.0.1"), ("Cookie", "om_session=forged; __Host-om_session=")],
    ] {
        add(format!("signed out with {forged:?}"), unsigned(&forged));
    }
    let cross_site = [("Origin", "https://evil.example".to_owned()), ("X-Forwarded-Host", "127.0.0.1".to_owned())];
    let body = Some(("application/json", order.as_bytes().to_vec()));
    let mut forged_origin = wire.request("POST", "/api/v1/orders/stars", &cross_site, body);
    // The first Origin (the honest one) is replaced, so only the forged one is sent.
    let text = String::from_utf8_lossy(&forged_origin).replace(&format!("Origin: http://{}\r\n", wire.host), "");
    forged_origin = text.into_bytes();
    add("a create from another origin".into(), forged_origin);
    // More than hyper's 100 headers: its parser answers 431 before the proxy sees anything.
    let many: Vec<(&str, String)> = (0..1000).map(|_| ("X-Many", "1".to_owned())).collect();
    let bytes = wire.request("GET", "/api/v1/balance", &many, None);
    all.push(Hostile { what: "a thousand headers".into(), bytes, by_the_parser: true });
    all
}

/// Sends raw bytes and reads the whole answer: (status, body).
async fn exchange(proxy: &TestProxy, bytes: &[u8]) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(proxy.addr).await.unwrap();
    // A server may answer and close before reading everything (an oversized request).
    let _ = stream.write_all(bytes).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn every_crafted_request_is_refused_in_the_envelope_and_none_reaches_the_upstream() {
    let proxy = spawn_proxy().await;
    let otto = proxy.login("otto").await;
    let order = proxy.create(&otto, "corpus-order", &stars("pandus", 100)).await;
    assert_eq!(order.json()["data"]["id"], 10401, "the corpus names order 10401");
    let wire = Wire { host: proxy.addr.to_string(), staff: &otto };
    let corpus = corpus(&wire);
    assert!(corpus.len() >= 200, "the corpus has {} requests", corpus.len());
    let before = proxy.sandbox.request_count();
    let mut wrong = Vec::new();
    for hostile in &corpus {
        let (status, body) = exchange(&proxy, &hostile.bytes).await;
        let envelope: Option<serde_json::Value> = serde_json::from_str(&body).ok();
        let enveloped = envelope.as_ref().is_some_and(|e| e["ok"] == false && e["error_code"].is_string());
        let refused = (400..500).contains(&status) && (enveloped || hostile.by_the_parser);
        if !refused {
            wrong.push(format!("{} → {status} {}", hostile.what, &body[..body.len().min(160)]));
        }
    }
    assert!(wrong.is_empty(), "{} of {} not refused cleanly:\n{}", wrong.len(), corpus.len(), wrong.join("\n"));
    assert_eq!(proxy.sandbox.request_count(), before, "crafted requests reached the upstream");
}
