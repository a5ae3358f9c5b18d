//! Keeps the shared target directory from filling the disk. Every change to a test crate
//! links a new test binary of a few hundred MB beside the old ones, and incremental caches
//! pile up the same way: left alone they reach tens of GB, and a build then fails with "No
//! space left on device". Before a test run, the older copies of each executable in
//! `debug/deps` go, and incremental caches unused for a week. Two copies of each name stay:
//! a crate's library tests and its binary's tests share one (`openmoney_proxy-…`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How many executables of one name stay.
const KEPT: usize = 2;

const UNUSED_FOR: Duration = Duration::from_secs(7 * 24 * 3600);

/// `proxy-4b5101ba55bbd4a9` → `proxy`: the name cargo gives a test or binary in `deps`.
fn stem(name: &str) -> Option<&str> {
    let (stem, hash) = name.rsplit_once('-')?;
    (hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH)
}

/// The executables in `deps` that two newer ones of the same name have replaced.
fn replaced(deps: &Path) -> Vec<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let mut newest: HashMap<String, Vec<(SystemTime, PathBuf)>> = HashMap::new();
    for entry in std::fs::read_dir(deps).into_iter().flatten().flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        let executable = entry.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
        if let (Some(stem), true, false) = (stem(name), executable, name.contains('.')) {
            newest.entry(stem.to_owned()).or_default().push((modified(&path), path));
        }
    }
    let mut old = Vec::new();
    for mut copies in newest.into_values() {
        copies.sort();
        copies.truncate(copies.len().saturating_sub(KEPT));
        old.extend(copies.into_iter().map(|(_, path)| path));
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
    let unused = std::fs::read_dir(debug.join("incremental"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| now.duration_since(modified(p)).is_ok_and(|age| age > UNUSED_FOR));
    let mut freed = 0;
    for path in replaced(&debug.join("deps")).into_iter().chain(unused.collect::<Vec<_>>()) {
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

    fn file(dir: &Path, name: &str, executable: bool, age_secs: u64) {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(name);
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(SystemTime::now() - Duration::from_secs(age_secs)).unwrap();
        let mode = if executable { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn only_the_older_copies_of_an_executable_go() {
        let dir = std::env::temp_dir().join(format!("xtask-prune-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        file(&dir, "proxy-000000000000000a", true, 600);
        file(&dir, "proxy-00000000000000aa", true, 300);
        file(&dir, "proxy-00000000000000bb", true, 10);
        file(&dir, "openmoney_proxy-0000000000000001", true, 900);
        file(&dir, "openmoney_proxy-0000000000000002", true, 900);
        file(&dir, "browser-00000000000000cc", true, 900);
        file(&dir, "libserde-00000000000000dd.rlib", false, 900);
        file(&dir, "libserde-00000000000000ee.rlib", false, 10);
        file(&dir, "build_script_build-00000000000000ff", true, 10);
        let mut old = replaced(&dir);
        old.sort();
        assert_eq!(old, [dir.join("proxy-000000000000000a")], "the two newest of each name stay");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn names_without_a_cargo_hash_are_not_taken() {
        assert_eq!(stem("proxy-4b5101ba55bbd4a9"), Some("proxy"));
        assert_eq!(stem("openmoney-proxy"), None);
        assert_eq!(stem("proxy-4b5101ba55bbd4a9.d"), None);
    }
}
