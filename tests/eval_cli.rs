//! `accord eval`: the scores must be those of the reference scorer
//! (`corpus/tools/score_align.py`) on the same beads.

use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;

const CORPUS: &str = "../shared/corpus";

fn accord() -> Command {
    Command::cargo_bin("accord").unwrap_or_else(|e| panic!("{e}"))
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

/// Aligns one document pair with `accord align`, scores the beads with the Python reference
/// scorer, and checks `accord eval --pairwise` reports the same numbers.
fn same_as_reference(doc: &str, a: &str, b: &str) {
    let dir = Path::new(CORPUS).join(doc);
    let script = Path::new(CORPUS).join("tools/score_align.py");
    if !dir.is_dir() || !script.is_file() || Process::new("python3").arg("--version").output().is_err() {
        eprintln!("skipped: {} or python3 not available", dir.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let beads = accord()
        .args(["align"])
        .arg(dir.join(format!("{a}.txt")))
        .arg(dir.join(format!("{b}.txt")))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(beads.status.success());
    let pred = tmp.path().join("pred.txt");
    std::fs::write(&pred, &beads.stdout).unwrap_or_else(|e| panic!("{e}"));
    let reference = Process::new("python3")
        .arg(&script)
        .arg("--gold")
        .arg(dir.join("gold.tsv"))
        .arg("--pred")
        .arg(&pred)
        .args(["--pair", &format!("{a},{b}"), "--json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(reference.status.success(), "{}", String::from_utf8_lossy(&reference.stderr));
    let reference = json(&reference.stdout);
    let ours = accord()
        .args(["eval", "--corpus"])
        .arg(&dir)
        .args(["--pair", &format!("{a},{b}"), "--pairwise", "--json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ours.status.success());
    let ours = json(&ours.stdout);
    let pair = &ours["pairs"][format!("{a}-{b}")];
    for k in ["n_pred", "n_gold", "n_gold_recall", "p_strict", "p_lax", "r_strict", "r_lax"] {
        assert_eq!(pair[k], reference[k], "{doc} {a}-{b} {k}");
    }
    for m in ["strict", "lax"] {
        for k in ["precision", "recall", "f1"] {
            let (x, y) = (pair[m][k].as_f64().unwrap_or(-1.0), reference[m][k].as_f64().unwrap_or(-2.0));
            assert!((x - y).abs() < 1e-12, "{doc} {a}-{b} {m} {k}: {x} vs {y}");
        }
    }
}

#[test]
fn matches_the_reference_scorer_on_a_damaged_document() {
    same_as_reference("unpc-dev-hard/hard_000", "en", "fr");
    same_as_reference("unpc-dev-hard/hard_001", "ar", "zh");
}

#[test]
fn matches_the_reference_scorer_on_udhr() {
    same_as_reference("udhr", "en", "ru");
}

#[test]
fn nway_eval_reports_every_pair() {
    let dir = Path::new(CORPUS).join("udhr");
    if !dir.is_dir() {
        eprintln!("skipped: no {}", dir.display());
        return;
    }
    let out = accord().args(["eval", "--corpus"]).arg(&dir).arg("--json").output().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let v = json(&out.stdout);
    assert_eq!(v["pairs"].as_object().map(|o| o.len()), Some(15));
    let f1 = v["overall"]["strict"]["f1"].as_f64().unwrap_or(0.0);
    assert!(f1 > 0.8, "udhr strict F1 {f1}");
    accord()
        .args(["eval", "--corpus"])
        .arg(&dir)
        .args(["--pair", "en,fr"])
        .assert()
        .success()
        .stdout(predicate::str::contains("en-fr").and(predicate::str::contains("all")));
}

#[test]
fn bad_corpora_are_reported() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    accord()
        .args(["eval", "--corpus"])
        .arg(tmp.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[no-gold]"));
    std::fs::write(tmp.path().join("gold.tsv"), "en\tfr\n0\tx\n").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(tmp.path().join("en.txt"), "a\n").unwrap_or_else(|e| panic!("{e}"));
    accord()
        .args(["eval", "--corpus"])
        .arg(tmp.path())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("gold.tsv:2:3: error[gold-cell]"));
    accord().args(["eval", "--corpus"]).arg(tmp.path().join("none")).assert().code(2);
    accord().args(["eval", "--corpus"]).arg(tmp.path()).args(["--pair", "en"]).assert().code(2);
}

#[test]
fn byte_order_marks_are_read_past() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let write = |name: &str, text: &str| {
        std::fs::write(tmp.path().join(name), format!("\u{feff}{text}")).unwrap_or_else(|e| panic!("{e}"))
    };
    write("gold.tsv", "en\tfr\n0\t0\n1\t1\n");
    write("en.txt", "1. The Committee met in Geneva.\n2. It adopted the report (A/69/720).\n");
    write("fr.txt", "1. Le Comité s'est réuni à Genève.\n2. Il a adopté le rapport (A/69/720).\n");
    let out =
        accord().args(["eval", "--corpus"]).arg(tmp.path()).arg("--json").output().unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out.stdout);
    assert_eq!(v["pairs"]["en-fr"]["strict"]["f1"].as_f64(), Some(1.0), "{v}");
}
