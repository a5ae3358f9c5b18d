//! The console's wasm and its JavaScript glue made smaller, after trunk's build.
//!
//! - wasm-bindgen names each import `__wbg_<method>_<16 hex digits>` and each closure
//!   export `…_invoke__h<16 hex digits>`. The console has about 220 of them, each written
//!   in both files, and brotli cannot shrink hex digits. Each becomes `$a`, `$b`, … in the
//!   wasm's import and export sections and, as a whole identifier, in the glue.
//! - Custom sections (producers, target features), which browsers never read, are dropped.
//! - terser minifies the glue (its exports keep their names).
//! - index.html's integrity hashes of both files are made again.
//!
//! A second run finds no name to change.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;
use sha2::{Digest, Sha384};

use crate::Result;

/// A wasm-bindgen name that carries a hash: `…_0123456789abcdef` or `…__h0123456789abcdef…`.
fn hashed(name: &str) -> bool {
    let hex16 = |s: &str| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    let tail = name.rsplit_once('_').is_some_and(|(_, t)| hex16(t));
    let closure = name.match_indices("__h").any(|(i, _)| name.get(i + 3..i + 19).is_some_and(hex16));
    tail || closure
}

/// The `n`th short name: `$a` … `$Z`, then `$ba` ….
fn short(mut n: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = Vec::new();
    loop {
        name.push(ALPHABET[n % ALPHABET.len()]);
        n /= ALPHABET.len();
        if n == 0 {
            break;
        }
    }
    name.push(b'$');
    name.reverse();
    String::from_utf8(name).expect("ASCII")
}

fn read_leb(bytes: &[u8], at: &mut usize) -> Result<u32> {
    let (mut value, mut shift) = (0u32, 0);
    loop {
        let byte = *bytes.get(*at).ok_or("wasm: truncated number")?;
        *at += 1;
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
        shift += 7;
        if shift > 28 {
            return Err("wasm: number too long".into());
        }
    }
}

fn write_leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Copies the LEB128 number at `at` as it is written.
fn copy_leb(bytes: &[u8], at: &mut usize, out: &mut Vec<u8>) -> Result {
    let start = *at;
    read_leb(bytes, at)?;
    out.extend_from_slice(&bytes[start..*at]);
    Ok(())
}

/// Copies a table's or a memory's limits: a flag, a minimum, and a maximum when flagged.
fn copy_limits(bytes: &[u8], at: &mut usize, out: &mut Vec<u8>) -> Result {
    let flags = *bytes.get(*at).ok_or("wasm: truncated limits")?;
    out.push(flags);
    *at += 1;
    copy_leb(bytes, at, out)?;
    if flags & 1 == 1 {
        copy_leb(bytes, at, out)?;
    }
    Ok(())
}

/// Reads a name, and writes it back renamed when it carries a hash.
fn rename(bytes: &[u8], at: &mut usize, out: &mut Vec<u8>, names: &mut HashMap<String, String>) -> Result {
    let len = read_leb(bytes, at)? as usize;
    let name = bytes.get(*at..*at + len).ok_or("wasm: truncated name")?;
    *at += len;
    let name = std::str::from_utf8(name).map_err(|_| "wasm: a name is not UTF-8")?;
    let written = if hashed(name) {
        let next = short(names.len());
        names.entry(name.to_owned()).or_insert(next).clone()
    } else {
        name.to_owned()
    };
    write_leb(out, written.len() as u32);
    out.extend_from_slice(written.as_bytes());
    Ok(())
}

/// The import (2) or export (7) section's body with hashed names made short.
fn section(id: u8, body: &[u8], names: &mut HashMap<String, String>) -> Result<Vec<u8>> {
    let mut at = 0;
    let mut out = Vec::with_capacity(body.len());
    let count = read_leb(body, &mut at)?;
    write_leb(&mut out, count);
    for _ in 0..count {
        if id == 2 {
            let module_len = read_leb(body, &mut at)? as usize;
            write_leb(&mut out, module_len as u32);
            out.extend_from_slice(body.get(at..at + module_len).ok_or("wasm: truncated module name")?);
            at += module_len;
        }
        rename(body, &mut at, &mut out, names)?;
        let kind = *body.get(at).ok_or("wasm: truncated entry")?;
        out.push(kind);
        at += 1;
        match (id, kind) {
            (7, _) | (2, 0) => copy_leb(body, &mut at, &mut out)?, // an index, or a function's type
            (2, 1) => {
                out.push(*body.get(at).ok_or("wasm: truncated table")?); // its element type
                at += 1;
                copy_limits(body, &mut at, &mut out)?;
            }
            (2, 2) => copy_limits(body, &mut at, &mut out)?,
            (2, 3) => {
                out.extend_from_slice(body.get(at..at + 2).ok_or("wasm: truncated global")?);
                at += 2;
            }
            _ => return Err(format!("wasm: an import of kind {kind}")),
        }
    }
    if at != body.len() {
        return Err("wasm: a section longer than its entries".into());
    }
    Ok(out)
}

