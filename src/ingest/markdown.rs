//! Markdown converted from PDF (the seeds' form) → one [`Expression`].
//!
//! The conversion leaves scars this parser repairs: paragraphs cut at page breaks with a
//! footnote body, running heads or page footers between the halves; headings marked by `#`
//! at inconsistent depths, or by their numbering alone; sub-items inline or as list lines;
//! tab tables with `<i>` tags. Every source character ends up in the model or in
//! `Expression::dropped`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Location};
use crate::furniture;
use crate::lang;
use crate::model::{
    Block, Dropped, DroppedKind, Expression, Header, HeaderField, HeaderLine, Item, MarkKind, Note, Paragraph, Section,
    SourceFormat, Table, Text,
};

use super::inline::{self, KnownMarkers, Problem};
use super::lexical;

pub struct Parsed {
    pub expression: Expression,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum RawKind {
    /// A `#` heading, with its number of `#`.
    Hash(u8),
    /// A setext heading's text (`Title` over `=====`, level 1, or `-----`, level 2).
    Setext(u8),
    /// The rule under a setext heading: markup.
    Underline,
    Text,
    /// A footnote body (`¹ Voir…`, `* …`).
    Note,
    Table,
    Artefact(DroppedKind),
}

/// A run of source lines that forms one unit before interpretation.
struct Raw<'a> {
    kind: RawKind,
    /// Consecutive entries of the file's lines: a slice of them, not a copy.
    lines: &'a [(u32, &'a str)],
    /// A wrapped line of the block before ended a sentence before this one's capital: the
    /// block goes on with that one, but the join is recorded, for it may be where the
    /// conversion lost a blank line, which the other versions can tell.
    soft: bool,
}

impl Raw<'_> {
    fn line(&self) -> u32 {
        self.lines[0].0
    }

    fn first(&self) -> &str {
        self.lines[0].1
    }

    /// The block's lines joined by line breaks; borrowed when it has one line.
    fn joined(&self) -> Cow<'_, str> {
        match self.lines {
            [(_, line)] => Cow::Borrowed(line),
            lines => {
                let mut joined = String::with_capacity(lines.iter().map(|(_, l)| l.len() + 1).sum());
                for (k, (_, l)) in lines.iter().enumerate() {
                    if k > 0 {
                        joined.push('\n');
                    }
                    joined.push_str(l);
                }
                Cow::Owned(joined)
            }
        }
    }
}

pub fn parse(path: &str, lang: &str, src: &str) -> Parsed {
    let (src, bom) = match src.strip_prefix('\u{feff}') {
        Some(rest) => (rest, true),
        None => (src, false),
    };
    let mut p = Parser {
        path,
        lang,
        compounds: inline::Compounds::new(src),
        diagnostics: Vec::new(),
        dropped: Vec::new(),
        known: KnownMarkers::new(),
    };
    if bom {
        p.dropped.push(Dropped { line: 1, kind: DroppedKind::Bom, text: "\u{feff}".into() });
    }
    // Sized first: counting line ends is cheaper than growing the vector.
    let mut lines: Vec<(u32, &str)> = Vec::with_capacity(memchr::memchr_iter(b'\n', src.as_bytes()).count() + 1);
    lines.extend(super::lines(src).enumerate().map(|(i, l)| (i as u32 + 1, l.strip_suffix('\r').unwrap_or(l))));
    for (n, line) in lines.iter_mut() {
        // A block quote's `>`: conversions set quoted or indented passages so.
        while let Some(rest) = line.strip_prefix('>').filter(|r| r.is_empty() || r.starts_with(' ')) {
            p.markup(*n, ">");
            *line = rest.trim_start_matches(' ');
        }
    }
    let cleaned = cleaned_lines(&lines);
    for (k, line, removed) in &cleaned {
        p.markup(lines[*k].0, removed);
        lines[*k].1 = line;
    }
    let numbered = detached_numbers(&lines);
    for (number, text, joined) in &numbered {
        lines[*number].1 = joined;
        lines[*text].1 = "";
    }
    let mut note_syntax =
        NoteSyntax { star: lines.iter().any(|(_, l)| has_star_marker(l)), flattened: BTreeMap::new() };
    for &(n, l) in &lines {
        if let Some(body) = note_body_marker(l, n, &note_syntax) {
            p.known.insert(marker_value(body.marker));
        }
    }
    note_syntax.flattened = flattened_note_bodies(&lines, &p.known);
    p.known.extend(note_syntax.flattened.values().cloned());
    let raws = chunk(&lines, &note_syntax);
    let (header, body_start) = p.header(&raws);
    let mut body = BodyBuilder::default();
    let mut notes = Vec::new();
    let mut refs = RefLedger::default();
    for line in &header.lines {
        refs.count(&line.text);
    }
    for (i, raw) in raws.iter().enumerate().skip(body_start) {
        match raw.kind {
            RawKind::Artefact(kind) => {
                p.dropped.push(Dropped { line: raw.line(), kind, text: raw.first().trim().to_string() });
                body.page_break = true;
            }
            RawKind::Note => {
                let note = p.note(raw, notes.len() + 1, &note_syntax);
                refs.attach_body(&note, notes.len());
                notes.push(note);
                body.page_break = true;
            }
            RawKind::Table => {
                let table = p.table(raw);
                table.rows.iter().flatten().for_each(|cell| refs.count(cell));
                // A pipe table's rule alone is markup, not a table.
                if !table.rows.is_empty() {
                    body.push(Block::Table(table));
                }
            }
            RawKind::Hash(level) | RawKind::Setext(level) => {
                let hashes = if raw.kind == RawKind::Hash(level) { usize::from(level) } else { 0 };
                let section = p.heading(raw, hashes, true);
                refs.count(&section.heading);
                body.open_section(section, Some(level));
            }
            RawKind::Underline => p.markup(raw.line(), raw.first()),
            RawKind::Text => p.text_block(raw, &raws[i + 1..], &mut body, &mut refs),
        }
    }
    let mut expression = Expression {
        lang: lang.to_string(),
        source: path.to_string(),
        format: SourceFormat::Md,
        header,
        body: body.finish(),
        notes,
        dropped: Vec::new(),
    };
    split_inline_items(&mut expression.body);
    crate::model::eid::assign(&mut expression.body);
    p.resolve_refs(&mut expression, &refs);
    p.dropped.sort_by_key(|d| d.line);
    expression.dropped = p.dropped;
    if expression.body.is_empty() {
        p.diagnostics.push(Diagnostic::error(
            "empty-document",
            Location::new(path, 1, 1),
            "the file holds no paragraph, heading or table",
            "a language version needs at least one paragraph of text",
        ));
    }
    Parsed { expression, diagnostics: p.diagnostics }
}

struct Parser<'a> {
    path: &'a str,
    lang: &'a str,
    /// The words the source writes with a hyphen, which a line break does not undo.
    compounds: inline::Compounds<'a>,
    diagnostics: Vec<Diagnostic>,
    dropped: Vec<Dropped>,
    known: KnownMarkers,
}

/// The HTML a conversion writes that is not text, as byte ranges of `line`: tags of `<span>`
/// and `<a>` (page anchors such as `<span id="page-2-0"></span>`), comments (`<!-- page 3 -->`)
/// and images (`![](_page_0_Picture_0.jpeg)`). A comment may go on over lines: `comment` says
/// whether one is open as the line begins, and is set to whether one is as it ends.
/// `closed_later` says whether a later line closes a comment (`-->`): a `<!--` that nothing
/// closes is text.
fn html_markup(line: &str, comment: &mut bool, closed_later: &mut impl FnMut() -> bool) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let mut k = 0;
    if *comment {
        let close = line.find("-->");
        *comment = close.is_none();
        k = close.map_or(line.len(), |end| end + 3);
        found.push(0..k);
    }
    while let Some(at) = memchr::memchr2(b'<', b'!', &line.as_bytes()[k..]).map(|a| a + k) {
        let rest = &line[at..];
        let len = if rest.starts_with("<!--") {
            let end = rest.find("-->").map(|end| end + 3);
            *comment = end.is_none() && closed_later();
            end.or(comment.then_some(rest.len()))
        } else if rest.starts_with("![") {
            rest.find("](").and_then(|mid| rest[mid..].find(')').map(|close| mid + close + 1))
        } else {
            html_tag(rest, &["span", "a"], &[' ', '>']).map(|(len, ..)| len)
        };
        match len {
            Some(len) => {
                found.push(at..at + len);
                k = at + len;
            }
            None => k = at + 1,
        }
    }
    found
}

/// The lines that hold [`html_markup`], a list's bullet before a number ([`listed_number`]) or
/// an emphasised number ([`emphasised_number`]), each as its index, the line without them and
/// the markup removed. A line with nothing else becomes blank: a comment or an image between
/// paragraphs is not a page break, after which a paragraph may go on.
fn cleaned_lines(lines: &[(u32, &str)]) -> Vec<(usize, String, String)> {
    let mut cleaned = Vec::new();
    let mut comment = false;
    // The last line that closes a comment: a comment left open on line k is closed later when
    // it comes after k. Searched for from the end, once, when a comment is first left open.
    let last_close = std::cell::OnceCell::new();
    for (k, (_, line)) in lines.iter().enumerate() {
        let mut closed_later =
            || last_close.get_or_init(|| lines.iter().rposition(|(_, l)| l.contains("-->"))).is_some_and(|c| c > k);
        let ranges = html_markup(line, &mut comment, &mut closed_later);
        let mut removed = String::new();
        let mut kept = if ranges.is_empty() {
            Cow::Borrowed(*line)
        } else {
            let (mut kept, mut end) = (String::with_capacity(line.len()), 0);
            for r in ranges {
                kept.push_str(&line[end..r.start]);
                removed.push_str(&line[r.clone()]);
                end = r.end;
            }
            kept.push_str(&line[end..]);
            Cow::Owned(kept)
        };
        for rewrite in [listed_number, emphasised_number] {
            if let Some((rewritten, markup)) = rewrite(&kept) {
                removed.push_str(markup);
                kept = Cow::Owned(rewritten);
            }
        }
        if !removed.is_empty() {
            cleaned.push((k, kept.into_owned(), removed));
        }
    }
    cleaned
}

/// A paragraph or heading number after a list's bullet (`- 2. The Force…`, `• 12. …`): the line
/// from the number, and the bullet. Before other text, a dash is the text's own (`- Impidan…`),
/// and before an item letter the list's (` - a) …`), which items read.
fn listed_number(line: &str) -> Option<(String, &'static str)> {
    let text = line.trim_start();
    let bullet = ["-", "+", "•"].into_iter().find(|b| text.strip_prefix(b).is_some_and(|r| r.starts_with(' ')))?;
    let rest = text[bullet.len()..].trim_start();
    // Not a capital's: `- M. Aurélien Llorca (France)` lists a name.
    let numbered = lexical::paragraph_number(rest).is_some()
        || lexical::heading_number(rest).is_some_and(|(_, rank, ..)| rank != 2);
    numbered.then(|| (rest.to_string(), bullet))
}

/// A paragraph or heading number emphasised on its own (`**II.** **Title**`, `## *12.* Text`,
/// as conversions write a number the PDF set apart from its text): the line with the number's
/// emphasis removed (`II. **Title**`), and that emphasis, so the number numbers its block.
fn emphasised_number(line: &str) -> Option<(String, &'static str)> {
    let hashes = hash_level(line).map_or(0, usize::from);
    let (prefix, rest) = line.split_at(hashes + line[hashes..].len() - line[hashes..].trim_start().len());
    let stars = if rest.starts_with("**") { "**" } else { "*" };
    let inner = rest.strip_prefix(stars)?;
    let close = inner.find(stars).filter(|&k| k > 0 && k <= 12)?;
    let (number, after) = (&inner[..close], &inner[close + stars.len()..]);
    if number.contains(['*', ' ']) || !after.starts_with(' ') {
        return None;
    }
    let unemphasised = format!("{prefix}{number}{after}");
    starts_block(&unemphasised[prefix.len()..]).then(|| (unemphasised, if stars == "**" { "****" } else { "**" }))
}

/// Paragraph, heading and item numbers a conversion set on a line of their own (`15.`,
/// `١٥ -`, `II.`, `(a)`), each with the text line after it, at most a blank line away: the line indices of
/// both and the number joined to the text, which the parse reads in place of the number's
/// line, the text's left blank (so the text's diagnostics point at the number's line).
fn detached_numbers(lines: &[(u32, &str)]) -> Vec<(usize, usize, String)> {
    let mut found = Vec::new();
    for (k, (_, line)) in lines.iter().enumerate() {
        let number = line.trim();
        if number.is_empty() || number.len() > 12 || !number.ends_with(['.', '-', '–', '、', ')']) {
            continue;
        }
        // Not after text, and not a line an earlier number already took as its text.
        if (k > 0 && !lines[k - 1].1.trim().is_empty()) || found.last().is_some_and(|&(_, text, _)| text == k) {
            continue;
        }
        let Some(text) = (k + 1..lines.len().min(k + 3)).find(|&j| !lines[j].1.trim().is_empty()) else { continue };
        let next = lines[text].1.trim();
        if starts_block(next) || hash_level(next).is_some() || first_letter(next).is_none() {
            continue;
        }
        let joined = format!("{number} {next}");
        let alone = |start: usize| start == number.len() + 1;
        let is_number = lexical::paragraph_number(&joined).is_some_and(|(_, _, start)| alone(start))
            || lexical::heading_number(&joined).is_some_and(|(_, _, _, start)| alone(start))
            || lexical::item_letter(&joined).is_some_and(|(dash, _, _, start)| dash.is_empty() && alone(start));
        if is_number {
            found.push((k, text, joined));
        }
    }
    found
}

/// `text` with its HTML entities (`&amp;`, `&nbsp;`, `&#39;`, `&#x2019;`) replaced by their
/// characters, a character that would open markup escaped with `\` so it stays text; `None`
/// when it has none. Only the entities conversions write are known; others stay as written.
pub fn decode_entities(text: &str) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    for at in memchr::memchr_iter(b'&', text.as_bytes()) {
        if at < copied {
            continue;
        }
        let rest = &text[at + 1..];
        let Some(end) = rest.bytes().take(10).position(|b| b == b';') else { continue };
        let name = &rest[..end];
        let decoded = match name.strip_prefix('#') {
            Some(number) => match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => number.parse().ok(),
            }
            .and_then(char::from_u32)
            .filter(|c| *c != '\0'),
            None => named_entity(name),
        };
        let Some(c) = decoded else { continue };
        if out.is_empty() {
            out.reserve(text.len());
        }
        out.push_str(&text[copied..at]);
        if matches!(c, '<' | '>' | '*' | '[' | ']' | '\\' | '^' | '_' | '#' | '`') {
            out.push('\\');
        }
        out.push(c);
        copied = at + 1 + end + 1;
    }
    (copied > 0).then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "shy" => '\u{ad}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bull" => '•',
        "deg" => '°',
        "sect" => '§',
        "euro" => '€',
        "copy" => '©',
        _ => return None,
    })
}

