//! Inline Markdown of PDF-converted text → plain text with stand-off marks.
//!
//! Handles `*italic*`, `**bold**` (and `_`, `__`), `<i>`/`<b>`/`<sup>` tags, `^{er}` superscripts, links
//! `[A/RES/70/1](#)`, footnote markers (`¹`, `^{2}`, `*`), and marks italic passages written in
//! another language than the expression's as foreign spans. Markup syntax is returned
//! separately so the caller can account for every source character.

use std::cell::OnceCell;
use std::collections::{BTreeSet, HashSet};

use crate::model::{Mark, MarkKind, Text, clip_marks};
use crate::{furniture, lang};

use super::lexical;

/// Inline problems, reported with their byte offset in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Unclosed {
        markup: &'static str,
        offset: usize,
    },
    BrokenLink {
        offset: usize,
    },
    OrphanMarker {
        marker: String,
        offset: usize,
    },
    /// Markup opened more than [`MAX_DEPTH`] deep: the opening and those after it are text.
    TooDeep {
        offset: usize,
    },
}

/// How deep inline markup may nest. Real text nests two or three levels; the limit keeps
/// hostile input (`<i>` a hundred thousand times) linear in time and bounded in diagnostics.
pub const MAX_DEPTH: usize = 32;

pub struct Inline {
    pub text: Text,
    /// Markup syntax removed from the input, in order.
    pub markup: String,
    /// The hyphens of words broken at a line end, removed, with their input offsets.
    pub hyphens: Vec<(usize, char)>,
    pub problems: Vec<Problem>,
}

/// Footnote markers for which the expression has a note body: only those are read as
/// markers, so `m²` stays text.
pub type KnownMarkers = BTreeSet<String>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Open {
    Italic(&'static str),
    Bold(&'static str),
    Sup,
    Link,
}

impl Open {
    fn token(self) -> &'static str {
        match self {
            Open::Italic(t) | Open::Bold(t) => t,
            Open::Sup => "<sup>",
            Open::Link => "[",
        }
    }
}

struct Builder<'k> {
    out: String,
    marks: Vec<Mark>,
    markup: String,
    hyphens: Vec<(usize, char)>,
    problems: Vec<Problem>,
    stack: Vec<(Open, usize, usize)>,
    known: &'k KnownMarkers,
    pending_space: bool,
    too_deep: bool,
    ahead: Ahead,
}

/// The next line end, `](`, `)` and `}` from the scan position. The scan goes left to right,
/// so one search serves every position up to what it found: each is searched for once per
/// input, not once per `[` or `^{` (a line of `[[[[…` was quadratic).
#[derive(Default)]
struct Ahead {
    line_end: Next,
    link_middle: Next,
    paren: Next,
    brace: Next,
}

#[derive(Default)]
struct Next {
    /// Where the last search started and what it found (`None`: nothing after it).
    searched: Option<(usize, Option<usize>)>,
}

impl Next {
    fn from(&mut self, input: &str, from: usize, pattern: &str) -> Option<usize> {
        match self.searched {
            Some((start, found)) if start <= from && found.is_none_or(|f| f >= from) => found,
            _ => {
                let found = input[from..].find(pattern).map(|p| from + p);
                self.searched = Some((from, found));
                found
            }
        }
    }
}

