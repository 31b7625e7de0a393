//! The alignment of a document's language versions: groups of units, one group per unit of
//! the pivot (or per unit that has no pivot counterpart), each with a confidence.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::{Block, Expression, Text};

/// What an alignable unit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    Heading,
    Paragraph,
    Item,
    Row,
}

/// An alignable piece of an expression, in document order: a heading, the text of a
/// paragraph, one of its items, a table row (cells joined by tabs), with its marks.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub eid: String,
    pub kind: UnitKind,
    pub num: Option<String>,
    pub text: Text,
    pub line: u32,
}

impl Unit {
    /// The unit's own number as its version prints it (`12.`, `V.`, `خامسا -`, `五.`), when
    /// it has one.
    pub fn printed_number(&self) -> Option<&str> {
        self.num.as_deref().filter(|n| !n.is_empty())
    }

    /// The unit as its version prints it: its number, a space, then its text, the marks
    /// shifted. Versions number in their own ways, so this is what a reader compares across
    /// languages.
    pub fn printed(&self) -> Cow<'_, Text> {
        match self.printed_number() {
            None => Cow::Borrowed(&self.text),
            Some(num) => {
                let mut text = Text::plain(num);
                text.append(" ", self.text.clone());
                Cow::Owned(text)
            }
        }
    }
}

impl Expression {
    /// The expression's alignable units in document order. A paragraph whose text is empty
    /// (only items) contributes its items alone.
    pub fn units(&self) -> Vec<Unit> {
        let mut out = Vec::new();
        super::walk(&self.body, &mut |b| match b {
            Block::Section(s) => out.push(Unit {
                eid: s.eid.clone(),
                kind: UnitKind::Heading,
                num: s.num.clone(),
                text: s.heading.clone(),
                line: s.line,
            }),
            Block::Paragraph(p) => {
                if !p.text.is_empty() || p.items.is_empty() {
                    out.push(Unit {
                        eid: p.eid.clone(),
                        kind: UnitKind::Paragraph,
                        num: p.num.clone(),
                        text: p.text.clone(),
                        line: p.lines[0],
                    });
                }
                out.extend(p.items.iter().map(|i| Unit {
                    eid: i.eid.clone(),
                    kind: UnitKind::Item,
                    num: Some(i.num.clone()),
                    text: i.text.clone(),
                    line: i.line,
                }));
            }
            Block::Table(t) => out.extend(t.rows.iter().enumerate().map(|(r, row)| {
                let mut cells = row.iter().cloned();
                let mut text = cells.next().unwrap_or_default();
                cells.for_each(|cell| text.append("\t", cell));
                Unit {
                    eid: format!("{}__tr_{}", t.eid, r + 1),
                    kind: UnitKind::Row,
                    num: None,
                    text,
                    line: t.line + r as u32,
                }
            })),
        });
        out
    }
}

/// Each language's alignable units by eId.
pub type UnitIndex = HashMap<String, HashMap<String, Unit>>;

impl super::Document {
    /// The units of every version by language and eId: made once per document and read by
    /// sentence alignment and every export (each would otherwise copy every text again).
    pub fn unit_index(&self) -> UnitIndex {
        self.expressions
            .iter()
            .map(|e| (e.lang.clone(), e.units().into_iter().map(|u| (u.eid.clone(), u)).collect()))
            .collect()
    }
}

/// A document's alignment through its pivot language.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Alignment {
    /// The language whose units give the groups their eIds: the original when present,
    /// else `pivot` from document.toml, else English, else the first language.
    pub pivot: String,
    pub groups: Vec<Group>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The eId of the group's first pivot unit, or of its first unit when the pivot has none.
    pub eid: String,
    /// Unit eIds per language; a language without counterpart is absent.
    pub members: BTreeMap<String, Vec<String>>,
    /// In [0, 1].
    pub confidence: f32,
    /// Low confidence: flagged for a reviewer.
    pub review: bool,
    /// Pinned by hand (`alignment.toml`), not computed.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub pinned: bool,
    /// Rejected by a reviewer (`alignment.toml`): kept for review, left out of translation memories.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub rejected: bool,
    /// The group's sentences aligned across its languages, when sentence alignment was asked for.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub sentences: Vec<SentenceGroup>,
}

/// Sentences of a paragraph group aligned across languages (one side may be empty).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SentenceGroup {
    /// Sentences per language, in order; a language without any is absent.
    pub members: BTreeMap<String, Vec<Sentence>>,
    /// In [0, 1].
    pub confidence: f32,
}

/// A sentence: a byte range of the text of one unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    pub eid: String,
    pub start: usize,
    pub end: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Mark, MarkKind};

    #[test]
    fn a_unit_is_printed_with_its_own_number_and_its_marks_shifted() {
        let text = Text { text: "Participants".into(), marks: vec![Mark { start: 0, end: 4, kind: MarkKind::Italic }] };
        let unit = |num: Option<&str>| Unit {
            eid: "sec_6".into(),
            kind: UnitKind::Heading,
            num: num.map(String::from),
            text: text.clone(),
            line: 9,
        };
        let printed = unit(Some("VI.")).printed().into_owned();
        assert_eq!(printed.text, "VI. Participants");
        assert_eq!((printed.marks[0].start, printed.marks[0].end), (4, 8));
        assert_eq!(&printed.text[4..8], "Part");
        assert!(matches!(unit(None).printed(), Cow::Borrowed(t) if t == &text));
        assert_eq!(unit(Some("")).printed().text, "Participants");
    }
}
