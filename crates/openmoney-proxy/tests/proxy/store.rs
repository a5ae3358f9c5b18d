//! The store's versioned migrations (`migrations/`): a store the first release made, before
//! versions were recorded, is adopted with every row; a store a newer release has migrated
//! is refused rather than written to. On SQLite, and on PostgreSQL with
//! `OPENMONEY_TEST_POSTGRES`.

use openmoney_api::AuditAction;
use openmoney_proxy::db::{AuditFilter, Db, Role};
use sqlx::{AnyPool, Executor, Row};

use crate::helpers::postgres_database;

/// The schema exactly as the first release wrote it, statement by statement, with `{PK}`
/// standing for the database's auto-increment key.
const RELEASE_1: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS users (
        id {PK}, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, role TEXT NOT NULL,
        disabled BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sessions (
        id_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL, created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id)",
    "CREATE TABLE IF NOT EXISTS devices (
        id_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS devices_by_time ON devices (created_at)",
    "CREATE TABLE IF NOT EXISTS audit (
        id {PK}, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL,
        order_id BIGINT, idempotency_key TEXT, summary TEXT NOT NULL, client_addr TEXT, quote TEXT)",
    "CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at)",
    "CREATE TABLE IF NOT EXISTS pending_changes (
        id {PK}, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL,
        order_id BIGINT, idempotency_key TEXT, summary TEXT NOT NULL, client_addr TEXT, quote TEXT)",
    "CREATE INDEX IF NOT EXISTS audit_by_actor ON audit (actor, at)",
    "CREATE INDEX IF NOT EXISTS audit_by_action ON audit (action, at)",
    "CREATE INDEX IF NOT EXISTS audit_by_order ON audit (order_id)",
    "CREATE INDEX IF NOT EXISTS audit_by_actor_action ON audit (actor, action, at)",
    "CREATE TABLE IF NOT EXISTS payment_links (
        token_hash TEXT PRIMARY KEY, nonce TEXT NOT NULL, order_id BIGINT NOT NULL, created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT)",
    "CREATE INDEX IF NOT EXISTS payment_links_by_order ON payment_links (order_id)",
];
const RELEASE_1_SQLITE: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
];
const RELEASE_1_POSTGRES: &[&str] = &[
    "CREATE OR REPLACE RULE audit_no_update AS ON UPDATE TO audit DO INSTEAD NOTHING",
    "CREATE OR REPLACE RULE audit_no_delete AS ON DELETE TO audit DO INSTEAD NOTHING",
];

/// A row in every table, as staff using the first release would have left them.
const ROWS: &[&str] = &[
    "INSERT INTO users (username, password_hash, role, disabled, created_at, updated_at)
        VALUES ('ada', 'hash-of-ada', 'admin', 0, 1000, 1000), ('vera', 'hash-of-vera', 'viewer', 1, 2000, 3000)",
    "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ('session-of-ada', 1, 'csrf-of-ada', 4000, 5000)",
    "INSERT INTO devices (id_hash, user_id, created_at) VALUES ('device-of-ada', 1, 4000)",
    "INSERT INTO audit (at, actor, action, outcome, order_id, idempotency_key, summary, client_addr, quote)
        VALUES (4000, 'ada', 'auth.login', 'ok', NULL, NULL, 'signed in', '127.0.0.1', NULL),
               (6000, 'ada', 'order.create', 'ok', 42, 'key-42', 'Stars x50 for @durov',  '127.0.0.1',
                '{\"price_ton\":0.75,\"ton_usd_rate\":3.2}')",
    "INSERT INTO pending_changes (at, actor, action, outcome, order_id, idempotency_key, summary, client_addr)
        VALUES (7000, 'ada', 'order.cancel', 'pending', 42, 'key-43', 'cancel order 42', '127.0.0.1')",
    "INSERT INTO payment_links (token_hash, nonce, order_id, created_by, created_at, expires_at)
        VALUES ('link-of-42', 'nonce-of-42', 42, 'ada', 6500, 9000000000000)",
];

