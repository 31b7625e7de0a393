//! Per-unit evidence for the aligner: length, lexical tokens that survive translation, page
//! furniture ("stray" lines) and the signs of a paragraph broken across lines.

use std::sync::{Arc, LazyLock, Mutex};

use memchr::memmem::Finder;
use rayon::prelude::*;

use super::{Unit, segment};
use crate::scan::{BLOCK, any_byte, byte_set, one_of, skip_blocks};
use crate::whitespace::{self, space_len_at};
use crate::{furniture, lang};

/// What a token is; the class decides its weight and whether its absence on the other side
/// counts against a bead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// A number of two or more digits, separators normalised away.
    Num,
    /// A one-digit number: common, so weak.
    Digit,
    /// A document symbol or URL.
    Sym,
    /// A capitalised Latin-script word (a name, an acronym).
    Word,
    /// The unit's own number ("12.", "a)").
    Mark,
    /// The first five letters of a long word, accents dropped: cognates between Latin-script
    /// languages ("organisation", "organización").
    Stem,
}

impl Class {
    pub(crate) fn weight(self) -> f64 {
        match self {
            Class::Num => 1.0,
            Class::Digit => 0.3,
            Class::Sym => 2.0,
            Class::Word => 0.6,
            Class::Mark => 1.0,
            Class::Stem => 0.5,
        }
    }

    /// What a token of this class costs when the other side of its bead lacks it. Numbers
    /// and symbols are written the same in every language, so one missing is strong evidence
    /// against the bead; a missing cognate stem is weak evidence; names and paragraph numbers
    /// are often written differently.
    pub(crate) fn miss(self) -> f64 {
        match self {
            Class::Num => 1.5,
            Class::Sym => 3.0,
            Class::Stem => STEM_MISS,
            Class::Digit => DIGIT_MISS,
            Class::Word | Class::Mark => 0.0,
        }
    }
}

const STEM_MISS: f64 = 0.1;

/// A one-digit number is written in digits in every version as often as a longer one, but it
/// is common and sometimes spelled out: weaker evidence than a longer number. Without it a
/// heading such as "Rule 8" that one version lacks was glued to the next paragraph for free.
const DIGIT_MISS: f64 = 0.6;

const CLASSES: [Class; 6] = [Class::Num, Class::Digit, Class::Sym, Class::Word, Class::Mark, Class::Stem];

/// A token id: its class in the top three bits, a 29-bit FNV-1a hash of its text below. Ids
/// are only compared between two units, so a collision (about one in 10^8 comparisons) only
/// adds one spurious shared token; 4 bytes a token keep a million-line bitext small.
fn token_id(class: Class, text: &str) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let c = CLASSES.iter().position(|&k| k == class).unwrap_or(0) as u32;
    (c << 29) | ((h >> 35) as u32)
}

pub(crate) fn class_of(token: u32) -> Class {
    CLASSES.get((token >> 29) as usize).copied().unwrap_or(Class::Word)
}

/// The token ids of every unit, stored flat: `get(i)` is unit i's sorted, deduplicated ids.
#[derive(Clone)]
pub(crate) struct Toks {
    data: Vec<u32>,
    start: Vec<usize>,
}

impl Toks {
    pub(crate) fn get(&self, unit: usize) -> &[u32] {
        &self.data[self.start[unit]..self.start[unit + 1]]
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u32]> {
        self.start.windows(2).map(|w| &self.data[w[0]..w[1]])
    }

    /// The same lists less the cognate stems.
    fn without_stems(&self) -> Toks {
        let mut out = Toks { data: Vec::with_capacity(self.data.len()), start: vec![0] };
        for ids in self.iter() {
            out.data.extend(ids.iter().filter(|&&t| class_of(t) != Class::Stem));
            out.start.push(out.data.len());
        }
        out
    }
}

/// Whether cognate stems are evidence between two versions in `lang`: Latin-script languages.
pub(crate) fn has_stems(lang: &str) -> bool {
    matches!(lang, "en" | "fr" | "es" | "pt" | "it" | "de" | "nl")
}

/// The features of one side; vectors are indexed by unit.
pub(crate) struct Side {
    /// Length in characters, whitespace excluded.
    pub(crate) len: Vec<f64>,
    pub(crate) toks: Toks,
    /// `cont[k]` in [0, 1]: how sure we are that unit k continues unit k-1 (a paragraph
    /// broken by a page break); `cont[0] == 0`. Never negative: `dp::LOWER` relies on it.
    pub(crate) cont: Vec<f64>,
    /// `bare[k]` in [0, 1]: how surely units k-1 and k, if one version ran them together into
    /// one line, left a sentence end between them there (0 when k continues k-1).
    pub(crate) bare: Vec<f64>,
    pub(crate) heading: Vec<bool>,
    /// A hash of the unit's number when it is written in digits ("12.", "12 -", "1.2"), else 0:
    /// two versions that both number a paragraph almost always give it the same number.
    pub(crate) mark: Vec<u32>,
    /// The marks (as in `mark`) of the numbered paragraphs that start inside the unit, after a
    /// sentence end: a line into which conversion ran a numbered paragraph.
    pub(crate) inner: Toks,
    /// Where a line made of two paragraphs could have been joined: the length (as in `len`) of
    /// the text before each sentence or clause end inside the unit.
    pub(crate) breaks: Toks,
}

/// The features of unit lists, and the units the aligner keeps of them, each computed once
/// while an n-way alignment lasts: it aligns every version with several others (35 alignments
/// for six versions), and both depend only on the list and a flag. A list is known by its
/// address and length, which name the same units for as long as the versions are borrowed,
/// that is for the life of the cache.
#[derive(Default)]
pub(crate) struct SideCache {
    sides: Mutex<Vec<(ListKey, Arc<Side>)>>,
    kept: Mutex<Vec<(ListKey, Arc<Vec<usize>>)>>,
}

/// A unit list's address and length, and a flag: for features whether stems are wanted, for
/// the kept units whether page furniture is left out.
type ListKey = (usize, usize, bool);

