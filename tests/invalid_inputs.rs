//! Invalid inputs: each case under `tests/fixtures/invalid/<case>/` is a minimal sources tree
//! that breaks one rule. The real binary runs `validate <case> --json` and must report the
//! expected code, at the expected place, with the expected exit status — and never panic.
//! Cases that cannot be committed (a 50 MB line, a 257 MiB file, symbolic links) are built
//! at run time in a temporary folder.

use std::fs;
use std::io::{BufWriter, Write};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

mod common;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const SLUG: &str = "wg7-2019-draft-report";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid")
}

fn case(name: &str) -> PathBuf {
    let dir = fixtures().join(name);
    assert!(dir.is_dir(), "missing fixture {}", dir.display());
    dir
}

/// A file of the case's single document.
fn doc_file(name: &str, file: &str) -> PathBuf {
    case(name).join(SLUG).join(file)
}

struct Run {
    code: i32,
    json: Value,
    stdout: String,
    stderr: String,
}

fn accord(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = Command::cargo_bin("accord").expect("binary").args(args).output().expect("run accord");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "accord panicked on {args:?}:\n{stderr}");
    (out.status.code().expect("accord was killed by a signal"), stdout, stderr)
}

/// `accord validate <path> --json`, with the report parsed when there is one.
fn validate(path: &Path) -> Run {
    let (code, stdout, stderr) = accord(&["validate".as_ref(), path.as_os_str(), "--json".as_ref()]);
    let json = if stdout.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
    };
    let run = Run { code, json, stdout, stderr };
    if !run.json.is_null() {
        run.check_report();
    }
    run
}

impl Run {
    fn diagnostics(&self) -> &[Value] {
        self.json["diagnostics"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_else(|| panic!("no diagnostics in {}", self.json))
    }

    fn count(&self, key: &str) -> u64 {
        self.json[key].as_u64().unwrap_or_else(|| panic!("no `{key}` in {}", self.json))
    }

    /// The report is consistent: counts match the list, every diagnostic is complete, and
    /// the exit status follows from the errors.
    fn check_report(&self) {
        let severity = |s: &str| self.diagnostics().iter().filter(|d| d["severity"] == s).count() as u64;
        assert_eq!(self.count("errors"), severity("error"), "{}", self.stdout);
        assert_eq!(self.count("warnings"), severity("warning"), "{}", self.stdout);
        assert_eq!(self.count("errors") + self.count("warnings"), self.diagnostics().len() as u64);
        for d in self.diagnostics() {
            for key in ["code", "path", "message", "hint"] {
                assert!(d[key].as_str().is_some_and(|s| !s.trim().is_empty()), "empty `{key}` in {d}");
            }
            assert!(d["line"].is_u64() && d["col"].is_u64(), "location without line/col: {d}");
        }
        let expected = if self.count("errors") > 0 { 1 } else { 0 };
        assert_eq!(self.code, expected, "exit status for {}", self.stdout);
    }

    /// The distinct codes reported, sorted.
    fn codes(&self) -> Vec<&str> {
        let mut codes: Vec<&str> = self.diagnostics().iter().filter_map(|d| d["code"].as_str()).collect();
        codes.sort();
        codes.dedup();
        codes
    }

    /// The diagnostics with `code`, asserting there is at least one, of `severity`.
    fn expect(&self, code: &str, severity: &str) -> Vec<&Value> {
        let found: Vec<&Value> = self.diagnostics().iter().filter(|d| d["code"] == code).collect();
        assert!(!found.is_empty(), "no `{code}` diagnostic in:\n{}", self.stdout);
        for d in &found {
            assert_eq!(d["severity"], severity, "{d}");
        }
        found
    }

    /// The single diagnostic with `code`.
    fn one(&self, code: &str, severity: &str) -> &Value {
        let found = self.expect(code, severity);
        assert_eq!(found.len(), 1, "expected one `{code}`, got {found:?}");
        found[0]
    }
}

/// Asserts that `d` points at `file` (a path suffix), line and column.
fn assert_at(d: &Value, file: &str, line: u64, col: u64) {
    let path = d["path"].as_str().expect("path");
    assert!(path.ends_with(file), "`{path}` does not end with `{file}`: {d}");
    assert_eq!((d["line"].as_u64(), d["col"].as_u64()), (Some(line), Some(col)), "location of {d}");
}

/// Line and column (1-based, in characters) of the `nth` (0-based) occurrence of `needle`.
fn locate_nth(path: &Path, needle: &[u8], nth: usize) -> (u64, u64) {
    let bytes = fs::read(path).expect("fixture");
    let at = (0..bytes.len().saturating_sub(needle.len()) + 1)
        .filter(|&i| bytes[i..].starts_with(needle))
        .nth(nth)
        .unwrap_or_else(|| panic!("{:?} not in {}", String::from_utf8_lossy(needle), path.display()));
    let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&bytes[start..at]).chars().count() as u64 + 1;
    (line, col)
}

