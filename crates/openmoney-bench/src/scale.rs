//! How costs grow with the data: the sandbox's order lists over 10², 10⁴ and 10⁵ stored
//! orders, and the proxy's audit queries over 10⁶ rows.

use std::time::{Duration, Instant};

use openmoney_api::AuditAction;
use openmoney_proxy::db::{AuditFilter, Db};
use openmoney_sandbox::config::RateLimitConfig;
use openmoney_sandbox::{Sandbox, SandboxConfig};

use crate::report::{duration, percentiles, Report, Target};

const KEY: &str = "osk_bench_scaling_key_000000000000";
/// The id the sandbox gives its first order.
const FIRST_ORDER_ID: i64 = 10_401;

/// Sequential requests of one kind; gives (p50, p99).
async fn time_gets(client: &reqwest::Client, url: &str, times: usize) -> (Duration, Duration) {
    let mut samples = Vec::with_capacity(times);
    for _ in 0..times {
        let started = Instant::now();
        let response = client.get(url).bearer_auth(KEY).send().await.expect("the sandbox answers");
        assert!(response.status().is_success(), "{url}: {}", response.status());
        response.bytes().await.expect("a body");
        samples.push(started.elapsed());
    }
    percentiles(&mut samples)
}

pub async fn lists(report: &mut Report, times: usize) {
    let client = reqwest::Client::new();
    for stored in [100usize, 10_000, 100_000] {
        let config = SandboxConfig {
            rate_limit: RateLimitConfig { per_second: 0, burst: 0 },
            ..SandboxConfig::with_keys([KEY])
        };
        let sandbox = Sandbox::new(config);
        let seeded = Instant::now();
        sandbox.seed_history(stored);
        let seeding = seeded.elapsed();
        let orders = sandbox.order_count();
        let addr = sandbox.spawn("127.0.0.1:0".parse().expect("loopback")).await.expect("the sandbox listens");
        let base = format!("http://{addr}/api/v1");
        let queries = [
            ("first page", "orders?limit=50".to_owned()),
            ("last page", format!("orders?limit=50&offset={}", orders.saturating_sub(50))),
            ("status=completed", "orders?status=completed&limit=50".to_owned()),
            ("recipient=pandus", "orders?recipient_username=pandus&limit=50".to_owned()),
            ("status and type", "orders?status=expired&order_type=premium&limit=50".to_owned()),
            ("one order", format!("orders/{}", FIRST_ORDER_ID + orders as i64 / 2)),
            ("by reference", "orders/by-reference/inv-2100".to_owned()),
        ];
        let mut cells = Vec::new();
        for (name, query) in &queries {
            let (p50, _) = time_gets(&client, &format!("{base}/{query}"), times).await;
            cells.push(format!("{name} {}", duration(p50)));
        }
        report.add(
            "scaling: sandbox lists",
            format!("{orders} orders (seeded in {}): p50 per request", duration(seeding)),
            cells.join("; "),
            None,
        );
    }
    report.note(
        "Sandbox lists: each query answered from an index (status, type, recipient, reference) walked newest first; a page stops once full when the index gives the total. A single client, sequential requests on loopback.",
    );
}

const ACTORS: [&str; 8] = ["ada", "otto", "vera", "lena", "raj", "maria", "tom", "kim"];
const ACTIONS: [AuditAction; 6] = [
    AuditAction::OrderCreate,
    AuditAction::OrderCancel,
    AuditAction::Login,
    AuditAction::LoginFailed,
    AuditAction::SandboxPay,
    AuditAction::UserAdd,
];

/// Fills the audit with `rows` entries over the last 90 days, in large transactions.
async fn fill_audit(path: &std::path::Path, rows: usize) {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.expect("sqlite");
    let now = openmoney_proxy::db::now_millis();
    let span = 90 * 24 * 3_600_000i64;
    const BATCH: usize = 100;
    let mut done = 0;
    while done < rows {
        let mut tx = conn.begin().await.expect("a transaction");
        for _ in 0..(50_000 / BATCH) {
            if done >= rows {
                break;
            }
            let n = BATCH.min(rows - done);
            let values = vec!["(?, ?, ?, 'ok', ?, NULL, 'a benchmark row', '127.0.0.1', NULL)"; n].join(", ");
            let sql = format!(
                "INSERT INTO audit (at, actor, action, outcome, order_id, idempotency_key, summary, client_addr, quote) VALUES {values}"
            );
            let mut query = sqlx::query(&sql);
            for i in done..done + n {
                let at = now - span + (span / rows as i64) * i as i64;
                // Rows 0 and 1 of every six are about an order (whose id follows the row's).
                let action = &ACTIONS[i % ACTIONS.len()];
                let order =
                    matches!(action, AuditAction::OrderCreate | AuditAction::OrderCancel).then_some(10_000 + i as i64);
                query = query.bind(at).bind(ACTORS[(i / 7) % ACTORS.len()]).bind(action.as_str()).bind(order);
            }
            query.execute(&mut *tx).await.expect("audit rows");
            done += n;
        }
        tx.commit().await.expect("a commit");
    }
}

pub async fn audit(report: &mut Report, rows: usize, times: usize) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = Db::connect(&openmoney_proxy::config::sqlite_url(dir.path())).await.expect("the store");
    let filled = Instant::now();
    fill_audit(&dir.path().join("console.db"), rows).await;
    let filling = filled.elapsed();
    let now = openmoney_proxy::db::now_millis();
    let day = 24 * 3_600_000;
    let filters = [
        ("no filter", AuditFilter::default(), 0),
        ("no filter, page 200", AuditFilter::default(), 199 * 50),
        ("actor", AuditFilter { actor: Some("otto".into()), ..Default::default() }, 0),
        ("action", AuditFilter { action: Some(AuditAction::OrderCancel), ..Default::default() }, 0),
        ("last day", AuditFilter { from: Some(now - day), ..Default::default() }, 0),
        (
            "actor + action + a week",
            AuditFilter {
                actor: Some("vera".into()),
                action: Some(AuditAction::OrderCreate),
                from: Some(now - 7 * day),
                ..Default::default()
            },
            0,
        ),
        ("one order", AuditFilter { order_id: Some(10_000 + (rows as i64 / 2) / 6 * 6), ..Default::default() }, 0),
    ];
    let mut worst = Duration::ZERO;
    for (name, filter, offset) in &filters {
        let mut samples = Vec::with_capacity(times);
        for _ in 0..times {
            let started = Instant::now();
            let (entries, total) = db.audit_page(filter, 50, *offset).await.expect("an audit page");
            samples.push(started.elapsed());
            assert!(total > 0 && !entries.is_empty(), "{name} found nothing");
        }
        let (p50, p99) = percentiles(&mut samples);
        worst = worst.max(p50);
        report.add(
            "scaling: audit",
            format!("{} rows, {name}: page of 50 with its total (p50, p99)", crate::report::count(rows as f64)),
            format!("{}, {}", duration(p50), duration(p99)),
            None,
        );
    }
    report.add(
        "scaling: audit",
        "slowest audit query at p50",
        duration(worst),
        Target::at_most(worst.as_secs_f64(), 0.05, "≤ 50 ms (indexed)"),
    );
    report.note(format!(
        "Audit: {} rows written in {} by batched inserts into the proxy's own SQLite schema, then the console's audit query (a page of 50 and the matching total) through the proxy's store, {times} times each.",
        crate::report::count(rows as f64),
        duration(filling)
    ));
}
