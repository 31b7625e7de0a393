//! A release's `manifest.json`: what made it (version, date, options), what it holds
//! (counts, diagnostics by code) and the size and sha256 of every input and output. The
//! build writes it last; `accord merge`, `accord validate --outputs` and `accord review
//! import` read it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::export::sha256_hex;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub accord_version: String,
    pub release_date: Option<String>,
    pub options: Options,
    pub counts: BTreeMap<String, usize>,
    pub diagnostics: BTreeMap<String, usize>,
    pub inputs: Vec<Entry>,
    pub outputs: Vec<Entry>,
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

impl Entry {
    pub fn of(path: String, bytes: &[u8]) -> Self {
        Entry { path, bytes: bytes.len(), sha256: sha256_hex(bytes) }
    }
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
        let mut bytes = serde_json::to_vec_pretty(&self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
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
