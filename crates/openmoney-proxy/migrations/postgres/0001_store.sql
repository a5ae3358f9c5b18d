-- The store as the first release made it. Every statement is IF NOT EXISTS (or OR REPLACE), so a
-- store that release created before migrations were versioned is adopted as it is, rows and all.

CREATE TABLE IF NOT EXISTS users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_id);

-- Browsers that have signed in before: the hash of their device cookie.
CREATE TABLE IF NOT EXISTS devices (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS devices_by_time ON devices (created_at);

CREATE TABLE IF NOT EXISTS audit (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    order_id BIGINT,
    idempotency_key TEXT,
    summary TEXT NOT NULL,
    client_addr TEXT,
    quote TEXT
);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at);
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit (actor, at);
CREATE INDEX IF NOT EXISTS audit_by_action ON audit (action, at);
CREATE INDEX IF NOT EXISTS audit_by_order ON audit (order_id);
CREATE INDEX IF NOT EXISTS audit_by_actor_action ON audit (actor, action, at);

-- Changes sent upstream and not yet audited: see Db::journal_change.
CREATE TABLE IF NOT EXISTS pending_changes (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    order_id BIGINT,
    idempotency_key TEXT,
    summary TEXT NOT NULL,
    client_addr TEXT,
    quote TEXT
);

-- Buyers' payment pages: the token's hash only.
CREATE TABLE IF NOT EXISTS payment_links (
    token_hash TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    order_id BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX IF NOT EXISTS payment_links_by_order ON payment_links (order_id);

-- The audit is append-only: the database itself ignores a change or a removal of a row.
CREATE OR REPLACE RULE audit_no_update AS ON UPDATE TO audit DO INSTEAD NOTHING;
CREATE OR REPLACE RULE audit_no_delete AS ON DELETE TO audit DO INSTEAD NOTHING;
