//! Source rules over the model: what the parser could read but a release must not publish
//! without a word. Each rule has a code (listed in the README), a location and a hint.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diag::{Diagnostic, Location, display_path};
use crate::furniture;
use crate::ingest::{DocumentToml, Loaded, coverage, lexical};
use crate::lang;
use crate::model::{Block, Document, Expression, HeaderField, SourceFormat};

pub mod release;

/// Every diagnostic of a loaded document: the ingest's, the document rules' (with the
/// locations of its `document.toml` and `alignment.toml`), and the nothing-lost accounting
/// when it was loaded with it; at most [`crate::diag::MAX_PER_CODE`] of one code per file.
pub fn loaded(loaded: &Loaded) -> Vec<Diagnostic> {
    let mut out = loaded.diagnostics.clone();
    let Some(doc) = &loaded.document else { return crate::diag::cap_per_code(out) };
    let toml_path = display_path(&loaded.dir.join("document.toml"));
    let toml = loaded.toml.as_ref().map(|(t, text)| (t, text.as_str(), toml_path.as_str()));
    let pins_path = display_path(&loaded.dir.join("alignment.toml"));
    let pins = loaded.pins.as_ref().map(|(_, text)| (pins_path.as_str(), text.as_str()));
    out.extend(document(doc, toml, pins));
    out.extend(doc.expressions.iter().zip(&loaded.coverage).filter_map(|(e, c)| coverage::lost_text(e, c)));
    crate::diag::cap_per_code(out)
}

/// Document-level rules. `toml` is the `document.toml` as written, for locations;
/// `pins_file` the path and text of `alignment.toml`.
pub fn document(
    doc: &Document,
    toml: Option<(&DocumentToml, &str, &str)>,
    pins_file: Option<(&str, &str)>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some((path, text)) = pins_file {
        check_pins(doc, path, text, &mut out);
    }
    if let Some((toml, text, path)) = toml {
        check_toml(doc, toml, text, path, &mut out);
    }
    check_original_language(doc, toml, &mut out);
    for e in &doc.expressions {
        check_header(e, &mut out);
        if e.format == SourceFormat::Md {
            check_numbering(e, &e.body, &mut NumberingState::default(), &mut out);
        }
    }
    out
}

/// Line and column of `key = ` in a TOML text (first occurrence), for diagnostics.
fn toml_location(text: &str, path: &str, key: &str) -> Location {
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with(key) && trimmed[key.len()..].trim_start().starts_with(['=', '.']) {
            return Location::new(path, i as u32 + 1, (line.len() - trimmed.len()) as u32 + 1);
        }
    }
    Location::new(path, 1, 1)
}

/// Line and column of the entry `key` of table `table` in a TOML text, written under a
/// `[table]` header or as `table.key = `; else of the table itself.
fn toml_entry_location(text: &str, path: &str, table: &str, key: &str) -> Location {
    let is_key = |s: &str| {
        let rest = s.strip_prefix(key).or_else(|| s.strip_prefix(&format!("\"{key}\"")));
        rest.is_some_and(|r| r.trim_start().starts_with('='))
    };
    let mut current: Option<String> = None;
    let mut header = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let at = Location::new(path, i as u32 + 1, (line.len() - trimmed.len()) as u32 + 1);
        if let Some(rest) = trimmed.strip_prefix('[') {
            let name = rest.split(']').next().unwrap_or("").trim().to_string();
            if name == table && header.is_none() {
                header = Some(at);
            }
            current = Some(name);
            continue;
        }
        let entry = match &current {
            None => trimmed.strip_prefix(table).and_then(|r| r.trim_start().strip_prefix('.')).map(str::trim_start),
            Some(name) if name == table => Some(trimmed),
            Some(_) => None,
        };
        if entry.is_some_and(is_key) {
            return at;
        }
    }
    header.unwrap_or_else(|| toml_location(text, path, table))
}

/// The document folder, for problems that concern the whole document.
fn folder_location(doc: &Document, toml_path: Option<&str>) -> Location {
    toml_path
        .or_else(|| doc.expressions.first().map(|e| e.source.as_str()))
        .and_then(|p| Path::new(p).parent())
        .filter(|dir| !dir.as_os_str().is_empty())
        .map_or_else(|| Location::new(&doc.slug, 0, 0), Location::file)
}