impl Builder<'_> {
    fn push_char(&mut self, c: char) {
        if self.pending_space && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.pending_space = false;
        self.out.push(c);
    }

    fn push_str(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() && c != '\u{a0}' && c != '\u{202f}' {
                self.pending_space = true;
            } else {
                self.push_char(c);
            }
        }
    }

    /// Appends text whose only whitespace is single ASCII spaces (runs stop before a second
    /// space), copying it at once.
    fn push_run(&mut self, run: &str) {
        let lead = run.starts_with(' ');
        let body = run.trim_start_matches(' ');
        let trail = body.ends_with(' ');
        let body = body.trim_end_matches(' ');
        if body.is_empty() {
            self.pending_space |= lead;
            return;
        }
        if (lead || self.pending_space) && !self.out.is_empty() {
            self.out.push(' ');
        }
        self.out.push_str(body);
        self.pending_space = trail;
    }

    /// Output position where the next visible character will go.
    fn pos(&self) -> usize {
        if self.pending_space && !self.out.is_empty() { self.out.len() + 1 } else { self.out.len() }
    }

    /// Opens `open` at input offset `offset`, unless markup is already [`MAX_DEPTH`] deep.
    fn open(&mut self, open: Open, offset: usize) -> bool {
        if self.stack.len() >= MAX_DEPTH {
            if !self.too_deep {
                self.problems.push(Problem::TooDeep { offset });
                self.too_deep = true;
            }
            return false;
        }
        self.stack.push((open, self.pos(), offset));
        true
    }

    fn is_open(&self, open: Open) -> bool {
        self.stack.iter().any(|(o, _, _)| *o == open)
    }

    /// Closes `open` and everything opened after it; marks are kept only for `open`.
    fn close(&mut self, open: Open, kind: MarkKind, closing: &str) {
        while let Some((o, start, offset)) = self.stack.pop() {
            if o == open {
                self.markup.push_str(closing);
                let end = self.out.len();
                if end > start {
                    self.marks.push(Mark { start, end, kind });
                }
                return;
            }
            self.problems.push(Problem::Unclosed { markup: o.token(), offset });
        }
    }

    fn note_ref(&mut self, marker: &str) {
        let at = self.out.len();
        self.marks.push(Mark {
            start: at,
            end: at,
            kind: MarkKind::NoteRef { note: String::new(), marker: marker.to_string() },
        });
    }
}

/// The ASCII digit of a superscript digit.
pub fn superscript_value(c: char) -> Option<char> {
    Some(match c {
        '⁰' => '0',
        '¹' => '1',
        '²' => '2',
        '³' => '3',
        '⁴' => '4',
        '⁵' => '5',
        '⁶' => '6',
        '⁷' => '7',
        '⁸' => '8',
        '⁹' => '9',
        _ => return None,
    })
}

/// Whether a byte, followed by `next`, may stop a run of ordinary characters: markup ASCII,
/// ASCII whitespace other than a single space, and the lead bytes of superscript digits
/// (U+00B2, U+00B3, U+00B9, U+2070…) and of other whitespace (U+0085, U+00A0, U+1680,
/// U+2000…, U+3000).
fn may_stop(b: u8, next: u8) -> bool {
    matches!(b, b'<' | b'^' | b'*' | b'_' | b'[' | b']' | b'\\' | b'\t'..=b'\r' | 0xC2 | 0xE1..=0xE3)
        | (b == b' ') & (next == b' ')
}

/// Where the first byte from `from` that [`may_stop`] a run is.
fn next_stop(bytes: &[u8], from: usize) -> usize {
    let byte = |k: usize| bytes.get(k).copied().unwrap_or(0);
    let from = crate::scan::skip_blocks(bytes, from, |b, next, _| may_stop(b, next));
    (from..bytes.len()).find(|&k| may_stop(bytes[k], byte(k + 1))).unwrap_or(bytes.len())
}

/// Characters that may start markup, a marker or an escape.
fn is_special(c: char) -> bool {
    matches!(c, '<' | '^' | '*' | '_' | '[' | ']' | '\\') || superscript_value(c).is_some()
}

