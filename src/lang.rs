//! Language facts: ISO 639 codes, and the words UN headers use in the six official languages.

/// ISO 639-1 codes (the 183 two-letter codes of the standard).
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy \
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik \
io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt \
my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so \
sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

pub fn is_iso639_1(code: &str) -> bool {
    // Each code is two letters and a space: compared in place, as splitting costs a search
    // per code, for every file of every document.
    code.len() == 2 && ISO_639_1.as_bytes().chunks(3).any(|c| c.starts_with(code.as_bytes()))
}

/// ISO 639-2 (bibliographic-free, terminology) code used in Akoma Ntoso IRIs.
pub fn iso639_2(code: &str) -> Option<&'static str> {
    Some(match code {
        "ar" => "ara",
        "en" => "eng",
        "es" => "spa",
        "fr" => "fra",
        "ru" => "rus",
        "zh" => "zho",
        "de" => "deu",
        "pt" => "por",
        "it" => "ita",
        _ => return None,
    })
}

/// Names of the six languages as UN headers write them, in each of the six languages
/// (`Original : anglais`, `Original: inglés`, `Français`, `Chinese`…), lower-cased.
const LANGUAGE_NAMES: &[(&str, &[&str])] = &[
    ("ar", &["arabic", "arabe", "árabe", "арабский", "阿拉伯文", "阿拉伯语", "العربية", "عربي"]),
    (
        "en",
        &[
            "english",
            "anglais",
            "inglés",
            "ingles",
            "английский",
            "英文",
            "英语",
            "الإنكليزية",
            "الانكليزية",
            "الإنجليزية",
            "الانجليزية",
            "إنكليزي",
        ],
    ),
    (
        "es",
        &[
            "spanish",
            "espagnol",
            "español",
            "espanol",
            "испанский",
            "西班牙文",
            "西班牙语",
            "الإسبانية",
            "الاسبانية",
            "إسباني",
        ],
    ),
    (
        "fr",
        &["french", "français", "francais", "francés", "frances", "французский", "法文", "法语", "الفرنسية", "فرنسي"],
    ),
    ("ru", &["russian", "russe", "ruso", "русский", "俄文", "俄语", "الروسية", "روسي"]),
    ("zh", &["chinese", "chinois", "chino", "китайский", "中文", "汉语", "الصينية", "صيني"]),
];

/// The code of a language named in a header line, whatever the language of the header.
pub fn code_for_name(name: &str) -> Option<&'static str> {
    let name = name.trim().trim_end_matches(['.', ';']).trim();
    // No name holds a space or a digit, which lower-casing keeps: most lines stop here.
    if name.bytes().any(|b| b == b' ' || b.is_ascii_digit()) {
        return None;
    }
    let name = name.to_lowercase();
    LANGUAGE_NAMES.iter().find(|(_, names)| names.contains(&name.as_str())).map(|(code, _)| *code)
}

/// Month names in the date conventions of UN headers (en, fr, es, ru in the genitive, ar as
/// the name after the slash).
const MONTHS: [&[&str]; 12] = [
    &["january", "janvier", "enero", "января", "январь", "يناير"],
    &["february", "février", "fevrier", "febrero", "февраля", "февраль", "فبراير"],
    &["march", "mars", "marzo", "марта", "март", "مارس"],
    &["april", "avril", "abril", "апреля", "апрель", "أبريل"],
    &["may", "mai", "mayo", "мая", "май", "مايو"],
    &["june", "juin", "junio", "июня", "июнь", "يونيه"],
    &["july", "juillet", "julio", "июля", "июль", "يوليه"],
    &["august", "août", "aout", "agosto", "августа", "август", "أغسطس"],
    &["september", "septembre", "septiembre", "setiembre", "сентября", "сентябрь", "سبتمبر"],
    &["october", "octobre", "octubre", "октября", "октябрь", "أكتوبر"],
    &["november", "novembre", "noviembre", "ноября", "ноябрь", "نوفمبر"],
    &["december", "décembre", "decembre", "diciembre", "декабря", "декабрь", "ديسمبر"],
];

