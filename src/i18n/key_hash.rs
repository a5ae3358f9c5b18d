//! The hash of a language file's key list. `build.rs` compiles in the hash of English's keys,
//! and a language file fetched later is refused unless its keys hash the same.

/// FNV-1a over each key path, sorted, and a newline after each.
pub fn key_hash<'a>(paths: impl Iterator<Item = &'a str>) -> u64 {
    paths.fold(0xcbf2_9ce4_8422_2325, |hash, path| {
        path.bytes().chain([b'\n']).fold(hash, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
    })
}