fn locate(path: &Path, needle: &str) -> (u64, u64) {
    locate_nth(path, needle.as_bytes(), 0)
}

/// Where `needle` starts in a file of the case's document.
fn at(name: &str, file: &str, needle: &str) -> (u64, u64) {
    locate(&doc_file(name, file), needle)
}

/// The line of `needle` in a file of the case's document, column 1 (a whole-line problem).
fn line_of(name: &str, file: &str, needle: &str) -> (u64, u64) {
    (at(name, file, needle).0, 1)
}

/// An error case: exit 1, exactly the codes `codes`, and one `code` error on the case
/// document's `file` at `(line, col)`.
fn error_at(name: &str, codes: &[&str], code: &str, file: &str, (line, col): (u64, u64)) -> Run {
    let run = validate(&case(name));
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.codes(), codes, "{}", run.stdout);
    assert_at(run.one(code, "error"), &format!("{name}/{SLUG}/{file}"), line, col);
    run
}

/// A warning-only case: exit 0, no error, and one `code` warning on `file` at `(line, col)`.
fn warning_at(name: &str, code: &str, file: &str, (line, col): (u64, u64)) -> Run {
    let run = validate(&case(name));
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.count("errors"), 0);
    assert_eq!(run.codes(), [code], "{}", run.stdout);
    assert_at(run.one(code, "warning"), &format!("{name}/{SLUG}/{file}"), line, col);
    run
}

/// A copy of the valid document of the mixed case in a new temporary folder, and the copy's
/// document folder.
fn valid_document_in_a_new_folder() -> (TempDir, PathBuf) {
    let tmp = TempDir::new().unwrap();
    let doc = tmp.path().join(SLUG);
    copy_valid_document(&doc);
    (tmp, doc)
}

/// Copies the valid document of the mixed case into `dest` (a document folder).
fn copy_valid_document(dest: &Path) {
    let valid = case("mixed-valid-and-broken").join(SLUG);
    fs::create_dir_all(dest).unwrap();
    for name in ["document.toml", "fr.md"] {
        fs::copy(valid.join(name), dest.join(name)).unwrap();
    }
}

// ---------------------------------------------------------------- reading the files

#[test]
fn not_utf8() {
    let bytes = fs::read(doc_file("not-utf8", "fr.md")).unwrap();
    assert!(std::str::from_utf8(&bytes).is_err(), "the fixture must hold Latin-1 bytes");
    // `é` of `préliminaire` written as the single Latin-1 byte 0xE9.
    let place = locate_nth(&doc_file("not-utf8", "fr.md"), b"\xe9liminaire", 0);
    let run = error_at("not-utf8", &["not-utf8"], "not-utf8", "fr.md", place);
    assert!(run.one("not-utf8", "error")["message"].as_str().unwrap().contains("byte"));
}

#[test]
fn empty_file() {
    assert_eq!(fs::metadata(doc_file("empty-file", "fr.md")).unwrap().len(), 0);
    error_at("empty-file", &["empty-file"], "empty-file", "fr.md", (0, 0));
}

#[test]
fn binary_file() {
    let place = locate_nth(&doc_file("binary-file", "fr.md"), b"\0", 0);
    assert_ne!(place.0, 1, "the NUL byte is inside the file, not at its start");
    error_at("binary-file", &["binary-file"], "binary-file", "fr.md", place);
}