/// Whether `line` is a row of a table: cells separated by tabs (a tab after the line's first
/// text, not only before it), or a pipe table's row.
fn is_table_row(line: &str) -> bool {
    memchr::memchr(b'\t', line.trim_start_matches([' ', '\t']).as_bytes()).is_some()
        || pipe_cells(line).is_some()
        || is_html_table_line(line)
}

/// The tags that make an HTML table, which conversions write on one line or a row per line.
const TABLE_TAGS: [&str; 6] = ["table", "thead", "tbody", "tr", "td", "th"];

/// The HTML tag `rest` opens with when its name is one of `names`, in any case and followed by
/// one of `after_name` (attributes, the tag's end): its length, its name and whether it closes.
fn html_tag<'n>(rest: &str, names: &[&'n str], after_name: &[char]) -> Option<(usize, &'n str, bool)> {
    let (closing, name) = match rest.strip_prefix("</") {
        Some(name) => (true, name),
        None => (false, rest.strip_prefix('<')?),
    };
    let tag =
        names.iter().copied().find(|t| inline::starts_with_ci(name, t) && name[t.len()..].starts_with(after_name))?;
    Some((rest.find('>')? + 1, tag, closing))
}

/// The length of the table tag `rest` opens with (`<td>`, `</tr>`, `<td colspan="2">`), and
/// what it does to the rows.
fn table_tag(rest: &str) -> Option<(usize, TableTag)> {
    let (len, tag, closing) = html_tag(rest, &TABLE_TAGS, &[' ', '>', '/'])?;
    let kind = match tag {
        "td" | "th" if !closing => TableTag::OpensCell,
        "tr" => TableTag::Row,
        // A closing `</td>` ends its cell as any table tag does.
        _ => TableTag::Other,
    };
    Some((len, kind))
}

#[derive(Clone, Copy)]
enum TableTag {
    OpensCell,
    Row,
    Other,
}

/// Whether `line` opens with an HTML table's tag.
fn is_html_table_line(line: &str) -> bool {
    table_tag(line.trim_start()).is_some()
}

/// The rows of an HTML table's line, each the byte ranges of its cells, and the table's tags in
/// it, which are markup. A row ends at `<tr>` or `</tr>`; a cell at `</td>` or the next cell.
fn html_rows(line: &str) -> (Vec<Vec<std::ops::Range<usize>>>, String) {
    let (mut rows, mut row, mut markup) = (Vec::new(), Vec::new(), String::new());
    let mut cell: Option<usize> = None;
    // Where the last table tag ended, and where the search for the next goes on.
    let (mut tag_end, mut k) = (0, 0);
    while let Some(at) = memchr::memchr(b'<', &line.as_bytes()[k..]).map(|a| a + k) {
        let Some((len, tag)) = table_tag(&line[at..]) else {
            k = at + 1;
            continue;
        };
        if let Some(start) = cell.take() {
            row.push(start..at);
        } else {
            markup.push_str(&line[tag_end..at]);
        }
        markup.push_str(&line[at..at + len]);
        match tag {
            TableTag::OpensCell => cell = Some(at + len),
            TableTag::Row if !row.is_empty() => rows.push(std::mem::take(&mut row)),
            _ => {}
        }
        (tag_end, k) = (at + len, at + len);
    }
    match cell {
        Some(start) => row.push(start..line.len()),
        None => markup.push_str(&line[tag_end..]),
    }
    if !row.is_empty() {
        rows.push(row);
    }
    (rows, markup)
}

/// The cells of a row of a Markdown pipe table (`| Région | 2013 |`), between its outer pipes:
/// a line that opens and closes with a pipe and has one inside.
fn pipe_cells(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    inner.contains('|').then_some(inner)
}

/// Whether a line uses `*` as a footnote marker (`provisoire*`), as opposed to emphasis.
fn has_star_marker(line: &str) -> bool {
    let line = line.trim_end();
    line.len() > 1
        && line.ends_with('*')
        && !line.ends_with("**")
        && line[..line.len() - 1].chars().last().is_some_and(|c| c.is_alphanumeric() || c == '.')
        && line.matches('*').count() % 2 == 1
}

/// The syntaxes a footnote marker's value is written in, opening and closing: `^{2}`,
/// `<sup>2</sup>`, Markdown's `[^2]`, Pandoc's `^2^` (after `^{`, which it would also match).
const MARKER_SYNTAXES: [(&str, &str); 4] = [("^{", "}"), ("<sup>", "</sup>"), ("[^", "]"), ("^", "^")];

/// The marker that opens a footnote body line.
struct NoteBodyMarker<'a> {
    /// The marker as the model keeps it: as written (`¹`), or the value inside its syntax.
    marker: &'a str,
    /// The syntax around the value (`^{` and `}`, `<sup>` and `</sup>`, `[^` and `]:`), as
    /// written: markup, dropped.
    syntax: String,
    /// Where the note's text starts.
    start: usize,
}

/// How a document writes its note bodies, beyond the superscripts and their syntaxes.
struct NoteSyntax {
    /// `*` marks a note (`provisoire*`, then `* Le présent…`).
    star: bool,
    /// Note bodies whose superscript a conversion flattened to a plain number, by line
    /// number, with their marker's value (see [`flattened_note_bodies`]).
    flattened: BTreeMap<u32, String>,
}

/// The marker of footnote body line `number`: `¹ Voir…`, `^{2} See…`, `<sup>3</sup> See…`,
/// `[^4]: See…` (Markdown's footnote definition), `* [A/69/1](#).`, and `1 See…` where the
/// superscript was flattened.
fn note_body_marker<'l>(line: &'l str, number: u32, syntax: &NoteSyntax) -> Option<NoteBodyMarker<'l>> {
    if syntax.flattened.contains_key(&number) {
        let end = line.find(|c: char| !c.is_ascii_digit())?;
        let sep = line[end..].chars().next()?;
        return Some(NoteBodyMarker { marker: &line[..end], syntax: String::new(), start: end + sep.len_utf8() });
    }
    let end: usize = line.chars().take_while(|c| inline::superscript_value(*c).is_some()).map(char::len_utf8).sum();
    if end > 0 {
        // The separator may be a no-break space, two bytes long.
        let sep = line[end..].chars().next().filter(|c| matches!(c, ' ' | '\t' | '\u{a0}'))?;
        let start = end + sep.len_utf8();
        return Some(NoteBodyMarker { marker: &line[..end], syntax: String::new(), start });
    }
    // A value inside its syntax; the superscripts need a space after, Markdown's label a colon.
    for (open, close) in MARKER_SYNTAXES {
        let markdown = open == "[^";
        let close: &str = if markdown { "]:" } else { close };
        if !line.get(..open.len()).is_some_and(|head| head.eq_ignore_ascii_case(open)) {
            continue;
        }
        let rest = &line[open.len()..];
        let len = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
        let value = &rest[..len];
        // A superscript carries a number; a Markdown label may be a word (`[^note]:`).
        let value_fits = !value.is_empty() && (markdown || value.bytes().all(|b| b.is_ascii_digit()));
        let closing = rest[len..].get(..close.len()).filter(|c| c.eq_ignore_ascii_case(close))?;
        let text_at = open.len() + len + close.len();
        let spaced = line[text_at..].starts_with(' ');
        if !value_fits || !(spaced || markdown) {
            return None;
        }
        let syntax = [&line[..open.len()], closing].concat();
        return Some(NoteBodyMarker { marker: value, syntax, start: text_at + usize::from(spaced) });
    }
    if syntax.star && line.starts_with("* ") && line.len() > 2 {
        return Some(NoteBodyMarker { marker: "*", syntax: String::new(), start: 2 });
    }
    None
}

/// Note bodies whose superscript marker a conversion flattened to a plain number (`1 See
/// A/69/738.` at the foot of a page), by line number with the marker's value: for each value
/// the text cites as a superscript (`¹`, `^{1}`, `<sup>1</sup>`) with no body of its own, the
/// first line after the citation that opens with that number and a space. A numbered
/// paragraph has its point (`1.`), which rules it out.
fn flattened_note_bodies(lines: &[(u32, &str)], known: &KnownMarkers) -> BTreeMap<u32, String> {
    let mut cited: BTreeMap<String, usize> = BTreeMap::new();
    for (at, &(_, line)) in lines.iter().enumerate() {
        for value in cited_markers(line) {
            if !known.contains(&value) {
                cited.entry(value).or_insert(at);
            }
        }
    }
    if cited.is_empty() {
        return BTreeMap::new();
    }
    // The lines that open with a number then a space and text, by number, in order: one pass
    // over the lines, however many values are cited.
    let mut opening: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (at, &(_, line)) in lines.iter().enumerate() {
        let digits = line.find(|c: char| !c.is_ascii_digit()).unwrap_or(line.len());
        let text = line[digits..].strip_prefix([' ', '\t', '\u{a0}']);
        // Arabic versions number their paragraphs `1 - …`; a note's text opens as a sentence
        // does, where a count goes on in lower case (`2 hélicoptères militaires…`).
        let text = text.filter(|t| !t.starts_with(['-', '–', '—']));
        if digits > 0 && text.is_some_and(|t| t.starts_with(|c: char| !c.is_whitespace() && !c.is_lowercase())) {
            opening.entry(&line[..digits]).or_default().push(at);
        }
    }
    let mut bodies = BTreeMap::new();
    for (value, first) in cited {
        let after = opening.get(value.as_str()).and_then(|ats| ats.get(ats.partition_point(|&at| at <= first)));
        if let Some(&at) = after {
            bodies.entry(lines[at].0).or_insert(value);
        }
    }
    bodies
}

/// The values of the footnote markers `line` cites after a word: runs of superscript digits
/// (`heures¹`) and digits in a superscript syntax (`heures^{1}`, `heures<sup>1</sup>`).
fn cited_markers(line: &str) -> Vec<String> {
    // The superscript digits are two or three bytes from 0xC2 or 0xE2, `^` and `<` ASCII: most
    // lines hold none of them.
    if !line.bytes().any(|b| matches!(b, 0xC2 | 0xE2 | b'^' | b'<')) {
        return Vec::new();
    }
    let mut values = Vec::new();
    let mut after_word = false;
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if after_word
            && inline::superscript_value(c).is_some()
            && !inline::is_unit_before(&line[..line.len() - rest.len()])
        {
            let run: String = rest.chars().map_while(inline::superscript_value).collect();
            rest = &rest[rest.chars().take(run.len()).map(char::len_utf8).sum::<usize>()..];
            values.push(run);
            continue;
        }
        // The superscript syntaxes, the first two of the marker syntaxes.
        if after_word && let Some((open, close)) = MARKER_SYNTAXES[..2].iter().find(|(o, _)| rest.starts_with(o)) {
            let inner = &rest[open.len()..];
            let len = inner.find(|c: char| !c.is_ascii_digit()).unwrap_or(inner.len());
            if len > 0 && inner[len..].starts_with(close) {
                values.push(inner[..len].to_string());
                rest = &inner[len + close.len()..];
                continue;
            }
        }
        after_word = c.is_alphanumeric() || matches!(c, '.' | ',' | ';' | ':' | ')' | '"' | '”' | '»');
        rest = &rest[c.len_utf8()..];
    }
    values
}

fn is_header_field_line(line: &str) -> bool {
    let t = line.trim();
    // Header fields are short lines; most lines are paragraphs and stop here.
    if t.len() > 60 {
        return false;
    }
    t.starts_with("Distr")
        || original_value(t).is_some()
        || lang::parse_date(t).is_some()
        || lang::code_for_name(t).is_some()
}

/// `Original : anglais`, `Original: English`, `Оригинал: английский`, `原文：英文`.
fn original_value(line: &str) -> Option<Vec<&'static str>> {
    let (label, value) = line.split_once([':', '：'])?;
    // Some headers print the label in capitals (`ORIGINAL: ENGLISH`).
    let label = label.trim().to_lowercase();
    if !matches!(label.as_str(), "original" | "оригинал" | "原文" | "الأصل" | "idioma original") {
        return None;
    }
    Some(original_languages(value))
}

/// The languages an `Original:` value names, in its order; none unless every part names
/// one. A text drafted in several languages lists them all: `English/French`, `anglais et
/// français`, `английский/французский`, `英文/法文`.
fn original_languages(value: &str) -> Vec<&'static str> {
    let one = |name: &str| {
        let name = name.strip_prefix("بال").map(|v| format!("ال{v}")).unwrap_or_else(|| name.to_string());
        lang::code_for_name(&name)
    };
    let mut parts = Vec::new();
    for part in value.split(['/', ',', '、', '،']) {
        for name in part.split([' ', '\u{a0}']).filter(|w| !matches!(*w, "" | "and" | "et" | "y" | "и" | "و")) {
            match one(name) {
                Some(code) if !parts.contains(&code) => parts.push(code),
                Some(_) => {}
                None => return Vec::new(),
            }
        }
    }
    parts
}

/// Groups lines into raw blocks: blank lines separate them, and inside a run of lines a
/// new block starts at every numbered line, list item, heading, note body or artefact.
fn chunk<'a>(lines: &'a [(u32, &'a str)], note_syntax: &NoteSyntax) -> Vec<Raw<'a>> {
    let mut raws: Vec<Raw<'a>> = Vec::new();
    let mut in_run = false;
    // Whether a line of the last block may hold markup the next line closes: kept as the
    // block grows, so each line is looked at once.
    let mut markup_in_last = false;
    let furniture = furniture::page_furniture(lines.iter().map(|l| l.1));
    let wrapped_at = wrap_widths(lines);
    for (at, &(_, line)) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            in_run = false;
            continue;
        }
        let kind = if let Some(h) = hash_level(line) {
            RawKind::Hash(h)
        } else if in_run && raws.last().is_some_and(|r| matches!(r.kind, RawKind::Setext(_))) {
            RawKind::Underline
        } else if lexical::is_stray(line) {
            RawKind::Artefact(DroppedKind::Stray)
        } else if furniture[at] {
            RawKind::Artefact(DroppedKind::PageArtefact)
        } else if let Some(level) = setext_level(lines, at) {
            RawKind::Setext(level)
        } else if note_body_marker(line, lines[at].0, note_syntax).is_some() {
            RawKind::Note
        } else if is_table_row(line)
            || (in_run && line.starts_with('\t') && raws.last().is_some_and(|r| r.kind == RawKind::Table))
        {
            // A line indented with a tab is a row only in a table, as a row whose first cell
            // is empty: elsewhere the tab is an indent.
            RawKind::Table
        } else {
            RawKind::Text
        };
        let last = raws.last_mut();
        let continues = in_run
            && match (kind, last.as_ref().map(|r| r.kind)) {
                (RawKind::Table, Some(RawKind::Table)) => true,
                (RawKind::Text, Some(previous @ (RawKind::Text | RawKind::Note))) => {
                    // In a run the conversion did not wrap, a note body goes on to the next
                    // line only from inside a sentence: after a full stop, that line is the
                    // page's next paragraph or the one the note's page break cut. Emphasis
                    // left open (a title set in bold over several lines) holds the next line
                    // in the block: it cannot span two paragraphs.
                    let goes_on = |r: &Raw| {
                        r.lines.last().is_some_and(|&(_, end)| match wrapped_at[at] {
                            // A lower-case line after a note that ends a sentence is the
                            // paragraph the note's page break cut, not more of the note.
                            Some(width) => {
                                let note_ended = previous == RawKind::Note
                                    && ends_with_stop(end.trim_end(), SENTENCE_END)
                                    && starts_lowercase(line);
                                !note_ended && !ends_paragraph(r.lines, line, width)
                            }
                            None if previous == RawKind::Note => !ends_with_stop(end.trim_end(), SENTENCE_END),
                            None => r.lines.len() < TITLE_LINES && emphasis_open(r.lines),
                        })
                    };
                    !starts_block(line)
                        && !is_header_field_line(line)
                        && last.as_ref().is_some_and(|r| !is_header_field_line(r.first()) && goes_on(r))
                }
                _ => false,
            };
        let soft = continues
            && kind == RawKind::Text
            && !markup_in_last
            && last.as_ref().is_some_and(|r| r.kind == RawKind::Text && may_end_paragraph(r.lines, line));
        match last {
            // A run has no blank line, so its lines are consecutive.
            Some(raw) if continues && !soft => {
                raw.lines = &lines[at - raw.lines.len()..=at];
                markup_in_last |= may_open_markup(line);
            }
            _ => {
                raws.push(Raw { kind, lines: &lines[at..=at], soft });
                markup_in_last = may_open_markup(line);
            }
        }
        in_run = true;
    }
    raws
}

