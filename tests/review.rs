//! The review round trip: a release's workbook is edited as a reviewer would (statuses, a
//! text moved to merge two groups, a rejected row), saved, imported with
//! `accord review import`, and the next build honours the decisions. Edits accord must not
//! take (changed text, changed sources) are errors at their cell, and nothing is written.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use common::{accord, alignment_rows, repo};
use rust_xlsxwriter::Workbook;

const DOC: &str = "a-69-720";

/// A release of one six-language document, in a folder of its own.
fn release() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("sources");
    common::copy_document(&repo().join("sources").join(DOC), &sources.join(DOC));
    let out = dir.path().join("out");
    build(&sources, &out);
    (dir, sources, out)
}

fn build(sources: &Path, out: &Path) {
    let run = accord().args(["build", "--quiet", "--sources"]).arg(sources).arg("--out").arg(out).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

type Sheet = Vec<Vec<String>>;

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn read(workbook: &Path) -> (Sheet, Sheet) {
    let mut book: Xlsx<_> = calamine::open_workbook(workbook).unwrap();
    let mut sheet = |name: &str| -> Sheet {
        book.worksheet_range(name).unwrap().rows().map(|r| r.iter().map(text).collect()).collect()
    };
    (sheet("alignment"), sheet("metadata"))
}

/// Saves the sheets as a reviewer's spreadsheet program would: same cells, new file.
fn save(path: &Path, alignment: &Sheet, metadata: &Sheet) {
    let mut book = Workbook::new();
    for (name, rows) in [("alignment", alignment), ("metadata", metadata)] {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                if !value.is_empty() {
                    sheet.write_string(r as u32, c as u16, value).unwrap();
                }
            }
        }
    }
    book.save(path).unwrap();
}

fn column(sheet: &Sheet, name: &str) -> usize {
    sheet[0].iter().position(|h| h == name || h.starts_with(&format!("{name} "))).unwrap()
}

fn import(workbook: &Path, sources: &Path, out: &Path) -> std::process::Output {
    accord()
        .args(["review", "import"])
        .arg(workbook)
        .arg("--sources")
        .arg(sources)
        .arg("--release")
        .arg(out)
        .output()
        .unwrap()
}

/// alignments.csv rows of the document by eId.
fn groups(out: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    alignment_rows(out).into_iter().map(|row| (row["eid"].clone(), row)).collect()
}

#[test]
fn reviewed_workbook_becomes_decisions_the_next_build_honours() {
    let (dir, sources, out) = release();
    let (mut sheet, metadata) = read(&out.join(format!("xlsx/{DOC}.xlsx")));
    let (eid, fr, status) = (column(&sheet, "eId"), column(&sheet, "FR"), column(&sheet, "review status"));
    // Rows 3 and 4 (1-based: the header is row 1) are merged in French: the reviewer moves
    // row 4's French text up into row 3.
    let (merged, emptied, approved, rejected) = (2, 3, 1, 6);
    let moved = std::mem::take(&mut sheet[emptied][fr]);
    assert!(!moved.is_empty() && !sheet[merged][fr].is_empty());
    sheet[merged][fr] = format!("{}\n{moved}", sheet[merged][fr]);
    sheet[merged][status] = "corrected".into();
    sheet[approved][status] = "approved".into();
    sheet[rejected][status] = "Rejected".into();
    let edited = dir.path().join("reviewed.xlsx");
    save(&edited, &sheet, &metadata);

    let run = import(&edited, &sources, &out);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("1 approved, 2 corrected, 1 rejected"), "{stderr}");
    let toml = fs::read_to_string(sources.join(DOC).join("alignment.toml")).unwrap();
    let tables = |name: &str| toml.lines().filter(|l| *l == name).count();
    assert_eq!(tables("[[pin]]"), 3, "{toml}");
    assert_eq!(tables("[[reject]]"), 1, "{toml}");

    build(&sources, &out);
    let after = groups(&out);
    let merged_group = &after[&sheet[merged][eid]];
    assert_eq!(merged_group["pinned"], "true");
    assert!(merged_group["fr"].contains(&moved), "the moved French text joined its new group");
    let emptied_group = &after[&sheet[emptied][eid]];
    assert_eq!(emptied_group["fr"], "", "the emptied row keeps no French");
    assert_eq!(after[&sheet[approved][eid]]["pinned"], "true");
    let rejected_group = &after[&sheet[rejected][eid]];
    assert_eq!(rejected_group["review"], "true");
    let tmx = fs::read_to_string(out.join(format!("tmx/{DOC}.tmx"))).unwrap();
    assert!(!tmx.contains(&format!("<prop type=\"x-eid\">{}</prop>", sheet[rejected][eid])), "rejected group in TMX");
    assert!(tmx.contains(&format!("<prop type=\"x-eid\">{}</prop>", sheet[approved][eid])));

    // The next round's workbook shows the decisions.
    let (next, _) = read(&out.join(format!("xlsx/{DOC}.xlsx")));
    let status_of = |e: &str| next.iter().find(|r| r[eid] == e).map(|r| r[status].clone()).unwrap();
    assert_eq!(status_of(&sheet[approved][eid]), "approved");
    assert_eq!(status_of(&sheet[rejected][eid]), "rejected");
}