#[test]
fn fifty_megabyte_line() {
    let (tmp, doc) = valid_document_in_a_new_folder();
    let path = doc.join("fr.md");
    let mut w = BufWriter::new(fs::File::create(&path).unwrap());
    w.write_all("# Conférence des Parties\n\n".as_bytes()).unwrap();
    let chunk = "le trafic illicite de migrants ".repeat(1000);
    let mut written = 0;
    while written < 50_000_000 {
        w.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len();
    }
    w.write_all(b"\n").unwrap();
    w.into_inner().unwrap().sync_all().unwrap();
    let run = validate(tmp.path());
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["line-too-long"], "{}", run.stdout);
    let d = run.one("line-too-long", "error");
    assert_at(d, &format!("{SLUG}/fr.md"), 3, 1);
    assert!(d["message"].as_str().unwrap().contains(&written.to_string()), "{d}");
}

#[test]
fn one_gigabyte_file_is_refused_unread() {
    let (tmp, doc) = valid_document_in_a_new_folder();
    // Sparse: 1 GiB of size, no block written.
    fs::File::create(doc.join("es.md")).unwrap().set_len(1 << 30).unwrap();
    let run = validate(tmp.path());
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["file-too-large"], "{}", run.stdout);
    assert_at(run.one("file-too-large", "error"), &format!("{SLUG}/es.md"), 0, 0);
    // The French version next to it is still read.
    assert_eq!(run.count("expressions"), 1);
    let (code, _, peak_mib) = common::run_with_peak_rss(&["validate".as_ref(), tmp.path().as_os_str()]);
    assert_eq!(code, 1);
    assert!(peak_mib < 64, "peak RSS {peak_mib} MiB on a 1 GiB file");
}

#[test]
fn deeply_nested_markup_is_refused_in_bounded_memory() {
    let (tmp, doc) = valid_document_in_a_new_folder();
    let path = doc.join("fr.md");
    let mut text = fs::read_to_string(&path).unwrap();
    let n = 100_000;
    for hostile in [
        format!("{}texte{}", "<i>".repeat(n), "</i>".repeat(n)),
        format!("{}1{}", "<sup>".repeat(n / 2), "</sup>".repeat(n / 2)),
        format!("{}lien{}", "[".repeat(n), "](#)".repeat(n)),
        format!("{}x", "^{".repeat(n)),
        format!("{}jamais fermé", "**".repeat(n)),
        format!("{}note", "¹".repeat(n)),
    ] {
        text.push_str("\n\n");
        text.push_str(&hostile);
    }
    fs::write(&path, text).unwrap();
    let run = validate(tmp.path());
    assert_eq!(run.code, 1);
    assert!(!run.expect("markup-too-deep", "error").is_empty(), "{}", run.stdout);
    // Each fault is reported, but not a hundred thousand times.
    assert!(run.diagnostics().len() < 1000, "{} diagnostics", run.diagnostics().len());
    let (code, _, peak_mib) = common::run_with_peak_rss(&["validate".as_ref(), tmp.path().as_os_str()]);
    assert_eq!(code, 1);
    assert!(peak_mib < 256, "peak RSS {peak_mib} MiB on a {} byte file", fs::metadata(&path).unwrap().len());
}

// ---------------------------------------------------------------- the parser

#[test]
fn missing_header() {
    warning_at("missing-header", "missing-header", "fr.md", (1, 1));
}

#[test]
fn empty_document() {
    let run = validate(&case("empty-document"));
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["empty-document"], "{}", run.stdout);
    assert_at(run.one("empty-document", "error"), &format!("{SLUG}/fr.md"), 1, 1);
}

#[test]
fn unknown_original_language_name() {
    const CASE: &str = "unknown-language";
    // The original is in document.toml: the build goes on without the header's.
    warning_at(CASE, "unknown-language", "fr.md", line_of(CASE, "fr.md", "Original : klingon"));
}

