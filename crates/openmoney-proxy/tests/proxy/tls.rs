//! HTTPS served by the proxy itself, with a certificate made at test time: sign-in and
//! forwarding over HTTP/2 and HTTP/1.1, a certificate replaced while a connection stays
//! open, the redirect from plain HTTP, and the API key read again from its file.

use std::path::Path;
use std::time::Duration;

use openmoney_proxy::config::TlsFiles;
use serde_json::Value;

use crate::helpers::{logs, sandbox_config, spawn_proxy_with, TestProxy, KEY, PASSWORD};

/// A self-signed certificate for `localhost`, written as `cert.pem` and `key.pem` in `dir`;
/// gives the certificate for clients to trust.
fn certificate(dir: &Path) -> reqwest::Certificate {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    // Written beside and renamed into place, as certbot does, so a reader never sees half.
    for (name, text) in [("key.pem", made.key_pair.serialize_pem()), ("cert.pem", made.cert.pem())] {
        std::fs::write(dir.join(format!("{name}.new")), text).unwrap();
        std::fs::rename(dir.join(format!("{name}.new")), dir.join(name)).unwrap();
    }
    reqwest::Certificate::from_pem(made.cert.pem().as_bytes()).unwrap()
}

fn files(dir: &Path) -> TlsFiles {
    TlsFiles { cert: dir.join("cert.pem"), key: dir.join("key.pem") }
}

/// A client that trusts only `root`, speaking HTTP/2 when the server offers it, or only
/// HTTP/1.1.
fn client(root: &reqwest::Certificate, http1_only: bool) -> reqwest::Client {
    let builder = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(root.clone())
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true);
    let builder = if http1_only { builder.http1_only() } else { builder };
    builder.build().unwrap()
}

async fn https_proxy(dir: &Path) -> TestProxy {
    let mut proxy = spawn_proxy_with(sandbox_config(), |c| c.tls = Some(files(dir))).await;
    proxy.base = format!("https://localhost:{}", proxy.addr.port());
    proxy
}

/// Signs in and reads the balance with `client`; gives the HTTP version the reads used.
async fn sign_in_and_read(proxy: &TestProxy, client: &reqwest::Client) -> reqwest::Version {
    let signed_in = client
        .post(proxy.url("/auth/login"))
        .header("X-Requested-With", "openmoney-console")
        .header("Origin", &proxy.base)
        .json(&serde_json::json!({"username": "vera", "password": PASSWORD}))
        .send()
        .await
        .expect("sign-in over HTTPS");
    assert_eq!(signed_in.status(), 200);
    assert!(
        signed_in.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().contains("Secure")),
        "the session cookie is Secure"
    );
    // The router (the session) and the hot path (the balance) both answer.
    let session: Value = client.get(proxy.url("/auth/session")).send().await.unwrap().json().await.unwrap();
    assert_eq!(session["data"]["username"], "vera", "{session}");
    let read = client.get(proxy.url("/api/v1/balance")).send().await.unwrap();
    let version = read.version();
    let body: Value = read.json().await.unwrap();
    assert!(body["data"]["balance_ton"].is_number(), "{body}");
    version
}

#[tokio::test]
async fn staff_sign_in_and_read_over_https_with_http2_or_http1() {
    let dir = tempfile::tempdir().unwrap();
    let root = certificate(dir.path());
    let proxy = https_proxy(dir.path()).await;
    assert_eq!(sign_in_and_read(&proxy, &client(&root, false)).await, reqwest::Version::HTTP_2);
    assert_eq!(sign_in_and_read(&proxy, &client(&root, true)).await, reqwest::Version::HTTP_11);
    // Plain HTTP on the TLS port gets no answer.
    let plain = reqwest::Client::new().get(format!("http://127.0.0.1:{}/healthz", proxy.addr.port())).send().await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
}

#[tokio::test]
async fn over_http2_one_connection_carries_every_live_stream_of_a_staff_member() {
    let dir = tempfile::tempdir().unwrap();
    let root = certificate(dir.path());
    let proxy = https_proxy(dir.path()).await;
    let browser = client(&root, false);
    sign_in_and_read(&proxy, &browser).await;
    // Eight tabs: over HTTP/1.1 a browser opens at most six connections to a site, so the
    // seventh live view would wait; over HTTP/2 they share one connection.
    let streams = (0..8).map(|_| async {
        let mut stream = browser
            .get(proxy.url("/console/v1/events"))
            .header("X-Requested-With", "openmoney-console")
            .header("Origin", &proxy.base)
            .send()
            .await
            .unwrap();
        assert_eq!((stream.status(), stream.version()), (reqwest::StatusCode::OK, reqwest::Version::HTTP_2));
        let mut text = String::new();
        while !text.contains("event:") {
            let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk()).await.expect("an event in time");
            text.push_str(&String::from_utf8_lossy(&chunk.unwrap().expect("the stream stays open")));
        }
        text
    });
    for text in futures::future::join_all(streams).await {
        assert!(text.contains("event: health"), "{text}");
    }
}

/// Waits until `/readyz` shows `what` read again successfully after `since`.
async fn read_again(proxy: &TestProxy, client: &reqwest::Client, what: &str, since: i64) {
    wait_for(proxy, client, what, |s| s["error"].is_null() && s["loaded_at"].as_i64().unwrap() > since).await;
}

/// Waits until `/readyz` shows a failed read of `what`, and gives the error.
async fn read_error(proxy: &TestProxy, client: &reqwest::Client, what: &str) -> String {
    let status = wait_for(proxy, client, what, |s| s["error"].is_string()).await;
    status["error"].as_str().unwrap().to_owned()
}

