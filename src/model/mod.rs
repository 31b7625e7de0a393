//! The document model: one [`Document`] per source folder, one [`Expression`] per language
//! version, a tree of [`Block`]s with Akoma Ntoso eIds, inline [`Mark`]s over plain text,
//! footnotes, and the artefacts the ingest dropped (so that nothing is lost silently).
//!
//! `accord inspect --json` prints this model; `schemas/document.schema.json` describes it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

pub mod alignment;
pub mod eid;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub slug: String,
    pub metadata: Metadata,
    /// Sorted by language code.
    pub expressions: Vec<Expression>,
    /// Groups pinned by hand in `alignment.toml`: unit eIds per language, kept as they are.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub pins: Vec<BTreeMap<String, Vec<String>>>,
    /// Groups a reviewer rejected in `alignment.toml`: if the aligner makes one of them again,
    /// it stays flagged for review and out of translation memories.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub rejects: Vec<BTreeMap<String, Vec<String>>>,
}

/// What is known of the document as a work: `document.toml`, completed by what the
/// headers of its language versions state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// ISO 8601 date (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// ISO 639-1 code of the language the document was drafted in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pivot: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub title: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licence: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
    /// Language versions known to exist but not available here (language → why), so that a
    /// missing original is recorded rather than invented.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub absent: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// Markdown converted from PDF (the seeds' form).
    #[default]
    Md,
    /// Plain text, one paragraph per line.
    Txt,
}

/// One language version of a document.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Expression {
    /// ISO 639-1 code.
    pub lang: String,
    /// Path of the source file, with `/` separators.
    pub source: String,
    pub format: SourceFormat,
    pub header: Header,
    pub body: Vec<Block>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub notes: Vec<Note>,
    /// Source text that is deliberately not part of the content: page artefacts, markup syntax.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub dropped: Vec<Dropped>,
}

/// A line of the header block, as written, with what it was recognised as.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeaderLine {
    pub field: HeaderField,
    pub text: Text,
    pub line: u32,
    /// The normalised value where the field has one: an ISO date, a language code,
    /// `general`/`limited`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderField {
    Body,
    Symbol,
    Distribution,
    Date,
    Language,
    Original,
    SubsidiaryBody,
    Meeting,
    AgendaItem,
    AgendaItemTitle,
    Title,
    Subtitle,
    Other,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub lines: Vec<HeaderLine>,
}

impl Header {
    pub fn get(&self, field: HeaderField) -> Option<&HeaderLine> {
        self.lines.iter().find(|l| l.field == field)
    }
}

/// A structural block. The tree is sections holding paragraphs, tables and sub-sections.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Section(Section),
    Paragraph(Paragraph),
    Table(Table),
}

