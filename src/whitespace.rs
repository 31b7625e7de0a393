//! White space outside ASCII (`char::is_whitespace`), recognised on UTF-8 bytes: the ingest
//! and the aligner look for it in every text, where decoding each character cost more than
//! the rest of their work.

/// Where the white space characters outside ASCII in `s` start, and their lengths in bytes;
/// not in text order.
pub fn wide_space_spans(s: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    lead_bytes(s).map(|k| (k, space_len_at(s, k))).filter(|&(_, n)| n > 0)
}

/// The positions of the bytes that can start a white space character outside ASCII.
fn lead_bytes(s: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr3_iter(0xC2, 0xE1, 0xE2, s).chain(memchr::memchr_iter(0xE3, s))
}

/// The length in bytes of the white space character (`char::is_whitespace`) that starts at
/// byte `k` of `s`, or 0 when none does.
pub fn space_len_at(s: &[u8], k: usize) -> usize {
    match s[k] {
        b' ' | b'\t'..=b'\r' => 1,
        0xC2 | 0xE1 | 0xE2 | 0xE3 => match wide_space_at(s, k) {
            Some(_) if s[k] == 0xC2 => 2,
            Some(_) => 3,
            None => 0,
        },
        _ => 0,
    }
}

/// The first byte at or after `k` that does not start a white space character.
pub fn after_spaces(s: &[u8], mut k: usize) -> usize {
    while k < s.len() {
        match space_len_at(s, k) {
            0 => break,
            n => k += n,
        }
    }
    k
}

/// Whether a white space character can start with byte `b`: one look-up where
/// [`space_len_at`] makes several tests.
fn may_start_space(b: u8) -> bool {
    const LEADS: [bool; 256] = crate::scan::byte_set(b" \t\n\x0b\x0c\r\xc2\xe1\xe2\xe3");
    LEADS[usize::from(b)]
}

/// The words of `text` as `str::split_whitespace` gives them, found on the bytes.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    let s = text.as_bytes();
    let mut k = 0;
    std::iter::from_fn(move || {
        k = after_spaces(s, k);
        if k >= s.len() {
            return None;
        }
        let start = k;
        // A continuation byte never starts a space, so stepping byte by byte stops on one.
        while k < s.len() && (!may_start_space(s[k]) || space_len_at(s, k) == 0) {
            k += 1;
        }
        Some(&text[start..k])
    })
}

/// Whether byte `k` of `s` starts a white space character outside ASCII, and if so whether
/// it is a no-break space (U+00A0, U+202F) or another (U+0085, U+1680, U+2000…U+200A, U+2028,
/// U+2029, U+205F, U+3000).
pub fn wide_space_at(s: &[u8], k: usize) -> Option<bool> {
    match (s[k], s.get(k + 1).copied(), s.get(k + 2).copied()) {
        (0xC2, Some(0x85), _) => Some(false),
        (0xC2, Some(0xA0), _) | (0xE2, Some(0x80), Some(0xAF)) => Some(true),
        (0xE1, Some(0x9A), Some(0x80)) | (0xE2, Some(0x81), Some(0x9F)) | (0xE3, Some(0x80), Some(0x80)) => Some(false),
        (0xE2, Some(0x80), Some(0x80..=0x8A | 0xA8 | 0xA9)) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_white_space_outside_ascii_is_found_once() {
        for c in (0x80..=0x3000u32).filter_map(char::from_u32) {
            let text = format!("a{c}b{c}");
            let s = text.as_bytes();
            let found: Vec<(usize, bool)> =
                wide_space_spans(s).map(|(k, n)| (n, wide_space_at(s, k) == Some(true))).collect();
            let no_break = matches!(c, '\u{a0}' | '\u{202f}');
            let expected = if c.is_whitespace() { vec![(c.len_utf8(), no_break); 2] } else { vec![] };
            assert_eq!(found, expected, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn words_are_those_split_whitespace_gives() {
        let spaces: String = (0..=0x3000u32).filter_map(char::from_u32).filter(|c| c.is_whitespace()).collect();
        let mut text = String::from("  un\u{a0}1\u{202f}800 ");
        for (i, c) in spaces.chars().enumerate() {
            text.push(c);
            text.push_str(["mot", "é", "", "字", "\u{a0}"][i % 5]);
        }
        text.push_str("fin\u{85}");
        let ours: Vec<&str> = words(&text).collect();
        assert_eq!(ours, text.split_whitespace().collect::<Vec<_>>());
        assert!(ours.len() > 15);
        for (k, c) in text.char_indices() {
            let expected = if c.is_whitespace() { c.len_utf8() } else { 0 };
            assert_eq!(space_len_at(text.as_bytes(), k), expected, "U+{:04X}", c as u32);
        }
    }
}
