//! Source formats → the document model.
//!
//! `sources/<slug>/` holds `document.toml` and one `<lang>.md` or `<lang>.txt` per language.
//! Loading never stops at the first problem: each document is read on its own, and what
//! cannot be read is reported as a [`Diagnostic`] while the other documents go on.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::diag::{Diagnostic, Location, display_path};
use crate::digest::sha256_hex;
use crate::lang;
use crate::model::{Document, Expression, HeaderField, Metadata, SourceFormat};
use crate::scan::skip_blocks;
use coverage::Coverage;

pub mod coverage;
pub mod inline;
pub mod lexical;
pub mod markdown;
pub mod text;

/// Files larger than this are refused: a language version of an official document is a few
/// megabytes at most, and the limit bounds memory on hostile input.
pub const MAX_FILE_BYTES: u64 = 256 << 20;
/// Lines longer than this are not paragraphs but damage (or an attack).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// `document.toml`: what the text does not say or says wrongly (DESIGN §2).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentToml {
    pub symbol: Option<String>,
    pub body: Option<String>,
    pub kind: Option<String>,
    pub date: Option<String>,
    pub original_language: Option<String>,
    pub pivot: Option<String>,
    #[serde(default)]
    pub title: BTreeMap<String, String>,
    pub licence: Option<String>,
    pub provenance: Option<String>,
    /// Language versions that exist but are not available (language → why).
    #[serde(default)]
    pub absent: BTreeMap<String, String>,
}

/// `alignment.toml`: groups a reviewer pinned, which the aligner keeps as they are, and
/// groups a reviewer rejected.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlignmentToml {
    /// Each pin: unit eIds per language.
    #[serde(default)]
    pub pin: Vec<BTreeMap<String, Vec<String>>>,
    /// Each rejected group: unit eIds per language.
    #[serde(default)]
    pub reject: Vec<BTreeMap<String, Vec<String>>>,
}

/// A document as loaded: the model when it could be built, and every problem met.
pub struct Loaded {
    pub slug: String,
    pub dir: PathBuf,
    pub document: Option<Document>,
    /// The `document.toml` as written, with its text, for validation with locations.
    pub toml: Option<(DocumentToml, String)>,
    /// The `alignment.toml` as written, with its text.
    pub pins: Option<(AlignmentToml, String)>,
    /// The source files read (language files, `document.toml`, `alignment.toml`), in name
    /// order; one that could not be read is not among them, a diagnostic says why.
    pub files: Vec<SourceFile>,
    /// Bytes of the language files read.
    pub bytes: u64,
    /// When asked for, how each expression's model accounts for its source, in the order of
    /// the document's expressions: counted on the very text parsed, while it is at hand.
    pub coverage: Vec<Coverage>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A source file as ingest read it: the release's manifest names its inputs by these bytes,
/// the very ones parsed, so a file that changes while the build runs cannot be named by bytes
/// it was not made from.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub bytes: usize,
    /// Of the bytes read. Validation has no use for it, but hashing (1.35 GB/s on one thread)
    /// costs it about a tenth, less than a second way to load would cost to keep.
    pub sha256: String,
}

/// What to load: document folders, or single language files.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    Document(PathBuf),
    File(PathBuf),
}

/// Expands command-line paths: a file, a document folder (it has `document.toml` or
/// language files), or a folder of document folders.
pub fn targets(paths: &[PathBuf]) -> Result<Vec<Target>, Diagnostic> {
    let mut out = Vec::new();
    for path in paths {
        let meta = fs::metadata(path).map_err(|e| io_diagnostic(path, &e))?;
        if meta.is_file() {
            out.push(Target::File(path.clone()));
        } else if is_document_dir(path) {
            out.push(Target::Document(path.clone()));
        } else {
            let mut dirs = Vec::new();
            for entry in fs::read_dir(path).map_err(|e| io_diagnostic(path, &e))? {
                let entry = entry.map_err(|e| io_diagnostic(path, &e))?;
                let child = entry.path();
                // A symlinked folder is listed so that its loading reports where it points.
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir() || t.is_symlink());
                if is_dir && !entry.file_name().to_string_lossy().starts_with('.') {
                    dirs.push(Target::Document(child));
                }
            }
            dirs.sort();
            out.extend(dirs);
        }
    }
    Ok(out)
}

