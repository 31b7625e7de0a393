//! Sentence segmentation for UN text in ar, en, es, fr, ru, zh.
//!
//! A sentence ends after `.`, `!`, `?`, `…`, `؟`, `。`, `！`, `？` (with any closing quotes or
//! brackets) when more text follows, except:
//! - after an abbreviation of the language (`M.`, `Mme`, `No.`, `par.`, `г.`, `т.е.`, …), an
//!   initial (`J. Smith`) or a dotted acronym (`U.S.`, `EE.UU.`);
//! - after a numbered-item label that opens the sentence (`12.`, `IV.`, `a.`);
//! - when the next word starts with a lower-case letter (a Latin or Cyrillic sentence never
//!   does), or no space follows (decimals `3.5`, symbols `A/RES/70/1`, `www.un.org`);
//!
//! Chinese full-width terminators need no following space. French spacing before `: ; ? !`
//! (NBSP, NNBSP) is whitespace like any other.

const CLOSERS: &[char] = &['"', '\'', ')', ']', '”', '’', '»', '」', '』', '）', '】', '›'];

fn abbreviations(lang: &str) -> &'static [&'static str] {
    match lang {
        "en" => &[
            "mr", "mrs", "ms", "dr", "prof", "st", "no", "nos", "p", "pp", "para", "paras", "art", "arts", "vol",
            "vols", "inc", "ltd", "co", "corp", "jr", "sr", "cf", "viz", "approx", "fig", "figs", "rev", "add", "corr",
            "suppl", "gen", "gov", "amb", "hon", "sect", "chap", "ch", "ed", "eds", "op", "cit", "ibid", "annex",
            "e.g", "i.e", "etc",
        ],
        "fr" => &[
            "m", "mm", "mme", "mmes", "mlle", "mlles", "dr", "pr", "me", "art", "p", "pp", "par", "al", "vol", "no",
            "nos", "n°", "cf", "éd", "chap", "st", "ste", "av", "etc", "op", "cit", "ibid", "suppl", "rev", "add",
            "corr", "sect", "annexe", "s.e", "c.-à-d",
        ],
        "es" => &[
            "sr", "sra", "sres", "sras", "srta", "dr", "dra", "excmo", "excma", "núm", "no", "nos", "art", "arts",
            "párr", "párrs", "pág", "págs", "p", "pp", "vol", "etc", "ud", "uds", "cap", "op", "cit", "ibid", "rev",
            "add", "corr", "sec", "av", "lic", "ing",
        ],
        "ru" => &[
            "г", "гг", "ст", "т.е", "т.д", "т.п", "др", "пп", "п", "стр", "с", "им", "чел", "млн", "млрд", "тыс",
            "руб", "долл", "англ", "см", "рис", "гл", "ок", "р", "т", "прим", "г-н", "г-жа", "д-р", "тел", "кв", "мин",
        ],
        "ar" => &["د", "م", "ص", "ج", "ه"],
        _ => &["mr", "mrs", "ms", "dr", "no", "p", "pp", "para", "art", "vol", "etc", "e.g", "i.e", "inc"],
    }
}

/// The bytes that can begin a terminator: `.!?`, and the lead bytes of `…` (E2), `؟` (D8),
/// `。` (E3), `！？` (EF). A table, because every byte of every paragraph is looked up.
const MAY_TERMINATE: [bool; 256] = {
    let mut table = [false; 256];
    let mut k = 0;
    let bytes = [b'.', b'!', b'?', 0xD8, 0xE2, 0xE3, 0xEF];
    while k < bytes.len() {
        table[bytes[k] as usize] = true;
        k += 1;
    }
    table
};

