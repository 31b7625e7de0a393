//! Exports of a release: each format turns one aligned document into files, as bytes, so
//! that the build can write them in parallel, hash them for the manifest, and compare runs
//! byte for byte. Nothing here reads a clock: dates come from the documents or from
//! `SOURCE_DATE_EPOCH`.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

pub mod akn;
pub mod csv;
pub mod xlsx;

use crate::model::Document;
use crate::model::alignment::Alignment;

/// What every export may state about the release itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseInfo {
    /// `accord` version that made the release.
    pub version: String,
    /// The release date (`YYYY-MM-DD`) from `SOURCE_DATE_EPOCH`, when set.
    pub date: Option<String>,
}

/// A file of the release: its path relative to the release folder, and its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// A per-document export: the files of one aligned document.
pub type Exporter = fn(&Aligned, &ReleaseInfo) -> Result<Vec<File>, ExportError>;

/// A document with its alignment, as the exports receive it.
pub struct Aligned<'a> {
    pub document: &'a Document,
    pub alignment: &'a Alignment,
}

/// Lower-case hex SHA-256, as the manifest lists files.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of a digest.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why an export of one document failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{document}: the alignment names unit {eid}, which the {lang} version does not have")]
    UnknownUnit { document: String, lang: String, eid: String },
    #[error("{document}: workbook: {source}")]
    Xlsx { document: String, source: rust_xlsxwriter::XlsxError },
    #[error("{document}: XML: {source}")]
    Xml { document: String, source: std::io::Error },
}