/// Asks the system to start reading into its cache the files [`load_document`] will read for
/// `target`, without waiting for them. Files a while unread are often no longer in memory (a
/// scheduled release, a machine that reclaims idle cache), and a document read from the disk
/// keeps its worker idle: read ahead of the workers, its files are there when they come to it.
/// A hint only: what cannot be opened here is reported when the document is loaded.
pub fn read_ahead(target: &Target) {
    let advise = |path: &Path| {
        #[cfg(target_os = "linux")]
        if let Ok(file) = fs::File::open(path) {
            use std::os::fd::AsRawFd;
            // SAFETY: the descriptor is open for the duration of the call.
            unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_WILLNEED) };
        }
        // Elsewhere reading the file has the same effect, at the cost of a copy.
        #[cfg(not(target_os = "linux"))]
        let _ = fs::read(path);
    };
    match target {
        Target::File(path) => advise(path),
        Target::Document(dir) => {
            for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                let read = matches!(entry.file_name().to_str(), Some("document.toml" | "alignment.toml"))
                    || language_file(&path).is_some();
                if read && entry.file_type().is_ok_and(|t| t.is_file()) {
                    advise(&path);
                }
            }
        }
    }
}

/// The ISO 639-1 codes of the language files in the document folder `dir`, as listed; none
/// when it cannot be read (loading it reports why).
pub fn language_codes(dir: &Path) -> Vec<String> {
    let files = fs::read_dir(dir).into_iter().flatten().flatten();
    files
        .filter_map(|entry| language_file(&entry.path()))
        .map(|(code, _)| code)
        .filter(|c| lang::is_iso639_1(c))
        .collect()
}

fn is_document_dir(path: &Path) -> bool {
    path.join("document.toml").exists()
        || fs::read_dir(path).is_ok_and(|rd| rd.flatten().any(|e| language_file(&e.path()).is_some()))
}

/// The language code and format of a `<lang>.md|.txt` file name.
fn language_file(path: &Path) -> Option<(String, SourceFormat)> {
    let format = match path.extension()?.to_str()? {
        "md" => SourceFormat::Md,
        "txt" => SourceFormat::Txt,
        _ => return None,
    };
    Some((path.file_stem()?.to_str()?.to_string(), format))
}

pub fn io_diagnostic(path: &Path, e: &io::Error) -> Diagnostic {
    // ELOOP: too many levels of symbolic links.
    if e.raw_os_error() == Some(40) {
        return Diagnostic::error(
            "symlink-loop",
            Location::file(path),
            "symbolic links form a loop",
            "replace the link by the folder or file it should point to",
        );
    }
    Diagnostic::error(
        "io",
        Location::file(path),
        format!("cannot read: {e}"),
        "check that the path exists and is readable",
    )
}

/// Loads every target in parallel; results come in target order whatever the thread count.
pub fn load_all(targets: &[Target], account: bool) -> Vec<Loaded> {
    targets.par_iter().map(|t| load(t, account)).collect()
}

/// Loads a target; `account` also counts, for each expression, what its model holds of the
/// source ([`Loaded::coverage`]).
pub fn load(target: &Target, account: bool) -> Loaded {
    match target {
        Target::Document(dir) => load_document(dir, account),
        Target::File(file) => load_file(file, account),
    }
}

/// Whether a slug is lowercase ASCII letters, digits, dashes and underscores, starting with
/// a letter or digit (so never `..`).
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 128
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && slug.as_bytes()[0].is_ascii_alphanumeric()
}