/// The longest line a conversion wraps at, weighted: wrapped lines are 60 to 100 characters.
const LONGEST_WRAP: usize = 120;

/// Per line in a run of lines without a blank one between them, the width the conversion
/// wrapped the run at (its longest line), or `None` when it did not wrap it: a line, the last
/// one too, is longer than any wrap. Such a run holds a paragraph per line, the blank
/// lines between them lost; each line is a block of its own, and a line that goes on with
/// the sentence before it is joined to it as a paragraph a page cut would be. A conversion
/// that left a tenth of the document's lines of text (two at least) longer than any wrap
/// wrapped none: there, two short lines without a blank one between them (a heading over its
/// paragraph, the last line before a page break) are two blocks, however alike their lengths.
fn wrap_widths(lines: &[(u32, &str)]) -> Vec<Option<usize>> {
    let mut widths = vec![None; lines.len()];
    let text = lines.iter().filter(|(_, l)| !l.trim().is_empty() && hash_level(l).is_none() && !is_table_row(l));
    let (mut count, mut long) = (0, 0);
    for (_, line) in text {
        count += 1;
        long += usize::from(weighted_at_least(line.trim_end(), LONGEST_WRAP + 1));
    }
    if long >= 2 && long * 10 >= count {
        return widths;
    }
    let mut start = 0;
    while start < lines.len() {
        let end = (start..lines.len()).find(|&k| lines[k].1.trim().is_empty()).unwrap_or(lines.len());
        if end > start + 1 {
            let lengths: Vec<usize> = lines[start..end].iter().map(|(_, l)| weighted_len(l.trim_end())).collect();
            if lengths.iter().all(|&n| n <= LONGEST_WRAP) {
                widths[start..end].fill(lengths.iter().max().copied());
            }
        }
        start = end + 1;
    }
    widths
}

/// Whether a block of `lines` of a run wrapped at `width` ends its paragraph at its last line,
/// `next` opening another, when the conversion left no blank line between them. `next` opens
/// with a capital (or in a script without case), and either the last line ends a sentence well
/// short of the width, which a wrapped line does not, or short of it with room for `next`'s
/// first word, or it had room for that word (a heading, a clause before a colon) and does not
/// end on a comma or a hyphen.
fn ends_paragraph(lines: &[(u32, &str)], next: &str, width: usize) -> bool {
    let Some(&(_, last)) = lines.last() else { return false };
    let last = last.trim_end();
    let len = weighted_len(last);
    let room = len + 1 + first_word_len(next) <= width;
    // Lines set in a proportional font vary in length: a line under 80 % of the width with
    // room left for the next word was ended on purpose (under 90 % when it ends a sentence),
    // and so was a heading's last line (`F. Examen de …`) that ends without punctuation. A
    // paragraph cut in two at worst stays whole in its row, where two run together mix rows.
    let heading = lines.len() <= 2
        && lexical::heading_number(strip_emphasis(lines[0].1)).is_some()
        && !ends_with_stop(last, TERMINAL);
    opens_uncased_or_capital(next)
        && ((ends_with_stop(last, SENTENCE_END) && (len * 10 < width * 7 || (room && len * 10 < width * 9)))
            || (room && (len * 5 < width * 4 || heading) && !last.ends_with([',', '-', '،', '，'])))
}

/// Whether a wrapped block of `lines` may end before `next`, the blank line between them lost:
/// its last line ends a sentence and `next` opens with a capital (or in a script without
/// case). The caller also checks that no line of the block may hold markup that `next` might
/// close (see [`may_open_markup`]).
fn may_end_paragraph(lines: &[(u32, &str)], next: &str) -> bool {
    lines.last().is_some_and(|(_, last)| ends_with_stop(last.trim_end(), SENTENCE_END))
        && opens_uncased_or_capital(next)
}

/// The most lines a title set in emphasis runs over.
const TITLE_LINES: usize = 6;

/// Whether `lines` end inside `*` emphasis: the last run of `*` that opens or closes one
/// opens it, before a word and after a space or the line's start (`**Conférence des
/// Parties à`). A run after a word and before a space or the end closes it, as a note's
/// star does (`Diawara (Guinée)**`), which opens nothing.
fn emphasis_open(lines: &[(u32, &str)]) -> bool {
    let mut open = false;
    for (_, line) in lines {
        let bytes = line.as_bytes();
        let mut k = 0;
        while k < bytes.len() {
            if bytes[k] != b'*' {
                k += 1;
                continue;
            }
            let start = k;
            while bytes.get(k) == Some(&b'*') {
                k += 1;
            }
            let space_before = start == 0 || bytes[start - 1].is_ascii_whitespace();
            let space_after = bytes.get(k).is_none_or(u8::is_ascii_whitespace);
            match (space_before, space_after) {
                (true, false) => open = true,
                (false, true) => open = false,
                _ => {}
            }
        }
    }
    open
}

/// Whether a line may hold markup that a later line closes: an odd number of `*`, a tag, a
/// link.
fn may_open_markup(line: &str) -> bool {
    line.bytes().filter(|&b| b == b'*').count() % 2 == 1 || line.contains(['<', '['])
}

/// Weighted length of the first word of `line`: up to a space, or one CJK character.
fn first_word_len(line: &str) -> usize {
    let mut chars = line.trim_start().chars();
    match chars.next() {
        None => 0,
        Some(c) if lang::is_wide(c) => weight(c),
        Some(_) => 1 + chars.take_while(|c| !c.is_whitespace() && !lang::is_wide(*c)).count(),
    }
}

/// The level of the setext heading `lines[at]` is: a line of its own after a blank line (or
/// the file's start), not a page's furniture, right over a rule of `=` (level 1) or `-`.
fn setext_level(lines: &[(u32, &str)], at: usize) -> Option<u8> {
    let rule = lines.get(at + 1)?.1.trim();
    let level = match rule.as_bytes() {
        [b'=', rest @ ..] if !rest.is_empty() && rest.iter().all(|&b| b == b'=') => 1,
        [b'-', rest @ ..] if !rest.is_empty() && rest.iter().all(|&b| b == b'-') => 2,
        _ => return None,
    };
    let line = lines[at].1.trim();
    let alone = at == 0 || lines[at - 1].1.trim().is_empty();
    let heading_like = weighted_len(line) <= 300 && !is_table_row(line);
    (alone && heading_like).then_some(level)
}

fn hash_level(line: &str) -> Option<u8> {
    let hashes = line.bytes().take_while(|b| *b == b'#').count();
    ((1..=6).contains(&hashes) && line[hashes..].starts_with(' ')).then_some(hashes as u8)
}

fn starts_block(line: &str) -> bool {
    let bare = strip_emphasis(line);
    lexical::paragraph_number(bare).is_some()
        || lexical::item_letter(bare).is_some()
        || lexical::heading_number(bare).is_some()
}

/// Leading `**` / `*` (or `__` / `_`) before a number (`**III. Résumé…**`).
fn strip_emphasis(line: &str) -> &str {
    let t = line.trim_start();
    t.strip_prefix("**").or_else(|| t.strip_prefix("__")).or_else(|| t.strip_prefix(['*', '_'])).unwrap_or(t)
}

const TERMINAL: &[char] = &['.', ';', ':', '!', '?', '。', '；', '：', '！', '？', '؟', '…', '؛'];
const CLOSERS: &[char] = &['*', ')', '»', '"', '”', '’', '\'', ']', '）', '」', '》', ' ', '\u{a0}'];

/// The stops that end a sentence for good: not `;` or `:`, after which a list goes on.
const SENTENCE_END: &[char] = &['.', '!', '?', '。', '！', '？', '؟', '…'];

fn ends_sentence(text: &str) -> bool {
    ends_with_stop(text, TERMINAL)
}

/// Whether `text` ends with one of `stops`, closing brackets and quotes aside.
fn ends_with_stop(text: &str, stops: &[char]) -> bool {
    text.trim_end_matches(CLOSERS).ends_with(stops)
}

/// Length with CJK characters counted double, so limits hold across scripts.
fn weighted_len(text: &str) -> usize {
    text.chars().map(weight).sum()
}

fn weight(c: char) -> usize {
    if lang::is_wide(c) { 2 } else { 1 }
}

/// `weighted_len(text) >= min`, reading only as far as needed: `text` may be a whole paragraph.
fn weighted_at_least(text: &str, min: usize) -> bool {
    let mut len = 0;
    min == 0
        || text.chars().any(|c| {
            len += weight(c);
            len >= min
        })
}

fn first_letter(text: &str) -> Option<char> {
    text.chars().find(|c| c.is_alphanumeric())
}

fn starts_lowercase(text: &str) -> bool {
    first_letter(text).is_some_and(char::is_lowercase)
}

/// Whether `text` opens with a capital, a digit or a letter of a script without case, as a
/// new paragraph may.
fn opens_uncased_or_capital(text: &str) -> bool {
    first_letter(text).is_some_and(|c| !c.is_lowercase())
}

/// Longest unnumbered heading; numbered ones (agenda items) run longer.
const SHORT_HEADING: usize = 160;
const NUMBERED_HEADING: usize = 250;

/// Heading by shape: short, a single statement without final punctuation, not a
/// lowercase continuation.
fn heading_shape(raw: &Raw, text: &str, max_len: usize) -> bool {
    let plain = without_note_marker(text.trim()).trim_matches('*').trim();
    // The weighted length is at most the byte length and at least a third of it.
    raw.lines.len() <= 3
        && !plain.is_empty()
        && !ends_sentence(plain)
        && plain.len() <= 3 * max_len
        && weighted_len(plain) <= max_len
        && !plain.ends_with(',')
        && !starts_lowercase(plain)
}

/// Where the paragraph opens in the text of a numbered heading a conversion ran into it (`I.
/// A/69/733 La estructura … funcional.`, `II. A/69/L.52 La Asamblea General,`): a heading ends
/// neither a sentence nor a clause, unless it is `long` past any heading's length, and in a
/// script with case the first word that opens paragraphs shows the seam (see
/// [`lang::heading_seams`]; a capital alone may be a name in the heading). The heading is the
/// shorter part: a longer one is a heading's own words (`… учреждениях, Нью-Йорк,`).
fn run_in_seam(heading: &str, lang: &str, long: bool) -> Option<usize> {
    let end = without_note_marker(heading.trim_end());
    if !long && !ends_sentence(end) && !ends_with_stop(end, &[',', '،', '，']) {
        return None;
    }
    let at = lang::heading_seams(heading, lang)?.find(|seam| seam.opens)?.at;
    (weighted_len(&heading[..at]) < weighted_len(&heading[at..])).then_some(at)
}

/// The paragraph a numbered heading ran into (see [`run_in_seam`]), taken off its heading;
/// not inside a mark (a link, emphasis), which would have to be in both.
fn run_in_paragraph(section: &mut Section, line: u32, lang: &str, long: bool) -> Option<Paragraph> {
    let at = run_in_seam(&section.heading.text, lang, long)?;
    let heading = &section.heading.text;
    let cut = heading[..at].trim_end().len();
    if section.heading.marks.iter().any(|m| m.start < at && m.end > cut) {
        return None;
    }
    let (head, tail) = section.heading.split(cut, at);
    section.heading = head;
    section.continued = is_continued(&section.heading.text);
    Some(Paragraph::from_line(None, tail, line))
}

/// Whether a sentence ends inside `text` and another opens after it: a full stop after a word
/// of five letters or more that does not end in a capital (not `No.`, `Prof.`, `4.`, `UNDP.`),
/// then white space and a capital or a letter without case; a Chinese full stop before more
/// text. An unnumbered heading holds no sentence: such a line is a paragraph a conversion ran
/// a heading into (`… al Primer Vicepresidente. Tercer Vicepresidente`).
fn ends_a_sentence_inside(text: &str) -> bool {
    let text = text.trim_end();
    text.match_indices(['.', '。']).any(|(at, stop)| {
        let rest = &text[at + stop.len()..];
        let after = rest.trim_start();
        let opens = after.chars().next().is_some_and(|c| c.is_alphabetic() && !c.is_lowercase());
        let word = text[..at].rsplit(char::is_whitespace).next().unwrap_or("");
        let full_word = word.chars().count() >= 5
            && word.chars().all(char::is_alphabetic)
            && word.chars().next_back().is_some_and(|c| !c.is_uppercase());
        opens && (stop == "。" || (full_word && after.len() < rest.len()))
    })
}

/// `text` less the footnote marker it ends with (`.²`, `.^{2}`, `.<sup>2</sup>`, `.[^2]`), which
/// follows the full stop that ends a paragraph.
fn without_note_marker(text: &str) -> &str {
    let text = text.trim_end_matches(|c| inline::superscript_value(c).is_some());
    let cut = |(open, close): (&str, &str)| text.strip_suffix(close).and_then(|t| t.rfind(open)).map(|at| &text[..at]);
    MARKER_SYNTAXES.into_iter().find_map(cut).unwrap_or(text)
}

