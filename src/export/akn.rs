//! Akoma Ntoso 3.0: one expression per language, `akn/<slug>/<lang>.xml`, with the FRBR
//! identification of AKN4UN, the original marked and each translation linked to it, and
//! the eIds of aligned units made the same in every language (the group's eId).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use super::inline::{Piece, pieces};
use super::xml::XmlWriter;
use super::{Aligned, ExportError, File, ReleaseInfo};
use crate::lang::iso639_2;
use crate::model::{
    Block, Document, Expression, HeaderField, HeaderLine, Item, MarkKind, Note, Paragraph, Section, Table, Text,
};

const NAMESPACE: &str = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0";

/// FRBRdate needs a full date: a document without one gets this, named `unknown`.
const UNKNOWN_DATE: &str = "0001-01-01";

pub fn export(aligned: &Aligned, info: &ReleaseInfo) -> Result<Vec<File>, ExportError> {
    let doc = aligned.document;
    let work = Work::of(doc);
    doc.expressions
        .iter()
        .map(|expression| {
            let bytes = expression_xml(aligned, &work, expression, info)
                .map_err(|source| ExportError::Xml { document: doc.slug.clone(), source })?;
            Ok(File { path: folder(&doc.slug).join(format!("{}.xml", expression.lang)), bytes })
        })
        .collect()
}

/// The folder of a document's expressions in the release.
pub fn folder(slug: &str) -> PathBuf {
    PathBuf::from("akn").join(slug)
}

/// The document as an AKN work: its type and IRI.
struct Work {
    /// `doc`, `debateReport` or `statement` (all three share the open structure).
    element: &'static str,
    name: String,
    subtype: Option<&'static str>,
    /// Organisation part of the IRI (`un-ga`), from the symbol's series.
    actor: &'static str,
    date: String,
    date_known: bool,
    number: String,
    iri: String,
}

