//! The review round trip: a translator workbook (`xlsx/<slug>.xlsx`) that a reviewer edited
//! is read back, checked against the release it came from and against the sources, and its
//! decisions become the `[[pin]]` and `[[reject]]` tables of `sources/<slug>/alignment.toml`,
//! which the next build honours.
//!
//! A reviewer may set the status of a row, move a language's text to another row (merging
//! or splitting groups) and empty rows. Each language's texts, read row by row, must still be
//! the units of that language in document order: a unit whose text was changed, deleted or
//! repeated is an error at its cell, and nothing is written. Rows whose status is
//! `approved` or `corrected`, and rows whose units differ from the release's groups, become
//! pins; `rejected` rows become rejects.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use calamine::{Data, Range, Reader, Xlsx};

use crate::align::{self, Options};
use crate::diag::{Diagnostic, Location, display_path};
use crate::export::xlsx::{ALIGNMENT_SHEET, METADATA_SHEET, REVIEW_STATUSES, SOURCE_FILES};
use crate::ingest::{self, AlignmentToml};
use crate::model::Document;
use crate::model::alignment::Alignment;
use crate::release::{MANIFEST, Manifest};
use crate::validate;

/// Unit eIds per language: one group.
type Members = BTreeMap<String, Vec<String>>;

/// What an import decided, and the `alignment.toml` that records it.
#[derive(Debug)]
pub struct Import {
    pub slug: String,
    /// Where the decisions go.
    pub path: PathBuf,
    pub text: String,
    pub approved: usize,
    pub corrected: usize,
    pub rejected: usize,
    pub pins: usize,
    pub rejects: usize,
}

/// Reads `workbook`, made by the release in `release`, for the document in `sources`.
pub fn import(workbook: &Path, sources: &Path, release: &Path) -> Result<Import, Vec<Diagnostic>> {
    let at = display_path(workbook);
    let fail =
        |code, message: String, hint: &str| vec![Diagnostic::error(code, Location::new(&at, 1, 1), message, hint)];
    check_archive(workbook).map_err(|message| {
        fail("review-unsafe-workbook", message, "give the workbook accord made, edited and saved as .xlsx")
    })?;
    let mut book: Xlsx<_> = calamine::open_workbook(workbook).map_err(|e| {
        fail("review-unreadable", format!("cannot read the workbook: {e}"), "give a workbook made by `accord build`")
    })?;
    let sheet = |book: &mut Xlsx<_>, name: &str| {
        book.worksheet_range(name).map_err(|e| {
            fail(
                "review-unreadable",
                format!("the workbook has no sheet `{name}`: {e}"),
                "keep the `alignment` and `metadata` sheets when editing",
            )
        })
    };
    let metadata: BTreeMap<String, String> =
        sheet(&mut book, METADATA_SHEET)?.rows().map(|r| (text(r.first()), text(r.get(1)))).collect();
    let rows = sheet(&mut book, ALIGNMENT_SHEET)?;
    let Some(slug) = metadata.get("slug").filter(|s| !s.is_empty()).cloned() else {
        return Err(fail(
            "review-unreadable",
            "the metadata sheet names no document".into(),
            "keep the metadata sheet",
        ));
    };
    let dir = sources.join(&slug);
    let made_from: BTreeMap<String, String> = metadata
        .get(SOURCE_FILES)
        .map(|v| v.lines().filter_map(|l| l.split_once(' ')).map(|(p, s)| (file_name(p), s.to_string())).collect())
        .unwrap_or_default();
    check_release(&at, &slug, &made_from, release)?;

    let loaded = ingest::load_document(&dir, false);
    let now: BTreeMap<String, String> =
        loaded.files.iter().map(|f| (file_name(&display_path(&f.path)), f.sha256.clone())).collect();
    if now != made_from {
        return Err(fail(
            "review-sources-changed",
            format!("the sources of `{slug}` in {} changed since the workbook was made", display_path(&dir)),
            "rebuild the release, review the new workbook, and import that one",
        ));
    }
    let errors: Vec<Diagnostic> = validate::loaded(&loaded).into_iter().filter(|d| d.is_error()).collect();
    let Some(doc) = loaded.document.filter(|_| errors.is_empty()) else { return Err(errors) };

    // The workbook shows the units as the build aligned them, paragraphs it cut included.
    let (doc, released) = align::align_document(&doc, &Options::default());
    let table = read_rows(&at, &doc, &rows)?;
    decide(&doc, &dir, &released, table)
}

