//! `accord merge PART… --out DIR`: the parts of a sharded build (`accord build --shard I/N`,
//! each run anywhere) combined into the release a single build makes, byte for byte. Every
//! part must be there once, made by the same accord with the same options; each file is
//! checked against its part's manifest before it is taken.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;

use super::build::Staging;
use crate::diag::display_path;
use crate::digest::sha256_hex;
use crate::export::File;
use crate::release::{Entry, Head, MANIFEST, Manifest};

#[derive(ClapArgs)]
pub struct Args {
    /// The parts' release folders.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// The merged release, replaced as a whole when the merge succeeds.
    #[arg(long, default_value = "out")]
    out: PathBuf,
}

/// Files every part writes whole for the release: the same in each.
const SHARED: &str = "datapackage.json";

pub fn run(args: Args) -> u8 {
    let parts = match read_parts(&args.parts) {
        Ok(parts) => parts,
        Err(message) => {
            eprintln!("accord merge: {message}");
            return super::EXIT_INVALID;
        }
    };
    let inputs: Vec<&Path> = args.parts.iter().map(PathBuf::as_path).collect();
    let staging = match Staging::new(&args.out, &inputs) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("accord merge: cannot prepare {}: {e}", display_path(&args.out));
            return super::EXIT_USAGE;
        }
    };
    match merge(&parts, &staging).and_then(|outputs| {
        let manifest = merged_manifest(&parts, outputs);
        let documents = manifest.head.counts.get("documents").copied().unwrap_or(0);
        let files = manifest.outputs.len();
        staging.write(&File { path: MANIFEST.into(), bytes: manifest.into_bytes() }).map_err(|e| e.to_string())?;
        Ok((documents, files))
    }) {
        Ok((documents, files)) => {
            if let Err(e) = staging.survey().and_then(|survey| staging.commit(files, survey)) {
                eprintln!("accord merge: cannot write {}: {e}", display_path(&args.out));
                return super::EXIT_USAGE;
            }
            eprintln!(
                "merge: {} parts, {documents} documents, {} files in {}",
                parts.len(),
                files + 1,
                display_path(&args.out)
            );
            super::EXIT_OK
        }
        Err(message) => {
            staging.abandon();
            eprintln!("accord merge: {message}; {} left as it was", display_path(&args.out));
            super::EXIT_INVALID
        }
    }
}

struct Part {
    dir: PathBuf,
    manifest: Manifest,
}

impl Part {
    /// A file of the part, checked against its manifest entry.
    fn read(&self, entry: &Entry) -> Result<Vec<u8>, String> {
        let path = self.dir.join(&entry.path);
        let bytes = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", display_path(&path)))?;
        if sha256_hex(&bytes) != entry.sha256 {
            return Err(format!("{} does not match its part's manifest", display_path(&path)));
        }
        Ok(bytes)
    }
}

/// Reads each part's manifest and checks that together they are the N parts of one build.
fn read_parts(dirs: &[PathBuf]) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    for dir in dirs {
        let path = dir.join(MANIFEST);
        let bytes = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", display_path(&path)))?;
        let manifest = Manifest::from_slice(&bytes)
            .map_err(|e| format!("{} is not a release manifest: {e}", display_path(&path)))?;
        parts.push(Part { dir: dir.clone(), manifest });
    }
    let shard = |p: &Part| -> Result<(u64, u64), String> {
        let s = p.manifest.head.options.shard.as_deref().unwrap_or("");
        s.split_once('/').and_then(|(i, n)| Some((i.parse().ok()?, n.parse().ok()?))).ok_or_else(|| {
            format!("{} is not a part of a sharded build (no --shard in its manifest)", display_path(&p.dir))
        })
    };
    let first = parts.first().ok_or("no parts given")?;
    let (_, n) = shard(first)?;
    let same = |p: &Part| {
        let (a, b) = (&p.manifest, &first.manifest);
        let unsharded = |m: &Manifest| crate::release::Options { shard: None, ..m.head.options.clone() };
        a.head.accord_version == b.head.accord_version
            && a.head.release_date == b.head.release_date
            && unsharded(a) == unsharded(b)
    };
    let mut seen = BTreeSet::new();
    for part in &parts {
        let (i, m) = shard(part)?;
        if m != n || !same(part) {
            return Err(format!(
                "{} was not built with the same accord, release date and options as {}",
                display_path(&part.dir),
                display_path(&first.dir)
            ));
        }
        if !seen.insert(i) {
            return Err(format!("part {i}/{n} is given twice"));
        }
    }
    if let Some(missing) = (0..n).find(|i| !seen.contains(i)) {
        return Err(format!("part {missing}/{n} is missing"));
    }
    parts.sort_by_key(|p| shard(p).map(|(i, _)| i).unwrap_or(0));
    Ok(parts)
}

