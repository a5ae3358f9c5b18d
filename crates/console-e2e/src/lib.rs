//! Openmoney Console in a real browser: the harness that starts the proxy (with the
//! embedded sandbox) on port 0, a real SQLite store, chromedriver and headless Chromium.
//! The browser tests in `tests/browser` and the browser benchmarks use it. Both need the
//! built console (`dist/`, made by `cargo xtask test` or `cargo xtask dist`).

pub mod harness;