impl SideCache {
    /// [`side`] of `all`, kept for the next alignment that asks; `keep` must be what the
    /// aligner keeps of `all` (its lines that are not stray), the same for every call.
    pub(crate) fn side(&self, all: &[Unit], keep: &[usize], lang: &str, stems: bool) -> Arc<Side> {
        cached(&self.sides, (all.as_ptr() as usize, all.len(), stems), || {
            // A version that has stems is aligned with stems with some versions and without with
            // others: the features without are those with, less the stems (tokens are the same
            // otherwise), which saves tokenising it twice.
            if !stems && has_stems(lang) {
                let with = self.side(all, keep, lang, true);
                Side {
                    len: with.len.clone(),
                    toks: with.toks.without_stems(),
                    cont: with.cont.clone(),
                    bare: with.bare.clone(),
                    heading: with.heading.clone(),
                    mark: with.mark.clone(),
                    inner: with.inner.clone(),
                    breaks: with.breaks.clone(),
                }
            } else {
                side(all, keep, lang, stems)
            }
        })
    }

    /// [`kept`] of `all`, kept for the next alignment that asks.
    pub(crate) fn kept(&self, all: &[Unit], full: bool) -> Arc<Vec<usize>> {
        cached(&self.kept, (all.as_ptr() as usize, all.len(), full), || kept(all, full))
    }
}

/// The value for `key` in `list`, computed and added when missing. Computed without the lock,
/// so that two pairs computing different lists do not wait for each other; two threads
/// computing the same list get the same value.
fn cached<T>(list: &Mutex<Vec<(ListKey, Arc<T>)>>, key: ListKey, compute: impl FnOnce() -> T) -> Arc<T> {
    let found = |items: &[(ListKey, Arc<T>)]| items.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
    if let Some(value) = found(&list.lock().expect("no aligner panicked")) {
        return value;
    }
    let computed = Arc::new(compute());
    let mut items = list.lock().expect("no aligner panicked");
    if let Some(value) = found(&items) {
        return value;
    }
    items.push((key, computed.clone()));
    computed
}

/// The units the programme aligns: all of them but page furniture (running heads, page
/// numbers) in `Mode::Full`, which is put back afterwards.
pub(crate) fn kept(units: &[Unit], full: bool) -> Vec<usize> {
    if !full {
        return (0..units.len()).collect();
    }
    let furniture = furniture::page_furniture(units.iter().map(|u| u.text));
    (0..units.len()).filter(|&k| !furniture[k]).collect()
}

/// The features of the units `all[keep[..]]` in `lang`; `stems` adds cognate stems (for two
/// Latin-script languages).
pub(crate) fn side(all: &[Unit], keep: &[usize], lang: &str, stems: bool) -> Side {
    // In chunks, so the per-unit vectors never all exist at once; each piece of a chunk is
    // stored flat with scratch buffers reused from unit to unit (an allocation per unit and
    // vector adds up over a million lines), and the pieces are appended in order.
    let mut toks = Toks { data: Vec::new(), start: vec![0] };
    let mut breaks = Toks { data: Vec::new(), start: vec![0] };
    let mut inner = Toks { data: Vec::new(), start: vec![0] };
    let mut len = Vec::with_capacity(keep.len());
    for chunk in keep.chunks(4096) {
        let pieces: Vec<(Toks, Toks, Toks, Vec<f64>)> = chunk
            .par_chunks(256)
            .map(|piece| {
                let mut t = Toks { data: Vec::new(), start: Vec::with_capacity(piece.len()) };
                let mut b = Toks { data: Vec::new(), start: Vec::with_capacity(piece.len()) };
                let mut m = Toks { data: Vec::new(), start: Vec::with_capacity(piece.len()) };
                let mut l = Vec::with_capacity(piece.len());
                let (mut ids, mut scratch) = (Vec::new(), Scratch::default());
                for &k in piece {
                    ids.clear();
                    raw_tokens(&all[k], stems, &mut scratch, |c, t| ids.push(token_id(c, t)));
                    ids.sort_unstable();
                    ids.dedup();
                    t.data.extend_from_slice(&ids);
                    t.start.push(t.data.len());
                    l.push(f64::from(sentence_breaks(&all[k], &mut b.data)));
                    b.start.push(b.data.len());
                    inner_marks(all[k].text, &mut m.data);
                    m.start.push(m.data.len());
                }
                (t, b, m, l)
            })
            .collect();
        for (t, b, m, l) in pieces {
            let (t0, b0, m0) = (toks.data.len(), breaks.data.len(), inner.data.len());
            toks.data.extend(t.data);
            toks.start.extend(t.start.iter().map(|s| s + t0));
            breaks.data.extend(b.data);
            breaks.start.extend(b.start.iter().map(|s| s + b0));
            inner.data.extend(m.data);
            inner.start.extend(m.start.iter().map(|s| s + m0));
            len.extend(l);
        }
    }
    toks.data.shrink_to_fit();
    breaks.data.shrink_to_fit();
    let caseless = matches!(lang, "zh" | "ja" | "ar" | "fa" | "he");
    let long_line = short_line_max(lang);
    let mut cont = vec![0.0; keep.len()];
    let mut bare = vec![0.0; keep.len()];
    for ((c, b), w) in cont.iter_mut().zip(bare.iter_mut()).skip(1).zip(keep.windows(2)) {
        let prev = all[w[0]].text.trim_end();
        let open = prev.chars().last().is_some_and(|c| !lang::is_terminal(c));
        let mut words = all[w[1]].text.split_whitespace();
        let first = words.next().unwrap_or("");
        let lower_initial = |w: &str| w.chars().next().is_some_and(char::is_lowercase);
        // A lower-case word, not a note marker such as "c The ratio ..." (but "y la vivienda").
        let lower = lower_initial(first) && (first.chars().count() > 1 || words.next().is_some_and(lower_initial));
        let short = prev.chars().count() <= long_line;
        let comma = prev.ends_with([',', '،', '，']);
        *c = if !open || all[w[1]].num.is_some() {
            // A numbered paragraph starts afresh.
            0.0
        } else if lower || lang::dangles(prev, lang) {
            1.0
        } else if w[1] > w[0] + 1 {
            // Page furniture between the two: a page break. Typesetters keep a heading with
            // the paragraph after it, so a line left open before a page break is most likely
            // a paragraph the page cut.
            0.6
        } else if (!short && !comma) || (short && all[w[0]].num.is_some()) {
            // Open and long, or open and numbered (so not a heading), but followed by a
            // capital (a name) or in a script without case: likely, not surely, broken. A long
            // line ending in a comma is a clause of a resolution's preamble.
            0.6
        } else if short && comma && !caseless {
            // "Now, therefore," then "The General Assembly": a clause cut short.
            0.5
        } else {
            0.0
        };
        // A heading run into the next paragraph leaves no sentence end behind it.
        *b = (1.0 - *c) * if open && short { 0.5 } else { 1.0 };
    }
    Side {
        len,
        toks,
        cont,
        bare,
        heading: keep.iter().map(|&k| all[k].heading).collect(),
        mark: keep.iter().map(|&k| digit_mark(&all[k])).collect(),
        inner,
        breaks,
    }
}

