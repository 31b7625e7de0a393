//! Throughput, thread speed-up and peak memory of `accord build` with every format, on a
//! corpus of at least 200 MB built by replicating `sources/` (`ACCORD_BENCH_MB` sets another
//! size, e.g. 400). Runs the release binary as a child, as a user would, replacing the
//! previous release each time (whose files with the same bytes the build links rather than
//! writes), and measures wall time, CPU time and peak RSS of the child (`wait4`). The baseline
//! in the same run is `accord validate` on the same corpus (read, parse and validate on every
//! core): the figures are meant as ratios, since the machine may be shared. A CSV-only build
//! and builds of CSV with each other export (TMX and XLIFF together) in the same run give the
//! CPU each export adds per document; a build into a new folder, what a first release costs.
//! Run with `cargo bench --bench build`; the binary is built by cargo with the bench.

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{Run, run};

/// Timed runs per configuration; the fastest is kept, as the others met more contention.
const RUNS: usize = 2;

fn main() {
    let target_mb: u64 = std::env::var("ACCORD_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let work = root.join("target/bench-build");
    let corpus = work.join("sources");
    // One release folder per set of formats, so that every timed build replaces a release
    // like its own (removing the old release is part of the cost). `ACCORD_BENCH_OUT` puts
    // them elsewhere: on a tmpfs, the figures leave out the disk (on ext4 without a journal,
    // creating files soon after many were deleted is slowed several times by the inode
    // allocator, and a build that replaces a release deletes thousands).
    let releases = std::env::var_os("ACCORD_BENCH_OUT").map_or_else(|| work.clone(), PathBuf::from);
    let out = |formats: &str| releases.join(format!("out-{}", formats.replace(',', "-")));
    let (bytes, documents) = common::build_corpus(&root.join("sources"), &corpus, target_mb << 20);
    let mb = bytes as f64 / 1e6;
    println!("corpus: {} ({documents} documents, {mb:.1} MB of language versions)", corpus.display());
    println!("releases written under {}", releases.display());

    let validate = || run(Command::new(env!("CARGO_BIN_EXE_accord")).arg("validate").arg(&corpus));
    const ALL: &str = "csv,xlsx,akn,tmx,xliff";
    let build = |formats: &str, jobs: usize| {
        run(Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["build", "--quiet", "--format", formats, "--jobs", &jobs.to_string(), "--sources"])
            .arg(&corpus)
            .arg("--out")
            .arg(out(formats)))
    };
    // What each export adds to a CSV build, the translators' two formats together.
    const ON_TOP: [(&str, &str); 3] =
        [("XLSX", "csv,xlsx"), ("Akoma Ntoso", "csv,akn"), ("TMX + XLIFF", "csv,tmx,xliff")];
    let kept: Vec<&str> = [ALL, "csv"].into_iter().chain(ON_TOP.map(|(_, f)| f)).collect();
    // The first builds leave a release, so that every timed build replaces one, as it does
    // for a user.
    for formats in &kept {
        build(formats, 2);
    }
    // A build into a new folder each time: no previous release to replace, nor to reuse files
    // of (a build links the files the release it replaces holds byte for byte). The folders are
    // removed at the end, not between runs, so no run creates files right after many deletions.
    let fresh = |k: usize| {
        let dir = releases.join(format!("out-new-{k}"));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    };
    let fresh_dirs: Vec<PathBuf> = (0..RUNS).map(fresh).collect();
    let build_new = |dir: &PathBuf| {
        run(Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["build", "--quiet", "--format", ALL, "--jobs", "2", "--sources"])
            .arg(&corpus)
            .arg("--out")
            .arg(dir))
    };
    // Each timed run with its name, in the order they run and print.
    type Step<'a> = (String, Box<dyn Fn(&PathBuf) -> Run + 'a>);
    let mut steps: Vec<Step> = vec![
        ("baseline: accord validate".into(), Box::new(|_| validate())),
        ("build, all formats, --jobs 1".into(), Box::new(|_| build(ALL, 1))),
        ("build, all formats, --jobs 2".into(), Box::new(|_| build(ALL, 2))),
        ("build, csv, --jobs 2".into(), Box::new(|_| build("csv", 2))),
    ];
    let first_on_top = steps.len();
    for (_, formats) in ON_TOP {
        steps.push((format!("build, {formats}, --jobs 2"), Box::new(move |_| build(formats, 2))));
    }
    steps.push(("build, all, --jobs 2, new folder".into(), Box::new(|dir| build_new(dir))));
    let mut best: Vec<Option<Run>> = vec![None; steps.len()];
    for dir in &fresh_dirs {
        for (k, (_, step)) in steps.iter().enumerate() {
            let r = step(dir);
            if best[k].as_ref().is_none_or(|b| r.wall < b.wall) {
                best[k] = Some(r);
            }
        }
    }
    let best: Vec<Run> = best.into_iter().map(|r| r.expect("measured")).collect();
    let (baseline, one, two, csv) = (&best[0], &best[1], &best[2], &best[3]);
    println!(
        "{:<32} {:>8} {:>7} {:>8} {:>7} {:>10} {:>7}",
        "run (best of 2)", "wall s", "MB/s", "user s", "sys s", "peak RSS", "÷ base"
    );
    for ((name, _), r) in steps.iter().zip(&best) {
        println!(
            "{name:<32} {:>8.2} {:>7.1} {:>8.2} {:>7.2} {:>7} MB {:>7.2}",
            r.wall,
            mb / r.wall,
            r.user,
            r.sys,
            r.max_rss_kb / 1024,
            r.wall / baseline.wall
        );
    }
    println!("speed-up --jobs 2 / --jobs 1: {:.2}×", one.wall / two.wall);
    let cpu = |r: &Run| r.user + r.sys;
    for ((label, _), r) in ON_TOP.iter().zip(&best[first_on_top..]) {
        println!(
            "{label} on top of CSV: wall +{:.0} %, CPU (user + sys) +{:.0} %, {:.2} ms of CPU per document",
            100.0 * (r.wall / csv.wall - 1.0),
            100.0 * (cpu(r) / cpu(csv) - 1.0),
            1e3 * (cpu(r) - cpu(csv)) / documents as f64
        );
    }
    for formats in &kept {
        let release = out(formats);
        std::fs::remove_dir_all(&release).expect("remove the release");
        // The replaced release a build keeps beside its output (links to the files they share).
        let name = release.file_name().expect("a named folder").to_string_lossy();
        let _ = std::fs::remove_dir_all(release.with_file_name(format!(".{name}.spare")));
    }
    for dir in &fresh_dirs {
        std::fs::remove_dir_all(dir).expect("remove the release");
    }
}
