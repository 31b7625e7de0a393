//! What the benchmarks share: the synthetic corpus of replicas of `sources/`, and running the
//! binary as a child with its resource usage.

#![allow(dead_code)] // each bench uses part of it

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

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

#[derive(Clone)]
pub struct Run {
    pub wall: f64,
    pub user: f64,
    pub sys: f64,
    pub max_rss_kb: i64,
}

/// Runs the command to its end; wall time, CPU times and peak RSS of the child.
pub fn run(command: &mut Command) -> Run {
    let start = Instant::now();
    #[expect(clippy::zombie_processes, reason = "wait4 below reaps it, and gives its resource usage")]
    let child = command.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("accord runs");
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid, and wait4 writes within it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pointers are to live locals; the pid is our child's, not yet waited for.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    assert_eq!(pid, child.id() as libc::pid_t, "wait4");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{command:?} failed");
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Run { wall, user: seconds(usage.ru_utime), sys: seconds(usage.ru_stime), max_rss_kb: usage.ru_maxrss }
}
