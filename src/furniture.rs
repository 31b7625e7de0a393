//! What UN documents print around their text: document symbols, and the running heads and page
//! footers that PDF conversion leaves between paragraphs (page furniture). The ingest drops
//! furniture from the model; the aligner, which also reads plain lines, leaves it unaligned.
//! Both recognise it here, so that a line is furniture to both or to neither.

use std::collections::BTreeMap;

use crate::lang;

/// A UN document symbol: `A/69/720`, `CTOC/COP/WG.7/2019/4`, `E/CN.15/2015/1`, `A/69/722/Add.2`.
#[inline]
pub fn is_document_symbol(s: &str) -> bool {
    // The capital and the slash first, inlined: the aligner asks of every word, and they rule
    // nearly all out.
    s.starts_with(|c: char| c.is_ascii_uppercase())
        && s.contains('/')
        && symbol_segments(s.rsplit_once(' ').filter(|(_, year)| is_symbol_year(year)).map_or(s, |(symbol, _)| symbol))
}

/// `(2015)`: the year in a Security Council resolution's symbol, `S/RES/2196 (2015)`.
fn is_symbol_year(t: &str) -> bool {
    t.strip_prefix('(').and_then(|t| t.strip_suffix(')')).is_some_and(|y| {
        y.len() == 4 && (y.starts_with("19") || y.starts_with("20")) && y.bytes().all(|b| b.is_ascii_digit())
    })
}

fn symbol_segments(s: &str) -> bool {
    let mut segments = s.split('/');
    let Some(first) = segments.next() else { return false };
    if first.is_empty() || first.len() > 8 || !first.bytes().all(|b| b.is_ascii_uppercase()) {
        return false;
    }
    let mut count = 1;
    let mut has_digit = false;
    for seg in segments {
        count += 1;
        let Some(lead) = seg.bytes().next() else { return false };
        if !(lead.is_ascii_uppercase() || lead.is_ascii_digit())
            || !seg.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'(' | b')'))
        {
            return false;
        }
        has_digit |= seg.bytes().any(|b| b.is_ascii_digit());
    }
    count >= 2 && has_digit
}

/// A line that is page furniture: the document symbol (`A/69/720`, `E/CN.15/2015/1*`,
/// `S/RES/2196 (2015)`), with its part (`A/69/308 (Part II)`) and the page number a running
/// head prints beside it (`A/69/720 5`, `5 A/69/720`, `A/69/720 page 5`); the job number (`15-11931`,
/// `15-11931 (F)`, `GE.15-01234`, `V.19-05432`) with the date stamps printed after it on a
/// first page (`GE.15-01234 (F) 250115 260115`); the job number as a bar code's caption
/// (`*1501234*`); a page number (`2/4`, `- 3 -`) or page label in any of the six languages
/// (`Page 3 of 12`, `Página 3 de 12`, `стр. 5`, `第 3 页，共 12 页`); or several of these.
pub fn is_page_furniture(line: &str) -> bool {
    let line = line.trim();
    if line.is_empty() || line.len() > 80 {
        return false;
    }
    // Set in bold by the conversion (`**A/69/720**`, `__2/4__`).
    let bold = |mark: &str| line.strip_prefix(mark).and_then(|l| l.strip_suffix(mark));
    if bold("**").or_else(|| bold("__")).is_some_and(is_page_furniture) {
        return true;
    }
    if let Some(inner) = line.strip_prefix("- ").and_then(|l| l.strip_suffix(" -")) {
        return !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit());
    }
    if is_page_label(line) || is_recycling_note(line) {
        return true;
    }
    let (mut job, mut stamps, mut symbol, mut bare) = (false, false, false, false);
    let mut tokens = line.split_whitespace().peekable();
    while let Some(t) = tokens.next() {
        if is_job_number(t) || is_bar_code(t) {
            job = true;
        } else if is_date_stamp(t) {
            stamps = true;
        } else if is_document_symbol(t.trim_end_matches('*')) {
            symbol = true;
            tokens.next_if(|n| is_symbol_year(n));
            // `(Part II)`, `(Vol. I)`: the part of the document the symbol names.
            if tokens.next_if(|n| matches!(*n, "(Part" | "(Vol.")).is_some()
                && tokens.next_if(|n| is_part_number(n)).is_none()
            {
                return false;
            }
        } else if is_page_word(t) {
            // `page 5` beside a symbol: the label and its number.
            if tokens.next_if(|n| is_small_number(n)).is_none() {
                return false;
            }
            bare = true;
        } else if is_small_number(t) {
            bare = true;
        } else if !(is_page_number(t) || t.starts_with('第') && is_page_label(t)) {
            return false;
        }
        tokens.next_if(|n| is_language_tag(n));
    }
    // Six digits alone are a number of a table; after a job number, its printing dates. A
    // number alone is a table's too; beside a symbol, the page of a running head.
    (!stamps || job) && (!bare || symbol)
}

