//! The XML writer the XML exports share (quick-xml): block elements each on their own
//! indented line, inline content (mixed text and marks) written as is, so that no whitespace
//! is added to text. Tags go through quick-xml's writer; character data and attribute values
//! are escaped into its buffer directly, leaving out in the same pass what XML cannot hold:
//! the exports write millions of small pieces, and an escaped and a cleaned copy of each cost
//! more than the rest of the export.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// The first two bytes of U+FFFE and U+FFFF, searched for in every text: built once, as
/// building a searcher costs more than most texts' search.
static NON_CHARACTER_START: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\xEF\xBF"));

pub struct XmlWriter {
    w: Writer<Vec<u8>>,
    depth: usize,
    /// A tag's name and escaped attributes, reused from tag to tag.
    tag: Vec<u8>,
}

impl Default for XmlWriter {
    fn default() -> Self {
        XmlWriter { w: Writer::new(Vec::new()), depth: 0, tag: Vec::new() }
    }
}

impl XmlWriter {
    /// `<?xml version="1.0" encoding="UTF-8"?>` and a line end.
    pub fn declaration(&mut self) -> std::io::Result<()> {
        self.w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        self.newline(0)
    }

    /// A document type declaration on its own line, e.g. `tmx SYSTEM "tmx14.dtd"`.
    pub fn doctype(&mut self, doctype: &str) -> std::io::Result<()> {
        self.w.write_event(Event::DocType(BytesText::from_escaped(doctype)))?;
        self.newline(0)
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.w.into_inner()
    }

    pub fn newline(&mut self, depth: usize) -> std::io::Result<()> {
        // A line end and two spaces per level, from one static string when it is deep enough.
        const INDENT: &str = "\n                                                                ";
        let out = self.w.get_mut();
        let width = 1 + 2 * depth;
        if width <= INDENT.len() {
            out.extend_from_slice(&INDENT.as_bytes()[..width]);
        } else {
            out.push(b'\n');
            out.extend(std::iter::repeat_n(b' ', 2 * depth));
        }
        Ok(())
    }

    /// Opens a block element whose children are blocks.
    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        if self.depth > 0 {
            self.newline(self.depth)?;
        }
        self.depth += 1;
        self.tag(name, attrs, false)
    }

    pub fn end(&mut self, name: &str) -> std::io::Result<()> {
        self.depth -= 1;
        self.newline(self.depth)?;
        self.inline_end(name)
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        self.newline(self.depth)?;
        self.tag(name, attrs, true)
    }

    pub fn comment(&mut self, text: &str) -> std::io::Result<()> {
        self.newline(self.depth)?;
        // Left out first, so that removing a character cannot make a `--`.
        let mut kept = Vec::with_capacity(text.len());
        escape(&mut kept, text, |_| None);
        let kept = String::from_utf8(kept).map_err(std::io::Error::other)?;
        self.w.write_event(Event::Comment(BytesText::from_escaped(format!(" {} ", kept.replace("--", "- -")))))
    }

    /// Opens, on its own line, an element whose content is inline.
    pub fn line_start(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        self.newline(self.depth)?;
        self.inline_start(name, attrs)
    }

    pub fn inline_start(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        self.tag(name, attrs, false)
    }

    pub fn inline_end(&mut self, name: &str) -> std::io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    /// Content rendered by another writer (`into_bytes` of one that wrote only inline
    /// content), copied as is.
    pub fn raw(&mut self, xml: &[u8]) {
        self.w.get_mut().extend_from_slice(xml);
    }

    /// Character data. Quotes need no escaping in text: `l'ordre` stays readable.
    pub fn text(&mut self, text: &str) -> std::io::Result<()> {
        let out = self.w.get_mut();
        let bytes = text.as_bytes();
        // Text without control characters (`\r` among them) or U+FFFE/U+FFFF (EF BF BE/BF),
        // nearly all, is searched for markup alone, many bytes at a time; both tests are too.
        let unusual = bytes.iter().fold(false, |any, &b| any | (b < 0x20)) || NON_CHARACTER_START.find(bytes).is_some();
        if unusual {
            escape(out, text, |b| match b {
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
            out.extend_from_slice(&bytes[run..i]);
            out.extend_from_slice(match bytes[i] {
                b'<' => b"&lt;",
                b'>' => b"&gt;",
                _ => b"&amp;",
            });
            run = i + 1;
        }
        out.extend_from_slice(&bytes[run..]);
        Ok(())
    }

    /// `<name k="v" …>` (or `…/>`). Values escape what would change when read back: markup,
    /// quotes, and the white space attribute normalisation turns into spaces.
    fn tag(&mut self, name: &str, attrs: &[(&str, &str)], empty: bool) -> std::io::Result<()> {
        let mut tag = std::mem::take(&mut self.tag);
        tag.clear();
        tag.extend_from_slice(name.as_bytes());
        for (k, v) in attrs {
            tag.push(b' ');
            tag.extend_from_slice(k.as_bytes());
            tag.extend_from_slice(b"=\"");
            // Nearly every value (ids, codes, numbers) has nothing to escape or leave out: one
            // branch-free pass tells (EF starts U+FFFE and U+FFFF).
            let unusual = v
                .bytes()
                .fold(false, |any, b| any | (b < 0x20) | matches!(b, b'<' | b'>' | b'&' | b'\'' | b'"' | 0xEF));
            if !unusual {
                tag.extend_from_slice(v.as_bytes());
                tag.push(b'"');
                continue;
            }
            escape(&mut tag, v, |b| match b {
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
            tag.push(b'"');
        }
        // Escaping copies whole characters only, so the tag is still UTF-8.
        let content = std::str::from_utf8(&tag).map_err(std::io::Error::other)?;
        let start = BytesStart::from_content(content, name.len());
        let written = self.w.write_event(if empty { Event::Empty(start) } else { Event::Start(start) });
        self.tag = tag;
        written
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