/// The next text block after `rest`'s artefacts and note bodies, and whether a page break
/// (an artefact or a note body) lies before it.
fn next_text<'r, 'a>(rest: &'r [Raw<'a>]) -> Option<(&'r Raw<'a>, bool)> {
    let mut page_break = false;
    for (k, raw) in rest.iter().enumerate() {
        let breaks = |raw: &Raw| matches!(raw.kind, RawKind::Artefact(_) | RawKind::Note);
        match raw.kind {
            _ if breaks(raw) => page_break = true,
            // The footer's date of issue, beside the page break's furniture.
            RawKind::Text if is_date_line(raw) && (page_break || rest.get(k + 1).is_some_and(breaks)) => {
                page_break = true
            }
            RawKind::Text => return Some((raw, page_break)),
            _ => return None,
        }
    }
    None
}

/// A block that is a date alone on its line.
fn is_date_line(raw: &Raw) -> bool {
    raw.lines.len() == 1 && lang::parse_date(raw.first().trim()).is_some()
}

/// Whether `next` continues a paragraph that ends with `prev`: a paragraph cut at a page
/// break resumes without a capital, or (in caseless scripts, or after a page break) without
/// final punctuation before it.
fn continues(prev: &str, prev_numbered: bool, next: &Raw, page_break: bool, lang: &str) -> bool {
    let next_line = next.first();
    if ends_sentence(prev) || starts_block(next_line) || is_header_field_line(next_line) {
        return false;
    }
    // A block that opens with a comma or a closing bracket lost its head (a title the
    // conversion dropped): a paragraph of its own unless a page break cut one.
    if next_line.trim_start().starts_with([',', ')', '،']) {
        return page_break;
    }
    // Preambular clauses of resolutions open with a participle (`Recognizing`, `отмечая`,
    // `وإذ`) and end with a comma when unnumbered; in Russian, operative ones open with a
    // verb in lower case (`постановляет`). After a comma, a clause that opens without a
    // lower-case letter is a new paragraph even across a page break; in lower case it may be
    // the sentence's next phrase (`..., affecting`), which the page cut.
    // A line that stops on an article, a preposition or a conjunction, or inside brackets,
    // goes on after the page break, whatever the case of what follows (a name).
    if page_break && lang::dangles(&prev.to_lowercase(), lang) {
        return true;
    }
    let comma = prev.trim_end().ends_with([',', '،', '，']);
    let lower = starts_lowercase(next_line);
    if comma && !lower && opens_clause(next_line) {
        return false;
    }
    if lower {
        // Lists of names open with `гн`, often after a title: new paragraphs, unless a page
        // break cut one.
        let clause = opens_clause(next_line) || (!prev_numbered && comma);
        return page_break || (weighted_at_least(prev, 60) && !clause);
    }
    let caseless_start = first_letter(next_line).is_none_or(|c| !c.is_uppercase());
    let long_enough = weighted_at_least(prev, if lang::is_caseless(lang) && caseless_start { 12 } else { 60 });
    page_break && long_enough
}

/// Whether a line opens a clause of a resolution: with a participle (preambular), or with a
/// Russian verb in the third person (operative: `постановляет`, `просит`), either possibly
/// after an adverb (`вновь подтверждает`, `настоятельно призывает`).
fn opens_clause(line: &str) -> bool {
    const ADVERBS: [&str; 9] =
        ["вновь", "особо", "настоятельно", "также", "далее", "решительно", "твердо", "высоко", "искренне"];
    let mut words = line.split_whitespace().map(|w| w.trim_end_matches(|c: char| !c.is_alphabetic()).to_lowercase());
    let opens = |word: &str| {
        let long = word.chars().count() > 4;
        let participle = ["ing", "ant", "ando", "endo", "я", "ясь"].iter().any(|end| word.ends_with(end));
        // Nouns do not end so; `-ет` and `-ит` alone would take in `комитет` and `кредит`.
        let verb = ["ает", "яет", "ует", "еет", "ется", "ится"].iter().any(|end| word.ends_with(end));
        (long && (participle || verb)) || word == "просит"
    };
    match words.next() {
        // Arabic's preambular clauses open with "and whereas".
        Some(first) if matches!(first.as_str(), "وإذ" | "إذ") => true,
        Some(first) if ADVERBS.contains(&first.as_str()) => words.next().is_some_and(|w| opens(&w)),
        Some(first) => opens(&first),
        None => false,
    }
}

/// Footnote references in document order, and which note body each one gets: a body
/// attaches to the latest earlier reference with its marker that has no body yet.
#[derive(Default)]
struct RefLedger {
    /// Marker value of each reference, in document order.
    refs: Vec<String>,
    /// Note index attached to each reference.
    attached: Vec<Option<usize>>,
    /// The references with no body yet, by marker value, in document order: a body takes the
    /// last one without a search through them all (a document may cite thousands).
    waiting: BTreeMap<String, Vec<usize>>,
}

impl RefLedger {
    fn count(&mut self, text: &Text) {
        for m in &text.marks {
            if let MarkKind::NoteRef { marker, .. } = &m.kind {
                let value = marker_value(marker);
                self.waiting.entry(value.clone()).or_default().push(self.refs.len());
                self.refs.push(value);
                self.attached.push(None);
            }
        }
    }

    fn attach_body(&mut self, note: &Note, index: usize) {
        if let Some(r) = self.waiting.get_mut(&marker_value(&note.marker)).and_then(Vec::pop) {
            self.attached[r] = Some(index);
        }
    }
}

fn marker_value(marker: &str) -> String {
    marker.chars().map(|c| inline::superscript_value(c).unwrap_or(c)).collect()
}

/// The open sections of the body and where the next block goes.
#[derive(Default)]
struct BodyBuilder {
    root: Vec<Block>,
    stack: Vec<OpenSection>,
    /// A page artefact or note body was seen since the last text block.
    page_break: bool,
}

struct OpenSection {
    section: Section,
    /// Twice the numbering rank: Annex 0, Roman 2, capital letter 4, arabic 6, letter 8;
    /// unnumbered headings sit one below their parent (odd).
    rank: u8,
    numbered: bool,
    hashes: Option<u8>,
}

impl BodyBuilder {
    fn children_ref(&self) -> &[Block] {
        match self.stack.last() {
            Some(open) => &open.section.children,
            None => &self.root,
        }
    }

    fn children(&mut self) -> &mut Vec<Block> {
        match self.stack.last_mut() {
            Some(open) => &mut open.section.children,
            None => &mut self.root,
        }
    }

    fn push(&mut self, block: Block) {
        self.children().push(block);
        self.page_break = false;
    }

    fn last_paragraph(&mut self) -> Option<&mut Paragraph> {
        match self.children().last_mut() {
            Some(Block::Paragraph(p)) => Some(p),
            _ => None,
        }
    }

    /// Capital-letter headings run A, B, C… under their parent: a `M.` that does not follow
    /// an `L.` is French for Mister, not a heading.
    fn letter_fits(&self, value: u32) -> bool {
        match self.stack.iter().rev().find(|o| o.rank <= 4) {
            Some(open) if open.rank == 4 => {
                open.section.num.as_deref().and_then(lexical::heading_value).is_some_and(|(_, v)| v + 1 == value)
            }
            _ => value == 1,
        }
    }

    fn close_top(&mut self) {
        if let Some(open) = self.stack.pop() {
            self.children().push(Block::Section(open.section));
        }
    }

    /// Opens a section, closing those it does not belong to: numbered headings close
    /// everything of the same or a lower rank; an unnumbered heading is the sibling of an
    /// unnumbered heading of the same `#` depth and the child of anything else.
    fn open_section(&mut self, section: Section, hashes: Option<u8>) {
        let rank = section_rank(&section);
        match rank {
            Some(rank) => {
                while self.stack.last().is_some_and(|top| top.rank >= rank) {
                    self.close_top();
                }
                self.stack.push(OpenSection { section, rank, numbered: true, hashes });
            }
            None => {
                if let Some(top) = self.stack.last()
                    && !top.numbered
                    && (top.hashes == hashes || top.hashes.zip(hashes).is_none_or(|(t, h)| t >= h))
                {
                    self.close_top();
                }
                let rank = self.stack.last().map_or(1, |top| top.rank + 1);
                self.stack.push(OpenSection { section, rank, numbered: false, hashes });
            }
        }
        let depth = self.stack.len() as u8;
        if let Some(top) = self.stack.last_mut() {
            top.section.level = depth;
        }
        self.page_break = false;
    }

    fn finish(mut self) -> Vec<Block> {
        while !self.stack.is_empty() {
            self.close_top();
        }
        self.root
    }
}

fn section_rank(section: &Section) -> Option<u8> {
    if is_annex_heading(&section.heading.text) && section.num.is_none() {
        return Some(0);
    }
    let num = section.num.as_deref()?;
    Some(match lexical::heading_value(num) {
        Some((1, _)) => 2,
        Some(_) => 4,
        None if lexical::paragraph_value(num).is_some() => 6,
        None => 8,
    })
}

fn is_annex_heading(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    matches!(
        first.trim_end_matches(|c: char| !c.is_alphabetic()),
        "Annexe"
            | "Annex"
            | "Anexo"
            | "Appendix"
            | "Appendice"
            | "Apéndice"
            | "Приложение"
            | "附件"
            | "المرفق"
            | "مرفق"
    )
}

fn is_continued(text: &str) -> bool {
    const MARKS: [&str; 7] = ["(suite)", "(continued)", "(continuación)", "(продолжение)", "（续）", "(续)", "(تابع)"];
    // Each mark opens with `(` or with the first byte of `（`: look only there.
    memchr::memchr2_iter(b'(', 0xEF, text.as_bytes()).any(|at| MARKS.iter().any(|m| text[at..].starts_with(m)))
}

