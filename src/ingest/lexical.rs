//! Word-level recognisers shared by the ingest: stray marks, numbering, a coarse language guess
//! for inline spans (document symbols and page furniture: [`crate::furniture`]).

/// A line holding only a dash, bullet or similar stray mark (left by the PDF conversion), or a
/// rule: the line above a page's footnotes (`______`), a thematic break (`---`, `* * *`).
pub fn is_stray(line: &str) -> bool {
    let line = line.trim();
    let mark = |c: char| matches!(c, '-' | '–' | '—' | '_' | '•' | '·' | '|' | '~');
    // Three characters take at most 12 bytes: longer lines are not counted.
    let short = line.len() <= 12 && line.chars().count() <= 3 && line.chars().all(mark);
    let first = line.chars().next();
    let rule = first.is_some_and(|r| matches!(r, '-' | '_' | '*' | '=' | '—' | '–'))
        && line.len() <= 120
        && line.chars().all(|c| Some(c) == first || c == ' ')
        && line.chars().filter(|&c| c != ' ').nth(2).is_some();
    !line.is_empty() && (short || rule)
}

/// The number of a numbered paragraph at the start of `line`: `12.`, `12 -` (Arabic
/// convention), `١٢.`. Returns the number as written, its value and where the text starts.
pub fn paragraph_number(line: &str) -> Option<(&str, u32, usize)> {
    let lead = line.len() - line.trim_start().len();
    let s = &line[lead..];
    let digits_end = s.char_indices().find(|(_, c)| !is_decimal_digit(*c)).map(|(i, _)| i)?;
    if digits_end == 0 || s[..digits_end].chars().count() > 3 {
        return None;
    }
    let value = decimal_value(&s[..digits_end])?;
    let after = &s[digits_end..];
    let num_len = if after.strip_prefix('.').is_some_and(opens_with_space) || after.starts_with('．') {
        digits_end + after.chars().next().map_or(1, char::len_utf8)
    } else if let Some(dash) = after.strip_prefix(SPACES).filter(|a| a.starts_with(['-', '–'])) {
        digits_end + (after.len() - dash.len()) + dash.chars().next().map_or(1, char::len_utf8)
    } else {
        return None;
    };
    let text_start = lead + num_len + s[num_len..].len() - s[num_len..].trim_start().len();
    if text_start >= line.len() {
        return None;
    }
    Some((&s[..num_len], value, text_start))
}

/// What may follow a number: a space, a tab, or the no-break spaces a word processor puts
/// after paragraph numbers.
const SPACES: [char; 4] = [' ', '\t', '\u{a0}', '\u{202f}'];

fn opens_with_space(s: &str) -> bool {
    s.starts_with(SPACES)
}

fn is_decimal_digit(c: char) -> bool {
    c.is_ascii_digit() || ('\u{660}'..='\u{669}').contains(&c) || ('\u{6f0}'..='\u{6f9}').contains(&c)
}

fn decimal_value(s: &str) -> Option<u32> {
    s.chars().try_fold(0u32, |acc, c| {
        let d = match c {
            '0'..='9' => c as u32 - '0' as u32,
            '\u{660}'..='\u{669}' => c as u32 - 0x660,
            '\u{6f0}'..='\u{6f9}' => c as u32 - 0x6f0,
            _ => return None,
        };
        acc.checked_mul(10)?.checked_add(d)
    })
}

/// A list letter at the start of `line`: `a)`, `(a)`, `- a)`, `б)`. Returns the letter as
/// written (without any leading dash), its position in its alphabet (a = 1) and where the
/// text starts. The leading dash, if any, is returned as markup.
pub fn item_letter(line: &str) -> Option<(&str, &str, u32, usize)> {
    let lead = line.len() - line.trim_start().len();
    let mut s = &line[lead..];
    for d in ["- ", "– ", "• "] {
        if let Some(rest) = s.strip_prefix(d) {
            s = rest.trim_start();
        }
    }
    // Every marker before the letter (`- • a)` has two) is returned, so none is lost.
    let dash = line[lead..line.len() - s.len()].trim_end();
    let start = line.len() - s.len();
    let mut chars = s.char_indices();
    let (open_paren, letter) = match chars.next()? {
        (_, '(') => (true, chars.next()?.1),
        (_, c) => (false, c),
    };
    let index = letter_index(letter)?;
    let close = if open_paren { 1 + letter.len_utf8() } else { letter.len_utf8() };
    if !s[close..].strip_prefix(')').is_some_and(opens_with_space) {
        return None;
    }
    let num_len = close + 1;
    let text_start = start + num_len + s[num_len..].len() - s[num_len..].trim_start().len();
    if text_start >= line.len() {
        return None;
    }
    Some((dash, &s[..num_len], index, text_start))
}

