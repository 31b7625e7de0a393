//! Parse → model → Akoma Ntoso → parse back, property-tested on generated UN Markdown: an
//! independent reader (quick-xml events, nothing of the exporter) rebuilds the header lines,
//! the tree of sections, paragraphs, items and table rows, every text with its marks and
//! footnotes from each AKN file, and finds the model again; every file is also valid against
//! the OASIS schema.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use accord::export::{Aligned, ReleaseInfo, akn};
use accord::ingest;
use accord::model::alignment::Alignment;
use accord::model::{Block, Document, Expression, MarkKind, SourceFormat, Text};
use common::{markdown, repo};
use proptest::prelude::*;
use quick_xml::XmlVersion;
use quick_xml::events::Event;

// ------------------------------------------------------------------ a minimal XML tree

#[derive(Debug)]
enum Node {
    Element(Element),
    Text(String),
}

#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Node>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }
}

fn parse_xml(xml: &str) -> Element {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack = vec![Element::default()];
    let element = |e: &quick_xml::events::BytesStart| Element {
        name: e.name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("well-formed attribute");
                (a.key.as_ref().to_string(), a.normalized_value(XmlVersion::Implicit1_0).unwrap().into_owned())
            })
            .collect(),
        children: vec![],
    };
    let push_text = |stack: &mut Vec<Element>, text: String| {
        let top = stack.last_mut().unwrap();
        match top.children.last_mut() {
            Some(Node::Text(t)) => t.push_str(&text),
            _ => top.children.push(Node::Text(text)),
        }
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(Node::Element(element(&e))),
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(Node::Element(done));
            }
            Event::Text(t) => push_text(&mut stack, t.xml_content(XmlVersion::Implicit1_0).into_owned()),
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => match &*r {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => panic!("unknown entity &{other};"),
                    },
                };
                push_text(&mut stack, text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let root = stack.pop().unwrap();
    root.children
        .into_iter()
        .find_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
        .expect("a root element")
}

// ------------------------------------------------------------------ the comparable form

/// A text as both sides can state it: the characters, which ones each kind of mark covers
/// (overlapping marks are split to nest in XML, so ranges are compared as sets), and the
/// footnotes with where they are called.
#[derive(Debug, PartialEq)]
struct Rich {
    text: String,
    covered: BTreeSet<(String, usize)>,
    notes: Vec<(usize, String, Rich)>,
}

#[derive(Debug, PartialEq)]
enum Unit {
    Header { field: String, text: Rich },
    Section { eid: String, num: Option<String>, heading: Rich, children: Vec<Unit> },
    Paragraph { eid: String, num: Option<String>, text: Rich, items: Vec<(String, String, Rich)> },
    Row { eid: String, cells: Vec<Rich> },
}

/// What XML 1.0 can hold: the exporter leaves out control characters, nothing else.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn mark_key(kind: &MarkKind) -> Option<String> {
    match kind {
        MarkKind::Italic => Some("i".into()),
        MarkKind::Bold => Some("b".into()),
        MarkKind::Superscript => Some("sup".into()),
        MarkKind::Foreign { lang } => Some(format!("span xml:lang={lang}")),
        MarkKind::Ref { href, symbol } => Some(format!("ref href={href} title={}", symbol.as_deref().unwrap_or(""))),
        MarkKind::NoteRef { .. } => None,
    }
}

fn model_rich(text: &Text, notes: &BTreeMap<&str, &accord::model::Note>) -> Rich {
    // Offsets in the text as XML can hold it.
    let mut kept = Vec::with_capacity(text.text.len() + 1);
    let mut plain = String::new();
    for (i, c) in text.text.char_indices() {
        kept.resize(i + 1, plain.len());
        if xml_char(c) {
            plain.push(c);
        }
    }
    kept.resize(text.text.len() + 1, plain.len());
    let mut covered = BTreeSet::new();
    let mut calls = Vec::new();
    for m in &text.marks {
        match (&m.kind, mark_key(&m.kind)) {
            (_, Some(key)) => covered.extend((kept[m.start]..kept[m.end]).map(|i| (key.clone(), i))),
            (MarkKind::NoteRef { note, marker }, None) => {
                let body = notes.get(note.as_str()).expect("every reference has its note");
                calls.push((kept[m.start], marker.clone(), model_rich(&body.text, notes)));
            }
            _ => unreachable!(),
        }
    }
    calls.sort_by_key(|call| call.0);
    Rich { text: plain, covered, notes: calls }
}

