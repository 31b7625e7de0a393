//! Checks a release folder against its `manifest.json`: every listed output present with its
//! size and sha256, nothing unlisted beside them (`accord validate --outputs DIR`).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::cmd::validate::Report;
use crate::diag::{Diagnostic, Location, display_path};
use crate::digest::sha256_hex;
use crate::release::{MANIFEST, Manifest};

/// Every file under `dir`, relative to it, with `/` separators.
fn files(dir: &Path) -> std::io::Result<BTreeSet<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) -> std::io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let path = entry.path();
            // Links are listed, not followed: a link to a folder could loop or lead out.
            if entry.file_type()?.is_dir() {
                walk(root, &path, out)?;
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.insert(display_path(rel));
            }
        }
        Ok(())
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

pub fn check(release: &Path) -> Result<Report, Diagnostic> {
    let manifest_path = release.join(MANIFEST);
    let text = fs::read(&manifest_path).map_err(|e| crate::ingest::io_diagnostic(&manifest_path, &e))?;
    let mut report = Report { documents: 0, expressions: 0, errors: 0, warnings: 0, diagnostics: Vec::new(), bytes: 0 };
    let at = |path: &str| Location::new(&display_path(&release.join(path)), 0, 0);
    let manifest = match Manifest::from_slice(&text) {
        Ok(m) => m,
        Err(e) => {
            report.diagnostics.push(Diagnostic::error(
                "release-bad-manifest",
                Location::new(&display_path(&manifest_path), e.line as u32, e.column as u32),
                format!("not a release manifest: {e}"),
                "rebuild the release with `accord build`",
            ));
            report.errors = 1;
            return Ok(report);
        }
    };
    let present = files(release).map_err(|e| crate::ingest::io_diagnostic(release, &e))?;
    let mut listed = BTreeSet::from([MANIFEST.to_string()]);
    for entry in &manifest.outputs {
        listed.insert(entry.path.clone());
        let path = release.join(PathBuf::from(&entry.path));
        // A link is not a file of the release, and reading through it would leave the folder.
        let regular = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
        let Some(bytes) = regular.then(|| fs::read(&path).ok()).flatten() else {
            report.diagnostics.push(Diagnostic::error(
                "release-missing-file",
                at(&entry.path),
                "listed in manifest.json but missing (or not a regular file)",
                "the release is incomplete: rebuild it",
            ));
            continue;
        };
        report.bytes += bytes.len() as u64;
        if entry.sha256 != sha256_hex(&bytes) || entry.bytes != bytes.len() {
            report.diagnostics.push(Diagnostic::error(
                "release-hash-mismatch",
                at(&entry.path),
                "size or sha256 differs from manifest.json",
                "the file changed after the build: rebuild the release, or restore the file",
            ));
        }
    }
    for extra in present.difference(&listed) {
        report.diagnostics.push(Diagnostic::error(
            "release-extra-file",
            at(extra),
            "not listed in manifest.json",
            "remove the file, or rebuild the release",
        ));
    }
    report.documents = manifest.head.counts.get("documents").copied().unwrap_or(0);
    report.expressions = manifest.head.counts.get("expressions").copied().unwrap_or(0);
    report.errors = report.diagnostics.len();
    Ok(report)
}