#[test]
fn several_original_languages_record_the_first() {
    let (tmp, doc) = valid_document_in_a_new_folder();
    let path = doc.join("fr.md");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replace("Original : anglais", "Original : anglais/français")).unwrap();
    let run = validate(tmp.path());
    // document.toml says `en`: the first named agrees with it, so no conflict.
    assert_eq!((run.code, run.codes()), (0, vec!["several-originals"]), "{}", run.stdout);
    let d = run.one("several-originals", "warning");
    assert!(d["message"].as_str().unwrap().contains("`en`"), "{d}");
    assert_at(d, &format!("{SLUG}/fr.md"), 6, 1);
}

#[test]
fn orphan_note_marker() {
    const CASE: &str = "orphan-note-marker";
    let run = warning_at(CASE, "orphan-note-marker", "fr.md", at(CASE, "fr.md", "³"));
    let d = run.one("orphan-note-marker", "warning");
    assert!(d["message"].as_str().unwrap().contains('³'), "{d}");
}

#[test]
fn orphan_note_body() {
    const CASE: &str = "orphan-note-body";
    let run = warning_at(CASE, "orphan-note-body", "fr.md", line_of(CASE, "fr.md", "² Voir"));
    assert!(run.one("orphan-note-body", "warning")["message"].as_str().unwrap().contains('²'));
}

#[test]
fn orphan_note_body_after_a_no_break_space() {
    // `²\u{a0}Voir…`: the separator is two bytes long; accord used to panic slicing after it.
    const CASE: &str = "orphan-note-body-nbsp";
    let run = warning_at(CASE, "orphan-note-body", "fr.md", line_of(CASE, "fr.md", "²\u{a0}Voir"));
    assert!(run.one("orphan-note-body", "warning")["message"].as_str().unwrap().contains('²'));
    // The note `¹\u{a0}Voir…` has its marker: it is not reported.
    assert_eq!(run.count("warnings"), 1);
}

#[test]
fn unclosed_italic_tag() {
    const CASE: &str = "unclosed-markup";
    let run = warning_at(CASE, "unclosed-markup", "fr.md", at(CASE, "fr.md", "<i>"));
    assert!(run.one("unclosed-markup", "warning")["message"].as_str().unwrap().contains("<i>"));
}

#[test]
fn broken_link_without_text() {
    const CASE: &str = "broken-link-empty";
    // Only the broken link: the link target must not be reported as lost text.
    warning_at(CASE, "broken-link", "fr.md", at(CASE, "fr.md", "[](#)"));
}

#[test]
fn broken_link_unclosed() {
    const CASE: &str = "broken-link-unclosed";
    warning_at(CASE, "broken-link", "fr.md", at(CASE, "fr.md", "[CTOC"));
}

#[test]
fn numbering_gap_is_a_warning() {
    const CASE: &str = "numbering-gap";
    let run = warning_at(CASE, "numbering-gap", "fr.md", line_of(CASE, "fr.md", "4. L'observateur"));
    assert!(run.one("numbering-gap", "warning")["message"].as_str().unwrap().contains('4'));
}

#[test]
fn numbering_duplicate_is_a_warning() {
    // At the second paragraph 2, not the first.
    let (line, _) = locate_nth(&doc_file("numbering-duplicate", "fr.md"), "2. Le Groupe".as_bytes(), 1);
    let run = warning_at("numbering-duplicate", "numbering-duplicate", "fr.md", (line, 1));
    let first = line_of("numbering-duplicate", "fr.md", "2. Le Groupe").0;
    assert!(run.one("numbering-duplicate", "warning")["message"].as_str().unwrap().contains(&format!("line {first}")));
}

// ---------------------------------------------------------------- the folder

#[test]
fn unknown_language_file_name() {
    let run = error_at("unknown-language-file", &["unknown-language-file"], "unknown-language-file", "xx.md", (0, 0));
    // fr.md next to it is still read.
    assert_eq!(run.count("expressions"), 1);
}

#[test]
fn unknown_language_file_given_on_the_command_line() {
    let run = validate(&doc_file("unknown-language-file", "xx.md"));
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["unknown-language-file"], "{}", run.stdout);
    assert_at(run.one("unknown-language-file", "error"), "xx.md", 0, 0);
}