impl Block {
    pub fn eid(&self) -> &str {
        match self {
            Block::Section(s) => &s.eid,
            Block::Paragraph(p) => &p.eid,
            Block::Table(t) => &t.eid,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub eid: String,
    /// Depth in the tree, 1 for top-level sections.
    pub level: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num: Option<String>,
    pub heading: Text,
    /// The heading says `(suite)` / `(continued)`: the section began in an earlier part.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub continued: bool,
    pub line: u32,
    pub children: Vec<Block>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Paragraph {
    pub eid: String,
    /// The number as written (`12.`, `a)`), when the paragraph is numbered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num: Option<String>,
    pub text: Text,
    /// Sub-items `a) … ; b) …`, whether written inline or as list lines.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub items: Vec<Item>,
    /// Source lines the paragraph was assembled from: more than one when the PDF
    /// conversion split it across a page break. Held inline when there is one, as in all but
    /// a few paragraphs: no allocation per paragraph.
    pub lines: SmallVec<[u32; 1]>,
    /// Where the parts of a paragraph the conversion cut (at a page break, or with a blank
    /// line) were joined, and where it went on over a wrapped line that ends a sentence (a
    /// blank line may have been lost there): byte offsets in `text`, one for each of `lines`
    /// after the first when no part went to an item. The join is a guess that the versions
    /// in other languages can overrule (see [`Paragraph::split_at`]).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub joins: Vec<u32>,
}

impl Paragraph {
    /// A paragraph read from one source line, without items or joins; its eId is given when
    /// the body is numbered.
    pub fn from_line(num: Option<String>, text: Text, line: u32) -> Paragraph {
        Paragraph { num, text, lines: [line].into(), ..Default::default() }
    }

    /// The paragraph cut in two where its text from byte `at` begins (a join, or a sentence
    /// that opens inside it), each half with its lines and joins; `None` when `at` is not
    /// between two words (a word a page broke) or leaves a half empty, or when the joins no
    /// longer fit the text (items were split off it).
    pub fn split_at(&self, at: usize) -> Option<(Paragraph, Paragraph)> {
        let text = &self.text.text;
        if !self.items.is_empty() || self.lines.len() != self.joins.len() + 1 || !text.is_char_boundary(at) {
            return None;
        }
        let (before, after) = text.split_at(at);
        let between_words =
            before.ends_with(char::is_whitespace) || before.chars().next_back().is_some_and(|c| !c.is_alphanumeric());
        if !between_words || before.trim().is_empty() || after.trim().is_empty() {
            return None;
        }
        let (head, tail) = self.text.split(before.trim_end().len(), at);
        // Joins before the cut stay with the first half; the part of the source line the cut
        // falls in goes on in the second, unless the cut is at a join.
        let k = self.joins.iter().filter(|&&j| (j as usize) < at).count();
        let at_join = self.joins.get(k).is_some_and(|&j| j as usize == at);
        let first = Paragraph {
            eid: String::new(),
            num: self.num.clone(),
            text: head,
            items: Vec::new(),
            lines: self.lines[..=k].into(),
            joins: self.joins[..k].to_vec(),
        };
        let rest = k + usize::from(at_join);
        let second = Paragraph {
            eid: String::new(),
            num: None,
            text: tail,
            items: Vec::new(),
            lines: self.lines[rest..].into(),
            joins: self.joins[rest..].iter().map(|j| j - at as u32).collect(),
        };
        Some((first, second))
    }

    /// The paragraph with the first `len` bytes of its text, a number that opened it inside
    /// another paragraph before a cut, as its `num`. Unchanged when it has a number already,
    /// or when a join falls in the number or the spaces after it.
    pub fn numbered(self, len: usize) -> Paragraph {
        let text = &self.text.text;
        let Some(after) = text.get(len..).map(str::trim_start) else { return self };
        let skip = text.len() - after.len();
        if len == 0 || self.num.is_some() || after.is_empty() || self.joins.iter().any(|&j| (j as usize) < skip) {
            return self;
        }
        Paragraph {
            num: Some(text[..len].trim_end().to_string()),
            text: self.text.split(0, skip).1,
            joins: self.joins.iter().map(|j| j - skip as u32).collect(),
            ..self
        }
    }
}

/// Where to cut a paragraph: at byte `at` of its text, the second half opening with a
/// paragraph number `number` bytes long (0 when it opens with none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cut {
    pub at: usize,
    pub number: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub eid: String,
    pub num: String,
    pub text: Text,
    pub line: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub eid: String,
    pub rows: Vec<Vec<Text>>,
    pub line: u32,
}

/// A footnote: its marker as printed (`1`, `*`) and its body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub eid: String,
    pub marker: String,
    pub text: Text,
    pub line: u32,
}

/// Plain text with stand-off marks. Offsets are UTF-8 byte offsets into `text`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Text {
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub marks: Vec<Mark>,
}

/// Clips marks to a text cut to `len` bytes.
pub fn clip_marks(marks: &mut [Mark], len: usize) {
    for m in marks {
        m.start = m.start.min(len);
        m.end = m.end.min(len);
    }
}

