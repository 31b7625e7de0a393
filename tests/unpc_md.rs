//! The six-language Markdown documents of `../shared/corpus/unpc-dev-md`: damaged per
//! language like the seeds (page-break splits, running heads, footnotes); the gold gives each
//! paragraph as it must read after repair.

mod common;

use std::collections::BTreeSet;

use common::{accord, blocks, document_dirs, inspect, shared};
use serde_json::Value;

const LANGS: [&str; 6] = ["ar", "en", "es", "fr", "ru", "zh"];

fn corpus() -> std::path::PathBuf {
    shared().join("corpus/unpc-dev-md")
}

#[test]
fn validate_passes_on_every_document() {
    let out = accord().arg("validate").arg("--json").arg(corpus().join("sources")).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["documents"], 25);
    assert_eq!(report["expressions"], 150);
    assert_eq!(report["errors"], 0, "{}", report["diagnostics"]);
    assert!(out.status.success());
}

/// The figures of the corpus index: running-head lines and footnotes per document.
fn index() -> Vec<(String, usize, usize)> {
    let text = std::fs::read_to_string(corpus().join("index.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (slug, notes, heads) = (col("slug"), col("footnotes"), col("head_lines"));
    lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[slug].to_string(), f[notes].parse().unwrap(), f[heads].parse().unwrap())
        })
        .collect()
}

#[test]
fn running_heads_and_footnotes_are_recognised_as_such() {
    for (slug, notes, heads) in index() {
        let model = inspect(&corpus().join("sources").join(&slug));
        let expressions = model["expressions"].as_array().unwrap();
        let artefacts: usize = expressions
            .iter()
            .map(|e| e["dropped"].as_array().map_or(0, |d| d.iter().filter(|d| d["kind"] == "page_artefact").count()))
            .sum();
        let note_count: usize = expressions.iter().map(|e| e["notes"].as_array().map_or(0, Vec::len)).sum();
        assert_eq!(artefacts, heads, "{slug}: running heads and page footers");
        assert_eq!(note_count, notes, "{slug}: footnotes");
    }
}

/// NFC and collapsed whitespace, none at all in Chinese (as tools/check_e2e.py compares).
fn normalise(text: &str, lang: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let text: String = text.nfc().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ");
    if lang == "zh" { text.replace(' ', "") } else { text }
}

/// Paragraph texts as the model gives them, with and without their number.
fn units(expression: &Value) -> BTreeSet<String> {
    let lang = expression["lang"].as_str().unwrap();
    let mut out = BTreeSet::new();
    for b in blocks(expression) {
        let num = b["num"].as_str().map(|n| format!("{n} ")).unwrap_or_default();
        let text = match b["type"].as_str().unwrap() {
            "section" => b["heading"]["text"].as_str().unwrap().to_string(),
            "paragraph" => {
                let mut t = b["text"]["text"].as_str().unwrap().to_string();
                for i in b["items"].as_array().into_iter().flatten() {
                    t = format!("{t} {} {}", i["num"].as_str().unwrap(), i["text"]["text"].as_str().unwrap());
                }
                t
            }
            _ => continue,
        };
        out.insert(normalise(&text, lang));
        out.insert(normalise(&format!("{num}{text}"), lang));
    }
    out
}

#[test]
fn split_paragraphs_are_rejoined_as_the_gold_reads() {
    let mut found = [0usize; 6];
    let mut total = [0usize; 6];
    for dir in document_dirs(&corpus().join("sources")) {
        let slug = dir.file_name().unwrap().to_str().unwrap();
        let model = inspect(&dir);
        let units: Vec<BTreeSet<String>> = LANGS
            .iter()
            .map(|l| units(model["expressions"].as_array().unwrap().iter().find(|e| e["lang"] == *l).unwrap()))
            .collect();
        // Plain tab-separated lines, no quoting (as tools/check_e2e.py reads them).
        let gold = std::fs::read_to_string(corpus().join("gold").join(format!("{slug}.tsv"))).unwrap();
        let mut rows = gold.lines();
        assert_eq!(rows.next().unwrap().split('\t').collect::<Vec<_>>(), LANGS);
        for row in rows.filter(|r| !r.trim().is_empty()) {
            for (i, cell) in row.split('\t').enumerate() {
                if cell.is_empty() {
                    continue;
                }
                total[i] += 1;
                if units[i].contains(&normalise(cell, LANGS[i])) {
                    found[i] += 1;
                }
            }
        }
    }
    // What remains are paragraphs the corpus cut at a sentence end with nothing between
    // the halves, which one language version alone cannot tell from two paragraphs.
    for (i, lang) in LANGS.iter().enumerate() {
        let share = found[i] as f64 / total[i] as f64;
        eprintln!("{lang}: {}/{} gold paragraphs read exactly ({share:.3})", found[i], total[i]);
        assert!(share >= 0.985, "{lang}: {share:.3}");
    }
}
