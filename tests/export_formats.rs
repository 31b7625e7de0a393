//! The XLSX and AKN exports of every default source: workbooks read back with calamine,
//! every AKN expression valid against the OASIS schema (the real `xmllint`), and the same
//! bytes when exported twice.

mod common;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;
use std::process::Command;

use accord::export::{Aligned, File, ReleaseInfo, akn, xlsx};
use accord::ingest;
use accord::model::Document;
use accord::model::alignment::{Alignment, Group, Unit};
use calamine::{Data, Reader, Xlsx};
use common::{document_dirs, repo};

fn info() -> ReleaseInfo {
    ReleaseInfo { version: "0.1.0-test".into(), date: None }
}

fn load(dir: &Path) -> Document {
    let loaded = ingest::load_document(dir, false);
    loaded.document.unwrap_or_else(|| panic!("{} loads: {:?}", dir.display(), loaded.diagnostics))
}

/// The pivot as the aligner picks it: the original when present, else English, else the
/// first language.
fn pivot(doc: &Document) -> String {
    let langs: Vec<&str> = doc.expressions.iter().map(|e| e.lang.as_str()).collect();
    [doc.metadata.original_language.as_deref(), doc.metadata.pivot.as_deref(), Some("en")]
        .into_iter()
        .flatten()
        .find(|l| langs.contains(l))
        .unwrap_or(langs[0])
        .to_string()
}

/// A stand-in alignment for the tests: units paired by position when every language has as
/// many, else one group per pivot unit holding the pivot alone. Every fifth group is flagged.
/// To exercise the eId rewriting, the second group of a paired document takes two units of
/// each other language (its second and third), and the later groups shift by one.
fn alignment(doc: &Document) -> Alignment {
    let pivot = pivot(doc);
    let units: BTreeMap<&str, Vec<Unit>> = doc.expressions.iter().map(|e| (e.lang.as_str(), e.units())).collect();
    let n = units[pivot.as_str()].len();
    let paired = units.values().all(|u| u.len() == n);
    let positions = |lang: &str, i: usize| -> Vec<usize> {
        match i {
            _ if lang == pivot || n < 3 || i == 0 => vec![i],
            1 => vec![1, 2],
            _ => (i + 1 < n).then_some(i + 1).into_iter().collect(),
        }
    };
    let groups = (0..n)
        .map(|i| {
            let members = units
                .iter()
                .filter(|(lang, _)| paired || **lang == pivot)
                .map(|(lang, u)| (lang.to_string(), positions(lang, i).into_iter().map(|p| u[p].eid.clone()).collect()))
                .filter(|(_, eids): &(String, Vec<String>)| !eids.is_empty())
                .collect();
            Group {
                eid: units[pivot.as_str()][i].eid.clone(),
                members,
                confidence: 0.9,
                review: i % 5 == 0,
                pinned: false,
                rejected: false,
                sentences: vec![],
            }
        })
        .collect();
    Alignment { pivot, groups }
}

fn documents() -> Vec<(Document, Alignment)> {
    let docs: Vec<(Document, Alignment)> = document_dirs(&repo().join("sources"))
        .iter()
        .map(|dir| {
            let doc = load(dir);
            let alignment = alignment(&doc);
            (doc, alignment)
        })
        .collect();
    assert!(docs.len() >= 12, "every default source: {}", docs.len());
    docs
}

fn cell_text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

#[test]
fn workbooks_read_back() {
    for (doc, alignment) in documents() {
        let aligned = Aligned { document: &doc, alignment: &alignment, units: &doc.unit_index(), sources: &[] };
        let files = xlsx::export(&aligned, &info()).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, Path::new("xlsx").join(format!("{}.xlsx", doc.slug)));
        let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(files[0].bytes.clone())).unwrap();
        assert_eq!(workbook.sheet_names(), vec![xlsx::ALIGNMENT_SHEET, xlsx::METADATA_SHEET]);
        let sheet = workbook.worksheet_range(xlsx::ALIGNMENT_SHEET).unwrap();

        // Header: eId, the original (or, when it is absent, the pivot) first, then the others.
        let header: Vec<String> = (0..doc.expressions.len() + 3).map(|c| cell_text(sheet.get((0, c)))).collect();
        let original = doc.metadata.original_language.as_deref().unwrap();
        let first = if doc.expression(original).is_some() {
            format!("{} — original", original.to_uppercase())
        } else {
            format!("{} — pivot", alignment.pivot.to_uppercase())
        };
        assert_eq!(header[0], "eId", "{}", doc.slug);
        assert_eq!(header[1], first, "{}", doc.slug);
        assert_eq!(header[header.len() - 2..], ["confidence", "review status"]);
        let column_lang: Vec<String> =
            header[1..=doc.expressions.len()].iter().map(|h| h[..2].to_lowercase()).collect();

        assert_eq!(sheet.height(), alignment.groups.len() + 1, "{}: one row per group", doc.slug);
        let step = (alignment.groups.len() / 25).max(1);
        for (g, group) in alignment.groups.iter().enumerate().step_by(step) {
            let row = g + 1;
            assert_eq!(cell_text(sheet.get((row, 0))), group.eid);
            for (c, lang) in column_lang.iter().enumerate() {
                let expression = doc.expression(lang).unwrap();
                let units = expression.units();
                // Each unit as printed: its own number, then its text.
                let want: Vec<String> = group
                    .members
                    .get(lang)
                    .into_iter()
                    .flatten()
                    .map(|eid| units.iter().find(|u| &u.eid == eid).unwrap())
                    .map(|u| match u.num.as_deref() {
                        Some(num) if !num.is_empty() => format!("{num} {}", u.text.text),
                        _ => u.text.text.clone(),
                    })
                    .collect();
                assert_eq!(cell_text(sheet.get((row, c + 1))), want.join("\n"), "{} {} {lang}", doc.slug, group.eid);
            }
            let status = cell_text(sheet.get((row, header.len() - 1)));
            assert_eq!(status, if group.review { "to review" } else { "" });
        }

        let meta = workbook.worksheet_range(xlsx::METADATA_SHEET).unwrap();
        let fields: BTreeMap<String, String> =
            meta.rows().map(|r| (cell_text(r.first()), cell_text(r.get(1)))).collect();
        assert_eq!(fields["slug"], doc.slug);
        assert_eq!(fields["accord version"], "0.1.0-test");
        if doc.expression(original).is_none() {
            assert!(fields["original language"].contains("absent"), "{}", doc.slug);
        }
    }
}

