//! Nothing lost: every non-whitespace character of a source is in the model (text, numbers,
//! markers, link targets) or in the expression's list of dropped artefacts. This module
//! counts both sides, character by character.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Location};
use crate::model::{Block, Expression, MarkKind, Text};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Non-whitespace characters of the source, after NFC.
    pub source_chars: usize,
    /// Source characters found in the model or the dropped list.
    pub accounted: usize,
    /// Characters of the source the model lacks, with how many are missing.
    pub missing: BTreeMap<char, usize>,
    /// Characters the model holds more often than the source (invented or duplicated).
    pub extra: BTreeMap<char, usize>,
}

impl Coverage {
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.extra.is_empty()
    }
}

/// The diagnostic of an expression whose model does not account for all of its source, as
/// `accounting` (from [`coverage`]) found.
pub fn lost_text(expression: &Expression, accounting: &Coverage) -> Option<Diagnostic> {
    if accounting.is_complete() {
        return None;
    }
    let sample: String = accounting.missing.keys().chain(accounting.extra.keys()).take(12).collect();
    Some(Diagnostic::error(
        "lost-text",
        Location::new(&expression.source, 0, 0),
        format!(
            "{} source characters are missing from the model and {} are extra (e.g. `{sample}`)",
            accounting.missing.values().sum::<usize>(),
            accounting.extra.values().sum::<usize>()
        ),
        "this is a bug in accord's ingest: please report it with the file",
    ))
}

/// Byte counts of the UTF-8 of non-whitespace characters: comparing them is enough to
/// show that nothing is lost (a lost or invented character changes them) and fast; the
/// character-level detail is computed only when they differ. Kept in four tables, one per
/// byte of each four, added up at the end: with one, a byte repeated nearby (spaces,
/// vowels) waits for its own count to be stored before it adds to it.
struct Bytes([[i64; 256]; 4]);

impl Bytes {
    fn new() -> Self {
        Bytes([[0; 256]; 4])
    }

    fn add(&mut self, s: &str, sign: i64) {
        let bytes = s.as_bytes();
        // Every byte counted, without a branch; white space is taken off: the wide spaces'
        // bytes here, ASCII's by [`Bytes::counts`] (nothing else has those bytes).
        let (quads, rest) = bytes.as_chunks::<4>();
        for quad in quads {
            for (lane, &b) in self.0.iter_mut().zip(quad) {
                lane[b as usize] += sign;
            }
        }
        for &b in rest {
            self.0[0][b as usize] += sign;
        }
        for (k, len) in crate::whitespace::wide_space_spans(bytes) {
            for &b in &bytes[k..k + len] {
                self.0[0][b as usize] -= sign;
            }
        }
    }

    /// The count of each byte value, ASCII white space's cleared.
    fn counts(&self) -> [i64; 256] {
        let mut total = [0; 256];
        for (k, n) in total.iter_mut().enumerate() {
            *n = self.0.iter().map(|lane| lane[k]).sum();
        }
        for b in [b' ', b'\t', b'\n', 0x0b, 0x0c, b'\r'] {
            total[b as usize] = 0;
        }
        total
    }
}

/// Counts the characters of `source` (already normalised with [`super::normalise_as`]) against
/// those of the model built from it.
pub fn coverage(source: &str, expression: &Expression) -> Coverage {
    let mut bytes = Bytes::new();
    bytes.add(source, 1);
    // UTF-8 lead and ASCII bytes count characters; continuation bytes (10xxxxxx) do not.
    let source_chars =
        bytes.counts().iter().enumerate().filter(|(b, _)| !(0x80..0xC0).contains(b)).map(|(_, n)| *n as usize).sum();
    for_each_model_str(expression, &mut |s| bytes.add(s, -1));
    if bytes.counts().iter().all(|n| *n == 0) {
        return Coverage { source_chars, accounted: source_chars, ..Default::default() };
    }
    let mut balance: BTreeMap<char, i64> = BTreeMap::new();
    let mut count = |s: &str, sign: i64| {
        for c in s.chars().filter(|c| !c.is_whitespace()) {
            *balance.entry(c).or_default() += sign;
        }
    };
    count(source, 1);
    for_each_model_str(expression, &mut |s| count(s, -1));
    let mut coverage = Coverage { source_chars, ..Default::default() };
    for (c, n) in balance {
        if n > 0 {
            coverage.missing.insert(c, n as usize);
        } else if n < 0 {
            coverage.extra.insert(c, (-n) as usize);
        }
    }
    coverage.accounted = source_chars - coverage.missing.values().sum::<usize>();
    coverage
}