impl Work {
    fn of(doc: &Document) -> Work {
        let meta = &doc.metadata;
        // AKN4UN's mapping of UN document classes (AKN-NOTES §1); an unknown kind is a
        // generic `doc` without a subtype rather than a guessed one.
        let (element, subtype, name) = match meta.kind.as_deref() {
            Some("report") => ("debateReport", Some("report"), "report".to_string()),
            Some("agenda") => ("debateReport", Some("agenda"), "agenda".to_string()),
            Some("background-paper") => ("doc", Some("paper"), "backgroundPaper".to_string()),
            Some(k @ ("resolution" | "decision")) => ("statement", Some("deliberation"), k.to_string()),
            Some(other) => ("doc", None, other.to_string()),
            None => ("doc", None, "document".to_string()),
        };
        let symbol = meta.symbol.as_deref();
        // The series of a UN symbol names its organ; anything else is the UN at large.
        let actor = match symbol.and_then(|s| s.split('/').next()) {
            Some("A") => "un-ga",
            Some("S") => "un-sc",
            Some("E") => "un-ecosoc",
            _ => "un",
        };
        let date = meta.date.clone().filter(|d| crate::lang::is_iso_date(d));
        let number = match symbol {
            Some(s) => s.replace('/', "-").replace(' ', "_"),
            None => doc.slug.clone(),
        };
        let date_known = date.is_some();
        let date = date.unwrap_or_else(|| UNKNOWN_DATE.to_string());
        let iri = [Some("/akn/un"), Some(element), subtype, Some(actor), Some(&date), Some(&number)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("/");
        Work { element, name, subtype, actor, date, date_known, number, iri }
    }

    fn expression_iri(&self, lang: &str) -> String {
        format!("{}/{}@{}", self.iri, lang3(lang), self.date)
    }
}

/// ISO 639-2 for IRIs and FRBRlanguage; a language outside the table keeps its own code.
fn lang3(lang: &str) -> &str {
    iso639_2(lang).unwrap_or(lang)
}

fn expression_xml(
    aligned: &Aligned,
    work: &Work,
    expression: &Expression,
    info: &ReleaseInfo,
) -> std::io::Result<Vec<u8>> {
    let doc = aligned.document;
    let mut x = Xml::new(ids(aligned, &expression.lang), expression);
    x.declaration()?;
    x.start("akomaNtoso", &[("xmlns", NAMESPACE)])?;
    x.start(work.element, &[("name", &work.name)])?;
    meta(&mut x, doc, work, expression, info)?;
    if !expression.header.lines.is_empty() {
        x.start("preface", &[])?;
        for line in &expression.header.lines {
            header_line(&mut x, line)?;
        }
        x.end("preface")?;
    }
    x.start("mainBody", &[])?;
    for block in &expression.body {
        self::block(&mut x, block, true)?;
    }
    x.end("mainBody")?;
    x.end(work.element)?;
    x.end("akomaNtoso")?;
    x.newline(0)?;
    Ok(x.out.into_bytes())
}

fn meta(x: &mut Xml, doc: &Document, work: &Work, expression: &Expression, info: &ReleaseInfo) -> std::io::Result<()> {
    let meta = &doc.metadata;
    let lang = lang3(&expression.lang);
    let expr_iri = work.expression_iri(&expression.lang);
    let original = meta.original_language.as_deref().filter(|o| *o != expression.lang);
    let date_name = if work.date_known { "issued" } else { "unknown" };
    x.start("meta", &[])?;
    x.start("identification", &[("source", "#accord")])?;

    x.start("FRBRWork", &[])?;
    x.empty("FRBRthis", &[("value", &format!("{}/!main", work.iri))])?;
    x.empty("FRBRuri", &[("value", &work.iri)])?;
    if let Some(symbol) = &meta.symbol {
        x.empty("FRBRalias", &[("name", "unSymbol"), ("value", symbol)])?;
    }
    if !work.date_known {
        x.comment("The document states no date: FRBRdate and the IRIs carry a placeholder.")?;
    }
    x.empty("FRBRdate", &[("date", &work.date), ("name", date_name)])?;
    x.empty("FRBRauthor", &[("href", &format!("#{}", work.actor)), ("as", "#author")])?;
    x.empty("FRBRcountry", &[("value", "un")])?;
    if let Some(subtype) = work.subtype {
        x.empty("FRBRsubtype", &[("value", subtype)])?;
    }
    x.empty("FRBRnumber", &[("value", &work.number), ("showAs", meta.symbol.as_deref().unwrap_or(&work.number))])?;
    x.end("FRBRWork")?;

    x.start("FRBRExpression", &[])?;
    x.empty("FRBRthis", &[("value", &format!("{expr_iri}/!main"))])?;
    x.empty("FRBRuri", &[("value", &expr_iri)])?;
    x.empty("FRBRdate", &[("date", &work.date), ("name", date_name)])?;
    match original {
        Some(_) => x.empty("FRBRauthor", &[("href", "#translationService"), ("as", "#translator")])?,
        None => x.empty("FRBRauthor", &[("href", &format!("#{}", work.actor)), ("as", "#author")])?,
    }
    // Every UN language version is authoritative.
    x.empty("FRBRauthoritative", &[("value", "true")])?;
    if let Some(o) = original {
        let master = work.expression_iri(o);
        if doc.expression(o).is_none() {
            let why = meta.absent.get(o).map(|w| format!(" ({w})")).unwrap_or_default();
            x.comment(&format!(
                "The original ({}) is not available to accord{why}: it is named by its IRI only, and no file holds it.",
                lang3(o)
            ))?;
        }
        x.empty("FRBRmasterExpression", &[("href", &master), ("showAs", &format!("original ({})", lang3(o)))])?;
        x.empty("FRBRlanguage", &[("language", lang)])?;
        x.empty(
            "FRBRtranslation",
            &[("href", &master), ("fromLanguage", lang3(o)), ("authoritative", "true"), ("by", "#translationService")],
        )?;
    } else {
        x.empty("FRBRlanguage", &[("language", lang)])?;
    }
    x.end("FRBRExpression")?;

    // The manifestation is made on the release date, or else dated like the document:
    // never the clock.
    let (made, made_name) = match &info.date {
        Some(d) => (d.as_str(), "generation"),
        None => (work.date.as_str(), date_name),
    };
    x.start("FRBRManifestation", &[])?;
    x.empty("FRBRthis", &[("value", &format!("{expr_iri}/!main.xml"))])?;
    x.empty("FRBRuri", &[("value", &format!("{expr_iri}.xml"))])?;
    x.empty("FRBRdate", &[("date", made), ("name", made_name)])?;
    x.empty("FRBRauthor", &[("href", "#accord"), ("as", "#markupAuthor")])?;
    x.empty("FRBRformat", &[("value", "application/akn+xml")])?;
    x.end("FRBRManifestation")?;
    x.end("identification")?;

    x.start("references", &[("source", "#accord")])?;
    let organ = meta.body.clone().unwrap_or_else(|| work.actor.to_string());
    x.empty(
        "TLCOrganization",
        &[("eId", work.actor), ("href", &format!("/ontology/organization/un/{}", work.actor)), ("showAs", &organ)],
    )?;
    if original.is_some() {
        x.empty(
            "TLCOrganization",
            &[
                ("eId", "translationService"),
                ("href", "/ontology/organization/un/translation-service"),
                ("showAs", "Translation service"),
            ],
        )?;
    }
    x.empty(
        "TLCOrganization",
        &[
            ("eId", "accord"),
            ("href", "/ontology/organization/accord"),
            ("showAs", &format!("accord {} (conversion tool)", info.version)),
        ],
    )?;
    x.empty("TLCRole", &[("eId", "author"), ("href", "/ontology/role/author"), ("showAs", "Author")])?;
    if original.is_some() {
        x.empty("TLCRole", &[("eId", "translator"), ("href", "/ontology/role/translator"), ("showAs", "Translator")])?;
    }
    x.empty(
        "TLCRole",
        &[("eId", "markupAuthor"), ("href", "/ontology/role/markupAuthor"), ("showAs", "Mark-up author")],
    )?;
    x.end("references")?;
    unplaced_notes(x, expression)?;
    x.end("meta")
}

/// The notes whose marker the conversion lost (a warning of the ingest), in the metadata's
/// notes: Akoma Ntoso's place for notes that are not written at a point of the text.
fn unplaced_notes(x: &mut Xml, expression: &Expression) -> std::io::Result<()> {
    let mut placed = HashSet::new();
    expression.for_each_text(&mut |text| {
        for mark in &text.marks {
            if let MarkKind::NoteRef { note, .. } = &mark.kind {
                placed.insert(note.clone());
            }
        }
    });
    let mut unplaced = expression.notes.iter().filter(|n| !placed.contains(&n.eid)).peekable();
    if unplaced.peek().is_none() {
        return Ok(());
    }
    x.start("notes", &[("source", "#accord")])?;
    for note in unplaced {
        let eid = x.ids.other(&note.eid);
        x.start("note", &[("eId", &eid), ("marker", &note.marker)])?;
        x.line_start("p", &[])?;
        x.inline(&note.text)?;
        x.inline_end("p")?;
        x.end("note")?;
    }
    x.end("notes")
}

/// The preface class of a header field (AKN4UN's names for the UN masthead).
pub fn header_class(field: HeaderField) -> &'static str {
    match field {
        HeaderField::Body => "body",
        HeaderField::Symbol => "symbol",
        HeaderField::Distribution => "distribution",
        HeaderField::Date => "date",
        HeaderField::Language => "language",
        HeaderField::Original => "original",
        HeaderField::SubsidiaryBody => "subsidiaryBody",
        HeaderField::Meeting => "meeting",
        HeaderField::AgendaItem => "agendaItem",
        HeaderField::AgendaItemTitle => "agendaItemTitle",
        HeaderField::Title => "title",
        HeaderField::Subtitle => "subtitle",
        HeaderField::Other => "other",
    }
}