#[test]
fn duplicate_language() {
    let run = error_at("duplicate-language", &["duplicate-language"], "duplicate-language", "fr.txt", (0, 0));
    assert_eq!(run.count("expressions"), 1);
}

#[test]
fn no_language_file() {
    let run = validate(&case("no-language-file"));
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["no-language-file"], "{}", run.stdout);
    assert_at(run.one("no-language-file", "error"), &format!("no-language-file/{SLUG}"), 0, 0);
}

#[test]
fn unexpected_file_is_a_warning() {
    warning_at("unexpected-file", "unexpected-file", "notes.docx", (0, 0));
}

#[test]
fn invalid_slug_with_dots() {
    let run = validate(&case("invalid-slug-dotdot"));
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["invalid-slug"], "{}", run.stdout);
    let d = run.one("invalid-slug", "error");
    assert_at(d, "invalid-slug-dotdot/bad..slug", 0, 0);
    assert!(d["message"].as_str().unwrap().contains("bad..slug"));
}

#[test]
fn invalid_slug_with_uppercase() {
    let run = validate(&case("invalid-slug-uppercase"));
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["invalid-slug"], "{}", run.stdout);
    assert_at(run.one("invalid-slug", "error"), "invalid-slug-uppercase/Rapport-WG7", 0, 0);
}

#[test]
fn symlink_loops() {
    let tmp = TempDir::new().unwrap();
    let sources = tmp.path().join("sources");
    fs::create_dir(&sources).unwrap();
    // Two document folders that point at each other…
    symlink("loop-b", sources.join("loop-a")).unwrap();
    symlink("loop-a", sources.join("loop-b")).unwrap();
    // …and a language file that points at itself, next to a good one.
    let doc = sources.join(SLUG);
    copy_valid_document(&doc);
    symlink("es.md", doc.join("es.md")).unwrap();
    let run = validate(&sources);
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["symlink-loop"], "{}", run.stdout);
    let found = run.expect("symlink-loop", "error");
    let mut paths: Vec<&str> = found.iter().map(|d| d["path"].as_str().unwrap()).collect();
    paths.sort();
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert!(paths[0].ends_with("sources/loop-a") && paths[1].ends_with("sources/loop-b"), "{paths:?}");
    assert!(paths[2].ends_with(&format!("{SLUG}/es.md")), "{paths:?}");
    assert_eq!(run.count("documents"), 3);
    assert_eq!(run.count("expressions"), 1);

    // Given on the command line, a looping path cannot be read at all: exit 2.
    let (code, stdout, stderr) = accord(&["validate".as_ref(), sources.join("loop-a").as_os_str(), "--json".as_ref()]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("loop-a: error[symlink-loop]:") && stderr.contains("hint: "), "{stderr}");
}

#[test]
fn symlinks_pointing_outside_the_sources() {
    let tmp = TempDir::new().unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    copy_valid_document(&elsewhere);
    let sources = tmp.path().join("sources");
    fs::create_dir(&sources).unwrap();
    // A document folder that is a link to a folder outside the sources…
    symlink(&elsewhere, sources.join("linked-document")).unwrap();
    // …and a language file linked to a file outside its document folder.
    let doc = sources.join(SLUG);
    fs::create_dir(&doc).unwrap();
    fs::copy(elsewhere.join("document.toml"), doc.join("document.toml")).unwrap();
    symlink(elsewhere.join("fr.md"), doc.join("fr.md")).unwrap();
    let run = validate(&sources);
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["symlink-outside"], "{}", run.stdout);
    let found = run.expect("symlink-outside", "error");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().any(|d| d["path"].as_str().unwrap().ends_with("sources/linked-document")));
    assert!(found.iter().any(|d| d["path"].as_str().unwrap().ends_with(&format!("sources/{SLUG}/fr.md"))));
    // Nothing outside was read.
    assert_eq!(run.count("expressions"), 0);
}

#[test]
fn missing_path_on_the_command_line() {
    let tmp = TempDir::new().unwrap();
    let missing = tmp.path().join("sources-absentes");
    let (code, stdout, stderr) = accord(&["validate".as_ref(), missing.as_os_str(), "--json".as_ref()]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("sources-absentes: error[io]: cannot read:") && stderr.contains("hint: "), "{stderr}");
}

