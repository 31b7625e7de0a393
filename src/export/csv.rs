//! CSV tables of a release (RFC 4180, UTF-8, `\n` line ends) and the Frictionless Data
//! Package that describes them.
//!
//! Each document's rows are rendered on their own (in parallel by the build) and the tables
//! are their concatenation in document order under one header, streamed as documents finish,
//! so the bytes do not depend on scheduling and memory does not grow with the corpus. Texts are plain; inline spans in another language are listed in `spans.csv`
//! with character offsets into the segment text.
//!
//! Free texts go through [`guard`]: a text a spreadsheet would run as a formula is written after
//! one apostrophe, so opening a table in Excel or LibreOffice never executes a cell.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value, json};

use super::{Aligned, File, ReleaseInfo};
use crate::model::alignment::UnitKind;
use crate::model::{MarkKind, Text};

/// The rows one document contributes to each table, without headers.
#[derive(Default)]
pub struct Rows {
    documents: Vec<u8>,
    alignments: Vec<u8>,
    segments: Vec<u8>,
    spans: Vec<u8>,
}

const TABLES: [&str; 4] = ["documents", "alignments", "segments", "spans"];

fn writer(buf: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new().has_headers(false).terminator(csv::Terminator::Any(b'\n')).from_writer(buf)
}

/// What spreadsheets take for the start of a formula (OWASP's CSV-injection list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text as written in a cell: one apostrophe before a text that starts with a formula
/// character, or with apostrophes and then one, so that removing one leading apostrophe from
/// such a cell always gives back the exact text (the rule `datapackage.json` states).
pub fn guard(text: &str) -> Cow<'_, str> {
    if needs_guard(text) { Cow::Owned(format!("'{text}")) } else { Cow::Borrowed(text) }
}

fn needs_guard(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// The rule of [`guard`], as the data package states it for every free-text field.
const GUARD_RULE: &str = "a text that starts with =, +, -, @, a tab or a carriage return (after any apostrophes) is written with one more leading apostrophe, so that spreadsheets show it as text: remove one leading apostrophe from such a cell to get the exact text";

fn kind_name(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Heading => "heading",
        UnitKind::Paragraph => "paragraph",
        UnitKind::Item => "item",
        UnitKind::Row => "row",
    }
}

