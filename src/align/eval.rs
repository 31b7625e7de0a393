//! Scoring against a gold corpus, computed exactly as `corpus/tools/score_align.py` does:
//! strict and lax precision / recall / F1, micro-averaged over documents; beads with an empty
//! side count in precision but not in recall (Vecalign's convention).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::{Options, Unit, align_nway, align_pair};
use crate::diag::{Diagnostic, Location, display_path};

/// A bead projected on a language pair: sorted indices on each side.
pub type PairBead = (Vec<usize>, Vec<usize>);

/// A gold file: its language columns and, per row, the indices in each column.
#[derive(Clone, Debug, PartialEq)]
pub struct Gold {
    pub langs: Vec<String>,
    pub rows: Vec<Vec<Vec<usize>>>,
}

impl Gold {
    /// The beads of the pair (a, b); rows empty on both sides are dropped.
    pub fn project(&self, a: &str, b: &str) -> Option<Vec<PairBead>> {
        let ia = self.langs.iter().position(|l| l == a)?;
        let ib = self.langs.iter().position(|l| l == b)?;
        Some(normalise(self.rows.iter().map(|r| (r[ia].clone(), r[ib].clone())).collect()))
    }
}

/// Sorts each side and drops beads empty on both sides, as the reference scorer does.
pub fn normalise(beads: Vec<PairBead>) -> Vec<PairBead> {
    beads
        .into_iter()
        .map(|(mut s, mut t)| {
            s.sort_unstable();
            t.sort_unstable();
            (s, t)
        })
        .filter(|(s, t)| !s.is_empty() || !t.is_empty())
        .collect()
}

/// Parses a gold.tsv; errors point at the offending cell.
pub fn parse_gold(text: &str, path: &str) -> Result<Gold, Diagnostic> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(Diagnostic::error(
            "gold-empty",
            Location::new(path, 1, 1),
            "empty gold file",
            "the first line names the languages, e.g. `ar\\ten\\tes\\tfr\\tru\\tzh`",
        ));
    };
    let langs: Vec<String> = header.split('\t').map(|s| s.trim().to_string()).collect();
    let mut rows = Vec::new();
    for (n, line) in lines {
        let mut cells: Vec<Vec<usize>> = Vec::with_capacity(langs.len());
        let mut col = 1;
        for cell in line.split('\t') {
            let mut idx = Vec::new();
            for part in cell.split([',', ' ']).filter(|p| !p.is_empty()) {
                match part.parse::<usize>() {
                    Ok(v) => idx.push(v),
                    Err(_) => {
                        return Err(Diagnostic::error(
                            "gold-cell",
                            Location::new(path, n as u32 + 1, col),
                            format!("`{part}` is not a line index"),
                            "cells hold comma-separated 0-based line indices, or nothing",
                        ));
                    }
                }
            }
            cells.push(idx);
            col += cell.chars().count() as u32 + 1;
        }
        if cells.len() > langs.len() {
            return Err(Diagnostic::error(
                "gold-columns",
                Location::new(path, n as u32 + 1, 1),
                format!("{} cells but the header names {} languages", cells.len(), langs.len()),
                "one tab-separated cell per language of the header",
            ));
        }
        cells.resize(langs.len(), Vec::new());
        rows.push(cells);
    }
    Ok(Gold { langs, rows })
}

/// Parses Vecalign/Bleualign beads (`[0,1]:[2]`, an optional `:cost` is ignored).
pub fn parse_beads(text: &str) -> Option<Vec<PairBead>> {
    let side = |s: &str| -> Option<Vec<usize>> {
        let inner = s.trim().strip_prefix('[')?.strip_suffix(']')?;
        inner.split([',', ' ']).filter(|p| !p.is_empty()).map(|p| p.trim().parse().ok()).collect()
    };
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.splitn(3, ':');
        let s = side(parts.next()?)?;
        let t = side(parts.next()?)?;
        out.push((s, t));
    }
    Some(normalise(out))
}