/// Which of a version's lines are page furniture: those [`is_page_furniture`] recognises,
/// and a date alone on its line within a page break's furniture, between two furniture lines
/// or beside two (blank lines count for nothing), as a footer prints the date of issue beside
/// the job number and the next page's running head. Elsewhere a date alone is a letter's, a
/// meeting's or a heading's, and stays content, even beside a single running head (on
/// `unpc-dev-hard`, taking those for furniture lost strict F1). Also a running head's title
/// line, beside furniture at several page breaks.
pub fn page_furniture<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<bool> {
    let lines: Vec<&str> = lines.into_iter().collect();
    let mut furniture: Vec<bool> = lines.iter().map(|l| is_page_furniture(l)).collect();
    let filled: Vec<usize> = (0..lines.len()).filter(|&k| !lines[k].trim().is_empty()).collect();
    // Whether the n-th filled line before (negative) or after is furniture.
    let is = |n: usize, d: isize| n.checked_add_signed(d).and_then(|m| filled.get(m)).is_some_and(|&k| furniture[k]);
    let dates: Vec<usize> = (0..filled.len())
        .filter(|&n| (is(n, -1) && (is(n, 1) || is(n, -2))) || (is(n, 1) && is(n, 2)))
        .map(|n| filled[n])
        .filter(|&k| lang::parse_date(lines[k]).is_some())
        .collect();
    // A running head's title line (`Report of the Secretary-General` under the symbol): the
    // same short line, no sentence, beside furniture at several page breaks. Twice may be a
    // heading and its repetition; a running head comes back on every page.
    let mut beside: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (n, &k) in filled.iter().enumerate() {
        if furniture[k] || !(is(n, -1) || is(n, 1)) {
            continue;
        }
        let line = lines[k].trim();
        if line.len() <= 120 && !line.ends_with(['.', ';', ':', '!', '?', '。', '；', '：']) {
            beside.entry(line).or_default().push(k);
        }
    }
    let titles: Vec<usize> = beside.into_values().filter(|at| at.len() >= RUNNING_TITLE_MIN).flatten().collect();
    for k in dates.into_iter().chain(titles) {
        furniture[k] = true;
    }
    furniture
}

/// How many page breaks a line must stand beside to be taken for a running head's title.
const RUNNING_TITLE_MIN: usize = 3;

/// `Please recycle`, in the six languages, under the bar code of a first page.
fn is_recycling_note(line: &str) -> bool {
    matches!(
        line.trim_start_matches('♲').trim(),
        "Please recycle"
            | "Merci de recycler"
            | "Se ruega reciclar"
            | "Просьба отправить на вторичную переработку"
            | "请回收"
            | "الرجاء إعادة الاستعمال"
    )
}

/// `page`, `Page`, `página`, `Страница`, `стр.`, `الصفحة`: the word before a page number.
fn is_page_word(t: &str) -> bool {
    matches!(
        t,
        "page"
            | "Page"
            | "p."
            | "página"
            | "Página"
            | "pág."
            | "Pág."
            | "страница"
            | "Страница"
            | "стр."
            | "Стр."
            | "الصفحة"
    )
}