/// Limits of a workbook read back: a translator workbook is a few megabytes; anything far
/// larger, or compressed far better than XML compresses, is refused before it is unpacked.
const MAX_WORKBOOK_BYTES: u64 = 256 << 20;
const MAX_UNPACKED_BYTES: u64 = 1 << 30;
const MAX_ENTRIES: usize = 10_000;
const MAX_RATIO: u64 = 200;

/// Refuses zip bombs and entries whose names leave the archive, from the zip's directory alone.
fn check_archive(path: &Path) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open the workbook: {e}"))?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    if size > MAX_WORKBOOK_BYTES {
        return Err(format!("the workbook is {size} bytes; a translator workbook is under {MAX_WORKBOOK_BYTES}"));
    }
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| format!("the workbook is not an .xlsx (zip) file: {e}"))?;
    if archive.len() > MAX_ENTRIES {
        return Err(format!("the workbook holds {} parts", archive.len()));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|e| format!("unreadable part {i}: {e}"))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("#{i}"));
        if entry.enclosed_name().is_none() {
            return Err(format!("the workbook has a part named `{name}`, outside the archive"));
        }
        let (packed, unpacked) = (entry.compressed_size(), entry.size());
        total = total.saturating_add(unpacked);
        if unpacked > 1 << 20 && unpacked > packed.saturating_mul(MAX_RATIO) {
            return Err(format!(
                "the part `{name}` unpacks from {packed} to {unpacked} bytes: a zip bomb, not a workbook"
            ));
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(format!("the workbook unpacks to {total} bytes"));
    }
    for i in 0..archive.len() {
        check_part(&mut archive, i)?;
    }
    Ok(())
}

/// Unpacks one part as a stream, never more than it declared, and refuses a DTD: an
/// Office Open XML part has none, and one is how XML carries external entities (a file of
/// the reviewer's machine read into the workbook) and entity expansion (billion laughs).
/// calamine's XML reader expands neither; the workbook is refused before it gets there.
fn check_part(archive: &mut zip::ZipArchive<std::fs::File>, i: usize) -> Result<(), String> {
    use std::io::Read;
    let mut part = archive.by_index(i).map_err(|e| format!("unreadable part {i}: {e}"))?;
    let name = part.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("#{i}"));
    let declared = part.size();
    let finder = memchr::memmem::Finder::new(b"<!DOCTYPE");
    // A chunk starts with the tail of the previous one, so a declaration cut between two
    // reads is still found.
    let keep = b"<!DOCTYPE".len() - 1;
    let mut buf = vec![0u8; keep + (64 << 10)];
    let (mut filled, mut read) = (0, 0u64);
    loop {
        let n = part.read(&mut buf[filled..]).map_err(|e| format!("the part `{name}` does not unpack: {e}"))?;
        if n == 0 {
            return Ok(());
        }
        read += n as u64;
        if read > declared {
            return Err(format!("the part `{name}` unpacks to more than the {declared} bytes it declares"));
        }
        filled += n;
        if finder.find(&buf[..filled]).is_some() {
            return Err(format!(
                "the part `{name}` declares a DTD (<!DOCTYPE>): external entities and entity expansion are refused"
            ));
        }
        let tail = filled.saturating_sub(keep);
        buf.copy_within(tail..filled, 0);
        filled -= tail;
    }
}

