//! TMX 1.4b, `tmx/<slug>.tmx`: one translation unit per aligned sentence group holding two
//! languages or more, the original language's variant first. Foreign (original-language)
//! passages are `<hi>` spans, italic, bold and superscript `<bpt>`/`<ept>` pairs around their
//! native code, footnote call-outs `<ph type="fnote">`. A document with fewer than two
//! language versions has no TMX.

use std::path::PathBuf;

use super::inline::{Piece, pieces};
use super::xml::XmlWriter;
use super::{Aligned, ExportError, File, ReleaseInfo, write_sentences};
use crate::diag::{Diagnostic, Location};
use crate::model::alignment::{Group, SentenceGroup};
use crate::model::{MarkKind, Text};

/// Segments longer than this many characters are exported but reported: translation
/// memories match them poorly, and some tools cut them.
pub const LONG_SEGMENT: usize = 2000;

pub fn export(aligned: &Aligned, info: &ReleaseInfo) -> Result<Vec<File>, ExportError> {
    let doc = aligned.document;
    if doc.expressions.len() < 2 {
        return Ok(Vec::new());
    }
    let bytes = tmx(aligned, info).map_err(|source| ExportError::Xml { document: doc.slug.clone(), source })?;
    Ok(vec![File { path: PathBuf::from("tmx").join(format!("{}.tmx", doc.slug)), bytes }])
}

/// The language the units are written from: the original when its version is here.
fn source_language<'a>(aligned: &Aligned<'a>) -> Option<&'a str> {
    let doc = aligned.document;
    doc.metadata.original_language.as_deref().filter(|l| doc.expression(l).is_some())
}

/// The sentence groups that make translation units: in groups not rejected by a reviewer,
/// those holding two languages or more.
fn translation_units<'a>(aligned: &'a Aligned) -> impl Iterator<Item = (&'a Group, usize, &'a SentenceGroup)> {
    aligned
        .alignment
        .groups
        .iter()
        .filter(|g| !g.rejected)
        .flat_map(|g| g.sentences.iter().enumerate().map(move |(k, s)| (g, k, s)))
        .filter(|(_, _, s)| s.members.len() > 1)
}

