//! Alignment quality and speed, as a table: `cargo bench --bench align`.
//!
//! 1. Paragraph F1 (strict / lax, per pair) on unpc-dev-hard, unpc-dev and udhr, n-way through
//!    English as `accord eval` does, with the Gale–Church baseline (`Mode::LengthOnly`) beside it,
//!    and the confidence check (share of groups with confidence ≥ 0.9 that are exact).
//! 2. Sentence F1 on the UN dev sentences (`unpc-dev/raw/UNv1.0.devset.*`) with the same
//!    deterministic damage applied for every system: accord, Gale–Church and hunalign.
//! 3. Speed and peak RSS of `accord align` on one thread on a 1,000,000-line bitext built by
//!    repeating unpc-dev-hard en/fr, and the time ratio against hunalign at 10,000 and 30,000.
//!
//! hunalign is run from /work/peers/hunalign/src/hunalign/hunalign (or `$HUNALIGN`) when it
//! exists, with an empty dictionary; otherwise its rows are skipped with a note.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use accord::align::eval::{self, Counts, PairBead};
use accord::align::{Mode, Options, Unit, align_pair};

const LANGS: [&str; 6] = ["ar", "en", "es", "fr", "ru", "zh"];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus");
    let hunalign = std::env::var("HUNALIGN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/work/peers/hunalign/src/hunalign/hunalign"));
    let hunalign = hunalign.is_file().then_some(hunalign);
    if hunalign.is_none() {
        println!("note: hunalign not found (set HUNALIGN or build /work/peers/hunalign); its rows are skipped");
    }
    let work = tempfile::tempdir().expect("temporary folder");
    paragraphs(&corpus);
    sentences(&corpus, work.path(), hunalign.as_deref());
    speed(&corpus, work.path(), hunalign.as_deref());
}

fn load(dir: &Path) -> Vec<eval::Doc> {
    let dirs = eval::find_docs(dir).unwrap_or_default();
    dirs.iter().filter_map(|d| eval::read_doc(d).ok()).collect()
}

