//! The proxy's source files depend on one another without a cycle: each file can be read
//! knowing only what it names, and the shared state sits above what it holds. A path
//! `crate::a::b::Item` is a dependency on the deepest file among `a/b.rs`, `a/b/mod.rs`,
//! `a.rs` and `a/mod.rs` that exists; a file's own tests are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every source file's module path (`live::hub`), with the text it depends by.
fn sources(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("reads src/") {
        let path = entry.expect("an entry").path();
        let name = path.file_stem().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if path.is_dir() {
            sources(&path, &[prefix, &[name]].concat(), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let module = match name.as_str() {
                "mod" => prefix.join("::"),
                _ => [prefix, &[name]].concat().join("::"),
            };
            let text = std::fs::read_to_string(&path).expect("reads a source file");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let code: String =
                code.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
            out.insert(module, code);
        }
    }
}

/// The modules `code` names through `crate::`.
fn named(code: &str, modules: &BTreeMap<String, String>) -> BTreeSet<String> {
    code.match_indices("crate::")
        .filter_map(|(at, _)| {
            let rest = &code[at + "crate::".len()..];
            let path: Vec<&str> = rest
                .split("::")
                .map(|part| part.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or_default())
                .take_while(|part| !part.is_empty())
                .collect();
            (1..=path.len()).rev().map(|n| path[..n].join("::")).find(|m| modules.contains_key(m))
        })
        .collect()
}

#[test]
fn the_proxy_source_files_have_no_dependency_cycle() {
    let mut modules = BTreeMap::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &[], &mut modules);
    modules.remove("");
    modules.remove("main");
    assert!(modules.len() > 30 && modules.contains_key("live::hub"), "{:?}", modules.keys());
    let graph: BTreeMap<&str, BTreeSet<String>> = modules
        .iter()
        .map(|(module, code)| {
            let mut deps = named(code, &modules);
            // A module's own submodules are its parts, not what it depends on.
            deps.retain(|d| d != module && !d.starts_with(&format!("{module}::")));
            (module.as_str(), deps)
        })
        .collect();
    // Depth-first, keeping the path, so a cycle is reported as the files that make it.
    fn visit<'a>(
        at: &'a str,
        graph: &'a BTreeMap<&str, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if let Some(start) = path.iter().position(|m| *m == at) {
            panic!("a dependency cycle: {} -> {at}", path[start..].join(" -> "));
        }
        if !done.insert(at) {
            return;
        }
        path.push(at);
        for next in graph.get(at).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, &graph, &mut Vec::new(), &mut done);
    }
}