/// An empty store on the suite's database, and whether it is PostgreSQL. The directory
/// holds the SQLite file.
async fn empty_store() -> (tempfile::TempDir, String, bool) {
    let dir = tempfile::tempdir().unwrap();
    match postgres_database().await {
        Some(url) => (dir, url, true),
        None => {
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("console.db").display());
            (dir, url, false)
        }
    }
}

/// Runs statements straight on the store, as the first release (or a tool) would.
async fn run(url: &str, statements: impl IntoIterator<Item = String>) {
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(url).await.unwrap();
    for statement in statements {
        pool.execute(statement.as_str()).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    pool.close().await;
}

async fn release_1_store() -> (tempfile::TempDir, String, bool) {
    let (dir, url, postgres) = empty_store().await;
    let pk = if postgres { "BIGSERIAL PRIMARY KEY" } else { "INTEGER PRIMARY KEY AUTOINCREMENT" };
    let append_only = if postgres { RELEASE_1_POSTGRES } else { RELEASE_1_SQLITE };
    let schema = RELEASE_1.iter().map(|s| s.replace("{PK}", pk)).chain(append_only.iter().map(|s| s.to_string()));
    run(&url, schema.chain(ROWS.iter().map(|s| s.to_string()))).await;
    (dir, url, postgres)
}

async fn versions(url: &str) -> Vec<i64> {
    let pool = AnyPool::connect(url).await.unwrap();
    let rows = sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows.iter().map(|r| r.get::<i64, _>("version")).collect()
}

#[tokio::test]
async fn a_store_the_first_release_made_is_migrated_with_every_row() {
    let (_dir, url, _) = release_1_store().await;
    let db = Db::connect(&url).await.expect("the first release's store is adopted");
    assert_eq!(versions(&url).await, [1], "the adopted store records its version");

    let users = db.users().await.unwrap();
    let names: Vec<_> = users.iter().map(|u| (u.username.as_str(), u.role, u.disabled)).collect();
    assert_eq!(names, [("ada", Role::Admin, false), ("vera", Role::Viewer, true)]);
    assert_eq!(users[0].password_hash, "hash-of-ada");

    let session = db.session("session-of-ada").await.unwrap().expect("ada's session survives");
    assert_eq!((session.user.username.as_str(), session.csrf_token.as_str()), ("ada", "csrf-of-ada"));
    assert_eq!(db.device_owner("device-of-ada", 5000).await.unwrap().as_deref(), Some("ada"));
    let link = db.link("link-of-42", 7000).await.unwrap().expect("the buyer's link still opens");
    assert_eq!((link.order_id, link.nonce.as_str()), (42, "nonce-of-42"));

    let (entries, total) = db.audit_page(&AuditFilter::default(), 10, 0).await.unwrap();
    assert_eq!(total, 2);
    let create = &entries[0];
    assert_eq!(
        (create.action.clone(), create.order_id, create.summary.as_str()),
        (AuditAction::OrderCreate, Some(42), "Stars x50 for @durov")
    );
    assert_eq!(
        serde_json::to_value(create.quote).unwrap(),
        serde_json::json!({"price_ton": 0.75, "ton_usd_rate": 3.2}),
        "the quote kept with the create is read back"
    );
    assert_eq!(
        db.recover_interrupted(i64::MAX).await.unwrap(),
        1,
        "the change cut off under the old release is audited"
    );
    let (entries, total) = db.audit_page(&AuditFilter::default(), 10, 0).await.unwrap();
    assert_eq!(
        (total, entries[0].action.clone(), entries[0].outcome.as_str()),
        (3, AuditAction::OrderCancel, "interrupted")
    );

    // The audit is still append-only, and new rows take new ids.
    let pool = AnyPool::connect(&url).await.unwrap();
    let _ = pool.execute("UPDATE audit SET actor = 'mallory'").await;
    let _ = pool.execute("DELETE FROM audit").await;
    pool.close().await;
    let (entries, total) = db.audit_page(&AuditFilter::default(), 10, 0).await.unwrap();
    assert_eq!(total, 3);
    assert!(entries.iter().all(|e| e.actor == "ada"), "{entries:?}");
    let otto = db.add_user("otto", "hash-of-otto", Role::Operator).await.unwrap();
    assert!(otto.id > 2, "{otto:?}");

    // Opening it again migrates nothing more.
    drop(db);
    let again = Db::connect(&url).await.unwrap();
    assert_eq!(again.users().await.unwrap().len(), 3);
    assert_eq!(versions(&url).await, [1]);
}

#[tokio::test]
async fn a_store_a_newer_release_migrated_is_refused_untouched() {
    let (_dir, url, _) = empty_store().await;
    let db = Db::connect(&url).await.unwrap();
    db.add_user("ada", "hash-of-ada", Role::Admin).await.unwrap();
    drop(db);
    run(
        &url,
        ["INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
            SELECT 2, 'from a newer release', success, checksum, execution_time FROM _sqlx_migrations WHERE version = 1"
            .to_owned()],
    )
    .await;
    let refused = Db::connect(&url).await.expect_err("a store from a newer release is refused");
    assert!(refused.detail().contains("migration 2 was previously applied"), "{}", refused.detail());
    assert_eq!(versions(&url).await, [1, 2]);
}

#[tokio::test]
async fn a_new_store_refuses_to_change_or_remove_an_audit_entry() {
    let (_dir, url, _) = empty_store().await;
    let db = Db::connect(&url).await.unwrap();
    db.audit(openmoney_proxy::db::NewAudit::new("ada", AuditAction::Login)).await.unwrap();
    let pool = AnyPool::connect(&url).await.unwrap();
    let update = pool.execute("UPDATE audit SET actor = 'mallory'").await;
    let delete = pool.execute("DELETE FROM audit").await;
    pool.close().await;
    // SQLite's triggers abort the statement; PostgreSQL's rules turn it into nothing.
    assert!(update.map_or(true, |done| done.rows_affected() == 0));
    assert!(delete.map_or(true, |done| done.rows_affected() == 0));
    let (entries, total) = db.audit_page(&AuditFilter::default(), 10, 0).await.unwrap();
    assert_eq!((total, entries[0].actor.as_str()), (1, "ada"));
}

#[tokio::test]
async fn a_store_from_before_the_audit_kept_quotes_gains_the_column_and_keeps_its_rows() {
    use sqlx::Executor;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    sqlx::any::install_default_drivers();
    let old = sqlx::AnyPool::connect(&url).await.unwrap();
    old.execute(
        "CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at BIGINT NOT NULL, actor TEXT NOT NULL,
         action TEXT NOT NULL, outcome TEXT NOT NULL, order_id BIGINT, idempotency_key TEXT,
         summary TEXT NOT NULL, client_addr TEXT)",
    )
    .await
    .unwrap();
    old.execute(
        "INSERT INTO audit (at, actor, action, outcome, summary) VALUES (1, 'otto', 'order.create', 'ok', 'old')",
    )
    .await
    .unwrap();
    old.close().await;

    let db = openmoney_proxy::db::Db::connect(&url).await.expect("an old store opens");
    let quote = openmoney_api::console::Quote::from_header("price_ton=0.418; ton_usd_rate=3.6").unwrap();
    db.audit(openmoney_proxy::db::NewAudit {
        actor: "otto".into(),
        action: openmoney_api::AuditAction::OrderCreate,
        outcome: "ok".into(),
        order_id: Some(7),
        idempotency_key: None,
        summary: "new".into(),
        client_addr: None,
        quote: Some(quote),
    })
    .await
    .unwrap();
    let (rows, total) = db.audit_page(&Default::default(), 10, 0).await.unwrap();
    assert_eq!(total, 2);
    assert_eq!((rows[0].summary.as_str(), rows[0].quote), ("new", Some(quote)));
    assert_eq!((rows[1].summary.as_str(), rows[1].quote), ("old", None));
}
