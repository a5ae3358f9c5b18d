//! The console's payload as the browser gets it: raw, gzip and brotli sizes of the wasm,
//! js and css in dist/ (the compressed copies are made by `cargo xtask dist`), and each
//! language file that only its readers fetch.

use std::path::Path;

use crate::report::{Report, Target};

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

pub fn run(dist: &Path, report: &mut Report) {
    let mut totals = [0u64; 3];
    let mut rows = Vec::new();
    for entry in std::fs::read_dir(dist).unwrap_or_else(|e| panic!("{}: {e}", dist.display())).flatten() {
        let path = entry.path();
        let kind = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_owned();
        if !matches!(kind.as_str(), "wasm" | "js" | "css") {
            continue;
        }
        let sizes = [
            size(&path),
            size(&path.with_extension(format!("{kind}.gz"))),
            size(&path.with_extension(format!("{kind}.br"))),
        ];
        assert!(sizes[2] > 0, "{} has no .br copy: build with `cargo xtask dist`", path.display());
        for (total, s) in totals.iter_mut().zip(sizes) {
            *total += s;
        }
        rows.push((kind, sizes));
    }
    rows.sort();
    let kb = |b: u64| format!("{:.1} KB", b as f64 / 1000.0);
    for (kind, [raw, gz, br]) in rows {
        report.add(
            "payload",
            format!("{kind}: raw, gzip, brotli"),
            format!("{}, {}, {}", kb(raw), kb(gz), kb(br)),
            None,
        );
    }
    let [raw, gz, br] = totals;
    report.add(
        "payload",
        "total: raw, gzip, brotli",
        format!("{}, {}, {}", kb(raw), kb(gz), kb(br)),
        Target::at_most(br as f64, 300_000.0, "≤ 300 KB brotli (moonshot 200 KB)"),
    );
    for lang in ["es", "hi"] {
        let path = dist.join("locales").join(format!("{lang}.json"));
        let sizes = (size(&path), size(&path.with_extension("json.br")));
        report.add(
            "payload",
            format!("{lang}.json, fetched by its readers: raw, brotli"),
            format!("{}, {}", kb(sizes.0), kb(sizes.1)),
            None,
        );
    }
}