impl Parser<'_> {
    fn inline(&mut self, raw: &Raw, start: usize, input: &str, known: bool) -> Text {
        let empty = KnownMarkers::new();
        let out = inline::parse(input, self.lang, if known { &self.known } else { &empty }, &self.compounds);
        for problem in out.problems {
            // Conversion damage the text survives: the markup or marker that has no partner is
            // read as text or dropped, and the document is still built. Markup nested beyond
            // reason is not damage a conversion makes.
            let damage = !matches!(problem, Problem::TooDeep { .. });
            let (code, offset, message, hint) = match problem {
                Problem::Unclosed { markup, offset } => (
                    "unclosed-markup",
                    offset,
                    format!("`{markup}` is never closed"),
                    "close the tag or emphasis, or escape the character with `\\`".to_string(),
                ),
                Problem::BrokenLink { offset } => (
                    "broken-link",
                    offset,
                    "link without text or target".to_string(),
                    "write links as `[A/RES/70/1](#)` or `[text](https://…)`".to_string(),
                ),
                Problem::TooDeep { offset } => (
                    "markup-too-deep",
                    offset,
                    format!(
                        "inline markup nested more than {} deep; from here on it is read as text",
                        inline::MAX_DEPTH
                    ),
                    "a document nests emphasis, links and superscripts a few levels at most: check the conversion"
                        .to_string(),
                ),
                Problem::OrphanMarker { marker, offset } => (
                    "orphan-note-marker",
                    offset,
                    format!("footnote marker `{marker}` has no note body"),
                    "add the note body (`¹ Text…`) after the paragraph, or remove the marker".to_string(),
                ),
            };
            let (line, col) = locate(raw, start + offset);
            let location = Location::new(self.path, line, col);
            self.diagnostics.push(if damage {
                Diagnostic::warning(code, location, message, hint)
            } else {
                Diagnostic::error(code, location, message, hint)
            });
        }
        if !out.markup.is_empty() {
            self.dropped.push(Dropped { line: raw.line(), kind: DroppedKind::Markup, text: out.markup });
        }
        for (offset, hyphen) in out.hyphens {
            let (line, _) = locate(raw, start + offset);
            self.dropped.push(Dropped { line, kind: DroppedKind::Hyphen, text: hyphen.to_string() });
        }
        out.text
    }

    fn markup(&mut self, line: u32, text: &str) {
        if !text.trim().is_empty() {
            self.dropped.push(Dropped { line, kind: DroppedKind::Markup, text: text.trim().to_string() });
        }
    }

    fn header(&mut self, raws: &[Raw]) -> (Header, usize) {
        let mut header = Header::default();
        let Some(distr) = raws
            .iter()
            .take(8)
            .position(|r| r.first().trim_start().starts_with("Distr") || original_value(r.first().trim()).is_some())
        else {
            // A conversion that starts at the body loses the masthead: the document is still
            // read, its symbol and original language taken from `document.toml` or the
            // other versions (nobody stating the original is an error of its own).
            self.diagnostics.push(Diagnostic::warning(
                "missing-header",
                Location::new(self.path, 1, 1),
                "no UN header block (`Distr.`, date, language, `Original:`) in the first blocks",
                "start the file with the header of the PDF: body, `Distr. générale`, date, language, `Original : anglais`",
            ));
            return (header, 0);
        };
        let mut i = 0;
        while i < distr {
            let raw = &raws[i];
            i += 1;
            if raw.kind == RawKind::Underline {
                self.markup(raw.line(), raw.first());
                continue;
            }
            let field = if furniture::is_document_symbol(raw.first().trim()) {
                HeaderField::Symbol
            } else if header.get(HeaderField::Body).is_none() {
                HeaderField::Body
            } else {
                HeaderField::Other
            };
            self.header_line(&mut header, raw, field);
        }
        while i < raws.len() {
            let raw = &raws[i];
            let t = raw.first().trim();
            let field = if t.starts_with("Distr") {
                HeaderField::Distribution
            } else if original_value(t).is_some() {
                HeaderField::Original
            } else if lang::parse_date(t).is_some() {
                HeaderField::Date
            } else if lang::code_for_name(t).is_some() {
                HeaderField::Language
            } else if furniture::is_document_symbol(t) {
                HeaderField::Symbol
            } else {
                break;
            };
            self.header_line(&mut header, raw, field);
            i += 1;
        }
        while i < raws.len() {
            let raw = &raws[i];
            if raw.kind == RawKind::Underline {
                self.markup(raw.line(), raw.first());
                i += 1;
                continue;
            }
            let text = strip_hashes(&raw.joined()).to_string();
            let bare = strip_emphasis(&text);
            if !matches!(raw.kind, RawKind::Text | RawKind::Hash(_) | RawKind::Setext(_))
                || starts_block(bare)
                || weighted_len(&text) > 300
                || ends_sentence(&text)
            {
                break;
            }
            let has = |f| header.get(f).is_some();
            let next_is_list = raws.get(i + 1).is_some_and(|n| {
                let first = strip_emphasis(n.first());
                n.kind == RawKind::Text
                    && (lexical::paragraph_number(first).is_some() || lexical::item_letter(first).is_some())
            });
            let field = if is_agenda_item(bare) && !has(HeaderField::AgendaItem) {
                HeaderField::AgendaItem
            } else if has(HeaderField::AgendaItem) && !has(HeaderField::AgendaItemTitle) {
                HeaderField::AgendaItemTitle
            } else if is_meeting(bare) && !has(HeaderField::Meeting) {
                HeaderField::Meeting
            } else if is_body_name(bare) && !has(HeaderField::SubsidiaryBody) && !has(HeaderField::Title) {
                HeaderField::SubsidiaryBody
            } else if !has(HeaderField::Title) {
                HeaderField::Title
            } else if !has(HeaderField::Subtitle) && !next_is_list {
                HeaderField::Subtitle
            } else {
                break;
            };
            self.header_line(&mut header, raw, field);
            i += 1;
        }
        (header, i)
    }

    fn header_line(&mut self, header: &mut Header, raw: &Raw, field: HeaderField) {
        let joined = raw.joined();
        let text_start = joined.len() - strip_hashes(&joined).len();
        self.markup(raw.line(), &joined[..text_start]);
        let text = self.inline(raw, text_start, &joined[text_start..], true);
        let plain = text.text.trim();
        let originals = if field == HeaderField::Original { original_value(plain) } else { None };
        let value = match field {
            HeaderField::Distribution => distribution_value(plain),
            HeaderField::Date => lang::parse_date(plain),
            HeaderField::Language => lang::code_for_name(plain).map(str::to_string),
            HeaderField::Original => originals.as_ref().and_then(|codes| codes.first().map(|c| c.to_string())),
            _ => None,
        };
        // A garbled or unusual `Original:` leaves the original to `document.toml` and the other
        // versions; when nobody states it, that is an error of its own.
        let location = Location::new(self.path, raw.line(), 1);
        match originals.as_deref() {
            Some([]) => self.diagnostics.push(Diagnostic::warning(
                "unknown-language",
                location,
                format!("`{plain}` does not name a language accord knows"),
                "write the language as UN headers do (`Original : anglais`, `Original: English`), or state \
                 `original_language` in document.toml",
            )),
            Some([first, _, ..]) => self.diagnostics.push(Diagnostic::warning(
                "several-originals",
                location,
                format!("`{plain}` names several original languages; accord records one, the first: `{first}`"),
                "state `original_language` in document.toml to record another",
            )),
            _ => {}
        }
        header.lines.push(HeaderLine { field, text, line: raw.line(), value });
    }

    fn note(&mut self, raw: &Raw, ordinal: usize, syntax: &NoteSyntax) -> Note {
        let joined = raw.joined();
        // A note block starts with a marker (see `chunk`).
        let body = note_body_marker(&joined, raw.line(), syntax).unwrap_or(NoteBodyMarker {
            marker: "",
            syntax: String::new(),
            start: 0,
        });
        self.markup(raw.line(), &body.syntax);
        let text = self.inline(raw, body.start, &joined[body.start..], false);
        Note { eid: format!("fn_{ordinal}"), marker: body.marker.to_string(), text, line: raw.line() }
    }

    fn table(&mut self, raw: &Raw) -> Table {
        let mut rows = Vec::new();
        for entry in raw.lines {
            let line = entry.1;
            let row_raw = Raw { kind: RawKind::Table, lines: std::slice::from_ref(entry), soft: false };
            let mut cells = Vec::new();
            if is_html_table_line(line) {
                let (html_rows, markup) = html_rows(line);
                self.markup(entry.0, &markup);
                for row in html_rows {
                    let cells = row.into_iter().map(|r| self.inline(&row_raw, r.start, &line[r], true)).collect();
                    rows.push(cells);
                }
                continue;
            }
            match pipe_cells(line) {
                // The rule under a pipe table's header row is markup, as are its pipes.
                Some(inner) if inner.bytes().all(|b| matches!(b, b'|' | b'-' | b':' | b' ')) => {
                    self.markup(entry.0, line)
                }
                Some(inner) => {
                    self.markup(entry.0, &"|".repeat(line.matches('|').count()));
                    let mut offset = inner.as_ptr() as usize - line.as_ptr() as usize;
                    for cell in inner.split('|') {
                        cells.push(self.inline(&row_raw, offset, cell, true));
                        offset += cell.len() + 1;
                    }
                }
                None => {
                    let mut offset = 0;
                    for cell in line.split('\t') {
                        cells.push(self.inline(&row_raw, offset, cell, true));
                        offset += cell.len() + 1;
                    }
                }
            }
            if !cells.is_empty() {
                rows.push(cells);
            }
        }
        Table { eid: String::new(), rows, line: raw.line() }
    }

    /// A `#` heading, or a text block recognised as one: number, heading text, `(suite)`. A
    /// capital letter and a full stop (`B.`) number it only when `letter` says it fits: else
    /// they are an initial or a title (`M. Victor Lopes (Brésil)`) and stay in the text.
    fn heading(&mut self, raw: &Raw, hashes: usize, letter: bool) -> Section {
        let joined = raw.joined();
        let after_hashes = &joined[hashes..];
        let content = after_hashes.trim_start();
        self.markup(raw.line(), &joined[..hashes]);
        let lead = content.len() - strip_emphasis(content).len();
        let content_start = joined.len() - content.len();
        let bare = &content[lead..];
        let numbering = lexical::heading_number(bare)
            .filter(|(_, rank, ..)| letter || *rank != 2)
            .map(|(num, _, _, start)| (num, start))
            .or_else(|| lexical::paragraph_number(bare).map(|(num, _, start)| (num, start)))
            .or_else(|| {
                lexical::item_letter(bare).filter(|(dash, ..)| dash.is_empty()).map(|(_, num, _, start)| (num, start))
            });
        let (num, text) = match numbering {
            Some((num, start)) => {
                // Keep the leading emphasis with the heading text so `**III. Titre**` balances;
                // offsets after it still map to the source by `content_start + start`.
                let input = with_lead(&content[..lead], &bare[start..]);
                let text = self.inline(raw, content_start + start, &input, true);
                (Some(num.to_string()), text)
            }
            None => (None, self.inline(raw, content_start, content, true)),
        };
        Section {
            eid: String::new(),
            level: 0,
            num,
            continued: is_continued(&text.text),
            heading: text,
            line: raw.line(),
            children: Vec::new(),
        }
    }

    fn text_block(&mut self, raw: &Raw, rest: &[Raw], body: &mut BodyBuilder, refs: &mut RefLedger) {
        let joined = raw.joined();
        let page_break = body.page_break;
        if let Some(Block::Paragraph(prev)) = body.children_ref().last() {
            let prev_text = prev.items.last().map_or(&prev.text.text, |i| &i.text.text);
            let prev_numbered = prev.num.is_some() || !prev.items.is_empty();
            // A date alone beside the furniture of a page break that cuts a paragraph: the
            // footer's date of issue, not a heading nor the paragraph's next words.
            if !raw.soft
                && is_date_line(raw)
                && next_text(rest).is_some_and(|(next, furniture_after)| {
                    (page_break || furniture_after) && continues(prev_text, prev_numbered, next, true, self.lang)
                })
            {
                let text = raw.first().trim().to_string();
                self.dropped.push(Dropped { line: raw.line(), kind: DroppedKind::PageArtefact, text });
                body.page_break = true;
                return;
            }
            if raw.soft || continues(prev_text, prev_numbered, raw, page_break, self.lang) {
                let text = self.inline(raw, 0, &joined, true);
                refs.count(&text);
                let join = inline::line_join(prev_text, &text.text, &self.compounds);
                let prev = body.last_paragraph().expect("checked above");
                let last_line = prev.lines.last().copied().unwrap_or(raw.line());
                let end = match prev.items.last_mut() {
                    Some(item) => &mut item.text,
                    None => &mut prev.text,
                };
                if let Some(hyphen) = join.hyphen {
                    end.truncate(end.text.len() - hyphen.len_utf8());
                    self.dropped.push(Dropped { line: last_line, kind: DroppedKind::Hyphen, text: hyphen.to_string() });
                }
                let separator = if join.space { " " } else { "" };
                let at = (end.text.len() + separator.len()) as u32;
                end.append(separator, text);
                if prev.items.is_empty() {
                    prev.joins.push(at);
                }
                prev.lines.push(raw.line());
                body.page_break = false;
                return;
            }
        }
        // A heading is followed by a new paragraph, not by the rest of its own sentence.
        let next_continues = next_text(rest).is_some_and(|(next, pb)| {
            let numbered = lexical::paragraph_number(strip_emphasis(&joined)).is_some();
            continues(&joined, numbered, next, pb, self.lang)
                && (starts_lowercase(next.first())
                    || (pb && (lang::is_caseless(self.lang) || lang::dangles(&joined.to_lowercase(), self.lang))))
        });
        let bare = strip_emphasis(&joined);
        let lead = joined.len() - bare.len();
        let heading_number = lexical::heading_number(bare);
        let letter_fits = heading_number.is_some_and(|(_, _, value, _)| body.letter_fits(value));
        if let Some((dash, num, index, start)) = lexical::item_letter(bare) {
            let expects_item = body.last_paragraph().is_some_and(|p| {
                let last = p.items.last().map_or(&p.text.text, |i| &i.text.text);
                let ends_list = last.trim_end().ends_with([':', ';', '：', '；', ','])
                    || last.trim_end().ends_with(" et")
                    || last.trim_end().ends_with(" and");
                ends_list && index == p.items.len() as u32 + 1
            });
            if expects_item {
                self.markup(raw.line(), &[&joined[..lead], dash].concat());
                let text = self.inline(raw, lead + start, &bare[start..], true);
                refs.count(&text);
                let p = body.last_paragraph().expect("checked above");
                p.items.push(Item { eid: String::new(), num: num.to_string(), text, line: raw.line() });
                p.lines.push(raw.line());
                body.page_break = false;
                return;
            }
            if dash.is_empty() && !next_continues && heading_shape(raw, &bare[start..], SHORT_HEADING) {
                let section = self.heading(raw, 0, letter_fits);
                refs.count(&section.heading);
                body.open_section(section, None);
                return;
            }
        }
        if let Some((num, _, start)) = lexical::paragraph_number(bare) {
            if !next_continues && heading_shape(raw, &bare[start..], NUMBERED_HEADING) && lead == 0 {
                let section = self.heading(raw, 0, letter_fits);
                refs.count(&section.heading);
                body.open_section(section, None);
                return;
            }
            // The leading emphasis goes to the inline parser with the text it opens.
            let input = with_lead(&joined[..lead], &bare[start..]);
            let text = self.inline(raw, start, &input, true);
            refs.count(&text);
            body.push(Block::Paragraph(Paragraph::from_line(Some(num.to_string()), text, raw.line())));
            return;
        }
        if let Some((_, rank, _, start)) = heading_number {
            let long = weighted_len(&joined) > 300;
            // Too long for a heading, a chapter's Roman number before the paragraph its heading
            // ran into, which may go on past a page break.
            let run_on = long && rank == 1 && run_in_seam(&bare[start..], self.lang, true).is_some();
            if run_on || (!next_continues && !long && (rank == 1 || letter_fits || is_continued(&joined))) {
                let mut section = self.heading(raw, 0, true);
                let run_in = run_in_paragraph(&mut section, raw.line(), self.lang, long);
                refs.count(&section.heading);
                match run_in {
                    // The seam the source showed is not in the heading's text (markup hid it):
                    // the line stays the paragraph its length says it is.
                    None if long => {
                        body.push(Block::Paragraph(Paragraph::from_line(section.num, section.heading, raw.line())))
                    }
                    None => body.open_section(section, None),
                    Some(paragraph) => {
                        body.open_section(section, None);
                        refs.count(&paragraph.text);
                        body.push(Block::Paragraph(paragraph));
                    }
                }
                return;
            }
        }
        if !next_continues
            && heading_shape(raw, &joined, SHORT_HEADING)
            && !ends_a_sentence_inside(&joined)
            && followed_by_content(rest)
        {
            let section = self.heading(raw, 0, letter_fits);
            refs.count(&section.heading);
            body.open_section(section, None);
            return;
        }
        let text = self.inline(raw, 0, &joined, true);
        refs.count(&text);
        body.push(Block::Paragraph(Paragraph::from_line(None, text, raw.line())));
    }

    /// Gives every footnote reference its note's eId. A reference no body attached to goes
    /// to a note with its marker that has no reference (a body printed before its marker),
    /// else to the last such note (a note cited twice). A marker with no body and a body
    /// with no marker are warnings: a conversion loses superscripts, and the text is whole
    /// without them (the marker stays in the text; the note is kept, with no place in it).
    fn resolve_refs(&mut self, expression: &mut Expression, refs: &RefLedger) {
        let values: Vec<String> = expression.notes.iter().map(|n| marker_value(&n.marker)).collect();
        let mut referenced = vec![false; values.len()];
        for n in refs.attached.iter().flatten() {
            referenced[*n] = true;
        }
        // The notes of each value, in order, and how many of them are known to be referenced
        // already: a note once referenced stays so, and a document may have thousands.
        let mut by_value: BTreeMap<&str, (Vec<usize>, usize)> = BTreeMap::new();
        for (n, value) in values.iter().enumerate() {
            by_value.entry(value).or_default().0.push(n);
        }
        let mut targets = Vec::with_capacity(refs.refs.len());
        for (r, value) in refs.refs.iter().enumerate() {
            let target = refs.attached[r].or_else(|| {
                let (notes, skipped) = by_value.get_mut(value.as_str())?;
                while notes.get(*skipped).is_some_and(|&n| referenced[n]) {
                    *skipped += 1;
                }
                notes.get(*skipped).or(notes.last()).copied()
            });
            if let Some(n) = target {
                referenced[n] = true;
            }
            targets.push(target);
        }
        let eids: Vec<String> = expression.notes.iter().map(|n| n.eid.clone()).collect();
        let mut ordinal = 0;
        let mut orphans = Vec::new();
        expression.for_each_text_mut(&mut |text| {
            let mut unresolved = Vec::new();
            for (i, m) in text.marks.iter_mut().enumerate() {
                if let MarkKind::NoteRef { note, marker } = &mut m.kind {
                    match targets.get(ordinal).copied().flatten() {
                        Some(n) => *note = eids[n].clone(),
                        // Its body was read as something else (a header line): the marker
                        // goes back into the text.
                        None => unresolved.push((i, m.start, marker.clone())),
                    }
                    ordinal += 1;
                }
            }
            for (i, at, marker) in unresolved.into_iter().rev() {
                text.marks.remove(i);
                text.insert_str(at, &marker);
                orphans.push(marker);
            }
        });
        for marker in orphans {
            self.diagnostics.push(Diagnostic::warning(
                "orphan-note-marker",
                Location::new(self.path, 1, 1),
                format!("footnote marker `{marker}` has no note body it can be attached to"),
                "put the note body (`¹ Text…`) after the paragraph that holds the marker",
            ));
        }
        for (n, note) in expression.notes.iter().enumerate() {
            if !referenced[n] {
                self.diagnostics.push(Diagnostic::warning(
                    "orphan-note-body",
                    Location::new(self.path, note.line, 1),
                    format!("footnote body `{}` has no marker in the text", note.marker),
                    "put the marker (`¹`) after the word the note belongs to, or remove the note",
                ));
            }
        }
    }
}