/// `of`, `de`, `sur`, `из`, `من`: between a page number and the number of pages.
fn is_pages_word(t: &str) -> bool {
    matches!(t, "of" | "de" | "sur" | "из" | "من")
}

fn is_small_number(t: &str) -> bool {
    (1..=4).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit())
}

/// `II)`, `2)`: the number that closes `(Part II)`.
fn is_part_number(t: &str) -> bool {
    t.strip_suffix(')')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| matches!(b, b'I' | b'V' | b'X') || b.is_ascii_digit()))
}

/// A page label alone on its line: `Page 3`, `Page 3 of 12`, `Página 3 de 12`,
/// `Страница 3 из 12`, `الصفحة 3 من 12`, `第 3 页，共 12 页`, `第3页`.
fn is_page_label(line: &str) -> bool {
    if let Some(rest) = line.strip_prefix('第') {
        let compact: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
        let Some((page, rest)) = compact.split_once('页') else { return false };
        let total = rest.trim_start_matches(['，', ',', '/']).strip_prefix('共').and_then(|t| t.strip_suffix('页'));
        return is_small_number(page) && (rest.is_empty() || total.is_some_and(is_small_number));
    }
    let tokens: Vec<&str> = line.split_whitespace().collect();
    match tokens[..] {
        [word, page] => is_page_word(word) && word != "p." && is_small_number(page),
        [word, page, of, total] => {
            is_page_word(word) && is_small_number(page) && is_pages_word(of) && is_small_number(total)
        }
        _ => false,
    }
}

/// `(F)`, `(E)`: the language letter printed after a job number.
fn is_language_tag(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 3 && b[0] == b'(' && b[2] == b')' && b[1].is_ascii_uppercase()
}

fn is_job_number(t: &str) -> bool {
    let t = t.strip_prefix("GE.").or_else(|| t.strip_prefix("V.")).unwrap_or(t);
    let t = t.trim_end_matches(|c: char| c.is_ascii_uppercase() || c == '*');
    let b = t.as_bytes();
    b.len() == 8 && b[2] == b'-' && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit())
}

