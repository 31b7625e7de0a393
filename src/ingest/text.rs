//! Plain text, one paragraph per line (the corpus form) → one [`Expression`].

use crate::model::{Block, Expression, Paragraph, SourceFormat, Text};

use super::lexical;

pub fn parse(path: &str, lang: &str, src: &str) -> Expression {
    let mut body = Vec::new();
    let mut dropped = Vec::new();
    let src = match src.strip_prefix('\u{feff}') {
        Some(rest) => {
            dropped.push(crate::model::Dropped {
                line: 1,
                kind: crate::model::DroppedKind::Bom,
                text: "\u{feff}".into(),
            });
            rest
        }
        None => src,
    };
    for (i, line) in src.split('\n').enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (num, text) = match lexical::paragraph_number(line) {
            Some((num, _, start)) => (Some(num.to_string()), &line[start..]),
            None => (None, line),
        };
        let ordinal = body.len() + 1;
        body.push(Block::Paragraph(Paragraph {
            // Lines carry no structure, so eIds number them in order: numbers written in the
            // text (`1.` in every article of a declaration) repeat.
            eid: format!("para_{ordinal}"),
            num,
            text: Text::plain(collapse_whitespace(text)),
            items: Vec::new(),
            lines: vec![i as u32 + 1],
        }));
    }
    Expression {
        lang: lang.to_string(),
        source: path.to_string(),
        format: SourceFormat::Txt,
        header: Default::default(),
        body,
        notes: Vec::new(),
        dropped,
    }
}

/// Runs of whitespace become one space; no-break spaces are typography and stay.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() && c != '\u{a0}' && c != '\u{202f}' {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}
