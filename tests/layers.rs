//! The crate's top-level modules follow the data, and a lower layer never imports a higher one
//! (see the crate documentation in `src/lib.rs`). This test reads every source file and fails
//! on any `crate::…` path that points up the list.

use std::fs;
use std::path::Path;

/// The layers, lowest first. A module may use itself and those before it.
const LAYERS: [&str; 11] = [
    "codes", "error", "memory", "text", "options", "input", "ledger", "models", "scores", "report",
    "wasm",
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|&m| m == module)
}

/// Every `crate::name` in `text`, with its line number.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let after = &rest[i + 7..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.push((n + 1, name));
            }
            rest = after;
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            walk(&p, files);
        } else if p.extension().is_some_and(|e| e == "rs") {
            files.push(p);
        }
    }
}

#[test]
fn no_layer_imports_a_higher_one() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut checked = 0;
    let mut wrong = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "testing" {
            continue;
        }
        let own = rank(&module).unwrap_or_else(|| panic!("{module} is not in LAYERS"));
        // Unit tests may use helpers from anywhere below `report`.
        let text = fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for (line, name) in crate_paths(code) {
            checked += 1;
            match rank(&name) {
                Some(r) if r > own => wrong.push(format!(
                    "{}:{line}: {module} uses crate::{name}",
                    rel.display()
                )),
                // `crate::codes!` and items re-exported at the root (`crate::Result`) are fine.
                _ => {}
            }
        }
    }
    assert!(checked > 100, "the scan found only {checked} paths");
    assert!(
        wrong.is_empty(),
        "a layer imports one above it:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_scan_sees_an_upward_import() {
    let found = crate_paths("use crate::report::Scorer; // crate::wasm in a comment");
    assert_eq!(found, vec![(1, "report".to_string())]);
}
