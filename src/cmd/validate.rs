//! `accord validate [PATH…] [--json]`: check sources (default `sources/`) against the source
//! rules. Diagnostics go to stderr (or stdout as JSON with `--json`); exit 1 if any is an error.

use std::path::PathBuf;

use clap::Args as ClapArgs;
use rayon::prelude::*;
use serde::Serialize;

use crate::diag::{self, Diagnostic, display_path};
use crate::ingest::{self, Loaded};
use crate::model::Document;
use crate::validate;

#[derive(ClapArgs)]
pub struct Args {
    /// Source folders, document folders or language files [default: sources]
    paths: Vec<PathBuf>,
    /// Print a JSON report on stdout instead of text on stderr.
    #[arg(long)]
    json: bool,
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
    /// Documents that passed, in slug order.
    #[serde(skip)]
    pub valid: Vec<Document>,
}

/// Loads and validates `paths`; `Err` only when a path itself cannot be read.
pub fn check(paths: &[PathBuf]) -> Result<Report, Diagnostic> {
    let targets = ingest::targets(paths)?;
    let loaded = ingest::load_all(&targets);
    let checked: Vec<(Loaded, Vec<Diagnostic>)> = loaded
        .into_par_iter()
        .map(|l| {
            let mut diagnostics = l.diagnostics.clone();
            if let Some(doc) = &l.document {
                let toml_path = display_path(&l.dir.join("document.toml"));
                let toml = l.toml.as_ref().map(|(t, text)| (t, text.as_str(), toml_path.as_str()));
                diagnostics.extend(validate::document(doc, toml));
            }
            (l, diagnostics)
        })
        .collect();
    let mut report = Report {
        documents: 0,
        expressions: 0,
        errors: 0,
        warnings: 0,
        diagnostics: Vec::new(),
        bytes: 0,
        valid: Vec::new(),
    };
    for (loaded, mut diagnostics) in checked {
        diag::sort(&mut diagnostics);
        report.documents += 1;
        report.bytes += loaded.files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum::<u64>();
        let failed = diagnostics.iter().any(Diagnostic::is_error);
        report.errors += diagnostics.iter().filter(|d| d.is_error()).count();
        report.warnings += diagnostics.iter().filter(|d| !d.is_error()).count();
        report.diagnostics.extend(diagnostics);
        if let Some(doc) = loaded.document {
            report.expressions += doc.expressions.len();
            if !failed {
                report.valid.push(doc);
            }
        }
    }
    Ok(report)
}

pub fn run(args: Args) -> u8 {
    let paths = if args.paths.is_empty() { vec![PathBuf::from("sources")] } else { args.paths };
    let report = match check(&paths) {
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
        for d in &report.diagnostics {
            eprintln!("{d}");
        }
        eprintln!(
            "{} documents, {} language versions: {} errors, {} warnings",
            report.documents, report.expressions, report.errors, report.warnings
        );
    }
    if report.errors > 0 { super::EXIT_INVALID } else { super::EXIT_OK }
}