/// Loads a document folder. Symbolic links must stay inside the folder that holds it
/// (the sources), so a source tree cannot pull in files from elsewhere.
pub fn load_document(dir: &Path, account: bool) -> Loaded {
    let root = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let slug = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut loaded = Loaded::nothing_yet(&slug, dir);
    if !is_valid_slug(&slug) {
        loaded.diagnostics.push(Diagnostic::error(
            "invalid-slug",
            Location::file(dir),
            format!("document folder name `{slug}` is not a valid slug"),
            "use lowercase ASCII letters, digits and dashes, e.g. `ctoc-cop-wg7-2022-1`",
        ));
        return loaded;
    }
    if let Err(d) = check_inside(dir, root) {
        loaded.diagnostics.push(d);
        return loaded;
    }
    let entries = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            loaded.diagnostics.push(io_diagnostic(dir, &e));
            return loaded;
        }
    };
    // The entry's type comes with the directory listing: only symbolic links cost a lookup.
    let mut paths: Vec<(PathBuf, bool)> =
        entries.flatten().map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_symlink()))).collect();
    paths.sort();
    let mut expressions: Vec<(Expression, Option<Coverage>)> = Vec::new();
    let mut buf = READ_BUFFER.take();
    for (path, is_symlink) in paths {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if let Err(d) = check_symlink(&path, is_symlink, dir) {
            loaded.diagnostics.push(d);
            continue;
        }
        if name == "alignment.toml" {
            match loaded
                .read_source(&path, &mut buf)
                .and_then(|text| parse_alignment_toml(&path, text).map(|a| (a, text.into())))
            {
                Ok((a, text)) => loaded.pins = Some((a, text)),
                Err(d) => loaded.diagnostics.push(d),
            }
            continue;
        }
        if name == "document.toml" {
            match loaded.read_source(&path, &mut buf) {
                Ok(text) => match parse_toml(&path, text) {
                    Ok(toml) => loaded.toml = Some((toml, text.to_owned())),
                    Err(d) => loaded.diagnostics.push(d),
                },
                Err(d) => loaded.diagnostics.push(d),
            }
            continue;
        }
        let Some((code, format)) = language_file(&path) else {
            loaded.diagnostics.push(Diagnostic::warning(
                "unexpected-file",
                Location::file(&path),
                format!("`{name}` is neither `document.toml` nor a language file"),
                "language files are named by their ISO 639-1 code: `fr.md`, `en.txt`",
            ));
            continue;
        };
        if !lang::is_iso639_1(&code) {
            loaded.diagnostics.push(Diagnostic::error(
                "unknown-language-file",
                Location::file(&path),
                format!("`{name}`: `{code}` is not an ISO 639-1 language code"),
                "name language files by their two-letter code: `ar en es fr ru zh`",
            ));
            continue;
        }
        if expressions.iter().any(|(e, _)| e.lang == code) {
            loaded.diagnostics.push(Diagnostic::error(
                "duplicate-language",
                Location::file(&path),
                format!("a second `{code}` version"),
                "keep one file per language: `fr.md` or `fr.txt`, not both",
            ));
            continue;
        }
        if let Some(read) = loaded.read_expression(&path, &code, format, account, &mut buf) {
            expressions.push(read);
        }
    }
    if expressions.is_empty() && loaded.diagnostics.iter().all(|d| !d.is_error()) {
        loaded.diagnostics.push(Diagnostic::error(
            "no-language-file",
            Location::file(dir),
            "the document folder holds no language version",
            "add at least one `<lang>.md` or `<lang>.txt`",
        ));
    }
    if buf.len() <= FIRST_READ {
        READ_BUFFER.set(buf);
    }
    expressions.sort_by(|(a, _), (b, _)| a.lang.cmp(&b.lang));
    let (expressions, coverage): (Vec<Expression>, Vec<Option<Coverage>>) = expressions.into_iter().unzip();
    loaded.coverage = coverage.into_iter().flatten().collect();
    let metadata = metadata(loaded.toml.as_ref().map(|(t, _)| t), &expressions);
    let (pins, rejects) = loaded.pins.as_ref().map(|(a, _)| (a.pin.clone(), a.reject.clone())).unwrap_or_default();
    loaded.document = Some(Document { slug, metadata, expressions, pins, rejects });
    loaded
}