/// A header line in the preface, its text kept, wrapped in the masthead element AKN has for
/// its field.
fn header_line(x: &mut Xml, line: &HeaderLine) -> std::io::Result<()> {
    let class = header_class(line.field);
    let date = line.value.as_deref().filter(|v| crate::lang::is_iso_date(v));
    let (wrapper, attrs): (Option<&str>, Vec<(&str, &str)>) = match line.field {
        HeaderField::Body | HeaderField::SubsidiaryBody => (Some("docProponent"), vec![]),
        HeaderField::Symbol => (Some("docNumber"), vec![]),
        HeaderField::Date if date.is_some() => (Some("docDate"), vec![("date", date.unwrap_or_default())]),
        HeaderField::Title => (Some("docTitle"), vec![]),
        _ => (None, vec![]),
    };
    let title = line.field == HeaderField::Title;
    if title {
        x.start("longTitle", &[])?;
    }
    x.line_start("p", &[("class", class)])?;
    if let Some(w) = wrapper {
        x.inline_start(w, &attrs)?;
        x.inline(&line.text)?;
        x.inline_end(w)?;
    } else {
        x.inline(&line.text)?;
    }
    x.inline_end("p")?;
    if title {
        x.end("longTitle")?;
    }
    Ok(())
}

/// A block; `top` when directly in `mainBody`, where a table may stand alone (in a
/// hierarchy only hierarchical elements may, so a table there is wrapped).
fn block(x: &mut Xml, block: &Block, top: bool) -> std::io::Result<()> {
    match block {
        Block::Section(s) => section(x, s),
        Block::Paragraph(p) => paragraph(x, p),
        Block::Table(t) if top => table(x, t),
        Block::Table(t) => {
            x.start("hcontainer", &[("name", "table")])?;
            x.start("content", &[])?;
            table(x, t)?;
            x.end("content")?;
            x.end("hcontainer")
        }
    }
}