/// Parses a header date as UN documents write it — `16 mars 2022`, `9 November 2015`,
/// `1er juin 2012`, `21 de junio de 2019`, `2015年11月9日` — into `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<String> {
    let text = text.trim().trim_end_matches('.');
    if !text.bytes().any(|b| b.is_ascii_digit()) || text.len() > 64 {
        return None;
    }
    if let Some(iso) = parse_cjk_date(text) {
        return Some(iso);
    }
    // Three words, counted before anything is lower-cased: most short lines with a digit
    // (symbols, job numbers, page numbers) are not dates and stop here.
    // Arabic names a month twice, `آذار/مارس`, some in two words (`كانون الثاني/يناير`):
    // the name after the slash is enough.
    let mut words = text
        .split(char::is_whitespace)
        .filter(|w| !w.is_empty() && !matches!(*w, "de" | "del" | "г." | "года" | "г" | "كانون" | "تشرين"))
        .map(|w| w.trim_end_matches(','))
        .map(|w| if w.starts_with(|c: char| !c.is_ascii()) { w.rsplit('/').next().unwrap_or(w) } else { w });
    let (Some(day), Some(month), Some(year), None) = (words.next(), words.next(), words.next(), words.next()) else {
        return None;
    };
    let day: u32 = day.to_lowercase().trim_end_matches("er").trim_end_matches('º').parse().ok()?;
    let month = month.to_lowercase();
    let month = MONTHS.iter().position(|names| names.contains(&month.as_str()))? as u32 + 1;
    let year: u32 = year.to_lowercase().parse().ok()?;
    iso_date(year, month, day)
}

fn parse_cjk_date(text: &str) -> Option<String> {
    let (year, rest) = text.split_once('年')?;
    let (month, rest) = rest.split_once('月')?;
    let day = rest.strip_suffix('日')?;
    iso_date(year.trim().parse().ok()?, month.trim().parse().ok()?, day.trim().parse().ok()?)
}