/// Pinned groups must name languages and units that exist, each a run of consecutive units,
/// the groups in the same order in every language and without sharing a unit.
/// The rules of `alignment.toml` (at `path`, holding `text`) for the document's pins and rejects.
pub fn pins(doc: &Document, path: &str, text: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_pins(doc, path, text, &mut out);
    out
}

fn check_pins(doc: &Document, path: &str, text: &str, out: &mut Vec<Diagnostic>) {
    let mut positions: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for e in &doc.expressions {
        positions.insert(&e.lang, e.units().into_iter().enumerate().map(|(i, u)| (u.eid, i)).collect());
    }
    for (table, groups) in [("pin", &doc.pins), ("reject", &doc.rejects)] {
        let mut last_end: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, group) in groups.iter().enumerate() {
            let at = table_location(text, path, table, k);
            for (lang, eids) in group {
                let Some(units) = positions.get(lang.as_str()) else {
                    out.push(Diagnostic::error(
                        "pin-unknown-language",
                        at.clone(),
                        format!("{table} {} names `{lang}`, which has no version here", k + 1),
                        "name only the languages of the document's files",
                    ));
                    continue;
                };
                let mut indices = Vec::new();
                for eid in eids {
                    match units.get(eid) {
                        Some(i) => indices.push(*i),
                        None => out.push(Diagnostic::error(
                            "pin-unknown-eid",
                            at.clone(),
                            format!("{table} {} names `{eid}`, which is no unit of the `{lang}` version", k + 1),
                            "take eIds from `accord inspect sources/<slug>` (headings, paragraphs, items, table rows)",
                        )),
                    }
                }
                if indices.windows(2).any(|w| w[1] != w[0] + 1) {
                    out.push(Diagnostic::error(
                        "pin-not-contiguous",
                        at.clone(),
                        format!("{table} {} holds `{lang}` units that are not consecutive", k + 1),
                        "a group is a run of consecutive units; split it into several tables",
                    ));
                }
                if let Some(first) = indices.first() {
                    let previous = last_end.get(lang.as_str()).copied();
                    if previous.is_some_and(|end| *first <= end) {
                        out.push(Diagnostic::error(
                            "pin-crossing",
                            at.clone(),
                            format!("{table} {} starts in `{lang}` before the previous {table} ends", k + 1),
                            "list groups in document order, without sharing a unit",
                        ));
                    }
                    last_end.insert(lang.as_str(), *indices.last().unwrap_or(first));
                }
            }
        }
    }
}

/// Line of the `k`-th `[[table]]` header in `alignment.toml`.
fn table_location(text: &str, path: &str, table: &str, k: usize) -> Location {
    let header = format!("[[{table}]]");
    let line = text.lines().enumerate().filter(|(_, l)| l.trim() == header).nth(k).map_or(1, |(i, _)| i + 1);
    Location::new(path, line as u32, 1)
}

fn check_toml(doc: &Document, toml: &DocumentToml, text: &str, path: &str, out: &mut Vec<Diagnostic>) {
    let bad_code = |key: &str, code: &str, at: Location, out: &mut Vec<Diagnostic>| {
        out.push(Diagnostic::error(
            "invalid-language-code",
            at,
            format!("`{code}` in `{key}` is not an ISO 639-1 language code"),
            "use two-letter codes: ar, en, es, fr, ru, zh…",
        ));
    };
    for (key, value) in [("original_language", &toml.original_language), ("pivot", &toml.pivot)] {
        if let Some(code) = value
            && !lang::is_iso639_1(code)
        {
            bad_code(key, code, toml_location(text, path, key), out);
        }
    }
    for (table, keys) in [("title", toml.title.keys()), ("absent", toml.absent.keys())] {
        for code in keys {
            if !lang::is_iso639_1(code) {
                bad_code(table, code, toml_entry_location(text, path, table, code), out);
            }
        }
    }
    if let Some(date) = &toml.date
        && !lang::is_iso_date(date)
    {
        out.push(Diagnostic::error(
            "invalid-date",
            toml_location(text, path, "date"),
            format!("`{date}` is not a date in YYYY-MM-DD form"),
            "write dates as ISO 8601, e.g. `2022-03-16`",
        ));
    }
    if let Some(symbol) = &toml.symbol
        && !furniture::is_document_symbol(symbol)
    {
        out.push(Diagnostic::warning(
            "unusual-symbol",
            toml_location(text, path, "symbol"),
            format!("`{symbol}` does not look like a UN document symbol"),
            "UN symbols look like `CTOC/COP/WG.7/2022/1` or `A/RES/70/1`",
        ));
    }
    for code in toml.absent.keys() {
        if doc.expression(code).is_some() {
            out.push(Diagnostic::error(
                "absent-but-present",
                toml_entry_location(text, path, "absent", code),
                format!("`{code}` is declared absent but `{code}` version is in the folder"),
                "remove the language from `absent`, or the file from the folder",
            ));
        }
    }
    if let Some(pivot) = &toml.pivot
        && lang::is_iso639_1(pivot)
        && doc.expression(pivot).is_none()
    {
        out.push(Diagnostic::error(
            "pivot-missing",
            toml_location(text, path, "pivot"),
            format!("pivot language `{pivot}` has no version in the folder"),
            "choose a pivot among the languages present, or remove the key",
        ));
    }
}