/// The element an eId names: `sec_2` → `section`, `para_4` → `paragraph`, anything else
/// (unnumbered, `hcontainer_1`) → `hcontainer` with a name.
fn element_for(eid: &str, numbered: &'static str) -> &'static str {
    let last = eid.rsplit("__").next().unwrap_or(eid);
    let prefix = match numbered {
        "section" => "sec_",
        _ => "para_",
    };
    if last.starts_with(prefix) { numbered } else { "hcontainer" }
}

fn section(x: &mut Xml, s: &Section) -> std::io::Result<()> {
    let eid = x.ids.unit(&s.eid);
    let element = element_for(&s.eid, "section");
    let mut attrs = vec![("eId", eid.as_str())];
    if element == "hcontainer" {
        attrs.push(("name", "section"));
    }
    x.start(element, &attrs)?;
    if let Some(num) = &s.num {
        x.line_start("num", &[])?;
        x.text(num)?;
        x.inline_end("num")?;
    }
    x.line_start("heading", &[])?;
    x.inline(&s.heading)?;
    x.inline_end("heading")?;
    for child in &s.children {
        block(x, child, false)?;
    }
    x.end(element)
}

fn paragraph(x: &mut Xml, p: &Paragraph) -> std::io::Result<()> {
    let element = element_for(&p.eid, "paragraph");
    // A paragraph made of items alone is no unit: its own eId is not aligned.
    let eid = if !p.text.is_empty() || p.items.is_empty() { x.ids.unit(&p.eid) } else { x.ids.other(&p.eid) };
    let mut attrs = vec![("eId", eid.as_str())];
    if element == "hcontainer" {
        attrs.push(("name", "paragraph"));
    }
    x.start(element, &attrs)?;
    if let Some(num) = &p.num {
        x.line_start("num", &[])?;
        x.text(num)?;
        x.inline_end("num")?;
    }
    x.start("content", &[])?;
    if p.items.is_empty() {
        x.line_start("p", &[])?;
        x.inline(&p.text)?;
        x.inline_end("p")?;
    } else {
        let list = x.ids.other(&format!("{eid}__list_1"));
        x.start("blockList", &[("eId", &list)])?;
        if !p.text.is_empty() {
            x.line_start("listIntroduction", &[])?;
            x.inline(&p.text)?;
            x.inline_end("listIntroduction")?;
        }
        for item in &p.items {
            self::item(x, item)?;
        }
        x.end("blockList")?;
    }
    x.end("content")?;
    x.end(element)
}

fn item(x: &mut Xml, item: &Item) -> std::io::Result<()> {
    let eid = x.ids.unit(&item.eid);
    x.start("item", &[("eId", &eid)])?;
    x.line_start("num", &[])?;
    x.text(&item.num)?;
    x.inline_end("num")?;
    x.line_start("p", &[])?;
    x.inline(&item.text)?;
    x.inline_end("p")?;
    x.end("item")
}

fn table(x: &mut Xml, t: &Table) -> std::io::Result<()> {
    // A table needs a row, and a row a cell.
    if t.rows.is_empty() {
        return Ok(());
    }
    let eid = x.ids.other(&t.eid);
    x.start("table", &[("eId", &eid)])?;
    for (r, row) in t.rows.iter().enumerate() {
        let row_eid = x.ids.unit(&format!("{}__tr_{}", t.eid, r + 1));
        x.start("tr", &[("eId", &row_eid)])?;
        let empty = [Text::default()];
        let cells = if row.is_empty() { &empty[..] } else { &row[..] };
        for cell in cells {
            x.line_start("td", &[])?;
            x.inline_start("p", &[])?;
            x.inline(cell)?;
            x.inline_end("p")?;
            x.inline_end("td")?;
        }
        x.end("tr")?;
    }
    x.end("table")
}

/// The eIds of one language: units of a non-pivot language take their group's eId (the
/// second and later units of one group `<group>_2`, `_3`…); everything else keeps its own,
/// made unique if it would clash with one of those.
struct Ids {
    map: HashMap<String, String>,
    /// Every eId the map hands out, so that an unmapped element does not take one.
    mapped: HashSet<String>,
    used: HashSet<String>,
}

fn ids(aligned: &Aligned, lang: &str) -> Ids {
    let mut map = HashMap::new();
    if lang != aligned.alignment.pivot {
        for group in &aligned.alignment.groups {
            for (i, unit) in group.members.get(lang).into_iter().flatten().enumerate() {
                let eid = if i == 0 { group.eid.clone() } else { format!("{}_{}", group.eid, i + 1) };
                map.entry(unit.clone()).or_insert(eid);
            }
        }
    }
    let mapped = map.values().cloned().collect();
    Ids { map, mapped, used: HashSet::new() }
}

impl Ids {
    /// The eId of the unit whose own eId is `own`.
    fn unit(&mut self, own: &str) -> String {
        match self.map.get(own) {
            Some(eid) if !self.used.contains(eid) => {
                self.used.insert(eid.clone());
                eid.clone()
            }
            Some(eid) => {
                let eid = eid.clone();
                self.other(&eid)
            }
            None => self.other(own),
        }
    }

    /// `wanted`, or `wanted_2`, `_3`… when that is taken.
    fn other(&mut self, wanted: &str) -> String {
        let free = |eid: &str| !self.used.contains(eid) && !self.mapped.contains(eid);
        let eid = if free(wanted) {
            wanted.to_string()
        } else {
            (2..).map(|n| format!("{wanted}_{n}")).find(|e| free(e)).unwrap_or_default()
        };
        self.used.insert(eid.clone());
        eid
    }
}

/// The XML writer: block elements each on their own indented line, inline content
/// (mixed text and marks) written as is, so that no whitespace is added to the text.
struct Xml<'a> {
    out: XmlWriter,
    ids: Ids,
    notes: BTreeMap<&'a str, &'a Note>,
}