/// `lead` (leading emphasis) then `text`; borrowed when there is no emphasis, as for most
/// numbered paragraphs.
fn with_lead<'t>(lead: &str, text: &'t str) -> Cow<'t, str> {
    if lead.is_empty() { Cow::Borrowed(text) } else { Cow::Owned([lead, text].concat()) }
}

fn followed_by_content(rest: &[Raw]) -> bool {
    rest.iter().any(|r| !matches!(r.kind, RawKind::Artefact(_) | RawKind::Note))
}

fn strip_hashes(s: &str) -> &str {
    match hash_level(s) {
        Some(h) => s[h as usize..].trim_start(),
        None => s,
    }
}

fn is_agenda_item(text: &str) -> bool {
    let t = text.trim_start_matches('*');
    ["Point ", "Item ", "Agenda item", "Tema ", "Punto ", "Пункт ", "议程项目", "临时议程项目", "البند "]
        .iter()
        .any(|p| t.starts_with(p))
        && t.chars().any(|c| c.is_ascii_digit())
}

fn is_meeting(text: &str) -> bool {
    let has_year =
        text.split(|c: char| !c.is_ascii_digit()).any(|d| d.len() == 4 && (d.starts_with("19") || d.starts_with("20")));
    let session = ["session", "réunion", "período de sesiones", "сессия", "届会", "الدورة", "reunión", "meeting"]
        .iter()
        .any(|w| text.to_lowercase().contains(w));
    (has_year && text.contains(',')) || (session && weighted_len(text) < 120)
}

