//! The translators' formats of a release of the default sources: TMX valid against the
//! TMX 1.4b DTD and read by an independent implementation (translate-toolkit), XLIFF 2.1
//! valid against the OASIS core schema, and the `--pair` / `--min-confidence` subsets.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{accord, alignment_rows, repo};
use serde_json::Value;

fn build(out: &Path, extra: &[&str]) -> std::process::Output {
    accord()
        .args(["build", "--quiet", "--sources"])
        .arg(repo().join("sources"))
        .arg("--out")
        .arg(out)
        .args(extra)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    out.sort();
    out
}

/// alignments.csv as (document, eid) → row, by column name.
fn alignments(out: &Path) -> BTreeMap<(String, String), BTreeMap<String, String>> {
    alignment_rows(out).into_iter().map(|row| ((row["document"].clone(), row["eid"].clone()), row)).collect()
}

fn xmllint(args: &[&str], file: &Path) {
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet"])
        .args(args)
        .arg(file)
        .output()
        .expect("xmllint is installed (libxml2-utils)");
    assert!(out.status.success(), "{}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
}

/// Text without what TMX readers show of inline codes (the native `<i>` of a `<bpt>`, a
/// footnote call-out's marker) and without spaces, to compare with the CSV's plain text.
fn without_markers(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag || c.is_whitespace() || "¹²³⁴⁵⁶⁷⁸⁹⁰*".contains(c) => {}
            _ => out.push(c),
        }
    }
    out
}

#[test]
fn tmx_is_dtd_valid_and_read_by_translate_toolkit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert!(build(&out, &[]).status.success());
    let tmx = files(&out.join("tmx"), "tmx");
    // Every default document with two versions or more has one; the French seeds have none.
    assert_eq!(tmx.len(), 9, "{tmx:?}");
    let dtd = repo().join("schemas/tmx/tmx14.dtd");
    let dtd_dir = repo().join("schemas/tmx");
    for file in &tmx {
        xmllint(&["--path", dtd_dir.to_str().unwrap(), "--dtdvalid", dtd.to_str().unwrap()], file);
    }

    let script = r#"
import json, sys
from translate.storage import tmx
for path in sys.argv[1:]:
    store = tmx.tmxfile.parsefile(path)
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    units = [{"id": u.getid(), "source": str(u.source), "target": str(u.target),
              "langs": [t.get(lang) for t in u.xmlelement.iter("tuv")]} for u in store.units]
    print(json.dumps({"file": path, "units": units}))
"#;
    let read = Command::new("python3")
        .args(["-c", script])
        .args(&tmx)
        .output()
        .expect("python3 with translate-toolkit (pip install translate-toolkit)");
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    let rows = alignments(&out);
    let mut checked = 0;
    for line in String::from_utf8(read.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let path = PathBuf::from(v["file"].as_str().unwrap());
        let xml = fs::read_to_string(&path).unwrap();
        let units = v["units"].as_array().unwrap();
        assert_eq!(units.len(), xml.matches("<tu ").count(), "{}", path.display());
        assert!(!units.is_empty(), "{}", path.display());
        let header_src = xml.split("srclang=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        // Every unit: its source and first target are sentences of the group it names.
        for u in units {
            let id = u["id"].as_str().unwrap();
            let mut parts = id.split('/');
            let (doc, eid) = (parts.next().unwrap().to_string(), parts.next().unwrap().to_string());
            let row = &rows[&(doc, eid)];
            // The reader's target is the first variant after the source one.
            let langs: Vec<String> =
                u["langs"].as_array().unwrap().iter().map(|l| l.as_str().unwrap().into()).collect();
            assert_eq!(langs[0], header_src, "{id}: the original's variant comes first");
            let target_lang = &langs[1];
            for (lang, text) in [(&header_src, &u["source"]), (target_lang, &u["target"])] {
                let text = without_markers(text.as_str().unwrap());
                assert!(!text.is_empty(), "{id}: empty {lang} text");
                assert!(without_markers(&row[lang.as_str()]).contains(&text), "{id}: `{text}` not in its {lang} group");
            }
            checked += 1;
        }
    }
    assert!(checked > 200, "{checked} units checked");
}

