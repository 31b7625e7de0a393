//! `accord build [--sources DIR] [--out DIR] [--format csv,…] [--jobs N] [--min-confidence X]
//! [--pair xx,yy] [--quiet]`: the release. Every document is read, validated, accounted for and aligned in parallel; its
//! exports are rendered as bytes; the release is written into a temporary folder beside the
//! output, `manifest.json` last, and renamed into place. A document with errors fails the
//! build and leaves the previous release untouched.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use clap::Args as ClapArgs;
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::align::{self, Options};
use crate::diag::{self, Diagnostic, display_path};
use crate::digest::{self, record};
use crate::export::csv::{Rows, Tables};
use crate::export::{self, Aligned, File, ReleaseInfo};
use crate::ingest::{self, Target};
use crate::lang;
use crate::model::Document;
use crate::model::alignment::Alignment;
use crate::release::{self, Entry, EntrySpill, Head, MANIFEST};
use crate::validate;

#[derive(ClapArgs)]
pub struct Args {
    /// Folder of document folders.
    #[arg(long, default_value = "sources")]
    sources: PathBuf,
    /// Release folder, replaced as a whole when the build succeeds.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Formats to export, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "csv,xlsx,akn,tmx,xliff")]
    format: Vec<String>,
    /// Leave out aligned groups whose confidence is below this (0 to 1): a subset ready for
    /// translation memories. The manifest counts what was left out.
    #[arg(long, value_name = "X")]
    min_confidence: Option<f32>,
    /// Build part I (0-based) of N: the documents whose slug hashes to I. Parts built anywhere
    /// are combined by `accord merge` into the release a single build makes.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(u64, u64)>,
    /// Keep only these two languages, and the groups that hold both.
    #[arg(long, value_name = "xx,yy", value_delimiter = ',', num_args = 1)]
    pair: Option<Vec<String>>,
    /// Worker threads [default: one per core]. The release is the same whatever the number.
    #[arg(long)]
    jobs: Option<usize>,
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
}

const FORMATS: [&str; 5] = ["csv", "xlsx", "akn", "tmx", "xliff"];

/// Which groups the release keeps.
struct Filters {
    min_confidence: Option<f32>,
    pair: Option<[String; 2]>,
}

/// What one document gives the release. Its files are already written to the staging
/// folder and its CSV rows streamed: only manifest entries are kept, so memory follows the
/// largest documents, not the whole release.
struct Built {
    diagnostics: Vec<Diagnostic>,
    inputs: Vec<Entry>,
    outputs: Vec<Entry>,
    counts: Counts,
    /// The first file the system could not write.
    failed: Option<std::io::Error>,
}

/// The manifest's counts: each document's, and the release's as their sum.
#[derive(Default)]
struct Counts {
    documents: usize,
    expressions: usize,
    groups: usize,
    groups_to_review: usize,
    groups_dropped_by_pair: usize,
    groups_dropped_below_confidence: usize,
    input_bytes: usize,
    /// The nothing-lost check: characters of the sources, those found in the model or the
    /// dropped artefacts, and the artefacts.
    source_characters: usize,
    source_characters_accounted: usize,
    dropped_artefacts: usize,
}

impl Counts {
    /// Every count, by its name in the manifest.
    fn named(&self) -> [(&'static str, usize); 10] {
        [
            ("documents", self.documents),
            ("expressions", self.expressions),
            ("groups", self.groups),
            ("groups_to_review", self.groups_to_review),
            ("groups_dropped_by_pair", self.groups_dropped_by_pair),
            ("groups_dropped_below_confidence", self.groups_dropped_below_confidence),
            ("input_bytes", self.input_bytes),
            ("source_characters", self.source_characters),
            ("source_characters_accounted", self.source_characters_accounted),
            ("dropped_artefacts", self.dropped_artefacts),
        ]
    }

    fn add(&mut self, other: &Counts) {
        self.documents += other.documents;
        self.expressions += other.expressions;
        self.groups += other.groups;
        self.groups_to_review += other.groups_to_review;
        self.groups_dropped_by_pair += other.groups_dropped_by_pair;
        self.groups_dropped_below_confidence += other.groups_dropped_below_confidence;
        self.input_bytes += other.input_bytes;
        self.source_characters += other.source_characters;
        self.source_characters_accounted += other.source_characters_accounted;
        self.dropped_artefacts += other.dropped_artefacts;
    }
}

pub fn run(args: Args) -> u8 {
    if let Some(jobs) = args.jobs
        && let Err(code) = super::set_jobs(jobs)
    {
        return code;
    }
    let formats: BTreeSet<String> = args.format.iter().map(|f| f.trim().to_lowercase()).collect();
    if let Some(unknown) = formats.iter().find(|f| !FORMATS.contains(&f.as_str())) {
        eprintln!("accord build: unknown or not yet built format `{unknown}` (available: {})", FORMATS.join(", "));
        return super::EXIT_USAGE;
    }
    let filters = match filters(&args) {
        Ok(f) => f,
        Err(message) => {
            eprintln!("accord build: {message}");
            return super::EXIT_USAGE;
        }
    };
    let info = match release_info() {
        Ok(info) => info,
        Err(message) => {
            eprintln!("accord build: {message}");
            return super::EXIT_USAGE;
        }
    };
    let started = Instant::now();
    let targets = match ingest::targets(std::slice::from_ref(&args.sources)) {
        Ok(t) => t,
        Err(d) => {
            eprintln!("{d}");
            return super::EXIT_USAGE;
        }
    };
    // Every part has the release's columns: the languages of all documents, not its own.
    let mut languages = release_languages(&targets);
    let mut targets = targets;
    if let Some((i, n)) = args.shard {
        targets.retain(|t| release::shard_of(&target_slug(t), n) == i);
    }
    if let Some(pair) = &filters.pair {
        languages.retain(|l| pair.contains(l));
    }
    let staging = match Staging::new(&args.out, &[&args.sources]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("accord build: cannot prepare {}: {e}", display_path(&args.out));
            return super::EXIT_USAGE;
        }
    };
    let tables = if formats.contains("csv") {
        match Sequencer::new(&staging, &languages) {
            Ok(t) => Some(t),
            Err(e) => {
                staging.abandon();
                eprintln!("accord build: cannot write {}: {e}", display_path(&args.out));
                return super::EXIT_USAGE;
            }
        }
    } else {
        None
    };
    let bar = if !args.quiet && std::io::stderr().is_terminal() {
        ProgressBar::new(targets.len() as u64).with_style(
            ProgressStyle::with_template("build {bar:40} {pos}/{len} documents, {elapsed} (eta {eta})")
                .expect("a valid template"),
        )
    } else {
        ProgressBar::hidden()
    };
    let totals = match Totals::new(&staging.scratch()) {
        Ok(t) => Mutex::new(t),
        Err(e) => {
            staging.abandon();
            eprintln!("accord build: cannot write {}: {e}", display_path(&args.out));
            return super::EXIT_USAGE;
        }
    };
    // One worker per thread takes documents in order, so that they finish nearly in order
    // and their CSV rows can be streamed without holding the corpus.
    let next = AtomicUsize::new(0);
    let read = AtomicUsize::new(0);
    let akn = formats.contains("akn").then_some(&staging);
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| read_ahead(&targets, &next, &read, akn));
        let reader = reader.thread();
        rayon::broadcast(|_| {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if read.load(Ordering::Relaxed) <= i + READ_AHEAD / 2 {
                    reader.unpark();
                }
                let Some(target) = targets.get(i) else { break };
                // Once the system failed to write a file the release is lost (a full disk fails
                // every document after): the documents left are passed over, each still finished
                // in turn so that no worker waits for one that never comes.
                if totals.lock().expect("no worker panicked").failed.is_some() {
                    if let Some(t) = &tables {
                        t.finished(i, None);
                    }
                    continue;
                }
                if let Some(t) = &tables {
                    t.wait_turn(i);
                }
                let (b, rows) = build_one(target, &languages, &formats, &filters, &info, &staging);
                if let Some(t) = &tables {
                    t.finished(i, rows);
                }
                bar.inc(1);
                totals.lock().expect("no worker panicked").add(b, args.quiet);
            }
        });
    });
    bar.finish_and_clear();
    let mut totals = totals.into_inner().expect("no worker panicked");
    let input_bytes = totals.counts.input_bytes;

    diag::sort(&mut totals.shown);
    for d in &totals.shown {
        eprintln!("{d}");
    }
    if totals.errors > 0 {
        drop(tables);
        staging.abandon();
        eprintln!("build failed: {} errors; {} left as it was", totals.errors, display_path(&args.out));
        return super::EXIT_INVALID;
    }

    let finished = (|| -> Result<(String, usize, Survey), String> {
        if let Some(t) = tables {
            for entry in t.finish()? {
                totals.output(entry);
            }
            let package = export::csv::datapackage_file(&languages, &info).map_err(|e| e.to_string())?;
            totals.output(staging.write(&package).map_err(|e| e.to_string())?);
        }
        let summary = format!(
            "build: {} documents, {} languages, {} groups ({} to review), {} files in {}",
            totals.counts.documents,
            languages.len(),
            totals.counts.groups,
            totals.counts.groups_to_review,
            totals.output_files + 1,
            display_path(&args.out),
        );
        let files = totals.output_files;
        let (written, survey) =
            rayon::join(|| write_manifest(&args, &formats, &filters, &info, totals, &staging), || staging.survey());
        written.and(survey).map(|survey| (summary, files, survey)).map_err(|e| e.to_string())
    })();
    let committed = match finished {
        Ok((summary, files, survey)) => staging.commit(files, survey).map(|()| summary).map_err(|e| e.to_string()),
        Err(e) => {
            staging.abandon();
            Err(e)
        }
    };
    let summary = match committed {
        Ok(summary) => summary,
        Err(e) => {
            eprintln!("accord build: cannot write {}: {e}", display_path(&args.out));
            return super::EXIT_USAGE;
        }
    };
    if !args.quiet {
        let seconds = started.elapsed().as_secs_f64();
        let mb = input_bytes as f64 / 1e6;
        eprintln!("{summary}; {mb:.1} MB in {seconds:.2} s ({:.1} MB/s)", mb / seconds.max(1e-9));
    }
    super::EXIT_OK
}