/// Writes every output of the merged release to the staging folder; returns their entries.
fn merge(parts: &[Part], staging: &Staging) -> Result<Vec<Entry>, String> {
    let mut outputs = Vec::new();
    // Per-document files are taken as they are; tables are merged; shared files must agree.
    let mut tables: BTreeMap<&str, Vec<Vec<u8>>> = BTreeMap::new();
    let mut shared: Option<Vec<u8>> = None;
    for part in parts {
        for entry in &part.manifest.outputs {
            let bytes = part.read(entry)?;
            if entry.path.starts_with("csv/") {
                tables.entry(entry.path.as_str()).or_default().push(bytes);
            } else if entry.path == SHARED {
                if shared.as_ref().is_some_and(|s| *s != bytes) {
                    return Err(format!("the parts' {SHARED} differ"));
                }
                shared = Some(bytes);
            } else {
                outputs
                    .push(staging.write(&File { path: entry.path.clone().into(), bytes }).map_err(|e| e.to_string())?);
            }
        }
    }
    if let Some(bytes) = shared {
        outputs.push(staging.write(&File { path: SHARED.into(), bytes }).map_err(|e| e.to_string())?);
    }
    for (path, parts) in tables {
        let bytes = merge_table(&parts).map_err(|e| format!("{path}: {e}"))?;
        outputs.push(staging.write(&File { path: path.into(), bytes }).map_err(|e| e.to_string())?);
    }
    let mut paths = BTreeSet::new();
    if let Some(dup) = outputs.iter().find(|e| !paths.insert(e.path.clone())) {
        return Err(format!("two parts both hold {}", dup.path));
    }
    Ok(outputs)
}

/// One CSV table from the parts' copies: the header once, then each document's rows (they
/// are consecutive, the document first on each row) in slug order, as a single build writes
/// them. Rows are copied as bytes, never re-quoted.
fn merge_table(parts: &[Vec<u8>]) -> Result<Vec<u8>, String> {
    let mut header: Option<&[u8]> = None;
    let mut documents: BTreeMap<Vec<u8>, (usize, Vec<&[u8]>)> = BTreeMap::new();
    for (k, bytes) in parts.iter().enumerate() {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes.as_slice());
        reader.byte_headers().map_err(|e| e.to_string())?;
        let body = reader.position().byte() as usize;
        let own_header = &bytes[..body];
        if header.is_some_and(|h| h != own_header) {
            return Err("the parts' headers differ".into());
        }
        header = Some(own_header);
        let mut record = csv::ByteRecord::new();
        let mut start = body;
        while reader.read_byte_record(&mut record).map_err(|e| e.to_string())? {
            let end = reader.position().byte() as usize;
            let document = record.get(0).unwrap_or_default().to_vec();
            let (owner, rows) = documents.entry(document.clone()).or_insert((k, Vec::new()));
            if *owner != k {
                return Err(format!("document `{}` is in two parts", String::from_utf8_lossy(&document)));
            }
            rows.push(&bytes[start..end]);
            start = end;
        }
    }
    let mut out = header.unwrap_or_default().to_vec();
    for (_, rows) in documents.values() {
        rows.iter().for_each(|row| out.extend_from_slice(row));
    }
    Ok(out)
}

/// The single build's manifest: inputs of all parts, the merged outputs, counts and
/// diagnostics summed, options without the shard.
fn merged_manifest(parts: &[Part], outputs: Vec<Entry>) -> Manifest {
    let first = &parts[0].manifest;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut diagnostics: BTreeMap<String, usize> = BTreeMap::new();
    for part in parts {
        for (k, v) in &part.manifest.head.counts {
            *counts.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &part.manifest.head.diagnostics {
            *diagnostics.entry(k.clone()).or_default() += v;
        }
    }
    Manifest {
        head: Head {
            accord_version: first.head.accord_version.clone(),
            release_date: first.head.release_date.clone(),
            options: crate::release::Options { shard: None, ..first.head.options.clone() },
            counts,
            diagnostics,
        },
        inputs: parts.iter().flat_map(|p| p.manifest.inputs.iter().cloned()).collect(),
        outputs,
    }
}
