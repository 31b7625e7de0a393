//! The translator workbook, `xlsx/<slug>.xlsx`: one row per alignment group, one text column
//! per language (the original first), a review-status drop-down, and a metadata sheet.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatBorder, FormatScript, Workbook, Worksheet,
    XlsxError,
};

use super::{Aligned, ExportError, File, ReleaseInfo};
use crate::model::alignment::Unit;
use crate::model::{Expression, MarkKind, Text};

/// The values of the review-status drop-down; the first is what flagged rows start with.
pub const REVIEW_STATUSES: [&str; 4] = ["to review", "approved", "rejected", "corrected"];

/// Name of the sheet holding the groups.
pub const ALIGNMENT_SHEET: &str = "alignment";
/// Name of the sheet describing the document.
pub const METADATA_SHEET: &str = "metadata";

/// Column widths in Excel character units: text is wrapped past the cap.
const MAX_TEXT_WIDTH: f64 = 80.0;
const MAX_EID_WIDTH: f64 = 48.0;
const MIN_WIDTH: f64 = 10.0;

/// Fill of the rows whose group is flagged for review (light amber).
const REVIEW_FILL: u32 = 0xFFF2CC;

/// Creation date when neither the document nor the release has one: the Unix epoch, as for
/// `SOURCE_DATE_EPOCH=0`, so that the bytes never depend on the clock.
const EPOCH: (u16, u8, u8) = (1970, 1, 1);

pub fn export(aligned: &Aligned, info: &ReleaseInfo) -> Result<Vec<File>, ExportError> {
    let doc = aligned.document;
    let wrap = |source| match source {
        XlsxError::TempFileError(dir, source) => ExportError::TempFile { document: doc.slug.clone(), dir, source },
        source => ExportError::Xlsx { document: doc.slug.clone(), source },
    };
    let columns = columns(aligned);
    let mut cells = Vec::with_capacity(aligned.alignment.groups.len());
    for group in &aligned.alignment.groups {
        let mut row = Vec::with_capacity(columns.len());
        for column in &columns {
            // Each unit as its version prints it, its own number first (the numbering is
            // each language's). A cell of one unnumbered unit borrows its text.
            let mut text: Option<Cow<Text>> = None;
            for eid in group.members.get(column.expression.lang.as_str()).into_iter().flatten() {
                let unit = column.units.get(eid.as_str()).ok_or_else(|| ExportError::UnknownUnit {
                    document: doc.slug.clone(),
                    lang: column.expression.lang.clone(),
                    eid: eid.clone(),
                })?;
                match &mut text {
                    Some(t) => t.to_mut().append("\n", unit.printed().into_owned()),
                    None => text = Some(unit.printed()),
                }
            }
            row.push(Cell::of(text.unwrap_or_default()));
        }
        cells.push(row);
    }

    let mut workbook = Workbook::new();
    // The fastest deflate (fixed codes, no search for longer matches): a translator's
    // workbook is a few tens of kilobytes, where the level matters less than the time. On a
    // quarter of the bench corpus, the workbooks are a quarter larger than at level 2 (107.2
    // against 85.6 MB, a tenth of the release) and a CSV and XLSX build takes a tenth less CPU.
    workbook.set_zip_compression_level(1);
    workbook.set_properties(&properties(aligned, info).map_err(wrap)?);
    // A sheet in low-memory mode streams its rows to an unnamed temporary file, where an
    // ordinary one has rust_xlsxwriter spawn a thread to assemble it when the workbook is
    // saved: two threads per workbook cost more than the files (a CSV+XLSX build of the bench
    // corpus took a quarter less time at --jobs 2). Such a sheet has the same cells and styles,
    // but it writes rich text inline rather than in the shared strings, where Excel puts it
    // and where tools made for Excel's files may only look: a groups sheet with rich text
    // stays ordinary.
    let rich = cells.iter().flatten().any(|cell| cell.runs.is_some());
    let groups_sheet =
        if rich { workbook.add_worksheet() } else { workbook.add_worksheet_with_low_memory().map_err(wrap)? };
    alignment_sheet(groups_sheet, aligned, &columns, &cells).map_err(wrap)?;
    metadata_sheet(workbook.add_worksheet_with_low_memory().map_err(wrap)?, aligned, &columns, info).map_err(wrap)?;
    let bytes = if rich { on_this_cpu(|| workbook.save_to_buffer()) } else { workbook.save_to_buffer() };
    Ok(vec![File { path: PathBuf::from("xlsx").join(format!("{}.xlsx", doc.slug)), bytes: bytes.map_err(wrap)? }])
}