/// How many documents past the next one to build have their sources read ahead: a document
/// takes a worker a millisecond or more, and asking for one's files takes far less, so the
/// reads have time to complete; and so few documents ahead, what was read ahead is still in
/// memory when it is needed.
const READ_AHEAD: usize = 128;

/// Has the system read the sources of the documents the workers will take next (`next` is
/// the next one to be taken), up to [`READ_AHEAD`] documents ahead, and with `akn` their
/// Akoma Ntoso folders in the releases that staging starts from (a folder each, whose look-ups
/// wait for the disk where a long-unread one is no longer in memory); `read` is how far it
/// got. Once that far it waits, and the workers wake it when it is only half as far ahead:
/// woken for every document, it would take the cores from them as often.
fn read_ahead(targets: &[Target], next: &AtomicUsize, read: &AtomicUsize, akn: Option<&Staging>) {
    let mut k = 0;
    while k < targets.len() {
        let taken = next.load(Ordering::Relaxed);
        if k < taken {
            k = taken;
        } else if k >= taken + READ_AHEAD {
            std::thread::park();
        } else {
            ingest::read_ahead(&targets[k]);
            if let Some(staging) = akn {
                staging.read_ahead(&export::akn::folder(&target_slug(&targets[k])));
            }
            k += 1;
            read.store(k, Ordering::Relaxed);
        }
    }
}

/// What the finished documents add up to, gathered as each one finishes so that memory does
/// not grow with their number: manifest entries go to disk, diagnostics are counted and kept
/// only where they will be printed.
struct Totals {
    counts: Counts,
    output_files: usize,
    by_code: BTreeMap<String, usize>,
    errors: usize,
    /// The diagnostics to print: errors, and warnings unless `--quiet`.
    shown: Vec<Diagnostic>,
    inputs: EntrySpill,
    outputs: EntrySpill,
    /// The first file or manifest entry the system could not write, reported when the
    /// manifest would be written.
    failed: Option<std::io::Error>,
}

impl Totals {
    fn new(scratch: &Path) -> std::io::Result<Self> {
        Ok(Totals {
            counts: Counts::default(),
            output_files: 0,
            by_code: BTreeMap::new(),
            errors: 0,
            shown: Vec::new(),
            inputs: EntrySpill::new(&scratch.join("inputs"))?,
            outputs: EntrySpill::new(&scratch.join("outputs"))?,
            failed: None,
        })
    }

    fn add(&mut self, built: Built, quiet: bool) {
        self.counts.add(&built.counts);
        for d in built.diagnostics {
            let severity = if d.is_error() { "error" } else { "warning" };
            *self.by_code.entry(format!("{severity}[{}]", d.code)).or_default() += 1;
            if d.is_error() {
                self.errors += 1;
            }
            if d.is_error() || !quiet {
                self.shown.push(d);
            }
        }
        for entry in built.inputs {
            if let Err(e) = self.inputs.push(entry) {
                self.failed.get_or_insert(e);
            }
        }
        for entry in built.outputs {
            self.output(entry);
        }
        if let Some(e) = built.failed {
            self.failed.get_or_insert(e);
        }
    }

    fn output(&mut self, entry: Entry) {
        self.output_files += 1;
        if let Err(e) = self.outputs.push(entry) {
            self.failed.get_or_insert(e);
        }
    }
}