/// Punctuation or a symbol, as CommonMark's rules for emphasis mean it: neither a letter, a
/// digit nor white space.
fn is_punctuation(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

/// Units written with a superscript that are not footnote markers.
pub(super) fn is_unit_before(out: &str) -> bool {
    let word: String = out.chars().rev().take_while(|c| c.is_alphabetic()).collect();
    matches!(word.as_str(), "m" | "mk" | "mc" | "mm" | "2m" | "м" | "мк")
}

/// Parses `input`, a block of a source whose hyphenated words are `compounds`: where a line
/// ends inside a word, they tell a compound's hyphen from a hyphenation (see [`line_join`]).
pub fn parse(input: &str, lang: &str, known: &KnownMarkers, compounds: &Compounds) -> Inline {
    let mut b = Builder {
        out: String::with_capacity(input.len()),
        marks: Vec::new(),
        markup: String::new(),
        hyphens: Vec::new(),
        problems: Vec::new(),
        stack: Vec::new(),
        known,
        pending_space: false,
        too_deep: false,
        ahead: Ahead::default(),
    };
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < input.len() {
        let rest = &input[i..];
        // A run of ordinary characters is copied at once; the scan stops at bytes that may
        // start markup, a marker or whitespace other than a space.
        let run = next_stop(bytes, i) - i;
        if run > 0 {
            b.push_run(&rest[..run]);
            i += run;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        if !is_special(c) && (c == ' ' || !c.is_whitespace()) {
            b.push_run(&rest[..c.len_utf8()]);
            i += c.len_utf8();
            continue;
        }
        if matches!(c, '<' | '^' | '*' | '_' | '[' | ']')
            && let Some(step) = markup_at(&mut b, input, i)
        {
            i += step;
            continue;
        }
        if superscript_value(c).is_some() {
            let run: String = rest.chars().take_while(|c| superscript_value(*c).is_some()).collect();
            let value: String = run.chars().filter_map(superscript_value).collect();
            // After a word or a number (`2019²`), but not after a unit (`m²`).
            let after_text = b.out.chars().last().is_some_and(|p| !p.is_whitespace()) && !b.pending_space;
            if after_text && b.known.contains(&value) && !is_unit_before(&b.out) {
                b.note_ref(&run);
            } else {
                if after_text && !is_unit_before(&b.out) {
                    b.problems.push(Problem::OrphanMarker { marker: run.clone(), offset: i });
                }
                b.push_str(&run);
            }
            i += run.len();
            continue;
        }
        if c == '\n' {
            i = line_end(&mut b, input, i, i + 1, compounds);
            continue;
        }
        if c == '<'
            && let Some(tag) = line_break_tag(rest)
        {
            // A line break the conversion wrote as HTML (`<br>`, in table cells mostly): the
            // tag is markup, the break joins as a line end does.
            b.markup.push_str(&rest[..tag]);
            i = line_end(&mut b, input, i, i + tag, compounds);
            continue;
        }
        if c == '\\' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_punctuation() {
            b.markup.push('\\');
            b.push_char(bytes[i + 1] as char);
            i += 2;
            continue;
        }
        b.push_str(&rest[..c.len_utf8()]);
        i += c.len_utf8();
    }
    for (open, _, offset) in std::mem::take(&mut b.stack) {
        b.problems.push(Problem::Unclosed { markup: open.token(), offset });
    }
    let mut text = Text { text: b.out, marks: b.marks };
    trim(&mut text);
    mark_foreign(&mut text, lang);
    text.marks.sort_by(|x, y| x.start.cmp(&y.start).then(y.end.cmp(&x.end)));
    Inline { text, markup: b.markup, hyphens: b.hyphens, problems: b.problems }
}

/// Joins the text before a line break at `at` (ending at `after`) to the text after it, as
/// [`line_join`] says; the input position to go on from.
fn line_end(b: &mut Builder, input: &str, at: usize, after: usize, compounds: &Compounds) -> usize {
    if !b.pending_space {
        let next = input[after..].trim_start_matches([' ', '\t']);
        let join = line_join(&b.out, next, compounds);
        if !join.space {
            if let Some(h) = join.hyphen {
                b.out.truncate(b.out.len() - h.len_utf8());
                clip_marks(&mut b.marks, b.out.len());
                b.hyphens.push((at.saturating_sub(h.len_utf8()), h));
            }
            return input.len() - next.len();
        }
    }
    b.pending_space = true;
    after
}

/// The length of the HTML line break `rest` opens with: `<br>`, `<br/>`, `<br />`, in any case.
fn line_break_tag(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    if !bytes.get(..3)?.eq_ignore_ascii_case(b"<br") {
        return None;
    }
    let mut k = 3;
    while bytes.get(k) == Some(&b' ') {
        k += 1;
    }
    if bytes.get(k) == Some(&b'/') {
        k += 1;
    }
    (bytes.get(k) == Some(&b'>')).then_some(k + 1)
}

/// How a line broken at its end (by a line wrap or a page) joins the text after it.
pub struct LineJoin {
    /// Whether a space goes between: not inside a word, nor in Chinese or Japanese.
    pub space: bool,
    /// The hyphen of a hyphenated word, which the join removes.
    pub hyphen: Option<char>,
}

/// How `prev` joins `next`. Inside a word (letters and a hyphen, then a letter) without the
/// space; the hyphen goes unless it is the compound's own: before a capital (`Secretary-` /
/// `General`, as hyphenation does not cut before one), or where the source writes the word
/// with it elsewhere (`long-` / `term`). A soft hyphen always goes. Chinese and Japanese
/// put no space between words.
pub fn line_join(prev: &str, next: &str, compounds: &Compounds) -> LineJoin {
    let hyphen = match broken_word(prev, next, compounds) {
        Some(hyphen) => hyphen,
        None => return LineJoin { space: !cjk_join(prev, next), hyphen: None },
    };
    LineJoin { space: false, hyphen }
}

/// Whether `prev` ends inside a word that `next` completes; then the hyphen to remove, if any.
fn broken_word(prev: &str, next: &str, compounds: &Compounds) -> Option<Option<char>> {
    let hyphen = prev.chars().next_back().filter(|c| matches!(c, '-' | '\u{ad}' | '\u{2010}'))?;
    let before = &prev[..prev.len() - hyphen.len_utf8()];
    let head = &before[before.trim_end_matches(char::is_alphabetic).len()..];
    let tail = &next[..next.len() - next.trim_start_matches(char::is_alphabetic).len()];
    let first = tail.chars().next()?;
    if head.chars().count() < 2 || !first.is_alphabetic() {
        return None;
    }
    if first.is_uppercase() && hyphen != '\u{ad}' {
        return Some(None);
    }
    if !first.is_lowercase() {
        return None;
    }
    let compound = hyphen != '\u{ad}' && compounds.contains(&format!("{head}{hyphen}{tail}"));
    Some((!compound).then_some(hyphen))
}

/// The words a source writes with a hyphen between letters (`long-term`), gathered on the
/// first question: a search of the whole source for every broken word would be quadratic.
pub struct Compounds<'a> {
    source: &'a str,
    words: OnceCell<HashSet<&'a str>>,
}

impl<'a> Compounds<'a> {
    pub fn new(source: &'a str) -> Self {
        Compounds { source, words: OnceCell::new() }
    }

    fn contains(&self, word: &str) -> bool {
        self.words.get_or_init(|| hyphenated_words(self.source)).contains(word)
    }
}

/// Each run of letters, hyphen, letters in `source` (`Secretary-General-designate` gives
/// `Secretary-General` and `General-designate`, as a line break after either hyphen would).
fn hyphenated_words(source: &str) -> HashSet<&str> {
    let mut words = HashSet::new();
    for (at, hyphen) in source.match_indices(['-', '\u{2010}']) {
        let before = &source[..at];
        let start = before.trim_end_matches(char::is_alphabetic).len();
        let after = &source[at + hyphen.len()..];
        let end = at + hyphen.len() + after.len() - after.trim_start_matches(char::is_alphabetic).len();
        if start < at && end > at + hyphen.len() {
            words.insert(&source[start..end]);
        }
    }
    words
}

/// Whether a Chinese or Japanese character stands on either side of the join.
fn cjk_join(prev: &str, next: &str) -> bool {
    prev.chars().last().is_some_and(lang::is_wide) || next.chars().next().is_some_and(lang::is_wide)
}

/// Recognises markup at byte `i`; returns how many bytes it consumed.
fn markup_at(b: &mut Builder, input: &str, i: usize) -> Option<usize> {
    let rest = &input[i..];
    const TAGS: [(&str, &str, Open); 5] = [
        ("<i>", "</i>", Open::Italic("<i>")),
        ("<em>", "</em>", Open::Italic("<em>")),
        ("<b>", "</b>", Open::Bold("<b>")),
        ("<strong>", "</strong>", Open::Bold("<strong>")),
        ("<sup>", "</sup>", Open::Sup),
    ];
    if rest.starts_with('<') {
        for (tag, closing, open) in TAGS {
            if starts_with_ci(rest, tag) {
                if !b.open(open, i) {
                    return None;
                }
                // As written: tags are matched in any case, and nothing lost means `<I>` too.
                b.markup.push_str(&rest[..tag.len()]);
                return Some(tag.len());
            }
            if starts_with_ci(rest, closing) {
                if !b.is_open(open) {
                    // A closing tag without its opening: keep it as text, it is not ours to drop.
                    return None;
                }
                let written = &rest[..closing.len()];
                match open {
                    Open::Sup => close_sup(b, written),
                    Open::Italic(_) => b.close(open, MarkKind::Italic, written),
                    _ => b.close(open, MarkKind::Bold, written),
                }
                return Some(closing.len());
            }
        }
        return None;
    }
    if let Some(after) = rest.strip_prefix('^') {
        // `^{2}`, or Pandoc's `^2^`: a superscript of a few characters without a space.
        let (open, content) = match after.strip_prefix('{') {
            Some(_) => ("^{}", &rest[2..b.ahead.brace.from(input, i, "}")? - i]),
            None => ("^^", &after[..after.bytes().take(12).position(|c| c == b'^')?]),
        };
        if content.is_empty()
            || content.contains(['\n', '{'])
            || (open == "^^" && content.contains(char::is_whitespace))
        {
            return None;
        }
        let end = open.len() - 1 + content.len();
        b.markup.push_str(open);
        if content.chars().all(|c| c.is_ascii_digit()) && b.known.contains(content) {
            b.note_ref(content);
        } else {
            let start = b.out.len();
            b.push_str(content);
            b.marks.push(Mark { start, end: b.out.len(), kind: MarkKind::Superscript });
        }
        return Some(end + 1);
    }
    if rest.starts_with('_') {
        return underscores_at(b, input, i);
    }
    if let Some(after) = rest.strip_prefix("**") {
        let open = Open::Bold("**");
        if b.is_open(open) {
            b.close(open, MarkKind::Bold, "**");
            return Some(2);
        }
        if after.contains("**") && !after.starts_with(char::is_whitespace) && b.open(open, i) {
            b.markup.push_str("**");
            return Some(2);
        }
        return None;
    }
    if let Some(after) = rest.strip_prefix('*') {
        let open = Open::Italic("*");
        let prev = input[..i].chars().last();
        // A `<br>` tag is a line break: white space.
        let next = after.chars().next().filter(|_| line_break_tag(after).is_none());
        let prev_is_text = prev.is_some_and(|p| !p.is_whitespace() && p != '(' && p != '*');
        let next_is_break = next.is_none_or(|n| n.is_whitespace() || matches!(n, '.' | ',' | ';' | ':' | ')'));
        if b.is_open(open) && prev_is_text {
            b.close(open, MarkKind::Italic, "*");
            return Some(1);
        }
        if prev_is_text && next_is_break && b.known.contains("*") {
            b.note_ref("*");
            return Some(1);
        }
        // As CommonMark has it, a star between a letter and punctuation (`السويد*(أ)`) opens
        // nothing: emphasis opens before a word, or after a space or punctuation.
        let opens = next.is_some_and(|n| {
            !n.is_whitespace() && (!is_punctuation(n) || prev.is_none_or(|p| p.is_whitespace() || is_punctuation(p)))
        });
        if opens && after.contains('*') && b.open(open, i) {
            b.markup.push('*');
            return Some(1);
        }
        return None;
    }
    if let Some(label) = rest.strip_prefix("[^") {
        // Markdown's footnote reference, `[^3]`, where a note 3 exists.
        let len = label.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(label.len());
        if len > 0 && label[len..].starts_with(']') && b.known.contains(&label[..len]) {
            b.markup.push_str("[^]");
            b.note_ref(&label[..len]);
            return Some(len + 3);
        }
    }
    if rest.starts_with('[') {
        return link_at(b, input, i);
    }
    if rest.starts_with("](") && b.is_open(Open::Link) {
        let close = rest.find(')')?;
        let href = rest[2..close].trim();
        if href.is_empty() {
            b.problems.push(Problem::BrokenLink { offset: i });
        }
        let start = b.stack.iter().rev().find(|(o, _, _)| *o == Open::Link).map(|(_, s, _)| *s).unwrap_or(0);
        let label = b.out[start.min(b.out.len())..].trim().to_string();
        let symbol = furniture::is_document_symbol(&label).then_some(label);
        // A link without text keeps no mark: its target goes with the dropped markup.
        let keeps_mark = b.out.len() > start;
        b.close(Open::Link, MarkKind::Ref { href: href.to_string(), symbol }, "](");
        if !keeps_mark {
            b.markup.push_str(href);
        }
        b.markup.push(')');
        return Some(close + 1);
    }
    None
}

/// `<sup>1</sup>` is a footnote marker when a note 1 exists, else a superscript.
fn close_sup(b: &mut Builder, closing: &str) {
    let Some(pos) = b.stack.iter().rposition(|(o, _, _)| *o == Open::Sup) else { return };
    let start = b.stack[pos].1.min(b.out.len());
    let content = b.out[start..].to_string();
    if b.known.contains(&content) {
        b.stack.truncate(pos);
        b.out.truncate(start);
        b.markup.push_str(closing);
        b.note_ref(&content);
    } else {
        b.close(Open::Sup, MarkKind::Superscript, closing);
    }
}

/// `[label](href)` on one line; a `[` without that shape is text.
/// `_italic_` and `__bold__`, which emphasise at a word's edges only (`file_name` is text);
/// a longer run (`____`, a rule or a blank to fill in) is text.
fn underscores_at(b: &mut Builder, input: &str, i: usize) -> Option<usize> {
    let rest = &input[i..];
    let run = rest.bytes().take_while(|&c| c == b'_').count();
    if run > 2 {
        b.push_str(&rest[..run]);
        return Some(run);
    }
    let (token, open, kind) = match run {
        2 => ("__", Open::Bold("__"), MarkKind::Bold),
        _ => ("_", Open::Italic("_"), MarkKind::Italic),
    };
    let prev = input[..i].chars().last();
    let next = rest[run..].chars().next();
    if b.is_open(open) && prev.is_some_and(|p| !p.is_whitespace()) && !next.is_some_and(char::is_alphanumeric) {
        b.close(open, kind, token);
        return Some(run);
    }
    // Opens where the next run of its length can close it: after a character and not before a
    // letter (`，__平民大规__模` is text, as CommonMark has it).
    let closes_later = || {
        rest[run..].find(token).is_some_and(|k| {
            let at = run + k;
            let before = rest[..at].chars().next_back().is_some_and(|c| !c.is_whitespace());
            before && !rest[at + run..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        })
    };
    let opens = next.is_some_and(|n| !n.is_whitespace()) && !prev.is_some_and(char::is_alphanumeric);
    if opens && closes_later() && b.open(open, i) {
        b.markup.push_str(token);
    } else {
        // The run is text whole: its second `_` does not open what the first could not.
        b.push_str(token);
    }
    Some(run)
}

fn link_at(b: &mut Builder, input: &str, i: usize) -> Option<usize> {
    let line_end = b.ahead.line_end.from(input, i, "\n").unwrap_or(input.len());
    let mid = b.ahead.link_middle.from(input, i, "](").filter(|&m| m < line_end)?;
    if b.ahead.paren.from(input, mid, ")").is_none_or(|p| p >= line_end) {
        b.problems.push(Problem::BrokenLink { offset: i });
        return None;
    }
    if !b.open(Open::Link, i) {
        return None;
    }
    if mid == i + 1 {
        b.problems.push(Problem::BrokenLink { offset: i });
    }
    b.markup.push('[');
    Some(1)
}

pub(super) fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Removes the trailing space that whitespace collapsing may leave, clamping marks.
fn trim(text: &mut Text) {
    text.truncate(text.text.trim_end().len());
    // Zero-width references stay: a note marker, or a link whose label was only whitespace
    // (its target is source text).
    text.marks.retain(|m| m.end > m.start || matches!(m.kind, MarkKind::NoteRef { .. } | MarkKind::Ref { .. }));
}

/// Italic passages in another language than the expression's are foreign spans: UN
/// translations keep titles in their original language, italicised.
fn mark_foreign(text: &mut Text, lang: &str) {
    let mut foreign = Vec::new();
    for m in &text.marks {
        if m.kind != MarkKind::Italic {
            continue;
        }
        let span = &text.text[m.start..m.end];
        if let Some(span_lang) = lexical::guess_language(span)
            && span_lang != lang
        {
            foreign.push(Mark { start: m.start, end: m.end, kind: MarkKind::Foreign { lang: span_lang.to_string() } });
        }
    }
    text.marks.extend(foreign);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(markers: &[&str]) -> KnownMarkers {
        markers.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn italic_bold_and_tags() {
        let r = parse("**Titre** et <i>Date et heure</i> (*suite*)", "fr", &known(&[]), &Compounds::new(""));
        assert_eq!(r.text.text, "Titre et Date et heure (suite)");
        assert_eq!(r.markup, "****<i></i>**");
        let kinds: Vec<_> = r.text.marks.iter().map(|m| (&r.text.text[m.start..m.end], m.kind.clone())).collect();
        assert!(kinds.contains(&("Titre", MarkKind::Bold)));
        assert!(kinds.contains(&("Date et heure", MarkKind::Italic)));
        assert!(kinds.contains(&("suite", MarkKind::Italic)));
        assert!(r.problems.is_empty());
    }

    #[test]
    fn footnote_markers_only_where_a_note_exists() {
        let r = parse("à 10 heures¹. Surface de 20 m².", "fr", &known(&["1"]), &Compounds::new(""));
        assert_eq!(r.text.text, "à 10 heures. Surface de 20 m².");
        assert_eq!(r.text.marks.len(), 1);
        assert!(matches!(&r.text.marks[0].kind, MarkKind::NoteRef { marker, .. } if marker == "¹"));
        assert!(r.problems.is_empty());
        let orphan = parse("les heures³ de séance", "fr", &known(&["1"]), &Compounds::new(""));
        assert_eq!(orphan.problems, vec![Problem::OrphanMarker { marker: "³".into(), offset: 10 }]);
    }

    #[test]
    fn star_marker_and_superscript() {
        let r = parse("Point 4 de l'ordre du jour provisoire*", "fr", &known(&["*"]), &Compounds::new(""));
        assert_eq!(r.text.text, "Point 4 de l'ordre du jour provisoire");
        assert!(matches!(&r.text.marks[0].kind, MarkKind::NoteRef { marker, .. } if marker == "*"));
        for written in ["du 30 mai au 1^{er} juin", "du 30 mai au 1^er^ juin"] {
            let sup = parse(written, "fr", &known(&[]), &Compounds::new(""));
            assert_eq!(sup.text.text, "du 30 mai au 1er juin");
            assert_eq!(sup.text.marks[0].kind, MarkKind::Superscript);
            assert_eq!(&sup.text.text[sup.text.marks[0].start..sup.text.marks[0].end], "er");
        }
        // Carets around words are text.
        let carets = parse("x ^ y and 2^10 ^ 3", "en", &known(&[]), &Compounds::new(""));
        assert_eq!(carets.text.text, "x ^ y and 2^10 ^ 3");
        assert!(carets.text.marks.is_empty());
    }

    #[test]
    fn symbol_links() {
        let r = parse("([CTOC/COP/WG.7/2022/2](#)).", "fr", &known(&[]), &Compounds::new(""));
        assert_eq!(r.text.text, "(CTOC/COP/WG.7/2022/2).");
        assert_eq!(
            r.text.marks[0].kind,
            MarkKind::Ref { href: "#".into(), symbol: Some("CTOC/COP/WG.7/2022/2".into()) }
        );
        assert_eq!(r.markup, "[]()");
    }

    #[test]
    fn link_without_text_keeps_its_target_in_the_markup() {
        let r = parse("le document [](#) examiné", "fr", &known(&[]), &Compounds::new(""));
        assert_eq!(r.text.text, "le document examiné");
        assert!(r.text.marks.is_empty());
        assert_eq!(r.markup, "[](#)");
        assert_eq!(r.problems, vec![Problem::BrokenLink { offset: 12 }]);
    }

    #[test]
    fn english_title_in_french_is_foreign() {
        let r = parse(
            "Voir *Smuggling of Migrants: Compendium and Thematic Index of Recommendations* (Trafic de migrants : Recueil)",
            "fr",
            &known(&[]),
            &Compounds::new(""),
        );
        let foreign: Vec<_> = r.text.marks.iter().filter(|m| matches!(m.kind, MarkKind::Foreign { .. })).collect();
        assert_eq!(foreign.len(), 1);
        assert_eq!(
            &r.text.text[foreign[0].start..foreign[0].end],
            "Smuggling of Migrants: Compendium and Thematic Index of Recommendations"
        );
        assert_eq!(foreign[0].kind, MarkKind::Foreign { lang: "en".into() });
    }

    #[test]
    fn hyphenated_words_are_gathered_as_a_line_break_would_cut_them() {
        let words = hyphenated_words("The Secretary-General-designate, a long-term plan; 2015-2016, well - known.");
        let mut words: Vec<&str> = words.into_iter().collect();
        words.sort_unstable();
        assert_eq!(words, ["General-designate", "Secretary-General", "long-term"]);
    }

    #[test]
    fn an_html_line_break_joins_as_a_line_end_does() {
        let compounds = Compounds::new("");
        let r =
            parse("in the three most<br>affected countries, recom-<BR />mended<br/>", "en", &known(&[]), &compounds);
        assert_eq!(r.text.text, "in the three most affected countries, recommended");
        assert_eq!(r.markup, "<br><BR /><br/>");
        assert_eq!(r.hyphens, [(46, '-')]);
        // A star before a break is not an opening emphasis, and `<brief>` is not a break.
        let r = parse("Maldives*<br>(2015), Philippines* (2015) <brief>", "en", &known(&[]), &compounds);
        assert_eq!(r.text.text, "Maldives* (2015), Philippines* (2015) <brief>");
        assert!(r.text.marks.is_empty());
    }

    #[test]
    fn a_star_between_a_letter_and_punctuation_opens_no_emphasis() {
        let compounds = Compounds::new("");
        let r = parse("السويد*(أ) (2015)، هولندا* (2015)", "ar", &known(&[]), &compounds);
        assert_eq!(r.text.text, "السويد*(أ) (2015)، هولندا* (2015)");
        assert!(r.text.marks.is_empty());
        for (source, italic) in [("*(suite)* du rapport", "(suite)"), ("de l'*Annuaire* de 2015", "Annuaire")] {
            let r = parse(source, "fr", &known(&[]), &compounds);
            let mark = r.text.marks.iter().find(|m| m.kind == MarkKind::Italic).expect("an italic mark");
            assert_eq!(&r.text.text[mark.start..mark.end], italic);
        }
    }

    #[test]
    fn underscores_emphasise_at_word_edges_only() {
        let compounds = Compounds::new("");
        let source =
            "Voir _Smuggling of Migrants: Compendium and Thematic Index of Recommendations_ et __le rapport__.";
        let r = parse(source, "fr", &known(&[]), &compounds);
        assert_eq!(
            r.text.text,
            "Voir Smuggling of Migrants: Compendium and Thematic Index of Recommendations et le rapport."
        );
        let kinds: Vec<&MarkKind> = r.text.marks.iter().map(|m| &m.kind).collect();
        assert!(kinds.contains(&&MarkKind::Italic) && kinds.contains(&&MarkKind::Bold), "{kinds:?}");
        assert!(kinds.contains(&&MarkKind::Foreign { lang: "en".into() }), "{kinds:?}");
        assert_eq!(r.markup, "______");
        // Inside words, in a rule or a blank to fill, or without a closing run: text.
        for text in ["file_name and snake_case_name", "Signature: ________", "，__平民大规__模", "_x y_z"] {
            let r = parse(text, "zh", &known(&[]), &compounds);
            assert_eq!(r.text.text, text);
            assert!(r.problems.is_empty() && r.markup.is_empty(), "{text}: {:?}", r.problems);
        }
    }

    #[test]
    fn unclosed_markup_is_reported() {
        let r = parse("texte <i>sans fin", "fr", &known(&[]), &Compounds::new(""));
        assert_eq!(r.problems, vec![Problem::Unclosed { markup: "<i>", offset: 6 }]);
        assert_eq!(r.text.text, "texte sans fin");
    }
}