/// The workbook must come from the release in `release`: the manifest lists it, was made
/// from the same source files, and without filters (a subset has not every unit).
fn check_release(
    at: &str,
    slug: &str,
    made_from: &BTreeMap<String, String>,
    release: &Path,
) -> Result<(), Vec<Diagnostic>> {
    let fail =
        |code, message: String, hint: &str| vec![Diagnostic::error(code, Location::new(at, 1, 1), message, hint)];
    let path = release.join(MANIFEST);
    let manifest: Manifest =
        std::fs::read(&path).ok().and_then(|b| Manifest::from_slice(&b).ok()).ok_or_else(|| {
            fail(
                "review-no-release",
                format!("no readable {}", display_path(&path)),
                "give the release folder with --release",
            )
        })?;
    if manifest.head.options.min_confidence.is_some() || manifest.head.options.pair.is_some() {
        return Err(fail(
            "review-filtered-release",
            "the release was built with --min-confidence or --pair: its workbooks do not hold every unit".into(),
            "review the workbooks of a release built without filters",
        ));
    }
    let listed = format!("xlsx/{slug}.xlsx");
    if !manifest.outputs.iter().any(|e| e.path == listed) {
        return Err(fail(
            "review-other-release",
            format!("the release does not list {listed}"),
            "give the release the workbook came from with --release",
        ));
    }
    let released: BTreeMap<String, String> = manifest
        .inputs
        .iter()
        .filter(|e| Path::new(&e.path).parent().and_then(|p| p.file_name()).is_some_and(|n| n == slug))
        .map(|e| (file_name(&e.path), e.sha256.clone()))
        .collect();
    if made_from.is_empty() || &released != made_from {
        return Err(fail(
            "review-other-release",
            format!("the workbook was not made by the release in {} (its source files differ)", display_path(release)),
            "import a workbook together with the release it came from",
        ));
    }
    Ok(())
}

/// One row of the alignment sheet as the reviewer left it.
struct Row {
    /// 1-based, as spreadsheets number rows.
    number: u32,
    status: String,
    members: Members,
}

