//! Keeps the shared target directory from filling the disk. A test binary is a few hundred
//! MB, and cargo links a new one beside the old whenever its hash changes (a dependency
//! bumped, another checkout path, other features); incremental caches pile up the same way.
//! Left alone they reached 66 GB here and a build failed with "No space left on device".
//! Before a test run, the copies of an executable in `debug/deps` that a newer one of the
//! same name has replaced go once they have not been touched for a week, and so do
//! incremental caches. A week spares the sets that are in use, such as a checkout's and
//! CI's clone's, which would otherwise rebuild each other's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const UNUSED_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

/// `proxy-4b5101ba55bbd4a9` → `proxy`: the name cargo gives a test or binary in `deps`.
fn stem(name: &str) -> Option<&str> {
    let (stem, hash) = name.rsplit_once('-')?;
    (hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH)
}

fn unused(path: &Path, now: SystemTime) -> bool {
    now.duration_since(modified(path)).is_ok_and(|age| age > UNUSED_FOR)
}

/// The executables in `deps` untouched for a week that a newer one of the same name has
/// replaced. A binary that cargo also linked into the profile's folder
/// (`debug/openmoney-proxy`) has a second name and is in use: it stays.
fn replaced(deps: &Path, now: SystemTime) -> Vec<PathBuf> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mut by_name: HashMap<String, Vec<(SystemTime, PathBuf)>> = HashMap::new();
    for entry in std::fs::read_dir(deps).into_iter().flatten().flatten() {
        let path = entry.path();
        let Some(stem) = path.file_name().and_then(|n| n.to_str()).and_then(stem) else { continue };
        let executable =
            entry.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0 && m.nlink() == 1);
        if executable {
            by_name.entry(stem.to_owned()).or_default().push((modified(&path), path));
        }
    }
    let mut old = Vec::new();
    for mut copies in by_name.into_values() {
        copies.sort();
        copies.pop();
        old.extend(copies.into_iter().map(|(_, path)| path).filter(|path| unused(path, now)));
    }
    old
}

fn size(path: &Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| size(&e.path())).sum()
    } else {
        std::fs::symlink_metadata(path).map(|m| m.len()).unwrap_or(0)
    }
}

/// Removes what [`replaced`] finds and the incremental caches unused for a week, under
/// `target/debug`; says how much it freed.
pub fn prune(target: &Path) {
    let debug = target.join("debug");
    let now = SystemTime::now();
    let caches = std::fs::read_dir(debug.join("incremental")).into_iter().flatten().flatten().map(|e| e.path());
    let caches: Vec<PathBuf> = caches.filter(|path| unused(path, now)).collect();
    let mut freed = 0;
    for path in replaced(&debug.join("deps"), now).into_iter().chain(caches) {
        let bytes = size(&path);
        let gone = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        if gone.is_ok() {
            freed += bytes;
        }
    }
    if freed > 0 {
        eprintln!("xtask: freed {:.1} GB of old test binaries and caches in {}", freed as f64 / 1e9, debug.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 24 * 3600;

    fn file(dir: &Path, name: &str, executable: bool, days_old: u64) {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(name);
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(days_old * DAY)).unwrap();
        let mode = if executable { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn only_old_copies_that_a_newer_one_replaced_go() {
        let dir = std::env::temp_dir().join(format!("xtask-prune-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        file(&dir, "proxy-000000000000000a", true, 30);
        file(&dir, "proxy-00000000000000aa", true, 3);
        file(&dir, "proxy-00000000000000bb", true, 0);
        file(&dir, "browser-00000000000000cc", true, 30);
        file(&dir, "libproxy-00000000000000dd.rlib", false, 30);
        file(&dir, "libproxy-00000000000000ee.rlib", false, 0);
        // A binary in use: also linked as `openmoney-proxy` beside `deps`.
        file(&dir, "openmoney_proxy-0000000000000001", true, 30);
        file(&dir, "openmoney_proxy-0000000000000002", true, 0);
        std::fs::hard_link(dir.join("openmoney_proxy-0000000000000001"), dir.join("openmoney-proxy")).unwrap();
        let old = replaced(&dir, SystemTime::now());
        assert_eq!(old, [dir.join("proxy-000000000000000a")], "a copy used this week stays, as does a lone one");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn names_without_a_cargo_hash_are_not_taken() {
        assert_eq!(stem("proxy-4b5101ba55bbd4a9"), Some("proxy"));
        assert_eq!(stem("openmoney-proxy"), None);
        assert_eq!(stem("proxy-4b5101ba55bbd4a9.d"), None);
    }
}
