//! Nothing lost: every non-whitespace character of a source is in the model (text, numbers,
//! markers, link targets) or in the expression's list of dropped artefacts. This module
//! counts both sides, character by character.

use std::collections::BTreeMap;

use crate::model::{Block, Expression, MarkKind, Text};

use super::normalise;

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

/// Character counts: dense over the Basic Multilingual Plane (fast on every script of
/// the UN languages), sparse beyond.
struct Balance {
    bmp: Vec<i64>,
    astral: BTreeMap<char, i64>,
}

impl Balance {
    fn add(&mut self, s: &str, sign: i64) -> usize {
        let mut n = 0;
        for c in s.chars().filter(|c| !c.is_whitespace()) {
            match self.bmp.get_mut(c as usize) {
                Some(slot) => *slot += sign,
                None => *self.astral.entry(c).or_default() += sign,
            }
            n += 1;
        }
        n
    }

    fn nonzero(&self) -> impl Iterator<Item = (char, i64)> + '_ {
        let bmp = self
            .bmp
            .iter()
            .enumerate()
            .filter(|(_, n)| **n != 0)
            .filter_map(|(c, n)| char::from_u32(c as u32).map(|c| (c, *n)));
        bmp.chain(self.astral.iter().filter(|(_, n)| **n != 0).map(|(c, n)| (*c, *n)))
    }
}

pub fn coverage(source: &str, expression: &Expression) -> Coverage {
    let mut balance = Balance { bmp: vec![0; 0x10000], astral: BTreeMap::new() };
    let source_chars = balance.add(&normalise(source), 1);
    let mut take = |s: &str| {
        balance.add(s, -1);
    };
    let take_text = |t: &Text, take: &mut dyn FnMut(&str)| {
        take(&t.text);
        for m in &t.marks {
            match &m.kind {
                MarkKind::NoteRef { marker, .. } => take(marker),
                MarkKind::Ref { href, .. } => take(href),
                _ => {}
            }
        }
    };
    for line in &expression.header.lines {
        take_text(&line.text, &mut take);
    }
    crate::model::walk(&expression.body, &mut |b| match b {
        Block::Section(s) => {
            take(s.num.as_deref().unwrap_or(""));
            take_text(&s.heading, &mut take);
        }
        Block::Paragraph(p) => {
            take(p.num.as_deref().unwrap_or(""));
            take_text(&p.text, &mut take);
            for item in &p.items {
                take(&item.num);
                take_text(&item.text, &mut take);
            }
        }
        Block::Table(t) => t.rows.iter().flatten().for_each(|cell| take_text(cell, &mut take)),
    });
    for note in &expression.notes {
        take(&note.marker);
        take_text(&note.text, &mut take);
    }
    for d in &expression.dropped {
        take(&d.text);
    }
    let mut coverage = Coverage { source_chars, ..Default::default() };
    for (c, n) in balance.nonzero() {
        if n > 0 {
            coverage.missing.insert(c, n as usize);
        } else if n < 0 {
            coverage.extra.insert(c, (-n) as usize);
        }
    }
    coverage.accounted = source_chars - coverage.missing.values().sum::<usize>();
    coverage
}
