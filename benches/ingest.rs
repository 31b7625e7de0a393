//! Parse + validate throughput on a corpus of at least 100 MB built by replicating `sources/`,
//! on one and on two threads, against a baseline in the same process (reading the files and
//! checking their UTF-8: the floor any ingest pays). Prints a table; run with
//! `cargo bench --bench ingest` (set `ACCORD_BENCH_MB` for another corpus size).

mod common;

/// The allocator of the `accord` binary (see `src/main.rs`), so that the figures are its own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let target_mb: u64 = std::env::var("ACCORD_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("target/bench-corpus");
    let (bytes, _) = common::build_corpus(&root.join("sources"), &corpus, target_mb << 20);
    let mb = bytes as f64 / 1e6;
    println!("corpus: {} ({mb:.1} MB, replicas of sources/)", corpus.display());

    let baseline = best_of(3, || read_all(&corpus));
    println!("{:<34} {:>9} {:>10} {:>8}", "run", "seconds", "MB/s", "ratio");
    println!(
        "{:<34} {:>9.3} {:>10.1} {:>8}",
        "baseline: read + UTF-8 check, 1 thread",
        baseline,
        mb / baseline,
        "1.00"
    );
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        let seconds = best_of(3, || {
            pool.install(|| {
                let report =
                    accord::cmd::validate::check(std::slice::from_ref(&corpus), false).expect("corpus readable");
                assert_eq!(report.errors, 0, "the replicated sources validate");
                assert_eq!(report.bytes, bytes);
            })
        });
        println!(
            "{:<34} {:>9.3} {:>10.1} {:>8.2}",
            format!("parse + validate, {threads} thread{}", if threads > 1 { "s" } else { "" }),
            seconds,
            mb / seconds,
            seconds / baseline
        );
    }
    println!("peak RSS of the bench process: {} MB", peak_rss_kb() / 1024);
}

fn read_all(corpus: &Path) {
    for doc in fs::read_dir(corpus).expect("corpus").flatten() {
        for file in fs::read_dir(doc.path()).expect("document").flatten() {
            let bytes = fs::read(file.path()).expect("read");
            assert!(std::str::from_utf8(&bytes).is_ok());
        }
    }
}

fn best_of(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn peak_rss_kb() -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