/// Raw counts; add them up over documents, then call [`Counts::scores`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub n_pred: usize,
    pub n_gold: usize,
    pub n_gold_recall: usize,
    pub p_strict: usize,
    pub p_lax: usize,
    pub r_strict: usize,
    pub r_lax: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Scores {
    #[serde(flatten)]
    pub counts: Counts,
    pub strict: Prf,
    pub lax: Prf,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.n_pred += o.n_pred;
        self.n_gold += o.n_gold;
        self.n_gold_recall += o.n_gold_recall;
        self.p_strict += o.p_strict;
        self.p_lax += o.p_lax;
        self.r_strict += o.r_strict;
        self.r_lax += o.r_lax;
    }

    pub fn scores(&self) -> Scores {
        let prf = |tp_p: usize, tp_r: usize| {
            let p = if self.n_pred > 0 { tp_p as f64 / self.n_pred as f64 } else { 0.0 };
            let r = if self.n_gold_recall > 0 { tp_r as f64 / self.n_gold_recall as f64 } else { 0.0 };
            let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
            Prf { precision: p, recall: r, f1 }
        };
        Scores { counts: *self, strict: prf(self.p_strict, self.r_strict), lax: prf(self.p_lax, self.r_lax) }
    }
}

/// How many beads of `test` are strictly / laxly matched in `reference`.
fn count(test: &[PairBead], reference: &[PairBead]) -> (usize, usize) {
    let mut exact: Vec<&PairBead> = reference.iter().collect();
    exact.sort();
    let mut by_src: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut by_tgt: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (n, (s, t)) in reference.iter().enumerate() {
        for &i in s {
            by_src.entry(i).or_default().push(n);
        }
        for &j in t {
            by_tgt.entry(j).or_default().push(n);
        }
    }
    let (mut strict, mut lax) = (0, 0);
    for bd in test {
        if exact.binary_search(&bd).is_ok() {
            strict += 1;
            lax += 1;
            continue;
        }
        let (s, t) = bd;
        let cands = |keys: &[usize], index: &BTreeMap<usize, Vec<usize>>| -> Vec<usize> {
            keys.iter().filter_map(|k| index.get(k)).flatten().copied().collect()
        };
        let hit = if !s.is_empty() && !t.is_empty() {
            cands(s, &by_src).into_iter().any(|c| reference[c].1.iter().any(|j| t.contains(j)))
        } else if !s.is_empty() {
            cands(s, &by_src).into_iter().any(|c| reference[c].1.is_empty())
        } else {
            cands(t, &by_tgt).into_iter().any(|c| reference[c].0.is_empty())
        };
        if hit {
            lax += 1;
        }
    }
    (strict, lax)
}

/// Scores one document's predicted beads against its gold beads.
pub fn score(gold: &[PairBead], pred: &[PairBead]) -> Counts {
    let (p_strict, p_lax) = count(pred, gold);
    let full = |v: &[PairBead]| -> Vec<PairBead> {
        v.iter().filter(|(s, t)| !s.is_empty() && !t.is_empty()).cloned().collect()
    };
    let (g, p) = (full(gold), full(pred));
    let (r_strict, r_lax) = count(&g, &p);
    Counts { n_pred: pred.len(), n_gold: gold.len(), n_gold_recall: g.len(), p_strict, p_lax, r_strict, r_lax }
}

/// One document of a corpus: its folder, gold and the languages that have a text file.
pub struct Doc {
    pub dir: PathBuf,
    pub gold: Gold,
    pub texts: BTreeMap<String, String>,
}