/// Splits `text` into sentences (trimmed slices of it, never empty).
pub fn sentences<'t>(text: &'t str, lang: &str) -> Vec<&'t str> {
    let abbr = abbreviations(lang);
    let bytes = text.as_bytes();
    // Offsets are in bytes; the character at an offset, if any.
    let at = |i: usize| text.get(i..).and_then(|t| t.chars().next());
    // Skips the characters `keep` accepts from offset `i`.
    let skip = |mut i: usize, keep: &dyn Fn(char) -> bool| {
        while let Some(c) = at(i).filter(|&c| keep(c)) {
            i += c.len_utf8();
        }
        i
    };
    let mut out = Vec::new();
    let mut start = 0usize; // the current sentence
    let mut k = 0usize;
    while let Some(skipped) = bytes[k..].iter().position(|&b| MAY_TERMINATE[usize::from(b)]) {
        k += skipped;
        let Some(c) = at(k) else { break };
        let cjk = matches!(c, '。' | '！' | '？');
        if !(cjk || matches!(c, '.' | '!' | '?' | '…' | '؟')) {
            k += c.len_utf8();
            continue;
        }
        // Take a run of terminators and closers: "?!", ".)", "。」", "…»".
        let mut end = skip(k + c.len_utf8(), &|c| {
            matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？' | '؟') || CLOSERS.contains(&c)
        });
        // French puts a (narrow) no-break space before a closing guillemet.
        let e2 = skip(end, &char::is_whitespace);
        if e2 > end && at(e2) == Some('»') {
            end = e2 + '»'.len_utf8();
        }
        let next = skip(end, &char::is_whitespace);
        let spaced = next > end;
        let boundary = at(next).is_some_and(|n| (cjk || spaced) && !n.is_lowercase())
            && !(c == '.' && (before_is_abbreviation(&text[start..k], abbr) || opens_with_label(&text[start..end])));
        if boundary {
            let s = text[start..end].trim();
            if !s.is_empty() {
                out.push(s);
            }
            start = next;
        }
        k = end;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Whether the word just before a period (`head` ends right before it) is an abbreviation,
/// an initial or a dotted acronym.
fn before_is_abbreviation(head: &str, abbr: &[&str]) -> bool {
    let word =
        head.rsplit(|c: char| c.is_whitespace() || c == '(' || c == '«' || c == '"' || c == '“').next().unwrap_or("");
    if word.is_empty() {
        return false;
    }
    let lower = word.to_lowercase();
    if abbr.contains(&lower.as_str()) {
        return true;
    }
    let letters: Vec<char> = word.chars().filter(|c| *c != '.').collect();
    // An initial ("J.") or a dotted acronym ("U.S", "EE.UU", "т.е").
    if letters.len() == 1 && letters[0].is_uppercase() {
        return true;
    }
    word.contains('.')
        && word.split('.').all(|p| !p.is_empty() && p.chars().count() <= 2 && p.chars().all(char::is_alphabetic))
}

/// Whether the sentence so far is only a numbered-item label such as `12.`, `1.2.`, `IV.`, `a.`.
fn opens_with_label(sentence: &str) -> bool {
    let s = sentence.trim().trim_start_matches('(');
    let Some(body) = s.strip_suffix('.') else { return false };
    if body.is_empty() || body.contains(char::is_whitespace) {
        return false;
    }
    body.split('.').all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
        || (body.len() <= 6 && body.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C')))
        || (body.chars().count() == 1 && body.chars().all(|c| c.is_alphabetic()))
}

/// The number a unit opens with, as written: `12.`, `1.2`, `(a)`, `a)`, `IV.`, `一、`, and the
/// Arabic `12 -`, `١٢-`.
pub fn leading_number(text: &str) -> Option<&str> {
    let t = text.trim_start();
    let word_end = t.find(char::is_whitespace).unwrap_or(t.len());
    let word = &t[..word_end];
    let arabic_digits = |w: &str| {
        (1..=3).contains(&w.chars().count())
            && w.chars().all(|c| c.is_ascii_digit() || ('\u{660}'..='\u{669}').contains(&c))
    };
    // Arabic texts number paragraphs "12 - text" or "12- text".
    if let Some(body) = word.strip_suffix(['-', '–']) {
        if arabic_digits(body) && word.len() < t.len() {
            return Some(word);
        }
    } else if arabic_digits(word) {
        let rest = &t[word_end..];
        let dash = rest.trim_start();
        if let Some(after) = dash.strip_prefix(['-', '–'])
            && after.starts_with(char::is_whitespace)
            && !after.trim().is_empty()
        {
            return Some(&t[..t.len() - after.len()]);
        }
    }
    let ok = |w: &str| -> bool {
        let inner = w.trim_start_matches('(');
        if let Some(body) = inner.strip_suffix(')').or_else(|| inner.strip_suffix('.')) {
            let digits = !body.is_empty()
                && body.split('.').all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
            let roman = !body.is_empty()
                && body.len() <= 6
                && body.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'i' | 'v' | 'x'));
            let letter = body.chars().count() <= 2 && body.chars().all(|c| c.is_ascii_lowercase());
            digits || roman || (letter && !body.is_empty()) || (inner.ends_with(')') && body.chars().count() == 1)
        } else {
            w.strip_suffix('、').is_some_and(|b| !b.is_empty() && b.chars().all(|c| NUMERALS.contains(c)))
        }
    };
    if !word.is_empty() && word.len() < t.len() && ok(word) {
        return Some(word);
    }
    // Chinese "一、" runs on without a space: numerals, then the mark, looked for only where
    // the numerals end (not through the whole text, as a search for the mark would).
    const NUMERALS: &str = "一二三四五六七八九十";
    let numerals = t.char_indices().find(|&(_, c)| !NUMERALS.contains(c)).map_or(t.len(), |(k, _)| k);
    let rest = t[numerals..].strip_prefix('、')?;
    (numerals > 0 && !rest.is_empty()).then_some(&t[..t.len() - rest.len()])
}

