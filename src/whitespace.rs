//! White space outside ASCII (`char::is_whitespace`), recognised on UTF-8 bytes: the ingest
//! and the aligner look for it in every text, where decoding each character cost more than
//! the rest of their work.

/// The white space characters outside ASCII in `s`, each as whether it is a no-break space
/// (U+00A0, U+202F) or another (U+0085, U+1680, U+2000…U+200A, U+2028, U+2029, U+205F,
/// U+3000). Found by their lead bytes; not in text order.
pub fn wide_spaces(s: &[u8]) -> impl Iterator<Item = bool> + '_ {
    lead_bytes(s).filter_map(|k| wide_space_at(s, k))
}

/// Where the white space characters outside ASCII in `s` start, and their lengths in bytes;
/// not in text order.
pub fn wide_space_spans(s: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    lead_bytes(s).filter(|&k| wide_space_at(s, k).is_some()).map(|k| (k, if s[k] == 0xC2 { 2 } else { 3 }))
}

/// The positions of the bytes that can start a white space character outside ASCII.
fn lead_bytes(s: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr3_iter(0xC2, 0xE1, 0xE2, s).chain(memchr::memchr_iter(0xE3, s))
}

/// Whether byte `k` of `s` starts a white space character outside ASCII, and if so whether
/// it is a no-break space, as in [`wide_spaces`].
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
            let found: Vec<bool> = wide_spaces(text.as_bytes()).collect();
            let expected = if c.is_whitespace() { vec![matches!(c, '\u{a0}' | '\u{202f}'); 2] } else { vec![] };
            assert_eq!(found, expected, "U+{:04X}", c as u32);
        }
    }
}