fn check_original_language(doc: &Document, toml: Option<(&DocumentToml, &str, &str)>, out: &mut Vec<Diagnostic>) {
    let stated: Vec<(&Expression, &str, u32)> = doc
        .expressions
        .iter()
        .filter_map(|e| e.header.get(HeaderField::Original).and_then(|l| l.value.as_deref().map(|v| (e, v, l.line))))
        .collect();
    let declared = toml.and_then(|(t, _, _)| t.original_language.as_deref());
    let folder = folder_location(doc, toml.map(|(_, _, path)| path));
    let reference = declared.or(stated.first().map(|(_, v, _)| *v));
    for (e, value, line) in &stated {
        if reference.is_some_and(|r| r != *value) {
            let against = if declared.is_some() { "document.toml" } else { "the other versions" };
            out.push(Diagnostic::error(
                "original-language-conflict",
                Location::new(&e.source, *line, 1),
                format!(
                    "this version says the original is `{value}`, {against} say `{}`",
                    reference.unwrap_or_default()
                ),
                "correct the header, or set `original_language` in document.toml to what is true",
            ));
        }
    }
    match reference {
        None => out.push(Diagnostic::error(
            "original-language-missing",
            doc.expressions.first().map_or(folder, |e| Location::new(&e.source, 1, 1)),
            "no version states the original language and document.toml does not set it",
            "add `original_language = \"en\"` to document.toml",
        )),
        Some(original) => {
            let absent = toml.is_some_and(|(t, _, _)| t.absent.contains_key(original));
            if doc.expression(original).is_none() && !absent {
                out.push(Diagnostic::warning(
                    "original-not-available",
                    folder,
                    format!("the original (`{original}`) version is not in the folder"),
                    format!("add `{original}` to the folder, or record it: `[absent]` `{original} = \"why\"` in document.toml"),
                ));
            }
        }
    }
}

fn check_header(e: &Expression, out: &mut Vec<Diagnostic>) {
    // Russian, Chinese and Arabic versions keep an English header, but its language line
    // still names their own language.
    if let Some(line) = e.header.get(HeaderField::Language)
        && let Some(code) = line.value.as_deref()
        && code != e.lang
    {
        out.push(Diagnostic::error(
            "header-language-mismatch",
            Location::new(&e.source, line.line, 1),
            format!("the header says this version is `{code}` but the file is `{}`", e.lang),
            "rename the file after its language, or correct the header",
        ));
    }
    if e.format == SourceFormat::Md && !e.header.lines.is_empty() {
        for (field, name) in [(HeaderField::Date, "date"), (HeaderField::Original, "`Original:` line")] {
            if e.header.get(field).is_none() {
                out.push(Diagnostic::warning(
                    "header-incomplete",
                    Location::new(&e.source, e.header.lines[0].line, 1),
                    format!("the header has no {name}"),
                    "UN headers give the distribution, the date, the language and the original language",
                ));
            }
        }
    }
}

/// Numbering seen so far: paragraph numbers restart per section or run on through the
/// document (an addendum continues its parent's numbering).
#[derive(Default)]
struct NumberingState {
    last_paragraph: Option<u32>,
}

