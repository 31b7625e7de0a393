//! The XML writer the XML exports share: block elements each on their own indented line,
//! inline content (mixed text and marks) written as is, so that no whitespace is added to
//! text. It writes bytes straight into one buffer, escaping and dropping the characters XML
//! cannot hold in the same pass: the exports write millions of small pieces, and building an
//! event, an escaped copy and a cleaned copy for each cost more than the rest of the export.

use std::borrow::Cow;

#[derive(Default)]
pub struct XmlWriter {
    out: Vec<u8>,
    depth: usize,
}

impl XmlWriter {
    /// `<?xml version="1.0" encoding="UTF-8"?>` and a line end.
    pub fn declaration(&mut self) -> std::io::Result<()> {
        self.out.extend_from_slice(br#"<?xml version="1.0" encoding="UTF-8"?>"#);
        self.newline(0)
    }

    /// A document type declaration on its own line, e.g. `tmx SYSTEM "tmx14.dtd"`.
    pub fn doctype(&mut self, doctype: &str) -> std::io::Result<()> {
        self.raw(&["<!DOCTYPE ", doctype, ">"]);
        self.newline(0)
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    pub fn newline(&mut self, depth: usize) -> std::io::Result<()> {
        // A line end and two spaces per level, from one static string when it is deep enough.
        const INDENT: &str = "\n                                                                ";
        let width = 1 + 2 * depth;
        if width <= INDENT.len() {
            self.out.extend_from_slice(&INDENT.as_bytes()[..width]);
        } else {
            self.out.push(b'\n');
            self.out.extend(std::iter::repeat_n(b' ', 2 * depth));
        }
        Ok(())
    }

    /// Opens a block element whose children are blocks.
    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        if self.depth > 0 {
            self.newline(self.depth)?;
        }
        self.depth += 1;
        self.tag(name, attrs, ">");
        Ok(())
    }

    pub fn end(&mut self, name: &str) -> std::io::Result<()> {
        self.depth -= 1;
        self.newline(self.depth)?;
        self.inline_end(name)
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        self.newline(self.depth)?;
        self.tag(name, attrs, "/>");
        Ok(())
    }

    pub fn comment(&mut self, text: &str) -> std::io::Result<()> {
        self.newline(self.depth)?;
        let text = clean(text).replace("--", "- -");
        self.raw(&["<!-- ", &text, " -->"]);
        Ok(())
    }

    /// Opens, on its own line, an element whose content is inline.
    pub fn line_start(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        self.newline(self.depth)?;
        self.inline_start(name, attrs)
    }

    pub fn inline_start(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        self.tag(name, attrs, ">");
        Ok(())
    }

    pub fn inline_end(&mut self, name: &str) -> std::io::Result<()> {
        self.raw(&["</", name, ">"]);
        Ok(())
    }

    /// Character data. Quotes need no escaping in text: `l'ordre` stays readable.
    pub fn text(&mut self, text: &str) -> std::io::Result<()> {
        let bytes = text.as_bytes();
        // Text without control characters (`\r` among them) or U+FFFE/U+FFFF (EF BF BE/BF),
        // nearly all, is searched for markup alone, many bytes at a time; both tests are too.
        let unusual =
            bytes.iter().fold(false, |any, &b| any | (b < 0x20)) || memchr::memmem::find(bytes, b"\xEF\xBF").is_some();
        if unusual {
            escape(&mut self.out, text, |b| match b {
                b'<' => Some("&lt;"),
                b'>' => Some("&gt;"),
                b'&' => Some("&amp;"),
                b'\r' => Some("&#13;"),
                _ => None,
            });
            return Ok(());
        }
        let mut run = 0;
        for i in memchr::memchr3_iter(b'<', b'>', b'&', bytes) {
            self.out.extend_from_slice(&bytes[run..i]);
            self.out.extend_from_slice(match bytes[i] {
                b'<' => b"&lt;",
                b'>' => b"&gt;",
                _ => b"&amp;",
            });
            run = i + 1;
        }
        self.out.extend_from_slice(&bytes[run..]);
        Ok(())
    }

    fn raw(&mut self, parts: &[&str]) {
        for p in parts {
            self.out.extend_from_slice(p.as_bytes());
        }
    }

    /// `<name k="v" …` and `close`. Values escape what would change when read back: markup,
    /// quotes, and the white space attribute normalisation turns into spaces.
    fn tag(&mut self, name: &str, attrs: &[(&str, &str)], close: &str) {
        self.raw(&["<", name]);
        for (k, v) in attrs {
            self.raw(&[" ", k, "=\""]);
            // Nearly every value (ids, codes, numbers) has nothing to escape or leave out: one
            // branch-free pass tells (EF starts U+FFFE and U+FFFF).
            let unusual = v
                .bytes()
                .fold(false, |any, b| any | (b < 0x20) | matches!(b, b'<' | b'>' | b'&' | b'\'' | b'"' | 0xEF));
            if !unusual {
                self.out.extend_from_slice(v.as_bytes());
                self.out.push(b'"');
                continue;
            }
            escape(&mut self.out, v, |b| match b {
                b'<' => Some("&lt;"),
                b'>' => Some("&gt;"),
                b'&' => Some("&amp;"),
                b'\'' => Some("&apos;"),
                b'"' => Some("&quot;"),
                b'\r' => Some("&#13;"),
                b'\n' => Some("&#10;"),
                b'\t' => Some("&#9;"),
                _ => None,
            });
            self.out.push(b'"');
        }
        self.out.extend_from_slice(close.as_bytes());
    }
}

/// Appends `text` to `out`, with the bytes `entity` names replaced and the characters XML 1.0
/// cannot hold (control characters from PDF conversion, U+FFFE, U+FFFF) left out. Runs
/// between such bytes are copied whole.
fn escape(out: &mut Vec<u8>, text: &str, entity: impl Fn(u8) -> Option<&'static str>) {
    let bytes = text.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        // Only ASCII bytes are escaped or refused, and the lead byte EF of U+FFFE/U+FFFF.
        if b >= 0x80 && b != 0xEF {
            continue;
        }
        let replace = match entity(b) {
            Some(e) => e,
            None if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') => "",
            None if b == 0xEF && matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => "",
            None => continue,
        };
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(replace.as_bytes());
        run = if b == 0xEF { i + 3 } else { i + 1 };
    }
    out.extend_from_slice(&bytes[run..]);
}