fn build_one(
    target: &Target,
    languages: &[String],
    formats: &BTreeSet<String>,
    filters: &Filters,
    info: &ReleaseInfo,
    staging: &Staging,
) -> (Built, Option<Rows>) {
    // Nothing lost: every source character is in the model or in its list of dropped
    // artefacts (an error otherwise); the manifest adds up what was checked.
    let loaded = ingest::load(target, true);
    let mut diagnostics = validate::loaded(&loaded);
    let mut counts = Counts { documents: 1, ..Counts::default() };
    let expressions = loaded.document.iter().flat_map(|d| &d.expressions);
    for (expression, c) in expressions.zip(&loaded.coverage).filter(|(_, c)| c.is_complete()) {
        counts.source_characters += c.source_chars;
        counts.source_characters_accounted += c.accounted;
        counts.dropped_artefacts += expression.dropped.len();
    }
    let inputs: Vec<Entry> = loaded
        .files
        .iter()
        .map(|f| Entry { path: display_path(&f.path), bytes: f.bytes, sha256: f.sha256.clone() })
        .collect();
    counts.input_bytes = inputs.iter().map(|e| e.bytes).sum();
    let mut built = Built { diagnostics: Vec::new(), inputs, outputs: Vec::new(), counts, failed: None };
    let Some(doc) = &loaded.document else {
        built.diagnostics = diagnostics;
        return (built, None);
    };
    built.counts.expressions = doc.expressions.len();
    if diagnostics.iter().any(Diagnostic::is_error) {
        built.diagnostics = diagnostics;
        return (built, None);
    }
    let (doc, mut alignment) = align::align_document(doc, &Options::default());
    let paired;
    let doc = match &filters.pair {
        Some(pair) => {
            paired = keep_pair(&doc, &mut alignment, pair);
            built.counts.groups_dropped_by_pair = paired.1;
            &paired.0
        }
        None => &doc,
    };
    if let Some(min) = filters.min_confidence {
        let before = alignment.groups.len();
        alignment.groups.retain(|g| g.confidence >= min);
        built.counts.groups_dropped_below_confidence = before - alignment.groups.len();
    }
    let units = doc.unit_index();
    if formats.contains("tmx") || formats.contains("xliff") {
        align::align_document_sentences(&units, &mut alignment, &Options::default());
    }
    built.counts.groups = alignment.groups.len();
    built.counts.groups_to_review = alignment.groups.iter().filter(|g| g.review).count();
    let sources: Vec<(String, String)> = built.inputs.iter().map(|e| (e.path.clone(), e.sha256.clone())).collect();
    let aligned = Aligned { document: doc, alignment: &alignment, units: &units, sources: &sources };
    if formats.contains("tmx") {
        diagnostics.extend(export::tmx::long_segments(&aligned));
    }
    let failed = |e: String| {
        Diagnostic::error("export", diag::Location::file(&loaded.dir), e, "this is a bug in accord: please report it")
    };
    let mut rows = None;
    if formats.contains("csv") {
        match export::csv::rows(&aligned, languages) {
            Ok(r) => rows = Some(r),
            Err(e) => diagnostics.push(failed(format!("cannot render the CSV rows: {e}"))),
        }
    }
    let exporters: [(&str, export::Exporter); 4] = [
        ("xlsx", export::xlsx::export),
        ("akn", export::akn::export),
        ("tmx", export::tmx::export),
        ("xliff", export::xliff::export),
    ];
    // A file the system cannot write is not the document's fault: the build stops with exit 2.
    for (_, exporter) in exporters.into_iter().filter(|(format, _)| formats.contains(*format)) {
        match exporter(&aligned, info) {
            Ok(files) => {
                for file in &files {
                    match staging.write(file) {
                        Ok(entry) => built.outputs.push(entry),
                        Err(e) => {
                            let message = format!("{}: {e}", display_path(&file.path));
                            built.failed.get_or_insert(std::io::Error::new(e.kind(), message));
                        }
                    }
                }
            }
            Err(e @ export::ExportError::TempFile { .. }) => {
                built.failed.get_or_insert(std::io::Error::other(e.to_string()));
            }
            Err(e) => diagnostics.push(failed(e.to_string())),
        }
    }
    built.diagnostics = diagnostics;
    (built, rows)
}

/// `I/N` with 0 <= I < N.
fn parse_shard(value: &str) -> Result<(u64, u64), String> {
    let parsed = value.split_once('/').and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
    match parsed {
        Some((i, n)) if n > 0 && i < n => Ok((i, n)),
        _ => Err(format!("`{value}` is not I/N with 0 <= I < N (e.g. 0/4, as JOB_COMPLETION_INDEX counts)")),
    }
}

/// The slug a target's document gets: its folder's name (a file's, without extension).
fn target_slug(target: &Target) -> String {
    let name = match target {
        Target::Document(dir) => dir.file_name(),
        Target::File(file) => file.file_stem(),
    };
    name.map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn filters(args: &Args) -> Result<Filters, String> {
    if let Some(min) = args.min_confidence
        && !(0.0..=1.0).contains(&min)
    {
        return Err(format!("--min-confidence {min} is not between 0 and 1"));
    }
    let pair = match args.pair.as_deref() {
        None => None,
        Some([a, b]) if a != b && lang::is_iso639_1(a) && lang::is_iso639_1(b) => Some([a.clone(), b.clone()]),
        Some(other) => {
            return Err(format!("--pair takes two different ISO 639-1 codes, as `en,fr` (got `{}`)", other.join(",")));
        }
    };
    Ok(Filters { min_confidence: args.min_confidence, pair })
}

/// The document restricted to the two languages of `pair`, and the alignment to the groups
/// holding both (the pivot becomes one of the two when it was neither); returns the number
/// of groups left out.
fn keep_pair(doc: &Document, alignment: &mut Alignment, pair: &[String; 2]) -> (Document, usize) {
    let mut kept = doc.clone();
    kept.expressions.retain(|e| pair.contains(&e.lang));
    let before = alignment.groups.len();
    for group in &mut alignment.groups {
        group.members.retain(|lang, _| pair.contains(lang));
    }
    alignment.groups.retain(|g| g.members.len() == 2);
    if !pair.contains(&alignment.pivot) {
        let original = doc.metadata.original_language.as_ref().filter(|l| pair.contains(l));
        alignment.pivot = original.unwrap_or(&pair[0]).clone();
    }
    (kept, before - alignment.groups.len())
}

/// The release's text columns: every language with a file in some document folder.
fn release_languages(targets: &[Target]) -> Vec<String> {
    // Every document folder is listed before any is built, on threads that wait for the disk
    // together when the folders are not in memory: one at a time, this was a third of what a
    // build does before its first document (4,248 folders not in memory took `ls` 0.32 s
    // two at a time, 0.13 s eight at a time).
    let langs = Mutex::new(BTreeSet::new());
    on_disk_threads(targets, |t| {
        if let Target::Document(dir) = t {
            let found = ingest::language_codes(dir);
            langs.lock().expect("no lister panicked").extend(found);
        }
    });
    langs.into_inner().expect("no lister panicked").into_iter().collect()
}

/// The version, and the release date from `SOURCE_DATE_EPOCH` when it is set.
fn release_info() -> Result<ReleaseInfo, String> {
    let date = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => {
            let seconds: i64 =
                v.trim().parse().map_err(|_| format!("SOURCE_DATE_EPOCH `{v}` is not a number of seconds"))?;
            Some(civil_date(seconds.div_euclid(86_400)))
        }
        Err(_) => None,
    };
    Ok(ReleaseInfo { version: env!("CARGO_PKG_VERSION").to_string(), date })
}

/// `YYYY-MM-DD` of a day count since 1970-01-01 (Howard Hinnant's civil-from-days).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Writes `manifest.json`, last, its entries streamed in path order from the spills.
fn write_manifest(
    args: &Args,
    formats: &BTreeSet<String>,
    filters: &Filters,
    info: &ReleaseInfo,
    mut totals: Totals,
    staging: &Staging,
) -> std::io::Result<()> {
    if let Some(e) = totals.failed.take() {
        return Err(e);
    }
    let head = Head {
        accord_version: info.version.clone(),
        release_date: info.date.clone(),
        options: release::Options {
            sources: display_path(&args.sources),
            formats: formats.clone(),
            min_confidence: filters.min_confidence,
            pair: filters.pair.clone(),
            shard: args.shard.map(|(i, n)| format!("{i}/{n}")),
        },
        counts: totals.counts.named().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        diagnostics: totals.by_code,
    };
    let (inputs, outputs) = (totals.inputs.sorted()?, totals.outputs.sorted()?);
    let mut file = staging.create(MANIFEST.into())?;
    release::write(&mut file, &head, inputs, outputs)?;
    file.finish().map(drop)
}

/// The staging folder's own temporary files (see [`Staging::scratch`]).
const SCRATCH: &str = ".scratch";

/// The release being written: a temporary folder beside the output, swapped into place in
/// one step when complete, so an interrupted build leaves the previous release or the new
/// one, whole (and at worst a `.out.tmp-…` folder beside them).
///
/// The release it replaces is kept as `.out.spare` beside the output, less its files that the
/// new release does not share, and the next build starts from it: a file the next release
/// holds byte for byte is then already in place, a second link to the release's own, and a
/// release that repeats the one before neither links its files again nor removes them, nor
/// makes and removes its folders (on a file system that discards freed blocks as it goes,
/// ext4 `-o discard`, each folder or file removed waits for the disk). The spare files are
/// never written: a file of the new release that changes is made anew beside the old one's
/// link, which is removed first (see [`Staging::new_file`]). On a quarter of the bench corpus
/// (4,248 documents), a build that repeats the release before took 5.55–5.61 s against
/// 5.90–6.43 s when the spare held only folders.
pub(super) struct Staging {
    dir: PathBuf,
    out: PathBuf,
    /// Where the release this one replaces is kept for the next build.
    spare: PathBuf,
    /// Whether the staging folder started as the spare one, whose files and folders this
    /// release may not all hold.
    adopted: bool,
    /// Whether `out` holds a release this one replaces: a file the new release holds byte for
    /// byte is then taken from it rather than written again (see [`Staging::keep`] and
    /// [`OldCopy::holds`]).
    replaces: bool,
    /// The folders of the release made last: a folder is made once, not tried again for each
    /// of its files. Only the last few are remembered, so memory does not grow with the
    /// documents (one folder each in `akn/`); one forgotten and met again is made again,
    /// which does no harm.
    folders: Mutex<VecDeque<PathBuf>>,
    /// The files of the replaced release that this one writes anew: their copies in it are
    /// removed once it is replaced, so the spare holds no file the new release does not.
    superseded: Mutex<Vec<PathBuf>>,
}

