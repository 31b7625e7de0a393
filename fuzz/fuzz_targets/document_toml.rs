//! `document.toml` and `alignment.toml` parsing: a diagnostic with a location inside the
//! text, or a value; never a panic.
#![no_main]

use std::path::Path;

use accord::ingest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let lines = text.lines().count().max(1) as u32;
    for result in [
        ingest::parse_toml(Path::new("document.toml"), text).err(),
        ingest::parse_alignment_toml(Path::new("alignment.toml"), text).err(),
    ] {
        if let Some(d) = result {
            assert!(d.location.line >= 1 && d.location.line <= lines + 1, "line {} of {lines}", d.location.line);
        }
    }
});
