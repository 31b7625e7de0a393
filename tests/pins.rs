//! `alignment.toml`: groups pinned by hand are read into the model and checked against the
//! units of each language version.

mod common;

use std::fs;
use std::path::Path;

use common::{accord, inspect};
use serde_json::Value;

/// A two-language document in a fresh sources folder, with the given `alignment.toml`.
fn document(pins: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("pinned");
    fs::create_dir(&doc).unwrap();
    fs::write(doc.join("document.toml"), "original_language = \"en\"\n").unwrap();
    fs::write(doc.join("en.txt"), "Title\n1. First paragraph.\n2. Second paragraph.\n3. Third paragraph.\n").unwrap();
    fs::write(doc.join("fr.txt"), "Titre\n1. Premier paragraphe.\n2. Deuxième et troisième paragraphes.\n").unwrap();
    fs::write(doc.join("alignment.toml"), pins).unwrap();
    dir
}

fn codes(dir: &Path) -> (Vec<String>, i32) {
    let out = accord().arg("validate").arg("--json").arg(dir).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes =
        report["diagnostics"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_string()).collect();
    (codes, out.status.code().unwrap())
}

#[test]
fn valid_pins_reach_the_model() {
    let dir = document("[[pin]]\nen = [\"para_3\", \"para_4\"]\nfr = [\"para_3\"]\n");
    assert_eq!(codes(dir.path()), (vec![], 0));
    let model = inspect(&dir.path().join("pinned"));
    assert_eq!(model["pins"][0]["en"], serde_json::json!(["para_3", "para_4"]));
    assert_eq!(model["pins"][0]["fr"], serde_json::json!(["para_3"]));
}

#[test]
fn pins_naming_what_does_not_exist_are_errors() {
    for (pins, code) in [
        ("[[pin]]\nde = [\"para_1\"]\n", "pin-unknown-language"),
        ("[[pin]]\nen = [\"para_9\"]\n", "pin-unknown-eid"),
        ("[[pin]]\nen = [\"para_2\", \"para_4\"]\n", "pin-not-contiguous"),
        ("[[pin]]\nen = [\"para_3\"]\n[[pin]]\nen = [\"para_2\"]\n", "pin-crossing"),
        ("[[pin]]\nen = [\"para_1\"]\ncolour = \"blue\"\n", "invalid-toml"),
        ("[[group]]\nen = [\"para_1\"]\n", "unknown-toml-key"),
    ] {
        let dir = document(pins);
        let (found, exit) = codes(dir.path());
        assert_eq!(found, [code], "{pins}");
        assert_eq!(exit, 1);
    }
}