/// The places inside `text` where one paragraph could end and another begin: after a sentence
/// or clause end (`.`, `;`, `。`, …, with closing quotes or brackets) followed by a word that is
/// not lower case, or after a comma followed by a capital (a preamble clause); never right
/// after the unit's own number. Counted in non-whitespace characters, as `Side::len` is, and
/// appended to `out`. Returns the unit's length, its characters that are not white space
/// (`char::is_whitespace`), which the scan counts anyway: `Side::len`.
fn sentence_breaks(unit: &Unit, out: &mut Vec<u32>) -> u32 {
    let text = unit.text.trim_start();
    let lead = unit.num.map_or(0, |num| num.chars().filter(|c| !c.is_whitespace()).count() as u32);
    // The model keeps a paragraph's number apart from its text: then the breaks still count
    // it, and the length does not.
    let (body, apart) = match unit.num.map(|num| text.strip_prefix(num)) {
        Some(None) => (text, lead),
        Some(Some(body)) => (body, 0),
        None => (text, 0),
    };
    let mut count = lead;
    // On the bytes, decoding only what is not white space.
    let body = body.trim();
    let bytes = body.as_bytes();
    let mut k = 0;
    // The ASCII that can end a sentence or follow its end.
    const SENTENCE_BYTES: [bool; 256] = byte_set(b" \t\n\x0b\x0c\r.!?;:,");
    // Where to try counting whole blocks again: a block's worth of bytes after a try, so
    // that a block that holds a stop costs one test.
    let mut retry = 0;
    while let Some(&b) = bytes.get(k) {
        if k >= retry {
            let clean = skip_blocks(bytes, k, |b, next, _| may_break(b, next));
            count += visible_bytes(&bytes[k..clean]);
            // A block may end inside a character, whose lead byte was counted.
            k = clean + bytes[clean..].iter().take_while(|&&b| b & 0xC0 == 0x80).count();
            retry = k + BLOCK;
            continue;
        }
        // Most characters are other ASCII, which need no decoding.
        if b < 0x80 && !SENTENCE_BYTES[usize::from(b)] {
            count += 1;
            k += 1;
            continue;
        }
        let Some((c, n)) = char_at(body, k) else { break };
        let space = space_len_at(bytes, k) > 0;
        k += n;
        if space {
            continue;
        }
        count += 1;
        let full_width = matches!(c, '。' | '！' | '？' | '；' | '：');
        let comma = matches!(c, ',' | '،');
        if !(full_width || comma || matches!(c, '.' | '!' | '?' | ';' | ':' | '…' | '؟' | '؛')) {
            continue;
        }
        while let Some((_, n)) =
            char_at(body, k).filter(|&(q, _)| matches!(q, '"' | '\'' | ')' | '”' | '’' | '»' | '）' | '」'))
        {
            count += 1;
            k += n;
        }
        let spaced = k < bytes.len() && space_len_at(bytes, k) > 0;
        k = whitespace::after_spaces(bytes, k);
        let Some((next, _)) = char_at(body, k) else { break };
        // After a comma, a capital ("..., Recalling") or, in Arabic, "وإذ" ("and whereas"): the
        // clauses of a resolution's preamble.
        let opens = if comma {
            next.is_uppercase() || (c == '،' && body[k..].starts_with("وإذ"))
        } else {
            !next.is_lowercase()
        };
        if (spaced || full_width) && opens {
            out.push(count);
        }
    }
    count - apart
}

/// Whether the character that starts with byte `b`, then `next`, may end a sentence or a
/// clause for [`sentence_breaks`] or be white space outside ASCII: by comparisons, which a
/// block test vectorises, and by lead byte for the three-byte characters (`…`, `。`, the
/// full-width stops, the wide spaces), so also true of others.
fn may_break(b: u8, next: u8) -> bool {
    let ascii = one_of(b, b".!?;:,");
    // U+0085 and the no-break space; `،`, `؛` and `؟`.
    let two = (b == 0xC2) & ((next == 0x85) | (next == 0xA0))
        | (b == 0xD8) & ((next == 0x8C) | (next == 0x9B) | (next == 0x9F));
    ascii | two | (b.wrapping_sub(0xE1) < 3) | (b == 0xEF)
}

/// The characters of `bytes` that are not white space, when no character of it is white
/// space outside ASCII: bytes that are neither ASCII white space nor UTF-8 continuation
/// bytes (10xxxxxx).
fn visible_bytes(bytes: &[u8]) -> u32 {
    bytes.iter().map(|&b| u32::from(!((b == b' ') | (b.wrapping_sub(b'\t') < 5)) & (b & 0xC0 != 0x80))).sum()
}

/// The character that starts at byte `k` of `s` and its length in bytes; `None` at the end.
fn char_at(s: &str, k: usize) -> Option<(char, usize)> {
    let b = *s.as_bytes().get(k)?;
    if b < 0x80 {
        return Some((char::from(b), 1));
    }
    let c = s[k..].chars().next()?;
    Some((c, c.len_utf8()))
}

