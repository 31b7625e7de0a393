//! A release's `manifest.json`: what made it (version, date, options), what it holds
//! (counts, diagnostics by code) and the size and sha256 of every input and output. The
//! build writes it last; `accord merge`, `accord validate --outputs` and `accord review
//! import` read it.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::ser::{Error as _, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};

use crate::digest::sha256_hex;

/// The manifest's name, at the top of the release.
pub const MANIFEST: &str = "manifest.json";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(flatten)]
    pub head: Head,
    pub inputs: Vec<Entry>,
    pub outputs: Vec<Entry>,
}

/// Everything in a manifest but its entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Head {
    pub accord_version: String,
    pub release_date: Option<String>,
    pub options: Options,
    pub counts: BTreeMap<String, usize>,
    pub diagnostics: BTreeMap<String, usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Options {
    pub sources: String,
    pub formats: BTreeSet<String>,
    pub min_confidence: Option<f32>,
    pub pair: Option<[String; 2]>,
    /// `I/N` for one part of a sharded build; absent from whole releases (merged ones too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub bytes: usize,
    pub sha256: String,
}

impl Manifest {
    /// Reads a manifest, refusing one whose outputs name a path outside the release: the
    /// readers join those paths to the release folder (and `merge` to its output), so
    /// `../x` would read or write beyond it.
    pub fn from_slice(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| ManifestError {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })?;
        if let Some(bad) = manifest.outputs.iter().find(|e| !is_release_path(&e.path)) {
            let message = format!("the output `{}` is not a path inside the release", bad.path);
            return Err(ManifestError { message, line: 1, column: 1 });
        }
        Ok(manifest)
    }

    /// The file's bytes: pretty JSON, entries sorted by path, a final line end.
    pub fn into_bytes(mut self) -> Vec<u8> {
        self.inputs.sort_by(|a, b| a.path.cmp(&b.path));
        self.outputs.sort_by(|a, b| a.path.cmp(&b.path));
        let mut bytes = Vec::new();
        let written = write(&mut bytes, &self.head, self.inputs.into_iter().map(Ok), self.outputs.into_iter().map(Ok));
        debug_assert!(written.is_ok(), "writing to memory fails only on I/O errors of the entries");
        bytes
    }
}

/// Writes a manifest whose entries arrive in path order from two streams (e.g. from
/// [`EntrySpill::sorted`]), so that a release's manifest is never held whole in memory. The
/// bytes are those of [`Manifest::into_bytes`].
pub fn write(
    out: &mut impl Write,
    head: &Head,
    inputs: impl Iterator<Item = io::Result<Entry>>,
    outputs: impl Iterator<Item = io::Result<Entry>>,
) -> io::Result<()> {
    #[derive(Serialize)]
    #[serde(bound(serialize = "Entries<I>: Serialize, Entries<O>: Serialize"))]
    struct Streamed<'a, I, O> {
        #[serde(flatten)]
        head: &'a Head,
        inputs: Entries<I>,
        outputs: Entries<O>,
    }
    let streamed =
        Streamed { head, inputs: Entries(RefCell::new(Some(inputs))), outputs: Entries(RefCell::new(Some(outputs))) };
    serde_json::to_writer_pretty(&mut *out, &streamed).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// A JSON array written from an iterator, which serialising consumes.
struct Entries<I>(RefCell<Option<I>>);

impl<I: Iterator<Item = io::Result<Entry>>> Serialize for Entries<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for entry in self.0.borrow_mut().take().into_iter().flatten() {
            seq.serialize_element(&entry.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

/// Manifest entries of a release too large to hold in memory (one per input and output file,
/// so they grow with the corpus): kept in sorted runs on disk, merged in path order when the
/// manifest is written. Memory holds one run and, while merging, one entry per run.
pub struct EntrySpill {
    dir: PathBuf,
    pending: Vec<Entry>,
    runs: Vec<PathBuf>,
}

/// Entries held before they are sorted and written out as a run: about 2 MB.
const RUN: usize = 8192;

impl EntrySpill {
    /// Runs go to `dir`, which is made if missing and must be left to the caller to remove.
    pub fn new(dir: &Path) -> io::Result<Self> {
        fs::create_dir_all(dir)?;
        Ok(EntrySpill { dir: dir.to_path_buf(), pending: Vec::new(), runs: Vec::new() })
    }

    pub fn push(&mut self, entry: Entry) -> io::Result<()> {
        self.pending.push(entry);
        if self.pending.len() >= RUN { self.spill() } else { Ok(()) }
    }

    fn spill(&mut self) -> io::Result<()> {
        self.pending.sort_by(|a, b| a.path.cmp(&b.path));
        let path = self.dir.join(format!("run-{}.jsonl", self.runs.len()));
        let mut file = BufWriter::new(fs::File::create(&path)?);
        for entry in self.pending.drain(..) {
            serde_json::to_writer(&mut file, &entry).map_err(io::Error::other)?;
            file.write_all(b"\n")?;
        }
        file.flush()?;
        self.runs.push(path);
        Ok(())
    }

    /// Every entry pushed, in path order.
    pub fn sorted(mut self) -> io::Result<impl Iterator<Item = io::Result<Entry>>> {
        self.pending.sort_by(|a, b| a.path.cmp(&b.path));
        let mut runs: Vec<Run> = Vec::with_capacity(self.runs.len() + 1);
        for path in &self.runs {
            runs.push(Run::File(BufReader::with_capacity(64 << 10, fs::File::open(path)?)));
        }
        runs.push(Run::Memory(std::mem::take(&mut self.pending).into_iter()));
        let mut merge = Merge { runs, heads: BinaryHeap::new(), failed: None };
        for k in 0..merge.runs.len() {
            merge.refill(k);
        }
        Ok(merge)
    }
}

enum Run {
    File(BufReader<fs::File>),
    Memory(std::vec::IntoIter<Entry>),
}

impl Run {
    fn next_entry(&mut self) -> Option<io::Result<Entry>> {
        match self {
            Run::Memory(entries) => entries.next().map(Ok),
            Run::File(reader) => {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) => None,
                    Ok(_) => Some(serde_json::from_str(&line).map_err(io::Error::other)),
                    Err(e) => Some(Err(e)),
                }
            }
        }
    }
}