/// A single language file, as a document of one expression.
pub fn load_file(path: &Path, account: bool) -> Loaded {
    let slug = path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut loaded = Loaded::nothing_yet(&slug, path.parent().unwrap_or(Path::new(".")));
    let Some((code, format)) = language_file(path).filter(|(c, _)| lang::is_iso639_1(c)) else {
        loaded.diagnostics.push(Diagnostic::error(
            "unknown-language-file",
            Location::file(path),
            "the file name does not give an ISO 639-1 language code",
            "name language files by their two-letter code: `fr.md`, `en.txt`",
        ));
        return loaded;
    };
    if let Some((expression, coverage)) = loaded.read_expression(path, &code, format, account, &mut Vec::new()) {
        loaded.coverage.extend(coverage);
        let metadata = metadata(None, std::slice::from_ref(&expression));
        loaded.document =
            Some(Document { slug, metadata, expressions: vec![expression], pins: Vec::new(), rejects: Vec::new() });
    }
    loaded
}

/// A path must stay inside `root` once symbolic links are followed.
fn check_inside(path: &Path, root: &Path) -> Result<(), Diagnostic> {
    let is_symlink = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    check_symlink(path, is_symlink, root)
}

fn check_symlink(path: &Path, is_symlink: bool, root: &Path) -> Result<(), Diagnostic> {
    if !is_symlink {
        return Ok(());
    }
    let target = fs::canonicalize(path).map_err(|e| io_diagnostic(path, &e))?;
    let root = fs::canonicalize(root).map_err(|e| io_diagnostic(root, &e))?;
    if target.starts_with(&root) {
        Ok(())
    } else {
        Err(Diagnostic::error(
            "symlink-outside",
            Location::file(path),
            format!("symbolic link points outside the sources, to {}", display_path(&target)),
            "copy the file into the document folder instead of linking to it",
        ))
    }
}

/// Reads a source file as text: refuses what is too large, binary, not UTF-8, or made of
/// lines too long to be paragraphs.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    read_text_in(path, &mut Vec::new()).map(str::to_owned)
}

/// Bytes read before a file's size is asked for: a language version is rarely larger, so
/// most are read without the `statx`.
const FIRST_READ: usize = 64 << 10;

thread_local! {
    /// The read buffer of [`load_document`], kept from one document to the next by each
    /// thread (when no larger than [`FIRST_READ`], so a large file does not stay in memory):
    /// allocating and zeroing it for every document cost more than reading small files.
    static READ_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// [`read_text`] into `buf`, reused from file to file: a document's files take one
/// allocation, and the text is parsed where it was read instead of from a copy.
pub fn read_text_in<'b>(path: &Path, buf: &'b mut Vec<u8>) -> Result<&'b str, Diagnostic> {
    read_bytes_in(path, buf).and_then(|bytes| check_bytes(path, bytes))
}

/// The bytes of a file no larger than [`MAX_FILE_BYTES`], read into `buf`.
fn read_bytes_in<'b>(path: &Path, buf: &'b mut Vec<u8>) -> Result<&'b [u8], Diagnostic> {
    let mut file = fs::File::open(path).map_err(|e| io_diagnostic(path, &e))?;
    let len = read_to_end(&mut file, buf).map_err(|e| io_diagnostic(path, &e))?;
    if len > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            "file-too-large",
            Location::file(path),
            format!("{len} bytes, more than the {} MiB limit", MAX_FILE_BYTES >> 20),
            "split the document, or check that this is the right file",
        ));
    }
    Ok(&buf[..len as usize])
}