fn paragraphs(corpus: &Path) {
    println!("\n## Paragraph alignment (n-way through en, projected on pairs; strict = exact groups)\n");
    let gc = Options { mode: Mode::LengthOnly, ..Options::default() };
    let (mut confident, mut correct) = (0, 0);
    for (name, sub) in [("unpc-dev-hard", "unpc-dev-hard"), ("unpc-dev", "unpc-dev/docs"), ("udhr", "udhr")] {
        let docs = load(&corpus.join(sub));
        if docs.is_empty() {
            println!("{name}: not found, skipped");
            continue;
        }
        let t = Instant::now();
        let ours = eval::evaluate(&docs, &[], "en", false, &Options::default());
        let secs = t.elapsed().as_secs_f64();
        let base = eval::evaluate(&docs, &[], "en", true, &gc);
        confident += ours.confident;
        correct += ours.confident_correct;
        println!("### {name}: {} documents, aligned in {secs:.2} s\n", docs.len());
        println!("| pair | gold | accord P | R | F1 strict | F1 lax | Gale–Church F1 strict | F1 lax |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        let mut rows: Vec<(String, Counts, Counts)> =
            ours.pairs.iter().map(|(k, c)| (k.clone(), *c, base.pairs.get(k).copied().unwrap_or_default())).collect();
        rows.push(("all".to_string(), ours.overall(), base.overall()));
        for (k, c, b) in rows {
            let (s, g) = (c.scores(), b.scores());
            println!(
                "| {k} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} |",
                c.n_gold, s.strict.precision, s.strict.recall, s.strict.f1, s.lax.f1, g.strict.f1, g.lax.f1
            );
        }
        println!(
            "\nconfidence ≥ 0.9: {} of {} projected beads, {:.2} % exact\n",
            ours.confident,
            ours.pairs.values().map(|c| c.n_pred).sum::<usize>(),
            100.0 * ours.confident_correct as f64 / ours.confident.max(1) as f64
        );
    }
    println!(
        "confidence ≥ 0.9 over all corpora: {correct} exact of {confident} ({:.2} %)",
        100.0 * correct as f64 / confident.max(1) as f64
    );
}

/// A small deterministic generator (64-bit LCG), so every run and every system sees the same damage.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Damages a parallel sentence list: drops (3 %), merges with the next (4 %) or splits at the
/// middle space (3 %) sentences of the target, drops 2 % of the source. Returns the two texts
/// and the gold beads.
fn damage(src: &[String], tgt: &[String], seed: u64) -> (Vec<String>, Vec<String>, Vec<PairBead>) {
    let mut rng = Lcg(seed);
    let (mut a, mut b, mut gold) = (Vec::new(), Vec::new(), Vec::new());
    let mut k = 0;
    while k < src.len().min(tgt.len()) {
        let r = rng.next() % 100;
        if r < 2 {
            gold.push((vec![], vec![b.len()]));
            b.push(tgt[k].clone());
            k += 1;
        } else if r < 5 {
            gold.push((vec![a.len()], vec![]));
            a.push(src[k].clone());
            k += 1;
        } else if r < 9 && k + 1 < src.len().min(tgt.len()) {
            gold.push((vec![a.len(), a.len() + 1], vec![b.len()]));
            a.push(src[k].clone());
            a.push(src[k + 1].clone());
            b.push(format!("{} {}", tgt[k], tgt[k + 1]));
            k += 2;
        } else if r < 12 && tgt[k].contains(' ') {
            let t = &tgt[k];
            let spaces: Vec<usize> = t.match_indices(' ').map(|(p, _)| p).collect();
            let cut = spaces[spaces.len() / 2];
            gold.push((vec![a.len()], vec![b.len(), b.len() + 1]));
            a.push(src[k].clone());
            b.push(t[..cut].to_string());
            b.push(t[cut + 1..].to_string());
            k += 1;
        } else {
            gold.push((vec![a.len()], vec![b.len()]));
            a.push(src[k].clone());
            b.push(tgt[k].clone());
            k += 1;
        }
    }
    (a, b, gold)
}

fn read_lines(p: &Path) -> Vec<String> {
    fs::read_to_string(p).map(|t| t.lines().map(str::to_string).collect()).unwrap_or_default()
}

fn beads_of(beads: Vec<accord::align::Bead>) -> Vec<PairBead> {
    eval::normalise(beads.into_iter().map(|b| (b.pivot, b.other)).collect())
}

/// Runs hunalign with an empty dictionary and turns its ladder (rungs) into beads.
fn run_hunalign(bin: &Path, dir: &Path, a: &[String], b: &[String]) -> Option<(Vec<PairBead>, f64)> {
    let (pa, pb, dic) = (dir.join("h.a"), dir.join("h.b"), dir.join("null.dic"));
    fs::write(&pa, a.join("\n") + "\n").ok()?;
    fs::write(&pb, b.join("\n") + "\n").ok()?;
    fs::write(&dic, "").ok()?;
    let t = Instant::now();
    // hunalign writes a translate.txt where it runs: keep it in the temporary folder.
    let out = Command::new(bin).arg(&dic).arg(&pa).arg(&pb).current_dir(dir).output().ok()?;
    let secs = t.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rungs: Vec<(usize, usize)> = text
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?.trim().parse().ok()?, f.next()?.trim().parse().ok()?))
        })
        .collect();
    if rungs.first() != Some(&(0, 0)) {
        rungs.insert(0, (0, 0));
    }
    let mut beads = Vec::new();
    for w in rungs.windows(2) {
        let ((i0, j0), (i1, j1)) = (w[0], w[1]);
        if i1 >= i0 && j1 >= j0 && (i1 > i0 || j1 > j0) {
            beads.push(((i0..i1).collect(), (j0..j1).collect()));
        }
    }
    Some((eval::normalise(beads), secs))
}

fn sentence_unit(s: &str) -> Unit<'_> {
    Unit { text: s, heading: false, num: None }
}

fn sentences(corpus: &Path, dir: &Path, hunalign: Option<&Path>) {
    println!("\n## Sentence alignment: UN dev sentences (4,000 per language), same damage for all\n");
    let raw = corpus.join("unpc-dev/raw");
    let text: Vec<Vec<String>> = LANGS.iter().map(|l| read_lines(&raw.join(format!("UNv1.0.devset.{l}")))).collect();
    if text.iter().any(Vec::is_empty) {
        println!("unpc-dev/raw not found, skipped");
        return;
    }
    println!("| pair | gold | accord F1 strict | lax | Gale–Church F1 strict | lax | hunalign F1 strict | lax |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let en = &text[1];
    let (mut all_a, mut all_g, mut all_h) = (Counts::default(), Counts::default(), Counts::default());
    for (k, lang) in LANGS.iter().enumerate().filter(|(_, l)| **l != "en") {
        let (a, b, gold) = damage(en, &text[k], 42 + k as u64);
        let ua: Vec<Unit> = a.iter().map(|s| sentence_unit(s)).collect();
        let ub: Vec<Unit> = b.iter().map(|s| sentence_unit(s)).collect();
        let ours = eval::score(&gold, &beads_of(align_pair(&ua, &ub, ("en", lang), &Options::default())));
        let gc_opts = Options { mode: Mode::LengthOnly, ..Options::default() };
        let gc = eval::score(&gold, &beads_of(align_pair(&ua, &ub, ("en", lang), &gc_opts)));
        let hun = hunalign.and_then(|h| run_hunalign(h, dir, &a, &b)).map(|(p, _)| eval::score(&gold, &p));
        all_a.add(&ours);
        all_g.add(&gc);
        let h = match hun {
            Some(c) => {
                all_h.add(&c);
                let s = c.scores();
                format!("{:.4} | {:.4}", s.strict.f1, s.lax.f1)
            }
            None => "n/a | n/a".to_string(),
        };
        let (s, g) = (ours.scores(), gc.scores());
        println!(
            "| en-{lang} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {h} |",
            gold.len(),
            s.strict.f1,
            s.lax.f1,
            g.strict.f1,
            g.lax.f1
        );
    }
    let (s, g, h) = (all_a.scores(), all_g.scores(), all_h.scores());
    let h = if hunalign.is_some() { format!("{:.4} | {:.4}", h.strict.f1, h.lax.f1) } else { "n/a | n/a".to_string() };
    println!(
        "| all | {} | {:.4} | {:.4} | {:.4} | {:.4} | {h} |",
        all_a.n_gold, s.strict.f1, s.lax.f1, g.strict.f1, g.lax.f1
    );
}

/// Runs a command on one thread under /usr/bin/time when it exists: (seconds, peak RSS in KB).
fn timed(cmd: &mut Command) -> Option<(f64, Option<u64>)> {
    let time = Path::new("/usr/bin/time");
    let t = Instant::now();
    let out = if time.is_file() {
        let prog = cmd.get_program().to_owned();
        let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
        let mut timed = Command::new(time);
        timed.args(["-f", "%M"]).arg(prog).args(args).env("RAYON_NUM_THREADS", "1");
        if let Some(d) = cmd.get_current_dir() {
            timed.current_dir(d);
        }
        timed.output().ok()?
    } else {
        cmd.env("RAYON_NUM_THREADS", "1").output().ok()?
    };
    let secs = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return None;
    }
    let rss = String::from_utf8_lossy(&out.stderr).lines().last().and_then(|l| l.trim().parse().ok());
    Some((secs, rss))
}