/// A time of day written with `number` ("10", "10.15") as one token, "H:MM" on a 24-hour
/// clock, and the length of what follows the number that belongs to it; `None` when the
/// number is not a time. Every version gives a meeting's time, each in its own notation: "at
/// 3 p.m.", "a las 15.00 horas", "à 15 heures", "в 15 ч. 00 м.", "下午3时", "الساعة 15:00"; read
/// as numbers, the hour and minutes matched in no other version and counted against the bead.
/// Only notations that cannot be durations are read ("24 horas", "24 heures" can).
fn time_of(before: &str, number: &str, after: &str) -> Option<(String, usize)> {
    let (hour, minutes) = match number.split_once('.') {
        Some((h, m)) if m.len() == 2 => (h, Some(m)),
        Some(_) => return None,
        None => (number, None),
    };
    if hour.len() > 2 {
        return None;
    }
    let hour: u32 = hour.parse().ok().filter(|&h| h <= 24)?;
    let two_digits = |s: &str| -> Option<(u32, usize)> {
        let (d1, n1) = digit_at(s, 0)?;
        let (d2, n2) = digit_at(s, n1)?;
        let value = d1.to_digit(10)? * 10 + d2.to_digit(10)?;
        (digit_at(s, n1 + n2).is_none() && value < 60).then_some((value, n1 + n2))
    };
    let mut minute = match minutes {
        Some(m) => Some(m.parse::<u32>().ok().filter(|&m| m < 60)?),
        None => None,
    };
    let mut used = 0;
    // "10:15" in any language.
    if minute.is_none()
        && let Some((m, n)) = after.strip_prefix(':').and_then(two_digits)
    {
        minute = Some(m);
        used = 1 + n;
    }
    let rest = &after[used..];
    let clock = |h: u32, m: Option<u32>| format!("{h}:{:02}", m.unwrap_or(0));
    // English: "10 a.m.", "3.35 p.m.", "6:15 p.m.".
    for (suffix, pm) in [(" a.m.", false), (" p.m.", true)] {
        if rest.starts_with(suffix) && (1..=12).contains(&hour) {
            let h = hour % 12 + if pm { 12 } else { 0 };
            return Some((clock(h, minute), used + suffix.len()));
        }
    }
    if used > 0 {
        return Some((clock(hour, minute), used));
    }
    // Spanish "10.15 horas", with its minutes: "24 horas" is also a duration.
    if minute.is_some() && rest.starts_with(" horas") {
        return Some((clock(hour, minute), " horas".len()));
    }
    // French "10 h 15", "10h15", and "à 10 heures", "de 15 heures".
    for mark in [" h ", "h"] {
        if minute.is_none()
            && let Some((m, n)) = rest.strip_prefix(mark).and_then(two_digits)
        {
            return Some((clock(hour, Some(m)), mark.len() + n));
        }
    }
    let word_before = || before.trim_end().rsplit(' ').next().unwrap_or("");
    if minute.is_none() && rest.starts_with(" heures") && ["à", "de", "jusqu'à", "jusqu’à"].contains(&word_before())
    {
        return Some((clock(hour, None), " heures".len()));
    }
    // Russian "10 ч. 15 м.", "23 час. 59 мин.".
    for mark in [" ч. ", " час. "] {
        if minute.is_none()
            && let Some((m, n)) = rest.strip_prefix(mark).and_then(two_digits)
        {
            let tail = &rest[mark.len() + n..];
            if tail.starts_with(" м") {
                return Some((clock(hour, Some(m)), mark.len() + n));
            }
        }
    }
    // Chinese "10时", "3时35分", after 上午 (morning) or 下午, 晚上 (afternoon, evening); without
    // those, "5时期" is a period, not a time.
    if minute.is_none()
        && let Some(tail) = rest.strip_prefix('时')
    {
        let pm = ["下午", "晚上"].iter().any(|w| before.ends_with(w));
        let half_day = pm || ["上午", "中午", "凌晨"].iter().any(|w| before.ends_with(w));
        let with_minutes = two_digits(tail).filter(|&(_, n)| tail[n..].starts_with('分'));
        if half_day || with_minutes.is_some() || hour >= 13 {
            let h = if pm && hour < 12 { hour + 12 } else { hour };
            let len = '时'.len_utf8() + with_minutes.map_or(0, |(_, n)| n + '分'.len_utf8());
            return Some((clock(h, with_minutes.map(|(m, _)| m)), len));
        }
    }
    None
}

/// The length of the Latin letter (as [`is_latin_letter`]) that starts at byte `k` of `s`.
fn latin_letter_at(s: &str, k: usize) -> Option<usize> {
    match *s.as_bytes().get(k)? {
        b if b.is_ascii_alphabetic() => Some(1),
        // Every Latin letter beyond ASCII is below U+0250, so two bytes led by 0xC2..0xC9.
        0xC2..=0xC9 => char_at(s, k).filter(|&(c, _)| is_latin_letter(c)).map(|(_, n)| n),
        _ => None,
    }
}

/// The value of the decimal digit that starts at byte `k` of `s` (as [`digit`]) and its length.
fn digit_at(s: &str, k: usize) -> Option<(char, usize)> {
    char_at(s, k).and_then(|(c, n)| Some((digit(c)?, n)))
}

/// Appends to `out` the marks of the numbered paragraphs that open after a sentence end inside
/// `text` ("... reports; 3. Services to the public", "。 12. 过去一年中").
fn inner_marks(text: &str, out: &mut Vec<u32>) {
    let text = text.trim_start();
    // The unit's own number is not inside it.
    let mut rest = segment::leading_number(text).and_then(|num| text.strip_prefix(num)).unwrap_or(text);
    while let Some(at) = stop_at(rest.as_bytes()) {
        let full_width = rest.as_bytes()[at] >= 0x80;
        let end = at + if full_width { 3 } else { 1 };
        let after = &rest[end..];
        rest = after;
        let next = after.trim_start();
        if (!full_width && next.len() == after.len()) || !next.starts_with(|c: char| digit(c).is_some()) {
            continue;
        }
        let mark = segment::leading_number(next).map_or(0, number_mark);
        if mark != 0 {
            out.push(mark);
        }
    }
}