/// Every string of the model that stands for source text: texts, numbers, markers, link
/// targets, dropped artefacts.
fn for_each_model_str(expression: &Expression, take: &mut dyn FnMut(&str)) {
    fn text(t: &Text, take: &mut dyn FnMut(&str)) {
        take(&t.text);
        for m in &t.marks {
            match &m.kind {
                MarkKind::NoteRef { marker, .. } => take(marker),
                MarkKind::Ref { href, .. } => take(href),
                _ => {}
            }
        }
    }
    for line in &expression.header.lines {
        text(&line.text, take);
    }
    crate::model::walk(&expression.body, &mut |b| match b {
        Block::Section(s) => {
            take(s.num.as_deref().unwrap_or(""));
            text(&s.heading, take);
        }
        Block::Paragraph(p) => {
            take(p.num.as_deref().unwrap_or(""));
            text(&p.text, take);
            for item in &p.items {
                take(&item.num);
                text(&item.text, take);
            }
        }
        Block::Table(t) => t.rows.iter().flatten().for_each(|cell| text(cell, take)),
    });
    for note in &expression.notes {
        take(&note.marker);
        text(&note.text, take);
    }
    for d in &expression.dropped {
        take(&d.text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::markdown;

    const SOURCE: &str = "Distr. générale\n16 mars 2022\nFrançais\nOriginal : anglais\n\n\
        Titre\n\n1. Le Groupe a examiné le point¹.\n\n¹ Voir A/69/720.\n\n15-11931\n";

    #[test]
    fn byte_counts_are_those_of_the_characters_that_are_not_white_space() {
        let text = "a b\tc\u{b}d\u{c}e\r\nf\u{a0}g\u{202f}h\u{2003}i\u{3000}j\u{85}k\u{1680}l \
            \u{c2}\u{e2}é中文。\u{200b}\u{1c}Ā ٣ \u{feff}";
        let mut bytes = Bytes::new();
        bytes.add(text, 1);
        let mut expected = [0i64; 256];
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            for &b in c.to_string().as_bytes() {
                expected[b as usize] += 1;
            }
        }
        assert_eq!(bytes.counts(), expected);
        bytes.add(text, -1);
        assert_eq!(bytes.counts(), [0; 256]);
    }

    #[test]
    fn a_parsed_source_is_fully_accounted_for() {
        let expression = markdown::parse("fr.md", "fr", SOURCE).expression;
        let c = coverage(SOURCE, &expression);
        assert!(c.is_complete(), "{c:?}");
        assert_eq!(c.source_chars, SOURCE.chars().filter(|c| !c.is_whitespace()).count());
        assert!(lost_text(&expression, &c).is_none());
    }

    #[test]
    fn a_lost_or_invented_character_is_reported() {
        let mut expression = markdown::parse("fr.md", "fr", SOURCE).expression;
        expression.dropped.retain(|d| d.text != "15-11931");
        expression.notes[0].text.text.push('!');
        let c = coverage(SOURCE, &expression);
        assert!(!c.is_complete());
        assert_eq!(c.missing.get(&'5'), Some(&1));
        assert_eq!(c.missing.values().sum::<usize>(), 8);
        assert_eq!(c.extra, BTreeMap::from([('!', 1)]));
        assert_eq!(c.accounted, c.source_chars - 8);
        let lost = lost_text(&expression, &c).expect("a diagnostic");
        assert_eq!((lost.code, lost.is_error()), ("lost-text", true));
        assert!(
            lost.message.starts_with("8 source characters are missing from the model and 1 are extra"),
            "{}",
            lost.message
        );
    }
}