/// Position of a lower-case list letter in its alphabet (Latin, or Cyrillic as Russian
/// documents number their items а), б), в)…).
pub fn letter_index(c: char) -> Option<u32> {
    const CYRILLIC: &str = "абвгдежзиклмнопрстуфхцчшщэюя";
    if c.is_ascii_lowercase() {
        Some(c as u32 - 'a' as u32 + 1)
    } else {
        CYRILLIC.chars().position(|x| x == c).map(|i| i as u32 + 1)
    }
}

/// A heading number: Roman (`IV.`), capital letter (`B.`), or Chinese (`一、`).
/// Returns the number as written, its rank (1 Roman, 2 letter), value, and text start.
pub fn heading_number(line: &str) -> Option<(&str, u8, u32, usize)> {
    let s = line.trim_start();
    let lead = line.len() - s.len();
    // Heading numbers are short: look for their full stop among the first characters only.
    let word_end = s.char_indices().take(10).find(|(_, c)| matches!(c, '.' | '、')).map(|(i, _)| i)?;
    let sep_len = s[word_end..].chars().next().map_or(1, char::len_utf8);
    let after = &s[word_end + sep_len..];
    if !(opens_with_space(after) || s[word_end..].starts_with('、')) {
        return None;
    }
    let num = &s[..word_end + sep_len];
    let (rank, value) = heading_value(num)?;
    let text_start = lead + word_end + sep_len + after.len() - after.trim_start().len();
    (text_start < line.len()).then_some((num, rank, value, text_start))
}

/// Value of a paragraph number as stored in the model (`12.`, `12 -`, `١٢.`).
pub fn paragraph_value(num: &str) -> Option<u32> {
    let digits = num.trim_end_matches(['.', '．', '-', '–']).trim_end_matches(SPACES);
    (!digits.is_empty() && digits.len() < num.len() && digits.chars().count() <= 3)
        .then(|| decimal_value(digits))
        .flatten()
}

/// Rank (1 Roman, 2 capital letter) and value of a heading number as stored (`IV.`, `B.`,
/// `二、`).
pub fn heading_value(num: &str) -> Option<(u8, u32)> {
    let word = num.strip_suffix('.').or_else(|| num.strip_suffix('、'))?;
    if let Some(v) = roman_value(word) {
        Some((1, v))
    } else if word.len() == 1 && word.as_bytes()[0].is_ascii_uppercase() {
        Some((2, (word.as_bytes()[0] - b'A' + 1) as u32))
    } else {
        chinese_numeral(word).map(|v| (1, v))
    }
}

/// Position in the alphabet of a list letter as stored (`a)`, `(b)`, `б)`).
pub fn item_value(num: &str) -> Option<u32> {
    let inner = num.strip_suffix(')')?;
    let inner = inner.strip_prefix('(').unwrap_or(inner);
    let mut chars = inner.chars();
    let letter = chars.next()?;
    chars.next().is_none().then(|| letter_index(letter)).flatten()
}

pub fn roman_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 8 {
        return None;
    }
    let value = |c| match c {
        b'I' => Some(1),
        b'V' => Some(5),
        b'X' => Some(10),
        b'L' => Some(50),
        b'C' => Some(100),
        _ => None,
    };
    // At most eight digits: on the stack, as this runs for every numbered block.
    let mut buf = [0u32; 8];
    for (d, b) in buf.iter_mut().zip(s.bytes()) {
        *d = value(b)?;
    }
    let digits = &buf[..s.len()];
    let mut total = 0;
    for (i, d) in digits.iter().enumerate() {
        if digits.get(i + 1).is_some_and(|n| n > d) { total -= *d as i32 } else { total += *d as i32 }
    }
    let total = u32::try_from(total).ok().filter(|t| *t > 0)?;
    // A single capital I/V/X/L/C could be a letter heading; only I, V and X are read as Roman
    // when alone, since "C." and "L." are more often letters.
    (s.len() > 1 || matches!(s, "I" | "V" | "X")).then_some(total)
}

fn chinese_numeral(s: &str) -> Option<u32> {
    const DIGITS: &str = "一二三四五六七八九";
    let chars: Vec<char> = s.chars().collect();
    let digit = |c: char| DIGITS.chars().position(|d| d == c).map(|i| i as u32 + 1);
    match chars.as_slice() {
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', d] => Some(10 + digit(*d)?),
        [d, '十'] => Some(digit(*d)? * 10),
        [a, '十', b] => Some(digit(*a)? * 10 + digit(*b)?),
        _ => None,
    }
}

