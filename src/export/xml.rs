//! The XML writer the XML exports share: block elements each on their own indented line,
//! inline content (mixed text and marks) written as is, so that no whitespace is added to
//! text. quick-xml changes its API with each minor version: it is only used here.

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

pub struct XmlWriter {
    w: Writer<Vec<u8>>,
    depth: usize,
}

impl Default for XmlWriter {
    fn default() -> Self {
        XmlWriter { w: Writer::new(Vec::new()), depth: 0 }
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
        let width = 1 + 2 * depth;
        let indent: Cow<str> = if width <= INDENT.len() {
            Cow::Borrowed(&INDENT[..width])
        } else {
            Cow::Owned(format!("\n{}", "  ".repeat(depth)))
        };
        self.w.write_event(Event::Text(BytesText::from_escaped(indent)))
    }

    /// Opens a block element whose children are blocks.
    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        if self.depth > 0 {
            self.newline(self.depth)?;
        }
        self.depth += 1;
        self.w.write_event(Event::Start(tag(name, attrs)))
    }

    pub fn end(&mut self, name: &str) -> std::io::Result<()> {
        self.depth -= 1;
        self.newline(self.depth)?;
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        self.newline(self.depth)?;
        self.w.write_event(Event::Empty(tag(name, attrs)))
    }

    pub fn comment(&mut self, text: &str) -> std::io::Result<()> {
        self.newline(self.depth)?;
        let text = format!(" {} ", clean(text).replace("--", "- -"));
        self.w.write_event(Event::Comment(BytesText::from_escaped(text)))
    }

    /// Opens, on its own line, an element whose content is inline.
    pub fn line_start(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        self.newline(self.depth)?;
        self.inline_start(name, attrs)
    }

    pub fn inline_start(&mut self, name: &str, attrs: &[(&str, &str)]) -> std::io::Result<()> {
        self.w.write_event(Event::Start(tag(name, attrs)))
    }

    pub fn inline_end(&mut self, name: &str) -> std::io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    pub fn text(&mut self, text: &str) -> std::io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        // Quotes need no escaping in text: keep `l'ordre` readable.
        self.w.write_event(Event::Text(BytesText::from_escaped(partial_escape(clean(text)))))
    }
}

fn tag<'t>(name: &'t str, attrs: &[(&str, &str)]) -> BytesStart<'t> {
    let mut tag = BytesStart::new(name);
    for (k, v) in attrs {
        tag.push_attribute((*k, clean(v).as_ref()));
    }
    tag
}

/// Text without the characters XML 1.0 cannot hold (control characters from PDF conversion);
/// borrowed when there are none, as nearly always.
pub fn clean(text: &str) -> Cow<'_, str> {
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
