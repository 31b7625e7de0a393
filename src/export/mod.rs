//! Exports of a release: each format turns one aligned document into files, as bytes, so
//! that the build can write them in parallel, hash them for the manifest, and compare runs
//! byte for byte. Nothing here reads a clock: dates come from the documents or from
//! `SOURCE_DATE_EPOCH`.

use std::collections::HashMap;
use std::path::PathBuf;

pub mod akn;
pub mod csv;
mod inline;
pub mod tmx;
pub mod xliff;
pub mod xlsx;
mod xml;

use crate::model::alignment::{Alignment, Sentence, Unit, UnitIndex};
use crate::model::{Document, Text};

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
    /// [`Document::unit_index`] of the document.
    pub units: &'a UnitIndex,
    /// The document's source files as (path, sha256), as the manifest lists them: a reviewed
    /// workbook is checked against them when it is read back.
    pub sources: &'a [(String, String)],
}

/// Writes the sentences of one language of a sentence group as one segment, each with its
/// marks through `inline`, joined by nothing in scripts written without spaces and a space
/// elsewhere. Sentences whose unit is unknown are skipped (the alignment and the model come
/// from the same build).
pub(crate) fn write_sentences<'s>(
    x: &mut xml::XmlWriter,
    lang: &str,
    units: &HashMap<String, Unit>,
    sentences: impl IntoIterator<Item = &'s Sentence>,
    mut inline: impl FnMut(&mut xml::XmlWriter, &Text, std::ops::Range<usize>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let joiner = if matches!(lang, "zh" | "ja") { "" } else { " " };
    let found = sentences.into_iter().filter_map(|s| units.get(&s.eid).map(|u| (&u.text, s.start..s.end)));
    for (k, (text, range)) in found.enumerate() {
        if k > 0 {
            x.text(joiner)?;
        }
        inline(x, text, range)?;
    }
    Ok(())
}

/// Why an export of one document failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{document}: the alignment names unit {eid}, which the {lang} version does not have")]
    UnknownUnit { document: String, lang: String, eid: String },
    #[error("{document}: workbook: {source}")]
    Xlsx { document: String, source: rust_xlsxwriter::XlsxError },
    /// The system, not the document, failed: the workbook's temporary files have nowhere to go.
    #[error("{document}: workbook: cannot make a temporary file in {} (TMPDIR names a writable folder): {source}", dir.display())]
    TempFile { document: String, dir: PathBuf, source: std::io::Error },
    #[error("{document}: XML: {source}")]
    Xml { document: String, source: std::io::Error },
}