/// Coarse language of a short passage: script for ar, ru, zh; function words for the Latin
/// scripts. `None` when the evidence is too thin.
pub fn guess_language(span: &str) -> Option<&'static str> {
    let mut han = 0;
    let mut arabic = 0;
    let mut cyrillic = 0;
    let mut latin = 0;
    for c in span.chars() {
        match c {
            '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' => han += 1,
            '\u{600}'..='\u{6ff}' => arabic += 1,
            '\u{400}'..='\u{4ff}' => cyrillic += 1,
            c if c.is_alphabetic() => latin += 1,
            _ => {}
        }
    }
    let total = han + arabic + cyrillic + latin;
    if total < 4 {
        return None;
    }
    if han * 2 > total {
        return Some("zh");
    }
    if arabic * 2 > total {
        return Some("ar");
    }
    if cyrillic * 2 > total {
        return Some("ru");
    }
    const FUNCTION_WORDS: [(&str, &[&str]); 3] = [
        (
            "en",
            &[
                "the", "of", "and", "to", "in", "for", "on", "with", "by", "from", "against", "at", "is", "are", "its",
                "their", "this", "that", "an", "or",
            ],
        ),
        (
            "fr",
            &[
                "le", "la", "les", "des", "du", "de", "et", "en", "pour", "sur", "dans", "par", "une", "un", "au",
                "aux", "est", "contre", "avec", "l'", "d'",
            ],
        ),
        (
            "es",
            &[
                "el", "la", "los", "las", "de", "del", "y", "en", "para", "por", "con", "una", "un", "al", "contra",
                "sobre",
            ],
        ),
    ];
    let words: Vec<String> = span
        .split(|c: char| !c.is_alphabetic() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.len() < 3 {
        return None;
    }
    let mut scores: Vec<(usize, &str)> = FUNCTION_WORDS
        .iter()
        .map(|(lang, list)| (words.iter().filter(|w| list.contains(&w.as_str())).count(), *lang))
        .collect();
    scores.sort_by_key(|s| std::cmp::Reverse(s.0));
    (scores[0].0 >= 2 && scores[0].0 >= 2 * scores[1].0).then_some(scores[0].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering() {
        assert_eq!(paragraph_number("12. Le Groupe"), Some(("12.", 12, 4)));
        assert_eq!(paragraph_number("  4. La Thaïlande"), Some(("4.", 4, 5)));
        assert_eq!(paragraph_number("12 - يرحب"), Some(("12 -", 12, 5)));
        assert_eq!(paragraph_number("2015 was"), None);
        assert_eq!(paragraph_number("1.5 million"), None);
        assert_eq!(item_letter(" - a) Ouverture"), Some(("-", "a)", 1, 6)));
        assert_eq!(item_letter(" - • a) Ouverture"), Some(("- •", "a)", 1, 10)));
        assert_eq!(item_letter("(b) States"), Some(("", "(b)", 2, 4)));
        assert_eq!(item_letter("б) меры"), Some(("", "б)", 2, 4)));
        assert_eq!(heading_number("IV. Organisation"), Some(("IV.", 1, 4, 4)));
        assert_eq!(heading_number("B. Déclarations"), Some(("B.", 2, 2, 3)));
        assert_eq!(heading_number("二、 背景"), Some(("二、", 1, 2, 7)));
        assert_eq!(heading_number("M.Smith"), None);
        assert_eq!(paragraph_value("12."), Some(12));
        assert_eq!(paragraph_value("12 -"), Some(12));
        assert_eq!(paragraph_value("12"), None);
        assert_eq!(heading_value("IV."), Some((1, 4)));
        assert_eq!(heading_value("B."), Some((2, 2)));
        assert_eq!(heading_value("二、"), Some((1, 2)));
        assert_eq!(item_value("(c)"), Some(3));
        assert_eq!(item_value("б)"), Some(2));
        assert_eq!(item_value("ab)"), None);
        // A word processor's no-break space after the number.
        assert_eq!(paragraph_number("12.\u{a0}Le Groupe"), Some(("12.", 12, 5)));
        assert_eq!(paragraph_number("12\u{a0}- يرحب"), Some(("12\u{a0}-", 12, 6)));
        assert_eq!(paragraph_value("12\u{a0}-"), Some(12));
        assert_eq!(item_letter("(b)\u{202f}States"), Some(("", "(b)", 2, 6)));
        assert_eq!(heading_number("IV.\u{a0}Organisation"), Some(("IV.", 1, 4, 5)));
    }

    #[test]
    fn stray_marks_and_rules() {
        for line in ["-", "•", " — ", "___", "________________________", "---", "-----", "* * *", "==="] {
            assert!(is_stray(line), "{line:?}");
        }
        for line in ["", "--a", "-_-_-_", "**", "- 3 -", "* Note", "a)", "----- Texte"] {
            assert!(!is_stray(line), "{line:?}");
        }
    }

    #[test]
    fn language_guess() {
        assert_eq!(
            guess_language("Smuggling of Migrants: Compendium and Thematic Index of Recommendations"),
            Some("en")
        );
        assert_eq!(guess_language("Trafic de migrants : Recueil et index thématique des recommandations"), Some("fr"));
        assert_eq!(guess_language("suite"), None);
        assert_eq!(guess_language("联合国毒品和犯罪问题办公室"), Some("zh"));
    }
}
