//! Rebuilds the proxy when a migration is added or edited: `sqlx::migrate!` embeds the
//! files at compile time, and stable Rust cannot tell cargo to watch them from the macro.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