fn model_units(expression: &Expression) -> Vec<Unit> {
    let notes: BTreeMap<&str, &accord::model::Note> = expression.notes.iter().map(|n| (n.eid.as_str(), n)).collect();
    fn blocks(list: &[Block], notes: &BTreeMap<&str, &accord::model::Note>, out: &mut Vec<Unit>) {
        for block in list {
            match block {
                Block::Section(s) => {
                    let mut children = Vec::new();
                    blocks(&s.children, notes, &mut children);
                    out.push(Unit::Section {
                        eid: s.eid.clone(),
                        num: s.num.clone(),
                        heading: model_rich(&s.heading, notes),
                        children,
                    });
                }
                Block::Paragraph(p) => out.push(Unit::Paragraph {
                    eid: p.eid.clone(),
                    num: p.num.clone(),
                    text: model_rich(&p.text, notes),
                    items: p.items.iter().map(|i| (i.eid.clone(), i.num.clone(), model_rich(&i.text, notes))).collect(),
                }),
                Block::Table(t) => out.extend(t.rows.iter().enumerate().map(|(r, row)| Unit::Row {
                    eid: format!("{}__tr_{}", t.eid, r + 1),
                    cells: row.iter().map(|c| model_rich(c, notes)).collect(),
                })),
            }
        }
    }
    let mut out: Vec<Unit> = expression
        .header
        .lines
        .iter()
        .map(|l| Unit::Header { field: akn::header_class(l.field).into(), text: model_rich(&l.text, &notes) })
        .collect();
    blocks(&expression.body, &notes, &mut out);
    out
}

// ------------------------------------------------------------------ reading AKN back

const MASTHEAD: [&str; 4] = ["docProponent", "docNumber", "docDate", "docTitle"];

/// Mixed content: text, inline elements as marks, authorialNote as a footnote call.
fn akn_rich(element: &Element) -> Rich {
    fn walk(e: &Element, open: &mut Vec<String>, rich: &mut Rich) {
        for child in &e.children {
            match child {
                Node::Text(t) => {
                    let start = rich.text.len();
                    rich.text.push_str(t);
                    for at in start..rich.text.len() {
                        rich.covered.extend(open.iter().map(|k| (k.clone(), at)));
                    }
                }
                Node::Element(el) if el.name == "authorialNote" => {
                    let body = el.child("p").map(akn_rich).expect("a note has a paragraph");
                    rich.notes.push((rich.text.len(), el.attrs["marker"].clone(), body));
                }
                Node::Element(el) if MASTHEAD.contains(&el.name.as_str()) => walk(el, open, rich),
                Node::Element(el) => {
                    let key = match el.name.as_str() {
                        "span" => format!("span xml:lang={}", el.attrs["xml:lang"]),
                        "ref" => format!(
                            "ref href={} title={}",
                            el.attrs["href"],
                            el.attrs.get("title").map_or("", String::as_str)
                        ),
                        name => name.to_string(),
                    };
                    open.push(key);
                    walk(el, open, rich);
                    open.pop();
                }
            }
        }
    }
    let mut rich = Rich { text: String::new(), covered: BTreeSet::new(), notes: vec![] };
    walk(element, &mut vec![], &mut rich);
    rich
}

fn empty_rich() -> Rich {
    Rich { text: String::new(), covered: BTreeSet::new(), notes: vec![] }
}

fn num(e: &Element) -> Option<String> {
    e.child("num").map(|n| akn_rich(n).text)
}