/// Text without the characters XML 1.0 cannot hold, as [`escape`] leaves them out;
/// borrowed when there are none, as nearly always.
fn clean(text: &str) -> Cow<'_, str> {
    let allowed =
        |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    // Only control bytes and U+FFFE/U+FFFF (bytes EF BF BE/BF) can be refused.
    let suspect = text.bytes().any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xBF);
    if !suspect || text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|&c| allowed(c)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops_what_xml_cannot_hold() {
        let mut x = XmlWriter::default();
        x.inline_start("p", &[("a", "<'\"&>\t\n\r\u{1}\u{FFFE}п")]).unwrap();
        x.text("l'ordre \"a\" <b> & c\r\u{1}\u{FFFF}\u{FFFD}，п").unwrap();
        x.text(" <i>&amp;</i> п，").unwrap();
        x.inline_end("p").unwrap();
        x.comment("a -\u{1}- b").unwrap();
        assert_eq!(
            String::from_utf8(x.into_bytes()).unwrap(),
            "<p a=\"&lt;&apos;&quot;&amp;&gt;&#9;&#10;&#13;п\">l'ordre \"a\" &lt;b&gt; &amp; c&#13;\u{FFFD}，п &lt;i&gt;&amp;amp;&lt;/i&gt; п，</p>\n<!-- a - - b -->"
        );
    }
}
