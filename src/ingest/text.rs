//! Plain text, one paragraph per line (the corpus form) → one [`Expression`].

use crate::model::{Block, Expression, Paragraph, SourceFormat, Text};

use super::lexical;

pub fn parse(path: &str, lang: &str, src: &str) -> Expression {
    // One paragraph per line at most: no regrowth of the blocks.
    let mut body = Vec::with_capacity(memchr::memchr_iter(b'\n', src.as_bytes()).count() + 1);
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
    for (i, line) in super::lines(src).enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (num, text) = match lexical::paragraph_number(line) {
            Some((num, _, start)) => (Some(num.to_string()), &line[start..]),
            None => (None, line),
        };
        let ordinal = body.len() as u32 + 1;
        body.push(Block::Paragraph(Paragraph {
            // Lines carry no structure, so eIds number them in order: numbers written in the
            // text (`1.` in every article of a declaration) repeat.
            eid: crate::model::eid::numbered("para_", ordinal),
            ..Paragraph::from_line(num, Text::plain(collapse_whitespace(text)), i as u32 + 1)
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
    if !needs_collapsing(s.as_bytes()) {
        return s.to_string();
    }
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

/// Whether `s` holds whitespace other than single inner ASCII spaces and the kept no-break
/// spaces, judged on bytes in one pass: blocks without a byte that may start such
/// whitespace are skipped whole, and only the bytes of the others are looked at.
fn needs_collapsing(s: &[u8]) -> bool {
    if s.first() == Some(&b' ') || s.last() == Some(&b' ') {
        return true;
    }
    let may_collapse = |b: u8, next: u8| matches!(b, b'\t'..=b'\r' | 0xC2 | 0xE1..=0xE3) | (b == b' ') & (next == b' ');
    let collapses = |k: usize| match s[k] {
        b'\t'..=b'\r' => true,
        b' ' => s.get(k + 1) == Some(&b' '),
        // No-break spaces are typography and stay.
        0xC2 | 0xE1..=0xE3 => crate::whitespace::wide_space_at(s, k) == Some(false),
        _ => false,
    };
    crate::scan::any_byte(s, |b, next, _| may_collapse(b, next), collapses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_collapses_but_no_break_spaces_stay() {
        assert_eq!(collapse_whitespace("un  texte\tici"), "un texte ici");
        assert_eq!(collapse_whitespace("Article premier :\u{a0}tous"), "Article premier :\u{a0}tous");
        assert_eq!(collapse_whitespace("联合国\u{3000}大会"), "联合国 大会");
        assert_eq!(collapse_whitespace(" déjà  "), "déjà");
        assert_eq!(
            collapse_whitespace("Déclaration universelle « des droits »"),
            "Déclaration universelle « des droits »"
        );
    }

    #[test]
    fn the_byte_test_finds_exactly_the_collapsed_white_space() {
        // A single inner space stays, as do the no-break spaces.
        let kept = [' ', '\u{a0}', '\u{202f}'];
        for c in (0..=0x3000u32).filter_map(char::from_u32) {
            let collapsed = c.is_whitespace() && !kept.contains(&c);
            // Inside a line long enough for the block scan, and near its end.
            for line in [format!("{}a{c}b", "x".repeat(40)), format!("a{c}b")] {
                assert_eq!(needs_collapsing(line.as_bytes()), collapsed, "U+{:04X} in {line:?}", c as u32);
            }
        }
        assert!(needs_collapsing(format!("{}a  b", "x".repeat(40)).as_bytes()));
        assert!(!needs_collapsing("a b c".as_bytes()));
    }
}
