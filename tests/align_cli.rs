//! `accord align` end to end: bead format, stray lines, sentences, errors.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const EN: &str = "1. The Committee met in Geneva on 12 March 2015 and adopted its agenda.
2. The Committee considered the report of the Secretary-General (A/69/720).
A/69/720
3. It decided to continue its work at its next session, in 2016.
";
const FR: &str = "1. Le Comité s'est réuni à Genève le 12 mars 2015 et a adopté son ordre du jour.
2. Le Comité a examiné le rapport du Secrétaire général (A/69/720).
3. Il a décidé de poursuivre ses travaux à sa prochaine session,
en 2016.
";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
    p.to_string_lossy().into_owned()
}

fn accord() -> Command {
    Command::cargo_bin("accord").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn beads_with_a_stray_line_and_a_split() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (en, fr) = (write(dir.path(), "en.txt", EN), write(dir.path(), "fr.txt", FR));
    accord().args(["align", &en, &fr]).assert().success().stdout("[0]:[0]\n[1]:[1]\n[2]:[]\n[3]:[2,3]\n");
}

#[test]
fn a_file_aligned_with_itself_is_the_identity() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let en = write(dir.path(), "en.txt", EN);
    accord().args(["align", &en, &en]).assert().success().stdout("[0]:[0]\n[1]:[1]\n[2]:[2]\n[3]:[3]\n");
}

#[test]
fn sentences_are_indexed_over_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let en = write(dir.path(), "en.txt", "The Council met. It adopted the agenda.\nMr. Smith spoke.\n");
    let fr = write(dir.path(), "fr.txt", "Le Conseil s'est réuni. Il a adopté l'ordre du jour.\nM. Smith a parlé.\n");
    accord().args(["align", &en, &fr, "--unit", "sentence"]).assert().success().stdout("[0]:[0]\n[1]:[1]\n[2]:[2]\n");
}

#[test]
fn json_and_tsv_outputs() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (en, fr) = (write(dir.path(), "en.txt", EN), write(dir.path(), "fr.txt", FR));
    let out = accord().args(["align", &en, &fr, "--output", "json"]).output().unwrap_or_else(|e| panic!("{e}"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v["lang_a"], "en");
    assert_eq!(v["lang_b"], "fr");
    assert_eq!(v["beads"].as_array().map(Vec::len), Some(4));
    for b in v["beads"].as_array().into_iter().flatten() {
        let c = b["confidence"].as_f64().unwrap_or(-1.0);
        assert!((0.0..=1.0).contains(&c));
    }
    accord()
        .args(["align", &en, &fr, "--output", "tsv"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("a\tb\tconfidence\ttext_a\ttext_b\n0\t0\t"));
}

#[test]
fn errors_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let en = write(dir.path(), "en.txt", EN);
    let missing = dir.path().join("nope.txt").to_string_lossy().into_owned();
    accord().args(["align", &en, &missing]).assert().code(2).stdout("").stderr(predicate::str::contains("error[io]"));
    let bad = dir.path().join("fr.txt");
    fs::write(&bad, b"ok\nab\xffcd\n").unwrap_or_else(|e| panic!("{e}"));
    accord()
        .args(["align", &en, &bad.to_string_lossy()])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("fr.txt:2:3: error[utf8]").and(predicate::str::contains("\n  hint: ")));
    accord().args(["align", &en]).assert().code(2);
    accord().args(["align", &en, &en, "--unit", "word"]).assert().code(2);
}

#[test]
fn empty_files_align_to_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (a, b) = (write(dir.path(), "en.txt", ""), write(dir.path(), "fr.txt", "Bonjour.\n"));
    accord().args(["align", &a, &b]).assert().success().stdout("[]:[0]\n");
    accord().args(["align", &a, &a]).assert().success().stdout("");
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let en = write(dir.path(), "en.txt", &format!("\u{feff}{EN}"));
    let fr = write(dir.path(), "fr.txt", &format!("\u{feff}{FR}"));
    accord().args(["align", &en, &fr]).assert().success().stdout("[0]:[0]\n[1]:[1]\n[2]:[]\n[3]:[2,3]\n");
    let tsv = accord().args(["align", &en, &fr, "--output", "tsv"]).output().unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&tsv.stdout);
    assert!(!text.contains('\u{feff}'), "{text}");
    assert!(text.contains("\t1. The Committee met in Geneva"), "{text}");
}