fn iso_date(year: u32, month: u32, day: u32) -> Option<String> {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let valid =
        (1000..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days[month as usize - 1];
    valid.then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// Whether `text` is an ISO date `YYYY-MM-DD` that exists.
pub fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |s: &str| s.parse::<u32>().ok();
    match (num(&text[0..4]), num(&text[5..7]), num(&text[8..10])) {
        (Some(y), Some(m), Some(d)) => iso_date(y, m, d).is_some(),
        _ => false,
    }
}

/// A character of Chinese or Japanese writing: ideographs, kana, their punctuation and
/// full-width forms. Such text puts no space between words, and a character says about as
/// much as a word does elsewhere.
pub fn is_wide(c: char) -> bool {
    ('\u{2e80}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)
}

/// Scripts that do not mark sentence or proper-noun starts with capitals.
pub fn is_caseless(lang: &str) -> bool {
    matches!(lang, "zh" | "ja" | "ar" | "fa" | "he" | "ko" | "th")
}

/// A character that ends a sentence or a clause, or closes a quotation after one.
pub fn is_terminal(c: char) -> bool {
    ".!?;:。！？؟؛；：…»\"”)）".contains(c)
}

/// A place where a paragraph may open after a heading run into it (see [`heading_seams`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seam {
    /// The byte offset of the paragraph's first word.
    pub at: usize,
    /// Whether that word is one that opens paragraphs (an article, a pronoun, a paragraph
    /// number), not only a capital, which names inside a heading have too.
    pub opens: bool,
}

/// Where, in `text` (a line less its number), a paragraph may open after a heading run into
/// it ("Summary The present report ...", "Trafficking and exploitation of prostitution Please
/// provide ...", "Consideration of reports 5. Working ..."): within its first words, before
/// any sentence end, a paragraph number, a capitalised word that opens sentences, or, after a
/// word that does not call for a continuation (`the`, `of`), a capital following the first
/// word or a word in lower case, or digits following a word in lower case. Those words, in
/// order, found as they are asked for; `None` in a script without case, where the seam does
/// not show.
pub fn heading_seams<'a>(text: &'a str, lang: &'a str) -> Option<impl Iterator<Item = Seam> + 'a> {
    let openers = match lang {
        "en" => "The This These A An In On At By For During Since Following Upon Under With Pursuant As It Its We I",
        "fr" => "Le La Les Un Une Dans En Au Aux Par Pour Depuis Lors Conformément Selon Il Elle Nous Je Ce Cette Ces",
        "es" => "El La Los Las Un Una En Con Por Para Desde Durante Según Tras Conforme Al Este Esta Estos Nosotros",
        "ru" => "В На По С При Для Во Как Эти Этот Это Мы Я Он Она Они Согласно После",
        _ => return None,
    };
    let mut words = text.split_whitespace();
    let first = words.next().unwrap_or("");
    let seams = words.take(12).enumerate().scan(first, move |prev, (n, word)| {
        // A first word ending in a full stop may be a heading's label ("D.").
        if n > 0 && prev.ends_with(is_terminal) {
            return None;
        }
        let number =
            word.ends_with('.') && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit()) && word.len() > 1;
        let capital = word.starts_with(char::is_uppercase);
        let opener =
            openers.split(' ').any(|o| o == word) || (lang == "fr" && ["L'", "L’"].iter().any(|o| word.starts_with(o)));
        let continued = dangles(&prev.to_lowercase(), lang);
        // After a first word, any capital: "Nationality Please provide", "Brésil À ce titre".
        let after_lower = n == 0 || !prev.starts_with(char::is_uppercase);
        let digits = word.starts_with(|c: char| c.is_ascii_digit()) && prev.ends_with(char::is_lowercase);
        let seam = (!continued && (number || opener || digits || (capital && after_lower)))
            .then(|| Seam { at: word.as_ptr() as usize - text.as_ptr() as usize, opens: number || opener });
        *prev = word;
        Some(seam)
    });
    Some(seams.flatten())
}