/// Renders one document's rows; `languages` are the release's text columns.
pub fn rows(aligned: &Aligned, languages: &[String]) -> csv::Result<Rows> {
    let doc = aligned.document;
    let meta = &doc.metadata;
    let mut rows = Rows::default();
    let langs: Vec<&str> = doc.expressions.iter().map(|e| e.lang.as_str()).collect();
    let absent: Vec<&str> = meta.absent.keys().map(String::as_str).collect();
    let title = meta
        .original_language
        .as_ref()
        .and_then(|l| meta.title.get(l))
        .or_else(|| meta.title.get(&aligned.alignment.pivot))
        .or_else(|| meta.title.values().next());
    fn free(text: Option<&String>) -> Cow<'_, str> {
        guard(text.map_or("", String::as_str))
    }
    writer(&mut rows.documents).write_record([
        doc.slug.as_str(),
        &free(meta.symbol.as_ref()),
        &free(meta.kind.as_ref()),
        meta.date.as_deref().unwrap_or(""),
        meta.original_language.as_deref().unwrap_or(""),
        &aligned.alignment.pivot,
        &langs.join(" "),
        &absent.join(" "),
        &free(title),
        &free(meta.licence.as_ref()),
        &free(meta.provenance.as_ref()),
    ])?;

    let units = aligned.units;
    let original = meta.original_language.as_deref().unwrap_or("");
    let mut alignments = writer(&mut rows.alignments);
    let mut segments = Vec::new();
    let mut text = String::new();
    for group in &aligned.alignment.groups {
        let first = group.members.iter().next().and_then(|(l, eids)| units.get(l.as_str())?.get(eids.first()?));
        let pivot_unit = group
            .members
            .get(&aligned.alignment.pivot)
            .and_then(|eids| units.get(aligned.alignment.pivot.as_str())?.get(eids.first()?))
            .or(first);
        // Field by field, the texts joined in one reused buffer: no record of owned copies.
        let pivot_kind = pivot_unit.map_or("", |u| kind_name(u.kind));
        let num = pivot_unit.and_then(|u| u.num.as_deref()).unwrap_or("");
        let confidence = format!("{:.3}", group.confidence);
        let [review, pinned] = [group.review, group.pinned].map(|b| if b { "true" } else { "false" });
        let fields = [doc.slug.as_str(), &group.eid, pivot_kind, num, &aligned.alignment.pivot, original, &confidence];
        for field in fields.into_iter().chain([review, pinned]) {
            alignments.write_field(field)?;
        }
        for lang in languages {
            text.clear();
            let found =
                group.members.get(lang).into_iter().flatten().filter_map(|eid| units.get(lang.as_str())?.get(eid));
            // Each unit led by its own number as this language prints it (`V.`, `خامسا -`,
            // `五.`): the `num` column holds only the pivot's.
            for (k, unit) in found.enumerate() {
                if k > 0 {
                    text.push('\n');
                }
                if let Some(num) = unit.printed_number() {
                    text.push_str(num);
                    text.push(' ');
                }
                text.push_str(&unit.text.text);
            }
            alignments.write_field(guard(&text).as_bytes())?;
        }
        alignments.write_record(None::<&[u8]>)?;
        for (lang, eids) in &group.members {
            for eid in eids {
                if let Some(unit) = units.get(lang.as_str()).and_then(|u| u.get(eid)) {
                    segments.push((lang.as_str(), unit, group.eid.as_str()));
                }
            }
        }
    }
    alignments.flush()?;
    drop(alignments);

    let sources: BTreeMap<&str, &str> = doc.expressions.iter().map(|e| (e.lang.as_str(), e.source.as_str())).collect();
    segments.sort_by(|a, b| a.0.cmp(b.0).then(a.1.line.cmp(&b.1.line)).then(a.1.eid.cmp(&b.1.eid)));
    let mut segment_writer = writer(&mut rows.segments);
    let mut span_writer = writer(&mut rows.spans);
    for (lang, unit, group) in segments {
        segment_writer.write_record([
            doc.slug.as_str(),
            lang,
            unit.eid.as_str(),
            group,
            kind_name(unit.kind),
            unit.num.as_deref().unwrap_or(""),
            if lang == original { "true" } else { "false" },
            &guard(&unit.text.text),
            &format!("{}:{}", sources.get(lang).copied().unwrap_or(""), unit.line),
        ])?;
        for (start, end, span_lang, span) in foreign_spans(&unit.text) {
            span_writer.write_record([
                doc.slug.as_str(),
                lang,
                unit.eid.as_str(),
                &start.to_string(),
                &end.to_string(),
                span_lang,
                &guard(span),
            ])?;
        }
    }
    segment_writer.flush()?;
    span_writer.flush()?;
    drop((segment_writer, span_writer));
    Ok(rows)
}

/// Foreign spans of a text: character offsets (not bytes: what CSV readers count), language
/// and the span itself.
fn foreign_spans(text: &Text) -> Vec<(usize, usize, &str, &str)> {
    text.marks
        .iter()
        .filter_map(|m| match &m.kind {
            MarkKind::Foreign { lang } => Some((
                text.text[..m.start].chars().count(),
                text.text[..m.end].chars().count(),
                lang.as_str(),
                &text.text[m.start..m.end],
            )),
            _ => None,
        })
        .collect()
}

/// Headers of the four tables, given the release's languages.
fn headers(languages: &[String]) -> [Vec<String>; 4] {
    let strings = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut alignments =
        strings(&["document", "eid", "kind", "num", "pivot", "original_language", "confidence", "review", "pinned"]);
    alignments.extend(languages.iter().cloned());
    [
        strings(&[
            "slug",
            "symbol",
            "kind",
            "date",
            "original_language",
            "pivot",
            "languages",
            "absent_languages",
            "title",
            "licence",
            "provenance",
        ]),
        alignments,
        strings(&["document", "lang", "eid", "group", "kind", "num", "is_original", "text", "source"]),
        strings(&["document", "lang", "eid", "start", "end", "span_lang", "text"]),
    ]
}

/// The four tables, written as a stream: headers first, then each document's rows as they
/// come (in document order), so that no more than one document's rows need be held.
pub struct Tables<W: Write> {
    sinks: [W; 4],
}

impl<W: Write> Tables<W> {
    /// Paths of the tables in the release, in the order [`Tables::new`] takes their sinks.
    pub fn paths() -> [PathBuf; 4] {
        TABLES.map(|name| format!("csv/{name}.csv").into())
    }

    /// Writes the headers, given the release's languages.
    pub fn new(mut sinks: [W; 4], languages: &[String]) -> csv::Result<Self> {
        for (sink, header) in sinks.iter_mut().zip(headers(languages)) {
            let mut bytes = Vec::new();
            writer(&mut bytes).write_record(&header)?;
            sink.write_all(&bytes)?;
        }
        Ok(Tables { sinks })
    }