/// What the release being replaced holds at a path.
enum Previous {
    Absent,
    /// Something the new release may not take: a link, a folder, a file of another length,
    /// or one shared with a file outside the release, which could change it through it.
    Unusable,
    Copy(OldCopy),
}

/// A regular file of the release being replaced.
struct OldCopy {
    from: PathBuf,
    /// Its size and time when it was looked up, which a record of its digest must match.
    stamp: Option<record::Stamp>,
    /// Whether the staging folder already holds it at the same path (the spare's link).
    in_place: bool,
}

impl OldCopy {
    /// Whether the copy holds `bytes`, whose sha256 is `digest`: as the digest recorded on
    /// it says while the record holds, else as its bytes read back say (and then the record
    /// is made for the next build).
    fn holds(&self, bytes: &[u8], digest: &[u8; 32]) -> bool {
        if let Some(recorded) = self.stamp.and_then(|stamp| record::read(&self.from, &stamp)) {
            return &recorded == digest;
        }
        let Ok(mut file) = fs::File::open(&self.from) else { return false };
        let stamp = record::Stamp::of_file(&file);
        let same = holds(&mut file, bytes).unwrap_or(false);
        if let Some(stamp) = stamp.filter(|_| same) {
            record::make(&file, digest, &stamp);
        }
        same
    }
}

impl Staging {
    /// Refuses an `out` the swap would harm (see [`check_out`]); `inputs` are the run's.
    pub(super) fn new(out: &Path, inputs: &[&Path]) -> std::io::Result<Self> {
        check_out(out, inputs)?;
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        let prefix = format!(".{name}.tmp-");
        // `--out releases/2026-11/out` makes its folders, as `mkdir -p` would.
        fs::create_dir_all(parent)?;
        remove_stale(parent, &prefix)?;
        let dir = parent.join(format!("{prefix}{}", std::process::id()));
        if dir.exists() {
            remove_tree(&dir)?;
        }
        let spare = parent.join(format!(".{name}.spare"));
        // Taken whole in one step, so two builds never share it. Nothing in it is trusted: a
        // file is kept only when it is the replaced release's own file at the same path, and
        // whatever else is there goes when the release is committed.
        let replaces = out.join(MANIFEST).is_file();
        let adopted = replaces && fs::rename(&spare, &dir).is_ok();
        if !replaces && spare.exists() {
            // Left by a release no longer there: nothing to share with this one.
            remove_tree(&spare)?;
        }
        if adopted && dir.join(SCRATCH).exists() {
            remove_tree(&dir.join(SCRATCH))?;
        }
        if !adopted {
            fs::create_dir_all(&dir)?;
        }
        let (folders, superseded) = (Mutex::default(), Mutex::default());
        Ok(Staging { dir, out: out.to_path_buf(), spare, adopted, replaces, folders, superseded })
    }

    /// Writes one file of the release and returns its manifest entry. It is made durable
    /// with all the others by [`Staging::commit`]: one flush instead of one per file.
    pub(super) fn write(&self, file: &File) -> std::io::Result<Entry> {
        let full = self.inside(&file.path)?;
        let digest = digest::sha256(&file.bytes);
        let previous = self.previous(&file.path, Some(file.bytes.len()));
        let kept = match &previous {
            Previous::Copy(old) => old.holds(&file.bytes, &digest) && self.keep(&old.from, old.in_place, &full).is_ok(),
            Previous::Absent | Previous::Unusable => false,
        };
        if !kept {
            self.new_file(&full)?.write_all(&file.bytes)?;
            if !matches!(previous, Previous::Absent) {
                self.supersede(&file.path);
            }
        }
        Ok(Entry { path: display_path(&file.path), bytes: file.bytes.len(), sha256: digest::hex(&digest) })
    }