/// Where the first of `.`, `;`, `:`, `!`, `?`, `。`, `；` and `：` is in `s`: on the bytes, which
/// a search for any of several characters decodes one by one.
fn stop_at(s: &[u8]) -> Option<usize> {
    const STOPS: &[u8; 7] = b".;:!?\xe3\xef";
    const CANDIDATES: [bool; 256] = byte_set(STOPS);
    // Sentences are long: most blocks of bytes hold no candidate, tested by comparisons,
    // which vectorise; one byte at a time, the table is the quicker test.
    let mut k = 0;
    loop {
        k = skip_blocks(s, k, |b, _, _| one_of(b, STOPS));
        let at = k + s[k..].iter().position(|&b| CANDIDATES[usize::from(b)])?;
        match (s[at], s.get(at + 1..at + 3)) {
            (0xE3, Some([0x80, 0x82])) | (0xEF, Some([0xBC, 0x9A | 0x9B])) => return Some(at),
            (0xE3 | 0xEF, _) => {}
            _ => return Some(at),
        }
        k = at + 1;
    }
}

fn digit_mark(unit: &Unit) -> u32 {
    unit.num.map_or(0, number_mark)
}

/// A hash of a paragraph number written in digits, in any script (`12.`, `12 -`, `١٢-`,
/// `1.2`): the same for the same number in every version; 0 for any other number.
pub(crate) fn number_mark(num: &str) -> u32 {
    let body: String = num.chars().filter_map(|c| if c == '.' { Some(c) } else { digit(c) }).collect();
    let digits = body.trim_matches('.');
    if digits.is_empty() || body.chars().count() != num.chars().filter(|c| c.is_alphanumeric() || *c == '.').count() {
        return 0;
    }
    token_id(Class::Mark, digits) | 1
}

/// The most characters of a short line (a heading, a line a page cut short): fewer in scripts
/// that write a word in a character or two.
fn short_line_max(lang: &str) -> usize {
    if matches!(lang, "zh" | "ja") { 25 } else { 60 }
}

/// A line shaped like a heading: short, and ending without a sentence end or a comma.
pub(crate) fn heading_like(text: &str, lang: &str) -> bool {
    let text = text.trim_end();
    text.chars().count() <= short_line_max(lang)
        && text.chars().last().is_some_and(|c| !lang::is_terminal(c) && !",،，".contains(c))
}

/// Whether a heading was run into the paragraph after it at the start of `unit` ("Summary
/// The present report ...", "Consideration of reports 5. Working ..."), as
/// [`lang::heading_seams`] finds; `None` in a script without case, where the seam does not
/// show.
pub(crate) fn heading_run_in(unit: &Unit, lang: &str) -> Option<bool> {
    let text = unit.text.trim_start();
    let body = unit.num.and_then(|num| text.strip_prefix(num)).unwrap_or(text);
    lang::heading_seams(body, lang).map(|mut seams| seams.next().is_some())
}

/// The value of a decimal digit in any of the scripts UN texts use.
fn digit(c: char) -> Option<char> {
    let base = match c {
        '0'..='9' => '0',
        '\u{660}'..='\u{669}' => '\u{660}',
        '\u{6f0}'..='\u{6f9}' => '\u{6f0}',
        '\u{ff10}'..='\u{ff19}' => '\u{ff10}',
        _ => return None,
    };
    char::from_digit(c as u32 - base as u32, 10)
}

fn is_latin_letter(c: char) -> bool {
    // By ranges: outside ASCII `is_alphabetic` is a slow table look-up, and accented letters
    // are common in three of the six UN languages. Below U+0250 the letters are ASCII's, ª, µ,
    // º and U+00C0..U+024F less × and ÷ (the test checks this against `is_alphabetic`).
    matches!(c, 'a'..='z' | 'A'..='Z' | 'ª' | 'µ' | 'º' | 'À'..='Ö' | 'Ø'..='ö' | 'ø'..='\u{24f}')
}

/// Lower case without accents, for comparing cognates.
fn fold(c: char) -> char {
    // ASCII first: most letters are, and `to_lowercase` is a table search.
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let c = c.to_lowercase().next().unwrap_or(c);
    match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        _ => c,
    }
}

/// Punctuation trimmed off words; a `match`, which compiles to a few range tests, where a
/// slice of characters was compared one by one at both ends of every word.
fn trimmed(c: char) -> bool {
    matches!(
        c,
        ',' | ';'
            | ':'
            | '('
            | ')'
            | '['
            | ']'
            | '«'
            | '»'
            | '"'
            | '\''
            | '“'
            | '”'
            | '.'
            | '!'
            | '?'
            | '。'
            | '，'
            | '；'
            | '：'
            | '（'
            | '）'
            | '、'
    )
}

/// Whether `text` is words separated by single ASCII spaces, none of which can be a URL or a
/// document symbol (no `:`, `/` or `www.`): then it is what [`symbols_apart`] would make of
/// it, less a space at either end. Tested a block of bytes at a time.
fn plain_words(text: &str) -> bool {
    let s = text.as_bytes();
    // The lead bytes of white space outside ASCII, then the white space itself.
    let may = |b: u8, next: u8, _| {
        matches!(b, b':' | b'/' | b'\t'..=b'\r' | 0xC2 | 0xE1..=0xE3) | (b == b' ') & (next == b' ')
    };
    let is = |k: usize| match s[k] {
        b':' | b'/' => true,
        b' ' => s.get(k + 1) == Some(&b' '),
        _ => space_len_at(s, k) > 0,
    };
    !any_byte(s, may, is) && WWW.find(s).is_none()
}

/// `www.`, searched for in every text: built once, as building a searcher costs more than
/// most texts' search.
static WWW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"www."));