    /// Appends one document's rows.
    pub fn append(&mut self, rows: &Rows) -> std::io::Result<()> {
        let parts = [&rows.documents, &rows.alignments, &rows.segments, &rows.spans];
        self.sinks.iter_mut().zip(parts).try_for_each(|(sink, part)| sink.write_all(part))
    }

    pub fn into_sinks(self) -> [W; 4] {
        self.sinks
    }
}

/// `datapackage.json`, which describes the tables.
pub fn datapackage_file(languages: &[String], info: &ReleaseInfo) -> serde_json::Result<File> {
    let mut bytes = serde_json::to_vec_pretty(&datapackage(languages, info))?;
    bytes.push(b'\n');
    Ok(File { path: "datapackage.json".into(), bytes })
}

/// Frictionless Data Package: Table Schemas with types, constraints, keys, licences, sources.
fn datapackage(languages: &[String], info: &ReleaseInfo) -> Value {
    let mut package = package(languages, info);
    if let Some(date) = &info.date {
        package["created"] = json!(format!("{date}T00:00:00Z"));
    }
    package
}

fn package(languages: &[String], info: &ReleaseInfo) -> Value {
    let lang = json!({"required": true, "pattern": "[a-z]{2}"});
    let eid = json!({"required": true, "pattern": "[a-z]+_[a-z0-9]+(_[0-9]+)?(__[a-z]+_[a-z0-9]+(_[0-9]+)?)*"});
    let field = |name: &str, kind: &str, description: &str, constraints: Value| {
        let mut f = json!({"name": name, "type": kind, "description": description});
        if !constraints.is_null() {
            f["constraints"] = constraints;
        }
        f
    };
    let free_text = |name: &str, description: &str, constraints: Value| {
        field(name, "string", &format!("{description}; {GUARD_RULE}"), constraints)
    };
    let kinds = json!({"enum": ["heading", "paragraph", "item", "row"]});
    let mut alignment_fields = vec![
        field("document", "string", "slug of the document (documents.slug)", json!({"required": true})),
        field("eid", "string", "Akoma Ntoso eId of the group: the pivot unit's, shared by every language", eid.clone()),
        field("kind", "string", "what the pivot unit is", kinds.clone()),
        field("num", "string", "the pivot unit's number as written (12., a), IV.)", Value::Null),
        field("pivot", "string", "language whose units give the groups their eIds", lang.clone()),
        field(
            "original_language",
            "string",
            "language the document was drafted in; empty when unknown",
            json!({"pattern": "[a-z]{2}"}),
        ),
        field(
            "confidence",
            "number",
            "alignment confidence of the group",
            json!({"required": true, "minimum": 0, "maximum": 1}),
        ),
        field("review", "boolean", "low confidence: a reviewer should check the group", json!({"required": true})),
        field("pinned", "boolean", "pinned by hand in alignment.toml", json!({"required": true})),
    ];
    for l in languages {
        alignment_fields.push(free_text(
            l,
            &format!(
                "text of the group in `{l}`, each unit led by its number as `{l}` prints it (`12.`, `V.`, `a)`), \
                 units joined by a line break; empty when this language has none"
            ),
            Value::Null,
        ));
    }
    let resource = |name: &str, description: &str, fields: Vec<Value>, key: Value, foreign: Value| {
        json!({
            "name": name,
            "path": format!("csv/{name}.csv"),
            "profile": "tabular-data-resource",
            "description": description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\n", "quoteChar": "\"", "doubleQuote": true, "header": true},
            "schema": {"fields": fields, "primaryKey": key, "foreignKeys": foreign},
        })
    };
    let documents_fk =
        |fields: &str| json!({"fields": fields, "reference": {"resource": "documents", "fields": "slug"}});
    json!({
        "profile": "tabular-data-package",
        "name": "accord-release",
        "title": "accord: aligned multilingual datasets of official documents",
        "description": "Language versions of UN documents aligned paragraph by paragraph through the original language (or a pivot). Texts are plain UTF-8; passages left in another language inside a text are listed in spans.csv with character offsets. Each document's licence and provenance are in documents.csv.",
        "version": info.version,
        "licenses": [{"name": "other-at", "title": "Per document: see the licence column of documents.csv (UN documents, UN Parallel Corpus terms, UDHR)"}],
        "sources": [
            {"title": "UN Parallel Corpus v1.0 (Ziemski, Junczys-Dowmunt and Pouliquen, LREC 2016)", "path": "https://conferences.unite.un.org/UNCorpus"},
            {"title": "Universal Declaration of Human Rights, via the udhr package (MIT)", "path": "https://github.com/wooorm/udhr"},
            {"title": "Documents of the Working Group on the Smuggling of Migrants (CTOC/COP/WG.7)", "path": "https://documents.un.org"}
        ],
        "contributors": [{"title": format!("accord {}", info.version), "role": "author"}],
        "resources": [
            resource("documents", "one row per document", vec![
                field("slug", "string", "folder name under sources/", json!({"required": true, "unique": true, "pattern": "[a-z0-9][a-z0-9_-]*"})),
                free_text("symbol", "UN document symbol, where the document establishes it", Value::Null),
                free_text("kind", "report, agenda, background-paper, resolution…", Value::Null),
                field("date", "date", "date of the document", Value::Null),
                field("original_language", "string", "language the document was drafted in", json!({"pattern": "[a-z]{2}"})),
                field("pivot", "string", "alignment pivot", lang.clone()),
                field("languages", "string", "language versions in the release, space-separated", json!({"required": true})),
                field("absent_languages", "string", "versions that exist but are not available (never invented)", Value::Null),
                free_text("title", "title in the original or pivot language", Value::Null),
                free_text("licence", "terms of the source text", Value::Null),
                free_text("provenance", "where the source text comes from", Value::Null),
            ], json!(["slug"]), json!([])),
            resource("alignments", "one row per aligned group, a text column per language", alignment_fields, json!(["document", "eid"]), json!([documents_fk("document")])),
            resource("segments", "one row per unit and language", vec![
                field("document", "string", "documents.slug", json!({"required": true})),
                field("lang", "string", "language of the unit", lang.clone()),
                field("eid", "string", "the unit's own eId in its language version", eid.clone()),
                field("group", "string", "eId of the alignment group (alignments.eid)", eid.clone()),
                field("kind", "string", "heading, paragraph, item or table row", kinds),
                field("num", "string", "number as written", Value::Null),
                field("is_original", "boolean", "the unit is in the document's original language", json!({"required": true})),
                free_text("text", "plain text of the unit", Value::Null),
                field("source", "string", "source file and line", json!({"required": true})),
            ], json!(["document", "lang", "eid"]), json!([
                documents_fk("document"),
                {"fields": ["document", "group"], "reference": {"resource": "alignments", "fields": ["document", "eid"]}}
            ])),
            resource("spans", "passages of a unit left in another language (an English title in French text)", vec![
                field("document", "string", "documents.slug", json!({"required": true})),
                field("lang", "string", "language of the unit", lang.clone()),
                field("eid", "string", "segments.eid", eid),
                field("start", "integer", "first character of the span in the exact text of segments.text (0-based, in characters)", json!({"required": true, "minimum": 0})),
                field("end", "integer", "character after the span", json!({"required": true, "minimum": 0})),
                field("span_lang", "string", "language of the span", lang),
                free_text("text", "the span", json!({"required": true})),
            ], json!(["document", "lang", "eid", "start"]), json!([
                {"fields": ["document", "lang", "eid"], "reference": {"resource": "segments", "fields": ["document", "lang", "eid"]}}
            ])),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formula_starts_get_one_apostrophe() {
        assert_eq!(guard("=1+1"), "'=1+1");
        assert_eq!(guard("-5 per cent"), "'-5 per cent");
        assert_eq!(guard("\t6\tAdoption"), "'\t6\tAdoption");
        assert_eq!(guard("''@x"), "'''@x");
        assert_eq!(guard("'quoted'"), "'quoted'");
        assert_eq!(guard("a = b"), "a = b");
        assert_eq!(guard(""), "");
    }

    proptest! {
        /// Written by the release's CSV writer and read back by an RFC 4180 reader, a guarded
        /// text is never a formula and removing one apostrophe gives back every byte.
        #[test]
        fn guarded_cells_round_trip(text in "['=+@\\t\\r\\n\",a-z -]{0,12}") {
            let mut bytes = Vec::new();
            let mut w = writer(&mut bytes);
            w.write_record([guard(&text).as_ref(), "next"]).unwrap();
            w.flush().unwrap();
            drop(w);
            let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_slice());
            let record = reader.records().next().unwrap().unwrap();
            let cell = &record[0];
            prop_assert!(!cell.starts_with(FORMULA_STARTS));
            let back = match cell.strip_prefix('\'') {
                Some(rest) if needs_guard(rest) => rest,
                _ => cell,
            };
            prop_assert_eq!(back, text.as_str());
            prop_assert_eq!(&record[1], "next");
        }
    }
}