// ---------------------------------------------------------------- document.toml

#[test]
fn unknown_toml_key() {
    let run = validate(&case("unknown-toml-key"));
    assert_eq!(run.code, 1);
    let d = run.one("unknown-toml-key", "error");
    let (line, col) = locate(&doc_file("unknown-toml-key", "document.toml"), "langue_originale");
    assert_at(d, &format!("unknown-toml-key/{SLUG}/document.toml"), line, col);
    assert!(d["message"].as_str().unwrap().contains("langue_originale"), "{d}");
    // Without its document.toml, the document still gets the header's checks.
    assert_eq!(run.codes(), ["original-not-available", "unknown-toml-key"], "{}", run.stdout);
}

#[test]
fn invalid_toml_syntax() {
    let run = validate(&case("invalid-toml"));
    assert_eq!(run.code, 1);
    let d = run.one("invalid-toml", "error");
    let (line, _) = locate(&doc_file("invalid-toml", "document.toml"), "kind = \"report");
    assert_at(d, &format!("invalid-toml/{SLUG}/document.toml"), line, "kind = \"report".chars().count() as u64 + 1);
    assert_eq!(run.codes(), ["invalid-toml", "original-not-available"], "{}", run.stdout);
}

#[test]
fn invalid_language_code_in_toml() {
    let run = validate(&case("invalid-language-code"));
    assert_eq!(run.code, 1);
    let d = run.one("invalid-language-code", "error");
    let (line, _) = locate(&doc_file("invalid-language-code", "document.toml"), "original_language = \"english\"");
    assert_at(d, &format!("invalid-language-code/{SLUG}/document.toml"), line, 1);
    assert!(d["message"].as_str().unwrap().contains("english"), "{d}");
}

#[test]
fn invalid_date_in_toml() {
    const CASE: &str = "invalid-date";
    let run =
        error_at(CASE, &["invalid-date"], "invalid-date", "document.toml", line_of(CASE, "document.toml", "date = "));
    assert!(run.one("invalid-date", "error")["message"].as_str().unwrap().contains("2019-02-30"));
}

#[test]
fn absent_but_present() {
    const CASE: &str = "absent-but-present";
    // Located on the `fr = …` line of the `[absent]` table.
    error_at(
        CASE,
        &["absent-but-present"],
        "absent-but-present",
        "document.toml",
        line_of(CASE, "document.toml", "fr = "),
    );
}

#[test]
fn pivot_missing() {
    const CASE: &str = "pivot-missing";
    error_at(CASE, &["pivot-missing"], "pivot-missing", "document.toml", line_of(CASE, "document.toml", "pivot = "));
}

#[test]
fn unusual_symbol_is_a_warning() {
    const CASE: &str = "unusual-symbol";
    warning_at(CASE, "unusual-symbol", "document.toml", line_of(CASE, "document.toml", "symbol = "));
}

// ---------------------------------------------------------------- languages

#[test]
fn original_language_conflict_between_versions() {
    const CASE: &str = "original-language-conflict";
    let run = error_at(
        CASE,
        &["original-language-conflict"],
        "original-language-conflict",
        "fr.md",
        line_of(CASE, "fr.md", "Original : anglais"),
    );
    let d = run.one("original-language-conflict", "error");
    assert!(d["message"].as_str().unwrap().contains("`en`"), "{d}");
}

#[test]
fn original_language_conflict_with_toml() {
    const CASE: &str = "original-language-conflict-toml";
    let run = error_at(
        CASE,
        &["original-language-conflict"],
        "original-language-conflict",
        "fr.md",
        line_of(CASE, "fr.md", "Original : anglais"),
    );
    assert!(run.one("original-language-conflict", "error")["message"].as_str().unwrap().contains("document.toml"));
}

#[test]
fn original_language_missing() {
    let run = validate(&case("original-language-missing"));
    assert_eq!(run.code, 1);
    assert_eq!(run.codes(), ["header-incomplete", "original-language-missing"], "{}", run.stdout);
    assert_at(run.one("original-language-missing", "error"), &format!("{SLUG}/fr.md"), 1, 1);
    assert!(run.one("header-incomplete", "warning")["message"].as_str().unwrap().contains("Original"));
}