    /// What the release being replaced holds at `path`; a copy only when it may become the
    /// new release's file: a regular file of `len` bytes (when given) that no file outside
    /// the two releases shares.
    #[cfg(unix)]
    fn previous(&self, path: &Path, len: Option<usize>) -> Previous {
        use std::os::unix::fs::MetadataExt;
        if !self.replaces {
            return Previous::Absent;
        }
        let from = self.out.join(path);
        let meta = match fs::symlink_metadata(&from) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Previous::Absent,
            Err(_) => return Previous::Unusable,
        };
        if !meta.file_type().is_file() || len.is_some_and(|n| meta.len() != n as u64) {
            return Previous::Unusable;
        }
        // Two links: the release's own and the spare's at the same path, nothing else.
        let in_place = meta.nlink() == 2
            && self.adopted
            && fs::symlink_metadata(self.dir.join(path)).is_ok_and(|m| (m.dev(), m.ino()) == (meta.dev(), meta.ino()));
        if meta.nlink() != 1 && !in_place {
            return Previous::Unusable;
        }
        Previous::Copy(OldCopy { from, stamp: record::Stamp::of(&meta), in_place })
    }

    #[cfg(not(unix))]
    fn previous(&self, path: &Path, _: Option<usize>) -> Previous {
        if self.replaces && fs::symlink_metadata(self.out.join(path)).is_ok() {
            Previous::Unusable
        } else {
            Previous::Absent
        }
    }

    /// Makes the replaced release's file `from`, found to hold the new bytes, the new
    /// release's `full`: nothing to do when the spare's link to it is in place, else a link.
    /// A release mostly repeats the one before it, and a link neither writes the bytes again
    /// nor has the file system allocate an inode for them and free the old one: on ext4
    /// without a journal, files created soon after many were freed took several times longer
    /// (the allocator skips inodes freed in the last seconds one by one).
    fn keep(&self, from: &Path, in_place: bool, full: &Path) -> std::io::Result<()> {
        if in_place {
            return Ok(());
        }
        self.vacate(full)?;
        fs::hard_link(from, full)
    }

    /// A new file at `full`, never one the spare left there: that may be a link to a file of
    /// the release being replaced, which must not change, so it is removed first, and the
    /// file is made only if nothing is there.
    fn new_file(&self, full: &Path) -> std::io::Result<fs::File> {
        self.vacate(full)?;
        fs::File::options().write(true).create_new(true).open(full)
    }

    /// Removes what the spare left at `full`, if anything.
    fn vacate(&self, full: &Path) -> std::io::Result<()> {
        if self.adopted { remove_if_there(full) } else { Ok(()) }
    }

    /// Notes that the replaced release's file at `path` is not the new release's.
    fn supersede(&self, path: &Path) {
        self.superseded.lock().expect("no writer panicked").push(path.to_path_buf());
    }

    /// A folder inside the staging one for the build's own temporary files; removed before
    /// the release is committed.
    fn scratch(&self) -> PathBuf {
        self.dir.join(SCRATCH)
    }

    /// Opens a file of the release to be written as a stream.
    fn create(&self, path: PathBuf) -> std::io::Result<Stream<'_>> {
        let full = self.inside(&path)?;
        let previous = self.previous(&path, None);
        let opened = match &previous {
            Previous::Copy(old) => fs::File::open(&old.from).ok(),
            Previous::Absent | Previous::Unusable => None,
        };
        let sink = match (previous, opened) {
            (Previous::Copy(old), Some(file)) => {
                let copy = Kept { from: old.from, in_place: old.in_place };
                let stamp = record::Stamp::of_file(&file);
                match stamp.and_then(|stamp| record::read_prefixes(&file, &stamp)) {
                    Some(prefixes) => Sink::Recorded { copy, file, prefixes, pending: Vec::new() },
                    None => Sink::Same { copy, old: BufReader::with_capacity(STREAMED, file), stamp },
                }
            }
            (previous, _) => {
                if !matches!(previous, Previous::Absent) {
                    self.supersede(&path);
                }
                Sink::Writing(BufWriter::with_capacity(STREAMED, self.new_file(&full)?))
            }
        };
        Ok(Stream { staging: self, path, full, sink, hash: Sha256::new(), bytes: 0, marks: Vec::new() })
    }

    /// Has the system read `folder` of the release being replaced and of the spare release
    /// this one started from, where they have it: a hint, nothing is reported.
    pub(super) fn read_ahead(&self, folder: &Path) {
        let roots = [self.replaces.then_some(&self.out), self.adopted.then_some(&self.dir)];
        for root in roots.into_iter().flatten() {
            if let Ok(mut entries) = fs::read_dir(root.join(folder)) {
                entries.next();
            }
        }
    }

    /// Where a file of the release goes, its folder made; never outside the release,
    /// whatever made the path.
    fn inside(&self, path: &Path) -> std::io::Result<PathBuf> {
        if !crate::release::is_release_path(&display_path(path)) {
            let message = format!("`{}` is not a path inside the release", display_path(path));
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, message));
        }
        let full = self.dir.join(path);
        if let Some(folder) = full.parent() {
            // Compared as bytes: `Path`'s `==` parses both into components, and the folders
            // are all made by this function from the same `dir`.
            let known = |made: &VecDeque<PathBuf>| made.iter().any(|f| f.as_os_str() == folder.as_os_str());
            // Made without the lock, which other writers would wait for: two threads making
            // the same folder both succeed, and each writes only once its own call returned.
            if !known(&self.folders.lock().expect("no writer panicked")) {
                fs::create_dir_all(folder)?;
                let mut made = self.folders.lock().expect("no writer panicked");
                if !known(&made) {
                    if made.len() == FOLDERS_REMEMBERED {
                        made.pop_front();
                    }
                    made.push_back(folder.to_path_buf());
                }
            }
        }
        Ok(full)
    }

    /// What the staging folder holds once every file of the release but its manifest is
    /// written, for [`Staging::commit`]: read while the manifest is written, the one step of
    /// a build that keeps a single thread busy. The manifest and the scratch folder are left
    /// out of it.
    pub(super) fn survey(&self) -> std::io::Result<Survey> {
        if !self.adopted {
            return Ok(Survey(None));
        }
        Tree::read_except(&self.dir, &[MANIFEST, SCRATCH]).map(|tree| Survey(Some(tree)))
    }

    /// Every file and folder of the release reaches the disk before the swap, so that a
    /// crash never leaves `out/` naming a release that is not whole. `files` is how many
    /// files the release has, its manifest aside, and `survey` what the folder held besides.
    pub(super) fn commit(self, files: usize, survey: Survey) -> std::io::Result<()> {
        if self.scratch().exists() {
            remove_tree(&self.scratch())?;
        }
        let mut gone = Vec::new();
        if let Some(mut tree) = survey.0 {
            // What the spare left that this release does not hold, then the folders left
            // empty: a release has no other file and no empty folder. Every file of the
            // release is there, so when there are no more files than that there is nothing
            // else to find, and a rebuild of the same sources neither lists the release's
            // paths nor looks each file up.
            let found: usize = tree.folders.iter().map(|f| f.files.len()).sum();
            if found > files {
                let held = self.release_paths()?;
                for folder in &mut tree.folders {
                    folder.files.retain(|full| {
                        let path = full.strip_prefix(&self.dir).unwrap_or(full);
                        let name = display_path(path);
                        let kept = held.contains(&name);
                        if !kept {
                            gone.push(path.to_path_buf());
                        }
                        kept
                    });
                }
            }
            in_parallel(&gone, |path| fs::remove_file(self.dir.join(path)))?;
            tree.remove_folders(&tree.empty_folders())?;
        }
        sync_tree(&self.dir)?;
        if self.out.exists() {
            // The staging folder now holds the previous release: what it does not share with
            // the new one goes, and the rest is the next build's spare.
            exchange(&self.dir, &self.out)?;
            gone.append(&mut self.superseded.into_inner().expect("no writer panicked"));
            in_parallel(&gone, |path| remove_if_there(&self.dir.join(path)))?;
            // Another build may have left a spare meanwhile: then this one goes.
            if fs::rename(&self.dir, &self.spare).is_err() {
                remove_tree(&self.dir)?;
            }
            Ok(())
        } else {
            fs::rename(&self.dir, &self.out)
        }
    }

    /// The paths of the release's files, as its manifest, already written, lists them.
    fn release_paths(&self) -> std::io::Result<std::collections::HashSet<String>> {
        let manifest = release::Manifest::from_slice(&fs::read(self.dir.join(MANIFEST))?)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.message))?;
        Ok(manifest.outputs.into_iter().map(|entry| entry.path).collect())
    }

    pub(super) fn abandon(self) {
        // Nothing of a failed build is kept; the previous release was never touched.
        let _ = remove_tree(&self.dir);
    }
}

/// Enough for the formats' top folders and the documents being written by every worker.
const FOLDERS_REMEMBERED: usize = 64;

/// The swap replaces `out` whole and deletes what was there, so `out` must be new, empty or
/// an earlier release: not a folder of other files, not a file, and neither an input's
/// folder nor one that holds an input (`--out sources` would delete the sources).
fn check_out(out: &Path, inputs: &[&Path]) -> std::io::Result<()> {
    let refuse = |why: String| Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, why));
    // Where a path leads, following links, whether or not it exists yet.
    let resolve = |p: &Path| fs::canonicalize(p).or_else(|_| std::path::absolute(p));
    let target = resolve(out)?;
    for input in inputs {
        let input = resolve(input)?;
        if input.starts_with(&target) {
            return refuse(format!(
                "it holds {}, an input of this run, which the release would replace",
                input.display()
            ));
        }
        if target.starts_with(&input) {
            return refuse(format!("it lies inside {}, an input of this run", input.display()));
        }
    }
    if out.exists() && !out.is_dir() {
        return refuse("it is a file, not a release folder".into());
    }
    if out.is_dir() && fs::read_dir(out)?.next().is_some() && !out.join(MANIFEST).is_file() {
        return refuse(
            "it is not empty and not an accord release (no manifest.json), and a release replaces its folder whole: \
             give a new or empty folder, or an earlier release"
                .into(),
        );
    }
    Ok(())
}

/// Removes the staging folders that killed builds left beside the output (`prefix` then the
/// pid of a process that is gone), which would otherwise pile up, each the size of a release.
/// The folder of a live process is another build's: it is left alone.
fn remove_stale(parent: &Path, prefix: &str) -> std::io::Result<()> {
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(prefix)).and_then(|p| p.parse::<i32>().ok()) else {
            continue;
        };
        if pid != std::process::id() as i32 && !process_alive(pid) {
            remove_tree(&entry.path())?;
        }
    }
    Ok(())
}

fn process_alive(pid: i32) -> bool {
    // Signal 0 checks that the process exists without touching it; EPERM means it exists
    // under another user.
    // SAFETY: kill with signal 0 sends nothing; it only looks the pid up.
    let status = unsafe { libc::kill(pid, 0) };
    status == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// How many documents past the oldest unfinished one a worker may start: the CSV rows held
/// waiting for their turn are those of at most this many documents.
const WINDOW: usize = 16;

/// The CSV tables, appended in document order as documents finish.
struct Sequencer<'s> {
    state: Mutex<Sequence<'s>>,
    turn: Condvar,
}

