//! The synthetic corpus the benchmarks share: replicas of `sources/`.

use std::fs;
use std::path::{Path, PathBuf};

/// Copies every document of `sources` as `<slug>-r<N>` until `min_bytes` of language
/// versions are written; returns that size and the number of documents.
pub fn build_corpus(sources: &Path, corpus: &Path, min_bytes: u64) -> (u64, usize) {
    let _ = fs::remove_dir_all(corpus);
    let mut docs: Vec<PathBuf> =
        fs::read_dir(sources).expect("sources/").flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    docs.sort();
    let (mut written, mut count) = (0, 0);
    let mut replica = 0;
    while written < min_bytes {
        replica += 1;
        for doc in &docs {
            let dest = corpus.join(format!("{}-r{replica}", doc.file_name().unwrap().to_string_lossy()));
            fs::create_dir_all(&dest).expect("corpus folder");
            for file in fs::read_dir(doc).expect("document folder").flatten() {
                let copied = fs::copy(file.path(), dest.join(file.file_name())).expect("copy");
                // Throughput counts the language versions, not document.toml.
                if matches!(file.path().extension().and_then(|e| e.to_str()), Some("md" | "txt")) {
                    written += copied;
                }
            }
            count += 1;
        }
    }
    (written, count)
}
