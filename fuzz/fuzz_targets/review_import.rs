//! Review import on arbitrary workbook bytes, against the committed release of the default
//! sources (run from `fuzz/`: seeds are that release's workbooks): an error or decisions,
//! never a panic, and nothing is written.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let dir = std::env::temp_dir().join(format!("accord-fuzz-review-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let workbook = dir.join("workbook.xlsx");
    if std::fs::write(&workbook, bytes).is_err() {
        return;
    }
    let _ = accord::review::import(&workbook, Path::new("../sources"), Path::new("../out"));
});