/// The module with short names, and the names it changed (old to new).
fn shorten_module(wasm: &[u8]) -> Result<(Vec<u8>, HashMap<String, String>)> {
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0".as_slice()) {
        return Err("not a wasm module".into());
    }
    let mut names = HashMap::new();
    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let len = read_leb(wasm, &mut at)? as usize;
        let body = wasm.get(at..at + len).ok_or("wasm: truncated section")?;
        at += len;
        let body = match id {
            0 => continue, // custom sections: tools' notes that browsers never read
            2 | 7 => section(id, body, &mut names)?,
            _ => body.to_vec(),
        };
        out.push(id);
        write_leb(&mut out, body.len() as u32);
        out.extend_from_slice(&body);
    }
    Ok((out, names))
}

/// `js` with every identifier found in `names` replaced; fails when one is never found.
fn rename_identifiers(js: &str, names: &HashMap<String, String>) -> Result<String> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(js.len());
    let mut found = std::collections::HashSet::new();
    let mut rest = js;
    while let Some(start) = rest.find(is_ident) {
        out.push_str(&rest[..start]);
        let word = &rest[start..];
        let end = word.find(|c: char| !is_ident(c)).unwrap_or(word.len());
        let word = &word[..end];
        match names.get(word) {
            Some(short) => {
                out.push_str(short);
                found.insert(word);
            }
            None => out.push_str(word),
        }
        rest = &rest[start + end..];
    }
    out.push_str(rest);
    if let Some(missing) = names.keys().find(|name| !found.contains(name.as_str())) {
        return Err(format!("the glue never names {missing}: it does not belong to this wasm"));
    }
    Ok(out)
}

fn integrity(bytes: &[u8]) -> String {
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes)))
}

/// `html` with the integrity hash of the tag that links `file` made for `bytes`.
fn relink(html: &str, file: &str, bytes: &[u8]) -> Result<String> {
    let link = format!("href=\"/{file}\"");
    let tag = html.find(&link).ok_or(format!("index.html does not link {file}"))?;
    let attr = "integrity=\"";
    let from = tag + html[tag..].find(attr).ok_or(format!("index.html links {file} without integrity"))? + attr.len();
    let to = from + html[from..].find('"').ok_or("index.html: an unclosed integrity")?;
    Ok(format!("{}{}{}", &html[..from], integrity(bytes), &html[to..]))
}