fn check_numbering(e: &Expression, blocks: &[Block], state: &mut NumberingState, out: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<u32, u32> = BTreeMap::new();
    let mut previous: Option<u32> = None;
    let mut sections: Vec<(u32, u32, u8)> = Vec::new();
    for block in blocks {
        match block {
            Block::Paragraph(p) => {
                if let Some(value) = p.num.as_deref().and_then(lexical::paragraph_value) {
                    let line = p.lines[0];
                    if let Some(first) = seen.get(&value) {
                        out.push(Diagnostic::warning(
                            "numbering-duplicate",
                            Location::new(&e.source, line, 1),
                            format!("paragraph {value} again (first at line {first})"),
                            "renumber the paragraphs, or check for a paragraph repeated by the conversion",
                        ));
                    } else {
                        let expected = match previous {
                            Some(prev) => Some(prev + 1),
                            // A section's first paragraph starts at 1 or runs on from the last one.
                            None => state.last_paragraph.map(|last| last + 1),
                        };
                        if let Some(expected) = expected
                            && value != expected
                            && !(previous.is_none() && value == 1)
                        {
                            out.push(Diagnostic::warning(
                                "numbering-gap",
                                Location::new(&e.source, line, 1),
                                format!("paragraph {value} follows paragraph {}", expected - 1),
                                "a paragraph may have been lost in the conversion; check the PDF",
                            ));
                        }
                        seen.insert(value, line);
                    }
                    previous = Some(value);
                    state.last_paragraph = Some(value);
                }
                check_items(e, p, out);
            }
            Block::Section(s) => {
                if let Some((rank, value)) = s.num.as_deref().and_then(lexical::heading_value) {
                    sections.push((value, s.line, rank));
                }
                check_numbering(e, &s.children, state, out);
            }
            Block::Table(_) => {}
        }
    }
    // Section numbers (I, II…; A, B…) run in order among siblings of the same kind.
    for rank in [1u8, 2] {
        let numbers: Vec<(u32, u32)> = sections.iter().filter(|s| s.2 == rank).map(|s| (s.0, s.1)).collect();
        for pair in numbers.windows(2) {
            let ((a, _), (b, line)) = (pair[0], pair[1]);
            if b == a {
                out.push(Diagnostic::warning(
                    "numbering-duplicate",
                    Location::new(&e.source, line, 1),
                    format!("section number {b} twice in a row"),
                    "renumber the headings",
                ));
            } else if b != a + 1 {
                out.push(Diagnostic::warning(
                    "numbering-gap",
                    Location::new(&e.source, line, 1),
                    format!("section {b} follows section {a}"),
                    "a section may have been lost in the conversion; check the PDF",
                ));
            }
        }
    }
}

fn check_items(e: &Expression, p: &crate::model::Paragraph, out: &mut Vec<Diagnostic>) {
    let letters: Vec<(Option<u32>, u32)> = p.items.iter().map(|i| (lexical::item_value(&i.num), i.line)).collect();
    for (k, (index, line)) in letters.iter().enumerate() {
        let expected = k as u32 + 1;
        if let Some(index) = index
            && *index != expected
        {
            let (code, message) = if letters[..k].iter().any(|(i, _)| i == &Some(*index)) {
                ("numbering-duplicate", format!("item {} again", p.items[k].num))
            } else {
                ("numbering-gap", format!("item {} where item {expected} was expected", p.items[k].num))
            };
            out.push(Diagnostic::warning(
                code,
                Location::new(&e.source, *line, 1),
                message,
                "check the list for a lost or repeated item",
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_entries_are_located_in_their_table() {
        let text = "kind = \"report\"\n\n[title]\nfr = \"Titre\"\n\n[absent]\n  en = \"indisponible\"\nfr = \"x\"\n";
        let at = |table, key| {
            let l = toml_entry_location(text, "d.toml", table, key);
            (l.line, l.col)
        };
        assert_eq!(at("absent", "fr"), (8, 1));
        assert_eq!(at("absent", "en"), (7, 3));
        assert_eq!(at("title", "fr"), (4, 1));
        // A key that is not written there: the table header.
        assert_eq!(at("absent", "es"), (6, 1));
        let dotted = "absent.fr = \"x\"\n";
        assert_eq!(toml_entry_location(dotted, "d.toml", "absent", "fr").line, 1);
        let quoted = "[absent]\n\"fr\" = \"x\"\n";
        assert_eq!(toml_entry_location(quoted, "d.toml", "absent", "fr").line, 2);
    }
}
