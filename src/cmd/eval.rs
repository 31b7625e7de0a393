//! `accord eval --corpus DIR`: align every language pair of a gold corpus and score it as
//! `corpus/tools/score_align.py` does.

use std::path::PathBuf;

use clap::Args as ClapArgs;
use rayon::prelude::*;

use crate::align::Options;
use crate::align::eval::{self, Counts, Report};
use crate::diag::{Diagnostic, Location};

#[derive(ClapArgs)]
pub struct Args {
    /// A document folder (`<lang>.txt` + gold.tsv) or a folder of them.
    #[arg(long)]
    pub corpus: PathBuf,
    /// Only this pair, e.g. `en,fr` (repeatable).
    #[arg(long)]
    pub pair: Vec<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Align each pair on its own instead of all versions through the pivot.
    #[arg(long)]
    pub pairwise: bool,
    /// The pivot language of the n-way alignment.
    #[arg(long, default_value = "en")]
    pub pivot: String,
}

pub fn run(args: Args) -> u8 {
    let mut wanted = Vec::new();
    for p in &args.pair {
        match p.split_once(',') {
            Some((a, b)) if !a.is_empty() && !b.is_empty() && !b.contains(',') => {
                wanted.push((a.to_string(), b.to_string()))
            }
            _ => {
                eprintln!("error: --pair takes two language codes: xx,yy (got `{p}`)");
                return super::EXIT_USAGE;
            }
        }
    }
    if !args.corpus.is_dir() {
        let d = Diagnostic::error(
            "io",
            Location::file(&args.corpus),
            "not a folder",
            "give a document folder with gold.tsv, or a folder of them",
        );
        eprintln!("{d}");
        return super::EXIT_USAGE;
    }
    let dirs = match eval::find_docs(&args.corpus) {
        Ok(d) if !d.is_empty() => d,
        Ok(_) => {
            let d = Diagnostic::error(
                "no-gold",
                Location::file(&args.corpus),
                "no gold.tsv found",
                "a corpus folder holds gold.tsv and <lang>.txt files, or folders that do",
            );
            eprintln!("{d}");
            return super::EXIT_INVALID;
        }
        Err(d) => {
            eprintln!("{d}");
            return super::EXIT_USAGE;
        }
    };
    let read: Vec<_> = dirs.par_iter().map(|d| eval::read_doc(d)).collect();
    let mut docs = Vec::with_capacity(read.len());
    let mut failed = false;
    for r in read {
        match r {
            Ok(doc) => docs.push(doc),
            Err(d) => {
                eprintln!("{d}");
                failed = true;
            }
        }
    }
    if failed {
        return super::EXIT_INVALID;
    }
    let report = eval::evaluate(&docs, &wanted, &args.pivot, args.pairwise, &Options::default());
    if args.json {
        let mut pairs = serde_json::Map::new();
        for (k, c) in &report.pairs {
            pairs.insert(k.clone(), serde_json::json!(c.scores()));
        }
        let out = serde_json::json!({
            "documents": docs.len(),
            "pairs": pairs,
            "overall": report.overall().scores(),
            "confidence": {"at_least_0.9": report.confident, "correct": report.confident_correct},
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else {
        print!("{}", table(&report, docs.len()));
    }
    super::EXIT_OK
}

/// The report as a fixed-width table, one row per pair and an overall row.
pub fn table(report: &Report, documents: usize) -> String {
    let mut out = format!("documents: {documents}\n");
    out.push_str(&format!(
        "{:<8} {:>6} {:>6} | {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7}\n",
        "pair", "gold", "pred", "P", "R", "F1", "P lax", "R lax", "F1 lax"
    ));
    let row = |name: &str, c: &Counts| {
        let s = c.scores();
        format!(
            "{:<8} {:>6} {:>6} | {:>7.4} {:>7.4} {:>7.4} | {:>7.4} {:>7.4} {:>7.4}\n",
            name,
            c.n_gold,
            c.n_pred,
            s.strict.precision,
            s.strict.recall,
            s.strict.f1,
            s.lax.precision,
            s.lax.recall,
            s.lax.f1
        )
    };
    for (k, c) in &report.pairs {
        out.push_str(&row(k, c));
    }
    out.push_str(&row("all", &report.overall()));
    out
}