/// Runs `f` with the thread held to the processor it is on, and whatever threads `f` starts
/// with it: the thread rust_xlsxwriter starts to assemble an ordinary sheet then runs on the
/// processor its caller leaves while it waits for it. Left to the scheduler, it was often put
/// behind the other worker on the other processor, and this one stayed idle meanwhile.
#[cfg(target_os = "linux")]
fn on_this_cpu<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: the sets are plain bit masks on the stack, and the calls name this thread (0).
    unsafe {
        let mut was: libc::cpu_set_t = std::mem::zeroed();
        let size = std::mem::size_of::<libc::cpu_set_t>();
        let cpu = libc::sched_getcpu();
        if cpu < 0 || libc::sched_getaffinity(0, size, &mut was) != 0 {
            return f();
        }
        let mut here: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu as usize, &mut here);
        let held = libc::sched_setaffinity(0, size, &here) == 0;
        let out = f();
        if held {
            libc::sched_setaffinity(0, size, &was);
        }
        out
    }
}

#[cfg(not(target_os = "linux"))]
fn on_this_cpu<T>(f: impl FnOnce() -> T) -> T {
    f()
}

/// A text cell: its text, and its runs of style when it is rich text.
struct Cell<'a> {
    text: Cow<'a, Text>,
    runs: Option<Vec<(Style, std::ops::Range<usize>)>>,
}

impl<'a> Cell<'a> {
    fn of(text: Cow<'a, Text>) -> Self {
        let runs = Some(&text).filter(|t| !t.marks.is_empty()).map(|t| runs(t));
        let runs = runs.filter(|runs| runs.iter().any(|(style, _)| *style != Style::default()));
        Cell { text, runs }
    }
}

/// A language column: its expression, its header, and its units' texts by eId.
struct Column<'a> {
    expression: &'a Expression,
    header: String,
    units: &'a HashMap<String, Unit>,
}

/// The language columns in order: the original first when present, else the pivot, then
/// the others as the document lists them.
fn columns<'a>(aligned: &Aligned<'a>) -> Vec<Column<'a>> {
    let doc = aligned.document;
    let original = doc.metadata.original_language.as_deref().filter(|l| doc.expression(l).is_some());
    let first = original.or(Some(aligned.alignment.pivot.as_str()).filter(|l| doc.expression(l).is_some()));
    let mut expressions: Vec<&Expression> = doc.expressions.iter().collect();
    expressions.sort_by_key(|e| Some(e.lang.as_str()) != first);
    expressions
        .into_iter()
        .map(|expression| {
            let code = expression.lang.to_uppercase();
            let header = match () {
                _ if original == Some(expression.lang.as_str()) => format!("{code} — original"),
                _ if first == Some(expression.lang.as_str()) => format!("{code} — pivot"),
                _ => code,
            };
            Column { expression, header, units: &aligned.units[&expression.lang] }
        })
        .collect()
}