/// Shortens the names between `dist/*_bg.wasm` and its glue, minifies the glue with
/// `terser`, and fixes index.html.
pub fn shorten(dist: &Path, terser: &Path) -> Result {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()));
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let wasm_file = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .find(|name| name.ends_with("_bg.wasm"))
        .ok_or("dist/ has no wasm")?;
    let js_file = format!("{}.js", wasm_file.trim_end_matches("_bg.wasm"));
    let (wasm, names) = shorten_module(&read(&dist.join(&wasm_file))?)?;
    let js = String::from_utf8(read(&dist.join(&js_file))?).map_err(|_| "the glue is not UTF-8")?;
    let js = rename_identifiers(&js, &names)?;
    let write = |name: &str, bytes: &[u8]| std::fs::write(dist.join(name), bytes).map_err(|e| format!("{name}: {e}"));
    write(&wasm_file, &wasm)?;
    write(&js_file, js.as_bytes())?;
    let glue = dist.join(&js_file);
    crate::step(
        "terser (the console's JavaScript glue)",
        std::process::Command::new(terser)
            .arg(&glue)
            .args(["--module", "--compress", "--mangle", "--output"])
            .arg(&glue),
    )?;
    let html = String::from_utf8(read(&dist.join("index.html"))?).map_err(|_| "index.html is not UTF-8")?;
    let html = relink(&relink(&html, &js_file, &read(&glue)?)?, &wasm_file, &wasm)?;
    write("index.html", html.as_bytes())?;
    eprintln!("xtask: {} wasm-bindgen names made short in {wasm_file} and {js_file}", names.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module importing `wbg.__wbg_log_0123456789abcdef` (a function), `wbg.memory` and a
    /// table, and exporting `run__h00112233445566778` and `main`, with a custom section.
    fn module() -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([1, 4, 1, 0x60, 0, 0]); // types: one () -> ()
        let mut imports = vec![3];
        for (field, desc) in
            [("__wbg_log_0123456789abcdef", vec![0u8, 0]), ("memory", vec![2, 1, 1, 2]), ("table", vec![1, 0x6f, 0, 4])]
        {
            imports.extend([3, b'w', b'b', b'g', field.len() as u8]);
            imports.extend(field.as_bytes());
            imports.extend(desc);
        }
        m.push(2);
        m.push(imports.len() as u8);
        m.extend(imports);
        m.extend([3, 2, 1, 0]); // one function of type 0
        let mut exports = vec![2];
        for (name, index) in [("run__h00112233445566778", 1u8), ("main", 1)] {
            exports.push(name.len() as u8);
            exports.extend(name.as_bytes());
            exports.extend([0, index]);
        }
        m.push(7);
        m.push(exports.len() as u8);
        m.extend(exports);
        m.extend([10, 4, 1, 2, 0, 0x0b]); // the function's body
        m.extend([0, 5, 4, b'n', b'o', b't', b'e']); // a custom section
        m
    }

    #[test]
    fn hashed_names_become_short_and_the_rest_stays() {
        let (out, names) = shorten_module(&module()).unwrap();
        assert_eq!(names.len(), 2, "{names:?}");
        assert_eq!(names["__wbg_log_0123456789abcdef"], "$a");
        assert_eq!(names["run__h00112233445566778"], "$b");
        let text = String::from_utf8_lossy(&out);
        for kept in ["memory", "table", "main", "wbg"] {
            assert!(text.contains(kept), "{kept} is kept");
        }
        assert!(!text.contains("0123456789abcdef") && !text.contains("note"), "{text}");
        let (again, none) = shorten_module(&out).unwrap();
        assert!(none.is_empty() && again == out, "a second run changes nothing");
    }

    #[test]
    fn the_glue_is_renamed_by_whole_identifiers_only() {
        let names = HashMap::from([("__wbg_log_0123456789abcdef".to_owned(), "$a".to_owned())]);
        let js =
            "imports.wbg.__wbg_log_0123456789abcdef = f; x.__wbg_log_0123456789abcdefg; \"__wbg_log_0123456789abcdef\"";
        assert_eq!(
            rename_identifiers(js, &names).unwrap(),
            "imports.wbg.$a = f; x.__wbg_log_0123456789abcdefg; \"$a\""
        );
        assert!(rename_identifiers("nothing here", &names).is_err(), "a glue of another build is refused");
    }

    #[test]
    fn names_are_short_and_distinct() {
        let all: std::collections::HashSet<String> = (0..3000).map(short).collect();
        assert_eq!(all.len(), 3000);
        assert_eq!((short(0), short(51), short(52)), ("$a".to_owned(), "$Z".to_owned(), "$ba".to_owned()));
        assert!(hashed("__wbg_appendChild_7465eba84213c75f"));
        assert!(hashed("wasm_bindgen__convert__closures_____invoke__h6e482ca20b741eb4"));
        assert!(!hashed("__wbindgen_malloc") && !hashed("memory") && !hashed("x_0123456789ABCDEF"));
    }

    #[test]
    fn the_integrity_of_the_linked_file_is_made_again() {
        let html = "<link href=\"/a.js\" integrity=\"sha384-old\"><link href=\"/b.wasm\" integrity=\"sha384-keep\">";
        let out = relink(html, "a.js", b"abc").unwrap();
        assert!(out.contains(&format!("href=\"/a.js\" integrity=\"{}\"", integrity(b"abc"))), "{out}");
        assert!(out.contains("sha384-keep"));
        assert!(relink(html, "c.js", b"").is_err());
    }
}