#[test]
fn original_not_available_is_a_warning() {
    let run = validate(&case("original-not-available"));
    assert_eq!(run.code, 0);
    assert_eq!(run.codes(), ["original-not-available"], "{}", run.stdout);
    // A document-level problem is located at the document folder, a path one can open.
    assert_at(run.one("original-not-available", "warning"), &format!("original-not-available/{SLUG}"), 0, 0);
}

#[test]
fn header_language_mismatch() {
    const CASE: &str = "header-language-mismatch";
    let run = error_at(
        CASE,
        &["header-language-mismatch"],
        "header-language-mismatch",
        "fr.md",
        line_of(CASE, "fr.md", "Español"),
    );
    assert!(run.one("header-language-mismatch", "error")["message"].as_str().unwrap().contains("`es`"));
}

#[test]
fn header_incomplete_is_a_warning() {
    let run = validate(&case("header-incomplete"));
    assert_eq!(run.code, 0);
    assert_eq!(run.codes(), ["header-incomplete"], "{}", run.stdout);
    let d = run.one("header-incomplete", "warning");
    assert!(d["message"].as_str().unwrap().contains("date"), "{d}");
    // At the first line of the header.
    let (line, col) = line_of("header-incomplete", "fr.md", "# Conférence");
    assert_at(d, &format!("{SLUG}/fr.md"), line, col);
}

// ---------------------------------------------------------------- whole runs

#[test]
fn other_documents_in_the_same_run_are_still_processed() {
    let sources = case("mixed-valid-and-broken");
    let run = validate(&sources);
    assert_eq!(run.code, 1);
    assert_eq!(run.count("documents"), 2);
    assert_eq!(run.count("expressions"), 2);
    let broken = format!("{SLUG}-addendum/fr.md");
    assert_at(run.one("original-language-conflict", "error"), &broken, 6, 1);
    assert_at(run.one("unclosed-markup", "warning"), &broken, 17, 38);
    let valid = format!("/{SLUG}/");
    assert!(
        run.diagnostics().iter().all(|d| !d["path"].as_str().unwrap().contains(&valid)),
        "the valid document got diagnostics:\n{}",
        run.stdout
    );
    // On its own the valid document passes.
    let alone = validate(&sources.join(SLUG));
    assert_eq!((alone.code, alone.count("documents"), alone.diagnostics().len()), (0, 1, 0), "{}", alone.stdout);
}

#[test]
fn no_fixture_makes_accord_panic() {
    let mut cases: Vec<PathBuf> = fs::read_dir(fixtures()).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 22, "{} cases", cases.len());
    let mut paths: Vec<PathBuf> = Vec::new();
    for case in &cases {
        paths.push(case.clone());
        for doc in fs::read_dir(case).unwrap() {
            let doc = doc.unwrap().path();
            paths.push(doc.clone());
            if doc.is_dir() {
                paths.extend(fs::read_dir(&doc).unwrap().map(|f| f.unwrap().path()));
            }
        }
    }
    for path in &paths {
        // `accord` asserts that stderr never says `panicked`; `validate` that the report holds.
        let run = validate(path);
        assert!(matches!(run.code, 0 | 1), "{}: exit {}\n{}", path.display(), run.code, run.stderr);
        // The text report too: every diagnostic as `path:line:col: severity[code]: message`.
        let (code, _, stderr) = accord(&["validate".as_ref(), path.as_os_str()]);
        assert_eq!(code, run.code, "{}", path.display());
        let shown = stderr.lines().filter(|l| l.contains(": error[") || l.contains(": warning[")).count();
        assert_eq!(shown, run.diagnostics().len(), "{}:\n{stderr}", path.display());
        // And the model dump must not panic either.
        accord(&["inspect".as_ref(), path.as_os_str()]);
    }
    // Every case but the mixed one reports at least one diagnostic.
    for case in cases.iter().filter(|c| !c.ends_with("mixed-valid-and-broken")) {
        assert!(!validate(case).diagnostics().is_empty(), "{} reports nothing", case.display());
    }
}