impl<'a> Xml<'a> {
    fn new(ids: Ids, expression: &'a Expression) -> Self {
        let notes = expression.notes.iter().map(|n| (n.eid.as_str(), n)).collect();
        Xml { out: XmlWriter::default(), ids, notes }
    }

    /// Text with its marks as nested inline elements. Overlapping marks are split so that
    /// elements nest; a footnote is written where its marker is, outside any mark.
    fn inline(&mut self, text: &Text) -> std::io::Result<()> {
        for piece in pieces(text, 0..text.text.len(), |kind| element(kind).is_some()) {
            match piece {
                Piece::Open(kind) => {
                    if let Some((name, attrs)) = element(kind) {
                        let attrs: Vec<(&str, &str)> = attrs.iter().map(|(a, v)| (*a, v.as_str())).collect();
                        self.inline_start(name, &attrs)?;
                    }
                }
                Piece::Close(kind) => self.inline_end(element(kind).map_or("span", |(name, _)| name))?,
                Piece::Point(MarkKind::NoteRef { note, marker }) => self.note(note, marker)?,
                Piece::Point(_) => {}
                Piece::Text(run) => self.text(run)?,
            }
        }
        Ok(())
    }

    /// A footnote as an authorialNote at its call-out; the marker is an attribute, not text.
    fn note(&mut self, note: &str, marker: &str) -> std::io::Result<()> {
        let Some(body) = self.notes.get(note).copied() else {
            // No body (a validation error): keep the marker visible rather than drop it.
            return self.text(marker);
        };
        let eid = self.ids.other(&body.eid);
        self.inline_start("authorialNote", &[("eId", &eid), ("marker", marker), ("placement", "bottom")])?;
        self.inline_start("p", &[])?;
        self.inline(&body.text)?;
        self.inline_end("p")?;
        self.inline_end("authorialNote")
    }
}

