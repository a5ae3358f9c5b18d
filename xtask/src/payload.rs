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

/// Writes `name.br` and `name.gz` beside each wasm, js and css file, and prints the sizes.
pub fn compress(dist: &Path) -> Result {
    let mut rows = Vec::new();
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let kind = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_owned();
        if !matches!(kind.as_str(), "wasm" | "js" | "css") {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
        let (br, gz) = (brotli(&bytes)?, gzip(&bytes)?);
        std::fs::write(format!("{}.br", path.display()), &br).map_err(|e| e.to_string())?;
        std::fs::write(format!("{}.gz", path.display()), &gz).map_err(|e| e.to_string())?;
        rows.push((kind, bytes.len(), gz.len(), br.len()));
    }
    rows.sort();
    let total = |f: fn(&(String, usize, usize, usize)) -> usize| rows.iter().map(f).sum::<usize>();
    eprintln!("xtask: console payload (bytes)\n  {:6} {:>9} {:>9} {:>9}", "asset", "raw", "gzip", "brotli");
    for (kind, raw, gz, br) in &rows {
        eprintln!("  {kind:6} {raw:>9} {gz:>9} {br:>9}");
    }
    eprintln!("  {:6} {:>9} {:>9} {:>9}", "total", total(|r| r.1), total(|r| r.2), total(|r| r.3));
    Ok(())
}
