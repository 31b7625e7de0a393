//! Scale: `accord build` (every format, `--jobs 2`) on synthetic corpora of 1,000 and 10,000
//! documents × 6 languages, to show time growing linearly with the corpus and peak memory
//! sub-linearly (it should follow the largest document, not the corpus).
//!
//! The generator makes each document from the UN Parallel Corpus dev set
//! (`../shared/corpus/unpc-dev`): a run of its 6-way paragraph groups, taken across
//! consecutive dev documents, then damaged per language as PDF conversion damages text —
//! running heads and page numbers between paragraphs, paragraphs split at a page break,
//! stray `-` lines — with a seeded generator, so the corpus is the same bytes on every run.
//! The baseline in the same run is `accord validate` on each corpus.
//!
//! `cargo bench --bench scale` (`ACCORD_SCALE_DOCS=1000,10000` sets the sizes).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, run};

const LANGS: [&str; 6] = ["ar", "en", "es", "fr", "ru", "zh"];

/// One 6-way group of a dev document: its paragraphs per language (in `LANGS` order).
type Group = [Vec<String>; 6];

fn main() {
    let sizes: Vec<usize> = std::env::var("ACCORD_SCALE_DOCS")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .map(|n| n.trim().parse().expect("ACCORD_SCALE_DOCS: numbers"))
        .collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let groups = dev_groups(&root.join("../shared/corpus/unpc-dev/docs"));
    let work = root.join("target/bench-scale");
    println!("material: {} 6-way paragraph groups of the UN Parallel Corpus dev set", groups.len());
    println!(
        "{:>9} {:>9} {:>15} {:>9} {:>7} {:>8} {:>10} {:>12}",
        "documents", "MB", "run", "wall s", "MB/s", "user s", "peak RSS", "÷ validate"
    );
    let mut rows: Vec<(usize, f64, Run)> = Vec::new();
    for &documents in &sizes {
        let sources = work.join(format!("sources-{documents}"));
        let bytes = generate(&groups, documents, &sources);
        let mb = bytes as f64 / 1e6;
        let out = work.join(format!("out-{documents}"));
        let _ = fs::remove_dir_all(&out);
        let validate = run(Command::new(env!("CARGO_BIN_EXE_accord")).arg("validate").arg(&sources));
        let build = run(Command::new(env!("CARGO_BIN_EXE_accord"))
            .args(["build", "--quiet", "--jobs", "2", "--sources"])
            .arg(&sources)
            .arg("--out")
            .arg(&out));
        for (name, r) in [("validate", &validate), ("build, all", &build)] {
            println!(
                "{documents:>9} {mb:>9.1} {name:>15} {:>9.2} {:>7.1} {:>8.2} {:>7} MB {:>12.2}",
                r.wall,
                mb / r.wall,
                r.user,
                r.max_rss_kb / 1024,
                r.wall / validate.wall
            );
        }
        rows.push((documents, mb, build));
        fs::remove_dir_all(&out).expect("remove the release");
    }
    if let [(d0, mb0, first), .., (d1, mb1, last)] = &rows[..] {
        println!(
            "{d0} → {d1} documents ({:.1}× the bytes): build time {:.2}×, peak RSS {:.2}×",
            mb1 / mb0,
            last.wall / first.wall,
            last.max_rss_kb as f64 / first.max_rss_kb as f64
        );
    }
}

/// Every 6-way group of the dev documents (groups with a paragraph in each language), in
/// document order.
fn dev_groups(docs: &Path) -> Vec<Group> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(docs)
        .expect("../shared/corpus/unpc-dev/docs")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut groups = Vec::new();
    for dir in dirs {
        let lines: Vec<Vec<String>> = LANGS
            .iter()
            .map(|l| {
                fs::read_to_string(dir.join(format!("{l}.txt")))
                    .expect("a language file")
                    .lines()
                    .map(String::from)
                    .collect()
            })
            .collect();
        let gold = fs::read_to_string(dir.join("gold.tsv")).expect("gold.tsv");
        let mut rows = gold.lines();
        let header: Vec<&str> = rows.next().expect("header").split('\t').collect();
        assert_eq!(header, LANGS, "gold.tsv columns");
        for row in rows {
            let cells: Vec<&str> = row.split('\t').collect();
            let group: Option<Vec<Vec<String>>> = (0..6)
                .map(|l| {
                    let ids: Vec<usize> = cells.get(l)?.split(',').filter_map(|i| i.trim().parse().ok()).collect();
                    (!ids.is_empty()).then(|| ids.iter().filter_map(|&i| lines[l].get(i).cloned()).collect())
                })
                .collect();
            if let Some(group) = group {
                groups.push(group.try_into().expect("six languages"));
            }
        }
    }
    groups
}

/// splitmix64: a seeded generator, so the corpus is the same on every run.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Writes `documents` synthetic documents into `sources`; returns the bytes of their
/// language versions.
fn generate(groups: &[Group], documents: usize, sources: &Path) -> u64 {
    let _ = fs::remove_dir_all(sources);
    let mut random = Random(0x5eed);
    let mut bytes = 0u64;
    for d in 0..documents {
        let slug = format!("syn-{d:05}");
        let dir = sources.join(&slug);
        fs::create_dir_all(&dir).expect("document folder");
        fs::write(
            dir.join("document.toml"),
            "original_language = \"en\"\nprovenance = \"synthetic (accord scale bench): UN Parallel Corpus dev set paragraphs with PDF-like damage\"\n",
        )
        .expect("document.toml");
        let start = random.below(groups.len());
        let count = 3 + random.below(6);
        let chosen: Vec<&Group> = (0..count).map(|k| &groups[(start + k) % groups.len()]).collect();
        let symbol = format!("A/{}/{}", 60 + random.below(20), 100 + d);
        for (l, lang) in LANGS.iter().enumerate() {
            let paragraphs: Vec<&str> = chosen.iter().flat_map(|g| g[l].iter().map(String::as_str)).collect();
            let text = damage(&paragraphs, &symbol, &mut random);
            bytes += text.len() as u64;
            fs::write(dir.join(format!("{lang}.txt")), text).expect("language file");
        }
    }
    bytes
}

/// One language version as a PDF conversion leaves it: a page break every few paragraphs
/// with a running head (the symbol), a page number and a job number; now and then a
/// paragraph split at the break, or a stray `-` line.
fn damage(paragraphs: &[&str], symbol: &str, random: &mut Random) -> String {
    let mut out = String::new();
    let mut page = 1;
    for (i, paragraph) in paragraphs.iter().enumerate() {
        let breaks_here = i > 0 && random.chance(30);
        if breaks_here && random.chance(50) {
            // The break falls inside the paragraph: its two halves become two lines.
            let cut = paragraph.char_indices().filter(|(_, c)| *c == ' ').map(|(at, _)| at).nth(5 + random.below(10));
            if let Some(cut) = cut {
                out.push_str(&paragraph[..cut]);
                out.push('\n');
                page_break(&mut out, symbol, &mut page, random);
                out.push_str(paragraph[cut..].trim_start());
                out.push('\n');
                continue;
            }
        }
        if breaks_here {
            page_break(&mut out, symbol, &mut page, random);
        }
        out.push_str(paragraph);
        out.push('\n');
        if random.chance(3) {
            out.push_str("-\n");
        }
    }
    out
}

fn page_break(out: &mut String, symbol: &str, page: &mut usize, random: &mut Random) {
    *page += 1;
    out.push_str(&format!("{page}/{}\n", *page + random.below(8)));
    out.push_str(&format!("15-{:05}\n", random.below(100_000)));
    out.push_str(symbol);
    out.push('\n');
}