impl std::ops::Deref for Xml<'_> {
    type Target = XmlWriter;
    fn deref(&self) -> &XmlWriter {
        &self.out
    }
}

impl std::ops::DerefMut for Xml<'_> {
    fn deref_mut(&mut self) -> &mut XmlWriter {
        &mut self.out
    }
}

/// The inline element of a mark; `None` for footnote markers (written as notes).
fn element(kind: &MarkKind) -> Option<(&'static str, Vec<(&'static str, String)>)> {
    Some(match kind {
        MarkKind::Italic => ("i", vec![]),
        MarkKind::Bold => ("b", vec![]),
        MarkKind::Superscript => ("sup", vec![]),
        MarkKind::Foreign { lang } => ("span", vec![("xml:lang", lang.clone())]),
        MarkKind::Ref { href, symbol } => {
            let mut attrs = vec![("href", href.clone())];
            if let Some(symbol) = symbol {
                attrs.push(("class", "unSymbol".to_string()));
                attrs.push(("title", symbol.clone()));
            }
            ("ref", attrs)
        }
        MarkKind::NoteRef { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::*;
    use crate::model::alignment::{Alignment, Group};
    use crate::model::{Mark, Metadata};

    fn para(eid: &str, num: &str, text: Text) -> Block {
        Block::Paragraph(Paragraph {
            eid: eid.into(),
            num: Some(num.into()),
            text,
            lines: [1].into(),
            ..Default::default()
        })
    }

    fn expression(lang: &str, paragraphs: Vec<Block>) -> Expression {
        let section = Section {
            eid: "sec_1".into(),
            level: 1,
            num: Some("I.".into()),
            heading: Text::plain("Intro"),
            line: 1,
            children: paragraphs,
            ..Section::default()
        };
        Expression { lang: lang.into(), body: vec![Block::Section(section)], ..Expression::default() }
    }

    fn group(eid: &str, members: &[(&str, &[&str])]) -> Group {
        let members = members.iter().map(|(l, e)| (l.to_string(), e.iter().map(|s| s.to_string()).collect())).collect();
        Group {
            eid: eid.into(),
            members,
            confidence: 1.0,
            review: false,
            pinned: false,
            rejected: false,
            sentences: vec![],
        }
    }

    fn document() -> Document {
        let en = (1..=3).map(|i| para(&format!("sec_1__para_{i}"), &format!("{i}."), Text::plain("x"))).collect();
        let fr = (1..=4).map(|i| para(&format!("sec_1__para_{i}"), &format!("{i}."), Text::plain("y"))).collect();
        Document {
            slug: "a-1-2".into(),
            metadata: Metadata {
                symbol: Some("A/1/2".into()),
                kind: Some("report".into()),
                date: Some("2020-01-31".into()),
                original_language: Some("en".into()),
                ..Metadata::default()
            },
            expressions: vec![expression("en", en), expression("fr", fr)],
            pins: vec![],
            rejects: vec![],
        }
    }

    fn xml(doc: &Document, alignment: &Alignment, lang: &str) -> String {
        let info = ReleaseInfo { version: "0".into(), date: None };
        let files =
            export(&Aligned { document: doc, alignment, units: &doc.unit_index(), sources: &[] }, &info).unwrap();
        let file = files.iter().find(|f| f.path == Path::new("akn/a-1-2").join(format!("{lang}.xml"))).unwrap();
        String::from_utf8(file.bytes.clone()).unwrap()
    }

    fn eids(xml: &str) -> Vec<&str> {
        xml.split("eId=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect()
    }

    #[test]
    fn translations_take_group_eids_and_stay_unique() {
        let doc = document();
        // fr 3 and 4 are both aligned to en 2; fr 2 is aligned to nothing, so its own eId
        // (en 2's) and the next (the second unit's) are taken.
        let alignment = Alignment {
            pivot: "en".into(),
            groups: vec![
                group("sec_1", &[("en", &["sec_1"]), ("fr", &["sec_1"])]),
                group("sec_1__para_1", &[("en", &["sec_1__para_1"]), ("fr", &["sec_1__para_1"])]),
                group("sec_1__para_2", &[("en", &["sec_1__para_2"]), ("fr", &["sec_1__para_3", "sec_1__para_4"])]),
                group("sec_1__para_3", &[("en", &["sec_1__para_3"])]),
            ],
        };
        let fr = xml(&doc, &alignment, "fr");
        let body = &fr[fr.find("<mainBody>").unwrap()..];
        assert_eq!(eids(body), ["sec_1", "sec_1__para_1", "sec_1__para_2_3", "sec_1__para_2", "sec_1__para_2_2"]);
        let en = xml(&doc, &alignment, "en");
        let body = &en[en.find("<mainBody>").unwrap()..];
        assert_eq!(eids(body), ["sec_1", "sec_1__para_1", "sec_1__para_2", "sec_1__para_3"]);
    }

    #[test]
    fn frbr_marks_the_original_and_links_translations() {
        let doc = document();
        let alignment = Alignment { pivot: "en".into(), groups: vec![] };
        let work = "/akn/un/debateReport/report/un-ga/2020-01-31/A-1-2";
        let en = xml(&doc, &alignment, "en");
        assert!(en.contains(&format!("<FRBRuri value=\"{work}/eng@2020-01-31\"/>")));
        assert!(!en.contains("FRBRtranslation"));
        let fr = xml(&doc, &alignment, "fr");
        assert!(fr.contains("<FRBRlanguage language=\"fra\"/>"));
        assert!(fr.contains(&format!(
            "<FRBRtranslation href=\"{work}/eng@2020-01-31\" fromLanguage=\"eng\" authoritative=\"true\" by=\"#translationService\"/>"
        )));
    }

    #[test]
    fn absent_original_is_named_not_invented() {
        let mut doc = document();
        doc.expressions.retain(|e| e.lang == "fr");
        doc.metadata.absent = BTreeMap::from([("en".to_string(), "not available".to_string())]);
        let alignment = Alignment { pivot: "fr".into(), groups: vec![] };
        let info = ReleaseInfo { version: "0".into(), date: None };
        let files =
            export(&Aligned { document: &doc, alignment: &alignment, units: &doc.unit_index(), sources: &[] }, &info)
                .unwrap();
        assert_eq!(files.len(), 1);
        let fr = String::from_utf8(files[0].bytes.clone()).unwrap();
        assert!(fr.contains("<!-- The original (eng) is not available to accord (not available)"));
        assert!(fr.contains("fromLanguage=\"eng\""));
    }

    #[test]
    fn overlapping_marks_nest_and_notes_sit_outside_them() {
        let mut doc = document();
        let text = Text {
            text: "abcdef".into(),
            marks: vec![
                Mark { start: 0, end: 4, kind: MarkKind::Italic },
                Mark { start: 2, end: 6, kind: MarkKind::Bold },
                Mark { start: 1, end: 1, kind: MarkKind::NoteRef { note: "fn_1".into(), marker: "1".into() } },
                Mark { start: 4, end: 6, kind: MarkKind::Foreign { lang: "en".into() } },
            ],
        };
        let en = &mut doc.expressions[0];
        en.body = vec![para("para_1", "1.", text)];
        en.notes = vec![Note { eid: "fn_1".into(), marker: "1".into(), text: Text::plain("A & B"), line: 2 }];
        let alignment = Alignment { pivot: "en".into(), groups: vec![] };
        let xml = xml(&doc, &alignment, "en");
        assert!(
            xml.contains(
                "<p><i>a</i><authorialNote eId=\"fn_1\" marker=\"1\" placement=\"bottom\"><p>A &amp; B</p></authorialNote>\
                 <i>b<b>cd</b></i><b><span xml:lang=\"en\">ef</span></b></p>"
            ),
            "{xml}"
        );
    }

    #[test]
    fn a_note_whose_marker_was_lost_goes_to_the_metadata_notes() {
        let mut doc = document();
        let text = Text {
            text: "ab".into(),
            marks: vec![Mark { start: 1, end: 1, kind: MarkKind::NoteRef { note: "fn_1".into(), marker: "1".into() } }],
        };
        let en = &mut doc.expressions[0];
        en.body = vec![para("para_1", "1.", text)];
        en.notes = vec![
            Note { eid: "fn_1".into(), marker: "1".into(), text: Text::plain("Placed"), line: 2 },
            Note { eid: "fn_2".into(), marker: "2".into(), text: Text::plain("C & D"), line: 3 },
        ];
        let alignment = Alignment { pivot: "en".into(), groups: vec![] };
        let xml = xml(&doc, &alignment, "en");
        let notes = "<notes source=\"#accord\">\n        <note eId=\"fn_2\" marker=\"2\">\n          <p>C &amp; D</p>\n        </note>\n      </notes>\n    </meta>";
        assert!(xml.contains(notes), "{xml}");
        // The placed note is written at its marker only.
        assert_eq!(xml.matches("Placed").count(), 1);
        assert!(xml.contains("<authorialNote eId=\"fn_1\""));
    }

    #[test]
    fn unknown_kind_and_date_give_a_plain_doc() {
        let mut doc = document();
        doc.metadata.kind = None;
        doc.metadata.date = None;
        doc.metadata.symbol = Some("NPT/CONF.2015/6".into());
        let alignment = Alignment { pivot: "en".into(), groups: vec![] };
        let en = xml(&doc, &alignment, "en");
        assert!(en.contains("<doc name=\"document\">"));
        assert!(en.contains("<FRBRuri value=\"/akn/un/doc/un/0001-01-01/NPT-CONF.2015-6\"/>"));
        assert!(en.contains("<FRBRdate date=\"0001-01-01\" name=\"unknown\"/>"));
        assert!(!en.contains("FRBRsubtype"));
    }
}
