//! XLIFF 2.1, `xliff/<slug>.<src>-<tgt>.xlf`: one file per pair of the pivot (the original
//! language when its version is here) with each other language. A unit per aligned group
//! that has pivot text, its id the group's eId; a segment per aligned sentence group, the
//! `state` from the group: `reviewed` when a reviewer pinned it, `initial` when flagged for
//! review, `translated` otherwise, the confidence in `subState`. Target sentences without a
//! source sentence join the segment before them. Original-language passages are
//! `<mrk translate="no">`, italic and bold `<pc>`, footnote call-outs `<ph>`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use super::inline::{Piece, pieces};
use super::xml::XmlWriter;
use super::{Aligned, ExportError, File, ReleaseInfo, write_sentences};
use crate::model::alignment::{Group, Sentence, Unit};
use crate::model::{MarkKind, Text};

const NAMESPACE: &str = "urn:oasis:names:tc:xliff:document:2.0";

pub fn export(aligned: &Aligned, info: &ReleaseInfo) -> Result<Vec<File>, ExportError> {
    let doc = aligned.document;
    let source = aligned.alignment.pivot.as_str();
    let Some(source_texts) = aligned.units.get(source) else { return Ok(Vec::new()) };
    let mut rendered = Rendered::default();
    doc.expressions
        .iter()
        .filter(|e| e.lang != source)
        .map(|target| {
            let pair = Pair { source, target: &target.lang, source_texts, target_texts: &aligned.units[&target.lang] };
            let bytes = xliff(aligned, &pair, info, &mut rendered)
                .map_err(|e| ExportError::Xml { document: doc.slug.clone(), source: e })?;
            let name = format!("{}.{}-{}.xlf", doc.slug, source, target.lang);
            Ok(File { path: PathBuf::from("xliff").join(name), bytes })
        })
        .collect()
}

struct Pair<'a> {
    source: &'a str,
    target: &'a str,
    source_texts: &'a HashMap<String, Unit>,
    target_texts: &'a HashMap<String, Unit>,
}

/// A segment: source sentences and target sentences, borrowed from the alignment but for
/// the whole units of a group without sentences.
struct Segment<'a> {
    source: Vec<Cow<'a, Sentence>>,
    target: Vec<&'a Sentence>,
}

/// The marked text of every segment's source, rendered by the first file of a document and
/// copied by the others: a segment's source is the same in every pair (target sentences
/// without a source only join a segment), and escaping the pivot text once per translation
/// was a large part of the export.
#[derive(Default)]
struct Rendered {
    /// Per unit written, in order, the source content of each of its segments.
    sources: Vec<Vec<Vec<u8>>>,
}

fn xliff(aligned: &Aligned, pair: &Pair, info: &ReleaseInfo, rendered: &mut Rendered) -> std::io::Result<Vec<u8>> {
    let doc = aligned.document;
    let meta = &doc.metadata;
    let file_id: String = match &meta.symbol {
        Some(symbol) => {
            symbol.chars().map(|c| if c.is_alphanumeric() || ".-_".contains(c) { c } else { '-' }).collect()
        }
        None => doc.slug.clone(),
    };
    let mut x = XmlWriter::default();
    x.declaration()?;
    x.start("xliff", &[("xmlns", NAMESPACE), ("version", "2.1"), ("srcLang", pair.source), ("trgLang", pair.target)])?;
    x.start("file", &[("id", &file_id), ("original", &format!("sources/{}", doc.slug))])?;
    x.start("notes", &[])?;
    note(&mut x, "symbol", meta.symbol.as_deref().unwrap_or(""))?;
    note(&mut x, "document", &doc.slug)?;
    note(&mut x, "original-language", meta.original_language.as_deref().unwrap_or("not stated"))?;
    note(&mut x, "tool", &format!("accord {}", info.version))?;
    x.end("notes")?;
    let mut id = String::new();
    let first_file = rendered.sources.is_empty();
    let mut units = 0;
    for group in aligned.alignment.groups.iter().filter(|g| !g.rejected && g.members.contains_key(pair.source)) {
        let segments = segments(group, pair);
        if segments.is_empty() {
            continue;
        }
        if first_file {
            let mut contents = Vec::with_capacity(segments.len());
            for (k, segment) in segments.iter().enumerate() {
                let mut content = XmlWriter::default();
                let source = segment.source.iter().map(|s| s.as_ref());
                marked(&mut content, pair.source, pair.source_texts, source, (k + 1, 'a'))?;
                contents.push(content.into_bytes());
            }
            rendered.sources.push(contents);
        }
        let Some(sources) = rendered.sources.get(units) else {
            return Err(std::io::Error::other("the pair files of a document list different units"));
        };
        units += 1;
        x.start("unit", &[("id", &group.eid)])?;
        let state = if group.pinned {
            "reviewed"
        } else if group.review {
            "initial"
        } else {
            "translated"
        };
        let sub_state = format!("accord:confidence-{:.2}", group.confidence);
        for (k, segment) in segments.iter().enumerate() {
            id.clear();
            let _ = write!(id, "s{}", k + 1);
            if segment.target.is_empty() {
                x.start("segment", &[("id", &id)])?;
            } else {
                x.start("segment", &[("id", &id), ("state", state), ("subState", &sub_state)])?;
            }
            x.line_start("source", &[])?;
            x.raw(sources.get(k).map_or(&[][..], Vec::as_slice));
            x.inline_end("source")?;
            if !segment.target.is_empty() {
                let target = segment.target.iter().copied();
                x.line_start("target", &[])?;
                marked(&mut x, pair.target, pair.target_texts, target, (k + 1, 'b'))?;
                x.inline_end("target")?;
            }
            x.end("segment")?;
        }
        x.end("unit")?;
    }
    x.end("file")?;
    x.end("xliff")?;
    x.newline(0)?;
    Ok(x.into_bytes())
}