async fn wait_for(proxy: &TestProxy, client: &reqwest::Client, what: &str, seen: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let ready: Value = client.get(proxy.url("/readyz")).send().await.unwrap().json().await.unwrap();
        if seen(&ready["files"][what]) {
            return ready["files"][what].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: /readyz never showed it");
}

/// Writes a key file as an operator's tooling would: beside it, then renamed into place.
fn write_key(file: &Path, key: &str) {
    let beside = file.with_extension("new");
    std::fs::write(&beside, format!("{key}\n")).unwrap();
    std::fs::rename(&beside, file).unwrap();
}

fn loaded_at(ready: &Value, what: &str) -> i64 {
    ready["files"][what]["loaded_at"].as_i64().unwrap()
}

#[tokio::test]
async fn a_renewed_certificate_serves_new_connections_while_an_open_one_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let old_root = certificate(dir.path());
    let proxy = https_proxy(dir.path()).await;
    let open = client(&old_root, true);
    let ready: Value = open.get(proxy.url("/readyz")).send().await.unwrap().json().await.unwrap();
    assert_eq!((ready["status"].as_str(), ready["upstream"].as_str()), (Some("ready"), Some("ok")));
    let before = loaded_at(&ready, "tls");

    // A half-written renewal (a key that is not the certificate's) is refused, and the
    // certificate in use stays.
    std::fs::write(dir.path().join("key.pem"), rcgen::KeyPair::generate().unwrap().serialize_pem()).unwrap();
    let error = read_error(&proxy, &open, "tls").await;
    assert!(error.contains("key.pem"), "{error}");
    assert_eq!(client(&old_root, true).get(proxy.url("/healthz")).send().await.unwrap().status(), 200);

    tokio::time::sleep(Duration::from_millis(20)).await;
    let new_root = certificate(dir.path());
    read_again(&proxy, &open, "tls", before).await;

    assert_eq!(client(&new_root, false).get(proxy.url("/healthz")).send().await.unwrap().status(), 200);
    assert!(
        client(&old_root, true).get(proxy.url("/healthz")).send().await.is_err(),
        "new connections get the new certificate"
    );
    // The connection opened before the renewal is still served.
    assert_eq!(open.get(proxy.url("/healthz")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn plain_http_is_redirected_to_the_same_page_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let root = certificate(dir.path());
    let proxy = https_proxy(dir.path()).await;
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let plain_port = plain.local_addr().unwrap().port();
    tokio::spawn(openmoney_proxy::redirect_to_https(plain, proxy.addr.port(), None));

    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("http://localhost:{plain_port}/orders/7?tab=history"))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 308);
    let location = redirect.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, proxy.url("/orders/7?tab=history"));
    let page = client(&root, false).get(&location).send().await.unwrap();
    assert_eq!(page.status(), 200, "the bookmarked route loads over HTTPS");
    assert!(page.text().await.unwrap().contains("<html"));
}

#[tokio::test]
async fn a_rotated_key_file_is_used_from_the_next_call_and_never_logged() {
    const NEW_KEY: &str = "osk_proxy_test_partner_key_rotated_43";
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, format!("{KEY}\n")).unwrap();
    let file = key_file.clone();
    let proxy = spawn_proxy_with(sandbox_config(), |c| c.api_key_file = Some(file)).await;
    let vera = proxy.login("vera").await;
    let ready = proxy.get("/readyz", None).await.json();
    let before = loaded_at(&ready, "api_key");

    // Between two reads, the partner switches keys at the upstream, which from then on
    // accepts only the new one, and writes it to the file; a SIGHUP or the file's change
    // has the proxy read it.
    assert_eq!(proxy.get("/api/v1/balance", Some(&vera)).await.status, 200);
    assert!(proxy.sandbox.add_key(KEY, NEW_KEY) && proxy.sandbox.revoke_key(KEY));
    write_key(&key_file, NEW_KEY);
    read_again(&proxy, &proxy.client, "api_key", before).await;
    assert_eq!(proxy.get("/api/v1/balance", Some(&vera)).await.status, 200, "the new key is in use");

    // An upstream that accepts both keys for a while: staff reading all along see nothing fail.
    const NEWER_KEY: &str = "osk_proxy_test_partner_key_rotated_44";
    let before = loaded_at(&proxy.get("/readyz", None).await.json(), "api_key");
    let reading = async {
        let mut answers = Vec::new();
        for _ in 0..60 {
            answers.push(proxy.get("/api/v1/balance", Some(&vera)).await.status);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        answers
    };
    let rotating = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(proxy.sandbox.add_key(NEW_KEY, NEWER_KEY));
        write_key(&key_file, NEWER_KEY);
        read_again(&proxy, &proxy.client, "api_key", before).await;
        // Calls that started before the switch finish with the old key: it is retired a
        // moment later.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(proxy.sandbox.revoke_key(NEW_KEY));
    };
    let (answers, ()) = tokio::join!(reading, rotating);
    assert!(answers.iter().all(|s| *s == 200), "{answers:?}");

    // A malformed file keeps the key in use, and /readyz says why without the key.
    std::fs::write(&key_file, "not-a-key osk").unwrap();
    let error = read_error(&proxy, &proxy.client, "api_key").await;
    assert!(error.contains("not a partner API key") && error.contains("--api-key-file"), "{error}");
    assert_eq!(proxy.get("/api/v1/balance", Some(&vera)).await.status, 200);

    let logs = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    assert!(logs.contains("cannot read it again"), "the failed read is logged");
    for key in [KEY, NEW_KEY, NEWER_KEY, "partner_key"] {
        assert!(!logs.contains(key), "the log holds a key");
    }
}