#[test]
fn edited_text_is_an_error_at_its_cell_and_nothing_is_written() {
    let (dir, sources, out) = release();
    let (mut sheet, metadata) = read(&out.join(format!("xlsx/{DOC}.xlsx")));
    let (fr, status) = (column(&sheet, "FR"), column(&sheet, "review status"));
    sheet[4][fr].push_str(" (corrigé)");
    sheet[5][status] = "done".into();
    let edited = dir.path().join("reviewed.xlsx");
    save(&edited, &sheet, &metadata);
    let run = import(&edited, &sources, &out);
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    let fr_cell = format!("{}5", (b'A' + fr as u8) as char);
    assert!(stderr.contains(&format!("reviewed.xlsx:5:{}: error[review-text-changed]", fr + 1)), "{stderr}");
    assert!(stderr.contains(&format!("cell {fr_cell}")), "{stderr}");
    assert!(stderr.contains("error[review-bad-status]") && stderr.contains("`done`"), "{stderr}");
    assert!(!sources.join(DOC).join("alignment.toml").exists());
}

#[test]
fn a_workbook_older_than_its_sources_is_refused() {
    let (dir, sources, out) = release();
    let (sheet, metadata) = read(&out.join(format!("xlsx/{DOC}.xlsx")));
    let edited = dir.path().join("reviewed.xlsx");
    save(&edited, &sheet, &metadata);
    let fr = sources.join(DOC).join("fr.txt");
    let mut text = fs::read_to_string(&fr).unwrap();
    text.push_str("Un paragraphe ajouté.\n");
    fs::write(&fr, text).unwrap();
    let run = import(&edited, &sources, &out);
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("error[review-sources-changed]"));
    assert!(!sources.join(DOC).join("alignment.toml").exists());
}

/// Writes a zip holding `entries` (name, bytes), deflated.
fn zip_file(path: &Path, entries: &[(&str, Vec<u8>)]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn hostile_workbooks_are_refused_before_they_are_unpacked() {
    let (dir, sources, out) = release();
    let bomb = dir.path().join("bomb.xlsx");
    zip_file(&bomb, &[("xl/worksheets/sheet1.xml", vec![b'0'; 8 << 20])]);
    let traversal = dir.path().join("traversal.xlsx");
    zip_file(&traversal, &[("../../etc/evil.xml", b"<x/>".to_vec())]);
    let not_zip = dir.path().join("text.xlsx");
    fs::write(&not_zip, "eId,EN\n").unwrap();
    // Sparse: 1 GiB of size, no block written.
    let huge = dir.path().join("huge.xlsx");
    fs::File::create(&huge).unwrap().set_len(1 << 30).unwrap();
    for (file, says) in [
        (&bomb, "zip bomb"),
        (&traversal, "outside the archive"),
        (&not_zip, "not an .xlsx"),
        (&huge, "a translator workbook is under"),
    ] {
        let run = import(file, &sources, &out);
        assert_eq!(run.status.code(), Some(1), "{}", file.display());
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains("error[review-unsafe-workbook]") && stderr.contains(says), "{stderr}");
        let args = ["review".as_ref(), "import".as_ref(), file.as_os_str(), "--sources".as_ref(), sources.as_os_str()];
        let (_, _, peak_mib) =
            common::run_with_peak_rss(&[&args[..], &["--release".as_ref(), out.as_os_str()]].concat());
        assert!(peak_mib < 64, "{}: peak RSS {peak_mib} MiB", file.display());
    }
    assert!(!sources.join(DOC).join("alignment.toml").exists());
}

/// The release's workbook with `entity` declared in the DTD of its shared strings and the
/// first string replaced by a reference to `reference`: what an attacker would send back.
fn workbook_with_dtd(out: &Path, dest: &Path, entities: &str, reference: &str) {
    use std::io::Read;
    let mut archive =
        zip::ZipArchive::new(fs::File::open(out.join("xlsx").join(format!("{DOC}.xlsx"))).unwrap()).unwrap();
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).unwrap();
        let name = part.name().unwrap().into_owned();
        if name == "xl/sharedStrings.xml" {
            let xml = String::from_utf8(bytes).unwrap();
            let body = xml.find("<sst").unwrap();
            let first = xml.find("<t>").unwrap() + 3;
            let end = first + xml[first..].find("</t>").unwrap();
            bytes =
                format!("{}<!DOCTYPE sst [{entities}]>{}{reference}{}", &xml[..body], &xml[body..first], &xml[end..])
                    .into_bytes();
        }
        entries.push((name, bytes));
    }
    fs::create_dir_all(dest.parent().unwrap()).unwrap();
    let entries: Vec<(&str, Vec<u8>)> = entries.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    zip_file(dest, &entries);
}

#[test]
fn workbooks_declaring_entities_are_refused() {
    let (dir, sources, out) = release();
    let external = dir.path().join("external").join(format!("{DOC}.xlsx"));
    workbook_with_dtd(&out, &external, r#"<!ENTITY secret SYSTEM "file:///etc/passwd">"#, "&secret;");
    let laughs = dir.path().join("laughs").join(format!("{DOC}.xlsx"));
    let mut entities = String::from(r#"<!ENTITY lol0 "lol">"#);
    for level in 1..10 {
        let previous = format!("&lol{};", level - 1);
        entities.push_str(&format!(r#"<!ENTITY lol{level} "{}">"#, previous.repeat(10)));
    }
    workbook_with_dtd(&out, &laughs, &entities, "&lol9;");
    for file in [&external, &laughs] {
        let run = import(file, &sources, &out);
        assert_eq!(run.status.code(), Some(1), "{}", file.display());
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(stderr.contains("error[review-unsafe-workbook]") && stderr.contains("declares a DTD"), "{stderr}");
        assert!(!stderr.contains("root:"), "a file of the machine was read: {stderr}");
    }
    assert!(!sources.join(DOC).join("alignment.toml").exists());
}