struct Sequence<'s> {
    /// The first document whose rows are not yet written.
    next: usize,
    /// Rows of later documents that finished first (`None`: the document gives none).
    waiting: BTreeMap<usize, Option<Rows>>,
    tables: Tables<Stream<'s>>,
    error: Option<std::io::Error>,
}

impl<'s> Sequencer<'s> {
    fn new(staging: &'s Staging, languages: &[String]) -> std::io::Result<Self> {
        let sinks = Tables::<Stream>::paths().map(|path| staging.create(path));
        let [a, b, c, d] = sinks;
        let tables = Tables::new([a?, b?, c?, d?], languages).map_err(std::io::Error::other)?;
        let state = Sequence { next: 0, waiting: BTreeMap::new(), tables, error: None };
        Ok(Sequencer { state: Mutex::new(state), turn: Condvar::new() })
    }

    /// Blocks until document `i` is within [`WINDOW`] of the next to be written.
    fn wait_turn(&self, i: usize) {
        let mut state = self.state.lock().expect("no worker panicked");
        while i >= state.next + WINDOW {
            state = self.turn.wait(state).expect("no worker panicked");
        }
    }

    /// Takes document `i`'s rows and writes every row now in order.
    fn finished(&self, i: usize, rows: Option<Rows>) {
        let mut guard = self.state.lock().expect("no worker panicked");
        let state = &mut *guard;
        state.waiting.insert(i, rows);
        while let Some(rows) = state.waiting.remove(&state.next) {
            if let Some(rows) = rows
                && state.error.is_none()
                && let Err(e) = state.tables.append(&rows)
            {
                state.error = Some(e);
            }
            state.next += 1;
        }
        self.turn.notify_all();
    }

    /// Completes the tables and returns their manifest entries.
    fn finish(self) -> Result<Vec<Entry>, String> {
        let state = self.state.into_inner().expect("no worker panicked");
        if let Some(e) = state.error {
            return Err(e.to_string());
        }
        state.tables.into_sinks().into_iter().map(|s| s.finish().map_err(|e| e.to_string())).collect()
    }
}

/// A release file written as a stream and hashed on the way. As long as its bytes are those
/// of the previous release's copy, nothing is written, and a copy that ends with them is
/// kept (see [`Staging::keep`]): the CSV tables and the manifest of a release that repeats
/// the one before are most of its bytes, which were written, flushed to the disk and freed
/// with the old release again at every build.
struct Stream<'s> {
    staging: &'s Staging,
    path: PathBuf,
    /// Where it goes in the staging folder.
    full: PathBuf,
    sink: Sink,
    hash: Sha256,
    bytes: usize,
    /// The [`record::mark`] of the first `(k + 1) * record::MARK` bytes at `k`, for the record
    /// of the old copy this stream repeats: taken until the stream leaves it.
    marks: Vec<[u8; 16]>,
}

enum Sink {
    /// The bytes so far are the first of the old copy, read on through `old`: a copy without
    /// a record of its prefixes, which it gets if it is kept, with `stamp`, the size and
    /// time it had when it was opened.
    Same {
        copy: Kept,
        old: BufReader<fs::File>,
        stamp: Option<record::Stamp>,
    },
    /// The bytes so far begin as the old copy `file` does, as far as the last of its recorded
    /// prefixes they reached; `pending` holds those since. The old copy is not read: on a
    /// machine that reclaims idle page cache, reading it back went to the disk.
    Recorded {
        copy: Kept,
        file: fs::File,
        prefixes: record::Prefixes,
        pending: Vec<u8>,
    },
    Writing(BufWriter<fs::File>),
}

/// The replaced release's copy of a streamed file, kept if the stream repeats it.
struct Kept {
    from: PathBuf,
    /// Whether the staging folder already holds it at the same path (the spare's link).
    in_place: bool,
}

/// Buffer of a streamed file, written or compared.
const STREAMED: usize = 1 << 20;

impl Write for Stream<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // In pieces that end where a mark is taken.
        let mut rest = buf;
        while !rest.is_empty() {
            let (piece, after) = rest.split_at(rest.len().min(record::MARK - self.bytes % record::MARK));
            self.take(piece)?;
            if self.bytes.is_multiple_of(record::MARK) && !matches!(self.sink, Sink::Writing(_)) {
                self.marks.push(record::mark(&self.hash));
                self.check_prefix()?;
            }
            rest = after;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Writing(file) => file.flush(),
            Sink::Same { .. } | Sink::Recorded { .. } => Ok(()),
        }
    }
}

impl Stream<'_> {
    fn take(&mut self, piece: &[u8]) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Same { old, .. } => {
                if !goes_on_with(old, piece)? {
                    self.diverge()?;
                    self.take(piece)?;
                    return Ok(());
                }
            }
            Sink::Recorded { pending, .. } => pending.extend_from_slice(piece),
            Sink::Writing(file) => file.write_all(piece)?,
        }
        self.hash.update(piece);
        self.bytes += piece.len();
        Ok(())
    }

    /// At a mark the old copy's record also has, what is pending is dropped if the prefixes
    /// are the same, and the stream leaves the old copy if not.
    fn check_prefix(&mut self) -> std::io::Result<()> {
        let Sink::Recorded { prefixes, pending, .. } = &mut self.sink else { return Ok(()) };
        if !self.bytes.is_multiple_of(prefixes.spacing()) {
            return Ok(());
        }
        let mark = self.marks.last().expect("a mark was just taken");
        if prefixes.begins_with(self.bytes, mark) {
            pending.clear();
            Ok(())
        } else {
            self.diverge()
        }
    }

    /// Leaves the old copy: the file is made with the bytes so far, the first ones copied from
    /// the file they were found the same as (not opened again by its path, which may name
    /// another by now).
    fn diverge(&mut self) -> std::io::Result<()> {
        let (old, pending) = match &mut self.sink {
            Sink::Same { old, .. } => (old.get_mut(), &[][..]),
            Sink::Recorded { file, pending, .. } => (file, &pending[..]),
            Sink::Writing(_) => return Ok(()),
        };
        old.seek(SeekFrom::Start(0))?;
        let mut file = self.staging.new_file(&self.full)?;
        let same = self.bytes - pending.len();
        if std::io::copy(&mut old.take(same as u64), &mut file)? != same as u64 {
            let message = format!("{}: the replaced release's copy was cut short", self.path.display());
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, message));
        }
        file.write_all(pending)?;
        self.staging.supersede(&self.path);
        self.sink = Sink::Writing(BufWriter::with_capacity(STREAMED, file));
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<Entry> {
        let whole: [u8; 32] = self.hash.clone().finalize().into();
        match &mut self.sink {
            Sink::Same { copy, old, stamp } => {
                // The old copy must end here too.
                if old.fill_buf()?.is_empty() && self.staging.keep(&copy.from, copy.in_place, &self.full).is_ok() {
                    if let Some(stamp) = stamp
                        && let Some(prefixes) = record::Prefixes::of(&self.marks, self.bytes as u64, whole)
                    {
                        record::make_prefixes(old.get_ref(), &prefixes, stamp);
                    }
                } else {
                    self.diverge()?;
                }
            }
            Sink::Recorded { copy, prefixes, .. } => {
                if !(*prefixes.whole() == whole && self.staging.keep(&copy.from, copy.in_place, &self.full).is_ok()) {
                    self.diverge()?;
                }
            }
            Sink::Writing(_) => {}
        }
        if let Sink::Writing(file) = &mut self.sink {
            file.flush()?;
        }
        Ok(Entry { path: display_path(&self.path), bytes: self.bytes, sha256: digest::hex(&whole) })
    }
}