#[test]
fn xliff_is_schema_valid_one_file_per_pair_with_group_eids() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert!(build(&out, &[]).status.success());
    let xliff = files(&out.join("xliff"), "xlf");
    // 9 documents in six languages, the original (or pivot) with each of the five others.
    assert_eq!(xliff.len(), 9 * 5);
    let schema = repo().join("schemas/xliff/xliff_core_2.0.xsd");
    let rows = alignments(&out);
    for file in &xliff {
        xmllint(&["--schema", schema.to_str().unwrap()], file);
        let name = file.file_name().unwrap().to_str().unwrap();
        let (doc, pair) = name.trim_end_matches(".xlf").rsplit_once('.').unwrap();
        let (src, tgt) = pair.split_once('-').unwrap();
        let xml = fs::read_to_string(file).unwrap();
        assert!(xml.contains(&format!(r#"srcLang="{src}" trgLang="{tgt}""#)), "{name}");
        let ids: Vec<&str> = xml.split("<unit id=\"").skip(1).map(|s| s.split('"').next().unwrap()).collect();
        assert!(!ids.is_empty(), "{name}");
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "{name}: unit ids repeat");
        for id in ids {
            let row = rows.get(&(doc.to_string(), id.to_string())).unwrap_or_else(|| panic!("{name}: unit {id}"));
            assert!(!row[src].is_empty(), "{name}: unit {id} has no {src} text");
        }
    }
}

#[test]
fn pair_and_min_confidence_make_a_counted_subset() {
    let dir = tempfile::tempdir().unwrap();
    let (all, subset) = (dir.path().join("all"), dir.path().join("subset"));
    assert!(build(&all, &["--format", "csv"]).status.success());
    let built = build(&subset, &["--format", "csv,tmx,xliff", "--pair", "fr,en", "--min-confidence", "0.9"]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));

    let full = alignments(&all);
    let kept = alignments(&subset);
    let columns: BTreeSet<&String> = kept.values().next().unwrap().keys().collect();
    assert!(columns.contains(&"en".to_string()) && columns.contains(&"fr".to_string()));
    assert!(!columns.contains(&"es".to_string()), "{columns:?}");
    for row in kept.values() {
        assert!(row["confidence"].parse::<f32>().unwrap() >= 0.9);
        assert!(!row["en"].is_empty() && !row["fr"].is_empty());
    }
    let manifest: Value = serde_json::from_slice(&fs::read(subset.join("manifest.json")).unwrap()).unwrap();
    let counts = &manifest["counts"];
    let dropped = counts["groups_dropped_by_pair"].as_u64().unwrap();
    let low = counts["groups_dropped_below_confidence"].as_u64().unwrap();
    assert!(dropped > 0 && low > 0, "{counts}");
    assert_eq!(kept.len() as u64 + dropped + low, full.len() as u64);
    assert_eq!(manifest["options"]["pair"], serde_json::json!(["fr", "en"]));
    // Only the fr–en pair is exported: English is the original of every document that has it.
    let xliff: Vec<String> = files(&subset.join("xliff"), "xlf")
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(!xliff.is_empty() && xliff.iter().all(|n| n.ends_with(".en-fr.xlf")), "{xliff:?}");

    let bad = build(&dir.path().join("bad"), &["--pair", "en"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = build(&dir.path().join("bad"), &["--min-confidence", "1.5"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn segments_too_long_for_translation_memories_are_reported_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("sources/long");
    fs::create_dir_all(&doc).unwrap();
    fs::write(doc.join("document.toml"), "original_language = \"en\"\n").unwrap();
    let long_en = format!("Short opening paragraph.\n{} end.\n", "word ".repeat(500));
    let long_fr = format!("Court paragraphe d'ouverture.\n{} fin.\n", "mot ".repeat(400));
    fs::write(doc.join("en.txt"), long_en).unwrap();
    fs::write(doc.join("fr.txt"), long_fr).unwrap();
    let out = accord()
        .args(["build", "--format", "tmx", "--sources"])
        .arg(dir.path().join("sources"))
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("long/en.txt:2:1: warning[long-segment]"), "{stderr}");
    assert!(!stderr.contains("long/fr.txt"), "the French segment is under the limit: {stderr}");
}
