//! Scans of UTF-8 text on its bytes: the ingest and the aligner test every byte of every
//! text, where decoding each character cost more than the rest of their work.

/// `bytes` as a table indexed by byte: one look-up for loops that test every byte of a text
/// against several values.
pub const fn byte_set(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut k = 0;
    while k < bytes.len() {
        table[bytes[k] as usize] = true;
        k += 1;
    }
    table
}

/// Whether `b` is one of `set`, by comparisons: unlike a look-up in a [`byte_set`], a block
/// test made of them vectorises (see [`skip_blocks`]).
pub fn one_of<const N: usize>(b: u8, set: &[u8; N]) -> bool {
    set.iter().fold(false, |any, &x| any | (b == x))
}

/// Bytes tested at once by [`skip_blocks`].
pub const BLOCK: usize = 32;

/// Where the first block of [`BLOCK`] bytes of `s` from `from` in which `hit` holds for a
/// byte (given the two bytes after it) starts, or where too few bytes remain for a block.
/// Each block is tested without branches, which the compiler vectorises: for scans of
/// whole texts where hits are rare.
pub fn skip_blocks(s: &[u8], mut from: usize, hit: impl Fn(u8, u8, u8) -> bool) -> usize {
    while let Some(Ok(block)) = s.get(from..from + BLOCK + 2).map(<&[u8; BLOCK + 2]>::try_from) {
        if (0..BLOCK).fold(false, |any, k| any | hit(block[k], block[k + 1], block[k + 2])) {
            break;
        }
        from += BLOCK;
    }
    from
}

/// Whether `is` holds at some byte of `s`, asked only of the bytes of the blocks (of
/// [`BLOCK`]) in which `may`, a cheaper test true wherever `is` is, holds for some byte
/// (given the two bytes after it): the exact test, which may decode, for the few blocks
/// that need it.
pub fn any_byte(s: &[u8], may: impl Fn(u8, u8, u8) -> bool, is: impl Fn(usize) -> bool) -> bool {
    let mut from = 0;
    loop {
        let block = skip_blocks(s, from, &may);
        let end = if block + BLOCK + 2 <= s.len() { block + BLOCK } else { s.len() };
        if (block..end).any(&is) {
            return true;
        }
        if end == s.len() {
            return false;
        }
        from = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_is_the_byte_set_of_the_same_bytes() {
        const SET: &[u8; 7] = b".;:!?\xe3\xef";
        let table = byte_set(SET);
        for b in 0..=255u8 {
            assert_eq!(one_of(b, SET), table[usize::from(b)], "{b:#04x}");
        }
    }
}