impl Text {
    pub fn plain(text: impl Into<String>) -> Self {
        Text { text: text.into(), marks: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The part of the text in `range` (byte offsets on char boundaries), with the marks
    /// that overlap it, clipped and shifted.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Text {
        let marks = self
            .marks
            .iter()
            .filter(|m| m.start < range.end && m.end > range.start || (m.start == m.end && range.contains(&m.start)))
            .map(|m| Mark {
                start: m.start.max(range.start) - range.start,
                end: m.end.min(range.end) - range.start,
                kind: m.kind.clone(),
            })
            .collect();
        Text { text: self.text[range].to_string(), marks }
    }

    /// The text before `cut` and the text from `at` (`cut <= at`, char boundaries; what lies
    /// between, spaces, goes). A mark goes with the part it covers, or with both; a marker
    /// without width goes before when it stands before `at`, or at `at` with nothing between.
    pub fn split(&self, cut: usize, at: usize) -> (Text, Text) {
        let (mut head, mut tail) = (Text::plain(&self.text[..cut]), Text::plain(&self.text[at..]));
        for m in &self.marks {
            let marker = m.start == m.end;
            let at_a_joint = cut == at && m.start == at;
            if (marker && (m.start < at || at_a_joint)) || (!marker && m.start < cut) {
                head.marks.push(Mark { start: m.start.min(cut), end: m.end.min(cut), kind: m.kind.clone() });
            }
            if (marker && m.start >= at && !at_a_joint) || (!marker && m.end > at) {
                let (start, end) = (m.start.max(at) - at, m.end - at);
                tail.marks.push(Mark { start, end, kind: m.kind.clone() });
            }
        }
        (head, tail)
    }

    /// Cuts the text to `len` bytes (a char boundary); marks are clipped to it, none dropped
    /// (a footnote reference at the end stays there).
    pub fn truncate(&mut self, len: usize) {
        self.text.truncate(len);
        clip_marks(&mut self.marks, len);
    }

    /// Inserts `s` at byte `at`, shifting the marks that start after it.
    pub fn insert_str(&mut self, at: usize, s: &str) {
        self.text.insert_str(at, s);
        for m in &mut self.marks {
            if m.start > at || (m.start == at && m.end > at) {
                m.start += s.len();
            }
            if m.end > at {
                m.end += s.len();
            }
        }
    }

    /// Appends `other`, shifting its marks, with `sep` between the two texts.
    pub fn append(&mut self, sep: &str, other: Text) {
        let shift = self.text.len() + sep.len();
        self.text.push_str(sep);
        self.text.push_str(&other.text);
        self.marks.extend(other.marks.into_iter().map(|m| Mark { start: m.start + shift, end: m.end + shift, ..m }));
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    pub start: usize,
    pub end: usize,
    #[serde(flatten)]
    pub kind: MarkKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MarkKind {
    Italic,
    Bold,
    Superscript,
    /// A passage left in another language than the expression's (an English title quoted
    /// in French text).
    Foreign {
        lang: String,
    },
    /// A link; `symbol` is set when the link text is a UN document symbol.
    Ref {
        href: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        symbol: Option<String>,
    },
    /// A footnote marker (zero-width in `text`): the note's eId and the marker as printed.
    NoteRef {
        note: String,
        marker: String,
    },
}

/// Source text kept out of the content, with why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dropped {
    pub line: u32,
    pub kind: DroppedKind,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DroppedKind {
    /// A byte-order mark.
    Bom,
    /// A running head or page footer between the halves of a page: document symbol,
    /// job number (`15-11931 (F)`), page number (`2/4`).
    PageArtefact,
    /// A line holding only a dash or other stray punctuation.
    Stray,
    /// Markup syntax (`#`, `**`, `<i>`, link brackets) whose meaning is in the structure.
    Markup,
    /// The hyphen of a word a page broke (`demobi-` / `lization`).
    Hyphen,
}

impl Document {
    pub fn expression(&self, lang: &str) -> Option<&Expression> {
        self.expressions.iter().find(|e| e.lang == lang)
    }
}

impl Expression {
    /// Calls `f` on every text of the expression in document order: header lines, then the
    /// body (headings, paragraphs, items, table cells), then the notes.
    pub fn for_each_text_mut(&mut self, f: &mut impl FnMut(&mut Text)) {
        for line in &mut self.header.lines {
            f(&mut line.text);
        }
        walk_mut(&mut self.body, f);
        for note in &mut self.notes {
            f(&mut note.text);
        }
    }

    /// Cuts the paragraphs named in `cuts` where listed for each, then numbers the body's eIds
    /// again. A cut where a paragraph cannot be cut (see [`Paragraph::split_at`]) is passed
    /// over.
    pub fn split_paragraphs(&mut self, cuts: &BTreeMap<String, Vec<Cut>>) {
        split_in(&mut self.body, cuts);
        eid::assign(&mut self.body);
    }

    /// Calls `f` on every text of the expression, in the order of [`Self::for_each_text_mut`].
    pub fn for_each_text(&self, f: &mut impl FnMut(&Text)) {
        for line in &self.header.lines {
            f(&line.text);
        }
        walk(&self.body, &mut |b| match b {
            Block::Section(s) => f(&s.heading),
            Block::Paragraph(p) => {
                f(&p.text);
                p.items.iter().for_each(|i| f(&i.text));
            }
            Block::Table(t) => t.rows.iter().flatten().for_each(&mut *f),
        });
        for note in &self.notes {
            f(&note.text);
        }
    }
}

fn split_in(blocks: &mut Vec<Block>, cuts: &BTreeMap<String, Vec<Cut>>) {
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks.drain(..) {
        match block {
            Block::Section(mut s) => {
                split_in(&mut s.children, cuts);
                out.push(Block::Section(s));
            }
            Block::Paragraph(p) if cuts.contains_key(&p.eid) => {
                // From the last offset back, so the offsets before a cut stay right.
                let mut pieces = Vec::new();
                let mut rest = p;
                let mut places = cuts[&rest.eid].clone();
                places.sort_unstable();
                for cut in places.iter().rev() {
                    if let Some((first, second)) = rest.split_at(cut.at) {
                        pieces.push(second.numbered(cut.number));
                        rest = first;
                    }
                }
                pieces.push(rest);
                out.extend(pieces.into_iter().rev().map(Block::Paragraph));
            }
            other => out.push(other),
        }
    }
    *blocks = out;
}

fn walk_mut(blocks: &mut [Block], f: &mut impl FnMut(&mut Text)) {
    for b in blocks {
        match b {
            Block::Section(s) => {
                f(&mut s.heading);
                walk_mut(&mut s.children, f);
            }
            Block::Paragraph(p) => {
                f(&mut p.text);
                p.items.iter_mut().for_each(|i| f(&mut i.text));
            }
            Block::Table(t) => t.rows.iter_mut().flatten().for_each(&mut *f),
        }
    }
}

/// Calls `f` on every block of `blocks` in document order, parents before children.
pub fn walk<'a>(blocks: &'a [Block], f: &mut impl FnMut(&'a Block)) {
    for b in blocks {
        f(b);
        if let Block::Section(s) = b {
            walk(&s.children, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Nothing of a text is lost or doubled by a cut but what lies between the halves:
        /// every marker lands in one half, every mark in each half it covers, all in bounds.
        #[test]
        fn a_cut_text_keeps_every_mark_once_and_in_bounds(
            text in "[a-z é,。]{0,24}",
            points in proptest::collection::vec(0usize..32, 2),
            spans in proptest::collection::vec((0usize..32, 0usize..8), 0..6),
        ) {
            let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let pick = |i: usize| bounds[i % bounds.len()];
            let (cut, at) = (pick(points[0]).min(pick(points[1])), pick(points[0]).max(pick(points[1])));
            let marks: Vec<Mark> = spans
                .iter()
                .map(|&(start, len)| {
                    let start = pick(start);
                    let end = bounds.iter().copied().filter(|&b| b >= start).nth(len % 3).unwrap_or(start);
                    Mark { start, end, kind: if len % 2 == 0 { MarkKind::Italic } else { note(0).kind } }
                })
                .collect();
            let whole = Text { text: text.clone(), marks: marks.clone() };
            let (head, tail) = whole.split(cut, at);
            prop_assert_eq!(&head.text, &text[..cut]);
            prop_assert_eq!(&tail.text, &text[at..]);
            for part in [&head, &tail] {
                prop_assert!(part.marks.iter().all(|m| m.start <= m.end && m.end <= part.text.len()));
            }
            let markers = |t: &Text| t.marks.iter().filter(|m| m.start == m.end).count();
            prop_assert_eq!(markers(&head) + markers(&tail), marks.iter().filter(|m| m.start == m.end).count());
            for m in marks.iter().filter(|m| m.start < m.end) {
                prop_assert_eq!(head.marks.iter().any(|h| h.start < h.end && h.start == m.start), m.start < cut);
                prop_assert_eq!(tail.marks.iter().any(|t| t.start < t.end && t.end + at == m.end), m.end > at);
            }
        }
    }

    fn note(at: usize) -> Mark {
        Mark { start: at, end: at, kind: MarkKind::NoteRef { note: "fn_1".into(), marker: "1".into() } }
    }

    fn joined(text: &str, joins: &[u32], marks: Vec<Mark>) -> Paragraph {
        Paragraph {
            eid: "hcontainer_1".into(),
            text: Text { text: text.into(), marks },
            lines: (1..=joins.len() as u32 + 1).map(|k| k * 10).collect(),
            joins: joins.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn a_paragraph_cut_at_a_join_keeps_each_half_its_lines_joins_and_marks() {
        let text = "Noting the report, recognizing the need, and more";
        let italic = Mark { start: 11, end: 25, kind: MarkKind::Italic };
        let p = joined(text, &[19, 45], vec![note(18), italic, note(19)]);
        let (first, second) = p.split_at(19).unwrap();
        assert_eq!(first.text.text, "Noting the report,");
        assert_eq!(first.text.marks, [note(18), Mark { start: 11, end: 18, kind: MarkKind::Italic }]);
        assert_eq!((first.lines.as_slice(), first.joins.as_slice()), (&[10][..], &[][..]));
        assert_eq!(second.text.text, "recognizing the need, and more");
        assert_eq!(second.text.marks, [Mark { start: 0, end: 6, kind: MarkKind::Italic }, note(0)]);
        assert_eq!((second.lines.as_slice(), second.joins.as_slice()), (&[20, 30][..], &[26][..]));
        let (_, last) = p.split_at(45).unwrap();
        assert_eq!((last.text.text.as_str(), last.lines.as_slice()), ("more", &[30][..]));
        // Inside the second line: it goes on in both halves.
        let (first, second) = p.split_at(41).unwrap();
        assert_eq!(
            (first.text.text.as_str(), first.lines.as_slice(), first.joins.as_slice()),
            ("Noting the report, recognizing the need,", &[10, 20][..], &[19][..])
        );
        assert_eq!(
            (second.text.text.as_str(), second.lines.as_slice(), second.joins.as_slice()),
            ("and more", &[20, 30][..], &[4][..])
        );
    }

    #[test]
    fn a_half_that_opens_with_a_number_takes_it_as_its_own() {
        let p = joined("The Council met. 15. It adopted the agenda", &[21], vec![note(24)]);
        let (_, second) = p.split_at(17).unwrap();
        let second = second.numbered(3);
        assert_eq!((second.num.as_deref(), second.text.text.as_str()), (Some("15."), "It adopted the agenda"));
        assert_eq!((second.joins.as_slice(), second.text.marks.as_slice()), (&[0][..], &[note(3)][..]));
        // A join inside the number or the space after it: the number stays in the text.
        let (_, second) = joined("The Council met. 15. It", &[20], vec![]).split_at(17).unwrap();
        assert_eq!(second.clone().numbered(3), second);
        let numbered = Paragraph { num: Some("14.".into()), ..second.clone() };
        assert_eq!(numbered.clone().numbered(3), numbered);
    }

    #[test]
    fn a_join_without_a_space_keeps_a_marker_at_it_before_it() {
        let p = joined("决议，强烈谴责", &[9], vec![note(9)]);
        let (first, second) = p.split_at(9).unwrap();
        assert_eq!((first.text.text.as_str(), first.text.marks.as_slice()), ("决议，", &[note(9)][..]));
        assert_eq!((second.text.text.as_str(), second.text.marks.as_slice()), ("强烈谴责", &[][..]));
    }

    #[test]
    fn a_paragraph_is_not_cut_inside_a_word_nor_at_an_edge() {
        assert_eq!(joined("demobilization", &[6], vec![]).split_at(6), None);
        assert_eq!(joined("强烈谴责", &[6], vec![]).split_at(6), None);
        assert_eq!(joined("Noting, ", &[8], vec![]).split_at(8), None);
        assert_eq!(joined("Noting, recognizing", &[], vec![]).split_at(0), None);
        assert_eq!(joined("Noting, recognizing", &[], vec![]).split_at(40), None);
        // Joins that no longer fit the text.
        let mut p = joined("Noting, recognizing", &[8], vec![]);
        p.lines.push(30);
        assert_eq!(p.split_at(8), None);
    }

    #[test]
    fn cut_paragraphs_take_the_eids_of_their_places() {
        let mut expression = Expression {
            lang: "ru".into(),
            body: vec![
                Block::Paragraph(joined("отмечая доклад, признавая роль,", &[29], vec![])),
                Block::Paragraph(joined("постановляет", &[], vec![])),
            ],
            ..Default::default()
        };
        eid::assign(&mut expression.body);
        expression.split_paragraphs(&BTreeMap::from([("hcontainer_1".to_string(), vec![Cut { at: 29, number: 0 }])]));
        let units: Vec<(String, String)> = expression.units().into_iter().map(|u| (u.eid, u.text.text)).collect();
        let want = [
            ("hcontainer_1", "отмечая доклад,"),
            ("hcontainer_2", "признавая роль,"),
            ("hcontainer_3", "постановляет"),
        ];
        assert_eq!(units, want.map(|(e, t)| (e.to_string(), t.to_string())));
    }
}