fn tmx(aligned: &Aligned, info: &ReleaseInfo) -> std::io::Result<Vec<u8>> {
    let doc = aligned.document;
    let texts = aligned.units;
    let source = source_language(aligned);
    let document = doc.metadata.symbol.as_deref().unwrap_or(&doc.slug);
    let mut x = XmlWriter::default();
    x.declaration()?;
    x.doctype(r#"tmx SYSTEM "tmx14.dtd""#)?;
    x.start("tmx", &[("version", "1.4")])?;
    let created = info.date.as_deref().map(|d| format!("{}T000000Z", d.replace('-', "")));
    let mut header = vec![
        ("creationtool", "accord"),
        ("creationtoolversion", info.version.as_str()),
        ("segtype", "sentence"),
        ("o-tmf", "accord"),
        ("adminlang", "en"),
        ("srclang", source.unwrap_or("*all*")),
        ("datatype", "plaintext"),
    ];
    if let Some(created) = &created {
        header.push(("creationdate", created));
    }
    x.start("header", &header)?;
    prop(&mut x, "x-document", document)?;
    if let Some(original) = &doc.metadata.original_language {
        prop(&mut x, "x-original-language", original)?;
    }
    prop(&mut x, "x-pivot", &aligned.alignment.pivot)?;
    x.end("header")?;
    x.start("body", &[])?;
    for (group, k, sentences) in translation_units(aligned) {
        let tuid = format!("{}/{}/{}", doc.slug, group.eid, k + 1);
        x.start("tu", &[("tuid", &tuid)])?;
        prop(&mut x, "x-document", document)?;
        prop(&mut x, "x-eid", &group.eid)?;
        if let Some(original) = &doc.metadata.original_language {
            prop(&mut x, "x-original-language", original)?;
        }
        prop(&mut x, "x-confidence", &format!("{:.2}", sentences.confidence))?;
        let mut langs: Vec<&String> = sentences.members.keys().collect();
        langs.sort_by_key(|l| Some(l.as_str()) != source);
        for lang in langs {
            let Some(unit_texts) = texts.get(lang.as_str()) else { continue };
            x.start("tuv", &[("xml:lang", lang)])?;
            x.line_start("seg", &[])?;
            let mut i = 0;
            write_sentences(&mut x, lang, unit_texts, &sentences.members[lang], |x, text, range| {
                seg(x, text, range, &mut i)
            })?;
            x.inline_end("seg")?;
            x.end("tuv")?;
        }
        x.end("tu")?;
    }
    x.end("body")?;
    x.end("tmx")?;
    x.newline(0)?;
    Ok(x.into_bytes())
}

fn prop(x: &mut XmlWriter, kind: &str, value: &str) -> std::io::Result<()> {
    x.line_start("prop", &[("type", kind)])?;
    x.text(value)?;
    x.inline_end("prop")
}

/// One sentence's marked text as TMX inline content; `i` numbers the `<bpt>`/`<ept>` pairs of
/// the segment.
fn seg(x: &mut XmlWriter, text: &Text, range: std::ops::Range<usize>, i: &mut usize) -> std::io::Result<()> {
    let wraps = |k: &MarkKind| matches!(k, MarkKind::Foreign { .. }) || native(k).is_some();
    // The pair numbers of the open formatting marks, innermost last.
    let mut open: Vec<String> = Vec::new();
    for piece in pieces(text, range, wraps) {
        match piece {
            Piece::Open(MarkKind::Foreign { lang }) => x.inline_start("hi", &[("type", &format!("x-lang-{lang}"))])?,
            Piece::Close(MarkKind::Foreign { .. }) => x.inline_end("hi")?,
            Piece::Open(kind) => {
                if let Some((name, tag)) = native(kind) {
                    *i += 1;
                    let n = i.to_string();
                    x.inline_start("bpt", &[("i", &n), ("type", name)])?;
                    x.text(&format!("<{tag}>"))?;
                    x.inline_end("bpt")?;
                    open.push(n);
                }
            }
            Piece::Close(kind) => {
                if let (Some((_, tag)), Some(n)) = (native(kind), open.pop()) {
                    x.inline_start("ept", &[("i", &n)])?;
                    x.text(&format!("</{tag}>"))?;
                    x.inline_end("ept")?;
                }
            }
            Piece::Point(MarkKind::NoteRef { marker, .. }) => {
                x.inline_start("ph", &[("type", "fnote")])?;
                x.text(marker)?;
                x.inline_end("ph")?;
            }
            Piece::Point(_) => {}
            Piece::Text(run) => x.text(run)?,
        }
    }
    Ok(())
}

/// TMX type and native (HTML) tag of a formatting mark.
fn native(kind: &MarkKind) -> Option<(&'static str, &'static str)> {
    match kind {
        MarkKind::Italic => Some(("italic", "i")),
        MarkKind::Bold => Some(("bold", "b")),
        MarkKind::Superscript => Some(("superscript", "sup")),
        _ => None,
    }
}

/// Warnings for translation-unit segments longer than [`LONG_SEGMENT`] characters, at the
/// source line of their first unit.
pub fn long_segments(aligned: &Aligned) -> Vec<Diagnostic> {
    let doc = aligned.document;
    let by_lang = aligned.units;
    let mut out = Vec::new();
    for (group, _, sentences) in translation_units(aligned) {
        for (lang, ss) in &sentences.members {
            let (Some(expression), Some(units)) = (doc.expression(lang), by_lang.get(lang.as_str())) else { continue };
            let texts = || ss.iter().filter_map(|s| units.get(&s.eid).and_then(|u| u.text.text.get(s.start..s.end)));
            // No more bytes than the limit, so no more characters: nearly every segment is
            // settled without counting them.
            if texts().map(str::len).sum::<usize>() <= LONG_SEGMENT {
                continue;
            }
            let chars: usize = texts().map(|t| t.chars().count()).sum();
            let Some(first) = ss.iter().find_map(|s| units.get(&s.eid)) else { continue };
            if chars <= LONG_SEGMENT {
                continue;
            }
            out.push(Diagnostic::warning(
                "long-segment",
                Location::new(&expression.source, first.line, 1),
                format!(
                    "the {lang} segment of {} is {chars} characters long (translation memories match segments over {LONG_SEGMENT} poorly)",
                    group.eid
                ),
                "check that the paragraph's sentences were split: a missing full stop, or a table read as one line",
            ));
        }
    }
    out
}