/// The group's sentence groups seen from the pair: a segment per sentence group with source
/// text; target sentences without source join the segment before (or the first one). A group
/// with one language has no sentence alignment: its units are one source-only segment.
fn segments<'a>(group: &'a Group, pair: &Pair) -> Vec<Segment<'a>> {
    if group.sentences.is_empty() {
        let whole = |eid: &String| {
            let u = pair.source_texts.get(eid)?;
            Some(Cow::Owned(Sentence { eid: eid.clone(), start: 0, end: u.text.text.len() }))
        };
        let source: Vec<_> = group.members.get(pair.source).into_iter().flatten().filter_map(whole).collect();
        return if source.is_empty() { Vec::new() } else { vec![Segment { source, target: Vec::new() }] };
    }
    let mut out: Vec<Segment> = Vec::new();
    let mut orphans: Vec<&Sentence> = Vec::new();
    for s in &group.sentences {
        let side = |lang: &str| s.members.get(lang).map_or(&[][..], Vec::as_slice);
        let source: Vec<_> = side(pair.source).iter().map(Cow::Borrowed).collect();
        let target: Vec<_> = side(pair.target).iter().collect();
        if source.is_empty() {
            match out.last_mut() {
                Some(last) => last.target.extend(target),
                None => orphans.extend(target),
            }
        } else {
            out.push(Segment { source, target });
        }
    }
    if let Some(first) = out.first_mut() {
        orphans.append(&mut first.target);
        first.target = orphans;
    }
    out
}

fn note(x: &mut XmlWriter, category: &str, text: &str) -> std::io::Result<()> {
    x.line_start("note", &[("category", category)])?;
    x.text(text)?;
    x.inline_end("note")
}

/// The content of a `<source>` or `<target>`: the sentences' marked text; inline ids start
/// with `prefix` (the segment's number and `a` or `b`) so that they are unique in the unit.
fn marked<'s>(
    x: &mut XmlWriter,
    lang: &str,
    texts: &HashMap<String, Unit>,
    sentences: impl IntoIterator<Item = &'s Sentence>,
    prefix: (usize, char),
) -> std::io::Result<()> {
    let mut n = 0;
    write_sentences(x, lang, texts, sentences, |x, text, range| inline(x, text, range, prefix, &mut n))
}

fn inline(
    x: &mut XmlWriter,
    text: &Text,
    range: std::ops::Range<usize>,
    prefix: (usize, char),
    n: &mut usize,
) -> std::io::Result<()> {
    let wraps = |k: &MarkKind| matches!(k, MarkKind::Foreign { .. } | MarkKind::Italic | MarkKind::Bold);
    let mut next_id = || {
        *n += 1;
        format!("{}{}{n}", prefix.0, prefix.1)
    };
    for piece in pieces(text, range, wraps) {
        match piece {
            Piece::Open(MarkKind::Foreign { lang }) => {
                let id = next_id();
                x.inline_start("mrk", &[("id", &id), ("translate", "no"), ("xml:lang", lang)])?;
            }
            Piece::Close(MarkKind::Foreign { .. }) => x.inline_end("mrk")?,
            Piece::Open(kind) => {
                let sub_type = if *kind == MarkKind::Bold { "xlf:b" } else { "xlf:i" };
                let id = next_id();
                x.inline_start("pc", &[("id", &id), ("type", "fmt"), ("subType", sub_type)])?;
            }
            Piece::Close(_) => x.inline_end("pc")?,
            Piece::Point(MarkKind::NoteRef { marker, .. }) => {
                let id = next_id();
                x.inline_start("ph", &[("id", &id), ("type", "other"), ("subType", "accord:fnote"), ("disp", marker)])?;
                x.inline_end("ph")?;
            }
            Piece::Point(_) => {}
            Piece::Text(run) => x.text(run)?,
        }
    }
    Ok(())
}