/// Reads `file` to its end into `buf`, whose length is what can be read into it (zeroed once,
/// then kept); returns the file's length. The open file's size, not the path's, is asked
/// only when the buffer is full: a file over [`MAX_FILE_BYTES`] is refused by its size
/// without being read, and one that grows while read stays bounded.
fn read_to_end(file: &mut fs::File, buf: &mut Vec<u8>) -> io::Result<u64> {
    use std::io::Read;
    if buf.len() < FIRST_READ {
        buf.resize(FIRST_READ, 0);
    }
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            let size = file.metadata()?.len();
            if size > MAX_FILE_BYTES || filled as u64 > MAX_FILE_BYTES {
                return Ok(size.max(filled as u64));
            }
            // One byte over the size leaves room for the read that finds the end.
            buf.resize((size as usize + 1).max(2 * filled).min(MAX_FILE_BYTES as usize + 1), 0);
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => return Ok(filled as u64),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn check_bytes<'b>(path: &Path, bytes: &'b [u8]) -> Result<&'b str, Diagnostic> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Diagnostic::error(
            "empty-file",
            Location::file(path),
            "the file is empty",
            "remove the file, or put the language version in it",
        ));
    }
    if let Some(at) = memchr::memchr(0, bytes) {
        let (line, col) = line_col(bytes, at);
        return Err(Diagnostic::error(
            "binary-file",
            Location::new(&display_path(path), line, col),
            "NUL byte: this is a binary file, not text",
            "export the document as UTF-8 Markdown or plain text",
        ));
    }
    let mut line_start = 0;
    for (i, end) in memchr::memchr_iter(b'\n', bytes).chain([bytes.len()]).enumerate() {
        if end - line_start > MAX_LINE_BYTES {
            return Err(Diagnostic::error(
                "line-too-long",
                Location::new(&display_path(path), i as u32 + 1, 1),
                format!("a line of {} bytes, more than the {} KiB limit", end - line_start, MAX_LINE_BYTES >> 10),
                "a paragraph per line is expected; check the file's line ends",
            ));
        }
        line_start = end + 1;
    }
    // SIMD validation: cheaper than the standard library's scalar check.
    simdutf8::compat::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let (line, col) = line_col(bytes, at);
        Diagnostic::error(
            "not-utf8",
            Location::new(&display_path(path), line, col),
            format!("invalid UTF-8 at byte {at}"),
            "convert the file to UTF-8 (e.g. `iconv -f windows-1252 -t utf-8`)",
        )
    })
}

fn line_col(bytes: &[u8], at: usize) -> (u32, u32) {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() as u32 + 1;
    (line, col)
}

/// The lines of `text` as `text.split('\n')` gives them, found with a vectorised search.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]).map(move |end| {
        let line = &text[start..end];
        start = end + 1;
        line
    })
}

/// [`normalise`], and in Markdown its entities (`&amp;`, `&nbsp;`, `&#39;`) read as the
/// characters they stand for, as Markdown does.
pub fn normalise_as(text: &str, format: SourceFormat) -> Cow<'_, str> {
    // Entities first: `&shy;` and `&#xFB01;` are glyphs that are not text, too.
    match format {
        SourceFormat::Md => match markdown::decode_entities(text) {
            Some(decoded) => {
                let changed = match normalise(&decoded) {
                    Cow::Owned(normalised) => Some(normalised),
                    Cow::Borrowed(_) => None,
                };
                Cow::Owned(changed.unwrap_or(decoded))
            }
            None => normalise(text),
        },
        SourceFormat::Txt => normalise(text),
    }
}