fn akn_blocks(parent: &Element, out: &mut Vec<Unit>) {
    for e in parent.elements() {
        let kind = e.attrs.get("name").map_or(e.name.as_str(), String::as_str);
        match (e.name.as_str(), kind) {
            ("num" | "heading", _) => {}
            ("section" | "hcontainer", "section") => {
                let mut children = Vec::new();
                akn_blocks(e, &mut children);
                out.push(Unit::Section {
                    eid: e.attrs["eId"].clone(),
                    num: num(e),
                    heading: e.child("heading").map_or_else(empty_rich, akn_rich),
                    children,
                });
            }
            ("paragraph" | "hcontainer", "paragraph") => {
                let content = e.child("content").expect("a paragraph has content");
                let (text, items) = match content.child("blockList") {
                    Some(list) => (
                        list.child("listIntroduction").map_or_else(empty_rich, akn_rich),
                        list.elements()
                            .filter(|i| i.name == "item")
                            .map(|i| {
                                (i.attrs["eId"].clone(), num(i).unwrap_or_default(), akn_rich(i.child("p").unwrap()))
                            })
                            .collect(),
                    ),
                    None => (akn_rich(content.child("p").expect("a paragraph's text")), vec![]),
                };
                out.push(Unit::Paragraph { eid: e.attrs["eId"].clone(), num: num(e), text, items });
            }
            ("hcontainer", "table") => akn_blocks(e.child("content").expect("a wrapped table"), out),
            ("table", _) => out.extend(e.elements().map(|tr| Unit::Row {
                eid: tr.attrs["eId"].clone(),
                cells: tr.elements().map(|td| akn_rich(td.child("p").unwrap())).collect(),
            })),
            (other, _) => panic!("unexpected <{other}> in the body"),
        }
    }
}

fn akn_units(xml: &str) -> Vec<Unit> {
    let root = parse_xml(xml);
    let doc = root.elements().next().expect("a document type element");
    let mut out = Vec::new();
    if let Some(preface) = doc.child("preface") {
        for e in preface.elements() {
            let p = if e.name == "longTitle" { e.child("p").unwrap() } else { e };
            out.push(Unit::Header { field: p.attrs["class"].clone(), text: akn_rich(p) });
        }
    }
    akn_blocks(doc.child("mainBody").expect("mainBody"), &mut out);
    out
}

// ------------------------------------------------------------------ the property

/// The model as AKN states it: a table row without cells is written with one empty cell.
fn as_written(units: Vec<Unit>) -> Vec<Unit> {
    units
        .into_iter()
        .map(|u| match u {
            Unit::Row { eid, cells } if cells.is_empty() => Unit::Row { eid, cells: vec![empty_rich()] },
            Unit::Section { eid, num, heading, children } => {
                Unit::Section { eid, num, heading, children: as_written(children) }
            }
            u => u,
        })
        .collect()
}

fn schema_errors(path: &PathBuf) -> Option<String> {
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(repo().join("schemas/akn/akomantoso30.xsd"))
        .arg(path)
        .output()
        .expect("xmllint is installed (libxml2-utils)");
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn akn_parses_back_to_the_model(source in markdown()) {
        let mut diagnostics = Vec::new();
        let expression = ingest::parse_expression("fr.md", "fr", SourceFormat::Md, &source, &mut diagnostics);
        let document = Document { slug: "generated".into(), expressions: vec![expression], ..Document::default() };
        // One language: the pivot keeps its own eIds, so the model's are the ones to find.
        let alignment = Alignment { pivot: "fr".into(), groups: vec![] };
        let aligned = Aligned { document: &document, alignment: &alignment, units: &document.unit_index(), sources: &[] };
        let files = akn::export(&aligned, &ReleaseInfo { version: "0".into(), date: None }).expect("exports");
        prop_assert_eq!(files.len(), 1);
        let xml = String::from_utf8(files[0].bytes.clone()).expect("UTF-8");

        prop_assert_eq!(akn_units(&xml), as_written(model_units(&document.expressions[0])));

        // A document without a body is refused by validation (`empty-document`) before any
        // export; AKN has no valid form for it.
        if document.expressions[0].body.is_empty() {
            return Ok(());
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fr.xml");
        std::fs::write(&path, &xml).unwrap();
        prop_assert_eq!(schema_errors(&path), None, "{}", xml);
    }
}