/// The paragraph numbers that open inside `text` (not at its start), with their offsets: a
/// number shaped as [`leading_number`] reads it, after punctuation and a space (`…ones. 15. The`,
/// `…الرئيسة، 15 - ولا`) or after full-width punctuation (`…飞行。151. 2014年`). A conversion
/// that lost a line break runs numbered paragraphs into one line that way.
pub fn inner_numbers(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.char_indices().filter_map(move |(at, c)| {
        if at == 0 || !(c.is_ascii_digit() || ('\u{660}'..='\u{669}').contains(&c)) {
            return None;
        }
        let head = &text[..at];
        let prev = head.chars().next_back()?;
        let opens = if prev.is_whitespace() {
            head.trim_end().chars().next_back().is_some_and(|p| !p.is_alphanumeric() && !is_hyphen(p))
        } else {
            "。；：！？".contains(prev)
        };
        opens.then(|| leading_number(&text[at..]).map(|num| (at, num)))?
    })
}

/// A hyphen or dash, which joins a range or a compound (`2014- 15.`), not paragraphs.
fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '–' | '—')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (lang, text, expected sentences)
    const CASES: &[(&str, &str, &[&str])] = &[
        // English
        ("en", "The Council met. It adopted the agenda.", &["The Council met.", "It adopted the agenda."]),
        ("en", "Mr. Smith spoke. Ms. Jones replied.", &["Mr. Smith spoke.", "Ms. Jones replied."]),
        (
            "en",
            "See resolution A/RES/70/1. The Assembly agreed.",
            &["See resolution A/RES/70/1.", "The Assembly agreed."],
        ),
        ("en", "The rate rose to 3.5 per cent. It then fell.", &["The rate rose to 3.5 per cent.", "It then fell."]),
        ("en", "12. The Committee recalls its decision.", &["12. The Committee recalls its decision."]),
        ("en", "1.2. The Committee recalls. It notes.", &["1.2. The Committee recalls.", "It notes."]),
        ("en", "See No. 5 of the list.", &["See No. 5 of the list."]),
        ("en", "See p. 12 and vol. II of the report.", &["See p. 12 and vol. II of the report."]),
        ("en", "Measures, e.g. training, were taken.", &["Measures, e.g. training, were taken."]),
        ("en", "Measures, i.e. training, were taken.", &["Measures, i.e. training, were taken."]),
        ("en", "Acme Inc. Was it founded? Yes.", &["Acme Inc. Was it founded?", "Yes."]),
        ("en", "Why? Because it was late!", &["Why?", "Because it was late!"]),
        ("en", "He said \"It is over.\" Then he left.", &["He said \"It is over.\"", "Then he left."]),
        ("en", "The U.S. Government agreed.", &["The U.S. Government agreed."]),
        ("en", "J. Smith and Dr. Brown attended.", &["J. Smith and Dr. Brown attended."]),
        ("en", "Visit www.un.org for details. Thanks.", &["Visit www.un.org for details.", "Thanks."]),
        ("en", "It ended in 2015. 2. The next phase began.", &["It ended in 2015.", "2. The next phase began."]),
        ("en", "Wait... then it stopped.", &["Wait... then it stopped."]),
        ("en", "(a) Noting the report. (b) Welcoming it.", &["(a) Noting the report.", "(b) Welcoming it."]),
        ("en", "IV. Conclusions and recommendations", &["IV. Conclusions and recommendations"]),
        ("en", "Costs (see para. 4) rose.", &["Costs (see para. 4) rose."]),
        ("en", "", &[]),
        // French
        (
            "fr",
            "M. Dupont a pris la parole. Mme Martin a répondu.",
            &["M. Dupont a pris la parole.", "Mme Martin a répondu."],
        ),
        ("fr", "MM. Dupont et Durand sont présents.", &["MM. Dupont et Durand sont présents."]),
        ("fr", "Pourquoi ? Parce que le délai était court.", &["Pourquoi ?", "Parce que le délai était court."]),
        ("fr", "Pourquoi\u{a0}? Parce que.", &["Pourquoi\u{a0}?", "Parce que."]),
        ("fr", "Attention\u{202f}! Le délai expire.", &["Attention\u{202f}!", "Le délai expire."]),
        ("fr", "Voir par. 12 du rapport.", &["Voir par. 12 du rapport."]),
        ("fr", "Voir art. 5 de la Charte.", &["Voir art. 5 de la Charte."]),
        ("fr", "Il a dit : « C'est fini. » Puis il est parti.", &["Il a dit : « C'est fini. »", "Puis il est parti."]),
        ("fr", "Le taux est de 3,5 %. Il a baissé.", &["Le taux est de 3,5 %.", "Il a baissé."]),
        ("fr", "Voir no 5. Le texte suit.", &["Voir no 5.", "Le texte suit."]),
        ("fr", "Les dépenses (voir p. 4) ont augmenté.", &["Les dépenses (voir p. 4) ont augmenté."]),
        ("fr", "Des livres, des revues, etc. sont disponibles.", &["Des livres, des revues, etc. sont disponibles."]),
        ("fr", "15. Le Comité prend note du rapport.", &["15. Le Comité prend note du rapport."]),
        ("fr", "Voir E/CN.15/2015/1. Le Conseil a décidé.", &["Voir E/CN.15/2015/1.", "Le Conseil a décidé."]),
        // Spanish
        ("es", "El Sr. Pérez habló. La Sra. Gómez respondió.", &["El Sr. Pérez habló.", "La Sra. Gómez respondió."]),
        ("es", "¿Por qué? Porque era tarde.", &["¿Por qué?", "Porque era tarde."]),
        ("es", "¡Basta! Se levantó la sesión.", &["¡Basta!", "Se levantó la sesión."]),
        ("es", "Véase el párr. 12 del informe.", &["Véase el párr. 12 del informe."]),
        ("es", "Los EE.UU. votaron en contra.", &["Los EE.UU. votaron en contra."]),
        ("es", "El Dr. Ruiz llegó. Luego habló.", &["El Dr. Ruiz llegó.", "Luego habló."]),
        ("es", "Costó 1.800 dólares. Luego subió.", &["Costó 1.800 dólares.", "Luego subió."]),
        ("es", "Véase el art. 3 de la Carta.", &["Véase el art. 3 de la Carta."]),
        ("es", "Lo dijo el Excmo. Sr. Embajador.", &["Lo dijo el Excmo. Sr. Embajador."]),
        // Russian
        ("ru", "Совет собрался. Он утвердил повестку дня.", &["Совет собрался.", "Он утвердил повестку дня."]),
        ("ru", "Это было в 2015 г. в Женеве.", &["Это было в 2015 г. в Женеве."]),
        ("ru", "См. ст. 5 Устава.", &["См. ст. 5 Устава."]),
        ("ru", "Меры, т.е. обучение, приняты.", &["Меры, т.е. обучение, приняты."]),
        ("ru", "Г-н Иванов выступил. Он поблагодарил всех.", &["Г-н Иванов выступил.", "Он поблагодарил всех."]),
        ("ru", "Почему? Потому что поздно.", &["Почему?", "Потому что поздно."]),
        ("ru", "А. Иванов подписал документ.", &["А. Иванов подписал документ."]),
        ("ru", "Расходы составили 3,5 млн. долл. США.", &["Расходы составили 3,5 млн. долл. США."]),
        ("ru", "См. документ A/69/720. Совет принял решение.", &["См. документ A/69/720.", "Совет принял решение."]),
        // Arabic
        ("ar", "اجتمع المجلس. واعتمد جدول الأعمال.", &["اجتمع المجلس.", "واعتمد جدول الأعمال."]),
        ("ar", "لماذا؟ لأن الوقت متأخر.", &["لماذا؟", "لأن الوقت متأخر."]),
        ("ar", "انظر الوثيقة A/RES/70/1. واتفقت الجمعية.", &["انظر الوثيقة A/RES/70/1.", "واتفقت الجمعية."]),
        ("ar", "بلغ المعدل 3.5 في المائة. ثم انخفض.", &["بلغ المعدل 3.5 في المائة.", "ثم انخفض."]),
        ("ar", "12. تحيط اللجنة علما بالتقرير.", &["12. تحيط اللجنة علما بالتقرير."]),
        ("ar", "وقال د. أحمد إن العمل مستمر.", &["وقال د. أحمد إن العمل مستمر."]),
        // Chinese
        ("zh", "理事会举行了会议。会议通过了议程。", &["理事会举行了会议。", "会议通过了议程。"]),
        ("zh", "为什么？因为时间晚了！", &["为什么？", "因为时间晚了！"]),
        ("zh", "他说：“会议结束了。”然后离开了。", &["他说：“会议结束了。”", "然后离开了。"]),
        ("zh", "见A/RES/70/1号决议。大会表示同意。", &["见A/RES/70/1号决议。", "大会表示同意。"]),
        ("zh", "增长率为3.5%。随后下降。", &["增长率为3.5%。", "随后下降。"]),
        ("zh", "1. 委员会注意到报告。", &["1. 委员会注意到报告。"]),
        ("zh", "会议结束。 下一次会议将于明年举行。", &["会议结束。", "下一次会议将于明年举行。"]),
    ];

    #[test]
    fn paragraph_numbers_open_inside_a_line_after_punctuation() {
        fn found(text: &str) -> Vec<(&str, &str)> {
            inner_numbers(text).map(|(at, num)| (&text[at..], num)).collect()
        }
        assert_eq!(found("14. The Council met. 15. It adopted the agenda."), [("15. It adopted the agenda.", "15.")]);
        assert_eq!(found("14 - حضرة السيدة الرئيسة، 15 - ولا مشاحة"), [("15 - ولا مشاحة", "15 -")]);
        assert_eq!(found("在达尔富尔空中飞行。151. 2014年6月"), [("151. 2014年6月", "151.")]);
        // After a word, a hyphen or a bare number, a number is the text's own.
        assert!(found("See paragraph 15. The Council agreed.").is_empty());
        assert!(found("In 2014- 15. The period ended.").is_empty());
        assert!(found("Between 12 and 1300. The rest").is_empty());
    }

    #[test]
    fn tricky_cases() {
        assert!(CASES.len() >= 60);
        for (lang, text, want) in CASES {
            assert_eq!(sentences(text, lang), want.to_vec(), "{lang}: {text}");
        }
    }

    #[test]
    fn sentences_cover_the_text() {
        for (lang, text, _) in CASES {
            let joined: String = sentences(text, lang).concat();
            let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(joined.chars().filter(|c| !c.is_whitespace()).collect::<String>(), squeezed);
        }
    }

    #[test]
    fn leading_numbers() {
        assert_eq!(leading_number("12. The Committee"), Some("12."));
        assert_eq!(leading_number("(a) Noting"), Some("(a)"));
        assert_eq!(leading_number("a) Noting"), Some("a)"));
        assert_eq!(leading_number("IV. Conclusions"), Some("IV."));
        assert_eq!(leading_number("1.2 Scope"), None);
        assert_eq!(leading_number("一、导言"), Some("一、"));
        assert_eq!(leading_number("十二、导言、一"), Some("十二、"));
        for none in ["一、", "一二", "、导言", "导言、一", "一 、导言"] {
            assert_eq!(leading_number(none), None, "{none}");
        }
        assert_eq!(leading_number("The 12. item"), None);
        assert_eq!(leading_number("12."), None);
        assert_eq!(leading_number("12 - تؤكد"), Some("12 -"));
        assert_eq!(leading_number("١٢- تؤكد"), Some("١٢-"));
        assert_eq!(leading_number("2014 - 2015"), None);
        assert_eq!(leading_number("12 -"), None);
    }
}