/// Assigns every unit of every language to the row holding its text.
fn read_rows(at: &str, doc: &Document, sheet: &Range<Data>) -> Result<Vec<Row>, Vec<Diagnostic>> {
    let header: Vec<String> =
        sheet.rows().next().map(|r| r.iter().map(|c| text(Some(c))).collect()).unwrap_or_default();
    let status_col = header.iter().position(|h| h == "review status");
    let lang_cols: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter_map(|(c, h)| {
            let code = h.split_whitespace().next()?.to_lowercase();
            doc.expression(&code).map(|_| (c, code))
        })
        .collect();
    let mut errors = Vec::new();
    let cell_at = |row: u32, col: usize| Location::new(at, row, col as u32 + 1);
    if status_col.is_none() || lang_cols.len() != doc.expressions.len() {
        errors.push(Diagnostic::error(
            "review-bad-header",
            cell_at(1, 0),
            "the alignment sheet's header lost its `review status` column or a language column",
            "keep the header row as accord wrote it",
        ));
        return Err(errors);
    }
    let mut rows: Vec<Row> = sheet
        .rows()
        .enumerate()
        .skip(1)
        .map(|(r, cells)| Row {
            number: r as u32 + 1,
            status: status_col.map(|c| text(cells.get(c)).trim().to_lowercase()).unwrap_or_default(),
            members: Members::new(),
        })
        .collect();
    for row in &rows {
        if !row.status.is_empty() && !REVIEW_STATUSES.contains(&row.status.as_str()) {
            let col = status_col.unwrap_or_default();
            errors.push(Diagnostic::error(
                "review-bad-status",
                cell_at(row.number, col),
                format!("cell {} holds the status `{}`", cell_name(row.number, col), row.status),
                format!("a status is one of: {}", REVIEW_STATUSES.join(", ")),
            ));
        }
    }

    for (col, lang) in &lang_cols {
        let Some(expression) = doc.expression(lang) else { continue };
        let units: Vec<(String, String, u32)> = expression
            .units()
            .into_iter()
            .map(|u| {
                let text = crate::ingest::text::collapse_whitespace(&u.printed().text);
                (u.eid, text, u.line)
            })
            .collect();
        let source = &expression.source;
        let mut next = 0;
        let mut last_row: Option<usize> = None;
        for (k, row) in rows.iter_mut().enumerate() {
            let cell = crate::ingest::text::collapse_whitespace(&text(sheet.get((row.number as usize - 1, *col))));
            let mut rest = cell.trim();
            while !rest.is_empty() {
                // Units without text are in no cell: they stay with the row before them.
                while next < units.len() && units[next].1.is_empty() {
                    row.members.entry(lang.clone()).or_default().push(units[next].0.clone());
                    next += 1;
                }
                let holds = |u: &str, rest: &str| {
                    !u.is_empty() && rest.starts_with(u) && (rest.len() == u.len() || rest[u.len()..].starts_with(' '))
                };
                if next < units.len() && holds(&units[next].1, rest) {
                    row.members.entry(lang.clone()).or_default().push(units[next].0.clone());
                    rest = rest[units[next].1.len()..].trim_start();
                    next += 1;
                    last_row = Some(k);
                    continue;
                }
                let name = cell_name(row.number, *col);
                let later = (next + 1..units.len()).find(|&j| holds(&units[j].1, rest));
                let earlier = (0..next).find(|&j| holds(&units[j].1, rest));
                let (code, message, hint) = match (later, earlier) {
                    (Some(_), _) => (
                        "review-unit-missing",
                        format!(
                            "the {lang} text of {} ({source}:{}) is in no row before cell {name}",
                            units[next].0, units[next].2
                        ),
                        "a unit's text may move between rows but not disappear: put it back in a row".to_string(),
                    ),
                    (None, Some(j)) => (
                        "review-unit-repeated",
                        format!("cell {name} repeats the {lang} text of {}, already in an earlier row", units[j].0),
                        "each unit's text appears once, in document order".to_string(),
                    ),
                    (None, None) => {
                        let expected = units.get(next).map_or("nothing more", |u| u.0.as_str());
                        let line = units.get(next).map_or(1, |u| u.2);
                        (
                            "review-text-changed",
                            format!("cell {name} does not hold the {lang} text of {expected} ({source}:{line}) as released"),
                            "accord does not change source texts: correct the source file and rebuild, or undo the edit"
                                .to_string(),
                        )
                    }
                };
                errors.push(Diagnostic::error(code, cell_at(row.number, *col), message, hint));
                match (later, earlier) {
                    // Go on from the unit the cell holds.
                    (Some(j), _) => next = j,
                    (None, Some(_)) => break,
                    // Take the cell for the unit expected there, and go on with the next cell.
                    (None, None) => {
                        if next < units.len() {
                            row.members.entry(lang.clone()).or_default().push(units[next].0.clone());
                            next += 1;
                        }
                        break;
                    }
                }
            }
        }
        // Trailing units without text join the last row holding this language.
        if let Some(k) = last_row {
            while next < units.len() && units[next].1.is_empty() {
                rows[k].members.entry(lang.clone()).or_default().push(units[next].0.clone());
                next += 1;
            }
        }
        if next < units.len() {
            errors.push(Diagnostic::error(
                "review-unit-missing",
                cell_at(1, *col),
                format!("the {lang} text of {} ({source}:{}) and after is in no row", units[next].0, units[next].2),
                "a unit's text may move between rows but not disappear: put it back in a row",
            ));
        }
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// Rows → pins and rejects, merged with the document's `alignment.toml`.
fn decide(doc: &Document, dir: &Path, released: &Alignment, rows: Vec<Row>) -> Result<Import, Vec<Diagnostic>> {
    let released: BTreeSet<&Members> = released.groups.iter().map(|g| &g.members).collect();
    let rows: Vec<Row> = rows.into_iter().filter(|r| !r.members.is_empty()).collect();
    let (mut approved, mut corrected, mut rejected) = (0, 0, 0);
    // Decision per row: Some(true) pin, Some(false) reject.
    let mut decision: Vec<Option<bool>> = vec![None; rows.len()];
    for (k, row) in rows.iter().enumerate() {
        let changed = !released.contains(&row.members);
        decision[k] = match row.status.as_str() {
            "rejected" => {
                rejected += 1;
                Some(false)
            }
            "approved" if !changed => {
                approved += 1;
                Some(true)
            }
            "approved" | "corrected" => {
                corrected += 1;
                Some(true)
            }
            _ if changed => {
                corrected += 1;
                Some(true)
            }
            _ => None,
        };
    }
    // A pin states which languages have no unit in its group (`fr = []`), and such a side
    // sits right after the pin before it in that language: pin the rows before it, up to one
    // holding that language, so that the side sits where the reviewer put it.
    let languages: Vec<&String> = doc.expressions.iter().map(|e| &e.lang).collect();
    for k in (0..rows.len()).rev() {
        if decision[k] != Some(true) {
            continue;
        }
        for lang in languages.iter().filter(|l| !rows[k].members.contains_key(l.as_str())) {
            for j in (0..k).rev() {
                match decision[j] {
                    Some(false) => break,
                    None => decision[j] = Some(true),
                    Some(true) => {}
                }
                if rows[j].members.contains_key(lang.as_str()) {
                    break;
                }
            }
        }
    }

    let decided: BTreeSet<(&str, &str)> = rows
        .iter()
        .zip(&decision)
        .filter(|(_, d)| d.is_some())
        .flat_map(|(r, _)| r.members.iter().flat_map(|(l, eids)| eids.iter().map(move |e| (l.as_str(), e.as_str()))))
        .collect();
    let row_of: BTreeMap<(&str, &str), usize> = rows
        .iter()
        .enumerate()
        .flat_map(|(k, r)| {
            r.members.iter().flat_map(move |(l, eids)| eids.iter().map(move |e| ((l.as_str(), e.as_str()), k)))
        })
        .collect();
    // Earlier decisions stay unless a new one takes one of their units.
    let keep = |table: &Members| {
        table.iter().all(|(l, eids)| eids.iter().all(|e| !decided.contains(&(l.as_str(), e.as_str()))))
    };
    let position = |table: &Members| {
        table
            .iter()
            .filter_map(|(l, eids)| eids.first().and_then(|e| row_of.get(&(l.as_str(), e.as_str()))))
            .min()
            .copied()
    };
    let mut pins: Vec<(usize, Members)> =
        doc.pins.iter().filter(|p| keep(p)).filter_map(|p| Some((position(p)?, p.clone()))).collect();
    let mut rejects: Vec<(usize, Members)> =
        doc.rejects.iter().filter(|p| keep(p)).filter_map(|p| Some((position(p)?, p.clone()))).collect();
    for (k, (row, d)) in rows.iter().zip(&decision).enumerate() {
        match d {
            Some(true) => {
                let mut pin = row.members.clone();
                for lang in &languages {
                    pin.entry(lang.to_string()).or_default();
                }
                pins.push((k, pin));
            }
            Some(false) => rejects.push((k, row.members.clone())),
            None => {}
        }
    }
    pins.sort_by_key(|(k, _)| *k);
    rejects.sort_by_key(|(k, _)| *k);
    let toml = AlignmentToml {
        pin: pins.into_iter().map(|(_, m)| m).collect(),
        reject: rejects.into_iter().map(|(_, m)| m).collect(),
    };
    let body = toml::to_string(&toml).map_err(|e| {
        vec![Diagnostic::error(
            "review-write",
            Location::file(dir),
            e.to_string(),
            "this is a bug in accord: please report it",
        )]
    })?;
    let text = format!(
        "# Alignment decisions for `{}`, written by `accord review import`.\n# [[pin]]: groups a reviewer approved or corrected, kept as they are by the aligner.\n# [[reject]]: groups a reviewer rejected: flagged for review and left out of TMX and XLIFF.\n\n{body}",
        doc.slug
    );
    let path = dir.join("alignment.toml");
    // The decisions must pass the rules the next build applies.
    let mut checked = doc.clone();
    checked.pins = toml.pin.clone();
    checked.rejects = toml.reject.clone();
    let errors: Vec<Diagnostic> =
        validate::pins(&checked, &display_path(&path), &text).into_iter().filter(|d| d.is_error()).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Import {
        slug: doc.slug.clone(),
        path,
        text,
        approved,
        corrected,
        rejected,
        pins: toml.pin.len(),
        rejects: toml.reject.len(),
    })
}

/// A cell's text whatever its type: a reviewer's edit may turn text into a number.
fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// `C12`: a cell as spreadsheets name it, from a 1-based row and a 0-based column.
fn cell_name(row: u32, col: usize) -> String {
    let mut letters = String::new();
    let mut c = col + 1;
    while c > 0 {
        letters.insert(0, (b'A' + ((c - 1) % 26) as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{letters}{row}")
}

fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_spreadsheets_do() {
        assert_eq!(cell_name(1, 0), "A1");
        assert_eq!(cell_name(12, 2), "C12");
        assert_eq!(cell_name(3, 25), "Z3");
        assert_eq!(cell_name(3, 26), "AA3");
    }
}
