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