fn speed(corpus: &Path, dir: &Path, hunalign: Option<&Path>) {
    println!("\n## Speed, one thread (RAYON_NUM_THREADS=1), paragraphs of unpc-dev-hard en/fr repeated\n");
    let docs = eval::find_docs(&corpus.join("unpc-dev-hard")).unwrap_or_default();
    let texts: Vec<(String, String)> = docs
        .iter()
        .filter_map(|d| Some((fs::read_to_string(d.join("en.txt")).ok()?, fs::read_to_string(d.join("fr.txt")).ok()?)))
        .collect();
    if texts.is_empty() {
        println!("unpc-dev-hard not found, skipped");
        return;
    }
    // Whole documents, repeated, until the English side has `n` lines: both sides stay
    // parallel (the French side has a few per cent more lines, as damaged).
    let build = |n: usize, pa: &Path, pb: &Path| -> Option<(usize, usize)> {
        let (mut a, mut b) = (String::new(), String::new());
        let (mut la, mut lb) = (0, 0);
        for (en, fr) in texts.iter().cycle() {
            if la >= n {
                break;
            }
            a.push_str(en);
            b.push_str(fr);
            la += en.lines().count();
            lb += fr.lines().count();
        }
        fs::write(pa, a).ok()?;
        fs::write(pb, b).ok()?;
        Some((la, lb))
    };
    let accord = env!("CARGO_BIN_EXE_accord");
    println!(
        "| lines en × fr | accord s | accord peak RSS MB | hunalign s | hunalign peak RSS MB | hunalign / accord |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for n in [10_000usize, 30_000, 1_000_000] {
        let (pa, pb) = (dir.join(format!("en{n}.txt")), dir.join(format!("fr{n}.txt")));
        let Some((la, lb)) = build(n, &pa, &pb) else {
            println!("| {n} | cannot write the test files | | | | |");
            continue;
        };
        let ours =
            timed(Command::new(accord).arg("align").arg(&pa).arg(&pb).args(["--lang-a", "en", "--lang-b", "fr"]));
        let hun = if n <= 30_000 {
            hunalign.and_then(|h| {
                let dic = dir.join("null.dic");
                fs::write(&dic, "").ok()?;
                timed(Command::new(h).arg(&dic).arg(&pa).arg(&pb).current_dir(dir))
            })
        } else {
            None
        };
        let mb = |r: Option<u64>| r.map_or("n/a".to_string(), |k| format!("{:.0}", k as f64 / 1024.0));
        let (os, orss) = ours.map_or(("failed".to_string(), "n/a".to_string()), |(s, r)| (format!("{s:.2}"), mb(r)));
        let (hs, hrss, ratio) = match (hun, ours) {
            (Some((h, r)), Some((o, _))) => (format!("{h:.2}"), mb(r), format!("{:.1}", h / o)),
            (Some((h, r)), None) => (format!("{h:.2}"), mb(r), "n/a".to_string()),
            _ => ("n/a".to_string(), "n/a".to_string(), "n/a".to_string()),
        };
        println!("| {la} × {lb} | {os} | {orss} | {hs} | {hrss} | {ratio} |");
    }
}