/// Whether `line` stops where no paragraph or heading can: inside brackets, or on a word that
/// needs a continuation (an article, a preposition, a conjunction: "Draft decision submitted by
/// the", "Ouverture du", "蒙古国关于巩固其国际安全和"). Only the commonest such words of each
/// language are listed: each is the last word of a paragraph split by a page far more often
/// than the last word of a heading.
pub fn dangles(line: &str, lang: &str) -> bool {
    let depth: i32 = line
        .chars()
        .map(|c| match c {
            '(' | '（' => 1,
            ')' | '）' => -1,
            _ => 0,
        })
        .sum();
    if depth > 0 {
        return true;
    }
    if matches!(lang, "zh" | "ja") {
        let mut rev = line.chars().rev();
        // "及" after "；" ends a list item that the next line may not continue.
        return rev.next().is_some_and(|c| "的和与及或在对并把被将由从向以为".contains(c))
            && rev.next().is_some_and(|c| c.is_alphabetic());
    }
    let Some(last) = line.split_whitespace().next_back() else { return false };
    // Words that do not end a sentence or a heading, space-separated.
    let words = match lang {
        "en" => {
            "the of and by to for in on at a an with from or its their that which whose into upon between \
            under against through within be is are was were has have had not this these those such our his \
            her been"
        }
        "fr" => {
            "de du des la le les et à au aux en par pour sur avec dans que qui un une ou ne se sa son ses \
            leur leurs entre sans vers contre est sont a ont ce cette ces dont"
        }
        "es" => {
            "de del la el los las y a al en por para con sobre su sus que un una o e u se lo entre sin según \
            hacia desde ante es son ha han este esta estos estas cuyo cuya"
        }
        "ru" => {
            "и в на по с к о об для от из или при за до со во что который которая которое которые а но не его \
            их ее её между через против под над после перед этого этой этих чтобы"
        }
        "ar" => {
            "في من على إلى عن مع أو بين أن التي الذي الذين لدى حول ضد عند منذ حتى خلال بشأن قبل بعد و ما لا \
            لم لن إن هذه هذا"
        }
        _ => "",
    };
    words.split_whitespace().any(|w| w == last)
        || (lang == "fr" && (last.ends_with("l'") || last.ends_with("d'") || last.ends_with("l’")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heading_run_into_a_paragraph_shows_where_the_paragraph_opens() {
        fn seams<'t>(text: &'t str, lang: &str) -> Option<Vec<(&'t str, bool)>> {
            heading_seams(text, lang).map(|s| s.map(|s| (&text[s.at..], s.opens)).collect())
        }
        let vienna = "Vienna, 9-17 March 2015 The Government reported";
        let found = [("March 2015 The Government reported", false), ("2015 The Government reported", false)];
        assert_eq!(seams(vienna, "en").unwrap()[..2], found);
        assert_eq!(seams(vienna, "en").unwrap()[2], ("The Government reported", true));
        assert_eq!(seams("Consideration of reports 5. Working", "en"), Some(vec![("5. Working", true)]));
        // No further than a sentence end; none where the script has no case.
        assert_eq!(seams("Summary of the report. It was", "en"), Some(vec![]));
        assert_eq!(seams("可持续发展 巴林王国常驻联合国代表团", "zh"), None);
    }

    #[test]
    fn dangling_ends() {
        assert!(dangles("Draft decision submitted by the", "en"));
        assert!(dangles("Ouverture du", "fr"));
        assert!(dangles("Recommandations de l'", "fr"));
        assert!(dangles("蒙古国关于巩固其国际安全和", "zh"));
        assert!(dangles("Odo Tevi (Vanuatu", "en"));
        assert!(dangles("奥多·特雷维(", "zh"));
        assert!(!dangles("Statement by the President", "en"));
        assert!(!dangles("A. Date and place (a)", "en"));
        assert!(!dangles("6. 减少时间表的关系如何；及", "zh"));
        assert!(!dangles("Informe del", "de"));
    }

    #[test]
    fn dates_in_un_conventions() {
        assert_eq!(parse_date("16 mars 2022").as_deref(), Some("2022-03-16"));
        assert_eq!(parse_date("9 November 2015").as_deref(), Some("2015-11-09"));
        assert_eq!(parse_date("1er juin 2012").as_deref(), Some("2012-06-01"));
        assert_eq!(parse_date("21 de junio de 2019").as_deref(), Some("2019-06-21"));
        assert_eq!(parse_date("2015年11月9日").as_deref(), Some("2015-11-09"));
        assert_eq!(parse_date("9 ноября 2015 года").as_deref(), Some("2015-11-09"));
        assert_eq!(parse_date("12 آذار/مارس 2015").as_deref(), Some("2015-03-12"));
        assert_eq!(parse_date("9 تشرين الثاني/نوفمبر 2015").as_deref(), Some("2015-11-09"));
        assert_eq!(parse_date("31 février 2022"), None);
        assert_eq!(parse_date("Français"), None);
    }

    #[test]
    fn language_names() {
        assert_eq!(code_for_name("anglais"), Some("en"));
        assert_eq!(code_for_name("English"), Some("en"));
        assert_eq!(code_for_name("inglés"), Some("en"));
        assert_eq!(code_for_name("Français"), Some("fr"));
        assert_eq!(code_for_name("klingon"), None);
        assert!(is_iso639_1("zh") && !is_iso639_1("xx") && !is_iso639_1("eng"));
        assert!(ISO_639_1.split(' ').all(|c| c.len() == 2 && is_iso639_1(c)));
        assert_eq!(ISO_639_1.split(' ').count(), 183);
        assert!(is_iso_date("2019-06-21") && !is_iso_date("2019-02-30"));
    }
}
