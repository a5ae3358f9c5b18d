//! After a console build: precompressed copies of the assets (br and gzip, which the proxy
//! serves when the browser accepts them) and a table of the payload sizes.

use std::io::Write;
use std::path::Path;

use crate::Result;

fn brotli(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(bytes).map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut writer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    writer.write_all(bytes).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())
}

/// Writes `name.br` and `name.gz` beside `path`; its raw, gzip and brotli sizes.
fn precompress(path: &Path) -> Result<(usize, usize, usize)> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let (br, gz) = (brotli(&bytes)?, gzip(&bytes)?);
    std::fs::write(format!("{}.br", path.display()), &br).map_err(|e| e.to_string())?;
    std::fs::write(format!("{}.gz", path.display()), &gz).map_err(|e| e.to_string())?;
    Ok((bytes.len(), gz.len(), br.len()))
}

/// The files in `dir` whose names end in one of `kinds`, with that ending.
fn files(dir: &Path, kinds: &[&str]) -> Result<Vec<(String, std::path::PathBuf)>> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let kind = |path: &Path| path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_owned();
    Ok(entries
        .flatten()
        .map(|e| e.path())
        .map(|p| (kind(&p), p))
        .filter(|(k, _)| kinds.contains(&k.as_str()))
        .collect())
}

/// Writes `name.br` and `name.gz` beside each wasm, js and css file and each language file,
/// and prints the sizes: the payload every reader loads, then each language fetched only by
/// those who read it.
pub fn compress(dist: &Path) -> Result {
    let mut rows = Vec::new();
    for (kind, path) in files(dist, &["wasm", "js", "css"])? {
        let (raw, gz, br) = precompress(&path)?;
        rows.push((kind, raw, gz, br));
    }
    rows.sort();
    let total = |f: fn(&(String, usize, usize, usize)) -> usize| rows.iter().map(f).sum::<usize>();
    eprintln!("xtask: console payload (bytes)\n  {:6} {:>9} {:>9} {:>9}", "asset", "raw", "gzip", "brotli");
    for (kind, raw, gz, br) in &rows {
        eprintln!("  {kind:6} {raw:>9} {gz:>9} {br:>9}");
    }
    eprintln!("  {:6} {:>9} {:>9} {:>9}", "total", total(|r| r.1), total(|r| r.2), total(|r| r.3));
    let mut languages = files(&dist.join("locales"), &["json"])?;
    languages.sort();
    for (_, path) in languages {
        let (raw, gz, br) = precompress(&path)?;
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        if name == "en" {
            continue; // built into the wasm
        }
        eprintln!("  {name:6} {raw:>9} {gz:>9} {br:>9}  (fetched by readers of this language)");
    }
    Ok(())
}
