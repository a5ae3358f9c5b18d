//! Files the proxy reads again while it runs: the API key (`--api-key-file`) and the TLS
//! certificate and key. Each is read again on `SIGHUP`, and when it changes on disk: every
//! two seconds the proxy compares each file's size, modification time and inode, so a file
//! rewritten in place and one renamed into place (as certbot and editors do) both count.
//!
//! A file that cannot be read or is malformed leaves what is in use in place. The error is
//! logged, never with the file's content, and `/readyz` shows it until a read succeeds.

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};

/// How often the files are looked at.
pub const LOOK_EVERY: Duration = Duration::from_secs(2);

type Load = Box<dyn Fn() -> Result<(), String> + Send + Sync>;

/// One setting read from files.
struct Watched {
    /// Its name in the log and in `/readyz`.
    what: &'static str,
    paths: Vec<PathBuf>,
    load: Load,
    state: Mutex<State>,
}

struct State {
    seen: Vec<Option<Stamp>>,
    /// When it was last read successfully, in Unix milliseconds.
    loaded_at: i64,
    /// Why the last read failed, until one succeeds.
    error: Option<String>,
}

/// What tells a file's versions apart without reading it.
#[derive(PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: i64,
    modified_nanos: i64,
    inode: u64,
}

fn stamps(paths: &[PathBuf]) -> Vec<Option<Stamp>> {
    paths
        .iter()
        .map(|path| {
            let meta = std::fs::metadata(path).ok()?;
            Some(Stamp {
                len: meta.len(),
                modified: meta.mtime(),
                modified_nanos: meta.mtime_nsec(),
                inode: meta.ino(),
            })
        })
        .collect()
}

/// Every file-backed setting of this run.
#[derive(Default)]
pub struct Reloads {
    watched: Vec<Watched>,
}

impl Reloads {
    /// Watches `paths`, already read once, and calls `load` to read them again.
    pub fn add(
        &mut self,
        what: &'static str,
        paths: Vec<PathBuf>,
        load: impl Fn() -> Result<(), String> + Send + Sync + 'static,
    ) {
        let state = State { seen: stamps(&paths), loaded_at: crate::db::now_millis(), error: None };
        self.watched.push(Watched { what, paths, load: Box::new(load), state: Mutex::new(state) });
    }

    /// Reads again what changed, or everything when `forced` (a SIGHUP).
    pub fn check(&self, forced: bool) {
        for watched in &self.watched {
            let stamps = stamps(&watched.paths);
            let mut state = watched.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if !forced && state.seen == stamps {
                continue;
            }
            state.seen = stamps;
            match (watched.load)() {
                Ok(()) => {
                    state.loaded_at = crate::db::now_millis();
                    state.error = None;
                    tracing::info!(what = watched.what, "read again");
                }
                Err(error) => {
                    tracing::error!(what = watched.what, %error, "cannot read it again; the one in use stays");
                    state.error = Some(error);
                }
            }
        }
    }

    /// Each setting's last read and error, for `/readyz`.
    pub fn status(&self) -> Value {
        let mut status = serde_json::Map::new();
        for watched in &self.watched {
            let state = watched.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            status.insert(watched.what.to_owned(), json!({"loaded_at": state.loaded_at, "error": state.error}));
        }
        Value::Object(status)
    }

    /// Reads files again on SIGHUP and when they change, for as long as the proxy runs.
    pub async fn watch(self: std::sync::Arc<Self>) {
        if self.watched.is_empty() {
            return;
        }
        let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            .map_err(|err| tracing::warn!(%err, "no SIGHUP handler: files are read again when they change only"))
            .ok();
        let mut tick = tokio::time::interval(LOOK_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let forced = tokio::select! {
                _ = tick.tick() => false,
                Some(()) = async { hangup.as_mut()?.recv().await } => true,
            };
            // Reading files blocks; keep it off the runtime's threads.
            let reloads = self.clone();
            let _ = tokio::task::spawn_blocking(move || reloads.check(forced)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;

    #[test]
    fn a_change_is_read_again_and_a_sighup_reads_even_what_looks_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("api-key");
        std::fs::write(&file, "first").unwrap();
        let reads = Arc::new(AtomicUsize::new(0));
        let mut reloads = Reloads::default();
        let counted = reads.clone();
        let path = file.clone();
        reloads.add("api_key", vec![file.clone()], move || {
            counted.fetch_add(1, Ordering::SeqCst);
            match std::fs::read_to_string(&path).unwrap().as_str() {
                "broken" => Err("not a key".into()),
                _ => Ok(()),
            }
        });
        reloads.check(false);
        assert_eq!(reads.load(Ordering::SeqCst), 0, "nothing changed");

        // Rewritten in place with the same size and time: only a SIGHUP reads it.
        let modified = std::fs::metadata(&file).unwrap().modified().unwrap();
        std::fs::write(&file, "secnd").unwrap();
        std::fs::File::options().write(true).open(&file).unwrap().set_modified(modified).unwrap();
        reloads.check(false);
        assert_eq!(reads.load(Ordering::SeqCst), 0);
        reloads.check(true);
        assert_eq!(reads.load(Ordering::SeqCst), 1);

        // A longer file is a change; a failed read is shown until a read succeeds.
        std::fs::write(&file, "broken").unwrap();
        reloads.check(false);
        assert_eq!(reads.load(Ordering::SeqCst), 2);
        assert_eq!(reloads.status()["api_key"]["error"], "not a key");
        std::fs::write(&file, "third key").unwrap();
        reloads.check(false);
        assert!(reloads.status()["api_key"]["error"].is_null());
    }
}
