//! `accord build [--sources DIR] [--jobs N] [--quiet]`: the release job. Today it reads and
//! validates every document and reports; the exports (CSV, XLSX, AKN, TMX, XLIFF) and the
//! `--out`, `--format` and `--shard` options of DESIGN §4 come with the export issues.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args as ClapArgs;

#[derive(ClapArgs)]
pub struct Args {
    /// Folder of document folders.
    #[arg(long, default_value = "sources")]
    sources: PathBuf,
    /// Worker threads [default: one per core].
    #[arg(long)]
    jobs: Option<usize>,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

pub fn run(args: Args) -> u8 {
    if let Some(jobs) = args.jobs
        && let Err(code) = super::set_jobs(jobs)
    {
        return code;
    }
    let started = Instant::now();
    let report = match super::validate::check(std::slice::from_ref(&args.sources), true) {
        Ok(r) => r,
        Err(d) => {
            eprintln!("{d}");
            return super::EXIT_USAGE;
        }
    };
    for d in report.diagnostics.iter().filter(|d| d.is_error() || !args.quiet) {
        eprintln!("{d}");
    }
    if !args.quiet {
        let seconds = started.elapsed().as_secs_f64();
        eprintln!(
            "build: {} documents, {} language versions, {} errors, {} warnings; {:.1} MB in {:.2} s ({:.0} MB/s); exports not built yet",
            report.documents,
            report.expressions,
            report.errors,
            report.warnings,
            report.bytes as f64 / 1e6,
            seconds,
            report.bytes as f64 / 1e6 / seconds.max(1e-9)
        );
    }
    if report.errors > 0 { super::EXIT_INVALID } else { super::EXIT_OK }
}