/// Appends to `words` the words of `text` each followed by one space, less its URLs and
/// document symbols, which go to `emit` (a space stands where each was).
fn symbols_apart(text: &str, words: &mut String, emit: &mut impl FnMut(Class, &str)) {
    for word in whitespace::words(text) {
        // Most words begin and end with a letter or digit, which `trimmed` never matches.
        let bare = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphanumeric);
        let w = if bare(word.as_bytes().first()) && bare(word.as_bytes().last()) {
            word
        } else {
            word.trim_matches(trimmed)
        };
        // The one-byte search first: it rules out nearly every word. Words are short, so a
        // plain loop, where a memchr costs more in setting up than in searching.
        if (w.bytes().any(|b| b == b':') && w.contains("://")) || w.starts_with("www.") {
            emit(Class::Sym, &w.to_lowercase());
        } else if w.len() > 2 && furniture::is_document_symbol(w) {
            emit(Class::Sym, w);
        } else {
            words.push_str(word);
        }
        words.push(' ');
    }
}

/// Buffers of [`raw_tokens`], kept from one unit to the next.
#[derive(Default)]
struct Scratch {
    token: String,
    words: String,
}

/// Gives `emit` the tokens of `unit` in order. Each is built in one buffer, reused: a unit
/// has dozens of them and sentence alignment tokenises every sentence.
fn raw_tokens(unit: &Unit, stems: bool, scratch: &mut Scratch, mut emit: impl FnMut(Class, &str)) {
    let Scratch { token, words } = scratch;
    token.clear();
    words.clear();
    let mut text = unit.text.trim_start();
    if let Some(num) = unit.num {
        token.extend(
            num.chars().filter(|c| c.is_alphanumeric()).map(|c| digit(c).unwrap_or(c)).flat_map(char::to_lowercase),
        );
        if !token.is_empty() {
            emit(Class::Mark, token);
        }
        // The number is a mark, not content: versions often number paragraphs differently.
        text = text.strip_prefix(num).unwrap_or(text);
    }
    // The text less its symbols and URLs, words separated by one space: most texts are
    // that already.
    if plain_words(text) {
        let text = text.trim_matches(' ');
        if !text.is_empty() {
            words.push_str(text);
            words.push(' ');
        }
    } else {
        symbols_apart(text, words, &mut emit);
    }
    let words = words.as_str();
    let mut k = 0;
    while let Some(&b) = words.as_bytes().get(k) {
        // Most bytes are ASCII that is neither a letter nor a digit, or inside a letter run.
        if b < 0x80 && !b.is_ascii_alphanumeric() {
            k += 1;
            continue;
        }
        let Some((c, n)) = char_at(words, k) else { break };
        if let Some(d) = digit(c) {
            let start = k;
            token.clear();
            token.push(d);
            k += n;
            while let Some((d, n)) = digit_at(words, k) {
                token.push(d);
                k += n;
            }
            // Thousands groups: "1 800", "1,800", "1.800", "1 800" all read 1800.
            while let Some((_, n)) = char_at(words, k)
                .filter(|&(c, _)| matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{66c}' | '\''))
            {
                let mut group = [' '; 3];
                let mut end = k + n;
                for g in &mut group {
                    let Some((d, n)) = digit_at(words, end) else { break };
                    *g = d;
                    end += n;
                }
                if group[2] == ' ' || digit_at(words, end).is_some() {
                    break;
                }
                token.extend(group);
                k = end;
            }
            // A decimal part: "8.1" and "8,1" are the same number.
            if let Some((_, n)) = char_at(words, k).filter(|&(c, _)| matches!(c, ',' | '.' | '\u{66b}'))
                && digit_at(words, k + n).is_some()
            {
                token.push('.');
                k += n;
                while let Some((d, n)) = digit_at(words, k) {
                    token.push(d);
                    k += n;
                }
            }
            if let Some((time, end)) = time_of(&words[..start], token, &words[k..]) {
                emit(Class::Num, &time);
                k += end;
                continue;
            }
            let class = if token.len() > 1 { Class::Num } else { Class::Digit };
            emit(class, token);
        } else if is_latin_letter(c) {
            let start = k;
            let mut letters = 0;
            while let Some(n) = latin_letter_at(words, k) {
                k += n;
                letters += 1;
            }
            if letters >= 3 && c.is_uppercase() {
                emit(Class::Word, &words[start..k]);
            }
            if stems && letters >= 6 {
                token.clear();
                match words.as_bytes().get(start..start + 5) {
                    // Most stems are ASCII, folded a byte at a time.
                    Some(head) if head.is_ascii() => {
                        token.extend(head.iter().map(|b| char::from(b.to_ascii_lowercase())))
                    }
                    _ => token.extend(words[start..].chars().take(5).map(fold)),
                }
                emit(Class::Stem, token);
            }
        } else {
            k += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_without_stems_are_those_with_less_the_stems() {
        let lines =
            ["1. The Organization of American States (OAS) adopted 12 resolutions.", "Reconnaissant l'importance", ""];
        let units: Vec<Unit> = lines.iter().map(|l| Unit::from_line(l)).collect();
        let keep: Vec<usize> = (0..units.len()).collect();
        let (with, without) = (side(&units, &keep, "en", true), side(&units, &keep, "en", false));
        let lists = |t: &Toks| t.iter().map(<[u32]>::to_vec).collect::<Vec<_>>();
        assert_ne!(lists(&with.toks), lists(&without.toks));
        assert_eq!(lists(&with.toks.without_stems()), lists(&without.toks));
    }

    #[test]
    fn cached_features_are_computed_once_per_list_and_stems() {
        let en: Vec<Unit> = ["12. The Council met in 2015.", "See A/RES/70/1."].map(Unit::from_line).to_vec();
        let fr: Vec<Unit> = ["12. Le Conseil s'est réuni en 2015."].map(Unit::from_line).to_vec();
        let keep = |units: &[Unit]| (0..units.len()).collect::<Vec<_>>();
        let cache = SideCache::default();
        let first = cache.side(&en, &keep(&en), "en", true);
        assert!(Arc::ptr_eq(&first, &cache.side(&en, &keep(&en), "en", true)), "the same list: not computed again");
        assert!(!Arc::ptr_eq(&first, &cache.side(&en, &keep(&en), "en", false)), "stems change the features");
        let other = cache.side(&fr, &keep(&fr), "fr", true);
        assert_eq!(other.len.len(), 1);
        assert_eq!(first.toks.get(0), side(&en, &keep(&en), "en", true).toks.get(0), "what the cache holds is `side`");
    }

    #[test]
    fn an_open_line_before_page_furniture_likely_goes_on_after_it() {
        let lines =
            ["Appointment of a member of the Board", "A/68/989/Add.4", "Auditors and of the Panel", "Statement"];
        let units: Vec<Unit> = lines.map(Unit::from_line).to_vec();
        // The aligner keeps all but the furniture.
        let apart = side(&units, &[0, 2, 3], "en", false);
        assert_eq!(apart.cont[1], 0.6, "a page break after an open line");
        assert_eq!(apart.cont[2], 0.0, "a short open line and a capital, no page break: maybe a heading");
        let together = side(&units, &[0, 2], "en", false);
        let no_break = side(&[units[0], units[2]], &[0, 1], "en", false);
        assert!(together.cont[1] > no_break.cont[1]);
    }

    fn toks(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        raw_tokens(&Unit::from_line(text), false, &mut Scratch::default(), |_, t| out.push(t.to_string()));
        out
    }

    #[test]
    fn numbers_normalise_across_conventions() {
        assert_eq!(toks("cost 1 800 dollars"), vec!["1800"]);
        assert_eq!(toks("coût 1 800 dollars"), vec!["1800"]);
        assert_eq!(toks("costo 1.800 dólares"), vec!["1800"]);
        assert_eq!(toks("cost 1,800"), vec!["1800"]);
        assert_eq!(toks("في عام ٢٠١٥"), vec!["2015"]);
        assert_eq!(toks("2014 2015"), vec!["2014", "2015"]);
        assert_eq!(toks("8.1 per cent"), toks("8,1 %"));
        assert_eq!(toks("8.1 per cent"), vec!["8.1"]);
    }

    #[test]
    fn times_of_day_read_the_same_in_every_notation() {
        let at_three =
            ["at 3 p.m.", "a las 15.00 horas", "à 15 heures", "в 15 ч. 00 м.", "下午3时举行", "الساعة 15:00"];
        for text in at_three {
            assert_eq!(toks(text), vec!["15:00"], "{text}");
        }
        let quarter_past_ten =
            ["at 10.15 a.m.", "a las 10.15 horas", "à 10 h 15", "в 10 ч. 15 м.", "上午10时15分", "الساعة 10:15"];
        for text in quarter_past_ten {
            assert_eq!(toks(text), vec!["10:15"], "{text}");
        }
        assert_eq!(toks("at 6:15 p.m. and 12.23 p.m."), vec!["18:15", "12:23"]);
        assert_eq!(toks("截至2013年7月31日23时59分"), vec!["2013", "7", "31", "23:59"]);
        // Durations, periods and other numbers stay numbers.
        assert_eq!(toks("las 24 horas del día"), vec!["24"]);
        assert_eq!(toks("dans les 24 heures"), vec!["24"]);
        assert_eq!(toks("全环基金5时期"), vec!["5"]);
        assert_eq!(toks("ratio 10.5 a.m."), vec!["10.5"]);
        assert_eq!(toks("8.30"), vec!["8.30"]);
    }

    #[test]
    fn symbols_and_marks() {
        assert_eq!(
            toks("12. See A/RES/70/1, and CTOC/COP/WG.7/2019/4."),
            vec!["12", "A/RES/70/1", "CTOC/COP/WG.7/2019/4", "See"]
        );
        assert_eq!(toks("Voir https://undocs.org/fr/A/70/1."), vec!["https://undocs.org/fr/a/70/1", "Voir"]);
        assert_eq!(toks("Seongmee Yoon served"), vec!["Seongmee", "Yoon"]);
    }

    #[test]
    fn numbered_paragraphs_run_into_a_line() {
        let marks = |text: &str| {
            let mut out = Vec::new();
            inner_marks(text, &mut out);
            out
        };
        let mark = |num: &str| digit_mark(&Unit::from_line(num));
        assert_eq!(marks("11. Requests the reports; 3. Services to the public"), vec![mark("3. x")]);
        assert_eq!(marks("请秘书长报告有关情况； 3. 服务公众"), vec![mark("3. x")]);
        assert_eq!(marks("الجمهور. ١٢ - خلال العام"), vec![mark("12. x")]);
        // Its own number, numbers inside a sentence and lettered items are not paragraphs.
        assert!(marks("12. In 2014. 12 States, see para. 3.2 and 4 (a). b) text").is_empty());
    }

    #[test]
    fn latin_letters_are_the_alphabetic_characters_below_u250() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_latin_letter(c), (c as u32) < 0x250 && c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn a_units_length_is_a_count_of_non_whitespace() {
        let length =
            |text: &str, num: Option<&str>| sentence_breaks(&Unit { text, heading: false, num }, &mut Vec::new());
        let visible = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count() as u32;
        let every: String = (0..=0x10FFFF).filter_map(char::from_u32).collect();
        assert_eq!(length(&every, None), visible(&every));
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let s = format!("a{c}b{c}");
            assert_eq!(length(&s, None), visible(&s), "{c:?}");
        }
        assert_eq!(length(" é\u{a0}x\u{2009}’\u{3000}", None), 3);
        // The number counts when it is in the text, not when the model keeps it apart.
        assert_eq!(length("12. The Committee. Also", Some("12.")), 20);
        assert_eq!(length("The Committee. Also", Some("12.")), 17);
        let mut breaks = Vec::new();
        sentence_breaks(&Unit { text: "The Committee. Also", heading: false, num: Some("12.") }, &mut breaks);
        assert_eq!(breaks, vec![16], "the number still counts in the breaks");
    }

    #[test]
    fn stops_are_found_on_the_bytes_as_by_characters() {
        let stops = ['.', ';', ':', '!', '?', '。', '；', '：'];
        // Lead bytes shared with the stops (「 and ＝) and other scripts around them.
        for text in ["", "abc", "a. b", "第一「二」三。四", "全角＝；x", "ａ：ｂ", "مرحبا؟ ثم؛ نعم.", "Да! нет?", "终"]
        {
            assert_eq!(stop_at(text.as_bytes()), text.find(stops), "{text}");
        }
        // After long runs without a stop, passed a block at a time.
        for filler in ["Declaration ", "Всеобщая 「декларация」 ", "世界人权＝宣言"] {
            for n in 0..12 {
                for end in ["", "a. b", "第一。四", "ａ：ｂ", "نعم."] {
                    let text = format!("{}{end}", filler.repeat(n));
                    assert_eq!(stop_at(text.as_bytes()), text.find(stops), "{text}");
                }
            }
        }
    }

    #[test]
    fn plain_words_are_what_symbols_apart_makes_of_them() {
        let sources = [
            include_str!("../../sources/udhr/ar.txt"),
            include_str!("../../sources/udhr/ru.txt"),
            include_str!("../../sources/udhr/zh.txt"),
            include_str!("../../sources/a-69-720/en.txt"),
            include_str!("../../sources/a-69-720/fr.txt"),
            include_str!("../../sources/wg7-2019-background-paper-recommendations/fr.md"),
        ];
        let odd = [
            "",
            " ",
            " 12 items left ",
            "two  spaces",
            "1\u{a0}800 people",
            "a\ttab",
            "a\nline",
            "ideographic\u{3000}space",
            "line\u{2028}separator",
            "narrow\u{202f}space",
            "see www.un.org today",
            "at http://un.org",
            "as follows: none",
            "document A/69/720 of",
            "dashes — and “quotes” stay",
        ];
        let (mut plain, mut not) = (0, 0);
        for text in sources.iter().flat_map(|s| s.lines()).chain(odd) {
            let (mut slow, mut symbols) = (String::new(), 0);
            symbols_apart(text, &mut slow, &mut |_, _| symbols += 1);
            if plain_words(text) {
                let trimmed = text.trim_matches(' ');
                let fast = if trimmed.is_empty() { String::new() } else { format!("{trimmed} ") };
                assert_eq!((fast, symbols), (slow, 0), "{text:?}");
                plain += 1;
            } else {
                not += 1;
            }
        }
        assert!(plain > 100 && not > 10, "{plain} plain, {not} not");
        for text in &odd[3..14] {
            assert!(!plain_words(text), "{text:?}");
        }
    }

    #[test]
    fn breaks_fall_between_sentences() {
        let breaks = |t| {
            let mut out = Vec::new();
            sentence_breaks(&Unit::from_line(t), &mut out);
            out
        };
        assert_eq!(breaks("It ends. Next one"), vec![7]);
        assert_eq!(breaks("Recalling its resolution, Noting the report"), vec![23]);
        assert_eq!(breaks("a 3.5 rate; and more. (b) Then"), vec![17]);
        assert_eq!(breaks("他说。我们走"), vec![3]);
        assert_eq!(breaks("16. Also ends. Next"), vec![12]);
        assert!(breaks("No break, here.").is_empty());
    }

    #[test]
    fn breaks_are_counted_alike_in_whole_blocks_and_character_by_character() {
        // Long sentences, so that blocks of bytes are counted at once and end inside
        // characters, in four scripts and with white space from and outside ASCII.
        let scripts: [(&[&str], char, &str); 4] = [
            (&["Déclaration", "universelle", "des", "droits"], '.', " Le"),
            (&["Всеобщая", "декларация", "прав", "человека"], '.', " В"),
            (&["الإعلان", "العالمي", "لحقوق", "الإنسان"], '؟', " و"),
            (&["世界人权宣言", "联合国", "大会"], '。', "各"),
        ];
        for (words, stop, next) in scripts {
            for space in [" ", "\u{a0}", "\u{3000}", "  "] {
                for n in 1..30 {
                    let sentence: Vec<&str> = words.iter().cycle().take(n).copied().collect();
                    let first = format!("{}{stop}", sentence.join(space));
                    let text = format!("{first}{next} {}", sentence.join(space));
                    let mut out = Vec::new();
                    sentence_breaks(&Unit::from_line(&text), &mut out);
                    let visible = first.chars().filter(|c| !c.is_whitespace()).count() as u32;
                    assert_eq!(out, vec![visible], "{text:?}");
                }
            }
        }
    }

    #[test]
    fn folding_drops_case_and_accents() {
        let folded: String = "OrgANIZACIÓN Éçñ".chars().map(fold).collect();
        assert_eq!(folded, "organizacion ecn");
    }

    #[test]
    fn headings_run_into_a_paragraph_show_in_scripts_with_case() {
        let run_in = |t, lang| heading_run_in(&Unit::from_line(t), lang);
        assert_eq!(run_in("Summary The present report is submitted", "en"), Some(true));
        assert_eq!(run_in("Consideration of reports submitted by the Secretary-General 5. Working", "en"), Some(true));
        assert_eq!(run_in("Trafficking and exploitation of prostitution Please provide information", "en"), Some(true));
        assert_eq!(run_in("D. Violence against women We call for more information", "en"), Some(true));
        assert_eq!(run_in("Vienna, 9-17 March 2015 The Government of Australia reported", "en"), Some(true));
        assert_eq!(run_in("Développement durable La Mission permanente", "fr"), Some(true));
        assert_eq!(run_in("Nationality Please provide information", "en"), Some(true));
        assert_eq!(run_in("Brésil À ce titre, il vise", "fr"), Some(true));
        assert_eq!(run_in("Совет Международного органа по морскому дну 13 - 24 июля", "ru"), Some(true));
        assert_eq!(
            run_in("The Permanent Mission of the Kingdom of Bahrain to the United Nations presents", "en"),
            Some(false)
        );
        assert_eq!(run_in("It was adopted. The Committee then", "en"), Some(false));
        assert_eq!(run_in("可持续发展 巴林王国常驻联合国代表团", "zh"), None);
        assert!(heading_like("Sustainable development", "en"));
        assert!(heading_like("III. Cooperation", "en"));
        assert!(!heading_like("The Committee met.", "en"));
        assert!(!heading_like("Recalling its resolution,", "en"));
        assert!(!heading_like(&"long ".repeat(13), "en"));
    }
}