/// A k-way merge of sorted runs; ties keep the order of the runs, so the result is the
/// same as one stable sort.
struct Merge {
    runs: Vec<Run>,
    heads: BinaryHeap<std::cmp::Reverse<(String, usize, usize, String)>>,
    failed: Option<io::Error>,
}

impl Merge {
    fn refill(&mut self, k: usize) {
        match self.runs[k].next_entry() {
            Some(Ok(e)) => self.heads.push(std::cmp::Reverse((e.path, k, e.bytes, e.sha256))),
            Some(Err(e)) => self.failed = Some(e),
            None => {}
        }
    }
}

impl Iterator for Merge {
    type Item = io::Result<Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.failed.take() {
            return Some(Err(e));
        }
        let std::cmp::Reverse((path, k, bytes, sha256)) = self.heads.pop()?;
        self.refill(k);
        Some(Ok(Entry { path, bytes, sha256 }))
    }
}

/// Why a manifest was refused, and where in the file.
#[derive(Debug)]
pub struct ManifestError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A path a release may hold: relative, `/`-separated, made of plain names only (no `..`,
/// `.`, root, drive or backslash).
pub fn is_release_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains(':'))
}

/// The shard (0-based, of `n`) a document belongs to: the first eight bytes of the sha256 of
/// its slug, modulo `n`. A hash, not a count, so adding a document moves no other one.
pub fn shard_of(slug: &str, n: u64) -> u64 {
    let digest = sha256_hex(slug.as_bytes());
    u64::from_str_radix(&digest[..16], 16).unwrap_or(0) % n.max(1)
}

#[cfg(test)]
mod path_tests {
    use super::*;

    #[test]
    fn release_paths_stay_inside() {
        for good in ["manifest.json", "akn/udhr/fr.xml", "csv/alignments.csv"] {
            assert!(is_release_path(good), "{good}");
        }
        for bad in ["", "/etc/passwd", "../x", "akn/../../x", "a//b", "./a", "a\\..\\b", "C:/x", "a/"] {
            assert!(!is_release_path(bad), "{bad}");
        }
    }
}

#[cfg(test)]
mod spill_tests {
    use super::*;

    fn entry(k: usize) -> Entry {
        // Paths out of order, over several runs, with prefixes of one another.
        let n = (k * 7919) % 20_011;
        Entry { path: format!("akn/doc-{n}/{}.xml", "x".repeat(n % 3)), bytes: n, sha256: sha256_hex(&n.to_le_bytes()) }
    }

    #[test]
    fn spilled_entries_come_back_sorted_and_whole() {
        let dir = std::env::temp_dir().join(format!("accord-spill-{}", std::process::id()));
        let mut spill = EntrySpill::new(&dir).unwrap();
        let mut expected: Vec<Entry> = (0..2 * RUN + 123).map(entry).collect();
        for e in &expected {
            spill.push(e.clone()).unwrap();
        }
        assert_eq!(spill.runs.len(), 2, "two runs on disk, the rest in memory");
        let got: Vec<Entry> = spill.sorted().unwrap().collect::<io::Result<_>>().unwrap();
        expected.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(got, expected);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn streamed_manifest_reads_back_as_the_manifest() {
        let head = Head {
            accord_version: "0.1.0".into(),
            release_date: None,
            options: Options {
                sources: "sources".into(),
                formats: BTreeSet::from(["csv".to_string()]),
                min_confidence: None,
                pair: None,
                shard: None,
            },
            counts: BTreeMap::from([("documents".to_string(), 2)]),
            diagnostics: BTreeMap::new(),
        };
        let manifest = Manifest { head: head.clone(), inputs: vec![entry(1), entry(2)], outputs: vec![] };
        let bytes = manifest.clone().into_bytes();
        let back = Manifest::from_slice(&bytes).unwrap();
        assert_eq!(back.head, head);
        assert_eq!(back.inputs, vec![entry(2), entry(1)], "sorted by path");
        assert!(back.outputs.is_empty());
        assert!(
            String::from_utf8(bytes).unwrap().contains("\"outputs\": []\n}\n"),
            "pretty, empty array as serde writes it"
        );
    }
}