/// `*1501234*`: the job number's digits between asterisks, under the bar code of a first page.
fn is_bar_code(t: &str) -> bool {
    t.strip_prefix('*')
        .and_then(|t| t.strip_suffix('*'))
        .is_some_and(|d| d.len() == 7 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// `250115`: a day, month and year (DDMMYY) stamped after the job number.
fn is_date_stamp(t: &str) -> bool {
    let b = t.as_bytes();
    let two = |k: usize| u32::from(b[k] - b'0') * 10 + u32::from(b[k + 1] - b'0');
    b.len() == 6 && b.iter().all(u8::is_ascii_digit) && (1..=31).contains(&two(0)) && (1..=12).contains(&two(2))
}

fn is_page_number(t: &str) -> bool {
    match t.split_once('/') {
        Some((a, b)) => {
            !a.is_empty()
                && !b.is_empty()
                && a.len() <= 4
                && b.len() <= 4
                && a.bytes().chain(b.bytes()).all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols() {
        for s in [
            "A/69/720",
            "CTOC/COP/WG.7/2019/4",
            "E/CN.15/2015/1",
            "A/69/722/Add.2",
            "S/AGENDA/7383",
            "E/CN.6/2015/NGO/165",
            "S/RES/2196 (2015)",
        ] {
            assert!(is_document_symbol(s), "{s}");
        }
        for s in ["2/4", "and/or", "A/", "/69", "Vienne", "A/B", "S/RES/2196 (Part)", "S/RES/2196 (1850s)"] {
            assert!(!is_document_symbol(s), "{s}");
        }
    }

    #[test]
    fn a_date_is_furniture_within_furniture_only() {
        let lines = ["Text of the paragraph.", "15-01234 (E)", "", "8 January 2015", "A/69/720 3", "More text."];
        assert_eq!(page_furniture(lines), [false, true, false, true, true, false]);
        // A letter's date; a date after a running head, before text.
        let lines = ["Letter dated", "8 January 2015", "from the Permanent Representative", "A/69/720", "12 mars 2015"];
        assert_eq!(page_furniture(lines), [false, false, false, true, false]);
        let lines = ["A/69/720", "12 de marzo de 2015", "Texto."];
        assert_eq!(page_furniture(lines), [true, false, false]);
        // Beside two: the footer's first item, before the running head.
        let lines = ["Texte.", "2 décembre 2015", "Page 9 sur 21", "A/69/789 page 10", "Suite."];
        assert_eq!(page_furniture(lines), [false, true, true, true, false]);
    }

    #[test]
    fn a_running_heads_title_is_furniture_where_it_comes_back_at_page_breaks() {
        let page = |n: usize| {
            vec![
                "Text of a paragraph.",
                "A/69/799",
                "Report of the Secretary-General",
                if n == 0 { "More." } else { "Text." },
            ]
        };
        let pages: Vec<&str> = (0..3).flat_map(page).collect();
        let furniture = page_furniture(pages.iter().copied());
        let titles: Vec<bool> =
            pages.iter().zip(&furniture).filter(|(l, _)| l.starts_with("Report")).map(|(_, f)| *f).collect();
        assert_eq!(titles, [true, true, true]);
        assert!(pages.iter().zip(&furniture).all(|(l, f)| *f == (l.starts_with('A') || l.starts_with("Report"))));
        // Twice: a heading and its repetition may do that.
        let two: Vec<&str> = (0..2).flat_map(page).collect();
        assert!(two.iter().zip(page_furniture(two.iter().copied())).all(|(l, f)| f == l.starts_with('A')));
        // Three times, but never beside furniture: content.
        let repeated = ["Recommendation", "Text.", "Recommendation", "Text.", "Recommendation", "Text."];
        assert_eq!(page_furniture(repeated), [false; 6]);
    }

    #[test]
    fn furniture() {
        for s in [
            "15-11931",
            "15-11931 (F)",
            "GE.15-01234",
            "V.19-05432",
            "2/4",
            "- 3 -",
            "A/69/720",
            "A/69/720 15-11931",
            "16-59159 (C)",
            "E/CN.15/2015/1*",
            "A/69/695\t7/51",
            "A/69/722/Add.2",
            "GE.15-01234  (F)    250115    260115",
            "15-01234 (E)    030215",
            "*1501234*",
            "15-01234X",
            "A/69/308 (Part II) 6",
            "S/RES/2196 (2015)",
            "S/RES/2196 (2015) Page 6",
            "6 S/RES/2196 (2015)",
            "A/69/422/Add.1 8",
            "5 A/69/714",
            "A/69/693 page 3",
            "A/69/767 página 5",
            "A/69/767 стр. 5",
            "A/69/767 الصفحة 5",
            "Page 7 sur 32",
            "Page 3 of 12",
            "Página 11 de 29",
            "Страница 3 из 12",
            "الصفحة 3 من 12",
            "第 3 页，共 12 页",
            "第5页",
            "A/69/767 第5页",
            "Page 5",
            "Please recycle",
            "♲ Merci de recycler",
            "**A/69/720**",
            "__2/4__",
        ] {
            assert!(is_page_furniture(s), "{s}");
        }
        for s in [
            "ARSAT 1",
            "2013-041A",
            "11",
            "2014",
            "250115",
            "250115 260115",
            "Agenda item 3",
            "Agenda item 136",
            "See A/69/720.",
            "and/or",
            "(F)",
            "- -",
            "*123*",
            "**Agenda item 3**",
            "",
            "8 January 2015",
            "5 12",
            "page 3 of the report",
            "Page",
            "p. 5",
            "A/69/308 (Part",
            "A/69/308 (Part two)",
            "(2015)",
            "resolution S/RES/2196 (2015)",
            "第三章",
            "第 3 页，共",
            "Chapter 5 of 12",
        ] {
            assert!(!is_page_furniture(s), "{s}");
        }
    }
}
