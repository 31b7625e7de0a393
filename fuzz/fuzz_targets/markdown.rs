//! Markdown ingest: never panics, and every character of the input is accounted for.
#![no_main]

use accord::ingest::{self, coverage::coverage};
use accord::model::SourceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|source: &str| {
    let mut diagnostics = Vec::new();
    let expression = ingest::parse_expression("fr.md", "fr", SourceFormat::Md, source, &mut diagnostics);
    let accounted = coverage(&ingest::normalise_as(source, SourceFormat::Md), &expression);
    assert!(accounted.is_complete(), "missing {:?}, extra {:?}", accounted.missing, accounted.extra);
    let _ = accord::validate::document(
        &accord::model::Document {
            slug: "fuzz".into(),
            metadata: Default::default(),
            expressions: vec![expression],
            pins: vec![],
            rejects: vec![],
        },
        None,
        None,
    );
});
