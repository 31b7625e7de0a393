//! CSV round trip, property-tested through the real binary: texts made of quotes, commas,
//! tabs, formula characters and non-Latin scripts go source → model → `accord build` → CSV,
//! and reading the tables back (undoing the one documented formula guard) gives every text
//! byte of the model, while no cell starts as a spreadsheet formula.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{accord, inspect, texts};
use proptest::prelude::*;

const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The rule `datapackage.json` states: a guarded cell is one apostrophe, then apostrophes or
/// not, then a formula character; the apostrophe is removed.
fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.trim_start_matches('\'').starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

fn read_table(out: &Path, name: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(out.join("csv").join(format!("{name}.csv"))).expect("table exists");
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| header.iter().cloned().zip(r.expect("RFC 4180 record").iter().map(str::to_string)).collect())
        .collect()
}

/// A line of text: pieces a spreadsheet or a CSV writer could trip on, in any order.
fn line() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("=SUM(A1:A2)".to_string()),
        Just("+1".to_string()),
        Just("-".to_string()),
        Just("@cmd".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just(",".to_string()),
        Just("\t".to_string()),
        Just(" ".to_string()),
        "[a-zA-Zéà0-9.;:]{1,8}",
        "[\u{0600}-\u{06ff}\u{4e00}-\u{4e40}]{1,4}",
    ];
    prop::collection::vec(piece, 1..8).prop_map(|pieces| pieces.concat())
}

fn write_document(sources: &Path, lines: &[String]) {
    let doc = sources.join("hostile-cells");
    fs::create_dir_all(&doc).unwrap();
    fs::write(doc.join("document.toml"), "original_language = \"en\"\n").unwrap();
    fs::write(doc.join("en.txt"), lines.join("\n") + "\n").unwrap();
    fs::write(doc.join("fr.txt"), lines.iter().rev().cloned().collect::<Vec<_>>().join("\n") + "\n").unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_text_byte_comes_back_and_no_cell_is_a_formula(lines in prop::collection::vec(line(), 1..6)) {
        // Lines of tabs and spaces alone make a file with no text, which is refused as empty.
        prop_assume!(lines.iter().any(|l| !l.trim().is_empty()));
        let dir = tempfile::tempdir().unwrap();
        let (sources, out) = (dir.path().join("sources"), dir.path().join("out"));
        write_document(&sources, &lines);
        let model = inspect(&sources.join("hostile-cells"));
        let run = accord().args(["build", "--quiet", "--format", "csv", "--sources"]).arg(&sources).arg("--out").arg(&out).output().unwrap();
        prop_assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));

        // Every text of the model, per language, in document order.
        let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for expression in model["expressions"].as_array().unwrap() {
            let lang = expression["lang"].as_str().unwrap().to_string();
            let body = texts(&expression["body"]).into_iter().map(|t| t["text"].as_str().unwrap().to_string());
            expected.entry(lang).or_default().extend(body);
        }
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        // What each unit's cell of alignments.csv holds: its number as written, then its text.
        let mut numbered: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in read_table(&out, "segments") {
            prop_assert!(!row["text"].starts_with(FORMULA_STARTS), "formula cell {:?}", row["text"]);
            let text = unguard(&row["text"]).to_string();
            let num = &row["num"];
            numbered.entry(row["lang"].clone()).or_default().push(if num.is_empty() { text.clone() } else { format!("{num} {text}") });
            found.entry(row["lang"].clone()).or_default().push(text);
        }
        prop_assert_eq!(&found, &expected);

        // The aligned rows hold the same texts, each led by its number, guarded the same way.
        let mut aligned: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in read_table(&out, "alignments") {
            for lang in expected.keys() {
                prop_assert!(!row[lang].starts_with(FORMULA_STARTS), "formula cell {:?}", row[lang]);
                if !row[lang].is_empty() {
                    aligned.entry(lang.clone()).or_default().extend(unguard(&row[lang]).split('\n').map(str::to_string));
                }
            }
        }
        for (lang, mut texts) in aligned {
            let mut want = numbered[&lang].clone();
            texts.sort();
            want.sort();
            prop_assert_eq!(texts, want, "alignments.csv, {}", lang);
        }
    }
}