/// Whether the next bytes of `old` are `bytes`, read past them; `false` at the first
/// difference or at the end of `old`.
fn goes_on_with(old: &mut impl BufRead, mut bytes: &[u8]) -> std::io::Result<bool> {
    while !bytes.is_empty() {
        let next = old.fill_buf()?;
        let n = next.len().min(bytes.len());
        if n == 0 || next[..n] != bytes[..n] {
            return Ok(false);
        }
        old.consume(n);
        bytes = &bytes[n..];
    }
    Ok(true)
}

/// Bytes of an old copy compared at a time.
const COMPARED: usize = 64 << 10;

thread_local! {
    /// The buffer [`holds`] reads into, kept by each thread: the first rebuild of a release
    /// without digest records (a fresh clone's) compares most of it with its previous copy,
    /// and reading each copy whole into a new allocation cost more than the comparison (the
    /// pages of a fresh buffer are faulted in and written once).
    static COMPARE_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether what remains to be read of the regular file `file` is exactly `bytes`; stops at
/// the first difference.
fn holds(file: &mut impl std::io::Read, mut bytes: &[u8]) -> std::io::Result<bool> {
    COMPARE_BUFFER.with_borrow_mut(|buf| {
        buf.resize(COMPARED, 0);
        loop {
            let n = match file.read(buf) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                return Ok(bytes.is_empty());
            }
            match bytes.split_at_checked(n) {
                Some((head, rest)) if head == &buf[..n] => bytes = rest,
                _ => return Ok(false),
            }
            // A regular file reads short only at its end: a read that ends with the bytes
            // and leaves room in the buffer found the end too, without a read more for it.
            if bytes.is_empty() && n < buf.len() {
                return Ok(true);
            }
        }
    })
}

fn remove_if_there(file: &Path) -> std::io::Result<()> {
    match fs::remove_file(file) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Threads for work that mostly waits on the disk (listing the sources, removing a tree):
/// enough for it to take several requests at once.
const DISK_THREADS: usize = 8;

/// Files of one folder a remover removes in turn (see [`Tree::remove_files`]).
const IN_ONE_FOLDER: usize = 64;

/// Removes a folder and everything in it, several entries at a time. Where the file system
/// discards freed blocks as it goes (ext4 `-o discard`), each removal waits for the disk:
/// one at a time, a release of 5,000 files took 15 s to delete; eight at a time, 1 s.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    let mut tree = Tree::read(dir)?;
    tree.remove_files()?;
    tree.remove_folders(&vec![true; tree.folders.len()])
}

/// What [`Staging::survey`] found in the staging folder: nothing to look at when it was made
/// empty, not adopted from a spare.
pub(super) struct Survey(Option<Tree>);

/// A folder and what it holds, as read from the disk.
struct Tree {
    /// Every folder, each after its parent (the first is the top one).
    folders: Vec<TreeFolder>,
}

struct TreeFolder {
    path: PathBuf,
    parent: Option<usize>,
    depth: usize,
    /// Everything in it that is not a folder: files, and links, even to a folder.
    files: Vec<PathBuf>,
}

impl Tree {
    fn read(dir: &Path) -> std::io::Result<Tree> {
        Tree::read_except(dir, &[])
    }

    /// The tree less the entries of the top folder named in `left_out`.
    fn read_except(dir: &Path, left_out: &[&str]) -> std::io::Result<Tree> {
        let mut folders = vec![TreeFolder { path: dir.to_path_buf(), parent: None, depth: 0, files: Vec::new() }];
        let mut k = 0;
        while let Some(folder) = folders.get(k) {
            let (mut below, mut files) = (Vec::new(), Vec::new());
            for entry in fs::read_dir(&folder.path)? {
                let entry = entry?;
                if k == 0 && left_out.iter().any(|name| entry.file_name() == *name) {
                    continue;
                }
                if entry.file_type()?.is_dir() {
                    below.push(TreeFolder {
                        path: entry.path(),
                        parent: Some(k),
                        depth: folder.depth + 1,
                        files: Vec::new(),
                    });
                } else {
                    files.push(entry.path());
                }
            }
            folders[k].files = files;
            folders.extend(below);
            k += 1;
        }
        Ok(Tree { folders })
    }

    /// Removes every file of the tree, leaving its folders. A few files of a folder at a
    /// time, from folder to folder: removers in one folder wait for each other (a removal
    /// holds its folder), and a release has large folders (`xliff/`, a file per language pair
    /// and document).
    fn remove_files(&mut self) -> std::io::Result<()> {
        let chunks: Vec<Vec<&[PathBuf]>> =
            self.folders.iter().map(|f| f.files.chunks(IN_ONE_FOLDER).collect()).collect();
        let rounds = chunks.iter().map(Vec::len).max().unwrap_or(0);
        let tasks: Vec<&[PathBuf]> =
            (0..rounds).flat_map(|r| chunks.iter().filter_map(move |c| c.get(r).copied())).collect();
        in_parallel(&tasks, |files| files.iter().try_for_each(fs::remove_file))?;
        self.folders.iter_mut().for_each(|f| f.files.clear());
        Ok(())
    }

    /// Which folders below the top one hold no file, at any depth.
    fn empty_folders(&self) -> Vec<bool> {
        let mut empty: Vec<bool> = self.folders.iter().map(|f| f.files.is_empty()).collect();
        // Each folder comes after its parent: children are settled first going backwards.
        for (k, folder) in self.folders.iter().enumerate().rev() {
            if let Some(parent) = folder.parent
                && !empty[k]
            {
                empty[parent] = false;
            }
        }
        empty[0] = false;
        empty
    }

    /// Removes the folders marked in `which`, which must be empty but for folders also marked;
    /// the deepest first.
    fn remove_folders(&self, which: &[bool]) -> std::io::Result<()> {
        let deepest = self.folders.last().map_or(0, |f| f.depth);
        (0..=deepest).rev().try_for_each(|depth| {
            let level: Vec<&Path> = self
                .folders
                .iter()
                .zip(which)
                .filter(|(f, marked)| **marked && f.depth == depth)
                .map(|(f, _)| f.path.as_path())
                .collect();
            in_parallel(&level, |d| fs::remove_dir(d))
        })
    }
}

/// Applies `f` to every item on [`DISK_THREADS`] threads; the first error, if any.
fn in_parallel<T: Sync>(items: &[T], f: impl Fn(&T) -> std::io::Result<()> + Sync) -> std::io::Result<()> {
    let first_error = Mutex::new(None);
    on_disk_threads(items, |item| {
        if let Err(e) = f(item) {
            first_error.lock().expect("no disk thread panicked").get_or_insert(e);
        }
    });
    first_error.into_inner().expect("no disk thread panicked").map_or(Ok(()), Err)
}

/// Applies `f` to every item on [`DISK_THREADS`] threads.
fn on_disk_threads<T: Sync>(items: &[T], f: impl Fn(&T) + Sync) {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..DISK_THREADS.min(items.len()) {
            scope.spawn(|| {
                while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
                    f(item);
                }
            });
        }
    });
}

/// Flushes the file system that holds `dir` (`syncfs`): one call for the whole release,
/// where a `fsync` per file made the disk the bottleneck.
#[cfg(target_os = "linux")]
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let handle = fs::File::open(dir)?;
    // SAFETY: the descriptor is open for the duration of the call.
    let status = unsafe { libc::syncfs(handle.as_raw_fd()) };
    if status == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

/// Without `syncfs`: every file, then every folder, of the tree.
#[cfg(not(target_os = "linux"))]
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() { sync_tree(&path)? } else { fs::File::open(&path)?.sync_all()? }
    }
    fs::File::open(dir)?.sync_all()
}

/// Swaps two paths in one step (`renameat2` with `RENAME_EXCHANGE`): at no moment does
/// either name point to nothing.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both pointers are NUL-terminated strings that outlive the call, which only
    // reads them.
    let status =
        unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if status == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}