fn alignment_sheet(
    sheet: &mut Worksheet,
    aligned: &Aligned,
    columns: &[Column],
    cells: &[Vec<Cell>],
) -> Result<(), XlsxError> {
    let groups = &aligned.alignment.groups;
    let status_col = columns.len() as u16 + 2;
    let confidence_col = status_col - 1;
    sheet.set_name(ALIGNMENT_SHEET)?;

    let header = Format::new().set_bold().set_text_wrap().set_border_bottom(FormatBorder::Thin);
    sheet.write_string_with_format(0, 0, "eId", &header)?;
    for (c, column) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16 + 1, &column.header, &header)?;
    }
    sheet.write_string_with_format(0, confidence_col, "confidence", &header)?;
    sheet.write_string_with_format(0, status_col, "review status", &header)?;

    // The columns carry the plain formats, which cells written without one take: the workbook
    // looks a cell's own format up by value, hashing all of it, and most rows are not flagged.
    let plain = Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top);
    let flagged = plain.clone().set_background_color(Color::RGB(REVIEW_FILL));
    let [plain_number, flagged_number] = [&plain, &flagged].map(|f| f.clone().set_num_format("0.00"));
    for col in 0..=status_col {
        sheet.set_column_format(col, if col == confidence_col { &plain_number } else { &plain })?;
    }
    let mut widths = vec![0.0f64; status_col as usize + 1];
    widths[0] = width("eId");
    for (g, (group, row)) in groups.iter().zip(cells).enumerate() {
        let r = g as u32 + 1;
        let (base, number) = if group.review { (Some(&flagged), Some(&flagged_number)) } else { (None, None) };
        write_cell(sheet, r, 0, &group.eid, base)?;
        widths[0] = widths[0].max(width(&group.eid));
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16 + 1;
            write_text(sheet, r, col, cell, base)?;
            // Once a column is as wide as it may be, its other cells need not be measured.
            if widths[col as usize] < MAX_TEXT_WIDTH {
                widths[col as usize] = widths[col as usize].max(width(&cell.text.text));
            }
        }
        let confidence = f64::from(group.confidence);
        match number {
            Some(format) => sheet.write_number_with_format(r, confidence_col, confidence, format)?,
            None => sheet.write_number(r, confidence_col, confidence)?,
        };
        // A reviewer's earlier decisions (alignment.toml) show in the next round.
        let status = if group.rejected {
            Some("rejected")
        } else if group.pinned {
            Some("approved")
        } else if group.review {
            Some(REVIEW_STATUSES[0])
        } else {
            None
        };
        write_cell(sheet, r, status_col, status.unwrap_or_default(), base)?;
    }

    sheet.set_column_width(0, widths[0].clamp(MIN_WIDTH, MAX_EID_WIDTH))?;
    for (c, column) in columns.iter().enumerate() {
        let w = widths[c + 1].max(width(&column.header));
        sheet.set_column_width(c as u16 + 1, w.clamp(MIN_WIDTH, MAX_TEXT_WIDTH))?;
    }
    sheet.set_column_width(confidence_col, 12)?;
    sheet.set_column_width(status_col, 16)?;
    sheet.set_freeze_panes(1, 0)?;
    let last_row = groups.len() as u32;
    sheet.autofilter(0, 0, last_row, status_col)?;
    if last_row > 0 {
        let validation = DataValidation::new()
            .allow_list_strings(&REVIEW_STATUSES)?
            .set_input_title("Review status")?
            .set_input_message("Pick what the reviewer decided for this group.")?;
        sheet.add_data_validation(1, status_col, last_row, status_col, &validation)?;
    }
    Ok(())
}

/// Writes `text` into a cell, as rich text when it has italic (or foreign), bold or
/// superscript marks, so that a reviewer sees the typography of the source. Without `base`, the
/// cell takes its column's format.
fn write_text(sheet: &mut Worksheet, row: u32, col: u16, cell: &Cell, base: Option<&Format>) -> Result<(), XlsxError> {
    let text = &cell.text;
    let Some(runs) = &cell.runs else {
        write_cell(sheet, row, col, &text.text, base)?;
        return Ok(());
    };
    let formats: Vec<Format> = runs.iter().map(|(style, _)| style.format()).collect();
    let segments: Vec<(&Format, &str)> =
        formats.iter().zip(runs).map(|(f, (_, range))| (f, &text.text[range.clone()])).collect();
    match base {
        Some(format) => sheet.write_rich_string_with_format(row, col, &segments, format)?,
        None => sheet.write_rich_string(row, col, &segments)?,
    };
    Ok(())
}

/// Writes a string with `base`, or with its column's format. An empty string with `base` is a
/// blank cell that shows it; without, no cell at all (`rust_xlsxwriter` does both).
fn write_cell<'s>(
    sheet: &'s mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    base: Option<&Format>,
) -> Result<&'s mut Worksheet, XlsxError> {
    match base {
        Some(format) => sheet.write_string_with_format(row, col, text, format),
        None => sheet.write_string(row, col, text),
    }
}

/// Font style of a run of text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Style {
    italic: bool,
    bold: bool,
    superscript: bool,
}

