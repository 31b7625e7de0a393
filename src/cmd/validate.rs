//! `accord validate [PATH…] [--json]`: check sources (default `sources/`) against the source
//! rules. Diagnostics go to stderr (or stdout as JSON with `--json`); exit 1 if any is an error.

use std::io::Write;
use std::path::PathBuf;

use clap::Args as ClapArgs;
use rayon::prelude::*;
use serde::Serialize;

use crate::diag::{self, Diagnostic};
use crate::ingest::{self, Target};
use crate::validate;

#[derive(ClapArgs)]
pub struct Args {
    /// Source folders, document folders or language files [default: sources]
    paths: Vec<PathBuf>,
    /// Print a JSON report on stdout instead of text on stderr.
    #[arg(long)]
    json: bool,
    /// Also check that every source character is in the model or the dropped artefacts
    /// (counted on the text as it is parsed).
    #[arg(long)]
    check_coverage: bool,
    /// Check a release folder against its manifest.json instead of sources.
    #[arg(long, value_name = "DIR")]
    outputs: Option<PathBuf>,
}

/// The outcome of checking a set of sources.
#[derive(Serialize)]
pub struct Report {
    pub documents: usize,
    pub expressions: usize,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// Source bytes read, for throughput figures.
    #[serde(skip)]
    pub bytes: u64,
}

/// Loads and validates `paths`; `Err` only when a path itself cannot be read. Each
/// document is dropped once checked, so memory follows the largest document, not the corpus.
pub fn check(paths: &[PathBuf], check_coverage: bool) -> Result<Report, Diagnostic> {
    let targets = ingest::targets(paths)?;
    let checked: Vec<Checked> = targets.par_iter().map(|t| check_one(t, check_coverage)).collect();
    let mut report = Report { documents: 0, expressions: 0, errors: 0, warnings: 0, diagnostics: Vec::new(), bytes: 0 };
    for one in checked {
        report.documents += 1;
        report.expressions += one.expressions;
        report.bytes += one.bytes;
        report.errors += one.diagnostics.iter().filter(|d| d.is_error()).count();
        report.warnings += one.diagnostics.iter().filter(|d| !d.is_error()).count();
        report.diagnostics.extend(one.diagnostics);
    }
    Ok(report)
}

struct Checked {
    expressions: usize,
    bytes: u64,
    diagnostics: Vec<Diagnostic>,
}

fn check_one(target: &Target, check_coverage: bool) -> Checked {
    let loaded = ingest::load(target, check_coverage);
    let mut diagnostics = validate::loaded(&loaded);
    diag::sort(&mut diagnostics);
    Checked { expressions: loaded.document.map_or(0, |d| d.expressions.len()), bytes: loaded.bytes, diagnostics }
}

pub fn run(args: Args) -> u8 {
    let paths = if args.paths.is_empty() { vec![PathBuf::from("sources")] } else { args.paths };
    let checked = match &args.outputs {
        Some(release) => validate::release::check(release),
        None => check(&paths, args.check_coverage),
    };
    let report = match checked {
        Ok(r) => r,
        Err(d) => {
            eprintln!("{d}");
            return super::EXIT_USAGE;
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("accord: {e}");
                return super::EXIT_USAGE;
            }
        }
    } else {
        // Standard error is unbuffered: one write per diagnostic piece would cost a system
        // call each, thousands on a large corpus.
        let mut err = std::io::BufWriter::new(std::io::stderr().lock());
        for d in &report.diagnostics {
            let _ = writeln!(err, "{d}");
        }
        let _ = writeln!(
            err,
            "{} documents, {} language versions: {} errors, {} warnings",
            report.documents, report.expressions, report.errors, report.warnings
        );
    }
    if report.errors > 0 { super::EXIT_INVALID } else { super::EXIT_OK }
}
