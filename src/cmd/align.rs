//! `accord align A B`: align the lines of two plain files and print beads.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args as ClapArgs, ValueEnum};
use serde::Serialize;

use crate::align::{self, Bead, Options, Unit};
use crate::diag::{Diagnostic, Location, display_path};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum UnitArg {
    Paragraph,
    Sentence,
    Line,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    Beads,
    Tsv,
    Json,
}

#[derive(ClapArgs)]
pub struct Args {
    /// The pivot file, one unit per line.
    pub a: PathBuf,
    /// The other file, one unit per line.
    pub b: PathBuf,
    /// What to align: each line (paragraph, line) or the sentences of each line.
    #[arg(long, value_enum, default_value = "paragraph")]
    pub unit: UnitArg,
    /// beads: `[0]:[0]` per line; tsv: indices, confidence and texts; json.
    #[arg(long, value_enum, default_value = "beads")]
    pub output: OutputArg,
    /// Language of A (default: from the file name, e.g. `en.txt`).
    #[arg(long)]
    pub lang_a: Option<String>,
    /// Language of B (default: from the file name).
    #[arg(long)]
    pub lang_b: Option<String>,
}

/// `en.txt` → `en`; anything that does not look like a language code → `und`.
fn lang_of(path: &Path) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let code = stem.rsplit(['.', '_', '-']).next().unwrap_or("");
    if (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase()) {
        code.to_string()
    } else {
        "und".to_string()
    }
}

/// Reads a UTF-8 file: Err((exit code, diagnostic)).
fn read(path: &Path) -> Result<String, (u8, Diagnostic)> {
    let bytes = std::fs::read(path).map_err(|e| {
        (
            super::EXIT_USAGE,
            Diagnostic::error("io", Location::file(path), format!("cannot read: {e}"), "check the path"),
        )
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let tail = good.rsplit(|&b| b == b'\n').next().unwrap_or(&[]);
        let col = String::from_utf8_lossy(tail).chars().count() as u32 + 1;
        let loc = Location::new(&display_path(path), line, col);
        (
            super::EXIT_INVALID,
            Diagnostic::error("utf8", loc, "the file is not valid UTF-8", "convert it to UTF-8 first"),
        )
    })
}

#[derive(Serialize)]
struct JsonBead<'a> {
    a: &'a [usize],
    b: &'a [usize],
    confidence: f32,
}

#[derive(Serialize)]
struct JsonOut<'a> {
    lang_a: &'a str,
    lang_b: &'a str,
    unit: &'a str,
    beads: Vec<JsonBead<'a>>,
}