impl Style {
    fn format(self) -> Format {
        let mut f = Format::new();
        if self.italic {
            f = f.set_italic();
        }
        if self.bold {
            f = f.set_bold();
        }
        if self.superscript {
            f = f.set_font_script(FormatScript::Superscript);
        }
        f
    }
}

/// Splits `text` into maximal non-empty runs of one style.
fn runs(text: &Text) -> Vec<(Style, std::ops::Range<usize>)> {
    let styled = |kind: &MarkKind| {
        matches!(kind, MarkKind::Italic | MarkKind::Foreign { .. } | MarkKind::Bold | MarkKind::Superscript)
    };
    let len = text.text.len();
    let mut cuts: Vec<usize> = vec![0, len];
    for m in text.marks.iter().filter(|m| styled(&m.kind)) {
        cuts.extend([m.start.min(len), m.end.min(len)]);
    }
    cuts.retain(|&c| text.text.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<(Style, std::ops::Range<usize>)> = Vec::new();
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let mut style = Style::default();
        for m in text.marks.iter().filter(|m| m.start <= a && m.end >= b) {
            match m.kind {
                MarkKind::Italic | MarkKind::Foreign { .. } => style.italic = true,
                MarkKind::Bold => style.bold = true,
                MarkKind::Superscript => style.superscript = true,
                MarkKind::Ref { .. } | MarkKind::NoteRef { .. } => {}
            }
        }
        match out.last_mut() {
            Some((last, range)) if *last == style => range.end = b,
            _ => out.push((style, a..b)),
        }
    }
    out
}

/// Display width of the longest line, in Excel character units: wide (CJK) characters
/// count twice.
fn width(text: &str) -> f64 {
    let line = |l: &str| {
        // Wide characters are all of three UTF-8 bytes, led by 0xE1 or above: a line without
        // such a byte is counted without decoding each character.
        let wide = if l.bytes().any(|b| b >= 0xE1) { l.chars().filter(|&c| is_wide(c)).count() } else { 0 };
        l.chars().count() + wide
    };
    text.lines().map(line).max().unwrap_or(0) as f64 + 2.0
}

fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

fn metadata_sheet(
    sheet: &mut Worksheet,
    aligned: &Aligned,
    columns: &[Column],
    info: &ReleaseInfo,
) -> Result<(), XlsxError> {
    let doc = aligned.document;
    let meta = &doc.metadata;
    sheet.set_name(METADATA_SHEET)?;
    let present: Vec<&str> = doc.expressions.iter().map(|e| e.lang.as_str()).collect();
    let original = meta.original_language.as_deref();
    let original_state = match original {
        None => "not stated".to_string(),
        Some(o) if present.contains(&o) => format!("{o}: present, first text column"),
        Some(o) => match meta.absent.get(o) {
            Some(why) => format!("{o}: absent ({why}); the pivot is the first text column"),
            None => format!("{o}: absent; the pivot is the first text column"),
        },
    };
    let absent: Vec<String> = meta.absent.iter().map(|(lang, why)| format!("{lang}: {why}")).collect();
    let flagged = aligned.alignment.groups.iter().filter(|g| g.review).count();
    let mut rows: Vec<(String, String)> = vec![
        ("slug".into(), doc.slug.clone()),
        ("symbol".into(), meta.symbol.clone().unwrap_or_default()),
        ("kind".into(), meta.kind.clone().unwrap_or_default()),
        ("body".into(), meta.body.clone().unwrap_or_default()),
        ("date".into(), meta.date.clone().unwrap_or_default()),
        ("original language".into(), original_state),
        ("pivot".into(), aligned.alignment.pivot.clone()),
        ("columns".into(), columns.iter().map(|c| c.header.as_str()).collect::<Vec<_>>().join(", ")),
        ("languages present".into(), present.join(", ")),
        ("languages absent".into(), absent.join("\n")),
    ];
    rows.extend(meta.title.iter().map(|(lang, title)| (format!("title ({lang})"), title.clone())));
    rows.extend([
        ("licence".into(), meta.licence.clone().unwrap_or_default()),
        ("provenance".into(), meta.provenance.clone().unwrap_or_default()),
        ("groups".into(), aligned.alignment.groups.len().to_string()),
        ("groups to review".into(), flagged.to_string()),
        ("review statuses".into(), REVIEW_STATUSES.join(", ")),
        (SOURCE_FILES.into(), source_files(aligned)),
        ("accord version".into(), info.version.clone()),
        ("release date".into(), info.date.clone().unwrap_or_default()),
    ]);
    // The columns carry the formats, as in the groups sheet: a cell's own format is looked up
    // by hashing all of it, which was half the cost of this sheet.
    let bold = Format::new().set_bold().set_align(rust_xlsxwriter::FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top);
    sheet.set_column_format(0, &bold)?;
    sheet.set_column_format(1, &wrap)?;
    sheet.write_string(0, 0, "field")?;
    sheet.write_string_with_format(0, 1, "value", &bold)?;
    for (r, (key, value)) in rows.iter().enumerate() {
        sheet.write_string(r as u32 + 1, 0, key)?;
        sheet.write_string(r as u32 + 1, 1, value)?;
    }
    sheet.set_column_width(0, 20)?;
    sheet.set_column_width(1, MAX_TEXT_WIDTH)?;
    Ok(())
}