fn is_body_name(text: &str) -> bool {
    let t = text.trim_start_matches('*');
    [
        "Groupe de travail",
        "Working Group",
        "Grupo de Trabajo",
        "Рабочая группа",
        "工作组",
        "الفريق العامل",
        "Conférence",
        "Conference",
        "Conferencia",
        "Конференция",
        "缔约方会议",
        "مؤتمر",
        "Commission",
        "Comisión",
        "Комиссия",
        "委员会",
        "لجنة",
        "Committee",
        "Comité",
        "Комитет",
        "Conseil",
        "Council",
        "Consejo",
        "Совет",
        "理事会",
        "مجلس",
        "Assemblée",
        "General Assembly",
        "Asamblea",
        "Генеральная Ассамблея",
        "大会",
        "الجمعية العامة",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

fn distribution_value(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let value = if ["général", "general", "общ"].iter().any(|w| lower.contains(w)) {
        "general"
    } else if ["limit", "огранич"].iter().any(|w| lower.contains(w)) {
        "limited"
    } else if ["restr", "reserv"].iter().any(|w| lower.contains(w)) {
        "restricted"
    } else {
        return None;
    };
    Some(value.to_string())
}

/// Line and column (1-based, in characters) of byte `offset` of a raw block's joined text.
fn locate(raw: &Raw, offset: usize) -> (u32, u32) {
    let mut remaining = offset;
    for (no, line) in raw.lines {
        if remaining <= line.len() {
            let col = line.get(..remaining).map_or(remaining, |s| s.chars().count());
            return (*no, col as u32 + 1);
        }
        remaining -= line.len() + 1;
    }
    (raw.line(), 1)
}

/// Sub-items written inline — `… suivantes : a) analyse … ; b) utilisation … ; c) …` —
/// become items when the letters run in order from a).
fn split_inline_items(blocks: &mut [Block]) {
    for block in blocks {
        match block {
            Block::Section(s) => split_inline_items(&mut s.children),
            Block::Paragraph(p) if p.items.is_empty() => {
                if let Some(starts) = inline_item_starts(&p.text.text) {
                    // The joins were offsets into the text now cut into items.
                    p.joins.clear();
                    let text = p.text.clone();
                    p.text = text.slice(0..starts[0].0).trimmed();
                    for (k, &(at, num_len)) in starts.iter().enumerate() {
                        let end = starts.get(k + 1).map_or(text.text.len(), |n| n.0);
                        let num = text.text[at..at + num_len].to_string();
                        let item = text.slice(at + num_len..end).trimmed();
                        p.items.push(Item { eid: String::new(), num, text: item, line: p.lines[0] });
                    }
                }
            }
            _ => {}
        }
    }
}

/// Byte offsets and lengths of `a)`, `b)`… in running text: `a)` after a colon, each next
/// letter after a semicolon; at least a) and b).
fn inline_item_starts(text: &str) -> Option<Vec<(usize, usize)>> {
    let mut starts = Vec::new();
    let mut from = 0;
    let mut index = 1;
    // Every `x) ` in the text, in order; keep those whose letter comes next in the run.
    while let Some(found) = memchr::memchr(b')', &text.as_bytes()[from..]) {
        let close = from + found;
        from = close + 1;
        if text.as_bytes().get(close + 1) != Some(&b' ') {
            continue;
        }
        let Some((at, letter)) = text[..close].char_indices().next_back() else { continue };
        if lexical::letter_index(letter) != Some(index) || !text[..at].ends_with([' ', '\u{a0}']) {
            continue;
        }
        let before = text[..at].trim_end_matches([' ', '\u{a0}', '\u{202f}']);
        let separated = if index == 1 {
            before.ends_with([':', '：'])
        } else {
            before.ends_with([';', '；']) || before.ends_with("; et") || before.ends_with("; and")
        };
        if separated {
            starts.push((at, close + 1 - at));
            index += 1;
        }
    }
    (starts.len() >= 2).then_some(starts)
}

trait Trimmed {
    fn trimmed(self) -> Self;
}

impl Trimmed for Text {
    fn trimmed(self) -> Text {
        let start = self.text.len() - self.text.trim_start().len();
        let end = self.text.trim_end().len().max(start);
        self.slice(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::alignment::UnitKind;

    #[test]
    fn clauses_of_resolutions_are_told_from_continued_sentences() {
        for clause in [
            "постановляет утвердить положение о Премии",
            "просит Генерального секретаря представить доклад",
            "вновь подтверждает свою приверженность",
            "настоятельно призывает государства-члены",
            "отмечая, что",
            "recognizing that fostering skills",
        ] {
            assert!(opens_clause(clause), "{clause}");
        }
        for continued in [
            "комитет по взносам рассмотрит вопрос",
            "кредит, предоставленный в 2014 году",
            "вновь созданного органа",
            "and the Economic and Social Council",
            ", en particulier les paragraphes 11 et 54,",
        ] {
            assert!(!opens_clause(continued), "{continued}");
        }
    }

    fn unit_lines(lang: &str, body: &str) -> Vec<u32> {
        parse("t.md", lang, body).expression.units().iter().map(|u| u.line).collect()
    }

    #[test]
    fn short_lines_where_the_conversion_wrapped_nothing_are_blocks_of_their_own() {
        let long = "The Committee met twice in 2014 and reviewed the reports of the seven subsidiary bodies, of which two were submitted late and one was not read at all.";
        assert!(weighted_len(long) > LONGEST_WRAP);
        // Two short lines, the first the longer: wrapped, if every line of the document is as
        // short; a heading over its paragraph where the conversion left long lines.
        let pair = "From the Joint Mediation Support Team under component 1\nUNAMID will strengthen early warning mechanisms.\n";
        assert_eq!(unit_lines("en", pair), [1]);
        let unwrapped = format!("{long}\n\n{long}\n\n{pair}\n{long}\n");
        assert_eq!(unit_lines("en", &unwrapped), [1, 3, 5, 6, 8]);
        // One long line is not enough to tell (a quotation, an address), nor two among many.
        assert_eq!(unit_lines("en", &format!("{long}\n\n{pair}")), [1, 3]);
        let short = "The Committee met twice in 2014 and reviewed the reports.";
        let many = format!("{long}\n\n{long}\n\n{}{pair}", format!("{short}\n\n").repeat(20));
        assert_eq!(unit_lines("en", &many).len(), 23);
        // A title set in emphasis over several lines is one block; a note's stars open nothing.
        let title = "**Conférence des Parties à\nla Convention des Nations Unies\ncontre la criminalité\ntransnationale organisée**\n";
        assert_eq!(unit_lines("fr", &format!("{long}\n\n{long}\n\n{title}")), [1, 3, 5]);
        let starred = "Jean Pierre Diawara (Guinée)**\nMme Fatima Ahmed (Soudan)\n";
        assert_eq!(unit_lines("fr", &format!("{long}\n\n{long}\n\n{starred}")), [1, 3, 5, 6]);
    }

    #[test]
    fn a_note_that_ends_a_sentence_in_a_wrapped_run_ends_before_the_paragraph_it_cut() {
        // Wrapped lines, no blank line: the page break put the note inside the paragraph,
        // whose next line opens in lower case.
        let body = "Ce phénomène plutôt bizarre et apparemment inexplicable²\n² Voir E/C.19/2015/4.\nne peut constituer une simple coïncidence ni être écarté à la légère ou occulté,\ncar il fait intégralement partie du paysage politique européen actuel.\n";
        let parsed = parse("t.md", "fr", body);
        assert_eq!(parsed.expression.notes.len(), 1);
        assert_eq!(parsed.expression.notes[0].text.text, "Voir E/C.19/2015/4.");
        assert_eq!(unit_lines("fr", body), [1]);
        let Block::Paragraph(paragraph) = &parsed.expression.body[0] else { panic!("a paragraph") };
        assert!(paragraph.text.text.ends_with("européen actuel."), "{}", paragraph.text.text);
        // A note that goes on over its next line from inside a sentence still does.
        let going_on = body.replace("E/C.19/2015/4.", "E/C.19/2015/4 et");
        assert!(parse("t.md", "fr", &going_on).expression.notes[0].text.text.ends_with("et ne peut constituer une simple coïncidence ni être écarté à la légère ou occulté, car il fait intégralement partie du paysage politique européen actuel."));
    }

    #[test]
    fn emphasis_is_open_after_a_run_of_stars_before_a_word() {
        let open = |text: &str| emphasis_open(&text.lines().map(|l| (1, l)).collect::<Vec<_>>());
        for text in ["**Conférence des Parties à", "*Répercussions de la pandémie", "Le *Groupe*, puis **le Comité"]
        {
            assert!(open(text), "{text}");
        }
        for text in ["**Conférence des Parties à\nla Convention**", "Diawara (Guinée)**", "3 * 4 = 12", "Le *Groupe*"]
        {
            assert!(!open(text), "{text}");
        }
    }

    #[test]
    fn paragraphs_a_conversion_left_without_blank_lines_are_told_apart() {
        let first = "The Committee met twice in 2014 and reviewed the reports of the seven subsidiary bodies, of which two were submitted late.";
        let second = "It decided to hold its next session in Vienna, subject to the availability of conference services and of funds.";
        let going_on = "and of the interpretation services that the session requires in all six official languages of the Organization.";
        let next = "The Chair thanked the secretariat for the documentation prepared for the meeting.";
        // A paragraph per line, the blank lines lost: each line is a paragraph, and one that
        // goes on with the sentence before it joins it.
        let body = format!("{first}\n{second}\n{next}\n");
        assert_eq!(unit_lines("en", &body), [1, 2, 3]);
        let cut = second.strip_suffix(" and of funds.").unwrap();
        assert_eq!(unit_lines("en", &format!("{first}\n{cut}\n{going_on}\n{next}\n")), [1, 2, 4]);
        // Wrapped lines: a full line that ends a sentence goes on in the same paragraph; a
        // line well short of the others ends it.
        let wrapped = "The Committee met twice in 2014 and reviewed the reports of its seven\nsubsidiary bodies. Two of them were submitted late, after the deadline that\nthe Bureau had set.\nIt decided to hold its next session in Vienna, subject to the availability\nof conference services.\n";
        assert_eq!(unit_lines("en", wrapped), [1, 4]);
        let full = "The Committee met twice in 2014 and reviewed the reports of its seven\nsubsidiary bodies, of which two were submitted late and one was not read.\nIt decided to hold its next session in Vienna, subject to the availability\n";
        assert_eq!(unit_lines("en", full), [1]);
        // A line that ends a sentence with room left for the next line's first word was ended
        // on purpose, however full (85 % here); without room, it goes on.
        let room = "The Committee met twice in 2014 and reviewed the reports of its seven subsidiary\nbodies, two of which it found late and one of which it did not read.\nThe Chair thanked the secretariat for the documentation.\n";
        assert_eq!(unit_lines("en", room), [1, 3]);
        assert_eq!(unit_lines("en", &room.replace("\nThe Chair", "\nNotwithstanding")), [1]);
        // A line that had room for the next line's first word was ended on purpose, with or
        // without a full stop; a title wrapped short still goes on.
        let headings = "Agenda item 112 (d)\nNote by the Secretary-General\n";
        assert_eq!(unit_lines("en", headings), [1, 2]);
        let title = "Report of the Working Group on the Smuggling of\nMigrants on its meeting held in Vienna\n";
        assert_eq!(unit_lines("en", title), [1]);
        // A numbered heading's last line, however long, if it had room and no punctuation.
        let heading = "F. Examen de la question de l'organisation d'une manifestation qui permettrait de célébrer\ncomme il se doit le soixante-dixième anniversaire de la Charte des Nations Unies\nDe l'avis de ces délégations, c'est au Comité spécial qu'il incombe, compte tenu de son\nmandat, de réfléchir à une manière de célébrer comme il se doit l'anniversaire de la Charte.\n";
        assert_eq!(unit_lines("fr", heading), [1, 3]);
        // A full line that ends a sentence before a capital goes on, but the join is recorded
        // for the other versions to overrule; not where markup is open across it.
        let parsed = parse("t.md", "en", full);
        let Block::Paragraph(first_paragraph) = &parsed.expression.body[0] else { panic!("a paragraph") };
        let at = first_paragraph.text.text.find("It decided").unwrap() as u32;
        assert_eq!((first_paragraph.lines.as_slice(), first_paragraph.joins.as_slice()), (&[1, 3][..], &[at][..]));
        let emphasis = full.replacen("seven", "*seven", 1).replacen("Vienna", "Vienna*", 1);
        let parsed = parse("t.md", "en", &emphasis);
        let Block::Paragraph(first_paragraph) = &parsed.expression.body[0] else { panic!("a paragraph") };
        assert_eq!((first_paragraph.lines.as_slice(), first_paragraph.joins.as_slice()), (&[1][..], &[][..]));
        // A line longer than any wrap, even the run's last, shows the run was not wrapped.
        let quoted = format!(
            "1. The Committee recalled that Article 19 of the Charter of the United Nations provides as follows:\n{first}\n"
        );
        assert_eq!(unit_lines("en", &quoted), [1, 2]);
        // A note body goes on over its next line from inside a sentence, however long its first.
        let note = format!("{first}¹\n\n¹ {second} {cut}\nand of funds.\n");
        let parsed = parse("t.md", "en", &note);
        assert_eq!(unit_lines("en", &note), [1]);
        assert!(parsed.expression.notes[0].text.text.ends_with("services and of funds."));
        // After a full stop, the next line is the paragraph the note's page break cut.
        let between =
            format!("{first}\n{cut}¹\n¹ See the report of the Secretary-General (A/69/818).\n{going_on}\n{next}\n");
        let parsed = parse("t.md", "en", &between);
        assert_eq!(unit_lines("en", &between), [1, 2, 5]);
        assert_eq!(parsed.expression.notes[0].text.text, "See the report of the Secretary-General (A/69/818).");
        assert!(!parsed.diagnostics.iter().any(|d| d.code.starts_with("orphan")), "{:?}", parsed.diagnostics);
    }

    #[test]
    fn a_title_and_a_headless_fragment_stay_paragraphs_of_their_own() {
        let title = "Положение о Премии Организации Объединенных Наций имени Нельсона Ролихлахлы Манделы";
        let decision = "постановляет утвердить положение о Премии, прилагаемое к настоящей резолюции.";
        assert_eq!(unit_lines("ru", &format!("{title}\n\n{decision}\n")), [1, 3]);
        let cut = "ainsi que les dispositions pertinentes du document final de la Conférence, en date du 24 avril 2009";
        let rest = ", en particulier les paragraphes 11 et 54,";
        assert_eq!(unit_lines("fr", &format!("{cut}\n\n{rest}\n")), [1, 3]);
        // The same lines cut by a page break (a running head between them) are one paragraph.
        assert_eq!(unit_lines("fr", &format!("{cut}\n\n15-16347\n\n{rest}\n")), [1]);
    }

    #[test]
    fn a_paragraph_a_numbered_heading_ran_into_is_its_first_paragraph() {
        let units = |lang: &str, body: &str| -> Vec<(UnitKind, Option<String>, String)> {
            let units = parse("t.md", lang, body).expression.units();
            units.iter().map(|u| (u.kind, u.num.clone(), u.text.text.clone())).collect()
        };
        let heading = |num: &str, text: &str| (UnitKind::Heading, Some(num.to_string()), text.to_string());
        let paragraph = |text: &str| (UnitKind::Paragraph, None, text.to_string());
        let run_in = "I. A/69/733 La estructura actual del Servicio está basada en la gestión funcional.\n\n\
                      Si bien no se puede predecir con exactitud, el número aumenta.\n\n\
                      II. A/69/734 La Asamblea General,\n\nRecordando su resolución.\n";
        assert_eq!(
            units("es", run_in),
            [
                heading("I.", "A/69/733"),
                paragraph("La estructura actual del Servicio está basada en la gestión funcional."),
                paragraph("Si bien no se puede predecir con exactitud, el número aumenta."),
                heading("II.", "A/69/734"),
                paragraph("La Asamblea General,"),
                paragraph("Recordando su resolución."),
            ]
        );
        // Too long for a heading, a chapter's line that runs on past a page break.
        let long = format!("III. A/69/735 La misión {} y\n\n15-03215\n\nsigue.\n", "informa sobre el tema ".repeat(14));
        let units_long = units("es", &long);
        assert_eq!(units_long[0], heading("III.", "A/69/735"));
        assert!(units_long[1].2.starts_with("La misión") && units_long[1].2.ends_with("y sigue."), "{units_long:?}");
        // A heading that ends no sentence, though a paragraph could open inside it (`The`
        // after a number), one whose seam is only a capital (`States`, a name's), and a script
        // where the seam does not show, stay whole.
        let whole = "I. Vienna, 9-17 March 2015 The Commission on Narcotic Drugs\n\nThe Commission met.\n";
        assert_eq!(units("en", whole)[0], heading("I.", "Vienna, 9-17 March 2015 The Commission on Narcotic Drugs"));
        let name = "I. Member States should act now.\n\nThe Commission met.\n";
        assert_eq!(units("en", name)[0], heading("I.", "Member States should act now."));
        let zh = "I. A/69/733 实际结构安排的依据是职能管理层面。\n\n会议中心。\n";
        assert_eq!(units("zh", zh)[0], heading("I.", "A/69/733 实际结构安排的依据是职能管理层面。"));
        // Nor one whose seam falls inside a link, which cannot be in both parts.
        let linked = "I. [A/69/733 La estructura](#) del Servicio está basada en la gestión.\n\nTexto.\n";
        assert_eq!(
            units("es", linked)[0],
            heading("I.", "A/69/733 La estructura del Servicio está basada en la gestión.")
        );
        // Nor does one whose words come before a shorter end that opens like a paragraph.
        let held = "II. PBC/9/OC/SR.1 held in the main building of the Court, The Hague,\n\nThe Court met.\n";
        assert_eq!(
            units("en", held)[0],
            heading("II.", "PBC/9/OC/SR.1 held in the main building of the Court, The Hague,")
        );
    }

    #[test]
    fn a_line_that_ends_a_sentence_inside_is_no_heading() {
        assert!(ends_a_sentence_inside("La Comisión eligió al Primer Vicepresidente. Tercer Vicepresidente"));
        assert!(ends_a_sentence_inside("人居三会议秘书处将提交建议。参与人居三会议的方式"));
        assert!(ends_a_sentence_inside("وتحقيق التنمية المستدامة. المصدر"));
        for heading in [
            "Why gender equality? Questions for action",
            "Item 4. Adoption of the agenda",
            "Statement by Prof. John Ruggie",
            "Introduction.",
            "Report of UNDP. Annex",
        ] {
            assert!(!ends_a_sentence_inside(heading), "{heading}");
        }
        let units = parse(
            "t.md",
            "es",
            "Texto.\n\nLa Comisión eligió al Primer Vicepresidente. Tercer Vicepresidente\n\nSr. Lopes.\n",
        )
        .expression
        .units();
        assert!(units.iter().all(|u| u.kind == UnitKind::Paragraph), "{units:?}");
    }

    #[test]
    fn a_capital_and_a_full_stop_number_a_heading_only_in_its_sequence() {
        let printed = |lang: &str, body: &str| -> Vec<(Option<String>, String)> {
            let units = parse("t.md", lang, body).expression.units();
            units.iter().map(|u| (u.num.clone(), u.text.text.clone())).collect()
        };
        // A list of members: "M." is Monsieur, not section M.
        let members = "Membres\n\nM. Victor Lopes (Brésil)\n\nLe Brésil a été élu en 2012.\n";
        assert!(printed("fr", members).contains(&(None, "M. Victor Lopes (Brésil)".into())));
        // Section B after section A is numbered.
        let sections = "A. Mandat\n\nLe texte du mandat.\n\nB. Travaux\n\nLe texte des travaux.\n";
        let units = printed("fr", sections);
        assert!(units.contains(&(Some("B.".into()), "Travaux".into())), "{units:?}");
    }

    #[test]
    fn a_pipe_table_is_a_table_as_a_tab_one_is() {
        let cells = |source: &str| -> Vec<Vec<Vec<String>>> {
            let parsed = parse("t.md", "en", source);
            let tables = parsed.expression.body.iter().filter_map(|b| match b {
                Block::Table(t) => {
                    Some(t.rows.iter().map(|r| r.iter().map(|c| c.text.trim().to_string()).collect()).collect())
                }
                _ => None,
            });
            tables.collect()
        };
        let rows = vec![vec!["Region".to_string(), "2013".into()], vec!["Africa".into(), "12".into()]];
        assert_eq!(cells("Region\t2013\nAfrica\t12\n"), std::slice::from_ref(&rows));
        assert_eq!(cells("| Region | 2013 |\n|:---|---:|\n| Africa | 12 |\n"), std::slice::from_ref(&rows));
        // One cell, or pipes inside a sentence, are text.
        assert!(cells("| A single cell |\n\nThe options a | b were discussed.\n").is_empty());
        // HTML tables, on one line or a row per line, their tags markup.
        let html = "<table><thead><tr><th>Region</th><th colspan=\"2\">2013</th></tr></thead><tr><td>Africa<td>12</tr></table>\n";
        assert_eq!(cells(html), [rows]);
        let parsed = parse(
            "t.md",
            "en",
            "<table>\n<tr><td><i>Region</i></td><td>2013</td></tr>\n<TR><TD>Africa</TD><TD>1<br>2</TD></TR>\n</table>\n",
        );
        let Some(Block::Table(table)) = parsed.expression.body.first() else { panic!("a table") };
        let texts: Vec<Vec<&str>> = table.rows.iter().map(|r| r.iter().map(|c| c.text.as_str()).collect()).collect();
        assert_eq!(texts, [["Region", "2013"], ["Africa", "1 2"]]);
        assert_eq!(table.rows[0][0].marks.len(), 1);
        let markup: String = parsed
            .expression
            .dropped
            .iter()
            .filter(|d| d.kind == DroppedKind::Markup)
            .map(|d| d.text.as_str())
            .collect();
        // The cells' own markup (`<i>`, `<br>`) follows their row's table tags.
        assert_eq!(markup, "<table><tr><td></td><td></td></tr><i></i><TR><TD></TD><TD></TD></TR><br></table>");
    }

    #[test]
    fn a_tab_before_a_line_indents_it_except_in_a_table() {
        let parsed = parse("t.md", "en", "\tThe Committee met twice.\n\n  It adopted its report.\n");
        let texts: Vec<(UnitKind, String)> =
            parsed.expression.units().into_iter().map(|u| (u.kind, u.text.text)).collect();
        assert_eq!(
            texts,
            [
                (UnitKind::Paragraph, "The Committee met twice.".into()),
                (UnitKind::Paragraph, "It adopted its report.".into())
            ]
        );
        // In a table, a row whose first cell is empty.
        let parsed = parse("t.md", "en", "Region\t2013\n\t12\n");
        let Some(Block::Table(table)) = parsed.expression.body.first() else { panic!("a table") };
        let rows: Vec<Vec<&str>> = table.rows.iter().map(|r| r.iter().map(|c| c.text.trim()).collect()).collect();
        assert_eq!(rows, [["Region", "2013"], ["", "12"]]);
    }

    #[test]
    fn setext_headings_are_headings_and_their_rules_markup() {
        let source = "Distr.: General\nOriginal: English\n\nReport of the Committee\n=======================\n\nThe Committee met twice.\n\nSessions held in 2015\n---------------------\n\nIt met in May.\n\nA. Venue\n--\nIt met in Vienna.\n";
        let parsed = parse("t.md", "en", source);
        let title = parsed.expression.header.get(HeaderField::Title).map(|l| l.text.text.as_str());
        assert_eq!(title, Some("Report of the Committee"));
        let units: Vec<(UnitKind, Option<String>, String)> =
            parsed.expression.units().into_iter().map(|u| (u.kind, u.num, u.text.text)).collect();
        assert_eq!(
            units,
            [
                (UnitKind::Paragraph, None, "The Committee met twice.".into()),
                (UnitKind::Heading, None, "Sessions held in 2015".into()),
                (UnitKind::Paragraph, None, "It met in May.".into()),
                (UnitKind::Heading, Some("A.".into()), "Venue".into()),
                (UnitKind::Paragraph, None, "It met in Vienna.".into()),
            ]
        );
        let rules: Vec<(DroppedKind, &str)> = parsed
            .expression
            .dropped
            .iter()
            .filter(|d| d.text.starts_with(['=', '-']))
            .map(|d| (d.kind, d.text.as_str()))
            .collect();
        let markup = |rule| (DroppedKind::Markup, rule);
        assert_eq!(rules, [markup("======================="), markup("---------------------"), markup("--")]);
        // A rule under a paragraph's last line is not an underline.
        let units = parse("t.md", "en", "The Committee met twice\nin Vienna.\n-----\n").expression.units();
        assert_eq!(units.iter().map(|u| u.kind).collect::<Vec<_>>(), [UnitKind::Paragraph]);
    }

    fn units_of(source: &str) -> Vec<(UnitKind, Option<String>, String)> {
        parse("t.md", "en", source).expression.units().into_iter().map(|u| (u.kind, u.num, u.text.text)).collect()
    }

    #[test]
    fn html_a_conversion_adds_is_markup_and_an_image_or_comment_alone_a_blank_line() {
        let source = "![](_page_0_Picture_0.jpeg)\n\nDistr.: General\nOriginal: English\n\n# <span id=\"page-1-0\"></span>I. Introduction\n\n<span id=\"page-2-0\"></span>15. The Committee met<a id=\"x\"></a> twice in Vienna during the year under review, in May and in October.²\n<!-- page 2 -->\n16. It adopted ![logo](emblem.png)its report.\n\n<span id=\"page-2-1\"></span>² See A/69/1.\n";
        let parsed = parse("t.md", "en", source);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let units: Vec<(UnitKind, Option<String>, String)> =
            parsed.expression.units().into_iter().map(|u| (u.kind, u.num, u.text.text)).collect();
        assert_eq!(
            units,
            [
                (UnitKind::Heading, Some("I.".into()), "Introduction".into()),
                (
                    UnitKind::Paragraph,
                    Some("15.".into()),
                    "The Committee met twice in Vienna during the year under review, in May and in October.".into()
                ),
                (UnitKind::Paragraph, Some("16.".into()), "It adopted its report.".into()),
            ]
        );
        assert_eq!(parsed.expression.notes.len(), 1);
        let markup: Vec<&str> = parsed
            .expression
            .dropped
            .iter()
            .filter(|d| d.kind == DroppedKind::Markup && d.text.contains(['<', '!']))
            .map(|d| d.text.as_str())
            .collect();
        assert_eq!(
            markup,
            [
                "![](_page_0_Picture_0.jpeg)",
                "<span id=\"page-1-0\"></span>",
                "<span id=\"page-2-0\"></span><a id=\"x\"></a>",
                "<!-- page 2 -->",
                "![logo](emblem.png)",
                "<span id=\"page-2-1\"></span>"
            ]
        );
    }

    #[test]
    fn a_comment_goes_on_over_lines_until_a_line_closes_it() {
        let source = "Distr.: General\nOriginal: English\n\n15. The Committee met twice.<!-- page 2\nA/69/750\n\n-->16. It adopted its report.\n\n<!--\n-->\n17. It closed <!-- a note that nothing closes.\n";
        let parsed = parse("t.md", "en", source);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let units: Vec<(Option<String>, String)> =
            parsed.expression.units().into_iter().map(|u| (u.num, u.text.text)).collect();
        let want = [
            ("15.", "The Committee met twice."),
            ("16.", "It adopted its report."),
            ("17.", "It closed <!-- a note that nothing closes."),
        ];
        assert_eq!(units, want.map(|(n, t)| (Some(n.to_string()), t.to_string())));
    }

    #[test]
    fn numbers_behind_a_quote_a_bullet_or_their_own_emphasis_number_their_block() {
        let units = units_of(
            "> 15. The Committee met.\n\n- 16. It adopted its report.\n\n## **II.** **Sessions**\n\n*17.* It closed.\n",
        );
        assert_eq!(
            units,
            [
                (UnitKind::Paragraph, Some("15.".into()), "The Committee met.".into()),
                (UnitKind::Paragraph, Some("16.".into()), "It adopted its report.".into()),
                (UnitKind::Heading, Some("II.".into()), "Sessions".into()),
                (UnitKind::Paragraph, Some("17.".into()), "It closed.".into()),
            ]
        );
        // A dash before text, or before a capital's initial, is the text's own.
        for listed in ["- M. Aurélien Llorca (France), armed groups", "- Condemn the plans to that effect;"] {
            assert_eq!(units_of(listed), [(UnitKind::Paragraph, None, listed.to_string())]);
        }
    }

    #[test]
    fn a_numbered_paragraph_ending_on_a_note_marker_is_no_heading() {
        for (marker, body) in
            [("²", "²"), ("^{2}", "^{2}"), ("<sup>2</sup>", "<sup>2</sup>"), ("[^2]", "[^2]:"), ("^2^", "^2^")]
        {
            let source = format!(
                "15. The Committee met twice in Vienna.{marker}\n\n16. It adopted its report.\n\n{body} See A/69/1.\n"
            );
            let kinds: Vec<UnitKind> = units_of(&source).into_iter().map(|u| u.0).collect();
            assert_eq!(kinds, [UnitKind::Paragraph, UnitKind::Paragraph], "{marker}");
        }
    }

    #[test]
    fn html_entities_are_the_characters_they_stand_for() {
        assert_eq!(decode_entities("plain text"), None);
        assert_eq!(decode_entities("R&D, AT&T;"), None);
        assert_eq!(
            decode_entities("Bosnia &amp; Herzegovina, l&#39;ONU,&nbsp;&#x2019; &lt;i&gt; &unknown;").as_deref(),
            Some("Bosnia & Herzegovina, l'ONU,\u{a0}’ \\<i\\> &unknown;")
        );
        // Read as Markdown: the header's language, a note body's marker, a tag kept as text.
        let source = "Original:&nbsp;English\n\nThe Committee&#39;s report² on &lt;i&gt;tags&lt;/i&gt;.\n\n²&nbsp;See A/69/818.\n";
        let parsed = parse("t.md", "en", &decode_entities(source).unwrap());
        let original = parsed.expression.header.get(HeaderField::Original).and_then(|l| l.value.as_deref());
        assert_eq!(original, Some("en"));
        assert_eq!(parsed.expression.notes.len(), 1);
        let units = parsed.expression.units();
        assert_eq!(units[0].text.text, "The Committee's report on <i>tags</i>.");
        assert!(
            !parsed.diagnostics.iter().any(|d| d.severity == crate::diag::Severity::Error),
            "{:?}",
            parsed.diagnostics
        );
    }

    #[test]
    fn a_number_set_on_a_line_of_its_own_numbers_the_text_after_it() {
        let printed = |lang: &str, body: &str| -> Vec<(Option<String>, String, u32)> {
            let units = parse("t.md", lang, body).expression.units();
            units.iter().map(|u| (u.num.clone(), u.text.text.clone(), u.line)).collect()
        };
        let text = "The detailed design conformed to the contractual timeline.";
        assert_eq!(printed("en", &format!("15.\n\n{text}\n")), [(Some("15.".into()), text.into(), 1)]);
        assert_eq!(printed("en", &format!("15.\n{text}\n")), [(Some("15.".into()), text.into(), 1)]);
        let ar = "وجرت المناقشة الأولى في شكل جلسة تحاورية.";
        assert_eq!(printed("ar", &format!("١٥ -\n\n{ar}\n")), [(Some("١٥ -".into()), ar.into(), 1)]);
        let item = "States parties should review their legislation;";
        let lead = "The Working Group recommended that:";
        assert_eq!(
            printed("en", &format!("{lead}\n\n(a)\n\n{item}\n")),
            printed("en", &format!("{lead}\n\n(a) {item}\n"))
        );
        let units = printed("en", &format!("II.\n\nOrganization of work\n\n{text}\n"));
        assert_eq!(units[0], (Some("II.".into()), "Organization of work".into(), 1));
        // The end of a wrapped sentence, and a number before a marked heading, stay apart.
        let wrapped =
            format!("The Committee took note of the report of the Secretary-General in paragraph\n15.\n\n{text}\n");
        assert_eq!(printed("en", &wrapped).len(), 2);
        let marked = printed("en", &format!("15.\n\n## Organization of work\n\n{text}\n"));
        assert_eq!((&marked[0], &marked[1].1[..]), (&(None, "15.".into(), 1), "Organization of work"));
    }

    /// A paragraph a page cut, the note body of the first half's marker and a running head
    /// between the halves, written `(marker in the text, note body line)`.
    fn cut_with_note(marker: &str, body: &str) -> String {
        format!(
            "The Committee took note{marker} of the report and decided to\n\n{body} See A/69/100.\n\nA/69/750\n\nconsider it at its next session.\n"
        )
    }

    #[test]
    fn footnotes_in_every_written_form_are_notes() {
        // The last three: a body whose superscript a conversion flattened to a plain number.
        for (marker, body) in [
            ("¹", "¹"),
            ("^{1}", "^{1}"),
            ("<sup>1</sup>", "<sup>1</sup>"),
            ("[^1]", "[^1]:"),
            ("^1^", "^1^"),
            ("¹", "1"),
            ("^{1}", "1"),
            ("<sup>1</sup>", "1"),
        ] {
            let source = cut_with_note(marker, body);
            let parsed = parse("t.md", "en", &source);
            let e = &parsed.expression;
            let units = e.units();
            assert_eq!(units.len(), 1, "{body}: {units:?}");
            assert_eq!(
                units[0].text.text,
                "The Committee took note of the report and decided to consider it at its next session."
            );
            let refs: Vec<&MarkKind> = units[0].text.marks.iter().map(|m| &m.kind).collect();
            assert!(matches!(refs[..], [MarkKind::NoteRef { note, .. }] if note == "fn_1"), "{body}: {refs:?}");
            assert_eq!(e.notes.len(), 1, "{body}");
            assert_eq!(e.notes[0].text.text, "See A/69/100.", "{body}");
            let codes: Vec<&str> = parsed.diagnostics.iter().map(|d| d.code).collect();
            assert!(!codes.iter().any(|c| c.contains("note")), "{body}: {codes:?}");
            assert!(super::super::coverage::coverage(&source, e).is_complete(), "{body}");
        }
        // Without a body for it, `<sup>2</sup>` is a superscript and `[^2]` text.
        let units = parse("t.md", "en", "In 2015<sup>2</sup> and [^2] then.\n").expression.units();
        assert_eq!(units[0].text.text, "In 20152 and [^2] then.");
    }

    #[test]
    fn a_flattened_note_body_is_read_only_where_a_citation_lacks_its_body() {
        let notes = |source: &str| {
            let lines: Vec<(u32, &str)> = source.lines().enumerate().map(|(i, l)| (i as u32 + 1, l)).collect();
            let known = lines.iter().filter_map(|(_, l)| l.strip_prefix('²').map(|_| "2".to_string())).collect();
            flattened_note_bodies(&lines, &known)
        };
        let found = notes(
            "1 Before the citation.\nIt met twice¹ and then³.\n1. A numbered paragraph.\n1 - فقرة مرقمة.\n1 member states.\n1 See A/1.\n3 See A/3.\n1 Not this one.",
        );
        assert_eq!(found, BTreeMap::from([(6, "1".to_string()), (7, "3".to_string())]));
        // A value with a body of its own is not looked for; a unit (`m²`) is no citation.
        assert!(notes("It met twice².\n² See A/2.\n2 Items.").is_empty());
        assert!(notes("An area of 20 km³.\n3 Items.").is_empty());
        assert!(notes("The year 2015 and 12 items.\n1 See A/1.").is_empty());
        // After a word only: not a free-standing superscript.
        assert_eq!(cited_markers("heures¹², texte^{3}, mot<sup>4</sup> puis ⁵ et <sup>6</sup>"), ["12", "3", "4"]);
    }

    #[test]
    fn a_word_a_page_broke_is_made_whole() {
        let text = |source: &str| {
            let parsed = parse("t.md", "en", source);
            assert!(super::super::coverage::coverage(source, &parsed.expression).is_complete(), "{source}");
            parsed.expression.units().iter().map(|u| u.text.text.clone()).collect::<Vec<_>>()
        };
        let broken =
            "The programme supports disarmament and demobi-\n\n15-24302 (E)\n\nlization of former combatants.\n";
        assert_eq!(text(broken), ["The programme supports disarmament and demobilization of former combatants."]);
        let dropped = parse("t.md", "en", broken).expression.dropped;
        assert!(dropped.iter().any(|d| d.kind == DroppedKind::Hyphen && d.text == "-" && d.line == 1), "{dropped:?}");
        // A compound the document writes with its hyphen keeps it.
        let compound = "Funding is a long-term need.\n\nThe plan sets out the long-\n\nA/69/750\n\nterm priorities of the Office.\n";
        assert_eq!(text(compound)[1], "The plan sets out the long-term priorities of the Office.");
        // A footnote reference after the hyphen stays, at the end of the first half.
        let marked = "The programme supports demobi-^{2}\n\n^{2} See A/69/1.\n\nlization of combatants.\n";
        let parsed = parse("t.md", "en", marked);
        let refs = parsed.expression.units()[0]
            .text
            .marks
            .iter()
            .filter(|m| matches!(m.kind, MarkKind::NoteRef { .. }))
            .count();
        assert_eq!((text(marked).len(), refs), (1, 1));
        // Inside a block whose lines the conversion wrapped: the same, line by line.
        let wrapped = "The Secretary-\nGeneral supports demobi-\nlization and the long-\nterm reintegration of\ncombatants.\n\nIts long-term aim.\n";
        assert_eq!(
            text(wrapped)[0],
            "The Secretary-General supports demobilization and the long-term reintegration of combatants."
        );
        let dropped = parse("t.md", "en", wrapped).expression.dropped;
        assert_eq!(dropped.iter().filter(|d| d.kind == DroppedKind::Hyphen).count(), 1, "{dropped:?}");
        // A dash before a capital is not a broken word.
        let dash = "The plan covers the period to 2030 -\n\nA/69/750\n\nand beyond.\n";
        assert_eq!(text(dash), ["The plan covers the period to 2030 - and beyond."]);
    }

    #[test]
    fn a_clause_a_page_break_follows_after_a_comma_is_a_paragraph_of_its_own() {
        let noting = "Taking note of the work of the Open-ended Working Group on Ageing and its contribution,";
        let recognizing = "Recognizing the continued need to give due consideration to older persons,";
        assert_eq!(unit_lines("en", &format!("{noting}\n\n15-13559\n\n{recognizing}\n")), [1, 5]);
        let ar = "وإذ يحيط علما بأعمال الفريق العامل المفتوح العضوية المعني بالشيخوخة وبإسهامه في تنفيذ خطة عمل مدريد،";
        let ar_next = "وإذ يسلّم باستمرار الحاجة إلى إيلاء الاعتبار الواجب لحالة المسنين،";
        assert_eq!(unit_lines("ar", &format!("{ar}\n\n15-13559\n\n{ar_next}\n")), [1, 5]);
        // In lower case, the sentence's next phrase, which the page cut.
        let cut = "The higher boundary is being pushed by the capability of aircraft to fly at higher altitudes,";
        assert_eq!(unit_lines("en", &format!("{cut}\n\n15-13559\n\naffecting the definition of outer space.\n")), [1]);
    }

    #[test]
    fn a_date_beside_the_furniture_of_a_page_that_cuts_a_paragraph_is_furniture() {
        let parsed = |lang: &str, source: &str| {
            let parsed = parse("t.md", lang, source);
            let units = parsed.expression.units().iter().map(|u| (u.kind, u.text.text.clone())).collect::<Vec<_>>();
            let dates = parsed.expression.dropped.iter().filter(|d| d.kind == DroppedKind::PageArtefact).count();
            (units, dates)
        };
        let whole = "5. Reitera su exigencia de que las partes establezcan el Consejo y constituyan el Cuerpo de Policía de Abyei.";
        for (before, after) in [("", "\n\nS/2015/130 Página 4"), ("\n\nGE.15-27050", ""), ("\n\n3/9", "\n\n15-01234")]
        {
            let source = format!(
                "5. Reitera su exigencia de que las partes establezcan el Consejo y constituyan{before}\n\n25 de diciembre de 2015{after}\n\nel Cuerpo de Policía de Abyei.\n"
            );
            let (units, dropped) = parsed("es", &source);
            assert_eq!(units, [(crate::model::alignment::UnitKind::Paragraph, whole[3..].to_string())], "{source}");
            assert_eq!(dropped, 1 + usize::from(!before.is_empty()) + usize::from(!after.is_empty()), "{source}");
        }
        // Between two paragraphs, beside a single furniture line, a date stays: it may be a
        // letter's, at the top of a page.
        let letter = "The Council took note of the report.\n\nA/69/750\n\n23 November 2015\n\nExcellency, I have the honour to write.\n";
        let (units, _) = parsed("en", letter);
        assert!(units.iter().any(|(_, t)| t == "23 November 2015"), "{units:?}");
    }

    #[test]
    fn a_header_in_capitals_names_the_original() {
        for line in ["Original: English", "ORIGINAL: ENGLISH", "ORIGINAL : ANGLAIS", "ОРИГИНАЛ: АНГЛИЙСКИЙ"]
        {
            assert_eq!(original_value(line), Some(vec!["en"]), "{line}");
        }
        assert_eq!(original_value("Originality: high"), None);
        assert_eq!(original_value("Original: Klingon"), Some(vec![]));
    }

    #[test]
    fn a_header_names_several_originals_in_their_order() {
        for line in [
            "Original: English/French",
            "Original : anglais et français",
            "Original: English, French",
            "原文：英文/法文",
        ] {
            assert_eq!(original_value(line), Some(vec!["en", "fr"]), "{line}");
        }
        assert_eq!(original_value("Original: Spanish/English/Spanish"), Some(vec!["es", "en"]));
        // Every part must name a language.
        assert_eq!(original_value("Original: English/Klingon"), Some(vec![]));
    }

    #[test]
    fn a_line_a_page_cut_after_an_article_goes_on_before_a_capital() {
        let cut = "À la même séance, sur proposition de la Présidente, la";
        let rest = "Commission a accepté les conclusions du Groupe.";
        assert_eq!(unit_lines("fr", &format!("{cut}\n\n4/10\n\n{rest}\n")), [1]);
        let units = parse("t.md", "fr", &format!("{cut}\n\n4/10\n\n{rest}\n")).expression.units();
        assert_eq!(units[0].text.text, format!("{cut} {rest}"));
        // Without the page break, or on a full word, two blocks stay two.
        assert_eq!(unit_lines("fr", &format!("{cut}\n\n{rest}\n")), [1, 3]);
        assert_eq!(unit_lines("en", "Statement by the President\n\n4/10\n\nThe Council met.\n"), [1, 5]);
    }
}