pub fn run(args: Args) -> u8 {
    let (ta, tb) = match (read(&args.a), read(&args.b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err((code, d)), _) | (_, Err((code, d))) => {
            eprintln!("{d}");
            return code;
        }
    };
    // A byte-order mark is no part of the first line (editors on Windows write one).
    let (ta, tb) = (ta.strip_prefix('\u{feff}').unwrap_or(&ta), tb.strip_prefix('\u{feff}').unwrap_or(&tb));
    let la = args.lang_a.clone().unwrap_or_else(|| lang_of(&args.a));
    let lb = args.lang_b.clone().unwrap_or_else(|| lang_of(&args.b));
    let opts = Options::default();
    // The units the beads index and, for TSV, their texts: the lines, or the sentences. Line
    // and paragraph units are made straight from the text; a list of the lines beside them
    // would only raise the peak of memory.
    let (units_a, units_b, beads): (Vec<&str>, Vec<&str>, Vec<Bead>) = match args.unit {
        UnitArg::Paragraph | UnitArg::Line => {
            let unit = |l| match args.unit {
                UnitArg::Paragraph => Unit::from_line(l),
                _ => Unit { text: l, heading: false, num: None },
            };
            let ua: Vec<Unit> = ta.lines().map(unit).collect();
            let ub: Vec<Unit> = tb.lines().map(unit).collect();
            let beads = align::align_pair(&ua, &ub, (&la, &lb), &opts);
            let tsv = args.output == OutputArg::Tsv;
            let texts_a = if tsv { ua.iter().map(|u| u.text).collect() } else { Vec::new() };
            let texts_b = if tsv { ub.iter().map(|u| u.text).collect() } else { Vec::new() };
            (texts_a, texts_b, beads)
        }
        UnitArg::Sentence => {
            let lines_a: Vec<&str> = ta.lines().collect();
            let lines_b: Vec<&str> = tb.lines().collect();
            sentence_beads(&lines_a, &lines_b, (&la, &lb), &opts)
        }
    };
    let mut out = String::new();
    match args.output {
        OutputArg::Beads => {
            out.reserve(beads.len() * 16);
            for b in &beads {
                push_bead(&mut out, b);
                out.push('\n');
            }
        }
        OutputArg::Tsv => {
            out.push_str("a\tb\tconfidence\ttext_a\ttext_b\n");
            let join = |idx: &[usize], units: &[&str]| {
                idx.iter().filter_map(|&k| units.get(k)).map(|s| s.replace('\t', " ")).collect::<Vec<_>>().join(" ")
            };
            for b in &beads {
                let ids = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
                out.push_str(&format!(
                    "{}\t{}\t{:.3}\t{}\t{}\n",
                    ids(&b.pivot),
                    ids(&b.other),
                    b.confidence,
                    join(&b.pivot, &units_a),
                    join(&b.other, &units_b)
                ));
            }
        }
        OutputArg::Json => {
            let unit = match args.unit {
                UnitArg::Paragraph => "paragraph",
                UnitArg::Sentence => "sentence",
                UnitArg::Line => "line",
            };
            let beads = beads.iter().map(|b| JsonBead { a: &b.pivot, b: &b.other, confidence: b.confidence }).collect();
            match serde_json::to_string_pretty(&JsonOut { lang_a: &la, lang_b: &lb, unit, beads }) {
                Ok(s) => {
                    out.push_str(&s);
                    out.push('\n');
                }
                Err(e) => {
                    eprintln!("error: cannot write JSON: {e}");
                    return super::EXIT_USAGE;
                }
            }
        }
    }
    print!("{out}");
    super::EXIT_OK
}

/// Appends `[0,1]:[2]` to `out`, without a string per bead or index.
fn push_bead(out: &mut String, b: &Bead) {
    let side = |out: &mut String, v: &[usize]| {
        out.push('[');
        for (k, x) in v.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            // Writing to a String cannot fail.
            let _ = write!(out, "{x}");
        }
        out.push(']');
    };
    side(out, &b.pivot);
    out.push(':');
    side(out, &b.other);
}

/// Aligns paragraphs, then the sentences inside each aligned paragraph group; indices in the
/// result count sentences over the whole file.
fn sentence_beads<'t>(
    lines_a: &[&'t str],
    lines_b: &[&'t str],
    langs: (&str, &str),
    opts: &Options,
) -> (Vec<&'t str>, Vec<&'t str>, Vec<Bead>) {
    let ua: Vec<Unit> = lines_a.iter().map(|l| Unit::from_line(l)).collect();
    let ub: Vec<Unit> = lines_b.iter().map(|l| Unit::from_line(l)).collect();
    let (mut sa, mut sb, mut beads) = (Vec::new(), Vec::new(), Vec::new());
    for p in align::align_pair(&ua, &ub, langs, opts) {
        let pa: Vec<&str> = p.pivot.iter().filter_map(|&k| lines_a.get(k).copied()).collect();
        let pb: Vec<&str> = p.other.iter().filter_map(|&k| lines_b.get(k).copied()).collect();
        // Beads cover the lines in order, so sentences are numbered in file order.
        let (a0, b0) = (sa.len(), sb.len());
        let (xa, xb, inner) = align::align_sentences(&pa, &pb, langs, opts);
        sa.extend(xa);
        sb.extend(xb);
        beads.extend(inner.into_iter().map(|s| Bead {
            pivot: s.pivot.iter().map(|k| k + a0).collect(),
            other: s.other.iter().map(|k| k + b0).collect(),
            confidence: s.confidence.min(p.confidence),
        }));
    }
    (sa, sb, beads)
}
