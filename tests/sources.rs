//! Every default source: validates, is fully accounted for, matches the JSON Schemas, and
//! gets unique, stable eIds.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use accord::ingest::{self, coverage::coverage};
use accord::model::SourceFormat;
use common::{accord, blocks, document_dirs, inspect, repo};
use serde_json::Value;

fn language_files(dir: &Path) -> Vec<(String, SourceFormat, std::path::PathBuf)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("md") => SourceFormat::Md,
            Some("txt") => SourceFormat::Txt,
            _ => continue,
        };
        out.push((path.file_stem().unwrap().to_str().unwrap().to_string(), format, path));
    }
    out.sort_by(|a, b| a.2.cmp(&b.2));
    out
}

#[test]
fn default_sources_validate() {
    accord().arg("validate").arg("--check-coverage").current_dir(repo()).assert().success();
}

#[test]
fn nothing_is_lost_in_any_source() {
    let mut files = 0;
    for dir in document_dirs(&repo().join("sources")) {
        for (lang, format, path) in language_files(&dir) {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut diagnostics = Vec::new();
            let expression = ingest::parse_expression(&path.to_string_lossy(), &lang, format, &text, &mut diagnostics);
            let c = coverage(&text, &expression);
            assert!(c.source_chars > 0);
            assert!(c.is_complete(), "{}: missing {:?}, extra {:?}", path.display(), c.missing, c.extra);
            assert_eq!(c.accounted, c.source_chars);
            files += 1;
        }
    }
    assert!(files >= 3 + 6 * 9, "seeds, UDHR, five UNPC and three Markdown documents: {files} files");
}

fn validator(name: &str) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("schemas").join(name)).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

#[test]
fn every_model_matches_the_document_schema() {
    let validator = validator("document.schema.json");
    let mut checked = 0;
    for dir in document_dirs(&repo().join("sources")) {
        let model = inspect(&dir);
        let errors: Vec<String> =
            validator.iter_errors(&model).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
        checked += 1;
    }
    assert!(checked >= 12);
}

#[test]
fn the_document_schema_rejects_a_broken_model() {
    let validator = validator("document.schema.json");
    let mut model = inspect(&repo().join("sources/wg7-2019-draft-report-addendum"));
    assert!(validator.is_valid(&model));
    model["expressions"][0]["lang"] = Value::from("french");
    assert!(!validator.is_valid(&model));
    let mut model = inspect(&repo().join("sources/wg7-2019-draft-report-addendum"));
    model["expressions"][0]["body"][0]["eid"] = Value::from("Section 2");
    assert!(!validator.is_valid(&model));
}

#[test]
fn every_document_toml_matches_its_schema() {
    let validator = validator("document-toml.schema.json");
    for dir in document_dirs(&repo().join("sources")) {
        let text = std::fs::read_to_string(dir.join("document.toml")).unwrap();
        let value: Value = toml::from_str(&text).unwrap();
        let errors: Vec<String> = validator.iter_errors(&value).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", dir.display());
    }
    let unknown: Value = toml::from_str("original_language = \"en\"\ncolour = \"blue\"").unwrap();
    assert!(!validator.is_valid(&unknown));
}

#[test]
fn eids_are_unique_per_expression_and_stable_across_runs() {
    for dir in document_dirs(&repo().join("sources")) {
        let model = inspect(&dir);
        for e in model["expressions"].as_array().unwrap() {
            let mut seen = BTreeSet::new();
            for b in blocks(e) {
                let mut eids = vec![b["eid"].as_str().unwrap()];
                eids.extend(b["items"].as_array().into_iter().flatten().map(|i| i["eid"].as_str().unwrap()));
                for eid in eids {
                    assert!(seen.insert(eid.to_string()), "{}: {} twice in {}", dir.display(), eid, e["lang"]);
                }
            }
        }
        assert_eq!(model, inspect(&dir), "{}: a second run gives another model", dir.display());
    }
}

#[test]
fn validation_report_does_not_depend_on_thread_count() {
    let run = |threads: &str| {
        accord()
            .arg("validate")
            .arg("--json")
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(repo())
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("2"));
}