/// Label of the metadata row listing the source files, one `path sha256` per line.
pub const SOURCE_FILES: &str = "source files";

/// The source files the workbook was made from, one `path sha256` per line.
fn source_files(aligned: &Aligned) -> String {
    aligned.sources.iter().map(|(path, sha)| format!("{path} {sha}")).collect::<Vec<_>>().join("\n")
}

/// Document properties without the clock: created on the document's date, else the
/// release date, else the epoch (rust_xlsxwriter would otherwise write the current time).
fn properties(aligned: &Aligned, info: &ReleaseInfo) -> Result<DocProperties, XlsxError> {
    let doc = aligned.document;
    let created = [doc.metadata.date.as_deref(), info.date.as_deref()]
        .into_iter()
        .flatten()
        .find_map(excel_date)
        .map_or_else(|| ExcelDateTime::from_ymd(EPOCH.0, EPOCH.1, EPOCH.2), Ok)?;
    Ok(DocProperties::new()
        .set_title(doc.metadata.symbol.as_deref().unwrap_or(&doc.slug))
        .set_comment(format!("Aligned language versions of {}, made by accord {}", doc.slug, info.version))
        .set_creation_datetime(&created))
}

/// `YYYY-MM-DD` as an Excel date, when it is one Excel can hold (1900–9999).
fn excel_date(iso: &str) -> Option<ExcelDateTime> {
    let mut parts = iso.splitn(3, '-').map(|p| p.parse::<u16>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    ExcelDateTime::from_ymd(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Mark;

    fn mark(start: usize, end: usize, kind: MarkKind) -> Mark {
        Mark { start, end, kind }
    }

    #[test]
    fn runs_merge_italic_and_foreign_and_skip_links() {
        let text = Text {
            text: "le marquage (firearms marking) ici".into(),
            marks: vec![
                mark(13, 21, MarkKind::Foreign { lang: "en".into() }),
                mark(13, 29, MarkKind::Italic),
                mark(0, 2, MarkKind::Ref { href: "x".into(), symbol: None }),
                mark(34, 34, MarkKind::NoteRef { note: "n".into(), marker: "1".into() }),
            ],
        };
        let runs = runs(&text);
        let italic = Style { italic: true, ..Style::default() };
        assert_eq!(runs, vec![(Style::default(), 0..13), (italic, 13..29), (Style::default(), 29..34)]);
    }

    #[test]
    fn runs_of_unmarked_text_are_one() {
        assert_eq!(runs(&Text::plain("abc")), vec![(Style::default(), 0..3)]);
    }

    #[test]
    fn widths_count_wide_characters_twice() {
        assert_eq!(width("ab\nabcd"), 6.0);
        assert_eq!(width("中文"), 6.0);
    }

    #[test]
    fn excel_dates() {
        assert!(excel_date("1948-12-10").is_some());
        assert!(excel_date("1850-01-01").is_none());
        assert!(excel_date("2019-02-30").is_none());
        assert!(excel_date("2019").is_none());
    }
}
