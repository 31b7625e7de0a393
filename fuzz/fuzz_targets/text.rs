//! Plain-text ingest (one paragraph per line): never panics, loses nothing.
#![no_main]

use accord::ingest::{self, coverage::coverage};
use accord::model::SourceFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|source: &str| {
    let mut diagnostics = Vec::new();
    let expression = ingest::parse_expression("zh.txt", "zh", SourceFormat::Txt, source, &mut diagnostics);
    let accounted = coverage(&ingest::normalise(source), &expression);
    assert!(accounted.is_complete(), "missing {:?}, extra {:?}", accounted.missing, accounted.extra);
});
