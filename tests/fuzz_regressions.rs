//! Inputs the fuzz targets (`fuzz/`) found to break an invariant, kept as regression tests:
//! each must now be ingested with every character accounted for.

use accord::ingest::{self, coverage::coverage};
use accord::model::SourceFormat;

fn accounted(name: &str, source: &str, format: SourceFormat) {
    let mut diagnostics = Vec::new();
    let expression = ingest::parse_expression(name, "fr", format, source, &mut diagnostics);
    let c = coverage(&ingest::normalise_as(source, format), &expression);
    assert!(c.is_complete(), "{name}: missing {:?}, extra {:?}", c.missing, c.extra);
}

/// The `markdown` target's first crash: an item with two markers (`- • a)`) lost its dash.
#[test]
fn an_item_with_two_markers_keeps_both() {
    accounted("minimal.md", "1. Questions :\n - • a) Ouverture de la réunion ;\n", SourceFormat::Md);
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fuzz/markdown-two-list-markers.md"))
        .expect("the crash input");
    accounted("crash.md", &String::from_utf8_lossy(&bytes), SourceFormat::Md);
}

/// The `markdown` target, session 4: tags are matched in any case, but the dropped markup
/// recorded `<I>` as `<i>`, so an `I` went missing and an `i` appeared.
#[test]
fn markup_in_capitals_is_dropped_as_written() {
    accounted("minimal.md", "<I>", SourceFormat::Md);
    accounted("mixed.md", "Le <I>Manuel</i> et le <B>Guide</B>, note<SUP>1</Sup>.", SourceFormat::Md);
}

/// The property test, session 18: a number on a line of its own was joined to the next
/// number's line, which then took the text after it as well, and `15.` was counted twice.
#[test]
fn a_number_line_taken_as_text_numbers_nothing_itself() {
    accounted("minimal.md", "15.\n\n15.\n\n<i>", SourceFormat::Md);
    accounted("entities.md", "Original:&nbsp;English\n\n15.\n\nR&amp;D &lt;i&gt;x&#0;&#55296;\n", SourceFormat::Md);
}
