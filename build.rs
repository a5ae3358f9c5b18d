//! Compiles the console's English texts in from `locales/en.json`: one array of texts in the
//! order of their sorted key paths, a `Key` constant for each path (so a misspelt key is a
//! compile error), and a hash of the key list. The other languages are fetched when they are
//! picked (`src/i18n.rs`), and a file whose key list hashes differently is refused. The test
//! `i18n::tests::every_language_has_every_key` keeps the three files in step.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

#[path = "src/i18n/key_hash.rs"]
mod key_hash;

use key_hash::key_hash;

/// Rust's keywords, which cannot name a key.
const RESERVED: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for", "if", "impl", "in",
    "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
    "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn", "abstract", "become", "box", "do",
    "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

fn flatten(value: &serde_json::Value, prefix: &str, out: &mut BTreeMap<String, String>) -> Result<(), String> {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                // Each part of a path becomes a Rust name (`keys::order::title`).
                let mut chars = key.chars();
                let named = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
                    && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                if !named || RESERVED.contains(&key.as_str()) {
                    return Err(format!(
                        "locales/en.json: `{path}`: each part must be a lowercase name and no Rust keyword"
                    ));
                }
                flatten(inner, &path, out)?;
            }
            Ok(())
        }
        serde_json::Value::String(text) => {
            out.insert(prefix.to_owned(), text.clone());
            Ok(())
        }
        other => Err(format!("locales/en.json: {prefix} is {other}, not a text")),
    }
}

/// The `Key` constants as nested modules, one per path segment.
fn modules(paths: &[&str]) -> String {
    #[derive(Default)]
    struct Node(BTreeMap<String, Node>, Option<usize>);
    let mut root = Node::default();
    for (index, path) in paths.iter().enumerate() {
        let node = path.split('.').fold(&mut root, |node, part| node.0.entry(part.to_owned()).or_default());
        node.1 = Some(index);
    }
    fn emit(node: &Node, out: &mut String) {
        for (name, child) in &node.0 {
            match child.1 {
                Some(index) => {
                    writeln!(out, "pub const {name}: crate::i18n::Key = crate::i18n::Key({index});").unwrap()
                }
                None => {
                    if name == "pay" {
                        // The buyer's page is drawn by the proxy; the console shows only a few of its texts.
                        out.push_str("#[allow(dead_code)]\n");
                    }
                    writeln!(out, "pub mod {name} {{").unwrap();
                    emit(child, out);
                    out.push_str("}\n");
                }
            }
        }
    }
    let mut out = String::new();
    emit(&root, &mut out);
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=locales/en.json");
    println!("cargo::rerun-if-changed=src/i18n/key_hash.rs");
    let en: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("locales/en.json")?)?;
    let mut texts = BTreeMap::new();
    flatten(&en, "", &mut texts)?;
    let paths: Vec<&str> = texts.keys().map(String::as_str).collect();
    let mut out = String::new();
    writeln!(out, "/// The hash of the key list that a language file must match.")?;
    writeln!(out, "pub const KEY_HASH: u64 = {};", key_hash(paths.iter().copied()))?;
    writeln!(out, "/// The English texts, by key.")?;
    writeln!(out, "pub static ENGLISH: [&str; {}] = [", texts.len())?;
    for text in texts.values() {
        writeln!(out, "    {text:?},")?;
    }
    writeln!(out, "];")?;
    writeln!(out, "/// Every text's key, by its path in the language files.")?;
    writeln!(out, "#[allow(non_upper_case_globals, clippy::module_inception)]\npub mod keys {{")?;
    out.push_str(&modules(&paths));
    writeln!(out, "}}")?;
    let file = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("texts.rs");
    std::fs::write(file, out)?;
    Ok(())
}