/// Without an atomic exchange: move the old release aside, then the new one in.
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    let aside = a.with_extension("old");
    fs::rename(b, &aside)?;
    fs::rename(a, b)?;
    fs::rename(&aside, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_copy_holds_the_bytes_only_when_it_has_them_all_and_no_more() {
        // Longer than a comparison buffer, so that a difference in the second read counts.
        let old: Vec<u8> = (0..COMPARED + 1000).map(|k| (k % 251) as u8).collect();
        assert!(holds(&mut old.as_slice(), &old).unwrap());
        assert!(!holds(&mut old.as_slice(), &old[..old.len() - 1]).unwrap());
        assert!(!holds(&mut &old[..old.len() - 1], &old).unwrap());
        let mut changed = old.clone();
        changed[COMPARED + 10] ^= 1;
        assert!(!holds(&mut old.as_slice(), &changed).unwrap());
        assert!(holds(&mut &b""[..], b"").unwrap());
        assert!(!holds(&mut &b""[..], b"x").unwrap());
        // A read that fills the buffer leaves the end unknown: the next one finds it.
        assert!(holds(&mut &old[..COMPARED], &old[..COMPARED]).unwrap());
        assert!(!holds(&mut old.as_slice(), &old[..COMPARED]).unwrap());
    }

    /// A staging folder for a build that replaces the release in `out` (whose spare it
    /// adopted), in a temporary folder that lasts as long as the first value.
    fn replacing() -> (tempfile::TempDir, PathBuf, Staging) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::write(out.join(MANIFEST), "{}").unwrap();
        fs::create_dir(dir.path().join(".out.spare")).unwrap();
        let staging = Staging::new(&out, &[]).unwrap();
        assert!(staging.adopted && staging.replaces);
        (dir, out, staging)
    }

    /// A stream that repeats the replaced release's file whole keeps it (a link, or the
    /// spare's link left in place); one that does not is a new file, and the replaced
    /// release's copy, even when the staging folder held a link to it, is never written.
    #[cfg(unix)]
    #[test]
    fn a_stream_keeps_the_old_copy_it_repeats_whole_and_is_a_new_file_otherwise() {
        use std::os::unix::fs::MetadataExt;
        let (_dir, out, staging) = replacing();
        let old = b"one,two\nthree\n";
        let streamed = |name: &str, pieces: &[&[u8]], in_place: bool| {
            let (from, full) = (out.join(name), staging.dir.join(name));
            fs::write(&from, old).unwrap();
            if in_place {
                fs::hard_link(&from, &full).unwrap();
            }
            // A small buffer, so that the pieces do not fall on the old copy's reads.
            let reader = BufReader::with_capacity(3, fs::File::open(&from).unwrap());
            let sink = Sink::Same { copy: Kept { from: from.clone(), in_place }, old: reader, stamp: None };
            let (path, hash) = (name.into(), Sha256::new());
            let mut stream =
                Stream { staging: &staging, path, full: full.clone(), sink, hash, bytes: 0, marks: Vec::new() };
            pieces.iter().for_each(|p| stream.write_all(p).unwrap());
            let entry = stream.finish().unwrap();
            let bytes = fs::read(&full).unwrap();
            assert_eq!(bytes, pieces.concat(), "{name}");
            assert_eq!((entry.bytes, entry.sha256), (bytes.len(), digest::sha256_hex(&bytes)), "{name}");
            assert_eq!(fs::read(&from).unwrap(), old, "{name}: the old copy is never written");
            fs::metadata(&full).unwrap().ino() == fs::metadata(&from).unwrap().ino()
        };
        for in_place in [false, true] {
            let name = |case: &str| format!("{case}-{in_place}.csv");
            assert!(streamed(&name("same"), &[b"one,t", b"wo\nthr", b"", b"ee\n"], in_place));
            assert!(!streamed(&name("shorter"), &[b"one,two\n"], in_place));
            assert!(!streamed(&name("longer"), &[old, b"four\n"], in_place));
            assert!(!streamed(&name("changed"), &[b"one,twX", b"\nthree\n"], in_place));
            assert!(!streamed(&name("empty"), &[], in_place));
        }
        let mut superseded: Vec<String> = staging.superseded.lock().unwrap().iter().map(|p| display_path(p)).collect();
        superseded.sort();
        let expected: Vec<String> = ["changed", "empty", "longer", "shorter"]
            .iter()
            .flat_map(|case| [format!("{case}-false.csv"), format!("{case}-true.csv")])
            .collect();
        assert_eq!(superseded, expected, "the replaced release's copies that go once it is replaced");
    }

    /// A stream over an old copy that has a record of its prefixes is compared with the
    /// record, not the bytes: it keeps the copy it repeats whole, and otherwise makes the file
    /// of the old copy's bytes up to the last prefix found the same and its own after that.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_stream_compared_by_recorded_prefixes_keeps_the_copy_or_makes_the_file_exactly() {
        use std::os::unix::fs::MetadataExt;
        use std::time::{Duration, SystemTime};
        let (_dir, out, staging) = replacing();
        let old: Vec<u8> = (0..3 * record::MARK + 1000).map(|k| (k % 251) as u8).collect();
        let stream = |name: &str, bytes: &[u8], recorded: bool| {
            let mut stream = staging.create(name.into()).unwrap();
            assert_eq!(matches!(stream.sink, Sink::Recorded { .. }), recorded, "{name}");
            // Pieces that straddle the marks.
            bytes.chunks(100_003).for_each(|p| stream.write_all(p).unwrap());
            stream.finish().unwrap()
        };
        // The old copy, settled; a first stream of the same bytes reads it back and records it.
        let settled = |name: &str, bytes: &[u8]| {
            let from = out.join(name);
            fs::write(&from, bytes).unwrap();
            let earlier = SystemTime::now() - Duration::from_secs(60);
            fs::File::options().write(true).open(&from).unwrap().set_modified(earlier).unwrap();
            stream(name, bytes, false);
            from
        };
        let streamed = |name: &str, new: &[u8]| {
            let from = settled(name, &old);
            let entry = stream(name, new, true);
            let full = staging.dir.join(name);
            let bytes = fs::read(&full).unwrap();
            assert!(bytes == new, "{name}");
            assert_eq!((entry.bytes, entry.sha256), (new.len(), digest::sha256_hex(new)), "{name}");
            assert!(fs::read(&from).unwrap() == old, "{name}: the old copy is never written");
            fs::metadata(&full).unwrap().ino() == fs::metadata(&from).unwrap().ino()
        };
        let changed = |at: usize| {
            let mut bytes = old.clone();
            bytes[at] ^= 1;
            bytes
        };
        assert!(streamed("same.csv", &old));
        assert!(!streamed("first-prefix.csv", &changed(10)));
        assert!(!streamed("third-prefix.csv", &changed(2 * record::MARK + 5)));
        assert!(!streamed("after-the-last-mark.csv", &changed(3 * record::MARK + 5)));
        assert!(!streamed("at-a-mark.csv", &old[..2 * record::MARK]));
        assert!(!streamed("shorter.csv", &old[..old.len() - 1]));
        assert!(!streamed("longer.csv", &[&old[..], b"more"].concat()));
        assert!(!streamed("past-the-marks.csv", &[&old[..], &old[..]].concat()));
        assert!(!streamed("empty.csv", b""));
        // The record is what is compared: other bytes given the old size and time pass for the
        // old ones, as a digest recorded on a whole file does.
        let from = settled("edited.csv", &old);
        let before = fs::metadata(&from).unwrap().modified().unwrap();
        fs::write(&from, changed(10)).unwrap();
        fs::File::options().write(true).open(&from).unwrap().set_modified(before).unwrap();
        stream("edited.csv", &old, true);
    }
}
