//! Helpers shared by the integration tests: the real binary, the shared corpus, JSON models.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::Value;

pub fn accord() -> Command {
    Command::cargo_bin("accord").expect("the accord binary is built")
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared`, beside the repository (read-only, present in CI).
pub fn shared() -> PathBuf {
    repo().join("../shared")
}

/// The document folders of `dir`, in name order.
pub fn document_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(dir).expect("folder exists").flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    dirs
}

/// Copies the files of a document folder into `to` (created).
pub fn copy_document(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for file in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(file.path(), to.join(file.file_name())).unwrap();
    }
}

/// `accord inspect --json PATH`, which must succeed.
pub fn inspect(path: &Path) -> Value {
    let out = accord().arg("inspect").arg("--json").arg(path).output().expect("runs");
    assert!(out.status.success(), "inspect {} failed: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("inspect prints JSON")
}

/// Every block of an expression's body, depth first, parents before children.
pub fn blocks(expression: &Value) -> Vec<&Value> {
    fn walk<'a>(blocks: &'a [Value], out: &mut Vec<&'a Value>) {
        for b in blocks {
            out.push(b);
            if let Some(children) = b["children"].as_array() {
                walk(children, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(expression["body"].as_array().expect("body"), &mut out);
    out
}

/// Every text object (`{"text": …, "marks": …}`) anywhere under `value`.
pub fn texts(value: &Value) -> Vec<&Value> {
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Object(map) => {
                if map.get("text").is_some_and(Value::is_string) && !map.contains_key("kind") {
                    out.push(v);
                }
                map.values().for_each(|c| walk(c, out));
            }
            Value::Array(items) => items.iter().for_each(|c| walk(c, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut out);
    out
}

pub fn marks<'a>(text: &'a Value, kind: &str) -> Vec<&'a Value> {
    text["marks"].as_array().map(|m| m.iter().filter(|m| m["kind"] == kind).collect()).unwrap_or_default()
}

/// The part of a text a mark covers.
pub fn covered<'a>(text: &'a Value, mark: &Value) -> &'a str {
    let s = text["text"].as_str().expect("text");
    &s[mark["start"].as_u64().unwrap() as usize..mark["end"].as_u64().unwrap() as usize]
}

/// Every file under `dir`, by path relative to it, with its bytes.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(path.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A release's `csv/alignments.csv`, each row by column name.
pub fn alignment_rows(out: &Path) -> Vec<BTreeMap<String, String>> {
    csv_rows(&out.join("csv/alignments.csv"))
}

/// A CSV file with a header row, each row by column name.
pub fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader.records().map(|r| headers.iter().cloned().zip(r.unwrap().iter().map(String::from)).collect()).collect()
}

/// Pieces of PDF-converted UN Markdown, so that generated files hit the parser's paths.
const PIECES: &[&str] = &[
    "Distr. générale\n",
    "16 mars 2022\n",
    "Français\n",
    "Original : anglais\n",
    "Original: English\n",
    "# ",
    "## ",
    "### ",
    "**",
    "*",
    "<i>",
    "</i>",
    "<sup>",
    "</sup>",
    "^{er}",
    "^{2}",
    "[",
    "](#)",
    "[A/69/720](#)",
    "I. ",
    "II. ",
    "A. ",
    "B. ",
    "1. ",
    "2. ",
    "12 - ",
    " - a) ",
    "a) ",
    "b) ",
    "(c) ",
    "¹",
    "² ",
    "¹ Voir A/69/720.\n",
    "* ",
    "(suite)",
    "Annexe\n",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "15-11931\n",
    "2/4\n",
    "A/69/720\n",
    "-\n",
    "\u{feff}",
    "\u{a0}",
    "Le Groupe de travail",
    " a examiné ",
    "les migrants",
    " ; ",
    " : ",
    ". ",
    ", ",
    "recognizing ",
    "Smuggling of Migrants and the Protocol",
    "联合国大会",
    "。",
    "البند ٤",
    "Пункт",
    "отмечая",
    "e\u{301}",
    "m²",
    // Footnotes in Markdown's and HTML's forms, words and clauses a break cut, rules, other
    // furniture: what the ingest learnt from the second and third end-to-end sets.
    "<sup>1</sup> See A/69/1.\n",
    "[^1]",
    "[^1]: See A/69/1.\n",
    "démobi-\n",
    "lisation ",
    "long-",
    "term ",
    "________\n",
    "---\n",
    "S/RES/2196 (2015) Page 6\n",
    "25 de diciembre de 2015\n",
    "Recognizing ",
    "وإذ ",
    "ORIGINAL: ENGLISH\n",
    "联合国系\n统",
    // Entities, glyphs that are not text, a number on a line of its own.
    "&amp;",
    "&nbsp;",
    "&#39;",
    "&#x2019;",
    "&lt;i&gt;",
    "&#0;",
    "&#55296;",
    "&shy;",
    "\u{ad}",
    "\u{fb01}",
    "\u{200b}",
    "\u{202f}",
    "15.\n\n",
    "| Région | 2013 |\n",
    "|---|:--:|\n",
    "|",
    // Setext rules, quotes, HTML a conversion adds, bullets and emphasised numbers.
    "\n=====\n",
    "\n--\n",
    "> ",
    "<br>",
    "<BR />",
    "<span id=\"page-2-0\"></span>",
    "</span>",
    "<a id=\"x\">",
    "<!-- page 3 -->",
    "<!--",
    "<!-- page\n3\n\n",
    "-->",
    "![](_page_0_Picture_0.jpeg)",
    "![",
    "- ",
    "• ",
    "**II.** ",
    "*12.* ",
    "<table><tr><td>Région</td><td>2013</td></tr>",
    "<tr><th colspan=\"2\">",
    "</td></tr></table>\n",
    "<td>",
    "^2^",
    "^2^ See A/69/1.\n",
    "**A/69/720**\n",
    "_",
    "__",
    "____",
    "snake_case",
];

/// Markdown made of those pieces and short random runs.
pub fn markdown() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![4 => prop::sample::select(PIECES).prop_map(str::to_string), 1 => ".{0,12}"],
        0..80,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Runs the real binary and returns its exit code, its stdout and its peak resident memory in
/// MiB, read from `wait4`'s resource usage of that one process (not of the test's other
/// children).
#[allow(clippy::zombie_processes)] // reaped by wait4, which clippy does not know
pub fn run_with_peak_rss(args: &[&std::ffi::OsStr]) -> (i32, String, u64) {
    use std::io::Read;
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("accord starts");
    let mut stdout = String::new();
    child.stdout.take().expect("piped").read_to_string(&mut stdout).expect("stdout is UTF-8");
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4 failed");
    assert!(libc::WIFEXITED(status), "accord was killed by a signal ({status})");
    (libc::WEXITSTATUS(status), stdout, usage.ru_maxrss as u64 / 1024)
}
