//! Slow clients: 500 connections that send a request head a line a second, reconnecting
//! whenever the proxy cuts them off, while normal traffic runs at a fixed rate. Its p99 is
//! compared with the same traffic alone.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::chains::{proxy_on_sandbox, Tools};
use crate::load::{Figures, Load, Oha};
use crate::report::{count, duration, Report, Target};

const SECTION: &str = "slow clients";
const SLOW_CONNECTIONS: usize = 500;
const RATE: u32 = 500;

/// One slow client, until `stop`: counts the connections the proxy closed on it.
async fn slow_client(port: u16, stop: Arc<AtomicBool>, cut: Arc<AtomicU64>) {
    while !stop.load(Ordering::Relaxed) {
        let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let mut line: &[u8] = b"GET /api/v1/balance HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        let mut buffer = [0u8; 256];
        while !stop.load(Ordering::Relaxed) {
            if stream.write_all(line).await.is_err() {
                break;
            }
            line = b"X-Slow: 1\r\n";
            // Closed by the proxy (or reset): start over; no answer within a second: go on.
            let read = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buffer)).await;
            if let Ok(Ok(0) | Err(_)) = read {
                break;
            }
        }
        if !stop.load(Ordering::Relaxed) {
            cut.fetch_add(1, Ordering::Relaxed);
        }
    }
}

async fn steady(oha: &Oha, url: &str, cookie: &str, seconds: u32) -> Figures {
    let (oha, url, headers) = (Oha(oha.0.clone()), url.to_owned(), vec![format!("Cookie: {cookie}")]);
    tokio::task::spawn_blocking(move || {
        oha.run(&Load { url: &url, headers: &headers, connections: 16, seconds, rate: Some(RATE) })
    })
    .await
    .expect("oha ran")
}

pub async fn run(tools: &Tools, seconds: u32, report: &mut Report) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let stack = proxy_on_sandbox(tools, dir.path()).await;
    let oha = Oha(tools.oha.clone());
    let url = format!("{}/api/v1/balance", stack.proxy_base);
    let alone = steady(&oha, &url, &stack.cookie, seconds).await;

    let (stop, cut) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
    let clients: Vec<_> =
        (0..SLOW_CONNECTIONS).map(|_| tokio::spawn(slow_client(stack.proxy.port, stop.clone(), cut.clone()))).collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let attacked = steady(&oha, &url, &stack.cookie, seconds.max(12)).await;
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        let _ = client.await;
    }

    let ratio = attacked.p99.as_secs_f64() / alone.p99.as_secs_f64().max(1e-9);
    let row = |f: &Figures| {
        format!(
            "p50 {}, p99 {}, {} failures of {}",
            duration(f.p50),
            duration(f.p99),
            f.failures,
            count(f.requests as f64)
        )
    };
    report.add(SECTION, format!("GET /api/v1/balance at {RATE} rps, alone"), row(&alone), None);
    report.add(SECTION, format!("same, beside {SLOW_CONNECTIONS} slowloris connections"), row(&attacked), None);
    report.add(SECTION, "p99 beside them ÷ p99 alone", format!("{ratio:.2}×"), Target::at_most(ratio, 2.0, "≤ 2×"));
    report.add(
        SECTION,
        "slow connections cut by the 10 s header timeout",
        count(cut.load(Ordering::Relaxed) as f64),
        Target::at_least(cut.load(Ordering::Relaxed) as f64, 1.0, "> 0"),
    );
    report.note(format!(
        "Slow clients: {SLOW_CONNECTIONS} connections each send a request head one header line a second and \
         reconnect when cut off; the normal traffic is oha at {RATE} rps over 16 connections with a session \
         cookie, {seconds} s alone and at least 12 s beside them (so the 10 s header timeout fires)."
    ));
}