/// Rich text (italic foreign titles, bold, superscripts) sits in the shared strings, where
/// Excel writes it and where tools made for Excel's files look for it, never inline.
#[test]
fn workbook_text_is_in_the_shared_strings_rich_text_included() {
    let mut rich = 0;
    for (doc, alignment) in documents() {
        let aligned = Aligned { document: &doc, alignment: &alignment, units: &doc.unit_index(), sources: &[] };
        let files = xlsx::export(&aligned, &info()).unwrap();
        let mut archive = zip::ZipArchive::new(Cursor::new(files[0].bytes.clone())).unwrap();
        let mut part = |name: &str| {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
            text
        };
        for sheet in ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"] {
            assert!(!part(sheet).contains("inlineStr"), "{}: {sheet} has inline strings", doc.slug);
        }
        rich += usize::from(part("xl/sharedStrings.xml").contains("<rPr>"));
    }
    assert!(rich >= 3, "only {rich} workbooks with rich text: the test would prove nothing");
}

/// `xmllint --noout --nonet --schema schemas/akn/akomantoso30.xsd` on every file.
#[test]
fn akn_expressions_are_schema_valid() {
    let dir = tempfile::tempdir().unwrap();
    let schema = repo().join("schemas/akn/akomantoso30.xsd");
    let mut checked = 0;
    for (doc, alignment) in documents() {
        let aligned = Aligned { document: &doc, alignment: &alignment, units: &doc.unit_index(), sources: &[] };
        let files = akn::export(&aligned, &info()).unwrap();
        assert_eq!(files.len(), doc.expressions.len());
        let mut paths = Vec::new();
        for file in &files {
            let path = dir.path().join(&file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &file.bytes).unwrap();
            paths.push(path);
        }
        let out = Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(&schema)
            .args(&paths)
            .output()
            .expect("xmllint is installed (libxml2-utils)");
        assert!(out.status.success(), "{}: {}", doc.slug, String::from_utf8_lossy(&out.stderr));
        checked += paths.len();
    }
    assert!(checked >= 3 + 6 * 9, "{checked} files");
}

/// Aligned units carry their group's eId in every language.
#[test]
fn aligned_units_share_their_group_eid() {
    for (doc, alignment) in documents() {
        let aligned = Aligned { document: &doc, alignment: &alignment, units: &doc.unit_index(), sources: &[] };
        let files = akn::export(&aligned, &info()).unwrap();
        for file in &files {
            let xml = String::from_utf8(file.bytes.clone()).unwrap();
            let lang = file.path.file_stem().unwrap().to_str().unwrap();
            for group in alignment.groups.iter() {
                let units = group.members.get(lang).map_or(0, Vec::len);
                if units > 0 {
                    assert!(xml.contains(&format!("eId=\"{}\"", group.eid)), "{} {lang}: {}", doc.slug, group.eid);
                }
                if units > 1 {
                    assert!(xml.contains(&format!("eId=\"{}_2\"", group.eid)), "{} {lang}: {}_2", doc.slug, group.eid);
                }
            }
        }
    }
}

#[test]
fn exports_are_deterministic() {
    for (doc, alignment) in documents() {
        let aligned = Aligned { document: &doc, alignment: &alignment, units: &doc.unit_index(), sources: &[] };
        let once: Vec<File> =
            [xlsx::export(&aligned, &info()).unwrap(), akn::export(&aligned, &info()).unwrap()].concat();
        let twice: Vec<File> =
            [xlsx::export(&aligned, &info()).unwrap(), akn::export(&aligned, &info()).unwrap()].concat();
        assert!(once == twice, "{}: two exports differ", doc.slug);
    }
}