/// Finds the documents under `dir`: the folder itself when it holds a gold.tsv, else every
/// folder below it (up to three levels) that does, in path order.
pub fn find_docs(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let io = |e: std::io::Error| {
        Diagnostic::error(
            "io",
            Location::file(dir),
            format!("cannot read the corpus: {e}"),
            "give a folder with gold.tsv, or folders of them",
        )
    };
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0)];
    while let Some((d, depth)) = stack.pop() {
        if d.join("gold.tsv").is_file() {
            out.push(d);
            continue;
        }
        if depth >= 3 {
            continue;
        }
        for entry in fs::read_dir(&d).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.is_dir() {
                stack.push((path, depth + 1));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads a document folder: gold.tsv and the `<lang>.txt` of each gold language present.
pub fn read_doc(dir: &Path) -> Result<Doc, Diagnostic> {
    let gpath = dir.join("gold.tsv");
    let read = |p: &Path| {
        let mut text = fs::read_to_string(p).map_err(|e| {
            Diagnostic::error("io", Location::file(p), format!("cannot read: {e}"), "check the corpus folder")
        })?;
        // A byte-order mark is no part of the first line or of the header's first language;
        // removed in place, without a copy of the text.
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        Ok(text)
    };
    let gold = parse_gold(&read(&gpath)?, &display_path(&gpath))?;
    let mut texts = BTreeMap::new();
    for lang in &gold.langs {
        let p = dir.join(format!("{lang}.txt"));
        if p.is_file() {
            texts.insert(lang.clone(), read(&p)?);
        }
    }
    Ok(Doc { dir: dir.to_path_buf(), gold, texts })
}

/// The results of aligning a corpus: counts per pair, and the confidence check (beads with
/// confidence ≥ 0.9, and how many of them are exactly in the gold).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    pub pairs: BTreeMap<String, Counts>,
    pub confident: usize,
    pub confident_correct: usize,
}

impl Report {
    pub fn overall(&self) -> Counts {
        let mut all = Counts::default();
        for c in self.pairs.values() {
            all.add(c);
        }
        all
    }
}

/// Every pair (a, b) with a before b in the gold header, or those asked for.
pub fn pairs_of(doc: &Doc, wanted: &[(String, String)]) -> Vec<(String, String)> {
    let langs: Vec<&String> = doc.gold.langs.iter().filter(|l| doc.texts.contains_key(*l)).collect();
    if wanted.is_empty() {
        let mut out = Vec::new();
        for (k, a) in langs.iter().enumerate() {
            for b in &langs[k + 1..] {
                out.push(((*a).clone(), (*b).clone()));
            }
        }
        out
    } else {
        wanted.iter().filter(|(a, b)| doc.texts.contains_key(a) && doc.texts.contains_key(b)).cloned().collect()
    }
}

/// Aligns one pair of a document and returns the predicted beads.
pub fn align_doc_pair(doc: &Doc, a: &str, b: &str, opts: &Options) -> Vec<super::Bead> {
    let empty = String::new();
    let ta = doc.texts.get(a).unwrap_or(&empty);
    let tb = doc.texts.get(b).unwrap_or(&empty);
    let ua: Vec<Unit> = ta.lines().map(Unit::from_line).collect();
    let ub: Vec<Unit> = tb.lines().map(Unit::from_line).collect();
    align_pair(&ua, &ub, (a, b), opts)
}

/// Aligns and scores every pair of every document. With `pairwise` each pair is aligned on
/// its own; otherwise all versions of a document are aligned n-way through `pivot` and the
/// groups projected on each pair, which is how the gold groups are defined (a paragraph
/// merged in one version joins its groups in all of them).
pub fn evaluate(docs: &[Doc], wanted: &[(String, String)], pivot: &str, pairwise: bool, opts: &Options) -> Report {
    let results: Vec<Vec<(String, Counts, usize, usize)>> = docs
        .par_iter()
        .map(|doc| {
            let pairs = pairs_of(doc, wanted);
            let predicted: Vec<Vec<(PairBead, f32)>> = if pairwise {
                pairs
                    .iter()
                    .map(|(a, b)| {
                        align_doc_pair(doc, a, b, opts)
                            .into_iter()
                            .map(|bd| ((bd.pivot, bd.other), bd.confidence))
                            .collect()
                    })
                    .collect()
            } else {
                let units: Vec<(&str, Vec<Unit>)> =
                    doc.texts.iter().map(|(l, t)| (l.as_str(), t.lines().map(Unit::from_line).collect())).collect();
                let versions: Vec<(&str, &[Unit])> = units.iter().map(|(l, u)| (*l, u.as_slice())).collect();
                let groups = align_nway(&versions, pivot, opts);
                pairs
                    .iter()
                    .map(|(a, b)| {
                        groups
                            .iter()
                            .map(|g| {
                                let side = |l: &String| g.members.get(l).cloned().unwrap_or_default();
                                ((side(a), side(b)), g.confidence)
                            })
                            .filter(|((s, t), _)| !s.is_empty() || !t.is_empty())
                            .collect()
                    })
                    .collect()
            };
            pairs
                .iter()
                .zip(predicted)
                .map(|((a, b), beads)| {
                    let gold = doc.gold.project(a, b).unwrap_or_default();
                    let mut exact: Vec<&PairBead> = gold.iter().collect();
                    exact.sort();
                    let (mut confident, mut correct) = (0, 0);
                    let pred: Vec<PairBead> = beads
                        .into_iter()
                        .map(|(pb, conf)| {
                            if conf >= 0.9 {
                                confident += 1;
                                correct += usize::from(exact.binary_search(&&pb).is_ok());
                            }
                            pb
                        })
                        .collect();
                    (format!("{a}-{b}"), score(&gold, &normalise(pred)), confident, correct)
                })
                .collect()
        })
        .collect();
    let mut report = Report::default();
    for (pair, counts, confident, correct) in results.into_iter().flatten() {
        report.pairs.entry(pair).or_default().add(&counts);
        report.confident += confident;
        report.confident_correct += correct;
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &[usize], t: &[usize]) -> PairBead {
        (s.to_vec(), t.to_vec())
    }

    #[test]
    fn strict_and_lax_follow_the_reference_scorer() {
        let gold = vec![b(&[0], &[0]), b(&[1, 2], &[1]), b(&[3], &[]), b(&[], &[2])];
        let pred = vec![b(&[0], &[0]), b(&[1], &[1]), b(&[2], &[]), b(&[3], &[]), b(&[], &[2])];
        let c = score(&gold, &pred);
        // Precision: [0]:[0] exact; [1]:[1] overlaps; [2]:[] has no null gold bead on 2;
        // [3]:[] exact; []:[2] exact.
        assert_eq!((c.n_pred, c.p_strict, c.p_lax), (5, 3, 4));
        // Recall over beads with both sides: [0]:[0] exact, [1,2]:[1] overlaps [1]:[1].
        assert_eq!((c.n_gold_recall, c.r_strict, c.r_lax), (2, 1, 2));
        let s = c.scores();
        assert!((s.strict.precision - 0.6).abs() < 1e-12 && (s.strict.recall - 0.5).abs() < 1e-12);
    }

    #[test]
    fn gold_parsing_and_projection() {
        let g = parse_gold("ar\ten\tfr\n0\t0,1\t\n\t2\t0\n", "g.tsv").unwrap_or_else(|d| panic!("{d}"));
        assert_eq!(g.project("en", "fr"), Some(vec![b(&[0, 1], &[]), b(&[2], &[0])]));
        assert_eq!(g.project("ar", "fr"), Some(vec![b(&[0], &[]), b(&[], &[0])]));
        assert!(g.project("en", "de").is_none());
        let e = parse_gold("en\tfr\nx\t1\n", "g.tsv").err().map(|d| d.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "g.tsv:2:1: error[gold-cell]: `x` is not a line index\n  hint: cells hold comma-separated 0-based line indices, or nothing"
            )
        );
    }

    #[test]
    fn bead_parsing() {
        assert_eq!(
            parse_beads("[0]:[0]\n[1,2]:[1]:0.5\n[]:[2]\n"),
            Some(vec![b(&[0], &[0]), b(&[1, 2], &[1]), b(&[], &[2])])
        );
        assert_eq!(parse_beads("nonsense"), None);
    }
}