/// NFC, and one line-end convention: PDF extractions mix decomposed accents and CR LF. They
/// also keep glyphs that are not text (see [`write_out_glyphs`]).
pub fn normalise(text: &str) -> Cow<'_, str> {
    let text: Cow<str> = if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    };
    let text = match write_out_glyphs(&text) {
        Some(plain) => Cow::Owned(plain),
        None => text,
    };
    let runs = unnormalised_runs(&text);
    if runs.is_empty() {
        return text;
    }
    // Only the runs change; a run starts one character early, as its first mark may compose
    // with the character before it.
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in runs {
        let start = text[..start].char_indices().next_back().map_or(0, |(i, _)| i).max(copied);
        out.push_str(&text[copied..start]);
        out.extend(text[start..end].nfc());
        copied = end;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The Latin ligatures of fonts (`ﬁ`, U+FB00 to U+FB06) written out, and soft hyphens and
/// zero-width spaces dropped: a PDF extraction keeps them, and they split words for search and
/// translation memories (and hide a header's `English`). A soft hyphen after a letter at the
/// end of a line that text follows stays, for it marks a word the line broke. `None` when
/// there is nothing to change.
fn write_out_glyphs(text: &str) -> Option<String> {
    const SOFT_HYPHEN: &[u8] = "\u{ad}".as_bytes();
    // The ligatures' UTF-8 is EF AC 80 to EF AC 86.
    const LIGATURE_LEAD: &[u8] = b"\xEF\xAC";
    let bytes = text.as_bytes();
    let breaks_word = |at: usize| {
        text[..at].chars().next_back().is_some_and(char::is_alphabetic)
            && bytes.get(at + 2) == Some(&b'\n')
            && bytes.get(at + 3).is_some_and(|&b| b != b'\n')
    };
    let soft = memchr::memmem::find_iter(bytes, SOFT_HYPHEN).any(|at| !breaks_word(at));
    let ligature = memchr::memmem::find_iter(bytes, LIGATURE_LEAD)
        .any(|at| bytes.get(at + 2).is_some_and(|b| (0x80..=0x86).contains(b)));
    let zero_width = memchr::memmem::find(bytes, "\u{200b}".as_bytes()).is_some();
    if !soft && !ligature && !zero_width {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        match c {
            '\u{ad}' if !breaks_word(at) => {}
            '\u{200b}' => {}
            '\u{fb00}' => out.push_str("ff"),
            '\u{fb01}' => out.push_str("fi"),
            '\u{fb02}' => out.push_str("fl"),
            '\u{fb03}' => out.push_str("ffi"),
            '\u{fb04}' => out.push_str("ffl"),
            '\u{fb05}' | '\u{fb06}' => out.push_str("st"),
            c => out.push(c),
        }
    }
    Some(out)
}

/// The byte ranges that the NFC quick check does not pass, found by checking only the
/// characters that need it: those outside the ranges of starters that no normalisation
/// changes or composes with (Latin below the combining marks, Cyrillic and Arabic letters,
/// CJK ideographs and punctuation, general punctuation). Such a starter resets the check's
/// state, so checking the runs between them alone is exact.
fn unnormalised_runs(text: &str) -> Vec<(usize, usize)> {
    let plain = |c: char| {
        matches!(c,
            '\0'..='\u{2ff}'
            | '\u{400}'..='\u{482}' | '\u{48a}'..='\u{52f}'
            | '\u{600}'..='\u{60f}' | '\u{61b}'..='\u{64a}' | '\u{660}'..='\u{66f}'
            | '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205e}' | '\u{2070}'..='\u{20cf}'
            | '\u{3000}'..='\u{3029}' | '\u{3030}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}'
            | '\u{ff01}'..='\u{ff60}')
    };
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut i = 0;
    while let Some(at) = next_look(bytes, i) {
        let run = &text[at..];
        let end = run.find(plain).unwrap_or(run.len());
        if end == 0 {
            i = at + run.chars().next().map_or(1, char::len_utf8);
            continue;
        }
        if is_nfc_quick(run[..end].chars()) != IsNormalized::Yes {
            runs.push((at, at + end));
        }
        i = at + end;
    }
    runs
}

/// The first character from `from` that [`unnormalised_runs`] must decode.
fn next_look(bytes: &[u8], mut from: usize) -> Option<usize> {
    let byte = |k: usize| bytes.get(k).copied().unwrap_or(0);
    loop {
        // The cheapest test first: ASCII and Latin text has no lead byte from U+0300 up.
        let high = skip_blocks(bytes, from, |b, _, _| b >= 0xCC);
        from = skip_blocks(bytes, high, |b, next, _| needs_look(b, next));
        if from == high {
            break;
        }
    }
    (from..bytes.len()).find(|&k| needs_look(bytes[k], byte(k + 1)))
}

/// Whether the character that starts with byte `b`, then `next`, may be other than a plain
/// starter; continuation bytes never are. By lead byte: below U+0300, Cyrillic
/// U+0400…U+047F, Arabic letters, digits and punctuation (not the marks among them), and CJK
/// U+4000…U+9FFF are plain without decoding.
fn needs_look(b: u8, next: u8) -> bool {
    let other_lead = b >= 0xCC && !matches!(b, 0xD0 | 0xD1 | 0xD8..=0xDB | 0xE4..=0xE9);
    let arabic_mark = (b == 0xD8) & (next.wrapping_sub(0x90) <= 0x0A)
        | (b == 0xD9) & ((next.wrapping_sub(0x8B) <= 0x14) | (next == 0xB0))
        | (b == 0xDB) & (next > 0x95);
    other_lead | arabic_mark
}

impl Loaded {
    /// A document `slug` in `dir` before anything of it is read.
    fn nothing_yet(slug: &str, dir: &Path) -> Loaded {
        Loaded {
            slug: slug.to_string(),
            dir: dir.to_path_buf(),
            document: None,
            toml: None,
            pins: None,
            files: Vec::new(),
            bytes: 0,
            coverage: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// [`read_text_in`], recording the file with the bytes read, text or not: the manifest
    /// names what was read, and a file refused as text fails the build anyway.
    fn read_source<'b>(&mut self, path: &Path, buf: &'b mut Vec<u8>) -> Result<&'b str, Diagnostic> {
        let bytes = read_bytes_in(path, buf)?;
        self.files.push(SourceFile { path: path.to_path_buf(), bytes: bytes.len(), sha256: sha256_hex(bytes) });
        check_bytes(path, bytes)
    }

    /// Reads and parses one language file, counting its bytes; `account` adds the model's
    /// [`Coverage`] of the text.
    fn read_expression(
        &mut self,
        path: &Path,
        code: &str,
        format: SourceFormat,
        account: bool,
        buf: &mut Vec<u8>,
    ) -> Option<(Expression, Option<Coverage>)> {
        let text = match self.read_source(path, buf) {
            Ok(t) => t,
            Err(d) => {
                self.diagnostics.push(d);
                return None;
            }
        };
        self.bytes += text.len() as u64;
        let normalised = normalise_as(text, format);
        let expression = parse_normalised(&display_path(path), code, format, &normalised, &mut self.diagnostics);
        let accounting = account.then(|| coverage::coverage(&normalised, &expression));
        Some((expression, accounting))
    }
}

/// Parses one language version from its text.
pub fn parse_expression(
    path: &str,
    code: &str,
    format: SourceFormat,
    text: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Expression {
    parse_normalised(path, code, format, &normalise_as(text, format), diagnostics)
}

/// [`parse_expression`] of a text already normalised with [`normalise_as`].
fn parse_normalised(
    path: &str,
    code: &str,
    format: SourceFormat,
    normalised: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Expression {
    match format {
        SourceFormat::Md => {
            let parsed = markdown::parse(path, code, normalised);
            diagnostics.extend(parsed.diagnostics);
            parsed.expression
        }
        SourceFormat::Txt => text::parse(path, code, normalised),
    }
}

pub fn parse_toml(path: &Path, text: &str) -> Result<DocumentToml, Diagnostic> {
    parse_toml_as(
        path,
        text,
        "document.toml keys: symbol, body, kind, date, original_language, pivot, title.<lang>, licence, provenance, absent.<lang>",
    )
}

pub fn parse_alignment_toml(path: &Path, text: &str) -> Result<AlignmentToml, Diagnostic> {
    parse_toml_as(path, text, "alignment.toml holds `[[pin]]` and `[[reject]]` tables of `<lang> = [\"<eid>\", …]`")
}

fn parse_toml_as<T: serde::de::DeserializeOwned>(path: &Path, text: &str, hint: &str) -> Result<T, Diagnostic> {
    toml::from_str::<T>(text).map_err(|e| {
        let (line, col) = e.span().map_or((1, 1), |span| line_col(text.as_bytes(), span.start.min(text.len())));
        let message = e.message().to_string();
        let code = if message.contains("unknown field") { "unknown-toml-key" } else { "invalid-toml" };
        Diagnostic::error(code, Location::new(&display_path(path), line, col), message, hint)
    })
}

/// The document's metadata: `document.toml` first, then what the headers state.
fn metadata(toml: Option<&DocumentToml>, expressions: &[Expression]) -> Metadata {
    let toml = toml.cloned().unwrap_or_default();
    let from_headers = |field: HeaderField, value: bool| {
        expressions.iter().find_map(|e| {
            e.header.get(field).and_then(|l| if value { l.value.clone() } else { Some(l.text.text.clone()) })
        })
    };
    let mut title = toml.title;
    for e in expressions {
        if let Some(line) = e.header.get(HeaderField::Title) {
            title.entry(e.lang.clone()).or_insert_with(|| line.text.text.clone());
        }
    }
    Metadata {
        symbol: toml.symbol.or_else(|| from_headers(HeaderField::Symbol, false)),
        body: toml.body.or_else(|| from_headers(HeaderField::Body, false)),
        kind: toml.kind,
        date: toml.date.or_else(|| from_headers(HeaderField::Date, true)),
        original_language: toml.original_language.or_else(|| from_headers(HeaderField::Original, true)),
        pivot: toml.pivot,
        title,
        licence: toml.licence,
        provenance: toml.provenance,
        absent: toml.absent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalise_composes_and_reorders_only_where_needed() {
        assert!(matches!(normalise("Déclaration — 联合国 «Право»"), Cow::Borrowed(_)));
        assert_eq!(normalise("De\u{301}claration"), "Déclaration");
        // Glyphs that are not text: ligatures written out, soft hyphens dropped but at a line end.
        assert_eq!(
            normalise("la dé\u{fb01}nition o\u{fb03}cielle, Englis\u{ad}h"),
            "la définition officielle, English"
        );
        assert_eq!(normalise("demobi\u{ad}\nlization"), "demobi\u{ad}\nlization");
        assert_eq!(normalise("Total\u{ad}\n\n\u{ad}Le texte"), "Total\n\nLe texte");
        assert_eq!(normalise("Original: \u{200b}English"), "Original: English");
        assert!(matches!(normalise("حرب ﻻ"), Cow::Borrowed(_)));
        // Arabic shadda (ccc 33) before fatha (ccc 30) is not canonical order.
        assert_eq!(normalise("\u{645}\u{651}\u{64e}"), "\u{645}\u{64e}\u{651}");
        assert_eq!(normalise("a\r\nb\rc"), "a\nb\nc");
        // Only the runs change, wherever they sit.
        let mixed = "Le\u{301}gal \u{645}\u{651}\u{64e} fin e\u{301}";
        assert_eq!(normalise(mixed), mixed.nfc().collect::<String>());
    }
}
